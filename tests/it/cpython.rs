//! Real CPython 3.9–3.13 against gilcheck's switch models, on the corpus in `models/cpython/`.
//!
//! For every program × version: `tests/cpython/observe.py` runs the program K times in one
//! interpreter process (`sys.setswitchinterval(1e-6)`, fresh globals each run) at the program's N,
//! and gilcheck predicts the final values at the same N under the matching `--switch` model: the
//! exact outcome set where the plain stateful search or the reduced search finishes within
//! [`EXACT_MAX_STATES`] and [`SEARCH_TIME`] (where both do, they must agree), else the interval
//! between the certified extremes. Every observed run must lie in the prediction; where gilcheck
//! proves one outcome, no run may show another. A pair with no prediction within the limits is
//! reported by name. A version whose interpreter is missing, and a program that gilcheck rejects as an
//! unsupported construct, are reported as skipped, by name, with the reason.
//!
//! Settings (the table [`CASES`]): N = 20,000 per thread for `racy_increment.py`,
//! `racy_call_one.py`, `helper_inc.py` and `locked_counter.py`. Real threads overlap only when a
//! run lasts longer than a few GIL hand-overs: at N ≤ 1,000 the first thread often finishes before
//! the second starts, and no update is lost on any version. At N = 20,000 real 3.9 and every
//! version's `one()` program lose updates in 10–50% of the runs (measured: 2 to 8 of 20, 13 to 19
//! of 40, per version), so `racy_call_one.py` gets K = 80 (no loss in 80 runs at a 10% rate has
//! odds of 2·10⁻⁴) and the other three K = 40. gilcheck proves the racy loop and the helper
//! exactly 2N under 3.10–3.13 at this N, proves the locked counter under every model, and finds
//! the racy loop's extremes under 3.9. N = 4 to 20 and K = 20 for the rest: the largest N at which
//! the plain stateful search gives the exact outcome set within [`SEARCH_TIME`] under every model;
//! at such N the real runs are mostly sequential, so they check that gilcheck admits what real
//! threads do, not that it finds every race. The same N is used for the real runs and for
//! checking. The warm-up programs (`warmup_*.py`) run behind a Barrier at N = 1 (100 unrolled
//! calls) with K = 40, and the loop of 8 `append(len(lst))` with K = 3,000: on 3.11–3.13 a call
//! site that has not warmed up yet checks the eval breaker after `len`, `isinstance` and
//! `list.append`, and each interpreter must show a lost update in one of them ([`WARM_UP`]). Their
//! full outcome sets are out of reach in [`SEARCH_TIME`] (every call is a switch point), so for them
//! gilcheck checks "no update is lost" under each model instead: where a real run loses one, the
//! model must not prove it.
//! Measured on 2 cores (release, this module alone): about 90 s.
//!
//! The second test holds gilcheck's static switch points (`bytecode::switch::switch_marks`)
//! against `tests/cpython/dis_switch.py`, which reads each interpreter's own `dis` and applies
//! that version's eval-breaker rules.

use gilcheck::bytecode::switch::{switch_marks, SwitchKind};
use gilcheck::bytecode::Instr;
use gilcheck::SwitchModel;
use gilcheck::{extreme, Goal, Limits, Reduction, Strategy, Verdict};
use gilcheck::{Error, Model, Report};
use num_bigint::BigInt;
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One corpus program and how to run and check it.
struct Case {
    /// File name in `models/cpython/`.
    file: &'static str,
    /// `N` for the real runs and for checking (always the same).
    n: u32,
    /// Real runs per interpreter.
    k: u32,
    /// The globals that make up an outcome.
    vars: &'static [&'static str],
}

const fn case(file: &'static str, n: u32, k: u32, vars: &'static [&'static str]) -> Case {
    Case { file, n, k, vars }
}

/// The corpus and its settings: one row per program.
const CASES: &[Case] = &[
    case("racy_increment.py", 20_000, 40, &["balance"]),
    case("racy_call_one.py", 20_000, 80, &["balance"]),
    case("locked_counter.py", 20_000, 40, &["balance"]),
    case("helper_inc.py", 20_000, 40, &["c"]),
    case("builtin_abs.py", 6, 20, &["c"]),
    case("builtin_len.py", 6, 20, &["c"]),
    case("builtin_int.py", 6, 20, &["c"]),
    case("check_then_act.py", 5, 20, &["hits", "x"]),
    case("cond_jump.py", 5, 20, &["c"]),
    case("stale_read.py", 4, 20, &["shared"]),
    case("acquire_release.py", 6, 20, &["balance"]),
    case("while_shared.py", 10, 20, &["c"]),
    case("attribute_counter.py", 6, 20, &["result"]),
    case("list_item.py", 6, 20, &["result"]),
    case("dict_item.py", 6, 20, &["result"]),
    case("property_counter.py", 6, 20, &["result"]),
    case("rlock_counter.py", 6, 20, &["balance"]),
    case("event_handoff.py", 20, 20, &["seen", "total"]),
    case("queue_transfer.py", 6, 20, &["total", "last"]),
    case("warmup_len_unrolled.py", 1, 40, &["x"]),
    case("warmup_isinstance_unrolled.py", 1, 40, &["x"]),
    case("warmup_append_unrolled.py", 1, 40, &["wrong"]),
    case("warmup_append_loop.py", 8, 3000, &["wrong"]),
];

/// The warm-up programs and the value of their var in a run without a lost update: on 3.11–3.13
/// a cold call site of `len`, `isinstance` or `list.append` checks the eval breaker after the call,
/// so real runs leave these values (measured with a fresh code object per run, K as in [`CASES`]:
/// 3.11.7, 3.12.1 and 3.13.0 each lose updates in some run of the unrolled programs; the loop of 8
/// `append(len(lst))` misplaces an element in about 0.2–1% of the runs).
const WARM_UP: &[(&str, i128)] = &[
    ("warmup_len_unrolled.py", 200),
    ("warmup_isinstance_unrolled.py", 200),
    ("warmup_append_unrolled.py", 0),
    ("warmup_append_loop.py", 0),
];

/// The real interpreters and the model for each.
const VERSIONS: &[(&str, SwitchModel)] = &[
    ("3.9", SwitchModel::Cpython39),
    ("3.10", SwitchModel::Cpython310),
    ("3.11", SwitchModel::Cpython311),
    ("3.12", SwitchModel::Cpython312),
    ("3.13", SwitchModel::Cpython313),
];

/// The stateful searches (reduced and plain) give the exact outcome set up to this many states.
const EXACT_MAX_STATES: u64 = 2_000_000;
/// Time for each search (reduced, plain, each extreme).
const SEARCH_TIME: Duration = Duration::from_secs(2);
/// Preemptions the extremes search may spend.
const EXTREME_PREEMPTIONS: u32 = 4;

fn path(file: &str) -> String {
    format!("models/cpython/{file}")
}

/// How to run one interpreter: `PYENV_VERSION=<full> python3.X`.
#[derive(Clone, Debug)]
struct Python {
    minor: &'static str,
    full: Option<String>,
}

impl Python {
    fn command(&self) -> Command {
        let mut c = Command::new(format!("python{}", self.minor));
        if let Some(full) = &self.full {
            c.env("PYENV_VERSION", full);
        }
        c
    }
}

/// The interpreters installed here, and a line for each missing one.
fn interpreters() -> Vec<(&'static str, SwitchModel, Option<Python>)> {
    let listed: Vec<String> = Command::new("pyenv")
        .args(["versions", "--bare"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().map(|l| l.trim().to_string()).collect())
        .unwrap_or_default();
    VERSIONS
        .iter()
        .map(|&(minor, model)| {
            let full = listed.iter().find(|v| v.strip_prefix(minor).is_some_and(|rest| rest.starts_with('.'))).cloned();
            let python = Python { minor, full };
            let check = format!("import sys; assert '%d.%d' % sys.version_info[:2] == '{minor}'");
            let works = python.command().args(["-c", &check]).output().is_ok_and(|o| o.status.success());
            if !works {
                println!("skipped: python{minor} not installed");
            }
            (minor, model, works.then_some(python))
        })
        .collect()
}

/// What gilcheck predicts for one program under one model.
#[derive(Clone, Debug, PartialEq)]
enum Prediction {
    /// The exact set of outcomes (values of the case's vars, in order).
    Exact(BTreeSet<Vec<i128>>, &'static str),
    /// An interval per var, between certified extremes.
    Interval(Vec<(BigInt, BigInt)>),
}

impl Prediction {
    fn single(&self) -> Option<&Vec<i128>> {
        match self {
            Prediction::Exact(set, _) if set.len() == 1 => set.iter().next(),
            _ => None,
        }
    }

    fn admits(&self, run: &[i128]) -> bool {
        match self {
            Prediction::Exact(set, _) => set.contains(run),
            Prediction::Interval(ranges) => {
                ranges.iter().zip(run).all(|((lo, hi), v)| *lo <= BigInt::from(*v) && BigInt::from(*v) <= *hi)
            }
        }
    }

    fn describe(&self) -> String {
        match self {
            Prediction::Exact(set, how) if set.len() == 1 => {
                format!("proved single outcome {:?} ({how})", set.iter().next().unwrap())
            }
            Prediction::Exact(set, how) if set.len() <= 6 => format!("exact outcomes {set:?} ({how})"),
            Prediction::Exact(set, how) => format!(
                "exact outcomes: {} of them, {:?} .. {:?} ({how})",
                set.len(),
                set.iter().next().unwrap(),
                set.iter().next_back().unwrap()
            ),
            Prediction::Interval(r) => {
                let parts: Vec<String> = r.iter().map(|(lo, hi)| format!("{lo}..={hi}")).collect();
                format!("extremes interval [{}]", parts.join(", "))
            }
        }
    }
}

/// The program at the case's N under `switch`, or the reason gilcheck rejects it.
fn load(c: &Case, switch: SwitchModel) -> Result<Model, String> {
    let built = Model::from_file(path(c.file))
        .and_then(|m| m.with_set("N", &c.n.to_string()))
        .and_then(|m| m.with_vars(c.vars.iter().map(|v| v.to_string()).collect()))
        .and_then(|m| m.with_switch(switch));
    match built {
        Ok(m) => Ok(m),
        Err(e @ Error::Unsupported { .. }) => Err(e.to_string()),
        Err(e) => panic!("{}: gilcheck cannot build it: {e}", c.file),
    }
}

/// The exact outcome set of a finished report (every outcome must be a normal ending).
fn outcome_set(c: &Case, r: &Report) -> BTreeSet<Vec<i128>> {
    r.outcomes()
        .map(|o| {
            assert!(o.violation.is_none(), "{}: gilcheck finds a run that fails: {:?}", c.file, o.violation);
            c.vars
                .iter()
                .map(|v| {
                    let text = o.global(v).unwrap_or_else(|| panic!("{}: no {v} in {o:?}", c.file));
                    text.parse().unwrap_or_else(|_| panic!("{}: {v} = {text} is not an int", c.file))
                })
                .collect()
        })
        .collect()
}

/// gilcheck's prediction for `c` under its model: the outcome set of the reduced search (tried
/// first: it proves atomic loops at any N in milliseconds, or gives up quickly), or of the plain
/// stateful search, when either finishes within its limits; else the interval between
/// the certified extremes. Where the extremes search fails under a CPython model, the interval
/// under `bytecode` stands in: every model's switch points are a subset of `bytecode`'s, so its
/// outcomes are among `bytecode`'s (the failure is printed). Where the reduced and the plain
/// search both finish, a difference between them is added to `failures`. `Err` says why there
/// is no prediction within the limits at this N.
fn predict(c: &Case, m: &Model, failures: &mut Vec<String>) -> Result<Prediction, String> {
    let mut limits = Limits::default();
    limits.max_states = EXACT_MAX_STATES;
    limits.max_time = Some(SEARCH_TIME);
    let reduced = m
        .checker()
        .strategy(Strategy::Stateful)
        .reduction(Reduction::Full)
        .all_outcomes(true)
        .count_interleavings(false)
        .limits(limits.clone())
        .check();
    let reduced = (reduced.exhaustive && reduced.reduction.is_some()).then(|| outcome_set(c, &reduced));
    let plain = m
        .checker()
        .strategy(Strategy::Stateful)
        .all_outcomes(true)
        .count_interleavings(false)
        .limits(limits.clone())
        .check();
    match (reduced, plain.exhaustive.then(|| outcome_set(c, &plain))) {
        (Some(r), Some(p)) => {
            // Both finished: they must agree (reductions preserve outcome sets).
            if r != p {
                failures.push(format!(
                    "{} N={} under {}: the reduced search gives {r:?}, the plain stateful search {p:?}",
                    c.file,
                    c.n,
                    m.switch_model()
                ));
                return Ok(Prediction::Exact(p, "stateful search; the reduced search disagrees"));
            }
            return Ok(Prediction::Exact(p, "stateful search, reduced search agrees"));
        }
        (None, Some(p)) => return Ok(Prediction::Exact(p, "stateful search")),
        (Some(r), None) => return Ok(Prediction::Exact(r, "reduced search")),
        (None, None) => {}
    }
    let mut ranges = Vec::new();
    for v in c.vars {
        let end = |goal| -> Result<BigInt, String> {
            let e = match extreme(m.explorable(), v, goal, EXTREME_PREEMPTIONS, &limits) {
                Ok(e) => e,
                Err(err) => {
                    println!("  {}: the {goal} of {v} under {}: {err}; using bytecode's", c.file, m.switch_model());
                    let b = m.clone().with_switch(SwitchModel::Bytecode).expect("bytecode model");
                    extreme(b.explorable(), v, goal, EXTREME_PREEMPTIONS, &limits).map_err(|e| e.to_string())?
                }
            };
            if !(e.certified && e.exhaustive) {
                return Err(format!(
                    "the {goal} of {v} was not found within the limits ({}; loops not accelerated: {:?})",
                    e.limit.unwrap_or_default(),
                    e.rejected_loops
                ));
            }
            Ok(e.value)
        };
        ranges.push((end(Goal::Min)?, end(Goal::Max)?));
    }
    Ok(Prediction::Interval(ranges))
}

/// The observed runs of one interpreter, parsed from observe.py's JSON.
struct Observed {
    runs: Vec<Vec<i128>>,
    seconds: f64,
    version: String,
}

fn spawn_observe(py: &Python, c: &Case) -> Child {
    py.command()
        .arg("tests/cpython/observe.py")
        .arg(path(c.file))
        .arg(c.n.to_string())
        .arg(c.k.to_string())
        .args(c.vars)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("python{}: {e}", py.minor))
}

fn collect_observe(child: Child, py: &Python, c: &Case) -> Observed {
    let out = child.wait_with_output().expect("observe.py");
    assert!(out.status.success(), "python{} observe.py {}: {}", py.minor, c.file, String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("observe.py prints JSON");
    let runs: Vec<Vec<i128>> = v["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| r.as_array().expect("a run").iter().map(|x| x.as_i64().expect("an int") as i128).collect())
        .collect();
    assert_eq!(runs.len(), c.k as usize, "{}: python{} gave {} runs", c.file, py.minor, runs.len());
    Observed {
        runs,
        seconds: v["seconds"].as_f64().unwrap_or(0.0),
        version: v["version"].as_str().unwrap_or("?").to_string(),
    }
}

/// Per var: the smallest and largest observed value.
fn ranges(runs: &[Vec<i128>], vars: usize) -> Vec<(i128, i128)> {
    (0..vars)
        .map(|k| {
            let vals = runs.iter().map(|r| r[k]);
            (vals.clone().min().unwrap(), vals.max().unwrap())
        })
        .collect()
}

#[test]
fn real_runs_lie_in_gilchecks_predictions() {
    let started = Instant::now();
    let pythons = interpreters();
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    let mut unpredicted = Vec::new();
    // file → version → observed runs
    let mut seen: BTreeMap<&str, BTreeMap<&str, Vec<Vec<i128>>>> = BTreeMap::new();
    for c in CASES {
        // The interpreters run while gilcheck predicts.
        let children: Vec<_> = pythons
            .iter()
            .filter_map(|(minor, model, py)| py.as_ref().map(|py| (*minor, *model, py, spawn_observe(py, c))))
            .collect();
        let mut predictions = BTreeMap::new();
        // A warm-up program's verdict per model on "no update is lost": a quick bounded search,
        // where the full outcome set would take long (every call is a switch point).
        let mut proved = BTreeMap::new();
        let warm_up = WARM_UP.iter().find(|(f, _)| *f == c.file).map(|(_, whole)| *whole);
        for &(minor, model, _) in &pythons {
            let t = Instant::now();
            if let Some(whole) = warm_up {
                let m = load(c, model)
                    .and_then(|m| m.with_expect(&format!("{} == {whole}", c.vars[0])).map_err(|e| e.to_string()));
                let m = m.unwrap_or_else(|e| panic!("{}: {e}", c.file));
                let r = m.checker().check();
                println!(
                    "{} N={} under {}: {} with --expect {} == {whole} [{:.2} s]",
                    c.file,
                    c.n,
                    model.name(),
                    r.verdict,
                    c.vars[0],
                    t.elapsed().as_secs_f64()
                );
                proved.insert(minor, r.verdict == Verdict::Holds);
                continue;
            }
            match load(c, model) {
                Ok(m) => match predict(c, &m, &mut failures) {
                    Ok(p) => {
                        println!(
                            "{} N={} under {}: {} [{:.2} s]",
                            c.file,
                            c.n,
                            model.name(),
                            p.describe(),
                            t.elapsed().as_secs_f64()
                        );
                        predictions.insert(minor, p);
                    }
                    Err(why) => {
                        println!(
                            "no prediction: {} N={} under {}: {why} [{:.2} s]",
                            c.file,
                            c.n,
                            model.name(),
                            t.elapsed().as_secs_f64()
                        );
                        unpredicted.push(format!("{} under {}: {why}", c.file, model.name()));
                    }
                },
                Err(why) => {
                    // Unsupported constructs are rejected the same way under every model.
                    println!("skipped: {} (gilcheck rejects it: {why})", c.file);
                    skipped.push((c.file, why));
                    break;
                }
            }
        }
        for (minor, model, py, child) in children {
            let obs = collect_observe(child, py, c);
            let r = ranges(&obs.runs, c.vars.len());
            println!(
                "{} N={} K={} python {}: observed {:?} of {:?} in {:.3} s",
                c.file, c.n, c.k, obs.version, r, c.vars, obs.seconds
            );
            if let (Some(true), Some(whole)) = (proved.get(minor), warm_up) {
                let lost: Vec<&Vec<i128>> = obs.runs.iter().filter(|r| r[0] != whole).collect();
                if !lost.is_empty() {
                    failures.push(format!(
                        "{} N={} python{minor}: gilcheck proves {} == {whole} under {}, yet {} of {} runs end otherwise",
                        c.file,
                        c.n,
                        c.vars[0],
                        model.name(),
                        lost.len(),
                        obs.runs.len()
                    ));
                }
            }
            if let Some(p) = predictions.get(minor) {
                for run in &obs.runs {
                    if !p.admits(run) {
                        failures.push(format!(
                            "{} N={} python{minor}: run {run:?} of {:?} lies outside gilcheck's prediction: {}",
                            c.file,
                            c.n,
                            c.vars,
                            p.describe()
                        ));
                    }
                }
                if let Some(one) = p.single() {
                    let others: BTreeSet<&Vec<i128>> = obs.runs.iter().filter(|r| *r != one).collect();
                    if !others.is_empty() {
                        failures.push(format!(
                            "{} N={} python{minor}: gilcheck proves the single outcome {one:?} under {}, yet runs show {others:?}",
                            c.file,
                            c.n,
                            model.name()
                        ));
                    }
                }
            }
            seen.entry(c.file).or_default().insert(minor, obs.runs);
        }
    }
    // The acceptance facts about the two seed-shaped programs, on the real interpreters.
    let two_n = 2 * i128::from(CASES.iter().find(|c| c.file == "racy_increment.py").unwrap().n);
    for (minor, runs) in seen.get("racy_increment.py").into_iter().flatten() {
        if *minor != "3.9" {
            assert!(runs.iter().all(|r| r[0] == two_n), "racy_increment.py: python{minor} lost updates: {:?}", runs);
        }
    }
    for (minor, runs) in seen.get("racy_call_one.py").into_iter().flatten() {
        assert!(
            runs.iter().any(|r| r[0] < two_n),
            "racy_call_one.py: python{minor} lost no update in {} runs: {:?}",
            runs.len(),
            runs
        );
    }
    // Cold call sites switch on the real interpreters: the warm-up programs lose updates there.
    for minor in ["3.11", "3.12", "3.13"] {
        let lost: Vec<(&str, usize)> = WARM_UP
            .iter()
            .filter_map(|(file, whole)| {
                let runs = seen.get(file)?.get(minor)?;
                Some((*file, runs.iter().filter(|r| r[0] != *whole).count()))
            })
            .collect();
        println!("python{minor}: runs with a lost update per warm-up program: {lost:?}");
        if !lost.is_empty() {
            assert!(
                lost.iter().any(|(_, k)| *k > 0),
                "python{minor} lost no update in any warm-up program: a cold call site should switch"
            );
        }
    }
    println!("skipped programs: {}", skipped.len());
    for (f, why) in &skipped {
        println!("  {f}: {why}");
    }
    println!("program × model pairs without a prediction at their N: {}", unpredicted.len());
    for u in &unpredicted {
        println!("  {u}");
    }
    println!("real-interpreter suite: {:.1} s", started.elapsed().as_secs_f64());
    assert!(failures.is_empty(), "real runs disagree with gilcheck:\n{}", failures.join("\n"));
}

/// The seed's racy loop is violated where a switch can fall inside `balance += 1` and proved
/// under 3.10–3.13; `balance = balance + one()` is violated under every model.
#[test]
fn seed_shaped_programs_have_the_verdicts_each_model_predicts() {
    for (file, violated_under) in [
        ("racy_increment.py", &[SwitchModel::Bytecode, SwitchModel::Cpython39][..]),
        ("racy_call_one.py", SwitchModel::ALL),
    ] {
        let c = CASES.iter().find(|c| c.file == file).unwrap();
        for &model in SwitchModel::ALL {
            let m = Model::from_file(path(file))
                .unwrap()
                .with_set("N", &c.n.to_string())
                .unwrap()
                .with_switch(model)
                .unwrap()
                .with_expect("balance == 2 * N")
                .unwrap();
            let t = Instant::now();
            let r = m.checker().reduction(Reduction::Full).check();
            println!(
                "{file} N={} under {}: {:?} in {:.2} s",
                c.n,
                model.name(),
                r.verdict(),
                t.elapsed().as_secs_f64()
            );
            if violated_under.contains(&model) {
                assert_eq!(r.verdict(), Verdict::Violated, "{file} under {}: {:?}", model.name(), r.notes);
            } else {
                assert_eq!(r.verdict(), Verdict::Holds, "{file} under {}: {:?}", model.name(), r.notes);
                assert!(r.exhaustive, "{file} under {}: the proof is not exhaustive", model.name());
            }
        }
    }
}

/// One program's switch points as `{code name: {line: kinds}}`.
type Summary = BTreeMap<String, BTreeMap<u32, BTreeSet<String>>>;

/// gilcheck's switch points for `model`, per code object and line, normalised to the line
/// numbers each version's `dis` shows for the same instructions (gilcheck lays code out as 3.11
/// does):
///
/// - 3.9 and 3.10 have no RESUME: their frame-entry check runs before the frame's first real
///   instruction, so a mark on gilcheck's RESUME is counted at the line of the instruction after
///   it.
/// - An instruction with no line (line 0; 3.11 leaves, e.g., the jump back to the loop head after
///   an `if` body or a `with` block without one) other than the module's RESUME: 3.9 and 3.10
///   give it the line of the instruction before it, and 3.12 and 3.13 copy such a jump into each
///   block that leads to it, where it takes that block's line; so its mark is counted at the line
///   of the instruction before it (3.9, 3.10) or of every instruction that falls through or jumps
///   to it (3.12, 3.13).
/// - Code objects are named by their last name component, as `co_name` does.
fn gilcheck_summary(m: &Model, model: SwitchModel) -> Summary {
    let program = m.program();
    let mut out = Summary::new();
    for mark in switch_marks(program, model) {
        let code = &program.codes[mark.code as usize];
        let pc = mark.pc as usize;
        let line_at = |k: usize| code.locs.get(k).map_or(0, |l| l.line);
        let pre_resume = matches!(model, SwitchModel::Cpython39 | SwitchModel::Cpython310);
        let lines: Vec<u32> = if matches!(code.instrs[pc], Instr::Resume(_)) {
            if pre_resume {
                vec![line_at(pc + 1)]
            } else {
                vec![mark.line]
            }
        } else if mark.line == 0 {
            match model {
                SwitchModel::Cpython39 | SwitchModel::Cpython310 => {
                    vec![(0..pc).rev().map(line_at).find(|&l| l != 0).unwrap_or(0)]
                }
                SwitchModel::Cpython312 | SwitchModel::Cpython313 => code
                    .instrs
                    .iter()
                    .enumerate()
                    .filter(|(k, i)| (*k + 1 == pc && i.falls_through()) || i.jump_target() == Some(mark.pc))
                    .map(|(k, _)| line_at(k))
                    .collect(),
                _ => vec![0],
            }
        } else {
            vec![mark.line]
        };
        // dis_switch.py names code objects by co_name (3.9 and 3.10 have no co_qualname).
        let name = code.name.rsplit('.').next().unwrap_or(&code.name).to_string();
        for line in lines {
            out.entry(name.clone()).or_default().entry(line).or_default().insert(mark.kind.name().to_string());
        }
    }
    out
}

/// dis_switch.py's summary, normalised:
///
/// - "handler" (3.10's check at exception-handler entry) and "handler-back-edge" (3.12's and
///   3.13's JUMP_BACKWARD on a path that only an exception handler reaches, e.g. the way on after
///   a nested `with` block's `__exit__` suppressed an exception, where 3.11 jumps without a
///   check) are dropped: gilcheck lays code out as 3.11 and has no such check sites, and no
///   corpus program raises, so no handler ever runs.
fn python_summary(py: &Python, file: &str) -> Summary {
    let out = py.command().arg("tests/cpython/dis_switch.py").arg(path(file)).output().expect("dis_switch.py");
    assert!(out.status.success(), "python{} dis_switch.py {file}: {}", py.minor, String::from_utf8_lossy(&out.stderr));
    let v: BTreeMap<String, BTreeMap<String, Vec<String>>> =
        serde_json::from_slice(&out.stdout).expect("dis_switch.py prints JSON");
    let mut s = Summary::new();
    for (name, lines) in v {
        for (line, kinds) in lines {
            let kinds: BTreeSet<String> =
                kinds.into_iter().filter(|k| k != "handler" && k != "handler-back-edge").collect();
            if !kinds.is_empty() {
                s.entry(name.clone()).or_default().insert(line.parse().expect("a line number"), kinds);
            }
        }
    }
    s
}

/// The lines where two summaries differ, readably.
fn differences(real: &Summary, ours: &Summary) -> Vec<String> {
    let names: BTreeSet<&String> = real.keys().chain(ours.keys()).collect();
    let empty = BTreeMap::new();
    let mut out = Vec::new();
    for name in names {
        let (a, b) = (real.get(name).unwrap_or(&empty), ours.get(name).unwrap_or(&empty));
        let lines: BTreeSet<&u32> = a.keys().chain(b.keys()).collect();
        for line in lines {
            if a.get(line) != b.get(line) {
                out.push(format!("{name} line {line}: CPython {:?}, gilcheck {:?}", a.get(line), b.get(line)));
            }
        }
    }
    out
}

#[test]
fn switch_points_per_line_match_each_interpreters_dis() {
    let pythons = interpreters();
    let mut failures = Vec::new();
    let mut compared = 0;
    for c in CASES {
        let m = match Model::from_file(path(c.file)) {
            Ok(m) => m,
            Err(e @ Error::Unsupported { .. }) => {
                println!("skipped: {} (gilcheck rejects it: {e})", c.file);
                continue;
            }
            Err(e) => panic!("{}: {e}", c.file),
        };
        for (minor, model, py) in &pythons {
            let Some(py) = py else { continue };
            let real = python_summary(py, c.file);
            let ours = gilcheck_summary(&m, *model);
            let diff = differences(&real, &ours);
            compared += 1;
            if !diff.is_empty() {
                failures.push(format!("{} python{minor} vs {}:\n  {}", c.file, model.name(), diff.join("\n  ")));
            }
        }
    }
    println!("switch points compared: {compared} program × version pairs");
    assert!(failures.is_empty(), "switch points differ:\n{}", failures.join("\n"));
}

#[test]
fn switch_kind_names_are_the_ones_dis_switch_prints() {
    let names: Vec<&str> =
        [SwitchKind::Entry, SwitchKind::BackEdge, SwitchKind::Call, SwitchKind::CondJump, SwitchKind::Instr]
            .iter()
            .map(|k| k.name())
            .collect();
    assert_eq!(names, ["entry", "back-edge", "call", "cond-jump", "instr"]);
    let script = std::fs::read_to_string("tests/cpython/dis_switch.py").unwrap();
    for n in names {
        assert!(script.contains(&format!("\"{n}\"")), "dis_switch.py never prints {n}");
    }
}
