//! `collections.defaultdict`: a dict with a default factory (kept beside the dict in the heap,
//! see [`Heap::factory`]). Reading a missing key (`d[k]`, so also `d[k] += 1` and
//! `d[k].append(x)`) calls the factory, stores what it returns under the key and gives it, as
//! CPython's C `__missing__` does inside the one BINARY_SUBSCR. A builtin type as the factory
//! (`int`, `list`, ...) runs there and then; a function or lambda of the program runs as a
//! Python frame (whose RESUME is a switch point), and its return completes the subscript.

use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::state::{Frame, FrameRole, State};
use super::step::{err, unsupported, StepInfo};
use super::value::{Builtin, ExcKind, Exception, Tid, Value};
use crate::bytecode::Program;

/// `collections.defaultdict([factory])`: a new, empty one.
pub(super) fn new(
    heap: &mut Heap,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    if !kwargs.is_empty() || args.len() > 1 {
        return Err(unsupported("collections.defaultdict() with initial items (defaultdict(factory) is)"));
    }
    let factory = args.first().cloned().unwrap_or(Value::None);
    let callable = matches!(factory, Value::None | Value::Function(_) | Value::Method(..) | Value::Builtin(_))
        || matches!(factory, Value::Obj(id) if matches!(heap.peek(id), HeapObj::Class(_)));
    if !callable {
        return Err(err(ExcKind::TypeError, "first argument must be callable or None"));
    }
    let id = heap.alloc(HeapObj::Dict(Vec::new()), fp);
    heap.set_factory(id, factory);
    Ok(Value::Obj(id))
}

/// `d[key]` of defaultdict `id` without `key`: runs its factory. Called with `key` and the dict
/// already off the stack.
pub(super) fn missing(
    program: &Program,
    state: &mut State,
    tid: Tid,
    id: u32,
    key: Value,
    info: &mut StepInfo,
) -> Result<(), Exception> {
    // `Counter.__missing__`, a Python method (its entry a switch point): 0, not stored.
    if state.heap.is_counter(id) {
        info.enters_library = true;
        state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame").stack.push(Value::Int(0));
        return Ok(());
    }
    let fp = &mut info.footprint;
    let factory = state.heap.factory(id).cloned().unwrap_or(Value::None);
    let value = match factory {
        Value::None => return Err(Exception::key_error(&key, state.heap.repr(&key))),
        Value::Builtin(b @ (Builtin::Int | Builtin::Float | Builtin::Str | Builtin::Bool | Builtin::Tuple)) => {
            match b {
                Builtin::Int => Value::Int(0),
                Builtin::Float => Value::Float(crate::pyfloat::Float(0.0)),
                Builtin::Str => Value::Str("".into()),
                Builtin::Bool => Value::Bool(false),
                _ => Value::Tuple(Vec::new().into()),
            }
        }
        Value::Builtin(Builtin::List) => Value::Obj(state.heap.alloc(HeapObj::List(Vec::new()), fp)),
        Value::Builtin(Builtin::Dict) => Value::Obj(state.heap.alloc(HeapObj::Dict(Vec::new()), fp)),
        Value::Function(f) => {
            // The key waits on the stack for the factory's return (`missing_return`).
            let args = super::invoke::bind_args(program, &f, Vec::new(), Vec::new(), &mut state.heap, fp)?;
            let mut frame = Frame::call(program, &f, &args);
            frame.role = FrameRole::Missing(id);
            let th = state.thread_mut(tid);
            th.frames.last_mut().expect("[internal bug] frame").stack.push(key);
            th.frames.push(frame);
            return Ok(());
        }
        other => {
            return Err(unsupported(format!(
                "a defaultdict whose factory is a '{}' object (a builtin type, a function or a lambda is)",
                state.heap.type_name(&other)
            )))
        }
    };
    state.heap.store_subscr(&Value::Obj(id), &key, value.clone(), fp)?;
    state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame").stack.push(value);
    Ok(())
}

/// RETURN_VALUE of a defaultdict's factory: stores the value under the waiting key and gives it
/// to the subscript.
pub(super) fn missing_return(state: &mut State, tid: Tid, info: &mut StepInfo) -> Result<(), Exception> {
    let th = state.thread_mut(tid);
    let mut frame = th.frames.pop().expect("[internal bug] frame");
    let FrameRole::Missing(id) = frame.role else { unreachable!("[internal bug] not a factory's frame") };
    let value = frame.stack.pop().expect("[internal bug] RETURN_VALUE on an empty stack");
    let key = th.frames.last_mut().expect("[internal bug] frame").stack.pop().expect("[internal bug] key");
    state.heap.store_subscr(&Value::Obj(id), &key, value.clone(), &mut info.footprint)?;
    state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame").stack.push(value);
    Ok(())
}

/// The repr of a defaultdict whose factory is `factory`, around the dict's own repr.
pub(super) fn repr(factory: &Value, dict: String) -> String {
    let f = match factory {
        Value::None => "None".to_string(),
        Value::Builtin(b) => format!("<class '{}'>", b.name()),
        _ => "<function>".to_string(),
    };
    format!("defaultdict({f}, {dict})")
}
