//! Replaying a schedule and rebuilding the full trace: which thread ran which instruction at
//! which line, and the values it read and wrote. Long solo stretches are kept as a head, a tail
//! and a count of what lies between, so a 14-million-step counterexample prints in a screenful.
//! On its way the replay gathers the [`Facts`] that explain the end state (lost updates, stale
//! reads, where locks were taken, who waits for whom), in constant memory per global and thread.

mod facts;
mod switch;

pub use facts::{Facts, Overwrite, Site, Taken, Wait, WaitOn};
pub use switch::{find_gap, first_preemption, warm_up_preemptions, Gap, StepRef};

use crate::bytecode::Instr;
use crate::engine::{thread_name, Execution, FindingKind, PyModel, RejectedLoops, Schedule, Status, StepError, System};
use crate::vm::{self, Access, Event, Footprint, Object, State, Tid, Value};
use facts::Observer;
use std::collections::VecDeque;
use std::fmt;

/// Steps shown at the start and at the end of each run of one thread.
const HEAD: usize = 10;
const TAIL: usize = 8;

/// One executed step, as the timeline shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceStep {
    /// 0-based index of the step in the schedule.
    pub index: u64,
    /// The thread.
    pub tid: Tid,
    /// The source line of the instruction.
    pub line: u32,
    /// For an instruction of a library module's code ([`crate::bytecode::Library`]): the
    /// module's name and the text of `line` in its source.
    pub library: Option<(&'static str, &'static str)>,
    /// The instruction's opname.
    pub opname: &'static str,
    /// The instruction's argument, as `dis` shows it (e.g. `balance`, `+=`).
    pub arg: String,
    /// What the step did to shared state, in words (e.g. `read balance = 0`).
    pub effect: Option<String>,
    /// The globals the step read or wrote, with the write each read saw.
    pub accesses: Vec<GlobalAccess>,
}

/// One access of a global by a step of the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalAccess {
    /// The global's slot (its name is `Trace::global_names[slot]`).
    pub global: u32,
    /// Whether the step wrote it (else it read it).
    pub write: bool,
    /// The value read or written, as `repr` shows it.
    pub value: String,
    /// Whether the value is data (an int, str, bool, None or tuple of them), not a function,
    /// module, lock or thread.
    pub data: bool,
    /// For a read: the 0-based index and thread of the write whose value it saw.
    pub saw: Option<(u64, Tid)>,
}

/// A run of consecutive steps of one thread: its first and last steps, and what lies between.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceRun {
    /// The thread.
    pub tid: Tid,
    /// All steps in the run.
    pub steps: u64,
    /// The first steps.
    pub head: Vec<TraceStep>,
    /// The last steps (empty when the run is short enough to show whole in `head`).
    pub tail: Vec<TraceStep>,
    /// Loop iterations (back-edges taken) between head and tail.
    pub skipped_iterations: u64,
    /// Whether this run started with a preemption (the previous thread could have continued).
    pub preempted: bool,
}

impl TraceRun {
    /// Steps between head and tail.
    pub fn skipped_steps(&self) -> u64 {
        self.steps - (self.head.len() + self.tail.len()) as u64
    }
}

/// A replayed schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// The runs, in order.
    pub runs: Vec<TraceRun>,
    /// The state reached.
    pub state: State,
    /// Whether that state is complete, a violation, or still running.
    pub status: Status,
    /// Preemptions made by the schedule.
    pub preemptions: u32,
    /// The program's global names, by slot (to name `state.globals`).
    pub global_names: Vec<String>,
    /// What the replay gathered to explain the end state.
    pub facts: Facts,
    /// Loop iterations the replay applied at once instead of stepping them (the trace is the
    /// same either way).
    pub accelerated_iterations: u64,
}

/// Why a schedule does not fit a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayError {
    /// 0-based index of the step that could not be taken.
    pub step: u64,
    /// Why.
    pub reason: String,
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the schedule does not fit this program at step {}: {} (was the program edited, or --set changed, since the schedule was made?)",
            self.step + 1,
            self.reason
        )
    }
}

impl std::error::Error for ReplayError {}

/// One global access of a step, kept inline (a step touches at most four objects).
#[derive(Clone, Debug)]
struct Seen {
    global: u32,
    write: bool,
    value: Value,
    saw: Option<(u64, Tid)>,
}

/// A step waiting to be shown (in a run's head or in its tail ring): nothing here allocates.
struct Pending {
    code: u32,
    pc: u32,
    footprint: Footprint,
    event: Event,
    seen: [Option<Seen>; 4],
}

/// Replays `schedule` from the initial state, checking that each step's thread can move. In
/// the middle of a long run of one thread, the iterations of a translation loop are applied at
/// once ([`System::solo_loop`]); the trace is the one [`replay_stepped`] gives.
pub fn replay(model: &PyModel, schedule: &Schedule) -> Result<Trace, ReplayError> {
    replay_with(model, schedule, true)
}

/// [`replay`] taking every step one by one (the cross-check of its loop acceleration).
pub fn replay_stepped(model: &PyModel, schedule: &Schedule) -> Result<Trace, ReplayError> {
    replay_with(model, schedule, false)
}

fn replay_with(model: &PyModel, schedule: &Schedule, accelerate: bool) -> Result<Trace, ReplayError> {
    let program = &model.program;
    let mut exec = Execution::start(model);
    let mut runs: Vec<TraceRun> = Vec::new();
    let mut index = 0u64;
    let mut obs = Observer::new(program.globals.len());
    let mut lap = Lap::default();
    let mut accelerated_iterations = 0;
    let mut ticks = 0;
    for seg in schedule.segments() {
        let tid = seg.tid;
        let preempted = exec.would_preempt(tid);
        let mut run =
            TraceRun { tid, steps: seg.steps, head: Vec::new(), tail: Vec::new(), skipped_iterations: 0, preempted };
        let mut ring: VecDeque<(u64, Pending)> = VecDeque::with_capacity(TAIL + 1);
        let mut back_edges_after_head = 0u64;
        let short = seg.steps <= (HEAD + TAIL + 2) as u64;
        let mut k = 0;
        while k < seg.steps {
            if accelerate && !short && k >= HEAD as u64 {
                if let Some(skipped) = skip_iterations(model, &mut exec, &mut obs, &mut lap, seg.steps - k, tid, k) {
                    back_edges_after_head += skipped.iterations;
                    accelerated_iterations += skipped.iterations;
                    index += skipped.steps;
                    k += skipped.steps;
                    continue;
                }
            }
            if let Some(l) = crate::budget::poll(&mut ticks) {
                return Err(ReplayError {
                    step: index,
                    reason: format!("{l} was reached while replaying the schedule"),
                });
            }
            if let Err(e) = exec.check(tid) {
                let reason = match e {
                    StepError::CannotMove(t) => match model.why_cannot_move(exec.state(), t) {
                        Some(why) => format!("{} {why}", thread_name(t)),
                        None => e.to_string(),
                    },
                    e => e.to_string(),
                };
                return Err(ReplayError { step: index, reason });
            }
            let Some(frame) = exec.state().threads[tid].frames.last() else {
                return Err(ReplayError { step: index, reason: format!("{} has no frame", thread_name(tid)) });
            };
            let (code, pc) = (frame.code, frame.pc);
            let code_obj = program.code(code);
            let back_edge = code_obj.instrs.get(pc as usize).is_some_and(Instr::is_back_edge);
            let line = code_obj.locs.get(pc as usize).map_or(0, |l| l.line);
            let info = exec.advance(tid);
            let state = exec.state();
            obs.ensure_threads(state.threads.len());
            let mut seen: [Option<Seen>; 4] = [None, None, None, None];
            // Reads first: a read sees the latest write before this step.
            for (slot, a) in seen.iter_mut().zip(info.footprint.iter()) {
                let (Access::Read(Object::Global(g)), Some(v)) = (a, global_value(state, a)) else { continue };
                let saw = obs.read(g, tid, index, line, v);
                *slot = Some(Seen { global: g, write: false, value: v.clone(), saw });
            }
            for (slot, a) in seen.iter_mut().zip(info.footprint.iter()) {
                let (Access::Write(Object::Global(g)), Some(v)) = (a, global_value(state, a)) else { continue };
                obs.write(g, tid, index, line, v);
                *slot = Some(Seen { global: g, write: true, value: v.clone(), saw: None });
            }
            match info.event {
                Event::Acquire(l) => obs.acquire(l, tid, index, line),
                Event::Release(l) => obs.release(l),
                _ => {}
            }
            if short || (k as usize) < HEAD {
                let p = Pending { code, pc, footprint: info.footprint, event: info.event, seen };
                run.head.push(render(model, state, index, tid, p));
            } else {
                if back_edge && k < seg.steps - TAIL as u64 {
                    back_edges_after_head += 1;
                }
                if k >= seg.steps - TAIL as u64 {
                    ring.push_back((index, Pending { code, pc, footprint: info.footprint, event: info.event, seen }));
                }
            }
            index += 1;
            k += 1;
        }
        run.tail = ring.into_iter().map(|(i, p)| render(model, exec.state(), i, tid, p)).collect();
        run.skipped_iterations = back_edges_after_head;
        runs.push(run);
    }
    let preemptions = exec.preemptions();
    let state = exec.into_state();
    let status = model.status(&state);
    let mut facts = obs.finish(&program.globals);
    facts.expect = model.expect.as_ref().map(|(_, text)| text.clone());
    if matches!(&status, Status::Violation(f) if f.kind == FindingKind::Deadlock) {
        facts.waits = waits(model, &state, &obs);
    }
    Ok(Trace { runs, state, status, preemptions, global_names: program.globals.clone(), facts, accelerated_iterations })
}

/// The last time the replayed thread stood at a loop head: where, at which step of its run,
/// and the write counters then (to measure one iteration's writes).
#[derive(Default)]
struct Lap {
    head: Option<(u32, u32, Tid)>,
    at: u64,
    totals: Vec<u64>,
    rejected: RejectedLoops,
}

/// Steps skipped at once in a run.
struct Skipped {
    iterations: u64,
    steps: u64,
}

/// Solo-loop acceleration inside a replay: when thread `tid`, at step `k` of its run with
/// `left` steps of it to go, stands at the head of a translation loop ([`System::solo_loop`])
/// for the second time in a row, one iteration after the last, the iterations that leave at
/// least the tail and two iterations to step are applied at once. The iteration just stepped
/// measured how many writes of each global one iteration makes, and the observer counts them
/// for the skipped ones ([`Observer::skip`]).
fn skip_iterations(
    model: &PyModel,
    exec: &mut Execution<'_, PyModel>,
    obs: &mut Observer,
    lap: &mut Lap,
    left: u64,
    tid: Tid,
    k: u64,
) -> Option<Skipped> {
    let frame = exec.state().threads.get(tid)?.frames.last()?;
    let head = (frame.code, frame.pc, tid);
    if !matches!(model.program.code(frame.code).instrs.get(frame.pc as usize), Some(Instr::ForIter(_))) {
        return None;
    }
    let again = lap.head == Some(head) && lap.at < k;
    let lapped = k - lap.at;
    let mark = |lap: &mut Lap, obs: &Observer| {
        lap.head = Some(head);
        lap.at = k;
        lap.totals.clear();
        lap.totals.extend_from_slice(obs.totals());
    };
    if !again {
        mark(lap, obs);
        return None;
    }
    let skip = model.solo_loop(exec.state(), tid, &mut lap.rejected).and_then(|l| {
        let keep = TAIL as u64 + 2 * l.steps;
        let n = l.iterations.saturating_sub(2).min(left.saturating_sub(keep) / l.steps.max(1));
        (l.steps == lapped && n > 0).then_some((l, n))
    });
    let Some((l, n)) = skip else {
        mark(lap, obs);
        return None;
    };
    let per: Vec<u64> = obs.totals().iter().zip(&lap.totals).map(|(now, then)| now - then).collect();
    obs.skip(tid, &per, n, n * l.steps);
    exec.apply_run(tid, |s| model.apply_solo_loop(s, tid, &l, n));
    lap.head = None;
    Some(Skipped { iterations: n, steps: n * l.steps })
}

/// Whether the run of `schedule` never terminates: when the state it ends in (with threads
/// still running) equals a state it passed earlier, repeating the steps between them loops
/// forever. Returns the number of steps after which that earlier state was reached.
pub fn repeats_earlier_state(model: &PyModel, schedule: &Schedule) -> Option<u64> {
    let run = |until: &mut dyn FnMut(&State, u64) -> bool| -> Option<State> {
        let mut exec = Execution::start(model);
        if until(exec.state(), 0) {
            return Some(exec.into_state());
        }
        for (i, tid) in schedule.steps().enumerate() {
            exec.step(tid).ok()?;
            if until(exec.state(), i as u64 + 1) {
                return Some(exec.into_state());
            }
        }
        Some(exec.into_state())
    };
    let end = run(&mut |_, _| false)?;
    if model.status(&end) != Status::Running {
        return None;
    }
    let total = schedule.len();
    let mut at = None;
    run(&mut |s, i| {
        let hit = i < total && *s == end;
        if hit {
            at = Some(i);
        }
        hit
    });
    at
}

/// The value of the global an access touches, if it touches one.
fn global_value(state: &State, a: Access) -> Option<&Value> {
    match a.object() {
        Object::Global(g) => state.globals.get(g as usize),
        _ => None,
    }
}

/// Who waits for what in a state where no thread can move.
fn waits(model: &PyModel, state: &State, obs: &Observer) -> Vec<Wait> {
    let mut out = Vec::new();
    for tid in 0..state.threads.len() {
        if !state.threads[tid].is_alive() {
            continue;
        }
        let line = state.line_of(&model.program, tid).unwrap_or(0);
        let on = match vm::blocker(&model.program, state, tid) {
            Some(vm::Blocker::Lock { lock, holder }) => {
                WaitOn::Lock { name: model.lock_name(state, lock), holder, taken: obs.taken(lock) }
            }
            Some(vm::Blocker::Join(t)) => WaitOn::Join(t),
            Some(b) => WaitOn::Sync { what: model.describe_wait(state, b), holder: PyModel::waits_for_thread(b) },
            None => continue,
        };
        out.push(Wait { tid, line, on });
    }
    out
}

fn render(model: &PyModel, state: &State, index: u64, tid: Tid, p: Pending) -> TraceStep {
    let program = &model.program;
    let code = program.code(p.code);
    let instr = &code.instrs[p.pc as usize];
    let line = code.locs.get(p.pc as usize).map_or(0, |l| l.line);
    let arg = crate::bytecode::argrepr(program, code, instr);
    let mut effects: Vec<String> = Vec::new();
    let mut accesses = Vec::new();
    for s in p.seen.iter().flatten() {
        let name = program.globals.get(s.global as usize).map_or("?", String::as_str);
        if s.value.is_data() {
            effects.push(format!("{} {name} = {}", if s.write { "wrote" } else { "read" }, s.value.repr()));
        }
        accesses.push(GlobalAccess {
            global: s.global,
            write: s.write,
            value: s.value.repr(),
            data: s.value.is_data(),
            saw: s.saw,
        });
    }
    describe_event(model, state, &p.event, &p.footprint, state.output.last().map(|l| l.as_ref()), &mut effects);
    let library = program.library_of(p.code).map(|l| {
        let text = l.source.lines().nth((line as usize).saturating_sub(1)).unwrap_or("").trim();
        (l.name, text)
    });
    TraceStep {
        index,
        tid,
        line,
        library,
        opname: instr.opname(),
        arg,
        effect: (!effects.is_empty()).then(|| effects.join("; ")),
        accesses,
    }
}

/// Appends to `effects` the words for what a step did besides reading and writing globals: its
/// event (`printed …`, `acquired lock`, `started T1`, …), or `thread state changed` when it
/// touched a thread's life without a named event. `printed` is the line a print step printed.
pub fn describe_event(
    model: &PyModel,
    state: &State,
    event: &Event,
    footprint: &Footprint,
    printed: Option<&str>,
    effects: &mut Vec<String>,
) {
    match event {
        Event::Print => {
            if let Some(l) = printed {
                effects.push(format!("printed {l:?}"));
            }
        }
        Event::Sleep => effects.push("sleeps (releases the GIL)".into()),
        Event::TimedWait => effects.push("waits with a timeout (releases the GIL)".into()),
        Event::TimedOut => effects.push("timed out".into()),
        Event::Acquire(l) => effects.push(format!("acquired {}", model.lock_name(state, *l))),
        Event::AcquireFailed(l) => effects.push(format!("did not get {} (held)", model.lock_name(state, *l))),
        Event::Release(l) => effects.push(format!("released {}", model.lock_name(state, *l))),
        Event::Start(t) => effects.push(format!("started {}", thread_name(*t))),
        Event::Join(t) => effects.push(format!("joined {}", thread_name(*t))),
        Event::Exit => effects.push("finished".into()),
        Event::Deleted => effects.push("returned from its target: gone from threading.active_count()".into()),
        Event::Exiting => effects.push("code ended: the exit waits for the threads that are not daemons".into()),
        Event::Raise(e) => effects.push(format!("raised {e}")),
        Event::None => {}
    }
    if effects.is_empty() && footprint.iter().any(|a| matches!(a, Access::Write(Object::Thread(_)))) {
        effects.push("thread state changed".into());
    }
}
