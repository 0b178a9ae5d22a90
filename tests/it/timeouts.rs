//! Waits with a timeout: `acquire(timeout=)`, `Event.wait(t)`, `Condition.wait(t)`,
//! `Queue.get/put(block, timeout)`, `get_nowait`/`put_nowait` and `Thread.join(t)`. The checker
//! does not model time, so a timeout may expire whenever what it waits for has not happened:
//! the outcome sets below are every result CPython can give, whatever the timings, and nothing
//! it cannot (a timeout of -1 on a lock waits forever; 0 on a queue gives up at once).

use super::reductions::{agrees, run};
use gilcheck::Model;
use gilcheck::{FindingKind, Reduction, Report, Strategy};
use std::collections::BTreeSet;

fn source(text: &str) -> Model {
    Model::from_source("t.py", text).unwrap_or_else(|e| panic!("{e}"))
}

/// Every outcome, by the plain stateful search.
fn explore(text: &str) -> Report {
    let r = source(text).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    assert!(r.exhaustive, "the search was cut: {:?}", r.limit);
    r
}

/// The values of global `name` over the outcomes without a violation.
fn values(r: &Report, name: &str) -> BTreeSet<String> {
    r.outcomes().filter(|o| o.violation.is_none()).map(|o| o.global(name).unwrap_or("?").to_string()).collect()
}

/// The reduced searches give plain search's verdict, outcomes and violations on `text`.
fn reductions_agree(text: &str) {
    let m = source(text);
    let plain = run(&m, Reduction::None, 1_000_000);
    for level in [Reduction::Por, Reduction::Full] {
        agrees(&plain, &run(&m, level, 1_000_000), level).unwrap();
    }
}

fn set(v: &[&str]) -> BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

const LOCK_TIMEOUT: &str = "\
import threading
lock = threading.Lock()
got = None


def worker():
    global got
    got = lock.acquire(timeout=5)
    if got:
        lock.release()


lock.acquire()
t = threading.Thread(target=worker)
t.start()
lock.release()
t.join()
";

#[test]
fn a_lock_acquire_with_a_timeout_may_give_up_while_the_lock_is_held() {
    let r = explore(LOCK_TIMEOUT);
    r.assert_holds();
    assert_eq!(values(&r, "got"), set(&["False", "True"]));
    // -1 is no timeout: the worker waits until it has the lock.
    let r = explore(&LOCK_TIMEOUT.replace("timeout=5", "timeout=-1"));
    assert_eq!(values(&r, "got"), set(&["True"]));
    // 0 tries once.
    let r = explore(&LOCK_TIMEOUT.replace("timeout=5", "timeout=0"));
    assert_eq!(values(&r, "got"), set(&["False", "True"]));
    // The same under the reductions, with the same outcomes.
    reductions_agree(LOCK_TIMEOUT);
}

#[test]
fn wrong_timeouts_raise_what_cpython_raises() {
    let r = explore(
        "import threading\nimport queue\nlock = threading.Lock()\nsem = threading.Semaphore(0)\nq = queue.Queue(1)\n\
         for f in [lambda: lock.acquire(False, 1), lambda: lock.acquire(timeout=-2), lambda: lock.acquire(timeout='x'),\n\
                   lambda: sem.acquire(False, 1), lambda: q.get(timeout=-1), lambda: q.get(True, 0),\n\
                   lambda: q.get_nowait(), lambda: q.put(1, timeout=-1)]:\n\
         \x20   try:\n\
         \x20       f()\n\
         \x20   except ValueError as e:\n\
         \x20       print('ValueError', e)\n\
         \x20   except TypeError as e:\n\
         \x20       print('TypeError', e)\n\
         \x20   except queue.Empty as e:\n\
         \x20       print('Empty', repr(str(e)))\n\
         q.put(1)\n\
         for f in [lambda: q.put_nowait(2), lambda: q.put(2, False), lambda: q.put(2, True, 0)]:\n\
         \x20   try:\n\
         \x20       f()\n\
         \x20   except queue.Full as e:\n\
         \x20       print('full', repr(str(e)))\n\
         print(lock.acquire(timeout=0), lock.acquire(timeout=0), sem.acquire(timeout=0))\n",
    );
    let outputs: BTreeSet<Vec<String>> = r.outcomes().map(|o| o.output.clone()).collect();
    let want: Vec<String> = [
        "ValueError can't specify a timeout for a non-blocking call",
        "ValueError timeout value must be positive",
        "TypeError 'str' object cannot be interpreted as an integer",
        "ValueError can't specify timeout for non-blocking acquire",
        "ValueError 'timeout' must be a non-negative number",
        "Empty ''",
        "Empty ''",
        "ValueError 'timeout' must be a non-negative number",
        "full ''",
        "full ''",
        "full ''",
        "True False False",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(outputs, BTreeSet::from([want]));
}

#[test]
fn an_uncaught_queue_empty_is_named_as_cpython_names_it() {
    let r = explore("import queue\nq = queue.Queue()\nq.get_nowait()\n");
    let c = r.assert_violated(FindingKind::Exception);
    assert!(c.finding.message.contains("_queue.Empty"), "{}", c.finding.message);
    let r = explore("from queue import Queue, Full\nq = Queue(1)\nq.put(0)\ntry:\n    q.put_nowait(1)\nexcept Full:\n    print('full')\n");
    r.assert_holds();
    assert_eq!(r.outcomes().next().unwrap().output, vec!["full".to_string()]);
}

#[test]
fn an_event_wait_with_a_timeout_may_expire_before_the_set() {
    let text = "import threading\ne = threading.Event()\nr = None\n\n\ndef w():\n    global r\n    r = e.wait(1)\n\n\n\
                t = threading.Thread(target=w)\nt.start()\ne.set()\nt.join()\n";
    let r = explore(text);
    r.assert_holds();
    assert_eq!(values(&r, "r"), set(&["False", "True"]));
    let r = explore(&text.replace("e.wait(1)", "e.wait()"));
    assert_eq!(values(&r, "r"), set(&["True"]));
    // Never set: the timed wait ends anyway (no deadlock), with False.
    let r = explore(&text.replace("e.set()\n", ""));
    r.assert_holds();
    assert_eq!(values(&r, "r"), set(&["False"]));
}

const LOST_NOTIFY: &str = "\
import threading
cond = threading.Condition()
waiting = 0
seen = None
res = []


def timed():
    global waiting
    with cond:
        waiting += 1
        res.append(('timed', cond.wait(1)))


def plain():
    global waiting
    with cond:
        waiting += 1
        res.append(('plain', cond.wait()))


a = threading.Thread(target=timed)
b = threading.Thread(target=plain)
a.start()
b.start()
with cond:
    seen = waiting
    cond.notify()
a.join()
b.join()
";

#[test]
fn a_condition_wait_whose_timeout_expired_can_still_consume_a_notify() {
    let r = explore(LOST_NOTIFY);
    // Finished runs: the notify reached the plain waiter, and the timed one gave up.
    let done: BTreeSet<(String, String)> = r
        .outcomes()
        .filter(|o| o.violation.is_none())
        .map(|o| (o.global("seen").unwrap().to_string(), o.global("res").unwrap().to_string()))
        .collect();
    let want = |seen: &str, res: &str| (seen.to_string(), res.to_string());
    assert_eq!(
        done,
        BTreeSet::from([
            want("1", "[('plain', True), ('timed', False)]"),
            want("1", "[('timed', False), ('plain', True)]"),
            want("2", "[('plain', True), ('timed', False)]"),
            want("2", "[('timed', False), ('plain', True)]"),
        ])
    );
    // The plain waiter is left waiting when the notify went to the timed one, or came before
    // it waited. With both waiting when it came (seen == 2), the timed waiter can still have
    // taken it after its timeout expired: it reports False, and the notify is lost, as
    // `threading.py` lets happen (the expired waiter leaves the list only once it has the lock).
    let stuck: BTreeSet<(String, String)> = r
        .outcomes()
        .filter(|o| o.violation.as_deref().is_some_and(|v| v.starts_with("deadlock")))
        .map(|o| (o.global("seen").unwrap().to_string(), o.global("res").unwrap().to_string()))
        .collect();
    assert!(stuck.contains(&want("2", "[('timed', False)]")), "{stuck:?}");
    assert!(stuck.contains(&want("2", "[('timed', True)]")), "{stuck:?}");
    assert!(stuck.contains(&want("0", "[('timed', False)]")), "{stuck:?}");
}

#[test]
fn a_queue_worker_with_a_get_timeout_stops_after_any_prefix_of_the_items() {
    let r = explore(
        "import queue, threading\nq = queue.Queue()\nresults = []\n\n\ndef worker():\n    while True:\n\
         \x20       try:\n            item = q.get(timeout=0.5)\n        except queue.Empty:\n\
         \x20           results.append('idle')\n            return\n        results.append(item)\n\n\n\
         t = threading.Thread(target=worker)\nt.start()\nq.put(1)\nq.put(2)\nt.join()\n",
    );
    r.assert_holds();
    assert_eq!(values(&r, "results"), set(&["['idle']", "[1, 'idle']", "[1, 2, 'idle']"]));
}

#[test]
fn a_put_with_a_timeout_on_a_full_queue_may_raise_full() {
    let r = explore(
        "import queue, threading\nq = queue.Queue(1)\nq.put('a')\nr = None\n\n\ndef w():\n    global r\n    try:\n\
         \x20       q.put('b', timeout=1)\n        r = 'put'\n    except queue.Full:\n        r = 'full'\n\n\n\
         t = threading.Thread(target=w)\nt.start()\nfirst = q.get()\nt.join()\n",
    );
    r.assert_holds();
    assert_eq!(values(&r, "r"), set(&["'full'", "'put'"]));
}

#[test]
fn a_join_with_a_timeout_may_return_while_the_thread_still_runs() {
    let text = "import threading\nx = 0\n\n\ndef w():\n    global x\n    x = 1\n\n\n\
                t = threading.Thread(target=w)\nt.start()\nt.join(0.1)\nalive = t.is_alive()\nseen = x\nt.join()\n";
    let r = explore(text);
    r.assert_holds();
    assert_eq!(values(&r, "alive"), set(&["False", "True"]));
    assert_eq!(values(&r, "seen"), set(&["0", "1"]));
    let r = explore(&text.replace("t.join(0.1)", "t.join(None)"));
    assert_eq!(values(&r, "alive"), set(&["False"]));
    assert_eq!(values(&r, "seen"), set(&["1"]));
    // The reductions agree with plain search on it.
    reductions_agree(text);
}

#[test]
fn semaphore_and_rlock_acquires_with_a_timeout_may_give_up() {
    let r = explore(
        "import threading\ns = threading.Semaphore(0)\nr = None\n\n\ndef w():\n    global r\n    r = s.acquire(timeout=1)\n\n\n\
         t = threading.Thread(target=w)\nt.start()\ns.release()\nt.join()\n",
    );
    assert_eq!(values(&r, "r"), set(&["False", "True"]));
    let r = explore(
        "import threading\nl = threading.RLock()\nr = None\n\n\ndef w():\n    global r\n    r = l.acquire(True, 2)\n\
         \x20   if r:\n        l.release()\n\n\nl.acquire()\nt = threading.Thread(target=w)\nt.start()\nl.release()\nt.join()\n",
    );
    assert_eq!(values(&r, "r"), set(&["False", "True"]));
}

#[test]
fn opposite_lock_orders_with_timeouts_back_off_instead_of_deadlocking() {
    let r = explore(
        "import threading\na = threading.Lock()\nb = threading.Lock()\ndone = []\n\n\n\
         def one(first, second, name):\n    with first:\n        if second.acquire(timeout=1):\n\
         \x20           done.append(name)\n            second.release()\n\n\n\
         t1 = threading.Thread(target=one, args=(a, b, 'x'))\nt2 = threading.Thread(target=one, args=(b, a, 'y'))\n\
         t1.start()\nt2.start()\nt1.join()\nt2.join()\n",
    );
    r.assert_holds();
    assert_eq!(values(&r, "done"), set(&["[]", "['x']", "['y']", "['x', 'y']", "['y', 'x']"]));
}
