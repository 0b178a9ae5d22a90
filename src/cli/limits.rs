//! The limits of one command: one budget (deadline, memory ceiling) for the whole run, its
//! watchdog and hard memory cap, and the report of a run that a limit ended.

use super::{Cli, Command, Format};
use crate::budget::{self, Budget, Limit};
use crate::explore::Limits;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How long after the deadline the watchdog waits for the run to stop by itself before it ends
/// the process (a single step of the program that does not poll the budget, e.g. arithmetic
/// on a huge int): the time limit is overrun by less than a second either way.
const GRACE: Duration = Duration::from_millis(600);

/// The margin above the memory ceiling at which the counting allocator ends the process: the
/// searches stop at the ceiling itself, and the VM refuses large values before building them.
const HARD_CAP_SIXTEENTHS: u64 = 1;

/// How long the replay that explains a counterexample may take when no `--max-time` bounds it.
const EXPLAIN_SECONDS: u64 = 10;

/// The budget of a run and what its limit report needs.
#[derive(Clone, Debug)]
pub(super) struct Run {
    /// The budget every phase shares.
    pub budget: Arc<Budget>,
    file: String,
    json: bool,
    max_states: u64,
}

/// The run's budget for `cli`'s command (none for `explore` and `bench`); for the process's own
/// run (`process`), with the watchdog, the hard memory cap and the emergency exit in place.
pub(super) fn start(cli: &Cli, process: bool) -> Option<Run> {
    let json = |f: &Format| matches!(f, Format::Json);
    let (resources, file, json, max_states) = match &cli.command {
        Command::Check(a) => (&a.search.resources, &a.model.file, json(&a.search.format), a.search.max_states),
        Command::Outcomes(a) => (&a.search.resources, &a.model.file, json(&a.search.format), a.search.max_states),
        Command::Trace(a) => (&a.resources, &a.model.file, json(&a.format), a.max_states),
        Command::Graph(a) => (&a.resources, &a.model.file, a.format == super::GraphFormat::Json, a.max_states),
        Command::Dis(a) => (&a.resources, &a.file, false, None),
        Command::Fix(a) => (&a.resources, &a.model.file, json(&a.format), a.max_states),
        Command::Explore(_) | Command::Bench(_) => return None,
    };
    let max_memory = resources.max_memory.map_or_else(budget::default_max_memory, |m| m << 20);
    let budget = Budget::new(resources.max_time.map(Duration::from_secs_f64), max_memory);
    let run =
        Run { budget, file: name(file), json, max_states: max_states.unwrap_or_else(|| Limits::default().max_states) };
    if !process {
        return Some(run);
    }
    let r = run.clone();
    budget::set_emergency_exit(Box::new(move |limit, during| {
        r.budget.stop(limit);
        print_report(&r, limit, during);
        std::process::exit(3);
    }));
    budget::set_hard_cap(max_memory + max_memory / 16 * HARD_CAP_SIXTEENTHS);
    run.budget.watch(GRACE);
    Some(run)
}

fn name(file: &Path) -> String {
    file.display().to_string()
}

/// The search limits of the command: `--max-states`, and the run's budget.
pub(super) fn of(max_states: Option<u64>) -> Limits {
    let mut l = Limits::default();
    if let Some(n) = max_states {
        l.max_states = n;
    }
    if let Some(b) = budget::active() {
        l.max_time = b.max_time();
        l.max_memory = b.max_memory();
        l.budget = Some(b);
    }
    l
}

/// A budget for the replay that explains a counterexample: what is left of `--max-time`, at
/// most [`EXPLAIN_SECONDS`] (the counterexample stands without its explanation).
pub(super) fn explain_budget() -> Option<Arc<Budget>> {
    let run = budget::active()?;
    let left = match run.max_time() {
        Some(t) => t.saturating_sub(run.elapsed()).min(Duration::from_secs(EXPLAIN_SECONDS)),
        None => Duration::from_secs(EXPLAIN_SECONDS),
    };
    Some(Budget::new(Some(left), run.max_memory()))
}

/// Marks the start of the final output: the watchdog no longer ends the process.
pub(super) fn reporting() {
    budget::reporting();
}

/// Prints the report of a run stopped by its budget, where the command could not make its own
/// (`during`: what it was doing).
pub(super) fn report_stopped(run: &Run, during: &str, out: &mut dyn Write) {
    reporting();
    let limit = run.budget.stopped().unwrap_or(Limit::Time);
    write_report(run, limit, during, out);
}

/// Writes the emergency report straight to file descriptor 1: the emergency exit runs on the
/// search or watchdog thread while the command's thread holds the lock of `std::io::stdout`
/// for the whole run, so taking that lock here would wait forever.
fn print_report(run: &Run, limit: Limit, during: &str) {
    #[cfg(unix)]
    {
        use std::os::fd::FromRawFd;
        // SAFETY: descriptor 1 stays open for the life of the process; ManuallyDrop keeps this
        // handle from closing it.
        let mut out = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(1) });
        write_report(run, limit, during, &mut *out);
    }
    #[cfg(not(unix))]
    write_report(run, limit, during, &mut std::io::stdout().lock());
}

fn write_report(run: &Run, limit: Limit, during: &str, out: &mut dyn Write) {
    let (states, executions) = run.budget.covered();
    let hit = run.budget.hit(limit, run.max_states);
    let text = crate::report::limits::emergency(&run.file, hit, during, states, executions, run.json);
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
