//! Solo-loop acceleration changes nothing but speed: on random programs whose threads run
//! `for` loops of 0–12 iterations over bodies that are translations (`x += c`, `y = c`, reads of
//! invariants), almost translations (a branch on a counted value, the loop item stored in a
//! global) or not at all (a lock, a print, a nested loop):
//!
//! - the replay behind `gilcheck trace` gives the same trace (runs, end state, facts) as the
//!   replay that steps every instruction, on random schedules made of long solo runs;
//! - the preemption-bounded search finds the same outcomes, the same violations with the same
//!   schedules, and cuts the same passes, with acceleration on and off, at bounds 0 to 2.
//!
//! `PROPTEST_CASES` sets the number of programs (default 120).

use gilcheck::trace;
use gilcheck::{Execution, Model, Report, Schedule, Strategy as Search, SwitchModel};
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::fmt::Write;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(120)
}

/// One statement of a loop body.
#[derive(Clone, Debug)]
enum Stmt {
    /// `g += c`
    AddAssign(usize, i64),
    /// `g = g - c`
    Sub(usize, i64),
    /// `g = c`
    Set(usize, i64),
    /// `v = g` (a local)
    ReadLocal(usize),
    /// `g = g + h` (reads another global)
    AddOther(usize, usize),
    /// `g = i` (the loop item)
    Item(usize),
    /// `if g > c: h += 1`
    Branch(usize, i64, usize),
    /// `with lock: g += 1`
    Locked(usize),
    /// `print(g)`
    Print(usize),
    /// `for j in range(k): g += 1`
    Inner(u32, usize),
}

const GLOBALS: [&str; 3] = ["x", "y", "z"];

fn stmt() -> impl Strategy<Value = Stmt> {
    let g = 0..GLOBALS.len();
    prop_oneof![
        4 => (g.clone(), 1i64..4).prop_map(|(g, c)| Stmt::AddAssign(g, c)),
        2 => (g.clone(), 1i64..3).prop_map(|(g, c)| Stmt::Sub(g, c)),
        2 => (g.clone(), 0i64..3).prop_map(|(g, c)| Stmt::Set(g, c)),
        2 => g.clone().prop_map(Stmt::ReadLocal),
        1 => (g.clone(), g.clone()).prop_map(|(a, b)| Stmt::AddOther(a, b)),
        1 => g.clone().prop_map(Stmt::Item),
        1 => (g.clone(), 0i64..8, g.clone()).prop_map(|(a, c, b)| Stmt::Branch(a, c, b)),
        1 => g.clone().prop_map(Stmt::Locked),
        1 => g.clone().prop_map(Stmt::Print),
        1 => (5u32..8, g).prop_map(|(k, g)| Stmt::Inner(k, g)),
    ]
}

/// A worker: its loop's iteration count and body.
type Worker = (u32, Vec<Stmt>);

fn worker() -> impl Strategy<Value = Worker> {
    (0u32..13, prop::collection::vec(stmt(), 1..4))
}

fn render_stmt(out: &mut String, s: &Stmt, indent: &str) {
    let _ = match s {
        Stmt::AddAssign(g, c) => writeln!(out, "{indent}{} += {c}", GLOBALS[*g]),
        Stmt::Sub(g, c) => writeln!(out, "{indent}{0} = {0} - {c}", GLOBALS[*g]),
        Stmt::Set(g, c) => writeln!(out, "{indent}{} = {c}", GLOBALS[*g]),
        Stmt::ReadLocal(g) => writeln!(out, "{indent}v = {}", GLOBALS[*g]),
        Stmt::AddOther(a, b) => writeln!(out, "{indent}{0} = {0} + {1}", GLOBALS[*a], GLOBALS[*b]),
        Stmt::Item(g) => writeln!(out, "{indent}{} = i", GLOBALS[*g]),
        Stmt::Branch(a, c, b) => writeln!(out, "{indent}if {} > {c}:\n{indent}    {} += 1", GLOBALS[*a], GLOBALS[*b]),
        Stmt::Locked(g) => writeln!(out, "{indent}with lock:\n{indent}    {} += 1", GLOBALS[*g]),
        Stmt::Print(g) => writeln!(out, "{indent}print({})", GLOBALS[*g]),
        Stmt::Inner(k, g) => writeln!(out, "{indent}for j in range({k}):\n{indent}    {} += 1", GLOBALS[*g]),
    };
}

/// The program: the workers' loops, started and joined by main; `expect` asserts the final
/// value of `x` (so that some runs violate it).
fn render(workers: &[Worker], expect: i64) -> String {
    let mut out = String::from("import threading\n\nx = 0\ny = 0\nz = 0\nlock = threading.Lock()\n\n");
    for (w, (k, body)) in workers.iter().enumerate() {
        let _ = writeln!(out, "def w{w}():\n    global x, y, z\n    v = 0\n    for i in range({k}):");
        for s in body {
            render_stmt(&mut out, s, "        ");
        }
        out.push('\n');
    }
    for w in 0..workers.len() {
        let _ = writeln!(out, "t{w} = threading.Thread(target=w{w})");
    }
    for w in 0..workers.len() {
        let _ = writeln!(out, "t{w}.start()");
    }
    for w in 0..workers.len() {
        let _ = writeln!(out, "t{w}.join()");
    }
    let _ = writeln!(out, "assert x != {expect}");
    out
}

/// A schedule the program accepts, made of solo runs: each pick `(t, n)` runs the `t`-th
/// runnable thread (modulo their number) for up to `n` steps.
fn schedule_of(m: &Model, picks: &[(usize, u32)]) -> Schedule {
    let py = m.explorable();
    let mut e = Execution::start(py);
    let mut schedule = Schedule::new();
    for &(t, n) in picks {
        for _ in 0..n {
            if e.runnable().is_empty() || e.status() != gilcheck::Status::Running {
                return schedule;
            }
            let tid = e.runnable()[t % e.runnable().len()];
            if e.step(tid).is_err() {
                break;
            }
            schedule.push(tid);
        }
    }
    schedule
}

fn compile(source: &str, switch: SwitchModel) -> Result<Model, TestCaseError> {
    Model::from_source("loops.py", source)
        .and_then(|m| m.with_switch(switch))
        .map_err(|e| TestCaseError::fail(format!("does not compile: {e}\n{source}")))
}

fn switch_model() -> impl Strategy<Value = SwitchModel> {
    prop::sample::select(SwitchModel::ALL.to_vec())
}

/// The facts a bounded search reports that acceleration must not change.
fn summary(r: &Report) -> String {
    let outcomes: Vec<String> = r.outcomes().map(|o| format!("{o:?}")).collect();
    let violations: Vec<String> =
        r.violations.iter().map(|v| format!("{:?} {} {}", v.finding, v.schedule, v.preemptions)).collect();
    let first = r.counterexample.as_ref().map(|c| format!("{:?} {} {}", c.finding, c.schedule, c.preemptions));
    format!(
        "{:?} exhaustive={} executions={} bound={:?}\noutcomes {outcomes:#?}\nviolations {violations:#?}\nfirst {first:?}",
        r.verdict, r.exhaustive, r.stats.executions, r.stats.preemption_bound
    )
}

proptest! {
    #![proptest_config(Config { cases: cases(), ..Config::default() })]

    /// The accelerated replay's trace is the stepped replay's.
    #[test]
    fn accelerated_replay_gives_the_stepped_trace(
        workers in prop::collection::vec(worker(), 1..3),
        picks in prop::collection::vec((0usize..3, prop_oneof![1u32..4, 20u32..160]), 1..12),
        switch in switch_model(),
    ) {
        let source = render(&workers, -1);
        let m = compile(&source, switch)?;
        let schedule = schedule_of(&m, &picks);
        let fast = trace::replay(m.explorable(), &schedule);
        let slow = trace::replay_stepped(m.explorable(), &schedule);
        let (fast, slow) = match (fast, slow) {
            (Ok(f), Ok(s)) => (f, s),
            (f, s) => {
                prop_assert_eq!(f.err(), s.err());
                return Ok(());
            }
        };
        prop_assert_eq!(slow.accelerated_iterations, 0);
        let fast = trace::Trace { accelerated_iterations: 0, ..fast };
        prop_assert!(fast == slow, "traces differ under {} for {}\n{}", switch.name(), schedule, source);
    }

    /// The bounded search reports the same with and without acceleration.
    #[test]
    fn accelerated_bounded_search_finds_the_same(
        workers in prop::collection::vec(worker(), 1..3),
        expect in 0i64..12,
        bound in 0u32..3,
        all in any::<bool>(),
        switch in switch_model(),
    ) {
        let source = render(&workers, expect);
        let m = compile(&source, switch)?;
        let run = |on: bool| {
            m.checker()
                .strategy(Search::Bounded { max_bound: bound })
                .all_outcomes(all)
                .solo_loop_acceleration(on)
                .check()
        };
        let (fast, slow) = (run(true), run(false));
        prop_assert_eq!(summary(&fast), summary(&slow), "under {} at bound {}\n{}", switch.name(), bound, source);
    }
}

/// The seed's racy program at N = 1,000: the counterexample's replay applies all but a few
/// iterations of each long solo run at once, and explains the same lost update as stepping.
#[test]
fn the_racy_counterexample_replays_with_its_loops_accelerated() {
    let m = Model::from_source("race_condition.py", include_str!("../../models/race_condition.py"))
        .and_then(|m| m.with_set("N", "1000"))
        .expect("compiles");
    let r = m.checker().check();
    let c = r.counterexample.as_ref().expect("a counterexample");
    let fast = trace::replay(m.explorable(), &c.schedule).expect("replays");
    let slow = trace::replay_stepped(m.explorable(), &c.schedule).expect("replays");
    // Two solo runs of about 1,000 iterations each; each keeps its head, two iterations and
    // its tail stepped.
    assert!(fast.accelerated_iterations > 1_900, "{}", fast.accelerated_iterations);
    assert_eq!(fast.facts, slow.facts);
    assert_eq!(trace::Trace { accelerated_iterations: 0, ..fast }, slow);
    let lost = slow.facts.lost_update.expect("a lost update");
    assert_eq!(lost.others, 1000);
}
