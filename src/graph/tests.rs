//! Unit tests of the graph builders and exporters.

use super::*;
use crate::explore::{Checker, Strategy};
use petgraph::graph::NodeIndex;

fn model(text: &str) -> crate::Model {
    crate::Model::from_source("t.py", text).unwrap()
}

/// Two threads increment a global once each, without a lock.
const RACE: &str = "import threading
x = 0
def f():
    global x
    x = x + 1
t1 = threading.Thread(target=f)
t2 = threading.Thread(target=f)
t1.start(); t2.start()
t1.join(); t2.join()
assert x == 2
";

/// Output with every character an exporter must escape.
const NASTY: &str = "import threading
def f():
    print('<a href=\"x\">&amp;</a> \\\\ \\'q\\' \\x01\\r\\n\\t end')
t = threading.Thread(target=f)
t.start()
t.join()
";

#[test]
fn state_graph_matches_the_stateful_search() {
    for text in [RACE, NASTY] {
        let m = model(text);
        let r = Checker::new(m.explorable()).strategy(Strategy::Stateful).all_outcomes(true).check();
        let g = states(m.explorable(), &Options::default()).unwrap();
        assert_eq!(g.node_count() as u64, r.stats.states);
        assert_eq!(g.edge_count() as u64, r.stats.transitions);
        assert_eq!(g.terminal_nodes().count(), r.outcomes.len());
        assert!(g.graph[NodeIndex::new(0)].initial);
        // Terminal nodes have no successors; every other node has one per runnable thread.
        for (i, n) in g.graph.node_indices().map(|i| (i, &g.graph[i])) {
            let out = g.graph.edges(i).count();
            assert_eq!(n.role.is_terminal(), out == 0, "{}", n.label);
        }
    }
}

#[test]
fn guard_counts_what_it_refuses() {
    let m = model(RACE);
    let all = states(m.explorable(), &Options::default()).unwrap().node_count() as u64;
    let err = states(m.explorable(), &Options { max_nodes: 10, count_limit: 1_000_000 }).unwrap_err();
    assert_eq!(
        err,
        GraphError::TooLarge { kind: Kind::States, max_nodes: 10, reached: 11, total: Total::Exactly(all) }
    );
    let err = states(m.explorable(), &Options { max_nodes: 10, count_limit: 20 }).unwrap_err();
    assert!(matches!(err, GraphError::TooLarge { total: Total::AtLeast(20), .. }));
    let err = states(m.explorable(), &Options { max_nodes: 10, count_limit: 0 }).unwrap_err();
    assert!(matches!(err, GraphError::TooLarge { total: Total::Unknown, .. }));
    let msg = crate::Error::from(err).to_string();
    assert!(msg.contains("--max-nodes 10") && msg.contains("--set"), "{msg}");
    let err = trace(m.explorable(), None, &Options { max_nodes: 3, count_limit: 1_000 }).unwrap_err();
    let full = trace(m.explorable(), None, &Options::default()).unwrap().node_count() as u64;
    assert!(matches!(err, GraphError::TooLarge { total: Total::Exactly(n), .. } if n == full));
}

#[test]
fn trace_graph_has_program_order_spawns_and_cross_thread_conflicts() {
    let m = model(RACE);
    let g = trace(m.explorable(), None, &Options::default()).unwrap();
    let thread = |i: NodeIndex| match g.graph[i].attr("thread") {
        Some(Attr::Int(t)) => *t,
        _ => panic!("no thread"),
    };
    let mut x_conflicts = 0;
    for e in g.graph.edge_indices() {
        let (a, b) = g.graph.edge_endpoints(e).unwrap();
        let w = &g.graph[e];
        assert!(a.index() < b.index(), "edges follow the schedule");
        match w.kind {
            EdgeKind::Program => assert_eq!(thread(a), thread(b)),
            EdgeKind::Spawn => assert_eq!(thread(a), 0),
            EdgeKind::Conflict => {
                assert_ne!(thread(a), thread(b));
                if w.attr("object") == Some(&Attr::Str("x".into())) {
                    x_conflicts += 1;
                }
            }
            EdgeKind::Step => panic!("a step edge in a trace graph"),
        }
    }
    assert!(x_conflicts >= 2, "main writes x before the threads read it; the threads conflict on it");
    // The run without preemptions finishes: the last node carries the outcome.
    assert_eq!(g.attr("status"), Some(&Attr::Str("final".into())));
    // Even without preemptions, T1's write and T2's read of x are ordered by no synchronization.
    assert!(matches!(g.attr("races"), Some(Attr::Int(n)) if *n >= 1), "{:?}", g.attr("races"));
}

#[test]
fn trace_graph_steps_add_up_to_the_schedule() {
    let m = model(RACE);
    let cex = Checker::new(m.explorable()).check().counterexample.unwrap();
    let g = trace(m.explorable(), Some(&cex.schedule), &Options::default()).unwrap();
    let steps: i64 =
        g.graph.node_weights().map(|n| if let Some(Attr::Int(s)) = n.attr("steps") { *s } else { 0 }).sum();
    assert_eq!(steps as u64, cex.schedule.len());
    assert_eq!(g.attr("schedule"), Some(&Attr::Str(cex.schedule.to_string())));
    assert!(g.graph.node_weights().any(|n| n.role == NodeRole::Violation));
    assert!(matches!(g.attr("races"), Some(Attr::Int(n)) if *n >= 1));
}

#[test]
fn a_schedule_that_does_not_fit_is_refused() {
    let m = model(RACE);
    let bad: Schedule = "0x2,9".parse().unwrap();
    let err = trace(m.explorable(), Some(&bad), &Options::default()).unwrap_err();
    assert!(matches!(&err, GraphError::Schedule { step: 2, reason } if reason.contains("T9")), "{err:?}");
    assert!(err.to_string().contains("step 3"));
    let mut g = states(m.explorable(), &Options::default()).unwrap();
    assert!(g.highlight(m.explorable(), &bad).is_err());
    // Past the end of the run.
    let cex = Checker::new(m.explorable()).check().counterexample.unwrap();
    let mut long = cex.schedule.clone();
    long.push(0);
    let err = trace(m.explorable(), Some(&long), &Options::default()).unwrap_err();
    assert!(matches!(&err, GraphError::Schedule { reason, .. } if reason.contains("already ended")), "{err:?}");
    assert!(g.highlight(m.explorable(), &long).is_err());
}

#[test]
fn tree_highlight_follows_the_schedule() {
    let m = model("import threading\ndef f():\n    pass\nt = threading.Thread(target=f)\nt.start()\nt.join()\n");
    let mut g = tree(m.explorable(), &Options::default()).unwrap();
    let leaf = g.terminal_nodes().map(|(i, _)| i).last().unwrap();
    let schedule: Schedule = match g.graph[leaf].attr("schedule") {
        Some(Attr::Str(s)) => s.parse().unwrap(),
        _ => panic!("no schedule"),
    };
    assert_eq!(g.highlight(m.explorable(), &schedule).unwrap(), schedule.len());
    assert!(g.graph[leaf].highlight);
    assert_eq!(g.graph.node_weights().filter(|n| n.highlight).count() as u64, schedule.len() + 1);
}

#[test]
fn endless_loop_is_a_cycle_in_the_state_graph_and_a_leaf_of_the_tree() {
    let m = model("x = 0\nwhile x == 0:\n    pass\n");
    let g = states(m.explorable(), &Options::default()).unwrap();
    let r = Checker::new(m.explorable()).strategy(Strategy::Stateful).all_outcomes(true).check();
    assert_eq!((g.node_count() as u64, g.edge_count() as u64), (r.stats.states, r.stats.transitions));
    assert!(petgraph::algo::is_cyclic_directed(&g.graph));
    let t = tree(m.explorable(), &Options::default()).unwrap();
    let leaves: Vec<_> = t.terminal_nodes().collect();
    assert_eq!(leaves.len(), 1);
    assert_eq!(leaves[0].1.attr("violation_kind"), Some(&Attr::Str("nontermination".into())));
    let tr = trace(m.explorable(), None, &Options::default()).unwrap();
    assert_eq!(tr.attr("status"), Some(&Attr::Str("violation".into())));
    assert_eq!(tr.attr("violation_kind"), Some(&Attr::Str("nontermination".into())));
    assert_eq!(
        tr.attr("violation"),
        Some(&Attr::Str("the run without preemptions never ends: it returns to an earlier state at line 2".into()))
    );
    assert_eq!(tr.node_count(), 1);
    assert_eq!(tr.graph.node_weights().next().unwrap().attr("first_line"), Some(&Attr::Int(1)));
    // The lasso a non-termination counterexample ends with is drawn as such.
    let lasso: Schedule = "0x16".parse().unwrap();
    let tr = trace(m.explorable(), Some(&lasso), &Options::default()).unwrap();
    assert_eq!(tr.attr("violation_kind"), Some(&Attr::Str("nontermination".into())));
    // A schedule that stops short of the repeat is just a partial run.
    let short: Schedule = "0x3".parse().unwrap();
    assert_eq!(
        trace(m.explorable(), Some(&short), &Options::default()).unwrap().attr("status"),
        Some(&Attr::Str("running".into()))
    );
}

#[test]
fn dot_quotes_everything() {
    assert_eq!(dot::quote("a\"b\\c\nd\re\u{1}"), "\"a\\\"b\\\\c\\nde \"");
    let m = model(NASTY);
    let g = states(m.explorable(), &Options::default()).unwrap();
    let text = g.render(Format::Dot).unwrap();
    assert!(text.starts_with("digraph \"gilcheck states\" {\n") && text.ends_with("}\n"));
    for line in text.lines() {
        // Every quoted string is closed on its line: no raw newline or quote escaped.
        let unescaped = line.replace("\\\\", "").replace("\\\"", "");
        assert_eq!(unescaped.matches('"').count() % 2, 0, "{line}");
    }
}

#[test]
fn graphml_escapes_and_parses_back() {
    assert_eq!(graphml::escape("<a"), "&lt;a");
    let m = model(NASTY);
    let g = states(m.explorable(), &Options::default()).unwrap().with_name("<name & \"quotes\">");
    let text = g.render(Format::Graphml).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let graph = doc.root_element().children().find(|n| n.has_tag_name("graph")).unwrap();
    assert_eq!(graph.children().filter(|n| n.has_tag_name("node")).count(), g.node_count());
    assert_eq!(graph.children().filter(|n| n.has_tag_name("edge")).count(), g.edge_count());
    let name = graph.children().find(|n| n.attribute("key") == Some("g_name")).unwrap();
    assert_eq!(name.text(), Some("<name & \"quotes\">"));
    let output = g.terminal_nodes().next().unwrap().1.attr("output").unwrap().text();
    assert!(output.contains("<a href"), "{output}");
    let parsed: Vec<&str> =
        doc.descendants().filter(|n| n.attribute("key") == Some("n_output")).filter_map(|n| n.text()).collect();
    let want = output.replace('\u{1}', "\\x01");
    assert!(parsed.contains(&want.as_str()), "{parsed:?} vs {want:?}");
}

#[test]
fn json_is_node_link_data() {
    let m = model(RACE);
    let g = states(m.explorable(), &Options::default()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&g.render(Format::Json).unwrap()).unwrap();
    assert_eq!(v["directed"], true);
    assert_eq!(v["multigraph"], false);
    assert_eq!(v["graph"]["kind"], "states");
    assert_eq!(v["nodes"].as_array().unwrap().len(), g.node_count());
    assert_eq!(v["links"].as_array().unwrap().len(), g.edge_count());
    let first = &v["links"][0];
    assert_eq!(first["source"], 0);
    assert_eq!(first["thread_name"], "main");
    assert!(first["instr"].is_string() && first["line"].is_number());
    let terminal = v["nodes"].as_array().unwrap().iter().find(|n| n["role"] == "final").unwrap();
    assert_eq!(terminal["globals"]["x"], "2");
}
