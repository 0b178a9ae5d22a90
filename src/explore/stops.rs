//! Runs that the checker stopped for a reason of its own: an operation it does not model, or
//! one of its limits (a range bound beyond its 64-bit ints, …). Such a run says nothing about
//! the program, so it is never reported as a violation: it is taken out of the violations and
//! outcomes, and unless a genuine violation was found as well, the report has no verdict about
//! the program (it is inconclusive, and [`Report::checker_stop`] says where and why).

use super::report::{CheckerStop, Report, Verdict};
use crate::engine::{FindingKind, System};

/// Moves the checker's stops out of `report`'s violations and outcomes, and settles the
/// verdict: a genuine violation still stands (it is behaviour CPython can show); otherwise the
/// verdict is inconclusive and [`Report::checker_stop`] holds the stop.
pub(crate) fn settle<M: System>(model: &M, report: &mut Report) {
    let is_stop = |k: FindingKind| k.is_checker_stop();
    if !report.violations.iter().any(|c| is_stop(c.finding.kind)) {
        return;
    }
    let first = match &report.counterexample {
        Some(c) if is_stop(c.finding.kind) => c.clone(),
        _ => report.violations.iter().find(|c| is_stop(c.finding.kind)).cloned().expect("checked above"),
    };
    report.violations.retain(|c| !is_stop(c.finding.kind));
    report.outcomes.retain(|o| {
        !o.outcome.violation.as_deref().is_some_and(|v| {
            v.starts_with(FindingKind::Unsupported.as_str()) || v.starts_with(FindingKind::CheckerLimit.as_str())
        })
    });
    report.exhaustive = false;
    report.interleavings = None;
    let (line, col) = position(model, &first.schedule, first.finding.thread).unwrap_or((first.finding.line, 0));
    let stop = CheckerStop {
        kind: first.finding.kind,
        message: first.finding.message.clone(),
        thread: first.finding.thread,
        line,
        col,
        schedule: first.schedule.clone(),
    };
    let genuine = report.violations.iter().min_by_key(|c| (c.preemptions, c.schedule.len())).cloned();
    match (&report.counterexample, genuine) {
        (Some(c), _) if !is_stop(c.finding.kind) => {}
        (_, Some(g)) => report.counterexample = Some(g),
        (_, None) => {
            report.counterexample = None;
            report.verdict = Verdict::Inconclusive;
        }
    }
    if report.verdict != Verdict::Violated {
        report.verdict = Verdict::Inconclusive;
        let at = if stop.line > 0 { format!(" (line {}, column {})", stop.line, stop.col) } else { String::new() };
        report.limit = Some(match stop.kind {
            FindingKind::Unsupported => {
                format!("a run met an operation the checker does not model{at}: {}", stop.message)
            }
            _ => format!("a run met a limit of the checker{at}: {}", stop.message),
        });
    } else {
        report.notes.push(format!(
            "some runs stopped early ({}), so the outcomes are incomplete; the violation shown is the program's own",
            stop.message
        ));
    }
    report.checker_stop = Some(stop);
}

/// The line and column of the instruction at which thread `tid` stopped at the end of
/// `schedule` (Python models only).
fn position<M: System>(model: &M, schedule: &super::Schedule, tid: usize) -> Option<(u32, u32)> {
    let py = model.as_py()?;
    let mut s = py.init();
    for t in schedule.steps() {
        if t >= s.threads.len() {
            return None;
        }
        py.step(&mut s, t);
    }
    let frame = s.threads.get(tid)?.frames.last()?;
    let loc = py.program.code(frame.code).locs.get(frame.pc.checked_sub(1)? as usize)?;
    Some((loc.line, loc.col))
}
