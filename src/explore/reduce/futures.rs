//! What each thread can still do (its *future*), from the static facts at its position: the
//! summaries the persistent-set and mover checks of the reduced search compare against.

use super::Reducer;
use crate::analysis::{bit, Slots, Summary};
use crate::vm::{self, Blocker, State, ThreadStatus, Tid, Value};

/// What a thread can still do: its summary, and per global the locks failing to guard some
/// access (`unguarded`) and per lock the globals accessed under it (`under`).
pub(super) type Fut = std::rc::Rc<(Summary, Vec<Slots>, Vec<Slots>)>;

/// A thread slot's last future: the thread it was worked out for (held weakly), the globals
/// then bound, and the future (`None`: the thread is done).
pub(super) type LastFuture = (std::sync::Weak<vm::Cached<vm::Thread>>, Slots, Option<Fut>);

/// What a future depends on, as words: the thread, whether it is cut, which globals are bound
/// (four words), and its frames' positions (code, pc) or its target.
pub(super) type FutKey = Vec<u32>;

/// A multiply-rotate hasher for the futures' small keys (no flooding concern: the keys are the
/// program's own positions).
#[derive(Default)]
pub(super) struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.write_u64(u64::from_le_bytes(w.try_into().expect("8 bytes")));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

impl Reducer<'_> {
    /// What thread `u` can still do (`None` when it is done), and the thread whose end it waits
    /// for in a `join`, if it does. Memoised: the future depends only on where `u` is and which
    /// globals are bound.
    pub(super) fn future(&mut self, s: &State, u: Tid, bound: Slots) -> Option<(Fut, Option<Tid>)> {
        // The last future computed for thread slot `u`, while the thread is the same allocation
        // (held weakly: its address is not reused, and a write to it moves it: `Arc::make_mut`
        // disassociates weak pointers) and the same globals are bound.
        let arc = &s.threads[u];
        if let Some(Some((w, b, f))) = self.last_future.get(u) {
            if *b == bound && std::ptr::eq(w.as_ptr(), std::sync::Arc::as_ptr(arc)) {
                let f = f.clone()?;
                let joins = match vm::blocker(self.program(), s, u) {
                    Some(Blocker::Join(t)) if arc.is_alive() => Some(t),
                    _ => None,
                };
                return Some((f, joins));
            }
        }
        let f = self.compute_future_of(s, u, bound);
        if self.last_future.len() <= u {
            self.last_future.resize(u + 1, None);
        }
        self.last_future[u] = Some((std::sync::Arc::downgrade(arc), bound, f.as_ref().map(|(f, _)| f.clone())));
        f
    }

    fn compute_future_of(&mut self, s: &State, u: Tid, bound: Slots) -> Option<(Fut, Option<Tid>)> {
        let th = &s.threads[u];
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        key.push(u as u32);
        let mut joins = None;
        let kind = match &th.status {
            ThreadStatus::Finished | ThreadStatus::Failed { .. } => return None,
            ThreadStatus::New { target: Value::Function(f), .. } => {
                key.extend([f.code, 0]);
                1
            }
            ThreadStatus::New { target: Value::None, .. } if th.instance.is_none() => return None,
            ThreadStatus::New { .. } => 2,
            ThreadStatus::Alive => {
                if let Some(Blocker::Join(t)) = vm::blocker(self.program(), s, u) {
                    joins = Some(t);
                }
                // A first step that unpacks a list or a dict (`args=[...]`, `kwargs=`) reads them.
                let binds = th.frames.first().is_some_and(|f| f.role == vm::FrameRole::Bind);
                key.extend(th.frames.iter().flat_map(|f| [f.code, f.pc]));
                if binds {
                    2
                } else {
                    0
                }
            }
        };
        key.extend([kind, bound as u32, (bound >> 32) as u32, (bound >> 64) as u32, (bound >> 96) as u32]);
        let f = match self.futures.get(&key[..]) {
            Some(f) => f.clone(),
            None => {
                let frames: Vec<(u32, u32)> = key[1..key.len() - 5].chunks(2).map(|c| (c[0], c[1])).collect();
                let f = Some(self.compute_future(&frames, kind as u8, bound));
                self.futures.insert(key.clone(), f.clone());
                f
            }
        };
        self.key = key;
        f.map(|f| (f, joins))
    }

    /// Every thread's [`Reducer::future`] at `s`, into `out`.
    pub(super) fn futures_at(&mut self, s: &State, out: &mut Vec<Option<(Fut, Option<Tid>)>>) {
        let mut bound: Slots = 0;
        for (g, v) in s.globals.iter().enumerate().take(128) {
            if !matches!(v, Value::Null) {
                bound |= bit(g as u32);
            }
        }
        out.clear();
        out.extend((0..s.threads.len()).map(|u| self.future(s, u, bound)));
    }

    fn compute_future(&self, frames: &[(u32, u32)], kind: u8, bound: u128) -> Fut {
        let n = self.program().globals.len();
        let mut sum = Summary::default();
        let mut ung = vec![0 as Slots; n];
        let mut under = vec![0 as Slots; n];
        if kind == 2 {
            sum.sync = true;
            sum.may_fail = true;
        }
        for &(code, pc) in frames {
            let cf = &self.facts.codes[code as usize];
            let pc = (pc as usize).min(cf.future.len().saturating_sub(1));
            sum.add(&cf.future[pc]);
            for g in 0..n {
                ung[g] |= cf.unguarded[pc][g];
                under[g] |= cf.under[pc][g];
            }
        }
        // A load of an unbound global (that is no builtin) would raise.
        for g in 0..n.min(128) {
            if sum.reads & bit(g as u32) != 0
                && bound & bit(g as u32) == 0
                && vm::Builtin::from_builtin_name(&self.program().globals[g]).is_none()
            {
                sum.may_fail = true;
            }
        }
        std::rc::Rc::new((sum, ung, under))
    }

    /// The threads other than `t` that can move without `t` moving (all but those waiting to
    /// join `t`), with their futures, from every thread's `futures`, into `out`.
    pub(super) fn others(futures: &[Option<(Fut, Option<Tid>)>], t: Tid, out: &mut Vec<(Tid, Fut)>) {
        out.clear();
        out.extend(
            futures
                .iter()
                .enumerate()
                .filter(|&(u, _)| u != t)
                .filter_map(|(u, f)| f.as_ref().filter(|(_, joins)| *joins != Some(t)).map(|(f, _)| (u, f.clone()))),
        );
    }
}
