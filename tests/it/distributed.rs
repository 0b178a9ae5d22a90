//! The stateful search across processes (timely dataflow): two `gilcheck` processes on this host
//! get exactly the single-process figures and verdict; one process of several timely workers
//! does too, on random programs.

use crate::gen::{self, GenConfig, GenProgram};
use gilcheck::{trace, Cluster, Model, Report, Status, Strategy as Search, SwitchModel, System};
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::process::{Command, Stdio};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(40)
}

fn summary(r: &Report) -> String {
    let findings: Vec<String> = r.violations.iter().map(|v| format!("{:?}", v.finding)).collect();
    format!(
        "{:?} exhaustive={} states={} steps={} runs={}\noutcomes {:#?}\nviolations {findings:#?}",
        r.verdict, r.exhaustive, r.stats.states, r.stats.transitions, r.stats.executions, r.outcomes
    )
}

fn one_process(workers: usize) -> Cluster {
    Cluster { workers, processes: 1, process: 0, hostfile: None }
}

fn same_search(p: &GenProgram, switch: SwitchModel, workers: usize) -> Result<(), TestCaseError> {
    let m = Model::from_source("gen.py", &p.source)
        .and_then(|m| m.with_switch(switch))
        .map_err(|e| TestCaseError::fail(format!("does not compile: {e}\n{}", p.source)))?;
    if !m.explorable().acyclic() {
        let r = m.checker().strategy(Search::Stateful).cluster(one_process(workers)).check();
        prop_assert!(r.limit.as_deref().is_some_and(|l| l.contains("no distributed search")), "{:?}", r.limit);
        return Ok(());
    }
    let one = m.checker().strategy(Search::Stateful).all_outcomes(true).check();
    let many = m.checker().strategy(Search::Stateful).all_outcomes(true).cluster(one_process(workers)).check();
    prop_assert_eq!(summary(&many), summary(&one), "under {}\n{}", switch.name(), p.source);
    for v in &many.violations {
        let t = trace::replay(m.explorable(), &v.schedule)
            .map_err(|e| TestCaseError::fail(format!("{} does not replay: {e}\n{}", v.schedule, p.source)))?;
        prop_assert_eq!(&t.status, &Status::Violation(v.finding.clone()));
        prop_assert_eq!(t.preemptions, v.preemptions);
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: cases(), ..Config::default() })]

    /// Several timely workers in one process explore the state graph of one thread.
    #[test]
    fn timely_workers_explore_the_state_graph_of_one_thread(
        p in gen::program_meta(GenConfig::tiny_rich()),
        switch in prop::sample::select(SwitchModel::ALL.to_vec()),
        workers in 1usize..4,
    ) {
        same_search(&p, switch, workers)?;
    }
}

fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

/// Two processes on this host, two workers each, search the racy seed at N = 4 together:
/// process 0 reports the single process's states, steps, runs, outcomes and verdict; process 1
/// says it searched its share.
#[test]
fn two_processes_on_localhost_give_the_single_process_figures() {
    let dir = std::env::temp_dir().join(format!("gilcheck-cluster-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = 20_000 + (std::process::id() % 20_000) as u16;
    let hosts = dir.join("hosts");
    std::fs::write(&hosts, format!("localhost:{base}\nlocalhost:{}\n", base + 1)).unwrap();
    let common = ["outcomes", "models/race_condition.py", "--set", "N=4", "--format", "json"];
    let single = Command::new(env!("CARGO_BIN_EXE_gilcheck")).args(common).output().unwrap();
    let cluster = |i: usize| {
        Command::new(env!("CARGO_BIN_EXE_gilcheck"))
            .args(common)
            .args(["--workers", "2", "--processes", "2", "--process", &i.to_string(), "--hostfile"])
            .arg(&hosts)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (p1, p0) = (cluster(1), cluster(0));
    let (o0, o1) = (p0.wait_with_output().unwrap(), p1.wait_with_output().unwrap());
    assert_eq!(o1.status.code(), Some(0), "{}", String::from_utf8_lossy(&o1.stdout));
    assert!(String::from_utf8_lossy(&o1.stdout).contains("process 1 of 2"));
    assert_eq!(o0.status.code(), single.status.code());
    // Process 0's standard output is its report and nothing else (timely's lines about
    // connecting go to standard error).
    let (a, b) = (json(&o0.stdout), json(&single.stdout));
    for key in ["states", "transitions", "executions"] {
        assert_eq!(a["stats"][key], b["stats"][key], "{key}");
    }
    assert_eq!(a["stats"]["states"], 38_346, "{}", a["stats"]);
    assert_eq!(a["verdict"], b["verdict"]);
    // The workers did not send again some successors they had sent (their owners had them).
    let note = a["notes"].as_array().unwrap().iter().filter_map(|n| n.as_str()).find(|n| n.contains("timely"));
    let skipped = note.and_then(|n| n.split("; ").nth(1)).and_then(|t| t.split(' ').next());
    assert!(skipped.is_some_and(|n| n != "0"), "{note:?}");
    let outcomes = |v: &serde_json::Value| {
        v["outcomes"].as_array().unwrap().iter().map(|o| o["globals"].to_string()).collect::<Vec<_>>()
    };
    assert_eq!(outcomes(&a), outcomes(&b));
    assert_eq!(outcomes(&a).len(), 7, "final values 2..=8");
    let _ = std::fs::remove_dir_all(&dir);
}
