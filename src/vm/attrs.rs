//! Attributes of the values that are not heap objects (modules, locks, threads, strs, builtins:
//! [`get_attr`]), and of the built-in types that the checker models only in part. An attribute that
//! CPython 3.11 has but the checker does not model stops the run as unsupported; only an
//! attribute that CPython itself lacks is the program's `AttributeError`. Also the lookup of a
//! global name, which falls back to the builtins ([`load_global`]).

use super::step::{err, unsupported};
use super::sync::{SyncKind, SyncMethod};
use super::value::{Builtin, ExcKind, Exception, Func, Module, Value};
use crate::bytecode::Program;

const FUNCTION: &[&str] = &["__name__", "__qualname__", "__doc__", "__module__", "__defaults__", "__code__"];

/// CPython 3.11's public attributes of `type_name` (dunder names are handled separately), or
/// `None` for the library objects (`threading`, `queue`, modules), whose every attribute the
/// checker does not model counts as unsupported.
fn cpython_attrs(type_name: &str) -> Option<&'static [&'static str]> {
    if let Some(attrs) = crate::pyattrs::cpython_attrs(type_name) {
        return Some(attrs);
    }
    Some(match type_name {
        "function" | "method" => FUNCTION,
        "NoneType" | "range_iterator" | "tuple_iterator" | "list_iterator" | "dict_keyiterator" | "property" => &[],
        _ => return None,
    })
}

/// The error for `obj.name` on a built-in object of type `type_name` (`owner` names it in the
/// message, e.g. `'list' object`) that the checker could not resolve: a checker stop when
/// CPython has the attribute (or might: dunders, library objects), else CPython's own
/// `AttributeError`.
pub(super) fn missing(type_name: &str, owner: &str, name: &str) -> Exception {
    let dunder = name.len() > 4 && name.starts_with("__") && name.ends_with("__");
    match cpython_attrs(type_name) {
        Some(known) if !dunder && !known.contains(&name) => {
            err(ExcKind::AttributeError, format!("{owner} has no attribute '{name}'"))
        }
        _ => unsupported(format!("the attribute '{name}' of {owner}")),
    }
}

/// The error for a missing `name` on an instance or a class of the program: CPython's own
/// `AttributeError`, except for dunder names, which CPython's `object` provides (not modelled).
pub(super) fn missing_on_class(owner: &str, name: &str) -> Exception {
    if name.len() > 4 && name.starts_with("__") && name.ends_with("__") {
        return unsupported(format!("the attribute '{name}' of {owner}"));
    }
    err(ExcKind::AttributeError, format!("{owner} has no attribute '{name}'"))
}

/// `IMPORT_NAME name` with `fromlist`: the module, or for `import a.b` (no fromlist) the
/// package `a`.
pub(super) fn import(name: &str, fromlist: &Value) -> Result<Module, Exception> {
    Ok(match name {
        "concurrent" => Module::Concurrent,
        "concurrent.futures" if *fromlist == Value::None => Module::Concurrent,
        "concurrent.futures" => Module::Futures,
        "threading" => Module::Threading,
        "time" => Module::Time,
        "queue" => Module::Queue,
        "__future__" => Module::Future,
        "typing" => Module::Typing,
        "math" => Module::Math,
        "collections" => Module::Collections,
        "random" => Module::Random,
        "functools" => Module::Functools,
        "operator" => Module::Operator,
        "copy" => Module::Copy,
        "sys" => Module::Sys,
        other => return Err(err(ExcKind::ModuleNotFoundError, format!("No module named '{other}'"))),
    })
}

/// `obj.name`, where `obj` may also be a library module whose names are globals of the program
/// (`concurrent.futures`, and `threading.Timer`).
pub(crate) fn get_attr_in(program: &Program, globals: &[Value], obj: &Value, name: &str) -> Result<Value, Exception> {
    if let Value::Function(f) = obj {
        if let Some(v) = function_attr(program, f, name) {
            return Ok(v);
        }
    }
    let prelude = match obj {
        Value::Module(Module::Futures) if crate::bytecode::FUTURES_EXPORTS.contains(&name) => {
            Some(crate::bytecode::FUTURES)
        }
        Value::Module(Module::Threading) if crate::bytecode::THREADING_EXPORTS.contains(&name) => {
            Some(crate::bytecode::THREADING)
        }
        _ => None,
    };
    if let Some(slot) = prelude.and_then(|module| program.library_global(module, name)) {
        return Ok(globals[slot as usize].clone());
    }
    get_attr(obj, name)
}

/// `f.__name__`, `f.__qualname__`, `f.__module__`, `f.__doc__` and (after `functools.wraps`)
/// `f.__wrapped__`; `None` for the attributes the checker does not model.
pub(crate) fn function_attr(program: &Program, f: &Func, name: &str) -> Option<Value> {
    if let Some(w) = f.wrapped() {
        match (name, &**w) {
            ("__wrapped__", w) => return Some(w.clone()),
            ("__name__" | "__qualname__" | "__doc__" | "__module__", Value::Function(inner)) => {
                return function_attr(program, inner, name)
            }
            _ => {}
        }
    }
    let code = program.code(f.code);
    Some(match name {
        "__name__" => Value::Str(code.name.as_str().into()),
        "__qualname__" => Value::Str(code.qualname.as_str().into()),
        // The library's own functions live in other modules, which the checker does not name.
        "__module__" if !program.is_library(f.code) => Value::Str("__main__".into()),
        // CPython 3.11 makes a function's docstring its first constant (a function without one
        // gets None there; a lambda has none).
        "__doc__" => match code.consts.first() {
            Some(crate::bytecode::Const::Str(s)) if code.name != "<lambda>" => Value::Str(s.clone()),
            _ => Value::None,
        },
        _ => return None,
    })
}

/// `obj.name`.
pub(crate) fn get_attr(obj: &Value, name: &str) -> Result<Value, Exception> {
    let found = match (obj, name) {
        (Value::Module(Module::Threading), "Thread") => Some(Value::Builtin(Builtin::Thread)),
        (Value::Module(Module::Threading), "Lock") => Some(Value::Builtin(Builtin::Lock)),
        (Value::Module(Module::Threading), "current_thread") => Some(Value::Builtin(Builtin::CurrentThread)),
        (Value::Module(Module::Threading), "active_count") => Some(Value::Builtin(Builtin::ActiveCount)),
        (Value::Module(Module::Threading), "main_thread") => Some(Value::Builtin(Builtin::MainThread)),
        (Value::Module(Module::Threading), "local") => Some(Value::Builtin(Builtin::ThreadLocal)),
        (Value::Module(Module::Math), name) => super::mathmod::MathFn::lookup(name).map(|r| match r {
            Ok(f) => Value::Builtin(Builtin::Math(f)),
            Err(constant) => constant,
        }),
        (Value::Module(Module::Time), "sleep") => Some(Value::Builtin(Builtin::Sleep)),
        (Value::Module(Module::Time), name) => {
            super::clock::ClockKind::lookup(name).map(|k| Value::Builtin(Builtin::Clock(k)))
        }
        (Value::Module(Module::Collections), "defaultdict") => Some(Value::Builtin(Builtin::DefaultDict)),
        (Value::Module(Module::Collections), "Counter") => Some(Value::Builtin(Builtin::Counter)),
        (Value::Module(Module::Collections), "deque") => Some(Value::Builtin(Builtin::Deque)),
        (Value::Module(Module::Collections), "OrderedDict") => Some(Value::Builtin(Builtin::OrderedDict)),
        (Value::Module(Module::Random), name) => {
            super::randoms::RandomFn::lookup(name).map(|f| Value::Builtin(Builtin::Random(f)))
        }
        (Value::Module(Module::Functools), name) => super::functools::FunctoolsFn::lookup(name).map(Value::Builtin),
        (Value::Module(Module::Operator), name) => super::operators::OperatorFn::lookup(name).map(Value::Builtin),
        (Value::Module(Module::Copy), name) => super::copying::CopyFn::lookup(name).map(Value::Builtin),
        (Value::Module(Module::Sys), "setswitchinterval") => Some(Value::Builtin(Builtin::SetSwitchInterval)),
        (Value::Partial(p), "func") => Some(p.func.clone()),
        (Value::Partial(p), "args") => Some(Value::Tuple(p.args.clone())),
        (Value::Module(Module::Concurrent), "futures") => Some(Value::Module(Module::Futures)),
        (Value::Module(Module::Future), "annotations") => Some(Value::Module(Module::Future)),
        (Value::Module(Module::Typing), name) if crate::bytecode::TYPING_NAMES.contains(&name) => {
            Some(Value::Module(Module::Typing))
        }
        (Value::Lock(_), "acquire") => Some(Value::Bound(Builtin::LockAcquire, Box::new(obj.clone()))),
        (Value::Lock(_), "release") => Some(Value::Bound(Builtin::LockRelease, Box::new(obj.clone()))),
        (Value::Lock(_), "locked") => Some(Value::Bound(Builtin::LockLocked, Box::new(obj.clone()))),
        (Value::Lock(_), "__exit__") => Some(Value::Bound(Builtin::LockExit, Box::new(obj.clone()))),
        (Value::Str(_), name) if super::strops::StrMethod::from_name(name).is_some() => {
            let m = super::strops::StrMethod::from_name(name).expect("checked");
            Some(Value::Bound(Builtin::StrMethod(m), Box::new(obj.clone())))
        }
        // `str.lower` and the like: the method, unbound (its first argument is the str).
        (Value::Builtin(Builtin::Str), name) if super::strops::StrMethod::from_name(name).is_some() => {
            super::strops::StrMethod::from_name(name).map(|m| Value::Builtin(Builtin::StrMethod(m)))
        }
        (Value::Property(_), "setter") => Some(Value::Bound(Builtin::PropertySetter, Box::new(obj.clone()))),
        (Value::Thread(_), "start") => Some(Value::Bound(Builtin::ThreadStart, Box::new(obj.clone()))),
        (Value::Thread(_), "join") => Some(Value::Bound(Builtin::ThreadJoin, Box::new(obj.clone()))),
        (Value::Thread(_), "is_alive") => Some(Value::Bound(Builtin::ThreadIsAlive, Box::new(obj.clone()))),
        (Value::Builtin(Builtin::Thread), "__init__") => Some(Value::Builtin(Builtin::ThreadInit)),
        // `Exception.__init__(self, ...)` in an exception class's `__init__`.
        (Value::ExcType(_), "__init__") => Some(Value::Builtin(Builtin::ExcInit)),
        // `type(x).__name__` of a builtin type.
        (Value::Builtin(b), "__name__" | "__qualname__") if b.is_type() => Some(Value::Str(b.name().into())),
        // `e.args`: what the exception was built with.
        (Value::Exc(e), "args") => Some(e.args()),
        (Value::Exc(e), "__class__") => Some(Value::ExcType(e.kind)),
        // `type(e).__name__` of an exception: `ValueError`, `Empty` (whose module is `queue`).
        (Value::ExcType(k), "__name__" | "__qualname__") => Some(Value::Str(k.name().into())),
        (Value::Module(Module::Threading), name) => {
            SyncKind::from_threading_attr(name).map(|k| Value::Builtin(Builtin::SyncNew(k)))
        }
        (Value::Module(Module::Queue), name) if SyncKind::from_queue_attr(name).is_some() => {
            SyncKind::from_queue_attr(name).map(|k| Value::Builtin(Builtin::SyncNew(k)))
        }
        (Value::Module(Module::Queue), "Empty") => Some(Value::ExcType(ExcKind::QueueEmpty)),
        (Value::Module(Module::Queue), "Full") => Some(Value::ExcType(ExcKind::QueueFull)),
        (Value::Sync(kind, _), name) => {
            SyncMethod::lookup(*kind, name).map(|m| Value::Bound(Builtin::SyncCall(*kind, m), Box::new(obj.clone())))
        }
        _ => None,
    };
    found.ok_or_else(|| {
        let owner = match obj {
            Value::Module(m) => format!("module '{}'", m.name()),
            other => format!("'{}' object", other.type_name()),
        };
        missing(obj.type_name(), &owner, name)
    })
}

/// CPython's `NameError` for the global in `slot`.
pub(super) fn name_error(program: &Program, slot: u32) -> Exception {
    err(ExcKind::NameError, format!("name '{}' is not defined", program.global_name(slot)))
}

/// LOAD_GLOBAL and LOAD_NAME's fallback: the global in `slot`, else the builtin of its name.
pub(super) fn load_global(program: &Program, globals: &[Value], slot: u32) -> Result<Value, Exception> {
    match &globals[slot as usize] {
        Value::Null => {
            // A library module's globals are named `module.name`; its builtins are the same.
            let full = program.globals[slot as usize].as_str();
            let (module, name) = match full.rsplit_once('.') {
                Some((m, n)) => (m, n),
                None => ("__main__", full),
            };
            if name == "__name__" {
                return Ok(Value::Str(module.into()));
            }
            if module != "__main__" && name == crate::bytecode::LIBRARY_PICK {
                return Ok(Value::Builtin(super::value::Builtin::Pick));
            }
            super::value::builtin_value(name).ok_or_else(|| name_error(program, slot))
        }
        v => Ok(v.clone()),
    }
}
