//! Slicing (`BUILD_SLICE`, then `BINARY_SUBSCR` with the slice): `a[i:j]`, `a[i:j:k]` of lists,
//! tuples and strs, with CPython's index clamping (`PySlice_Unpack`, `PySlice_AdjustIndices`)
//! and errors. Reading a list's slice is one step, as `list_subscript` is C code under the GIL.

use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::step::{err, unsupported};
use super::value::{ExcKind, Exception, Value};
use num_traits::{Signed, ToPrimitive};

/// One bound or the step of a slice as a C `Py_ssize_t` (`_PyEval_SliceIndex`): ints are
/// clamped to the 64-bit range, `None` is `default`.
fn slice_index(v: &Value, default: i64) -> Result<i64, Exception> {
    match v {
        Value::None => Ok(default),
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(i64::from(*b)),
        Value::Big(b) => Ok(b.to_i64().unwrap_or(if b.is_negative() { i64::MIN } else { i64::MAX })),
        _ => Err(err(ExcKind::TypeError, "slice indices must be integers or None or have an __index__ method")),
    }
}

/// The indices that slice `(start, stop, step)` selects from a sequence of `len` items, in
/// order (`PySlice_Unpack` then `PySlice_AdjustIndices`).
pub(super) fn indices(slice: &Value, len: usize) -> Result<Vec<usize>, Exception> {
    let Value::Slice(parts) = slice else { unreachable!("[internal bug] not a slice") };
    let (start, stop, step) = &**parts;
    let step = slice_index(step, 1)?;
    if step == 0 {
        return Err(err(ExcKind::ValueError, "slice step cannot be zero"));
    }
    // Like CPython, a step of -2**63 is taken as -(2**63 - 1), so that -step cannot overflow.
    let step = step.max(-i64::MAX);
    let (mut start, mut stop) = if step < 0 {
        (slice_index(start, i64::MAX)?, slice_index(stop, i64::MIN)?)
    } else {
        (slice_index(start, 0)?, slice_index(stop, i64::MAX)?)
    };
    let len = len as i64;
    for bound in [&mut start, &mut stop] {
        if *bound < 0 {
            *bound = bound.saturating_add(len);
            if *bound < 0 {
                *bound = if step < 0 { -1 } else { 0 };
            }
        } else if *bound >= len {
            *bound = if step < 0 { len - 1 } else { len };
        }
    }
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i as usize);
        i += step;
    }
    Ok(out)
}

impl Heap {
    /// `container[slice]`: a new list (allocated here), tuple or str.
    pub(super) fn subscr_slice(
        &mut self,
        container: &Value,
        slice: &Value,
        fp: &mut Footprint,
    ) -> Result<Value, Exception> {
        match container {
            Value::Obj(id) => match self.read(*id, fp) {
                HeapObj::List(items) => {
                    let picked: Vec<Value> =
                        indices(slice, items.len())?.into_iter().map(|i| items[i].clone()).collect();
                    Ok(Value::Obj(self.alloc(HeapObj::List(picked), fp)))
                }
                HeapObj::Dict(_) => Err(err(ExcKind::TypeError, "unhashable type: 'slice'")),
                _ => {
                    Err(err(ExcKind::TypeError, format!("'{}' object is not subscriptable", self.type_name(container))))
                }
            },
            Value::Tuple(items) => {
                Ok(Value::Tuple(indices(slice, items.len())?.into_iter().map(|i| items[i].clone()).collect()))
            }
            Value::Str(s) => {
                let chars: Vec<char> = s.chars().collect();
                Ok(Value::Str(indices(slice, chars.len())?.into_iter().map(|i| chars[i]).collect::<String>().into()))
            }
            _ => Err(err(ExcKind::TypeError, format!("'{}' object is not subscriptable", self.type_name(container)))),
        }
    }
}

/// `container[slice] = v`: slice assignment is not modelled (a dict's key is CPython's error).
pub(super) fn store_slice(heap: &Heap, container: &Value) -> Exception {
    match container {
        Value::Obj(id) if matches!(heap.peek(*id), HeapObj::Dict(_)) => {
            err(ExcKind::TypeError, "unhashable type: 'slice'")
        }
        Value::Obj(id) if matches!(heap.peek(*id), HeapObj::List(_)) => unsupported("slice assignment a[i:j] = ..."),
        other => {
            err(ExcKind::TypeError, format!("'{}' object does not support item assignment", heap.type_name(other)))
        }
    }
}
