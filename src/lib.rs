//! gilcheck: a deterministic interleaving model checker for small Python threading programs.
//!
//! The pipeline, one module per stage (a stage never imports a later one):
//!
//! ```text
//! source ─frontend─▶ AST ─compile─▶ bytecode::Program ─vm─▶ State ⇄ step
//!                                              │
//!                     explore (strategies) ──▶ Report ──▶ trace / report / cli
//! ```
//!
//! ```no_run
//! use gilcheck::{Model, Verdict};
//! let model = Model::from_file("models/safe_deposit.py")?.with_set("N", "3")?;
//! let report = model.checker().check();
//! assert_eq!(report.verdict(), Verdict::Holds);
//! # Ok::<(), gilcheck::Error>(())
//! ```
#![deny(missing_docs, missing_debug_implementations)]

pub mod bench;
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
pub mod pyattrs;
pub mod pyfloat;
pub mod pyset;
pub mod report;
pub mod session;
pub mod source;
pub mod text;
pub mod trace;
pub mod vm;
pub mod xml;

pub use error::{Error, Result};
pub use explore::{Checker, Report, Strategy, Verdict};
pub use model::Model;
