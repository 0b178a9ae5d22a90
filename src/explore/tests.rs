//! The strategies on a toy model ([`crate::engine::toy`]): exact counts from combinatorics.

use crate::engine::toy::{binomial, RacyCounter};
use crate::explore::{Checker, Strategy, Verdict};
use num_bigint::BigUint;

/// The toy counter's final values with the interleavings that end in each, as small numbers.
pub(super) fn shared_counts(r: &crate::explore::Report) -> Vec<(&str, Option<u64>)> {
    r.outcomes
        .iter()
        .map(|o| {
            let n = o.interleavings.as_ref().map(|n| u64::try_from(n).expect("a small count"));
            (o.outcome.global("shared").unwrap_or("?"), n)
        })
        .collect()
}

fn values(r: &crate::explore::Report) -> Vec<i128> {
    r.int_values("shared").into_iter().collect()
}

#[test]
fn enumerate_and_stateful_count_the_binomial_and_agree_on_outcomes() {
    for n in 1..=3u32 {
        let m = RacyCounter { threads: 2, n, expect: None };
        let e = Checker::new(&m).strategy(Strategy::Enumerate).all_outcomes(true).count_interleavings(true).check();
        let s = Checker::new(&m).strategy(Strategy::Stateful).all_outcomes(true).count_interleavings(true).check();
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
    let s = Checker::new(&m).strategy(Strategy::Stateful).all_outcomes(true).count_interleavings(true).check();
    // 6! / (2! 2! 2!) = 90
    assert_eq!(s.interleavings, Some(BigUint::from(90u32)));
    let e = Checker::new(&m).strategy(Strategy::Enumerate).all_outcomes(true).count_interleavings(true).check();
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
    let r = Checker::new(&m)
        .strategy(Strategy::Bounded { max_bound: 10 })
        .all_outcomes(true)
        .count_interleavings(true)
        .check();
    assert_eq!(r.verdict, Verdict::Holds);
    assert!(r.exhaustive);
    assert_eq!(values(&r), vec![1, 2]);
}

/// Counting is asked for: by default neither strategy counts, and the verdict and outcomes are
/// the same.
#[test]
fn interleavings_are_counted_only_on_request() {
    let m = RacyCounter { threads: 2, n: 2, expect: None };
    for strategy in [Strategy::Enumerate, Strategy::Stateful] {
        let plain = Checker::new(&m).strategy(strategy).all_outcomes(true).check();
        let counted = Checker::new(&m).strategy(strategy).all_outcomes(true).count_interleavings(true).check();
        assert_eq!(plain.interleavings, None, "{strategy:?}");
        assert!(plain.outcomes.iter().all(|o| o.interleavings.is_none()), "{strategy:?}");
        assert_eq!(counted.interleavings, Some(BigUint::from(binomial(8, 4))), "{strategy:?}");
        assert_eq!(values(&plain), values(&counted));
        assert_eq!(plain.verdict, counted.verdict);
    }
}
