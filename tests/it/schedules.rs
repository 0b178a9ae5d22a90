//! Every place that steps a program by a schedule takes the same steps: the interactive session
//! (`gilcheck explore`) and the replay behind `gilcheck trace` accept exactly the same schedules
//! under every switch model, count the same preemptions, and reach the same state; and what they
//! accept is what the searches explore (a schedule that ends a run is one of the search's runs).
//!
//! Random programs (`GenConfig::tiny_rich()`) under a random switch model, with random runs of
//! single steps of random threads (threads that do not exist or may not move included): 300 cases by default,
//! `PROPTEST_CASES` to change.

use crate::gen::{self, GenConfig, GenProgram};
use gilcheck::session::{Options, Session};
use gilcheck::Model;
use gilcheck::SwitchModel;
use gilcheck::{Limits, Schedule, Status, Strategy};
use proptest::prelude::*;
use proptest::test_runner::Config;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
}

fn same_schedules(p: &GenProgram, switch: SwitchModel, picks: &[(usize, u32)]) -> Result<(), TestCaseError> {
    let m = Model::from_source("gen.py", &p.source)
        .and_then(|m| m.with_switch(switch))
        .map_err(|e| TestCaseError::fail(format!("does not compile: {e}\n{}", p.source)))?;
    let mut session = Session::new(&m, Options::default());
    let mut accepted = Schedule::new();
    for tid in picks.iter().flat_map(|&(tid, k)| std::iter::repeat_n(tid, k as usize)) {
        let mut next = accepted.clone();
        next.push(tid);
        let by_session = session.step(tid, 1).is_ok();
        let by_trace = gilcheck::trace::replay(m.explorable(), &next);
        prop_assert_eq!(
            by_session,
            by_trace.is_ok(),
            "under {}, after {}, thread {}: the session says {}, the replay says {:?}\n{}",
            switch.name(),
            accepted,
            tid,
            by_session,
            by_trace.as_ref().err(),
            p.source
        );
        if let Ok(t) = by_trace {
            accepted = next;
            prop_assert_eq!(session.schedule(), &accepted);
            prop_assert_eq!(session.preemptions(), t.preemptions, "preemptions differ after {}", accepted);
            prop_assert!(session.state() == &t.state, "states differ after {}", accepted);
        }
        if session.status() != Status::Running {
            break;
        }
    }
    // A run the schedule ended is one of the runs the search explores.
    let end = session.status();
    if end != Status::Running {
        let mut limits = Limits::default();
        limits.max_states = 200_000;
        let r = m.checker().strategy(Strategy::Stateful).limits(limits).all_outcomes(true).check();
        if r.exhaustive {
            match &end {
                Status::Finished(o) => prop_assert!(
                    r.outcomes().any(|x| x == o),
                    "{} ends in {:?}, which the search never reaches\n{}",
                    accepted,
                    o,
                    p.source
                ),
                Status::Violation(f) => prop_assert!(
                    r.violations.iter().any(|v| &v.finding == f),
                    "{} ends in {:?}, which the search never finds\n{}",
                    accepted,
                    f,
                    p.source
                ),
                Status::Running => {}
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: cases(), ..Config::default() })]

    #[test]
    fn the_session_and_the_replay_accept_the_same_schedules(
        p in gen::program_meta(GenConfig::tiny_rich()),
        switch in 0..SwitchModel::ALL.len(),
        picks in proptest::collection::vec((0usize..4, 1u32..24), 1..40),
    ) {
        same_schedules(&p, SwitchModel::ALL[switch], &picks)?;
    }
}
