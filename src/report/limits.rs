//! How a run stopped by a limit is reported: which limit, what was covered, how to go further
//! (text and the JSON `limit` object).

use crate::budget::{Limit, LimitHit};
use crate::explore::Report;
use serde_json::{json, Value};

/// What the search covered before it stopped, in words (states, executions, preemption bound).
pub fn covered(report: &Report) -> String {
    let s = &report.stats;
    let mut out = format!("{} states, {} executions", super::thousands(s.states), super::thousands(s.executions));
    if let Some(b) = s.preemption_bound {
        out.push_str(&format!(", every schedule with at most {b} preemptions below the cut"));
    }
    out
}

/// The lines that say which limit stopped the run, what was covered, and how to go further.
pub fn render_limit(report: &Report) -> String {
    let Some(why) = &report.limit else { return String::new() };
    let hint = match report.stopped_by {
        Some(hit) => hit.hint(),
        None if why.contains("preemption bound") => {
            "raise --max-preemptions, or use --strategy stateful for a proof".to_string()
        }
        None => "use another --strategy".to_string(),
    };
    format!("  stopped early: {why}\n  covered:      {}\n  to go further: {hint}\n", covered(report))
}

/// The JSON `limit` object of a report stopped early (`null` when nothing stopped it): its
/// `name` (`max-time`, `max-memory`, `max-states`, or `other`), `flag`, `value`, `message`,
/// `covered` and `hint`.
pub fn limit_json(report: &Report) -> Value {
    let Some(why) = &report.limit else { return Value::Null };
    let s = &report.stats;
    let covered = json!({
        "states": s.states,
        "transitions": s.transitions,
        "executions": s.executions,
        "preemption_bound": s.preemption_bound,
    });
    match report.stopped_by {
        Some(hit) => hit_json(hit, why, covered),
        None => json!({"name": "other", "flag": null, "value": null, "message": why, "covered": covered,
            "hint": if why.contains("preemption bound") { "raise --max-preemptions" } else { "use another --strategy" }}),
    }
}

/// The `limit` object of `hit`.
pub fn hit_json(hit: LimitHit, message: &str, covered: Value) -> Value {
    json!({
        "name": hit.limit.name(),
        "flag": hit.limit.flag(),
        "value": hit.value,
        "message": message,
        "covered": covered,
        "hint": hit.hint(),
    })
}

/// The report of a run ended by the emergency exit (a limit that could not stop it gracefully):
/// exit 3, in text or JSON.
pub fn emergency(file: &str, hit: LimitHit, during: &str, states: u64, executions: u64, json: bool) -> String {
    let why = hit.describe();
    if json {
        let covered = json!({"states": states, "executions": executions});
        return json!({
            "file": file,
            "verdict": "inconclusive",
            "exhaustive": false,
            "limit": hit_json(hit, &format!("{why} ({during})"), covered),
            "stats": {"peak_bytes": crate::budget::peak(), "peak_rss_bytes": crate::budget::peak_rss_bytes()},
        })
        .to_string()
            + "\n";
    }
    let phase = match hit.limit {
        Limit::Time | Limit::Memory => format!(" ({during})"),
        Limit::States => String::new(),
    };
    format!(
        "{file}: INCONCLUSIVE\n  stopped early: {why}{phase}\n  covered:      {} states, {} executions\n  to go further: {}\n  peak memory {:.1} MiB (RSS {} MiB)\n",
        super::thousands(states),
        super::thousands(executions),
        hit.hint(),
        crate::budget::peak() as f64 / f64::from(1 << 20),
        crate::budget::peak_rss_bytes() >> 20
    )
}
