//! Replaying a schedule and rebuilding the full trace: which thread ran which instruction at
//! which line, and the values it read and wrote. Long solo stretches are kept as a head, a tail
//! and a count of what lies between, so a 14-million-step counterexample prints in a screenful.

use crate::bytecode::Instr;
use crate::explore::{thread_name, Model, PyModel, Schedule, Status};
use crate::vm::{self, Access, Event, Footprint, Object, State, Tid, Value};
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
    /// The instruction's opname.
    pub opname: &'static str,
    /// The instruction's argument, as `dis` shows it (e.g. `balance`, `+=`).
    pub arg: String,
    /// What the step did to shared state, in words (e.g. `read balance = 0`).
    pub effect: Option<String>,
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
#[derive(Clone, Debug)]
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

struct Pending {
    code: u32,
    pc: u32,
    footprint: Footprint,
    event: Event,
    values: Vec<(Object, bool, Value)>,
}

/// Replays `schedule` from the initial state, checking that each step's thread can move.
pub fn replay(model: &PyModel, schedule: &Schedule) -> Result<Trace, ReplayError> {
    let program = &model.program;
    let mut state = model.init();
    let mut runs: Vec<TraceRun> = Vec::new();
    let mut index = 0u64;
    let mut preemptions = 0;
    let mut prev: Option<(Tid, bool)> = None;
    for seg in schedule.segments() {
        let tid = seg.tid;
        let preempted = match prev {
            Some((p, free)) => p != tid && !free && vm::runnable(program, &state, p),
            None => false,
        };
        if preempted {
            preemptions += 1;
        }
        let mut run =
            TraceRun { tid, steps: seg.steps, head: Vec::new(), tail: Vec::new(), skipped_iterations: 0, preempted };
        let mut ring: VecDeque<(u64, Pending)> = VecDeque::with_capacity(TAIL + 1);
        let mut back_edges_after_head = 0u64;
        for k in 0..seg.steps {
            if let Status::Violation(f) = model.status(&state) {
                return Err(ReplayError { step: index, reason: format!("the run already ended: {}", f.message) });
            }
            if tid >= state.threads.len() {
                return Err(ReplayError { step: index, reason: format!("there is no thread {tid}") });
            }
            if !vm::runnable(program, &state, tid) {
                let why = match (&state.threads[tid].status, vm::blocker(program, &state, tid)) {
                    (vm::ThreadStatus::New { .. }, _) => "has not been started".to_string(),
                    (vm::ThreadStatus::Finished | vm::ThreadStatus::Failed { .. }, _) => "has finished".to_string(),
                    (_, Some(vm::Blocker::Lock { lock, .. })) => {
                        format!("is blocked on {}", model.lock_name(&state, lock))
                    }
                    (_, Some(vm::Blocker::Join(t))) => format!("is blocked joining {}", thread_name(t)),
                    _ => "cannot move".to_string(),
                };
                return Err(ReplayError { step: index, reason: format!("{} {why}", thread_name(tid)) });
            }
            let frame = state.threads[tid].frames.last().expect("[internal bug] runnable thread without a frame");
            let (code, pc) = (frame.code, frame.pc);
            let back_edge = matches!(
                program.code(code).instrs.get(pc as usize),
                Some(Instr::JumpBackward(_) | Instr::PopJumpBackwardIfTrue(_) | Instr::PopJumpBackwardIfFalse(_))
            );
            let info = model.step(&mut state, tid);
            let values = info
                .footprint
                .iter()
                .filter_map(|a| match a.object() {
                    Object::Global(g) => Some((a.object(), a.is_write(), state.globals[g as usize].clone())),
                    _ => None,
                })
                .collect();
            let slept = info.event == Event::Sleep;
            let p = Pending { code, pc, footprint: info.footprint, event: info.event, values };
            let short = seg.steps as usize <= HEAD + TAIL + 2;
            if short || (k as usize) < HEAD {
                run.head.push(render(model, &state, index, tid, p));
            } else {
                if back_edge && (k as usize) < seg.steps as usize - TAIL {
                    back_edges_after_head += 1;
                }
                ring.push_back((index, p));
                if ring.len() > TAIL {
                    ring.pop_front();
                }
            }
            index += 1;
            prev = Some((tid, slept));
        }
        run.tail = ring.into_iter().map(|(i, p)| render(model, &state, i, tid, p)).collect();
        run.skipped_iterations = back_edges_after_head;
        runs.push(run);
    }
    let status = model.status(&state);
    Ok(Trace { runs, state, status, preemptions, global_names: program.globals.clone() })
}

fn render(model: &PyModel, state: &State, index: u64, tid: Tid, p: Pending) -> TraceStep {
    let program = &model.program;
    let code = program.code(p.code);
    let instr = &code.instrs[p.pc as usize];
    let line = code.locs.get(p.pc as usize).map_or(0, |l| l.line);
    let arg = crate::bytecode::argrepr(program, code, instr);
    let mut effects: Vec<String> = Vec::new();
    for (obj, write, v) in &p.values {
        if let Object::Global(g) = obj {
            let name = &program.globals[*g as usize];
            if v.is_data() {
                effects.push(format!("{} {name} = {}", if *write { "wrote" } else { "read" }, v.repr()));
            }
        }
    }
    match &p.event {
        Event::Print => {
            if let Some(l) = state.output.last() {
                effects.push(format!("printed {:?}", l.as_ref()));
            }
        }
        Event::Sleep => effects.push("sleeps (releases the GIL)".into()),
        Event::Acquire(l) => effects.push(format!("acquired {}", model.lock_name(state, *l))),
        Event::AcquireFailed(l) => effects.push(format!("did not get {} (held)", model.lock_name(state, *l))),
        Event::Release(l) => effects.push(format!("released {}", model.lock_name(state, *l))),
        Event::Start(t) => effects.push(format!("started {}", thread_name(*t))),
        Event::Join(t) => effects.push(format!("joined {}", thread_name(*t))),
        Event::Exit => effects.push("finished".into()),
        Event::Raise(e) => effects.push(format!("raised {e}")),
        Event::None => {}
    }
    if effects.is_empty() && p.footprint.iter().any(|a| matches!(a, Access::Write(Object::Thread(_)))) {
        effects.push("thread state changed".into());
    }
    TraceStep {
        index,
        tid,
        line,
        opname: instr.opname(),
        arg,
        effect: (!effects.is_empty()).then(|| effects.join("; ")),
    }
}
