//! Python's `float`: IEEE-754 doubles with CPython's `repr`, arithmetic, conversions and
//! errors. Shared by constant folding (`compile`) and the interpreter (`vm`), so that a folded
//! constant and a computed value always agree.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};
use std::hash::{Hash, Hasher};

/// A float value, compared and hashed by its bits: two floats are the same constant (and the
/// same program state) only when they are bit for bit equal, as `co_consts` keeps `0.0` and
/// `-0.0` apart. Python's `==` (where `nan != nan` and `0.0 == -0.0`) is the VM's business.
#[derive(Clone, Copy, Debug, serde::Serialize, serde::Deserialize)]
pub struct Float(pub f64);

impl PartialEq for Float {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for Float {}

impl Hash for Float {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

/// Why a float operation raises: the exception CPython raises and its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FloatError {
    /// `ZeroDivisionError` with this message.
    ZeroDivision(&'static str),
    /// `OverflowError` with this message.
    Overflow(&'static str),
    /// `ValueError` with this message.
    Value(&'static str),
    /// The result is a `complex` (a negative number to a fractional power), or a value the
    /// checker does not compute exactly: not modelled.
    NotModelled(&'static str),
}

/// The float operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    TrueDiv,
    /// `//`
    FloorDiv,
    /// `%`
    Mod,
    /// `**`
    Pow,
}

/// `repr(x)` (and `str(x)`) as CPython writes it: the shortest digits that read back as `x`,
/// in fixed notation when the decimal exponent is in -4..16 (with `.0` when integral),
/// scientific otherwise (`1e+16`, `1.5e-07`).
pub fn repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `d.ddde-x`.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let n = digits.len() as i32;
        let body = if exp < 0 {
            format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
        } else if exp + 1 >= n {
            format!("{}{}.0", digits, "0".repeat((exp + 1 - n) as usize))
        } else {
            let (int, frac) = digits.split_at((exp + 1) as usize);
            format!("{int}.{frac}")
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{frac}e{esign}{:02}", exp.abs())
    }
}

/// `float(i)` for an int: correctly rounded, `OverflowError` when it is too large.
pub fn from_int(i: &BigInt) -> Result<f64, FloatError> {
    if let Some(small) = i.to_i64() {
        return Ok(small as f64);
    }
    match i.to_f64() {
        Some(f) if f.is_finite() => Ok(f),
        _ => Err(FloatError::Overflow("int too large to convert to float")),
    }
}

/// `a / b` for two ints, correctly rounded as CPython's `long_true_divide`.
pub fn int_true_div(a: &BigInt, b: &BigInt) -> Result<f64, FloatError> {
    if b.is_zero() {
        return Err(FloatError::ZeroDivision("division by zero"));
    }
    const EXACT: i64 = 1 << 53;
    if let (Some(x), Some(y)) = (a.to_i64(), b.to_i64()) {
        if x.abs() <= EXACT && y.abs() <= EXACT {
            return Ok(x as f64 / y as f64);
        }
    }
    if a.is_zero() {
        return Ok(if a.is_negative() != b.is_negative() { -0.0 } else { 0.0 });
    }
    let negative = a.is_negative() != b.is_negative();
    let (x, y) = (a.abs(), b.abs());
    // Scale so that the quotient has 55..=56 bits, fold the remainder into a sticky bit, and let
    // the u64 → f64 conversion round (to nearest, ties to even) with that sticky bit.
    let shift = 55 - (x.bits() as i64 - y.bits() as i64);
    let (num, den) = if shift >= 0 { (x << shift as u64, y) } else { (x, y << (-shift) as u64) };
    let (q, r) = num.div_rem(&den);
    let mut q = q.to_u64().unwrap_or(u64::MAX);
    if !r.is_zero() {
        q |= 1;
    }
    let exp = -shift;
    let scaled = (q as f64) * 2f64.powi(exp.clamp(-1100, 1100) as i32);
    if !scaled.is_finite() || exp > 1100 {
        return Err(FloatError::Overflow("integer division result too large for a float"));
    }
    if scaled.abs() < f64::MIN_POSITIVE {
        // A result below the normal range would be rounded twice here.
        return Err(FloatError::NotModelled("an int division whose result is below 2.2e-308"));
    }
    Ok(if negative { -scaled } else { scaled })
}

/// `a op b` on two floats, with CPython's results and exceptions.
pub fn binary(op: FloatOp, a: f64, b: f64) -> Result<f64, FloatError> {
    Ok(match op {
        FloatOp::Add => a + b,
        FloatOp::Sub => a - b,
        FloatOp::Mul => a * b,
        FloatOp::TrueDiv => {
            if b == 0.0 {
                return Err(FloatError::ZeroDivision("float division by zero"));
            }
            a / b
        }
        FloatOp::FloorDiv => {
            if b == 0.0 {
                return Err(FloatError::ZeroDivision("float floor division by zero"));
            }
            divmod(a, b).0
        }
        FloatOp::Mod => {
            if b == 0.0 {
                return Err(FloatError::ZeroDivision("float modulo"));
            }
            divmod(a, b).1
        }
        FloatOp::Pow => return pow(a, b),
    })
}

/// CPython's `float_divmod` (`b != 0`): the floor quotient and the remainder with `b`'s sign.
fn divmod(a: f64, b: f64) -> (f64, f64) {
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(b);
    }
    let floordiv = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    } else {
        0.0f64.copysign(a / b)
    };
    (floordiv, m)
}

/// CPython's `float_pow`.
fn pow(a: f64, b: f64) -> Result<f64, FloatError> {
    if b == 0.0 {
        return Ok(1.0);
    }
    if a.is_nan() {
        return Ok(if b == 0.0 { 1.0 } else { a });
    }
    if b.is_nan() {
        return Ok(if a == 1.0 { 1.0 } else { b });
    }
    if a == 0.0 && b < 0.0 && b.is_finite() {
        return Err(FloatError::ZeroDivision("0.0 cannot be raised to a negative power"));
    }
    if a < 0.0 && b.is_finite() && b.floor() != b {
        return Err(FloatError::NotModelled("a negative number to a fractional power makes a complex number"));
    }
    let r = a.powf(b);
    if r.is_infinite() && a.is_finite() && b.is_finite() {
        return Err(FloatError::Overflow("(34, 'Numerical result out of range')"));
    }
    Ok(r)
}

/// `int(x)`: truncation toward zero, with CPython's errors for infinities and NaN.
pub fn to_int(x: f64) -> Result<BigInt, FloatError> {
    if x.is_nan() {
        return Err(FloatError::Value("cannot convert float NaN to integer"));
    }
    if x.is_infinite() {
        return Err(FloatError::Overflow("cannot convert float infinity to integer"));
    }
    Ok(num_traits::FromPrimitive::from_f64(x.trunc()).unwrap_or_default())
}

/// `round(x)`: the nearest int, ties to even.
pub fn round_to_int(x: f64) -> Result<BigInt, FloatError> {
    to_int(x.round_ties_even())
}

/// `round(x, n)`: `x` rounded to `n` decimal places as CPython does it, from the exact decimal
/// value of the double (so `round(2.675, 2)` is `2.67`).
pub fn round_digits(x: f64, n: i64) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    if n > 323 {
        return x;
    }
    if n >= 0 {
        let text = format!("{:.*}", n as usize, x);
        return text.parse().unwrap_or(x);
    }
    if n < -308 {
        return 0.0f64.copysign(x);
    }
    // Round to a multiple of 10^-n, ties to even, on the exact value.
    let pow = 10f64.powi((-n) as i32);
    let y = x / pow;
    let mut z = y.round();
    if (y - z).abs() == 0.5 {
        z = 2.0 * (y / 2.0).round();
    }
    let r = z * pow;
    if r.is_infinite() {
        x
    } else {
        r
    }
}

/// Python's comparison of an int with a float, exact as CPython's `float_richcompare` (an
/// int too large for a double still compares by its value). `None` when `f` is NaN.
pub fn cmp_int_float(i: &BigInt, f: f64) -> Option<std::cmp::Ordering> {
    use std::cmp::Ordering;
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 { Ordering::Less } else { Ordering::Greater });
    }
    let floor = f.floor();
    let whole: BigInt = num_traits::FromPrimitive::from_f64(floor).unwrap_or_default();
    Some(match i.cmp(&whole) {
        Ordering::Equal if f > floor => Ordering::Less,
        other => other,
    })
}

/// Parses `float(s)` text as CPython accepts it (surrounding whitespace, `_` between digits,
/// `inf`, `nan`, `infinity` in any case).
pub fn parse(text: &str) -> Option<f64> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if matches!(body, "inf" | "infinity" | "nan") {
        let v = if body == "nan" { f64::NAN } else { f64::INFINITY };
        return Some(if lower.starts_with('-') { -v } else { v });
    }
    if t.contains("__") || t.starts_with('_') || t.ends_with('_') || t.contains("_.") || t.contains("._") {
        return None;
    }
    let cleaned: String = t.chars().filter(|c| *c != '_').collect();
    if !cleaned.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')) {
        return None;
    }
    cleaned.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_matches_cpython() {
        for (x, want) in [
            (0.1, "0.1"),
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.00001, "1e-05"),
            (0.0001, "0.0001"),
            (1.5e-7, "1.5e-07"),
            (123.456, "123.456"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e300 * 10.0, "1e+301"),
            (f64::INFINITY, "inf"),
            (2.5e-310, "2.5e-310"),
        ] {
            assert_eq!(repr(x), want);
        }
    }

    #[test]
    fn floor_division_and_modulo_follow_the_divisor() {
        assert_eq!(binary(FloatOp::Mod, 5.0, -3.0), Ok(-1.0));
        assert_eq!(binary(FloatOp::FloorDiv, -5.0, 3.0), Ok(-2.0));
        assert_eq!(binary(FloatOp::Mod, 1.0, 0.0), Err(FloatError::ZeroDivision("float modulo")));
    }

    #[test]
    fn int_division_is_correctly_rounded() {
        let big = BigInt::from(10).pow(30);
        assert_eq!(int_true_div(&big, &BigInt::from(3)), Ok(3.333333333333333e29));
        assert_eq!(int_true_div(&BigInt::from(1), &BigInt::from(3)), Ok(1.0 / 3.0));
        assert_eq!(int_true_div(&(BigInt::from(1) << 60u32), &BigInt::from(1)), Ok(2f64.powi(60)));
    }

    #[test]
    fn rounding_uses_the_exact_value() {
        assert_eq!(round_digits(2.675, 2), 2.67);
        assert_eq!(round_digits(1234.5, -1), 1230.0);
        assert_eq!(round_to_int(2.5).unwrap(), BigInt::from(2));
        assert_eq!(cmp_int_float(&BigInt::from(3), 3.5), Some(std::cmp::Ordering::Less));
        assert_eq!(cmp_int_float(&((BigInt::from(1) << 53u32) + 1), 2f64.powi(53)), Some(std::cmp::Ordering::Greater));
    }
}
