//! gilcheck: a deterministic interleaving model checker for small Python threading programs.
//!
//! The pipeline, one module per stage (a stage never imports a later one):
//!
//! ```text
//! source ─frontend─▶ AST ─compile─▶ bytecode::Program ─vm─▶ State ⇄ step
//!                                                         │
//!                          engine (System, Execution, Schedule, Outcome, Finding)
//!                             │                   │                  │
//!                  explore (strategies)    trace (replays)    graph, session
//!                             └─────────▶ report ◀┘
//!                                            │
//!                                           cli
//! ```
//!
//! The root re-exports what a test of a program needs: [`Model`], its [`Checker`] and
//! [`Report`], [`Verdict`], [`Strategy`], [`Reduction`], [`Limits`], [`SwitchModel`], findings,
//! outcomes, schedules, and [`Execution`] to step one run by hand.
//!
//! ```no_run
//! use gilcheck::{Model, Verdict};
//! let model = Model::from_file("models/safe_deposit.py")?.with_set("N", "3")?;
//! let report = model.checker().check();
//! assert_eq!(report.verdict(), Verdict::Holds);
//! # Ok::<(), gilcheck::Error>(())
//! ```
#![deny(missing_docs, missing_debug_implementations)]

pub(crate) mod analysis;
pub(crate) mod bench;
pub mod budget;
pub mod bytecode;
pub mod cli;
pub mod compile;
pub mod engine;
pub mod error;
pub mod explore;
pub mod frontend;
pub mod graph;
mod model;
pub(crate) mod pyattrs;
pub(crate) mod pyfloat;
pub(crate) mod pyset;
pub mod report;
pub mod session;
pub mod source;
pub(crate) mod text;
pub mod trace;
pub mod vm;
pub(crate) mod xml;

// What a test of a program needs, in one place.
pub use bytecode::SwitchModel;
pub use engine::{Execution, Finding, FindingKind, Outcome, Schedule, Status};
pub use error::{Error, Result};
pub use explore::{Checker, Counterexample, Limits, Reduction, Report, Strategy, Verdict};
pub use model::Model;
