//! Random programs that use every construct of the subset (README, "The Python subset"): every way
//! of using a lock (`with`, `acquire()`/`release()`, `acquire()` + `try`/`finally`,
//! `acquire(False)`, a lock passed as an argument to a worker or to a helper, the same lock taken in
//! different ways by different threads and by one thread), RLocks, semaphores, conditions, events,
//! barriers and queues, lists, dicts, objects with methods and `@property` getters, helper calls
//! and builtins (`max`, `min`, `abs`, `len`, `isinstance`, `int`, `str`), a str global, class
//! attributes, tuple unpacking, `// %`, `and`/`or`/`not`/`is`, `in`, negative indices, `elif`,
//! `try`/`except`/`else`/`finally` and `raise`, every kind of loop (`for` over a range or a dict,
//! `while` with a counter, `while True` with `break`, `continue`, `break`), prints, asserts, and
//! main working between its `start()`s and `join()`s.
//!
//! A program is one of two profiles: *lock-only* (ints, `threading.Lock`, `for` loops, helpers:
//! what the reduced search models, so that the reductions are really exercised) or *everything*
//! (any construct; the reduced search hands most of these to plain search, and the decision to do
//! so is what is tested there). Programs stay small (1–2 workers and main, 1–3 statements each,
//! nesting depth 2, loops of 1–2 iterations), so plain stateful search finishes them in
//! milliseconds; a property test skips the rare program whose plain search is cut by its limit.
//!
//! The generator is a proptest `Strategy` over a structure (`Prog`) rendered to text, so shrinking
//! removes threads, statements and nesting and every shrunk value is again a valid program.
//! `render` also reports which constructs (`Feature`) the text contains, for the coverage table.

mod render;
#[cfg(test)]
mod tests;

pub use render::{render, Feature};

use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};

/// A lock-like object a statement takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LockId {
    /// `lock = threading.Lock()` (the one a worker may get as its argument `lk`).
    Lock,
    /// `lock2 = threading.Lock()`
    Lock2,
    /// `rl = threading.RLock()`
    RLock,
    /// `sem = threading.Semaphore(1)` or `threading.BoundedSemaphore(1)`
    Sem,
}

/// How a statement takes its lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LockForm {
    /// `with L:` body
    With,
    /// `L.acquire()` body `L.release()`
    AcqRel,
    /// `L.acquire()` / `try:` body / `finally:` / `L.release()`
    TryFinally,
    /// `if L.acquire(False):` body, `L.release()`
    NonBlocking,
    /// `if L.acquire(timeout=0.5):` body, `L.release()` (the timeout may expire at any time)
    Timed,
}

/// How a `try` statement handles what its body raises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handler {
    /// `except ValueError:`
    Type,
    /// `except (ValueError, RuntimeError):`
    Tuple,
    /// `except Exception as e:` + `print(e)`
    As,
    /// `except:`
    Bare,
    /// The body raises `AppError(...)`, a class of the program derived from `ValueError`:
    /// `except AppError as e:` + `print(repr(e), e.args)`
    Custom,
}

/// One statement. Global names: `x`, `y` (ints), `r` (what a read stores).
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `g += c`
    Add {
        g: usize,
        c: i64,
    },
    /// `g = h + c`
    Copy {
        g: usize,
        h: usize,
        c: i64,
    },
    /// `tmp = g` / `g = tmp + c`: a read into a local, then a write
    Rmw {
        g: usize,
        c: i64,
    },
    /// `r = g`
    Read {
        g: usize,
    },
    /// `g += n` where the worker has an int parameter `n` (else `g += 1`)
    AddParam {
        g: usize,
    },
    /// `print(f"w {g}")` or `print("w", g)`
    Print {
        g: usize,
        fstring: bool,
    },
    /// `assert g <= c` (optionally with an f-string message)
    Assert {
        g: usize,
        c: i64,
        msg: bool,
    },
    /// `if g > c: raise RuntimeError(...)` / `raise ValueError(...)` unconditionally
    Raise {
        g: usize,
        c: i64,
        cond: bool,
    },
    /// `g = add(g, c)`: a helper `def add(v, k=1): return v + k` (`add(g)` for 1, `add(g, k=2)`
    /// for 2)
    CallAdd {
        g: usize,
        c: i64,
    },
    /// `locked_add(L, c)`: a helper that takes the lock it gets as its argument
    CallLocked {
        lock: LockId,
        c: i64,
    },
    /// `g = max(g, c)` / `min` / `abs(g - c)`
    Builtin {
        g: usize,
        c: i64,
        which: u8,
    },
    /// `time.sleep(0)`
    Sleep,
    /// `time.sleep(random.uniform(0, c))` or `time.sleep(random.randint(0, c) / 10)`: a random
    /// sleep length.
    RandomSleep {
        c: i64,
        int: bool,
    },
    /// `g = (g * c + 1) // 2 % 5`
    Arith {
        g: usize,
        c: i64,
    },
    /// An int operator beyond `+ - * // %`, plain or augmented: `g ^= c`,
    /// `g = ((g << 1) | c) & 7`, `g = g ** 2 % 7` or `g >>= 1`
    BitOps {
        g: usize,
        c: i64,
        which: u8,
    },
    /// `if x > c and not y == c or r is None:` `y += 1`
    BoolOps {
        c: i64,
    },
    /// `if g > c:` `g += 1` `elif g == c:` `g -= 1` `else:` `pass`
    Elif {
        g: usize,
        c: i64,
    },
    /// `for j in range(3):` `if g > c: break` `g += 1`
    ForBreak {
        g: usize,
        c: i64,
    },
    /// `x, y = y, x`
    Swap,
    /// `s += "a"` on a str global
    StrAppend,
    /// `if c in a:` `r = a[-1]`
    ListIn {
        c: i64,
    },
    /// `for k in d:` `r = d[k]`
    DictIter,
    /// `r = len(" ".join(("a", str(g))).upper().split())`: str methods
    StrMethods {
        g: usize,
    },
    /// `r = round(g / 4 + 0.25 * y, 2)`, or `print(f"{g / 3:.3f}")` (print): floats, true
    /// division, rounding and a float format spec.
    Floats {
        g: usize,
        print: bool,
    },
    /// `r = "%s=%d" % ("g", g)` (printf-style) or `r = "{}:{:>4}".format(g, y)` (format).
    Formatting {
        g: usize,
        format: bool,
    },
    /// `r = sum([g * k for k in range(3) if k != c])` (list) or
    /// `r = len({k: g for k in range(c % 3 + 1)})` (dict): comprehensions and `sum`.
    Comprehension {
        g: usize,
        c: i64,
        dict: bool,
    },
    /// `for i, v in enumerate(a):` `r = i + v` (over the shared list, item by item), or
    /// `r = sum([p * q for p, q in zip(a, reversed(a))])` (zip).
    Iterators {
        zip: bool,
    },
    /// `r = d.pop("j", 0)` (pop) or `r = len(d.copy())`: removing from and copying a dict.
    DictRemove {
        pop: bool,
    },
    /// `h = lambda q: q + g` then `r = h(1)`: a lambda without a closure.
    Lambda {
        g: usize,
    },
    /// `r = sum(a[c % 2:])` or `r = len(a[::-1])`: slices of the shared list.
    Slice {
        c: i64,
        reverse: bool,
    },
    /// A generator function `items(k)` over the list `a`, with a `try` (no yield inside) in its
    /// loop: `r = sum(items(g))` (kind 0),
    /// `for gv in items(c):` `r = gv` (kind 1), or `r = next(feed, c)` (kind 2), where `feed` is
    /// one generator that every thread takes items of (a thread that resumes it while another
    /// runs it gets `ValueError: generator already executing`).
    GenFunc {
        g: usize,
        c: i64,
        kind: u8,
    },
    /// `r = sum(gu * g for gu in a if gu != c)`, `r = max(gu + g for gu in a)` or
    /// `for gv in (gu + g for gu in a):` `r = gv`: a generator expression, drained by a builtin
    /// or resumed by a loop, reading the shared list item by item.
    GenExpr {
        g: usize,
        c: i64,
        kind: u8,
    },
    /// `g = g + random.randint(0, c)` or `g = g + random.choice((0, c))` without a seed: a draw
    /// whose every value is explored.
    Draw {
        g: usize,
        c: i64,
        choice: bool,
    },
    /// `tm = time.monotonic()`, then `if time.monotonic() - tm > c / 2: g += 1`: a comparison
    /// of time readings, a choice of both answers.
    Elapsed {
        g: usize,
        c: i64,
    },
    /// `if (wv := g + c) > 2:` then `r = wv`: an assignment expression.
    Walrus {
        g: usize,
        c: i64,
    },
    /// `g = add(*(g, 3))` or `g = add(g, **{"k": 4})`: a call that spreads its arguments.
    SpreadAdd {
        g: usize,
        kw: bool,
    },
    /// `r, *rest = a` or `*rest, r = a`: starred unpacking of the shared list (one step).
    StarUnpack {
        last: bool,
    },
    /// `loc.v = g + c` then `r = loc.v`: a `threading.local()` attribute, each thread's own.
    Local {
        g: usize,
        c: i64,
    },
    /// `r = math.isqrt(g * g + c)` or `r = math.floor(g / 2)`: the `math` module.
    MathCall {
        g: usize,
        c: i64,
        floor: bool,
    },
    /// `r = tally(c)`: a closure (made once at module level) whose `nonlocal` counter all
    /// threads share through its cell.
    Closure {
        c: i64,
    },
    /// `obj2.bump(c)` (a subclass method that calls `super().bump(c + 1)`), or `r = obj2.n`.
    Inherited {
        c: i64,
        read: bool,
    },
    /// `print(threading.current_thread().name, g)`
    PrintThreadName {
        g: usize,
    },
    /// A dict method: `d.setdefault("j", 1)` (c = 1, grows the dict), `for k, v in d.items():`
    /// `r = v` (c = 2), `d.update(k=3)` (c = 3).
    DictMethod {
        c: i64,
    },
    /// `if isinstance(g, int):` `r = int(str(g))`
    Convert {
        g: usize,
    },
    /// `C.count += 1`: a class attribute
    ClassAttr,
    Pass,
    // --- heap
    /// `a[i] += c`
    ListAdd {
        i: usize,
        c: i64,
    },
    /// `a.append(c)`
    Append {
        c: i64,
    },
    /// Another list method: `r = a.pop()` under `try`/`except IndexError` (c = 1),
    /// `a.insert(0, 2)` (c = 2), `a.sort(reverse=True)` (c = 3).
    ListMethod {
        c: i64,
    },
    /// `g = len(a)`
    Len {
        g: usize,
    },
    /// `d["k"] += c`
    DictAdd {
        c: i64,
    },
    /// `r = d.get("k", 0)`
    DictGet,
    /// `setattr(obj, "n", getattr(obj, "n") + c)`, or
    /// `r = len(dict(n=obj.n, ok=bool(hasattr(obj, "n") and type(obj) is C)))`: attributes and
    /// types reached by value.
    Reflect {
        c: i64,
        set: bool,
    },
    /// A set operation on `st = {0, 1}`: `add`, `discard`, a membership test, `|=` a display, or
    /// an iteration (a set comprehension).
    SetOp {
        c: i64,
        kind: u8,
    },
    /// `dd[c % 2] += c` (`defaultdict(int)`) or `dl[c % 2].append(c)` (`defaultdict(lambda: [])`).
    DefaultDict {
        c: i64,
        lambda: bool,
    },
    /// `g = scale(g, by=c)` or `g = scale(g)`: a call that binds a keyword-only parameter.
    KeywordOnly {
        g: usize,
        c: i64,
        by: bool,
    },
    /// `obj.n += c`
    AttrAdd {
        c: i64,
    },
    /// `obj.bump(c)`: a method
    Bump {
        c: i64,
    },
    /// `r = obj.value`: a `@property` getter
    PropRead,
    /// `obj.value = obj.n + c`: a `@value.setter`, run as a Python frame
    PropWrite {
        c: i64,
    },
    /// `r = len(f"{obj}") + g` (`__str__`) or `r = int(obj == C()) + g` (`__eq__`): special
    /// methods that C code calls back
    Special {
        g: usize,
        eq: bool,
    },
    /// `r = max(range(3), key=lambda v: (v + g) % 3)`: a key function, called per item
    KeyFn {
        g: usize,
    },
    /// `with cv: r = int(cv.wait_for(lambda: flag > 0, timeout=0.1))`
    CvWaitFor,
    /// `with obj as o: o.n += c`: `__enter__` and `__exit__` of the program's class
    WithObj {
        c: i64,
    },
    /// `tmr = threading.Timer(0.01, tick, (c,))` and `tmr.start()`, then `tmr.cancel()` if
    /// `cancel` and `tmr.join()` if `join`: the timer's thread adds `c` to `x` (`tick`) at any
    /// time after its start, unless the cancel comes first
    Timer {
        c: i64,
        cancel: bool,
        join: bool,
    },
    /// `r = pool.submit(twice, c).result()` (kind 0), `r = sum(pool.map(twice, [c, 1]))` (1) or
    /// `r = [f.result() for f in as_completed([pool.submit(twice, c), pool.submit(twice, 1)])]`
    /// (2) or `r = sum(f.result() for f in as_completed((pool.submit(twice, c),)))` (3) on a module-level `ThreadPoolExecutor(max_workers=2)` that is never shut down (the
    /// interpreter's exit waits for its workers)
    Pool {
        c: i64,
        kind: u8,
    },
    /// `functools`, `operator`, `copy` and a decorator of the program's own, reading global `g`:
    /// `r = functools.reduce(operator.add, [g, c])` (kind 0), `r = bump(g)` of a decorated
    /// function (1 and 5), `r = functools.partial(operator.mul, c)(g)` (2), `r = obj(g)` of
    /// the class's `__call__` (6 and 7),
    /// `r = copy.deepcopy((g, c))[0]` (3), `r = operator.itemgetter(1)([c, g])` (4)
    Stdlib {
        g: usize,
        c: i64,
        kind: u8,
    },
    /// A `collections.deque(maxlen=3)` and a `Counter`: `dq.append(c)`, `dq.appendleft(c)`, a
    /// checked `popleft()`, `r = len(dq) + sum(dq)`, `ct[c % 2] += 1`, `r = ct.total()` (kind 0
    /// to 5)
    Collections {
        c: i64,
        kind: u8,
    },
    /// `try: r = a[5]` / `except Exception: r = 0` (an `except` clause cannot name IndexError): an error the checker raises, caught
    IndexCatch,
    // --- synchronisation objects
    /// `ev.set()`
    EvSet,
    /// `ev.clear()`
    EvClear,
    /// `ev.wait()`
    EvWait,
    /// `if ev.is_set(): g += 1`
    EvIsSet {
        g: usize,
    },
    /// `with cv:` `flag += 1` `cv.notify()` (or `notify_all()`)
    CvNotify {
        all: bool,
    },
    /// `with cv:` `while flag == 0: cv.wait()` `r = flag`
    CvWait,
    /// `r = bar.wait()` (the arrival index)
    BarWait,
    /// `q.put(c)`
    QPut {
        c: i64,
    },
    /// `r = q.get()` / `q.task_done()`
    QGet,
    /// `q.join()`
    QJoin,
    /// `r = q.qsize()`, or `if q.empty(): g += 1`
    QSize {
        g: usize,
        empty: bool,
    },
    // --- compound
    /// `if g > c:` (or `if n > c:`) then, optional else
    If {
        g: usize,
        c: i64,
        param: bool,
        then: Vec<Stmt>,
        els: Option<Vec<Stmt>>,
    },
    /// `for _ in range(k):`
    For {
        k: u32,
        body: Vec<Stmt>,
    },
    /// `for j in range(k):` `if j == 0: continue` + body
    ForContinue {
        k: u32,
        body: Vec<Stmt>,
    },
    /// `i = 0` / `while i < k:` / `i += 1` + body
    While {
        k: u32,
        body: Vec<Stmt>,
    },
    /// `i = 0` / `while True:` / `i += 1` + body / `if i >= k: break`
    WhileTrue {
        k: u32,
        body: Vec<Stmt>,
    },
    /// A lock block; without a form, in the form its thread prefers (`Prog::forms`).
    Locked {
        lock: LockId,
        form: Option<LockForm>,
        body: Vec<Stmt>,
    },
    /// `try:` body (+ `raise ValueError`) `except ...:` `y += 1` [`else:` ...] [`finally:` ...]
    Try {
        body: Vec<Stmt>,
        raise: bool,
        handler: Handler,
        els: bool,
        fin: bool,
    },
}

/// A worker's parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    None,
    /// `n`, an int
    Int(i64),
    /// `lk`: the worker gets `lock` as its argument
    Lock,
}

/// A worker function.
#[derive(Clone, Debug, PartialEq)]
pub struct Func {
    pub param: Param,
    pub body: Vec<Stmt>,
}

/// How main starts and joins its threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// start all, main's statements, join all
    All,
    /// start all, main's statements, join in reverse order
    Reverse,
    /// t1.start(); t1.join(); t2.start(); main's statements; t2.join()
    Sequential,
    /// start all, the last a daemon thread; main's statements; join all but the daemon, which
    /// the exit ends wherever it is
    Daemon,
}

/// Main's statements after the joins.
#[derive(Clone, Debug, PartialEq)]
pub enum Tail {
    /// `print(f"x={x} y={y}")`
    Print,
    /// `assert g == c`
    AssertEq { g: usize, c: i64 },
    /// `print(sorted(vars(obj).items()))` where the program has `obj` (after every join: no
    /// other thread is alive).
    Vars,
}

/// A whole program.
#[derive(Clone, Debug, PartialEq)]
pub struct Prog {
    /// Initial values of `x`, `y`.
    pub init: [i64; 2],
    pub funcs: Vec<Func>,
    /// With one function: run it in two threads (the second with the next argument).
    pub shared: bool,
    /// A thread whose target is the bound method `obj.bump` (everything profile only).
    pub method_thread: Option<i64>,
    pub shape: Shape,
    /// Main's statements between its `start()`s and its `join()`s.
    pub main_body: Vec<Stmt>,
    pub tail: Vec<Tail>,
    /// `sem` is a `BoundedSemaphore`.
    pub bounded: bool,
    /// `cv` is a `Condition` over `lock` (else over its own lock).
    pub cv_over_lock: bool,
    /// The lock form each thread prefers: main's, then each worker function's. Where they differ,
    /// one lock is taken in different ways by different threads.
    pub forms: [LockForm; 3],
    /// Annotations on the globals, the lock and the workers' signatures: none, evaluated, or
    /// under `from __future__ import annotations`.
    pub annotations: Annotations,
    /// `from threading import Lock, Thread`, and the two used without `threading.`.
    pub from_import: bool,
}

/// How a program annotates its globals and signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Annotations {
    None,
    Evaluated,
    Future,
}

/// Which statements a program may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Ints, `threading.Lock` in every form, `for` loops, `if`, helpers, prints, asserts: what
    /// the reduced search models.
    LockOnly,
    /// Every construct.
    Everything,
}

/// A generated program: its text and the constructs it contains.
#[derive(Clone)]
pub struct GenProgram {
    pub source: String,
    pub profile: Profile,
    pub features: std::collections::BTreeSet<Feature>,
}

impl std::fmt::Debug for GenProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "GenProgram({:?}):", self.profile)?;
        f.write_str(&self.source)
    }
}

/// The default generator: lock-only and everything programs, 3:2.
pub fn program() -> impl Strategy<Value = GenProgram> {
    prop_oneof![3 => Just(Profile::LockOnly), 2 => Just(Profile::Everything)].prop_flat_map(program_of)
}

/// Programs of one profile.
pub fn program_of(profile: Profile) -> BoxedStrategy<GenProgram> {
    prog(profile)
        .prop_map(move |p| {
            let (source, features) = render(&p);
            GenProgram { source, profile, features }
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Strategies

fn g() -> impl Strategy<Value = usize> {
    0..2usize
}

fn c() -> impl Strategy<Value = i64> {
    1i64..=3
}

fn lock_id(profile: Profile) -> BoxedStrategy<LockId> {
    match profile {
        Profile::LockOnly => prop_oneof![4 => Just(LockId::Lock), 1 => Just(LockId::Lock2)].boxed(),
        Profile::Everything => prop_oneof![
            3 => Just(LockId::Lock),
            1 => Just(LockId::Lock2),
            2 => Just(LockId::RLock),
            2 => Just(LockId::Sem),
        ]
        .boxed(),
    }
}

fn lock_form(profile: Profile) -> BoxedStrategy<LockForm> {
    match profile {
        Profile::LockOnly => prop_oneof![
            3 => Just(LockForm::With),
            3 => Just(LockForm::AcqRel),
            1 => Just(LockForm::NonBlocking),
            1 => Just(LockForm::Timed),
        ]
        .boxed(),
        Profile::Everything => prop_oneof![
            3 => Just(LockForm::With),
            3 => Just(LockForm::AcqRel),
            2 => Just(LockForm::TryFinally),
            1 => Just(LockForm::NonBlocking),
            1 => Just(LockForm::Timed),
        ]
        .boxed(),
    }
}

fn leaf(profile: Profile) -> BoxedStrategy<Stmt> {
    let mut arms: Vec<(u32, BoxedStrategy<Stmt>)> = vec![
        (4, (g(), c()).prop_map(|(g, c)| Stmt::Add { g, c }).boxed()),
        (2, (g(), g(), 0i64..=2).prop_map(|(g, h, c)| Stmt::Copy { g, h, c }).boxed()),
        (3, (g(), c()).prop_map(|(g, c)| Stmt::Rmw { g, c }).boxed()),
        (3, g().prop_map(|g| Stmt::Read { g }).boxed()),
        (1, g().prop_map(|g| Stmt::AddParam { g }).boxed()),
        (2, (g(), any::<bool>()).prop_map(|(g, fstring)| Stmt::Print { g, fstring }).boxed()),
        (2, (g(), 0i64..=5, proptest::bool::weighted(0.3)).prop_map(|(g, c, msg)| Stmt::Assert { g, c, msg }).boxed()),
        (1, (g(), 1i64..=5, proptest::bool::weighted(0.8)).prop_map(|(g, c, cond)| Stmt::Raise { g, c, cond }).boxed()),
        (2, (g(), c()).prop_map(|(g, c)| Stmt::CallAdd { g, c }).boxed()),
        (2, (lock_id(profile), c()).prop_map(|(lock, c)| Stmt::CallLocked { lock, c }).boxed()),
        (1, Just(Stmt::Pass).boxed()),
        (1, (g(), c()).prop_map(|(g, c)| Stmt::Arith { g, c }).boxed()),
        (1, (g(), c(), 0u8..4).prop_map(|(g, c, which)| Stmt::BitOps { g, c, which }).boxed()),
        (1, c().prop_map(|c| Stmt::BoolOps { c }).boxed()),
        (1, (g(), c()).prop_map(|(g, c)| Stmt::Elif { g, c }).boxed()),
        (1, (g(), c()).prop_map(|(g, c)| Stmt::ForBreak { g, c }).boxed()),
    ];
    if profile == Profile::Everything {
        arms.extend([
            (1, (g(), c(), 0u8..3).prop_map(|(g, c, which)| Stmt::Builtin { g, c, which }).boxed()),
            (1, Just(Stmt::Sleep).boxed()),
            (1, (c(), any::<bool>()).prop_map(|(c, int)| Stmt::RandomSleep { c, int }).boxed()),
            (1, Just(Stmt::Swap).boxed()),
            (1, Just(Stmt::StrAppend).boxed()),
            (1, c().prop_map(|c| Stmt::ListIn { c }).boxed()),
            (1, Just(Stmt::DictIter).boxed()),
            (3, c().prop_map(|c| Stmt::DictMethod { c }).boxed()),
            (1, g().prop_map(|g| Stmt::PrintThreadName { g }).boxed()),
            (1, g().prop_map(|g| Stmt::StrMethods { g }).boxed()),
            (1, (g(), any::<bool>()).prop_map(|(g, print)| Stmt::Floats { g, print }).boxed()),
            (2, (g(), any::<bool>()).prop_map(|(g, format)| Stmt::Formatting { g, format }).boxed()),
            (2, (g(), c(), any::<bool>()).prop_map(|(g, c, dict)| Stmt::Comprehension { g, c, dict }).boxed()),
            (2, any::<bool>().prop_map(|zip| Stmt::Iterators { zip }).boxed()),
            (2, any::<bool>().prop_map(|pop| Stmt::DictRemove { pop }).boxed()),
            (1, g().prop_map(|g| Stmt::Lambda { g }).boxed()),
            (1, c().prop_map(|c| Stmt::Closure { c }).boxed()),
            (1, (g(), c(), any::<bool>()).prop_map(|(g, c, floor)| Stmt::MathCall { g, c, floor }).boxed()),
            (1, (g(), c()).prop_map(|(g, c)| Stmt::Local { g, c }).boxed()),
            (1, (c(), any::<bool>()).prop_map(|(c, reverse)| Stmt::Slice { c, reverse }).boxed()),
            (1, any::<bool>().prop_map(|last| Stmt::StarUnpack { last }).boxed()),
            (1, (g(), any::<bool>()).prop_map(|(g, kw)| Stmt::SpreadAdd { g, kw }).boxed()),
            (1, (g(), c()).prop_map(|(g, c)| Stmt::Walrus { g, c }).boxed()),
            (1, (g(), 1i64..=2, any::<bool>()).prop_map(|(g, c, choice)| Stmt::Draw { g, c, choice }).boxed()),
            (1, (g(), c()).prop_map(|(g, c)| Stmt::Elapsed { g, c }).boxed()),
            (2, (g(), c(), 0..3u8).prop_map(|(g, c, kind)| Stmt::GenExpr { g, c, kind }).boxed()),
            (2, (g(), c(), 0..3u8).prop_map(|(g, c, kind)| Stmt::GenFunc { g, c, kind }).boxed()),
            (1, (c(), any::<bool>()).prop_map(|(c, read)| Stmt::Inherited { c, read }).boxed()),
            (1, g().prop_map(|g| Stmt::Convert { g }).boxed()),
            (1, Just(Stmt::ClassAttr).boxed()),
            (1, (0..2usize, c()).prop_map(|(i, c)| Stmt::ListAdd { i, c }).boxed()),
            (1, c().prop_map(|c| Stmt::Append { c }).boxed()),
            (3, c().prop_map(|c| Stmt::ListMethod { c }).boxed()),
            (1, g().prop_map(|g| Stmt::Len { g }).boxed()),
            (1, c().prop_map(|c| Stmt::DictAdd { c }).boxed()),
            (1, Just(Stmt::DictGet).boxed()),
            (1, c().prop_map(|c| Stmt::AttrAdd { c }).boxed()),
            (1, (c(), any::<bool>()).prop_map(|(c, set)| Stmt::Reflect { c, set }).boxed()),
            (1, (c(), any::<bool>()).prop_map(|(c, lambda)| Stmt::DefaultDict { c, lambda }).boxed()),
            (1, (c(), 0..5u8).prop_map(|(c, kind)| Stmt::SetOp { c, kind }).boxed()),
            (1, (g(), c(), any::<bool>()).prop_map(|(g, c, by)| Stmt::KeywordOnly { g, c, by }).boxed()),
            (1, c().prop_map(|c| Stmt::Bump { c }).boxed()),
            (1, Just(Stmt::PropRead).boxed()),
            (1, c().prop_map(|c| Stmt::PropWrite { c }).boxed()),
            (1, (g(), any::<bool>()).prop_map(|(g, eq)| Stmt::Special { g, eq }).boxed()),
            (1, g().prop_map(|g| Stmt::KeyFn { g }).boxed()),
            (1, Just(Stmt::CvWaitFor).boxed()),
            (1, c().prop_map(|c| Stmt::WithObj { c }).boxed()),
            (2, (c(), 0..4u8).prop_map(|(c, kind)| Stmt::Pool { c, kind }).boxed()),
            (3, (g(), c(), 0..8u8).prop_map(|(g, c, kind)| Stmt::Stdlib { g, c, kind }).boxed()),
            (
                1,
                (c(), any::<bool>(), any::<bool>())
                    .prop_map(|(c, cancel, join)| Stmt::Timer { c, cancel, join })
                    .boxed(),
            ),
            (2, (c(), 0..4u8).prop_map(|(c, kind)| Stmt::Collections { c, kind }).boxed()),
            (1, (c(), 4..6u8).prop_map(|(c, kind)| Stmt::Collections { c, kind }).boxed()),
            (1, Just(Stmt::IndexCatch).boxed()),
            (1, Just(Stmt::EvSet).boxed()),
            (1, Just(Stmt::EvClear).boxed()),
            (1, Just(Stmt::EvWait).boxed()),
            (1, g().prop_map(|g| Stmt::EvIsSet { g }).boxed()),
            (2, any::<bool>().prop_map(|all| Stmt::CvNotify { all }).boxed()),
            (1, Just(Stmt::CvWait).boxed()),
            (1, Just(Stmt::BarWait).boxed()),
            (1, c().prop_map(|c| Stmt::QPut { c }).boxed()),
            (1, Just(Stmt::QGet).boxed()),
            (1, Just(Stmt::QJoin).boxed()),
            (1, (g(), any::<bool>()).prop_map(|(g, empty)| Stmt::QSize { g, empty }).boxed()),
        ]);
    }
    Union::new_weighted(arms).boxed()
}

fn stmt(profile: Profile, depth: u32) -> BoxedStrategy<Stmt> {
    let leaves = leaf(profile);
    if depth == 0 {
        return leaves;
    }
    let inner = stmt(profile, depth - 1);
    let body = move || prop::collection::vec(inner.clone(), 1..=2);
    let k = || 1u32..=2;
    let mut arms: Vec<(u32, BoxedStrategy<Stmt>)> = vec![
        (10, leaves),
        (
            2,
            (g(), 0i64..=3, proptest::bool::weighted(0.25), body(), proptest::option::weighted(0.4, body()))
                .prop_map(|(g, c, param, then, els)| Stmt::If { g, c, param, then, els })
                .boxed(),
        ),
        (2, (k(), body()).prop_map(|(k, body)| Stmt::For { k, body }).boxed()),
        (1, body().prop_map(|body| Stmt::ForContinue { k: 2, body }).boxed()),
        (
            6,
            (lock_id(profile), proptest::option::weighted(0.3, lock_form(profile)), body())
                .prop_map(|(lock, form, body)| Stmt::Locked { lock, form, body })
                .boxed(),
        ),
    ];
    if profile == Profile::Everything {
        arms.extend([
            (
                1,
                (lock_form(profile), body())
                    .prop_map(|(form, body)| Stmt::Locked {
                        lock: LockId::RLock,
                        form: Some(LockForm::With),
                        body: vec![Stmt::Locked { lock: LockId::RLock, form: Some(form), body }],
                    })
                    .boxed(),
            ),
            (1, (k(), body()).prop_map(|(k, body)| Stmt::While { k, body }).boxed()),
            (1, (k(), body()).prop_map(|(k, body)| Stmt::WhileTrue { k, body }).boxed()),
            (
                2,
                (
                    body(),
                    proptest::bool::weighted(0.6),
                    prop_oneof![
                        Just(Handler::Type),
                        Just(Handler::Tuple),
                        Just(Handler::As),
                        Just(Handler::Bare),
                        Just(Handler::Custom)
                    ],
                    proptest::bool::weighted(0.3),
                    proptest::bool::weighted(0.3),
                )
                    .prop_map(|(body, raise, handler, els, fin)| Stmt::Try { body, raise, handler, els, fin })
                    .boxed(),
            ),
        ]);
    }
    Union::new_weighted(arms).boxed()
}

/// Main's statements between `start()` and `join()`: lock blocks are as likely as single
/// statements, so that main often takes a lock right after starting a worker that takes it too.
fn main_stmt(profile: Profile) -> BoxedStrategy<Stmt> {
    let body = move || prop::collection::vec(leaf(profile), 1..=2);
    Union::new_weighted(vec![
        (6, leaf(profile)),
        (
            6,
            (lock_id(profile), proptest::option::weighted(0.3, lock_form(profile)), body())
                .prop_map(|(lock, form, body)| Stmt::Locked { lock, form, body })
                .boxed(),
        ),
        (1, stmt(profile, 1)),
    ])
    .boxed()
}

fn body(profile: Profile, max: usize, depth: u32) -> BoxedStrategy<Vec<Stmt>> {
    prop::collection::vec(stmt(profile, depth), 1..=max).boxed()
}

/// A worker: up to `max` statements nested up to `depth`.
fn func(profile: Profile, max: usize, depth: u32) -> impl Strategy<Value = Func> {
    let param = prop_oneof![
        4 => Just(Param::None),
        1 => (1i64..=3).prop_map(Param::Int),
        2 => Just(Param::Lock),
    ];
    (param, body(profile, max, depth)).prop_map(|(param, body)| Func { param, body })
}

fn tail() -> impl Strategy<Value = Tail> {
    prop_oneof![
        1 => Just(Tail::Print),
        2 => (g(), 0i64..=6).prop_map(|(g, c)| Tail::AssertEq { g, c }),
        1 => Just(Tail::Vars),
    ]
}

fn prog(profile: Profile) -> BoxedStrategy<Prog> {
    // One worker with up to 3 statements nested twice, or two with up to 2 nested once (or one
    // function in two threads).
    let workers = prop_oneof![
        3 => func(profile, 3, 2).prop_map(|f| (vec![f], false)),
        2 => (func(profile, 2, 1), func(profile, 2, 1)).prop_map(|(f, g)| (vec![f, g], false)),
        1 => func(profile, 2, 1).prop_map(|f| (vec![f], true)),
    ];
    let method_thread = match profile {
        Profile::LockOnly => Just(None).boxed(),
        Profile::Everything => proptest::option::weighted(0.1, 1i64..=2).boxed(),
    };
    (
        ([0i64..=2, 0i64..=2], workers, method_thread),
        prop_oneof![
            8 => Just(Shape::All),
            2 => Just(Shape::Reverse),
            2 => Just(Shape::Sequential),
            1 => Just(Shape::Daemon)
        ],
        prop::collection::vec(main_stmt(profile), 0..=2),
        prop::collection::vec(tail(), 0..=2),
        (
            any::<bool>(),
            any::<bool>(),
            [lock_form(profile), lock_form(profile), lock_form(profile)],
            (
                prop_oneof![
                    6 => Just(Annotations::None),
                    1 => Just(Annotations::Evaluated),
                    1 => Just(Annotations::Future)
                ],
                proptest::bool::weighted(0.2),
            ),
        ),
    )
        .prop_map(
            |(
                (init, (funcs, shared), method_thread),
                shape,
                main_body,
                tail,
                (bounded, cv_over_lock, forms, (annotations, from_import)),
            )| Prog {
                init,
                funcs,
                shared,
                method_thread,
                shape,
                main_body,
                tail,
                bounded,
                cv_over_lock,
                forms,
                annotations,
                from_import,
            },
        )
        .boxed()
}
