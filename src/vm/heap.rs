//! The heap: Python's mutable objects (lists, dicts, classes, instances), each shared between
//! states until written (copy on write), referred to by [`Value::Obj`] ids handed out in order.
//!
//! Every operation here records what it reads and writes in the step's [`Footprint`], so that
//! explorers see heap accesses as accesses of shared objects ([`Object::Heap`]).

use super::dictops::{view_compare, view_contains, view_items, view_len};
use super::footprint::{Access, Footprint, Object};
use super::value::{compare, py_eq as value_eq, ExcKind, Exception, Func, Value};
use crate::bytecode::{py_str_repr, CmpOp};
use std::cmp::Ordering;
use std::sync::Arc;

/// A class: its name and its namespace (methods, properties, class attributes) in definition
/// order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ClassObj {
    /// `__name__`.
    pub name: Arc<str>,
    /// The base class's heap id (`None`: the base is `object`, or `threading.Thread`).
    pub base: Option<u32>,
    /// Whether the class derives from `threading.Thread` (its instances are threads).
    pub thread: bool,
    /// The built-in exception type the class derives from (`class Oops(ValueError)`: its
    /// instances can be raised and caught, and hold `args`).
    pub exc: Option<ExcKind>,
    /// The class namespace, in insertion order.
    pub attrs: Vec<(Arc<str>, Value)>,
}

/// An instance of a class: its class's heap id and its `__dict__`, in insertion order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct InstanceObj {
    /// The class's heap id.
    pub class: u32,
    /// Instance attributes, in insertion order.
    pub attrs: Vec<(Arc<str>, Value)>,
    /// The thread ([`super::Tid`]) of an instance of a `threading.Thread` subclass.
    pub thread: Option<u32>,
    /// `args` of an instance of an exception class (see [`ClassObj::exc`]): the arguments it
    /// was made with, or those its `BaseException.__init__` was last called with.
    pub args: Option<Arc<[Value]>>,
}

/// Attributes (of an instance, or of one thread in a `threading.local()`), in insertion order.
pub type Attrs = Vec<(Arc<str>, Value)>;

/// One heap object.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum HeapObj {
    /// A `list`.
    List(Vec<Value>),
    /// A `dict`: key/value pairs in insertion order (keys are hashable and unique under `==`).
    Dict(Vec<(Value, Value)>),
    /// A class defined with `class`.
    Class(ClassObj),
    /// An instance of a class.
    Instance(InstanceObj),
    /// A closure cell: a variable shared by a function and the functions nested in it
    /// (`Value::Null` while unbound).
    Cell(Value),
    /// A `threading.local()`: each thread's own attributes, by thread, in insertion order.
    Local(Vec<(u32, Attrs)>),
    /// A generator (of a generator expression).
    Gen(super::gens::GenObj),
    /// A `set`.
    Set(super::sets::SetObj),
    /// A `collections.deque`.
    Deque(super::deques::DequeObj),
}

/// What marks a dict as a `collections.Counter` among the defaultdicts' factories.
const COUNTER: Value = Value::Builtin(super::value::Builtin::Counter);

/// What marks a dict as a `collections.OrderedDict`.
const ORDERED: Value = Value::Builtin(super::value::Builtin::OrderedDict);

/// The heap of a state: objects by id, each shared until written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Heap {
    objects: Vec<Arc<super::cached::Cached<HeapObj>>>,
    /// The default factory of each `collections.defaultdict` (a dict in `objects`), by id, and
    /// the mark of each `collections.Counter`.
    factories: Arc<Vec<(u32, Value)>>,
}

/// What `obj.name` resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attr {
    /// A plain value.
    Value(Value),
    /// A function found on the class of instance `self_id` (a method).
    Method(Func, u32),
    /// A property getter to call with the instance `self_id`.
    Getter(Func, u32),
}

fn err(kind: ExcKind, message: impl Into<String>) -> Exception {
    Exception::new(kind, message)
}

impl Heap {
    /// Whether the heap has no objects and no factories: what it hashes adds nothing then.
    pub fn holds_nothing(&self) -> bool {
        self.objects.is_empty() && self.factories.is_empty()
    }

    /// Gives the heap copies of its own of the objects it shares with other states (see
    /// [`super::State::unshare`]).
    pub fn unshare(&mut self) {
        for o in &mut self.objects {
            *o = Arc::new((**o).clone());
        }
        self.factories = Arc::new((*self.factories).clone());
    }

    /// Allocates `obj` at the next free id (deterministic: ids are handed out in order).
    pub fn alloc(&mut self, obj: HeapObj, fp: &mut Footprint) -> u32 {
        fp.add(Access::Write(Object::Alloc));
        let id = self.objects.len() as u32;
        self.objects.push(Arc::new(super::cached::Cached::new(obj)));
        fp.add(Access::Write(Object::Heap(id)));
        id
    }

    /// What marks dict `id` among the factories (a defaultdict's factory, or the mark of a
    /// `Counter` or an `OrderedDict`), if anything.
    pub(super) fn factory_entry(&self, id: u32) -> Option<&Value> {
        self.factories.iter().find(|(d, _)| *d == id).map(|(_, f)| f)
    }

    /// Renumbers the objects (see `canon.rs`): new id `k` is old id `order[k]`, `map` takes old
    /// ids to new (or `u32::MAX`: dropped); `moved` says whether an object refers to an id that
    /// changes, `fix` renames the ids inside one, `fix_value` inside a value.
    pub(super) fn renumber(
        &mut self,
        order: &[u32],
        map: &[u32],
        moved: impl Fn(&HeapObj) -> bool,
        fix: impl Fn(&mut HeapObj),
        fix_value: impl Fn(&mut Value),
    ) {
        let objects = order
            .iter()
            .map(|&old| {
                let mut o = self.objects[old as usize].clone();
                if moved(&o) {
                    fix(super::cached::make_mut(&mut o));
                }
                o
            })
            .collect();
        self.objects = objects;
        if !self.factories.is_empty() {
            let mut f: Vec<(u32, Value)> = self
                .factories
                .iter()
                .filter(|(d, _)| map[*d as usize] != u32::MAX)
                .map(|(d, v)| {
                    let mut v = v.clone();
                    fix_value(&mut v);
                    (map[*d as usize], v)
                })
                .collect();
            f.sort_by_key(|(d, _)| *d);
            self.factories = Arc::new(f);
        }
    }

    /// The default factory of dict `id`, when it is a `collections.defaultdict`.
    pub fn factory(&self, id: u32) -> Option<&Value> {
        self.factories.iter().find(|(d, _)| *d == id).map(|(_, f)| f).filter(|f| **f != COUNTER && **f != ORDERED)
    }

    /// Whether dict `id` is a `collections.Counter`.
    pub fn is_counter(&self, id: u32) -> bool {
        self.factories.iter().any(|(d, f)| *d == id && *f == COUNTER)
    }

    /// Whether dict `id` is a `collections.OrderedDict`.
    pub fn is_ordered(&self, id: u32) -> bool {
        self.factories.iter().any(|(d, f)| *d == id && *f == ORDERED)
    }

    /// Makes dict `id` a `collections.OrderedDict`.
    pub(super) fn mark_ordered(&mut self, id: u32) {
        Arc::make_mut(&mut self.factories).push((id, ORDERED));
    }

    /// Makes dict `id` a `collections.Counter`.
    pub(super) fn mark_counter(&mut self, id: u32) {
        Arc::make_mut(&mut self.factories).push((id, COUNTER));
    }

    /// Makes dict `id` a `collections.defaultdict` with `factory`.
    pub(super) fn set_factory(&mut self, id: u32, factory: Value) {
        Arc::make_mut(&mut self.factories).push((id, factory));
    }

    /// Object `id`, recording a read.
    pub fn read(&self, id: u32, fp: &mut Footprint) -> &HeapObj {
        fp.add(Access::Read(Object::Heap(id)));
        &self.objects[id as usize]
    }

    /// Object `id`, without recording an access (for reports and renderings).
    pub fn peek(&self, id: u32) -> &HeapObj {
        &self.objects[id as usize]
    }

    /// Whether `v` is or holds (in a list, dict, tuple, deque or instance, at any depth) a
    /// library module's object, whose `repr` CPython gives with its address.
    pub fn holds_library_object(&self, v: &Value) -> bool {
        fn walk(heap: &Heap, v: &Value, seen: &mut Vec<u32>) -> bool {
            match v {
                Value::Tuple(items) => items.iter().any(|x| walk(heap, x, seen)),
                Value::Obj(id) if seen.contains(id) => false,
                Value::Obj(id) => {
                    seen.push(*id);
                    if heap.is_library_object(*id) {
                        return true;
                    }
                    match heap.peek(*id) {
                        HeapObj::List(items) => items.iter().any(|x| walk(heap, x, seen)),
                        HeapObj::Deque(d) => d.items.iter().any(|x| walk(heap, x, seen)),
                        HeapObj::Dict(pairs) => pairs.iter().any(|(k, x)| walk(heap, k, seen) || walk(heap, x, seen)),
                        HeapObj::Instance(i) => i.attrs.iter().any(|(_, x)| walk(heap, x, seen)),
                        _ => false,
                    }
                }
                _ => false,
            }
        }
        walk(self, v, &mut Vec::new())
    }

    /// Whether object `id` is a class of a library module, or an instance of one (an executor,
    /// a future, a timer): its `__module__` is the library's name (`concurrent.futures`,
    /// `threading`), never `__main__`.
    pub fn is_library_object(&self, id: u32) -> bool {
        let class = match self.peek(id) {
            HeapObj::Instance(i) => i.class,
            HeapObj::Class(_) => id,
            _ => return false,
        };
        match self.peek(class) {
            HeapObj::Class(c) => {
                c.attrs.iter().any(|(n, v)| &**n == "__module__" && matches!(v, Value::Str(m) if &**m != "__main__"))
            }
            _ => false,
        }
    }

    /// Object `id` for writing (copied first if another state shares it), recording a write.
    pub fn write(&mut self, id: u32, fp: &mut Footprint) -> &mut HeapObj {
        fp.add(Access::Write(Object::Heap(id)));
        super::cached::make_mut(&mut self.objects[id as usize])
    }

    /// [`Heap::write`] for a step that adds an item to list or dict `id`: first checks that
    /// the copy (when another state shares the object) and the growth of its storage fit under
    /// the run's memory ceiling (the checker's `MemoryError` otherwise).
    pub fn write_growing(&mut self, id: u32, fp: &mut Footprint) -> Result<&mut HeapObj, Exception> {
        let obj = &self.objects[id as usize];
        let (len, cap, item) = match &***obj {
            HeapObj::List(v) => (v.len(), v.capacity(), std::mem::size_of::<Value>()),
            HeapObj::Dict(v) => (v.len(), v.capacity(), std::mem::size_of::<(Value, Value)>()),
            _ => (0, 1, 0),
        };
        let shared = Arc::strong_count(obj) > 1;
        let mut bytes = if shared { len * item } else { 0 };
        if shared || len == cap {
            bytes += 2 * len.max(4) * item;
        }
        super::value::room(bytes as u64)?;
        Ok(self.write(id, fp))
    }

    /// The number of objects ever allocated.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether no object was ever allocated.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The Python type name of `v`, heap objects included (`list`, `dict`, `type`, the class).
    pub fn type_name(&self, v: &Value) -> String {
        match v {
            Value::Obj(id) => match self.peek(*id) {
                HeapObj::List(_) => "list".into(),
                HeapObj::Dict(_) if self.factory(*id).is_some() => "collections.defaultdict".into(),
                HeapObj::Dict(_) if self.is_counter(*id) => "Counter".into(),
                HeapObj::Dict(_) if self.is_ordered(*id) => "collections.OrderedDict".into(),
                HeapObj::Dict(_) => "dict".into(),
                HeapObj::Class(_) => "type".into(),
                HeapObj::Instance(i) => self.class_name(i.class).to_string(),
                HeapObj::Cell(_) => "cell".into(),
                HeapObj::Local(_) => "_thread._local".into(),
                HeapObj::Gen(_) => "generator".into(),
                HeapObj::Set(_) => "set".into(),
                HeapObj::Deque(_) => "collections.deque".into(),
            },
            other => other.type_name().into(),
        }
    }

    pub(super) fn class_name(&self, class: u32) -> &str {
        match self.peek(class) {
            HeapObj::Class(c) => &c.name,
            _ => "?",
        }
    }

    /// Python truthiness (empty lists and dicts are false).
    pub fn truthy(&self, v: &Value, fp: &mut Footprint) -> bool {
        match v {
            Value::Obj(id) => match self.read(*id, fp) {
                HeapObj::List(items) => !items.is_empty(),
                HeapObj::Dict(items) => !items.is_empty(),
                HeapObj::Set(set) => !set.is_empty(),
                HeapObj::Deque(d) => !d.items.is_empty(),
                _ => true,
            },
            Value::DictView(_, id) => view_len(self, *id, fp) > 0,
            other => other.truthy(),
        }
    }

    /// Python's `a == b`: lists and dicts by content, instances and classes by identity.
    pub fn eq(&self, a: &Value, b: &Value, fp: &mut Footprint) -> bool {
        match (a, b) {
            (Value::Obj(x), Value::Obj(y)) if x == y => true,
            (Value::Obj(_), _) | (_, Value::Obj(_)) if self.has_user_eq(a, b) => match self.user_eq(a, b, false) {
                Some(r) => r.is_some_and(|r| self.truthy(&r, fp)),
                None => false,
            },
            (Value::Obj(x), Value::Obj(y)) => match (self.read(*x, fp), self.read(*y, fp)) {
                (HeapObj::List(p), HeapObj::List(q)) => {
                    p.len() == q.len() && p.iter().zip(q.iter()).all(|(u, v)| self.eq(u, v, fp))
                }
                (HeapObj::Dict(p), HeapObj::Dict(q)) if self.is_counter(*x) && self.is_counter(*y) => {
                    super::counters::eq(self, p, q, fp)
                }
                // Two OrderedDicts are equal only in the same order.
                (HeapObj::Dict(p), HeapObj::Dict(q)) if self.is_ordered(*x) && self.is_ordered(*y) => {
                    p.len() == q.len()
                        && p.iter().zip(q.iter()).all(|((k, v), (k2, v2))| self.eq(k, k2, fp) && self.eq(v, v2, fp))
                }
                (HeapObj::Dict(p), HeapObj::Dict(q)) => {
                    p.len() == q.len()
                        && p.iter().all(|(k, v)| {
                            q.iter().find(|(k2, _)| self.eq(k, k2, fp)).is_some_and(|(_, v2)| self.eq(v, v2, fp))
                        })
                }
                (HeapObj::Set(p), HeapObj::Set(q)) => p.len() == q.len() && super::sets::subset(p, q),
                (HeapObj::Deque(p), HeapObj::Deque(q)) => {
                    p.items.len() == q.items.len() && p.items.iter().zip(q.items.iter()).all(|(u, v)| self.eq(u, v, fp))
                }
                _ => false,
            },
            (Value::Obj(_), _) | (_, Value::Obj(_)) => false,
            (Value::Tuple(x), Value::Tuple(y)) => {
                x.len() == y.len() && x.iter().zip(y.iter()).all(|(u, v)| self.eq(u, v, fp))
            }
            _ => value_eq(a, b),
        }
    }

    /// `a op b` for every comparison operator, heap objects included: lists compare
    /// lexicographically, dicts only for (in)equality, instances by identity.
    pub fn compare(&self, op: CmpOp, a: &Value, b: &Value, fp: &mut Footprint) -> Result<Value, Exception> {
        if matches!(a, Value::DictView(..)) || matches!(b, Value::DictView(..)) {
            return view_compare(self, op, a, b, fp);
        }
        let involves_heap = |v: &Value| match v {
            Value::Obj(_) => true,
            Value::Tuple(t) => t.iter().any(|x| matches!(x, Value::Obj(_) | Value::Tuple(_))),
            _ => false,
        };
        if !involves_heap(a) && !involves_heap(b) {
            return compare(op, a, b);
        }
        if matches!(op, CmpOp::Eq | CmpOp::Ne) && self.has_user_eq(a, b) {
            // `==` gives what the method returns (`!=` without `__ne__`: its negation).
            if let Some(r) = self.user_eq(a, b, op == CmpOp::Ne) {
                return Ok(r.unwrap_or(Value::Bool(false)));
            }
        }
        match op {
            CmpOp::Eq => return Ok(Value::Bool(self.eq(a, b, fp))),
            CmpOp::Ne => return Ok(Value::Bool(!self.eq(a, b, fp))),
            _ => {}
        }
        if let (Value::Obj(x), Value::Obj(y)) = (a, b) {
            if let (HeapObj::Set(p), HeapObj::Set(q)) = (self.read(*x, fp), self.read(*y, fp)) {
                // Subset order (`set_richcompare`).
                let (p_le_q, q_le_p) = (super::sets::subset(p, q), super::sets::subset(q, p));
                return Ok(Value::Bool(match op {
                    CmpOp::Lt => p_le_q && p.len() < q.len(),
                    CmpOp::Le => p_le_q,
                    CmpOp::Gt => q_le_p && q.len() < p.len(),
                    _ => q_le_p,
                }));
            }
        }
        match self.order(a, b, fp) {
            Some(ord) => Ok(Value::Bool(match op {
                CmpOp::Lt => ord == Ordering::Less,
                CmpOp::Le => ord != Ordering::Greater,
                CmpOp::Gt => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            })),
            None => {
                // CPython compares two sequences by their first items that differ, so the error
                // names the types of those items.
                let (x, y) = self.first_unequal(a, b, fp);
                Err(err(
                    ExcKind::TypeError,
                    format!(
                        "'{}' not supported between instances of '{}' and '{}'",
                        op.symbol(),
                        self.type_name(x),
                        self.type_name(y)
                    ),
                ))
            }
        }
    }

    /// The innermost pair of items whose comparison decides `a op b`: within two tuples or two
    /// lists, the first items that differ (searched again inside them), else `a` and `b`.
    fn first_unequal<'v>(&'v self, a: &'v Value, b: &'v Value, fp: &mut Footprint) -> (&'v Value, &'v Value) {
        let items = |v: &'v Value| -> Option<&'v [Value]> {
            match v {
                Value::Tuple(t) => Some(&t[..]),
                Value::Obj(id) => match self.peek(*id) {
                    HeapObj::List(items) => Some(&items[..]),
                    _ => None,
                },
                _ => None,
            }
        };
        let same_kind = matches!((a, b), (Value::Tuple(_), Value::Tuple(_)) | (Value::Obj(_), Value::Obj(_)));
        if let (true, Some(x), Some(y)) = (same_kind, items(a), items(b)) {
            if let Some((p, q)) = x.iter().zip(y.iter()).find(|(p, q)| !self.eq(p, q, fp)) {
                return self.first_unequal(p, q, fp);
            }
        }
        (a, b)
    }

    fn seq_order(&self, x: &[Value], y: &[Value], fp: &mut Footprint) -> Option<Ordering> {
        for (p, q) in x.iter().zip(y.iter()) {
            if !self.eq(p, q, fp) {
                return self.order(p, q, fp);
            }
        }
        Some(x.len().cmp(&y.len()))
    }

    fn order(&self, a: &Value, b: &Value, fp: &mut Footprint) -> Option<Ordering> {
        match (a, b) {
            (Value::Obj(x), Value::Obj(y)) => match (self.read(*x, fp), self.read(*y, fp)) {
                (HeapObj::List(p), HeapObj::List(q)) => self.seq_order(p, q, fp),
                _ => None,
            },
            (Value::Tuple(x), Value::Tuple(y)) => self.seq_order(x, y, fp),
            (Value::Obj(_), _) | (_, Value::Obj(_)) => None,
            _ => match compare(CmpOp::Lt, a, b) {
                Ok(Value::Bool(true)) => Some(Ordering::Less),
                Ok(_) => match compare(CmpOp::Gt, a, b) {
                    Ok(Value::Bool(true)) => Some(Ordering::Greater),
                    Ok(_) => Some(Ordering::Equal),
                    Err(_) => None,
                },
                Err(_) => None,
            },
        }
    }

    /// Checks that `key` can be a dict key (ints, strs, bools, None, tuples of those, and
    /// instances and classes, which hash by identity).
    pub(super) fn check_hashable(&self, key: &Value) -> Result<(), Exception> {
        match key {
            Value::Obj(id) => match self.peek(*id) {
                HeapObj::List(_) | HeapObj::Dict(_) | HeapObj::Set(_) | HeapObj::Deque(_) => {
                    Err(err(ExcKind::TypeError, format!("unhashable type: '{}'", self.type_name(key))))
                }
                // A class that defines `__eq__` (and no `__hash__`) gets `__hash__ = None`.
                HeapObj::Instance(_) if self.special_method(*id, super::special::Special::Eq).is_some() => {
                    Err(err(ExcKind::TypeError, format!("unhashable type: '{}'", self.type_name(key))))
                }
                _ => Ok(()),
            },
            Value::Tuple(items) => items.iter().try_for_each(|x| self.check_hashable(x)),
            Value::Slice(_) => Err(err(ExcKind::TypeError, "unhashable type: 'slice'")),
            Value::DictView(view, _) => {
                Err(err(ExcKind::TypeError, format!("unhashable type: '{}'", view.type_name())))
            }
            _ => Ok(()),
        }
    }

    /// The index of `key` in dict `items`.
    fn dict_index(&self, items: &[(Value, Value)], key: &Value, fp: &mut Footprint) -> Option<usize> {
        items.iter().position(|(k, _)| self.eq(k, key, fp))
    }

    /// `container[key]` (BINARY_SUBSCR) for lists, dicts, tuples and strs.
    pub fn subscr(&self, container: &Value, key: &Value, fp: &mut Footprint) -> Result<Value, Exception> {
        match container {
            Value::Obj(id) => match self.read(*id, fp) {
                HeapObj::List(items) => {
                    let i = self.seq_index(items.len(), key, "list", "list index out of range")?;
                    Ok(items[i].clone())
                }
                HeapObj::Dict(items) => {
                    self.check_hashable(key)?;
                    match self.dict_index(items, key, fp) {
                        Some(i) => Ok(items[i].1.clone()),
                        None => Err(Exception::key_error(key, self.repr(key))),
                    }
                }
                HeapObj::Deque(d) => Ok(d.items[super::deques::index(self, d.items.len(), key)?].clone()),
                _ => Err(self.not_subscriptable(container)),
            },
            Value::Tuple(items) => {
                let i = self.seq_index(items.len(), key, "tuple", "tuple index out of range")?;
                Ok(items[i].clone())
            }
            Value::Str(s) => {
                let chars: Vec<char> = s.chars().collect();
                let i = self.seq_index(chars.len(), key, "string", "string index out of range")?;
                Ok(Value::Str(chars[i].to_string().into()))
            }
            _ => Err(self.not_subscriptable(container)),
        }
    }

    fn not_subscriptable(&self, v: &Value) -> Exception {
        err(ExcKind::TypeError, format!("'{}' object is not subscriptable", self.type_name(v)))
    }

    /// A sequence index: ints and bools, negative from the end, IndexError when out of range.
    pub(super) fn seq_index(
        &self,
        len: usize,
        key: &Value,
        what: &str,
        out_of_range: &str,
    ) -> Result<usize, Exception> {
        let i = match key {
            Value::Int(i) => *i,
            Value::Bool(b) => *b as i64,
            Value::Big(_) => return Err(err(ExcKind::IndexError, out_of_range)),
            // 3.11 words a str's own way (`unicode_subscript`).
            other if what == "string" => {
                return Err(err(
                    ExcKind::TypeError,
                    format!("string indices must be integers, not '{}'", self.type_name(other)),
                ))
            }
            other => {
                return Err(err(
                    ExcKind::TypeError,
                    format!("{what} indices must be integers or slices, not {}", self.type_name(other)),
                ))
            }
        };
        let len = len as i64;
        let j = if i < 0 { i + len } else { i };
        if j < 0 || j >= len {
            return Err(err(ExcKind::IndexError, out_of_range));
        }
        Ok(j as usize)
    }

    /// `container[key] = value` (STORE_SUBSCR) for lists and dicts.
    pub fn store_subscr(
        &mut self,
        container: &Value,
        key: &Value,
        value: Value,
        fp: &mut Footprint,
    ) -> Result<(), Exception> {
        let Value::Obj(id) = container else {
            return Err(err(
                ExcKind::TypeError,
                format!("'{}' object does not support item assignment", self.type_name(container)),
            ));
        };
        match self.read(*id, fp) {
            HeapObj::List(items) => {
                let i = self.seq_index(items.len(), key, "list", "list assignment index out of range")?;
                if let HeapObj::List(items) = self.write_growing(*id, fp)? {
                    items[i] = value;
                }
                Ok(())
            }
            HeapObj::Deque(d) => {
                let i = super::deques::index(self, d.items.len(), key)?;
                if let HeapObj::Deque(d) = self.write(*id, fp) {
                    d.items[i] = value;
                }
                Ok(())
            }
            HeapObj::Dict(items) => {
                self.check_hashable(key)?;
                let at = self.dict_index(items, key, fp);
                if let HeapObj::Dict(items) = self.write_growing(*id, fp)? {
                    match at {
                        Some(i) => items[i].1 = value,
                        None => items.push((key.clone(), value)),
                    }
                }
                Ok(())
            }
            _ => Err(err(
                ExcKind::TypeError,
                format!("'{}' object does not support item assignment", self.type_name(container)),
            )),
        }
    }

    /// `item in container` for lists, dicts (keys), tuples and strs.
    pub fn contains(&self, container: &Value, item: &Value, fp: &mut Footprint) -> Result<bool, Exception> {
        match container {
            Value::Obj(id) => match self.read(*id, fp) {
                HeapObj::List(items) => Ok(items.iter().any(|x| self.eq(x, item, fp))),
                HeapObj::Deque(d) => Ok(d.items.iter().any(|x| self.eq(x, item, fp))),
                HeapObj::Dict(items) => {
                    self.check_hashable(item)?;
                    Ok(self.dict_index(items, item, fp).is_some())
                }
                HeapObj::Gen(_) => Err(super::step::unsupported("'in' on a generator")),
                HeapObj::Set(set) => {
                    self.check_hashable(item)?;
                    Ok(set.contains(item))
                }
                _ => Err(err(
                    ExcKind::TypeError,
                    format!("argument of type '{}' is not iterable", self.type_name(container)),
                )),
            },
            Value::Tuple(items) => Ok(items.iter().any(|x| self.eq(x, item, fp))),
            Value::DictView(view, id) => view_contains(self, *view, *id, item, fp),
            Value::Str(s) => match item {
                Value::Str(sub) => Ok(s.contains(&**sub)),
                other => Err(err(
                    ExcKind::TypeError,
                    format!("'in <string>' requires string as left operand, not {}", self.type_name(other)),
                )),
            },
            other => {
                Err(err(ExcKind::TypeError, format!("argument of type '{}' is not iterable", self.type_name(other))))
            }
        }
    }

    /// `len(v)`.
    pub fn len_of(&self, v: &Value, fp: &mut Footprint) -> Result<usize, Exception> {
        match v {
            Value::Obj(id) => match self.read(*id, fp) {
                HeapObj::List(items) => Ok(items.len()),
                HeapObj::Dict(items) => Ok(items.len()),
                HeapObj::Set(set) => Ok(set.len()),
                HeapObj::Deque(d) => Ok(d.items.len()),
                _ => Err(err(ExcKind::TypeError, format!("object of type '{}' has no len()", self.type_name(v)))),
            },
            Value::Tuple(t) => Ok(t.len()),
            Value::DictView(_, id) => Ok(view_len(self, *id, fp)),
            Value::Str(s) => Ok(s.chars().count()),
            other => Err(err(ExcKind::TypeError, format!("object of type '{}' has no len()", self.type_name(other)))),
        }
    }

    /// The items of an iterable (list, dict keys, tuple, str, range iterator), as `min`/`max`
    /// read them.
    pub fn items_of(&self, v: &Value, fp: &mut Footprint) -> Result<Vec<Value>, Exception> {
        match v {
            Value::Obj(id) => match self.read(*id, fp) {
                HeapObj::List(items) => Ok(items.clone()),
                HeapObj::Dict(items) => Ok(items.iter().map(|(k, _)| k.clone()).collect()),
                HeapObj::Set(set) => set.ordered().ok_or_else(|| super::sets::order_unknown("iterating")),
                HeapObj::Deque(d) => Ok(d.items.clone()),
                HeapObj::Gen(_) => Err(super::step::unsupported(
                    "iterating a generator other than by a for loop or a builtin that takes it whole",
                )),
                _ => Err(err(ExcKind::TypeError, format!("'{}' object is not iterable", self.type_name(v)))),
            },
            Value::Tuple(t) => Ok(t.to_vec()),
            Value::DictView(view, id) => Ok(view_items(self, *view, *id, fp)),
            Value::Str(s) => {
                super::value::room((s.len() * (std::mem::size_of::<Value>() + 24)) as u64)?;
                Ok(s.chars().map(|c| Value::Str(c.to_string().into())).collect())
            }
            Value::RangeIter { next, stop, step } => {
                let mut out = Vec::new();
                let mut i = *next;
                while (*step > 0 && i < *stop) || (*step < 0 && i > *stop) {
                    if out.len() > 1 << 20 {
                        return Err(super::step::checker_limit(format!(
                            "a range of more than {} items made into a list is beyond the checker's limit",
                            1 << 20
                        )));
                    }
                    out.push(Value::Int(i));
                    i = i.saturating_add(*step);
                }
                Ok(out)
            }
            it @ (Value::TupleIter(..)
            | Value::ListIter(..)
            | Value::SetIter(..)
            | Value::DictIter(..)
            | Value::ListRevIter(..)
            | Value::Enumerate(..)
            | Value::Zip(..)
            | Value::Map(..)) => super::iters::drain(self, it, fp),
            other => Err(err(ExcKind::TypeError, format!("'{}' object is not iterable", self.type_name(other)))),
        }
    }

    /// `min(...)` (`want_max` false) or `max(...)` of positional arguments: one iterable, or two
    /// or more values. Ties keep the first, as CPython does.
    pub fn min_max(&self, args: &[Value], want_max: bool, fp: &mut Footprint) -> Result<Value, Exception> {
        let name = if want_max { "max" } else { "min" };
        let items = match args {
            [] => return Err(err(ExcKind::TypeError, format!("{name} expected at least 1 argument, got 0"))),
            [one] => self.items_of(one, fp)?,
            many => many.to_vec(),
        };
        let mut it = items.into_iter();
        let Some(mut best) = it.next() else {
            return Err(err(ExcKind::ValueError, format!("{name}() arg is an empty sequence")));
        };
        let op = if want_max { CmpOp::Gt } else { CmpOp::Lt };
        for x in it {
            if self.compare(op, &x, &best, fp)?.truthy() {
                best = x;
            }
        }
        Ok(best)
    }

    /// `int(x)` for ints, bools and strs of decimal digits.
    pub fn to_int(&self, args: &[Value]) -> Result<Value, Exception> {
        match args {
            [] => Ok(Value::Int(0)),
            [Value::Int(i)] => Ok(Value::Int(*i)),
            [v @ Value::Big(_)] => Ok(v.clone()),
            [Value::Float(f)] => crate::pyfloat::to_int(f.0).map(Value::big).map_err(super::arith::float_error),
            [Value::Bool(b)] => Ok(Value::Int(*b as i64)),
            // CPython reads Unicode digits and spaces too, which are not modelled.
            [Value::Str(s), ..] if !s.is_ascii() => {
                Err(super::step::unsupported("int() of a str with characters beyond ASCII"))
            }
            [Value::Str(s), base] => {
                let base = match base {
                    Value::Int(b) if *b == 0 || (2..=36).contains(b) => *b as u32,
                    Value::Bool(false) => 0,
                    Value::Int(_) | Value::Big(_) | Value::Bool(true) => {
                        return Err(err(ExcKind::ValueError, "int() base must be >= 2 and <= 36, or 0"))
                    }
                    other => {
                        return Err(err(
                            ExcKind::TypeError,
                            format!("'{}' object cannot be interpreted as an integer", self.type_name(other)),
                        ))
                    }
                };
                match super::numops::parse_int(s, base) {
                    Some(b) => Ok(Value::big(b)),
                    None => Err(err(
                        ExcKind::ValueError,
                        format!("invalid literal for int() with base {base}: {}", py_str_repr(s)),
                    )),
                }
            }
            [_, _] => Err(err(ExcKind::TypeError, "int() can't convert non-string with explicit base")),
            [Value::Str(s)] => match super::numops::parse_int(s, 10) {
                Some(b) => Ok(Value::big(b)),
                None => {
                    Err(err(ExcKind::ValueError, format!("invalid literal for int() with base 10: {}", py_str_repr(s))))
                }
            },
            [other] => Err(err(
                ExcKind::TypeError,
                format!(
                    "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                    self.type_name(other)
                ),
            )),
            _ => Err(err(ExcKind::TypeError, format!("int() takes at most 2 arguments ({} given)", args.len()))),
        }
    }
}
