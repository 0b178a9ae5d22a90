//! The integration tests, in one binary.

mod cli;
mod cli_output;
mod counts;
mod cpython;
mod differential;
mod dis;
mod explain;
mod extremes;
mod gen;
mod graph;
mod heap;
mod reductions;
mod refusals;
mod seed;
mod stepping;
mod switch;
mod sync;
