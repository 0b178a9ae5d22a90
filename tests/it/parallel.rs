//! The stateful search on several threads (`--workers`) explores the state graph of one: on
//! random programs (`GenConfig::tiny_rich()`, and the `for`-loop programs of `accelerate`)
//! under a random switch model, the same number of states, steps and complete runs, the same
//! outcomes and the same violations, each with a schedule that replays to it. Programs with a
//! `while` loop run on one thread, and the report says why.
//!
//! `PROPTEST_CASES` sets the number of programs (default 150).

use crate::gen::{self, GenConfig, GenProgram};
use gilcheck::{trace, Model, Report, Status, Strategy as Search, SwitchModel};
use proptest::prelude::*;
use proptest::test_runner::Config;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(150)
}

fn summary(r: &Report) -> String {
    let findings: Vec<String> = r.violations.iter().map(|v| format!("{:?}", v.finding)).collect();
    format!(
        "{:?} exhaustive={} states={} steps={} runs={}\noutcomes {:#?}\nviolations {findings:#?}",
        r.verdict, r.exhaustive, r.stats.states, r.stats.transitions, r.stats.executions, r.outcomes
    )
}

/// What the fingerprint-table and graph searches must agree on (the graph search's outcome
/// counts are interleaving counts, the table's first visits: only which outcomes is compared).
fn shape(r: &Report) -> String {
    let findings: Vec<String> = r.violations.iter().map(|v| format!("{:?}", v.finding)).collect();
    let outcomes: Vec<String> = r.outcomes().map(|o| format!("{o:?}")).collect();
    format!(
        "{:?} exhaustive={} states={} steps={} runs={}\noutcomes {outcomes:#?}\nviolations {findings:#?}",
        r.verdict, r.exhaustive, r.stats.states, r.stats.transitions, r.stats.executions
    )
}

fn same_search(p: &GenProgram, switch: SwitchModel, workers: usize) -> Result<(), TestCaseError> {
    let m = Model::from_source("gen.py", &p.source)
        .and_then(|m| m.with_switch(switch))
        .map_err(|e| TestCaseError::fail(format!("does not compile: {e}\n{}", p.source)))?;
    let run = |w: usize| m.checker().strategy(Search::Stateful).all_outcomes(true).workers(w).check();
    let (one, many) = (run(1), run(workers));
    let parallel = many.stats.workers == workers;
    prop_assert_eq!(parallel, !p.source.contains("while "), "{:?}\n{}", many.notes, p.source);
    if !parallel {
        prop_assert!(many.notes.iter().any(|n| n.contains("ran on one thread")), "{:?}", many.notes);
        return Ok(());
    }
    prop_assert_eq!(summary(&many), summary(&one), "under {}\n{}", switch.name(), p.source);
    // The fingerprint table (one thread or several) explores the graph search's state graph: the
    // graph search runs when interleavings are counted.
    let graph = m.checker().strategy(Search::Stateful).all_outcomes(true).count_interleavings(true).check();
    prop_assert_eq!(graph.stats.workers, 1);
    prop_assert_eq!(shape(&graph), shape(&one), "under {}\n{}", switch.name(), p.source);
    for v in &many.violations {
        let t = trace::replay(m.explorable(), &v.schedule)
            .map_err(|e| TestCaseError::fail(format!("{} does not replay: {e}\n{}", v.schedule, p.source)))?;
        prop_assert_eq!(&t.status, &Status::Violation(v.finding.clone()), "{}\n{}", v.schedule, p.source);
        prop_assert_eq!(t.preemptions, v.preemptions);
    }
    // Stopping at the first violation: violated exactly when one thread says so.
    let first = m.checker().strategy(Search::Stateful).workers(workers).check();
    let first_one = m.checker().strategy(Search::Stateful).check();
    prop_assert_eq!(first.verdict, first_one.verdict, "{}", p.source);
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: cases(), ..Config::default() })]

    #[test]
    fn many_threads_explore_the_state_graph_of_one(
        p in gen::program_meta(GenConfig::tiny_rich()),
        switch in prop::sample::select(SwitchModel::ALL.to_vec()),
        workers in 2usize..5,
    ) {
        same_search(&p, switch, workers)?;
    }
}

/// The seed's racy program at N = 6 on two threads: the figures of one thread, and
/// every violation's schedule replays.
#[test]
fn the_racy_seed_on_two_threads() {
    let m = Model::from_source("race_condition.py", include_str!("../../models/race_condition.py"))
        .and_then(|m| m.with_set("N", "6"))
        .expect("compiles");
    let run = |w: usize| m.checker().strategy(Search::Stateful).all_outcomes(true).workers(w).check();
    let (one, two) = (run(1), run(2));
    assert_eq!(summary(&two), summary(&one));
    // Final values 2..=12: eleven outcomes, ten of them violations.
    assert_eq!(two.outcomes.len(), 11);
    assert_eq!(two.violations.len(), 10);
    assert!(two.notes.iter().any(|n| n.contains("2 threads shared one visited set")), "{:?}", two.notes);
    let counted =
        m.checker().strategy(Search::Stateful).all_outcomes(true).count_interleavings(true).workers(2).check();
    assert_eq!(counted.stats.workers, 1);
    assert!(counted.notes.iter().any(|n| n.contains("interleaving counts need the one-thread search")));
}
