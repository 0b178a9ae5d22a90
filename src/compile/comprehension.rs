//! List and dict comprehensions and generator expressions, as CPython 3.11's
//! `compiler_comprehension` compiles them: a function of their own (`<listcomp>`, `<dictcomp>`,
//! `<genexpr>`, the last a generator's code) whose one parameter `.0` is the
//! outermost iterator, built with MAKE_FUNCTION and called at once with that iterator; and
//! lambdas (`compiler_lambda`), functions named `<lambda>` whose body is one returned
//! expression.

use super::cfg::{Op, SrcLoc};
use super::{Compiler, Unit};
use crate::bytecode::{CodeKind, Const};
use crate::error::Result;
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

/// What a comprehension builds, with its result expressions.
enum Builds<'e> {
    /// A list of `elt`.
    List(&'e Expr),
    /// A set of `elt`.
    Set(&'e Expr),
    /// A dict of `key: value`.
    Dict(&'e Expr, &'e Expr),
    /// A generator that yields `elt`.
    Gen(&'e Expr),
}

/// The single item of `for y in [x]` / `for y in (x,)` when CPython's fast path binds it
/// without a loop (not for a constant, which the optimizer has already folded).
fn single_item(iter: &Expr) -> Option<&Expr> {
    let elts = match iter {
        Expr::List(l) => &l.elts,
        Expr::Tuple(t) => &t.elts,
        _ => return None,
    };
    match elts.as_slice() {
        [one] if !matches!(one, Expr::Starred(_)) && crate::frontend::fold::fold(one).is_none() => Some(one),
        _ => None,
    }
}

impl Compiler<'_> {
    /// The qualified name of a code object `name` made in the current unit.
    pub(super) fn nested_qualname(&self, name: &str) -> String {
        match self.unit.kind {
            CodeKind::Module => name.to_string(),
            CodeKind::Class => format!("{}.{name}", self.unit.qualname),
            CodeKind::Function if self.unit.name.starts_with('<') && self.unit.name != "<lambda>" => {
                format!("{}.{name}", self.unit.qualname)
            }
            CodeKind::Function => format!("{}.<locals>.{name}", self.unit.qualname),
        }
    }

    /// `compiler_lambda`: the `<lambda>` code object (None its first constant, so that it has
    /// no docstring), then `MAKE_FUNCTION 0`.
    pub(super) fn lambda(&mut self, l: &ast::ExprLambda) -> Result<()> {
        // The defaults are evaluated where the lambda is, before its code object.
        let (flags, defaults) = match &l.parameters {
            Some(p) => self.parameter_defaults(p)?,
            None => (0, Vec::new()),
        };
        let scope = self.nested_scope(l)?;
        let params = scope.params.clone();
        let first_line = self.loc_of(l.range).line.max(1) as u32;
        let mut unit = Unit::new("<lambda>".into(), CodeKind::Function, first_line, Some(scope));
        unit.qualname = self.nested_qualname("<lambda>");
        unit.argcount = params.len() as u32;
        unit.varnames = params;
        let id = self.codes.len() as crate::bytecode::CodeId;
        self.codes.push(super::placeholder_code());
        let outer = std::mem::replace(&mut self.unit, unit);
        self.emit_cell_prefix();
        self.unit.loc = SrcLoc { line: first_line as i32, col: 1 };
        self.emit(Op::Resume, 0);
        self.add_const(Const::None);
        let result = self.visit_expr(&l.body).map(|()| self.emit(Op::ReturnValue, 0));
        let unit = std::mem::replace(&mut self.unit, outer);
        result?;
        self.codes[id as usize] = self.assemble_unit(unit, false);
        self.codes[id as usize].defaults = defaults;
        self.make_function(id, flags)?;
        Ok(())
    }

    /// Compiles the comprehension `e` (a list, set or dict comprehension, or a generator
    /// expression): its code object, then
    /// `MAKE_FUNCTION`, the outermost iterable, `GET_ITER`, `PRECALL 0`, `CALL 0`.
    pub(super) fn comprehension(&mut self, e: &Expr) -> Result<()> {
        let (name, generators, builds) = match e {
            Expr::ListComp(l) => ("<listcomp>", &l.generators, Builds::List(&l.elt)),
            Expr::SetComp(l) => ("<setcomp>", &l.generators, Builds::Set(&l.elt)),
            Expr::Generator(g) => ("<genexpr>", &g.generators, Builds::Gen(&g.elt)),
            Expr::DictComp(d) => match &d.key {
                Some(k) => ("<dictcomp>", &d.generators, Builds::Dict(k, &d.value)),
                None => {
                    return Err(self.unsupported(d.range, "dict unpacking '**' in a comprehension", "write key: value"))
                }
            },
            other => return Err(self.unsupported(other.range(), "this comprehension", "list and dict comprehensions")),
        };
        let scope = self.nested_scope(e)?;
        let loc = self.comprehension_loc(e);
        self.unit.loc = loc;
        let first_line = loc.line.max(1) as u32;
        let mut unit = Unit::new(name.to_string(), CodeKind::Function, first_line, Some(scope));
        unit.qualname = self.nested_qualname(name);
        unit.varnames = vec![".0".into()];
        unit.argcount = 1;
        unit.generator = matches!(builds, Builds::Gen(_));
        // The slot first: comprehensions nested in this one come after it, as `dis` shows them.
        let id = self.codes.len() as crate::bytecode::CodeId;
        self.codes.push(super::placeholder_code());
        let outer = std::mem::replace(&mut self.unit, unit);
        let result = self.comprehension_body(generators, &builds, first_line, loc);
        let unit = std::mem::replace(&mut self.unit, outer);
        result?;
        self.codes[id as usize] = self.assemble_unit(unit, false);
        self.make_function(id, 0)?;
        self.visit_iter(&generators[0].iter)?;
        self.emit(Op::GetIter, 0);
        self.emit(Op::Precall, 0);
        self.emit(Op::Call, 0);
        Ok(())
    }

    /// Where a comprehension starts. A generator expression that is a call's only argument
    /// has no parentheses of its own: CPython's grammar gives it the call's.
    fn comprehension_loc(&self, e: &Expr) -> SrcLoc {
        let mut start = e.range().start();
        if let Expr::Generator(g) = e {
            if !g.parenthesized {
                let before = &self.src.text()[..start.to_usize()];
                let trimmed = before.trim_end();
                if trimmed.ends_with('(') {
                    start = ruff_text_size::TextSize::new(trimmed.len() as u32 - 1);
                }
            }
        }
        self.loc_of(ruff_text_size::TextRange::empty(start))
    }

    fn comprehension_body(
        &mut self,
        generators: &[ast::Comprehension],
        builds: &Builds<'_>,
        first_line: u32,
        loc: SrcLoc,
    ) -> Result<()> {
        self.emit_cell_prefix();
        if let Builds::Gen(_) = builds {
            // Part of the prefix: no source position of their own.
            self.unit.loc = SrcLoc::NONE;
            self.emit(Op::ReturnGenerator, 0);
            self.emit(Op::PopTop, 0);
        }
        self.unit.loc = SrcLoc { line: first_line as i32, col: 1 };
        self.emit(Op::Resume, 0);
        self.unit.loc = loc;
        match builds {
            Builds::List(_) => self.emit(Op::BuildList, 0),
            Builds::Set(_) => self.emit(Op::BuildSet, 0),
            Builds::Dict(..) => self.emit(Op::BuildMap, 0),
            Builds::Gen(_) => {}
        }
        self.comprehension_generator(generators, 0, 0, builds)?;
        if let Builds::Gen(_) = builds {
            self.unit.loc = loc;
            let none = self.add_const(Const::None);
            self.emit(Op::LoadConst, none);
        }
        self.emit(Op::ReturnValue, 0);
        Ok(())
    }

    /// `compiler_sync_comprehension_generator`: generator `i`, nested `depth` loops deep.
    fn comprehension_generator(
        &mut self,
        generators: &[ast::Comprehension],
        i: usize,
        depth: u32,
        builds: &Builds<'_>,
    ) -> Result<()> {
        let start = self.unit.cfg.new_block();
        let if_cleanup = self.unit.cfg.new_block();
        let anchor = self.unit.cfg.new_block();
        let g = &generators[i];
        let mut looped = true;
        if i == 0 {
            // The outermost iterator is the implicit argument `.0`.
            self.emit(Op::LoadFast, 0);
        } else if let Some(one) = single_item(&g.iter) {
            self.visit_expr(one)?;
            looped = false;
        } else {
            self.visit_iter(&g.iter)?;
            self.emit(Op::GetIter, 0);
        }
        let depth = if looped { depth + 1 } else { depth };
        if looped {
            self.unit.cfg.use_next_block(start);
            self.emit_jump(Op::ForIter, anchor);
        }
        self.visit_expr(&g.target)?;
        for cond in &g.ifs {
            self.jump_if(cond, if_cleanup, false)?;
        }
        if i + 1 < generators.len() {
            self.comprehension_generator(generators, i + 1, depth, builds)?;
        } else {
            match builds {
                Builds::List(elt) => {
                    self.visit_expr(elt)?;
                    self.emit(Op::ListAppend, depth + 1);
                }
                Builds::Set(elt) => {
                    self.visit_expr(elt)?;
                    self.emit(Op::SetAdd, depth + 1);
                }
                Builds::Dict(k, v) => {
                    self.visit_expr(k)?;
                    self.visit_expr(v)?;
                    self.emit(Op::MapAdd, depth + 1);
                }
                Builds::Gen(elt) => {
                    self.visit_expr(elt)?;
                    self.emit(Op::YieldValue, 0);
                    self.emit(Op::Resume, 1);
                    self.emit(Op::PopTop, 0);
                }
            }
        }
        self.unit.cfg.use_next_block(if_cleanup);
        if looped {
            self.emit_jump(Op::Jump, start);
            self.unit.cfg.use_next_block(anchor);
        }
        Ok(())
    }
}
