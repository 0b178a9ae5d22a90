//! Rendering reports and traces for people (text) and for scripts (JSON).

pub mod explain;
mod extremes;
mod fix;
mod json;
pub mod limits;
mod models;
pub mod svg;

pub use explain::{explain, Explanation};
pub use extremes::{extreme_method, extreme_replay, extreme_to_json, render_extreme};
pub use fix::{fix_to_json, render_fix, unified_diff};
pub use json::to_json;
pub use models::{models_to_json, render_models, ModelVerdict};
pub use svg::render_svg;

use crate::explore::{thread_name, Counterexample, Report, Verdict};
use crate::source::SourceFile;
use crate::text::plural;
pub use crate::text::{big_count, thousands};
use crate::trace::{Trace, TraceRun, TraceStep};
use std::fmt::Write as _;

/// How to render text.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    /// Use ANSI colours.
    pub color: bool,
}

impl Style {
    /// `text` in the ANSI colour `code` (e.g. `1;31`) when colours are on.
    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// The text report of a check. `replay_args` are the options a replay needs besides the
/// schedule (e.g. `--set N=3`).
pub fn render_check(report: &Report, src: &SourceFile, replay_args: &str, style: Style) -> String {
    render_check_explained(report, src, replay_args, None, style)
}

/// [`render_check`] with the counterexample's explanation (from [`explain()`] on its replay)
/// under the counterexample.
pub fn render_check_explained(
    report: &Report,
    src: &SourceFile,
    replay_args: &str,
    explanation: Option<&Explanation>,
    style: Style,
) -> String {
    let mut out = String::new();
    let verdict = match report.verdict {
        Verdict::Holds => style.paint("1;32", "HOLDS"),
        Verdict::Violated => style.paint("1;31", "VIOLATED"),
        Verdict::Inconclusive => style.paint("1;33", "INCONCLUSIVE"),
    };
    let _ = writeln!(out, "{}: {verdict}", src.name());
    let _ = writeln!(out, "  switch model: {} ({})", report.switch_model, report.switch_model.describe());
    let _ = writeln!(out, "  strategy:     {}{}", report.strategy, if report.exhaustive { ", exhaustive" } else { "" });
    match report.verdict {
        Verdict::Holds => {
            let _ = writeln!(out, "  every interleaving ends without a violation");
        }
        Verdict::Inconclusive => {
            let _ = writeln!(out, "  no violation found, but the search stopped before it was exhaustive");
            out.push_str(&limits::render_limit(report));
        }
        Verdict::Violated => {}
    }
    if let Some(c) = &report.counterexample {
        out.push_str(&render_counterexample(c, src, replay_args, style));
        if let Some(e) = explanation {
            out.push_str(&e.render("  ", style));
        }
    }
    if let Some(n) = &report.interleavings {
        let _ = writeln!(out, "  interleavings: {}", big_count(n));
    }
    render_notes(&mut out, report);
    out.push_str(&render_stats(report));
    out
}

/// The reductions a search applied, with why each was sound, and its notes.
fn render_notes(out: &mut String, report: &Report) {
    for r in &report.reductions {
        let _ = writeln!(out, "  reduction {}: {}", r.name, r.reason);
    }
    for n in &report.notes {
        let _ = writeln!(out, "  note: {n}");
    }
}

fn render_counterexample(c: &Counterexample, src: &SourceFile, replay_args: &str, style: Style) -> String {
    let mut out = String::new();
    let f = &c.finding;
    let _ = writeln!(out, "  {} {}", style.paint("1", &format!("{}:", f.kind.as_str())), f.message);
    if f.line > 0 {
        let _ = writeln!(
            out,
            "    in {} at {}:{}: {}",
            thread_name(f.thread),
            src.name(),
            f.line,
            src.line_text(f.line).trim()
        );
    }
    let _ = writeln!(
        out,
        "  counterexample: {}, {}",
        plural(c.schedule.len(), "step"),
        plural(c.preemptions as u64, "preemption")
    );
    if !c.state.globals.is_empty() {
        let g: Vec<String> = c.state.globals.iter().map(|(n, v)| format!("{n} = {v}")).collect();
        let _ = writeln!(out, "  state at the violation: {}", g.join(", "));
    }
    let _ = writeln!(out, "  schedule: {}", c.schedule);
    if !c.draws.is_empty() {
        let _ = writeln!(out, "  draws:    {} (thread.draw=index of the value drawn, from 0)", c.draws);
    }
    let _ = writeln!(out, "  replay:   {}", replay_command(src.name(), replay_args, &c.schedule.to_string()));
    out
}

/// The command that replays `schedule` of `file` as a timeline: `replay_args` are the options
/// the replay needs besides the schedule (`--switch`, `--set`, `--expect`, `--draws`). The text
/// report's `replay:` line and the JSON counterexample's `replay` key.
pub fn replay_command(file: &str, replay_args: &str, schedule: &str) -> String {
    format!("gilcheck trace {file}{replay_args} --schedule {schedule}")
}

fn render_stats(report: &Report) -> String {
    let s = &report.stats;
    let mut line = format!(
        "  stats: {}, {}, {}, {:.3} s, peak memory {:.1} MiB (RSS {} MiB)",
        plural(s.states, "state"),
        plural(s.transitions, "step"),
        plural(s.executions, "execution"),
        s.seconds,
        s.peak_bytes as f64 / f64::from(1 << 20),
        s.peak_rss_bytes >> 20
    );
    if let Some(b) = s.preemption_bound {
        let _ = write!(line, ", preemption bound {b}");
    }
    line.push('\n');
    line
}

/// The outcome listing of `gilcheck outcomes`.
pub fn render_outcomes(report: &Report, src: &SourceFile, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} distinct outcome{} ({}{})",
        src.name(),
        report.outcomes.len(),
        if report.outcomes.len() == 1 { "" } else { "s" },
        report.strategy,
        if report.exhaustive { ", exhaustive" } else { ", NOT exhaustive" }
    );
    {
        for (i, o) in report.outcomes.iter().enumerate() {
            let g: Vec<String> = o.outcome.globals.iter().map(|(n, v)| format!("{n} = {v}")).collect();
            let n = o.interleavings.as_ref().map_or(String::new(), |n| format!("  [{} interleavings]", big_count(n)));
            let _ =
                writeln!(out, "  #{}: {}{n}", i + 1, if g.is_empty() { "(no globals)".into() } else { g.join(", ") });
            if let Some(v) = &o.outcome.violation {
                let _ = writeln!(out, "      {} {v}", style.paint("31", "ends in"));
            }
            for l in &o.outcome.output {
                let _ = writeln!(out, "      | {l}");
            }
        }
    }
    for v in &report.violations {
        let _ = writeln!(
            out,
            "  {} {}: {} (schedule {})",
            style.paint("31", "violation"),
            v.finding.kind.as_str(),
            v.finding.message,
            v.schedule
        );
    }
    if let Some(n) = &report.interleavings {
        let _ = writeln!(out, "  interleavings: {}", big_count(n));
    }
    render_notes(&mut out, report);
    out.push_str(&limits::render_limit(report));
    out.push_str(&render_stats(report));
    out
}

fn render_step(out: &mut String, s: &TraceStep, src: &SourceFile, last_line: &mut u32, style: Style) {
    let lane = "      ".repeat(s.tid);
    // Instructions without a line (a function's MAKE_CELL and COPY_FREE_VARS) get no header.
    if s.line != *last_line && s.line != 0 {
        *last_line = s.line;
        let header = match s.library {
            Some((module, text)) => format!("{module} line {}: {text}", s.line),
            None => format!("line {}: {}", s.line, src.line_text(s.line).trim()),
        };
        let _ = writeln!(out, "{:>10}  {lane}{}", "", style.paint("2", &header));
    }
    let effect = s.effect.as_ref().map_or(String::new(), |e| format!("  → {}", style.paint("36", e)));
    let arg = if s.arg.is_empty() { String::new() } else { format!(" {}", s.arg) };
    let _ = writeln!(out, "{:>10}  {lane}{:<5} {}{arg}{effect}", s.index + 1, thread_name(s.tid), s.opname);
}

/// The timeline of a replayed trace: one lane per thread, runs of one thread compressed; then
/// how it ends, and why ([`explain()`]).
pub fn render_trace(trace: &Trace, src: &SourceFile, style: Style) -> String {
    let mut out = String::new();
    let lanes = trace.runs.iter().map(|r| r.tid).max().unwrap_or(0);
    let _ = writeln!(
        out,
        "{:>10}  {}",
        "step",
        (0..=lanes).map(|t| format!("{:<6}", thread_name(t))).collect::<Vec<_>>().join("")
    );
    for run in &trace.runs {
        render_run(&mut out, run, src, style);
    }
    let g: Vec<String> = trace
        .state
        .globals
        .iter()
        .zip(&trace.global_names)
        .filter(|(_, n)| !crate::bytecode::Program::is_library_name(n))
        .filter_map(|(v, n)| trace.state.shown_value(v).map(|r| format!("{n} = {r}")))
        .collect();
    let _ = writeln!(
        out,
        "end after {} preemption{}{}{}",
        trace.preemptions,
        if trace.preemptions == 1 { "" } else { "s" },
        if g.is_empty() { "" } else { ": " },
        g.join(", ")
    );
    match &trace.status {
        crate::explore::Status::Violation(f) => {
            let _ = writeln!(out, "{} {}: {}", style.paint("1;31", "violation"), f.kind.as_str(), f.message);
        }
        crate::explore::Status::Finished(_) => {
            let _ = writeln!(out, "every thread finished");
        }
        crate::explore::Status::Running => {
            let _ = writeln!(out, "the schedule ends here; threads are still running");
        }
    }
    out.push_str(&explain(trace, src).render("", style));
    out
}

fn render_run(out: &mut String, run: &TraceRun, src: &SourceFile, style: Style) {
    let who = thread_name(run.tid);
    let how = if run.preempted { style.paint("33", " (preemption)") } else { String::new() };
    let _ =
        writeln!(out, "  ── {who} runs {} step{}{how}", thousands(run.steps), if run.steps == 1 { "" } else { "s" });
    let mut last_line = 0;
    for s in &run.head {
        render_step(out, s, src, &mut last_line, style);
    }
    if !run.tail.is_empty() {
        let skipped = run.skipped_steps();
        let iters = match run.skipped_iterations {
            0 => format!("{who} runs "),
            1 => format!("{who} runs 1 more loop iteration "),
            n => format!("{who} runs {} more loop iterations ", thousands(n)),
        };
        let lane = "      ".repeat(run.tid);
        let _ = writeln!(
            out,
            "{:>10}  {lane}{}",
            "",
            style.paint("33", &format!("… {iters}({} steps) …", thousands(skipped)))
        );
        last_line = 0;
        for s in &run.tail {
            render_step(out, s, src, &mut last_line, style);
        }
    }
}
