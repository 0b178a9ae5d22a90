//! `gilcheck graph`: the state graph agrees with the stateful search, the exports are valid
//! (Graphviz renders the DOT, the GraphML parses back), and the counterexample shows in them.

use gilcheck::graph::{self, Attr, EdgeKind, Format, Graph, GraphError, Options};
use gilcheck::Model;
use gilcheck::{PyModel, Strategy};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Output};

fn model(path: &str, n: u32) -> Model {
    Model::from_file(path).unwrap().with_set("N", &n.to_string()).unwrap()
}

fn states(m: &Model) -> Graph {
    graph::states(m.explorable(), &Options::default()).unwrap().with_name("test")
}

fn gilcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gilcheck")).args(args).env("NO_COLOR", "1").output().expect("run gilcheck")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gilcheck-graph-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Checks DOT text: it must parse as DOT (with a DOT parser, so the check needs nothing but this
/// crate's dependencies); where Graphviz's `dot` is installed, it must also render to SVG without
/// errors or warnings. Without `dot` the rendering check is skipped, and the test says so.
#[track_caller]
fn renders_with_dot(dot: &str, name: &str) {
    if let Err(e) = graphviz_rust::parse(dot) {
        panic!("{name}: not valid DOT: {e}\n{dot}");
    }
    let path = temp(&format!("{name}.dot"));
    std::fs::write(&path, dot).unwrap();
    let out = match Command::new("dot").arg("-Tsvg").arg(&path).output() {
        Ok(out) => out,
        Err(e) => {
            println!("{name}: skipped rendering with Graphviz `dot` ({e}); the DOT text parsed");
            return;
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name}: dot -Tsvg failed: {stderr}");
    assert!(!stderr.contains("Error") && !stderr.contains("Warning"), "{name}: {stderr}");
    let svg = String::from_utf8_lossy(&out.stdout);
    assert!(svg.contains("<svg") && svg.contains("</svg>"), "{name}: no SVG");
}

/// Parses GraphML, checks every `<data>` uses a declared key, and returns its node and edge
/// counts and the `label` of every node.
fn parse_graphml(text: &str) -> (usize, usize, Vec<String>) {
    let doc = roxmltree::Document::parse(text).expect("GraphML is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "graphml");
    let keys: BTreeSet<(String, String)> = root
        .children()
        .filter(|n| n.has_tag_name("key"))
        .map(|k| (k.attribute("id").unwrap().to_string(), k.attribute("for").unwrap().to_string()))
        .collect();
    let label_key = keys.iter().find(|(id, f)| f == "node" && id.ends_with("label")).expect("a label key").0.clone();
    let graph = root.children().find(|n| n.has_tag_name("graph")).expect("<graph>");
    assert_eq!(graph.attribute("edgedefault"), Some("directed"));
    let mut nodes = 0;
    let mut edges = 0;
    let mut labels = Vec::new();
    for el in graph.children().filter(|n| n.is_element()) {
        let domain = match el.tag_name().name() {
            "node" => {
                nodes += 1;
                "node"
            }
            "edge" => {
                edges += 1;
                "edge"
            }
            "data" => "graph",
            other => panic!("unexpected <{other}>"),
        };
        let data: Vec<_> =
            if domain == "graph" { vec![el] } else { el.children().filter(|n| n.has_tag_name("data")).collect() };
        for d in data {
            let key = d.attribute("key").unwrap().to_string();
            assert!(
                keys.contains(&(key.clone(), domain.to_string())),
                "<data key={key}> of a {domain} is not declared"
            );
            if domain == "node" && key == label_key {
                labels.push(d.text().unwrap_or("").to_string());
            }
        }
    }
    (nodes, edges, labels)
}

#[test]
fn state_graph_counts_equal_the_stateful_search_and_dot_renders() {
    for path in ["models/race_condition.py", "models/safe_deposit.py"] {
        let m = model(path, 1);
        let report = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
        assert!(report.exhaustive);
        let g = states(&m);
        let json = g.to_json();
        let nodes = json["nodes"].as_array().unwrap().len() as u64;
        let links = json["links"].as_array().unwrap().len() as u64;
        assert_eq!((nodes, links), (report.stats.states, report.stats.transitions), "{path}");
        assert_eq!(json["directed"], true);
        let ids: BTreeSet<u64> = json["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_u64().unwrap()).collect();
        assert_eq!(ids.len() as u64, nodes);
        for l in json["links"].as_array().unwrap() {
            assert!(ids.contains(&l["source"].as_u64().unwrap()) && ids.contains(&l["target"].as_u64().unwrap()));
            assert!(l["label"].as_str().unwrap().contains("line"), "{l}");
        }
        assert_eq!(json["nodes"].as_array().unwrap().iter().filter(|n| n["initial"] == true).count(), 1);
        let name = path.trim_start_matches("models/").trim_end_matches(".py");
        renders_with_dot(&g.render(Format::Dot).unwrap(), name);
    }
}

#[test]
fn graphml_is_well_formed_and_round_trips() {
    for path in ["models/race_condition.py", "models/safe_deposit.py"] {
        let m = model(path, 1);
        let g = states(&m);
        let (nodes, edges, labels) = parse_graphml(&g.render(Format::Graphml).unwrap());
        assert_eq!((nodes, edges), (g.node_count(), g.edge_count()), "{path}");
        let want: Vec<String> = g.graph.node_weights().map(|n| n.label.clone()).collect();
        assert_eq!(labels, want, "{path}: labels survive the round trip");
    }
    // The trace graph too (other attributes, other kinds of edges).
    let m = model("models/race_condition.py", 2);
    let cex = m.checker().check().counterexample.unwrap();
    let g = graph::trace(m.explorable(), Some(&cex.schedule), &Options::default()).unwrap();
    let (nodes, edges, _) = parse_graphml(&g.render(Format::Graphml).unwrap());
    assert_eq!((nodes, edges), (g.node_count(), g.edge_count()));
}

#[test]
fn racy_state_graph_at_n2_has_one_final_node_per_outcome() {
    let m = model("models/race_condition.py", 2);
    let report = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    let g = states(&m);
    let terminal: Vec<_> = g.terminal_nodes().collect();
    assert_eq!(terminal.len(), report.outcomes.len());
    assert_eq!(terminal.len(), 3);
    let balances: BTreeSet<String> = terminal
        .iter()
        .map(|(_, n)| match n.attr("globals") {
            Some(Attr::Map(m)) => m.iter().find(|(k, _)| k == "balance").unwrap().1.clone(),
            other => panic!("no globals: {other:?}"),
        })
        .collect();
    assert_eq!(balances, ["2", "3", "4"].iter().map(|s| s.to_string()).collect());
    // 2 and 3 violate the assert; the final state with 4 carries its output.
    let violations = terminal.iter().filter(|(_, n)| n.attr("violation").is_some()).count();
    assert_eq!(violations, 2);
}

/// The conflict edges of a trace graph between different threads on `object`.
fn conflicts_on(g: &Graph, object: &str) -> Vec<(i64, i64, String, bool)> {
    let thread = |i: petgraph::graph::NodeIndex| match g.graph[i].attr("thread") {
        Some(Attr::Int(t)) => *t,
        _ => -1,
    };
    g.graph
        .edge_indices()
        .filter_map(|e| {
            let w = &g.graph[e];
            let (a, b) = g.graph.edge_endpoints(e)?;
            let on = matches!(w.attr("object"), Some(Attr::Str(o)) if o.split(", ").any(|x| x == object));
            (w.kind == EdgeKind::Conflict && on).then(|| {
                let relation = w.attr("relation").map(Attr::text).unwrap_or_default();
                (thread(a), thread(b), relation, w.attr("race") == Some(&Attr::Bool(true)))
            })
        })
        .collect()
}

#[test]
fn trace_graph_of_the_racy_counterexample_has_a_conflict_between_the_threads_on_balance() {
    let m = model("models/race_condition.py", 2);
    let cex = m.checker().check().counterexample.unwrap();
    let mut g = graph::trace(m.explorable(), Some(&cex.schedule), &Options::default()).unwrap();
    let between: Vec<_> =
        conflicts_on(&g, "balance").into_iter().filter(|(a, b, ..)| *a >= 1 && *b >= 1 && a != b).collect();
    assert!(!between.is_empty(), "no conflict between T1 and T2 on balance");
    assert!(between.iter().any(|(.., race)| *race), "the lost update is a race: {between:?}");
    // Every thread's nodes form a chain; main starts both threads.
    let spawns = g.graph.edge_weights().filter(|e| e.kind == EdgeKind::Spawn).count();
    assert_eq!(spawns, 2);
    g.highlight(m.explorable(), &cex.schedule).unwrap();
    let highlighted = g.graph.edge_weights().filter(|e| e.highlight).count();
    assert!(highlighted >= 1);
    assert!(g.graph.node_weights().any(|n| n.highlight && n.attr("violation").is_some()));
    // With the lock, no conflict on balance is a race.
    let m = model("models/safe_deposit.py", 2);
    let g = graph::trace(m.explorable(), None, &Options::default()).unwrap();
    let on_balance = conflicts_on(&g, "balance");
    assert!(on_balance.iter().any(|(a, b, ..)| *a >= 1 && *b >= 1 && a != b), "{on_balance:?}");
    assert!(on_balance.iter().all(|(.., race)| !race), "{on_balance:?}");
    assert_eq!(g.attr("races"), Some(&Attr::Int(0)));
}

#[test]
fn highlighted_counterexample_path_is_on_the_state_graph() {
    let m = model("models/race_condition.py", 1);
    let cex = m.checker().check().counterexample.unwrap();
    let mut g = states(&m);
    let taken = g.highlight(m.explorable(), &cex.schedule).unwrap();
    assert_eq!(taken, cex.schedule.len());
    let edges = g.graph.edge_weights().filter(|e| e.highlight).count() as u64;
    assert_eq!(edges, cex.schedule.len(), "one highlighted edge per step (the states on the path are distinct)");
    let last =
        g.graph.node_weights().filter(|n| n.highlight).find(|n| n.role.is_terminal()).expect("ends at a violation");
    assert!(last.attr("violation").is_some());
    // A schedule that does not fit is refused.
    let bad: gilcheck::Schedule = "0x3,7".parse().unwrap();
    assert!(matches!(g.highlight(m.explorable(), &bad), Err(GraphError::Schedule { step: 3, .. })));
}

#[test]
fn size_guard_refuses_large_graphs_and_suggests_set() {
    let m = model("models/race_condition.py", 3);
    let err = graph::states(m.explorable(), &Options::with_max_nodes(100)).unwrap_err();
    match &err {
        GraphError::TooLarge { max_nodes: 100, reached: 101, total: graph::Total::Exactly(n), .. } => {
            let report = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
            assert_eq!(*n, report.stats.states);
        }
        other => panic!("{other:?}"),
    }
    let o = gilcheck(&["graph", "models/race_condition.py", "--set", "N=3", "--max-nodes", "100", "--format", "json"]);
    // Over --max-nodes is inconclusive (exit 3); with --format json the error is a JSON object on stdout.
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("a JSON error object");
    let message = v["error"]["message"].as_str().unwrap_or_default().to_string();
    assert_eq!(o.status.code(), Some(3), "{message}");
    assert!(message.contains("--set N="), "{message}");
    assert!(message.contains("101"), "says how many nodes were reached: {message}");
    assert!(o.stderr.is_empty());
    // When a smaller instance fits, the advice names it.
    let o = gilcheck(&["graph", "models/race_condition.py", "--set", "N=3", "--format", "dot"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("--set N=2 fits"), "{stderr}");
}

#[test]
fn interleaving_tree_has_one_leaf_per_interleaving() {
    let m = Model::from_source(
        "tiny.py",
        "import threading\nx = 0\ndef f():\n    global x\n    x = x + 1\nt = threading.Thread(target=f)\nt.start()\nx = 5\nt.join()\n",
    )
    .unwrap();
    let report = m.checker().strategy(Strategy::Enumerate).all_outcomes(true).check();
    let g = graph::tree(m.explorable(), &Options::with_max_nodes(100_000)).unwrap();
    let leaves = g.terminal_nodes().count() as u64;
    assert_eq!(leaves, report.stats.executions);
    assert_eq!(g.edge_count() as u64, report.stats.transitions);
    assert_eq!(g.node_count(), g.edge_count() + 1, "a tree");
    let outcomes: BTreeSet<String> = g.terminal_nodes().map(|(_, n)| n.attr("globals").unwrap().text()).collect();
    assert_eq!(outcomes.len(), report.outcomes.len());
    assert!(matches!(
        graph::tree(m.explorable(), &Options::with_max_nodes(1000)),
        Err(GraphError::TooLarge { total: graph::Total::Exactly(n), .. }) if n == report.stats.transitions + 1
    ));
}

#[test]
fn binary_writes_each_format() {
    // DOT on stdout, highlighted, rendered by Graphviz.
    let o = gilcheck(&["graph", "models/race_condition.py", "--set", "N=1", "--format", "dot", "--highlight"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let dot = String::from_utf8(o.stdout).unwrap();
    assert!(dot.starts_with("digraph") && dot.contains("penwidth=2.5"));
    renders_with_dot(&dot, "cli-states");

    // JSON to a file: the counterexample's steps are highlighted.
    let path = temp("states.json");
    let o = gilcheck(&[
        "graph",
        "models/race_condition.py",
        "--set",
        "N=1",
        "--format",
        "json",
        "--highlight",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.is_empty());
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let m = model("models/race_condition.py", 1);
    let cex = m.checker().check().counterexample.unwrap();
    let lit = json["links"].as_array().unwrap().iter().filter(|l| l["highlight"] == true).count() as u64;
    assert_eq!(lit, cex.schedule.len());
    assert_eq!(json["graph"]["kind"], "states");

    // GraphML of the trace graph of a given schedule.
    let path = temp("trace.graphml");
    let schedule = cex.schedule.to_string();
    let o = gilcheck(&[
        "graph",
        "models/race_condition.py",
        "--set",
        "N=1",
        "--kind",
        "trace",
        "--schedule",
        &schedule,
        "--format",
        "graphml",
        "--highlight",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&path).unwrap();
    let (nodes, edges, _) = parse_graphml(&text);
    let g = graph::trace(m.explorable(), Some(&cex.schedule), &Options::default()).unwrap();
    assert_eq!((nodes, edges), (g.node_count(), g.edge_count()));
    assert!(text.contains(&format!(">{schedule}</data>")));

    // The interleaving tree of a tiny program, as DOT that renders.
    let o = gilcheck(&["graph", "models/small/race_once.py", "--kind", "tree", "--format", "dot", "--max-nodes", "50"]);
    assert_eq!(o.status.code(), Some(3), "race_once's tree is large");
    let tiny = temp("tiny.py");
    std::fs::write(
        &tiny,
        "import threading\ndef f():\n    pass\nt = threading.Thread(target=f)\nt.start()\nt.join()\n",
    )
    .unwrap();
    let o = gilcheck(&["graph", tiny.to_str().unwrap(), "--kind", "tree", "--format", "dot"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    renders_with_dot(&String::from_utf8(o.stdout).unwrap(), "cli-tree");
}

#[test]
fn binary_refuses_a_schedule_that_does_not_fit() {
    let o = gilcheck(&[
        "graph",
        "models/race_condition.py",
        "--set",
        "N=1",
        "--kind",
        "trace",
        "--schedule",
        "0x3,5",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("a JSON error object");
    let message = v["error"]["message"].as_str().unwrap_or_default().to_string();
    assert_eq!(o.status.code(), Some(2), "{message}");
    assert!(message.contains("does not fit") && message.contains("step 4"), "{message}");
    let o = gilcheck(&["graph", "models/race_condition.py", "--schedule", "zz", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
}

/// The trace graph of a model that holds is the run without preemptions.
#[test]
fn trace_of_a_program_that_holds_is_the_run_without_preemptions() {
    let m: Model = model("models/safe_deposit.py", 1);
    let py: &PyModel = m.explorable();
    let g = graph::trace(py, None, &Options::default()).unwrap();
    assert_eq!(g.attr("preemptions"), Some(&Attr::Int(0)));
    assert_eq!(g.attr("status"), Some(&Attr::Str("final".into())));
    let o = gilcheck(&["graph", "models/safe_deposit.py", "--set", "N=1", "--kind", "trace", "--format", "dot"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no counterexample"));
    renders_with_dot(&String::from_utf8(o.stdout).unwrap(), "cli-trace");
}

/// Under a CPython switch model a thread that may not move only because another holds the GIL
/// between two switch points is labelled so, not as blocked; under `bytecode` no thread ever
/// waits for the GIL, and a thread blocked in `join()` is blocked under both.
#[test]
fn state_labels_tell_waiting_for_the_gil_from_blocking() {
    let labels = |m: &Model| -> Vec<String> {
        let g = states(m);
        g.graph.node_indices().map(|i| g.graph[i].label.clone()).collect()
    };
    let on_311 = labels(&model("models/race_condition.py", 1).with_switch(gilcheck::SwitchModel::Cpython311).unwrap());
    assert!(on_311.iter().any(|l| l.contains("(waits for the GIL)")), "{on_311:?}");
    assert!(on_311.iter().any(|l| l.contains("main:") && l.contains("(blocked)")), "{on_311:?}");
    let plain = labels(&model("models/race_condition.py", 1));
    assert!(!plain.iter().any(|l| l.contains("waits for the GIL")), "{plain:?}");
    assert!(plain.iter().any(|l| l.contains("(blocked)")), "{plain:?}");
}
