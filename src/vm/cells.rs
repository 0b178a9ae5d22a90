//! Closure cells (3.11's `MAKE_CELL`, `COPY_FREE_VARS`, `LOAD_CLOSURE`, `LOAD_DEREF`,
//! `STORE_DEREF`, `DELETE_DEREF`, and `MAKE_FUNCTION`'s closure): a variable that a nested
//! function uses lives in a heap cell, shared by every frame and function that holds the cell,
//! so that reads and writes through it are accesses of a shared object like any other.

use super::footprint::Footprint;
use super::heap::{Heap, HeapObj};
use super::state::Frame;
use super::step::err;
use super::value::{ExcKind, Exception, Value};
use crate::bytecode::{CodeObject, Instr};

/// The message of a read of an empty cell: a variable of this code (`UnboundLocalError`) or of
/// an enclosing one (`NameError`), in 3.11's words.
fn unbound(code: &CodeObject, slot: u32) -> Exception {
    let names = code.localsplus_names();
    let name = names.get(slot as usize).copied().unwrap_or("?");
    if (slot as usize) + code.freevars.len() >= names.len() && !code.freevars.is_empty() {
        err(
            ExcKind::NameError,
            format!("cannot access free variable '{name}' where it is not associated with a value in enclosing scope"),
        )
    } else {
        unbound_local(name)
    }
}

/// `UnboundLocalError` for local `name`, in 3.11's words.
pub(super) fn unbound_local(name: &str) -> Exception {
    err(
        ExcKind::UnboundLocalError,
        format!("cannot access local variable '{name}' where it is not associated with a value"),
    )
}

fn cell_of(frame: &Frame, slot: u32) -> u32 {
    match frame.locals[slot as usize] {
        Value::Cell(id) => id,
        ref other => panic!("[internal bug] fast-local slot {slot} holds {other:?}, not a cell"),
    }
}

/// Executes the cell instruction `instr` in `frame`.
pub(super) fn exec(
    instr: &Instr,
    code: &CodeObject,
    frame: &mut Frame,
    heap: &mut Heap,
    fp: &mut Footprint,
) -> Result<(), Exception> {
    match *instr {
        Instr::MakeCell(slot) => {
            let initial = std::mem::replace(&mut frame.locals[slot as usize], Value::Null);
            let id = heap.alloc(HeapObj::Cell(initial), fp);
            frame.locals[slot as usize] = Value::Cell(id);
        }
        // The frame got its closure's cells when it was made (`Frame::call`).
        Instr::CopyFreeVars(_) => {}
        Instr::LoadClosure(slot) => {
            let id = cell_of(frame, slot);
            frame.stack.push(Value::Cell(id));
        }
        Instr::LoadDeref(slot) => {
            let id = cell_of(frame, slot);
            match heap.read(id, fp) {
                HeapObj::Cell(Value::Null) => return Err(unbound(code, slot)),
                HeapObj::Cell(v) => {
                    let v = v.clone();
                    frame.stack.push(v);
                }
                _ => panic!("[internal bug] heap object {id} is not a cell"),
            }
        }
        Instr::StoreDeref(slot) => {
            let id = cell_of(frame, slot);
            let v = frame.stack.pop().expect("[internal bug] STORE_DEREF on an empty stack");
            if let HeapObj::Cell(c) = heap.write(id, fp) {
                *c = v;
            }
        }
        Instr::DeleteDeref(slot) => {
            let id = cell_of(frame, slot);
            if matches!(heap.read(id, fp), HeapObj::Cell(Value::Null)) {
                return Err(unbound(code, slot));
            }
            if let HeapObj::Cell(c) = heap.write(id, fp) {
                *c = Value::Null;
            }
        }
        _ => unreachable!("[internal bug] not a cell instruction"),
    }
    Ok(())
}

/// The closure of `MAKE_FUNCTION` with flag 8: the heap ids of the cells in `tuple`.
pub(super) fn closure_of(tuple: &Value) -> Result<std::sync::Arc<[u32]>, Exception> {
    match tuple {
        Value::Tuple(items) => items
            .iter()
            .map(|v| match v {
                Value::Cell(id) => Ok(*id),
                _ => Err(err(ExcKind::TypeError, "a closure must be a tuple of cells")),
            })
            .collect(),
        _ => Err(err(ExcKind::TypeError, "a closure must be a tuple of cells")),
    }
}
