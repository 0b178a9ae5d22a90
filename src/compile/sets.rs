//! Sets in the compiler: set displays (`BUILD_SET`, or one frozenset constant for three or more
//! constants), and the AST optimizer's `fold_iter`, which makes a set display of constants one
//! frozenset constant where it is iterated or searched by `in`; and the list display that
//! `fold_iter` makes a tuple there.

use super::cfg::Op;
use super::Compiler;
use crate::error::Result;
use crate::frontend::fold;
use ruff_python_ast::{self as ast, CmpOp, Expr, ExprContext};
use ruff_text_size::Ranged;

use super::expr::STACK_USE_GUIDELINE;

impl Compiler<'_> {
    /// A set display: `BUILD_SET n`, or `BUILD_SET 0; LOAD_CONST frozenset; SET_UPDATE 1`
    /// (`starunpack_helper`).
    pub(super) fn set_display(&mut self, l: &ast::ExprSet) -> Result<()> {
        if l.elts.len() > STACK_USE_GUIDELINE {
            return Err(self.unsupported(l.range, "set display with more than 30 items", "build it from smaller sets"));
        }
        if l.elts.iter().any(|e| matches!(e, Expr::Starred(_))) {
            return Err(self.unsupported(l.range, "'*' unpacking in a set display", "s = set(a) | set(b)"));
        }
        // starunpack_helper: three or more constants are loaded as one frozenset.
        let consts: Option<Vec<crate::bytecode::Const>> =
            if l.elts.len() > 2 { l.elts.iter().map(fold::fold).collect() } else { None };
        match consts {
            Some(items) => {
                self.emit(Op::BuildSet, 0);
                self.load_const(crate::bytecode::Const::FrozenSet(items.into()));
                self.emit(Op::SetUpdate, 1);
            }
            None => {
                for elt in &l.elts {
                    self.visit_expr(elt)?;
                }
                self.emit(Op::BuildSet, l.elts.len() as u32);
            }
        }
        Ok(())
    }

    /// The last comparator of a comparison: for `in` / `not in`, the AST optimizer's
    /// `fold_iter` first turns a list display into a tuple (a constant when it can).
    pub(super) fn visit_last_comparator(&mut self, e: &Expr, op: CmpOp) -> Result<()> {
        if matches!(op, CmpOp::In | CmpOp::NotIn) {
            if let Some(items) = const_set(e) {
                let saved = self.unit.loc;
                self.unit.loc = self.loc_of(e.range());
                self.load_const(crate::bytecode::Const::FrozenSet(items.into()));
                self.unit.loc = saved;
                return Ok(());
            }
            return self.visit_iter(e);
        }
        self.visit_expr(e)
    }

    /// An expression in iterator position (`for x in e`): a list display is compiled as a
    /// tuple, as CPython's `fold_iter` rewrites it.
    pub fn visit_iter(&mut self, e: &Expr) -> Result<()> {
        // `fold_iter`: a set display of constants is one frozenset constant, iterated in its
        // table's order, which for strs changes from run to run.
        if let Some(items) = const_set(e) {
            if items.iter().any(|c| c.known_hash().is_none()) {
                return Err(self.unsupported(
                    e.range(),
                    "iterating a set of strs (CPython's order of it changes from run to run)",
                    "iterate over sorted({...}) or a list",
                ));
            }
            let saved = self.unit.loc;
            self.unit.loc = self.loc_of(e.range());
            self.load_const(crate::bytecode::Const::FrozenSet(items.into()));
            self.unit.loc = saved;
            return Ok(());
        }
        let Expr::List(l) = e else { return self.visit_expr(e) };
        if l.elts.iter().any(|x| matches!(x, Expr::Starred(_))) {
            return self.visit_expr(e);
        }
        let tuple = Expr::Tuple(ast::ExprTuple {
            node_index: Default::default(),
            range: l.range,
            elts: l.elts.clone(),
            ctx: ExprContext::Load,
            parenthesized: true,
        });
        self.visit_expr(&tuple)
    }
}

/// The constants of a set display that CPython's AST optimizer folds into one frozenset (every
/// item a constant, none starred), where it stands as an iterable or after `in`.
fn const_set(e: &Expr) -> Option<Vec<crate::bytecode::Const>> {
    match e {
        Expr::Set(s) if !s.elts.iter().any(|x| matches!(x, Expr::Starred(_))) => {
            s.elts.iter().map(fold::fold).collect()
        }
        _ => None,
    }
}
