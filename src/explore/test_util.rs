//! Toy models for testing the strategies without the Python pipeline.

use super::model::{Model, Status};
use super::report::{Finding, FindingKind, Outcome};
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

impl Model for RacyCounter {
    type State = CounterState;

    fn init(&self) -> CounterState {
        CounterState { pc: vec![0; self.threads], reg: vec![0; self.threads], shared: 0 }
    }

    fn runnable(&self, s: &CounterState, out: &mut Vec<Tid>) {
        out.clear();
        out.extend((0..self.threads).filter(|&t| s.pc[t] < 2 * self.n));
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
}

/// The binomial coefficient C(n, k) as u128.
pub fn binomial(n: u64, k: u64) -> u128 {
    let mut r: u128 = 1;
    for i in 0..k {
        r = r * (n - i) as u128 / (i + 1) as u128;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::{Checker, Strategy, Verdict};
    use num_bigint::BigUint;

    fn values(r: &crate::explore::Report) -> Vec<i128> {
        r.int_values("shared").into_iter().collect()
    }

    #[test]
    fn enumerate_and_stateful_count_the_binomial_and_agree_on_outcomes() {
        for n in 1..=3u32 {
            let m = RacyCounter { threads: 2, n, expect: None };
            let e = Checker::new(&m).strategy(Strategy::Enumerate).all_outcomes(true).check();
            let s = Checker::new(&m).strategy(Strategy::Stateful).all_outcomes(true).check();
            let expected = BigUint::from(binomial(4 * n as u64, 2 * n as u64));
            assert_eq!(e.interleavings.as_ref(), Some(&expected), "enumerate N={n}");
            assert_eq!(s.interleavings.as_ref(), Some(&expected), "stateful N={n}");
            let want: Vec<i128> = if n == 1 { vec![1, 2] } else { (2..=2 * n as i128).collect() };
            assert_eq!(values(&e), want);
            assert_eq!(values(&s), want);
        }
    }

    #[test]
    fn three_threads_count_the_multinomial() {
        let m = RacyCounter { threads: 3, n: 1, expect: None };
        let s = Checker::new(&m).strategy(Strategy::Stateful).all_outcomes(true).check();
        // 6! / (2! 2! 2!) = 90
        assert_eq!(s.interleavings, Some(BigUint::from(90u32)));
        let e = Checker::new(&m).strategy(Strategy::Enumerate).all_outcomes(true).check();
        assert_eq!(e.interleavings, Some(BigUint::from(90u32)));
    }

    #[test]
    fn bounded_search_finds_the_lost_update_with_one_preemption() {
        let m = RacyCounter { threads: 2, n: 5, expect: Some(10) };
        let r = Checker::new(&m).strategy(Strategy::Bounded { max_bound: 4 }).check();
        assert_eq!(r.verdict, Verdict::Violated);
        let c = r.counterexample().unwrap();
        assert_eq!(c.preemptions, 1);
        assert_eq!(r.stats.preemption_bound, Some(1));
    }

    #[test]
    fn bounded_search_is_exhaustive_when_no_preemption_is_cut() {
        let m = RacyCounter { threads: 2, n: 1, expect: None };
        let r = Checker::new(&m).strategy(Strategy::Bounded { max_bound: 10 }).all_outcomes(true).check();
        assert_eq!(r.verdict, Verdict::Holds);
        assert!(r.exhaustive);
        assert_eq!(values(&r), vec![1, 2]);
    }
}
