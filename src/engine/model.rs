//! The interface every search drives: a nondeterministic system of threads ([`System`]), and
//! where one of its executions stands ([`Status`]).

use super::finding::{Finding, Outcome};
use super::python::PyModel;
use crate::vm::{StepInfo, SwitchModel, Tid};
use std::fmt::Debug;
use std::hash::Hash;

/// Where an execution stands in a state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Some thread can take a step.
    Running,
    /// Every thread finished: the execution is complete with this outcome.
    Finished(Outcome),
    /// The execution stops here with a violation.
    Violation(Finding),
}

/// A nondeterministic system whose evolution the explorers search: threads take steps; the
/// scheduler chooses which. The Python VM is one implementation ([`PyModel`]); tests use toys.
pub trait System {
    /// A state: a value that can be stored, compared and hashed.
    type State: Clone + Eq + Hash + Debug + Send + 'static;
    /// The initial state.
    fn init(&self) -> Self::State;
    /// The threads that can take a step in `s`, in ascending order, written into `out`.
    fn runnable(&self, s: &Self::State, out: &mut Vec<Tid>);
    /// How many threads `s` has (started or not): thread ids run from 0 to this, exclusive.
    fn thread_count(&self, s: &Self::State) -> usize;
    /// Takes one step of thread `tid` in place.
    fn step(&self, s: &mut Self::State, tid: Tid) -> StepInfo;
    /// Updates `out`, the runnable threads before `stepped` took the step described by `info`,
    /// to those after it. The default recomputes; models may update incrementally.
    fn runnable_after(&self, s: &Self::State, _stepped: Tid, _info: &StepInfo, out: &mut Vec<Tid>) {
        self.runnable(s, out);
    }
    /// Whether the execution is running, complete, or stopped by a violation.
    fn status(&self, s: &Self::State) -> Status;
    /// A stable 128-bit fingerprint of the state.
    fn fingerprint(&self, s: &Self::State) -> u128;
    /// Whether `tid`'s next step is invisible (local, cannot fail): no switch is needed before it.
    fn next_step_is_local(&self, _s: &Self::State, _tid: Tid) -> bool {
        false
    }
    /// Whether switching away from `tid` right before its next step can reach anything that a
    /// later switch cannot. When every boundary is a switch point, a switch before an invisible
    /// step is redundant (it commutes to after it); where the switch model allows switches only
    /// at some boundaries, it is not, and no switch is possible where the thread holds the GIL.
    fn worth_preempting_before(&self, s: &Self::State, tid: Tid) -> bool {
        !self.next_step_is_local(s, tid)
    }
    /// Whether `tid`'s next step is a loop back-edge (where cycle detection looks).
    fn next_step_is_back_edge(&self, _s: &Self::State, _tid: Tid) -> bool {
        false
    }
    /// The state's globals and output, as an outcome (also shown for violations).
    fn project(&self, s: &Self::State) -> Outcome;
    /// The source line thread `tid` is at (0 when unknown).
    fn line_of(&self, _s: &Self::State, _tid: Tid) -> u32 {
        0
    }
    /// Where the model's threads may switch (for the report).
    fn switch_model(&self) -> SwitchModel {
        SwitchModel::Bytecode
    }
    /// The Python model behind this one, for the reductions that analyse its bytecode.
    fn as_py(&self) -> Option<&PyModel> {
        None
    }
    /// Replaces `s` by the representative of the states the program cannot tell from it (the
    /// Python model renumbers its heap, see `vm/canon.rs`); the stateful searches call it after
    /// every step, before the fingerprint. It depends on the state alone, so a state reached
    /// along any path has one representative. The default: every state is its own.
    fn canonicalize(&self, _s: &mut Self::State) {}
    /// Gives `s` copies of its own of the parts it shares with other states, before another
    /// search thread takes it over (the default: nothing is shared).
    fn unshare(&self, _s: &mut Self::State) {}
    /// Whether the state graph certainly has no cycle (every loop of the program advances an
    /// iterator, so no state can come back): then a search need not look for runs that never
    /// end. The default: not known.
    fn acyclic(&self) -> bool {
        false
    }
    /// Solo-loop acceleration: when `tid`'s next step heads a loop whose remaining iterations
    /// are translations ([`crate::analysis::loops`]), that loop. Loops found not to be
    /// translations are remembered in `rejected`. The default: no loop is ever accelerated.
    fn solo_loop(&self, _s: &Self::State, _tid: Tid, _rejected: &mut RejectedLoops) -> Option<SoloLoop> {
        None
    }
    /// Applies `k` iterations (at most `l.iterations`) of the loop [`System::solo_loop`] found at
    /// `tid`'s next step in `s`, in O(1): the state is the one `k * l.steps` steps reach.
    fn apply_solo_loop(&self, _s: &mut Self::State, _tid: Tid, _l: &SoloLoop, _k: u64) {
        unreachable!("[internal bug] apply_solo_loop without solo_loop")
    }
}

/// A loop that one thread can run through alone in O(1) ([`System::solo_loop`]).
#[derive(Clone, Debug)]
pub struct SoloLoop {
    /// Iterations left.
    pub iterations: u64,
    /// Steps per iteration.
    pub steps: u64,
    /// Whether some step of an iteration is visible (a point another thread could preempt at).
    pub yields: bool,
    pub(crate) translation: crate::analysis::loops::Translation,
}

/// Loop heads (code object, instruction) found not to be translations, so that they are not
/// analysed again.
#[derive(Clone, Debug, Default)]
pub struct RejectedLoops(pub(crate) std::collections::HashSet<(u32, u32)>);
