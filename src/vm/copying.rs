//! The `copy` module: `copy.copy(x)` and `copy.deepcopy(x)`.
//!
//! CPython writes `copy` in Python. A shallow copy reads what it copies in one C call (`list.copy`,
//! `dict.copy`, `y.__dict__.update(state)` for an instance), so it is one step here, entered at a
//! switch point like the library's other Python functions. A deep copy walks the object graph in
//! Python, one item at a time with switch points between, so another thread can change what it
//! has not reached yet: it is one step here only where no other thread can run during it (none is
//! alive) or where it copies nothing mutable; anywhere else the run stops as not modelled.

use super::footprint::Footprint;
use super::heap::{Heap, HeapObj, InstanceObj};
use super::state::State;
use super::step::{err, unsupported};
use super::value::{Builtin, ExcKind, Exception, Tid, Value};
use std::collections::HashMap;

/// A function of `copy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum CopyFn {
    /// `copy.copy`
    Copy,
    /// `copy.deepcopy`
    DeepCopy,
}

impl CopyFn {
    /// `copy.name`, if the checker models it.
    pub fn lookup(name: &str) -> Option<Builtin> {
        Some(Builtin::Copy(match name {
            "copy" => CopyFn::Copy,
            "deepcopy" => CopyFn::DeepCopy,
            _ => return None,
        }))
    }

    /// The qualified name, e.g. `copy.deepcopy`.
    pub fn qualname(self) -> &'static str {
        match self {
            CopyFn::Copy => "copy.copy",
            CopyFn::DeepCopy => "copy.deepcopy",
        }
    }
}

/// Calls `f` with `args` on thread `tid`.
pub(super) fn call(
    state: &mut State,
    tid: Tid,
    f: CopyFn,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    let name = &f.qualname()[5..];
    if let Some((k, _)) = kwargs.first() {
        if !(f == CopyFn::DeepCopy && k == "memo") {
            return Err(err(ExcKind::TypeError, format!("{name}() got an unexpected keyword argument '{k}'")));
        }
    }
    if !kwargs.is_empty() || args.len() == 2 && f == CopyFn::DeepCopy {
        return Err(unsupported("copy.deepcopy(x, memo) (copy.deepcopy(x) is)"));
    }
    let [x] = args else {
        let want = if f == CopyFn::Copy { "1 positional argument" } else { "from 1 to 2 positional arguments" };
        return Err(err(ExcKind::TypeError, format!("{name}() takes {want} but {} were given", args.len())));
    };
    match f {
        CopyFn::Copy => shallow(&mut state.heap, x, fp),
        CopyFn::DeepCopy => {
            let others_run = state.threads.iter().enumerate().any(|(t, th)| t != tid && th.is_alive());
            if others_run && mutable_reachable(&state.heap, x) {
                return Err(unsupported(
                    "copy.deepcopy of a mutable object while another thread is alive (CPython copies it one \
                     item at a time, with thread switches between; copy it before starting the threads or after \
                     joining them, or copy.copy each level)",
                ));
            }
            deep(&mut state.heap, x, &mut HashMap::new(), fp)
        }
    }
}

/// Why `copy` cannot copy what `v` is, as a stop of the run (CPython's errors for these come
/// from pickling and name addresses, or the object is one the checker does not model copying).
fn not_copyable(heap: &Heap, v: &Value) -> Exception {
    unsupported(format!("copying a {} object", heap.type_name(v)))
}

/// Whether `v` is returned as it is by both copies (CPython's `_copy_immutable` and
/// `_deepcopy_atomic` types, and classes).
fn atomic(heap: &Heap, v: &Value) -> bool {
    match v {
        Value::None
        | Value::Bool(_)
        | Value::Int(_)
        | Value::Big(_)
        | Value::Float(_)
        | Value::Str(_)
        | Value::Function(_)
        | Value::Builtin(_)
        | Value::ExcType(_) => true,
        Value::Obj(id) => matches!(heap.peek(*id), HeapObj::Class(_)),
        _ => false,
    }
}

/// The class of instance `id` defines a method that changes how `copy` copies it, or is an
/// exception class (whose `__reduce__` calls the class again, running its `__init__`).
fn custom_copy(heap: &Heap, inst: &InstanceObj) -> bool {
    inst.args.is_some()
        || ["__copy__", "__deepcopy__", "__reduce__", "__reduce_ex__", "__getstate__", "__setstate__", "__getnewargs__"]
            .iter()
            .any(|m| heap.class_attr(inst.class, m, &mut Footprint::default()).is_some())
}

/// `copy.copy(x)`.
fn shallow(heap: &mut Heap, x: &Value, fp: &mut Footprint) -> Result<Value, Exception> {
    if atomic(heap, x) || matches!(x, Value::Tuple(_) | Value::Partial(_)) {
        return Ok(x.clone());
    }
    let Value::Obj(id) = *x else { return Err(not_copyable(heap, x)) };
    let copy = match heap.read(id, fp) {
        HeapObj::List(items) => HeapObj::List(items.clone()),
        HeapObj::Dict(items) => HeapObj::Dict(items.clone()),
        HeapObj::Set(s) => HeapObj::Set(s.copy()),
        HeapObj::Deque(d) => HeapObj::Deque(super::deques::DequeObj { state: 0, ..d.clone() }),
        HeapObj::Instance(inst) if inst.thread.is_none() && !custom_copy(heap, inst) => {
            HeapObj::Instance(InstanceObj { class: inst.class, attrs: inst.attrs.clone(), thread: None, args: None })
        }
        _ => return Err(not_copyable(heap, x)),
    };
    super::value::room(64 * std::mem::size_of::<Value>() as u64)?;
    let new = heap.alloc(copy, fp);
    copy_kind(heap, id, new);
    Ok(Value::Obj(new))
}

/// Makes dict `new` a defaultdict or Counter as dict `old` is.
fn copy_kind(heap: &mut Heap, old: u32, new: u32) {
    if heap.is_counter(old) {
        heap.mark_counter(new);
    } else if heap.is_ordered(old) {
        heap.mark_ordered(new);
    } else if let Some(f) = heap.factory(old).cloned() {
        heap.set_factory(new, f);
    }
}

/// Whether a mutable object is reachable from `v`.
fn mutable_reachable(heap: &Heap, v: &Value) -> bool {
    match v {
        Value::Tuple(items) => items.iter().any(|x| mutable_reachable(heap, x)),
        Value::Partial(p) => {
            mutable_reachable(heap, &p.func)
                || p.args.iter().any(|x| mutable_reachable(heap, x))
                || p.keywords.iter().any(|(_, x)| mutable_reachable(heap, x))
        }
        Value::Obj(id) => !matches!(heap.peek(*id), HeapObj::Class(_)),
        _ => false,
    }
}

/// `copy.deepcopy(x)`, with `memo` mapping the heap objects copied so far to their copies (so
/// shared objects stay shared and cycles end), as CPython's memo dict does.
fn deep(heap: &mut Heap, x: &Value, memo: &mut HashMap<u32, u32>, fp: &mut Footprint) -> Result<Value, Exception> {
    if atomic(heap, x) {
        return Ok(x.clone());
    }
    match x {
        // A tuple whose items all copy to themselves is itself (`_deepcopy_tuple`).
        Value::Tuple(items) => {
            let copies: Result<Vec<Value>, Exception> = items.iter().map(|v| deep(heap, v, memo, fp)).collect();
            let copies = copies?;
            if copies.iter().zip(items.iter()).all(|(a, b)| a == b) {
                return Ok(x.clone());
            }
            return Ok(Value::Tuple(copies.into()));
        }
        Value::Obj(id) => {
            if let Some(done) = memo.get(id) {
                return Ok(Value::Obj(*done));
            }
        }
        _ => return Err(not_copyable(heap, x)),
    }
    let Value::Obj(id) = *x else { unreachable!() };
    super::value::room(64 * std::mem::size_of::<Value>() as u64)?;
    // The copy exists (empty) before its items are copied, so a cycle finds it in the memo.
    let (shell, items): (HeapObj, Vec<Value>) = match heap.read(id, fp) {
        HeapObj::List(items) => (HeapObj::List(Vec::new()), items.clone()),
        HeapObj::Dict(entries) => {
            (HeapObj::Dict(Vec::new()), entries.iter().flat_map(|(k, v)| [k.clone(), v.clone()]).collect())
        }
        HeapObj::Deque(d) => {
            (HeapObj::Deque(super::deques::DequeObj { state: 0, items: Vec::new(), ..d.clone() }), d.items.clone())
        }
        HeapObj::Instance(inst) if inst.thread.is_none() && !custom_copy(heap, inst) => (
            HeapObj::Instance(InstanceObj { class: inst.class, attrs: Vec::new(), thread: None, args: None }),
            inst.attrs.iter().map(|(_, v)| v.clone()).collect(),
        ),
        // A set holds only hashable (immutable) items: their copies are themselves, added to a
        // new set in the old one's order (`set.__reduce__` gives `set(list(self))`).
        HeapObj::Set(s) if s.items().iter().all(|v| !mutable_reachable(heap, v)) => {
            let mut fresh = super::sets::SetObj::new();
            fresh.extend(s.items());
            let copy = HeapObj::Set(fresh);
            let new = heap.alloc(copy, fp);
            memo.insert(id, new);
            return Ok(Value::Obj(new));
        }
        _ => return Err(not_copyable(heap, x)),
    };
    let new = heap.alloc(shell, fp);
    memo.insert(id, new);
    copy_kind(heap, id, new);
    let mut copies = Vec::with_capacity(items.len());
    for v in &items {
        copies.push(deep(heap, v, memo, fp)?);
    }
    let names: Vec<std::sync::Arc<str>> = match heap.peek(id) {
        HeapObj::Instance(inst) => inst.attrs.iter().map(|(n, _)| n.clone()).collect(),
        _ => Vec::new(),
    };
    match heap.write(new, fp) {
        HeapObj::List(out) => *out = copies,
        HeapObj::Dict(out) => {
            let mut it = copies.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                out.push((k, v));
            }
        }
        HeapObj::Deque(d) => d.items = copies,
        HeapObj::Instance(inst) => inst.attrs = names.into_iter().zip(copies).collect(),
        _ => unreachable!("[internal bug] a deep copy's shell changed kind"),
    }
    Ok(Value::Obj(new))
}
