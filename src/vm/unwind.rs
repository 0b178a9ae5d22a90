//! Exceptions in flight: raising one unwinds the thread's frames through CPython 3.11's
//! exception tables (generators whose frames it leaves are finished); a checker stop halts the
//! thread where it is; and `except T:` matching.

use super::footprint::{Access, Footprint, Object};
use super::heap::{Heap, HeapObj};
use super::state::{FrameRole, State, ThreadStatus};
use super::step::Event;
use super::step::{err, StepInfo};
use super::value::{ExcKind, Exception, Tid, Value};
use crate::bytecode::Program;
use std::sync::Arc;

/// Stops thread `tid` at its current instruction for a checker stop (see
/// [`ExcKind::is_checker_stop`]): no handler or `finally` runs, and its frames stay, so the
/// position of the instruction can still be read from them.
pub(super) fn stop(program: &Program, state: &mut State, tid: Tid, e: Exception, info: &mut StepInfo) {
    let exc = Arc::new(e);
    info.event = Event::Raise(exc.clone());
    let th = state.thread_mut(tid);
    let line = raising_line(program, th);
    th.status = ThreadStatus::Failed { exc, line };
    info.footprint.add(Access::Write(Object::Thread(tid as u32)));
}

/// The source line of the instruction thread `th` is executing (its pc is already past it).
fn raising_line(program: &Program, th: &super::state::Thread) -> u32 {
    th.frames.last().and_then(|f| program.code(f.code).locs.get(f.pc.saturating_sub(1) as usize)).map_or(0, |l| l.line)
}

/// Raises `exc` in thread `tid` at its current instruction: unwinds through the exception
/// tables (3.11's `exception_unwind`), popping frames; with no handler the thread fails.
pub(super) fn raise(program: &Program, state: &mut State, tid: Tid, exc: Value, info: &mut StepInfo) {
    let (mut exc_arc, mut exc) = match &exc {
        Value::Exc(e) => (e.clone(), exc),
        Value::Obj(id) => match program_exception(&state.heap, *id) {
            Some(e) => (Arc::new(e), exc),
            None => not_an_exception(),
        },
        _ => not_an_exception(),
    };
    info.event = Event::Raise(exc_arc.clone());
    // The checker's memory ceiling is not the program's exception: no handler runs.
    let unhandled = exc_arc.kind == ExcKind::MemoryLimit;
    let th = state.thread_mut(tid);
    let line = raising_line(program, th);
    if unhandled {
        th.frames.clear();
    }
    // Generators whose frames the exception leaves have finished.
    let mut finished = Vec::new();
    let mut handled = false;
    while let Some(frame) = th.frames.last_mut() {
        let code = program.code(frame.code);
        let at = frame.pc.saturating_sub(1);
        if let Some(h) = code.exception_table.iter().find(|e| e.start <= at && at < e.end) {
            frame.stack.truncate(h.depth as usize);
            if h.lasti {
                frame.stack.push(Value::Int(at as i64));
            }
            frame.stack.push(exc.clone());
            frame.pc = h.target;
            frame.kwnames = None;
            // An instruction that called back into Python code is over.
            frame.memo.clear();
            handled = true;
            break;
        }
        if let Some(FrameRole::GenIter(id) | FrameRole::Drain(_, id) | FrameRole::GenNext(id)) =
            th.frames.pop().map(|f| f.role)
        {
            finished.push(id);
            // PEP 479: a StopIteration that leaves a generator becomes a RuntimeError.
            if exc_arc.kind.is_subclass_of(ExcKind::StopIteration) {
                exc_arc = Arc::new(Exception::new(ExcKind::RuntimeError, "generator raised StopIteration"));
                exc = Value::Exc(exc_arc.clone());
            }
        }
    }
    if !handled {
        th.status = ThreadStatus::Failed { exc: exc_arc, line };
        info.footprint.add(Access::Write(Object::Thread(tid as u32)));
    }
    for id in finished {
        super::gens::finish(&mut state.heap, id, &mut info.footprint);
    }
}

/// CPython's `TypeError` for raising what is not an exception, as the raised value and its record.
fn not_an_exception() -> (Arc<Exception>, Value) {
    let e = Arc::new(err(ExcKind::TypeError, "exceptions must derive from BaseException"));
    (e.clone(), Value::Exc(e))
}

/// The message a report shows for an exception whose `str()` would run Python code.
pub(super) const RUNS_PYTHON: &str = "(its str() would run the program's __str__ or __repr__, which a report does not)";

/// The record (for events and a failed thread) of raising instance `id` of an exception class of
/// the program; `None` when `id` is not one. Its message is `str()` of it where that runs no
/// Python code (a class's own `__str__`, or an instance among the arguments, would).
fn program_exception(heap: &Heap, id: u32) -> Option<Exception> {
    let HeapObj::Instance(i) = heap.peek(id) else { return None };
    let args = i.args.clone()?;
    let kind = heap.exception_kind(i.class);
    let runs_python =
        heap.special_method(id, super::special::Special::Str).is_some() || args.iter().any(|a| heap.holds_instance(a));
    let message = match runs_python {
        true => RUNS_PYTHON.to_string(),
        false => heap.exception_str(kind, &args),
    };
    Some(Exception { kind, message, args: Some(args), class: Some(heap.class_name(i.class).into()) })
}

/// Whether exception `exc` matches `ty` (a type or a tuple of types), as `except ty:` decides:
/// a built-in exception type, or an exception class of the program.
pub(super) fn exception_matches(heap: &Heap, exc: &Value, ty: &Value, fp: &mut Footprint) -> Result<bool, Exception> {
    match ty {
        Value::Tuple(items) => {
            for t in items.iter() {
                if exception_matches(heap, exc, t, fp)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::ExcType(_) => heap.isinstance(exc, ty, fp),
        Value::Obj(c) if matches!(heap.read(*c, fp), HeapObj::Class(k) if k.exc.is_some()) => {
            heap.isinstance(exc, ty, fp)
        }
        _ => Err(err(ExcKind::TypeError, "catching classes that do not inherit from BaseException is not allowed")),
    }
}

/// The cause of `raise exc from cause`, as CPython's `do_raise` takes it: `None`, an exception,
/// or an exception type (called without arguments, here where no `__init__` of the program
/// runs); else CPython's `TypeError`. An `exc` that is no exception raises its own error first.
pub(super) fn check_cause(heap: &Heap, exc: &Value, cause: &Value, fp: &mut Footprint) -> Result<(), Exception> {
    let is_class =
        |v: &Value| matches!(v, Value::Obj(c) if matches!(heap.peek(*c), HeapObj::Class(k) if k.exc.is_some()));
    let is_instance =
        |v: &Value| matches!(v, Value::Obj(i) if matches!(heap.peek(*i), HeapObj::Instance(x) if x.args.is_some()));
    let exc_ok = matches!(exc, Value::Exc(_) | Value::ExcType(_)) || is_class(exc) || is_instance(exc);
    match cause {
        _ if !exc_ok => Ok(()),
        Value::None | Value::Exc(_) | Value::ExcType(_) => Ok(()),
        v if is_instance(v) => Ok(()),
        Value::Obj(c) if is_class(cause) => match heap.class_attr(*c, "__init__", fp) {
            Some(_) => {
                Err(super::step::unsupported("a cause that is an exception class whose __init__ is the program's"))
            }
            None => Ok(()),
        },
        _ => Err(err(ExcKind::TypeError, "exception causes must derive from BaseException")),
    }
}
