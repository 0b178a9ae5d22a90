//! What the static analysis does not model, found before it runs: the constructs outside it
//! (synchronisation objects other than `threading.Lock`, `try`, spread calls, `*args`,
//! keyword-only parameters) and the
//! programs that use heap objects or builtins that may read them. A program with either gets
//! no reduction, and the report says why.

use crate::bytecode::{Const, Instr, Program};

/// The first construct the analysis does not model, if the program has one: a synchronisation
/// object other than `threading.Lock` (RLock, Semaphore, BoundedSemaphore, Event, Condition,
/// Barrier, `queue`), or a `try` statement (an exception handler that is not a `with`'s).
pub(super) fn unsupported_construct(program: &Program) -> Option<String> {
    for code in &program.codes {
        let line = |i: usize| code.locs.get(i).map_or(0, |l| l.line);
        if code.varargs || code.varkw {
            return Some(format!(
                "the *args or **kwargs parameter of {} (line {}) is not modelled by the analysis",
                code.qualname, code.first_line
            ));
        }
        if code.kwonlyargcount > 0 {
            return Some(format!(
                "the keyword-only parameters of {} (line {}) are not modelled by the analysis",
                code.qualname, code.first_line
            ));
        }
        for (i, ins) in code.instrs.iter().enumerate() {
            match ins {
                Instr::LoadAttr(n) | Instr::LoadMethod(n) => {
                    let name = code.names.get(*n as usize).map_or("", String::as_str);
                    if matches!(
                        name,
                        "RLock"
                            | "Semaphore"
                            | "BoundedSemaphore"
                            | "Event"
                            | "Condition"
                            | "Barrier"
                            | "local"
                            | "active_count"
                    ) {
                        return Some(format!("threading.{name} (line {}) is not modelled by the analysis", line(i)));
                    }
                }
                Instr::ImportName(n)
                    if code
                        .names
                        .get(*n as usize)
                        .is_some_and(|m| matches!(m.as_str(), "queue" | "math" | "random")) =>
                {
                    let m = &code.names[*n as usize];
                    return Some(format!("the {m} module (line {}) is not modelled by the analysis", line(i)));
                }
                Instr::CallFunctionEx(_) => {
                    return Some(format!(
                        "the call with *args or **kwargs at line {} is not modelled by the analysis",
                        line(i)
                    ));
                }
                Instr::ReturnGenerator => {
                    let what = if code.name == "<genexpr>" { "generator expression" } else { "generator function" };
                    return Some(format!("the {what} at line {} is not modelled by the analysis", code.first_line));
                }
                Instr::CheckExcMatch | Instr::DeleteFast(_) | Instr::DeleteName(_) | Instr::DeleteGlobal(_) => {
                    return Some(format!("the try statement near line {} is not modelled by the analysis", line(i)));
                }
                _ => {}
            }
        }
        for e in &code.exception_table {
            let t = e.target as usize;
            let with_handler = matches!(
                (code.instrs.get(t), code.instrs.get(t + 1)),
                (Some(Instr::PushExcInfo), Some(Instr::WithExceptStart))
                    | (Some(Instr::Copy(3)), Some(Instr::PopExcept))
            );
            if !with_handler {
                let at = (e.start as usize..e.end as usize).map(line).find(|l| *l > 0).unwrap_or(0);
                return Some(format!(
                    "the try statement at line {at} (an exception handler) is not modelled by the analysis"
                ));
            }
        }
    }
    None
}

/// Whether `name` is a builtin whose effects the analysis does not model (it may read or make
/// heap objects): every builtin the VM has but `print` and `range`.
fn unmodelled_builtin(name: &str) -> bool {
    use crate::vm::Builtin;
    Builtin::from_builtin_name(name).is_some_and(|b| !matches!(b, Builtin::Print | Builtin::Range))
}

/// Whether the value that instruction `i` of `code` loads is only an annotation, which the VM
/// drops: it is stored into `__annotations__` next (`x: int = ...` in module scope), or it is
/// one of the loads that build a `def`'s annotations tuple (`MAKE_FUNCTION` with flag 4).
fn annotation_value(program: &Program, code: &crate::bytecode::CodeObject, i: usize) -> bool {
    let annotations =
        |ins: &Instr| matches!(ins, Instr::LoadName(g) if program.globals[*g as usize] == "__annotations__");
    if code.instrs.get(i + 1).is_some_and(annotations) {
        return true;
    }
    let mut j = i + 1;
    while let Some(Instr::LoadConst(_) | Instr::LoadName(_) | Instr::LoadGlobal { push_null: false, .. }) =
        code.instrs.get(j)
    {
        j += 1;
    }
    matches!(
        (code.instrs.get(j), code.instrs.get(j + 1), code.instrs.get(j + 2)),
        (Some(Instr::BuildTuple(_)), Some(Instr::LoadConst(c)), Some(Instr::MakeFunction(f)))
            if f & 4 != 0 && matches!(code.consts.get(*c as usize), Some(Const::Code(_)))
    )
}

/// Why the analysis cannot handle `program` at all: it defines classes (instances, properties and
/// methods run code the analysis does not follow), shares variables with nested functions
/// through closure cells, or imports `collections` (a defaultdict's factory runs as a frame
/// inside a subscript). `None` if it does none of these.
pub(super) fn beyond_heap(program: &Program) -> Option<String> {
    for code in &program.codes {
        if code.kind == crate::bytecode::CodeKind::Class {
            return Some(format!("the program defines class {} (classes and instances live on the heap)", code.name));
        }
        for (i, ins) in code.instrs.iter().enumerate() {
            // Instructions without a line (MAKE_CELL) are shown at the `def`.
            let line = code.locs.get(i).map_or(0, |l| l.line).max(code.first_line);
            let what = match ins {
                Instr::LoadBuildClass => Some("a class definition".to_string()),
                Instr::MakeCell(_)
                | Instr::CopyFreeVars(_)
                | Instr::LoadClosure(_)
                | Instr::LoadDeref(_)
                | Instr::StoreDeref(_)
                | Instr::DeleteDeref(_) => {
                    Some(format!("closure cells (the variables of {} that nested functions share)", code.qualname))
                }
                Instr::ImportName(n) if code.names.get(*n as usize).is_some_and(|m| m == "collections") => {
                    Some("the collections module (a defaultdict's factory runs inside a subscript)".to_string())
                }
                Instr::LoadAttr(n) | Instr::LoadMethod(n)
                    if code.names.get(*n as usize).is_some_and(|m| m == "seed") =>
                {
                    Some("random.seed (every draw reads and writes the one shared generator)".to_string())
                }
                _ => None,
            };
            if let Some(what) = what {
                return Some(format!("the program uses {what} at line {line}; it is outside the static analysis"));
            }
        }
    }
    None
}

/// The first use of heap objects (lists, dicts, subscripts, attribute stores) or of builtins
/// that can read or make them, described for the report; `None` if the program has none. Every
/// heap object is made by one of these instructions or builtins, so a program without them has
/// none. The analysis models such a program coarsely: every step that may touch a heap object
/// is a synchronising step (see `absint::touches_heap`).
pub(super) fn heap_use(program: &Program) -> Option<String> {
    for code in &program.codes {
        for (i, ins) in code.instrs.iter().enumerate() {
            let line = code.locs.get(i).map_or(0, |l| l.line).max(code.first_line);
            let what = match ins {
                Instr::BuildList(_) | Instr::ListExtend(_) | Instr::ListAppend(_) | Instr::UnpackEx(_) => {
                    Some("a list".to_string())
                }
                Instr::MapAdd(_) => Some("a dict".to_string()),
                Instr::BuildSet(_) | Instr::SetAdd(_) | Instr::SetUpdate(_) => Some("a set".to_string()),
                Instr::BuildMap(_) | Instr::BuildConstKeyMap(_) => Some("a dict".to_string()),
                Instr::BinarySubscr => Some("a subscript a[i]".to_string()),
                // An annotation's store into `__annotations__` (`LOAD_NAME __annotations__;
                // LOAD_CONST 'x'; STORE_SUBSCR`) is dropped by the VM.
                Instr::StoreSubscr
                    if i >= 2
                        && matches!(code.instrs[i - 2], Instr::LoadName(g) if program.globals[g as usize] == "__annotations__") =>
                {
                    None
                }
                Instr::StoreSubscr => Some("a subscript assignment a[i] = v".to_string()),
                Instr::StoreAttr(n) => Some(format!("an attribute assignment .{}", code.names[*n as usize])),
                Instr::DeleteSubscr => Some("a deletion del a[i]".to_string()),
                Instr::DeleteAttr(n) => Some(format!("an attribute deletion del .{}", code.names[*n as usize])),
                Instr::LoadMethod(n) => {
                    let name = code.names.get(*n as usize).map_or("", String::as_str);
                    (!matches!(name, "start" | "join" | "is_alive" | "acquire" | "release" | "locked"))
                        .then(|| format!("a method call .{name}()"))
                }
                Instr::LoadName(g) | Instr::LoadGlobal { slot: g, .. } if !annotation_value(program, code, i) => {
                    let name = &program.globals[*g as usize];
                    unmodelled_builtin(name).then(|| format!("builtin {name}()"))
                }
                _ => None,
            };
            if let Some(what) = what {
                return Some(format!("{what} at line {line}"));
            }
        }
    }
    None
}
