//! Rendering a `Prog` to Python source text, recording which constructs the text contains.

use super::{Func, Handler, LockForm, LockId, Param, Prog, Shape, Stmt, Tail};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// A construct of the subset, as counted in the coverage table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Feature {
    LockWith,
    LockAcquireRelease,
    LockAcquireTryFinally,
    LockAcquireNonBlocking,
    LockAcquireTimeout,
    LockAsThreadArgument,
    LockPassedToHelper,
    /// The same lock taken with `with` by one thread and with `acquire()` by another.
    WithVsAcquireAcrossThreads,
    /// The same lock taken in two different forms by two different threads.
    MixedFormsAcrossThreads,
    /// The same lock taken in two different forms by one thread.
    MixedFormsInOneThread,
    TwoLocksNested,
    RLock,
    RLockReentered,
    Semaphore,
    BoundedSemaphore,
    ConditionNotify,
    ConditionNotifyAll,
    ConditionWait,
    ConditionOverLock,
    EventSet,
    EventClear,
    EventWait,
    EventIsSet,
    BarrierWait,
    QueuePut,
    QueueGetTaskDone,
    QueueJoin,
    QueueSizeOrEmpty,
    List,
    ListAppend,
    Len,
    Dict,
    DictGet,
    Attribute,
    Method,
    Property,
    BoundMethodTarget,
    HelperCall,
    Builtin,
    Sleep,
    TryExceptType,
    TryExceptTuple,
    TryExceptAs,
    TryExceptBare,
    ExceptionClass,
    TryElse,
    TryFinally,
    Raise,
    CaughtCheckerError,
    ForRange,
    ForContinue,
    WhileCounter,
    WhileTrueBreak,
    If,
    Else,
    Print,
    PrintFString,
    Assert,
    AssertMessage,
    LocalReadModifyWrite,
    IntArgument,
    TwoWorkers,
    OneFunctionTwoThreads,
    MainWorksBetweenStartAndJoin,
    MainReads,
    MainWrites,
    MainTakesLock,
    MainPrints,
    JoinReverse,
    StartJoinSequential,
    FinalAssert,
    Arithmetic,
    IntOperators,
    BoolOps,
    Elif,
    ForBreak,
    TupleUnpacking,
    Str,
    ListMembershipNegativeIndex,
    DictIteration,
    IsinstanceIntStr,
    ClassAttribute,
    Annotations,
    FutureAnnotations,
    FromImport,
    DefaultParameter,
    KeywordArgument,
    ListPop,
    ExceptIndexError,
    ListInsert,
    ListSort,
    DictSetdefault,
    DictItems,
    DictUpdate,
    ThreadName,
    CurrentThreadName,
    StrMethods,
    Floats,
    PrintfFormat,
    StrFormat,
    ListComprehension,
    DictComprehension,
    Enumerate,
    ZipReversed,
    DictPop,
    DictCopy,
    Lambda,
    Closure,
    Inheritance,
    Slice,
    ThreadLocal,
    Math,
    StarUnpack,
    SpreadCall,
    Walrus,
    GeneratorExpression,
    /// A `def` whose body yields, and `next()`.
    GeneratorFunction,
    Reflection,
    DefaultDict,
    RandomSleep,
    Draw,
    TimeReading,
    Vars,
    DaemonThread,
    KeywordOnly,
    Set,
    PropertySetter,
    SpecialMethod,
    KeyFunction,
    ConditionWaitFor,
    ThreadArgsList,
    ContextManager,
    Deque,
    Counter,
    ThreadPool,
    /// `concurrent.futures.as_completed`.
    AsCompleted,
    /// `threading.Timer`: start, cancel, join.
    Timer,
    /// `functools`, `operator` or `copy`.
    StdlibModules,
    /// A decorator of the program's own.
    Decorator,
    /// An instance called through its class's `__call__`.
    CallableObject,
}

const GLOBALS: [&str; 2] = ["x", "y"];

/// What rendering found out about the program.
#[derive(Default)]
struct Found {
    features: BTreeSet<Feature>,
    /// (thread, lock, form): main is thread 0, worker function `wK` is thread K.
    forms: BTreeSet<(usize, LockId, LockForm)>,
    locks: BTreeSet<LockId>,
    uses: BTreeSet<&'static str>,
    /// Threads (main, each worker thread) that wait at the barrier.
    barrier_threads: usize,
}

/// Per-body rendering state.
struct Ctx<'a> {
    found: &'a mut Found,
    /// Thread number for `forms` (0 = main).
    thread: usize,
    module: bool,
    param: Param,
    /// Locks held lexically (the condition's lock counts as `Lock` when it is over `lock`).
    held: Vec<LockId>,
    cv_over_lock: bool,
    /// The form of a lock block that does not name one.
    form: LockForm,
    /// Globals the body assigns (for `global` in a function).
    assigned: BTreeSet<&'static str>,
    loops: usize,
}

impl Ctx<'_> {
    fn feat(&mut self, f: Feature) {
        self.found.features.insert(f);
    }

    fn lock_name(&mut self, l: LockId) -> &'static str {
        self.found.locks.insert(l);
        match l {
            LockId::Lock if self.param == Param::Lock && !self.module => "lk",
            LockId::Lock => "lock",
            LockId::Lock2 => "lock2",
            LockId::RLock => "rl",
            LockId::Sem => "sem",
        }
    }

    fn assign(&mut self, name: &'static str) {
        self.assigned.insert(name);
    }
}

fn line(out: &mut String, ind: usize, s: &str) {
    let _ = writeln!(out, "{:ind$}{s}", "");
}

fn body(cx: &mut Ctx, out: &mut String, b: &[Stmt], ind: usize) {
    let before = out.len();
    for s in b {
        stmt(cx, out, s, ind);
    }
    if out.len() == before {
        line(out, ind, "pass");
    }
}

fn stmt(cx: &mut Ctx, out: &mut String, s: &Stmt, ind: usize) {
    use Feature as F;
    let w = if cx.module { "main".to_string() } else { format!("w{}", cx.thread) };
    if cx.module && !matches!(s, Stmt::Pass) {
        cx.feat(F::MainWorksBetweenStartAndJoin);
    }
    match s {
        Stmt::Add { g, c } => {
            cx.assign(GLOBALS[*g]);
            line(out, ind, &format!("{} += {c}", GLOBALS[*g]));
            if cx.module {
                cx.feat(F::MainWrites);
            }
        }
        Stmt::Copy { g, h, c } => {
            cx.assign(GLOBALS[*g]);
            line(out, ind, &format!("{} = {} + {c}", GLOBALS[*g], GLOBALS[*h]));
            if cx.module {
                cx.feat(F::MainWrites);
                cx.feat(F::MainReads);
            }
        }
        Stmt::Rmw { g, c } => {
            cx.assign(GLOBALS[*g]);
            cx.feat(F::LocalReadModifyWrite);
            line(out, ind, &format!("tmp = {}", GLOBALS[*g]));
            line(out, ind, &format!("{} = tmp + {c}", GLOBALS[*g]));
            if cx.module {
                cx.feat(F::MainWrites);
                cx.feat(F::MainReads);
            }
        }
        Stmt::Read { g } => {
            cx.assign("r");
            line(out, ind, &format!("r = {}", GLOBALS[*g]));
            if cx.module {
                cx.feat(F::MainReads);
            }
        }
        Stmt::AddParam { g } => {
            cx.assign(GLOBALS[*g]);
            if let Param::Int(_) = cx.param {
                line(out, ind, &format!("{} += n", GLOBALS[*g]));
            } else {
                line(out, ind, &format!("{} += 1", GLOBALS[*g]));
            }
        }
        Stmt::StrMethods { g } => {
            cx.feat(F::StrMethods);
            cx.assign("r");
            line(out, ind, &format!("r = len(\" \".join((\"a\", str({}))).upper().split())", GLOBALS[*g]));
        }
        Stmt::Floats { g, print } => {
            cx.feat(F::Floats);
            let v = GLOBALS[*g];
            if *print {
                cx.feat(F::Print);
                line(out, ind, &format!("print(f\"{{{v} / 3:.3f}}\")"));
            } else {
                cx.assign("r");
                line(out, ind, &format!("r = round({v} / 4 + 0.25 * {}, 2)", GLOBALS[1 - *g]));
            }
        }
        Stmt::Formatting { g, format } => {
            let v = GLOBALS[*g];
            cx.assign("r");
            if *format {
                cx.feat(F::StrFormat);
                line(out, ind, &format!("r = \"{{}}:{{:>4}}\".format({v}, {})", GLOBALS[1 - *g]));
            } else {
                cx.feat(F::PrintfFormat);
                line(out, ind, &format!("r = \"%s=%d\" % (\"{v}\", {v})"));
            }
        }
        Stmt::Comprehension { g, c, dict } => {
            let v = GLOBALS[*g];
            cx.assign("r");
            if *dict {
                cx.feat(F::DictComprehension);
                line(out, ind, &format!("r = len({{k: {v} for k in range({} % 3 + 1)}})", c));
            } else {
                cx.feat(F::ListComprehension);
                line(out, ind, &format!("r = sum([{v} * k for k in range(3) if k != {c}])"));
            }
        }
        Stmt::Iterators { zip } => {
            cx.found.uses.insert("a");
            cx.assign("r");
            if *zip {
                cx.feat(F::ZipReversed);
                line(out, ind, "r = sum([p * q for p, q in zip(a, reversed(a))])");
            } else {
                cx.feat(F::Enumerate);
                line(out, ind, "for i, v in enumerate(a):");
                line(out, ind + 4, "r = i + v");
            }
        }
        Stmt::DictRemove { pop } => {
            cx.found.uses.insert("d");
            cx.assign("r");
            if *pop {
                cx.feat(F::DictPop);
                line(out, ind, "r = d.pop(\"j\", 0)");
            } else {
                cx.feat(F::DictCopy);
                line(out, ind, "r = len(d.copy())");
            }
        }
        Stmt::Lambda { g } => {
            cx.feat(F::Lambda);
            // `h` stays local to a function (a module global at module level).
            cx.assign("r");
            line(out, ind, &format!("h = lambda q: q + {}", GLOBALS[*g]));
            line(out, ind, "r = h(1)");
        }
        Stmt::Slice { c, reverse } => {
            cx.feat(F::Slice);
            cx.found.uses.insert("a");
            cx.assign("r");
            if *reverse {
                line(out, ind, "r = len(a[::-1])");
            } else {
                line(out, ind, &format!("r = sum(a[{}:])", c % 2));
            }
        }
        Stmt::GenExpr { g, c, kind } => {
            cx.feat(F::GeneratorExpression);
            cx.found.uses.insert("a");
            cx.assign("r");
            let v = GLOBALS[*g];
            match kind {
                // The generator's and the loop's names are their own (a global's name would
                // make the loop variable local, and the generator's free variable unbound).
                0 => line(out, ind, &format!("r = sum(gu * {v} for gu in a if gu != {c})")),
                1 => line(out, ind, &format!("r = max(gu + {v} for gu in a)")),
                _ => {
                    line(out, ind, &format!("for gv in (gu + {v} for gu in a):"));
                    line(out, ind + 4, "r = gv");
                }
            }
        }
        Stmt::GenFunc { g, c, kind } => {
            cx.feat(F::GeneratorFunction);
            cx.found.uses.insert("a");
            cx.found.uses.insert("items");
            cx.assign("r");
            let v = GLOBALS[*g];
            match kind {
                0 => line(out, ind, &format!("r = sum(items({v}))")),
                1 => {
                    line(out, ind, &format!("for gv in items({c}):"));
                    line(out, ind + 4, "r = gv");
                }
                _ => {
                    cx.found.uses.insert("feed");
                    line(out, ind, &format!("r = next(feed, {c})"));
                }
            }
        }
        Stmt::Draw { g, c, choice } => {
            cx.feat(F::Draw);
            cx.found.uses.insert("random");
            cx.assign(GLOBALS[*g]);
            let v = GLOBALS[*g];
            if *choice {
                line(out, ind, &format!("{v} = {v} + random.choice((0, {c}))"));
            } else {
                line(out, ind, &format!("{v} = {v} + random.randint(0, {c})"));
            }
        }
        Stmt::Elapsed { g, c } => {
            cx.feat(F::TimeReading);
            cx.found.uses.insert("time");
            cx.assign(GLOBALS[*g]);
            cx.assign("tm");
            line(out, ind, "tm = time.monotonic()");
            line(out, ind, &format!("if time.monotonic() - tm > {c} / 2:"));
            line(out, ind + 4, &format!("{} += 1", GLOBALS[*g]));
        }
        Stmt::Walrus { g, c } => {
            cx.feat(F::Walrus);
            cx.assign("wv");
            cx.assign("r");
            line(out, ind, &format!("if (wv := {} + {c}) > 2:", GLOBALS[*g]));
            line(out, ind + 4, "r = wv");
        }
        Stmt::SpreadAdd { g, kw } => {
            cx.feat(F::SpreadCall);
            cx.found.uses.insert("add");
            cx.assign(GLOBALS[*g]);
            let call = if *kw {
                format!("add({}, **{{\"k\": 4}})", GLOBALS[*g])
            } else {
                format!("add(*({}, 3))", GLOBALS[*g])
            };
            line(out, ind, &format!("{} = {call}", GLOBALS[*g]));
        }
        Stmt::StarUnpack { last } => {
            cx.feat(F::StarUnpack);
            cx.found.uses.insert("a");
            cx.assign("r");
            cx.assign("rest");
            // The shared list may have been emptied by pops: then this is the program's
            // ValueError, as in CPython.
            line(out, ind, if *last { "*rest, r = a" } else { "r, *rest = a" });
        }
        Stmt::Local { g, c } => {
            cx.feat(F::ThreadLocal);
            cx.found.uses.insert("loc");
            cx.assign("r");
            line(out, ind, &format!("loc.v = {} + {c}", GLOBALS[*g]));
            line(out, ind, "r = loc.v");
        }
        Stmt::MathCall { g, c, floor } => {
            cx.feat(F::Math);
            cx.found.uses.insert("math");
            cx.assign("r");
            if *floor {
                line(out, ind, &format!("r = math.floor({} / 2)", GLOBALS[*g]));
            } else {
                // isqrt of a negative number is the program's ValueError, as in CPython.
                line(out, ind, &format!("r = math.isqrt({g} * {g} + {c})", g = GLOBALS[*g]));
            }
        }
        Stmt::Closure { c } => {
            cx.feat(F::Closure);
            cx.found.uses.insert("tally");
            cx.assign("r");
            line(out, ind, &format!("r = tally({c})"));
        }
        Stmt::Inherited { c, read } => {
            cx.feat(F::Inheritance);
            cx.found.uses.insert("obj");
            cx.found.uses.insert("obj2");
            if *read {
                cx.assign("r");
                line(out, ind, "r = obj2.n");
            } else {
                line(out, ind, &format!("obj2.bump({c})"));
            }
        }
        Stmt::PrintThreadName { g } => {
            cx.feat(F::Print);
            cx.feat(F::CurrentThreadName);
            line(out, ind, &format!("print(threading.current_thread().name, {})", GLOBALS[*g]));
        }
        Stmt::Print { g, fstring } => {
            cx.feat(F::Print);
            if cx.module {
                cx.feat(F::MainPrints);
            }
            let v = GLOBALS[*g];
            if *fstring {
                cx.feat(F::PrintFString);
                line(out, ind, &format!("print(f\"{w} {v}={{{v}}}\")"));
            } else {
                line(out, ind, &format!("print(\"{w}\", {v})"));
            }
        }
        Stmt::Assert { g, c, msg } => {
            cx.feat(F::Assert);
            let v = GLOBALS[*g];
            if *msg {
                cx.feat(F::AssertMessage);
                line(out, ind, &format!("assert {v} <= {c}, f\"{w}: {v} is {{{v}}}\""));
            } else {
                line(out, ind, &format!("assert {v} <= {c}"));
            }
        }
        Stmt::Raise { g, c, cond } => {
            cx.feat(F::Raise);
            if *cond {
                line(out, ind, &format!("if {} > {c}:", GLOBALS[*g]));
                line(out, ind + 4, &format!("raise RuntimeError(\"{w}: {} too big\")", GLOBALS[*g]));
            } else {
                line(out, ind, "raise ValueError(\"boom\")");
            }
        }
        Stmt::CallAdd { g, c } => {
            cx.feat(F::HelperCall);
            cx.found.uses.insert("add");
            cx.assign(GLOBALS[*g]);
            // `def add(v, k=1)`: the default stands for 1, a keyword for 2.
            let call = match c {
                1 => {
                    cx.feat(F::DefaultParameter);
                    format!("add({})", GLOBALS[*g])
                }
                2 => {
                    cx.feat(F::KeywordArgument);
                    format!("add({}, k=2)", GLOBALS[*g])
                }
                _ => format!("add({}, {c})", GLOBALS[*g]),
            };
            line(out, ind, &format!("{} = {call}", GLOBALS[*g]));
        }
        Stmt::CallLocked { lock, c } => {
            if non_reentrant_held(cx, *lock) {
                cx.assign("x");
                line(out, ind, &format!("x += {c}"));
                return;
            }
            cx.feat(F::HelperCall);
            cx.feat(F::LockPassedToHelper);
            cx.found.uses.insert("locked_add");
            lock_kind_features(cx, *lock);
            cx.found.forms.insert((cx.thread, *lock, LockForm::With));
            let l = cx.lock_name(*lock);
            if cx.module {
                cx.feat(F::MainTakesLock);
            }
            line(out, ind, &format!("locked_add({l}, {c})"));
        }
        Stmt::Builtin { g, c, which } => {
            cx.feat(F::Builtin);
            cx.assign(GLOBALS[*g]);
            let v = GLOBALS[*g];
            let e = match which {
                0 => format!("max({v}, {c})"),
                1 => format!("min({v}, {c})"),
                _ => format!("abs({v} - {c})"),
            };
            line(out, ind, &format!("{v} = {e}"));
        }
        Stmt::Sleep => {
            cx.feat(F::Sleep);
            cx.found.uses.insert("time");
            line(out, ind, "time.sleep(0)");
        }
        Stmt::RandomSleep { c, int } => {
            cx.feat(F::RandomSleep);
            cx.found.uses.insert("time");
            cx.found.uses.insert("random");
            if *int {
                line(out, ind, &format!("time.sleep(random.randint(0, {c}) / 10)"));
            } else {
                line(out, ind, &format!("time.sleep(random.uniform(0, {c}))"));
            }
        }
        Stmt::Pass => line(out, ind, "pass"),
        Stmt::Arith { g, c } => {
            cx.feat(F::Arithmetic);
            cx.assign(GLOBALS[*g]);
            line(out, ind, &format!("{0} = ({0} * {c} + 1) // 2 % 5", GLOBALS[*g]));
        }
        Stmt::BitOps { g, c, which } => {
            cx.feat(F::IntOperators);
            cx.assign(GLOBALS[*g]);
            let g = GLOBALS[*g];
            let text = match which {
                0 => format!("{g} ^= {c}"),
                1 => format!("{g} = (({g} << 1) | {c}) & 7"),
                2 => format!("{g} = {g} ** 2 % 7"),
                _ => format!("{g} >>= 1"),
            };
            line(out, ind, &text);
        }
        Stmt::BoolOps { c } => {
            cx.feat(F::BoolOps);
            cx.assign("y");
            line(out, ind, &format!("if x > {c} and not y == {c} or r is None:"));
            line(out, ind + 4, "y += 1");
        }
        Stmt::Elif { g, c } => {
            cx.feat(F::Elif);
            cx.assign(GLOBALS[*g]);
            let v = GLOBALS[*g];
            line(out, ind, &format!("if {v} > {c}:"));
            line(out, ind + 4, &format!("{v} += 1"));
            line(out, ind, &format!("elif {v} == {c}:"));
            line(out, ind + 4, &format!("{v} -= 1"));
            line(out, ind, "else:");
            line(out, ind + 4, "pass");
        }
        Stmt::ForBreak { g, c } => {
            cx.feat(F::ForBreak);
            cx.assign(GLOBALS[*g]);
            let v = GLOBALS[*g];
            line(out, ind, "for _ in range(3):");
            line(out, ind + 4, &format!("if {v} > {c}:"));
            line(out, ind + 8, "break");
            line(out, ind + 4, &format!("{v} += 1"));
        }
        Stmt::Swap => {
            cx.feat(F::TupleUnpacking);
            cx.assign("x");
            cx.assign("y");
            line(out, ind, "x, y = y, x");
        }
        Stmt::StrAppend => {
            cx.feat(F::Str);
            cx.found.uses.insert("s");
            cx.assign("s");
            line(out, ind, "s += \"a\"");
        }
        Stmt::ListIn { c } => {
            cx.feat(F::ListMembershipNegativeIndex);
            cx.found.uses.insert("a");
            cx.assign("r");
            line(out, ind, &format!("if {c} in a:"));
            line(out, ind + 4, "r = a[-1]");
        }
        Stmt::DictIter => {
            cx.feat(F::DictIteration);
            cx.found.uses.insert("d");
            cx.assign("r");
            line(out, ind, "for k in d:");
            line(out, ind + 4, "r = d[k]");
        }
        Stmt::DictMethod { c } => {
            cx.found.uses.insert("d");
            match c {
                1 => {
                    cx.feat(F::DictSetdefault);
                    line(out, ind, "d.setdefault(\"j\", 1)");
                }
                2 => {
                    cx.feat(F::DictItems);
                    cx.assign("r");
                    line(out, ind, "for k, v in d.items():");
                    line(out, ind + 4, "r = v");
                }
                _ => {
                    cx.feat(F::DictUpdate);
                    line(out, ind, "d.update(k=3)");
                }
            }
        }
        Stmt::Convert { g } => {
            cx.feat(F::IsinstanceIntStr);
            cx.assign("r");
            line(out, ind, &format!("if isinstance({}, int):", GLOBALS[*g]));
            line(out, ind + 4, &format!("r = int(str({}))", GLOBALS[*g]));
        }
        Stmt::ClassAttr => {
            cx.feat(F::ClassAttribute);
            cx.found.uses.insert("obj");
            line(out, ind, "C.count += 1");
        }
        Stmt::ListAdd { i, c } => {
            cx.feat(F::List);
            cx.found.uses.insert("a");
            line(out, ind, &format!("a[{i}] += {c}"));
        }
        Stmt::Append { c } => {
            cx.feat(F::ListAppend);
            cx.found.uses.insert("a");
            line(out, ind, &format!("a.append({c})"));
        }
        Stmt::ListMethod { c } => {
            cx.found.uses.insert("a");
            match c {
                1 => {
                    cx.feat(F::ListPop);
                    cx.feat(F::ExceptIndexError);
                    cx.assign("r");
                    line(out, ind, "try:");
                    line(out, ind + 4, "r = a.pop()");
                    line(out, ind, "except IndexError:");
                    line(out, ind + 4, "r = -1");
                }
                2 => {
                    cx.feat(F::ListInsert);
                    line(out, ind, "a.insert(0, 2)");
                }
                _ => {
                    cx.feat(F::ListSort);
                    line(out, ind, "a.sort(reverse=True)");
                }
            }
        }
        Stmt::Len { g } => {
            cx.feat(F::Len);
            cx.found.uses.insert("a");
            cx.assign(GLOBALS[*g]);
            line(out, ind, &format!("{} = len(a)", GLOBALS[*g]));
        }
        Stmt::DictAdd { c } => {
            cx.feat(F::Dict);
            cx.found.uses.insert("d");
            line(out, ind, &format!("d[\"k\"] += {c}"));
        }
        Stmt::DictGet => {
            cx.feat(F::DictGet);
            cx.found.uses.insert("d");
            cx.assign("r");
            line(out, ind, "r = d.get(\"k\", 0)");
        }
        Stmt::KeywordOnly { g, c, by } => {
            cx.feat(F::KeywordOnly);
            cx.found.uses.insert("scale");
            cx.assign(GLOBALS[*g]);
            let v = GLOBALS[*g];
            if *by {
                line(out, ind, &format!("{v} = scale({v}, by={c})"));
            } else {
                line(out, ind, &format!("{v} = scale({v})"));
            }
        }
        Stmt::SetOp { c, kind } => {
            cx.feat(F::Set);
            cx.found.uses.insert("st");
            match kind {
                0 => line(out, ind, &format!("st.add({})", c % 4)),
                1 => line(out, ind, &format!("st.discard({})", c % 4)),
                2 => {
                    cx.assign("r");
                    line(out, ind, &format!("r = len(st) + ({c} in st)"));
                }
                3 => line(out, ind, &format!("st |= {{{}, {}}}", c % 4, 8 + c % 3)),
                _ => {
                    // Iterates the set (a comprehension's frame, a switch point per item):
                    // another thread's add or discard in between is CPython's RuntimeError.
                    cx.assign("r");
                    line(out, ind, "r = sum(st) + len({v * 2 for v in st})");
                }
            }
        }
        Stmt::DefaultDict { c, lambda } => {
            cx.feat(F::DefaultDict);
            cx.found.uses.insert("dd");
            if *lambda {
                // The factory is a Python frame: a switch may fall inside the missing-key read.
                line(out, ind, &format!("dl[{}].append({c})", c % 2));
            } else {
                line(out, ind, &format!("dd[{}] += {c}", c % 2));
            }
        }
        Stmt::Reflect { c, set } => {
            cx.feat(F::Reflection);
            cx.found.uses.insert("obj");
            if *set {
                line(out, ind, &format!("setattr(obj, \"n\", getattr(obj, \"n\") + {c})"));
            } else {
                cx.assign("r");
                line(out, ind, "r = len(dict(n=obj.n, ok=bool(hasattr(obj, \"n\") and type(obj) is C)))");
            }
        }
        Stmt::AttrAdd { c } => {
            cx.feat(F::Attribute);
            cx.found.uses.insert("obj");
            line(out, ind, &format!("obj.n += {c}"));
        }
        Stmt::Bump { c } => {
            cx.feat(F::Method);
            cx.found.uses.insert("obj");
            line(out, ind, &format!("obj.bump({c})"));
        }
        Stmt::PropRead => {
            cx.feat(F::Property);
            cx.found.uses.insert("obj");
            cx.assign("r");
            line(out, ind, "r = obj.value");
        }
        Stmt::PropWrite { c } => {
            cx.feat(F::PropertySetter);
            cx.found.uses.insert("obj");
            line(out, ind, &format!("obj.value = obj.n + {c}"));
        }
        Stmt::Special { g, eq } => {
            cx.feat(F::SpecialMethod);
            cx.found.uses.insert("obj");
            cx.assign("r");
            let g = GLOBALS[*g];
            if *eq {
                line(out, ind, &format!("r = int(obj == C()) + {g}"));
            } else {
                line(out, ind, &format!("r = len(f\"{{obj}}\") + {g}"));
            }
        }
        Stmt::KeyFn { g } => {
            cx.feat(F::KeyFunction);
            cx.assign("r");
            line(out, ind, &format!("r = max(range(3), key=lambda v: (v + {}) % 3)", GLOBALS[*g]));
        }
        Stmt::Collections { c, kind } => {
            if *kind >= 4 {
                cx.feat(F::Counter);
                cx.found.uses.insert("ct");
                if *kind == 4 {
                    line(out, ind, &format!("ct[{}] += 1", c % 2));
                } else {
                    cx.assign("r");
                    line(out, ind, "r = ct.total()");
                }
                return;
            }
            cx.feat(F::Deque);
            cx.found.uses.insert("dq");
            match kind {
                0 => line(out, ind, &format!("dq.append({c})")),
                1 => line(out, ind, &format!("dq.appendleft({c})")),
                2 => {
                    cx.assign("r");
                    line(out, ind, "if dq:");
                    line(out, ind + 4, "try:");
                    line(out, ind + 8, "r = dq.popleft()");
                    line(out, ind + 4, "except IndexError:");
                    line(out, ind + 8, "r = 0");
                }
                _ => {
                    cx.assign("r");
                    line(out, ind, "r = len(dq) + sum(dq)");
                }
            }
        }
        Stmt::Stdlib { g, c, kind } => {
            cx.assign("r");
            let v = GLOBALS[*g];
            if *kind >= 6 {
                cx.feat(F::CallableObject);
                cx.found.uses.insert("obj");
                line(out, ind, &format!("r = obj({v})"));
                return;
            }
            if *kind == 1 || *kind == 5 {
                cx.feat(F::Decorator);
                cx.found.uses.insert("deco");
                line(out, ind, &format!("r = bump({v})"));
                return;
            }
            cx.feat(F::StdlibModules);
            cx.found.uses.insert("stdlib");
            let e = match kind {
                0 => format!("functools.reduce(operator.add, [{v}, {c}])"),
                2 => format!("functools.partial(operator.mul, {c})({v})"),
                3 => format!("copy.deepcopy(({v}, {c}))[0]"),
                _ => format!("operator.itemgetter(1)([{c}, {v}])"),
            };
            line(out, ind, &format!("r = {e}"));
        }
        Stmt::Pool { c, kind } => {
            cx.feat(F::ThreadPool);
            cx.found.uses.insert("pool");
            cx.assign("r");
            match kind {
                0 => line(out, ind, &format!("r = pool.submit(twice, {c}).result()")),
                1 => line(out, ind, &format!("r = sum(pool.map(twice, [{c}, 1]))")),
                2 => {
                    cx.feat(F::AsCompleted);
                    let fs = format!("[pool.submit(twice, {c}), pool.submit(twice, 1)]");
                    line(out, ind, &format!("r = [f.result() for f in as_completed({fs})]"));
                }
                _ => {
                    cx.feat(F::AsCompleted);
                    let fs = format!("(pool.submit(twice, {c}),)");
                    line(out, ind, &format!("r = sum(f.result() for f in as_completed({fs}))"));
                }
            }
        }
        Stmt::Timer { c, cancel, join } => {
            cx.feat(F::Timer);
            cx.found.uses.insert("timer");
            line(out, ind, &format!("tmr = threading.Timer(0.01, tick, ({c},))"));
            line(out, ind, "tmr.start()");
            if *cancel {
                line(out, ind, "tmr.cancel()");
            }
            if *join {
                line(out, ind, "tmr.join()");
            }
        }
        Stmt::WithObj { c } => {
            cx.feat(F::ContextManager);
            cx.found.uses.insert("obj");
            line(out, ind, "with obj as o:");
            line(out, ind + 4, &format!("o.n += {c}"));
        }
        Stmt::CvWaitFor => {
            cx.found.uses.insert("cv");
            cx.assign("r");
            if cx.cv_over_lock && cx.held.contains(&LockId::Lock) {
                line(out, ind, "r = flag");
                return;
            }
            cx.feat(F::ConditionWaitFor);
            if cx.cv_over_lock {
                cx.feat(F::ConditionOverLock);
                cx.found.locks.insert(LockId::Lock);
            }
            line(out, ind, "with cv:");
            line(out, ind + 4, "r = int(cv.wait_for(lambda: flag > 0, timeout=0.1))");
        }
        Stmt::IndexCatch => {
            cx.feat(F::CaughtCheckerError);
            cx.found.uses.insert("a");
            cx.assign("r");
            line(out, ind, "try:");
            line(out, ind + 4, "r = a[5]");
            line(out, ind, "except Exception:");
            line(out, ind + 4, "r = 0");
        }
        Stmt::EvSet => {
            cx.feat(F::EventSet);
            cx.found.uses.insert("ev");
            line(out, ind, "ev.set()");
        }
        Stmt::EvClear => {
            cx.feat(F::EventClear);
            cx.found.uses.insert("ev");
            line(out, ind, "ev.clear()");
        }
        Stmt::EvWait => {
            cx.feat(F::EventWait);
            cx.found.uses.insert("ev");
            line(out, ind, "ev.wait()");
        }
        Stmt::EvIsSet { g } => {
            cx.feat(F::EventIsSet);
            cx.found.uses.insert("ev");
            cx.assign(GLOBALS[*g]);
            line(out, ind, "if ev.is_set():");
            line(out, ind + 4, &format!("{} += 1", GLOBALS[*g]));
        }
        Stmt::CvNotify { all } => {
            cx.found.uses.insert("cv");
            cx.assign("flag");
            if cx.cv_over_lock && cx.held.contains(&LockId::Lock) {
                line(out, ind, "flag += 1");
                return;
            }
            cx.feat(if *all { F::ConditionNotifyAll } else { F::ConditionNotify });
            if cx.cv_over_lock {
                cx.feat(F::ConditionOverLock);
                cx.found.locks.insert(LockId::Lock);
            }
            line(out, ind, "with cv:");
            line(out, ind + 4, "flag += 1");
            line(out, ind + 4, if *all { "cv.notify_all()" } else { "cv.notify()" });
        }
        Stmt::CvWait => {
            cx.found.uses.insert("cv");
            cx.assign("r");
            if cx.cv_over_lock && cx.held.contains(&LockId::Lock) {
                line(out, ind, "r = flag");
                return;
            }
            cx.feat(F::ConditionWait);
            if cx.cv_over_lock {
                cx.feat(F::ConditionOverLock);
                cx.found.locks.insert(LockId::Lock);
            }
            line(out, ind, "with cv:");
            line(out, ind + 4, "while flag == 0:");
            line(out, ind + 8, "cv.wait()");
            line(out, ind + 4, "r = flag");
        }
        Stmt::BarWait => {
            cx.feat(F::BarrierWait);
            cx.found.uses.insert("bar");
            cx.assign("r");
            line(out, ind, "r = bar.wait()");
        }
        Stmt::QPut { c } => {
            cx.feat(F::QueuePut);
            cx.found.uses.insert("q");
            line(out, ind, &format!("q.put({c})"));
        }
        Stmt::QGet => {
            cx.feat(F::QueueGetTaskDone);
            cx.found.uses.insert("q");
            cx.assign("r");
            line(out, ind, "r = q.get()");
            line(out, ind, "q.task_done()");
        }
        Stmt::QJoin => {
            cx.feat(F::QueueJoin);
            cx.found.uses.insert("q");
            line(out, ind, "q.join()");
        }
        Stmt::QSize { g, empty } => {
            cx.feat(F::QueueSizeOrEmpty);
            cx.found.uses.insert("q");
            if *empty {
                cx.assign(GLOBALS[*g]);
                line(out, ind, "if q.empty():");
                line(out, ind + 4, &format!("{} += 1", GLOBALS[*g]));
            } else {
                cx.assign("r");
                line(out, ind, "r = q.qsize()");
            }
        }
        Stmt::If { g, c, param, then, els } => {
            cx.feat(F::If);
            let v = if *param && matches!(cx.param, Param::Int(_)) && !cx.module { "n" } else { GLOBALS[*g] };
            line(out, ind, &format!("if {v} > {c}:"));
            body(cx, out, then, ind + 4);
            if let Some(e) = els {
                cx.feat(F::Else);
                line(out, ind, "else:");
                body(cx, out, e, ind + 4);
            }
        }
        Stmt::For { k, body: b } => {
            cx.feat(F::ForRange);
            line(out, ind, &format!("for _ in range({k}):"));
            cx.loops += 1;
            body(cx, out, b, ind + 4);
            cx.loops -= 1;
        }
        Stmt::ForContinue { k, body: b } => {
            cx.feat(F::ForContinue);
            let j = format!("j{}", cx.loops);
            line(out, ind, &format!("for {j} in range({k}):"));
            line(out, ind + 4, &format!("if {j} == 0:"));
            line(out, ind + 8, "continue");
            cx.loops += 1;
            body(cx, out, b, ind + 4);
            cx.loops -= 1;
        }
        Stmt::While { k, body: b } => {
            cx.feat(F::WhileCounter);
            let i = format!("i{}", cx.loops);
            line(out, ind, &format!("{i} = 0"));
            line(out, ind, &format!("while {i} < {k}:"));
            line(out, ind + 4, &format!("{i} += 1"));
            cx.loops += 1;
            body(cx, out, b, ind + 4);
            cx.loops -= 1;
        }
        Stmt::WhileTrue { k, body: b } => {
            cx.feat(F::WhileTrueBreak);
            let i = format!("i{}", cx.loops);
            line(out, ind, &format!("{i} = 0"));
            line(out, ind, "while True:");
            line(out, ind + 4, &format!("{i} += 1"));
            cx.loops += 1;
            body(cx, out, b, ind + 4);
            cx.loops -= 1;
            line(out, ind + 4, &format!("if {i} >= {k}:"));
            line(out, ind + 8, "break");
        }
        Stmt::Locked { lock, form, body: b } => {
            let form = form.unwrap_or(cx.form);
            locked(cx, out, *lock, form, b, ind)
        }
        Stmt::Try { body: b, raise, handler, els, fin } => {
            line(out, ind, "try:");
            body(cx, out, b, ind + 4);
            if *raise && *handler == Handler::Custom {
                cx.feat(F::Raise);
                line(out, ind + 4, "raise AppError(\"boom\", y)");
            } else if *raise {
                cx.feat(F::Raise);
                line(out, ind + 4, "raise ValueError(\"boom\")");
            }
            cx.assign("y");
            match handler {
                Handler::Type => {
                    cx.feat(F::TryExceptType);
                    line(out, ind, "except ValueError:");
                }
                Handler::Tuple => {
                    cx.feat(F::TryExceptTuple);
                    line(out, ind, "except (ValueError, RuntimeError):");
                }
                Handler::As => {
                    cx.feat(F::TryExceptAs);
                    line(out, ind, "except Exception as e:");
                    line(out, ind + 4, "print(e)");
                }
                Handler::Bare => {
                    cx.feat(F::TryExceptBare);
                    line(out, ind, "except:");
                }
                Handler::Custom => {
                    cx.feat(F::ExceptionClass);
                    cx.found.uses.insert("AppError");
                    line(out, ind, "except AppError as e:");
                    line(out, ind + 4, "print(repr(e), e.args)");
                }
            }
            line(out, ind + 4, "y += 1");
            if *els {
                cx.feat(F::TryElse);
                line(out, ind, "else:");
                line(out, ind + 4, "y += 2");
            }
            if *fin {
                cx.feat(F::TryFinally);
                cx.assign("r");
                line(out, ind, "finally:");
                line(out, ind + 4, "r = y");
            }
        }
    }
}

/// Whether taking `l` now would block on a lock this body already holds.
fn non_reentrant_held(cx: &Ctx, l: LockId) -> bool {
    l != LockId::RLock && cx.held.contains(&l)
}

fn lock_kind_features(cx: &mut Ctx, l: LockId) {
    match l {
        LockId::RLock => {
            cx.feat(Feature::RLock);
            if cx.held.contains(&LockId::RLock) {
                cx.feat(Feature::RLockReentered);
            }
        }
        LockId::Sem => cx.feat(Feature::Semaphore),
        _ => {}
    }
}

fn locked(cx: &mut Ctx, out: &mut String, lock: LockId, form: LockForm, b: &[Stmt], ind: usize) {
    use Feature as F;
    if non_reentrant_held(cx, lock) {
        // Taking a held Lock again would deadlock its own thread: the body runs inline.
        for s in b {
            stmt(cx, out, s, ind);
        }
        return;
    }
    lock_kind_features(cx, lock);
    if cx.held.iter().any(|h| *h != lock) {
        cx.feat(F::TwoLocksNested);
    }
    if cx.module {
        cx.feat(F::MainTakesLock);
    }
    cx.found.forms.insert((cx.thread, lock, form));
    let l = cx.lock_name(lock);
    cx.held.push(lock);
    match form {
        LockForm::With => {
            cx.feat(F::LockWith);
            line(out, ind, &format!("with {l}:"));
            body(cx, out, b, ind + 4);
        }
        LockForm::AcqRel => {
            cx.feat(F::LockAcquireRelease);
            line(out, ind, &format!("{l}.acquire()"));
            for s in b {
                stmt(cx, out, s, ind);
            }
            line(out, ind, &format!("{l}.release()"));
        }
        LockForm::TryFinally => {
            cx.feat(F::LockAcquireTryFinally);
            line(out, ind, &format!("{l}.acquire()"));
            line(out, ind, "try:");
            body(cx, out, b, ind + 4);
            line(out, ind, "finally:");
            line(out, ind + 4, &format!("{l}.release()"));
        }
        LockForm::NonBlocking => {
            cx.feat(F::LockAcquireNonBlocking);
            line(out, ind, &format!("if {l}.acquire(False):"));
            body(cx, out, b, ind + 4);
            line(out, ind + 4, &format!("{l}.release()"));
        }
        LockForm::Timed => {
            cx.feat(F::LockAcquireTimeout);
            line(out, ind, &format!("if {l}.acquire(timeout=0.5):"));
            body(cx, out, b, ind + 4);
            line(out, ind + 4, &format!("{l}.release()"));
        }
    }
    cx.held.pop();
}

/// Whether some statement of `b`, at any depth, satisfies `f`.
fn contains(b: &[Stmt], f: &dyn Fn(&Stmt) -> bool) -> bool {
    b.iter().any(|s| {
        f(s) || match s {
            Stmt::If { then, els, .. } => contains(then, f) || els.as_deref().is_some_and(|e| contains(e, f)),
            Stmt::For { body, .. }
            | Stmt::ForContinue { body, .. }
            | Stmt::While { body, .. }
            | Stmt::WhileTrue { body, .. }
            | Stmt::Locked { body, .. }
            | Stmt::Try { body, .. } => contains(body, f),
            _ => false,
        }
    })
}

/// The program's text and the constructs in it.
pub fn render(p: &Prog) -> (String, BTreeSet<Feature>) {
    use Feature as F;
    let mut found = Found::default();
    // Worker functions.
    let mut funcs_text = String::new();
    let mut barrier = 0;
    let n_threads_of = |i: usize| if p.shared && p.funcs.len() == 1 && i == 0 { 2 } else { 1 };
    for (i, f) in p.funcs.iter().enumerate() {
        let Func { param, body: b } = f;
        let mut text = String::new();
        let mut cx = Ctx {
            found: &mut found,
            thread: i + 1,
            module: false,
            param: *param,
            held: Vec::new(),
            cv_over_lock: p.cv_over_lock,
            form: p.forms[(i + 1).min(2)],
            assigned: BTreeSet::new(),
            loops: 0,
        };
        body(&mut cx, &mut text, b, 4);
        let assigned: Vec<&str> = cx.assigned.iter().copied().collect();
        if contains(b, &|s| matches!(s, Stmt::BarWait)) {
            barrier += n_threads_of(i);
        }
        let annotated = p.annotations != super::Annotations::None;
        let params = match (param, annotated) {
            (Param::None, _) => "",
            (Param::Int(_), false) => "n",
            (Param::Int(_), true) => "n: int",
            (Param::Lock, false) => "lk",
            (Param::Lock, true) => "lk: threading.Lock",
        };
        let returns = if annotated { " -> None" } else { "" };
        let _ = writeln!(funcs_text, "\n\ndef w{}({params}){returns}:", i + 1);
        if !assigned.is_empty() {
            let _ = writeln!(funcs_text, "    global {}", assigned.join(", "));
        }
        funcs_text.push_str(&text);
        match param {
            Param::Int(_) => {
                found.features.insert(F::IntArgument);
            }
            Param::Lock => {
                found.features.insert(F::LockAsThreadArgument);
                found.locks.insert(LockId::Lock);
            }
            Param::None => {}
        }
    }
    // Main's statements between start() and join().
    let mut main_text = String::new();
    {
        let mut cx = Ctx {
            found: &mut found,
            thread: 0,
            module: true,
            param: Param::None,
            held: Vec::new(),
            cv_over_lock: p.cv_over_lock,
            form: p.forms[0],
            assigned: BTreeSet::new(),
            loops: 0,
        };
        for s in &p.main_body {
            stmt(&mut cx, &mut main_text, s, 0);
        }
        if contains(&p.main_body, &|s| matches!(s, Stmt::BarWait)) {
            barrier += 1;
        }
    }
    found.barrier_threads = barrier;

    // Mixed lock forms.
    for &(t1, l1, f1) in &found.forms {
        for &(t2, l2, f2) in &found.forms {
            if l1 == l2 && f1 != f2 {
                found.features.insert(if t1 == t2 { F::MixedFormsInOneThread } else { F::MixedFormsAcrossThreads });
                if t1 != t2 && f1 == LockForm::With && matches!(f2, LockForm::AcqRel | LockForm::TryFinally) {
                    found.features.insert(F::WithVsAcquireAcrossThreads);
                }
            }
        }
    }

    // Header.
    let uses = |n: &str| found.uses.contains(n);
    let (mut out, ann, lock_ann) = match p.annotations {
        super::Annotations::None => (String::from("import threading\n"), "", ""),
        super::Annotations::Evaluated => {
            found.features.insert(F::Annotations);
            (String::from("import threading\n"), ": int", ": threading.Lock")
        }
        super::Annotations::Future => {
            found.features.insert(F::Annotations);
            found.features.insert(F::FutureAnnotations);
            (String::from("from __future__ import annotations\nimport threading\n"), ": int", ": threading.Lock")
        }
    };
    if uses("time") {
        out.push_str("import time\n");
    }
    if uses("q") {
        out.push_str("import queue\n");
    }
    if uses("math") {
        out.push_str("import math\n");
    }
    if uses("dd") {
        out.push_str("from collections import defaultdict\n");
    }
    if uses("dq") || uses("ct") {
        out.push_str("import collections\n");
    }
    if uses("random") {
        out.push_str("import random\n");
    }
    if uses("pool") {
        out.push_str("from concurrent.futures import ThreadPoolExecutor, as_completed\n");
    }
    if uses("stdlib") {
        out.push_str("import copy\nimport functools\nimport operator\n");
    }
    out.push('\n');
    if uses("AppError") {
        out.push_str("class AppError(ValueError):\n    pass\n\n");
    }
    let _ = writeln!(out, "x{ann} = {}\ny{ann} = {}\nr{ann} = -1", p.init[0], p.init[1]);
    if uses("cv") {
        out.push_str("flag = 0\n");
    }
    if uses("s") {
        out.push_str("s = \"\"\n");
    }
    if uses("a") {
        out.push_str("a = [0, 0]\n");
    }
    if uses("d") {
        out.push_str("d = {\"k\": 0}\n");
    }
    if uses("dd") {
        out.push_str("dd = defaultdict(int)\ndl = defaultdict(lambda: [])\n");
    }
    if uses("st") {
        out.push_str("st = {0, 1}\n");
    }
    if uses("dq") {
        out.push_str("dq = collections.deque([0], maxlen=3)\n");
    }
    if uses("ct") {
        out.push_str("ct = collections.Counter()\n");
    }
    if uses("pool") {
        out.push_str("pool = ThreadPoolExecutor(max_workers=2)\n\n\ndef twice(v):\n    return v * 2\n\n\n");
    }
    if uses("timer") {
        out.push_str("\n\ndef tick(v):\n    global x\n    x = x + v\n\n\n");
    }
    if uses("deco") {
        out.push_str(
            "\n\ndef logged(func):\n    def wrapper(*args):\n        return func(*args)\n\n    return wrapper\n\n\n\
             @logged\ndef bump(v):\n    return v + 1\n\n\n",
        );
    }
    let cv_lock = uses("cv") && p.cv_over_lock;
    if found.locks.contains(&LockId::Lock) || cv_lock {
        let _ = writeln!(out, "lock{lock_ann} = threading.Lock()");
    }
    if found.locks.contains(&LockId::Lock2) {
        let _ = writeln!(out, "lock2{lock_ann} = threading.Lock()");
    }
    if found.locks.contains(&LockId::RLock) {
        out.push_str("rl = threading.RLock()\n");
    }
    if found.locks.contains(&LockId::Sem) {
        if p.bounded {
            found.features.insert(F::BoundedSemaphore);
            out.push_str("sem = threading.BoundedSemaphore(1)\n");
        } else {
            out.push_str("sem = threading.Semaphore(1)\n");
        }
    }
    if uses("cv") {
        out.push_str(if cv_lock { "cv = threading.Condition(lock)\n" } else { "cv = threading.Condition()\n" });
    }
    if uses("ev") {
        out.push_str("ev = threading.Event()\n");
    }
    if uses("bar") {
        let _ = writeln!(out, "bar = threading.Barrier({})", found.barrier_threads.max(1));
    }
    if uses("q") {
        out.push_str("q = queue.Queue()\n");
    }
    if uses("loc") {
        out.push_str("loc = threading.local()\n");
    }
    if uses("obj") || p.method_thread.is_some() {
        out.push_str(
            "\n\nclass C:\n    count = 0\n\n    def __init__(self):\n        self.n = 0\n\n    @property\n    def value(self):\n        \
             return self.n\n\n    def __enter__(self):\n        return self\n\n    def __exit__(self, kind, exc, tb):\n        \
             return False\n\n    @value.setter\n    def value(self, v):\n        self.n = v\n\n    def __str__(self):\n        \
             return f\"C{self.n}\"\n\n    def __eq__(self, other):\n        return isinstance(other, C) and self.n == other.n\n\n    \
             def bump(self, k):\n        self.n += k\n\n    def __call__(self, k):\n        self.n += k\n        \
             return self.n\n\n\nobj = C()\n",
        );
    }
    if uses("obj2") {
        out.push_str("\n\nclass D(C):\n    def bump(self, k):\n        super().bump(k + 1)\n\n\nobj2 = D()\n");
    }
    if uses("items") {
        // A `try` inside the generator, with no yield inside it.
        out.push_str(
            "\n\ndef items(k):\n    for v in a:\n        try:\n            w = v + k\n        except TypeError:\n            \
             w = k\n        yield w\n    return k\n",
        );
    }
    if uses("feed") {
        out.push_str("\n\nfeed = items(1)\n");
    }
    if uses("tally") {
        out.push_str(
            "\n\ndef make_tally():\n    n = 0\n\n    def tally(k):\n        nonlocal n\n        n += k\n        \
             return n\n\n    return tally\n\n\ntally = make_tally()\n",
        );
    }
    if uses("scale") {
        out.push_str("\n\ndef scale(v, *, by=2):\n    return v * by % 7\n");
    }
    if uses("add") {
        out.push_str("\n\ndef add(v, k=1):\n    return v + k\n");
    }
    if uses("locked_add") {
        out.push_str("\n\ndef locked_add(lk, k):\n    global x\n    with lk:\n        x += k\n");
    }
    out.push_str(&funcs_text);
    out.push_str("\n\n");

    // Threads.
    let mut threads: Vec<String> = Vec::new();
    for (i, f) in p.funcs.iter().enumerate() {
        let copies = n_threads_of(i);
        if copies == 2 {
            found.features.insert(F::OneFunctionTwoThreads);
        }
        for k in 0..copies {
            let args = match f.param {
                Param::None => String::new(),
                // Every other worker's argument comes in a list (unpacked when the thread runs).
                Param::Int(v) if (v + k as i64) % 2 == 0 => {
                    found.features.insert(F::ThreadArgsList);
                    format!(", args=[{}]", v + k as i64)
                }
                Param::Int(v) => format!(", args=({},)", v + k as i64),
                Param::Lock => ", args=(lock,)".to_string(),
            };
            // The second copy of a worker is named; the others get CPython's `Thread-N (wK)`.
            let name = if k == 1 {
                found.features.insert(F::ThreadName);
                ", name=\"second\""
            } else {
                ""
            };
            threads.push(format!("threading.Thread(target=w{}{args}{name})", i + 1));
        }
    }
    if let Some(v) = p.method_thread {
        found.features.insert(F::BoundMethodTarget);
        threads.push(format!("threading.Thread(target=obj.bump, args=({v},))"));
    }
    if threads.len() >= 2 && p.funcs.len() >= 2 {
        found.features.insert(F::TwoWorkers);
    }
    let n = threads.len();
    let shape = if n < 2 { Shape::All } else { p.shape };
    for (t, th) in threads.iter().enumerate() {
        if shape == Shape::Daemon && t + 1 == n {
            found.features.insert(F::DaemonThread);
            let _ = writeln!(out, "t{} = {}, daemon=True)", t + 1, th.strip_suffix(')').unwrap_or(th));
        } else {
            let _ = writeln!(out, "t{} = {th}", t + 1);
        }
    }
    match shape {
        Shape::All | Shape::Reverse => {
            for t in 1..=n {
                let _ = writeln!(out, "t{t}.start()");
            }
            out.push_str(&main_text);
            let order: Vec<usize> = if shape == Shape::Reverse { (1..=n).rev().collect() } else { (1..=n).collect() };
            if shape == Shape::Reverse {
                found.features.insert(F::JoinReverse);
            }
            for t in order {
                let _ = writeln!(out, "t{t}.join()");
            }
        }
        Shape::Daemon => {
            for t in 1..=n {
                let _ = writeln!(out, "t{t}.start()");
            }
            out.push_str(&main_text);
            for t in 1..n {
                let _ = writeln!(out, "t{t}.join()");
            }
        }
        Shape::Sequential => {
            found.features.insert(F::StartJoinSequential);
            for t in 1..n {
                let _ = writeln!(out, "t{t}.start()\nt{t}.join()");
            }
            let _ = writeln!(out, "t{n}.start()");
            out.push_str(&main_text);
            let _ = writeln!(out, "t{n}.join()");
        }
    }
    for t in &p.tail {
        match t {
            Tail::Print => out.push_str("print(f\"x={x} y={y} r={r}\")\n"),
            Tail::AssertEq { g, c } => {
                found.features.insert(F::FinalAssert);
                let _ = writeln!(out, "assert {} == {c}, f\"{0}={{{0}}}\"", GLOBALS[*g]);
            }
            Tail::Vars if found.uses.contains("obj") => {
                found.features.insert(F::Vars);
                out.push_str("print(sorted(vars(obj).items()))\n");
            }
            Tail::Vars => out.push_str("print(f\"x={x} y={y} r={r}\")\n"),
        }
    }
    if p.from_import {
        // `from threading import Lock, Thread`, the names used bare.
        found.features.insert(F::FromImport);
        out = out
            .replacen("import threading\n", "import threading\nfrom threading import Lock, Thread\n", 1)
            .replace("threading.Lock()", "Lock()")
            .replace("threading.Thread(", "Thread(");
    }
    (out, found.features)
}
