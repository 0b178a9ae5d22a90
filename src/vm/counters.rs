//! `collections.Counter`: a dict (marked in the heap, see [`Heap::is_counter`]) whose missing
//! keys read as 0 without being stored. CPython writes the class in Python (`collections`):
//! `__missing__`, `__init__`, `update`, `subtract`, `most_common`, `total` and `copy` are Python
//! methods, so their entry is a switch point ([`super::CallKind::Library`], and
//! [`super::StepInfo::enters_library`] for the `__missing__` that `c[k]` runs); the counting
//! itself is C (`_count_elements`) or plain dict operations, each one step here.

use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::step::{err, unsupported};
use super::value::{ExcKind, Exception, Value};
use crate::bytecode::CmpOp;

/// A method of `Counter` beyond the dict's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum CounterMethod {
    /// `Counter.most_common([n])`
    MostCommon,
    /// `Counter.update([iterable-or-mapping])`: adds the counts
    Update,
    /// `Counter.subtract([iterable-or-mapping])`: subtracts them
    Subtract,
    /// `Counter.total()`
    Total,
    /// `Counter.copy()`: a Counter
    Copy,
}

impl CounterMethod {
    /// The method called `name`, if `Counter` has it here (beyond the dict's).
    pub fn from_name(name: &str) -> Option<CounterMethod> {
        Some(match name {
            "most_common" => CounterMethod::MostCommon,
            "update" => CounterMethod::Update,
            "subtract" => CounterMethod::Subtract,
            "total" => CounterMethod::Total,
            "copy" => CounterMethod::Copy,
            _ => return None,
        })
    }

    /// `Counter.name`, as `Builtin::name` shows it.
    pub fn qualname(self) -> &'static str {
        match self {
            CounterMethod::MostCommon => "Counter.most_common",
            CounterMethod::Update => "Counter.update",
            CounterMethod::Subtract => "Counter.subtract",
            CounterMethod::Total => "Counter.total",
            CounterMethod::Copy => "Counter.copy",
        }
    }
}

/// `collections.Counter([iterable-or-mapping], **kwargs)`.
pub(super) fn new(
    heap: &mut Heap,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    if args.len() > 1 {
        return Err(err(ExcKind::TypeError, format!("expected at most 1 argument, got {}", args.len())));
    }
    let id = heap.alloc(HeapObj::Dict(Vec::new()), fp);
    heap.mark_counter(id);
    add(heap, id, args.first(), kwargs, 1, fp)?;
    Ok(Value::Obj(id))
}

/// `update` (`sign` 1) or `subtract` (`sign` -1) of counter `id` with an iterable (each item
/// counts 1) or a mapping (its values), then the keyword arguments.
fn add(
    heap: &mut Heap,
    id: u32,
    source: Option<&Value>,
    kwargs: &[(String, Value)],
    sign: i64,
    fp: &mut Footprint,
) -> Result<(), Exception> {
    let mut pairs: Vec<(Value, Value)> = Vec::new();
    let mapping = source.is_some_and(|s| matches!(s, Value::Obj(m) if matches!(heap.peek(*m), HeapObj::Dict(_))));
    match source {
        None | Some(Value::None) => {}
        Some(Value::Obj(m)) if mapping => {
            if let HeapObj::Dict(items) = heap.read(*m, fp) {
                pairs = items.clone();
            }
        }
        Some(iterable) => pairs = heap.items_of(iterable, fp)?.into_iter().map(|x| (x, Value::Int(1))).collect(),
    }
    pairs.extend(kwargs.iter().map(|(k, v)| (Value::Str(k.as_str().into()), v.clone())));
    // An empty Counter updated from a mapping takes its values as they are (`dict.update`).
    let empty = matches!(heap.read(id, fp), HeapObj::Dict(items) if items.is_empty());
    for (k, v) in pairs {
        heap.check_hashable(&k)?;
        let new = if sign == 1 && mapping && empty {
            v
        } else {
            let old = match heap.subscr(&Value::Obj(id), &k, fp) {
                Ok(old) => old,
                Err(e) if e.kind == ExcKind::KeyError => Value::Int(0),
                Err(e) => return Err(e),
            };
            let op = if sign == 1 { crate::bytecode::BinOp::Add } else { crate::bytecode::BinOp::Sub };
            super::value::binary_op(op, &old, &v)?
        };
        heap.store_subscr(&Value::Obj(id), &k, new, fp)?;
    }
    Ok(())
}

/// The counter's items in `most_common` order: by count, greatest first, ties in insertion
/// order; `None` when two counts do not compare (CPython's `__repr__` then shows the dict order).
pub(super) fn most_common_order(items: &[(Value, Value)]) -> Option<Vec<(Value, Value)>> {
    for (_, v) in items {
        for (_, w) in items {
            super::value::compare(CmpOp::Lt, v, w).ok()?;
        }
    }
    let mut sorted = items.to_vec();
    // A stable sort, greatest first (`sorted(..., key=itemgetter(1), reverse=True)`).
    sorted.reverse();
    sorted.sort_by(|(_, a), (_, b)| {
        let lt = |x: &Value, y: &Value| matches!(super::value::compare(CmpOp::Lt, x, y), Ok(Value::Bool(true)));
        if lt(a, b) {
            std::cmp::Ordering::Less
        } else if lt(b, a) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    sorted.reverse();
    Some(sorted)
}

/// `Counter.method(*args, **kwargs)` of counter `id`.
pub(super) fn call(
    heap: &mut Heap,
    m: CounterMethod,
    id: u32,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    let items = match heap.read(id, fp) {
        HeapObj::Dict(items) => items.clone(),
        _ => return Err(err(ExcKind::TypeError, format!("{}() of something other than a Counter", m.qualname()))),
    };
    let no_kwargs = || match kwargs.first() {
        Some((k, _)) => {
            Err(err(ExcKind::TypeError, format!("{}() got an unexpected keyword argument '{k}'", m.qualname())))
        }
        None => Ok(()),
    };
    match m {
        CounterMethod::MostCommon => {
            no_kwargs()?;
            let n = match args {
                [] | [Value::None] => None,
                [Value::Int(n)] => Some(usize::try_from(*n).unwrap_or(0)),
                [other] => {
                    return Err(unsupported(format!(
                        "Counter.most_common() with a '{}' argument",
                        heap.type_name(other)
                    )))
                }
                _ => {
                    return Err(err(
                        ExcKind::TypeError,
                        format!(
                            "Counter.most_common() takes from 1 to 2 positional arguments but {} were given",
                            args.len() + 1
                        ),
                    ))
                }
            };
            let Some(mut sorted) = most_common_order(&items) else {
                return Err(unsupported("Counter.most_common() of counts that do not compare"));
            };
            if let Some(n) = n {
                sorted.truncate(n);
            }
            let pairs = sorted.into_iter().map(|(k, v)| Value::Tuple(vec![k, v].into())).collect();
            Ok(Value::Obj(heap.alloc(HeapObj::List(pairs), fp)))
        }
        CounterMethod::Update | CounterMethod::Subtract => {
            if args.len() > 1 {
                return Err(err(ExcKind::TypeError, format!("expected at most 1 argument, got {}", args.len())));
            }
            let sign = if m == CounterMethod::Update { 1 } else { -1 };
            add(heap, id, args.first(), kwargs, sign, fp)?;
            Ok(Value::None)
        }
        CounterMethod::Total => {
            no_kwargs()?;
            let mut total = Value::Int(0);
            for (_, v) in &items {
                total = super::value::binary_op(crate::bytecode::BinOp::Add, &total, v)?;
            }
            Ok(total)
        }
        CounterMethod::Copy => {
            no_kwargs()?;
            let copy = heap.alloc(HeapObj::Dict(items), fp);
            heap.mark_counter(copy);
            Ok(Value::Obj(copy))
        }
    }
}

/// `a == b` of two counters (3.10+): every key of either has the same count in both, a missing
/// key counting 0.
pub(super) fn eq(heap: &Heap, a: &[(Value, Value)], b: &[(Value, Value)], fp: &mut Footprint) -> bool {
    let count = |items: &[(Value, Value)], k: &Value, fp: &mut Footprint| {
        items.iter().find(|(x, _)| heap.eq(x, k, fp)).map_or(Value::Int(0), |(_, v)| v.clone())
    };
    a.iter().chain(b.iter()).all(|(k, _)| {
        let (x, y) = (count(a, k, fp), count(b, k, fp));
        heap.eq(&x, &y, fp)
    })
}

/// The repr of a counter with these items: `Counter({'a': 2, 'b': 1})`, in `most_common`
/// order, or `Counter()`.
pub(super) fn repr(items: &[(Value, Value)], mut render: impl FnMut(&Value) -> String) -> String {
    if items.is_empty() {
        return "Counter()".into();
    }
    let ordered = most_common_order(items).unwrap_or_else(|| items.to_vec());
    let parts: Vec<String> = ordered.iter().map(|(k, v)| format!("{}: {}", render(k), render(v))).collect();
    format!("Counter({{{}}})", parts.join(", "))
}

/// `a op b` (`a op= b` when `inplace`) of two counters, for `+ - | &`: what `Counter.__add__`
/// and the others compute (only positive counts are kept), in their key order; the in-place
/// forms update `a` and drop its counts that are not positive (`_keep_positive`). CPython runs
/// them in Python, one item at a time; the caller makes sure no other thread is alive, so one
/// step gives the same result.
pub(super) fn arith(
    heap: &mut Heap,
    op: crate::bytecode::BinOp,
    inplace: bool,
    a: u32,
    b: u32,
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    use crate::bytecode::BinOp;
    let entries = |heap: &Heap, id: u32, fp: &mut Footprint| match heap.read(id, fp) {
        HeapObj::Dict(items) => items.clone(),
        _ => Vec::new(),
    };
    let (x, y) = (entries(heap, a, fp), entries(heap, b, fp));
    let count = |heap: &Heap, items: &[(Value, Value)], k: &Value, fp: &mut Footprint| {
        items.iter().find(|(e, _)| heap.eq(e, k, fp)).map_or(Value::Int(0), |(_, v)| v.clone())
    };
    let lt = |p: &Value, q: &Value| -> Result<bool, Exception> {
        Ok(matches!(super::value::compare(CmpOp::Lt, p, q)?, Value::Bool(true)))
    };
    let zero = Value::Int(0);
    let mut out: Vec<(Value, Value)> = Vec::new();
    if inplace {
        out = x.clone();
        let set = |out: &mut Vec<(Value, Value)>, k: &Value, v: Value, heap: &Heap, fp: &mut Footprint| match out
            .iter_mut()
            .find(|(e, _)| heap.eq(e, k, fp))
        {
            Some(slot) => slot.1 = v,
            None => out.push((k.clone(), v)),
        };
        match op {
            BinOp::Add | BinOp::Sub => {
                for (k, v) in &y {
                    let old = count(heap, &out, k, fp);
                    let new = super::value::binary_op(op, &old, v)?;
                    set(&mut out, k, new, heap, fp);
                }
            }
            BinOp::Or => {
                for (k, v) in &y {
                    let old = count(heap, &out, k, fp);
                    if lt(&old, v)? {
                        set(&mut out, k, v.clone(), heap, fp);
                    }
                }
            }
            _ => {
                for (k, v) in &x {
                    let other = count(heap, &y, k, fp);
                    if lt(&other, v)? {
                        set(&mut out, k, other, heap, fp);
                    }
                }
            }
        }
        let mut kept = Vec::with_capacity(out.len());
        for (k, v) in out {
            if lt(&zero, &v)? {
                kept.push((k, v));
            }
        }
        if let HeapObj::Dict(items) = heap.write(a, fp) {
            *items = kept;
        }
        return Ok(Value::Obj(a));
    }
    for (k, v) in &x {
        let other = count(heap, &y, k, fp);
        let new = match op {
            BinOp::Add | BinOp::Sub => super::value::binary_op(op, v, &other)?,
            BinOp::Or if lt(v, &other)? => other,
            BinOp::Or => v.clone(),
            _ if lt(v, &other)? => v.clone(),
            _ => other,
        };
        if lt(&zero, &new)? {
            out.push((k.clone(), new));
        }
    }
    if op != BinOp::And {
        for (k, v) in &y {
            if x.iter().any(|(e, _)| Heap::eq(heap, e, k, fp)) {
                continue;
            }
            // `Counter.__sub__` keeps what only `b` has as `0 - count` when that is positive.
            let new = if op == BinOp::Sub { super::value::binary_op(op, &zero, v)? } else { v.clone() };
            if lt(&zero, &new)? {
                out.push((k.clone(), new));
            }
        }
    }
    super::value::room((out.len() * 2 * std::mem::size_of::<Value>()) as u64)?;
    let id = heap.alloc(HeapObj::Dict(out), fp);
    heap.mark_counter(id);
    Ok(Value::Obj(id))
}

/// Before a `+ - | &` of two counters on thread `tid`: CPython computes it in Python, one item
/// at a time with switch points between, so while another thread is alive (and could change
/// either counter midway) the run stops as not modelled.
pub(super) fn check_arith(
    state: &super::state::State,
    tid: usize,
    op: crate::bytecode::BinOp,
    stack: &[Value],
) -> Result<(), Exception> {
    use crate::bytecode::BinOp;
    let [.., Value::Obj(a), Value::Obj(b)] = stack else { return Ok(()) };
    if !matches!(op, BinOp::Add | BinOp::Sub | BinOp::Or | BinOp::And)
        || !state.heap.is_counter(*a)
        || !state.heap.is_counter(*b)
    {
        return Ok(());
    }
    if state.threads.iter().enumerate().any(|(t, th)| t != tid && th.is_alive()) {
        return Err(unsupported(format!(
            "{} of two Counters while another thread is alive (CPython adds them in Python, one item at a \
             time; combine them before starting the threads or after joining them)",
            op.symbol()
        )));
    }
    Ok(())
}

/// `sum(counters, Counter())`: the start Counter plus each item, as `Counter.__add__` adds them
/// (a new Counter each time); an item that is not a Counter is CPython's `TypeError` (its
/// `__add__` returns `NotImplemented`). Like the other arithmetic, one step only where no other
/// thread is alive.
pub(super) fn sum(
    state: &mut super::state::State,
    tid: usize,
    start: u32,
    iterable: &Value,
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    if state.threads.iter().enumerate().any(|(t, th)| t != tid && th.is_alive()) {
        return Err(unsupported(
            "sum() of Counters while another thread is alive (CPython adds them in Python, one item at a time)",
        ));
    }
    let items = state.heap.items_of(iterable, fp)?;
    let mut total = start;
    for item in items {
        match item {
            Value::Obj(id) if state.heap.is_counter(id) => {
                let Value::Obj(next) = arith(&mut state.heap, crate::bytecode::BinOp::Add, false, total, id, fp)?
                else {
                    unreachable!("[internal bug] Counter + Counter is a Counter")
                };
                total = next;
            }
            other => {
                return Err(err(
                    ExcKind::TypeError,
                    format!("unsupported operand type(s) for +: 'Counter' and '{}'", state.heap.type_name(&other)),
                ))
            }
        }
    }
    Ok(Value::Obj(total))
}
