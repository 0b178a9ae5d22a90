//! The integration tests, in one binary.

mod cli;
mod counts;
mod differential;
mod dis;
mod gen;
mod seed;
