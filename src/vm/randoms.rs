//! The `random` functions, modelled only where their value cannot be seen: as the length of a
//! `time.sleep(...)` (the frontend allows them nowhere else). How long a sleep lasts is not
//! modelled, so any value the function can return is as good as another; the call returns one
//! of them, and raises CPython's error where every draw would (an empty range or sequence).
//! A range that reaches below zero would make the sleep's `ValueError` depend on the draw, so it
//! is refused.

use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::step::{err, unsupported};
use super::value::{ExcKind, Exception, Value};

/// A function of the `random` module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RandomFn {
    /// `random.random()`: a float in [0, 1).
    Random,
    /// `random.uniform(a, b)`: a float between `a` and `b`.
    Uniform,
    /// `random.randint(a, b)`: an int in [a, b].
    Randint,
    /// `random.choice(seq)`: an item of `seq`.
    Choice,
}

impl RandomFn {
    /// The function named `name` in `random`, if modelled.
    pub fn lookup(name: &str) -> Option<RandomFn> {
        Some(match name {
            "random" => RandomFn::Random,
            "uniform" => RandomFn::Uniform,
            "randint" => RandomFn::Randint,
            "choice" => RandomFn::Choice,
            _ => return None,
        })
    }

    /// `random.<name>`.
    pub fn qualname(self) -> &'static str {
        match self {
            RandomFn::Random => "random.random",
            RandomFn::Uniform => "random.uniform",
            RandomFn::Randint => "random.randint",
            RandomFn::Choice => "random.choice",
        }
    }

    /// Whether CPython implements it in C (`random()`), not in `random.py`.
    pub fn is_c(self) -> bool {
        self == RandomFn::Random
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Float(f) => Some(f.0),
        _ => None,
    }
}

fn below_zero(name: &str) -> Exception {
    unsupported(format!("{name}() over a range below zero (the sleep's ValueError would depend on the draw)"))
}

/// Calls `f` with `args`: a value it can return.
pub(super) fn call(f: RandomFn, heap: &Heap, args: &[Value], fp: &mut Footprint) -> Result<Value, Exception> {
    let name = f.qualname();
    let arity = |n: usize| {
        err(
            ExcKind::TypeError,
            format!("{}() takes {n} positional arguments but {} were given", &name[7..], args.len() + 1),
        )
    };
    match f {
        RandomFn::Random => match args {
            [] => Ok(Value::Float(crate::pyfloat::Float(0.5))),
            _ => Err(err(ExcKind::TypeError, format!("Random.random() takes no arguments ({} given)", args.len()))),
        },
        RandomFn::Uniform => {
            let [a, b] = args else { return Err(arity(3)) };
            match (number(a), number(b)) {
                (Some(x), Some(y)) if x.min(y) >= 0.0 && x.is_finite() && y.is_finite() => Ok(a.clone()),
                (Some(_), Some(_)) => Err(below_zero(name)),
                _ => Err(unsupported(format!(
                    "{name}() of a '{}'",
                    heap.type_name(if number(a).is_none() { a } else { b })
                ))),
            }
        }
        RandomFn::Randint => {
            let [a, b] = args else { return Err(arity(3)) };
            let int = |v: &Value, k: usize| match v {
                Value::Int(i) => Ok(*i),
                Value::Bool(b) => Ok(i64::from(*b)),
                Value::Float(_) => Err(err(ExcKind::ValueError, format!("non-integer arg {k} for randrange()"))),
                other => Err(unsupported(format!("{name}() of a '{}'", heap.type_name(other)))),
            };
            let (x, y) = (int(a, 1)?, int(b, 2)?);
            if x > y {
                let stop = y.saturating_add(1);
                return Err(err(
                    ExcKind::ValueError,
                    format!("empty range for randrange() ({x}, {stop}, {})", stop.saturating_sub(x)),
                ));
            }
            if x < 0 {
                return Err(below_zero(name));
            }
            Ok(Value::Int(x))
        }
        RandomFn::Choice => {
            let [seq] = args else { return Err(arity(2)) };
            let items = match seq {
                Value::Tuple(_) => heap.items_of(seq, fp)?,
                Value::Obj(id) if matches!(heap.peek(*id), HeapObj::List(_)) => heap.items_of(seq, fp)?,
                other => return Err(unsupported(format!("{name}() of a '{}'", heap.type_name(other)))),
            };
            let Some(first) = items.first() else {
                return Err(err(ExcKind::IndexError, "Cannot choose from an empty sequence"));
            };
            if items.iter().all(|v| number(v).is_some_and(|x| x >= 0.0 && x.is_finite())) {
                Ok(first.clone())
            } else {
                Err(unsupported(format!("{name}() of items that are not all non-negative numbers")))
            }
        }
    }
}
