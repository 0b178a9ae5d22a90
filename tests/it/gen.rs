//! Random Python threading programs in gilcheck's subset (DESIGN.md §1.1), for the differential
//! property tests of §5: plain enumeration vs stateful exploration vs reductions must agree.
//!
//! `program(cfg)` yields complete Python 3 source text. Generation goes through a small structured
//! representation (`RawProgram`, `Stmt`) built from `prop_oneof!`-style unions and
//! `prop::collection::vec`, and the text is produced with `prop_map`, so proptest shrinks the structure
//! (fewer workers, fewer and simpler statements, smaller constants, plainer `main`) and every shrunk
//! value is again a valid program.
//!
//! Every program is kept small: its interleaving count under `--switch bytecode` is estimated (by
//! dynamic programming over the threads' CPython 3.11 instruction sequences, with lock blocking and
//! joins), and statements are cut from the largest body until the estimate is at most
//! `default_budget(&cfg)` (`program_with_budget(cfg, f64::INFINITY)` turns this off). On bounded
//! programs the estimate is exact for straight-line code and otherwise within about +10% / below.
//! `program_meta(cfg)` yields the text together with that estimate, a sound "may deadlock" flag, and
//! the outcome of one known interleaving.
//!
//! `GenConfig::tiny_rich()` adds (opt-in flags `allow_heap`, `allow_calls`, `allow_sync`) items of a
//! module-level list and dict, an attribute of an instance of a module-level class (also through a
//! method and a `@property` getter), calls of a helper function and of builtins, `try`/`finally`
//! around a locked section, and RLocks or semaphores in place of the locks. The estimate counts the
//! frames of the called Python functions; the serial run follows the heap objects (it still reports
//! the integer globals only).
#![allow(dead_code)]

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Knobs of the generator. Values outside the documented ranges are clamped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GenConfig {
    /// Worker threads besides main: 1..=2.
    pub max_workers: usize,
    /// Integer globals `x`, `y`, `z`: 1..=3 (a str global `s` comes on top, when `allow_str`).
    pub max_globals: usize,
    /// Locks `lock1`, `lock2`: 0..=2.
    pub max_locks: usize,
    /// Top-level statements per worker body (>= 1). Main gets up to `max_stmts - 1` (at most 2)
    /// statements of its own between its `start()`s and `join()`s. Nesting depth is 1 when this is
    /// <= 2, else 2; it also picks `default_budget`.
    pub max_stmts: usize,
    /// Iterations of a `for _ in range(k)` / bounded `while` loop: 1..=3.
    pub max_loop: u32,
    pub allow_prints: bool,
    pub allow_asserts: bool,
    pub allow_str: bool,
    /// Bare `lockK.release()` statements (an unheld release raises RuntimeError in that thread; a
    /// release of a lock another thread holds succeeds, and that thread's own release then raises).
    pub allow_cross_release: bool,
    /// Shared heap objects: `a[i] += c` / `a[i] = a[i] + c` / `a.append(c)` on a module-level
    /// list `a = [0, 0]`, `d["k"] += c` on a dict, and on an instance `obj` of a module-level class
    /// `C`: `obj.n += c`, `obj.bump(c)` (a method) and `g = g + obj.value` (a `@property` getter).
    pub allow_heap: bool,
    /// Calls: `g = g + inc(c)` of a helper `def inc(k): return k`, and the builtins
    /// `g = abs(g - c)`, `g = g + len(a)`, `g = max(g, c)`.
    pub allow_calls: bool,
    /// `lockK.acquire()` / `try:` body `finally:` `lockK.release()`, and (without
    /// `allow_cross_release`) locks that are `threading.RLock()` or `threading.Semaphore(1)`.
    pub allow_sync: bool,
}

impl GenConfig {
    /// main + 1–2 workers with 1–2 statements each (at most one level of nesting), one lock, no
    /// bare releases; cut to 2e5 estimated interleavings.
    pub fn tiny() -> Self {
        GenConfig {
            max_workers: 2,
            max_globals: 2,
            max_locks: 1,
            max_stmts: 2,
            max_loop: 2,
            allow_prints: true,
            allow_asserts: true,
            allow_str: true,
            allow_cross_release: false,
            allow_heap: false,
            allow_calls: false,
            allow_sync: false,
        }
    }

    /// `tiny()` with the richer statements on: heap objects, calls, `try`/`finally` and the other
    /// lock kinds. Cut to 2e5 estimated interleavings like `tiny()` (so the longer statements are
    /// cut more often).
    pub fn tiny_rich() -> Self {
        GenConfig { allow_heap: true, allow_calls: true, allow_sync: true, ..Self::tiny() }
    }

    /// A bit larger: up to 3 statements per worker, two levels of nesting, two locks, cross-thread
    /// releases. Still capped at `default_budget` (1e6) estimated interleavings.
    pub fn small() -> Self {
        GenConfig {
            max_workers: 2,
            max_globals: 3,
            max_locks: 2,
            max_stmts: 3,
            max_loop: 3,
            allow_prints: true,
            allow_asserts: true,
            allow_str: true,
            allow_cross_release: true,
            allow_heap: false,
            allow_calls: false,
            allow_sync: false,
        }
    }

    fn clamped(self) -> Self {
        GenConfig {
            max_workers: self.max_workers.clamp(1, 2),
            max_globals: self.max_globals.clamp(1, 3),
            max_locks: self.max_locks.min(2),
            max_stmts: self.max_stmts.max(1),
            max_loop: self.max_loop.clamp(1, 3),
            ..self
        }
    }

    fn depth(&self) -> u32 {
        if self.max_stmts <= 2 {
            1
        } else {
            2
        }
    }
}

/// The bound on estimated interleavings (under `--switch bytecode`) that `program` and
/// `program_meta` cut programs down to: 2e5 for tiny-sized configs (`max_stmts <= 2`), else 1e6.
pub fn default_budget(cfg: &GenConfig) -> f64 {
    if cfg.max_stmts <= 2 {
        2e5
    } else {
        1e6
    }
}

/// Complete Python source text of a random program in gilcheck's subset, cut down to
/// `default_budget(&cfg)` estimated interleavings.
pub fn program(cfg: GenConfig) -> impl Strategy<Value = String> {
    program_meta(cfg).prop_map(|p| p.source)
}

/// Like `program`, with an explicit budget on the estimated interleaving count.
pub fn program_with_budget(cfg: GenConfig, budget: f64) -> impl Strategy<Value = String> {
    program_meta_with_budget(cfg, budget).prop_map(|p| p.source)
}

/// A generated program with what the generator knows about it.
#[derive(Clone, PartialEq)]
pub struct GenProgram {
    /// The Python source text.
    pub source: String,
    /// Over-approximation of "some interleaving deadlocks (some thread never finishes)": two threads
    /// can take the two locks in opposite orders, or a thread can raise between `acquire()` and
    /// `release()` and leave the lock held. When this is false, no interleaving can deadlock.
    pub may_deadlock: bool,
    /// Estimated number of interleavings under `--switch bytecode`: exact for straight-line code
    /// without exceptions; branches are counted at their longer arm and asserts as failing (so mostly
    /// an over-estimate); bare releases are ignored (so with them, possibly a large under-estimate).
    pub est_interleavings: f64,
    /// Worker threads besides main.
    pub threads: usize,
    /// The integer globals (`x`, `y`, `z`, as many as the program has) after one particular
    /// interleaving: every thread runs to completion inside its `start()`, then main goes on.
    /// `None` where, in that schedule, a thread or main's own statements raise (a failing assert,
    /// an unheld release) or a lock would block. So where it is `Some`, some interleaving reaches
    /// these values with no violation before main's final asserts, and gilcheck's outcomes must
    /// include them.
    pub serial_outcome: Option<Vec<(&'static str, i64)>>,
}

impl std::fmt::Debug for GenProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "GenProgram(threads={}, may_deadlock={}, est_interleavings={:.3e}):",
            self.threads, self.may_deadlock, self.est_interleavings
        )?;
        f.write_str(&self.source)
    }
}

/// `program`, with what the generator knows about each program (its `Debug` prints the source as is).
pub fn program_meta(cfg: GenConfig) -> impl Strategy<Value = GenProgram> {
    program_meta_with_budget(cfg, default_budget(&cfg))
}

/// `program_meta` with an explicit budget on the estimated interleaving count.
pub fn program_meta_with_budget(cfg: GenConfig, budget: f64) -> impl Strategy<Value = GenProgram> {
    let cfg = cfg.clamped();
    raw_program(cfg).prop_map(move |raw| build(&cfg, raw, budget))
}

// ---------------------------------------------------------------------------------------------
// Structure

/// One statement of a worker body. Global indices are taken modulo the number of globals, lock
/// indices are remapped densely, and a lock statement nested inside the same lock is inlined, so any
/// value of this type renders to a valid program.
#[derive(Clone, Debug, PartialEq)]
enum Stmt {
    /// `g += c`
    Add {
        g: usize,
        c: i64,
    },
    /// `g -= c`
    Sub {
        g: usize,
        c: i64,
    },
    /// `g = g * c`
    Mul {
        g: usize,
        c: i64,
    },
    /// `g = h + c`
    Copy {
        g: usize,
        h: usize,
        c: i64,
    },
    /// `g += n` (the worker's parameter; `g += 1` in a worker without one)
    AddParam {
        g: usize,
    },
    /// `tmp = g` then `g = tmp + 1`
    Rmw {
        g: usize,
    },
    /// `s += "a"`
    StrAppend,
    /// `print(f"wK {g}")` or `print("wK", g)`
    Print {
        g: usize,
        fstring: bool,
    },
    /// `print(f"wK {s}")` or `print("wK", s)`
    PrintStr {
        fstring: bool,
    },
    /// `assert g <= c` (optionally `, f"g is {g}"`)
    Assert {
        g: usize,
        c: i64,
        msg: bool,
    },
    /// `lockK.release()` without a matching acquire
    BareRelease {
        lock: usize,
    },
    Pass,
    /// `a[i] += c` (the list `a = [0, 0]` only grows, so `i` in 0..=1 is always valid)
    ListAdd {
        i: usize,
        c: i64,
    },
    /// `a[i] = a[i] + c`
    ListSet {
        i: usize,
        c: i64,
    },
    /// `a.append(c)`
    Append {
        c: i64,
    },
    /// `d["k"] += c`
    DictAdd {
        c: i64,
    },
    /// `obj.n += c`
    AttrAdd {
        c: i64,
    },
    /// `obj.bump(c)`: a method doing `self.n += k`
    Bump {
        c: i64,
    },
    /// `g = g + obj.value`: a `@property` getter returning `self.n`
    PropRead {
        g: usize,
    },
    /// `g = g + inc(c)`: a helper `def inc(k): return k`
    CallInc {
        g: usize,
        c: i64,
    },
    /// `g = abs(g - c)`
    Abs {
        g: usize,
        c: i64,
    },
    /// `g = g + len(a)`
    Len {
        g: usize,
    },
    /// `g = max(g, c)`
    Max {
        g: usize,
        c: i64,
    },
    /// `if g > c:` (or `if n > c:` on the parameter) with an optional `else:`
    If {
        param: bool,
        g: usize,
        c: i64,
        then: Vec<Stmt>,
        els: Option<Vec<Stmt>>,
    },
    /// `for _ in range(k):`
    For {
        k: u32,
        body: Vec<Stmt>,
    },
    /// `iD = 0` / `while iD < k:` / `iD += 1` + body
    While {
        k: u32,
        body: Vec<Stmt>,
    },
    /// `with lockK:`
    With {
        lock: usize,
        body: Vec<Stmt>,
    },
    /// `lockK.acquire()` body `lockK.release()`
    AcqRel {
        lock: usize,
        body: Vec<Stmt>,
    },
    /// `lockK.acquire()` / `try:` body / `finally:` / `lockK.release()`
    TryFinally {
        lock: usize,
        body: Vec<Stmt>,
    },
}

/// What `lockK = threading.…()` creates. They all behave alike in generated programs (no lock is
/// taken again while held; no bare releases with the kinds other than `Lock`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LockKind {
    Lock,
    RLock,
    Semaphore,
}

#[derive(Clone, Debug, PartialEq)]
struct RawFunc {
    /// `Some(v)`: the worker takes a parameter `n` and its thread passes `args=(v,)`.
    param: Option<i64>,
    body: Vec<Stmt>,
}

/// How main starts and joins its threads (threads are all created first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// start all, join all in order
    All,
    /// start all, join in reverse order
    Reverse,
    /// start all, join only t1
    OnlyFirst,
    /// t1.start(); t1.join(); t2.start(); t2.join()
    Sequential,
    /// t1.start(); t1.join(); t2.start()   (the last thread is never joined)
    SeqLastUnjoined,
}

#[derive(Clone, Debug, PartialEq)]
enum Tail {
    /// `print(g)`
    Print { g: usize },
    /// `print(f"g={g} h={h}")`
    PrintF { g: usize, h: usize },
    /// `print(s)`
    PrintStr,
    /// `assert g == c`; with `serial`, c is g's value after the run in which every thread runs to
    /// completion as soon as it is started (one real interleaving), where that run is well defined.
    AssertEq { g: usize, c: i64, serial: bool },
}

#[derive(Clone, Debug, PartialEq)]
struct RawProgram {
    n_globals: usize,
    init: Vec<i64>,
    funcs: Vec<RawFunc>,
    /// With a single worker function: run it in two threads.
    shared_thread: bool,
    /// Over budget: cut main's statements before the workers' (instead of after).
    keep_workers: bool,
    shape: Shape,
    /// Module-level statements right after the last `start()`: main races with the workers.
    main_body: Vec<Stmt>,
    tail: Vec<Tail>,
    /// The kind of every lock (`Lock` unless `allow_sync` without `allow_cross_release`).
    lock_kind: LockKind,
}

// ---------------------------------------------------------------------------------------------
// Strategies

fn leaf(cfg: &GenConfig) -> BoxedStrategy<Stmt> {
    let ng = cfg.max_globals;
    let mut arms: Vec<(u32, BoxedStrategy<Stmt>)> = vec![
        (5, (0..ng, 1i64..=3).prop_map(|(g, c)| Stmt::Add { g, c }).boxed()),
        (1, (0..ng, 1i64..=2).prop_map(|(g, c)| Stmt::Sub { g, c }).boxed()),
        (1, (0..ng, 0i64..=3).prop_map(|(g, c)| Stmt::Mul { g, c }).boxed()),
        (1, (0..ng, 0..ng, 0i64..=2).prop_map(|(g, h, c)| Stmt::Copy { g, h, c }).boxed()),
        (1, (0..ng).prop_map(|g| Stmt::AddParam { g }).boxed()),
        (2, (0..ng).prop_map(|g| Stmt::Rmw { g }).boxed()),
        (1, Just(Stmt::Pass).boxed()),
    ];
    if cfg.allow_str {
        arms.push((1, Just(Stmt::StrAppend).boxed()));
    }
    if cfg.allow_prints {
        arms.push((1, (0..ng, any::<bool>()).prop_map(|(g, fstring)| Stmt::Print { g, fstring }).boxed()));
        if cfg.allow_str {
            arms.push((1, any::<bool>().prop_map(|fstring| Stmt::PrintStr { fstring }).boxed()));
        }
    }
    if cfg.allow_asserts {
        arms.push((
            1,
            (0..ng, 0i64..=4, proptest::bool::weighted(0.3)).prop_map(|(g, c, msg)| Stmt::Assert { g, c, msg }).boxed(),
        ));
    }
    if cfg.allow_cross_release && cfg.max_locks > 0 {
        arms.push((1, (0..cfg.max_locks).prop_map(|lock| Stmt::BareRelease { lock }).boxed()));
    }
    if cfg.allow_heap {
        arms.push((2, (0..2usize, 1i64..=3).prop_map(|(i, c)| Stmt::ListAdd { i, c }).boxed()));
        arms.push((1, (0..2usize, 1i64..=3).prop_map(|(i, c)| Stmt::ListSet { i, c }).boxed()));
        arms.push((1, (1i64..=3).prop_map(|c| Stmt::Append { c }).boxed()));
        arms.push((1, (1i64..=3).prop_map(|c| Stmt::DictAdd { c }).boxed()));
        arms.push((2, (1i64..=3).prop_map(|c| Stmt::AttrAdd { c }).boxed()));
        arms.push((1, (1i64..=3).prop_map(|c| Stmt::Bump { c }).boxed()));
        arms.push((1, (0..ng).prop_map(|g| Stmt::PropRead { g }).boxed()));
    }
    if cfg.allow_calls {
        arms.push((2, (0..ng, 1i64..=3).prop_map(|(g, c)| Stmt::CallInc { g, c }).boxed()));
        arms.push((1, (0..ng, 1i64..=3).prop_map(|(g, c)| Stmt::Abs { g, c }).boxed()));
        arms.push((1, (0..ng).prop_map(|g| Stmt::Len { g }).boxed()));
        arms.push((1, (0..ng, 0i64..=4).prop_map(|(g, c)| Stmt::Max { g, c }).boxed()));
    }
    Union::new_weighted(arms).boxed()
}

/// `lockK.acquire()` / `try:` body / `finally:` / `lockK.release()`, when `allow_sync`.
fn try_finally(
    cfg: &GenConfig,
    body: impl Strategy<Value = Vec<Stmt>> + 'static,
) -> Option<(u32, BoxedStrategy<Stmt>)> {
    (cfg.allow_sync && cfg.max_locks > 0)
        .then(|| (2, (0..cfg.max_locks, body).prop_map(|(lock, body)| Stmt::TryFinally { lock, body }).boxed()))
}

fn stmt(cfg: &GenConfig, depth: u32) -> BoxedStrategy<Stmt> {
    let leaves = leaf(cfg);
    if depth == 0 {
        return leaves;
    }
    let inner = stmt(cfg, depth - 1);
    let ng = cfg.max_globals;
    let body = || prop::collection::vec(inner.clone(), 1..=2);
    let mut arms: Vec<(u32, BoxedStrategy<Stmt>)> = vec![
        (12, leaves),
        (
            2,
            (proptest::bool::weighted(0.25), 0..ng, 0i64..=3, body(), proptest::option::weighted(0.4, body()))
                .prop_map(|(param, g, c, then, els)| Stmt::If { param, g, c, then, els })
                .boxed(),
        ),
        (2, (1..=cfg.max_loop, body()).prop_map(|(k, body)| Stmt::For { k, body }).boxed()),
        (1, (1..=cfg.max_loop, body()).prop_map(|(k, body)| Stmt::While { k, body }).boxed()),
    ];
    if cfg.max_locks >= 2 {
        // Two locks nested (either order): lock-order deadlocks between threads.
        arms.push((2, lock_nest(cfg)));
    }
    if cfg.max_locks > 0 {
        arms.push((3, (0..cfg.max_locks, body()).prop_map(|(lock, body)| Stmt::With { lock, body }).boxed()));
        arms.push((
            2,
            (0..cfg.max_locks, prop::collection::vec(inner.clone(), 0..=2))
                .prop_map(|(lock, body)| Stmt::AcqRel { lock, body })
                .boxed(),
        ));
    }
    arms.extend(try_finally(cfg, body()));
    Union::new_weighted(arms).boxed()
}

fn func(body: impl Strategy<Value = Vec<Stmt>>) -> impl Strategy<Value = RawFunc> {
    (proptest::option::weighted(0.25, 1i64..=3), body).prop_map(|(param, body)| RawFunc { param, body })
}

/// Statements of a worker that runs side by side with another worker: short, or a lock block.
fn side_by_side_stmt(cfg: &GenConfig) -> BoxedStrategy<Stmt> {
    let mut arms = vec![(6, leaf(cfg))];
    if cfg.max_locks > 0 {
        let body = || prop::collection::vec(leaf(cfg), 1..=1);
        arms.push((2, (0..cfg.max_locks, body()).prop_map(|(lock, body)| Stmt::With { lock, body }).boxed()));
        arms.push((1, (0..cfg.max_locks, body()).prop_map(|(lock, body)| Stmt::AcqRel { lock, body }).boxed()));
        arms.extend(try_finally(cfg, body()));
    }
    if cfg.max_locks >= 2 {
        arms.push((2, lock_nest(cfg)));
    }
    Union::new_weighted(arms).boxed()
}

fn tail(cfg: &GenConfig) -> BoxedStrategy<Tail> {
    let ng = cfg.max_globals;
    let mut arms: Vec<(u32, BoxedStrategy<Tail>)> = Vec::new();
    if cfg.allow_prints {
        arms.push((2, (0..ng).prop_map(|g| Tail::Print { g }).boxed()));
        arms.push((1, (0..ng, 0..ng).prop_map(|(g, h)| Tail::PrintF { g, h }).boxed()));
        if cfg.allow_str {
            arms.push((1, Just(Tail::PrintStr).boxed()));
        }
    }
    if cfg.allow_asserts {
        arms.push((
            3,
            (0..ng, 0i64..=6, proptest::bool::weighted(0.7))
                .prop_map(|(g, c, serial)| Tail::AssertEq { g, c, serial })
                .boxed(),
        ));
    }
    if arms.is_empty() {
        // Not used: `raw_program` generates no tail when prints and asserts are both off.
        return Just(Tail::Print { g: 0 }).boxed();
    }
    Union::new_weighted(arms).boxed()
}

/// `with lockA:` (or `acquire()`/`release()`) around `with lockB:` around one leaf, A != B.
fn lock_nest(cfg: &GenConfig) -> BoxedStrategy<Stmt> {
    (any::<bool>(), any::<bool>(), any::<bool>(), leaf(cfg))
        .prop_map(|(swap, outer_with, inner_with, s)| {
            let (a, b) = if swap { (1, 0) } else { (0, 1) };
            let inner = if inner_with {
                Stmt::With { lock: b, body: vec![s] }
            } else {
                Stmt::AcqRel { lock: b, body: vec![s] }
            };
            if outer_with {
                Stmt::With { lock: a, body: vec![inner] }
            } else {
                Stmt::AcqRel { lock: a, body: vec![inner] }
            }
        })
        .boxed()
}

/// Statements main runs between its last `start()` and its joins: leaves, or a lock block of leaves.
fn main_stmt(cfg: &GenConfig) -> BoxedStrategy<Stmt> {
    let leaves = leaf(cfg);
    if cfg.max_locks == 0 {
        return leaves;
    }
    let body = || prop::collection::vec(leaf(cfg), 1..=2);
    let mut arms = vec![
        (8, leaves),
        (2, (0..cfg.max_locks, body()).prop_map(|(lock, body)| Stmt::With { lock, body }).boxed()),
        (1, (0..cfg.max_locks, body()).prop_map(|(lock, body)| Stmt::AcqRel { lock, body }).boxed()),
    ];
    arms.extend(try_finally(cfg, body()));
    if cfg.max_locks >= 2 {
        arms.push((2, lock_nest(cfg)));
    }
    Union::new_weighted(arms).boxed()
}

/// Programs come in three plans, sized so that many fit the budget before any cutting:
/// one worker racing with main's own statements (worker: 1..=max_stmts statements, main: up to
/// max_stmts - 1, at most 2); two workers started and joined one after the other, main racing with
/// the second (workers: up to max_stmts - 1 statements, main: up to max_stmts - 2, at most 1); two
/// workers side by side with at most one short statement each (main: up to max_stmts - 2, at most
/// 1). Shrinking moves towards the first plan.
fn raw_program(cfg: GenConfig) -> BoxedStrategy<RawProgram> {
    let kind = if cfg.allow_sync && !cfg.allow_cross_release {
        prop_oneof![2 => Just(LockKind::Lock), 1 => Just(LockKind::RLock), 1 => Just(LockKind::Semaphore)].boxed()
    } else {
        Just(LockKind::Lock).boxed()
    };
    (raw_program_with_locks(cfg), kind).prop_map(|(raw, lock_kind)| RawProgram { lock_kind, ..raw }).boxed()
}

fn raw_program_with_locks(cfg: GenConfig) -> BoxedStrategy<RawProgram> {
    let tails = if cfg.allow_prints || cfg.allow_asserts {
        prop::collection::vec(tail(&cfg), 0..=2).boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    let common =
        (1..=cfg.max_globals, prop::collection::vec(0i64..=3, cfg.max_globals), tails, proptest::bool::weighted(0.5));
    let main_body = |n: usize| prop::collection::vec(main_stmt(&cfg), 0..=n);
    let m = cfg.max_stmts;
    let body = |n: usize| prop::collection::vec(stmt(&cfg, cfg.depth()), 1..=n);
    // Two worker threads: two functions, or one function run by both.
    let two = |b: BoxedStrategy<Vec<Stmt>>| {
        prop_oneof![
            2 => (func(b.clone()), func(b.clone())).prop_map(|(f, g)| (vec![f, g], false)),
            1 => func(b).prop_map(|f| (vec![f], true)),
        ]
    };
    let one_worker = (
        common.clone(),
        func(body(m)),
        prop_oneof![4 => Just(Shape::All), 1 => Just(Shape::SeqLastUnjoined)],
        main_body((m - 1).min(2)),
    )
        .prop_map(|((n_globals, init, tail, keep_workers), f, shape, main_body)| RawProgram {
            n_globals,
            init,
            funcs: vec![f],
            shared_thread: false,
            keep_workers,
            shape,
            main_body,
            tail,
            lock_kind: LockKind::Lock,
        });
    if cfg.max_workers < 2 {
        return one_worker.boxed();
    }
    let one_after_other = (
        common.clone(),
        two(body((m - 1).max(1)).boxed()),
        prop_oneof![2 => Just(Shape::Sequential), 1 => Just(Shape::SeqLastUnjoined)],
        main_body(m.saturating_sub(2).min(1)),
    )
        .prop_map(|((n_globals, init, tail, keep_workers), (funcs, shared_thread), shape, main_body)| RawProgram {
            n_globals,
            init,
            funcs,
            shared_thread,
            keep_workers,
            shape,
            main_body,
            tail,
            lock_kind: LockKind::Lock,
        });
    let side_by_side = (
        common.clone(),
        two(prop::collection::vec(side_by_side_stmt(&cfg), 0..=1).boxed()),
        prop_oneof![3 => Just(Shape::All), 1 => Just(Shape::Reverse), 1 => Just(Shape::OnlyFirst)],
        main_body(m.saturating_sub(2).min(1)),
    )
        .prop_map(|((n_globals, init, tail, keep_workers), (funcs, shared_thread), shape, main_body)| RawProgram {
            n_globals,
            init,
            funcs,
            shared_thread,
            keep_workers,
            shape,
            main_body,
            tail,
            lock_kind: LockKind::Lock,
        });
    if cfg.max_locks < 2 {
        return prop_oneof![5 => one_worker, 3 => one_after_other, 2 => side_by_side].boxed();
    }
    // Main and a worker each take both locks, nested, in random orders: lock-order deadlocks.
    let lock_order =
        (common, func(prop::collection::vec(lock_nest(&cfg), 1..=1)), prop::collection::vec(lock_nest(&cfg), 1..=1))
            .prop_map(|((n_globals, init, tail, keep_workers), f, main_body)| RawProgram {
                n_globals,
                init,
                funcs: vec![f],
                shared_thread: false,
                keep_workers,
                shape: Shape::All,
                main_body,
                tail,
                lock_kind: LockKind::Lock,
            });
    prop_oneof![5 => one_worker, 3 => one_after_other, 2 => side_by_side, 1 => lock_order].boxed()
}

// ---------------------------------------------------------------------------------------------
// Normalisation, size budget, analyses, rendering

/// A program ready to render: indices resolved, locks dense, budget applied.
struct Prog {
    n_globals: usize,
    init: Vec<i64>,
    has_str: bool,
    n_locks: usize,
    funcs: Vec<RawFunc>,
    /// (function index, argument) per thread, in start order.
    threads: Vec<(usize, Option<i64>)>,
    shape: Shape,
    main_body: Vec<Stmt>,
    tail: Vec<Tail>,
    lock_kind: LockKind,
}

fn build(cfg: &GenConfig, raw: RawProgram, budget: f64) -> GenProgram {
    let ng = raw.n_globals.max(1);
    let funcs: Vec<RawFunc> = raw
        .funcs
        .iter()
        .map(|f| RawFunc { param: f.param, body: norm_body(&f.body, ng, f.param.is_some(), &mut Vec::new()) })
        .collect();
    let threads: Vec<(usize, Option<i64>)> = if funcs.len() == 1 && raw.shared_thread && cfg.max_workers >= 2 {
        let p = funcs[0].param;
        vec![(0, p), (0, p.map(|v| v + 1))]
    } else {
        funcs.iter().enumerate().map(|(i, f)| (i, f.param)).collect()
    };
    let tail: Vec<Tail> = raw
        .tail
        .iter()
        .map(|t| match *t {
            Tail::Print { g } => Tail::Print { g: g % ng },
            Tail::PrintF { g, h } => Tail::PrintF { g: g % ng, h: h % ng },
            Tail::PrintStr => Tail::PrintStr,
            Tail::AssertEq { g, c, serial } => Tail::AssertEq { g: g % ng, c, serial },
        })
        .collect();
    let mut prog = Prog {
        n_globals: ng,
        init: raw.init[..ng].to_vec(),
        has_str: false,
        n_locks: cfg.max_locks,
        funcs,
        threads,
        shape: raw.shape,
        main_body: norm_body(&raw.main_body, ng, false, &mut Vec::new()),
        tail,
        lock_kind: raw.lock_kind,
    };

    // Size budget. Cut, until the estimate fits: main's final prints/asserts while a thread is left
    // unjoined; then the longest worker body while some worker has more than one simple statement
    // (unless `keep_workers`); then main's statements; then worker bodies down to nothing.
    let mut est = estimate(&prog);
    let unjoined = matches!(prog.shape, Shape::OnlyFirst | Shape::SeqLastUnjoined);
    while est > budget {
        let longest = (0..prog.funcs.len())
            .filter(|&i| !prog.funcs[i].body.is_empty())
            .max_by_key(|&i| linear_body(&prog.funcs[i].body).len());
        let big = longest.filter(|&i| linear_body(&prog.funcs[i].body).len() > 8);
        if unjoined && !prog.tail.is_empty() {
            prog.tail.pop();
        } else if let Some(i) = big.filter(|_| !raw.keep_workers || prog.main_body.is_empty()) {
            cut(&mut prog.funcs[i].body);
        } else if !prog.main_body.is_empty() {
            cut(&mut prog.main_body);
        } else if let Some(i) = longest {
            cut(&mut prog.funcs[i].body);
        } else {
            break;
        }
        est = estimate(&prog);
    }

    // Dense lock numbering in order of first use; the str global exists only if used.
    let mut lock_map: Vec<usize> = Vec::new();
    for f in &prog.funcs {
        collect_locks(&f.body, &mut lock_map);
    }
    collect_locks(&prog.main_body, &mut lock_map);
    for f in &mut prog.funcs {
        remap_locks(&mut f.body, &lock_map);
    }
    remap_locks(&mut prog.main_body, &lock_map);
    prog.n_locks = lock_map.len();
    prog.has_str = prog.funcs.iter().any(|f| uses_str(&f.body))
        || uses_str(&prog.main_body)
        || prog.tail.contains(&Tail::PrintStr);

    let serial = serial_run(&prog);
    GenProgram {
        source: render(&prog, serial.as_deref()),
        may_deadlock: may_deadlock(&prog),
        est_interleavings: est,
        threads: prog.threads.len(),
        serial_outcome: serial.map(|g| g.iter().enumerate().map(|(i, &v)| (GLOBALS[i], v as i64)).collect()),
    }
}

/// A block that needs a statement (inlining can empty it) gets a `pass`, so that what is rendered
/// and what is estimated agree.
fn non_empty(body: Vec<Stmt>) -> Vec<Stmt> {
    if body.is_empty() {
        vec![Stmt::Pass]
    } else {
        body
    }
}

fn norm_body(body: &[Stmt], ng: usize, has_param: bool, held: &mut Vec<usize>) -> Vec<Stmt> {
    let mut out = Vec::new();
    for s in body {
        norm_stmt(s, ng, has_param, held, &mut out);
    }
    out
}

fn norm_stmt(s: &Stmt, ng: usize, has_param: bool, held: &mut Vec<usize>, out: &mut Vec<Stmt>) {
    use Stmt::*;
    let s = match s {
        Add { g, c } => Add { g: g % ng, c: *c },
        Sub { g, c } => Sub { g: g % ng, c: *c },
        Mul { g, c } => Mul { g: g % ng, c: *c },
        Copy { g, h, c } => Copy { g: g % ng, h: h % ng, c: *c },
        AddParam { g } if has_param => AddParam { g: g % ng },
        AddParam { g } => Add { g: g % ng, c: 1 },
        Rmw { g } => Rmw { g: g % ng },
        Print { g, fstring } => Print { g: g % ng, fstring: *fstring },
        Assert { g, c, msg } => Assert { g: g % ng, c: *c, msg: *msg },
        ListAdd { i, c } => ListAdd { i: i % 2, c: *c },
        ListSet { i, c } => ListSet { i: i % 2, c: *c },
        PropRead { g } => PropRead { g: g % ng },
        CallInc { g, c } => CallInc { g: g % ng, c: *c },
        Abs { g, c } => Abs { g: g % ng, c: *c },
        Len { g } => Len { g: g % ng },
        Max { g, c } => Max { g: g % ng, c: *c },
        If { param, g, c, then, els } => If {
            param: *param && has_param,
            g: g % ng,
            c: *c,
            then: non_empty(norm_body(then, ng, has_param, held)),
            els: els.as_ref().map(|e| non_empty(norm_body(e, ng, has_param, held))),
        },
        For { k, body } => For { k: *k, body: non_empty(norm_body(body, ng, has_param, held)) },
        While { k, body } => While { k: *k, body: non_empty(norm_body(body, ng, has_param, held)) },
        With { lock, body } | AcqRel { lock, body } | TryFinally { lock, body } if held.contains(lock) => {
            // Locks are not reentrant: re-taking a held lock would self-deadlock. Inline the body.
            out.extend(norm_body(body, ng, has_param, held));
            return;
        }
        With { lock, body } => {
            held.push(*lock);
            let body = non_empty(norm_body(body, ng, has_param, held));
            held.pop();
            With { lock: *lock, body }
        }
        AcqRel { lock, body } => {
            held.push(*lock);
            let body = norm_body(body, ng, has_param, held);
            held.pop();
            AcqRel { lock: *lock, body }
        }
        TryFinally { lock, body } => {
            held.push(*lock);
            let body = non_empty(norm_body(body, ng, has_param, held));
            held.pop();
            TryFinally { lock: *lock, body }
        }
        other => other.clone(),
    };
    out.push(s);
}

/// Make a body smaller: drop its last statement, or unwrap it when it is a compound statement.
fn cut(body: &mut Vec<Stmt>) {
    let Some(last) = body.pop() else { return };
    let inner = match last {
        Stmt::If { mut then, .. } => {
            then.truncate(1);
            then
        }
        Stmt::For { mut body, .. }
        | Stmt::While { mut body, .. }
        | Stmt::With { mut body, .. }
        | Stmt::AcqRel { mut body, .. }
        | Stmt::TryFinally { mut body, .. } => {
            body.truncate(1);
            body
        }
        _ => Vec::new(),
    };
    // Unwrapping is only useful when the compound was the whole body; otherwise just drop it.
    if body.is_empty() {
        body.extend(inner);
    }
}

fn children(s: &Stmt) -> Vec<&Vec<Stmt>> {
    match s {
        Stmt::If { then, els, .. } => {
            let mut v = vec![then];
            if let Some(e) = els {
                v.push(e);
            }
            v
        }
        Stmt::For { body, .. }
        | Stmt::While { body, .. }
        | Stmt::With { body, .. }
        | Stmt::AcqRel { body, .. }
        | Stmt::TryFinally { body, .. } => vec![body],
        _ => Vec::new(),
    }
}

fn collect_locks(body: &[Stmt], map: &mut Vec<usize>) {
    for s in body {
        if let Stmt::With { lock, .. }
        | Stmt::AcqRel { lock, .. }
        | Stmt::TryFinally { lock, .. }
        | Stmt::BareRelease { lock } = s
        {
            if !map.contains(lock) {
                map.push(*lock);
            }
        }
        for c in children(s) {
            collect_locks(c, map);
        }
    }
}

fn remap_locks(body: &mut [Stmt], map: &[usize]) {
    for s in body {
        match s {
            Stmt::With { lock, body } | Stmt::AcqRel { lock, body } | Stmt::TryFinally { lock, body } => {
                *lock = map.iter().position(|l| l == lock).unwrap();
                remap_locks(body, map);
            }
            Stmt::BareRelease { lock } => *lock = map.iter().position(|l| l == lock).unwrap(),
            Stmt::If { then, els, .. } => {
                remap_locks(then, map);
                if let Some(e) = els {
                    remap_locks(e, map);
                }
            }
            Stmt::For { body, .. } | Stmt::While { body, .. } => remap_locks(body, map),
            _ => {}
        }
    }
}

fn uses_str(body: &[Stmt]) -> bool {
    body.iter()
        .any(|s| matches!(s, Stmt::StrAppend | Stmt::PrintStr { .. }) || children(s).into_iter().any(|c| uses_str(c)))
}

fn assigned_globals(body: &[Stmt], out: &mut BTreeSet<usize>, str_assigned: &mut bool) {
    for s in body {
        match s {
            Stmt::Add { g, .. }
            | Stmt::Sub { g, .. }
            | Stmt::Mul { g, .. }
            | Stmt::Copy { g, .. }
            | Stmt::AddParam { g }
            | Stmt::Rmw { g }
            | Stmt::PropRead { g }
            | Stmt::CallInc { g, .. }
            | Stmt::Abs { g, .. }
            | Stmt::Len { g }
            | Stmt::Max { g, .. } => {
                out.insert(*g);
            }
            Stmt::StrAppend => *str_assigned = true,
            _ => {}
        }
        for c in children(s) {
            assigned_globals(c, out, str_assigned);
        }
    }
}

// --- interleaving estimate -------------------------------------------------------------------

/// One CPython 3.11 instruction, as far as the estimate cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Plain,
    /// Takes a lock (BEFORE_WITH, or the CALL of `acquire()`): waits while another thread holds it.
    Acq(usize),
    /// Releases a lock (the CALL of `__exit__` or `release()`).
    Rel(usize),
    /// The CALL of `tK.start()`: the thread is runnable after it.
    Spawn(usize),
    /// The CALL of `tK.join()`: waits for the thread to finish.
    Join(usize),
}

fn plain(out: &mut Vec<Op>, n: usize) {
    out.extend(std::iter::repeat_n(Op::Plain, n));
}

/// The instructions a body executes, loops unrolled, an `if` along its longer arm, asserts failing
/// (the longer path) but not stopping the thread, bare releases without effect.
fn linear_body(body: &[Stmt]) -> Vec<Op> {
    linear_body_in(body, false)
}

/// `module`: main's module-level code, where `print` is PUSH_NULL + LOAD_NAME (one more
/// instruction than a function's LOAD_GLOBAL (NULL + print)).
fn linear_body_in(body: &[Stmt], module: bool) -> Vec<Op> {
    let mut out = Vec::new();
    for s in body {
        linear_stmt(s, module, &mut out);
    }
    out
}

fn linear_stmt(s: &Stmt, module: bool, out: &mut Vec<Op>) {
    let linear_body = |b: &[Stmt]| linear_body_in(b, module);
    match s {
        Stmt::Add { .. }
        | Stmt::Sub { .. }
        | Stmt::Mul { .. }
        | Stmt::Copy { .. }
        | Stmt::AddParam { .. }
        | Stmt::StrAppend => plain(out, 4),
        // Its failing path: LOAD_ASSERTION_ERROR, (the message: LOAD_CONST, LOAD_x, FORMAT_VALUE,
        // BUILD_STRING, PRECALL, CALL,) RAISE_VARARGS. The thread stops there, but other threads
        // go on, so counting the longer path keeps the estimate on the safe side.
        Stmt::Assert { msg: false, .. } => plain(out, 6),
        Stmt::Assert { msg: true, .. } => plain(out, 12),
        Stmt::Rmw { .. } => plain(out, 6),
        Stmt::Print { fstring: true, .. } | Stmt::PrintStr { fstring: true } => plain(out, 8 + module as usize),
        Stmt::Print { .. } | Stmt::PrintStr { .. } => plain(out, 7 + module as usize),
        Stmt::BareRelease { .. } => plain(out, 5),
        Stmt::Pass => plain(out, 1),
        // LOAD_GLOBAL a, LOAD_CONST i, COPY, COPY, BINARY_SUBSCR, LOAD_CONST c, BINARY_OP, SWAP,
        // SWAP, STORE_SUBSCR (the same for `d["k"] += c`).
        Stmt::ListAdd { .. } | Stmt::DictAdd { .. } => plain(out, 10),
        Stmt::ListSet { .. } => plain(out, 8),
        Stmt::Append { .. } => plain(out, 6),
        Stmt::AttrAdd { .. } => plain(out, 7),
        // The method's frame: RESUME, LOAD_FAST, COPY, LOAD_ATTR, LOAD_FAST, BINARY_OP, SWAP,
        // STORE_ATTR, LOAD_CONST, RETURN_VALUE; around it LOAD_GLOBAL, LOAD_METHOD, LOAD_CONST,
        // PRECALL, CALL ... POP_TOP.
        Stmt::Bump { .. } => plain(out, 16),
        // The getter's frame: RESUME, LOAD_FAST, LOAD_ATTR, RETURN_VALUE.
        Stmt::PropRead { .. } => plain(out, 9),
        // A call of a name: one more instruction at module level (PUSH_NULL + LOAD_NAME).
        Stmt::CallInc { .. } => plain(out, 10 + module as usize),
        Stmt::Abs { .. } | Stmt::Len { .. } => plain(out, 7 + module as usize),
        Stmt::Max { .. } => plain(out, 6 + module as usize),
        Stmt::If { then, els, .. } => {
            plain(out, 4);
            let (a, b) = (linear_body(then), els.as_deref().map(linear_body).unwrap_or_default());
            out.extend(if a.len() >= b.len() { a } else { b });
            plain(out, 1);
        }
        Stmt::For { k, body } => {
            plain(out, 5);
            let b = linear_body(body);
            for _ in 0..*k {
                plain(out, 2);
                out.extend(&b);
                plain(out, 1);
            }
            plain(out, 1);
        }
        Stmt::While { k, body } => {
            plain(out, 6);
            let b = linear_body(body);
            for _ in 0..*k {
                plain(out, 4);
                out.extend(&b);
                plain(out, 4);
            }
        }
        Stmt::With { lock, body } => {
            out.extend([Op::Plain, Op::Acq(*lock), Op::Plain]);
            out.extend(linear_body(body));
            plain(out, 4);
            out.extend([Op::Rel(*lock), Op::Plain, Op::Plain]);
        }
        Stmt::AcqRel { lock, body } => {
            out.extend([Op::Plain, Op::Plain, Op::Plain, Op::Acq(*lock), Op::Plain]);
            out.extend(linear_body(body));
            out.extend([Op::Plain, Op::Plain, Op::Plain, Op::Rel(*lock), Op::Plain]);
        }
        // As `AcqRel`, with a NOP for the `try:` and a jump over the exception handler after the
        // `finally:` block (absent when it ends a function: one step over).
        Stmt::TryFinally { lock, body } => {
            out.extend([Op::Plain, Op::Plain, Op::Plain, Op::Acq(*lock), Op::Plain, Op::Plain]);
            out.extend(linear_body(body));
            out.extend([Op::Plain, Op::Plain, Op::Plain, Op::Rel(*lock), Op::Plain, Op::Plain]);
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MainOp {
    Start(usize),
    Join(usize),
    /// `main_body` goes right after the last `start()`.
    Body,
}

fn main_ops(shape: Shape, n: usize) -> Vec<MainOp> {
    let mut ops = Vec::new();
    match shape {
        Shape::All | Shape::Reverse | Shape::OnlyFirst => {
            ops.extend((0..n).map(MainOp::Start));
            ops.push(MainOp::Body);
            match shape {
                Shape::All => ops.extend((0..n).map(MainOp::Join)),
                Shape::Reverse => ops.extend((0..n).rev().map(MainOp::Join)),
                _ => ops.push(MainOp::Join(0)),
            }
        }
        Shape::Sequential | Shape::SeqLastUnjoined => {
            for t in 0..n {
                ops.push(MainOp::Start(t));
                if t + 1 == n {
                    ops.push(MainOp::Body);
                }
                if shape == Shape::Sequential || t + 1 < n {
                    ops.push(MainOp::Join(t));
                }
            }
        }
    }
    ops
}

/// Main's instructions from its first `start()` on (everything before runs alone).
fn linear_main(p: &Prog) -> Vec<Op> {
    let mut main = Vec::new();
    for op in main_ops(p.shape, p.threads.len()) {
        match op {
            MainOp::Start(t) => main.extend([Op::Plain, Op::Plain, Op::Plain, Op::Spawn(t), Op::Plain]),
            MainOp::Join(t) => main.extend([Op::Plain, Op::Plain, Op::Plain, Op::Join(t), Op::Plain]),
            MainOp::Body => main.extend(linear_body_in(&p.main_body, true)),
        }
    }
    for t in &p.tail {
        let n = match t {
            Tail::Print { .. } | Tail::PrintStr => 6,
            Tail::PrintF { .. } => 12,
            Tail::AssertEq { .. } => 6,
        };
        plain(&mut main, n);
    }
    plain(&mut main, 2);
    main
}

/// Estimated interleavings under `--switch bytecode`: paths through the product of the threads'
/// instruction positions (main from its first `start()`, each worker from its spawn), where a lock
/// is taken only when no other thread holds it and a join waits for its thread; a state with no
/// enabled step (all done, or deadlocked) ends one interleaving. Exact for straight-line programs
/// without exceptions (up to how the checker counts a blocked step).
fn estimate(p: &Prog) -> f64 {
    let mut seqs: Vec<Vec<Op>> = vec![linear_main(p)];
    for &(f, _) in &p.threads {
        let mut w = vec![Op::Plain];
        w.extend(linear_body(&p.funcs[f].body));
        plain(&mut w, 2);
        seqs.push(w);
    }
    while seqs.len() < 3 {
        seqs.push(Vec::new());
    }
    // held[k][pos]: bitmask of the locks actor k holds before its step `pos`.
    let held: Vec<Vec<u32>> = seqs
        .iter()
        .map(|seq| {
            let mut h = vec![0u32];
            let mut cur = 0u32;
            for op in seq {
                match op {
                    Op::Acq(l) => cur |= 1 << l,
                    Op::Rel(l) => cur &= !(1 << l),
                    _ => {}
                }
                h.push(cur);
            }
            h
        })
        .collect();
    let spawn: Vec<Option<usize>> = (0..2).map(|t| seqs[0].iter().position(|o| *o == Op::Spawn(t))).collect();
    let (lm, la, lb) = (seqs[0].len(), seqs[1].len(), seqs[2].len());
    let cells = (lm + 1) * (la + 1) * (lb + 1);
    if cells > 8_000_000 {
        return f64::INFINITY;
    }
    let idx = |m: usize, a: usize, b: usize| (m * (la + 1) + a) * (lb + 1) + b;
    let mut dp = vec![0f64; cells];
    for m in (0..=lm).rev() {
        let run = [spawn[0].is_some_and(|i| m > i), spawn[1].is_some_and(|i| m > i)];
        for a in (0..=la).rev() {
            for b in (0..=lb).rev() {
                let pos = [m, a, b];
                let ends = [lm, la, lb];
                let enabled = |k: usize| -> bool {
                    if pos[k] >= ends[k] || (k > 0 && !run[k - 1]) {
                        return false;
                    }
                    match seqs[k][pos[k]] {
                        Op::Acq(l) => (0..3).all(|o| o == k || held[o][pos[o]] & (1 << l) == 0),
                        Op::Join(t) => pos[t + 1] == ends[t + 1],
                        _ => true,
                    }
                };
                let mut sum = 0.0;
                let mut any = false;
                if enabled(0) {
                    sum += dp[idx(m + 1, a, b)];
                    any = true;
                }
                if enabled(1) {
                    sum += dp[idx(m, a + 1, b)];
                    any = true;
                }
                if enabled(2) {
                    sum += dp[idx(m, a, b + 1)];
                    any = true;
                }
                dp[idx(m, a, b)] = if any { sum } else { 1.0 };
            }
        }
    }
    dp[idx(0, 0, 0)]
}

// --- deadlock analysis -----------------------------------------------------------------------

fn lock_pairs(body: &[Stmt], held: &mut Vec<usize>, out: &mut BTreeSet<(usize, usize)>) {
    for s in body {
        match s {
            Stmt::With { lock, body } | Stmt::AcqRel { lock, body } | Stmt::TryFinally { lock, body } => {
                for &h in held.iter() {
                    out.insert((h, *lock));
                }
                held.push(*lock);
                lock_pairs(body, held, out);
                held.pop();
            }
            _ => {
                for c in children(s) {
                    lock_pairs(c, held, out);
                }
            }
        }
    }
}

fn bare_released(body: &[Stmt], out: &mut BTreeSet<usize>) {
    for s in body {
        if let Stmt::BareRelease { lock } = s {
            out.insert(*lock);
        }
        for c in children(s) {
            bare_released(c, out);
        }
    }
}

/// Whether executing `s` can raise: a failing assert, an unheld release, or the release at the end
/// of a `with`/`acquire` block on a lock that someone may have released already.
fn can_raise(s: &Stmt, bare: &BTreeSet<usize>) -> bool {
    match s {
        Stmt::Assert { .. } | Stmt::BareRelease { .. } => true,
        Stmt::With { lock, body } | Stmt::AcqRel { lock, body } | Stmt::TryFinally { lock, body } => {
            bare.contains(lock) || body.iter().any(|s| can_raise(s, bare))
        }
        _ => children(s).into_iter().any(|c| c.iter().any(|s| can_raise(s, bare))),
    }
}

/// Locks a thread can die holding: it raises inside `acquire() ... release()`.
fn leaked_locks(body: &[Stmt], bare: &BTreeSet<usize>, out: &mut BTreeSet<usize>) {
    for s in body {
        if let Stmt::AcqRel { lock, body } = s {
            if body.iter().any(|s| can_raise(s, bare)) {
                out.insert(*lock);
            }
        }
        for c in children(s) {
            leaked_locks(c, bare, out);
        }
    }
}

/// Locks a body acquires.
fn acquired_locks(body: &[Stmt], out: &mut BTreeSet<usize>) {
    for s in body {
        if let Stmt::With { lock, .. } | Stmt::AcqRel { lock, .. } | Stmt::TryFinally { lock, .. } = s {
            out.insert(*lock);
        }
        for c in children(s) {
            acquired_locks(c, out);
        }
    }
}

fn may_deadlock(p: &Prog) -> bool {
    // Main (its statements between start and join) is a thread like the others here.
    let bodies: Vec<&[Stmt]> =
        std::iter::once(&p.main_body[..]).chain(p.threads.iter().map(|&(f, _)| &p.funcs[f].body[..])).collect();
    let mut bare = BTreeSet::new();
    for b in &bodies {
        bare_released(b, &mut bare);
    }
    // Without bare releases a lock's acquires and releases pair up per thread, so a lock stays held
    // forever only if its holder dies between `acquire()` and `release()` (a `with` releases on the
    // way out), or its holder waits forever for another lock (a lock-order cycle).
    for i in 0..bodies.len() {
        let mut leaked = BTreeSet::new();
        leaked_locks(bodies[i], &bare, &mut leaked);
        for j in (0..bodies.len()).filter(|&j| j != i) {
            let mut used = BTreeSet::new();
            acquired_locks(bodies[j], &mut used);
            if leaked.intersection(&used).next().is_some() {
                return true;
            }
        }
    }
    let pairs: Vec<BTreeSet<(usize, usize)>> = bodies
        .iter()
        .map(|b| {
            let mut out = BTreeSet::new();
            lock_pairs(b, &mut Vec::new(), &mut out);
            out
        })
        .collect();
    for i in 0..pairs.len() {
        for j in 0..pairs.len() {
            if i != j && pairs[i].iter().any(|&(a, b)| pairs[j].contains(&(b, a))) {
                return true;
            }
        }
    }
    false
}

// --- serial run ------------------------------------------------------------------------------

enum Stop {
    Raise,
    /// The serial schedule would block (or values grew too large): no serial value.
    Give,
}

struct Serial {
    g: Vec<i128>,
    locked: Vec<bool>,
    /// The list `a`, `d["k"]` and `obj.n`.
    a: Vec<i128>,
    d: i128,
    n: i128,
}

impl Serial {
    fn release(&mut self, l: usize) -> Result<(), Stop> {
        if self.locked[l] {
            self.locked[l] = false;
            Ok(())
        } else {
            Err(Stop::Raise)
        }
    }

    fn acquire(&mut self, l: usize) -> Result<(), Stop> {
        if self.locked[l] {
            Err(Stop::Give)
        } else {
            self.locked[l] = true;
            Ok(())
        }
    }

    fn set(&mut self, g: usize, v: Option<i128>) -> Result<(), Stop> {
        self.g[g] = small(v)?;
        Ok(())
    }

    fn exec(&mut self, body: &[Stmt], n: i128) -> Result<(), Stop> {
        for s in body {
            match s {
                Stmt::Add { g, c } => self.set(*g, self.g[*g].checked_add(*c as i128))?,
                Stmt::Sub { g, c } => self.set(*g, self.g[*g].checked_sub(*c as i128))?,
                Stmt::Mul { g, c } => self.set(*g, self.g[*g].checked_mul(*c as i128))?,
                Stmt::Copy { g, h, c } => self.set(*g, self.g[*h].checked_add(*c as i128))?,
                Stmt::AddParam { g } => self.set(*g, self.g[*g].checked_add(n))?,
                Stmt::Rmw { g } => self.set(*g, self.g[*g].checked_add(1))?,
                Stmt::StrAppend | Stmt::Print { .. } | Stmt::PrintStr { .. } | Stmt::Pass => {}
                Stmt::ListAdd { i, c } | Stmt::ListSet { i, c } => {
                    self.a[*i] = small(self.a[*i].checked_add(*c as i128))?
                }
                Stmt::Append { c } => self.a.push(*c as i128),
                Stmt::DictAdd { c } => self.d = small(self.d.checked_add(*c as i128))?,
                Stmt::AttrAdd { c } | Stmt::Bump { c } => self.n = small(self.n.checked_add(*c as i128))?,
                Stmt::PropRead { g } => self.set(*g, self.g[*g].checked_add(self.n))?,
                Stmt::CallInc { g, c } => self.set(*g, self.g[*g].checked_add(*c as i128))?,
                Stmt::Abs { g, c } => self.set(*g, self.g[*g].checked_sub(*c as i128).map(i128::abs))?,
                Stmt::Len { g } => self.set(*g, self.g[*g].checked_add(self.a.len() as i128))?,
                Stmt::Max { g, c } => self.set(*g, Some(self.g[*g].max(*c as i128)))?,
                Stmt::Assert { g, c, .. } => {
                    if self.g[*g] > *c as i128 {
                        return Err(Stop::Raise);
                    }
                }
                Stmt::BareRelease { lock } => self.release(*lock)?,
                Stmt::If { param, g, c, then, els } => {
                    let v = if *param { n } else { self.g[*g] };
                    if v > *c as i128 {
                        self.exec(then, n)?;
                    } else if let Some(e) = els {
                        self.exec(e, n)?;
                    }
                }
                Stmt::For { k, body } | Stmt::While { k, body } => {
                    for _ in 0..*k {
                        self.exec(body, n)?;
                    }
                }
                Stmt::With { lock, body } | Stmt::TryFinally { lock, body } => {
                    self.acquire(*lock)?;
                    let r = self.exec(body, n);
                    match r {
                        Ok(()) => self.release(*lock)?,
                        Err(Stop::Raise) => {
                            let _ = self.release(*lock);
                            return Err(Stop::Raise);
                        }
                        Err(e) => return Err(e),
                    }
                }
                Stmt::AcqRel { lock, body } => {
                    self.acquire(*lock)?;
                    self.exec(body, n)?;
                    self.release(*lock)?;
                }
            }
        }
        Ok(())
    }
}

/// `v`, where it is known and not too large.
fn small(v: Option<i128>) -> Result<i128, Stop> {
    match v {
        Some(v) if v.abs() < 1_000_000_000 => Ok(v),
        _ => Err(Stop::Give),
    }
}

/// Globals after the interleaving in which each thread runs to completion inside its `start()`;
/// `None` if anything raises or blocks on the way.
fn serial_run(p: &Prog) -> Option<Vec<i128>> {
    let mut st = Serial {
        g: p.init.iter().map(|&v| v as i128).collect(),
        locked: vec![false; p.n_locks],
        a: vec![0, 0],
        d: 0,
        n: 0,
    };
    for &(f, arg) in &p.threads {
        st.exec(&p.funcs[f].body, arg.unwrap_or(0) as i128).ok()?;
    }
    st.exec(&p.main_body, 0).ok()?;
    Some(st.g)
}

// --- rendering -------------------------------------------------------------------------------

const GLOBALS: [&str; 3] = ["x", "y", "z"];

fn lock_name(l: usize) -> String {
    format!("lock{}", l + 1)
}

fn render_body(out: &mut String, body: &[Stmt], ind: usize, wname: &str, whiles: usize) {
    if body.is_empty() {
        let _ = writeln!(out, "{:ind$}pass", "");
        return;
    }
    for s in body {
        render_stmt(out, s, ind, wname, whiles);
    }
}

fn render_stmt(out: &mut String, s: &Stmt, ind: usize, w: &str, whiles: usize) {
    let p = format!("{:ind$}", "");
    match s {
        Stmt::Add { g, c } => {
            let _ = writeln!(out, "{p}{} += {c}", GLOBALS[*g]);
        }
        Stmt::Sub { g, c } => {
            let _ = writeln!(out, "{p}{} -= {c}", GLOBALS[*g]);
        }
        Stmt::Mul { g, c } => {
            let _ = writeln!(out, "{p}{0} = {0} * {c}", GLOBALS[*g]);
        }
        Stmt::Copy { g, h, c } => {
            let _ = writeln!(out, "{p}{} = {} + {c}", GLOBALS[*g], GLOBALS[*h]);
        }
        Stmt::AddParam { g } => {
            let _ = writeln!(out, "{p}{} += n", GLOBALS[*g]);
        }
        Stmt::Rmw { g } => {
            let _ = writeln!(out, "{p}tmp = {0}\n{p}{0} = tmp + 1", GLOBALS[*g]);
        }
        Stmt::StrAppend => {
            let _ = writeln!(out, "{p}s += \"a\"");
        }
        Stmt::Print { g, fstring } => print_line(out, &p, w, GLOBALS[*g], *fstring),
        Stmt::PrintStr { fstring } => print_line(out, &p, w, "s", *fstring),
        Stmt::Assert { g, c, msg } => {
            let v = GLOBALS[*g];
            if *msg {
                let _ = writeln!(out, "{p}assert {v} <= {c}, f\"{w}: {v} is {{{v}}}\"");
            } else {
                let _ = writeln!(out, "{p}assert {v} <= {c}");
            }
        }
        Stmt::BareRelease { lock } => {
            let _ = writeln!(out, "{p}{}.release()", lock_name(*lock));
        }
        Stmt::Pass => {
            let _ = writeln!(out, "{p}pass");
        }
        Stmt::ListAdd { i, c } => {
            let _ = writeln!(out, "{p}a[{i}] += {c}");
        }
        Stmt::ListSet { i, c } => {
            let _ = writeln!(out, "{p}a[{i}] = a[{i}] + {c}");
        }
        Stmt::Append { c } => {
            let _ = writeln!(out, "{p}a.append({c})");
        }
        Stmt::DictAdd { c } => {
            let _ = writeln!(out, "{p}d[\"k\"] += {c}");
        }
        Stmt::AttrAdd { c } => {
            let _ = writeln!(out, "{p}obj.n += {c}");
        }
        Stmt::Bump { c } => {
            let _ = writeln!(out, "{p}obj.bump({c})");
        }
        Stmt::PropRead { g } => {
            let _ = writeln!(out, "{p}{0} = {0} + obj.value", GLOBALS[*g]);
        }
        Stmt::CallInc { g, c } => {
            let _ = writeln!(out, "{p}{0} = {0} + inc({c})", GLOBALS[*g]);
        }
        Stmt::Abs { g, c } => {
            let _ = writeln!(out, "{p}{0} = abs({0} - {c})", GLOBALS[*g]);
        }
        Stmt::Len { g } => {
            let _ = writeln!(out, "{p}{0} = {0} + len(a)", GLOBALS[*g]);
        }
        Stmt::Max { g, c } => {
            let _ = writeln!(out, "{p}{0} = max({0}, {c})", GLOBALS[*g]);
        }
        Stmt::If { param, g, c, then, els } => {
            let v = if *param { "n" } else { GLOBALS[*g] };
            let _ = writeln!(out, "{p}if {v} > {c}:");
            render_body(out, then, ind + 4, w, whiles);
            if let Some(e) = els {
                let _ = writeln!(out, "{p}else:");
                render_body(out, e, ind + 4, w, whiles);
            }
        }
        Stmt::For { k, body } => {
            let _ = writeln!(out, "{p}for _ in range({k}):");
            render_body(out, body, ind + 4, w, whiles);
        }
        Stmt::While { k, body } => {
            let _ = writeln!(out, "{p}i{whiles} = 0\n{p}while i{whiles} < {k}:\n{p}    i{whiles} += 1");
            for s in body {
                render_stmt(out, s, ind + 4, w, whiles + 1);
            }
        }
        Stmt::With { lock, body } => {
            let _ = writeln!(out, "{p}with {}:", lock_name(*lock));
            render_body(out, body, ind + 4, w, whiles);
        }
        Stmt::AcqRel { lock, body } => {
            let l = lock_name(*lock);
            let _ = writeln!(out, "{p}{l}.acquire()");
            for s in body {
                render_stmt(out, s, ind, w, whiles);
            }
            let _ = writeln!(out, "{p}{l}.release()");
        }
        Stmt::TryFinally { lock, body } => {
            let l = lock_name(*lock);
            let _ = writeln!(out, "{p}{l}.acquire()\n{p}try:");
            render_body(out, body, ind + 4, w, whiles);
            let _ = writeln!(out, "{p}finally:\n{p}    {l}.release()");
        }
    }
}

/// Whether some statement of the program satisfies `f`.
fn prog_uses(p: &Prog, f: &dyn Fn(&Stmt) -> bool) -> bool {
    fn any(body: &[Stmt], f: &dyn Fn(&Stmt) -> bool) -> bool {
        body.iter().any(|s| f(s) || children(s).into_iter().any(|c| any(c, f)))
    }
    p.funcs.iter().any(|fun| any(&fun.body, f)) || any(&p.main_body, f)
}

fn print_line(out: &mut String, p: &str, w: &str, v: &str, fstring: bool) {
    if fstring {
        let _ = writeln!(out, "{p}print(f\"{w} {{{v}}}\")");
    } else {
        let _ = writeln!(out, "{p}print(\"{w}\", {v})");
    }
}

fn render(p: &Prog, serial: Option<&[i128]>) -> String {
    let mut out = String::from("import threading\n\n");
    for (name, v) in GLOBALS.iter().zip(&p.init) {
        let _ = writeln!(out, "{name} = {v}");
    }
    if p.has_str {
        out.push_str("s = \"\"\n");
    }
    if prog_uses(p, &|s| {
        matches!(s, Stmt::ListAdd { .. } | Stmt::ListSet { .. } | Stmt::Append { .. } | Stmt::Len { .. })
    }) {
        out.push_str("a = [0, 0]\n");
    }
    if prog_uses(p, &|s| matches!(s, Stmt::DictAdd { .. })) {
        out.push_str("d = {\"k\": 0}\n");
    }
    let kind = match p.lock_kind {
        LockKind::Lock => "Lock()",
        LockKind::RLock => "RLock()",
        LockKind::Semaphore => "Semaphore(1)",
    };
    for l in 0..p.n_locks {
        let _ = writeln!(out, "{} = threading.{kind}", lock_name(l));
    }
    if prog_uses(p, &|s| matches!(s, Stmt::AttrAdd { .. } | Stmt::Bump { .. } | Stmt::PropRead { .. })) {
        out.push_str(
            "\n\nclass C:\n    def __init__(self):\n        self.n = 0\n\n    @property\n    def value(self):\n        \
             return self.n\n\n    def bump(self, k):\n        self.n += k\n\n\nobj = C()\n",
        );
    }
    if prog_uses(p, &|s| matches!(s, Stmt::CallInc { .. })) {
        out.push_str("\n\ndef inc(k):\n    return k\n");
    }
    for (i, f) in p.funcs.iter().enumerate() {
        let w = format!("w{}", i + 1);
        let _ = writeln!(out, "\n\ndef {w}({}):", if f.param.is_some() { "n" } else { "" });
        let mut assigned = BTreeSet::new();
        let mut str_assigned = false;
        assigned_globals(&f.body, &mut assigned, &mut str_assigned);
        let mut names: Vec<&str> = assigned.iter().map(|&g| GLOBALS[g]).collect();
        if str_assigned {
            names.push("s");
        }
        if !names.is_empty() {
            let _ = writeln!(out, "    global {}", names.join(", "));
        }
        render_body(&mut out, &f.body, 4, &w, 0);
    }
    out.push_str("\n\n");
    for (t, &(f, arg)) in p.threads.iter().enumerate() {
        match arg {
            Some(v) => {
                let _ = writeln!(out, "t{} = threading.Thread(target=w{}, args=({v},))", t + 1, f + 1);
            }
            None => {
                let _ = writeln!(out, "t{} = threading.Thread(target=w{})", t + 1, f + 1);
            }
        }
    }
    for op in main_ops(p.shape, p.threads.len()) {
        match op {
            MainOp::Start(t) => {
                let _ = writeln!(out, "t{}.start()", t + 1);
            }
            MainOp::Join(t) => {
                let _ = writeln!(out, "t{}.join()", t + 1);
            }
            MainOp::Body => {
                for s in &p.main_body {
                    render_stmt(&mut out, s, 0, "main", 0);
                }
            }
        }
    }
    for t in &p.tail {
        match *t {
            Tail::Print { g } => {
                let _ = writeln!(out, "print({})", GLOBALS[g]);
            }
            Tail::PrintF { g, h } => {
                let (a, b) = (GLOBALS[g], GLOBALS[h]);
                let _ = writeln!(out, "print(f\"{a}={{{a}}} {b}={{{b}}}\")");
            }
            Tail::PrintStr => {
                let _ = writeln!(out, "print({})", if p.has_str { "s" } else { GLOBALS[0] });
            }
            Tail::AssertEq { g, c, serial: use_serial } => {
                let v = match serial {
                    Some(vals) if use_serial => vals[g],
                    _ => c as i128,
                };
                let _ = writeln!(out, "assert {} == {v}", GLOBALS[g]);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Python

/// `python3.11` from PATH, if it is there and runs (a pyenv shim for an absent version does not).
pub fn python311() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("python3.11")).find(|c| {
        c.is_file()
            && std::process::Command::new(c).arg("--version").output().map(|o| o.status.success()).unwrap_or(false)
    })
}

#[cfg(test)]
mod tests {
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
            let out =
                Command::new(&py).arg("-c").arg(harness).args(serial.iter().map(|&i| &files[i])).output().unwrap();
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
                let chunks: Vec<Vec<usize>> =
                    (0..8).map(|k| picked.iter().copied().skip(k).step_by(8).collect()).collect();
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
        use gilcheck::explore::Strategy as Search;
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
                let r = m.checker().strategy(Search::Stateful).check();
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
}
