//! Extremes of a final value (`outcomes --minimize V` / `--maximize V`): the racy counter at full
//! N = 10⁶ reaches 2 (with 4 preemptions) and 2,000,000; at small N the extremes are the ends of
//! the exact outcome set; every witness replays on the plain interpreter.

use gilcheck::{extreme, Goal, Limits, Status, Strategy};
use gilcheck::{trace, Checker, Model};
use num_bigint::BigInt;
use std::collections::BTreeSet;
use std::process::{Command, Output};

fn gilcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gilcheck")).args(args).env("NO_COLOR", "1").output().expect("run gilcheck")
}

fn racy(n: Option<u32>) -> Model {
    let m = Model::from_file("models/race_condition.py").unwrap();
    match n {
        Some(n) => m.with_set("N", &n.to_string()).unwrap(),
        None => m,
    }
}

/// The exact set of final values of `var`, by the stateful search.
fn exact(m: &Model, var: &str) -> BTreeSet<i128> {
    let r = Checker::new(m.explorable()).strategy(Strategy::Stateful).all_outcomes(true).check();
    assert!(r.exhaustive, "stateful search was cut: {:?}", r.limit);
    r.int_values(var)
}

/// Replays the witness independently, with `gilcheck::trace`, and returns the final value of
/// `var` and the preemptions counted there.
fn replayed(m: &Model, e: &gilcheck::Extreme) -> (String, u32) {
    let t = trace::replay(m.explorable(), &e.schedule).expect("the witness replays");
    assert_ne!(t.status, Status::Running, "the witness schedule ends before the run does");
    let v = m.explorable().outcome(&t.state).global(&e.variable).expect("the variable is bound").to_string();
    (v, t.preemptions)
}

#[test]
fn racy_minimum_at_full_n_is_two_with_four_preemptions_and_replays() {
    let m = racy(None);
    let e = extreme(m.explorable(), "balance", Goal::Min, 4, &Limits::default()).unwrap();
    assert_eq!(e.value, BigInt::from(2));
    assert_eq!(e.preemptions, 4);
    assert!(e.certified && e.exhaustive);
    assert!(e.accelerated_loops > 0, "the solo loops were accelerated");
    // Bound by bound, as the theory says: 2N with none, N with 1–3, 2 with 4.
    let n = BigInt::from(1_000_000);
    let want: Vec<Option<BigInt>> =
        vec![Some(&n * 2), Some(n.clone()), Some(n.clone()), Some(n.clone()), Some(BigInt::from(2))];
    assert_eq!(e.best_by_bound, want);
    assert!(e.ending.contains("lost updates: balance is 2"), "{}", e.ending);
    assert!(e.steps > 14_000_000, "{} steps", e.steps);
    let (v, p) = replayed(&m, &e);
    assert_eq!((v.as_str(), p), ("2", 4));
}

#[test]
fn racy_maximum_at_full_n_is_two_n_without_preemptions() {
    let m = racy(None);
    let e = extreme(m.explorable(), "balance", Goal::Max, 4, &Limits::default()).unwrap();
    assert_eq!(e.value, BigInt::from(2_000_000));
    assert_eq!(e.preemptions, 0);
    assert!(e.certified);
    assert_eq!(e.ending, "every thread finished normally");
    let (v, p) = replayed(&m, &e);
    assert_eq!((v.as_str(), p), ("2000000", 0));
}

#[test]
fn racy_extremes_at_small_n_are_the_ends_of_the_exact_outcome_set() {
    for n in 2..=6 {
        let m = racy(Some(n));
        let all = exact(&m, "balance");
        let (lo, hi) = (*all.first().unwrap(), *all.last().unwrap());
        assert_eq!((lo, hi), (2, 2 * n as i128), "N = {n}");
        for (goal, want) in [(Goal::Min, lo), (Goal::Max, hi)] {
            let e = extreme(m.explorable(), "balance", goal, 4, &Limits::default()).unwrap();
            assert_eq!(e.value, BigInt::from(want), "N = {n}, {goal}");
            assert!(e.certified);
            let (v, p) = replayed(&m, &e);
            assert_eq!((v, p), (want.to_string(), e.preemptions), "N = {n}, {goal}");
        }
    }
}

#[test]
fn without_acceleration_the_search_falls_back_to_plain_bounded_search() {
    // No loop at all: check-then-act oversells one ticket.
    let m = Model::from_file("models/check_then_act.py").unwrap();
    let e = extreme(m.explorable(), "tickets", Goal::Min, 4, &Limits::default()).unwrap();
    assert_eq!(e.value, BigInt::from(-1));
    assert_eq!(e.preemptions, 1);
    assert_eq!(e.accelerated_loops, 0);
    let method = gilcheck::report::extreme_method(&e);
    assert!(method.starts_with("plain preemption-bounded search"), "{method}");
    assert_eq!(exact(&m, "tickets").first(), Some(&-1));
    let (v, p) = replayed(&m, &e);
    assert_eq!((v.as_str(), p), ("-1", 1));

    // A long loop whose iterations are not translations: stepped plainly, and said so.
    let src = "import threading\nx = 1\n\ndef f():\n    global x\n    for _ in range(6):\n        x = x * 2\n\nt1 = threading.Thread(target=f)\nt2 = threading.Thread(target=f)\nt1.start(); t2.start()\nt1.join(); t2.join()\n";
    let m = Model::from_source("doubling.py", src).unwrap();
    let all = exact(&m, "x");
    for (goal, want) in [(Goal::Min, *all.first().unwrap()), (Goal::Max, *all.last().unwrap())] {
        let e = extreme(m.explorable(), "x", goal, 4, &Limits::default()).unwrap();
        assert_eq!(e.value, BigInt::from(want), "{goal}");
        assert_eq!(e.accelerated_loops, 0);
        assert_eq!(e.rejected_loops.len(), 1);
        assert_eq!(e.rejected_loops[0].0, 6, "{:?}", e.rejected_loops);
        let (v, _) = replayed(&m, &e);
        assert_eq!(v, want.to_string());
    }
}

#[test]
fn unknown_variable_is_a_usage_error_that_names_the_globals() {
    let m = racy(Some(2));
    let err = extreme(m.explorable(), "balanse", Goal::Max, 4, &Limits::default()).unwrap_err().to_string();
    assert!(err.contains("no global 'balanse'") && err.contains("balance"), "{err}");
}

#[test]
fn cli_minimize_at_full_n_prints_a_certified_witness() {
    let o = gilcheck(&["outcomes", "models/race_condition.py", "--minimize", "balance", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["variable"], "balance");
    assert_eq!(v["goal"], "min");
    assert_eq!(v["value"], 2);
    assert_eq!(v["preemptions"], 4);
    assert_eq!(v["certified"], true);
    assert_eq!(v["bound"], 4, "the bound is 4 unless --max-preemptions is given");
    assert!(v["seconds"].as_f64().is_some());
    let schedule = v["schedule"].as_str().unwrap();
    assert_eq!(v["replay"], format!("gilcheck trace models/race_condition.py --schedule {schedule}"));

    let o = gilcheck(&["outcomes", "models/race_condition.py", "--set", "N=3", "--maximize", "balance"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(text.starts_with("models/race_condition.py: the maximum of balance is 6\n"), "{text}");
    assert!(text.contains("gilcheck trace models/race_condition.py --set N=3 --schedule "), "{text}");
    assert!(text.contains("certified:  yes"), "{text}");
    assert!(text.contains("exhaustive"), "{text}");
}

#[test]
fn cli_refuses_both_goals_and_unknown_variables() {
    let o = gilcheck(&["outcomes", "models/race_condition.py", "--minimize", "balance", "--maximize", "balance"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot be used with"));
    let o = gilcheck(&["outcomes", "models/race_condition.py", "--maximize", "nope"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--maximize nope") && err.contains("balance") && !err.contains("panicked"), "{err}");
}
