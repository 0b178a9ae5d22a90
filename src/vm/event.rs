//! What a step did, beyond the state it leaves: the event a scheduler or a trace cares about,
//! and the shared objects it touched.

use super::footprint::Footprint;
use super::value::{Exception, Tid};
use std::sync::Arc;

/// What a step did that a scheduler or a trace cares about, beyond its footprint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Event {
    /// Nothing beyond reads and writes.
    #[default]
    None,
    /// Printed a line.
    Print,
    /// `time.sleep`: the thread released the GIL voluntarily.
    Sleep,
    /// Acquired a lock.
    Acquire(u32),
    /// Tried a non-blocking acquire of a held lock (returned False).
    AcquireFailed(u32),
    /// Released a lock.
    Release(u32),
    /// Started a thread.
    Start(Tid),
    /// Joined a finished thread.
    Join(Tid),
    /// Began a wait with a timeout (`Event.wait(1)`, `q.get(timeout=1)`): the thread released
    /// the GIL and may run again at any time, because the timeout may expire at any time.
    TimedWait,
    /// A timeout expired: the call returned `False` or raised (`Thread.join(1)` of a live
    /// thread, `Event.wait(1)` that was not set, `q.get(timeout=1)` with nothing to take).
    TimedOut,
    /// The thread finished (returned from its last frame).
    Exit,
    /// The thread returned from its target and left `threading`'s table of active threads
    /// (`Thread._delete`); it ends in its next step.
    Deleted,
    /// The main thread's code ended in a program with daemon threads: the interpreter's exit
    /// waits for the threads that are not daemons (the daemons run on), then ends the daemons.
    Exiting,
    /// An exception was raised (caught or not; see the thread's status).
    Raise(Arc<Exception>),
}

impl Event {
    /// Whether the step released the GIL on its own (`time.sleep`, a wait with a timeout): a
    /// switch right after it is no preemption.
    pub fn releases_gil(&self) -> bool {
        matches!(self, Event::Sleep | Event::TimedWait | Event::TimedOut)
    }
}

/// The result of one step: what it touched and what it did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepInfo {
    /// Shared objects read or written.
    pub footprint: Footprint,
    /// The notable event, if any.
    pub event: Event,
    /// Whether the step entered a method that `collections` writes in Python (`c[k]` of a
    /// Counter's missing key runs `__missing__`): its entry is a switch point.
    pub enters_library: bool,
    /// Why the boundary after the step is a switch point under the run's switch model (the
    /// rule that fired); `None` where the thread holds the GIL on. A library module run as
    /// transactions (`concurrent.futures`) may hold it on past a switch point too: who may run
    /// next is [`super::State::hold`]'s to say.
    pub switch: Option<super::switch::SwitchRule>,
}
