//! The command line: the only place that reads arguments and the environment.

mod explore;
mod graph;
mod output;

use crate::bytecode::{disassemble, DisOptions};
use crate::explore::{Limits, ProgressFn, Reduction, Schedule, Strategy, Verdict};
use crate::report::{self, Style};
use crate::vm::SwitchModel;
use crate::{trace, Error, Model};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

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
    /// Refuse graphs with more nodes than this.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max_nodes: usize,
}

/// Arguments of `gilcheck explore`.
#[derive(Debug, Args)]
pub struct ExploreArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Start from this schedule instead of the initial state.
    #[arg(long, value_name = "SCHEDULE")]
    pub schedule: Option<String>,
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// N for the stateful runs of the racy and locked programs.
    #[arg(long, value_delimiter = ',', default_value = "10,20,30")]
    sizes: Vec<u64>,
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

#[derive(Debug, Args)]
struct SearchArgs {
    /// auto (bounded search for a counterexample, then stateful for the proof), enumerate
    /// (every interleaving, stateless), stateful (state graph), bounded (preemption bounding).
    #[arg(long, value_name = "STRATEGY", value_parser = parse_strategy)]
    strategy: Option<Strategy>,
    /// Sound reductions: none (plain search), por (persistent sets over steps), atomic (over
    /// Lipton transactions), full (and commutativity of accumulations). The report says which
    /// applied and why each was sound for this program. Default: full for check, none for
    /// outcomes (whose interleaving counts need the plain search).
    #[arg(long, value_name = "LEVEL", value_parser = parse_reduction)]
    reduction: Option<Reduction>,
    /// Largest preemption bound: for --strategy bounded (default 8) and for --minimize /
    /// --maximize (default 4).
    #[arg(long, value_name = "N")]
    max_preemptions: Option<u32>,
    /// Stop after this many distinct states (verdict inconclusive, exit 3).
    #[arg(long, value_name = "N")]
    max_states: Option<u64>,
    /// Stop after this many seconds (verdict inconclusive, exit 3).
    #[arg(long, value_name = "SECONDS")]
    max_time: Option<f64>,
    /// Stop when resident memory exceeds this many MiB (verdict inconclusive, exit 3).
    #[arg(long, value_name = "MIB", default_value_t = 8192)]
    max_memory: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
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
    /// Count the interleavings that end in each outcome (by dynamic programming over the state
    /// graph; with --strategy enumerate, one by one).
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
}

fn parse_switch(s: &str) -> Result<SwitchModel, String> {
    s.parse()
}

fn parse_strategy(s: &str) -> Result<Strategy, String> {
    s.parse()
}

fn parse_reduction(s: &str) -> Result<Reduction, String> {
    s.parse()
}

/// Parses the arguments, runs the command, and returns the exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.wants_json();
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if output::is_closed_pipe(&e) => ExitCode::from(0),
        Err(e) => {
            output::report_error(&e, json);
            ExitCode::from(e.exit_code())
        }
    }
}

/// Where thread `tid` stopped in `state`: the line and column of its last instruction.
fn stop_position(model: &Model, state: &crate::vm::State, tid: usize) -> Option<(u32, u32)> {
    let frame = state.threads.get(tid)?.frames.last()?;
    let loc = model.program().code(frame.code).locs.get(frame.pc.checked_sub(1)? as usize)?;
    Some((loc.line, loc.col))
}

impl Cli {
    /// Whether the command's output is JSON (then errors are JSON objects on stdout too).
    fn wants_json(&self) -> bool {
        match &self.command {
            Command::Check(a) => matches!(a.search.format, Format::Json),
            Command::Outcomes(a) => matches!(a.search.format, Format::Json),
            Command::Trace(a) => matches!(a.format, Format::Json),
            Command::Graph(a) => a.format == GraphFormat::Json,
            _ => false,
        }
    }
}

/// A run the checker stopped at an operation it does not model, with no violation of the
/// program found: refused as unsupported (exit 2), with where it happened. A stop at a limit
/// of the checker stays in the report (inconclusive, exit 3).
fn refuse_unsupported(report: &crate::explore::Report, model: &Model) -> Result<(), Error> {
    match &report.checker_stop {
        Some(stop) if stop.kind == crate::explore::FindingKind::Unsupported && report.verdict != Verdict::Violated => {
            Err(Error::Unsupported {
                span: crate::error::Span { file: model.source().name().to_string(), line: stop.line, col: stop.col },
                construct: stop.message.clone(),
                hint: "the README's \"The Python subset\" lists what is modelled; rewrite this operation with those"
                    .into(),
            })
        }
        _ => Ok(()),
    }
}

fn style() -> Style {
    Style { color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() }
}

fn load(args: &ModelArgs, vars: Option<Vec<String>>) -> Result<Model, Error> {
    let mut model = Model::from_file(&args.file)?;
    if args.switch == SwitchChoice::All {
        return Err(Error::Usage(
            "--switch all works with check (one verdict per model); name one model here, e.g. --switch cpython-3.11"
                .into(),
        ));
    }
    if let SwitchChoice::One(m) = args.switch {
        model = model.with_switch(m)?;
    }
    for s in &args.sets {
        let Some((name, value)) = s.split_once('=') else {
            return Err(Error::Usage(format!("--set {s}: expected NAME=VALUE, e.g. --set N=3")));
        };
        model = model.with_set(name.trim(), value.trim())?;
    }
    if let Some(e) = &args.expect {
        model = model.with_expect(e)?;
    }
    if let Some(v) = vars {
        model = model.with_vars(v)?;
    }
    Ok(model)
}

/// The options that a replay of a schedule of this model needs (`--set`, `--expect`).
fn replay_args(args: &ModelArgs) -> String {
    let mut out = String::new();
    if let SwitchChoice::One(m) = args.switch {
        if m != SwitchModel::Bytecode {
            out.push_str(&format!(" --switch {m}"));
        }
    }
    for s in &args.sets {
        out.push_str(&format!(" --set {s}"));
    }
    if let Some(e) = &args.expect {
        out.push_str(&format!(" --expect '{e}'"));
    }
    out
}

fn limits(args: &SearchArgs) -> Limits {
    let mut l = Limits::default();
    if let Some(n) = args.max_states {
        l.max_states = n;
    }
    l.max_time = args.max_time.map(Duration::from_secs_f64);
    l.max_memory = args.max_memory << 20;
    l
}

/// A spinner on stderr for runs over a second, only when stderr is a terminal.
fn progress_bar() -> (Option<indicatif::ProgressBar>, Option<ProgressFn>) {
    if !std::io::stderr().is_terminal() {
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
fn check_all(a: &CheckArgs) -> Result<u8, Error> {
    let mut args = a.model.clone();
    args.switch = SwitchChoice::One(SwitchModel::Bytecode);
    let base = load(&args, None)?;
    let strategy = match a.search.strategy {
        Some(Strategy::Bounded { .. }) => Strategy::Bounded { max_bound: a.search.max_preemptions.unwrap_or(8) },
        Some(s) => s,
        None => Strategy::Auto,
    };
    let mut rows = Vec::new();
    let mut models = Vec::new();
    for &m in SwitchModel::ALL {
        let model = base.clone().with_switch(m)?;
        let report = model
            .checker()
            .strategy(strategy)
            .reduction(a.search.reduction.unwrap_or(Reduction::Full))
            .limits(limits(&a.search))
            .check();
        let preemption = report
            .counterexample
            .as_ref()
            .and_then(|c| trace::first_preemption(model.explorable(), &c.schedule).ok().flatten());
        refuse_unsupported(&report, &model)?;
        rows.push(report::ModelVerdict { model: m, report, gap: None, preemption });
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
    match a.search.format {
        Format::Json => output::emit_line(report::models_to_json(&rows, base.source().name())),
        Format::Text => output::emit(&report::render_models(&rows, base.source(), style())),
    }
    let verdicts: Vec<Verdict> = rows.iter().map(|r| r.report.verdict).collect();
    Ok(if verdicts.contains(&Verdict::Violated) {
        Verdict::Violated.exit_code()
    } else if verdicts.contains(&Verdict::Inconclusive) {
        Verdict::Inconclusive.exit_code()
    } else {
        0
    })
}

fn dispatch(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Check(a) if a.model.switch == SwitchChoice::All => check_all(&a),
        Command::Check(a) => {
            let model = load(&a.model, None)?;
            let strategy = match a.search.strategy {
                Some(Strategy::Bounded { .. }) => {
                    Strategy::Bounded { max_bound: a.search.max_preemptions.unwrap_or(8) }
                }
                Some(s) => s,
                None => Strategy::Auto,
            };
            let (bar, progress) = progress_bar();
            let mut checker = model
                .checker()
                .strategy(strategy)
                .reduction(a.search.reduction.unwrap_or(Reduction::Full))
                .limits(limits(&a.search));
            if let Some(p) = progress {
                checker = checker.progress(p);
            }
            let report = checker.check();
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            refuse_unsupported(&report, &model)?;
            // The counterexample replayed, to explain it.
            let explanation = report
                .counterexample
                .as_ref()
                .and_then(|c| trace::replay(model.explorable(), &c.schedule).ok())
                .map(|t| report::explain(&t, model.source()));
            match a.search.format {
                Format::Json => {
                    let mut v = report::to_json(&report, model.source().name());
                    if let Some(e) = &explanation {
                        report::explain::attach(&mut v, e);
                    }
                    output::emit_line(v)
                }
                Format::Text => output::emit(&report::render_check_explained(
                    &report,
                    model.source(),
                    &replay_args(&a.model),
                    explanation.as_ref(),
                    style(),
                )),
            }
            Ok(report.verdict.exit_code())
        }
        Command::Outcomes(a) => {
            let model = load(&a.model, a.vars.clone())?;
            let goal = match (&a.minimize, &a.maximize) {
                (Some(v), _) => Some((v, crate::explore::Goal::Min)),
                (None, Some(v)) => Some((v, crate::explore::Goal::Max)),
                (None, None) => None,
            };
            if let Some((var, goal)) = goal {
                let bound = a.search.max_preemptions.unwrap_or(4);
                let e = crate::explore::extreme(model.explorable(), var, goal, bound, &limits(&a.search))?;
                let (file, options) = (model.source().name(), replay_args(&a.model));
                match a.search.format {
                    Format::Json => output::emit_line(e.to_json(file, &options)),
                    Format::Text => output::emit(&e.render(file, &options)),
                }
                return Ok(if e.certified && e.exhaustive { 0 } else { 3 });
            }
            let strategy = match a.search.strategy {
                Some(Strategy::Bounded { .. }) => {
                    Strategy::Bounded { max_bound: a.search.max_preemptions.unwrap_or(8) }
                }
                Some(s) => s,
                None => Strategy::Stateful,
            };
            let reduction = a.search.reduction.unwrap_or(Reduction::None);
            if a.count && reduction != Reduction::None {
                return Err(Error::Usage(format!(
                    "--count counts every interleaving, which a reduced search does not visit: drop --reduction {}",
                    reduction.name()
                )));
            }
            let (bar, progress) = progress_bar();
            let mut checker = model
                .checker()
                .strategy(strategy)
                .reduction(reduction)
                .limits(limits(&a.search))
                .all_outcomes(true)
                .count_per_outcome(a.count);
            if let Some(p) = progress {
                checker = checker.progress(p);
            }
            let report = checker.check();
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            refuse_unsupported(&report, &model)?;
            match a.search.format {
                Format::Json => output::emit_line(report::to_json(&report, model.source().name())),
                Format::Text => output::emit(&report::render_outcomes(&report, model.source(), style())),
            }
            Ok(if report.exhaustive || report.verdict != Verdict::Inconclusive {
                report.verdict.exit_code()
            } else {
                3
            })
        }
        Command::Trace(a) => {
            let model = load(&a.model, None)?;
            let schedule: Schedule = match &a.schedule {
                Some(s) => s.parse().map_err(|e: String| Error::Usage(format!("--schedule: {e}")))?,
                None => {
                    let report = model.checker().check();
                    refuse_unsupported(&report, &model)?;
                    match report.counterexample {
                        Some(c) => c.schedule,
                        None => {
                            match a.format {
                                Format::Json => {
                                    let mut v = report::to_json(&report, model.source().name());
                                    v["trace"] = serde_json::Value::Null;
                                    output::emit_line(v)
                                }
                                Format::Text => output::emit_line(format!(
                                    "{}: {} — no counterexample to trace",
                                    model.source().name(),
                                    report.verdict
                                )),
                            }
                            return Ok(report.verdict.exit_code());
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
            if let Some(path) = &a.svg {
                let svg = report::render_svg(&t, model.source(), &explanation);
                std::fs::write(path, svg).map_err(|source| Error::Io { path: path.display().to_string(), source })?;
                output::note(&format!("gilcheck: wrote the SVG timeline to {}", path.display()));
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
                    output::emit_line(v);
                }
                Format::Text => {
                    let mut text = report::render_trace(&t, model.source(), style());
                    if let Some(n) = &nontermination {
                        text.push_str(n);
                        text.push('\n');
                    }
                    output::emit(&text)
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
            graph::run(&model, &a)
        }
        Command::Explore(a) => {
            let model = load(&a.model, None)?;
            explore::run(&model, &a, style())
        }
        Command::Bench(a) => {
            crate::bench::run(&a.sizes, |v| output::emit_line(v));
            Ok(0)
        }
        Command::Dis(a) => {
            let mut model = Model::from_file(&a.file)?;
            for s in &a.sets {
                let Some((name, value)) = s.split_once('=') else {
                    return Err(Error::Usage(format!("--set {s}: expected NAME=VALUE")));
                };
                model = model.with_set(name.trim(), value.trim())?;
            }
            let opts = if let Some(m) = a.switch {
                output::emit_line(format!("# switch points under {m}: {}", m.describe()));
                output::emit_line(format!(
                    "# [S] marks them: {}",
                    match m {
                        SwitchModel::Bytecode | SwitchModel::Cpython39 => {
                            "a switch may happen right before a marked instruction"
                        }
                        _ => {
                            "a switch may happen right after a marked instruction (after a call only when it called non-Python code; after a conditional jump only when taken); blocking calls switch in every model"
                        }
                    }
                ));
                DisOptions::switch_points(model.program(), m)
            } else {
                DisOptions::default()
            };
            output::emit(&disassemble(model.program(), &opts));
            Ok(0)
        }
    }
}
