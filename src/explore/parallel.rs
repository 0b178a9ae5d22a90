//! The fingerprint-table stateful search, on one thread or on `N` (`--workers N`): the same state
//! graph as [`super::stateful`], explored by threads that share one visited set of 64-bit
//! fingerprints. It is the stateful search of every acyclic program when nothing is counted.
//!
//! - **Visited set.** 64-bit state fingerprints in a set split into shards by fingerprint bits,
//!   each behind its own lock ([`Table`]), each an open-addressed array of 8-byte slots at a
//!   load between 3/8 and 3/4, so 10.7–21.3 bytes per state; a shard doubles alone, so no
//!   moment holds two copies of the whole set. A state's successors are all made first, each
//!   one's slot fetched ahead while the next is made, and then looked up.
//! - **Work.** Each thread expands states from a stack of its own (depth-first) and hands the
//!   older half of it to a shared queue whenever a thread waits for work.
//! - **Schedules.** Each pending state keeps its path as a shared linked trail (one node per step,
//!   freed when no pending state extends it), so a violation's schedule is the path that reached
//!   it first. Which path that is depends on how the threads interleave: the states, transitions,
//!   outcomes and the set of violations are those of one worker; a schedule may differ from the
//!   one-worker search's (every one replays).
//!
//! The search neither counts interleavings nor looks for cycles: it runs only on programs whose
//! state graph has none ([`System::acyclic`]), and without `--count`.

use super::search::Search;
use crate::budget::Limit;
use crate::engine::{run_status, Finding, Outcome, Schedule, Status, System};
use crate::vm::{Event, Tid};
use num_bigint::BigUint;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

/// A shard: an open-addressed set of 64-bit fingerprints.
type Shard = super::visited::OpenSet<u64>;

/// The shared visited set: 64-bit fingerprints in `2^SHARD_BITS` locked shards, chosen by bits
/// 32 and up (each shard places its keys by [`super::visited::home`]).
pub(crate) struct Table {
    shards: Vec<Padded<Mutex<Shard>>>,
    /// Each shard's slot array and its [`super::visited::home`] shift as of its last growth,
    /// read without the lock to prefetch a slot (a stale one only makes the prefetch useless).
    hints: Vec<(AtomicPtr<u64>, AtomicU32)>,
}

const SHARD_BITS: u32 = 10;

/// A shard on cache lines of its own: two threads locking neighbouring shards do not contend
/// for one line.
#[repr(align(128))]
struct Padded<T>(T);

impl Table {
    /// An empty set.
    pub fn new() -> Self {
        Table {
            shards: (0..1 << SHARD_BITS).map(|_| Padded(Mutex::new(Shard::default()))).collect(),
            hints: (0..1 << SHARD_BITS).map(|_| (AtomicPtr::new(std::ptr::null_mut()), AtomicU32::new(0))).collect(),
        }
    }

    fn shard(fp: u64) -> usize {
        (fp >> 32) as usize & ((1 << SHARD_BITS) - 1)
    }

    /// Asks the processor to fetch the slot where `fp` would go, ahead of its [`Table::insert`].
    #[inline]
    pub fn prefetch(&self, fp: u64) {
        let (p, shift) = &self.hints[Self::shard(fp)];
        let p = p.load(Ordering::Relaxed);
        if !p.is_null() {
            super::visited::prefetch_slot(p.cast_const(), super::visited::home(fp, shift.load(Ordering::Relaxed)));
        }
    }

    /// Inserts `fp`; returns whether it was new.
    #[inline]
    pub fn insert(&self, fp: u64) -> bool {
        let i = Self::shard(fp);
        let mut shard = self.shards[i].0.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = shard.insert(fp);
        let (p, shift) = shard.slots_and_shift();
        let hint = &self.hints[i];
        if hint.0.load(Ordering::Relaxed).cast_const() != p {
            hint.1.store(shift, Ordering::Relaxed);
            hint.0.store(p.cast_mut(), Ordering::Relaxed);
        }
        fresh
    }

    /// Fingerprints stored, and the bytes the shards' slots take (8 per slot).
    pub fn size(&self) -> (u64, u64) {
        let mut len = 0;
        let mut bytes = 0;
        for s in &self.shards {
            let s = s.0.lock().unwrap_or_else(|e| e.into_inner());
            len += s.len() as u64;
            bytes += s.bytes() as u64;
        }
        (len, bytes)
    }
}

/// The steps that reached a pending state, newest first, shared between the states that
/// extend them.
struct Trail {
    parent: Option<Arc<Trail>>,
    tid: Tid,
}

impl Drop for Trail {
    /// Unlinks the chain of parents this was the last holder of one by one: a path of millions
    /// of steps would otherwise be dropped by as deep a recursion.
    fn drop(&mut self) {
        let mut next = self.parent.take();
        while let Some(node) = next {
            next = match Arc::try_unwrap(node) {
                Ok(mut t) => t.parent.take(),
                Err(_) => None,
            };
        }
    }
}

fn schedule_of(trail: &Option<Arc<Trail>>) -> Schedule {
    let mut steps = Vec::new();
    let mut at = trail.as_deref();
    while let Some(t) = at {
        steps.push(t.tid);
        at = t.parent.as_deref();
    }
    let mut s = Schedule::new();
    for &tid in steps.iter().rev() {
        s.push(tid);
    }
    s
}

/// A state waiting to be expanded, with its path.
struct Item<S> {
    state: S,
    trail: Option<Arc<Trail>>,
}

/// The shared queue of handed-over work, and how many threads are expanding states.
struct Queue<S> {
    inner: Mutex<(Vec<Vec<Item<S>>>, usize)>,
    ready: Condvar,
    /// Threads waiting for work (a thread with a big stack hands half of it over then).
    waiting: AtomicUsize,
}

impl<S> Queue<S> {
    /// The next batch of work, or `None` when every thread waits and none is left (or `stop`).
    fn take(&self, stop: &AtomicBool) -> Option<Vec<Item<S>>> {
        let mut q = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if stop.load(Ordering::Relaxed) {
                self.ready.notify_all();
                return None;
            }
            if let Some(batch) = q.0.pop() {
                q.1 += 1;
                return Some(batch);
            }
            if q.1 == 0 {
                self.ready.notify_all();
                return None;
            }
            self.waiting.fetch_add(1, Ordering::Relaxed);
            q = self.ready.wait(q).unwrap_or_else(|e| e.into_inner());
            self.waiting.fetch_sub(1, Ordering::Relaxed);
        }
    }

    fn give(&self, batch: Vec<Item<S>>) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).0.push(batch);
        self.ready.notify_one();
    }

    fn done(&self) {
        let mut q = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        q.1 -= 1;
        if q.1 == 0 && q.0.is_empty() {
            self.ready.notify_all();
        }
    }
}

/// What one thread found.
#[derive(Default)]
struct Found {
    states: u64,
    transitions: u64,
    executions: u64,
    outcomes: BTreeMap<Outcome, u64>,
    violations: BTreeMap<Finding, (Schedule, Outcome)>,
    limit: Option<Limit>,
}

/// What every thread shares.
struct Shared<'a, M: System> {
    model: &'a M,
    table: Table,
    queue: Queue<M::State>,
    stop: AtomicBool,
    stop_on_violation: bool,
    states: AtomicU64,
    transitions: AtomicU64,
    max_states: u64,
    /// This search's batch of new states per thread ([`STATES_BATCH`] or less).
    states_batch: u64,
}

/// New states a thread counts before adding them to the shared count (which `--max-states`
/// limits, so a search may store up to this many states per thread more): at most this, and
/// small enough that all threads together pass the limit by at most 1%.
const STATES_BATCH: u64 = 256;

/// Steps between two looks at the limits and the queue.
const CHECK_EVERY: u64 = 1 << 10;

/// Expands states until no work is left anywhere.
fn work<M: System + Sync>(
    sh: &Shared<'_, M>,
    search_budget: &crate::budget::Budget,
    progress: Option<&dyn Fn(u64, u64)>,
) -> Found {
    let model = sh.model;
    let mut found = Found::default();
    let mut runnable = Vec::new();
    let mut next_runnable = Vec::new();
    let mut successors = Vec::new();
    let mut next_check = CHECK_EVERY;
    let batch = sh.states_batch;
    let mut next_states = batch;
    let mut published = 0u64;
    while let Some(mut stack) = sh.queue.take(&sh.stop) {
        while let Some(item) = stack.pop() {
            if sh.stop.load(Ordering::Relaxed) {
                break;
            }
            let Item { state, trail: parent_trail } = item;
            model.runnable(&state, &mut runnable);
            // Every successor first, straight onto the stack, each one's slot fetched while the
            // next is made; then the lookups, which no longer wait on memory one after the other,
            // keeping in place, in order, the new states that run on. The last successor takes
            // the state itself, not a copy.
            let base = stack.len();
            let mut parent = Some(state);
            for (i, &u) in runnable.iter().enumerate() {
                let mut s = if i + 1 == runnable.len() {
                    parent.take().expect("the state is taken by its last successor only")
                } else {
                    parent.as_ref().expect("the state is taken by its last successor only").clone()
                };
                let info = model.step(&mut s, u);
                model.canonicalize(&mut s);
                found.transitions += 1;
                let fp = model.fingerprint(&s) as u64;
                sh.table.prefetch(fp);
                successors.push((u, matches!(info.event, Event::Raise(_)), fp));
                stack.push(Item { state: s, trail: None });
            }
            let mut kept = base;
            for (k, (u, raised, fp)) in successors.drain(..).enumerate() {
                let at = base + k;
                if !sh.table.insert(fp) {
                    continue;
                }
                found.states += 1;
                if found.states >= next_states {
                    // The shared count, in batches (one counter for every thread is contended).
                    next_states = found.states + batch;
                    let all = sh.states.fetch_add(batch, Ordering::Relaxed) + batch;
                    if all > sh.max_states {
                        found.limit = Some(Limit::States);
                        sh.stop.store(true, Ordering::Relaxed);
                        break;
                    }
                }
                let s = &stack[at].state;
                model.runnable(s, &mut next_runnable);
                let status = run_status(model, s, &next_runnable, raised);
                let trail = Some(Arc::new(Trail { parent: parent_trail.clone(), tid: u }));
                match status {
                    Status::Running => {
                        stack[at].trail = trail;
                        stack.swap(kept, at);
                        kept += 1;
                    }
                    Status::Finished(o) => {
                        found.executions += 1;
                        *found.outcomes.entry(o).or_default() += 1;
                    }
                    Status::Violation(f) => {
                        // A value refused by the memory ceiling fails its thread: the run is
                        // over, and rendering that state's values could pass the ceiling.
                        if let Some(l) = search_budget.check() {
                            found.limit.get_or_insert(l);
                            sh.stop.store(true, Ordering::Relaxed);
                            break;
                        }
                        found.executions += 1;
                        let o = model.project(s);
                        let ended =
                            Outcome { violation: Some(format!("{}: {}", f.kind.as_str(), f.message)), ..o.clone() };
                        *found.outcomes.entry(ended).or_default() += 1;
                        let schedule = schedule_of(&trail);
                        if found.violations.get(&f).is_none_or(|(old, _)| super::search::preferred(&schedule, old)) {
                            found.violations.insert(f, (schedule, o));
                        }
                        if sh.stop_on_violation {
                            sh.stop.store(true, Ordering::Relaxed);
                        }
                    }
                }
            }
            // The successors that were seen before, or that ended their runs, go.
            stack.truncate(kept);
            if found.transitions >= next_check {
                next_check = found.transitions + CHECK_EVERY;
                let all = sh.transitions.fetch_add(found.transitions - published, Ordering::Relaxed);
                published = found.transitions;
                if let Some(l) = search_budget.check() {
                    found.limit.get_or_insert(l);
                    sh.stop.store(true, Ordering::Relaxed);
                }
                if let Some(p) = progress {
                    p(sh.states.load(Ordering::Relaxed), all);
                }
                // Someone waits for work: hand over the older half of the stack (the states
                // nearest the root, with the most below them).
                if sh.queue.waiting.load(Ordering::Relaxed) > 0 && stack.len() > 1 {
                    let rest = stack.split_off(stack.len() / 2);
                    let mut older = std::mem::replace(&mut stack, rest);
                    // The taker's states then share no reference count with this thread's.
                    for item in &mut older {
                        model.unshare(&mut item.state);
                    }
                    sh.queue.give(older);
                }
            }
        }
        sh.queue.done();
    }
    found
}

/// Explores the whole state graph of `model`, which must be acyclic, with `workers` threads.
pub(crate) fn run<M: System + Sync>(model: &M, search: &mut Search, workers: usize) {
    let init = model.init();
    let table = Table::new();
    table.insert(model.fingerprint(&init) as u64);
    search.stats.states = 1;
    let mut runnable = Vec::new();
    model.runnable(&init, &mut runnable);
    let status = run_status(model, &init, &runnable, false);
    if status != Status::Running {
        let o = model.project(&init);
        search.record(status, &Schedule::new(), 0, || o, BigUint::from(1u32));
        return;
    }
    let sh = Shared {
        model,
        table,
        queue: Queue {
            inner: Mutex::new((vec![vec![Item { state: init, trail: None }]], 0)),
            ready: Condvar::new(),
            waiting: AtomicUsize::new(0),
        },
        stop: AtomicBool::new(false),
        stop_on_violation: search.stop_on_violation,
        states: AtomicU64::new(1),
        transitions: AtomicU64::new(0),
        max_states: search.limits.max_states,
        states_batch: (search.limits.max_states / 100 / workers.max(1) as u64).clamp(1, STATES_BATCH),
    };
    let budget = search.budget.clone();
    let progress = search.progress.clone();
    let start = search.start;
    let report = move |states: u64, transitions: u64| {
        if let Some(p) = &progress {
            (p.0)(&super::search::Progress {
                states,
                transitions,
                executions: 0,
                seconds: start.elapsed().as_secs_f64(),
            });
        }
    };
    let found: Vec<Found> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.max(1))
            .map(|w| {
                let sh = &sh;
                let budget = &budget;
                let report = &report;
                std::thread::Builder::new()
                    .name(format!("gilcheck-worker-{w}"))
                    .spawn_scoped(scope, move || {
                        let _active = crate::budget::enter(budget);
                        work(sh, budget, (w == 0).then_some(report as &dyn Fn(u64, u64)))
                    })
                    .expect("[internal bug] cannot start a search thread")
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("[internal bug] a search thread panicked")).collect()
    });
    let (stored, bytes) = sh.table.size();
    search.stats.states = stored;
    search.stats.visited_bytes = bytes;
    search.stats.workers = workers.max(1);
    let mut violations: BTreeMap<Finding, (Schedule, Outcome)> = BTreeMap::new();
    for f in found {
        search.stats.transitions += f.transitions;
        search.stats.executions += f.executions;
        for (o, n) in f.outcomes {
            if o.violation.is_none() {
                search.record(Status::Finished(o), &Schedule::new(), 0, || unreachable!(), BigUint::from(n));
            } else {
                *search.outcomes.entry(o).or_default() += n;
            }
        }
        for (finding, (schedule, o)) in f.violations {
            if violations.get(&finding).is_none_or(|(old, _)| super::search::preferred(&schedule, old)) {
                violations.insert(finding, (schedule, o));
            }
        }
        if let Some(l) = f.limit {
            search.stop_on(l);
        }
    }
    for (finding, (schedule, o)) in violations {
        search.file_counterexample(model, finding, schedule, o);
    }
    if search.stopped.is_none() {
        if let Some(l) = search.budget.stopped() {
            search.stop_on(l);
        }
    }
}

/// The report's note on a parallel search: its threads, and the visited set's size and the
/// chance that two states share a fingerprint (then one would be taken for the other).
pub(crate) fn note(stats: &super::report::Stats) -> String {
    let who = match stats.workers {
        1 => "the search stored its visited states as 64-bit fingerprints".to_string(),
        w => format!("{w} threads shared one visited set of 64-bit fingerprints"),
    };
    visited_note(&who, stats.visited_bytes, stats.states)
}

/// A note on a visited set of `stored` 64-bit fingerprints in `bytes` bytes: its bytes per
/// stored state, and the chance that two of them share a fingerprint (the birthday bound).
pub(crate) fn visited_note(who: &str, bytes: u64, stored: u64) -> String {
    let n = stored as f64;
    // P(some two of n uniform 64-bit values coincide) <= n(n-1)/2 / 2^64.
    let p = (n * (n - 1.0) / 2.0 / 2f64.powi(64)).min(1.0);
    format!(
        "{who}: {} bytes, {:.1} bytes per state; \
         the chance that two of the {} states share a fingerprint is at most {:.1e}",
        crate::text::thousands(bytes),
        bytes as f64 / n.max(1.0),
        crate::text::thousands(stored),
        p
    )
}

#[cfg(test)]
mod tests {
    use crate::engine::toy::RacyCounter;
    use crate::engine::{Execution, FindingKind, Status, System};
    use crate::explore::{Checker, Report, Strategy, Verdict};

    fn run(m: &RacyCounter, workers: usize, all: bool) -> Report {
        Checker::new(m).strategy(Strategy::Stateful).all_outcomes(all).workers(workers).check()
    }

    /// Three threads of two racy increments: every worker count stores the same states, takes
    /// the same steps and reaches the same outcomes as the one-thread depth-first search.
    #[test]
    fn the_same_state_graph_on_any_number_of_threads() {
        let m = RacyCounter { threads: 3, n: 2, expect: None };
        let one = run(&m, 1, true);
        for workers in [2, 3, 8] {
            let r = run(&m, workers, true);
            assert_eq!(r.stats.workers, workers);
            assert_eq!(
                (r.stats.states, r.stats.transitions, r.stats.executions),
                (one.stats.states, one.stats.transitions, one.stats.executions)
            );
            assert_eq!(r.outcomes, one.outcomes);
            assert!(r.exhaustive);
            assert!(r.stats.visited_bytes > 0);
        }
    }

    /// A violated expectation: the same findings as one thread, each with a schedule that
    /// replays to it.
    #[test]
    fn violations_come_with_schedules_that_replay() {
        let m = RacyCounter { threads: 2, n: 3, expect: Some(6) };
        let one = run(&m, 1, true);
        let r = run(&m, 2, true);
        let findings = |r: &Report| r.violations.iter().map(|v| v.finding.clone()).collect::<Vec<_>>();
        assert_eq!(findings(&r), findings(&one));
        // Two threads of three increments end with 2..=6: all but 6 violate.
        assert_eq!(r.violations.len(), 4, "{:?}", findings(&r));
        for v in &r.violations {
            let mut e = Execution::start(&m);
            for tid in v.schedule.steps() {
                e.step(tid).expect("the schedule replays");
            }
            assert_eq!(e.status(), Status::Violation(v.finding.clone()));
            assert_eq!(e.preemptions(), v.preemptions);
        }
        let first = run(&m, 2, false);
        assert_eq!(first.verdict, Verdict::Violated);
        assert_eq!(first.assert_violated(FindingKind::Expect).finding.kind, FindingKind::Expect);
        assert!(m.acyclic());
    }
}
