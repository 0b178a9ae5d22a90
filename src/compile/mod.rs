//! The compiler: a checked AST ([`crate::frontend`]) to a [`Program`] of code objects whose
//! instructions are exactly those CPython 3.11's compiler emits for the same source, as
//! `python3.11 -m dis` shows them (CACHE entries dropped).
//!
//! Code generation (`stmt`, `expr`) follows `Python/compile.c` of 3.11 construct by construct and
//! builds a control-flow graph (`cfg`), on which the same optimisation and assembly passes run.
//! Constant folding (`fold`) mirrors the AST optimizer; scopes (`symbols`) mirror the symbol table.
//!
//! Conventions of the output, as CPython has them:
//! - `locs[i]` is the start of the node that produced instruction `i` (line, and column counted
//!   in UTF-8 bytes plus one, i.e. `co_positions()`); `Loc { line: 0, col: 0 }` means no location
//!   (e.g. a `with` statement's cleanup handler), and the module's RESUME is at line 0, column 1.
//! - Module code uses LOAD_NAME / STORE_NAME, except for names declared `global` anywhere in the
//!   program, which use LOAD_GLOBAL / STORE_GLOBAL at module level too.
//! - `assert c, msg` raises with `LOAD_ASSERTION_ERROR; <msg>; PRECALL 0; CALL 0` (the CALL sees
//!   `[AssertionError, msg]` as `[callable, self]`, i.e. it calls `AssertionError(msg)`).
//! - A code object may return from several places (small return blocks are duplicated), and
//!   exception-table `end`s are exclusive instruction indices.

mod annotations;
pub(crate) mod cfg;
mod comprehension;
mod expect;
mod expr;
mod flow;
use crate::frontend::fold;
mod optimize;
pub mod prelude;
mod sets;
mod stmt;
mod symbols;
#[cfg(test)]
mod tests;

use crate::bytecode::{CodeId, CodeKind, CodeObject, Const, GlobalId, Instr, Program};
use crate::error::{Error, Result, Span};
use crate::source::SourceFile;
use cfg::{BlockId, Cfg, Op, SrcLoc};
use ruff_python_ast::{self as ast, Expr, ModModule, Stmt};
use ruff_text_size::{Ranged, TextRange};
use std::collections::HashMap;
use symbols::{scope_key, Access, FunctionSymbols, ModuleSymbols};

pub use expect::compile_expression;

/// Options that change what is compiled.
#[derive(Default, Clone, Debug)]
pub struct CompileOptions {
    /// `--set NAME=VALUE`: the value of the module-level assignment `NAME = ...` is replaced by
    /// the constant.
    pub sets: Vec<(String, Const)>,
}

/// Compiles a parsed module (see [`crate::frontend::parse`]) to a [`Program`].
///
/// The module is checked against the supported subset first (constructs outside it give
/// [`Error::Unsupported`]); `--set` names without a module-level assignment give [`Error::Usage`].
pub fn compile(src: &SourceFile, module: &ModModule, opts: &CompileOptions) -> Result<Program> {
    crate::frontend::check_subset(src, module)?;
    let mut program = compile_checked(src, module, opts)?;
    if prelude::imports_futures(module) {
        prelude::link_futures(&mut program)?;
    }
    if prelude::uses_threading_prelude(module) {
        prelude::link_threading(&mut program)?;
    }
    Ok(program)
}

/// [`compile`] of a module already checked against the subset, without linking the library
/// modules that it imports.
fn compile_checked(src: &SourceFile, module: &ModModule, opts: &CompileOptions) -> Result<Program> {
    let syms = symbols::module_symbols(src, &module.body)?;
    let mut sets = HashMap::new();
    let assigned = module_assignments(&module.body);
    for (name, value) in &opts.sets {
        if !assigned.iter().any(|a| &a.name == name) {
            let span = |offset: u32| {
                let (line, col) = src.line_col(offset);
                Span { file: src.name().to_string(), line, col }
            };
            let constants = assigned.iter().filter(|a| a.constant).map(|a| (a.name.clone(), span(a.offset))).collect();
            return Err(Error::UnknownSet { name: name.clone(), file: src.name().to_string(), constants });
        }
        if sets.insert(name.clone(), value.clone()).is_some() {
            return Err(Error::Usage(format!("--set {name} is given more than once")));
        }
    }
    let mut c = Compiler::new(src, syms, sets);
    c.compile_module(&module.body)?;
    Ok(c.finish())
}

/// Names with a plain `NAME = ...` assignment in module scope, in source order.
/// A module-level assignment `NAME = value`: the name, where it is, and whether the value is a
/// constant (a literal that `--set` could stand for).
struct ModuleAssignment {
    name: String,
    offset: u32,
    constant: bool,
}

fn module_assignments(body: &[Stmt]) -> Vec<ModuleAssignment> {
    fn walk(body: &[Stmt], out: &mut Vec<ModuleAssignment>) {
        for s in body {
            match s {
                Stmt::Assign(a) => {
                    if let [Expr::Name(n)] = a.targets.as_slice() {
                        if !out.iter().any(|x| x.name == n.id.as_str()) {
                            out.push(ModuleAssignment {
                                name: n.id.as_str().to_string(),
                                offset: n.range.start().to_u32(),
                                constant: fold::fold(&a.value).is_some(),
                            });
                        }
                    }
                }
                Stmt::AnnAssign(a) => {
                    if let (Expr::Name(n), Some(v), true) = (&*a.target, &a.value, a.simple) {
                        if !out.iter().any(|x| x.name == n.id.as_str()) {
                            out.push(ModuleAssignment {
                                name: n.id.as_str().to_string(),
                                offset: n.range.start().to_u32(),
                                constant: fold::fold(v).is_some(),
                            });
                        }
                    }
                }
                Stmt::For(f) => {
                    walk(&f.body, out);
                    walk(&f.orelse, out);
                }
                Stmt::While(w) => {
                    walk(&w.body, out);
                    walk(&w.orelse, out);
                }
                Stmt::If(i) => {
                    walk(&i.body, out);
                    for c in &i.elif_else_clauses {
                        walk(&c.body, out);
                    }
                }
                Stmt::With(w) => walk(&w.body, out),
                Stmt::Try(t) => {
                    walk(&t.body, out);
                    for h in &t.handlers {
                        let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                        walk(&h.body, out);
                    }
                    walk(&t.orelse, out);
                    walk(&t.finalbody, out);
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(body, &mut out);
    out
}

/// A `break`/`continue`/`return` unwinding frame (CPython's `fblockinfo`).
#[derive(Clone, Debug)]
pub(crate) enum FBlock {
    /// A `while` loop: continue target, break target.
    While { block: BlockId, exit: BlockId },
    /// A `for` loop (the iterator is on the stack).
    For { block: BlockId, exit: BlockId },
    /// A `with` body: the statement's location (for the exit call).
    With { loc: SrcLoc },
    /// The body of a `try` with `except` clauses.
    TryExcept,
    /// The body of a `try` with a `finally` clause: the `finally` body, emitted again by every
    /// `break`/`continue`/`return` that leaves the body.
    FinallyTry { finalbody: std::rc::Rc<Vec<Stmt>> },
    /// The `finally` body run on the exception path.
    FinallyEnd,
    /// The `except` clauses (the exception is being handled).
    ExceptionHandler,
    /// The body of an `except` clause, with the name bound by `as`.
    HandlerCleanup { name: Option<String> },
    /// A value kept on the stack while a `finally` body runs for a `return`.
    PopValue,
}

/// The code object under construction (CPython's `compiler_unit`).
pub(crate) struct Unit {
    pub cfg: Cfg,
    pub loc: SrcLoc,
    pub consts: Vec<Const>,
    pub names: Vec<String>,
    pub varnames: Vec<String>,
    pub name: String,
    /// `Class.method` for a method, else `name`.
    pub qualname: String,
    pub kind: CodeKind,
    pub argcount: u32,
    /// `CO_VARARGS` and `CO_VARKEYWORDS`.
    pub varargs: bool,
    pub varkw: bool,
    /// Whether the code is a generator's (CO_GENERATOR).
    pub generator: bool,
    /// `co_kwonlyargcount`.
    pub kwonlyargcount: u32,
    pub first_line: u32,
    pub scope: Option<FunctionSymbols>,
    /// `co_cellvars` (also for a class body, whose only cell is `__class__`).
    pub cells: Vec<String>,
    /// `co_freevars`.
    pub frees: Vec<String>,
    pub fblocks: Vec<FBlock>,
}

impl Unit {
    fn new(name: String, kind: CodeKind, first_line: u32, scope: Option<FunctionSymbols>) -> Self {
        Unit {
            cfg: Cfg::new(),
            loc: SrcLoc::NONE,
            consts: Vec::new(),
            names: Vec::new(),
            varnames: Vec::new(),
            qualname: name.clone(),
            name,
            kind,
            argcount: 0,
            varargs: false,
            varkw: false,
            generator: false,
            kwonlyargcount: 0,
            first_line,
            cells: scope.as_ref().map(|s| s.cells.clone()).unwrap_or_default(),
            frees: scope.as_ref().map(|s| s.frees.clone()).unwrap_or_default(),
            scope,
            fblocks: Vec::new(),
        }
    }

    /// The index of `name` among the cells then the frees of this unit.
    pub fn deref_index(&self, name: &str) -> Option<u32> {
        symbols::deref_index(&self.cells, &self.frees, name)
    }
}

/// Whole-program compilation state.
pub(crate) struct Compiler<'a> {
    pub src: &'a SourceFile,
    pub syms: ModuleSymbols,
    pub unit: Unit,
    pub codes: Vec<CodeObject>,
    pub globals: Vec<String>,
    pub global_index: HashMap<String, GlobalId>,
    /// Byte offsets of line starts.
    line_starts: Vec<u32>,
    /// `--set` values not yet used.
    pub sets: HashMap<String, Const>,
    /// Whether the module has `from __future__ import annotations` (annotations are strings).
    pub future_annotations: bool,
}

impl<'a> Compiler<'a> {
    fn new(src: &'a SourceFile, syms: ModuleSymbols, sets: HashMap<String, Const>) -> Self {
        Compiler {
            src,
            syms,
            unit: Unit::new("<module>".into(), CodeKind::Module, 1, None),
            codes: Vec::new(),
            globals: Vec::new(),
            global_index: HashMap::new(),
            line_starts: std::iter::once(0)
                .chain(src.text().bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i as u32 + 1))
                .collect(),
            sets,
            future_annotations: false,
        }
    }

    fn finish(self) -> Program {
        Program::new(self.src.name().to_string(), self.codes, self.globals)
    }

    /// 1-based line and 0-based UTF-8 byte column of a byte offset (CPython's positions).
    fn byte_line_col(&self, offset: u32) -> (i32, i32) {
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        (line as i32 + 1, offset.saturating_sub(start) as i32)
    }

    /// The position of a node's start: line and 1-based column counted in UTF-8 bytes, as
    /// CPython's `co_positions()` gives them (plus one).
    pub fn loc_of(&self, range: TextRange) -> SrcLoc {
        let (line, col) = self.byte_line_col(range.start().to_u32());
        SrcLoc { line, col: col + 1 }
    }

    /// CPython 3.11's `update_start_location_to_match_attr`: when an attribute access spans
    /// lines, the location moves to the attribute name.
    pub fn update_loc_to_attr(&mut self, a: &ast::ExprAttribute) {
        let (end_line, end_col) = self.byte_line_col(a.range.end().to_u32());
        if self.unit.loc.line != end_line {
            self.unit.loc.line = end_line;
            let len = a.attr.as_str().chars().count() as i32;
            self.unit.loc.col = if len <= end_col { end_col - len + 1 } else { -1 };
        }
    }

    /// A span for diagnostics.
    pub fn span(&self, range: TextRange) -> Span {
        let (line, col) = self.src.line_col(range.start().to_u32());
        Span { file: self.src.name().to_string(), line, col }
    }

    /// An [`Error::Unsupported`] at `range`.
    pub fn unsupported(&self, range: TextRange, construct: &str, hint: &str) -> Error {
        Error::Unsupported { span: self.span(range), construct: construct.into(), hint: hint.into() }
    }

    /// Emits at the current location.
    pub fn emit(&mut self, op: Op, arg: u32) {
        let loc = self.unit.loc;
        self.unit.cfg.add(op, arg, None, loc);
    }

    /// Emits a jump at the current location.
    pub fn emit_jump(&mut self, op: Op, target: BlockId) {
        let loc = self.unit.loc;
        self.unit.cfg.add(op, 0, Some(target), loc);
    }

    /// Emits without a location (`ADDOP_I_NOLINE`): the assembler gives it the location of the
    /// instruction before it.
    pub fn emit_noline(&mut self, op: Op, arg: u32) {
        self.unit.cfg.add(op, arg, None, SrcLoc::NONE);
    }

    /// Emits a jump without a location.
    pub fn emit_jump_noline(&mut self, op: Op, target: BlockId) {
        self.unit.cfg.add(op, 0, Some(target), SrcLoc::NONE);
    }

    /// `compiler_add_const`: the index of `c` in `co_consts`.
    pub fn add_const(&mut self, c: Const) -> u32 {
        match self.unit.consts.iter().position(|x| *x == c) {
            Some(i) => i as u32,
            None => {
                self.unit.consts.push(c);
                (self.unit.consts.len() - 1) as u32
            }
        }
    }

    /// Emits `LOAD_CONST c`.
    pub fn load_const(&mut self, c: Const) {
        let i = self.add_const(c);
        self.emit(Op::LoadConst, i);
    }

    /// The index of `name` in `co_names`.
    pub fn add_name(&mut self, name: &str) -> u32 {
        match self.unit.names.iter().position(|x| x == name) {
            Some(i) => i as u32,
            None => {
                self.unit.names.push(name.to_string());
                (self.unit.names.len() - 1) as u32
            }
        }
    }

    /// The program-wide slot of global `name`.
    pub fn global_slot(&mut self, name: &str) -> GlobalId {
        if let Some(&g) = self.global_index.get(name) {
            return g;
        }
        let g = self.globals.len() as GlobalId;
        self.globals.push(name.to_string());
        self.global_index.insert(name.to_string(), g);
        g
    }

    fn varname(&mut self, name: &str) -> u32 {
        match self.unit.varnames.iter().position(|x| x == name) {
            Some(i) => i as u32,
            None => {
                self.unit.varnames.push(name.to_string());
                (self.unit.varnames.len() - 1) as u32
            }
        }
    }

    /// `compiler_nameop` with `Del`: `del name`.
    pub fn delete_name(&mut self, name: &str) {
        let access = match &self.unit.scope {
            Some(f) => f.access(name),
            // A class body's names live in its namespace (DELETE_NAME).
            None if self.unit.kind == CodeKind::Class => Access::Name,
            None => self.syms.access(name),
        };
        match access {
            Access::Fast => {
                let i = self.varname(name);
                self.emit(Op::DeleteFast, i);
            }
            Access::Global => {
                let g = self.global_slot(name);
                self.emit(Op::DeleteGlobal, g);
            }
            Access::Name => {
                let g = self.global_slot(name);
                self.emit(Op::DeleteName, g);
            }
            Access::Deref(i) => self.emit(Op::DeleteDeref, i),
        }
    }

    /// `compiler_nameop`: load (`store == false`) or store a name.
    pub fn nameop(&mut self, name: &str, store: bool) {
        let access = match &self.unit.scope {
            Some(f) => f.access(name),
            // A class body's names live in its namespace (LOAD_NAME / STORE_NAME).
            None if self.unit.kind == CodeKind::Class => Access::Name,
            None => self.syms.access(name),
        };
        match access {
            Access::Fast => {
                let i = self.varname(name);
                self.emit(if store { Op::StoreFast } else { Op::LoadFast }, i);
            }
            Access::Global => {
                let g = self.global_slot(name);
                if store {
                    self.emit(Op::StoreGlobal, g);
                } else {
                    self.emit(Op::LoadGlobal, g << 1);
                }
            }
            Access::Name => {
                let g = self.global_slot(name);
                self.emit(if store { Op::StoreName } else { Op::LoadName }, g);
            }
            Access::Deref(i) => self.emit(if store { Op::StoreDeref } else { Op::LoadDeref }, i),
        }
    }

    /// Whether `e` is a name imported at module level (CPython's `is_import_originated`).
    pub fn is_import_originated(&self, e: &Expr) -> bool {
        matches!(e, Expr::Name(n) if self.syms.imports.contains(n.id.as_str()))
    }

    fn compile_module(&mut self, body: &[Stmt]) -> Result<()> {
        // Slot 0 of `codes` is the module; functions are appended as they are compiled.
        self.codes.push(placeholder_code());
        self.unit.cfg.add(Op::Resume, 0, None, SrcLoc { line: 0, col: 1 });
        self.future_annotations = crate::frontend::future_annotations(body);
        let mut rest = body;
        if let Some(first) = body.first() {
            self.unit.loc = self.loc_of(first.range());
            self.setup_annotations(body);
            if let Some(doc) = docstring(body) {
                self.load_const(doc);
                self.nameop("__doc__", true);
                rest = &body[1..];
            }
        }
        for s in rest {
            self.visit_stmt(s)?;
        }
        let unit = std::mem::replace(&mut self.unit, Unit::new(String::new(), CodeKind::Module, 1, None));
        self.codes[0] = self.assemble_unit(unit, true);
        Ok(())
    }

    /// Compiles a class body into a new code object (CPython's `compiler_class`, step 1) and
    /// returns its id. Its slot is taken before the methods are compiled, so that code objects
    /// stay in the order `dis` shows them.
    pub fn compile_class(&mut self, c: &ast::StmtClassDef) -> Result<CodeId> {
        let scope = self.nested_scope(c)?;
        let id = self.codes.len() as CodeId;
        self.codes.push(placeholder_code());
        let first_line = self.loc_of(c.range()).line.max(1) as u32;
        let mut unit = Unit::new(c.name.as_str().to_string(), CodeKind::Class, first_line, None);
        unit.cells = scope.cells;
        let outer = std::mem::replace(&mut self.unit, unit);
        let result = self.class_body(c, first_line);
        let unit = std::mem::replace(&mut self.unit, outer);
        result?;
        self.codes[id as usize] = self.assemble_unit(unit, true);
        Ok(id)
    }

    fn class_body(&mut self, c: &ast::StmtClassDef, first_line: u32) -> Result<()> {
        self.emit_cell_prefix();
        self.unit.loc = SrcLoc { line: first_line as i32, col: 1 };
        self.emit(Op::Resume, 0);
        self.nameop("__name__", false);
        self.nameop("__module__", true);
        self.load_const(Const::Str(c.name.as_str().into()));
        self.nameop("__qualname__", true);
        self.setup_annotations(&c.body);
        let mut rest = &c.body[..];
        if let Some(doc) = docstring(&c.body) {
            self.unit.loc = self.loc_of(c.body[0].range());
            self.load_const(doc);
            self.unit.loc = SrcLoc::NONE;
            self.nameop("__doc__", true);
            rest = &c.body[1..];
        }
        for s in rest {
            self.visit_stmt(s)?;
        }
        self.unit.loc = SrcLoc::NONE;
        // A class whose methods use `super()` returns its `__class__` cell, stored as
        // `__classcell__` too, for `__build_class__` to fill with the new class.
        if let Some(i) = self.unit.deref_index("__class__") {
            self.emit(Op::LoadClosure, i);
            self.emit(Op::Copy, 1);
            self.nameop("__classcell__", true);
            self.emit(Op::ReturnValue, 0);
        }
        Ok(())
    }

    /// The analysed scope of the nested `def`, `lambda`, comprehension or `class` at `node`.
    pub fn nested_scope(&self, node: &impl Ranged) -> Result<FunctionSymbols> {
        match self.syms.scopes.get(&scope_key(node)) {
            Some(s) => Ok(s.clone()),
            None => Err(self.unsupported(node.range(), "a nested scope here", "define it in the program's module")),
        }
    }

    /// CPython's `insert_prefix_instructions`: `COPY_FREE_VARS`, then `MAKE_CELL` for each cell
    /// (in slot order: parameters first), before the unit's `RESUME`, without a line.
    pub fn emit_cell_prefix(&mut self) {
        let params = self.unit.scope.as_ref().map(|s| s.params.clone()).unwrap_or_default();
        let mut order: Vec<(usize, u32)> = self
            .unit
            .cells
            .iter()
            .enumerate()
            .map(|(k, c)| (params.iter().position(|p| p == c).unwrap_or(params.len() + k), k as u32))
            .collect();
        order.sort_unstable();
        let saved = self.unit.loc;
        self.unit.loc = SrcLoc::NONE;
        if !self.unit.frees.is_empty() {
            self.emit(Op::CopyFreeVars, self.unit.frees.len() as u32);
        }
        for (_, k) in order {
            self.emit(Op::MakeCell, k);
        }
        self.unit.loc = saved;
    }

    /// `compiler_make_closure`: the closure tuple of code `id` when it has free variables
    /// (`LOAD_CLOSURE` of each from this unit's cells and frees, `BUILD_TUPLE`), then the
    /// code and `MAKE_FUNCTION flags` (with flag 8 for the closure).
    pub fn make_function(&mut self, id: CodeId, mut flags: u32) -> Result<()> {
        let frees = self.codes[id as usize].freevars.clone();
        if !frees.is_empty() {
            for name in &frees {
                // The symbol table makes every free variable of a nested scope a cell or a free
                // variable of the scope around it; anything else is a bug, never a guessed slot.
                let Some(i) = self.unit.deref_index(name) else {
                    return Err(Error::Compile {
                        span: self.span(TextRange::default()),
                        message: format!("[internal bug] closure variable '{name}' has no cell here"),
                    });
                };
                self.emit(Op::LoadClosure, i);
            }
            self.emit(Op::BuildTuple, frees.len() as u32);
            flags |= 8;
        }
        self.load_const(Const::Code(id));
        self.emit(Op::MakeFunction, flags);
        Ok(())
    }

    /// Compiles a `def` body into a new code object and returns its id. Its slot is taken first,
    /// so that the comprehensions inside it come after it, in the order `dis` shows them.
    pub fn compile_function(&mut self, f: &ast::StmtFunctionDef) -> Result<CodeId> {
        let scope = self.nested_scope(f)?;
        let id = self.codes.len() as CodeId;
        self.codes.push(placeholder_code());
        let first_line = self.loc_of(f.range()).line.max(1) as u32;
        let mut unit = Unit::new(f.name.as_str().to_string(), CodeKind::Function, first_line, Some(scope));
        unit.qualname = self.nested_qualname(f.name.as_str());
        unit.varnames = unit.scope.as_ref().map(|s| s.params.clone()).unwrap_or_default();
        let p = &f.parameters;
        unit.argcount = (p.posonlyargs.len() + p.args.len()) as u32;
        unit.varargs = p.vararg.is_some();
        unit.varkw = p.kwarg.is_some();
        unit.kwonlyargcount = p.kwonlyargs.len() as u32;
        unit.generator = crate::frontend::walk::contains_yield(&f.body);
        let outer = std::mem::replace(&mut self.unit, unit);
        let result = self.function_body(f, first_line);
        let unit = std::mem::replace(&mut self.unit, outer);
        result?;
        self.codes[id as usize] = self.assemble_unit(unit, true);
        Ok(id)
    }

    /// `compiler_default_arguments`: pushes the tuple of positional defaults of `f` (folded
    /// into one constant by the optimizer when every default is one) and returns the
    /// `MAKE_FUNCTION` flag for it (1, or 0 without defaults) and the defaults' values.
    pub fn function_defaults(&mut self, f: &ast::StmtFunctionDef) -> Result<(u32, Vec<Const>)> {
        self.parameter_defaults(&f.parameters)
    }

    /// `compiler_default_arguments` for the positional parameters: their defaults evaluated in
    /// the enclosing scope into a tuple (MAKE_FUNCTION flag 1), with their constant values for
    /// the code object when every one is a constant (otherwise the function keeps the values it
    /// is made with).
    pub fn parameter_defaults(&mut self, p: &ast::Parameters) -> Result<(u32, Vec<Const>)> {
        let defaults: Vec<&Expr> = p.posonlyargs.iter().chain(&p.args).filter_map(|a| a.default.as_deref()).collect();
        if defaults.is_empty() {
            return Ok((0, Vec::new()));
        }
        let values: Option<Vec<Const>> = defaults.iter().map(|d| fold::fold(d)).collect();
        for d in &defaults {
            self.visit_expr(d)?;
        }
        self.emit(Op::BuildTuple, defaults.len() as u32);
        Ok((1, values.unwrap_or_default()))
    }

    fn function_body(&mut self, f: &ast::StmtFunctionDef, first_line: u32) -> Result<()> {
        self.emit_cell_prefix();
        if self.unit.generator {
            // insert_prefix_instructions: RETURN_GENERATOR on the first line (no column), then
            // a POP_TOP without a position.
            self.unit.loc = SrcLoc { line: first_line as i32, col: -1 };
            self.emit(Op::ReturnGenerator, 0);
            self.unit.loc = SrcLoc::NONE;
            self.emit(Op::PopTop, 0);
        }
        let loc = SrcLoc { line: first_line as i32, col: 1 };
        self.unit.loc = loc;
        self.emit(Op::Resume, 0);
        let doc = docstring(&f.body);
        let skip = usize::from(doc.is_some());
        self.add_const(doc.unwrap_or(Const::None));
        for s in &f.body[skip..] {
            self.visit_stmt(s)?;
        }
        Ok(())
    }

    fn assemble_unit(&mut self, mut unit: Unit, add_none: bool) -> CodeObject {
        if !unit.cfg.cur_returns() {
            if add_none {
                let i = match unit.consts.iter().position(|c| *c == Const::None) {
                    Some(i) => i,
                    None => {
                        unit.consts.push(Const::None);
                        unit.consts.len() - 1
                    }
                };
                unit.cfg.add(Op::LoadConst, i as u32, None, SrcLoc::NONE);
            }
            unit.cfg.add(Op::ReturnValue, 0, None, SrcLoc::NONE);
        }
        let mut out = unit.cfg.assemble(&mut unit.consts, unit.first_line as i32);
        // Cells and frees get their fast-local slots (3.11's `fix_cell_offsets`): a parameter's
        // cell keeps the parameter's slot; other cells follow `varnames`, then the frees.
        let nlocals = unit.varnames.len() as u32;
        let mut slots = Vec::with_capacity(unit.cells.len() + unit.frees.len());
        let mut extra = 0;
        for c in &unit.cells {
            match unit.varnames.iter().position(|v| v == c) {
                Some(p) => slots.push(p as u32),
                None => {
                    slots.push(nlocals + extra);
                    extra += 1;
                }
            }
        }
        slots.extend((0..unit.frees.len() as u32).map(|j| nlocals + extra + j));
        for ins in &mut out.instrs {
            if let Instr::MakeCell(i)
            | Instr::LoadClosure(i)
            | Instr::LoadDeref(i)
            | Instr::StoreDeref(i)
            | Instr::DeleteDeref(i) = ins
            {
                *i = slots.get(*i as usize).copied().unwrap_or(*i);
            }
        }
        CodeObject {
            name: unit.name,
            kind: unit.kind,
            argcount: unit.argcount,
            varnames: unit.varnames,
            cellvars: unit.cells,
            freevars: unit.frees,
            consts: unit.consts,
            names: unit.names,
            instrs: out.instrs,
            locs: out.locs,
            exception_table: out.exception_table,
            first_line: unit.first_line,
            qualname: unit.qualname,
            defaults: Vec::new(),
            varargs: unit.varargs,
            varkw: unit.varkw,
            generator: unit.generator,
            kwonlyargcount: unit.kwonlyargcount,
            kwdefaults: Vec::new(),
        }
    }
}

fn placeholder_code() -> CodeObject {
    CodeObject {
        name: "<module>".into(),
        kind: CodeKind::Module,
        argcount: 0,
        varnames: Vec::new(),
        cellvars: Vec::new(),
        freevars: Vec::new(),
        consts: Vec::new(),
        names: Vec::new(),
        instrs: Vec::new(),
        locs: Vec::new(),
        exception_table: Vec::new(),
        first_line: 1,
        qualname: "<module>".into(),
        defaults: Vec::new(),
        varargs: false,
        varkw: false,
        generator: false,
        kwonlyargcount: 0,
        kwdefaults: Vec::new(),
    }
}

/// The docstring of a body (a first statement that is a plain string literal).
fn docstring(body: &[Stmt]) -> Option<Const> {
    match body.first()? {
        Stmt::Expr(e) => match &*e.value {
            Expr::StringLiteral(s) => Some(fold::str_literal(s)),
            _ => None,
        },
        _ => None,
    }
}
