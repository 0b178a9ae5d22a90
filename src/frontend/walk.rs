//! The statement lists nested in a statement, for the stages that walk the AST by blocks.

use ruff_python_ast::{self as ast, Stmt};

/// The statement lists directly inside `stmt`, in source order: a function's or class's body,
/// the arms of an `if`, a loop's body and `else`, a `with`'s body, a `try`'s body, handlers,
/// `else` and `finally`, a `match`'s cases.
pub fn child_bodies(stmt: &Stmt) -> Vec<&[Stmt]> {
    match stmt {
        Stmt::FunctionDef(f) => vec![&f.body],
        Stmt::ClassDef(c) => vec![&c.body],
        Stmt::If(i) => {
            let mut v: Vec<&[Stmt]> = vec![&i.body];
            v.extend(i.elif_else_clauses.iter().map(|c| c.body.as_slice()));
            v
        }
        Stmt::For(f) => vec![&f.body, &f.orelse],
        Stmt::While(w) => vec![&w.body, &w.orelse],
        Stmt::With(w) => vec![&w.body],
        Stmt::Try(t) => {
            let mut v: Vec<&[Stmt]> = vec![&t.body];
            for h in &t.handlers {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                v.push(&h.body);
            }
            v.push(&t.orelse);
            v.push(&t.finalbody);
            v
        }
        Stmt::Match(m) => m.cases.iter().map(|c| c.body.as_slice()).collect(),
        _ => Vec::new(),
    }
}

/// Whether a function body holds a `yield` of its own (not one of a nested function, lambda or
/// class), which makes the function a generator function (CO_GENERATOR).
pub fn contains_yield(body: &[ast::Stmt]) -> bool {
    use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
    struct Find(bool);
    impl<'a> Visitor<'a> for Find {
        fn visit_stmt(&mut self, s: &'a ast::Stmt) {
            if !matches!(s, ast::Stmt::FunctionDef(_) | ast::Stmt::ClassDef(_)) {
                walk_stmt(self, s);
            }
        }
        fn visit_expr(&mut self, e: &'a ast::Expr) {
            match e {
                ast::Expr::Yield(_) | ast::Expr::YieldFrom(_) => self.0 = true,
                ast::Expr::Lambda(_) => {}
                _ => walk_expr(self, e),
            }
        }
    }
    let mut f = Find(false);
    body.iter().for_each(|s| f.visit_stmt(s));
    f.0
}
