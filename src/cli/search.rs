//! The options of a search (`check`, `outcomes`): strategy, reduction, limits, threads, and
//! the cluster of processes a distributed search runs on.

use super::{Format, ResourceArgs};
use crate::explore::{Checker, Cluster, PyModel, Reduction, Strategy};
use crate::Error;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(super) struct SearchArgs {
    /// auto (bounded search for a counterexample, then stateful for the proof), enumerate
    /// (every interleaving, stateless), stateful (state graph), bounded (preemption bounding).
    #[arg(long, value_name = "STRATEGY", value_parser = parse_strategy)]
    pub(super) strategy: Option<Strategy>,
    /// Sound reductions: none (plain search), por (persistent sets over steps), atomic (over
    /// Lipton transactions), full (and commutativity of accumulations). The report says which
    /// applied and why each was sound for this program. Default: full for check, none for
    /// outcomes (whose interleaving counts need the plain search). Applies to the auto and
    /// stateful strategies; enumerate and bounded explore without reductions.
    #[arg(long, value_name = "LEVEL", value_parser = parse_reduction)]
    pub(super) reduction: Option<Reduction>,
    /// Largest preemption bound: for --strategy bounded (default 8) and for --minimize /
    /// --maximize (default 4).
    #[arg(long, value_name = "N")]
    pub(super) max_preemptions: Option<u32>,
    /// Stop after this many distinct states (verdict inconclusive, exit 3).
    #[arg(long, value_name = "N")]
    pub(super) max_states: Option<u64>,
    /// Threads for the stateful search: same states and outcomes as one; needs only `for` loops.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub(super) workers: u16,
    #[command(flatten)]
    pub(super) cluster: ClusterArgs,
    #[command(flatten)]
    pub(super) resources: ResourceArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(super) format: Format,
}

impl SearchArgs {
    /// The strategy and reduction level a command runs with: the options given, else the
    /// command's defaults (`check`: auto with full reductions; `outcomes`: stateful and plain,
    /// whose interleaving counts need every interleaving). A reduction asked for with a strategy
    /// that does not apply one is refused.
    pub(super) fn plan(&self, strategy: Strategy, reduction: Reduction) -> Result<(Strategy, Reduction), Error> {
        if self.cluster.processes > 1 || self.cluster.hostfile.is_some() {
            // A cluster runs the plain stateful search, in every process alike.
            return match (self.strategy, self.reduction) {
                (None | Some(Strategy::Stateful), None | Some(Reduction::None)) => {
                    Ok((Strategy::Stateful, Reduction::None))
                }
                _ => Err(Error::Usage(
                    "--processes runs the plain stateful search: drop --strategy and --reduction".into(),
                )),
            };
        }
        let strategy = match self.strategy {
            Some(Strategy::Bounded { .. }) => Strategy::Bounded { max_bound: self.max_preemptions.unwrap_or(8) },
            Some(s) => s,
            None => strategy,
        };
        let reduction = match (strategy, self.reduction) {
            (Strategy::Enumerate | Strategy::Bounded { .. }, Some(r)) if r != Reduction::None => {
                return Err(Error::Usage(format!(
                    "--reduction {} applies to --strategy auto and stateful; {} explores without reductions (drop --reduction, or choose --strategy stateful)",
                    r.name(),
                    strategy.name()
                )));
            }
            (Strategy::Enumerate | Strategy::Bounded { .. }, _) => Reduction::None,
            (_, Some(r)) => r,
            (_, None) => reduction,
        };
        Ok((strategy, reduction))
    }

    /// Sets the threads, and the cluster when this process is one of several, on `checker`.
    pub(super) fn threads<'m>(&self, checker: Checker<'m, PyModel>) -> Result<Checker<'m, PyModel>, Error> {
        let c = &self.cluster;
        let checker = checker.workers(self.workers.into());
        if c.processes == 1 && c.hostfile.is_none() {
            return Ok(checker);
        }
        if c.process >= c.processes {
            return Err(Error::Usage(format!(
                "--process {} is not one of the {} processes (0 to {})",
                c.process,
                c.processes,
                c.processes - 1
            )));
        }
        if let Some(h) = &c.hostfile {
            let text = std::fs::read_to_string(h)
                .map_err(|e| Error::Usage(format!("--hostfile {}: cannot read it: {e}", h.display())))?;
            let hosts = text.lines().filter(|l| !l.trim().is_empty()).count() as u64;
            if hosts < c.processes {
                return Err(Error::Usage(format!(
                    "--hostfile {} names {hosts} processes, fewer than --processes {}",
                    h.display(),
                    c.processes
                )));
            }
        }
        Ok(checker.cluster(Cluster {
            workers: self.workers.into(),
            processes: c.processes as usize,
            process: c.process as usize,
            hostfile: c.hostfile.clone(),
        }))
    }

    /// Whether this process is one of several and not the one that reports.
    pub(super) fn reports_elsewhere(&self) -> bool {
        self.cluster.process > 0
    }
}

/// Several processes, on one host or many, searching one state graph together (timely
/// dataflow): each runs the same command with its own `--process`.
#[derive(Debug, Args)]
pub(super) struct ClusterArgs {
    /// Processes that search together (each with --workers threads); 1: this process alone.
    #[arg(long, value_name = "P", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub(super) processes: u64,
    /// This process's index among --processes, from 0 (process 0 prints the report).
    #[arg(long, value_name = "I", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..4096))]
    pub(super) process: u64,
    /// The processes' host:port addresses, one per line in process order (default: this host,
    /// ports 2101, 2102, …).
    #[arg(long, value_name = "FILE")]
    pub(super) hostfile: Option<PathBuf>,
}

fn parse_strategy(s: &str) -> Result<Strategy, String> {
    s.parse()
}

fn parse_reduction(s: &str) -> Result<Reduction, String> {
    s.parse()
}

/// What a process that does not report prints: its notes (its share of the search, or why it
/// could not take part). Exit 0 when it took part, 3 when it stopped.
pub(super) fn report_elsewhere(report: &crate::explore::Report, io: &mut super::Io<'_>) -> Result<u8, Error> {
    let mut text = String::new();
    for n in report.notes.iter().chain(&report.limit) {
        text.push_str(&format!("note: {n}\n"));
    }
    super::emit(io, &text)?;
    Ok(if report.limit.is_some() { 3 } else { 0 })
}
