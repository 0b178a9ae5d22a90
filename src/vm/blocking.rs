//! Which calls block: why an alive thread cannot take its next step (a held lock, a join of a
//! live thread, a wait on a synchronisation object), read from the CALL or BEFORE_WITH it is
//! about to run.

use super::state::State;
use super::sync::{self, SyncKind, SyncMethod, SyncWait};
use super::value::{Builtin, Tid, Value};
use crate::bytecode::{Const, Instr, Program};

/// Why an alive thread cannot take its next step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Blocker {
    /// Its next step acquires this lock (blocking), which is held.
    Lock {
        /// The lock.
        lock: u32,
        /// Its holder.
        holder: Option<Tid>,
    },
    /// Its next step joins this thread, which is alive.
    Join(Tid),
    /// It waits on a synchronisation object (RLock, Semaphore, Event, Condition, Barrier, Queue).
    Sync {
        /// The object's id (see [`State::sync`]).
        object: u32,
        /// The object's kind.
        kind: SyncKind,
        /// What it waits for.
        wait: SyncWait,
    },
}

/// Why alive thread `tid` cannot take its next step, or `None` when it can. Called for every
/// thread at every step, so it peeks at the stack without allocating.
pub(super) fn blocker(program: &Program, state: &State, tid: Tid) -> Option<Blocker> {
    if state.threads[tid].exiting {
        return super::threads::exit_waits_for(state).map(Blocker::Join);
    }
    let frame = state.threads[tid].frames.last()?;
    let code = program.code(frame.code);
    let held = |lock: u32| state.locks[lock as usize].holder.map(|h| Blocker::Lock { lock, holder: Some(h) });
    match code.instrs.get(frame.pc as usize)? {
        Instr::BeforeWith => match frame.stack.last()? {
            Value::Lock(l) => held(*l),
            Value::Sync(kind, id) if kind.is_context_manager() => {
                sync_blocker(state, tid, *kind, *id, SyncMethod::Acquire, true)
            }
            _ => None,
        },
        Instr::Call(n) => {
            let n = *n as usize;
            let stack = &frame.stack;
            let len = stack.len();
            // 3.11 layout: [NULL|method, callable|self, args...]; positional args then keywords.
            let (callable, args) = match &stack[len - n - 2] {
                Value::Null => (&stack[len - n - 1], &stack[len - n..]),
                m => (m, &stack[len - n - 1..]),
            };
            let (method, this, rest) = match callable {
                Value::Bound(b, this) => (*b, &**this, args),
                Value::Builtin(b @ (Builtin::LockAcquire | Builtin::ThreadJoin | Builtin::SyncCall(..)))
                    if !args.is_empty() =>
                {
                    (*b, &args[0], &args[1..])
                }
                _ => return None,
            };
            if !matches!(method, Builtin::LockAcquire | Builtin::ThreadJoin | Builtin::SyncCall(..)) {
                return None;
            }
            let kwnames: &[Const] = match frame.kwnames.map(|k| &code.consts[k as usize]) {
                Some(Const::Tuple(names)) => names,
                _ => &[],
            };
            let positional = &rest[..rest.len() - kwnames.len().min(rest.len())];
            let keyword = |name: &str| {
                kwnames
                    .iter()
                    .position(|k| matches!(k, Const::Str(s) if &**s == name))
                    .map(|i| &rest[positional.len() + i])
            };
            // A call whose arguments do not fit the method raises a TypeError at once, without
            // waiting: it is not blocked.
            let params: &[&str] = match method {
                Builtin::LockAcquire | Builtin::SyncCall(_, SyncMethod::Acquire) => &["blocking", "timeout"],
                Builtin::ThreadJoin | Builtin::SyncCall(_, SyncMethod::Wait) => &["timeout"],
                Builtin::SyncCall(_, SyncMethod::WaitFor) => &["predicate", "timeout"],
                Builtin::SyncCall(_, SyncMethod::Get) => &["block", "timeout"],
                Builtin::SyncCall(_, SyncMethod::Put) => &["item", "block", "timeout"],
                _ => &[],
            };
            let names = kwnames.iter().map(|k| if let Const::Str(s) = k { &**s } else { "" });
            if !sync::fits(params, positional.len(), names) {
                return None;
            }
            // Whether `acquire(blocking, timeout)` waits until it has the lock (a call whose
            // arguments are wrong raises instead, so it is not blocked).
            let lock_blocks = || {
                let blocking = positional.first().or_else(|| keyword("blocking"));
                let timeout = positional.get(1).or_else(|| keyword("timeout"));
                sync::lock_wait(blocking, timeout).is_ok_and(|w| w == sync::Wait::Block)
            };
            match (method, this) {
                (Builtin::LockAcquire, Value::Lock(l)) => {
                    if lock_blocks() {
                        held(*l)
                    } else {
                        None
                    }
                }
                (Builtin::ThreadJoin, Value::Thread(t)) => {
                    let timeout = positional.first().or_else(|| keyword("timeout"));
                    let t = *t as usize;
                    let blocks = sync::plain_wait(timeout, "Thread.join").is_ok_and(|w| w == sync::Wait::Block);
                    (blocks && t != tid && state.threads[t].is_alive()).then_some(Blocker::Join(t))
                }
                (Builtin::SyncCall(kind, m), Value::Sync(k, id)) if kind == *k => {
                    let blocking = match m {
                        SyncMethod::Acquire => lock_blocks(),
                        // A SimpleQueue's `get` waits only without a timeout (and blocking).
                        SyncMethod::Get if kind == SyncKind::SimpleQueue => {
                            let keywords: Vec<(String, Value)> = kwnames
                                .iter()
                                .zip(&rest[positional.len()..])
                                .map(|(k, v)| {
                                    (if let Const::Str(s) = k { s.to_string() } else { String::new() }, v.clone())
                                })
                                .collect();
                            sync::simple_get_may_block(positional, &keywords)
                        }
                        _ => true,
                    };
                    sync_blocker(state, tid, kind, *id, m, blocking)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn sync_blocker(
    state: &State,
    tid: Tid,
    kind: SyncKind,
    object: u32,
    m: SyncMethod,
    blocking: bool,
) -> Option<Blocker> {
    sync::blocker(state, tid, object, m, blocking).map(|wait| Blocker::Sync { object, kind, wait })
}
