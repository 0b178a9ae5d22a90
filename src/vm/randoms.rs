//! The `random` functions. Unseeded `randint` and `choice` whose values the program looks at are
//! choices among every value, taken from the program's tape ([`draw`], explored tape by tape in
//! `explore::draws`). Other unseeded functions are modelled only as the length of a
//! `time.sleep(...)` (the front end allows them nowhere else): how long a sleep lasts is not
//! modelled, so any value the function can return is as good as another; the call returns one of
//! them, and raises CPython's error where every draw would (an empty range or sequence). A range
//! that reaches below zero would make the sleep's `ValueError` depend on the draw, so it is
//! refused. After `random.seed(n)`, every draw is python3.11's own ([`super::mt`]).

use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::step::{err, unsupported};
use super::value::{ExcKind, Exception, Value};

/// A function of the `random` module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum RandomFn {
    /// `random.random()`: a float in [0, 1).
    Random,
    /// `random.uniform(a, b)`: a float between `a` and `b`.
    Uniform,
    /// `random.randint(a, b)`: an int in [a, b].
    Randint,
    /// `random.choice(seq)`: an item of `seq`.
    Choice,
    /// `random.seed(n)`: seeds the generator (then every draw is python3.11's own).
    Seed,
    /// `random.shuffle(list)`: shuffles in place.
    Shuffle,
    /// `random.getrandbits(k)`: an int of `k` random bits.
    GetRandBits,
}

impl RandomFn {
    /// The function named `name` in `random`, if modelled.
    pub fn lookup(name: &str) -> Option<RandomFn> {
        Some(match name {
            "random" => RandomFn::Random,
            "uniform" => RandomFn::Uniform,
            "randint" => RandomFn::Randint,
            "choice" => RandomFn::Choice,
            "seed" => RandomFn::Seed,
            "shuffle" => RandomFn::Shuffle,
            "getrandbits" => RandomFn::GetRandBits,
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
            RandomFn::Seed => "random.seed",
            RandomFn::Shuffle => "random.shuffle",
            RandomFn::GetRandBits => "random.getrandbits",
        }
    }

    /// Whether CPython implements it in C (`random()`), not in `random.py`.
    pub fn is_c(self) -> bool {
        matches!(self, RandomFn::Random | RandomFn::GetRandBits)
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

/// CPython's error for `randint(a, b)` with `a > b` (from `randrange(a, b + 1)`).
fn empty_range(a: i64, b: i64) -> Exception {
    let stop = b.saturating_add(1);
    err(ExcKind::ValueError, format!("empty range for randrange() ({a}, {stop}, {})", stop.saturating_sub(a)))
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
                return Err(empty_range(x, y));
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
        RandomFn::Seed | RandomFn::Shuffle | RandomFn::GetRandBits => {
            Err(unsupported(format!("{name}() as a sleep's length without random.seed(n)")))
        }
    }
}

/// Calls `f` with `args`: python3.11's own draw in a program that seeds the generator
/// ([`seeded`]); in a program that looks at unseeded `randint`/`choice` values, the value its
/// tape gives ([`draw`]); otherwise a value it can return as a sleep's length ([`call`]).
pub(super) fn dispatch(
    program: &crate::bytecode::Program,
    f: RandomFn,
    state: &mut super::state::State,
    tid: super::value::Tid,
    args: &[Value],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    let seeds = program.codes.iter().any(|c| c.names.iter().any(|n| n == "seed"));
    if seeds || state.rng.is_some() {
        seeded(f, state, tid, args, fp)
    } else if program.draws.active && matches!(f, RandomFn::Randint | RandomFn::Choice) {
        draw(program, f, state, tid, args, fp)
    } else {
        call(f, &state.heap, args, fp)
    }
}

/// The most values an unseeded draw may take: each is explored on its own.
pub const MAX_DRAWN_VALUES: usize = 64;

/// An unseeded `randint(a, b)` or `choice(seq)` whose value the program looks at: a choice among
/// every value it can return, made by the program's tape ([`crate::bytecode::Tape`]). Thread
/// `tid`'s `k`-th draw takes the tape's value for `(tid, k)`, or the first value when the tape
/// leaves it out; the first such draw of a run is filed, so that the next tapes take each of
/// its other values.
///
/// CPython's `choice` reads the sequence's length, then draws in Python, then reads the item: a
/// list another thread could change in between is modelled only where no other thread is alive,
/// or where the list was built for the call (`choice([a, b])`: no other thread can reach it).
fn draw(
    program: &crate::bytecode::Program,
    f: RandomFn,
    state: &mut super::state::State,
    tid: super::value::Tid,
    args: &[Value],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    let name = f.qualname();
    let heap = &state.heap;
    let values: Vec<Value> = match (f, args) {
        (RandomFn::Randint, [a, b]) => {
            let int = |v: &Value| match v {
                Value::Int(i) => Ok(*i),
                Value::Bool(b) => Ok(i64::from(*b)),
                other => Err(unsupported(format!("{name}() of a '{}'", heap.type_name(other)))),
            };
            let (x, y) = (int(a)?, int(b)?);
            if x > y {
                return Err(empty_range(x, y));
            }
            if y.abs_diff(x) >= MAX_DRAWN_VALUES as u64 {
                return Err(too_many(name, u128::from(y.abs_diff(x)) + 1));
            }
            (x..=y).map(Value::Int).collect()
        }
        (RandomFn::Choice, [seq]) => {
            let items = match seq {
                Value::Tuple(_) | Value::Str(_) => heap.items_of(seq, fp)?,
                Value::Obj(id) if matches!(heap.peek(*id), HeapObj::List(_)) => {
                    let others = state.threads.iter().enumerate().any(|(t, th)| t != tid && th.is_alive());
                    if others && !built_for_the_call(program, state, tid) {
                        return Err(unsupported(format!(
                            "{name}() of a list while another thread is alive (CPython reads its length, draws, then \
                             reads the item, and another thread may change the list in between); pass a tuple or a \
                             list display, e.g. random.choice((a, b))"
                        )));
                    }
                    heap.items_of(seq, fp)?
                }
                other => return Err(unsupported(format!("{name}() of a '{}'", heap.type_name(other)))),
            };
            if items.is_empty() {
                return Err(err(ExcKind::IndexError, "Cannot choose from an empty sequence"));
            }
            if items.len() > MAX_DRAWN_VALUES {
                return Err(too_many(name, items.len() as u128));
            }
            items
        }
        (RandomFn::Randint, _) => {
            return Err(err(
                ExcKind::TypeError,
                format!("randint() takes 3 positional arguments but {} were given", args.len() + 1),
            ))
        }
        _ => {
            return Err(err(
                ExcKind::TypeError,
                format!("choice() takes 2 positional arguments but {} were given", args.len() + 1),
            ))
        }
    };
    let n = values.len() as u32;
    let mut count = state.threads[tid].draws;
    let i = pick(program, tid, &mut count, &mut state.drew_open, n)?;
    state.thread_mut(tid).draws = count;
    Ok(values[i as usize].clone())
}

/// Thread `tid`'s next draw (its `count`-th, which it advances) among `n` values: the index the
/// program's tape gives it, or the first value when the tape leaves it out, filed as its run's
/// first such draw where `drew_open` says none came before. Only a program whose checks explore
/// tapes may draw (the front end marks it): elsewhere the run stops as not modelled.
pub(super) fn pick(
    program: &crate::bytecode::Program,
    tid: super::value::Tid,
    count: &mut u32,
    drew_open: &mut bool,
    n: u32,
) -> Result<u32, Exception> {
    if !program.draws.active {
        return Err(unsupported("a choice of values the front end did not find in the program"));
    }
    let k = *count;
    *count += 1;
    Ok(match program.draws.tape.get(tid, k) {
        Some(i) => i % n,
        None => {
            if !*drew_open {
                program.draws.note_open(tid, k, n);
                *drew_open = true;
            }
            0
        }
    })
}

/// `_pick(n)`, which only a library prelude names: thread `tid`'s next draw among the indices
/// below `n` ([`pick`]); a single index is no choice, and takes no draw.
pub(super) fn library_pick(
    program: &crate::bytecode::Program,
    state: &mut super::state::State,
    tid: super::value::Tid,
    args: &[Value],
) -> Result<Value, Exception> {
    let n = match args {
        [Value::Int(n)] if *n > 0 => *n,
        _ => unreachable!("[internal bug] the prelude calls _pick with a positive count"),
    };
    if n == 1 {
        return Ok(Value::Int(0));
    }
    if n as usize > MAX_DRAWN_VALUES {
        return Err(unsupported(format!("a choice among {n} values (each is explored, up to {MAX_DRAWN_VALUES})")));
    }
    let mut count = state.threads[tid].draws;
    let i = pick(program, tid, &mut count, &mut state.drew_open, n as u32)?;
    state.thread_mut(tid).draws = count;
    Ok(Value::Int(i64::from(i)))
}

fn too_many(name: &str, n: u128) -> Exception {
    unsupported(format!(
        "{name}() over {n} values without random.seed(n) (each value is explored, up to {MAX_DRAWN_VALUES}); \
         seed the generator with random.seed(n) to check python3.11's own draws"
    ))
}

/// Whether the call thread `tid` is making takes a list built right before it (`BUILD_LIST`,
/// or `LIST_EXTEND` of a display's constants, just before `PRECALL`, which no jump reaches).
fn built_for_the_call(program: &crate::bytecode::Program, state: &super::state::State, tid: super::value::Tid) -> bool {
    use crate::bytecode::Instr;
    let Some(frame) = state.threads[tid].frames.last() else { return false };
    let code = program.code(frame.code);
    let Some(precall) = (frame.pc as usize).checked_sub(2) else { return false };
    let built = precall.checked_sub(1).and_then(|i| code.instrs.get(i));
    matches!(code.instrs.get(precall), Some(Instr::Precall(1)))
        && matches!(built, Some(Instr::BuildList(_) | Instr::ListExtend(1)))
        && !code.instrs.iter().any(|i| i.jump_target() == Some(precall as u32))
}

/// Calls `f` with `args` in a program that seeds the generator: python3.11's own draw from the
/// generator in `state` (which `random.seed(n)` makes). A draw before the seed ran, and a draw
/// that takes several tries (a rejection in `_randbelow`, or a `shuffle`) while another thread is
/// alive (CPython could let it draw in between), stop the run as not modelled.
pub(super) fn seeded(
    f: RandomFn,
    state: &mut super::state::State,
    tid: super::value::Tid,
    args: &[Value],
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    let name = f.qualname();
    // The generator is shared by every thread: each draw writes it.
    fp.add(super::footprint::Access::Write(super::footprint::Object::Alloc));
    if f == RandomFn::Seed {
        let n = match args {
            [Value::Int(n)] => n.unsigned_abs(),
            [Value::Bool(b)] => u64::from(*b),
            [other] => return Err(unsupported(format!("random.seed() of a '{}'", state.heap.type_name(other)))),
            _ => return Err(unsupported("random.seed() without a seed (it would come from the OS)")),
        };
        let words: Vec<u32> = if n >> 32 == 0 { vec![n as u32] } else { vec![n as u32, (n >> 32) as u32] };
        state.rng = Some(super::mt::Mt::from_seed(&words));
        return Ok(Value::None);
    }
    let others = state.threads.iter().enumerate().any(|(t, th)| t != tid && th.is_alive());
    let heap = &state.heap;
    let int = |v: &Value| match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(i64::from(*b)),
        other => Err(unsupported(format!("{name}() of a '{}'", heap.type_name(other)))),
    };
    let items = match (f, args) {
        (RandomFn::Choice | RandomFn::Shuffle, [seq]) => heap.items_of(seq, fp)?,
        _ => Vec::new(),
    };
    let target = match (f, args) {
        (RandomFn::Shuffle, [Value::Obj(id)]) if matches!(heap.peek(*id), HeapObj::List(_)) => Some(*id),
        (RandomFn::Shuffle, [other]) => {
            return Err(unsupported(format!("random.shuffle() of a '{}'", heap.type_name(other))))
        }
        _ => None,
    };
    let bounds = match (f, args) {
        (RandomFn::Randint, [a, b]) => Some((int(a)?, int(b)?)),
        _ => None,
    };
    let nums = match (f, args) {
        (RandomFn::Uniform, [a, b]) => match (number(a), number(b)) {
            (Some(x), Some(y)) => Some((x, y)),
            _ => return Err(unsupported(format!("{name}() of values that are not numbers"))),
        },
        _ => None,
    };
    let Some(rng) = state.rng.as_mut() else {
        return Err(unsupported(format!("{name}() before random.seed(...) ran (its draw would depend on the OS)")));
    };
    let one_try = |tries: u32| {
        if tries > 1 && others {
            Err(unsupported(format!("{name}() taking several draws while another thread may draw in between")))
        } else {
            Ok(())
        }
    };
    let v = match f {
        RandomFn::Random => Value::Float(crate::pyfloat::Float(rng.random())),
        RandomFn::Uniform => {
            let (a, b) = nums.expect("checked above");
            Value::Float(crate::pyfloat::Float(a + (b - a) * rng.random()))
        }
        RandomFn::GetRandBits => match args {
            [Value::Int(k)] if (0..=63).contains(k) => Value::Int(rng.getrandbits(*k as u32) as i64),
            [Value::Int(k)] if *k < 0 => return Err(err(ExcKind::ValueError, "number of bits must be non-negative")),
            _ => return Err(unsupported("random.getrandbits() of more than 63 bits")),
        },
        RandomFn::Randint => {
            let (a, b) = bounds.expect("checked above");
            let width = b.checked_add(1).and_then(|s| s.checked_sub(a)).unwrap_or(0);
            if width <= 0 {
                return Err(empty_range(a, b));
            }
            let (r, tries) = rng.below(width as u64);
            one_try(tries)?;
            Value::Int(a + r as i64)
        }
        RandomFn::Choice => {
            if items.is_empty() {
                return Err(err(ExcKind::IndexError, "Cannot choose from an empty sequence"));
            }
            let (r, tries) = rng.below(items.len() as u64);
            one_try(tries)?;
            items[r as usize].clone()
        }
        RandomFn::Shuffle => {
            let mut x = items;
            if x.len() > 1 && others {
                return Err(unsupported("random.shuffle() while another thread may draw in between"));
            }
            for i in (1..x.len()).rev() {
                let (j, _) = rng.below(i as u64 + 1);
                x.swap(i, j as usize);
            }
            if let Some(id) = target {
                if let HeapObj::List(items) = state.heap.write(id, fp) {
                    *items = x;
                }
            }
            Value::None
        }
        RandomFn::Seed => unreachable!("[internal bug] handled above"),
    };
    Ok(v)
}
