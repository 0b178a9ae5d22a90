//! Calls of Python code: binding arguments to parameters (CPython's `initialize_locals`, with
//! its errors), function frames, new instances with their `__init__`, and class bodies.

use super::call::MAX_FRAMES;
use super::footprint::Footprint;
use super::heap::{Attr, ClassObj, Heap, HeapObj, InstanceObj};
use super::state::{Frame, FrameRole, State};
use super::step::{err, StepInfo};
use super::value::Builtin;
use super::value::{ExcKind, Exception, Func, Tid, Value};
use crate::bytecode::Program;
use std::sync::Arc;

/// Binds a call's arguments to the parameters of `code` as CPython's `initialize_locals`
/// does (with its errors): the parameters' values in slot order, with the tuple of extra
/// positional arguments for `*args` and a new dict of extra keyword arguments for `**kwargs`.
pub(super) fn bind_args(
    program: &Program,
    func: &Func,
    mut args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    heap: &mut Heap,
    fp: &mut Footprint,
) -> Result<Vec<Value>, Exception> {
    // In the order of CPython's `initialize_locals`: keywords, then the count of positional
    // arguments, then the defaults and what is still missing; messages name the qualname.
    let co = program.code(func.code);
    let runtime: Vec<Value>;
    let defaults: &[Value] = match func.defaults() {
        Some(d) => d,
        None => {
            runtime = co.defaults.iter().map(Value::from_const).collect();
            &runtime
        }
    };
    let argc = co.argcount as usize;
    let kwonly = co.kwonlyargcount as usize;
    let given = args.len();
    let name = &co.qualname;
    let type_error = |msg: String| Err(err(ExcKind::TypeError, msg));
    // The positional slots, then the keyword-only ones; what is beyond goes to `*args`.
    let extra: Vec<Value> = if given > argc { args.split_off(argc) } else { Vec::new() };
    args.resize(argc + kwonly, Value::Null);
    let mut extra_kw: Vec<(Value, Value)> = Vec::new();
    for (k, v) in kwargs {
        match co.varnames[..argc + kwonly].iter().position(|p| *p == k) {
            Some(i) if args[i] == Value::Null => args[i] = v,
            Some(_) => return type_error(format!("{name}() got multiple values for argument '{k}'")),
            None if co.varkw => extra_kw.push((Value::Str(k.into()), v)),
            None => return type_error(format!("{name}() got an unexpected keyword argument '{k}'")),
        }
    }
    let defcount = defaults.len().min(argc);
    if given > argc && !co.varargs {
        let (sig, plural) = match defcount {
            0 => (argc.to_string(), argc != 1),
            d => (format!("from {} to {argc}", argc - d), true),
        };
        // `too_many_positional`: the keyword-only arguments given by keyword are counted too.
        let kwonly_given = args[argc..].iter().filter(|v| **v != Value::Null).count();
        let kwonly_sig = match kwonly_given {
            0 => String::new(),
            k => format!(
                " positional argument{} (and {k} keyword-only argument{})",
                if given != 1 { "s" } else { "" },
                if k != 1 { "s" } else { "" }
            ),
        };
        return type_error(format!(
            "{name}() takes {sig} positional argument{} but {given}{kwonly_sig} {} given",
            if plural { "s" } else { "" },
            if given == 1 && kwonly_given == 0 { "was" } else { "were" }
        ));
    }
    let first_default = argc - defcount;
    for (slot, d) in args[first_default..argc].iter_mut().zip(&defaults[defaults.len() - defcount..]) {
        if *slot == Value::Null {
            *slot = d.clone();
        }
    }
    let names = |missing: &[String]| match missing {
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [init @ .., last] => format!("{}, and {last}", init.join(", ")),
        [] => String::new(),
    };
    let missing: Vec<String> =
        (0..first_default).filter(|&i| args[i] == Value::Null).map(|i| format!("'{}'", co.varnames[i])).collect();
    if !missing.is_empty() {
        let n = missing.len();
        return type_error(format!(
            "{name}() missing {n} required positional argument{}: {}",
            if n == 1 { "" } else { "s" },
            names(&missing)
        ));
    }
    let mut missing = Vec::new();
    for i in argc..argc + kwonly {
        if args[i] != Value::Null {
            continue;
        }
        match co.kwdefaults.iter().find(|(n, _)| *n == co.varnames[i]) {
            Some((_, d)) => args[i] = Value::from_const(d),
            None => missing.push(format!("'{}'", co.varnames[i])),
        }
    }
    if !missing.is_empty() {
        let n = missing.len();
        return type_error(format!(
            "{name}() missing {n} required keyword-only argument{}: {}",
            if n == 1 { "" } else { "s" },
            names(&missing)
        ));
    }
    if co.varargs {
        args.push(Value::Tuple(extra.into()));
    }
    if co.varkw {
        args.push(Value::Obj(heap.alloc(HeapObj::Dict(extra_kw), fp)));
    }
    Ok(args)
}

pub(super) fn call_function(
    program: &Program,
    state: &mut State,
    tid: Tid,
    func: &Func,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    fp: &mut Footprint,
) -> Result<(), Exception> {
    let args = bind_args(program, func, args, kwargs, &mut state.heap, fp)?;
    let th = state.thread_mut(tid);
    if th.frames.len() >= MAX_FRAMES {
        return Err(err(ExcKind::RecursionError, "maximum recursion depth exceeded"));
    }
    th.frames.push(Frame::call(program, func, &args));
    Ok(())
}

/// `C(args...)`: a new instance of class `class`, then its `__init__` (if it has one) in a
/// Python frame whose return hands the instance to the caller.
pub(super) fn instantiate(
    program: &Program,
    state: &mut State,
    tid: Tid,
    class: u32,
    mut args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
    info: &mut StepInfo,
) -> Result<(), Exception> {
    let init = match state.heap.get_attr(&Value::Obj(class), "__init__", &mut info.footprint) {
        Ok(Attr::Value(Value::Function(f))) => Some(f),
        _ => None,
    };
    let (name, is_thread, exc) = match state.heap.peek(class) {
        HeapObj::Class(c) => (c.name.clone(), c.thread, c.exc),
        _ => ("?".into(), false, None),
    };
    // An exception's `BaseException.__new__` keeps the positional arguments as `args`; its
    // `__init__`, unless the class overrides it, takes no keywords.
    let exc_args = match exc {
        Some(k) => {
            if init.is_none() && !kwargs.is_empty() {
                return Err(err(ExcKind::TypeError, format!("{name}() takes no keyword arguments")));
            }
            Some(exception_args(k, &args)?)
        }
        None if init.is_none() && !is_thread && !(args.is_empty() && kwargs.is_empty()) => {
            return Err(err(ExcKind::TypeError, format!("{name}() takes no arguments")));
        }
        None => None,
    };
    // An instance of a `threading.Thread` subclass is a thread too: made here, not started,
    // without a name until `Thread.__init__` runs (`start()` refuses it before that).
    let thread = is_thread.then(|| {
        let t = state.threads.len() as u32;
        let mut th = super::state::Thread::new(
            super::state::ThreadStatus::New {
                target: Value::None,
                args: Value::Tuple(Vec::new().into()),
                kwargs: Value::None,
            },
            Vec::new(),
            "".into(),
            false,
        );
        th.instance = Some(state.heap.len() as u32);
        state.threads.push(std::sync::Arc::new(super::cached::Cached::new(th)));
        info.footprint.add(super::footprint::Access::Write(super::footprint::Object::Alloc));
        t
    });
    let inst = state.heap.alloc(
        HeapObj::Instance(InstanceObj { class, attrs: Vec::new(), thread, args: exc_args }),
        &mut info.footprint,
    );
    debug_assert!(thread.is_none_or(|t| state.threads[t as usize].instance == Some(inst)));
    let Some(f) = init else {
        if let Some(t) = thread {
            super::threads::thread_init(program, state, tid, t, args, kwargs, info)?;
        }
        let frame = state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame");
        frame.stack.push(Value::Obj(inst));
        return Ok(());
    };
    args.insert(0, Value::Obj(inst));
    call_function(program, state, tid, &f, args, kwargs, &mut info.footprint)?;
    let th = state.thread_mut(tid);
    th.frames.last_mut().expect("[internal bug] frame").role = FrameRole::Init(inst);
    Ok(())
}

/// The `args` of an exception of type `kind` (or a class derived from it) made with `args`.
/// An `OSError`'s `str()` with two or more arguments shows an errno (`[Errno 2] ...`), which is
/// not modelled.
pub(super) fn exception_args(kind: ExcKind, args: &[Value]) -> Result<Arc<[Value]>, Exception> {
    if kind.is_subclass_of(ExcKind::OSError) && args.len() > 1 {
        return Err(super::step::unsupported(format!("{}() with more than one argument (an errno)", kind.name())));
    }
    Ok(args.into())
}

/// `__build_class__(body, name)`: a new class, then its body in a Python frame whose names live
/// in the class namespace and whose return hands the class to the caller.
pub(super) fn build_class(
    program: &Program,
    state: &mut State,
    tid: Tid,
    args: Vec<Value>,
    info: &mut StepInfo,
) -> Result<(), Exception> {
    let (code, name, base) = match args.as_slice() {
        [Value::Function(f), Value::Str(name)] => (f.clone(), name.clone(), None),
        [Value::Function(f), Value::Str(name), base] => (f.clone(), name.clone(), Some(base)),
        [Value::Function(_), Value::Str(_), _, ..] => {
            return Err(err(ExcKind::Unsupported, "a class with more than one base class (multiple inheritance)"))
        }
        _ => return Err(err(ExcKind::TypeError, "__build_class__: the class body must be a function and a name")),
    };
    let (base, thread, exc) = match base {
        None | Some(Value::Builtin(Builtin::Object)) => (None, false, None),
        Some(Value::Builtin(Builtin::Thread)) => (None, true, None),
        Some(Value::ExcType(k)) if !k.is_checker_stop() && *k != ExcKind::MemoryLimit => (None, false, Some(*k)),
        Some(Value::Obj(b)) if matches!(state.heap.read(*b, &mut info.footprint), HeapObj::Class(_)) => {
            let (thread, exc) = match state.heap.peek(*b) {
                HeapObj::Class(c) => (c.thread, c.exc),
                _ => (false, None),
            };
            (Some(*b), thread, exc)
        }
        // CPython derives the metaclass from the base's type, with effects of that type's own
        // (`class A(1)` calls `int`); only the program's classes are modelled as bases.
        Some(other) => {
            return Err(err(
                ExcKind::Unsupported,
                format!(
                    "a class whose base is a '{}' (a base must be a class of the program)",
                    state.heap.type_name(other)
                ),
            ))
        }
    };
    let class =
        state.heap.alloc(HeapObj::Class(ClassObj { name, base, thread, exc, attrs: Vec::new() }), &mut info.footprint);
    let th = state.thread_mut(tid);
    if th.frames.len() >= MAX_FRAMES {
        return Err(err(ExcKind::RecursionError, "maximum recursion depth exceeded"));
    }
    let mut frame = Frame::call(program, &code, &[]);
    frame.role = FrameRole::ClassBody(class);
    th.frames.push(frame);
    Ok(())
}

/// A fresh frame running `code` for `role`, its parameters bound to `args` (checked).
pub(super) fn method_frame(
    program: &Program,
    func: &Func,
    args: Vec<Value>,
    role: FrameRole,
    heap: &mut super::heap::Heap,
    fp: &mut super::footprint::Footprint,
) -> Result<Frame, Exception> {
    let args = bind_args(program, func, args, Vec::new(), heap, fp)?;
    let mut frame = Frame::call(program, func, &args);
    frame.role = role;
    Ok(frame)
}
