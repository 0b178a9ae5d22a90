//! Generators (what a generator expression makes), as CPython 3.11 runs them:
//!
//! - RETURN_GENERATOR turns the frame of a just-called generator function into a generator
//!   object, handed to the caller;
//! - FOR_ITER resumes one: its frame goes back on the thread's frame stack, its YIELD_VALUE hands
//!   the item to the loop, and its return ends the loop;
//! - the C builtins that take a whole iterable (`sum`, `any`, `all`, `min`, `max`, `sorted`,
//!   `list`, `tuple`, `str.join`) *drain* one: the generator's frame runs on top of the caller's,
//!   and each item it yields is folded in at once, as their C loops do (so `any` stops at the
//!   first true item, and `sum`'s `TypeError` comes at the item that does not add). What has
//!   been folded so far lives in a record on top of the caller's stack until the call returns.
//!
//! Every resumption pushes the value sent in (`None`), which the POP_TOP after RETURN_GENERATOR
//! or after RESUME drops, as in CPython. Where the generator's own steps may switch threads is
//! decided by its instructions as anywhere else: RESUME on entry and after each yield, and its
//! loop's back-edges.

use super::call::call_builtin;
use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::state::{Frame, FrameRole, State};
use super::step::{checker_limit, err, unsupported, StepInfo};
use super::value::{Builtin, ExcKind, Exception, Tid, Value};
use crate::bytecode::{CmpOp, Instr, Program};

/// A generator object: its suspended frame, or none while it runs or once it has finished.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct GenObj {
    /// The frame, suspended where it will resume (`None` while running or finished).
    pub frame: Option<Box<Frame>>,
    /// Whether it has finished (returned or raised): it yields nothing more.
    pub done: bool,
}

/// How a C builtin that drains a generator folds in each item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Sink {
    /// `sum`: the running total.
    Sum,
    /// `any`: stops at the first true item.
    Any,
    /// `all`: stops at the first false item.
    All,
    /// `min`: the least item so far (the first of equals).
    Min,
    /// `max`: the greatest item so far (the first of equals).
    Max,
    /// `list`, `tuple`, `sorted`, `str.join`: every item into a fresh list, which the builtin
    /// then takes, as their C code first makes a list of the iterable.
    Collect,
    /// `set`: every item into a fresh list, each checked to be hashable as it comes (CPython's
    /// set adds them one by one, so an unhashable item stops the generator there); the set is
    /// then made of the list, which adds them in the same order.
    CollectHashable,
}

/// Whether `v` is a generator object.
pub(super) fn is_gen(heap: &Heap, v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Obj(id)) if matches!(heap.peek(*id), HeapObj::Gen(_)))
}

/// The generator a `for` loop's iterator `v` resumes: a generator, or `enumerate` of one.
pub(super) fn iterated(heap: &Heap, v: Option<&Value>) -> Option<u32> {
    match v {
        Some(Value::Obj(id)) if matches!(heap.peek(*id), HeapObj::Gen(_)) => Some(*id),
        Some(Value::Enumerate(inner, _)) => iterated(heap, Some(inner)),
        _ => None,
    }
}

/// The position of the first generator among `args`.
pub(super) fn gen_argument(heap: &Heap, args: &[Value]) -> Option<usize> {
    args.iter().position(|a| is_gen(heap, Some(a)))
}

/// RETURN_GENERATOR: the running frame (its cell prefix done, its pc on the POP_TOP after this
/// instruction) becomes a new generator object, which the caller gets.
pub(super) fn return_generator(state: &mut State, tid: Tid, info: &mut StepInfo) -> Result<(), Exception> {
    let State { threads, heap, .. } = state;
    let th = super::cached::make_mut(&mut threads[tid]);
    let mut frame = th.frames.pop().expect("[internal bug] RETURN_GENERATOR without a frame");
    frame.role = FrameRole::Call;
    let id = heap.alloc(HeapObj::Gen(GenObj { frame: Some(Box::new(frame)), done: false }), &mut info.footprint);
    th.frames.last_mut().expect("[internal bug] a generator with no caller").stack.push(Value::Obj(id));
    Ok(())
}

/// RETURN_GENERATOR of a frame whose caller is not a plain call: a generator is made of a copy
/// of `frame` (its pc past the instruction) and pushed on `frame`'s stack, for the frame to
/// return it.
pub(super) fn suspend_copy(frame: &mut Frame, heap: &mut Heap, fp: &mut Footprint) {
    let mut suspended = frame.clone();
    suspended.role = FrameRole::Call;
    let id = heap.alloc(HeapObj::Gen(GenObj { frame: Some(Box::new(suspended)), done: false }), fp);
    frame.stack.push(Value::Obj(id));
}

/// Takes generator `id`'s frame to resume it for `role`, with the value sent in (`None`) pushed;
/// `None` when it has finished.
fn take_frame(heap: &mut Heap, id: u32, role: FrameRole, fp: &mut Footprint) -> Result<Option<Frame>, Exception> {
    let HeapObj::Gen(g) = heap.write(id, fp) else { unreachable!("[internal bug] not a generator") };
    if g.done {
        return Ok(None);
    }
    let Some(mut frame) = g.frame.take() else {
        return Err(err(ExcKind::ValueError, "generator already executing"));
    };
    frame.stack.push(Value::None);
    frame.role = role;
    Ok(Some(*frame))
}

/// Marks generator `id` finished (it returned, or an exception left its frame).
pub(super) fn finish(heap: &mut Heap, id: u32, fp: &mut Footprint) {
    if let HeapObj::Gen(g) = heap.write(id, fp) {
        g.frame = None;
        g.done = true;
    }
}

/// FOR_ITER on generator `id` (on top of the stack; the loop's pc already past FOR_ITER, whose
/// exit is `target`): resumes it, or ends the loop when it has finished.
pub(super) fn for_iter(
    state: &mut State,
    tid: Tid,
    id: u32,
    target: u32,
    info: &mut StepInfo,
) -> Result<(), Exception> {
    let State { threads, heap, .. } = state;
    let th = super::cached::make_mut(&mut threads[tid]);
    match take_frame(heap, id, FrameRole::GenIter(id), &mut info.footprint)? {
        Some(frame) => th.frames.push(frame),
        None => {
            let caller = th.frames.last_mut().expect("[internal bug] frame");
            caller.stack.pop();
            caller.pc = target;
        }
    }
    Ok(())
}

/// `next(g[, default])`: resumes generator `g` for the caller's CALL, with the default (or
/// `Value::Null`) kept on top of the caller's stack until the generator yields or returns.
pub(super) fn next(
    state: &mut State,
    tid: Tid,
    mut args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    info: &mut StepInfo,
) -> Result<(), Exception> {
    if !kwargs.is_empty() {
        return Err(err(ExcKind::TypeError, "next() takes no keyword arguments"));
    }
    match args.len() {
        0 => return Err(err(ExcKind::TypeError, "next expected at least 1 argument, got 0")),
        1 | 2 => {}
        n => return Err(err(ExcKind::TypeError, format!("next expected at most 2 arguments, got {n}"))),
    }
    let default = if args.len() == 2 { args.pop().expect("two arguments") } else { Value::Null };
    let id = match &args[0] {
        Value::Obj(id) if matches!(state.heap.peek(*id), HeapObj::Gen(_)) => *id,
        // Containers and scalars are not iterators; CPython says so.
        v @ (Value::Obj(_)
        | Value::None
        | Value::Bool(_)
        | Value::Int(_)
        | Value::Big(_)
        | Value::Float(_)
        | Value::Str(_)
        | Value::Tuple(_)) => {
            let ty = state.heap.type_name(v);
            return Err(err(ExcKind::TypeError, format!("'{ty}' object is not an iterator")));
        }
        other => return Err(unsupported(format!("next() of a {}", state.heap.type_name(other)))),
    };
    let State { threads, heap, .. } = state;
    let th = super::cached::make_mut(&mut threads[tid]);
    match take_frame(heap, id, FrameRole::GenNext(id), &mut info.footprint)? {
        Some(frame) => {
            th.frames.last_mut().expect("[internal bug] frame").stack.push(default);
            th.frames.push(frame);
            Ok(())
        }
        None if default == Value::Null => Err(err(ExcKind::StopIteration, "")),
        None => {
            th.frames.last_mut().expect("[internal bug] frame").stack.push(default);
            Ok(())
        }
    }
}

/// A C builtin `callable` called with a generator among `args`: starts draining it, or refuses
/// a builtin that does not take one.
pub(super) fn drain(
    program: &Program,
    state: &mut State,
    tid: Tid,
    callable: Value,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    info: &mut StepInfo,
) -> Result<(), Exception> {
    let fp = &mut info.footprint;
    // `sep.join(g)` is called as `str.join(sep, g)`: the separator leads.
    let lead = usize::from(matches!(callable, Value::Builtin(Builtin::StrMethod(super::strops::StrMethod::Join))));
    let (sink, acc) = match (&callable, &args[lead..]) {
        (Value::Builtin(Builtin::Sum), [_, ..]) => (Sink::Sum, super::numops::sum_start(&args, &kwargs, &state.heap)?),
        (Value::Builtin(b @ (Builtin::Any | Builtin::All | Builtin::Min | Builtin::Max)), [_]) if kwargs.is_empty() => {
            let sink = match b {
                Builtin::Any => Sink::Any,
                Builtin::All => Sink::All,
                Builtin::Min => Sink::Min,
                _ => Sink::Max,
            };
            (sink, Value::Null)
        }
        (Value::Builtin(Builtin::List | Builtin::Tuple | Builtin::Sorted), [_])
        | (Value::Builtin(Builtin::StrMethod(super::strops::StrMethod::Join)), [_])
        | (Value::Bound(Builtin::StrMethod(super::strops::StrMethod::Join), _), [_]) => {
            (Sink::Collect, Value::Obj(state.heap.alloc(HeapObj::List(Vec::new()), fp)))
        }
        (Value::Builtin(Builtin::Set), [_]) if kwargs.is_empty() => {
            (Sink::CollectHashable, Value::Obj(state.heap.alloc(HeapObj::List(Vec::new()), fp)))
        }
        _ => {
            let name = match &callable {
                Value::Builtin(b) | Value::Bound(b, _) => format!("{}()", b.name()),
                other => state.heap.type_name(other),
            };
            return Err(unsupported(format!("a generator passed to {name}")));
        }
    };
    let Some(Value::Obj(id)) = args.get(lead).filter(|a| is_gen(&state.heap, Some(a))).cloned() else {
        return Err(unsupported("a generator that is not the first argument of a builtin"));
    };
    let kw: Vec<Value> = kwargs.into_iter().map(|(k, v)| Value::Tuple(vec![Value::Str(k.into()), v].into())).collect();
    let record =
        Value::Tuple(vec![callable, acc, Value::Tuple(kw.into()), Value::Tuple(args[..lead].to_vec().into())].into());
    let State { threads, heap, .. } = state;
    let th = super::cached::make_mut(&mut threads[tid]);
    match take_frame(heap, id, FrameRole::Drain(sink, id), &mut info.footprint)? {
        Some(frame) => {
            th.frames.last_mut().expect("[internal bug] frame").stack.push(record);
            th.frames.push(frame);
            Ok(())
        }
        // An exhausted generator: the builtin sees no items.
        None => {
            let result = complete(program, state, tid, sink, record, info)?;
            push_result(state, tid, result);
            Ok(())
        }
    }
}

/// The parts of a drain record: the builtin, what it has folded so far, its keyword arguments,
/// and the arguments before the generator.
fn record_parts(record: &Value) -> (Value, Value, Vec<(String, Value)>, Vec<Value>) {
    let Value::Tuple(parts) = record else { unreachable!("[internal bug] not a drain record") };
    let kwargs = match &parts[2] {
        Value::Tuple(kw) => kw
            .iter()
            .filter_map(|p| match p {
                Value::Tuple(kv) => match (&kv[0], &kv[1]) {
                    (Value::Str(k), v) => Some((k.to_string(), v.clone())),
                    _ => None,
                },
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let lead = match &parts[3] {
        Value::Tuple(l) => l.to_vec(),
        _ => Vec::new(),
    };
    (parts[0].clone(), parts[1].clone(), kwargs, lead)
}

fn push_result(state: &mut State, tid: Tid, v: Value) {
    state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame").stack.push(v);
}

/// What the draining builtin returns once the generator has no more items.
fn complete(
    program: &Program,
    state: &mut State,
    tid: Tid,
    sink: Sink,
    record: Value,
    info: &mut StepInfo,
) -> Result<Value, Exception> {
    let (callable, acc, kwargs, mut lead) = record_parts(&record);
    match sink {
        Sink::Sum => Ok(acc),
        Sink::Any => Ok(Value::Bool(false)),
        Sink::All => Ok(Value::Bool(true)),
        Sink::Min | Sink::Max if acc == Value::Null => {
            let name = if sink == Sink::Min { "min" } else { "max" };
            Err(err(ExcKind::ValueError, format!("{name}() arg is an empty sequence")))
        }
        Sink::Min | Sink::Max => Ok(acc),
        Sink::Collect | Sink::CollectHashable => match callable {
            // `list(g)` is the list made of its items.
            Value::Builtin(Builtin::List) => Ok(acc),
            other => {
                lead.push(acc);
                call_builtin(program, state, tid, &other, lead, kwargs, info)
            }
        },
    }
}

/// What folding one item in decided.
enum Fold {
    /// Go on: resume the generator.
    More(Value),
    /// The builtin has its result without the rest (`any`, `all`).
    Done(Value),
}

fn fold(heap: &mut Heap, sink: Sink, acc: &Value, item: Value, fp: &mut Footprint) -> Result<Fold, Exception> {
    Ok(match sink {
        Sink::Sum => Fold::More(super::numops::sum_add(heap, acc, &item)?),
        Sink::Any | Sink::All => {
            let all = sink == Sink::All;
            if heap.truthy(&item, fp) != all {
                Fold::Done(Value::Bool(!all))
            } else {
                Fold::More(Value::None)
            }
        }
        Sink::Min | Sink::Max => {
            let op = if sink == Sink::Max { CmpOp::Gt } else { CmpOp::Lt };
            if *acc == Value::Null || heap.compare(op, &item, acc, fp)?.truthy() {
                Fold::More(item)
            } else {
                Fold::More(acc.clone())
            }
        }
        Sink::Collect | Sink::CollectHashable => {
            if sink == Sink::CollectHashable {
                heap.check_hashable(&item)?;
            }
            let Value::Obj(list) = acc else { unreachable!("[internal bug] collect without a list") };
            if let HeapObj::List(items) = heap.write_growing(*list, fp)? {
                items.push(item);
            }
            Fold::More(acc.clone())
        }
    })
}

/// Puts generator `id`'s frame back, suspended after a yield (the value sent in is pushed when
/// it is resumed, by `take_frame`).
fn suspend(heap: &mut Heap, id: u32, frame: Option<Frame>, fp: &mut Footprint) {
    let mut frame = frame.expect("[internal bug] no generator frame to suspend");
    frame.role = FrameRole::Call;
    if let HeapObj::Gen(g) = heap.write(id, fp) {
        g.frame = Some(Box::new(frame));
    }
}

/// YIELD_VALUE: hands the item on top to whoever resumed the generator.
pub(super) fn yield_value(state: &mut State, tid: Tid, info: &mut StepInfo) -> Result<(), Exception> {
    let State { threads, heap, .. } = state;
    let th = super::cached::make_mut(&mut threads[tid]);
    let frame = th.frames.last_mut().expect("[internal bug] frame");
    let item = frame.stack.pop().expect("[internal bug] YIELD_VALUE on an empty stack");
    match frame.role {
        FrameRole::GenIter(id) => {
            suspend(heap, id, th.frames.pop(), &mut info.footprint);
            let stack = &mut th.frames.last_mut().expect("[internal bug] generator without a loop").stack;
            // Under `enumerate`, the loop gets the count with the item.
            let item = match stack.last_mut() {
                Some(Value::Enumerate(_, count)) => {
                    let n = *count;
                    *count = n.checked_add(1).ok_or_else(|| checker_limit("an enumerate count past 64 bits"))?;
                    Value::Tuple(vec![Value::Int(n), item].into())
                }
                _ => item,
            };
            stack.push(item);
            Ok(())
        }
        FrameRole::GenNext(id) => {
            suspend(heap, id, th.frames.pop(), &mut info.footprint);
            let caller = th.frames.last_mut().expect("[internal bug] next() without a caller");
            caller.stack.pop();
            caller.stack.push(item);
            Ok(())
        }
        FrameRole::Drain(sink, id) => {
            let n = th.frames.len();
            let Some(Value::Tuple(parts)) = th.frames[n - 2].stack.last() else {
                unreachable!("[internal bug] drained generator without a record")
            };
            let acc = parts[1].clone();
            match fold(heap, sink, &acc, item, &mut info.footprint) {
                Ok(Fold::More(acc)) => {
                    let Some(Value::Tuple(parts)) = th.frames[n - 2].stack.last_mut() else { unreachable!() };
                    std::sync::Arc::make_mut(parts)[1] = acc;
                    th.frames[n - 1].stack.push(Value::None);
                    Ok(())
                }
                Ok(Fold::Done(v)) => {
                    // The builtin stops early (`any`, `all`): the generator stays suspended
                    // after this yield, and a later loop over it resumes it there.
                    suspend(heap, id, th.frames.pop(), &mut info.footprint);
                    let caller = th.frames.last_mut().expect("[internal bug] frame");
                    caller.stack.pop();
                    caller.stack.push(v);
                    Ok(())
                }
                Err(e) => {
                    // The builtin fails at this item: the error is raised at the call, and the
                    // generator stays suspended after this yield.
                    suspend(heap, id, th.frames.pop(), &mut info.footprint);
                    th.frames.last_mut().expect("[internal bug] frame").stack.pop();
                    Err(e)
                }
            }
        }
        _ => Err(unsupported("a yield outside a generator being iterated")),
    }
}

/// The `StopIteration` of a generator that returned `value`: its args are `(value,)` unless the
/// value is None.
fn stop_iteration(heap: &Heap, value: Value) -> Exception {
    if value == Value::None {
        return err(ExcKind::StopIteration, "");
    }
    let args: std::sync::Arc<[Value]> = vec![value].into();
    let message = match heap.holds_instance(&args[0]) {
        true => super::unwind::RUNS_PYTHON.to_string(),
        false => heap.exception_str(ExcKind::StopIteration, &args),
    };
    Exception { kind: ExcKind::StopIteration, message, args: Some(args), class: None }
}

/// RETURN_VALUE of a generator's frame: its iteration has ended.
pub(super) fn gen_return(program: &Program, state: &mut State, tid: Tid, info: &mut StepInfo) -> Result<(), Exception> {
    let th = state.thread_mut(tid);
    let mut frame = th.frames.pop().expect("[internal bug] frame");
    match frame.role {
        FrameRole::GenNext(id) => {
            let value = frame.stack.pop().expect("[internal bug] RETURN_VALUE on an empty stack");
            finish(&mut state.heap, id, &mut info.footprint);
            let stop = stop_iteration(&state.heap, value);
            let caller = state.thread_mut(tid).frames.last_mut().expect("[internal bug] next() without a caller");
            match caller.stack.pop() {
                Some(Value::Null) | None => Err(stop),
                Some(default) => {
                    caller.stack.push(default);
                    Ok(())
                }
            }
        }
        FrameRole::GenIter(id) => {
            let th = state.thread_mut(tid);
            let caller = th.frames.last_mut().expect("[internal bug] generator without a loop");
            let code = program.code(caller.code);
            let Some(Instr::ForIter(target)) = caller.pc.checked_sub(1).and_then(|pc| code.instrs.get(pc as usize))
            else {
                unreachable!("[internal bug] generator resumed other than by FOR_ITER")
            };
            caller.stack.pop();
            caller.pc = *target;
            finish(&mut state.heap, id, &mut info.footprint);
            Ok(())
        }
        FrameRole::Drain(sink, id) => {
            finish(&mut state.heap, id, &mut info.footprint);
            let record = state
                .thread_mut(tid)
                .frames
                .last_mut()
                .expect("[internal bug] frame")
                .stack
                .pop()
                .expect("[internal bug] drain record");
            let result = complete(program, state, tid, sink, record, info)?;
            push_result(state, tid, result);
            Ok(())
        }
        _ => unreachable!("[internal bug] gen_return on a plain frame"),
    }
}
