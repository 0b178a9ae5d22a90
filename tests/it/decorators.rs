//! Decorators of the program's own (`@logged`, `@retry(3)`, stacked, on methods), and the
//! `functools`, `operator` and `copy` modules: `partial` (also as a thread target), `reduce`
//! (whose Python function runs with its own switch points while the iteration stays live),
//! `wraps`, the operator functions, `itemgetter`/`attrgetter`, `copy.copy` and `copy.deepcopy`.

use crate::language::python311_stdout;
use gilcheck::Model;
use gilcheck::SwitchModel;
use gilcheck::{Reduction, Strategy, Verdict};
use std::collections::BTreeSet;

fn model(text: &str) -> Model {
    Model::from_source("deco.py", text).unwrap_or_else(|e| panic!("{e}"))
}

/// Every outcome's printed output (and `! how it ended`, for a violation), exhaustively, under
/// `reduction`.
fn outputs(m: &Model, reduction: Reduction) -> BTreeSet<String> {
    let r = m.checker().strategy(Strategy::Stateful).reduction(reduction).all_outcomes(true).check();
    assert!(r.exhaustive, "the search was cut: {:?}", r.limit);
    printed(&r)
}

/// Each outcome of `r` as its printed lines, then `! how it ended` for a violation.
pub(crate) fn printed(r: &gilcheck::Report) -> BTreeSet<String> {
    r.outcomes()
        .map(|o| {
            let mut s = o.output.join("\n");
            if let Some(v) = &o.violation {
                s.push_str(&format!("\n! {v}"));
            }
            s
        })
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn stdlib_functions_fixture_prints_what_python311_prints() {
    let path = "tests/fixtures/stdlib_functions.py";
    let want = "['bo', 'al']\n('bo', 3)\n(20, 10) h\n\
                operator.itemgetter(1) operator.attrgetter('a', 'b') operator.itemgetter('k')\n\
                True [1, 2, 3] 3.5 3.5 -4\nTrue True True True -4\nTrue 1 True 3\n\
                {'k': 5} 1-x 1024 {1, 2}\n120 9\nx+y\n7 (10, 3) True\n\
                TypeError reduce() of empty iterable with no initial value\n\
                TypeError the first argument must be callable\n\
                TypeError unsupported operand type(s) for +: 'int' and 'str'\n\
                IndexError list index out of range\n\
                AttributeError 'P' object has no attribute 'zz'\n\
                HI HI AL run BOX None\n[[1, 9], 2] [[1], 2] True True\nTrue False {1, 2} {'k': [1]}";
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(outputs(&model(&text), Reduction::None), set(&[want]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), want);
    }
}

/// `reduce` reads a list as its iterator does, one item after each call of its function, so an
/// append from another thread between two calls is folded in (CPython's list iterator is live).
#[test]
fn reduce_with_a_python_function_iterates_live() {
    let text = "import threading\nfrom functools import reduce\nitems = [1, 2, 3]\n\
                def add(a, b):\n    return a + b\n\
                def grow():\n    items.append(10)\n\
                t = threading.Thread(target=grow)\nt.start()\ntotal = reduce(add, items)\nt.join()\nprint(total)\n";
    for switch in [SwitchModel::Bytecode, SwitchModel::Cpython311] {
        let m = model(text).with_switch(switch).unwrap();
        assert_eq!(outputs(&m, Reduction::None), set(&["6", "16"]), "{switch}");
    }
}

/// A partial calls its Python function from C: 3.11 checks the eval breaker at the function's
/// RESUME and again when the CALL of the partial returns, so another thread can run between the
/// return and the caller's next read; a direct call returns without a check.
#[test]
fn a_partial_call_returns_at_a_switch_point_under_311_and_a_direct_call_does_not() {
    let text = |call: &str| {
        format!(
            "import threading\nfrom functools import partial\nx = 0\nseen = []\n\
             def setx(v):\n    global x\n    x = v\n\
             def first():\n    {call}\n    seen.append(x)\n\
             def second():\n    global x\n    x = 2\n\
             t1 = threading.Thread(target=first)\nt2 = threading.Thread(target=second)\n\
             t1.start()\nt2.start()\nt1.join()\nt2.join()\nprint(seen)\n"
        )
    };
    let m = model(&text("partial(setx, 1)()")).with_switch(SwitchModel::Cpython311).unwrap();
    assert_eq!(outputs(&m, Reduction::None), set(&["[1]", "[2]"]));
    let m = model(&text("setx(1)")).with_switch(SwitchModel::Cpython311).unwrap();
    assert_eq!(outputs(&m, Reduction::None), set(&["[1]"]));
    // Every boundary may switch under `bytecode`.
    let m = model(&text("setx(1)"));
    assert_eq!(outputs(&m, Reduction::None), set(&["[1]", "[2]"]));
}

/// A partial as a thread target: `run()` calls it, and CPython names the thread `Thread-N`
/// without a target name (a partial has no `__name__`); a function wrapped with
/// `functools.wraps` names its thread after the wrapped function.
#[test]
fn partial_and_wrapped_thread_targets_run_and_are_named_as_cpython_names_them() {
    let text = "import threading, functools\nout = []\n\
                def work(tag, n):\n    out.append(tag * n)\n\
                def deco(f):\n    @functools.wraps(f)\n    def inner(*a):\n        return f(*a)\n    return inner\n\
                @deco\ndef job(n):\n    out.append(n)\n\
                t1 = threading.Thread(target=functools.partial(work, 'ab'), args=(2,))\n\
                t2 = threading.Thread(target=job, args=(5,))\n\
                t1.start()\nt1.join()\nt2.start()\nt2.join()\nprint(out, t1.name, t2.name)\n";
    assert_eq!(outputs(&model(text), Reduction::None), set(&["['abab', 5] Thread-1 Thread-2 (job)"]));
}

/// A decorator that hands back another function: the reduced search follows what the name is
/// bound to at run time, not the `def` under it, and agrees with plain search.
#[test]
fn a_decorator_that_swaps_the_function_is_followed_by_every_search() {
    let text = "import threading\ncounter = 0\nlock = threading.Lock()\n\
                def racy():\n    global counter\n    for _ in range(2):\n        counter += 1\n\
                def swap(fn):\n    return racy\n\
                @swap\ndef work():\n    global counter\n    for _ in range(2):\n        with lock:\n            counter += 1\n\
                t1 = threading.Thread(target=work)\nt2 = threading.Thread(target=work)\n\
                t1.start()\nt2.start()\nt1.join()\nt2.join()\nprint(counter)\n";
    let want = set(&["2", "3", "4"]);
    for reduction in [Reduction::None, Reduction::Full] {
        assert_eq!(outputs(&model(text), reduction), want, "{reduction:?}");
    }
    let r = model(&text.replace("print(counter)", "assert counter == 4")).checker().check();
    assert_eq!(r.verdict, Verdict::Violated);
}

/// `copy.deepcopy` walks the object in Python, item by item: while another thread is alive it
/// could see a half-changed object, which the checker does not model, so the run stops there
/// (never as the program's error); before the threads start, or of immutable values, it is exact.
#[test]
fn deepcopy_while_another_thread_runs_stops_as_not_modelled() {
    let text = "import threading, copy\nstate = {'a': [1]}\n\
                def grow():\n    state['a'].append(2)\n\
                t = threading.Thread(target=grow)\nt.start()\nsnap = copy.deepcopy(state)\nt.join()\nprint(snap)\n";
    let r = model(text).checker().check();
    let stop = r.checker_stop.expect("stopped as not modelled");
    assert!(
        stop.message.contains("copy.deepcopy of a mutable object while another thread is alive"),
        "{}",
        stop.message
    );
    let fine = text.replace("snap = copy.deepcopy(state)\nt.join()", "t.join()\nsnap = copy.deepcopy(state)");
    assert_eq!(outputs(&model(&fine), Reduction::None), set(&["{'a': [1, 2]}"]));
    let immutable = text.replace("copy.deepcopy(state)", "copy.deepcopy((1, 'x'))");
    assert_eq!(outputs(&model(&immutable), Reduction::None), set(&["(1, 'x')"]));
}

/// What the modules' models leave out is refused before the run, with the line and column.
#[test]
fn what_decorators_and_the_modules_do_not_model_is_refused() {
    let refusal = |text: &str| match Model::from_source("r.py", text) {
        Ok(_) => panic!("accepted: {text}"),
        Err(e) => e.to_string(),
    };
    let e = refusal("from functools import lru_cache\n");
    assert!(e.contains("r.py:1:23: unsupported: from functools import lru_cache"), "{e}");
    assert!(e.contains("partial, reduce, wraps"), "{e}");
    let e = refusal("import functools\ndef f(g):\n    return functools.wraps(g, assigned=())\n");
    assert!(e.contains("r.py:3:31: unsupported: keyword argument 'assigned' to functools.wraps"), "{e}");
    let e = refusal("import operator\nf = operator.methodcaller('x')\n");
    assert!(e.contains("r.py:2:5: unsupported: operator.methodcaller"), "{e}");
    let e = refusal("@property\ndef f():\n    return 1\n");
    assert!(e.contains("r.py:1:1: unsupported: @property, @staticmethod or @classmethod here"), "{e}");
    let e = refusal("import copy\nx = copy.deepcopy([1], {})\n");
    assert!(e.contains("r.py:2:5: unsupported: copy.deepcopy() with 2 arguments"), "{e}");
    // A partial would hide a blocking call from the scheduler, which must see it at the CALL.
    let r = model("import threading, functools\nlock = threading.Lock()\nfunctools.partial(lock.acquire)()\n")
        .checker()
        .check();
    let stop = r.checker_stop.expect("stopped as not modelled");
    assert!(stop.message.contains("functools.partial of a lock's"), "{}", stop.message);
    // Printing a partial would show its function's address.
    let r = model("import functools\nprint(functools.partial(print, 1))\n").checker().check();
    let stop = r.checker_stop.expect("stopped as not modelled");
    assert!(stop.message.contains("functools.partial"), "{}", stop.message);
}

/// Defaults are evaluated once, where the `def` or `lambda` runs (`lambda i=i: ...` keeps each
/// loop value; a mutable default is one object that every call shares, so two threads that
/// update it through the default race like on a global).
#[test]
fn default_values_are_evaluated_when_the_def_or_lambda_runs() {
    let path = "tests/fixtures/runtime_defaults.py";
    let want = "[0, 6, 12] [1, 2] [1, 2] 11\nThread-1 (<lambda>)";
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(outputs(&model(&text), Reduction::None), set(&[want]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), want);
    }
    let shared = "import threading\nbox = [0]\n\
                  def bump(cell=box):\n    cell[0] += 1\n\
                  t1 = threading.Thread(target=bump)\nt2 = threading.Thread(target=bump)\n\
                  t1.start()\nt2.start()\nt1.join()\nt2.join()\nprint(box)\n";
    assert_eq!(outputs(&model(shared), Reduction::None), set(&["[1]", "[2]"]));
}

/// Functions and partials are objects with an identity: two made from one `def` or `lambda`
/// are distinct (`is` and `==`, which CPython answers by identity), one bound twice is itself.
#[test]
fn functions_and_partials_compare_by_identity() {
    let text = "import functools\nfs = [lambda: 0 for _ in range(2)]\n\
                def make():\n    def inner():\n        return 1\n    return inner\n\
                a, b = make(), make()\ng = fs[0]\n\
                p, q = functools.partial(print, 1), functools.partial(print, 1)\nr = p\n\
                print(fs[0] is fs[1], fs[0] == fs[1], g is fs[0], a is b, a == b, a is a, p is q, p == q, r is p, \
                r == p, g in fs)\n";
    let want = "False False True False False True False False True True True";
    assert_eq!(outputs(&model(text), Reduction::None), set(&[want]));
}

/// An instance whose class defines `__call__` is callable: as a decorator, as a thread target
/// (`run()` calls it; the thread is `Thread-N`), and called directly; under 3.11 its method
/// checks at its RESUME and the CALL checks again when it returns, like a partial's function.
#[test]
fn callable_instances_are_called_through_their_call_method() {
    let text = std::fs::read_to_string("models/realistic/call_tracker.py").unwrap();
    let m = model(&text).with_switch(SwitchModel::Cpython311).unwrap();
    assert_eq!(outputs(&m, Reduction::None), set(&["job 2 4\njob 3 9\n2 Thread-1", "job 3 9\njob 2 4\n2 Thread-1"]));
    let returns = "import threading\nx = 0\nseen = []\n\
                   class Set:\n    def __call__(self, v):\n        global x\n        x = v\n\
                   setx = Set()\n\
                   def first():\n    setx(1)\n    seen.append(x)\n\
                   def second():\n    global x\n    x = 2\n\
                   t1 = threading.Thread(target=first)\nt2 = threading.Thread(target=second)\n\
                   t1.start()\nt2.start()\nt1.join()\nt2.join()\nprint(seen)\n";
    let m = model(returns).with_switch(SwitchModel::Cpython311).unwrap();
    assert_eq!(outputs(&m, Reduction::None), set(&["[1]", "[2]"]));
}
