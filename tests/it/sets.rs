//! `set` as CPython 3.11 has it: displays, comprehensions, `set(...)`, the methods and the
//! operators, each one C call; the order of iteration and printing is CPython's own hash-table
//! order for ints, floats and tuples of them (the fixture's output is python3.11's, checked by
//! the test), and what would show the order of a set of strs stops the run as not modelled.

use crate::language::{model, one, outcomes, python311_stdout};
use gilcheck::Model;
use gilcheck::{Reduction, Strategy};
use std::collections::BTreeSet;

#[test]
fn sets_follow_cpython() {
    let path = "tests/fixtures/sets.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "[0, 1, 8, 9] 4 True True\n\
               {0, 2, 3, 4, 5, 6, 7, 8} {2} {0, 8, 4, 6} {0, 3, 4, 5, 6, 7, 8}\n\
               True False False True\n\
               {3, 40, 8} set() {1, 3} {0, 1}\n\
               ['ann', 'bob'] True 3\n\
               [3, 40] {8} True False\n\
               {(1, 2), (3, 4)} {0.5, 2305843009213693952, -1, -2} set True\n\
               True True 28 2 11 [2, 3, 5, 7, 11]\n\
               KeyError 12345\n\
               TypeError unhashable type: 'list'\n\
               2163 (100, 36) {9, 1}";
    let got: BTreeSet<String> = outcomes(&text, "total").into_iter().map(|(_, o)| o).collect();
    assert_eq!(got, BTreeSet::from([out.to_string()]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
}

/// The order of a set follows its history: collisions, resizes, removals, copies (each
/// printed line is what python3.11 prints for the same statements).
#[test]
fn set_order_is_cpythons_table_order() {
    let text = "a = {96, 10, 32, 66, 37, 0, 18, 128, 160}\nb = {32, 64, 42, 8, 40, 10, 96, 8}\nc = b.copy()\n\
                b -= {128, 96}\nd = set()\nd.update([32, 64, 96, 8, 40, 42, 10])\ne = set(d)\n\
                f = set()\nfor x in [34, 145, 195, 16, 65]:\n    f.add(x)\ng = f.copy()\nh = {20, 21, 22, 0, 1, 64}\nh.discard(0)\nh.discard(64)\n\
                h.add(96)\nk = [x for x in {5, 13, 21}]\nprint(a, b, c)\nprint(d, e)\nprint(f, g, h, k)\n";
    let out = "{96, 0, 32, 128, 66, 37, 160, 10, 18} {32, 64, 10, 42, 8, 40} {32, 64, 96, 10, 42, 8, 40}\n\
               {32, 64, 96, 8, 40, 42, 10} {32, 64, 96, 10, 42, 8, 40}\n\
               {65, 34, 195, 16, 145} {16, 65, 34, 195, 145} {1, 96, 20, 21, 22} [21, 5, 13]";
    assert_eq!(outcomes(text, "k"), BTreeSet::from([one("[21, 5, 13]", out)]));
}

/// Check-then-act on a set: without the lock both workers may find the item missing and both
/// handle it; with it, exactly one does.
#[test]
fn check_then_add_on_a_set_races_without_a_lock() {
    let body = |locked: bool| {
        let (open, indent) = if locked { ("    with lock:\n", "        ") } else { ("", "    ") };
        format!(
            "import threading\n\nseen = set()\nhandled = []\nlock = threading.Lock()\n\n\ndef visit(url):\n{open}\
             {indent}if url not in seen:\n{indent}    seen.add(url)\n{indent}    handled.append(url)\n\n\n\
             workers = [threading.Thread(target=visit, args=(\"a\",)) for _ in range(2)]\nfor w in workers:\n\
             \x20   w.start()\nfor w in workers:\n    w.join()\nn = len(handled)\nprint(sorted(seen))\n"
        )
    };
    assert_eq!(outcomes(&body(false), "n"), BTreeSet::from([one("1", "['a']"), one("2", "['a']")]));
    assert_eq!(outcomes(&body(true), "n"), BTreeSet::from([one("1", "['a']")]));
}

/// A worker that iterates a set while main adds to it sees the set whole, or CPython's
/// `RuntimeError` when the size changed between two steps of the loop.
#[test]
fn a_set_that_grows_while_it_is_iterated_raises_cpythons_runtime_error() {
    let text = concat!(
        "import threading\n\nitems = {1, 2}\ntotal = 0\n\n\ndef add_up():\n    global total\n",
        "    for x in items:\n        total += x\n\n\n",
        "t = threading.Thread(target=add_up)\nt.start()\nitems.add(4)\nt.join()\n",
    );
    let m = model(text);
    for reduction in [Reduction::None, Reduction::Full] {
        let r = m.checker().strategy(Strategy::Stateful).reduction(reduction).all_outcomes(true).check();
        assert!(r.exhaustive);
        let totals: BTreeSet<String> =
            r.outcomes().filter(|o| o.violation.is_none()).map(|o| o.global("total").unwrap().to_string()).collect();
        assert_eq!(totals, BTreeSet::from(["3".to_string(), "7".to_string()]), "{reduction:?}");
        let errors: BTreeSet<&str> = r.violations.iter().map(|v| v.finding.message.as_str()).collect();
        assert_eq!(errors, BTreeSet::from(["RuntimeError: Set changed size during iteration"]), "{reduction:?}");
    }
}

/// A set of strs has no order the checker can know (CPython hashes strs with a per-run seed):
/// membership, size, `sorted` and comparisons work; printing it, iterating it or `pop` stops
/// the run as not modelled, never as the program's error; iterating a display of strs is
/// refused before exploring.
#[test]
fn the_order_of_a_set_of_strs_is_not_modelled() {
    let ok = "names = {\"bob\", \"ann\"}\nnames.add(\"cy\")\nnames.discard(\"bob\")\n\
              r = (sorted(names), \"ann\" in names, len(names), names == {\"cy\", \"ann\"}, names <= {\"ann\", \"cy\", \"x\"})\n";
    assert_eq!(outcomes(ok, "r"), BTreeSet::from([one("(['ann', 'cy'], True, 2, True, True)", "")]));
    for (text, what) in [
        ("s = {\"a\", \"b\"}\nprint(s)\n", "the str() or repr() of a set that holds a str"),
        ("s = {\"a\", \"b\"}\nr = [x for x in s]\n", "iterating of a set that holds a str"),
        ("s = {1, None}\nr = s.pop()\n", "set.pop() of a set that holds a str"),
        ("s = set()\ns.add(\"x\")\nr = list(s)\n", "iterating of a set"),
    ] {
        let r = model(text).checker().strategy(Strategy::Stateful).check();
        assert!(r.counterexample.is_none(), "{text}");
        let stop = r.checker_stop.unwrap_or_else(|| panic!("not stopped: {text}"));
        assert!(stop.message.contains(what), "{}", stop.message);
    }
    let e = Model::from_source("t.py", "for s in {'a', 'b', 'c'}:\n    pass\n").unwrap_err().to_string();
    assert!(e.contains("t.py:1:10") && e.contains("iterating a set of strs"), "{e}");
}
