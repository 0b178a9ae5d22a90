//! The names of Python's builtins and exception types, as the subset check knows them.

/// The exception types a program can name in `except` clauses and `raise` statements.
pub(super) const EXCEPTIONS: &[&str] = &[
    "AssertionError",
    "ZeroDivisionError",
    "NameError",
    "UnboundLocalError",
    "TypeError",
    "ValueError",
    "RuntimeError",
    "AttributeError",
    "ModuleNotFoundError",
    "RecursionError",
    "Exception",
    "BaseException",
    "ArithmeticError",
    "ImportError",
    "LookupError",
    "IndexError",
    "KeyError",
    "OverflowError",
    "NotImplementedError",
    "OSError",
    "TimeoutError",
    "StopIteration",
];
pub(super) const HINT_EXCEPTIONS: &str = "supported exception types: AssertionError, ZeroDivisionError, NameError, \
     UnboundLocalError, TypeError, ValueError, RuntimeError, AttributeError, ModuleNotFoundError, \
     RecursionError, ArithmeticError, ImportError, LookupError, IndexError, KeyError, OverflowError, \
     NotImplementedError, OSError, TimeoutError, StopIteration, Exception, BaseException, queue.Empty, queue.Full, and the \
     program's classes derived from them (or a tuple of them)";

/// Python builtins that a program might call (for a clearer message than "undefined").
pub(super) const BUILTINS: &[&str] = &[
    "abs",
    "all",
    "any",
    "ascii",
    "bin",
    "bool",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "dict",
    "dir",
    "divmod",
    "enumerate",
    "eval",
    "exec",
    "filter",
    "float",
    "format",
    "frozenset",
    "getattr",
    "hasattr",
    "hash",
    "hex",
    "id",
    "input",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "list",
    "map",
    "max",
    "min",
    "next",
    "object",
    "oct",
    "open",
    "ord",
    "pow",
    "repr",
    "reversed",
    "round",
    "set",
    "setattr",
    "sorted",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "vars",
    "zip",
];

/// The builtins a program may call.
pub(super) const CALLABLE_BUILTINS: &[&str] = &[
    "abs",
    "set",
    "len",
    "isinstance",
    "min",
    "max",
    "int",
    "float",
    "round",
    "sum",
    "any",
    "all",
    "str",
    "list",
    "tuple",
    "sorted",
    "repr",
    "divmod",
    "bool",
    "dict",
    "getattr",
    "setattr",
    "hasattr",
    "delattr",
    "type",
    "hash",
    "callable",
    "chr",
    "ord",
    "hex",
    "oct",
    "bin",
    "next",
];

/// The builtins that only read a dict passed to them: `vars(obj)` may be their argument.
const DICT_READERS: &[&str] = &[
    "print",
    "sorted",
    "list",
    "tuple",
    "set",
    "dict",
    "len",
    "str",
    "repr",
    "sum",
    "any",
    "all",
    "max",
    "min",
    "enumerate",
    "zip",
];

/// The dict methods that only read it.
const DICT_READ_METHODS: &[&str] = &["items", "keys", "values", "get", "copy"];

/// The offsets of the `vars(obj)` calls in `body` whose dict is only read, there and then: the
/// argument of a builtin that reads it (`print`, `sorted`, `dict`, …), the receiver of a method
/// that reads it (`.items()`, `.get(k)`, …), a subscript read, the right of `in`, or what a `for`
/// or a comprehension iterates. CPython's `vars(obj)` is the instance's own `__dict__`: a write
/// through it would change the instance, which a copy would not.
pub(super) fn vars_read_at(body: &[ruff_python_ast::Stmt]) -> std::collections::HashSet<u32> {
    use ruff_python_ast::visitor::{walk_comprehension, walk_expr, walk_stmt, Visitor};
    use ruff_python_ast::{CmpOp, Comprehension, Expr, Stmt};
    use ruff_text_size::Ranged;
    #[derive(Default)]
    struct Collect(std::collections::HashSet<u32>);
    impl Collect {
        fn mark(&mut self, e: &Expr) {
            if matches!(e, Expr::Call(c) if matches!(&*c.func, Expr::Name(n) if n.id.as_str() == "vars")) {
                self.0.insert(e.range().start().to_u32());
            }
        }
    }
    impl<'a> Visitor<'a> for Collect {
        fn visit_stmt(&mut self, s: &'a Stmt) {
            if let Stmt::For(f) = s {
                self.mark(&f.iter);
            }
            walk_stmt(self, s);
        }
        fn visit_comprehension(&mut self, c: &'a Comprehension) {
            self.mark(&c.iter);
            walk_comprehension(self, c);
        }
        fn visit_expr(&mut self, e: &'a Expr) {
            match e {
                Expr::Call(c) => match &*c.func {
                    Expr::Name(n) if DICT_READERS.contains(&n.id.as_str()) => {
                        c.arguments.args.iter().for_each(|a| self.mark(a));
                    }
                    Expr::Attribute(a) if DICT_READ_METHODS.contains(&a.attr.as_str()) => self.mark(&a.value),
                    _ => {}
                },
                Expr::Compare(c) => {
                    for (op, right) in c.ops.iter().zip(c.comparators.iter()) {
                        if matches!(op, CmpOp::In | CmpOp::NotIn) {
                            self.mark(right);
                        }
                    }
                }
                Expr::Subscript(s) if s.ctx.is_load() => self.mark(&s.value),
                _ => {}
            }
            walk_expr(self, e);
        }
    }
    let mut c = Collect::default();
    body.iter().for_each(|s| c.visit_stmt(s));
    c.0
}
