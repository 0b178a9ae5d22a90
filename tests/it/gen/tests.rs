//! The generator's own tests: its programs compile and run, the estimate and the analyses hold.

use super::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn sample(cfg: GenConfig, budget: f64, n: usize) -> Vec<GenProgram> {
    let mut runner = TestRunner::deterministic();
    let strat = program_meta_with_budget(cfg, budget);
    (0..n).map(|_| strat.new_tree(&mut runner).unwrap().current()).collect()
}

fn scratch_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("gilcheck-gen-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ran {
    Clean,
    RaisedInThread,
    RaisedInMain,
    TimedOut,
}

/// Exception class names at the start of stderr lines (the last line of each traceback).
fn exception_names(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with("Traceback") && !l.starts_with("Exception in thread"))
        .filter_map(|l| {
            let name = l.split(':').next().unwrap_or("").trim();
            (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.'))
                .then(|| name.to_string())
        })
        .collect()
}

fn run_one(py: &std::path::Path, file: &std::path::Path) -> Result<(Ran, String), String> {
    let err_path = file.with_extension("stderr");
    let out_path = file.with_extension("stdout");
    let mut child = Command::new(py)
        .arg(file)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(st);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let Some(status) = status else { return Ok((Ran::TimedOut, stderr)) };
    let names = exception_names(&stderr);
    let expected = names.iter().all(|n| n == "AssertionError" || n == "RuntimeError");
    match status.code() {
        Some(0) if stderr.trim().is_empty() => Ok((Ran::Clean, stderr)),
        Some(0) if !names.is_empty() && expected && stderr.contains("Exception in thread") => {
            Ok((Ran::RaisedInThread, stderr))
        }
        Some(1) if !names.is_empty() && expected => Ok((Ran::RaisedInMain, stderr)),
        other => Err(format!("exit {other:?}, stderr:\n{stderr}")),
    }
}

#[test]
fn generated_programs_are_valid_python() {
    let Some(py) = python311() else {
        println!("skipped generated_programs_are_valid_python: python3.11 not found on PATH");
        return;
    };
    // The third set is not cut down to any budget: longer programs, and lock-order deadlocks.
    for (tag, cfg, budget) in [
        ("tiny", GenConfig::tiny(), default_budget(&GenConfig::tiny())),
        ("small", GenConfig::small(), default_budget(&GenConfig::small())),
        ("small-unbounded", GenConfig::small(), f64::INFINITY),
        ("tiny-rich", GenConfig::tiny_rich(), default_budget(&GenConfig::tiny_rich())),
    ] {
        let progs = sample(cfg, budget, 200);
        let dir = scratch_dir(tag);
        let files: Vec<PathBuf> = progs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let f = dir.join(format!("p{i:03}.py"));
                std::fs::write(&f, &p.source).unwrap();
                f
            })
            .collect();
        // ast.parse, then compile (which also runs the symbol-table checks ast.parse skips,
        // e.g. "name 'x' is used prior to global declaration").
        let check = "import ast, sys\n\
                     bad = 0\n\
                     for p in sys.argv[1:]:\n\
                     \x20   src = open(p).read()\n\
                     \x20   try:\n\
                     \x20       ast.parse(src, p)\n\
                     \x20       compile(src, p, 'exec')\n\
                     \x20   except SyntaxError as e:\n\
                     \x20       bad += 1\n\
                     \x20       print(p, e)\n\
                     sys.exit(1 if bad else 0)\n";
        let out = Command::new(&py).arg("-c").arg(check).args(&files).output().unwrap();
        assert!(
            out.status.success(),
            "{tag}: generated programs that python3.11 rejects:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );

        // The serial interleaving, run by CPython: threads replaced by direct calls.
        let harness = "import sys, threading, builtins\n\
                       class T:\n\
                       \x20   def __init__(self, target, args=()):\n\
                       \x20       self.target, self.args = target, args\n\
                       \x20   def start(self):\n\
                       \x20       try:\n\
                       \x20           self.target(*self.args)\n\
                       \x20       except (AssertionError, RuntimeError):\n\
                       \x20           pass\n\
                       \x20   def join(self):\n\
                       \x20       pass\n\
                       threading.Thread = T\n\
                       for p in sys.argv[1:]:\n\
                       \x20   g = {'__name__': '__main__', 'print': lambda *a: None}\n\
                       \x20   try:\n\
                       \x20       exec(compile(open(p).read(), p, 'exec'), g)\n\
                       \x20   except (AssertionError, RuntimeError):\n\
                       \x20       pass\n\
                       \x20   sys.stdout.write(' '.join(f'{k}={g[k]}' for k in 'xyz' if k in g) + '\\n')\n";
        let serial: Vec<usize> = (0..progs.len()).filter(|&i| progs[i].serial_outcome.is_some()).collect();
        let out = Command::new(&py).arg("-c").arg(harness).args(serial.iter().map(|&i| &files[i])).output().unwrap();
        assert!(out.status.success(), "{tag}: serial harness failed:\n{}", String::from_utf8_lossy(&out.stderr));
        let lines: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(String::from).collect();
        assert_eq!(lines.len(), serial.len());
        for (&i, line) in serial.iter().zip(&lines) {
            let want: Vec<String> =
                progs[i].serial_outcome.as_ref().unwrap().iter().map(|(k, v)| format!("{k}={v}")).collect();
            assert_eq!(*line, want.join(" "), "{tag} #{i}: serial outcome differs from CPython's:\n{:?}", progs[i]);
        }

        // Run a sample of 50 (every 4th), in parallel, each with a 5-second limit.
        let picked: Vec<usize> = (0..progs.len()).step_by(4).take(50).collect();
        type Outcome = Result<(Ran, String), String>;
        let results: Vec<(usize, Outcome)> = std::thread::scope(|sc| {
            let chunks: Vec<Vec<usize>> = (0..8).map(|k| picked.iter().copied().skip(k).step_by(8).collect()).collect();
            let handles: Vec<_> = chunks
                .into_iter()
                .map(|chunk| {
                    let (py, files) = (&py, &files);
                    sc.spawn(move || chunk.into_iter().map(|i| (i, run_one(py, &files[i]))).collect::<Vec<_>>())
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
        });
        let mut counts = std::collections::BTreeMap::new();
        let mut failures = Vec::new();
        for (i, r) in &results {
            match r {
                Ok((Ran::TimedOut, _)) if !progs[*i].may_deadlock => {
                    failures.push(format!("{tag} #{i} timed out but cannot deadlock:\n{:?}", progs[*i]))
                }
                Ok((ran, stderr)) => {
                    if *ran == Ran::TimedOut {
                        println!("{tag} #{i} timed out (it may deadlock):\n{}", progs[*i].source);
                    }
                    if std::env::var_os("GEN_SHOW_RAISED").is_some() && *ran != Ran::Clean {
                        println!("{tag} #{i} {ran:?}:\n{}{stderr}", progs[*i].source);
                    }
                    *counts.entry(format!("{ran:?}")).or_insert(0) += 1
                }
                Err(e) => failures.push(format!("{tag} #{i}: {e}\n{:?}", progs[*i])),
            }
        }
        let est: Vec<f64> = progs.iter().map(|p| p.est_interleavings).collect();
        let under = |b: f64| est.iter().filter(|&&e| e <= b).count();
        println!(
            "{tag}: 200 programs parse and compile under {}; estimated interleavings <=1e3: {}, <=1e4: {}, \
             <=1e5: {}, <=1e6: {}; two workers: {}; may deadlock: {}",
            py.display(),
            under(1e3),
            under(1e4),
            under(1e5),
            under(1e6),
            progs.iter().filter(|p| p.threads == 2).count(),
            progs.iter().filter(|p| p.may_deadlock).count(),
        );
        println!(
            "{tag}: serial outcome matches CPython (threads as direct calls) for {} of {} programs (in the rest \
             something raises or blocks first)",
            serial.len(),
            progs.len()
        );
        println!("{tag}: ran {} under python3.11 (5 s limit): {counts:?}", results.len());
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn config_switches_are_respected() {
    let cfg = GenConfig {
        max_workers: 1,
        max_globals: 1,
        max_locks: 0,
        max_stmts: 3,
        max_loop: 3,
        allow_prints: false,
        allow_asserts: false,
        allow_str: false,
        allow_cross_release: true,
        allow_heap: false,
        allow_calls: false,
        allow_sync: false,
    };
    for p in sample(cfg, f64::INFINITY, 300) {
        let src = &p.source;
        for banned in ["print", "assert", "s = \"\"", "Lock()", "t2", "y = ", "z = "] {
            assert!(!src.contains(banned), "{banned:?} in\n{src}");
        }
    }
    let cfg = GenConfig { allow_cross_release: false, ..GenConfig::small() };
    for p in sample(cfg, f64::INFINITY, 300) {
        let src = &p.source;
        assert_eq!(src.matches(".acquire()").count(), src.matches(".release()").count(), "bare release in\n{src}");
    }
}

#[test]
fn programs_fit_their_budget() {
    for cfg in [GenConfig::tiny(), GenConfig::small(), GenConfig::tiny_rich()] {
        for p in sample(cfg, 5e4, 200) {
            // Only two bare workers side by side (about 7e4 interleavings) cannot be cut further.
            assert!(p.est_interleavings <= 5e4 || p.threads == 2, "{p:?}");
        }
    }
}

/// Accepting every shrink step must end at a minimal program: one worker, one trivial statement.
#[test]
fn shrinking_reaches_a_minimal_program() {
    let mut runner = TestRunner::deterministic();
    let strat = program(GenConfig::small());
    for _ in 0..20 {
        let mut tree = strat.new_tree(&mut runner).unwrap();
        let before = tree.current();
        let mut steps = 0;
        while tree.simplify() {
            steps += 1;
            assert!(steps < 10_000, "shrinking does not terminate");
        }
        let min = tree.current();
        assert!(min.len() <= before.len(), "shrunk program is longer:\n{before}\n---\n{min}");
        assert!(!min.contains("t2 ="), "shrunk program still has two threads:\n{min}");
        assert!(min.matches('\n').count() <= 14, "shrunk program is not minimal:\n{min}");
    }
}

#[test]
fn estimate_matches_multinomial_without_blocking() {
    // One worker `x += 1` (7 steps) against main's remaining steps after start's CALL:
    // POP_TOP, then join: LOAD_NAME, LOAD_METHOD, PRECALL | CALL (waits), POP_TOP, return (2).
    // The worker's 7 steps interleave freely with main's 4 steps before the join CALL.
    let prog = Prog {
        n_globals: 1,
        init: vec![0],
        has_str: false,
        n_locks: 0,
        funcs: vec![RawFunc { param: None, body: vec![Stmt::Add { g: 0, c: 1 }] }],
        threads: vec![(0, None)],
        shape: Shape::All,
        main_body: vec![],
        tail: vec![],
        lock_kind: LockKind::Lock,
    };
    assert_eq!(estimate(&prog), 330.0); // C(11, 4)
}

/// Each richer statement alone in a worker, and alone in main's body: the estimate is the
/// checker's interleaving count under `--switch bytecode`.
#[test]
fn estimate_of_the_richer_statements_is_exact_on_straight_line_code() {
    use gilcheck::Strategy as Search;
    let leaves = [
        Stmt::ListAdd { i: 1, c: 2 },
        Stmt::ListSet { i: 0, c: 1 },
        Stmt::Append { c: 3 },
        Stmt::DictAdd { c: 2 },
        Stmt::AttrAdd { c: 1 },
        Stmt::Bump { c: 2 },
        Stmt::PropRead { g: 0 },
        Stmt::CallInc { g: 0, c: 3 },
        Stmt::Abs { g: 0, c: 2 },
        Stmt::Len { g: 0 },
        Stmt::Max { g: 0, c: 4 },
    ];
    let mut bodies: Vec<(Vec<Stmt>, LockKind)> = leaves.into_iter().map(|s| (vec![s], LockKind::Lock)).collect();
    for kind in [LockKind::Lock, LockKind::RLock, LockKind::Semaphore] {
        // Followed by a statement: the `finally:` block ends with a jump over the handler.
        let tf = Stmt::TryFinally { lock: 0, body: vec![Stmt::AttrAdd { c: 1 }] };
        bodies.push((vec![tf, Stmt::Add { g: 0, c: 1 }], kind));
    }
    for (body, kind) in bodies {
        for in_main in [false, true] {
            let (worker, main_body) = if in_main { (vec![], body.clone()) } else { (body.clone(), vec![]) };
            let prog = Prog {
                n_globals: 1,
                init: vec![0],
                has_str: false,
                n_locks: 1,
                funcs: vec![RawFunc { param: None, body: worker }],
                threads: vec![(0, None)],
                shape: Shape::All,
                main_body,
                tail: vec![],
                lock_kind: kind,
            };
            let src = render(&prog, None);
            let m = gilcheck::Model::from_source("gen.py", src.as_str()).unwrap_or_else(|e| panic!("{e}\n{src}"));
            let r = m.checker().strategy(Search::Stateful).count_interleavings(true).check();
            assert!(r.exhaustive, "{src}");
            let count = u64::try_from(r.interleavings.as_ref().unwrap()).unwrap() as f64;
            assert_eq!(estimate(&prog), count, "estimate differs from the checker's count:\n{src}");
        }
    }
}

/// `tiny_rich()` produces every richer construct; `tiny()` and `small()` none of them.
#[test]
fn rich_constructs_appear_only_when_enabled() {
    let marks = [
        "a = [0, 0]",
        "a[0] += ",
        "] = a[",
        "a.append(",
        "d[\"k\"] += ",
        "obj.n += ",
        "obj.bump(",
        " + obj.value",
        " + inc(",
        " = abs(",
        " + len(a)",
        " = max(",
        "try:",
        "threading.RLock()",
        "threading.Semaphore(1)",
        "threading.Lock()",
    ];
    let rich = sample(GenConfig::tiny_rich(), default_budget(&GenConfig::tiny_rich()), 400);
    for mark in marks {
        assert!(rich.iter().any(|p| p.source.contains(mark)), "no tiny_rich program has {mark:?}");
    }
    for cfg in [GenConfig::tiny(), GenConfig::small()] {
        for p in sample(cfg, default_budget(&cfg), 300) {
            for mark in &marks[..marks.len() - 1] {
                assert!(!p.source.contains(mark), "{mark:?} in\n{}", p.source);
            }
        }
    }
}

#[test]
fn deadlock_flag() {
    let fwd = RawFunc {
        param: None,
        body: vec![Stmt::With { lock: 0, body: vec![Stmt::With { lock: 1, body: vec![Stmt::Pass] }] }],
    };
    let bwd = RawFunc {
        param: None,
        body: vec![Stmt::With { lock: 1, body: vec![Stmt::With { lock: 0, body: vec![Stmt::Pass] }] }],
    };
    let prog = |funcs: Vec<RawFunc>| Prog {
        n_globals: 1,
        init: vec![0],
        has_str: false,
        n_locks: 2,
        threads: (0..funcs.len()).map(|i| (i, None)).collect(),
        funcs,
        shape: Shape::All,
        main_body: vec![],
        tail: vec![],
        lock_kind: LockKind::Lock,
    };
    assert!(may_deadlock(&prog(vec![fwd.clone(), bwd])));
    assert!(!may_deadlock(&prog(vec![fwd.clone(), fwd.clone()])));
    let leaky = RawFunc {
        param: None,
        body: vec![Stmt::AcqRel { lock: 0, body: vec![Stmt::Assert { g: 0, c: 0, msg: false }] }],
    };
    // Dying with lock1 held only matters to someone else who takes lock1.
    assert!(!may_deadlock(&prog(vec![leaky.clone()])));
    assert!(may_deadlock(&prog(vec![leaky.clone(), fwd.clone()])));
    let mut p = prog(vec![leaky]);
    p.main_body = vec![Stmt::With { lock: 0, body: vec![Stmt::Pass] }];
    assert!(may_deadlock(&p));
}
