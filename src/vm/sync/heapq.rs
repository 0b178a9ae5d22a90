//! `PriorityQueue`'s list, kept as CPython's `_heapq` module keeps it (`heappush` and
//! `heappop`, with its comparisons in the same order and its swaps in place), so that items of
//! equal priority come out in CPython's order and an item that cannot be compared raises
//! CPython's `TypeError` at the same point.

use super::super::footprint::Footprint;
use super::super::heap::Heap;
use super::super::step::unsupported;
use super::super::value::{Exception, Value};
use crate::bytecode::CmpOp;

/// `heapq.heappush(items, item)`: appends it and sifts it towards the root. On a failed
/// comparison the item stays where it got to, as in CPython.
pub(super) fn push(heap: &Heap, items: &mut Vec<Value>, item: Value, fp: &mut Footprint) -> Result<(), Exception> {
    refuse_user_eq(heap, &item)?;
    items.push(item);
    let last = items.len() - 1;
    sift_down(heap, items, 0, last, fp)
}

/// `heapq.heappop(items)` of a nonempty list: the least item. On a failed comparison that item
/// is gone and the exception propagates, as in CPython.
pub(super) fn pop(heap: &Heap, items: &mut Vec<Value>, fp: &mut Footprint) -> Result<Value, Exception> {
    let last = items.pop().expect("[internal bug] pop of an empty heap");
    if items.is_empty() {
        return Ok(last);
    }
    let first = std::mem::replace(&mut items[0], last);
    sift_up(heap, items, 0, fp)?;
    Ok(first)
}

/// `a < b` as `PyObject_RichCompareBool(a, b, Py_LT)`.
fn less(heap: &Heap, a: &Value, b: &Value, fp: &mut Footprint) -> Result<bool, Exception> {
    let r = heap.compare(CmpOp::Lt, a, b, fp)?;
    Ok(heap.truthy(&r, fp))
}

/// `_heapq`'s `siftdown`: moves the item at `pos` towards `start` while it is less than its
/// parent.
fn sift_down(
    heap: &Heap,
    items: &mut [Value],
    start: usize,
    mut pos: usize,
    fp: &mut Footprint,
) -> Result<(), Exception> {
    while pos > start {
        let parent = (pos - 1) >> 1;
        if !less(heap, &items[pos], &items[parent], fp)? {
            break;
        }
        items.swap(pos, parent);
        pos = parent;
    }
    Ok(())
}

/// `_heapq`'s `siftup`: moves the smaller child up until a leaf, then sifts the item there back
/// down.
fn sift_up(heap: &Heap, items: &mut [Value], mut pos: usize, fp: &mut Footprint) -> Result<(), Exception> {
    let (end, start) = (items.len(), pos);
    let limit = end >> 1;
    while pos < limit {
        let mut child = 2 * pos + 1;
        if child + 1 < end && !less(heap, &items[child], &items[child + 1], fp)? {
            child += 1;
        }
        items.swap(child, pos);
        pos = child;
    }
    sift_down(heap, items, start, pos, fp)
}

/// Comparing tuples or lists calls `==` on their items first, which would run a class's own
/// `__eq__` inside the queue's C code: not modelled.
fn refuse_user_eq(heap: &Heap, v: &Value) -> Result<(), Exception> {
    if heap.holds_user_eq(v) {
        return Err(unsupported("a PriorityQueue item holding an object whose class defines __eq__ or __ne__"));
    }
    Ok(())
}
