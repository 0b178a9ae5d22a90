//! `Condition.wait_for(predicate, timeout=None)`: `threading.py`'s loop of predicate calls and
//! waits, run as one CALL that stays the thread's next instruction until the predicate holds.
//! The predicate is Python code, called back ([`crate::vm::special`]); its results and the
//! waits done so far are kept in the calling frame's memo:
//! - no result yet, or a wait just done: call the predicate;
//! - a true result, or any result after a wait whose timeout expired: return it;
//! - a false result: wait (`Condition.wait(timeout)`: release the lock, wait for a notify, take
//!   the lock back), which records the wait when it is done.
//!
//! With a timeout, each wait may expire; after a wait that was notified in time and a false
//! result the loop waits again (CPython may instead find its time up, which an expiring wait
//! covers, with one more call of the predicate).

use super::super::special::{self, Memo, Special};
use super::super::state::State;
use super::super::step::{err, unsupported, StepInfo};
use super::super::value::{ExcKind, Exception, Tid, Value};
use super::ops::{Args, Outcome};
use super::{SyncKind, SyncMethod, SyncObj};

/// One step of `cond.wait_for(predicate, timeout)` by `tid` on condition `id`.
pub(in crate::vm) fn wait_for(
    state: &mut State,
    tid: Tid,
    id: u32,
    args: Args,
    info: &mut StepInfo,
) -> Result<Outcome, Exception> {
    let what = "Condition.wait_for";
    if args.positional.len() > 2 {
        return Err(err(
            ExcKind::TypeError,
            format!("{what}() takes from 2 to 3 positional arguments but {} were given", args.positional.len() + 1),
        ));
    }
    if let Some((k, _)) = args.keywords.iter().find(|(k, _)| k != "predicate" && k != "timeout") {
        return Err(err(ExcKind::TypeError, format!("{what}() got an unexpected keyword argument '{k}'")));
    }
    let get = |pos: usize, name: &str| {
        args.positional.get(pos).or_else(|| args.keywords.iter().find(|(k, _)| k == name).map(|(_, v)| v))
    };
    let Some(predicate) = get(0, "predicate").cloned() else {
        return Err(err(ExcKind::TypeError, format!("{what}() missing 1 required positional argument: 'predicate'")));
    };
    let timeout: Vec<Value> = get(1, "timeout").into_iter().cloned().collect();
    let wait = |state: &mut State, info: &mut StepInfo| {
        let args = Args { positional: &timeout, keywords: &[] };
        super::call(state, tid, SyncKind::Condition, id, SyncMethod::Wait, args, info)
    };
    // In a wait: go on with it; once it returns (the lock taken back), record it.
    let SyncObj::Condition { waiters, .. } = &state.sync[id as usize] else {
        return Err(err(ExcKind::TypeError, format!("{what}() called on the wrong kind of object")));
    };
    if waiters.iter().any(|w| w.tid == tid) {
        return match wait(state, info)? {
            Outcome::Return(in_time) => {
                let frame = state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame");
                let expired = in_time == Value::Bool(false);
                frame.memo.push(Memo { kind: Special::Waited, tag: Value::Bool(expired), result: Value::Null });
                Ok(Outcome::Stay)
            }
            Outcome::Stay => Ok(Outcome::Stay),
        };
    }
    let memo = special::memo();
    match memo.last() {
        Some(m) if m.kind == Special::Predicate => {
            let expired = memo.iter().rev().nth(1).is_some_and(|w| w.tag == Value::Bool(true));
            if expired || state.heap.truthy(&m.result, &mut info.footprint) {
                return Ok(Outcome::Return(m.result.clone()));
            }
            wait(state, info)
        }
        _ => {
            let (func, args) = match &predicate {
                Value::Function(f) => (f.clone(), Vec::new()),
                Value::Method(f, this) => (f.clone(), vec![Value::Obj(*this)]),
                other => {
                    return Err(unsupported(format!(
                        "Condition.wait_for() with a predicate of type '{}' (a function, lambda or method is)",
                        state.heap.type_name(other)
                    )))
                }
            };
            // The instruction is undone and the predicate runs; its result comes back here.
            let tag = Value::Int(memo.len() as i64);
            special::callback_after_memo(func, args, Special::Predicate, tag)?;
            Ok(Outcome::Return(Value::None))
        }
    }
}
