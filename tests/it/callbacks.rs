//! Python code that C code calls back, run with its own switch points as CPython runs it:
//! `__str__`, `__repr__`, `__eq__` and `__ne__` of the program's classes (called by `print`,
//! `str()`, formatting, `repr()` of containers, `==`, `in`, `list.index`, …, once per occurrence,
//! in CPython's order, with CPython's errors), `key=` functions, property setters and the
//! predicate of `Condition.wait_for`. The fixtures' output is python3.11's, checked by the tests
//! when it is present.

use crate::language::{one, outcomes, python311_stdout};
use gilcheck::Model;
use gilcheck::SwitchModel;
use gilcheck::{Reduction, Strategy};
use std::collections::BTreeSet;

#[test]
fn special_methods_follow_cpython() {
    let path = "tests/fixtures/special_methods.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "[Point(1, 2), Point(3, 4)] (Point(1, 2),) {'k': Point(3, 4)}\n\
               <Point(3, 4)> Point(1, 2) Point(3, 4) <Point(3, 4)> <Point(3, 4)>|Point(1, 2) <Point(3, 4)> Point(3, 4)\n\
               True 1 1 False\n\
               False False <Po\n\
               [Point(1, 2)]\n\
               TypeError unhashable type: 'Point'\n\
               TypeError __str__ returned non-string (type int)\n\
               TypeError unsupported format string passed to Point.__format__\n\
               repr called\n\
               repr called\n\
               [L, L]\n\
               yes 0 yes 1\n\
               n=2";
    let got: BTreeSet<String> = outcomes(&text, "pts").into_iter().map(|(_, o)| o).collect();
    assert_eq!(got, BTreeSet::from([out.to_string()]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
}

/// What a program prints first, for every outcome, under `switch` (plain stateful search).
fn first_lines(text: &str, switch: SwitchModel) -> BTreeSet<String> {
    let m = Model::from_source("t.py", text).unwrap().with_switch(switch).unwrap();
    let r = m.checker().strategy(Strategy::Stateful).reduction(Reduction::None).all_outcomes(true).check();
    assert!(r.exhaustive, "{:?}", r.limit);
    r.outcomes().map(|o| o.output[0].clone()).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// `__str__` and `__eq__` are Python code: a worker can move between the two attribute reads
/// of `__str__` (a torn `0/1` or `1/0`), and between `__eq__` and the rendering of `print`'s
/// first argument (which `print` renders after all its arguments are evaluated). Under 3.11 the
/// worker's body has no switch point, so only whole moves are seen.
#[test]
fn a_str_method_can_read_an_object_half_updated() {
    let text = concat!(
        "import threading\n\n\nclass Pair:\n    def __init__(self):\n        self.a = 0\n        self.b = 0\n\n",
        "    def __str__(self):\n        return f\"{self.a}/{self.b}\"\n\n",
        "    def __eq__(self, other):\n        return self.a == other.a\n\n\n",
        "p = Pair()\nq = Pair()\n\n\ndef move():\n    p.a += 1\n    p.b += 1\n\n\n",
        "t = threading.Thread(target=move)\nt.start()\nprint(p, p == q)\nt.join()\n",
    );
    assert_eq!(
        first_lines(text, SwitchModel::Bytecode),
        set(&["0/0 True", "0/1 True", "1/0 False", "1/0 True", "1/1 False", "1/1 True"])
    );
    assert_eq!(first_lines(text, SwitchModel::Cpython311), set(&["0/0 True", "1/1 False", "1/1 True"]));
    // The same with the reads under the lock the worker takes: never torn.
    let locked = text
        .replace(
            "        return f\"{self.a}/{self.b}\"\n",
            "        with lock:\n            return f\"{self.a}/{self.b}\"\n",
        )
        .replace("    p.a += 1\n    p.b += 1\n", "    with lock:\n        p.a += 1\n        p.b += 1\n")
        .replace("p = Pair()\n", "lock = threading.Lock()\np = Pair()\n");
    assert_eq!(first_lines(&locked, SwitchModel::Bytecode), set(&["0/0 True", "1/1 False", "1/1 True"]));
}

/// `x in items` runs `__eq__` against each element in turn: a worker that changes an element
/// between two calls is seen by the later ones only.
#[test]
fn membership_runs_eq_element_by_element() {
    let text = concat!(
        "import threading\n\n\nclass Job:\n    def __init__(self, k):\n        self.k = k\n\n",
        "    def __eq__(self, other):\n        return self.k == other.k\n\n\n",
        "jobs = [Job(1), Job(2)]\n\n\ndef swap():\n    jobs[1].k = 1\n    jobs[0].k = 2\n\n\n",
        "t = threading.Thread(target=swap)\nt.start()\nfound = Job(1) in jobs\nt.join()\n",
    );
    // Found unless the first element changed before its comparison and the second after its
    // own: the worker changes the second first, so every order finds a 1.
    assert_eq!(outcomes(text, "found"), BTreeSet::from([one("True", "")]));
    let reversed = text.replace("    jobs[1].k = 1\n    jobs[0].k = 2\n", "    jobs[0].k = 2\n    jobs[1].k = 1\n");
    assert_eq!(outcomes(&reversed, "found"), BTreeSet::from([one("False", ""), one("True", "")]));
}

/// A `__repr__` that renders itself recurses as Python code does, to CPython's `RecursionError`.
#[test]
fn a_callback_that_recurses_ends_in_recursion_error() {
    let text = concat!(
        "class A:\n    def __repr__(self):\n        return repr(self)\n\n\n",
        "try:\n    print(A())\nexcept RecursionError:\n    print(\"rec\")\ndone = True\n",
    );
    let got: BTreeSet<String> = outcomes(text, "done").into_iter().map(|(_, o)| o).collect();
    assert_eq!(got, set(&["rec"]));
}

#[test]
fn other_special_methods_are_refused_with_the_list_of_supported_ones() {
    let text = "class A:\n    def __len__(self):\n        return 0\n";
    let Err(e) = Model::from_source("t.py", text) else { panic!("accepted: {text}") };
    let e = e.to_string();
    assert!(e.contains("t.py:2:9") && e.contains("special method '__len__'"), "{e}");
    assert!(e.contains("__init__, __call__, __str__, __repr__, __eq__, __ne__, __enter__ and __exit__"), "{e}");
}

#[test]
fn key_functions_follow_cpython() {
    let path = "tests/fixtures/key_functions.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "[('a', 1), ('b', 2), ('c', 2)] ['Fig', 'pear', 'kiwi', 'apple'] ['apple', 'Fig', 'kiwi', 'pear']\n\
               ['bob', 'ann', 'cy'] bob ann\n\
               apple Fig 7 None 3\n\
               ['x', 'z', 'y']\n\
               ['x', 'z', 'y']\n\
               ZeroDivisionError division by zero\n\
               ValueError max() arg is an empty sequence\n\
               [3, 2, 1] [3, 1, 2]\n\
               [(2, 4), (1, 1), (0, 0)]";
    let got: BTreeSet<String> = outcomes(&text, "seen").into_iter().map(|(_, o)| o).collect();
    assert_eq!(got, BTreeSet::from([out.to_string()]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
}

/// CPython empties a list while `list.sort` runs its Python key: with another thread alive, which
/// could see it empty, that sort stops the run as not modelled (`sorted` makes a new list).
#[test]
fn sorting_a_list_in_place_by_a_python_key_while_threads_run_is_not_modelled() {
    let text = concat!(
        "import threading\n\nxs = [3, 1, 2]\nout = []\n\n\ndef w():\n    out.append(len(xs))\n\n\n",
        "t = threading.Thread(target=w)\nt.start()\nxs.sort(key=lambda v: -v)\nt.join()\n",
    );
    let r = Model::from_source("t.py", text).unwrap().checker().check();
    let stop = r.checker_stop.expect("a stop of the checker");
    assert!(
        stop.message.contains("list.sort(key=...) with a Python key while another thread runs"),
        "{}",
        stop.message
    );
    let joined_first = text.replace("xs.sort(key=lambda v: -v)\nt.join()\n", "t.join()\nxs.sort(key=lambda v: -v)\n");
    let got: BTreeSet<String> = outcomes(&joined_first, "xs").into_iter().map(|(v, _)| v).collect();
    assert_eq!(got, set(&["[3, 2, 1]"]));
}

/// A key function is Python code that `sorted` calls item by item: a worker's store between
/// two calls decides the order.
#[test]
fn a_key_function_sees_a_concurrent_store_between_its_calls() {
    let text = concat!(
        "import threading\n\nprio = {\"a\": 1, \"b\": 2}\n\n\ndef bump():\n    prio[\"a\"] = 3\n\n\n",
        "t = threading.Thread(target=bump)\nt.start()\norder = sorted(prio, key=lambda k: prio[k])\n",
        "top = max(prio, key=lambda k: prio[k])\nt.join()\n",
    );
    let got: BTreeSet<String> = outcomes(text, "order").into_iter().map(|(v, _)| v).collect();
    assert_eq!(got, BTreeSet::from(["['a', 'b']".to_string(), "['b', 'a']".to_string()]));
    let got: BTreeSet<String> = outcomes(text, "top").into_iter().map(|(v, _)| v).collect();
    assert_eq!(got, BTreeSet::from(["'a'".to_string(), "'b'".to_string()]));
}

/// `@x.setter`: `obj.x = v` runs the setter as Python code (its return dropped, its exception
/// the store's); under 3.11 a switch can come at the getter's and the setter's entry, so the
/// read-modify-write through the property loses an update there too.
#[test]
fn property_setters_run_as_python_code() {
    let path = "tests/fixtures/property_setters.py";
    let text = std::fs::read_to_string(path).unwrap();
    let head = "20 1\nValueError below absolute zero 20\n";
    let got: BTreeSet<String> = outcomes(&text, "t").into_iter().map(|(_, o)| o).collect();
    let want: BTreeSet<String> = ["30 2", "30 3", "40 2", "40 3"].iter().map(|l| format!("{head}{l}")).collect();
    assert_eq!(got, want);
    if let Some(real) = python311_stdout(path) {
        assert!(want.contains(&real.join("\n")), "{real:?}");
    }
    let m = Model::from_source("t.py", &text).unwrap().with_switch(SwitchModel::Cpython311).unwrap();
    let r = m.checker().strategy(Strategy::Stateful).reduction(Reduction::None).all_outcomes(true).check();
    let got: BTreeSet<String> = r.outcomes().map(|o| o.output.join("\n")).collect();
    let want: BTreeSet<String> = ["30 3", "40 3"].iter().map(|l| format!("{head}{l}")).collect();
    assert_eq!(got, want);
}

/// `Condition.wait_for(predicate)`: the predicate (a lambda, Python code) runs with the lock
/// held, before the first wait and after each; every consumer gets an item, in any order.
#[test]
fn condition_wait_for_calls_the_predicate_around_each_wait() {
    let path = "tests/fixtures/condition_wait_for.py";
    let text = std::fs::read_to_string(path).unwrap();
    let got: BTreeSet<String> = outcomes(&text, "items").into_iter().map(|(_, o)| o).collect();
    let want = set(&["a True 0\nb True 1", "a True 1\nb True 0", "b True 0\na True 1", "b True 1\na True 0"]);
    assert_eq!(got, want);
    if let Some(real) = python311_stdout(path) {
        assert!(want.contains(&real.join("\n")), "{real:?}");
    }
    // A third consumer waits for an item that never comes: a deadlock, found.
    let three = text.replace("(\"a\", \"b\")", "(\"a\", \"b\", \"c\")");
    let r = Model::from_source("t.py", &three).unwrap().checker().check();
    let shown = format!("{:?}", r.counterexample);
    assert!(shown.contains("Notify") || shown.contains("notify"), "{shown}");
    // A predicate that holds returns at once (without the lock); one that does not, waits, which
    // needs the lock.
    let text = concat!(
        "import threading\n\ncond = threading.Condition()\nx = cond.wait_for(lambda: 5)\nprint(x)\n",
        "try:\n    cond.wait_for(lambda: 0)\nexcept RuntimeError as e:\n    print(e)\n",
    );
    assert_eq!(
        outcomes(text, "x").into_iter().map(|(_, o)| o).collect::<Vec<_>>(),
        ["5\ncannot wait on un-acquired lock"]
    );
}

/// With a timeout, each wait may expire: `wait_for` then returns the predicate's last result.
#[test]
fn condition_wait_for_with_a_timeout_may_give_up() {
    let text = concat!(
        "import threading\n\n\nclass Flag:\n    def __init__(self):\n        self.cond = threading.Condition()\n",
        "        self.up = False\n\n    def is_up(self):\n        return self.up\n\n    def raise_it(self):\n",
        "        with self.cond:\n            self.up = True\n            self.cond.notify_all()\n\n\n",
        "f = Flag()\nt = threading.Thread(target=f.raise_it)\nt.start()\nwith f.cond:\n",
        "    ok = f.cond.wait_for(f.is_up, timeout=0.5)\nt.join()\n",
    );
    let got: BTreeSet<String> = outcomes(text, "ok").into_iter().map(|(v, _)| v).collect();
    assert_eq!(got, set(&["False", "True"]));
    let untimed = text.replace(", timeout=0.5", "");
    let got: BTreeSet<String> = outcomes(&untimed, "ok").into_iter().map(|(v, _)| v).collect();
    assert_eq!(got, set(&["True"]));
}

/// `with obj:` of a class with `__enter__` and `__exit__`: both are Python code that the
/// instructions call (`__exit__` through WITH_EXCEPT_START when an exception leaves the block,
/// where a true result suppresses it); the lock `__enter__` takes guards the block.
#[test]
fn context_managers_of_the_programs_classes_run_their_methods() {
    let path = "tests/fixtures/context_managers.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "suppressed bad\nKeyError 'k'\n\
               'NoExit' object does not support the context manager protocol (missed __exit__ method)\n\
               2 4 False";
    let got: BTreeSet<String> = outcomes(&text, "total").into_iter().map(|(_, o)| o).collect();
    assert_eq!(got, BTreeSet::from([out.to_string()]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
    // Without the lock in `__enter__`/`__exit__`, the block's update can be lost.
    let racy = text.replace("        self.lock.acquire()\n", "").replace("        self.lock.release()\n", "");
    let got: BTreeSet<String> = outcomes(&racy, "total").into_iter().map(|(v, _)| v).collect();
    assert_eq!(got, set(&["1", "2"]));
}
