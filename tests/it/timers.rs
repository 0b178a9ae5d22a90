//! `threading.Timer`: the `Thread` subclass that CPython writes in Python (threading.py), run
//! from the checker's prelude of it (`src/compile/prelude/threading.py`). Its `run` waits on its
//! `finished` event with a timeout, which may expire at any time, so the function may fire at any
//! point after `start()` unless `cancel()` came first.

use crate::language::prints_what_python311_printed;
use gilcheck::{trace, FindingKind, Model, Strategy, SwitchModel, Verdict};
use std::collections::BTreeSet;
use std::fmt::Write as _;

#[test]
fn timers_behave_as_python311s() {
    // tests/fixtures/threading_timer.out is what python3.11 prints: the timer's attributes and
    // name, a timer cancelled before it starts, keyword arguments, a subclass that repeats its
    // function until it cancels itself, and the TypeError of a wrong call.
    prints_what_python311_printed("threading_timer");
}

/// Main appends, then cancels the timer: the timer fires before main's append, between the
/// append and the cancel, or not at all; never after the cancel.
const CANCEL_RACE: &str = "import threading\n\nlog = []\n\n\ndef fire():\n    log.append(\"fired\")\n\n\n\
                           t = threading.Timer(5.0, fire)\nt.start()\nlog.append(\"main\")\nt.cancel()\nt.join()\n";

#[test]
fn a_timer_fires_anywhere_before_its_cancel_under_every_switch_model() {
    let want: BTreeSet<String> =
        ["['fired', 'main']", "['main', 'fired']", "['main']"].iter().map(|s| s.to_string()).collect();
    for &m in SwitchModel::ALL {
        let model = Model::from_source("cancel.py", CANCEL_RACE).unwrap().with_switch(m).unwrap();
        let r = model.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
        assert!(r.exhaustive, "{m:?}: {:?}", r.limit);
        let got: BTreeSet<String> = r.outcomes().map(|o| o.global("log").unwrap().to_string()).collect();
        assert_eq!(got, want, "{m:?}");
    }
    // Cancelled before it starts, it never fires: the assertion holds.
    let early = CANCEL_RACE.replace("t.start()\nlog.append(\"main\")\nt.cancel()", "t.cancel()\nt.start()")
        + "assert log == [], log\n";
    let r = Model::from_source("early.py", early).unwrap().checker().check();
    assert_eq!(r.verdict, Verdict::Holds, "{r:?}");
}

#[test]
fn a_timer_that_fires_after_cancel_is_a_counterexample_that_replays() {
    // The classic misuse: a flag set by the timer, read right after cancel() as if cancel()
    // waited for it. The counterexample runs the timer before the cancel.
    let text = "import threading\n\ndone = False\n\n\ndef finish():\n    global done\n    done = True\n\n\n\
                t = threading.Timer(1.0, finish)\nt.start()\nt.cancel()\nt.join()\nassert not done, \"fired\"\n";
    let model = Model::from_source("late.py", text).unwrap();
    let r = model.checker().check();
    let c = r.assert_violated(FindingKind::Assertion);
    assert_eq!(c.finding.line, 15);
    assert_eq!(c.state.global("done"), Some("True"));
    let t = trace::replay(model.explorable(), &c.schedule).unwrap();
    assert_eq!(model.explorable().outcome(&t.state), c.state);
}

#[test]
fn the_prelude_timer_compiles_to_the_bytecode_of_cpython_3_11s_threading_timer() {
    // tests/dis_listings/prelude-threading.txt lists the opnames of CPython 3.11's own
    // `threading.Timer.__init__`, `cancel` and `run` (regenerated and compared again where
    // python3.11 is on PATH): the prelude's methods must compile to exactly those.
    let model = Model::from_source("t.py", "import threading\nt = threading.Timer(1, print)\n").unwrap();
    let program = model.program();
    let mut ours = String::new();
    for name in ["__init__", "cancel", "run"] {
        let (_, code) = program
            .codes
            .iter()
            .enumerate()
            .find(|(i, c)| program.is_library(*i as u32) && c.name == name)
            .unwrap_or_else(|| panic!("the prelude has no {name}"));
        let _ = writeln!(ours, "== {name}");
        for i in &code.instrs {
            let _ = writeln!(ours, "{}", i.opname());
        }
    }
    let listing = std::fs::read_to_string("tests/dis_listings/prelude-threading.txt").unwrap();
    assert_eq!(ours, listing);
    let script = "import dis, threading\nfor f in (threading.Timer.__init__, threading.Timer.cancel, threading.Timer.run):\n    \
                  print('==', f.__name__)\n    for i in dis.get_instructions(f):\n        \
                  if i.opname not in ('CACHE', 'EXTENDED_ARG'):\n            print(i.opname)\n";
    if let Ok(out) = std::process::Command::new("python3.11").arg("-c").arg(script).output() {
        if out.status.success() {
            assert_eq!(String::from_utf8_lossy(&out.stdout), listing);
        }
    }
}

#[test]
fn timers_are_checked_with_the_futures_prelude_beside_them() {
    // Both preludes linked into one program: a timer that submits to an executor.
    let text = "import threading\nfrom concurrent.futures import ThreadPoolExecutor\n\nout = []\n\n\n\
                def square(x):\n    return x * x\n\n\nex = ThreadPoolExecutor(max_workers=1)\n\n\n\
                def tick():\n    out.append(ex.submit(square, 3).result())\n\n\n\
                t = threading.Timer(0.1, tick)\nt.start()\nt.join()\nex.shutdown()\nprint(out)\n";
    let model = Model::from_source("both.py", text).unwrap();
    assert_eq!(model.program().libraries.len(), 2);
    let r = model.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    assert!(r.exhaustive);
    let got: BTreeSet<String> = r.outcomes().map(|o| o.output.join("\n")).collect();
    assert_eq!(got, BTreeSet::from(["[9]".to_string()]));
}
