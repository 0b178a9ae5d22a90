//! Classes and instances on the heap: attribute lookup along the base classes (single
//! inheritance), attribute stores, `isinstance`, and `super()`.

use super::dictops::DictMethod;
use super::footprint::Footprint;
use super::heap::{Attr, Heap, HeapObj};
use super::state::State;
use super::value::{ExcKind, Exception, Tid, Value};
use crate::bytecode::Program;

fn err(kind: ExcKind, message: impl Into<String>) -> Exception {
    Exception::new(kind, message)
}

impl Heap {
    /// Looks `name` up in class `class`'s namespace, then in its bases' (its MRO: with single
    /// inheritance, the chain of bases).
    pub(super) fn class_attr(&self, class: u32, name: &str, fp: &mut Footprint) -> Option<Value> {
        let mut next = Some(class);
        while let Some(c) = next {
            match self.read(c, fp) {
                HeapObj::Class(c) => {
                    if let Some((_, v)) = c.attrs.iter().find(|(n, _)| &**n == name) {
                        return Some(v.clone());
                    }
                    next = c.base;
                }
                _ => return None,
            }
        }
        None
    }

    /// Whether class `class` is `of` or derives from it.
    pub(super) fn is_subclass(&self, class: u32, of: u32, fp: &mut Footprint) -> bool {
        let mut next = Some(class);
        while let Some(c) = next {
            if c == of {
                return true;
            }
            next = match self.read(c, fp) {
                HeapObj::Class(c) => c.base,
                _ => None,
            };
        }
        false
    }

    /// `super().name` in a method of class `class` bound to instance `obj`: the lookup starts
    /// at the base of `class`. `__init__` falls back to `object.__init__`.
    fn super_attr(&self, class: u32, obj: u32, name: &str, fp: &mut Footprint) -> Result<Attr, Exception> {
        let base = match self.read(class, fp) {
            HeapObj::Class(c) => c.base,
            _ => None,
        };
        match base.and_then(|b| self.class_attr(b, name, fp)) {
            Some(Value::Function(f)) => Ok(Attr::Method(f, obj)),
            Some(Value::StaticMethod(f)) => Ok(Attr::Value(Value::Function(f))),
            Some(Value::ClassMethod(f)) => match self.read(obj, fp) {
                HeapObj::Instance(i) => Ok(Attr::Method(f, i.class)),
                _ => Ok(Attr::Method(f, obj)),
            },
            Some(Value::Property(p)) => Ok(Attr::Getter(p[0].clone(), obj)),
            Some(v) => Ok(Attr::Value(v)),
            None if name == "__init__" => {
                let (thread, exc) = match self.read(class, fp) {
                    HeapObj::Class(c) => (c.thread, c.exc.is_some()),
                    _ => (false, false),
                };
                let init = match (thread, exc) {
                    (true, _) => super::Builtin::ThreadInit,
                    (_, true) => super::Builtin::ExcInit,
                    _ => super::Builtin::ObjectInit,
                };
                Ok(Attr::Value(Value::Bound(init, Box::new(Value::Obj(obj)))))
            }
            None => Err(err(ExcKind::AttributeError, format!("'super' object has no attribute '{name}'"))),
        }
    }

    /// `obj.name` for heap objects: data descriptors (properties) on the class first, then the
    /// instance's attributes, then the class's (functions become methods).
    pub fn get_attr(&self, obj: &Value, name: &str, fp: &mut Footprint) -> Result<Attr, Exception> {
        if let Value::Super(class, inst) = obj {
            return self.super_attr(*class, *inst, name, fp);
        }
        let Value::Obj(id) = obj else {
            let ty = obj.type_name();
            return Err(super::attrs::missing(ty, &format!("'{ty}' object"), name));
        };
        let id = *id;
        match self.read(id, fp) {
            HeapObj::Instance(inst) => {
                let class = inst.class;
                // `object.__class__`, a data descriptor ahead of everything else.
                if name == "__class__" {
                    return Ok(Attr::Value(Value::Obj(class)));
                }
                // `BaseException`'s attributes (data descriptors, ahead of the instance's own).
                if let Some(args) = &inst.args {
                    match name {
                        "args" => return Ok(Attr::Value(Value::Tuple(args.clone()))),
                        "__traceback__"
                        | "__cause__"
                        | "__context__"
                        | "__suppress_context__"
                        | "__notes__"
                        | "with_traceback"
                        | "add_note" => {
                            return Err(super::step::unsupported(format!("the attribute '{name}' of an exception")))
                        }
                        _ => {}
                    }
                }
                let on_class = self.class_attr(class, name, fp);
                if let Some(Value::Property(p)) = on_class {
                    return Ok(Attr::Getter(p[0].clone(), id));
                }
                if let Some((_, v)) = inst.attrs.iter().find(|(n, _)| &**n == name) {
                    return Ok(Attr::Value(v.clone()));
                }
                match on_class {
                    Some(Value::Function(f)) => Ok(Attr::Method(f, id)),
                    Some(Value::StaticMethod(f)) => Ok(Attr::Value(Value::Function(f))),
                    Some(Value::ClassMethod(f)) => Ok(Attr::Method(f, class)),
                    Some(v) => Ok(Attr::Value(v)),
                    None => match inst.thread.and_then(|t| thread_method(t, name)) {
                        Some(v) => Ok(Attr::Value(v)),
                        // A library object's attribute the model leaves out (CPython's may exist).
                        None if self.is_library_object(class) => Err(super::step::unsupported(format!(
                            "the attribute '{name}' of a '{}' object",
                            self.class_name(class)
                        ))),
                        None => {
                            Err(super::attrs::missing_on_class(&format!("'{}' object", self.class_name(class)), name))
                        }
                    },
                }
            }
            HeapObj::Class(c) => match self.class_attr(id, name, fp) {
                Some(Value::StaticMethod(f)) => Ok(Attr::Value(Value::Function(f))),
                Some(Value::ClassMethod(f)) => Ok(Attr::Method(f, id)),
                Some(v) => Ok(Attr::Value(v)),
                None if name == "__name__" => Ok(Attr::Value(Value::Str(c.name.clone()))),
                None => Err(super::attrs::missing_on_class(&format!("type object '{}'", c.name), name)),
            },
            HeapObj::List(_) if name == "append" => {
                Ok(Attr::Value(Value::Bound(super::Builtin::ListAppend, Box::new(obj.clone()))))
            }
            HeapObj::List(_) if super::listops::ListMethod::from_name(name).is_some() => {
                let m = super::listops::ListMethod::from_name(name).expect("checked");
                Ok(Attr::Value(Value::Bound(super::Builtin::ListMethod(m), Box::new(obj.clone()))))
            }
            HeapObj::Deque(d) if name == "maxlen" => {
                Ok(Attr::Value(d.maxlen.map_or(Value::None, |m| Value::Int(m as i64))))
            }
            HeapObj::Deque(_) if super::deques::DequeMethod::from_name(name).is_some() => {
                let m = super::deques::DequeMethod::from_name(name).expect("checked");
                Ok(Attr::Value(Value::Bound(super::Builtin::DequeMethod(m), Box::new(obj.clone()))))
            }
            HeapObj::Set(_) if super::sets::SetMethod::from_name(name).is_some() => {
                let m = super::sets::SetMethod::from_name(name).expect("checked");
                Ok(Attr::Value(Value::Bound(super::Builtin::SetMethod(m), Box::new(obj.clone()))))
            }
            HeapObj::Dict(_) if name == "default_factory" && self.factory(id).is_some() => {
                Ok(Attr::Value(self.factory(id).cloned().unwrap_or(Value::None)))
            }
            HeapObj::Dict(_) if name == "get" => {
                Ok(Attr::Value(Value::Bound(super::Builtin::DictGet, Box::new(obj.clone()))))
            }
            HeapObj::Dict(_) if self.is_ordered(id) && super::ordered::OrderedMethod::from_name(name).is_some() => {
                let m = super::ordered::OrderedMethod::from_name(name).expect("checked");
                Ok(Attr::Value(Value::Bound(super::Builtin::OrderedMethod(m), Box::new(obj.clone()))))
            }
            HeapObj::Dict(_) if self.is_counter(id) && super::counters::CounterMethod::from_name(name).is_some() => {
                let m = super::counters::CounterMethod::from_name(name).expect("checked");
                Ok(Attr::Value(Value::Bound(super::Builtin::CounterMethod(m), Box::new(obj.clone()))))
            }
            HeapObj::Dict(_) if DictMethod::from_name(name).is_some() => {
                let m = DictMethod::from_name(name).expect("checked");
                Ok(Attr::Value(Value::Bound(super::Builtin::DictMethod(m), Box::new(obj.clone()))))
            }
            _ => {
                let ty = self.type_name(obj);
                Err(super::attrs::missing(&ty, &format!("'{ty}' object"), name))
            }
        }
    }

    /// The setter of property `name` of instance `obj`'s class, with the instance, when the
    /// property has one (`obj.name = v` calls it).
    pub(super) fn setter(&self, obj: &Value, name: &str, fp: &mut Footprint) -> Option<(super::value::Func, u32)> {
        let Value::Obj(id) = *obj else { return None };
        let HeapObj::Instance(inst) = self.read(id, fp) else { return None };
        match self.class_attr(inst.class, name, fp) {
            Some(Value::Property(p)) => p.get(1).map(|f| (f.clone(), id)),
            _ => None,
        }
    }

    /// `obj.name = value` for instances and classes.
    pub fn set_attr(&mut self, obj: &Value, name: &str, value: Value, fp: &mut Footprint) -> Result<(), Exception> {
        let Value::Obj(id) = *obj else {
            return Err(err(
                ExcKind::AttributeError,
                format!("'{}' object has no attribute '{name}'", obj.type_name()),
            ));
        };
        match self.read(id, fp) {
            HeapObj::Instance(inst) => {
                let class = inst.class;
                if let Some(Value::Property(_)) = self.class_attr(class, name, fp) {
                    return Err(err(
                        ExcKind::AttributeError,
                        format!("property '{name}' of '{}' object has no setter", self.class_name(class)),
                    ));
                }
            }
            HeapObj::Class(_) => {}
            _ => {
                return Err(err(
                    ExcKind::AttributeError,
                    format!("'{}' object has no attribute '{name}'", self.type_name(obj)),
                ))
            }
        }
        let attrs = match self.write(id, fp) {
            HeapObj::Instance(inst) => &mut inst.attrs,
            HeapObj::Class(c) => &mut c.attrs,
            _ => unreachable!("[internal bug] attribute store checked above"),
        };
        match attrs.iter_mut().find(|(n, _)| &**n == name) {
            Some(slot) => slot.1 = value,
            None => attrs.push((name.into(), value)),
        }
        Ok(())
    }

    /// `isinstance(v, cls)` where `cls` is a type, a class, or a tuple of those.
    pub fn isinstance(&self, v: &Value, cls: &Value, fp: &mut Footprint) -> Result<bool, Exception> {
        match cls {
            Value::Tuple(items) => {
                for c in items.iter() {
                    if self.isinstance(v, c, fp)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Value::Builtin(b) if b.is_type() => {
                use super::Builtin as B;
                Ok(match (b, v) {
                    (B::Int, Value::Int(_) | Value::Big(_) | Value::Bool(_)) => true,
                    (B::Bool, Value::Bool(_)) => true,
                    (B::Float, Value::Float(_)) => true,
                    (B::Str, Value::Str(_)) => true,
                    (B::Tuple, Value::Tuple(_)) => true,
                    (B::List, Value::Obj(id)) => matches!(self.read(*id, fp), HeapObj::List(_)),
                    (B::Dict, Value::Obj(id)) => matches!(self.read(*id, fp), HeapObj::Dict(_)),
                    (B::Set, Value::Obj(id)) => matches!(self.read(*id, fp), HeapObj::Set(_)),
                    (B::Object, _) => true,
                    _ => false,
                })
            }
            Value::Builtin(super::Builtin::Deque) => {
                Ok(matches!(v, Value::Obj(id) if matches!(self.read(*id, fp), HeapObj::Deque(_))))
            }
            Value::Builtin(super::Builtin::Counter) => Ok(
                matches!(v, Value::Obj(id) if matches!(self.read(*id, fp), HeapObj::Dict(_)) && self.is_counter(*id)),
            ),
            Value::Builtin(super::Builtin::OrderedDict) => Ok(
                matches!(v, Value::Obj(id) if matches!(self.read(*id, fp), HeapObj::Dict(_)) && self.is_ordered(*id)),
            ),
            Value::Builtin(super::Builtin::DefaultDict) => Ok(
                matches!(v, Value::Obj(id) if matches!(self.read(*id, fp), HeapObj::Dict(_)) && self.factory(*id).is_some()),
            ),
            // `threading.Thread`: its instances are the threads, the main thread included, and
            // the instances of its subclasses.
            Value::Builtin(super::Builtin::Thread) => Ok(match v {
                Value::Thread(_) => true,
                Value::Obj(id) => matches!(self.read(*id, fp), HeapObj::Instance(i) if i.thread.is_some()),
                _ => false,
            }),
            Value::ExcType(k) => Ok(match v {
                Value::Exc(e) => e.kind.is_subclass_of(*k),
                Value::Obj(id) => match self.read(*id, fp) {
                    HeapObj::Instance(i) if i.args.is_some() => self.exception_kind(i.class).is_subclass_of(*k),
                    _ => false,
                },
                _ => false,
            }),
            // Types of CPython whose instances the checker does not tell apart here.
            Value::Builtin(b) if cpython_type(*b) => {
                Err(err(ExcKind::Unsupported, format!("isinstance() with {} is not modelled by the checker", b.name())))
            }
            Value::Obj(c) if matches!(self.read(*c, fp), HeapObj::Class(_)) => match v {
                Value::Obj(id) => match self.read(*id, fp) {
                    HeapObj::Instance(i) => Ok(self.is_subclass(i.class, *c, fp)),
                    _ => Ok(false),
                },
                _ => Ok(false),
            },
            _ => Err(err(ExcKind::TypeError, "isinstance() arg 2 must be a type, a tuple of types, or a union")),
        }
    }
}

/// Whether `obj` is a `threading.local()`.
pub(super) fn is_local(heap: &Heap, obj: &Value) -> bool {
    matches!(obj, Value::Obj(id) if matches!(heap.peek(*id), HeapObj::Local(_)))
}

/// `obj.name` in thread `tid` when `obj` is a `threading.local()` (`None` when it is not): the
/// thread's own attribute, or CPython's `AttributeError`.
pub(super) fn local_attr(
    heap: &Heap,
    obj: &Value,
    tid: u32,
    name: &str,
    fp: &mut Footprint,
) -> Option<Result<Value, Exception>> {
    if !is_local(heap, obj) {
        return None;
    }
    let Value::Obj(id) = obj else { return None };
    let HeapObj::Local(slots) = heap.read(*id, fp) else { return None };
    let own = slots.iter().find(|(t, _)| *t == tid).and_then(|(_, attrs)| attrs.iter().find(|(n, _)| &**n == name));
    Some(match own {
        Some((_, v)) => Ok(v.clone()),
        None => Err(err(ExcKind::AttributeError, format!("'_thread._local' object has no attribute '{name}'"))),
    })
}

/// `obj.name = value` in thread `tid`, `obj` a `threading.local()`.
pub(super) fn set_local_attr(heap: &mut Heap, obj: &Value, tid: u32, name: &str, value: Value, fp: &mut Footprint) {
    let Value::Obj(id) = obj else { return };
    let HeapObj::Local(slots) = heap.write(*id, fp) else { return };
    let attrs = match slots.iter().position(|(t, _)| *t == tid) {
        Some(k) => &mut slots[k].1,
        None => {
            slots.push((tid, Vec::new()));
            &mut slots.last_mut().expect("just pushed").1
        }
    };
    match attrs.iter_mut().find(|(n, _)| &**n == name) {
        Some(slot) => slot.1 = value,
        None => attrs.push((name.into(), value)),
    }
}

/// Whether builtin `b` is a class in CPython (so `isinstance(x, b)` is no `TypeError` there),
/// though not one [`Heap::isinstance`] checks instances of.
fn cpython_type(b: super::Builtin) -> bool {
    use super::sync::SyncKind;
    use super::Builtin as B;
    match b {
        B::Range | B::Enumerate | B::Zip | B::Map | B::Reversed | B::Property | B::Super => true,
        // `threading.RLock` is a factory function; the others are classes.
        B::SyncNew(k) => k != SyncKind::RLock,
        _ => b.is_type(),
    }
}

/// The thread of `obj` when `obj.name = v` is a store into `threading.Thread`'s `name` or
/// `daemon` property: `obj` is an instance of a Thread subclass that does not define `name`
/// itself.
pub(super) fn thread_property(heap: &Heap, obj: &Value, name: &str) -> Option<u32> {
    if name != "name" && name != "daemon" {
        return None;
    }
    let id = match obj {
        // A `threading.Thread` object itself.
        Value::Thread(t) => return Some(*t),
        Value::Obj(id) => id,
        _ => return None,
    };
    match heap.peek(*id) {
        HeapObj::Instance(i) => {
            let t = i.thread?;
            heap.class_attr(i.class, name, &mut Footprint::default()).is_none().then_some(t)
        }
        _ => None,
    }
}

/// The method `name` of `threading.Thread` that an instance of a subclass (thread `t`) inherits,
/// bound to the thread (`name` and `daemon` are read before the step: see `step.rs`).
fn thread_method(t: u32, name: &str) -> Option<Value> {
    let b = match name {
        "start" => super::Builtin::ThreadStart,
        "join" => super::Builtin::ThreadJoin,
        "is_alive" => super::Builtin::ThreadIsAlive,
        _ => return None,
    };
    Some(Value::Bound(b, Box::new(Value::Thread(t))))
}

/// The end of class `class`'s body, which returned `returned`: a `__class__` cell (a method
/// uses `super()`) gets the class, and `__classcell__` leaves the namespace, as `type.__new__`
/// does.
pub(super) fn finish_class(heap: &mut Heap, class: u32, returned: &Value, fp: &mut Footprint) {
    let Value::Cell(cell) = *returned else { return };
    if let HeapObj::Cell(c) = heap.write(cell, fp) {
        *c = Value::Obj(class);
    }
    if let HeapObj::Class(c) = heap.write(class, fp) {
        c.attrs.retain(|(n, _)| &**n != "__classcell__");
    }
}

/// `super()` called in the frame on top of thread `tid`: its class (the `__class__` cell)
/// and its first argument, with CPython's `RuntimeError`s when either is missing.
pub(super) fn super_object(program: &Program, state: &State, tid: Tid, fp: &mut Footprint) -> Result<Value, Exception> {
    let frame = state.threads[tid].frames.last().expect("[internal bug] super() without a frame");
    let code = program.code(frame.code);
    if code.argcount == 0 {
        return Err(err(ExcKind::RuntimeError, "super(): no arguments"));
    }
    let first = match &frame.locals[0] {
        Value::Cell(id) => match state.heap.read(*id, fp) {
            HeapObj::Cell(v) => v.clone(),
            _ => Value::Null,
        },
        v => v.clone(),
    };
    if first == Value::Null {
        return Err(err(ExcKind::RuntimeError, "super(): arg[0] deleted"));
    }
    let Some(k) = code.freevars.iter().position(|n| n == "__class__") else {
        return Err(err(ExcKind::RuntimeError, "super(): __class__ cell not found"));
    };
    let slot = code.nlocalsplus() - code.freevars.len() + k;
    let class = match &frame.locals[slot] {
        Value::Cell(id) => match state.heap.read(*id, fp) {
            HeapObj::Cell(Value::Obj(c)) => *c,
            HeapObj::Cell(Value::Null) => return Err(err(ExcKind::RuntimeError, "super(): empty __class__ cell")),
            _ => return Err(err(ExcKind::RuntimeError, "super(): __class__ is not a type")),
        },
        _ => return Err(err(ExcKind::RuntimeError, "super(): __class__ cell not found")),
    };
    match first {
        Value::Obj(id) => match state.heap.read(id, fp) {
            HeapObj::Instance(i) if state.heap.is_subclass(i.class, class, fp) => Ok(Value::Super(class, id)),
            HeapObj::Class(_) => {
                Err(err(ExcKind::Unsupported, "super() in a method called on a class (class methods are not modelled)"))
            }
            _ => Err(err(ExcKind::TypeError, "super(type, obj): obj must be an instance or subtype of type")),
        },
        _ => Err(err(ExcKind::TypeError, "super(type, obj): obj must be an instance or subtype of type")),
    }
}
