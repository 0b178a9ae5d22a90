//! Python's operators on the subset's values: arithmetic, comparison and formatting, with
//! CPython's results and exceptions, and the memory check for values that grow.

use super::value::{ExcKind, Exception, Value};
use crate::bytecode::{BinOp, CmpOp};
use crate::pyfloat::{self, FloatError, FloatOp};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};
use std::cmp::Ordering;

/// Why an operation failed: the exception to raise.
pub type OpResult = Result<Value, Exception>;

fn exc(kind: ExcKind, message: impl Into<String>) -> Exception {
    Exception::new(kind, message)
}

/// `a op b` for the arithmetic operators of the subset (ints, bools, and str/tuple `+`, `*`).
pub fn binary_op(op: BinOp, a: &Value, b: &Value) -> OpResult {
    if let (Value::Bool(x), Value::Bool(y)) = (a, b) {
        match op {
            BinOp::And => return Ok(Value::Bool(x & y)),
            BinOp::Or => return Ok(Value::Bool(x | y)),
            BinOp::Xor => return Ok(Value::Bool(x ^ y)),
            _ => {}
        }
    }
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        let fast = match op {
            BinOp::Add => x.checked_add(*y),
            BinOp::Sub => x.checked_sub(*y),
            BinOp::Mul => x.checked_mul(*y),
            BinOp::FloorDiv if *y != 0 => x.checked_div_euclid(*y).map(|_| x.div_floor(y)),
            BinOp::Mod if *y != 0 => x.checked_rem_euclid(*y).map(|_| x.mod_floor(y)),
            BinOp::And => Some(x & y),
            BinOp::Or => Some(x | y),
            BinOp::Xor => Some(x ^ y),
            BinOp::Rshift if *y >= 0 => Some(x >> (*y).min(63)),
            BinOp::Lshift if (0..63).contains(y) => x.checked_mul(1i64 << y),
            BinOp::Pow if *y >= 0 => u32::try_from(*y).ok().and_then(|k| x.checked_pow(k)),
            _ => None,
        };
        if let Some(v) = fast {
            return Ok(Value::Int(v));
        }
    }
    if let Some(r) = float_binary(op, a, b) {
        return r;
    }
    if let (Some(x), Some(y)) = (int_operand(a), int_operand(b)) {
        let negative_count = || exc(ExcKind::ValueError, "negative shift count");
        let result_bits = match op {
            BinOp::Mul => bits(a) + bits(b),
            BinOp::Lshift => {
                if y.sign() == num_bigint::Sign::Minus {
                    return Err(negative_count());
                }
                if x.is_zero() {
                    1
                } else {
                    bits(a).saturating_add(y.to_u64().unwrap_or(u64::MAX))
                }
            }
            BinOp::Pow => {
                if x.is_zero() || x.magnitude().is_one() {
                    1
                } else {
                    bits(a).saturating_mul(y.to_u64().unwrap_or(u64::MAX))
                }
            }
            _ => bits(a).max(bits(b)) + 1,
        };
        room((result_bits / 8).saturating_mul(3))?;
        let r = match op {
            BinOp::Add => x + y,
            BinOp::Sub => x - y,
            BinOp::Mul => x * y,
            BinOp::FloorDiv | BinOp::Mod if y.is_zero() => {
                let what =
                    if op == BinOp::Mod { "integer modulo by zero" } else { "integer division or modulo by zero" };
                return Err(exc(ExcKind::ZeroDivisionError, what));
            }
            BinOp::FloorDiv => x.div_floor(&y),
            BinOp::Mod => x.mod_floor(&y),
            BinOp::TrueDiv => unreachable!("[internal bug] int / int is a float, computed above"),
            BinOp::And => x & y,
            BinOp::Or => x | y,
            BinOp::Xor => x ^ y,
            BinOp::Rshift => match y.to_u64() {
                _ if y.sign() == num_bigint::Sign::Minus => return Err(negative_count()),
                Some(k) if k < x.bits() => x >> k,
                _ => BigInt::from(if x.sign() == num_bigint::Sign::Minus { -1 } else { 0 }),
            },
            // Both fit: `room` above checked the result's size.
            BinOp::Lshift => x << y.to_u64().unwrap_or(0),
            BinOp::Pow => match y.to_u64() {
                Some(k) if !x.is_zero() && !x.magnitude().is_one() => num_traits::pow(x, k as usize),
                // 0 ** k, 1 ** k, (-1) ** k
                _ if y.is_zero() => BigInt::from(1),
                _ if x.is_zero() => BigInt::from(0),
                _ if x.sign() == num_bigint::Sign::Minus && y.is_odd() => BigInt::from(-1),
                _ => BigInt::from(1),
            },
        };
        return Ok(Value::big(r));
    }
    match (op, a, b) {
        (BinOp::Add, Value::Str(x), Value::Str(y)) => {
            // Built once, then copied into the shared string.
            room(2 * (x.len() + y.len()) as u64)?;
            Ok(Value::Str(format!("{x}{y}").into()))
        }
        (BinOp::Add, Value::Tuple(x), Value::Tuple(y)) => {
            room(2 * ((x.len() + y.len()) * std::mem::size_of::<Value>()) as u64)?;
            Ok(Value::Tuple(x.iter().chain(y.iter()).cloned().collect()))
        }
        (BinOp::Mul, Value::Str(s), n) | (BinOp::Mul, n, Value::Str(s)) if int_operand(n).is_some() => {
            let k = repeat_count(n)?;
            room((s.len() as u64).saturating_mul(2 * k as u64))?;
            Ok(Value::Str(s.repeat(k).into()))
        }
        (BinOp::Mul, Value::Tuple(t), n) | (BinOp::Mul, n, Value::Tuple(t)) if int_operand(n).is_some() => {
            let k = repeat_count(n)?;
            room(((t.len() * std::mem::size_of::<Value>()) as u64).saturating_mul(2 * k as u64))?;
            let mut out = Vec::with_capacity(t.len() * k);
            for _ in 0..k {
                out.extend(t.iter().cloned());
            }
            Ok(Value::Tuple(out.into()))
        }
        (BinOp::Mul, Value::Str(_) | Value::Tuple(_), n) | (BinOp::Mul, n, Value::Str(_) | Value::Tuple(_))
            if matches!(n, Value::Float(_) | Value::Str(_) | Value::Tuple(_) | Value::None) =>
        {
            Err(exc(ExcKind::TypeError, format!("can't multiply sequence by non-int of type '{}'", n.type_name())))
        }
        // A str or tuple on the left concatenates (`sq_concat`) after both numeric slots fail.
        (BinOp::Add, Value::Str(_) | Value::Tuple(_), _) => Err(concat_error(a.type_name(), b.type_name())),
        _ => Err(exc(
            ExcKind::TypeError,
            format!("unsupported operand type(s) for {}: '{}' and '{}'", op.symbol(), a.type_name(), b.type_name()),
        )),
    }
}

/// CPython's error for `seq + other` where `seq`'s concatenation does not take `other`.
fn concat_error(seq: &str, other: &str) -> Exception {
    exc(ExcKind::TypeError, format!("can only concatenate {seq} (not \"{other}\") to {seq}"))
}

/// Converts a float error into the exception CPython raises.
pub(crate) fn float_error(e: FloatError) -> Exception {
    match e {
        FloatError::ZeroDivision(m) => exc(ExcKind::ZeroDivisionError, m),
        FloatError::Overflow(m) => exc(ExcKind::OverflowError, m),
        FloatError::Value(m) => exc(ExcKind::ValueError, m),
        FloatError::NotModelled(m) => exc(ExcKind::Unsupported, m),
    }
}

/// The value as a float operand: a float, or an int or bool converted (`OverflowError` when
/// the int is too large); `None` for other types.
pub(crate) fn float_operand(v: &Value) -> Option<Result<f64, Exception>> {
    match v {
        Value::Float(f) => Some(Ok(f.0)),
        Value::Int(i) => Some(Ok(*i as f64)),
        Value::Bool(b) => Some(Ok(f64::from(u8::from(*b)))),
        Value::Big(b) => Some(pyfloat::from_int(b).map_err(float_error)),
        _ => None,
    }
}

/// `a op b` when the result is a float: a float operand with a number, `int / int`, and an int
/// to a negative int power. `None` when the operation is not one of those.
fn float_binary(op: BinOp, a: &Value, b: &Value) -> Option<OpResult> {
    let any_float = matches!(a, Value::Float(_)) || matches!(b, Value::Float(_));
    if !any_float {
        let (x, y) = (int_operand(a)?, int_operand(b)?);
        match op {
            BinOp::TrueDiv => return Some(pyfloat::int_true_div(&x, &y).map(Value::float).map_err(float_error)),
            BinOp::Pow if y.sign() == num_bigint::Sign::Minus => {}
            _ => return None,
        }
    }
    let fop = match op {
        BinOp::Add => FloatOp::Add,
        BinOp::Sub => FloatOp::Sub,
        BinOp::Mul => FloatOp::Mul,
        BinOp::TrueDiv => FloatOp::TrueDiv,
        BinOp::FloorDiv => FloatOp::FloorDiv,
        BinOp::Mod => FloatOp::Mod,
        BinOp::Pow => FloatOp::Pow,
        // Bit operators on a float: the TypeError below.
        _ => return None,
    };
    let x = match float_operand(a)? {
        Ok(x) => x,
        Err(e) => return Some(Err(e)),
    };
    let y = match float_operand(b)? {
        Ok(y) => y,
        Err(e) => return Some(Err(e)),
    };
    Some(pyfloat::binary(fop, x, y).map(Value::float).map_err(float_error))
}

/// Whether a value of `bytes` more fits under the memory ceiling of the run (the budget
/// active on this thread); the checker's `MemoryError` otherwise, which stops the run.
pub(crate) fn room(bytes: u64) -> Result<(), Exception> {
    if crate::budget::fits(bytes) {
        Ok(())
    } else {
        Err(exc(
            ExcKind::MemoryLimit,
            format!("a value of {} MiB would pass the checker's --max-memory ceiling", bytes >> 20),
        ))
    }
}

fn bits(v: &Value) -> u64 {
    match v {
        Value::Big(b) => b.bits(),
        _ => 64,
    }
}

fn repeat_count(n: &Value) -> Result<usize, Exception> {
    let k = int_operand(n).and_then(|k| k.to_i64()).unwrap_or(i64::MAX);
    if k > 1 << 20 {
        return Err(exc(
            ExcKind::CheckerLimit,
            format!("a repetition count of {} is beyond the checker's limit of {}", int_summary(n), 1 << 20),
        ));
    }
    Ok(k.max(0) as usize)
}

/// An int for a message: its digits, or how many digits it has when it is long.
pub(crate) fn int_summary(v: &Value) -> String {
    if let Value::Big(b) = v {
        if super::value::int_too_long_for_str(b) {
            let sign = if b.sign() == num_bigint::Sign::Minus { "minus " } else { "" };
            return format!("{sign}an int of {} bits", b.bits());
        }
    }
    let s = v.to_str();
    let digits = s.trim_start_matches('-').len();
    if digits > 30 {
        format!("{}an int of {digits} digits", if s.starts_with('-') { "minus " } else { "" })
    } else {
        s
    }
}

fn int_operand(v: &Value) -> Option<BigInt> {
    v.as_bigint()
}

/// Unary `-`, `+`, `~` on ints and bools.
pub fn unary_op(symbol: char, v: &Value) -> OpResult {
    if let (Value::Float(f), '-' | '+') = (v, symbol) {
        return Ok(Value::float(if symbol == '-' { -f.0 } else { f.0 }));
    }
    match int_operand(v) {
        Some(x) => Ok(Value::big(match symbol {
            '-' => -x,
            '~' => -x - 1,
            _ => x,
        })),
        None => Err(exc(ExcKind::TypeError, format!("bad operand type for unary {symbol}: '{}'", v.type_name()))),
    }
}

/// Python equality for the subset's values.
pub fn py_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Tuple(x), Value::Tuple(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| py_eq(p, q)),
        (Value::Float(_), _) | (_, Value::Float(_)) => float_order(a, b) == Some(Some(Ordering::Equal)),
        _ => match (int_operand(a), int_operand(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
}

/// The order of two numbers at least one of which is a float, as CPython compares them
/// (an int exactly, not through a rounded float): `None` when either is not a number,
/// `Some(None)` when a NaN makes them unordered.
fn float_order(a: &Value, b: &Value) -> Option<Option<Ordering>> {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => Some(x.0.partial_cmp(&y.0)),
        (Value::Float(x), other) => Some(pyfloat::cmp_int_float(&int_operand(other)?, x.0).map(Ordering::reverse)),
        (other, Value::Float(y)) => Some(pyfloat::cmp_int_float(&int_operand(other)?, y.0)),
        _ => None,
    }
}

fn py_order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Tuple(x), Value::Tuple(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                if !py_eq(p, q) {
                    return py_order(p, q);
                }
            }
            Some(x.len().cmp(&y.len()))
        }
        _ => match (int_operand(a), int_operand(b)) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => None,
        },
    }
}

/// `a op b` for the comparison operators.
pub fn compare(op: CmpOp, a: &Value, b: &Value) -> OpResult {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(Value::Bool(match op {
            CmpOp::Lt => x < y,
            CmpOp::Le => x <= y,
            CmpOp::Eq => x == y,
            CmpOp::Ne => x != y,
            CmpOp::Gt => x > y,
            CmpOp::Ge => x >= y,
        }));
    }
    if let Some(ord) = float_order(a, b) {
        // NaN is unordered: every comparison but != is False.
        return Ok(Value::Bool(match (op, ord) {
            (CmpOp::Ne, None) => true,
            (_, None) => false,
            (CmpOp::Lt, Some(o)) => o == Ordering::Less,
            (CmpOp::Le, Some(o)) => o != Ordering::Greater,
            (CmpOp::Eq, Some(o)) => o == Ordering::Equal,
            (CmpOp::Ne, Some(o)) => o != Ordering::Equal,
            (CmpOp::Gt, Some(o)) => o == Ordering::Greater,
            (CmpOp::Ge, Some(o)) => o != Ordering::Less,
        }));
    }
    match op {
        CmpOp::Eq => return Ok(Value::Bool(py_eq(a, b))),
        CmpOp::Ne => return Ok(Value::Bool(!py_eq(a, b))),
        _ => {}
    }
    let Some(ord) = py_order(a, b) else {
        // Two tuples compare by their first items that differ: the error names those.
        let (mut x, mut y) = (a, b);
        while let (Value::Tuple(p), Value::Tuple(q)) = (x, y) {
            match p.iter().zip(q.iter()).find(|(u, v)| !py_eq(u, v)) {
                Some((u, v)) => (x, y) = (u, v),
                None => break,
            }
        }
        return Err(exc(
            ExcKind::TypeError,
            format!("'{}' not supported between instances of '{}' and '{}'", op.symbol(), x.type_name(), y.type_name()),
        ));
    };
    Ok(Value::Bool(match op {
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
        CmpOp::Eq | CmpOp::Ne => unreachable!("[internal bug] equality handled above"),
    }))
}

/// The error of `a op b` with a heap object that no operator of the VM takes: CPython's
/// `TypeError`, or a stop of the checker for what exists in CPython but is not modelled.
pub(super) fn heap_operand_error(heap: &super::heap::Heap, op: BinOp, a: &Value, b: &Value) -> Exception {
    let is_list = |v: &Value| matches!(v, Value::Obj(id) if matches!(heap.peek(*id), super::heap::HeapObj::List(_)));
    let is_int = |v: &Value| matches!(v, Value::Int(_) | Value::Big(_) | Value::Bool(_));
    if op == BinOp::Mul && ((is_list(a) && is_int(b)) || (is_int(a) && is_list(b))) {
        return super::step::unsupported("list repetition (list * int)");
    }
    if [a, b].iter().any(|v| matches!(v, Value::Obj(id) if matches!(heap.peek(*id), super::heap::HeapObj::Deque(_)))) {
        return super::step::unsupported("an arithmetic operator on a deque");
    }
    let dict = |v: &Value| matches!(v, Value::Obj(id) if matches!(heap.peek(*id), super::heap::HeapObj::Dict(_)));
    if dict(a) || dict(b) {
        // `Counter` arithmetic (`+ - | &`), and `dict | dict` (a merge, 3.9+).
        let counter = |v: &Value| matches!(v, Value::Obj(id) if heap.is_counter(*id));
        if counter(a) || counter(b) || (op == BinOp::Or && dict(a) && dict(b)) {
            return super::step::unsupported(format!(
                "{} of a '{}' and a '{}'",
                op.symbol(),
                heap.type_name(a),
                heap.type_name(b)
            ));
        }
    }
    // A str, tuple or list on the left concatenates, and a str or tuple repeats, after both
    // numeric slots fail (`PyNumber_Add`, `PyNumber_Multiply`).
    if op == BinOp::Add && (is_list(a) || matches!(a, Value::Str(_) | Value::Tuple(_))) {
        return concat_error(&heap.type_name(a), &heap.type_name(b));
    }
    if op == BinOp::Mul {
        let seq = |v: &Value| matches!(v, Value::Str(_) | Value::Tuple(_)) || is_list(v);
        if seq(a) {
            return exc(
                ExcKind::TypeError,
                format!("can't multiply sequence by non-int of type '{}'", heap.type_name(b)),
            );
        }
        if seq(b) {
            return exc(
                ExcKind::TypeError,
                format!("can't multiply sequence by non-int of type '{}'", heap.type_name(a)),
            );
        }
    }
    exc(
        ExcKind::TypeError,
        format!("unsupported operand type(s) for {}: '{}' and '{}'", op.symbol(), heap.type_name(a), heap.type_name(b)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_arithmetic_overflows_into_bigint_and_back() {
        let big = binary_op(BinOp::Add, &Value::Int(i64::MAX), &Value::Int(1)).unwrap();
        assert!(matches!(big, Value::Big(_)));
        let back = binary_op(BinOp::Sub, &big, &Value::Int(1)).unwrap();
        assert_eq!(back, Value::Int(i64::MAX));
    }

    #[test]
    fn floor_division_and_modulo_round_like_python() {
        assert_eq!(binary_op(BinOp::FloorDiv, &Value::Int(-7), &Value::Int(2)).unwrap(), Value::Int(-4));
        assert_eq!(binary_op(BinOp::Mod, &Value::Int(-7), &Value::Int(2)).unwrap(), Value::Int(1));
        let e = binary_op(BinOp::FloorDiv, &Value::Int(1), &Value::Int(0)).unwrap_err();
        assert_eq!(e.kind, ExcKind::ZeroDivisionError);
    }

    #[test]
    fn thousands_separator_format() {
        let v = crate::vm::format::format_value(&Value::Int(-2_000_000), Some(",")).unwrap();
        assert_eq!(v, Value::Str("-2,000,000".into()));
    }

    #[test]
    fn mixed_int_and_float_arithmetic_and_comparison() {
        let f = |op, a: &Value, b: &Value| binary_op(op, a, b).map(|v| v.repr()).map_err(|e| e.message);
        assert_eq!(f(BinOp::TrueDiv, &Value::Int(7), &Value::Int(2)), Ok("3.5".into()));
        assert_eq!(f(BinOp::Pow, &Value::Int(2), &Value::Int(-1)), Ok("0.5".into()));
        assert_eq!(f(BinOp::Add, &Value::Bool(true), &Value::float(0.5)), Ok("1.5".into()));
        assert_eq!(f(BinOp::TrueDiv, &Value::Int(1), &Value::Int(0)), Err("division by zero".into()));
        assert_eq!(f(BinOp::Mod, &Value::float(5.0), &Value::Int(-3)), Ok("-1.0".into()));
        let big = Value::big(BigInt::from(2).pow(1100));
        assert_eq!(f(BinOp::Mul, &big, &Value::float(1.0)), Err("int too large to convert to float".into()));
        assert!(py_eq(&Value::Int(1), &Value::float(1.0)));
        let nan = Value::float(f64::NAN);
        assert_eq!(compare(CmpOp::Eq, &nan, &nan), Ok(Value::Bool(false)));
        assert_eq!(compare(CmpOp::Ne, &nan, &nan), Ok(Value::Bool(true)));
        let above = Value::big(BigInt::from(2).pow(53) + 1);
        assert_eq!(compare(CmpOp::Gt, &above, &Value::float(2f64.powi(53))), Ok(Value::Bool(true)));
    }

    fn int(op: BinOp, a: i64, b: i64) -> Result<String, ExcKind> {
        binary_op(op, &Value::Int(a), &Value::Int(b)).map(|v| v.repr()).map_err(|e| e.kind)
    }

    /// Each expected value is what `python3.11 -c 'print(repr(a OP b))'` prints.
    #[test]
    fn bitwise_shift_and_power_match_cpython() {
        assert_eq!(int(BinOp::And, -6, 5), Ok("0".into()));
        assert_eq!(int(BinOp::Or, -6, 5), Ok("-1".into()));
        assert_eq!(int(BinOp::Xor, 7, -2), Ok("-7".into()));
        assert_eq!(int(BinOp::Rshift, -5, 1), Ok("-3".into()));
        assert_eq!(int(BinOp::Rshift, -5, 1000), Ok("-1".into()));
        assert_eq!(int(BinOp::Rshift, 5, 1000), Ok("0".into()));
        assert_eq!(int(BinOp::Lshift, 1, 63), Ok("9223372036854775808".into()));
        assert_eq!(int(BinOp::Lshift, -3, 62), Ok("-13835058055282163712".into()));
        assert_eq!(int(BinOp::Lshift, 0, 1 << 40), Ok("0".into()));
        assert_eq!(int(BinOp::Lshift, 1, -1), Err(ExcKind::ValueError));
        assert_eq!(int(BinOp::Rshift, 1, -1), Err(ExcKind::ValueError));
        assert_eq!(int(BinOp::Pow, 3, 40), Ok("12157665459056928801".into()));
        assert_eq!(int(BinOp::Pow, -1, 1 << 40), Ok("1".into()));
        assert_eq!(int(BinOp::Pow, -1, (1 << 40) + 1), Ok("-1".into()));
        assert_eq!(int(BinOp::Pow, 0, 0), Ok("1".into()));
        // An int to a negative power is a float.
        assert_eq!(int(BinOp::Pow, 2, -1), Ok("0.5".into()));
        assert_eq!(int(BinOp::Pow, 0, -1), Err(ExcKind::ZeroDivisionError));
        let t = binary_op(BinOp::Xor, &Value::Bool(true), &Value::Bool(true)).unwrap();
        assert_eq!(t, Value::Bool(false));
        let one = binary_op(BinOp::And, &Value::Bool(true), &Value::Int(1)).unwrap();
        assert_eq!(one, Value::Int(1));
    }
}
