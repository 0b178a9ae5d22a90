//! Reductions on programs with heap objects: threads kept in a list, shared lists and dicts.
//! The static analysis treats every step that may touch a heap object as synchronising; each
//! program here is held to plain search under every switch model and every reduction level,
//! with the exact outcome set that plain search must find, so a reduction that drops an
//! interleaving of a heap access is caught.

use crate::reductions::{hold_to_plain, run};
use gilcheck::Model;
use gilcheck::SwitchModel;
use gilcheck::{Reduction, Report, Verdict};
use std::collections::BTreeSet;

/// What every completed run printed, one string per outcome.
fn printed(r: &Report) -> BTreeSet<String> {
    r.outcomes().filter(|o| o.violation.is_none()).map(|o| o.output.join("|")).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Holds `text` to plain search under every switch model; under `bytecode` plain search must
/// print exactly `expected` (one string per outcome, lines joined by `|`).
fn held(label: &str, text: &str, expected: &[&str]) {
    for &switch in SwitchModel::ALL {
        let m = Model::from_source("t.py", text).unwrap().with_switch(switch).unwrap();
        hold_to_plain(&format!("{label} under {switch}"), &m, false, |plain| {
            if switch == SwitchModel::Bytecode {
                assert_eq!(printed(plain), set(expected), "{label}\n{text}");
            }
        });
    }
}

const THREAD_LIST: &str = "import threading\n\ncounter = 0\nlock = threading.Lock()\n\n\ndef work():\n    global counter\n    for _ in range(2):\n        with lock:\n            counter += 1\n\n\nthreads = []\nfor _ in range(3):\n    t = threading.Thread(target=work)\n    threads.append(t)\n    t.start()\nfor t in threads:\n    t.join()\nassert counter == 6\nprint(counter)\n";

#[test]
fn thread_lists_are_proved_in_one_execution_and_agree_with_plain_search() {
    held("thread list", THREAD_LIST, &["6"]);
    let m = Model::from_source("t.py", THREAD_LIST).unwrap();
    let r = run(&m, Reduction::Full, 1_000_000);
    assert_eq!(r.verdict, Verdict::Holds);
    assert_eq!(r.stats.executions, 1, "{:?}", r.reductions);
    let names: Vec<&str> = r.reductions.iter().map(|n| n.name.as_str()).collect();
    assert!(names.contains(&"heap-as-synchronisation"), "{names:?}");
    let plain = run(&m, Reduction::None, 10_000_000);
    assert!(r.stats.states * 100 < plain.stats.states, "{} vs {}", r.stats.states, plain.stats.states);
}

#[test]
fn thread_lists_keep_every_order_of_appends_to_a_shared_list() {
    let text = "import threading\n\nresults = []\n\n\ndef work(n):\n    results.append(n)\n\n\nthreads = [threading.Thread(target=work, args=(i,)) for i in range(1, 3)]\nfor t in threads:\n    t.start()\nfor t in threads:\n    t.join()\nprint(results)\n";
    held("shared list", text, &["[1, 2]", "[2, 1]"]);
}

#[test]
fn thread_lists_keep_lost_updates_of_a_dict_entry() {
    let text = "import threading\n\ncounts = {\"n\": 0}\n\n\ndef work():\n    counts[\"n\"] += 1\n\n\nthreads = []\nfor _ in range(2):\n    threads.append(threading.Thread(target=work))\nfor t in threads:\n    t.start()\nfor t in threads:\n    t.join()\nprint(counts[\"n\"])\n";
    held("dict entry", text, &["1", "2"]);
}

#[test]
fn thread_lists_keep_a_read_of_a_list_that_main_changes_while_a_worker_runs() {
    // The worker reads the list through a global (its length, its sum) while main appends;
    // main reads the worker's result through a list it passed as an argument. `0|[1]` cannot
    // happen: main prints after its append, so a worker that has appended nothing yet sees two
    // items when it checks the length.
    let text = "import threading\n\nitems = [1]\n\n\ndef work(out):\n    out.append(sum(items))\n    if len(items) > 1:\n        out.append(items[-1])\n\n\nout = []\nt = threading.Thread(target=work, args=(out,))\nt.start()\nitems.append(2)\nprint(len(out))\nt.join()\nprint(out)\n";
    held(
        "list read while appended",
        text,
        &["0|[1, 2]", "0|[3, 2]", "1|[1]", "1|[1, 2]", "1|[3, 2]", "2|[1, 2]", "2|[3, 2]"],
    );
}

#[test]
fn thread_lists_keep_a_worker_that_reads_a_list_main_fills_before_start() {
    // Main fills the list before the start (no race), the worker empties it by pops, and main
    // reads what is left after the join: always the same.
    let text = "import threading\n\njobs = []\ndone = []\n\n\ndef work():\n    while jobs:\n        done.append(jobs.pop() * 10)\n\n\nfor i in range(3):\n    jobs.append(i)\nworkers = [threading.Thread(target=work)]\nfor w in workers:\n    w.start()\nfor w in workers:\n    w.join()\nprint(done, jobs)\n";
    held("jobs list", text, &["[20, 10, 0] []"]);
}

/// A builtin or method handed a function could run it where the analysis does not look: the
/// reduction steps aside, says why, and plain search runs.
#[test]
fn a_function_handed_to_a_builtin_keeps_the_program_out_of_the_analysis() {
    let text = "import threading\n\nhandlers = []\n\n\ndef work():\n    handlers.append(1)\n\n\nhandlers.append(work)\nt = threading.Thread(target=work)\nt.start()\nt.join()\nprint(len(handlers))\n";
    let m = Model::from_source("t.py", text).unwrap();
    let r = run(&m, Reduction::Full, 100_000);
    assert!(r.reductions.is_empty(), "{:?}", r.reductions);
    assert!(r.notes.iter().any(|n| n.contains("hands function work to a builtin")), "{:?}", r.notes);
    assert_eq!(printed(&r), set(&["2"]));
}

#[test]
fn thread_args_given_as_a_list_and_kwargs_are_unpacked_when_the_thread_runs() {
    // `Thread.run()` calls `target(*args, **kwargs)` in the new thread, so what the list and
    // the dict hold then is what the target gets: main's append and store race with it.
    // `1 ['z']` cannot happen: main appends before it stores.
    let text = concat!(
        "import threading\n\n\ndef w(*xs, **kw):\n    print(len(xs), sorted(kw))\n\n\n",
        "args = [1]\nkw = {}\nt = threading.Thread(target=w, args=args, kwargs=kw)\nt.start()\n",
        "args.append(2)\nkw[\"z\"] = 1\nt.join()\n",
    );
    held("args list and kwargs", text, &["1 []", "2 []", "2 ['z']"]);
    // A list display and keyword arguments bound by name, defaults filled in.
    let text = concat!(
        "import threading\n\nout = []\n\n\ndef greet(name, greeting=\"hi\", end=\"!\"):\n",
        "    out.append(greeting + \" \" + name + end)\n\n\n",
        "ts = [threading.Thread(target=greet, args=[n], kwargs={\"greeting\": \"hello\"}) for n in (\"a\", \"b\")]\n",
        "for t in ts:\n    t.start()\nfor t in ts:\n    t.join()\nprint(sorted(out))\n",
    );
    held("list display args", text, &["['hello a!', 'hello b!']"]);
}

#[test]
fn thread_args_that_do_not_bind_fail_in_the_new_thread_with_cpythons_message() {
    for (args, message) in [
        ("args=[1], kwargs={\"c\": 2}", "TypeError: w() got an unexpected keyword argument 'c'"),
        ("args=5", "TypeError: __main__.w() argument after * must be an iterable, not int"),
        ("args=[1, 2], kwargs=[]", "TypeError: __main__.w() argument after ** must be a mapping, not list"),
        ("args=[1, 2, 3]", "TypeError: w() takes 2 positional arguments but 3 were given"),
    ] {
        let text = format!(
            "import threading\n\n\ndef w(a, b):\n    print(a, b)\n\n\nt = threading.Thread(target=w, {args})\nt.start()\nt.join()\nprint(\"end\")\n"
        );
        for reduction in [Reduction::None, Reduction::Full] {
            let m = Model::from_source("t.py", &text).unwrap();
            let r = run(&m, reduction, 1_000_000);
            assert_eq!(r.verdict, Verdict::Violated, "{text}");
            let shown = format!("{:?}", r.violations);
            assert!(shown.contains(message), "{args}: {shown}");
        }
    }
}
