//! What an exploration found: plain data, rendered by `report` and `graph`.

use crate::engine::{Finding, FindingKind, Outcome, Schedule};
use crate::vm::SwitchModel;
use num_bigint::BigUint;
use std::fmt;

/// The answer to "does every interleaving satisfy the program's checks?".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Every interleaving was explored and none violates a check.
    Holds,
    /// Some interleaving violates a check; see the counterexample.
    Violated,
    /// A limit stopped the search before it was exhaustive, and no violation was found.
    Inconclusive,
}

impl Verdict {
    /// `holds`, `violated` or `inconclusive`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Violated => "violated",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An outcome with the number of interleavings that end in it (when the strategy counts them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeCount {
    /// The outcome.
    pub outcome: Outcome,
    /// How many interleavings end in it; `None` when the strategy does not count per outcome.
    pub interleavings: Option<BigUint>,
}

/// A violation with the schedule that reaches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counterexample {
    /// What went wrong.
    pub finding: Finding,
    /// The schedule from the initial state to the violation.
    pub schedule: Schedule,
    /// How many preemptions the schedule makes.
    pub preemptions: u32,
    /// The globals and output at the violation.
    pub state: Outcome,
    /// The values the program's unseeded random draws take on the way (empty when it makes
    /// none): a replay needs them too (`--draws`).
    pub draws: crate::bytecode::Tape,
}

/// A reduction the explorer applied, and why it was sound for this model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReductionNote {
    /// Its name, e.g. `invisible-steps`.
    pub name: String,
    /// Why it is sound for this program.
    pub reason: String,
}

/// Counters of an exploration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// Distinct states stored (stateful) or visited at branch points (stateless).
    pub states: u64,
    /// Steps executed.
    pub transitions: u64,
    /// Complete executions explored (maximal paths run to their end); a search that stores
    /// states (the stateful one, and a reduced one that reached a state twice) counts the
    /// distinct end states.
    pub executions: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Peak resident set size of the process, in bytes (0 where unknown).
    pub peak_rss_bytes: u64,
    /// Peak memory in use, in bytes: the counting allocator's figure, which `--max-memory`
    /// limits (the resident set size where the allocator is not installed).
    pub peak_bytes: u64,
    /// The highest preemption bound searched (bounded strategy).
    pub preemption_bound: Option<u32>,
    /// Threads that searched (the stateful search with `--workers`; 1 otherwise).
    pub workers: usize,
    /// Bytes the visited set held at its end: the fingerprint-table, distributed and reduced
    /// searches' (0 for the others).
    pub visited_bytes: u64,
}

/// Everything an exploration produced.
#[derive(Clone, Debug)]
pub struct Report {
    /// The verdict.
    pub verdict: Verdict,
    /// The switch model explored.
    pub switch_model: SwitchModel,
    /// The strategy that produced it, for people (`enumerate`, `stateful`, `bounded`,
    /// `reduced (full)`); code reads [`Report::reduction`] instead.
    pub strategy: String,
    /// The reduction level the search applied (`None`: a plain search, every interleaving or
    /// state explored).
    pub reduction: Option<crate::explore::Reduction>,
    /// Whether every interleaving was covered (no limit was hit).
    pub exhaustive: bool,
    /// Why the search stopped early, when it did.
    pub limit: Option<String>,
    /// The `--max-*` limit that stopped the search, when one did.
    pub stopped_by: Option<crate::budget::LimitHit>,
    /// Distinct outcomes of complete executions, sorted.
    pub outcomes: Vec<OutcomeCount>,
    /// Distinct violations found (each with the first schedule that reached it).
    pub violations: Vec<Counterexample>,
    /// The counterexample to show: the first violation (fewest preemptions under `bounded`).
    pub counterexample: Option<Counterexample>,
    /// Total number of interleavings (maximal executions), when counted exactly.
    pub interleavings: Option<BigUint>,
    /// Reductions applied, with their justification.
    pub reductions: Vec<ReductionNote>,
    /// How the search went, in words (e.g. which phases ran).
    pub notes: Vec<String>,
    /// Counters.
    pub stats: Stats,
    /// A run the checker stopped for a reason of its own (an operation it does not model, or
    /// one of its limits): then no verdict about the program rests on that run.
    pub checker_stop: Option<CheckerStop>,
}

/// A run that the checker stopped for a reason of its own, with where it stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckerStop {
    /// [`FindingKind::Unsupported`] or [`FindingKind::CheckerLimit`].
    pub kind: FindingKind,
    /// What the checker does not model, or which of its limits was met.
    pub message: String,
    /// The thread that met it.
    pub thread: usize,
    /// 1-based line of the instruction (0 when unknown).
    pub line: u32,
    /// 1-based column of the instruction (0 when unknown).
    pub col: u32,
    /// The schedule that reaches it.
    pub schedule: Schedule,
}

impl Report {
    /// The verdict.
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// The outcomes of complete executions.
    pub fn outcomes(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().map(|o| &o.outcome)
    }

    /// The set of values global `name` takes in the outcomes, parsed as integers (skipping others).
    pub fn int_values(&self, name: &str) -> std::collections::BTreeSet<i128> {
        self.outcomes().filter_map(|o| o.global(name)?.parse().ok()).collect()
    }

    /// The counterexample, if the verdict is `violated`.
    pub fn counterexample(&self) -> Option<&Counterexample> {
        self.counterexample.as_ref()
    }

    /// Panics with the counterexample unless the verdict is `holds` (for use in tests).
    pub fn assert_holds(&self) {
        if self.verdict != Verdict::Holds {
            match &self.counterexample {
                Some(c) => panic!("expected the program to hold, but: {} (schedule {})", c.finding.message, c.schedule),
                None => panic!("expected the program to hold, but the verdict is {} ({:?})", self.verdict, self.limit),
            }
        }
    }

    /// Panics unless a violation of `kind` was found (for use in tests).
    pub fn assert_violated(&self, kind: FindingKind) -> &Counterexample {
        match &self.counterexample {
            Some(c) if c.finding.kind == kind => c,
            Some(c) => panic!(
                "expected a {} violation, found {}: {}",
                kind.as_str(),
                c.finding.kind.as_str(),
                c.finding.message
            ),
            None => panic!("expected a {} violation; the verdict is {}", kind.as_str(), self.verdict),
        }
    }
}
