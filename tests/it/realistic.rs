//! Programs written the way tutorials and answers write them (`models/realistic/`): each has
//! an exact expected verdict and set of outcomes (printed output, and how the run ended), and,
//! where `python3.11` is on PATH, a few real runs whose output must lie in that set.

use gilcheck::Model;
use gilcheck::{Strategy, Verdict};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One outcome: the printed lines, then `! <how it ended>` for a run that ended in a violation.
fn outcome(lines: &[&str], end: Option<&str>) -> String {
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    if let Some(e) = end {
        out.push(format!("! {e}"));
    }
    out.join("\n")
}

/// Every program with its verdict and outcome set (what python3.11 can print, worked out by
/// hand from the program and checked against real runs).
fn expected() -> Vec<(&'static str, Verdict, BTreeSet<String>)> {
    let set = |v: Vec<String>| v.into_iter().collect::<BTreeSet<String>>();
    vec![
        // The two withdrawals (20 and 15) cannot both succeed on 30: t2's 15 succeeds first
        // (then t1's 20 fails on 15), or t1's 20 does (then t2's 15 fails on 10).
        ("bank_account.py", Verdict::Holds, set(vec![outcome(&["alice: 10"], None), outcome(&["alice: 15"], None)])),
        // `counter += 1` twice per thread, no lock: 2, 3 or 4.
        (
            "unsafe_counter.py",
            Verdict::Violated,
            set(vec![
                outcome(&["Final counter: 2"], Some("assertion: AssertionError: lost updates: counter is 2")),
                outcome(&["Final counter: 3"], Some("assertion: AssertionError: lost updates: counter is 3")),
                outcome(&["Final counter: 4"], None),
            ]),
        ),
        ("producer_consumer.py", Verdict::Holds, set(vec![outcome(&["consumed: [10, 20, 30]"], None)])),
        ("start_signal.py", Verdict::Holds, set(vec![outcome(&["{'done': 3}"], None)])),
        ("condition_ready.py", Verdict::Holds, set(vec![outcome(&["got 42"], None)])),
        // Two of the three may hold the pool at once, or they may run one after another.
        (
            "semaphore_pool.py",
            Verdict::Holds,
            set(vec![outcome(&["peak connections: 1"], None), outcome(&["peak connections: 2"], None)]),
        ),
        // Under the lock every count is right; only the dict's key order varies, unseen here.
        ("word_count.py", Verdict::Holds, set(vec![outcome(&["2 2 1 5"], None)])),
        (
            "lazy_init.py",
            Verdict::Violated,
            set(vec![outcome(&[], None), outcome(&[], Some("assertion: AssertionError: config created 2 times"))]),
        ),
        (
            "named_workers.py",
            Verdict::Holds,
            set(vec![
                outcome(&["worker-0 finished", "worker-1 finished", "all done in MainThread"], None),
                outcome(&["worker-1 finished", "worker-0 finished", "all done in MainThread"], None),
            ]),
        ),
        ("barrier_phases.py", Verdict::Holds, set(vec![outcome(&["6 True"], None)])),
        (
            "transfer_deadlock.py",
            Verdict::Violated,
            set(vec![
                outcome(&["110 90"], None),
                outcome(
                    &[],
                    Some(
                        "deadlock: T1 waits for lock#1 (held by T2) at line 14; T2 waits for lock#0 (held by T1) \
                         at line 14; main waits to join T1 at line 25",
                    ),
                ),
            ]),
        ),
        ("rlock_inventory.py", Verdict::Holds, set(vec![outcome(&["3 2"], None)])),
        ("ping_pong.py", Verdict::Holds, set(vec![outcome(&["ping pong ping pong"], None)])),
        ("result_list.py", Verdict::Holds, set(vec![outcome(&["[0, 1, 4]"], None)])),
        // Apples: the first order of 6 succeeds, the second fails on 4. Pears: whoever comes
        // second fails (2 then 4 leaves 3; 4 then 2 leaves 1).
        (
            "stock_updates.py",
            Verdict::Holds,
            set(vec![outcome(&["{'apples': 4, 'pears': 1}"], None), outcome(&["{'apples': 4, 'pears': 3}"], None)]),
        ),
        // Each worker prints "starting" before "done"; the two pairs interleave in any of the
        // C(4, 2) = 6 ways (worker 1 may even finish before worker 0 first runs).
        (
            "sleepy_workers.py",
            Verdict::Holds,
            set(["0s 0d 1s 1d", "0s 1s 0d 1d", "0s 1s 1d 0d", "1s 0s 0d 1d", "1s 0s 1d 0d", "1s 1d 0s 0d"]
                .iter()
                .map(|order| {
                    let mut lines: Vec<String> = order
                        .split(' ')
                        .map(|w| {
                            let (n, what) = w.split_at(1);
                            format!("Worker {n} {}", if what == "s" { "starting" } else { "done" })
                        })
                        .collect();
                    lines.push("All workers finished".into());
                    lines.join("\n")
                })
                .collect()),
        ),
        // Deposit then interest: 150 * 1.05 = 157.5; interest then deposit: 105 + 50 = 155.
        (
            "interest_account.py",
            Verdict::Holds,
            set(vec![outcome(&["balance: $155.00"], None), outcome(&["balance: $157.50"], None)]),
        ),
        // Under the lock every page lands; only the dict's insertion order varies, unseen here.
        (
            "page_fetcher.py",
            Verdict::Holds,
            set(vec![outcome(&["downloaded 3 pages, 450 bytes", "[(0, 50), (1, 150), (2, 250)]"], None)]),
        ),
        // Both read 0.0 before either writes: the last writer's reading alone survives.
        (
            "sensor_sum.py",
            Verdict::Violated,
            set(vec![
                outcome(&["sum of readings: 40.5"], None),
                outcome(&["sum of readings: 21.5"], Some("assertion: AssertionError: a reading was lost")),
                outcome(&["sum of readings: 19.0"], Some("assertion: AssertionError: a reading was lost")),
            ]),
        ),
        // A closure over main()'s counter, bumped under main()'s lock by two threads.
        ("closure_counter.py", Verdict::Holds, set(vec![outcome(&["counter = 4"], None)])),
        // add_interest reads the balance twice and writes it without the lock that deposit
        // takes: the deposit of 50 may come before both reads (165), between them (160), between
        // the second read and the write (lost: 110), or read before and land after it (150).
        (
            "savings_account.py",
            Verdict::Holds,
            set(["bob: 110", "bob: 150", "bob: 160", "bob: 165"].iter().map(|l| outcome(&[l], None)).collect()),
        ),
        ("callback_workers.py", Verdict::Holds, set(vec![outcome(&["[('large', 30), ('small', 5)]"], None)])),
        ("nested_pipeline.py", Verdict::Holds, set(vec![outcome(&["results: [0, 2, 4]"], None)])),
        // The four lines land in any order; their count and sorted first line do not change.
        ("prefixed_logger.py", Verdict::Holds, set(vec![outcome(&["4 True [app] a finished"], None)])),
        ("task_hierarchy.py", Verdict::Holds, set(vec![outcome(&["square: 49", "sum: 6", "noop: 0"], None)])),
        // Check-then-increment through the closure's cell: both clients may pass the check.
        (
            "rate_limiter.py",
            Verdict::Violated,
            set(vec![
                outcome(&["granted: ['a']"], None),
                outcome(&["granted: ['b']"], None),
                outcome(&["granted: ['a', 'b']"], Some("assertion: AssertionError: the limit was exceeded")),
            ]),
        ),
        ("download_threads.py", Verdict::Holds, set(vec![outcome(&["downloaded 2 pages, 200 bytes"], None)])),
        // run() bumps without a lock: 2, 3 or 4 of the four bumps land.
        (
            "counter_thread.py",
            Verdict::Violated,
            set(vec![
                outcome(&["counter: 2"], Some("assertion: AssertionError: expected 4, got 2")),
                outcome(&["counter: 3"], Some("assertion: AssertionError: expected 4, got 3")),
                outcome(&["counter: 4"], None),
            ]),
        ),
        // stop() may come before the first check or after any of the three ticks.
        (
            "stoppable_thread.py",
            Verdict::Holds,
            set((0..4).map(|n| outcome(&[&format!("ticker ticked {n} times, alive: False")], None)).collect()),
        ),
        (
            "chunked_sum.py",
            Verdict::Holds,
            set(vec![outcome(&["partial sums: [10, 26, 42]", "total: 78 last chunk: [11, 12]"], None)]),
        ),
        // Each thread sees only its own context; main never set one.
        (
            "request_context.py",
            Verdict::Holds,
            set(vec![outcome(&["['alice saw 2 pages', 'bob saw 1 pages']", "main thread user: anonymous"], None)]),
        ),
        // Each print adds its dot to the open line; the empty print() ends it.
        ("progress_dots.py", Verdict::Holds, set(vec![outcome(&["....", "all parts downloaded"], None)])),
        // t1 first: 70/80, then t2's 70 fits (140/10); t2 first: 70 > 50 fails, then t1 (70/80).
        (
            "ordered_transfer.py",
            Verdict::Holds,
            set(vec![outcome(&["140 10 150"], None), outcome(&["70 80 150"], None)]),
        ),
        ("memo_cache.py", Verdict::Holds, set(vec![outcome(&["[16, 16] misses: 1"], None)])),
        ("queue_worker_class.py", Verdict::Holds, set(vec![outcome(&["[10, 20, 30]"], None)])),
        // quick_take checks and takes without the lock: both buyers may pass the check (stock
        // -1), or both read 1 and write 0 (the lost update sells two with stock 0).
        (
            "shelf_stock.py",
            Verdict::Violated,
            set(vec![
                outcome(&["stock: -1 sold: ['x', 'y']"], Some("assertion: AssertionError: oversold")),
                outcome(&["stock: 0 sold: ['x', 'y']"], None),
                outcome(&["stock: 0 sold: ['x']"], None),
                outcome(&["stock: 0 sold: ['y']"], None),
            ]),
        ),
        ("local_log_buffer.py", Verdict::Holds, set(vec![outcome(&["w1 ['w1 done']", "w2 ['w2 done']"], None)])),
        (
            "matrix_rows.py",
            Verdict::Holds,
            set(vec![outcome(&["result: [12, 34]", "first half: [12] second half: [34]"], None)]),
        ),
        ("countdown_latch.py", Verdict::Holds, set(vec![outcome(&["services ready: ['cache', 'db']"], None)])),
        ("greeter_threads.py", Verdict::Holds, set(vec![outcome(&["Hello, Ada! | Hello, Linus.", "count: 2"], None)])),
        // A worker's get times out only once the queue is empty, after every job was taken, so
        // both always go home and every square is there; only who leaves first varies.
        (
            "idle_workers.py",
            Verdict::Holds,
            set(vec![
                outcome(&["w0: no more work", "w1: no more work", "squares: [0, 1, 4]"], None),
                outcome(&["w1: no more work", "w0: no more work", "squares: [0, 1, 4]"], None),
            ]),
        ),
        // Each transfer may give up while the other holds its second lock (a timeout may expire
        // at any time), never deadlocks, and money is never lost.
        (
            "polite_transfer.py",
            Verdict::Holds,
            set([
                "200 ['a->b gave up', 'b->a gave up']",
                "200 ['a->b gave up', 'b->a moved 10']",
                "200 ['a->b moved 30', 'b->a gave up']",
                "200 ['a->b moved 30', 'b->a moved 10']",
            ]
            .iter()
            .map(|l| outcome(&[l], None))
            .collect()),
        ),
        // The monitor may poll once or more before the stop, or not at all. While it polls and
        // main never runs, the state repeats; CPython's GIL lets main in, so that is no run.
        (
            "service_monitor.py",
            Verdict::Holds,
            set(vec![
                outcome(&["monitor stopped, db was unknown", "main done"], None),
                outcome(&["monitor stopped, db was up", "main done"], None),
            ]),
        ),
        // The workers poll until the loader has set the config; either may print first.
        (
            "startup_gate.py",
            Verdict::Holds,
            set(vec![
                outcome(&["w0 starts with debug=False", "w1 starts with debug=False"], None),
                outcome(&["w1 starts with debug=False", "w0 starts with debug=False"], None),
            ]),
        ),
        // The random delays only reorder the two finishing lines; the results are the same.
        (
            "random_delays.py",
            Verdict::Holds,
            set(vec![
                outcome(&["task 1 finished", "task 2 finished", "results: [(1, 1), (2, 4)]"], None),
                outcome(&["task 2 finished", "task 1 finished", "results: [(1, 1), (2, 4)]"], None),
            ]),
        ),
        // The auditor's generator reads each order's flag in turn: it may see none, one or
        // both of them paid. The report at the end always sees both.
        (
            "order_audit.py",
            Verdict::Holds,
            set((0..3)
                .map(|k| {
                    let audit = format!("unpaid at audit: {k}");
                    outcome(&[audit.as_str(), "paid: 1, 2", "total: 22 largest: 12"], None)
                })
                .collect()),
        ),
        // Both handlers may find "ann" missing from the set before either adds her.
        (
            "unique_visitors.py",
            Verdict::Violated,
            set(vec![
                outcome(&["visitors: ['ann', 'bob']", "pages: {'ann': ['/cart', '/home'], 'bob': ['/cart']}"], None),
                outcome(
                    &["visitors: ['ann', 'bob']", "pages: {'ann': ['/cart', '/home'], 'bob': ['/cart']}"],
                    Some("assertion: AssertionError: counted 3 new visitors for 2 users"),
                ),
            ]),
        ),
        // Every increment is under the lock: alice wins with 3 of 6 ballots.
        (
            "vote_tally.py",
            Verdict::Holds,
            set(vec![outcome(&["winner: alice with 3 votes", "total ballots: 6"], None)]),
        ),
        // alice -> bob 30 first (then bob -> alice 70 finds 80), or bob -> alice 70 first (which
        // fails on 50, then alice -> bob 30).
        (
            "account_repr.py",
            Verdict::Holds,
            set(vec![
                outcome(&["[Account('alice', 140), Account('bob', 10)]"], None),
                outcome(&["[Account('alice', 70), Account('bob', 80)]"], None),
            ]),
        ),
        (
            "leaderboard.py",
            Verdict::Holds,
            set(vec![outcome(&["1. cy (us) 150", "2. ann (eu) 120", "3. di (us) 95"], None)]),
        ),
        ("batch_ready.py", Verdict::Holds, set(vec![outcome(&["packing ['book', 'lamp']"], None)])),
        // Both schedulers read 20 before either writes: 22.
        (
            "thermostat.py",
            Verdict::Violated,
            set(vec![
                outcome(&["target: 24"], None),
                outcome(&["target: 22"], Some("assertion: AssertionError: a raise was lost: target is 22")),
            ]),
        ),
        ("report_jobs.py", Verdict::Holds, set(vec![outcome(&["sales.pdf: q1, q2 (3p)", "staff.txt:  (2p)"], None)])),
        // The check and the pop are under one lock: each job once, whichever printer takes it.
        ("print_spooler.py", Verdict::Holds, set(vec![outcome(&["printed: ['invoice', 'memo', 'report']"], None)])),
        // executor.map hands the results back in the order of the inputs, whichever worker
        // finishes first.
        ("thread_pool_squares.py", Verdict::Holds, set(vec![outcome(&["Results: [4, 9]"], None)])),
        ("word_lengths.py", Verdict::Holds, set(vec![outcome(&["length: 5", "length: 4"], None)])),
        // The two fetches print in either order; result() waits for each, so the total is whole.
        (
            "fetch_futures.py",
            Verdict::Holds,
            set(vec![
                outcome(&["fetched a.com", "fetched b.org", "total bytes: 200"], None),
                outcome(&["fetched b.org", "fetched a.com", "total bytes: 200"], None),
            ]),
        ),
        // `as_completed` hands the two pages out in either order: either may finish first, and
        // two already finished come out in the order of a set of them.
        (
            "pages_as_completed.py",
            Verdict::Holds,
            set(vec![outcome(&["home 4", "about 5"], None), outcome(&["about 5", "home 4"], None)]),
        ),
        // The timer's callback reads "running", the job writes "done", then the callback writes
        // "timed out"; a timer that fires wholly before or after the job's write changes nothing.
        (
            "watchdog_timer.py",
            Verdict::Violated,
            set(vec![
                outcome(&["done 10"], None),
                outcome(
                    &["timed out 10"],
                    Some("assertion: AssertionError: the job finished, but its status is 'timed out'"),
                ),
            ]),
        ),
        // Two pool workers run `hits += 1` at once: one update can be lost.
        (
            "pool_hit_counter.py",
            Verdict::Violated,
            set(vec![
                outcome(&["hits: 2"], None),
                outcome(&["hits: 1"], Some("assertion: AssertionError: lost an update: hits is 1")),
            ]),
        ),
        // Each user's first try fails once (in either thread order); the wrapper keeps the
        // wrapped function's name and docstring (functools.wraps).
        (
            "retry_decorator.py",
            Verdict::Holds,
            set(vec![
                outcome(
                    &[
                        "fetch_profile attempt 1 failed: timeout for ann",
                        "fetch_profile attempt 1 failed: timeout for bob",
                        "['profile:ann', 'profile:bob'] fetch_profile Look a user up",
                    ],
                    None,
                ),
                outcome(
                    &[
                        "fetch_profile attempt 1 failed: timeout for bob",
                        "fetch_profile attempt 1 failed: timeout for ann",
                        "['profile:ann', 'profile:bob'] fetch_profile Look a user up",
                    ],
                    None,
                ),
            ]),
        ),
        // Every total is computed apart and appended under the lock; the ranking sorts them.
        ("partial_scores.py", Verdict::Holds, set(vec![outcome(&["ann ['ann', 'bob', 'cy']", "30"], None)])),
        // copy.copy shares the hosts list: both appends reach DEFAULTS, in either order.
        (
            "shared_defaults.py",
            Verdict::Violated,
            set(vec![
                outcome(
                    &["5 ['cache', 'cdn', 'db'] 6"],
                    Some("assertion: AssertionError: defaults changed: ['db', 'cache', 'cdn']"),
                ),
                outcome(
                    &["5 ['cache', 'cdn', 'db'] 6"],
                    Some("assertion: AssertionError: defaults changed: ['db', 'cdn', 'cache']"),
                ),
            ]),
        ),
        // The reader may refresh "home" before the writer's put evicts the least recently used
        // key (then "about" goes), or read after "home" was evicted (then it finds nothing).
        (
            "lru_cache.py",
            Verdict::Holds,
            set(vec![
                outcome(&["['home', 'news'] ['<h1>home</h1>']"], None),
                outcome(&["['about', 'news'] [None]"], None),
            ]),
        ),
        // Two callable jobs (`__call__`) call a function wrapped in a counting class:
        // `self.calls += 1` in its `__call__` can lose an update (the bytecode model; CPython
        // 3.11 has no switch point inside it). The jobs print in either order.
        (
            "call_tracker.py",
            Verdict::Violated,
            set(vec![
                outcome(&["job 2 4", "job 3 9", "1 Thread-1"], Some("assertion: AssertionError: lost a count: 1")),
                outcome(&["job 3 9", "job 2 4", "1 Thread-1"], Some("assertion: AssertionError: lost a count: 1")),
                outcome(&["job 2 4", "job 3 9", "2 Thread-1"], None),
                outcome(&["job 3 9", "job 2 4", "2 Thread-1"], None),
            ]),
        ),
        // The decorator's `call_counts[name] = ... + 1` is a read-modify-write of a shared dict:
        // two threads of two calls each end with 2, 3 or 4.
        (
            "counted_calls.py",
            Verdict::Violated,
            set(vec![
                outcome(&["{'square': 2}"], Some("assertion: AssertionError: lost updates: {'square': 2}")),
                outcome(&["{'square': 3}"], Some("assertion: AssertionError: lost updates: {'square': 3}")),
                outcome(&["{'square': 4}"], None),
            ]),
        ),
        // Each roll is a choice among 1, 2 and 3 (unseeded: every value is explored); who
        // wins depends on the rolls only, a tie on neither order.
        (
            "dice_game.py",
            Verdict::Holds,
            set([
                "tie at 1",
                "tie at 2",
                "tie at 3",
                "ann wins with 2",
                "ann wins with 3",
                "bob wins with 2",
                "bob wins with 3",
            ]
            .iter()
            .map(|l| outcome(&[l], None))
            .collect()),
        ),
        // Two waiters choose among two dishes; `orders[dish] += 1` loses an order only when
        // both choose the same dish.
        (
            "shuffled_orders.py",
            Verdict::Violated,
            set({
                let mut v = Vec::new();
                for a in ["soup", "salad"] {
                    for b in ["soup", "salad"] {
                        let log = format!("['table 0: {a}', 'table 1: {b}']");
                        v.push(outcome(&[&log, "2 orders"], None));
                        if a == b {
                            let end = format!("assertion: AssertionError: lost an order: {{'{a}': 1}}");
                            v.push(outcome(&[&log, "1 orders"], Some(&end)));
                        }
                    }
                }
                v
            }),
        ),
        // `visits += 1` may lose one, and both may see "home" missing before either appends it;
        // `vars(profile)` lists the fields in the order `__init__` set them.
        (
            "profile_fields.py",
            Verdict::Holds,
            set({
                let mut v = Vec::new();
                for visits in ["1", "2"] {
                    for tags in ["['home']", "['home', 'home']"] {
                        v.push(outcome(&["name: ann", &format!("visits: {visits}"), &format!("tags: {tags}")], None));
                    }
                }
                v
            }),
        ),
        // How long each task takes is not modelled: either may be late, whatever the other did.
        (
            "deadline_report.py",
            Verdict::Holds,
            set({
                let mut v = Vec::new();
                for a in ["late", "on time"] {
                    for b in ["late", "on time"] {
                        v.push(outcome(&[&format!("['a: {a} (3)', 'b: {b} (6)']")], None));
                    }
                }
                v
            }),
        ),
        // The exit does not wait for the daemon workers blocked in `get()`: it ends them.
        ("daemon_workers.py", Verdict::Holds, set(vec![outcome(&["[1, 4, 9]"], None)])),
    ]
}

#[test]
fn realistic_programs_have_their_exact_verdicts_and_outcomes() {
    let listed: BTreeSet<String> = expected().iter().map(|(f, ..)| f.to_string()).collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir("models/realistic")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".py"))
        .collect();
    assert_eq!(listed, on_disk, "every program in models/realistic has its expectation here");
    for (file, verdict, want) in expected() {
        let path = Path::new("models/realistic").join(file);
        let m = Model::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let r = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
        assert!(r.exhaustive, "{file}: {:?}", r.limit);
        assert_eq!(r.verdict, verdict, "{file}");
        let got: BTreeSet<String> = r
            .outcomes()
            .map(|o| {
                let lines: Vec<&str> = o.output.iter().map(String::as_str).collect();
                outcome(&lines, o.violation.as_deref())
            })
            .collect();
        assert_eq!(got, want, "{file}");
    }
}

/// Runs `python3.11 path` once; its stdout lines, and whether it ended in time and without an
/// error (`None` when it did not end within `limit`: a deadlock).
fn real_run(path: &Path, limit: Duration) -> Option<(Vec<String>, String)> {
    let mut child = Command::new("python3.11")
        .arg(path)
        .env("PYTHONUNBUFFERED", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let start = Instant::now();
    loop {
        if child.try_wait().ok()?.is_some() {
            let out = child.wait_with_output().ok()?;
            let stdout = String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
            return Some((stdout, String::from_utf8_lossy(&out.stderr).into_owned()));
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn real_python311_runs_of_realistic_programs_lie_in_their_outcome_sets() {
    if Command::new("python3.11").arg("-c").arg("pass").output().is_err() {
        eprintln!("python3.11 not on PATH: real runs skipped");
        return;
    }
    for (file, _, want) in expected() {
        let path = Path::new("models/realistic").join(file);
        for _ in 0..3 {
            match real_run(&path, Duration::from_secs(10)) {
                Some((stdout, stderr)) => {
                    // The violation a real run shows is the last line of its traceback.
                    let lines: Vec<&str> = stdout.iter().map(String::as_str).collect();
                    let matches = want.iter().any(|o| {
                        let (printed, end) =
                            match o.split_once("\n! ").or_else(|| o.strip_prefix("! ").map(|e| ("", e))) {
                                Some((p, e)) => (p.to_string(), Some(e)),
                                None => (o.clone(), None),
                            };
                        let printed_ok = printed == lines.join("\n");
                        let end_ok = match end {
                            Some(e) => e
                                .split_once(": ")
                                .is_some_and(|(_, msg)| stderr.lines().last().is_some_and(|l| l == msg)),
                            None => stderr.trim().is_empty(),
                        };
                        printed_ok && end_ok
                    });
                    assert!(matches, "{file}: python3.11 printed {stdout:?}, stderr {stderr:?}: not in {want:?}");
                }
                None => assert!(want.iter().any(|o| o.contains("! deadlock")), "{file} hung in python3.11"),
            }
        }
    }
}
