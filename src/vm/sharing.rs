//! Which globals other threads can touch: static facts over the program's code objects that let
//! a scheduler treat some global accesses as invisible (they commute with every other thread).

use crate::bytecode::{Instr, Program};

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
