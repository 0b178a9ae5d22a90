//! One schedule's happens-before graph: program order, spawns, and conflicts between the
//! shared accesses of different threads.

use super::describe::{accesses, effect, line_text, role, state_attrs, Describe, StepLabel};
use super::{Attr, Edge, EdgeKind, Graph, GraphError, Kind, Node, NodeRole, Options, Total};
use crate::engine::{thread_name, Execution, Finding, FindingKind, Last, Schedule, Status};
use crate::vm::{Event, Object, StepInfo, Tid};
use petgraph::graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::{BTreeMap, HashMap};

/// The run without preemptions stops after this many steps (in case a loop goes unnoticed).
const MAX_RUN_STEPS: u64 = 50_000_000;

/// Thread-local steps of one thread not yet folded into a node.
#[derive(Clone, Copy)]
struct Pending {
    steps: u64,
    first_step: u64,
    first_line: u32,
}

/// The accesses to one object since its last write.
#[derive(Default)]
struct Accesses {
    last_write: Option<(NodeIndex, Tid)>,
    reads: Vec<(NodeIndex, Tid)>,
}

/// The graph being built, and the bookkeeping for its edges.
struct Builder<'o> {
    g: Graph,
    opts: &'o Options,
    /// Nodes counted, built or not (the guard keeps counting after it trips).
    nodes: u64,
    storing: bool,
    pending: BTreeMap<Tid, Pending>,
    last: HashMap<Tid, NodeIndex>,
    spawned_by: HashMap<Tid, NodeIndex>,
    objects: HashMap<Object, Accesses>,
    conflicts: HashMap<(NodeIndex, NodeIndex), EdgeIndex>,
    last_node: Option<NodeIndex>,
}

/// The happens-before graph of `schedule` (or, when `None`, of the run without preemptions:
/// each thread runs until it blocks or ends, then the lowest runnable thread goes on).
///
/// A node is one visible step of a thread (one that touches an object another thread can
/// touch, or has an event: start, join, lock operations, print, sleep, exit, raise) with the
/// invisible steps of that thread just before it folded in (`steps` counts them all); invisible
/// steps left at the end of a thread make a last node of their own. A step is invisible when
/// the model says so ([`crate::engine::System::next_step_is_local`]: e.g. main's accesses to
/// globals no function uses) or when it touched nothing shared and had no event.
///
/// Node attributes: `thread`, `thread_name`, `step` (0-based index of the visible step in the
/// schedule), `first_step`, `steps`, `line`, `first_line`, `opname`, `arg`, `instr`,
/// `accesses`, `effect`. When the run ended, the node of its last step (for a violation, the
/// last node of the thread it is blamed on) has role `final` or `violation` and also
/// `globals`, `output` and, for a violation, `violation_kind` and `violation`. Edges: `program` (consecutive nodes of a
/// thread), `spawn` (a `start()` to the started thread's first node), and `conflict`
/// (attributes `object`, `relation` such as `write→read`, `data`: whether a global or the
/// output is involved, and `race`: a conflict on data that no chain of program order, spawns
/// and synchronization conflicts orders). Graph attributes: `races`, `schedule`, `steps`,
/// `preemptions`, `status`, `globals`, `output`, `violation`.
pub fn trace<M: Describe>(model: &M, schedule: Option<&Schedule>, opts: &Options) -> Result<Graph, GraphError> {
    let mut b = Builder {
        g: Graph::new(Kind::Trace),
        opts,
        nodes: 0,
        storing: true,
        pending: BTreeMap::new(),
        last: HashMap::new(),
        spawned_by: HashMap::new(),
        objects: HashMap::new(),
        conflicts: HashMap::new(),
        last_node: None,
    };
    let mut e = Execution::start(model);
    let mut taken = Schedule::new();
    let mut steps = schedule.map(|sch| sch.steps());
    let mut index = 0u64;
    let mut watch = Brent::default();
    let mut endless = None;
    let mut ticks = 0;
    loop {
        if let Some(l) = crate::budget::poll(&mut ticks) {
            return Err(GraphError::Stopped(l));
        }
        let wanted = match steps.as_mut() {
            Some(it) => match it.next() {
                Some(t) => Some(t),
                None => break,
            },
            None => None,
        };
        let status = e.status();
        if status != Status::Running {
            if wanted.is_none() {
                break;
            }
            let why = match status {
                Status::Violation(f) => format!("the run already ended: {}", f.message),
                _ => "the run already ended".into(),
            };
            return Err(GraphError::Schedule { step: index, reason: why });
        }
        // Without a schedule: the run without preemptions (the last thread goes on while it can).
        let tid = match wanted {
            Some(t) => t,
            None => match e.last() {
                Some(Last { tid: p, .. }) if e.may_run(p) => p,
                _ => e.runnable()[0],
            },
        };
        let s = e.state();
        if !e.may_run(tid) {
            let line = line_text(model.next_step(s, tid).line);
            return Err(GraphError::Schedule {
                step: index,
                reason: format!(
                    "{} cannot move here ({line}): it is blocked, finished, or not started",
                    thread_name(tid)
                ),
            });
        }
        if wanted.is_none() && index >= MAX_RUN_STEPS {
            return Err(GraphError::Endless { steps: index });
        }
        if wanted.is_none() && model.next_step_is_back_edge(s, tid) && watch.repeats(model.fingerprint(s) ^ tid as u128)
        {
            // The run without preemptions loops forever: that is a finding (the trace drawn
            // up to where it repeats), not a failure to draw.
            let line = model.next_step(s, tid).line;
            endless = Some(Finding {
                kind: FindingKind::NonTermination,
                message: format!(
                    "the run without preemptions never ends: it returns to an earlier state at line {line}"
                ),
                thread: tid,
                line,
            });
            break;
        }
        let label = model.next_step(s, tid);
        let invisible = model.next_step_is_local(s, tid);
        let info = e.advance(tid);
        taken.push(tid);
        if invisible || (info.footprint.is_local() && info.event == Event::None) {
            let p = b.pending.entry(tid).or_insert(Pending { steps: 0, first_step: index, first_line: label.line });
            if p.first_line == 0 {
                p.first_line = label.line;
            }
            p.steps += 1;
        } else {
            b.visible(model, e.state(), tid, index, &label, &info)?;
        }
        index += 1;
    }
    // Local steps at the end of a thread: one node each.
    for (tid, p) in std::mem::take(&mut b.pending) {
        b.count_node()?;
        if b.storing {
            let n = b.g.graph.add_node(Node {
                label: format!(
                    "{} · #{} · {}\n{} local steps",
                    thread_name(tid),
                    p.first_step,
                    line_text(p.first_line),
                    p.steps
                ),
                role: NodeRole::Step,
                initial: false,
                highlight: false,
                attrs: vec![
                    ("thread", Attr::Int(tid as i64)),
                    ("thread_name", Attr::Str(thread_name(tid))),
                    ("step", Attr::Int(clamp(p.first_step + p.steps - 1))),
                    ("first_step", Attr::Int(clamp(p.first_step))),
                    ("steps", Attr::Int(clamp(p.steps))),
                    ("line", Attr::Int(p.first_line as i64)),
                    ("first_line", Attr::Int(p.first_line as i64)),
                ],
            });
            b.program_edge(tid, n);
            if b.last_node.is_none_or(|l| step_of(&b.g.graph[l]) < step_of(&b.g.graph[n])) {
                b.last_node = Some(n);
            }
        }
    }
    if !b.storing {
        return Err(GraphError::TooLarge {
            kind: Kind::Trace,
            max_nodes: opts.max_nodes,
            reached: opts.max_nodes + 1,
            total: Total::Exactly(b.nodes),
        });
    }
    let status = e.status();
    let preemptions = u64::from(e.preemptions());
    let last = e.last();
    let s = e.into_state();
    if let (None, Some(sch), Status::Running, Some(Last { tid, .. })) = (&endless, schedule, &status, last) {
        // A schedule that ends in a state it passed before (a non-termination
        // counterexample's lasso) repeats forever.
        let end = model.fingerprint(&s);
        let mut r = model.init();
        for t in sch.steps().take(index as usize) {
            if model.fingerprint(&r) == end {
                let line = model.next_step(&s, tid).line;
                endless = Some(Finding {
                    kind: FindingKind::NonTermination,
                    message: format!("the run returns to an earlier state at line {line}: it can repeat forever"),
                    thread: tid,
                    line,
                });
                break;
            }
            model.step(&mut r, t);
        }
    }
    let status = match endless {
        Some(f) => Status::Violation(f),
        None if status == Status::Running => model.status(&s),
        None => status,
    };
    let outcome = state_attrs(model, &s, &status);
    // The outcome goes on the last node; a violation on the last node of its thread (the
    // raising step; for a deadlock, the first waiting thread).
    let marked = match &status {
        Status::Violation(f) => b.last.get(&f.thread).copied().or(b.last_node),
        _ => b.last_node,
    };
    if let Some(n) = marked {
        if status != Status::Running {
            let node = &mut b.g.graph[n];
            node.role = role(&status);
            node.attrs.extend(outcome.iter().cloned());
            if let Status::Violation(f) = &status {
                // A raise already says it in the effect line; a deadlock or --expect does not.
                let short = super::describe::shorten(&f.message, 60);
                if !node.label.contains(short.trim_end_matches('…')) {
                    node.label.push_str(&format!("\n{short}"));
                }
            }
        }
    }
    let mut g = b.g;
    let races = mark_races(&mut g);
    g.attrs.push(("races", Attr::Int(races as i64)));
    g.attrs.push(("schedule", Attr::Str(taken.to_string())));
    g.attrs.push(("steps", Attr::Int(clamp(index))));
    g.attrs.push(("preemptions", Attr::Int(clamp(preemptions))));
    g.attrs.push(("status", Attr::Str(role(&status).as_str().into())));
    g.attrs.extend(outcome);
    Ok(g)
}

/// Brent's cycle detection over the states a deterministic run passes at loop back-edges (a
/// run that never ends repeats one, and every cycle passes a back-edge): constant memory.
#[derive(Default)]
struct Brent {
    checkpoint: Option<u128>,
    power: u64,
    lam: u64,
}

impl Brent {
    /// Feeds the next back-edge state; true when it repeats an earlier one.
    fn repeats(&mut self, key: u128) -> bool {
        if self.checkpoint == Some(key) {
            return true;
        }
        self.lam += 1;
        if self.checkpoint.is_none() || self.lam >= self.power {
            self.checkpoint = Some(key);
            self.power = (self.power * 2).max(1);
            self.lam = 0;
        }
        false
    }
}

/// The index of the last step a node stands for.
fn step_of(n: &Node) -> i64 {
    match n.attr("step") {
        Some(Attr::Int(i)) => *i,
        _ => -1,
    }
}

fn clamp(n: u64) -> i64 {
    n.min(i64::MAX as u64) as i64
}

impl Builder<'_> {
    /// Counts one more node; trips the guard when there are too many.
    fn count_node(&mut self) -> Result<(), GraphError> {
        self.nodes += 1;
        if self.storing && self.nodes > self.opts.max_nodes as u64 {
            self.storing = false;
            if self.opts.count_limit <= self.opts.max_nodes {
                return Err(self.too_large(Total::Unknown));
            }
        }
        if !self.storing && self.nodes > self.opts.count_limit as u64 {
            return Err(self.too_large(Total::AtLeast(self.opts.count_limit as u64)));
        }
        Ok(())
    }

    fn too_large(&self, total: Total) -> GraphError {
        GraphError::TooLarge {
            kind: Kind::Trace,
            max_nodes: self.opts.max_nodes,
            reached: self.opts.max_nodes + 1,
            total,
        }
    }

    /// Adds the node of a visible step of `tid` (index `index`), with its edges.
    fn visible<M: Describe>(
        &mut self,
        model: &M,
        after: &M::State,
        tid: Tid,
        index: u64,
        label: &StepLabel,
        info: &StepInfo,
    ) -> Result<(), GraphError> {
        self.count_node()?;
        let folded = self.pending.remove(&tid);
        if !self.storing {
            return Ok(());
        }
        let first = folded.map_or(index, |p| p.first_step);
        let steps = folded.map_or(0, |p| p.steps) + 1;
        let first_line = folded.map_or(label.line, |p| p.first_line);
        let instr = label.instr();
        let effect = effect(model, after, info);
        let mut lines = vec![format!("{} · #{index} · {}", thread_name(tid), line_text(label.line)), instr.clone()];
        if let Some(e) = &effect {
            lines.push(super::describe::shorten(e, 60));
        }
        if steps > 1 {
            let plural = if steps > 2 { "s" } else { "" };
            lines.push(format!("(+{} local step{plural})", steps - 1));
        }
        let mut attrs = vec![
            ("thread", Attr::Int(tid as i64)),
            ("thread_name", Attr::Str(thread_name(tid))),
            ("step", Attr::Int(clamp(index))),
            ("first_step", Attr::Int(clamp(first))),
            ("steps", Attr::Int(clamp(steps))),
            ("line", Attr::Int(label.line as i64)),
            ("first_line", Attr::Int(first_line as i64)),
            ("opname", Attr::Str(label.opname.into())),
            ("arg", Attr::Str(label.arg.clone())),
            ("instr", Attr::Str(instr)),
            ("accesses", Attr::List(accesses(model, after, info))),
        ];
        if let Some(e) = effect {
            attrs.push(("effect", Attr::Str(e)));
        }
        let n = self.g.graph.add_node(Node {
            label: lines.join("\n"),
            role: NodeRole::Step,
            initial: false,
            highlight: false,
            attrs,
        });
        if self.g.graph.node_count() == 1 {
            self.g.graph[n].initial = true;
        }
        self.last_node = Some(n);
        self.program_edge(tid, n);
        for a in info.footprint.iter() {
            let o = a.object();
            let name = model.object_name(after, o);
            let acc = self.objects.entry(o).or_default();
            let mut sources = Vec::new();
            if let Some((w, wt)) = acc.last_write {
                if wt != tid && w != n {
                    sources.push((w, "write→".to_string()));
                }
            }
            if a.is_write() {
                for &(r, rt) in &acc.reads {
                    if rt != tid && r != n {
                        sources.push((r, "read→".to_string()));
                    }
                }
                acc.last_write = Some((n, tid));
                acc.reads.clear();
            } else {
                acc.reads.push((n, tid));
            }
            let to = if a.is_write() { "write" } else { "read" };
            for (src, from) in sources {
                self.conflict(src, n, &name, &format!("{from}{to}"), matches!(o, Object::Global(_) | Object::Output));
            }
        }
        if let Event::Start(t) = info.event {
            self.spawned_by.insert(t, n);
        }
        Ok(())
    }

    /// The program-order edge into `n` from `tid`'s previous node (or the spawn edge into its
    /// first node).
    fn program_edge(&mut self, tid: Tid, n: NodeIndex) {
        match self.last.insert(tid, n) {
            Some(p) => {
                self.g.graph.add_edge(
                    p,
                    n,
                    Edge { label: String::new(), kind: EdgeKind::Program, highlight: false, attrs: vec![] },
                );
            }
            None => {
                if let Some(&p) = self.spawned_by.get(&tid) {
                    self.g.graph.add_edge(
                        p,
                        n,
                        Edge { label: "start".into(), kind: EdgeKind::Spawn, highlight: false, attrs: vec![] },
                    );
                }
            }
        }
    }

    /// A conflict edge `from → to` on `object` (merged with one already between them).
    fn conflict(&mut self, from: NodeIndex, to: NodeIndex, object: &str, relation: &str, data: bool) {
        let text = format!("{object}: {relation}");
        if let Some(&e) = self.conflicts.get(&(from, to)) {
            let edge = &mut self.g.graph[e];
            if edge.label.split(", ").any(|l| l == text) {
                return;
            }
            edge.label = format!("{}, {text}", edge.label);
            for (k, v) in edge.attrs.iter_mut() {
                match (*k, v) {
                    ("object", Attr::Str(s)) => *s = format!("{s}, {object}"),
                    ("relation", Attr::Str(s)) => *s = format!("{s}, {relation}"),
                    ("data", Attr::Bool(b)) => *b |= data,
                    _ => {}
                }
            }
            return;
        }
        let e = self.g.graph.add_edge(
            from,
            to,
            Edge {
                label: text,
                kind: EdgeKind::Conflict,
                highlight: false,
                attrs: vec![
                    ("object", Attr::Str(object.into())),
                    ("relation", Attr::Str(relation.into())),
                    ("data", Attr::Bool(data)),
                ],
            },
        );
        self.conflicts.insert((from, to), e);
    }
}

/// Sets the `race` attribute of each conflict edge: whether it is a conflict on data (globals,
/// output) whose two accesses no chain of synchronization orders (program order, spawns, and
/// conflicts on locks and thread lives), found with vector clocks over the nodes in step order.
/// Returns the number of races.
fn mark_races(g: &mut Graph) -> usize {
    let thread_of = |n: &Node| match n.attr("thread") {
        Some(Attr::Int(t)) => (*t).max(0) as usize,
        _ => 0,
    };
    let threads: Vec<usize> = g.graph.node_weights().map(thread_of).collect();
    let width = threads.iter().max().map_or(1, |m| m + 1);
    let mut counters = vec![0u32; width];
    let mut seq = Vec::with_capacity(threads.len());
    let mut clocks: Vec<Vec<u32>> = Vec::with_capacity(threads.len());
    for (i, &t) in threads.iter().enumerate() {
        counters[t] += 1;
        seq.push(counters[t]);
        let mut clock = vec![0u32; width];
        for e in g.graph.edges_directed(NodeIndex::new(i), petgraph::Direction::Incoming) {
            let sync = e.weight().kind != EdgeKind::Conflict || e.weight().attr("data") != Some(&Attr::Bool(true));
            // Every edge points from an earlier node to a later one: the source's clock is known.
            if sync && e.source().index() < i {
                for (c, s) in clock.iter_mut().zip(&clocks[e.source().index()]) {
                    *c = (*c).max(*s);
                }
            }
        }
        clock[t] = seq[i];
        clocks.push(clock);
    }
    let mut races = 0;
    let ids: Vec<_> = g.graph.edge_indices().collect();
    for id in ids {
        let Some((u, v)) = g.graph.edge_endpoints(id) else { continue };
        let edge = &mut g.graph[id];
        if edge.kind != EdgeKind::Conflict {
            continue;
        }
        let data = edge.attr("data") == Some(&Attr::Bool(true));
        let race = data && clocks[v.index()][threads[u.index()]] < seq[u.index()];
        races += usize::from(race);
        edge.attrs.push(("race", Attr::Bool(race)));
    }
    races
}

/// Marks the races (see [`mark_races`]) and a violation's node.
pub(super) fn highlight(g: &mut Graph) -> u64 {
    let mut marked = 0;
    for e in g.graph.edge_weights_mut() {
        if e.kind == EdgeKind::Conflict && e.attr("race") == Some(&Attr::Bool(true)) {
            e.highlight = true;
            marked += 1;
        }
    }
    for n in g.graph.node_weights_mut() {
        if n.role == NodeRole::Violation {
            n.highlight = true;
            marked += 1;
        }
    }
    marked
}
