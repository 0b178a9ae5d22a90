//! Stateful search: depth-first over the state graph with a set of 128-bit state fingerprints
//! (hash compaction). Outcome sets are exact; the number of interleavings is counted by dynamic
//! programming over the state DAG (paths from a state = sum over its successors). A successor
//! that is still on the DFS stack closes a cycle; the strongly connected components found along
//! the way (see [`super::fair`]) say whether some cycle is a run CPython can take forever (every
//! thread that can always run takes steps in it): that run never terminates.

use super::fair::{self, Node, Sccs};
use super::search::Search;
use super::visited::{key, Key, KeyMap};
use crate::engine::{
    is_preemption, run_status, Execution, Finding, FindingKind, Last, Outcome, Schedule, Status, System,
};
use crate::vm::{Event, Tid};
use num_bigint::BigUint;
use std::collections::HashMap;

type Visited = KeyMap<u32>;

/// A node whose subtree is still being explored (on the DFS stack).
const IN_PROGRESS: u64 = u64::MAX;
/// A node whose count is too large for 64 bits (kept in the side table).
const BIG: u64 = u64::MAX - 1;

/// Path counts per node: 64-bit inline, exact big integers beside it when they overflow.
struct Counts {
    small: Vec<u64>,
    big: HashMap<u32, BigUint>,
    /// Whether counts are kept at all (they cost memory on large state spaces).
    exact: bool,
}

impl Counts {
    fn get(&self, idx: u32) -> BigUint {
        match self.small[idx as usize] {
            BIG => self.big[&idx].clone(),
            c => BigUint::from(c),
        }
    }

    fn set(&mut self, idx: u32, c: BigUint) {
        if !self.exact {
            self.small[idx as usize] = 0;
            return;
        }
        match u64::try_from(&c) {
            Ok(v) if v < BIG => self.small[idx as usize] = v,
            _ => {
                self.small[idx as usize] = BIG;
                self.big.insert(idx, c);
            }
        }
    }
}

/// Accumulates a sum of path counts, in 128 bits until it overflows.
#[derive(Default)]
struct Sum {
    small: u128,
    big: Option<BigUint>,
}

impl Sum {
    fn add_small(&mut self, v: u64) {
        match self.small.checked_add(v as u128) {
            Some(s) => self.small = s,
            None => *self.big.get_or_insert_with(BigUint::default) += BigUint::from(v),
        }
    }

    fn add(&mut self, counts: &Counts, idx: u32) {
        match counts.small[idx as usize] {
            BIG => *self.big.get_or_insert_with(BigUint::default) += &counts.big[&idx],
            c => self.add_small(c),
        }
    }

    fn total(self) -> BigUint {
        BigUint::from(self.small) + self.big.unwrap_or_default()
    }
}

/// Path counts per outcome, for `--count`: for each node, how many of the paths from it end
/// in each outcome (by outcome id), summed over the state DAG like the total.
struct PerOutcome {
    ids: HashMap<Outcome, u32>,
    outcomes: Vec<Outcome>,
    nodes: Vec<Vec<(u32, BigUint)>>,
}

impl PerOutcome {
    fn id(&mut self, o: Outcome) -> u32 {
        let next = self.outcomes.len() as u32;
        *self.ids.entry(o.clone()).or_insert_with(|| {
            self.outcomes.push(o);
            next
        })
    }

    fn set(&mut self, idx: u32, counts: Vec<(u32, BigUint)>) {
        let i = idx as usize;
        if self.nodes.len() <= i {
            self.nodes.resize_with(i + 1, Vec::new);
        }
        self.nodes[i] = counts;
    }

    fn add_into(&self, idx: u32, into: &mut Vec<(u32, BigUint)>) {
        if let Some(counts) = self.nodes.get(idx as usize) {
            for (id, n) in counts {
                add(into, *id, n.clone());
            }
        }
    }
}

fn add(into: &mut Vec<(u32, BigUint)>, id: u32, n: BigUint) {
    match into.iter_mut().find(|(i, _)| *i == id) {
        Some((_, c)) => *c += n,
        None => into.push((id, n)),
    }
}

/// The outcome a terminal status ends in, as [`Search::record`] files it.
fn ended_in(status: &Status, state: Outcome) -> Outcome {
    match status {
        Status::Finished(o) => o.clone(),
        Status::Violation(f) => Outcome { violation: Some(format!("{}: {}", f.kind.as_str(), f.message)), ..state },
        Status::Running => state,
    }
}

struct Frame<S> {
    state: S,
    idx: u32,
    runnable: Vec<Tid>,
    next: usize,
    sum: Sum,
    /// Per-outcome path counts (only with per-outcome counting).
    per: Vec<(u32, BigUint)>,
    /// The thread whose step led here, and whether a switch after it is free.
    arrived_by: Option<Last>,
    preemptions: u32,
    /// Its strongly connected component's bookkeeping.
    node: Node,
}

/// How many states the walk through a component may search before it gives up.
const WALK_BUDGET: usize = 1 << 20;

/// The result of a stateful search.
pub(crate) struct Explored {
    /// Interleavings from the initial state, when the state graph is acyclic and fully explored.
    pub interleavings: Option<BigUint>,
    /// Interleavings ending in each outcome (with `per_outcome`, under the same conditions).
    pub per_outcome: Option<Vec<(Outcome, BigUint)>>,
}

/// Explores the whole state graph of `model`; counts interleavings when `count` is set, and
/// also those ending in each outcome when `per_outcome` is set.
pub(crate) fn run<M: System>(model: &M, search: &mut Search, count: bool, per_outcome: bool) -> Explored {
    let per_outcome = count && per_outcome;
    let mut per = PerOutcome { ids: HashMap::new(), outcomes: Vec::new(), nodes: Vec::new() };
    let mut visited: Visited = Visited::default();
    let mut counts = Counts { small: Vec::new(), big: HashMap::new(), exact: count };
    let mut cyclic = false;
    let mut schedule = Schedule::new();
    let init = model.init();
    visited.insert(key(model.fingerprint(&init)), 0);
    counts.small.push(IN_PROGRESS);
    search.stats.states = 1;
    let mut runnable = Vec::new();
    model.runnable(&init, &mut runnable);
    let mut sccs = Sccs::default();
    sccs.discover(0);
    let root_node = Node { low: 0, inside: 0, enabled: fair::mask(&runnable) };
    let root_status = run_status(model, &init, &runnable, false);
    if root_status != Status::Running {
        let o = model.project(&init);
        let ended = ended_in(&root_status, o.clone());
        search.record(root_status, &schedule, 0, || o, BigUint::from(1u32));
        return Explored {
            interleavings: Some(BigUint::from(1u32)),
            per_outcome: per_outcome.then(|| vec![(ended, BigUint::from(1u32))]),
        };
    }
    let mut stack = vec![Frame {
        state: init,
        idx: 0,
        runnable,
        next: 0,
        sum: Sum::default(),
        per: Vec::new(),
        arrived_by: None,
        preemptions: 0,
        node: root_node,
    }];
    loop {
        let (depth, room) = (stack.len(), stack.capacity());
        let Some(top) = stack.last_mut() else { break };
        if search.should_stop() {
            break;
        }
        if top.next < top.runnable.len() {
            let u = top.runnable[top.next];
            top.next += 1;
            let preemptions = top.preemptions + u32::from(is_preemption(top.arrived_by, u, &top.runnable));
            let mut s = top.state.clone();
            let info = model.step(&mut s, u);
            model.canonicalize(&mut s);
            if search.tick() {
                break;
            }
            let fp = key(model.fingerprint(&s));
            if let Some(&idx) = visited.get(&fp) {
                if counts.small[idx as usize] == IN_PROGRESS || sccs.is_open(idx) {
                    // A step back into the component still being explored: a cycle. Whether
                    // it is a run that never terminates is settled when the component is.
                    cyclic = true;
                    top.node.low = top.node.low.min(idx);
                    top.node.inside |= fair::bit(u);
                } else {
                    top.sum.add(&counts, idx);
                    if per_outcome {
                        per.add_into(idx, &mut top.per);
                    }
                }
                continue;
            }
            if !search.can_grow(visited.len(), visited.capacity(), std::mem::size_of::<(Key, u32)>())
                || !search.can_grow(counts.small.len(), counts.small.capacity(), 8)
                || !search.can_grow(depth, room, std::mem::size_of::<Frame<M::State>>())
            {
                break;
            }
            let idx = counts.small.len() as u32;
            visited.insert(fp, idx);
            search.count_states(1);
            let mut runnable = Vec::new();
            model.runnable(&s, &mut runnable);
            let status = run_status(model, &s, &runnable, matches!(info.event, Event::Raise(_)));
            schedule.push(u);
            if status != Status::Running {
                counts.small.push(1);
                top.sum.add_small(1);
                search.stats.executions += 1;
                let o = model.project(&s);
                if per_outcome {
                    let id = per.id(ended_in(&status, o.clone()));
                    per.set(idx, vec![(id, BigUint::from(1u32))]);
                    add(&mut top.per, id, BigUint::from(1u32));
                }
                search.record(status, &schedule, preemptions, || o, BigUint::from(1u32));
                schedule.truncate_steps(1);
                continue;
            }
            counts.small.push(IN_PROGRESS);
            let arrived_by = Some(Last::of(u, &info));
            sccs.discover(idx);
            let node = Node { low: idx, inside: 0, enabled: fair::mask(&runnable) };
            stack.push(Frame {
                state: s,
                idx,
                runnable,
                next: 0,
                sum: Sum::default(),
                per: Vec::new(),
                arrived_by,
                preemptions,
                node,
            });
        } else {
            let done = stack.pop().expect("[internal bug] stack");
            let idx = done.idx;
            match sccs.finish(idx, done.node) {
                Err(low) => {
                    if let (Some(parent), Some(by)) = (stack.last_mut(), done.arrived_by) {
                        parent.node.low = parent.node.low.min(low);
                        parent.node.inside |= fair::bit(by.tid);
                    }
                }
                Ok(Some(component)) => {
                    let index = |s: &M::State| visited.get(&key(model.fingerprint(s))).copied();
                    never_ends(model, search, &done, &component, &schedule, &index);
                }
                Ok(None) => {}
            }
            counts.set(idx, done.sum.total());
            if per_outcome {
                per.set(idx, done.per);
            }
            if let Some(parent) = stack.last_mut() {
                parent.sum.add(&counts, idx);
                if per_outcome {
                    per.add_into(idx, &mut parent.per);
                }
                schedule.truncate_steps(1);
            }
        }
    }
    let complete = count && stack.is_empty() && !cyclic;
    let per_outcome = (complete && per_outcome).then(|| {
        let root = per.nodes.first().cloned().unwrap_or_default();
        root.into_iter().map(|(id, n)| (per.outcomes[id as usize].clone(), n)).collect()
    });
    search.discard(stack);
    Explored { interleavings: complete.then(|| counts.get(0)), per_outcome }
}

/// The component rooted at `root` (reached by `schedule`) is complete and has a cycle: when
/// some cycle of it is weakly fair, a run that never terminates (recorded with a walk around
/// it that replays); else it is noted as a cycle only a starved thread allows.
fn never_ends<M: System>(
    model: &M,
    search: &mut Search,
    root: &Frame<M::State>,
    component: &fair::Component,
    schedule: &Schedule,
    index: &dyn Fn(&M::State) -> Option<u32>,
) {
    let starved = component.starved();
    if starved != 0 {
        if search.starved.is_empty() {
            search.starved = (0..128).filter(|t| starved & fair::bit(*t) != 0).collect();
        }
        return;
    }
    let mut path = schedule.clone();
    let mut preemptions = root.preemptions;
    if let Some(walk) = fair::fair_cycle(model, &root.state, component, index, WALK_BUDGET) {
        let mut e = Execution::at(model, root.state.clone(), root.arrived_by, root.preemptions);
        for u in walk {
            e.advance(u);
            path.push(u);
        }
        preemptions = e.preemptions();
    }
    let f = Finding {
        kind: FindingKind::NonTermination,
        message: "a run never terminates: it returns to an earlier state".into(),
        thread: 0,
        line: 0,
    };
    let o = model.project(&root.state);
    search.record(Status::Violation(f), &path, preemptions, || o, BigUint::from(1u32));
}

#[cfg(test)]
mod tests {
    use crate::engine::toy::RacyCounter;
    use crate::engine::FindingKind;
    use crate::explore::tests::shared_counts;
    use crate::explore::{Checker, Strategy, Verdict};
    use num_bigint::BigUint;

    /// The per-outcome counts of the state graph's dynamic programming are those of plain
    /// enumeration: 4 interleavings lose an update (1), 2 do not (2).
    #[test]
    fn per_outcome_counts_come_from_the_state_graph() {
        let m = RacyCounter { threads: 2, n: 1, expect: None };
        let r = Checker::new(&m).strategy(Strategy::Stateful).all_outcomes(true).count_per_outcome(true).check();
        assert_eq!(r.interleavings, Some(BigUint::from(6u32)));
        assert_eq!(shared_counts(&r), [("1", Some(4)), ("2", Some(2))]);
    }

    /// A violated expectation stops the search at the first violation, with a schedule that
    /// reaches it: both loads before either store.
    #[test]
    fn the_lost_update_is_found_with_its_schedule() {
        let m = RacyCounter { threads: 2, n: 1, expect: Some(2) };
        let r = Checker::new(&m).strategy(Strategy::Stateful).check();
        assert_eq!(r.verdict, Verdict::Violated);
        let c = r.assert_violated(FindingKind::Expect);
        assert_eq!(c.finding.message, "shared = 1");
        assert_eq!(c.schedule.len(), 4);
        assert!(c.preemptions >= 1, "{c:?}");
    }
}
