//! gilcheck: a deterministic interleaving model checker for small Python threading programs.
//!
//! The pipeline, one module per stage (a stage never imports a later one):
//!
//! ```text
//! source ─frontend─▶ AST ─compile─▶ bytecode::Program ─vm─▶ State ⇄ step
//!                                                         │
//!                 analysis (sharing facts, static facts, the loop accelerator)
//!                                                         │
//!                          engine (System, Execution, Schedule, Outcome, Finding)
//!                             │                   │                  │
//!                  explore (strategies)    trace (replays)    graph, session
//!                             ├─▶ repair (fix: re-checks candidates through explore)
//!                             └─────────▶ report ◀┘
//!                                            │
//!                                           cli
//! ```
//!
//! The public surface is deliberate. The root re-exports what a test of a program needs:
//! [`Model`], its [`Checker`] and [`Report`], [`Verdict`], [`Strategy`], [`Reduction`],
//! [`Limits`], [`SwitchModel`], findings, outcomes, schedules, the extremes' search
//! ([`extreme`]), repairs ([`fix`]), and [`Execution`] over a [`System`] ([`PyModel`] is the program's) to step one
//! run by hand. The public modules are the uses beyond a verdict: the compiled program
//! ([`bytecode`], what `gilcheck dis` lists), replays ([`trace`]), their rendering ([`report`]),
//! graph export ([`graph`]), the interactive explorer ([`session`]), the command line ([`cli`])
//! and the counting allocator a binary installs for memory figures ([`budget`]). The stages
//! behind them (frontend, compile, vm, analysis, engine, explore) are the crate's own.
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
pub(crate) mod compile;
pub(crate) mod engine;
pub mod error;
pub(crate) mod explore;
pub(crate) mod frontend;
pub mod graph;
mod model;
pub(crate) mod pyattrs;
pub(crate) mod pyfloat;
pub(crate) mod pyset;
pub(crate) mod repair;
pub mod report;
pub mod session;
pub(crate) mod source;
pub(crate) mod text;
pub mod trace;
pub(crate) mod vm;
pub(crate) mod xml;

// What a test of a program needs, in one place: the stages behind these (frontend, compile,
// vm, analysis, engine, explore) are the crate's own.
pub use bytecode::SwitchModel;
pub use engine::{
    Execution, Finding, FindingKind, Outcome, PyModel, RejectedLoops, Schedule, Segment, SoloLoop, Status, System,
};
pub use error::{Error, Result};
pub use explore::{
    extreme, Checker, Cluster, Counterexample, Extreme, Goal, Limits, Reduction, Report, Strategy, Verdict,
};
pub use model::Model;
pub use repair::{fix, Candidate, Fix, FixOptions, Outputs};
pub use source::SourceFile;
