//! The subset check of annotations and `from __future__` imports. Under
//! `from __future__ import annotations` an annotation is never evaluated, so any expression
//! may stand there. Without it, the annotations of module and class names and of `def`
//! parameters are evaluated when the statement runs, so they must be values the checker
//! models: builtin types, the program's classes and names, module attributes such as
//! `threading.Lock`, strings, `None`, and `list[...]`, `dict[...]`, `tuple[...]` of those.

use super::*;

/// The features `from __future__ import` accepts in CPython 3.11 (all but `annotations` are
/// no-ops there; `barry_as_FLUFL` changes the grammar and is refused).
const FUTURE_FEATURES: &[&str] = &[
    "nested_scopes",
    "generators",
    "division",
    "absolute_import",
    "with_statement",
    "print_function",
    "unicode_literals",
    "generator_stop",
    "annotations",
];

const HINT_ANNOTATION: &str = "this annotation is evaluated when the statement runs, and the checker does not model \
     its value: add `from __future__ import annotations` at the top of the file (annotations are then never \
     evaluated), or write it as a string";

/// Module attributes an evaluated annotation may name, and `from M import NAME` may import.
const MODULE_TYPES: &[(&str, &str)] = &[
    ("time", "sleep"),
    ("time", "time"),
    ("time", "monotonic"),
    ("time", "perf_counter"),
    ("threading", "Thread"),
    ("threading", "Lock"),
    ("threading", "RLock"),
    ("threading", "Semaphore"),
    ("threading", "BoundedSemaphore"),
    ("threading", "Event"),
    ("threading", "Condition"),
    ("threading", "Barrier"),
    ("threading", "current_thread"),
    ("threading", "active_count"),
    ("threading", "main_thread"),
    ("threading", "local"),
    ("threading", "Timer"),
    ("queue", "Queue"),
    ("queue", "LifoQueue"),
    ("queue", "SimpleQueue"),
    ("queue", "PriorityQueue"),
    ("queue", "Empty"),
    ("queue", "Full"),
    ("math", "sqrt"),
    ("math", "floor"),
    ("math", "ceil"),
    ("math", "trunc"),
    ("math", "fabs"),
    ("math", "factorial"),
    ("math", "gcd"),
    ("math", "isqrt"),
    ("math", "pi"),
    ("math", "e"),
    ("math", "tau"),
    ("math", "inf"),
    ("math", "nan"),
    ("collections", "defaultdict"),
    ("collections", "Counter"),
    ("collections", "deque"),
    ("collections", "OrderedDict"),
    ("concurrent.futures", "ThreadPoolExecutor"),
    ("concurrent.futures", "Future"),
    ("concurrent.futures", "as_completed"),
    ("concurrent", "futures"),
    ("random", "random"),
    ("random", "uniform"),
    ("random", "randint"),
    ("random", "choice"),
    ("functools", "partial"),
    ("functools", "reduce"),
    ("functools", "wraps"),
    ("operator", "add"),
    ("operator", "sub"),
    ("operator", "mul"),
    ("operator", "floordiv"),
    ("operator", "truediv"),
    ("operator", "mod"),
    ("operator", "and_"),
    ("operator", "or_"),
    ("operator", "xor"),
    ("operator", "lshift"),
    ("operator", "rshift"),
    ("operator", "pow"),
    ("operator", "iadd"),
    ("operator", "isub"),
    ("operator", "imul"),
    ("operator", "ifloordiv"),
    ("operator", "itruediv"),
    ("operator", "imod"),
    ("operator", "iand"),
    ("operator", "ior"),
    ("operator", "ixor"),
    ("operator", "ilshift"),
    ("operator", "irshift"),
    ("operator", "ipow"),
    ("operator", "lt"),
    ("operator", "le"),
    ("operator", "eq"),
    ("operator", "ne"),
    ("operator", "gt"),
    ("operator", "ge"),
    ("operator", "neg"),
    ("operator", "pos"),
    ("operator", "invert"),
    ("operator", "inv"),
    ("operator", "not_"),
    ("operator", "truth"),
    ("operator", "abs"),
    ("operator", "is_"),
    ("operator", "is_not"),
    ("operator", "getitem"),
    ("operator", "setitem"),
    ("operator", "contains"),
    ("operator", "itemgetter"),
    ("operator", "attrgetter"),
    ("copy", "copy"),
    ("copy", "deepcopy"),
    ("sys", "setswitchinterval"),
];

/// Whether `module.name` is one of the names of a module that the checker models.
pub(super) fn module_has(module: &str, name: &str) -> bool {
    MODULE_TYPES.iter().any(|(m, n)| *m == module && *n == name)
}

/// Whether the module starts (after its docstring) with `from __future__ import annotations`.
pub(crate) fn future_annotations(body: &[Stmt]) -> bool {
    let skip = usize::from(matches!(body.first(), Some(Stmt::Expr(e)) if e.value.is_string_literal_expr()));
    body[skip.min(body.len())..]
        .iter()
        .map_while(|s| match s {
            Stmt::ImportFrom(i) if i.module.as_ref().is_some_and(|m| m.as_str() == "__future__") => Some(i),
            _ => None,
        })
        .any(|i| i.names.iter().any(|a| a.name.as_str() == "annotations"))
}

impl Checker<'_> {
    /// `from __future__ import ...`: only at the top of the module (after its docstring), and
    /// only CPython's features.
    pub(super) fn future_import(&self, i: &ast::StmtImportFrom, at_top: bool) -> Result<()> {
        if !at_top || self.locals.is_some() {
            return Err(self.compile_error(i.range, "from __future__ imports must occur at the beginning of the file"));
        }
        for a in &i.names {
            let name = a.name.as_str();
            if name == "barry_as_FLUFL" {
                return Err(self.unsupported(a.range, "from __future__ import barry_as_FLUFL", HINT_IMPORTS));
            }
            if !FUTURE_FEATURES.contains(&name) {
                return Err(self.compile_error(a.range, format!("future feature {name} is not defined")));
            }
        }
        Ok(())
    }

    /// `from typing import NAME [as ALIAS], ...` at module level.
    pub(super) fn typing_import(&self, i: &ast::StmtImportFrom) -> Result<()> {
        if self.locals.is_some() {
            return Err(self.unsupported(i.range, "import inside a function", HINT_IMPORTS));
        }
        for a in &i.names {
            if !crate::bytecode::TYPING_NAMES.contains(&a.name.as_str()) {
                return Err(self.unsupported(
                    a.range,
                    format!("from typing import {}", a.name.as_str()),
                    format!("supported names of typing: {}", crate::bytecode::TYPING_NAMES.join(", ")),
                ));
            }
        }
        Ok(())
    }

    /// `from threading import Lock, Thread` (and `from time import sleep`, `from queue import
    /// Queue`) at module level: the names the checker models.
    pub(super) fn module_import_from(&self, i: &ast::StmtImportFrom) -> Result<()> {
        if self.locals.is_some() {
            return Err(self.unsupported(i.range, "import inside a function", HINT_IMPORTS));
        }
        let module = i.module.as_ref().map_or("", |m| m.as_str());
        for a in &i.names {
            let name = a.name.as_str();
            if !MODULE_TYPES.iter().any(|(m, at)| *m == module && *at == name) {
                let names: Vec<&str> = MODULE_TYPES.iter().filter(|(m, _)| *m == module).map(|(_, at)| *at).collect();
                let names = names.join(", ");
                return Err(self.unsupported(
                    a.range,
                    format!("from {module} import {name}"),
                    format!("the names of {module} the checker models: {names}"),
                ));
            }
        }
        Ok(())
    }

    /// An annotated assignment `target: annotation [= value]`.
    pub(super) fn ann_assign(&self, a: &ast::StmtAnnAssign) -> Result<()> {
        match &*a.target {
            t @ (Expr::Name(_) | Expr::Attribute(_) | Expr::Subscript(_)) => self.note(self.target(t)),
            other => return Err(self.target_error(other)),
        }
        if let Some(v) = &a.value {
            self.note(self.expr(v));
        }
        // Only module and class scope evaluate the annotation.
        if self.locals.is_none() {
            self.annotation(&a.annotation)?;
        }
        Ok(())
    }

    /// An annotation where it is evaluated (unless the future import makes it a string).
    pub(super) fn annotation(&self, e: &Expr) -> Result<()> {
        if self.future_annotations {
            return Ok(());
        }
        self.evaluated_annotation(e)
    }

    /// `threading.Lock`, `typing.Optional` and the like.
    fn module_type(&self, a: &ast::ExprAttribute) -> bool {
        let Expr::Name(m) = &*a.value else { return false };
        let attr = a.attr.as_str();
        self.modules.get(m.id.as_str()).is_some_and(|module| {
            (module == "typing" && crate::bytecode::TYPING_NAMES.contains(&attr))
                || MODULE_TYPES.iter().any(|(mm, at)| mm == module && *at == attr)
        })
    }

    /// Whether `e` may be subscripted in an evaluated annotation: `list`, `dict`, `tuple`, or a
    /// name of `typing`.
    fn generic(&self, e: &Expr) -> bool {
        match e {
            Expr::Name(n) => {
                matches!(n.id.as_str(), "list" | "dict" | "tuple") || self.typing_names.contains(n.id.as_str())
            }
            Expr::Attribute(a) => {
                matches!(&*a.value, Expr::Name(m) if self.modules.get(m.id.as_str()).is_some_and(|x| x == "typing"))
            }
            _ => false,
        }
    }

    fn evaluated_annotation(&self, e: &Expr) -> Result<()> {
        let known_name = |n: &str| {
            matches!(n, "int" | "float" | "str" | "bool" | "list" | "dict" | "tuple")
                || self.functions.contains(n)
                || self.module_bound.contains(n)
        };
        let ok = match e {
            Expr::StringLiteral(_) | Expr::NoneLiteral(_) => true,
            Expr::Name(n) => known_name(n.id.as_str()) && !self.is_local(n.id.as_str()),
            Expr::Attribute(a) => self.module_type(a),
            Expr::Subscript(s) if self.generic(&s.value) => {
                return match &*s.slice {
                    Expr::Tuple(t) => t.elts.iter().try_for_each(|x| self.evaluated_annotation(x)),
                    other => self.evaluated_annotation(other),
                };
            }
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            let text = &self.src.text()[e.range()];
            Err(self.unsupported(e.range(), format!("evaluated annotation '{text}'"), HINT_ANNOTATION))
        }
    }
}
