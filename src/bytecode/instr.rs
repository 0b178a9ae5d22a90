//! `Instr`: one CPython 3.11 instruction, named and grained as `dis` shows it (CACHE entries omitted).
//!
//! Jump targets are instruction indices into the same code object, not byte offsets.

use std::fmt;

/// An index into a code object's instruction list.
pub type Label = u32;

/// A program-wide global variable slot (module namespace entry), see [`crate::bytecode::Program::globals`].
pub type GlobalId = u32;

/// The operator of `BINARY_OP`, numbered as CPython 3.11's `NB_*` constants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `//`
    FloorDiv,
    /// `/`
    TrueDiv,
    /// `%`
    Mod,
    /// `&`
    And,
    /// `|`
    Or,
    /// `^`
    Xor,
    /// `<<`
    Lshift,
    /// `>>`
    Rshift,
    /// `**`
    Pow,
}

impl BinOp {
    /// The operator's source symbol, e.g. `+`.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::FloorDiv => "//",
            BinOp::TrueDiv => "/",
            BinOp::Mod => "%",
            BinOp::And => "&",
            BinOp::Or => "|",
            BinOp::Xor => "^",
            BinOp::Lshift => "<<",
            BinOp::Rshift => ">>",
            BinOp::Pow => "**",
        }
    }

    /// CPython 3.11's `NB_*` number for the plain operator (add 13 for the in-place form).
    pub fn nb_code(self) -> u32 {
        match self {
            BinOp::Add => 0,
            BinOp::And => 1,
            BinOp::FloorDiv => 2,
            BinOp::Lshift => 3,
            BinOp::Mul => 5,
            BinOp::Mod => 6,
            BinOp::Or => 7,
            BinOp::Pow => 8,
            BinOp::Rshift => 9,
            BinOp::Sub => 10,
            BinOp::TrueDiv => 11,
            BinOp::Xor => 12,
        }
    }

    /// The operator of CPython 3.11's `NB_*` number `code` (the in-place forms, 13 and up,
    /// give the plain operator); `None` for operators outside the subset (`@`).
    pub fn from_nb_code(code: u32) -> Option<BinOp> {
        Some(match code % 13 {
            0 => BinOp::Add,
            1 => BinOp::And,
            2 => BinOp::FloorDiv,
            3 => BinOp::Lshift,
            5 => BinOp::Mul,
            6 => BinOp::Mod,
            7 => BinOp::Or,
            8 => BinOp::Pow,
            9 => BinOp::Rshift,
            10 => BinOp::Sub,
            11 => BinOp::TrueDiv,
            12 => BinOp::Xor,
            _ => return None,
        })
    }
}

/// The operator of `COMPARE_OP`, in CPython's `cmp_op` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator's source symbol, e.g. `<=`.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// One bytecode instruction. Operands that index tables refer to the enclosing
/// [`CodeObject`](crate::bytecode::CodeObject) (`consts`, `varnames`, `names`) or to the
/// program-wide global slots ([`GlobalId`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Instr {
    /// `NOP`
    Nop,
    /// `RESUME arg`: frame start (0) — an eval-breaker check site in CPython 3.11+.
    Resume(u32),
    /// `POP_TOP`
    PopTop,
    /// `PUSH_NULL`
    PushNull,
    /// `COPY n`: push a copy of the n-th item (1 = top).
    Copy(u32),
    /// `SWAP n`: swap the top with the n-th item.
    Swap(u32),
    /// `LOAD_CONST i` (index into `consts`).
    LoadConst(u32),
    /// `LOAD_NAME g` (module scope; falls back to builtins).
    LoadName(GlobalId),
    /// `STORE_NAME g` (module scope).
    StoreName(GlobalId),
    /// `LOAD_GLOBAL g`, pushing NULL first when `push_null` (3.11's `NULL + name`).
    LoadGlobal {
        /// The global slot.
        slot: GlobalId,
        /// Push NULL before the value (call sequence).
        push_null: bool,
    },
    /// `STORE_GLOBAL g`
    StoreGlobal(GlobalId),
    /// `LOAD_FAST i` (index into `varnames`).
    LoadFast(u32),
    /// `STORE_FAST i`
    StoreFast(u32),
    /// `LOAD_ATTR i` (index into `names`).
    LoadAttr(u32),
    /// `LOAD_METHOD i` (index into `names`).
    LoadMethod(u32),
    /// `IMPORT_NAME i` (index into `names`); pops level and fromlist.
    ImportName(u32),
    /// `IMPORT_FROM i` (index into `names`): the module stays on the stack, its attribute is
    /// pushed above it.
    ImportFrom(u32),
    /// `SETUP_ANNOTATIONS`: binds `__annotations__` in the module or class namespace (no
    /// argument in CPython; here the global slot of the name `__annotations__`).
    SetupAnnotations(GlobalId),
    /// `MAKE_FUNCTION flags` (the code object is on the stack; flag 8: a tuple of closure cells
    /// below it, then flag 4: an annotations tuple, then flag 1: the defaults tuple).
    MakeFunction(u32),
    /// `BUILD_TUPLE n`
    BuildTuple(u32),
    /// `BUILD_STRING n`
    BuildString(u32),
    /// `FORMAT_VALUE flags`
    FormatValue(u32),
    /// `KW_NAMES i`: the constant tuple `consts[i]` names the last keyword arguments of the next CALL.
    KwNames(u32),
    /// `PRECALL n`
    Precall(u32),
    /// `CALL n`
    Call(u32),
    /// `BINARY_OP op` (`inplace` for the augmented-assignment form, e.g. `+=`).
    BinaryOp {
        /// The arithmetic operator.
        op: BinOp,
        /// Whether this is the augmented (`+=`) form.
        inplace: bool,
    },
    /// `COMPARE_OP op`
    CompareOp(CmpOp),
    /// `IS_OP invert`
    IsOp(bool),
    /// `CONTAINS_OP invert`
    ContainsOp(bool),
    /// `UNARY_NOT`
    UnaryNot,
    /// `UNARY_NEGATIVE`
    UnaryNegative,
    /// `UNARY_POSITIVE`
    UnaryPositive,
    /// `UNARY_INVERT`
    UnaryInvert,
    /// `GET_ITER`
    GetIter,
    /// `FOR_ITER target`: on exhaustion pop the iterator and jump to `target`.
    ForIter(Label),
    /// `UNPACK_SEQUENCE n`
    UnpackSequence(u32),
    /// `UNPACK_EX before | after << 8`: unpacks an iterable into `before` items, a list of the
    /// rest, and `after` items (`a, *rest, z = xs`).
    UnpackEx(u32),
    /// `CALL_FUNCTION_EX flags`: calls the callable under a tuple of positional arguments (and,
    /// with flag 1, a dict of keyword arguments): `f(*args, **kwargs)`.
    CallFunctionEx(u32),
    /// `DICT_MERGE i`: merges the mapping on top into the dict `i` below it, refusing a key
    /// that is already there (keyword arguments of a call).
    DictMerge(u32),
    /// `LIST_TO_TUPLE`: the list on top becomes a tuple.
    ListToTuple,
    /// `RETURN_GENERATOR`: the first instruction of a generator's code (after its cell
    /// prefix): the frame becomes a generator object, handed to the caller; it resumes at the
    /// next instruction.
    ReturnGenerator,
    /// `YIELD_VALUE`: suspends the generator, handing the value on top to whoever resumed it;
    /// the value sent in on resumption takes its place.
    YieldValue,
    /// `JUMP_FORWARD target`
    JumpForward(Label),
    /// `JUMP_BACKWARD target` (a loop back-edge).
    JumpBackward(Label),
    /// `POP_JUMP_FORWARD_IF_FALSE target`
    PopJumpForwardIfFalse(Label),
    /// `POP_JUMP_FORWARD_IF_TRUE target`
    PopJumpForwardIfTrue(Label),
    /// `POP_JUMP_FORWARD_IF_NONE target`
    PopJumpForwardIfNone(Label),
    /// `POP_JUMP_FORWARD_IF_NOT_NONE target`
    PopJumpForwardIfNotNone(Label),
    /// `POP_JUMP_BACKWARD_IF_FALSE target`
    PopJumpBackwardIfFalse(Label),
    /// `POP_JUMP_BACKWARD_IF_TRUE target`
    PopJumpBackwardIfTrue(Label),
    /// `POP_JUMP_BACKWARD_IF_NONE target`
    PopJumpBackwardIfNone(Label),
    /// `POP_JUMP_BACKWARD_IF_NOT_NONE target`
    PopJumpBackwardIfNotNone(Label),
    /// `JUMP_IF_FALSE_OR_POP target`
    JumpIfFalseOrPop(Label),
    /// `JUMP_IF_TRUE_OR_POP target`
    JumpIfTrueOrPop(Label),
    /// `RETURN_VALUE`
    ReturnValue,
    /// `LOAD_ASSERTION_ERROR`
    LoadAssertionError,
    /// `RAISE_VARARGS n`
    RaiseVarargs(u32),
    /// `BEFORE_WITH`: call `__enter__` (for a lock: acquire, blocking while it is held).
    BeforeWith,
    /// `PUSH_EXC_INFO`
    PushExcInfo,
    /// `WITH_EXCEPT_START`: call `__exit__` with the exception.
    WithExceptStart,
    /// `RERAISE n`
    Reraise(u32),
    /// `POP_EXCEPT`
    PopExcept,
    /// `CHECK_EXC_MATCH`: whether the exception under the top matches the type on top (which
    /// it replaces with the answer).
    CheckExcMatch,
    /// `DELETE_FAST i` (index into `varnames`).
    DeleteFast(u32),
    /// `DELETE_NAME g` (module scope).
    DeleteName(GlobalId),
    /// `DELETE_GLOBAL g`
    DeleteGlobal(GlobalId),
    /// `BUILD_LIST n`
    BuildList(u32),
    /// `BUILD_MAP n`: a dict from `n` key/value pairs on the stack.
    BuildMap(u32),
    /// `BUILD_CONST_KEY_MAP n`: a dict from `n` values and a constant tuple of keys on top.
    BuildConstKeyMap(u32),
    /// `LIST_EXTEND i`: extends the list `i` below the top with the iterable on top.
    ListExtend(u32),
    /// `LIST_APPEND i`: appends the top (popped) to the list `i` below it (comprehensions).
    ListAppend(u32),
    /// `MAP_ADD i`: sets key and value (popped, value on top) in the dict `i` below them.
    MapAdd(u32),
    /// `BUILD_SET n`: a set of the `n` items on the stack, added bottom first.
    BuildSet(u32),
    /// `SET_ADD i`: adds the top (popped) to the set `i` below it (set comprehensions).
    SetAdd(u32),
    /// `SET_UPDATE i`: adds the items of the iterable on top (popped) to the set `i` below it.
    SetUpdate(u32),
    /// `BINARY_SUBSCR`: `container[key]`.
    BinarySubscr,
    /// `STORE_SUBSCR`: `container[key] = value` (stack: value, container, key).
    StoreSubscr,
    /// `STORE_ATTR i` (index into `names`; stack: value, object).
    StoreAttr(u32),
    /// `DELETE_SUBSCR`: `del container[key]` (stack: container, key).
    DeleteSubscr,
    /// `DELETE_ATTR i`: `del object.name` (index into `names`).
    DeleteAttr(u32),
    /// `LOAD_BUILD_CLASS`: push `builtins.__build_class__`.
    LoadBuildClass,
    /// `BUILD_SLICE n`: a slice of the 2 (start, stop) or 3 (and step) items on top.
    BuildSlice(u32),
    /// `MAKE_CELL i`: wraps fast-local slot `i` (a parameter's value, or unbound) in a new cell.
    MakeCell(u32),
    /// `COPY_FREE_VARS n`: the function's closure cells fill the last `n` fast-local slots.
    CopyFreeVars(u32),
    /// `LOAD_CLOSURE i`: push the cell in fast-local slot `i` (to build a closure tuple).
    LoadClosure(u32),
    /// `LOAD_DEREF i`: push the contents of the cell in fast-local slot `i`.
    LoadDeref(u32),
    /// `STORE_DEREF i`: store the top into the cell in fast-local slot `i`.
    StoreDeref(u32),
    /// `DELETE_DEREF i`: empty the cell in fast-local slot `i`.
    DeleteDeref(u32),
}

impl Instr {
    /// The CPython opname, e.g. `LOAD_GLOBAL`.
    pub fn opname(&self) -> &'static str {
        use Instr::*;
        match self {
            Nop => "NOP",
            Resume(_) => "RESUME",
            PopTop => "POP_TOP",
            PushNull => "PUSH_NULL",
            Copy(_) => "COPY",
            Swap(_) => "SWAP",
            LoadConst(_) => "LOAD_CONST",
            LoadName(_) => "LOAD_NAME",
            StoreName(_) => "STORE_NAME",
            LoadGlobal { .. } => "LOAD_GLOBAL",
            StoreGlobal(_) => "STORE_GLOBAL",
            LoadFast(_) => "LOAD_FAST",
            StoreFast(_) => "STORE_FAST",
            LoadAttr(_) => "LOAD_ATTR",
            LoadMethod(_) => "LOAD_METHOD",
            ImportName(_) => "IMPORT_NAME",
            ImportFrom(_) => "IMPORT_FROM",
            SetupAnnotations(_) => "SETUP_ANNOTATIONS",
            MakeFunction(_) => "MAKE_FUNCTION",
            BuildTuple(_) => "BUILD_TUPLE",
            BuildString(_) => "BUILD_STRING",
            FormatValue(_) => "FORMAT_VALUE",
            KwNames(_) => "KW_NAMES",
            Precall(_) => "PRECALL",
            Call(_) => "CALL",
            BinaryOp { .. } => "BINARY_OP",
            CompareOp(_) => "COMPARE_OP",
            IsOp(_) => "IS_OP",
            ContainsOp(_) => "CONTAINS_OP",
            UnaryNot => "UNARY_NOT",
            UnaryNegative => "UNARY_NEGATIVE",
            UnaryPositive => "UNARY_POSITIVE",
            UnaryInvert => "UNARY_INVERT",
            GetIter => "GET_ITER",
            ForIter(_) => "FOR_ITER",
            UnpackSequence(_) => "UNPACK_SEQUENCE",
            UnpackEx(_) => "UNPACK_EX",
            CallFunctionEx(_) => "CALL_FUNCTION_EX",
            DictMerge(_) => "DICT_MERGE",
            ListToTuple => "LIST_TO_TUPLE",
            ReturnGenerator => "RETURN_GENERATOR",
            YieldValue => "YIELD_VALUE",
            JumpForward(_) => "JUMP_FORWARD",
            JumpBackward(_) => "JUMP_BACKWARD",
            PopJumpForwardIfFalse(_) => "POP_JUMP_FORWARD_IF_FALSE",
            PopJumpForwardIfTrue(_) => "POP_JUMP_FORWARD_IF_TRUE",
            PopJumpForwardIfNone(_) => "POP_JUMP_FORWARD_IF_NONE",
            PopJumpForwardIfNotNone(_) => "POP_JUMP_FORWARD_IF_NOT_NONE",
            PopJumpBackwardIfFalse(_) => "POP_JUMP_BACKWARD_IF_FALSE",
            PopJumpBackwardIfTrue(_) => "POP_JUMP_BACKWARD_IF_TRUE",
            PopJumpBackwardIfNone(_) => "POP_JUMP_BACKWARD_IF_NONE",
            PopJumpBackwardIfNotNone(_) => "POP_JUMP_BACKWARD_IF_NOT_NONE",
            JumpIfFalseOrPop(_) => "JUMP_IF_FALSE_OR_POP",
            JumpIfTrueOrPop(_) => "JUMP_IF_TRUE_OR_POP",
            ReturnValue => "RETURN_VALUE",
            LoadAssertionError => "LOAD_ASSERTION_ERROR",
            RaiseVarargs(_) => "RAISE_VARARGS",
            BeforeWith => "BEFORE_WITH",
            PushExcInfo => "PUSH_EXC_INFO",
            WithExceptStart => "WITH_EXCEPT_START",
            Reraise(_) => "RERAISE",
            PopExcept => "POP_EXCEPT",
            CheckExcMatch => "CHECK_EXC_MATCH",
            DeleteFast(_) => "DELETE_FAST",
            DeleteName(_) => "DELETE_NAME",
            DeleteGlobal(_) => "DELETE_GLOBAL",
            BuildList(_) => "BUILD_LIST",
            BuildMap(_) => "BUILD_MAP",
            BuildConstKeyMap(_) => "BUILD_CONST_KEY_MAP",
            ListExtend(_) => "LIST_EXTEND",
            ListAppend(_) => "LIST_APPEND",
            BuildSet(_) => "BUILD_SET",
            SetAdd(_) => "SET_ADD",
            SetUpdate(_) => "SET_UPDATE",
            MapAdd(_) => "MAP_ADD",
            BinarySubscr => "BINARY_SUBSCR",
            StoreSubscr => "STORE_SUBSCR",
            StoreAttr(_) => "STORE_ATTR",
            DeleteSubscr => "DELETE_SUBSCR",
            DeleteAttr(_) => "DELETE_ATTR",
            LoadBuildClass => "LOAD_BUILD_CLASS",
            BuildSlice(_) => "BUILD_SLICE",
            MakeCell(_) => "MAKE_CELL",
            CopyFreeVars(_) => "COPY_FREE_VARS",
            LoadClosure(_) => "LOAD_CLOSURE",
            LoadDeref(_) => "LOAD_DEREF",
            StoreDeref(_) => "STORE_DEREF",
            DeleteDeref(_) => "DELETE_DEREF",
        }
    }

    /// The jump target, for instructions that can jump.
    pub fn jump_target(&self) -> Option<Label> {
        use Instr::*;
        match *self {
            ForIter(t)
            | JumpForward(t)
            | JumpBackward(t)
            | PopJumpForwardIfFalse(t)
            | PopJumpForwardIfTrue(t)
            | PopJumpForwardIfNone(t)
            | PopJumpForwardIfNotNone(t)
            | PopJumpBackwardIfFalse(t)
            | PopJumpBackwardIfTrue(t)
            | PopJumpBackwardIfNone(t)
            | PopJumpBackwardIfNotNone(t)
            | JumpIfFalseOrPop(t)
            | JumpIfTrueOrPop(t) => Some(t),
            _ => None,
        }
    }

    /// Whether this is a conditional jump that pops its operand (`POP_JUMP_*`).
    pub fn is_pop_jump(&self) -> bool {
        use Instr::*;
        matches!(
            self,
            PopJumpForwardIfFalse(_)
                | PopJumpForwardIfTrue(_)
                | PopJumpForwardIfNone(_)
                | PopJumpForwardIfNotNone(_)
                | PopJumpBackwardIfFalse(_)
                | PopJumpBackwardIfTrue(_)
                | PopJumpBackwardIfNone(_)
                | PopJumpBackwardIfNotNone(_)
        )
    }

    /// Whether this jumps backward (a loop back-edge), conditionally or not.
    pub fn is_back_edge(&self) -> bool {
        use Instr::*;
        matches!(
            self,
            JumpBackward(_)
                | PopJumpBackwardIfFalse(_)
                | PopJumpBackwardIfTrue(_)
                | PopJumpBackwardIfNone(_)
                | PopJumpBackwardIfNotNone(_)
        )
    }

    /// Whether execution can go on to the next instruction in order (not an unconditional
    /// jump, a return or a raise).
    pub fn falls_through(&self) -> bool {
        use Instr::*;
        !matches!(self, JumpForward(_) | JumpBackward(_) | ReturnValue | RaiseVarargs(_) | Reraise(_))
    }
}

impl fmt::Display for Instr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.opname())
    }
}
