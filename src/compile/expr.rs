//! Expressions (CPython 3.11's `compiler_visit_expr` and helpers): names, constants, tuples,
//! operators, comparisons, `and`/`or`, conditional expressions, calls, f-strings, and
//! `compiler_jump_if` for conditions.

use super::cfg::{BlockId, Op};
use super::Compiler;
use crate::bytecode::Const;
use crate::error::Result;
use crate::frontend::fold;
use ruff_python_ast::{self as ast, CmpOp, Expr, ExprContext, Operator, UnaryOp};
use ruff_text_size::{Ranged, TextRange};

/// CPython's `STACK_USE_GUIDELINE`.
pub(super) const STACK_USE_GUIDELINE: usize = 30;

/// A single comparison, after the AST optimizer's `not (a is b)` → `a is not b` rewriting.
struct CmpView<'e> {
    left: &'e Expr,
    op: CmpOp,
    right: &'e Expr,
    range: TextRange,
}

/// `e` as one comparison, if it is one or a `not` that the AST optimizer folds into one.
fn compare_view(e: &Expr) -> Option<CmpView<'_>> {
    match e {
        Expr::Compare(c) if c.ops.len() == 1 => {
            Some(CmpView { left: &c.left, op: c.ops[0], right: &c.comparators[0], range: c.range })
        }
        Expr::UnaryOp(u) if u.op == UnaryOp::Not => {
            let inner = compare_view(&u.operand)?;
            let op = match inner.op {
                CmpOp::Is => CmpOp::IsNot,
                CmpOp::IsNot => CmpOp::Is,
                CmpOp::In => CmpOp::NotIn,
                CmpOp::NotIn => CmpOp::In,
                _ => return None,
            };
            Some(CmpView { op, ..inner })
        }
        _ => None,
    }
}

/// Whether the optimizer rewrites this `not` into a comparison.
fn is_rewritten_not(e: &Expr) -> bool {
    matches!(e, Expr::UnaryOp(u) if u.op == UnaryOp::Not) && compare_view(e).is_some()
}

/// The `NB_*` code of a binary operator, if it is in the subset.
pub(crate) fn nb_code(op: Operator) -> Option<u32> {
    Some(match op {
        Operator::Add => 0,
        Operator::BitAnd => 1,
        Operator::FloorDiv => 2,
        Operator::LShift => 3,
        Operator::Mult => 5,
        Operator::Mod => 6,
        Operator::BitOr => 7,
        Operator::Pow => 8,
        Operator::RShift => 9,
        Operator::Sub => 10,
        Operator::Div => 11,
        Operator::BitXor => 12,
        Operator::MatMult => return None,
    })
}

impl Compiler<'_> {
    /// `compiler_visit_expr`: compiles `e` with its location, restoring the location after.
    pub fn visit_expr(&mut self, e: &Expr) -> Result<()> {
        let saved = self.unit.loc;
        let range = match compare_view(e) {
            Some(v) if is_rewritten_not(e) => v.range,
            _ => e.range(),
        };
        self.unit.loc = self.loc_of(range);
        let r = self.visit_expr1(e);
        self.unit.loc = saved;
        r
    }

    fn visit_expr1(&mut self, e: &Expr) -> Result<()> {
        if let Some(c) = fold::fold(e) {
            self.load_const(c);
            return Ok(());
        }
        if is_rewritten_not(e) {
            if let Some(v) = compare_view(e) {
                self.visit_expr(v.left)?;
                self.visit_last_comparator(v.right, v.op)?;
                self.emit_compare(v.op);
                return Ok(());
            }
        }
        match e {
            Expr::Name(n) if matches!(n.ctx, ExprContext::Del) => self.delete_name(n.id.as_str()),
            Expr::Name(n) => {
                let store = matches!(n.ctx, ExprContext::Store);
                self.nameop(n.id.as_str(), store);
            }
            // `compiler_tuple` and `compiler_list` with `Del`: each item deleted in turn.
            Expr::Tuple(ast::ExprTuple { elts, ctx: ExprContext::Del, .. })
            | Expr::List(ast::ExprList { elts, ctx: ExprContext::Del, .. }) => {
                for elt in elts {
                    self.visit_expr(elt)?;
                }
            }
            Expr::Tuple(t) => match t.ctx {
                ExprContext::Store => self.unpack_into(&t.elts)?,
                _ => {
                    if t.elts.len() > STACK_USE_GUIDELINE {
                        return Err(self.unsupported(
                            t.range,
                            "tuple display with more than 30 items",
                            "build it from smaller tuples",
                        ));
                    }
                    for elt in &t.elts {
                        self.visit_expr(elt)?;
                    }
                    self.emit(Op::BuildTuple, t.elts.len() as u32);
                }
            },
            Expr::BinOp(b) if fold::printf_as_fstring(b).is_some() => {
                let pieces = fold::printf_as_fstring(b).unwrap_or_default();
                self.printf_pieces(&pieces, b.range)?;
            }
            Expr::BinOp(b) => {
                self.visit_expr(&b.left)?;
                self.visit_expr(&b.right)?;
                let code = nb_code(b.op).ok_or_else(|| self.op_unsupported(b))?;
                self.emit(Op::BinaryOp, code);
            }
            Expr::UnaryOp(u) => {
                self.visit_expr(&u.operand)?;
                self.emit(
                    match u.op {
                        UnaryOp::Not => Op::UnaryNot,
                        UnaryOp::USub => Op::UnaryNegative,
                        UnaryOp::UAdd => Op::UnaryPositive,
                        UnaryOp::Invert => Op::UnaryInvert,
                    },
                    0,
                );
            }
            Expr::BoolOp(b) => {
                let jump = match b.op {
                    ast::BoolOp::And => Op::JumpIfFalseOrPop,
                    ast::BoolOp::Or => Op::JumpIfTrueOrPop,
                };
                let end = self.unit.cfg.new_block();
                let n = b.values.len().saturating_sub(1);
                for v in &b.values[..n] {
                    self.visit_expr(v)?;
                    self.emit_jump(jump, end);
                    let next = self.unit.cfg.new_block();
                    self.unit.cfg.use_next_block(next);
                }
                if let Some(last) = b.values.last() {
                    self.visit_expr(last)?;
                }
                self.unit.cfg.use_next_block(end);
            }
            Expr::Compare(c) => self.compare(c)?,
            Expr::If(i) => {
                let end = self.unit.cfg.new_block();
                let next = self.unit.cfg.new_block();
                self.jump_if(&i.test, next, false)?;
                self.visit_expr(&i.body)?;
                self.emit_jump_noline(Op::Jump, end);
                self.unit.cfg.use_next_block(next);
                self.visit_expr(&i.orelse)?;
                self.unit.cfg.use_next_block(end);
            }
            Expr::Call(c) => self.call(c)?,
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_) => self.comprehension(e)?,
            Expr::Lambda(l) => self.lambda(l)?,
            Expr::Yield(y) => {
                // compiler_visit_expr1's Yield_kind: the value (None when bare), YIELD_VALUE,
                // then RESUME 1; what was sent in (None) is the expression's value.
                match &y.value {
                    Some(v) => self.visit_expr(v)?,
                    None => self.load_const(crate::bytecode::Const::None),
                }
                self.emit(Op::YieldValue, 0);
                self.emit(Op::Resume, 1);
            }
            Expr::FString(f) => {
                let pieces = fstring_pieces(f.value.elements_with_literals());
                self.pieces(&pieces, f.range)?;
            }
            Expr::Attribute(a) => {
                self.visit_expr(&a.value)?;
                self.update_loc_to_attr(a);
                let i = self.add_name(a.attr.as_str());
                let op = match a.ctx {
                    ExprContext::Store => Op::StoreAttr,
                    ExprContext::Del => Op::DeleteAttr,
                    _ => Op::LoadAttr,
                };
                self.emit(op, i);
            }
            Expr::Slice(s) => {
                // compiler_slice: absent bounds are None; a step makes it BUILD_SLICE 3.
                for bound in [&s.lower, &s.upper] {
                    match bound {
                        Some(b) => self.visit_expr(b)?,
                        None => self.load_const(Const::None),
                    }
                }
                let mut n = 2;
                if let Some(step) = &s.step {
                    self.visit_expr(step)?;
                    n = 3;
                }
                self.emit(Op::BuildSlice, n);
            }
            Expr::Subscript(sub) => {
                // compiler_subscript
                self.visit_expr(&sub.value)?;
                self.visit_expr(&sub.slice)?;
                let op = match sub.ctx {
                    ExprContext::Store => Op::StoreSubscr,
                    ExprContext::Del => Op::DeleteSubscr,
                    _ => Op::BinarySubscr,
                };
                self.emit(op, 0);
            }
            Expr::List(l) if matches!(l.ctx, ExprContext::Store) => self.unpack_into(&l.elts)?,
            Expr::Starred(s) if matches!(s.ctx, ExprContext::Store) => self.visit_expr(&s.value)?,
            Expr::Named(n) => {
                // `compiler_visit_expr1`: the value, a copy of it, and the store.
                self.visit_expr(&n.value)?;
                self.emit(Op::Copy, 1);
                self.visit_expr(&n.target)?;
            }
            Expr::List(l) => {
                if l.elts.len() > STACK_USE_GUIDELINE {
                    return Err(self.unsupported(
                        l.range,
                        "list display with more than 30 items",
                        "build it from smaller lists",
                    ));
                }
                // starunpack_helper: three or more constants are loaded as one tuple.
                let consts: Option<Vec<crate::bytecode::Const>> =
                    if l.elts.len() > 2 { l.elts.iter().map(fold::fold).collect() } else { None };
                match consts {
                    Some(items) => {
                        self.emit(Op::BuildList, 0);
                        self.load_const(crate::bytecode::Const::Tuple(items.into()));
                        self.emit(Op::ListExtend, 1);
                    }
                    None => {
                        for elt in &l.elts {
                            self.visit_expr(elt)?;
                        }
                        self.emit(Op::BuildList, l.elts.len() as u32);
                    }
                }
            }
            Expr::Set(l) => self.set_display(l)?,
            Expr::Dict(d) => {
                // compiler_dict / compiler_subdict, for up to 15 items (one BUILD_MAP).
                let n = d.items.len();
                if n * 2 > STACK_USE_GUIDELINE {
                    return Err(self.unsupported(
                        d.range,
                        "dict display with more than 15 items",
                        "build it with several assignments",
                    ));
                }
                let keys: Option<Vec<crate::bytecode::Const>> =
                    d.items.iter().map(|item| item.key.as_ref().and_then(fold::fold)).collect();
                match keys {
                    Some(keys) if n > 1 => {
                        for item in &d.items {
                            self.visit_expr(&item.value)?;
                        }
                        self.load_const(crate::bytecode::Const::Tuple(keys.into()));
                        self.emit(Op::BuildConstKeyMap, n as u32);
                    }
                    _ => {
                        for item in &d.items {
                            let Some(key) = &item.key else {
                                return Err(self.unsupported(d.range, "dict unpacking '**'", "list the items"));
                            };
                            self.visit_expr(key)?;
                            self.visit_expr(&item.value)?;
                        }
                        self.emit(Op::BuildMap, n as u32);
                    }
                }
            }
            other => {
                return Err(self.unsupported(
                    other.range(),
                    "expression",
                    "see the supported subset in DESIGN.md §1.1",
                ));
            }
        }
        Ok(())
    }

    /// The targets of an unpacking assignment (`a, b = ...`, `[a, b] = ...`, `a, *rest = ...`),
    /// as CPython's `assignment_helper` compiles them: `UNPACK_SEQUENCE n`, or `UNPACK_EX` with
    /// the counts before and after the starred target.
    fn unpack_into(&mut self, elts: &[Expr]) -> Result<()> {
        match elts.iter().position(|e| matches!(e, Expr::Starred(_))) {
            Some(i) => {
                let after = (elts.len() - i - 1) as u32;
                self.emit(Op::UnpackEx, i as u32 | after << 8);
            }
            None => self.emit(Op::UnpackSequence, elts.len() as u32),
        }
        for elt in elts {
            self.visit_expr(elt)?;
        }
        Ok(())
    }

    fn op_unsupported(&self, b: &ast::ExprBinOp) -> crate::error::Error {
        self.unsupported(
            b.range,
            &format!("operator '{}'", b.op.as_str()),
            "supported operators: + - * // % & | ^ << >> **",
        )
    }

    /// `ADDOP_COMPARE`.
    fn emit_compare(&mut self, op: CmpOp) {
        let (o, a) = match op {
            CmpOp::Lt => (Op::CompareOp, 0),
            CmpOp::LtE => (Op::CompareOp, 1),
            CmpOp::Eq => (Op::CompareOp, 2),
            CmpOp::NotEq => (Op::CompareOp, 3),
            CmpOp::Gt => (Op::CompareOp, 4),
            CmpOp::GtE => (Op::CompareOp, 5),
            CmpOp::Is => (Op::IsOp, 0),
            CmpOp::IsNot => (Op::IsOp, 1),
            CmpOp::In => (Op::ContainsOp, 0),
            CmpOp::NotIn => (Op::ContainsOp, 1),
        };
        self.emit(o, a);
    }

    /// `compiler_compare` (value context; chains keep the middle operand with SWAP/COPY).
    fn compare(&mut self, c: &ast::ExprCompare) -> Result<()> {
        self.visit_expr(&c.left)?;
        let n = c.ops.len().saturating_sub(1);
        if n == 0 {
            if let (Some(right), Some(op)) = (c.comparators.first(), c.ops.first()) {
                self.visit_last_comparator(right, *op)?;
                self.emit_compare(*op);
            }
            return Ok(());
        }
        let cleanup = self.unit.cfg.new_block();
        for i in 0..n {
            self.visit_expr(&c.comparators[i])?;
            self.emit(Op::Swap, 2);
            self.emit(Op::Copy, 2);
            self.emit_compare(c.ops[i]);
            self.emit_jump(Op::JumpIfFalseOrPop, cleanup);
            self.unit.cfg.next_block();
        }
        self.visit_last_comparator(&c.comparators[n], c.ops[n])?;
        self.emit_compare(c.ops[n]);
        let end = self.unit.cfg.new_block();
        self.emit_jump_noline(Op::Jump, end);
        self.unit.cfg.use_next_block(cleanup);
        self.emit(Op::Swap, 2);
        self.emit(Op::PopTop, 0);
        self.unit.cfg.use_next_block(end);
        Ok(())
    }

    /// `compiler_jump_if`: jumps to `next` when `e` is truthy (`cond`) or falsy (`!cond`).
    pub fn jump_if(&mut self, e: &Expr, next: BlockId, cond: bool) -> Result<()> {
        let folded = fold::fold(e).is_some();
        // 3.11 sets the location to a comparison's and leaves it set (it is not restored).
        if !folded {
            if let Some(v) = compare_view(e) {
                self.unit.loc = self.loc_of(v.range);
            } else if let Expr::Compare(c) = e {
                self.unit.loc = self.loc_of(c.range);
            }
        }
        if !folded && !is_rewritten_not(e) {
            match e {
                Expr::UnaryOp(u) if u.op == UnaryOp::Not => return self.jump_if(&u.operand, next, !cond),
                Expr::BoolOp(b) => {
                    let cond2 = b.op == ast::BoolOp::Or;
                    let next2 = if cond2 != cond { self.unit.cfg.new_block() } else { next };
                    let n = b.values.len().saturating_sub(1);
                    for v in &b.values[..n] {
                        self.jump_if(v, next2, cond2)?;
                    }
                    if let Some(last) = b.values.last() {
                        self.jump_if(last, next, cond)?;
                    }
                    if next2 != next {
                        self.unit.cfg.use_next_block(next2);
                    }
                    return Ok(());
                }
                Expr::If(i) => {
                    let end = self.unit.cfg.new_block();
                    let next2 = self.unit.cfg.new_block();
                    self.jump_if(&i.test, next2, false)?;
                    self.jump_if(&i.body, next, cond)?;
                    self.emit_jump_noline(Op::Jump, end);
                    self.unit.cfg.use_next_block(next2);
                    self.jump_if(&i.orelse, next, cond)?;
                    self.unit.cfg.use_next_block(end);
                    return Ok(());
                }
                Expr::Compare(c) if c.ops.len() > 1 => {
                    let n = c.ops.len() - 1;
                    let cleanup = self.unit.cfg.new_block();
                    self.visit_expr(&c.left)?;
                    for i in 0..n {
                        self.visit_expr(&c.comparators[i])?;
                        self.emit(Op::Swap, 2);
                        self.emit(Op::Copy, 2);
                        self.emit_compare(c.ops[i]);
                        self.emit_jump(Op::PopJumpIfFalse, cleanup);
                        self.unit.cfg.next_block();
                    }
                    self.visit_last_comparator(&c.comparators[n], c.ops[n])?;
                    self.emit_compare(c.ops[n]);
                    self.emit_jump(if cond { Op::PopJumpIfTrue } else { Op::PopJumpIfFalse }, next);
                    self.unit.cfg.next_block();
                    let end = self.unit.cfg.new_block();
                    self.emit_jump_noline(Op::Jump, end);
                    self.unit.cfg.use_next_block(cleanup);
                    self.emit(Op::PopTop, 0);
                    if !cond {
                        self.emit_jump_noline(Op::Jump, next);
                    }
                    self.unit.cfg.use_next_block(end);
                    return Ok(());
                }
                _ => {}
            }
        }
        self.visit_expr(e)?;
        self.emit_jump(if cond { Op::PopJumpIfTrue } else { Op::PopJumpIfFalse }, next);
        self.unit.cfg.next_block();
        Ok(())
    }

    /// `compiler_call` with `maybe_optimize_method_call`.
    fn call(&mut self, c: &ast::ExprCall) -> Result<()> {
        let args = &c.arguments.args;
        let kws = &c.arguments.keywords;
        let nargs = args.len();
        let nkw = kws.len();
        let spread = args.iter().any(|a| matches!(a, Expr::Starred(_))) || kws.iter().any(|k| k.arg.is_none());
        if spread || nargs + 2 * nkw > STACK_USE_GUIDELINE {
            // `maybe_optimize_method_call` declines; `compiler_call_helper` goes to `ex_call`.
            let saved = self.unit.loc;
            self.unit.loc = self.loc_of(c.func.range());
            self.emit(Op::PushNull, 0);
            self.unit.loc = saved;
            self.visit_expr(&c.func)?;
            return self.ex_call(args, kws);
        }
        if let Expr::Attribute(attr) = &*c.func {
            if matches!(attr.ctx, ExprContext::Load)
                && !self.is_import_originated(&attr.value)
                && nargs + nkw + usize::from(nkw != 0) < STACK_USE_GUIDELINE
            {
                self.visit_expr(&attr.value)?;
                let old = self.unit.loc.line;
                self.update_loc_to_attr(attr);
                let i = self.add_name(attr.attr.as_str());
                self.emit(Op::LoadMethod, i);
                for a in args.iter() {
                    self.visit_expr(a)?;
                }
                self.keywords(kws)?;
                self.update_loc_to_attr(attr);
                self.emit(Op::Precall, (nargs + nkw) as u32);
                self.emit(Op::Call, (nargs + nkw) as u32);
                self.unit.loc.line = old;
                return Ok(());
            }
        }
        let saved = self.unit.loc;
        self.unit.loc = self.loc_of(c.func.range());
        self.emit(Op::PushNull, 0);
        self.unit.loc = saved;
        self.visit_expr(&c.func)?;
        for a in args.iter() {
            self.visit_expr(a)?;
        }
        self.keywords(kws)?;
        self.emit(Op::Precall, (nargs + nkw) as u32);
        self.emit(Op::Call, (nargs + nkw) as u32);
        Ok(())
    }

    /// The `ex_call` half of `compiler_call_helper`: the positional arguments as one tuple
    /// (`starunpack_helper`), the keyword arguments as one dict (`compiler_subkwargs` and
    /// `DICT_MERGE`), then `CALL_FUNCTION_EX`.
    fn ex_call(&mut self, args: &[Expr], kws: &[ast::Keyword]) -> Result<()> {
        match args {
            [Expr::Starred(s)] => self.visit_expr(&s.value)?,
            _ => self.star_tuple(args)?,
        }
        if !kws.is_empty() {
            let mut have_dict = false;
            let mut seen = 0;
            for (i, k) in kws.iter().enumerate() {
                if k.arg.is_some() {
                    seen += 1;
                    continue;
                }
                if seen > 0 {
                    self.subkwargs(&kws[i - seen..i])?;
                    if have_dict {
                        self.emit(Op::DictMerge, 1);
                    }
                    have_dict = true;
                    seen = 0;
                }
                if !have_dict {
                    self.emit(Op::BuildMap, 0);
                    have_dict = true;
                }
                self.visit_expr(&k.value)?;
                self.emit(Op::DictMerge, 1);
            }
            if seen > 0 {
                self.subkwargs(&kws[kws.len() - seen..])?;
                if have_dict {
                    self.emit(Op::DictMerge, 1);
                }
            }
        }
        self.emit(Op::CallFunctionEx, u32::from(!kws.is_empty()));
        Ok(())
    }

    /// `starunpack_helper` for a call's positional arguments: one tuple of them.
    fn star_tuple(&mut self, elts: &[Expr]) -> Result<()> {
        let n = elts.len();
        if n > 2 {
            if let Some(items) = elts.iter().map(fold::fold).collect::<Option<Vec<_>>>() {
                self.load_const(crate::bytecode::Const::Tuple(items.into()));
                return Ok(());
            }
        }
        let big = n > STACK_USE_GUIDELINE;
        if !big && !elts.iter().any(|e| matches!(e, Expr::Starred(_))) {
            for e in elts {
                self.visit_expr(e)?;
            }
            self.emit(Op::BuildTuple, n as u32);
            return Ok(());
        }
        let mut built = big;
        if big {
            self.emit(Op::BuildList, 0);
        }
        for (i, e) in elts.iter().enumerate() {
            if let Expr::Starred(s) = e {
                if !built {
                    self.emit(Op::BuildList, i as u32);
                    built = true;
                }
                self.visit_expr(&s.value)?;
                self.emit(Op::ListExtend, 1);
            } else {
                self.visit_expr(e)?;
                if built {
                    self.emit(Op::ListAppend, 1);
                }
            }
        }
        self.emit(Op::ListToTuple, 0);
        Ok(())
    }

    /// `compiler_subkwargs`: named keyword arguments as one dict.
    fn subkwargs(&mut self, kws: &[ast::Keyword]) -> Result<()> {
        let n = kws.len();
        let name = |k: &ast::Keyword| crate::bytecode::Const::Str(k.arg.as_ref().map_or("", |a| a.as_str()).into());
        let big = n * 2 > STACK_USE_GUIDELINE;
        if n > 1 && !big {
            for k in kws {
                self.visit_expr(&k.value)?;
            }
            self.load_const(crate::bytecode::Const::Tuple(kws.iter().map(name).collect::<Vec<_>>().into()));
            self.emit(Op::BuildConstKeyMap, n as u32);
            return Ok(());
        }
        if big {
            self.emit_noline(Op::BuildMap, 0);
        }
        for k in kws {
            self.load_const(name(k));
            self.visit_expr(&k.value)?;
            if big {
                self.emit_noline(Op::MapAdd, 1);
            }
        }
        if !big {
            self.emit(Op::BuildMap, n as u32);
        }
        Ok(())
    }

    /// Keyword argument values, then `KW_NAMES` with the tuple of their names.
    fn keywords(&mut self, kws: &[ast::Keyword]) -> Result<()> {
        if kws.is_empty() {
            return Ok(());
        }
        let mut names = Vec::with_capacity(kws.len());
        for k in kws {
            self.visit_expr(&k.value)?;
            names.push(crate::bytecode::Const::Str(k.arg.as_ref().map_or("", |a| a.as_str()).into()));
        }
        let i = self.add_const(crate::bytecode::Const::Tuple(names.into()));
        self.emit(Op::KwNames, i);
        Ok(())
    }

    /// The parts of an f-string (`compiler_joined_str`): constants, formatted values, and
    /// BUILD_STRING unless there is exactly one part.
    fn pieces(&mut self, pieces: &[Piece<'_>], range: TextRange) -> Result<()> {
        if pieces.len() > STACK_USE_GUIDELINE {
            return Err(self.unsupported(range, "f-string with more than 30 parts", "split the f-string"));
        }
        for p in pieces {
            match p {
                Piece::Lit(s) => self.load_const(crate::bytecode::Const::Str(s.as_str().into())),
                Piece::Val(v) => self.formatted_value(v, range)?,
            }
        }
        if pieces.len() != 1 {
            self.emit(Op::BuildString, pieces.len() as u32);
        }
        Ok(())
    }

    /// A printf-style format rewritten as an f-string (CPython 3.11's `optimize_format`): its
    /// literal parts have no position of their own (they take the previous instruction's), each
    /// value's FORMAT_VALUE has the value's.
    fn printf_pieces(&mut self, pieces: &[fold::PrintfPiece<'_>], range: TextRange) -> Result<()> {
        use fold::PrintfPiece;
        if pieces.len() > STACK_USE_GUIDELINE {
            return Err(self.unsupported(range, "printf-style format with more than 30 parts", "split the format"));
        }
        for p in pieces {
            match p {
                PrintfPiece::Lit(s) => {
                    let saved = self.unit.loc;
                    self.unit.loc = super::cfg::SrcLoc::NONE;
                    self.load_const(crate::bytecode::Const::Str(s.as_str().into()));
                    self.unit.loc = saved;
                }
                PrintfPiece::Val { expr, conversion, spec } => {
                    let saved = self.unit.loc;
                    self.unit.loc = self.loc_of(expr.range());
                    self.visit_expr(expr)?;
                    let mut oparg = *conversion;
                    if let Some(spec) = spec {
                        let at = self.unit.loc;
                        self.unit.loc = super::cfg::SrcLoc::NONE;
                        self.load_const(crate::bytecode::Const::Str(spec.as_str().into()));
                        self.unit.loc = at;
                        oparg |= 4;
                    }
                    self.emit(Op::FormatValue, oparg);
                    self.unit.loc = saved;
                }
            }
        }
        if pieces.len() != 1 {
            self.emit(Op::BuildString, pieces.len() as u32);
        }
        Ok(())
    }

    /// `compiler_formatted_value`.
    fn formatted_value(&mut self, v: &ast::InterpolatedElement, range: TextRange) -> Result<()> {
        self.visit_expr(&v.expression)?;
        let mut oparg = match v.conversion {
            ast::ConversionFlag::None => 0,
            ast::ConversionFlag::Str => 1,
            ast::ConversionFlag::Repr => 2,
            ast::ConversionFlag::Ascii => 3,
        };
        if let Some(spec) = &v.format_spec {
            let pieces = fstring_pieces(spec.elements.iter().map(Element::from));
            self.pieces(&pieces, range)?;
            oparg |= 4;
        }
        self.emit(Op::FormatValue, oparg);
        Ok(())
    }
}

/// One part of a joined string after merging adjacent literal text.
pub(crate) enum Piece<'e> {
    Lit(String),
    Val(&'e ast::InterpolatedElement),
}

/// An f-string element or a plain literal part of an implicit concatenation.
pub(crate) enum Element<'e> {
    Lit(&'e str),
    Val(&'e ast::InterpolatedElement),
}

impl<'e> From<&'e ast::InterpolatedStringElement> for Element<'e> {
    fn from(el: &'e ast::InterpolatedStringElement) -> Self {
        match el {
            ast::InterpolatedStringElement::Literal(l) => Element::Lit(&l.value),
            ast::InterpolatedStringElement::Interpolation(i) => Element::Val(i),
        }
    }
}

/// Iterates the elements of an f-string value, plain literal parts included.
pub(crate) trait ElementsWithLiterals {
    /// The elements in source order.
    fn elements_with_literals(&self) -> Vec<Element<'_>>;
}

impl ElementsWithLiterals for ast::FStringValue {
    fn elements_with_literals(&self) -> Vec<Element<'_>> {
        let mut out = Vec::new();
        for part in self.iter() {
            match part {
                ast::FStringPart::Literal(l) => out.push(Element::Lit(l.as_str())),
                ast::FStringPart::FString(f) => out.extend(f.elements.iter().map(Element::from)),
            }
        }
        out
    }
}

/// Merges adjacent literal text and drops empty literals, as CPython's f-string parser does.
pub(crate) fn fstring_pieces<'e>(elements: impl IntoIterator<Item = Element<'e>>) -> Vec<Piece<'e>> {
    let mut out: Vec<Piece<'e>> = Vec::new();
    for el in elements {
        match el {
            Element::Lit(s) => {
                if s.is_empty() {
                    continue;
                }
                if let Some(Piece::Lit(prev)) = out.last_mut() {
                    prev.push_str(s);
                } else {
                    out.push(Piece::Lit(s.to_string()));
                }
            }
            Element::Val(v) => out.push(Piece::Val(v)),
        }
    }
    out
}
