//! Calls (CALL, BEFORE_WITH, WITH_EXCEPT_START): Python functions, builtins, and the
//! `threading` / `time` objects (which of them block is [`super::blocking`]'s).

use super::footprint::{Access, Object};
use super::heap::HeapObj;
use super::invoke::{build_class, call_function, instantiate};
use super::state::{Frame, FrameRole, LockState, State, Thread, ThreadStatus};
use super::step::{err, unsupported, Event, StepInfo};
use super::sync::{self, Args, Outcome, SyncKind, SyncMethod};
use super::threads::{start_thread, thread_init, thread_settings};
use super::value::{Builtin, ExcKind, Exception, Tid, Value};
use crate::bytecode::{Const, Instr, Program};
use std::sync::Arc;

/// Deepest call stack a thread may build before `RecursionError`.
pub(super) const MAX_FRAMES: usize = 200;

/// The callable, the positional arguments and the keyword arguments of the CALL at the top
/// of `frame` (3.11 layout: `[NULL|method, callable|self, args...]`).
/// The callable that `CALL n` (or `PRECALL n`) in `frame` is about to call, if the stack holds one.
pub(super) fn callee(frame: &Frame, n: usize) -> Option<&Value> {
    let len = frame.stack.len();
    match frame.stack.get(len.checked_sub(n + 2)?)? {
        Value::Null => frame.stack.get(len - n - 1),
        m => Some(m),
    }
}

fn decode_call<'a>(
    program: &Program,
    frame: &'a Frame,
    n: usize,
) -> (&'a Value, Vec<&'a Value>, Vec<(String, &'a Value)>) {
    let len = frame.stack.len();
    let first = &frame.stack[len - n - 2];
    let (callable, mut args): (&Value, Vec<&Value>) = match first {
        Value::Null => (&frame.stack[len - n - 1], frame.stack[len - n..].iter().collect()),
        m => (m, frame.stack[len - n - 1..].iter().collect()),
    };
    let mut kwargs = Vec::new();
    if let Some(k) = frame.kwnames {
        if let Const::Tuple(names) = &program.code(frame.code).consts[k as usize] {
            let split = args.len() - names.len();
            let kw_vals = args.split_off(split);
            for (name, v) in names.iter().zip(kw_vals) {
                if let Const::Str(s) = name {
                    kwargs.push((s.to_string(), v));
                }
            }
        }
    }
    (callable, args, kwargs)
}

/// Executes CALL, BEFORE_WITH or WITH_EXCEPT_START.
pub(super) fn call(
    program: &Program,
    state: &mut State,
    tid: Tid,
    instr: &Instr,
    info: &mut StepInfo,
) -> Result<(), Exception> {
    match *instr {
        Instr::BeforeWith => {
            if let Some(done) = super::special::before_with(state, tid) {
                return done;
            }
            let frame = state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame");
            if let Some(Value::Sync(kind, id)) = frame.stack.last().cloned() {
                if kind.is_context_manager() {
                    let args = Args { positional: &[], keywords: &[] };
                    match sync::call(state, tid, kind, id, SyncMethod::Acquire, args, info)? {
                        Outcome::Stay => state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame").pc -= 1,
                        Outcome::Return(v) => {
                            let frame = state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame");
                            let mgr = frame.stack.pop().expect("[internal bug] stack");
                            frame.stack.push(Value::Bound(Builtin::SyncCall(kind, SyncMethod::Exit), Box::new(mgr)));
                            frame.stack.push(v);
                        }
                    }
                    return Ok(());
                }
            }
            let mgr = frame.stack.pop().expect("[internal bug] stack");
            let Value::Lock(l) = mgr else {
                let message =
                    format!("'{}' object does not support the context manager protocol", state.heap.type_name(&mgr));
                return Err(err(ExcKind::TypeError, message));
            };
            let frame = state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame");
            frame.stack.push(Value::Bound(Builtin::LockExit, Box::new(mgr)));
            frame.stack.push(Value::Bool(true));
            acquire(state, tid, l, info);
            Ok(())
        }
        Instr::WithExceptStart => {
            if let Some(done) = super::special::with_except_start(state, tid) {
                return done;
            }
            let frame = state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame");
            let exit = frame.stack[frame.stack.len() - 4].clone();
            frame.stack.push(Value::Bool(false));
            match exit {
                Value::Bound(Builtin::LockExit, this) => release(state, tid, &this, info),
                Value::Bound(Builtin::SyncCall(kind, SyncMethod::Exit), this) => match *this {
                    Value::Sync(_, id) => {
                        let args = Args { positional: &[], keywords: &[] };
                        sync::call(state, tid, kind, id, SyncMethod::Exit, args, info).map(|_| ())
                    }
                    _ => Ok(()),
                },
                _ => Ok(()),
            }
        }
        Instr::Call(n) => {
            let n = n as usize;
            let frame = state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame");
            let (callable, args, kwargs) = decode_call(program, frame, n);
            let callable = callable.clone();
            let args: Vec<Value> = args.into_iter().cloned().collect();
            let kwargs: Vec<(String, Value)> = kwargs.into_iter().map(|(k, v)| (k, v.clone())).collect();
            if let Some((kind, m, id, rest)) = sync_target(&callable, &args) {
                let args = Args { positional: rest, keywords: &kwargs };
                let outcome = sync::call(state, tid, kind, id, m, args, info);
                let frame = state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame");
                match outcome {
                    Ok(Outcome::Stay) => frame.pc -= 1,
                    Ok(Outcome::Return(v)) => {
                        frame.kwnames = None;
                        let new_len = frame.stack.len() - n - 2;
                        frame.stack.truncate(new_len);
                        frame.stack.push(v);
                    }
                    Err(e) => {
                        frame.kwnames = None;
                        return Err(e);
                    }
                }
                return Ok(());
            }
            frame.kwnames = None;
            let new_len = frame.stack.len() - n - 2;
            frame.stack.truncate(new_len);
            invoke(program, state, tid, callable, args, kwargs, info)
        }
        Instr::CallFunctionEx(flags) => super::spread::call_ex(program, state, tid, flags, info),
        _ => unreachable!("[internal bug] call() on {instr:?}"),
    }
}

/// Calls `callable` (its operands already taken off the stack): a Python function or method
/// gets a frame, a class a new instance, a builtin runs and its result is pushed.
pub(super) fn invoke(
    program: &Program,
    state: &mut State,
    tid: Tid,
    callable: Value,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    info: &mut StepInfo,
) -> Result<(), Exception> {
    match callable {
        Value::Function(f) => return call_function(program, state, tid, &f, args, kwargs, &mut info.footprint),
        Value::Method(f, this) => {
            let mut args = args;
            args.insert(0, Value::Obj(this));
            return call_function(program, state, tid, &f, args, kwargs, &mut info.footprint);
        }
        Value::Obj(class) if matches!(state.heap.read(class, &mut info.footprint), HeapObj::Class(_)) => {
            return instantiate(program, state, tid, class, args, kwargs, info);
        }
        Value::Builtin(Builtin::BuildClass) => return build_class(program, state, tid, args, info),
        // An instance whose class defines `__call__`: CPython calls the method from C (its
        // RESUME checks, and so does the CALL when it returns: `FrameRole::CCall`).
        Value::Obj(id) if call_method(&state.heap, id).is_some_and(|f| f.is_none()) => {
            return Err(unsupported("a __call__ that is not a plain method (a staticmethod, classmethod or property)"))
        }
        Value::Obj(id) if call_method(&state.heap, id).is_some() => {
            let f = call_method(&state.heap, id).flatten().expect("checked");
            let mut args = args;
            args.insert(0, Value::Obj(id));
            call_function(program, state, tid, &f, args, kwargs, &mut info.footprint)?;
            if let Some(frame) = state.thread_mut(tid).frames.last_mut().filter(|f| f.role == FrameRole::Call) {
                frame.role = FrameRole::CCall;
            }
            return Ok(());
        }
        // A partial calls its function with its arguments first; a Python function runs in a
        // frame called from C (which checks the eval breaker when it returns, 3.11+).
        Value::Partial(p) if super::functools::synchronises(&p.func) => {
            return Err(unsupported(
                "a functools.partial of a lock's, thread's or synchronisation object's method (call the method itself)",
            ))
        }
        Value::Partial(p) => {
            let (func, args, kwargs) = super::functools::unwrap_call(&p, args, kwargs);
            let depth = state.threads[tid].frames.len();
            invoke(program, state, tid, func, args, kwargs, info)?;
            let th = state.thread_mut(tid);
            if th.frames.len() > depth {
                if let Some(f) = th.frames.last_mut().filter(|f| f.role == FrameRole::Call) {
                    f.role = FrameRole::CCall;
                }
            }
            return Ok(());
        }
        // A C builtin given a generator runs it (see `gens`).
        Value::Builtin(Builtin::Next) => return super::gens::next(state, tid, args, kwargs, info),
        // `enumerate(g)` is a C iterator over the generator, which a `for` loop resumes.
        Value::Builtin(Builtin::Enumerate) => {}
        _ if super::gens::gen_argument(&state.heap, &args).is_some() => {
            return super::gens::drain(program, state, tid, callable, args, kwargs, info)
        }
        _ => {}
    }
    let result = call_builtin(program, state, tid, &callable, args, kwargs, info)?;
    state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame").stack.push(result);
    Ok(())
}

/// The `__call__` of the class of instance `id`, if it defines one: `Some(None)` when it is not
/// a plain method.
pub(super) fn call_method(heap: &super::heap::Heap, id: u32) -> Option<Option<super::value::Func>> {
    let HeapObj::Instance(inst) = heap.peek(id) else { return None };
    match heap.class_attr(inst.class, "__call__", &mut super::footprint::Footprint::default())? {
        Value::Function(f) => Some(Some(f)),
        _ => Some(None),
    }
}

/// The object, method and arguments of a call of a synchronisation object's method.
fn sync_target<'a>(callable: &Value, args: &'a [Value]) -> Option<(SyncKind, SyncMethod, u32, &'a [Value])> {
    match callable {
        Value::Bound(Builtin::SyncCall(kind, m), this) => match **this {
            Value::Sync(k, id) if k == *kind => Some((*kind, *m, id, args)),
            _ => None,
        },
        Value::Builtin(Builtin::SyncCall(kind, m)) => match args.first() {
            Some(Value::Sync(k, id)) if k == kind => Some((*kind, *m, *id, &args[1..])),
            _ => None,
        },
        _ => None,
    }
}

fn acquire(state: &mut State, tid: Tid, l: u32, info: &mut StepInfo) {
    let lock = &mut state.locks[l as usize];
    assert!(lock.holder.is_none(), "[internal bug] blocking acquire of a held lock was scheduled");
    lock.holder = Some(tid);
    info.footprint.add(Access::Write(Object::Lock(l)));
    info.event = Event::Acquire(l);
}

fn release(state: &mut State, _tid: Tid, this: &Value, info: &mut StepInfo) -> Result<(), Exception> {
    let Value::Lock(l) = *this else { return Ok(()) };
    info.footprint.add(Access::Write(Object::Lock(l)));
    let lock = &mut state.locks[l as usize];
    if lock.holder.is_none() {
        return Err(err(ExcKind::RuntimeError, "release unlocked lock"));
    }
    lock.holder = None;
    info.event = Event::Release(l);
    Ok(())
}

pub(super) fn no_kwargs(name: &str, kwargs: &[(String, Value)]) -> Result<(), Exception> {
    match kwargs.first() {
        Some((k, _)) => Err(err(ExcKind::TypeError, format!("{name}() got an unexpected keyword argument '{k}'"))),
        None => Ok(()),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn call_builtin(
    program: &Program,
    state: &mut State,
    tid: Tid,
    callable: &Value,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    info: &mut StepInfo,
) -> Result<Value, Exception> {
    let (b, this, rest): (Builtin, Option<Value>, Vec<Value>) = match callable {
        Value::Bound(b, this) => (*b, Some((**this).clone()), args),
        Value::Builtin(
            b @ (Builtin::LockAcquire
            | Builtin::LockRelease
            | Builtin::LockLocked
            | Builtin::LockExit
            | Builtin::ThreadStart
            | Builtin::ThreadJoin
            | Builtin::ThreadIsAlive
            | Builtin::SyncCall(..)
            | Builtin::ListAppend
            | Builtin::ListMethod(_)
            | Builtin::DictMethod(_)
            | Builtin::CounterMethod(_)
            | Builtin::OrderedMethod(_)
            | Builtin::DequeMethod(_)
            | Builtin::SetMethod(_)
            | Builtin::StrMethod(_)
            | Builtin::DictGet
            | Builtin::ObjectInit
            | Builtin::ExcInit
            | Builtin::ThreadInit),
        ) => {
            let mut args = args;
            if args.is_empty() {
                return Err(err(ExcKind::TypeError, format!("{}() needs its object", b.name())));
            }
            let this = args.remove(0);
            (*b, Some(this), args)
        }
        Value::Builtin(b) => (*b, None, args),
        Value::ExcType(kind) => {
            if !kwargs.is_empty() {
                return Err(err(ExcKind::TypeError, format!("{}() takes no keyword arguments", kind.name())));
            }
            let args = super::invoke::exception_args(*kind, &args)?;
            // `str()` of it runs an argument's `__str__` or `__repr__` only when it is taken
            // (see `Heap::to_str`); the message is for reports.
            let message = match args.iter().any(|a| state.heap.holds_instance(a)) {
                true => super::unwind::RUNS_PYTHON.to_string(),
                false => state.heap.exception_str(*kind, &args),
            };
            return Ok(Value::Exc(Arc::new(Exception { kind: *kind, message, args: Some(args), class: None })));
        }
        other => {
            return Err(err(ExcKind::TypeError, format!("'{}' object is not callable", state.heap.type_name(other))))
        }
    };
    // Keywords to a builtin that takes none (a call through a variable may pass them).
    if let Some(e) = b.keyword_error(&kwargs).or_else(|| b.positional_error(rest.len())) {
        return Err(e);
    }
    match (b, this) {
        (Builtin::Print, _) => super::output::print(state, &rest, &kwargs, info),
        (Builtin::Range, _) => {
            no_kwargs("range", &kwargs)?;
            super::iters::range(&state.heap, &rest)
        }
        (Builtin::Thread, _) => {
            let s = thread_settings(program, state, &rest, kwargs, info)?;
            let id = state.threads.len() as u32;
            let status = ThreadStatus::New { target: s.target, args: s.args, kwargs: s.kwargs };
            let mut th = Thread::new(status, Vec::new(), s.name.into(), s.numbered);
            th.daemon = s.daemon.unwrap_or(state.threads[tid].daemon);
            state.threads.push(Arc::new(super::cached::Cached::new(th)));
            info.footprint.add(Access::Write(Object::Alloc));
            Ok(Value::Thread(id))
        }
        (Builtin::ThreadInit, Some(Value::Obj(inst))) => {
            let t = match state.heap.read(inst, &mut info.footprint) {
                HeapObj::Instance(i) => i.thread,
                _ => None,
            };
            let Some(t) = t else {
                return Err(err(ExcKind::TypeError, "Thread.__init__() needs a Thread instance"));
            };
            thread_init(program, state, tid, t, rest, kwargs, info)?;
            Ok(Value::None)
        }
        (Builtin::ActiveCount, _) => {
            no_kwargs("active_count", &kwargs)?;
            if !rest.is_empty() {
                let was = if rest.len() == 1 { "was" } else { "were" };
                let message = format!("active_count() takes 0 positional arguments but {} {was} given", rest.len());
                return Err(err(ExcKind::TypeError, message));
            }
            Ok(Value::Int(super::threads::active_count(state, &mut info.footprint)))
        }
        (Builtin::CurrentThread | Builtin::MainThread, _) => {
            no_kwargs(b.name(), &kwargs)?;
            if !rest.is_empty() {
                let short = b.name().trim_start_matches("threading.");
                let was = if rest.len() == 1 { "was" } else { "were" };
                return Err(err(
                    ExcKind::TypeError,
                    format!("{short}() takes 0 positional arguments but {} {was} given", rest.len()),
                ));
            }
            let t = if b == Builtin::MainThread { 0 } else { tid };
            // A thread that is an instance of a `threading.Thread` subclass is that instance
            // (`threading.current_thread() is self` in its `run`).
            Ok(match state.threads[t].instance {
                Some(inst) => Value::Obj(inst),
                None => Value::Thread(t as u32),
            })
        }
        (Builtin::SyncNew(kind), _) => {
            sync::construct(state, kind, Args { positional: &rest, keywords: &kwargs }, info)
        }
        (Builtin::Lock, _) => {
            no_kwargs("Lock", &kwargs)?;
            let id = state.locks.len() as u32;
            state.locks.push(LockState { holder: None });
            info.footprint.add(Access::Write(Object::Alloc));
            Ok(Value::Lock(id))
        }
        (Builtin::Sleep, _) => {
            if rest.len() != 1 {
                return Err(err(
                    ExcKind::TypeError,
                    format!("sleep() takes exactly one argument ({} given)", rest.len()),
                ));
            }
            super::numops::check_sleep(&rest[0], &state.heap)?;
            info.event = Event::Sleep;
            Ok(Value::None)
        }
        (Builtin::LockAcquire, Some(Value::Lock(l))) => {
            let args = Args { positional: &rest, keywords: &kwargs };
            let values = sync::c_parse(&args, "acquire", &["blocking", "timeout"], 0)?;
            let wait = sync::lock_wait(values[0], values[1])?;
            if state.locks[l as usize].holder.is_none() {
                acquire(state, tid, l, info);
                Ok(Value::Bool(true))
            } else {
                debug_assert!(wait != sync::Wait::Block);
                info.footprint.add(Access::Read(Object::Lock(l)));
                info.event = Event::AcquireFailed(l);
                Ok(Value::Bool(false))
            }
        }
        (Builtin::LockRelease | Builtin::LockExit, Some(this)) => {
            release(state, tid, &this, info)?;
            Ok(Value::None)
        }
        (Builtin::LockLocked, Some(Value::Lock(l))) => {
            info.footprint.add(Access::Read(Object::Lock(l)));
            Ok(Value::Bool(state.locks[l as usize].holder.is_some()))
        }
        (Builtin::ThreadStart, Some(Value::Thread(t))) => start_thread(program, state, t as usize, info),
        (Builtin::ThreadJoin, Some(Value::Thread(t))) => {
            super::threads::join_thread(state, tid, t as usize, &rest, &kwargs, info)
        }
        (Builtin::ThreadIsAlive, Some(Value::Thread(t))) => {
            info.footprint.add(Access::Read(Object::Thread(t)));
            Ok(Value::Bool(state.threads[t as usize].is_alive()))
        }
        (Builtin::Abs, _) => {
            no_kwargs("abs", &kwargs)?;
            let [v] = rest.as_slice() else { return Err(exactly_one("abs", rest.len())) };
            super::numops::abs(v, &state.heap)
        }
        (Builtin::Float, _) => {
            no_kwargs("float", &kwargs)?;
            super::numops::float(&rest, &state.heap)
        }
        (Builtin::Round, _) => super::numops::round(&rest, &kwargs, &state.heap),
        // `sum(counters, Counter())`.
        (Builtin::Sum, _)
            if matches!(rest.as_slice(), [_, Value::Obj(s)] if state.heap.is_counter(*s)) && kwargs.is_empty() =>
        {
            let [iterable, Value::Obj(start)] = rest.as_slice() else { unreachable!("matched") };
            super::counters::sum(state, tid, *start, iterable, &mut info.footprint)
        }
        (Builtin::Sum, _) => super::numops::sum(&rest, &kwargs, &state.heap, &mut info.footprint),
        (Builtin::Enumerate, _) => super::iters::enumerate(&state.heap, &rest, &kwargs, &mut info.footprint),
        (Builtin::Zip, _) => {
            no_kwargs("zip", &kwargs)?;
            super::iters::zip(&state.heap, &rest, &mut info.footprint)
        }
        (Builtin::Pick, _) => {
            no_kwargs(crate::bytecode::LIBRARY_PICK, &kwargs)?;
            super::randoms::library_pick(program, state, tid, &rest)
        }
        (Builtin::Map, _) => {
            no_kwargs("map", &kwargs)?;
            super::iters::map(&state.heap, &rest, &mut info.footprint)
        }
        (Builtin::Reversed, _) => {
            no_kwargs("reversed", &kwargs)?;
            super::iters::reversed(&state.heap, &rest, &mut info.footprint)
        }
        (Builtin::Any | Builtin::All, _) => {
            no_kwargs(b.name(), &kwargs)?;
            super::numops::any_all(&rest, b == Builtin::All, &state.heap, &mut info.footprint)
        }
        (Builtin::Len, _) => {
            no_kwargs("len", &kwargs)?;
            let [v] = rest.as_slice() else { return Err(exactly_one("len", rest.len())) };
            Ok(Value::Int(state.heap.len_of(v, &mut info.footprint)? as i64))
        }
        (Builtin::IsInstance, _) => {
            no_kwargs("isinstance", &kwargs)?;
            let [v, cls] = rest.as_slice() else {
                return Err(err(ExcKind::TypeError, format!("isinstance expected 2 arguments, got {}", rest.len())));
            };
            Ok(Value::Bool(state.heap.isinstance(v, cls, &mut info.footprint)?))
        }
        (Builtin::Min | Builtin::Max, _) if !kwargs.is_empty() => {
            super::keys::min_max(program, state, tid, b == Builtin::Max, &rest, &kwargs, info)
        }
        (Builtin::Min | Builtin::Max, _) => state.heap.min_max(&rest, b == Builtin::Max, &mut info.footprint),
        (Builtin::Int, _) => {
            let mut rest = rest;
            let given = rest.len() + kwargs.len();
            for (k, v) in kwargs {
                match k.as_str() {
                    "base" if rest.len() >= 2 => {
                        return Err(err(ExcKind::TypeError, format!("int() takes at most 2 arguments ({given} given)")))
                    }
                    // `int(base=2)` without the value is CPython's TypeError.
                    "base" if rest.is_empty() => return Err(err(ExcKind::TypeError, "int() missing string argument")),
                    "base" => rest.push(v),
                    other => {
                        return Err(err(
                            ExcKind::TypeError,
                            format!("'{other}' is an invalid keyword argument for int()"),
                        ))
                    }
                }
            }
            state.heap.to_int(&rest)
        }
        (Builtin::Str, _) => {
            no_kwargs("str", &kwargs)?;
            match rest.as_slice() {
                [] => Ok(Value::Str("".into())),
                [v] => {
                    state.heap.note_reads(v, &mut info.footprint);
                    state.heap.check_str_digits(v)?;
                    Ok(Value::Str(state.heap.to_str(v).into()))
                }
                _ => Err(unsupported("str() with an encoding")),
            }
        }
        (Builtin::Repr, _) => {
            no_kwargs("repr", &kwargs)?;
            match rest.as_slice() {
                [v] => {
                    state.heap.note_reads(v, &mut info.footprint);
                    state.heap.check_repr(v)?;
                    Ok(Value::Str(state.heap.repr(v).into()))
                }
                _ => Err(err(ExcKind::TypeError, format!("repr() takes exactly one argument ({} given)", rest.len()))),
            }
        }
        (Builtin::IntText(t), _) => {
            no_kwargs(t.name(), &kwargs)?;
            let [v] = rest.as_slice() else { return Err(exactly_one(t.name(), rest.len())) };
            super::numops::int_text(t, v, &state.heap)
        }
        (Builtin::DivMod, _) => {
            no_kwargs("divmod", &kwargs)?;
            let [a, b] = rest.as_slice() else {
                return Err(err(ExcKind::TypeError, format!("divmod expected 2 arguments, got {}", rest.len())));
            };
            super::numops::divmod(&state.heap, a, b)
        }
        (Builtin::Bool, _) => {
            no_kwargs("bool", &kwargs)?;
            match rest.as_slice() {
                [] => Ok(Value::Bool(false)),
                [v] => Ok(Value::Bool(state.heap.truthy(v, &mut info.footprint))),
                _ => Err(err(ExcKind::TypeError, format!("bool expected at most 1 argument, got {}", rest.len()))),
            }
        }
        (Builtin::List | Builtin::Tuple, _) => {
            no_kwargs(b.name(), &kwargs)?;
            let items = match rest.as_slice() {
                [] => Vec::new(),
                [v] => state.heap.items_of(v, &mut info.footprint)?,
                _ => {
                    return Err(err(
                        ExcKind::TypeError,
                        format!("{} expected at most 1 argument, got {}", b.name(), rest.len()),
                    ))
                }
            };
            if b == Builtin::Tuple {
                return Ok(Value::Tuple(items.into()));
            }
            Ok(Value::Obj(state.heap.alloc(HeapObj::List(items), &mut info.footprint)))
        }
        (Builtin::Dict, _) => super::dictops::new_dict(&mut state.heap, &rest, &kwargs, &mut info.footprint),
        (Builtin::DefaultDict, _) => super::defaults::new(&mut state.heap, &rest, &kwargs, &mut info.footprint),
        (Builtin::Counter, _) => super::counters::new(&mut state.heap, &rest, &kwargs, &mut info.footprint),
        (Builtin::Deque, _) => super::deques::new(&mut state.heap, &rest, &kwargs, &mut info.footprint),
        (
            b @ (Builtin::Hash
            | Builtin::Callable
            | Builtin::Vars
            | Builtin::SetSwitchInterval
            | Builtin::Clock(_)
            | Builtin::OrderedDict
            | Builtin::OrderedMethod(_)
            | Builtin::Functools(_)
            | Builtin::Operator(_)
            | Builtin::Copy(_)),
            this,
        ) => super::modules::call(program, state, tid, b, this, &rest, &kwargs, info),
        (Builtin::DequeMethod(m), Some(Value::Obj(id))) => {
            super::deques::call(&mut state.heap, m, id, &rest, &kwargs, &mut info.footprint)
        }
        (Builtin::CounterMethod(m), Some(Value::Obj(id))) => {
            super::counters::call(&mut state.heap, m, id, &rest, &kwargs, &mut info.footprint)
        }
        (Builtin::Random(f), _) => {
            no_kwargs(&f.qualname()[7..], &kwargs)?;
            super::randoms::dispatch(program, f, state, tid, &rest, &mut info.footprint)
        }
        (Builtin::Super, _) => {
            no_kwargs("super", &kwargs)?;
            if !rest.is_empty() {
                return Err(unsupported("super() with arguments (write super() in a method)"));
            }
            super::classes::super_object(program, state, tid, &mut info.footprint)
        }
        (Builtin::ExcInit, Some(Value::Obj(inst))) => {
            let (heap, fp) = (&mut state.heap, &mut info.footprint);
            let class = match heap.read(inst, fp) {
                HeapObj::Instance(i) if i.args.is_some() => i.class,
                _ => return Err(err(ExcKind::TypeError, "BaseException.__init__() needs an exception instance")),
            };
            let (name, kind) = match heap.read(class, fp) {
                HeapObj::Class(c) => (c.name.clone(), c.exc.unwrap_or(ExcKind::Exception)),
                _ => ("?".into(), ExcKind::Exception),
            };
            if !kwargs.is_empty() {
                return Err(err(ExcKind::TypeError, format!("{name}() takes no keyword arguments")));
            }
            let args = super::invoke::exception_args(kind, &rest)?;
            if let HeapObj::Instance(i) = heap.write(inst, fp) {
                i.args = Some(args);
            }
            Ok(Value::None)
        }
        (Builtin::ObjectInit, _) => {
            if !rest.is_empty() || !kwargs.is_empty() {
                return Err(err(
                    ExcKind::TypeError,
                    "object.__init__() takes exactly one argument (the instance to initialize)",
                ));
            }
            Ok(Value::None)
        }
        (Builtin::Object, _) => Err(unsupported("object() instances (use a class of the program)")),
        (Builtin::GetAttr | Builtin::SetAttr | Builtin::HasAttr | Builtin::DelAttr | Builtin::Type, _) => {
            no_kwargs(b.name(), &kwargs)?;
            let (heap, fp, t) = (&mut state.heap, &mut info.footprint, tid as u32);
            match b {
                Builtin::GetAttr => super::reflect::getattr(heap, &rest, t, fp),
                Builtin::SetAttr => super::reflect::setattr(heap, &rest, t, fp),
                Builtin::HasAttr => super::reflect::hasattr(heap, &rest, t, fp),
                Builtin::DelAttr => super::reflect::delattr(heap, &rest, fp),
                _ => super::reflect::type_of(heap, &rest, fp),
            }
        }
        (Builtin::Math(f), _) => {
            if !kwargs.is_empty() {
                return Err(err(ExcKind::TypeError, format!("{}() takes no keyword arguments", f.qualname())));
            }
            super::mathmod::call(&state.heap, f, &rest)
        }
        (Builtin::ThreadLocal, _) => {
            if !rest.is_empty() || !kwargs.is_empty() {
                return Err(err(ExcKind::TypeError, "Initialization arguments are not supported"));
            }
            Ok(Value::Obj(state.heap.alloc(HeapObj::Local(Vec::new()), &mut info.footprint)))
        }
        (Builtin::StaticMethod | Builtin::ClassMethod, _) => {
            no_kwargs(b.name(), &kwargs)?;
            match rest.as_slice() {
                [Value::Function(f)] if b == Builtin::StaticMethod => Ok(Value::StaticMethod(f.clone())),
                [Value::Function(f)] => Ok(Value::ClassMethod(f.clone())),
                _ => Err(super::step::unsupported(format!("{}() of something other than a function", b.name()))),
            }
        }
        (Builtin::Property, _) => {
            no_kwargs("property", &kwargs)?;
            match rest.as_slice() {
                [Value::Function(f)] => Ok(Value::Property(Arc::from(vec![f.clone()]))),
                _ => Err(err(ExcKind::TypeError, "property() takes one function (a getter) in the checker")),
            }
        }
        (Builtin::PropertySetter, Some(Value::Property(p))) => {
            no_kwargs("setter", &kwargs)?;
            match rest.as_slice() {
                [Value::Function(f)] => Ok(Value::Property(Arc::from(vec![p[0].clone(), f.clone()]))),
                _ => Err(super::step::unsupported("a property setter other than a function")),
            }
        }
        (Builtin::ListAppend, Some(this @ Value::Obj(id))) => {
            no_kwargs("list.append", &kwargs)?;
            let [v] = rest.as_slice() else {
                return Err(err(
                    ExcKind::TypeError,
                    format!("list.append() takes exactly one argument ({} given)", rest.len()),
                ));
            };
            match state.heap.write_growing(id, &mut info.footprint)? {
                HeapObj::List(items) => {
                    items.push(v.clone());
                    Ok(Value::None)
                }
                _ => Err(err(
                    ExcKind::TypeError,
                    format!("descriptor 'append' for 'list' objects doesn't apply to a '{}' object", this.type_name()),
                )),
            }
        }
        (Builtin::StrMethod(m), Some(Value::Str(s))) => {
            super::strops::call(&mut state.heap, m, &s, &rest, &kwargs, &mut info.footprint)
        }
        (Builtin::DictMethod(m), Some(Value::Obj(id))) => {
            super::dictops::call(&mut state.heap, m, id, &rest, &kwargs, &mut info.footprint)
        }
        (Builtin::SetMethod(m), Some(Value::Obj(id))) => {
            super::sets::call(&mut state.heap, m, id, &rest, &kwargs, &mut info.footprint)
        }
        (Builtin::Set, _) => {
            no_kwargs("set", &kwargs)?;
            super::sets::new_set(&mut state.heap, &rest, &mut info.footprint)
        }
        (Builtin::Sorted, _) if super::keys::key_of(&kwargs).is_some() => {
            super::keys::sorted(program, state, tid, None, &rest, &kwargs, info)
        }
        (Builtin::Sorted, _) => super::listops::sorted(&mut state.heap, &rest, &kwargs, &mut info.footprint),
        (Builtin::ListMethod(super::listops::ListMethod::Sort), Some(Value::Obj(id)))
            if super::keys::key_of(&kwargs).is_some() =>
        {
            super::keys::sorted(program, state, tid, Some(id), &rest, &kwargs, info)
        }
        (Builtin::ListMethod(m), Some(Value::Obj(id))) => {
            super::listops::call(&mut state.heap, m, id, &rest, &kwargs, &mut info.footprint)
        }
        (Builtin::DictGet, Some(this @ Value::Obj(_))) => {
            no_kwargs("dict.get", &kwargs)?;
            let (key, default) = match rest.as_slice() {
                [k] => (k, Value::None),
                [k, d] => (k, d.clone()),
                _ => {
                    let n = rest.len();
                    let what = if n == 0 { "at least 1 argument" } else { "at most 2 arguments" };
                    return Err(err(ExcKind::TypeError, format!("get expected {what}, got {n}")));
                }
            };
            match state.heap.subscr(&this, key, &mut info.footprint) {
                Ok(v) => Ok(v),
                Err(e) if e.kind == ExcKind::KeyError => Ok(default),
                Err(e) => Err(e),
            }
        }
        (b, _) => Err(err(ExcKind::TypeError, format!("{}() called on the wrong kind of object", b.name()))),
    }
}

/// CPython's `TypeError` for a builtin that takes one argument and was given `given`.
pub(super) fn exactly_one(name: &str, given: usize) -> Exception {
    err(ExcKind::TypeError, format!("{name}() takes exactly one argument ({given} given)"))
}
