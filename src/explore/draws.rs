//! Programs that draw unseeded random values (`random.randint(a, b)`, `random.choice(seq)`
//! without `random.seed`), or compare time readings (`vm::clock`): each draw, and each comparison
//! the readings so far leave open, is a nondeterministic choice, and every value is explored.
//!
//! A [`Tape`] fixes the values of some draws (thread `t`'s `k`-th draw takes index `i`); a draw it
//! leaves out takes its first value. One exploration runs the program under one tape, with every
//! interleaving as usual, and files the first draw of each run that fell outside the tape, with
//! how many values it could take. Each such draw then gets a tape of its own for each of its
//! values, until no run draws outside its tape.
//!
//! Why every run of CPython is covered: take a run R, and the tapes explored so far that agree
//! with R's draws where they fix them. The plain search visits every reachable state, so under
//! such a tape it visits R's steps up to R's first draw outside the tape, and files that draw
//! with at least R's number of values; the tape extended with R's value for it is explored next.
//! Each step fixes one more of R's finitely many draws, so a tape that fixes all of them is
//! explored, and under it R is a run like any other. That argument needs every reachable state,
//! so the reductions are not applied to such programs (the report says so).

use super::report::{OutcomeCount, Report, Verdict};
use super::{Checker, Reduction};
use crate::engine::{PyModel, System};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

/// The most tapes one check explores; past it the verdict is inconclusive.
pub const MAX_TAPES: usize = 4096;

/// Checks `py`, a program with unseeded draws, under every tape its draws need, with `c`'s
/// settings, and merges the reports.
pub(super) fn check<M: System + Sync>(c: &Checker<'_, M>, py: &PyModel) -> Report {
    let root = py.program.draws.tape.clone();
    let mut queue = VecDeque::from([root.clone()]);
    let mut seen = BTreeSet::from([root]);
    let mut merged: Option<Report> = None;
    let mut explored = 0usize;
    while let Some(tape) = queue.pop_front() {
        if explored == MAX_TAPES {
            let r = merged.as_mut().expect("one tape explored");
            r.exhaustive = false;
            if r.verdict == Verdict::Holds {
                r.verdict = Verdict::Inconclusive;
            }
            r.limit.get_or_insert_with(|| {
                format!(
                    "the program's unseeded random draws took {MAX_TAPES} combinations of values and more remain \
                     (seed the generator, or draw over fewer values)"
                )
            });
            break;
        }
        let program = Arc::new((*py.program).clone().with_tape(tape.clone()));
        let model = PyModel { program, ..py.clone() };
        let inner = Checker {
            model: &model,
            strategy: c.strategy,
            limits: c.limits.clone(),
            all_outcomes: c.all_outcomes,
            count: c.count,
            count_outcomes: c.count_outcomes,
            reduction: Reduction::None,
            acceleration: c.acceleration,
            workers: c.workers,
            cluster: c.cluster.clone(),
            progress: c.progress.clone(),
        };
        let mut report = inner.check_one();
        explored += 1;
        for v in report.violations.iter_mut().chain(report.counterexample.as_mut()) {
            v.draws = tape.clone();
        }
        for ((t, k), n) in model.program.draws.opened() {
            for i in 0..n {
                let next = tape.with(t, k, i);
                if seen.insert(next.clone()) {
                    queue.push_back(next);
                }
            }
        }
        let stop = report.verdict == Verdict::Violated && !c.all_outcomes
            || report.stopped_by.is_some()
            || c.limits.budget().stopped().is_some();
        merged = Some(match merged {
            None => report,
            Some(m) => merge(m, report),
        });
        if stop {
            break;
        }
    }
    let mut r = merged.expect("one tape explored");
    if explored > 1 {
        // A tape and the one that fixes its open draw to the first value share their runs:
        // counts would add them twice.
        r.interleavings = None;
        r.outcomes.iter_mut().for_each(|o| o.interleavings = None);
    }
    let queued = queue.len();
    if queued > 0 && r.exhaustive {
        r.exhaustive = false;
    }
    r.notes.push(format!(
        "the program draws unseeded random values (random.randint, random.choice), compares time readings or \
         takes futures from as_completed (those already finished come out in any order): each draw, each \
         comparison that the readings so far leave open, and each next finished future, is a choice among all its values, \
         explored value by value under {explored} combination{} of them{}; no reduction is applied, since that \
         needs every reachable state",
        if explored == 1 { "" } else { "s" },
        if queued > 0 { format!(" ({queued} more were not explored)") } else { String::new() }
    ));
    if c.reduction != Reduction::None {
        r.notes.push(format!(
            "reduction {} not applied: the program draws unseeded random values, compares time readings or takes \
             futures from as_completed",
            c.reduction.name()
        ));
    }
    r
}

/// The report of two explorations of the same program under different tapes.
fn merge(mut a: Report, b: Report) -> Report {
    a.verdict = match (a.verdict, b.verdict) {
        (Verdict::Violated, _) | (_, Verdict::Violated) => Verdict::Violated,
        (Verdict::Inconclusive, _) | (_, Verdict::Inconclusive) => Verdict::Inconclusive,
        _ => Verdict::Holds,
    };
    if a.counterexample.is_none() {
        a.counterexample = b.counterexample;
    }
    for v in b.violations {
        if !a.violations.iter().any(|x| x.finding == v.finding) {
            a.violations.push(v);
        }
    }
    let mut outcomes: BTreeMap<_, _> =
        std::mem::take(&mut a.outcomes).into_iter().map(|o| (o.outcome, o.interleavings)).collect();
    let counted = a.interleavings.is_some() && b.interleavings.is_some();
    for o in b.outcomes {
        match outcomes.get_mut(&o.outcome) {
            Some(n) => {
                *n = match (n.take(), o.interleavings) {
                    (Some(x), Some(y)) => Some(x + y),
                    _ => None,
                }
            }
            None => {
                outcomes.insert(o.outcome, o.interleavings);
            }
        }
    }
    a.outcomes = outcomes.into_iter().map(|(outcome, interleavings)| OutcomeCount { outcome, interleavings }).collect();
    a.interleavings = match (a.interleavings.take(), b.interleavings) {
        (Some(x), Some(y)) if counted => Some(x + y),
        _ => None,
    };
    a.exhaustive &= b.exhaustive;
    if a.limit.is_none() {
        a.limit = b.limit;
    }
    if a.stopped_by.is_none() {
        a.stopped_by = b.stopped_by;
    }
    if a.checker_stop.is_none() {
        a.checker_stop = b.checker_stop;
    }
    for n in b.notes {
        if !a.notes.contains(&n) {
            a.notes.push(n);
        }
    }
    let (s, t) = (&mut a.stats, b.stats);
    s.states += t.states;
    s.transitions += t.transitions;
    s.executions += t.executions;
    s.peak_rss_bytes = s.peak_rss_bytes.max(t.peak_rss_bytes);
    s.peak_bytes = s.peak_bytes.max(t.peak_bytes);
    s.preemption_bound = s.preemption_bound.max(t.preemption_bound);
    a
}
