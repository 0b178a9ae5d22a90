//! Static facts the reductions rest on, computed once per program by abstract interpretation of
//! every code object: which globals always hold a lock, an int or a function; which locks are
//! only ever taken by `with` (so the releaser is always the owner); the locks held at every
//! instruction (a must-lockset); which instructions can raise; which global updates are
//! accumulations `g += c`; and, for every instruction, a summary of everything the code can
//! still do from there (its *future*), callees included.
//!
//! # The facts, what would break each, and what shows it does not
//!
//! Each static fact quantifies over executions the reduced search does not explore, so each one
//! is listed with the constructs of the subset that could falsify it and the test that holds the
//! reduced search to plain search on such a program (REDUCTIONS.md §1, S1–S5). Every test named
//! `variant_*`, `mixed_lock_forms_*` or `is_alive_*` is in `tests/it/reductions.rs` and runs under
//! every level; the random-program properties there run under every switch model.
//!
//! | fact | broken by | shown by |
//! |---|---|---|
//! | `Facts::unsupported`: the analysis covers the program (≤ 128 globals, no classes, closures or `collections`, only `for` loops, no RLock/Semaphore/Event/Condition/Barrier/queue, no `try`, no call it cannot see, no recursion) | any of those constructs | `beyond_heap`, `unsupported_construct`, `ctx.unknown`; the random programs with classes, `try` and the synchronisation objects fall back to plain search |
//! | `Facts::heap`: in a program with lists and dicts, every instruction that may touch a heap object is a synchronising step of the future (`absint::touches_heap`, the heap instructions, calls of builtins and methods, `print` of a value it cannot type); a builtin runs no Python code | a heap read through an instruction not listed; a builtin handed a function (refused), code a builtin runs (monitored: a frame no analysed call leads to drops the reduction) | `tests/it/thread_lists.rs`; the random programs with lists and dicts (`tiny_rich`, `subset_gen`) now run reduced |
//! | lock slot: a global stored once, at module level outside loops, by `threading.Lock()` (checked again at run time: the stack holds `Value::Lock` equal to the slot's value) | `with threading.Lock():` (a fresh lock), rebinding the name, a lock made in a loop | `variant_b_fresh_lock`, `variant_c_rebound_lock` |
//! | `structured_locks`: a lock slot loaded only to be entered by `with`, so its owner always releases it (acquire is a right mover, release a left mover) | `acquire()`/`release()` anywhere, `locked()`, passing the lock to a function or a thread, storing it elsewhere | `variant_d_cross_release`, `mixed_lock_forms_with_and_acquire_release_on_one_lock`, `mixed_lock_forms_locked_probe_of_a_with_lock` |
//! | `InstrFact::with_lock` of a lock that is not structured: the `with` is a synchronising step of its thread's future | the same lock taken by `with` in one thread and by `acquire()` or probed by `locked()` in another | the two `mixed_lock_forms_*` tests; `tests::a_lock_used_otherwise_than_by_with_is_not_structured_and_its_with_synchronises` |
//! | `InstrFact::held` (must-lockset): locks certainly held, by `with` only (explicit acquires are not tracked, and their locks are not structured) | a lock released inside the block by another path; an acquire the analysis misses | the lockset is intersected at joins and cleared by the `__exit__` call or the handler; `variant_a_read_outside_lock`, `variant_f_missing_join` |
//! | `int_globals`: every store of the global stores an int constant or completes an accumulation, in straight-line code | `g = "a"`, `g = g + 0.5`, `g = s if c else 0` (a store that a jump reaches) | `variant_g_str_accumulator`; `tests::int_fact_needs_straight_line_stores`; a wrong type would also raise where the analysis says it cannot (monitored) |
//! | `InstrFact::accum`: the four straight-line instructions `LOAD g; LOAD_CONST int; BINARY_OP ±; STORE g` | `x = 2 * x + 1` in one thread, `x += 1` in another; `x += y` | `variant_h_mixed_affine_update` |
//! | `InstrFact::may_fail`: the instruction cannot raise (checked at run time: a raise where it says it cannot drops the reduction) | unbound locals and globals, non-int operands, `//` and `%` by zero, wrong argument counts, an int past 4,300 digits printed or formatted (`ValueError`; `print` and `FORMAT_VALUE` are said not to fail and rely on the monitor) | the monitor in `Reducer::transaction`; `variant_e_assert_in_critical_section` |
//! | `Summary` (a future): everything a thread can still do, callees included (checked at run time: a global the future did not predict drops the reduction) | recursion (refused), calls through values the analysis cannot see (refused), thread liveness: `is_alive()` and `join()` read whether a thread has ended, which every thread with a future can still do | `is_alive_races_with_the_thread_ending` (the reduced search treats a read of a thread's liveness as dependent on that thread's future) |
//! | `vm::Sharing` (invisible global accesses): main's accesses to a global no function names; reads of a global no function stores and main no longer stores | a function that stores or deletes it (`global g; g = …`, `del g`), main storing it later | `tests/it/reductions.rs` random programs; `vm/sharing.rs` counts `del` as a store |

use crate::bytecode::{BinOp, CodeId, Const, Instr, Program};

/// A set of global slots (the reductions apply only to programs with at most 128 globals).
pub(crate) type Slots = u128;

pub(crate) fn bit(g: u32) -> Slots {
    1u128 << g
}

/// The members of `set`, lowest first (visits only the set bits).
pub(crate) fn members(set: Slots) -> impl Iterator<Item = u32> {
    let mut rest = set;
    std::iter::from_fn(move || {
        (rest != 0).then(|| {
            let g = rest.trailing_zeros();
            rest &= rest - 1;
            g
        })
    })
}

/// What an abstract stack slot is known to hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Av {
    Other,
    Null,
    Int,
    /// The lock bound to this (stable) global slot.
    Lock(u32),
    /// The `__exit__` of the lock in this slot, pushed by BEFORE_WITH.
    Exit(u32),
    Func(CodeId),
    Module,
    Builtin(Known),
    /// The result of `range(...)`.
    RangeObj,
    RangeIter,
    /// The `__annotations__` of the module: stores into it are dropped by the VM.
    Annotations,
}

/// Callables whose behaviour is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Known {
    Print,
    Range,
    /// `threading.Thread`, `threading.Lock`, `time.sleep`, or a thread / lock method.
    Sync,
    /// `AssertionError` (called to make the exception an `assert` raises).
    AssertionError,
    /// A builtin function, or a method of a value that is no lock, thread or module, in a program
    /// with heap objects: a C function that runs no Python code (key functions, classes and
    /// defaultdict factories are outside the analysis) and may read or write heap objects.
    Heap,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct AbsState {
    pub(super) stack: Vec<Av>,
    pub(super) held: Slots,
    pub(super) assigned: u64,
}

impl AbsState {
    fn join(&mut self, other: &AbsState) -> bool {
        let mut changed = false;
        let n = self.stack.len().min(other.stack.len());
        if self.stack.len() != n {
            self.stack.truncate(n);
            changed = true;
        }
        for (a, b) in self.stack.iter_mut().zip(&other.stack) {
            if a != b && *a != Av::Other {
                *a = Av::Other;
                changed = true;
            }
        }
        let held = self.held & other.held;
        let assigned = self.assigned & other.assigned;
        changed |= held != self.held || assigned != self.assigned;
        self.held = held;
        self.assigned = assigned;
        changed
    }
}

/// What one instruction can do, as far as the reductions care.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct InstrFact {
    /// It may raise an exception.
    pub may_fail: bool,
    /// The global it reads, if any.
    pub reads: Option<u32>,
    /// The global it writes, if any.
    pub writes: Option<u32>,
    /// It is the load or the store of an accumulation `g = g ± int constant`.
    pub accum: bool,
    /// Locks (by slot) certainly held when it runs.
    pub held: Slots,
    /// It prints.
    pub output: bool,
    /// It touches threads, creates locks, sleeps, or calls something not analysed.
    pub sync: bool,
    /// It calls this function.
    pub calls: Option<CodeId>,
    /// It acquires a lock while others are held (a nested acquisition: a potential deadlock).
    pub nested_acquire: bool,
    /// The lock slot it enters (`with`'s BEFORE_WITH) or leaves (the `__exit__` call), if any.
    /// A lock that is not structured (it is also used otherwise, e.g. `acquire()`, `locked()`)
    /// makes this a synchronising step of the future: it conflicts with every other lock use.
    pub with_lock: Option<u32>,
}

/// Everything a code object can still do from one instruction on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Summary {
    pub reads: Slots,
    pub writes: Slots,
    /// Globals with some access that is not part of an accumulation.
    pub plain: Slots,
    /// Globals with some access made without holding the lock in slot `l`, for each `l`: kept as
    /// the union over accesses of (all locks) minus (held locks), i.e. a set of lock slots that
    /// fail to protect some access. A lock `l` protects `g` when `unguarded[g]` lacks `l`.
    pub lock_uses: Slots,
    pub may_fail: bool,
    pub output: bool,
    pub sync: bool,
    /// Locks held at some future instruction that prints, synchronises or may raise (a
    /// critical section of such a lock may not run as one transaction).
    pub bad_under: Slots,
}

impl Summary {
    /// Adds everything `o` can do.
    pub(crate) fn add(&mut self, o: &Summary) {
        self.bad_under |= o.bad_under;
        self.reads |= o.reads;
        self.writes |= o.writes;
        self.plain |= o.plain;
        self.lock_uses |= o.lock_uses;
        self.may_fail |= o.may_fail;
        self.output |= o.output;
        self.sync |= o.sync;
    }
}

/// The facts about one code object.
#[derive(Clone, Debug, Default)]
pub(crate) struct CodeFacts {
    pub instrs: Vec<InstrFact>,
    /// Per instruction: the future from there (this code and its callees).
    pub future: Vec<Summary>,
    /// Per instruction and global: the locks that fail to guard some future access of it
    /// (a lock slot bit set here means "some access of g from here is made without it").
    pub unguarded: Vec<Vec<Slots>>,
    /// Per instruction and lock slot: the globals some future instruction accesses while
    /// holding that lock.
    pub under: Vec<Vec<Slots>>,
}

/// The facts about a whole program, or why reductions do not apply to it.
#[derive(Clone, Debug)]
pub(crate) struct Facts {
    pub codes: Vec<CodeFacts>,
    /// Globals that always hold the same lock once bound (stored once, by `threading.Lock()`),
    /// taken only by `with` and never used otherwise: the owner always releases them.
    /// Broken by: any other use of the lock (see the table in the module docs).
    pub structured_locks: Slots,
    /// Globals that always hold an int once bound.
    /// Broken by: a store of anything else, or a store a jump reaches (module docs).
    pub int_globals: Slots,
    /// Why the reductions cannot be applied, if they cannot.
    pub unsupported: Option<String>,
    /// The program's first use of heap objects, if it has any: then every step that may touch
    /// one is a synchronising step of its thread's future (`absint::touches_heap`), and the
    /// search sees each such step's heap accesses as synchronising too.
    /// Broken by: a heap access the analysis does not mark (a value it thinks is no heap
    /// object); Python code run by a builtin (refused: classes, closures, `collections`, key
    /// functions; monitored: a frame the instruction's fact did not predict).
    pub heap: Option<String>,
}

fn stores(program: &Program) -> Vec<Vec<(CodeId, usize)>> {
    let mut out = vec![Vec::new(); program.globals.len()];
    for (c, code) in program.codes.iter().enumerate() {
        for (i, ins) in code.instrs.iter().enumerate() {
            // A `del` counts as a store: it matches neither the lock nor the int pattern.
            if let Instr::StoreName(g) | Instr::StoreGlobal(g) | Instr::DeleteName(g) | Instr::DeleteGlobal(g) = ins {
                out[*g as usize].push((c as CodeId, i));
            }
        }
    }
    out
}

fn is_int_const(code: &crate::bytecode::CodeObject, i: u32) -> bool {
    matches!(code.consts.get(i as usize), Some(Const::Int(_) | Const::BigInt(_) | Const::Bool(_)))
}

/// Whether some jump or exception handler of `code` lands on instruction `i`.
fn is_jump_target(code: &crate::bytecode::CodeObject, i: usize) -> bool {
    code.instrs.iter().any(|ins| ins.jump_target() == Some(i as u32))
        || code.exception_table.iter().any(|e| e.target as usize == i)
}

/// Whether instructions `i..i+4` of `code` are `LOAD g; LOAD_CONST int; BINARY_OP ±; STORE g`,
/// straight-line code that no jump enters after its first instruction.
/// Broken by: `x = 2 * x + 1`, `x += y` (models/variants/h_mixed_affine_update.py).
fn accumulation_at(code: &crate::bytecode::CodeObject, i: usize) -> Option<u32> {
    let w = code.instrs.get(i..i + 4)?;
    let g = match w[0] {
        Instr::LoadGlobal { slot, push_null: false } | Instr::LoadName(slot) => slot,
        _ => return None,
    };
    let ok = matches!(w[1], Instr::LoadConst(c) if is_int_const(code, c))
        && matches!(w[2], Instr::BinaryOp { op: BinOp::Add | BinOp::Sub, .. })
        && matches!(w[3], Instr::StoreGlobal(s) | Instr::StoreName(s) if s == g)
        && (i + 1..i + 4).all(|j| !is_jump_target(code, j));
    ok.then_some(g)
}

/// The `module.NAME` that the module-level store at `i` binds by `from module import NAME`
/// (`IMPORT_NAME module; (IMPORT_FROM; STORE)*; IMPORT_FROM NAME; STORE`).
fn imported_at(module: &crate::bytecode::CodeObject, i: usize) -> Option<(&str, &str)> {
    let Instr::ImportFrom(n) = *module.instrs.get(i.checked_sub(1)?)? else { return None };
    let mut j = i - 1;
    while j > 0 && matches!(module.instrs[j - 1], Instr::ImportFrom(_) | Instr::StoreName(_) | Instr::StoreGlobal(_)) {
        j -= 1;
    }
    let Instr::ImportName(m) = *module.instrs.get(j.checked_sub(1)?)? else { return None };
    Some((module.names.get(m as usize)?.as_str(), module.names.get(n as usize)?.as_str()))
}

fn slot_facts(program: &Program) -> (Slots, Slots, Vec<Option<CodeId>>, Vec<Option<Av>>) {
    let stores = stores(program);
    let module = program.module();
    let in_loop = |i: usize| {
        module
            .instrs
            .iter()
            .enumerate()
            .any(|(j, ins)| ins.is_back_edge() && ins.jump_target().is_some_and(|t| (t as usize) <= i && i < j))
    };
    let mut locks: Slots = 0;
    let mut ints: Slots = 0;
    let mut funcs = vec![None; program.globals.len()];
    // Globals bound once to a module (`import threading`) or to `threading.Thread`,
    // `threading.Lock` or `time.sleep` (`from threading import Lock`).
    let mut modules = vec![None; program.globals.len()];
    let imported: Vec<Option<(&str, &str)>> = stores
        .iter()
        .map(|st| match st.as_slice() {
            [(0, i)] => imported_at(module, *i),
            _ => None,
        })
        .collect();
    for (g, st) in stores.iter().enumerate() {
        if g >= 128 {
            break;
        }
        // A lock global: stored once, at module level outside loops, by `threading.Lock()`.
        if let [(0, i)] = st.as_slice() {
            let i = *i;
            if i >= 5 && !in_loop(i) {
                let w = &module.instrs[i - 5..i];
                let ctor = matches!(w[0], Instr::PushNull)
                    && matches!(w[2], Instr::LoadAttr(n) if module.names.get(n as usize).is_some_and(|s| s == "Lock"))
                    && matches!(w[3], Instr::Precall(0))
                    && matches!(w[4], Instr::Call(0));
                // `Lock()` after `from threading import Lock`.
                let bare = matches!(w[1], Instr::PushNull)
                    && matches!(w[2], Instr::LoadName(h) if imported.get(h as usize) == Some(&Some(("threading", "Lock"))))
                    && matches!(w[3], Instr::Precall(0))
                    && matches!(w[4], Instr::Call(0));
                if ctor || bare {
                    locks |= bit(g as u32);
                }
            }
            if i >= 2 && !in_loop(i) {
                // MAKE_FUNCTION 0, or with flags 1 (a constant defaults tuple) and 4 (an
                // annotations tuple), which the VM drops.
                if let (Instr::LoadConst(c), Instr::MakeFunction(0 | 1 | 4 | 5)) =
                    (&module.instrs[i - 2], &module.instrs[i - 1])
                {
                    if let Some(Const::Code(id)) = module.consts.get(*c as usize) {
                        funcs[g] = Some(*id);
                    }
                }
            }
            if i >= 1 && matches!(module.instrs[i - 1], Instr::ImportName(_)) {
                modules[g] = Some(Av::Module);
            }
            if matches!(imported[g], Some(("threading", "Thread" | "Lock") | ("time", "sleep"))) {
                modules[g] = Some(Av::Builtin(Known::Sync));
            }
        }
        // An int global: every store stores an int constant or completes an accumulation, and
        // the store is reached only from the instruction before it (a store that a jump reaches,
        // as in `g = s if c else 0`, may store what the other branch left on the stack).
        // Broken by: `g = "a"`, `g = g + 0.5`, `g = s if c else 0` (models/variants/
        // g_str_accumulator.py; tests/it/reductions.rs `int_fact_needs_straight_line_stores`).
        let all_int = !st.is_empty()
            && st.iter().all(|&(c, i)| {
                let code = program.code(c);
                let straight = |from: usize| (from + 1..=i).all(|j| !is_jump_target(code, j));
                (i >= 1
                    && matches!(code.instrs[i - 1], Instr::LoadConst(k) if is_int_const(code, k))
                    && straight(i - 1))
                    || (i >= 3 && accumulation_at(code, i - 3) == Some(g as u32))
            });
        if all_int {
            ints |= bit(g as u32);
        }
    }
    (locks, ints, funcs, modules)
}

pub(super) struct Ctx<'a> {
    pub(super) program: &'a Program,
    locks: Slots,
    ints: Slots,
    funcs: &'a [Option<CodeId>],
    /// What each global is bound to once and for all: a module, or a `threading` / `time`
    /// callable imported by name.
    modules: &'a [Option<Av>],
    /// Lock slots used other than by `with` (they escape, or are acquired explicitly).
    pub(super) escaped: Slots,
    pub(super) unknown: Option<String>,
    /// The program uses heap objects: values the analysis cannot type (`Av::Other`) may be
    /// heap objects, and builtins and methods of such values are known, synchronising calls.
    pub(super) heap: bool,
}

impl Ctx<'_> {
    pub(super) fn load(&self, g: u32) -> Av {
        let gi = g as usize;
        if gi < 128 && self.locks & bit(g) != 0 {
            return Av::Lock(g);
        }
        if let Some(c) = self.funcs[gi] {
            return Av::Func(c);
        }
        if let Some(v) = self.modules[gi] {
            return v;
        }
        if gi < 128 && self.ints & bit(g) != 0 {
            return Av::Int;
        }
        let never_stored = !self
            .program
            .codes
            .iter()
            .any(|c| c.instrs.iter().any(|i| matches!(i, Instr::StoreName(s) | Instr::StoreGlobal(s) if *s == g)));
        match self.program.globals[gi].as_str() {
            // Only SETUP_ANNOTATIONS binds it: the subset refuses the name in programs.
            "__annotations__" => Av::Annotations,
            "print" if never_stored => Av::Builtin(Known::Print),
            "range" if never_stored => Av::Builtin(Known::Range),
            name if never_stored && self.heap && crate::vm::Builtin::from_builtin_name(name).is_some() => {
                Av::Builtin(Known::Heap)
            }
            _ => Av::Other,
        }
    }
}

fn successors(code: &crate::bytecode::CodeObject, i: usize) -> Vec<usize> {
    let ins = &code.instrs[i];
    let mut out = Vec::with_capacity(2);
    if !matches!(
        ins,
        Instr::JumpForward(_)
            | Instr::JumpBackward(_)
            | Instr::ReturnValue
            | Instr::RaiseVarargs(_)
            | Instr::Reraise(_)
    ) {
        out.push(i + 1);
    }
    if let Some(t) = ins.jump_target() {
        out.push(t as usize);
    }
    out
}

/// Abstract interpretation of one code object: per-instruction facts.
fn analyse_code(ctx: &mut Ctx<'_>, id: CodeId) -> Vec<InstrFact> {
    use super::absint::step;
    let code = ctx.program.code(id);
    let n = code.instrs.len();
    let params: u64 = if code.argcount >= 64 { u64::MAX } else { (1u64 << code.argcount) - 1 };
    let mut ins: Vec<Option<AbsState>> = vec![None; n + 1];
    ins[0] = Some(AbsState { stack: Vec::new(), held: 0, assigned: params });
    let mut work = vec![0usize];
    let mut facts = vec![InstrFact::default(); n];
    while let Some(i) = work.pop() {
        if i >= n {
            continue;
        }
        let Some(before) = ins[i].clone() else { continue };
        let (after, jump_state, fact) = step(ctx, code, i, &before);
        facts[i] = fact;
        let mut targets: Vec<(usize, AbsState)> = Vec::new();
        for s in successors(code, i) {
            let st = if Some(s as u32) == code.instrs[i].jump_target() && s != i + 1 {
                jump_state.clone().unwrap_or_else(|| after.clone())
            } else {
                after.clone()
            };
            targets.push((s, st));
        }
        for e in &code.exception_table {
            // Only an instruction that can raise reaches its handler.
            if (e.start as usize) <= i && i < e.end as usize && facts[i].may_fail {
                let mut stack: Vec<Av> = before.stack.iter().take(e.depth as usize).copied().collect();
                if e.lasti {
                    stack.push(Av::Int);
                }
                stack.push(Av::Other);
                targets.push((
                    e.target as usize,
                    AbsState { stack, held: before.held & after.held, assigned: before.assigned },
                ));
            }
        }
        for (s, st) in targets {
            if s > n {
                continue;
            }
            match &mut ins[s] {
                Some(old) => {
                    if old.join(&st) {
                        work.push(s);
                    }
                }
                slot @ None => {
                    *slot = Some(st);
                    work.push(s);
                }
            }
        }
    }
    facts
}

impl Facts {
    /// Analyses `program`.
    pub fn of(program: &Program) -> Facts {
        let mut unsupported = None;
        if let Some(lib) = program.libraries.first() {
            unsupported = Some(match lib.name {
                crate::bytecode::FUTURES => format!(
                    "the program uses {} (its executors' threads, queues and futures are not modelled by the analysis)",
                    lib.name
                ),
                name => format!("the program uses {name}'s prelude (its classes are not modelled by the analysis)"),
            });
        }
        if unsupported.is_none() && program.globals.len() > 128 {
            unsupported = Some("the program has more than 128 globals".to_string());
        }
        if unsupported.is_none() {
            unsupported = super::outside::beyond_heap(program);
        }
        for code in &program.codes {
            for (i, ins) in code.instrs.iter().enumerate() {
                let loop_back = match ins {
                    Instr::JumpBackward(t) => !matches!(code.instrs.get(*t as usize), Some(Instr::ForIter(_))),
                    i => i.is_back_edge(),
                };
                if loop_back && unsupported.is_none() {
                    let line = code.locs.get(i).map_or(0, |l| l.line);
                    unsupported =
                        Some(format!("the loop at line {line} is not a `for` loop, so runs may not terminate"));
                }
            }
        }
        if unsupported.is_none() {
            unsupported = super::outside::unsupported_construct(program);
        }
        if unsupported.is_some() {
            return Facts { codes: Vec::new(), structured_locks: 0, int_globals: 0, unsupported, heap: None };
        }
        let heap = super::outside::heap_use(program);
        let (locks, ints, funcs, modules) = slot_facts(program);
        let mut ctx = Ctx {
            program,
            locks,
            ints,
            funcs: &funcs,
            modules: &modules,
            escaped: 0,
            unknown: None,
            heap: heap.is_some(),
        };
        let mut per_code: Vec<Vec<InstrFact>> =
            (0..program.codes.len()).map(|c| analyse_code(&mut ctx, c as CodeId)).collect();
        // Accumulations: both halves of `g = g ± c` are marked.
        for (c, code) in program.codes.iter().enumerate() {
            for i in 0..code.instrs.len() {
                if accumulation_at(code, i).is_some() {
                    per_code[c][i].accum = true;
                    per_code[c][i + 3].accum = true;
                }
            }
        }
        if let Some(why) = ctx.unknown.take() {
            return Facts {
                codes: Vec::new(),
                structured_locks: 0,
                int_globals: 0,
                unsupported: Some(why),
                heap: None,
            };
        }
        let structured = locks & !ctx.escaped;
        // Futures, callees first; a cycle in the call graph (recursion) is not supported.
        let mut order: Vec<CodeId> = Vec::new();
        let mut state = vec![0u8; program.codes.len()];
        fn visit(c: usize, facts: &[Vec<InstrFact>], state: &mut [u8], order: &mut Vec<CodeId>) -> bool {
            match state[c] {
                1 => return false,
                2 => return true,
                _ => {}
            }
            state[c] = 1;
            for f in &facts[c] {
                if let Some(callee) = f.calls {
                    if !visit(callee as usize, facts, state, order) {
                        return false;
                    }
                }
            }
            state[c] = 2;
            order.push(c as CodeId);
            true
        }
        for c in 0..program.codes.len() {
            if !visit(c, &per_code, &mut state, &mut order) {
                return Facts {
                    codes: Vec::new(),
                    structured_locks: 0,
                    int_globals: 0,
                    unsupported: Some("a function can call itself (recursion)".into()),
                    heap: None,
                };
            }
        }
        let nglobals = program.globals.len();
        let mut codes: Vec<CodeFacts> = vec![CodeFacts::default(); program.codes.len()];
        for c in order {
            let code = program.code(c);
            let n = code.instrs.len();
            let instrs = std::mem::take(&mut per_code[c as usize]);
            let mut future = vec![Summary::default(); n + 1];
            let mut unguarded = vec![vec![0 as Slots; nglobals]; n + 1];
            let mut under = vec![vec![0 as Slots; nglobals]; n + 1];
            let own: Vec<(Summary, Vec<(u32, Slots)>)> = instrs
                .iter()
                .map(|f| {
                    let mut s = Summary { may_fail: f.may_fail, output: f.output, sync: f.sync, ..Summary::default() };
                    let mut g_unguarded = Vec::new();
                    for (g, w) in [(f.reads, false), (f.writes, true)] {
                        if let Some(g) = g {
                            let b = bit(g);
                            if w {
                                s.writes |= b;
                            } else {
                                s.reads |= b;
                            }
                            if !f.accum {
                                s.plain |= b;
                            }
                            g_unguarded.push((g, structured & !f.held));
                        }
                    }
                    s.lock_uses |= f.held & structured;
                    // Entering or leaving a lock's `with` is a lock operation: for a structured
                    // lock it shows in `lock_uses` (the body holds it); for any other lock it
                    // synchronises with every other thread's lock use (its `acquire()`,
                    // `locked()`), as those steps do themselves.
                    // Broken by: a lock used by `with` in one thread and by `acquire()`/
                    // `release()`/`locked()` in another (tests/it/reductions.rs
                    // `mixed_lock_forms_*`).
                    if let Some(l) = f.with_lock {
                        if structured & bit(l) != 0 {
                            s.lock_uses |= bit(l);
                        } else {
                            s.sync = true;
                        }
                    }
                    if f.output || f.sync || f.may_fail || f.nested_acquire {
                        s.bad_under |= f.held & structured;
                    }
                    (s, g_unguarded)
                })
                .collect();
            // Backward propagation to a fixpoint over the control-flow graph.
            let mut changed = true;
            while changed {
                changed = false;
                for i in (0..n).rev() {
                    let mut acc = own[i].0;
                    let mut ug = unguarded[i].clone();
                    let mut un = under[i].clone();
                    for &(g, bits) in &own[i].1 {
                        ug[g as usize] |= bits;
                        let held = instrs[i].held & structured;
                        for (l, slot) in un.iter_mut().enumerate() {
                            if l < 128 && held & bit(l as u32) != 0 {
                                *slot |= bit(g);
                            }
                        }
                    }
                    if let Some(callee) = instrs[i].calls {
                        let cf = &codes[callee as usize];
                        if let Some(entry) = cf.future.first() {
                            acc.add(entry);
                            for (g, b) in cf.unguarded[0].iter().enumerate() {
                                ug[g] |= b;
                            }
                            for (l, b) in cf.under[0].iter().enumerate() {
                                un[l] |= b;
                            }
                        }
                    }
                    let mut succ = successors(code, i);
                    for e in &code.exception_table {
                        if (e.start as usize) <= i && i < e.end as usize && instrs[i].may_fail {
                            succ.push(e.target as usize);
                        }
                    }
                    for s in succ {
                        if s <= n {
                            acc.add(&future[s]);
                            for g in 0..nglobals {
                                ug[g] |= unguarded[s][g];
                                un[g] |= under[s][g];
                            }
                        }
                    }
                    if acc != future[i] || ug != unguarded[i] || un != under[i] {
                        future[i] = acc;
                        unguarded[i] = ug;
                        under[i] = un;
                        changed = true;
                    }
                }
            }
            codes[c as usize] = CodeFacts { instrs, future, unguarded, under };
        }
        Facts { codes, structured_locks: structured, int_globals: ints, unsupported: None, heap }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(text: &str) -> (Facts, Program) {
        let m = crate::Model::from_source("t.py", text).unwrap();
        let p = m.program().clone();
        (Facts::of(&p), p)
    }

    fn slot(p: &Program, name: &str) -> Slots {
        bit(p.global_slot(name).unwrap())
    }

    #[test]
    fn int_fact_needs_straight_line_stores() {
        // Both arms end in the one STORE_NAME x, whose predecessor is `LOAD_CONST 0`; the store
        // is also reached with the string on the stack.
        let (f, p) = facts("c = 1\ns = 'a'\nx = 0\nx = s if c else 0\ny = 0\ny = y + 1\n");
        assert!(f.unsupported.is_none(), "{:?}", f.unsupported);
        assert_eq!(f.int_globals & slot(&p, "x"), 0, "x may hold a str");
        assert_ne!(f.int_globals & slot(&p, "y"), 0, "y always holds an int");
    }

    #[test]
    fn a_lock_used_otherwise_than_by_with_is_not_structured_and_its_with_synchronises() {
        let (f, p) = facts(
            "import threading\nlock = threading.Lock()\nx = 0\ndef w():\n    global x\n    with lock:\n        x = 1\nt = threading.Thread(target=w)\nt.start()\nlock.acquire()\nlock.release()\nt.join()\n",
        );
        assert!(f.unsupported.is_none(), "{:?}", f.unsupported);
        assert_eq!(f.structured_locks & slot(&p, "lock"), 0);
        let w = p.codes.iter().position(|c| c.name == "w").unwrap();
        assert!(f.codes[w].future[0].sync, "the worker's `with lock` must synchronise: {:?}", f.codes[w].future[0]);
        assert_eq!(f.codes[w].future[0].lock_uses, 0);
    }

    #[test]
    fn a_lock_taken_only_by_with_is_structured() {
        let (f, p) = facts(
            "import threading\nlock = threading.Lock()\nx = 0\ndef w():\n    global x\n    with lock:\n        x = 1\nt = threading.Thread(target=w)\nt.start()\nwith lock:\n    x = 2\nt.join()\n",
        );
        assert!(f.unsupported.is_none(), "{:?}", f.unsupported);
        let l = slot(&p, "lock");
        assert_ne!(f.structured_locks & l, 0);
        let w = p.codes.iter().position(|c| c.name == "w").unwrap();
        assert!(!f.codes[w].future[0].sync);
        assert_eq!(f.codes[w].future[0].lock_uses, l);
    }
}
