//! Resource limits that every command honours: a counting allocator (the memory figure the
//! limits use), a per-run [`Budget`] (deadline, memory ceiling, a stop flag that every loop of
//! the checker polls), and [`Limit`], the limit that stopped a run.
//!
//! The `gilcheck` binary installs [`CountingAlloc`] as its global allocator; a library user may
//! do the same (`#[global_allocator] static A: gilcheck::budget::CountingAlloc = CountingAlloc;`).
//! Without it, memory is read from the resident set size instead, less precisely.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::RefCell;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicU64, AtomicU8, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Bytes in use (signed: a thread may hand in the frees of memory another thread allocated
/// before that thread hands in the allocation).
static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);
/// The byte count past which the allocator ends the process (0: never). Set by the binary only.
static HARD_CAP: AtomicUsize = AtomicUsize::new(0);
static EXITING: AtomicBool = AtomicBool::new(false);
static EMERGENCY: OnceLock<EmergencyExit> = OnceLock::new();

/// What ends the process when a limit cannot stop a run gracefully: called with the limit and
/// what the run was doing; never returns.
pub type EmergencyExit = Box<dyn Fn(Limit, &str) + Send + Sync>;

/// A global allocator that wraps the system's and counts the bytes in use and their peak.
///
/// When the binary registered an emergency exit ([`set_emergency_exit`]), an allocation that
/// fails, or that takes the count past the hard cap (the memory ceiling plus a margin), ends the
/// process through it (exit 3, naming the memory limit) instead of aborting.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAlloc;

#[inline]
fn counted(size: usize) {
    let now = (CURRENT.fetch_add(size as isize, Relaxed) + size as isize).max(0) as usize;
    if now > PEAK.load(Relaxed) {
        PEAK.fetch_max(now, Relaxed);
    }
    let cap = HARD_CAP.load(Relaxed);
    if cap != 0 && now > cap {
        emergency(
            Limit::Memory,
            "the memory in use passed the ceiling by more than its margin, in a phase that could not stop sooner",
        );
    }
}

#[cold]
fn failed(size: usize) {
    emergency(Limit::Memory, &format!("an allocation of {size} bytes failed (the system has no more memory)"));
}

/// Bytes a thread allocates or frees before it adds them to the shared count: threads that
/// search in parallel would otherwise contend for one counter on every allocation. The count is
/// off by less than this per thread.
const BATCH: isize = 1 << 16;

thread_local! {
    static DELTA: std::cell::Cell<isize> = const { std::cell::Cell::new(0) };
}

/// Adds `size` bytes (negative: frees) to this thread's batch, and the batch to the shared
/// count when it is full.
#[inline]
fn change(size: isize) {
    let full = DELTA
        .try_with(|d| {
            let v = d.get() + size;
            if v.abs() < BATCH {
                d.set(v);
                None
            } else {
                d.set(0);
                Some(v)
            }
        })
        .unwrap_or(Some(size));
    match full {
        Some(v) if v > 0 => counted(v as usize),
        Some(v) => {
            CURRENT.fetch_add(v, Relaxed);
        }
        None => {}
    }
}

// SAFETY: every method forwards to `System` with the caller's layout; the counters are updated
// only after a successful allocation and before a deallocation.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if p.is_null() {
            failed(layout.size());
        } else {
            change(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if p.is_null() {
            failed(layout.size());
        } else {
            change(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        change(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if p.is_null() {
            failed(new_size);
        } else {
            change(-(layout.size() as isize));
            change(new_size as isize);
        }
        p
    }
}

/// The shared count of bytes in use.
fn current() -> u64 {
    CURRENT.load(Relaxed).max(0) as u64
}

/// Marks the counting allocator as installed (the binary calls this first thing): from then
/// on, [`in_use`] is the figure the memory limit uses.
pub fn mark_installed() {
    INSTALLED.store(true, Relaxed);
}

/// Bytes allocated and not yet freed (the counting allocator's figure), or the resident set
/// size where the allocator is not installed.
pub fn in_use() -> u64 {
    if INSTALLED.load(Relaxed) {
        current()
    } else {
        rss_bytes()
    }
}

/// Starts the peak of [`peak`] afresh from the bytes in use now (between the runs of a
/// benchmark).
pub fn reset_peak() {
    PEAK.store(current() as usize, Relaxed);
}

/// The most bytes ever in use at once (the counting allocator's figure), or the peak resident
/// set size where the allocator is not installed.
pub fn peak() -> u64 {
    if INSTALLED.load(Relaxed) {
        PEAK.load(Relaxed) as u64
    } else {
        peak_rss_bytes()
    }
}

/// Registers what ends the process when a limit cannot be honoured gracefully: an allocation
/// that fails or passes [`set_hard_cap`], or a time limit overrun by more than the grace period
/// ([`Budget::watch`]). `f` must not return (it prints the inconclusive verdict and exits 3).
/// Only the binary registers one; the library never ends the process.
pub fn set_emergency_exit(f: EmergencyExit) {
    let _ = EMERGENCY.set(f);
}

/// Sets the hard cap on bytes in use (the counting allocator ends the process past it).
pub fn set_hard_cap(bytes: u64) {
    HARD_CAP.store(usize::try_from(bytes).unwrap_or(usize::MAX), Relaxed);
}

/// Runs the emergency exit once (later callers, and allocations made by it, pass through).
fn emergency(limit: Limit, during: &str) {
    if EMERGENCY.get().is_none() || EXITING.swap(true, Relaxed) {
        return;
    }
    HARD_CAP.store(0, Relaxed);
    if let Some(f) = EMERGENCY.get() {
        f(limit, during);
    }
}

/// Marks the run as reporting its result: the time watchdog no longer ends the process (the
/// report is on its way) and the hard memory cap is lifted for the report's few allocations.
pub fn reporting() {
    EXITING.store(true, Relaxed);
    HARD_CAP.store(0, Relaxed);
}

/// The limit that stopped a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    /// `--max-time`.
    Time,
    /// `--max-memory`.
    Memory,
    /// `--max-states`.
    States,
}

impl Limit {
    /// The short name used in JSON (`max-time`, `max-memory`, `max-states`).
    pub fn name(self) -> &'static str {
        match self {
            Limit::Time => "max-time",
            Limit::Memory => "max-memory",
            Limit::States => "max-states",
        }
    }

    /// The command-line flag that raises it.
    pub fn flag(self) -> &'static str {
        match self {
            Limit::Time => "--max-time",
            Limit::Memory => "--max-memory",
            Limit::States => "--max-states",
        }
    }

    fn code(self) -> u8 {
        match self {
            Limit::Time => 1,
            Limit::Memory => 2,
            Limit::States => 3,
        }
    }

    fn from_code(c: u8) -> Option<Limit> {
        match c {
            1 => Some(Limit::Time),
            2 => Some(Limit::Memory),
            3 => Some(Limit::States),
            _ => None,
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.flag())
    }
}

/// A limit that stopped a run, with the value it had (in the flag's unit: seconds, MiB, states).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LimitHit {
    /// Which limit.
    pub limit: Limit,
    /// Its value, in the unit of its flag.
    pub value: f64,
}

impl LimitHit {
    /// The value with its unit, e.g. `5 s`, `50 MiB`, `1,000 states`.
    pub fn value_text(&self) -> String {
        match self.limit {
            Limit::Time => format!("{} s", self.value),
            Limit::Memory => format!("{} MiB", self.value),
            Limit::States => format!("{} states", self.value),
        }
    }

    /// What stopped the run, in words: e.g. `--max-time 5 s reached`.
    pub fn describe(&self) -> String {
        format!("{} {} reached", self.limit.flag(), self.value_text())
    }

    /// How to go further, in words: e.g. `raise --max-time (now 5 s)`.
    pub fn hint(&self) -> String {
        let more = match self.limit {
            Limit::Memory => "; the default is half the physical memory",
            _ => "",
        };
        format!("raise {} (now {}{more})", self.limit.flag(), self.value_text())
    }
}

/// The default memory ceiling: half the physical memory (`MemTotal` in `/proc/meminfo`), so
/// that a run leaves the machine usable; 4 GiB where the figure is unknown.
pub fn default_max_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("MemTotal:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(4 << 30, |kib| kib * 1024 / 2)
}

/// One run's budget: its start, deadline and memory ceiling, and the limit that stopped it.
/// Shared (an `Arc`) by every phase and thread of the run; every loop polls [`Budget::stopped`].
#[derive(Debug)]
pub struct Budget {
    start: Instant,
    max_time: Option<Duration>,
    max_memory: u64,
    stop: AtomicU8,
    /// States covered so far, published by the search (for the emergency report).
    states: AtomicU64,
    /// Executions covered so far, published by the search.
    executions: AtomicU64,
}

impl Budget {
    /// A budget starting now, with an optional time limit and a memory ceiling in bytes.
    pub fn new(max_time: Option<Duration>, max_memory: u64) -> Arc<Budget> {
        Arc::new(Budget {
            start: Instant::now(),
            max_time,
            max_memory,
            stop: AtomicU8::new(0),
            states: AtomicU64::new(0),
            executions: AtomicU64::new(0),
        })
    }

    /// The hit of `limit` under this budget (its value in the flag's unit); `states` is the
    /// value of `--max-states`, which the budget does not hold.
    pub fn hit(&self, limit: Limit, states: u64) -> LimitHit {
        let value = match limit {
            Limit::Time => self.max_time.map_or(0.0, |t| t.as_secs_f64()),
            Limit::Memory => (self.max_memory >> 20) as f64,
            Limit::States => states as f64,
        };
        LimitHit { limit, value }
    }

    /// The time limit.
    pub fn max_time(&self) -> Option<Duration> {
        self.max_time
    }

    /// The memory ceiling in bytes.
    pub fn max_memory(&self) -> u64 {
        self.max_memory
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// The limit that stopped the run, if one did.
    #[inline]
    pub fn stopped(&self) -> Option<Limit> {
        Limit::from_code(self.stop.load(Relaxed))
    }

    /// The per-step poll: the stop flag, and the bytes in use against the ceiling (two atomic
    /// loads; a step that copies a large state is caught right after it).
    #[inline]
    pub fn poll(&self) -> Option<Limit> {
        if (INSTALLED.load(Relaxed) && current() > self.max_memory) || stack_exhausted() {
            self.stop(Limit::Memory);
        }
        self.stopped()
    }

    /// Records that `limit` stopped the run (the first one recorded stays).
    pub fn stop(&self, limit: Limit) {
        let _ = self.stop.compare_exchange(0, limit.code(), Relaxed, Relaxed);
    }

    /// Checks the clock and the memory in use against the limits; the limit that stops the
    /// run, if any.
    /// Cheap enough to call every few hundred steps: without the counting allocator, memory
    /// is read from the OS only by [`Budget::check_rss`].
    pub fn check(&self) -> Option<Limit> {
        if self.stopped().is_none() {
            if self.max_time.is_some_and(|t| self.start.elapsed() > t) {
                self.stop(Limit::Time);
            } else if (INSTALLED.load(Relaxed) && current() + stack_in_use() > self.max_memory) || stack_exhausted() {
                self.stop(Limit::Memory);
            }
        }
        self.stopped()
    }

    /// [`Budget::check`], reading the resident set size where the counting allocator is not
    /// installed (a system call: every few tens of thousands of steps).
    pub fn check_rss(&self) -> Option<Limit> {
        if self.stopped().is_none() && !INSTALLED.load(Relaxed) && rss_bytes() > self.max_memory {
            self.stop(Limit::Memory);
        }
        self.check()
    }

    /// Whether `bytes` more can be allocated within the ceiling; when not, the run stops on
    /// the memory limit. The VM asks before building a large value.
    pub fn fits(&self, bytes: u64) -> bool {
        if (in_use() + stack_in_use()).saturating_add(bytes) > self.max_memory {
            self.stop(Limit::Memory);
            return false;
        }
        true
    }

    /// Publishes what the search covered so far (for a report made by the emergency exit).
    pub fn publish(&self, states: u64, executions: u64) {
        self.states.store(states, Relaxed);
        self.executions.store(executions, Relaxed);
    }

    /// The states and executions last published.
    pub fn covered(&self) -> (u64, u64) {
        (self.states.load(Relaxed), self.executions.load(Relaxed))
    }

    /// Starts a watchdog thread that stops the run at its deadline and, `grace` later, ends
    /// the process through the emergency exit if the run has not begun reporting (a single
    /// step of the program, or a phase of the checker, that does not poll the budget).
    pub fn watch(self: &Arc<Self>, grace: Duration) {
        let Some(limit) = self.max_time else { return };
        let me = Arc::downgrade(self);
        let deadline = self.start + limit;
        let _ = std::thread::Builder::new().name("gilcheck-watchdog".into()).spawn(move || {
            std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
            match me.upgrade() {
                Some(b) => b.stop(Limit::Time),
                None => return,
            }
            std::thread::sleep(grace);
            if me.upgrade().is_some() {
                emergency(Limit::Time, "the time limit passed during one step or phase that could not stop sooner");
            }
        });
    }
}

thread_local! {
    static ACTIVE: RefCell<Option<Arc<Budget>>> = const { RefCell::new(None) };
    /// Roughly where this thread's stack began when a budget was first entered on it.
    static STACK_BASE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// The stack address below which this thread's search has used the stack it may use
    /// (0: not known, not limited).
    static STACK_FLOOR: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The stack sizes [`on_search_stack`] tries, largest first.
const SEARCH_STACKS: [usize; 5] = [1 << 30, 1 << 29, 1 << 28, 1 << 26, 1 << 24];
/// The stack a search may use on a thread whose stack size is not known (the last fallback).
const UNKNOWN_STACK_USE: u64 = 512 << 10;

/// Runs `f` on a thread with a large stack (the stateless searches recurse once per pending
/// alternative), falling back to smaller ones when the system refuses (an address-space limit),
/// and at last to this thread. Half the stack it got is the search's stack limit: past it,
/// [`Budget::check`] stops the run at the memory limit instead of letting the stack overflow
/// (the other half is for what runs after the stop: unwinding the recursion, dropping what it
/// built, the report).
pub fn on_search_stack<R: Send>(name: &str, f: impl Fn() -> R + Send + Sync) -> R {
    let with_limit = |limit: u64| {
        let base = stack_position();
        STACK_FLOOR.with(|l| l.set(base.saturating_sub(limit as usize).max(1)));
        STACK_BASE.with(|b| b.set(base));
        f()
    };
    let with_limit = &with_limit;
    // Under an address-space ceiling (`ulimit -v`), a stack takes at most an eighth of it: the
    // heap needs the rest.
    let ceiling = address_space_limit().map_or(usize::MAX, |b| usize::try_from(b / 8).unwrap_or(usize::MAX));
    std::thread::scope(|scope| {
        for size in SEARCH_STACKS.into_iter().filter(|s| *s <= ceiling) {
            let spawned = std::thread::Builder::new()
                .name(name.into())
                .stack_size(size)
                .spawn_scoped(scope, move || with_limit(size as u64 / 2));
            if let Ok(handle) = spawned {
                return handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            }
        }
        let (saved_floor, saved_base) = (STACK_FLOOR.with(|l| l.get()), STACK_BASE.with(|b| b.get()));
        let r = with_limit(UNKNOWN_STACK_USE);
        STACK_FLOOR.with(|l| l.set(saved_floor));
        STACK_BASE.with(|b| b.set(saved_base));
        r
    })
}

/// The process's address-space ceiling in bytes (`RLIMIT_AS`), where one is set.
fn address_space_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max address space"))?;
    line["Max address space".len()..].split_whitespace().next()?.parse().ok()
}

/// Whether this thread's search has used the stack it may use (see [`on_search_stack`]).
#[inline]
fn stack_exhausted() -> bool {
    let floor = STACK_FLOOR.with(|l| l.get());
    floor != 0 && stack_position() < floor
}

/// Roughly the current stack position (the address of a local).
#[inline(never)]
fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// The stack this thread used since a budget was first entered on it: the stateless searches
/// recurse once per pending alternative, and their stack counts against the memory ceiling
/// as much as the heap does.
pub fn stack_in_use() -> u64 {
    let base = STACK_BASE.with(|b| b.get());
    if base == 0 {
        0
    } else {
        base.saturating_sub(stack_position()) as u64
    }
}

/// Makes `budget` the one the VM consults on this thread until the guard drops.
pub fn enter(budget: &Arc<Budget>) -> Entered {
    STACK_BASE.with(|b| {
        if b.get() == 0 {
            b.set(stack_position());
        }
    });
    let previous = ACTIVE.with(|a| a.replace(Some(budget.clone())));
    Entered { previous }
}

/// Restores the previously active budget when dropped (see [`enter`]).
#[derive(Debug)]
pub struct Entered {
    previous: Option<Arc<Budget>>,
}

impl Drop for Entered {
    fn drop(&mut self) {
        let previous = self.previous.take();
        ACTIVE.with(|a| *a.borrow_mut() = previous);
    }
}

/// The budget active on this thread, if any.
pub fn active() -> Option<Arc<Budget>> {
    ACTIVE.with(|a| a.borrow().clone())
}

/// Whether `bytes` more fit in the memory ceiling of the budget active on this thread (always
/// true with none). Values below 64 KiB are not checked here: the search's poll covers them.
#[inline]
pub fn fits(bytes: u64) -> bool {
    bytes < (64 << 10) || ACTIVE.with(|a| a.borrow().as_ref().is_none_or(|b| b.fits(bytes)))
}

/// A cheap poll of the budget active on this thread for loops outside the search (graphs,
/// replays): reads it every 256 calls, counted in `ticks`.
#[inline]
pub fn poll(ticks: &mut u32) -> Option<Limit> {
    *ticks = ticks.wrapping_add(1);
    if (*ticks).is_multiple_of(256) {
        active_stopped()
    } else {
        None
    }
}

/// Whether the budget active on this thread has stopped the run.
pub fn active_stopped() -> Option<Limit> {
    ACTIVE.with(|a| a.borrow().as_ref().and_then(|b| b.check()))
}

/// The current resident set size in bytes (0 where unknown).
pub fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()))
        .map_or(0, |pages| pages * 4096)
}

/// The peak resident set size of the process in bytes (`VmHWM`; 0 where unknown).
pub fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()))
        })
        .map_or(0, |kb| kb * 1024)
}

/// CPU seconds (user and system, all threads) the process has used so far, from
/// `/proc/self/stat` in clock ticks of 1/100 s (Linux's); 0 where unknown.
pub fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    let Some((_, rest)) = stat.rsplit_once(')') else { return 0.0 };
    // After the command name: state (field 3), …, utime (field 14), stime (field 15).
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}
