//! The builtin callables and methods the VM has, by name: what `print`, `len`, `list.append`,
//! `threading.Lock` and the rest are as values.

pub use super::numops::IntText;
use super::sync::{SyncKind, SyncMethod};

/// A built-in callable or method the subset supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Builtin {
    /// `print`
    Print,
    /// `range`
    Range,
    /// `threading.Thread`
    Thread,
    /// `threading.Lock`
    Lock,
    /// `threading.current_thread`
    CurrentThread,
    /// `threading.active_count`
    ActiveCount,
    /// `threading.main_thread`
    MainThread,
    /// `time.sleep`
    Sleep,
    /// `time.time`, `time.monotonic`, `time.perf_counter`
    Clock(super::clock::ClockKind),
    /// `Lock.acquire`
    LockAcquire,
    /// `Lock.release`
    LockRelease,
    /// `Lock.__exit__` (pushed by BEFORE_WITH)
    LockExit,
    /// `Lock.locked`
    LockLocked,
    /// `Thread.start`
    ThreadStart,
    /// `Thread.join`
    ThreadJoin,
    /// `Thread.is_alive`
    ThreadIsAlive,
    /// A synchronisation object's constructor, e.g. `threading.RLock` or `queue.Queue`.
    SyncNew(SyncKind),
    /// A method of a synchronisation object, e.g. `Event.wait`.
    SyncCall(SyncKind, SyncMethod),
    /// `abs`
    Abs,
    /// `len`
    Len,
    /// `isinstance`
    IsInstance,
    /// `min`
    Min,
    /// `max`
    Max,
    /// `int` (the type; calling it converts)
    Int,
    /// `float` (the type; calling it converts)
    Float,
    /// `round`
    Round,
    /// `sum`
    Sum,
    /// `any`
    Any,
    /// `all`
    All,
    /// `enumerate`
    Enumerate,
    /// `next(generator[, default])`
    Next,
    /// `_pick(n)`, which only a library prelude names ([`crate::bytecode::LIBRARY_PICK`]): a
    /// choice of an index below `n`, explored value by value.
    Pick,
    /// `zip`
    Zip,
    /// `map(f, iterable)` with `f` a builtin function of one argument (`str`, `int`, ...)
    Map,
    /// `reversed`
    Reversed,
    /// `str` (the type; calling it converts)
    Str,
    /// `bool` (the type)
    Bool,
    /// `list` (the type)
    List,
    /// `dict` (the type)
    Dict,
    /// `tuple` (the type)
    Tuple,
    /// `sorted`
    Sorted,
    /// `repr`
    Repr,
    /// `divmod`
    DivMod,
    /// `chr`, `ord`, `hex`, `oct` and `bin`: an int's text, or a character's code
    IntText(IntText),
    /// `property` (the decorator)
    Property,
    /// `prop.setter` of a property (`@x.setter`).
    PropertySetter,
    /// `builtins.__build_class__` (pushed by LOAD_BUILD_CLASS)
    BuildClass,
    /// `list.append`
    ListAppend,
    /// Another method of `list` (`pop`, `insert`, ...).
    ListMethod(super::listops::ListMethod),
    /// A method of `dict` other than `get`: `keys`, `values`, `items`, `setdefault`, `update`.
    DictMethod(super::dictops::DictMethod),
    /// A method of `str` (`join`, `upper`, `split`, ...).
    StrMethod(super::strops::StrMethod),
    /// `dict.get`
    DictGet,
    /// `super` (the type; calling it with no arguments in a method gives the proxy)
    Super,
    /// `object` (the type; as a base class it is the same as no base)
    Object,
    /// `object.__init__` (what `super().__init__` finds when no base defines one)
    ObjectInit,
    /// `threading.Thread.__init__` (of an instance of a `Thread` subclass)
    ThreadInit,
    /// `BaseException.__init__` (of an instance of an exception class of the program): sets
    /// `args`
    ExcInit,
    /// `threading.local` (the type; calling it makes a thread-local namespace)
    ThreadLocal,
    /// A function of the `math` module.
    Math(super::mathmod::MathFn),
    /// `getattr`
    GetAttr,
    /// `setattr`
    SetAttr,
    /// `hasattr`
    HasAttr,
    /// `delattr`
    DelAttr,
    /// `type` (one argument: the type of a value)
    Type,
    /// `collections.defaultdict`
    DefaultDict,
    /// `collections.Counter`
    Counter,
    /// `collections.deque`
    Deque,
    /// A method of `collections.deque`.
    DequeMethod(super::deques::DequeMethod),
    /// A method of `Counter` beyond the dict's.
    CounterMethod(super::counters::CounterMethod),
    /// A function of the `random` module.
    Random(super::randoms::RandomFn),
    /// `set` (the type; calling it makes a set)
    Set,
    /// `staticmethod` (the decorator)
    StaticMethod,
    /// `classmethod` (the decorator)
    ClassMethod,
    /// A method of `set`.
    SetMethod(super::sets::SetMethod),
    /// A function of `functools`.
    Functools(super::functools::FunctoolsFn),
    /// A function of `operator` (or an `itemgetter` / `attrgetter` object, bound to its keys).
    Operator(super::operators::OperatorFn),
    /// A function of `copy`.
    Copy(super::copying::CopyFn),
    /// `collections.OrderedDict`
    OrderedDict,
    /// `hash`
    Hash,
    /// `callable`
    Callable,
    /// `vars`
    Vars,
    /// `sys.setswitchinterval`
    SetSwitchInterval,
    /// A method of `OrderedDict` beyond the dict's.
    OrderedMethod(super::ordered::OrderedMethod),
}

impl Builtin {
    /// The Python name, e.g. `Lock.acquire`.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Print => "print",
            Builtin::Range => "range",
            Builtin::Thread => "threading.Thread",
            Builtin::Lock => "threading.Lock",
            Builtin::CurrentThread => "threading.current_thread",
            Builtin::ActiveCount => "threading.active_count",
            Builtin::MainThread => "threading.main_thread",
            Builtin::Sleep => "time.sleep",
            Builtin::Clock(k) => k.qualname(),
            Builtin::LockAcquire => "Lock.acquire",
            Builtin::LockRelease => "Lock.release",
            Builtin::LockExit => "Lock.__exit__",
            Builtin::LockLocked => "Lock.locked",
            Builtin::ThreadStart => "Thread.start",
            Builtin::ThreadJoin => "Thread.join",
            Builtin::ThreadIsAlive => "Thread.is_alive",
            Builtin::SyncNew(k) => k.constructor_name(),
            Builtin::SyncCall(k, m) => m.qualname(k),
            Builtin::Abs => "abs",
            Builtin::Len => "len",
            Builtin::IsInstance => "isinstance",
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Int => "int",
            Builtin::Float => "float",
            Builtin::Round => "round",
            Builtin::Sum => "sum",
            Builtin::Any => "any",
            Builtin::All => "all",
            Builtin::Enumerate => "enumerate",
            Builtin::Next => "next",
            Builtin::Pick => crate::bytecode::LIBRARY_PICK,
            Builtin::Zip => "zip",
            Builtin::Map => "map",
            Builtin::Reversed => "reversed",
            Builtin::Str => "str",
            Builtin::Bool => "bool",
            Builtin::List => "list",
            Builtin::Dict => "dict",
            Builtin::Tuple => "tuple",
            Builtin::Sorted => "sorted",
            Builtin::Repr => "repr",
            Builtin::DivMod => "divmod",
            Builtin::IntText(t) => t.name(),
            Builtin::Property => "property",
            Builtin::PropertySetter => "property.setter",
            Builtin::StaticMethod => "staticmethod",
            Builtin::ClassMethod => "classmethod",
            Builtin::BuildClass => "__build_class__",
            Builtin::ListAppend => "list.append",
            Builtin::ListMethod(m) => m.qualname(),
            Builtin::DictMethod(m) => m.qualname(),
            Builtin::StrMethod(m) => m.qualname(),
            Builtin::DictGet => "dict.get",
            Builtin::Super => "super",
            Builtin::Object => "object",
            Builtin::ObjectInit => "object.__init__",
            Builtin::ThreadInit => "Thread.__init__",
            Builtin::ExcInit => "BaseException.__init__",
            Builtin::ThreadLocal => "threading.local",
            Builtin::Math(f) => f.qualname(),
            Builtin::GetAttr => "getattr",
            Builtin::SetAttr => "setattr",
            Builtin::HasAttr => "hasattr",
            Builtin::DelAttr => "delattr",
            Builtin::Type => "type",
            Builtin::DefaultDict => "collections.defaultdict",
            Builtin::Counter => "collections.Counter",
            Builtin::Deque => "collections.deque",
            Builtin::DequeMethod(m) => m.qualname(),
            Builtin::CounterMethod(m) => m.qualname(),
            Builtin::Random(f) => f.qualname(),
            Builtin::Set => "set",
            Builtin::SetMethod(m) => m.qualname(),
            Builtin::Functools(f) => f.qualname(),
            Builtin::Operator(f) => f.qualname(),
            Builtin::Copy(f) => f.qualname(),
            Builtin::OrderedDict => "collections.OrderedDict",
            Builtin::Hash => "hash",
            Builtin::Callable => "callable",
            Builtin::Vars => "vars",
            Builtin::SetSwitchInterval => "sys.setswitchinterval",
            Builtin::OrderedMethod(m) => m.qualname(),
        }
    }

    /// CPython's `TypeError` for keywords given to this builtin when it takes none, for the
    /// builtins whose call does not look at keywords itself.
    pub(super) fn keyword_error(self, kwargs: &[(String, super::value::Value)]) -> Option<super::value::Exception> {
        let (k, _) = kwargs.first()?;
        let message = match self {
            Builtin::ThreadStart | Builtin::ThreadIsAlive => {
                format!("{}() got an unexpected keyword argument '{k}'", self.name())
            }
            Builtin::Sleep => "time.sleep() takes no keyword arguments".to_string(),
            Builtin::SetSwitchInterval => "sys.setswitchinterval() takes no keyword arguments".to_string(),
            Builtin::LockRelease | Builtin::LockExit | Builtin::LockLocked => {
                format!("lock.{}() takes no keyword arguments", self.name().rsplit('.').next().unwrap_or(""))
            }
            Builtin::Lock => "_thread.allocate_lock() takes no keyword arguments".to_string(),
            _ => return None,
        };
        Some(super::step::err(super::value::ExcKind::TypeError, message))
    }

    /// CPython's `TypeError` for `n` positional arguments given to this builtin when it takes
    /// none, for the builtins whose call does not look at them itself.
    pub(super) fn positional_error(self, n: usize) -> Option<super::value::Exception> {
        if n == 0 {
            return None;
        }
        let message = match self {
            Builtin::LockRelease | Builtin::LockLocked => {
                format!("lock.{}() takes no arguments ({n} given)", self.name().rsplit('.').next().unwrap_or(""))
            }
            Builtin::Lock => format!("_thread.allocate_lock() takes no arguments ({n} given)"),
            Builtin::ThreadStart | Builtin::ThreadIsAlive => {
                format!("{}() takes 1 positional argument but {} were given", self.name(), n + 1)
            }
            _ => return None,
        };
        Some(super::step::err(super::value::ExcKind::TypeError, message))
    }

    /// Whether this builtin is a type (`int`, `str`, `bool`, `list`, `dict`, `tuple`), usable
    /// as the second argument of `isinstance`.
    pub fn is_type(self) -> bool {
        matches!(
            self,
            Builtin::Int
                | Builtin::Float
                | Builtin::Str
                | Builtin::Bool
                | Builtin::List
                | Builtin::Dict
                | Builtin::Tuple
                | Builtin::Set
                | Builtin::Object
        )
    }

    /// The builtin a module-level name falls back to, if any.
    pub fn from_builtin_name(name: &str) -> Option<Builtin> {
        match name {
            "print" => Some(Builtin::Print),
            "range" => Some(Builtin::Range),
            "abs" => Some(Builtin::Abs),
            "len" => Some(Builtin::Len),
            "isinstance" => Some(Builtin::IsInstance),
            "min" => Some(Builtin::Min),
            "max" => Some(Builtin::Max),
            "int" => Some(Builtin::Int),
            "float" => Some(Builtin::Float),
            "round" => Some(Builtin::Round),
            "sum" => Some(Builtin::Sum),
            "any" => Some(Builtin::Any),
            "all" => Some(Builtin::All),
            "enumerate" => Some(Builtin::Enumerate),
            "next" => Some(Builtin::Next),
            "zip" => Some(Builtin::Zip),
            "map" => Some(Builtin::Map),
            "reversed" => Some(Builtin::Reversed),
            "str" => Some(Builtin::Str),
            "bool" => Some(Builtin::Bool),
            "list" => Some(Builtin::List),
            "dict" => Some(Builtin::Dict),
            "tuple" => Some(Builtin::Tuple),
            "set" => Some(Builtin::Set),
            "sorted" => Some(Builtin::Sorted),
            "repr" => Some(Builtin::Repr),
            "divmod" => Some(Builtin::DivMod),
            "chr" => Some(Builtin::IntText(IntText::Chr)),
            "ord" => Some(Builtin::IntText(IntText::Ord)),
            "hex" => Some(Builtin::IntText(IntText::Hex)),
            "oct" => Some(Builtin::IntText(IntText::Oct)),
            "bin" => Some(Builtin::IntText(IntText::Bin)),
            "property" => Some(Builtin::Property),
            "staticmethod" => Some(Builtin::StaticMethod),
            "classmethod" => Some(Builtin::ClassMethod),
            "super" => Some(Builtin::Super),
            "object" => Some(Builtin::Object),
            "getattr" => Some(Builtin::GetAttr),
            "setattr" => Some(Builtin::SetAttr),
            "hasattr" => Some(Builtin::HasAttr),
            "delattr" => Some(Builtin::DelAttr),
            "type" => Some(Builtin::Type),
            "hash" => Some(Builtin::Hash),
            "callable" => Some(Builtin::Callable),
            "vars" => Some(Builtin::Vars),
            _ => None,
        }
    }
}
