//! Cross-checks loom's outcome sets for the seed's counter programs against
//! the sets gilcheck reports for the same programs.
//!
//! Only meaningful under `RUSTFLAGS="--cfg loom"`; a plain build compiles this
//! to a test binary with no tests. Run with `-- --nocapture` to see each
//! model's time and number of executions.
#![cfg(loom)]

use std::collections::BTreeSet;
use std::time::Instant;

use loom_check::{explore_locked, explore_racy, locked_final_values, racy_final_values};

fn set(values: impl IntoIterator<Item = u64>) -> BTreeSet<u64> {
    values.into_iter().collect()
}

/// Explores one model, prints its time and execution count, and checks its
/// outcome set.
fn check(name: &str, n: usize, explore: fn(usize) -> loom_check::Exploration, want: BTreeSet<u64>) {
    let start = Instant::now();
    let exploration = explore(n);
    eprintln!(
        "loom {name} N={n}: {} executions in {:.3?}, final values {:?}",
        exploration.executions,
        start.elapsed(),
        exploration.final_values
    );
    assert_eq!(exploration.final_values, want, "{name} N={n}");
}

#[test]
fn racy_one_increment_each_reaches_one_and_two() {
    check("racy", 1, explore_racy, set([1, 2]));
}

#[test]
fn racy_two_increments_each_reach_two_to_four() {
    check("racy", 2, explore_racy, set(2..=4));
}

#[test]
fn racy_three_increments_each_reach_two_to_six() {
    check("racy", 3, explore_racy, set(2..=6));
}

#[test]
fn locked_increments_reach_only_two_n() {
    for n in 1..=3 {
        check("locked", n, explore_locked, set([2 * n as u64]));
    }
}

/// `racy_final_values` and `locked_final_values` are `explore_*(n).final_values`;
/// check them directly on the cheap models (racy N = 3 is checked above through
/// `explore_racy`, so as not to explore its ~57k executions twice).
#[test]
fn final_value_wrappers_match_gilcheck() {
    assert_eq!(racy_final_values(1), set([1, 2]));
    assert_eq!(racy_final_values(2), set([2, 3, 4]));
    for n in 1..=3 {
        assert_eq!(locked_final_values(n), set([2 * n as u64]));
    }
}
