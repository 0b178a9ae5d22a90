//! Python values as the VM holds them: immutable data inline, shared objects by id.

use super::sync::SyncKind;
use crate::bytecode::{py_str_repr, CodeId, Const};
use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};
use std::sync::Arc;

/// Index of a thread in [`State::threads`](super::State); 0 is the main thread.
pub type Tid = usize;

/// What a dict view or iterator shows of its dict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum DictView {
    /// `d.keys()`, and iteration over the dict itself.
    Keys,
    /// `d.values()`
    Values,
    /// `d.items()`: `(key, value)` tuples.
    Items,
}

impl DictView {
    /// The view's type name, e.g. `dict_items`.
    pub fn type_name(self) -> &'static str {
        match self {
            DictView::Keys => "dict_keys",
            DictView::Values => "dict_values",
            DictView::Items => "dict_items",
        }
    }

    /// The type name of its iterator, e.g. `dict_itemiterator`.
    pub fn iterator_name(self) -> &'static str {
        match self {
            DictView::Keys => "dict_keyiterator",
            DictView::Values => "dict_valueiterator",
            DictView::Items => "dict_itemiterator",
        }
    }

    /// What the view shows of the entry `(k, v)`.
    pub fn item(self, k: &Value, v: &Value) -> Value {
        match self {
            DictView::Keys => k.clone(),
            DictView::Values => v.clone(),
            DictView::Items => Value::Tuple(vec![k.clone(), v.clone()].into()),
        }
    }
}

/// A function object: its code, its identity and, for the few functions that have them, a
/// closure, defaults or a `__wrapped__` ([`FuncExtra`], kept apart so that a function, and so
/// every [`Value`], stays small).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Func {
    /// The code object.
    pub code: CodeId,
    /// Which function object this is ([`super::State::made`] when it was made; 0 for a code
    /// constant not yet made into a function): two made from one `def` are distinct objects.
    pub made: u32,
    /// The closure, defaults and `__wrapped__`, when one of them is set (never an empty one).
    extra: Option<Arc<FuncExtra>>,
}

/// What some functions have beyond their code and identity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct FuncExtra {
    /// The closure's cells (the heap ids of the cells of the variables it shares with the
    /// functions around it, in `co_freevars` order), if the code has free variables.
    pub closure: Option<Arc<[u32]>>,
    /// The callable that `functools.wraps` copied this function's `__name__`, `__qualname__`
    /// and `__doc__` from (its `__wrapped__`).
    pub wrapped: Option<Arc<Value>>,
    /// The values of the positional parameters' defaults, evaluated when the `def` or `lambda`
    /// ran, when one is not a constant (constant ones live in the code object:
    /// [`crate::bytecode::CodeObject::defaults`]).
    pub defaults: Option<Arc<[Value]>>,
}

impl Func {
    /// A function without a closure.
    pub fn plain(code: CodeId) -> Func {
        Func { code, made: 0, extra: None }
    }

    /// The closure's cells, if the code has free variables.
    pub fn closure(&self) -> Option<&Arc<[u32]>> {
        self.extra.as_ref()?.closure.as_ref()
    }

    /// The callable `functools.wraps` made this one a wrapper of.
    pub fn wrapped(&self) -> Option<&Arc<Value>> {
        self.extra.as_ref()?.wrapped.as_ref()
    }

    /// The defaults evaluated when the function was made, when they are not constants.
    pub fn defaults(&self) -> Option<&Arc<[Value]>> {
        self.extra.as_ref()?.defaults.as_ref()
    }

    /// The closure, defaults and `__wrapped__`, for setting one of them.
    pub fn extra_mut(&mut self) -> &mut FuncExtra {
        Arc::make_mut(self.extra.get_or_insert_with(Default::default))
    }
}

pub use super::builtins::Builtin;

/// An imported module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Module {
    /// `threading`
    Threading,
    /// `time`
    Time,
    /// `queue`
    Queue,
    /// `__future__` (also stands for its feature `annotations`, which only binds a name)
    Future,
    /// `math`
    Math,
    /// `collections`
    Collections,
    /// `random` (its functions only as a sleep's length)
    Random,
    /// `typing` (also stands for each of its names, such as `Optional`: annotations only
    /// name them, and subscripting one gives it back)
    Typing,
    /// The package `concurrent` (its one module is `futures`).
    Concurrent,
    /// `concurrent.futures`, whose names are the globals of its prelude
    /// (the compiler's prelude, `compile/prelude.rs`).
    Futures,
    /// `functools` (`partial`, `reduce`, `wraps`)
    Functools,
    /// `operator`
    Operator,
    /// `copy`
    Copy,
    /// `sys` (`setswitchinterval` only)
    Sys,
}

impl Module {
    /// The module's name, e.g. `threading`.
    pub fn name(self) -> &'static str {
        match self {
            Module::Threading => "threading",
            Module::Time => "time",
            Module::Queue => "queue",
            Module::Future => "__future__",
            Module::Typing => "typing",
            Module::Math => "math",
            Module::Collections => "collections",
            Module::Random => "random",
            Module::Concurrent => "concurrent",
            Module::Futures => "concurrent.futures",
            Module::Functools => "functools",
            Module::Operator => "operator",
            Module::Copy => "copy",
            Module::Sys => "sys",
        }
    }
}

/// Built-in exception types the VM raises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum ExcKind {
    /// `AssertionError`
    AssertionError,
    /// `ZeroDivisionError`
    ZeroDivisionError,
    /// `NameError`
    NameError,
    /// `UnboundLocalError`
    UnboundLocalError,
    /// `TypeError`
    TypeError,
    /// `ValueError`
    ValueError,
    /// `RuntimeError`
    RuntimeError,
    /// `AttributeError`
    AttributeError,
    /// `ModuleNotFoundError`
    ModuleNotFoundError,
    /// `RecursionError`
    RecursionError,
    /// `Exception` (the base of every kind above; only caught, never raised by the VM)
    Exception,
    /// `BaseException` (the root; only caught, never raised by the VM)
    BaseException,
    /// `ArithmeticError` (the base of `ZeroDivisionError`)
    ArithmeticError,
    /// `ImportError` (the base of `ModuleNotFoundError`)
    ImportError,
    /// `LookupError` (the base of `IndexError` and `KeyError`)
    LookupError,
    /// `IndexError`
    IndexError,
    /// `KeyError`
    KeyError,
    /// `OverflowError` (float results and conversions out of range)
    OverflowError,
    /// `NotImplementedError` (a `RuntimeError`)
    NotImplementedError,
    /// `OSError`
    OSError,
    /// `TimeoutError` (an `OSError`)
    TimeoutError,
    /// `StopIteration`: `next()` of a finished generator
    StopIteration,
    /// `queue.Empty` (`_queue.Empty`): `Queue.get` without an item to take
    QueueEmpty,
    /// `queue.Full`: `Queue.put` on a full queue without waiting
    QueueFull,
    /// The checker's memory ceiling (`--max-memory`): a value the step would build does not
    /// fit. Not a program exception: no handler catches it, and the search that meets it stops
    /// inconclusive.
    MemoryLimit,
    /// Not an exception of the program: an operation the checker does not model. The thread
    /// stops where it is (no handler runs) and the run is refused as unsupported.
    Unsupported,
    /// Not an exception of the program: a limit of the checker itself (e.g. a range bound that
    /// does not fit its 64-bit ints). The thread stops where it is and the run is inconclusive.
    CheckerLimit,
}

impl ExcKind {
    /// The type's name, e.g. `ZeroDivisionError`.
    pub fn name(self) -> &'static str {
        match self {
            ExcKind::AssertionError => "AssertionError",
            ExcKind::ZeroDivisionError => "ZeroDivisionError",
            ExcKind::NameError => "NameError",
            ExcKind::UnboundLocalError => "UnboundLocalError",
            ExcKind::TypeError => "TypeError",
            ExcKind::ValueError => "ValueError",
            ExcKind::RuntimeError => "RuntimeError",
            ExcKind::AttributeError => "AttributeError",
            ExcKind::ModuleNotFoundError => "ModuleNotFoundError",
            ExcKind::RecursionError => "RecursionError",
            ExcKind::Exception => "Exception",
            ExcKind::BaseException => "BaseException",
            ExcKind::ArithmeticError => "ArithmeticError",
            ExcKind::ImportError => "ImportError",
            ExcKind::LookupError => "LookupError",
            ExcKind::IndexError => "IndexError",
            ExcKind::KeyError => "KeyError",
            ExcKind::OverflowError => "OverflowError",
            ExcKind::NotImplementedError => "NotImplementedError",
            ExcKind::OSError => "OSError",
            ExcKind::TimeoutError => "TimeoutError",
            ExcKind::StopIteration => "StopIteration",
            ExcKind::QueueEmpty => "Empty",
            ExcKind::QueueFull => "Full",
            ExcKind::MemoryLimit => "MemoryError",
            ExcKind::Unsupported => "unsupported",
            ExcKind::CheckerLimit => "checker limit",
        }
    }

    /// The name a traceback shows: the module-qualified name of a type that is not a builtin
    /// (`_queue.Empty`, `queue.Full`), else [`ExcKind::name`].
    pub fn qualname(self) -> &'static str {
        match self {
            ExcKind::QueueEmpty => "_queue.Empty",
            ExcKind::QueueFull => "queue.Full",
            other => other.name(),
        }
    }

    /// The exception type a builtin name denotes, e.g. `ValueError`.
    pub fn from_name(name: &str) -> Option<ExcKind> {
        const ALL: [ExcKind; 22] = [
            ExcKind::AssertionError,
            ExcKind::ZeroDivisionError,
            ExcKind::NameError,
            ExcKind::UnboundLocalError,
            ExcKind::TypeError,
            ExcKind::ValueError,
            ExcKind::RuntimeError,
            ExcKind::AttributeError,
            ExcKind::ModuleNotFoundError,
            ExcKind::RecursionError,
            ExcKind::Exception,
            ExcKind::BaseException,
            ExcKind::ArithmeticError,
            ExcKind::ImportError,
            ExcKind::LookupError,
            ExcKind::IndexError,
            ExcKind::KeyError,
            ExcKind::OverflowError,
            ExcKind::NotImplementedError,
            ExcKind::OSError,
            ExcKind::TimeoutError,
            ExcKind::StopIteration,
        ];
        ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether this is not an exception of the program but a stop of the checker
    /// ([`ExcKind::Unsupported`] or [`ExcKind::CheckerLimit`]): no `except` clause sees it.
    pub fn is_checker_stop(self) -> bool {
        matches!(self, ExcKind::Unsupported | ExcKind::CheckerLimit)
    }

    /// The direct base class, as in CPython's exception hierarchy (`None` for `BaseException`).
    pub fn base(self) -> Option<ExcKind> {
        Some(match self {
            ExcKind::BaseException | ExcKind::MemoryLimit => return None,
            ExcKind::Exception => ExcKind::BaseException,
            ExcKind::ZeroDivisionError | ExcKind::OverflowError => ExcKind::ArithmeticError,
            ExcKind::UnboundLocalError => ExcKind::NameError,
            ExcKind::ModuleNotFoundError => ExcKind::ImportError,
            ExcKind::RecursionError | ExcKind::NotImplementedError => ExcKind::RuntimeError,
            ExcKind::TimeoutError => ExcKind::OSError,
            ExcKind::IndexError | ExcKind::KeyError => ExcKind::LookupError,
            _ => ExcKind::Exception,
        })
    }

    /// Whether this type is `other` or derives from it (`issubclass`).
    pub fn is_subclass_of(self, other: ExcKind) -> bool {
        let mut k = Some(self);
        while let Some(x) = k {
            if x == other {
                return true;
            }
            k = x.base();
        }
        false
    }
}

/// The value of a builtin name that is not a global: a builtin function, or an exception type.
pub fn builtin_value(name: &str) -> Option<Value> {
    Builtin::from_builtin_name(name).map(Value::Builtin).or_else(|| ExcKind::from_name(name).map(Value::ExcType))
}

/// A raised exception: its type and message.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Exception {
    /// The type.
    pub kind: ExcKind,
    /// `str(exc)`.
    pub message: String,
    /// `exc.args` where they are not `(message,)`: an exception the program built by calling
    /// its type (`ValueError()`, `RuntimeError(5)`, `KeyError(k)`, `ValueError("a", 1)`) or a
    /// `KeyError` of a missing key. `None` for the exceptions the checker raises: with their
    /// message, or without arguments where the message is empty (`queue.Empty`).
    pub args: Option<Arc<[Value]>>,
    /// The name of the program's exception class it was raised as (`kind` is then the built-in
    /// type that class derives from); `None` for a built-in exception.
    pub class: Option<Arc<str>>,
}

impl Exception {
    /// An exception of a built-in type with a message, as the checker raises them.
    pub fn new(kind: ExcKind, message: impl Into<String>) -> Exception {
        Exception { kind, message: message.into(), args: None, class: None }
    }

    /// CPython's `KeyError` of a missing key: `args` is `(key,)`, `str()` the key's repr.
    pub fn key_error(key: &Value, key_repr: String) -> Exception {
        Exception { kind: ExcKind::KeyError, message: key_repr, args: Some(Arc::from([key.clone()])), class: None }
    }

    /// CPython's `KeyError` whose argument is a text: `str()` is its repr.
    pub fn key_error_text(text: &str) -> Exception {
        Exception::key_error(&Value::Str(text.into()), py_str_repr(text))
    }

    /// `repr(exc)`: the type's name and the arguments' reprs, `ValueError('x')`, rendering each
    /// argument with `render`.
    pub fn repr(&self, mut render: impl FnMut(&Value) -> String) -> String {
        let inner = match &self.args {
            Some(args) => args.iter().map(&mut render).collect::<Vec<_>>().join(", "),
            // The checker raises without arguments where its message is empty (`queue.Empty`).
            None if self.message.is_empty() => String::new(),
            // The checker's own `KeyError`s carry their args; this one's message is the repr.
            None if self.kind == ExcKind::KeyError => self.message.clone(),
            None => py_str_repr(&self.message),
        };
        format!("{}({inner})", self.kind.name())
    }

    /// `exc.args`.
    pub fn args(&self) -> Value {
        match &self.args {
            Some(a) => Value::Tuple(a.clone()),
            None if self.message.is_empty() => Value::Tuple(Arc::from([])),
            None => Value::Tuple(Arc::from([Value::Str(self.message.as_str().into())])),
        }
    }
}

impl std::fmt::Display for Exception {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = self.class.as_deref().unwrap_or(self.kind.qualname());
        if self.message.is_empty() {
            f.write_str(name)
        } else {
            write!(f, "{name}: {}", self.message)
        }
    }
}

/// One Python value. Locks and threads are shared objects referred to by index; everything
/// else is immutable and held by value (cheap to clone).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Value {
    /// The NULL marker of 3.11's call sequence (never visible to Python code); also "unbound".
    Null,
    /// `None`
    None,
    /// `True` / `False`
    Bool(bool),
    /// An int that fits in 64 bits (always used when it fits: ints are canonical).
    Int(i64),
    /// An int that does not fit in 64 bits.
    Big(Arc<BigInt>),
    /// A float.
    Float(crate::pyfloat::Float),
    /// A str.
    Str(Arc<str>),
    /// A tuple.
    Tuple(Arc<[Value]>),
    /// A function defined with `def` or `lambda`.
    Function(Func),
    /// A built-in function or type.
    Builtin(Builtin),
    /// A method bound to its object (e.g. a lock's `__exit__`).
    Bound(Builtin, Box<Value>),
    /// An imported module.
    Module(Module),
    /// A `threading.Lock`.
    Lock(u32),
    /// A `threading.Thread` (its index is the thread's [`Tid`]).
    Thread(u32),
    /// A range iterator (lives only on a value stack).
    RangeIter {
        /// The next value.
        next: i64,
        /// The exclusive bound.
        stop: i64,
        /// The step (never 0).
        step: i64,
    },
    /// A tuple iterator (lives only on a value stack).
    TupleIter(Arc<[Value]>, u32),
    /// An exception type (`AssertionError` as loaded by LOAD_ASSERTION_ERROR).
    ExcType(ExcKind),
    /// An exception instance.
    Exc(Arc<Exception>),
    /// A synchronisation object (an index into [`State::sync`](super::State)) and its kind.
    Sync(SyncKind, u32),
    /// A heap object (list, dict, class or instance) by its id in [`super::Heap`]; equality
    /// of this variant is identity (`is`), Python's `==` compares contents.
    Obj(u32),
    /// A function bound to an instance (`obj.method` without calling it): the function and the
    /// instance's heap id.
    Method(Func, u32),
    /// A `property`: its getter, then its setter if it has one (`@x.setter`).
    Property(Arc<[Func]>),
    /// A `staticmethod` wrapping a function: found on a class or an instance, it is the plain
    /// function.
    StaticMethod(Func),
    /// A `classmethod` wrapping a function: found on a class or an instance, it is the function
    /// bound to the class.
    ClassMethod(Func),
    /// A slice `start:stop:step` (lives only on a value stack, between `BUILD_SLICE` and the
    /// subscript that uses it).
    Slice(Box<(Value, Value, Value)>),
    /// `super()` in a method of the class with this heap id, bound to the instance with this one.
    Super(u32, u32),
    /// A closure cell (heap id of a [`super::heap::HeapObj::Cell`]): only in fast-local slots,
    /// closure tuples and on the stack between `LOAD_CLOSURE` and `MAKE_FUNCTION`.
    Cell(u32),
    /// A list iterator (lives only on a value stack): the list's heap id and the next index.
    ListIter(u32, u32),
    /// A deque iterator (lives only on a value stack): the deque's heap id, the next index and
    /// the deque's `state` when the iterator was made.
    DequeIter(u32, u32, u32),
    /// A set iterator (lives only on a value stack): the set's heap id, the next slot of its
    /// table, and the set's size when iteration began (`u32::MAX` once it raised).
    SetIter(u32, u32, u32),
    /// A dict iterator (lives only on a value stack): the dict's heap id, the next index, the
    /// dict's size when iteration began, what it yields (keys, values or items), and the key
    /// it yielded last.
    DictIter(u32, u32, u32, DictView, Option<Box<Value>>),
    /// A reverse list iterator (`reversed(lst)`): the list's heap id and the next index (-1
    /// when exhausted).
    ListRevIter(u32, i64),
    /// An `enumerate` iterator: the iterator it wraps and the next count.
    Enumerate(Box<Value>, i64),
    /// A `zip` iterator: the iterators it wraps.
    Zip(Box<[Value]>),
    /// A `map` iterator: the builtin function it applies and the iterator it wraps.
    Map(Builtin, Box<Value>),
    /// A live view of dict `id`'s keys, values or items (`d.keys()`, `d.values()`, `d.items()`).
    DictView(DictView, u32),
    /// The `__annotations__` dict of a module or class (`SETUP_ANNOTATIONS`). Stores into it
    /// are dropped: the subset lets no program read `__annotations__`, so its contents are
    /// never observable.
    Annotations,
    /// A `functools.partial` object (immutable: its attributes are read-only in CPython).
    Partial(Arc<Partial>),
    /// A reading of a clock, or a value computed from readings (`vm/clock.rs`).
    Reading(super::clock::Reading),
}

/// What a `functools.partial(func, *args, **keywords)` holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Partial {
    /// The callable.
    pub func: Value,
    /// The positional arguments given first.
    pub args: Arc<[Value]>,
    /// The keyword arguments (a call's own keywords override them).
    pub keywords: Arc<[(String, Value)]>,
    /// Which partial object this is ([`super::State::made`] when it was made).
    pub made: u32,
}

impl Value {
    /// Gives the value copies of its own of the strings, tuples and big ints it shares with
    /// other values ([`super::State::unshare`]).
    pub fn unshare(&mut self) {
        match self {
            Value::Str(s) => *s = Arc::from(&**s),
            Value::Big(b) => *b = Arc::new((**b).clone()),
            Value::Tuple(t) | Value::TupleIter(t, _) => {
                let mut items = t.to_vec();
                items.iter_mut().for_each(Value::unshare);
                *t = items.into();
            }
            _ => {}
        }
    }

    /// Converts a compile-time constant.
    pub fn from_const(c: &Const) -> Value {
        match c {
            Const::None => Value::None,
            Const::Bool(b) => Value::Bool(*b),
            Const::Int(i) => Value::Int(*i),
            Const::BigInt(b) => Value::big(BigInt::clone(b)),
            Const::Float(f) => Value::Float(*f),
            Const::Str(s) => Value::Str(s.clone()),
            Const::Tuple(items) => Value::Tuple(items.iter().map(Value::from_const).collect()),
            // Loaded for `for x in {1, 2, 3}` and `x in {...}` (as a tuple in the frozenset's
            // order), and for the SET_UPDATE of a set display, which reads the constant itself
            // (`vm::sets::set_update`).
            Const::FrozenSet(items) => {
                Value::Tuple(crate::bytecode::frozenset_order(items).into_iter().map(Value::from_const).collect())
            }
            Const::Code(id) => Value::Function(Func::plain(*id)),
        }
    }

    /// A float value.
    pub fn float(f: f64) -> Value {
        Value::Float(crate::pyfloat::Float(f))
    }

    /// A canonical int value.
    pub fn big(b: BigInt) -> Value {
        match b.to_i64() {
            Some(i) => Value::Int(i),
            None => Value::Big(Arc::new(b)),
        }
    }

    /// The Python type name, e.g. `int`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::Big(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Tuple(_) => "tuple",
            Value::Function(_) => "function",
            Value::Builtin(_) => "builtin_function_or_method",
            Value::Bound(..) => "method",
            Value::Module(_) => "module",
            Value::Lock(_) => "lock",
            Value::Thread(_) => "Thread",
            Value::RangeIter { .. } => "range_iterator",
            Value::TupleIter(..) => "tuple_iterator",
            Value::ExcType(_) => "type",
            Value::Exc(e) => e.kind.name(),
            Value::Sync(k, _) => k.name(),
            Value::Obj(_) => "object",
            Value::Method(..) => "method",
            Value::Property(_) => "property",
            Value::StaticMethod(_) => "staticmethod",
            Value::ClassMethod(_) => "classmethod",
            Value::Cell(_) => "cell",
            Value::Super(..) => "super",
            Value::Slice(_) => "slice",
            Value::ListIter(..) => "list_iterator",
            Value::DequeIter(..) => "_collections._deque_iterator",
            Value::SetIter(..) => "set_iterator",
            Value::ListRevIter(..) => "list_reverseiterator",
            Value::Enumerate(..) => "enumerate",
            Value::Zip(..) => "zip",
            Value::Map(..) => "map",
            Value::DictIter(.., v, _) => v.iterator_name(),
            Value::DictView(v, _) => v.type_name(),
            Value::Annotations => "dict",
            Value::Partial(_) => "functools.partial",
            Value::Reading(_) => "float",
        }
    }

    /// Whether this is plain data (shown in outcomes): None, bool, int, str, tuple of data.
    pub fn is_data(&self) -> bool {
        match self {
            Value::None | Value::Bool(_) | Value::Int(_) | Value::Big(_) | Value::Float(_) | Value::Str(_) => true,
            Value::Tuple(items) => items.iter().all(Value::is_data),
            _ => false,
        }
    }

    /// Python truthiness.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Null | Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Big(b) => !b.is_zero(),
            Value::Float(f) => f.0 != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Tuple(t) => !t.is_empty(),
            _ => true,
        }
    }

    /// The value as a big int, for int and bool.
    pub fn as_bigint(&self) -> Option<BigInt> {
        match self {
            Value::Int(i) => Some(BigInt::from(*i)),
            Value::Bool(b) => Some(BigInt::from(*b as i64)),
            Value::Big(b) => Some(BigInt::clone(b)),
            _ => None,
        }
    }

    /// Python's `repr()` (an int past CPython's 4,300-digit conversion limit shows as its
    /// size in bits: the VM raises before a program can see that text).
    pub fn repr(&self) -> String {
        match self {
            Value::Str(s) => py_str_repr(s),
            Value::Tuple(items) => {
                let parts: Vec<String> = items.iter().map(Value::repr).collect();
                if parts.len() == 1 {
                    format!("({},)", parts[0])
                } else {
                    format!("({})", parts.join(", "))
                }
            }
            Value::Exc(e) => e.repr(Value::repr),
            other => other.to_str(),
        }
    }

    /// Python's `str()`.
    pub fn to_str(&self) -> String {
        match self {
            Value::Null => "<NULL>".into(),
            Value::None => "None".into(),
            Value::Bool(b) => if *b { "True" } else { "False" }.into(),
            Value::Int(i) => i.to_string(),
            Value::Big(b) if int_too_long_for_str(b) => format!("<int of {} bits>", b.bits()),
            Value::Big(b) => b.to_string(),
            Value::Float(f) => crate::pyfloat::repr(f.0),
            Value::Str(s) => s.to_string(),
            Value::Tuple(_) => self.repr(),
            Value::Function(f) => format!("<function #{}>", f.code),
            Value::Builtin(b) if b.is_type() => format!("<class '{}'>", b.name()),
            Value::Builtin(b) => format!("<built-in function {}>", b.name()),
            Value::Bound(b, _) => format!("<built-in method {}>", b.name()),
            Value::Module(m) => format!("<module '{}'>", m.name()),
            Value::Lock(i) => format!("<lock #{i}>"),
            Value::Thread(i) => format!("<Thread T{i}>"),
            Value::RangeIter { .. } => "<range_iterator>".into(),
            Value::TupleIter(..) => "<tuple_iterator>".into(),
            Value::ExcType(k) => format!("<class '{}'>", k.qualname()),
            Value::Exc(e) => e.message.clone(),
            Value::Sync(k, i) => format!("<{} #{i}>", k.name()),
            Value::Obj(id) => format!("<object #{id}>"),
            Value::Method(f, id) => format!("<bound method #{} of object #{id}>", f.code),
            Value::Property(_) => "<property object>".into(),
            Value::StaticMethod(_) => "<staticmethod object>".into(),
            Value::ClassMethod(_) => "<classmethod object>".into(),
            Value::Cell(id) => format!("<cell #{id}>"),
            Value::Super(c, o) => format!("<super: class #{c}, object #{o}>"),
            Value::Slice(s) => format!("slice({}, {}, {})", s.0.repr(), s.1.repr(), s.2.repr()),
            Value::ListIter(..) => "<list_iterator>".into(),
            Value::DequeIter(..) => "<_collections._deque_iterator>".into(),
            Value::SetIter(..) => "<set_iterator>".into(),
            Value::ListRevIter(..) => "<list_reverseiterator>".into(),
            Value::Enumerate(..) => "<enumerate object>".into(),
            Value::Zip(..) => "<zip object>".into(),
            Value::Map(..) => "<map object>".into(),
            Value::DictIter(.., v, _) => format!("<{}>", v.iterator_name()),
            Value::DictView(v, id) => format!("<{} of object #{id}>", v.type_name()),
            Value::Annotations => "<__annotations__>".into(),
            Value::Partial(_) => "<functools.partial object>".into(),
            Value::Reading(_) => "<time reading>".into(),
        }
    }
}

pub use super::arith::{binary_op, compare, py_eq, unary_op};
pub(crate) use super::arith::{int_summary, room};

/// CPython's default limit on the decimal digits of an int converted to text
/// (`sys.get_int_max_str_digits()`, 3.11+).
pub const INT_MAX_STR_DIGITS: usize = 4300;

/// Whether converting `b` to decimal text raises `ValueError` in CPython 3.11+
/// (more than [`INT_MAX_STR_DIGITS`] digits, the sign not counted).
pub fn int_too_long_for_str(b: &BigInt) -> bool {
    static LIMIT: std::sync::OnceLock<num_bigint::BigUint> = std::sync::OnceLock::new();
    // Cheap reject first: 4,300 digits need at least 14,282 bits.
    b.bits() >= 14_000
        && b.magnitude() >= LIMIT.get_or_init(|| num_bigint::BigUint::from(10u32).pow(INT_MAX_STR_DIGITS as u32))
}

#[cfg(test)]
mod size {
    /// A value stays four words: states copy and hash many of them.
    #[test]
    fn a_value_is_32_bytes() {
        assert_eq!(std::mem::size_of::<super::Value>(), 32);
    }
}
