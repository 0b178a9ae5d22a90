//! The fuzzing harness of `gilcheck`: generated and mutated Python sources, every command with
//! small limits, and oracles for what must never happen (see [`oracle`]). Run by
//! `cargo run --release --example fuzz` and, as a smoke, by the integration tests.

pub mod case;
pub mod driver;
pub mod exec;
pub mod gen;
pub mod mutate;
pub mod oracle;
pub mod record;
pub mod reduce;
pub mod rng;
