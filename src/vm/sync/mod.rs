//! Synchronisation objects beyond `threading.Lock`: `threading.RLock`, `Semaphore`,
//! `BoundedSemaphore`, `Event`, `Condition`, `Barrier`, `queue.Queue` (with its subclasses
//! `LifoQueue` and `PriorityQueue`) and `queue.SimpleQueue`.
//!
//! Each method call is one atomic step, except where CPython's own implementation waits on a
//! condition variable (`Condition.wait`, `Event.wait`, a contended `Semaphore.acquire`,
//! `Barrier.wait`, `Queue.get` on an empty queue, `Queue.put` on a full one, `Queue.join`).
//! There the call takes two steps, as in `threading.py`: the first puts the thread on the
//! object's waiter list (releasing a condition's lock) and leaves it on the CALL instruction,
//! blocked until a `notify` marks its entry; the second, once it can run, finishes the call (for
//! a condition: re-acquires the lock, which blocks while another thread holds it), or waits again
//! when the thing it waited for is gone (the semaphore was taken, the queue emptied).
//!
//! A wait with a timeout (see [`timeout`]) never blocks the thread: when it runs without having
//! been woken, the timeout has expired, and the call returns `False` or raises `queue.Empty` /
//! `queue.Full` (a `Condition.wait` first takes its lock back).

mod cargs;
mod heapq;
mod ops;
mod simple;
mod timeout;
mod wait_for;

pub(super) use cargs::{c_parse, fits};
pub(super) use ops::{blocker, call, construct, Args, Outcome};
pub(super) use simple::get_may_block as simple_get_may_block;
pub(super) use timeout::{lock_wait, plain_wait, Wait};

use super::value::{Tid, Value};

/// The kind of a synchronisation object (carried by [`Value::Sync`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum SyncKind {
    /// `threading.RLock`
    RLock,
    /// `threading.Semaphore`
    Semaphore,
    /// `threading.BoundedSemaphore`
    BoundedSemaphore,
    /// `threading.Event`
    Event,
    /// `threading.Condition`
    Condition,
    /// `threading.Barrier`
    Barrier,
    /// `queue.Queue`
    Queue,
    /// `queue.LifoQueue`: the last item put is the first got.
    LifoQueue,
    /// `queue.PriorityQueue`: the least item is got first (a binary heap, as `heapq` keeps it).
    PriorityQueue,
    /// `queue.SimpleQueue` (C's `_queue.SimpleQueue`): unbounded, first in first out, each
    /// method one C call; a `get` on an empty queue waits without a waiter list, and any thread
    /// waiting in `get` may take the next item put.
    SimpleQueue,
}

impl SyncKind {
    /// The Python type name, e.g. `RLock`.
    pub fn name(self) -> &'static str {
        match self {
            SyncKind::RLock => "RLock",
            SyncKind::Semaphore => "Semaphore",
            SyncKind::BoundedSemaphore => "BoundedSemaphore",
            SyncKind::Event => "Event",
            SyncKind::Condition => "Condition",
            SyncKind::Barrier => "Barrier",
            SyncKind::Queue => "Queue",
            SyncKind::LifoQueue => "LifoQueue",
            SyncKind::PriorityQueue => "PriorityQueue",
            SyncKind::SimpleQueue => "SimpleQueue",
        }
    }

    /// The constructor's qualified name, e.g. `threading.RLock`.
    pub fn constructor_name(self) -> &'static str {
        match self {
            SyncKind::RLock => "threading.RLock",
            SyncKind::Semaphore => "threading.Semaphore",
            SyncKind::BoundedSemaphore => "threading.BoundedSemaphore",
            SyncKind::Event => "threading.Event",
            SyncKind::Condition => "threading.Condition",
            SyncKind::Barrier => "threading.Barrier",
            SyncKind::Queue => "queue.Queue",
            SyncKind::LifoQueue => "queue.LifoQueue",
            SyncKind::PriorityQueue => "queue.PriorityQueue",
            SyncKind::SimpleQueue => "queue.SimpleQueue",
        }
    }

    /// The kind a `threading` attribute names, e.g. `RLock`.
    pub fn from_threading_attr(name: &str) -> Option<SyncKind> {
        Some(match name {
            "RLock" => SyncKind::RLock,
            "Semaphore" => SyncKind::Semaphore,
            "BoundedSemaphore" => SyncKind::BoundedSemaphore,
            "Event" => SyncKind::Event,
            "Condition" => SyncKind::Condition,
            "Barrier" => SyncKind::Barrier,
            _ => return None,
        })
    }

    /// The kind a `queue` attribute names, e.g. `LifoQueue`.
    pub fn from_queue_attr(name: &str) -> Option<SyncKind> {
        Some(match name {
            "Queue" => SyncKind::Queue,
            "LifoQueue" => SyncKind::LifoQueue,
            "PriorityQueue" => SyncKind::PriorityQueue,
            "SimpleQueue" => SyncKind::SimpleQueue,
            _ => return None,
        })
    }

    /// Whether it is a queue of the `queue` module (`Queue`, its subclasses, `SimpleQueue`).
    pub fn is_queue(self) -> bool {
        matches!(self, SyncKind::Queue | SyncKind::LifoQueue | SyncKind::PriorityQueue | SyncKind::SimpleQueue)
    }

    /// Whether the object can be used in a `with` statement.
    pub fn is_context_manager(self) -> bool {
        matches!(self, SyncKind::RLock | SyncKind::Semaphore | SyncKind::BoundedSemaphore | SyncKind::Condition)
    }
}

/// A method of a synchronisation object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum SyncMethod {
    /// `acquire(blocking=True)`
    Acquire,
    /// `release()` (`release(n=1)` for semaphores)
    Release,
    /// `__exit__` (pushed by BEFORE_WITH)
    Exit,
    /// `Event.set()`
    Set,
    /// `Event.clear()`
    Clear,
    /// `Event.is_set()`
    IsSet,
    /// `Event.wait()`, `Condition.wait()`, `Barrier.wait()`
    Wait,
    /// `Condition.wait_for(predicate, timeout=None)`
    WaitFor,
    /// `Condition.notify(n=1)`
    Notify,
    /// `Condition.notify_all()`
    NotifyAll,
    /// `Queue.put(item, block=True, timeout=None)`
    Put,
    /// `Queue.get(block=True, timeout=None)`
    Get,
    /// `Queue.get_nowait()`
    GetNowait,
    /// `Queue.put_nowait(item)`
    PutNowait,
    /// `Queue.qsize()`
    Qsize,
    /// `Queue.empty()`
    Empty,
    /// `Queue.full()`
    Full,
    /// `Queue.task_done()`
    TaskDone,
    /// `Queue.join()`
    Join,
}

impl SyncMethod {
    /// The method `name` of an object of `kind`, if it has one the checker supports.
    pub fn lookup(kind: SyncKind, name: &str) -> Option<SyncMethod> {
        use SyncKind as K;
        use SyncMethod as M;
        let m = match name {
            "acquire" => M::Acquire,
            "release" => M::Release,
            "__exit__" => M::Exit,
            "set" => M::Set,
            "clear" => M::Clear,
            "is_set" => M::IsSet,
            "wait" => M::Wait,
            "wait_for" => M::WaitFor,
            "notify" => M::Notify,
            "notify_all" => M::NotifyAll,
            "put" => M::Put,
            "get" => M::Get,
            "get_nowait" => M::GetNowait,
            "put_nowait" => M::PutNowait,
            "qsize" => M::Qsize,
            "empty" => M::Empty,
            "full" => M::Full,
            "task_done" => M::TaskDone,
            "join" => M::Join,
            _ => return None,
        };
        let ok = match kind {
            K::RLock | K::Semaphore | K::BoundedSemaphore => matches!(m, M::Acquire | M::Release | M::Exit),
            K::Event => matches!(m, M::Set | M::Clear | M::IsSet | M::Wait),
            K::Condition => {
                matches!(m, M::Acquire | M::Release | M::Exit | M::Wait | M::WaitFor | M::Notify | M::NotifyAll)
            }
            K::Barrier => m == M::Wait,
            K::Queue | K::LifoQueue | K::PriorityQueue => matches!(
                m,
                M::Put | M::Get | M::GetNowait | M::PutNowait | M::Qsize | M::Empty | M::Full | M::TaskDone | M::Join
            ),
            K::SimpleQueue => matches!(m, M::Put | M::Get | M::GetNowait | M::PutNowait | M::Qsize | M::Empty),
        };
        ok.then_some(m)
    }

    /// The qualified name of the method of `kind`, e.g. `RLock.acquire`.
    pub fn qualname(self, kind: SyncKind) -> &'static str {
        use SyncKind as K;
        use SyncMethod as M;
        match (kind, self) {
            (K::RLock, M::Acquire) => "RLock.acquire",
            (K::RLock, M::Release) => "RLock.release",
            (K::RLock, _) => "RLock.__exit__",
            (K::Semaphore, M::Acquire) => "Semaphore.acquire",
            (K::Semaphore, M::Release) => "Semaphore.release",
            (K::Semaphore, _) => "Semaphore.__exit__",
            (K::BoundedSemaphore, M::Acquire) => "BoundedSemaphore.acquire",
            (K::BoundedSemaphore, M::Release) => "BoundedSemaphore.release",
            (K::BoundedSemaphore, _) => "BoundedSemaphore.__exit__",
            (K::Event, M::Set) => "Event.set",
            (K::Event, M::Clear) => "Event.clear",
            (K::Event, M::IsSet) => "Event.is_set",
            (K::Event, _) => "Event.wait",
            (K::Condition, M::Acquire) => "Condition.acquire",
            (K::Condition, M::Release) => "Condition.release",
            (K::Condition, M::Wait) => "Condition.wait",
            (K::Condition, M::WaitFor) => "Condition.wait_for",
            (K::Condition, M::Notify) => "Condition.notify",
            (K::Condition, M::NotifyAll) => "Condition.notify_all",
            (K::Condition, _) => "Condition.__exit__",
            (K::Barrier, _) => "Barrier.wait",
            (K::Queue | K::LifoQueue | K::PriorityQueue, M::Put) => "Queue.put",
            (K::Queue | K::LifoQueue | K::PriorityQueue, M::Get) => "Queue.get",
            (K::Queue | K::LifoQueue | K::PriorityQueue, M::GetNowait) => "Queue.get_nowait",
            (K::Queue | K::LifoQueue | K::PriorityQueue, M::PutNowait) => "Queue.put_nowait",
            (K::Queue | K::LifoQueue | K::PriorityQueue, M::Qsize) => "Queue.qsize",
            (K::Queue | K::LifoQueue | K::PriorityQueue, M::Empty) => "Queue.empty",
            (K::Queue | K::LifoQueue | K::PriorityQueue, M::Full) => "Queue.full",
            (K::Queue | K::LifoQueue | K::PriorityQueue, M::TaskDone) => "Queue.task_done",
            (K::Queue | K::LifoQueue | K::PriorityQueue, _) => "Queue.join",
            (K::SimpleQueue, M::Put) => "SimpleQueue.put",
            (K::SimpleQueue, M::Get) => "SimpleQueue.get",
            (K::SimpleQueue, M::GetNowait) => "SimpleQueue.get_nowait",
            (K::SimpleQueue, M::PutNowait) => "SimpleQueue.put_nowait",
            (K::SimpleQueue, M::Qsize) => "SimpleQueue.qsize",
            (K::SimpleQueue, _) => "SimpleQueue.empty",
        }
    }
}

/// A thread on a waiter list (CPython's `Condition._waiters`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Waiter {
    /// The waiting thread.
    pub tid: Tid,
    /// Whether a `notify` released it (it may run again).
    pub notified: bool,
    /// What the wait keeps: a condition's saved recursion count; a barrier's arrival index
    /// plus one (0 while waiting to enter a barrier that is still draining).
    pub saved: u32,
    /// Whether the wait has a timeout (the thread may run at any time: see `timeout`).
    pub timed: bool,
    /// Whether the timeout of a `Condition.wait` expired while the thread is still on the list
    /// (it now waits for the lock, and a `notify` that picks it is lost).
    pub expired: bool,
}

/// The lock under a `Condition`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum LockRef {
    /// A `threading.Lock` (an index into [`crate::vm::State::locks`]).
    Lock(u32),
    /// A `threading.RLock` (an index into [`crate::vm::State::sync`]).
    RLock(u32),
}

/// The state of one synchronisation object.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SyncObj {
    /// `threading.RLock`: owner and recursion count.
    RLock {
        /// The owning thread, while held.
        owner: Option<Tid>,
        /// How many times the owner acquired it.
        count: u32,
    },
    /// `threading.Semaphore` / `BoundedSemaphore`.
    Semaphore {
        /// The counter.
        value: i64,
        /// The initial value, for a bounded semaphore.
        bound: Option<i64>,
        /// Threads waiting in `acquire`.
        waiters: Vec<Waiter>,
    },
    /// `threading.Event`.
    Event {
        /// The flag.
        flag: bool,
        /// Threads waiting in `wait`.
        waiters: Vec<Waiter>,
    },
    /// `threading.Condition`.
    Condition {
        /// The underlying lock.
        lock: LockRef,
        /// Threads waiting in `wait`.
        waiters: Vec<Waiter>,
    },
    /// `threading.Barrier`.
    Barrier {
        /// How many threads must arrive.
        parties: i64,
        /// Threads arrived and not yet gone (CPython's `_count`).
        count: u32,
        /// Whether the arrived threads are being released (CPython's state 1).
        draining: bool,
        /// Threads waiting in `wait`.
        waiters: Vec<Waiter>,
    },
    /// `queue.Queue`, `queue.LifoQueue`, `queue.PriorityQueue` or `queue.SimpleQueue` (which
    /// uses no waiter list).
    Queue {
        /// Which of them.
        kind: SyncKind,
        /// The bound (0: unbounded).
        maxsize: i64,
        /// The items: oldest first (`Queue`, `LifoQueue`), or as `heapq` orders its list
        /// (`PriorityQueue`).
        items: Vec<Value>,
        /// Items put and not yet marked done.
        unfinished: u32,
        /// Threads waiting in `get`.
        not_empty: Vec<Waiter>,
        /// Threads waiting in `put`.
        not_full: Vec<Waiter>,
        /// Threads waiting in `join`.
        all_done: Vec<Waiter>,
    },
}

impl SyncObj {
    /// The object's kind.
    pub fn kind(&self) -> SyncKind {
        match self {
            SyncObj::RLock { .. } => SyncKind::RLock,
            SyncObj::Semaphore { bound: None, .. } => SyncKind::Semaphore,
            SyncObj::Semaphore { bound: Some(_), .. } => SyncKind::BoundedSemaphore,
            SyncObj::Event { .. } => SyncKind::Event,
            SyncObj::Condition { .. } => SyncKind::Condition,
            SyncObj::Barrier { .. } => SyncKind::Barrier,
            SyncObj::Queue { kind, .. } => *kind,
        }
    }
}

/// What a thread waits for when a step on a synchronisation object cannot be taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SyncWait {
    /// Acquiring an RLock another thread owns.
    RLock {
        /// The owner.
        owner: Option<Tid>,
    },
    /// Acquiring a semaphore whose counter is 0.
    Semaphore,
    /// `Event.wait()` on a clear event.
    Event,
    /// `Condition.wait()`, waiting for a notify.
    Notify,
    /// Acquiring a condition's lock (`with cond:`, `cond.acquire()`, or `wait()` after its
    /// notify), which another thread holds.
    ConditionLock {
        /// The holder.
        holder: Option<Tid>,
    },
    /// `Barrier.wait()`: arrived, waiting for the other parties.
    Barrier {
        /// Threads arrived so far.
        arrived: u32,
        /// Threads needed.
        parties: i64,
    },
    /// `Barrier.wait()` while the previous generation is still leaving.
    BarrierDraining,
    /// `Queue.get()` on an empty queue.
    QueueGet,
    /// `Queue.put()` on a full queue.
    QueuePut {
        /// The queue's bound.
        maxsize: i64,
    },
    /// `Queue.join()` with unfinished tasks.
    QueueJoin {
        /// Tasks not yet marked done.
        unfinished: u32,
    },
}
