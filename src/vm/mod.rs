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
mod builtins;
mod call;
mod cells;
mod classes;
mod clock;
mod copying;
mod counters;
mod defaults;
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
mod sharing;
mod slices;
mod special;
mod spread;
mod state;
mod step;
mod strformat;
mod strops;
mod switch;
mod sync;
mod threads;
mod unwind;
mod value;

pub use crate::bytecode::SwitchModel;
pub use call::Blocker;
pub use clock::{ClockKind, Clocks, Fact, Reading};
pub use footprint::{Access, Footprint, Object};
pub use heap::{Heap, HeapObj};
pub use sharing::Sharing;
pub use special::{Memo, Special};
pub use state::{Frame, FrameRole, LockState, State, Thread, ThreadStatus};
pub use step::{step, step_in_place, Event, StepInfo};
pub use switch::{call_kind_of, switch_certain_after_next, switch_rule_under, warm_up_call, CallKind, SwitchRule};
pub use sync::{LockRef, SyncKind, SyncMethod, SyncObj, SyncWait, Waiter};
pub use value::{binary_op, compare, Builtin, ExcKind, Exception, Module, Tid, Value};

use crate::bytecode::{CodeId, Program};
use std::sync::Arc;

/// Why alive thread `tid` cannot take its next step, or `None` when it can.
pub fn blocker(program: &Program, state: &State, tid: Tid) -> Option<Blocker> {
    call::blocker(program, state, tid)
}

/// Whether thread `tid` can take a step now: alive, not blocked, and no other thread holds the
/// GIL past a boundary where the switch model allows no switch ([`State::hold`]).
pub fn runnable(program: &Program, state: &State, tid: Tid) -> bool {
    state.hold.is_none_or(|h| h == tid) && can_step(program, state, tid)
}

/// Whether thread `tid` could take a step if it had the GIL: alive and not blocked.
pub fn can_step(program: &Program, state: &State, tid: Tid) -> bool {
    state.threads[tid].is_alive() && call::blocker(program, state, tid).is_none()
}

/// Evaluates an expression code object (e.g. `--expect`) against a state's globals, running it
/// to completion in a scratch thread. Returns the value, or the exception it raised.
pub fn evaluate(program: &Program, state: &State, code: CodeId) -> Result<Value, Arc<Exception>> {
    let mut scratch = State {
        globals: state.globals.clone(),
        threads: vec![Arc::new(Thread::new(
            ThreadStatus::Alive,
            vec![Frame::new(program, code, &[])],
            "MainThread".into(),
            false,
        ))],
        locks: state.locks.clone(),
        output: Arc::new(Vec::new()),
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
                    Arc::new(Exception {
                        kind: ExcKind::RuntimeError,
                        message: "[internal bug] empty stack at return".into(),
                    })
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
    Err(Arc::new(Exception { kind: ExcKind::RuntimeError, message: "the expression did not evaluate".into() }))
}

/// Whether thread `tid`'s next step is certainly *invisible*: it touches no shared object, cannot
/// raise, block or end the thread. Such a step commutes with every step of every other thread,
/// so a scheduler loses nothing by never switching right before it (the classic argument for
/// scheduling only at visible operations).
///
/// With the [`Sharing`] facts, some global accesses are invisible too: main's accesses to a global
/// no function refers to, and reads of a global that no function writes and that main's remaining
/// module code does not store.
pub fn next_step_is_local(program: &Program, state: &State, tid: Tid, sharing: &Sharing) -> bool {
    use crate::bytecode::{BinOp, Instr};
    let Some(frame) = state.threads[tid].frames.last().filter(|f| f.role != FrameRole::Bind) else { return false };
    let code = program.code(frame.code);
    let Some(instr) = code.instrs.get(frame.pc as usize) else { return false };
    let top2 = || {
        let n = frame.stack.len();
        (n >= 2).then(|| (&frame.stack[n - 2], &frame.stack[n - 1]))
    };
    match instr {
        Instr::Nop
        | Instr::Resume(_)
        | Instr::PopTop
        | Instr::PushNull
        | Instr::Copy(_)
        | Instr::Swap(_)
        | Instr::LoadConst(_)
        | Instr::StoreFast(_)
        | Instr::Precall(_)
        | Instr::KwNames(_)
        | Instr::MakeFunction(_)
        | Instr::BuildTuple(_)
        | Instr::JumpForward(_)
        | Instr::JumpBackward(_)
        | Instr::PopJumpForwardIfNone(_)
        | Instr::PopJumpForwardIfNotNone(_)
        | Instr::PopJumpBackwardIfNone(_)
        | Instr::PopJumpBackwardIfNotNone(_)
        | Instr::IsOp(_) => true,
        // Truthiness of a list or dict reads the heap.
        Instr::PopJumpForwardIfFalse(_)
        | Instr::PopJumpForwardIfTrue(_)
        | Instr::PopJumpBackwardIfFalse(_)
        | Instr::PopJumpBackwardIfTrue(_)
        | Instr::JumpIfFalseOrPop(_)
        | Instr::JumpIfTrueOrPop(_)
        | Instr::UnaryNot => !matches!(frame.stack.last(), Some(Value::Obj(_) | Value::DictView(..))),
        // A list or dict iterator reads its container.
        Instr::ForIter(_) => !frame.stack.last().is_some_and(iters::reads_heap),
        // In a class body, names live in the class (a heap object).
        Instr::LoadName(_) | Instr::StoreName(_) if frame.role != FrameRole::Call => false,
        Instr::LoadFast(i) => frame.locals[*i as usize] != Value::Null,
        Instr::LoadName(g) | Instr::LoadGlobal { slot: g, .. } => {
            let g = *g as usize;
            let bound =
                state.globals[g] != Value::Null || value::builtin_value(program.global_name(g as u32)).is_some();
            let main_pc = state.threads[0].frames.first().filter(|_| state.threads[0].is_alive()).map(|f| f.pc);
            bound
                && ((tid == 0 && sharing.main_only[g])
                    || (sharing.fn_unwritten[g] && (tid == 0 || !sharing.main_may_store(main_pc, g as u32))))
        }
        Instr::StoreName(g) | Instr::StoreGlobal(g) => tid == 0 && sharing.main_only[*g as usize],
        Instr::GetIter => matches!(frame.stack.last(), Some(Value::RangeIter { .. } | Value::Tuple(_))),
        Instr::Call(n) => {
            // A call of `range` with int arguments: no shared object, cannot fail.
            let n = *n as usize;
            let len = frame.stack.len();
            len >= n + 2
                && frame.stack[len - n - 2] == Value::Null
                && frame.stack[len - n - 1] == Value::Builtin(Builtin::Range)
                && (1..=3).contains(&n)
                && frame.stack[len - n..].iter().all(|v| matches!(v, Value::Int(_)))
                && frame.kwnames.is_none()
                && !matches!(frame.stack[len - n..], [_, _, Value::Int(0)])
        }
        Instr::LoadAttr(n) | Instr::LoadMethod(n) => frame.stack.last().is_some_and(|obj| {
            matches!(obj, Value::Module(_) | Value::Lock(_) | Value::Thread(_) | Value::Sync(..))
                && attrs::get_attr(obj, &code.names[*n as usize]).is_ok()
        }),
        Instr::BinaryOp { op, .. } => match top2() {
            Some((Value::Int(_), Value::Int(b))) => match op {
                BinOp::FloorDiv | BinOp::Mod | BinOp::TrueDiv => *b != 0,
                BinOp::Lshift | BinOp::Rshift => (0..64).contains(b),
                BinOp::Pow => (0..64).contains(b),
                _ => true,
            },
            _ => false,
        },
        Instr::CompareOp(_) => matches!(top2(), Some((Value::Int(_), Value::Int(_)))),
        Instr::ReturnValue => frame_count(state, tid) > 1 && frame.role == FrameRole::Call,
        _ => false,
    }
}

/// The next instruction thread `tid` will execute, if it has one.
pub fn next_instr<'p>(program: &'p Program, state: &State, tid: Tid) -> Option<&'p crate::bytecode::Instr> {
    let frame = state.threads.get(tid)?.frames.last()?;
    program.code(frame.code).instrs.get(frame.pc as usize)
}

fn frame_count(state: &State, tid: Tid) -> usize {
    state.threads[tid].frames.len()
}
