//! Counterexamples explained in words, from the facts a replay gathered: the lost update (who
//! read what, whose writes it overwrote), a stale check-then-act read, the deadlock's wait-for
//! cycle with the lines where each lock was taken, and the values named by a failing assert.

use super::Style;
use crate::explore::{thread_name, FindingKind, Status};
use crate::source::SourceFile;
use crate::text::{plural, thousands};
use crate::trace::{Overwrite, Site, Trace, Wait, WaitOn};
use serde_json::{json, Value as Json};
use std::fmt::Write as _;

/// Why a replayed schedule ends as it does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explanation {
    /// The worst lost update: a write that overwrote other threads' writes made since the
    /// writer last read the global.
    pub lost_update: Option<Overwrite>,
    /// When there is no lost update: a write made on a value that had changed since the writer
    /// read it (check-then-act).
    pub stale_read: Option<Overwrite>,
    /// For a deadlock: who waits for whom.
    pub deadlock: Option<Deadlock>,
    /// For a failing assert, an exception or `--expect`: the globals it names, with their values.
    pub values: Option<Values>,
}

/// A deadlock's wait-for relation: the cycle first, then the other waiting threads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deadlock {
    /// The threads on a wait-for cycle, each waiting for the next (the last for the first);
    /// empty when the waits form no cycle (e.g. a lock that a finished thread never released).
    pub cycle: Vec<Wait>,
    /// The other waiting threads.
    pub others: Vec<Wait>,
}

/// The globals that a failing check names, with their values at the violation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Values {
    /// The check's source line (0 for `--expect`).
    pub line: u32,
    /// The check's text: the source line, or the `--expect` expression.
    pub source: String,
    /// `(name, repr(value))` in the order the check names them.
    pub globals: Vec<(String, String)>,
}

impl Explanation {
    /// Whether there is nothing to explain.
    pub fn is_empty(&self) -> bool {
        self.lost_update.is_none() && self.stale_read.is_none() && self.deadlock.is_none() && self.values.is_none()
    }

    /// The explanation as sentences, one per fact, without colour.
    pub fn sentences(&self) -> Vec<String> {
        self.lines(Style::default())
    }

    fn lines(&self, style: Style) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(l) = &self.lost_update {
            out.push(format!("{} {}", style.paint("1;31", "lost update:"), lost_sentence(l, style)));
        }
        if let Some(s) = &self.stale_read {
            out.push(format!("{} {}", style.paint("1;33", "stale read:"), stale_sentence(s)));
        }
        if let Some(d) = &self.deadlock {
            out.extend(deadlock_sentences(d, style));
        }
        if let Some(v) = &self.values {
            let g: Vec<String> = v.globals.iter().map(|(n, v)| format!("{n} = {v}")).collect();
            let at = if v.line == 0 { format!("in --expect {}", v.source) } else { format!("at line {}", v.line) };
            out.push(format!("{} {}", style.paint("1", &format!("values {at}:")), g.join(", ")));
        }
        out
    }

    /// The explanation as an indented text block headed `explanation:` (empty when there is
    /// nothing to explain).
    pub fn render(&self, indent: &str, style: Style) -> String {
        let mut out = String::new();
        if self.is_empty() {
            return out;
        }
        let _ = writeln!(out, "{indent}{}", style.paint("1", "explanation:"));
        for l in self.lines(style) {
            let _ = writeln!(out, "{indent}  {l}");
        }
        out
    }

    /// The explanation as JSON: `text` (the sentences) and the structured facts
    /// (`lost_update`, `stale_read`, `deadlock`, `values`; `null` when absent). Steps are
    /// 1-based, as the timeline numbers them.
    pub fn to_json(&self) -> Json {
        json!({
            "text": self.sentences(),
            "lost_update": self.lost_update.as_ref().map(overwrite_json),
            "stale_read": self.stale_read.as_ref().map(overwrite_json),
            "deadlock": self.deadlock.as_ref().map(|d| json!({
                "cycle": d.cycle.iter().map(wait_json).collect::<Vec<_>>(),
                "others": d.others.iter().map(wait_json).collect::<Vec<_>>(),
            })),
            "values": self.values.as_ref().map(|v| json!({
                "line": v.line,
                "source": v.source,
                "globals": v.globals.iter().map(|(n, r)| json!({"name": n, "value": value_json(r)})).collect::<Vec<_>>(),
            })),
        })
    }
}

/// Adds `explanation` to the `counterexample` object of a report's JSON (other keys unchanged).
pub fn attach(report: &mut Json, explanation: &Explanation) {
    if let Some(c) = report.get_mut("counterexample").and_then(Json::as_object_mut) {
        c.insert("explanation".into(), explanation.to_json());
    }
}

/// Explains a replayed trace: its lost update (or stale read), its deadlock, and the values
/// that its failing check names (read from `src`).
pub fn explain(trace: &Trace, src: &SourceFile) -> Explanation {
    let facts = &trace.facts;
    let finding = match &trace.status {
        Status::Violation(f) => Some(f),
        _ => None,
    };
    let deadlocked = finding.is_some_and(|f| f.kind == FindingKind::Deadlock);
    let mut e = Explanation { lost_update: facts.lost_update.clone(), ..Explanation::default() };
    if e.lost_update.is_none() && !deadlocked {
        e.stale_read = facts.stale_read.clone();
    }
    if deadlocked {
        e.deadlock = Some(wait_for(&facts.waits));
    }
    if let Some(f) = finding {
        let (line, source) = match f.kind {
            FindingKind::Assertion | FindingKind::Exception if f.line > 0 => {
                (f.line, src.line_text(f.line).trim().to_string())
            }
            FindingKind::Expect => (0, facts.expect.clone().unwrap_or_default()),
            _ => (0, String::new()),
        };
        let globals: Vec<(String, String)> = names_in(&source)
            .into_iter()
            .filter_map(|n| {
                let slot = trace.global_names.iter().position(|g| *g == n)?;
                let v = trace.state.globals.get(slot)?;
                trace.state.shown_value(v).map(|r| (n, r))
            })
            .collect();
        if !globals.is_empty() {
            e.values = Some(Values { line, source, globals });
        }
    }
    e
}

/// Splits the waits into a wait-for cycle (rotated to start at its smallest thread) and the rest.
fn wait_for(waits: &[Wait]) -> Deadlock {
    let next = |t: usize| {
        waits.iter().find(|w| w.tid == t).and_then(|w| match &w.on {
            WaitOn::Lock { holder, .. } => *holder,
            WaitOn::Join(j) => Some(*j),
            WaitOn::Sync { holder, .. } => *holder,
        })
    };
    let mut best: Option<Vec<usize>> = None;
    for w in waits {
        // Follow the waits from w; a cycle closes when a thread repeats.
        let mut path = vec![w.tid];
        let mut cur = w.tid;
        while let Some(n) = next(cur) {
            if let Some(i) = path.iter().position(|&p| p == n) {
                let mut cycle = path.split_off(i);
                let min = cycle.iter().enumerate().min_by_key(|(_, t)| **t).map_or(0, |(i, _)| i);
                cycle.rotate_left(min);
                if best.as_ref().is_none_or(|b| cycle[0] < b[0]) {
                    best = Some(cycle);
                }
                break;
            }
            if path.len() > waits.len() {
                break;
            }
            path.push(n);
            cur = n;
        }
    }
    let order = best.unwrap_or_default();
    let cycle: Vec<Wait> = order.iter().filter_map(|t| waits.iter().find(|w| w.tid == *t)).cloned().collect();
    let mut others: Vec<Wait> = waits.iter().filter(|w| !order.contains(&w.tid)).cloned().collect();
    // Lock waits first: they are what keeps the joins waiting.
    others.sort_by_key(|w| (matches!(w.on, WaitOn::Join(_)), w.tid));
    Deadlock { cycle, others }
}

fn times(n: u64) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{} times", thousands(n)),
    }
}

fn at(s: &Site) -> String {
    format!("at line {} (step {})", s.line, thousands(s.step + 1))
}

/// "T1 then wrote balance 1,000,000 times", or "T1 and T3 then wrote balance 5 times (T1 3, T3 2)".
fn others_wrote(o: &Overwrite) -> String {
    let who: Vec<String> = o.by.iter().map(|(t, _)| thread_name(*t)).collect();
    let mut s = format!("{} then wrote {} {}", who.join(" and "), o.global, times(o.others));
    if o.by.len() > 1 {
        let each: Vec<String> = o.by.iter().map(|(t, n)| format!("{} {}", thread_name(*t), times(*n))).collect();
        let _ = write!(s, " ({})", each.join(", "));
    }
    let last = &o.last_other;
    let by = if o.by.len() > 1 { format!(" by {}", thread_name(last.tid)) } else { String::new() };
    let _ = write!(
        s,
        " (the last{by}: {} = {} at line {}, step {})",
        o.global,
        last.value.repr(),
        last.line,
        thousands(last.step + 1)
    );
    s
}

fn lost_sentence(o: &Overwrite, style: Style) -> String {
    let a = thread_name(o.tid);
    format!(
        "{a} read {g} = {r} {ra}; {others}; {a} wrote {g} = {w} {wa}, {}",
        style.paint("1", &format!("overwriting {}", plural(o.others, "update"))),
        g = o.global,
        r = o.read.value.repr(),
        ra = at(&o.read),
        others = others_wrote(o),
        w = o.write.value.repr(),
        wa = at(&o.write),
    )
}

fn stale_sentence(o: &Overwrite) -> String {
    let a = thread_name(o.tid);
    format!(
        "{a} read {g} = {r} {ra}; {others}; {a}, acting on the stale {g} = {r}, wrote {g} = {w} {wa}",
        g = o.global,
        r = o.read.value.repr(),
        ra = at(&o.read),
        others = others_wrote(o),
        w = o.write.value.repr(),
        wa = at(&o.write),
    )
}

/// "T1 waits at line 13 for lock_b, which T2 took at line 19 (step 57)"; `waiting` are all the
/// threads that wait (a holder that does not wait has ended without releasing the lock).
fn wait_sentence(w: &Wait, waiting: &[Wait]) -> String {
    let who = thread_name(w.tid);
    match &w.on {
        WaitOn::Lock { name, holder, taken } => {
            let mut s = format!("{who} waits at line {} for {name}", w.line);
            match (holder, taken) {
                (Some(h), Some(t)) => {
                    let _ = write!(
                        s,
                        ", which {} took at line {} (step {})",
                        thread_name(*h),
                        t.line,
                        thousands(t.step + 1)
                    );
                    if !waiting.iter().any(|o| o.tid == *h) {
                        let _ = write!(s, " and never released ({} has ended)", thread_name(*h));
                    }
                }
                (Some(h), None) => {
                    let _ = write!(s, ", held by {}", thread_name(*h));
                }
                _ => {}
            }
            s
        }
        WaitOn::Join(t) => format!("{who} waits at line {} to join {}", w.line, thread_name(*t)),
        WaitOn::Sync { what, .. } => format!("{who} {what} at line {}", w.line),
    }
}

fn deadlock_sentences(d: &Deadlock, style: Style) -> Vec<String> {
    let mut out = Vec::new();
    let label = style.paint("1;31", "deadlock:");
    let all: Vec<Wait> = d.cycle.iter().chain(&d.others).cloned().collect();
    let say = |w: &Wait| wait_sentence(w, &all);
    if d.cycle.is_empty() {
        let waits: Vec<String> = d.others.iter().map(say).collect();
        out.push(format!("{label} {}; no thread can move", waits.join("; ")));
        return out;
    }
    let waits: Vec<String> = d.cycle.iter().map(say).collect();
    let tail = if d.cycle.len() == 2 {
        "each waits for the other, so neither can ever move".to_string()
    } else {
        let names: Vec<String> = d.cycle.iter().chain(d.cycle.first()).map(|w| thread_name(w.tid)).collect();
        format!("a wait-for cycle {}, so none of them can ever move", names.join(" → "))
    };
    out.push(format!("{label} {}: {tail}", waits.join("; ")));
    if !d.others.is_empty() {
        let waits: Vec<String> = d.others.iter().map(say).collect();
        out.push(format!("{} {}", style.paint("1", "also:"), waits.join("; ")));
    }
    out
}

fn site_json(s: &Site) -> Json {
    json!({"thread": s.tid, "step": s.step + 1, "line": s.line, "value": value_json(&s.value.repr())})
}

fn overwrite_json(o: &Overwrite) -> Json {
    json!({
        "global": o.global,
        "thread": o.tid,
        "read": site_json(&o.read),
        "write": site_json(&o.write),
        "overwritten": o.others,
        "by": o.by.iter().map(|(t, n)| json!({"thread": t, "writes": n})).collect::<Vec<_>>(),
        "last_overwritten": site_json(&o.last_other),
    })
}

fn wait_json(w: &Wait) -> Json {
    match &w.on {
        WaitOn::Lock { name, holder, taken } => json!({
            "thread": w.tid,
            "line": w.line,
            "lock": name,
            "holder": holder,
            "taken_at_line": taken.map(|t| t.line),
            "taken_at_step": taken.map(|t| t.step + 1),
        }),
        WaitOn::Join(t) => json!({"thread": w.tid, "line": w.line, "join": t}),
        WaitOn::Sync { what, holder } => json!({"thread": w.tid, "line": w.line, "waits": what, "holder": holder}),
    }
}

/// A Python repr as JSON: ints that fit become numbers, booleans and None their JSON kin.
fn value_json(repr: &str) -> Json {
    match repr {
        "True" => json!(true),
        "False" => json!(false),
        "None" => Json::Null,
        _ => repr.parse::<i64>().map_or_else(|_| json!(repr), |i| json!(i)),
    }
}

/// The names a line of Python code refers to, in order of first use: identifiers outside
/// string literals and comments (but inside f-string replacement fields), not after a `.`.
pub fn names_in(code: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    scan(code, &mut out);
    out
}

fn push_name(out: &mut Vec<String>, name: &str) {
    const KEYWORDS: &[&str] = &[
        "and", "as", "assert", "break", "continue", "def", "del", "elif", "else", "False", "for", "from", "global",
        "if", "import", "in", "is", "lambda", "None", "nonlocal", "not", "or", "pass", "raise", "return", "True",
        "while", "with", "yield",
    ];
    if !KEYWORDS.contains(&name) && !out.iter().any(|n| n == name) {
        out.push(name.to_string());
    }
}

fn scan(code: &str, out: &mut Vec<String>) {
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    let mut after_dot = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '#' {
            break;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let lower = word.to_ascii_lowercase();
            let is_prefix = word.len() <= 2 && lower.chars().all(|c| "rbuf".contains(c));
            if is_prefix && i < chars.len() && (chars[i] == '\'' || chars[i] == '"') {
                i = string(&chars, i, lower.contains('f'), lower.contains('r'), out);
            } else if !after_dot {
                push_name(out, &word);
            }
            after_dot = false;
            continue;
        }
        if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                i += 1;
            }
            after_dot = false;
            continue;
        }
        if c == '\'' || c == '"' {
            i = string(&chars, i, false, false, out);
            after_dot = false;
            continue;
        }
        if !c.is_whitespace() {
            after_dot = c == '.';
        }
        i += 1;
    }
}

/// Skips the string literal whose opening quote is at `i`; scans f-string fields. Returns the
/// index after the closing quote (or the end of the line).
fn string(chars: &[char], mut i: usize, f: bool, raw: bool, out: &mut Vec<String>) -> usize {
    let q = chars[i];
    let triple = chars.get(i + 1) == Some(&q) && chars.get(i + 2) == Some(&q);
    i += if triple { 3 } else { 1 };
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && !raw {
            i += 2;
            continue;
        }
        if c == q && (!triple || (chars.get(i + 1) == Some(&q) && chars.get(i + 2) == Some(&q))) {
            return i + if triple { 3 } else { 1 };
        }
        if f && c == '{' {
            if chars.get(i + 1) == Some(&'{') {
                i += 2;
                continue;
            }
            // A replacement field: up to the matching '}', cut at a conversion or format spec.
            let start = i + 1;
            let mut depth = 0usize;
            let mut j = start;
            let mut end = None;
            while j < chars.len() {
                match chars[j] {
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' => depth = depth.saturating_sub(1),
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    '!' if depth == 0 && chars.get(j + 1) != Some(&'=') && end.is_none() => end = Some(j),
                    ':' if depth == 0 && end.is_none() => end = Some(j),
                    ch if ch == q => break,
                    _ => {}
                }
                j += 1;
            }
            let field: String = chars[start..end.unwrap_or(j).min(j)].iter().collect();
            scan(&field, out);
            i = if chars.get(j) == Some(&'}') { j + 1 } else { j };
            continue;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::names_in;

    #[test]
    fn names_skip_strings_but_read_fstring_fields() {
        assert_eq!(
            names_in(r#"assert balance == 2 * N, f"lost updates: balance is {balance}, expected {2 * N}""#),
            ["balance", "N"]
        );
        assert_eq!(names_in("assert tickets >= 0, f\"oversold: {tickets!r:>5}, sold = {sold}\""), ["tickets", "sold"]);
        assert_eq!(names_in("x = t1.join() + y  # z"), ["x", "t1", "y"]);
        assert_eq!(names_in("assert done, 'not done: count'"), ["done"]);
        assert_eq!(names_in("assert a != b'x' and rb'''y''' == c"), ["a", "c"]);
    }
}
