//! The command line: the only place that reads arguments and the environment.

mod explore;
mod fix;
mod graph;
mod limits;
mod load;
mod output;
mod search;

use load::{drawn, load, refuse_unsupported, replay_args, stop_position};
use output::{emit, style};
pub use output::{Io, Terminal};
use search::SearchArgs;

use crate::bytecode::{disassemble, DisOptions};
use crate::explore::{Limits, ProgressFn, Reduction, Schedule, Strategy, Verdict};
use crate::report;
use crate::vm::SwitchModel;
use crate::{trace, Error, Model};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// gilcheck explores every interleaving of a small Python threading program that the GIL
/// allows, to prove its assertions or show the exact schedule that breaks them.
///
/// Exit codes: 0 the program holds, 1 a violation was found, 2 bad input or usage,
/// 3 inconclusive (a limit stopped the search first).
#[derive(Debug, Parser)]
#[command(name = "gilcheck", version, about, long_about = None, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

const EXAMPLES: &str = "Examples:
  gilcheck check models/race_condition.py                 # finds the lost update at N = 1,000,000
  gilcheck check models/safe_deposit.py --set N=3         # proves the locked version for N = 3
  gilcheck outcomes models/race_condition.py --set N=3    # every reachable final state
  gilcheck outcomes models/threading_demo.py --count      # every output order, with counts
  gilcheck trace models/race_condition.py --set N=2       # the counterexample, step by step
  gilcheck dis models/race_condition.py                   # the bytecode that is explored
  gilcheck check prog.py --expect 'balance == 2000' --format json";

#[derive(Debug, Subcommand)]
enum Command {
    /// Check every interleaving: prove the program's asserts (and --expect), or show a
    /// counterexample schedule (the one with the fewest preemptions first).
    Check(CheckArgs),
    /// List every distinct final state (globals and printed output) that some interleaving reaches.
    Outcomes(OutcomesArgs),
    /// Show a counterexample (or a given --schedule) as a timeline, step by step.
    Trace(TraceArgs),
    /// Print the bytecode that gilcheck explores, in the style of `python3.11 -m dis`.
    Dis(DisArgs),
    /// Export the state graph, the interleaving tree, or one schedule's happens-before graph
    /// (DOT, JSON node-link, GraphML).
    Graph(GraphArgs),
    /// Step through the program interactively: pick which thread runs next (commands on stdin).
    Explore(ExploreArgs),
    /// Propose a repair of a violated program: the smallest `with lock:` region around the
    /// accesses its counterexample blames (or a consistent lock order for a deadlock),
    /// re-checked under the same switch model and offered only if it holds, as a unified diff.
    Fix(FixArgs),
    /// Run the benchmark suite (the seed's programs) and print one JSON object per measurement.
    Bench(BenchArgs),
}

/// What `gilcheck graph` draws.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GraphKind {
    /// The state graph: nodes are states, edges are steps (thread, line, instruction).
    States,
    /// The interleaving tree: one path per interleaving.
    Tree,
    /// One schedule's happens-before graph: program order plus shared-access conflicts.
    Trace,
}

/// The file format of `gilcheck graph`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// JSON node-link (`{"nodes": [...], "links": [...]}`).
    Json,
    /// GraphML (XML).
    Graphml,
}

/// Arguments of `gilcheck graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// What to draw.
    #[arg(long, value_enum, default_value_t = GraphKind::States)]
    pub kind: GraphKind,
    /// The output format.
    #[arg(long, value_enum)]
    pub format: GraphFormat,
    /// Write to this file instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Mark the counterexample's path (or --schedule's) in the graph.
    #[arg(long)]
    pub highlight: bool,
    /// The schedule to draw (--kind trace) or highlight; by default the counterexample.
    #[arg(long, value_name = "SCHEDULE")]
    pub schedule: Option<String>,
    /// Do not draw graphs with more nodes than this: a larger one ends inconclusive (exit 3),
    /// naming the largest `--set` value that fits.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max_nodes: usize,
    /// Stop the counterexample search (for --highlight or --kind trace) after this many states.
    #[arg(long, value_name = "N")]
    pub max_states: Option<u64>,
    #[command(flatten)]
    resources: ResourceArgs,
}

/// Arguments of `gilcheck explore`.
#[derive(Debug, Args)]
pub struct ExploreArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Start from this schedule instead of the initial state.
    #[arg(long, value_name = "SCHEDULE")]
    pub schedule: Option<String>,
    /// Stop each command (`run`, `finish`, `step N`) after this many seconds; repeat it to go on.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = parse_seconds)]
    pub max_time: f64,
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// N for the stateful runs of the racy and locked programs.
    #[arg(long, value_delimiter = ',', default_value = "10,20,30")]
    sizes: Vec<u64>,
    /// Threads for the parallel stateful runs (default: every core).
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Debug, Args, Clone)]
/// Arguments shared by the commands that load a model.
pub struct ModelArgs {
    /// The Python file to check.
    file: PathBuf,
    /// Replace the value of a module-level constant `NAME = ...` (repeatable), e.g. --set N=3.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    sets: Vec<String>,
    /// An expression over the module's globals that must hold in every final state.
    #[arg(long, value_name = "EXPR")]
    expect: Option<String>,
    /// Where threads may switch: `bytecode` (every instruction boundary: all the language
    /// promises), `cpython-3.9` … `cpython-3.13` (where that version checks its eval breaker), or
    /// `all` (check: one verdict per model, and why they differ).
    #[arg(long = "switch", value_name = "MODEL", default_value = "bytecode", value_parser = parse_switch_choice)]
    switch: SwitchChoice,
    /// The values of unseeded `random.randint`/`random.choice` draws, as a counterexample's
    /// replay gives them: `T.K=I` makes thread T's K-th draw (from 0) take the I-th value (from 0)
    /// of its range; a draw left out takes the first. `check` explores every value of the rest.
    #[arg(long, value_name = "T.K=I,...", value_parser = parse_tape)]
    draws: Option<crate::bytecode::Tape>,
}

fn parse_tape(s: &str) -> Result<crate::bytecode::Tape, String> {
    s.parse()
}

/// `--switch`: one model, or every model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SwitchChoice {
    One(SwitchModel),
    All,
}

fn parse_switch_choice(s: &str) -> Result<SwitchChoice, String> {
    if s.trim() == "all" {
        return Ok(SwitchChoice::All);
    }
    s.parse().map(SwitchChoice::One)
}

/// The limits every command but `explore` and `bench` honours: time and memory.
#[derive(Debug, Args, Clone)]
struct ResourceArgs {
    /// Stop after this many seconds of the whole command (verdict inconclusive, exit 3).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    max_time: Option<f64>,
    /// Stop when the memory in use passes this many MiB (verdict inconclusive, exit 3).
    /// Default: half the physical memory (MemTotal in /proc/meminfo).
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..=(1 << 40)))]
    max_memory: Option<u64>,
}

/// The exit code of a verdict: 0 holds, 1 violated, 3 inconclusive (2 is a refusal: bad input,
/// or a construct the checker does not model).
fn exit_code(v: Verdict) -> u8 {
    match v {
        Verdict::Holds => 0,
        Verdict::Violated => 1,
        Verdict::Inconclusive => 3,
    }
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v < 1e9 => Ok(v),
        _ => Err(format!("expected a positive number of seconds, e.g. 5 or 0.5 (got '{s}')")),
    }
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    search: SearchArgs,
}

#[derive(Debug, Args)]
struct OutcomesArgs {
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    search: SearchArgs,
    /// Show only these globals (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    vars: Option<Vec<String>>,
    /// Count the interleavings, in all and of each outcome (by dynamic programming over the
    /// state graph; with --strategy enumerate, one by one). Without it nothing is counted.
    #[arg(long)]
    count: bool,
    /// Find the smallest final value of this int global and a witness schedule, at full size:
    /// context-bounded search (bounds 0..--max-preemptions, 4 unless given) with solo-loop
    /// acceleration; the witness is certified by replaying it on the plain interpreter.
    #[arg(long, value_name = "VAR", conflicts_with_all = ["maximize", "count", "strategy"])]
    minimize: Option<String>,
    /// Find the largest final value of this int global and a witness schedule (as --minimize).
    #[arg(long, value_name = "VAR", conflicts_with_all = ["minimize", "count", "strategy"])]
    maximize: Option<String>,
}

#[derive(Debug, Args)]
struct TraceArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// The schedule to replay (as printed by `check`); without it, the counterexample is found first.
    #[arg(long, value_name = "SCHEDULE")]
    schedule: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also draw the timeline as an SVG file (swim lanes, one per thread).
    #[arg(long, value_name = "PATH")]
    svg: Option<PathBuf>,
    /// Stop the counterexample search after this many states.
    #[arg(long, value_name = "N")]
    max_states: Option<u64>,
    #[command(flatten)]
    resources: ResourceArgs,
}

/// Arguments of `gilcheck fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Apply the repair to the file (only a repair that was proved).
    #[arg(long)]
    write: bool,
    /// The most candidate repairs to re-check before giving up.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=1000))]
    max_candidates: u64,
    /// Stop each check after this many states.
    #[arg(long, value_name = "N")]
    max_states: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    resources: ResourceArgs,
}

#[derive(Debug, Args)]
struct DisArgs {
    /// The Python file.
    file: PathBuf,
    /// Replace the value of a module-level constant (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    sets: Vec<String>,
    /// Mark the switch points of this model (`bytecode`, `cpython-3.9` … `cpython-3.13`) in a
    /// `[S]` column, with why each is one.
    #[arg(long = "switch", value_name = "MODEL", value_parser = parse_switch)]
    switch: Option<SwitchModel>,
    #[command(flatten)]
    resources: ResourceArgs,
}

fn parse_switch(s: &str) -> Result<SwitchModel, String> {
    s.parse()
}

/// Parses the process's arguments, runs the command on the process's streams, and returns
/// the exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let terminal = Terminal {
        stdin: std::io::stdin().is_terminal(),
        stdout: std::io::stdout().is_terminal(),
        stderr: std::io::stderr().is_terminal(),
    };
    let (stdin, stdout, stderr) = (std::io::stdin(), std::io::stdout(), std::io::stderr());
    // Stdout and stderr stay unlocked (each write takes the lock): a distributed search's
    // networking threads print to them while the command runs.
    let (mut input, mut output, mut errors) = (stdin.lock(), stdout, stderr);
    let mut io = Io { stdin: &mut input, stdout: &mut output, stderr: &mut errors, terminal };
    ExitCode::from(execute(cli, &mut io, true))
}

/// Runs the command line `args` (the program name first, as in `std::env::args_os`) on the
/// streams of `io`, and returns the exit code. A usage error from the argument parser is
/// written to `io.stderr` (exit 2); `--help` and `--version` to `io.stdout` (exit 0). The limits
/// are honoured by the searches themselves; the process-wide guards of [`run`] (the watchdog
/// that ends the process past the deadline, the allocator's hard cap) are not installed.
pub fn run_with<I, T>(args: I, io: &mut Io<'_>) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    match Cli::try_parse_from(args) {
        Ok(cli) => execute(cli, io, false),
        Err(e) => {
            let text = e.render().to_string();
            let stream = if e.use_stderr() { &mut *io.stderr } else { &mut *io.stdout };
            let _ = stream.write_all(text.as_bytes()).and_then(|()| stream.flush());
            u8::try_from(e.exit_code()).unwrap_or(2)
        }
    }
}

impl Cli {
    /// Whether the command's output is JSON (then errors are JSON objects on stdout too).
    fn wants_json(&self) -> bool {
        match &self.command {
            Command::Check(a) => matches!(a.search.format, Format::Json),
            Command::Outcomes(a) => matches!(a.search.format, Format::Json),
            Command::Trace(a) => matches!(a.format, Format::Json),
            Command::Graph(a) => a.format == GraphFormat::Json,
            Command::Fix(a) => matches!(a.format, Format::Json),
            _ => false,
        }
    }
}

fn execute(cli: Cli, io: &mut Io<'_>, process: bool) -> u8 {
    let json = cli.wants_json();
    let run = limits::start(&cli, process);
    let _active = run.as_ref().map(|r| crate::budget::enter(&r.budget));
    let code = match dispatch(cli, io) {
        Ok(code) => code,
        Err(e) if output::is_closed_pipe(&e) => 0,
        // An error that a limit caused (a replay or a graph cut short): inconclusive.
        Err(e) if run.as_ref().is_some_and(|r| r.budget.stopped().is_some()) => {
            let r = run.as_ref().expect("checked");
            limits::report_stopped(r, &e.to_string(), &mut *io.stdout);
            3
        }
        Err(e) => {
            output::report_error(io, &e, json);
            e.exit_code()
        }
    };
    let _ = io.stdout.flush();
    let _ = io.stderr.flush();
    code
}

fn limits(args: &SearchArgs) -> Limits {
    limits::of(args.max_states)
}

/// A spinner on stderr for runs over a second, only when stderr is a terminal.
fn progress_bar(io: &Io<'_>) -> (Option<indicatif::ProgressBar>, Option<ProgressFn>) {
    if !io.terminal.stderr {
        return (None, None);
    }
    let bar = indicatif::ProgressBar::new_spinner();
    let b = bar.clone();
    let f = ProgressFn(Arc::new(move |p: &crate::explore::Progress| {
        if p.seconds >= 1.0 {
            b.set_message(format!(
                "{:.0} s: {} states, {} steps, {} executions",
                p.seconds,
                report::thousands(p.states),
                report::thousands(p.transitions),
                report::thousands(p.executions)
            ));
            b.tick();
        }
    }));
    (Some(bar), Some(f))
}

/// `check --switch all`: the program under every model, one verdict each, and why they differ.
fn check_all(a: &CheckArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let mut args = a.model.clone();
    args.switch = SwitchChoice::One(SwitchModel::Bytecode);
    let base = load(&args, None)?;
    let (strategy, reduction) = a.search.plan(Strategy::Auto, Reduction::Full)?;
    let mut rows = Vec::new();
    let mut models = Vec::new();
    for &m in SwitchModel::ALL {
        let model = base.clone().with_switch(m)?;
        let checker = model.checker().strategy(strategy).reduction(reduction).limits(limits(&a.search));
        let report = a.search.threads(checker)?.check();
        let model = drawn(&model, &report)?;
        let preemption = report
            .counterexample
            .as_ref()
            .and_then(|c| trace::first_preemption(model.explorable(), &c.schedule).ok().flatten());
        refuse_unsupported(&report, &model)?;
        let warm_up = report
            .counterexample
            .as_ref()
            .and_then(|c| trace::warm_up_preemptions(model.explorable(), &c.schedule).ok())
            .unwrap_or_default();
        rows.push(report::ModelVerdict { model: m, report, gap: None, preemption, warm_up });
        models.push(model);
    }
    // Each model that holds, against the first counterexample found under another model.
    let witness = rows.iter().position(|r| r.report.verdict == Verdict::Violated && r.report.counterexample.is_some());
    if let Some(w) = witness {
        let schedule = rows[w].report.counterexample.as_ref().map(|c| c.schedule.clone()).expect("checked");
        for i in 0..rows.len() {
            if rows[i].report.verdict == Verdict::Holds {
                if let Ok(Some(gap)) = trace::find_gap(models[w].explorable(), &schedule, rows[i].model) {
                    rows[i].gap = Some((rows[w].model, gap));
                }
            }
        }
    }
    limits::reporting();
    match a.search.format {
        Format::Json => emit(io, &format!("{}\n", report::models_to_json(&rows, base.source().name())))?,
        Format::Text => emit(io, &report::render_models(&rows, base.source(), style(io)))?,
    }
    let verdicts: Vec<Verdict> = rows.iter().map(|r| r.report.verdict).collect();
    Ok(if verdicts.contains(&Verdict::Violated) {
        exit_code(Verdict::Violated)
    } else if verdicts.contains(&Verdict::Inconclusive) {
        exit_code(Verdict::Inconclusive)
    } else {
        0
    })
}

fn dispatch(cli: Cli, io: &mut Io<'_>) -> Result<u8, Error> {
    match cli.command {
        Command::Check(a) if a.model.switch == SwitchChoice::All => check_all(&a, io),
        Command::Check(a) => {
            let model = load(&a.model, None)?;
            let (strategy, reduction) = a.search.plan(Strategy::Auto, Reduction::Full)?;
            let (bar, progress) = progress_bar(io);
            let mut checker = model.checker().strategy(strategy).reduction(reduction).limits(limits(&a.search));
            checker = a.search.threads(checker)?;
            if let Some(p) = progress {
                checker = checker.progress(p);
            }
            let report = checker.check();
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            if a.search.reports_elsewhere() {
                return search::report_elsewhere(&report, io);
            }
            refuse_unsupported(&report, &model)?;
            let model = drawn(&model, &report)?;
            // The counterexample replayed, to explain it (within what is left of the time).
            let mut skipped = None;
            let explanation = report.counterexample.as_ref().and_then(|c| {
                let budget = limits::explain_budget();
                let _active = budget.as_ref().map(crate::budget::enter);
                let replayed = trace::replay(model.explorable(), &c.schedule);
                if let (Err(e), Some(l)) = (&replayed, budget.as_ref().and_then(|b| b.stopped())) {
                    skipped = Some(format!(
                        "the explanation was skipped: {l} ran out while replaying the counterexample ({e}); `gilcheck trace` replays it under its own limits"
                    ));
                }
                replayed.ok()
            });
            let explanation = explanation.map(|t| report::explain(&t, model.source()));
            limits::reporting();
            match a.search.format {
                Format::Json => {
                    let mut v = report::to_json(&report, model.source().name());
                    if let Some(e) = &explanation {
                        report::explain::attach(&mut v, e);
                    }
                    if let Some(c) = v.get_mut("counterexample").and_then(serde_json::Value::as_object_mut) {
                        let schedule = c.get("schedule").and_then(serde_json::Value::as_str).unwrap_or_default();
                        let replay =
                            report::replay_command(model.source().name(), &replay_args(&a.model, &model), schedule);
                        c.insert("replay".into(), replay.into());
                    }
                    if let (Some(why), Some(o)) = (&skipped, v.as_object_mut()) {
                        o.insert("explanation_skipped".into(), why.clone().into());
                    }
                    emit(io, &format!("{v}\n"))?
                }
                Format::Text => {
                    let text = report::render_check_explained(
                        &report,
                        model.source(),
                        &replay_args(&a.model, &model),
                        explanation.as_ref(),
                        style(io),
                    ) + &skipped.map_or(String::new(), |s| format!("  note: {s}\n"));
                    emit(io, &text)?
                }
            }
            Ok(exit_code(report.verdict))
        }
        Command::Outcomes(a) => {
            let model = load(&a.model, a.vars.clone())?;
            let goal = match (&a.minimize, &a.maximize) {
                (Some(v), _) => Some((v, crate::explore::Goal::Min)),
                (None, Some(v)) => Some((v, crate::explore::Goal::Max)),
                (None, None) => None,
            };
            if let Some((var, goal)) = goal {
                if model.program().draws.active {
                    return Err(load::refuse_draws(
                        &model,
                        "outcomes --minimize/--maximize",
                        "list the outcomes without --minimize/--maximize (every drawn value is explored there), or \
                         seed the generator with random.seed(n)",
                    ));
                }
                let bound = a.search.max_preemptions.unwrap_or(4);
                let e = crate::explore::extreme(model.explorable(), var, goal, bound, &limits(&a.search))?;
                let (file, options) = (model.source().name(), replay_args(&a.model, &model));
                limits::reporting();
                match a.search.format {
                    Format::Json => emit(io, &format!("{}\n", report::extreme_to_json(&e, file, &options)))?,
                    Format::Text => emit(io, &report::render_extreme(&e, file, &options))?,
                }
                return Ok(if e.certified && e.exhaustive { 0 } else { 3 });
            }
            let (strategy, reduction) = a.search.plan(Strategy::Stateful, Reduction::None)?;
            if a.count && reduction != Reduction::None {
                return Err(Error::Usage(format!(
                    "--count counts every interleaving, which a reduced search does not visit: drop --reduction {}",
                    reduction.name()
                )));
            }
            let (bar, progress) = progress_bar(io);
            let mut checker = model
                .checker()
                .strategy(strategy)
                .reduction(reduction)
                .limits(limits(&a.search))
                .all_outcomes(true)
                .count_interleavings(a.count)
                .count_per_outcome(a.count);
            checker = a.search.threads(checker)?;
            if let Some(p) = progress {
                checker = checker.progress(p);
            }
            let report = checker.check();
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            if a.search.reports_elsewhere() {
                return search::report_elsewhere(&report, io);
            }
            refuse_unsupported(&report, &model)?;
            limits::reporting();
            match a.search.format {
                Format::Json => emit(io, &format!("{}\n", report::to_json(&report, model.source().name())))?,
                Format::Text => emit(io, &report::render_outcomes(&report, model.source(), style(io)))?,
            }
            Ok(if report.exhaustive || report.verdict != Verdict::Inconclusive { exit_code(report.verdict) } else { 3 })
        }
        Command::Trace(a) => {
            let mut model = load(&a.model, None)?;
            let schedule: Schedule = match &a.schedule {
                Some(s) => s.parse().map_err(|e: String| Error::Usage(format!("--schedule: {e}")))?,
                None => {
                    let report = model.checker().limits(limits::of(a.max_states)).check();
                    refuse_unsupported(&report, &model)?;
                    if report.counterexample.is_none() && report.verdict == Verdict::Inconclusive {
                        limits::reporting();
                        let text = match a.format {
                            Format::Json => format!("{}\n", report::to_json(&report, model.source().name())),
                            Format::Text => {
                                report::render_check(&report, model.source(), &replay_args(&a.model, &model), style(io))
                            }
                        };
                        emit(io, &text)?;
                        return Ok(3);
                    }
                    let drawn = drawn(&model, &report)?;
                    match report.counterexample {
                        Some(c) => {
                            model = drawn;
                            c.schedule
                        }
                        None => {
                            match a.format {
                                Format::Json => {
                                    let mut v = report::to_json(&report, model.source().name());
                                    v["trace"] = serde_json::Value::Null;
                                    emit(io, &format!("{v}\n"))?;
                                }
                                Format::Text => emit(
                                    io,
                                    &format!(
                                        "{}: {} — no counterexample to trace\n",
                                        model.source().name(),
                                        report.verdict
                                    ),
                                )?,
                            }
                            return Ok(exit_code(report.verdict));
                        }
                    }
                }
            };
            let t = trace::replay(model.explorable(), &schedule).map_err(|e| Error::Usage(e.to_string()))?;
            if let crate::explore::Status::Violation(f) = &t.status {
                if f.kind == crate::explore::FindingKind::Unsupported {
                    let (line, col) = stop_position(&model, &t.state, f.thread).unwrap_or((f.line, 0));
                    return Err(Error::Unsupported {
                        span: crate::error::Span { file: model.source().name().to_string(), line, col },
                        construct: f.message.clone(),
                        hint: "the README's \"The Python subset\" lists what is modelled".into(),
                    });
                }
            }
            // A run that ends with threads still running, in a state it passed before, loops forever.
            let loops_from = match t.status {
                crate::explore::Status::Running => trace::repeats_earlier_state(model.explorable(), &schedule),
                _ => None,
            };
            let explanation = report::explain(&t, model.source());
            limits::reporting();
            if let Some(path) = &a.svg {
                let svg = report::render_svg(&t, model.source(), &explanation);
                std::fs::write(path, svg).map_err(|source| Error::Io { path: path.display().to_string(), source })?;
                let _ = writeln!(io.stderr, "gilcheck: wrote the SVG timeline to {}", path.display());
            }
            let nontermination = loops_from.map(|from| {
                format!(
                    "nontermination: the run never terminates: after step {} it is back in the state it was in after step {from}, so repeating those {} steps loops forever",
                    schedule.len(),
                    schedule.len() - from
                )
            });
            match a.format {
                Format::Json => {
                    let runs: Vec<serde_json::Value> = t
                        .runs
                        .iter()
                        .map(|r| serde_json::json!({"thread": r.tid, "steps": r.steps, "preempted": r.preempted}))
                        .collect();
                    let mut v = serde_json::json!({
                        "schedule": schedule.to_string(),
                        "preemptions": t.preemptions,
                        "runs": runs,
                        "explanation": explanation.to_json(),
                    });
                    if let (Some(from), Some(text)) = (loops_from, &nontermination) {
                        v["nontermination"] = serde_json::json!({"repeats_after_step": from, "message": text});
                    }
                    emit(io, &format!("{v}\n"))?;
                }
                Format::Text => {
                    let mut text = report::render_trace(&t, model.source(), style(io));
                    if let Some(n) = &nontermination {
                        text.push_str(n);
                        text.push('\n');
                    }
                    emit(io, &text)?
                }
            }
            Ok(match t.status {
                crate::explore::Status::Violation(f) if f.kind == crate::explore::FindingKind::CheckerLimit => 3,
                crate::explore::Status::Violation(_) => 1,
                _ if loops_from.is_some() => 1,
                _ => 0,
            })
        }
        Command::Graph(a) => {
            let model = load(&a.model, None)?;
            graph::run(&model, &a, io)
        }
        Command::Explore(a) => {
            let model = load(&a.model, None)?;
            explore::run(&model, &a, io)
        }
        Command::Fix(a) => {
            let model = load(&a.model, None)?;
            fix::run(&model, &a, io)
        }
        Command::Bench(a) => {
            let mut failed = None;
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            crate::bench::run(&a.sizes, a.workers.unwrap_or(cores), |v| {
                if failed.is_none() {
                    failed = emit(io, &format!("{v}\n")).err();
                }
            });
            failed.map_or(Ok(0), Err)
        }
        Command::Dis(a) => {
            let model = load::with_sets(Model::from_file(&a.file)?, &a.sets)?;
            let opts = if let Some(m) = a.switch {
                emit(io, &format!("# switch points under {m}: {}\n", m.describe()))?;
                emit(io, &format!("# [S] marks them: {}\n", m.marks_mean()))?;
                DisOptions::switch_points(model.program(), m)
            } else {
                DisOptions::default()
            };
            let text = disassemble(model.program(), &opts);
            limits::reporting();
            emit(io, &text)?;
            Ok(0)
        }
    }
}
