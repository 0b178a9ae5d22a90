//! Solo-loop acceleration for the reduced search: while one thread runs alone through a loop
//! whose iteration is a translation, all remaining iterations are applied at once.

use super::facts::bit;
use super::{Reducer, Tx};
use crate::vm::{State, Value};

impl Reducer<'_> {
    /// Solo-loop acceleration. `tx` took `s` to `tx.state` along one straight loop iteration, and
    /// only its thread moved: if the iteration is a translation — the loop's range iterator moves
    /// one step, its loop variable takes the next value, and int globals change by constants
    /// (accumulations), nothing else — every remaining iteration takes the same path, makes the
    /// same decisions here (the other threads and their futures are unchanged) and adds the same
    /// constants. Returns the state after all remaining iterations and how many they are.
    pub(super) fn accelerate(&self, s: &State, tx: &Tx) -> Option<(State, u64)> {
        let t = tx.tid;
        let after = &tx.state;
        // Reads of globals are fine (nothing else moves, so they read the same values); writes
        // must all be accumulations.
        if !tx.straight || tx.rec.plain & tx.rec.writes != 0 || tx.rec.output || tx.rec.sync || !tx.rec.net_zero {
            return None;
        }
        let (b, a) = (&s.threads[t], &after.threads[t]);
        if b.frames.len() != a.frames.len() || b.handled != a.handled || b.status != a.status {
            return None;
        }
        let others_same =
            (0..s.threads.len()).all(|u| u == t || std::sync::Arc::ptr_eq(&s.threads[u], &after.threads[u]));
        if !others_same
            || s.threads.len() != after.threads.len()
            || s.locks != after.locks
            || s.output.len() != after.output.len()
        {
            return None;
        }
        let (fb, fa) = (b.frames.last()?, a.frames.last()?);
        if fb.code != fa.code || fb.pc != fa.pc || fb.stack.len() != fa.stack.len() || fb.kwnames != fa.kwnames {
            return None;
        }
        // Outer frames untouched.
        if b.frames[..b.frames.len() - 1] != a.frames[..a.frames.len() - 1] {
            return None;
        }
        // The one iterator that moved.
        let mut iter = None;
        for (i, (x, y)) in fb.stack.iter().zip(&fa.stack).enumerate() {
            if x != y {
                match (x, y) {
                    (
                        Value::RangeIter { next: n0, stop: s0, step: k0 },
                        Value::RangeIter { next: n1, stop: s1, step: k1 },
                    ) if s0 == s1 && k0 == k1 && n0.checked_add(*k0) == Some(*n1) && iter.is_none() => {
                        iter = Some((i, *n0, *n1, *s1, *k1));
                    }
                    _ => return None,
                }
            }
        }
        let (slot, produced, next, stop, step) = iter?;
        // The loop variable: at most one local changed, to the value the iterator produced.
        let mut var = None;
        for (i, (x, y)) in fb.locals.iter().zip(&fa.locals).enumerate() {
            if x != y {
                if var.is_some() || *y != Value::Int(produced) {
                    return None;
                }
                var = Some(i);
            }
        }
        // Globals: constant deltas on ints, written only by accumulations.
        let mut deltas = Vec::new();
        for (g, (x, y)) in s.globals.iter().zip(after.globals.iter()).enumerate() {
            if x != y {
                match (x, y) {
                    (Value::Int(x0), Value::Int(y0))
                        if g < 128
                            && tx.rec.accum & bit(g as u32) != 0
                            && self.facts.int_globals & bit(g as u32) != 0 =>
                    {
                        deltas.push((g, y0.checked_sub(*x0)?));
                    }
                    _ => return None,
                }
            }
        }
        let remaining = if step > 0 {
            if next >= stop {
                0
            } else {
                ((stop - next) as u128).div_ceil(step as u128) as u64
            }
        } else if next <= stop {
            0
        } else {
            ((next - stop) as u128).div_ceil(step.unsigned_abs() as u128) as u64
        };
        if remaining < 2 {
            return None;
        }
        let k = i64::try_from(remaining).ok()?;
        let mut out = after.clone();
        {
            let globals = std::sync::Arc::make_mut(&mut out.globals);
            for &(g, d) in &deltas {
                let Value::Int(v) = globals[g] else { return None };
                globals[g] = Value::Int(v.checked_add(d.checked_mul(k)?)?);
            }
        }
        let th = out.thread_mut(t);
        let frame = th.frames.last_mut()?;
        let last = next.checked_add(step.checked_mul(k - 1)?)?;
        frame.stack[slot] = Value::RangeIter { next: last.checked_add(step)?, stop, step };
        if let Some(i) = var {
            frame.locals[i] = Value::Int(last);
        }
        Some((out, remaining))
    }
}
