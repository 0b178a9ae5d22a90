//! What every strategy shares: limits, progress, counters, outcome collection, cycle watching.

use super::report::{Counterexample, Stats};
use crate::budget::{Budget, Limit, LimitHit};
use crate::engine::{Execution, Finding, Outcome, Schedule, Status, System};
use num_bigint::BigUint;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Bounds on an exploration; hitting one makes the verdict `inconclusive` (unless a violation
/// was already found).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Limits {
    /// Most distinct states (stateful) or branch points (stateless) to visit.
    pub max_states: u64,
    /// Most wall-clock time.
    pub max_time: Option<Duration>,
    /// Most memory in use, in bytes (the counting allocator's figure, [`crate::budget`]).
    pub max_memory: u64,
    /// Most complete executions (stateless strategies).
    pub max_executions: u64,
    /// The run's budget, when the caller shares one across several phases (the command line
    /// does: one deadline and one ceiling for the whole command); otherwise each check makes
    /// its own from `max_time` and `max_memory`.
    pub budget: Option<Arc<Budget>>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_states: 50_000_000,
            max_time: None,
            max_memory: crate::budget::default_max_memory(),
            max_executions: u64::MAX,
            budget: None,
        }
    }
}

impl Limits {
    /// The budget these limits run under (the shared one, or a new one starting now).
    pub fn budget(&self) -> Arc<Budget> {
        self.budget.clone().unwrap_or_else(|| Budget::new(self.max_time, self.max_memory))
    }
}

/// A snapshot of progress, handed to the progress callback.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// States (or branch points) so far.
    pub states: u64,
    /// Steps executed so far.
    pub transitions: u64,
    /// Executions completed so far.
    pub executions: u64,
    /// Seconds since the start.
    pub seconds: f64,
}

/// A progress callback (the CLI draws a bar with it; the library never prints).
#[derive(Clone)]
pub struct ProgressFn(pub Arc<dyn Fn(&Progress) + Send + Sync>);

impl fmt::Debug for ProgressFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressFn")
    }
}

/// Counters, limits and findings of one search in progress.
pub(crate) struct Search {
    pub limits: Limits,
    /// The run's budget (time, memory, and the stop flag every loop polls).
    pub budget: Arc<Budget>,
    /// A deadline of this phase alone (the quick bounded search of `auto`).
    pub phase_deadline: Option<Instant>,
    /// The limit that stopped the search, when one of `--max-*` did.
    pub stopped_by: Option<LimitHit>,
    pub progress: Option<ProgressFn>,
    pub start: Instant,
    pub stats: Stats,
    pub stopped: Option<String>,
    pub outcomes: BTreeMap<Outcome, BigUint>,
    pub violations: BTreeMap<Finding, Counterexample>,
    pub first_violation: Option<Finding>,
    pub stop_on_violation: bool,
    /// Threads that some cycle of the state graph never lets run although they could (the
    /// first such cycle found): it is no run of CPython, whose GIL is fair (see
    /// [`super::fair`]), so it is not reported.
    pub starved: Vec<crate::vm::Tid>,
    next_check: u64,
    /// States visited one by one (those a solo-loop acceleration skips are counted in the
    /// stats, not against `--max-states`).
    visited: u64,
    /// Whether solo translation loops may be run through at once.
    pub accelerate: bool,
    /// Solo loops run through in O(1), and their iterations.
    pub accelerated: Accelerated,
    /// What [`Search::discard`] kept after a stop, freed on a thread of its own at the end.
    graveyard: Vec<Box<dyn Send>>,
}

/// Solo-loop acceleration in a search: loops run through at once, and their iterations.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Accelerated {
    /// Loops.
    pub loops: u64,
    /// Iterations.
    pub iterations: u64,
}

/// Whether schedule `a` is to be shown rather than `b` for the same violation: the shorter,
/// then the first in the order of their steps (the parallel searches keep one per violation).
pub(crate) fn preferred(a: &Schedule, b: &Schedule) -> bool {
    (a.len(), a.steps().collect::<Vec<_>>()) < (b.len(), b.steps().collect::<Vec<_>>())
}

/// How often (in steps) limits are checked and progress reported.
const CHECK_EVERY: u64 = 1 << 16;
/// How often (in steps) the clock and the memory in use are read.
const CLOCK_EVERY: u64 = 1 << 8;

impl Search {
    pub fn new(limits: Limits, progress: Option<ProgressFn>, stop_on_violation: bool) -> Self {
        let budget = limits.budget();
        Search {
            limits,
            budget,
            phase_deadline: None,
            stopped_by: None,
            progress,
            start: Instant::now(),
            stats: Stats { workers: 1, ..Stats::default() },
            stopped: None,
            outcomes: BTreeMap::new(),
            violations: BTreeMap::new(),
            first_violation: None,
            stop_on_violation,
            starved: Vec::new(),
            next_check: CLOCK_EVERY,
            visited: 0,
            accelerate: true,
            accelerated: Accelerated::default(),
            graveyard: Vec::new(),
        }
    }

    /// Whether the search must stop (a limit was hit, or a violation ends it).
    pub fn should_stop(&self) -> bool {
        self.stopped.is_some() || (self.stop_on_violation && self.first_violation.is_some())
    }

    /// Counts a step and checks the limits every so often.
    #[inline]
    pub fn tick(&mut self) -> bool {
        self.stats.transitions += 1;
        if self.stats.transitions >= self.next_check {
            self.next_check = self.stats.transitions + CLOCK_EVERY;
            if self.stats.transitions % CHECK_EVERY < CLOCK_EVERY {
                self.check_limits();
            } else if let Some(l) = self.budget.check() {
                self.stop_on(l);
            }
        } else if let Some(l) = self.budget.poll() {
            self.stop_on(l);
        }
        self.should_stop()
    }

    /// Counts `n` new states (or branch points), stopping at `--max-states`.
    #[inline]
    pub fn count_states(&mut self, n: u64) {
        self.stats.states += n;
        self.visited += n;
        if self.visited > self.limits.max_states {
            self.stop_on(Limit::States);
        }
    }

    /// Whether a table of `len` entries of `entry` bytes each, with room for `capacity`, can
    /// grow (double) within the memory ceiling; when not, the search stops on the memory limit.
    /// Called before inserting into the large tables, whose growth is the largest single
    /// allocation a search makes.
    pub fn can_grow(&mut self, len: usize, capacity: usize, entry: usize) -> bool {
        if len < capacity {
            return true;
        }
        let bytes = (capacity.max(4) as u64).saturating_mul(2 * (entry as u64 + 1));
        if bytes < (1 << 16) || self.budget.fits(bytes) {
            return true;
        }
        self.stop_on(Limit::Memory);
        false
    }

    /// Drops `v`, a pending state of the search, unless a `--max-*` limit stopped the search:
    /// then it is kept until the search ends and freed on a thread of its own (freeing a
    /// million pending states one by one takes longer than the second a time limit may be
    /// overrun by, and a caller that goes on must still get the memory back).
    pub fn discard<T: Send + 'static>(&mut self, v: T) {
        if self.stopped_by.is_some() {
            self.graveyard.push(Box::new(v));
        } else {
            drop(v);
        }
    }

    /// Stops the search on one of the `--max-*` limits (the first recorded stays).
    pub fn stop_on(&mut self, limit: Limit) {
        if self.stopped.is_some() {
            return;
        }
        let hit = self.budget.hit(limit, self.limits.max_states);
        self.stopped_by = Some(hit);
        self.stopped = Some(hit.describe());
    }

    pub fn check_limits(&mut self) {
        if self.stopped.is_some() {
            return;
        }
        let seconds = self.start.elapsed().as_secs_f64();
        if let Some(p) = &self.progress {
            (p.0)(&Progress {
                states: self.stats.states,
                transitions: self.stats.transitions,
                executions: self.stats.executions,
                seconds,
            });
        }
        self.budget.publish(self.stats.states, self.stats.executions);
        if self.visited > self.limits.max_states {
            self.stop_on(Limit::States);
        } else if self.stats.executions > self.limits.max_executions {
            self.stopped = Some(format!("the limit of {} executions was reached", self.limits.max_executions));
        } else if let Some(l) = self.budget.check_rss() {
            self.stop_on(l);
        } else if self.phase_deadline.is_some_and(|d| Instant::now() > d) {
            self.stopped = Some("the first phase's own time limit was reached".into());
        }
    }

    /// Whether the budget stopped the run: a violation seen now may be an artefact of the
    /// stop (a step cut short by the memory limit), so it is not recorded.
    fn cut_short(&mut self) -> bool {
        match self.budget.stopped() {
            Some(l) => {
                self.stop_on(l);
                true
            }
            None => false,
        }
    }

    /// Records a terminal status reached by `schedule`; `count` interleavings end there.
    /// `state` projects the end state, which only a violation needs (a finished run's status
    /// carries its outcome).
    pub fn record(
        &mut self,
        status: Status,
        schedule: &Schedule,
        preemptions: u32,
        state: impl FnOnce() -> Outcome,
        count: BigUint,
    ) {
        match status {
            Status::Finished(o) => *self.outcomes.entry(o).or_default() += count,
            Status::Violation(_) if self.cut_short() => {}
            Status::Violation(f) => {
                let state = state();
                let ended = Outcome { violation: Some(format!("{}: {}", f.kind.as_str(), f.message)), ..state.clone() };
                *self.outcomes.entry(ended).or_default() += count;
                if self.first_violation.is_none() {
                    self.first_violation = Some(f.clone());
                }
                self.violations.entry(f.clone()).or_insert_with(|| Counterexample {
                    finding: f,
                    schedule: schedule.clone(),
                    preemptions,
                    state,
                    draws: crate::bytecode::Tape::new(),
                });
            }
            Status::Running => unreachable!("[internal bug] recording a running state"),
        }
    }

    /// Files the counterexample of `finding`, reached by `schedule` and ending in `state`, for a
    /// search that counted its outcomes apart (the parallel and distributed searches); its
    /// preemptions are those of a replay.
    pub fn file_counterexample<M: System>(&mut self, model: &M, finding: Finding, schedule: Schedule, state: Outcome) {
        if self.cut_short() {
            return;
        }
        let mut e = Execution::start(model);
        for tid in schedule.steps() {
            e.advance(tid);
        }
        let preemptions = e.preemptions();
        self.first_violation.get_or_insert_with(|| finding.clone());
        self.violations.entry(finding.clone()).or_insert_with(|| Counterexample {
            finding,
            schedule,
            preemptions,
            state,
            draws: crate::bytecode::Tape::new(),
        });
    }

    /// Ends one execution of a stateless search at a terminal status.
    pub fn finish_execution(
        &mut self,
        status: Status,
        schedule: &Schedule,
        preemptions: u32,
        state: impl FnOnce() -> Outcome,
    ) {
        self.stats.executions += 1;
        self.record(status, schedule, preemptions, state, BigUint::from(1u32));
        if self.stats.executions > self.limits.max_executions {
            self.check_limits();
        }
    }

    pub fn finish_stats(&mut self) -> Stats {
        self.stats.seconds = self.start.elapsed().as_secs_f64();
        self.stats.peak_rss_bytes = crate::budget::peak_rss_bytes();
        self.stats.peak_bytes = crate::budget::peak();
        self.stats.clone()
    }
}

/// Brent's cycle detection over the states a solo run passes at loop back-edges: a run that
/// never ends must revisit a state, and every such cycle passes a back-edge.
impl Drop for Search {
    fn drop(&mut self) {
        let graveyard = std::mem::take(&mut self.graveyard);
        if graveyard.is_empty() {
            return;
        }
        // Where no thread can be started (an address-space ceiling), the closure and its
        // states are freed here instead, late but not lost.
        let _ = std::thread::Builder::new().name("gilcheck-free".into()).spawn(move || drop(graveyard));
    }
}

pub(crate) struct CycleWatch<S> {
    checkpoint: Option<S>,
    power: u64,
    lam: u64,
}

impl<S: Clone + Eq> CycleWatch<S> {
    pub fn new() -> Self {
        CycleWatch { checkpoint: None, power: 1, lam: 0 }
    }

    pub fn reset(&mut self) {
        self.checkpoint = None;
        self.power = 1;
        self.lam = 0;
    }

    /// Feeds a back-edge state; true when it repeats an earlier one (a cycle).
    pub fn see(&mut self, s: &S) -> bool {
        if self.checkpoint.as_ref() == Some(s) {
            return true;
        }
        self.lam += 1;
        if self.checkpoint.is_none() || self.lam == self.power {
            self.checkpoint = Some(s.clone());
            self.power *= 2;
            self.lam = 0;
        }
        false
    }
}

/// The peak resident set size of the process in bytes (`VmHWM`; 0 where unknown).
pub fn peak_rss_bytes() -> u64 {
    crate::budget::peak_rss_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tells a channel when it is dropped.
    struct Tell(std::sync::mpsc::Sender<()>);
    impl Drop for Tell {
        fn drop(&mut self) {
            let _ = self.0.send(());
        }
    }

    #[test]
    fn states_kept_after_a_stop_are_freed_once_the_search_ends() {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut search = Search::new(Limits::default(), None, false);
        search.discard(Tell(tx.clone()));
        assert!(rx.try_recv().is_ok(), "before a stop, a state is dropped at once");
        search.stop_on(Limit::States);
        search.discard(Tell(tx));
        assert!(rx.try_recv().is_err(), "after a stop, the drop waits for the end of the search");
        drop(search);
        assert!(rx.recv_timeout(Duration::from_secs(10)).is_ok(), "the state kept after the stop was never freed");
    }
}
