//! The state graph: breadth-first over the distinct states of a model, one node per
//! fingerprint, one edge per (state, runnable thread) pair — the graph the stateful search
//! walks, so its counts are that search's `states` and `transitions`.

use super::describe::{line_text, outcome_lines, role, state_attrs, step_edge, Describe};
use super::{too_large, Attr, Graph, GraphError, Kind, Node, NodeRole, Options, Total};
use crate::engine::{run_status, thread_name, Schedule, Status};
use crate::vm::Event;
use petgraph::graph::NodeIndex;
use std::collections::{HashSet, VecDeque};

/// The state graph of `model`: nodes are the distinct states reachable from the initial one
/// (node 0, `initial`), edges the steps between them, in breadth-first order.
///
/// Node attributes (besides `label`, `role`, `initial`, `highlight`): `fingerprint` (32 hex
/// digits), `depth` (fewest steps from the initial state), `threads` (where each thread is),
/// `globals`, `output`, and for violations `violation_kind` and `violation`. Edge attributes
/// (besides `label`, `kind`, `highlight`): `thread`, `thread_name`, `line`, `opname`, `arg`,
/// `instr`, `accesses` (the shared objects read and written), `effect` (in words, with values).
/// Graph attributes: `final_nodes`, `violation_nodes`.
///
/// A state is terminal as the stateful search decides it: when no thread can move, or the step
/// into it raised and the run stopped there. Terminal states have no outgoing edges.
pub fn states<M: Describe>(model: &M, opts: &Options) -> Result<Graph, GraphError> {
    let mut g = Graph::new(Kind::States);
    if opts.max_nodes == 0 {
        return Err(too_large(model, Kind::States, opts));
    }
    let init = model.init();
    let mut runnable = Vec::new();
    model.runnable(&init, &mut runnable);
    let status = run_status(model, &init, &runnable, false);
    let fp = model.fingerprint(&init);
    let root = add_state(&mut g, model, &init, &status, fp, 0);
    g.graph[root].initial = true;
    let mut queue = VecDeque::new();
    if status == Status::Running {
        queue.push_back((init, root, 0u64));
    }
    let mut after = Vec::new();
    let mut ticks = 0;
    while let Some((s, from, depth)) = queue.pop_front() {
        if let Some(l) = crate::budget::poll(&mut ticks) {
            return Err(GraphError::Stopped(l));
        }
        model.runnable(&s, &mut runnable);
        for &tid in &runnable {
            let label = model.next_step(&s, tid);
            let mut t = s.clone();
            let info = model.step(&mut t, tid);
            let fp = model.fingerprint(&t);
            let edge = step_edge(model, tid, &label, &t, &info);
            let to = match g.index.get(&fp) {
                Some(&j) => j,
                None => {
                    if g.node_count() >= opts.max_nodes {
                        return Err(too_large(model, Kind::States, opts));
                    }
                    model.runnable(&t, &mut after);
                    let status = run_status(model, &t, &after, matches!(info.event, Event::Raise(_)));
                    let j = add_state(&mut g, model, &t, &status, fp, depth + 1);
                    if status == Status::Running {
                        queue.push_back((t, j, depth + 1));
                    }
                    j
                }
            };
            g.graph.add_edge(from, to, edge);
        }
    }
    let finals = g.terminal_nodes().filter(|(_, n)| n.role == NodeRole::Final).count();
    let violations = g.terminal_nodes().filter(|(_, n)| n.role == NodeRole::Violation).count();
    g.attrs.push(("final_nodes", Attr::Int(finals as i64)));
    g.attrs.push(("violation_nodes", Attr::Int(violations as i64)));
    Ok(g)
}

fn add_state<M: Describe>(g: &mut Graph, model: &M, s: &M::State, status: &Status, fp: u128, depth: u64) -> NodeIndex {
    let id = g.graph.node_count();
    let r = role(status);
    let mut lines = vec![match r {
        NodeRole::Running => format!("s{id}"),
        other => format!("s{id} · {}", other.as_str()),
    }];
    if r == NodeRole::Running {
        lines.push(model.threads(s));
        let globals: Vec<String> = model.project(s).globals.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if !globals.is_empty() {
            lines.push(super::describe::shorten(&globals.join(" "), 60));
        }
    } else {
        lines.extend(outcome_lines(model, s, status));
    }
    let mut attrs = vec![
        ("fingerprint", Attr::Str(format!("{fp:032x}"))),
        ("depth", Attr::Int(depth.min(i64::MAX as u64) as i64)),
        ("threads", Attr::Str(model.threads(s))),
    ];
    attrs.extend(state_attrs(model, s, status));
    let n = g.graph.add_node(Node { label: lines.join("\n"), role: r, initial: false, highlight: false, attrs });
    g.index.insert(fp, n);
    n
}

/// Counts the distinct states of `model`, up to `limit`.
pub(super) fn count<M: Describe>(model: &M, limit: usize) -> Total {
    let mut seen = HashSet::new();
    let init = model.init();
    let mut runnable = Vec::new();
    let mut after = Vec::new();
    seen.insert(model.fingerprint(&init));
    model.runnable(&init, &mut runnable);
    let mut queue = VecDeque::new();
    if run_status(model, &init, &runnable, false) == Status::Running {
        queue.push_back(init);
    }
    let mut ticks = 0;
    while let Some(s) = queue.pop_front() {
        if crate::budget::poll(&mut ticks).is_some() {
            return Total::AtLeast(seen.len() as u64);
        }
        model.runnable(&s, &mut runnable);
        for &tid in &runnable {
            let mut t = s.clone();
            let info = model.step(&mut t, tid);
            if !seen.insert(model.fingerprint(&t)) {
                continue;
            }
            if seen.len() > limit {
                return Total::AtLeast(limit as u64);
            }
            model.runnable(&t, &mut after);
            if run_status(model, &t, &after, matches!(info.event, Event::Raise(_))) == Status::Running {
                queue.push_back(t);
            }
        }
    }
    Total::Exactly(seen.len() as u64)
}

/// Marks the states and steps that `schedule` passes.
pub(super) fn highlight<M: Describe>(g: &mut Graph, model: &M, schedule: &Schedule) -> Result<u64, GraphError> {
    let mut s = model.init();
    let Some(&root) = g.index.get(&model.fingerprint(&s)) else {
        return Err(GraphError::Schedule { step: 0, reason: "the graph is not this model's".into() });
    };
    g.graph[root].highlight = true;
    let mut node = root;
    let mut runnable = Vec::new();
    let mut taken = 0u64;
    for (k, tid) in schedule.steps().enumerate() {
        let step = k as u64;
        if g.graph[node].role.is_terminal() {
            let why = match g.graph[node].attr("violation") {
                Some(v) => format!("the run already ended: {}", v.text()),
                None => "the run already ended".into(),
            };
            return Err(GraphError::Schedule { step, reason: why });
        }
        model.runnable(&s, &mut runnable);
        if !runnable.contains(&tid) {
            return Err(GraphError::Schedule {
                step,
                reason: format!(
                    "{} cannot move here ({}): it is blocked, finished, or not started",
                    thread_name(tid),
                    line_text(model.next_step(&s, tid).line)
                ),
            });
        }
        model.step(&mut s, tid);
        let Some(&to) = g.index.get(&model.fingerprint(&s)) else {
            return Err(GraphError::Schedule { step, reason: "the graph is not this model's".into() });
        };
        let edge = g
            .graph
            .edges_connecting(node, to)
            .find(|e| e.weight().attr("thread") == Some(&Attr::Int(tid as i64)))
            .map(|e| petgraph::visit::EdgeRef::id(&e));
        if let Some(e) = edge {
            g.graph[e].highlight = true;
        }
        g.graph[to].highlight = true;
        node = to;
        taken += 1;
    }
    Ok(taken)
}
