//! The abstract effect of one instruction on the abstract stack, the held locks and the
//! assigned locals: the transfer function of the static analysis in [`super::facts`].

use super::facts::{bit, AbsState, Av, Ctx, InstrFact, Known};
use crate::bytecode::{BinOp, Const, Instr};

fn pop(s: &mut Vec<Av>) -> Av {
    s.pop().unwrap_or(Av::Other)
}

/// The abstract effect of instruction `i`: the state after it (fall-through), the state on its
/// jump edge when that differs, and its fact.
pub(super) fn step(
    ctx: &mut Ctx<'_>,
    code: &crate::bytecode::CodeObject,
    i: usize,
    before: &AbsState,
) -> (AbsState, Option<AbsState>, InstrFact) {
    let mut s = before.clone();
    let mut f = InstrFact { held: before.held, ..InstrFact::default() };
    let mut jump = None;
    let st = &mut s.stack;
    match code.instrs[i] {
        Instr::Nop
        | Instr::Resume(_)
        | Instr::Precall(_)
        | Instr::KwNames(_)
        | Instr::JumpForward(_)
        | Instr::JumpBackward(_) => {}
        Instr::PopTop => {
            pop(st);
        }
        // Programs with `try`/`except` are unsupported (see `Facts::of`); these arms keep the
        // transfer function total and conservative.
        Instr::CheckExcMatch => {
            pop(st);
            pop(st);
            st.push(Av::Other);
            f.may_fail = true;
        }
        Instr::DeleteFast(k) => {
            if k < 64 {
                s.assigned &= !(1 << k);
            }
            f.may_fail = true;
        }
        Instr::DeleteName(g) | Instr::DeleteGlobal(g) => {
            f.writes = Some(g);
            f.may_fail = true;
        }
        Instr::StoreSubscr if st.len() >= 2 && st[st.len() - 2] == Av::Annotations => {
            // An annotation stored into `__annotations__`: dropped by the VM.
            pop(st);
            pop(st);
            pop(st);
        }
        Instr::BuildList(_)
        | Instr::BuildMap(_)
        | Instr::BuildConstKeyMap(_)
        | Instr::ListExtend(_)
        | Instr::ListAppend(_)
        | Instr::BuildSet(_)
        | Instr::SetAdd(_)
        | Instr::SetUpdate(_)
        | Instr::MapAdd(_)
        | Instr::BinarySubscr
        | Instr::StoreSubscr
        | Instr::StoreAttr(_)
        | Instr::DeleteSubscr
        | Instr::DeleteAttr(_)
        | Instr::LoadBuildClass
        | Instr::BuildSlice(_)
        | Instr::MakeCell(_)
        | Instr::CopyFreeVars(_)
        | Instr::LoadClosure(_)
        | Instr::LoadDeref(_)
        | Instr::StoreDeref(_)
        | Instr::DeleteDeref(_) => {
            // Heap objects, closure cells and classes are outside the analysis: the program is unsupported
            // (Facts::of refuses it before getting here; this keeps the transfer total).
            let (pops, pushes) = match code.instrs[i] {
                Instr::BuildList(n) | Instr::BuildSet(n) => (n as usize, 1),
                Instr::BuildMap(n) => (2 * n as usize, 1),
                Instr::BuildConstKeyMap(n) => (n as usize + 1, 1),
                Instr::ListExtend(_) | Instr::SetUpdate(_) | Instr::BinarySubscr => {
                    (2, usize::from(code.instrs[i] == Instr::BinarySubscr))
                }
                // The list (dict) stays below: pop the value (key and value) only.
                Instr::ListAppend(_) | Instr::SetAdd(_) => (1, 0),
                Instr::MapAdd(_) => (2, 0),
                Instr::StoreSubscr => (3, 0),
                Instr::StoreAttr(_) | Instr::DeleteSubscr => (2, 0),
                Instr::DeleteAttr(_) => (1, 0),
                Instr::StoreDeref(_) => (1, 0),
                Instr::BuildSlice(n) => (n as usize, 1),
                Instr::MakeCell(_) | Instr::CopyFreeVars(_) | Instr::DeleteDeref(_) => (0, 0),
                _ => (0, 1),
            };
            for _ in 0..pops {
                pop(st);
            }
            st.extend(std::iter::repeat_n(Av::Other, pushes));
            if matches!(code.instrs[i], Instr::ListExtend(_) | Instr::SetUpdate(_)) {
                st.push(Av::Other);
            }
            f.may_fail = true;
            f.sync = true;
            if !ctx.heap {
                ctx.unknown.get_or_insert_with(|| format!("the program uses {}", code.instrs[i].opname()));
            }
        }
        Instr::PushNull => st.push(Av::Null),
        Instr::Copy(k) => {
            let v = st.len().checked_sub(k as usize).map_or(Av::Other, |j| st[j]);
            st.push(v);
        }
        Instr::Swap(k) => {
            let len = st.len();
            if k as usize <= len && len > 0 {
                st.swap(len - 1, len - k as usize);
            }
        }
        Instr::LoadConst(c) => st.push(match code.consts.get(c as usize) {
            Some(Const::Int(_) | Const::BigInt(_) | Const::Bool(_)) => Av::Int,
            Some(Const::Code(id)) => Av::Func(*id),
            _ => Av::Other,
        }),
        Instr::LoadName(g) | Instr::LoadGlobal { slot: g, .. } => {
            if matches!(code.instrs[i], Instr::LoadGlobal { push_null: true, .. }) {
                st.push(Av::Null);
            }
            let v = ctx.load(g);
            if let Av::Lock(l) = v {
                // A lock may only be loaded to be entered by `with`.
                if !matches!(code.instrs.get(i + 1), Some(Instr::BeforeWith)) {
                    ctx.escaped |= bit(l);
                }
            }
            st.push(v);
            f.reads = Some(g);
        }
        Instr::StoreName(g) | Instr::StoreGlobal(g) => {
            pop(st);
            f.writes = Some(g);
        }
        Instr::LoadFast(k) => {
            st.push(Av::Other);
            f.may_fail = k >= 64 || before.assigned & (1 << k) == 0;
        }
        Instr::StoreFast(k) => {
            pop(st);
            if k < 64 {
                s.assigned |= 1 << k;
            }
        }
        Instr::LoadAttr(n) | Instr::LoadMethod(n) => {
            let obj = pop(st);
            let name = code.names.get(n as usize).map_or("", String::as_str);
            let method = matches!(code.instrs[i], Instr::LoadMethod(_));
            let known = match obj {
                Av::Module if matches!(name, "Thread" | "Lock" | "sleep") => Some(Av::Builtin(Known::Sync)),
                _ if matches!(name, "start" | "join" | "is_alive" | "acquire" | "release" | "locked") => {
                    Some(Av::Builtin(Known::Sync))
                }
                // C functions of `threading` that read the running thread.
                Av::Module if ctx.heap && matches!(name, "current_thread" | "get_ident" | "main_thread") => {
                    Some(Av::Builtin(Known::Heap))
                }
                // A method of a list, dict, str, int or thread: a C function (the program has no
                // classes, so no value has Python methods).
                Av::Other if ctx.heap && method => Some(Av::Builtin(Known::Heap)),
                _ => None,
            };
            if let Av::Lock(l) = obj {
                ctx.escaped |= bit(l);
            }
            f.may_fail = known.is_none() || !matches!(obj, Av::Module | Av::Lock(_));
            if method {
                st.push(Av::Null);
            }
            st.push(known.unwrap_or(Av::Other));
        }
        Instr::ImportName(_) => {
            pop(st);
            pop(st);
            st.push(Av::Module);
            f.may_fail = true;
        }
        Instr::ImportFrom(n) => {
            let name = code.names.get(n as usize).map_or("", String::as_str);
            let module = st.last().copied();
            st.push(match (module, name) {
                (Some(Av::Module), "Thread" | "Lock" | "sleep") => Av::Builtin(Known::Sync),
                _ => Av::Other,
            });
            f.may_fail = true;
        }
        Instr::SetupAnnotations(g) => f.writes = Some(g),
        Instr::MakeFunction(flags) => {
            let code = pop(st);
            for bit in [8, 4, 2, 1] {
                if flags & bit != 0 {
                    pop(st);
                }
            }
            st.push(code);
        }
        Instr::BuildTuple(k) | Instr::BuildString(k) => {
            for _ in 0..k {
                pop(st);
            }
            st.push(Av::Other);
        }
        Instr::FormatValue(flags) => {
            if flags & 4 != 0 {
                pop(st);
                f.may_fail = true;
            }
            pop(st);
            st.push(Av::Other);
        }
        Instr::Call(k) => {
            let k = k as usize;
            let len = st.len();
            let (callable, nargs) = match len.checked_sub(k + 2).map(|j| st[j]) {
                Some(Av::Null) | None => (len.checked_sub(k + 1).map_or(Av::Other, |j| st[j]), k),
                Some(m) => (m, k + 1),
            };
            let args: Vec<Av> = st[len.saturating_sub(nargs)..].to_vec();
            for _ in 0..k + 2 {
                pop(st);
            }
            let result = match callable {
                Av::Builtin(Known::Range) => {
                    f.may_fail = !(1..=2).contains(&nargs) || args.iter().any(|a| *a != Av::Int);
                    Av::RangeObj
                }
                Av::Builtin(Known::Print) => {
                    f.output = true;
                    // Printing a list or dict reads it.
                    f.sync |= ctx.heap && args.contains(&Av::Other);
                    Av::Other
                }
                Av::Builtin(Known::Heap) => {
                    // A C function that is handed a function could call it (none does today, but
                    // the analysis would not see it): outside the analysis.
                    if let Some(Av::Func(c)) = args.iter().find(|a| matches!(a, Av::Func(_))) {
                        if ctx.unknown.is_none() {
                            let line = code.locs.get(i).map_or(0, |l| l.line);
                            ctx.unknown = Some(format!(
                                "the call at line {line} hands function {} to a builtin the analysis does not follow",
                                ctx.program.code(*c).qualname
                            ));
                        }
                    }
                    f.sync = true;
                    f.may_fail = true;
                    Av::Other
                }
                Av::Exit(l) => {
                    s.held &= !bit(l);
                    f.with_lock = Some(l);
                    Av::Other
                }
                Av::Func(c) => {
                    let co = ctx.program.code(c);
                    f.may_fail = nargs != co.argcount as usize
                        || matches!(code.instrs.get(i.wrapping_sub(2)), Some(Instr::KwNames(_)));
                    f.calls = Some(c);
                    Av::Other
                }
                Av::Builtin(Known::AssertionError) => {
                    f.may_fail = true;
                    Av::Other
                }
                Av::Builtin(Known::Sync) => {
                    f.sync = true;
                    f.may_fail = true;
                    Av::Other
                }
                _ => {
                    if ctx.unknown.is_none() {
                        let line = code.locs.get(i).map_or(0, |l| l.line);
                        ctx.unknown =
                            Some(format!("the call at line {line} is not to a function the analysis can see"));
                    }
                    f.sync = true;
                    f.may_fail = true;
                    Av::Other
                }
            };
            st.push(result);
        }
        Instr::BinaryOp { op, .. } => {
            let b = pop(st);
            let a = pop(st);
            let ints = a == Av::Int && b == Av::Int;
            f.may_fail = !ints
                || matches!(
                    op,
                    BinOp::FloorDiv | BinOp::Mod | BinOp::Lshift | BinOp::Rshift | BinOp::Pow | BinOp::TrueDiv
                );
            // `int / int` is a float, and so is an int to a negative power.
            let int_result = ints && !matches!(op, BinOp::TrueDiv | BinOp::Pow);
            st.push(if int_result { Av::Int } else { Av::Other });
        }
        Instr::CompareOp(op) => {
            let b = pop(st);
            let a = pop(st);
            let both_ints = a == Av::Int && b == Av::Int;
            let equality = matches!(op, crate::bytecode::CmpOp::Eq | crate::bytecode::CmpOp::Ne);
            f.may_fail = !both_ints && !equality;
            st.push(Av::Other);
        }
        Instr::IsOp(_) => {
            pop(st);
            pop(st);
            st.push(Av::Other);
        }
        Instr::ContainsOp(_) => {
            pop(st);
            pop(st);
            st.push(Av::Other);
            f.may_fail = true;
        }
        Instr::UnaryNot => {
            pop(st);
            st.push(Av::Other);
        }
        Instr::UnaryNegative | Instr::UnaryPositive | Instr::UnaryInvert => {
            let a = pop(st);
            f.may_fail = a != Av::Int;
            st.push(if a == Av::Int { Av::Int } else { Av::Other });
        }
        Instr::GetIter => {
            let a = pop(st);
            f.may_fail = a != Av::RangeObj;
            st.push(if a == Av::RangeObj { Av::RangeIter } else { Av::Other });
        }
        Instr::ForIter(_) => {
            let it = st.last().copied().unwrap_or(Av::Other);
            let mut j = s.clone();
            pop(&mut j.stack);
            jump = Some(j);
            s.stack.push(if it == Av::RangeIter { Av::Int } else { Av::Other });
        }
        Instr::UnpackSequence(k) => {
            pop(st);
            for _ in 0..k {
                st.push(Av::Other);
            }
            f.may_fail = true;
        }
        Instr::CallFunctionEx(k) => {
            for _ in 0..3 + (k & 1) {
                pop(st);
            }
            st.push(Av::Other);
            f.may_fail = true;
        }
        Instr::DictMerge(_) => {
            pop(st);
            f.may_fail = true;
        }
        Instr::ListToTuple => {
            pop(st);
            st.push(Av::Other);
        }
        // Generators are outside the analysis (see `outside.rs`); conservative all the same.
        Instr::ReturnGenerator => {
            st.push(Av::Other);
            f.may_fail = true;
        }
        Instr::YieldValue => {
            pop(st);
            st.push(Av::Other);
            f.may_fail = true;
        }
        Instr::UnpackEx(k) => {
            pop(st);
            for _ in 0..(k & 0xff) + (k >> 8) + 1 {
                st.push(Av::Other);
            }
            f.may_fail = true;
        }
        Instr::PopJumpForwardIfFalse(_)
        | Instr::PopJumpForwardIfTrue(_)
        | Instr::PopJumpForwardIfNone(_)
        | Instr::PopJumpForwardIfNotNone(_)
        | Instr::PopJumpBackwardIfFalse(_)
        | Instr::PopJumpBackwardIfTrue(_)
        | Instr::PopJumpBackwardIfNone(_)
        | Instr::PopJumpBackwardIfNotNone(_) => {
            pop(st);
        }
        Instr::JumpIfFalseOrPop(_) | Instr::JumpIfTrueOrPop(_) => {
            jump = Some(s.clone());
            pop(&mut s.stack);
        }
        Instr::ReturnValue => {
            pop(st);
        }
        Instr::LoadAssertionError => st.push(Av::Builtin(Known::AssertionError)),
        Instr::RaiseVarargs(k) => {
            for _ in 0..k {
                pop(st);
            }
            f.may_fail = true;
        }
        Instr::Reraise(_) => {
            pop(st);
            f.may_fail = true;
        }
        Instr::BeforeWith => {
            let mgr = pop(st);
            f.nested_acquire = before.held != 0;
            match mgr {
                Av::Lock(l) => {
                    st.push(Av::Exit(l));
                    s.held |= bit(l);
                    f.with_lock = Some(l);
                }
                _ => {
                    st.push(Av::Other);
                    f.may_fail = true;
                    f.sync = true;
                }
            }
            s.stack.push(Av::Other);
        }
        Instr::PushExcInfo => {
            pop(st);
            st.push(Av::Other);
            st.push(Av::Other);
        }
        Instr::WithExceptStart => {
            let len = st.len();
            if let Some(Av::Exit(l)) = len.checked_sub(4).map(|j| st[j]) {
                s.held &= !bit(l);
                f.with_lock = Some(l);
            }
            s.stack.push(Av::Other);
        }
        Instr::PopExcept => {
            pop(st);
        }
    }
    if ctx.heap && touches_heap(&code.instrs[i], &before.stack) {
        f.sync = true;
    }
    (s, jump, f)
}

/// Whether `ins` may read or write a heap object, given the abstract operands on `stack`: it
/// inspects an operand the analysis cannot type (`Av::Other`, which may be a list or dict) beyond
/// its identity. Moving a reference (loads, stores, `is`, building a tuple, passing an argument)
/// touches nothing. Heap instructions and calls of builtins are marked where they are analysed.
/// Broken by: an instruction added here without its operands (a heap read the futures miss);
/// tests/it/reductions.rs `thread_lists_*` and the random programs with lists and dicts.
fn touches_heap(ins: &Instr, stack: &[Av]) -> bool {
    let top = |k: usize| stack.iter().rev().take(k).any(|a| *a == Av::Other);
    match ins {
        Instr::BinaryOp { .. } | Instr::CompareOp(_) | Instr::ContainsOp(_) | Instr::FormatValue(_) => top(2),
        Instr::UnaryNot
        | Instr::UnaryNegative
        | Instr::UnaryPositive
        | Instr::UnaryInvert
        | Instr::GetIter
        | Instr::ForIter(_)
        | Instr::UnpackSequence(_)
        | Instr::UnpackEx(_)
        | Instr::ListToTuple
        | Instr::LoadAttr(_)
        | Instr::PopJumpForwardIfFalse(_)
        | Instr::PopJumpForwardIfTrue(_)
        | Instr::PopJumpBackwardIfFalse(_)
        | Instr::PopJumpBackwardIfTrue(_)
        | Instr::JumpIfFalseOrPop(_)
        | Instr::JumpIfTrueOrPop(_)
        | Instr::BeforeWith
        | Instr::RaiseVarargs(_) => top(1),
        _ => false,
    }
}
