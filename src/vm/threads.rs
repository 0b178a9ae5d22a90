//! `threading.Thread` objects: what `Thread(...)` and `Thread.__init__` are given, naming, and
//! `start()`, which binds the target (or a subclass's own `run()`) and the arguments in the new
//! thread's first frame.

use super::footprint::{Access, Footprint, Object};
use super::heap::HeapObj;
use super::invoke::bind_args;
use super::state::{Frame, FrameRole, State, ThreadStatus};
use super::step::{err, unsupported, Event, StepInfo};
use super::value::{ExcKind, Exception, Tid, Value};
use crate::bytecode::{Instr, Program};
use std::sync::Arc;

pub(super) fn start_thread(
    program: &Program,
    state: &mut State,
    t: Tid,
    info: &mut StepInfo,
) -> Result<Value, Exception> {
    let ThreadStatus::New { target, args, kwargs } = &state.threads[t].status else {
        return Err(err(ExcKind::RuntimeError, "threads can only be started once"));
    };
    info.footprint.add(Access::Write(Object::Thread(t as u32)));
    if state.threads[t].name.is_empty() {
        return Err(err(ExcKind::RuntimeError, "thread.__init__() not called"));
    }
    let (mut target, mut args, mut kwargs) = (target.clone(), args.clone(), kwargs.clone());
    // A `threading.Thread` subclass runs its own `run()` when it defines one (the default
    // `run()` calls the target).
    if let Some(inst) = state.threads[t].instance {
        if let Ok(super::heap::Attr::Method(f, this)) =
            state.heap.get_attr(&Value::Obj(inst), "run", &mut info.footprint)
        {
            target = Value::Method(f, this);
            args = Value::Tuple(Vec::new().into());
            kwargs = Value::None;
        }
    }
    // An instance whose class defines `__call__`: `run()` calls its method.
    if let Value::Obj(id) = target {
        if let Some(Some(f)) = super::call::call_method(&state.heap, id) {
            target = Value::Method(f, id);
        }
    }
    info.event = Event::Start(t);
    let (heap, fp) = (&mut state.heap, &mut info.footprint);
    let outcome = match (&target, &args) {
        // A list (or any other heap object) as `args=`, or `kwargs=`: `run()` unpacks them in
        // the new thread, when it runs, so what they hold then is what the target gets.
        (Value::Function(f) | Value::Method(f, _), _) if matches!(args, Value::Obj(_)) || kwargs != Value::None => {
            let mut frame = Frame::call(program, f, &[]);
            frame.role = FrameRole::Bind;
            // The target itself (its defaults bind too), then what `run()` unpacks.
            frame.stack = smallvec::smallvec![target.clone(), args, kwargs];
            let th = state.thread_mut(t);
            th.status = ThreadStatus::Alive;
            th.frames = vec![frame];
            return Ok(Value::None);
        }
        (Value::Function(f), Value::Tuple(items)) => {
            bind_args(program, f, items.to_vec(), Vec::new(), heap, fp).map(|a| (f.clone(), a))
        }
        (Value::Method(f, this), Value::Tuple(items)) => {
            let mut a = vec![Value::Obj(*this)];
            a.extend(items.iter().cloned());
            bind_args(program, f, a, Vec::new(), heap, fp).map(|a| (f.clone(), a))
        }
        (Value::Function(f), other) | (Value::Method(f, _), other) => Err(err(
            ExcKind::TypeError,
            format!(
                "__main__.{}() argument after * must be an iterable, not {}",
                program.code(f.code).qualname,
                other.type_name()
            ),
        )),
        // `Thread(target=partial(f, x), args=(y,))`: `run()` calls the partial, which calls `f`
        // with its own arguments first.
        (Value::Partial(p), Value::Tuple(items)) if kwargs == Value::None => {
            let (func, all, keywords) = super::functools::unwrap_call(p, items.to_vec(), Vec::new());
            match func {
                Value::Function(f) => bind_args(program, &f, all, keywords, heap, fp).map(|a| (f, a)),
                Value::Method(f, this) => {
                    let mut a = vec![Value::Obj(this)];
                    a.extend(all);
                    bind_args(program, &f, a, keywords, heap, fp).map(|a| (f, a))
                }
                other => {
                    return Err(unsupported(format!(
                        "a thread target that is a functools.partial of a {} (of a function or method is)",
                        state.heap.type_name(&other)
                    )))
                }
            }
        }
        (Value::None, _) => {
            state.thread_mut(t).status = ThreadStatus::Finished;
            return Ok(Value::None);
        }
        (
            v @ (Value::Int(_) | Value::Big(_) | Value::Float(_) | Value::Bool(_) | Value::Str(_) | Value::Tuple(_)),
            _,
        ) => Err(err(ExcKind::TypeError, format!("'{}' object is not callable", v.type_name()))),
        (other, _) => {
            return Err(unsupported(format!(
                "a thread target of type '{}' (functions and bound methods are)",
                state.heap.type_name(other)
            )))
        }
    };
    let th = state.thread_mut(t);
    match outcome {
        Ok((f, a)) => {
            th.status = ThreadStatus::Alive;
            th.frames = vec![Frame::call(program, &f, &a)];
        }
        Err(e) => {
            // The new thread dies on its first step: the run has a failed thread from here on,
            // so the step says so (explorers look at the status after a raise).
            let line = program.code(0).first_line;
            let exc = Arc::new(e);
            th.status = ThreadStatus::Failed { exc: exc.clone(), line };
            info.event = Event::Raise(exc);
        }
    }
    Ok(Value::None)
}

/// What `threading.Thread(...)` (or `Thread.__init__`) was given, with the thread's name.
pub(super) struct Settings {
    /// `target=`.
    pub target: Value,
    /// `args=`.
    pub args: Value,
    /// `kwargs=` (`Value::None` when not given).
    pub kwargs: Value,
    /// The name given, or CPython's `Thread-N (target)`.
    pub name: String,
    /// Whether the name came from the counter.
    pub numbered: bool,
    /// `daemon=` (`None`: the creating thread's flag).
    pub daemon: Option<bool>,
}

/// What `threading.Thread(...)` (or `Thread.__init__`) is given: the target, its `args=`, the
/// name (CPython's `Thread-N (target)` when none is given) and whether it came from the counter.
pub(super) fn thread_settings(
    program: &Program,
    state: &State,
    rest: &[Value],
    kwargs: Vec<(String, Value)>,
    info: &mut StepInfo,
) -> Result<Settings, Exception> {
    if !rest.is_empty() {
        return Err(unsupported("threading.Thread() with positional arguments (Thread(target=f, args=(...)) is)"));
    }
    let mut target = Value::None;
    let mut targs = Value::Tuple(Arc::from(Vec::new()));
    let mut name = Value::None;
    let mut tkwargs = Value::None;
    let mut daemon = None;
    for (k, v) in kwargs {
        match k.as_str() {
            "target" => target = v,
            "args" => targs = v,
            "kwargs" => tkwargs = v,
            "name" => name = v,
            "daemon" => match v {
                Value::None => {}
                Value::Bool(b) if !b || program.daemons => daemon = Some(b),
                Value::Bool(_) => return Err(unsupported("a daemon thread the front end did not find")),
                other => {
                    return Err(unsupported(format!("daemon={} (True or False is)", state.heap.type_name(&other))))
                }
            },
            other => {
                return Err(unsupported(format!(
                    "threading.Thread(..., {other}=...) (target=, args=, kwargs=, name= and daemon=False are)"
                )))
            }
        }
    }
    // threading.py: a false name becomes `Thread-N` from a counter only such names advance,
    // followed by ` (target)` when the target has a `__name__`.
    if state.heap.truthy(&name, &mut info.footprint) {
        let name = state.heap.to_str(&name);
        return Ok(Settings { target, args: targs, kwargs: tkwargs, name, numbered: false, daemon });
    }
    let n = 1 + state.threads.iter().filter(|t| t.numbered).count();
    let target_name = match &target {
        Value::Function(f) | Value::Method(f, _) => match super::attrs::function_attr(program, f, "__name__") {
            Some(Value::Str(n)) => Some(n.to_string()),
            _ => Some(program.code(f.code).name.clone()),
        },
        Value::Bound(b, _) => b.name().rsplit('.').next().map(str::to_string),
        Value::Builtin(b) => b.name().rsplit('.').next().map(str::to_string),
        _ => None,
    };
    let name = match target_name {
        Some(t) => format!("Thread-{n} ({t})"),
        None => format!("Thread-{n}"),
    };
    Ok(Settings { target, args: targs, kwargs: tkwargs, name, numbered: true, daemon })
}

/// `Thread.__init__` of thread `t` (an instance of a `threading.Thread` subclass).
pub(super) fn thread_init(
    program: &Program,
    state: &mut State,
    tid: Tid,
    t: u32,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    info: &mut StepInfo,
) -> Result<(), Exception> {
    if !matches!(state.threads[t as usize].status, ThreadStatus::New { .. }) {
        return Err(unsupported("Thread.__init__() of a thread that has started"));
    }
    let s = thread_settings(program, state, &args, kwargs, info)?;
    info.footprint.add(Access::Write(Object::Thread(t)));
    let daemon = s.daemon.unwrap_or(state.threads[tid].daemon);
    let th = state.thread_mut(t as usize);
    th.status = ThreadStatus::New { target: s.target, args: s.args, kwargs: s.kwargs };
    th.name = s.name.into();
    th.numbered = s.numbered;
    th.daemon = daemon;
    Ok(())
}

/// The main thread's code has ended in a program that may have daemon threads: the frame whose
/// `RETURN_VALUE` (at `pc` of `code`, returning `v`) it runs again once every thread that is not
/// a daemon has ended ([`super::blocker`] waits for them); that step ends the daemons
/// ([`end_daemons`]). Meanwhile the daemons run on, as they do in CPython while its exit waits.
pub(super) fn exit_wait_frame(
    program: &Program,
    code: crate::bytecode::CodeId,
    pc: u32,
    v: Value,
) -> super::state::Frame {
    let mut f = super::state::Frame::new(program, code, &[]);
    f.pc = pc;
    f.stack.push(v);
    f
}

/// The interpreter's exit ends every daemon thread still alive, wherever it is.
pub(super) fn end_daemons(state: &mut State, info: &mut StepInfo) {
    for t in 0..state.threads.len() {
        if state.threads[t].daemon && state.threads[t].is_alive() {
            state.thread_mut(t).status = ThreadStatus::Finished;
            info.footprint.add(Access::Write(Object::Thread(t as u32)));
        }
    }
}

/// `self.daemon = ...` on a `threading.Thread` subclass instance of thread `t`: before it starts
/// (after, CPython's RuntimeError).
pub(super) fn set_daemon(state: &mut State, t: u32, daemon: bool, info: &mut StepInfo) -> Result<(), Exception> {
    if !matches!(state.threads[t as usize].status, ThreadStatus::New { .. }) {
        return Err(super::step::err(ExcKind::RuntimeError, "cannot set daemon status of active thread"));
    }
    info.footprint.add(Access::Write(Object::Thread(t)));
    state.thread_mut(t as usize).daemon = daemon;
    Ok(())
}

/// While the main thread's exit waits: a thread that is not a daemon and has not ended.
pub(super) fn exit_waits_for(state: &State) -> Option<Tid> {
    (1..state.threads.len()).find(|&t| !state.threads[t].daemon && state.threads[t].is_alive())
}

/// `Thread.join(timeout=None)` of thread `t` by thread `tid`, once it may run: the thread has
/// ended, or the timeout expired first (the checker does not model time, so a timed join of a
/// live thread may always return).
pub(super) fn join_thread(
    state: &State,
    tid: Tid,
    t: Tid,
    rest: &[Value],
    kwargs: &[(String, Value)],
    info: &mut StepInfo,
) -> Result<Value, Exception> {
    info.footprint.add(Access::Read(Object::Thread(t as u32)));
    if rest.len() > 1 {
        let given = rest.len() + 1;
        return Err(err(
            ExcKind::TypeError,
            format!("Thread.join() takes from 1 to 2 positional arguments but {given} were given"),
        ));
    }
    if let Some((k, _)) = kwargs.iter().find(|(k, _)| k != "timeout" || !rest.is_empty()) {
        let message = if k == "timeout" {
            "Thread.join() got multiple values for argument 'timeout'".to_string()
        } else {
            format!("Thread.join() got an unexpected keyword argument '{k}'")
        };
        return Err(err(ExcKind::TypeError, message));
    }
    let timeout = rest.first().or_else(|| kwargs.first().map(|(_, v)| v));
    match &state.threads[t].status {
        ThreadStatus::New { .. } => Err(err(ExcKind::RuntimeError, "cannot join thread before it is started")),
        _ if t == tid => Err(err(ExcKind::RuntimeError, "cannot join current thread")),
        _ if super::sync::plain_wait(timeout, "Thread.join")? == super::sync::Wait::Timed
            && state.threads[t].is_alive() =>
        {
            info.event = Event::TimedOut;
            Ok(Value::None)
        }
        _ => {
            info.event = Event::Join(t);
            Ok(Value::None)
        }
    }
}

/// The first step of a thread started with a list as `args=` or with `kwargs=`: what
/// `Thread.run()` does in the new thread, `target(*args, **kwargs)`, reading the list and the
/// dict now and binding them to the target's parameters (a failure raises in the new thread).
pub(super) fn bind_if_pending(
    program: &Program,
    state: &mut State,
    tid: Tid,
    info: &mut StepInfo,
) -> Result<(), Exception> {
    let Some(frame) = state.threads[tid].frames.last().filter(|f| f.role == FrameRole::Bind) else {
        return Ok(());
    };
    let fp = &mut info.footprint;
    let code = frame.code;
    let qualname = &program.code(code).qualname;
    let [target, args, kwargs] = &frame.stack[..] else { panic!("[internal bug] a binding frame's stack") };
    let (func, mut positional) = match target {
        Value::Method(f, this) => (f.clone(), vec![Value::Obj(*this)]),
        Value::Function(f) => (f.clone(), Vec::new()),
        _ => panic!("[internal bug] a binding frame's target"),
    };
    match args {
        Value::Tuple(items) => positional.extend(items.iter().cloned()),
        Value::Obj(_) => positional.extend(state.heap.items_of(args, fp)?),
        other => {
            return Err(err(
                ExcKind::TypeError,
                format!(
                    "__main__.{qualname}() argument after * must be an iterable, not {}",
                    state.heap.type_name(other)
                ),
            ))
        }
    }
    let mut keywords = Vec::new();
    match kwargs {
        Value::None => {}
        Value::Obj(id) => match state.heap.read(*id, fp) {
            super::heap::HeapObj::Dict(pairs) => {
                for (k, v) in pairs {
                    let Value::Str(k) = k else {
                        return Err(err(ExcKind::TypeError, "keywords must be strings"));
                    };
                    keywords.push((k.to_string(), v.clone()));
                }
            }
            _ => {
                return Err(err(
                    ExcKind::TypeError,
                    format!(
                        "__main__.{qualname}() argument after ** must be a mapping, not {}",
                        state.heap.type_name(kwargs)
                    ),
                ))
            }
        },
        other => {
            return Err(err(
                ExcKind::TypeError,
                format!(
                    "__main__.{qualname}() argument after ** must be a mapping, not {}",
                    state.heap.type_name(other)
                ),
            ))
        }
    }
    let bound = bind_args(program, &func, positional, keywords, &mut state.heap, fp)?;
    let th = state.thread_mut(tid);
    let frame = th.frames.last_mut().expect("[internal bug] binding with no frame");
    for (slot, v) in frame.locals.iter_mut().zip(bound) {
        *slot = v;
    }
    frame.stack.clear();
    frame.role = FrameRole::Call;
    Ok(())
}

/// The value of `t.name` or `t.daemon` when the next instruction of `tid` loads one of them
/// from a thread (read here, before [`exec`] borrows the stepping thread; neither changes after
/// the thread is made, so the read is no access to shared state), or from an instance of a
/// `threading.Thread` subclass that does not define them itself (then with the thread, whose
/// name `Thread.__init__` sets: a read of it).
pub(super) fn thread_attribute(program: &Program, state: &State, tid: Tid) -> Option<(Value, Option<u32>)> {
    let frame = state.threads[tid].frames.last()?;
    let code = program.code(frame.code);
    let (Instr::LoadAttr(i) | Instr::LoadMethod(i)) = code.instrs.get(frame.pc as usize)? else { return None };
    let name = code.names[*i as usize].as_str();
    let (t, via) = match frame.stack.last()? {
        Value::Thread(t) => (*t, None),
        Value::Obj(id) => match state.heap.peek(*id) {
            HeapObj::Instance(inst) if inst.thread.is_some() => {
                let own = inst.attrs.iter().any(|(n, _)| &**n == name)
                    || state.heap.class_attr(inst.class, name, &mut Footprint::default()).is_some();
                if own {
                    return None;
                }
                let t = inst.thread?;
                (t, Some(t))
            }
            _ => return None,
        },
        _ => return None,
    };
    match name {
        "name" => Some((Value::Str(state.threads.get(t as usize)?.name.clone()), via)),
        "daemon" => Some((Value::Bool(state.threads.get(t as usize)?.daemon), via)),
        _ => None,
    }
}

/// `threading.active_count()`: `len(_active) + len(_limbo)`, the main thread and every thread
/// started that has not yet left the table on its way out ([`super::state::Thread::deleted`]).
/// It reads every thread's life cycle.
pub(super) fn active_count(state: &State, fp: &mut super::footprint::Footprint) -> i64 {
    let mut n = 0;
    for (t, th) in state.threads.iter().enumerate() {
        fp.add(Access::Read(Object::Thread(t as u32)));
        n += i64::from(t == 0 || (th.is_alive() && !th.deleted));
    }
    n
}
