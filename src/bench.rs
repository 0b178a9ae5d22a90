//! The benchmark suite behind `gilcheck bench`: the seed's programs at the sizes whose figures
//! we track (time to the first counterexample at N = 10⁶, the racy program under every CPython
//! switch model at N = 10⁶, state-space size and throughput of the stateful search), printed as
//! JSON so runs can be compared.

use crate::explore::{Goal, Limits, Reduction, Strategy};
use crate::vm::SwitchModel;
use crate::Model;
use serde_json::{json, Value};
use std::time::Instant;

/// The seed's racy program (models/race_condition.py), built in so the suite runs anywhere.
pub const RACE_CONDITION: &str = include_str!("../models/race_condition.py");
/// The seed's locked program (models/safe_deposit.py).
pub const SAFE_DEPOSIT: &str = include_str!("../models/safe_deposit.py");

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

/// Runs the suite; `sizes` are the N values of the stateful racy runs (e.g. 10, 20, 30).
pub fn run(sizes: &[u64], mut report: impl FnMut(&Value)) {
    report(&measure("race_condition", RACE_CONDITION, 1_000_000, Strategy::Auto, Limits::default()));
    report(&measure("safe_deposit", SAFE_DEPOSIT, 1_000_000, Strategy::Auto, Limits::default()));
    report(&minimum("race_condition", RACE_CONDITION, 1_000_000, "balance"));
    // The racy program under each CPython model: a counterexample under 3.9, a proof under 3.10+.
    for &m in &SwitchModel::ALL[1..] {
        report(&measure_under("race_condition", RACE_CONDITION, 1_000_000, m, Strategy::Auto, Limits::default()));
    }
    for &n in sizes {
        report(&measure("race_condition", RACE_CONDITION, n, Strategy::Stateful, big_limits()));
    }
    for &n in sizes {
        report(&measure("safe_deposit", SAFE_DEPOSIT, n, Strategy::Stateful, big_limits()));
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
