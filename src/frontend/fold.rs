//! Constant folding as CPython 3.11's AST optimizer (`Python/ast_opt.c`) does it before code
//! generation: literals, tuples of constants, unary and binary operators on constants (with
//! its size limits), and f-strings without replacement fields.

use crate::bytecode::Const;
use crate::pyfloat::{self, Float, FloatOp};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{ToPrimitive, Zero};
use ruff_python_ast::{self as ast, Expr, Number, Operator, UnaryOp};
use std::sync::Arc;

const MAX_INT_SIZE: u64 = 128;
const MAX_COLLECTION_SIZE: usize = 256;
const MAX_STR_SIZE: usize = 4096;
const MAX_TOTAL_ITEMS: i64 = 1024;

/// An int constant in canonical form (`Int` when it fits in 64 bits).
pub(crate) fn int_const(v: BigInt) -> Const {
    match v.to_i64() {
        Some(i) => Const::Int(i),
        None => Const::BigInt(Arc::new(v)),
    }
}

/// The value of an int literal.
pub(crate) fn int_literal(i: &ast::Int) -> Option<Const> {
    if let Some(v) = i.as_i64() {
        return Some(Const::Int(v));
    }
    parse_int_text(&i.to_string()).map(int_const)
}

/// Parses Python int literal text (`1_000`, `0x_ff`, `0o7`, `0b1`) into a big integer.
pub(crate) fn parse_int_text(text: &str) -> Option<BigInt> {
    let t: String = text.chars().filter(|c| *c != '_').collect();
    let lower = t.to_ascii_lowercase();
    let (digits, radix) = if let Some(d) = lower.strip_prefix("0x") {
        (d.to_string(), 16)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (d.to_string(), 8)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (d.to_string(), 2)
    } else {
        (lower, 10)
    };
    if digits.is_empty() {
        return None;
    }
    BigInt::parse_bytes(digits.as_bytes(), radix)
}

/// The integer value of an int or bool constant.
fn as_int(c: &Const) -> Option<BigInt> {
    match c {
        Const::Int(i) => Some(BigInt::from(*i)),
        Const::BigInt(b) => Some((**b).clone()),
        Const::Bool(b) => Some(BigInt::from(u8::from(*b))),
        _ => None,
    }
}

/// The text of a str literal (implicit concatenation included).
pub(crate) fn str_literal(s: &ast::ExprStringLiteral) -> Const {
    Const::Str(s.value.to_str().into())
}

/// The folded value of `e`, if CPython's AST optimizer turns it into a constant.
pub(crate) fn fold(e: &Expr) -> Option<Const> {
    match e {
        Expr::NumberLiteral(n) => match &n.value {
            Number::Int(i) => int_literal(i),
            Number::Float(f) => Some(Const::Float(Float(*f))),
            Number::Complex { .. } => None,
        },
        Expr::StringLiteral(s) => Some(str_literal(s)),
        Expr::BooleanLiteral(b) => Some(Const::Bool(b.value)),
        Expr::NoneLiteral(_) => Some(Const::None),
        // An f-string is a JoinedStr even without replacement fields: never a constant.
        Expr::Tuple(t) if matches!(t.ctx, ast::ExprContext::Load) => {
            let items: Option<Vec<Const>> = t.elts.iter().map(fold).collect();
            items.map(|v| Const::Tuple(v.into()))
        }
        Expr::UnaryOp(u) => {
            let v = fold(&u.operand)?;
            fold_unary(u.op, &v)
        }
        Expr::BinOp(b) => {
            let l = fold(&b.left)?;
            let r = fold(&b.right)?;
            fold_binary(b.op, &l, &r)
        }
        _ => None,
    }
}

fn fold_unary(op: UnaryOp, v: &Const) -> Option<Const> {
    match op {
        UnaryOp::Not => Some(Const::Bool(!v.truthy())),
        UnaryOp::USub | UnaryOp::UAdd if matches!(v, Const::Float(_)) => {
            let Const::Float(f) = v else { return None };
            Some(Const::Float(Float(if op == UnaryOp::USub { -f.0 } else { f.0 })))
        }
        UnaryOp::USub => as_int(v).map(|i| int_const(-i)),
        UnaryOp::UAdd => as_int(v).map(int_const),
        UnaryOp::Invert => as_int(v).map(|i: BigInt| int_const(-(i + BigInt::from(1)))),
    }
}

fn check_complexity(c: &Const, mut limit: i64) -> i64 {
    if let Const::Tuple(items) = c {
        limit -= items.len() as i64;
        for item in items.iter() {
            if limit < 0 {
                break;
            }
            limit = check_complexity(item, limit);
        }
    }
    limit
}

fn repeat_seq(seq: &Const, n: &BigInt) -> Option<Const> {
    let n = n.to_i64()?;
    let count = n.max(0) as usize;
    match seq {
        Const::Str(s) => {
            if let Some(limit) = MAX_STR_SIZE.checked_div(s.chars().count()) {
                if n < 0 || count > limit {
                    return None;
                }
            }
            Some(Const::Str(s.repeat(count).into()))
        }
        Const::Tuple(items) => {
            if let Some(limit) = MAX_COLLECTION_SIZE.checked_div(items.len()) {
                if n < 0 || count > limit {
                    return None;
                }
                if n > 0 && check_complexity(seq, MAX_TOTAL_ITEMS / n) < 0 {
                    return None;
                }
            }
            let mut out = Vec::with_capacity(items.len().saturating_mul(count));
            for _ in 0..count {
                out.extend(items.iter().cloned());
            }
            Some(Const::Tuple(out.into()))
        }
        _ => None,
    }
}

fn fold_binary(op: Operator, l: &Const, r: &Const) -> Option<Const> {
    // bool & | ^ bool is a bool.
    if let (Const::Bool(a), Const::Bool(b)) = (l, r) {
        match op {
            Operator::BitAnd => return Some(Const::Bool(a & b)),
            Operator::BitOr => return Some(Const::Bool(a | b)),
            Operator::BitXor => return Some(Const::Bool(a ^ b)),
            _ => {}
        }
    }
    if matches!(l, Const::Float(_)) || matches!(r, Const::Float(_)) {
        return fold_float(op, l, r);
    }
    if let (Some(a), Some(b)) = (as_int(l), as_int(r)) {
        return match op {
            Operator::Div => pyfloat::int_true_div(&a, &b).ok().map(|f| Const::Float(Float(f))),
            Operator::Pow if b.sign() == num_bigint::Sign::Minus => {
                fold_float(op, &Const::Float(Float(pyfloat::from_int(&a).ok()?)), r)
            }
            Operator::Add => Some(int_const(a + b)),
            Operator::Sub => Some(int_const(a - b)),
            Operator::Mult => {
                if !a.is_zero()
                    && !b.is_zero()
                    && (a.bits() > MAX_INT_SIZE || b.bits() > MAX_INT_SIZE || a.bits() + b.bits() > MAX_INT_SIZE)
                {
                    None
                } else {
                    Some(int_const(a * b))
                }
            }
            Operator::FloorDiv if !b.is_zero() => Some(int_const(a.div_floor(&b))),
            Operator::Mod if !b.is_zero() => Some(int_const(a.mod_floor(&b))),
            Operator::BitAnd => Some(int_const(a & b)),
            Operator::BitOr => Some(int_const(a | b)),
            Operator::BitXor => Some(int_const(a ^ b)),
            // CPython's safe_lshift: no fold past 128 bits, nor for a negative count.
            Operator::LShift => {
                let w = b.to_u64()?;
                if !a.is_zero() && w != 0 && (w > MAX_INT_SIZE || a.bits() > MAX_INT_SIZE - w) {
                    None
                } else {
                    Some(int_const(a << w))
                }
            }
            Operator::RShift => {
                let w = b.to_u64()?;
                Some(int_const(a >> w.min(1 << 20)))
            }
            // CPython's safe_power; a negative exponent makes a float, which stays unfolded.
            Operator::Pow => {
                let w = b.to_u64()?;
                if !a.is_zero() && w > 0 && a.bits() > MAX_INT_SIZE / w {
                    None
                } else {
                    Some(int_const(num_traits::pow(a, w as usize)))
                }
            }
            _ => None,
        };
    }
    match (op, l, r) {
        (Operator::Add, Const::Str(a), Const::Str(b)) => Some(Const::Str(format!("{a}{b}").into())),
        (Operator::Add, Const::Tuple(a), Const::Tuple(b)) => {
            Some(Const::Tuple(a.iter().chain(b.iter()).cloned().collect::<Vec<_>>().into()))
        }
        (Operator::Mult, seq @ (Const::Str(_) | Const::Tuple(_)), n)
        | (Operator::Mult, n, seq @ (Const::Str(_) | Const::Tuple(_))) => {
            let n = as_int(n)?;
            repeat_seq(seq, &n)
        }
        _ => None,
    }
}

/// A binary operator with a float operand (the other an int, a bool or a float), folded as
/// CPython folds it: only when the operation does not raise.
fn fold_float(op: Operator, l: &Const, r: &Const) -> Option<Const> {
    let as_float = |c: &Const| match c {
        Const::Float(f) => Some(f.0),
        other => pyfloat::from_int(&as_int(other)?).ok(),
    };
    let (a, b) = (as_float(l)?, as_float(r)?);
    let op = match op {
        Operator::Add => FloatOp::Add,
        Operator::Sub => FloatOp::Sub,
        Operator::Mult => FloatOp::Mul,
        Operator::Div => FloatOp::TrueDiv,
        Operator::FloorDiv => FloatOp::FloorDiv,
        Operator::Mod => FloatOp::Mod,
        Operator::Pow => FloatOp::Pow,
        _ => return None,
    };
    pyfloat::binary(op, a, b).ok().map(|f| Const::Float(Float(f)))
}

/// One part of a printf-style format that CPython 3.11's optimizer turns into an f-string.
#[derive(Debug)]
pub(crate) enum PrintfPiece<'e> {
    /// Literal text (`%%` already made `%`).
    Lit(String),
    /// A `%s`, `%r` or `%a` conversion of `expr`: FORMAT_VALUE's conversion (1, 2, 3) and spec.
    Val { expr: &'e Expr, conversion: u32, spec: Option<String> },
}

/// CPython 3.11's `optimize_format`: `'...' % (a, b)` with a constant str on the left, a tuple
/// display that is not constant and has no starred item on the right, and only `%s`, `%r` and
/// `%a` conversions (widths and precisions of at most two digits), one per item, becomes the
/// f-string `f'...{a!s}...{b!r}'`. `None` when the expression stays a `%` operation.
pub(crate) fn printf_as_fstring(b: &ast::ExprBinOp) -> Option<Vec<PrintfPiece<'_>>> {
    if b.op != Operator::Mod {
        return None;
    }
    let Some(Const::Str(fmt)) = fold(&b.left) else { return None };
    let Expr::Tuple(t) = &*b.right else { return None };
    if fold(&b.right).is_some() || t.elts.iter().any(|e| matches!(e, Expr::Starred(_))) {
        return None;
    }
    let chars: Vec<char> = fmt.chars().collect();
    let mut pieces = Vec::new();
    let mut pos = 0;
    let mut items = t.elts.iter();
    loop {
        let mut lit = String::new();
        while pos < chars.len() {
            if chars[pos] != '%' {
                lit.push(chars[pos]);
                pos += 1;
            } else if chars.get(pos + 1) == Some(&'%') {
                lit.push('%');
                pos += 2;
            } else {
                break;
            }
        }
        if !lit.is_empty() {
            pieces.push(PrintfPiece::Lit(lit));
        }
        if pos >= chars.len() {
            break;
        }
        // More conversions than items: left to the `%` operator (and its TypeError).
        let expr = items.next()?;
        pos += 1;
        let (conversion, spec) = simple_printf_arg(&chars, &mut pos)?;
        pieces.push(PrintfPiece::Val { expr, conversion, spec });
    }
    // More items than conversions: the `%` operator's TypeError.
    if items.next().is_some() {
        return None;
    }
    Some(pieces)
}

/// `simple_format_arg_parse` and `parse_format`: the conversion after a `%` at `pos`, as a
/// FORMAT_VALUE conversion and spec, when it is `s`, `r` or `a` with at most two-digit width
/// and precision.
fn simple_printf_arg(chars: &[char], pos: &mut usize) -> Option<(u32, Option<String>)> {
    let mut next = || {
        let c = chars.get(*pos).copied();
        *pos += 1;
        c
    };
    let mut left = false;
    let mut ch = next()?;
    while matches!(ch, '-' | '+' | ' ' | '#' | '0') {
        left |= ch == '-';
        ch = next()?;
    }
    let mut width: Option<u32> = None;
    if ch.is_ascii_digit() {
        let mut w = 0;
        let mut digits = 0;
        while let Some(d) = ch.to_digit(10) {
            w = w * 10 + d;
            ch = next()?;
            digits += 1;
            if digits >= 3 {
                return None;
            }
        }
        width = Some(w);
    }
    let mut precision: Option<u32> = None;
    if ch == '.' {
        ch = next()?;
        let mut p = 0;
        let mut digits = 0;
        while let Some(d) = ch.to_digit(10) {
            p = p * 10 + d;
            ch = next()?;
            digits += 1;
            if digits >= 3 {
                return None;
            }
        }
        precision = Some(p);
    }
    let conversion = match ch {
        's' => 1,
        'r' => 2,
        'a' => 3,
        _ => return None,
    };
    let mut spec = String::new();
    if !left && width.is_some_and(|w| w > 0) {
        spec.push('>');
    }
    if let Some(w) = width {
        spec.push_str(&w.to_string());
    }
    if let Some(p) = precision {
        spec.push_str(&format!(".{p}"));
    }
    Some((conversion, (!spec.is_empty()).then_some(spec)))
}
