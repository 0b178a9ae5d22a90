//! Which globals other threads can touch: static facts over the program's code objects that let
//! a scheduler treat some global accesses as invisible (they commute with every other thread).

use crate::bytecode::{Instr, Program, SwitchModel};
use crate::vm;

/// Who can read and write each global slot.
#[derive(Clone, Debug, Default)]
pub struct Sharing {
    /// No function code refers to the slot: only the main thread (module code) can touch it.
    pub main_only: Vec<bool>,
    /// No function code stores the slot: only module code (the main thread) writes it.
    pub fn_unwritten: Vec<bool>,
    /// For each module-code instruction, the slots that module code may still store from there
    /// (following jumps and exception handlers), one bit per slot (slot `g` is bit `g % 64` of
    /// word `g / 64`).
    pub module_stores_from: Vec<Vec<u64>>,
}

impl Sharing {
    /// Computes the facts for `program`.
    pub fn of(program: &Program) -> Sharing {
        let n = program.globals.len();
        let mut main_only = vec![true; n];
        let mut fn_unwritten = vec![true; n];
        for code in program.codes.iter().skip(1) {
            for i in &code.instrs {
                match i {
                    Instr::LoadName(g) | Instr::LoadGlobal { slot: g, .. } => main_only[*g as usize] = false,
                    // `del g` unbinds the slot: a write like any store.
                    Instr::StoreName(g) | Instr::StoreGlobal(g) | Instr::DeleteName(g) | Instr::DeleteGlobal(g) => {
                        main_only[*g as usize] = false;
                        fn_unwritten[*g as usize] = false;
                    }
                    _ => {}
                }
            }
        }
        let module = program.module();
        let len = module.instrs.len();
        // One bit per slot: a program with many globals and a long module stays small.
        let words = n.div_ceil(64);
        let mut from = vec![vec![0u64; words]; len + 1];
        // The successors of each instruction, computed once.
        let succs: Vec<Vec<usize>> = (0..len)
            .map(|pc| {
                let mut out = Vec::with_capacity(3);
                if !matches!(
                    module.instrs[pc],
                    Instr::JumpForward(_)
                        | Instr::JumpBackward(_)
                        | Instr::ReturnValue
                        | Instr::RaiseVarargs(_)
                        | Instr::Reraise(_)
                ) {
                    out.push(pc + 1);
                }
                if let Some(t) = module.instrs[pc].jump_target() {
                    out.push(t as usize);
                }
                for e in &module.exception_table {
                    if e.start as usize <= pc && pc < e.end as usize {
                        out.push(e.target as usize);
                    }
                }
                out
            })
            .collect();
        // Backward dataflow to a fixpoint: stores reachable from each instruction.
        let mut changed = true;
        let mut acc = vec![0u64; words];
        while changed {
            changed = false;
            for pc in (0..len).rev() {
                acc.copy_from_slice(&from[pc]);
                if let Instr::StoreName(g) | Instr::StoreGlobal(g) | Instr::DeleteName(g) | Instr::DeleteGlobal(g) =
                    module.instrs[pc]
                {
                    acc[g as usize / 64] |= 1 << (g % 64);
                }
                for &s in &succs[pc] {
                    if let Some(f) = from.get(s) {
                        for (a, b) in acc.iter_mut().zip(f) {
                            *a |= b;
                        }
                    }
                }
                if acc != from[pc] {
                    from[pc].copy_from_slice(&acc);
                    changed = true;
                }
            }
        }
        from.truncate(len);
        Sharing { main_only, fn_unwritten, module_stores_from: from }
    }

    /// Whether main, in `state`, may still store slot `g` (from its module frame's position).
    pub(crate) fn main_may_store(&self, main_module_pc: Option<u32>, g: u32) -> bool {
        match main_module_pc {
            None => false,
            Some(pc) => {
                self.module_stores_from.get(pc as usize).is_none_or(|f| f[g as usize / 64] >> (g % 64) & 1 == 1)
            }
        }
    }
}

/// Whether thread `tid`'s next step is certainly *invisible*: it touches no shared object, cannot
/// raise, block or end the thread. Such a step commutes with every step of every other thread,
/// so a scheduler loses nothing by never switching right before it (the classic argument for
/// scheduling only at visible operations).
///
/// With the [`Sharing`] facts, some global accesses are invisible too: main's accesses to a global
/// no function refers to, and reads of a global that no function writes and that main's remaining
/// module code does not store.
#[inline]
pub fn next_step_is_local(program: &Program, state: &vm::State, tid: vm::Tid, sharing: &Sharing) -> bool {
    use crate::bytecode::{BinOp, Instr};
    let Some(frame) = state.threads[tid].frames.last().filter(|f| f.role != vm::FrameRole::Bind) else { return false };
    let code = program.code(frame.code);
    let Some(instr) = code.instrs.get(frame.pc as usize) else { return false };
    let top2 = || {
        let n = frame.stack.len();
        (n >= 2).then(|| (&frame.stack[n - 2], &frame.stack[n - 1]))
    };
    match instr {
        Instr::Nop
        | Instr::Resume(_)
        | Instr::PopTop
        | Instr::PushNull
        | Instr::Copy(_)
        | Instr::Swap(_)
        | Instr::LoadConst(_)
        | Instr::StoreFast(_)
        | Instr::Precall(_)
        | Instr::KwNames(_)
        | Instr::MakeFunction(_)
        | Instr::BuildTuple(_)
        | Instr::JumpForward(_)
        | Instr::JumpBackward(_)
        | Instr::PopJumpForwardIfNone(_)
        | Instr::PopJumpForwardIfNotNone(_)
        | Instr::PopJumpBackwardIfNone(_)
        | Instr::PopJumpBackwardIfNotNone(_)
        | Instr::IsOp(_) => true,
        // Truthiness of a list or dict reads the heap.
        Instr::PopJumpForwardIfFalse(_)
        | Instr::PopJumpForwardIfTrue(_)
        | Instr::PopJumpBackwardIfFalse(_)
        | Instr::PopJumpBackwardIfTrue(_)
        | Instr::JumpIfFalseOrPop(_)
        | Instr::JumpIfTrueOrPop(_)
        | Instr::UnaryNot => !matches!(frame.stack.last(), Some(vm::Value::Obj(_) | vm::Value::DictView(..))),
        // A list or dict iterator reads its container.
        Instr::ForIter(_) => !frame.stack.last().is_some_and(vm::reads_heap),
        // In a class body, names live in the class (a heap object).
        Instr::LoadName(_) | Instr::StoreName(_) if frame.role != vm::FrameRole::Call => false,
        Instr::LoadFast(i) => frame.locals[*i as usize] != vm::Value::Null,
        Instr::LoadName(g) | Instr::LoadGlobal { slot: g, .. } => {
            let g = *g as usize;
            let bound =
                state.globals[g] != vm::Value::Null || vm::builtin_value(program.global_name(g as u32)).is_some();
            let main_pc = state.threads[0].frames.first().filter(|_| state.threads[0].is_alive()).map(|f| f.pc);
            bound
                && ((tid == 0 && sharing.main_only[g])
                    || (sharing.fn_unwritten[g] && (tid == 0 || !sharing.main_may_store(main_pc, g as u32))))
        }
        Instr::StoreName(g) | Instr::StoreGlobal(g) => tid == 0 && sharing.main_only[*g as usize],
        Instr::GetIter => matches!(frame.stack.last(), Some(vm::Value::RangeIter { .. } | vm::Value::Tuple(_))),
        Instr::Call(n) => {
            // A call of `range` with int arguments: no shared object, cannot fail.
            let n = *n as usize;
            let len = frame.stack.len();
            len >= n + 2
                && frame.stack[len - n - 2] == vm::Value::Null
                && frame.stack[len - n - 1] == vm::Value::Builtin(vm::Builtin::Range)
                && (1..=3).contains(&n)
                && frame.stack[len - n..].iter().all(|v| matches!(v, vm::Value::Int(_)))
                && frame.kwnames.is_none()
                && !matches!(frame.stack[len - n..], [_, _, vm::Value::Int(0)])
        }
        Instr::LoadAttr(n) | Instr::LoadMethod(n) => frame.stack.last().is_some_and(|obj| {
            matches!(obj, vm::Value::Module(_) | vm::Value::Lock(_) | vm::Value::Thread(_) | vm::Value::Sync(..))
                && vm::get_attr(obj, &code.names[*n as usize]).is_ok()
        }),
        Instr::BinaryOp { op, .. } => match top2() {
            Some((vm::Value::Int(_), vm::Value::Int(b))) => match op {
                BinOp::FloorDiv | BinOp::Mod | BinOp::TrueDiv => *b != 0,
                BinOp::Lshift | BinOp::Rshift => (0..64).contains(b),
                BinOp::Pow => (0..64).contains(b),
                _ => true,
            },
            _ => false,
        },
        Instr::CompareOp(_) => matches!(top2(), Some((vm::Value::Int(_), vm::Value::Int(_)))),
        Instr::ReturnValue => state.threads[tid].frames.len() > 1 && frame.role == vm::FrameRole::Call,
        _ => false,
    }
}

/// Whether a switch right before thread `tid`'s next step is worth exploring: not when the
/// thread holds the GIL on, and not before an invisible step ([`next_step_is_local`]) when the
/// boundary right after that step is certainly a switch point too (the step commutes to before
/// the switch, so the later switch reaches every state the earlier one does).
#[inline]
pub fn worth_preempting_before(
    program: &Program,
    switch: SwitchModel,
    sharing: &Sharing,
    s: &vm::State,
    tid: vm::Tid,
) -> bool {
    s.hold.is_none()
        && !(vm::switch_certain_after_next(program, switch, s, tid) && next_step_is_local(program, s, tid, sharing))
}
