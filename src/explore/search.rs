//! What every strategy shares: limits, progress, counters, outcome collection, cycle watching.

use super::model::Status;
use super::report::{Counterexample, Finding, Outcome, Stats};
use super::schedule::Schedule;
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
    /// Most resident memory, in bytes (checked from the OS every so often).
    pub max_memory: u64,
    /// Most complete executions (stateless strategies).
    pub max_executions: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_states: 50_000_000, max_time: None, max_memory: 8 << 30, max_executions: u64::MAX }
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
    pub progress: Option<ProgressFn>,
    pub start: Instant,
    pub stats: Stats,
    pub stopped: Option<String>,
    pub outcomes: BTreeMap<Outcome, BigUint>,
    pub violations: BTreeMap<Finding, Counterexample>,
    pub first_violation: Option<Finding>,
    pub stop_on_violation: bool,
    next_check: u64,
}

/// How often (in steps) limits are checked and progress reported.
const CHECK_EVERY: u64 = 1 << 16;

impl Search {
    pub fn new(limits: Limits, progress: Option<ProgressFn>, stop_on_violation: bool) -> Self {
        Search {
            limits,
            progress,
            start: Instant::now(),
            stats: Stats::default(),
            stopped: None,
            outcomes: BTreeMap::new(),
            violations: BTreeMap::new(),
            first_violation: None,
            stop_on_violation,
            next_check: CHECK_EVERY,
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
            self.next_check = self.stats.transitions + CHECK_EVERY;
            self.check_limits();
        }
        self.should_stop()
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
        if self.stats.states > self.limits.max_states {
            self.stopped = Some(format!("--max-states {} reached", self.limits.max_states));
        } else if self.stats.executions > self.limits.max_executions {
            self.stopped = Some(format!("the limit of {} executions was reached", self.limits.max_executions));
        } else if self.limits.max_time.is_some_and(|t| seconds > t.as_secs_f64()) {
            self.stopped =
                Some(format!("--max-time {}s reached", self.limits.max_time.map_or(0.0, |t| t.as_secs_f64())));
        } else {
            let rss = current_rss_bytes();
            if rss > self.limits.max_memory {
                self.stopped = Some(format!("the memory ceiling of {} MiB was reached", self.limits.max_memory >> 20));
            }
        }
    }

    /// Records a terminal status reached by `schedule`; `count` interleavings end there.
    pub fn record(&mut self, status: Status, schedule: &Schedule, preemptions: u32, state: Outcome, count: BigUint) {
        match status {
            Status::Finished(o) => *self.outcomes.entry(o).or_default() += count,
            Status::Violation(f) => {
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
                });
            }
            Status::Running => unreachable!("[internal bug] recording a running state"),
        }
    }

    /// Ends one execution of a stateless search at a terminal status.
    pub fn finish_execution(&mut self, status: Status, schedule: &Schedule, preemptions: u32, state: Outcome) {
        self.stats.executions += 1;
        self.record(status, schedule, preemptions, state, BigUint::from(1u32));
        if self.stats.executions > self.limits.max_executions {
            self.check_limits();
        }
    }

    pub fn finish_stats(&mut self) -> Stats {
        self.stats.seconds = self.start.elapsed().as_secs_f64();
        self.stats.peak_rss_bytes = peak_rss_bytes();
        self.stats.clone()
    }
}

/// Brent's cycle detection over the states a solo run passes at loop back-edges: a run that
/// never ends must revisit a state, and every such cycle passes a back-edge.
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

fn statm_field(index: usize) -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(index).and_then(|v| v.parse::<u64>().ok()))
        .map_or(0, |pages| pages * 4096)
}

/// The current resident set size in bytes (0 where unknown).
pub fn current_rss_bytes() -> u64 {
    statm_field(1)
}

/// The peak resident set size of the process in bytes (`VmHWM`; 0 where unknown).
pub fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()))
        })
        .map_or(0, |kb| kb * 1024)
}
