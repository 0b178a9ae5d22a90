//! Calls of the standard library's functions that are neither `threading` nor collections'
//! basics: `functools`, `operator`, `copy`, `collections.OrderedDict`, and the builtins `hash`,
//! `callable` and `vars`, the clocks of `time`, and `sys.setswitchinterval` (dispatched here from
//! [`super::call::call_builtin`]).

use super::call::{exactly_one, no_kwargs};
use super::footprint::{Access, Object};
use super::functools::FunctoolsFn;
use super::state::State;
use super::step::{unsupported, StepInfo};
use super::value::{Builtin, Exception, Tid, Value};
use crate::bytecode::Program;

/// Calls builtin `b` (bound to `this`, for a method) with `rest` and `kwargs`.
#[allow(clippy::too_many_arguments)]
pub(super) fn call(
    program: &Program,
    state: &mut State,
    tid: Tid,
    b: Builtin,
    this: Option<Value>,
    rest: &[Value],
    kwargs: &[(String, Value)],
    info: &mut StepInfo,
) -> Result<Value, Exception> {
    match (b, this) {
        // CPython hashes ints, floats and tuples of them by value; strs with a per-run seed and
        // objects by address, which no run of the checker can reproduce.
        (Builtin::Hash, _) => {
            no_kwargs("hash", kwargs)?;
            let [v] = rest else { return Err(exactly_one("hash", rest.len())) };
            state.heap.check_hashable(v)?;
            match super::sets::known_hash(v) {
                Some(h) => Ok(Value::Int(h)),
                None => Err(unsupported(format!(
                    "hash() of a {} (CPython's depends on the run: a per-run seed for strs, the address for objects)",
                    state.heap.type_name(v)
                ))),
            }
        }
        (Builtin::Callable, _) => {
            no_kwargs("callable", kwargs)?;
            let [v] = rest else { return Err(exactly_one("callable", rest.len())) };
            Ok(Value::Bool(super::functools::callable(v, &state.heap)))
        }
        // A reading is shared state: the next one of the same clock is no earlier.
        (Builtin::Clock(k), _) => {
            no_kwargs(k.qualname(), kwargs)?;
            if !rest.is_empty() {
                return Err(super::step::err(
                    super::value::ExcKind::TypeError,
                    format!("{}() takes no arguments ({} given)", k.qualname(), rest.len()),
                ));
            }
            info.footprint.add(Access::Write(Object::Alloc));
            super::clock::read(state, k)
        }
        (Builtin::Vars, _) => {
            no_kwargs("vars", kwargs)?;
            let [v] = rest else { return Err(exactly_one("vars", rest.len())) };
            super::reflect::vars(state, tid, v, &mut info.footprint)
        }
        (Builtin::OrderedDict, _) => super::ordered::new(&mut state.heap, rest, kwargs, &mut info.footprint),
        (Builtin::OrderedMethod(m), Some(Value::Obj(id))) => {
            super::ordered::call(state, m, id, rest, kwargs, &mut info.footprint)
        }
        (Builtin::Functools(FunctoolsFn::Partial), _) => {
            state.made += 1;
            info.footprint.add(Access::Write(Object::Alloc));
            super::functools::partial(&state.heap, state.made, rest, kwargs)
        }
        (Builtin::Functools(FunctoolsFn::Reduce), _) => {
            // While its function's call is still to make, the instruction is undone (its
            // result is never used).
            Ok(super::functools::reduce(program, state, tid, rest, kwargs, info)?.unwrap_or(Value::None))
        }
        (Builtin::Functools(FunctoolsFn::Wraps), _) => super::functools::wraps(rest, kwargs),
        (Builtin::Functools(FunctoolsFn::UpdateWrapper), Some(wrapped)) => {
            no_kwargs("update_wrapper", kwargs)?;
            super::functools::update_wrapper(wrapped, rest)
        }
        (Builtin::Operator(f), this) => {
            super::operators::call(&mut state.heap, f, this, rest, kwargs, tid as u32, &mut info.footprint)
        }
        (Builtin::Copy(f), _) => super::copying::call(state, tid, f, rest, kwargs, &mut info.footprint),
        // Only how often CPython asks a running thread to drop the GIL changes: every switch
        // the interval could allow is explored whatever it is, so the call has no other effect.
        (Builtin::SetSwitchInterval, _) => {
            if let Some(e) = b.keyword_error(kwargs) {
                return Err(e);
            }
            let [v] = rest else { return Err(exactly_one("sys.setswitchinterval", rest.len())) };
            let interval = match v {
                Value::Obj(_) => Err(super::step::err(
                    super::value::ExcKind::TypeError,
                    format!("must be real number, not {}", state.heap.type_name(v)),
                )),
                v => super::mathmod::as_double(v),
            }?;
            if interval.is_nan() {
                return Err(unsupported(
                    "sys.setswitchinterval(nan) (CPython takes it, then aborts with a fatal error in take_gil \
                     once a thread waits for the GIL)",
                ));
            }
            if interval <= 0.0 {
                return Err(super::step::err(
                    super::value::ExcKind::ValueError,
                    "switch interval must be strictly positive",
                ));
            }
            Ok(Value::None)
        }
        _ => Err(unsupported(format!("{}() on this object", b.name()))),
    }
}
