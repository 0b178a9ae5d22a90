//! Sound reductions: a depth-first search over *transactions* with persistent sets, which keeps
//! the states where runs can merge (the reduced graph is a function of the state, and acyclic).
//!
//! - **Transactions** (Lipton reduction; Flanagan–Qadeer): a thread runs from a scheduling point
//!   through steps classified as movers — acquiring a lock that is only taken by `with` is a
//!   right mover (R), its release a left mover (L), thread-local steps and accesses to globals
//!   that every other thread that can still run accesses only under a lock this thread holds are
//!   both-movers (B), everything else is a non-mover (N) — for as long as the steps match
//!   R*·N?·L* (B anywhere). At `por` a transaction is a single step.
//! - **Persistent sets** (Godefroid): at a state, if one thread's next transaction is
//!   independent of everything every other thread can still do (their *futures*, from the
//!   static facts, cut at a `join` on this thread), only that thread is scheduled.
//! - **Commutativity** (`full`): transactions that only add int constants to a global commute.
//! - **State caching**: a state reached again along another path is not explored again.
//!
//! The facts the reductions rest on are static ([`facts`]); the steps that rely on them are
//! monitored as they run (a step the facts say cannot raise does raise; a step touches a global
//! its thread's future does not mention), and a violated assumption drops the reduction.

mod futures;
mod notes;

use super::report::ReductionNote;
use super::search::Search;
use super::visited::OpenSet;
use super::Reduction;
use crate::bytecode::Instr;
use crate::engine::{is_preemption, run_status, Last, PyModel, Schedule, Status, System};
use crate::vm::{self, Event, Object, State, Tid, Value};
mod accel;
use crate::analysis::{bit, members, Facts, Slots};
use futures::{Fut, FutKey, KeyHasher};

/// Longest transaction (steps) before it is cut (cutting a transaction short is always sound).
const MAX_TX_STEPS: u64 = 1 << 24;

/// Why a reduced search gave up.
pub(crate) enum Abort {
    /// The program is outside what the analysis handles.
    Unsupported(String),
    /// A monitored assumption failed while running.
    Monitor(String),
    /// The reduction did not collapse the program (too many scheduling points kept several
    /// threads): a plain search will do better.
    Budget(String),
}

/// What a reduced search found beyond the search's own records.
pub(crate) struct Reduced {
    pub notes: Vec<ReductionNote>,
    /// The report's note on the visited set: its size and the chance of a fingerprint collision.
    pub visited: Option<String>,
}

/// The reduced search's visited set: the low 64 bits of each looked-up state's fingerprint.
type Visited = OpenSet<u64>;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mover {
    /// Acquiring a lock while holding another: a potential deadlock, so always a transaction
    /// boundary (the transaction ends before it).
    Y,
    R,
    L,
    B,
    N,
}

#[derive(Default, Clone, Copy)]
struct TxRecord {
    reads: Slots,
    writes: Slots,
    /// Globals whose every access in the transaction was one half of an accumulation.
    accum: Slots,
    plain: Slots,
    locks: Slots,
    output: bool,
    sync: bool,
    failed: bool,
    net_zero: bool,
    /// It ended with `time.sleep` (a switch after it is free).
    slept: bool,
    /// Threads whose liveness it read (`is_alive()`, `join()`): such a read does not commute with
    /// that thread's remaining steps, the last of which ends it.
    observed: u128,
}

/// A transaction as it stood at a switch point, to end it there after all.
struct Cut {
    state: State,
    steps: u64,
    rec: TxRecord,
    accum_ops: Vec<(u32, bool)>,
    protected: Slots,
    for_iters: u32,
    straight: bool,
}

struct Tx {
    tid: Tid,
    state: State,
    steps: u64,
    rec: TxRecord,
    /// The steps took one loop iteration's straight path: exactly one FOR_ITER that went on, no
    /// other branch, no call, nothing that can raise (a candidate for acceleration).
    straight: bool,
}

struct Reducer<'a> {
    model: &'a PyModel,
    facts: Facts,
    level: Reduction,
    search: &'a mut Search,
    schedule: Schedule,
    used_accum: Slots,
    used_protected: Slots,
    used_locks: Slots,
    singletons: u64,
    branchings: u64,
    monitor: Option<String>,
    thread_steps: Vec<u64>,
    futures: std::collections::HashMap<FutKey, Option<Fut>, std::hash::BuildHasherDefault<KeyHasher>>,
    /// The key being looked up (reused, so a hit allocates nothing).
    key: FutKey,
    /// Per thread slot: the thread and bound globals of its last future, and that future.
    last_future: Vec<Option<futures::LastFuture>>,
    /// The accumulation accesses of the transaction being run, `(global, is a store)` (reused).
    accum_ops: Vec<(u32, bool)>,
    /// Every thread's future at the state being expanded (reused).
    futures_buf: Vec<Option<(Fut, Option<Tid>)>>,
    /// The futures of the threads other than the one whose transaction runs (reused).
    others_buf: Vec<(Tid, Fut)>,
    max_branchings: u64,
    depth: usize,
    over_budget: bool,
    /// Fingerprints (64 bits) of the states reached: reaching one again would repeat the same
    /// subtree (the program is acyclic, so no cycle proviso is needed).
    visited: Visited,
    /// States reached again, whose subtree was not explored twice.
    revisits: u64,
    /// Bytes hashed to look up states where one thread ran alone.
    solo_hashed: u64,
    /// Loop iterations applied at once by solo-loop acceleration.
    accelerated: u64,
}

/// Bytes that looking up states where one thread runs alone may hash per step run, and in all
/// beyond that.
const SOLO_HASH_PER_STEP: u64 = 64;
const SOLO_HASH_FREE: u64 = 1 << 20;

/// Most nested branching points of the reduced search (each holds a state on the stack).
const MAX_DEPTH: usize = 50_000;

/// Runs the reduced search at `level` (not `None`).
pub(crate) fn run(
    model: &PyModel,
    search: &mut Search,
    level: Reduction,
    max_branchings: u64,
) -> Result<Reduced, Abort> {
    if model.program.daemons {
        return Err(Abort::Unsupported(
            "the program may start a daemon thread, which the interpreter's exit ends wherever it is".into(),
        ));
    }
    let facts = Facts::of(&model.program);
    if let Some(why) = facts.unsupported.clone() {
        return Err(Abort::Unsupported(why));
    }
    let mut r = Reducer {
        model,
        facts,
        level,
        search,
        schedule: Schedule::new(),
        used_accum: 0,
        used_protected: 0,
        used_locks: 0,
        singletons: 0,
        branchings: 0,
        monitor: None,
        thread_steps: Vec::new(),
        futures: Default::default(),
        key: Vec::new(),
        last_future: Vec::new(),
        accum_ops: Vec::new(),
        futures_buf: Vec::new(),
        others_buf: Vec::new(),
        max_branchings,
        depth: 0,
        over_budget: false,
        visited: Visited::default(),
        revisits: 0,
        solo_hashed: 0,
        accelerated: 0,
    };
    r.go(model.init(), None, 0, None);
    if let Some(m) = r.monitor.take() {
        return Err(Abort::Monitor(m));
    }
    if r.over_budget {
        return Err(Abort::Budget(format!(
            "the reduction kept several threads at more than {} scheduling points",
            crate::text::thousands(r.branchings.min(max_branchings))
        )));
    }
    r.search.stats.visited_bytes = r.visited.bytes() as u64;
    let visited = (r.visited.len() > 0).then(|| {
        super::parallel::visited_note(
            "the reduced search stored the states it looked up as 64-bit fingerprints",
            r.visited.bytes() as u64,
            r.visited.len() as u64,
        )
    });
    Ok(Reduced { notes: r.notes(), visited })
}

fn names(program: &crate::bytecode::Program, set: Slots) -> String {
    let v: Vec<&str> = (0..program.globals.len().min(128))
        .filter(|g| set & bit(*g as u32) != 0)
        .map(|g| program.globals[g].as_str())
        .collect();
    v.join(", ")
}

/// log10 of the multinomial coefficient (Σk)! / Π k! (Stirling with corrections).
fn log10_multinomial(parts: &[u64]) -> f64 {
    fn ln_fact(n: u64) -> f64 {
        if n < 2 {
            return 0.0;
        }
        if n < 64 {
            return (2..=n).map(|k| (k as f64).ln()).sum();
        }
        let x = n as f64;
        x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x)
    }
    let total: u64 = parts.iter().sum();
    (ln_fact(total) - parts.iter().map(|&k| ln_fact(k)).sum::<f64>()) / std::f64::consts::LN_10
}

impl Reducer<'_> {
    fn program(&self) -> &crate::bytecode::Program {
        &self.model.program
    }

    /// The locks `tid` holds, as a set of lock ids (the first 128).
    fn held_ids(state: &State, tid: Tid) -> u128 {
        let mut m = 0u128;
        for (i, l) in state.locks.iter().enumerate().take(128) {
            if l.holder == Some(tid) {
                m |= 1 << i;
            }
        }
        m
    }

    /// The structured lock slot whose current value is lock `id`.
    fn slot_of_lock(&self, state: &State, id: u32) -> Option<u32> {
        let locks = self.facts.structured_locks;
        (0..state.globals.len().min(128) as u32)
            .filter(|g| locks & bit(*g) != 0)
            .find(|g| state.globals[*g as usize] == Value::Lock(id))
    }

    /// Whether global `g` is accessed only under lock slot `l` by every thread in `others`.
    fn guarded(others: &[(Tid, Fut)], g: u32, l: u32) -> bool {
        others.iter().all(|(_, f)| f.1[g as usize] & bit(l) == 0)
    }

    /// Whether every critical section of lock slot `l` in `others`' futures consists of
    /// both-movers only (so each runs as one transaction that releases the lock again).
    fn clean(s_others: &[(Tid, Fut)], own: &[Slots], l: u32) -> bool {
        s_others.iter().all(|(_, f)| {
            if f.0.bad_under & bit(l) != 0 {
                return false;
            }
            let gs = f.2[l as usize];
            members(gs).all(|g| {
                own.get(g as usize).is_none_or(|o| o & bit(l) == 0)
                    && s_others.iter().all(|(_, w)| w.1[g as usize] & bit(l) == 0)
            })
        })
    }

    fn classify(&self, st: &State, t: Tid, others: &[(Tid, Fut)]) -> (Mover, Option<u32>) {
        let p = self.program();
        if crate::analysis::next_step_is_local(p, st, t, &self.model.sharing) {
            return (Mover::B, None);
        }
        if self.level == Reduction::Por {
            return (Mover::N, None);
        }
        let Some(frame) = st.threads[t].frames.last() else { return (Mover::N, None) };
        let stack = &frame.stack;
        match vm::next_instr(p, st, t) {
            Some(Instr::BeforeWith) if Self::held_ids(st, t) != 0 => (Mover::Y, None),
            Some(Instr::BeforeWith) => match stack.last() {
                Some(Value::Lock(id)) => match self.slot_of_lock(st, *id) {
                    Some(l) => (Mover::R, Some(l)),
                    None => (Mover::N, None),
                },
                _ => (Mover::N, None),
            },
            Some(Instr::Call(2)) | Some(Instr::WithExceptStart) => {
                let exit = stack.len().checked_sub(4).map(|i| &stack[i]);
                match exit {
                    Some(Value::Bound(vm::Builtin::LockExit, this)) => match **this {
                        Value::Lock(id) if st.locks[id as usize].holder == Some(t) => match self.slot_of_lock(st, id) {
                            Some(l) => (Mover::L, Some(l)),
                            None => (Mover::N, None),
                        },
                        _ => (Mover::N, None),
                    },
                    _ => (Mover::N, None),
                }
            }
            Some(
                Instr::LoadGlobal { slot: g, .. } | Instr::LoadName(g) | Instr::StoreGlobal(g) | Instr::StoreName(g),
            ) if (*g as usize) < 128 => {
                let g = *g;
                let held = Self::held_ids(st, t);
                for id in members(held) {
                    if let Some(l) = self.slot_of_lock(st, id) {
                        if Self::guarded(others, g, l) {
                            return (Mover::B, Some(g));
                        }
                    }
                }
                (Mover::N, None)
            }
            _ => (Mover::N, None),
        }
    }

    /// Runs `t`'s next transaction from `st` (a copy of the state it starts from).
    fn transaction(&mut self, mut st: State, t: Tid, others: &[(Tid, Fut)], own: Option<&Fut>) -> Option<Tx> {
        let model = self.model;
        let p = &*model.program;
        let start_held = Self::held_ids(&st, t);
        let own_future = own.map(|f| f.0.reads | f.0.writes);
        let mut rec = TxRecord::default();
        let mut accum_ops = std::mem::take(&mut self.accum_ops);
        accum_ops.clear();
        let mut post = false;
        let mut acquired = false;
        let mut steps = 0u64;
        let mut protected: Slots = 0;
        let mut for_iters = 0u32;
        let mut straight = true;
        // The transaction as it stood at the last switch point it passed (restricted models).
        let mut cut: Option<Cut> = None;
        let switch = self.model.switch;
        let restricted = switch != crate::vm::SwitchModel::Bytecode;
        loop {
            if !vm::runnable(p, &st, t) {
                break;
            }
            let (mover, obj) = self.classify(&st, t, others);
            // Under a CPython switch model a transaction ends only at a switch point: where the
            // thread holds the GIL on, no other thread can run, so the stretch is atomic by
            // definition (and the persistent-set check covers all of it). Past its non-mover it
            // ends at the first switch point: the movers before the non-mover move right up to
            // it, and everything after it up to there is one held stretch. (Moving steps left
            // across a switch point and then holding on could join two non-movers that the
            // model lets another thread separate.) It is also one loop iteration, for acceleration.
            let holding = st.hold == Some(t);
            // Nor does an acquire move right across a switch point under a CPython model: the
            // other thread's stretch it would move past may end in an acquire of the same lock
            // that it reaches holding the GIL (blocked in the run, granted once reordered).
            // Broken by: a `for` loop's back-edge inside `with lock:` while main writes the
            // guarded global unlocked right before its own `with lock:` (tests/it/reductions.rs
            // `acquire_does_not_move_across_a_switch_point`).
            if steps > 0
                && !holding
                && (self.level == Reduction::Por
                    || mover == Mover::Y
                    || (restricted && acquired)
                    || (post && (restricted || matches!(mover, Mover::R | Mover::N))))
            {
                break;
            }
            if restricted && steps > 0 {
                if !holding {
                    cut = Some(Cut {
                        state: st.clone(),
                        steps,
                        rec,
                        accum_ops: accum_ops.clone(),
                        protected,
                        for_iters,
                        straight,
                    });
                } else if mover == Mover::Y {
                    // An acquire while holding a lock, which the thread reaches holding the GIL:
                    // the transaction cannot end right before it, so it ends at the last switch
                    // point it passed (a right mover moved across a switch point must not be
                    // joined to a potential deadlock). With none, the whole stretch is held.
                    if let Some(c) = cut.take() {
                        st = c.state;
                        steps = c.steps;
                        rec = c.rec;
                        accum_ops = c.accum_ops;
                        protected = c.protected;
                        for_iters = c.for_iters;
                        straight = c.straight;
                        break;
                    }
                }
            }
            let (code, pc, binds) = {
                let f = st.threads[t].frames.last().expect("[internal bug] runnable thread without a frame");
                (f.code, f.pc, f.role == vm::FrameRole::Bind)
            };
            let mut fact = self.facts.codes[code as usize].instrs.get(pc as usize).copied().unwrap_or_default();
            // Unpacking `args=` / `kwargs=` in the new thread may raise (a wrong count, say).
            fact.may_fail |= binds;
            let ins = &p.code(code).instrs[pc as usize];
            straight &= !fact.may_fail && fact.calls.is_none() && ins.jump_target().is_none()
                || matches!(ins, Instr::JumpBackward(_) | Instr::JumpForward(_) | Instr::ForIter(_));
            let depth = st.threads[t].frames.len();
            let info = vm::step_in_place(p, switch, &mut st, t);
            // Python code runs only where the analysis saw a call of a known function (its
            // future is part of this thread's); any other frame (code a builtin ran) drops the
            // reduction.
            if st.threads[t].frames.len() > depth
                && st.threads[t].frames.last().map(|f| f.code) != fact.calls
                && self.monitor.is_none()
            {
                self.monitor = Some(format!(
                    "{} entered code at line {} that the analysis did not see called",
                    super::thread_name(t),
                    p.code(code).locs.get(pc as usize).map_or(0, |l| l.line)
                ));
            }
            if let Instr::ForIter(_) = ins {
                for_iters += 1;
                // Exhausted: it jumped out of the loop.
                straight &= st.threads[t].frames.last().is_some_and(|f| f.pc == pc + 1);
            }
            straight &= st.threads[t].frames.len() == depth;
            steps += 1;
            if self.search.tick() {
                break;
            }
            for a in info.footprint.iter() {
                match a.object() {
                    Object::Global(g) if g < 128 => {
                        if own_future.is_some_and(|f| f & bit(g) == 0) {
                            self.monitor = Some(format!(
                                "{} touched {} at line {}, which the analysis of its future did not predict",
                                super::thread_name(t),
                                p.globals[g as usize],
                                p.code(code).locs.get(pc as usize).map_or(0, |l| l.line)
                            ));
                        }
                        if a.is_write() {
                            rec.writes |= bit(g);
                        } else {
                            rec.reads |= bit(g);
                        }
                        if fact.accum {
                            accum_ops.push((g, a.is_write()));
                        } else {
                            rec.plain |= bit(g);
                        }
                    }
                    Object::Global(_) => rec.sync = true,
                    Object::Lock(id) => {
                        match self.slot_of_lock(&st, id).filter(|_| mover != Mover::N || self.level == Reduction::Por) {
                            Some(l) if self.facts.structured_locks & bit(l) != 0 => rec.locks |= bit(l),
                            _ => rec.sync = true,
                        }
                    }
                    Object::Output => rec.output = true,
                    Object::Thread(u) if !a.is_write() => {
                        rec.sync = true;
                        rec.observed |= if u < 128 { 1u128 << u } else { u128::MAX };
                    }
                    Object::Thread(_) | Object::Alloc | Object::Sync(_) | Object::Heap(_) => rec.sync = true,
                }
            }
            if mover == Mover::B {
                if let Some(g) = obj {
                    protected |= bit(g);
                }
            }
            match &info.event {
                Event::Raise(_) => {
                    if !fact.may_fail {
                        self.monitor = Some(format!(
                            "{} raised at line {}, where the analysis said it cannot",
                            super::thread_name(t),
                            p.code(code).locs.get(pc as usize).map_or(0, |l| l.line)
                        ));
                    }
                    rec.failed = true;
                    break;
                }
                Event::Exit
                | Event::Deleted
                | Event::Start(_)
                | Event::Join(_)
                | Event::Sleep
                | Event::TimedWait
                | Event::TimedOut
                | Event::AcquireFailed(_) => {
                    rec.sync = true;
                    rec.slept = info.event.releases_gil();
                    break;
                }
                _ => {}
            }
            if self.monitor.is_some() {
                break;
            }
            if matches!(mover, Mover::N | Mover::L | Mover::Y) {
                post = true;
            }
            acquired |= mover == Mover::R;
            if steps >= MAX_TX_STEPS && st.hold != Some(t) {
                break;
            }
        }
        if steps == 0 {
            self.accum_ops = accum_ops;
            return None;
        }
        // Accumulations complete within the transaction: every load matched by its store.
        let mut touched: Slots = 0;
        for &(g, _) in &accum_ops {
            touched |= bit(g);
        }
        for g in members(touched) {
            let mut expect_store = false;
            let mut ok = true;
            for &(_, w) in accum_ops.iter().filter(|(x, _)| *x == g) {
                ok &= w == expect_store;
                expect_store = !expect_store;
            }
            if ok && !expect_store && rec.plain & bit(g) == 0 {
                rec.accum |= bit(g);
            }
        }
        self.accum_ops = accum_ops;
        rec.net_zero = Self::held_ids(&st, t) == start_held;
        self.used_protected |= protected;
        Some(Tx { tid: t, state: st, steps, rec, straight: straight && for_iters == 1 })
    }

    /// Whether `tx` (of thread `tx.tid`, from `s`) commutes with everything the other threads
    /// can still do without `tx.tid` moving.
    fn independent(&mut self, tx: &Tx, others: &[(Tid, Fut)], own: Option<&Fut>) -> bool {
        let r = &tx.rec;
        if r.failed || self.monitor.is_some() {
            return false;
        }
        let own: &[Slots] = own.map_or(&[], |f| &f.1);
        let mut accum_used: Slots = 0;
        for (u, f) in others {
            let fut = &f.0;
            // Reading whether `u` is alive does not commute with `u` ending, and every thread
            // with a future can still end. Broken by: `t.is_alive()` while `t` runs
            // (tests/it/reductions.rs `is_alive_races_with_the_thread_ending`).
            if *u < 128 && r.observed & (1u128 << u) != 0 || *u >= 128 && r.observed != 0 {
                return false;
            }
            if fut.may_fail || (r.sync && fut.sync) || (r.output && fut.output) {
                return false;
            }
            let mine = r.reads | r.writes;
            let theirs = fut.reads | fut.writes;
            let shared = mine & theirs;
            let written = (r.writes | fut.writes) & shared;
            if written != 0 {
                let commuting =
                    self.level == Reduction::Full && written & !(r.accum & !fut.plain & self.facts.int_globals) == 0;
                if !commuting {
                    return false;
                }
                accum_used |= written;
            }
            if r.locks & fut.lock_uses != 0 {
                if !r.net_zero || self.level == Reduction::Por {
                    return false;
                }
                for l in members(r.locks & fut.lock_uses) {
                    if !Self::clean(others, own, l) {
                        return false;
                    }
                }
            }
        }
        self.used_accum |= accum_used;
        self.used_locks |= r.locks;
        true
    }

    fn go(&mut self, s: State, prev: Option<Last>, used: u32, fp: Option<u128>) {
        let mark = self.schedule.len();
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.over_budget = true;
        } else {
            self.walk(s, prev, used, fp);
        }
        self.depth -= 1;
        let extra = self.schedule.len() - mark;
        self.schedule.truncate_steps(extra);
    }

    /// Follows the reduced graph from `s` (whose fingerprint is `known`, when it was taken
    /// already): alternatives recursively, the last one in place.
    fn walk(&mut self, mut s: State, mut prev: Option<Last>, mut used: u32, mut known: Option<u128>) {
        // Whether `s` is the first state or one that a branching point led to.
        let mut branched = true;
        let mut runnable = Vec::new();
        loop {
            if self.search.should_stop() || self.monitor.is_some() || self.over_budget {
                return;
            }
            self.model.runnable(&s, &mut runnable);
            // A transaction may end in a thread's failure: that ends the run like a raise.
            let status = run_status(self.model, &s, &runnable, s.failed_thread().is_some());
            if status != Status::Running {
                let model = self.model;
                self.search.finish_execution(status, &self.schedule, used, || model.project(&s));
                return;
            }
            // The reduced graph is a function of the state alone (which transactions run, and
            // which are independent, depend on nothing else) and has no cycles (only `for`
            // loops): a state reached again roots the subtree already explored. Any subset of the
            // states may be looked up. A state with several threads, or one that a branch led
            // to, is; so is one where a thread runs alone, while the bytes hashed for those stay
            // in proportion to the steps run (a thread that grows a list a million times alone
            // would make fingerprinting at each step quadratic).
            let solo = runnable.len() == 1 && !branched;
            let lookup =
                !solo || self.solo_hashed <= SOLO_HASH_PER_STEP * self.search.stats.transitions + SOLO_HASH_FREE;
            let given = known.take();
            let fp = lookup.then(|| {
                if let Some(fp) = given {
                    return fp;
                }
                let before = vm::hashed_bytes();
                let fp = s.fingerprint();
                if solo {
                    self.solo_hashed += vm::hashed_bytes() - before;
                }
                fp
            });
            // The visited set is larger than the caches: its slot is fetched while the threads'
            // futures are worked out (needed unless the state is a revisit).
            if let Some(fp) = fp {
                self.visited.prefetch(fp as u64);
            }
            // Buffers reused from state to state (a return below only drops them).
            let mut futures = std::mem::take(&mut self.futures_buf);
            let mut others = std::mem::take(&mut self.others_buf);
            self.futures_at(&s, &mut futures);
            if let Some(fp) = fp {
                if !self.search.can_grow(self.visited.len(), self.visited.capacity(), Visited::SLOT_BYTES) {
                    return;
                }
                if !self.visited.insert(fp as u64) {
                    self.revisits += 1;
                    self.futures_buf = futures;
                    self.others_buf = others;
                    return;
                }
            }
            let mut txs: Vec<(Tx, u128)> = Vec::new();
            let mut single = None;
            for &t in &runnable {
                Self::others(&futures, t, &mut others);
                let own = futures[t].as_ref().map(|(f, _)| f.clone());
                let start = if runnable.len() == 1 {
                    // Only `t` can run, so its transaction is taken whatever it does: it runs on
                    // the state itself, whose heap objects it then writes without copying them
                    // (a list a thread grows alone is not copied at every append). `s` keeps
                    // all but the heap, which is all acceleration compares (a transaction that
                    // touched the heap is never accelerated).
                    let heapless = State { heap: Default::default(), ..s.clone() };
                    std::mem::replace(&mut s, heapless)
                } else {
                    s.clone()
                };
                let Some(tx) = self.transaction(start, t, &others, own.as_ref()) else {
                    if runnable.len() == 1 {
                        return;
                    }
                    continue;
                };
                if self.monitor.is_some() {
                    return;
                }
                if runnable.len() == 1 || self.independent(&tx, &others, own.as_ref()) {
                    single = Some(tx);
                    break;
                }
                // A branch: its state will be looked up, so its slot is fetched meanwhile.
                let fp = tx.state.fingerprint();
                self.visited.prefetch(fp as u64);
                txs.push((tx, fp));
            }
            self.futures_buf = futures;
            self.others_buf = others;
            if let Some(tx) = single.as_ref() {
                if self.level == Reduction::Full {
                    if let Some((next, k)) = self.accelerate(&s, tx) {
                        let (t, steps) = (tx.tid, tx.steps);
                        let total = steps * (k + 1);
                        self.schedule.push_run(t, total);
                        self.singletons += k + 1;
                        self.accelerated += k;
                        self.search.stats.states += k;
                        self.search.count_states(1);
                        if self.thread_steps.len() < next.threads.len() {
                            self.thread_steps.resize(next.threads.len(), 0);
                        }
                        if self.branchings == 0 {
                            self.thread_steps[t] += total;
                        }
                        used += u32::from(is_preemption(prev, t, &runnable));
                        prev = Some(Last { tid: t, free: false });
                        s = next;
                        branched = false;
                        continue;
                    }
                }
            }
            branched = single.is_none();
            // The alternatives explored recursively, and the one followed in place.
            let (chosen, last) = match single {
                Some(tx) => {
                    self.singletons += 1;
                    (Vec::new(), (tx, None))
                }
                None => {
                    self.branchings += 1;
                    if self.branchings > self.max_branchings {
                        self.over_budget = true;
                        return;
                    }
                    let Some((last, fp)) = txs.pop() else { return };
                    (txs, (last, Some(fp)))
                }
            };
            let cost = |u: Tid| u32::from(is_preemption(prev, u, &runnable));
            for (tx, fp) in chosen {
                let steps = tx.steps;
                self.schedule.push_run(tx.tid, steps);
                let after = Some(Last { tid: tx.tid, free: tx.rec.slept });
                self.go(tx.state, after, used + cost(tx.tid), Some(fp));
                self.schedule.truncate_steps(steps);
                if self.search.should_stop() || self.monitor.is_some() || self.over_budget {
                    return;
                }
            }
            let (last, last_fp) = last;
            if let Some(fp) = last_fp {
                self.visited.prefetch(fp as u64);
            }
            known = last_fp;
            if self.thread_steps.len() < s.threads.len().max(last.state.threads.len()) {
                self.thread_steps.resize(last.state.threads.len(), 0);
            }
            if self.branchings == 0 {
                self.thread_steps[last.tid] += last.steps;
            }
            self.schedule.push_run(last.tid, last.steps);
            self.search.count_states(1);
            used += cost(last.tid);
            prev = Some(Last { tid: last.tid, free: last.rec.slept });
            s = last.state;
        }
    }
}
