//! The numeric builtins on ints and floats: `abs`, `float`, `round`, `sum`, with `any` and
//! `all`, and the argument check of `time.sleep`, with CPython's results and errors. Each is
//! one C call in CPython: atomic under the GIL for the values the subset has.

use super::arith::{float_error, float_operand};
use super::footprint::Footprint;
use super::heap::Heap;
use super::value::{ExcKind, Exception, Value};
use crate::pyfloat;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

fn err(kind: ExcKind, message: impl Into<String>) -> Exception {
    Exception::new(kind, message)
}

/// `abs(x)` of an int, bool or float.
pub(super) fn abs(v: &Value, heap: &Heap) -> Result<Value, Exception> {
    if let Value::Float(f) = v {
        return Ok(Value::float(f.0.abs()));
    }
    match v.as_bigint() {
        Some(x) => Ok(Value::big(x.abs())),
        None => Err(err(ExcKind::TypeError, format!("bad operand type for abs(): '{}'", heap.type_name(v)))),
    }
}

/// `float()`, `float(x)` of a number or of a str such as `" 1.5 "`, `"1e3"` or `"inf"`.
pub(super) fn float(args: &[Value], heap: &Heap) -> Result<Value, Exception> {
    match args {
        [] => Ok(Value::float(0.0)),
        [Value::Str(s)] => match pyfloat::parse(s) {
            Some(f) => Ok(Value::float(f)),
            None => {
                Err(err(ExcKind::ValueError, format!("could not convert string to float: {}", heap.repr(&args[0]))))
            }
        },
        [v] => match float_operand(v) {
            Some(r) => r.map(Value::float),
            None => Err(err(
                ExcKind::TypeError,
                format!("float() argument must be a string or a real number, not '{}'", heap.type_name(v)),
            )),
        },
        more => Err(err(ExcKind::TypeError, format!("float expected at most 1 argument, got {}", more.len()))),
    }
}

/// `round(number[, ndigits])`: ints stay ints (rounded to a multiple of `10**-ndigits`, ties
/// to even), a float without `ndigits` becomes an int, with `ndigits` a float.
pub(super) fn round(args: &[Value], kwargs: &[(String, Value)], heap: &Heap) -> Result<Value, Exception> {
    let mut number = args.first();
    let mut ndigits = args.get(1);
    for (k, v) in kwargs {
        match k.as_str() {
            "number" if number.is_none() => number = Some(v),
            "ndigits" if ndigits.is_none() => ndigits = Some(v),
            "number" | "ndigits" => {
                return Err(err(ExcKind::TypeError, format!("argument for round() given by name ('{k}') and position")))
            }
            other => {
                return Err(err(ExcKind::TypeError, format!("round() got an unexpected keyword argument '{other}'")))
            }
        }
    }
    if args.len() > 2 {
        return Err(err(ExcKind::TypeError, format!("round() takes at most 2 arguments ({} given)", args.len())));
    }
    let Some(number) = number else {
        return Err(err(ExcKind::TypeError, "round() missing required argument 'number' (pos 1)"));
    };
    let ndigits = match ndigits {
        None | Some(Value::None) => None,
        Some(v) => match v.as_bigint() {
            Some(n) => Some(n),
            None => {
                return Err(err(
                    ExcKind::TypeError,
                    format!("'{}' object cannot be interpreted as an integer", heap.type_name(v)),
                ))
            }
        },
    };
    match (number, ndigits) {
        (Value::Float(f), None) => pyfloat::round_to_int(f.0).map(Value::big).map_err(float_error),
        (Value::Float(f), Some(n)) => {
            let n = n.to_i64().unwrap_or(if n.is_negative() { i64::MIN } else { i64::MAX });
            Ok(Value::float(pyfloat::round_digits(f.0, n)))
        }
        (v, n) if v.as_bigint().is_some() => {
            let x = v.as_bigint().unwrap_or_default();
            match n {
                Some(n) if n.is_negative() => Ok(Value::big(round_int(&x, &n))),
                // A bool rounds to an int.
                _ => Ok(Value::big(x)),
            }
        }
        (v, _) => Err(err(ExcKind::TypeError, format!("type {} doesn't define __round__ method", heap.type_name(v)))),
    }
}

/// `round(x, n)` of an int for `n < 0`: the nearest multiple of `10**-n`, ties to even.
fn round_int(x: &BigInt, n: &BigInt) -> BigInt {
    let Some(k) = (-n).to_u32().filter(|k| *k < 10_000) else { return BigInt::zero() };
    let m = num_traits::pow(BigInt::from(10), k as usize);
    let (q, r) = x.div_mod_floor(&m);
    let twice: BigInt = &r * 2u32;
    let up = match twice.cmp(&m) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Equal => q.is_odd(),
        std::cmp::Ordering::Less => false,
    };
    (if up { q + 1 } else { q }) * m
}

/// The argument check of `time.sleep(secs)`: a number that is not negative (the checker does
/// not model how long a sleep lasts, only that it lets other threads run).
pub(super) fn check_sleep(v: &Value, heap: &Heap) -> Result<(), Exception> {
    let secs = match v {
        Value::Float(f) => f.0,
        Value::Int(_) | Value::Bool(_) | Value::Big(_) => {
            let x = v.as_bigint().unwrap_or_default();
            if x.is_negative() {
                return Err(err(ExcKind::ValueError, "sleep length must be non-negative"));
            }
            if x.bits() > 62 {
                return Err(err(ExcKind::OverflowError, "timestamp too large to convert to C _PyTime_t"));
            }
            return Ok(());
        }
        other => {
            return Err(err(
                ExcKind::TypeError,
                format!("'{}' object cannot be interpreted as an integer", heap.type_name(other)),
            ))
        }
    };
    if secs.is_nan() {
        return Err(err(ExcKind::ValueError, "Invalid value NaN (not a number)"));
    }
    if secs < 0.0 {
        return Err(err(ExcKind::ValueError, "sleep length must be non-negative"));
    }
    if secs > 9.2e9 {
        return Err(err(ExcKind::OverflowError, "timestamp out of range for platform time_t"));
    }
    Ok(())
}

/// `sum(iterable, /, start=0)`: left to right with `+` (floats added one by one, as 3.11 does).
pub(super) fn sum(
    args: &[Value],
    kwargs: &[(String, Value)],
    heap: &Heap,
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    let mut total = sum_start(args, kwargs, heap)?;
    for item in heap.items_of(&args[0], fp)? {
        total = sum_add(heap, &total, &item)?;
    }
    Ok(total)
}

/// The checked arguments of `sum(iterable[, start])`: the start value (0 by default).
pub(super) fn sum_start(args: &[Value], kwargs: &[(String, Value)], heap: &Heap) -> Result<Value, Exception> {
    let start = start_argument("sum", args, kwargs)?;
    match args {
        [] => return Err(err(ExcKind::TypeError, "sum() takes at least 1 positional argument (0 given)")),
        [_] | [_, _] => {}
        more => return Err(err(ExcKind::TypeError, format!("sum() takes at most 2 arguments ({} given)", more.len()))),
    }
    let total = start.unwrap_or(Value::Int(0));
    match &total {
        Value::Str(_) => Err(err(ExcKind::TypeError, "sum() can't sum strings [use ''.join(seq) instead]")),
        Value::Obj(_) | Value::Tuple(_) => Err(unsupported_sum(heap, &total)),
        _ => Ok(total),
    }
}

/// One step of `sum`: `total + item`, with `sum`'s message for operands that do not add.
pub(super) fn sum_add(heap: &Heap, total: &Value, item: &Value) -> Result<Value, Exception> {
    if matches!(item, Value::Obj(_)) {
        return Err(unsupported_sum(heap, item));
    }
    super::arith::binary_op(crate::bytecode::BinOp::Add, total, item).map_err(|e| {
        if e.kind == ExcKind::TypeError {
            err(
                ExcKind::TypeError,
                format!(
                    "unsupported operand type(s) for +: '{}' and '{}'",
                    heap.type_name(total),
                    heap.type_name(item)
                ),
            )
        } else {
            e
        }
    })
}

fn unsupported_sum(heap: &Heap, v: &Value) -> Exception {
    err(ExcKind::Unsupported, format!("sum() over values of type '{}' (numbers are modelled)", heap.type_name(v)))
}

/// `any(iterable)` (`all(iterable)` when `all`): the truthiness of the items, stopping at the
/// first that decides.
pub(super) fn any_all(args: &[Value], all: bool, heap: &Heap, fp: &mut Footprint) -> Result<Value, Exception> {
    let name = if all { "all" } else { "any" };
    let [iterable] = args else {
        return Err(err(ExcKind::TypeError, format!("{name}() takes exactly one argument ({} given)", args.len())));
    };
    for item in heap.items_of(iterable, fp)? {
        if heap.truthy(&item, fp) != all {
            return Ok(Value::Bool(!all));
        }
    }
    Ok(Value::Bool(all))
}

/// The `start` argument of `sum(iterable, start)` and `enumerate(iterable, start)`: the second
/// positional argument or the `start=` keyword, with CPython's error for any other keyword.
pub(super) fn start_argument(
    name: &str,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> Result<Option<Value>, Exception> {
    let mut start = args.get(1).cloned();
    for (k, v) in kwargs {
        match k.as_str() {
            "start" if start.is_none() => start = Some(v.clone()),
            other => {
                return Err(err(ExcKind::TypeError, format!("{name}() got an unexpected keyword argument '{other}'")))
            }
        }
    }
    Ok(start)
}

/// `divmod(a, b)` of ints, bools and floats: `(a // b, a % b)`, with divmod's own messages
/// for a zero divisor.
pub(super) fn divmod(heap: &super::heap::Heap, a: &Value, b: &Value) -> Result<Value, Exception> {
    let number = |v: &Value| matches!(v, Value::Bool(_) | Value::Int(_) | Value::Big(_) | Value::Float(_));
    if !number(a) || !number(b) {
        return Err(err(
            ExcKind::TypeError,
            format!("unsupported operand type(s) for divmod(): '{}' and '{}'", heap.type_name(a), heap.type_name(b)),
        ));
    }
    let float = matches!(a, Value::Float(_)) || matches!(b, Value::Float(_));
    let zero = match b {
        Value::Float(f) => f.0 == 0.0,
        other => other.as_bigint().is_some_and(|x| x.is_zero()),
    };
    if zero {
        let message = if float { "float divmod()" } else { "integer division or modulo by zero" };
        return Err(err(ExcKind::ZeroDivisionError, message));
    }
    let q = super::arith::binary_op(crate::bytecode::BinOp::FloorDiv, a, b)?;
    let r = super::arith::binary_op(crate::bytecode::BinOp::Mod, a, b)?;
    Ok(Value::Tuple(vec![q, r].into()))
}

/// `chr`, `ord`, `hex`, `oct` and `bin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum IntText {
    /// `chr(i)`: the character of a code point.
    Chr,
    /// `ord(c)`: the code point of a character.
    Ord,
    /// `hex(i)`: `0x...`
    Hex,
    /// `oct(i)`: `0o...`
    Oct,
    /// `bin(i)`: `0b...`
    Bin,
}

impl IntText {
    /// The builtin's name.
    pub fn name(self) -> &'static str {
        match self {
            IntText::Chr => "chr",
            IntText::Ord => "ord",
            IntText::Hex => "hex",
            IntText::Oct => "oct",
            IntText::Bin => "bin",
        }
    }
}

/// `chr(v)`, `ord(v)`, `hex(v)`, `oct(v)` or `bin(v)`, with CPython's errors.
pub(super) fn int_text(t: IntText, v: &Value, heap: &Heap) -> Result<Value, Exception> {
    if t == IntText::Ord {
        return match v {
            Value::Str(s) if s.chars().count() == 1 => Ok(Value::Int(s.chars().next().map_or(0, |c| c as i64))),
            Value::Str(s) => Err(err(
                ExcKind::TypeError,
                format!("ord() expected a character, but string of length {} found", s.chars().count()),
            )),
            other => Err(err(
                ExcKind::TypeError,
                format!("ord() expected string of length 1, but {} found", heap.type_name(other)),
            )),
        };
    }
    let Some(n) = v.as_bigint() else {
        return Err(err(
            ExcKind::TypeError,
            format!("'{}' object cannot be interpreted as an integer", heap.type_name(v)),
        ));
    };
    let (prefix, radix) = match t {
        IntText::Hex => ("0x", 16),
        IntText::Oct => ("0o", 8),
        IntText::Bin => ("0b", 2),
        _ => {
            // A surrogate is a str CPython holds but cannot print; it is not modelled.
            return match n.to_u32().filter(|c| *c < 0x11_0000) {
                Some(c) => match char::from_u32(c) {
                    Some(ch) => Ok(Value::Str(ch.to_string().into())),
                    None => Err(super::step::unsupported("chr() of a surrogate code point")),
                },
                None => Err(err(ExcKind::ValueError, "chr() arg not in range(0x110000)")),
            };
        }
    };
    super::value::room(n.bits() / 2 + 8)?;
    let sign = if n.sign() == num_bigint::Sign::Minus { "-" } else { "" };
    Ok(Value::Str(format!("{sign}{prefix}{}", n.magnitude().to_str_radix(radix)).into()))
}

/// CPython's `PyLong_FromString` of ASCII text in `base` (0: from its prefix): spaces around,
/// a sign, a `0x`/`0o`/`0b` prefix where the base allows it (one `_` may follow), and digits
/// with single `_` between them; in base 0 a number other than zero may not start with `0`.
/// `None` where CPython raises `ValueError`.
pub(super) fn parse_int(s: &str, base: u32) -> Option<BigInt> {
    let space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c');
    let t = s.trim_matches(space);
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut base = base;
    let mut body = t;
    if t.starts_with('0') {
        let prefix = match (base, t.as_bytes().get(1).map(u8::to_ascii_lowercase)) {
            (0 | 16, Some(b'x')) => Some(16),
            (0 | 8, Some(b'o')) => Some(8),
            (0 | 2, Some(b'b')) => Some(2),
            _ => None,
        };
        if let Some(b) = prefix {
            base = b;
            body = &t[2..];
            body = body.strip_prefix('_').unwrap_or(body);
        } else if base == 0 {
            // Only zeros: `0`, `00`, `0_0`.
            let ok = t.chars().all(|c| c == '0' || c == '_') && !t.ends_with('_') && !t.contains("__");
            return ok.then(BigInt::zero);
        }
    } else if base == 0 {
        base = 10;
    }
    if body.is_empty() || body.starts_with('_') || body.ends_with('_') || body.contains("__") {
        return None;
    }
    let digits: String = body.chars().filter(|c| *c != '_').collect();
    if !digits.chars().all(|c| c.is_digit(base)) {
        return None;
    }
    let n = BigInt::parse_bytes(digits.as_bytes(), base)?;
    Some(if negative { -n } else { n })
}
