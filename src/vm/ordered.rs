//! `collections.OrderedDict` (C code in CPython 3.11, `odictobject.c`): a dict whose order the
//! program may change: `move_to_end(key, last=True)` and `popitem(last=True)`, each one step.
//! Every other operation is the dict's; `==` between two of them compares their order too, and
//! the repr is 3.11's `OrderedDict([(k, v), ...])`.
//!
//! CPython's iterator over one raises `RuntimeError` when its order changes, even at the same
//! size; the checker's dict iterator sees only the size, so a change of order while an iterator
//! is open stops the run as not modelled, and so does iterating one while another thread is alive.

use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::state::State;
use super::step::{err, unsupported};
use super::value::{ExcKind, Exception, Value};

/// A method of `OrderedDict` beyond the dict's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum OrderedMethod {
    /// `move_to_end(key, last=True)`
    MoveToEnd,
    /// `popitem(last=True)`
    PopItem,
}

impl OrderedMethod {
    /// The method called `name`, if it is one of these.
    pub fn from_name(name: &str) -> Option<OrderedMethod> {
        match name {
            "move_to_end" => Some(OrderedMethod::MoveToEnd),
            "popitem" => Some(OrderedMethod::PopItem),
            _ => None,
        }
    }

    /// The qualified name, e.g. `OrderedDict.move_to_end`.
    pub fn qualname(self) -> &'static str {
        match self {
            OrderedMethod::MoveToEnd => "OrderedDict.move_to_end",
            OrderedMethod::PopItem => "OrderedDict.popitem",
        }
    }
}

/// `OrderedDict([iterable or mapping], **kwargs)`.
pub(super) fn new(
    heap: &mut Heap,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    if args.len() > 1 {
        return Err(err(ExcKind::TypeError, format!("expected at most 1 arguments, got {}", args.len())));
    }
    let d = super::dictops::new_dict(heap, args, kwargs, fp)?;
    if let Value::Obj(id) = d {
        heap.mark_ordered(id);
    }
    Ok(d)
}

/// Whether some thread's frame holds an iterator over dict `id` (its keys, values or items).
fn iterated(state: &State, id: u32) -> bool {
    state
        .threads
        .iter()
        .any(|t| t.frames.iter().any(|f| f.stack.iter().any(|v| matches!(v, Value::DictIter(d, ..) if *d == id))))
}

/// The `last=` argument (positional after the key, or by keyword).
fn last_arg(args: &[Value], kwargs: &[(String, Value)], heap: &Heap, at: usize, name: &str) -> Result<bool, Exception> {
    let mut last = args.get(at).cloned();
    for (k, v) in kwargs {
        if k != "last" || last.is_some() {
            return Err(err(ExcKind::TypeError, format!("{name}() got an unexpected keyword argument '{k}'")));
        }
        last = Some(v.clone());
    }
    Ok(last.is_none_or(|v| heap.truthy(&v, &mut Footprint::default())))
}

/// Calls `m` on OrderedDict `id`.
pub(super) fn call(
    state: &mut State,
    m: OrderedMethod,
    id: u32,
    args: &[Value],
    kwargs: &[(String, Value)],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    let name = &m.qualname()[12..];
    let (max, min) = match m {
        OrderedMethod::MoveToEnd => (2, 1),
        OrderedMethod::PopItem => (1, 0),
    };
    if args.len() > max || args.len() < min {
        let want = if m == OrderedMethod::MoveToEnd {
            "from 1 to 2 positional arguments"
        } else {
            "at most 1 positional argument"
        };
        return Err(err(ExcKind::TypeError, format!("{name}() takes {want} but {} were given", args.len())));
    }
    let last = last_arg(args, kwargs, &state.heap, min, name)?;
    if iterated(state, id) {
        return Err(unsupported(format!(
            "OrderedDict.{name}() while an iterator over it is open (CPython's iterator would raise RuntimeError)"
        )));
    }
    let heap = &mut state.heap;
    let found = match m {
        OrderedMethod::MoveToEnd => {
            let HeapObj::Dict(items) = heap.read(id, fp) else { return Err(unsupported("move_to_end of a non-dict")) };
            let key = &args[0];
            let items = items.clone();
            let at = items.iter().position(|(k, _)| Heap::eq(heap, k, key, fp));
            let Some(at) = at else { return Err(Exception::key_error(key, heap.repr(key))) };
            at
        }
        OrderedMethod::PopItem => {
            let HeapObj::Dict(items) = heap.read(id, fp) else { return Err(unsupported("popitem of a non-dict")) };
            if items.is_empty() {
                return Err(Exception::key_error_text("dictionary is empty"));
            }
            if last {
                items.len() - 1
            } else {
                0
            }
        }
    };
    let HeapObj::Dict(items) = heap.write(id, fp) else { unreachable!("read above") };
    let entry = items.remove(found);
    match m {
        OrderedMethod::MoveToEnd => {
            if last {
                items.push(entry);
            } else {
                items.insert(0, entry);
            }
            Ok(Value::None)
        }
        OrderedMethod::PopItem => Ok(Value::Tuple(vec![entry.0, entry.1].into())),
    }
}

/// The repr of an OrderedDict with `items`, as 3.11 writes it.
pub(super) fn repr(items: &[(Value, Value)], mut repr: impl FnMut(&Value) -> String) -> String {
    if items.is_empty() {
        return "OrderedDict()".into();
    }
    let parts: Vec<String> = items.iter().map(|(k, v)| format!("({}, {})", repr(k), repr(v))).collect();
    format!("OrderedDict([{}])", parts.join(", "))
}

/// Whether a new iterator over OrderedDict `id` may be made on thread `tid` (no other thread
/// alive, which could change its order while it runs).
pub(super) fn check_iteration(state: &State, tid: usize, v: &Value) -> Result<(), Exception> {
    let id = match v {
        Value::Obj(id) => *id,
        Value::DictView(_, id) => *id,
        _ => return Ok(()),
    };
    if !state.heap.is_ordered(id) {
        return Ok(());
    }
    if state.threads.iter().enumerate().any(|(t, th)| t != tid && th.is_alive()) {
        return Err(unsupported(
            "iterating an OrderedDict while another thread is alive (CPython's iterator raises RuntimeError when its order changes)",
        ));
    }
    Ok(())
}
