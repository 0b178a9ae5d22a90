//! Analyses of the compiled program that the strategies consume, computed from bytecode and VM
//! states, never by exploring: which globals other threads can touch and whether a thread's
//! next step is invisible ([`sharing`]); the static facts the reductions rest on ([`facts`],
//! with its transfer function [`absint`] and the constructs it leaves out, [`outside`]); and
//! the one solo-loop accelerator ([`loops`]).
//!
//! The stage sits between the VM and the engine: it reads programs and states, and knows
//! nothing of schedules or strategies.

pub(crate) mod absint;
pub(crate) mod facts;
pub(crate) mod loops;
pub(crate) mod outside;
pub(crate) mod sharing;

pub(crate) use facts::{bit, members, Facts, Slots, Summary};
pub(crate) use loops::Translation;
pub(crate) use sharing::{next_step_is_local, worth_preempting_before, Sharing};
