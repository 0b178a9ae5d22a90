//! Switch models: where CPython can hand the GIL to another thread, per version, and the static
//! switch points they place in a program's bytecode (what `gilcheck dis --switch M` marks).
//!
//! The rules follow each version's eval loop (`Python/ceval.c` up to 3.11, `Python/bytecodes.c`
//! from 3.12): a waiting thread asks for the GIL, and the holder gives it up only where the
//! *eval breaker* is checked. Blocking operations (a contended acquire, `join` on a live thread,
//! `time.sleep`, `Thread.start`) release the GIL in every model. The dynamic refinements (whether
//! a conditional jump was taken, whether a call went to a Python function) are applied by the
//! virtual machine as it steps; this module holds the names and the static picture.

use super::{CodeId, Instr, Program};
use std::fmt;
use std::str::FromStr;

/// Where thread switches may happen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum SwitchModel {
    /// Every instruction boundary: all that the language promises, and (at this granularity)
    /// what free-threaded builds allow.
    #[default]
    Bytecode,
    /// CPython 3.9: the eval breaker is checked before almost every instruction (not after the
    /// `FAST_DISPATCH` ones: LOAD_FAST, LOAD_CONST, STORE_FAST, POP_TOP, …; not before SETUP_WITH).
    Cpython39,
    /// CPython 3.10: at frame entry, taken conditional jumps, JUMP_ABSOLUTE, and after every call.
    Cpython310,
    /// CPython 3.11: at RESUME, loop back-edges, and after calls of non-Python code.
    Cpython311,
    /// CPython 3.12: as 3.11 (RESUME, JUMP_BACKWARD, non-inlined calls).
    Cpython312,
    /// CPython 3.13: as 3.12.
    Cpython313,
}

impl SwitchModel {
    /// Every model, in order.
    pub const ALL: &'static [SwitchModel] = &[
        SwitchModel::Bytecode,
        SwitchModel::Cpython39,
        SwitchModel::Cpython310,
        SwitchModel::Cpython311,
        SwitchModel::Cpython312,
        SwitchModel::Cpython313,
    ];

    /// The model's name as the CLI spells it.
    pub fn name(self) -> &'static str {
        match self {
            SwitchModel::Bytecode => "bytecode",
            SwitchModel::Cpython39 => "cpython-3.9",
            SwitchModel::Cpython310 => "cpython-3.10",
            SwitchModel::Cpython311 => "cpython-3.11",
            SwitchModel::Cpython312 => "cpython-3.12",
            SwitchModel::Cpython313 => "cpython-3.13",
        }
    }

    /// The CPython version `(3, minor)` the model follows, if any.
    pub fn cpython_version(self) -> Option<(u8, u8)> {
        match self {
            SwitchModel::Bytecode => None,
            SwitchModel::Cpython39 => Some((3, 9)),
            SwitchModel::Cpython310 => Some((3, 10)),
            SwitchModel::Cpython311 => Some((3, 11)),
            SwitchModel::Cpython312 => Some((3, 12)),
            SwitchModel::Cpython313 => Some((3, 13)),
        }
    }

    /// Whether the interpreter specialises call sites once they have warmed up (3.11 and later):
    /// some specialised calls skip the eval-breaker check that the generic CALL makes.
    pub fn specialises(self) -> bool {
        matches!(self, SwitchModel::Cpython311 | SwitchModel::Cpython312 | SwitchModel::Cpython313)
    }

    /// Whether the eval breaker is checked only at a few sites (3.10 and later), so that the
    /// stretches between them run atomically.
    pub fn is_sparse(self) -> bool {
        matches!(
            self,
            SwitchModel::Cpython310 | SwitchModel::Cpython311 | SwitchModel::Cpython312 | SwitchModel::Cpython313
        )
    }

    /// What the model means, in one line.
    pub fn describe(self) -> &'static str {
        match self {
            SwitchModel::Bytecode => "a thread switch may happen at every bytecode instruction boundary",
            SwitchModel::Cpython39 => {
                "CPython 3.9: a switch may happen before almost every instruction (not after LOAD_FAST, LOAD_CONST, STORE_FAST, POP_TOP, DUP/ROT and the like, not before SETUP_WITH)"
            }
            SwitchModel::Cpython310 => {
                "CPython 3.10: switches only at frame entry, loop back-edges, taken conditional jumps, after every call returns, at exception handlers, and where the GIL is released (blocking, sleep)"
            }
            SwitchModel::Cpython311 | SwitchModel::Cpython312 | SwitchModel::Cpython313 => {
                "switches only at RESUME (function entry), loop back-edges, after calls of non-Python code (also after len, isinstance, type(x) and list.append, which skip the check only once their call site has warmed up and specialised), and where the GIL is released (blocking, sleep)"
            }
        }
    }
}

impl fmt::Display for SwitchModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SwitchModel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        // Accept `3.11` and `cpython3.11` as shorthands.
        let wanted = if s.starts_with("3.") {
            format!("cpython-{s}")
        } else if let Some(v) = s.strip_prefix("cpython3") {
            format!("cpython-3{v}")
        } else {
            s.to_string()
        };
        SwitchModel::ALL.iter().copied().find(|m| m.name() == wanted).ok_or_else(|| {
            let names: Vec<&str> = SwitchModel::ALL.iter().map(|m| m.name()).collect();
            format!("unknown switch model '{s}'; supported: {} (or all, for check and outcomes)", names.join(", "))
        })
    }
}

impl SwitchModel {
    /// What [`switch_marks`]' marks mean under this model: whether the switch happens before or
    /// after a marked instruction, and when.
    pub fn marks_mean(self) -> &'static str {
        match self {
            SwitchModel::Bytecode | SwitchModel::Cpython39 => "a switch may happen right before a marked instruction",
            _ => {
                "a switch may happen right after a marked instruction (after a call only when it called non-Python code; after a conditional jump only when taken); blocking calls switch in every model"
            }
        }
    }
}

/// Why a switch point is where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum SwitchKind {
    /// Function entry: RESUME (3.11+), the frame-entry check (3.10).
    Entry,
    /// A loop back-edge: JUMP_BACKWARD, a taken backward conditional jump.
    BackEdge,
    /// After a call returns (3.10: every call; 3.11+: calls of non-Python code).
    Call,
    /// A taken forward conditional jump (3.10 only).
    CondJump,
    /// The check before this instruction (`bytecode`, 3.9).
    Instr,
}

impl SwitchKind {
    /// The kind's short name: `entry`, `back-edge`, `call`, `cond-jump`, `instr`.
    pub fn name(self) -> &'static str {
        match self {
            SwitchKind::Entry => "entry",
            SwitchKind::BackEdge => "back-edge",
            SwitchKind::Call => "call",
            SwitchKind::CondJump => "cond-jump",
            SwitchKind::Instr => "instr",
        }
    }

    /// What the kind means, for explanations.
    pub fn describe(self) -> &'static str {
        match self {
            SwitchKind::Entry => "function entry",
            SwitchKind::BackEdge => "loop back-edge",
            SwitchKind::Call => "after a call returns",
            SwitchKind::CondJump => "taken conditional jump",
            SwitchKind::Instr => "before the instruction",
        }
    }
}

/// One static switch point: instruction `pc` of code object `code` is an eval-breaker check site.
/// For [`SwitchKind::Instr`] the switch may happen before the instruction, for the other kinds
/// after it (when its condition holds: a jump taken, a call of non-Python code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct SwitchMark {
    /// The code object.
    pub code: CodeId,
    /// The instruction's index.
    pub pc: u32,
    /// Its source line (0 when none).
    pub line: u32,
    /// Why it is a switch point.
    pub kind: SwitchKind,
}

/// Instructions after which CPython 3.9 goes straight to the next one without checking the eval
/// breaker (`FAST_DISPATCH`), together with the 3.11-only instructions that have no 3.9
/// counterpart of their own (RESUME, PRECALL, PUSH_NULL, KW_NAMES, MAKE_CELL, COPY_FREE_VARS:
/// part of the call or frame entry there). Conditional jumps are fast only on an exact `True`/`False` operand.
pub fn fast_in_39(i: &Instr) -> bool {
    matches!(
        i,
        Instr::Nop
            | Instr::LoadFast(_)
            | Instr::LoadConst(_)
            | Instr::StoreFast(_)
            | Instr::PopTop
            | Instr::Copy(_)
            | Instr::Swap(_)
            | Instr::IsOp(_)
            | Instr::ContainsOp(_)
            | Instr::JumpForward(_)
            | Instr::LoadAssertionError
            | Instr::Resume(_)
            | Instr::Precall(_)
            | Instr::PushNull
            | Instr::KwNames(_)
            | Instr::MakeCell(_)
            | Instr::CopyFreeVars(_)
    )
}

/// The eval-breaker check site that instruction `i` is under a sparse model (3.10+), if any:
/// the switch may happen after it, when the jump is taken or the call is of non-Python code.
pub fn check_after(model: SwitchModel, i: &Instr) -> Option<SwitchKind> {
    if !model.is_sparse() {
        return None;
    }
    match i {
        Instr::Resume(arg) if *arg < 2 => Some(SwitchKind::Entry),
        i if i.is_back_edge() => Some(SwitchKind::BackEdge),
        Instr::Call(_) | Instr::CallFunctionEx(_) => Some(SwitchKind::Call),
        i if model == SwitchModel::Cpython310 && i.is_pop_jump() => Some(SwitchKind::CondJump),
        _ => None,
    }
}

/// Every static switch point of `program` under `model`, by code object and instruction.
///
/// Under `bytecode` every instruction is one. Under 3.9 an instruction is one when some way of
/// reaching it (falling through, a jump, an exception handler, frame entry) passes the check: not
/// only after [`fast_in_39`] instructions, and never before BEFORE_WITH (SETUP_WITH in 3.9).
/// Under 3.10+ they are the check sites of [`check_after`].
pub fn switch_marks(program: &Program, model: SwitchModel) -> Vec<SwitchMark> {
    let mut out = Vec::new();
    for (c, code) in program.codes.iter().enumerate() {
        let line = |pc: usize| code.locs.get(pc).map_or(0, |l| l.line);
        let mark = |pc: usize, kind| SwitchMark { code: c as CodeId, pc: pc as u32, line: line(pc), kind };
        match model {
            SwitchModel::Bytecode => out.extend((0..code.instrs.len()).map(|pc| mark(pc, SwitchKind::Instr))),
            SwitchModel::Cpython39 => {
                let n = code.instrs.len();
                let mut checked = vec![false; n];
                if n > 0 {
                    checked[0] = true;
                }
                for e in &code.exception_table {
                    if let Some(x) = checked.get_mut(e.target as usize) {
                        *x = true;
                    }
                }
                for (pc, i) in code.instrs.iter().enumerate() {
                    // A pop-jump is fast only on an exact bool operand: statically, either way.
                    let checks = !fast_in_39(i) || i.is_pop_jump();
                    if !checks {
                        continue;
                    }
                    if i.falls_through() && pc + 1 < n {
                        checked[pc + 1] = true;
                    }
                    if let Some(t) = i.jump_target() {
                        if let Some(x) = checked.get_mut(t as usize) {
                            *x = true;
                        }
                    }
                }
                for (pc, i) in code.instrs.iter().enumerate() {
                    if checked[pc] && !matches!(i, Instr::BeforeWith) {
                        out.push(mark(pc, SwitchKind::Instr));
                    }
                }
            }
            _ => {
                for (pc, i) in code.instrs.iter().enumerate() {
                    if let Some(kind) = check_after(model, i) {
                        out.push(mark(pc, kind));
                    }
                }
            }
        }
    }
    out
}
