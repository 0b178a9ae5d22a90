//! Statements (CPython 3.11's `compiler_visit_stmt` and helpers): `def`, assignments, loops,
//! `if`, `with`, `assert`, `import`, `return`, `break`, `continue`, `pass`, expression
//! statements, with the block-stack unwinding of `break`/`continue`/`return`.

use super::cfg::{Op, SrcLoc};
use super::expr::nb_code;
use super::{Compiler, FBlock};
use crate::bytecode::Const;
use crate::error::Result;
use crate::frontend::fold;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

impl Compiler<'_> {
    /// `compiler_visit_kwonlydefaults`: the default values of the keyword-only parameters of
    /// `f`, then the tuple of their names and `BUILD_CONST_KEY_MAP`; returns the `MAKE_FUNCTION`
    /// flag for them (2, or 0 without any) and the defaults by name.
    fn function_kwdefaults(&mut self, f: &ast::StmtFunctionDef) -> Result<(u32, Vec<(String, Const)>)> {
        let mut out = Vec::new();
        for a in &f.parameters.kwonlyargs {
            let Some(d) = a.default.as_deref() else { continue };
            let Some(c) = fold::fold(d) else {
                return Err(self.unsupported(
                    d.range(),
                    "default parameter value that is not a constant",
                    "use a constant default",
                ));
            };
            self.visit_expr(d)?;
            out.push((a.parameter.name.as_str().to_string(), c));
        }
        if out.is_empty() {
            return Ok((0, out));
        }
        let names = Const::Tuple(out.iter().map(|(n, _)| Const::Str(n.as_str().into())).collect());
        self.load_const(names);
        self.emit(Op::BuildConstKeyMap, out.len() as u32);
        Ok((2, out))
    }

    /// Compiles a sequence of statements.
    pub fn visit_stmts(&mut self, body: &[Stmt]) -> Result<()> {
        for s in body {
            self.visit_stmt(s)?;
        }
        Ok(())
    }

    /// `compiler_visit_stmt`.
    pub fn visit_stmt(&mut self, s: &Stmt) -> Result<()> {
        self.unit.loc = self.loc_of(s.range());
        match s {
            Stmt::FunctionDef(f) => {
                // compiler_function: decorators first, then the function, then the calls.
                for d in &f.decorator_list {
                    self.visit_expr(&d.expression)?;
                }
                self.unit.loc = self.def_keyword_loc(f);
                let (mut flags, defaults) = self.function_defaults(f)?;
                let (kwflag, kwdefaults) = self.function_kwdefaults(f)?;
                flags |= kwflag;
                flags |= self.function_annotations(f)?;
                let id = self.compile_function(f)?;
                self.codes[id as usize].defaults = defaults;
                self.codes[id as usize].kwdefaults = kwdefaults;
                self.make_function(id, flags)?;
                let saved = self.unit.loc;
                for d in f.decorator_list.iter().rev() {
                    self.unit.loc = self.loc_of(d.expression.range());
                    self.emit(Op::Precall, 0);
                    self.emit(Op::Call, 0);
                }
                self.unit.loc = saved;
                self.nameop(f.name.as_str(), true);
            }
            Stmt::ClassDef(c) => {
                if self.unit.scope.is_some() || self.unit.kind != crate::bytecode::CodeKind::Module {
                    return Err(self.unsupported(c.range, "nested class", "define classes at module level"));
                }
                // compiler_class
                let id = self.compile_class(c)?;
                self.emit(Op::PushNull, 0);
                self.emit(Op::LoadBuildClass, 0);
                self.make_function(id, 0)?;
                self.load_const(Const::Str(c.name.as_str().into()));
                let bases = c.arguments.as_ref().map_or(&[][..], |a| &a.args[..]);
                for b in bases {
                    self.visit_expr(b)?;
                }
                self.unit.loc = self.loc_of(c.range());
                self.emit(Op::Precall, 2 + bases.len() as u32);
                self.emit(Op::Call, 2 + bases.len() as u32);
                self.nameop(c.name.as_str(), true);
            }
            Stmt::Return(r) => self.return_stmt(r)?,
            Stmt::Assign(a) => {
                let set = match a.targets.as_slice() {
                    [Expr::Name(n)] if self.unit.scope.is_none() => self.sets.remove(n.id.as_str()),
                    _ => None,
                };
                match set {
                    Some(c) => {
                        let saved = self.unit.loc;
                        self.unit.loc = self.loc_of(a.value.range());
                        self.load_const(c);
                        self.unit.loc = saved;
                    }
                    None => self.visit_expr(&a.value)?,
                }
                let n = a.targets.len();
                for (i, t) in a.targets.iter().enumerate() {
                    if i + 1 < n {
                        self.emit(Op::Copy, 1);
                    }
                    self.visit_expr(t)?;
                }
            }
            Stmt::AnnAssign(a) => self.ann_assign(a)?,
            Stmt::AugAssign(a) if !matches!(&*a.target, Expr::Name(_)) => self.aug_assign_item(a)?,
            Stmt::AugAssign(a) => {
                let Expr::Name(name) = &*a.target else {
                    return Err(self.unsupported(
                        a.target.range(),
                        "augmented assignment to a non-name",
                        "assign to a variable",
                    ));
                };
                let code = nb_code(a.op).ok_or_else(|| {
                    self.unsupported(
                        a.range,
                        &format!("augmented assignment '{}='", a.op.as_str()),
                        "supported: += -= *= //= %= &= |= ^= <<= >>= **= (on ints)",
                    )
                })?;
                let saved = self.unit.loc;
                self.unit.loc = self.loc_of(name.range);
                self.nameop(name.id.as_str(), false);
                self.unit.loc = saved;
                self.visit_expr(&a.value)?;
                self.emit(Op::BinaryOp, code + 13);
                self.unit.loc = self.loc_of(name.range);
                self.nameop(name.id.as_str(), true);
            }
            Stmt::For(f) => self.for_stmt(f)?,
            Stmt::While(w) => self.while_stmt(w)?,
            Stmt::If(i) => self.if_stmt(&i.test, &i.body, &i.elif_else_clauses)?,
            Stmt::With(w) => self.with_stmt(w, 0)?,
            Stmt::Assert(a) => {
                let end = self.unit.cfg.new_block();
                self.jump_if(&a.test, end, true)?;
                self.emit(Op::LoadAssertionError, 0);
                if let Some(msg) = &a.msg {
                    self.visit_expr(msg)?;
                    self.emit(Op::Precall, 0);
                    self.emit(Op::Call, 0);
                }
                self.emit(Op::RaiseVarargs, 1);
                self.unit.cfg.use_next_block(end);
            }
            Stmt::Import(i) => {
                for alias in &i.names {
                    self.load_const(Const::Int(0));
                    self.load_const(Const::None);
                    let n = self.add_name(alias.name.as_str());
                    self.emit(Op::ImportName, n);
                    match &alias.asname {
                        // compiler_import_as: `import a.b.c as d` takes each submodule with
                        // IMPORT_FROM, keeping only the last.
                        Some(a) if alias.name.as_str().contains('.') => {
                            let parts: Vec<&str> = alias.name.as_str().split('.').skip(1).collect();
                            for (k, part) in parts.iter().enumerate() {
                                let p = self.add_name(part);
                                self.emit(Op::ImportFrom, p);
                                if k + 1 < parts.len() {
                                    self.emit(Op::Swap, 2);
                                    self.emit(Op::PopTop, 0);
                                }
                            }
                            self.nameop(a.as_str(), true);
                            self.emit(Op::PopTop, 0);
                        }
                        Some(a) => self.nameop(a.as_str(), true),
                        None => self.nameop(alias.name.as_str().split('.').next().unwrap_or(""), true),
                    }
                }
            }
            // compiler_from_import
            Stmt::ImportFrom(i) => {
                self.load_const(Const::Int(i.level as i64));
                let names: Vec<Const> = i.names.iter().map(|a| Const::Str(a.name.as_str().into())).collect();
                self.load_const(Const::Tuple(names.into()));
                let n = self.add_name(i.module.as_ref().map_or("", |m| m.as_str()));
                self.emit(Op::ImportName, n);
                for alias in &i.names {
                    let k = self.add_name(alias.name.as_str());
                    self.emit(Op::ImportFrom, k);
                    let bound = alias.asname.as_ref().map_or(alias.name.as_str(), |a| a.as_str());
                    self.nameop(bound, true);
                }
                self.emit(Op::PopTop, 0);
            }
            Stmt::Global(_) | Stmt::Nonlocal(_) => {}
            Stmt::Expr(e) => {
                if fold::fold(&e.value).is_some() || matches!(&*e.value, Expr::EllipsisLiteral(_)) {
                    self.emit(Op::Nop, 0);
                } else {
                    self.visit_expr(&e.value)?;
                    self.unit.loc = SrcLoc::NONE;
                    self.emit(Op::PopTop, 0);
                }
            }
            Stmt::Pass(_) => self.emit(Op::Nop, 0),
            // `del a, b[i], c.x`: each target in turn, with `Del` as its context.
            Stmt::Delete(d) => {
                for target in &d.targets {
                    self.visit_expr(target)?;
                }
            }
            Stmt::Break(b) => {
                self.emit(Op::Nop, 0);
                let Some(lp) = self.unwind_fblock_stack(false, true)? else {
                    return Err(crate::error::Error::Compile {
                        span: self.span(b.range),
                        message: "'break' outside loop".into(),
                    });
                };
                self.unwind_fblock(&lp, false)?;
                let (FBlock::While { exit, .. } | FBlock::For { exit, .. }) = lp else {
                    unreachable!("[internal bug] the loop frame is a loop")
                };
                self.emit_jump(Op::Jump, exit);
                self.unit.cfg.next_block();
            }
            Stmt::Continue(c) => {
                self.emit(Op::Nop, 0);
                let Some(lp) = self.unwind_fblock_stack(false, true)? else {
                    return Err(crate::error::Error::Compile {
                        span: self.span(c.range),
                        message: "'continue' not properly in loop".into(),
                    });
                };
                let (FBlock::While { block, .. } | FBlock::For { block, .. }) = lp else {
                    unreachable!("[internal bug] the loop frame is a loop")
                };
                self.emit_jump(Op::Jump, block);
                self.unit.cfg.next_block();
            }
            Stmt::Try(t) => {
                if t.finalbody.is_empty() {
                    self.try_except(t)?;
                } else {
                    self.try_finally(t)?;
                }
            }
            Stmt::Raise(r) => {
                let mut n = 0;
                if let Some(e) = &r.exc {
                    self.visit_expr(e)?;
                    n += 1;
                    if let Some(c) = &r.cause {
                        self.visit_expr(c)?;
                        n += 1;
                    }
                }
                self.emit(Op::RaiseVarargs, n);
                self.unit.cfg.next_block();
            }
            other => {
                return Err(self.unsupported(other.range(), "statement", "see the supported subset in DESIGN.md §1.1"));
            }
        }
        Ok(())
    }

    /// `compiler_augassign` for an attribute or subscript target.
    fn aug_assign_item(&mut self, a: &ast::StmtAugAssign) -> Result<()> {
        let code = nb_code(a.op).ok_or_else(|| {
            self.unsupported(
                a.range,
                &format!("augmented assignment '{}='", a.op.as_str()),
                "supported: += -= *= //= %= &= |= ^= <<= >>= **= (on ints)",
            )
        })?;
        let stmt_loc = self.unit.loc;
        let target_loc = self.loc_of(a.target.range());
        self.unit.loc = target_loc;
        match &*a.target {
            Expr::Attribute(attr) => {
                self.visit_expr(&attr.value)?;
                self.emit(Op::Copy, 1);
                self.update_loc_to_attr(attr);
                let i = self.add_name(attr.attr.as_str());
                self.emit(Op::LoadAttr, i);
            }
            Expr::Subscript(sub) => {
                self.visit_expr(&sub.value)?;
                self.visit_expr(&sub.slice)?;
                self.emit(Op::Copy, 2);
                self.emit(Op::Copy, 2);
                self.emit(Op::BinarySubscr, 0);
            }
            other => {
                return Err(self.unsupported(other.range(), "augmented assignment target", "assign to a variable"))
            }
        }
        self.unit.loc = stmt_loc;
        self.visit_expr(&a.value)?;
        self.emit(Op::BinaryOp, code + 13);
        self.unit.loc = target_loc;
        match &*a.target {
            Expr::Attribute(attr) => {
                self.update_loc_to_attr(attr);
                self.emit(Op::Swap, 2);
                let i = self.add_name(attr.attr.as_str());
                self.emit(Op::StoreAttr, i);
            }
            _ => {
                self.emit(Op::Swap, 3);
                self.emit(Op::Swap, 2);
                self.emit(Op::StoreSubscr, 0);
            }
        }
        Ok(())
    }

    /// The location of a `def` statement as CPython records it: the `def` keyword, which
    /// follows the decorators (ruff's range starts at the first decorator).
    pub(super) fn def_keyword_loc(&self, f: &ast::StmtFunctionDef) -> SrcLoc {
        let Some(last) = f.decorator_list.last() else { return self.loc_of(f.range) };
        let text = self.src.text();
        let mut at = last.range().end().to_u32() as usize;
        let bytes = text.as_bytes();
        loop {
            while at < bytes.len() && (bytes[at] as char).is_whitespace() {
                at += 1;
            }
            if at < bytes.len() && bytes[at] == b'#' {
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
                continue;
            }
            break;
        }
        self.loc_of(ruff_text_size::TextRange::empty(ruff_text_size::TextSize::from(at as u32)))
    }

    /// `compiler_return`.
    fn return_stmt(&mut self, r: &ast::StmtReturn) -> Result<()> {
        if self.unit.scope.is_none() {
            return Err(crate::error::Error::Compile {
                span: self.span(r.range),
                message: "'return' outside function".into(),
            });
        }
        let folded = r.value.as_deref().and_then(fold::fold);
        let preserve_tos = r.value.is_some() && folded.is_none();
        let stmt_loc = self.unit.loc;
        match &r.value {
            Some(v) if preserve_tos => self.visit_expr(v)?,
            Some(v) => {
                self.unit.loc = self.loc_of(v.range());
                self.emit(Op::Nop, 0);
            }
            None => {}
        }
        let same_line = r.value.as_deref().is_some_and(|v| self.loc_of(v.range()).line == stmt_loc.line);
        if !same_line {
            self.unit.loc = stmt_loc;
            self.emit(Op::Nop, 0);
        }
        self.unwind_fblock_stack(preserve_tos, false)?;
        match (&r.value, folded) {
            (None, _) => self.load_const(Const::None),
            (Some(_), Some(c)) => self.load_const(c),
            (Some(_), None) => {}
        }
        self.emit(Op::ReturnValue, 0);
        self.unit.cfg.next_block();
        Ok(())
    }

    /// `compiler_unwind_fblock`.
    fn unwind_fblock(&mut self, fb: &FBlock, preserve_tos: bool) -> Result<()> {
        match fb {
            FBlock::While { .. } | FBlock::ExceptionHandler => {}
            FBlock::For { .. } => {
                if preserve_tos {
                    self.emit(Op::Swap, 2);
                }
                self.emit(Op::PopTop, 0);
            }
            FBlock::TryExcept => self.emit(Op::PopBlock, 0),
            FBlock::FinallyTry { finalbody } => {
                // This POP_BLOCK gets the line number of the unwinding statement.
                self.emit(Op::PopBlock, 0);
                if preserve_tos {
                    self.unit.fblocks.push(FBlock::PopValue);
                }
                let body = finalbody.clone();
                self.visit_stmts(&body)?;
                if preserve_tos {
                    self.unit.fblocks.pop();
                }
                self.unit.loc = SrcLoc::NONE;
            }
            FBlock::FinallyEnd => {
                if preserve_tos {
                    self.emit(Op::Swap, 2);
                }
                self.emit(Op::PopTop, 0);
                if preserve_tos {
                    self.emit(Op::Swap, 2);
                }
                self.emit(Op::PopBlock, 0);
                self.emit(Op::PopExcept, 0);
            }
            FBlock::With { loc } => {
                self.unit.loc = *loc;
                self.emit(Op::PopBlock, 0);
                if preserve_tos {
                    self.emit(Op::Swap, 2);
                }
                self.call_exit_with_nones();
                self.emit(Op::PopTop, 0);
                self.unit.loc = SrcLoc::NONE;
            }
            FBlock::HandlerCleanup { name } => {
                if name.is_some() {
                    self.emit(Op::PopBlock, 0);
                }
                if preserve_tos {
                    self.emit(Op::Swap, 2);
                }
                self.emit(Op::PopBlock, 0);
                self.emit(Op::PopExcept, 0);
                if let Some(name) = name {
                    self.load_const(Const::None);
                    self.nameop(name, true);
                    self.delete_name(name);
                }
            }
            FBlock::PopValue => {
                if preserve_tos {
                    self.emit(Op::Swap, 2);
                }
                self.emit(Op::PopTop, 0);
            }
        }
        Ok(())
    }

    /// `compiler_unwind_fblock_stack`: unwinds every frame (down to the innermost loop when
    /// `stop_at_loop`, which is returned). Each frame is popped while its unwinding code is
    /// emitted (a `finally` body must not unwind itself), then restored.
    fn unwind_fblock_stack(&mut self, preserve_tos: bool, stop_at_loop: bool) -> Result<Option<FBlock>> {
        let Some(top) = self.unit.fblocks.last().cloned() else { return Ok(None) };
        if stop_at_loop && matches!(top, FBlock::While { .. } | FBlock::For { .. }) {
            return Ok(Some(top));
        }
        self.unit.fblocks.pop();
        let result =
            self.unwind_fblock(&top, preserve_tos).and_then(|()| self.unwind_fblock_stack(preserve_tos, stop_at_loop));
        self.unit.fblocks.push(top);
        result
    }

    /// `compiler_try_finally`.
    fn try_finally(&mut self, t: &ast::StmtTry) -> Result<()> {
        let body = self.unit.cfg.new_block();
        let end = self.unit.cfg.new_block();
        let exit = self.unit.cfg.new_block();
        let cleanup = self.unit.cfg.new_block();
        self.emit_jump(Op::SetupFinally, end);
        self.unit.cfg.use_next_block(body);
        self.unit.fblocks.push(FBlock::FinallyTry { finalbody: std::rc::Rc::new(t.finalbody.to_vec()) });
        if t.handlers.is_empty() {
            self.visit_stmts(&t.body)?;
        } else {
            self.try_except(t)?;
        }
        self.unit.cfg.add(Op::PopBlock, 0, None, SrcLoc::NONE);
        self.unit.fblocks.pop();
        self.visit_stmts(&t.finalbody)?;
        self.emit_jump_noline(Op::Jump, exit);
        self.unit.cfg.use_next_block(end);
        self.unit.loc = SrcLoc::NONE;
        self.emit_jump(Op::SetupCleanup, cleanup);
        self.emit(Op::PushExcInfo, 0);
        self.unit.fblocks.push(FBlock::FinallyEnd);
        self.visit_stmts(&t.finalbody)?;
        self.unit.fblocks.pop();
        self.emit(Op::Reraise, 0);
        self.unit.cfg.use_next_block(cleanup);
        self.pop_except_and_reraise();
        self.unit.cfg.use_next_block(exit);
        Ok(())
    }

    /// `POP_EXCEPT_AND_RERAISE`.
    fn pop_except_and_reraise(&mut self) {
        self.emit(Op::Copy, 3);
        self.emit(Op::PopExcept, 0);
        self.emit(Op::Reraise, 1);
    }

    /// `compiler_try_except`.
    fn try_except(&mut self, t: &ast::StmtTry) -> Result<()> {
        let body = self.unit.cfg.new_block();
        let mut except = self.unit.cfg.new_block();
        let end = self.unit.cfg.new_block();
        let cleanup = self.unit.cfg.new_block();
        self.emit_jump(Op::SetupFinally, except);
        self.unit.cfg.use_next_block(body);
        self.unit.fblocks.push(FBlock::TryExcept);
        self.visit_stmts(&t.body)?;
        self.unit.fblocks.pop();
        self.unit.cfg.add(Op::PopBlock, 0, None, SrcLoc::NONE);
        self.visit_stmts(&t.orelse)?;
        self.emit_jump_noline(Op::Jump, end);
        let n = t.handlers.len();
        self.unit.cfg.use_next_block(except);
        self.unit.loc = SrcLoc::NONE;
        self.emit_jump(Op::SetupCleanup, cleanup);
        self.emit(Op::PushExcInfo, 0);
        self.unit.fblocks.push(FBlock::ExceptionHandler);
        for (i, h) in t.handlers.iter().enumerate() {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            self.unit.loc = self.loc_of(h.range);
            if h.type_.is_none() && i + 1 < n {
                return Err(crate::error::Error::Compile {
                    span: self.span(h.range),
                    message: "default 'except:' must be last".into(),
                });
            }
            except = self.unit.cfg.new_block();
            if let Some(ty) = &h.type_ {
                self.visit_expr(ty)?;
                self.emit(Op::CheckExcMatch, 0);
                self.emit_jump(Op::PopJumpIfFalse, except);
                self.unit.cfg.next_block();
            }
            if let Some(name) = &h.name {
                let name = name.as_str().to_string();
                let cleanup_end = self.unit.cfg.new_block();
                let cleanup_body = self.unit.cfg.new_block();
                self.nameop(&name, true);
                self.emit_jump(Op::SetupCleanup, cleanup_end);
                self.unit.cfg.use_next_block(cleanup_body);
                self.unit.fblocks.push(FBlock::HandlerCleanup { name: Some(name.clone()) });
                self.visit_stmts(&h.body)?;
                self.unit.fblocks.pop();
                self.unit.loc = SrcLoc::NONE;
                self.emit(Op::PopBlock, 0);
                self.emit(Op::PopBlock, 0);
                self.emit(Op::PopExcept, 0);
                self.load_const(Const::None);
                self.nameop(&name, true);
                self.delete_name(&name);
                self.emit_jump(Op::Jump, end);
                self.unit.cfg.use_next_block(cleanup_end);
                self.unit.loc = SrcLoc::NONE;
                self.load_const(Const::None);
                self.nameop(&name, true);
                self.delete_name(&name);
                self.emit(Op::Reraise, 1);
            } else {
                let cleanup_body = self.unit.cfg.new_block();
                self.emit(Op::PopTop, 0);
                self.unit.cfg.use_next_block(cleanup_body);
                self.unit.fblocks.push(FBlock::HandlerCleanup { name: None });
                self.visit_stmts(&h.body)?;
                self.unit.fblocks.pop();
                self.unit.loc = SrcLoc::NONE;
                self.emit(Op::PopBlock, 0);
                self.emit(Op::PopExcept, 0);
                self.emit_jump(Op::Jump, end);
            }
            self.unit.cfg.use_next_block(except);
        }
        self.unit.loc = SrcLoc::NONE;
        self.unit.fblocks.pop();
        self.emit(Op::Reraise, 0);
        self.unit.cfg.use_next_block(cleanup);
        self.pop_except_and_reraise();
        self.unit.cfg.use_next_block(end);
        Ok(())
    }

    fn call_exit_with_nones(&mut self) {
        self.load_const(Const::None);
        self.load_const(Const::None);
        self.load_const(Const::None);
        self.emit(Op::Precall, 2);
        self.emit(Op::Call, 2);
    }

    /// `compiler_for`.
    fn for_stmt(&mut self, f: &ast::StmtFor) -> Result<()> {
        let start = self.unit.cfg.new_block();
        let body = self.unit.cfg.new_block();
        let cleanup = self.unit.cfg.new_block();
        let end = self.unit.cfg.new_block();
        self.unit.fblocks.push(FBlock::For { block: start, exit: end });
        self.visit_iter(&f.iter)?;
        self.emit(Op::GetIter, 0);
        self.unit.cfg.use_next_block(start);
        self.emit_jump(Op::ForIter, cleanup);
        self.unit.cfg.use_next_block(body);
        self.visit_expr(&f.target)?;
        self.visit_stmts(&f.body)?;
        self.unit.loc = SrcLoc::NONE;
        self.emit_jump(Op::Jump, start);
        self.unit.cfg.use_next_block(cleanup);
        self.unit.fblocks.pop();
        self.visit_stmts(&f.orelse)?;
        self.unit.cfg.use_next_block(end);
        Ok(())
    }

    /// `compiler_while` (3.11 repeats the test at the bottom of the loop).
    fn while_stmt(&mut self, w: &ast::StmtWhile) -> Result<()> {
        let top = self.unit.cfg.new_block();
        let body = self.unit.cfg.new_block();
        let anchor = self.unit.cfg.new_block();
        let end = self.unit.cfg.new_block();
        self.unit.cfg.use_next_block(top);
        self.unit.fblocks.push(FBlock::While { block: top, exit: end });
        self.jump_if(&w.test, anchor, false)?;
        self.unit.cfg.use_next_block(body);
        self.visit_stmts(&w.body)?;
        self.unit.loc = self.loc_of(w.range);
        self.jump_if(&w.test, body, true)?;
        self.unit.fblocks.pop();
        self.unit.cfg.use_next_block(anchor);
        self.visit_stmts(&w.orelse)?;
        self.unit.cfg.use_next_block(end);
        Ok(())
    }

    /// `compiler_if`, with `elif`/`else` clauses as the nested `If` of CPython's AST.
    fn if_stmt(&mut self, test: &Expr, body: &[Stmt], clauses: &[ast::ElifElseClause]) -> Result<()> {
        let end = self.unit.cfg.new_block();
        let next = if clauses.is_empty() { end } else { self.unit.cfg.new_block() };
        self.jump_if(test, next, false)?;
        self.visit_stmts(body)?;
        if let Some((first, rest)) = clauses.split_first() {
            self.emit_jump_noline(Op::Jump, end);
            self.unit.cfg.use_next_block(next);
            match &first.test {
                Some(t) => {
                    self.unit.loc = self.loc_of(first.range);
                    self.if_stmt(t, &first.body, rest)?;
                }
                None => self.visit_stmts(&first.body)?,
            }
        }
        self.unit.cfg.use_next_block(end);
        Ok(())
    }

    /// `compiler_with` for item `pos` (items after it nest inside).
    fn with_stmt(&mut self, w: &ast::StmtWith, pos: usize) -> Result<()> {
        let Some(item) = w.items.get(pos) else { return self.visit_stmts(&w.body) };
        let block = self.unit.cfg.new_block();
        let final_ = self.unit.cfg.new_block();
        let exit = self.unit.cfg.new_block();
        let cleanup = self.unit.cfg.new_block();
        self.visit_expr(&item.context_expr)?;
        self.emit(Op::BeforeWith, 0);
        self.emit_jump(Op::SetupWith, final_);
        self.unit.cfg.use_next_block(block);
        let with_loc = self.loc_of(w.range);
        self.unit.fblocks.push(FBlock::With { loc: with_loc });
        match &item.optional_vars {
            Some(v) => self.visit_expr(v)?,
            None => self.emit(Op::PopTop, 0),
        }
        if pos + 1 == w.items.len() {
            self.visit_stmts(&w.body)?;
        } else {
            self.with_stmt(w, pos + 1)?;
        }
        self.unit.loc = SrcLoc::NONE;
        self.emit(Op::PopBlock, 0);
        self.unit.fblocks.pop();
        self.unit.loc = with_loc;
        self.call_exit_with_nones();
        self.emit(Op::PopTop, 0);
        self.emit_jump(Op::Jump, exit);
        self.unit.cfg.use_next_block(final_);
        self.emit_jump(Op::SetupCleanup, cleanup);
        self.emit(Op::PushExcInfo, 0);
        self.emit(Op::WithExceptStart, 0);
        // compiler_with_except_finish
        self.unit.loc = SrcLoc::NONE;
        let finish = self.unit.cfg.new_block();
        self.emit_jump(Op::PopJumpIfTrue, finish);
        self.unit.cfg.next_block();
        self.emit(Op::Reraise, 2);
        self.unit.cfg.use_next_block(cleanup);
        self.emit(Op::Copy, 3);
        self.emit(Op::PopExcept, 0);
        self.emit(Op::Reraise, 1);
        self.unit.cfg.use_next_block(finish);
        self.emit(Op::PopTop, 0);
        self.emit(Op::PopBlock, 0);
        self.emit(Op::PopExcept, 0);
        self.emit(Op::PopTop, 0);
        self.emit(Op::PopTop, 0);
        self.unit.cfg.use_next_block(exit);
        Ok(())
    }
}
