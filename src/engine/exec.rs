//! One execution of a [`System`], and the three rules every search, replay, explanation, graph
//! and the interactive session share:
//! - which threads may move: [`System::runnable`] (under a CPython switch model, a thread that
//!   holds the GIL between two switch points is the only one);
//! - what is a preemption: [`preemptible`] / [`is_preemption`];
//! - when a run has ended: [`run_status`].
//!
//! An [`Execution`] steps a state under these rules and keeps what they need (the runnable
//! threads, the last step, the preemptions so far). Strategies clone it at their branch points;
//! replays step it along a schedule ([`Execution::step`]).

use super::model::{Status, System};
use crate::vm::{Event, StepInfo, Tid};
use std::fmt;

/// The last step of an execution: its thread, and whether a switch after it is *free* (the step
/// gave the GIL up: it blocked, slept, or ended its thread), so not a preemption.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Last {
    /// The thread that took it.
    pub tid: Tid,
    /// Whether a switch after it is free.
    pub free: bool,
}

impl Last {
    /// The last step after thread `tid` took the step described by `info`.
    #[inline]
    pub fn of(tid: Tid, info: &StepInfo) -> Last {
        Last { tid, free: info.event.releases_gil() }
    }
}

/// The thread that a switch now would preempt: the last step's thread, when that step did not
/// give the GIL up and the thread could go on (it is among `runnable`). `None` at the start,
/// after a free step, or when the last thread cannot move: then any switch is free.
#[inline]
pub fn preemptible(last: Option<Last>, runnable: &[Tid]) -> Option<Tid> {
    last.filter(|l| !l.free && runnable.contains(&l.tid)).map(|l| l.tid)
}

/// Whether running `next` now is a preemption: switching away from a thread that could have
/// gone on ([`preemptible`]).
#[inline]
pub fn is_preemption(last: Option<Last>, next: Tid, runnable: &[Tid]) -> bool {
    // Going on with the same thread (the common case) is no switch: settled without a scan.
    last.is_some_and(|l| l.tid != next) && preemptible(last, runnable).is_some()
}

/// Whether a run in state `s` has ended, and how: the model's status when no thread can move or
/// the last step raised (`raised`), `Running` otherwise. A run can end only there: a thread
/// fails only by raising, and threads finish or deadlock only when none can move.
#[inline]
pub fn run_status<M: System>(model: &M, s: &M::State, runnable: &[Tid], raised: bool) -> Status {
    if runnable.is_empty() || raised {
        model.status(s)
    } else {
        Status::Running
    }
}

/// Why a thread cannot take the next step of an execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepError {
    /// The run has already ended (every thread finished, or a violation).
    Ended(Status),
    /// There is no such thread (yet).
    NoSuchThread(Tid),
    /// The thread exists but may not move now.
    CannotMove(Tid),
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepError::Ended(Status::Violation(v)) => write!(f, "the run already ended: {}", v.message),
            StepError::Ended(_) => f.write_str("the run already ended: every thread finished"),
            StepError::NoSuchThread(t) => write!(f, "there is no thread {t}"),
            StepError::CannotMove(t) => write!(f, "{} cannot move", super::thread_name(*t)),
        }
    }
}

/// One execution of a model: a state, the threads that may move in it, the last step and the
/// preemptions so far.
pub struct Execution<'m, M: System> {
    model: &'m M,
    state: M::State,
    runnable: Vec<Tid>,
    last: Option<Last>,
    raised: bool,
    preemptions: u32,
}

impl<M: System> Clone for Execution<'_, M> {
    fn clone(&self) -> Self {
        Execution {
            model: self.model,
            state: self.state.clone(),
            runnable: self.runnable.clone(),
            last: self.last,
            raised: self.raised,
            preemptions: self.preemptions,
        }
    }
}

impl<M: System> fmt::Debug for Execution<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Execution")
            .field("state", &self.state)
            .field("runnable", &self.runnable)
            .field("last", &self.last)
            .field("raised", &self.raised)
            .field("preemptions", &self.preemptions)
            .finish()
    }
}

impl<'m, M: System> Execution<'m, M> {
    /// The execution at `model`'s initial state.
    pub fn start(model: &'m M) -> Self {
        Self::at(model, model.init(), None, 0)
    }

    /// An execution at `state`, reached by a last step `last` with `preemptions` so far.
    pub fn at(model: &'m M, state: M::State, last: Option<Last>, preemptions: u32) -> Self {
        let mut runnable = Vec::new();
        model.runnable(&state, &mut runnable);
        Execution { model, state, runnable, last, raised: false, preemptions }
    }

    /// The model.
    #[inline]
    pub fn model(&self) -> &'m M {
        self.model
    }

    /// The current state.
    #[inline]
    pub fn state(&self) -> &M::State {
        &self.state
    }

    /// The current state, taken out.
    pub fn into_state(self) -> M::State {
        self.state
    }

    /// The threads that may move now, in ascending order.
    #[inline]
    pub fn runnable(&self) -> &[Tid] {
        &self.runnable
    }

    /// Whether thread `tid` may move now (the run may have ended: see [`Execution::status`]).
    #[inline]
    pub fn may_run(&self, tid: Tid) -> bool {
        self.runnable.binary_search(&tid).is_ok()
    }

    /// The last step taken (`None` at the start).
    #[inline]
    pub fn last(&self) -> Option<Last> {
        self.last
    }

    /// The preemptions made so far.
    #[inline]
    pub fn preemptions(&self) -> u32 {
        self.preemptions
    }

    /// Whether the last step raised an exception.
    #[inline]
    pub fn raised(&self) -> bool {
        self.raised
    }

    /// The thread a switch now would preempt (`engine::preemptible`, the one rule).
    #[inline]
    pub fn preemptible(&self) -> Option<Tid> {
        preemptible(self.last, &self.runnable)
    }

    /// Whether stepping `tid` now is a preemption (`engine::is_preemption`, the one rule).
    #[inline]
    pub fn would_preempt(&self, tid: Tid) -> bool {
        is_preemption(self.last, tid, &self.runnable)
    }

    /// Where the run stands (`engine::run_status`, the one rule).
    #[inline]
    pub fn status(&self) -> Status {
        run_status(self.model, &self.state, &self.runnable, self.raised)
    }

    /// Whether `tid` may take the next step: the run has not stopped at a violation and the
    /// thread may move (after a run whose threads all finished, each of them says so).
    pub fn check(&self, tid: Tid) -> Result<(), StepError> {
        if self.may_run(tid) && !self.raised {
            return Ok(());
        }
        // A raise may have ended the run with threads still runnable.
        if let s @ Status::Violation(_) = self.status() {
            return Err(StepError::Ended(s));
        }
        if self.may_run(tid) {
            return Ok(());
        }
        if self.model.thread_count(&self.state) <= tid {
            return Err(StepError::NoSuchThread(tid));
        }
        Err(StepError::CannotMove(tid))
    }

    /// Takes one step of `tid`, which must be allowed ([`Execution::check`]; searches step only
    /// runnable threads of running executions).
    #[inline(always)]
    pub fn advance(&mut self, tid: Tid) -> StepInfo {
        debug_assert!(self.may_run(tid), "[internal bug] stepping a thread that may not move");
        if self.would_preempt(tid) {
            self.preemptions += 1;
        }
        let info = self.model.step(&mut self.state, tid);
        self.model.runnable_after(&self.state, tid, &info, &mut self.runnable);
        self.last = Some(Last::of(tid, &info));
        self.raised = matches!(info.event, Event::Raise(_));
        info
    }

    /// Takes many steps of `tid` at once, as `apply` makes them on the state: a summary of a
    /// stretch of the thread's steps that the caller vouches for (an accelerated loop's
    /// iterations, none of which gives the GIL up). Counts the switch to `tid` as [`advance`]
    /// does.
    ///
    /// [`advance`]: Execution::advance
    pub fn apply_run(&mut self, tid: Tid, apply: impl FnOnce(&mut M::State)) {
        if self.would_preempt(tid) {
            self.preemptions += 1;
        }
        apply(&mut self.state);
        self.model.runnable(&self.state, &mut self.runnable);
        self.last = Some(Last { tid, free: false });
        self.raised = false;
    }

    /// Takes one step of `tid` if it may take one.
    pub fn step(&mut self, tid: Tid) -> Result<StepInfo, StepError> {
        self.check(tid)?;
        Ok(self.advance(tid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::toy::RacyCounter;
    use crate::engine::FindingKind;

    /// Two threads, one increment each: every thread has two steps (load, store).
    fn toy(expect: Option<i64>) -> RacyCounter {
        RacyCounter { threads: 2, n: 1, expect }
    }

    #[test]
    fn a_switch_away_from_a_thread_that_could_go_on_is_a_preemption() {
        let runnable = [0, 1];
        let last = Some(Last { tid: 0, free: false });
        assert_eq!(preemptible(last, &runnable), Some(0));
        assert!(is_preemption(last, 1, &runnable));
        assert!(!is_preemption(last, 0, &runnable), "going on is no switch");
        assert!(!is_preemption(None, 1, &runnable), "the first step is no preemption");
        let free = Some(Last { tid: 0, free: true });
        assert!(!is_preemption(free, 1, &runnable), "a switch after a step that gave the GIL up is free");
        assert!(!is_preemption(last, 1, &[1]), "a switch away from a thread that cannot go on is free");
    }

    #[test]
    fn an_execution_counts_preemptions_as_the_rule_says() {
        let m = toy(None);
        let mut e = Execution::start(&m);
        assert_eq!(e.runnable(), &[0, 1]);
        e.step(0).unwrap();
        assert!(e.would_preempt(1));
        e.step(1).unwrap(); // preempts 0 after its load
        e.step(0).unwrap(); // preempts 1 after its load
        assert_eq!(e.preemptions(), 2);
        assert_eq!(e.runnable(), &[1]);
        e.step(1).unwrap(); // 0 is done: no preemption
        assert_eq!(e.preemptions(), 2);
        assert_eq!(e.status(), Status::Finished(m.project(e.state())));
    }

    #[test]
    fn a_finished_thread_and_an_ended_run_refuse_steps() {
        let m = toy(Some(2));
        let mut e = Execution::start(&m);
        assert_eq!(e.step(2).unwrap_err(), StepError::NoSuchThread(2));
        e.step(0).unwrap();
        e.step(0).unwrap();
        assert_eq!(e.step(0).unwrap_err(), StepError::CannotMove(0));
        // The lost update: both load 0, so the expectation of 2 fails at the end.
        let mut lost = Execution::start(&m);
        for t in [0, 1, 0, 1] {
            lost.step(t).unwrap();
        }
        match lost.status() {
            Status::Violation(f) => assert_eq!(f.kind, FindingKind::Expect),
            s => panic!("expected the lost update, got {s:?}"),
        }
        assert!(matches!(lost.step(0), Err(StepError::Ended(Status::Violation(_)))));
    }
}
