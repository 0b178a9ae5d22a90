//! The methods of `list` beyond `append`: `pop`, `insert`, `remove`, `extend`, `count`,
//! `index`, `clear`, `reverse`, `sort` and `copy`. Each is one C call in CPython, atomic under
//! the GIL (none calls back into Python for the values the subset has), with CPython 3.11's
//! errors and messages. What the checker cannot decide as CPython would (an order of mixed
//! types that `sort` would compare in an order of its own, a `key=` function) stops the run as
//! not modelled.

use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::step::{checker_limit, err, unsupported};
use super::value::{ExcKind, Exception, Value};
use crate::bytecode::CmpOp;

/// A method of `list` (other than `append`, which CPython 3.11 specialises).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum ListMethod {
    /// `list.pop([i])`
    Pop,
    /// `list.insert(i, x)`
    Insert,
    /// `list.remove(x)`
    Remove,
    /// `list.extend(iterable)`
    Extend,
    /// `list.count(x)`
    Count,
    /// `list.index(x[, start[, stop]])`
    Index,
    /// `list.clear()`
    Clear,
    /// `list.reverse()`
    Reverse,
    /// `list.sort(*, key=None, reverse=False)`
    Sort,
    /// `list.copy()`
    Copy,
}

impl ListMethod {
    /// Every method, in `dir(list)` order.
    pub const ALL: [ListMethod; 10] = [
        ListMethod::Clear,
        ListMethod::Copy,
        ListMethod::Count,
        ListMethod::Extend,
        ListMethod::Index,
        ListMethod::Insert,
        ListMethod::Pop,
        ListMethod::Remove,
        ListMethod::Reverse,
        ListMethod::Sort,
    ];

    /// The method's name.
    pub fn name(self) -> &'static str {
        match self {
            ListMethod::Pop => "pop",
            ListMethod::Insert => "insert",
            ListMethod::Remove => "remove",
            ListMethod::Extend => "extend",
            ListMethod::Count => "count",
            ListMethod::Index => "index",
            ListMethod::Clear => "clear",
            ListMethod::Reverse => "reverse",
            ListMethod::Sort => "sort",
            ListMethod::Copy => "copy",
        }
    }

    /// `Builtin::name`'s form, e.g. `list.pop`.
    pub fn qualname(self) -> &'static str {
        match self {
            ListMethod::Pop => "list.pop",
            ListMethod::Insert => "list.insert",
            ListMethod::Remove => "list.remove",
            ListMethod::Extend => "list.extend",
            ListMethod::Count => "list.count",
            ListMethod::Index => "list.index",
            ListMethod::Clear => "list.clear",
            ListMethod::Reverse => "list.reverse",
            ListMethod::Sort => "list.sort",
            ListMethod::Copy => "list.copy",
        }
    }

    /// The method called `name`, if `list` has it here.
    pub fn from_name(name: &str) -> Option<ListMethod> {
        ListMethod::ALL.into_iter().find(|m| m.name() == name)
    }
}

fn type_error(msg: String) -> Exception {
    err(ExcKind::TypeError, msg)
}

/// An index argument (`pop`, `insert`): an int, or CPython's `TypeError`.
fn index_arg(v: &Value, not_int: &str) -> Result<i64, Exception> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(i64::from(*b)),
        Value::Big(_) => Err(checker_limit(format!(
            "a list index of {} does not fit the checker's 64-bit ints",
            super::value::int_summary(v)
        ))),
        other if not_int.is_empty() => {
            Err(type_error(format!("'{}' object cannot be interpreted as an integer", other.type_name())))
        }
        _ => Err(type_error(not_int.to_string())),
    }
}

fn exactly_one(m: ListMethod, args: &[Value]) -> Result<&Value, Exception> {
    match args {
        [v] => Ok(v),
        _ => Err(type_error(format!("{}() takes exactly one argument ({} given)", m.qualname(), args.len()))),
    }
}

fn no_args(m: ListMethod, args: &[Value]) -> Result<(), Exception> {
    match args.len() {
        0 => Ok(()),
        n => Err(type_error(format!("{}() takes no arguments ({n} given)", m.qualname()))),
    }
}

fn items<'h>(heap: &'h Heap, id: u32, fp: &mut Footprint) -> &'h [Value] {
    match heap.read(id, fp) {
        HeapObj::List(items) => items,
        _ => &[],
    }
}

fn items_mut<'h>(
    heap: &'h mut Heap,
    id: u32,
    fp: &mut Footprint,
    growing: bool,
) -> Result<&'h mut Vec<Value>, Exception> {
    let obj = if growing { heap.write_growing(id, fp)? } else { heap.write(id, fp) };
    match obj {
        HeapObj::List(items) => Ok(items),
        _ => Err(type_error("a list method called on another object".into())),
    }
}

/// Where an index `i` of a list of `len` items points after Python's negative-index rule.
fn normalise(i: i64, len: usize) -> i64 {
    if i < 0 {
        i + len as i64
    } else {
        i
    }
}

/// Calls `list.m` on list `id` with `args` (positional) and `kwargs`.
pub(super) fn call(
    heap: &mut Heap,
    m: ListMethod,
    id: u32,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    if m != ListMethod::Sort && !kwargs.is_empty() {
        return Err(unsupported(format!("a keyword argument to {}()", m.qualname())));
    }
    match m {
        ListMethod::Pop => {
            if args.len() > 1 {
                return Err(type_error(format!("pop expected at most 1 argument, got {}", args.len())));
            }
            let at = args.first().map(|v| index_arg(v, "")).transpose()?;
            let list = items_mut(heap, id, fp, false)?;
            if list.is_empty() {
                return Err(err(ExcKind::IndexError, "pop from empty list"));
            }
            let i = normalise(at.unwrap_or(-1), list.len());
            if i < 0 || i as usize >= list.len() {
                return Err(err(ExcKind::IndexError, "pop index out of range"));
            }
            Ok(list.remove(i as usize))
        }
        ListMethod::Insert => {
            let [at, v] = args else {
                return Err(type_error(format!("insert expected 2 arguments, got {}", args.len())));
            };
            let at = index_arg(at, "")?;
            let list = items_mut(heap, id, fp, true)?;
            let i = normalise(at, list.len()).clamp(0, list.len() as i64);
            list.insert(i as usize, v.clone());
            Ok(Value::None)
        }
        ListMethod::Remove => {
            let x = exactly_one(m, args)?;
            let list = items(heap, id, fp).to_vec();
            let found = list.iter().position(|v| Heap::eq(heap, v, x, fp));
            match found {
                Some(i) => {
                    items_mut(heap, id, fp, false)?.remove(i);
                    Ok(Value::None)
                }
                None => Err(err(ExcKind::ValueError, "list.remove(x): x not in list")),
            }
        }
        ListMethod::Extend => {
            let source = exactly_one(m, args)?;
            let new = heap.items_of(source, fp)?;
            let list = items_mut(heap, id, fp, true)?;
            super::value::room((new.len() * std::mem::size_of::<Value>()) as u64)?;
            list.extend(new);
            Ok(Value::None)
        }
        ListMethod::Count => {
            let x = exactly_one(m, args)?;
            let list = items(heap, id, fp).to_vec();
            let n = list.iter().filter(|v| Heap::eq(heap, v, x, fp)).count();
            Ok(Value::Int(n as i64))
        }
        ListMethod::Index => {
            let (x, bounds) = match args {
                [] => return Err(type_error("index expected at least 1 argument, got 0".into())),
                [x, rest @ ..] if rest.len() <= 2 => (x, rest),
                _ => return Err(type_error(format!("index expected at most 3 arguments, got {}", args.len()))),
            };
            const SLICE: &str = "slice indices must be integers or have an __index__ method";
            let len = items(heap, id, fp).len();
            let bound = |k: usize, default: i64| -> Result<i64, Exception> {
                match bounds.get(k) {
                    Some(v) => Ok(normalise(index_arg(v, SLICE)?, len).max(0)),
                    None => Ok(default),
                }
            };
            let start = bound(0, 0)? as usize;
            let stop = (bound(1, len as i64)? as usize).min(len);
            let list = items(heap, id, fp).to_vec();
            let found = (start..stop).find(|&i| Heap::eq(heap, &list[i], x, fp));
            match found {
                Some(i) => Ok(Value::Int(i as i64)),
                None => Err(err(ExcKind::ValueError, format!("{} is not in list", heap.repr(x)))),
            }
        }
        ListMethod::Clear => {
            no_args(m, args)?;
            items_mut(heap, id, fp, false)?.clear();
            Ok(Value::None)
        }
        ListMethod::Reverse => {
            no_args(m, args)?;
            items_mut(heap, id, fp, false)?.reverse();
            Ok(Value::None)
        }
        ListMethod::Copy => {
            no_args(m, args)?;
            let copy = items(heap, id, fp).to_vec();
            super::value::room((copy.len() * std::mem::size_of::<Value>()) as u64)?;
            Ok(Value::Obj(heap.alloc(HeapObj::List(copy), fp)))
        }
        ListMethod::Sort => sort(heap, id, args, kwargs, fp),
    }
}

/// `list.sort(*, key=None, reverse=False)`: a stable sort, as CPython's (with `reverse`, equal
/// items keep their order). Lists of numbers, of strs, or of tuples of those column by column
/// are sorted directly; other or mixed values, which CPython compares pair by pair in the order of
/// its timsort (and whose `TypeError`, if any, depends on that order), are sorted as CPython
/// sorts them ([`super::timsort`]), the list left as CPython leaves it when the sort fails.
fn sort(
    heap: &mut Heap,
    id: u32,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    if !args.is_empty() {
        return Err(type_error("sort() takes no positional arguments".into()));
    }
    let mut reverse = false;
    for (k, v) in kwargs {
        match (k.as_str(), v) {
            ("key", Value::None) => {}
            ("key", _) => return Err(unsupported("list.sort(key=...) outside a call the checker sees")),
            ("reverse", Value::Bool(b)) => reverse = *b,
            ("reverse", Value::Int(i)) => reverse = *i != 0,
            ("reverse", _) => return Err(unsupported("list.sort(reverse=...) with a value other than an int")),
            (other, _) => return Err(type_error(format!("'{other}' is an invalid keyword argument for sort()"))),
        }
    }
    let list = items(heap, id, fp);
    if list.len() > 1 && !comparable(list) {
        let values = list.to_vec();
        let (arranged, failed) = super::timsort::sort(heap, values.clone(), values, reverse, fp)?;
        *items_mut(heap, id, fp, false)? = arranged;
        return failed.map_or(Ok(Value::None), Err);
    }
    let list = items_mut(heap, id, fp, false)?;
    let lt = |a: &Value, b: &Value| matches!(super::arith::compare(CmpOp::Lt, a, b), Ok(Value::Bool(true)));
    // CPython: reverse, stable sort, reverse back.
    if reverse {
        list.reverse();
    }
    list.sort_by(|a, b| {
        if lt(a, b) {
            std::cmp::Ordering::Less
        } else if lt(b, a) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    if reverse {
        list.reverse();
    }
    Ok(Value::None)
}

/// `list * n`, `n * list` (a new list), `list *= n` and `list += iterable` (the same list,
/// changed in place, as `list.__imul__` and `list.__iadd__` do).
pub(super) fn binary(
    heap: &mut Heap,
    op: crate::bytecode::BinOp,
    inplace: bool,
    a: &Value,
    b: &Value,
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    use crate::bytecode::BinOp;
    // In place only when the list is the left operand (`n *= lst` makes a new list).
    let (list, other, inplace) = match (a, b) {
        (Value::Obj(id), _) if matches!(heap.peek(*id), HeapObj::List(_)) => (*id, b, inplace),
        // A str or tuple on the left repeats first (`"a" * [1]`), and a list is no count.
        (Value::Str(_) | Value::Tuple(_), Value::Obj(_)) if op == BinOp::Mul => {
            return Err(type_error("can't multiply sequence by non-int of type 'list'".into()));
        }
        (_, Value::Obj(id)) => (*id, a, false),
        _ => return Err(type_error("list operation without a list".into())),
    };
    if op == BinOp::Add {
        let new = heap.items_of(other, fp)?;
        super::value::room((new.len() * std::mem::size_of::<Value>()) as u64)?;
        items_mut(heap, list, fp, true)?.extend(new);
        return Ok(Value::Obj(list));
    }
    let n = match other {
        Value::Int(n) => *n,
        Value::Bool(b) => i64::from(*b),
        Value::Big(_) => {
            return Err(checker_limit(format!(
                "a list repeated {} times does not fit the checker's 64-bit ints",
                super::value::int_summary(other)
            )))
        }
        _ => {
            return Err(type_error(format!("can't multiply sequence by non-int of type '{}'", heap.type_name(other))));
        }
    };
    let items = items(heap, list, fp).to_vec();
    let count = usize::try_from(n.max(0)).unwrap_or(0);
    let total = items.len().saturating_mul(count);
    super::value::room((total.saturating_mul(std::mem::size_of::<Value>())) as u64)?;
    let repeated: Vec<Value> = (0..count).flat_map(|_| items.iter().cloned()).collect();
    if inplace {
        *items_mut(heap, list, fp, true)? = repeated;
        Ok(Value::Obj(list))
    } else {
        Ok(Value::Obj(heap.alloc(HeapObj::List(repeated), fp)))
    }
}

/// Whether every pair of `values` compares with `<` without a `TypeError`: all numbers (ints,
/// bools, floats other than NaN), all strs, or all tuples whose items, position by position, are all ints or all strs.
pub(super) fn comparable(values: &[Value]) -> bool {
    #[derive(PartialEq, Clone, Copy)]
    enum K {
        Int,
        Str,
    }
    let kind = |v: &Value| match v {
        Value::Int(_) | Value::Big(_) | Value::Bool(_) => Some(K::Int),
        Value::Float(f) if !f.0.is_nan() => Some(K::Int),
        Value::Str(_) => Some(K::Str),
        _ => None,
    };
    if let Some(Value::Tuple(_)) = values.first() {
        let mut columns: Vec<Option<K>> = Vec::new();
        for v in values {
            let Value::Tuple(t) = v else { return false };
            for (i, x) in t.iter().enumerate() {
                let Some(k) = kind(x) else { return false };
                match columns.get(i) {
                    Some(&Some(c)) if c != k => return false,
                    Some(_) => {}
                    None => columns.push(Some(k)),
                }
            }
        }
        return true;
    }
    let first = values.first().and_then(kind);
    first.is_some() && values.iter().all(|v| kind(v) == first)
}

/// `sorted(iterable, *, key=None, reverse=False)`: a new list of the items, sorted as
/// `list.sort` sorts.
pub(super) fn sorted(
    heap: &mut Heap,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    let [iterable] = args else {
        return Err(type_error(format!("sorted expected 1 argument, got {}", args.len())));
    };
    let items = match iterable {
        // The strs of a set whose order the checker cannot know: sorting them does not depend
        // on it (they are distinct, and every two compare).
        Value::Obj(s) => match heap.read(*s, fp) {
            HeapObj::Set(set) if set.ordered().is_none() && set.items().iter().all(|x| matches!(x, Value::Str(_))) => {
                set.items()
            }
            _ => heap.items_of(iterable, fp)?,
        },
        _ => heap.items_of(iterable, fp)?,
    };
    let id = heap.alloc(HeapObj::List(items), fp);
    sort(heap, id, &[], kwargs, fp)?;
    Ok(Value::Obj(id))
}
