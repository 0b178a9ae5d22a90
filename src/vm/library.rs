//! A library module's own steps as Lipton transactions ([`crate::bytecode::Library::atomic`]):
//! which of them need no thread switch before them, decided after each step.

use super::footprint::{Access, Footprint, Object};
use super::state::{Frame, State};
use super::sync::{SyncKind, SyncMethod};
use super::value::{Builtin, Tid, Value};
use crate::bytecode::{Instr, Program};

/// The frame of the library's exit function, which the interpreter calls once the main
/// thread's code has ended, before it waits for the other threads.
pub(super) fn exit_frame(program: &Program, globals: &[Value], fp: &mut Footprint) -> Frame {
    let slot = program.exit_function().expect("[internal bug] no library registered an exit function");
    fp.add(Access::Read(Object::Global(slot)));
    let Value::Function(f) = &globals[slot as usize] else {
        unreachable!("[internal bug] the library's exit function is not a function")
    };
    Frame::new(program, f.code, &[])
}

/// Before thread `tid` steps: whether, after its next step, the transaction it is in has passed
/// its commit point (it was already past it, or the step is neither a both- nor a right-mover).
pub(super) fn committed_after(program: &Program, state: &State, tid: Tid) -> bool {
    program.atomic_library()
        && (state.hold == Some(tid) && state.lib_committed
            || !matches!(library_mover(program, state, tid), Some(Mover::Both | Mover::Right)))
}

/// After thread `tid` stepped (`committed`: from [`committed_after`]): keeps the GIL with it when
/// its next step joins the transaction (a both- or left-mover, or a right-mover before the
/// commit point), where the switch model alone would allow a switch.
pub(super) fn extend_hold(program: &Program, state: &mut State, tid: Tid, committed: bool) {
    state.lib_committed = false;
    let atomic = program.atomic_library();
    if !atomic || state.hold.is_some() || !super::can_step(program, state, tid) {
        return;
    }
    let joins = match library_mover(program, state, tid) {
        Some(Mover::Both | Mover::Left) => true,
        Some(Mover::Right) => !committed,
        Some(Mover::Non) | None => false,
    };
    if joins {
        state.hold = Some(tid);
        state.lib_committed = committed;
    }
}

/// How a library module's step commutes with the steps of other threads (Lipton's movers).
///
/// A transaction of one thread's steps of the form `Right* Non? Left*` (with `Both` anywhere)
/// runs as one: no switch is needed inside it, since every interleaving of it with other
/// threads' steps reaches what some interleaving that runs it whole does. The library's own
/// locks are taken only by its own code and only blocking, so their acquire is a right mover
/// and their release a left mover; the steps that touch only the library's own objects under
/// those locks, or objects not yet shared, commute with every step of another thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mover {
    /// Commutes both ways: reads and writes of the library's own objects, fresh objects,
    /// calls of Python code (which only push a frame), `notify` under the condition's lock.
    Both,
    /// Acquiring a library lock (`with self._condition:`).
    Right,
    /// Releasing one (the `with` block's exit), putting on its unbounded queue, starting its
    /// worker thread.
    Left,
    /// Anything else: a queue hand-off, a semaphore, a wait, starting or joining a thread,
    /// iterating the program's objects, a choice explored tape by tape (`_pick`).
    Non,
}

/// The mover class of thread `tid`'s next instruction, when it is the code of a library module
/// that runs its steps as transactions ([`crate::bytecode::Library::atomic`]); `None` for the
/// program's own code and the other modules'.
fn library_mover(program: &Program, state: &State, tid: Tid) -> Option<Mover> {
    let th = &state.threads[tid];
    let f = th.frames.last()?;
    if !th.is_alive() || !program.library_of(f.code).is_some_and(|l| l.atomic) {
        return None;
    }
    let builtin = |b: Builtin| match b {
        Builtin::Range
        | Builtin::Len
        | Builtin::Zip
        | Builtin::Lock
        | Builtin::SyncNew(_)
        | Builtin::Thread
        | Builtin::ListAppend
        | Builtin::SyncCall(_, SyncMethod::Notify | SyncMethod::NotifyAll) => Mover::Both,
        Builtin::LockExit | Builtin::SyncCall(_, SyncMethod::Exit) => Mover::Left,
        // Putting on the library's unbounded queue only enables a get (the puts that could
        // race are ordered by the executor's locks, or put the same sentinel); starting its
        // worker only enables that thread (no other thread can reach either).
        Builtin::SyncCall(SyncKind::Queue, SyncMethod::Put) | Builtin::ThreadStart => Mover::Left,
        _ => Mover::Non,
    };
    let callee = |v: Option<&Value>| match v {
        Some(Value::Function(_) | Value::Method(..)) => Mover::Both,
        Some(Value::Obj(id)) if state.heap.is_library_object(*id) => Mover::Both,
        Some(Value::Builtin(b) | Value::Bound(b, _)) => builtin(*b),
        _ => Mover::Non,
    };
    Some(match program.code(f.code).instrs.get(f.pc as usize)? {
        Instr::BeforeWith => match f.stack.last() {
            Some(Value::Lock(_) | Value::Sync(SyncKind::Condition, _)) => Mover::Right,
            _ => Mover::Non,
        },
        Instr::ForIter(_) => match f.stack.last() {
            Some(Value::RangeIter { .. }) => Mover::Both,
            _ => Mover::Non,
        },
        Instr::Call(n) => callee(super::call::callee(f, *n as usize)),
        Instr::CallFunctionEx(flags) => {
            callee(f.stack.len().checked_sub(2 + (*flags as usize & 1)).and_then(|i| f.stack.get(i)))
        }
        _ => Mover::Both,
    })
}
