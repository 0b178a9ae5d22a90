//! The subset check of calls: builtins, functions and methods, and the `threading`, `queue` and
//! `time` APIs the checker models.

use super::*;

/// Builtins that consume the iterable they are given at once.
const ITERATOR_CONSUMERS: &[&str] = &[
    "list",
    "tuple",
    "sorted",
    "sum",
    "min",
    "max",
    "any",
    "all",
    "enumerate",
    "zip",
    "reversed",
    "map",
    "dict",
    "set",
];

/// The builtin functions `map(f, iterable)` may apply (C code of one argument).
const MAP_FUNCTIONS: &[&str] = &["str", "repr", "int", "float", "abs", "len", "bool"];

/// Builtins that may be given a generator expression (as their first argument), which they run
/// to its end, or, `any` and `all`, until they know the answer; `str.join` too.
pub(super) const GENERATOR_CONSUMERS: &[&str] = &["list", "tuple", "sorted", "sum", "min", "max", "any", "all", "set"];

/// Whether the module passes `daemon=` other than `False` or `None` to any call, or assigns
/// such a value to an attribute `daemon` (the program may then start a daemon thread).
pub(super) fn daemon_keyword(body: &[Stmt]) -> bool {
    use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
    #[derive(Default)]
    struct Find(bool);
    impl<'a> Visitor<'a> for Find {
        fn visit_stmt(&mut self, s: &'a Stmt) {
            if let Stmt::Assign(a) = s {
                let daemon = |t: &Expr| matches!(t, Expr::Attribute(x) if x.attr.as_str() == "daemon");
                self.0 |= a.targets.iter().any(daemon) && !matches!(&*a.value, Expr::BooleanLiteral(b) if !b.value);
            }
            walk_stmt(self, s);
        }
        fn visit_expr(&mut self, e: &'a Expr) {
            if let Expr::Call(c) = e {
                self.0 |= c.arguments.keywords.iter().any(|k| {
                    k.arg.as_ref().is_some_and(|a| a.as_str() == "daemon")
                        && !matches!(
                            k.value,
                            Expr::BooleanLiteral(ast::ExprBooleanLiteral { value: false, .. }) | Expr::NoneLiteral(_)
                        )
                });
            }
            walk_expr(self, e);
        }
    }

    let mut f = Find::default();
    body.iter().for_each(|s| f.visit_stmt(s));
    f.0
}

/// Whether `e` is a call of a method named `map` (`executor.map(f, xs)`).
pub(super) fn is_map_call(e: &Expr) -> bool {
    matches!(e, Expr::Call(c) if matches!(&*c.func, Expr::Attribute(a) if a.attr.as_str() == "map"))
}

impl Checker<'_> {
    pub(super) fn call(&self, c: &ast::ExprCall) -> Result<()> {
        // Only this call may stand where an iterator is consumed, not its subexpressions.
        let iter_ok = self.iter_ok.replace(false);
        let map_ok = self.map_ok.replace(false);
        if matches!(&*c.func, Expr::Attribute(a) if a.attr.as_str() == "map")
            && !map_ok
            && !self.own_methods.contains("map")
        {
            return Err(self.unsupported(
                c.range(),
                "executor.map() whose results are not taken at once",
                "iterate it where it is made, in a for loop without break or return, where no except clause can \
                 catch what its body raises (`for r in executor.map(f, xs):`), or pass it to list(), tuple(), set(), sorted(), sum(), \
                 min() or max(): when its iterator is dropped early, CPython cancels the calls not yet started",
            ));
        }
        let args = &c.arguments.args;
        let kws = &c.arguments.keywords;
        for (i, k) in kws.iter().enumerate() {
            let Some(name) = k.arg.as_ref().map(|a| a.as_str()) else { continue };
            if kws[..i].iter().any(|p| p.arg.as_ref().is_some_and(|a| a.as_str() == name)) {
                return Err(self.compile_error(k.range, format!("keyword argument repeated: {name}")));
            }
        }
        let spread = args.iter().any(|a| matches!(a, Expr::Starred(_))) || kws.iter().any(|k| k.arg.is_none());
        if spread {
            // `f(*xs, **kw)`: only calls of the program's own functions, methods and classes
            // (a library call's arguments decide how it blocks, which must be known statically).
            return self.spread_call(c, iter_ok);
        }
        match &*c.func {
            // A name bound by `from threading import Lock` (and the like) at module level.
            Expr::Name(n) if !self.is_local(n.id.as_str()) && self.from_imports.contains_key(n.id.as_str()) => {
                let (module, attr) = &self.from_imports[n.id.as_str()];
                match module.as_str() {
                    "threading" => self.threading_call(c, attr, n.range)?,
                    "time" => self.time_call(c, attr, n.range)?,
                    "math" => self.math_call(c, attr, n.range)?,
                    "collections" => self.collections_call(c, attr, n.range)?,
                    "random" => self.random_call(c, attr, n.range)?,
                    "concurrent.futures" => self.futures_call(c, attr, n.range)?,
                    "functools" | "operator" | "copy" | "sys" => self.stdlib_call(c, module, attr, n.range)?,
                    _ => self.queue_call(c, attr, n.range)?,
                }
            }
            Expr::Name(n) => self.call_of_name(c, n.id.as_str(), iter_ok)?,
            Expr::Attribute(a) => {
                // The module a name was imported as (`import threading as th`).
                let base = match &*a.value {
                    Expr::Name(m) if !self.is_local(m.id.as_str()) => {
                        self.modules.get(m.id.as_str()).map(String::as_str)
                    }
                    // `concurrent.futures.NAME` after `import concurrent.futures`.
                    Expr::Attribute(p) if p.attr.as_str() == "futures" => match &*p.value {
                        Expr::Name(m)
                            if !self.is_local(m.id.as_str())
                                && self.modules.get(m.id.as_str()).is_some_and(|x| x == "concurrent") =>
                        {
                            Some("concurrent.futures")
                        }
                        _ => None,
                    },
                    _ => None,
                };
                match base {
                    Some("threading") => self.threading_call(c, a.attr.as_str(), a.range)?,
                    Some("time") => self.time_call(c, a.attr.as_str(), a.range)?,
                    Some("math") => self.math_call(c, a.attr.as_str(), a.range)?,
                    Some("collections") => self.collections_call(c, a.attr.as_str(), a.range)?,
                    Some("random") => self.random_call(c, a.attr.as_str(), a.range)?,
                    Some("queue") => self.queue_call(c, a.attr.as_str(), a.range)?,
                    Some("concurrent.futures") => self.futures_call(c, a.attr.as_str(), a.range)?,
                    Some(m @ ("functools" | "operator" | "copy" | "sys")) => {
                        self.stdlib_call(c, m, a.attr.as_str(), a.range)?
                    }
                    _ => {
                        self.note(self.expr(&a.value));
                        self.futures_method(c, a)?;
                        self.method_call(c, a)?
                    }
                }
            }
            // A computed callee (`itemgetter(1)(row)`, `handlers[kind](x)`, `make()()`): whatever
            // it evaluates to is called as CPython calls it.
            other => self.note(self.expr(other)),
        }
        // The builtins that consume an iterable at once take `enumerate(...)` and the like.
        let consumes = match &*c.func {
            Expr::Name(n) => {
                ITERATOR_CONSUMERS.contains(&n.id.as_str())
                    && !self.is_local(n.id.as_str())
                    && !self.module_bound.contains(n.id.as_str())
                    && !self.functions.contains(n.id.as_str())
            }
            // `sep.join(iterable)`.
            Expr::Attribute(a) => a.attr.as_str() == "join",
            _ => false,
        };
        let drains = consumes
            && match &*c.func {
                Expr::Name(n) => GENERATOR_CONSUMERS.contains(&n.id.as_str()),
                _ => true,
            };
        // The program's own functions may take a generator too (and iterate it with `for`, or
        // hand it to one of the builtins above).
        let own = matches!(&*c.func, Expr::Name(n) if self.functions.contains(n.id.as_str()));
        let sleep = self.is_sleep(c);
        for (i, a) in args.iter().enumerate() {
            if let Some((rc, f)) = self.random_callee(a).filter(|_| sleep) {
                self.note(self.random_in_sleep(rc, &f));
                continue;
            }
            self.note(match a {
                Expr::Generator(_) if (drains && i == 0) || own => self.nested(a, |c| c.comprehension(a)),
                _ if consumes => {
                    let whole = matches!(&*c.func, Expr::Name(n)
                        if matches!(n.id.as_str(), "list" | "tuple" | "set" | "sorted" | "sum" | "min" | "max"));
                    if i == 0 && whole && is_map_call(a) {
                        self.map_ok.set(true);
                    }
                    self.iterable(a)
                }
                _ => self.expr(a),
            });
        }
        kws.iter().for_each(|k| self.note(self.expr(&k.value)));
        Ok(())
    }

    /// A call that spreads its arguments (`f(*args, **kwargs)`): of a function, method or
    /// class whose arguments are bound when the call runs. A library call that blocks or
    /// starts threads must show its arguments, and an iterator-making builtin must be consumed.
    fn spread_call(&self, c: &ast::ExprCall, iter_ok: bool) -> Result<()> {
        let hint = "pass the arguments of a library call one by one";
        let library =
            |m: &str| !self.is_local(m) && (self.modules.contains_key(m) || self.from_imports.contains_key(m));
        match &*c.func {
            Expr::Attribute(a) if matches!(&*a.value, Expr::Name(m) if library(m.id.as_str())) => {
                return Err(self.unsupported(c.range(), "a call of a library function with *args or **kwargs", hint));
            }
            Expr::Name(n) if library(n.id.as_str()) => {
                return Err(self.unsupported(c.range(), "a call of a library function with *args or **kwargs", hint));
            }
            Expr::Name(n)
                if matches!(n.id.as_str(), "enumerate" | "zip" | "reversed" | "map")
                    && !iter_ok
                    && !self.is_local(n.id.as_str())
                    && !self.module_bound.contains(n.id.as_str()) =>
            {
                return Err(self.unsupported(
                    c.range(),
                    format!("{}() whose iterator is kept", n.id.as_str()),
                    "use it where it is consumed at once, e.g. list(zip(*rows))",
                ));
            }
            Expr::Name(_) => {}
            Expr::Attribute(a) => self.note(self.expr(&a.value)),
            other => {
                return Err(self.unsupported(other.range(), "call of a computed function", HINT_CALLS));
            }
        }
        for a in &c.arguments.args {
            match a {
                Expr::Starred(s) => self.note(self.expr(&s.value)),
                other => self.note(self.expr(other)),
            }
        }
        c.arguments.keywords.iter().for_each(|k| self.note(self.expr(&k.value)));
        Ok(())
    }

    pub(super) fn no_keywords(&self, c: &ast::ExprCall, what: &str, hint: &str) -> Result<()> {
        match c.arguments.keywords.first() {
            Some(k) => {
                let name = k.arg.as_ref().map_or("", |a| a.as_str());
                Err(self.unsupported(k.range, format!("keyword argument '{name}' to {what}"), hint))
            }
            None => Ok(()),
        }
    }

    fn call_of_name(&self, c: &ast::ExprCall, name: &str, iter_ok: bool) -> Result<()> {
        let shadowed = self.is_local(name) || self.module_bound.contains(name);
        // The program's own functions and classes, and whatever a variable holds (a function, a
        // partial, a bound method, a builtin), bind keyword arguments as CPython does.
        if self.functions.contains(name) || shadowed {
            return Ok(());
        }
        match name {
            // A library prelude's choice among `n` values, which the checker explores value by
            // value (`_pick(n)`, the order of a set of futures in `as_completed`).
            crate::bytecode::LIBRARY_PICK if self.library => Ok(()),
            "print" => {
                for k in &c.arguments.keywords {
                    let name = k.arg.as_ref().map_or("", |a| a.as_str());
                    if !matches!(name, "sep" | "end" | "flush") {
                        return Err(self.unsupported(
                            k.range,
                            format!("keyword argument '{name}' to print"),
                            "print(..., sep=..., end=..., flush=...) writes to the program's output",
                        ));
                    }
                }
                Ok(())
            }
            "super" => {
                if !c.arguments.args.is_empty() || !c.arguments.keywords.is_empty() {
                    return Err(self.unsupported(
                        c.range(),
                        "super() with arguments",
                        "write super() without arguments in a method",
                    ));
                }
                Ok(())
            }
            "range" => {
                self.no_keywords(c, "range", "range(stop), range(start, stop) or range(start, stop, step)")?;
                let n = c.arguments.args.len();
                if !(1..=3).contains(&n) {
                    return Err(self.unsupported(
                        c.range(),
                        format!("range() with {n} arguments"),
                        "range(stop), range(start, stop) or range(start, stop, step)",
                    ));
                }
                Ok(())
            }
            "vars" => {
                const HINT: &str = "vars(obj) of an instance, read at once: print(vars(obj)), sorted(vars(obj)), \
                     vars(obj).items(), vars(obj)[name], name in vars(obj), for name in vars(obj) (CPython's vars(obj) \
                     is the instance's own __dict__; use setattr(obj, name, value) to write it)";
                self.no_keywords(c, name, HINT)?;
                if c.arguments.args.len() != 1 || matches!(c.arguments.args[0], Expr::Starred(_)) {
                    return Err(self.unsupported(c.range(), "vars() without one object", HINT));
                }
                if !self.vars_reads.contains(&c.range().start().to_u32()) {
                    return Err(self.unsupported(c.range(), "vars(obj) other than read at once", HINT));
                }
                Ok(())
            }
            _ if EXCEPTIONS.contains(&name) => {
                self.no_keywords(c, name, "pass the message positionally")?;
                Ok(())
            }
            "sorted" => {
                for k in &c.arguments.keywords {
                    let kname = k.arg.as_ref().map_or("", |a| a.as_str());
                    if !matches!(kname, "reverse" | "key") {
                        return Err(self.unsupported(
                            k.range,
                            format!("keyword argument '{kname}' to sorted"),
                            "sorted(iterable[, key=f][, reverse=...])",
                        ));
                    }
                }
                if c.arguments.args.len() != 1 {
                    let n = c.arguments.args.len();
                    return Err(self.unsupported(
                        c.range(),
                        format!("sorted() with {n} arguments"),
                        "sorted(iterable)",
                    ));
                }
                Ok(())
            }
            "map" => {
                const HINT: &str = "map(f, iterable) where it is consumed at once, with f one of str, repr, \
                                    int, float, abs, len, bool; for another function, use a comprehension: \
                                    [f(x) for x in xs]";
                if !iter_ok {
                    return Err(self.unsupported(c.range(), "map() whose iterator is kept", HINT));
                }
                let builtin = |e: &Expr| {
                    matches!(e, Expr::Name(f) if MAP_FUNCTIONS.contains(&f.id.as_str())
                        && !self.is_local(f.id.as_str())
                        && !self.module_bound.contains(f.id.as_str())
                        && !self.functions.contains(f.id.as_str()))
                };
                match c.arguments.args.as_ref() {
                    [f, _] if builtin(f) && c.arguments.keywords.is_empty() => Ok(()),
                    _ => Err(self.unsupported(c.range(), "map() with these arguments", HINT)),
                }
            }
            "enumerate" | "zip" | "reversed" => {
                if !iter_ok {
                    return Err(self.unsupported(
                        c.range(),
                        format!("{name}() whose iterator is kept"),
                        "use it where it is consumed at once: `for i, x in enumerate(xs):`, a comprehension, \
                         or list(...), tuple(...), sorted(...), sum(...), min/max(...), any/all(...), sep.join(...)",
                    ));
                }
                let n = c.arguments.args.len();
                let ok = match name {
                    "enumerate" => {
                        (1..=2).contains(&n)
                            && c.arguments
                                .keywords
                                .iter()
                                .all(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "start"))
                    }
                    "zip" => c.arguments.keywords.is_empty(),
                    _ => n == 1 && c.arguments.keywords.is_empty(),
                };
                if !ok {
                    return Err(self.unsupported(
                        c.range(),
                        format!("{name}() with these arguments"),
                        "enumerate(iterable[, start]), zip(a, b, ...), reversed(sequence)",
                    ));
                }
                Ok(())
            }
            "sum" => {
                for k in &c.arguments.keywords {
                    let kname = k.arg.as_ref().map_or("", |a| a.as_str());
                    if kname != "start" {
                        return Err(self.unsupported(
                            k.range,
                            format!("keyword argument '{kname}' to sum"),
                            "sum(iterable) or sum(iterable, start)",
                        ));
                    }
                }
                if !(1..=2).contains(&c.arguments.args.len()) {
                    return Err(self.unsupported(
                        c.range(),
                        format!("sum() with {} arguments", c.arguments.args.len()),
                        "sum(iterable) or sum(iterable, start)",
                    ));
                }
                Ok(())
            }
            "round" => {
                for k in &c.arguments.keywords {
                    let kname = k.arg.as_ref().map_or("", |a| a.as_str());
                    if kname != "ndigits" && kname != "number" {
                        return Err(self.unsupported(
                            k.range,
                            format!("keyword argument '{kname}' to round"),
                            "round(number) or round(number, ndigits)",
                        ));
                    }
                }
                if c.arguments.args.len() > 2 {
                    return Err(self.unsupported(
                        c.range(),
                        format!("round() with {} arguments", c.arguments.args.len()),
                        "round(number) or round(number, ndigits)",
                    ));
                }
                Ok(())
            }
            "dict" => {
                if c.arguments.args.len() > 1 {
                    return Err(self.unsupported(
                        c.range(),
                        format!("dict() with {} positional arguments", c.arguments.args.len()),
                        "dict(), dict(mapping), dict(pairs) or dict(key=value, ...)",
                    ));
                }
                Ok(())
            }
            "min" | "max" => {
                for k in &c.arguments.keywords {
                    let kname = k.arg.as_ref().map_or("", |a| a.as_str());
                    if !matches!(kname, "key" | "default") {
                        return Err(self.unsupported(
                            k.range,
                            format!("keyword argument '{kname}' to {name}"),
                            "min/max(iterable[, key=f][, default=x]) or min/max(a, b, ...[, key=f])",
                        ));
                    }
                }
                if c.arguments.args.is_empty() {
                    return Err(self.unsupported(
                        c.range(),
                        format!("{name}() without arguments"),
                        "min/max(iterable)",
                    ));
                }
                Ok(())
            }
            // `int(text, base=16)`.
            "int"
                if c.arguments.args.len() == 1
                    && c.arguments.keywords.len() == 1
                    && c.arguments.keywords[0].arg.as_ref().is_some_and(|a| a.as_str() == "base") =>
            {
                Ok(())
            }
            _ if CALLABLE_BUILTINS.contains(&name) => {
                self.no_keywords(c, name, "pass arguments positionally")?;
                let n = c.arguments.args.len();
                let ok = match name {
                    "abs" | "len" | "any" | "all" | "repr" => n == 1,
                    "divmod" => n == 2,
                    "int" => n <= 2,
                    "sum" | "next" => (1..=2).contains(&n),
                    "isinstance" | "hasattr" | "delattr" => n == 2,
                    "getattr" => (2..=3).contains(&n),
                    "setattr" => n == 3,
                    "type" | "hash" | "callable" | "chr" | "ord" | "hex" | "oct" | "bin" => n == 1,
                    "min" | "max" => n >= 1,
                    _ => n <= 1,
                };
                if !ok {
                    return Err(self.unsupported(
                        c.range(),
                        format!("{name}() with {n} arguments"),
                        "abs(x), len(x), isinstance(x, types), min/max(iterable) or min/max(a, b, ...), int(x[, base]), float(x), \
                         sum(iterable[, start]), any(iterable), all(iterable), str(x), repr(x), divmod(a, b), \
                         list([iterable]), tuple([iterable]), bool(x), getattr(obj, name[, default]), \
                         setattr(obj, name, value), hasattr(obj, name), delattr(obj, name), type(x), hash(x), callable(x), \
                         chr(i), ord(c), hex(i), oct(i), bin(i), next(generator[, default])",
                    ));
                }
                Ok(())
            }
            _ if BUILTINS.contains(&name) => {
                Err(self.unsupported(c.range(), format!("call of builtin '{name}'"), HINT_CALLS))
            }
            _ => Err(self.unsupported(c.range(), format!("call of undefined function '{name}'"), HINT_CALLS)),
        }
    }

    fn threading_call(&self, c: &ast::ExprCall, attr: &str, range: TextRange) -> Result<()> {
        const HINT: &str = "supported: threading.Thread(target=f, args=(...), kwargs={...}, name=..., daemon=False), \
             threading.current_thread(), threading.main_thread(), threading.active_count(), threading.Lock(), \
             threading.RLock(), threading.Semaphore(value), threading.BoundedSemaphore(value), \
             threading.Event(), threading.Condition(lock=None), threading.Barrier(parties), threading.local(), \
             threading.Timer(interval, function, args=None, kwargs=None)";
        match attr {
            "Thread" => {
                if let Some(first) = c.arguments.args.first() {
                    return Err(self.unsupported(first.range(), "positional argument to threading.Thread", HINT));
                }
                for k in c.arguments.keywords.iter() {
                    let name = k.arg.as_ref().map_or("", |n| n.as_str());
                    if !matches!(name, "target" | "args" | "kwargs" | "name" | "daemon") {
                        return Err(self.unsupported(
                            k.range,
                            format!("keyword argument '{name}' to threading.Thread"),
                            HINT,
                        ));
                    }
                }
                Ok(())
            }
            "Lock" => {
                if let Some(first) = c.arguments.args.first() {
                    return Err(self.unsupported(first.range(), "argument to threading.Lock()", HINT));
                }
                self.no_keywords(c, "threading.Lock", HINT)
            }
            "current_thread" | "main_thread" | "active_count" => {
                self.no_keywords(c, &format!("threading.{attr}"), HINT)
            }
            "RLock" | "Event" | "local" => {
                if let Some(first) = c.arguments.args.first() {
                    return Err(self.unsupported(first.range(), format!("argument to threading.{attr}()"), HINT));
                }
                self.no_keywords(c, &format!("threading.{attr}"), HINT)
            }
            "Semaphore" | "BoundedSemaphore" => self.optional_arg(c, &format!("threading.{attr}"), "value", HINT),
            "Condition" => self.optional_arg(c, "threading.Condition", "lock", HINT),
            // Its `__init__` is Python code (the prelude's), which binds the arguments as
            // CPython's does and raises its TypeError for a wrong call.
            "Timer" => Ok(()),
            "Barrier" => {
                self.optional_arg(c, "threading.Barrier", "parties", HINT)?;
                if c.arguments.args.len() + c.arguments.keywords.len() != 1 {
                    return Err(self.unsupported(c.range(), "threading.Barrier() without its parties argument", HINT));
                }
                Ok(())
            }
            other => Err(self.unsupported(range, format!("threading.{other}"), HINT)),
        }
    }

    /// A call with at most one argument, positional or by keyword `name`.
    fn optional_arg(&self, c: &ast::ExprCall, what: &str, name: &str, hint: &str) -> Result<()> {
        let args = &c.arguments.args;
        let kws = &c.arguments.keywords;
        if let Some(k) = kws.iter().find(|k| k.arg.as_ref().is_none_or(|a| a.as_str() != name)) {
            let kname = k.arg.as_ref().map_or("", |a| a.as_str());
            return Err(self.unsupported(k.range, format!("keyword argument '{kname}' to {what}"), hint));
        }
        if args.len() + kws.len() > 1 {
            return Err(self.unsupported(c.range(), format!("{what}() with more than one argument"), hint));
        }
        Ok(())
    }

    fn queue_call(&self, c: &ast::ExprCall, attr: &str, range: TextRange) -> Result<()> {
        const HINT: &str =
            "supported: queue.Queue(maxsize=0), queue.LifoQueue(maxsize=0), queue.PriorityQueue(maxsize=0), \
             queue.SimpleQueue()";
        match attr {
            "Queue" => self.optional_arg(c, "queue.Queue", "maxsize", HINT),
            "LifoQueue" => self.optional_arg(c, "queue.LifoQueue", "maxsize", HINT),
            "PriorityQueue" => self.optional_arg(c, "queue.PriorityQueue", "maxsize", HINT),
            // It takes no arguments; any given raise CPython's TypeError when it runs.
            "SimpleQueue" => Ok(()),
            other => Err(self.unsupported(range, format!("queue.{other}"), HINT)),
        }
    }

    /// A call of `functools`, `operator`, `copy` or `sys`.
    fn stdlib_call(&self, c: &ast::ExprCall, module: &str, attr: &str, range: TextRange) -> Result<()> {
        let hint = match module {
            "functools" => {
                "supported: functools.partial(f, *args, **kwargs), functools.reduce(f, iterable[, initial]) \
                 and functools.wraps(wrapped) (as a decorator)"
            }
            "operator" => {
                "supported: the operator functions of the arithmetic, bitwise and comparison operators \
                 (add, sub, mul, truediv, floordiv, mod, pow, and_, or_, xor, lshift, rshift, their in-place forms \
                 iadd, isub, …, and lt, le, eq, ne, gt, ge), neg, pos, invert, not_, truth, abs, is_, is_not, \
                 getitem, setitem, contains, itemgetter(key, ...) and attrgetter(name, ...)"
            }
            "sys" => {
                "supported: sys.setswitchinterval(interval), which changes no outcome: the checker already explores \
                 every thread switch that any interval allows"
            }
            _ => "supported: copy.copy(x) and copy.deepcopy(x)",
        };
        let known = match module {
            "functools" => matches!(attr, "partial" | "reduce" | "wraps"),
            "copy" => matches!(attr, "copy" | "deepcopy"),
            "sys" => attr == "setswitchinterval",
            _ => super::annotations::module_has("operator", attr),
        };
        if !known {
            return Err(self.unsupported(range, format!("{module}.{attr}"), hint));
        }
        let n = c.arguments.args.len();
        let (ok, what) = match (module, attr) {
            ("functools", "partial") => (n >= 1, "functools.partial(f, *args, **kwargs)"),
            ("functools", "reduce") => ((2..=3).contains(&n), "functools.reduce(f, iterable[, initial])"),
            ("functools", "wraps") => (n == 1, "functools.wraps(wrapped), without assigned= or updated="),
            ("copy", _) => (n == 1, "copy.copy(x) or copy.deepcopy(x), without a memo"),
            _ => (true, hint),
        };
        // A keyword given to `sys.setswitchinterval` raises CPython's TypeError at run time.
        if !(module == "functools" && attr == "partial" || module == "sys") {
            self.no_keywords(c, &format!("{module}.{attr}"), what)?;
        }
        if !ok {
            return Err(self.unsupported(c.range(), format!("{module}.{attr}() with {n} arguments"), what));
        }
        Ok(())
    }

    fn math_call(&self, c: &ast::ExprCall, attr: &str, range: TextRange) -> Result<()> {
        const HINT: &str = "supported: math.sqrt, floor, ceil, trunc, fabs, factorial, gcd and isqrt, and the \
             constants pi, e, tau, inf and nan (the other functions' results depend on the platform's libm)";
        match attr {
            "sqrt" | "floor" | "ceil" | "trunc" | "fabs" | "factorial" | "gcd" | "isqrt" => {
                self.no_keywords(c, &format!("math.{attr}"), HINT)
            }
            other => Err(self.unsupported(range, format!("math.{other}"), HINT)),
        }
    }

    fn collections_call(&self, c: &ast::ExprCall, attr: &str, range: TextRange) -> Result<()> {
        const HINT: &str = "supported: collections.defaultdict(factory), where the factory is int, float, str, \
             bool, list, dict, tuple, a function or a lambda, collections.Counter([iterable or mapping]), \
             collections.OrderedDict([iterable or mapping]) and collections.deque([iterable[, maxlen]])";
        match attr {
            "defaultdict" => {
                self.no_keywords(c, "collections.defaultdict", HINT)?;
                if c.arguments.args.len() > 1 {
                    return Err(self.unsupported(c.range(), "collections.defaultdict() with initial items", HINT));
                }
                Ok(())
            }
            "deque" => {
                if c.arguments.args.len() > 2 {
                    return Err(self.unsupported(c.range(), "collections.deque() with more than two arguments", HINT));
                }
                Ok(())
            }
            "Counter" | "OrderedDict" => {
                if c.arguments.args.len() > 1 {
                    return Err(self.unsupported(
                        c.range(),
                        format!("collections.{attr}() with several arguments"),
                        HINT,
                    ));
                }
                Ok(())
            }
            other => Err(self.unsupported(range, format!("collections.{other}"), HINT)),
        }
    }

    /// Whether `c` calls `time.sleep` (or `sleep` imported from `time`).
    fn is_sleep(&self, c: &ast::ExprCall) -> bool {
        self.module_callee(&c.func).is_some_and(|(m, f)| m == "time" && f == "sleep")
    }

    /// The module and name of a module function that `func` names: `m.f` for `import m`, or
    /// `f` bound by `from m import f`.
    pub(super) fn module_callee(&self, func: &Expr) -> Option<(String, String)> {
        match func {
            Expr::Name(n) if !self.is_local(n.id.as_str()) => self.from_imports.get(n.id.as_str()).cloned(),
            Expr::Attribute(a) => match &*a.value {
                Expr::Name(m) if !self.is_local(m.id.as_str()) => {
                    self.modules.get(m.id.as_str()).map(|module| (module.clone(), a.attr.to_string()))
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn time_call(&self, c: &ast::ExprCall, attr: &str, range: TextRange) -> Result<()> {
        const HINT: &str = "supported: time.sleep(x), and time.time(), time.monotonic() and time.perf_counter() as \
             readings that only grow (kept in variables, + and - of numbers, differences, and <, <=, >, >= between them)";
        match attr {
            "time" | "monotonic" | "perf_counter" => {
                self.no_keywords(c, &format!("time.{attr}"), HINT)?;
                if !c.arguments.args.is_empty() {
                    return Err(self.unsupported(c.range(), format!("time.{attr}() with arguments"), HINT));
                }
                // Comparisons of readings are choices, explored as draws are.
                let at = c.range().start().to_u32();
                self.draws.set(Some(self.draws.get().map_or(at, |d| d.min(at))));
                Ok(())
            }
            "sleep" => {
                self.no_keywords(c, "time.sleep", HINT)?;
                if c.arguments.args.len() != 1 {
                    return Err(self.unsupported(
                        c.range(),
                        format!("time.sleep() with {} arguments", c.arguments.args.len()),
                        HINT,
                    ));
                }
                Ok(())
            }
            other => Err(self.unsupported(range, format!("time.{other}"), HINT)),
        }
    }
}
