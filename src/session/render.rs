//! What the session shows: the threads, the globals, the steps a command took.

use super::{Advance, Raw, Refusal, Session, Status, StepRecord, Stop};
use crate::bytecode::describe_instr;
use crate::explore::thread_name;
use crate::report;
use crate::vm::{self, ThreadStatus, Tid, Value};
use std::fmt::Write as _;

/// One row of the thread table.
struct Row {
    name: String,
    status: String,
    colour: &'static str,
    instr: String,
    place: String,
}

impl Session<'_> {
    pub(super) fn render_intro(&self) -> String {
        let switch = self.model.switch;
        let points = if switch == crate::vm::SwitchModel::Bytecode {
            "every instruction boundary is a switch point"
        } else {
            "a thread that holds the GIL between two switch points is the only one that may run"
        };
        format!(
            "gilcheck explore: {} (switch model: {}: {points}; pick the thread that runs next, `help` lists the commands)",
            self.source.name(),
            switch.name()
        )
    }

    /// Everything at the current switch point: where the path stands, the threads, the
    /// globals, and how the run ended if it has.
    pub fn render_view(&self) -> String {
        let mut out = String::new();
        let steps = self.steps();
        let head = if steps == 0 {
            "── initial state".to_string()
        } else {
            let p = self.preemptions();
            let s = self.schedule.to_string();
            let sched = if s.len() <= 60 { format!(" · schedule {s}") } else { String::new() };
            format!(
                "── after {} step{} · {p} preemption{}{sched}",
                report::thousands(steps),
                if steps == 1 { "" } else { "s" },
                if p == 1 { "" } else { "s" }
            )
        };
        let _ = writeln!(out, "{}", self.opts.style.paint("1", &head));
        out.push_str(&self.render_threads());
        out.push_str(&self.render_globals());
        out.push_str(&self.render_end());
        out
    }

    /// The thread table: each thread's status, next instruction and source line.
    pub fn render_threads(&self) -> String {
        let rows: Vec<Row> = (0..self.now.state().threads.len()).map(|t| self.row(t)).collect();
        let w_name = rows.iter().map(|r| r.name.chars().count()).max().unwrap_or(0).max(6);
        let w_status = rows.iter().map(|r| r.status.chars().count()).max().unwrap_or(0).max(6);
        let w_instr = rows.iter().map(|r| r.instr.chars().count()).max().unwrap_or(0).max(16);
        let mut out = String::new();
        let title =
            format!("  {:<w_name$}  {:<w_status$}  {:<w_instr$}  source", "thread", "status", "next instruction");
        let _ = writeln!(out, "{}", self.opts.style.paint("2", title.trim_end()));
        for r in rows {
            let status = self.opts.style.paint(r.colour, &format!("{:<w_status$}", r.status));
            let line = format!("  {:<w_name$}  {status}  {:<w_instr$}  {}", r.name, r.instr, r.place);
            let _ = writeln!(out, "{}", line.trim_end());
        }
        out
    }

    /// A thread's status in words: `runnable`, `blocked on lock (held by T1)`, `blocked joining
    /// T2`, `finished`, `not started`, or `died at line 6 (AssertionError)`.
    pub fn thread_status(&self, tid: Tid) -> String {
        let Some(th) = self.now.state().threads.get(tid) else { return "does not exist".into() };
        match &th.status {
            ThreadStatus::New { .. } => "not started".into(),
            ThreadStatus::Finished => "finished".into(),
            ThreadStatus::Failed { exc, line } => format!("died at line {line} ({})", exc.kind.name()),
            ThreadStatus::Alive => match self.model.why_cannot_move(self.now.state(), tid) {
                None => "runnable".into(),
                Some(why) => why.trim_start_matches("is ").to_string(),
            },
        }
    }

    fn row(&self, tid: Tid) -> Row {
        let s = self.now.state();
        let program = &self.model.program;
        let status = self.thread_status(tid);
        let colour = match s.threads.get(tid).map(|t| &t.status) {
            Some(ThreadStatus::Alive) if status == "runnable" => "32",
            Some(ThreadStatus::Alive) => "33",
            Some(ThreadStatus::Failed { .. }) => "31",
            _ => "2",
        };
        let (mut instr, mut place) = (String::from("-"), String::new());
        if s.threads.get(tid).is_some_and(|t| t.is_alive()) {
            if let (Some(frame), Some(i)) = (s.threads[tid].frames.last(), vm::next_instr(program, s, tid)) {
                instr = describe_instr(program, program.code(frame.code), i);
            }
            if let Some(line) = s.line_of(program, tid).filter(|l| *l > 0) {
                let code = s.threads[tid].frames.last().map_or(0, |f| f.code);
                place = match program.library_of(code) {
                    Some(lib) => format!(
                        "{} line {line}: {}",
                        lib.name,
                        lib.source.lines().nth(line as usize - 1).unwrap_or("").trim()
                    ),
                    None => format!("line {line}: {}", self.source.line_text(line).trim()),
                };
            }
        }
        Row { name: thread_name(tid), status, colour, instr, place }
    }

    /// The data globals (`name = repr`), the locks, and the output printed so far.
    pub fn render_globals(&self) -> String {
        let s = self.now.state();
        let program = &self.model.program;
        let mut out = String::new();
        let globals: Vec<String> = program
            .globals
            .iter()
            .zip(s.globals.iter())
            .filter(|(n, v)| **v != Value::Null && !crate::bytecode::Program::is_library_name(n))
            .filter_map(|(n, v)| s.shown_value(v).map(|r| format!("{n} = {r}")))
            .collect();
        let shown = if globals.is_empty() { "(none yet)".to_string() } else { globals.join(", ") };
        let _ = writeln!(out, "  globals: {shown}");
        if !s.locks.is_empty() {
            // Held locks first, then free ones, at most SHOWN_LOCKS in all: a program that makes
            // a lock per iteration (`with threading.Lock():`) has as many as iterations.
            const SHOWN_LOCKS: usize = 16;
            let (held, free): (Vec<usize>, Vec<usize>) = (0..s.locks.len()).partition(|&l| s.locks[l].holder.is_some());
            let mut locks: Vec<String> = held
                .iter()
                .chain(free.iter())
                .take(SHOWN_LOCKS)
                .map(|&l| {
                    let name = self.model.lock_name(s, l as u32);
                    match s.locks[l].holder {
                        Some(h) => format!("{name} held by {}", thread_name(h)),
                        None => format!("{name} free"),
                    }
                })
                .collect();
            if s.locks.len() > SHOWN_LOCKS {
                locks.push(format!("and {} more", crate::report::thousands((s.locks.len() - SHOWN_LOCKS) as u64)));
            }
            let _ = writeln!(out, "  locks:   {}", locks.join(", "));
        }
        if !s.output.is_empty() {
            let lines: Vec<String> = s.output.iter().map(|l| format!("{:?}", l.as_ref())).collect();
            let _ = writeln!(out, "  output:  {}", lines.join(", "));
        }
        out
    }

    /// How the run ended, or nothing while it is running.
    fn render_end(&self) -> String {
        let style = self.opts.style;
        match self.status() {
            Status::Running => String::new(),
            Status::Finished(_) => format!("{}\n", style.paint("1;32", "── end: every thread finished")),
            Status::Violation(f) => {
                let mut out = format!(
                    "{}\n",
                    style.paint("1;31", &format!("── end: violation ({}): {}", f.kind.as_str(), f.message))
                );
                if f.line > 0 {
                    let text = self.source.line_text(f.line).trim();
                    let _ = writeln!(out, "   in {} at line {}: {text}", thread_name(f.thread), f.line);
                }
                out
            }
        }
    }

    /// The steps a command took (the first and last ones of a long stretch) and why it stopped.
    pub fn render_advance(&self, a: &Advance) -> String {
        let style = self.opts.style;
        let mut out = String::new();
        let who = thread_name(a.tid);
        let how = if a.preempted { style.paint("33", " (preemption)") } else { String::new() };
        let _ = writeln!(
            out,
            "  ── {who} runs {} step{}{how}",
            report::thousands(a.steps),
            if a.steps == 1 { "" } else { "s" }
        );
        for r in &a.head {
            self.render_step(&mut out, r);
        }
        if !a.tail.is_empty() {
            let skipped = a.steps - (a.head.len() + a.tail.len()) as u64;
            if skipped > 0 {
                let _ = writeln!(
                    out,
                    "{:>12}{}",
                    "",
                    style.paint("33", &format!("… {} steps …", report::thousands(skipped)))
                );
            }
            for r in &a.tail {
                self.render_step(&mut out, r);
            }
        }
        let why = match &a.stop {
            Stop::Done | Stop::RunEnded => None,
            Stop::Visible => {
                let s = self.now.state();
                let program = &self.model.program;
                let next = match (s.threads.get(a.tid).and_then(|t| t.frames.last()), vm::next_instr(program, s, a.tid))
                {
                    (Some(f), Some(i)) => format!(
                        ": {} at line {}",
                        describe_instr(program, program.code(f.code), i),
                        s.line_of(program, a.tid).unwrap_or(0)
                    ),
                    _ => String::new(),
                };
                Some(format!("{who} stops before its next visible step{next}"))
            }
            Stop::Blocked(reason) => Some(format!("{who} {reason}")),
            Stop::ThreadEnded => Some(format!("{who} {}", self.thread_status(a.tid))),
            Stop::Limit => Some(format!(
                "stopped after {} steps, the most one command takes; repeat it to go on",
                report::thousands(a.steps)
            )),
            Stop::TimeLimit => Some(format!(
                "stopped after {} steps at --max-time, the longest one command runs; repeat it to go on",
                report::thousands(a.steps)
            )),
        };
        if let Some(w) = why {
            let _ = writeln!(out, "  {}", style.paint("36", &w));
        }
        out
    }

    fn render_step(&self, out: &mut String, r: &StepRecord) {
        let effect = r.effect.as_ref().map_or(String::new(), |e| format!("  → {}", self.opts.style.paint("36", e)));
        let _ = writeln!(out, "  {:>8}  {:<5} line {:<4} {}{effect}", r.index + 1, thread_name(r.tid), r.line, r.instr);
    }

    pub(super) fn render_raw(&self, r: Raw) -> StepRecord {
        let program = &self.model.program;
        let code = program.code(r.code);
        let instr =
            code.instrs.get(r.pc as usize).map_or_else(|| "?".to_string(), |i| describe_instr(program, code, i));
        let line = code.locs.get(r.pc as usize).map_or(0, |l| l.line);
        let s = self.now.state();
        let mut effects: Vec<String> = Vec::new();
        for (g, write, v) in &r.values {
            if v.is_data() {
                let name = program.globals.get(*g as usize).map_or("?", |n| n.as_str());
                effects.push(format!("{} {name} = {}", if *write { "wrote" } else { "read" }, v.repr()));
            }
        }
        crate::trace::describe_event(self.model, s, &r.event, &r.footprint, r.printed.as_deref(), &mut effects);
        StepRecord {
            index: r.index,
            tid: r.tid,
            line,
            instr,
            effect: (!effects.is_empty()).then(|| effects.join("; ")),
        }
    }

    /// The current path as `gilcheck trace` shows it.
    pub(super) fn render_trace(&self) -> Result<String, Refusal> {
        if self.schedule.is_empty() {
            return Ok("no steps taken yet\n".into());
        }
        let t = crate::trace::replay(self.model, &self.schedule).map_err(|e| Refusal::Internal(e.to_string()))?;
        Ok(report::render_trace(&t, self.source, self.opts.style))
    }
}
