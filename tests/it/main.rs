//! The integration tests, in one binary.

mod cli;
mod cli_output;
mod counts;
mod cpython;
mod differential;
mod dis;
mod explain;
mod extremes;
mod fairness;
mod fuzz_smoke;
mod gen;
mod graph;
mod heap;
mod language;
mod limits;
mod realistic;
mod reductions;
mod refusals;
mod scopes;
mod seed;
mod soak;
mod stepping;
mod subset_gen;
mod switch;
mod sync;
mod timeouts;
