//! The subset check of definitions: module-level classes (methods, `@property`, class
//! attributes) and functions (positional parameters, no nesting).

use super::*;

impl Checker<'_> {
    pub(super) fn class(&mut self, c: &ast::StmtClassDef) -> Result<()> {
        if self.locals.is_some() {
            return Err(self.unsupported(
                c.range,
                "class definition inside a function",
                "define classes at module level",
            ));
        }
        if self.blocks > 1 {
            return Err(self.unsupported(c.range, "class definition inside a block", "define classes at module level"));
        }
        if let Some(d) = c.decorator_list.first() {
            return Err(self.unsupported(d.range, "class decorator", HINT_CLASS));
        }
        if let Some(t) = &c.type_params {
            return Err(self.unsupported(t.range, "type parameters", HINT_CLASS));
        }
        if let Some(args) = &c.arguments {
            for (i, b) in args.args.iter().enumerate() {
                let exception = self.exception_base(b);
                let own = matches!(b, Expr::Name(n) if self.classes.contains(n.id.as_str()) || n.id.as_str() == "object")
                    || self.is_threading_class(b)
                    || exception;
                if exception {
                    self.exc_classes.insert(c.name.as_str().to_string());
                }
                if i > 0 {
                    return Err(self.unsupported(
                        b.range(),
                        "multiple inheritance (a second base class)",
                        "use one base class",
                    ));
                }
                if !own {
                    return Err(self.unsupported(
                        b.range(),
                        "this base class",
                        "a base class must be a class defined earlier in the module, object, threading.Thread, \
                         threading.Timer, or an exception type the checker models; subclasses of other library and built-in types \
                         are not modelled",
                    ));
                }
            }
            if let Some(k) = args.keywords.first() {
                return Err(self.unsupported(k.range, "class keyword argument", HINT_CLASS));
            }
        }
        self.in_class = true;
        let r = self.stmts(&c.body);
        self.in_class = false;
        self.classes.insert(c.name.as_str().to_string());
        r
    }

    /// Whether `e` names `threading.Thread` (`threading.Thread`, `th.Thread` after `import
    /// threading as th`, or `Thread` after `from threading import Thread`).
    /// Whether `e` names `threading.Thread` or `threading.Timer` (a base class the checker
    /// models).
    fn is_threading_class(&self, e: &Expr) -> bool {
        let class = |a: &str| matches!(a, "Thread" | "Timer");
        match e {
            Expr::Name(n) => self.from_imports.get(n.id.as_str()).is_some_and(|(m, a)| m == "threading" && class(a)),
            Expr::Attribute(a) => {
                class(a.attr.as_str())
                    && matches!(&*a.value, Expr::Name(m) if self.modules.get(m.id.as_str()).is_some_and(|x| x == "threading"))
            }
            _ => false,
        }
    }

    pub(super) fn class_stmt(&mut self, s: &Stmt) -> Result<()> {
        if let Stmt::Assign(a) = s {
            if let Some(Expr::Name(n)) =
                a.targets.iter().find(|t| matches!(t, Expr::Name(n) if is_special(n.id.as_str())))
            {
                return Err(self.unsupported(
                    n.range,
                    format!("special class attribute '{}'", n.id),
                    "class attributes with plain names are supported",
                ));
            }
        }
        match s {
            Stmt::FunctionDef(f)
                if is_special(f.name.as_str())
                    && f.name.as_str() != "__init__"
                    && f.name.as_str() != "__call__"
                    && !crate::bytecode::SPECIAL_METHODS.contains(&f.name.as_str()) =>
            {
                Err(self.unsupported(
                    f.name.range,
                    format!("special method '{}'", f.name.as_str()),
                    "the special methods a class may define are __init__, __call__, __str__, __repr__, __eq__, \
                     __ne__, __enter__ and __exit__ (len(), hash() and the other operators would not call the \
                     others); \
                     define a plain method and call it",
                ))
            }
            Stmt::FunctionDef(f) => {
                self.in_class = false;
                let r = self.function(f, true);
                self.in_class = true;
                r
            }
            Stmt::Assign(a) => {
                for t in &a.targets {
                    if !matches!(t, Expr::Name(_)) {
                        return Err(self.unsupported(
                            t.range(),
                            "class attribute target other than a name",
                            HINT_CLASS,
                        ));
                    }
                }
                self.expr(&a.value)
            }
            Stmt::AnnAssign(a) => {
                if !matches!(&*a.target, Expr::Name(_)) {
                    return Err(self.unsupported(
                        a.target.range(),
                        "class attribute target other than a name",
                        HINT_CLASS,
                    ));
                }
                self.ann_assign(a)
            }
            Stmt::Pass(_) => Ok(()),
            Stmt::Expr(e) if matches!(&*e.value, Expr::StringLiteral(_)) => Ok(()),
            Stmt::ClassDef(c) => Err(self.unsupported(c.range, "nested class", HINT_CLASS)),
            other => Err(self.unsupported(other.range(), "statement in a class body", HINT_CLASS)),
        }
    }

    pub(super) fn function(&mut self, f: &ast::StmtFunctionDef, method: bool) -> Result<()> {
        if f.is_async {
            return Err(self.unsupported(f.range, "async function", "use a plain def and threads"));
        }
        for d in &f.decorator_list {
            let special = match &d.expression {
                Expr::Name(n) => {
                    matches!(n.id.as_str(), "property" | "staticmethod" | "classmethod")
                        && !self.functions.contains(n.id.as_str())
                        && !self.module_bound.contains(n.id.as_str())
                }
                // `@x.setter` of a property `x` defined above, on a method of the same name.
                Expr::Attribute(a) => {
                    method && a.attr.as_str() == "setter" && matches!(&*a.value, Expr::Name(n) if n.id == f.name.id)
                }
                _ => false,
            };
            if special && !(method && f.decorator_list.len() == 1) {
                return Err(self.unsupported(
                    d.range,
                    "@property, @staticmethod or @classmethod here",
                    "they are supported alone on a method; a decorator of the program's own (a function that \
                     takes the function and returns what its name is bound to) may stand on any def",
                ));
            }
            if !special {
                // A decorator of the program's own (`@logged`, `@retry(3)`): an expression
                // evaluated before the def, whose value is called with the new function.
                self.note(self.expr(&d.expression));
            }
        }
        if let Some(t) = &f.type_params {
            return Err(self.unsupported(t.range, "type parameters", "use a plain def"));
        }
        // Annotations are evaluated where the `def` runs (unless the future import makes them
        // strings).
        if let Some(r) = &f.returns {
            self.note(self.annotation(r));
        }
        let p = &f.parameters;
        let mut locals = HashSet::new();
        let mut params = HashSet::new();
        // Positional parameters, then keyword-only ones (after `*` or `*args`).
        for param in p.posonlyargs.iter().chain(p.args.iter()).chain(p.kwonlyargs.iter()) {
            if let Some(d) = &param.default {
                // Evaluated where the `def` runs, once: a mutable default is shared by every
                // call, as in CPython. Keyword-only defaults must be constants.
                let kwonly = p.kwonlyargs.iter().any(|k| std::ptr::eq(k, param));
                if kwonly && crate::frontend::fold::fold(d).is_none() {
                    self.note(Err(self.unsupported(
                        d.range(),
                        "keyword-only parameter default that is not a constant",
                        "use a constant default (a number, a string, True/False/None, or a tuple of those), \
                         or default to None and compute the value in the function",
                    )));
                } else {
                    self.note(self.expr(d));
                }
            }
            if let Some(a) = &param.parameter.annotation {
                self.note(self.annotation(a));
            }
            let name = param.name().as_str();
            locals.insert(name.to_string());
            if !params.insert(name.to_string()) {
                return Err(
                    self.compile_error(param.range, format!("duplicate argument '{name}' in function definition"))
                );
            }
        }
        // `*args` (a tuple of the extra positional arguments) and `**kwargs` (a dict of the
        // extra keyword arguments).
        for v in p.vararg.iter().chain(&p.kwarg) {
            if let Some(a) = &v.annotation {
                self.note(self.annotation(a));
            }
            let name = v.name.as_str();
            locals.insert(name.to_string());
            if !params.insert(name.to_string()) {
                return Err(self.compile_error(v.range, format!("duplicate argument '{name}' in function definition")));
            }
        }
        let mut defs = HashSet::new();
        bound_names(&f.body, &mut defs, &mut locals);
        locals.extend(defs);
        let mut globals = HashSet::new();
        collect_global_names(&f.body, &mut globals);
        locals.retain(|n| !globals.contains(n));
        // In a nested function, the variables of the functions around it are not module names
        // either (they come through closure cells), unless declared global here.
        let outer = self.locals.take();
        if let Some(o) = &outer {
            locals.extend(o.iter().filter(|n| !globals.contains(*n)).cloned());
        }
        self.locals = Some(locals);
        let saved_loops = std::mem::replace(&mut self.loops, 0);
        let saved_tries = std::mem::replace(&mut self.tries, 0);
        self.fn_names.push(f.name.as_str().to_string());
        let saved_generator = std::mem::replace(&mut self.generator, crate::frontend::walk::contains_yield(&f.body));
        let r = self.stmts(&f.body);
        self.generator = saved_generator;
        self.fn_names.pop();
        self.tries = saved_tries;
        self.loops = saved_loops;
        self.locals = outer;
        r
    }
}

impl Checker<'_> {
    /// A `yield` expression: in the body of a generator function, outside lambdas and
    /// comprehensions; `yield from` is refused.
    pub(super) fn yield_expr(&self, e: &Expr) -> Result<()> {
        match e {
            Expr::YieldFrom(y) => {
                Err(self.unsupported(y.range, "yield from", "loop over the iterable instead: for x in it: yield x"))
            }
            Expr::Yield(y) if self.generator && self.inner_scopes.borrow().is_empty() && !self.in_class => {
                y.value.as_deref().map_or(Ok(()), |v| self.expr(v))
            }
            Expr::Yield(y) if self.locals.is_none() && self.inner_scopes.borrow().is_empty() => {
                Err(self.compile_error(y.range, "'yield' outside function"))
            }
            other => Err(self.unsupported(
                other.range(),
                "yield in a lambda or a comprehension",
                "yield in the body of a def (a generator function)",
            )),
        }
    }

    /// Refuses a `try` or `with` statement `s` that yields, in a generator function: CPython runs
    /// its cleanup (`finally`, `__exit__`) when a generator left unfinished at that yield is
    /// collected, which is not modelled. One without a yield inside ends before the generator
    /// can be suspended, so nothing is pending when it is.
    pub(super) fn cleanup_in_generator(&self, s: &Stmt, what: &str) -> Result<()> {
        if !self.generator || !crate::frontend::walk::contains_yield(std::slice::from_ref(s)) {
            return Ok(());
        }
        Err(self.unsupported(
            s.range(),
            format!("`yield` inside a `{what}` statement"),
            "CPython runs its cleanup when a generator left unfinished at that yield is collected, which is not \
             modelled; move the `yield` out of the `try` or `with`, or build a list and return it",
        ))
    }
}

/// Whether `name` is a special (`__dunder__`) name, which Python looks up implicitly.
fn is_special(name: &str) -> bool {
    name.len() > 4 && name.starts_with("__") && name.ends_with("__")
}

/// The names that `global` statements in `body` (at any depth, outside nested defs) declare.
pub(super) fn collect_global_names(body: &[Stmt], out: &mut HashSet<String>) {
    for s in body {
        match s {
            Stmt::Global(g) => out.extend(g.names.iter().map(|n| n.as_str().to_string())),
            Stmt::For(f) => {
                collect_global_names(&f.body, out);
                collect_global_names(&f.orelse, out);
            }
            Stmt::While(w) => {
                collect_global_names(&w.body, out);
                collect_global_names(&w.orelse, out);
            }
            Stmt::If(i) => {
                collect_global_names(&i.body, out);
                for c in &i.elif_else_clauses {
                    collect_global_names(&c.body, out);
                }
            }
            Stmt::With(w) => collect_global_names(&w.body, out),
            Stmt::Try(t) => {
                collect_global_names(&t.body, out);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    collect_global_names(&h.body, out);
                }
                collect_global_names(&t.orelse, out);
                collect_global_names(&t.finalbody, out);
            }
            _ => {}
        }
    }
}
