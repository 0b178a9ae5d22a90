//! Iteration: GET_ITER (the iterator of a value) and FOR_ITER (its next item), for the
//! iterators the subset has: ranges, tuples and strs (immutable: their items are taken at
//! once), lists and dicts (read item by item from the heap, as CPython's iterators do), and
//! `enumerate`, `zip` and `reversed` over those.

use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::step::{checker_limit, err, unsupported};
use super::value::{Builtin, DictView, ExcKind, Exception, Value};
use std::sync::Arc;

/// `iter(v)` (GET_ITER): an iterator stays itself.
pub(super) fn iter_of(heap: &Heap, v: Value, fp: &mut Footprint) -> Result<Value, Exception> {
    Ok(match v {
        Value::RangeIter { .. }
        | Value::TupleIter(..)
        | Value::ListIter(..)
        | Value::DequeIter(..)
        | Value::SetIter(..)
        | Value::DictIter(..)
        | Value::ListRevIter(..)
        | Value::Enumerate(..)
        | Value::Zip(..)
        | Value::Map(..) => v,
        Value::Tuple(t) => Value::TupleIter(t, 0),
        Value::Str(s) => Value::TupleIter(s.chars().map(|c| Value::Str(c.to_string().into())).collect(), 0),
        Value::Obj(id) => match heap.read(id, fp) {
            HeapObj::List(_) => Value::ListIter(id, 0),
            HeapObj::Gen(_) => v,
            HeapObj::Dict(items) => Value::DictIter(id, 0, items.len() as u32, DictView::Keys, None),
            HeapObj::Set(set) if set.ordered().is_none() => return Err(super::sets::order_unknown("iterating")),
            HeapObj::Set(set) => Value::SetIter(id, 0, set.len() as u32),
            HeapObj::Deque(d) => Value::DequeIter(id, 0, d.state),
            _ => {
                return Err(err(
                    ExcKind::TypeError,
                    format!("'{}' object is not iterable", heap.type_name(&Value::Obj(id))),
                ))
            }
        },
        Value::DictView(view, id) => match heap.read(id, fp) {
            HeapObj::Dict(items) => Value::DictIter(id, 0, items.len() as u32, view, None),
            _ => return Err(err(ExcKind::TypeError, "a dict view of another object")),
        },
        other => return Err(err(ExcKind::TypeError, format!("'{}' object is not iterable", heap.type_name(&other)))),
    })
}

/// `next(it)` (FOR_ITER): the next item, or `None` when the iterator is exhausted.
pub(super) fn advance(heap: &Heap, it: &mut Value, fp: &mut Footprint) -> Result<Option<Value>, Exception> {
    Ok(match it {
        Value::RangeIter { next, stop, step } => {
            if (*step > 0 && *next < *stop) || (*step < 0 && *next > *stop) {
                let v = *next;
                *next = next.saturating_add(*step);
                Some(Value::Int(v))
            } else {
                None
            }
        }
        Value::TupleIter(items, i) => {
            let v = items.get(*i as usize).cloned();
            *i += 1;
            v
        }
        Value::ListIter(id, i) => match heap.read(*id, fp) {
            HeapObj::List(items) => {
                let v = items.get(*i as usize).cloned();
                *i += 1;
                v
            }
            _ => None,
        },
        // CPython's dequeiter_next: the deque must not have changed its length or order.
        Value::DequeIter(id, i, state) => match heap.read(*id, fp) {
            HeapObj::Deque(d) if d.state != *state => {
                return Err(err(ExcKind::RuntimeError, "deque mutated during iteration"));
            }
            HeapObj::Deque(d) => {
                let v = d.items.get(*i as usize).cloned();
                *i += 1;
                v
            }
            _ => None,
        },
        // CPython's setiter_iternext: the size must not have changed; the next element is the
        // next active slot of the live table.
        Value::SetIter(_, pos, _) if *pos == u32::MAX => None,
        Value::SetIter(id, pos, size) => match heap.read(*id, fp) {
            HeapObj::Set(set) if set.len() as u32 != *size => {
                *size = u32::MAX;
                return Err(err(ExcKind::RuntimeError, "Set changed size during iteration"));
            }
            HeapObj::Set(super::sets::SetObj::Table(t)) => match t.next_active(*pos as usize) {
                Some((slot, v)) => {
                    *pos = slot as u32 + 1;
                    Some(v.clone())
                }
                None => {
                    *pos = u32::MAX;
                    None
                }
            },
            HeapObj::Set(_) => return Err(super::sets::order_unknown("iterating")),
            _ => None,
        },
        Value::ListRevIter(id, i) => match heap.read(*id, fp) {
            // CPython's list_reverseiterator: an index that counts down, checked against the
            // list's length at each step.
            HeapObj::List(items) if *i >= 0 && (*i as usize) < items.len() => {
                let v = items[*i as usize].clone();
                *i -= 1;
                Some(v)
            }
            _ => {
                *i = -1;
                None
            }
        },
        Value::DictIter(id, i, size, view, last) => match heap.read(*id, fp) {
            HeapObj::Dict(items) if items.len() as u32 != *size => {
                *size = u32::MAX;
                // An OrderedDict's iterator checks its state (bumped by every insertion and
                // removal) before its size.
                let message = if heap.is_ordered(*id) {
                    "OrderedDict mutated during iteration"
                } else {
                    "dictionary changed size during iteration"
                };
                return Err(err(ExcKind::RuntimeError, message));
            }
            HeapObj::Dict(items) => {
                // At the same size, a key that moved from where it was yielded means a removal
                // before it, which an insertion made up for: CPython keeps the removed entry's
                // slot and goes on from the same place (then raises "dictionary keys changed
                // during iteration"), where this list of entries has closed the gap.
                let moved =
                    *i > 0 && last.as_deref().is_some_and(|k| items.get(*i as usize - 1).is_none_or(|(x, _)| x != k));
                if moved {
                    return Err(unsupported(
                        "a dict whose keys changed during iteration while its size stayed the same",
                    ));
                }
                let v = items.get(*i as usize).map(|(k, v)| {
                    *last = Some(Box::new(k.clone()));
                    view.item(k, v)
                });
                *i += 1;
                v
            }
            _ => None,
        },
        Value::Map(f, inner) => match advance(heap, inner, fp)? {
            Some(x) => Some(map_apply(heap, *f, &x, fp)?),
            None => None,
        },
        Value::Enumerate(inner, count) => match advance(heap, inner, fp)? {
            Some(v) => {
                let n = Value::Int(*count);
                *count = count.checked_add(1).ok_or_else(|| checker_limit("an enumerate count past 64 bits"))?;
                Some(Value::Tuple(vec![n, v].into()))
            }
            None => None,
        },
        Value::Zip(inners) => {
            // Items are taken left to right; the first exhausted iterator ends the zip (the
            // items already taken from those before it are lost, as in CPython).
            let mut row = Vec::with_capacity(inners.len());
            for inner in inners.iter_mut() {
                match advance(heap, inner, fp)? {
                    Some(v) => row.push(v),
                    None => return Ok(None),
                }
            }
            (!row.is_empty()).then(|| Value::Tuple(row.into()))
        }
        Value::Obj(_) => {
            return Err(super::step::unsupported(
                "iterating a generator other than by a for loop or a builtin that takes it whole",
            ))
        }
        other => panic!("[internal bug] FOR_ITER without an iterator: {other:?}"),
    })
}

/// Every item an iterator still yields (for `list(enumerate(xs))` and the like).
pub(super) fn drain(heap: &Heap, it: &Value, fp: &mut Footprint) -> Result<Vec<Value>, Exception> {
    let mut it = it.clone();
    let mut out = Vec::new();
    while let Some(v) = advance(heap, &mut it, fp)? {
        if out.len() >= 1 << 20 {
            return Err(checker_limit(format!(
                "an iterator of more than {} items made into a list is beyond the checker's limit",
                1 << 20
            )));
        }
        out.push(v);
    }
    Ok(out)
}

/// `enumerate(iterable, start=0)`.
pub(super) fn enumerate(
    heap: &Heap,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    let start = super::numops::start_argument("enumerate", args, kwargs)?;
    let Some(iterable) = args.first() else {
        return Err(err(ExcKind::TypeError, "enumerate() missing required argument 'iterable' (pos 1)"));
    };
    let count = match start.unwrap_or(Value::Int(0)) {
        Value::Int(i) => i,
        Value::Bool(b) => i64::from(b),
        Value::Big(_) => return Err(checker_limit("an enumerate start past 64 bits")),
        other => {
            return Err(err(
                ExcKind::TypeError,
                format!("'{}' object cannot be interpreted as an integer", heap.type_name(&other)),
            ))
        }
    };
    Ok(Value::Enumerate(Box::new(iter_of(heap, iterable.clone(), fp)?), count))
}

/// `zip(*iterables)`.
pub(super) fn zip(heap: &Heap, args: &[Value], fp: &mut Footprint) -> Result<Value, Exception> {
    let mut inners = Vec::with_capacity(args.len());
    for a in args {
        // CPython 3.9+ names only the type ("'int' object is not iterable").
        inners.push(iter_of(heap, a.clone(), fp)?);
    }
    Ok(Value::Zip(inners.into()))
}

/// The builtin functions `map` applies here: each is C code of one argument that reads only
/// what it is given (and calls back an instance's `__str__` or `__repr__` as CPython does).
pub(super) const MAP_FUNCTIONS: [Builtin; 7] =
    [Builtin::Str, Builtin::Repr, Builtin::Int, Builtin::Float, Builtin::Abs, Builtin::Len, Builtin::Bool];

/// `map(f, iterable)` with `f` one of [`MAP_FUNCTIONS`]; other functions, and more than one
/// iterable, stop the run as not modelled.
pub(super) fn map(heap: &Heap, args: &[Value], fp: &mut Footprint) -> Result<Value, Exception> {
    match args {
        [] | [_] => Err(err(ExcKind::TypeError, "map() must have at least two arguments.")),
        [Value::Builtin(f), iterable] if MAP_FUNCTIONS.contains(f) => {
            Ok(Value::Map(*f, Box::new(iter_of(heap, iterable.clone(), fp)?)))
        }
        [_, _] => Err(unsupported("map() of a function other than str, repr, int, float, abs, len or bool")),
        _ => Err(unsupported("map() of more than one iterable")),
    }
}

/// `f(x)` for `f` one of [`MAP_FUNCTIONS`].
fn map_apply(heap: &Heap, f: Builtin, x: &Value, fp: &mut Footprint) -> Result<Value, Exception> {
    match f {
        Builtin::Str | Builtin::Repr => {
            heap.note_reads(x, fp);
            if f == Builtin::Str {
                heap.check_str_digits(x)?;
                Ok(Value::Str(heap.to_str(x).into()))
            } else {
                heap.check_repr(x)?;
                Ok(Value::Str(heap.repr(x).into()))
            }
        }
        Builtin::Int => heap.to_int(std::slice::from_ref(x)),
        Builtin::Float => super::numops::float(std::slice::from_ref(x), heap),
        Builtin::Abs => super::numops::abs(x, heap),
        Builtin::Len => Ok(Value::Int(heap.len_of(x, fp)? as i64)),
        _ => Ok(Value::Bool(heap.truthy(x, fp))),
    }
}

/// `reversed(sequence)`: a list is walked backwards as it is at each step; an immutable
/// sequence (tuple, str, range) is reversed at once.
pub(super) fn reversed(heap: &Heap, args: &[Value], fp: &mut Footprint) -> Result<Value, Exception> {
    let [seq] = args else {
        return Err(err(ExcKind::TypeError, format!("reversed expected 1 argument, got {}", args.len())));
    };
    match seq {
        Value::Obj(id) => match heap.read(*id, fp) {
            HeapObj::List(items) => Ok(Value::ListRevIter(*id, items.len() as i64 - 1)),
            HeapObj::Dict(_) => Err(unsupported("reversed() of a dict")),
            _ => Err(err(ExcKind::TypeError, format!("'{}' object is not reversible", heap.type_name(seq)))),
        },
        Value::Tuple(_) | Value::Str(_) | Value::RangeIter { .. } => {
            let mut items = heap.items_of(seq, fp)?;
            items.reverse();
            Ok(Value::TupleIter(Arc::from(items), 0))
        }
        other => Err(err(ExcKind::TypeError, format!("'{}' object is not reversible", heap.type_name(other)))),
    }
}

/// Whether advancing this iterator reads the heap (a list or dict), so that it is not a step
/// local to its thread.
pub(crate) fn reads_heap(it: &Value) -> bool {
    match it {
        // A generator (FOR_ITER resumes it).
        Value::ListIter(..)
        | Value::DequeIter(..)
        | Value::SetIter(..)
        | Value::DictIter(..)
        | Value::ListRevIter(..)
        | Value::Obj(_) => true,
        Value::Enumerate(inner, _) => reads_heap(inner),
        Value::Zip(inners) => inners.iter().any(reads_heap),
        // `str` and `repr` of an item may read the objects it holds.
        Value::Map(..) => true,
        _ => false,
    }
}

/// The items UNPACK_SEQUENCE and UNPACK_EX take from `v`, all at once as CPython's
/// `unpack_iterable` does (one step: every iterator here is C code).
fn unpack_items(heap: &Heap, v: &Value, fp: &mut Footprint) -> Result<Vec<Value>, Exception> {
    heap.items_of(v, fp).map_err(|e| match e.kind {
        ExcKind::TypeError if e.message.ends_with("is not iterable") => {
            err(ExcKind::TypeError, format!("cannot unpack non-iterable {} object", heap.type_name(v)))
        }
        _ => e,
    })
}

/// UNPACK_SEQUENCE `n`: the `n` items of `v`, with CPython 3.11's errors.
pub(super) fn unpack(heap: &Heap, v: &Value, n: usize, fp: &mut Footprint) -> Result<Vec<Value>, Exception> {
    let items = unpack_items(heap, v, fp)?;
    if items.len() < n {
        return Err(err(
            ExcKind::ValueError,
            format!("not enough values to unpack (expected {n}, got {})", items.len()),
        ));
    }
    if items.len() > n {
        return Err(err(ExcKind::ValueError, format!("too many values to unpack (expected {n})")));
    }
    Ok(items)
}

/// UNPACK_EX `before | after << 8`: `before` items, the list of the rest, `after` items.
pub(super) fn unpack_ex(
    heap: &mut Heap,
    v: &Value,
    arg: u32,
    fp: &mut Footprint,
) -> Result<(Vec<Value>, Value, Vec<Value>), Exception> {
    let (before, after) = ((arg & 0xff) as usize, (arg >> 8) as usize);
    let mut items = unpack_items(heap, v, fp)?;
    if items.len() < before + after {
        return Err(err(
            ExcKind::ValueError,
            format!("not enough values to unpack (expected at least {}, got {})", before + after, items.len()),
        ));
    }
    let tail = items.split_off(items.len() - after);
    let rest = items.split_off(before);
    let list = Value::Obj(heap.alloc(HeapObj::List(rest), fp));
    Ok((items, list, tail))
}

/// `range(stop)`, `range(start, stop[, step])`: its iterator (ints that fit 64 bits).
pub(super) fn range(heap: &super::heap::Heap, args: &[Value]) -> Result<Value, Exception> {
    // A heap object is no integer: CPython's error names its type.
    if let Some(v) = args.iter().find(|v| matches!(v, Value::Obj(_))) {
        let name = heap.type_name(v);
        return Err(err(ExcKind::TypeError, format!("'{name}' object cannot be interpreted as an integer")));
    }
    let ints: Vec<i64> = args.iter().map(|v| int_arg(v, "range bound")).collect::<Result<_, _>>()?;
    let (start, stop, step) = match ints.as_slice() {
        [stop] => (0, *stop, 1),
        [start, stop] => (*start, *stop, 1),
        [start, stop, step] => (*start, *stop, *step),
        _ => return Err(err(ExcKind::TypeError, format!("range expected 1 to 3 arguments, got {}", ints.len()))),
    };
    if step == 0 {
        return Err(err(ExcKind::ValueError, "range() arg 3 must not be zero"));
    }
    Ok(Value::RangeIter { next: start, stop, step })
}

fn int_arg(v: &Value, what: &str) -> Result<i64, Exception> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        Value::Big(_) => Err(super::step::checker_limit(format!(
            "a {what} of {} does not fit the checker's 64-bit ints",
            super::value::int_summary(v)
        ))),
        other => {
            Err(err(ExcKind::TypeError, format!("'{}' object cannot be interpreted as an integer", other.type_name())))
        }
    }
}
