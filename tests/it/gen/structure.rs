//! The generator's structured representation of a program: statements, functions, shapes.

/// One statement of a worker body. Global indices are taken modulo the number of globals, lock
/// indices are remapped densely, and a lock statement nested inside the same lock is inlined, so any
/// value of this type renders to a valid program.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Stmt {
    /// `g += c`
    Add {
        g: usize,
        c: i64,
    },
    /// `g -= c`
    Sub {
        g: usize,
        c: i64,
    },
    /// `g = g * c`
    Mul {
        g: usize,
        c: i64,
    },
    /// `g = h + c`
    Copy {
        g: usize,
        h: usize,
        c: i64,
    },
    /// `g += n` (the worker's parameter; `g += 1` in a worker without one)
    AddParam {
        g: usize,
    },
    /// `tmp = g` then `g = tmp + 1`
    Rmw {
        g: usize,
    },
    /// `s += "a"`
    StrAppend,
    /// `print(f"wK {g}")` or `print("wK", g)`
    Print {
        g: usize,
        fstring: bool,
    },
    /// `print(f"wK {s}")` or `print("wK", s)`
    PrintStr {
        fstring: bool,
    },
    /// `assert g <= c` (optionally `, f"g is {g}"`)
    Assert {
        g: usize,
        c: i64,
        msg: bool,
    },
    /// `lockK.release()` without a matching acquire
    BareRelease {
        lock: usize,
    },
    Pass,
    /// `a[i] += c` (the list `a = [0, 0]` only grows, so `i` in 0..=1 is always valid)
    ListAdd {
        i: usize,
        c: i64,
    },
    /// `a[i] = a[i] + c`
    ListSet {
        i: usize,
        c: i64,
    },
    /// `a.append(c)`
    Append {
        c: i64,
    },
    /// `d["k"] += c`
    DictAdd {
        c: i64,
    },
    /// `obj.n += c`
    AttrAdd {
        c: i64,
    },
    /// `obj.bump(c)`: a method doing `self.n += k`
    Bump {
        c: i64,
    },
    /// `g = g + obj.value`: a `@property` getter returning `self.n`
    PropRead {
        g: usize,
    },
    /// `g = g + inc(c)`: a helper `def inc(k): return k`
    CallInc {
        g: usize,
        c: i64,
    },
    /// `g = abs(g - c)`
    Abs {
        g: usize,
        c: i64,
    },
    /// `g = g + len(a)`
    Len {
        g: usize,
    },
    /// `g = max(g, c)`
    Max {
        g: usize,
        c: i64,
    },
    /// `if g > c:` (or `if n > c:` on the parameter) with an optional `else:`
    If {
        param: bool,
        g: usize,
        c: i64,
        then: Vec<Stmt>,
        els: Option<Vec<Stmt>>,
    },
    /// `for _ in range(k):`
    For {
        k: u32,
        body: Vec<Stmt>,
    },
    /// `iD = 0` / `while iD < k:` / `iD += 1` + body
    While {
        k: u32,
        body: Vec<Stmt>,
    },
    /// `with lockK:`
    With {
        lock: usize,
        body: Vec<Stmt>,
    },
    /// `lockK.acquire()` body `lockK.release()`
    AcqRel {
        lock: usize,
        body: Vec<Stmt>,
    },
    /// `lockK.acquire()` / `try:` body / `finally:` / `lockK.release()`
    TryFinally {
        lock: usize,
        body: Vec<Stmt>,
    },
}

/// What `lockK = threading.…()` creates. They all behave alike in generated programs (no lock is
/// taken again while held; no bare releases with the kinds other than `Lock`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LockKind {
    Lock,
    RLock,
    Semaphore,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct RawFunc {
    /// `Some(v)`: the worker takes a parameter `n` and its thread passes `args=(v,)`.
    pub(super) param: Option<i64>,
    pub(super) body: Vec<Stmt>,
}

/// How main starts and joins its threads (threads are all created first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    /// start all, join all in order
    All,
    /// start all, join in reverse order
    Reverse,
    /// start all, join only t1
    OnlyFirst,
    /// t1.start(); t1.join(); t2.start(); t2.join()
    Sequential,
    /// t1.start(); t1.join(); t2.start()   (the last thread is never joined)
    SeqLastUnjoined,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tail {
    /// `print(g)`
    Print { g: usize },
    /// `print(f"g={g} h={h}")`
    PrintF { g: usize, h: usize },
    /// `print(s)`
    PrintStr,
    /// `assert g == c`; with `serial`, c is g's value after the run in which every thread runs to
    /// completion as soon as it is started (one real interleaving), where that run is well defined.
    AssertEq { g: usize, c: i64, serial: bool },
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct RawProgram {
    pub(super) n_globals: usize,
    pub(super) init: Vec<i64>,
    pub(super) funcs: Vec<RawFunc>,
    /// With a single worker function: run it in two threads.
    pub(super) shared_thread: bool,
    /// Over budget: cut main's statements before the workers' (instead of after).
    pub(super) keep_workers: bool,
    pub(super) shape: Shape,
    /// Module-level statements right after the last `start()`: main races with the workers.
    pub(super) main_body: Vec<Stmt>,
    pub(super) tail: Vec<Tail>,
    /// The kind of every lock (`Lock` unless `allow_sync` without `allow_cross_release`).
    pub(super) lock_kind: LockKind,
}
