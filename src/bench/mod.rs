//! The benchmark suite behind `gilcheck bench`: the seed's programs at the sizes whose figures
//! we track (time to the first counterexample at N = 10⁶, the racy program under every CPython
//! switch model at N = 10⁶, state-space size and throughput of the stateful search), printed as
//! JSON so runs can be compared; and, with Spin on the PATH, the same questions asked of Spin
//! in the same run, with the ratios ([`spin`]).

pub mod spin;

use crate::explore::{Goal, Limits, Reduction, Strategy};
use crate::vm::SwitchModel;
use crate::Model;
use serde_json::{json, Value};
use std::time::Instant;

/// The seed's racy program (models/race_condition.py), built in so the suite runs anywhere.
pub const RACE_CONDITION: &str = include_str!("../../models/race_condition.py");
/// The seed's locked program (models/safe_deposit.py).
pub const SAFE_DEPOSIT: &str = include_str!("../../models/safe_deposit.py");

/// One measurement.
fn measure(name: &str, source: &str, n: u64, strategy: Strategy, limits: Limits) -> Value {
    measure_under(name, source, n, SwitchModel::Bytecode, strategy, limits)
}

/// One measurement under switch model `switch`.
fn measure_under(name: &str, source: &str, n: u64, switch: SwitchModel, strategy: Strategy, limits: Limits) -> Value {
    let model = Model::from_source(format!("{name}.py"), source)
        .and_then(|m| m.with_set("N", &n.to_string()))
        .and_then(|m| m.with_switch(switch))
        .expect("[internal bug] a built-in benchmark model does not compile");
    let start = Instant::now();
    let report = model
        .checker()
        .strategy(strategy)
        .limits(limits)
        .all_outcomes(strategy == Strategy::Stateful)
        .reduction(if strategy == Strategy::Auto { Reduction::Full } else { Reduction::None })
        .count_interleavings(false)
        .check();
    let seconds = start.elapsed().as_secs_f64();
    let s = &report.stats;
    json!({
        "model": name,
        "n": n,
        "switch_model": switch.name(),
        "strategy": strategy.name(),
        "verdict": report.verdict.as_str(),
        "exhaustive": report.exhaustive,
        "seconds": seconds,
        "states": s.states,
        "transitions": s.transitions,
        "executions": s.executions,
        "states_per_second": (s.states as f64 / seconds.max(1e-9)).round(),
        "steps_per_second": (s.transitions as f64 / seconds.max(1e-9)).round(),
        "outcomes": report.outcomes.len(),
        "preemptions": report.counterexample.as_ref().map(|c| c.preemptions),
        "counterexample_steps": report.counterexample.as_ref().map(|c| c.schedule.len()),
        "peak_rss_bytes": crate::explore::peak_rss_bytes(),
    })
}

/// The full state space of `source` at size `n`: the stateful search with `reduction`, on
/// `workers` threads, every outcome, no counting.
fn stateful(name: &str, source: &str, n: u64, reduction: Reduction, workers: usize) -> Value {
    let model = Model::from_source(format!("{name}.py"), source)
        .and_then(|m| m.with_set("N", &n.to_string()))
        .expect("[internal bug] a built-in benchmark model does not compile");
    let cpu = crate::budget::cpu_seconds();
    crate::budget::reset_peak();
    let start = Instant::now();
    let report = model
        .checker()
        .strategy(Strategy::Stateful)
        .limits(big_limits())
        .all_outcomes(true)
        .reduction(reduction)
        .workers(workers)
        .check();
    let seconds = start.elapsed().as_secs_f64();
    let s = &report.stats;
    json!({
        "tool": "gilcheck",
        "model": name,
        "n": n,
        "reduction": reduction.name(),
        "workers": s.workers,
        "exhaustive": report.exhaustive,
        "outcomes": report.outcomes.len(),
        "states": s.states,
        "transitions": s.transitions,
        "seconds": seconds,
        "cpu_seconds": crate::budget::cpu_seconds() - cpu,
        "peak_memory_mib": s.peak_bytes as f64 / (1u64 << 20) as f64,
        "visited_bytes_per_state": (s.visited_bytes > 0).then(|| s.visited_bytes as f64 / s.states.max(1) as f64),
    })
}

/// The ratio of two runs' figures `key` (`a / b`), when both have it.
fn ratio(a: &Value, b: &Value, key: &str) -> Option<f64> {
    Some(a[key].as_f64()? / b[key].as_f64()?.max(1e-9))
}

/// One question asked of gilcheck (plain on one and on `workers` threads, and reduced) and of
/// Spin (without and with its partial-order reduction, when it is on the PATH), with the ratios.
fn side_by_side(
    question: &str,
    name: &str,
    source: &str,
    pml: &str,
    n: u64,
    reduced: Reduction,
    workers: usize,
) -> Value {
    let plain = stateful(name, source, n, Reduction::None, 1);
    let parallel = (workers > 1).then(|| stateful(name, source, n, Reduction::None, workers));
    let reduced_run = stateful(name, source, n, reduced, 1);
    let (spin_plain, spin_por) = if spin::available() {
        (Some(spin::run(name, pml, n, true)), Some(spin::run(name, pml, n, false)))
    } else {
        (None, None)
    };
    let per_second = |v: &Value| Some(v["transitions"].as_f64()? / v["seconds"].as_f64()?.max(1e-9));
    let mut ratios = serde_json::Map::new();
    if let (Some(p), Some(sp), Some(spr)) = (&parallel, &spin_plain, &spin_por) {
        ratios.insert("time_plain_vs_spin_noreduce".into(), json!(ratio(&plain, sp, "seconds")));
        ratios.insert("time_workers_vs_spin_noreduce".into(), json!(ratio(p, sp, "seconds")));
        ratios.insert("time_reduced_vs_spin_por".into(), json!(ratio(&reduced_run, spr, "seconds")));
        ratios.insert("states_plain_vs_spin_noreduce".into(), json!(ratio(&plain, sp, "states")));
        ratios.insert(
            "transitions_per_second_plain_vs_spin_noreduce".into(),
            json!(per_second(&plain).zip(per_second(sp)).map(|(a, b)| a / b)),
        );
    }
    if let Some(p) = &parallel {
        ratios.insert("speedup_workers_vs_one".into(), json!(ratio(&plain, p, "seconds")));
    }
    json!({
        "question": question,
        "n": n,
        "gilcheck_plain": plain,
        "gilcheck_workers": parallel,
        "gilcheck_reduced": reduced_run,
        "spin_noreduce": spin_plain,
        "spin_por": spin_por,
        "spin": if spin::available() { "ran" } else { "not on the PATH (spin and gcc)" },
        "ratios": ratios,
    })
}

/// Runs the suite; `sizes` are the N values of the stateful racy runs (e.g. 10, 20, 30), and
/// `workers` the threads of the parallel stateful runs.
pub fn run(sizes: &[u64], workers: usize, mut report: impl FnMut(&Value)) {
    report(&measure("race_condition", RACE_CONDITION, 1_000_000, Strategy::Auto, Limits::default()));
    report(&measure("safe_deposit", SAFE_DEPOSIT, 1_000_000, Strategy::Auto, Limits::default()));
    report(&minimum("race_condition", RACE_CONDITION, 1_000_000, "balance"));
    // The racy program under each CPython model: a counterexample under 3.9, a proof under 3.10+.
    for &m in &SwitchModel::ALL[1..] {
        report(&measure_under("race_condition", RACE_CONDITION, 1_000_000, m, Strategy::Auto, Limits::default()));
    }
    for &n in sizes {
        let q = "racy program: every outcome (full state space)";
        report(&side_by_side(q, "race_condition", RACE_CONDITION, spin::UNLOCKED, n, Reduction::Full, workers));
    }
    for &n in sizes {
        // Reduction `atomic` has no solo-loop acceleration: the proof explores the state space.
        let q = "locked program: the proof (full state space, no loop acceleration)";
        report(&side_by_side(q, "safe_deposit", SAFE_DEPOSIT, spin::LOCKED, n, Reduction::Atomic, workers));
    }
}

/// The time to the racy program's minimum final value, with its certified witness.
fn minimum(name: &str, source: &str, n: u64, var: &str) -> Value {
    let model = Model::from_source(format!("{name}.py"), source)
        .and_then(|m| m.with_set("N", &n.to_string()))
        .expect("[internal bug] a built-in benchmark model does not compile");
    let start = Instant::now();
    let e = crate::explore::extreme(model.explorable(), var, Goal::Min, 4, &Limits::default());
    let seconds = start.elapsed().as_secs_f64();
    match e {
        Ok(e) => json!({
            "model": name, "n": n, "strategy": "minimize", "variable": var, "value": e.value.to_string(),
            "preemptions": e.preemptions, "certified": e.certified, "seconds": seconds,
            "peak_rss_bytes": crate::explore::peak_rss_bytes(),
        }),
        Err(err) => json!({"model": name, "n": n, "strategy": "minimize", "error": err.to_string()}),
    }
}

/// Limits for the stateful runs: up to 16 GiB and 500 million states.
fn big_limits() -> Limits {
    Limits { max_memory: 16 << 30, max_states: 500_000_000, ..Limits::default() }
}
