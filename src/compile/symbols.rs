//! Scopes, as CPython's symbol table sees them for the subset: which names are module imports,
//! which are declared `global` anywhere (they use LOAD_GLOBAL / STORE_GLOBAL even at module
//! level), and, per function, which names are parameters, locals and declared globals.

use crate::error::{Error, Result, Span};
use crate::source::SourceFile;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;
use std::collections::{HashMap, HashSet};

/// What the module scope knows, collected before code generation.
#[derive(Clone, Debug, Default)]
pub(crate) struct ModuleSymbols {
    /// Names bound by `import` at module level (CPython's `DEF_IMPORT` in the top scope).
    pub imports: HashSet<String>,
    /// Names in any `global` statement of the program (`GLOBAL_EXPLICIT` in the module scope).
    pub global_explicit: HashSet<String>,
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
}

/// The scope of one function.
#[derive(Clone, Debug, Default)]
pub(crate) struct FunctionSymbols {
    /// Parameters in order.
    pub params: Vec<String>,
    /// Names bound in the body (and not declared global), parameters included.
    pub locals: HashSet<String>,
    /// Names declared `global` in the body.
    pub globals: HashSet<String>,
}

impl FunctionSymbols {
    /// How `name` is accessed inside the function.
    pub fn access(&self, name: &str) -> Access {
        if self.globals.contains(name) {
            Access::Global
        } else if self.locals.contains(name) {
            Access::Fast
        } else {
            Access::Global
        }
    }
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

/// Walks one scope's statements in source order, recording uses, bindings and `global`
/// declarations, and reporting a `global` that comes after a use or binding as CPython does.
struct ScopeWalker<'a> {
    src: &'a SourceFile,
    flags: HashMap<String, u8>,
    globals: HashSet<String>,
    imports: HashSet<String>,
    /// Also descend into function bodies (only to collect their `global` names).
    all_globals: Option<&'a mut HashSet<String>>,
}

impl ScopeWalker<'_> {
    fn flag(&mut self, name: &str, f: u8) {
        *self.flags.entry(name.to_string()).or_insert(0) |= f;
    }

    fn span(&self, node: &impl Ranged) -> Span {
        let (line, col) = self.src.line_col(node.start().to_u32());
        Span { file: self.src.name().to_string(), line, col }
    }

    fn stmts(&mut self, body: &[Stmt]) -> Result<()> {
        for s in body {
            self.stmt(s)?;
        }
        Ok(())
    }

    fn stmt(&mut self, s: &Stmt) -> Result<()> {
        match s {
            Stmt::FunctionDef(f) => {
                self.flag(f.name.as_str(), DEF_LOCAL);
                if let Some(all) = self.all_globals.as_deref_mut() {
                    collect_globals(&f.body, all);
                }
            }
            Stmt::Return(r) => {
                if let Some(v) = &r.value {
                    self.expr(v);
                }
            }
            Stmt::Assign(a) => {
                for t in &a.targets {
                    self.expr(t);
                }
                self.expr(&a.value);
            }
            Stmt::AugAssign(a) => {
                self.expr(&a.target);
                self.expr(&a.value);
            }
            // CPython's symtable: a simple annotated name is local (with or without a value),
            // and may not be declared global; the annotation itself is never evaluated here.
            Stmt::AnnAssign(a) => {
                match &*a.target {
                    Expr::Name(n) if a.simple => {
                        if self.globals.contains(n.id.as_str()) {
                            return Err(Error::Compile {
                                span: self.span(n),
                                message: format!("annotated name '{}' can't be global", n.id),
                            });
                        }
                        self.flag(n.id.as_str(), DEF_LOCAL);
                    }
                    t => self.expr(t),
                }
                if let Some(v) = &a.value {
                    self.expr(v);
                }
            }
            Stmt::For(f) => {
                self.expr(&f.target);
                self.expr(&f.iter);
                self.stmts(&f.body)?;
                self.stmts(&f.orelse)?;
            }
            Stmt::While(w) => {
                self.expr(&w.test);
                self.stmts(&w.body)?;
                self.stmts(&w.orelse)?;
            }
            Stmt::If(i) => {
                self.expr(&i.test);
                self.stmts(&i.body)?;
                for c in &i.elif_else_clauses {
                    if let Some(t) = &c.test {
                        self.expr(t);
                    }
                    self.stmts(&c.body)?;
                }
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.expr(&item.context_expr);
                    if let Some(v) = &item.optional_vars {
                        self.expr(v);
                    }
                }
                self.stmts(&w.body)?;
            }
            Stmt::Assert(a) => {
                self.expr(&a.test);
                if let Some(m) = &a.msg {
                    self.expr(m);
                }
            }
            Stmt::Import(i) => {
                for alias in &i.names {
                    let bound = match &alias.asname {
                        Some(a) => a.as_str(),
                        None => alias.name.as_str().split('.').next().unwrap_or(""),
                    };
                    self.imports.insert(bound.to_string());
                    self.flag(bound, DEF_LOCAL);
                }
            }
            Stmt::ImportFrom(i) => {
                for alias in &i.names {
                    let bound = alias.asname.as_ref().map_or(alias.name.as_str(), |a| a.as_str());
                    self.imports.insert(bound.to_string());
                    self.flag(bound, DEF_LOCAL);
                }
            }
            Stmt::Global(g) => {
                for name in &g.names {
                    let n = name.as_str();
                    let cur = self.flags.get(n).copied().unwrap_or(0);
                    let msg = if cur & DEF_PARAM != 0 {
                        Some("is parameter and global")
                    } else if cur & USE != 0 {
                        Some("is used prior to global declaration")
                    } else if cur & DEF_LOCAL != 0 {
                        Some("is assigned to before global declaration")
                    } else {
                        None
                    };
                    if let Some(msg) = msg {
                        return Err(Error::Compile { span: self.span(g), message: format!("name '{n}' {msg}") });
                    }
                    self.globals.insert(n.to_string());
                }
            }
            Stmt::Expr(e) => self.expr(&e.value),
            Stmt::Try(t) => {
                // CPython's symtable order: body, else, handlers, finally.
                self.stmts(&t.body)?;
                self.stmts(&t.orelse)?;
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    if let Some(ty) = &h.type_ {
                        self.expr(ty);
                    }
                    if let Some(n) = &h.name {
                        self.flag(n.as_str(), DEF_LOCAL);
                    }
                    self.stmts(&h.body)?;
                }
                self.stmts(&t.finalbody)?;
            }
            Stmt::Raise(r) => {
                if let Some(e) = &r.exc {
                    self.expr(e);
                }
                if let Some(c) = &r.cause {
                    self.expr(c);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Name(n) => {
                let f = if matches!(n.ctx, ast::ExprContext::Store) { DEF_LOCAL } else { USE };
                self.flag(n.id.as_str(), f);
            }
            Expr::Tuple(t) => t.elts.iter().for_each(|x| self.expr(x)),
            Expr::BinOp(b) => {
                self.expr(&b.left);
                self.expr(&b.right);
            }
            Expr::UnaryOp(u) => self.expr(&u.operand),
            Expr::BoolOp(b) => b.values.iter().for_each(|x| self.expr(x)),
            Expr::Compare(c) => {
                self.expr(&c.left);
                c.comparators.iter().for_each(|x| self.expr(x));
            }
            Expr::If(i) => {
                self.expr(&i.test);
                self.expr(&i.body);
                self.expr(&i.orelse);
            }
            Expr::Call(c) => {
                self.expr(&c.func);
                c.arguments.args.iter().for_each(|x| self.expr(x));
                c.arguments.keywords.iter().for_each(|k| self.expr(&k.value));
            }
            Expr::Attribute(a) => self.expr(&a.value),
            Expr::FString(f) => {
                for el in f.value.elements() {
                    if let ast::InterpolatedStringElement::Interpolation(i) = el {
                        self.expr(&i.expression);
                        if let Some(spec) = &i.format_spec {
                            for el in spec.elements.iter() {
                                if let ast::InterpolatedStringElement::Interpolation(j) = el {
                                    self.expr(&j.expression);
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// Adds the names of every `global` statement in `body` (at any depth) to `out`.
fn collect_globals(body: &[Stmt], out: &mut HashSet<String>) {
    for s in body {
        match s {
            Stmt::Global(g) => out.extend(g.names.iter().map(|n| n.as_str().to_string())),
            Stmt::FunctionDef(f) => collect_globals(&f.body, out),
            Stmt::For(f) => {
                collect_globals(&f.body, out);
                collect_globals(&f.orelse, out);
            }
            Stmt::While(w) => {
                collect_globals(&w.body, out);
                collect_globals(&w.orelse, out);
            }
            Stmt::If(i) => {
                collect_globals(&i.body, out);
                for c in &i.elif_else_clauses {
                    collect_globals(&c.body, out);
                }
            }
            Stmt::With(w) => collect_globals(&w.body, out),
            Stmt::Try(t) => {
                collect_globals(&t.body, out);
                collect_globals(&t.orelse, out);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    collect_globals(&h.body, out);
                }
                collect_globals(&t.finalbody, out);
            }
            _ => {}
        }
    }
}

/// Analyses the module scope (checking `global` statements at module level).
pub(crate) fn module_symbols(src: &SourceFile, body: &[Stmt]) -> Result<ModuleSymbols> {
    let mut all = HashSet::new();
    let mut walker = ScopeWalker {
        src,
        flags: HashMap::new(),
        globals: HashSet::new(),
        imports: HashSet::new(),
        all_globals: Some(&mut all),
    };
    walker.stmts(body)?;
    let imports = std::mem::take(&mut walker.imports);
    let mut global_explicit = std::mem::take(&mut walker.globals);
    global_explicit.extend(all);
    Ok(ModuleSymbols { imports, global_explicit })
}

/// Analyses one function's scope.
pub(crate) fn function_symbols(src: &SourceFile, f: &ast::StmtFunctionDef) -> Result<FunctionSymbols> {
    let mut walker =
        ScopeWalker { src, flags: HashMap::new(), globals: HashSet::new(), imports: HashSet::new(), all_globals: None };
    let mut params = Vec::new();
    for p in f.parameters.posonlyargs.iter().chain(f.parameters.args.iter()) {
        let name = p.parameter.name.as_str().to_string();
        walker.flag(&name, DEF_PARAM);
        params.push(name);
    }
    walker.stmts(&f.body)?;
    let globals = walker.globals;
    let locals = walker
        .flags
        .iter()
        .filter(|(n, f)| **f & (DEF_LOCAL | DEF_PARAM) != 0 && !globals.contains(*n))
        .map(|(n, _)| n.clone())
        .collect();
    Ok(FunctionSymbols { params, locals, globals })
}
