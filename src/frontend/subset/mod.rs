//! The supported subset (DESIGN.md §1.1): a walk over the AST that rejects, at its file:line:col,
//! the first construct outside it, naming the construct and what is supported instead.

mod annotations;
mod builtins;
mod calls;
mod comprehensions;
use builtins::{BUILTINS, CALLABLE_BUILTINS, EXCEPTIONS, HINT_EXCEPTIONS};
mod defs;
mod imports;
mod methods;
mod randoms;
mod targets;

pub(crate) use annotations::future_annotations;

use crate::error::{Error, Result, Span};
use crate::source::SourceFile;
use ruff_python_ast::{self as ast, Expr, ExprContext, ModModule, Number, Operator, Stmt};
use ruff_text_size::{Ranged, TextRange};
use std::cell::{Cell, RefCell};
use std::collections::HashSet;

const HINT_IMPORTS: &str = "supported imports: import threading, import time, import queue, import typing, \
     import math, import collections, import random, import concurrent.futures, import functools, import operator, \
     import copy, each optionally `as NAME`; from \
     threading/time/queue/typing/math/collections/random/concurrent.futures/functools/operator/copy \
     import NAME (the names the checker models, e.g. from threading import Thread, Lock); and from __future__ \
     import annotations (at module level)";
const HINT_CALLS: &str =
    "supported calls: print(...), range(...), abs, len, isinstance, min, max, int, float, round, sum, any, all, str, repr, divmod, \
     bool, dict(...), getattr, setattr, hasattr, delattr, type(x), \
     list(iterable), tuple(iterable), set(iterable), sorted(iterable[, reverse=...]), \
     functions defined with def (nested ones too), lambdas, classes, methods, super() in a method, \
     threading.Thread(target=f, args=(...)), threading.Lock(), \
     threading.RLock(), threading.Semaphore(n), threading.BoundedSemaphore(n), threading.Event(), \
     threading.Condition(lock), threading.Barrier(n), queue.Queue(maxsize), time.sleep(x), and methods such as \
     t.start(), t.join(), lock.acquire(), lock.release(), event.wait(), cond.notify(), q.put(x), q.get(), \
     lst.append(x), lst.pop(), d.get(k, default), d.items()";
const HINT_VALUES: &str = "supported values: ints, floats, strings, True/False/None, tuples, lists, dicts, sets, \
     instances of classes, a[i] and obj.attr";
const HINT_STMTS: &str =
    "supported statements: def, class, assignment, annotated and augmented assignment, if/elif/else, \
     for, while, break, continue, pass, return, global, with, try/except/finally, raise, assert, \
     import threading/time/queue/typing, from typing import, from __future__ import annotations, and calls";
const HINT_CLASS: &str = "supported in a class body: methods (def, optionally @property), \
     class attributes (name = value), pass and a docstring; a class has at most one base, a class \
     defined earlier in the module, and no decorators";

/// Checks that `module` uses only supported constructs. Every construct outside the subset is
/// reported, in source order ([`Error::Many`] when there are several).
pub fn check_subset(src: &SourceFile, module: &ModModule) -> Result<super::Facts> {
    check(src, module, false)
}

/// [`check_subset`] for a library module's prelude (the compiler's prelude, `compile/prelude.rs`), which may also
/// return a generator expression for its caller to iterate.
pub fn check_library_subset(src: &SourceFile, module: &ModModule) -> Result<()> {
    check(src, module, true).map(|_| ())
}

fn check(src: &SourceFile, module: &ModModule, library: bool) -> Result<super::Facts> {
    let mut c = Checker::new(src, &module.body);
    c.library = library;
    let r = c.stmts(&module.body);
    c.note(r);
    let mut errors = c.errors.into_inner();
    errors.sort_by_key(|e| e.span().map(|s| (s.line, s.col)));
    match errors.len() {
        0 => Ok(super::Facts {
            draws: c.draws.get().is_some(),
            first_draw: c.draws.get().map(|at| src.line_col(at)),
            daemons: calls::daemon_keyword(&module.body),
        }),
        1 => Err(errors.pop().expect("one error")),
        _ => Err(Error::Many(errors)),
    }
}

/// Checks an `--expect` expression: names, constants, tuples, operators, comparisons,
/// `and`/`or`/`not` and conditional expressions.
pub(crate) fn check_expect_expression(src: &SourceFile, e: &Expr) -> Result<()> {
    let c = Checker::new(src, &[]);
    c.expect_expr(e)
}

struct Checker<'a> {
    src: &'a SourceFile,
    /// Whether the module calls `random.seed(n)` at its top level: then `random`'s values are
    /// python3.11's own draws, modelled anywhere.
    seeded: bool,
    /// Functions defined with `def` at module level.
    functions: HashSet<String>,
    /// Names bound at module level other than by `def`.
    module_bound: HashSet<String>,
    /// The module each `import M as NAME` binds: NAME -> M (and M -> M for `import M`).
    modules: std::collections::HashMap<String, String>,
    /// Parameters and locals of the function being checked (None at module level).
    locals: Option<HashSet<String>>,
    loops: usize,
    /// Current expression nesting (bounded so that no later recursive pass can overflow).
    depth: Cell<usize>,
    /// The expression being checked stands where an iterator is consumed at once (a `for`
    /// iterable, a comprehension's, the argument of `list()`, `sorted()`, `sum()` ...): only
    /// there may `enumerate`, `zip` and `reversed` make an iterator.
    iter_ok: Cell<bool>,
    /// The expression being checked is consumed to its end at once, by a `for` that cannot
    /// leave it early or by `list()`, `sorted()` and the like: only there may `executor.map()`
    /// stand (CPython cancels the calls not yet started when its iterator is dropped early).
    map_ok: Cell<bool>,
    /// Where the program may catch an exception (see [`imports::catchers`]).
    catchers: imports::Catchers,
    /// How many bodies of `try` statements with `except` clauses of the current function (or
    /// the module) enclose the statement being checked.
    tries: usize,
    /// The functions being checked, innermost last.
    fn_names: Vec<String>,
    /// Whether the module is a library's prelude (see [`check_library_subset`]).
    library: bool,
    /// Current block nesting.
    blocks: usize,
    /// Whether the statements being checked are a class body.
    in_class: bool,
    /// Whether the function being checked is a generator function (its body has a `yield`).
    generator: bool,
    /// The classes defined so far (module level, in source order): the possible base classes.
    classes: HashSet<String>,
    /// Those of them derived from an exception type: what `raise` and `except` may name.
    exc_classes: HashSet<String>,
    /// Module-level names whose kind of value is known statically.
    kinds: std::collections::HashMap<String, methods::Kind>,
    /// Method and attribute names of the program's own classes.
    own_methods: HashSet<String>,
    /// The refusals found so far.
    errors: RefCell<Vec<Error>>,
    /// Where the program's first unseeded random draw that it looks at is, if any (its byte
    /// offset; [`super::Facts::draws`]).
    draws: Cell<Option<u32>>,
    /// The `vars(obj)` calls whose dict is only read at once ([`builtins::vars_read_at`]).
    vars_reads: HashSet<u32>,
    /// The parameters and targets of the lambdas and comprehensions being checked (innermost
    /// last): local names there, like a function's.
    inner_scopes: RefCell<Vec<HashSet<String>>>,
    /// Whether the module has `from __future__ import annotations` (annotations are strings).
    future_annotations: bool,
    /// The names bound by `from typing import ...`.
    typing_names: HashSet<String>,
    /// The names bound by `from threading/time/queue import NAME`: name → (module, NAME).
    from_imports: methods::FromImports,
    /// Where the `from __future__` imports that open the module (after its docstring) stand:
    /// the only place such imports may stand.
    future_at_top: Vec<TextRange>,
}

/// Deepest expression nesting accepted (CPython 3.11 gives up around a few thousand).
const MAX_EXPR_DEPTH: usize = 200;
/// Deepest block nesting accepted (CPython's limit on indentation levels).
const MAX_BLOCK_DEPTH: usize = 100;

/// The names an assignment, `for` or comprehension target binds (a name or a tuple of them).
fn target_names(e: &Expr, out: &mut HashSet<String>) {
    match e {
        Expr::Name(n) => {
            out.insert(n.id.as_str().to_string());
        }
        Expr::Tuple(t) => t.elts.iter().for_each(|x| target_names(x, out)),
        Expr::List(l) => l.elts.iter().for_each(|x| target_names(x, out)),
        Expr::Starred(s) => target_names(&s.value, out),
        _ => {}
    }
}

fn bound_names(body: &[Stmt], defs: &mut HashSet<String>, other: &mut HashSet<String>) {
    for s in body {
        targets::walrus_names(s, other);
        match s {
            Stmt::FunctionDef(f) => {
                defs.insert(f.name.as_str().to_string());
            }
            Stmt::ClassDef(c) => {
                defs.insert(c.name.as_str().to_string());
            }
            Stmt::Assign(a) => a.targets.iter().for_each(|t| target_names(t, other)),
            // `del x` makes `x` a local of the function, as an assignment does.
            Stmt::Delete(d) => d.targets.iter().for_each(|t| target_names(t, other)),
            Stmt::AugAssign(a) => target_names(&a.target, other),
            Stmt::AnnAssign(a) if a.value.is_some() => target_names(&a.target, other),
            Stmt::ImportFrom(i) => {
                for a in &i.names {
                    other.insert(a.asname.as_ref().map_or(a.name.as_str(), |n| n.as_str()).to_string());
                }
            }
            Stmt::For(f) => {
                target_names(&f.target, other);
                bound_names(&f.body, defs, other);
                bound_names(&f.orelse, defs, other);
            }
            Stmt::While(w) => {
                bound_names(&w.body, defs, other);
                bound_names(&w.orelse, defs, other);
            }
            Stmt::If(i) => {
                bound_names(&i.body, defs, other);
                for c in &i.elif_else_clauses {
                    bound_names(&c.body, defs, other);
                }
            }
            Stmt::With(w) => {
                for item in &w.items {
                    if let Some(v) = &item.optional_vars {
                        target_names(v, other);
                    }
                }
                bound_names(&w.body, defs, other);
            }
            Stmt::Import(i) => {
                for a in &i.names {
                    // `import a.b` binds `a`.
                    let name =
                        a.asname.as_ref().map_or(a.name.as_str().split('.').next().unwrap_or(""), |n| n.as_str());
                    other.insert(name.to_string());
                }
            }
            Stmt::Try(t) => {
                bound_names(&t.body, defs, other);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    if let Some(n) = &h.name {
                        other.insert(n.as_str().to_string());
                    }
                    bound_names(&h.body, defs, other);
                }
                bound_names(&t.orelse, defs, other);
                bound_names(&t.finalbody, defs, other);
            }
            _ => {}
        }
    }
}

impl<'a> Checker<'a> {
    fn new(src: &'a SourceFile, body: &[Stmt]) -> Self {
        let mut functions = HashSet::new();
        let mut module_bound = HashSet::new();
        bound_names(body, &mut functions, &mut module_bound);
        let (from_imports, modules) = imports::scan(body);
        let seeded = body.iter().any(|s| match s {
            Stmt::Expr(e) => matches!(&*e.value, Expr::Call(c) if matches!(&*c.func, Expr::Attribute(a)
                if a.attr.as_str() == "seed"
                    && matches!(&*a.value, Expr::Name(m) if modules.get(m.id.as_str()).is_some_and(|x| x == "random")))),
            _ => false,
        });
        Checker {
            src,
            seeded,
            functions,
            module_bound,
            classes: HashSet::new(),
            exc_classes: HashSet::new(),
            modules,
            locals: None,
            loops: 0,
            depth: Cell::new(0),
            iter_ok: Cell::new(false),
            map_ok: Cell::new(false),
            library: false,
            catchers: imports::catchers(body),
            tries: 0,
            fn_names: Vec::new(),
            blocks: 0,
            in_class: false,
            generator: false,
            kinds: methods::module_kinds(body, &from_imports),
            own_methods: methods::own_method_names(body),
            errors: RefCell::new(Vec::new()),
            draws: Cell::new(None),
            vars_reads: builtins::vars_read_at(body),
            inner_scopes: RefCell::new(Vec::new()),
            future_annotations: future_annotations(body),
            from_imports,
            typing_names: body
                .iter()
                .filter_map(|s| match s {
                    Stmt::ImportFrom(i) if i.module.as_ref().is_some_and(|m| m.as_str() == "typing") => Some(i),
                    _ => None,
                })
                .flat_map(|i| i.names.iter().map(|a| a.asname.as_ref().unwrap_or(&a.name).as_str().to_string()))
                .collect(),
            future_at_top: {
                let doc = usize::from(matches!(body.first(), Some(Stmt::Expr(e)) if e.value.is_string_literal_expr()));
                body[doc.min(body.len())..]
                    .iter()
                    .map_while(|s| match s {
                        Stmt::ImportFrom(i)
                            if i.level == 0 && i.module.as_ref().is_some_and(|m| m.as_str() == "__future__") =>
                        {
                            Some(i.range)
                        }
                        _ => None,
                    })
                    .collect()
            },
        }
    }

    /// Keeps the refusal `r` (if it is one) and goes on checking.
    fn note(&self, r: Result<()>) {
        if let Err(e) = r {
            match e {
                Error::Many(v) => self.errors.borrow_mut().extend(v),
                e => self.errors.borrow_mut().push(e),
            }
        }
    }

    fn span(&self, range: TextRange) -> Span {
        let (line, col) = self.src.line_col(range.start().to_u32());
        Span { file: self.src.name().to_string(), line, col }
    }

    fn unsupported(&self, range: TextRange, construct: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::Unsupported { span: self.span(range), construct: construct.into(), hint: hint.into() }
    }

    fn compile_error(&self, range: TextRange, message: impl Into<String>) -> Error {
        Error::Compile { span: self.span(range), message: message.into() }
    }

    fn stmts(&mut self, body: &[Stmt]) -> Result<()> {
        if self.blocks >= MAX_BLOCK_DEPTH {
            if let Some(first) = body.first() {
                return Err(self.unsupported(
                    first.range(),
                    format!("blocks nested more than {MAX_BLOCK_DEPTH} levels deep"),
                    "move inner parts into functions",
                ));
            }
        }
        self.blocks += 1;
        for s in body {
            let r = self.stmt(s);
            self.note(r);
        }
        self.blocks -= 1;
        Ok(())
    }

    fn is_local(&self, name: &str) -> bool {
        self.locals.as_ref().is_some_and(|l| l.contains(name))
            || self.inner_scopes.borrow().iter().any(|s| s.contains(name))
    }

    /// Checks `f` with `names` local (a lambda's parameters, a comprehension's targets).
    fn with_inner_scope<T>(&self, names: HashSet<String>, f: impl FnOnce(&Self) -> T) -> T {
        self.inner_scopes.borrow_mut().push(names);
        let r = f(self);
        self.inner_scopes.borrow_mut().pop();
        r
    }

    fn stmt(&mut self, s: &Stmt) -> Result<()> {
        if self.in_class {
            return self.class_stmt(s);
        }
        match s {
            Stmt::FunctionDef(f) => self.function(f, false),
            Stmt::ClassDef(c) => self.class(c),
            Stmt::Return(r) => {
                if self.locals.is_none() {
                    return Err(self.compile_error(r.range, "'return' outside function"));
                }
                r.value.as_deref().map_or(Ok(()), |v| self.expr(v))
            }
            Stmt::Delete(d) => d.targets.iter().try_for_each(|t| self.delete_target(t)),
            Stmt::TypeAlias(t) => Err(self.unsupported(t.range, "type alias", HINT_STMTS)),
            Stmt::Assign(a) => {
                a.targets.iter().for_each(|t| self.note(self.target(t)));
                self.expr(&a.value)
            }
            Stmt::AugAssign(a) => {
                match &*a.target {
                    Expr::Name(_) => {}
                    t @ (Expr::Attribute(_) | Expr::Subscript(_)) => self.target(t)?,
                    other => return Err(self.target_error(other)),
                }
                if matches!(a.op, Operator::MatMult) {
                    return Err(self.unsupported(
                        a.range,
                        format!("augmented assignment '{}='", a.op.as_str()),
                        "supported: += -= *= /= //= %= &= |= ^= <<= >>= **=",
                    ));
                }
                self.expr(&a.value)
            }
            Stmt::AnnAssign(a) => self.ann_assign(a),
            Stmt::For(f) => {
                if f.is_async {
                    return Err(self.unsupported(f.range, "async for", HINT_STMTS));
                }
                self.note(self.target(&f.target));
                if calls::is_map_call(&f.iter) {
                    self.map_ok.set(!self.loop_exception_may_be_caught() && !imports::leaves_early(&f.body, true));
                }
                // `for x in (y for y in ys):` resumes the generator item by item.
                self.note(match &*f.iter {
                    g @ Expr::Generator(_) => self.nested(g, |c| c.comprehension(g)),
                    other => self.iterable(other),
                });
                self.loops += 1;
                let r = self.stmts(&f.body);
                self.loops -= 1;
                r?;
                // The `else` clause runs when the loop ends without `break`, outside it.
                self.stmts(&f.orelse)
            }
            Stmt::While(w) => {
                self.note(self.expr(&w.test));
                self.loops += 1;
                let r = self.stmts(&w.body);
                self.loops -= 1;
                r?;
                self.stmts(&w.orelse)
            }
            Stmt::If(i) => {
                self.note(self.expr(&i.test));
                self.stmts(&i.body)?;
                for c in &i.elif_else_clauses {
                    if let Some(t) = &c.test {
                        self.note(self.expr(t));
                    }
                    self.stmts(&c.body)?;
                }
                Ok(())
            }
            Stmt::With(w) => {
                if w.is_async {
                    return Err(self.unsupported(w.range, "async with", "use a plain with statement"));
                }
                self.cleanup_in_generator(s, "with")?;
                for item in &w.items {
                    self.note(self.expr(&item.context_expr));
                    if let Some(v) = &item.optional_vars {
                        self.note(self.target(v));
                    }
                }
                self.stmts(&w.body)
            }
            Stmt::Match(m) => Err(self.unsupported(m.range, "match statement", "use if/elif/else")),
            Stmt::Raise(r) => {
                // `from cause`: any value (checked when the raise runs).
                if let Some(c) = &r.cause {
                    self.expr(c)?;
                }
                match r.exc.as_deref() {
                    None => Ok(()),
                    Some(Expr::Name(n)) if EXCEPTIONS.contains(&n.id.as_str()) => Ok(()),
                    Some(Expr::Name(n)) if self.exc_class(n.id.as_str()) => Ok(()),
                    Some(e) if self.queue_exception(e) => Ok(()),
                    // A caught or stored exception in a variable or attribute of the program's
                    // own (anything else raises CPython's TypeError).
                    Some(e @ Expr::Name(n))
                        if self.is_local(n.id.as_str()) || self.module_bound.contains(n.id.as_str()) =>
                    {
                        self.expr(e)
                    }
                    Some(e @ Expr::Attribute(a)) if !matches!(&*a.value, Expr::Name(m) if self.modules.contains_key(m.id.as_str())) => {
                        self.expr(e)
                    }
                    Some(e @ Expr::Call(c))
                        if matches!(&*c.func, Expr::Name(n) if EXCEPTIONS.contains(&n.id.as_str())
                            || self.exc_class(n.id.as_str()))
                            || self.queue_exception(&c.func) =>
                    {
                        self.expr(e)
                    }
                    // Any other value: what it evaluates to is raised, or is CPython's TypeError.
                    Some(e) => self.expr(e),
                }
            }
            Stmt::Try(t) => {
                if t.is_star {
                    return Err(self.unsupported(t.range, "try/except*", "use plain except clauses"));
                }
                self.cleanup_in_generator(s, "try")?;
                let catching = usize::from(!t.handlers.is_empty());
                self.tries += catching;
                let r = self.stmts(&t.body);
                self.tries -= catching;
                r?;
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    if let Some(ty) = &h.type_ {
                        self.note(self.exception_type(ty));
                    }
                    self.stmts(&h.body)?;
                }
                self.stmts(&t.orelse)?;
                self.stmts(&t.finalbody)
            }
            Stmt::Assert(a) => {
                self.expr(&a.test)?;
                a.msg.as_deref().map_or(Ok(()), |m| self.expr(m))
            }
            Stmt::Import(_) | Stmt::ImportFrom(_) => self.import_stmt(s),
            Stmt::Global(_) => Ok(()),
            Stmt::Nonlocal(_) => Ok(()),
            // Evaluated and dropped, as CPython does (a constant, such as a docstring, is a NOP):
            // `[t.start() for t in ts]`, `x`, `t.name`.
            Stmt::Expr(e) => match &*e.value {
                Expr::EllipsisLiteral(_) => Ok(()),
                v if crate::frontend::fold::fold(v).is_some() => Ok(()),
                v => self.expr(v),
            },
            Stmt::Pass(_) => Ok(()),
            Stmt::Break(b) => {
                if self.loops == 0 {
                    return Err(self.compile_error(b.range, "'break' outside loop"));
                }
                Ok(())
            }
            Stmt::Continue(c) => {
                if self.loops == 0 {
                    return Err(self.compile_error(c.range, "'continue' not properly in loop"));
                }
                Ok(())
            }
            Stmt::IpyEscapeCommand(i) => Err(self.unsupported(i.range, "IPython escape command", HINT_STMTS)),
        }
    }

    fn expr(&self, e: &Expr) -> Result<()> {
        self.nested(e, |c| c.expr1(e))
    }

    /// An expression in a position that consumes its iterator at once (see `iter_ok`).
    fn iterable(&self, e: &Expr) -> Result<()> {
        // The call itself takes the mark (see `call`); no other expression may see it.
        self.iter_ok.set(matches!(e, Expr::Call(_)));
        let r = self.expr(e);
        self.iter_ok.set(false);
        r
    }

    /// Runs `f` one expression level deeper, refusing to go past [`MAX_EXPR_DEPTH`].
    fn nested(&self, e: &Expr, f: impl FnOnce(&Self) -> Result<()>) -> Result<()> {
        if self.depth.get() >= MAX_EXPR_DEPTH {
            return Err(self.unsupported(
                e.range(),
                format!("expression nested more than {MAX_EXPR_DEPTH} levels deep"),
                "split it into several statements",
            ));
        }
        self.depth.set(self.depth.get() + 1);
        let r = f(self);
        self.depth.set(self.depth.get() - 1);
        r
    }

    fn expr1(&self, e: &Expr) -> Result<()> {
        match e {
            Expr::BoolOp(b) => b.values.iter().try_for_each(|v| self.expr(v)),
            Expr::Named(n) => {
                if !self.inner_scopes.borrow().is_empty() {
                    return Err(self.unsupported(
                        n.range,
                        "assignment expression ':=' in a comprehension or lambda",
                        "assign in a separate statement",
                    ));
                }
                if !matches!(&*n.target, Expr::Name(_)) {
                    return Err(self.target_error(&n.target));
                }
                self.expr(&n.value)
            }
            Expr::BinOp(b) => {
                self.binop(b)?;
                self.note(self.expr(&b.left));
                self.expr(&b.right)
            }
            Expr::UnaryOp(u) => self.expr(&u.operand),
            Expr::Lambda(l) => self.lambda(l),
            Expr::If(i) => {
                self.expr(&i.test)?;
                self.expr(&i.body)?;
                self.expr(&i.orelse)
            }
            Expr::Compare(c) => {
                self.expr(&c.left)?;
                c.comparators.iter().try_for_each(|x| self.expr(x))
            }
            Expr::Call(c) => self.call(c),
            Expr::FString(f) => {
                for el in f.value.elements() {
                    self.fstring_element(el)?;
                }
                Ok(())
            }
            Expr::Name(n) if n.id.as_str() == "__annotations__" => Err(self.unsupported(
                n.range,
                "the name __annotations__",
                "annotations are compiled as CPython compiles them, but their dict is not modelled",
            )),
            Expr::Name(_) | Expr::Attribute(_) if self.names_random(e) => self.random_reference(e),
            Expr::StringLiteral(_) | Expr::BooleanLiteral(_) | Expr::NoneLiteral(_) | Expr::Name(_) => Ok(()),
            Expr::NumberLiteral(n) => match n.value {
                Number::Int(_) => Ok(()),
                Number::Float(_) => Ok(()),
                Number::Complex { .. } => {
                    Err(self.unsupported(n.range, "complex literal", "ints and floats are supported as numbers"))
                }
            },
            Expr::Tuple(t) => t.elts.iter().try_for_each(|x| self.expr(x)),
            Expr::Attribute(a) if self.futures_private(a) => Err(self.unsupported(
                a.range,
                format!("the private attribute '{}' of a concurrent.futures object", a.attr.as_str()),
                "use the public API: submit, map, shutdown, result, exception, done, running",
            )),
            Expr::Attribute(a) => self.expr(&a.value),
            Expr::Subscript(sub) => {
                self.expr(&sub.value)?;
                self.index(&sub.slice)
            }
            Expr::List(l) => {
                if let Some(s) = l.elts.iter().find(|x| matches!(x, Expr::Starred(_))) {
                    return Err(self.unsupported(s.range(), "starred item in a list display", "list the items"));
                }
                if l.elts.len() > 30 {
                    return Err(self.unsupported(
                        l.range,
                        "list display with more than 30 items",
                        "build it from smaller lists",
                    ));
                }
                l.elts.iter().try_for_each(|x| self.expr(x))
            }
            Expr::Dict(d) => {
                if d.items.len() > 15 {
                    return Err(self.unsupported(
                        d.range,
                        "dict display with more than 15 items",
                        "add items with d[k] = v",
                    ));
                }
                for item in &d.items {
                    let Some(k) = &item.key else {
                        return Err(self.unsupported(item.value.range(), "dict unpacking '**'", "list the items"));
                    };
                    self.expr(k)?;
                    self.expr(&item.value)?;
                }
                Ok(())
            }
            Expr::Set(l) => {
                if let Some(s) = l.elts.iter().find(|x| matches!(x, Expr::Starred(_))) {
                    return Err(self.unsupported(s.range(), "starred item in a set display", "s = set(a) | set(b)"));
                }
                if l.elts.len() > 30 {
                    return Err(self.unsupported(
                        l.range,
                        "set display with more than 30 items",
                        "build it from smaller sets",
                    ));
                }
                l.elts.iter().try_for_each(|x| self.expr(x))
            }
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) => self.comprehension(e),
            Expr::Yield(_) | Expr::YieldFrom(_) => self.yield_expr(e),
            Expr::Generator(_) if self.library => self.comprehension(e),
            Expr::Generator(g) => Err(self.unsupported(
                g.range,
                "generator expression outside a call that consumes it",
                format!(
                    "pass it straight to {} or str.join, e.g. sum(x for x in xs), or use a list comprehension",
                    calls::GENERATOR_CONSUMERS.join(", ")
                ),
            )),
            other => Err(self.unsupported(other.range(), value_construct(other), HINT_VALUES)),
        }
    }

    /// The index of a subscript that is read: any supported expression, or a slice of them.
    fn index(&self, e: &Expr) -> Result<()> {
        match e {
            Expr::Slice(s) => [&s.lower, &s.upper, &s.step].into_iter().flatten().try_for_each(|b| self.expr(b)),
            other => self.expr(other),
        }
    }

    /// The index of a subscript that is assigned: not a slice.
    fn store_index(&self, e: &Expr) -> Result<()> {
        match e {
            Expr::Slice(s) => Err(self.unsupported(
                s.range,
                "slice assignment",
                "assign items one by one (a[i] = v), or build a new list",
            )),
            other => self.expr(other),
        }
    }

    fn binop(&self, b: &ast::ExprBinOp) -> Result<()> {
        let (construct, hint) = match b.op {
            Operator::Add
            | Operator::Sub
            | Operator::Mult
            | Operator::FloorDiv
            | Operator::Div
            | Operator::BitAnd
            | Operator::BitOr
            | Operator::BitXor
            | Operator::LShift
            | Operator::RShift
            | Operator::Pow => return Ok(()),
            Operator::Mod => return Ok(()),
            other => (format!("operator '{}'", other.as_str()), "supported operators: + - * / // % & | ^ << >> **"),
        };
        Err(self.unsupported(b.range, construct, hint))
    }

    fn fstring_element(&self, el: &ast::InterpolatedStringElement) -> Result<()> {
        let ast::InterpolatedStringElement::Interpolation(i) = el else { return Ok(()) };
        if i.debug_text.is_some() {
            return Err(self.unsupported(i.range, "f-string debug specifier '='", "write the name out: f\"x={x}\""));
        }
        self.expr(&i.expression)?;
        if let Some(spec) = &i.format_spec {
            for el in spec.elements.iter() {
                self.fstring_element(el)?;
            }
        }
        Ok(())
    }

    fn expect_expr(&self, e: &Expr) -> Result<()> {
        self.nested(e, |c| c.expect_expr1(e))
    }

    fn expect_expr1(&self, e: &Expr) -> Result<()> {
        match e {
            Expr::BoolOp(b) => b.values.iter().try_for_each(|v| self.expect_expr(v)),
            Expr::BinOp(b) => {
                self.binop(b)?;
                self.expect_expr(&b.left)?;
                self.expect_expr(&b.right)
            }
            Expr::UnaryOp(u) => self.expect_expr(&u.operand),
            Expr::If(i) => {
                self.expect_expr(&i.test)?;
                self.expect_expr(&i.body)?;
                self.expect_expr(&i.orelse)
            }
            Expr::Compare(c) => {
                self.expect_expr(&c.left)?;
                c.comparators.iter().try_for_each(|x| self.expect_expr(x))
            }
            Expr::Tuple(t) => t.elts.iter().try_for_each(|x| self.expect_expr(x)),
            Expr::Call(c) => Err(self.unsupported(
                c.range(),
                "call in an --expect expression",
                "use names of globals, constants and operators, e.g. balance == 2 * N",
            )),
            Expr::Name(n) if matches!(n.ctx, ExprContext::Load) => Ok(()),
            _ => self.expr(e),
        }
    }
}

fn value_construct(e: &Expr) -> String {
    match e {
        Expr::Dict(_) => "dict literal",
        Expr::Set(_) => "set literal",
        Expr::List(_) => "list literal",
        Expr::ListComp(_) => "list comprehension",
        Expr::SetComp(_) => "set comprehension",
        Expr::DictComp(_) => "dict comprehension",
        Expr::Generator(_) => "generator expression",
        Expr::Await(_) => "await expression",
        Expr::Yield(_) | Expr::YieldFrom(_) => "yield expression",
        Expr::TString(_) => "template string",
        Expr::BytesLiteral(_) => "bytes literal",
        Expr::EllipsisLiteral(_) => "Ellipsis literal '...'",
        Expr::Attribute(_) => "attribute access",
        Expr::Subscript(_) => "subscript",
        Expr::Starred(_) => "starred expression",
        Expr::Slice(_) => "slice",
        Expr::IpyEscapeCommand(_) => "IPython escape command",
        _ => "expression",
    }
    .to_string()
}
