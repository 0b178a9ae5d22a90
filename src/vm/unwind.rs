//! Exceptions in flight: raising one unwinds the thread's frames through CPython 3.11's
//! exception tables (generators whose frames it leaves are finished); a checker stop halts the
//! thread where it is; and `except T:` matching.

use super::footprint::{Access, Object};
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
    let exc_arc = match &exc {
        Value::Exc(e) => e.clone(),
        other => Arc::new(err(
            ExcKind::TypeError,
            format!("exceptions must derive from BaseException, not {}", other.type_name()),
        )),
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
            frame.stack.push(Value::Exc(exc_arc.clone()));
            frame.pc = h.target;
            frame.kwnames = None;
            // An instruction that called back into Python code is over.
            frame.memo.clear();
            handled = true;
            break;
        }
        if let Some(FrameRole::GenIter(id)) = th.frames.pop().map(|f| f.role) {
            finished.push(id);
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

/// Whether exception `exc` matches `ty` (a type or a tuple of types), as `except ty:` decides.
pub(super) fn exception_matches(exc: &Value, ty: &Value) -> Result<bool, Exception> {
    match ty {
        Value::Tuple(items) => {
            for t in items.iter() {
                if exception_matches(exc, t)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::ExcType(k) => Ok(matches!(exc, Value::Exc(e) if e.kind.is_subclass_of(*k))),
        _ => Err(err(ExcKind::TypeError, "catching classes that do not inherit from BaseException is not allowed")),
    }
}
