//! `concurrent.futures.ThreadPoolExecutor`, run as the module's Python prelude: futures that
//! hand results and exceptions back, `map` in input order (cancelling the calls not started when
//! one raises), workers started on demand up to `max_workers`, the interpreter's exit waiting for
//! the workers, and the reduction that runs the module's own steps as transactions, checked
//! against the plain model.

use crate::language::python311_stdout;
use gilcheck::Model;
use gilcheck::SwitchModel;
use gilcheck::{Strategy, Verdict};
use std::collections::BTreeSet;

/// Every outcome's printed output (and `! how it ended`, for a violation), exhaustively.
fn outputs(m: &Model) -> BTreeSet<String> {
    let r = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    assert!(r.exhaustive, "the search was cut: {:?}", r.limit);
    crate::decorators::printed(&r)
}

fn model(text: &str) -> Model {
    Model::from_source("pool.py", text).unwrap_or_else(|e| panic!("{e}"))
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn thread_pool_fixture_prints_what_python311_prints() {
    let path = "tests/fixtures/thread_pool.py";
    let want = "16 True None\nValueError bad 2\nTrue True\n[1, 9]\n\
                RuntimeError cannot schedule new futures after shutdown\n25 False\n\
                ValueError max_workers must be greater than 0";
    let m = Model::from_file(path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outputs(&m), set(&[want]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), want);
    }
}

const MAP_RAISES: &str = "from concurrent.futures import ThreadPoolExecutor\n\n\ndef job(n):\n    if n == 2:\n        \
                          raise ValueError(\"two\")\n    print(\"ran\", n)\n\n\n\
                          ex = ThreadPoolExecutor(max_workers=1)\ntry:\n    list(ex.map(job, [1, 2, 3]))\n\
                          except ValueError as e:\n    print(\"map\", e)\nex.shutdown()\n";

/// When `job(2)` raises, `map`'s iterator cancels `job(3)` unless the worker has started it:
/// it runs before the error reaches main, after it, or never.
#[test]
fn map_cancels_the_calls_not_started_when_one_raises() {
    let want = set(&["ran 1\nmap two", "ran 1\nmap two\nran 3", "ran 1\nran 3\nmap two"]);
    assert_eq!(outputs(&model(MAP_RAISES)), want);
}

const COUNTER: &str = "from concurrent.futures import ThreadPoolExecutor\n\ncounter = 0\n\n\n\
                       def bump(n):\n    global counter\n    counter += n\n\n\n\
                       with ThreadPoolExecutor(max_workers=WORKERS) as ex:\n    ex.submit(bump, 1)\n    \
                       ex.submit(bump, 2)\nprint(counter)\n";

/// One worker runs the submitted calls one after another; two may run them at once, and then
/// `counter += n` loses an update.
#[test]
fn the_pool_size_decides_whether_submitted_calls_overlap() {
    let one = model(&COUNTER.replace("WORKERS", "1"));
    assert_eq!(outputs(&one), set(&["3"]));
    let two = model(&COUNTER.replace("WORKERS", "2"));
    assert_eq!(outputs(&two), set(&["1", "2", "3"]));
}

/// An executor never shut down still runs what was submitted: the interpreter's exit puts the
/// workers' sentinel and waits for them, after main's last line.
#[test]
fn the_interpreters_exit_waits_for_the_workers() {
    let text = "from concurrent.futures import ThreadPoolExecutor\n\n\ndef hello():\n    print(\"hello\")\n\n\n\
                ex = ThreadPoolExecutor(max_workers=1)\nex.submit(hello)\nprint(\"main done\")\n";
    let m = model(text);
    let r = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    assert_eq!(r.verdict, Verdict::Holds);
    assert_eq!(outputs(&m), set(&["hello\nmain done", "main done\nhello"]));
}

/// The reduction that runs the module's own steps as transactions reaches exactly the outcomes
/// of the plain model, where every boundary inside the module may switch.
#[test]
fn library_transactions_reach_the_plain_models_outcomes() {
    let programs = [
        COUNTER.replace("WORKERS", "2"),
        MAP_RAISES.to_string(),
        "import threading\nfrom concurrent.futures import ThreadPoolExecutor\n\nex = ThreadPoolExecutor(max_workers=1)\n\n\n\
         def hello(n):\n    print(\"hello\", n)\n\n\ndef client(n):\n    ex.submit(hello, n)\n\n\n\
         t = threading.Thread(target=client, args=(1,))\nt.start()\nclient(2)\nt.join()\nex.shutdown(wait=False)\n\
         print(\"done\")\n"
            .to_string(),
        "from concurrent.futures import ThreadPoolExecutor\n\nlog = []\n\n\ndef add(x):\n    log.append(x)\n    \
         return x\n\n\nwith ThreadPoolExecutor(max_workers=2) as ex:\n    for r in ex.map(add, [1, 2]):\n        \
         print(r, len(log))\n"
            .to_string(),
    ];
    for (i, text) in programs.iter().enumerate() {
        let start = std::time::Instant::now();
        let m = model(text).with_switch(SwitchModel::Cpython311).unwrap();
        let plain = m.clone().with_library_atomic(false).unwrap();
        let reduced = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
        let full = plain.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
        assert!(reduced.stats.states < full.stats.states, "program {i}: the transactions merge no step");
        assert_eq!(outputs(&m), outputs(&plain), "program {i}");
        eprintln!(
            "program {i}: {} against {} states, {:.1} s",
            reduced.stats.states,
            full.stats.states,
            start.elapsed().as_secs_f64()
        );
    }
}

/// What the module's model leaves out is refused before the run, with what to write instead.
#[test]
fn unmodelled_uses_of_concurrent_futures_are_refused() {
    let head = "from concurrent.futures import ThreadPoolExecutor\nimport concurrent.futures\n\n\n\
                def f(x):\n    return x\n\n\n";
    let cases = [
        ("ex = ThreadPoolExecutor()\n", "without max_workers"),
        ("ex = ThreadPoolExecutor(max_workers=None)\n", "without max_workers"),
        ("ex = ThreadPoolExecutor(2, initializer=f)\n", "keyword argument 'initializer'"),
        ("ex = ThreadPoolExecutor(2)\nrs = ex.map(f, [1])\n", "executor.map() whose results are not taken at once"),
        ("ex = ThreadPoolExecutor(2)\nfor r in ex.map(f, [1]):\n    break\n", "not taken at once"),
        ("ex = ThreadPoolExecutor(2)\nprint(any(ex.map(f, [1])))\n", "not taken at once"),
        // An exception from the loop's body could be caught while calls are pending.
        (
            "def main():\n    with ThreadPoolExecutor(2) as ex:\n        for r in ex.map(f, [1]):\n            print(r)\n\n\n\
             try:\n    main()\nexcept ValueError:\n    pass\n",
            "not taken at once",
        ),
        (
            "ex = ThreadPoolExecutor(2)\ntry:\n    for r in ex.map(f, [1]):\n        print(r)\nexcept ValueError:\n    pass\n",
            "not taken at once",
        ),
        (
            "ex = ThreadPoolExecutor(2)\nfs = [ex.submit(f, 1)]\nfor x in concurrent.futures.as_completed(fs, timeout=1):\n    pass\n",
            "keyword argument 'timeout' to as_completed",
        ),
        ("ex = ThreadPoolExecutor(2)\nfs = [ex.submit(f, 1)]\nprint(list(concurrent.futures.as_completed(fs, 1)))\n", "as_completed() with a timeout"),
        ("ex = ThreadPoolExecutor(2)\nfs = [ex.submit(f, 1)]\nconcurrent.futures.wait(fs)\n", "concurrent.futures.wait"),
        ("ex = ThreadPoolExecutor(2)\nfut = ex.submit(f, 1)\nprint(fut._state)\n", "private attribute '_state'"),
        ("ex = ThreadPoolExecutor(2)\nfut = ex.submit(f, 1)\nfut.add_done_callback(f)\n", "add_done_callback"),
        ("ex = ThreadPoolExecutor(2)\nprint(ex.submit(f, 1).result(timeout=1))\n", "the arguments of .result()"),
        ("ex = ThreadPoolExecutor(2)\nex.shutdown(cancel_futures=True)\n", "the arguments of .shutdown()"),
        ("ex = ThreadPoolExecutor(2)\nprint(list(ex.map(f, [1], chunksize=2)))\n", "the arguments of .map()"),
    ];
    // An `except` clause in the mapped function does not catch what the loop's body raises.
    let fine = format!(
        "{head}def g(x):\n    try:\n        return f(x)\n    except ValueError:\n        return 0\n\n\n\
         def main():\n    with ThreadPoolExecutor(2) as ex:\n        for r in ex.map(g, [1]):\n            print(r)\n\n\n\
         main()\n"
    );
    assert_eq!(outputs(&model(&fine)), set(&["1"]));
    for (body, want) in cases {
        let text = format!("{head}{body}");
        let e = Model::from_source("pool.py", text.as_str()).expect_err(body).to_string();
        assert!(e.contains(want), "{body}: {e}");
        assert!(e.contains("pool.py:"), "{body}: {e}");
    }
}

/// Printing a future shows its address in CPython: the run stops as not modelled.
#[test]
fn printing_a_future_stops_as_not_modelled() {
    let text = "from concurrent.futures import ThreadPoolExecutor\n\n\ndef f(x):\n    return x\n\n\n\
                with ThreadPoolExecutor(max_workers=1) as ex:\n    print(ex.submit(f, 1))\n";
    let r = model(text).checker().check();
    let stop = r.checker_stop.expect("a stop of the checker");
    assert!(stop.message.contains("the str() or repr() of a concurrent.futures object"), "{}", stop.message);
}

/// A counterexample's timeline names the module's lines as its own.
#[test]
fn traces_show_the_modules_lines_under_its_name() {
    let m = model(&COUNTER.replace("WORKERS", "2").replace("print(counter)", "assert counter == 3"));
    let r = m.checker().check();
    assert_eq!(r.verdict, Verdict::Violated);
    let trace = gilcheck::trace::replay(m.explorable(), &r.counterexample.as_ref().unwrap().schedule).unwrap();
    let text = gilcheck::report::render_trace(&trace, m.source(), gilcheck::report::Style::default());
    assert!(text.contains("concurrent.futures line"), "{text}");
    assert!(text.contains("line 8: counter += n"), "{text}");
}

/// Worker threads are named `<prefix>_<n>`, the prefix `ThreadPoolExecutor-<k>` by default, and
/// a named thread takes no number from `Thread-N`, as in CPython.
#[test]
fn pool_threads_are_named_as_cpython_names_them() {
    let text = "import threading\nfrom concurrent.futures import ThreadPoolExecutor\n\n\ndef who():\n    \
                return threading.current_thread().name\n\n\nwith ThreadPoolExecutor(max_workers=1) as ex:\n    \
                print(ex.submit(who).result())\nwith ThreadPoolExecutor(max_workers=1, thread_name_prefix=\"io\") as ex:\n    \
                print(ex.submit(who).result())\nt = threading.Thread(target=who)\nprint(t.name)\n";
    assert_eq!(outputs(&model(text)), set(&["ThreadPoolExecutor-0_0\nio_0\nThread-1 (who)"]));
}

#[test]
fn as_completed_prints_what_python311_prints() {
    // tests/fixtures/futures_as_completed.out is what python3.11 prints: a dict of futures, a
    // future given three times (it comes out once), an empty list, a tuple, a value that is not
    // a future, and the generator resumed by next().
    crate::language::prints_what_python311_printed("futures_as_completed");
}

/// One worker finishes `a` before `b`; main sleeps, then takes them from `as_completed`.
const FINISHED_FIRST: &str = "import time\nfrom concurrent.futures import ThreadPoolExecutor, as_completed\n\n\n\
                              def task(name):\n    return name\n\n\n\
                              with ThreadPoolExecutor(max_workers=1) as ex:\n    \
                              fs = [ex.submit(task, \"a\"), ex.submit(task, \"b\")]\n    time.sleep(0.01)\n    \
                              order = [f.result() for f in as_completed(fs)]\nprint(order)\n";

#[test]
fn as_completed_hands_out_futures_already_finished_in_any_order() {
    // The one worker finishes `a` before `b`, yet both orders come out: CPython takes the
    // futures that had already finished from a set, whose order follows their addresses
    // (python3.11 printed ['b', 'a'] in 29 of 40 runs and ['a', 'b'] in 11).
    let m = model(FINISHED_FIRST);
    assert_eq!(outputs(&m), set(&["['a', 'b']", "['b', 'a']"]));
    let r = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    assert!(r.notes.iter().any(|n| n.contains("as_completed")), "{:?}", r.notes);
    if let Some(real) = python311_stdout_of(FINISHED_FIRST) {
        assert!(set(&["['a', 'b']", "['b', 'a']"]).contains(&real), "{real}");
    }
}

#[test]
fn as_completed_hands_out_the_rest_as_they_finish() {
    // `slow` cannot finish before main sets the gate, which it does only after the first future
    // came out: that one is always `fast`'s, under every switch model.
    let text = "import threading\nfrom concurrent.futures import ThreadPoolExecutor, as_completed\n\n\
                gate = threading.Event()\n\n\ndef slow():\n    gate.wait()\n    return \"a\"\n\n\n\
                def fast():\n    return \"b\"\n\n\nwith ThreadPoolExecutor(max_workers=2) as ex:\n    \
                fs = [ex.submit(slow), ex.submit(fast)]\n    it = as_completed(fs)\n    \
                first = next(it).result()\n    gate.set()\n    second = next(it).result()\n\
                print(first, second)\n";
    for &sw in SwitchModel::ALL {
        assert_eq!(outputs(&model(text).with_switch(sw).unwrap()), set(&["b a"]), "{sw:?}");
    }
}

#[test]
fn as_completed_in_transactions_reaches_the_plain_models_outcomes() {
    // The waiter that as_completed installs is told inside each future's transaction.
    let m = model(FINISHED_FIRST).with_switch(SwitchModel::Cpython311).unwrap();
    let plain = m.clone().with_library_atomic(false).unwrap();
    assert_eq!(outputs(&m), outputs(&plain));
}

/// What python3.11 prints for `text`, if it is on PATH.
fn python311_stdout_of(text: &str) -> Option<String> {
    let out = std::process::Command::new("python3.11").arg("-c").arg(text).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim_end().to_string())
}
