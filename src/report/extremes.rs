//! The extreme final value of a global (`outcomes --minimize V` / `--maximize V`) as text and
//! as JSON.

use crate::explore::{Extreme, Goal};
use crate::text::thousands;
use num_bigint::BigInt;

/// A big int as a JSON number when it fits in 64 bits, else as a decimal string.
fn json_int(v: &BigInt) -> serde_json::Value {
    match i64::try_from(v) {
        Ok(i) => serde_json::Value::from(i),
        Err(_) => serde_json::Value::from(v.to_string()),
    }
}

/// The command that replays the witness: `gilcheck trace FILE OPTIONS --schedule S`, where
/// `options` are the `--set`/`--expect` options the model was built with.
pub fn extreme_replay(e: &Extreme, file: &str, options: &str) -> String {
    format!("gilcheck trace {file}{options} --schedule {}", e.schedule)
}

/// How the value was found, and how far it can be trusted, in one paragraph.
pub fn extreme_method(e: &Extreme) -> String {
    let bounds = format!("preemption bounds 0–{}", e.bound);
    if e.accelerated_loops == 0 {
        return format!(
            "plain preemption-bounded search over yield points ({bounds}; no loop was accelerated): the {} over every run with at most {} preemptions{}",
            e.goal.word(),
            e.bound,
            if e.complete { ", which is every run" } else { "" }
        );
    }
    let side = match e.goal {
        Goal::Min => "an upper bound on the minimum",
        Goal::Max => "a lower bound on the maximum",
    };
    format!(
        "context-bounded search over yield points ({bounds}) with solo-loop acceleration and vertex search: \
         loops whose iterations are translations (checked by executing one and interpreting its path) ran in O(1), \
         and inside them a preemption was tried only after 0, 1, R−2 or R−1 of the R iterations left, at every \
         yield point of that iteration. This is exact for runs with at most {} preemptions when the final value is \
         affine in the iteration counts (translation loop bodies, no branch on a counted value); otherwise the \
         value is reachable (certified) and {side}, not necessarily the {}",
        e.bound,
        e.goal.word()
    )
}

/// The result as text, for `gilcheck outcomes FILE --minimize V`; `options` are the
/// `--set`/`--expect` options of the replay command.
pub fn render_extreme(e: &Extreme, file: &str, options: &str) -> String {
    let mut out = String::new();
    let mut line = |k: &str, v: String| out.push_str(&format!("  {k:<11} {v}\n"));
    line(
        "witness:",
        format!(
            "{} preemption{}, {} steps",
            e.preemptions,
            if e.preemptions == 1 { "" } else { "s" },
            thousands(e.steps)
        ),
    );
    line("run ends:", e.ending.clone());
    line("schedule:", e.schedule.to_string());
    line("replay:", extreme_replay(e, file, options));
    line(
        "certified:",
        if e.certified {
            format!(
                "yes: replaying the schedule on the plain interpreter ends with {} = {} after {} preemption{}",
                e.variable,
                e.value,
                e.preemptions,
                if e.preemptions == 1 { "" } else { "s" }
            )
        } else {
            format!("NO: the replay ends with {} = {}, not the value the search predicted", e.variable, e.value)
        },
    );
    let reach = match (&e.limit, e.complete) {
        (Some(l), _) => format!("stopped during bound {}: {l}; the best value found so far", e.bound),
        (None, true) => format!("exhaustive: no run needs more than {} preemptions", e.bound),
        (None, false) if e.accelerated_loops > 0 => {
            format!("exhaustive up to {} preemptions (at the vertices inside accelerated loops)", e.bound)
        }
        (None, false) => format!("exhaustive up to {} preemptions", e.bound),
    };
    line("search:", reach);
    let per: Vec<String> = e
        .best_by_bound
        .iter()
        .enumerate()
        .map(|(b, v)| format!("{b}: {}", v.as_ref().map_or("-".to_string(), BigInt::to_string)))
        .collect();
    line("per bound:", per.join(", "));
    line("method:", extreme_method(e));
    for (l, why) in &e.rejected_loops {
        line("not accel.:", format!("the loop at line {l}: {why}"));
    }
    line(
        "stats:",
        format!(
            "{} runs, {} revisits skipped, {} loops accelerated ({} iterations); {:.3} s (search {:.3} s, replay {:.3} s)",
            thousands(e.executions),
            thousands(e.revisits),
            thousands(e.accelerated_loops),
            thousands(e.accelerated_iterations),
            e.seconds,
            e.search_seconds,
            e.replay_seconds
        ),
    );
    format!("{file}: the {} of {} is {}\n{out}", e.goal.word(), e.variable, e.value)
}

/// The result as JSON (stable keys: `variable`, `goal`, `value`, `preemptions`, `schedule`,
/// `certified`, `bound`, `seconds`, and more).
pub fn extreme_to_json(e: &Extreme, file: &str, options: &str) -> serde_json::Value {
    serde_json::json!({
        "file": file,
        "variable": e.variable,
        "goal": e.goal.as_str(),
        "value": json_int(&e.value),
        "preemptions": e.preemptions,
        "schedule": e.schedule.to_string(),
        "steps": e.steps,
        "certified": e.certified,
        "ending": e.ending,
        "replay": extreme_replay(e, file, options),
        "bound": e.bound,
        "exhaustive": e.exhaustive,
        "complete": e.complete,
        "limit": e.limit,
        "best_by_bound": e.best_by_bound.iter().map(|v| v.as_ref().map(json_int)).collect::<Vec<_>>(),
        "method": extreme_method(e),
        "accelerated_loops": e.accelerated_loops,
        "accelerated_iterations": e.accelerated_iterations,
        "rejected_loops": e.rejected_loops.iter().map(|(l, r)| serde_json::json!({"line": l, "reason": r})).collect::<Vec<_>>(),
        "executions": e.executions,
        "revisits": e.revisits,
        "search_seconds": e.search_seconds,
        "replay_seconds": e.replay_seconds,
        "seconds": e.seconds,
    })
}
