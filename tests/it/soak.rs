//! The reductions-vs-plain property on the generator of every construct (`subset_gen`), run at
//! scale outside CI: `GILCHECK_GEN_CASES=100000 cargo test --release --test it soak -- --ignored
//! --nocapture` runs that many cases in total, case `i` under switch model `i mod 6`, on all cores
//! (`GILCHECK_SOAK_THREADS` to change). Unlike a proptest run it does not stop at the first
//! failure: each failing case is shrunk and written, with its switch model, level and both
//! outcome sets, to `target/soak/` (`GILCHECK_SOAK_OUT` to change), and progress (cases run,
//! skipped, mismatches, reduced searches that grew past 4 times plain search's states, wall time)
//! goes to `progress.txt` there (`GILCHECK_SOAK_SHRINK=0` writes failing cases unshrunk). The
//! test fails if any case failed. `GILCHECK_SOAK_MAX_STATES` lowers plain search's state limit
//! (default: the CI property's, 50,000) for a faster run that skips more of the larger programs.

use crate::reductions::{agrees, reduced_max_states, run, REDUCED, SUBSET_GEN_MAX_STATES};
use crate::subset_gen;
use gilcheck::Model;
use gilcheck::Reduction;
use gilcheck::SwitchModel;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// What one case gave.
enum Verdict {
    Agree,
    /// Plain search was cut by its state limit.
    Skipped,
    /// The reduced search was not exhaustive within 4 times plain search's states.
    Blowup(String),
    /// Verdict, completed outcomes or violations differ.
    Mismatch(String),
}

/// Plain search's state limit: `GILCHECK_SOAK_MAX_STATES`, else the CI property's.
fn max_states() -> u64 {
    std::env::var("GILCHECK_SOAK_MAX_STATES").ok().and_then(|v| v.parse().ok()).unwrap_or(SUBSET_GEN_MAX_STATES)
}

fn check(src: &str, switch: SwitchModel) -> Verdict {
    let m = match Model::from_source("gen.py", src).and_then(|m| m.with_switch(switch)) {
        Ok(m) => m,
        Err(e) => return Verdict::Mismatch(format!("does not compile: {e}")),
    };
    let plain = run(&m, Reduction::None, max_states());
    if !plain.exhaustive {
        return Verdict::Skipped;
    }
    for level in REDUCED {
        let r = run(&m, level, reduced_max_states(&plain));
        if let Err(e) = agrees(&plain, &r, level) {
            return if r.exhaustive { Verdict::Mismatch(e) } else { Verdict::Blowup(e) };
        }
    }
    Verdict::Agree
}

fn fails(v: &Verdict, blowup: bool) -> bool {
    match v {
        Verdict::Mismatch(_) => !blowup,
        Verdict::Blowup(_) => blowup,
        _ => false,
    }
}

/// Shrinks the failing program of `tree` (at most 400 steps) to one that fails the same way.
fn shrink(tree: &mut impl ValueTree<Value = subset_gen::GenProgram>, switch: SwitchModel, blowup: bool) -> String {
    let mut steps = 0;
    let mut best = tree.current().source;
    while steps < 400 && tree.simplify() {
        steps += 1;
        loop {
            let src = tree.current().source;
            if fails(&check(&src, switch), blowup) {
                best = src;
                break;
            }
            steps += 1;
            if steps >= 400 || !tree.complicate() {
                break;
            }
        }
    }
    best
}

#[test]
#[ignore = "long: run with --ignored, GILCHECK_GEN_CASES sets the number of cases (default 100,000)"]
fn reductions_agree_with_plain_search_on_every_construct_soak() {
    let total: u64 = std::env::var("GILCHECK_GEN_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let threads: u64 = std::env::var("GILCHECK_SOAK_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get() as u64));
    let out = PathBuf::from(std::env::var("GILCHECK_SOAK_OUT").unwrap_or_else(|_| "target/soak".to_string()));
    std::fs::create_dir_all(&out).unwrap();
    let progress = Mutex::new(std::fs::File::create(out.join("progress.txt")).unwrap());
    let (next, done, skipped, mismatches, blowups) =
        (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    let shrinking = std::env::var("GILCHECK_SOAK_SHRINK").map_or(true, |v| v != "0");
    let start = Instant::now();
    let report = |done: u64| {
        let line = format!(
            "{done} of {total} cases, {} skipped (plain search over {} states), {} mismatches, \
             {} blow-ups, {:.0} s",
            skipped.load(Ordering::Relaxed),
            max_states(),
            mismatches.load(Ordering::Relaxed),
            blowups.load(Ordering::Relaxed),
            start.elapsed().as_secs_f64()
        );
        let mut f = progress.lock().unwrap();
        let _ = writeln!(f, "{line}");
        eprintln!("{line}");
    };
    std::thread::scope(|sc| {
        for _ in 0..threads {
            sc.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let mut seed = [0u8; 32];
                seed[..8].copy_from_slice(&i.to_le_bytes());
                seed[8..16].copy_from_slice(&0x9E37_79B9_7F4A_7C15u64.to_le_bytes());
                let mut runner =
                    TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
                let mut tree = subset_gen::program().new_tree(&mut runner).unwrap();
                let switch = SwitchModel::ALL[(i % SwitchModel::ALL.len() as u64) as usize];
                let src = tree.current().source;
                let v = check(&src, switch);
                match &v {
                    Verdict::Agree => {}
                    Verdict::Skipped => {
                        skipped.fetch_add(1, Ordering::Relaxed);
                    }
                    Verdict::Mismatch(e) | Verdict::Blowup(e) => {
                        let blowup = matches!(v, Verdict::Blowup(_));
                        let (what, counter) = if blowup { ("blowup", &blowups) } else { ("mismatch", &mismatches) };
                        counter.fetch_add(1, Ordering::Relaxed);
                        let small = if shrinking { shrink(&mut tree, switch, blowup) } else { src.clone() };
                        let detail = match check(&small, switch) {
                            Verdict::Mismatch(e) | Verdict::Blowup(e) => e,
                            _ => String::new(),
                        };
                        let text = format!(
                            "case {i}, switch model {switch}\n{e}\n\nprogram:\n{src}\n\nshrunk:\n{detail}\n\n{small}"
                        );
                        std::fs::write(out.join(format!("{what}-{i:06}.txt")), &text).unwrap();
                        eprintln!("{what} at case {i} ({switch}):\n{small}");
                    }
                }
                let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                if d % 1000 == 0 {
                    report(d);
                }
            });
        }
    });
    report(done.load(Ordering::Relaxed));
    let (m, b) = (mismatches.load(Ordering::Relaxed), blowups.load(Ordering::Relaxed));
    assert!(m == 0 && b == 0, "{m} mismatches and {b} blow-ups: see {}", out.display());
}
