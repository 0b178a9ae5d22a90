//! What the graphs say about states and steps: the [`Describe`] trait over [`System`], its
//! implementation for the Python VM, and the node and edge attributes built from it.

use super::{Attr, Attrs, Edge, EdgeKind, NodeRole};
use crate::engine::{thread_name, PyModel, Status, System};
use crate::vm::{self, Event, Object, StepInfo, ThreadStatus, Tid};

/// The instruction a thread is about to execute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepLabel {
    /// Its source line (0 when unknown).
    pub line: u32,
    /// Its opname, e.g. `LOAD_GLOBAL`.
    pub opname: &'static str,
    /// Its argument as `dis` shows it, e.g. `balance` (may be empty).
    pub arg: String,
}

impl StepLabel {
    /// `LOAD_GLOBAL balance`: the opname and the argument.
    pub fn instr(&self) -> String {
        if self.arg.is_empty() {
            self.opname.to_string()
        } else {
            format!("{} {}", self.opname, self.arg)
        }
    }
}

/// A [`System`] whose states and steps can be put into words: what the graphs need beyond
/// exploring.
pub trait Describe: System {
    /// The instruction that thread `tid` executes next in `s`.
    fn next_step(&self, s: &Self::State, tid: Tid) -> StepLabel;
    /// Where each thread is in `s`, e.g. `main:17 T1:11 T2:new`.
    fn threads(&self, s: &Self::State) -> String;
    /// The name of a shared object in `s` (a global's name, a lock's global, `T1`, …).
    fn object_name(&self, s: &Self::State, object: Object) -> String;
    /// The value of a shared object in `s` as Python's `repr`, when it is plain data.
    fn object_value(&self, s: &Self::State, object: Object) -> Option<String>;
}

impl Describe for PyModel {
    fn next_step(&self, s: &vm::State, tid: Tid) -> StepLabel {
        let program = &self.program;
        let frame = s.threads.get(tid).and_then(|t| t.frames.last());
        match frame {
            Some(f) => {
                let code = program.code(f.code);
                match code.instrs.get(f.pc as usize) {
                    Some(instr) => StepLabel {
                        line: code.locs.get(f.pc as usize).map_or(0, |l| l.line),
                        opname: instr.opname(),
                        arg: crate::bytecode::argrepr(program, code, instr),
                    },
                    None => StepLabel { line: 0, opname: "?", arg: String::new() },
                }
            }
            // A thread that has not started yet runs its target's first instruction.
            None => StepLabel { line: 0, opname: "START", arg: String::new() },
        }
    }

    fn threads(&self, s: &vm::State) -> String {
        let mut parts = Vec::new();
        for (tid, t) in s.threads.iter().enumerate() {
            let at = match &t.status {
                ThreadStatus::New { .. } => "new".to_string(),
                ThreadStatus::Finished => "done".to_string(),
                ThreadStatus::Failed { .. } => "failed".to_string(),
                ThreadStatus::Alive => {
                    let line = s.line_of(&self.program, tid).map_or("?".to_string(), |l| l.to_string());
                    if !vm::can_step(&self.program, s, tid) {
                        format!("{line} (blocked)")
                    } else if !vm::runnable(&self.program, s, tid) {
                        // Under a CPython model another thread holds the GIL between switch points.
                        format!("{line} (waits for the GIL)")
                    } else {
                        line
                    }
                }
            };
            parts.push(format!("{}:{at}", thread_name(tid)));
        }
        parts.join(" ")
    }

    fn object_name(&self, s: &vm::State, object: Object) -> String {
        match object {
            Object::Global(g) => self.program.globals.get(g as usize).cloned().unwrap_or_else(|| format!("global#{g}")),
            Object::Lock(l) => self.lock_name(s, l),
            Object::Thread(t) => thread_name(t as Tid),
            Object::Output => "output".into(),
            Object::Alloc => "allocator".into(),
            Object::Sync(id) => match s.sync.get(id as usize) {
                Some(obj) => self.sync_name(s, obj.kind(), id),
                None => format!("sync#{id}"),
            },
            Object::Heap(id) => heap_object_name(self.program.as_ref(), s, id),
        }
    }

    fn object_value(&self, s: &vm::State, object: Object) -> Option<String> {
        match object {
            Object::Global(g) => s.globals.get(g as usize).and_then(|v| s.shown_value(v)),
            Object::Heap(id) => s.shown_value(&vm::Value::Obj(id)),
            _ => None,
        }
    }
}

/// The footprint of a step in words: `read balance`, `write lock`, …
pub(super) fn accesses<M: Describe>(model: &M, s: &M::State, info: &StepInfo) -> Vec<String> {
    info.footprint
        .iter()
        .map(|a| {
            let verb = if a.is_write() { "write" } else { "read" };
            format!("{verb} {}", model.object_name(s, a.object()))
        })
        .collect()
}

/// What a step did, in words, from the state after it: `read balance = 0`, `acquired lock`, …
pub(super) fn effect<M: Describe>(model: &M, after: &M::State, info: &StepInfo) -> Option<String> {
    let mut out = Vec::new();
    for a in info.footprint.iter() {
        let o = a.object();
        if matches!(o, Object::Global(_)) {
            if let Some(v) = model.object_value(after, o) {
                let verb = if a.is_write() { "wrote" } else { "read" };
                out.push(format!("{verb} {} = {v}", model.object_name(after, o)));
            }
        }
    }
    let lock = |l: u32| model.object_name(after, Object::Lock(l));
    match &info.event {
        Event::None => {}
        Event::Print => out.push("printed".into()),
        Event::Sleep => out.push("sleeps (releases the GIL)".into()),
        Event::TimedWait => out.push("waits with a timeout (releases the GIL)".into()),
        Event::TimedOut => out.push("timed out".into()),
        Event::Acquire(l) => out.push(format!("acquired {}", lock(*l))),
        Event::AcquireFailed(l) => out.push(format!("did not get {} (held)", lock(*l))),
        Event::Release(l) => out.push(format!("released {}", lock(*l))),
        Event::Start(t) => out.push(format!("started {}", thread_name(*t))),
        Event::Join(t) => out.push(format!("joined {}", thread_name(*t))),
        Event::Exit => out.push("finished".into()),
        Event::Deleted => out.push("returned from its target: gone from threading.active_count()".into()),
        Event::Exiting => out.push("code ended: the exit waits for the threads that are not daemons".into()),
        Event::Raise(e) => out.push(format!("raised {e}")),
    }
    (!out.is_empty()).then(|| out.join("; "))
}

/// The edge of one step of `tid` (labelled `T1 · line 11 · LOAD_GLOBAL balance`).
pub(super) fn step_edge<M: Describe>(
    model: &M,
    tid: Tid,
    label: &StepLabel,
    after: &M::State,
    info: &StepInfo,
) -> Edge {
    let instr = label.instr();
    let mut attrs: Attrs = vec![
        ("thread", Attr::Int(tid as i64)),
        ("thread_name", Attr::Str(thread_name(tid))),
        ("line", Attr::Int(label.line as i64)),
        ("opname", Attr::Str(label.opname.into())),
        ("arg", Attr::Str(label.arg.clone())),
        ("instr", Attr::Str(instr.clone())),
        ("accesses", Attr::List(accesses(model, after, info))),
    ];
    if let Some(e) = effect(model, after, info) {
        attrs.push(("effect", Attr::Str(e)));
    }
    Edge {
        label: format!("{} · {} · {instr}", thread_name(tid), line_text(label.line)),
        kind: EdgeKind::Step,
        highlight: false,
        attrs,
    }
}

/// `line 11`, or `line ?` when unknown.
pub(super) fn line_text(line: u32) -> String {
    if line == 0 {
        "line ?".into()
    } else {
        format!("line {line}")
    }
}

/// The role of a node with this status.
pub(super) fn role(status: &Status) -> NodeRole {
    match status {
        Status::Running => NodeRole::Running,
        Status::Finished(_) => NodeRole::Final,
        Status::Violation(_) => NodeRole::Violation,
    }
}

/// The attributes of a state with this status: `globals`, `output` and, for a violation,
/// `violation_kind` and `violation` (a node's role says whether it is final).
pub(super) fn state_attrs<M: Describe>(model: &M, s: &M::State, status: &Status) -> Attrs {
    let outcome = model.project(s);
    let mut attrs: Attrs = vec![("globals", Attr::Map(outcome.globals)), ("output", Attr::List(outcome.output))];
    if let Status::Violation(f) = status {
        attrs.push(("violation_kind", Attr::Str(f.kind.as_str().into())));
        attrs.push(("violation", Attr::Str(f.message.clone())));
    }
    attrs
}

/// Label lines that describe a terminal state: its violation, or its globals and output.
pub(super) fn outcome_lines<M: Describe>(model: &M, s: &M::State, status: &Status) -> Vec<String> {
    let outcome = model.project(s);
    let mut lines = Vec::new();
    if let Status::Violation(f) = status {
        lines.push(shorten(&f.message, 60));
    }
    let globals: Vec<String> = outcome.globals.iter().map(|(k, v)| format!("{k}={}", shorten(v, 20))).collect();
    if !globals.is_empty() {
        lines.push(globals.join(" "));
    }
    for line in outcome.output.iter().take(3) {
        lines.push(format!("» {}", shorten(line, 40)));
    }
    if outcome.output.len() > 3 {
        lines.push(format!("» … {} more lines", outcome.output.len() - 3));
    }
    lines
}

/// `text`, cut to at most `max` characters with an ellipsis.
pub(super) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// A heap object's name in reports: the global bound to it (`a`), or its type and id
/// (`list#3`).
pub(crate) fn heap_object_name(program: &crate::bytecode::Program, s: &vm::State, id: u32) -> String {
    let bound = program.globals.iter().enumerate().find(|(g, _)| s.globals.get(*g) == Some(&vm::Value::Obj(id)));
    match bound {
        Some((_, name)) => name.clone(),
        None if (id as usize) < s.heap.len() => format!("{}#{id}", s.heap.type_name(&vm::Value::Obj(id))),
        None => format!("object#{id}"),
    }
}
