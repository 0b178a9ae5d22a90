//! Which cycles of the state graph are runs CPython can take forever: weak fairness.
//!
//! A run that returns to an earlier state can repeat forever, but only if the scheduler keeps
//! choosing the same threads. CPython's GIL does not let a thread that can run wait forever: a
//! thread that wants the GIL asks for it, and the holder hands it over within the switch
//! interval (or at once when it blocks or sleeps). So a cycle is a real run of CPython only if
//! every thread that can run at every state of it also takes a step in it (weak fairness).
//!
//! The stateful search finds the strongly connected components of the state graph as it goes
//! (Tarjan's algorithm on its depth-first search, with the states' discovery indices). A
//! component holds a weakly fair cycle exactly when every thread that can run in all of its
//! states has a step inside it: walking all of the component's inner steps forever is then fair
//! (the threads without such a step are blocked somewhere in it). [`fair_cycle`] builds one
//! such walk, as a schedule that replays.

use crate::engine::System;
use crate::vm::Tid;
use std::collections::{HashMap, HashSet, VecDeque};

/// A set of threads, one bit per thread id (threads 128 and above share the last bit).
pub(crate) type Threads = u128;

/// The bit of thread `t`.
pub(crate) fn bit(t: Tid) -> Threads {
    1 << t.min(127)
}

/// The set of threads in `tids`.
pub(crate) fn mask(tids: &[Tid]) -> Threads {
    tids.iter().fold(0, |m, &t| m | bit(t))
}

/// What the search knows of a state whose component is not complete yet.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    /// Tarjan's low link: the smallest discovery index reachable through the subtree.
    pub low: u32,
    /// Threads with a step from this state to a state of its component.
    pub inside: Threads,
    /// Threads that can run in this state.
    pub enabled: Threads,
}

/// A complete strongly connected component with more than one state or a step to itself.
#[derive(Debug)]
pub(crate) struct Component {
    /// Its states' discovery indices.
    pub members: Vec<u32>,
    /// Threads with a step inside it.
    pub inside: Threads,
    /// Threads that can run in every one of its states.
    pub always_enabled: Threads,
    /// Threads that can run in some of its states.
    pub ever_enabled: Threads,
}

impl Component {
    /// The threads that can always run in it but never step inside it: empty when it holds a
    /// weakly fair cycle.
    pub fn starved(&self) -> Threads {
        self.always_enabled & !self.inside
    }
}

/// Tarjan's bookkeeping beside the depth-first search.
#[derive(Default)]
pub(crate) struct Sccs {
    /// Discovery indices of the states whose component is not complete, in discovery order.
    stack: Vec<u32>,
    /// Those of them whose depth-first visit has finished.
    finished: HashMap<u32, Node>,
}

impl Sccs {
    /// A state was discovered.
    pub fn discover(&mut self, idx: u32) {
        self.stack.push(idx);
    }

    /// Whether the finished state `idx` still waits for its component to complete.
    pub fn is_open(&self, idx: u32) -> bool {
        !self.finished.is_empty() && self.finished.contains_key(&idx)
    }

    /// The depth-first visit of state `idx` finished. Returns its component when `idx` is the
    /// component's root and the component has a cycle; `Err(low)` when the component is not
    /// complete yet (the parent takes `low` and counts its step as inside).
    pub fn finish(&mut self, idx: u32, node: Node) -> Result<Option<Component>, u32> {
        if node.low < idx {
            self.finished.insert(idx, node);
            return Err(node.low);
        }
        let mut members = Vec::new();
        let (mut inside, mut always_enabled, mut ever_enabled) = (node.inside, node.enabled, node.enabled);
        while let Some(&m) = self.stack.last() {
            if m < idx {
                break;
            }
            self.stack.pop();
            if m != idx {
                let n = self.finished.remove(&m).expect("[internal bug] an open state without its node");
                inside |= n.inside;
                always_enabled &= n.enabled;
                ever_enabled |= n.enabled;
            }
            members.push(m);
        }
        Ok((members.len() > 1 || inside != 0).then_some(Component { members, inside, always_enabled, ever_enabled }))
    }
}

/// A closed walk from `root` through the component `c` in which every thread that has a step
/// inside `c` takes one, and every other thread is blocked at some state of it: repeated
/// forever, a weakly fair run. `index` gives the discovery index of a state (`None` for one
/// never seen). `None` when the walk cannot be built (more than `budget` states searched).
pub(crate) fn fair_cycle<M: System>(
    model: &M,
    root: &M::State,
    c: &Component,
    index: &dyn Fn(&M::State) -> Option<u32>,
    budget: usize,
) -> Option<Vec<Tid>> {
    /// What the walk must reach next.
    enum Goal {
        /// A step of this thread.
        Step(Tid),
        /// A state where this thread cannot run.
        Blocked(Tid),
        /// The root again.
        Root,
    }
    let members: HashSet<u32> = c.members.iter().copied().collect();
    let root_idx = index(root)?;
    let mut goals: Vec<Goal> = (0..128).filter(|t| c.inside & bit(*t) != 0).map(Goal::Step).collect();
    let others = c.ever_enabled & !c.inside;
    goals.extend((0..128).filter(|t| others & bit(*t) != 0).map(Goal::Blocked));
    goals.push(Goal::Root);
    let mut walk = Vec::new();
    let mut at = root.clone();
    let mut runnable = Vec::new();
    let blocked = |s: &M::State, t: Tid| {
        let mut r = Vec::new();
        model.runnable(s, &mut r);
        !r.contains(&t)
    };
    for goal in &goals {
        if matches!(goal, Goal::Blocked(t) if blocked(&at, *t)) {
            continue;
        }
        // Breadth-first inside the component from `at` until a step meets the goal.
        let start = index(&at)?;
        let mut parent: HashMap<u32, (u32, Tid)> = HashMap::new();
        let mut seen = HashSet::from([start]);
        let mut queue = VecDeque::from([(at.clone(), start)]);
        let mut found = None;
        'bfs: while let Some((s, i)) = queue.pop_front() {
            model.runnable(&s, &mut runnable);
            for &u in &runnable.clone() {
                let mut next = s.clone();
                model.step(&mut next, u);
                model.canonicalize(&mut next);
                let Some(j) = index(&next) else { continue };
                if !members.contains(&j) {
                    continue;
                }
                let met = match goal {
                    Goal::Step(t) => u == *t,
                    Goal::Blocked(t) => blocked(&next, *t),
                    Goal::Root => j == root_idx,
                };
                if met {
                    found = Some((next, i, u));
                    break 'bfs;
                }
                if seen.insert(j) {
                    parent.insert(j, (i, u));
                    queue.push_back((next, j));
                }
            }
            if seen.len() > budget {
                return None;
            }
        }
        let (end, mut i, u) = found?;
        // The steps from `start` to the goal, found backwards.
        let mut steps = vec![u];
        while i != start {
            let (p, u) = parent[&i];
            steps.push(u);
            i = p;
        }
        steps.reverse();
        walk.extend(steps);
        at = end;
    }
    Some(walk)
}
