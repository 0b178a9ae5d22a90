//! Generator expressions as CPython 3.11 runs them: a generator object whose frame is resumed
//! by a `for` loop or drained by a builtin that takes a whole iterable (`sum`, `any`, `all`,
//! `min`, `max`, `sorted`, `list`, `tuple`, `str.join`), one item at a time, so another thread
//! can act between two items; and generator functions (a `def` whose body yields), whose
//! generators a program may keep, hand to other threads and resume where a loop left them.

use crate::language::{model, one, outcomes, python311_stdout};
use gilcheck::SwitchModel;
use gilcheck::{Model, Verdict};
use gilcheck::{Reduction, Strategy};
use std::collections::BTreeSet;

#[test]
fn generator_expressions_follow_cpython() {
    let path = "tests/fixtures/generator_expressions.py";
    let text = std::fs::read_to_string(path).unwrap();
    // `any` stops at the first true item (15): `check` saw 4, 8 and 15 only. `sum`'s TypeError
    // comes at the item that does not add, and the ZeroDivisionError from inside the
    // generator reaches the `try` around the call.
    let out = "140 208 True [4, 8, 15]\nTrue False False\n[4, 2, 2, 1, 1, 0] (1, 1, 2, 4)\n\
               (3, 'ac') [0, 1, 4, 9] 4, 8, 15\nstopped: integer division or modulo by zero\n\
               TypeError: unsupported operand type(s) for +: 'int' and 'str'\n\
               ValueError: max() arg is an empty sequence\n[(1, 0), (2, 0), (2, 1)] 2\n113 4";
    assert_eq!(outcomes(&text, "seen"), BTreeSet::from([one("[4, 8, 15]", out)]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
}

/// `writer` stores `xs[2]` before `xs[0]`, while main sums a generator over `xs`, which reads
/// `xs[0]` before `xs[2]`: 1+2+3, 1+2+30 and 10+2+30 can be seen, but never 10+2+3 (that
/// would read the second store before the first).
const HALFWAY: &str = "import threading\n\nxs = [1, 2, 3]\n\n\ndef writer():\n    xs[2] = 30\n    xs[0] = 10\n\n\n\
                       t = threading.Thread(target=writer)\nt.start()\ns = sum(x for x in xs)\nt.join()\n";

#[test]
fn a_generator_reads_its_list_item_by_item_so_a_writer_is_seen_halfway() {
    for &m in SwitchModel::ALL {
        let model = Model::from_source("halfway.py", HALFWAY).unwrap().with_switch(m).unwrap();
        // Stateless enumeration too, where the model's switch points keep it small.
        let strategies: &[Strategy] =
            if m == SwitchModel::Bytecode { &[Strategy::Stateful] } else { &[Strategy::Stateful, Strategy::Enumerate] };
        for &strategy in strategies {
            let r = model.checker().strategy(strategy).all_outcomes(true).check();
            assert!(r.exhaustive, "{m:?} {strategy:?}: {:?}", r.limit);
            assert_eq!(r.int_values("s"), BTreeSet::from([6, 33, 42]), "{m:?} {strategy:?}");
        }
    }
    // The same sum over a list comprehension reads the list the same way, item by item.
    let listcomp = HALFWAY.replace("sum(x for x in xs)", "sum([x for x in xs])");
    let r = model(&listcomp).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    assert_eq!(r.int_values("s"), BTreeSet::from([6, 33, 42]));
}

#[test]
fn any_stops_early_even_while_another_thread_changes_the_list() {
    // `any` stops at the first item above 1: the log holds the items it looked at. The worker
    // may swap in a 5 before the generator reaches it.
    let text = "import threading\n\nxs = [0, 2, 0]\nlog = []\n\n\ndef look(x):\n    log.append(x)\n    return x > 1\n\n\n\
                def worker():\n    xs[0] = 5\n\n\nt = threading.Thread(target=worker)\nt.start()\nfound = any(look(x) for x in xs)\n\
                t.join()\nr = (found, log)\n";
    let got: BTreeSet<String> = outcomes(text, "r").into_iter().map(|(v, _)| v).collect();
    assert_eq!(got, BTreeSet::from(["(True, [0, 2])".to_string(), "(True, [5])".to_string()]));
}

#[test]
fn a_generator_resumed_by_a_loop_finishes_when_an_exception_leaves_it() {
    // The ZeroDivisionError ends the generator; iterating it again yields nothing more.
    let text = "def drain(it):\n    out = []\n    for v in it:\n        out.append(v)\n    return out\n\n\n\
                def first_then_rest(it):\n    got = []\n    try:\n        for v in it:\n            got.append(v)\n\
                \x20   except ZeroDivisionError:\n        got.append('stop')\n    got.append(drain(it))\n    return got\n\n\n\
                r = first_then_rest(10 // x for x in [5, 2, 0, 1])\n";
    assert_eq!(outcomes(text, "r"), BTreeSet::from([one("[2, 5, 'stop', []]", "")]));
}

#[test]
fn generator_expressions_that_escape_are_refused_before_or_when_reached() {
    // Kept in a variable: refused before exploring, with where and what to write instead.
    let e = match Model::from_source("g.py", "xs = [1]\ng = (x for x in xs)\nprint(sum(g))\n") {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("g.py:2:5: unsupported: generator expression outside a call that consumes it"), "{e}");
    assert!(e.contains("sum(x for x in xs)"), "{e}");
    // Given to the program's own function, which hands it to a builtin that does not take a
    // generator: the run stops as not modelled, never as the program's TypeError.
    let r = model("def size(it):\n    return len(it)\n\n\nn = size(x for x in [1, 2])\n").checker().check();
    assert!(r.counterexample.is_none());
    let stop = r.checker_stop.expect("stopped as not modelled");
    assert!(stop.message.contains("a generator passed to len()"), "{}", stop.message);
}

#[test]
fn the_analysis_steps_aside_for_a_generator_and_says_why() {
    let text = "import threading\n\ntotal = 0\nlock = threading.Lock()\n\n\ndef work():\n    global total\n\
                \x20   for v in (i * 2 for i in range(3)):\n        with lock:\n            total += v\n\n\n\
                t1 = threading.Thread(target=work)\nt2 = threading.Thread(target=work)\nt1.start()\nt2.start()\n\
                t1.join()\nt2.join()\n";
    let m = model(text).with_expect("total == 12").unwrap();
    let r = m.checker().reduction(Reduction::Full).check();
    assert_eq!(r.verdict, Verdict::Holds);
    assert!(r.notes.iter().any(|n| n.contains("the generator expression at line 9 is not modelled")), "{:?}", r.notes);
}

#[test]
fn generator_functions_run_as_python311_runs_them() {
    // tests/fixtures/generator_functions.out is what python3.11 prints: generators resumed by
    // for loops, comprehensions, enumerate() and builtins (any() and a failing sum() leave the
    // rest for a later loop), methods, closures and recursion, a return value, an exception from
    // inside, a generator that resumes itself, a generator function as a thread's target and as
    // __init__, two threads that take items of one generator under a lock, and next() with its
    // StopIteration, its default, PEP 479's RuntimeError and its TypeError.
    crate::language::prints_what_python311_printed("generator_functions");
}

/// Two threads loop over one generator without a lock: a thread that resumes it while the
/// other is inside it gets CPython's `ValueError: generator already executing`.
const SHARED: &str = "import threading\n\n\ndef numbers(n):\n    for i in range(n):\n        yield i\n\n\n\
                      seen = []\nerrors = []\nsource = numbers(2)\n\n\ndef take():\n    try:\n        for x in source:\n\
                      \x20           seen.append(x)\n    except ValueError as e:\n        errors.append(str(e))\n\n\n\
                      ts = [threading.Thread(target=take) for _ in range(2)]\nfor t in ts:\n    t.start()\nfor t in ts:\n\
                      \x20   t.join()\nr = (sorted(seen), errors)\n";

#[test]
fn a_generator_shared_by_two_threads_can_be_found_already_executing() {
    let got: BTreeSet<String> = outcomes(SHARED, "r").into_iter().map(|(v, _)| v).collect();
    assert_eq!(
        got,
        BTreeSet::from(["([0, 1], [])".to_string(), "([0, 1], ['generator already executing'])".to_string(),])
    );
    // The analysis behind the reductions does not cover generator functions, and says so.
    let r = model(SHARED).checker().reduction(Reduction::Full).all_outcomes(true).check();
    assert!(r.notes.iter().any(|n| n.contains("the generator function at line 4 is not modelled")), "{:?}", r.notes);
}

#[test]
fn generator_functions_are_refused_where_their_cleanup_or_delegation_would_matter() {
    for (src, what) in [
        ("def g(xs):\n    yield from xs\n", "2:5: unsupported: yield from"),
        (
            "import threading\nlock = threading.Lock()\ndef g():\n    with lock:\n        yield 1\n",
            "4:5: unsupported: `yield` inside a `with` statement",
        ),
        (
            "def g():\n    try:\n        yield 1\n    finally:\n        pass\n",
            "2:5: unsupported: `yield` inside a `try` statement",
        ),
        (
            "def g(xs):\n    for x in xs:\n        try:\n            pass\n        except ValueError:\n            yield x\n",
            "3:9: unsupported: `yield` inside a `try` statement",
        ),
        ("f = lambda: (yield)\n", "1:14: unsupported: yield in a lambda or a comprehension"),
    ] {
        let e = Model::from_source("bad.py", src).err().unwrap_or_else(|| panic!("accepted: {src}")).to_string();
        assert!(e.contains(what), "{e} does not contain {what}");
    }
    // What only shows when the program runs stops it as not modelled: the generator handed to
    // zip(), unpacked, or listed through enumerate().
    for (call, why) in [
        ("r = list(zip(g(), 'ab'))", "a generator passed to zip()"),
        ("a, b = g()", "iterating a generator other than by a for loop"),
        ("r = list(enumerate(g()))", "iterating a generator other than by a for loop"),
    ] {
        let text = format!("def g():\n    yield 1\n    yield 2\n\n\n{call}\n");
        let r = model(&text).checker().check();
        assert!(r.counterexample.is_none(), "{call}");
        let stop = r.checker_stop.unwrap_or_else(|| panic!("{call}: not stopped"));
        assert!(stop.message.contains(why), "{call}: {}", stop.message);
    }
}

#[test]
fn try_and_with_without_a_yield_inside_run_in_generator_functions_as_in_python311() {
    // tests/fixtures/generator_try_with.out is what python3.11 prints: a `try` with `except` and
    // `finally`, and a `with lock:` whose lock is held inside it and released before the yield.
    crate::language::prints_what_python311_printed("generator_try_with");
}
