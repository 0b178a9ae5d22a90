//! The command line keeps its word: closed pipes, encodings, `--set` names, JSON errors, trace
//! replays of its own counterexamples, counts on the state graph, and limits that stop `--minimize`.

use super::cli::{gilcheck, stderr, stdout, write_temp};
use std::process::{Command, Stdio};

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gilcheck"))
        .args(["check", "models/race_condition.py", "--set", "N=2", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run gilcheck");
    // The reader goes away before anything is written, as `| head -c 0` would.
    drop(child.stdout.take());
    let o = child.wait_with_output().expect("wait");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{err}");
}

#[test]
fn a_file_that_is_not_utf8_gives_the_position_of_its_first_bad_byte() {
    let p = write_temp("latin1.py", "x = 1\n");
    std::fs::write(&p, b"x = 1\ny = 'caf\xe9'\n").unwrap();
    let file = p.to_str().unwrap();
    let o = gilcheck(&["check", file]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("{file}:2:9: the file is not valid UTF-8 (byte 0xe9)")), "{err}");
    assert!(err.contains("must be UTF-8 encoded"), "{err}");
}

#[test]
fn an_unknown_set_name_lists_the_constants_with_their_positions() {
    let o = gilcheck(&["check", "models/race_condition.py", "--set", "M=3"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--set M: models/race_condition.py has no module-level assignment `M = ...`"), "{err}");
    assert!(err.contains("the constants that can be set: N (models/race_condition.py:4:1)"), "{err}");
    let j = gilcheck(&["check", "models/race_condition.py", "--set", "M=3", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).expect("JSON error");
    assert_eq!(v["error"]["kind"], "unknown-set");
    assert_eq!(v["error"]["constants"][0]["name"], "N");
    assert_eq!(v["error"]["constants"][0]["line"], 4);
}

#[test]
fn json_errors_are_objects_on_stdout_with_the_same_exit_code() {
    let p = write_temp("syntax_json.py", "x = 1\nif x == :\n    pass\n");
    for cmd in ["check", "outcomes", "trace"] {
        let o = gilcheck(&[cmd, p.to_str().unwrap(), "--format", "json"]);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("a JSON error object");
        assert_eq!(v["error"]["kind"], "syntax", "{cmd}");
        assert_eq!(v["error"]["line"], 2, "{cmd}");
        assert!(v["error"]["column"].as_u64().is_some(), "{cmd}");
        assert!(v["error"]["file"].as_str().unwrap().ends_with("syntax_json.py"));
        assert!(stderr(&o).is_empty(), "{cmd}: {}", stderr(&o));
    }
}

#[test]
fn trace_replays_its_own_counterexample_when_a_thread_dies_at_start() {
    let cases = [
        (
            "target5.py",
            "import threading\nt = threading.Thread(target=5)\nt.start()\nt.join()\n",
            "TypeError: 'int' object is not callable",
        ),
        (
            "missing_arg.py",
            "import threading\ndef f(a):\n    pass\nt = threading.Thread(target=f)\nt.start()\nt.join()\n",
            "TypeError: f() missing 1 required positional argument: 'a'",
        ),
    ];
    for (name, text, want) in cases {
        let p = write_temp(name, text);
        let o = gilcheck(&["trace", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}{}", stdout(&o), stderr(&o));
        assert!(stdout(&o).contains(want), "{name}: {}", stdout(&o));
        assert!(!stderr(&o).contains("does not fit"), "{name}: {}", stderr(&o));
    }
}

#[test]
fn trace_json_is_json_when_the_program_holds() {
    let o = gilcheck(&["trace", "models/safe_deposit.py", "--set", "N=2", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["verdict"], "holds");
    assert!(v["trace"].is_null());
}

#[test]
fn trace_of_a_loop_that_never_ends_names_the_non_termination() {
    let p = write_temp("forever.py", "while True:\n    pass\n");
    let o = gilcheck(&["trace", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("nontermination: the run never terminates"), "{}", stdout(&o));
    let j = gilcheck(&["trace", p.to_str().unwrap(), "--format", "json"]);
    assert_eq!(j.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).expect("JSON");
    assert!(v["nontermination"]["repeats_after_step"].as_u64().is_some(), "{v}");
}

/// `(outcome line, count)` pairs of `outcomes --count` text output.
fn counts(out: &str) -> Vec<(String, String)> {
    out.lines()
        .filter_map(|l| {
            let (o, rest) = l.split_once("  [")?;
            Some((o.trim().to_string(), rest.trim_end_matches(" interleavings]").to_string()))
        })
        .collect()
}

#[test]
fn count_on_the_state_graph_equals_counting_one_by_one() {
    for name in ["race_once", "lock_order", "locked_once", "sleep_print"] {
        let file = format!("models/small/{name}.py");
        let graph = gilcheck(&["outcomes", &file, "--count"]);
        assert!(matches!(graph.status.code(), Some(0 | 1)), "{}", stderr(&graph));
        let one_by_one = gilcheck(&["outcomes", &file, "--count", "--strategy", "enumerate"]);
        let (a, b) = (counts(&stdout(&graph)), counts(&stdout(&one_by_one)));
        assert!(!a.is_empty(), "{}", stdout(&graph));
        assert_eq!(a, b, "{file}");
        // Asked for counts, the stateful search prints them too.
        let stateful = gilcheck(&["outcomes", &file, "--count", "--strategy", "stateful"]);
        assert_eq!(counts(&stdout(&stateful)), a, "{file}");
    }
}

#[test]
fn the_help_count_example_finishes_with_counts() {
    let start = std::time::Instant::now();
    let o = gilcheck(&["outcomes", "models/threading_demo.py", "--count", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(start.elapsed().as_secs() < 60, "took {:?}", start.elapsed());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let outcomes = v["outcomes"].as_array().expect("outcomes");
    assert_eq!(outcomes.len(), 6, "{v}");
    // Each output order's count; together they are every interleaving (≈ 1.75·10²²).
    let sum: u128 =
        outcomes.iter().map(|o| o["interleavings"].as_str().expect("a count").parse::<u128>().unwrap()).sum();
    assert_eq!(v["interleavings"].as_str(), Some(sum.to_string().as_str()), "{v}");
    assert_eq!(sum.to_string().len(), 23, "{sum}");
}

#[test]
fn minimize_stopped_by_a_limit_is_inconclusive() {
    // The search finds a witness, but the limit stops its certifying replay.
    let o = gilcheck(&["outcomes", "models/race_condition.py", "--minimize", "balance", "--max-time", "0.000001"]);
    assert_eq!(o.status.code(), Some(3), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("INCONCLUSIVE") && out.contains("--max-time 0.000001 s reached"), "{out}");
    assert!(out.contains("to go further: raise --max-time"), "{out}");
}
