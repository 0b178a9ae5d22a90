//! Toy models for testing the strategies without the Python pipeline.

use crate::engine::{Finding, FindingKind, Outcome, Status, System};
use crate::vm::{Access, Object, StepInfo, Tid};

/// `threads` threads each doing `n` racy increments of one shared counter, each increment a
/// load step then a store step (the seed's race at load/store granularity).
#[derive(Debug)]
pub struct RacyCounter {
    pub threads: usize,
    pub n: u32,
    /// Final value required (a violation otherwise).
    pub expect: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CounterState {
    pub pc: Vec<u32>,
    pub reg: Vec<i64>,
    pub shared: i64,
}

impl System for RacyCounter {
    type State = CounterState;

    fn init(&self) -> CounterState {
        CounterState { pc: vec![0; self.threads], reg: vec![0; self.threads], shared: 0 }
    }

    fn runnable(&self, s: &CounterState, out: &mut Vec<Tid>) {
        out.clear();
        out.extend((0..self.threads).filter(|&t| s.pc[t] < 2 * self.n));
    }

    fn thread_count(&self, _: &CounterState) -> usize {
        self.threads
    }

    fn step(&self, s: &mut CounterState, tid: Tid) -> StepInfo {
        let mut info = StepInfo::default();
        if s.pc[tid].is_multiple_of(2) {
            s.reg[tid] = s.shared;
            info.footprint.add(Access::Read(Object::Global(0)));
        } else {
            s.shared = s.reg[tid] + 1;
            info.footprint.add(Access::Write(Object::Global(0)));
        }
        s.pc[tid] += 1;
        info
    }

    fn status(&self, s: &CounterState) -> Status {
        if s.pc.iter().any(|&p| p < 2 * self.n) {
            return Status::Running;
        }
        match self.expect {
            Some(v) if v != s.shared => Status::Violation(Finding {
                kind: FindingKind::Expect,
                message: format!("shared = {}", s.shared),
                thread: 0,
                line: 0,
            }),
            _ => Status::Finished(self.project(s)),
        }
    }

    fn fingerprint(&self, s: &CounterState) -> u128 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        std::hash::Hash::hash(s, &mut h);
        h.digest128()
    }

    fn project(&self, s: &CounterState) -> Outcome {
        Outcome { globals: vec![("shared".into(), s.shared.to_string())], output: vec![], violation: None }
    }

    /// Every step advances a program counter.
    fn acyclic(&self) -> bool {
        true
    }
}

/// The binomial coefficient C(n, k) as u128.
pub fn binomial(n: u64, k: u64) -> u128 {
    let mut r: u128 = 1;
    for i in 0..k {
        r = r * (n - i) as u128 / (i + 1) as u128;
    }
    r
}
