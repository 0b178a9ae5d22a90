//! The dynamic half of the switch models ([`SwitchModel`]): after each step, whether the thread
//! that took it reached a switch point, or must go on because its CPython version does not check
//! the eval breaker there (it *holds* the GIL: [`State::hold`]).
//!
//! The static check sites are in [`crate::bytecode::switch`]; here the step's outcome decides
//! the rest: whether a conditional jump was taken, whether a call went to a Python function,
//! whether the thread blocked, slept, started or joined a thread, or ended.

use super::call::callee;
use super::event::{Event, StepInfo};
use super::functools::FunctoolsFn;
use super::state::{FrameRole, State};
use super::sync::{SyncKind, SyncMethod};
use super::value::{Builtin, Tid, Value};
use crate::bytecode::switch::{check_after, fast_in_39};
use crate::bytecode::{Instr, Program, SwitchKind, SwitchModel};

/// How CPython implements a callable, which decides where a call of it can switch threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    /// A Python function of the program: the callee's RESUME is the check (3.11+).
    Python,
    /// C code: the eval breaker is checked after it returns (3.10+).
    C,
    /// C code that 3.11+ specialises into an instruction without a check once the call site has
    /// warmed up: `len`, `isinstance`, one-argument `type`, `list.append`. Until then (the site's
    /// first executions, and again after a deoptimisation) the site runs the generic CALL, which
    /// checks the eval breaker after the call, so the models keep the switch point: a model must
    /// admit every run of its interpreter, and the cold path is one of them.
    CSpecialised,
    /// A method written in Python in the standard library (`Thread.start`, `Thread.join`, …):
    /// its RESUME is a check before it acts, and the C calls inside it check after.
    Library,
}

/// Why the boundary after a step is a switch point: the rule of the switch model that fired.
/// Each step records it ([`StepInfo::switch`]; `None` where the thread holds the GIL on), and the
/// explanations print it instead of deriving it again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SwitchRule {
    /// `bytecode`: every instruction boundary.
    EveryBoundary,
    /// `time.sleep` releases the GIL.
    Sleep,
    /// A wait with a timeout releases the GIL.
    TimedWait,
    /// A wait's timeout expired.
    TimedOut,
    /// `Thread.start` waits for the new thread to run.
    Start,
    /// `Thread.join`.
    Join,
    /// The thread ended.
    Ends,
    /// The main thread's exit ended the daemon threads.
    Exiting,
    /// A non-blocking or timed acquire failed.
    AcquireFailed,
    /// The thread cannot go on (it blocked): the GIL goes to another thread.
    Blocks,
    /// The check at an exception handler's entry (3.9, 3.10).
    HandlerEntry,
    /// The check before every instruction that is not `FAST_DISPATCH` (3.9).
    EvalBreaker,
    /// Function entry: RESUME (3.11+), the frame-entry check (3.10).
    FunctionEntry,
    /// A loop back-edge: JUMP_BACKWARD, a taken backward conditional jump.
    BackEdge,
    /// A taken conditional jump (3.10).
    TakenJump,
    /// 3.10 checks after every call.
    EveryCall,
    /// After a call of non-Python code (3.11+: its CALL checks after it returns).
    AfterCCall,
    /// After a call of a builtin that 3.11+ specialises into a call without a check once the
    /// site has warmed up: a switch point only while the site is cold.
    ColdCall(Builtin),
    /// A Python function returned into C code that checks after the call.
    AfterReturn,
    /// The entry of a Python method of the standard library (its RESUME checks before it acts).
    LibraryEntry,
    /// The entry of one of the program's functions called from C (a special method, a `key=`).
    CallbackEntry,
}

impl SwitchRule {
    /// The rule in words, for the explanations (`loop back-edge`, `function entry`, …).
    pub fn describe(self) -> String {
        match self {
            SwitchRule::EveryBoundary => "every instruction boundary is a switch point".into(),
            SwitchRule::Sleep => "time.sleep releases the GIL".into(),
            SwitchRule::TimedWait => "a wait with a timeout releases the GIL".into(),
            SwitchRule::TimedOut => "the timeout expired".into(),
            SwitchRule::Start => "Thread.start waits for the new thread".into(),
            SwitchRule::Join => "Thread.join".into(),
            SwitchRule::Ends => "the thread ends".into(),
            SwitchRule::Exiting => "the main thread's exit ends the daemon threads".into(),
            SwitchRule::AcquireFailed => "a failed acquire".into(),
            SwitchRule::Blocks => "the thread blocks".into(),
            SwitchRule::HandlerEntry => "exception handler entry".into(),
            SwitchRule::EvalBreaker => "eval-breaker check before the next instruction".into(),
            SwitchRule::FunctionEntry => "function entry".into(),
            SwitchRule::BackEdge => "loop back-edge".into(),
            SwitchRule::TakenJump => "taken conditional jump".into(),
            SwitchRule::EveryCall => "3.10 checks at every frame entry and after every call".into(),
            SwitchRule::AfterCCall => "after a call of non-Python code".into(),
            SwitchRule::ColdCall(b) => format!(
                "after a call of {}(), a switch point only while this call site is cold: CPython 3.11+ runs the generic CALL, which checks the eval breaker, until the site has warmed up and specialised into a call without a check",
                b.name()
            ),
            SwitchRule::AfterReturn => "after the call returns".into(),
            SwitchRule::LibraryEntry => "entry of a Python method of the library".into(),
            SwitchRule::CallbackEntry => "entry of a function called from C".into(),
        }
    }

    /// The rule of a step's event, when the event alone makes the boundary a switch point (the
    /// thread released the GIL, made other threads run, or ended).
    fn of_event(event: &Event) -> Option<SwitchRule> {
        Some(match event {
            Event::None | Event::Print | Event::Acquire(_) | Event::Release(_) | Event::Raise(_) => return None,
            Event::Sleep => SwitchRule::Sleep,
            Event::TimedWait => SwitchRule::TimedWait,
            Event::TimedOut => SwitchRule::TimedOut,
            Event::Start(_) => SwitchRule::Start,
            Event::Join(_) => SwitchRule::Join,
            Event::Exit | Event::Deleted => SwitchRule::Ends,
            Event::Exiting => SwitchRule::Exiting,
            Event::AcquireFailed(_) => SwitchRule::AcquireFailed,
        })
    }

    /// The rule of a static check site.
    fn of_site(kind: SwitchKind) -> SwitchRule {
        match kind {
            SwitchKind::Entry => SwitchRule::FunctionEntry,
            SwitchKind::BackEdge => SwitchRule::BackEdge,
            SwitchKind::Call => SwitchRule::AfterCCall,
            SwitchKind::CondJump => SwitchRule::TakenJump,
            SwitchKind::Instr => SwitchRule::EvalBreaker,
        }
    }
}

impl Builtin {
    /// How CPython implements this builtin.
    pub fn call_kind(self) -> CallKind {
        match self {
            Builtin::Thread
            | Builtin::ThreadInit
            | Builtin::ThreadStart
            | Builtin::ThreadJoin
            | Builtin::ThreadIsAlive => CallKind::Library,
            Builtin::Print
            | Builtin::Range
            | Builtin::Lock
            | Builtin::Sleep
            | Builtin::Clock(_)
            | Builtin::LockAcquire
            | Builtin::LockRelease
            | Builtin::LockExit
            | Builtin::LockLocked => CallKind::C,
            // `queue.SimpleQueue` is C's `_queue.SimpleQueue`: its constructor and methods.
            Builtin::SyncNew(SyncKind::SimpleQueue) | Builtin::SyncCall(SyncKind::SimpleQueue, _) => CallKind::C,
            // `threading.RLock()` is a Python factory; the other primitives are Python classes.
            Builtin::SyncNew(_) => CallKind::Library,
            // Python functions of `threading.py`.
            Builtin::CurrentThread | Builtin::MainThread | Builtin::ActiveCount => CallKind::Library,
            // `_thread.RLock`'s methods are C; a Condition binds its lock's C acquire/release.
            Builtin::SyncCall(SyncKind::RLock, _)
            | Builtin::SyncCall(SyncKind::Condition, SyncMethod::Acquire | SyncMethod::Release) => CallKind::C,
            // `threading.py` and `queue.py` methods.
            Builtin::SyncCall(..) => CallKind::Library,
            // Specialised by 3.11+ into instructions without a check.
            Builtin::Len | Builtin::IsInstance | Builtin::ListAppend | Builtin::Type => CallKind::CSpecialised,
            Builtin::Abs
            | Builtin::Min
            | Builtin::Max
            | Builtin::Int
            | Builtin::Float
            | Builtin::Round
            | Builtin::Sum
            | Builtin::Any
            | Builtin::All
            | Builtin::Enumerate
            | Builtin::Next
            | Builtin::Pick
            | Builtin::Zip
            | Builtin::Map
            | Builtin::Reversed
            | Builtin::Str
            | Builtin::Bool
            | Builtin::List
            | Builtin::Dict
            | Builtin::Tuple
            | Builtin::Sorted
            | Builtin::Repr
            | Builtin::DivMod
            | Builtin::IntText(_)
            | Builtin::Property
            | Builtin::PropertySetter
            | Builtin::BuildClass
            | Builtin::DictGet
            | Builtin::ListMethod(_)
            | Builtin::DictMethod(_)
            | Builtin::StrMethod(_)
            | Builtin::Super
            | Builtin::Object
            | Builtin::ObjectInit
            | Builtin::ExcInit
            | Builtin::ThreadLocal
            | Builtin::Math(_)
            | Builtin::GetAttr
            | Builtin::SetAttr
            | Builtin::HasAttr
            | Builtin::DelAttr
            | Builtin::DefaultDict
            | Builtin::Deque
            | Builtin::DequeMethod(_)
            | Builtin::Set
            | Builtin::SetMethod(_)
            | Builtin::StaticMethod
            | Builtin::ClassMethod => CallKind::C,
            // `collections.Counter` is a Python class: its methods' entry is a check.
            Builtin::Counter | Builtin::CounterMethod(_) => CallKind::Library,
            // `random.random` is C; `uniform`, `randint` and `choice` are Python functions.
            Builtin::Random(f) if f.is_c() => CallKind::C,
            Builtin::Random(_) => CallKind::Library,
            // `partial` and `reduce` are C (a Python function they call has its own RESUME);
            // `wraps` and its decorator are Python functions, and so are `copy` and `deepcopy`.
            Builtin::Functools(FunctoolsFn::Partial | FunctoolsFn::Reduce) => CallKind::C,
            Builtin::Functools(FunctoolsFn::Wraps | FunctoolsFn::UpdateWrapper) => CallKind::Library,
            Builtin::Operator(_) => CallKind::C,
            Builtin::Copy(_) => CallKind::Library,
            Builtin::OrderedDict
            | Builtin::OrderedMethod(_)
            | Builtin::Hash
            | Builtin::Callable
            | Builtin::Vars
            | Builtin::SetSwitchInterval => CallKind::C,
        }
    }
}

/// The builtin that thread `tid`'s next instruction calls, when it is a CALL of one that 3.11+
/// specialises without an eval-breaker check once warmed up ([`CallKind::CSpecialised`]): a switch
/// right after it happens on a real interpreter only while that call site is still cold.
pub fn warm_up_call(program: &Program, state: &State, tid: Tid) -> Option<Builtin> {
    let f = state.threads.get(tid)?.frames.last()?;
    let Instr::Call(n) = program.code(f.code).instrs.get(f.pc as usize)? else { return None };
    match callee(f, *n as usize)? {
        Value::Builtin(b) | Value::Bound(b, _) if b.call_kind() == CallKind::CSpecialised => Some(*b),
        _ => None,
    }
}

/// How the callable `v` is implemented.
pub fn call_kind_of(v: &Value) -> CallKind {
    match v {
        Value::Function(_) | Value::Method(..) => CallKind::Python,
        // A context manager, for BEFORE_WITH: its `__enter__`.
        Value::Sync(SyncKind::RLock, _) => CallKind::C,
        Value::Sync(..) => CallKind::Library,
        Value::Builtin(b) | Value::Bound(b, _) => b.call_kind(),
        // A partial calls its function from C: a Python one still checks at its RESUME (and
        // the frame it runs in checks again when it returns into the CALL, `FrameRole::CCall`).
        Value::Partial(p) => call_kind_of(&p.func),
        _ => CallKind::C,
    }
}

/// What the switch rule needs to know about a step before it runs.
#[derive(Clone, Debug)]
pub(super) struct Before {
    instr: Option<Instr>,
    depth: usize,
    pc: u32,
    /// For CALL: how the callee is implemented; for PRECALL: the callee about to be called.
    callee: Option<CallKind>,
    /// For a conditional jump: whether the operand is exactly `True` or `False`.
    bool_operand: bool,
    /// For RETURN_VALUE: whether it ends an `__init__` run by calling a class (a C call, so
    /// 3.11+ check after it returns).
    init_return: bool,
    /// For RETURN_VALUE and YIELD_VALUE: whether the frame is a generator drained by a C
    /// builtin, whose call checks after it returns.
    drain: bool,
    /// For RETURN_VALUE: whether the frame is a special method called by an instruction.
    special_return: bool,
    /// For RETURN_VALUE: whether the frame was called from C for the caller's CALL (a
    /// `functools.partial`), which checks after it returns.
    c_return: bool,
    /// For CALL: the builtin it calls, when 3.11+ specialise that call without a check.
    warm: Option<Builtin>,
}

impl Before {
    /// Records thread `tid`'s next instruction in `state` (nothing under `bytecode`).
    pub(super) fn capture(program: &Program, model: SwitchModel, state: &State, tid: Tid) -> Before {
        let mut b = Before {
            instr: None,
            depth: 0,
            pc: 0,
            callee: None,
            bool_operand: false,
            init_return: false,
            drain: false,
            special_return: false,
            c_return: false,
            warm: None,
        };
        if model == SwitchModel::Bytecode {
            return b;
        }
        let th = &state.threads[tid];
        let Some(f) = th.frames.last() else { return b };
        let Some(i) = program.code(f.code).instrs.get(f.pc as usize) else { return b };
        b.instr = Some(i.clone());
        b.depth = th.frames.len();
        b.pc = f.pc;
        match i {
            Instr::Call(n) | Instr::Precall(n) => {
                b.callee = callee(f, *n as usize).map(call_kind_of);
                b.warm = warm_up_call(program, state, tid).filter(|_| model.specialises());
            }
            Instr::CallFunctionEx(flags) => {
                let at = f.stack.len().checked_sub(2 + (*flags as usize & 1));
                b.callee = at.and_then(|i| f.stack.get(i)).map(call_kind_of);
            }
            Instr::BeforeWith => b.callee = f.stack.last().map(call_kind_of),
            i if i.is_pop_jump() => b.bool_operand = matches!(f.stack.last(), Some(Value::Bool(_))),
            // A generator function run for other than a plain call returns its generator as
            // RETURN_VALUE would (see `step::exec`).
            Instr::ReturnValue | Instr::ReturnGenerator => {
                b.init_return = matches!(f.role, FrameRole::Init(_));
                b.special_return = matches!(f.role, FrameRole::Special(..));
                b.drain = matches!(f.role, FrameRole::Drain(..) | FrameRole::GenNext(_));
                b.c_return = matches!(f.role, FrameRole::CCall);
            }
            Instr::YieldValue => b.drain = matches!(f.role, FrameRole::Drain(..) | FrameRole::GenNext(_)),
            _ => {}
        }
        b
    }
}

/// The rule that makes the boundary after a step (from `before`, now in `state`) a switch point
/// under `model`; `None` when the thread that took it holds the GIL on.
pub(super) fn switch_rule(
    program: &Program,
    model: SwitchModel,
    state: &State,
    tid: Tid,
    before: &Before,
    info: &StepInfo,
) -> Option<SwitchRule> {
    use SwitchRule as R;
    if model == SwitchModel::Bytecode {
        return Some(R::EveryBoundary);
    }
    if info.enters_library {
        return Some(R::LibraryEntry);
    }
    // Releasing the GIL, ending, or any event that makes other threads run.
    if let Some(r) = R::of_event(&info.event) {
        return Some(r);
    }
    let Some(instr) = &before.instr else { return Some(R::Ends) };
    // A special method returns into the C code of the instruction that called it, which goes on.
    if before.special_return && !matches!(info.event, Event::Raise(_)) {
        return None;
    }
    let th = &state.threads[tid];
    let Some(f) = th.frames.last() else { return Some(R::Ends) };
    if !th.is_alive() {
        return Some(R::Ends);
    }
    let depth = th.frames.len();
    let taken = depth == before.depth && f.pc != before.pc + 1;
    let raised = matches!(info.event, Event::Raise(_));
    // A C builtin that drained a generator has returned (the generator ended, or `any`/`all`
    // had their answer): its CALL checks after it (3.10+).
    let drain_returned = before.drain && depth < before.depth;
    // `with x:` where `x.__enter__` is Python (a Semaphore, Condition, …): its RESUME is a check
    // before it acts, like the entry of a Python method of the library.
    let enters_library = model.is_sparse()
        && matches!(program.code(f.code).instrs.get(f.pc as usize), Some(Instr::BeforeWith))
        && f.stack.last().map(call_kind_of) == Some(CallKind::Library);
    if enters_library {
        return Some(R::LibraryEntry);
    }
    let library_entry = (before.callee == Some(CallKind::Library)).then_some(R::LibraryEntry);
    match model {
        SwitchModel::Cpython39 => {
            // A check at the top of the loop before the next instruction, except after
            // FAST_DISPATCH instructions and before SETUP_WITH; handler entry goes through it.
            let next = program.code(f.code).instrs.get(f.pc as usize);
            if matches!(next, Some(Instr::BeforeWith)) {
                return None;
            }
            if raised {
                return Some(R::HandlerEntry);
            }
            (!(fast_in_39(instr) || instr.is_pop_jump() && before.bool_operand)).then_some(R::EvalBreaker)
        }
        SwitchModel::Cpython310 => {
            if raised {
                // The handler's entry goes through the main loop's check.
                return Some(R::HandlerEntry);
            }
            match instr {
                // A Python method of the library: its frame entry checks.
                Instr::Precall(_) | Instr::BeforeWith => library_entry,
                // A generator made by calling a generator function: that call checks after.
                Instr::ReturnGenerator => Some(R::EveryCall),
                Instr::YieldValue => drain_returned.then_some(R::AfterCCall),
                // Returning into a caller: the caller's CALL checks after every call (a getter
                // run by LOAD_ATTR returns without one).
                Instr::ReturnValue => {
                    let caller = f.pc.checked_sub(1).and_then(|pc| program.code(f.code).instrs.get(pc as usize));
                    (depth < before.depth && matches!(caller, Some(Instr::Call(_) | Instr::CallFunctionEx(_))))
                        .then_some(R::AfterReturn)
                }
                i if i.is_pop_jump() => taken.then_some(if i.is_back_edge() { R::BackEdge } else { R::TakenJump }),
                Instr::Call(_) | Instr::CallFunctionEx(_) => Some(R::EveryCall),
                i => check_after(model, i).map(R::of_site),
            }
        }
        _ => {
            if raised {
                return None;
            }
            match instr {
                Instr::Precall(_) | Instr::BeforeWith => library_entry,
                // 3.11 runs the callee of CALL_FUNCTION_EX in a C call of its own (no inlining)
                // and checks after it returns; RETURN_GENERATOR returns the same way.
                Instr::ReturnValue | Instr::ReturnGenerator => {
                    let caller = f.pc.checked_sub(1).and_then(|pc| program.code(f.code).instrs.get(pc as usize));
                    (before.init_return
                        || drain_returned
                        || before.c_return
                        || (model == SwitchModel::Cpython311
                            && depth < before.depth
                            && matches!(caller, Some(Instr::CallFunctionEx(_)))))
                    .then_some(R::AfterReturn)
                }
                Instr::YieldValue => drain_returned.then_some(R::AfterCCall),
                Instr::CallFunctionEx(_) if model == SwitchModel::Cpython311 => Some(R::AfterCCall),
                // After a C call, specialised or not: a site that specialises into a call without
                // a check runs the generic, checking CALL until it has warmed up.
                Instr::Call(_) | Instr::CallFunctionEx(_) => {
                    (before.callee != Some(CallKind::Python)).then_some(before.warm.map_or(R::AfterCCall, R::ColdCall))
                }
                i => match check_after(model, i) {
                    Some(SwitchKind::BackEdge) => (!i.is_pop_jump() || taken).then_some(R::BackEdge),
                    Some(k) => Some(R::of_site(k)),
                    None => None,
                },
            }
        }
    }
}

/// The rule by which `model` would allow a switch after thread `tid`'s step from `before` to
/// `after` (with `info`), whatever model the program runs under: an eval-breaker check site, or
/// the thread blocked, slept, started or joined a thread, or ended; `None` where `model` lets
/// the thread hold the GIL on. Explanations use it to hold a schedule found under one model
/// against another.
pub fn switch_rule_under(
    program: &Program,
    model: SwitchModel,
    before: &State,
    tid: Tid,
    after: &State,
    info: &StepInfo,
) -> Option<SwitchRule> {
    let b = Before::capture(program, model, before, tid);
    switch_rule(program, model, after, tid, &b, info)
        .or_else(|| (!super::can_step(program, after, tid)).then_some(SwitchRule::Blocks))
}

/// Whether the boundary right after thread `tid`'s next instruction is a switch point whatever
/// that step does (every boundary under `bytecode`; after a non-`FAST_DISPATCH` instruction that
/// does not jump under 3.9, unless BEFORE_WITH follows; after RESUME or JUMP_BACKWARD under
/// 3.10+). A scheduler that may switch before an invisible step may as well switch after it then.
pub fn switch_certain_after_next(program: &Program, model: SwitchModel, state: &State, tid: Tid) -> bool {
    // The step may lead into a library module's code that runs on without a switch.
    if program.atomic_library() {
        return false;
    }
    if model == SwitchModel::Bytecode {
        return true;
    }
    let Some(f) = state.threads.get(tid).and_then(|t| t.frames.last()) else { return false };
    let code = program.code(f.code);
    let Some(i) = code.instrs.get(f.pc as usize) else { return false };
    match model {
        SwitchModel::Cpython39 => {
            !fast_in_39(i)
                && i.jump_target().is_none()
                && i.falls_through()
                && !matches!(code.instrs.get(f.pc as usize + 1), Some(Instr::BeforeWith))
        }
        _ => matches!(i, Instr::JumpBackward(_) | Instr::Resume(0 | 1)),
    }
}
