//! The subset check's view of the module's imports (which names stand for which modules), and
//! what it checks of `concurrent.futures`, whose model is a prelude in Python
//! (the compiler's prelude, `compile/prelude.rs`).

use super::*;
use std::collections::HashMap;

/// The names that `from M import NAME` binds (to `(M, NAME)`) and the modules that
/// `import M [as NAME]` binds (`import concurrent.futures` binds the package `concurrent`;
/// `from concurrent import futures` binds the module `concurrent.futures`).
pub(super) fn scan(body: &[Stmt]) -> (methods::FromImports, std::collections::HashMap<String, String>) {
    let mut from_imports = methods::FromImports::new();
    let mut modules = std::collections::HashMap::new();
    for s in body {
        if let Stmt::ImportFrom(i) = s {
            let module = i.module.as_ref().map_or("", |m| m.as_str());
            if i.level == 0 && module == "concurrent" {
                for a in i.names.iter().filter(|a| a.name.as_str() == "futures") {
                    let bound = a.asname.as_ref().unwrap_or(&a.name).as_str().to_string();
                    modules.insert(bound, "concurrent.futures".to_string());
                }
            }
            if i.level == 0 && matches!(module, "threading" | "time" | "queue" | "collections" | "concurrent.futures") {
                for a in &i.names {
                    let bound = a.asname.as_ref().unwrap_or(&a.name).as_str().to_string();
                    from_imports.insert(bound, (module.to_string(), a.name.as_str().to_string()));
                }
            }
        }
    }
    for s in body {
        if let Stmt::Import(i) = s {
            for a in &i.names {
                let bound = match &a.asname {
                    Some(n) => n.as_str(),
                    None => a.name.as_str().split('.').next().unwrap_or(""),
                };
                let module = if a.asname.is_none() && a.name.as_str() == "concurrent.futures" {
                    "concurrent"
                } else {
                    a.name.as_str()
                };
                modules.insert(bound.to_string(), module.to_string());
            }
        }
    }
    (from_imports, modules)
}

/// Where an exception that leaves a `for` loop's body may be caught, for `executor.map`.
pub(super) struct Catchers {
    /// The program defines `__exit__`: a `with` of its own class may swallow an exception.
    pub exit_swallows: bool,
    /// The functions (and methods, by name) that may run inside the body of a `try` with
    /// `except` clauses: named there, or named by such a function, transitively.
    pub guarded: HashSet<String>,
}

/// The [`Catchers`] of a module: every name a `try` body with `except` clauses mentions (a call,
/// a callback, a method) may run there, and so may every name those functions mention.
pub(super) fn catchers(body: &[Stmt]) -> Catchers {
    use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
    #[derive(Default)]
    struct Collect {
        mentions: HashMap<String, HashSet<String>>,
        seeds: HashSet<String>,
        exit: bool,
        stack: Vec<String>,
        in_try: usize,
    }
    impl Collect {
        fn mention(&mut self, name: &str) {
            if self.in_try > 0 {
                self.seeds.insert(name.to_string());
            }
            if let Some(f) = self.stack.last() {
                self.mentions.entry(f.clone()).or_default().insert(name.to_string());
            }
        }
    }
    impl<'a> Visitor<'a> for Collect {
        fn visit_stmt(&mut self, s: &'a Stmt) {
            match s {
                Stmt::FunctionDef(f) => {
                    self.exit |= f.name.as_str() == "__exit__";
                    self.stack.push(f.name.as_str().to_string());
                    walk_stmt(self, s);
                    self.stack.pop();
                }
                Stmt::Try(t) if !t.handlers.is_empty() => {
                    self.in_try += 1;
                    t.body.iter().for_each(|b| self.visit_stmt(b));
                    self.in_try -= 1;
                    for h in &t.handlers {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        h.body.iter().for_each(|b| self.visit_stmt(b));
                    }
                    t.orelse.iter().chain(&t.finalbody).for_each(|b| self.visit_stmt(b));
                }
                _ => walk_stmt(self, s),
            }
        }
        fn visit_expr(&mut self, e: &'a Expr) {
            match e {
                Expr::Name(n) => self.mention(n.id.as_str()),
                Expr::Attribute(a) => self.mention(a.attr.as_str()),
                _ => {}
            }
            walk_expr(self, e);
        }
    }
    let mut c = Collect::default();
    body.iter().for_each(|s| c.visit_stmt(s));
    let mut guarded = c.seeds;
    let mut todo: Vec<String> = guarded.iter().cloned().collect();
    while let Some(f) = todo.pop() {
        for m in c.mentions.get(&f).into_iter().flatten() {
            if guarded.insert(m.clone()) {
                todo.push(m.clone());
            }
        }
    }
    Catchers { exit_swallows: c.exit, guarded }
}

impl Checker<'_> {
    /// Whether an exception that leaves the body of the `for` being checked may be caught:
    /// inside a `try` with `except` clauses of this function, in a function that may run inside
    /// one, or by an `__exit__` of the program's.
    pub(super) fn loop_exception_may_be_caught(&self) -> bool {
        self.catchers.exit_swallows || self.tries > 0 || self.fn_names.iter().any(|f| self.catchers.guarded.contains(f))
    }
}

/// Whether `body` (a loop's) may leave the loop early: a `return` anywhere, or a `break` that
/// is not inside a nested loop (`top`: `body` is the loop's own).
pub(super) fn leaves_early(body: &[Stmt], top: bool) -> bool {
    body.iter().any(|s| match s {
        Stmt::Return(_) => true,
        Stmt::Break(_) => top,
        // An `else` clause runs after the loop: its `break` leaves the enclosing one.
        Stmt::For(f) => leaves_early(&f.body, false) || leaves_early(&f.orelse, top),
        Stmt::While(w) => leaves_early(&w.body, false) || leaves_early(&w.orelse, top),
        Stmt::If(i) => leaves_early(&i.body, top) || i.elif_else_clauses.iter().any(|c| leaves_early(&c.body, top)),
        Stmt::With(w) => leaves_early(&w.body, top),
        Stmt::Try(t) => {
            leaves_early(&t.body, top)
                || leaves_early(&t.finalbody, top)
                || leaves_early(&t.orelse, top)
                || t.handlers.iter().any(|h| {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    leaves_early(&h.body, top)
                })
        }
        _ => false,
    })
}

/// The attributes of `concurrent.futures`' executors and futures that CPython keeps private and
/// the checker's model of the module lays out differently.
const FUTURES_PRIVATE: &[&str] = &[
    "_condition",
    "_state",
    "_result",
    "_exception",
    "_waiters",
    "_done_callbacks",
    "_max_workers",
    "_work_queue",
    "_idle_semaphore",
    "_threads",
    "_shutdown",
    "_shutdown_lock",
    "_thread_name_prefix",
    "_broken",
    "_initializer",
    "_initargs",
    "_adjust_thread_count",
];

impl Checker<'_> {
    /// Whether `a` reads a private attribute of a `concurrent.futures` object (one the
    /// program's own classes do not define), which the model lays out differently.
    pub(super) fn futures_private(&self, a: &ast::ExprAttribute) -> bool {
        !self.library && FUTURES_PRIVATE.contains(&a.attr.as_str()) && !self.own_methods.contains(a.attr.as_str())
    }

    pub(super) fn futures_call(&self, c: &ast::ExprCall, attr: &str, range: TextRange) -> Result<()> {
        const HINT: &str = "supported: concurrent.futures.ThreadPoolExecutor(max_workers[, thread_name_prefix]) with \
             submit(fn, *args, **kwargs), map(fn, *iterables), shutdown([wait]) and `with`, the futures' \
             result(), exception(), done() and running(), and concurrent.futures.as_completed(fs)";
        match attr {
            "as_completed" => {
                if let Some(k) = c.arguments.keywords.first() {
                    let kname = k.arg.as_ref().map_or("**", |a| a.as_str());
                    return Err(self.unsupported(k.range, format!("keyword argument '{kname}' to as_completed"), HINT));
                }
                if c.arguments.args.len() != 1 {
                    return Err(self.unsupported(
                        c.range(),
                        "as_completed() with a timeout",
                        "as_completed(fs) without a timeout",
                    ));
                }
                // The order of the futures that had already finished is a choice, explored as
                // draws are.
                let at = c.range().start().to_u32();
                self.draws.set(Some(self.draws.get().map_or(at, |d| d.min(at))));
                Ok(())
            }
            "ThreadPoolExecutor" => {
                let args = &c.arguments.args;
                let kws = &c.arguments.keywords;
                if let Some(k) = kws
                    .iter()
                    .find(|k| !matches!(k.arg.as_ref().map(|a| a.as_str()), Some("max_workers" | "thread_name_prefix")))
                {
                    let kname = k.arg.as_ref().map_or("**", |a| a.as_str());
                    return Err(self.unsupported(
                        k.range,
                        format!("keyword argument '{kname}' to ThreadPoolExecutor"),
                        HINT,
                    ));
                }
                if args.len() + kws.len() > 2 {
                    return Err(self.unsupported(c.range(), "ThreadPoolExecutor() with initializer arguments", HINT));
                }
                let given =
                    !args.is_empty() || kws.iter().any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "max_workers"));
                let none = matches!(args.first(), Some(Expr::NoneLiteral(_)))
                    || kws.iter().any(|k| {
                        k.arg.as_ref().is_some_and(|a| a.as_str() == "max_workers")
                            && matches!(k.value, Expr::NoneLiteral(_))
                    });
                if !given || none {
                    return Err(self.unsupported(
                        c.range(),
                        "ThreadPoolExecutor() without max_workers (its default, min(32, os.cpu_count() + 4), depends on \
                         the machine)",
                        "pass the number of worker threads, e.g. ThreadPoolExecutor(max_workers=4)",
                    ));
                }
                Ok(())
            }
            other => Err(self.unsupported(range, format!("concurrent.futures.{other}"), HINT)),
        }
    }

    /// An `import` or `from ... import` statement.
    pub(super) fn import_stmt(&self, s: &Stmt) -> Result<()> {
        match s {
            Stmt::Import(i) => {
                if self.locals.is_some() {
                    return Err(self.unsupported(i.range, "import inside a function", HINT_IMPORTS));
                }
                for alias in &i.names {
                    let name = alias.name.as_str();
                    if !matches!(
                        name,
                        "threading"
                            | "time"
                            | "queue"
                            | "typing"
                            | "math"
                            | "collections"
                            | "random"
                            | "concurrent.futures"
                            | "functools"
                            | "operator"
                            | "copy"
                            | "sys"
                    ) {
                        return Err(self.unsupported(alias.range, format!("import of module '{name}'"), HINT_IMPORTS));
                    }
                }
                Ok(())
            }
            Stmt::ImportFrom(i) if i.level == 0 && i.module.as_ref().is_some_and(|m| m.as_str() == "__future__") => {
                let at_top = self.locals.is_none() && self.future_at_top.contains(&i.range);
                self.future_import(i, at_top)
            }
            Stmt::ImportFrom(i) if i.level == 0 && i.module.as_ref().is_some_and(|m| m.as_str() == "typing") => {
                self.typing_import(i)
            }
            Stmt::ImportFrom(i)
                if i.level == 0
                    && i.module.as_ref().is_some_and(|m| {
                        matches!(
                            m.as_str(),
                            "threading"
                                | "time"
                                | "queue"
                                | "math"
                                | "collections"
                                | "random"
                                | "concurrent.futures"
                                | "concurrent"
                                | "functools"
                                | "operator"
                                | "copy"
                                | "sys"
                        )
                    }) =>
            {
                self.module_import_from(i)
            }
            Stmt::ImportFrom(i) => {
                let module = i.module.as_ref().map_or("", |m| m.as_str());
                Err(self.unsupported(i.range, format!("from-import 'from {module} import ...'"), HINT_IMPORTS))
            }
            _ => Ok(()),
        }
    }

    /// The arguments of an executor's or a future's method that the module's model leaves out
    /// (`result(timeout)`, `shutdown(cancel_futures=True)`, `map(..., timeout=, chunksize=)`):
    /// refused, since the model's methods would raise a `TypeError` CPython does not.
    pub(super) fn futures_method(&self, c: &ast::ExprCall, a: &ast::ExprAttribute) -> Result<()> {
        let name = a.attr.as_str();
        if self.own_methods.contains(name) {
            return Ok(());
        }
        let args = &c.arguments.args;
        let kws = &c.arguments.keywords;
        let extra = match name {
            "result" | "exception" => !args.is_empty() || !kws.is_empty(),
            "shutdown" => args.len() > 1 || kws.iter().any(|k| k.arg.as_ref().is_none_or(|n| n.as_str() != "wait")),
            "map" => !kws.is_empty(),
            _ => false,
        };
        if extra {
            return Err(self.unsupported(
                c.range(),
                format!("the arguments of .{name}() beyond what concurrent.futures' model takes"),
                "result() and exception() without a timeout, shutdown([wait]), map(fn, *iterables) without \
                 timeout or chunksize",
            ));
        }
        Ok(())
    }
}
