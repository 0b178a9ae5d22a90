//! Graphviz DOT: labels and tooltips from the attributes; roles and kinds as shapes and colours;
//! the highlighted path in bold red; a happens-before graph with one cluster per thread.

use super::{edge_attrs, node_attrs, Attr, EdgeKind, Graph, GraphError, Kind, Node, NodeRole, Ticker};
use crate::text::thousands;
use petgraph::visit::EdgeRef;
use std::collections::BTreeMap;
use std::fmt::Write;

const RED: &str = "#d62728";

/// Graphs with more nodes than this get a faster, rougher node placement.
const LARGE: usize = 300;

/// `s` as a DOT double-quoted string: quotes and backslashes escaped, line breaks as `\n`,
/// other control characters as spaces.
pub(super) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Every attribute but the label, one `key: value` line each (shown on hover in SVG).
fn tooltip(attrs: &[(&'static str, Attr)]) -> String {
    let mut lines = Vec::new();
    for (k, v) in attrs {
        if *k == "label" {
            continue;
        }
        let text = v.text();
        if text.is_empty() {
            continue;
        }
        if text.contains('\n') {
            lines.push(format!("{k}:"));
            lines.extend(text.lines().map(|l| format!("  {l}")));
        } else {
            lines.push(format!("{k}: {text}"));
        }
    }
    lines.join("\n")
}

fn node_style(kind: Kind, n: &Node) -> Vec<(&'static str, String)> {
    let mut style: Vec<(&'static str, String)> = Vec::new();
    match n.role {
        NodeRole::Running if kind == Kind::Tree && !n.initial => {
            style.push(("shape", "point".into()));
            style.push(("width", "0.12".into()));
        }
        NodeRole::Running => style.push(("shape", "ellipse".into())),
        NodeRole::Final => {
            style.push(("style", quote("rounded,filled")));
            style.push(("fillcolor", quote("#dff0d8")));
        }
        NodeRole::Violation => {
            style.push(("style", quote("rounded,filled")));
            style.push(("fillcolor", quote("#f2dede")));
            style.push(("color", quote("#a94442")));
        }
        NodeRole::Step => {}
    }
    if n.initial {
        style.push(("peripheries", "2".into()));
    }
    if n.highlight {
        style.push(("color", quote(RED)));
        style.push(("penwidth", "2.5".into()));
        style.push(("fontcolor", quote(RED)));
    }
    style
}

fn edge_style(kind: EdgeKind, highlight: bool) -> Vec<(&'static str, String)> {
    let mut style: Vec<(&'static str, String)> = match kind {
        EdgeKind::Step => vec![],
        EdgeKind::Program => vec![("color", quote("gray40"))],
        EdgeKind::Spawn => {
            vec![("style", "dashed".into()), ("color", quote("#31708f")), ("fontcolor", quote("#31708f"))]
        }
        EdgeKind::Conflict => vec![("color", quote("#e08a1e")), ("fontcolor", quote("#b8650a"))],
    };
    if highlight {
        style.retain(|(k, _)| !matches!(*k, "color" | "fontcolor"));
        style.push(("color", quote(RED)));
        style.push(("fontcolor", quote(RED)));
        style.push(("penwidth", "2.5".into()));
        style.push(("style", "bold".into()));
    }
    style
}

fn write_attrs(out: &mut String, label: &str, tip: &str, style: &[(&'static str, String)]) {
    let _ = write!(out, "[label={}", quote(label));
    if !tip.is_empty() {
        let _ = write!(out, ", tooltip={}", quote(tip));
    }
    for (k, v) in style {
        let _ = write!(out, ", {k}={v}");
    }
    out.push(']');
}

fn write_node(out: &mut String, g: &Graph, i: usize, indent: &str) {
    let n = &g.graph[petgraph::graph::NodeIndex::new(i)];
    let _ = write!(out, "{indent}n{i} ");
    write_attrs(out, &n.label, &tooltip(&node_attrs(n)), &node_style(g.kind, n));
    out.push_str(";\n");
}

/// The graph as DOT.
pub(super) fn render(g: &Graph, t: &mut Ticker) -> Result<String, GraphError> {
    let mut out = String::new();
    let mut title = g.kind.title().to_string();
    if !g.name.is_empty() {
        title = format!("{}: {title}", g.name);
    }
    title.push_str(&format!(
        " ({} nodes, {} edges)",
        thousands(g.node_count() as u64),
        thousands(g.edge_count() as u64)
    ));
    let _ = writeln!(out, "digraph {} {{", quote(&format!("gilcheck {}", g.kind.as_str())));
    // newrank (and, for large graphs, fewer network-simplex iterations when placing nodes)
    // keeps Graphviz's layout of a few thousand nodes to seconds instead of minutes.
    let speed = if g.node_count() > LARGE { ", nslimit=0.2" } else { "" };
    let _ = writeln!(
        out,
        "  graph [label={}, labelloc=t, fontname=\"Helvetica\", fontsize=12, newrank=true{speed}, tooltip={}];",
        quote(&title),
        quote(&tooltip(&g.all_attrs()))
    );
    let _ = writeln!(out, "  node [fontname=\"Helvetica\", fontsize=9, shape=box, style=rounded];");
    let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=8];");
    if g.kind == Kind::Trace {
        // One cluster (a column) per thread.
        let mut lanes: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        for i in g.graph.node_indices() {
            let tid = match g.graph[i].attr("thread") {
                Some(Attr::Int(t)) => *t,
                _ => -1,
            };
            lanes.entry(tid).or_default().push(i.index());
        }
        for (tid, nodes) in lanes {
            let name = g.graph[petgraph::graph::NodeIndex::new(nodes[0])]
                .attr("thread_name")
                .map_or_else(|| format!("thread {tid}"), Attr::text);
            let _ = writeln!(out, "  subgraph cluster_t{} {{", tid.max(0));
            let _ = writeln!(out, "    label={}; color=\"gray75\"; style=rounded;", quote(&name));
            for i in nodes {
                t.tick()?;
                write_node(&mut out, g, i, "    ");
            }
            let _ = writeln!(out, "  }}");
        }
    } else {
        for i in g.graph.node_indices() {
            t.tick()?;
            write_node(&mut out, g, i.index(), "  ");
        }
    }
    for e in g.graph.edge_references() {
        t.tick()?;
        let w = e.weight();
        let _ = write!(out, "  n{} -> n{} ", e.source().index(), e.target().index());
        write_attrs(&mut out, &w.label, &tooltip(&edge_attrs(w)), &edge_style(w.kind, w.highlight));
        out.push_str(";\n");
    }
    out.push_str("}\n");
    Ok(out)
}
