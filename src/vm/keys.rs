//! `key=` functions: `sorted(xs, key=f)`, `lst.sort(key=f)`, `min(xs, key=f)` and
//! `max(xs, key=f, default=d)`. CPython's C code calls the key once per item, in order, before
//! it compares anything; a Python key runs as a callback ([`super::special`]) with its own
//! switch points, a builtin key (`len`, `str.lower`, `d.get`, …) as the C call it is.

use super::heap::HeapObj;
use super::special::{callback, Special};
use super::state::State;
use super::step::{err, StepInfo};
use super::value::{ExcKind, Exception, Func, Tid, Value};
use crate::bytecode::{CmpOp, Program};

/// The `key=` argument of `kwargs`, if one other than None was given.
pub(super) fn key_of(kwargs: &[(String, Value)]) -> Option<&Value> {
    kwargs.iter().find(|(k, v)| k == "key" && *v != Value::None).map(|(_, v)| v)
}

/// `key(x)` for every item, in order; `Ok(None)` while a Python key's call is still to make.
pub(super) fn keys(
    program: &Program,
    state: &mut State,
    tid: Tid,
    key: &Value,
    items: &[Value],
    info: &mut StepInfo,
) -> Result<Option<Vec<Value>>, Exception> {
    let mut out = Vec::with_capacity(items.len());
    let n = Value::Int(items.len() as i64);
    for x in items {
        let python = |f: &Func, args: Vec<Value>| {
            callback(f.clone(), args, Special::Key, Value::Tuple(vec![x.clone(), n.clone()].into()))
        };
        let k = match key {
            Value::Function(f) => python(f, vec![x.clone()])?,
            Value::Method(f, this) => python(f, vec![Value::Obj(*this), x.clone()])?,
            _ if super::functools::synchronises(key) => {
                return Err(super::step::unsupported("a lock's, thread's or synchronisation object's method as a key"))
            }
            Value::Builtin(_) | Value::Bound(..) => {
                Some(super::call::call_builtin(program, state, tid, key, vec![x.clone()], Vec::new(), info)?)
            }
            Value::Partial(_) => return Err(super::step::unsupported("a functools.partial as a key function")),
            other => {
                return Err(err(
                    ExcKind::TypeError,
                    format!("'{}' object is not callable", state.heap.type_name(other)),
                ))
            }
        };
        match k {
            Some(k) => out.push(k),
            None => return Ok(None),
        }
    }
    Ok(Some(out))
}

/// `items` ordered by `keys`, stably (with `reverse`, equal keys keep their order), as
/// `list.sort` orders them, and the exception that stopped the sort, if one did; keys that not
/// every pair of compares are sorted as CPython's timsort sorts them ([`super::timsort`]).
pub(super) fn sort_by_keys(
    heap: &super::heap::Heap,
    items: Vec<Value>,
    keys: Vec<Value>,
    reverse: bool,
    fp: &mut super::footprint::Footprint,
) -> Result<(Vec<Value>, Option<Exception>), Exception> {
    if keys.len() > 1 && !super::listops::comparable(&keys) {
        return super::timsort::sort(heap, keys, items, reverse, fp);
    }
    let mut pairs: Vec<(Value, Value)> = keys.into_iter().zip(items).collect();
    let lt = |a: &Value, b: &Value| matches!(super::arith::compare(CmpOp::Lt, a, b), Ok(Value::Bool(true)));
    if reverse {
        pairs.reverse();
    }
    pairs.sort_by(|(a, _), (b, _)| {
        if lt(a, b) {
            std::cmp::Ordering::Less
        } else if lt(b, a) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    if reverse {
        pairs.reverse();
    }
    Ok((pairs.into_iter().map(|(_, x)| x).collect(), None))
}

/// `sorted(iterable, key=f, reverse=...)` and `lst.sort(key=f, reverse=...)` (`list`: the list
/// sorted in place).
pub(super) fn sorted(
    program: &Program,
    state: &mut State,
    tid: Tid,
    list: Option<u32>,
    args: &[Value],
    kwargs: &[(String, Value)],
    info: &mut StepInfo,
) -> Result<Value, Exception> {
    let name = if list.is_some() { "sort" } else { "sorted" };
    let mut reverse = false;
    for (k, v) in kwargs {
        match (k.as_str(), v) {
            ("key", _) => {}
            ("reverse", Value::Bool(b)) => reverse = *b,
            ("reverse", Value::Int(i)) => reverse = *i != 0,
            ("reverse", _) => {
                return Err(super::step::unsupported(format!("{name}(reverse=...) with a value other than an int")))
            }
            (other, _) => {
                return Err(err(ExcKind::TypeError, format!("'{other}' is an invalid keyword argument for {name}()")))
            }
        }
    }
    let key = key_of(kwargs).cloned().unwrap_or(Value::None);
    // CPython empties the list while the keys run: Python keys (which have switch points) with
    // another thread alive could show that empty list, which is not modelled.
    let python_key = matches!(key, Value::Function(_) | Value::Method(..));
    if list.is_some() && python_key && state.threads.iter().enumerate().any(|(t, th)| t != tid && th.is_alive()) {
        return Err(super::step::unsupported(
            "list.sort(key=...) with a Python key while another thread runs (CPython empties the list during \
             the sort, and the other thread may see it so)",
        ));
    }
    let items = match (list, args) {
        (Some(id), []) => state.heap.items_of(&Value::Obj(id), &mut info.footprint)?,
        (Some(_), _) => return Err(err(ExcKind::TypeError, "sort() takes no positional arguments")),
        (None, [iterable]) => state.heap.items_of(iterable, &mut info.footprint)?,
        (None, _) => return Err(err(ExcKind::TypeError, format!("sorted expected 1 argument, got {}", args.len()))),
    };
    let Some(keys) = keys(program, state, tid, &key, &items, info)? else { return Ok(Value::None) };
    let (sorted, failed) = sort_by_keys(&state.heap, items, keys, reverse, &mut info.footprint)?;
    match list {
        Some(id) => {
            match state.heap.write(id, &mut info.footprint) {
                HeapObj::List(items) => *items = sorted,
                _ => return Err(err(ExcKind::TypeError, "sort() of a list that is not one")),
            }
            failed.map_or(Ok(Value::None), Err)
        }
        None => match failed {
            Some(e) => Err(e),
            None => Ok(Value::Obj(state.heap.alloc(HeapObj::List(sorted), &mut info.footprint))),
        },
    }
}

/// `min(...)` / `max(...)` with `key=` and/or `default=`: the first item whose key is the least
/// (greatest); `default` for an empty iterable.
pub(super) fn min_max(
    program: &Program,
    state: &mut State,
    tid: Tid,
    want_max: bool,
    args: &[Value],
    kwargs: &[(String, Value)],
    info: &mut StepInfo,
) -> Result<Value, Exception> {
    let name = if want_max { "max" } else { "min" };
    let mut default = None;
    for (k, v) in kwargs {
        match k.as_str() {
            "key" => {}
            "default" => default = Some(v.clone()),
            other => {
                return Err(err(ExcKind::TypeError, format!("'{other}' is an invalid keyword argument for {name}()")))
            }
        }
    }
    let items = match args {
        [one] => state.heap.items_of(one, &mut info.footprint)?,
        [] => return Err(err(ExcKind::TypeError, format!("{name} expected at least 1 argument, got 0"))),
        _ if default.is_some() => {
            return Err(err(
                ExcKind::TypeError,
                format!("Cannot specify a default for {name}() with multiple positional arguments"),
            ))
        }
        many => many.to_vec(),
    };
    if items.is_empty() {
        return default.ok_or_else(|| err(ExcKind::ValueError, format!("{name}() arg is an empty sequence")));
    }
    let keys = match key_of(kwargs) {
        Some(key) => {
            let key = key.clone();
            match keys(program, state, tid, &key, &items, info)? {
                Some(k) => k,
                None => return Ok(Value::None),
            }
        }
        None => items.clone(),
    };
    let op = if want_max { CmpOp::Gt } else { CmpOp::Lt };
    let mut best = 0;
    for i in 1..items.len() {
        if state.heap.compare(op, &keys[i], &keys[best], &mut info.footprint)?.truthy() {
            best = i;
        }
    }
    Ok(items[best].clone())
}
