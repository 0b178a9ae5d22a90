//! Explained counterexamples, colour, the SVG timeline, and snapshots of the text timeline and
//! explanation of every model (`cargo test --release --test it explain`; accept changed
//! snapshots with `INSTA_UPDATE=always` or `cargo insta accept`).

use gilcheck::report::{self, Style};
use gilcheck::Status;
use gilcheck::{trace, Model};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn gilcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gilcheck")).args(args).env("NO_COLOR", "1").output().expect("run gilcheck")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(args: &[&str]) -> Value {
    let o = gilcheck(args);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gilcheck-explain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Replaces the timing-dependent numbers: the `stats:` line and the seconds in `note:` lines.
fn normalise(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        let indent = &line[..line.len() - t.len()];
        if t.starts_with("stats:") {
            out.push_str(&format!("{indent}stats: [normalised]\n"));
            continue;
        }
        if t.starts_with("note:") {
            let words: Vec<&str> = line.split(' ').collect();
            let fixed: Vec<&str> = words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let next = words.get(i + 1).map_or("", |n| n.trim_end_matches([';', ',', '.']));
                    if next == "s" && w.parse::<f64>().is_ok() {
                        "[seconds]"
                    } else {
                        w
                    }
                })
                .collect();
            out.push_str(&fixed.join(" "));
            out.push('\n');
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn racy_explanation_at_full_n_names_line_value_and_lost_updates_that_agree_with_the_final_state() {
    let n: i64 = 1_000_000;
    let v = json(&["check", "models/race_condition.py", "--format", "json"]);
    let c = &v["counterexample"];
    assert_eq!(c["kind"], "assertion");
    let e = &c["explanation"];
    let l = &e["lost_update"];
    assert_eq!(l["global"], "balance");
    assert_eq!(l["read"]["line"], 11);
    assert_eq!(l["write"]["line"], 11);
    let read = l["read"]["value"].as_i64().unwrap();
    let written = l["write"]["value"].as_i64().unwrap();
    assert_eq!(written, read + 1, "balance += 1 writes what it read plus one");
    let lost = l["overwritten"].as_i64().unwrap();
    let by: i64 = l["by"].as_array().unwrap().iter().map(|b| b["writes"].as_i64().unwrap()).sum();
    assert_eq!(by, lost);
    let final_balance = c["state"]["globals"]["balance"].as_i64().unwrap();
    assert_eq!(final_balance, 2 * n - lost, "every update but the overwritten ones lands");
    // The sentence says the same, and the assert's values are shown.
    let text: Vec<&str> = e["text"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    let sentence = text.iter().find(|s| s.starts_with("lost update:")).unwrap();
    let thousands = |x: i64| report::thousands(x as u64);
    for want in [
        format!("read balance = {read} at line 11"),
        format!("wrote balance {} times", thousands(lost)),
        format!("wrote balance = {written} at line 11"),
        format!("overwriting {} updates", thousands(lost)),
    ] {
        assert!(sentence.contains(&want), "{want:?} in {sentence:?}");
    }
    assert!(text.iter().any(|s| s.contains(&format!("balance = {final_balance}, N = {n}"))), "{text:?}");
    // Existing keys are unchanged.
    for key in ["kind", "message", "schedule", "preemptions", "state", "steps"] {
        assert!(!c[key].is_null(), "{key}");
    }
}

#[test]
fn check_text_shows_the_explanation_under_the_counterexample() {
    let out = stdout(&gilcheck(&["check", "models/race_condition.py", "--set", "N=2"]));
    let replay = out.find("  replay:").unwrap();
    let expl = out.find("  explanation:").unwrap();
    assert!(replay < expl, "{out}");
    assert!(out.contains("    lost update: T2 read balance = 0 at line 11"), "{out}");
    assert!(out.contains("overwriting 2 updates"), "{out}");
    assert!(out.contains("    values at line 19: balance = 2, N = 2"), "{out}");
}

#[test]
fn deadlock_explanation_names_both_locks_both_threads_and_the_lines() {
    let out = stdout(&gilcheck(&["check", "models/deadlock.py"]));
    let line =
        out.lines().find(|l| l.trim_start().starts_with("deadlock: T1 waits at")).unwrap_or_else(|| panic!("{out}"));
    for want in [
        "T1 waits at line 13 for lock_b, which T2 took at line 19",
        "T2 waits at line 20 for lock_a, which T1 took at line 12",
        "each waits for the other",
    ] {
        assert!(line.contains(want), "{want:?} in {line:?}");
    }
    assert!(out.contains("also: main waits at line 28 to join T1"), "{out}");
    let v = json(&["check", "models/deadlock.py", "--format", "json"]);
    let cycle = v["counterexample"]["explanation"]["deadlock"]["cycle"].as_array().unwrap().clone();
    let got: Vec<(i64, &str, i64, i64)> = cycle
        .iter()
        .map(|w| {
            (
                w["thread"].as_i64().unwrap(),
                w["lock"].as_str().unwrap(),
                w["line"].as_i64().unwrap(),
                w["taken_at_line"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [(1, "lock_b", 13, 19), (2, "lock_a", 20, 12)]);
}

#[test]
fn assertion_explanation_shows_the_values_the_assert_names() {
    let out = stdout(&gilcheck(&["check", "models/check_then_act.py"]));
    assert!(out.contains("values at line 21: tickets = -1, sold = 2"), "{out}");
    assert!(out.contains("stale read: T2 read tickets = 1 at line 10"), "{out}");
    let out = stdout(&gilcheck(&["trace", "models/race_condition.py", "--set", "N=3"]));
    assert!(out.contains("values at line 19: balance = "), "{out}");
    let v =
        json(&["check", "models/race_condition.py", "--set", "N=2", "--expect", "balance == 4", "--format", "json"]);
    let values = &v["counterexample"]["explanation"]["values"];
    assert!(!values.is_null(), "{v}");
}

#[test]
fn piped_or_no_color_output_has_no_ansi_escapes_and_colour_has_them() {
    for no_color in [false, true] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gilcheck"));
        cmd.args(["check", "models/race_condition.py", "--set", "N=2"]);
        if no_color {
            cmd.env("NO_COLOR", "1");
        } else {
            cmd.env_remove("NO_COLOR");
        }
        let out = stdout(&cmd.output().unwrap());
        assert!(out.contains("explanation:"), "{out}");
        assert!(!out.contains('\x1b'), "{out:?}");
    }
    let m = Model::from_file("models/race_condition.py").unwrap().with_set("N", "2").unwrap();
    let c = m.checker().check().counterexample.unwrap();
    let t = trace::replay(m.explorable(), &c.schedule).unwrap();
    let e = report::explain(&t, m.source());
    assert!(e.render("", Style { color: true }).contains("\x1b[1;31mlost update:\x1b[0m"));
    assert!(!e.render("", Style { color: false }).contains('\x1b'));
}

/// The lanes of an SVG timeline: the ids of its `rect class="lane …"` elements.
fn lanes(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("class").is_some_and(|c| c.split(' ').any(|w| w == "lane")))
        .map(|n| n.attribute("id").unwrap_or("").to_string())
        .collect()
}

#[test]
fn svg_timeline_is_well_formed_self_contained_with_one_lane_per_thread() {
    let path = temp("race.svg");
    let o = gilcheck(&["trace", "models/race_condition.py", "--set", "N=3", "--svg", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let text = std::fs::read_to_string(&path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("not well-formed: {e}"));
    assert!(doc.root_element().has_tag_name(("http://www.w3.org/2000/svg", "svg")));
    assert_eq!(lanes(&doc), ["lane-main", "lane-T1", "lane-T2"]);
    for banned in ["<script", "href", "@import", "@font-face", "http://www.w3.org/1999/xlink"] {
        assert!(!text.contains(banned), "{banned}");
    }
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.iter().any(|t| t.contains("lost update: overwrites 3 updates of T1")), "{texts:?}");
    assert!(doc.descendants().any(|n| n.attribute("class").is_some_and(|c| c.contains("lostmark"))));
    // Arrows from writes to the reads that see them.
    assert!(doc.descendants().filter(|n| n.attribute("class") == Some("arrow")).count() >= 3);
    // The deadlock: one lane per thread as well, the waits marked.
    let path = temp("deadlock.svg");
    gilcheck(&["trace", "models/deadlock.py", "--svg", path.to_str().unwrap()]);
    let text = std::fs::read_to_string(&path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(lanes(&doc).len(), 3);
    assert!(text.contains("waits for lock_b (held by T2) at line 13"), "{text}");
}

#[test]
fn svg_compresses_a_million_iterations_into_one_box() {
    let m = Model::from_file("models/race_condition.py").unwrap();
    let s = "0x41,2x11,1x7000009,2x6999998,0x35".parse().unwrap();
    let t = trace::replay(m.explorable(), &s).unwrap();
    assert!(matches!(t.status, Status::Violation(_)));
    let svg = report::render_svg(&t, m.source(), &report::explain(&t, m.source()));
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.contains(&"… 999,999 iterations …"), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("overwrites 1,000,000 updates of T1")), "{texts:?}");
    assert!(svg.len() < 200_000, "{} bytes", svg.len());
}

#[test]
fn the_docs_example_svg_is_well_formed() {
    let text = std::fs::read_to_string("docs/race_condition.svg").unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(lanes(&doc).len(), 3);
}

#[track_caller]
fn snapshot_of(args: &[&str]) -> String {
    let o = gilcheck(args);
    assert!(o.stderr.is_empty() || !String::from_utf8_lossy(&o.stderr).contains("panicked"));
    normalise(&stdout(&o))
}

#[test]
fn snapshot_race_condition_trace() {
    let args = ["trace", "models/race_condition.py", "--set", "N=2", "--schedule", "0x41,2x11,1x23,2x12,0x35"];
    insta::assert_snapshot!("race_condition_n2_trace", snapshot_of(&args));
}

#[test]
fn snapshot_safe_deposit_check() {
    insta::assert_snapshot!("safe_deposit_n2_check", snapshot_of(&["check", "models/safe_deposit.py", "--set", "N=2"]));
}

#[test]
fn snapshot_deadlock_trace() {
    let args = ["trace", "models/deadlock.py", "--schedule", "0x54,2x5,1x5"];
    insta::assert_snapshot!("deadlock_trace", snapshot_of(&args));
}

#[test]
fn snapshot_check_then_act_trace() {
    let args = ["trace", "models/check_then_act.py", "--schedule", "0x41,2x5,1x15,2x10,0x22"];
    insta::assert_snapshot!("check_then_act_trace", snapshot_of(&args));
}

#[test]
fn snapshot_threading_demo() {
    // Both downloads start, sleep, and finish in turn; main prints last.
    let args = ["trace", "models/threading_demo.py", "--schedule", "0x43,1x14,2x14,1x11,2x11,0x15"];
    insta::assert_snapshot!("threading_demo_trace", snapshot_of(&args));
    insta::assert_snapshot!("threading_demo_check", snapshot_of(&["check", "models/threading_demo.py"]));
}

#[test]
fn normalise_strips_timings() {
    let text = "  note: a search found no violation in 0.02 s; then x\n  stats: 1 state, 0.001 s\nkeep 1.5 s\n";
    assert_eq!(
        normalise(text),
        "  note: a search found no violation in [seconds] s; then x\n  stats: [normalised]\nkeep 1.5 s\n"
    );
}
