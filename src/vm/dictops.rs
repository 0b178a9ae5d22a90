//! The methods of `dict` beyond `get`: the live views `keys()`, `values()` and `items()`,
//! `setdefault`, `update`, `pop`, `popitem`, `copy` and `clear`. Each call is one C call in CPython, atomic under the GIL; a view
//! reads its dict whenever it is used (iterated, measured, printed, searched), so a view taken
//! before another thread's insertion shows that insertion, and iterating it while the dict
//! grows raises CPython's `RuntimeError`, as iterating the dict does.

use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::step::{err, unsupported};
use super::value::{DictView, ExcKind, Exception, Value};

/// A method of `dict` (other than `get`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum DictMethod {
    /// `dict.keys()`
    Keys,
    /// `dict.values()`
    Values,
    /// `dict.items()`
    Items,
    /// `dict.setdefault(key[, default])`
    SetDefault,
    /// `dict.update([other], **kwargs)`
    Update,
    /// `dict.pop(key[, default])`
    Pop,
    /// `dict.popitem()`
    PopItem,
    /// `dict.copy()`
    Copy,
    /// `dict.clear()`
    Clear,
}

impl DictMethod {
    /// Every method here.
    pub const ALL: [DictMethod; 9] = [
        DictMethod::Clear,
        DictMethod::Copy,
        DictMethod::Items,
        DictMethod::Keys,
        DictMethod::Pop,
        DictMethod::PopItem,
        DictMethod::SetDefault,
        DictMethod::Update,
        DictMethod::Values,
    ];

    /// The method's name.
    pub fn name(self) -> &'static str {
        match self {
            DictMethod::Keys => "keys",
            DictMethod::Values => "values",
            DictMethod::Items => "items",
            DictMethod::SetDefault => "setdefault",
            DictMethod::Update => "update",
            DictMethod::Pop => "pop",
            DictMethod::PopItem => "popitem",
            DictMethod::Copy => "copy",
            DictMethod::Clear => "clear",
        }
    }

    /// `Builtin::name`'s form, e.g. `dict.items`.
    pub fn qualname(self) -> &'static str {
        match self {
            DictMethod::Keys => "dict.keys",
            DictMethod::Values => "dict.values",
            DictMethod::Items => "dict.items",
            DictMethod::SetDefault => "dict.setdefault",
            DictMethod::Update => "dict.update",
            DictMethod::Pop => "dict.pop",
            DictMethod::PopItem => "dict.popitem",
            DictMethod::Copy => "dict.copy",
            DictMethod::Clear => "dict.clear",
        }
    }

    /// The method called `name`, if it is one of these.
    pub fn from_name(name: &str) -> Option<DictMethod> {
        DictMethod::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// What view `view` of dict `id` shows now, in the dict's order (a read of the dict).
pub(super) fn view_items(heap: &Heap, view: DictView, id: u32, fp: &mut Footprint) -> Vec<Value> {
    match heap.read(id, fp) {
        HeapObj::Dict(items) => items.iter().map(|(k, v)| view.item(k, v)).collect(),
        _ => Vec::new(),
    }
}

/// The number of entries of dict `id` (`len` of any of its views).
pub(super) fn view_len(heap: &Heap, id: u32, fp: &mut Footprint) -> usize {
    match heap.read(id, fp) {
        HeapObj::Dict(items) => items.len(),
        _ => 0,
    }
}

/// `item in view`: a key lookup for keys, an `==` scan for values, and for items a key lookup
/// whose value must equal the pair's second half (a non-pair is never in it).
pub(super) fn view_contains(
    heap: &Heap,
    view: DictView,
    id: u32,
    item: &Value,
    fp: &mut Footprint,
) -> Result<bool, Exception> {
    match view {
        DictView::Keys => heap.contains(&Value::Obj(id), item, fp),
        DictView::Values => {
            let values = view_items(heap, view, id, fp);
            Ok(values.iter().any(|v| heap.eq(v, item, fp)))
        }
        DictView::Items => {
            let Value::Tuple(pair) = item else { return Ok(false) };
            let [k, v] = &pair[..] else { return Ok(false) };
            if !heap.contains(&Value::Obj(id), k, fp)? {
                return Ok(false);
            }
            let found = heap.subscr(&Value::Obj(id), k, fp)?;
            Ok(heap.eq(&found, v, fp))
        }
    }
}

fn type_error(msg: String) -> Exception {
    err(ExcKind::TypeError, msg)
}

/// Calls `dict.m` on dict `id` with `args` (positional) and `kwargs`.
pub(super) fn call(
    heap: &mut Heap,
    m: DictMethod,
    id: u32,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    let dict = Value::Obj(id);
    match m {
        DictMethod::Keys | DictMethod::Values | DictMethod::Items => {
            if !kwargs.is_empty() {
                return Err(unsupported(format!("a keyword argument to {}()", m.qualname())));
            }
            if !args.is_empty() {
                return Err(type_error(format!("{}() takes no arguments ({} given)", m.qualname(), args.len())));
            }
            let view = match m {
                DictMethod::Keys => DictView::Keys,
                DictMethod::Values => DictView::Values,
                _ => DictView::Items,
            };
            Ok(Value::DictView(view, id))
        }
        DictMethod::SetDefault => {
            if !kwargs.is_empty() {
                return Err(unsupported("a keyword argument to dict.setdefault()"));
            }
            let (key, default) = match args {
                [k] => (k, Value::None),
                [k, d] => (k, d.clone()),
                [] => return Err(type_error("setdefault expected at least 1 argument, got 0".into())),
                _ => return Err(type_error(format!("setdefault expected at most 2 arguments, got {}", args.len()))),
            };
            if heap.contains(&dict, key, fp)? {
                return heap.subscr(&dict, key, fp);
            }
            heap.store_subscr(&dict, key, default.clone(), fp)?;
            Ok(default)
        }
        DictMethod::Update => {
            if args.len() > 1 {
                return Err(type_error(format!("update expected at most 1 argument, got {}", args.len())));
            }
            // As CPython: pair by pair, so that an error leaves the pairs before it added.
            if let Some(other) = args.first() {
                for pair in update_pairs(heap, other, fp)? {
                    let (k, v) = pair?;
                    heap.store_subscr(&dict, &k, v, fp)?;
                }
            }
            for (k, v) in kwargs {
                heap.store_subscr(&dict, &Value::Str(k.as_str().into()), v.clone(), fp)?;
            }
            Ok(Value::None)
        }
        DictMethod::Pop | DictMethod::PopItem | DictMethod::Copy | DictMethod::Clear => {
            if !kwargs.is_empty() {
                return Err(unsupported(format!("a keyword argument to {}()", m.qualname())));
            }
            remove_or_copy(heap, m, id, args, fp)
        }
    }
}

/// `pop`, `popitem`, `copy` and `clear`, with CPython's errors.
pub(super) fn remove_or_copy(
    heap: &mut Heap,
    m: DictMethod,
    id: u32,
    args: &[Value],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    let dict = Value::Obj(id);
    if m != DictMethod::Pop && !args.is_empty() {
        return Err(type_error(format!("{}() takes no arguments ({} given)", m.qualname(), args.len())));
    }
    let entries = |heap: &Heap, fp: &mut Footprint| match heap.read(id, fp) {
        HeapObj::Dict(items) => items.clone(),
        _ => Vec::new(),
    };
    match m {
        DictMethod::Pop => {
            let (key, default) = match args {
                [k] => (k, None),
                [k, d] => (k, Some(d.clone())),
                [] => return Err(type_error("pop expected at least 1 argument, got 0".into())),
                _ => return Err(type_error(format!("pop expected at most 2 arguments, got {}", args.len()))),
            };
            // An empty dict answers without hashing the key (CPython's fast path); otherwise `in`
            // raises CPython's TypeError for an unhashable key.
            if entries(heap, fp).is_empty() || !heap.contains(&dict, key, fp)? {
                return default.ok_or_else(|| Exception::key_error(key, heap.repr(key)));
            }
            let items = entries(heap, fp);
            let at = items.iter().position(|(k, _)| Heap::eq(heap, k, key, fp));
            match (at, heap.write(id, fp)) {
                (Some(i), HeapObj::Dict(items)) => Ok(items.remove(i).1),
                _ => Err(Exception::key_error(key, heap.repr(key))),
            }
        }
        DictMethod::PopItem => match heap.write(id, fp) {
            HeapObj::Dict(items) => match items.pop() {
                Some((k, v)) => Ok(Value::Tuple(vec![k, v].into())),
                None => Err(Exception::key_error_text("popitem(): dictionary is empty")),
            },
            _ => Err(type_error("popitem() of another object".into())),
        },
        DictMethod::Copy => {
            let items = entries(heap, fp);
            super::value::room((items.len() * 2 * std::mem::size_of::<Value>()) as u64)?;
            let copy = heap.alloc(HeapObj::Dict(items), fp);
            // A defaultdict's copy is one too, with the same factory.
            if let Some(f) = heap.factory(id).cloned() {
                heap.set_factory(copy, f);
            }
            if heap.is_ordered(id) {
                heap.mark_ordered(copy);
            }
            Ok(Value::Obj(copy))
        }
        _ => {
            if let HeapObj::Dict(items) = heap.write(id, fp) {
                items.clear();
            }
            Ok(Value::None)
        }
    }
}

/// `dict()`, `dict(mapping)`, `dict(pairs)` and `dict(..., key=value)`: a new dict with the
/// pairs `dict.update` would add (raising at the element that is not a pair), then the keyword
/// arguments.
pub(super) fn new_dict(
    heap: &mut Heap,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    if args.len() > 1 {
        return Err(type_error(format!("dict expected at most 1 argument, got {}", args.len())));
    }
    let id = heap.alloc(HeapObj::Dict(Vec::new()), fp);
    if let Some(other) = args.first() {
        for pair in update_pairs(heap, other, fp)? {
            let (k, v) = pair?;
            heap.store_subscr(&Value::Obj(id), &k, v, fp)?;
        }
    }
    for (k, v) in kwargs {
        heap.store_subscr(&Value::Obj(id), &Value::Str(k.as_str().into()), v.clone(), fp)?;
    }
    Ok(Value::Obj(id))
}

/// A pair `dict.update` adds, or the error at that element.
type Pair = Result<(Value, Value), Exception>;

/// The pairs `dict.update(other)` adds in order: a dict's entries, or the pairs of a list or
/// tuple of 2-item tuples and lists, each element's error (CPython's) in its place.
fn update_pairs(heap: &Heap, other: &Value, fp: &mut Footprint) -> Result<Vec<Pair>, Exception> {
    if let Value::Obj(oid) = other {
        if let HeapObj::Dict(items) = heap.read(*oid, fp) {
            return Ok(items.iter().cloned().map(Ok).collect());
        }
    }
    let sequence = match other {
        Value::Tuple(_)
        | Value::TupleIter(..)
        | Value::ListIter(..)
        | Value::SetIter(..)
        | Value::ListRevIter(..)
        | Value::Enumerate(..)
        | Value::Zip(..)
        | Value::Map(..)
        | Value::DictView(..) => true,
        Value::Obj(oid) => matches!(heap.peek(*oid), HeapObj::List(_)),
        _ => false,
    };
    if !sequence {
        return match other {
            Value::Int(_) | Value::Big(_) | Value::Float(_) | Value::Bool(_) | Value::None => {
                Err(type_error(format!("'{}' object is not iterable", heap.type_name(other))))
            }
            _ => Err(unsupported(format!("dict.update() with a '{}' argument", heap.type_name(other)))),
        };
    }
    let mut pairs = Vec::new();
    for (n, element) in heap.items_of(other, fp)?.into_iter().enumerate() {
        let parts = match &element {
            Value::Tuple(t) => t.to_vec(),
            Value::Obj(eid) if matches!(heap.peek(*eid), HeapObj::List(_)) => heap.items_of(&element, fp)?,
            Value::Int(_) | Value::Big(_) | Value::Float(_) | Value::Bool(_) | Value::None => {
                pairs.push(Err(type_error(format!(
                    "cannot convert dictionary update sequence element #{n} to a sequence"
                ))));
                break;
            }
            _ => {
                pairs.push(Err(unsupported(format!("dict.update() with a '{}' element", heap.type_name(&element)))));
                break;
            }
        };
        match <[Value; 2]>::try_from(parts) {
            Ok([k, v]) => pairs.push(Ok((k, v))),
            Err(parts) => {
                pairs.push(Err(err(
                    ExcKind::ValueError,
                    format!("dictionary update sequence element #{n} has length {}; 2 is required", parts.len()),
                )));
                break;
            }
        }
    }
    Ok(pairs)
}

/// `a op b` where a dict view takes part. Keys and items views compare as sets (equal when
/// each holds the other's items); a values view has only identity, which views made by two
/// calls do not share and which the checker does not track, so that comparison, like the
/// set-order operators, stops as not modelled.
pub(super) fn view_compare(
    heap: &Heap,
    op: crate::bytecode::CmpOp,
    a: &Value,
    b: &Value,
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    use crate::bytecode::CmpOp;
    let set_like = |v: &Value| matches!(v, Value::DictView(DictView::Keys | DictView::Items, _));
    if !matches!(op, CmpOp::Eq | CmpOp::Ne)
        || matches!(a, Value::DictView(DictView::Values, _))
        || matches!(b, Value::DictView(DictView::Values, _))
    {
        return Err(unsupported(format!("the comparison `{}` of a dict view", op.symbol())));
    }
    let equal = match (a, b) {
        (Value::DictView(va, ia), Value::DictView(vb, ib)) if set_like(a) && set_like(b) => {
            let xs = view_items(heap, *va, *ia, fp);
            view_len(heap, *ib, fp) == xs.len() && {
                let mut all = true;
                for x in &xs {
                    all &= view_contains(heap, *vb, *ib, x, fp)?;
                }
                all
            }
        }
        // A view and a value of another kind (a list, a tuple, ...): never equal.
        _ => false,
    };
    Ok(Value::Bool(equal == (op == CmpOp::Eq)))
}
