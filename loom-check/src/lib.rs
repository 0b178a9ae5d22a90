//! Loom models of the seed's two counter programs, for checking gilcheck
//! against an independent model checker.
//!
//! The seed has two programs in which two threads each add 1 to a shared
//! `balance` N times:
//!
//! * `models/race_condition.py` does `balance += 1` with no lock;
//! * `models/safe_deposit.py` does it inside `with lock:`.
//!
//! gilcheck's `bytecode` model compiles `balance += 1` to `LOAD_GLOBAL`,
//! `LOAD_CONST`, `BINARY_OP`, `STORE_GLOBAL`. Only the first and the last touch
//! shared state; the steps in between are thread-local, so for the set of
//! reachable outcomes the increment is a shared *load*, then (after local
//! steps) a separate shared *store* of the loaded value plus one. A thread
//! switch may fall between the two, which is where updates get lost.
//!
//! This crate re-states both programs as [loom](https://docs.rs/loom) models at
//! exactly that granularity:
//!
//! * the racy increment is an atomic `load` followed by a separate atomic
//!   `store`, both `SeqCst` (never a `fetch_add`, which would be atomic and
//!   lose nothing);
//! * the locked increment is the same load and store with a loom
//!   [`Mutex`](https://docs.rs/loom/latest/loom/sync/struct.Mutex.html) held
//!   around the pair, like `with lock:`.
//!
//! The main thread spawns the two workers, joins both, and reads the final
//! value, which is recorded (across all of loom's executions) in a `std` — not
//! loom — `Arc<Mutex<BTreeSet<u64>>>`. Exploration is exhaustive: no
//! preemption bound, no permutation or time limit, and a branch limit far above
//! what these models need. The sets returned must equal the outcome sets
//! gilcheck reports for the same programs: `{1, 2}` for one racy increment per
//! thread, `{2, …, 2N}` for N ≥ 2, and `{2N}` with the lock.
//!
//! The models use loom's types, so they exist only when built with
//! `RUSTFLAGS="--cfg loom"`:
//!
//! ```text
//! CARGO_TARGET_DIR=target/loom RUSTFLAGS="--cfg loom" cargo test --release -p loom-check
//! ```
//!
//! A separate target directory keeps the `--cfg loom` build (which rebuilds
//! every dependency with the new flag) from invalidating the main build cache.
//! Without `--cfg loom` this crate is empty.
//!
//! loom treats `SeqCst` loads and stores as `AcqRel`, so it may also explore
//! loads that read an older store than the latest one. For a single shared
//! location read-after-write coherence still holds, and the outcome sets are
//! the same as under sequential consistency; the cross-check tests confirm it.

#[cfg(loom)]
mod models {
    use std::collections::BTreeSet;
    use std::sync::atomic::{AtomicUsize, Ordering as StdOrdering};
    use std::sync::{Arc as StdArc, Mutex as StdMutex};

    use loom::model::Builder;
    use loom::sync::atomic::AtomicU64;
    use loom::sync::atomic::Ordering::SeqCst;
    use loom::sync::{Arc, Mutex};

    /// Branch limit per execution: far above what two threads doing a few
    /// increments need, so that loom never stops an execution short.
    const MAX_BRANCHES: usize = 100_000;

    /// The result of exhaustively exploring one model with loom.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Exploration {
        /// Every final value of the counter seen by the main thread after
        /// joining both workers, across all executions.
        pub final_values: BTreeSet<u64>,
        /// How many executions (complete interleavings) loom ran.
        pub executions: usize,
    }

    /// A loom builder set for exhaustive exploration, whatever the `LOOM_*`
    /// environment variables say.
    fn exhaustive_builder() -> Builder {
        let mut builder = Builder::new();
        builder.preemption_bound = None;
        builder.max_permutations = None;
        builder.max_duration = None;
        builder.checkpoint_file = None;
        builder.max_branches = MAX_BRANCHES;
        builder
    }

    /// Runs two threads of `n` increments each, with or without a lock around
    /// each increment's load and store, under every interleaving loom finds.
    fn explore(n: usize, locked: bool) -> Exploration {
        let seen = StdArc::new(StdMutex::new(BTreeSet::new()));
        let executions = StdArc::new(AtomicUsize::new(0));
        {
            let seen = StdArc::clone(&seen);
            let executions = StdArc::clone(&executions);
            exhaustive_builder().check(move || {
                executions.fetch_add(1, StdOrdering::Relaxed);
                let balance = Arc::new(AtomicU64::new(0));
                let lock = Arc::new(Mutex::new(()));
                let workers: Vec<_> = (0..2)
                    .map(|_| {
                        let balance = Arc::clone(&balance);
                        let lock = Arc::clone(&lock);
                        loom::thread::spawn(move || {
                            for _ in 0..n {
                                let guard = locked.then(|| lock.lock().unwrap());
                                // LOAD_GLOBAL balance
                                let value = balance.load(SeqCst);
                                // LOAD_CONST 1; BINARY_OP += (thread-local)
                                // STORE_GLOBAL balance
                                balance.store(value + 1, SeqCst);
                                drop(guard);
                            }
                        })
                    })
                    .collect();
                for worker in workers {
                    worker.join().unwrap();
                }
                let final_value = balance.load(SeqCst);
                seen.lock().unwrap().insert(final_value);
            });
        }
        let final_values = seen.lock().unwrap().clone();
        Exploration { final_values, executions: executions.load(StdOrdering::Relaxed) }
    }

    /// Explores `race_condition.py` with `n` increments per thread: each
    /// increment a `SeqCst` load then a separate `SeqCst` store, no lock.
    pub fn explore_racy(n: usize) -> Exploration {
        explore(n, false)
    }

    /// Explores `safe_deposit.py` with `n` increments per thread: each
    /// increment's load and store inside a loom `Mutex`.
    pub fn explore_locked(n: usize) -> Exploration {
        explore(n, true)
    }

    /// All final values of the racy counter (two threads, `n` unlocked
    /// increments each) over an exhaustive loom exploration.
    pub fn racy_final_values(n: usize) -> BTreeSet<u64> {
        explore_racy(n).final_values
    }

    /// All final values of the locked counter (two threads, `n` increments
    /// each under one mutex) over an exhaustive loom exploration.
    pub fn locked_final_values(n: usize) -> BTreeSet<u64> {
        explore_locked(n).final_values
    }
}

#[cfg(loom)]
pub use models::{explore_locked, explore_racy, locked_final_values, racy_final_values, Exploration};
