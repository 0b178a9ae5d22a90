//! The subset check of method calls `recv.m(...)`: which methods the checker models on each
//! type, the type of a receiver where it is known statically (a display, a literal, or a
//! module-level name bound only to one kind of value), and CPython's own attributes of the
//! built-in types (an attribute CPython has but the checker does not model is refused; one that
//! CPython lacks is the program's `AttributeError`, as CPython raises it).

use super::*;
use std::collections::HashMap;

/// What every supported method call looks like (the hint of a refusal).
const HINT_METHODS: &str = "supported methods: every list method (lst.append(x), pop([i]), insert(i, x), \
     remove(x), extend(xs), count(x), index(x), clear(), reverse(), sort([reverse=...]), copy()); s.join(xs), \
     s.upper(), lower(), strip(), split([sep]), startswith(p), endswith(p), replace(a, b), find(sub), count(sub) \
     and the other str methods the README lists; d.get(k[, default]), d.keys(), d.values(), d.items(), d.setdefault(k[, default]), d.update(other); lock.acquire([blocking, \
     timeout]), lock.release(), lock.locked(); t.start(), t.join([timeout]), t.is_alive(); \
     RLock/Semaphore/BoundedSemaphore acquire([blocking, timeout]), release(); event.set(), clear(), is_set(), \
     wait([timeout]); cond.acquire(), release(), wait([timeout]), wait_for(predicate[, timeout]), notify([n]), \
     notify_all(); barrier.wait(); \
     q.put(x[, block, timeout]), q.get([block, timeout]), put_nowait(x), get_nowait(), qsize(), empty(), full(), \
     task_done(), join(); and the methods of the program's classes (a timeout may expire at any time)";

/// The type of a receiver, where it is known statically.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    List,
    Dict,
    Set,
    Str,
    Int,
    Tuple,
    Lock,
    Thread,
    /// A `threading` synchronisation object, a `queue.Queue`, a `collections.Counter` or a
    /// `collections.deque`, by its type name.
    Sync(&'static str),
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::List => "list",
            Kind::Dict => "dict",
            Kind::Set => "set",
            Kind::Str => "str",
            Kind::Int => "int",
            Kind::Tuple => "tuple",
            Kind::Lock => "Lock",
            Kind::Thread => "Thread",
            Kind::Sync(n) => n,
        }
    }

    /// What is supported on this type instead of another method.
    fn hint(self) -> String {
        match self {
            Kind::List => "supported on a list: every method, a[i], a[i] = v, len(a), x in a and iteration".into(),
            Kind::Dict => "supported on a dict: d.get(k[, default]), d.keys(), d.values(), d.items(), \
                 d.setdefault(k[, default]), d.update(other), d.pop(k[, default]), d.popitem(), d.copy(), \
                 d.clear(), d[k], d[k] = v, k in d and iteration"
                .into(),
            Kind::Set => "supported on a set: add, discard, remove, pop, clear, copy, update, union, intersection, \
                 difference, symmetric_difference, issubset, issuperset, isdisjoint, the operators | & - ^ (and |= &= \
                 -= ^=), <= < >= >, x in s, len(s), sorted(s) and iteration"
                .into(),
            Kind::Str => "supported on a str: join, upper, lower, strip, lstrip, rstrip, split, splitlines, startswith, \
                 endswith, replace, find, rfind, index, rindex and count (without start and end positions), isdigit, \
                 isalpha, isalnum, isspace, isupper, islower, capitalize, title, zfill, ljust, rjust, center, partition, \
                 rpartition, format, f-strings, printf-style %, +, ==, in and len(s)"
                .into(),
            Kind::Int | Kind::Tuple => format!("no {} methods are modelled", self.name()),
            k => format!(
                "supported on a {}: {}",
                k.name(),
                k.supported().iter().map(|m| format!(".{m}()")).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    /// The methods the checker models on this type.
    fn supported(self) -> &'static [&'static str] {
        match self {
            Kind::List => crate::pyattrs::CPYTHON_LIST,
            Kind::Dict => {
                &["get", "keys", "values", "items", "setdefault", "update", "pop", "popitem", "copy", "clear"]
            }
            Kind::Set => &[
                "add",
                "discard",
                "remove",
                "pop",
                "clear",
                "copy",
                "update",
                "union",
                "intersection",
                "difference",
                "symmetric_difference",
                "issubset",
                "issuperset",
                "isdisjoint",
            ],
            Kind::Str => &[
                "index",
                "rfind",
                "rindex",
                "isdigit",
                "isalpha",
                "isalnum",
                "isspace",
                "isupper",
                "islower",
                "capitalize",
                "title",
                "zfill",
                "ljust",
                "rjust",
                "center",
                "partition",
                "rpartition",
                "splitlines",
                "join",
                "upper",
                "lower",
                "strip",
                "lstrip",
                "rstrip",
                "split",
                "startswith",
                "endswith",
                "replace",
                "find",
                "count",
                "format",
            ],
            Kind::Int | Kind::Tuple => &[],
            Kind::Lock => &["acquire", "release", "locked"],
            Kind::Thread => &["start", "join", "is_alive"],
            Kind::Sync("RLock" | "Semaphore" | "BoundedSemaphore") => &["acquire", "release"],
            Kind::Sync("Event") => &["set", "clear", "is_set", "wait"],
            Kind::Sync("Condition") => &["acquire", "release", "wait", "wait_for", "notify", "notify_all"],
            Kind::Sync("Barrier") => &["wait"],
            // `function` is an attribute that a subclass's `run` calls: `self.function(*self.args)`.
            Kind::Sync("Timer") => &["start", "join", "is_alive", "cancel", "function"],
            Kind::Sync("ThreadPoolExecutor") => &["submit", "map", "shutdown"],
            Kind::Sync("Future") => &["result", "exception", "done", "running"],
            Kind::Sync("deque") => &[
                "append",
                "appendleft",
                "pop",
                "popleft",
                "extend",
                "extendleft",
                "clear",
                "count",
                "index",
                "remove",
                "reverse",
                "rotate",
                "insert",
                "copy",
            ],
            Kind::Sync("OrderedDict") => &[
                "move_to_end",
                "popitem",
                "get",
                "keys",
                "values",
                "items",
                "setdefault",
                "pop",
                "update",
                "copy",
                "clear",
            ],
            Kind::Sync("Counter") => &[
                "most_common",
                "update",
                "subtract",
                "total",
                "copy",
                "get",
                "keys",
                "values",
                "items",
                "setdefault",
                "pop",
                "popitem",
                "clear",
            ],
            Kind::Sync("SimpleQueue") => &["put", "get", "put_nowait", "get_nowait", "qsize", "empty"],
            Kind::Sync(_) => &["put", "get", "put_nowait", "get_nowait", "qsize", "empty", "full", "task_done", "join"],
        }
    }
}

/// Every type whose methods the checker models.
const ALL_KINDS: [Kind; 20] = [
    Kind::List,
    Kind::Dict,
    Kind::Set,
    Kind::Str,
    Kind::Lock,
    Kind::Thread,
    Kind::Sync("RLock"),
    Kind::Sync("Semaphore"),
    Kind::Sync("BoundedSemaphore"),
    Kind::Sync("Event"),
    Kind::Sync("Condition"),
    Kind::Sync("Barrier"),
    Kind::Sync("Timer"),
    Kind::Sync("Queue"),
    Kind::Sync("SimpleQueue"),
    Kind::Sync("Counter"),
    Kind::Sync("OrderedDict"),
    Kind::Sync("deque"),
    Kind::Sync("ThreadPoolExecutor"),
    Kind::Sync("Future"),
];

/// Whether the checker models a method called `name` on some built-in or library type.
fn supported_somewhere(name: &str) -> bool {
    ALL_KINDS.iter().any(|k| k.supported().contains(&name))
}

/// The names bound by `from threading import Lock` and the like: name → (module, attribute).
pub(super) type FromImports = HashMap<String, (String, String)>;

/// The kind of the value `e` evaluates to, when its form says so (`imports`: the names bound
/// by `from M import NAME`).
pub(super) fn kind_of(e: &Expr, imports: &FromImports) -> Option<Kind> {
    if let Expr::Call(c) = e {
        if let Expr::Name(n) = &*c.func {
            if let Some((module, attr)) = imports.get(n.id.as_str()) {
                return threading_kind(module, attr);
            }
        }
    }
    match e {
        Expr::List(_) => Some(Kind::List),
        Expr::Dict(_) => Some(Kind::Dict),
        Expr::Set(_) | Expr::SetComp(_) => Some(Kind::Set),
        Expr::StringLiteral(_) | Expr::FString(_) => Some(Kind::Str),
        Expr::NumberLiteral(n) if matches!(n.value, Number::Int(_)) => Some(Kind::Int),
        Expr::Tuple(_) => Some(Kind::Tuple),
        Expr::Call(c) => match &*c.func {
            Expr::Name(n) if n.id.as_str() == "set" => Some(Kind::Set),
            Expr::Attribute(a) => match &*a.value {
                Expr::Name(m) => threading_kind(m.id.as_str(), a.attr.as_str()),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// The kind of the object that calling `module.attr` makes.
fn threading_kind(module: &str, attr: &str) -> Option<Kind> {
    match (module, attr) {
        ("threading", "Lock") => Some(Kind::Lock),
        ("threading", "Thread" | "current_thread" | "main_thread") => Some(Kind::Thread),
        ("threading", "RLock") => Some(Kind::Sync("RLock")),
        ("threading", "Semaphore") => Some(Kind::Sync("Semaphore")),
        ("threading", "BoundedSemaphore") => Some(Kind::Sync("BoundedSemaphore")),
        ("threading", "Event") => Some(Kind::Sync("Event")),
        ("threading", "Condition") => Some(Kind::Sync("Condition")),
        ("threading", "Barrier") => Some(Kind::Sync("Barrier")),
        ("threading", "Timer") => Some(Kind::Sync("Timer")),
        ("queue", "Queue") => Some(Kind::Sync("Queue")),
        ("queue", "LifoQueue") => Some(Kind::Sync("LifoQueue")),
        ("queue", "PriorityQueue") => Some(Kind::Sync("PriorityQueue")),
        ("queue", "SimpleQueue") => Some(Kind::Sync("SimpleQueue")),
        ("collections", "Counter") => Some(Kind::Sync("Counter")),
        ("collections", "OrderedDict") => Some(Kind::Sync("OrderedDict")),
        ("collections", "deque") => Some(Kind::Sync("deque")),
        ("concurrent.futures", "ThreadPoolExecutor") => Some(Kind::Sync("ThreadPoolExecutor")),
        _ => None,
    }
}

/// The names an assignment target binds.
fn target_names(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::Name(n) => out.push(n.id.as_str().to_string()),
        Expr::Tuple(t) => t.elts.iter().for_each(|x| target_names(x, out)),
        Expr::List(l) => l.elts.iter().for_each(|x| target_names(x, out)),
        Expr::Starred(s) => target_names(&s.value, out),
        _ => {}
    }
}

/// The module-level names bound only by plain assignments of one known kind (and never by a
/// function through `global`, a loop, `with ... as`, or unpacking), with that kind.
pub(super) fn module_kinds(body: &[Stmt], imports: &FromImports) -> HashMap<String, Kind> {
    fn walk(
        body: &[Stmt],
        seen: &mut HashMap<String, Option<Kind>>,
        globals: &mut HashSet<String>,
        imports: &FromImports,
    ) {
        let bind = |name: &str, k: Option<Kind>, seen: &mut HashMap<String, Option<Kind>>| {
            let e = seen.entry(name.to_string()).or_insert(k);
            if *e != k {
                *e = None;
            }
        };
        for s in body {
            match s {
                Stmt::Assign(a) => {
                    for t in &a.targets {
                        match t {
                            Expr::Name(n) => bind(n.id.as_str(), kind_of(&a.value, imports), seen),
                            other => {
                                let mut names = Vec::new();
                                target_names(other, &mut names);
                                names.iter().for_each(|n| bind(n, None, seen));
                            }
                        }
                    }
                }
                Stmt::AnnAssign(a) if a.value.is_some() => match (&*a.target, a.value.as_deref()) {
                    (Expr::Name(n), Some(v)) => bind(n.id.as_str(), kind_of(v, imports), seen),
                    (other, _) => {
                        let mut names = Vec::new();
                        target_names(other, &mut names);
                        names.iter().for_each(|n| bind(n, None, seen));
                    }
                },
                Stmt::FunctionDef(f) => defs::collect_global_names(&f.body, globals),
                Stmt::ClassDef(c) => {
                    for s in &c.body {
                        if let Stmt::FunctionDef(f) = s {
                            defs::collect_global_names(&f.body, globals);
                        }
                    }
                }
                other => {
                    // Loops, `with ... as`, `except ... as`, imports, augmented assignments:
                    // every name they bind is of unknown kind; their bodies are walked too.
                    let mut names = HashSet::new();
                    let mut defs = HashSet::new();
                    bound_names(std::slice::from_ref(other), &mut defs, &mut names);
                    let nested: Vec<&[Stmt]> = match other {
                        Stmt::For(f) => vec![&f.body, &f.orelse],
                        Stmt::While(w) => vec![&w.body, &w.orelse],
                        Stmt::If(i) => {
                            let mut v: Vec<&[Stmt]> = vec![&i.body];
                            v.extend(i.elif_else_clauses.iter().map(|c| c.body.as_slice()));
                            v
                        }
                        Stmt::With(w) => vec![&w.body],
                        Stmt::Try(t) => {
                            let mut v: Vec<&[Stmt]> = vec![&t.body, &t.orelse, &t.finalbody];
                            for h in &t.handlers {
                                let ast::ExceptHandler::ExceptHandler(h) = h;
                                v.push(&h.body);
                            }
                            v
                        }
                        _ => vec![],
                    };
                    let mut inner = HashMap::new();
                    for b in &nested {
                        walk(b, &mut inner, globals, imports);
                    }
                    for n in names {
                        let k = inner.get(&n).copied().flatten();
                        bind(&n, if inner.contains_key(&n) { k } else { None }, seen);
                    }
                    for (n, k) in inner {
                        bind(&n, k, seen);
                    }
                }
            }
        }
    }
    let mut seen = HashMap::new();
    let mut globals = HashSet::new();
    walk(body, &mut seen, &mut globals, imports);
    seen.into_iter().filter(|(n, _)| !globals.contains(n)).filter_map(|(n, k)| Some((n, k?))).collect()
}

/// The names a program can call as methods of its own classes: every `def` in a class body and
/// every attribute it assigns (`obj.name = ...`), which may hold a function.
pub(super) fn own_method_names(body: &[Stmt]) -> HashSet<String> {
    use ruff_python_ast::visitor::{self, Visitor};
    struct Names(HashSet<String>);
    impl<'a> Visitor<'a> for Names {
        fn visit_stmt(&mut self, s: &'a Stmt) {
            match s {
                Stmt::ClassDef(c) => {
                    for s in &c.body {
                        match s {
                            Stmt::FunctionDef(f) => {
                                self.0.insert(f.name.as_str().to_string());
                            }
                            Stmt::Assign(a) => {
                                for t in &a.targets {
                                    if let Expr::Name(n) = t {
                                        self.0.insert(n.id.as_str().to_string());
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                Stmt::Assign(a) => {
                    for t in &a.targets {
                        if let Expr::Attribute(at) = t {
                            self.0.insert(at.attr.as_str().to_string());
                        }
                    }
                }
                _ => {}
            }
            visitor::walk_stmt(self, s);
        }
    }
    let mut v = Names(HashSet::new());
    v.visit_body(body);
    v.0
}

impl Checker<'_> {
    /// The statically known kind of `e`, if any.
    pub(super) fn known_kind(&self, e: &Expr) -> Option<Kind> {
        match e {
            Expr::Name(n) if !self.is_local(n.id.as_str()) => self.kinds.get(n.id.as_str()).copied(),
            Expr::Name(_) => None,
            other => kind_of(other, &self.from_imports),
        }
    }

    /// Checks the method call `c` of `a.attr` on a receiver that is not a module.
    pub(super) fn method_call(&self, c: &ast::ExprCall, a: &ast::ExprAttribute) -> Result<()> {
        let name = a.attr.as_str();
        let args = &c.arguments.args;
        let kws = &c.arguments.keywords;
        match self.known_kind(&a.value) {
            Some(Kind::List) => {
                // Keyword arguments: only sort's `key=` and `reverse=` are modelled.
                for k in kws {
                    let kname = k.arg.as_ref().map_or("", |n| n.as_str());
                    let ok = name == "sort" && matches!(kname, "reverse" | "key");
                    if !ok {
                        return Err(self.unsupported(
                            k.range,
                            format!("the keyword argument '{kname}' of list.{name}()"),
                            "list methods take positional arguments; sort takes key= and reverse=",
                        ));
                    }
                }
                Ok(())
            }
            Some(Kind::Str) if name != "split" && name != "format" && !kws.is_empty() => {
                let kname = kws[0].arg.as_ref().map_or("", |n| n.as_str());
                Err(self.unsupported(
                    kws[0].range,
                    format!("the keyword argument '{kname}' of str.{name}()"),
                    "str methods take positional arguments (split also takes sep= and maxsplit=)",
                ))
            }
            Some(Kind::Dict) if name != "update" && !kws.is_empty() => {
                let kname = kws[0].arg.as_ref().map_or("", |n| n.as_str());
                Err(self.unsupported(
                    kws[0].range,
                    format!("the keyword argument '{kname}' of dict.{name}()"),
                    "dict methods take positional arguments (update also takes key=value)",
                ))
            }
            Some(kind) => {
                let ty = kind.name();
                if !kind.supported().contains(&name) {
                    let cpython_has = crate::pyattrs::cpython_attrs(ty).is_none_or(|attrs| attrs.contains(&name));
                    if cpython_has {
                        return Err(self.unsupported(a.range, format!("the method {ty}.{name}()"), kind.hint()));
                    }
                    return Ok(());
                }
                if (kind, name) == (Kind::Sync("Barrier"), "wait") && !(args.is_empty() && kws.is_empty()) {
                    return Err(self.unsupported(
                        c.range(),
                        "Barrier.wait() with a timeout (an expired one breaks the barrier)",
                        "call barrier.wait() without a timeout",
                    ));
                }
                Ok(())
            }
            None if supported_somewhere(name) || self.own_methods.contains(name) => Ok(()),
            None => Err(self.unsupported(a.range, format!("the method .{name}()"), HINT_METHODS)),
        }
    }
}
