//! The timeline as a self-contained SVG (no external fonts, scripts or styles): one swim lane
//! per thread, time flowing down; each executed step a box with its line number, instruction
//! and effect (hover for the source line); a compressed stretch one box saying how many loop
//! iterations it stands for; arrows from each write to the reads that see it (among the steps
//! shown); the lost update (or stale read) and the deadlock's waits marked in red.

use super::explain::Explanation;
use super::thousands;
use crate::explore::{thread_name, Schedule, Status};
use crate::source::SourceFile;
use crate::trace::{Overwrite, Trace, TraceRun, TraceStep, WaitOn};
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

/// Width of one character of the 11 px monospace font (a conservative estimate).
const CHAR_W: f64 = 6.7;
const LEFT: f64 = 84.0;
const LANE_W: f64 = 370.0;
const ROW_H: f64 = 20.0;
const BOX_H: f64 = 16.0;
const PAD: f64 = 8.0;
const RED: &str = "#dc2626";
const ORANGE: &str = "#d97706";
const BLUE: &str = "#2563eb";

const LEGEND_RED: &str =
    "the lost update (the read, the write that overwrites, what it overwrote); a deadlock's waits and where each lock was taken";

const STYLE: &str = "
text { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 11px; fill: #111827; }
.title { font-size: 15px; font-weight: bold; }
.muted { fill: #6b7280; }
.lanehead { font-size: 13px; font-weight: bold; }
.lane0 { fill: #f9fafb; } .lane1 { fill: #f3f4f6; }
.box { stroke-width: 1; }
.local { fill: #ffffff; stroke: #d1d5db; }
.read { fill: #dbeafe; stroke: #60a5fa; }
.write { fill: #fef3c7; stroke: #f59e0b; }
.lock { fill: #ede9fe; stroke: #8b5cf6; }
.life { fill: #dcfce7; stroke: #22c55e; }
.error { fill: #fee2e2; stroke: #ef4444; }
.other { fill: #f1f5f9; stroke: #94a3b8; }
.skip { fill: #fffbeb; stroke: #a16207; stroke-dasharray: 5 3; }
.lostmark { stroke: #dc2626; stroke-width: 2.5; }
.stalemark { stroke: #d97706; stroke-width: 2.5; }
.lostfill { fill: #fecaca; }
.run { stroke: #9ca3af; stroke-dasharray: 2 3; }
.arrow { fill: none; stroke-width: 1.2; opacity: 0.75; }
.note { font-weight: bold; }
";

/// One row of the timeline.
enum Row<'a> {
    /// A run begins: which thread, how many steps, whether by preemption.
    Run(&'a TraceRun),
    /// One executed step.
    Step(&'a TraceStep),
    /// The compressed middle of a run (two rows tall: a `Blank` follows).
    Skip(&'a TraceRun),
    /// The second row of a `Skip`.
    Blank,
    /// A marked remark in a lane (e.g. the lost update, a deadlock wait).
    Note(usize, String, &'static str),
}

pub use crate::xml::escape;

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// The box style of a step.
fn class(s: &TraceStep) -> &'static str {
    let effect = s.effect.as_deref().unwrap_or("");
    if effect.starts_with("raised") {
        "error"
    } else if s.accesses.iter().any(|a| a.write) {
        "write"
    } else if !s.accesses.is_empty() {
        "read"
    } else if ["acquired", "released", "did not get"].iter().any(|p| effect.starts_with(p)) {
        "lock"
    } else if ["started", "joined", "finished"].iter().any(|p| effect.starts_with(p)) {
        "life"
    } else if effect.is_empty() {
        "local"
    } else {
        "other"
    }
}

/// The schedule that the trace's runs make.
fn schedule_of(trace: &Trace) -> Schedule {
    let mut s = Schedule::new();
    for r in &trace.runs {
        s.push_run(r.tid, r.steps);
    }
    s
}

/// Lays out the rows: each run's header, head, compressed middle and tail, with the lost
/// update's (or stale read's) note after its write and each deadlocked thread's wait at the end.
fn rows<'a>(trace: &'a Trace, e: &Explanation) -> Vec<Row<'a>> {
    let marked = e.lost_update.as_ref().map(|o| (o, "lost")).or(e.stale_read.as_ref().map(|o| (o, "stale")));
    let mut rows = Vec::new();
    let push_step = |rows: &mut Vec<Row<'a>>, s: &'a TraceStep| {
        rows.push(Row::Step(s));
        if let Some((o, kind)) = marked {
            if s.index == o.write.step {
                let text = if kind == "lost" {
                    format!("✗ lost update: overwrites {} of {}", updates(o), by_whom(o))
                } else {
                    format!("✗ stale read: {} changed since {} read it", o.global, thread_name(o.tid))
                };
                rows.push(Row::Note(s.tid, text, if kind == "lost" { RED } else { ORANGE }));
            }
        }
    };
    for run in &trace.runs {
        rows.push(Row::Run(run));
        for s in &run.head {
            push_step(&mut rows, s);
        }
        if !run.tail.is_empty() {
            rows.push(Row::Skip(run));
            rows.push(Row::Blank);
            for s in &run.tail {
                push_step(&mut rows, s);
            }
        }
    }
    if let Some(d) = &e.deadlock {
        for w in d.cycle.iter().chain(&d.others) {
            let what = match &w.on {
                WaitOn::Lock { name, holder, .. } => {
                    let held = holder.map_or(String::new(), |h| format!(" (held by {})", thread_name(h)));
                    format!("■ waits for {name}{held} at line {}", w.line)
                }
                WaitOn::Join(t) => format!("■ waits to join {} at line {}", thread_name(*t), w.line),
                WaitOn::Sync { what, .. } => format!("■ {what} at line {}", w.line),
            };
            rows.push(Row::Note(w.tid, what, RED));
        }
    }
    rows
}

fn updates(o: &Overwrite) -> String {
    format!("{} update{}", thousands(o.others), if o.others == 1 { "" } else { "s" })
}

fn by_whom(o: &Overwrite) -> String {
    let who: Vec<String> = o.by.iter().map(|(t, _)| thread_name(*t)).collect();
    who.join(" and ")
}

/// The SVG timeline of a replayed trace, with its explanation as a caption.
pub fn render_svg(trace: &Trace, src: &SourceFile, explanation: &Explanation) -> String {
    let lanes = trace.runs.iter().map(|r| r.tid + 1).max().unwrap_or(1).max(trace.state.threads.len());
    let rows = rows(trace, explanation);
    // The caption: title, schedule, end state, explanation.
    let mut caption: Vec<(String, &'static str)> = vec![(format!("gilcheck trace: {}", src.name()), "title")];
    let p = trace.preemptions;
    caption
        .push((format!("schedule {}  ({p} preemption{})", schedule_of(trace), if p == 1 { "" } else { "s" }), "muted"));
    match &trace.status {
        Status::Violation(f) => caption.push((format!("violation {}: {}", f.kind.as_str(), f.message), "note")),
        Status::Finished(_) => caption.push(("every thread finished".into(), "note")),
        Status::Running => caption.push(("the schedule ends here; threads are still running".into(), "note")),
    }
    for s in explanation.sentences() {
        caption.push((s, ""));
    }
    let caption_h = 16.0 * caption.len() as f64 + 14.0;
    let lanes_top = caption_h + 10.0;
    let rows_top = lanes_top + 26.0;
    let y_of = |row: usize| rows_top + row as f64 * ROW_H;
    let x_of = |lane: usize| LEFT + lane as f64 * LANE_W;
    // The footer: legend and the source lines shown.
    let lines: BTreeSet<u32> = rows
        .iter()
        .filter_map(|r| match r {
            // The program's own lines (a library module's are named in each step's tip).
            Row::Step(s) if s.line > 0 && s.library.is_none() => Some(s.line),
            _ => None,
        })
        .collect();
    let footer_top = y_of(rows.len()) + 20.0;
    let height = footer_top + 75.0 + 15.0 * lines.len() as f64 + 20.0;
    let text_w = caption
        .iter()
        .map(|(t, _)| t.chars().count())
        .chain(lines.iter().map(|l| src.line_text(*l).trim().chars().count() + 12))
        .chain([LEGEND_RED.chars().count() + 5])
        .max()
        .unwrap_or(0) as f64
        * CHAR_W
        + 2.0 * PAD;
    let width = (x_of(lanes) + 24.0).max(text_w).ceil();

    let mut out = String::new();
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">"#
    );
    let _ = writeln!(out, "<title>{}</title>", escape(&format!("gilcheck trace of {}", src.name())));
    let _ = writeln!(out, "<style>{STYLE}</style>");
    out.push_str("<defs>\n");
    for (id, color) in [("arrow", BLUE), ("arrow-red", RED), ("arrow-orange", ORANGE)] {
        let _ = writeln!(
            out,
            r#"<marker id="{id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>"#
        );
    }
    out.push_str("</defs>\n");
    let _ = writeln!(out, r#"<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>"#);
    for (i, (t, class)) in caption.iter().enumerate() {
        let y = 22.0 + 16.0 * i as f64;
        let _ = writeln!(out, r#"<text x="{PAD}" y="{y}" class="{class}">{}</text>"#, escape(t));
    }
    // Lanes.
    let lanes_bottom = y_of(rows.len()) + 6.0;
    for lane in 0..lanes {
        let x = x_of(lane);
        let _ = writeln!(
            out,
            r#"<rect class="lane lane{}" id="lane-{}" x="{x}" y="{lanes_top}" width="{LANE_W}" height="{}"/>"#,
            lane % 2,
            escape(&thread_name(lane)),
            lanes_bottom - lanes_top
        );
        let _ = writeln!(
            out,
            r#"<text class="lanehead" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            x + LANE_W / 2.0,
            lanes_top + 18.0,
            escape(&thread_name(lane))
        );
    }
    let _ = writeln!(out, r#"<text class="muted" x="{PAD}" y="{}">step</text>"#, lanes_top + 18.0);
    // Rows.
    let mut pos: HashMap<u64, (usize, usize)> = HashMap::new();
    let marked = explanation
        .lost_update
        .as_ref()
        .map(|o| (o, "lostmark"))
        .or(explanation.stale_read.as_ref().map(|o| (o, "stalemark")));
    for (row, r) in rows.iter().enumerate() {
        let y = y_of(row);
        match r {
            Row::Run(run) => {
                let how = if run.preempted { " (preemption)" } else { "" };
                let label = format!(
                    "{} runs {} step{}{how}",
                    thread_name(run.tid),
                    thousands(run.steps),
                    if run.steps == 1 { "" } else { "s" }
                );
                let _ = writeln!(out, r#"<line class="run" x1="{PAD}" y1="{y}" x2="{}" y2="{y}"/>"#, x_of(lanes));
                let _ = writeln!(
                    out,
                    r#"<text class="muted" x="{}" y="{}">── {}</text>"#,
                    x_of(run.tid) + PAD,
                    y + 14.0,
                    escape(&label)
                );
            }
            Row::Step(s) => {
                pos.insert(s.index, (row, s.tid));
                let x = x_of(s.tid) + PAD;
                let w = LANE_W - 2.0 * PAD;
                let mut classes = format!("box {}", class(s));
                if let Some((o, mark)) = marked {
                    if s.index == o.read.step || s.index == o.write.step {
                        let _ = write!(classes, " {mark}");
                    }
                    if s.index == o.write.step && mark == "lostmark" {
                        classes = classes.replace("write", "lostfill");
                    }
                }
                if is_taken_step(explanation, s.index) {
                    classes.push_str(" lostmark");
                }
                let arg = if s.arg.is_empty() { String::new() } else { format!(" {}", s.arg) };
                let effect = s.effect.as_ref().map_or(String::new(), |e| format!(" → {e}"));
                let label = truncate(&format!("{}{arg}{effect}", s.opname), ((w - 40.0) / CHAR_W) as usize);
                let (module, text) = match s.library {
                    Some((module, text)) => (format!("{module} "), text),
                    None => (String::new(), src.line_text(s.line).trim()),
                };
                let tip = format!(
                    "step {} · {} · {module}line {}: {text}\n{}{arg}{effect}",
                    thousands(s.index + 1),
                    thread_name(s.tid),
                    s.line,
                    s.opname
                );
                let _ = writeln!(
                    out,
                    r#"<g><title>{}</title><rect class="{classes}" x="{x}" y="{}" width="{w}" height="{BOX_H}" rx="3"/><text class="muted" x="{}" y="{}">{}</text><text x="{}" y="{}">{}</text></g>"#,
                    escape(&tip),
                    y + 2.0,
                    x + 4.0,
                    y + 14.0,
                    if s.line > 0 { s.line.to_string() } else { String::new() },
                    x + 32.0,
                    y + 14.0,
                    escape(&label)
                );
                let _ = writeln!(
                    out,
                    r#"<text class="muted" x="{}" y="{}" text-anchor="end">{}</text>"#,
                    LEFT - PAD,
                    y + 14.0,
                    thousands(s.index + 1)
                );
            }
            Row::Skip(run) => {
                let x = x_of(run.tid) + PAD;
                let w = LANE_W - 2.0 * PAD;
                let first = run.head.last().map_or(0, |s| s.index + 1);
                let last = first + run.skipped_steps();
                let lost = marked.is_some_and(|(o, m)| {
                    m == "lostmark"
                        && o.by.iter().any(|(t, _)| *t == run.tid)
                        && first < o.write.step
                        && last > o.read.step
                });
                let class = if lost { "box skip lostmark" } else { "box skip" };
                let iters = match run.skipped_iterations {
                    0 => format!("{} steps", thousands(run.skipped_steps())),
                    1 => "1 iteration".to_string(),
                    n => format!("{} iterations", thousands(n)),
                };
                let detail = if run.skipped_iterations > 0 {
                    format!(
                        "({} steps{})",
                        thousands(run.skipped_steps()),
                        if lost { ", overwritten later" } else { "" }
                    )
                } else if lost {
                    "(overwritten later)".to_string()
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    r#"<g><title>{}</title><rect class="{class}" x="{x}" y="{}" width="{w}" height="{}" rx="3"/><text class="note" x="{}" y="{}" text-anchor="middle">{}</text><text class="muted" x="{}" y="{}" text-anchor="middle">{}</text></g>"#,
                    escape(&format!(
                        "{} runs {} more steps here: steps {}–{}",
                        thread_name(run.tid),
                        thousands(run.skipped_steps()),
                        thousands(first + 1),
                        thousands(last)
                    )),
                    y + 2.0,
                    2.0 * ROW_H - 4.0,
                    x + w / 2.0,
                    y + 15.0,
                    escape(&format!("… {iters} …")),
                    x + w / 2.0,
                    y + 30.0,
                    escape(&detail)
                );
            }
            Row::Blank => {}
            Row::Note(tid, text, color) => {
                let _ = writeln!(
                    out,
                    r#"<text class="note" x="{}" y="{}" fill="{color}" style="fill: {color}">{}</text>"#,
                    x_of(*tid) + PAD + 4.0,
                    y + 14.0,
                    escape(text)
                );
            }
        }
    }
    // Arrows: each write to the reads that see it.
    let box_left = |lane: usize| x_of(lane) + PAD;
    let box_right = |lane: usize| x_of(lane) + LANE_W - PAD;
    let mid = |row: usize| y_of(row) + 2.0 + BOX_H / 2.0;
    let arrow = |out: &mut String, from: (usize, usize), to: (usize, usize), color: &str, id: &str, dash: bool| {
        let ((fr, fl), (tr, tl)) = (from, to);
        let (y1, y2) = (mid(fr), mid(tr));
        let d = if fl == tl {
            let x = box_right(fl);
            format!("M{x},{y1} C{},{y1} {},{y2} {x},{y2}", x + 36.0, x + 36.0)
        } else if fl < tl {
            let (xa, xb) = (box_right(fl), box_left(tl));
            let c = (xb - xa) / 2.0;
            format!("M{xa},{y1} C{},{y1} {},{y2} {xb},{y2}", xa + c, xb - c)
        } else {
            let (xa, xb) = (box_left(fl), box_right(tl));
            let c = (xa - xb) / 2.0;
            format!("M{xa},{y1} C{},{y1} {},{y2} {xb},{y2}", xa - c, xb + c)
        };
        let dash = if dash { r#" stroke-dasharray="6 3""# } else { "" };
        let _ = writeln!(out, r#"<path class="arrow" d="{d}" stroke="{color}"{dash} marker-end="url(#{id})"/>"#);
    };
    for r in &rows {
        let Row::Step(s) = r else { continue };
        for a in &s.accesses {
            let (Some((w, _)), true) = (a.saw, a.data) else { continue };
            let (Some(&from), Some(&to)) = (pos.get(&w), pos.get(&s.index)) else { continue };
            let (color, id) = match marked {
                Some((o, "lostmark")) if o.read.step == s.index => (RED, "arrow-red"),
                Some((o, _)) if o.read.step == s.index => (ORANGE, "arrow-orange"),
                _ => (BLUE, "arrow"),
            };
            arrow(&mut out, from, to, color, id, false);
        }
    }
    // The lost update: the overwritten write to the write that replaces it, dashed red.
    if let Some((o, m)) = marked {
        if let (Some(&from), Some(&to)) = (pos.get(&o.last_other.step), pos.get(&o.write.step)) {
            let (color, id) = if m == "lostmark" { (RED, "arrow-red") } else { (ORANGE, "arrow-orange") };
            arrow(&mut out, from, to, color, id, true);
        }
    }
    // Each deadlocked thread's wait to the step where the awaited lock was taken.
    for (row, r) in rows.iter().enumerate() {
        let Row::Note(tid, _, _) = r else { continue };
        let Some(d) = &explanation.deadlock else { break };
        let taken = d.cycle.iter().chain(&d.others).find_map(|w| match &w.on {
            WaitOn::Lock { taken: Some(t), .. } if w.tid == *tid => Some(t.step),
            _ => None,
        });
        if let Some(&to) = taken.and_then(|t| pos.get(&t)) {
            arrow(&mut out, (row, *tid), to, RED, "arrow-red", true);
        }
    }
    // Legend and source lines.
    let mut x = PAD;
    let y = footer_top;
    for (class, label) in [
        ("read", "reads a global"),
        ("write", "writes a global"),
        ("lock", "lock"),
        ("life", "thread start/join/end"),
        ("local", "thread-local"),
        ("skip", "compressed"),
    ] {
        let _ = writeln!(
            out,
            r#"<rect class="box {class}" x="{x}" y="{}" width="14" height="12" rx="2"/><text x="{}" y="{}">{label}</text>"#,
            y - 10.0,
            x + 18.0,
            y
        );
        x += 18.0 + CHAR_W * label.len() as f64 + 16.0;
    }
    let _ = writeln!(
        out,
        r#"<text x="{PAD}" y="{}"><tspan style="fill: {BLUE}">→</tspan> a write to the read that sees it   <tspan style="fill: {ORANGE}">orange</tspan>: a stale read (the read, the write made on it)</text>"#,
        y + 20.0
    );
    let _ = writeln!(
        out,
        r#"<text x="{PAD}" y="{}"><tspan style="fill: {RED}">red</tspan>: {}</text>"#,
        y + 36.0,
        escape(LEGEND_RED)
    );
    for (i, l) in lines.iter().enumerate() {
        let _ = writeln!(
            out,
            r#"<text class="muted" x="{PAD}" y="{}">{}</text>"#,
            y + 60.0 + 15.0 * i as f64,
            escape(&format!("line {l:>3}: {}", src.line_text(*l).trim()))
        );
    }
    out.push_str("</svg>\n");
    out
}

/// Whether step `index` took a lock that a deadlocked thread waits for.
fn is_taken_step(e: &Explanation, index: u64) -> bool {
    e.deadlock.as_ref().is_some_and(|d| {
        d.cycle.iter().chain(&d.others).any(|w| matches!(&w.on, WaitOn::Lock { taken: Some(t), .. } if t.step == index))
    })
}

#[cfg(test)]
mod tests {
    use super::{escape, truncate};

    #[test]
    fn escapes_markup_and_forbidden_characters() {
        assert_eq!(escape("a<b & \"c\" 'd'>\u{1}"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\\x01");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
