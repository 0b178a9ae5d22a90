//! Differential property tests on random programs of the subset: plain enumeration (the
//! oracle) and the stateful search give identical verdicts, outcome sets, violations and
//! interleaving counts; and the serial run the generator computes independently is among the
//! outcomes.
//!
//! The programs come from `GenConfig::tiny()` (under `bytecode`, and under a random CPython model),
//! and from `GenConfig::tiny_rich()` (lists, dicts, objects, `@property`, helper calls, builtins,
//! `try`/`finally`, RLocks and semaphores) under a random switch model, 2,000 cases by default.
//!
//! `PROPTEST_CASES=100000 cargo test --release --test it differential` runs 10⁵ cases of each.
//!
//! The generator of every construct (`subset_gen`) runs under a random switch model too: 300
//! cases, `GILCHECK_GEN_CASES` to change.
//!
//! Enumeration keeps every state as it is, while the stateful search keeps one state for every
//! numbering of the heap (`vm/canon.rs`): the comparisons above check that reduction too, where
//! enumeration can go. The heap-symmetry properties below compare the stateful search with and
//! without it on programs too large to enumerate.

use crate::gen::{self, GenConfig, GenProgram};
use crate::subset_gen;
use gilcheck::Model;
use gilcheck::SwitchModel;
use gilcheck::{Limits, Report, Strategy};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Programs with more interleavings than this are skipped (enumeration would take too long).
const MAX_INTERLEAVINGS: u64 = 200_000;

fn cases() -> u32 {
    cases_or(1000)
}

/// `PROPTEST_CASES`, else `default`.
fn cases_or(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn findings(r: &Report) -> Vec<String> {
    r.violations.iter().map(|v| format!("{:?}", v.finding)).collect()
}

fn compare(p: &GenProgram, switch: SwitchModel) -> Result<(), TestCaseError> {
    compare_source(&p.source, switch, 2_000_000, |s| {
        // The generator's serial run (each thread runs to completion inside start()) is one
        // interleaving: its globals must be among the outcomes.
        if let Some(serial) = &p.serial_outcome {
            let found =
                s.outcomes().any(|o| serial.iter().all(|(name, v)| o.global(name) == Some(v.to_string().as_str())));
            prop_assert!(found, "serial outcome {:?} missing\n{}", serial, p.source);
        }
        Ok(())
    })
}

/// Stateful search (at most `max_states` states, else the case is skipped), `check` on its
/// report, then enumeration where the count allows: the two must agree.
fn compare_source(
    src: &str,
    switch: SwitchModel,
    max_states: u64,
    check: impl Fn(&Report) -> Result<(), TestCaseError>,
) -> Result<(), TestCaseError> {
    let m = Model::from_source("gen.py", src)
        .and_then(|m| m.with_switch(switch))
        .map_err(|e| TestCaseError::fail(format!("does not compile: {e}\n{src}")))?;
    let mut limits = Limits::default();
    limits.max_states = max_states;
    let s =
        m.checker().strategy(Strategy::Stateful).limits(limits).all_outcomes(true).count_interleavings(true).check();
    prop_assume!(s.exhaustive);
    check(&s)?;
    let Some(n) = s.interleavings.as_ref().and_then(|n| u64::try_from(n).ok()) else {
        return Err(TestCaseError::reject("uncountable"));
    };
    prop_assume!(n <= MAX_INTERLEAVINGS);
    let e = m.checker().strategy(Strategy::Enumerate).all_outcomes(true).count_interleavings(true).check();
    prop_assert!(e.exhaustive);
    prop_assert_eq!(e.verdict, s.verdict, "verdicts differ\n{}", src);
    prop_assert_eq!(e.outcomes().collect::<Vec<_>>(), s.outcomes().collect::<Vec<_>>(), "outcomes differ\n{}", src);
    prop_assert_eq!(findings(&e), findings(&s), "violations differ\n{}", src);
    prop_assert_eq!(e.interleavings.as_ref(), s.interleavings.as_ref(), "counts differ\n{}", src);
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: cases(), max_global_rejects: 1_000_000, ..Config::default() })]

    #[test]
    fn enumerate_and_stateful_agree_on_tiny_programs(p in gen::program_meta(GenConfig::tiny())) {
        compare(&p, SwitchModel::Bytecode)?;
    }

    #[test]
    fn enumerate_and_stateful_agree_under_cpython_switch_models(
        p in gen::program_meta(GenConfig::tiny()),
        m in prop::sample::select(&SwitchModel::ALL[1..]),
    ) {
        compare(&p, m)?;
    }
}

proptest! {
    #![proptest_config(Config {
        cases: std::env::var("GILCHECK_GEN_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
        max_global_rejects: 1_000_000,
        ..Config::default()
    })]

    /// The generator of every construct (`subset_gen`), under a random switch model.
    #[test]
    fn enumerate_and_stateful_agree_on_every_construct(
        p in subset_gen::program(),
        m in prop::sample::select(SwitchModel::ALL),
    ) {
        compare_source(&p.source, m, 50_000, |_| Ok(()))?;
    }
}

proptest! {
    #![proptest_config(Config { cases: cases_or(2000), max_global_rejects: 1_000_000, ..Config::default() })]

    #[test]
    fn enumerate_and_stateful_agree_on_rich_programs(
        p in gen::program_meta(GenConfig::tiny_rich()),
        m in prop::sample::select(SwitchModel::ALL),
    ) {
        compare(&p, m)?;
    }
}

/// The stateful search with heap symmetry and without it (at most `max_states` states, else the
/// case is skipped) must agree on the verdict, the outcomes, the violations and the number of
/// interleavings.
fn compare_symmetry(src: &str, switch: SwitchModel, max_states: u64) -> Result<(), TestCaseError> {
    let m = Model::from_source("gen.py", src)
        .and_then(|m| m.with_switch(switch))
        .map_err(|e| TestCaseError::fail(format!("does not compile: {e}\n{src}")))?;
    let mut limits = Limits::default();
    limits.max_states = max_states;
    let run = |m: &Model| {
        m.checker()
            .strategy(Strategy::Stateful)
            .limits(limits.clone())
            .all_outcomes(true)
            .count_interleavings(true)
            .check()
    };
    let plain = run(&m.clone().with_heap_symmetry(false).expect("a flag"));
    prop_assume!(plain.exhaustive);
    let sym = run(&m);
    prop_assert!(sym.exhaustive, "the reduced search was cut where the plain one was not\n{}", src);
    prop_assert!(sym.stats.states <= plain.stats.states, "more states with heap symmetry\n{}", src);
    prop_assert_eq!(sym.verdict, plain.verdict, "verdicts differ\n{}", src);
    prop_assert_eq!(
        sym.outcomes().collect::<Vec<_>>(),
        plain.outcomes().collect::<Vec<_>>(),
        "outcomes differ\n{}",
        src
    );
    prop_assert_eq!(findings(&sym), findings(&plain), "violations differ\n{}", src);
    prop_assert_eq!(sym.interleavings.as_ref(), plain.interleavings.as_ref(), "counts differ\n{}", src);
    Ok(())
}

proptest! {
    #![proptest_config(Config {
        cases: std::env::var("GILCHECK_GEN_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
        max_global_rejects: 1_000_000,
        ..Config::default()
    })]

    /// Every construct, under a random switch model.
    #[test]
    fn heap_symmetry_keeps_every_outcome_on_every_construct(
        p in subset_gen::program(),
        m in prop::sample::select(SwitchModel::ALL),
    ) {
        compare_symmetry(&p.source, m, 200_000)?;
    }
}

proptest! {
    #![proptest_config(Config { cases: cases_or(1000), max_global_rejects: 1_000_000, ..Config::default() })]

    /// Lists, dicts and objects made in several threads.
    #[test]
    fn heap_symmetry_keeps_every_outcome_on_rich_programs(
        p in gen::program_meta(GenConfig::tiny_rich()),
        m in prop::sample::select(SwitchModel::ALL),
    ) {
        compare_symmetry(&p.source, m, 200_000)?;
    }
}
