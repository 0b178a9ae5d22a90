//! The global state of a running program: a value, `Clone + Eq + Hash`, so explorers can store,
//! compare and fingerprint it.

use super::cached::Cached;
use super::heap::Heap;
use super::sync::SyncObj;
use super::value::{Exception, Tid, Value};
use crate::bytecode::{CodeId, Program};
use std::hash::Hash;
use std::sync::Arc;

/// A frame's value stack: its first values inline in the frame (a copied thread copies its
/// shallow stacks without allocating).
pub type Stack = smallvec::SmallVec<[Value; 4]>;

/// One call frame: code, program counter, value stack, locals.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Frame {
    /// The code object being run.
    pub code: CodeId,
    /// Index of the next instruction.
    pub pc: u32,
    /// The value stack.
    pub stack: Stack,
    /// Fast locals (3.11's "localsplus": `varnames`, then the cells that are not parameters,
    /// then the free variables); `Value::Null` when unbound.
    pub locals: Vec<Value>,
    /// The pending `KW_NAMES` constant index for the next CALL.
    pub kwnames: Option<u32>,
    /// What the frame is running for, which decides what its return hands to the caller.
    pub role: FrameRole,
    /// The results of the special methods (`__str__`, `__eq__`, …) that the instruction at
    /// `pc` has called so far; it runs again with them until it completes (`vm/special.rs`).
    pub memo: Vec<super::special::Memo>,
}

/// Why a frame was pushed, which decides where its names live and what its return gives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum FrameRole {
    /// A function or method call: the return value goes to the caller.
    #[default]
    Call,
    /// A function called from C code for the caller's CALL (the function of a
    /// `functools.partial`): as `Call`, but 3.11+ check the eval breaker when it returns (the
    /// CALL of a C callable checks after it).
    CCall,
    /// A class body run by `__build_class__`: LOAD_NAME / STORE_NAME use the namespace of the
    /// class with this heap id, and the caller gets the class.
    ClassBody(u32),
    /// `__init__` of the instance with this heap id, run by calling its class: the return
    /// value must be None, and the caller gets the instance.
    Init(u32),
    /// The generator with this heap id, resumed by the caller's FOR_ITER: a yield gives the
    /// loop its next item, a return ends the loop.
    GenIter(u32),
    /// The generator with this heap id, resumed by `next()` for the caller's CALL: a yield
    /// gives the call its value, a return raises `StopIteration` or gives the default that
    /// sits on top of the caller's stack (`Value::Null` for none).
    GenNext(u32),
    /// The generator with this heap id, drained by a C builtin (`sum`, `any`, …) that the
    /// caller called: each yield is folded into the record on top of the caller's stack, and a
    /// return completes the call.
    Drain(super::gens::Sink, u32),
    /// The default factory of the defaultdict with this heap id, run for a missing key: its
    /// return is stored under the key (waiting on the caller's stack) and completes `d[key]`.
    Missing(u32),
    /// The first frame of a thread whose `args=` is a list or that was given `kwargs=`: its
    /// stack holds `self` (or NULL), the arguments and the keywords, which its first step unpacks
    /// and binds, as `Thread.run()` does in the new thread (`target(*args, **kwargs)`).
    Bind,
    /// A property's setter, run by STORE_ATTR: its return value is dropped.
    Setter,
    /// A callback (`__str__`, `__eq__`, a `key=` function, …) called by the caller's
    /// instruction: its return is kept in the caller's memo, and the instruction runs again.
    Special(super::special::Special),
}

impl Frame {
    /// A fresh frame for `code` with its parameters bound to `args`.
    pub fn new(program: &Program, code: CodeId, args: &[Value]) -> Frame {
        let nlocals = program.code(code).nlocalsplus();
        let mut locals = vec![Value::Null; nlocals];
        for (slot, a) in locals.iter_mut().zip(args) {
            *slot = a.clone();
        }
        Frame { code, pc: 0, stack: Stack::new(), locals, kwnames: None, role: FrameRole::Call, memo: Vec::new() }
    }

    /// A fresh frame for a call of `func`: its parameters bound to `args`, and its closure's
    /// cells in the last fast-local slots (what 3.11's `COPY_FREE_VARS` copies there; here
    /// they are placed when the frame is made, and that instruction changes nothing).
    pub fn call(program: &Program, func: &super::value::Func, args: &[Value]) -> Frame {
        let mut frame = Frame::new(program, func.code, args);
        if let Some(cells) = func.closure() {
            let start = frame.locals.len() - cells.len().min(frame.locals.len());
            for (slot, c) in frame.locals[start..].iter_mut().zip(cells.iter()) {
                *slot = Value::Cell(*c);
            }
        }
        frame
    }
}

/// Where a thread is in its life.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ThreadStatus {
    /// Created by `threading.Thread(...)`, not yet started: holds the target and its arguments.
    New {
        /// The `target=` callable.
        target: Value,
        /// The `args=` value (a tuple, or a list read when the thread runs).
        args: Value,
        /// The `kwargs=` dict, or `Value::None` when none was given.
        kwargs: Value,
    },
    /// Started and not finished (it may still be blocked; see [`super::blocker`]).
    Alive,
    /// Returned from its target.
    Finished,
    /// Died with an uncaught exception, raised at `line`.
    Failed {
        /// The exception.
        exc: Arc<Exception>,
        /// The source line of the instruction that raised it.
        line: u32,
    },
}

/// One thread: its status, frames, and the exception being handled (`sys.exc_info()`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Thread {
    /// Life cycle status.
    pub status: ThreadStatus,
    /// Call frames, innermost last.
    pub frames: Vec<Frame>,
    /// The exception currently being handled (`Value::None` when none).
    pub handled: Value,
    /// `Thread.name`: `MainThread`, the `name=` given, or `Thread-N (target)`.
    pub name: Arc<str>,
    /// Whether the name was made from CPython's counter (`Thread-N`), which only such names
    /// advance.
    pub numbered: bool,
    /// The instance (heap id) of a `threading.Thread` subclass that this thread is, if it is
    /// one: its `run` method is what the thread runs.
    pub instance: Option<u32>,
    /// How many unseeded random draws the thread has made (the next one is its draw number
    /// `draws` on the program's [`crate::bytecode::Tape`]).
    pub draws: u32,
    /// Whether it is a daemon thread: the interpreter's exit does not wait for it, and ends it
    /// wherever it is.
    pub daemon: bool,
    /// The main thread only: its code has ended, and the interpreter's exit waits for the
    /// threads that are not daemons, then ends the daemons ([`crate::bytecode::Program::daemons`]).
    pub exiting: bool,
    /// Returned from its target and gone from `threading`'s table of active threads (which
    /// `threading.active_count()` counts), while still alive until its next step ends it
    /// (only where [`Program::counts_active`]).
    pub deleted: bool,
}

impl Thread {
    /// A thread with its status and frames, nothing handled.
    pub fn new(status: ThreadStatus, frames: Vec<Frame>, name: Arc<str>, numbered: bool) -> Thread {
        Thread {
            status,
            frames,
            handled: Value::None,
            name,
            numbered,
            instance: None,
            draws: 0,
            daemon: false,
            exiting: false,
            deleted: false,
        }
    }

    /// Whether the thread has started and not yet ended.
    pub fn is_alive(&self) -> bool {
        self.status == ThreadStatus::Alive
    }

    /// Whether the thread has ended (normally or by an exception).
    pub fn is_done(&self) -> bool {
        matches!(self.status, ThreadStatus::Finished | ThreadStatus::Failed { .. })
    }
}

/// A `threading.Lock`: who holds it (CPython lets any thread release it; the holder is kept to
/// explain deadlocks).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct LockState {
    /// The thread that acquired it, while it is held.
    pub holder: Option<Tid>,
}

/// The whole program state: globals, threads, locks and the output printed so far.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct State {
    /// Module globals by slot ([`Program::globals`]); `Value::Null` when unbound. Shared
    /// between states until written (copy on write).
    pub globals: Arc<Cached<Vec<Value>>>,
    /// Threads by [`Tid`]; 0 is the main thread. Each is shared between states until that
    /// thread steps (copy on write), so cloning a state copies little.
    pub threads: Vec<Arc<Cached<Thread>>>,
    /// Locks by id.
    pub locks: Vec<LockState>,
    /// Lines printed so far, in order; the last one is still open (no newline yet) when
    /// `output_open` is set.
    pub output: Arc<Cached<Vec<Arc<str>>>>,
    /// Whether the last line of `output` has not ended yet (`print(..., end="")`).
    pub output_open: bool,
    /// The thread that holds the GIL past a boundary where the switch model allows no switch:
    /// only it may step. `None` at switch points (always under `bytecode`).
    pub hold: Option<Tid>,
    /// Synchronisation objects other than `threading.Lock` (RLock, Semaphore, Event, Condition,
    /// Barrier, queue.Queue) by id.
    pub sync: Vec<SyncObj>,
    /// Lists, dicts, classes and instances, by id (each copied on write).
    pub heap: Heap,
    /// The `random` module's generator once `random.seed(n)` has run.
    pub rng: Option<super::mt::Mt>,
    /// While [`State::hold`] keeps a thread inside a library module's transaction: whether the
    /// transaction has passed its commit point (no lock acquire may join it any more).
    pub lib_committed: bool,
    /// How many function and `functools.partial` objects have been made: each takes the next
    /// number as its identity (CPython compares them by identity, with `is` and with `==`).
    pub made: u32,
    /// Whether a draw outside the program's tape has run on the way here (it took the first
    /// value): later ones are not the first of their run.
    pub drew_open: bool,
    /// The readings of `time.time()` and the like taken so far, and the comparisons of them
    /// decided (`vm/clock.rs`).
    pub clocks: Arc<super::clock::Clocks>,
}

impl State {
    /// The initial state: the main thread about to run the module code.
    pub fn initial(program: &Program) -> State {
        let main = Thread::new(ThreadStatus::Alive, vec![Frame::new(program, 0, &[])], "MainThread".into(), false);
        let mut state = State {
            globals: Arc::new(Cached::new(vec![Value::Null; program.globals.len()])),
            threads: vec![Arc::new(Cached::new(main))],
            locks: Vec::new(),
            output: Arc::default(),
            output_open: false,
            hold: None,
            sync: Vec::new(),
            heap: Heap::default(),
            rng: None,
            lib_committed: false,
            made: 0,
            drew_open: false,
            clocks: Arc::default(),
        };
        for lib in &program.libraries {
            state.run_library_body(program, lib.module);
        }
        state
    }

    /// Gives the state copies of its own of the parts it shares with the states it was
    /// cloned from or into (globals, threads, output, clocks, heap objects), so that a search
    /// thread that takes it over touches no reference count that another search thread
    /// touches. The state is equal to what it was. Strings, tuples and big ints in globals and
    /// threads are copied too: a thread's copy on write would otherwise count references to them
    /// on a cache line every search thread writes.
    pub fn unshare(&mut self) {
        let mut globals = (*self.globals).clone();
        let own: &mut Vec<Value> = &mut globals;
        own.iter_mut().for_each(Value::unshare);
        self.globals = Arc::new(globals);
        for t in &mut self.threads {
            let mut th = (**t).clone();
            let own: &mut Thread = &mut th;
            own.name = Arc::from(&*own.name);
            own.handled.unshare();
            for f in &mut own.frames {
                f.stack.iter_mut().chain(f.locals.iter_mut()).for_each(Value::unshare);
            }
            *t = Arc::new(th);
        }
        self.output = Arc::new((*self.output).clone());
        self.clocks = Arc::new((*self.clocks).clone());
        self.heap.unshare();
    }

    /// Runs a library module's body in the main thread before the program's (as its import
    /// would, with no other thread alive yet), leaving the main thread at the program's start.
    fn run_library_body(&mut self, program: &Program, module: crate::bytecode::CodeId) {
        self.thread_mut(0).frames.push(Frame::new(program, module, &[]));
        while self.threads[0].frames.len() > 1 && self.threads[0].is_alive() {
            // Only the main thread exists: where it may switch makes no difference.
            super::step_in_place(program, crate::bytecode::SwitchModel::Bytecode, self, 0);
        }
        assert!(
            self.threads[0].is_alive(),
            "[internal bug] the library module {module} failed to load: {:?}",
            self.threads[0].status
        );
        let main = self.thread_mut(0);
        main.frames[0].stack.clear();
        self.hold = None;
    }

    /// Python's `repr()` of a value, heap objects rendered from this state's heap.
    pub fn repr(&self, v: &Value) -> String {
        self.heap.repr(v)
    }

    /// The text an outcome shows for a global's value: plain data, and lists, dicts and
    /// instances (rendered from the heap); `None` for functions, locks, threads and the like.
    pub fn shown_value(&self, v: &Value) -> Option<String> {
        fn shown(heap: &Heap, v: &Value) -> bool {
            match v {
                Value::Obj(id) => {
                    !matches!(heap.peek(*id), super::heap::HeapObj::Class(_)) && !heap.is_library_object(*id)
                }
                Value::Tuple(items) => items.iter().all(|x| shown(heap, x)),
                other => other.is_data(),
            }
        }
        (shown(&self.heap, v) && !self.heap.holds_library_object(v)).then(|| self.heap.repr(v))
    }

    /// The globals, for writing (copied first if another state shares them).
    pub fn globals_mut(&mut self) -> &mut Vec<Value> {
        super::cached::make_mut(&mut self.globals)
    }

    /// Thread `tid`, for writing (copied first if another state shares it).
    pub fn thread_mut(&mut self, tid: Tid) -> &mut Thread {
        super::cached::make_mut(&mut self.threads[tid])
    }

    /// A 128-bit fingerprint of the state, stable across runs and machines (xxh3, fixed seed).
    pub fn fingerprint(&self) -> u128 {
        FINGERPRINT_BUF.with(|buf| {
            let mut buf = buf.borrow_mut();
            buf.0.clear();
            self.hash(&mut *buf);
            super::cached::count_hashed(buf.0.len() as u64);
            xxhash_rust::xxh3::xxh3_128(&buf.0)
        })
    }

    /// The first thread that died with an uncaught exception: its id, the exception, the line.
    pub fn failed_thread(&self) -> Option<(Tid, &Arc<Exception>, u32)> {
        self.threads.iter().enumerate().find_map(|(t, th)| match &th.status {
            ThreadStatus::Failed { exc, line } => Some((t, exc, *line)),
            _ => None,
        })
    }

    /// Whether every thread that was started has ended.
    pub fn all_done(&self) -> bool {
        self.threads.iter().all(|t| !t.is_alive())
    }

    /// The source line the thread is at (the line of its next instruction), if alive.
    pub fn line_of(&self, program: &Program, tid: Tid) -> Option<u32> {
        let f = self.threads.get(tid)?.frames.last()?;
        program.code(f.code).locs.get(f.pc as usize).map(|l| l.line)
    }
}

/// What a state's fingerprint hashes, kept short (xxh3 hashes up to 128 bytes fastest): the
/// 16-byte digests of the globals, the threads and the output, then the locks, and the parts
/// that most programs leave empty only where a flag says they are not. The fields come in a
/// fixed order and each is self-delimiting, so different states feed different bytes.
impl Hash for State {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.globals.hash(h);
        h.write_u32(self.threads.len() as u32);
        for t in &self.threads {
            t.hash(h);
        }
        h.write_u32(self.locks.len() as u32);
        for l in &self.locks {
            h.write_u32(l.holder.map_or(u32::MAX, |t| t as u32));
        }
        self.output.hash(h);
        let clocks = !self.clocks.kinds.is_empty() || !self.clocks.facts.is_empty();
        let flags = u8::from(self.output_open)
            | u8::from(self.lib_committed) << 1
            | u8::from(self.drew_open) << 2
            | u8::from(self.hold.is_some()) << 3
            | u8::from(!self.sync.is_empty()) << 4
            | u8::from(!self.heap.holds_nothing()) << 5
            | u8::from(self.rng.is_some()) << 6
            | u8::from(clocks) << 7;
        h.write_u8(flags);
        h.write_u32(self.made);
        if let Some(t) = self.hold {
            h.write_u32(t as u32);
        }
        if !self.sync.is_empty() {
            self.sync.hash(h);
        }
        if !self.heap.holds_nothing() {
            self.heap.hash(h);
        }
        if let Some(r) = &self.rng {
            r.hash(h);
        }
        if clocks {
            self.clocks.hash(h);
        }
    }
}

/// Collects the bytes that `Hash` feeds it, so a state is hashed with one call of xxh3 over a
/// flat buffer instead of many small streaming updates.
struct ByteSink(Vec<u8>);

impl std::hash::Hasher for ByteSink {
    fn finish(&self) -> u64 {
        xxhash_rust::xxh3::xxh3_64(&self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

thread_local! {
    static FINGERPRINT_BUF: std::cell::RefCell<ByteSink> = const { std::cell::RefCell::new(ByteSink(Vec::new())) };
}

#[cfg(test)]
mod tests {
    use super::LockState;
    use crate::engine::System;

    /// The fingerprint tells apart states that differ in any one field, the fields most
    /// programs leave empty included, and a copy has its original's fingerprint.
    #[test]
    fn the_fingerprint_tells_every_field_apart() {
        let m = crate::Model::from_source("t.py", "import threading\nx = 1\nprint('a')\n").unwrap();
        let py = m.explorable();
        let mut base = py.init();
        py.step(&mut base, 0);
        let mut variants = vec![base.clone()];
        let mut vary = |f: &dyn Fn(&mut super::State)| {
            let mut s = base.clone();
            f(&mut s);
            variants.push(s);
        };
        vary(&|s| s.output_open = true);
        vary(&|s| s.lib_committed = true);
        vary(&|s| s.drew_open = true);
        vary(&|s| s.hold = Some(0));
        vary(&|s| s.made = 1);
        vary(&|s| s.locks.push(LockState { holder: None }));
        vary(&|s| s.locks.push(LockState { holder: Some(0) }));
        vary(&|s| s.globals_mut()[0] = crate::vm::Value::Int(7));
        vary(&|s| super::super::cached::make_mut(&mut s.output).push("b".into()));
        vary(&|s| std::sync::Arc::make_mut(&mut s.clocks).kinds.push(super::super::clock::ClockKind::Monotonic));
        let fps: std::collections::HashSet<u128> = variants.iter().map(|s| s.fingerprint()).collect();
        assert_eq!(fps.len(), variants.len());
        assert_eq!(base.clone().fingerprint(), base.fingerprint());
    }
}
