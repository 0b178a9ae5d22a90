//! The `functools` module: `partial` (a C type in CPython: calling one calls its function with
//! the stored arguments first, from C), `reduce` (C: a Python function it calls runs as a
//! callback with its own switch points, [`super::special`]) and `wraps` (Python in CPython,
//! `update_wrapper`: it only copies the wrapped function's names onto the new wrapper, a step
//! on objects no other thread can see yet, so it is one step here).

use super::special::{callback, Special};
use super::state::State;
use super::step::{err, unsupported, StepInfo};
use super::value::{Builtin, ExcKind, Exception, Partial, Tid, Value};
use crate::bytecode::Program;
use std::sync::Arc;

/// A function of `functools`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum FunctoolsFn {
    /// `functools.partial` (the type)
    Partial,
    /// `functools.reduce`
    Reduce,
    /// `functools.wraps`
    Wraps,
    /// What `functools.wraps(wrapped)` returns (bound to `wrapped`): the decorator that copies
    /// its names onto the wrapper.
    UpdateWrapper,
}

impl FunctoolsFn {
    /// `functools.name`, if the checker models it.
    pub fn lookup(name: &str) -> Option<Builtin> {
        Some(Builtin::Functools(match name {
            "partial" => FunctoolsFn::Partial,
            "reduce" => FunctoolsFn::Reduce,
            "wraps" => FunctoolsFn::Wraps,
            _ => return None,
        }))
    }

    /// The qualified name, e.g. `functools.partial`.
    pub fn qualname(self) -> &'static str {
        match self {
            FunctoolsFn::Partial => "functools.partial",
            FunctoolsFn::Reduce => "functools.reduce",
            FunctoolsFn::Wraps => "functools.wraps",
            FunctoolsFn::UpdateWrapper => "functools.update_wrapper",
        }
    }
}

/// Whether `v` can be called (CPython's `callable`), for the values the checker has.
pub(super) fn callable(v: &Value, heap: &super::heap::Heap) -> bool {
    match v {
        Value::Function(_)
        | Value::Method(..)
        | Value::Builtin(_)
        | Value::Bound(..)
        | Value::Partial(_)
        | Value::ExcType(_)
        | Value::StaticMethod(_) => true,
        Value::Obj(id) => {
            matches!(heap.peek(*id), super::heap::HeapObj::Class(_)) || super::call::call_method(heap, *id).is_some()
        }
        _ => false,
    }
}

/// `partial(func, *args, **keywords)`: a partial of a partial holds the inner one's function
/// and arguments, followed by the new ones, as CPython flattens them.
pub(super) fn partial(
    heap: &super::heap::Heap,
    made: u32,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> Result<Value, Exception> {
    let Some((func, rest)) = args.split_first() else {
        return Err(err(ExcKind::TypeError, "type 'partial' takes at least one argument"));
    };
    if !callable(func, heap) {
        return Err(err(ExcKind::TypeError, "the first argument must be callable"));
    }
    let (func, mut all, mut keywords) = match func {
        Value::Partial(p) => (p.func.clone(), p.args.to_vec(), p.keywords.to_vec()),
        f => (f.clone(), Vec::new(), Vec::new()),
    };
    all.extend(rest.iter().cloned());
    merge_keywords(&mut keywords, kwargs);
    Ok(Value::Partial(Arc::new(Partial { func, args: all.into(), keywords: keywords.into(), made })))
}

/// `keywords` updated by `more` (a later value for the same name replaces the earlier one).
fn merge_keywords(keywords: &mut Vec<(String, Value)>, more: &[(String, Value)]) {
    for (k, v) in more {
        match keywords.iter_mut().find(|(n, _)| n == k) {
            Some(slot) => slot.1 = v.clone(),
            None => keywords.push((k.clone(), v.clone())),
        }
    }
}

/// Whether calling `f` may block or run a synchronisation object's method, which the scheduler
/// must see at the CALL itself (a partial or `reduce` calling it would hide it).
pub(super) fn synchronises(f: &Value) -> bool {
    matches!(
        f,
        Value::Builtin(Builtin::LockAcquire | Builtin::ThreadJoin | Builtin::SyncCall(..))
            | Value::Bound(Builtin::LockAcquire | Builtin::ThreadJoin | Builtin::SyncCall(..), _)
            | Value::Sync(..)
    )
}

/// The call a call of partial `p` makes: its function, its arguments then the call's, and its
/// keywords updated by the call's.
pub(super) fn unwrap_call(
    p: &Partial,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
) -> (Value, Vec<Value>, Vec<(String, Value)>) {
    let mut all = p.args.to_vec();
    all.extend(args);
    let mut keywords = p.keywords.to_vec();
    merge_keywords(&mut keywords, &kwargs);
    (p.func.clone(), all, keywords)
}

/// `functools.wraps(wrapped)`: the decorator that gives the wrapper `wrapped`'s names.
pub(super) fn wraps(args: &[Value], kwargs: &[(String, Value)]) -> Result<Value, Exception> {
    if let Some((k, _)) = kwargs.first() {
        return Err(unsupported(format!("functools.wraps(..., {k}=...) (wraps(wrapped) is)")));
    }
    match args {
        [w @ (Value::Function(_) | Value::Method(..))] => {
            Ok(Value::Bound(Builtin::Functools(FunctoolsFn::UpdateWrapper), Box::new(w.clone())))
        }
        [other] => Err(unsupported(format!(
            "functools.wraps of a {} (of a function or method of the program is)",
            other.type_name()
        ))),
        _ => Err(err(ExcKind::TypeError, format!("wraps() takes 1 positional argument but {} were given", args.len()))),
    }
}

/// The decorator made by `wraps(wrapped)`, applied to `wrapper`: the same function, whose
/// `__name__`, `__qualname__`, `__doc__` and `__module__` are now `wrapped`'s, and whose
/// `__wrapped__` is `wrapped`.
pub(super) fn update_wrapper(wrapped: Value, args: &[Value]) -> Result<Value, Exception> {
    match args {
        [Value::Function(f)] => {
            let mut f = f.clone();
            f.extra_mut().wrapped = Some(Arc::new(match wrapped {
                Value::Method(inner, _) => Value::Function(inner),
                w => w,
            }));
            Ok(Value::Function(f))
        }
        [other] => {
            Err(unsupported(format!("functools.wraps(...) applied to a {} (to a function is)", other.type_name())))
        }
        _ => Err(err(
            ExcKind::TypeError,
            format!("update_wrapper() takes 1 positional argument but {} were given", args.len()),
        )),
    }
}

/// `functools.reduce(function, iterable[, initial])`; `Ok(None)` while a Python function's
/// call is still to make (the instruction is then undone and the call made first).
pub(super) fn reduce(
    program: &Program,
    state: &mut State,
    tid: Tid,
    args: &[Value],
    kwargs: &[(String, Value)],
    info: &mut StepInfo,
) -> Result<Option<Value>, Exception> {
    if !kwargs.is_empty() {
        return Err(err(ExcKind::TypeError, "reduce() takes no keyword arguments"));
    }
    let (f, seq, initial) = match args {
        [f, s] => (f, s, None),
        [f, s, i] => (f, s, Some(i)),
        _ if args.len() < 2 => {
            return Err(err(ExcKind::TypeError, format!("reduce expected at least 2 arguments, got {}", args.len())))
        }
        _ => return Err(err(ExcKind::TypeError, format!("reduce expected at most 3 arguments, got {}", args.len()))),
    };
    if super::gens::gen_argument(&state.heap, std::slice::from_ref(seq)).is_some() {
        return Err(unsupported("functools.reduce over a generator (over a list, tuple, dict, set or range is)"));
    }
    // A Python function runs between the items, so the iteration is live: over a list (whose
    // iterator reads the list as it goes, as the instruction run again does) or an immutable
    // sequence; over a dict, set or deque a change between two calls is CPython's RuntimeError,
    // which is not modelled here.
    let python = matches!(f, Value::Function(_) | Value::Method(..));
    let live_ok = match seq {
        Value::Obj(id) => matches!(state.heap.peek(*id), super::heap::HeapObj::List(_)),
        _ => true,
    };
    if python && !live_ok {
        return Err(unsupported(format!(
            "functools.reduce of a Python function over a {} (over a list, tuple, str or range is)",
            state.heap.type_name(seq)
        )));
    }
    let items = state.heap.items_of(seq, &mut info.footprint)?;
    let mut items = items.into_iter();
    let mut acc = match initial.cloned().or_else(|| items.next()) {
        Some(v) => v,
        None => return Err(err(ExcKind::TypeError, "reduce() of empty iterable with no initial value")),
    };
    for (i, x) in items.enumerate() {
        let tag = Value::Tuple(vec![x.clone(), Value::Int(i as i64)].into());
        let next = match f {
            Value::Function(func) => callback(func.clone(), vec![acc, x], Special::Reduce, tag)?,
            Value::Method(func, this) => callback(func.clone(), vec![Value::Obj(*this), acc, x], Special::Reduce, tag)?,
            _ if synchronises(f) => {
                return Err(unsupported("functools.reduce of a lock's, thread's or synchronisation object's method"))
            }
            Value::Builtin(_) | Value::Bound(..) => {
                Some(super::call::call_builtin(program, state, tid, f, vec![acc, x], Vec::new(), info)?)
            }
            Value::Partial(_) | Value::Obj(_) => {
                return Err(unsupported(format!(
                    "functools.reduce with a {} (with a function, lambda, method or builtin is)",
                    state.heap.type_name(f)
                )))
            }
            other => {
                return Err(err(
                    ExcKind::TypeError,
                    format!("'{}' object is not callable", state.heap.type_name(other)),
                ))
            }
        };
        match next {
            Some(v) => acc = v,
            None => return Ok(None),
        }
    }
    Ok(Some(acc))
}
