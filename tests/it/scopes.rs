//! Nested scopes as CPython 3.11 has them: nested functions, closures and `nonlocal` (the
//! variables they share live in cells, which threads can race on), classes with a base class
//! and `super()` (a method's `__class__` cell), and subclasses of `threading.Thread`.

use crate::language::{model, one, outcomes, prints_what_python311_printed, python311_stdout};
use gilcheck::{Model, Verdict};
use gilcheck::{Reduction, Strategy};
use std::collections::BTreeSet;

/// The error that `text` (as file `name`) is refused with.
fn refusal(name: &str, text: &str) -> String {
    match Model::from_source(name, text) {
        Ok(_) => panic!("accepted: {text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn closures_and_nonlocal_follow_cpython() {
    let path = "tests/fixtures/closures.py";
    let text = std::fs::read_to_string(path).unwrap();
    // What python3.11 prints (the last line whatever the order of the threads).
    let out =
        "NameError: cannot access free variable 'later' where it is not associated with a value in enclosing scope\n\
               7 ([6, 8], {1: 3, 2: 4, 3: 5, 4: 6}, [[], [0]]) [2, 2, 2] 1\n\
               True";
    // `count += step` through the cell is a read-modify-write: 0, 1 or 2 of the four bumps
    // of 10 may be lost... and at most two, since each thread's own bumps are ordered.
    let want: BTreeSet<_> = ["12", "13", "14"].iter().map(|v| one(v, out)).collect();
    assert_eq!(outcomes(&text, "total"), want);
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
}

#[test]
fn a_closure_variable_shared_by_threads_races_and_a_lock_in_the_closure_fixes_it() {
    let racy = "import threading\n\
                def make():\n    n = 0\n    def bump():\n        nonlocal n\n        n += 1\n    \
                def get():\n        return n\n    return bump, get\n\
                bump, get = make()\n\
                def work():\n    bump()\n    bump()\n\
                t1 = threading.Thread(target=work)\nt2 = threading.Thread(target=work)\n\
                t1.start()\nt2.start()\nt1.join()\nt2.join()\n\
                total = get()\nassert total == 4, total\n";
    let r = model(racy).checker().strategy(Strategy::Stateful).check();
    assert_eq!(r.verdict, Verdict::Violated);
    let cex = r.counterexample.expect("a lost update");
    assert!(cex.finding.message.contains("AssertionError"), "{}", cex.finding.message);
    let totals: BTreeSet<String> = outcomes(racy, "total").into_iter().map(|(v, _)| v).collect();
    assert_eq!(totals, ["2", "3", "4"].into_iter().map(String::from).collect());
    // The reductions leave closure cells to plain search, and say so.
    let r = model(racy).checker().reduction(Reduction::Full).check();
    let note = r.notes.join("\n");
    assert!(note.contains("closure cells (the variables of make that nested functions share)"), "{note}");
    let locked = racy
        .replace("    n = 0\n", "    n = 0\n    lock = threading.Lock()\n")
        .replace("        n += 1\n", "        with lock:\n            n += 1\n");
    let r = model(&locked).checker().strategy(Strategy::Stateful).check();
    assert_eq!(r.verdict, Verdict::Holds, "{:?}", r.counterexample.map(|c| c.finding));
}

#[test]
fn a_closure_can_be_a_thread_target() {
    let text = "import threading\nlog = []\n\
                def make_worker(tag):\n    def work():\n        log.append(tag)\n    return work\n\
                a = threading.Thread(target=make_worker('a'))\nb = threading.Thread(target=make_worker('b'))\n\
                a.start()\nb.start()\na.join()\nb.join()\n";
    let logs: BTreeSet<String> = outcomes(text, "log").into_iter().map(|(v, _)| v).collect();
    assert_eq!(logs, ["['a', 'b']", "['b', 'a']"].into_iter().map(String::from).collect());
}

#[test]
fn scope_errors_are_cpythons_syntax_errors_at_their_line() {
    let err = |text: &str| refusal("s.py", text);
    let e = err("import threading\ndef f():\n    def g():\n        nonlocal x\n        x = 1\n    return g\n");
    assert!(e.contains("s.py:4:9") && e.contains("no binding for nonlocal 'x' found"), "{e}");
    let e = err("import threading\nnonlocal x\n");
    assert!(e.contains("s.py:2:1") && e.contains("nonlocal declaration not allowed at module level"), "{e}");
    let e = err("import threading\ndef f():\n    x = 1\n    def g():\n        x = 2\n        nonlocal x\n");
    assert!(e.contains("s.py:6:9") && e.contains("name 'x' is assigned to before nonlocal declaration"), "{e}");
    let e = err("import threading\ndef f(x):\n    def g(x):\n        nonlocal x\n");
    assert!(e.contains("name 'x' is parameter and nonlocal"), "{e}");
}

#[test]
fn inheritance_and_super_follow_cpython() {
    let path = "tests/fixtures/inheritance.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "True True False plain\n\
               RuntimeError: super(): no arguments\n\
               AttributeError: 'LockedCounter' object has no attribute 'missing'\n\
               double c=12 2 1";
    assert_eq!(outcomes(&text, "summary"), [one("'double c=12'", out)].into_iter().collect());
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
}

/// A class body's names are its own namespace, then the module's globals: not the base
/// classes' attributes, and `__module__` is the module's `__name__`.
#[test]
fn a_class_body_reads_its_namespace_then_the_globals_not_its_bases() {
    let text = "class A:\n    x = 1\n    z = 2\n\n\nx = 5\n\n\nclass B(A):\n    y = x\n    z = 3\n    w = z\n\n\n\
                r = (B.y, B.w, B.x, B.__module__)\n";
    assert_eq!(outcomes(text, "r"), [one("(5, 3, 1, '__main__')", "")].into_iter().collect());
}

#[test]
fn an_inherited_read_modify_write_races_in_the_subclass() {
    let text = "import threading\n\
                class Base:\n    def __init__(self):\n        self.n = 0\n    def bump(self):\n        self.n += 1\n\
                class Sub(Base):\n    def __init__(self):\n        super().__init__()\n        self.hits = 0\n    \
                def bump(self):\n        super().bump()\n        self.hits += 1\n\
                s = Sub()\nt = threading.Thread(target=s.bump)\nt.start()\ns.bump()\nt.join()\nn = s.n\n";
    let ns: BTreeSet<String> = outcomes(text, "n").into_iter().map(|(v, _)| v).collect();
    assert_eq!(ns, ["1", "2"].into_iter().map(String::from).collect());
}

#[test]
fn thread_subclasses_follow_cpython() {
    let path = "tests/fixtures/thread_subclass.py";
    let text = std::fs::read_to_string(path).unwrap();
    // What python3.11 prints: Thread.__init__ counts every thread it names (Named's counted
    // name is replaced, yet the default one is Thread-4), and start() refuses a thread whose
    // __init__ never ran.
    let out = "3 [1, 2] ['Thread-1', 'Thread-2'] custom ['p']\n\
               False Thread-4 (plain) True\n\
               RuntimeError: thread.__init__() not called";
    assert_eq!(outcomes(&text, "counter"), [one("3", out)].into_iter().collect());
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
    // run() of two subclass threads races like any target function.
    let racy =
        "import threading\nn = 0\nclass T(threading.Thread):\n    def run(self):\n        global n\n        n += 1\n\
                a = T()\nb = T()\na.start()\nb.start()\na.join()\nb.join()\n";
    let ns: BTreeSet<String> = outcomes(racy, "n").into_iter().map(|(v, _)| v).collect();
    assert_eq!(ns, ["1", "2"].into_iter().map(String::from).collect());
    // threading.current_thread() in a subclass's run() is the instance itself (python3.11
    // prints `True w1 1 True`); in the main thread and in a plain thread, their Thread objects.
    let me = "import threading\nclass W(threading.Thread):\n    def __init__(self):\n        super().__init__(name='w1')\n        self.n = 1\n    def run(self):\n        c = threading.current_thread()\n        print(c is self, c.name, c.n, c == self)\nw = W()\nw.start()\nw.join()\nm = threading.current_thread()\nprint(m.name, m is threading.main_thread())\n";
    assert_eq!(outcomes(me, "w").into_iter().map(|(_, o)| o).collect::<Vec<_>>(), ["True w1 1 True\nMainThread True"]);
}

#[test]
fn a_plain_threads_name_and_daemon_can_be_set_as_in_cpython() {
    // tests/fixtures/thread_objects.out is what python3.11 prints for the fixture: `t.name = v`
    // stores str(v), `t.daemon = ...` works before start() and is CPython's RuntimeError after.
    prints_what_python311_printed("thread_objects");
}

#[test]
fn isinstance_answers_as_cpython_or_stops_as_not_modelled() {
    let text = "import threading\ntry:\n    x = 1 // 0\nexcept Exception as e:\n    err = e\n\
                a = isinstance(err, ZeroDivisionError)\nb = isinstance(err, (KeyError, ArithmeticError))\n\
                c = isinstance(threading.current_thread(), threading.Thread)\nd = isinstance(3, object)\n\
                r = (a, b, c, d)\n";
    assert_eq!(outcomes(text, "r"), [one("(True, True, True, True)", "")].into_iter().collect());
    // `range` is a class in CPython: not the program's TypeError, but not modelled here.
    let r = model("import threading\nr = isinstance(3, range)\n").checker().check();
    assert!(r.counterexample.is_none());
    let stop = r.checker_stop.expect("stopped as not modelled");
    assert!(stop.message.contains("isinstance() with range"), "{}", stop.message);
    // `len` is a function: CPython's TypeError.
    let r = model("import threading\nr = isinstance(3, len)\n").checker().check();
    let cex = r.counterexample.expect("a TypeError");
    assert!(cex.finding.message.contains("TypeError: isinstance() arg 2 must be a type"), "{}", cex.finding.message);
}

#[test]
fn bases_that_are_not_classes_of_the_program_are_refused_with_a_hint() {
    let err = |text: &str| refusal("b.py", text);
    let e = err("import threading\nclass W(threading.Event):\n    pass\n");
    assert!(e.contains("b.py:2:9: unsupported: this base class") && e.contains("threading.Thread"), "{e}");
    let e = err("import threading\nclass A:\n    pass\nclass B:\n    pass\nclass C(A, B):\n    pass\n");
    assert!(e.contains("b.py:6:12: unsupported: multiple inheritance"), "{e}");
    // A class used before it is defined is no base either.
    let e = err("import threading\nclass B(A):\n    pass\nclass A:\n    pass\n");
    assert!(e.contains("b.py:2:9: unsupported: this base class"), "{e}");
    let e = err("import threading\nclass A:\n    def f(self):\n        return super(A, self).f()\n");
    assert!(e.contains("b.py:4:16: unsupported: super() with arguments"), "{e}");
}

#[test]
fn a_trace_through_a_closure_shows_the_cells_without_a_line_of_their_own() {
    let text = "import threading\ndef make():\n    n = 0\n    def bump():\n        nonlocal n\n        n += 1\n    \
                return bump\nbump = make()\nt = threading.Thread(target=bump)\nt.start()\nbump()\nt.join()\n";
    let path = crate::cli::write_temp("closure_trace.py", text);
    // Main starts T1, whose first step (the closure's COPY_FREE_VARS) has no line.
    let o = crate::cli::gilcheck(&["trace", path.to_str().unwrap(), "--schedule", "0x37,1x7"]);
    let out = crate::cli::stdout(&o);
    assert!(out.contains("T1    COPY_FREE_VARS"), "{out}");
    assert!(out.contains("STORE_DEREF n"), "{out}");
    assert!(!out.contains("line 0:"), "{out}");
}

#[test]
fn starred_and_list_targets_unpack_any_iterable_as_cpython_does() {
    let path = "tests/fixtures/unpacking.py";
    let text = std::fs::read_to_string(path).unwrap();
    // What python3.11 prints before the last line (the same in every run).
    let fixed = "1 [2, 3, 4] [5, 6] 7 g ['i', 'l', 'c', 'h', 'e', 'c'] k x y 0 1 9 []\n\
                 ValueError: too many values to unpack (expected 2)\n\
                 ValueError: not enough values to unpack (expected 2, got 1)\n\
                 ValueError: too many values to unpack (expected 1)\n\
                 TypeError: cannot unpack non-iterable int object\n\
                 ValueError: not enough values to unpack (expected at least 2, got 1)\n\
                 1 [2, 3]\n\
                 4 []";
    // `x, *others = shared` reads the list in one step: before or after main's append.
    let want: BTreeSet<_> = ["[(10, 2)]", "[(10, 3)]"].iter().map(|v| one(v, &format!("{fixed}\n{v}"))).collect();
    assert_eq!(outcomes(&text, "got"), want);
    if let Some(real) = python311_stdout(path) {
        let real = real.join("\n");
        assert!(real == format!("{fixed}\n[(10, 2)]") || real == format!("{fixed}\n[(10, 3)]"), "{real}");
    }
}

#[test]
fn a_second_starred_target_or_a_lone_one_is_cpythons_syntax_error() {
    for (text, want) in [
        ("a, *b, *c = [1, 2]\n", "t.py:1:8: multiple starred expressions in assignment"),
        ("*a = [1, 2]\n", "t.py:1:1: starred assignment target must be in a list or tuple"),
    ] {
        let e = refusal("t.py", text);
        assert!(e.contains(want), "{text}: {e}");
    }
}

#[test]
fn calls_that_spread_their_arguments_bind_as_cpython_binds_them() {
    let path = "tests/fixtures/star_calls.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "x () [] y (1, 2) [] z (3,) [('j', 5), ('k', 4)]\n\
               3 17 6 5 14\n\
               2-1-1-2\n\
               1 2 3\n\
               add() got multiple values for argument 'a'\n\
               __main__.add() got multiple values for keyword argument 'a'\n\
               keywords must be strings\n\
               __main__.add() argument after * must be an iterable, not int\n\
               __main__.add() argument after ** must be a mapping, not list\n\
               add() takes from 1 to 2 positional arguments but 5 were given\n\
               describe() missing 1 required positional argument: 'name'\n\
               add() got an unexpected keyword argument 'c'\n\
               print() argument after * must be an iterable, not int\n\
               ['call', 'call']";
    assert_eq!(outcomes(&text, "log"), BTreeSet::from([one("['call', 'call']", out)]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
}

#[test]
fn a_wrapper_that_spreads_its_arguments_keeps_the_race_of_what_it_wraps() {
    // The wrapper adds no lock: the two increments through it still race.
    let m = model(
        "import threading\ncount = 0\n\n\ndef traced(func):\n    def wrapper(*args, **kwargs):\n        \
         return func(*args, **kwargs)\n    return wrapper\n\n\ndef bump(by):\n    global count\n    count += by\n\n\n\
         safe = traced(bump)\nt1 = threading.Thread(target=safe, args=(1,))\nt2 = threading.Thread(target=safe, args=(2,))\n\
         t1.start()\nt2.start()\nt1.join()\nt2.join()\n",
    );
    let r = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    assert_eq!(r.int_values("count"), BTreeSet::from([1, 2, 3]));
    // The analysis does not model a spread call: the reductions step aside, and say why.
    let m = model(
        "import threading\ncount = 0\n\n\ndef bump(by):\n    global count\n    count += by\n\n\n\
         def call_with(a):\n    bump(*a)\n\n\nt1 = threading.Thread(target=call_with, args=((1,),))\n\
         t2 = threading.Thread(target=call_with, args=((2,),))\nt1.start()\nt2.start()\nt1.join()\nt2.join()\n",
    );
    let r = m.checker().reduction(Reduction::Full).all_outcomes(true).check();
    assert!(r.notes.iter().any(|n| n.contains("the call with *args or **kwargs at line 11")), "{:?}", r.notes);
    assert_eq!(r.int_values("count"), BTreeSet::from([1, 2, 3]));
}

#[test]
fn assignment_expressions_bind_where_cpython_binds_them() {
    let path = "tests/fixtures/walrus.py";
    let text = std::fs::read_to_string(path).unwrap();
    // Each worker pops under the lock and records how many jobs were left: always the same.
    let out = "many jobs: 3\n6 10 5\n[(1, 2), (2, 3), (3, 1)] 3";
    assert_eq!(outcomes(&text, "n"), BTreeSet::from([one("3", out)]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
    // In a comprehension `:=` would bind in the enclosing scope: refused.
    let e = refusal("t.py", "xs = [1]\nys = [y for x in xs if (y := x)]\n");
    assert!(e.contains("t.py:2:25: unsupported: assignment expression ':=' in a comprehension or lambda"), "{e}");
}

#[test]
fn keyword_only_parameters_bind_as_cpython_binds_them() {
    let path = "tests/fixtures/keyword_only.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "10 [('debug', 'main', 'boot'), ('debug', 'main', 'ready'), ('info', 'm1', 'tick')]\n\
               TypeError: record() missing 1 required keyword-only argument: 'source'\n\
               TypeError: record() takes 1 positional argument but 3 were given\n\
               TypeError: Meter.__init__() takes 2 positional arguments but 3 positional arguments \
               (and 1 keyword-only argument) were given";
    let got: BTreeSet<String> = outcomes(&text, "bad").into_iter().map(|(_, o)| o).collect();
    assert_eq!(got, BTreeSet::from([out.to_string()]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
    // The analysis does not model them: the reductions step aside, and say why.
    let m = model(
        "import threading\ncount = 0\nlock = threading.Lock()\n\n\ndef bump(*, by):\n    global count\n\
         \x20   with lock:\n        count += by\n\n\ndef work():\n    bump(by=1)\n\n\n\
         t1 = threading.Thread(target=work)\nt2 = threading.Thread(target=work)\n\
         t1.start()\nt2.start()\nt1.join()\nt2.join()\n",
    );
    let r = m.checker().reduction(Reduction::Full).all_outcomes(true).check();
    assert!(r.notes.iter().any(|n| n.contains("the keyword-only parameters of bump (line 6)")), "{:?}", r.notes);
    assert_eq!(r.int_values("count"), BTreeSet::from([2]));
}

/// `@staticmethod` and `@classmethod`: found on the class or an instance, a static method is
/// the plain function and a class method is bound to the class (the subclass it is reached
/// through); `cls.count += 1` under the class's lock counts every account the two threads open.
#[test]
fn static_and_class_methods_follow_cpython() {
    let path = "tests/fixtures/static_class_methods.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "5 5 Savings 50 55\n2 0 Savings Savings y";
    let got: BTreeSet<String> = outcomes(&text, "s").into_iter().map(|(_, o)| o).collect();
    assert_eq!(got, BTreeSet::from([out.to_string()]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
    // Without the lock, two threads' `cls.count += 1` can lose an update.
    let racy = text.replace("        with cls.lock:\n            cls.count += 1\n", "        cls.count += 1\n");
    let firsts: BTreeSet<String> =
        outcomes(&racy, "s").into_iter().map(|(_, o)| o.split(' ').next().unwrap().to_string()).collect();
    assert_eq!(firsts, BTreeSet::from(["3".to_string(), "4".to_string(), "5".to_string()]));
}
