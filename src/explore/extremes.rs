//! Extremes of a global's final value (`gilcheck outcomes --minimize V` / `--maximize V`): the
//! smallest or largest value that a module global holds when a run ends, with a witness
//! schedule, at full size (the seed's racy counter at N = 10⁶ reaches 2 with 4 preemptions).
//!
//! The search is context-bounded over yield points, with iterative deepening on the number of
//! preemptions (0, 1, 2, … up to a bound), solo-loop acceleration and vertex search inside
//! accelerated loops (see `../shared/theory/REDUCTIONS.md` §3, and the `dfs` module and `analysis::loops`
//! submodules). The witness is then replayed step by step on the plain interpreter: that
//! replay is the certificate, and the reported value and preemption count are the replay's.

mod dfs;

use super::search::{Limits, Search};
use crate::budget::Limit;
use crate::engine::{Execution, FindingKind, PyModel, Schedule, Status, System};
use crate::error::Error;
use crate::vm::{self, Value};
use num_bigint::BigInt;
use std::fmt;
use std::str::FromStr;
use std::time::Instant;

/// Which end of the range of final values to find.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Goal {
    /// The smallest final value (`--minimize`).
    Min,
    /// The largest final value (`--maximize`).
    Max,
}

impl Goal {
    /// `min` or `max`.
    pub fn as_str(self) -> &'static str {
        match self {
            Goal::Min => "min",
            Goal::Max => "max",
        }
    }

    /// The option that asks for this goal (`--minimize`), as messages about it name it.
    pub fn option(self) -> &'static str {
        match self {
            Goal::Min => "--minimize",
            Goal::Max => "--maximize",
        }
    }

    /// Whether `a` is strictly better than `b` for this goal.
    pub fn better(self, a: &BigInt, b: &BigInt) -> bool {
        match self {
            Goal::Min => a < b,
            Goal::Max => a > b,
        }
    }

    /// `minimum` or `maximum`.
    pub fn word(self) -> &'static str {
        match self {
            Goal::Min => "minimum",
            Goal::Max => "maximum",
        }
    }
}

impl fmt::Display for Goal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Goal {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "min" => Ok(Goal::Min),
            "max" => Ok(Goal::Max),
            other => Err(format!("unknown goal '{other}'; supported: min, max")),
        }
    }
}

/// The extreme final value of a global, with its certified witness.
#[derive(Clone, Debug)]
pub struct Extreme {
    /// The global.
    pub variable: String,
    /// Minimum or maximum.
    pub goal: Goal,
    /// The value the witness run ends with (from the replay).
    pub value: BigInt,
    /// Preemptions the witness makes (counted by the replay).
    pub preemptions: u32,
    /// The witness schedule, plain steps (run-length encoded).
    pub schedule: Schedule,
    /// Steps in the witness.
    pub steps: u64,
    /// Whether replaying the schedule on the plain interpreter reached the value the search
    /// predicted (always true unless the search has a bug).
    pub certified: bool,
    /// How the witness run ends: `every thread finished normally`, or the violation that
    /// stopped it (e.g. the failing assertion's message).
    pub ending: String,
    /// The largest preemption bound searched.
    pub bound: u32,
    /// The best value found with at most `b` preemptions, for b = 0..=bound (`None` where no
    /// run ended with an int).
    pub best_by_bound: Vec<Option<BigInt>>,
    /// Whether every pass up to `bound` ran to its end (no limit stopped the search).
    pub exhaustive: bool,
    /// Whether the last pass left no preemption untried: more preemptions reach nothing new.
    pub complete: bool,
    /// The limit that stopped the search, if one did.
    pub limit: Option<String>,
    /// Loop heads where a thread's remaining iterations ran in O(1).
    pub accelerated_loops: u64,
    /// Iterations applied in O(1) in all.
    pub accelerated_iterations: u64,
    /// Loops that were stepped without acceleration: (line, why).
    pub rejected_loops: Vec<(u32, String)>,
    /// Runs the search completed (all passes).
    pub executions: u64,
    /// Times the search reached a state (and next thread) it had explored before with no more
    /// preemptions spent, and skipped it (all passes).
    pub revisits: u64,
    /// Seconds of search.
    pub search_seconds: f64,
    /// Seconds of certifying replay.
    pub replay_seconds: f64,
    /// Seconds in all.
    pub seconds: f64,
}

/// Finds the extreme (`goal`) final value of the module global `var` over the runs with at most
/// `max_preemptions` preemptions (context-bounded over yield points, iterative deepening, with
/// solo-loop acceleration and vertex search), and certifies its witness by replaying it on the
/// plain interpreter.
///
/// Errors: [`Error::Usage`] when the program has no global `var`, or when no explored run ends
/// with `var` bound to an int.
pub fn extreme(
    model: &PyModel,
    var: &str,
    goal: Goal,
    max_preemptions: u32,
    limits: &Limits,
) -> Result<Extreme, Error> {
    let Some(slot) = model.program.global_slot(var) else {
        let names: Vec<&str> = model
            .program
            .globals
            .iter()
            .map(String::as_str)
            .filter(|n| vm::Builtin::from_builtin_name(n).is_none() && !n.starts_with('_'))
            .collect();
        return Err(Error::Usage(format!(
            "{} {var}: the program has no global '{var}'; its globals are: {}",
            goal.option(),
            names.join(", ")
        )));
    };
    // One budget for the search and the certifying replay.
    let budget = limits.budget();
    let limits = &Limits { budget: Some(budget.clone()), ..limits.clone() };
    // The search recurses once per pending alternative: give it a large stack.
    crate::budget::on_search_stack("gilcheck-extremes", || {
        let _active = crate::budget::enter(&budget);
        extreme_here(model, var, slot as usize, goal, max_preemptions, limits, true)
    })
}

fn extreme_here(
    model: &PyModel,
    var: &str,
    slot: usize,
    goal: Goal,
    max_preemptions: u32,
    limits: &Limits,
    acceleration: bool,
) -> Result<Extreme, Error> {
    let start = Instant::now();
    let mut dfs = dfs::Dfs::new(model, slot, goal, acceleration, Search::new(limits.clone(), None, false));
    let mut best_by_bound = Vec::new();
    let (bound, complete) = super::bounded::deepen(max_preemptions, |bound| {
        dfs.pass(bound);
        best_by_bound.push(dfs.obj.best.as_ref().map(|b| b.value.clone()));
        if dfs.search.stopped.is_some() {
            super::bounded::PassEnd::Stopped
        } else if dfs.cut {
            super::bounded::PassEnd::Cut
        } else {
            super::bounded::PassEnd::Complete
        }
    });
    let search_seconds = start.elapsed().as_secs_f64();
    let limit = dfs.search.stopped.clone();
    let Some(best) = dfs.obj.best.clone() else {
        let why = match &limit {
            Some(l) => {
                return Err(Error::Limit(format!(
                    "{} {var}: no final value found: the search stopped first ({l})",
                    goal.option()
                )))
            }
            None if dfs.obj.non_int > 0 => format!("'{var}' is not an int when the runs end"),
            None => "no run ended".to_string(),
        };
        return Err(Error::Usage(format!("{} {var}: no final value found: {why}", goal.option())));
    };
    let replay_start = Instant::now();
    let replayed = certify(model, &best.schedule, slot, limits, start).map_err(|e| match e {
        Unreplayed::Limit(l) => Error::Limit(format!(
            "{} {var}: the search found {var} = {} with schedule {}, but {l} before its replay ended",
            goal.option(),
            best.value,
            best.schedule
        )),
        Unreplayed::Misfit(e) => {
            Error::Usage(format!("[internal bug] the witness schedule {} does not replay: {e}", best.schedule))
        }
    })?;
    let replay_seconds = replay_start.elapsed().as_secs_f64();
    let value = replayed.value.as_ref().and_then(Value::as_bigint);
    Ok(Extreme {
        variable: var.to_string(),
        goal,
        certified: value.as_ref() == Some(&best.value),
        value: value.unwrap_or(best.value),
        preemptions: replayed.preemptions,
        schedule: best.schedule,
        steps: replayed.steps,
        ending: replayed.ending,
        bound,
        best_by_bound,
        exhaustive: limit.is_none(),
        complete,
        limit,
        accelerated_loops: dfs.obj.accelerated_loops,
        accelerated_iterations: dfs.obj.accelerated_iterations,
        rejected_loops: dfs.obj.rejected.into_iter().collect(),
        executions: dfs.obj.executions,
        revisits: dfs.obj.revisits,
        search_seconds,
        replay_seconds,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// What replaying the witness on the plain interpreter found.
struct Replayed {
    value: Option<Value>,
    preemptions: u32,
    steps: u64,
    ending: String,
}

/// Why a witness did not replay.
enum Unreplayed {
    /// A limit (`--max-time`) stopped the replay.
    Limit(String),
    /// The schedule does not fit the program (a bug of the search).
    Misfit(String),
}

/// Steps between two looks at the clock during the replay.
const REPLAY_CHECK_EVERY: u64 = 1 << 12;

/// Replays `schedule` step by step as an [`Execution`], checking that every step's
/// thread can move and that the run ends exactly where the schedule does; counts preemptions
/// as `gilcheck trace` does. Honours `limits.max_time`, counted from `start`.
fn certify(
    model: &PyModel,
    schedule: &Schedule,
    slot: usize,
    limits: &Limits,
    start: Instant,
) -> Result<Replayed, Unreplayed> {
    let mut e = Execution::start(model);
    let mut steps = 0u64;
    for tid in schedule.steps() {
        if let Err(err) = e.step(tid) {
            return Err(Unreplayed::Misfit(format!("step {}: {err}", steps + 1)));
        }
        steps += 1;
        if steps.is_multiple_of(REPLAY_CHECK_EVERY) {
            let budget = limits.budget();
            if let Some(l) = budget.check().or_else(|| {
                limits.max_time.filter(|t| limits.budget.is_none() && start.elapsed() > *t).map(|_| Limit::Time)
            }) {
                budget.stop(l);
                return Err(Unreplayed::Limit(budget.hit(l, limits.max_states).describe()));
            }
        }
    }
    let (preemptions, s) = (e.preemptions(), e.into_state());
    let ending = match model.status(&s) {
        Status::Running => return Err(Unreplayed::Misfit("the schedule ends before the run does".into())),
        Status::Finished(_) => "every thread finished normally".to_string(),
        Status::Violation(f) => match f.kind {
            FindingKind::Assertion | FindingKind::Exception => f.message,
            _ => format!("{}: {}", f.kind.as_str(), f.message),
        },
    };
    Ok(Replayed { value: s.globals.get(slot).cloned(), preemptions, steps, ending })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Model as Source;

    fn both(src: &str, var: &str, goal: Goal, bound: u32) -> (Extreme, Extreme) {
        let m = Source::from_source("t.py", src).unwrap();
        let slot = m.program().global_slot(var).unwrap() as usize;
        let l = Limits::default();
        let fast = extreme_here(m.explorable(), var, slot, goal, bound, &l, true).unwrap();
        let plain = extreme_here(m.explorable(), var, slot, goal, bound, &l, false).unwrap();
        (fast, plain)
    }

    /// Vertex search with acceleration finds, at every bound, the same extreme (with as few
    /// preemptions) as the plain preemption-bounded search, on loops that are translations.
    #[test]
    fn acceleration_agrees_with_plain_search_bound_by_bound() {
        let racy = "import threading\nN = {n}\nx = 0\ndef f():\n    global x\n    for _ in range(N):\n        x += 1\ndef g():\n    global x\n    for i in range(N + 2):\n        x -= 2\n        y = 5\nt1 = threading.Thread(target=f)\nt2 = threading.Thread(target={second})\nt1.start(); t2.start()\nt1.join(); t2.join()\n";
        let mut programs = Vec::new();
        for n in [5, 7] {
            for second in ["f", "g"] {
                programs.push(racy.replace("{n}", &n.to_string()).replace("{second}", second));
            }
        }
        // Main loops too.
        programs.push("import threading\nx = 0\ndef f():\n    global x\n    for _ in range(6):\n        x += 3\nt1 = threading.Thread(target=f)\nt1.start()\nfor i in range(7):\n    x -= 1\nt1.join()\n".into());
        // A branch on a loop-invariant global, the loop variable stored in a global.
        programs.push("import threading\nx = 0\nk = 0\nFLAG = True\ndef f():\n    global x, k\n    for i in range(6):\n        if FLAG:\n            x += 2\n        k = i\n        x = x - 1\nt1 = threading.Thread(target=f)\nt2 = threading.Thread(target=f)\nt1.start(); t2.start()\nt1.join(); t2.join()\n".into());
        // Two globals; f's loop is not a translation (y += x), g's is.
        programs.push("import threading\nx = 0\ny = 0\ndef f():\n    global x, y\n    for i in range(5):\n        x += 1\n        y += x\ndef g():\n    global x, y\n    for i in range(6):\n        y += 1\n        x -= 1\n        y = y - 3\nt1 = threading.Thread(target=f)\nt2 = threading.Thread(target=g)\nt1.start(); t2.start()\nt1.join(); t2.join()\n".into());
        for src in &programs {
            for var in ["x", "y"] {
                if !src.contains(&format!("{var} = 0")) {
                    continue;
                }
                for goal in [Goal::Min, Goal::Max] {
                    let (fast, plain) = both(src, var, goal, 3);
                    assert!(fast.accelerated_loops > 0 && plain.accelerated_loops == 0, "{src}");
                    assert_eq!(fast.best_by_bound, plain.best_by_bound, "{var} {goal} in\n{src}");
                    assert!(fast.certified && plain.certified);
                    assert_eq!(fast.preemptions, plain.preemptions, "{var} {goal} in\n{src}");
                }
            }
        }
    }

    #[test]
    fn a_loop_that_is_not_a_translation_is_stepped_plainly_and_named() {
        let src = "import threading\nx = 1\ndef f():\n    global x\n    for _ in range(6):\n        x = x * 2\nt1 = threading.Thread(target=f)\nt2 = threading.Thread(target=f)\nt1.start(); t2.start()\nt1.join(); t2.join()\n";
        let (fast, plain) = both(src, "x", Goal::Max, 2);
        assert_eq!(fast.accelerated_loops, 0);
        assert_eq!(fast.rejected_loops.len(), 1, "{:?}", fast.rejected_loops);
        assert!(fast.rejected_loops[0].1.contains('*'), "{:?}", fast.rejected_loops);
        assert_eq!(fast.value, BigInt::from(1 << 12));
        assert_eq!(fast.best_by_bound, plain.best_by_bound);
    }

    #[test]
    fn a_solo_run_that_never_ends_has_no_final_value() {
        let src = "import threading\nx = 0\ndef f():\n    while True:\n        pass\nt = threading.Thread(target=f)\nx = 3\nt.start()\n";
        let m = Source::from_source("t.py", src).unwrap();
        let e = extreme(m.explorable(), "x", Goal::Max, 2, &Limits::default());
        // Main may end before or after starting T1, but T1 never ends: no run ends with a value.
        assert!(matches!(e, Err(Error::Usage(ref msg)) if msg.contains("no final value")), "{e:?}");
    }

    #[test]
    fn unknown_variable_is_a_usage_error_naming_the_globals() {
        let m = Source::from_file("models/race_condition.py").unwrap();
        let e = extreme(m.explorable(), "balanse", Goal::Min, 4, &Limits::default()).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("--minimize balanse") && msg.contains("balance") && msg.contains('N'), "{msg}");
    }
}
