//! The command line: exit codes, and clear errors with file:line:col on bad input.

use std::path::PathBuf;
use std::process::{Command, Output};

pub(crate) fn gilcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gilcheck")).args(args).env("NO_COLOR", "1").output().expect("run gilcheck")
}

pub(crate) fn write_temp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gilcheck-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[track_caller]
fn bad_input(name: &str, text: &str, want: &[&str]) {
    let p = write_temp(name, text);
    let o = gilcheck(&["check", p.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{name}: {err}");
    for w in want {
        assert!(err.contains(w), "{name}: expected {w:?} in {err:?}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn syntax_error_exits_2_with_position() {
    bad_input("syntax.py", "x = 1\nif x == :\n    pass\n", &["syntax.py:2:", "syntax error"]);
}

#[test]
fn a_base_class_that_is_not_the_programs_is_rejected_with_position() {
    bad_input(
        "cls.py",
        "import threading\n\nclass Worker(threading.Semaphore):\n    pass\n",
        &["cls.py:3:14", "this base class", "threading.Thread"],
    );
}

#[test]
fn async_def_is_rejected_with_position() {
    bad_input("asy.py", "x = 0\nasync def f():\n    pass\n", &["asy.py:2:1", "async"]);
}

#[test]
fn import_os_is_rejected_with_position() {
    bad_input("imp.py", "import threading\nimport os\n", &["imp.py:2:", "os", "threading"]);
}

#[test]
fn unknown_set_name_exits_2_and_lists_names() {
    let o = gilcheck(&["check", "models/race_condition.py", "--set", "M=3"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("--set M"), "{err}");
    assert!(err.contains("N"), "{err}");
}

#[test]
fn missing_file_exits_2() {
    let o = gilcheck(&["check", "models/no_such_file.py"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no_such_file.py"));
}

#[test]
fn exit_codes_follow_the_verdict() {
    let holds = gilcheck(&["check", "models/safe_deposit.py", "--set", "N=2"]);
    assert_eq!(holds.status.code(), Some(0), "{}", stdout(&holds));
    let violated = gilcheck(&["check", "models/race_condition.py", "--set", "N=2"]);
    assert_eq!(violated.status.code(), Some(1), "{}", stdout(&violated));
    let cut = gilcheck(&[
        "check",
        "models/safe_deposit.py",
        "--set",
        "N=40",
        "--strategy",
        "stateful",
        "--reduction",
        "none",
        "--max-states",
        "1000",
    ]);
    assert_eq!(cut.status.code(), Some(3), "{}", stdout(&cut));
    assert!(stdout(&cut).contains("INCONCLUSIVE"));
}

#[test]
fn json_report_has_the_stable_keys() {
    let o = gilcheck(&["check", "models/race_condition.py", "--set", "N=2", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for k in ["verdict", "switch_model", "exhaustive", "outcomes", "counterexample", "reductions", "stats"] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    assert_eq!(v["verdict"], "violated");
    assert_eq!(v["counterexample"]["kind"], "assertion");
    // The command that replays it, as the text report's `replay:` line gives it.
    let schedule = v["counterexample"]["schedule"].as_str().unwrap();
    let replay = format!("gilcheck trace models/race_condition.py --set N=2 --schedule {schedule}");
    assert_eq!(v["counterexample"]["replay"], replay.as_str());
    let text = gilcheck(&["check", "models/race_condition.py", "--set", "N=2"]);
    assert!(stdout(&text).contains(&format!("replay:   {replay}\n")), "{}", stdout(&text));
    for k in ["states", "transitions", "executions", "seconds", "peak_rss_bytes"] {
        assert!(v["stats"].get(k).is_some(), "missing stats.{k}");
    }
}

#[test]
fn trace_replays_a_schedule_and_refuses_one_that_does_not_fit() {
    let o = gilcheck(&["check", "models/race_condition.py", "--set", "N=2", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let schedule = v["counterexample"]["schedule"].as_str().unwrap().to_string();
    let t = gilcheck(&["trace", "models/race_condition.py", "--set", "N=2", "--schedule", &schedule]);
    assert_eq!(t.status.code(), Some(1), "{}", stderr(&t));
    assert!(stdout(&t).contains("violation assertion"), "{}", stdout(&t));
    // The same schedule does not fit a different N.
    let bad = gilcheck(&["trace", "models/race_condition.py", "--set", "N=1", "--schedule", &schedule]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("does not fit"), "{}", stderr(&bad));
}

#[test]
fn outcomes_lists_every_final_balance() {
    let o = gilcheck(&["outcomes", "models/race_condition.py", "--set", "N=2", "--vars", "balance"]);
    let out = stdout(&o);
    for b in 2..=4 {
        assert!(out.contains(&format!("balance = {b}")), "{out}");
    }
    assert!(out.contains("3 distinct outcomes"), "{out}");
}

/// `cli::run_with` runs a command line on given streams: the same report and exit code as the
/// binary, and the argument parser's errors on the given stderr.
#[test]
fn run_with_writes_to_the_given_streams() {
    let run = |args: &[&str], input: &[u8]| {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut reader = input;
        let mut io = gilcheck::cli::Io {
            stdin: &mut reader,
            stdout: &mut out,
            stderr: &mut err,
            terminal: gilcheck::cli::Terminal::default(),
        };
        let code = gilcheck::cli::run_with(std::iter::once("gilcheck").chain(args.iter().copied()), &mut io);
        (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
    };
    let args = ["check", "models/race_condition.py", "--set", "N=2"];
    let (code, out, err) = run(&args, b"");
    let binary = gilcheck(&args);
    // The same report but for the measurements (time, memory).
    let unmeasured =
        |s: &str| s.lines().filter(|l| !l.trim_start().starts_with("stats:")).collect::<Vec<_>>().join("\n");
    assert_eq!(
        (i32::from(code), unmeasured(&out)),
        (binary.status.code().unwrap(), unmeasured(&stdout(&binary))),
        "{err}"
    );
    assert!(out.contains("VIOLATED"), "{out}");
    let (code, out, err) = run(&["check", "--no-such-option"], b"");
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.starts_with("error: unexpected argument '--no-such-option'"), "{err}");
    let (code, out, _) = run(&["explore", "models/small/race_once.py"], b"threads\nquit\n");
    assert_eq!(code, 0);
    assert!(out.contains("> threads"), "{out}");
}

/// A reader that goes away (`gilcheck check ... | head -c 1`) ends the run quietly.
#[test]
fn closed_stdout_is_not_a_panic() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gilcheck"))
        .args(["check", "models/race_condition.py", "--set", "N=3", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(1), "{err}");
}

#[test]
fn a_reduction_with_a_strategy_that_applies_none_is_refused() {
    for strategy in ["enumerate", "bounded"] {
        let out = gilcheck(&["check", "models/small/race_once.py", "--strategy", strategy, "--reduction", "full"]);
        assert_eq!(out.status.code(), Some(2), "{strategy}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--reduction full applies to --strategy auto and stateful"), "{err}");
        // Without --reduction the strategy runs plain, as it always does.
        let out = gilcheck(&["check", "models/small/race_once.py", "--strategy", strategy]);
        assert_eq!(out.status.code(), Some(1), "{strategy}: {}", String::from_utf8_lossy(&out.stderr));
    }
    // The library says so in the report's notes instead.
    let m = gilcheck::Model::from_file("models/small/race_once.py").unwrap();
    let r = m
        .checker()
        .strategy(gilcheck::Strategy::Enumerate)
        .reduction(gilcheck::Reduction::Full)
        .all_outcomes(true)
        .check();
    assert_eq!(r.reduction, None);
    assert!(r.notes.iter().any(|n| n.contains("reduction full not applied")), "{:?}", r.notes);
}
