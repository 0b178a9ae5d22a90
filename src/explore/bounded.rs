//! Preemption-bounded search with iterative deepening (CHESS, Musuvathi–Qadeer PLDI'07): all
//! executions with at most `b` preemptions, for b = 0, 1, 2, …, so the first counterexample
//! found has the fewest preemptions.
//!
//! A *preemption* switches away from a thread that could have continued. Switches where the
//! running thread blocks, finishes or sleeps are free. Preemptions are only tried right before
//! a thread's *visible* steps: an invisible step (local, cannot fail) commutes with every step of
//! every other thread, so a switch before it reaches nothing that the switch after it does not.
//!
//! The search is stateless and memory-light: it keeps one state per pending alternative, and
//! tries the earliest preemption first (long solo runs are executed in place).

use super::search::{CycleWatch, Search};
use crate::engine::{Execution, Finding, FindingKind, RejectedLoops, Schedule, Status, System};
use crate::vm::Tid;

/// Deepest nesting of pending alternatives before the search gives up (a limit, reported).
const MAX_NESTING: usize = 20_000;

/// How one pass of an iterative deepening ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PassEnd {
    /// The search stopped (a limit, or a violation when one is enough): no deeper pass.
    Stopped,
    /// Some preemption was not tried for lack of budget: a deeper pass may reach more.
    Cut,
    /// No preemption was left untried: deeper passes reach nothing new.
    Complete,
}

/// Iterative deepening over preemption bounds 0, 1, …, `max_bound` (the bounded strategy and
/// the search for extremes): runs `pass(bound)` until a pass stops the search or completes, or
/// the bound is spent. Returns the last bound and whether its pass was complete.
pub(crate) fn deepen(max_bound: u32, mut pass: impl FnMut(u32) -> PassEnd) -> (u32, bool) {
    let mut bound = 0;
    loop {
        match pass(bound) {
            PassEnd::Stopped => return (bound, false),
            PassEnd::Complete => return (bound, true),
            PassEnd::Cut if bound >= max_bound => return (bound, false),
            PassEnd::Cut => bound += 1,
        }
    }
}

/// What a bounded search does besides exploring: whether to explore a branch at all, a run of
/// many steps at once, and what a run that ends or loops alone leaves behind. [`Plain`] is the
/// bounded strategy's; the search for extremes adds a memo, solo-loop acceleration and an
/// objective. The hooks take the driver, so that they can explore branches of their own.
pub(crate) trait Hooks<'m, M: System + 'm>: Sized {
    /// Whether the driver checks for a stop before every step (else after steps and branches).
    const STOP_FIRST: bool = false;
    /// Whether to explore `e` on with `first` next (a memo may know it explored it already).
    fn enter(_d: &mut Bounded<'m, '_, M, Self>, _e: &Execution<'m, M>, _first: Option<Tid>) -> bool {
        true
    }
    /// Right before `tid` steps: may take many of its steps at once (exploring the preemptions
    /// among them as branches of its own), and then says so.
    fn accelerate(_d: &mut Bounded<'m, '_, M, Self>, _e: &mut Execution<'m, M>, _tid: Tid, _budget: u32) -> bool {
        false
    }
    /// `tid`, the only thread scheduled, is about to repeat a state at a loop back-edge.
    fn solo_cycle(d: &mut Bounded<'m, '_, M, Self>, e: &Execution<'m, M>, tid: Tid);
    /// The run ended in `status`.
    fn finish(d: &mut Bounded<'m, '_, M, Self>, e: &Execution<'m, M>, status: Status);
}

/// The bounded strategy's hooks: every run is filed with the search, and a thread with no
/// preemption left runs through a solo translation loop in O(1).
#[derive(Default)]
pub(crate) struct Plain {
    rejected: RejectedLoops,
}

impl<'m, M: System + 'm> Hooks<'m, M> for Plain {
    /// With no preemption left, nothing but `tid` moves until it blocks, ends or leaves the
    /// loop: a translation loop ([`System::solo_loop`]) is run through at once. Its visible
    /// steps are preemption points the budget cannot pay for: they cut the pass, as stepping
    /// them would.
    fn accelerate(d: &mut Bounded<'m, '_, M, Self>, e: &mut Execution<'m, M>, tid: Tid, budget: u32) -> bool {
        if budget != 0 || !d.search.accelerate {
            return false;
        }
        let model = d.model;
        let Some(l) = model.solo_loop(e.state(), tid, &mut d.hooks.rejected) else { return false };
        if l.yields && e.runnable().iter().any(|&u| u != tid) {
            d.cut = true;
        }
        e.apply_run(tid, |s| model.apply_solo_loop(s, tid, &l, l.iterations));
        d.schedule.push_run(tid, l.iterations.saturating_mul(l.steps));
        d.search.accelerated.loops += 1;
        d.search.accelerated.iterations += l.iterations;
        true
    }

    fn solo_cycle(d: &mut Bounded<'m, '_, M, Self>, e: &Execution<'m, M>, tid: Tid) {
        if e.runnable().iter().any(|&u| u != tid) {
            // Another thread could run here: looping on alone would starve it, which CPython's
            // GIL does not allow (see `fair`); the runs where it gets its turn are explored at
            // the preemption points.
            if d.search.starved.is_empty() {
                d.search.starved = e.runnable().iter().copied().filter(|&u| u != tid).collect();
            }
            return;
        }
        let line = d.model.line_of(e.state(), tid);
        let f = Finding {
            kind: FindingKind::NonTermination,
            message: format!(
                "{} loops forever at line {line} while no other thread is scheduled: the state repeats",
                super::thread_name(tid)
            ),
            thread: tid,
            line,
        };
        d.search.finish_execution(Status::Violation(f), &d.schedule, e.preemptions(), || d.model.project(e.state()));
    }

    fn finish(d: &mut Bounded<'m, '_, M, Self>, e: &Execution<'m, M>, status: Status) {
        d.search.finish_execution(status, &d.schedule, e.preemptions(), || d.model.project(e.state()));
    }
}

/// Explores every execution with at most `bound` preemptions; returns whether some preemption
/// was not tried because the budget was spent.
pub(crate) fn pass<M: System>(model: &M, search: &mut Search, bound: u32) -> bool {
    Bounded::new(model, search, Plain::default()).pass(bound)
}

/// The driver of a bounded search: it runs executions, branching at every scheduling choice
/// and at the preemptions the budget allows.
pub(crate) struct Bounded<'m, 's, M: System, H> {
    /// The model.
    pub model: &'m M,
    /// Counters, limits and what was found.
    pub search: &'s mut Search,
    /// The schedule of the current run.
    pub schedule: Schedule,
    /// Whether the current pass left some preemption untried for lack of budget.
    pub cut: bool,
    nesting: usize,
    /// What the hooks keep.
    pub hooks: H,
}

impl<'m, 's, M: System + 'm, H: Hooks<'m, M>> Bounded<'m, 's, M, H> {
    /// A driver over `model`.
    pub fn new(model: &'m M, search: &'s mut Search, hooks: H) -> Self {
        Bounded { model, search, schedule: Schedule::new(), cut: false, nesting: 0, hooks }
    }

    /// One pass from the initial state with at most `bound` preemptions; returns whether some
    /// preemption was not tried because the budget was spent.
    pub fn pass(&mut self, bound: u32) -> bool {
        self.cut = false;
        self.run(Execution::start(self.model), None, bound);
        self.cut
    }

    /// Runs execution `e` on; `first` is the thread to step first (already chosen), `budget`
    /// the preemptions left.
    pub fn run(&mut self, mut e: Execution<'m, M>, first: Option<Tid>, budget: u32) {
        if !H::enter(self, &e, first) {
            return;
        }
        let mark = self.schedule.len();
        self.nesting += 1;
        self.search.count_states(1);
        if self.nesting > MAX_NESTING {
            self.search.stopped = Some(format!("more than {MAX_NESTING} nested scheduling choices in one execution"));
        }
        let mut watch = CycleWatch::new();
        let mut current = None;
        let mut next = first;
        while !(H::STOP_FIRST && self.search.should_stop()) {
            if let Some(tid) = next.take() {
                if H::accelerate(self, &mut e, tid, budget) {
                    current = Some(tid);
                    watch.reset();
                    next = Some(tid);
                    continue;
                }
                if current != Some(tid) {
                    watch.reset();
                }
                if self.model.next_step_is_back_edge(e.state(), tid) && watch.see(e.state()) {
                    H::solo_cycle(self, &e, tid);
                    break;
                }
                e.advance(tid);
                self.schedule.push(tid);
                current = Some(tid);
                if self.search.tick() {
                    break;
                }
            }
            let status = e.status();
            if status != Status::Running {
                H::finish(self, &e, status);
                break;
            }
            match e.preemptible() {
                Some(c) => {
                    // With no budget left a preemption point only marks the pass as cut: once
                    // it is marked, the next ones need not be looked for.
                    let spent = budget == 0 && self.cut;
                    if !spent && e.runnable().len() > 1 && self.model.worth_preempting_before(e.state(), c) {
                        if budget == 0 {
                            self.cut = true;
                        } else {
                            for &u in e.runnable().to_vec().iter().filter(|&&u| u != c) {
                                self.run(e.clone(), Some(u), budget - 1);
                                if self.search.should_stop() {
                                    break;
                                }
                            }
                            if self.search.should_stop() {
                                break;
                            }
                        }
                    }
                    next = Some(c);
                }
                None => {
                    let runnable = e.runnable().to_vec();
                    for &u in runnable.iter().skip(1) {
                        self.run(e.clone(), Some(u), budget);
                        if self.search.should_stop() {
                            break;
                        }
                    }
                    if self.search.should_stop() {
                        break;
                    }
                    next = Some(runnable[0]);
                }
            }
        }
        let extra = self.schedule.len() - mark;
        self.schedule.truncate_steps(extra);
        self.nesting -= 1;
        self.search.discard(e.into_state());
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::toy::RacyCounter;
    use crate::explore::{Checker, Strategy, Verdict};

    /// With no preemption allowed each thread runs to its end once started: two runs (who
    /// starts), both ending with every update; the search says the bound cut it short.
    #[test]
    fn bound_zero_runs_each_thread_to_its_end() {
        let m = RacyCounter { threads: 2, n: 2, expect: None };
        let r = Checker::new(&m).strategy(Strategy::Bounded { max_bound: 0 }).all_outcomes(true).check();
        assert_eq!(r.stats.executions, 2);
        assert_eq!(r.int_values("shared").into_iter().collect::<Vec<_>>(), vec![4]);
        assert_eq!(r.verdict, Verdict::Inconclusive);
        assert!(!r.exhaustive);
        assert_eq!(r.stats.preemption_bound, Some(0));
    }
}
