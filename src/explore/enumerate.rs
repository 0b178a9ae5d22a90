//! Plain enumeration: a stateless depth-first search over every interleaving, with exact
//! counts per outcome. No reduction at all: the oracle that every other strategy is held to.

use super::fair;
use super::search::Search;
use crate::engine::{Execution, Finding, FindingKind, Schedule, Status, System};
use crate::vm::Tid;
use std::collections::HashMap;

struct Enumerate<'a, M: System> {
    search: &'a mut Search,
    schedule: Schedule,
    /// Fingerprints of the back-edge states on the current path (a repeat is a cycle).
    path: Vec<u128>,
    /// Where each of them is on the path (its step index).
    on_path: HashMap<u128, usize>,
    /// For each step of the path: its thread, and the threads that could run before it.
    steps: Vec<(Tid, fair::Threads)>,
    model: &'a M,
}

/// Enumerates every interleaving of `model`.
pub(crate) fn run<M: System>(model: &M, search: &mut Search) {
    let mut e = Enumerate {
        model,
        search,
        schedule: Schedule::new(),
        path: Vec::new(),
        on_path: HashMap::new(),
        steps: Vec::new(),
    };
    e.go(Execution::start(model), None);
}

impl<'m, M: System> Enumerate<'m, M> {
    /// Runs execution `e` on, stepping `first` first.
    fn go(&mut self, mut e: Execution<'m, M>, first: Option<Tid>) {
        let mark = self.schedule.len();
        let path_mark = self.path.len();
        self.search.count_states(1);
        let mut next = first;
        let steps_mark = self.steps.len();
        loop {
            if let Some(tid) = next.take() {
                if self.model.next_step_is_back_edge(e.state(), tid) {
                    let fp = self.model.fingerprint(e.state());
                    if let Some(&at) = self.on_path.get(&fp) {
                        // A cycle: a run that never terminates if it is weakly fair (every
                        // thread that could always run steps in it); else only a starved
                        // thread allows it (see `fair`), and this search cannot tell whether
                        // a fair cycle joins several such loops.
                        let cycle = &self.steps[at..];
                        let stepped = cycle.iter().fold(0, |m, (t, _)| m | fair::bit(*t));
                        let always = cycle.iter().fold(!0, |m, (_, e)| m & e);
                        if always & !stepped != 0 {
                            if self.search.starved.is_empty() {
                                self.search.starved =
                                    (0..128).filter(|t| always & !stepped & fair::bit(*t) != 0).collect();
                            }
                            break;
                        }
                        let f = Finding {
                            kind: FindingKind::NonTermination,
                            message: "a run never terminates: it returns to an earlier state".into(),
                            thread: 0,
                            line: 0,
                        };
                        let model = self.model;
                        self.search.finish_execution(Status::Violation(f), &self.schedule, e.preemptions(), || {
                            model.project(e.state())
                        });
                        break;
                    }
                    self.on_path.insert(fp, self.steps.len());
                    self.path.push(fp);
                }
                self.steps.push((tid, fair::mask(e.runnable())));
                e.advance(tid);
                self.schedule.push(tid);
                if self.search.tick() {
                    break;
                }
            }
            let status = e.status();
            if status != Status::Running {
                let model = self.model;
                self.search.finish_execution(status, &self.schedule, e.preemptions(), || model.project(e.state()));
                break;
            }
            let runnable = e.runnable().to_vec();
            for &u in runnable.iter().skip(1) {
                self.go(e.clone(), Some(u));
                if self.search.should_stop() {
                    break;
                }
            }
            if self.search.should_stop() {
                break;
            }
            next = Some(runnable[0]);
        }
        for fp in self.path.drain(path_mark..) {
            self.on_path.remove(&fp);
        }
        self.steps.truncate(steps_mark);
        let extra = self.schedule.len() - mark;
        self.schedule.truncate_steps(extra);
        self.search.discard(e.into_state());
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::toy::RacyCounter;
    use crate::explore::tests::shared_counts;
    use crate::explore::{Checker, Strategy};
    use num_bigint::BigUint;

    /// Two threads, one racy increment each (load, store): of the C(4, 2) = 6 interleavings, the
    /// two that run one increment before the other end with 2, the four that load both before
    /// either stores lose an update and end with 1.
    #[test]
    fn every_interleaving_is_counted_with_its_outcome() {
        let m = RacyCounter { threads: 2, n: 1, expect: None };
        let r = Checker::new(&m).strategy(Strategy::Enumerate).all_outcomes(true).count_interleavings(true).check();
        assert_eq!(r.interleavings, Some(BigUint::from(6u32)));
        assert_eq!(shared_counts(&r), [("1", Some(4)), ("2", Some(2))]);
        assert_eq!(r.stats.executions, 6);
    }
}
