//! Reductions held to plain search (issue 3): every `Reduction` level must give the verdict, the
//! set of completed outcomes and the set of violations that `Reduction::None` gives, under the
//! stateful strategy with all outcomes.
//!
//! - The variants of the locked seed program in `models/variants/` (each breaks one condition the
//!   one-execution proof rests on; the comment at the top of each file says which) must agree with
//!   plain search at N = 2 and 3, and a reduced run must not claim a one-execution proof of them.
//! - The positive controls (`models/safe_deposit.py`, and the seed's text unchanged but for its
//!   loop bound) must agree at every level.
//! - A differential property test over random programs of the subset (`gen/`, tiny and small
//!   configurations, and `tiny_rich()`: heap objects (which the reduced search models as
//!   synchronising steps), calls, `try`/`finally`, RLocks and semaphores (which it hands to plain
//!   search), 2,000 cases by default), each
//!   under a random switch model (`bytecode`, `cpython-3.9` … `3.13`). `PROPTEST_CASES` sets the number of cases of each of the two property tests
//!   (default 10,000 each); `PROPTEST_CASES=100000 cargo test --release --test it reductions` runs
//!   10⁵ of each. A failing case prints the program's text.
//! - The same property on the generator of every construct of the subset (`subset_gen`), one test
//!   per switch model, `GILCHECK_GEN_CASES` cases in all (default 600); `tests/it/soak.rs` runs it
//!   at scale outside CI. The programs it found where a reduced search lost outcomes are kept in
//!   `MIXED_LOCK_FORMS` below.

use crate::gen::{self, GenConfig, GenProgram};
use crate::subset_gen;
use gilcheck::Model;
use gilcheck::SwitchModel;
use gilcheck::{FindingKind, Limits, Outcome, Reduction, Report, Strategy, Verdict};
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::collections::BTreeSet;
use std::fmt::Debug;

/// The levels held to `Reduction::None`.
pub(crate) const REDUCED: [Reduction; 3] = [Reduction::Por, Reduction::Atomic, Reduction::Full];

/// The sizes the variants are checked at.
const SIZES: [u32; 2] = [2, 3];

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000)
}

/// A stateful search with all outcomes at `level`, storing at most `max_states` states.
pub(crate) fn run(m: &Model, level: Reduction, max_states: u64) -> Report {
    let mut limits = Limits::default();
    limits.max_states = max_states;
    m.checker().strategy(Strategy::Stateful).limits(limits).reduction(level).all_outcomes(true).check()
}

/// Plain search stores at most this many states (random programs over it are skipped).
const PLAIN_MAX_STATES: u64 = 2_000_000;

/// A reduced search explores a subset of what plain search does; it may store at most 4 times as
/// many states as plain search stored (at least 100,000) before it counts as not exhaustive. This
/// leaves room for bookkeeping while a reduction that blows the state space up fails in seconds
/// rather than running into the default limit of 5·10⁷ states (and shrinking stays fast).
pub(crate) fn reduced_max_states(plain: &Report) -> u64 {
    (4 * plain.stats.states).max(100_000)
}

/// The outcomes of executions that ran to completion without a violation.
fn completed(r: &Report) -> BTreeSet<Outcome> {
    r.outcomes().filter(|o| o.violation.is_none()).cloned().collect()
}

/// The violations, as (kind, message).
fn violations(r: &Report) -> BTreeSet<(FindingKind, String)> {
    r.violations.iter().map(|v| (v.finding.kind, v.finding.message.clone())).collect()
}

/// A run's verdict, counters and the reductions it reports, for failure messages.
fn describe(r: &Report) -> String {
    let notes: Vec<String> = r.reductions.iter().map(|n| format!("{}: {}", n.name, n.reason)).collect();
    format!(
        "verdict {}, exhaustive {}, {} executions, {} states; reductions: [{}]; notes: {:?}",
        r.verdict,
        r.exhaustive,
        r.stats.executions,
        r.stats.states,
        notes.join("; "),
        r.notes
    )
}

/// Ok when the two sets are equal; else what only one of them has.
fn same_set<T: Ord + Debug>(what: &str, plain: &BTreeSet<T>, reduced: &BTreeSet<T>) -> Result<(), String> {
    if plain == reduced {
        return Ok(());
    }
    let missing: Vec<&T> = plain.difference(reduced).collect();
    let extra: Vec<&T> = reduced.difference(plain).collect();
    Err(format!(
        "{what} differ ({} under none, {} reduced)\n  only under none: {missing:#?}\n  only reduced: {extra:#?}",
        plain.len(),
        reduced.len()
    ))
}

/// The reduced run gives plain search's verdict, completed outcomes and violations.
pub(crate) fn agrees(plain: &Report, reduced: &Report, level: Reduction) -> Result<(), String> {
    let why = |e: String| {
        format!("--reduction {}: {e}\n  none:    {}\n  reduced: {}", level.name(), describe(plain), describe(reduced))
    };
    if reduced.verdict != plain.verdict {
        return Err(why(format!("verdict {} differs from none's {}", reduced.verdict, plain.verdict)));
    }
    if !reduced.exhaustive {
        return Err(why(format!("the reduced search is not exhaustive: {:?}", reduced.limit)));
    }
    same_set("completed outcomes", &completed(plain), &completed(reduced)).map_err(why)?;
    same_set("violations (kind, message)", &violations(plain), &violations(reduced)).map_err(why)?;
    Ok(())
}

fn model_file(path: &str, n: u32) -> Model {
    Model::from_file(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .with_set("N", &n.to_string())
        .unwrap_or_else(|e| panic!("{path}: --set N={n}: {e}"))
}

/// Whether `r` is a one-execution proof: it holds after exploring a single execution, with a
/// reduction applied. Stateful searches count distinct terminal states as executions (the locked
/// program already has one), so `executions == 1` alone proves nothing: it is a proof only where
/// the run says it reduced (`reductions` lists what was applied) and no state was reached along a
/// second path (`state-caching`: the reduced search kept several threads somewhere, and the runs
/// merged again).
fn one_execution_proof(r: &Report) -> bool {
    r.verdict == Verdict::Holds
        && r.stats.executions == 1
        && !r.reductions.is_empty()
        && r.reductions.iter().all(|n| n.name != "state-caching")
}

/// Runs `m` under `none`, checks `fact` on that run, and holds every reduced level to it. With
/// `no_proof`, a reduced run must also not be a one-execution proof.
pub(crate) fn hold_to_plain(label: &str, m: &Model, no_proof: bool, fact: impl Fn(&Report)) {
    let plain = run(m, Reduction::None, PLAIN_MAX_STATES);
    assert!(plain.exhaustive, "{label}: plain stateful search was cut: {:?}", plain.limit);
    fact(&plain);
    for level in REDUCED {
        let r = run(m, level, reduced_max_states(&plain));
        if let Err(e) = agrees(&plain, &r, level) {
            panic!("{label}: {e}");
        }
        if no_proof {
            assert!(
                !one_execution_proof(&r),
                "{label}: --reduction {} gives a one-execution proof of a program it must not prove that way\n  {}",
                level.name(),
                describe(&r)
            );
        }
    }
}

/// A variant at N = 2 and 3: held to plain search, no one-execution proof; `fact(n, plain)` checks
/// what plain search must show about it (so that a variant cannot silently become trivial).
fn variant(file: &str, fact: impl Fn(u32, &Report)) {
    let path = format!("models/variants/{file}");
    for n in SIZES {
        let m = model_file(&path, n);
        hold_to_plain(&format!("{path} at N = {n}"), &m, true, |plain| fact(n, plain));
    }
}

fn final_balances(r: &Report) -> BTreeSet<i128> {
    completed(r).iter().filter_map(|o| o.global("balance")?.parse().ok()).collect()
}

fn assert_holds_with_balance_2n(n: u32, r: &Report) {
    assert_eq!(r.verdict, Verdict::Holds, "{}", describe(r));
    assert_eq!(final_balances(r), BTreeSet::from([2 * n as i128]), "{}", describe(r));
}

fn assert_loses_updates(n: u32, r: &Report) {
    assert_eq!(r.verdict, Verdict::Violated, "{}", describe(r));
    let lost = violations(r)
        .iter()
        .any(|(k, m)| *k == FindingKind::Assertion && m.starts_with("AssertionError: lost updates"));
    assert!(lost, "no lost update at N = {n}: {:?}", violations(r));
}

#[test]
fn variant_a_read_outside_lock() {
    variant("a_read_outside_lock.py", |n, r| {
        assert_holds_with_balance_2n(n, r);
        let outputs: BTreeSet<&Vec<String>> = r.outcomes().map(|o| &o.output).collect();
        assert!(outputs.len() > 1, "the unlocked prints show a single output: {outputs:?}");
    });
}

#[test]
fn variant_b_fresh_lock() {
    variant("b_fresh_lock.py", assert_loses_updates);
}

#[test]
fn variant_c_rebound_lock() {
    variant("c_rebound_lock.py", assert_loses_updates);
}

#[test]
fn variant_d_cross_release() {
    variant("d_cross_release.py", |n, r| {
        assert_loses_updates(n, r);
        assert!(
            violations(r).contains(&(FindingKind::Exception, "RuntimeError: release unlocked lock".to_string())),
            "{:?}",
            violations(r)
        );
    });
}

#[test]
fn variant_e_assert_in_critical_section() {
    variant("e_assert_in_critical_section.py", |n, r| {
        assert_holds_with_balance_2n(n, r);
        assert_eq!(r.outcomes().count(), 1);
    });
}

#[test]
fn variant_e2_mid_loop_assert() {
    variant("e2_mid_loop_assert.py", |n, r| {
        assert_eq!(r.verdict, Verdict::Violated);
        // The assert fails only in some interleavings: the lockstep ones complete.
        assert_eq!(final_balances(r), BTreeSet::from([2 * n as i128]), "{}", describe(r));
        assert!(violations(r).iter().all(|(k, _)| *k == FindingKind::Assertion), "{:?}", violations(r));
    });
}

#[test]
fn variant_f_missing_join() {
    variant("f_missing_join.py", |n, r| {
        assert_loses_updates(n, r);
        assert_eq!(final_balances(r), BTreeSet::from([2 * n as i128]), "{}", describe(r));
    });
}

#[test]
fn variant_g_str_accumulator() {
    variant("g_str_accumulator.py", |n, r| {
        assert_holds_with_balance_2n(n, r);
        // One final log per order of the 2N critical sections: C(2N, N).
        let logs: BTreeSet<&str> = r.outcomes().filter_map(|o| o.global("log")).collect();
        let binom = (1..=n as usize).fold(1, |acc, i| acc * (n as usize + i) / i);
        assert_eq!(logs.len(), binom, "{logs:?}");
    });
}

#[test]
fn variant_h_mixed_affine_update() {
    variant("h_mixed_affine_update.py", |n, r| {
        assert_eq!(r.verdict, Verdict::Violated);
        // The order of the blocks decides the final balance: more than one value.
        let v = violations(r);
        assert!(v.len() > 1 && v.iter().all(|(k, _)| *k == FindingKind::Assertion), "N = {n}: {v:?}");
    });
}

#[test]
fn safe_deposit_agrees_at_every_level() {
    for n in 1..=4 {
        let m = model_file("models/safe_deposit.py", n);
        hold_to_plain(&format!("models/safe_deposit.py at N = {n}"), &m, false, |r| assert_holds_with_balance_2n(n, r));
    }
}

#[test]
fn seed_safe_deposit_text_agrees_at_every_level() {
    let path = "tests/fixtures/seed_safe_deposit.py";
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(text.matches("1000000").count(), 1, "the seed's loop bound");
    for n in 1..=4 {
        let m = Model::from_source("seed_safe_deposit.py", text.replace("1000000", &n.to_string())).unwrap();
        hold_to_plain(&format!("{path} with range({n})"), &m, false, |r| {
            assert_holds_with_balance_2n(n, r);
            let outputs: BTreeSet<&Vec<String>> = r.outcomes().map(|o| &o.output).collect();
            assert_eq!(outputs, BTreeSet::from([&vec![format!("Final Balance: {}", 2 * n)]]));
        });
    }
}

/// One random program: skipped when plain search is not exhaustive within 2·10⁶ states; else
/// every reduced level must agree with it.
fn differential(p: &GenProgram, switch: SwitchModel) -> Result<(), TestCaseError> {
    let src = &p.source;
    let m = Model::from_source("gen.py", src.as_str())
        .and_then(|m| m.with_switch(switch))
        .map_err(|e| TestCaseError::fail(format!("does not compile: {e}\n{src}")))?;
    let plain = run(&m, Reduction::None, PLAIN_MAX_STATES);
    prop_assume!(plain.exhaustive);
    for level in REDUCED {
        let mut r = run(&m, level, reduced_max_states(&plain));
        if !r.exhaustive {
            // A reduced search that stores more states than plain search on a rare program (a
            // cost of `por`, about 3 in 100,000 programs of this generator; see
            // `por_stays_within_four_times_plain_search_…`, ignored) is still held to plain
            // search's answer, with room to finish.
            r = run(&m, level, PLAIN_MAX_STATES);
        }
        agrees(&plain, &r, level)
            .map_err(|e| TestCaseError::fail(format!("{e}\nswitch model: {switch}\nprogram:\n{src}")))?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: cases(), max_global_rejects: 1_000_000, ..Config::default() })]

    #[test]
    fn reductions_agree_with_plain_search_on_tiny_programs(
        p in gen::program_meta(GenConfig::tiny()),
        m in prop::sample::select(SwitchModel::ALL),
    ) {
        differential(&p, m)?;
    }

    #[test]
    fn reductions_agree_with_plain_search_on_small_programs(
        p in gen::program_meta(GenConfig::small()),
        m in prop::sample::select(SwitchModel::ALL),
    ) {
        differential(&p, m)?;
    }
}

proptest! {
    #![proptest_config(Config {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000),
        max_global_rejects: 1_000_000,
        ..Config::default()
    })]

    /// Programs with heap objects, calls, `try`/`finally`, RLocks and semaphores, which the reduced
    /// search refuses: its fallback to plain search must stay exact.
    #[test]
    fn reductions_agree_with_plain_search_on_rich_programs(
        p in gen::program_meta(GenConfig::tiny_rich()),
        m in prop::sample::select(SwitchModel::ALL),
    ) {
        differential(&p, m)?;
    }
}

/// Cases of the reductions-vs-plain property on the generator of every construct, in total over
/// the six switch models: `GILCHECK_GEN_CASES`, else 600 (100 per model).
fn subset_gen_cases_per_model() -> u32 {
    let total: u32 = std::env::var("GILCHECK_GEN_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(600);
    total.div_ceil(SwitchModel::ALL.len() as u32).max(1)
}

/// Plain search on a program of the generator of every construct stores at most this many states
/// (the rare larger program is skipped).
pub(crate) const SUBSET_GEN_MAX_STATES: u64 = 50_000;

/// One program of `subset_gen` under `switch`: every reduced level agrees with plain search.
fn differential_every_construct(p: &subset_gen::GenProgram, switch: SwitchModel) -> Result<(), TestCaseError> {
    let src = &p.source;
    let m = Model::from_source("gen.py", src.as_str())
        .and_then(|m| m.with_switch(switch))
        .map_err(|e| TestCaseError::fail(format!("does not compile: {e}\n{src}")))?;
    let plain = run(&m, Reduction::None, SUBSET_GEN_MAX_STATES);
    prop_assume!(plain.exhaustive);
    for level in REDUCED {
        let mut r = run(&m, level, reduced_max_states(&plain));
        if !r.exhaustive {
            // A reduced search that stores more states than plain search on a rare program (a
            // cost of `por`, about 3 in 100,000 programs of this generator; see
            // `por_stays_within_four_times_plain_search_…`, ignored) is still held to plain
            // search's answer, with room to finish.
            r = run(&m, level, PLAIN_MAX_STATES);
        }
        agrees(&plain, &r, level)
            .map_err(|e| TestCaseError::fail(format!("{e}\nswitch model: {switch}\nprogram:\n{src}")))?;
    }
    Ok(())
}

/// The reductions-vs-plain property on `subset_gen` (every construct of the subset: every lock
/// form, mixed on one lock, the other synchronisation objects, heap, calls, `try`, every loop),
/// one test per switch model.
macro_rules! every_construct_under {
    ($($name:ident => $model:expr),* $(,)?) => {
        proptest! {
            #![proptest_config(Config {
                cases: subset_gen_cases_per_model(),
                max_global_rejects: 1_000_000,
                ..Config::default()
            })]
            $(
                #[test]
                fn $name(p in subset_gen::program()) {
                    differential_every_construct(&p, $model)?;
                }
            )*
        }
    };
}

every_construct_under! {
    reductions_agree_with_plain_search_on_every_construct_bytecode => SwitchModel::Bytecode,
    reductions_agree_with_plain_search_on_every_construct_cpython_3_9 => SwitchModel::Cpython39,
    reductions_agree_with_plain_search_on_every_construct_cpython_3_10 => SwitchModel::Cpython310,
    reductions_agree_with_plain_search_on_every_construct_cpython_3_11 => SwitchModel::Cpython311,
    reductions_agree_with_plain_search_on_every_construct_cpython_3_12 => SwitchModel::Cpython312,
    reductions_agree_with_plain_search_on_every_construct_cpython_3_13 => SwitchModel::Cpython313,
}

/// The headline proof: the locked seed program at the full N = 1,000,000 holds, exhaustively,
/// with exactly one execution explored — for the model and for the seed's unchanged text.
#[test]
fn locked_seed_is_proved_at_full_n_in_one_execution() {
    for path in ["models/safe_deposit.py", "tests/fixtures/seed_safe_deposit.py"] {
        let mut m = Model::from_file(path).unwrap();
        if path.starts_with("tests/") {
            m = m.with_expect("balance == 2000000").unwrap();
        }
        let r = m.checker().reduction(Reduction::Full).check();
        assert_eq!(r.verdict, Verdict::Holds, "{path}: {:?} {:?}", r.limit, r.notes);
        assert!(r.exhaustive, "{path}");
        assert_eq!(r.stats.executions, 1, "{path}");
        let names: Vec<&str> = r.reductions.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["persistent-sets", "atomic-blocks", "solo-loop-acceleration", "commutativity"], "{path}");
        assert!(r.reductions[3].reason.contains("balance"), "{path}");
        // The one execution is the whole run: its schedule holds every step of both threads.
        assert!(r.reductions[0].reason.contains("34,000,"), "{}", r.reductions[0].reason);
    }
}

/// Solo-loop acceleration (part of `full`) must land where stepping every iteration lands: the
/// `atomic` level runs every transaction, `full` applies a thread's remaining iterations at once.
#[test]
fn accelerated_loops_reach_the_same_outcomes_as_stepped_ones() {
    for (path, n) in [("models/safe_deposit.py", 50), ("models/variants/g_str_accumulator.py", 4)] {
        let m = Model::from_file(path).unwrap().with_set("N", &n.to_string()).unwrap();
        let run = |level| m.checker().strategy(Strategy::Stateful).reduction(level).all_outcomes(true).check();
        let (full, atomic) = (run(Reduction::Full), run(Reduction::Atomic));
        assert!(full.exhaustive && atomic.exhaustive, "{path}");
        assert_eq!(full.verdict, atomic.verdict, "{path}");
        let outs = |r: &Report| r.outcomes().cloned().collect::<BTreeSet<Outcome>>();
        assert_eq!(outs(&full), outs(&atomic), "{path}");
    }
    let m = Model::from_file("models/safe_deposit.py").unwrap().with_set("N", "50").unwrap();
    let r = m.checker().reduction(Reduction::Full).check();
    assert!(r.reductions.iter().any(|n| n.name == "solo-loop-acceleration"), "{:?}", r.reductions);
    assert_eq!(r.int_values("balance").into_iter().collect::<Vec<_>>(), vec![100]);
}

/// Programs where a reduced search lost outcomes that plain search finds, each shrunk by the soak
/// run on the generator of every construct (`tests/it/soak.rs`), and the program of the false
/// HOLDS they generalise: one lock taken with `with` by one thread and with `acquire()` (blocking,
/// or `acquire(False)`) by another, main taking it right after `start()`; or taken with `with`
/// only, while it is also passed to a thread as an argument (the thread need not use it).
const MIXED_LOCK_FORMS: [(&str, &str); 5] = [
    (
        "with in a worker, acquire() in main (the reported false HOLDS)",
        "import threading\nlock = threading.Lock()\nx = 0\nseen = -1\ndef w0():\n    global x\n    with lock:\n        \
         x += 4\nt0 = threading.Thread(target=w0)\nt0.start()\nlock.acquire()\nseen = x\nlock.release()\nt0.join()\n\
         assert seen == 0, f\"seen={seen}\"\n",
    ),
    (
        "with in one worker, an unlocked write in another, acquire() in main (cpython-3.13)",
        "import threading\nx = 0\ny = 0\nr = -1\nlock = threading.Lock()\ndef w1(lk):\n    global x\n    x += 1\n\
         def w2():\n    with lock:\n        print(\"w2\", y)\nt1 = threading.Thread(target=w1, args=(lock,))\n\
         t2 = threading.Thread(target=w2)\nt1.start()\nt2.start()\nlock.acquire()\ny = x + 0\nlock.release()\n\
         t1.join()\nt2.join()\n",
    ),
    (
        "with in two threads of one function, acquire(False) in main (cpython-3.9)",
        "import threading\nx = 0\ny = 0\nr = -1\nlock = threading.Lock()\ndef w1():\n    global x\n    with lock:\n        \
         x += 1\nt1 = threading.Thread(target=w1)\nt2 = threading.Thread(target=w1)\nt1.start()\nt2.start()\n\
         if lock.acquire(False):\n    x += 1\n    lock.release()\nt1.join()\nt2.join()\n",
    ),
    (
        "with around a helper call in a worker, acquire(False) in main (bytecode)",
        "import threading\nx = 0\ny = 0\nr = -1\nlock = threading.Lock()\ndef add(v, k):\n    return v + k\n\
         def w1():\n    global x\n    with lock:\n        x = add(x, 1)\nt1 = threading.Thread(target=w1)\n\
         t1.start()\nif lock.acquire(False):\n    x = y + 2\n    lock.release()\nt1.join()\n",
    ),
    (
        "with only, the lock also passed to a worker that does not use it (bytecode, cpython-3.9)",
        "import threading\nx = 2\ny = 1\nlock = threading.Lock()\ndef w1(lk):\n    global x, y\n    x = x + 2\n    \
         y = y + 1\ndef w2():\n    global x\n    with lock:\n        x += 2\n\
         t1 = threading.Thread(target=w1, args=(lock,))\nt2 = threading.Thread(target=w2)\nt1.start()\n\
         t2.start()\nwith lock:\n    print(\"main\", y)\nt1.join()\nt2.join()\n",
    ),
];

/// Each program of `MIXED_LOCK_FORMS` under every switch model: every level gives plain search's
/// verdict, completed outcomes and violations.
#[test]
fn one_lock_taken_in_different_ways_agrees_with_plain_search() {
    for (name, src) in MIXED_LOCK_FORMS {
        for &switch in SwitchModel::ALL {
            let m = Model::from_source("mixed.py", src).unwrap().with_switch(switch).unwrap();
            let plain = run(&m, Reduction::None, PLAIN_MAX_STATES);
            assert!(plain.exhaustive, "{name}");
            if switch == SwitchModel::Bytecode {
                let n = completed(&plain).len() + violations(&plain).len();
                assert!(n >= 2, "{name}: plain search finds one outcome under bytecode");
            }
            for level in REDUCED {
                let r = run(&m, level, reduced_max_states(&plain));
                if let Err(e) = agrees(&plain, &r, level) {
                    panic!("{name}, switch model {switch}: {e}\n{src}");
                }
            }
        }
    }
}

/// The first program the reductions-vs-plain property on the generator of every construct
/// failed on: `--reduction por` stores 260,322 states where plain search stores 57,298 (more than
/// 4 times), so it counts as not exhaustive. Outcomes agree; the persistent sets grow the search.
#[test]
#[ignore = "fails until persistent sets stop growing the search past 4 times plain search's states"]
fn por_stays_within_four_times_plain_search_on_an_unlocked_race_with_a_locked_call() {
    let src = "import threading\n\nx = 0\ny = 0\nr = -1\nlock = threading.Lock()\n\n\ndef add(v, k):\n    \
               return v + k\n\n\ndef w1():\n    global x\n    x += 3\n    x += 1\n\n\n\
               t1 = threading.Thread(target=w1)\nt2 = threading.Thread(target=w1)\nt1.start()\nt2.start()\n\
               with lock:\n    x = add(x, 1)\n    print(f\"main y={y}\")\nt1.join()\nt2.join()\n\
               print(f\"x={x} y={y} r={r}\")\n";
    let m = Model::from_source("por.py", src).unwrap();
    let plain = run(&m, Reduction::None, PLAIN_MAX_STATES);
    assert!(plain.exhaustive);
    for level in REDUCED {
        let r = run(&m, level, reduced_max_states(&plain));
        if let Err(e) = agrees(&plain, &r, level) {
            panic!("{e}\n{src}");
        }
    }
}

/// A program whose reduced search once dropped behaviour: held to plain search under every switch
/// model. Under `bytecode` plain search must find `message` as an assertion failure and also
/// complete without one (both outcomes are reachable, so a reduction that drops either is caught).
fn both_ways(file: &str, message: &str) {
    let path = format!("models/variants/{file}");
    for &switch in SwitchModel::ALL {
        let m = Model::from_file(&path).unwrap().with_switch(switch).unwrap();
        hold_to_plain(&format!("{path} under {switch}"), &m, false, |plain| {
            if switch != SwitchModel::Bytecode {
                return;
            }
            assert!(
                violations(plain).contains(&(FindingKind::Assertion, format!("AssertionError: {message}"))),
                "{path} under {switch}: {:?}",
                violations(plain)
            );
            assert!(!completed(plain).is_empty(), "{path} under {switch}: no run completes");
        });
    }
}

#[test]
fn mixed_lock_forms_with_and_acquire_release_on_one_lock() {
    both_ways("i_mixed_lock_forms.py", "seen=4");
}

#[test]
fn mixed_lock_forms_locked_probe_of_a_with_lock() {
    both_ways("j_locked_probe.py", "the worker held the lock");
}

#[test]
fn is_alive_races_with_the_thread_ending() {
    both_ways("k_is_alive_probe.py", "the worker had already finished");
}

/// Under a CPython switch model an acquire may not move right across a switch point: main's
/// unlocked write followed by its own `with lock:` runs holding the GIL, so it can only come
/// between the worker's acquire and its increments at the worker's switch point (a `for`
/// back-edge or a call inside the critical section), and then main blocks on the lock. The
/// outcome x = 2 exists only through that interleaving (found by the 10^5-case soak).
#[test]
fn acquire_does_not_move_across_a_switch_point() {
    let section = [
        "        for _ in range(1):\n            x += 1\n            x = (x + 1) // 2 % 5\n",
        "        for _ in (1,):\n            pass\n        x += 1\n        x = (x + 1) // 2 % 5\n",
        "        print(1)\n        x += 1\n        x = (x + 1) // 2 % 5\n",
    ];
    for body in section {
        let text = format!(
            "import threading\nx = 0\nlock = threading.Lock()\n\ndef w1():\n    global x\n    with lock:\n{body}\n\
             t1 = threading.Thread(target=w1)\nt1.start()\nx = (x * 3 + 1) // 2 % 5\nwith lock:\n    x += 1\nt1.join()\n"
        );
        for switch in [SwitchModel::Bytecode, SwitchModel::Cpython310, SwitchModel::Cpython311, SwitchModel::Cpython313]
        {
            let m = Model::from_source("a.py", &text).unwrap().with_switch(switch).unwrap();
            let set = |reduction: Reduction| -> BTreeSet<String> {
                let r = m.checker().strategy(Strategy::Stateful).reduction(reduction).all_outcomes(true).check();
                assert!(r.exhaustive);
                r.outcomes().map(|o| o.global("x").unwrap().to_string()).collect()
            };
            let plain = set(Reduction::None);
            assert_eq!(
                plain,
                BTreeSet::from(["1".to_string(), "2".to_string(), "3".to_string()]),
                "{switch:?}\n{text}"
            );
            for reduction in [Reduction::Atomic, Reduction::Full] {
                assert_eq!(set(reduction), plain, "{reduction:?} under {switch:?}\n{text}");
            }
        }
    }
}

/// The reduced search reports its visited set's size: 8 bytes a slot (64-bit fingerprints), a
/// power of two of at least 64 slots, at most 3/4 full, and more than 3/8 full once it grew, so
/// at most 21.3 bytes per stored state; its note gives that figure and the collision bound.
#[test]
fn the_reduced_search_reports_its_visited_set() {
    for n in [2, 6, 12] {
        let r = run(&model_file("models/race_condition.py", n), Reduction::Full, 1_000_000);
        assert!(r.exhaustive && r.strategy.starts_with("reduced"), "N = {n}: {}", describe(&r));
        let note = &r.reductions.iter().find(|x| x.name == "state-caching").expect("states were revisited").reason;
        let distinct: u64 = note
            .rsplit_once('(')
            .and_then(|(_, tail)| tail.split(' ').next())
            .map(|d| d.replace(',', "").parse().expect("a count"))
            .expect("the note names the distinct states");
        let slots = r.stats.visited_bytes / 8;
        assert_eq!(r.stats.visited_bytes % 8, 0, "N = {n}");
        assert!(slots.is_power_of_two() && slots >= 64, "N = {n}: {slots} slots");
        assert!(4 * distinct <= 3 * slots, "N = {n}: {distinct} states in {slots} slots");
        assert!(slots == 64 || 8 * distinct > 3 * slots, "N = {n}: {distinct} states in {slots} slots");
        let per_state = r.stats.visited_bytes as f64 / distinct as f64;
        let p = (distinct * (distinct - 1)) as f64 / 2.0 / 2f64.powi(64);
        let expected = format!(
            "the reduced search stored the states it looked up as 64-bit fingerprints: {} bytes, {per_state:.1} bytes per state; the chance that two of the {} states share a fingerprint is at most {p:.1e}",
            thousands(r.stats.visited_bytes),
            thousands(distinct)
        );
        assert!(r.notes.contains(&expected), "N = {n}: {:?}", r.notes);
    }
}

/// `n` with a comma every three digits, as reports write counts.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
