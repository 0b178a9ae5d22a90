//! The integration tests, in one binary.

mod cli;
mod counts;
mod differential;
mod dis;
mod explain;
mod gen;
mod graph;
mod seed;
mod stepping;
