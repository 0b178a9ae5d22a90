//! The stable JSON form of a report (DESIGN §4).

use crate::explore::{Counterexample, Report};
use serde_json::{json, Map, Value};

fn outcome_json(globals: &[(String, String)], output: &[String]) -> (Value, Value) {
    let mut g = Map::new();
    for (name, repr) in globals {
        // Ints become JSON numbers when they fit; everything else stays its Python repr.
        let v = match repr.parse::<i64>() {
            Ok(i) => json!(i),
            Err(_) => match repr.as_str() {
                "True" => json!(true),
                "False" => json!(false),
                "None" => Value::Null,
                _ => json!(repr),
            },
        };
        g.insert(name.clone(), v);
    }
    (Value::Object(g), json!(output))
}

fn counterexample_json(c: &Counterexample) -> Value {
    let (globals, output) = outcome_json(&c.state.globals, &c.state.output);
    let mut v = json!({
        "kind": c.finding.kind.as_str(),
        "message": c.finding.message,
        "thread": c.finding.thread,
        "line": c.finding.line,
        "schedule": c.schedule.to_string(),
        "steps": c.schedule.len(),
        "preemptions": c.preemptions,
        "state": {"globals": globals, "output": output},
    });
    if !c.draws.is_empty() {
        // The values of the unseeded random draws, as `--draws` takes them.
        v["draws"] = c.draws.to_string().into();
    }
    v
}

/// The report as a JSON value with the stable keys: `verdict`, `switch_model`, `exhaustive`,
/// `outcomes`, `counterexample`, `reductions`, `stats` (plus `strategy`, `limit`,
/// `interleavings`, `violations`).
pub fn to_json(report: &Report, file: &str) -> Value {
    let outcomes: Vec<Value> = report
        .outcomes
        .iter()
        .map(|o| {
            let (globals, output) = outcome_json(&o.outcome.globals, &o.outcome.output);
            json!({
                "globals": globals,
                "output": output,
                "interleavings": o.interleavings.as_ref().map(|n| n.to_string()),
                "violation": o.outcome.violation,
            })
        })
        .collect();
    json!({
        "file": file,
        "verdict": report.verdict.as_str(),
        "switch_model": report.switch_model.name(),
        "strategy": report.strategy,
        "exhaustive": report.exhaustive,
        "limit": super::limits::limit_json(report),
        "outcomes": outcomes,
        "interleavings": report.interleavings.as_ref().map(|n| n.to_string()),
        "counterexample": report.counterexample.as_ref().map(counterexample_json),
        "violations": report.violations.iter().map(counterexample_json).collect::<Vec<_>>(),
        "reductions": report.reductions.iter().map(|r| json!({"name": r.name, "reason": r.reason})).collect::<Vec<_>>(),
        "notes": report.notes,
        "stats": {
            "states": report.stats.states,
            "transitions": report.stats.transitions,
            "executions": report.stats.executions,
            "seconds": report.stats.seconds,
            "peak_rss_bytes": report.stats.peak_rss_bytes,
            "peak_bytes": report.stats.peak_bytes,
            "preemption_bound": report.stats.preemption_bound,
            "workers": report.stats.workers,
            "visited_bytes": report.stats.visited_bytes,
        },
    })
}
