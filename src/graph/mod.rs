//! Graphs of a model, built with petgraph and exported as DOT, JSON (node-link) or GraphML.
//!
//! Three kinds ([`Kind`]):
//! - [`states`]: the state graph. Nodes are the distinct states (by [`crate::engine::System::fingerprint`]),
//!   edges are steps, labelled with the thread, the source line and the instruction. It is the
//!   graph that the stateful search walks: its node and edge counts are that search's
//!   `stats.states` and `stats.transitions`. Terminal nodes carry their outcome (globals, output)
//!   or their violation.
//! - [`tree`]: the interleaving tree. Each node is a schedule prefix, each leaf one complete
//!   interleaving (or one that returns to a state on its own path: a run that never ends).
//! - [`trace`]: one schedule's happens-before graph. A node is one *visible* step of a thread
//!   (a step that touches a shared object or does something another thread can observe: a
//!   read or write of a global, a lock operation, a start, a join, a print, an exit, a raise),
//!   together with the thread-local steps that led up to it since that thread's previous node.
//!   Edges are program order (consecutive nodes of one thread), spawns (`start()` to the new
//!   thread's first node) and conflicts: two accesses of different threads to the same shared
//!   object, at least one a write, from the earlier to the later (each access is linked to the
//!   latest conflicting accesses before it; the rest follows by transitivity). Conflicts on
//!   data that no synchronization orders are marked as races.
//!
//! Every node has the attributes `label`, `role` (`running`, `final`, `violation`, `step`),
//! `initial` and `highlight`; every edge `label`, `kind` (`step`, `program`, `spawn`,
//! `conflict`) and `highlight`; the graph `kind`, `name`, `node_count`, `edge_count`. The
//! builders document the rest. Exports ([`Graph::render`]):
//! - DOT: the label on each node and edge, every other attribute in its `tooltip` (shown on
//!   hover in SVG); final states green, violations red, the initial node doubly outlined, the
//!   highlighted path bold red; a happens-before graph has one cluster per thread.
//! - JSON node-link (as networkx's `node_link_data`): `{"directed": true, "multigraph": false,
//!   "graph": {...}, "nodes": [{"id": 0, ...}], "links": [{"source": 0, "target": 1, ...}]}`;
//!   lists are arrays, maps (globals) objects.
//! - GraphML: a `<key>` per attribute (`boolean`, `long` or `string`; ids `g_NAME`, `n_NAME`,
//!   `e_NAME`), lists and maps as one line per item, everything XML-escaped.
//!
//! The builders never print and never panic on user input; a graph over
//! [`Options::max_nodes`] nodes is refused with [`GraphError::TooLarge`].
//!
//! ```no_run
//! use gilcheck::graph::{self, Format, Options};
//! let model = gilcheck::Model::from_file("models/race_condition.py")?.with_set("N", "1")?;
//! let g = graph::states(model.explorable(), &Options::default())?;
//! let report = model.checker().strategy(gilcheck::Strategy::Stateful).all_outcomes(true).check();
//! assert_eq!(g.node_count() as u64, report.stats.states);
//! assert_eq!(g.edge_count() as u64, report.stats.transitions);
//! println!("{}", g.render(Format::Dot).unwrap());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod describe;
mod dot;
mod graphml;
mod hb;
mod json;
mod states;
#[cfg(test)]
mod tests;
mod tree;

pub use describe::{Describe, StepLabel};
pub use hb::trace;
pub use states::states;
pub use tree::tree;

use crate::engine::Schedule;
use crate::text::thousands;
use crate::Error;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::HashMap;
use std::fmt;

/// Which graph to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The state graph.
    States,
    /// The interleaving tree.
    Tree,
    /// One schedule's happens-before graph.
    Trace,
}

impl Kind {
    /// `states`, `tree` or `trace`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::States => "states",
            Kind::Tree => "tree",
            Kind::Trace => "trace",
        }
    }

    /// The graph's name in words (`state graph`, `interleaving tree`, `happens-before graph`).
    pub fn title(self) -> &'static str {
        match self {
            Kind::States => "state graph",
            Kind::Tree => "interleaving tree",
            Kind::Trace => "happens-before graph",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An export format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Graphviz DOT (`dot -Tsvg` renders it).
    Dot,
    /// JSON node-link: `{"directed": true, "graph": {...}, "nodes": [...], "links": [...]}`.
    Json,
    /// GraphML (XML), with a `<key>` declaration for every attribute.
    Graphml,
}

/// Limits of a graph build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Refuse graphs with more nodes than this ([`GraphError::TooLarge`]).
    pub max_nodes: usize,
    /// When the guard refuses a graph, keep counting its nodes (without building it) up to this
    /// many, so the error can say how large the graph is; at most `max_nodes` means no count.
    pub count_limit: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { max_nodes: 10_000, count_limit: 200_000 }
    }
}

impl Options {
    /// Options with this node limit; the guard counts up to 20 times as many nodes (at most a
    /// million) to say how large a refused graph is.
    pub fn with_max_nodes(max_nodes: usize) -> Self {
        Options { max_nodes, count_limit: max_nodes.saturating_mul(20).clamp(100_000, 1_000_000) }
    }
}

/// An attribute value of a node, an edge or the graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attr {
    /// A boolean (GraphML `boolean`).
    Bool(bool),
    /// An integer (GraphML `long`).
    Int(i64),
    /// Text.
    Str(String),
    /// A list of lines (a JSON array; one line each in DOT and GraphML).
    List(Vec<String>),
    /// Named values, e.g. globals (a JSON object; `name = value` lines in DOT and GraphML).
    Map(Vec<(String, String)>),
}

impl Attr {
    /// The value as flat text (how DOT and GraphML show lists and maps).
    pub fn text(&self) -> String {
        match self {
            Attr::Bool(b) => b.to_string(),
            Attr::Int(i) => i.to_string(),
            Attr::Str(s) => s.clone(),
            Attr::List(l) => l.join("\n"),
            Attr::Map(m) => m.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join("\n"),
        }
    }

    /// The value as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Attr::Bool(b) => J::Bool(*b),
            Attr::Int(i) => J::from(*i),
            Attr::Str(s) => J::String(s.clone()),
            Attr::List(l) => J::Array(l.iter().cloned().map(J::String).collect()),
            Attr::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), J::String(v.clone()))).collect()),
        }
    }
}

/// Named attributes, in a fixed order.
pub type Attrs = Vec<(&'static str, Attr)>;

fn find<'a>(attrs: &'a Attrs, key: &str) -> Option<&'a Attr> {
    attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeRole {
    /// A state (or schedule prefix) from which some thread can still move.
    Running,
    /// A terminal state where every thread finished: it carries the outcome.
    Final,
    /// A terminal state with a violation (failed assert, exception, deadlock, a run that
    /// returns to an earlier state, `--expect`): it carries the violation.
    Violation,
    /// A step of a happens-before graph.
    Step,
}

impl NodeRole {
    /// `running`, `final`, `violation` or `step`.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeRole::Running => "running",
            NodeRole::Final => "final",
            NodeRole::Violation => "violation",
            NodeRole::Step => "step",
        }
    }

    /// Whether the node ends an execution (final or violation).
    pub fn is_terminal(self) -> bool {
        matches!(self, NodeRole::Final | NodeRole::Violation)
    }
}

/// What an edge stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    /// One step of one thread (state graph, interleaving tree).
    Step,
    /// Program order: consecutive nodes of one thread (happens-before graph).
    Program,
    /// `start()` to the started thread's first node (happens-before graph).
    Spawn,
    /// Conflicting accesses of different threads to one shared object (happens-before graph).
    Conflict,
}

impl EdgeKind {
    /// `step`, `program`, `spawn` or `conflict`.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Step => "step",
            EdgeKind::Program => "program",
            EdgeKind::Spawn => "spawn",
            EdgeKind::Conflict => "conflict",
        }
    }
}

/// A node: a label for drawings, its role, and its attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// A short multi-line label.
    pub label: String,
    /// What the node stands for.
    pub role: NodeRole,
    /// Whether this is the initial state (the root of a tree).
    pub initial: bool,
    /// Whether the node is on the highlighted path.
    pub highlight: bool,
    /// The other attributes (see the exporters for their names).
    pub attrs: Attrs,
}

impl Node {
    /// The attribute `key`, if the node has it.
    pub fn attr(&self, key: &str) -> Option<&Attr> {
        find(&self.attrs, key)
    }
}

/// An edge: a label for drawings, its kind, and its attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// A short label.
    pub label: String,
    /// What the edge stands for.
    pub kind: EdgeKind,
    /// Whether the edge is on the highlighted path.
    pub highlight: bool,
    /// The other attributes.
    pub attrs: Attrs,
}

impl Edge {
    /// The attribute `key`, if the edge has it.
    pub fn attr(&self, key: &str) -> Option<&Attr> {
        find(&self.attrs, key)
    }
}

/// A built graph: the petgraph graph, its kind, and graph-level attributes.
#[derive(Clone, Debug)]
pub struct Graph {
    /// What it shows.
    pub kind: Kind,
    /// A name for the drawing (e.g. the source file); empty by default.
    pub name: String,
    /// The nodes and edges. Node 0 is the initial state (states, tree) or the first step (trace).
    pub graph: DiGraph<Node, Edge>,
    /// Graph-level attributes.
    pub attrs: Attrs,
    /// States graph: node of each fingerprint (to highlight a schedule).
    index: HashMap<u128, NodeIndex>,
}

impl Graph {
    fn new(kind: Kind) -> Self {
        Graph { kind, name: String::new(), graph: DiGraph::new(), attrs: Vec::new(), index: HashMap::new() }
    }

    /// Names the graph (shown as the drawing's title and as the `name` attribute).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The number of nodes.
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// The number of edges.
    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// The graph-level attribute `key`.
    pub fn attr(&self, key: &str) -> Option<&Attr> {
        find(&self.attrs, key)
    }

    /// The terminal nodes (final states and violations).
    pub fn terminal_nodes(&self) -> impl Iterator<Item = (NodeIndex, &Node)> + '_ {
        self.graph.node_indices().map(|i| (i, &self.graph[i])).filter(|(_, n)| n.role.is_terminal())
    }

    /// Marks the path that `schedule` takes from the initial state (its nodes and edges get
    /// `highlight`), returning how many of its steps are on the graph.
    ///
    /// - states: the states the schedule passes and the steps between them;
    /// - tree: the schedule's prefixes and the steps between them;
    /// - trace: the graph *is* one schedule's, so the schedule is not walked: its races
    ///   (conflicts on data that no synchronization orders, see [`trace`]) and the node of a
    ///   violation are marked.
    ///
    /// A schedule that does not fit the model is refused with [`GraphError::Schedule`].
    pub fn highlight<M: Describe>(&mut self, model: &M, schedule: &Schedule) -> Result<u64, GraphError> {
        match self.kind {
            Kind::States => states::highlight(self, model, schedule),
            Kind::Tree => tree::highlight(self, schedule),
            Kind::Trace => Ok(hb::highlight(self)),
        }
    }

    /// The graph in `format`, ending with a newline.
    pub fn render(&self, format: Format) -> Result<String, GraphError> {
        let mut t = Ticker::default();
        match format {
            Format::Dot => dot::render(self, &mut t),
            Format::Json => json::render(self, &mut t),
            Format::Graphml => graphml::render(self, &mut t),
        }
    }

    /// The graph as JSON node-link data.
    pub fn to_json(&self) -> serde_json::Value {
        json::to_value(self, &mut Ticker { off: true, ..Ticker::default() }).unwrap_or(serde_json::Value::Null)
    }

    /// The node and edge counts and the other graph-level attributes, for exporters.
    fn all_attrs(&self) -> Attrs {
        let mut all: Attrs = vec![
            ("kind", Attr::Str(self.kind.as_str().into())),
            ("name", Attr::Str(self.name.clone())),
            ("node_count", Attr::Int(self.node_count() as i64)),
            ("edge_count", Attr::Int(self.edge_count() as i64)),
        ];
        all.extend(self.attrs.iter().cloned());
        all
    }
}

/// The attributes every exporter writes for a node, in order: `label`, `role`, `initial`,
/// `highlight`, then the node's own.
fn node_attrs(n: &Node) -> Attrs {
    let mut all: Attrs = vec![
        ("label", Attr::Str(n.label.clone())),
        ("role", Attr::Str(n.role.as_str().into())),
        ("initial", Attr::Bool(n.initial)),
        ("highlight", Attr::Bool(n.highlight)),
    ];
    all.extend(n.attrs.iter().cloned());
    all
}

/// The attributes every exporter writes for an edge: `label`, `kind`, `highlight`, then its own.
fn edge_attrs(e: &Edge) -> Attrs {
    let mut all: Attrs = vec![
        ("label", Attr::Str(e.label.clone())),
        ("kind", Attr::Str(e.kind.as_str().into())),
        ("highlight", Attr::Bool(e.highlight)),
    ];
    all.extend(e.attrs.iter().cloned());
    all
}

/// How many nodes a refused graph has, as far as the guard counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Total {
    /// Not counted.
    Unknown,
    /// Exactly this many.
    Exactly(u64),
    /// At least this many (the count stopped at [`Options::count_limit`]).
    AtLeast(u64),
}

/// Why a graph was not built.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GraphError {
    /// The graph has more than [`Options::max_nodes`] nodes.
    TooLarge {
        /// The graph asked for.
        kind: Kind,
        /// The limit.
        max_nodes: usize,
        /// The nodes reached when the build stopped.
        reached: usize,
        /// The whole graph's size, as far as it was counted.
        total: Total,
    },
    /// A schedule does not fit the model.
    Schedule {
        /// 0-based index of the step that cannot be taken.
        step: u64,
        /// Why.
        reason: String,
    },
    /// A `--max-*` limit of the run stopped the build.
    Stopped(crate::budget::Limit),
    /// The run without preemptions ran past 50 million steps without ending or repeating a
    /// state (a run that repeats one is drawn, as a non-termination).
    Endless {
        /// The steps taken when that was noticed.
        steps: u64,
    },
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::TooLarge { kind, max_nodes, reached, total } => {
                write!(
                    f,
                    "the {} has more than --max-nodes {} nodes: the build stopped after reaching {} nodes",
                    kind.title(),
                    thousands(*max_nodes as u64),
                    thousands(*reached as u64)
                )?;
                match total {
                    Total::Unknown => Ok(()),
                    Total::Exactly(n) => write!(f, " ({} in all)", thousands(*n)),
                    Total::AtLeast(n) => write!(f, " (at least {} in all)", thousands(*n)),
                }
            }
            GraphError::Schedule { step, reason } => write!(
                f,
                "the schedule does not fit this program at step {}: {reason} (was the program edited, or --set changed, since the schedule was made?)",
                step + 1
            ),
            GraphError::Stopped(l) => write!(f, "{l} was reached while building the graph"),
            GraphError::Endless { steps } => write!(
                f,
                "the run without preemptions passed {} steps without ending; pass a shorter --schedule, or draw a smaller instance (--set)",
                thousands(*steps)
            ),
        }
    }
}

impl std::error::Error for GraphError {}

impl From<GraphError> for Error {
    fn from(e: GraphError) -> Self {
        match e {
            GraphError::TooLarge { .. } => {
                Error::Limit(format!("{e}; draw a smaller instance (e.g. a smaller --set N=...), or raise --max-nodes"))
            }
            GraphError::Stopped(_) | GraphError::Endless { .. } => Error::Limit(e.to_string()),
            other => Error::Usage(other.to_string()),
        }
    }
}

/// Polls the run's budget while a graph is rendered (a graph of `--max-nodes` nodes can take
/// a good part of a second to write out): a limit that passes stops the rendering.
#[derive(Default)]
pub(crate) struct Ticker {
    ticks: u32,
    off: bool,
}

impl Ticker {
    /// Counts one node or edge written; the limit, once one has stopped the run.
    pub(crate) fn tick(&mut self) -> Result<(), GraphError> {
        match crate::budget::poll(&mut self.ticks) {
            Some(l) if !self.off => Err(GraphError::Stopped(l)),
            _ => Ok(()),
        }
    }
}

/// The largest value `v` in `1..below` such that the graph of `kind` of `model` with the
/// module constant `name` set to `v` fits in `max_nodes` nodes, assuming the graph grows with
/// `v` (tries 1, 2, 4, … then bisects); `None` when even 1 does not fit or `name` cannot be set.
/// Each try builds at most `max_nodes` nodes. The trace graph's size is measured on the run
/// without preemptions.
pub fn largest_fitting(model: &crate::Model, name: &str, below: i64, kind: Kind, max_nodes: usize) -> Option<i64> {
    let opts = Options { max_nodes, count_limit: 0 };
    let fits = |v: i64| -> Option<bool> {
        let m = model.clone().with_set(name, &v.to_string()).ok()?;
        let py = m.explorable();
        Some(match kind {
            Kind::States => states(py, &opts).is_ok(),
            Kind::Tree => tree(py, &opts).is_ok(),
            Kind::Trace => trace(py, None, &opts).is_ok(),
        })
    };
    let upper = below.checked_sub(1)?;
    if upper < 1 || !fits(1)? {
        return None;
    }
    // Invariant: `lo` fits; `hi` (when known) does not.
    let (mut lo, mut hi) = (1i64, None);
    while hi.is_none() && lo < upper {
        let v = lo.saturating_mul(2).min(upper);
        if fits(v)? {
            lo = v;
        } else {
            hi = Some(v);
        }
    }
    if let Some(mut hi) = hi {
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(mid)? {
                lo = mid;
            } else {
                hi = mid;
            }
        }
    }
    Some(lo)
}

/// The size of the state graph or interleaving tree of `model`, counted up to `limit` nodes
/// without building it.
fn count_nodes<M: Describe>(model: &M, kind: Kind, limit: usize) -> Total {
    match kind {
        Kind::States => states::count(model, limit),
        Kind::Tree => tree::count(model, limit),
        Kind::Trace => Total::Unknown,
    }
}

/// The error for a graph that outgrew `opts.max_nodes`, with the whole graph counted as far as
/// `opts.count_limit` allows.
fn too_large<M: Describe>(model: &M, kind: Kind, opts: &Options) -> GraphError {
    let total =
        if opts.count_limit > opts.max_nodes { count_nodes(model, kind, opts.count_limit) } else { Total::Unknown };
    GraphError::TooLarge { kind, max_nodes: opts.max_nodes, reached: opts.max_nodes + 1, total }
}
