//! The compiled Python program as a [`System`]: the VM steps it, and its states project onto
//! outcomes and findings.

use super::finding::{Finding, FindingKind, Outcome};
use super::model::{RejectedLoops, SoloLoop, Status, System};
use crate::analysis::{self, loops::Head};
use crate::bytecode::{CodeId, Instr, Program};
use crate::vm::{self, Blocker, State, StepInfo, SwitchModel, Tid, Value};
use std::sync::Arc;

/// A compiled Python program as a [`System`].
#[derive(Clone, Debug)]
pub struct PyModel {
    /// The program.
    pub program: Arc<Program>,
    /// Where its threads may switch: the run's configuration, not part of the compiled
    /// program (changing it recompiles nothing).
    pub switch: SwitchModel,
    /// The `--expect` expression's code object, if any.
    pub expect: Option<(CodeId, String)>,
    /// The globals an outcome shows (`--vars`); all data globals when `None`.
    pub vars: Option<Vec<String>>,
    /// Which threads can touch which globals (the analysis stage's `Sharing` facts).
    pub sharing: Arc<analysis::Sharing>,
    /// Whether the stateful searches keep one state for every numbering of the heap
    /// ([`vm::canon`]); on unless a test compares against the search without it.
    pub heap_symmetry: bool,
    /// How many states were renumbered so, for the report.
    pub renumbered: Arc<std::sync::atomic::AtomicU64>,
}

impl PyModel {
    /// The model of `program` under switch model `switch`, with an optional `--expect` code
    /// object and `--vars` filter.
    pub fn new(
        program: Arc<Program>,
        switch: SwitchModel,
        expect: Option<(CodeId, String)>,
        vars: Option<Vec<String>>,
    ) -> Self {
        let sharing = Arc::new(analysis::Sharing::of(&program));
        PyModel { program, switch, expect, vars, sharing, heap_symmetry: true, renumbered: Arc::default() }
    }
}

impl PyModel {
    /// Projects a state onto its outcome: the shown globals and the output.
    pub fn outcome(&self, s: &State) -> Outcome {
        let mut globals = Vec::new();
        for (slot, name) in self.program.globals.iter().enumerate() {
            let v = &s.globals[slot];
            let Some(text) = s.shown_value(v) else { continue };
            let shown = match &self.vars {
                Some(vars) => vars.iter().any(|x| x == name),
                None => !name.starts_with('_') && !Program::is_library_name(name),
            };
            if shown && *v != Value::Null {
                globals.push((name.clone(), text));
            }
        }
        Outcome { globals, output: s.output.iter().map(|l| l.to_string()).collect(), violation: None }
    }

    /// The name of the global bound to lock `l`, or `lock#l`.
    pub fn lock_name(&self, s: &State, l: u32) -> String {
        self.program
            .globals
            .iter()
            .enumerate()
            .find(|(slot, _)| s.globals[*slot] == Value::Lock(l))
            .map_or_else(|| format!("lock#{l}"), |(_, n)| n.clone())
    }

    /// The name of the global bound to synchronisation object `id`, or e.g. `Event#2`.
    pub fn sync_name(&self, s: &State, kind: vm::SyncKind, id: u32) -> String {
        self.program
            .globals
            .iter()
            .enumerate()
            .find(|(slot, _)| s.globals[*slot] == Value::Sync(kind, id))
            .map_or_else(|| format!("{}#{id}", kind.name()), |(_, n)| n.clone())
    }

    /// What a blocked thread waits for, as a phrase that follows the thread's name, e.g.
    /// `waits on Event done`, `waits for Condition c's notify`, `waits in queue q.get() (empty)`.
    pub fn describe_wait(&self, s: &State, b: Blocker) -> String {
        let held = |h: Option<Tid>| h.map_or(String::new(), |h| format!(" (held by {})", thread_name(h)));
        match b {
            Blocker::Lock { lock, holder } => format!("waits for {}{}", self.lock_name(s, lock), held(holder)),
            Blocker::Join(t) => format!("waits to join {}", thread_name(t)),
            Blocker::Sync { object, kind, wait } => {
                let name = self.sync_name(s, kind, object);
                let k = kind.name();
                match wait {
                    vm::SyncWait::RLock { owner } => format!("waits for RLock {name}{}", held(owner)),
                    vm::SyncWait::Semaphore => format!("waits on {k} {name} (value 0)"),
                    vm::SyncWait::Event => format!("waits on Event {name}"),
                    vm::SyncWait::Notify => format!("waits for Condition {name}'s notify"),
                    vm::SyncWait::ConditionLock { holder } => {
                        format!("waits for Condition {name}'s lock{}", held(holder))
                    }
                    vm::SyncWait::Barrier { arrived, parties } => {
                        format!("waits at Barrier {name} ({arrived} of {parties} parties arrived)")
                    }
                    vm::SyncWait::BarrierDraining => {
                        format!("waits to enter Barrier {name} (the previous round is still leaving)")
                    }
                    vm::SyncWait::QueueGet => format!("waits in queue {name}.get() (empty)"),
                    vm::SyncWait::QueuePut { maxsize } => {
                        format!("waits in queue {name}.put() (full: maxsize {maxsize})")
                    }
                    vm::SyncWait::QueueJoin { unfinished } => format!(
                        "waits in queue {name}.join() ({unfinished} unfinished task{})",
                        if unfinished == 1 { "" } else { "s" }
                    ),
                }
            }
        }
    }

    /// Why thread `tid` may not take a step in `s`, as a phrase that follows the thread's name:
    /// `has not been started`, `has finished`, `died at line 6: AssertionError: …`, `is blocked
    /// on lock (held by T1)`, `is blocked joining T2`, `is blocked: waits on Event done`, or,
    /// under a CPython switch model, `waits for the GIL: T1 holds it until its next switch
    /// point`. `None` when it may move.
    pub fn why_cannot_move(&self, s: &State, tid: Tid) -> Option<String> {
        let Some(th) = s.threads.get(tid) else { return Some("does not exist".into()) };
        let held = |h: Option<Tid>| h.map_or(String::new(), |h| format!(" (held by {})", thread_name(h)));
        Some(match &th.status {
            vm::ThreadStatus::New { .. } => "has not been started".into(),
            vm::ThreadStatus::Finished => "has finished".into(),
            vm::ThreadStatus::Failed { exc, line } => format!("died at line {line}: {exc}"),
            vm::ThreadStatus::Alive => match vm::blocker(&self.program, s, tid) {
                Some(Blocker::Lock { lock, holder }) => {
                    format!("is blocked on {}{}", self.lock_name(s, lock), held(holder))
                }
                Some(Blocker::Join(t)) => format!("is blocked joining {}", thread_name(t)),
                Some(b) => format!("is blocked: {}", self.describe_wait(s, b)),
                None if th.frames.is_empty() => "has no frame".into(),
                None => match s.hold {
                    Some(h) if h != tid => format!(
                        "waits for the GIL: {} holds it until its next switch point under {}",
                        thread_name(h),
                        self.switch.name()
                    ),
                    _ => return None,
                },
            },
        })
    }

    /// The thread a blocked thread waits for, when one thread alone can release it (the holder
    /// of a lock, the thread to join).
    pub fn waits_for_thread(b: Blocker) -> Option<Tid> {
        match b {
            Blocker::Lock { holder, .. } => holder,
            Blocker::Join(t) => Some(t),
            Blocker::Sync { wait: vm::SyncWait::RLock { owner }, .. } => owner,
            Blocker::Sync { wait: vm::SyncWait::ConditionLock { holder }, .. } => holder,
            Blocker::Sync { .. } => None,
        }
    }

    /// The deadlock finding of a state where no thread can move: the wait-for relation, lock
    /// waits (the cycle) first.
    fn deadlock(&self, s: &State) -> Finding {
        let mut locks = Vec::new();
        let mut others = Vec::new();
        for tid in 0..s.threads.len() {
            if !s.threads[tid].is_alive() {
                continue;
            }
            let line = s.line_of(&self.program, tid).unwrap_or(0);
            match vm::blocker(&self.program, s, tid) {
                Some(b) => {
                    let what = format!("{} {} at line {line}", thread_name(tid), self.describe_wait(s, b));
                    let lockish = matches!(
                        b,
                        Blocker::Lock { .. }
                            | Blocker::Sync {
                                wait: vm::SyncWait::RLock { .. } | vm::SyncWait::ConditionLock { .. },
                                ..
                            }
                    );
                    if lockish {
                        locks.push((tid, line, what));
                    } else {
                        others.push((tid, line, what));
                    }
                }
                None => others.push((tid, line, format!("{} is stuck at line {line}", thread_name(tid)))),
            }
        }
        let (thread, line) = locks.first().or(others.first()).map_or((0, 0), |(t, l, _)| (*t, *l));
        let waits: Vec<String> = locks.into_iter().chain(others).map(|(_, _, w)| w).collect();
        Finding { kind: FindingKind::Deadlock, message: waits.join("; "), thread, line }
    }
}

/// How threads are named in reports: `main` for T0, `T1`, `T2`, … for the others.
pub fn thread_name(tid: Tid) -> String {
    if tid == 0 {
        "main".into()
    } else {
        format!("T{tid}")
    }
}

impl System for PyModel {
    type State = State;

    fn init(&self) -> State {
        State::initial(&self.program)
    }

    fn runnable(&self, s: &State, out: &mut Vec<Tid>) {
        out.clear();
        for tid in 0..s.threads.len() {
            if vm::runnable(&self.program, s, tid) {
                out.push(tid);
            }
        }
    }

    fn thread_count(&self, s: &State) -> usize {
        s.threads.len()
    }

    #[inline]
    fn step(&self, s: &mut State, tid: Tid) -> StepInfo {
        vm::step_in_place(&self.program, self.switch, s, tid)
    }

    fn runnable_after(&self, s: &State, stepped: Tid, info: &StepInfo, out: &mut Vec<Tid>) {
        // Whether another thread can move depends only on locks and thread lives; a step that
        // touched neither can only have changed whether `stepped` itself can move. Under a
        // CPython switch model every step may take or give back the GIL: recompute.
        if self.switch != SwitchModel::Bytecode
            || !self.program.libraries.is_empty()
            || info.footprint.touches_sync()
            || !matches!(info.event, vm::Event::None | vm::Event::Print)
        {
            return self.runnable(s, out);
        }
        let now = vm::runnable(&self.program, s, stepped);
        match out.binary_search(&stepped) {
            Ok(i) if !now => {
                out.remove(i);
            }
            Err(i) if now => out.insert(i, stepped),
            _ => {}
        }
    }

    fn status(&self, s: &State) -> Status {
        if let Some((tid, exc, line)) = s.failed_thread() {
            let (kind, message) = match exc.kind {
                vm::ExcKind::AssertionError => (FindingKind::Assertion, exc.to_string()),
                vm::ExcKind::Unsupported => (FindingKind::Unsupported, exc.message.clone()),
                vm::ExcKind::CheckerLimit => (FindingKind::CheckerLimit, exc.message.clone()),
                _ => (FindingKind::Exception, exc.to_string()),
            };
            return Status::Violation(Finding { kind, message, thread: tid, line });
        }
        if s.all_done() {
            if let Some((code, text)) = &self.expect {
                let verdict = vm::evaluate(&self.program, s, *code);
                let failed = match verdict {
                    Ok(v) if v.truthy() => None,
                    Ok(v) => Some(format!("--expect {text} is false (it evaluates to {})", v.repr())),
                    Err(e) => Some(format!("--expect {text} raised {e}")),
                };
                if let Some(message) = failed {
                    return Status::Violation(Finding { kind: FindingKind::Expect, message, thread: 0, line: 0 });
                }
            }
            return Status::Finished(self.outcome(s));
        }
        if (0..s.threads.len()).any(|t| vm::runnable(&self.program, s, t)) {
            return Status::Running;
        }
        Status::Violation(self.deadlock(s))
    }

    fn fingerprint(&self, s: &State) -> u128 {
        s.fingerprint()
    }

    #[inline]
    fn next_step_is_local(&self, s: &State, tid: Tid) -> bool {
        analysis::next_step_is_local(&self.program, s, tid, &self.sharing)
    }

    #[inline]
    fn worth_preempting_before(&self, s: &State, tid: Tid) -> bool {
        // A switch before an invisible step is redundant when the boundary right after that
        // step is certainly a switch point too: the step commutes to before the switch.
        analysis::worth_preempting_before(&self.program, self.switch, &self.sharing, s, tid)
    }

    fn next_step_is_back_edge(&self, s: &State, tid: Tid) -> bool {
        vm::next_instr(&self.program, s, tid).is_some_and(|i| i.is_back_edge())
    }

    fn project(&self, s: &State) -> Outcome {
        self.outcome(s)
    }

    fn line_of(&self, s: &State, tid: Tid) -> u32 {
        s.line_of(&self.program, tid).unwrap_or(0)
    }

    fn switch_model(&self) -> SwitchModel {
        self.switch
    }
    fn as_py(&self) -> Option<&PyModel> {
        Some(self)
    }

    fn canonicalize(&self, s: &mut State) {
        if self.heap_symmetry && vm::canon::canonicalize(s) {
            self.renumbered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    fn unshare(&self, s: &mut State) {
        s.unshare();
    }

    fn acyclic(&self) -> bool {
        analysis::loops::only_for_loops(&self.program)
    }

    fn solo_loop(&self, s: &State, tid: Tid, rejected: &mut RejectedLoops) -> Option<SoloLoop> {
        let frame = s.threads.get(tid)?.frames.last()?;
        let head = (frame.code, frame.pc);
        if !matches!(self.program.code(frame.code).instrs.get(frame.pc as usize), Some(Instr::ForIter(_)))
            || rejected.0.contains(&head)
        {
            return None;
        }
        match analysis::loops::analyze(&self.program, self.switch, &self.sharing, s, tid) {
            Head::Translation(t) => {
                Some(SoloLoop { iterations: t.remaining, steps: t.steps, yields: !t.yields.is_empty(), translation: t })
            }
            Head::Rejected { .. } => {
                rejected.0.insert(head);
                None
            }
            Head::NotALoop | Head::Short => None,
        }
    }

    fn apply_solo_loop(&self, s: &mut State, tid: Tid, l: &SoloLoop, k: u64) {
        l.translation.apply(s, tid, k.min(l.iterations));
    }
}
