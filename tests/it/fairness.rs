//! Runs that never terminate are reported only when CPython can take them: a cycle in which a
//! thread that could always run never does is no run of CPython (its GIL hands over within the
//! switch interval), so polling loops that wait for another thread hold; a livelock, where
//! every thread keeps running and none gets out, is still found, even when it only comes from
//! several threads' loops together.

use super::cli::{gilcheck, stdout, write_temp};
use gilcheck::Model;
use gilcheck::{FindingKind, Strategy, Verdict};

fn source(text: &str) -> Model {
    Model::from_source("t.py", text).unwrap_or_else(|e| panic!("{e}"))
}

const POLL_SLEEP: &str = "\
import threading
import time
stop = threading.Event()


def worker():
    while not stop.is_set():
        time.sleep(0.1)


t = threading.Thread(target=worker)
t.start()
stop.set()
t.join()
";

const POLL_WAIT: &str = "\
import threading
stop = threading.Event()
ticks = 0


def heartbeat():
    global ticks
    while not stop.wait(0.1):
        ticks = 1


t = threading.Thread(target=heartbeat)
t.start()
stop.set()
t.join()
print('stopped')
";

const SPIN_FLAG: &str = "\
import threading
ready = False


def waiter():
    while not ready:
        pass


t = threading.Thread(target=waiter)
t.start()
ready = True
t.join()
";

/// Two threads each wait for the other to go first: both keep running, neither gets out.
const LIVELOCK: &str = "\
import threading
a = False
b = False


def one():
    global a
    while not b:
        pass
    a = True


def two():
    global b
    while not a:
        pass
    b = True


t1 = threading.Thread(target=one)
t2 = threading.Thread(target=two)
t1.start()
t2.start()
t1.join()
t2.join()
";

#[test]
fn polling_loops_that_only_starve_the_thread_they_wait_for_hold() {
    for text in [POLL_SLEEP, POLL_WAIT, SPIN_FLAG] {
        // A preemption-bounded search may not finish (each round of the loop is another chance
        // to switch), but it must not report the starving loop either.
        let r = source(text).checker().strategy(Strategy::Bounded { max_bound: 3 }).check();
        assert_ne!(r.verdict, Verdict::Violated, "{text}\n{:?}", r.violations);
        for strategy in [Strategy::Stateful, Strategy::Auto] {
            let r = source(text).checker().strategy(strategy).all_outcomes(true).check();
            assert_eq!(r.verdict, Verdict::Holds, "{strategy:?}\n{text}\n{:?}", r.violations);
            assert!(r.violations.is_empty());
            if strategy == Strategy::Stateful {
                assert!(
                    r.notes.iter().any(|n| n.contains("only while main never runs although it could")),
                    "{:?}",
                    r.notes
                );
            }
        }
    }
    // Enumeration cannot rule out that such loops join into a fair one: it says so.
    let r = source(SPIN_FLAG).checker().strategy(Strategy::Enumerate).check();
    assert_eq!(r.verdict, Verdict::Inconclusive);
    assert!(r.limit.as_deref().is_some_and(|l| l.contains("--strategy stateful")), "{:?}", r.limit);
}

#[test]
fn a_loop_with_no_other_thread_to_run_never_terminates() {
    for text in [
        "while True:\n    pass\n",
        "import threading\n\n\ndef f():\n    while True:\n        pass\n\n\n\
                 t = threading.Thread(target=f)\nt.start()\nt.join()\n",
    ] {
        for strategy in [Strategy::Stateful, Strategy::Auto, Strategy::Enumerate] {
            let r = source(text).checker().strategy(strategy).check();
            let c = r.assert_violated(FindingKind::NonTermination);
            assert!(!c.schedule.is_empty(), "{strategy:?}");
        }
    }
}

#[test]
fn a_livelock_of_two_threads_loops_is_found_and_its_schedule_replays_as_a_cycle() {
    let r = source(LIVELOCK).checker().strategy(Strategy::Stateful).check();
    let c = r.assert_violated(FindingKind::NonTermination);
    // Each thread's loop alone starves the other; the cycle found steps both.
    let steps: Vec<usize> = c.schedule.steps().collect();
    let cycle_threads: std::collections::BTreeSet<usize> = steps.iter().rev().take(20).copied().collect();
    assert!(cycle_threads.contains(&1) && cycle_threads.contains(&2), "{steps:?}");
    let r = source(LIVELOCK).checker().check();
    assert_eq!(r.verdict, Verdict::Violated);
    // The trace replays it and names the repetition.
    let p = write_temp("livelock.py", LIVELOCK);
    let o = gilcheck(&["trace", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("nontermination: the run never terminates"), "{}", stdout(&o));
}

#[test]
fn a_polling_program_is_checked_by_the_cli_without_a_false_alarm() {
    let p = write_temp("heartbeat.py", POLL_WAIT);
    let o = gilcheck(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("HOLDS"), "{}", stdout(&o));
    assert!(stdout(&o).contains("never runs although it could"), "{}", stdout(&o));
}
