//! Limits that hold: `--max-states`, `--max-time` and `--max-memory` stop every command with
//! exit 3, name the limit, say what was covered and which flag to raise, and are not overrun
//! (states by 1%, time by a second, memory by 10%).

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn gilcheck(args: &[&str]) -> (Output, Duration) {
    let start = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_gilcheck")).args(args).env("NO_COLOR", "1").output().expect("run");
    (o, start.elapsed())
}

fn write_temp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gilcheck-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Runs a command that a limit must stop: exit 3, no panic, and `want` in its output.
#[track_caller]
fn stopped(args: &[&str], want: &[&str]) -> (Output, Duration) {
    let (o, took) = gilcheck(args);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(3), "{args:?}: {out}");
    assert!(!out.contains("panicked") && !out.contains("memory allocation of"), "{out}");
    for w in want {
        assert!(out.contains(w), "{args:?}: expected {w:?} in {out}");
    }
    (o, took)
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

/// Two threads each adding to a global N times without a lock: a large state space that the
/// plain searches cannot finish for N = 20 within 1,000 states.
const RACY: &str = "import threading\nx = 0\nN = 20\ndef w():\n    global x\n    for _ in range(N):\n        x = x + 1\nt1 = threading.Thread(target=w)\nt2 = threading.Thread(target=w)\nt1.start(); t2.start()\nt1.join(); t2.join()\nassert x <= 2 * N\n";

/// A list that one thread grows without end.
const GROW_LIST: &str = "import threading\nlst = []\ndef grow():\n    for i in range(1000000000):\n        lst.append(i)\nt = threading.Thread(target=grow)\nt.start()\nt.join()\n";

/// A string that doubles 100 times: a single step would build gigabytes.
const GROW_STR: &str = "import threading\ns = 'x'\ndef grow():\n    global s\n    for i in range(100):\n        s = s + s\nt = threading.Thread(target=grow)\nt.start()\nt.join()\n";

#[test]
fn max_states_stops_every_strategy_within_one_percent() {
    let p = write_temp("racy.py", RACY);
    let f = p.to_str().unwrap();
    let runs: [&[&str]; 7] = [
        &["check", f, "--reduction", "none"],
        &["check", f, "--reduction", "none", "--strategy", "stateful"],
        &["check", f, "--reduction", "none", "--strategy", "enumerate"],
        &["check", f, "--reduction", "none", "--strategy", "bounded"],
        &["outcomes", f],
        &["outcomes", f, "--count"],
        &["outcomes", f, "--strategy", "bounded"],
    ];
    for args in runs {
        let mut all = args.to_vec();
        all.extend(["--max-states", "1000", "--format", "json"]);
        let (o, _) = stopped(&all, &["\"verdict\":\"inconclusive\""]);
        let v = json(&o);
        assert_eq!(v["limit"]["name"], "max-states", "{args:?}: {v}");
        assert_eq!(v["limit"]["flag"], "--max-states");
        assert_eq!(v["limit"]["value"], 1000.0);
        let states = v["stats"]["states"].as_u64().unwrap();
        assert!((1000..=1010).contains(&states), "{args:?}: {states} states");
        assert!(v["limit"]["hint"].as_str().unwrap().contains("raise --max-states"), "{v}");
    }
    // The text names the limit, what was covered and how to go further.
    stopped(
        &["check", f, "--reduction", "none", "--strategy", "stateful", "--max-states", "1000"],
        &["INCONCLUSIVE", "stopped early: --max-states 1000 states reached", "covered:", "raise --max-states"],
    );
}

#[test]
fn max_time_stops_a_huge_search_within_a_second() {
    let huge = ["--set", "N=1000000000000000000"];
    let f = "models/variants/f_missing_join.py";
    for extra in [&["--reduction", "none"][..], &["--strategy", "enumerate", "--reduction", "none"][..], &[][..]] {
        let mut args = vec!["check", f, huge[0], huge[1], "--max-time", "1"];
        args.extend(extra);
        let (o, took) = gilcheck(&args);
        let out = text(&o);
        assert!(took < Duration::from_millis(2500), "{args:?} took {took:?}: {out}");
        // The reduced search may prove the violation in time; otherwise the time limit stops it,
        // or, on a fast machine, the depth of the stateless search first reaches half of its
        // stack, which stops it as a memory limit (exit 3 as well).
        match o.status.code() {
            Some(3) => assert!(
                (out.contains("--max-time 1 s") && out.contains("raise --max-time"))
                    || (out.contains("--max-memory") && out.contains("stopped early")),
                "{out}"
            ),
            Some(1) => assert!(out.contains("VIOLATED"), "{out}"),
            c => panic!("{args:?}: exit {c:?}: {out}"),
        }
    }
}

#[test]
fn max_time_stops_trace_graph_and_the_counterexample_replay() {
    let f = "models/variants/f_missing_join.py";
    let n = "N=1000000000000000000";
    // trace: the counterexample has 10^19 steps; its replay stops at the deadline.
    let (_, took) = stopped(&["trace", f, "--set", n, "--max-time", "1"], &["--max-time 1 s", "raise --max-time"]);
    assert!(took < Duration::from_millis(2500), "trace took {took:?}");
    // graph: the interleaving tree of a large program, with room for a billion nodes.
    let p = write_temp("racy_big.py", &RACY.replace("N = 20", "N = 100000"));
    let (_, took) = stopped(
        &[
            "graph",
            p.to_str().unwrap(),
            "--kind",
            "tree",
            "--format",
            "dot",
            "--max-nodes",
            "1000000000",
            "--max-time",
            "1",
        ],
        &["--max-time 1 s", "raise --max-time"],
    );
    assert!(took < Duration::from_millis(2500), "graph took {took:?}");
    // check: the violation stands, the explanation's replay is skipped at the deadline.
    let (o, took) =
        gilcheck(&["check", f, "--set", n, "--strategy", "stateful", "--max-time", "1", "--format", "json"]);
    assert!(took < Duration::from_millis(2500), "check took {took:?}");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(json(&o)["explanation_skipped"].as_str().unwrap().contains("--max-time"), "{}", text(&o));
}

#[test]
fn max_memory_stops_growing_values_under_the_ceiling() {
    for (name, src) in [("grow_list.py", GROW_LIST), ("grow_str.py", GROW_STR)] {
        let p = write_temp(name, src);
        let f = p.to_str().unwrap();
        for extra in [&[][..], &["--strategy", "enumerate"][..], &["--strategy", "stateful", "--reduction", "none"][..]]
        {
            let mut args = vec!["check", f, "--max-memory", "50", "--format", "json"];
            args.extend(extra);
            let (o, _) = stopped(&args, &["\"verdict\":\"inconclusive\""]);
            let v = json(&o);
            assert_eq!(v["limit"]["name"], "max-memory", "{name} {extra:?}: {v}");
            assert!(v["limit"]["hint"].as_str().unwrap().contains("raise --max-memory (now 50 MiB"), "{v}");
            let peak = v["stats"]["peak_bytes"].as_u64().unwrap();
            assert!(peak <= 55 << 20, "{name} {extra:?}: peak {} MiB", peak >> 20);
        }
        stopped(
            &["check", f, "--max-memory", "50"],
            &["INCONCLUSIVE", "--max-memory 50 MiB reached", "raise --max-memory"],
        );
        stopped(&["outcomes", f, "--max-memory", "50"], &["--max-memory 50 MiB reached", "raise --max-memory"]);
        stopped(&["trace", f, "--max-memory", "50"], &["--max-memory 50 MiB reached", "raise --max-memory"]);
    }
}

#[test]
fn graph_and_dis_take_the_limits() {
    let p = write_temp("grow_list_graph.py", GROW_LIST);
    let f = p.to_str().unwrap();
    stopped(
        &["graph", f, "--kind", "states", "--format", "json", "--max-nodes", "100000000", "--max-memory", "50"],
        &["--max-memory 50 MiB reached", "raise --max-memory"],
    );
    // dis of a 10,000-line program under a ceiling below what its compiled form needs.
    let mut big = String::from("import threading\n");
    for i in 0..10_000 {
        big.push_str(&format!("g{i} = {i}\n"));
    }
    let p = write_temp("many_globals.py", &big);
    let (o, took) = gilcheck(&["dis", p.to_str().unwrap(), "--max-time", "5"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(took < Duration::from_secs(6), "dis took {took:?}");
    stopped(&["dis", p.to_str().unwrap(), "--max-memory", "2"], &["--max-memory 2 MiB reached", "raise --max-memory"]);
}

/// Runs the binary under an address-space ceiling of `kib` KiB (`ulimit -v`), as a container or
/// a harness may impose one.
#[cfg(unix)]
fn gilcheck_under_ulimit(kib: u64, args: &[&str]) -> Output {
    Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_gilcheck"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run")
}

#[cfg(unix)]
#[test]
fn an_address_space_ceiling_ends_the_run_at_a_limit_not_in_a_crash_or_a_hang() {
    // Under 300 MB of address space a 1 GiB search stack cannot be had: the deep stateless
    // search runs on a smaller one and stops at its end (it used to overflow the stack and
    // abort). And an allocation that fails makes the emergency report, written while the
    // command's thread holds stdout (it used to wait on that lock forever).
    let file = "models/variants/d_cross_release.py";
    let stale = write_temp(
        "stale_read.py",
        "import threading\nN = 2000\nshared = 0\n\n\ndef work():\n    global shared\n    for _ in range(N):\n        \
         lock = threading.Lock()\n        local = shared\n        for _ in range(2):\n            pass\n        \
         shared = local + 1\n\n\nt1 = threading.Thread(target=work)\nt2 = threading.Thread(target=work)\n\
         t1.start()\nt2.start()\nt1.join()\nt2.join()\n",
    );
    let stale = stale.to_str().unwrap();
    for args in [
        vec!["check", file, "--strategy", "enumerate", "--max-memory", "512", "--max-time", "10"],
        vec!["check", stale, "--expect", "1", "--max-memory", "512", "--max-time", "10"],
    ] {
        let o = gilcheck_under_ulimit(300_000, &args);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {out}");
        assert!(out.contains("stopped early: --max-memory 512 MiB reached"), "{args:?}: {out}");
        assert!(!out.contains("overflowed") && !out.contains("panicked"), "{out}");
    }
}
