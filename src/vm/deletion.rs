//! The `del` statement's targets that are not names: `del container[key]` (DELETE_SUBSCR) and
//! `del obj.name` (DELETE_ATTR), each one C call in CPython, with its errors.

use super::dictops::{remove_or_copy, DictMethod};
use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::value::{ExcKind, Exception, Value};

/// `del container[key]`: a list's or a deque's item by index, a dict's entry by key (a
/// `Counter` ignores a missing key, as its `__delitem__` does).
pub(super) fn delete_subscr(
    heap: &mut Heap,
    container: &Value,
    key: &Value,
    fp: &mut Footprint,
) -> Result<(), Exception> {
    let not_deletable = |heap: &Heap| {
        Exception::new(
            ExcKind::TypeError,
            format!("'{}' object doesn't support item deletion", heap.type_name(container)),
        )
    };
    let Value::Obj(id) = *container else { return Err(not_deletable(heap)) };
    match heap.read(id, fp) {
        HeapObj::List(_) if matches!(key, Value::Slice(_)) => {
            Err(super::step::unsupported("deleting a slice of a list (del a[i:j])"))
        }
        HeapObj::List(items) => {
            let i = heap.seq_index(items.len(), key, "list", "list assignment index out of range")?;
            if let HeapObj::List(items) = heap.write(id, fp) {
                items.remove(i);
            }
            Ok(())
        }
        HeapObj::Deque(d) => {
            let i = super::deques::index(heap, d.items.len(), key)?;
            if let HeapObj::Deque(d) = heap.write(id, fp) {
                d.remove_at(i);
            }
            Ok(())
        }
        HeapObj::Dict(_) if heap.is_counter(id) && !heap.contains(container, key, fp)? => Ok(()),
        HeapObj::Dict(_) => remove_or_copy(heap, DictMethod::Pop, id, std::slice::from_ref(key), fp).map(|_| ()),
        _ => Err(not_deletable(heap)),
    }
}

/// `del obj.name`: CPython's `delattr(obj, name)`.
pub(super) fn delete_attr(heap: &mut Heap, obj: &Value, name: &str, fp: &mut Footprint) -> Result<(), Exception> {
    super::reflect::delattr(heap, &[obj.clone(), Value::Str(name.into())], fp).map(|_| ())
}
