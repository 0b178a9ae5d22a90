//! The integration tests, in one binary.

mod cli;
mod counts;
mod cpython;
mod differential;
mod dis;
mod explain;
mod extremes;
mod fuzz_smoke;
mod gen;
mod graph;
mod heap;
mod limits;
mod reductions;
mod seed;
mod stepping;
mod switch;
mod sync;
