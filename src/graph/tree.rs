//! The interleaving tree: one node per schedule prefix, one leaf per interleaving.

use super::describe::{outcome_lines, role, state_attrs, step_edge, Describe};
use super::{too_large, Attr, Graph, GraphError, Kind, Node, NodeRole, Options, Total};
use crate::engine::{run_status, thread_name, Finding, FindingKind, Schedule, Status};
use crate::vm::{Event, Tid};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use std::collections::HashSet;

struct Frame<S> {
    state: S,
    node: NodeIndex,
    fp: u128,
    runnable: Vec<Tid>,
    next: usize,
}

/// What the depth-first walk found at a child.
enum Child<S> {
    /// A state some thread can move from.
    Inner(S, u128, Vec<Tid>),
    /// A terminal state.
    Leaf(S, Status),
}

/// The interleaving tree of `model`, depth-first: node 0 is the empty schedule, each edge one
/// step, each leaf a complete interleaving (a final state or a violation). A run that returns
/// to a state already on its own path never ends: its leaf is a `nontermination` violation.
///
/// Node attributes: `schedule` (the prefix, as `gilcheck trace --schedule` takes it), `depth`,
/// `globals`, `output`, and for violations `violation_kind` and `violation`. Edge attributes as
/// in [`super::states`]. Graph attributes: `interleavings` (the leaves).
pub fn tree<M: Describe>(model: &M, opts: &Options) -> Result<Graph, GraphError> {
    let mut g = Graph::new(Kind::Tree);
    if opts.max_nodes == 0 {
        return Err(too_large(model, Kind::Tree, opts));
    }
    let mut schedule = Schedule::new();
    let init = model.init();
    let mut runnable = Vec::new();
    model.runnable(&init, &mut runnable);
    let status = run_status(model, &init, &runnable, false);
    let root = add_node(&mut g, model, &init, &status, &schedule);
    g.graph[root].initial = true;
    let mut on_path = HashSet::new();
    let mut stack = Vec::new();
    if status == Status::Running {
        let fp = model.fingerprint(&init);
        on_path.insert(fp);
        stack.push(Frame { state: init, node: root, fp, runnable, next: 0 });
    }
    let mut leaves = u64::from(status != Status::Running);
    let mut ticks = 0;
    while let Some(top) = stack.last_mut() {
        if let Some(l) = crate::budget::poll(&mut ticks) {
            return Err(GraphError::Stopped(l));
        }
        if top.next >= top.runnable.len() {
            let done = stack.pop().expect("[internal bug] tree stack");
            on_path.remove(&done.fp);
            schedule.truncate_steps(1);
            continue;
        }
        let tid = top.runnable[top.next];
        top.next += 1;
        if g.node_count() >= opts.max_nodes {
            return Err(too_large(model, Kind::Tree, opts));
        }
        let from = top.node;
        let label = model.next_step(&top.state, tid);
        let (child, info) = step(model, &top.state, tid, &on_path);
        schedule.push(tid);
        let (s, status) = match &child {
            Child::Inner(s, ..) => (s, Status::Running),
            Child::Leaf(s, status) => (s, status.clone()),
        };
        let edge = step_edge(model, tid, &label, s, &info);
        let to = add_node(&mut g, model, s, &status, &schedule);
        g.graph.add_edge(from, to, edge);
        match child {
            Child::Inner(state, fp, runnable) => {
                on_path.insert(fp);
                stack.push(Frame { state, node: to, fp, runnable, next: 0 });
            }
            Child::Leaf(..) => {
                leaves += 1;
                schedule.truncate_steps(1);
            }
        }
    }
    g.attrs.push(("interleavings", Attr::Int(leaves.min(i64::MAX as u64) as i64)));
    Ok(g)
}

/// Takes one step of `tid` from `s` and classifies the state reached.
fn step<M: Describe>(
    model: &M,
    s: &M::State,
    tid: Tid,
    on_path: &HashSet<u128>,
) -> (Child<M::State>, crate::vm::StepInfo) {
    let mut t = s.clone();
    let info = model.step(&mut t, tid);
    let fp = model.fingerprint(&t);
    if on_path.contains(&fp) {
        let f = Finding {
            kind: FindingKind::NonTermination,
            message: "a run never terminates: it returns to an earlier state".into(),
            thread: tid,
            line: 0,
        };
        return (Child::Leaf(t, Status::Violation(f)), info);
    }
    let mut runnable = Vec::new();
    model.runnable(&t, &mut runnable);
    match run_status(model, &t, &runnable, matches!(info.event, Event::Raise(_))) {
        Status::Running => (Child::Inner(t, fp, runnable), info),
        status => (Child::Leaf(t, status), info),
    }
}

fn add_node<M: Describe>(g: &mut Graph, model: &M, s: &M::State, status: &Status, schedule: &Schedule) -> NodeIndex {
    let r = role(status);
    let depth = schedule.len();
    let label = if depth == 0 {
        "start".to_string()
    } else if r == NodeRole::Running {
        String::new()
    } else {
        outcome_lines(model, s, status).join("\n")
    };
    let mut attrs =
        vec![("schedule", Attr::Str(schedule.to_string())), ("depth", Attr::Int(depth.min(i64::MAX as u64) as i64))];
    attrs.extend(state_attrs(model, s, status));
    g.graph.add_node(Node { label, role: r, initial: false, highlight: false, attrs })
}

/// Counts the nodes of the interleaving tree of `model`, up to `limit`.
pub(super) fn count<M: Describe>(model: &M, limit: usize) -> Total {
    let init = model.init();
    let mut runnable = Vec::new();
    model.runnable(&init, &mut runnable);
    if run_status(model, &init, &runnable, false) != Status::Running {
        return Total::Exactly(1);
    }
    let mut n = 1usize;
    let mut on_path = HashSet::new();
    let fp = model.fingerprint(&init);
    on_path.insert(fp);
    let mut stack = vec![(init, fp, runnable, 0usize)];
    let mut ticks = 0;
    while let Some((s, _, runnable, next)) = stack.last_mut() {
        if crate::budget::poll(&mut ticks).is_some() {
            return Total::Unknown;
        }
        if *next >= runnable.len() {
            if let Some((_, fp, ..)) = stack.pop() {
                on_path.remove(&fp);
            }
            continue;
        }
        let tid = runnable[*next];
        *next += 1;
        n += 1;
        if n > limit {
            return Total::AtLeast(limit as u64);
        }
        if let (Child::Inner(t, fp, r), _) = step(model, s, tid, &on_path) {
            on_path.insert(fp);
            stack.push((t, fp, r, 0));
        }
    }
    Total::Exactly(n as u64)
}

/// Marks the prefixes of `schedule` and the steps between them.
pub(super) fn highlight(g: &mut Graph, schedule: &Schedule) -> Result<u64, GraphError> {
    let Some(root) = g.graph.node_indices().next() else { return Ok(0) };
    g.graph[root].highlight = true;
    let mut node = root;
    let mut taken = 0u64;
    for (k, tid) in schedule.steps().enumerate() {
        let next = g
            .graph
            .edges(node)
            .find(|e| e.weight().attr("thread") == Some(&Attr::Int(tid as i64)))
            .map(|e| (e.id(), e.target()));
        let Some((e, to)) = next else {
            let reason = if g.graph[node].role.is_terminal() {
                "the run already ended".to_string()
            } else {
                format!("{} cannot move here: it is blocked, finished, or not started", thread_name(tid))
            };
            return Err(GraphError::Schedule { step: k as u64, reason });
        };
        g.graph[e].highlight = true;
        g.graph[to].highlight = true;
        node = to;
        taken += 1;
    }
    Ok(taken)
}
