//! Switch models: where each CPython version can switch threads, and what that proves.
//!
//! - The seed's racy `balance += 1` loop is violated under `bytecode` and `cpython-3.9` and proved
//!   to end with 2N under 3.10–3.13 at the full N = 1,000,000 (no switch point lies between its
//!   LOAD_GLOBAL and STORE_GLOBAL there).
//! - `balance = balance + one()` loses updates under every model (one()'s entry is a switch point).
//! - Fewer switch points never add behaviour: on random programs (`GenConfig::tiny()`, and
//!   `tiny_rich()` with heap objects, calls and more synchronisation) the outcomes under 3.11 lie
//!   within those under 3.10, within 3.9, within `bytecode`; 3.11, 3.12 and 3.13 agree exactly.
//! - `dis --switch` marks the check sites; `check --switch all` explains the difference.

use crate::gen::{self, GenConfig, GenProgram};
use gilcheck::bytecode::{switch_marks, SwitchKind};
use gilcheck::SwitchModel;
use gilcheck::{trace, Model};
use gilcheck::{FindingKind, Limits, Outcome, Reduction, Report, Strategy, Verdict};
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::collections::BTreeSet;
use std::process::Command;

fn model(path: &str, n: u32, m: SwitchModel) -> Model {
    Model::from_file(path).unwrap().with_set("N", &n.to_string()).unwrap().with_switch(m).unwrap()
}

fn balances(m: &Model) -> BTreeSet<i128> {
    let r = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    assert!(r.exhaustive, "{r:?}");
    r.int_values("balance")
}

const SPARSE: [SwitchModel; 4] =
    [SwitchModel::Cpython310, SwitchModel::Cpython311, SwitchModel::Cpython312, SwitchModel::Cpython313];

#[test]
fn racy_seed_is_proved_at_full_n_on_3_10_to_3_13() {
    for m in SPARSE {
        let r = model("models/race_condition.py", 1_000_000, m).checker().reduction(Reduction::Full).check();
        assert_eq!(r.verdict, Verdict::Holds, "{m}: {r:?}");
        assert!(r.exhaustive, "{m}");
        assert_eq!(r.stats.executions, 1, "{m}: one execution represents every interleaving");
        let names: Vec<&str> = r.reductions.iter().map(|n| n.name.as_str()).collect();
        assert!(names.contains(&"switch-model") && names.contains(&"commutativity"), "{m}: {names:?}");
    }
}

#[test]
fn racy_seed_loses_updates_at_full_n_under_bytecode_and_3_9() {
    for m in [SwitchModel::Bytecode, SwitchModel::Cpython39] {
        let model = model("models/race_condition.py", 1_000_000, m);
        // The bounded search itself (under 3.9 it runs 224,000,864 steps, about 15 s of CPU),
        // not `auto`, whose bounded phase has a wall-clock cap that a loaded machine can reach.
        let r = model.checker().strategy(Strategy::Bounded { max_bound: 1 }).check();
        let c = r.assert_violated(FindingKind::Assertion);
        assert_eq!(c.preemptions, 1, "{m}");
        let t = trace::replay(model.explorable(), &c.schedule).unwrap();
        let balance = model.program().global_slot("balance").unwrap();
        assert_eq!(t.state.globals[balance as usize].repr(), "1000000", "{m}");
    }
}

#[test]
fn racy_outcomes_per_model() {
    for (m, want) in [
        (SwitchModel::Bytecode, vec![2, 3, 4]),
        (SwitchModel::Cpython39, vec![2, 3, 4]),
        (SwitchModel::Cpython310, vec![4]),
        (SwitchModel::Cpython311, vec![4]),
        (SwitchModel::Cpython312, vec![4]),
        (SwitchModel::Cpython313, vec![4]),
    ] {
        assert_eq!(balances(&model("models/race_condition.py", 2, m)), want.into_iter().collect(), "{m}");
    }
}

#[test]
fn call_in_update_loses_updates_under_every_model() {
    for &m in SwitchModel::ALL {
        // Two threads, N updates each: every total from 2 to 2N.
        assert_eq!(balances(&model("models/switch/call_in_update.py", 3, m)), (2..=6).collect(), "{m}");
        let r = model("models/switch/call_in_update.py", 1000, m).checker().check();
        r.assert_violated(FindingKind::Assertion);
    }
}

#[test]
fn lock_order_deadlock_needs_a_switch_between_the_two_acquires() {
    // 3.9 can switch right after `with lock_b:` acquired; 3.10+ run from that acquire to the next
    // one holding the GIL, so the opposite lock orders cannot deadlock there.
    for (m, deadlocks) in [
        (SwitchModel::Bytecode, true),
        (SwitchModel::Cpython39, true),
        (SwitchModel::Cpython310, false),
        (SwitchModel::Cpython311, false),
        (SwitchModel::Cpython312, false),
        (SwitchModel::Cpython313, false),
    ] {
        let model = Model::from_file("models/deadlock.py").unwrap().with_switch(m).unwrap();
        for level in [Reduction::None, Reduction::Por, Reduction::Atomic, Reduction::Full] {
            let r = model.checker().strategy(Strategy::Stateful).reduction(level).check();
            if deadlocks {
                r.assert_violated(FindingKind::Deadlock);
            } else {
                assert!(r.exhaustive, "{m} {level:?}");
                assert_eq!(r.verdict, Verdict::Holds, "{m} {level:?}: {r:?}");
            }
        }
    }
}

#[test]
fn a_schedule_that_switches_where_the_model_forbids_does_not_replay() {
    let bytecode = model("models/race_condition.py", 3, SwitchModel::Bytecode);
    let c = bytecode.checker().check().counterexample().cloned().expect("violated under bytecode");
    let on_311 = model("models/race_condition.py", 3, SwitchModel::Cpython311);
    let err = trace::replay(on_311.explorable(), &c.schedule).unwrap_err();
    assert!(err.reason.contains("cannot move") || err.reason.contains("T"), "{err}");
    let gap = trace::find_gap(bytecode.explorable(), &c.schedule, SwitchModel::Cpython311).unwrap().expect("a gap");
    let shared: Vec<&str> = gap.shared.iter().map(|s| s.instr.as_str()).collect();
    assert_eq!(shared, ["LOAD_GLOBAL balance", "STORE_GLOBAL balance"]);
    assert_eq!(gap.next_point.as_ref().map(|p| p.instr.as_str()), Some("JUMP_BACKWARD to 6"));
    assert_eq!(gap.next_point.as_ref().and_then(|p| p.why.as_deref()), Some("loop back-edge"));
}

#[test]
fn static_switch_marks_of_the_racy_loop() {
    let m = model("models/race_condition.py", 3, SwitchModel::Bytecode);
    let p = m.program();
    let deposit = p.codes.iter().position(|c| c.name == "deposit").unwrap() as u32;
    let marks = |model| -> Vec<(String, &'static str)> {
        switch_marks(p, model)
            .into_iter()
            .filter(|k| k.code == deposit)
            .map(|k| (p.code(deposit).instrs[k.pc as usize].opname().to_string(), k.kind.name()))
            .collect()
    };
    let want_311 =
        vec![("RESUME".to_string(), "entry"), ("CALL".to_string(), "call"), ("JUMP_BACKWARD".to_string(), "back-edge")];
    for m in [SwitchModel::Cpython311, SwitchModel::Cpython312, SwitchModel::Cpython313, SwitchModel::Cpython310] {
        assert_eq!(marks(m), want_311, "{m}");
    }
    // 3.9: every instruction but those right after LOAD_CONST, LOAD_FAST, STORE_FAST, ….
    let k39 = marks(SwitchModel::Cpython39);
    assert!(k39.iter().all(|(_, k)| *k == SwitchKind::Instr.name()));
    let ops: Vec<&str> = k39.iter().map(|(o, _)| o.as_str()).collect();
    assert!(ops.contains(&"STORE_GLOBAL") && ops.contains(&"LOAD_CONST"), "{ops:?}");
    assert!(!ops.contains(&"BINARY_OP"), "BINARY_OP follows LOAD_CONST (FAST_DISPATCH): {ops:?}");
    assert_eq!(switch_marks(p, SwitchModel::Bytecode).len(), p.codes.iter().map(|c| c.instrs.len()).sum::<usize>());
}

fn gilcheck(args: &[&str]) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_gilcheck")).args(args).env("NO_COLOR", "1").output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn check_switch_all_prints_one_line_per_model_and_why_they_differ() {
    let (code, out) = gilcheck(&["check", "models/race_condition.py", "--switch", "all", "--set", "N=100"]);
    assert_eq!(code, 1, "{out}");
    for (m, v) in [
        ("bytecode", "VIOLATED"),
        ("cpython-3.9", "VIOLATED"),
        ("cpython-3.10", "HOLDS"),
        ("cpython-3.11", "HOLDS"),
        ("cpython-3.12", "HOLDS"),
        ("cpython-3.13", "HOLDS"),
    ] {
        assert!(out.lines().any(|l| l.trim_start().starts_with(m) && l.contains(v)), "{m} {v}:\n{out}");
    }
    assert!(out.contains("why the verdicts differ"), "{out}");
    assert!(
        out.contains("in between it runs LOAD_GLOBAL balance (line 11), STORE_GLOBAL balance (line 11) atomically"),
        "{out}"
    );
    assert!(out.contains("its next is JUMP_BACKWARD to 6 at line 11 (loop back-edge)"), "{out}");
    let (code, out) = gilcheck(&["check", "models/switch/call_in_update.py", "--switch", "all", "--set", "N=5"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("cpython-3.11  away from T") && out.contains("RESUME at line 9 (function entry)"), "{out}");
    assert!(!out.contains("why the verdicts differ"), "{out}");
}

#[test]
fn check_switch_all_as_json() {
    let (code, out) =
        gilcheck(&["check", "models/race_condition.py", "--switch", "all", "--set", "N=50", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let models: Vec<(&str, &str)> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["switch_model"].as_str().unwrap(), m["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        models,
        [
            ("bytecode", "violated"),
            ("cpython-3.9", "violated"),
            ("cpython-3.10", "holds"),
            ("cpython-3.11", "holds"),
            ("cpython-3.12", "holds"),
            ("cpython-3.13", "holds")
        ]
    );
    let diffs = v["differences"].as_array().unwrap();
    assert_eq!(diffs.len(), 4, "{out}");
    for d in diffs {
        assert_eq!(d["counterexample_under"], "bytecode");
        let between: Vec<&str> =
            d["shared_steps_between"].as_array().unwrap().iter().map(|s| s["instr"].as_str().unwrap()).collect();
        assert_eq!(between, ["LOAD_GLOBAL balance", "STORE_GLOBAL balance"]);
        assert_eq!(d["next_switch_point"]["why"], "loop back-edge");
    }
    assert_eq!(v["preemptions"].as_array().unwrap().len(), 2);
}

#[test]
fn dis_switch_marks_the_check_sites() {
    let (code, out) = gilcheck(&["dis", "models/race_condition.py", "--switch", "cpython-3.11"]);
    assert_eq!(code, 0);
    let marked: Vec<&str> = out.lines().filter(|l| l.contains("[S]")).collect();
    assert!(marked.iter().any(|l| l.contains("JUMP_BACKWARD") && l.ends_with("# switch: loop back-edge")), "{out}");
    assert!(!marked.iter().any(|l| l.contains("STORE_GLOBAL") || l.contains("LOAD_GLOBAL")), "{out}");
    let (code, err) = gilcheck(&["check", "models/race_condition.py", "--switch", "cpython-2.7"]);
    assert_eq!(code, 2, "{err}");
}

fn run(m: &Model) -> Option<Report> {
    let mut limits = Limits::default();
    limits.max_states = 500_000;
    let r = m.checker().strategy(Strategy::Stateful).limits(limits).all_outcomes(true).check();
    r.exhaustive.then_some(r)
}

fn behaviours(r: &Report) -> BTreeSet<Outcome> {
    r.outcomes().cloned().collect()
}

fn nested(p: &GenProgram) -> Result<(), TestCaseError> {
    let src = &p.source;
    let base = Model::from_source("gen.py", src.as_str()).map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
    let mut sets = Vec::new();
    for m in [SwitchModel::Bytecode, SwitchModel::Cpython39, SwitchModel::Cpython310, SwitchModel::Cpython311] {
        let r = run(&base.clone().with_switch(m).unwrap());
        prop_assume!(r.is_some());
        sets.push((m, behaviours(&r.unwrap())));
    }
    for w in sets.windows(2) {
        let ((wide, a), (narrow, b)) = (&w[0], &w[1]);
        prop_assert!(
            b.is_subset(a),
            "{narrow} has outcomes {wide} lacks: {:?}\n{src}",
            b.difference(a).collect::<Vec<_>>()
        );
    }
    let (_, s311) = &sets[3];
    for m in [SwitchModel::Cpython312, SwitchModel::Cpython313] {
        let r = run(&base.clone().with_switch(m).unwrap()).expect("as small as under 3.11");
        prop_assert_eq!(&behaviours(&r), s311, "{} differs from cpython-3.11\n{}", m, src);
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: 300, max_global_rejects: 100_000, ..Config::default() })]

    #[test]
    fn fewer_switch_points_never_add_outcomes(p in gen::program_meta(GenConfig::tiny())) {
        nested(&p)?;
    }
}

proptest! {
    #![proptest_config(Config {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000),
        max_global_rejects: 100_000,
        ..Config::default()
    })]

    /// The same on programs with lists, dicts, objects, `@property`, helper calls, builtins,
    /// `try`/`finally`, RLocks and semaphores, where calls and getters add switch points.
    #[test]
    fn fewer_switch_points_never_add_outcomes_on_rich_programs(p in gen::program_meta(GenConfig::tiny_rich())) {
        nested(&p)?;
    }
}

/// 3.11–3.13 specialise `len`, `isinstance` and `list.append` into calls without an eval-breaker
/// check only once a call site has warmed up; a cold site runs the generic CALL, which checks after
/// the call, and real 3.11–3.13 lose updates there (`models/cpython/warmup_*.py`, held against the
/// real interpreters in `cpython.rs`). No model may prove these programs, and each counterexample's
/// switch after such a call is marked as resting on warm-up.
#[test]
fn cold_call_sites_are_switch_points_under_3_11_to_3_13() {
    for (file, expect, call) in [
        ("models/cpython/warmup_len_unrolled.py", "x == 200", "len()"),
        ("models/cpython/warmup_isinstance_unrolled.py", "x == 200", "isinstance()"),
        ("models/cpython/warmup_append_unrolled.py", "wrong == 0", "()"),
        ("models/cpython/warmup_append_loop.py", "wrong == 0", "()"),
    ] {
        for m in [SwitchModel::Cpython311, SwitchModel::Cpython312, SwitchModel::Cpython313] {
            let model = Model::from_file(file).unwrap().with_switch(m).unwrap().with_expect(expect).unwrap();
            let r = model.checker().check();
            let c = r.assert_violated(FindingKind::Expect);
            assert_eq!(c.preemptions, 1, "{file} under {m}");
            let warm = trace::warm_up_preemptions(model.explorable(), &c.schedule).unwrap();
            assert_eq!(warm.len(), 1, "{file} under {m}: {warm:?}");
            let (_, step) = &warm[0];
            assert_eq!(step.instr, "CALL", "{file} under {m}");
            let why = step.why.as_deref().unwrap();
            assert!(why.contains(call) && why.contains("while this call site is cold"), "{file} under {m}: {why}");
        }
    }
}

#[test]
fn check_switch_all_says_which_verdicts_rest_on_warm_up() {
    let (code, out) =
        gilcheck(&["check", "models/cpython/warmup_len_unrolled.py", "--switch", "all", "--expect", "x == 200"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.lines().all(|l| !l.contains("HOLDS")), "{out}");
    let section = out.split("verdicts that rest on warm-up:\n").nth(1).unwrap_or_else(|| panic!("{out}"));
    let rows: Vec<&str> = section.lines().take_while(|l| l.starts_with("  ")).collect();
    let models: Vec<&str> = rows.iter().map(|l| l.split_whitespace().next().unwrap()).collect();
    assert_eq!(models, ["cpython-3.11", "cpython-3.12", "cpython-3.13"], "{out}");
    assert!(rows.iter().all(|l| l.contains("right after CALL at line 14") && l.contains("call site is cold")), "{out}");
    let (code, out) = gilcheck(&[
        "check",
        "models/cpython/warmup_len_unrolled.py",
        "--switch",
        "all",
        "--expect",
        "x == 200",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let warm: Vec<&str> =
        v["warm_up"].as_array().unwrap().iter().map(|w| w["switch_model"].as_str().unwrap()).collect();
    assert_eq!(warm, ["cpython-3.11", "cpython-3.12", "cpython-3.13"], "{out}");
    assert!(v["warm_up"].as_array().unwrap().iter().all(|w| w["after"]["line"] == 14), "{out}");
}
