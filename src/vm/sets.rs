//! `set`: displays, comprehensions, `set(...)`, the methods, the operators and iteration, each
//! one C call in CPython (atomic under the GIL). A set whose elements all hash as the checker
//! knows (ints, bools, floats, tuples of those) is CPython 3.11's own table
//! ([`crate::pyset`]), so it iterates and prints in CPython's order. A str, None, an object or
//! a tuple holding one hashes by a per-process seed or by its address in CPython, so a set that
//! ever held one has no order the checker can know: membership, size, comparisons, `sorted` of
//! its strs and the operators work on it, and what shows its order (iterating, printing, `pop`)
//! stops the run as not modelled.

use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::step::{err, unsupported};
use super::value::{py_eq, ExcKind, Exception, Value};
use crate::pyset::{self as settable, SetTable};

/// A `set` on the heap.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SetObj {
    /// Every element's hash is known: CPython 3.11's table, in its order.
    Table(SetTable<Value>),
    /// Some element's hash is not (now or before): the elements, in no order CPython shares.
    Unordered(Vec<Value>),
}

/// A method of `set`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum SetMethod {
    /// `set.add(x)`
    Add,
    /// `set.discard(x)`
    Discard,
    /// `set.remove(x)`
    Remove,
    /// `set.pop()`
    Pop,
    /// `set.clear()`
    Clear,
    /// `set.copy()`
    Copy,
    /// `set.update(*others)`
    Update,
    /// `set.union(*others)`
    Union,
    /// `set.intersection(*others)`
    Intersection,
    /// `set.difference(*others)`
    Difference,
    /// `set.symmetric_difference(other)`
    SymmetricDifference,
    /// `set.issubset(other)`
    IsSubset,
    /// `set.issuperset(other)`
    IsSuperset,
    /// `set.isdisjoint(other)`
    IsDisjoint,
}

impl SetMethod {
    /// Every method here.
    pub const ALL: [SetMethod; 14] = [
        SetMethod::Add,
        SetMethod::Clear,
        SetMethod::Copy,
        SetMethod::Difference,
        SetMethod::Discard,
        SetMethod::Intersection,
        SetMethod::IsDisjoint,
        SetMethod::IsSubset,
        SetMethod::IsSuperset,
        SetMethod::Pop,
        SetMethod::Remove,
        SetMethod::SymmetricDifference,
        SetMethod::Union,
        SetMethod::Update,
    ];

    /// The method's name.
    pub fn name(self) -> &'static str {
        match self {
            SetMethod::Add => "add",
            SetMethod::Discard => "discard",
            SetMethod::Remove => "remove",
            SetMethod::Pop => "pop",
            SetMethod::Clear => "clear",
            SetMethod::Copy => "copy",
            SetMethod::Update => "update",
            SetMethod::Union => "union",
            SetMethod::Intersection => "intersection",
            SetMethod::Difference => "difference",
            SetMethod::SymmetricDifference => "symmetric_difference",
            SetMethod::IsSubset => "issubset",
            SetMethod::IsSuperset => "issuperset",
            SetMethod::IsDisjoint => "isdisjoint",
        }
    }

    /// `set.NAME`, as error messages show it.
    pub fn qualname(self) -> &'static str {
        match self {
            SetMethod::Add => "set.add",
            SetMethod::Discard => "set.discard",
            SetMethod::Remove => "set.remove",
            SetMethod::Pop => "set.pop",
            SetMethod::Clear => "set.clear",
            SetMethod::Copy => "set.copy",
            SetMethod::Update => "set.update",
            SetMethod::Union => "set.union",
            SetMethod::Intersection => "set.intersection",
            SetMethod::Difference => "set.difference",
            SetMethod::SymmetricDifference => "set.symmetric_difference",
            SetMethod::IsSubset => "set.issubset",
            SetMethod::IsSuperset => "set.issuperset",
            SetMethod::IsDisjoint => "set.isdisjoint",
        }
    }

    /// The method named `name`.
    pub fn from_name(name: &str) -> Option<SetMethod> {
        SetMethod::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// The hash CPython gives `v`, where the checker knows it: ints, bools, floats but NaN, and
/// tuples of those.
pub(super) fn known_hash(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(settable::hash_int(*i)),
        Value::Big(b) => Some(settable::hash_bigint(b)),
        Value::Bool(b) => Some(settable::hash_bool(*b)),
        Value::Float(f) => settable::hash_float(f.0),
        Value::Tuple(items) => {
            let hashes: Option<Vec<i64>> = items.iter().map(known_hash).collect();
            hashes.map(|h| settable::hash_tuple(&h))
        }
        _ => None,
    }
}

/// `a == b` for hashable values (no list or dict among them): numbers by value, tuples item by
/// item, objects by identity.
fn key_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Obj(x), Value::Obj(y)) => x == y,
        (Value::Tuple(x), Value::Tuple(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(u, v)| key_eq(u, v)),
        _ => py_eq(a, b),
    }
}

fn eq() -> impl FnMut(&Value, &Value) -> bool {
    |a, b| key_eq(a, b)
}

/// Why what shows a set's order stops the run.
pub(super) fn order_unknown(what: &str) -> Exception {
    unsupported(format!(
        "{what} of a set that holds a str, None or an object (CPython orders it by per-run hashes; \
         use sorted(s))"
    ))
}

impl SetObj {
    /// An empty set.
    pub fn new() -> SetObj {
        SetObj::Table(SetTable::new())
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        match self {
            SetObj::Table(t) => t.len(),
            SetObj::Unordered(v) => v.len(),
        }
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        match self {
            SetObj::Table(t) => t.is_empty(),
            SetObj::Unordered(v) => v.is_empty(),
        }
    }

    /// The elements in CPython's order, or `None` when the checker cannot know it.
    pub fn ordered(&self) -> Option<Vec<Value>> {
        match self {
            SetObj::Table(t) => Some(t.iter().cloned().collect()),
            SetObj::Unordered(v) if v.is_empty() => Some(Vec::new()),
            SetObj::Unordered(_) => None,
        }
    }

    /// The elements in some order (for what does not depend on it).
    pub fn items(&self) -> Vec<Value> {
        match self {
            SetObj::Table(t) => t.iter().cloned().collect(),
            SetObj::Unordered(v) => v.clone(),
        }
    }

    /// `x in s`.
    pub fn contains(&self, x: &Value) -> bool {
        match (self, known_hash(x)) {
            (SetObj::Table(t), Some(h)) => t.contains(h, x, &mut eq()),
            // An element of unknown hash equals no element of known hash.
            (SetObj::Table(_), None) => false,
            (SetObj::Unordered(v), _) => v.iter().any(|y| key_eq(y, x)),
        }
    }

    /// `s.add(x)` (x hashable).
    pub fn add(&mut self, x: Value) {
        if let (SetObj::Table(t), Some(h)) = (&mut *self, known_hash(&x)) {
            t.add(h, x, &mut eq());
            return;
        }
        if let SetObj::Table(t) = self {
            *self = SetObj::Unordered(t.iter().cloned().collect());
        }
        if let SetObj::Unordered(v) = self {
            if !v.iter().any(|y| key_eq(y, &x)) {
                v.push(x);
            }
        }
    }

    /// `s.discard(x)`: whether it was there.
    pub fn discard(&mut self, x: &Value) -> bool {
        match (self, known_hash(x)) {
            (SetObj::Table(t), Some(h)) => t.discard(h, x, &mut eq()).is_some(),
            (SetObj::Table(_), None) => false,
            (SetObj::Unordered(v), _) => match v.iter().position(|y| key_eq(y, x)) {
                Some(i) => {
                    v.remove(i);
                    true
                }
                None => false,
            },
        }
    }

    /// Adds every item of `items` in order (`set_update_internal` for an iterable that is not
    /// a set or a dict).
    pub fn extend(&mut self, items: Vec<Value>) {
        for x in items {
            self.add(x);
        }
    }

    /// `s |= other` / `s.update(other)` for a set `other` (`set_merge`).
    pub fn merge(&mut self, other: &SetObj) {
        match (&mut *self, other) {
            (SetObj::Table(t), SetObj::Table(o)) => t.update_from(o, &mut eq()),
            _ => self.extend(other.items()),
        }
    }

    /// `set(other)` / `other.copy()`.
    pub fn copy(&self) -> SetObj {
        match self {
            SetObj::Table(t) => SetObj::Table(t.copy()),
            SetObj::Unordered(v) => SetObj::Unordered(v.clone()),
        }
    }
}

impl Default for SetObj {
    fn default() -> Self {
        SetObj::new()
    }
}

/// `a op b` for two sets, `op` one of `|`, `&`, `-`, `^` (CPython's `set_or`,
/// `set_intersection`, `set_difference`, `set_symmetric_difference`); `same` when both are
/// one object (then `|` and `&` are a copy).
pub(super) fn binary(op: char, a: &SetObj, b: &SetObj, same: bool) -> SetObj {
    if same && matches!(op, '|' | '&') {
        return a.copy();
    }
    match (a, b) {
        (SetObj::Table(x), SetObj::Table(y)) => SetObj::Table(match op {
            '|' => SetTable::union(x, y, &mut eq()),
            '&' => SetTable::intersection(x, y, &mut eq()),
            '-' => SetTable::difference(x, y, &mut eq()),
            _ => SetTable::symmetric_difference(x, y, &mut eq()),
        }),
        _ => {
            let (xs, ys) = (a.items(), b.items());
            let v: Vec<Value> = match op {
                '|' => {
                    let mut v = xs;
                    v.extend(ys.into_iter().filter(|y| !a.contains(y)));
                    v
                }
                '&' => xs.into_iter().filter(|x| b.contains(x)).collect(),
                '-' => xs.into_iter().filter(|x| !b.contains(x)).collect(),
                _ => {
                    let mut v: Vec<Value> = xs.into_iter().filter(|x| !b.contains(x)).collect();
                    v.extend(ys.into_iter().filter(|y| !a.contains(y)));
                    v
                }
            };
            SetObj::Unordered(v)
        }
    }
}

/// `a op= b` for two sets, in place on `a` (`set_ior`, `set_iand`, `set_isub`, `set_ixor`).
pub(super) fn in_place(op: char, a: &mut SetObj, b: &SetObj, same: bool) {
    match op {
        '|' if same => {}
        '|' => a.merge(b),
        '&' => *a = binary('&', a, b, same),
        _ if same => match a {
            SetObj::Table(t) => t.clear(),
            SetObj::Unordered(v) => v.clear(),
        },
        '-' => match (&mut *a, b) {
            (SetObj::Table(t), SetObj::Table(o)) => t.difference_update(o, &mut eq()),
            _ => {
                for y in b.items() {
                    a.discard(&y);
                }
            }
        },
        _ => match (&mut *a, b) {
            (SetObj::Table(t), SetObj::Table(o)) => t.symmetric_difference_update(o, &mut eq()),
            _ => *a = binary('^', a, b, false),
        },
    }
}

/// BINARY_OP `|`, `&`, `-`, `^` (or their in-place forms, which change set `x` itself) on
/// sets `x` and `y`.
pub(super) fn operator(
    heap: &mut Heap,
    op: crate::bytecode::BinOp,
    inplace: bool,
    x: u32,
    y: u32,
    fp: &mut Footprint,
) -> Value {
    use crate::bytecode::BinOp;
    let c = match op {
        BinOp::Or => '|',
        BinOp::And => '&',
        BinOp::Sub => '-',
        _ => '^',
    };
    let a = set_of(heap, x, fp).expect("checked").clone();
    let b = set_of(heap, y, fp).expect("checked").clone();
    if inplace {
        let mut r = a;
        in_place(c, &mut r, &b, x == y);
        *write_set(heap, x, fp) = r;
        return Value::Obj(x);
    }
    let r = binary(c, &a, &b, x == y);
    Value::Obj(heap.alloc(HeapObj::Set(r), fp))
}

/// `a <= b` (every element of `a` is in `b`).
pub(super) fn subset(a: &SetObj, b: &SetObj) -> bool {
    a.len() <= b.len() && a.items().iter().all(|x| b.contains(x))
}

/// The set object `id`.
fn set_of<'h>(heap: &'h Heap, id: u32, fp: &mut Footprint) -> Option<&'h SetObj> {
    match heap.read(id, fp) {
        HeapObj::Set(s) => Some(s),
        _ => None,
    }
}

/// The items of an iterable argument, with CPython's `TypeError` for an unhashable one.
fn hashable_items(heap: &Heap, v: &Value, fp: &mut Footprint) -> Result<Vec<Value>, Exception> {
    let items = super::iters::drain(heap, &super::iters::iter_of(heap, v.clone(), fp)?, fp)?;
    for x in &items {
        heap.check_hashable(x)?;
    }
    Ok(items)
}

/// Adds the items of `arg` to `s` as `set_update_internal` does: a set is merged
/// (`set_merge`), a dict's keys are added after one resize for all of them, any other iterable
/// item by item.
fn update_any(heap: &Heap, s: &mut SetObj, arg: &Value, fp: &mut Footprint) -> Result<(), Exception> {
    if let Value::Obj(id) = arg {
        match heap.read(*id, fp) {
            HeapObj::Set(other) => {
                s.merge(other);
                return Ok(());
            }
            HeapObj::Dict(pairs) => {
                let keyed: Option<Vec<(i64, Value)>> =
                    pairs.iter().map(|(k, _)| known_hash(k).map(|h| (h, k.clone()))).collect();
                match (&mut *s, keyed) {
                    (SetObj::Table(t), Some(keyed)) => t.update_from_dict_keys(keyed.into_iter(), &mut eq()),
                    _ => s.extend(pairs.iter().map(|(k, _)| k.clone()).collect()),
                }
                return Ok(());
            }
            _ => {}
        }
    }
    s.extend(hashable_items(heap, arg, fp)?);
    Ok(())
}

/// `set(v)` (`make_new_set`): a copy of a set, the keys of a dict, the items of an iterable.
fn as_set(heap: &Heap, v: &Value, fp: &mut Footprint) -> Result<SetObj, Exception> {
    let mut s = SetObj::new();
    update_any(heap, &mut s, v, fp)?;
    Ok(s)
}

/// Whether `v` is a set object.
fn is_set(heap: &Heap, v: &Value, fp: &mut Footprint) -> bool {
    matches!(v, Value::Obj(id) if set_of(heap, *id, fp).is_some())
}

/// BUILD_SET: a set of `items`, added in order (the first unhashable one raises).
pub(super) fn build(heap: &mut Heap, items: Vec<Value>, fp: &mut Footprint) -> Result<u32, Exception> {
    let mut s = SetObj::new();
    for x in items {
        heap.check_hashable(&x)?;
        s.add(x);
    }
    Ok(heap.alloc(HeapObj::Set(s), fp))
}

/// SET_ADD: adds `v` to set `id` (a set comprehension's).
pub(super) fn set_add(heap: &mut Heap, id: u32, v: Value, fp: &mut Footprint) -> Result<(), Exception> {
    heap.check_hashable(&v)?;
    write_set(heap, id, fp).add(v);
    Ok(())
}

/// SET_UPDATE: adds the items of `iterable` to set `id`. `frozen` holds the items of a
/// frozenset constant in the display's order when the iterable is one: CPython built it by
/// adding them in that order, and now merges it (`set_merge`).
pub(super) fn set_update(
    heap: &mut Heap,
    id: u32,
    iterable: &Value,
    frozen: Option<Vec<Value>>,
    fp: &mut Footprint,
) -> Result<(), Exception> {
    let mut s = set_of(heap, id, fp).expect("[internal bug] SET_UPDATE without a set").clone();
    match frozen {
        Some(items) => {
            // The optimizer's frozenset of the items in order, remade by the compiler's constant
            // merging from its own order (see `bytecode::frozenset_order`).
            let mut first = SetObj::new();
            first.extend(items);
            let mut f = SetObj::new();
            f.extend(first.items());
            s.merge(&f);
        }
        None => update_any(heap, &mut s, iterable, fp)?,
    }
    *write_set(heap, id, fp) = s;
    Ok(())
}

/// `set()` / `set(iterable)`.
pub(super) fn new_set(heap: &mut Heap, args: &[Value], fp: &mut Footprint) -> Result<Value, Exception> {
    let s = match args {
        [] => SetObj::new(),
        [v] => as_set(heap, v, fp)?,
        _ => return Err(err(ExcKind::TypeError, format!("set expected at most 1 argument, got {}", args.len()))),
    };
    Ok(Value::Obj(heap.alloc(HeapObj::Set(s), fp)))
}

/// The set `v` is (the caller has checked that it is one), as it stands.
fn as_set_ref(heap: &Heap, v: &Value, fp: &mut Footprint) -> SetObj {
    match v {
        Value::Obj(id) => set_of(heap, *id, fp).cloned().unwrap_or_default(),
        _ => SetObj::new(),
    }
}

fn write_set<'h>(heap: &'h mut Heap, id: u32, fp: &mut Footprint) -> &'h mut SetObj {
    match heap.write(id, fp) {
        HeapObj::Set(s) => s,
        _ => panic!("[internal bug] a set method on another object"),
    }
}

fn one_arg(m: SetMethod, args: &[Value]) -> Result<&Value, Exception> {
    match args {
        [v] => Ok(v),
        _ => Err(err(
            ExcKind::TypeError,
            format!("set.{}() takes exactly one argument ({} given)", m.name(), args.len()),
        )),
    }
}

/// Calls `set.m` on set `id` with `args`.
pub(super) fn call(
    heap: &mut Heap,
    m: SetMethod,
    id: u32,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    if !kwargs.is_empty() {
        return Err(err(ExcKind::TypeError, format!("set.{}() takes no keyword arguments", m.name())));
    }
    let this = set_of(heap, id, fp).expect("[internal bug] a set method on another object").clone();
    let none = Ok(Value::None);
    match m {
        SetMethod::Add | SetMethod::Discard | SetMethod::Remove => {
            let x = one_arg(m, args)?;
            heap.check_hashable(x)?;
            let s = write_set(heap, id, fp);
            match m {
                SetMethod::Add => s.add(x.clone()),
                SetMethod::Discard => {
                    s.discard(x);
                }
                _ => {
                    if !s.discard(x) {
                        return Err(Exception::key_error(x, heap.repr(x)));
                    }
                }
            }
            none
        }
        SetMethod::Pop | SetMethod::Clear | SetMethod::Copy if !args.is_empty() => {
            Err(err(ExcKind::TypeError, format!("set.{}() takes no arguments ({} given)", m.name(), args.len())))
        }
        SetMethod::Pop => match write_set(heap, id, fp) {
            SetObj::Table(t) => t.pop().ok_or_else(|| Exception::key_error_text("pop from an empty set")),
            SetObj::Unordered(v) if v.is_empty() => Err(Exception::key_error_text("pop from an empty set")),
            SetObj::Unordered(_) => Err(order_unknown("set.pop()")),
        },
        SetMethod::Clear => {
            match write_set(heap, id, fp) {
                SetObj::Table(t) => t.clear(),
                SetObj::Unordered(v) => v.clear(),
            }
            none
        }
        SetMethod::Copy => Ok(Value::Obj(heap.alloc(HeapObj::Set(this.copy()), fp))),
        SetMethod::Update => {
            for a in args {
                let mut s = set_of(heap, id, fp).expect("checked").clone();
                if *a != Value::Obj(id) {
                    update_any(heap, &mut s, a, fp)?;
                }
                *write_set(heap, id, fp) = s;
            }
            none
        }
        // `set_union`: a copy, then each argument added (the set itself skipped).
        SetMethod::Union => {
            let mut acc = this.copy();
            for a in args.iter().filter(|a| **a != Value::Obj(id)) {
                update_any(heap, &mut acc, a, fp)?;
            }
            Ok(Value::Obj(heap.alloc(HeapObj::Set(acc), fp)))
        }
        // `set_intersection_multi`: the set itself intersected with each argument in turn.
        SetMethod::Intersection if args.is_empty() => Ok(Value::Obj(heap.alloc(HeapObj::Set(this.copy()), fp))),
        SetMethod::Intersection => {
            let mut acc = this.clone();
            for (i, a) in args.iter().enumerate() {
                acc = if is_set(heap, a, fp) {
                    let Value::Obj(o) = a else { unreachable!() };
                    let other = set_of(heap, *o, fp).expect("checked");
                    binary('&', &acc, other, i == 0 && *o == id)
                } else {
                    let mut r = SetObj::new();
                    r.extend(hashable_items(heap, a, fp)?.into_iter().filter(|x| acc.contains(x)).collect());
                    r
                };
            }
            Ok(Value::Obj(heap.alloc(HeapObj::Set(acc), fp)))
        }
        // `set_difference_multi`: `set_difference` with the first argument, then the others
        // discarded from the result.
        SetMethod::Difference if args.is_empty() => Ok(Value::Obj(heap.alloc(HeapObj::Set(this.copy()), fp))),
        SetMethod::Difference => {
            let mut acc = if is_set(heap, &args[0], fp) {
                binary('-', &this, &as_set_ref(heap, &args[0], fp), false)
            } else {
                let mut r = this.copy();
                for x in hashable_items(heap, &args[0], fp)? {
                    r.discard(&x);
                }
                r
            };
            for a in &args[1..] {
                if is_set(heap, a, fp) {
                    let other = as_set_ref(heap, a, fp);
                    in_place('-', &mut acc, &other, false);
                } else {
                    for x in hashable_items(heap, a, fp)? {
                        acc.discard(&x);
                    }
                }
            }
            Ok(Value::Obj(heap.alloc(HeapObj::Set(acc), fp)))
        }
        // `set_symmetric_difference`: `set(other)` with the set's elements toggled in it.
        SetMethod::SymmetricDifference => {
            let mut r = as_set(heap, one_arg(m, args)?, fp)?;
            in_place('^', &mut r, &this, false);
            Ok(Value::Obj(heap.alloc(HeapObj::Set(r), fp)))
        }
        SetMethod::IsSubset | SetMethod::IsSuperset | SetMethod::IsDisjoint => {
            let other = as_set(heap, one_arg(m, args)?, fp)?;
            Ok(Value::Bool(match m {
                SetMethod::IsSubset => subset(&this, &other),
                SetMethod::IsSuperset => subset(&other, &this),
                _ => this.items().iter().all(|x| !other.contains(x)),
            }))
        }
    }
}

/// `repr(s)`: `set()` or `{1, 2}` in CPython's order (the caller has checked that it is known).
pub(super) fn repr(items: &[String]) -> String {
    if items.is_empty() {
        "set()".into()
    } else {
        format!("{{{}}}", items.join(", "))
    }
}
