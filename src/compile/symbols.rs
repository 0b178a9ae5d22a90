//! Scopes, as CPython 3.11's symbol table (`Python/symtable.c`) sees them: one pass records,
//! per scope (module, class, function, lambda, comprehension), which names it uses, binds and
//! declares `global` or `nonlocal`; a second pass (`analyze_block`) decides for each name of
//! each scope whether it is local, global, a *cell* (local here and used by a nested function)
//! or *free* (a variable of an enclosing function), and which classes need a `__class__` cell
//! (a method that calls `super()`).

use crate::error::{Error, Result, Span};
use crate::source::SourceFile;
use ruff_python_ast::visitor::source_order::{walk_expr, walk_stmt, SourceOrderVisitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Where a nested scope's node starts (byte offset): the key of its [`FunctionSymbols`].
pub(crate) type ScopeKey = u32;

/// The key of the scope that `node` (a `def`, `lambda`, comprehension or `class`) opens.
pub(crate) fn scope_key(node: &impl Ranged) -> ScopeKey {
    node.start().to_u32()
}

/// What the module scope knows, collected before code generation.
#[derive(Clone, Debug, Default)]
pub(crate) struct ModuleSymbols {
    /// Names bound by `import` at module level (CPython's `DEF_IMPORT` in the top scope).
    pub imports: HashSet<String>,
    /// Names in any `global` statement of the program (`GLOBAL_EXPLICIT` in the module scope).
    pub global_explicit: HashSet<String>,
    /// Every nested scope of the module, by [`ScopeKey`].
    pub scopes: HashMap<ScopeKey, FunctionSymbols>,
}

/// How a name is accessed in the current scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// LOAD_FAST / STORE_FAST.
    Fast,
    /// LOAD_GLOBAL / STORE_GLOBAL.
    Global,
    /// LOAD_NAME / STORE_NAME.
    Name,
    /// LOAD_DEREF / STORE_DEREF of a cell or free variable: its index among the scope's cells
    /// then frees (rewritten to its fast-local slot when the code object is assembled).
    Deref(u32),
}

/// The scope of one function, lambda, comprehension or class.
#[derive(Clone, Debug, Default)]
pub(crate) struct FunctionSymbols {
    /// Parameters in order.
    pub params: Vec<String>,
    /// Names bound in the body (and not declared global or nonlocal), parameters included.
    pub locals: HashSet<String>,
    /// Names declared `global` in the body.
    pub globals: HashSet<String>,
    /// `co_cellvars`: locals that nested scopes use, sorted (`__class__` alone in a class).
    pub cells: Vec<String>,
    /// `co_freevars`: variables of enclosing functions used here or below, sorted.
    pub frees: Vec<String>,
}

impl FunctionSymbols {
    /// How `name` is accessed inside the function.
    pub fn access(&self, name: &str) -> Access {
        if self.globals.contains(name) {
            Access::Global
        } else if let Some(i) = self.deref_index(name) {
            Access::Deref(i)
        } else if self.locals.contains(name) {
            Access::Fast
        } else {
            Access::Global
        }
    }

    /// The index of `name` among the cells then the frees.
    pub fn deref_index(&self, name: &str) -> Option<u32> {
        deref_index(&self.cells, &self.frees, name)
    }
}

/// The index of `name` among `cells` then `frees` (a `LOAD_DEREF` argument before assembly).
pub(crate) fn deref_index(cells: &[String], frees: &[String], name: &str) -> Option<u32> {
    let cell = cells.iter().position(|c| c == name);
    let free = || frees.iter().position(|c| c == name).map(|i| i + cells.len());
    cell.or_else(free).map(|i| i as u32)
}

impl ModuleSymbols {
    /// How `name` is accessed at module level.
    pub fn access(&self, name: &str) -> Access {
        if self.global_explicit.contains(name) {
            Access::Global
        } else {
            Access::Name
        }
    }
}

const USE: u8 = 1;
const DEF_LOCAL: u8 = 2;
const DEF_PARAM: u8 = 4;
const DEF_GLOBAL: u8 = 8;
const DEF_NONLOCAL: u8 = 16;
const DEF_BOUND: u8 = DEF_LOCAL | DEF_PARAM;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Module,
    Function,
    Class,
}

/// One scope as the first pass records it.
struct Block {
    key: ScopeKey,
    kind: Kind,
    flags: HashMap<String, u8>,
    params: Vec<String>,
    /// Where each `nonlocal` name was declared (for the analysis's errors).
    nonlocal_at: HashMap<String, Span>,
    children: Vec<Block>,
}

impl Block {
    fn new(key: ScopeKey, kind: Kind) -> Block {
        Block {
            key,
            kind,
            flags: HashMap::new(),
            params: Vec::new(),
            nonlocal_at: HashMap::new(),
            children: Vec::new(),
        }
    }
}

/// The first pass: walks the module in source order, one [`Block`] per scope.
struct Walker<'a> {
    src: &'a SourceFile,
    future_annotations: bool,
    stack: Vec<Block>,
    imports: HashSet<String>,
    all_globals: HashSet<String>,
    error: Option<Error>,
}

impl Walker<'_> {
    fn cur(&mut self) -> &mut Block {
        self.stack.last_mut().expect("the module block is never popped while walking")
    }

    fn flag(&mut self, name: &str, f: u8) {
        *self.cur().flags.entry(name.to_string()).or_insert(0) |= f;
    }

    fn span(&self, node: &impl Ranged) -> Span {
        let (line, col) = self.src.line_col(node.start().to_u32());
        Span { file: self.src.name().to_string(), line, col }
    }

    fn fail(&mut self, node: &impl Ranged, message: String) {
        if self.error.is_none() {
            self.error = Some(Error::Compile { span: self.span(node), message });
        }
    }

    fn enter(&mut self, key: ScopeKey, kind: Kind) {
        self.stack.push(Block::new(key, kind));
    }

    fn leave(&mut self) {
        if let Some(b) = self.stack.pop() {
            self.cur().children.push(b);
        }
    }

    fn param(&mut self, name: &str) {
        self.flag(name, DEF_PARAM);
        self.cur().params.push(name.to_string());
    }

    /// Defaults and (unless postponed) annotations of `p`, in the enclosing scope.
    fn parameter_values(&mut self, p: &ast::Parameters) {
        for a in p.posonlyargs.iter().chain(&p.args).chain(&p.kwonlyargs) {
            if let Some(d) = &a.default {
                self.visit_expr(d);
            }
        }
        let annotations = p
            .posonlyargs
            .iter()
            .chain(&p.args)
            .chain(&p.kwonlyargs)
            .filter_map(|a| a.parameter.annotation.as_deref())
            .chain(p.vararg.iter().chain(&p.kwarg).filter_map(|a| a.annotation.as_deref()));
        for a in annotations {
            self.visit_annotation(a);
        }
    }

    /// The parameters of `p` as names of the new scope, in CPython's `varnames` order.
    fn parameter_names(&mut self, p: &ast::Parameters) {
        for a in p.posonlyargs.iter().chain(&p.args).chain(&p.kwonlyargs) {
            self.param(a.parameter.name.as_str());
        }
        for a in p.vararg.iter().chain(&p.kwarg) {
            self.param(a.name.as_str());
        }
    }

    fn declaration(&mut self, s: &Stmt, names: &[ast::Identifier], flag: u8) {
        let what = if flag == DEF_GLOBAL { "global" } else { "nonlocal" };
        if flag == DEF_NONLOCAL && self.cur().kind == Kind::Module {
            self.fail(s, "nonlocal declaration not allowed at module level".into());
            return;
        }
        for name in names {
            let n = name.as_str();
            let cur = self.cur().flags.get(n).copied().unwrap_or(0);
            let msg = if cur & DEF_PARAM != 0 {
                Some(format!("is parameter and {what}"))
            } else if cur & USE != 0 {
                Some(format!("is used prior to {what} declaration"))
            } else if cur & DEF_LOCAL != 0 {
                Some(format!("is assigned to before {what} declaration"))
            } else {
                None
            };
            if let Some(msg) = msg {
                self.fail(s, format!("name '{n}' {msg}"));
                return;
            }
            self.flag(n, flag);
            if flag == DEF_GLOBAL {
                self.all_globals.insert(n.to_string());
            } else {
                let span = self.span(s);
                self.cur().nonlocal_at.insert(n.to_string(), span);
            }
        }
    }

    fn comprehension(&mut self, e: &Expr, generators: &[ast::Comprehension], elts: &[&Expr]) {
        let Some((first, rest)) = generators.split_first() else { return };
        self.visit_expr(&first.iter);
        self.enter(scope_key(e), Kind::Function);
        self.param(".0");
        self.visit_expr(&first.target);
        first.ifs.iter().for_each(|c| self.visit_expr(c));
        for g in rest {
            self.visit_expr(&g.iter);
            self.visit_expr(&g.target);
            g.ifs.iter().for_each(|c| self.visit_expr(c));
        }
        elts.iter().for_each(|x| self.visit_expr(x));
        self.leave();
    }
}

impl<'a> SourceOrderVisitor<'a> for Walker<'_> {
    fn visit_stmt(&mut self, s: &'a Stmt) {
        match s {
            Stmt::FunctionDef(f) => {
                self.flag(f.name.as_str(), DEF_LOCAL);
                for d in &f.decorator_list {
                    self.visit_expr(&d.expression);
                }
                self.parameter_values(&f.parameters);
                if let Some(r) = &f.returns {
                    self.visit_annotation(r);
                }
                self.enter(scope_key(f), Kind::Function);
                self.parameter_names(&f.parameters);
                self.visit_body(&f.body);
                self.leave();
            }
            Stmt::ClassDef(c) => {
                self.flag(c.name.as_str(), DEF_LOCAL);
                for d in &c.decorator_list {
                    self.visit_expr(&d.expression);
                }
                if let Some(args) = &c.arguments {
                    self.visit_arguments(args);
                }
                self.enter(scope_key(c), Kind::Class);
                self.visit_body(&c.body);
                self.leave();
            }
            // A simple annotated name is local (with or without a value), and may not be
            // declared global; the annotation is a use unless annotations are postponed.
            Stmt::AnnAssign(a) => {
                match &*a.target {
                    Expr::Name(n) if a.simple => {
                        let cur = self.cur().flags.get(n.id.as_str()).copied().unwrap_or(0);
                        if cur & (DEF_GLOBAL | DEF_NONLOCAL) != 0 {
                            let what = if cur & DEF_GLOBAL != 0 { "global" } else { "nonlocal" };
                            self.fail(n, format!("annotated name '{}' can't be {what}", n.id));
                        }
                        self.flag(n.id.as_str(), DEF_LOCAL);
                    }
                    t => self.visit_expr(t),
                }
                self.visit_annotation(&a.annotation);
                if let Some(v) = &a.value {
                    self.visit_expr(v);
                }
            }
            Stmt::Import(i) => {
                for alias in &i.names {
                    let bound = match &alias.asname {
                        Some(a) => a.as_str(),
                        None => alias.name.as_str().split('.').next().unwrap_or(""),
                    };
                    self.bind_import(bound);
                }
            }
            Stmt::ImportFrom(i) => {
                for alias in &i.names {
                    self.bind_import(alias.asname.as_ref().map_or(alias.name.as_str(), |a| a.as_str()));
                }
            }
            Stmt::Global(g) => self.declaration(s, &g.names, DEF_GLOBAL),
            Stmt::Nonlocal(n) => self.declaration(s, &n.names, DEF_NONLOCAL),
            _ => walk_stmt(self, s),
        }
    }

    fn visit_annotation(&mut self, e: &'a Expr) {
        if !self.future_annotations {
            self.visit_expr(e);
        }
    }

    fn visit_except_handler(&mut self, h: &'a ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(h) = h;
        if let Some(t) = &h.type_ {
            self.visit_expr(t);
        }
        if let Some(n) = &h.name {
            self.flag(n.as_str(), DEF_LOCAL);
        }
        self.visit_body(&h.body);
    }

    fn visit_expr(&mut self, e: &'a Expr) {
        match e {
            Expr::Name(n) => {
                if matches!(n.ctx, ast::ExprContext::Load) {
                    self.flag(n.id.as_str(), USE);
                    // `super()` needs the `__class__` cell of the class around the function.
                    if n.id.as_str() == "super" && self.cur().kind == Kind::Function {
                        self.flag("__class__", USE);
                    }
                } else {
                    self.flag(n.id.as_str(), DEF_LOCAL);
                }
            }
            Expr::Lambda(l) => {
                if let Some(p) = &l.parameters {
                    for a in p.posonlyargs.iter().chain(&p.args).chain(&p.kwonlyargs) {
                        if let Some(d) = &a.default {
                            self.visit_expr(d);
                        }
                    }
                }
                self.enter(scope_key(l), Kind::Function);
                if let Some(p) = &l.parameters {
                    self.parameter_names(p);
                }
                self.visit_expr(&l.body);
                self.leave();
            }
            Expr::ListComp(c) => self.comprehension(e, &c.generators, &[&c.elt]),
            Expr::SetComp(c) => self.comprehension(e, &c.generators, &[&c.elt]),
            Expr::Generator(c) => self.comprehension(e, &c.generators, &[&c.elt]),
            Expr::DictComp(c) => match &c.key {
                Some(k) => self.comprehension(e, &c.generators, &[k, &c.value]),
                None => self.comprehension(e, &c.generators, &[&c.value]),
            },
            _ => walk_expr(self, e),
        }
    }
}

impl Walker<'_> {
    fn bind_import(&mut self, bound: &str) {
        if self.stack.len() == 1 {
            self.imports.insert(bound.to_string());
        }
        self.flag(bound, DEF_LOCAL);
    }
}

/// CPython's `analyze_block`: classifies the names of `b` given `bound` (the variables of the
/// enclosing functions visible here; `None` at module level), records the scope of each
/// function and class in `out`, and returns the free variables of `b` and its children.
fn analyze(
    b: &Block,
    bound: Option<&HashSet<String>>,
    out: &mut HashMap<ScopeKey, FunctionSymbols>,
) -> Result<BTreeSet<String>> {
    let mut bound: Option<HashSet<String>> = bound.cloned();
    let mut locals = HashSet::new();
    let mut globals = HashSet::new();
    let mut free = BTreeSet::new();
    let mut names: Vec<(&String, &u8)> = b.flags.iter().collect();
    names.sort();
    for (name, &f) in names {
        if f & DEF_GLOBAL != 0 {
            if f & DEF_NONLOCAL != 0 {
                return Err(nonlocal_error(b, name, format!("name '{name}' is nonlocal and global")));
            }
            globals.insert(name.clone());
            if let Some(bd) = bound.as_mut() {
                bd.remove(name);
            }
        } else if f & DEF_NONLOCAL != 0 {
            if !bound.as_ref().is_some_and(|bd| bd.contains(name)) {
                return Err(nonlocal_error(b, name, format!("no binding for nonlocal '{name}' found")));
            }
            free.insert(name.clone());
        } else if f & DEF_BOUND != 0 {
            locals.insert(name.clone());
        } else if bound.as_ref().is_some_and(|bd| bd.contains(name)) {
            free.insert(name.clone());
        }
    }
    let mut newbound: HashSet<String> = HashSet::new();
    match b.kind {
        Kind::Class => {
            newbound.extend(bound.iter().flatten().cloned());
            newbound.insert("__class__".into());
        }
        Kind::Function => {
            newbound.extend(locals.iter().cloned());
            newbound.extend(bound.iter().flatten().cloned());
        }
        Kind::Module => {}
    }
    let mut child_free = BTreeSet::new();
    for c in &b.children {
        child_free.extend(analyze(c, Some(&newbound), out)?);
    }
    let mut cells = Vec::new();
    for name in child_free {
        match b.kind {
            Kind::Function if locals.contains(&name) => cells.push(name),
            Kind::Class if name == "__class__" => cells.push(name),
            Kind::Module => {}
            _ => {
                free.insert(name);
            }
        }
    }
    if b.kind != Kind::Module {
        out.insert(
            b.key,
            FunctionSymbols { params: b.params.clone(), locals, globals, cells, frees: free.iter().cloned().collect() },
        );
    }
    Ok(free)
}

fn nonlocal_error(b: &Block, name: &str, message: String) -> Error {
    match b.nonlocal_at.get(name) {
        Some(span) => Error::Compile { span: span.clone(), message },
        None => Error::Compile { span: Span { file: String::new(), line: 0, col: 0 }, message },
    }
}

/// Analyses the whole module: its own names, and the scope of every function, lambda,
/// comprehension and class in it.
pub(crate) fn module_symbols(src: &SourceFile, body: &[Stmt]) -> Result<ModuleSymbols> {
    let mut walker = Walker {
        src,
        future_annotations: crate::frontend::future_annotations(body),
        stack: vec![Block::new(0, Kind::Module)],
        imports: HashSet::new(),
        all_globals: HashSet::new(),
        error: None,
    };
    walker.visit_body(body);
    if let Some(e) = walker.error {
        return Err(e);
    }
    let module = walker.stack.pop().expect("the module block");
    let mut scopes = HashMap::new();
    analyze(&module, None, &mut scopes)?;
    let mut global_explicit = walker.all_globals;
    global_explicit.extend(module.flags.iter().filter(|(_, f)| **f & DEF_GLOBAL != 0).map(|(n, _)| n.clone()));
    Ok(ModuleSymbols { imports: walker.imports, global_explicit, scopes })
}
