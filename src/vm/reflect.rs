//! The builtins that look at an object's attributes and type by value: `getattr`, `setattr`,
//! `hasattr`, `delattr` and one-argument `type`, on the program's instances and classes (and
//! what `getattr` finds on lists and dicts: their methods), with CPython 3.11's messages. Each is
//! one C call, so one step. A property (whose getter is Python code) and the attributes
//! `threading` gives a thread (`name`, `daemon`) are not modelled here.

use super::classes::{is_local, local_attr, set_local_attr, thread_property};
use super::footprint::Footprint;
use super::heap::{Attr, Heap, HeapObj};
use super::step::{err, unsupported};
use super::value::{Builtin, ExcKind, Exception, Value};

/// The attribute name argument: a str, or CPython's TypeError.
fn name_arg<'v>(heap: &Heap, v: &'v Value) -> Result<&'v str, Exception> {
    match v {
        Value::Str(s) => Ok(s),
        other => {
            Err(err(ExcKind::TypeError, format!("attribute name must be string, not '{}'", heap.type_name(other))))
        }
    }
}

/// Refuses what the attribute builtins do not model on `obj`.
fn modelled(heap: &Heap, obj: &Value, name: &str, what: &str) -> Result<(), Exception> {
    let Value::Obj(id) = obj else {
        return Err(unsupported(format!("{what}() on a '{}' object", heap.type_name(obj))));
    };
    if let HeapObj::Instance(inst) = heap.peek(*id) {
        if inst.thread.is_some() && matches!(name, "name" | "daemon" | "ident" | "native_id") {
            return Err(unsupported(format!("{what}() of the thread attribute '{name}'")));
        }
    }
    Ok(())
}

/// The attribute `name` of `obj` as `obj.name` reads it, for `getattr` and `hasattr`.
fn lookup(heap: &Heap, obj: &Value, name: &str, tid: u32, what: &str, fp: &mut Footprint) -> Result<Value, Exception> {
    modelled(heap, obj, name, what)?;
    if let Some(v) = local_attr(heap, obj, tid, name, fp) {
        return v;
    }
    match heap.get_attr(obj, name, fp)? {
        Attr::Value(v) => Ok(v),
        Attr::Method(f, id) => Ok(Value::Method(f, id)),
        Attr::Getter(..) => Err(unsupported(format!("{what}() of the property '{name}'"))),
    }
}

fn count_error(name: &str, expected: &str, got: usize) -> Exception {
    err(ExcKind::TypeError, format!("{name} expected {expected} arguments, got {got}"))
}

/// `getattr(obj, name[, default])`.
pub(super) fn getattr(heap: &Heap, args: &[Value], tid: u32, fp: &mut Footprint) -> Result<Value, Exception> {
    let (obj, name, default) = match args {
        [o, n] => (o, n, None),
        [o, n, d] => (o, n, Some(d)),
        [] | [_] => return Err(count_error("getattr", "at least 2", args.len())),
        _ => return Err(count_error("getattr", "at most 3", args.len())),
    };
    let name = name_arg(heap, name)?;
    match (lookup(heap, obj, name, tid, "getattr", fp), default) {
        (Err(e), Some(d)) if e.kind == ExcKind::AttributeError => Ok(d.clone()),
        (r, _) => r,
    }
}

/// `hasattr(obj, name)`: whether `getattr` finds it.
pub(super) fn hasattr(heap: &Heap, args: &[Value], tid: u32, fp: &mut Footprint) -> Result<Value, Exception> {
    let [obj, name] = args else { return Err(count_error("hasattr", "2", args.len())) };
    let name = name_arg(heap, name)?;
    match lookup(heap, obj, name, tid, "hasattr", fp) {
        Ok(_) => Ok(Value::Bool(true)),
        Err(e) if e.kind == ExcKind::AttributeError => Ok(Value::Bool(false)),
        Err(e) => Err(e),
    }
}

/// `setattr(obj, name, value)`, as `obj.name = value` stores it.
pub(super) fn setattr(heap: &mut Heap, args: &[Value], tid: u32, fp: &mut Footprint) -> Result<Value, Exception> {
    let [obj, name, value] = args else { return Err(count_error("setattr", "3", args.len())) };
    let name = name_arg(heap, name)?;
    modelled(heap, obj, name, "setattr")?;
    if thread_property(heap, obj, name).is_some() {
        return Err(unsupported(format!("setattr() of the thread attribute '{name}'")));
    }
    if is_local(heap, obj) {
        set_local_attr(heap, obj, tid, name, value.clone(), fp);
    } else {
        heap.set_attr(obj, name, value.clone(), fp)?;
    }
    Ok(Value::None)
}

/// `delattr(obj, name)`: an instance's own attribute, or a class's.
pub(super) fn delattr(heap: &mut Heap, args: &[Value], fp: &mut Footprint) -> Result<Value, Exception> {
    let [obj, name] = args else { return Err(count_error("delattr", "2", args.len())) };
    let name = name_arg(heap, name)?;
    modelled(heap, obj, name, "delattr")?;
    let Value::Obj(id) = obj else { unreachable!("[internal bug] checked by modelled") };
    let owner = match heap.read(*id, fp) {
        HeapObj::Instance(i) => format!("'{}' object", heap.class_name(i.class)),
        HeapObj::Class(c) => format!("type object '{}'", c.name),
        _ => return Err(unsupported(format!("delattr() on a '{}' object", heap.type_name(obj)))),
    };
    let attrs = match heap.write(*id, fp) {
        HeapObj::Instance(i) => &mut i.attrs,
        HeapObj::Class(c) => &mut c.attrs,
        _ => unreachable!("[internal bug] checked above"),
    };
    match attrs.iter().position(|(n, _)| &**n == name) {
        Some(k) => {
            attrs.remove(k);
            Ok(Value::None)
        }
        None => Err(err(ExcKind::AttributeError, format!("{owner} has no attribute '{name}'"))),
    }
}

/// `type(x)` of one argument: the class of an instance, or the builtin type of a value.
pub(super) fn type_of(heap: &Heap, args: &[Value], fp: &mut Footprint) -> Result<Value, Exception> {
    let [v] = args else {
        return match args.len() {
            3 => Err(unsupported("type() with three arguments (making a class)")),
            _ => Err(err(ExcKind::TypeError, "type() takes 1 or 3 arguments")),
        };
    };
    Ok(match v {
        Value::Int(_) | Value::Big(_) => Value::Builtin(Builtin::Int),
        Value::Bool(_) => Value::Builtin(Builtin::Bool),
        Value::Float(_) => Value::Builtin(Builtin::Float),
        Value::Str(_) => Value::Builtin(Builtin::Str),
        Value::Tuple(_) => Value::Builtin(Builtin::Tuple),
        // The program's exceptions are of builtin types (`type(e).__name__`, `type(e) is KeyError`).
        Value::Exc(e) => Value::ExcType(e.kind),
        Value::Obj(id) => match heap.read(*id, fp) {
            HeapObj::Instance(i) => Value::Obj(i.class),
            HeapObj::List(_) => Value::Builtin(Builtin::List),
            HeapObj::Dict(_) if heap.factory(*id).is_some() => return Err(unsupported("type() of a defaultdict")),
            HeapObj::Dict(_) if heap.is_counter(*id) => return Err(unsupported("type() of a Counter")),
            HeapObj::Dict(_) if heap.is_ordered(*id) => return Err(unsupported("type() of an OrderedDict")),
            HeapObj::Dict(_) => Value::Builtin(Builtin::Dict),
            HeapObj::Set(_) => Value::Builtin(Builtin::Set),
            _ => return Err(unsupported(format!("type() of a '{}' object", heap.type_name(v)))),
        },
        other => return Err(unsupported(format!("type() of a '{}' object", heap.type_name(other)))),
    })
}

/// `vars(obj)` of an instance, whose dict the program only reads there and then (the front end
/// checks it): a dict of the instance's attributes, in their order. CPython returns the
/// instance's own `__dict__`, so the copy shows the same only while no other thread can change
/// the instance: with another thread alive, the run stops as not modelled.
pub(super) fn vars(
    state: &mut super::state::State,
    tid: super::value::Tid,
    v: &Value,
    fp: &mut Footprint,
) -> Result<Value, Exception> {
    let no_dict = || err(ExcKind::TypeError, "vars() argument must have __dict__ attribute");
    let Value::Obj(id) = v else {
        return match v {
            Value::Function(_) | Value::Module(_) | Value::Method(..) | Value::Partial(_) => {
                Err(unsupported(format!("vars() of a '{}'", state.heap.type_name(v))))
            }
            _ => Err(no_dict()),
        };
    };
    let attrs = match state.heap.read(*id, fp) {
        HeapObj::Instance(i) if i.thread.is_none() => i.attrs.clone(),
        HeapObj::Instance(_) => {
            return Err(unsupported(
                "vars() of a threading.Thread instance (its __dict__ holds threading's own fields)",
            ))
        }
        HeapObj::List(_) | HeapObj::Dict(_) => return Err(no_dict()),
        _ => return Err(unsupported(format!("vars() of a '{}'", state.heap.type_name(v)))),
    };
    if state.threads.iter().enumerate().any(|(t, th)| t != tid && th.is_alive()) {
        return Err(unsupported(
            "vars(obj) while another thread is alive (CPython returns the instance's own __dict__, which that thread \
             may change while it is read)",
        ));
    }
    let items = attrs.into_iter().map(|(k, v)| (Value::Str(k), v)).collect();
    Ok(Value::Obj(state.heap.alloc(HeapObj::Dict(items), fp)))
}
