//! Plain enumeration: a stateless depth-first search over every interleaving, with exact
//! counts per outcome. No reduction at all: the oracle that every other strategy is held to.

use super::fair;
use super::model::{Model, Status};
use super::report::{Finding, FindingKind};
use super::schedule::Schedule;
use super::search::Search;
use crate::vm::{Event, Tid};
use std::collections::HashMap;

struct Enumerate<'a, M: Model> {
    model: &'a M,
    search: &'a mut Search,
    schedule: Schedule,
    /// Fingerprints of the back-edge states on the current path (a repeat is a cycle).
    path: Vec<u128>,
    /// Where each of them is on the path (its step index).
    on_path: HashMap<u128, usize>,
    /// For each step of the path: its thread, and the threads that could run before it.
    steps: Vec<(Tid, fair::Threads)>,
}

/// Enumerates every interleaving of `model`.
pub(crate) fn run<M: Model>(model: &M, search: &mut Search) {
    let mut e = Enumerate {
        model,
        search,
        schedule: Schedule::new(),
        path: Vec::new(),
        on_path: HashMap::new(),
        steps: Vec::new(),
    };
    e.go(model.init(), None, None, 0);
}

impl<M: Model> Enumerate<'_, M> {
    /// Runs from `s`, stepping `first` first; `prev` is the thread that took the last step and
    /// whether that step was free to switch after (`None` at the start).
    fn go(&mut self, mut s: M::State, first: Option<Tid>, mut prev: Option<(Tid, bool)>, mut used: u32) {
        let mark = self.schedule.len();
        let path_mark = self.path.len();
        self.search.count_states(1);
        let mut runnable = Vec::new();
        let mut next = first;
        let mut last_raised = false;
        let steps_mark = self.steps.len();
        loop {
            if let Some(tid) = next.take() {
                if self.steps.len() == steps_mark {
                    self.model.runnable(&s, &mut runnable);
                }
                if self.model.next_step_is_back_edge(&s, tid) {
                    let fp = self.model.fingerprint(&s);
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
                        let o = self.model.project(&s);
                        self.search.finish_execution(Status::Violation(f), &self.schedule, used, o);
                        break;
                    }
                    self.on_path.insert(fp, self.steps.len());
                    self.path.push(fp);
                }
                self.steps.push((tid, fair::mask(&runnable)));
                let info = self.model.step(&mut s, tid);
                self.schedule.push(tid);
                prev = Some((tid, info.event.releases_gil()));
                last_raised = matches!(info.event, Event::Raise(_));
                if self.search.tick() {
                    break;
                }
            }
            self.model.runnable(&s, &mut runnable);
            if runnable.is_empty() || last_raised {
                let status = self.model.status(&s);
                if status != Status::Running {
                    let o = self.model.project(&s);
                    self.search.finish_execution(status, &self.schedule, used, o);
                    break;
                }
                last_raised = false;
            }
            let cost = |u: Tid| match prev {
                Some((p, free)) if p != u && !free && runnable.contains(&p) => 1,
                _ => 0,
            };
            for &u in runnable.clone().iter().skip(1) {
                self.go(s.clone(), Some(u), prev, used + cost(u));
                if self.search.should_stop() {
                    break;
                }
            }
            if self.search.should_stop() {
                break;
            }
            used += cost(runnable[0]);
            next = Some(runnable[0]);
        }
        for fp in self.path.drain(path_mark..) {
            self.on_path.remove(&fp);
        }
        self.steps.truncate(steps_mark);
        let extra = self.schedule.len() - mark;
        self.schedule.truncate_steps(extra);
        self.search.discard(s);
    }
}
