//! Calls that spread their arguments (`f(*args, **kwargs)`): CALL_FUNCTION_EX, with the
//! DICT_MERGE and LIST_TO_TUPLE that build its operands, and CPython 3.11's errors.

use super::call::invoke;
use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::state::State;
use super::step::{err, unsupported, StepInfo};
use super::value::{Builtin, ExcKind, Exception, Tid, Value};
use crate::bytecode::Program;

/// How CPython names a callable in a call's error (`_PyObject_FunctionStr`): `__main__.f()`,
/// `print()`.
fn function_str(program: &Program, heap: &Heap, v: &Value) -> String {
    match v {
        Value::Function(f) | Value::Method(f, _) => format!("__main__.{}()", program.code(f.code).qualname),
        Value::Builtin(b) | Value::Bound(b, _) => format!("{}()", b.name()),
        Value::Obj(id) => match heap.peek(*id) {
            HeapObj::Class(c) => format!("__main__.{}()", c.name),
            _ => format!("{} object", heap.type_name(v)),
        },
        other => format!("{} object", heap.type_name(other)),
    }
}

/// LIST_TO_TUPLE.
pub(super) fn list_to_tuple(heap: &Heap, v: &Value, fp: &mut Footprint) -> Value {
    match v {
        Value::Obj(id) => match heap.read(*id, fp) {
            HeapObj::List(items) => Value::Tuple(items.clone().into()),
            _ => panic!("[internal bug] LIST_TO_TUPLE without a list"),
        },
        _ => panic!("[internal bug] LIST_TO_TUPLE without a list"),
    }
}

/// DICT_MERGE `i`: merges `update` into the dict `i` below the top of `stack` (after `update`
/// was taken off it); the callable sits two below that dict.
pub(super) fn dict_merge(
    program: &Program,
    heap: &mut Heap,
    stack: &[Value],
    i: u32,
    update: Value,
    fp: &mut Footprint,
) -> Result<(), Exception> {
    let at = stack.len() - i as usize;
    let func = function_str(program, heap, &stack[at - 2]);
    let items = match &update {
        Value::Obj(id) => match heap.read(*id, fp) {
            HeapObj::Dict(items) => items.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let is_dict = matches!(&update, Value::Obj(id) if matches!(heap.peek(*id), HeapObj::Dict(_)));
    if !is_dict {
        return Err(err(
            ExcKind::TypeError,
            format!("{func} argument after ** must be a mapping, not {}", heap.type_name(&update)),
        ));
    }
    let Value::Obj(target) = stack[at] else { panic!("[internal bug] DICT_MERGE without a dict") };
    for (k, v) in items {
        let HeapObj::Dict(existing) = heap.read(target, fp) else { panic!("[internal bug] DICT_MERGE target") };
        if existing.iter().any(|(e, _)| *e == k) {
            let key = match &k {
                Value::Str(s) => s.to_string(),
                other => heap.repr(other),
            };
            return Err(err(ExcKind::TypeError, format!("{func} got multiple values for keyword argument '{key}'")));
        }
        if let HeapObj::Dict(d) = heap.write_growing(target, fp)? {
            d.push((k, v));
        }
    }
    Ok(())
}

/// CALL_FUNCTION_EX `flags`: `[NULL, callable, args, kwargs if flags & 1]` on the stack.
pub(super) fn call_ex(
    program: &Program,
    state: &mut State,
    tid: Tid,
    flags: u32,
    info: &mut StepInfo,
) -> Result<(), Exception> {
    let frame = state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame");
    let kw = (flags & 1 != 0).then(|| frame.stack.pop().expect("[internal bug] stack"));
    let star = frame.stack.pop().expect("[internal bug] stack");
    let callable = frame.stack.pop().expect("[internal bug] stack");
    frame.stack.pop();
    let fp = &mut info.footprint;
    let heap = &state.heap;
    let args = match &star {
        Value::Tuple(items) => items.to_vec(),
        other => heap.items_of(other, fp).map_err(|e| match e.kind {
            ExcKind::TypeError if e.message.ends_with("is not iterable") => err(
                ExcKind::TypeError,
                format!(
                    "{} argument after * must be an iterable, not {}",
                    function_str(program, heap, &callable),
                    heap.type_name(other)
                ),
            ),
            _ => e,
        })?,
    };
    let mut kwargs = Vec::new();
    if let Some(Value::Obj(id)) = &kw {
        if let HeapObj::Dict(items) = heap.read(*id, fp) {
            for (k, v) in items {
                match k {
                    Value::Str(s) => kwargs.push((s.to_string(), v.clone())),
                    _ => return Err(err(ExcKind::TypeError, "keywords must be strings")),
                }
            }
        }
    }
    // What a call of a synchronisation method does depends on arguments the blocking rule
    // reads from a plain CALL; spreading them into one is not modelled.
    let blocking =
        |b: &Builtin| matches!(b, Builtin::LockAcquire | Builtin::ThreadJoin | Builtin::SyncCall(..) | Builtin::Sleep);
    if let Value::Builtin(b) | Value::Bound(b, _) = &callable {
        if blocking(b) {
            return Err(unsupported(format!("a call of {}() with *args or **kwargs", b.name())));
        }
    }
    invoke(program, state, tid, callable, args, kwargs, info)
}
