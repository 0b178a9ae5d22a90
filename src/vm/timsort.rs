//! `list.sort` of values that may not all compare (`[1, "a"]`, tuples whose later items differ in
//! type): CPython's own comparisons, in its order, so that the sort raises the `TypeError`
//! CPython raises (naming the pair it compared first) and leaves the list as CPython leaves it,
//! or sorts what compares after all (`[(1, "a"), (2, 3)]`).
//!
//! Fewer than 64 items are one run for CPython's timsort (`Objects/listobject.c`): `count_run`
//! finds the ascending or strictly descending prefix (a descending one is reversed), and
//! `binarysort` inserts each later item after a binary search. Longer lists merge runs, which is
//! not modelled: they stop the run as before.

use super::footprint::Footprint;
use super::heap::Heap;
use super::step::unsupported;
use super::value::{Exception, Value};
use crate::bytecode::CmpOp;

/// The most items sorted here (CPython's `MIN_GALLOP` run bound: below it, one binary insertion).
const ONE_RUN: usize = 64;

/// Sorts `values` by `keys` (the values themselves without `key=`) as CPython's `list.sort`
/// does, `reverse` included. Returns the values in the order CPython leaves them (sorted, or as
/// far as the sort got), and the exception that stopped it, if one did.
pub(super) fn sort(
    heap: &Heap,
    keys: Vec<Value>,
    values: Vec<Value>,
    reverse: bool,
    fp: &mut Footprint,
) -> Result<(Vec<Value>, Option<Exception>), Exception> {
    if keys.len() >= ONE_RUN {
        return Err(unsupported(
            "a sort of 64 or more values that are not all numbers (NaN aside), all strs, or tuples of those column by column",
        ));
    }
    if keys.iter().any(|k| heap.holds_user_eq(k)) {
        return Err(unsupported("a sort of values holding an object whose class defines __eq__ or __ne__"));
    }
    let mut pairs: Vec<(Value, Value)> = keys.into_iter().zip(values).collect();
    // CPython: reverse, sort, reverse back (also after a failure).
    if reverse {
        pairs.reverse();
    }
    let failed = run(heap, &mut pairs, fp).err();
    if reverse {
        pairs.reverse();
    }
    Ok((pairs.into_iter().map(|(_, v)| v).collect(), failed))
}

/// `count_run` then `binarysort` over all of `pairs`, by key.
fn run(heap: &Heap, pairs: &mut [(Value, Value)], fp: &mut Footprint) -> Result<(), Exception> {
    let n = pairs.len();
    if n < 2 {
        return Ok(());
    }
    let mut lt = |a: &Value, b: &Value| -> Result<bool, Exception> {
        let r = heap.compare(CmpOp::Lt, a, b, fp)?;
        Ok(heap.truthy(&r, fp))
    };
    // count_run: a strictly descending prefix, or an ascending one.
    let mut end = 2;
    if lt(&pairs[1].0, &pairs[0].0)? {
        while end < n && lt(&pairs[end].0, &pairs[end - 1].0)? {
            end += 1;
        }
        pairs[..end].reverse();
    } else {
        while end < n && !lt(&pairs[end].0, &pairs[end - 1].0)? {
            end += 1;
        }
    }
    // binarysort: each later item goes after the last one not greater than it (stable).
    for start in end..n {
        let (mut l, mut r) = (0, start);
        while l < r {
            let p = l + ((r - l) >> 1);
            if lt(&pairs[start].0, &pairs[p].0)? {
                r = p;
            } else {
                l = p + 1;
            }
        }
        pairs[l..=start].rotate_right(1);
    }
    Ok(())
}
