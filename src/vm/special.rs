//! Python code that C code calls back: the special methods a class may define (`__str__`,
//! `__repr__`, `__eq__`, `__ne__`) and the `key=` functions of `sorted`, `list.sort`, `min` and
//! `max`, run as Python code with their own switch points, as CPython runs them.
//!
//! An instruction that meets such a call (`print(p)`, `f"{p}"`, `str(p)`, `repr([p])`,
//! `p == q`, `p in items`, `sorted(xs, key=f)`, …) is run as CPython's C code runs: it calls
//! the function, and goes on with its result. Here the instruction is run once to find the first call it needs; its effects
//! are then undone, the method's frame is pushed (role [`FrameRole::Special`]), and when that
//! returns its result is kept in the calling frame's [`Frame::memo`]. The instruction then runs
//! again from the start, taking the results of the calls already made, in the order it makes
//! them, until it needs none: it completes, and its memo is cleared. The calls are made in
//! CPython's order and number (one per occurrence), and the return into the instruction is no
//! switch point (the C code goes on without checking the eval breaker).
//!
//! The results are handed to the heap's conversions through a context of the stepping (OS)
//! thread, set only while a step of a program with such methods runs: reports and explanations
//! render instances without calling any Python code.

use super::footprint::Footprint;
use super::heap::Heap;
use super::state::{Frame, FrameRole, State};
use super::step::{err, StepInfo};
use super::switch::SwitchRule;
use super::value::{ExcKind, Exception, Func, Tid, Value};
use crate::bytecode::{Program, SwitchModel};
use std::cell::RefCell;

/// Which callback a call ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Special {
    /// A `key=` function (of `sorted`, `list.sort`, `min`, `max`).
    Key,
    /// `__str__` (for `str()`, `print`, formatting).
    Str,
    /// `__repr__` (for `repr()`, and `str()` of a class that defines no `__str__`).
    Repr,
    /// `__eq__` (for `==`, and `!=` of a class that defines no `__ne__`).
    Eq,
    /// `__ne__`.
    Ne,
    /// `__enter__` (for `with`).
    Enter,
    /// `__exit__` (for `with`, when an exception leaves its block).
    Exit,
    /// The predicate of `Condition.wait_for`.
    Predicate,
    /// The function `functools.reduce` folds with.
    Reduce,
    /// Not a call: a wait of `Condition.wait_for` done (the tag: whether its timeout expired).
    Waited,
}

impl Special {
    /// The method's name.
    pub fn name(self) -> &'static str {
        match self {
            Special::Str => "__str__",
            Special::Repr => "__repr__",
            Special::Eq => "__eq__",
            Special::Ne => "__ne__",
            Special::Key => "key",
            Special::Enter => "__enter__",
            Special::Exit => "__exit__",
            Special::Predicate => "predicate",
            Special::Reduce => "reduce's function",
            Special::Waited => "wait",
        }
    }
}

/// One call an instruction has made: which callback, on what, and its result (`Value::Null`
/// while the call runs).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Memo {
    /// The callback.
    pub kind: Special,
    /// What it was called on (the instance; a key function's argument and the count of items),
    /// to check that the instruction, run again, makes the same calls.
    pub tag: Value,
    /// What it returned.
    pub result: Value,
}

/// A call the running instruction needs and has not made yet.
struct Need {
    func: Func,
    args: Vec<Value>,
    kind: Special,
    tag: Value,
}

struct Ctx {
    memo: Vec<Memo>,
    next: usize,
    need: Option<Need>,
    misaligned: bool,
}

thread_local! {
    static CTX: RefCell<Option<Ctx>> = const { RefCell::new(None) };
}

impl Heap {
    /// The program's own `kind` method on the class of instance `this` (found along its bases).
    pub(super) fn special_method(&self, this: u32, kind: Special) -> Option<Func> {
        let mut fp = Footprint::default();
        let class = match self.peek(this) {
            super::heap::HeapObj::Instance(i) => i.class,
            _ => return None,
        };
        match self.class_attr(class, kind.name(), &mut fp) {
            Some(Value::Function(f)) => Some(f),
            _ => None,
        }
    }

    /// The result of calling the program's `kind` method of instance `this` (with `other`),
    /// when the running instruction has already made that call; `None` when it has not (the
    /// call is then recorded as needed, and the instruction's effects are undone) or when no
    /// step is running (a report renders the instance without Python code).
    pub(super) fn special_result(&self, this: u32, kind: Special, other: Option<&Value>) -> Option<Value> {
        let func = self.special_method(this, kind)?;
        let mut args = vec![Value::Obj(this)];
        args.extend(other.cloned());
        callback(func, args, kind, Value::Obj(this)).ok()?
    }

    /// `str(v)` of an instance by its `__str__` (or `__repr__`), when the class defines one and
    /// the call has been made.
    pub(super) fn user_str(&self, this: u32) -> Option<String> {
        // An exception class without its own `__str__` has `BaseException`'s.
        if self.special_method(this, Special::Str).is_none() {
            if let Some(s) = self.exception_instance_str(this) {
                return Some(s);
            }
        }
        let kind = if self.special_method(this, Special::Str).is_some() { Special::Str } else { Special::Repr };
        self.user_text(this, kind)
    }

    /// `repr(v)` of an instance by its `__repr__`, when the class defines one and the call has
    /// been made.
    pub(super) fn user_repr(&self, this: u32) -> Option<String> {
        self.user_text(this, Special::Repr)
    }

    fn user_text(&self, this: u32, kind: Special) -> Option<String> {
        match self.special_result(this, kind, None)? {
            Value::Str(s) => Some(s.to_string()),
            // Checked when the method returned; a misaligned memo is refused after the step.
            _ => Some(String::new()),
        }
    }

    /// `a == b` (`negate`: `a != b`) by a program's `__eq__` / `__ne__`: the left operand's
    /// method, or the right one's when the left has none (CPython tries the reflected method
    /// after `NotImplemented`) or when the right operand's class is a subclass of the left's that
    /// overrides it. `None` when neither operand defines one, or while the call is still to make.
    pub(super) fn user_eq(&self, a: &Value, b: &Value, negate: bool) -> Option<Option<Value>> {
        let inst = |v: &Value| match v {
            Value::Obj(id) if matches!(self.peek(*id), super::heap::HeapObj::Instance(_)) => Some(*id),
            _ => None,
        };
        let has = |id: u32| {
            self.special_method(id, Special::Eq).is_some() || negate && self.special_method(id, Special::Ne).is_some()
        };
        let (x, y) = (inst(a).filter(|x| has(*x)), inst(b).filter(|y| has(*y)));
        let reflected_first = match (x, y, inst(a), inst(b)) {
            (_, Some(y), Some(ia), Some(ib)) => {
                let (ca, cb) = (self.class_of(ia), self.class_of(ib));
                ca != cb
                    && self.is_subclass(cb, ca, &mut Footprint::default())
                    && self.special_method(ib, Special::Eq).map(|f| f.code)
                        != self.special_method(ia, Special::Eq).map(|f| f.code)
                    && y == ib
            }
            _ => false,
        };
        let (this, other) = match (x, y) {
            (Some(x), _) if !reflected_first => (x, b),
            (_, Some(y)) => (y, a),
            _ => return None,
        };
        Some(if negate && self.special_method(this, Special::Ne).is_some() {
            self.special_result(this, Special::Ne, Some(other))
        } else if negate {
            let r = self.special_result(this, Special::Eq, Some(other))?;
            Some(Value::Bool(!self.truthy(&r, &mut Footprint::default())))
        } else {
            self.special_result(this, Special::Eq, Some(other))
        })
    }

    /// Whether `a` or `b` is an instance whose class defines `__eq__` or `__ne__`.
    pub(super) fn has_user_eq(&self, a: &Value, b: &Value) -> bool {
        [a, b].into_iter().any(|v| match v {
            Value::Obj(id) => {
                self.special_method(*id, Special::Eq).is_some() || self.special_method(*id, Special::Ne).is_some()
            }
            _ => false,
        })
    }

    /// Whether comparing `v` (a tuple or list compares its items with `==` first) may call an
    /// `__eq__` or `__ne__` of the program's classes: from C code, which is not modelled.
    pub(super) fn holds_user_eq(&self, v: &Value) -> bool {
        fn has(heap: &super::heap::Heap, v: &Value, depth: u32) -> bool {
            if depth > 64 {
                return true;
            }
            match v {
                Value::Tuple(items) => items.iter().any(|x| has(heap, x, depth + 1)),
                Value::Obj(id) => match heap.peek(*id) {
                    super::heap::HeapObj::Instance(_) => heap.has_user_eq(v, v),
                    super::heap::HeapObj::List(items) => items.iter().any(|x| has(heap, x, depth + 1)),
                    _ => false,
                },
                _ => false,
            }
        }
        has(self, v, 0)
    }

    fn class_of(&self, id: u32) -> u32 {
        match self.peek(id) {
            super::heap::HeapObj::Instance(i) => i.class,
            _ => u32::MAX,
        }
    }
}

/// The result of the call `func(*args)` that the running instruction makes as its next
/// callback (`tag` identifies it), when it has made it already; `Ok(None)` when it has not: the
/// call is recorded as needed, and the instruction's effects are undone. Outside a step of a
/// program that calls back (a report), an error.
pub(super) fn callback(func: Func, args: Vec<Value>, kind: Special, tag: Value) -> Result<Option<Value>, Exception> {
    CTX.with(|c| {
        let mut c = c.borrow_mut();
        let Some(ctx) = c.as_mut() else {
            return Err(super::step::unsupported(format!("a call of Python code by {} here", kind.name())));
        };
        if let Some(m) = ctx.memo.get(ctx.next) {
            ctx.next += 1;
            if m.kind != kind || m.tag != tag {
                ctx.misaligned = true;
            }
            return Ok(Some(m.result.clone()));
        }
        ctx.next += 1;
        if ctx.need.is_none() {
            ctx.need = Some(Need { func, args, kind, tag });
        }
        Ok(None)
    })
}

/// The calls the running instruction has made so far (and the waits of `Condition.wait_for`).
pub(super) fn memo() -> Vec<Memo> {
    CTX.with(|c| c.borrow().as_ref().map(|ctx| ctx.memo.clone()).unwrap_or_default())
}

/// [`callback`] for a call after every one the instruction has made so far (an instruction that
/// reads its memo itself, as `Condition.wait_for` does).
pub(super) fn callback_after_memo(
    func: Func,
    args: Vec<Value>,
    kind: Special,
    tag: Value,
) -> Result<Option<Value>, Exception> {
    CTX.with(|c| {
        if let Some(ctx) = c.borrow_mut().as_mut() {
            ctx.next = ctx.memo.len();
        }
    });
    callback(func, args, kind, tag)
}

/// [`super::step_in_place`] for a program whose classes define special methods: runs the step
/// with the calling frame's memo; when the instruction needs a call it has not made, undoes it
/// and pushes the method's frame instead.
pub(super) fn step_with_methods(program: &Program, switch: SwitchModel, state: &mut State, tid: Tid) -> StepInfo {
    let depth = state.threads[tid].frames.len();
    let pc = state.threads[tid].frames.last().map(|f| f.pc);
    let memo = state.threads[tid].frames.last().map(|f| f.memo.clone()).unwrap_or_default();
    let before = state.clone();
    CTX.with(|c| *c.borrow_mut() = Some(Ctx { memo, next: 0, need: None, misaligned: false }));
    let info = super::step::step_plain(program, switch, state, tid);
    let ctx = CTX.with(|c| c.borrow_mut().take()).expect("[internal bug] special-method context");
    if ctx.misaligned {
        *state = before;
        let mut info = StepInfo::default();
        let e = super::step::unsupported(
            "an instruction whose objects changed while a __str__, __repr__ or __eq__ it called ran",
        );
        super::unwind::stop(program, state, tid, e, &mut info);
        state.hold = None;
        return info;
    }
    let Some(need) = ctx.need else {
        // The instruction is done, unless it stays the next one (a wait).
        let th = &state.threads[tid];
        let stays = th.frames.len() == depth && th.frames.last().map(|f| f.pc) == pc;
        if th.frames.len() >= depth && depth > 0 && !th.frames[depth - 1].memo.is_empty() && !stays {
            state.thread_mut(tid).frames[depth - 1].memo.clear();
        }
        return info;
    };
    *state = before;
    let mut info = StepInfo { footprint: info.footprint, ..StepInfo::default() };
    let bound = if state.threads[tid].frames.len() >= super::call::MAX_FRAMES {
        Err(err(ExcKind::RecursionError, "maximum recursion depth exceeded"))
    } else {
        super::invoke::bind_args(program, &need.func, need.args, Vec::new(), &mut state.heap, &mut info.footprint)
    };
    // The caller is in its instruction, as in a call: past it, until the callback returns.
    let th = state.thread_mut(tid);
    let caller = th.frames.last_mut().expect("[internal bug] a callback without a caller");
    caller.pc += 1;
    match bound {
        Ok(args) => {
            caller.memo.push(Memo { kind: need.kind, tag: need.tag, result: Value::Null });
            let mut frame = Frame::call(program, &need.func, &args);
            frame.role = FrameRole::Special(need.kind);
            th.frames.push(frame);
            // CPython enters the function from C: 3.9 checks before its first instruction, 3.10
            // at its frame's entry, 3.11+ at its RESUME (the next step).
            info.switch = match switch {
                SwitchModel::Bytecode => Some(SwitchRule::EveryBoundary),
                SwitchModel::Cpython39 | SwitchModel::Cpython310 => Some(SwitchRule::CallbackEntry),
                _ => None,
            };
            state.hold = if info.switch.is_some() { None } else { Some(tid) };
        }
        Err(e) => {
            caller.memo.clear();
            super::unwind::raise(program, state, tid, Value::Exc(std::sync::Arc::new(e)), &mut info);
            info.switch = Some(if switch == SwitchModel::Bytecode {
                SwitchRule::EveryBoundary
            } else {
                SwitchRule::HandlerEntry
            });
            state.hold = None;
        }
    }
    info
}

/// The return of a callback's frame: a `__str__` / `__repr__` must return a str (else the
/// calling instruction raises TypeError); the result is kept for the instruction, which runs
/// again next.
pub(super) fn special_return(state: &mut State, tid: Tid) -> Result<(), Exception> {
    let th = state.thread_mut(tid);
    let mut frame = th.frames.pop().expect("[internal bug] frame");
    let FrameRole::Special(kind) = frame.role else { unreachable!("[internal bug] not a callback") };
    let v = frame.stack.pop().expect("[internal bug] RETURN_VALUE on an empty stack");
    let caller = th.frames.last_mut().expect("[internal bug] a callback without a caller");
    if matches!(kind, Special::Str | Special::Repr) && !matches!(v, Value::Str(_)) {
        // Raised by the calling instruction.
        caller.memo.clear();
        let ty = state.heap.type_name(&v);
        return Err(err(ExcKind::TypeError, format!("{} returned non-string (type {ty})", kind.name())));
    }
    caller.pc -= 1;
    caller.memo.last_mut().expect("[internal bug] a callback without its memo").result = v;
    Ok(())
}

/// BEFORE_WITH on an instance of the program's classes: `__exit__` bound to it replaces it on
/// the stack, and `__enter__`'s result goes above (a callback); `None` when the manager is no
/// instance.
pub(super) fn before_with(state: &mut State, tid: Tid) -> Option<Result<(), Exception>> {
    let frame = state.threads[tid].frames.last()?;
    let mgr @ Value::Obj(id) = frame.stack.last()?.clone() else { return None };
    if !matches!(state.heap.peek(id), super::heap::HeapObj::Instance(_)) {
        return None;
    }
    let (enter, exit) = (state.heap.special_method(id, Special::Enter), state.heap.special_method(id, Special::Exit));
    let ty = state.heap.type_name(&mgr);
    let Some(enter) = enter else {
        return Some(Err(err(
            ExcKind::TypeError,
            format!("'{ty}' object does not support the context manager protocol"),
        )));
    };
    let Some(exit) = exit else {
        return Some(Err(err(
            ExcKind::TypeError,
            format!("'{ty}' object does not support the context manager protocol (missed __exit__ method)"),
        )));
    };
    let result = match callback(enter, vec![mgr], Special::Enter, Value::Obj(id)) {
        Ok(Some(r)) => r,
        // The instruction is undone; `__enter__` runs first.
        Ok(None) => return Some(Ok(())),
        Err(e) => return Some(Err(e)),
    };
    let frame = state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame");
    frame.stack.pop();
    frame.stack.push(Value::Method(exit, id));
    frame.stack.push(result);
    Some(Ok(()))
}

/// WITH_EXCEPT_START when the block's `__exit__` is a method of the program's classes: it is
/// called back with the exception's type, the exception and no traceback, and what it returns
/// (true: the exception is suppressed) goes on the stack; `None` for other managers.
pub(super) fn with_except_start(state: &mut State, tid: Tid) -> Option<Result<(), Exception>> {
    let frame = state.threads[tid].frames.last()?;
    let n = frame.stack.len();
    let Value::Method(exit, this) = frame.stack.get(n.checked_sub(4)?)?.clone() else { return None };
    let exc = frame.stack[n - 1].clone();
    let ty = match &exc {
        Value::Exc(e) => Value::ExcType(e.kind),
        // An instance of an exception class of the program: its class.
        Value::Obj(id) => match state.heap.peek(*id) {
            super::heap::HeapObj::Instance(i) => Value::Obj(i.class),
            _ => Value::None,
        },
        _ => Value::None,
    };
    let args = vec![Value::Obj(this), ty, exc, Value::None];
    let result = match callback(exit, args, Special::Exit, Value::Obj(this)) {
        Ok(Some(r)) => r,
        Ok(None) => return Some(Ok(())),
        Err(e) => return Some(Err(e)),
    };
    state.thread_mut(tid).frames.last_mut().expect("[internal bug] frame").stack.push(result);
    Some(Ok(()))
}
