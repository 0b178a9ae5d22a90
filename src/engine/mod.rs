//! The engine: the interface every search drives ([`System`]), the Python program behind it
//! ([`PyModel`]), what an execution ends in ([`Outcome`], [`Finding`]), schedules, and the one
//! place that runs an execution ([`Execution`]): which threads may move, what is a preemption,
//! and when a run has ended.
//!
//! It sits between the VM and the stages that drive it: `explore` (the searches), `trace` (replays
//! and explanations), `graph` and the interactive session all step executions through it, so they
//! accept the same schedules and count preemptions alike.

mod exec;
mod finding;
mod model;
mod python;
mod schedule;
#[cfg(test)]
pub(crate) mod toy;

pub use exec::{is_preemption, run_status, Execution, Last, StepError};
pub use finding::{Finding, FindingKind, Outcome};
pub use model::{RejectedLoops, SoloLoop, Status, System};
pub use python::{thread_name, PyModel};
pub use schedule::{Schedule, Segment};
