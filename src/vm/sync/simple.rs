//! `queue.SimpleQueue`: CPython's `_queue.SimpleQueue`, written in C. Each method is one C
//! call, so one step, with the argument errors of its C argument parsing.
//!
//! `get` on an empty queue releases the GIL and waits on the queue's internal lock; a `put`
//! releases that lock, and whichever waiting thread takes it (or a thread that calls `get` in
//! between, without waiting) takes the item; a woken thread that finds the queue empty again
//! waits again. So here a `get` that may wait is blocked while the queue is empty, and any
//! thread blocked in `get` may take the next item: no waiter list, no order among them. A `get`
//! with a timeout never blocks: run on an empty queue, its timeout has expired ([`super::timeout`]).

use super::super::footprint::{Access, Object};
use super::super::state::State;
use super::super::step::{err, StepInfo};
use super::super::value::{ExcKind, Exception, Value};
use super::cargs::c_parse;
use super::ops::{no_args, Args, Outcome};
use super::timeout::{queue_wait, Wait};
use super::{SyncMethod, SyncObj};

/// `queue.SimpleQueue()`, which takes no arguments.
pub(super) fn construct(args: &Args) -> Result<SyncObj, Exception> {
    let message = if !args.positional.is_empty() {
        "SimpleQueue() takes no positional arguments"
    } else if !args.keywords.is_empty() {
        "SimpleQueue() takes no keyword arguments"
    } else {
        return Ok(SyncObj::Queue {
            kind: super::SyncKind::SimpleQueue,
            maxsize: 0,
            items: Vec::new(),
            unfinished: 0,
            not_empty: Vec::new(),
            not_full: Vec::new(),
            all_done: Vec::new(),
        });
    };
    Err(err(ExcKind::TypeError, message))
}

/// How `get(block=True, timeout=None)` waits.
fn get_wait(block: Option<&Value>, timeout: Option<&Value>) -> Result<Wait, Exception> {
    queue_wait(block, timeout, "SimpleQueue.get")
}

/// Whether `get` with these arguments waits until an item is there: its arguments parse, and
/// ask for a blocking call without a timeout (one whose arguments are wrong raises instead).
pub(in crate::vm) fn get_may_block(positional: &[Value], keywords: &[(String, Value)]) -> bool {
    let args = Args { positional, keywords };
    c_parse(&args, "get", &["block", "timeout"], 0)
        .and_then(|values| get_wait(values[0], values[1]))
        .is_ok_and(|w| w == Wait::Block)
}

/// Whether a `get` that may wait (`blocking`: no timeout, not `block=False`) is blocked: the
/// queue is empty.
pub(super) fn blocks(obj: &SyncObj, method: SyncMethod, blocking: bool) -> bool {
    matches!((obj, method), (SyncObj::Queue { items, .. }, SyncMethod::Get) if blocking && items.is_empty())
}

/// Calls `method` of the SimpleQueue `id` for `info`'s thread.
pub(super) fn call(
    state: &mut State,
    id: u32,
    method: SyncMethod,
    what: &str,
    args: Args,
    info: &mut StepInfo,
) -> Result<Outcome, Exception> {
    let SyncObj::Queue { items, .. } = &mut state.sync[id as usize] else { unreachable!() };
    let access = match method {
        SyncMethod::Qsize | SyncMethod::Empty => Access::Read(Object::Sync(id)),
        _ => Access::Write(Object::Sync(id)),
    };
    info.footprint.add(access);
    match method {
        SyncMethod::Qsize => {
            no_args(&args, what)?;
            Ok(Outcome::Return(Value::Int(items.len() as i64)))
        }
        SyncMethod::Empty => {
            no_args(&args, what)?;
            Ok(Outcome::Return(Value::Bool(items.is_empty())))
        }
        SyncMethod::Put | SyncMethod::PutNowait => {
            // `block` and `timeout` are read and ignored: the queue is never full.
            let (name, names): (_, &[&str]) = match method {
                SyncMethod::Put => ("put", &["item", "block", "timeout"]),
                _ => ("put_nowait", &["item"]),
            };
            let values = c_parse(&args, name, names, 1)?;
            items.push(values[0].cloned().expect("[internal bug] a required argument"));
            Ok(Outcome::Return(Value::None))
        }
        SyncMethod::Get | SyncMethod::GetNowait => {
            let wait = if method == SyncMethod::Get {
                let values = c_parse(&args, "get", &["block", "timeout"], 0)?;
                get_wait(values[0], values[1])?
            } else {
                // CPython checks only that no positional argument is given.
                if !args.positional.is_empty() {
                    return Err(err(ExcKind::TypeError, "get_nowait() takes no arguments"));
                }
                Wait::NoBlock
            };
            if !items.is_empty() {
                return Ok(Outcome::Return(items.remove(0)));
            }
            match wait {
                // Blocked while the queue is empty: not run until an item is there.
                Wait::Block => Ok(Outcome::Stay),
                Wait::NoBlock => Err(err(ExcKind::QueueEmpty, "")),
                Wait::Timed => {
                    info.event = crate::vm::step::Event::TimedOut;
                    Err(err(ExcKind::QueueEmpty, ""))
                }
            }
        }
        _ => Err(err(ExcKind::TypeError, format!("{what}() called on the wrong kind of object"))),
    }
}
