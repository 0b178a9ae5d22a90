//! Synchronisation objects beyond `threading.Lock` (RLock, Semaphore, BoundedSemaphore, Event,
//! Condition, Barrier, queue.Queue and its LifoQueue and PriorityQueue) and
//! `try`/`except`/`finally`: exact outcome sets and output orders under the plain stateful
//! search, deadlocks that name what each thread waits for, and the reduced search stepping aside
//! for them.

use gilcheck::Model;
use gilcheck::{Execution, Status};
use gilcheck::{FindingKind, Reduction, Report, Strategy, Verdict};
use std::collections::BTreeSet;

fn file(path: &str) -> Model {
    Model::from_file(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn source(text: &str) -> Model {
    Model::from_source("t.py", text).unwrap_or_else(|e| panic!("{e}"))
}

/// Every outcome, by the plain stateful search.
fn explore(m: &Model) -> Report {
    let r = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    assert!(r.exhaustive, "the search was cut: {:?}", r.limit);
    r
}

fn outputs(r: &Report) -> BTreeSet<Vec<String>> {
    r.outcomes().filter(|o| o.violation.is_none()).map(|o| o.output.clone()).collect()
}

fn violations(r: &Report) -> BTreeSet<String> {
    r.outcomes().filter_map(|o| o.violation.clone()).collect()
}

fn lines(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn event_hand_off_forces_the_order() {
    let r = explore(&file("models/sync/event_handoff.py"));
    r.assert_holds();
    assert_eq!(outputs(&r), BTreeSet::from([lines(&["seen 42"])]));
    // Without the wait, the consumer can read before the producer writes.
    let text = std::fs::read_to_string("models/sync/event_handoff.py").unwrap().replace("    ready.wait()\n", "");
    let r = explore(&source(&text));
    assert_eq!(r.int_values("seen"), BTreeSet::from([0, 42]));
}

#[test]
fn event_wait_returns_true_after_a_set_even_if_cleared_before_it_wakes() {
    let m = source(
        "import threading\ne = threading.Event()\nr = None\n\n\ndef w():\n    global r\n    r = e.wait()\n\n\n\
         t = threading.Thread(target=w)\nt.start()\ne.set()\ne.clear()\nt.join()\nprint(r, e.is_set())\n",
    );
    let py = m.explorable();
    let mut e = Execution::start(py);
    // main starts T1; T1 runs until it waits; main sets, clears and blocks in join.
    while e.state().threads.len() < 2 || !e.state().threads[1].is_alive() {
        e.step(0).unwrap();
    }
    while e.may_run(1) {
        e.step(1).unwrap();
    }
    assert_eq!(py.why_cannot_move(e.state(), 1).as_deref(), Some("is blocked: waits on Event e"));
    while e.may_run(0) {
        e.step(0).unwrap();
    }
    assert_eq!(py.why_cannot_move(e.state(), 0).as_deref(), Some("is blocked joining T1"));
    // The set woke T1: the clear does not put it back to sleep.
    assert!(e.may_run(1));
    while e.status() == Status::Running {
        let t = if e.may_run(1) { 1 } else { 0 };
        e.step(t).unwrap();
    }
    assert!(matches!(e.status(), Status::Finished(_)), "{:?}", e.status());
    assert_eq!(e.state().output.iter().map(|l| l.to_string()).collect::<Vec<_>>(), lines(&["True False"]));
    // Over all interleavings: it prints that, or T1 waits for ever when the set and the clear
    // both come before its wait.
    let r = explore(&m);
    assert_eq!(outputs(&r), BTreeSet::from([lines(&["True False"])]));
    assert_eq!(
        violations(&r),
        BTreeSet::from(["deadlock: main waits to join T1 at line 15; T1 waits on Event e at line 8".to_string()])
    );
}

#[test]
fn event_never_set_deadlocks_and_names_the_event() {
    let m = source(
        "import threading\ndone = threading.Event()\n\n\ndef w():\n    done.wait()\n\n\n\
         t = threading.Thread(target=w)\nt.start()\nt.join()\n",
    );
    let r = explore(&m);
    let c = r.assert_violated(FindingKind::Deadlock);
    assert_eq!(c.finding.message, "main waits to join T1 at line 11; T1 waits on Event done at line 6");
}

#[test]
fn semaphore_of_two_never_lets_three_in() {
    let r = explore(&file("models/sync/semaphore_pool.py"));
    r.assert_holds();
    assert_eq!(r.int_values("peak"), BTreeSet::from([1, 2]));
    // With three permits the third thread gets in too, and the assertion fails.
    let text = std::fs::read_to_string("models/sync/semaphore_pool.py")
        .unwrap()
        .replace("threading.Semaphore(2)", "threading.Semaphore(3)");
    let r = source(&text).checker().check();
    let c = r.assert_violated(FindingKind::Assertion);
    assert_eq!(c.finding.message, "AssertionError: 3");
}

#[test]
fn semaphore_non_blocking_acquire_returns_false_at_zero() {
    let m = source(
        "import threading\ns = threading.Semaphore(1)\na = s.acquire()\nb = s.acquire(False)\n\
         c = s.acquire(blocking=False)\ns.release()\nd = s.acquire(False)\n",
    );
    let r = explore(&m);
    let o: Vec<_> = r.outcomes().collect();
    assert_eq!(o.len(), 1);
    for (name, want) in [("a", "True"), ("b", "False"), ("c", "False"), ("d", "True")] {
        assert_eq!(o[0].global(name), Some(want), "{name}");
    }
}

#[test]
fn semaphore_release_n_wakes_every_waiter() {
    let m = source(
        "import threading\ns = threading.Semaphore(0)\nn = 0\nlock = threading.Lock()\n\n\n\
         def w():\n    global n\n    s.acquire()\n    with lock:\n        n += 1\n\n\n\
         a = threading.Thread(target=w)\nb = threading.Thread(target=w)\na.start()\nb.start()\n\
         s.release(2)\na.join()\nb.join()\n",
    );
    let r = explore(&m);
    r.assert_holds();
    assert_eq!(r.int_values("n"), BTreeSet::from([2]));
    // One permit for two waiters: one of them waits for ever.
    let m = source(
        "import threading\ns = threading.Semaphore(0)\n\n\ndef w():\n    s.acquire()\n\n\n\
         a = threading.Thread(target=w)\nb = threading.Thread(target=w)\na.start()\nb.start()\n\
         s.release()\na.join()\nb.join()\n",
    );
    let r = explore(&m);
    let v = violations(&r);
    assert!(v.iter().all(|m| m.contains("waits on Semaphore s (value 0) at line 6")), "{v:?}");
    assert!(v.iter().any(|m| m.contains("T1 waits on Semaphore s")), "{v:?}");
    assert!(v.iter().any(|m| m.contains("T2 waits on Semaphore s")), "{v:?}");
}

#[test]
fn bounded_semaphore_rejects_a_release_above_its_initial_value() {
    let text = "import threading\ns = threading.BoundedSemaphore(1)\ns.acquire()\ns.release()\ns.release()\n";
    let r = source(text).checker().check();
    let c = r.assert_violated(FindingKind::Exception);
    assert_eq!(c.finding.message, "ValueError: Semaphore released too many times");
    assert_eq!(c.finding.line, 5);
    // A plain semaphore just counts up.
    let r = explore(&source(&text.replace("BoundedSemaphore", "Semaphore")));
    r.assert_holds();
}

#[test]
fn rlock_reentry_holds_and_a_plain_lock_deadlocks() {
    let r = explore(&file("models/sync/rlock_reentry.py"));
    r.assert_holds();
    assert_eq!(r.int_values("count"), BTreeSet::from([4]));
    let text = std::fs::read_to_string("models/sync/rlock_reentry.py").unwrap().replace("RLock()", "Lock()");
    let r = explore(&source(&text));
    let c = r.assert_violated(FindingKind::Deadlock);
    assert!(c.finding.message.contains("waits for lock (held by T"), "{}", c.finding.message);
}

#[test]
fn rlock_release_by_another_thread_raises() {
    let m = source(
        "import threading\nr = threading.RLock()\n\n\ndef w():\n    r.release()\n\n\n\
         r.acquire()\nt = threading.Thread(target=w)\nt.start()\nt.join()\nr.release()\nprint('ok')\n",
    );
    let r = explore(&m);
    let c = r.assert_violated(FindingKind::Exception);
    assert_eq!(c.finding.message, "RuntimeError: cannot release un-acquired lock");
    assert_eq!((c.finding.thread, c.finding.line), (1, 6));
}

#[test]
fn rlock_contention_deadlock_names_the_owner() {
    let m = source(
        "import threading\nr = threading.RLock()\n\n\ndef w():\n    with r:\n        pass\n\n\n\
         r.acquire()\nt = threading.Thread(target=w)\nt.start()\nt.join()\n",
    );
    let r = explore(&m);
    let c = r.assert_violated(FindingKind::Deadlock);
    assert_eq!(c.finding.message, "T1 waits for RLock r (held by main) at line 6; main waits to join T1 at line 13");
}

#[test]
fn condition_producer_consumer_always_delivers() {
    let r = explore(&file("models/sync/condition_producer_consumer.py"));
    r.assert_holds();
    assert_eq!(outputs(&r), BTreeSet::from([lines(&["taken 2"])]));
}

#[test]
fn condition_wait_without_a_predicate_loses_the_wakeup() {
    let r = explore(&file("models/sync/condition_lost_wakeup.py"));
    assert_eq!(outputs(&r), BTreeSet::from([lines(&["done"])]));
    assert_eq!(
        violations(&r),
        BTreeSet::from([
            "deadlock: main waits to join T1 at line 23; T1 waits for Condition cond's notify at line 9".to_string()
        ])
    );
}

#[test]
fn condition_methods_need_the_lock() {
    for (call, message) in
        [("c.notify()", "cannot notify on un-acquired lock"), ("c.wait()", "cannot wait on un-acquired lock")]
    {
        let r = explore(&source(&format!("import threading\nc = threading.Condition()\n{call}\n")));
        let c = r.assert_violated(FindingKind::Exception);
        assert_eq!(c.finding.message, format!("RuntimeError: {message}"));
    }
    // Over a plain Lock, CPython only asks that the lock be held (by anyone).
    let r = explore(&source(
        "import threading\nl = threading.Lock()\nc = threading.Condition(l)\nl.acquire()\nc.notify_all()\nprint('ok')\n",
    ));
    r.assert_holds();
}

#[test]
fn condition_wait_must_reacquire_its_lock_after_the_notify() {
    // main notifies while holding the lock and then joins T1 without letting go: T1 was woken
    // but cannot take the lock back.
    let m = source(
        "import threading\nl = threading.Lock()\nc = threading.Condition(l)\nready = threading.Event()\n\n\n\
         def w():\n    with c:\n        ready.set()\n        c.wait()\n\n\n\
         t = threading.Thread(target=w)\nt.start()\nready.wait()\nwith c:\n    c.notify()\n    t.join()\n",
    );
    let r = explore(&m);
    assert_eq!(outputs(&r), BTreeSet::new());
    assert_eq!(
        violations(&r),
        BTreeSet::from([
            "deadlock: T1 waits for Condition c's lock (held by main) at line 10; main waits to join T1 at line 18"
                .to_string()
        ])
    );
    // Joining after the with statement lets T1 finish.
    let r = explore(&source(&m.source().text().replace("    t.join()\n", "t.join()\nprint('joined')\n")));
    r.assert_holds();
    assert_eq!(outputs(&r), BTreeSet::from([lines(&["joined"])]));
}

#[test]
fn condition_notify_wakes_one_waiter_and_notify_all_every_one() {
    let program = |notify: &str| {
        format!(
            "import threading\nc = threading.Condition()\nall_in = threading.Event()\nready = 0\nwoken = 0\n\n\n\
             def w():\n    global ready, woken\n    with c:\n        ready += 1\n        if ready == 2:\n\
             \x20           all_in.set()\n        c.wait()\n        woken += 1\n\n\n\
             a = threading.Thread(target=w)\nb = threading.Thread(target=w)\na.start()\nb.start()\n\
             all_in.wait()\nwith c:\n    {notify}\n"
        )
    };
    let r = explore(&source(&program("c.notify_all()")));
    r.assert_holds();
    assert_eq!(r.int_values("woken"), BTreeSet::from([2]));
    let r = explore(&source(&program("c.notify()")));
    assert_eq!(r.verdict, Verdict::Violated);
    assert_eq!(outputs(&r), BTreeSet::new());
    let v = violations(&r);
    assert_eq!(
        v,
        BTreeSet::from([
            "deadlock: T1 waits for Condition c's notify at line 14".to_string(),
            "deadlock: T2 waits for Condition c's notify at line 14".to_string(),
        ])
    );
    assert!(r.outcomes().all(|o| o.global("woken") == Some("1")));
}

#[test]
fn barrier_lets_no_thread_pass_before_all_arrive() {
    let r = explore(&file("models/sync/barrier_phases.py"));
    r.assert_holds();
    // The arrival indices are 0 and 1, in both rounds.
    assert_eq!(r.int_values("indices"), BTreeSet::from([1]));
    let m = source(
        "import threading\nb = threading.Barrier(3)\nlock = threading.Lock()\nseen = ()\n\n\n\
         def w():\n    global seen\n    i = b.wait()\n    with lock:\n        seen = seen + (i,)\n\n\n\
         t1 = threading.Thread(target=w)\nt2 = threading.Thread(target=w)\nt1.start()\nt2.start()\n\
         i = b.wait()\nwith lock:\n    seen = seen + (i,)\nt1.join()\nt2.join()\n",
    );
    let r = explore(&m);
    r.assert_holds();
    let seen: BTreeSet<String> = r.outcomes().map(|o| o.global("seen").unwrap().to_string()).collect();
    assert_eq!(seen.len(), 6, "{seen:?}");
    assert!(seen.iter().all(|s| s.contains('0') && s.contains('1') && s.contains('2')), "{seen:?}");
}

#[test]
fn barrier_short_of_parties_deadlocks_and_says_how_many_arrived() {
    let m = source("import threading\nb = threading.Barrier(2)\nb.wait()\n");
    let r = explore(&m);
    let c = r.assert_violated(FindingKind::Deadlock);
    assert_eq!(c.finding.message, "main waits at Barrier b (1 of 2 parties arrived) at line 3");
}

#[test]
fn queue_pipeline_delivers_in_order() {
    let r = explore(&file("models/sync/queue_pipeline.py"));
    r.assert_holds();
    assert_eq!(outputs(&r), BTreeSet::from([lines(&["(0, 10, 20) 0"])]));
}

#[test]
fn queue_blocking_is_reported_as_such() {
    let r = explore(&source("import queue\nq = queue.Queue()\nq.get()\n"));
    let c = r.assert_violated(FindingKind::Deadlock);
    assert_eq!(c.finding.message, "main waits in queue q.get() (empty) at line 3");
    let r = explore(&source("import queue\nq = queue.Queue(1)\nq.put(1)\nprint(q.full(), q.qsize())\nq.put(2)\n"));
    let c = r.assert_violated(FindingKind::Deadlock);
    assert_eq!(c.finding.message, "main waits in queue q.put() (full: maxsize 1) at line 5");
    let r = explore(&source("import queue\nq = queue.Queue()\nq.put(1)\nq.get()\nq.join()\n"));
    let c = r.assert_violated(FindingKind::Deadlock);
    assert_eq!(c.finding.message, "main waits in queue q.join() (1 unfinished task) at line 5");
}

#[test]
fn queue_join_waits_for_task_done() {
    let m = source(
        "import queue\nimport threading\nq = queue.Queue()\n\n\n\
         def w():\n    item = q.get()\n    print('got', item)\n    q.task_done()\n\n\n\
         t = threading.Thread(target=w)\nt.start()\nq.put(7)\nq.join()\nprint('joined', q.empty())\nt.join()\n",
    );
    let r = explore(&m);
    r.assert_holds();
    assert_eq!(outputs(&r), BTreeSet::from([lines(&["got 7", "joined True"])]));
    let r = explore(&source("import queue\nq = queue.Queue()\nq.task_done()\n"));
    let c = r.assert_violated(FindingKind::Exception);
    assert_eq!(c.finding.message, "ValueError: task_done() called too many times");
}

#[test]
fn try_finally_releases_the_lock_when_the_body_raises() {
    let r = explore(&file("models/sync/try_finally_release.py"));
    r.assert_holds();
    assert_eq!(
        outputs(&r),
        BTreeSet::from([
            lines(&["caught integer division or modulo by zero", "share 2", "locked False"]),
            lines(&["share 2", "caught integer division or modulo by zero", "locked False"]),
        ])
    );
    // Without the finally, the failing thread keeps the lock.
    let text = std::fs::read_to_string("models/sync/try_finally_release.py").unwrap().replace(
        "    try:\n        entered += 1\n        share = 10 // n\n    finally:\n        lock.release()\n",
        "    entered += 1\n    share = 10 // n\n    lock.release()\n",
    );
    let r = explore(&source(&text));
    assert!(violations(&r).iter().any(|v| v.contains("waits for lock (held by T1)")), "{:?}", violations(&r));
}

#[test]
fn try_except_semantics_match_cpython() {
    // The output python3.11 prints for this program.
    let want = lines(&[
        "ok 3",
        "finally 7",
        "arith integer division or modulo by zero",
        "finally 1",
        "3 -1",
        "inner finally",
        "outer inner",
        "caught v",
        "name error",
        "loop 1",
        "loop 2",
        "loop 3",
        "loop 4",
        "4",
        "unbound name 'e' is not defined",
    ]);
    let r = explore(&file("tests/fixtures/try_except_semantics.py"));
    r.assert_holds();
    assert_eq!(outputs(&r), BTreeSet::from([want]));
}

#[test]
fn an_uncaught_exception_passes_through_handlers_that_do_not_match() {
    let m = source(
        "def f():\n    try:\n        x = 1 // 0\n    except ValueError:\n        return 1\n    finally:\n        print('cleanup')\n\n\nf()\n",
    );
    let r = explore(&m);
    let c = r.assert_violated(FindingKind::Exception);
    assert_eq!(c.finding.message, "ZeroDivisionError: integer division or modulo by zero");
    assert!(r.outcomes().all(|o| o.output == lines(&["cleanup"])));
}

#[test]
fn while_true_with_break_inside_with_terminates() {
    let r = explore(&file("models/sync/while_true_break.py"));
    r.assert_holds();
    assert_eq!(outputs(&r), BTreeSet::from([lines(&["counter 3"])]));
}

#[test]
fn the_reduced_search_steps_aside_for_the_new_constructs() {
    let queue = source("import queue\nq = queue.Queue()\nq.put(1)\nx = q.get()\n");
    let r = queue.checker().strategy(Strategy::Stateful).reduction(Reduction::Full).check();
    assert!(r.notes.iter().any(|n| n.contains("the queue module (line 1)")), "{:?}", r.notes);
    r.assert_holds();
    for (path, construct) in [
        ("models/sync/event_handoff.py", "threading.Event"),
        ("models/sync/rlock_reentry.py", "threading.RLock"),
        ("models/sync/barrier_phases.py", "threading.Barrier"),
        ("models/sync/try_finally_release.py", "try statement"),
    ] {
        let m = file(path);
        let plain = explore(&m);
        let reduced = m.checker().strategy(Strategy::Stateful).reduction(Reduction::Full).all_outcomes(true).check();
        assert!(reduced.reduction.is_none(), "{path}: {}", reduced.strategy);
        assert!(reduced.notes.iter().any(|n| n.contains(construct)), "{path}: {:?}", reduced.notes);
        let a: BTreeSet<_> = plain.outcomes().collect();
        let b: BTreeSet<_> = reduced.outcomes().collect();
        assert_eq!(a, b, "{path}");
        assert_eq!(plain.verdict, reduced.verdict, "{path}");
    }
}

/// `queue.LifoQueue` gives the last item put first; `queue.PriorityQueue` keeps its items as
/// `heapq` does, so items of equal priority come out in CPython's order, a bounded one blocks its
/// producer, and an item that cannot be compared raises CPython's `TypeError` from `put` while
/// staying in the queue (python3.11 prints exactly these lines).
#[test]
fn lifo_and_priority_queues_keep_cpythons_order() {
    let r = explore(&file("tests/fixtures/queue_kinds.py"));
    let tail = ["TypeError: '<' not supported between instances of 'str' and 'int'", "2 1 one", "empty"];
    let mut want = lines(&["lifo [2, 1, 0]", "priority ['high', 'urgent', 'mid', 'soon', 'low', 'later']"]);
    want.push("['job1', 'job2', 'job3'] True".into());
    want.extend(lines(&tail));
    assert_eq!(outputs(&r), [want].into_iter().collect());
    assert!(violations(&r).is_empty());
    // The consumer takes job2 before job1 is put, or job1 first: never job3 before both.
    let done: BTreeSet<String> = r.outcomes().map(|o| o.global("done").unwrap().to_string()).collect();
    let want: BTreeSet<String> =
        ["['job1', 'job2', 'job3']", "['job2', 'job1', 'job3']"].into_iter().map(String::from).collect();
    assert_eq!(done, want);
}

/// Comparing two tuples calls `==` on their items: an item holding an object whose class defines
/// `__eq__` would run that Python method inside the queue's C code, which is not modelled.
#[test]
fn a_priority_queue_item_with_its_own_eq_is_not_modelled() {
    let text = "import queue\nclass T:\n    def __eq__(self, o):\n        return True\nq = queue.PriorityQueue()\nq.put((1, T()))\n";
    let r = source(text).checker().check();
    let stop = r.checker_stop.expect("a stop of the checker");
    assert!(
        stop.message.contains("PriorityQueue item holding an object whose class defines __eq__"),
        "{}",
        stop.message
    );
    // Objects without one compare as CPython's do: by priority, and a tie is a TypeError.
    let plain = "import queue\nclass T:\n    pass\nq = queue.PriorityQueue()\nq.put((2, T()))\nq.put((1, T()))\nprint(q.get()[0])\ntry:\n    q.put((2, T()))\nexcept TypeError as e:\n    print(e)\n";
    let r = explore(&source(plain));
    let want = lines(&["1", "'<' not supported between instances of 'T' and 'T'"]);
    assert_eq!(outputs(&r), [want].into_iter().collect());
}

/// `queue.SimpleQueue`: a `get` on an empty queue waits (alone, it deadlocks); with a timeout it
/// takes the item or gives up; and whichever consumer runs may take each item.
#[test]
fn a_simple_queue_waits_times_out_and_serves_any_consumer() {
    let r = explore(&source("import queue\nq = queue.SimpleQueue()\nq.get()\n"));
    assert_eq!(r.verdict, Verdict::Violated);
    let dead: Vec<String> = violations(&r).into_iter().collect();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert!(dead[0].starts_with("deadlock: main waits in queue q.get() (empty) at line 3"), "{dead:?}");
    let timed = "import queue\nimport threading\nq = queue.SimpleQueue()\ngot = []\ndef consumer():\n    try:\n        got.append(q.get(timeout=1))\n    except queue.Empty:\n        got.append('timeout')\nc = threading.Thread(target=consumer)\nc.start()\nq.put(1)\nc.join()\n";
    let r = explore(&source(timed));
    let got: BTreeSet<String> = r.outcomes().map(|o| o.global("got").unwrap().to_string()).collect();
    assert_eq!(got, ["[1]", "['timeout']"].into_iter().map(String::from).collect());
    assert!(violations(&r).is_empty());
    let two = "import queue\nimport threading\nq = queue.SimpleQueue()\nr = []\ndef consumer(name):\n    r.append((name, q.get()))\nts = [threading.Thread(target=consumer, args=(n,)) for n in ('c1', 'c2')]\nfor t in ts:\n    t.start()\nq.put('a')\nq.put('b')\nfor t in ts:\n    t.join()\n";
    let r = explore(&source(two));
    let got: BTreeSet<String> = r.outcomes().map(|o| o.global("r").unwrap().to_string()).collect();
    let want = [
        "[('c1', 'a'), ('c2', 'b')]",
        "[('c2', 'b'), ('c1', 'a')]",
        "[('c2', 'a'), ('c1', 'b')]",
        "[('c1', 'b'), ('c2', 'a')]",
    ];
    assert_eq!(got, want.into_iter().map(String::from).collect());
}

/// `threading.active_count()` counts the main thread and each started thread until it has left
/// `threading`'s table on its way out, which CPython does (`_delete`) before the thread state
/// that `join` and `is_alive()` wait for is released: so a thread may already be uncounted while
/// `is_alive()` is still true, and after `join` it is never counted.
#[test]
fn active_count_counts_started_threads_until_they_leave() {
    let text = "import threading\nfrom threading import active_count\ndef w():\n    pass\nt = threading.Thread(target=w)\nbefore = threading.active_count()\nt.start()\nn = active_count()\na = t.is_alive()\nt.join()\nafter = (threading.active_count(), t.is_alive())\n";
    let r = explore(&source(text));
    let got: BTreeSet<(String, String, String, String)> = r
        .outcomes()
        .map(|o| {
            let g = |x: &str| o.global(x).unwrap().to_string();
            (g("before"), g("n"), g("a"), g("after"))
        })
        .collect();
    let want: BTreeSet<(String, String, String, String)> =
        [("1", "1", "False"), ("1", "1", "True"), ("1", "2", "False"), ("1", "2", "True")]
            .into_iter()
            .map(|(b, n, a)| (b.to_string(), n.to_string(), a.to_string(), "(1, False)".to_string()))
            .collect();
    assert_eq!(got, want);
    // Three sleeping workers: any count from 1 to 4 while they run, 1 once all are joined.
    let tutorial = "import threading\nimport time\ndef worker(n):\n    time.sleep(0.1)\nthreads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]\nfor t in threads:\n    t.start()\nrunning = threading.active_count()\nfor t in threads:\n    t.join()\ndone = threading.active_count()\n";
    let r = explore(&source(tutorial));
    let got: BTreeSet<(String, String)> = r
        .outcomes()
        .map(|o| (o.global("running").unwrap().to_string(), o.global("done").unwrap().to_string()))
        .collect();
    let want: BTreeSet<(String, String)> = (1..=4).map(|k| (k.to_string(), "1".to_string())).collect();
    assert_eq!(got, want);
    // The reduced search leaves such a program to plain search, and says why.
    let r =
        source(tutorial).checker().strategy(Strategy::Stateful).reduction(Reduction::Full).all_outcomes(true).check();
    assert!(
        r.notes.iter().any(|n| n.contains("threading.active_count (line 8) is not modelled by the analysis")),
        "{:?}",
        r.notes
    );
}
