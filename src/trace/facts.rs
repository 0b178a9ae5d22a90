//! What a replay gathers on its way, for the explanations: the worst lost update, a stale
//! check-then-act read, where each lock was taken, who waits for what at the end.
//!
//! A counterexample can be 14 million steps long, so the [`Observer`] works in O(1) memory per
//! global and thread pair (plus the thread count, for "by whom") and allocates nothing per step:
//! its buffers grow only when a thread or a lock is created.

use crate::vm::{Tid, Value};

/// One access of a global: which step, which thread, at which line, with which value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// 0-based index of the step in the schedule (the timeline shows `step + 1`).
    pub step: u64,
    /// The thread.
    pub tid: Tid,
    /// The source line of the instruction.
    pub line: u32,
    /// The value read or written.
    pub value: Value,
}

impl Default for Site {
    fn default() -> Self {
        Site { step: 0, tid: 0, line: 0, value: Value::Null }
    }
}

/// A write of a global by one thread that lands after other threads wrote that global since
/// the thread read it: a lost update (measured from the thread's last read before the write)
/// or a stale check (measured from its first read since its previous write).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overwrite {
    /// The global's name.
    pub global: String,
    /// The thread that read and later wrote.
    pub tid: Tid,
    /// Its read of the global.
    pub read: Site,
    /// Its write, which replaced the other threads' writes.
    pub write: Site,
    /// How many writes of the global other threads made between the read and the write.
    pub others: u64,
    /// Those writes, by thread: `(thread, how many)`, in thread order, counts above zero.
    pub by: Vec<(Tid, u64)>,
    /// The last of those writes.
    pub last_other: Site,
}

/// Where a lock's holder took it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    /// The thread that acquired it.
    pub tid: Tid,
    /// The source line of the acquiring instruction.
    pub line: u32,
    /// 0-based index of the acquiring step.
    pub step: u64,
}

/// What a thread that cannot move waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaitOn {
    /// A held lock.
    Lock {
        /// The lock's name (the global bound to it, or `lock#N`).
        name: String,
        /// Who holds it.
        holder: Option<Tid>,
        /// Where its holder took it (when the replay saw the acquire).
        taken: Option<Taken>,
    },
    /// The end of another thread (`join`).
    Join(Tid),
    /// A synchronisation object other than a Lock (RLock, Semaphore, Event, Condition, Barrier,
    /// Queue).
    Sync {
        /// What the thread waits for, as a phrase after its name, e.g. `waits on Event done`.
        what: String,
        /// The thread that alone can release it, if one can (an RLock's owner).
        holder: Option<Tid>,
    },
}

/// A thread that cannot move at the end of a replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wait {
    /// The waiting thread.
    pub tid: Tid,
    /// The line it waits at (the line of its next instruction).
    pub line: u32,
    /// What it waits for.
    pub on: WaitOn,
}

/// What a replay gathered for explaining its end state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The write that overwrote the most writes of other threads made since the writer's last
    /// read of that global (the worst lost update), if any write overwrote any.
    pub lost_update: Option<Overwrite>,
    /// The write that acted on the most outdated value: the writer's first read of the global
    /// since its previous write saw a value that other threads had changed before the write.
    pub stale_read: Option<Overwrite>,
    /// The threads that cannot move at the end (filled when the replay ends in a deadlock).
    pub waits: Vec<Wait>,
    /// The `--expect` expression of the model, if any.
    pub expect: Option<String>,
}

/// A thread's read of a global, with the write counters as they were then.
#[derive(Clone, Debug, Default)]
struct ReadRec {
    valid: bool,
    site: Site,
    /// All writes of the global so far.
    total: u64,
    /// Writes of the global so far, by thread.
    by: Vec<u64>,
}

impl ReadRec {
    fn set(&mut self, site: &Site, total: u64, by: &[u64]) {
        self.valid = true;
        self.site.clone_from(site);
        self.total = total;
        self.by.copy_from_slice(by);
    }
}

/// A candidate overwrite, kept in preallocated buffers.
#[derive(Clone, Debug, Default)]
struct Cand {
    valid: bool,
    global: u32,
    read: Site,
    write: Site,
    others: u64,
    by: Vec<u64>,
    last_other: Site,
}

/// The streaming collector of [`Facts`] that [`super::replay`] feeds step by step.
#[derive(Debug)]
pub(super) struct Observer {
    globals: usize,
    threads: usize,
    /// Writes per global.
    total: Vec<u64>,
    /// Writes per global, by thread: `[g][t]`.
    by: Vec<Vec<u64>>,
    /// Each thread's last write of each global: `[g][t]`.
    last_write: Vec<Vec<Option<Site>>>,
    /// The latest write of each global: `(step, thread)`.
    latest: Vec<Option<(u64, Tid)>>,
    /// Each thread's last read of each global: `[t * globals + g]`.
    last_read: Vec<ReadRec>,
    /// Each thread's first read of each global since its last write of it: `[t * globals + g]`.
    first_read: Vec<ReadRec>,
    /// Where each lock's holder took it.
    locks: Vec<Option<Taken>>,
    lost: Cand,
    stale: Cand,
    scratch: Site,
}

impl Observer {
    pub(super) fn new(globals: usize) -> Observer {
        let mut o = Observer {
            globals,
            threads: 0,
            total: vec![0; globals],
            by: vec![Vec::new(); globals],
            last_write: vec![Vec::new(); globals],
            latest: vec![None; globals],
            last_read: Vec::new(),
            first_read: Vec::new(),
            locks: Vec::new(),
            lost: Cand::default(),
            stale: Cand::default(),
            scratch: Site::default(),
        };
        o.ensure_threads(1);
        o
    }

    /// Makes room for `n` threads (called after every step; grows only when a thread is created).
    #[inline]
    pub(super) fn ensure_threads(&mut self, n: usize) {
        if n > self.threads {
            self.grow(n);
        }
    }

    #[cold]
    fn grow(&mut self, n: usize) {
        self.threads = n;
        for g in 0..self.globals {
            self.by[g].resize(n, 0);
            self.last_write[g].resize(n, None);
        }
        let blank = ReadRec { by: vec![0; n], ..ReadRec::default() };
        for recs in [&mut self.last_read, &mut self.first_read] {
            for r in recs.iter_mut() {
                r.by.resize(n, 0);
            }
            recs.resize(n * self.globals, blank.clone());
        }
        self.lost.by.resize(n, 0);
        self.stale.by.resize(n, 0);
    }

    /// Thread `tid` read global `g` (holding `value`) at step `step`, line `line`. Returns the
    /// write it saw: `(step, thread)` of the latest write of `g`.
    #[inline]
    pub(super) fn read(&mut self, g: u32, tid: Tid, step: u64, line: u32, value: &Value) -> Option<(u64, Tid)> {
        let gi = g as usize;
        if gi >= self.globals || tid >= self.threads {
            return None;
        }
        self.scratch.step = step;
        self.scratch.tid = tid;
        self.scratch.line = line;
        self.scratch.value.clone_from(value);
        let i = tid * self.globals + gi;
        self.last_read[i].set(&self.scratch, self.total[gi], &self.by[gi]);
        if !self.first_read[i].valid {
            self.first_read[i].set(&self.scratch, self.total[gi], &self.by[gi]);
        }
        self.latest[gi]
    }

    /// Thread `tid` wrote `value` to global `g` at step `step`, line `line`.
    #[inline]
    pub(super) fn write(&mut self, g: u32, tid: Tid, step: u64, line: u32, value: &Value) {
        let gi = g as usize;
        if gi >= self.globals || tid >= self.threads {
            return;
        }
        let i = tid * self.globals + gi;
        let own_now = self.by[gi][tid];
        // Lost update: other threads' writes since this thread's last read.
        let r = &self.last_read[i];
        if r.valid {
            let others = self.total[gi] - r.total - (own_now - r.by[tid]);
            if others > 0 && (!self.lost.valid || others > self.lost.others) {
                self.record(true, g, tid, step, line, value, others);
            }
        }
        // Stale check: other threads changed the value since this thread's first read.
        let r = &self.first_read[i];
        if r.valid {
            let others = self.total[gi] - r.total - (own_now - r.by[tid]);
            let current = self.latest[gi].and_then(|(_, t)| self.last_write[gi][t].as_ref()).map(|s| &s.value);
            if others > 0 && current != Some(&r.site.value) && (!self.stale.valid || others > self.stale.others) {
                self.record(false, g, tid, step, line, value, others);
            }
        }
        self.total[gi] += 1;
        self.by[gi][tid] += 1;
        match &mut self.last_write[gi][tid] {
            Some(s) => {
                s.step = step;
                s.line = line;
                s.value.clone_from(value);
            }
            slot @ None => *slot = Some(Site { step, tid, line, value: value.clone() }),
        }
        self.latest[gi] = Some((step, tid));
        self.first_read[i].valid = false;
    }

    /// The number of writes of each global so far.
    pub(super) fn totals(&self) -> &[u64] {
        &self.total
    }

    /// Thread `tid`, running alone, went through `iterations` more iterations of a loop in
    /// `steps` steps, each iteration writing global `g` `per_iteration[g]` times (the last
    /// iteration stepped before this one measured it): the write counters and the latest
    /// writes move on as if those steps had been observed. Alone, each of those writes follows
    /// the thread's own read, so none is an overwrite; the iterations stepped after the skip
    /// renew every site this leaves behind.
    pub(super) fn skip(&mut self, tid: Tid, per_iteration: &[u64], iterations: u64, steps: u64) {
        if tid >= self.threads {
            return;
        }
        for (g, &per) in per_iteration.iter().enumerate().take(self.globals) {
            if per == 0 {
                continue;
            }
            self.total[g] += per * iterations;
            self.by[g][tid] += per * iterations;
            if let Some((step, t)) = &mut self.latest[g] {
                if *t == tid {
                    *step += steps;
                }
            }
            if let Some(site) = &mut self.last_write[g][tid] {
                site.step += steps;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn record(&mut self, lost: bool, g: u32, tid: Tid, step: u64, line: u32, value: &Value, others: u64) {
        let gi = g as usize;
        let i = tid * self.globals + gi;
        let (cand, r) =
            if lost { (&mut self.lost, &self.last_read[i]) } else { (&mut self.stale, &self.first_read[i]) };
        cand.valid = true;
        cand.global = g;
        cand.read.clone_from(&r.site);
        cand.write.step = step;
        cand.write.tid = tid;
        cand.write.line = line;
        cand.write.value.clone_from(value);
        cand.others = others;
        for (t, n) in cand.by.iter_mut().enumerate() {
            *n = if t == tid { 0 } else { self.by[gi][t] - r.by[t] };
        }
        // The latest write by another thread (it is after the read, as `others > 0`).
        let last = self.last_write[gi]
            .iter()
            .enumerate()
            .filter(|(t, _)| *t != tid)
            .filter_map(|(_, s)| s.as_ref())
            .max_by_key(|s| s.step);
        if let Some(s) = last {
            cand.last_other.clone_from(s);
        }
    }

    /// Thread `tid` acquired lock `lock` at step `step`, line `line`.
    pub(super) fn acquire(&mut self, lock: u32, tid: Tid, step: u64, line: u32) {
        let l = lock as usize;
        if l >= self.locks.len() {
            self.locks.resize(l + 1, None);
        }
        self.locks[l] = Some(Taken { tid, line, step });
    }

    /// Lock `lock` was released.
    pub(super) fn release(&mut self, lock: u32) {
        if let Some(slot) = self.locks.get_mut(lock as usize) {
            *slot = None;
        }
    }

    /// Where lock `lock`'s holder took it.
    pub(super) fn taken(&self, lock: u32) -> Option<Taken> {
        self.locks.get(lock as usize).copied().flatten()
    }

    /// The facts, naming globals by `names`.
    pub(super) fn finish(&self, names: &[String]) -> Facts {
        let to_overwrite = |c: &Cand| {
            c.valid.then(|| Overwrite {
                global: names.get(c.global as usize).cloned().unwrap_or_default(),
                tid: c.write.tid,
                read: c.read.clone(),
                write: c.write.clone(),
                others: c.others,
                by: c.by.iter().enumerate().filter(|(_, n)| **n > 0).map(|(t, n)| (t, *n)).collect(),
                last_other: c.last_other.clone(),
            })
        };
        Facts { lost_update: to_overwrite(&self.lost), stale_read: to_overwrite(&self.stale), ..Facts::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_writes_between_a_read_and_the_write() {
        let mut o = Observer::new(1);
        o.ensure_threads(3);
        o.write(0, 0, 0, 5, &Value::Int(0));
        assert_eq!(o.read(0, 2, 1, 11, &Value::Int(0)), Some((0, 0)));
        for k in 0..5 {
            o.read(0, 1, 2 + 2 * k, 11, &Value::Int(k as i64));
            o.write(0, 1, 3 + 2 * k, 11, &Value::Int(k as i64 + 1));
        }
        o.write(0, 2, 20, 11, &Value::Int(1));
        let f = o.finish(&["balance".into()]);
        let l = f.lost_update.unwrap();
        assert_eq!((l.tid, l.others, l.by.clone()), (2, 5, vec![(1, 5)]));
        assert_eq!((l.read.step, l.read.value.clone(), l.write.step), (1, Value::Int(0), 20));
        assert_eq!((l.last_other.tid, l.last_other.step, l.last_other.value), (1, 11, Value::Int(5)));
    }

    #[test]
    fn no_lost_update_without_interference() {
        let mut o = Observer::new(1);
        o.ensure_threads(2);
        o.write(0, 0, 0, 5, &Value::Int(0));
        for k in 0..3 {
            o.read(0, 1, 1 + 2 * k, 11, &Value::Int(k as i64));
            o.write(0, 1, 2 + 2 * k, 11, &Value::Int(k as i64 + 1));
        }
        let f = o.finish(&["balance".into()]);
        assert_eq!(f.lost_update, None);
        assert_eq!(f.stale_read, None);
    }
}
