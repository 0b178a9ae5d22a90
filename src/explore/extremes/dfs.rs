//! The context-bounded search for the extreme final value of one global.
//!
//! A depth-first search over executions with at most `bound` preemptions, tried only before
//! visible steps (as in [`crate::explore::Strategy::Bounded`]), with two additions:
//!
//! - *solo-loop acceleration*: at the head of a loop whose iterations are translations
//!   ([`crate::analysis::loops`]), the running thread's iterations are applied in O(1);
//! - *vertex search*: inside such a loop, a preemption is tried only after 0, 1, R−2 or R−1 of
//!   its R remaining iterations, at every yield point of that iteration. With the context
//!   structure fixed, the final value is affine in the iteration counts of the segments when the
//!   loop bodies are translations and no branch tests a counted value, so its extremes lie at
//!   the vertices of the polytope of counts.
//!
//! A state reached again with no fewer preemptions used is not explored again (memo on the
//! state's fingerprint and the thread chosen to run next).

use super::Goal;
use crate::analysis::loops::{self, Head, Translation};
use crate::engine::{Execution, PyModel, Schedule, Status, System};
use crate::explore::bounded::{Bounded, Hooks};
use crate::explore::search::Search;
use crate::vm::{Tid, Value};
use num_bigint::BigInt;
use std::collections::{BTreeMap, HashMap, HashSet};

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

/// What the search keeps across its passes besides the search's counters: the objective, the
/// memo, and what acceleration did.
pub(super) struct Objective {
    slot: usize,
    goal: Goal,
    /// Whether translation loops are accelerated (off: plain preemption-bounded search).
    acceleration: bool,
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

/// The search across its passes: the bounded driver ([`Bounded`]) with [`Objective`]'s hooks.
pub(super) struct Dfs<'a> {
    model: &'a PyModel,
    /// Counters and limits.
    pub search: Search,
    /// Whether the last pass left some preemption untried for lack of budget.
    pub cut: bool,
    /// The objective and what the passes found.
    pub obj: Objective,
}

impl<'a> Dfs<'a> {
    pub fn new(model: &'a PyModel, slot: usize, goal: Goal, acceleration: bool, search: Search) -> Self {
        let obj = Objective {
            slot,
            goal,
            acceleration,
            memo: HashMap::new(),
            best: None,
            accelerated_loops: 0,
            accelerated_iterations: 0,
            rejected: BTreeMap::new(),
            rejected_heads: HashSet::new(),
            executions: 0,
            non_int: 0,
            revisits: 0,
        };
        Dfs { model, search, cut: false, obj }
    }

    /// Explores every run with at most `bound` preemptions (vertex-restricted inside
    /// accelerated loops).
    pub fn pass(&mut self, bound: u32) {
        self.obj.memo.clear();
        self.search.stats.preemption_bound = Some(bound);
        self.cut = Bounded::new(self.model, &mut self.search, &mut self.obj).pass(bound);
    }
}

type Driver<'m, 's, 'o> = Bounded<'m, 's, PyModel, &'o mut Objective>;

impl<'m, 'o> Hooks<'m, PyModel> for &'o mut Objective {
    const STOP_FIRST: bool = true;

    /// A state reached again, with the same thread next and no fewer preemptions, is skipped.
    fn enter(d: &mut Driver<'m, '_, 'o>, e: &Execution<'m, PyModel>, first: Option<Tid>) -> bool {
        let used = e.preemptions() + u32::from(first.is_some_and(|t| e.would_preempt(t)));
        let key = (d.model.fingerprint(e.state()), first.unwrap_or(usize::MAX));
        if d.hooks.memo.get(&key).is_some_and(|&u| u <= used) {
            d.hooks.revisits += 1;
            return false;
        }
        if !d.search.can_grow(d.hooks.memo.len(), d.hooks.memo.capacity(), 32) {
            return false;
        }
        d.hooks.memo.insert(key, used);
        true
    }

    /// If thread `tid` stands at the head of a translation loop: tries the vertex preemptions
    /// inside it, then runs all its remaining iterations in O(1).
    fn accelerate(d: &mut Driver<'m, '_, 'o>, e: &mut Execution<'m, PyModel>, tid: Tid, budget: u32) -> bool {
        if !d.hooks.acceleration {
            return false;
        }
        let Some(frame) = e.state().threads.get(tid).and_then(|t| t.frames.last()) else { return false };
        let head = (frame.code, frame.pc);
        if d.hooks.rejected_heads.contains(&head) {
            return false;
        }
        let t = match loops::analyze(&d.model.program, d.model.switch, &d.model.sharing, e.state(), tid) {
            Head::NotALoop | Head::Short => return false,
            Head::Rejected { line, reason } => {
                d.hooks.rejected.entry(line).or_insert(reason);
                d.hooks.rejected_heads.insert(head);
                return false;
            }
            Head::Translation(t) => t,
        };
        let others: Vec<Tid> = e.runnable().iter().copied().filter(|&u| u != tid).collect();
        if !others.is_empty() {
            if budget == 0 {
                d.cut = true;
            } else {
                vertices(d, e, tid, &t, &others, budget);
            }
        }
        e.apply_run(tid, |s| t.apply(s, tid, t.remaining));
        d.schedule.push_run(tid, t.remaining.saturating_mul(t.steps));
        d.hooks.accelerated_loops += 1;
        d.hooks.accelerated_iterations += t.remaining;
        true
    }

    /// A solo run that never ends: no final value.
    fn solo_cycle(d: &mut Driver<'m, '_, 'o>, _e: &Execution<'m, PyModel>, _tid: Tid) {
        d.hooks.executions += 1;
    }

    /// Records the end of a run.
    fn finish(d: &mut Driver<'m, '_, 'o>, e: &Execution<'m, PyModel>, _status: Status) {
        let o = &mut *d.hooks;
        o.executions += 1;
        d.search.stats.executions += 1;
        let value = match &e.state().globals[o.slot] {
            v @ (Value::Int(_) | Value::Big(_) | Value::Bool(_)) => v.as_bigint().unwrap_or_default(),
            _ => {
                o.non_int += 1;
                return;
            }
        };
        let used = e.preemptions();
        let better = match &o.best {
            None => true,
            Some(b) => o.goal.better(&value, &b.value) || (value == b.value && used < b.used),
        };
        if better {
            o.best = Some(Best { value, used, schedule: d.schedule.clone() });
        }
    }
}

/// The vertex preemptions of a translation loop: after 0, 1, R−2 and R−1 iterations, at each
/// yield point of the next iteration, to each other runnable thread.
fn vertices<'m>(
    d: &mut Driver<'m, '_, '_>,
    e: &Execution<'m, PyModel>,
    tid: Tid,
    t: &Translation,
    others: &[Tid],
    budget: u32,
) {
    let r = t.remaining;
    let mut counts = vec![0, 1, r.saturating_sub(2), r.saturating_sub(1)];
    counts.dedup();
    for k in counts {
        let mut ek = e.clone();
        ek.apply_run(tid, |s| t.apply(s, tid, k));
        let base = k.saturating_mul(t.steps);
        let mut p = 0;
        for &y in &t.yields {
            while p < y {
                ek.advance(tid);
                p += 1;
            }
            d.schedule.push_run(tid, base + p);
            for &u in others {
                d.run(ek.clone(), Some(u), budget - 1);
                if d.search.should_stop() {
                    break;
                }
            }
            d.schedule.truncate_steps(base + p);
            if d.search.should_stop() {
                return;
            }
        }
    }
}
