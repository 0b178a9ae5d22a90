//! The compiled program: code objects of CPython 3.11-style instructions.
//!
//! This stage depends on nothing above it (no parser, no VM): it is plain data that the compiler
//! produces and the VM executes.

mod disasm;
pub mod draws;
mod instr;
pub mod switch;

pub use disasm::{argrepr, describe_instr, disassemble, DisOptions};
pub use draws::{Draws, Tape};
pub use instr::{BinOp, CmpOp, GlobalId, Instr, Label};
pub use switch::{switch_marks, SwitchKind, SwitchMark, SwitchModel};

use num_bigint::BigInt;
use std::sync::Arc;

/// Index of a code object in [`Program::codes`]; 0 is the module.
pub type CodeId = u32;

/// A compile-time constant (`co_consts` entry).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Const {
    /// `None`
    None,
    /// `True` / `False`
    Bool(bool),
    /// An int that fits in 64 bits.
    Int(i64),
    /// An int that does not.
    BigInt(Arc<BigInt>),
    /// A float.
    Float(crate::pyfloat::Float),
    /// A str.
    Str(Arc<str>),
    /// A tuple of constants.
    Tuple(Arc<[Const]>),
    /// A frozenset of constants (a set display of three or more constants), its items in
    /// the order the display lists them.
    FrozenSet(Arc<[Const]>),
    /// A code object (the body of a `def`).
    Code(CodeId),
}

/// The name of the library module whose Python source (its prelude) is compiled with a program
/// that imports it.
pub const FUTURES: &str = "concurrent.futures";

/// The names a program may take from `concurrent.futures`.
pub const FUTURES_EXPORTS: &[&str] = &["ThreadPoolExecutor", "Future", "as_completed"];

/// The builtin that only a library prelude can name: `_pick(n)` draws an index below `n`, a
/// choice the checker explores value by value like an unseeded `random.randint` (the order in
/// which `as_completed` hands out futures that had already finished, which CPython takes from a
/// set of them ordered by their addresses).
pub const LIBRARY_PICK: &str = "_pick";

/// The module whose prelude holds the parts of `threading` that CPython writes in Python on top
/// of the parts the checker models natively: `threading.Timer`.
pub const THREADING: &str = "threading";

/// The names of `threading` that its prelude defines.
pub const THREADING_EXPORTS: &[&str] = &["Timer"];

impl Const {
    /// The constant's truth value, as `bool()` gives it.
    pub fn truthy(&self) -> bool {
        match self {
            Const::None => false,
            Const::Bool(b) => *b,
            Const::Int(i) => *i != 0,
            Const::BigInt(_) => true,
            Const::Float(f) => f.0 != 0.0,
            Const::Str(s) => !s.is_empty(),
            Const::Tuple(t) | Const::FrozenSet(t) => !t.is_empty(),
            Const::Code(_) => true,
        }
    }

    /// `repr()` of the constant as `dis` shows it, e.g. `'file1.zip'` or `('target',)`.
    pub fn repr(&self, program: &Program) -> String {
        match self {
            Const::None => "None".into(),
            Const::Bool(b) => if *b { "True" } else { "False" }.into(),
            Const::Int(i) => i.to_string(),
            Const::BigInt(i) => i.to_string(),
            Const::Float(f) => crate::pyfloat::repr(f.0),
            Const::Str(s) => py_str_repr(s),
            Const::Tuple(items) => {
                let parts: Vec<String> = items.iter().map(|c| c.repr(program)).collect();
                if parts.len() == 1 {
                    format!("({},)", parts[0])
                } else {
                    format!("({})", parts.join(", "))
                }
            }
            Const::FrozenSet(items) => {
                let parts: Vec<String> = frozenset_order(items).iter().map(|c| c.repr(program)).collect();
                if parts.is_empty() {
                    "frozenset()".into()
                } else {
                    format!("frozenset({{{}}})", parts.join(", "))
                }
            }
            Const::Code(id) => format!("<code object {}>", program.codes[*id as usize].name),
        }
    }

    /// The hash CPython gives the constant, where it does not depend on the run: numbers and
    /// tuples of them.
    pub(crate) fn known_hash(&self) -> Option<i64> {
        match self {
            Const::Int(i) => Some(crate::pyset::hash_int(*i)),
            Const::BigInt(b) => Some(crate::pyset::hash_bigint(b)),
            Const::Bool(b) => Some(crate::pyset::hash_bool(*b)),
            Const::Float(f) => crate::pyset::hash_float(f.0),
            Const::Tuple(items) => {
                let hashes: Option<Vec<i64>> = items.iter().map(Const::known_hash).collect();
                hashes.map(|h| crate::pyset::hash_tuple(&h))
            }
            _ => None,
        }
    }

    /// `self == other` for hashable constants (numbers by value, tuples item by item).
    fn same_key(&self, other: &Const) -> bool {
        let num = |c: &Const| match c {
            Const::Int(i) => Some(*i as f64),
            Const::Bool(b) => Some(f64::from(u8::from(*b))),
            Const::Float(f) => Some(f.0),
            _ => None,
        };
        match (self, other) {
            (Const::Int(a), Const::Int(b)) => a == b,
            (Const::Int(a), Const::Bool(b)) | (Const::Bool(b), Const::Int(a)) => *a == i64::from(*b),
            (Const::Tuple(a), Const::Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.same_key(y))
            }
            (Const::BigInt(a), Const::BigInt(b)) => a == b,
            _ => match (num(self), num(other)) {
                (Some(a), Some(b)) => a == b,
                _ => self == other,
            },
        }
    }
}

/// The items of a frozenset constant in the order CPython 3.11 iterates it, each equal item
/// once. The optimizer builds a frozenset from the display's items in order; the compiler's
/// constant merging (`merge_consts_recursive`) then replaces it with a new frozenset built from
/// the first one's items in its order, and that one is the constant. Items whose hash varies
/// from run to run (strs) keep the display's order, which CPython does not promise.
pub(crate) fn frozenset_order(items: &[Const]) -> Vec<&Const> {
    let first = table_order(items);
    let owned: Vec<Const> = first.iter().map(|c| (*c).clone()).collect();
    let second = table_order(&owned);
    let positions: Vec<usize> =
        second.iter().map(|c| items.iter().position(|x| x == *c).expect("an item of the display")).collect();
    positions.into_iter().map(|i| &items[i]).collect()
}

/// The items in the order of a set table they are added to in order.
fn table_order(items: &[Const]) -> Vec<&Const> {
    let hashes: Option<Vec<i64>> = items.iter().map(Const::known_hash).collect();
    let Some(hashes) = hashes else {
        let mut out: Vec<&Const> = Vec::new();
        for c in items {
            if !out.iter().any(|o| o.same_key(c)) {
                out.push(c);
            }
        }
        return out;
    };
    let mut table = crate::pyset::SetTable::new();
    for (i, h) in hashes.into_iter().enumerate() {
        table.add(h, i, &mut |a: &usize, b: &usize| items[*a].same_key(&items[*b]));
    }
    table.iter().map(|i| &items[*i]).collect()
}

/// Python's `repr()` of a str (single quotes unless the text holds one and no double quote).
pub fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// A source position: 1-based line and 1-based column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Loc {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

/// One entry of a code object's exception table (3.11's `co_exceptiontable`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ExceptionEntry {
    /// First covered instruction.
    pub start: Label,
    /// One past the last covered instruction.
    pub end: Label,
    /// Handler instruction.
    pub target: Label,
    /// Value-stack depth to unwind to before pushing the exception.
    pub depth: u32,
    /// Whether the handler also gets the offset of the raising instruction (pushed first).
    pub lasti: bool,
}

/// What kind of scope a code object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum CodeKind {
    /// Module-level code (runs in the main thread).
    Module,
    /// A `def` at module level or in a class body.
    Function,
    /// A class body (run once by `__build_class__`; its names live in the class namespace).
    Class,
}

/// Primary container of a single code object: the module's or a function's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeObject {
    /// `co_name`: `<module>` or the function's name.
    pub name: String,
    /// Module or function.
    pub kind: CodeKind,
    /// Number of positional parameters (the first `argcount` of `varnames`).
    pub argcount: u32,
    /// `co_varnames`: parameters then locals.
    pub varnames: Vec<String>,
    /// `co_cellvars`: variables of this code that nested functions refer to, in CPython's order
    /// (a parameter among them keeps its `varnames` slot; the others follow `varnames`).
    pub cellvars: Vec<String>,
    /// `co_freevars`: variables of enclosing functions this code refers to (its closure), in
    /// the last fast-local slots.
    pub freevars: Vec<String>,
    /// `co_consts`.
    pub consts: Vec<Const>,
    /// `co_names`: attribute and module names used by LOAD_ATTR / LOAD_METHOD / IMPORT_NAME.
    pub names: Vec<String>,
    /// The instructions.
    pub instrs: Vec<Instr>,
    /// Source position of each instruction (same length as `instrs`).
    pub locs: Vec<Loc>,
    /// The exception table.
    pub exception_table: Vec<ExceptionEntry>,
    /// Line of the `def` (1 for the module).
    pub first_line: u32,
    /// `co_qualname`: `Class.method` for a method, else the name (used in CPython's messages).
    pub qualname: String,
    /// The default values of the last `defaults.len()` positional parameters. CPython keeps
    /// them on the function object (`__defaults__`); the subset accepts only constant defaults,
    /// which every function object made from this code shares.
    pub defaults: Vec<Const>,
    /// `CO_VARARGS`: a `*args` parameter (the slot after the positional ones) takes the
    /// positional arguments beyond `argcount`, as a tuple.
    pub varargs: bool,
    /// `CO_VARKEYWORDS`: a `**kwargs` parameter (the last parameter slot) takes the keyword
    /// arguments no parameter names, as a dict.
    pub varkw: bool,
    /// `co_kwonlyargcount`: keyword-only parameters, in the slots after the positional ones.
    pub kwonlyargcount: u32,
    /// The default values of keyword-only parameters, by name (`__kwdefaults__`; constants,
    /// like `defaults`).
    pub kwdefaults: Vec<(String, Const)>,
    /// `CO_GENERATOR`: calling a function of this code makes a generator (its frame stops at
    /// RETURN_GENERATOR and is resumed by iteration).
    pub generator: bool,
}

impl CodeObject {
    /// The names of the fast-local slots (3.11's `co_localsplusnames`): `varnames`, then the
    /// cell variables that are not parameters, then `freevars`.
    pub fn localsplus_names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.varnames.iter().map(String::as_str).collect();
        out.extend(self.cellvars.iter().filter(|c| !self.varnames.contains(c)).map(String::as_str));
        out.extend(self.freevars.iter().map(String::as_str));
        out
    }

    /// The number of fast-local slots (`varnames`, cells that are not parameters, `freevars`).
    pub fn nlocalsplus(&self) -> usize {
        self.varnames.len() + self.cellvars.iter().filter(|c| !self.varnames.contains(c)).count() + self.freevars.len()
    }
}

/// A whole compiled program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// The file name shown in diagnostics.
    pub filename: String,
    /// Code objects; index 0 is the module.
    pub codes: Vec<CodeObject>,
    /// Names of the module's global slots; [`GlobalId`] indexes this.
    pub globals: Vec<String>,
    /// Whether C code may call back into the program's Python code: a class defines a special
    /// method (`__str__`, `__eq__`, …) or a call passes `key=`. Steps then run through
    /// the VM's slower step path that makes those calls.
    pub callbacks: bool,
    /// The library modules linked into the program, for those it uses that have a prelude
    /// (the compiler's prelude, `compile/prelude.rs`), in the order their bodies run.
    pub libraries: Vec<Library>,
    /// Its unseeded random draws and the values one exploration gives them.
    pub draws: Draws,
    /// Whether it may start a daemon thread (`threading.Thread(..., daemon=...)`): then the
    /// main thread's end waits for the other threads and ends the daemons in a step of its own.
    pub daemons: bool,
    /// Whether it counts the live threads (`threading.active_count()`): then a thread that
    /// returns from its target leaves `threading`'s table of active threads in a step of its
    /// own, before it ends ([`Program::counting_active`]).
    pub counts_active: bool,
}

/// A library module compiled into the program: its code objects are
/// `module..end` of [`Program::codes`], the first its body, which runs before the program's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Library {
    /// The code object of the module's body.
    pub module: CodeId,
    /// One past its last code object.
    pub end: CodeId,
    /// The module's name, e.g. `concurrent.futures`.
    pub name: &'static str,
    /// Its source text.
    pub source: &'static str,
    /// The global slot of the function the interpreter calls at exit, after the main thread's
    /// code ends and before it waits for the other threads (`threading._register_atexit`), if
    /// the module registers one (at most one linked module does).
    pub at_exit: Option<GlobalId>,
    /// Whether the module's instructions other than calls (`CALL`, `CALL_FUNCTION_EX`,
    /// `BEFORE_WITH`) and `FOR_ITER` run on without a thread switch before them. Sound because
    /// those instructions touch only the module's own objects (a future's state, an executor's
    /// fields, tuples the program handed over), which its threads share only under its locks or
    /// hand over through its queues: a switch before them changes nothing another thread can
    /// see, so each such step commutes with every step of the other threads (a Lipton
    /// left-mover after the call that precedes it). Calls and `FOR_ITER` (which may read the
    /// program's iterables) keep every switch the model allows.
    pub atomic: bool,
}

impl Program {
    /// A program of these code objects (the module's first) and global names, run under
    /// [`SwitchModel::Bytecode`].
    pub fn new(filename: String, codes: Vec<CodeObject>, globals: Vec<String>) -> Program {
        let callbacks = calls_back(&codes);
        Program {
            filename,
            codes,
            globals,
            callbacks,
            libraries: Vec::new(),
            draws: Draws::default(),
            daemons: false,
            counts_active: false,
        }
    }

    /// Recomputes [`Program::callbacks`] after code objects were added.
    pub fn refresh_callbacks(&mut self) {
        self.callbacks = calls_back(&self.codes);
    }

    /// The same program, with the library modules' steps between their calls run without a
    /// switch where the module allows it (`true`, the default; see [`Library::atomic`]) or
    /// switching wherever the switch model allows (`false`: the plain model, to check the
    /// reduction against).
    pub fn with_library_atomic(mut self, atomic: bool) -> Program {
        for l in &mut self.libraries {
            l.atomic &= atomic;
        }
        self
    }

    /// The same program with its unseeded draws taking the values of `tape`, and nothing yet
    /// found beyond it.
    pub fn with_tape(mut self, tape: Tape) -> Program {
        self.draws = Draws { active: self.draws.active, at: self.draws.at, tape, open: Default::default() };
        self
    }

    /// The program's own code objects with their ids (the library module's left out), in order.
    pub fn own_codes(&self) -> impl Iterator<Item = (CodeId, &CodeObject)> {
        self.codes.iter().enumerate().map(|(i, c)| (i as CodeId, c)).filter(|(i, _)| !self.is_library(*i))
    }

    /// Whether any code object names `active_count` (an attribute or an imported name): the
    /// program may count the live threads.
    pub fn counting_active(&self) -> bool {
        self.codes.iter().any(|c| c.names.iter().any(|n| n == "active_count"))
    }

    /// Whether code object `id` belongs to a linked library module, not to the program.
    pub fn is_library(&self, id: CodeId) -> bool {
        self.library_of(id).is_some()
    }

    /// The linked library module that code object `id` belongs to, if any.
    pub fn library_of(&self, id: CodeId) -> Option<&Library> {
        self.libraries.iter().find(|l| (l.module..l.end).contains(&id))
    }

    /// Whether some linked library module runs its own steps as transactions
    /// ([`Library::atomic`]).
    pub fn atomic_library(&self) -> bool {
        self.libraries.iter().any(|l| l.atomic)
    }

    /// The global slot of the function a linked library module registered to run at the
    /// interpreter's exit ([`Library::at_exit`]), if one did.
    pub fn exit_function(&self) -> Option<GlobalId> {
        self.libraries.iter().find_map(|l| l.at_exit)
    }

    /// The library module's global `name` (e.g. `ThreadPoolExecutor` of `concurrent.futures`).
    pub fn library_global(&self, module: &str, name: &str) -> Option<GlobalId> {
        self.global_slot(&format!("{module}.{name}"))
    }

    /// The module's code object.
    pub fn module(&self) -> &CodeObject {
        &self.codes[0]
    }

    /// The code object with this id.
    pub fn code(&self, id: CodeId) -> &CodeObject {
        &self.codes[id as usize]
    }

    /// The name of global `slot` as Python code sees it: a library module's globals are stored
    /// qualified by the module (`concurrent.futures.Future`), which no Python name can be.
    pub fn global_name(&self, slot: GlobalId) -> &str {
        let full = self.globals[slot as usize].as_str();
        full.rsplit_once('.').map_or(full, |(_, name)| name)
    }

    /// Whether `name` (an entry of [`Program::globals`]) is a library module's global.
    pub fn is_library_name(name: &str) -> bool {
        name.contains('.')
    }

    /// The slot of the global named `name`, if the program uses it.
    pub fn global_slot(&self, name: &str) -> Option<GlobalId> {
        self.globals.iter().position(|g| g == name).map(|i| i as GlobalId)
    }
}

/// The special methods (besides `__init__`) that a class may define and that C code calls back:
/// `str()` / `print` / formatting, `repr()`, `==` and `!=`, `with`.
pub const SPECIAL_METHODS: &[&str] = &["__str__", "__repr__", "__eq__", "__ne__", "__enter__", "__exit__"];

/// Whether C code may call back into these code objects: a method is named like a special one
/// (its qualname is `C.name`), a call passes `key=`, or `Condition.wait_for` is named.
fn calls_back(codes: &[CodeObject]) -> bool {
    codes.iter().any(|c| {
        SPECIAL_METHODS.contains(&c.name.as_str()) && c.qualname.ends_with(&format!(".{}", c.name))
            || c.names.iter().any(|n| n == "wait_for" || n == "reduce")
            || c.consts.iter().any(|k| {
                matches!(k, Const::Tuple(names) if names.iter().any(|n| matches!(n, Const::Str(s) if &**s == "key")))
            })
    })
}

/// The names of `typing` a program may import or name (each is an opaque value: annotations only
/// name them).
pub const TYPING_NAMES: &[&str] = &[
    "Any",
    "Callable",
    "ClassVar",
    "Deque",
    "DefaultDict",
    "Dict",
    "Final",
    "FrozenSet",
    "Generic",
    "Iterable",
    "Iterator",
    "List",
    "Literal",
    "Mapping",
    "NoReturn",
    "Optional",
    "Sequence",
    "Set",
    "Tuple",
    "Type",
    "TypeVar",
    "Union",
];
