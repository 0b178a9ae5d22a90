//! Exploration: strategies that search the interleavings of a [`System`], and the [`Checker`]
//! builder that runs them and produces a [`Report`].
//!
//! Strategies:
//! - [`Strategy::Enumerate`]: every interleaving, statelessly, with exact counts per outcome;
//! - [`Strategy::Stateful`]: the state graph with a fingerprint set; exact outcome sets, total
//!   interleavings by dynamic programming, cycles found;
//! - [`Strategy::Bounded`]: preemption bounding with iterative deepening, fewest preemptions first;
//! - [`Strategy::Auto`] (default): a quick bounded search for a counterexample (bounds 0–2), then
//!   the stateful search for the proof.

mod bounded;
mod distributed;
mod draws;
mod enumerate;
mod extremes;
mod fair;
mod parallel;
mod reduce;
mod report;
mod search;
mod stateful;
mod stops;
#[cfg(test)]
pub(crate) mod tests;
mod visited;

pub use crate::engine::{thread_name, FindingKind, PyModel, Schedule, Status, System};
pub use distributed::Cluster;
pub use extremes::{extreme, Extreme, Goal};
pub use report::{Counterexample, OutcomeCount, ReductionNote, Report, Verdict};
pub use search::{peak_rss_bytes, Limits, Progress, ProgressFn};

use num_bigint::BigUint;
use search::Search;
use std::fmt;
use std::str::FromStr;

/// Within `auto`, the reduced search gives way to the plain searches after this many
/// scheduling points where it had to keep several threads.
const AUTO_MAX_BRANCHINGS: u64 = 10_000;

/// How to search.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Strategy {
    /// Bounded search for a counterexample (bounds 0–2), then stateful for the proof.
    #[default]
    Auto,
    /// Every interleaving, stateless.
    Enumerate,
    /// The state graph with a visited set.
    Stateful,
    /// Preemption bounding, iterative deepening up to `max_bound` preemptions.
    Bounded {
        /// The largest preemption bound to search.
        max_bound: u32,
    },
}

impl Strategy {
    /// The strategy's CLI name.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Auto => "auto",
            Strategy::Enumerate => "enumerate",
            Strategy::Stateful => "stateful",
            Strategy::Bounded { .. } => "bounded",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Strategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Strategy::Auto),
            "enumerate" => Ok(Strategy::Enumerate),
            "stateful" => Ok(Strategy::Stateful),
            "bounded" => Ok(Strategy::Bounded { max_bound: 8 }),
            other => Err(format!("unknown strategy '{other}'; supported: auto, enumerate, stateful, bounded")),
        }
    }
}

/// Which sound reductions the search may apply (`--reduction`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Reduction {
    /// Plain search: every interleaving (or state) is explored.
    #[default]
    None,
    /// Partial-order reduction over single steps (persistent and sleep sets).
    Por,
    /// `por` over Lipton transactions (atomic blocks from movers and locksets).
    Atomic,
    /// `atomic` plus commutativity of transactions' effects (e.g. `g += c` under one lock).
    Full,
}

impl Reduction {
    /// The level's CLI name.
    pub fn name(self) -> &'static str {
        match self {
            Reduction::None => "none",
            Reduction::Por => "por",
            Reduction::Atomic => "atomic",
            Reduction::Full => "full",
        }
    }
}

impl FromStr for Reduction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(Reduction::None),
            "por" => Ok(Reduction::Por),
            "atomic" => Ok(Reduction::Atomic),
            "full" => Ok(Reduction::Full),
            other => Err(format!("unknown reduction '{other}'; supported: none, por, atomic, full")),
        }
    }
}

/// Builds and runs a check of one model.
#[derive(Debug)]
#[must_use = "a Checker does nothing until you call .check()"]
pub struct Checker<'m, M: System> {
    model: &'m M,
    strategy: Strategy,
    limits: Limits,
    all_outcomes: bool,
    count: bool,
    count_outcomes: bool,
    reduction: Reduction,
    acceleration: bool,
    workers: usize,
    cluster: Option<Cluster>,
    progress: Option<ProgressFn>,
}

impl<'m, M: System + Sync> Checker<'m, M> {
    /// A checker for `model` with the default strategy and limits.
    pub fn new(model: &'m M) -> Self {
        Checker {
            model,
            strategy: Strategy::Auto,
            limits: Limits::default(),
            all_outcomes: false,
            count: false,
            count_outcomes: false,
            reduction: Reduction::None,
            acceleration: true,
            workers: 1,
            cluster: None,
            progress: None,
        }
    }

    /// Chooses the strategy.
    pub fn strategy(mut self, s: Strategy) -> Self {
        self.strategy = s;
        self
    }

    /// Sets the limits.
    pub fn limits(mut self, l: Limits) -> Self {
        self.limits = l;
        self
    }

    /// Explores everything even after a violation (for outcome sets); by default the search
    /// stops at the first violation.
    pub fn all_outcomes(mut self, yes: bool) -> Self {
        self.all_outcomes = yes;
        self
    }

    /// Whether the search counts interleavings exactly (default off: the stateful search then
    /// keeps a big integer per state, which costs time and memory the verdict does not need).
    pub fn count_interleavings(mut self, yes: bool) -> Self {
        self.count = yes;
        self
    }

    /// Whether the stateful search also counts the interleavings that end in each outcome, by
    /// dynamic programming over the state graph (default off: a map per state).
    pub fn count_per_outcome(mut self, yes: bool) -> Self {
        self.count_outcomes = yes;
        self
    }

    /// Chooses the reduction level (default `none`).
    pub fn reduction(mut self, r: Reduction) -> Self {
        self.reduction = r;
        self
    }

    /// Whether a preemption-bounded search runs a thread with no preemption left through a solo
    /// translation loop at once (default on; off steps every iteration, for cross-checks).
    pub fn solo_loop_acceleration(mut self, yes: bool) -> Self {
        self.acceleration = yes;
        self
    }

    /// How many threads the stateful search runs on (default 1). With more than one, the
    /// parallel search explores the same states and finds the same outcomes and violations;
    /// it needs an acyclic state graph ([`System::acyclic`]) and no interleaving counts, and
    /// the report says why when it ran on one thread instead.
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n.max(1);
        self
    }

    /// Runs the stateful search as this process's part of a cluster of processes on timely
    /// dataflow ([`Cluster`]); process 0's report is the whole search's. Needs a Python model
    /// with an acyclic state graph, and no interleaving counts.
    pub fn cluster(mut self, c: Cluster) -> Self {
        self.cluster = Some(c);
        self
    }

    /// Calls `f` with progress every so often.
    pub fn progress(mut self, f: ProgressFn) -> Self {
        self.progress = Some(f);
        self
    }

    fn search(&self) -> Search {
        let mut s = Search::new(self.limits.clone(), self.progress.clone(), !self.all_outcomes);
        s.accelerate = self.acceleration;
        s
    }

    /// Runs the check. The search runs on a thread of its own with a large stack, since the
    /// stateless strategies recurse once per pending scheduling alternative.
    ///
    /// Every phase of the check shares one budget (one deadline, one memory ceiling): the
    /// caller's ([`Limits::budget`]) or one that starts now.
    pub fn check(&self) -> Report {
        let budget = self.limits.budget();
        let run = Checker {
            model: self.model,
            strategy: self.strategy,
            limits: Limits { budget: Some(budget.clone()), ..self.limits.clone() },
            all_outcomes: self.all_outcomes,
            count: self.count,
            count_outcomes: self.count_outcomes,
            reduction: self.reduction,
            acceleration: self.acceleration,
            workers: self.workers,
            cluster: self.cluster.clone(),
            progress: self.progress.clone(),
        };
        crate::budget::on_search_stack("gilcheck-search", || {
            let _active = crate::budget::enter(&budget);
            run.check_here()
        })
    }

    fn check_here(&self) -> Report {
        let start = std::time::Instant::now();
        let mut report = match self.model.as_py().filter(|py| py.program.draws.active) {
            Some(py) => draws::check(self, py),
            None => self.check_one(),
        };
        // Every phase of the search counts (e.g. `auto`'s bounded search before the stateful one).
        report.stats.seconds = start.elapsed().as_secs_f64();
        report
    }

    /// The check of the model as it is (one tape of draws, where the program draws).
    fn check_one(&self) -> Report {
        let renumbered = |py: &crate::engine::PyModel| py.renumbered.load(std::sync::atomic::Ordering::Relaxed);
        let before = self.model.as_py().map(renumbered);
        let mut report = self.check_strategy();
        if let Some(n) = self.model.as_py().map(renumbered).zip(before).map(|(a, b)| a - b).filter(|n| *n > 0) {
            report.notes.push(format!(
                "reduction applied: heap symmetry ({n} states renumbered): states that differ only in how their \
                 heap objects are numbered, or in objects nothing refers to any more, are kept as one; the program \
                 cannot tell them apart (id(), hash() and the default repr of an object stop the run, and object \
                 keys are found by identity, which a renumbering keeps)"
            ));
        }
        stops::settle(self.model, &mut report);
        let libraries = self.model.as_py().map_or(&[][..], |py| &py.program.libraries[..]);
        for lib in libraries.iter().filter(|l| l.atomic) {
            report.notes.push(format!(
                "reduction applied: {}'s own steps run as transactions between its synchronisation points \
                 (a lock's acquire moves right, its release and a put on the executor's queue move left, steps \
                 on the module's own objects move both ways): no switch inside one changes what another \
                 thread can see",
                lib.name
            ));
        }
        report
    }

    fn check_strategy(&self) -> Report {
        match self.strategy {
            Strategy::Stateful if self.reduction != Reduction::None => self.reduced(u64::MAX),
            Strategy::Auto => self.auto(),
            Strategy::Enumerate | Strategy::Bounded { .. } if self.reduction != Reduction::None => {
                let mut r = self.plain();
                r.notes.push(format!(
                    "reduction {} not applied: the {} strategy explores without reductions (they apply to auto and stateful)",
                    self.reduction.name(),
                    self.strategy.name()
                ));
                r
            }
            _ => self.plain(),
        }
    }

    /// The default: the reduced search when it collapses the program (a proof, or a violation),
    /// a preemption-bounded search for the fewest-preemption counterexample, then the stateful
    /// search for the proof.
    fn auto(&self) -> Report {
        let mut notes = Vec::new();
        let mut found = None;
        if self.reduction != Reduction::None {
            let r = self.reduced(AUTO_MAX_BRANCHINGS);
            if r.reduction.is_some() {
                if r.verdict != Verdict::Violated {
                    return r;
                }
                found = Some(r);
            } else {
                notes = r.notes;
            }
        }
        let (report, exhaustive) = self.bounded(2, true);
        if report.verdict == Verdict::Violated || exhaustive || report.stopped_by.is_some() {
            let mut report = report;
            report.notes.splice(0..0, notes);
            return report;
        }
        if let Some(r) = found {
            return r;
        }
        notes.push(format!(
            "a preemption-bounded search (bounds 0–{}) found no violation in {:.2} s; then the stateful search ran",
            report.stats.preemption_bound.unwrap_or(0),
            report.stats.seconds
        ));
        let mut r = self.stateful(vec![]);
        r.notes.splice(0..0, notes);
        r
    }

    /// The reduced search at the chosen level, falling back to weaker levels (and finally to
    /// the stateful search) when the program is outside the analysis or a monitor fires.
    fn reduced(&self, max_branchings: u64) -> Report {
        let mut level = self.reduction;
        let mut notes = Vec::new();
        while level != Reduction::None {
            let Some(py) = self.model.as_py() else {
                notes.push("reductions apply to Python programs only; plain search".to_string());
                break;
            };
            let mut s = self.search();
            match reduce::run(py, &mut s, level, max_branchings) {
                Ok(found) => {
                    let mut r = self.report(s, "reduced", None, false, found.notes);
                    r.strategy = format!("reduced ({})", level.name());
                    r.reduction = Some(level);
                    r.notes.extend(notes);
                    r.notes.extend(found.visited);
                    return r;
                }
                Err(reduce::Abort::Unsupported(why) | reduce::Abort::Budget(why)) => {
                    notes.push(format!("no reduction applied: {why}; plain search"));
                    level = Reduction::None;
                }
                Err(reduce::Abort::Monitor(why)) => {
                    let weaker = match level {
                        Reduction::Full => Reduction::Atomic,
                        Reduction::Atomic => Reduction::Por,
                        _ => Reduction::None,
                    };
                    notes.push(format!("reduction {} dropped: {why}; rerun with {}", level.name(), weaker.name()));
                    level = weaker;
                }
            }
        }
        if max_branchings != u64::MAX {
            // Within `auto`: the caller goes on with the plain searches.
            let mut r = self.report(self.search(), "none", None, false, vec![]);
            r.notes = notes;
            return r;
        }
        let mut r = self.stateful(vec![]);
        r.notes.extend(notes);
        r
    }

    fn plain(&self) -> Report {
        match self.strategy {
            Strategy::Enumerate => {
                let mut s = self.search();
                enumerate::run(self.model, &mut s);
                if !s.starved.is_empty() && s.first_violation.is_none() && s.stopped.is_none() {
                    let who: Vec<String> = s.starved.iter().map(|t| thread_name(*t)).collect();
                    s.stopped = Some(format!(
                        "enumeration cut runs that loop only while {} never runs although it could (no run of \
                         CPython, whose GIL is fair); whether such loops join into a fair one only the stateful \
                         search tells: use --strategy stateful",
                        who.join(" and ")
                    ));
                }
                self.report(s, "enumerate", None, self.count || self.count_outcomes, vec![])
            }
            Strategy::Stateful => self.stateful(vec![]),
            Strategy::Bounded { max_bound } => self.bounded(max_bound, false).0,
            Strategy::Auto => self.auto(),
        }
    }

    fn stateful(&self, notes: Vec<ReductionNote>) -> Report {
        let mut s = self.search();
        if let Some(c) = &self.cluster {
            let mut skipped = 0;
            let why_not = match self.model.as_py() {
                _ if self.count || self.count_outcomes => Some("interleaving counts need the one-thread search".to_string()),
                None => Some("the distributed search runs Python programs only".to_string()),
                Some(py) if !py.acyclic() => Some(
                    "the program has a loop other than a `for` loop, so its state graph may have cycles, which only the one-thread search looks for".to_string(),
                ),
                Some(py) => match distributed::run(py, &mut s, c) {
                    Ok(n) => {
                        skipped = n;
                        None
                    }
                    Err(e) => Some(format!("the cluster could not run: {e}")),
                },
            };
            if let Some(why) = why_not {
                s.stopped.get_or_insert(format!("no distributed search: {why}"));
            }
            let mut r = self.report(s, "stateful", None, false, notes);
            r.notes.push(distributed::note(c, &r.stats, skipped));
            return r;
        }
        // The fingerprint-table search (any number of threads, `parallel.rs`) answers every
        // question but interleaving counts, on state graphs without cycles; the graph search
        // (`stateful.rs`) counts and looks for cycles.
        let why_not = if self.count || self.count_outcomes {
            Some("interleaving counts need the one-thread search")
        } else if !self.model.acyclic() {
            Some("the program has a loop other than a `for` loop, so its state graph may have cycles, which only the one-thread search looks for")
        } else {
            None
        };
        let Some(why) = why_not else {
            parallel::run(self.model, &mut s, self.workers);
            let mut r = self.report(s, "stateful", None, false, notes);
            r.notes.push(parallel::note(&r.stats));
            return r;
        };
        let mut r = self.stateful_on_one_thread(s, notes);
        if self.workers > 1 {
            r.notes.push(format!("--workers {}: the stateful search ran on one thread: {why}", self.workers));
        }
        r
    }

    fn stateful_on_one_thread(&self, mut s: Search, notes: Vec<ReductionNote>) -> Report {
        let explored = stateful::run(self.model, &mut s, self.count || self.count_outcomes, self.count_outcomes);
        match explored.per_outcome {
            Some(counts) => {
                // The DP's counts per outcome replace the first-visit counts the search filed.
                s.outcomes = counts.into_iter().collect();
                self.report(s, "stateful", explored.interleavings, true, notes)
            }
            None => self.report(s, "stateful", explored.interleavings, false, notes),
        }
    }

    /// Iterative deepening; returns the report and whether the last pass was exhaustive.
    fn bounded(&self, max_bound: u32, quick: bool) -> (Report, bool) {
        let mut s = self.search();
        if quick {
            s.phase_deadline = Some(std::time::Instant::now() + std::time::Duration::from_secs(30));
        }
        let (bound, exhaustive) = bounded::deepen(max_bound, |bound| {
            s.stats.preemption_bound = Some(bound);
            // Each pass re-explores everything the previous one did: keep only its own counts.
            s.outcomes.clear();
            s.stats.executions = 0;
            let cut = bounded::pass(self.model, &mut s, bound);
            if (s.first_violation.is_some() && !self.all_outcomes) || s.stopped.is_some() {
                bounded::PassEnd::Stopped
            } else if cut {
                bounded::PassEnd::Cut
            } else {
                bounded::PassEnd::Complete
            }
        });
        let mut notes = vec![ReductionNote {
            name: "invisible-steps".into(),
            reason: "preemptions are tried only before visible steps: a step that touches no shared object and cannot fail commutes with every step of every other thread".into(),
        }];
        if !exhaustive && s.first_violation.is_none() && s.stopped.is_none() {
            s.stopped = Some(format!("the preemption bound {bound} was reached"));
        }
        if quick {
            notes.clear();
        }
        if s.accelerated.loops > 0 {
            notes.push(ReductionNote {
                name: "solo-loop acceleration".into(),
                reason: format!(
                    "{} loops ({} iterations) were run through at once by a thread with no preemption left: each \
                     iteration of such a loop is a translation (the same path, the same constants added), and \
                     with no preemption left no other thread moves until the loop ends",
                    crate::text::thousands(s.accelerated.loops),
                    crate::text::thousands(s.accelerated.iterations)
                ),
            });
        }
        let mut r = self.report(s, "bounded", None, false, notes);
        r.exhaustive &= exhaustive;
        (r, exhaustive)
    }

    fn report(
        &self,
        mut s: Search,
        strategy: &str,
        interleavings: Option<BigUint>,
        per_outcome: bool,
        reductions: Vec<ReductionNote>,
    ) -> Report {
        let stats = s.finish_stats();
        let violated = s.first_violation.is_some();
        let exhaustive = s.stopped.is_none() && (!violated || self.all_outcomes);
        let verdict = if violated {
            Verdict::Violated
        } else if s.stopped.is_some() {
            Verdict::Inconclusive
        } else {
            Verdict::Holds
        };
        let counterexample = s.first_violation.as_ref().and_then(|f| s.violations.get(f).cloned());
        let total = match interleavings {
            Some(n) => Some(n),
            None if per_outcome && exhaustive => Some(BigUint::from(s.stats.executions)),
            None => None,
        };
        let outcomes = std::mem::take(&mut s.outcomes)
            .into_iter()
            .map(|(outcome, n)| OutcomeCount { outcome, interleavings: per_outcome.then_some(n) })
            .collect();
        let mut notes = Vec::new();
        if !s.starved.is_empty() && !s.violations.keys().any(|f| f.kind == FindingKind::NonTermination) {
            let who: Vec<String> = s.starved.iter().map(|t| thread_name(*t)).collect();
            notes.push(format!(
                "a run can return to an earlier state, but only while {} never runs although it could; \
                 CPython's GIL hands over to a waiting thread within its switch interval, so no run of \
                 CPython loops there forever (cycles are reported only when every thread that can \
                 always run takes steps in them)",
                who.join(" and ")
            ));
        }
        Report {
            verdict,
            switch_model: self.model.switch_model(),
            strategy: strategy.to_string(),
            reduction: None,
            exhaustive,
            limit: s.stopped.clone(),
            stopped_by: s.stopped_by,
            outcomes,
            violations: std::mem::take(&mut s.violations).into_values().collect(),
            counterexample,
            interleavings: total,
            reductions,
            notes,
            stats,
            checker_stop: None,
        }
    }
}
