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
//!
//! The parts: `structure.rs` (the representation), `strategy.rs` (the proptest strategies),
//! `normalise.rs` (lock order, names and the size budget), `estimate.rs` (the interleaving
//! estimate, from each statement's CPython 3.11 instructions), `deadlock.rs` (the "may deadlock"
//! flag), `serial.rs` (the serial run: the oracle for one known outcome, computed without
//! gilcheck), `render.rs` (the source text) and `tests.rs` (the generator's own tests).
#![allow(dead_code)]

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
mod deadlock;
mod estimate;
mod normalise;
mod render;
mod serial;
mod strategy;
mod structure;
#[cfg(test)]
mod tests;

use deadlock::*;
use estimate::*;
use normalise::*;
use render::*;
use serial::*;
use strategy::*;
use structure::*;

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
// Python

/// `python3.11` from PATH, if it is there and runs (a pyenv shim for an absent version does not).
pub fn python311() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("python3.11")).find(|c| {
        c.is_file()
            && std::process::Command::new(c).arg("--version").output().map(|o| o.status.success()).unwrap_or(false)
    })
}
