//! `gilcheck fix`'s report: what the counterexample blames, each candidate re-checked and why
//! it was or was not offered, the repair as a unified diff, its re-check and its outputs.

use super::Style;
use crate::repair::{Fix, Outputs};
use crate::source::SourceFile;
use crate::text::plural;
use crate::Verdict;
use serde_json::{json, Value as Json};
use std::fmt::Write as _;

/// The unified diff from the original text to `repaired`, with `file` in its headers.
pub fn unified_diff(original: &str, repaired: &str, file: &str) -> String {
    similar::TextDiff::from_lines(original, repaired)
        .unified_diff()
        .context_radius(3)
        .header(file, &format!("{file} (repaired)"))
        .to_string()
}

fn upper(v: Verdict, style: Style) -> String {
    match v {
        Verdict::Holds => style.paint("1;32", "HOLDS"),
        Verdict::Violated => style.paint("1;31", "VIOLATED"),
        Verdict::Inconclusive => style.paint("1;33", "INCONCLUSIVE"),
    }
}

fn outputs_words(o: &Outputs) -> String {
    match o {
        Outputs::Same(n) => {
            format!("the same {} as the original's runs without a violation", plural(*n as u64, "output sequence"))
        }
        Outputs::Fewer { kept, dropped } => format!(
            "{kept} of those of the original's runs without a violation, and no other; {} that only racy runs printed can no longer be printed (the program prints the raced data)",
            plural(*dropped as u64, "sequence")
        ),
        Outputs::NotCompared(why) => format!("not compared: {why}"),
    }
}

/// The text report of a repair. `replay_args` are the options the original was checked with
/// besides the file (`--switch`, `--set`, ...): the `--write` line repeats them.
pub fn render_fix(fix: &Fix, src: &SourceFile, file: &str, replay_args: &str, written: bool, style: Style) -> String {
    let mut out = String::new();
    let r = &fix.original;
    let _ = write!(out, "{file}: {} under {}", upper(r.verdict, style), r.switch_model);
    if let Some(c) = &r.counterexample {
        let at = if c.finding.line > 0 { format!(" (line {})", c.finding.line) } else { String::new() };
        let _ = write!(out, ": {}{at}", c.finding.message);
    }
    out.push('\n');
    for b in &fix.blamed {
        let _ = writeln!(out, "  blamed: {b}");
    }
    if !fix.tried.is_empty() {
        let _ = writeln!(out, "  tried {}:", plural(fix.tried.len() as u64, "candidate"));
        for (i, c) in fix.tried.iter().enumerate() {
            let why = c.rejected.as_ref().map_or(String::new(), |w| format!(": {w}"));
            let _ = writeln!(out, "    {}. {}: {}{why}", i + 1, c.description, upper(c.verdict, style));
        }
    }
    let Some(c) = fix.repair() else {
        if let Some(why) = &fix.gave_up {
            let _ = writeln!(out, "  no repair: {why}");
        }
        return out;
    };
    let _ = writeln!(out, "  repair: {}", c.description);
    out.push_str(&unified_diff(src.text(), &c.text, file));
    let s = &c.report.stats;
    let _ = writeln!(
        out,
        "  re-check under {}: {} ({}{}: {}, {:.3} s)",
        c.report.switch_model,
        upper(c.verdict, style),
        c.report.strategy,
        if c.report.exhaustive { ", exhaustive" } else { "" },
        plural(s.states, "state"),
        s.seconds
    );
    for n in &c.report.reductions {
        let _ = writeln!(out, "    reduction {}", n.name);
    }
    if let Some(o) = &fix.outputs {
        let _ = writeln!(out, "  output sequences: {}", outputs_words(o));
    }
    if written {
        let _ = writeln!(out, "  written to {file}");
    } else {
        let _ = writeln!(out, "  apply it: gilcheck fix {file}{replay_args} --write");
    }
    out
}

/// The JSON report of a repair: `file`, `verdict` and `switch_model` of the original,
/// `counterexample` (`kind`, `message`, `line`, `schedule`), `blamed`, `tried` (`description`,
/// `verdict`, `rejected`), `repair` (`description`, `diff`, `text`, `verdict`, `strategy`,
/// `exhaustive`, `stats`, `outputs`) or `null`, `gave_up` and `written`.
pub fn fix_to_json(fix: &Fix, src: &SourceFile, file: &str, written: bool) -> Json {
    let r = &fix.original;
    let repair = fix.repair().map(|c| {
        json!({
            "description": c.description,
            "diff": unified_diff(src.text(), &c.text, file),
            "text": c.text,
            "verdict": c.verdict.as_str(),
            "strategy": c.report.strategy,
            "exhaustive": c.report.exhaustive,
            "stats": {"states": c.report.stats.states, "transitions": c.report.stats.transitions, "seconds": c.report.stats.seconds},
            "outputs": match &fix.outputs {
                Some(Outputs::Same(n)) => json!({"same": n}),
                Some(Outputs::Fewer { kept, dropped }) => json!({"kept": kept, "dropped": dropped}),
                Some(Outputs::NotCompared(why)) => json!({"not_compared": why}),
                None => Json::Null,
            },
        })
    });
    json!({
        "file": file,
        "verdict": r.verdict.as_str(),
        "switch_model": r.switch_model.name(),
        "counterexample": r.counterexample.as_ref().map(|c| json!({
            "kind": c.finding.kind.as_str(),
            "message": c.finding.message,
            "line": c.finding.line,
            "schedule": c.schedule.to_string(),
        })),
        "blamed": fix.blamed,
        "tried": fix.tried.iter().map(|c| json!({
            "description": c.description,
            "verdict": c.verdict.as_str(),
            "rejected": c.rejected,
        })).collect::<Vec<_>>(),
        "repair": repair,
        "gave_up": fix.gave_up,
        "written": written,
    })
}
