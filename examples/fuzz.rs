//! The fuzzing harness: `cargo run --release --example fuzz -- [--inputs N] [--seed S]
//! [--jobs J] [--out DIR] [--max-time SECONDS] [--no-limit-seconds S] [--slack-seconds S] [--subprocess-every K]
//! [--bin PATH] [--reduce-seconds S] [--reduce-only]`.
//!
//! Generates and mutates Python sources, runs every command on them with small limits, and
//! records each class of failure (the command, the oracle, the first line of the message)
//! with its smallest input under `--out` (default `target/fuzz-failures/`: `input.py`,
//! `reason.txt` with the command line, and `reduced.py`, the input shrunk by deleting lines
//! while the class still fails). `--reduce-only` shrinks what an earlier run with the same
//! options recorded. Exits 1 when an oracle that is switched on failed (see
//! `examples/fuzz/oracle.rs`).

#[path = "fuzz/mod.rs"]
mod fuzz;

use fuzz::driver::{self, Config, WorkerCommand};
use fuzz::reduce;
use std::path::PathBuf;

fn main() {
    if std::env::var_os(driver::WORKER_ENV).is_some() {
        driver::worker_main();
        return;
    }
    if std::env::var_os(reduce::REDUCE_ENV).is_some() {
        reduce::child_main();
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut cfg = Config {
        seed: 1,
        inputs: 10_000,
        jobs,
        root: root.clone(),
        bin: None,
        subprocess_every: 50,
        out: root.join("target/fuzz-failures"),
        max_time: 1.0,
        max_memory: 512,
        worker_memory: 4096,
        no_limit_seconds: 3.0,
        slack_seconds: 1.0,
    };
    let mut reduce_seconds = 5.0;
    let mut reduce_only = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage(&format!("{a} needs a value")));
        match a.as_str() {
            "--inputs" => cfg.inputs = parse(&value()),
            "--seed" => cfg.seed = parse(&value()),
            "--jobs" => cfg.jobs = parse(&value()),
            "--out" => cfg.out = PathBuf::from(value()),
            "--max-time" => cfg.max_time = parse(&value()),
            "--no-limit-seconds" => cfg.no_limit_seconds = parse(&value()),
            "--slack-seconds" => cfg.slack_seconds = parse(&value()),
            "--subprocess-every" => cfg.subprocess_every = parse(&value()),
            "--bin" => cfg.bin = Some(PathBuf::from(value())),
            "--reduce-seconds" => reduce_seconds = parse(&value()),
            "--reduce-only" => reduce_only = true,
            "-h" | "--help" => usage(""),
            _ => usage(&format!("unknown argument {a}")),
        }
    }
    let exe = std::env::current_exe().expect("the harness's path");
    if cfg.bin.is_none() {
        // target/release/examples/fuzz -> target/release/gilcheck
        let bin = exe.parent().and_then(|p| p.parent()).map(|p| p.join("gilcheck"));
        cfg.bin = bin.filter(|b| b.exists());
        if cfg.bin.is_none() {
            eprintln!("fuzz: no gilcheck binary next to the harness (run `cargo build --release`); every input runs in-process");
        }
    }
    if reduce_only {
        // Shrink what an earlier run (same --seed, --max-time, --out) recorded.
        let jobs = reduce::recorded(&cfg, reduce_seconds);
        eprintln!("fuzz: shrinking the inputs of {} classes under {}", jobs.len(), cfg.out.display());
        reduce::run_all(&exe, jobs, cfg.jobs);
        let _ = std::fs::remove_dir_all(cfg.out.join(".work"));
        return;
    }
    eprintln!(
        "fuzz: {} inputs, seed {}, {} jobs, failures under {}",
        cfg.inputs,
        cfg.seed,
        cfg.jobs,
        cfg.out.display()
    );
    let summary = driver::run(&cfg, &WorkerCommand { program: exe.clone(), args: Vec::new() }, true);
    if reduce_seconds > 0.0 {
        // Each class's smallest input, shrunk further by deleting lines (`reduced.py`).
        let jobs: Vec<reduce::Job> = summary
            .store
            .classes
            .values()
            .filter(|c| reduce::worth(c.kind))
            .map(|c| reduce::Job {
                config: cfg.clone(),
                index: c.example.index,
                kind: c.kind.name().into(),
                dir: c.dir.clone(),
                seconds: reduce_seconds,
            })
            .collect();
        eprintln!("fuzz: shrinking the inputs of {} classes ({reduce_seconds} s each at most)", jobs.len());
        reduce::run_all(&exe, jobs, cfg.jobs);
        let _ = std::fs::remove_dir_all(cfg.out.join(".work"));
    }
    print!("{}", summary.store.summary());
    println!(
        "fuzz: {} inputs in {:.1} s ({:.0} inputs/s), {} failure classes, {} inputs failing a switched-on oracle",
        summary.inputs,
        summary.seconds,
        summary.inputs as f64 / summary.seconds,
        summary.store.classes.len(),
        summary.store.enabled_failures()
    );
    if summary.store.enabled_failures() > 0 {
        std::process::exit(1);
    }
}

fn parse<T: std::str::FromStr>(s: &str) -> T {
    s.parse().unwrap_or_else(|_| usage(&format!("not a number: {s}")))
}

fn usage(msg: &str) -> ! {
    if !msg.is_empty() {
        eprintln!("fuzz: {msg}");
    }
    eprintln!("usage: cargo run --release --example fuzz -- [--inputs N] [--seed S] [--jobs J] [--out DIR] [--max-time SECONDS] [--no-limit-seconds S] [--slack-seconds S] [--subprocess-every K] [--bin PATH] [--reduce-seconds S] [--reduce-only]");
    std::process::exit(2);
}
