//! Solo-loop acceleration in the reduced search: when the one transaction taken is a straight
//! loop iteration of a thread running alone, the iteration it shows is handed to the one
//! accelerator ([`crate::analysis::loops`]), which applies all remaining iterations at once.

use super::{Reducer, Tx};
use crate::analysis::{bit, Translation};
use crate::vm::State;

impl Reducer<'_> {
    /// `tx` took `s` to `tx.state` along one straight loop iteration, and only its thread moved.
    /// If the iteration writes globals only by accumulations (`g += c`, on globals the static
    /// facts say always hold ints), prints and synchronises nothing and leaves no lock held
    /// differently, it is a translation ([`Translation::observed`]): every remaining iteration
    /// takes the same path, makes the same decisions here (the other threads and their futures
    /// are unchanged) and adds the same constants. Returns the state after all remaining
    /// iterations and how many they are.
    pub(super) fn accelerate(&self, s: &State, tx: &Tx) -> Option<(State, u64)> {
        // Reads of globals are fine (nothing else moves, so they read the same values); writes
        // must all be accumulations.
        if !tx.straight || tx.rec.plain & tx.rec.writes != 0 || tx.rec.output || tx.rec.sync || !tx.rec.net_zero {
            return None;
        }
        let may_add =
            |g: usize| g < 128 && tx.rec.accum & bit(g as u32) != 0 && self.facts.int_globals & bit(g as u32) != 0;
        let t = Translation::observed(s, &tx.state, tx.tid, tx.steps, may_add)?;
        if t.remaining < 2 {
            return None;
        }
        let mut out = tx.state.clone();
        t.apply(&mut out, tx.tid, t.remaining);
        Some((out, t.remaining))
    }
}
