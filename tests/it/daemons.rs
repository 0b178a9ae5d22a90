//! Daemon threads: the interpreter's exit waits for the threads that are not daemons, while the
//! daemons run on, then ends the daemons wherever they are (in a step of the main thread's).

use crate::decorators::printed;
use crate::language::model;
use gilcheck::{FindingKind, Strategy, Verdict};
use std::collections::BTreeSet;

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_daemon_may_be_ended_before_it_prints_or_print_before_or_after_main() {
    let text = "import threading\n\n\ndef bg():\n    print('bg')\n\n\nthreading.Thread(target=bg, daemon=True).start()\nprint('main')\n";
    let r = model(text).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    assert_eq!(r.verdict, Verdict::Holds);
    assert_eq!(printed(&r), set(&["main", "bg\nmain", "main\nbg"]));
    // The reductions leave such a program to the plain search, and say why.
    let r = model(text).checker().reduction(gilcheck::Reduction::Full).check();
    assert!(r.notes.iter().any(|n| n.contains("daemon thread")), "{:?}", r.notes);
}

#[test]
fn daemon_status_is_inherited_set_in_a_subclass_and_refused_once_started() {
    // A thread made by a daemon is a daemon (daemon=None); main never waits for it.
    let text = "import threading\n\n\ndef child():\n    print('child')\n\n\ndef parent():\n    c = threading.Thread(target=child)\n    \
                print('child daemon:', c.daemon)\n    c.start()\n\n\nthreading.Thread(target=parent, daemon=True).start()\nprint('main')\n";
    let r = model(text).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    assert_eq!(
        printed(&r),
        set(&[
            "main",
            "child daemon: True\nmain",
            "main\nchild daemon: True",
            "child daemon: True\nchild\nmain",
            "child daemon: True\nmain\nchild",
            "main\nchild daemon: True\nchild",
        ])
    );
    // python3.11 prints one of these; setting the flag of a started thread is its RuntimeError.
    let text = "import threading\n\n\nclass Ticker(threading.Thread):\n    def __init__(self):\n        super().__init__()\n        \
                self.daemon = True\n\n    def run(self):\n        print('tick', self.daemon)\n\n\nt = Ticker()\nt.start()\ntry:\n    \
                t.daemon = False\nexcept RuntimeError as e:\n    print(e)\nprint('main', t.daemon)\n";
    let r = model(text).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    let err = "cannot set daemon status of active thread";
    assert_eq!(
        printed(&r),
        set(&[
            &format!("{err}\nmain True"),
            &format!("tick True\n{err}\nmain True"),
            &format!("{err}\ntick True\nmain True"),
            &format!("{err}\nmain True\ntick True"),
        ])
    );
}

#[test]
fn the_exit_waits_for_a_thread_that_is_not_a_daemon() {
    let text = "import threading\n\nlock = threading.Lock()\nlock.acquire()\n\n\ndef stuck():\n    lock.acquire()\n\n\n\
                t = threading.Thread(target=stuck)\nt.start()\nd = threading.Thread(target=stuck, daemon=True)\nd.start()\n";
    let r = model(text).checker().check();
    let c = r.counterexample.expect("the exit waits for T1 forever");
    assert_eq!(c.finding.kind, FindingKind::Deadlock);
    assert!(c.finding.message.contains("main waits to join T1"), "{}", c.finding.message);
    // Without the stuck thread that is not a daemon, the blocked daemon is ended.
    let text = text.replace("t = threading.Thread(target=stuck)\nt.start()\n", "");
    assert_eq!(model(&text).checker().check().verdict, Verdict::Holds);
}
