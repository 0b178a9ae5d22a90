//! The proptest strategies that build random programs.

use super::*;

pub(super) fn leaf(cfg: &GenConfig) -> BoxedStrategy<Stmt> {
    let ng = cfg.max_globals;
    let mut arms: Vec<(u32, BoxedStrategy<Stmt>)> = vec![
        (5, (0..ng, 1i64..=3).prop_map(|(g, c)| Stmt::Add { g, c }).boxed()),
        (1, (0..ng, 1i64..=2).prop_map(|(g, c)| Stmt::Sub { g, c }).boxed()),
        (1, (0..ng, 0i64..=3).prop_map(|(g, c)| Stmt::Mul { g, c }).boxed()),
        (1, (0..ng, 0..ng, 0i64..=2).prop_map(|(g, h, c)| Stmt::Copy { g, h, c }).boxed()),
        (1, (0..ng).prop_map(|g| Stmt::AddParam { g }).boxed()),
        (2, (0..ng).prop_map(|g| Stmt::Rmw { g }).boxed()),
        (1, Just(Stmt::Pass).boxed()),
    ];
    if cfg.allow_str {
        arms.push((1, Just(Stmt::StrAppend).boxed()));
    }
    if cfg.allow_prints {
        arms.push((1, (0..ng, any::<bool>()).prop_map(|(g, fstring)| Stmt::Print { g, fstring }).boxed()));
        if cfg.allow_str {
            arms.push((1, any::<bool>().prop_map(|fstring| Stmt::PrintStr { fstring }).boxed()));
        }
    }
    if cfg.allow_asserts {
        arms.push((
            1,
            (0..ng, 0i64..=4, proptest::bool::weighted(0.3)).prop_map(|(g, c, msg)| Stmt::Assert { g, c, msg }).boxed(),
        ));
    }
    if cfg.allow_cross_release && cfg.max_locks > 0 {
        arms.push((1, (0..cfg.max_locks).prop_map(|lock| Stmt::BareRelease { lock }).boxed()));
    }
    if cfg.allow_heap {
        arms.push((2, (0..2usize, 1i64..=3).prop_map(|(i, c)| Stmt::ListAdd { i, c }).boxed()));
        arms.push((1, (0..2usize, 1i64..=3).prop_map(|(i, c)| Stmt::ListSet { i, c }).boxed()));
        arms.push((1, (1i64..=3).prop_map(|c| Stmt::Append { c }).boxed()));
        arms.push((1, (1i64..=3).prop_map(|c| Stmt::DictAdd { c }).boxed()));
        arms.push((2, (1i64..=3).prop_map(|c| Stmt::AttrAdd { c }).boxed()));
        arms.push((1, (1i64..=3).prop_map(|c| Stmt::Bump { c }).boxed()));
        arms.push((1, (0..ng).prop_map(|g| Stmt::PropRead { g }).boxed()));
    }
    if cfg.allow_calls {
        arms.push((2, (0..ng, 1i64..=3).prop_map(|(g, c)| Stmt::CallInc { g, c }).boxed()));
        arms.push((1, (0..ng, 1i64..=3).prop_map(|(g, c)| Stmt::Abs { g, c }).boxed()));
        arms.push((1, (0..ng).prop_map(|g| Stmt::Len { g }).boxed()));
        arms.push((1, (0..ng, 0i64..=4).prop_map(|(g, c)| Stmt::Max { g, c }).boxed()));
    }
    Union::new_weighted(arms).boxed()
}

/// `lockK.acquire()` / `try:` body / `finally:` / `lockK.release()`, when `allow_sync`.
pub(super) fn try_finally(
    cfg: &GenConfig,
    body: impl Strategy<Value = Vec<Stmt>> + 'static,
) -> Option<(u32, BoxedStrategy<Stmt>)> {
    (cfg.allow_sync && cfg.max_locks > 0)
        .then(|| (2, (0..cfg.max_locks, body).prop_map(|(lock, body)| Stmt::TryFinally { lock, body }).boxed()))
}

pub(super) fn stmt(cfg: &GenConfig, depth: u32) -> BoxedStrategy<Stmt> {
    let leaves = leaf(cfg);
    if depth == 0 {
        return leaves;
    }
    let inner = stmt(cfg, depth - 1);
    let ng = cfg.max_globals;
    let body = || prop::collection::vec(inner.clone(), 1..=2);
    let mut arms: Vec<(u32, BoxedStrategy<Stmt>)> = vec![
        (12, leaves),
        (
            2,
            (proptest::bool::weighted(0.25), 0..ng, 0i64..=3, body(), proptest::option::weighted(0.4, body()))
                .prop_map(|(param, g, c, then, els)| Stmt::If { param, g, c, then, els })
                .boxed(),
        ),
        (2, (1..=cfg.max_loop, body()).prop_map(|(k, body)| Stmt::For { k, body }).boxed()),
        (1, (1..=cfg.max_loop, body()).prop_map(|(k, body)| Stmt::While { k, body }).boxed()),
    ];
    if cfg.max_locks >= 2 {
        // Two locks nested (either order): lock-order deadlocks between threads.
        arms.push((2, lock_nest(cfg)));
    }
    if cfg.max_locks > 0 {
        arms.push((3, (0..cfg.max_locks, body()).prop_map(|(lock, body)| Stmt::With { lock, body }).boxed()));
        arms.push((
            2,
            (0..cfg.max_locks, prop::collection::vec(inner.clone(), 0..=2))
                .prop_map(|(lock, body)| Stmt::AcqRel { lock, body })
                .boxed(),
        ));
    }
    arms.extend(try_finally(cfg, body()));
    Union::new_weighted(arms).boxed()
}

pub(super) fn func(body: impl Strategy<Value = Vec<Stmt>>) -> impl Strategy<Value = RawFunc> {
    (proptest::option::weighted(0.25, 1i64..=3), body).prop_map(|(param, body)| RawFunc { param, body })
}

/// Statements of a worker that runs side by side with another worker: short, or a lock block.
pub(super) fn side_by_side_stmt(cfg: &GenConfig) -> BoxedStrategy<Stmt> {
    let mut arms = vec![(6, leaf(cfg))];
    if cfg.max_locks > 0 {
        let body = || prop::collection::vec(leaf(cfg), 1..=1);
        arms.push((2, (0..cfg.max_locks, body()).prop_map(|(lock, body)| Stmt::With { lock, body }).boxed()));
        arms.push((1, (0..cfg.max_locks, body()).prop_map(|(lock, body)| Stmt::AcqRel { lock, body }).boxed()));
        arms.extend(try_finally(cfg, body()));
    }
    if cfg.max_locks >= 2 {
        arms.push((2, lock_nest(cfg)));
    }
    Union::new_weighted(arms).boxed()
}

pub(super) fn tail(cfg: &GenConfig) -> BoxedStrategy<Tail> {
    let ng = cfg.max_globals;
    let mut arms: Vec<(u32, BoxedStrategy<Tail>)> = Vec::new();
    if cfg.allow_prints {
        arms.push((2, (0..ng).prop_map(|g| Tail::Print { g }).boxed()));
        arms.push((1, (0..ng, 0..ng).prop_map(|(g, h)| Tail::PrintF { g, h }).boxed()));
        if cfg.allow_str {
            arms.push((1, Just(Tail::PrintStr).boxed()));
        }
    }
    if cfg.allow_asserts {
        arms.push((
            3,
            (0..ng, 0i64..=6, proptest::bool::weighted(0.7))
                .prop_map(|(g, c, serial)| Tail::AssertEq { g, c, serial })
                .boxed(),
        ));
    }
    if arms.is_empty() {
        // Not used: `raw_program` generates no tail when prints and asserts are both off.
        return Just(Tail::Print { g: 0 }).boxed();
    }
    Union::new_weighted(arms).boxed()
}

/// `with lockA:` (or `acquire()`/`release()`) around `with lockB:` around one leaf, A != B.
pub(super) fn lock_nest(cfg: &GenConfig) -> BoxedStrategy<Stmt> {
    (any::<bool>(), any::<bool>(), any::<bool>(), leaf(cfg))
        .prop_map(|(swap, outer_with, inner_with, s)| {
            let (a, b) = if swap { (1, 0) } else { (0, 1) };
            let inner = if inner_with {
                Stmt::With { lock: b, body: vec![s] }
            } else {
                Stmt::AcqRel { lock: b, body: vec![s] }
            };
            if outer_with {
                Stmt::With { lock: a, body: vec![inner] }
            } else {
                Stmt::AcqRel { lock: a, body: vec![inner] }
            }
        })
        .boxed()
}

/// Statements main runs between its last `start()` and its joins: leaves, or a lock block of leaves.
pub(super) fn main_stmt(cfg: &GenConfig) -> BoxedStrategy<Stmt> {
    let leaves = leaf(cfg);
    if cfg.max_locks == 0 {
        return leaves;
    }
    let body = || prop::collection::vec(leaf(cfg), 1..=2);
    let mut arms = vec![
        (8, leaves),
        (2, (0..cfg.max_locks, body()).prop_map(|(lock, body)| Stmt::With { lock, body }).boxed()),
        (1, (0..cfg.max_locks, body()).prop_map(|(lock, body)| Stmt::AcqRel { lock, body }).boxed()),
    ];
    arms.extend(try_finally(cfg, body()));
    if cfg.max_locks >= 2 {
        arms.push((2, lock_nest(cfg)));
    }
    Union::new_weighted(arms).boxed()
}

/// Programs come in three plans, sized so that many fit the budget before any cutting:
/// one worker racing with main's own statements (worker: 1..=max_stmts statements, main: up to
/// max_stmts - 1, at most 2); two workers started and joined one after the other, main racing with
/// the second (workers: up to max_stmts - 1 statements, main: up to max_stmts - 2, at most 1); two
/// workers side by side with at most one short statement each (main: up to max_stmts - 2, at most
/// 1). Shrinking moves towards the first plan.
pub(super) fn raw_program(cfg: GenConfig) -> BoxedStrategy<RawProgram> {
    let kind = if cfg.allow_sync && !cfg.allow_cross_release {
        prop_oneof![2 => Just(LockKind::Lock), 1 => Just(LockKind::RLock), 1 => Just(LockKind::Semaphore)].boxed()
    } else {
        Just(LockKind::Lock).boxed()
    };
    (raw_program_with_locks(cfg), kind).prop_map(|(raw, lock_kind)| RawProgram { lock_kind, ..raw }).boxed()
}

pub(super) fn raw_program_with_locks(cfg: GenConfig) -> BoxedStrategy<RawProgram> {
    let tails = if cfg.allow_prints || cfg.allow_asserts {
        prop::collection::vec(tail(&cfg), 0..=2).boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    let common =
        (1..=cfg.max_globals, prop::collection::vec(0i64..=3, cfg.max_globals), tails, proptest::bool::weighted(0.5));
    let main_body = |n: usize| prop::collection::vec(main_stmt(&cfg), 0..=n);
    let m = cfg.max_stmts;
    let body = |n: usize| prop::collection::vec(stmt(&cfg, cfg.depth()), 1..=n);
    // Two worker threads: two functions, or one function run by both.
    let two = |b: BoxedStrategy<Vec<Stmt>>| {
        prop_oneof![
            2 => (func(b.clone()), func(b.clone())).prop_map(|(f, g)| (vec![f, g], false)),
            1 => func(b).prop_map(|f| (vec![f], true)),
        ]
    };
    let one_worker = (
        common.clone(),
        func(body(m)),
        prop_oneof![4 => Just(Shape::All), 1 => Just(Shape::SeqLastUnjoined)],
        main_body((m - 1).min(2)),
    )
        .prop_map(|((n_globals, init, tail, keep_workers), f, shape, main_body)| RawProgram {
            n_globals,
            init,
            funcs: vec![f],
            shared_thread: false,
            keep_workers,
            shape,
            main_body,
            tail,
            lock_kind: LockKind::Lock,
        });
    if cfg.max_workers < 2 {
        return one_worker.boxed();
    }
    let one_after_other = (
        common.clone(),
        two(body((m - 1).max(1)).boxed()),
        prop_oneof![2 => Just(Shape::Sequential), 1 => Just(Shape::SeqLastUnjoined)],
        main_body(m.saturating_sub(2).min(1)),
    )
        .prop_map(|((n_globals, init, tail, keep_workers), (funcs, shared_thread), shape, main_body)| RawProgram {
            n_globals,
            init,
            funcs,
            shared_thread,
            keep_workers,
            shape,
            main_body,
            tail,
            lock_kind: LockKind::Lock,
        });
    let side_by_side = (
        common.clone(),
        two(prop::collection::vec(side_by_side_stmt(&cfg), 0..=1).boxed()),
        prop_oneof![3 => Just(Shape::All), 1 => Just(Shape::Reverse), 1 => Just(Shape::OnlyFirst)],
        main_body(m.saturating_sub(2).min(1)),
    )
        .prop_map(|((n_globals, init, tail, keep_workers), (funcs, shared_thread), shape, main_body)| RawProgram {
            n_globals,
            init,
            funcs,
            shared_thread,
            keep_workers,
            shape,
            main_body,
            tail,
            lock_kind: LockKind::Lock,
        });
    if cfg.max_locks < 2 {
        return prop_oneof![5 => one_worker, 3 => one_after_other, 2 => side_by_side].boxed();
    }
    // Main and a worker each take both locks, nested, in random orders: lock-order deadlocks.
    let lock_order =
        (common, func(prop::collection::vec(lock_nest(&cfg), 1..=1)), prop::collection::vec(lock_nest(&cfg), 1..=1))
            .prop_map(|((n_globals, init, tail, keep_workers), f, main_body)| RawProgram {
                n_globals,
                init,
                funcs: vec![f],
                shared_thread: false,
                keep_workers,
                shape: Shape::All,
                main_body,
                tail,
                lock_kind: LockKind::Lock,
            });
    prop_oneof![5 => one_worker, 3 => one_after_other, 2 => side_by_side, 1 => lock_order].boxed()
}
