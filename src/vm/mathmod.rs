//! The `math` module's functions whose results do not depend on the platform's libm:
//! `sqrt` (correctly rounded by IEEE 754), `floor`, `ceil`, `trunc`, `fabs`, `factorial`,
//! `gcd`, `isqrt`, and the constants `pi`, `e`, `tau`, `inf` and `nan`, with CPython's errors.

use super::step::err;
use super::value::{ExcKind, Exception, Value};
use crate::pyfloat::Float;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

/// A function of `math`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum MathFn {
    /// `math.sqrt`
    Sqrt,
    /// `math.floor`
    Floor,
    /// `math.ceil`
    Ceil,
    /// `math.trunc`
    Trunc,
    /// `math.fabs`
    Fabs,
    /// `math.factorial`
    Factorial,
    /// `math.gcd`
    Gcd,
    /// `math.isqrt`
    Isqrt,
}

impl MathFn {
    /// The function (`None`) or constant (`Some`) that `math.name` is, if modelled.
    pub fn lookup(name: &str) -> Option<Result<MathFn, Value>> {
        let f = |x: f64| Some(Err(Value::Float(Float(x))));
        Some(Ok(match name {
            "sqrt" => MathFn::Sqrt,
            "floor" => MathFn::Floor,
            "ceil" => MathFn::Ceil,
            "trunc" => MathFn::Trunc,
            "fabs" => MathFn::Fabs,
            "factorial" => MathFn::Factorial,
            "gcd" => MathFn::Gcd,
            "isqrt" => MathFn::Isqrt,
            "pi" => return f(std::f64::consts::PI),
            "e" => return f(std::f64::consts::E),
            "tau" => return f(std::f64::consts::TAU),
            "inf" => return f(f64::INFINITY),
            "nan" => return f(f64::NAN),
            _ => return None,
        }))
    }

    /// Whether it takes integers only (`factorial`, `gcd`, `isqrt`), not any real number.
    pub fn takes_ints(self) -> bool {
        matches!(self, MathFn::Factorial | MathFn::Gcd | MathFn::Isqrt)
    }

    /// The qualified name, e.g. `math.sqrt`.
    pub fn qualname(self) -> &'static str {
        match self {
            MathFn::Sqrt => "math.sqrt",
            MathFn::Floor => "math.floor",
            MathFn::Ceil => "math.ceil",
            MathFn::Trunc => "math.trunc",
            MathFn::Fabs => "math.fabs",
            MathFn::Factorial => "math.factorial",
            MathFn::Gcd => "math.gcd",
            MathFn::Isqrt => "math.isqrt",
        }
    }
}

fn short(f: MathFn) -> &'static str {
    f.qualname().trim_start_matches("math.")
}

/// `x` as a C double, as `PyFloat_AsDouble` converts it (a heap object is the caller's to
/// refuse: its error names its type).
pub(super) fn as_double(x: &Value) -> Result<f64, Exception> {
    match x {
        Value::Float(f) => Ok(f.0),
        Value::Int(i) => Ok(*i as f64),
        Value::Bool(b) => Ok(f64::from(u8::from(*b))),
        Value::Big(b) => match b.to_f64().filter(|f| f.is_finite()) {
            Some(f) => Ok(f),
            None => Err(err(ExcKind::OverflowError, "int too large to convert to float")),
        },
        other => Err(err(ExcKind::TypeError, format!("must be real number, not {}", other.type_name()))),
    }
}

/// `x` as an int, for the functions that take only integers.
fn as_int(x: &Value) -> Result<BigInt, Exception> {
    match x {
        Value::Int(i) => Ok(BigInt::from(*i)),
        Value::Bool(b) => Ok(BigInt::from(u8::from(*b))),
        Value::Big(b) => Ok(BigInt::clone(b)),
        other => {
            Err(err(ExcKind::TypeError, format!("'{}' object cannot be interpreted as an integer", other.type_name())))
        }
    }
}

/// A float rounded to an int (`floor`, `ceil`, `trunc` of a float), with CPython's errors.
fn float_to_int(f: f64) -> Result<Value, Exception> {
    if f.is_nan() {
        return Err(err(ExcKind::ValueError, "cannot convert float NaN to integer"));
    }
    if f.is_infinite() {
        return Err(err(ExcKind::OverflowError, "cannot convert float infinity to integer"));
    }
    Ok(Value::big(num_traits::FromPrimitive::from_f64(f).unwrap_or_else(BigInt::zero)))
}

/// Calls `f` on `args`.
pub fn call(heap: &super::heap::Heap, f: MathFn, args: &[Value]) -> Result<Value, Exception> {
    let name = short(f);
    // A heap object is no number: CPython's error names its type (once the count is right).
    let counted = args.len() == 1 || f == MathFn::Gcd;
    if let Some(v) = args.iter().find(|v| counted && matches!(v, Value::Obj(_))) {
        let t = heap.type_name(v);
        let message = match f.takes_ints() {
            true => format!("'{t}' object cannot be interpreted as an integer"),
            false => format!("must be real number, not {t}"),
        };
        return Err(err(ExcKind::TypeError, message));
    }
    let one = || match args {
        [x] => Ok(x),
        _ => Err(err(ExcKind::TypeError, format!("math.{name}() takes exactly one argument ({} given)", args.len()))),
    };
    match f {
        MathFn::Sqrt => {
            let x = as_double(one()?)?;
            if x < 0.0 {
                return Err(err(ExcKind::ValueError, "math domain error"));
            }
            Ok(Value::Float(Float(x.sqrt())))
        }
        MathFn::Fabs => Ok(Value::Float(Float(as_double(one()?)?.abs()))),
        MathFn::Floor | MathFn::Ceil | MathFn::Trunc => match one()? {
            v @ (Value::Int(_) | Value::Big(_)) => Ok(v.clone()),
            Value::Bool(b) => Ok(Value::Int(i64::from(*b))),
            v => {
                let x = as_double(v)?;
                float_to_int(match f {
                    MathFn::Floor => x.floor(),
                    MathFn::Ceil => x.ceil(),
                    _ => x.trunc(),
                })
            }
        },
        MathFn::Factorial => {
            let n = match one()? {
                Value::Float(_) => {
                    return Err(err(ExcKind::TypeError, "'float' object cannot be interpreted as an integer"))
                }
                v => as_int(v)?,
            };
            if n.is_negative() {
                return Err(err(ExcKind::ValueError, "factorial() not defined for negative values"));
            }
            let n = n.to_u64().filter(|n| *n <= 20_000).ok_or_else(|| {
                err(ExcKind::CheckerLimit, "math.factorial() of more than 20,000 (the checker's limit)")
            })?;
            let mut acc = BigInt::from(1u8);
            for k in 2..=n {
                acc *= k;
            }
            Ok(Value::big(acc))
        }
        MathFn::Gcd => {
            let mut g = BigInt::zero();
            for a in args {
                g = g.gcd(&as_int(a)?);
            }
            Ok(Value::big(g))
        }
        MathFn::Isqrt => {
            let n = as_int(one()?)?;
            if n.is_negative() {
                return Err(err(ExcKind::ValueError, "isqrt() argument must be nonnegative"));
            }
            Ok(Value::big(n.sqrt()))
        }
    }
}
