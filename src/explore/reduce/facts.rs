//! Static facts the reductions rest on, computed once per program by abstract interpretation of
//! every code object: which globals always hold a lock, an int or a function; which locks are
//! only ever taken by `with` (so the releaser is always the owner); the locks held at every
//! instruction (a must-lockset); which instructions can raise; which global updates are
//! accumulations `g += c`; and, for every instruction, a summary of everything the code can
//! still do from there (its *future*), callees included.

use crate::bytecode::{BinOp, CodeId, Const, Instr, Program};

/// A set of global slots (the reductions apply only to programs with at most 128 globals).
pub(crate) type Slots = u128;

pub(crate) fn bit(g: u32) -> Slots {
    1u128 << g
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
    pub structured_locks: Slots,
    /// Globals that always hold an int once bound.
    pub int_globals: Slots,
    /// Why the reductions cannot be applied, if they cannot.
    pub unsupported: Option<String>,
}

fn stores(program: &Program) -> Vec<Vec<(CodeId, usize)>> {
    let mut out = vec![Vec::new(); program.globals.len()];
    for (c, code) in program.codes.iter().enumerate() {
        for (i, ins) in code.instrs.iter().enumerate() {
            if let Instr::StoreName(g) | Instr::StoreGlobal(g) = ins {
                out[*g as usize].push((c as CodeId, i));
            }
        }
    }
    out
}

fn is_int_const(code: &crate::bytecode::CodeObject, i: u32) -> bool {
    matches!(code.consts.get(i as usize), Some(Const::Int(_) | Const::BigInt(_) | Const::Bool(_)))
}

/// Whether instructions `i..i+4` of `code` are `LOAD g; LOAD_CONST int; BINARY_OP ±; STORE g`.
fn accumulation_at(code: &crate::bytecode::CodeObject, i: usize) -> Option<u32> {
    let w = code.instrs.get(i..i + 4)?;
    let g = match w[0] {
        Instr::LoadGlobal { slot, push_null: false } | Instr::LoadName(slot) => slot,
        _ => return None,
    };
    let ok = matches!(w[1], Instr::LoadConst(c) if is_int_const(code, c))
        && matches!(w[2], Instr::BinaryOp { op: BinOp::Add | BinOp::Sub, .. })
        && matches!(w[3], Instr::StoreGlobal(s) | Instr::StoreName(s) if s == g);
    ok.then_some(g)
}

fn slot_facts(program: &Program) -> (Slots, Slots, Vec<Option<CodeId>>, Vec<bool>) {
    let stores = stores(program);
    let module = program.module();
    let in_loop = |i: usize| {
        module.instrs.iter().enumerate().any(|(j, ins)| {
            matches!(ins, Instr::JumpBackward(t) | Instr::PopJumpBackwardIfFalse(t) | Instr::PopJumpBackwardIfTrue(t)
                | Instr::PopJumpBackwardIfNone(t) | Instr::PopJumpBackwardIfNotNone(t) if (*t as usize) <= i && i < j)
        })
    };
    let mut locks: Slots = 0;
    let mut ints: Slots = 0;
    let mut funcs = vec![None; program.globals.len()];
    let mut modules = vec![false; program.globals.len()];
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
                if ctor {
                    locks |= bit(g as u32);
                }
            }
            if i >= 2 && !in_loop(i) {
                if let (Instr::LoadConst(c), Instr::MakeFunction(0)) = (&module.instrs[i - 2], &module.instrs[i - 1]) {
                    if let Some(Const::Code(id)) = module.consts.get(*c as usize) {
                        funcs[g] = Some(*id);
                    }
                }
            }
            if i >= 1 && matches!(module.instrs[i - 1], Instr::ImportName(_)) {
                modules[g] = true;
            }
        }
        // An int global: every store stores an int constant or completes an accumulation.
        let all_int = !st.is_empty()
            && st.iter().all(|&(c, i)| {
                let code = program.code(c);
                (i >= 1 && matches!(code.instrs[i - 1], Instr::LoadConst(k) if is_int_const(code, k)))
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
    modules: &'a [bool],
    /// Lock slots used other than by `with` (they escape, or are acquired explicitly).
    pub(super) escaped: Slots,
    pub(super) unknown: Option<String>,
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
        if self.modules[gi] {
            return Av::Module;
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
            "print" if never_stored => Av::Builtin(Known::Print),
            "range" if never_stored => Av::Builtin(Known::Range),
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

/// The first construct the analysis does not model, if the program has one: a synchronisation
/// object other than `threading.Lock` (RLock, Semaphore, BoundedSemaphore, Event, Condition,
/// Barrier, `queue`), or a `try` statement (an exception handler that is not a `with`'s).
fn unsupported_construct(program: &Program) -> Option<String> {
    for code in &program.codes {
        let line = |i: usize| code.locs.get(i).map_or(0, |l| l.line);
        for (i, ins) in code.instrs.iter().enumerate() {
            match ins {
                Instr::LoadAttr(n) | Instr::LoadMethod(n) => {
                    let name = code.names.get(*n as usize).map_or("", String::as_str);
                    if matches!(name, "RLock" | "Semaphore" | "BoundedSemaphore" | "Event" | "Condition" | "Barrier") {
                        return Some(format!("threading.{name} (line {}) is not modelled by the analysis", line(i)));
                    }
                }
                Instr::ImportName(n) if code.names.get(*n as usize).is_some_and(|m| m == "queue") => {
                    return Some(format!("the queue module (line {}) is not modelled by the analysis", line(i)));
                }
                Instr::CheckExcMatch | Instr::DeleteFast(_) | Instr::DeleteName(_) | Instr::DeleteGlobal(_) => {
                    return Some(format!("the try statement near line {} is not modelled by the analysis", line(i)));
                }
                _ => {}
            }
        }
        for e in &code.exception_table {
            let t = e.target as usize;
            let with_handler = matches!(
                (code.instrs.get(t), code.instrs.get(t + 1)),
                (Some(Instr::PushExcInfo), Some(Instr::WithExceptStart))
                    | (Some(Instr::Copy(3)), Some(Instr::PopExcept))
            );
            if !with_handler {
                let at = (e.start as usize..e.end as usize).map(line).find(|l| *l > 0).unwrap_or(0);
                return Some(format!(
                    "the try statement at line {at} (an exception handler) is not modelled by the analysis"
                ));
            }
        }
    }
    None
}

impl Facts {
    /// Analyses `program`.
    pub fn of(program: &Program) -> Facts {
        let mut unsupported = None;
        if program.globals.len() > 128 {
            unsupported = Some("the program has more than 128 globals".to_string());
        }
        for code in &program.codes {
            for (i, ins) in code.instrs.iter().enumerate() {
                let loop_back = match ins {
                    Instr::JumpBackward(t) => !matches!(code.instrs.get(*t as usize), Some(Instr::ForIter(_))),
                    Instr::PopJumpBackwardIfFalse(_)
                    | Instr::PopJumpBackwardIfTrue(_)
                    | Instr::PopJumpBackwardIfNone(_)
                    | Instr::PopJumpBackwardIfNotNone(_) => true,
                    _ => false,
                };
                if loop_back && unsupported.is_none() {
                    let line = code.locs.get(i).map_or(0, |l| l.line);
                    unsupported =
                        Some(format!("the loop at line {line} is not a `for` loop, so runs may not terminate"));
                }
            }
        }
        if unsupported.is_none() {
            unsupported = unsupported_construct(program);
        }
        if unsupported.is_some() {
            return Facts { codes: Vec::new(), structured_locks: 0, int_globals: 0, unsupported };
        }
        let (locks, ints, funcs, modules) = slot_facts(program);
        let mut ctx = Ctx { program, locks, ints, funcs: &funcs, modules: &modules, escaped: 0, unknown: None };
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
            return Facts { codes: Vec::new(), structured_locks: 0, int_globals: 0, unsupported: Some(why) };
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
        Facts { codes, structured_locks: structured, int_globals: ints, unsupported: None }
    }
}
