//! GraphML: a `<key>` declaration for every attribute (`boolean`, `long` or `string`), then
//! the graph's, the nodes' and the edges' `<data>`. Lists and maps are written one line per item.

use super::{edge_attrs, node_attrs, Attr, Attrs, Graph, GraphError, Ticker};
use petgraph::visit::EdgeRef;
use std::fmt::Write;

pub(super) use crate::xml::escape;

fn type_of(a: &Attr) -> &'static str {
    match a {
        Attr::Bool(_) => "boolean",
        Attr::Int(_) => "long",
        _ => "string",
    }
}

/// The declared keys of one domain (`graph`, `node`, `edge`): name and type, in order of first use.
#[derive(Default)]
struct Keys(Vec<(&'static str, &'static str)>);

impl Keys {
    fn add(&mut self, attrs: &Attrs) {
        for (name, v) in attrs {
            let t = type_of(v);
            match self.0.iter_mut().find(|(n, _)| n == name) {
                Some((_, ty)) if *ty != t => *ty = "string",
                Some(_) => {}
                None => self.0.push((name, t)),
            }
        }
    }
}

fn key_id(domain: &str, name: &str) -> String {
    format!("{}_{name}", &domain[..1])
}

fn write_data(out: &mut String, indent: &str, domain: &str, attrs: &Attrs) {
    for (name, v) in attrs {
        let _ = writeln!(out, "{indent}<data key=\"{}\">{}</data>", escape(&key_id(domain, name)), escape(&v.text()));
    }
}

/// The graph as GraphML.
pub(super) fn render(g: &Graph, t: &mut Ticker) -> Result<String, GraphError> {
    let graph_attrs = g.all_attrs();
    let nodes: Vec<Attrs> = g.graph.node_indices().map(|i| node_attrs(&g.graph[i])).collect();
    let edges: Vec<(usize, usize, Attrs)> =
        g.graph.edge_references().map(|e| (e.source().index(), e.target().index(), edge_attrs(e.weight()))).collect();
    let mut keys = [("graph", Keys::default()), ("node", Keys::default()), ("edge", Keys::default())];
    keys[0].1.add(&graph_attrs);
    for a in &nodes {
        keys[1].1.add(a);
    }
    for (_, _, a) in &edges {
        keys[2].1.add(a);
    }
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    );
    for (domain, ks) in &keys {
        for (name, ty) in &ks.0 {
            let _ = writeln!(
                out,
                "  <key id=\"{}\" for=\"{domain}\" attr.name=\"{}\" attr.type=\"{ty}\"/>",
                escape(&key_id(domain, name)),
                escape(name)
            );
        }
    }
    let _ = writeln!(out, "  <graph id=\"G\" edgedefault=\"directed\">");
    write_data(&mut out, "    ", "graph", &graph_attrs);
    for (i, a) in nodes.iter().enumerate() {
        t.tick()?;
        let _ = writeln!(out, "    <node id=\"n{i}\">");
        write_data(&mut out, "      ", "node", a);
        out.push_str("    </node>\n");
    }
    for (i, (s, tgt, a)) in edges.iter().enumerate() {
        t.tick()?;
        let _ = writeln!(out, "    <edge id=\"e{i}\" source=\"n{s}\" target=\"n{tgt}\">");
        write_data(&mut out, "      ", "edge", a);
        out.push_str("    </edge>\n");
    }
    out.push_str("  </graph>\n</graphml>\n");
    Ok(out)
}
