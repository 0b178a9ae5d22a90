//! Annotations, as CPython 3.11 compiles them (`compiler_annassign`, `find_ann`,
//! `compiler_visit_annotations`): `SETUP_ANNOTATIONS` in annotated modules and classes, the
//! store of a simple name's annotation into `__annotations__`, and the annotations tuple of a
//! `def`. Under `from __future__ import annotations` every annotation is its source text, a
//! string constant; without it, annotations in module and class scope are evaluated.

use super::cfg::Op;
use super::Compiler;
use crate::bytecode::{py_str_repr, Const};
use crate::error::Result;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

/// Whether `body` has an annotated assignment, looking into compound statements but not into
/// `def` or `class` (CPython's `find_ann`).
pub fn find_ann(body: &[Stmt]) -> bool {
    body.iter().any(|s| match s {
        Stmt::AnnAssign(_) => true,
        Stmt::For(f) => find_ann(&f.body) || find_ann(&f.orelse),
        Stmt::While(w) => find_ann(&w.body) || find_ann(&w.orelse),
        Stmt::If(i) => find_ann(&i.body) || i.elif_else_clauses.iter().any(|c| find_ann(&c.body)),
        Stmt::With(w) => find_ann(&w.body),
        Stmt::Try(t) => {
            t.handlers.iter().any(|h| {
                let ast::ExceptHandler::ExceptHandler(h) = h;
                find_ann(&h.body)
            }) || find_ann(&t.body)
                || find_ann(&t.finalbody)
                || find_ann(&t.orelse)
        }
        _ => false,
    })
}

/// The text CPython's `ast.unparse`-like annotation unparser gives `e` (string constants
/// quoted with `repr`); falls back to the source text for forms it does not rewrite.
pub fn unparse(e: &Expr, source: &str) -> String {
    match e {
        Expr::Name(n) => n.id.as_str().to_string(),
        Expr::Attribute(a) => format!("{}.{}", unparse(&a.value, source), a.attr.as_str()),
        Expr::Subscript(s) => {
            let inner = match &*s.slice {
                Expr::Tuple(t) if !t.elts.is_empty() => {
                    t.elts.iter().map(|x| unparse(x, source)).collect::<Vec<_>>().join(", ")
                }
                other => unparse(other, source),
            };
            format!("{}[{inner}]", unparse(&s.value, source))
        }
        Expr::StringLiteral(s) => py_str_repr(s.value.to_str()),
        Expr::NoneLiteral(_) => "None".into(),
        Expr::BooleanLiteral(b) => if b.value { "True" } else { "False" }.into(),
        Expr::EllipsisLiteral(_) => "...".into(),
        Expr::List(l) => format!("[{}]", l.elts.iter().map(|x| unparse(x, source)).collect::<Vec<_>>().join(", ")),
        Expr::Tuple(t) => {
            let parts: Vec<String> = t.elts.iter().map(|x| unparse(x, source)).collect();
            if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            }
        }
        Expr::BinOp(b) if b.op == ast::Operator::BitOr => {
            format!("{} | {}", unparse(&b.left, source), unparse(&b.right, source))
        }
        other => source[other.range()].to_string(),
    }
}

impl Compiler<'_> {
    /// Pushes an annotation's value: its text under the future import, else the expression.
    fn annotation(&mut self, e: &Expr) -> Result<()> {
        if self.future_annotations {
            // At the statement's position: CPython's `annexpr` visitor sets none of its own.
            let text = unparse(e, self.src.text());
            self.load_const(Const::Str(text.into()));
            Ok(())
        } else {
            self.visit_expr(e)
        }
    }

    /// `SETUP_ANNOTATIONS`, when `body` has an annotated assignment.
    pub fn setup_annotations(&mut self, body: &[Stmt]) {
        if find_ann(body) {
            let g = self.global_slot("__annotations__");
            self.emit(Op::SetupAnnotations, g);
        }
    }

    /// `compiler_annassign`.
    pub fn ann_assign(&mut self, a: &ast::StmtAnnAssign) -> Result<()> {
        if let Some(v) = &a.value {
            // A module constant may be replaced by `--set NAME=VALUE`, as in a plain assignment.
            let set = match &*a.target {
                Expr::Name(n) if self.unit.scope.is_none() && self.unit.kind == crate::bytecode::CodeKind::Module => {
                    self.sets.remove(n.id.as_str())
                }
                _ => None,
            };
            match set {
                Some(c) => {
                    let saved = self.unit.loc;
                    self.unit.loc = self.loc_of(v.range());
                    self.load_const(c);
                    self.unit.loc = saved;
                }
                None => self.visit_expr(v)?,
            }
            self.visit_expr(&a.target)?;
        }
        let module_or_class = self.unit.scope.is_none();
        match &*a.target {
            Expr::Name(n) if a.simple && module_or_class => {
                self.annotation(&a.annotation)?;
                self.nameop("__annotations__", false);
                self.load_const(Const::Str(n.id.as_str().into()));
                self.emit(Op::StoreSubscr, 0);
            }
            Expr::Attribute(t) if a.value.is_none() => self.check_ann_expr(&t.value)?,
            Expr::Subscript(t) if a.value.is_none() => {
                self.check_ann_expr(&t.value)?;
                match &*t.slice {
                    Expr::Tuple(tu) => tu.elts.iter().try_for_each(|x| self.check_ann_expr(x))?,
                    other => self.check_ann_expr(other)?,
                }
            }
            _ => {}
        }
        // Annotations of complex targets are evaluated last, and only in module or class scope.
        if !a.simple && module_or_class && !self.future_annotations {
            self.visit_expr(&a.annotation)?;
            self.emit(Op::PopTop, 0);
        }
        Ok(())
    }

    fn check_ann_expr(&mut self, e: &Expr) -> Result<()> {
        self.visit_expr(e)?;
        self.emit(Op::PopTop, 0);
        Ok(())
    }

    /// `compiler_visit_annotations`: pushes the annotations tuple of `f` and returns the
    /// `MAKE_FUNCTION` flag for it (4), or 0 when `f` has no annotations.
    pub fn function_annotations(&mut self, f: &ast::StmtFunctionDef) -> Result<u32> {
        let p = &f.parameters;
        let mut items: Vec<(&str, &Expr)> = Vec::new();
        for param in p.args.iter().chain(&p.posonlyargs) {
            if let Some(a) = &param.parameter.annotation {
                items.push((param.parameter.name.as_str(), a));
            }
        }
        if let Some(a) = p.vararg.as_ref().and_then(|v| v.annotation.as_deref().map(|x| (v.name.as_str(), x))) {
            items.push(a);
        }
        for param in &p.kwonlyargs {
            if let Some(a) = &param.parameter.annotation {
                items.push((param.parameter.name.as_str(), a));
            }
        }
        if let Some(a) = p.kwarg.as_ref().and_then(|v| v.annotation.as_deref().map(|x| (v.name.as_str(), x))) {
            items.push(a);
        }
        if let Some(r) = &f.returns {
            items.push(("return", r));
        }
        if items.is_empty() {
            return Ok(0);
        }
        let n = items.len() as u32 * 2;
        for (name, e) in items {
            self.load_const(Const::Str(name.into()));
            self.annotation(e)?;
        }
        self.emit(Op::BuildTuple, n);
        Ok(4)
    }
}
