//! `gilcheck graph`: export graphs of a model (the building and the formats are in
//! [`crate::graph`]; this is the glue: the schedule to draw or highlight, the size guard's
//! advice, and where the output goes).

use super::{GraphArgs, GraphFormat, GraphKind, Io};
use crate::explore::{Limits, Schedule, Verdict};
use crate::graph::{self, Format, GraphError, Kind, Options, Total};
use crate::report::thousands;
use crate::{Error, Model};
use std::time::Duration;

/// Runs `gilcheck graph`.
pub fn run(model: &Model, args: &GraphArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    if model.program().draws.active && args.model.draws.is_none() {
        return Err(super::load::refuse_draws(
            model,
            "a graph without --draws",
            "a graph shows the runs of one combination of drawn values: choose it with --draws (a counterexample's \
             replay gives one; --draws '' takes every draw's first value)",
        ));
    }
    let kind = match args.kind {
        GraphKind::States => Kind::States,
        GraphKind::Tree => Kind::Tree,
        GraphKind::Trace => Kind::Trace,
    };
    let format = match args.format {
        GraphFormat::Dot => Format::Dot,
        GraphFormat::Json => Format::Json,
        GraphFormat::Graphml => Format::Graphml,
    };
    let given: Option<Schedule> = match &args.schedule {
        Some(s) => Some(s.parse().map_err(|e: String| Error::Usage(format!("--schedule: {e}")))?),
        None => None,
    };
    let opts = Options::with_max_nodes(args.max_nodes);
    let py = model.explorable();
    let built = match kind {
        Kind::States => graph::states(py, &opts),
        Kind::Tree => graph::tree(py, &opts),
        Kind::Trace => {
            let schedule = match &given {
                Some(s) => Some(s.clone()),
                None => {
                    // Measure on the run without preemptions first: searching for the
                    // counterexample of a program too large to draw would be time lost.
                    if let Err(e @ GraphError::TooLarge { .. }) = graph::trace(py, None, &opts) {
                        return Err(explain(model, args, kind, e));
                    }
                    counterexample(model, args.max_states, "drawing the run without preemptions", io)
                }
            };
            graph::trace(py, schedule.as_ref(), &opts)
        }
    };
    let mut g = built.map_err(|e| explain(model, args, kind, e))?.with_name(model.source().name());
    if args.highlight {
        let schedule = match (kind, given) {
            (Kind::Trace, _) => Some(Schedule::new()),
            (_, Some(s)) => Some(s),
            (_, None) => counterexample(model, args.max_states, "nothing to highlight", io),
        };
        if let Some(s) = schedule {
            g.highlight(py, &s)?;
        }
    }
    let text = g.render(format)?;
    super::limits::reporting();
    match &args.output {
        Some(path) => {
            std::fs::write(path, text).map_err(|source| Error::Io { path: path.display().to_string(), source })?
        }
        None => super::emit(io, &text)?,
    }
    Ok(0)
}

/// How long each phase of the counterexample search may take: a graph small enough to draw
/// can still belong to a program whose state space is far too large to search.
const SEARCH_SECONDS: u64 = 5;

/// The counterexample's schedule (`gilcheck check`'s, each phase of the search limited to a few
/// seconds), or `None` with a note on stderr saying what happens instead.
fn counterexample(model: &Model, max_states: Option<u64>, instead: &str, io: &mut Io<'_>) -> Option<Schedule> {
    // The run's budget (--max-time, --max-memory) for the whole search; each phase also
    // stops after a few seconds.
    let mut limits = super::limits::of(max_states);
    let cap = Duration::from_secs(SEARCH_SECONDS);
    if limits.max_time.is_none_or(|t| t > cap) {
        limits = Limits {
            max_states: limits.max_states,
            max_time: Some(cap),
            max_memory: limits.max_memory,
            ..Limits::default()
        };
    }
    let seconds = limits.max_time.map_or(SEARCH_SECONDS as f64, |t| t.as_secs_f64());
    let report = model.checker().limits(limits).check();
    match report.counterexample {
        Some(c) if c.draws != model.program().draws.tape => {
            let _ = writeln!(
                io.stderr,
                "gilcheck: the counterexample draws other values (--draws {}); {instead} (pass --schedule S to choose one)",
                c.draws
            );
            None
        }
        Some(c) => Some(c.schedule),
        None => {
            let why = match report.verdict {
                Verdict::Holds => "the program holds".to_string(),
                _ => format!("none found in {seconds} s; `gilcheck check` searches longer"),
            };
            let _ =
                writeln!(io.stderr, "gilcheck: no counterexample ({why}); {instead} (pass --schedule S to choose one)");
            None
        }
    }
}

/// The error for `e`; for a graph over `--max-nodes`, with advice: the largest `--set` value
/// that fits, or how large the smallest instance is.
fn explain(model: &Model, args: &GraphArgs, kind: Kind, e: GraphError) -> Error {
    if !matches!(e, GraphError::TooLarge { .. }) {
        return e.into();
    }
    let base = e.to_string();
    let given: Vec<(String, i64)> = args
        .model
        .sets
        .iter()
        .filter_map(|s| {
            let (name, value) = s.split_once('=')?;
            Some((name.trim().to_string(), value.trim().replace('_', "").parse::<i64>().ok()?))
        })
        .collect();
    let candidate = match given.iter().find(|(_, v)| *v >= 1) {
        Some((name, v)) => Some((name.clone(), *v)),
        None if args.model.sets.is_empty() && model.clone().with_set("N", "1").is_ok() => {
            Some(("N".to_string(), i64::MAX))
        }
        None => None,
    };
    let Some((name, below)) = candidate else {
        return Error::Limit(format!(
            "{base}; draw a smaller instance with --set NAME=VALUE (e.g. fewer loop iterations), or raise --max-nodes"
        ));
    };
    let advice = match graph::largest_fitting(model, &name, below, kind, args.max_nodes) {
        Some(v) => format!("--set {name}={v} fits: draw that smaller instance, or raise --max-nodes"),
        None => {
            let size = smallest_size(model, &name, kind, args.max_nodes)
                .map_or(String::new(), |n| format!(" (its {} has {} nodes)", kind.title(), thousands(n)));
            format!("even --set {name}=1 does not fit{size}: raise --max-nodes")
        }
    };
    Error::Limit(format!("{base}; {advice}"))
}

/// The number of nodes of the graph of `kind` with `name` = 1, when it can be counted.
fn smallest_size(model: &Model, name: &str, kind: Kind, max_nodes: usize) -> Option<u64> {
    let m = model.clone().with_set(name, "1").ok()?;
    let py = m.explorable();
    let opts = Options::with_max_nodes(max_nodes);
    let built = match kind {
        Kind::States => graph::states(py, &opts),
        Kind::Tree => graph::tree(py, &opts),
        Kind::Trace => graph::trace(py, None, &opts),
    };
    match built {
        Ok(g) => Some(g.node_count() as u64),
        Err(GraphError::TooLarge { total: Total::Exactly(n), .. }) => Some(n),
        Err(_) => None,
    }
}
