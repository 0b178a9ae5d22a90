//! The fuzzing harness's smoke (`examples/fuzz/`): 10,000 generated and mutated inputs over
//! every command, with no failure of an oracle that is switched on. Workers are this test
//! binary again, running the ignored `fuzz_worker` test.

#[path = "../../examples/fuzz/mod.rs"]
#[allow(dead_code)]
mod harness;

use harness::driver::{self, Config, WorkerCommand};
use harness::oracle::{self, Kind};
use std::path::PathBuf;

/// A worker of `fuzz_smoke` (does nothing unless started by it).
#[test]
#[ignore = "started by fuzz_smoke as a worker"]
fn fuzz_worker() {
    driver::worker_main();
}

#[test]
fn fuzz_smoke() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    let cfg = Config {
        seed: 2026,
        inputs: 10_000,
        jobs,
        root: root.clone(),
        bin: Some(PathBuf::from(env!("CARGO_BIN_EXE_gilcheck"))),
        subprocess_every: 50,
        out: PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-smoke"),
        max_time: 0.25,
        max_memory: 512,
        worker_memory: 4096,
        no_limit_seconds: 0.5,
        // Other tests share the cores: a looser bound on time than the 1 s of the long run.
        slack_seconds: 3.0,
    };
    let _ = std::fs::remove_dir_all(&cfg.out);
    let exe = std::env::current_exe().expect("the test binary");
    let args = ["fuzz_smoke::fuzz_worker", "--exact", "--ignored", "--nocapture", "--test-threads=1"];
    let cmd = WorkerCommand { program: exe, args: args.iter().map(|s| s.to_string()).collect() };
    let summary = driver::run(&cfg, &cmd, false);
    assert_eq!(summary.inputs, cfg.inputs);
    let on: Vec<&str> = Kind::ALL.iter().filter(|k| oracle::enabled(**k)).map(|k| k.name()).collect();
    eprintln!(
        "fuzz smoke: {} inputs in {:.1} s, oracles on: {}; classes (inputs under {}):\n{}",
        summary.inputs,
        summary.seconds,
        on.join(", "),
        cfg.out.display(),
        summary.store.summary()
    );
    assert_eq!(summary.store.enabled_failures(), 0, "failures of switched-on oracles:\n{}", summary.store.summary());
}
