//! The context-bounded search for the extreme final value of one global.
//!
//! A depth-first search over executions with at most `bound` preemptions, tried only before
//! visible steps (as in [`crate::explore::Strategy::Bounded`]), with two additions:
//!
//! - *solo-loop acceleration*: at the head of a loop whose iterations are translations
//!   ([`super::accel`]), the running thread's iterations are applied in O(1);
//! - *vertex search*: inside such a loop, a preemption is tried only after 0, 1, R−2 or R−1 of
//!   its R remaining iterations, at every yield point of that iteration. With the context
//!   structure fixed, the final value is affine in the iteration counts of the segments when the
//!   loop bodies are translations and no branch tests a counted value, so its extremes lie at
//!   the vertices of the polytope of counts.
//!
//! A state reached again with no fewer preemptions used is not explored again (memo on the
//! state's fingerprint and the thread chosen to run next).

use super::accel::{self, Head, Translation};
use super::Goal;
use crate::engine::{preemptible, run_status, Last, PyModel, Schedule, Status, System};
use crate::explore::search::{CycleWatch, Search};
use crate::vm::{Event, State, Tid, Value};
use num_bigint::BigInt;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Deepest nesting of pending alternatives before the search gives up (a limit, reported).
const MAX_NESTING: usize = 20_000;

/// The best final value found so far.
#[derive(Clone, Debug)]
pub(super) struct Best {
    /// The value of the global at the end of the run.
    pub value: BigInt,
    /// Preemptions the run makes.
    pub used: u32,
    /// The run's schedule (plain steps: accelerated iterations are expanded).
    pub schedule: Schedule,
}

/// The search's state across its passes.
pub(super) struct Dfs<'a> {
    model: &'a PyModel,
    slot: usize,
    goal: Goal,
    /// Whether translation loops are accelerated (off: plain preemption-bounded search).
    acceleration: bool,
    /// Counters and limits.
    pub search: Search,
    schedule: Schedule,
    /// Whether the current pass left some preemption untried for lack of budget.
    pub cut: bool,
    nesting: usize,
    memo: HashMap<(u128, Tid), u32>,
    /// The best run so far.
    pub best: Option<Best>,
    /// Loops accelerated, and the iterations they skipped.
    pub accelerated_loops: u64,
    /// Iterations applied in O(1).
    pub accelerated_iterations: u64,
    /// Loops that were not translations: line → why.
    pub rejected: BTreeMap<u32, String>,
    rejected_heads: HashSet<(u32, u32)>,
    /// Runs that ended (completed, or stopped by a violation or a cycle).
    pub executions: u64,
    /// Runs that end with the global not bound to an int.
    pub non_int: u64,
    /// States (with the next thread) skipped because they were explored before.
    pub revisits: u64,
}

impl<'a> Dfs<'a> {
    pub fn new(model: &'a PyModel, slot: usize, goal: Goal, acceleration: bool, search: Search) -> Self {
        Dfs {
            model,
            slot,
            goal,
            acceleration,
            search,
            schedule: Schedule::new(),
            cut: false,
            nesting: 0,
            memo: HashMap::new(),
            best: None,
            accelerated_loops: 0,
            accelerated_iterations: 0,
            rejected: BTreeMap::new(),
            rejected_heads: HashSet::new(),
            executions: 0,
            non_int: 0,
            revisits: 0,
        }
    }

    /// Explores every run with at most `bound` preemptions (vertex-restricted inside
    /// accelerated loops).
    pub fn pass(&mut self, bound: u32) {
        self.cut = false;
        self.memo.clear();
        self.search.stats.preemption_bound = Some(bound);
        let init = self.model.init();
        self.run(init, None, bound, 0);
    }

    /// Runs from `s`; `first` is the thread to step first (already chosen), `budget` the
    /// preemptions left, `used` those spent so far.
    fn run(&mut self, mut s: State, first: Option<Tid>, budget: u32, used: u32) {
        let key = (s.fingerprint(), first.unwrap_or(usize::MAX));
        if self.memo.get(&key).is_some_and(|&u| u <= used) {
            self.revisits += 1;
            return;
        }
        if !self.search.can_grow(self.memo.len(), self.memo.capacity(), 32) {
            return;
        }
        self.memo.insert(key, used);
        let mark = self.schedule.len();
        self.nesting += 1;
        self.search.count_states(1);
        if self.nesting > MAX_NESTING {
            self.search.stopped = Some(format!("more than {MAX_NESTING} nested scheduling choices in one execution"));
        }
        let mut runnable = Vec::new();
        self.model.runnable(&s, &mut runnable);
        let mut last: Option<Last> = None;
        let mut last_raised = false;
        let mut watch = CycleWatch::new();
        let mut next = first;
        while !self.search.should_stop() {
            if let Some(tid) = next.take() {
                if self.accelerate(&mut s, tid, &runnable, budget, used) {
                    last = Some(Last { tid, free: false });
                    last_raised = false;
                    watch.reset();
                    next = Some(tid);
                    continue;
                }
                if last.map(|l| l.tid) != Some(tid) {
                    watch.reset();
                }
                if self.model.next_step_is_back_edge(&s, tid) && watch.see(&s) {
                    // A solo run that never ends: no final value.
                    self.executions += 1;
                    break;
                }
                let info = self.model.step(&mut s, tid);
                self.schedule.push(tid);
                last = Some(Last::of(tid, &info));
                last_raised = matches!(info.event, Event::Raise(_));
                if self.search.tick() {
                    break;
                }
                self.model.runnable_after(&s, tid, &info, &mut runnable);
            }
            if run_status(self.model, &s, &runnable, last_raised) != Status::Running {
                self.finish(&s, used);
                break;
            }
            last_raised = false;
            match preemptible(last, &runnable) {
                Some(c) => {
                    if runnable.len() > 1 && self.model.worth_preempting_before(&s, c) {
                        if budget == 0 {
                            self.cut = true;
                        } else {
                            for &u in runnable.clone().iter().filter(|&&u| u != c) {
                                self.run(s.clone(), Some(u), budget - 1, used + 1);
                                if self.search.should_stop() {
                                    break;
                                }
                            }
                        }
                    }
                    next = Some(c);
                }
                None => {
                    for &u in runnable.clone().iter().skip(1) {
                        self.run(s.clone(), Some(u), budget, used);
                        if self.search.should_stop() {
                            break;
                        }
                    }
                    next = runnable.first().copied();
                }
            }
        }
        let extra = self.schedule.len() - mark;
        self.schedule.truncate_steps(extra);
        self.nesting -= 1;
    }

    /// If thread `tid` stands at the head of a translation loop: tries the vertex preemptions
    /// inside it, then runs all its remaining iterations in O(1) and returns true.
    fn accelerate(&mut self, s: &mut State, tid: Tid, runnable: &[Tid], budget: u32, used: u32) -> bool {
        if !self.acceleration {
            return false;
        }
        let Some(frame) = s.threads.get(tid).and_then(|t| t.frames.last()) else { return false };
        let head = (frame.code, frame.pc);
        if self.rejected_heads.contains(&head) {
            return false;
        }
        let t = match accel::analyze(self.model, s, tid) {
            Head::NotALoop | Head::Short => return false,
            Head::Rejected { line, reason } => {
                self.rejected.entry(line).or_insert(reason);
                self.rejected_heads.insert(head);
                return false;
            }
            Head::Translation(t) => t,
        };
        let others: Vec<Tid> = runnable.iter().copied().filter(|&u| u != tid).collect();
        if !others.is_empty() {
            if budget == 0 {
                self.cut = true;
            } else {
                self.vertices(s, tid, &t, &others, budget, used);
            }
        }
        t.apply(s, tid, t.remaining);
        self.schedule.push_run(tid, t.remaining.saturating_mul(t.steps));
        self.accelerated_loops += 1;
        self.accelerated_iterations += t.remaining;
        true
    }

    /// The vertex preemptions of a translation loop: after 0, 1, R−2 and R−1 iterations, at
    /// each yield point of the next iteration, to each other runnable thread.
    fn vertices(&mut self, s: &State, tid: Tid, t: &Translation, others: &[Tid], budget: u32, used: u32) {
        let r = t.remaining;
        let mut counts = vec![0, 1, r.saturating_sub(2), r.saturating_sub(1)];
        counts.dedup();
        for k in counts {
            let mut sk = s.clone();
            t.apply(&mut sk, tid, k);
            let base = k.saturating_mul(t.steps);
            let mut p = 0;
            for &y in &t.yields {
                while p < y {
                    self.model.step(&mut sk, tid);
                    p += 1;
                }
                self.schedule.push_run(tid, base + p);
                for &u in others {
                    self.run(sk.clone(), Some(u), budget - 1, used + 1);
                    if self.search.should_stop() {
                        break;
                    }
                }
                self.schedule.truncate_steps(base + p);
                if self.search.should_stop() {
                    return;
                }
            }
        }
    }

    /// Records the end of a run.
    fn finish(&mut self, s: &State, used: u32) {
        self.executions += 1;
        self.search.stats.executions += 1;
        let value = match &s.globals[self.slot] {
            v @ (Value::Int(_) | Value::Big(_) | Value::Bool(_)) => v.as_bigint().unwrap_or_default(),
            _ => {
                self.non_int += 1;
                return;
            }
        };
        let better = match &self.best {
            None => true,
            Some(b) => self.goal.better(&value, &b.value) || (value == b.value && used < b.used),
        };
        if better {
            self.best = Some(Best { value, used, schedule: self.schedule.clone() });
        }
    }
}
