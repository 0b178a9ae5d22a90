//! The report of one program checked under every switch model (`check --switch all`): one line
//! per model with its verdict, then why the verdicts differ.

use super::{thousands, Style};
use crate::explore::thread_name;
use crate::explore::{Report, Verdict};
use crate::source::SourceFile;
use crate::trace::{Gap, StepRef};
use crate::vm::SwitchModel;
use crate::vm::Tid;
use std::fmt::Write as _;

/// One model's verdict, and, where it holds while another model's counterexample exists, the gap
/// that rules that counterexample out.
#[derive(Debug)]
pub struct ModelVerdict {
    /// The model.
    pub model: SwitchModel,
    /// Its report.
    pub report: Report,
    /// For a model that holds: the first switch of a violating model's counterexample that this
    /// model does not allow (and that model's name).
    pub gap: Option<(SwitchModel, Gap)>,
    /// For a model that is violated: the thread its counterexample first preempts, and the step
    /// after which it does (with why that is a switch point under this model).
    pub preemption: Option<(Tid, StepRef)>,
    /// For a model that is violated: the preemptions of its counterexample at switch points that
    /// exist only while a call site is cold (the verdict rests on the interpreter's warm-up).
    pub warm_up: Vec<(Tid, StepRef)>,
}

fn summary(report: &Report) -> String {
    match report.verdict {
        Verdict::Violated => match &report.counterexample {
            Some(c) => format!(
                "{}: {} ({} preemption{}, schedule {})",
                c.finding.kind.as_str(),
                c.finding.message,
                c.preemptions,
                if c.preemptions == 1 { "" } else { "s" },
                c.schedule
            ),
            None => "violated".into(),
        },
        Verdict::Holds => {
            let how = if report.reductions.is_empty() {
                format!("{} states", thousands(report.stats.states))
            } else {
                let names: Vec<&str> = report.reductions.iter().map(|r| r.name.as_str()).collect();
                format!("{} execution(s) with {}", thousands(report.stats.executions), names.join(", "))
            };
            format!("proved: every interleaving ends without a violation ({how}, {:.2} s)", report.stats.seconds)
        }
        Verdict::Inconclusive => {
            format!("no violation found, search stopped: {}", report.limit.as_deref().unwrap_or("a limit was reached"))
        }
    }
}

/// The text report: one line per model, then the differences explained.
pub fn render_models(rows: &[ModelVerdict], src: &SourceFile, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: every switch model", src.name());
    for r in rows {
        let v = match r.report.verdict {
            Verdict::Holds => style.paint("1;32", "HOLDS       "),
            Verdict::Violated => style.paint("1;31", "VIOLATED    "),
            Verdict::Inconclusive => style.paint("1;33", "INCONCLUSIVE"),
        };
        let _ = writeln!(out, "  {:<13} {v} {}", r.model.name(), summary(&r.report));
    }
    let preempted: Vec<&ModelVerdict> = rows.iter().filter(|r| r.preemption.is_some()).collect();
    if !preempted.is_empty() {
        let _ = writeln!(out, "where each counterexample switches threads:");
        for r in preempted {
            let (t, s) = r.preemption.as_ref().expect("filtered");
            let _ = writeln!(
                out,
                "  {:<13} away from {} right after {} at line {} ({})",
                r.model.name(),
                thread_name(*t),
                s.instr,
                s.line,
                s.why.as_deref().unwrap_or("a switch point")
            );
        }
    }
    let warm: Vec<&ModelVerdict> = rows.iter().filter(|r| !r.warm_up.is_empty()).collect();
    if !warm.is_empty() {
        let _ = writeln!(out, "verdicts that rest on warm-up:");
        for r in warm {
            let at: Vec<String> = r
                .warm_up
                .iter()
                .map(|(t, s)| format!("away from {} right after {} at line {}", thread_name(*t), s.instr, s.line))
                .collect();
            let _ = writeln!(
                out,
                "  {:<13} the counterexample switches {}: a real interpreter switches there only while that call site is cold (its first executions, or after it deoptimises), before it specialises into a call without an eval-breaker check",
                r.model.name(),
                at.join("; ")
            );
        }
    }
    let explained: Vec<&ModelVerdict> = rows.iter().filter(|r| r.gap.is_some()).collect();
    if !explained.is_empty() {
        let _ = writeln!(out, "why the verdicts differ:");
        // Models with the same gap are explained together.
        let mut done = vec![false; explained.len()];
        for i in 0..explained.len() {
            if done[i] {
                continue;
            }
            let (from, gap) = explained[i].gap.as_ref().expect("filtered");
            let mut same: Vec<&str> = Vec::new();
            for (j, r) in explained.iter().enumerate() {
                if !done[j] && r.gap.as_ref().is_some_and(|(f, g)| f == from && g == gap) {
                    done[j] = true;
                    same.push(r.model.name());
                }
            }
            let violated: Vec<&str> =
                rows.iter().filter(|r| r.report.verdict == Verdict::Violated).map(|r| r.model.name()).collect();
            let _ = writeln!(
                out,
                "  on {} the counterexample found under {from} cannot happen: {}. Under {} that switch is possible, and the program is violated.",
                same.join(", "),
                gap.describe(if same.len() == 1 { "this model has" } else { "these models have" }),
                violated.join(", ")
            );
        }
    }
    out
}

/// The JSON report: `{"file", "models": [{"switch_model", "verdict", ...full report}], "differences"}`.
pub fn models_to_json(rows: &[ModelVerdict], file: &str) -> serde_json::Value {
    let models: Vec<serde_json::Value> = rows.iter().map(|r| super::to_json(&r.report, file)).collect();
    let differences: Vec<serde_json::Value> = rows
        .iter()
        .filter_map(|r| {
            let (from, gap) = r.gap.as_ref()?;
            Some(serde_json::json!({
                "holds_under": r.model.name(),
                "counterexample_under": from.name(),
                "thread": gap.tid,
                "after": {"instr": gap.after.instr, "line": gap.after.line},
                "previous_switch_point": gap.prev_point.as_ref().map(|p| serde_json::json!({"instr": p.instr, "line": p.line, "why": p.why})),
                "next_switch_point": gap.next_point.as_ref().map(|p| serde_json::json!({"instr": p.instr, "line": p.line, "why": p.why})),
                "shared_steps_between": gap.shared.iter().map(|s| serde_json::json!({"instr": s.instr, "line": s.line})).collect::<Vec<_>>(),
                "explanation": gap.describe(&format!("{} has", r.model.name())),
            }))
        })
        .collect();
    let preemptions: Vec<serde_json::Value> = rows
        .iter()
        .filter_map(|r| {
            let (t, s) = r.preemption.as_ref()?;
            Some(serde_json::json!({"switch_model": r.model.name(), "thread": t, "after": {"instr": s.instr, "line": s.line}, "why": s.why}))
        })
        .collect();
    let warm_up: Vec<serde_json::Value> = rows
        .iter()
        .flat_map(|r| {
            r.warm_up.iter().map(|(t, s)| {
                serde_json::json!({"switch_model": r.model.name(), "thread": t, "after": {"instr": s.instr, "line": s.line}})
            })
        })
        .collect();
    serde_json::json!({"file": file, "models": models, "preemptions": preemptions, "warm_up": warm_up, "differences": differences})
}
