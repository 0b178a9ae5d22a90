//! The subset check of assignment targets (names, attributes, subscripts, and unpacking into
//! a tuple or list of them with at most one starred target) and of the exception types an
//! `except` clause or a `raise` names, and the names an assignment expression (`:=`) binds.

use super::*;

impl Checker<'_> {
    /// The type in an `except` clause: an exception type the checker knows, a class or a
    /// variable of the program, or a tuple of them.
    pub(super) fn exception_type(&self, e: &Expr) -> Result<()> {
        match e {
            Expr::Name(n) if EXCEPTIONS.contains(&n.id.as_str()) && !self.is_local(n.id.as_str()) => Ok(()),
            Expr::Name(n) if self.exc_class(n.id.as_str()) => Ok(()),
            // A class of the program, or a global or local holding a type or a tuple of types:
            // what it holds when the clause runs decides (or is CPython's TypeError).
            Expr::Name(n)
                if self.classes.contains(n.id.as_str())
                    || self.module_bound.contains(n.id.as_str())
                    || self.is_local(n.id.as_str()) =>
            {
                Ok(())
            }
            e if self.queue_exception(e) => Ok(()),
            Expr::Tuple(t) => t.elts.iter().try_for_each(|x| self.exception_type(x)),
            other => Err(self.unsupported(other.range(), "this exception type in an except clause", HINT_EXCEPTIONS)),
        }
    }

    /// Whether `name` is an exception class of the program (not shadowed by a local).
    pub(super) fn exc_class(&self, name: &str) -> bool {
        self.exc_classes.contains(name) && !self.is_local(name)
    }

    /// Whether `e` names a built-in exception type or an exception class of the program, as a
    /// base class.
    pub(super) fn exception_base(&self, e: &Expr) -> bool {
        match e {
            Expr::Name(n) => {
                let name = n.id.as_str();
                (EXCEPTIONS.contains(&name) && !self.module_bound.contains(name) && !self.classes.contains(name))
                    || self.exc_classes.contains(name)
            }
            other => self.queue_exception(other),
        }
    }

    /// Whether `e` names `queue.Empty` or `queue.Full` (through the module or `from queue import`).
    pub(super) fn queue_exception(&self, e: &Expr) -> bool {
        let global = |n: &str| !self.is_local(n);
        match e {
            Expr::Attribute(a) => {
                matches!(a.attr.as_str(), "Empty" | "Full")
                    && matches!(&*a.value, Expr::Name(m) if global(m.id.as_str())
                        && self.modules.get(m.id.as_str()).is_some_and(|x| x == "queue"))
            }
            Expr::Name(n) => {
                global(n.id.as_str())
                    && self
                        .from_imports
                        .get(n.id.as_str())
                        .is_some_and(|(m, a)| m == "queue" && (a == "Empty" || a == "Full"))
            }
            _ => false,
        }
    }

    pub(super) fn target_error(&self, t: &Expr) -> Error {
        let construct = match t {
            Expr::Attribute(_) => "assignment to an attribute",
            Expr::Subscript(_) => "assignment to a subscript",
            _ => "assignment target",
        };
        self.unsupported(t.range(), construct, "assign to a variable name, or unpack into names: a, b = ...")
    }

    pub(super) fn target(&self, t: &Expr) -> Result<()> {
        match t {
            Expr::Name(_) => Ok(()),
            Expr::Attribute(a) => self.expr(&a.value),
            Expr::Subscript(sub) => {
                self.expr(&sub.value)?;
                self.store_index(&sub.slice)
            }
            Expr::Tuple(tu) => self.unpack_targets(&tu.elts),
            Expr::List(l) => self.unpack_targets(&l.elts),
            Expr::Starred(s) => {
                Err(self.compile_error(s.range, "starred assignment target must be in a list or tuple"))
            }
            other => Err(self.target_error(other)),
        }
    }

    /// A target of `del`: a name, `obj.attr`, `container[key]` (not a slice), or a tuple or
    /// list of them.
    pub(super) fn delete_target(&self, t: &Expr) -> Result<()> {
        match t {
            Expr::Name(_) => Ok(()),
            Expr::Attribute(a) => self.expr(&a.value),
            Expr::Subscript(sub) if matches!(&*sub.slice, Expr::Slice(_)) => Err(self.unsupported(
                sub.range,
                "deleting a slice (del a[i:j])",
                "delete the items one at a time, or build a new list",
            )),
            Expr::Subscript(sub) => {
                self.expr(&sub.value)?;
                self.expr(&sub.slice)
            }
            Expr::Tuple(tu) => tu.elts.iter().try_for_each(|x| self.delete_target(x)),
            Expr::List(l) => l.elts.iter().try_for_each(|x| self.delete_target(x)),
            other => Err(self.compile_error(other.range(), "cannot delete this expression")),
        }
    }

    /// The targets of `a, b = ...`, `[a, b] = ...` or `a, *rest = ...` (at most one starred).
    fn unpack_targets(&self, elts: &[Expr]) -> Result<()> {
        let mut starred = elts.iter().filter(|x| matches!(x, Expr::Starred(_)));
        if let (Some(_), Some(second)) = (starred.next(), starred.next()) {
            return Err(self.compile_error(second.range(), "multiple starred expressions in assignment"));
        }
        elts.iter().try_for_each(|x| match x {
            Expr::Starred(s) => self.target(&s.value),
            other => self.target(other),
        })
    }
}

/// The names `:=` binds in `s` (outside nested functions, classes and lambdas).
pub(super) fn walrus_names(s: &Stmt, out: &mut HashSet<String>) {
    use ruff_python_ast::visitor::source_order::{walk_expr, walk_stmt, SourceOrderVisitor};
    struct Walrus<'o>(&'o mut HashSet<String>);
    impl<'a> SourceOrderVisitor<'a> for Walrus<'_> {
        fn visit_stmt(&mut self, s: &'a Stmt) {
            if !matches!(s, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                walk_stmt(self, s);
            }
        }
        fn visit_expr(&mut self, e: &'a Expr) {
            match e {
                Expr::Named(n) => {
                    target_names(&n.target, self.0);
                    walk_expr(self, e);
                }
                Expr::Lambda(_) => {}
                _ => walk_expr(self, e),
            }
        }
    }
    Walrus(out).visit_stmt(s);
}
