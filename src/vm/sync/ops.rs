//! The semantics of the synchronisation objects: construction, what blocks a call, and each
//! method's effect (with its footprint).

use super::super::footprint::{Access, Object};
use super::super::state::{LockState, State};
use super::super::step::{err, StepInfo};
use super::super::value::{ExcKind, Exception, Tid, Value};
use super::timeout::{lock_wait, plain_wait, queue_wait, semaphore_wait, Wait};
use super::{LockRef, SyncKind, SyncMethod, SyncObj, SyncWait, Waiter};

/// How a call on a synchronisation object went.
pub(in crate::vm) enum Outcome {
    /// It returned this value.
    Return(Value),
    /// The thread now waits: the CALL (or BEFORE_WITH) stays the next instruction, its operands
    /// stay on the stack.
    Stay,
}

fn write(info: &mut StepInfo, id: u32) {
    info.footprint.add(Access::Write(Object::Sync(id)));
}

fn lock_access(info: &mut StepInfo, lock: LockRef) {
    info.footprint.add(Access::Write(match lock {
        LockRef::Lock(l) => Object::Lock(l),
        LockRef::RLock(r) => Object::Sync(r),
    }));
}

/// Marks the first `n` waiting entries notified (`Condition.notify(n)`).
fn notify(waiters: &mut [Waiter], n: usize) {
    for w in waiters.iter_mut().filter(|w| !w.notified).take(n) {
        w.notified = true;
    }
}

/// Takes `tid`'s notified entry off the list, if it has one.
fn take_notified(waiters: &mut Vec<Waiter>, tid: Tid) -> Option<Waiter> {
    let i = waiters.iter().position(|w| w.tid == tid && w.notified)?;
    Some(waiters.remove(i))
}

/// Takes `tid`'s entry off the list, notified or not (a thread back from a wait).
fn take_entry(waiters: &mut Vec<Waiter>, tid: Tid) -> Option<Waiter> {
    let i = waiters.iter().position(|w| w.tid == tid)?;
    Some(waiters.remove(i))
}

/// Whether `tid` waits on the list without a timeout and has not been notified (it cannot run).
fn waiting(waiters: &[Waiter], tid: Tid) -> bool {
    waiters.iter().any(|w| w.tid == tid && !w.notified && !w.timed)
}

/// Puts `tid` on the list; a wait with a timeout is marked as such in `info`.
fn enqueue(waiters: &mut Vec<Waiter>, tid: Tid, saved: u32, wait: Wait, info: &mut StepInfo) {
    let timed = wait == Wait::Timed;
    if timed {
        info.event = crate::vm::step::Event::TimedWait;
    }
    waiters.push(Waiter { tid, notified: false, saved, timed, expired: false });
}

/// Puts `tid` on the list to wait without a timeout.
fn block_on(waiters: &mut Vec<Waiter>, tid: Tid, saved: u32) {
    waiters.push(Waiter { tid, notified: false, saved, timed: false, expired: false });
}

/// A timeout expired in this step.
fn timed_out(info: &mut StepInfo) {
    info.event = crate::vm::step::Event::TimedOut;
}

/// A call whose thread cannot go on now (`back`: its entry on `waiters`, when it was waiting
/// already): it ends with `give_up` without waiting (`NoBlock`) or when its timeout expired (a
/// timed wait that nobody woke); otherwise it waits (again).
fn wait_or_give_up(
    wait: Wait,
    back: Option<Waiter>,
    waiters: &mut Vec<Waiter>,
    tid: Tid,
    info: &mut StepInfo,
    give_up: Result<Outcome, Exception>,
) -> Result<Outcome, Exception> {
    match (wait, back) {
        (Wait::NoBlock, _) => give_up,
        (Wait::Timed, Some(w)) if !w.notified => {
            timed_out(info);
            give_up
        }
        (wait, _) => {
            enqueue(waiters, tid, 0, wait, info);
            Ok(Outcome::Stay)
        }
    }
}

/// A C method without parameters (`METH_NOARGS`), e.g. `RLock.release`.
pub(super) fn no_args(args: &Args, what: &str) -> Result<(), Exception> {
    if !args.positional.is_empty() {
        return Err(err(ExcKind::TypeError, format!("{what}() takes no arguments ({} given)", args.positional.len())));
    }
    if !args.keywords.is_empty() {
        return Err(err(ExcKind::TypeError, format!("{what}() takes no keyword arguments")));
    }
    Ok(())
}

fn unsupported(what: &str) -> Exception {
    crate::vm::step::unsupported(what)
}

fn int(v: &Value, what: &str) -> Result<i64, Exception> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        Value::Big(_) => Err(crate::vm::step::checker_limit(format!(
            "{what} of {} does not fit the checker's 64-bit ints",
            crate::vm::value::int_summary(v)
        ))),
        other => {
            Err(err(ExcKind::TypeError, format!("'{}' object cannot be interpreted as an integer", other.type_name())))
        }
    }
}

/// The arguments of a call: positional, then by keyword.
pub(in crate::vm) struct Args<'a> {
    /// Positional arguments (without the object).
    pub positional: &'a [Value],
    /// Keyword arguments.
    pub keywords: &'a [(String, Value)],
}

impl Args<'_> {
    /// Argument `pos` or keyword `name`.
    fn get(&self, pos: usize, name: &str) -> Option<&Value> {
        self.positional.get(pos).or_else(|| self.keywords.iter().find(|(k, _)| k == name).map(|(_, v)| v))
    }

    /// Fails as CPython fails a call of the Python method `what` whose parameters after `self`
    /// are `names`, all with defaults: too many positional arguments, an unknown keyword, or
    /// one given twice.
    fn expect(&self, what: &str, names: &[&str]) -> Result<(), Exception> {
        super::cargs::py_check(self, what, 0, names)
    }
}

/// `threading.RLock()`, `threading.Semaphore(value=1)`, … and `queue.Queue(maxsize=0)`:
/// allocates the object and returns its value.
pub(in crate::vm) fn construct(
    state: &mut State,
    kind: SyncKind,
    args: Args,
    info: &mut StepInfo,
) -> Result<Value, Exception> {
    // The classes of `threading.py` and `queue.py` check their `__init__`'s arguments.
    let init = match kind {
        SyncKind::LifoQueue | SyncKind::PriorityQueue => "Queue.__init__".to_string(),
        k => format!("{}.__init__", k.name()),
    };
    let what = init.as_str();
    info.footprint.add(Access::Write(Object::Alloc));
    let obj = match kind {
        // `threading.RLock(*args, **kwargs)` passes them to C's `_thread.RLock`, which ignores them.
        SyncKind::RLock => SyncObj::RLock { owner: None, count: 0 },
        SyncKind::Semaphore | SyncKind::BoundedSemaphore => {
            args.expect(what, &["value"])?;
            let value = args.get(0, "value").map_or(Ok(1), |v| int(v, "semaphore value"))?;
            if value < 0 {
                return Err(err(ExcKind::ValueError, "semaphore initial value must be >= 0"));
            }
            let bound = (kind == SyncKind::BoundedSemaphore).then_some(value);
            SyncObj::Semaphore { value, bound, waiters: Vec::new() }
        }
        SyncKind::Event => {
            args.expect(what, &[])?;
            SyncObj::Event { flag: false, waiters: Vec::new() }
        }
        SyncKind::Condition => {
            args.expect(what, &["lock"])?;
            let lock = match args.get(0, "lock") {
                None | Some(Value::None) => {
                    let r = state.sync.len() as u32;
                    state.sync.push(SyncObj::RLock { owner: None, count: 0 });
                    LockRef::RLock(r)
                }
                Some(Value::Lock(l)) => LockRef::Lock(*l),
                Some(Value::Sync(SyncKind::RLock, r)) => LockRef::RLock(*r),
                Some(other) => {
                    return Err(unsupported(&format!(
                        "threading.Condition() over a '{}' object (a Lock or an RLock is)",
                        other.type_name()
                    )))
                }
            };
            SyncObj::Condition { lock, waiters: Vec::new() }
        }
        SyncKind::Barrier => {
            args.expect(what, &["parties"])?;
            let parties = match args.get(0, "parties") {
                Some(v) => int(v, "parties")?,
                None => {
                    return Err(err(
                        ExcKind::TypeError,
                        "Barrier.__init__() missing 1 required positional argument: 'parties'",
                    ))
                }
            };
            SyncObj::Barrier { parties, count: 0, draining: false, waiters: Vec::new() }
        }
        SyncKind::SimpleQueue => super::simple::construct(&args)?,
        SyncKind::Queue | SyncKind::LifoQueue | SyncKind::PriorityQueue => {
            args.expect(what, &["maxsize"])?;
            let maxsize = args.get(0, "maxsize").map_or(Ok(0), |v| int(v, "maxsize"))?;
            SyncObj::Queue {
                kind,
                maxsize,
                items: Vec::new(),
                unfinished: 0,
                not_empty: Vec::new(),
                not_full: Vec::new(),
                all_done: Vec::new(),
            }
        }
    };
    let id = state.sync.len() as u32;
    state.sync.push(obj);
    Ok(Value::Sync(kind, id))
}

/// Whether `lock` is free, or else its holder.
fn lock_holder(state: &State, lock: LockRef) -> Option<Tid> {
    match lock {
        LockRef::Lock(l) => state.locks[l as usize].holder,
        LockRef::RLock(r) => match state.sync[r as usize] {
            SyncObj::RLock { owner, .. } => owner,
            _ => None,
        },
    }
}

fn condition_lock(state: &State, id: u32) -> LockRef {
    match &state.sync[id as usize] {
        SyncObj::Condition { lock, .. } => *lock,
        other => panic!("[internal bug] not a condition: {other:?}"),
    }
}

/// Why thread `tid`'s next call of `method` on object `id` cannot run now, if it cannot.
/// `blocking` is false for `acquire(False)` and for calls with arguments the checker handles
/// without blocking (they run and return or raise).
pub(in crate::vm) fn blocker(state: &State, tid: Tid, id: u32, method: SyncMethod, blocking: bool) -> Option<SyncWait> {
    let obj = &state.sync[id as usize];
    match (obj, method) {
        (SyncObj::RLock { owner, .. }, SyncMethod::Acquire) => {
            (blocking && owner.is_some_and(|o| o != tid)).then_some(SyncWait::RLock { owner: *owner })
        }
        (SyncObj::Semaphore { waiters, .. }, SyncMethod::Acquire) => {
            // A thread that has to wait runs a first step, which puts it on the waiter list.
            waiting(waiters, tid).then_some(SyncWait::Semaphore)
        }
        (SyncObj::Event { waiters, .. }, SyncMethod::Wait) => waiting(waiters, tid).then_some(SyncWait::Event),
        (SyncObj::Condition { lock, waiters }, m) => {
            if waiting(waiters, tid) {
                return Some(SyncWait::Notify);
            }
            let takes_lock = match m {
                SyncMethod::Acquire => blocking,
                SyncMethod::Wait | SyncMethod::WaitFor => {
                    waiters.iter().any(|w| w.tid == tid && (w.notified || w.expired))
                }
                _ => false,
            };
            let holder = lock_holder(state, *lock);
            let reentrant = matches!(lock, LockRef::RLock(_)) && holder == Some(tid);
            (takes_lock && holder.is_some() && !reentrant).then_some(SyncWait::ConditionLock { holder })
        }
        (SyncObj::Barrier { parties, count, waiters, .. }, SyncMethod::Wait) => {
            waiters.iter().find(|w| w.tid == tid && !w.notified).map(|w| {
                if w.saved == 0 {
                    SyncWait::BarrierDraining
                } else {
                    SyncWait::Barrier { arrived: *count, parties: *parties }
                }
            })
        }
        (obj @ SyncObj::Queue { kind: SyncKind::SimpleQueue, .. }, m) => {
            super::simple::blocks(obj, m, blocking).then_some(SyncWait::QueueGet)
        }
        (SyncObj::Queue { maxsize, unfinished, not_empty, not_full, all_done, .. }, m) => match m {
            SyncMethod::Get if waiting(not_empty, tid) => Some(SyncWait::QueueGet),
            SyncMethod::Put if waiting(not_full, tid) => Some(SyncWait::QueuePut { maxsize: *maxsize }),
            SyncMethod::Join if waiting(all_done, tid) => Some(SyncWait::QueueJoin { unfinished: *unfinished }),
            _ => None,
        },
        _ => None,
    }
}

/// Acquires `lock` for `tid` (free, or an RLock `tid` owns), `count` times.
fn take_lock(state: &mut State, tid: Tid, lock: LockRef, count: u32) {
    match lock {
        LockRef::Lock(l) => state.locks[l as usize] = LockState { holder: Some(tid) },
        LockRef::RLock(r) => {
            if let SyncObj::RLock { owner, count: c } = &mut state.sync[r as usize] {
                if *owner == Some(tid) {
                    *c += count;
                } else {
                    *owner = Some(tid);
                    *c = count;
                }
            }
        }
    }
}

/// `acquire(blocking)` of an RLock or of a condition's lock. `None` when it would block.
fn acquire_lock(state: &mut State, tid: Tid, lock: LockRef, blocking: bool) -> Option<bool> {
    match lock_holder(state, lock) {
        None => {
            take_lock(state, tid, lock, 1);
            Some(true)
        }
        Some(h) if h == tid && matches!(lock, LockRef::RLock(_)) => {
            take_lock(state, tid, lock, 1);
            Some(true)
        }
        Some(_) if !blocking => Some(false),
        Some(_) => None,
    }
}

/// `release()` of an RLock (by its owner) or of a Lock (by anyone).
fn release_lock(state: &mut State, tid: Tid, lock: LockRef) -> Result<(), Exception> {
    match lock {
        LockRef::Lock(l) => {
            let lock = &mut state.locks[l as usize];
            if lock.holder.is_none() {
                return Err(err(ExcKind::RuntimeError, "release unlocked lock"));
            }
            lock.holder = None;
        }
        LockRef::RLock(r) => {
            let SyncObj::RLock { owner, count } = &mut state.sync[r as usize] else { return Ok(()) };
            if *owner != Some(tid) {
                return Err(err(ExcKind::RuntimeError, "cannot release un-acquired lock"));
            }
            *count -= 1;
            if *count == 0 {
                *owner = None;
            }
        }
    }
    Ok(())
}

/// Whether `tid` owns a condition's lock as CPython's `Condition._is_owned` decides: an RLock
/// must be owned by the thread; a plain Lock only has to be held (by anyone).
fn is_owned(state: &State, tid: Tid, lock: LockRef) -> bool {
    match (lock, lock_holder(state, lock)) {
        (LockRef::Lock(_), h) => h.is_some(),
        (LockRef::RLock(_), h) => h == Some(tid),
    }
}

/// Runs `method` of object `id` (of `kind`) in thread `tid`.
pub(in crate::vm) fn call(
    state: &mut State,
    tid: Tid,
    kind: SyncKind,
    id: u32,
    method: SyncMethod,
    args: Args,
    info: &mut StepInfo,
) -> Result<Outcome, Exception> {
    use Outcome::{Return, Stay};
    let what = method.qualname(kind);
    match (kind, method) {
        (SyncKind::RLock, SyncMethod::Acquire) => {
            let values = super::cargs::c_parse(&args, "acquire", &["blocking", "timeout"], 0)?;
            let blocking = lock_wait(values[0], values[1])? == Wait::Block;
            write(info, id);
            Ok(match acquire_lock(state, tid, LockRef::RLock(id), blocking) {
                Some(b) => Return(Value::Bool(b)),
                None => Stay,
            })
        }
        (SyncKind::RLock, SyncMethod::Release | SyncMethod::Exit) => {
            if method == SyncMethod::Release {
                no_args(&args, what)?;
            }
            write(info, id);
            release_lock(state, tid, LockRef::RLock(id))?;
            Ok(Return(Value::None))
        }
        (SyncKind::Semaphore | SyncKind::BoundedSemaphore, SyncMethod::Acquire) => {
            args.expect(what, &["blocking", "timeout"])?;
            let wait = semaphore_wait(args.get(0, "blocking"), args.get(1, "timeout"))?;
            write(info, id);
            let SyncObj::Semaphore { value, waiters, .. } = &mut state.sync[id as usize] else { unreachable!() };
            let back = take_entry(waiters, tid);
            if *value > 0 {
                *value -= 1;
                return Ok(Return(Value::Bool(true)));
            }
            // Woken, but another thread took the count first: wait again.
            wait_or_give_up(wait, back, waiters, tid, info, Ok(Return(Value::Bool(false))))
        }
        (SyncKind::Semaphore | SyncKind::BoundedSemaphore, SyncMethod::Release | SyncMethod::Exit) => {
            let n = if method == SyncMethod::Release {
                args.expect(what, &["n"])?;
                args.get(0, "n").map_or(Ok(1), |v| int(v, "n"))?
            } else {
                1
            };
            if n < 1 {
                return Err(err(ExcKind::ValueError, "n must be one or more"));
            }
            write(info, id);
            let SyncObj::Semaphore { value, bound, waiters } = &mut state.sync[id as usize] else { unreachable!() };
            if bound.is_some_and(|b| *value + n > b) {
                return Err(err(ExcKind::ValueError, "Semaphore released too many times"));
            }
            *value += n;
            notify(waiters, n as usize);
            Ok(Return(Value::None))
        }
        (SyncKind::Event, m) => {
            let SyncObj::Event { flag, waiters } = &mut state.sync[id as usize] else { unreachable!() };
            match m {
                SyncMethod::IsSet => {
                    args.expect(what, &[])?;
                    info.footprint.add(Access::Read(Object::Sync(id)));
                    Ok(Return(Value::Bool(*flag)))
                }
                SyncMethod::Set => {
                    args.expect(what, &[])?;
                    write(info, id);
                    *flag = true;
                    notify(waiters, usize::MAX);
                    Ok(Return(Value::None))
                }
                SyncMethod::Clear => {
                    args.expect(what, &[])?;
                    write(info, id);
                    *flag = false;
                    Ok(Return(Value::None))
                }
                _ => {
                    args.expect(what, &["timeout"])?;
                    let wait = plain_wait(args.get(0, "timeout"), what)?;
                    write(info, id);
                    match take_entry(waiters, tid) {
                        Some(w) if w.notified => Ok(Return(Value::Bool(true))),
                        Some(_) => {
                            timed_out(info);
                            Ok(Return(Value::Bool(false)))
                        }
                        None if *flag => Ok(Return(Value::Bool(true))),
                        None => {
                            enqueue(waiters, tid, 0, wait, info);
                            Ok(Stay)
                        }
                    }
                }
            }
        }
        (SyncKind::Condition, SyncMethod::WaitFor) => super::wait_for::wait_for(state, tid, id, args, info),
        (SyncKind::Condition, m) => condition(state, tid, id, m, what, args, info),
        (SyncKind::Barrier, _) => {
            args.expect(what, &["timeout"])?;
            if args.get(0, "timeout").is_some_and(|t| *t != Value::None) {
                return Err(unsupported("Barrier.wait() with a timeout"));
            }
            write(info, id);
            Ok(barrier_wait(state, tid, id))
        }
        (SyncKind::Queue | SyncKind::LifoQueue | SyncKind::PriorityQueue, m) => {
            queue(state, tid, id, m, what, args, info)
        }
        (SyncKind::SimpleQueue, m) => super::simple::call(state, id, m, what, args, info),
        _ => Err(err(ExcKind::TypeError, format!("{what}() called on the wrong kind of object"))),
    }
}

fn condition(
    state: &mut State,
    tid: Tid,
    id: u32,
    method: SyncMethod,
    what: &str,
    args: Args,
    info: &mut StepInfo,
) -> Result<Outcome, Exception> {
    let lock = condition_lock(state, id);
    match method {
        SyncMethod::Acquire => {
            // The lock's own C `acquire`.
            let values = super::cargs::c_parse(&args, "acquire", &["blocking", "timeout"], 0)?;
            let blocking = lock_wait(values[0], values[1])? == Wait::Block;
            lock_access(info, lock);
            Ok(match acquire_lock(state, tid, lock, blocking) {
                Some(b) => Outcome::Return(Value::Bool(b)),
                None => Outcome::Stay,
            })
        }
        SyncMethod::Release | SyncMethod::Exit => {
            if method == SyncMethod::Release {
                // The lock's own C `release`.
                no_args(&args, if matches!(lock, LockRef::RLock(_)) { "RLock.release" } else { "lock.release" })?;
            }
            lock_access(info, lock);
            release_lock(state, tid, lock)?;
            Ok(Outcome::Return(Value::None))
        }
        SyncMethod::Wait => {
            args.expect(what, &["timeout"])?;
            let wait = plain_wait(args.get(0, "timeout"), what)?;
            write(info, id);
            lock_access(info, lock);
            let SyncObj::Condition { waiters, .. } = &mut state.sync[id as usize] else { unreachable!() };
            if let Some(i) = waiters.iter().position(|w| w.tid == tid) {
                let w = waiters[i];
                if w.notified || w.expired {
                    // `_acquire_restore`: the lock is free (the blocker waited for that); a
                    // thread whose timeout expired first reports False even if a notify
                    // picked it since.
                    waiters.remove(i);
                    take_lock(state, tid, lock, w.saved);
                    return Ok(Outcome::Return(Value::Bool(!w.expired)));
                }
                // A timed wait nobody woke: the timeout expires. The thread stays on the list
                // until it has the lock back (`threading.py` removes it only then).
                waiters[i].expired = true;
                timed_out(info);
                return Ok(Outcome::Stay);
            }
            if !is_owned(state, tid, lock) {
                return Err(err(ExcKind::RuntimeError, "cannot wait on un-acquired lock"));
            }
            // `_release_save`: give the lock up entirely, keeping the recursion count.
            let saved = match lock {
                LockRef::Lock(l) => {
                    state.locks[l as usize].holder = None;
                    1
                }
                LockRef::RLock(r) => match &mut state.sync[r as usize] {
                    SyncObj::RLock { owner, count } => {
                        *owner = None;
                        std::mem::take(count)
                    }
                    _ => 1,
                },
            };
            let SyncObj::Condition { waiters, .. } = &mut state.sync[id as usize] else { unreachable!() };
            enqueue(waiters, tid, saved, wait, info);
            Ok(Outcome::Stay)
        }
        SyncMethod::Notify | SyncMethod::NotifyAll => {
            let n = if method == SyncMethod::Notify {
                args.expect(what, &["n"])?;
                args.get(0, "n").map_or(Ok(1), |v| int(v, "n"))?.max(0) as usize
            } else {
                args.expect(what, &[])?;
                usize::MAX
            };
            write(info, id);
            info.footprint.add(Access::Read(match lock {
                LockRef::Lock(l) => Object::Lock(l),
                LockRef::RLock(r) => Object::Sync(r),
            }));
            if !is_owned(state, tid, lock) {
                return Err(err(ExcKind::RuntimeError, "cannot notify on un-acquired lock"));
            }
            let SyncObj::Condition { waiters, .. } = &mut state.sync[id as usize] else { unreachable!() };
            notify(waiters, n);
            Ok(Outcome::Return(Value::None))
        }
        _ => Err(err(ExcKind::TypeError, format!("{what}() called on the wrong kind of object"))),
    }
}

/// `Barrier.wait()` as `threading.py` runs it: `_enter` waits while the barrier drains; the
/// last of `parties` arrivals starts draining and wakes the others; each leaving thread counts
/// itself out, and the last one out lets the next generation in.
fn barrier_wait(state: &mut State, tid: Tid, id: u32) -> Outcome {
    let SyncObj::Barrier { parties, count, draining, waiters } = &mut state.sync[id as usize] else { unreachable!() };
    let index = match take_notified(waiters, tid) {
        Some(w) if w.saved > 0 => Some(w.saved - 1),
        _ => None,
    };
    let index = match index {
        Some(i) => {
            // Woken by the release: leave.
            i
        }
        None => {
            if *draining {
                block_on(waiters, tid, 0);
                return Outcome::Stay;
            }
            let i = *count;
            *count += 1;
            if i64::from(i) + 1 != *parties {
                block_on(waiters, tid, i + 1);
                return Outcome::Stay;
            }
            *draining = true;
            notify(waiters, usize::MAX);
            i
        }
    };
    *count -= 1;
    if *count == 0 && *draining {
        *draining = false;
        notify(waiters, usize::MAX);
    }
    Outcome::Return(Value::Int(i64::from(index)))
}

fn queue(
    state: &mut State,
    tid: Tid,
    id: u32,
    method: SyncMethod,
    what: &str,
    args: Args,
    info: &mut StepInfo,
) -> Result<Outcome, Exception> {
    let State { sync, heap, .. } = state;
    let SyncObj::Queue { kind, maxsize, items, unfinished, not_empty, not_full, all_done } = &mut sync[id as usize]
    else {
        unreachable!()
    };
    let full = *maxsize > 0 && items.len() as i64 >= *maxsize;
    let read = |info: &mut StepInfo| info.footprint.add(Access::Read(Object::Sync(id)));
    match method {
        SyncMethod::Qsize => {
            args.expect(what, &[])?;
            read(info);
            Ok(Outcome::Return(Value::Int(items.len() as i64)))
        }
        SyncMethod::Empty => {
            args.expect(what, &[])?;
            read(info);
            Ok(Outcome::Return(Value::Bool(items.is_empty())))
        }
        SyncMethod::Full => {
            args.expect(what, &[])?;
            read(info);
            Ok(Outcome::Return(Value::Bool(full)))
        }
        SyncMethod::Put | SyncMethod::PutNowait => {
            let wait = if method == SyncMethod::Put {
                super::cargs::py_check(&args, what, 1, &["item", "block", "timeout"])?;
                if *maxsize > 0 {
                    queue_wait(args.get(1, "block"), args.get(2, "timeout"), what)?
                } else {
                    // An unbounded queue is never full: `queue.py` reads neither argument.
                    Wait::NoBlock
                }
            } else {
                super::cargs::py_check(&args, what, 1, &["item"])?;
                Wait::NoBlock
            };
            let Some(item) = args.get(0, "item").cloned() else {
                return Err(err(
                    ExcKind::TypeError,
                    format!("{what}() missing 1 required positional argument: 'item'"),
                ));
            };
            write(info, id);
            let back = take_entry(not_full, tid);
            if !full {
                if *kind == SyncKind::PriorityQueue {
                    super::heapq::push(heap, items, item, &mut info.footprint)?;
                } else {
                    items.push(item);
                }
                *unfinished += 1;
                notify(not_empty, 1);
                return Ok(Outcome::Return(Value::None));
            }
            wait_or_give_up(wait, back, not_full, tid, info, Err(err(ExcKind::QueueFull, "")))
        }
        SyncMethod::Get | SyncMethod::GetNowait => {
            let wait = if method == SyncMethod::Get {
                args.expect(what, &["block", "timeout"])?;
                queue_wait(args.get(0, "block"), args.get(1, "timeout"), what)?
            } else {
                args.expect(what, &[])?;
                Wait::NoBlock
            };
            write(info, id);
            let back = take_entry(not_empty, tid);
            if !items.is_empty() {
                let item = match kind {
                    SyncKind::LifoQueue => items.pop().expect("[internal bug] a nonempty queue"),
                    SyncKind::PriorityQueue => super::heapq::pop(heap, items, &mut info.footprint)?,
                    _ => items.remove(0),
                };
                notify(not_full, 1);
                return Ok(Outcome::Return(item));
            }
            wait_or_give_up(wait, back, not_empty, tid, info, Err(err(ExcKind::QueueEmpty, "")))
        }
        SyncMethod::TaskDone => {
            args.expect(what, &[])?;
            write(info, id);
            if *unfinished == 0 {
                return Err(err(ExcKind::ValueError, "task_done() called too many times"));
            }
            *unfinished -= 1;
            if *unfinished == 0 {
                notify(all_done, usize::MAX);
            }
            Ok(Outcome::Return(Value::None))
        }
        SyncMethod::Join => {
            args.expect(what, &[])?;
            write(info, id);
            take_notified(all_done, tid);
            if *unfinished > 0 {
                block_on(all_done, tid, 0);
                return Ok(Outcome::Stay);
            }
            Ok(Outcome::Return(Value::None))
        }
        _ => Err(err(ExcKind::TypeError, format!("{what}() called on the wrong kind of object"))),
    }
}
