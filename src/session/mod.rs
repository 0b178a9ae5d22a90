//! The stepping session behind `gilcheck explore`: a person (or a script on stdin) picks which
//! thread runs next, one step or a stretch at a time, and sees the threads, their next
//! instructions and the globals at every switch point.
//!
//! The session follows the switch model in force (`--switch`): under `bytecode` every step
//! boundary is a switch point; under a CPython model a thread that holds the GIL between two
//! switch points is the only one that may step, as in every search and replay (the rule is
//! [`Execution`]'s). Its path is a [`Schedule`] from the initial state, so whatever it reaches can be saved and replayed
//! with `gilcheck trace --schedule`, and a schedule can be loaded to start from.
//!
//! ```no_run
//! use gilcheck::session::{Options, Session};
//! let model = gilcheck::Model::from_file("models/race_condition.py")?.with_set("N", "2")?;
//! let mut session = Session::new(&model, Options::default());
//! session.step(0, 41)?; // main starts both threads and blocks joining T1
//! session.run_to_visible(1)?; // T1 runs up to its next access of a shared object
//! println!("{}", session.schedule());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Commands (see [`Command`]): `<tid>`, `step <tid> [n]`, `run <tid>`, `finish <tid>`,
//! `back [n]`, `restart`, `load <schedule>`, `save [path]`, `threads`, `globals`, `show`,
//! `trace`, `help`, `quit`. Threads are named by number (`0`, `1`) or name (`main`, `T1`). Lines
//! that start with `#` are comments. A refused command prints why, and the session goes on.
//!
//! At the end of the input (or `quit`) [`Session::run`] returns the exit code: 1 when the current
//! state is a violation (a failed assertion, an uncaught exception, a deadlock, a false
//! `--expect`), as `gilcheck trace` does for a schedule that ends in one; 0 otherwise.

mod command;
mod render;
#[cfg(test)]
mod tests;

pub use command::Command;

use crate::bytecode::{CodeId, GlobalId};
use crate::engine::{thread_name, Execution, PyModel, Schedule, Status, System as _};
use crate::report::Style;
use crate::source::SourceFile;
use crate::trace;
use crate::vm::{Event, Footprint, Object, State, Tid, Value};
use std::fmt;
use std::io::{self, BufRead, Write};

/// How many steps one command may take at most (a thread may loop forever).
pub const DEFAULT_MAX_STEPS: u64 = 20_000_000;

/// Undo points kept; older ones are dropped (undoing past them replays from the start).
const MAX_CHECKPOINTS: usize = 512;

/// Steps of one command shown at its start and at its end.
const HEAD: usize = 12;
const TAIL: usize = 6;

/// How a session talks to its user.
#[derive(Clone, Debug)]
pub struct Options {
    /// Colours (ANSI), as in reports.
    pub style: Style,
    /// Print the prompt `gilcheck> ` before reading each command (for a terminal).
    pub prompt: bool,
    /// Echo each command read after the prompt, so that a transcript of piped input reads like
    /// a terminal session.
    pub echo: bool,
    /// The most steps one command takes.
    pub max_steps: u64,
    /// The longest one command runs (`explore --max-time`); `None` for no limit.
    pub max_time: Option<std::time::Duration>,
    /// The command that replays a saved schedule, without `--schedule` (e.g.
    /// `gilcheck trace prog.py --set N=2`); `save` prints it.
    pub replay_command: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            style: Style::default(),
            prompt: false,
            echo: false,
            max_steps: DEFAULT_MAX_STEPS,
            max_time: None,
            replay_command: None,
        }
    }
}

/// Why a command was not carried out. The session is unchanged and goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The program has no such thread (yet).
    NoSuchThread {
        /// The thread asked for.
        tid: Tid,
        /// How many threads exist now.
        threads: usize,
    },
    /// The thread exists but cannot take a step now.
    CannotRun {
        /// The thread.
        tid: Tid,
        /// Why, e.g. `is blocked on lock_a (held by T2)`.
        reason: String,
    },
    /// The run has ended (every thread finished, or a violation): nothing can step.
    Ended(String),
    /// A schedule that does not parse or does not fit the program.
    Schedule(String),
    /// A command that is not understood.
    Usage(String),
    /// Something went wrong that should not (a bug in gilcheck).
    Internal(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NoSuchThread { tid, threads } => {
                let names: Vec<String> = (0..*threads).map(|t| format!("{} ({t})", thread_name(t))).collect();
                write!(f, "there is no thread {tid}; the threads are {}", names.join(", "))
            }
            Refusal::CannotRun { tid, reason } => write!(f, "{} cannot run: it {reason}", thread_name(*tid)),
            Refusal::Ended(why) => {
                write!(f, "the run has ended ({why}); `back` undoes steps, `load` or `restart` starts over")
            }
            Refusal::Schedule(e) | Refusal::Usage(e) => f.write_str(e),
            Refusal::Internal(e) => write!(f, "[internal bug] {e}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// One step the session took, as it shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepRecord {
    /// 0-based index of the step in the schedule.
    pub index: u64,
    /// The thread.
    pub tid: Tid,
    /// The source line of the instruction.
    pub line: u32,
    /// The instruction, as `dis` shows it (e.g. `LOAD_GLOBAL 2 (balance)`).
    pub instr: String,
    /// What it did to shared state, in words (e.g. `read balance = 0`).
    pub effect: Option<String>,
}

/// Why a command that runs a thread stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// It took the steps asked for.
    Done,
    /// Its next step touches a shared object (`run`).
    Visible,
    /// The thread is now blocked (the reason, e.g. `is blocked joining T1`).
    Blocked(String),
    /// The thread finished (or died with an exception).
    ThreadEnded,
    /// The run ended: every thread finished, or a violation.
    RunEnded,
    /// It took [`Options::max_steps`] steps.
    Limit,
    /// It ran for [`Options::max_time`].
    TimeLimit,
}

/// What a command that runs a thread did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Advance {
    /// The thread that ran.
    pub tid: Tid,
    /// How many steps it took.
    pub steps: u64,
    /// Whether the first step was a preemption (the previous thread could have gone on).
    pub preempted: bool,
    /// The first steps.
    pub head: Vec<StepRecord>,
    /// The last steps, when there were more than `head` shows (those between are left out).
    pub tail: Vec<StepRecord>,
    /// Why it stopped.
    pub stop: Stop,
}

/// What the input loop does after a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Read the next command.
    Continue,
    /// End the session.
    Quit,
}

/// A step as taken, before it is rendered (rendering every step of a long run would be slow).
struct Raw {
    index: u64,
    tid: Tid,
    code: CodeId,
    pc: u32,
    footprint: Footprint,
    event: Event,
    values: Vec<(GlobalId, bool, Value)>,
    printed: Option<String>,
}

/// How far a command runs a thread.
#[derive(Clone, Copy, Debug)]
enum Mode {
    Count(u64),
    UntilVisible,
    UntilBlocked,
}

/// A stepping session over one model: the current state and the schedule that reached it.
#[derive(Debug)]
pub struct Session<'m> {
    model: &'m PyModel,
    source: &'m SourceFile,
    opts: Options,
    schedule: Schedule,
    now: Execution<'m, PyModel>,
    /// Undo points: (steps taken, execution), ascending; the first is always the initial state.
    checkpoints: Vec<(u64, Execution<'m, PyModel>)>,
}

impl<'m> Session<'m> {
    /// A session at the initial state of `model`.
    pub fn new(model: &'m crate::Model, opts: Options) -> Self {
        let py = model.explorable();
        let init = Execution::start(py);
        Session {
            model: py,
            source: model.source(),
            opts,
            schedule: Schedule::new(),
            now: init.clone(),
            checkpoints: vec![(0, init)],
        }
    }

    /// The current state.
    pub fn state(&self) -> &State {
        self.now.state()
    }

    /// The schedule from the initial state to the current one.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// Steps taken from the initial state.
    pub fn steps(&self) -> u64 {
        self.schedule.len()
    }

    /// Preemptions the current schedule makes (switches away from a thread that could go on).
    pub fn preemptions(&self) -> u32 {
        self.now.preemptions()
    }

    /// Whether the current state is running, complete, or a violation.
    pub fn status(&self) -> Status {
        self.now.status()
    }

    /// The exit code the session ends with: 1 when the current state is a violation, else 0.
    pub fn exit_code(&self) -> u8 {
        match self.status() {
            Status::Violation(_) => 1,
            _ => 0,
        }
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// Whether thread `tid` can take a step now, and why not.
    pub fn can_run(&self, tid: Tid) -> Result<(), Refusal> {
        match self.status() {
            Status::Running => self.thread_can_run(tid),
            Status::Finished(_) => Err(Refusal::Ended("every thread finished".into())),
            Status::Violation(f) => Err(Refusal::Ended(format!("{}: {}", f.kind.as_str(), f.message))),
        }
    }

    /// [`Session::can_run`] without looking at whether the run has ended: whether the thread may
    /// move under the switch model in force (one that holds the GIL between two switch points is
    /// the only one that may), and why not.
    fn thread_can_run(&self, tid: Tid) -> Result<(), Refusal> {
        let s = self.now.state();
        if tid >= s.threads.len() {
            return Err(Refusal::NoSuchThread { tid, threads: s.threads.len() });
        }
        if self.now.may_run(tid) {
            return Ok(());
        }
        let reason = self.model.why_cannot_move(s, tid).unwrap_or_else(|| "cannot move".into());
        Err(Refusal::CannotRun { tid, reason })
    }

    /// Runs thread `tid` for `n` steps, or fewer if it blocks or ends, or the run ends.
    pub fn step(&mut self, tid: Tid, n: u64) -> Result<Advance, Refusal> {
        if n == 0 {
            return Err(Refusal::Usage("the number of steps must be at least 1".into()));
        }
        self.advance(tid, Mode::Count(n))
    }

    /// Runs thread `tid` one step, then on until just before its next *visible* step (one that
    /// touches a shared object, blocks, raises or ends the thread; see
    /// `analysis::next_step_is_local`), or until it blocks or ends.
    pub fn run_to_visible(&mut self, tid: Tid) -> Result<Advance, Refusal> {
        self.advance(tid, Mode::UntilVisible)
    }

    /// Runs thread `tid` until it blocks or ends, or the run ends.
    pub fn finish(&mut self, tid: Tid) -> Result<Advance, Refusal> {
        self.advance(tid, Mode::UntilBlocked)
    }

    fn advance(&mut self, tid: Tid, mode: Mode) -> Result<Advance, Refusal> {
        self.can_run(tid)?;
        self.checkpoint();
        let preempted = self.would_preempt(tid);
        let mut head = Vec::new();
        let mut ring: std::collections::VecDeque<Raw> = std::collections::VecDeque::new();
        let mut steps = 0u64;
        let started = std::time::Instant::now();
        let stop = loop {
            let raw = self.step_raw(tid)?;
            steps += 1;
            if head.len() < HEAD {
                head.push(self.render_raw(raw));
            } else {
                ring.push_back(raw);
                if ring.len() > TAIL {
                    ring.pop_front();
                }
            }
            if !matches!(self.status(), Status::Running) {
                break Stop::RunEnded;
            }
            if let Err(e) = self.thread_can_run(tid) {
                break match e {
                    Refusal::CannotRun { reason, .. } if reason.starts_with("is blocked") => Stop::Blocked(reason),
                    _ => Stop::ThreadEnded,
                };
            }
            match mode {
                Mode::Count(n) if steps >= n => break Stop::Done,
                Mode::UntilVisible if !self.model.next_step_is_local(self.now.state(), tid) => break Stop::Visible,
                _ => {}
            }
            if steps >= self.opts.max_steps {
                break Stop::Limit;
            }
            if steps.is_multiple_of(4096) && self.opts.max_time.is_some_and(|t| started.elapsed() >= t) {
                break Stop::TimeLimit;
            }
        };
        let tail = ring.into_iter().map(|r| self.render_raw(r)).collect();
        Ok(Advance { tid, steps, preempted, head, tail, stop })
    }

    fn would_preempt(&self, tid: Tid) -> bool {
        self.now.would_preempt(tid)
    }

    /// Takes one step of `tid`, which must be runnable (checked by the caller).
    fn step_raw(&mut self, tid: Tid) -> Result<Raw, Refusal> {
        let Some(frame) = self.now.state().threads.get(tid).and_then(|t| t.frames.last()) else {
            return Err(Refusal::Internal(format!("{} has no frame to step", thread_name(tid))));
        };
        let (code, pc) = (frame.code, frame.pc);
        let index = self.schedule.len();
        let info = self.now.advance(tid);
        self.schedule.push(tid);
        let s = self.now.state();
        let values = info
            .footprint
            .iter()
            .filter_map(|a| match a.object() {
                Object::Global(g) => s.globals.get(g as usize).map(|v| (g, a.is_write(), v.clone())),
                _ => None,
            })
            .collect();
        let printed = (info.event == Event::Print).then(|| s.output.last().map(|l| l.to_string())).flatten();
        Ok(Raw { index, tid, code, pc, footprint: info.footprint, event: info.event, values, printed })
    }

    fn checkpoint(&mut self) {
        let len = self.schedule.len();
        if self.checkpoints.last().is_some_and(|(i, _)| *i == len) {
            return;
        }
        if self.checkpoints.len() >= MAX_CHECKPOINTS {
            self.checkpoints.remove(1);
        }
        self.checkpoints.push((len, self.now.clone()));
    }

    /// Undoes the last `n` steps (all of them when there are fewer); returns how many it undid.
    pub fn back(&mut self, n: u64) -> Result<u64, Refusal> {
        let len = self.schedule.len();
        let n = n.min(len);
        let target = len - n;
        let keep = self.checkpoints.iter().rposition(|(i, _)| *i <= target).unwrap_or(0);
        let Some((base, point)) = self.checkpoints.get(keep).cloned() else {
            return Err(Refusal::Internal("no undo point".into()));
        };
        let mut schedule = self.schedule.clone();
        schedule.truncate_steps(n);
        let mut point = point;
        let mut index = 0u64;
        for seg in schedule.segments() {
            let start = index.max(base);
            let end = index + seg.steps;
            for _ in start..end {
                if point.step(seg.tid).is_err() {
                    return Err(Refusal::Internal(format!("re-replaying step {} failed", index + 1)));
                }
            }
            index = end;
        }
        self.checkpoints.truncate(keep + 1);
        self.schedule = schedule;
        self.now = point;
        Ok(n)
    }

    /// Goes back to the initial state.
    pub fn restart(&mut self) {
        self.checkpoints.truncate(1);
        if let Some((_, init)) = self.checkpoints.first() {
            self.now = init.clone();
        }
        self.schedule = Schedule::new();
    }

    /// Replaces the current path by `schedule`, replayed from the initial state. A schedule that
    /// does not fit the program is refused with [`trace::replay`]'s reason, and the session stays
    /// where it was.
    pub fn load(&mut self, schedule: &Schedule) -> Result<(), Refusal> {
        let mut point = Execution::start(self.model);
        for tid in schedule.steps() {
            if point.step(tid).is_err() {
                let why = match trace::replay(self.model, schedule) {
                    Err(e) => e.to_string(),
                    Ok(_) => "the schedule does not fit this program".to_string(),
                };
                return Err(Refusal::Schedule(why));
            }
        }
        self.restart();
        self.schedule = schedule.clone();
        self.now = point;
        self.checkpoint();
        Ok(())
    }

    /// [`Session::load`] of a schedule string such as `0x41,2x11,1x30`.
    pub fn load_str(&mut self, text: &str) -> Result<(), Refusal> {
        let schedule: Schedule = text.parse().map_err(|e: String| Refusal::Schedule(format!("load: {e}")))?;
        self.load(&schedule)
    }

    /// Reads commands from `input` until its end or `quit`, writing what happens to `output`;
    /// returns the exit code ([`Session::exit_code`]). Input need not be UTF-8 or a terminal.
    pub fn run<R: BufRead, W: Write>(&mut self, mut input: R, output: &mut W) -> io::Result<u8> {
        writeln!(output, "{}", self.render_intro())?;
        write!(output, "{}", self.render_view())?;
        let mut buf = Vec::new();
        loop {
            if self.opts.prompt {
                write!(output, "gilcheck> ")?;
            }
            output.flush()?;
            buf.clear();
            if input.read_until(b'\n', &mut buf)? == 0 {
                if self.opts.prompt {
                    writeln!(output)?;
                }
                break;
            }
            let line = String::from_utf8_lossy(&buf);
            let line = line.trim();
            if self.opts.echo && !line.is_empty() {
                writeln!(output, "gilcheck> {line}")?;
            }
            if self.execute_line(line, output)? == Flow::Quit {
                break;
            }
        }
        output.flush()?;
        Ok(self.exit_code())
    }

    /// Parses and carries out one command line, writing its result to `output`.
    pub fn execute_line<W: Write>(&mut self, line: &str, output: &mut W) -> io::Result<Flow> {
        match Command::parse(line) {
            Ok(cmd) => self.execute(&cmd, output),
            Err(e) => {
                writeln!(output, "{}", self.error(&e))?;
                Ok(Flow::Continue)
            }
        }
    }

    /// Carries out one command, writing its result (or why it was refused) to `output`.
    pub fn execute<W: Write>(&mut self, cmd: &Command, output: &mut W) -> io::Result<Flow> {
        let result: Result<String, Refusal> = match cmd {
            Command::Nothing => Ok(String::new()),
            Command::Quit => return Ok(Flow::Quit),
            Command::Help => Ok(command::HELP.to_string()),
            Command::Threads => Ok(self.render_threads()),
            Command::Globals => Ok(self.render_globals()),
            Command::Show => Ok(self.render_view()),
            Command::Trace => self.render_trace(),
            Command::Step { tid, count } => {
                self.step(*tid, *count).map(|a| format!("{}{}", self.render_advance(&a), self.render_view()))
            }
            Command::Run(tid) => {
                self.run_to_visible(*tid).map(|a| format!("{}{}", self.render_advance(&a), self.render_view()))
            }
            Command::Finish(tid) => {
                self.finish(*tid).map(|a| format!("{}{}", self.render_advance(&a), self.render_view()))
            }
            Command::Back(n) => self.back(*n).map(|k| {
                let what = match k {
                    0 => "nothing to undo: this is the initial state".to_string(),
                    1 => "undid 1 step".to_string(),
                    k => format!("undid {} steps", crate::report::thousands(k)),
                };
                format!("{what}\n{}", self.render_view())
            }),
            Command::Restart => {
                self.restart();
                Ok(format!("back at the initial state\n{}", self.render_view()))
            }
            Command::Load(text) => self.load_str(text).map(|()| {
                format!(
                    "loaded {} steps, {} preemption{}\n{}",
                    crate::report::thousands(self.steps()),
                    self.preemptions(),
                    if self.preemptions() == 1 { "" } else { "s" },
                    self.render_view()
                )
            }),
            Command::Save(path) => self.save(path.as_deref()),
        };
        match result {
            Ok(text) => write!(output, "{text}")?,
            Err(e) => writeln!(output, "{}", self.error(&e.to_string()))?,
        }
        Ok(Flow::Continue)
    }

    fn save(&self, path: Option<&str>) -> Result<String, Refusal> {
        let s = self.schedule.to_string();
        let mut out = if s.is_empty() {
            "schedule: (empty: no steps taken yet)\n".to_string()
        } else {
            format!("schedule: {s}\n")
        };
        if let (Some(cmd), false) = (&self.opts.replay_command, s.is_empty()) {
            out.push_str(&format!("replay:   {cmd} --schedule {s}\n"));
        }
        if let Some(p) = path {
            std::fs::write(p, format!("{s}\n")).map_err(|e| Refusal::Usage(format!("save: cannot write {p}: {e}")))?;
            out.push_str(&format!("saved to {p}\n"));
        }
        Ok(out)
    }

    fn error(&self, message: &str) -> String {
        self.opts.style.paint("31", &format!("error: {message}"))
    }
}
