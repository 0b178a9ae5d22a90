//! JSON node-link data, as networkx's `node_link_data` writes it: `directed`, `multigraph`,
//! `graph` (graph attributes), `nodes` (each with an integer `id`) and `links` (each with
//! `source` and `target` ids).

use super::{edge_attrs, node_attrs, Graph, GraphError, Ticker};
use petgraph::visit::EdgeRef;
use serde_json::{Map, Value};
use std::collections::HashSet;

fn object(id: Option<(&str, Value)>, attrs: &[(&'static str, super::Attr)]) -> Value {
    let mut m = Map::new();
    if let Some((k, v)) = id {
        m.insert(k.into(), v);
    }
    for (k, v) in attrs {
        m.insert((*k).into(), v.to_json());
    }
    Value::Object(m)
}

/// The graph as a JSON value.
pub(super) fn to_value(g: &Graph, t: &mut Ticker) -> Result<Value, GraphError> {
    let mut pairs = HashSet::new();
    let multigraph = !g.graph.edge_references().all(|e| pairs.insert((e.source(), e.target())));
    let nodes: Vec<Value> = g
        .graph
        .node_indices()
        .map(|i| {
            t.tick()?;
            Ok(object(Some(("id", Value::from(i.index()))), &node_attrs(&g.graph[i])))
        })
        .collect::<Result<_, GraphError>>()?;
    let mut keys = std::collections::HashMap::new();
    let links: Vec<Value> = g
        .graph
        .edge_references()
        .map(|e| {
            t.tick()?;
            let mut v = object(None, &edge_attrs(e.weight()));
            if let Value::Object(m) = &mut v {
                m.insert("source".into(), Value::from(e.source().index()));
                m.insert("target".into(), Value::from(e.target().index()));
                if multigraph {
                    let k = keys.entry((e.source(), e.target())).or_insert(0usize);
                    m.insert("key".into(), Value::from(*k));
                    *k += 1;
                }
            }
            Ok(v)
        })
        .collect::<Result<_, GraphError>>()?;
    let mut top = Map::new();
    top.insert("directed".into(), Value::Bool(true));
    top.insert("multigraph".into(), Value::Bool(multigraph));
    top.insert("graph".into(), object(None, &g.all_attrs()));
    top.insert("nodes".into(), Value::Array(nodes));
    top.insert("links".into(), Value::Array(links));
    Ok(Value::Object(top))
}

/// The graph as pretty-printed JSON, ending with a newline.
pub(super) fn render(g: &Graph, t: &mut Ticker) -> Result<String, GraphError> {
    let v = to_value(g, t)?;
    t.tick()?;
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    Ok(s)
}
