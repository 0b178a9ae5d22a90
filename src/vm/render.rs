//! How values look: `repr()` and `str()` of heap values as CPython renders them, the reads a
//! rendering makes, and CPython's refusals to render (an int past 4,300 digits, an order the
//! checker cannot know).

use super::dictops::view_items;
use super::footprint::{Access, Footprint, Object};
use super::heap::{Heap, HeapObj};
use super::value::{ExcKind, Exception, Value};
use crate::bytecode::py_str_repr;

fn err(kind: ExcKind, message: impl Into<String>) -> Exception {
    Exception::new(kind, message)
}

impl Heap {
    /// Python's `repr(v)`; instances show as `<C object x=1>` with their attributes.
    pub fn repr(&self, v: &Value) -> String {
        let mut seen = Vec::new();
        self.repr_in(v, &mut seen)
    }

    /// Python's `str(v)`.
    pub fn to_str(&self, v: &Value) -> String {
        match v {
            Value::Str(s) => s.to_string(),
            Value::Obj(id) => match self.user_str(*id) {
                Some(s) => s,
                None => self.repr(v),
            },
            Value::Tuple(_) | Value::Method(..) | Value::DictView(..) | Value::Bound(..) => self.repr(v),
            // BaseException's `str()` reads the arguments when it is taken.
            Value::Exc(e) => match &e.args {
                Some(args) => self.exception_str(e.kind, args),
                None => e.message.clone(),
            },
            other => other.to_str(),
        }
    }

    /// `BaseException.__str__` of an exception of type `kind` (or a class derived from it)
    /// with `args`: nothing, the one argument's str (a `KeyError`'s: its repr), or the tuple.
    pub(super) fn exception_str(&self, kind: ExcKind, args: &[Value]) -> String {
        match args {
            [] => String::new(),
            [a] if kind.is_subclass_of(ExcKind::KeyError) => self.repr(a),
            [a] => self.to_str(a),
            more => self.repr(&Value::Tuple(more.into())),
        }
    }

    /// Whether `v` is, or holds in a tuple, list or dict, an instance of a class of the program.
    pub(super) fn holds_instance(&self, v: &Value) -> bool {
        fn walk(heap: &Heap, v: &Value, depth: u32) -> bool {
            match v {
                _ if depth > 64 => true,
                Value::Tuple(items) => items.iter().any(|x| walk(heap, x, depth + 1)),
                Value::Obj(id) => match heap.peek(*id) {
                    HeapObj::Instance(_) => true,
                    HeapObj::List(items) => items.iter().any(|x| walk(heap, x, depth + 1)),
                    HeapObj::Dict(items) => {
                        items.iter().any(|(k, x)| walk(heap, k, depth + 1) || walk(heap, x, depth + 1))
                    }
                    _ => false,
                },
                _ => false,
            }
        }
        walk(self, v, 0)
    }

    /// `str(e)` of instance `id` of an exception class of the program that does not define
    /// `__str__`; `None` for another object.
    pub(super) fn exception_instance_str(&self, id: u32) -> Option<String> {
        let HeapObj::Instance(i) = self.peek(id) else { return None };
        let args = i.args.as_ref()?;
        Some(self.exception_str(self.exception_kind(i.class), args))
    }

    /// The built-in exception type class `class` derives from (`Exception` for a class that is
    /// not an exception class, which no caller asks about).
    pub(super) fn exception_kind(&self, class: u32) -> ExcKind {
        match self.peek(class) {
            HeapObj::Class(c) => c.exc.unwrap_or(ExcKind::Exception),
            _ => ExcKind::Exception,
        }
    }

    fn repr_in(&self, v: &Value, seen: &mut Vec<u32>) -> String {
        match v {
            Value::Obj(id) => {
                let id = *id;
                if id as usize >= self.len() {
                    return v.repr();
                }
                if seen.contains(&id) {
                    return match self.peek(id) {
                        HeapObj::List(_) => "[...]".into(),
                        HeapObj::Dict(_) => "{...}".into(),
                        _ => "<...>".into(),
                    };
                }
                seen.push(id);
                let out = match self.peek(id) {
                    HeapObj::List(items) => {
                        let parts: Vec<String> = items.iter().map(|x| self.repr_in(x, seen)).collect();
                        format!("[{}]", parts.join(", "))
                    }
                    HeapObj::Dict(items) if self.is_counter(id) => {
                        super::counters::repr(items, |x| self.repr_in(x, seen))
                    }
                    HeapObj::Dict(items) if self.is_ordered(id) => {
                        super::ordered::repr(items, |x| self.repr_in(x, seen))
                    }
                    HeapObj::Dict(items) => {
                        let parts: Vec<String> = items
                            .iter()
                            .map(|(k, x)| format!("{}: {}", self.repr_in(k, seen), self.repr_in(x, seen)))
                            .collect();
                        let shown = format!("{{{}}}", parts.join(", "));
                        match self.factory(id) {
                            Some(f) => super::defaults::repr(f, shown),
                            None => shown,
                        }
                    }
                    HeapObj::Class(c) => format!("<class '__main__.{}'>", c.name),
                    HeapObj::Cell(_) => "<cell>".into(),
                    HeapObj::Local(_) => "<_thread._local object>".into(),
                    HeapObj::Gen(_) => "<generator object>".into(),
                    // An order the checker cannot know is shown sorted (in reports only: the
                    // program's own str() and repr() of it stop the run, see
                    // `check_str_digits`).
                    HeapObj::Deque(d) => d.repr(|x| self.repr_in(x, seen)),
                    HeapObj::Set(set) => {
                        let mut parts: Vec<String> = set.items().iter().map(|x| self.repr_in(x, seen)).collect();
                        if set.ordered().is_none() {
                            parts.sort();
                        }
                        super::sets::repr(&parts)
                    }
                    HeapObj::Instance(i) => match self.user_repr(id) {
                        Some(shown) => shown,
                        // `BaseException.__repr__`: the class's name and the arguments.
                        None if i.args.is_some() => {
                            let args = i.args.as_deref().unwrap_or_default();
                            let parts: Vec<String> = args.iter().map(|x| self.repr_in(x, seen)).collect();
                            format!("{}({})", self.class_name(i.class), parts.join(", "))
                        }
                        None => {
                            let parts: Vec<String> =
                                i.attrs.iter().map(|(n, x)| format!("{n}={}", self.repr_in(x, seen))).collect();
                            if parts.is_empty() {
                                format!("<{} object>", self.class_name(i.class))
                            } else {
                                format!("<{} object {}>", self.class_name(i.class), parts.join(", "))
                            }
                        }
                    },
                };
                seen.pop();
                out
            }
            Value::Tuple(items) => {
                let parts: Vec<String> = items.iter().map(|x| self.repr_in(x, seen)).collect();
                if parts.len() == 1 {
                    format!("({},)", parts[0])
                } else {
                    format!("({})", parts.join(", "))
                }
            }
            Value::Method(f, id) => match ((*id as usize) < self.len()).then(|| self.peek(*id)) {
                Some(HeapObj::Instance(i)) => {
                    format!("<bound method #{} of <{} object>>", f.code, self.class_name(i.class))
                }
                _ => v.repr(),
            },
            Value::Str(s) => py_str_repr(s),
            Value::Exc(e) => e.repr(|x| self.repr_in(x, seen)),
            Value::Bound(super::value::Builtin::Operator(f), keys) => match &**keys {
                Value::Tuple(keys) => super::operators::getter_repr(self, *f, keys),
                _ => v.repr(),
            },
            Value::DictView(view, id) if (*id as usize) < self.len() => {
                let shown = view_items(self, *view, *id, &mut Footprint::default());
                let parts: Vec<String> = shown.iter().map(|x| self.repr_in(x, seen)).collect();
                format!("{}([{}])", view.type_name(), parts.join(", "))
            }
            other => other.repr(),
        }
    }

    /// Records a read of every heap object reachable from `v` (what `repr`/`str` look at).
    pub fn note_reads(&self, v: &Value, fp: &mut Footprint) {
        let mut seen = Vec::new();
        self.note_reads_in(v, fp, &mut seen);
    }

    fn note_reads_in(&self, v: &Value, fp: &mut Footprint, seen: &mut Vec<u32>) {
        match v {
            Value::Obj(id) | Value::Method(_, id) | Value::DictView(_, id) => {
                if seen.contains(id) || *id as usize >= self.len() {
                    return;
                }
                seen.push(*id);
                match self.read(*id, fp) {
                    HeapObj::List(items) => items.iter().for_each(|x| self.note_reads_in(x, fp, seen)),
                    HeapObj::Dict(items) => items.iter().for_each(|(k, x)| {
                        self.note_reads_in(k, fp, seen);
                        self.note_reads_in(x, fp, seen);
                    }),
                    HeapObj::Instance(i) => {
                        fp.add(Access::Read(Object::Heap(i.class)));
                        i.attrs.iter().for_each(|(_, x)| self.note_reads_in(x, fp, seen));
                        i.args.iter().flat_map(|a| a.iter()).for_each(|x| self.note_reads_in(x, fp, seen));
                    }
                    HeapObj::Set(set) => set.items().iter().for_each(|x| self.note_reads_in(x, fp, seen)),
                    HeapObj::Deque(d) => d.items.iter().for_each(|x| self.note_reads_in(x, fp, seen)),
                    HeapObj::Class(_) | HeapObj::Cell(_) | HeapObj::Local(_) | HeapObj::Gen(_) => {}
                }
            }
            Value::Tuple(items) => items.iter().for_each(|x| self.note_reads_in(x, fp, seen)),
            Value::Exc(e) => e.args.iter().flat_map(|a| a.iter()).for_each(|x| self.note_reads_in(x, fp, seen)),
            _ => {}
        }
    }

    /// `Err(ValueError)` when `str(v)` or `repr(v)` would convert an int of more than
    /// 4,300 digits, as CPython 3.11+ refuses to (ints inside tuples, lists and dicts
    /// included; an instance's default repr shows no attributes, so those are not looked at).
    pub fn check_str_digits(&self, v: &Value) -> Result<(), Exception> {
        let mut seen = Vec::new();
        self.check_str_digits_in(v, &mut seen, false)
    }

    /// [`Heap::check_str_digits`] for `repr(v)`: `v` itself shows by its `__repr__`, so an
    /// instance without one is refused even where its `__str__` would do.
    pub fn check_repr(&self, v: &Value) -> Result<(), Exception> {
        let mut seen = Vec::new();
        self.check_str_digits_in(v, &mut seen, true)
    }

    fn check_str_digits_in(&self, v: &Value, seen: &mut Vec<u32>, nested: bool) -> Result<(), Exception> {
        match v {
            Value::Big(b) if super::value::int_too_long_for_str(b) => Err(err(
                ExcKind::ValueError,
                format!(
                    "Exceeds the limit ({} digits) for integer string conversion; \
                     use sys.set_int_max_str_digits() to increase the limit",
                    super::value::INT_MAX_STR_DIGITS
                ),
            )),
            Value::Obj(id) if !seen.contains(id) && (*id as usize) < self.len() => {
                seen.push(*id);
                let r = match self.peek(*id) {
                    HeapObj::List(items) => items.iter().try_for_each(|x| self.check_str_digits_in(x, seen, true)),
                    // A factory other than a builtin type shows its memory address.
                    HeapObj::Dict(_)
                        if self.factory(*id).is_some_and(|f| !matches!(f, Value::Builtin(_) | Value::None)) =>
                    {
                        Err(super::step::unsupported(
                            "the str() or repr() of a defaultdict whose factory is a function",
                        ))
                    }
                    HeapObj::Dict(items) => items.iter().try_for_each(|(k, x)| {
                        self.check_str_digits_in(k, seen, true).and(self.check_str_digits_in(x, seen, true))
                    }),
                    // CPython shows a future's or an executor's memory address.
                    HeapObj::Instance(_) if self.is_library_object(*id) => {
                        Err(super::step::unsupported("the str() or repr() of a concurrent.futures object"))
                    }
                    // An exception shows its arguments where the class leaves `__repr__` (or, for
                    // `str()` and `print` of it, `__str__`) to `BaseException`.
                    HeapObj::Instance(i) if i.args.is_some() => {
                        let args = i.args.clone().unwrap_or_default();
                        let own = |m| self.special_method(*id, m).is_some();
                        if nested && !own(super::special::Special::Repr) {
                            args.iter().try_for_each(|x| self.check_str_digits_in(x, seen, true))
                        } else if !nested && !own(super::special::Special::Str) {
                            // One argument shows by its str (a `KeyError`'s by its repr).
                            let by_str =
                                args.len() == 1 && !self.exception_kind(i.class).is_subclass_of(ExcKind::KeyError);
                            args.iter().try_for_each(|x| self.check_str_digits_in(x, seen, !by_str))
                        } else {
                            Ok(())
                        }
                    }
                    // The default repr shows the address; `str()` and `print` of the instance
                    // itself use its `__str__`, the repr of a container its items' `__repr__`.
                    HeapObj::Instance(_)
                        if self.special_method(*id, super::special::Special::Repr).is_none()
                            && (nested || self.special_method(*id, super::special::Special::Str).is_none()) =>
                    {
                        Err(super::step::unsupported(format!(
                            "the default repr of a '{}' instance (CPython shows its address; define __repr__)",
                            self.type_name(v)
                        )))
                    }
                    HeapObj::Local(_) => Err(super::step::unsupported(
                        "the str() or repr() of a threading.local (CPython shows its address)",
                    )),
                    HeapObj::Instance(_) | HeapObj::Class(_) | HeapObj::Cell(_) => Ok(()),
                    // CPython shows its memory address.
                    HeapObj::Gen(_) => Err(super::step::unsupported("the str() or repr() of a generator")),
                    HeapObj::Set(set) if set.ordered().is_none() => {
                        Err(super::sets::order_unknown("the str() or repr()"))
                    }
                    HeapObj::Set(set) => set.items().iter().try_for_each(|x| self.check_str_digits_in(x, seen, true)),
                    HeapObj::Deque(d) => d.items.iter().try_for_each(|x| self.check_str_digits_in(x, seen, true)),
                };
                seen.pop();
                r
            }
            Value::Tuple(items) => items.iter().try_for_each(|x| self.check_str_digits_in(x, seen, true)),
            // `repr()` of an exception shows every argument's repr.
            // `str()` shows one argument's str (a `KeyError`'s repr) or the tuple's repr.
            Value::Exc(e) => {
                let args = e.args.as_deref().unwrap_or_default();
                let by_str = !nested && args.len() == 1 && !e.kind.is_subclass_of(ExcKind::KeyError);
                args.iter().try_for_each(|x| self.check_str_digits_in(x, seen, !by_str))
            }
            // CPython shows its function's memory address.
            Value::Partial(_) => Err(super::step::unsupported("the str() or repr() of a functools.partial")),
            // CPython shows these objects' memory addresses (a thread, its ident; a module, its
            // file), which no run of the checker can reproduce.
            Value::Function(_) | Value::Method(..) => {
                Err(super::step::unsupported("the str() or repr() of a function or method (CPython shows its address)"))
            }
            Value::Bound(super::value::Builtin::Operator(_), _) => Ok(()),
            Value::Bound(..) | Value::Lock(_) | Value::Thread(_) | Value::Sync(..) | Value::Module(_) => {
                Err(super::step::unsupported(format!(
                    "the str() or repr() of a {} object (CPython shows its address)",
                    v.type_name()
                )))
            }
            // A module's function shows under its own name, or as a bound method of the module's
            // hidden instance (`random.randint`: with its address); a reading has no value yet.
            Value::Builtin(b) if b.name().contains('.') => Err(super::step::unsupported(format!(
                "the str() or repr() of {} (CPython shows it by its own name, or by an address)",
                b.name()
            ))),
            Value::Reading(_) => Err(super::step::unsupported("the str() or repr() of a time reading")),
            Value::DictView(view, id) => {
                let shown = view_items(self, *view, *id, &mut Footprint::default());
                shown.iter().try_for_each(|x| self.check_str_digits_in(x, seen, true))
            }
            _ => Ok(()),
        }
    }
}
