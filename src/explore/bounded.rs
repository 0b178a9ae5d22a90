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
use crate::engine::{Execution, Finding, FindingKind, Schedule, Status, System};
use crate::vm::Tid;

/// Deepest nesting of pending alternatives before the search gives up (a limit, reported).
const MAX_NESTING: usize = 20_000;

/// The result of one bounded pass.
pub(crate) struct Pass {
    /// Whether some preemption was not tried because the budget was spent.
    pub cut: bool,
}

struct Bounded<'a, M: System> {
    model: &'a M,
    search: &'a mut Search,
    schedule: Schedule,
    cut: bool,
    nesting: usize,
}

/// Explores every execution with at most `bound` preemptions.
pub(crate) fn pass<M: System>(model: &M, search: &mut Search, bound: u32) -> Pass {
    let mut b = Bounded { model, search, schedule: Schedule::new(), cut: false, nesting: 0 };
    b.run(Execution::start(model), None, bound);
    Pass { cut: b.cut }
}

impl<'m, M: System> Bounded<'m, M> {
    /// Runs execution `e` on; `first` is the thread to step first (already chosen), `budget`
    /// the preemptions left.
    fn run(&mut self, mut e: Execution<'m, M>, first: Option<Tid>, budget: u32) {
        let mark = self.schedule.len();
        self.nesting += 1;
        self.search.count_states(1);
        if self.nesting > MAX_NESTING {
            self.search.stopped = Some(format!("more than {MAX_NESTING} nested scheduling choices in one execution"));
        }
        let mut watch = CycleWatch::new();
        let mut current = None;
        let mut next = first;
        loop {
            if let Some(tid) = next.take() {
                if current != Some(tid) {
                    watch.reset();
                }
                if self.model.next_step_is_back_edge(e.state(), tid) && watch.see(e.state()) {
                    if e.runnable().iter().any(|&u| u != tid) {
                        // Another thread could run here: looping on alone would starve it,
                        // which CPython's GIL does not allow (see `fair`); the runs where it
                        // gets its turn are explored at the preemption points.
                        if self.search.starved.is_empty() {
                            self.search.starved = e.runnable().iter().copied().filter(|&u| u != tid).collect();
                        }
                        break;
                    }
                    let line = self.model.line_of(e.state(), tid);
                    let f = Finding {
                        kind: FindingKind::NonTermination,
                        message: format!(
                            "{} loops forever at line {line} while no other thread is scheduled: the state repeats",
                            super::thread_name(tid)
                        ),
                        thread: tid,
                        line,
                    };
                    let o = self.model.project(e.state());
                    self.search.finish_execution(Status::Violation(f), &self.schedule, e.preemptions(), o);
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
                let o = self.model.project(e.state());
                self.search.finish_execution(status, &self.schedule, e.preemptions(), o);
                break;
            }
            match e.preemptible() {
                Some(c) => {
                    if e.runnable().len() > 1 && self.model.worth_preempting_before(e.state(), c) {
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
