//! The virtual machine: program states and the pure step function.
//!
//! Vocabulary used throughout gilcheck:
//! - a **thread** is a Python thread (T0 is the main thread, T1… in creation order);
//! - a **step** executes one bytecode instruction of one thread, atomically;
//! - a **switch point** is a boundary between steps where the scheduler may pick another thread
//!   (see [`SwitchModel`]);
//! - a thread is **runnable** when it is alive and its next step does not block;
//! - the **state** ([`State`]) is everything: globals, threads (frames, value stacks), locks, output.

mod arith;
mod attrs;
mod blocking;
mod builtins;
mod cached;
mod call;
pub mod canon;
mod cells;
mod classes;
mod clock;
mod copying;
mod counters;
mod defaults;
mod deletion;
mod deques;
mod dictops;
mod event;
mod footprint;
mod format;
mod functools;
mod gens;
pub mod heap;
mod invoke;
mod iters;
mod keys;
mod library;
mod listops;
mod mathmod;
mod modules;
mod mt;
mod numops;
mod operators;
mod ordered;
mod output;
mod randoms;
mod reflect;
mod render;
mod sets;
mod slices;
mod special;
mod spread;
mod state;
mod step;
mod strformat;
mod strmore;
mod strops;
mod switch;
mod sync;
mod threads;
mod timsort;
mod unwind;
mod value;

pub use crate::bytecode::SwitchModel;
pub(crate) use attrs::get_attr;
pub use blocking::Blocker;
pub(crate) use cached::hashed_bytes;
pub use cached::Cached;
pub use footprint::{Access, Footprint, Object};
pub(crate) use iters::reads_heap;
pub use state::{Frame, FrameRole, State, Thread, ThreadStatus};
pub use step::{step_in_place, Event, StepInfo};
pub use switch::{switch_certain_after_next, switch_rule_under, SwitchRule};
pub use sync::{SyncKind, SyncWait};
pub(crate) use value::builtin_value;
pub use value::{binary_op, compare, Builtin, ExcKind, Exception, Tid, Value};

use crate::bytecode::{CodeId, Program};
use std::sync::Arc;

/// Why alive thread `tid` cannot take its next step, or `None` when it can.
pub fn blocker(program: &Program, state: &State, tid: Tid) -> Option<Blocker> {
    blocking::blocker(program, state, tid)
}

/// Whether thread `tid` can take a step now: alive, not blocked, and no other thread holds the
/// GIL past a boundary where the switch model allows no switch ([`State::hold`]).
pub fn runnable(program: &Program, state: &State, tid: Tid) -> bool {
    state.hold.is_none_or(|h| h == tid) && can_step(program, state, tid)
}

/// Whether thread `tid` could take a step if it had the GIL: alive and not blocked.
pub fn can_step(program: &Program, state: &State, tid: Tid) -> bool {
    state.threads[tid].is_alive() && blocking::blocker(program, state, tid).is_none()
}

/// Evaluates an expression code object (e.g. `--expect`) against a state's globals, running it
/// to completion in a scratch thread. Returns the value, or the exception it raised.
pub fn evaluate(program: &Program, state: &State, code: CodeId) -> Result<Value, Arc<Exception>> {
    let mut scratch = State {
        globals: state.globals.clone(),
        threads: vec![Arc::new(cached::Cached::new(Thread::new(
            ThreadStatus::Alive,
            vec![Frame::new(program, code, &[])],
            "MainThread".into(),
            false,
        )))],
        locks: state.locks.clone(),
        output: Arc::default(),
        output_open: false,
        hold: None,
        lib_committed: false,
        made: state.made,
        sync: state.sync.clone(),
        heap: state.heap.clone(),
        rng: state.rng.clone(),
        drew_open: true,
        clocks: state.clocks.clone(),
    };
    for _ in 0..100_000 {
        let th = &scratch.threads[0];
        if let (1, Some(frame)) = (th.frames.len(), th.frames.last()) {
            if program.code(code).instrs.get(frame.pc as usize) == Some(&crate::bytecode::Instr::ReturnValue) {
                // About to return from the expression: take the value.
                return frame.stack.last().cloned().ok_or_else(|| {
                    Arc::new(Exception::new(ExcKind::RuntimeError, "[internal bug] empty stack at return"))
                });
            }
        }
        match &scratch.threads[0].status {
            ThreadStatus::Failed { exc, .. } => return Err(exc.clone()),
            ThreadStatus::Alive if runnable(program, &scratch, 0) => {
                step_in_place(program, SwitchModel::Bytecode, &mut scratch, 0);
            }
            _ => break,
        }
    }
    Err(Arc::new(Exception::new(ExcKind::RuntimeError, "the expression did not evaluate")))
}

/// The next instruction thread `tid` will execute, if it has one.
pub fn next_instr<'p>(program: &'p Program, state: &State, tid: Tid) -> Option<&'p crate::bytecode::Instr> {
    let frame = state.threads.get(tid)?.frames.last()?;
    program.code(frame.code).instrs.get(frame.pc as usize)
}
