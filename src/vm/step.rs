//! The step semantics: execute one instruction of one thread, atomically.
//!
//! Ported in spirit from CPython 3.11's `Python/ceval.c` (`_PyEval_EvalFrameDefault`): each
//! `TARGET(...)` there is an arm of [`exec`] here, with the same stack discipline.

use super::call::call;
use super::footprint::{Access, Object};
use super::heap::{Attr, HeapObj, InstanceObj};
use super::state::{FrameRole, State, ThreadStatus};
use super::switch::{switch_rule, Before, SwitchRule};
use super::unwind::{exception_matches, raise, stop};
use super::value::{ExcKind, Exception, Tid, Value};
use crate::bytecode::{Instr, Program, SwitchModel};
use std::sync::Arc;

pub use super::event::{Event, StepInfo};

/// Executes the next instruction of thread `tid` under switch model `switch`, in place. The
/// thread must be runnable ([`super::runnable`]). Whether the boundary after the step is a
/// switch point under `switch` is recorded in the state ([`State::hold`]).
#[inline]
pub fn step_in_place(program: &Program, switch: SwitchModel, state: &mut State, tid: Tid) -> StepInfo {
    let committed = super::library::committed_after(program, state, tid);
    let info = if program.callbacks {
        super::special::step_with_methods(program, switch, state, tid)
    } else {
        step_plain(program, switch, state, tid)
    };
    super::library::extend_hold(program, state, tid, committed);
    info
}

/// One step, whatever the program's classes define.
pub(super) fn step_plain(program: &Program, switch: SwitchModel, state: &mut State, tid: Tid) -> StepInfo {
    let mut info = StepInfo::default();
    let before = Before::capture(program, switch, state, tid);
    match super::clock::guard(program, state, tid)
        .and_then(|()| super::threads::bind_if_pending(program, state, tid, &mut info))
        .and_then(|()| exec(program, state, tid, &mut info))
    {
        Ok(()) => {}
        Err(e) if e.kind.is_checker_stop() => stop(program, state, tid, e, &mut info),
        Err(e) => raise(program, state, tid, Value::Exc(Arc::new(e)), &mut info),
    }
    info.switch = switch_rule(program, switch, state, tid, &before, &info)
        .or_else(|| (!super::can_step(program, state, tid)).then_some(SwitchRule::Blocks));
    state.hold = if info.switch.is_some() { None } else { Some(tid) };
    info
}

pub(super) fn err(kind: ExcKind, message: impl Into<String>) -> Exception {
    Exception::new(kind, message)
}

/// An operation the checker does not model, e.g. `list.pop` or `q.get(timeout=1)`: the run
/// stops there, and is refused as unsupported (never reported as the program's exception).
pub(super) fn unsupported(what: impl std::fmt::Display) -> Exception {
    err(ExcKind::Unsupported, format!("{what} is not modelled by the checker"))
}

/// A limit of the checker itself, e.g. a range bound beyond its 64-bit ints: the run stops
/// there, and the verdict is inconclusive (never the program's exception).
pub(super) fn checker_limit(what: impl Into<String>) -> Exception {
    err(ExcKind::CheckerLimit, what)
}

fn pop(stack: &mut super::state::Stack) -> Value {
    stack.pop().expect("[internal bug] value stack underflow")
}

fn top(stack: &[Value]) -> &Value {
    stack.last().expect("[internal bug] value stack underflow")
}

/// Executes one instruction; an `Err` is an exception raised by it.
fn exec(program: &Program, state: &mut State, tid: Tid, info: &mut StepInfo) -> Result<(), Exception> {
    let thread_attr = super::threads::thread_attribute(program, state, tid);
    if let Some(f) = state.threads[tid].frames.last() {
        if let (Some(Instr::GetIter), Some(top)) = (program.code(f.code).instrs.get(f.pc as usize), f.stack.last()) {
            super::ordered::check_iteration(state, tid, top)?;
        }
        if let Some(Instr::BinaryOp { op, .. }) = program.code(f.code).instrs.get(f.pc as usize) {
            super::counters::check_arith(state, tid, *op, &f.stack)?;
        }
    }
    let State { globals, threads, heap, made, clocks, drew_open, .. } = state;
    let th = super::cached::make_mut(&mut threads[tid]);
    let has_caller = th.frames.len() > 1;
    let frame = th.frames.last_mut().expect("[internal bug] stepping a thread with no frame");
    let code = program.code(frame.code);
    let pc = frame.pc as usize;
    let mut instr = &code.instrs[pc];
    frame.pc += 1;
    if *instr == Instr::ReturnGenerator && !(frame.role == FrameRole::Call && has_caller) {
        // A generator function run for something other than a plain call (a thread's target,
        // `__init__`, a special method, a C caller): its generator is what the call returns,
        // through RETURN_VALUE's paths.
        super::gens::suspend_copy(frame, heap, &mut info.footprint);
        instr = &Instr::ReturnValue;
    }
    let stack = &mut frame.stack;
    // A thread's new name (`self.name = ...` in a Thread subclass), set once `th` is done with.
    let mut rename: Option<(u32, Arc<str>)> = None;
    // The main thread's exit, which ends the daemon threads; a thread made a daemon.
    let mut exited = false;
    let mut daemonize: Option<(u32, bool)> = None;
    match *instr {
        Instr::Nop | Instr::Resume(_) | Instr::Precall(_) => {}
        Instr::PopTop => {
            pop(stack);
        }
        Instr::PushNull => stack.push(Value::Null),
        Instr::Copy(n) => {
            let v = stack[stack.len() - n as usize].clone();
            stack.push(v);
        }
        Instr::Swap(n) => {
            let len = stack.len();
            stack.swap(len - 1, len - n as usize);
        }
        Instr::LoadConst(i) => stack.push(Value::from_const(&code.consts[i as usize])),
        Instr::LoadName(slot) if matches!(frame.role, FrameRole::ClassBody(_)) => {
            let FrameRole::ClassBody(class) = frame.role else { unreachable!() };
            let name = program.global_name(slot);
            // The namespace being built, then the globals (not the base classes, and not the
            // class object's own `__name__`, which does not exist yet).
            let own = matches!(heap.read(class, &mut info.footprint),
                HeapObj::Class(c) if c.attrs.iter().any(|(n, _)| &**n == name));
            let in_namespace = if own {
                heap.get_attr(&Value::Obj(class), name, &mut info.footprint)
            } else {
                Err(err(ExcKind::NameError, ""))
            };
            match in_namespace {
                Ok(Attr::Value(v)) => stack.push(v),
                _ => {
                    info.footprint.add(Access::Read(Object::Global(slot)));
                    let v = super::attrs::load_global(program, globals, slot)?;
                    stack.push(v);
                }
            }
        }
        Instr::StoreName(slot) if matches!(frame.role, FrameRole::ClassBody(_)) => {
            let FrameRole::ClassBody(class) = frame.role else { unreachable!() };
            let v = pop(stack);
            heap.set_attr(&Value::Obj(class), program.global_name(slot), v, &mut info.footprint)?;
        }
        Instr::LoadName(slot) | Instr::LoadGlobal { slot, push_null: false } => {
            info.footprint.add(Access::Read(Object::Global(slot)));
            let v = super::attrs::load_global(program, globals, slot)?;
            stack.push(v);
        }
        Instr::LoadGlobal { slot, push_null: true } => {
            info.footprint.add(Access::Read(Object::Global(slot)));
            let v = super::attrs::load_global(program, globals, slot)?;
            stack.push(Value::Null);
            stack.push(v);
        }
        Instr::StoreName(slot) | Instr::StoreGlobal(slot) => {
            info.footprint.add(Access::Write(Object::Global(slot)));
            super::cached::make_mut(globals)[slot as usize] = pop(stack);
        }
        Instr::LoadFast(i) => match &frame.locals[i as usize] {
            Value::Null => return Err(super::cells::unbound_local(&code.varnames[i as usize])),
            v => {
                let v = v.clone();
                frame.stack.push(v);
            }
        },
        Instr::StoreFast(i) => frame.locals[i as usize] = pop(stack),
        Instr::LoadAttr(_) | Instr::LoadMethod(_)
            if matches!((&thread_attr, stack.last()), (Some(_), Some(Value::Obj(_)))) =>
        {
            pop(stack);
            let Some((v, Some(t))) = thread_attr else { unreachable!("[internal bug] checked above") };
            info.footprint.add(Access::Read(Object::Thread(t)));
            if matches!(instr, Instr::LoadMethod(_)) {
                stack.push(Value::Null);
            }
            stack.push(v);
        }
        Instr::LoadAttr(i) | Instr::LoadMethod(i) if matches!(stack.last(), Some(Value::Obj(_) | Value::Super(..))) => {
            let obj = pop(stack);
            let name = code.names[i as usize].as_str();
            let method = matches!(instr, Instr::LoadMethod(_));
            let attr = match super::classes::local_attr(heap, &obj, tid as u32, name, &mut info.footprint) {
                Some(v) => Attr::Value(v?),
                None => heap.get_attr(&obj, name, &mut info.footprint)?,
            };
            match attr {
                Attr::Value(Value::Bound(b, this)) if method => {
                    stack.push(Value::Builtin(b));
                    stack.push(*this);
                }
                Attr::Value(v) => {
                    if method {
                        stack.push(Value::Null);
                    }
                    stack.push(v);
                }
                Attr::Method(f, id) if method => {
                    stack.push(Value::Function(f));
                    stack.push(Value::Obj(id));
                }
                Attr::Method(f, id) => stack.push(Value::Method(f, id)),
                Attr::Getter(f, id) => {
                    // The getter runs as a Python frame; its return value lands on this stack.
                    if method {
                        stack.push(Value::Null);
                    }
                    if th.frames.len() >= super::call::MAX_FRAMES {
                        return Err(err(ExcKind::RecursionError, "maximum recursion depth exceeded"));
                    }
                    let f = super::invoke::method_frame(
                        program,
                        &f,
                        vec![Value::Obj(id)],
                        FrameRole::Call,
                        heap,
                        &mut info.footprint,
                    )?;
                    th.frames.push(f);
                }
            }
        }
        Instr::StoreAttr(i) => {
            let owner = pop(stack);
            let v = pop(stack);
            let name = code.names[i as usize].as_str();
            match super::classes::thread_property(heap, &owner, name) {
                // `self.name = ...` on a Thread subclass instance: Thread's property setter.
                Some(t) if name == "name" => {
                    heap.check_str_digits(&v)?;
                    info.footprint.add(Access::Write(Object::Thread(t)));
                    rename = Some((t, heap.to_str(&v).into()));
                }
                Some(t) if v == Value::Bool(false) || program.daemons && v == Value::Bool(true) => {
                    daemonize = Some((t, v == Value::Bool(true)));
                }
                Some(_) => return Err(unsupported("a daemon thread the front end did not find (daemon=True)")),
                None if super::classes::is_local(heap, &owner) => {
                    super::classes::set_local_attr(heap, &owner, tid as u32, name, v, &mut info.footprint)
                }
                // A property's setter runs as a call whose return is dropped.
                None => match heap.setter(&owner, name, &mut info.footprint) {
                    Some((f, id)) if th.frames.len() < super::call::MAX_FRAMES => {
                        let args = vec![Value::Obj(id), v];
                        th.frames.push(super::invoke::method_frame(
                            program,
                            &f,
                            args,
                            FrameRole::Setter,
                            heap,
                            &mut info.footprint,
                        )?);
                    }
                    Some(_) => return Err(err(ExcKind::RecursionError, "maximum recursion depth exceeded")),
                    None => heap.set_attr(&owner, name, v, &mut info.footprint)?,
                },
            }
        }
        Instr::BuildList(n) => {
            let items: Vec<Value> = stack.drain(stack.len() - n as usize..).collect();
            let id = heap.alloc(HeapObj::List(items), &mut info.footprint);
            stack.push(Value::Obj(id));
        }
        Instr::BuildMap(n) => {
            let flat: Vec<Value> = stack.drain(stack.len() - 2 * n as usize..).collect();
            let id = heap.alloc(HeapObj::Dict(Vec::new()), &mut info.footprint);
            let mut it = flat.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                heap.store_subscr(&Value::Obj(id), &k, v, &mut info.footprint)?;
            }
            stack.push(Value::Obj(id));
        }
        Instr::BuildConstKeyMap(n) => {
            let keys = pop(stack);
            let values: Vec<Value> = stack.drain(stack.len() - n as usize..).collect();
            let Value::Tuple(keys) = keys else { panic!("[internal bug] BUILD_CONST_KEY_MAP without a key tuple") };
            let id = heap.alloc(HeapObj::Dict(Vec::new()), &mut info.footprint);
            for (k, v) in keys.iter().zip(values) {
                heap.store_subscr(&Value::Obj(id), k, v, &mut info.footprint)?;
            }
            stack.push(Value::Obj(id));
        }
        Instr::ListExtend(i) => {
            let iterable = pop(stack);
            let items = heap.items_of(&iterable, &mut info.footprint).map_err(|e| match e.kind {
                ExcKind::TypeError if e.message.ends_with("is not iterable") => err(
                    ExcKind::TypeError,
                    format!("Value after * must be an iterable, not {}", heap.type_name(&iterable)),
                ),
                _ => e,
            })?;
            let target = stack[stack.len() - i as usize].clone();
            let Value::Obj(id) = target else { panic!("[internal bug] LIST_EXTEND without a list") };
            if let HeapObj::List(list) = heap.write(id, &mut info.footprint) {
                list.extend(items);
            }
        }
        Instr::ListAppend(i) => {
            let v = pop(stack);
            let Value::Obj(id) = stack[stack.len() - i as usize] else {
                panic!("[internal bug] LIST_APPEND without a list")
            };
            if let HeapObj::List(list) = heap.write_growing(id, &mut info.footprint)? {
                list.push(v);
            }
        }
        Instr::BuildSet(n) => {
            let items: Vec<Value> = stack.drain(stack.len() - n as usize..).collect();
            let id = super::sets::build(heap, items, &mut info.footprint)?;
            stack.push(Value::Obj(id));
        }
        Instr::SetAdd(i) => {
            let v = pop(stack);
            let Value::Obj(id) = stack[stack.len() - i as usize] else {
                panic!("[internal bug] SET_ADD without a set")
            };
            super::sets::set_add(heap, id, v, &mut info.footprint)?;
        }
        Instr::SetUpdate(i) => {
            let iterable = pop(stack);
            let Value::Obj(id) = stack[stack.len() - i as usize] else {
                panic!("[internal bug] SET_UPDATE without a set")
            };
            let frozen = match pc.checked_sub(1).map(|p| &code.instrs[p]) {
                Some(Instr::LoadConst(c)) => match &code.consts[*c as usize] {
                    crate::bytecode::Const::FrozenSet(items) => {
                        Some(items.iter().map(Value::from_const).collect::<Vec<Value>>())
                    }
                    _ => None,
                },
                _ => None,
            };
            super::sets::set_update(heap, id, &iterable, frozen, &mut info.footprint)?;
        }
        Instr::DictMerge(i) => {
            let update = pop(stack);
            super::spread::dict_merge(program, heap, stack, i, update, &mut info.footprint)?;
        }
        Instr::ListToTuple => {
            let list = pop(stack);
            stack.push(super::spread::list_to_tuple(heap, &list, &mut info.footprint));
        }
        Instr::MapAdd(i) => {
            let v = pop(stack);
            let k = pop(stack);
            let target = stack[stack.len() - i as usize].clone();
            heap.store_subscr(&target, &k, v, &mut info.footprint)?;
        }
        Instr::BinarySubscr => {
            let key = pop(stack);
            let container = pop(stack);
            match container {
                // `list[int]` (a generic alias, as annotations write it) stands for its origin.
                Value::Builtin(
                    b @ (super::value::Builtin::List | super::value::Builtin::Dict | super::value::Builtin::Tuple),
                ) => stack.push(Value::Builtin(b)),
                Value::Module(super::value::Module::Typing) => stack.push(container),
                _ if matches!(key, Value::Slice(_)) => {
                    stack.push(heap.subscr_slice(&container, &key, &mut info.footprint)?)
                }
                _ => match heap.subscr(&container, &key, &mut info.footprint) {
                    Ok(v) => stack.push(v),
                    Err(e) => match container {
                        Value::Obj(id)
                            if e.kind == ExcKind::KeyError && (heap.factory(id).is_some() || heap.is_counter(id)) =>
                        {
                            return super::defaults::missing(program, state, tid, id, key, info);
                        }
                        _ => return Err(e),
                    },
                },
            }
        }
        Instr::StoreSubscr => {
            let key = pop(stack);
            let container = pop(stack);
            let v = pop(stack);
            if matches!(key, Value::Slice(_)) {
                return Err(super::slices::store_slice(heap, &container));
            }
            if container != Value::Annotations {
                heap.store_subscr(&container, &key, v, &mut info.footprint)?;
            }
        }
        Instr::DeleteSubscr => {
            let key = pop(stack);
            let container = pop(stack);
            super::deletion::delete_subscr(heap, &container, &key, &mut info.footprint)?;
        }
        Instr::DeleteAttr(i) => {
            let owner = pop(stack);
            super::deletion::delete_attr(heap, &owner, code.names[i as usize].as_str(), &mut info.footprint)?;
        }
        Instr::LoadBuildClass => stack.push(Value::Builtin(super::value::Builtin::BuildClass)),
        Instr::LoadAttr(i) | Instr::LoadMethod(i) => {
            let obj = pop(stack);
            let name = code.names[i as usize].as_str();
            let method = matches!(instr, Instr::LoadMethod(_));
            let attr = match thread_attr {
                Some((v, _)) => v,
                None => super::attrs::get_attr_in(program, globals, &obj, name)?,
            };
            match attr {
                Value::Bound(b, this) if method => {
                    stack.push(Value::Builtin(b));
                    stack.push(*this);
                }
                other => {
                    if method {
                        stack.push(Value::Null);
                    }
                    stack.push(other);
                }
            }
        }
        Instr::ImportName(i) => {
            let fromlist = pop(stack);
            pop(stack);
            let m = super::attrs::import(&code.names[i as usize], &fromlist)?;
            stack.push(Value::Module(m));
        }
        Instr::ImportFrom(i) => {
            let name = code.names[i as usize].as_str();
            let module = stack.last().cloned().unwrap_or(Value::None);
            let v = super::attrs::get_attr_in(program, globals, &module, name).map_err(|_| {
                let m = match &module {
                    Value::Module(m) => m.name(),
                    _ => "?",
                };
                err(ExcKind::ImportError, format!("cannot import name '{name}' from '{m}' (unknown location)"))
            })?;
            stack.push(v);
        }
        Instr::SetupAnnotations(slot) => match frame.role {
            FrameRole::ClassBody(class) => {
                heap.set_attr(&Value::Obj(class), "__annotations__", Value::Annotations, &mut info.footprint)?;
            }
            _ => {
                info.footprint.add(Access::Write(Object::Global(slot)));
                super::cached::make_mut(globals)[slot as usize] = Value::Annotations;
            }
        },
        // Flag 8: the closure's cells lie right below the code object.
        // Flag 4: the annotations tuple lies below those; it is dropped (only
        // `__annotations__` could show it). Flag 1: the defaults tuple lies below that; it is a
        // constant, which the code object holds (`CodeObject::defaults`).
        Instr::MakeFunction(flags) => {
            let mut f = pop(stack);
            // A new function object: its identity is the next number (an allocation).
            if let Value::Function(func) = &mut f {
                *made += 1;
                func.made = *made;
                info.footprint.add(Access::Write(Object::Alloc));
            }
            if flags & 8 != 0 {
                let closure = super::cells::closure_of(&pop(stack))?;
                if let Value::Function(func) = &mut f {
                    func.extra_mut().closure = Some(closure);
                }
            }
            // Annotations and keyword-only defaults: the code object has them; so has it the
            // defaults when they are constants, and the function keeps them otherwise.
            if flags & 4 != 0 {
                pop(stack);
            }
            if flags & 2 != 0 {
                pop(stack);
            }
            if flags & 1 != 0 {
                let defaults = pop(stack);
                if let (Value::Function(func), Value::Tuple(values)) = (&mut f, defaults) {
                    if program.code(func.code).defaults.is_empty() {
                        func.extra_mut().defaults = Some(values);
                    }
                }
            }
            stack.push(f);
        }
        Instr::BuildSlice(n) => {
            let step = if n == 3 { pop(stack) } else { Value::None };
            let stop = pop(stack);
            let start = pop(stack);
            stack.push(Value::Slice(Box::new((start, stop, step))));
        }
        Instr::BuildTuple(n) => {
            let items: Vec<Value> = stack.drain(stack.len() - n as usize..).collect();
            stack.push(Value::Tuple(items.into()));
        }
        Instr::BuildString(n) => {
            let parts: Vec<Value> = stack.drain(stack.len() - n as usize..).collect();
            let s: String = parts.iter().map(Value::to_str).collect();
            stack.push(Value::Str(s.into()));
        }
        Instr::FormatValue(flags) => {
            let spec = if flags & 4 != 0 { Some(pop(stack).to_str()) } else { None };
            let v = pop(stack);
            let conversion = match flags & 3 {
                1 => super::strformat::Conversion::Str,
                2 => super::strformat::Conversion::Repr,
                3 => super::strformat::Conversion::Ascii,
                _ => super::strformat::Conversion::None,
            };
            let spec = spec.as_deref().unwrap_or("");
            stack.push(super::strformat::format_field(heap, &v, conversion, spec, &mut info.footprint)?);
        }
        Instr::KwNames(i) => frame.kwnames = Some(i),
        Instr::BinaryOp { op, inplace } => {
            let b = pop(stack);
            let a = pop(stack);
            let fp = &mut info.footprint;
            let v = super::clock::binary(op, &a, &b)
                .unwrap_or_else(|| super::operators::binary(heap, op, inplace, &a, &b, fp));
            stack.push(v?);
        }
        Instr::CompareOp(op) => {
            let b = pop(stack);
            let a = pop(stack);
            // What time readings so far leave open is a choice, made as a draw is.
            let choose = |n| super::randoms::pick(program, tid, &mut th.draws, drew_open, n);
            let v = super::clock::compare(clocks, op, &a, &b, choose, &mut info.footprint);
            stack.push(v.unwrap_or_else(|| heap.compare(op, &a, &b, &mut info.footprint))?);
        }
        Instr::IsOp(invert) => {
            let b = pop(stack);
            let a = pop(stack);
            let same = match (&a, &b) {
                (Value::Str(x), Value::Str(y)) => Arc::ptr_eq(x, y) || x == y,
                _ => a == b,
            };
            stack.push(Value::Bool(same != invert));
        }
        Instr::ContainsOp(invert) => {
            let container = pop(stack);
            let item = pop(stack);
            // A frozenset constant (loaded as a tuple) hashes what it looks for.
            if pc >= 1
                && matches!(code.instrs[pc - 1], Instr::LoadConst(c)
                    if matches!(code.consts[c as usize], crate::bytecode::Const::FrozenSet(_)))
            {
                heap.check_hashable(&item)?;
            }
            let r = heap.contains(&container, &item, &mut info.footprint)?;
            stack.push(Value::Bool(r != invert));
        }
        Instr::UnaryNot => {
            let v = pop(stack);
            stack.push(Value::Bool(!heap.truthy(&v, &mut info.footprint)));
        }
        Instr::UnaryNegative | Instr::UnaryPositive | Instr::UnaryInvert => {
            let v = pop(stack);
            let sym = match instr {
                Instr::UnaryNegative => '-',
                Instr::UnaryInvert => '~',
                _ => '+',
            };
            stack.push(super::operators::unary(heap, sym, &v)?);
        }
        Instr::GetIter => {
            let v = pop(stack);
            stack.push(super::iters::iter_of(heap, v, &mut info.footprint)?);
        }
        Instr::ForIter(target) if super::gens::iterated(heap, stack.last()).is_some() => {
            let id = super::gens::iterated(heap, stack.last()).expect("[internal bug] checked above");
            return super::gens::for_iter(state, tid, id, target, info);
        }
        Instr::ForIter(target) => {
            let it = stack.last_mut().expect("[internal bug] FOR_ITER without an iterator");
            match super::iters::advance(heap, it, &mut info.footprint)? {
                Some(v) => stack.push(v),
                None => {
                    pop(stack);
                    frame.pc = target;
                }
            }
        }
        Instr::UnpackSequence(n) => {
            let v = pop(stack);
            let items = super::iters::unpack(heap, &v, n as usize, &mut info.footprint)?;
            stack.extend(items.into_iter().rev());
        }
        Instr::UnpackEx(arg) => {
            let v = pop(stack);
            let (before, rest, after) = super::iters::unpack_ex(heap, &v, arg, &mut info.footprint)?;
            stack.extend(after.into_iter().rev());
            stack.push(rest);
            stack.extend(before.into_iter().rev());
        }
        Instr::JumpForward(t) | Instr::JumpBackward(t) => frame.pc = t,
        Instr::PopJumpForwardIfFalse(t)
        | Instr::PopJumpForwardIfTrue(t)
        | Instr::PopJumpBackwardIfFalse(t)
        | Instr::PopJumpBackwardIfTrue(t) => {
            let v = pop(stack);
            let want = matches!(instr, Instr::PopJumpForwardIfTrue(_) | Instr::PopJumpBackwardIfTrue(_));
            if heap.truthy(&v, &mut info.footprint) == want {
                frame.pc = t;
            }
        }
        Instr::PopJumpForwardIfNone(t)
        | Instr::PopJumpForwardIfNotNone(t)
        | Instr::PopJumpBackwardIfNone(t)
        | Instr::PopJumpBackwardIfNotNone(t) => {
            let v = pop(stack);
            let want_none = matches!(instr, Instr::PopJumpForwardIfNone(_) | Instr::PopJumpBackwardIfNone(_));
            if (v == Value::None) == want_none {
                frame.pc = t;
            }
        }
        Instr::JumpIfFalseOrPop(t) | Instr::JumpIfTrueOrPop(t) => {
            let want = matches!(instr, Instr::JumpIfTrueOrPop(_));
            if heap.truthy(top(stack), &mut info.footprint) == want {
                frame.pc = t;
            } else {
                pop(stack);
            }
        }
        Instr::ReturnValue
            if matches!(frame.role, FrameRole::GenIter(_) | FrameRole::Drain(..) | FrameRole::GenNext(_)) =>
        {
            return super::gens::gen_return(program, state, tid, info);
        }
        Instr::ReturnValue if matches!(frame.role, FrameRole::Missing(_)) => {
            return super::defaults::missing_return(state, tid, info);
        }
        Instr::ReturnValue if matches!(frame.role, FrameRole::Special(..)) => {
            return super::special::special_return(state, tid);
        }
        Instr::ReturnGenerator => return super::gens::return_generator(state, tid, info),
        Instr::YieldValue => return super::gens::yield_value(state, tid, info),
        Instr::ReturnValue => {
            let v = pop(stack);
            let role = frame.role;
            let returning = frame.code;
            th.frames.pop();
            let v = match role {
                FrameRole::Call | FrameRole::CCall => v,
                FrameRole::ClassBody(class) => {
                    super::classes::finish_class(heap, class, &v, &mut info.footprint);
                    Value::Obj(class)
                }
                FrameRole::Init(_) if v != Value::None => {
                    return Err(err(
                        ExcKind::TypeError,
                        format!("__init__() should return None, not '{}'", heap.type_name(&v)),
                    ))
                }
                FrameRole::Init(inst) => Value::Obj(inst),
                FrameRole::Setter => return Ok(()),
                FrameRole::Special(..) => unreachable!("[internal bug] returns handled above"),
                FrameRole::GenIter(_)
                | FrameRole::Drain(..)
                | FrameRole::GenNext(_)
                | FrameRole::Missing(_)
                | FrameRole::Bind => {
                    unreachable!("[internal bug] returns handled above, bindings before the first step")
                }
            };
            match th.frames.last_mut() {
                Some(caller) => caller.stack.push(v),
                // The main thread's code has ended: the interpreter's exit calls the library's
                // exit function first (it waits for the library's own threads).
                None if tid == 0 && returning == 0 && program.exit_function().is_some() => {
                    th.frames.push(super::library::exit_frame(program, globals, &mut info.footprint));
                }
                // Daemon threads: the exit waits, and ends them when it is done (`threads.rs`).
                // `threading.active_count()` no longer counts it; it ends in a step of its own
                // (CPython's `_delete`, then the thread state's release that `join` waits for).
                None if tid != 0 && program.counts_active && !th.deleted => {
                    th.deleted = true;
                    th.frames.push(super::threads::exit_wait_frame(program, returning, pc as u32, v));
                    info.event = Event::Deleted;
                    info.footprint.add(Access::Write(Object::Thread(tid as u32)));
                }
                None if tid == 0 && program.daemons && !th.exiting => {
                    th.exiting = true;
                    th.frames.push(super::threads::exit_wait_frame(program, returning, pc as u32, v));
                    info.event = Event::Exiting;
                }
                None => {
                    th.status = ThreadStatus::Finished;
                    info.event = Event::Exit;
                    info.footprint.add(Access::Write(Object::Thread(tid as u32)));
                    exited = th.exiting;
                }
            }
        }
        Instr::LoadAssertionError => stack.push(Value::ExcType(ExcKind::AssertionError)),
        Instr::RaiseVarargs(n) => {
            let exc = match n {
                0 => match &th.handled {
                    Value::None => return Err(err(ExcKind::RuntimeError, "No active exception to reraise")),
                    v => v.clone(),
                },
                _ => {
                    // `raise exc from cause`: the cause only sets `__cause__`, which is not
                    // modelled, once it is checked as CPython's `do_raise` checks it.
                    let cause = if n > 1 { Some(pop(stack)) } else { None };
                    if let Some(cause) = cause {
                        super::unwind::check_cause(heap, top(stack), &cause, &mut info.footprint)?;
                    }
                    match pop(stack) {
                        // `raise ValueError` instantiates the type without arguments.
                        Value::ExcType(kind) => Value::Exc(Arc::new(Exception {
                            kind,
                            message: String::new(),
                            args: Some(Arc::from([])),
                            class: None,
                        })),
                        // `raise Oops` of an exception class of the program: `Oops()`, here
                        // when that runs no Python `__init__`.
                        Value::Obj(c) if matches!(heap.peek(c), HeapObj::Class(k) if k.exc.is_some()) => {
                            let fp = &mut info.footprint;
                            if heap.class_attr(c, "__init__", fp).is_some() {
                                return Err(unsupported(
                                    "raise of an exception class whose __init__ is the program's (raise a call of it)",
                                ));
                            }
                            let inst =
                                InstanceObj { class: c, attrs: Vec::new(), thread: None, args: Some(Arc::from([])) };
                            Value::Obj(heap.alloc(HeapObj::Instance(inst), fp))
                        }
                        v => v,
                    }
                }
            };
            raise(program, state, tid, exc, info);
        }
        Instr::Reraise(_) => {
            let exc = pop(stack);
            raise(program, state, tid, exc, info);
        }
        Instr::PushExcInfo => {
            let v = pop(stack);
            let prev = std::mem::replace(&mut th.handled, v.clone());
            let stack = &mut th.frames.last_mut().expect("[internal bug] frame").stack;
            stack.push(prev);
            stack.push(v);
        }
        Instr::PopExcept => {
            let v = pop(stack);
            th.handled = v;
        }
        Instr::BeforeWith | Instr::WithExceptStart | Instr::Call(_) | Instr::CallFunctionEx(_) => {
            call(program, state, tid, instr, info)?
        }
        Instr::CheckExcMatch => {
            let ty = pop(stack);
            let matched = exception_matches(heap, top(stack), &ty, &mut info.footprint)?;
            stack.push(Value::Bool(matched));
        }
        Instr::MakeCell(_)
        | Instr::CopyFreeVars(_)
        | Instr::LoadClosure(_)
        | Instr::LoadDeref(_)
        | Instr::StoreDeref(_)
        | Instr::DeleteDeref(_) => super::cells::exec(instr, code, frame, heap, &mut info.footprint)?,
        Instr::DeleteFast(i) => {
            if frame.locals[i as usize] == Value::Null {
                return Err(super::cells::unbound_local(&code.varnames[i as usize]));
            }
            frame.locals[i as usize] = Value::Null;
        }
        Instr::DeleteName(slot) | Instr::DeleteGlobal(slot) => {
            info.footprint.add(Access::Write(Object::Global(slot)));
            if globals[slot as usize] == Value::Null {
                return Err(super::attrs::name_error(program, slot));
            }
            super::cached::make_mut(globals)[slot as usize] = Value::Null;
        }
    }
    if let Some((t, name)) = rename {
        Arc::make_mut(&mut state.threads[t as usize]).name = name;
    }
    if exited {
        super::threads::end_daemons(state, info);
    }
    if let Some((t, daemon)) = daemonize {
        super::threads::set_daemon(state, t, daemon, info)?;
    }
    Ok(())
}
