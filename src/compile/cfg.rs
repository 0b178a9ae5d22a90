//! The control-flow graph of one code object while it is compiled, and CPython 3.11's
//! `assemble()` passes over it (normalisation, block extension, jump threading, dead-code
//! removal, line-number propagation, stack depths, exception-table labelling, NOP removal,
//! jump-direction resolution), then lowering to [`Instr`]s.
//!
//! The passes follow `Python/compile.c` of CPython 3.11 closely, because the exact instruction
//! sequence (which NOPs survive, which return blocks are duplicated, which jumps are threaded)
//! depends on them.

use crate::bytecode::{BinOp, CmpOp, Const, ExceptionEntry, Instr, Loc};

/// Index of a basic block in [`Cfg::blocks`] (creation order).
pub(crate) type BlockId = usize;

/// An operation in the graph: the real opcodes, the direction-less virtual jumps, and the
/// exception-block pseudo-instructions of CPython 3.11's compiler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // the names mirror CPython's opcodes
pub(crate) enum Op {
    Nop,
    Resume,
    PopTop,
    PushNull,
    Copy,
    Swap,
    LoadConst,
    LoadName,
    StoreName,
    /// arg = slot << 1 | push_null
    LoadGlobal,
    StoreGlobal,
    LoadFast,
    StoreFast,
    LoadAttr,
    LoadMethod,
    ImportName,
    ImportFrom,
    /// arg = the global slot of `__annotations__` (no argument in CPython)
    SetupAnnotations,
    MakeFunction,
    BuildTuple,
    BuildString,
    FormatValue,
    KwNames,
    Precall,
    Call,
    /// arg = NB_* code (+13 when in place)
    BinaryOp,
    /// arg = index in CPython's `cmp_op`
    CompareOp,
    IsOp,
    ContainsOp,
    UnaryNot,
    UnaryNegative,
    UnaryPositive,
    UnaryInvert,
    GetIter,
    ForIter,
    UnpackSequence,
    UnpackEx,
    CallFunctionEx,
    DictMerge,
    ListToTuple,
    ReturnGenerator,
    YieldValue,
    ReturnValue,
    LoadAssertionError,
    RaiseVarargs,
    BeforeWith,
    PushExcInfo,
    WithExceptStart,
    Reraise,
    PopExcept,
    Jump,
    PopJumpIfFalse,
    PopJumpIfTrue,
    PopJumpIfNone,
    PopJumpIfNotNone,
    JumpIfFalseOrPop,
    JumpIfTrueOrPop,
    SetupWith,
    SetupCleanup,
    PopBlock,
    SetupFinally,
    CheckExcMatch,
    DeleteFast,
    DeleteName,
    DeleteGlobal,
    BuildList,
    BuildMap,
    BuildConstKeyMap,
    ListExtend,
    ListAppend,
    BuildSet,
    SetAdd,
    SetUpdate,
    MapAdd,
    BinarySubscr,
    StoreSubscr,
    StoreAttr,
    DeleteSubscr,
    DeleteAttr,
    LoadBuildClass,
    BuildSlice,
    /// arg = index among the unit's cells then frees (fast-local slot once assembled)
    MakeCell,
    CopyFreeVars,
    /// arg as for MakeCell
    LoadClosure,
    /// arg as for MakeCell
    LoadDeref,
    /// arg as for MakeCell
    StoreDeref,
    /// arg as for MakeCell
    DeleteDeref,
}

impl Op {
    pub(super) fn is_jump(self) -> bool {
        matches!(
            self,
            Op::Jump
                | Op::PopJumpIfFalse
                | Op::PopJumpIfTrue
                | Op::PopJumpIfNone
                | Op::PopJumpIfNotNone
                | Op::JumpIfFalseOrPop
                | Op::JumpIfTrueOrPop
                | Op::ForIter
        )
    }

    pub(super) fn is_block_push(self) -> bool {
        matches!(self, Op::SetupWith | Op::SetupCleanup | Op::SetupFinally)
    }

    pub(super) fn is_exit(self) -> bool {
        matches!(self, Op::ReturnValue | Op::RaiseVarargs | Op::Reraise)
    }

    /// CPython 3.11's `stack_effect(op, arg, jump)`.
    pub(super) fn stack_effect(self, arg: u32, jump: bool) -> i32 {
        let n = arg as i32;
        match self {
            Op::Nop | Op::Resume | Op::Swap | Op::LoadAttr | Op::KwNames | Op::GetIter => 0,
            Op::UnaryNot | Op::UnaryNegative | Op::UnaryPositive | Op::UnaryInvert => 0,
            Op::MakeFunction => -((arg & 0xf).count_ones() as i32),
            Op::Jump | Op::PopBlock => 0,
            Op::PopTop | Op::StoreName | Op::StoreGlobal | Op::StoreFast => -1,
            Op::PushNull | Op::Copy | Op::LoadConst | Op::LoadName | Op::LoadFast => 1,
            Op::LoadMethod | Op::LoadAssertionError | Op::BeforeWith => 1,
            Op::PushExcInfo | Op::WithExceptStart => 1,
            Op::LoadGlobal => 1 + (arg & 1) as i32,
            Op::ImportName => -1,
            Op::ImportFrom => 1,
            Op::SetupAnnotations => 0,
            Op::BuildTuple | Op::BuildString => 1 - n,
            Op::FormatValue => {
                if arg & 4 != 0 {
                    -1
                } else {
                    0
                }
            }
            Op::Precall => -n,
            Op::Call => -1,
            Op::BinaryOp | Op::CompareOp | Op::IsOp | Op::ContainsOp => -1,
            Op::ForIter => {
                if jump {
                    -1
                } else {
                    1
                }
            }
            Op::UnpackSequence => n - 1,
            Op::UnpackEx => (n & 0xff) + (n >> 8),
            Op::CallFunctionEx => -2 - (n & 1),
            Op::DictMerge => -1,
            Op::ListToTuple => 0,
            // The value sent in on (first) resumption, which the next POP_TOP drops.
            Op::ReturnGenerator => 1,
            Op::YieldValue => 0,
            Op::ReturnValue | Op::Reraise | Op::PopExcept => -1,
            Op::RaiseVarargs => -n,
            Op::PopJumpIfFalse | Op::PopJumpIfTrue | Op::PopJumpIfNone | Op::PopJumpIfNotNone => -1,
            Op::JumpIfFalseOrPop | Op::JumpIfTrueOrPop => {
                if jump {
                    0
                } else {
                    -1
                }
            }
            Op::SetupWith | Op::SetupFinally => i32::from(jump),
            Op::CheckExcMatch | Op::DeleteFast | Op::DeleteName | Op::DeleteGlobal => 0,
            Op::BuildList => 1 - n,
            Op::BuildMap => 1 - 2 * n,
            Op::BuildConstKeyMap => -n,
            Op::ListExtend | Op::ListAppend | Op::BinarySubscr | Op::SetAdd | Op::SetUpdate => -1,
            Op::BuildSet => 1 - n,
            Op::MapAdd => -2,
            Op::StoreSubscr => -3,
            Op::StoreAttr | Op::DeleteSubscr => -2,
            Op::DeleteAttr => -1,
            Op::LoadBuildClass => 1,
            Op::MakeCell | Op::CopyFreeVars | Op::DeleteDeref => 0,
            Op::BuildSlice => 1 - n,
            Op::LoadClosure | Op::LoadDeref => 1,
            Op::StoreDeref => -1,
            Op::SetupCleanup => {
                if jump {
                    2
                } else {
                    0
                }
            }
        }
    }
}

/// A source location as CPython's compiler tracks it: line (-1 for none) and 1-based column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SrcLoc {
    pub line: i32,
    pub col: i32,
}

impl SrcLoc {
    /// No location (CPython's `UNSET_LOC`).
    pub const NONE: SrcLoc = SrcLoc { line: -1, col: -1 };
}

/// One instruction in a block.
#[derive(Clone, Debug)]
pub(crate) struct Ins {
    pub op: Op,
    pub arg: u32,
    pub target: Option<BlockId>,
    pub loc: SrcLoc,
    pub(super) except: Option<BlockId>,
}

/// A basic block.
#[derive(Clone, Debug, Default)]
pub(crate) struct Block {
    pub instrs: Vec<Ins>,
    /// The block laid out after this one (`b_next`).
    pub next: Option<BlockId>,
    pub(super) exit: bool,
    pub(super) nofallthrough: bool,
    pub(super) predecessors: u32,
    pub(super) visited: bool,
    pub(super) startdepth: Option<i32>,
    pub(super) preserve_lasti: bool,
    pub(super) offset: u32,
    pub(super) except_stack: Option<Vec<BlockId>>,
}

/// The graph of one code object under construction.
#[derive(Clone, Debug)]
pub(crate) struct Cfg {
    pub blocks: Vec<Block>,
    /// The block instructions are appended to.
    pub cur: BlockId,
}

/// The result of assembly.
pub(crate) struct Assembled {
    pub instrs: Vec<Instr>,
    pub locs: Vec<Loc>,
    pub exception_table: Vec<ExceptionEntry>,
}

pub(super) const MAX_COPY_SIZE: usize = 4;

impl Cfg {
    /// A graph with one empty entry block.
    pub fn new() -> Self {
        Cfg { blocks: vec![Block::default()], cur: 0 }
    }

    /// `compiler_new_block`.
    pub fn new_block(&mut self) -> BlockId {
        self.blocks.push(Block::default());
        self.blocks.len() - 1
    }

    /// `compiler_use_next_block`: lay `b` out after the current block and make it current.
    pub fn use_next_block(&mut self, b: BlockId) {
        self.blocks[self.cur].next = Some(b);
        self.cur = b;
    }

    /// `NEXT_BLOCK`: a fresh block after the current one.
    pub fn next_block(&mut self) {
        let b = self.new_block();
        self.use_next_block(b);
    }

    /// Appends an instruction to the current block.
    pub fn add(&mut self, op: Op, arg: u32, target: Option<BlockId>, loc: SrcLoc) {
        self.blocks[self.cur].instrs.push(Ins { op, arg, target, loc, except: None });
    }

    /// Whether the current block ends with RETURN_VALUE (`b_return`).
    pub fn cur_returns(&self) -> bool {
        self.blocks[self.cur].instrs.last().is_some_and(|i| i.op == Op::ReturnValue)
    }

    pub(super) fn skip_empty(&self, mut b: BlockId) -> BlockId {
        while self.blocks[b].instrs.is_empty() {
            match self.blocks[b].next {
                Some(n) => b = n,
                None => break,
            }
        }
        b
    }

    /// Blocks in layout order (following `next` from the entry).
    pub(super) fn layout(&self) -> Vec<BlockId> {
        let mut order = Vec::new();
        let mut seen = vec![false; self.blocks.len()];
        let mut b = Some(0);
        while let Some(id) = b {
            if seen[id] {
                break;
            }
            seen[id] = true;
            order.push(id);
            b = self.blocks[id].next;
        }
        order
    }

    /// Blocks in `u_blocks` order (most recently created first).
    pub(super) fn list_order(&self) -> std::ops::Range<usize> {
        0..self.blocks.len()
    }

    /// Runs every pass of CPython 3.11's `assemble()` and lowers the result.
    pub fn assemble(&mut self, consts: &mut Vec<Const>, first_line: i32) -> Assembled {
        for b in self.list_order().rev() {
            self.normalize_basic_block(b);
        }
        for b in self.list_order().rev() {
            self.extend_block(b);
        }
        self.optimize_cfg(consts);
        self.duplicate_exits_without_lineno();
        self.propagate_line_numbers();
        self.guarantee_lineno_for_exits(first_line);
        self.stackdepth();
        self.label_exception_targets();
        for b in self.layout() {
            for ins in &mut self.blocks[b].instrs {
                if ins.op.is_block_push() || ins.op == Op::PopBlock {
                    ins.op = Op::Nop;
                }
            }
        }
        for b in self.layout() {
            self.clean_basic_block(b);
        }
        self.lower()
    }

    fn lower(&mut self) -> Assembled {
        let order = self.layout();
        let mut offset = 0u32;
        let mut position = vec![usize::MAX; self.blocks.len()];
        for (k, &b) in order.iter().enumerate() {
            self.blocks[b].offset = offset;
            position[b] = k;
            offset += self.blocks[b].instrs.len() as u32;
        }
        let mut instrs = Vec::with_capacity(offset as usize);
        let mut locs = Vec::with_capacity(offset as usize);
        let mut table: Vec<ExceptionEntry> = Vec::new();
        let mut handler: Option<BlockId> = None;
        let mut start = 0u32;
        let mut index = 0u32;
        for (k, &b) in order.iter().enumerate() {
            for ins in &self.blocks[b].instrs {
                if ins.except != handler {
                    if let Some(h) = handler {
                        table.push(self.table_entry(start, index, h));
                    }
                    start = index;
                    handler = ins.except;
                }
                let (target, forward) = match ins.target {
                    Some(t) => (self.blocks[t].offset, position[t] > k),
                    None => (0, true),
                };
                instrs.push(lower_one(ins, target, forward));
                locs.push(if ins.loc.line < 0 {
                    Loc::default()
                } else {
                    Loc { line: ins.loc.line as u32, col: ins.loc.col.max(0) as u32 }
                });
                index += 1;
            }
        }
        if let Some(h) = handler {
            table.push(self.table_entry(start, index, h));
        }
        Assembled { instrs, locs, exception_table: table }
    }

    fn table_entry(&self, start: u32, end: u32, h: BlockId) -> ExceptionEntry {
        let block = &self.blocks[h];
        let lasti = block.preserve_lasti;
        let depth = block.startdepth.unwrap_or(1) - 1 - i32::from(lasti);
        ExceptionEntry { start, end, target: block.offset, depth: depth.max(0) as u32, lasti }
    }
}

fn lower_one(ins: &Ins, target: u32, forward: bool) -> Instr {
    let a = ins.arg;
    match ins.op {
        Op::Nop | Op::SetupWith | Op::SetupCleanup | Op::SetupFinally | Op::PopBlock => Instr::Nop,
        Op::CheckExcMatch => Instr::CheckExcMatch,
        Op::DeleteFast => Instr::DeleteFast(a),
        Op::DeleteName => Instr::DeleteName(a),
        Op::DeleteGlobal => Instr::DeleteGlobal(a),
        Op::Resume => Instr::Resume(a),
        Op::PopTop => Instr::PopTop,
        Op::PushNull => Instr::PushNull,
        Op::Copy => Instr::Copy(a),
        Op::Swap => Instr::Swap(a),
        Op::LoadConst => Instr::LoadConst(a),
        Op::LoadName => Instr::LoadName(a),
        Op::StoreName => Instr::StoreName(a),
        Op::LoadGlobal => Instr::LoadGlobal { slot: a >> 1, push_null: a & 1 != 0 },
        Op::StoreGlobal => Instr::StoreGlobal(a),
        Op::LoadFast => Instr::LoadFast(a),
        Op::StoreFast => Instr::StoreFast(a),
        Op::LoadAttr => Instr::LoadAttr(a),
        Op::LoadMethod => Instr::LoadMethod(a),
        Op::ImportName => Instr::ImportName(a),
        Op::ImportFrom => Instr::ImportFrom(a),
        Op::SetupAnnotations => Instr::SetupAnnotations(a),
        Op::MakeFunction => Instr::MakeFunction(a),
        Op::BuildTuple => Instr::BuildTuple(a),
        Op::BuildString => Instr::BuildString(a),
        Op::FormatValue => Instr::FormatValue(a),
        Op::KwNames => Instr::KwNames(a),
        Op::Precall => Instr::Precall(a),
        Op::Call => Instr::Call(a),
        Op::BinaryOp => {
            let inplace = a >= 13;
            let op = BinOp::from_nb_code(a).unwrap_or(BinOp::Sub);
            Instr::BinaryOp { op, inplace }
        }
        Op::CompareOp => Instr::CompareOp(match a {
            0 => CmpOp::Lt,
            1 => CmpOp::Le,
            2 => CmpOp::Eq,
            3 => CmpOp::Ne,
            4 => CmpOp::Gt,
            _ => CmpOp::Ge,
        }),
        Op::IsOp => Instr::IsOp(a != 0),
        Op::ContainsOp => Instr::ContainsOp(a != 0),
        Op::UnaryNot => Instr::UnaryNot,
        Op::UnaryNegative => Instr::UnaryNegative,
        Op::UnaryPositive => Instr::UnaryPositive,
        Op::UnaryInvert => Instr::UnaryInvert,
        Op::GetIter => Instr::GetIter,
        Op::ForIter => Instr::ForIter(target),
        Op::UnpackSequence => Instr::UnpackSequence(a),
        Op::UnpackEx => Instr::UnpackEx(a),
        Op::CallFunctionEx => Instr::CallFunctionEx(a),
        Op::DictMerge => Instr::DictMerge(a),
        Op::ListToTuple => Instr::ListToTuple,
        Op::ReturnGenerator => Instr::ReturnGenerator,
        Op::YieldValue => Instr::YieldValue,
        Op::ReturnValue => Instr::ReturnValue,
        Op::LoadAssertionError => Instr::LoadAssertionError,
        Op::RaiseVarargs => Instr::RaiseVarargs(a),
        Op::BeforeWith => Instr::BeforeWith,
        Op::PushExcInfo => Instr::PushExcInfo,
        Op::WithExceptStart => Instr::WithExceptStart,
        Op::Reraise => Instr::Reraise(a),
        Op::PopExcept => Instr::PopExcept,
        Op::Jump => {
            if forward {
                Instr::JumpForward(target)
            } else {
                Instr::JumpBackward(target)
            }
        }
        Op::PopJumpIfFalse => {
            if forward {
                Instr::PopJumpForwardIfFalse(target)
            } else {
                Instr::PopJumpBackwardIfFalse(target)
            }
        }
        Op::PopJumpIfTrue => {
            if forward {
                Instr::PopJumpForwardIfTrue(target)
            } else {
                Instr::PopJumpBackwardIfTrue(target)
            }
        }
        Op::PopJumpIfNone => {
            if forward {
                Instr::PopJumpForwardIfNone(target)
            } else {
                Instr::PopJumpBackwardIfNone(target)
            }
        }
        Op::PopJumpIfNotNone => {
            if forward {
                Instr::PopJumpForwardIfNotNone(target)
            } else {
                Instr::PopJumpBackwardIfNotNone(target)
            }
        }
        Op::BuildList => Instr::BuildList(a),
        Op::BuildMap => Instr::BuildMap(a),
        Op::BuildConstKeyMap => Instr::BuildConstKeyMap(a),
        Op::ListExtend => Instr::ListExtend(a),
        Op::ListAppend => Instr::ListAppend(a),
        Op::BuildSet => Instr::BuildSet(a),
        Op::SetAdd => Instr::SetAdd(a),
        Op::SetUpdate => Instr::SetUpdate(a),
        Op::MapAdd => Instr::MapAdd(a),
        Op::BinarySubscr => Instr::BinarySubscr,
        Op::StoreSubscr => Instr::StoreSubscr,
        Op::StoreAttr => Instr::StoreAttr(a),
        Op::DeleteSubscr => Instr::DeleteSubscr,
        Op::DeleteAttr => Instr::DeleteAttr(a),
        Op::LoadBuildClass => Instr::LoadBuildClass,
        Op::BuildSlice => Instr::BuildSlice(a),
        Op::MakeCell => Instr::MakeCell(a),
        Op::CopyFreeVars => Instr::CopyFreeVars(a),
        Op::LoadClosure => Instr::LoadClosure(a),
        Op::LoadDeref => Instr::LoadDeref(a),
        Op::StoreDeref => Instr::StoreDeref(a),
        Op::DeleteDeref => Instr::DeleteDeref(a),
        Op::JumpIfFalseOrPop => Instr::JumpIfFalseOrPop(target),
        Op::JumpIfTrueOrPop => Instr::JumpIfTrueOrPop(target),
    }
}
