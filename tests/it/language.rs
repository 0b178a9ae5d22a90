//! The Python that programs are written in, beyond the seed: operators, annotations and imports,
//! each with the exact outcome set CPython 3.11 allows (the values in the comments are what
//! `python3.11` prints for the same program).

use gilcheck::Model;
use gilcheck::{Reduction, Strategy};
use std::collections::BTreeSet;

pub(crate) fn model(text: &str) -> Model {
    Model::from_source("lang.py", text).unwrap_or_else(|e| panic!("{e}"))
}

/// The exact set of (`name`'s repr, printed output) outcomes, under plain stateful search and
/// under the full reductions (which must agree).
pub(crate) fn outcomes(text: &str, name: &str) -> BTreeSet<(String, String)> {
    let m = model(text);
    let mut sets = Vec::new();
    for reduction in [Reduction::None, Reduction::Full] {
        let r = m.checker().strategy(Strategy::Stateful).reduction(reduction).all_outcomes(true).check();
        assert!(r.exhaustive, "the search was cut: {:?}", r.limit);
        let set: BTreeSet<(String, String)> = r
            .outcomes()
            .map(|o| {
                let v = o.global(name).unwrap_or_else(|| panic!("no {name}: {o:?}")).to_string();
                (v, o.output.join("\n"))
            })
            .collect();
        sets.push(set);
    }
    assert_eq!(sets[0], sets[1], "reductions vs plain");
    sets.remove(0)
}

pub(crate) fn one(v: &str, out: &str) -> (String, String) {
    (v.to_string(), out.to_string())
}

#[test]
fn int_operators_and_their_augmented_forms_race_like_any_read_modify_write() {
    let text = std::fs::read_to_string("tests/fixtures/int_operators.py").unwrap();
    // python3.11 prints this line, whatever the order of the threads.
    let line = "196 True 1 -3 1267650600228229401496703205376 1180591620717411303424 -27 -7 9 -147573952589676412928";
    // `mask |= 1 << bit` is a read-modify-write: one thread's bit may be lost.
    let want: BTreeSet<_> = ["1", "8", "9"].iter().map(|m| one(m, line)).collect();
    assert_eq!(outcomes(&text, "mask"), want);
}

#[test]
fn shift_by_a_negative_count_is_the_programs_value_error() {
    let r = model("import threading\nk = -1\nx = 1 << k\n").checker().check();
    let cex = r.counterexample.expect("a ValueError");
    assert!(cex.finding.message.contains("ValueError: negative shift count"), "{}", cex.finding.message);
}

#[test]
fn a_negative_power_is_a_float_and_a_complex_result_is_refused_not_reported() {
    assert_eq!(outcomes("import threading\nk = -1\nx = 2 ** k\n", "x"), [one("0.5", "")].into_iter().collect());
    // (-8) ** 0.5 is a complex number in CPython: outside the model, never the program's error.
    let r = model("import threading\nk = -8\nx = k ** 0.5\n").checker().check();
    assert!(r.counterexample.is_none());
    let stop = r.checker_stop.expect("a stop of the checker");
    assert!(stop.message.contains("complex number"), "{}", stop.message);
}

#[test]
fn a_failed_sequence_comparison_names_the_items_that_differ() {
    // python3.11 prints these lines: tuples and lists compare by their first items that differ
    // (searched again inside nested ones), and the TypeError names those items' types.
    let text = concat!(
        "class T:\n    pass\nout = []\n",
        "for a, b in [((1, T()), (1, T())), ([1, [T()]], [1, [T()]]), ((1, 2), (1, 'x')), ([1], [1, T()]),\n",
        "             ((1, (2, 2.5)), (1, (2, None))), (('a', 1), ('b', None))]:\n",
        "    try:\n        out.append(str(a < b))\n    except TypeError as e:\n        out.append(str(e))\n",
        "print('|'.join(out))\n",
    );
    let printed = [
        "'<' not supported between instances of 'T' and 'T'",
        "'<' not supported between instances of 'T' and 'T'",
        "'<' not supported between instances of 'int' and 'str'",
        "True",
        "'<' not supported between instances of 'float' and 'NoneType'",
        "True",
    ]
    .join("|");
    let got: BTreeSet<String> = outcomes(text, "out").into_iter().map(|(_, o)| o).collect();
    assert_eq!(got, [printed].into_iter().collect());
}

#[test]
fn a_failed_concatenation_or_repetition_is_worded_as_cpython_words_it() {
    let text = std::fs::read_to_string("tests/fixtures/operand_errors.py").unwrap();
    // What python3.11 prints: a str, tuple or list on the left concatenates and names the right
    // operand's type; a sequence on either side of `*` names the other one, the left first.
    let printed = [
        "TypeError: can only concatenate str (not \"int\") to str",
        "TypeError: can only concatenate str (not \"NoneType\") to str",
        "TypeError: can only concatenate str (not \"list\") to str",
        "TypeError: can only concatenate str (not \"tuple\") to str",
        "TypeError: can only concatenate str (not \"T\") to str",
        "TypeError: can only concatenate tuple (not \"list\") to tuple",
        "TypeError: can only concatenate tuple (not \"str\") to tuple",
        "TypeError: can only concatenate tuple (not \"int\") to tuple",
        "TypeError: can only concatenate list (not \"tuple\") to list",
        "TypeError: can only concatenate list (not \"str\") to list",
        "TypeError: can only concatenate list (not \"int\") to list",
        "TypeError: can only concatenate list (not \"dict\") to list",
        "TypeError: unsupported operand type(s) for +: 'int' and 'str'",
        "TypeError: unsupported operand type(s) for +: 'NoneType' and 'str'",
        "[1, 2]",
        "TypeError: can't multiply sequence by non-int of type 'str'",
        "TypeError: can't multiply sequence by non-int of type 'list'",
        "TypeError: can't multiply sequence by non-int of type 'str'",
        "TypeError: can't multiply sequence by non-int of type 'float'",
        "TypeError: can't multiply sequence by non-int of type 'float'",
        "TypeError: can't multiply sequence by non-int of type 'list'",
        "TypeError: unsupported operand type(s) for +: 'dict' and 'list'",
        "TypeError: unsupported operand type(s) for +: 'T' and 'str'",
        "TypeError: unsupported operand type(s) for -: 'str' and 'int'",
        "TypeError: unsupported operand type(s) for -: 'list' and 'list'",
        "TypeError: can only concatenate str (not \"int\") to str",
        "TypeError: can only concatenate tuple (not \"list\") to tuple",
        "TypeError: 'int' object is not iterable",
        "[1, 2, 3]",
    ]
    .join("\n");
    let got: BTreeSet<String> = outcomes(&text, "out").into_iter().map(|(_, o)| o).collect();
    assert_eq!(got, [printed].into_iter().collect());
}

/// Asserts that `tests/fixtures/<stem>.py` has exactly one outcome, under plain search and under
/// the reductions, and that it prints `tests/fixtures/<stem>.out`, which python3.11 printed.
pub(crate) fn prints_what_python311_printed(stem: &str) {
    let text = std::fs::read_to_string(format!("tests/fixtures/{stem}.py")).unwrap();
    let printed = std::fs::read_to_string(format!("tests/fixtures/{stem}.out")).unwrap();
    let got: BTreeSet<String> = outcomes(&text, "out").into_iter().map(|(_, o)| o).collect();
    assert_eq!(got, [printed.trim_end().to_string()].into_iter().collect());
}

#[test]
fn type_errors_name_a_heap_objects_type_and_an_in_place_operator() {
    // tests/fixtures/type_errors.out is what python3.11 prints for the fixture: a list, dict or
    // instance named by its type (never `object`) when it is called, negated, used in `with`,
    // passed to range, math, divmod or getattr, or used as a str index; `+=` and `** or pow()`
    // as CPython names them.
    prints_what_python311_printed("type_errors");
}

#[test]
fn switch_interval_changes_no_outcome_and_raises_what_python311_raises() {
    // tests/fixtures/switch_interval.out is what python3.11 prints for the fixture.
    prints_what_python311_printed("switch_interval");
    // A racy program has the same outcomes with any switch interval set.
    let racy = "import threading\nx = 0\ndef w():\n    global x\n    for _ in range(2):\n        x += 1\nts = [threading.Thread(target=w) for _ in range(2)]\nfor t in ts:\n    t.start()\nfor t in ts:\n    t.join()\n";
    let counts = |text: &str| -> BTreeSet<String> { outcomes(text, "x").into_iter().map(|(x, _)| x).collect() };
    let plain = counts(racy);
    assert_eq!(plain, ["2", "3", "4"].iter().map(|x| x.to_string()).collect());
    assert_eq!(counts(&format!("import sys\nsys.setswitchinterval(1e-6)\n{racy}")), plain);
}

#[test]
fn methods_and_builtins_called_wrongly_raise_what_python311_raises() {
    // tests/fixtures/method_call_errors.out is what python3.11 prints for the fixture (a
    // zip() of a non-iterable names only its type, as 3.9+ do).
    prints_what_python311_printed("method_call_errors");
}

#[test]
fn exceptions_show_their_arguments_as_python311_shows_them() {
    // tests/fixtures/exception_values.out is what python3.11 prints: `repr(e)` is the type and
    // its arguments (`KeyError((1, 'a'))`, `ValueError()`, `Empty()`), `str(e)` nothing, the one
    // argument's str, or the tuple, and `e.args` what the exception was built with.
    prints_what_python311_printed("exception_values");
    // `repr()` of an instance with only `__str__` shows CPython's address: the run stops.
    for shown in ["repr(p)", "f'{p!r}'", "'%r' % (p,)", "'{!r}'.format(p)", "repr(ValueError(p))"] {
        let src =
            format!("class P:\n    def __str__(self):\n        return 'P'\np = P()\nprint(str(p))\nx = {shown}\n");
        let r = model(&src).checker().check();
        let stop = r.checker_stop.unwrap_or_else(|| panic!("{shown}: a stop of the checker"));
        assert!(stop.message.contains("the default repr of a 'P' instance"), "{shown}: {}", stop.message);
    }
}

#[test]
fn exception_classes_of_the_program_are_raised_and_caught_as_python311_does() {
    // tests/fixtures/exception_classes.out is what python3.11 prints: a class derived from a
    // built-in exception type is raised (as a call or bare), caught by itself or any base,
    // re-raised, and shows BaseException's `args`, `str()` and `repr()` unless it defines its
    // own; raising or catching what is not an exception is CPython's TypeError.
    prints_what_python311_printed("exception_classes");
}

#[test]
fn an_exception_class_raised_across_a_race_gives_each_outcome_cpython_can() {
    // Check-then-act: both withdrawals may pass the check (balance -1, or 0 with a lost
    // update), or the second sees 0 and raises Overdraft, caught in its own thread.
    let text = "import threading\nclass Overdraft(Exception):\n    def __init__(self, need):\n        super().__init__(need)\n        self.need = need\nbalance = 1\nlog = []\ndef withdraw(n):\n    global balance\n    try:\n        if balance < n:\n            raise Overdraft(n - balance)\n        balance -= n\n    except Overdraft as e:\n        log.append((e.need, e.args))\nt1 = threading.Thread(target=withdraw, args=(1,))\nt2 = threading.Thread(target=withdraw, args=(1,))\nt1.start(); t2.start(); t1.join(); t2.join()\nprint(balance, log)\n";
    let got = outcomes(text, "balance");
    let want = [one("-1", "-1 []"), one("0", "0 []"), one("0", "0 [(1, (1,))]")].into_iter().collect();
    assert_eq!(got, want);
    // Uncaught in a thread, it is that thread's violation, named by its class.
    let text = "import threading\nclass Boom(RuntimeError):\n    pass\ndef work():\n    raise Boom('worker', 1)\nt = threading.Thread(target=work)\nt.start()\nt.join()\n";
    let r = model(text).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    let shown: Vec<String> = r.outcomes().map(|o| format!("{:?}", o.violation)).collect();
    assert!(shown.len() == 1 && shown[0].contains("Boom: ('worker', 1)"), "{shown:?}");
}

#[test]
fn what_an_exception_class_does_beyond_the_model_stops_the_run() {
    let stops = [
        (
            "class E(Exception):\n    def __init__(self):\n        pass\nraise E\n",
            "raise of an exception class whose __init__",
        ),
        ("e = OSError(2, 'gone')\n", "OSError() with more than one argument"),
        ("class E(TimeoutError):\n    pass\ne = E(1, 'x')\n", "TimeoutError() with more than one argument"),
        ("class E(Exception):\n    pass\nx = E().__traceback__\n", "the attribute '__traceback__' of an exception"),
        ("import copy\nclass E(Exception):\n    pass\nx = copy.copy(E(1))\n", "copying a E object"),
    ];
    for (text, what) in stops {
        let r = model(text).checker().check();
        let stop = r.checker_stop.unwrap_or_else(|| panic!("{text}: a stop of the checker"));
        assert!(stop.message.contains(what), "{text}: {}", stop.message);
    }
}

#[test]
fn a_loops_else_clause_runs_when_it_ends_without_break() {
    // tests/fixtures/loop_else.out is what python3.11 prints: `for`/`else` and `while`/`else`,
    // a `return` in the else clause, nested loops whose `else: continue` skips the outer body,
    // and a search in two threads.
    prints_what_python311_printed("loop_else");
}

#[test]
fn del_removes_names_items_and_attributes_as_python311_does() {
    // tests/fixtures/deletion.out is what python3.11 prints: `del` of module, local, global and
    // class names, of list, deque and dict items (a Counter ignores a missing key), and of
    // instance and class attributes, with CPython's NameError, UnboundLocalError, KeyError,
    // IndexError, TypeError and AttributeError.
    prints_what_python311_printed("deletion");
    // Check-then-delete races: the second `del` may find the key gone.
    let text = "import threading\nd = {'k': 1}\nerrors = []\ndef rm():\n    if 'k' in d:\n        try:\n            del d['k']\n        except KeyError as e:\n            errors.append(repr(e))\nts = [threading.Thread(target=rm) for _ in range(2)]\nfor t in ts:\n    t.start()\nfor t in ts:\n    t.join()\nprint(d, errors)\n";
    let want = [one("[]", "{} []"), one("[\"KeyError('k')\"]", "{} [\"KeyError('k')\"]")].into_iter().collect();
    assert_eq!(outcomes(text, "errors"), want);
    // A removal before the iterator's place, made up for by an insertion, leaves CPython's
    // dict a hole where the entries here close up: the run stops there, as not modelled (the
    // fixture's removal after the iterator's place gives CPython's order).
    let text = "d = {'a': 1, 'b': 2, 'c': 3}\nfor k in d:\n    if k == 'a':\n        del d['a']\n        d['z'] = 9\n";
    let stop = model(text).checker().check().checker_stop.expect("a stop of the checker");
    assert!(stop.message.contains("a dict whose keys changed during iteration"), "{}", stop.message);
    // A slice is not deleted: refused before the run.
    let Err(e) = Model::from_source("s.py", "a = [1, 2]\ndel a[0:1]\n") else { panic!("a slice deletion ran") };
    let e = e.to_string();
    assert!(e.contains("s.py:2:5: unsupported: deleting a slice"), "{e}");
}

#[test]
fn map_of_a_builtin_function_gives_what_python311_gives() {
    // tests/fixtures/map_builtin.out is what python3.11 prints: `", ".join(map(str, xs))`,
    // `sum(map(abs, xs))`, a `for` loop over `map`, a failing `int`, and an instance's
    // `__repr__` called back by `str`.
    prints_what_python311_printed("map_builtin");
    // The map reads its list item by item: a `for` loop over it sees an append made between
    // two items.
    let text = "import threading\nlst = [1]\nseen = []\ndef reader():\n    for s in map(str, lst):\n        seen.append(s)\ndef writer():\n    lst.append(2)\nts = [threading.Thread(target=reader), threading.Thread(target=writer)]\nfor t in ts:\n    t.start()\nfor t in ts:\n    t.join()\n";
    let want = [one("['1']", ""), one("['1', '2']", "")].into_iter().collect();
    assert_eq!(outcomes(text, "seen"), want);
    // Another function, or a map kept in a variable, is refused before the run.
    for (src, what) in [
        ("xs = [1]\nys = list(map(lambda x: x, xs))\n", "2:11: unsupported: map() with these arguments"),
        ("xs = [1]\nm = map(str, xs)\n", "2:5: unsupported: map() whose iterator is kept"),
    ] {
        let Err(e) = Model::from_source("m.py", src) else { panic!("accepted: {src}") };
        assert!(e.to_string().contains(what), "{e}");
    }
}

#[test]
fn chr_ord_hex_oct_bin_and_int_with_a_base_give_what_python311_gives() {
    // tests/fixtures/int_text.out is what python3.11 prints, errors included: `int(text, base)`
    // with base 0 (from the prefix), prefixes, underscores and spaces.
    prints_what_python311_printed("int_text");
}

#[test]
fn a_sort_of_values_that_do_not_all_compare_fails_as_cpythons_does() {
    // tests/fixtures/sort_errors.out is what python3.11 prints for the fixture: the TypeError
    // names the pair that CPython's timsort compares first, a failed `list.sort` leaves the
    // list as far as it got (reversed back with `reverse=True`), and tuples whose later items
    // differ in type sort when those items are never compared.
    prints_what_python311_printed("sort_errors");
    // 64 items or more merge runs, which is not modelled: the run stops.
    let r = model("x = sorted([1] * 63 + ['a'])\n").checker().check();
    let stop = r.checker_stop.expect("a stop of the checker");
    assert!(stop.message.contains("a sort of 64 or more values"), "{}", stop.message);
}

#[test]
fn a_simple_queue_gives_what_python311_gives() {
    // tests/fixtures/simple_queue.out is what python3.11 prints for the fixture: FIFO order,
    // queue.Empty without waiting, and the C argument parser's TypeErrors.
    prints_what_python311_printed("simple_queue");
}

#[test]
fn wrong_arguments_to_a_waiting_call_raise_at_once() {
    // tests/fixtures/sync_argument_errors.out is what python3.11 prints for the fixture: each
    // call with arguments that do not fit raises CPython's TypeError (a C method's or a Python
    // method's wording) instead of waiting, also on a lock that is held.
    prints_what_python311_printed("sync_argument_errors");
    // tests/fixtures/sync_method_errors.out: the methods that take no arguments given one
    // (`lock.release(1)`, `t.start(1)`), and the edges of timeouts and counts.
    prints_what_python311_printed("sync_method_errors");
}

#[test]
fn more_str_methods_give_what_python311_gives() {
    // tests/fixtures/str_more_methods.out is what python3.11 prints for the fixture.
    prints_what_python311_printed("str_more_methods");
    // Character tests and case changes of text beyond ASCII, whose Unicode tables Rust and
    // CPython could tell apart, stop the run as not modelled.
    for call in ["'é'.isalpha()", "'ß'.title()", "'Ω1'.isupper()"] {
        let r = model(&format!("x = {call}\n")).checker().check();
        let stop = r.checker_stop.unwrap_or_else(|| panic!("{call}: a stop of the checker"));
        assert!(stop.message.contains("of a str that is not ASCII"), "{call}: {}", stop.message);
    }
}

#[test]
fn an_expression_statement_is_evaluated_and_its_value_dropped() {
    let text = std::fs::read_to_string("tests/fixtures/expression_statements.py").unwrap();
    // python3.11 prints these three lines: the comprehensions start and join both threads, and
    // the bare subscript and name raise as CPython raises them.
    let out = "{'a': 2}\nKeyError 'b'\nname 'undefined_name' is not defined";
    assert_eq!(outcomes(&text, "counts"), [one("{'a': 2}", out)].into_iter().collect());
    // A bare read of a global races like any other read: it sees the write or not, and a
    // failed read is the thread's own error.
    let racy = "import threading\nd = {}\ndef w():\n    d['k'] = 1\ndef r():\n    d['k']\nt = threading.Thread(target=w)\nu = threading.Thread(target=r)\nt.start(); u.start(); t.join(); u.join()\n";
    let r = model(racy).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    let failed: BTreeSet<bool> = r.outcomes().map(|o| o.violation.is_some()).collect();
    assert_eq!(failed, [false, true].into_iter().collect(), "{:?}", r.outcomes().collect::<Vec<_>>());
}

#[test]
fn modules_imported_under_another_name_work_as_the_modules_themselves() {
    let text = std::fs::read_to_string("tests/fixtures/import_as.py").unwrap();
    // python3.11 prints `5 5`: the lock makes every increment count.
    assert_eq!(outcomes(&text, "counter"), [one("5", "5 5")].into_iter().collect());
    // The same program without the aliases has the same outcomes and the same state count.
    let plain = text
        .replace("import queue as q", "import queue")
        .replace("import threading as th", "import threading")
        .replace("import time as t", "import time")
        .replace("th.", "threading.")
        .replace("q.Queue", "queue.Queue")
        .replace("t.sleep", "time.sleep");
    let count = |src: &str| model(src).checker().strategy(Strategy::Stateful).all_outcomes(true).check().stats.states;
    assert_eq!(count(&text), count(&plain));
    // An alias of a module outside the subset is still refused, at its position.
    let err = Model::from_source("m.py", "import os as o\n").unwrap_err().to_string();
    assert!(err.contains("m.py:1:8: unsupported: import of module 'os'"), "{err}");
}

#[test]
fn text_of_an_int_past_4300_digits_is_cpythons_value_error() {
    // python3.11: 4,300 digits print (the sign not counted); 4,301 raise ValueError in
    // print, str(), f-strings and reprs of containers.
    let fine = "import threading\nx = -(10 ** 4300 - 1)\ns = str(x)\nn = len(s)\n";
    let r = model(fine).checker().all_outcomes(true).check();
    assert!(r.counterexample.is_none());
    let o: Vec<_> = r.outcomes().map(|o| o.global("n").unwrap().to_string()).collect();
    assert_eq!(o, ["4301"]);
    for line in ["print(x)", "s = str(x)", "s = f\"{x}\"", "s = f\"{[1, x]!r}\"", "s = str((x,))"] {
        let text = format!("import threading\nx = 10 ** 4300\n{line}\n");
        let r = model(&text).checker().check();
        let cex = r.counterexample.unwrap_or_else(|| panic!("{line}: no ValueError"));
        assert!(
            cex.finding
                .message
                .starts_with("ValueError: Exceeds the limit (4300 digits) for integer string conversion"),
            "{line}: {}",
            cex.finding.message
        );
    }
    // The checker's own displays show such an int by its size.
    let r = model("import threading\nx = 1 << 100000\n").checker().all_outcomes(true).check();
    let shown: Vec<_> = r.outcomes().map(|o| o.global("x").unwrap().to_string()).collect();
    assert_eq!(shown, ["<int of 100001 bits>"]);
}

/// The seed's program `path` with its module constants, its lock and its worker annotated,
/// under `from __future__ import annotations` or not.
fn annotated(path: &str, future: bool) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text
        .replace("N = 1_000_000\n", "N: int = 1_000_000\n")
        .replace("balance = 0\n", "balance: int = 0\n")
        .replace("lock = threading.Lock()", "lock: threading.Lock = threading.Lock()")
        .replace("():\n    global balance", "() -> None:\n    global balance");
    assert!(text.contains("N: int") && text.contains("-> None"), "the seed changed: {path}");
    if future {
        format!("from __future__ import annotations\n{text}")
    } else {
        text
    }
}

#[test]
fn annotated_seed_programs_have_the_plain_programs_outcomes_and_proofs() {
    use gilcheck::{Limits, Verdict};
    for future in [false, true] {
        for path in ["models/race_condition.py", "models/safe_deposit.py"] {
            let plain = model(&std::fs::read_to_string(path).unwrap()).with_set("N", "2").unwrap();
            let text = annotated(path, future);
            let set = |m: &Model| -> BTreeSet<String> {
                let r = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
                assert!(r.exhaustive);
                r.outcomes().map(|o| format!("{} {:?}", o.global("balance").unwrap(), o.output)).collect()
            };
            let ann = model(&text).with_set("N", "2").unwrap();
            assert_eq!(set(&ann), set(&plain), "{path}, future import: {future}");
        }
        // The locked one is still proved at N = 10^6 by the reductions (a plain search would
        // pass the state limit).
        let m = model(&annotated("models/safe_deposit.py", future));
        let mut limits = Limits::default();
        limits.max_states = 3_000_000;
        let r = m.checker().reduction(Reduction::Full).limits(limits).check();
        assert_eq!(r.verdict, Verdict::Holds, "future import: {future}: {:?} {} {:?}", r.limit, r.strategy, r.notes);
        assert!(r.exhaustive);
    }
}

#[test]
fn annotations_are_refused_only_where_they_are_evaluated_and_not_modelled() {
    let err = |text: &str| Model::from_source("a.py", text).err().map(|e| e.to_string()).unwrap_or_default();
    // Evaluated (no future import): `complex` is not modelled; in a function body, annotations
    // are never evaluated; under the future import, nowhere.
    let e = err("import threading\nx: complex = 1\n");
    assert!(e.starts_with("a.py:2:4: unsupported: evaluated annotation 'complex'"), "{e}");
    assert!(e.contains("from __future__ import annotations"), "{e}");
    assert_eq!(err("import threading\ndef f():\n    x: float = 1\n    return x\nf()\n"), "");
    assert_eq!(err("from __future__ import annotations\nimport threading\nx: float | None = 1\n"), "");
    let e = err("import threading\ndef f(a: set[int]) -> complex:\n    return a\n");
    assert!(e.contains("a.py:2:10: unsupported: evaluated annotation 'set[int]'"), "{e}");
    assert!(e.contains("a.py:2:23: unsupported: evaluated annotation 'complex'"), "{e}");
    assert_eq!(err("import threading\nx: float = 1\ndef f(a: float) -> float:\n    return a\n"), "");
    // CPython's compile errors.
    let e = err("import threading\nfrom __future__ import annotations\n");
    assert_eq!(e, "a.py:2:1: from __future__ imports must occur at the beginning of the file");
    let e = err("from __future__ import braces\n");
    assert_eq!(e, "a.py:1:24: future feature braces is not defined");
    let e = err("x = 0\ndef f():\n    global x\n    x: int = 1\n");
    assert_eq!(e, "a.py:4:5: annotated name 'x' can't be global");
    let e = err("x: int = 0\nprint(__annotations__)\n");
    assert!(e.starts_with("a.py:2:7: unsupported: the name __annotations__"), "{e}");
}

#[test]
fn annotated_names_without_a_value_bind_nothing() {
    // python3.11: `v: int` in a class body, a module or a function binds no value.
    let text = "import threading\nclass A:\n    v: int\n    w: int = 1\ndef f():\n    y: int\n    return y\nhas = 0\n\
                try:\n    z = A().v\nexcept AttributeError:\n    has += 1\ntry:\n    f()\nexcept UnboundLocalError:\n    has += 10\n";
    let o = outcomes(text, "has");
    assert_eq!(o, BTreeSet::from([one("11", "")]));
}

#[test]
fn names_imported_from_threading_behave_as_the_module_attributes() {
    use gilcheck::{Limits, Verdict};
    let from = |text: &str| {
        text.replace("import threading\n", "from threading import Lock, Thread\n")
            .replace("threading.Lock()", "Lock()")
            .replace("threading.Thread(", "Thread(")
    };
    for path in ["models/race_condition.py", "models/safe_deposit.py"] {
        let text = std::fs::read_to_string(path).unwrap();
        let plain = model(&text).with_set("N", "2").unwrap();
        let imported = model(&from(&text)).with_set("N", "2").unwrap();
        let set = |m: &Model| -> BTreeSet<String> {
            let r = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
            assert!(r.exhaustive);
            r.outcomes().map(|o| format!("{} {:?}", o.global("balance").unwrap(), o.output)).collect()
        };
        assert_eq!(set(&imported), set(&plain), "{path}");
    }
    // `Lock()` from `from threading import Lock` is a lock to the reductions too: the proof at
    // N = 10^6 stays within a few million states.
    let m = model(&from(&std::fs::read_to_string("models/safe_deposit.py").unwrap()));
    let mut limits = Limits::default();
    limits.max_states = 3_000_000;
    let r = m.checker().reduction(Reduction::Full).limits(limits).check();
    assert_eq!(r.verdict, Verdict::Holds, "{:?} {}", r.limit, r.strategy);
    // Names the checker does not model are refused at the import, naming what is modelled.
    let e = Model::from_source("a.py", "from threading import get_ident\n").err().unwrap().to_string();
    assert!(e.starts_with("a.py:1:23: unsupported: from threading import get_ident; the names of threading"), "{e}");
    assert!(e.contains("Lock"), "{e}");
    let e = Model::from_source("a.py", "from os import path\n").err().unwrap().to_string();
    assert!(e.starts_with("a.py:1:1: unsupported: from-import 'from os import ...'"), "{e}");
}

#[test]
fn constant_defaults_and_keyword_arguments_bind_as_in_cpython() {
    let text = std::fs::read_to_string("tests/fixtures/defaults_keywords.py").unwrap();
    // Each thread's deposits race with the other's (`self.balance += amount`): t1 adds 1 three
    // times, t2 adds 2 once, main adds nothing, then main's `acct.deposit()` adds 1 twice (the
    // defaults, `times=1 + 1` folded): 7 without a lost update, down to 4. The labels list
    // records main's and t2's keyword-passed labels in either order.
    let mut want = BTreeSet::new();
    for labels in ["['main', 't2']", "['t2', 'main']"] {
        for balance in 4..=7 {
            want.insert(one(labels, &format!("shared {balance} 2")));
        }
    }
    assert_eq!(outcomes(&text, "labels"), want);
}

#[test]
fn argument_binding_errors_carry_cpythons_messages() {
    let path = "tests/fixtures/call_errors.py";
    let text = std::fs::read_to_string(path).unwrap();
    // What python3.11 prints for the file, line by line.
    let want = [
        "f() missing 2 required positional arguments: 'a' and 'b'",
        "f() missing 1 required positional argument: 'b'",
        "f() takes from 2 to 3 positional arguments but 4 were given",
        "f() got an unexpected keyword argument 'd'",
        "f() got multiple values for argument 'a'",
        "A.m() missing 1 required positional argument: 'x'",
        "A.m() takes from 2 to 3 positional arguments but 4 were given",
        "k() missing 3 required positional arguments: 'a', 'b', and 'c'",
        "h() takes 0 positional arguments but 1 was given",
        "k() got multiple values for argument 'd'",
        "f() missing 1 required positional argument: 'a'",
    ];
    let r = model(&text).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    assert!(r.exhaustive);
    let outs: Vec<_> = r.outcomes().collect();
    assert_eq!(outs.len(), 1, "{outs:?}");
    assert_eq!(outs[0].output, want);
    // The thread whose target misses an argument ends in that TypeError.
    let cex = r.counterexample.expect("the thread's TypeError");
    assert_eq!(cex.finding.message, "TypeError: f() missing 1 required positional argument: 'b'");
    if let Ok(real) = std::process::Command::new("python3.11").arg(path).output() {
        let stdout = String::from_utf8_lossy(&real.stdout);
        assert_eq!(stdout.lines().collect::<Vec<_>>(), want, "python3.11 prints otherwise");
        assert!(String::from_utf8_lossy(&real.stderr)
            .contains("TypeError: f() missing 1 required positional argument: 'b'"));
    }
}

#[test]
fn keyword_only_defaults_that_are_not_constants_are_refused_with_every_other_refusal() {
    let e = Model::from_source(
        "a.py",
        "import threading\nx = 1\ndef f(a, *, b=x, c=[]):\n    pass\ndef g(d=x, e=[], h=(1, 'a')):\n    pass\n",
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("a.py:3:15: unsupported: keyword-only parameter default that is not a constant"), "{e}");
    assert!(e.contains("a.py:3:20: unsupported: keyword-only parameter default that is not a constant"), "{e}");
    assert!(!e.contains("a.py:5"), "positional defaults of any value are accepted: {e}");
}

/// The lines `python3.11 PATH` prints, when it is on PATH.
pub(crate) fn python311_stdout(path: &str) -> Option<Vec<String>> {
    let out = std::process::Command::new("python3.11").arg(path).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect())
}

#[test]
fn list_methods_are_atomic_steps_with_cpythons_results_and_errors() {
    let path = "tests/fixtures/list_methods.py";
    let text = std::fs::read_to_string(path).unwrap();
    // What python3.11 prints before the threads (the same in every run).
    let fixed = "[9, 3, 1, 7, 2, 5, 4, 4, 0, 1] 2 6 7 4\n\
                 1 9 4 [3, 1, 7, 2, 5, 4, 0] [1, 0, 4, 5, 2, 7, 1, 3, 9]\n\
                 [0, 1, 2, 3, 4, 5, 7] [9, 7, 5, 4, 3, 2, 1, 1, 0] ['apple', 'fig', 'pear'] [True, 1, 0, False]\n\
                 IndexError pop from empty list\n\
                 IndexError pop index out of range\n\
                 ValueError list.remove(x): x not in list\n\
                 ValueError 'x' is not in list\n\
                 TypeError 'str' object cannot be interpreted as an integer\n\
                 TypeError 'int' object is not iterable";
    // `while len(jobs) > 0: jobs.pop()`: both workers may see the last job, and the second
    // pop then fails (one IndexError at most: the list only shrinks); every job is done once.
    let want: BTreeSet<_> = ["0", "1"].iter().map(|l| one(l, &format!("{fixed}\n[1, 2, 3] {l}"))).collect();
    assert_eq!(outcomes(&text, "lost"), want);
    if let Some(real) = python311_stdout(path) {
        let real = real.join("\n");
        assert!(want.iter().any(|(_, out)| *out == real), "python3.11 printed an outcome outside the set:\n{real}");
    }
}

#[test]
fn index_and_key_errors_are_caught_as_lookup_errors_with_cpythons_text() {
    let text = "import threading\nd = {'a': 1}\nlog = []\ndef look(k):\n    try:\n        log.append(d[k])\n    \
                except KeyError as e:\n        log.append(str(e))\n    except LookupError:\n        log.append('no')\n\
                try:\n    raise KeyError('zz')\nexcept LookupError as e:\n    log.append(str(e))\n\
                try:\n    x = [][1]\nexcept LookupError as e:\n    log.append(str(e))\n\
                t = threading.Thread(target=look, args=('b',))\nt.start()\nlook('a')\nt.join()\n";
    // python3.11: ["'zz'", 'list index out of range', then 1 and "'b'" in either order].
    let want: BTreeSet<_> =
        ["[\"'zz'\", 'list index out of range', 1, \"'b'\"]", "[\"'zz'\", 'list index out of range', \"'b'\", 1]"]
            .iter()
            .map(|l| one(l, ""))
            .collect();
    assert_eq!(outcomes(text, "log"), want);
}

#[test]
fn list_method_forms_the_checker_does_not_model_are_refused() {
    let e = Model::from_source("a.py", "import threading\nxs = [2, 1]\nxs.sort(cmp=abs)\nxs.pop(i=0)\n")
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("a.py:3:9: unsupported: the keyword argument 'cmp' of list.sort()"), "{e}");
    assert!(e.contains("a.py:4:8: unsupported: the keyword argument 'i' of list.pop()"), "{e}");
    // Mixed types, whose TypeError depends on the order of CPython's merge sort, in a list of
    // 64 or more: a stop of the checker at the call, not an exception of the program.
    let r = model("import threading\nxs = [2, 'a', 1] * 30\nxs.sort()\n").checker().check();
    assert!(r.counterexample.is_none());
    let stop = r.checker_stop.expect("a stop of the checker");
    assert!(stop.message.contains("a sort of 64 or more values that are not all numbers"), "{}", stop.message);
}

#[test]
fn dict_views_setdefault_and_update_behave_as_in_cpython() {
    let path = "tests/fixtures/dict_methods.py";
    let text = std::fs::read_to_string(path).unwrap();
    // The worker counts "a", "b", "a" and main counts "c", each word under the lock: the keys'
    // order is the order of first insertion, which the interleaving decides; everything else is
    // what python3.11 prints for that order.
    let want: BTreeSet<(String, String)> = [["a", "b", "c"], ["a", "c", "b"], ["c", "a", "b"]]
        .iter()
        .map(|order| {
            let n = |k: &str| if k == "a" { 2 } else { 1 };
            let pairs: Vec<String> = order.iter().map(|k| format!("('{k}', {})", n(k))).collect();
            let entries: Vec<String> = order.iter().map(|k| format!("'{k}': {}", n(k))).collect();
            let keys: Vec<String> = order.iter().map(|k| format!("'{k}'")).collect();
            let more = "'z': 9, 'y': 8, 'x': 7, 'w': 6";
            let more_pairs = "('z', 9), ('y', 8), ('x', 7), ('w', 6)";
            let output = [
                format!("[{}]", pairs.join(", ")),
                format!("dict_keys([{}]) 3 True True True False", keys.join(", ")),
                format!("8 {{{}, {more}}} True dict_items([{}, {more_pairs}])", entries.join(", "), pairs.join(", ")),
                "dictionary update sequence element #1 has length 3; 2 is required True".into(),
                "cannot convert dictionary update sequence element #0 to a sequence".into(),
                "unhashable type: 'list'".into(),
                "dict.keys() takes no arguments (1 given)".into(),
                "setdefault expected at least 1 argument, got 0".into(),
                "dictionary changed size during iteration".into(),
            ]
            .join("\n");
            (format!("{{{}, {more}, 'ok': 1}}", entries.join(", ")), output)
        })
        .collect();
    assert_eq!(outcomes(&text, "counts"), want);
    if let Some(real) = python311_stdout(path) {
        let real = real.join("\n");
        assert!(want.iter().any(|(_, out)| *out == real), "python3.11 printed an outcome outside the set:\n{real}");
    }
}

#[test]
fn threads_carry_cpythons_names() {
    let path = "tests/fixtures/thread_names.py";
    let text = std::fs::read_to_string(path).unwrap();
    // python3.11: an unnamed thread is `Thread-N (target)`, N counting unnamed threads only
    // (t1 is named, so t2 is Thread-1 and t3 Thread-2); a bound method's target name is the
    // method's; `current_thread()` in each thread is that thread; main is `MainThread`.
    let line = "['Thread-1 (run)', 'a:first', 'main:MainThread'] MainThread first Thread-1 (run) Thread-2 (work) False";
    let want: BTreeSet<_> = [one("['Thread-1 (run)', 'a:first', 'main:MainThread']", line)].into_iter().collect();
    assert_eq!(outcomes(&text, "names"), want);
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real, vec![line.to_string()]);
    }
}

#[test]
fn list_repetition_and_in_place_operators_follow_cpython() {
    let path = "tests/fixtures/list_operators.py";
    let text = std::fs::read_to_string(path).unwrap();
    // python3.11's output: `alias += [9]` and `alias *= 2` change the list `results` names too;
    // `n *= [1]` makes a new list; a negative count gives [].
    let out = "can't multiply sequence by non-int of type 'str'\n\
               can't multiply sequence by non-int of type 'list'\n\
               [0, 1, 4, 9, 0, 1, 4, 9] [0, 0] [1, 1] [] True [1, 2, 3] [True]";
    let want: BTreeSet<_> = [one("[0, 1, 4, 9, 0, 1, 4, 9]", out)].into_iter().collect();
    assert_eq!(outcomes(&text, "results"), want);
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
}

#[test]
fn str_methods_give_cpythons_results_and_errors() {
    let path = "tests/fixtures/str_methods.py";
    let text = std::fs::read_to_string(path).unwrap();
    // What python3.11 prints (whitespace as str.isspace has it: U+001C..U+001F split too).
    let out = "bye, good, hello, world A-B ['a', 'b', '', 'c'] ['a', 'b c'] ['', '']\n\
               True True bba 2 2 1\n\
               ['x'] hi hi  |   hi|\n\
               sequence item 0: expected str instance, int found\n\
               empty separator\n\
               startswith first arg must be str or a tuple of str, not int";
    let want: BTreeSet<_> = [one("['bye', 'good', 'hello', 'world']", out)].into_iter().collect();
    assert_eq!(outcomes(&text, "parts"), want);
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
}

#[test]
fn sorted_sorts_as_cpython_does() {
    let path = "tests/fixtures/sorted_builtin.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "['a', 'b', 'c'] [('a', 1), ('b', 2), ('c', 3)] ['pear', 'fig'] [1, 2, 3] ['a', 'b', 'c'] [] [3, 2, 1]\n\
               'int' object is not iterable";
    let want: BTreeSet<_> = [one("['pear', 'fig']", out)].into_iter().collect();
    assert_eq!(outcomes(&text, "words"), want);
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
    // An argument sorted does not take is refused before exploring.
    let e = Model::from_source("a.py", "xs = [2, 1]\nys = sorted(xs, cmp=abs)\n").err().unwrap().to_string();
    assert!(e.contains("a.py:2:17: unsupported: keyword argument 'cmp' to sorted"), "{e}");
}

#[test]
fn dict_views_compare_as_sets_and_values_views_are_not_guessed() {
    let path = "tests/fixtures/dict_view_compare.py";
    let text = std::fs::read_to_string(path).unwrap();
    // python3.11: keys and items views are set-like; a view never equals a list.
    let out = "True True True False False";
    let want: BTreeSet<_> = [one("{'a': 1}", out)].into_iter().collect();
    assert_eq!(outcomes(&text, "d3"), want);
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
    // `d.values() == d.values()` is False in CPython (two view objects), `v == v` True: the
    // checker does not track a view's identity, so it stops there instead of guessing.
    let r = model("d = {'a': 1}\nx = d.values() == d.values()\n").checker().check();
    assert!(r.counterexample.is_none());
    let stop = r.checker_stop.expect("a stop of the checker");
    assert!(stop.message.contains("the comparison `==` of a dict view"), "{}", stop.message);
}

#[test]
fn floats_follow_cpython() {
    let path = "tests/fixtures/floats.py";
    let text = std::fs::read_to_string(path).unwrap();
    // What python3.11 prints: shortest round-trip reprs, folded constants, correctly rounded
    // true division, format specs, rounding from the exact value, and CPython's messages.
    let out = "3.0 0.30000000000000004 0.5 -0.5 3.5 0.25 2.5 1e+16 1e-05 123.0 -0.0 0.3333333333333333\n\
               3.00    0.300 25.6% 1,234,567.89    2.5 2 1.000000e+20 7.0\n\
               2.67 2 4 0 10 2 -2 1500.0 3.0\n\
               True False True True 2.5 -1 2.5\n\
               -1.0 -2.0 3.0 1.4142135623730951 True False [-0.5, 1, 2.5]\n\
               1.0 / 0 -> float division by zero\n\
               1 / 0 -> division by zero\n\
               1.0 % 0 -> float modulo\n\
               0.0 ** -1 -> 0.0 cannot be raised to a negative power\n\
               float('x') -> could not convert string to float: 'x'\n\
               int(float('inf')) -> cannot convert float infinity to integer";
    let want: BTreeSet<_> = [one("3.0", out)].into_iter().collect();
    assert_eq!(outcomes(&text, "balance"), want);
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
    // A lost update of a float balance is found, as with ints.
    let racy = "import threading\nimport time\nbalance = 0.0\n\
                def add(x):\n    global balance\n    tmp = balance\n    time.sleep(0.1)\n    balance = tmp + x\n\
                t = threading.Thread(target=add, args=(0.5,))\nt.start()\nadd(1.25)\nt.join()\n";
    let got: BTreeSet<String> = outcomes(racy, "balance").into_iter().map(|(v, _)| v).collect();
    let want: BTreeSet<String> = ["0.5", "1.25", "1.75"].into_iter().map(String::from).collect();
    assert_eq!(got, want);
    // A negative sleep is CPython's ValueError, not a pause.
    let e = "import time\ntry:\n    time.sleep(-0.5)\nexcept ValueError as e:\n    msg = str(e)\n";
    let got: BTreeSet<String> = outcomes(e, "msg").into_iter().map(|(v, _)| v).collect();
    assert_eq!(got, ["'sleep length must be non-negative'".to_string()].into_iter().collect());
}

#[test]
fn printf_style_and_str_format_follow_cpython() {
    let path = "tests/fixtures/str_formatting.py";
    let text = std::fs::read_to_string(path).unwrap();
    // What python3.11 prints.
    let out = [
        "alice has 42 items costing 1234.57",
        "   42|42   |00042|+42| 42|ff|0xff|0o10|FF",
        "  1234.568|1234.6    |1.234568e+03|0.0001|1E+20|%|A|z",
        "[1, 'a'] 'q' (1, 2) solo 50%    ab|ab   |ab",
        "x and 2 b-a alice: 1,234.6",
        "      hi|3.14  |'r'|  mid  |{}|-002.500",
        "1010 12 0xa 26% [1, 2] None",
        "TypeError: not enough arguments for format string",
        "TypeError: not all arguments converted during string formatting",
        "TypeError: %d format: a real number is required, not str",
        "IndexError: Replacement index 1 out of range for positional args tuple",
        "KeyError: 'x'",
        "ValueError: cannot switch from manual field specification to automatic field numbering",
        "ValueError: unsupported format character 'y' (0x79) at index 1",
        "ValueError: Unknown format code 'd' for object of type 'float'",
        "TypeError: %x format: an integer is required, not float",
        "Zürich|'Zürich'|'Z\\xfcrich'|42    |   Zü|42% 'Z\\xfcrich' 'Z\\xfcrich'",
    ]
    .join("\n");
    let want: BTreeSet<_> = [one("'alice'", &out)].into_iter().collect();
    assert_eq!(outcomes(&text, "name"), want);
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
    // What the checker does not model stops the run at the call, never as the program's error.
    for (src, what) in [
        ("from collections import defaultdict\nd = defaultdict(int)\nx = '%(a)s' % d\n", "mapping key"),
        ("x = '{0.real}'.format(1)\n", "attribute or index"),
        ("x = '%.3d' % 5\n", "a precision with %d"),
    ] {
        let r = model(&format!("import threading\n{src}")).checker().check();
        assert!(r.counterexample.is_none(), "{src}");
        let stop = r.checker_stop.unwrap_or_else(|| panic!("{src}: a stop of the checker"));
        assert!(stop.message.contains(what), "{src}: {}", stop.message);
    }
}

#[test]
fn comprehensions_and_reducing_builtins_follow_cpython() {
    let path = "tests/fixtures/comprehensions.py";
    let text = std::fs::read_to_string(path).unwrap();
    // What python3.11 prints: the workers append in any order, the output sorts them.
    let out = "[0, 2, 4] [4, 9] [(1, 1), (3, 3)] [['a', 'b'], ['a', 'b']] {1: 2, 3: 4} {1: 1, 2: 4, 3: 9} \
               {'Thread-1 (work)': False, 'Thread-2 (work)': False, 'Thread-3 (work)': False} 60\n\
               1.75 16 False True False True\n\
               unsupported operand type(s) for +: 'int' and 'str'";
    assert_eq!(outcomes(&text, "ys"), [one("[4, 9]", out)].into_iter().collect());
    // The three workers' appends in each of the 3! orders.
    let orders: BTreeSet<String> = outcomes(&text, "results").into_iter().map(|(v, _)| v).collect();
    let want: BTreeSet<String> = ["[0, 2, 4]", "[0, 4, 2]", "[2, 0, 4]", "[2, 4, 0]", "[4, 0, 2]", "[4, 2, 0]"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(orders, want);
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
    // A comprehension's loop is its own frame: a thread switch can fall between its items, so
    // building a list from shared state is not atomic: [1, 0] reads the first write and not
    // the second.
    let racy = "import threading\nxs = [0, 0]\ndef bump():\n    xs[0] = 1\n    xs[1] = 1\n\
                t = threading.Thread(target=bump)\nt.start()\nsnap = [x for x in xs]\nt.join()\n";
    let snaps: BTreeSet<String> = outcomes(racy, "snap").into_iter().map(|(v, _)| v).collect();
    let want: BTreeSet<String> = ["[0, 0]", "[0, 1]", "[1, 0]", "[1, 1]"].into_iter().map(String::from).collect();
    assert_eq!(snaps, want);
}

#[test]
fn enumerate_zip_and_reversed_follow_cpython() {
    let path = "tests/fixtures/iterators.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "0 ann 3\n1 bob 5\n\
               ['cy', 'bob', 'ann'] [3, 2, 1] [3, 2, 1, 0] cba\n\
               [(3, 'ann'), (5, 'bob')] (1, 5) True (('ann', 'x', 3), ('bob', 'y', 5))\n\
               ['x=0', 'y=1'] [(5, 'a'), (6, 'b')] []\n\
               3";
    let want: BTreeSet<_> = [one("['w1:ann', 'w2:bob', 'w3:cy']", out)].into_iter().collect();
    assert_eq!(outcomes(&text, "log"), want);
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
    // A reverse iterator over a list checks the list's length at every step, as CPython's
    // does: a pop between its creation and its first step leaves it nothing to yield.
    let racy = "import threading\nxs = [1, 2, 3]\ndef shrink():\n    xs.pop()\n\
                t = threading.Thread(target=shrink)\nt.start()\nseen = [x for x in reversed(xs)]\nt.join()\n";
    let seen: BTreeSet<String> = outcomes(racy, "seen").into_iter().map(|(v, _)| v).collect();
    let want: BTreeSet<String> = ["[2, 1]", "[]", "[3, 2, 1]"].into_iter().map(String::from).collect();
    assert_eq!(seen, want);
    // An iterator that is kept (and might be consumed twice) is refused before exploring.
    let e = Model::from_source("a.py", "import threading\nxs = [1]\nit = enumerate(xs)\n").err().unwrap().to_string();
    assert!(e.contains("a.py:3:6: unsupported: enumerate() whose iterator is kept"), "{e}");
}

#[test]
fn dict_pop_popitem_copy_and_clear_follow_cpython() {
    let path = "tests/fixtures/dict_remove.py";
    let text = std::fs::read_to_string(path).unwrap();
    // What python3.11 prints; an empty dict's pop answers KeyError without hashing the key.
    let out = "7 {} {'apples': 3, 'plums': 7} ('apples', 3) {} 0 {'apples': 3, 'plums': 7}\n\
               {} 0 True False\n\
               KeyError 'kiwis'\n\
               KeyError 'popitem(): dictionary is empty'\n\
               KeyError [1]";
    assert_eq!(outcomes(&text, "sold"), [one("7", out)].into_iter().collect());
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
    // Check-then-pop without a lock: the other worker may empty the dict in between.
    let racy = "import threading\ntasks = {'a': 1, 'b': 2}\ndef worker():\n    while tasks:\n        tasks.popitem()\n\
                t = threading.Thread(target=worker)\nt.start()\nworker()\nt.join()\n";
    let m = model(racy);
    let r = m.checker().strategy(Strategy::Stateful).check();
    assert_eq!(r.verdict, gilcheck::Verdict::Violated);
    let v = format!("{:?}", r.counterexample.expect("a counterexample").finding);
    assert!(v.contains("KeyError: 'popitem(): dictionary is empty'"), "{v}");
}

#[test]
fn lambdas_follow_cpython() {
    let path = "tests/fixtures/lambdas.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "7 5 b 2 abab";
    assert_eq!(outcomes(&text, "total"), [one("7", out)].into_iter().collect());
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
    // A lambda that reads a variable of the function around it gets it through a closure.
    let closure = "import threading\ndef f(n):\n    g = lambda x: x + n\n    return g\nh = f(3)\nr = h(4)\n";
    assert_eq!(outcomes(closure, "r"), [one("7", "")].into_iter().collect());
    // Its own parameters and the module's globals are no closure.
    let ok = "import threading\nk = 2\ndef f(n):\n    g = lambda x: x * k\n    return g(n)\nr = f(3)\n";
    assert_eq!(outcomes(ok, "r"), [one("6", "")].into_iter().collect());
    assert!(Model::from_source("a.py", "import threading\nk = 2\ng = lambda x: x * k\n").is_ok());
}

#[test]
fn slices_follow_cpython_and_a_list_slice_is_one_step() {
    let path = "tests/fixtures/slices.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out =
        "[2, 3] [5, 4, 3, 2, 1] [1, 2] ello [3, 4, 5] [2] (2, 3) [2, 3] ace [2, 3, 4, 5] [1, 2, 3, 4, 5] [5, 4, 3]\n\
               2\n3\n4\n5\n\
               ValueError: slice step cannot be zero\n\
               TypeError: slice indices must be integers or None or have an __index__ method\n\
               TypeError: unhashable type: 'slice'";
    assert_eq!(outcomes(&text, "c"), [one("[5, 4, 3, 2, 1]", out)].into_iter().collect());
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
    // `list_subscript` copies the slice in one step: a snapshot holds exactly the appends made
    // before it.
    let racy = "import threading\nxs = [0]\ndef grow():\n    xs.append(1)\n    xs.append(2)\n\
                t = threading.Thread(target=grow)\nt.start()\nsnap = xs[:]\nt.join()\n";
    let snaps: BTreeSet<String> = outcomes(racy, "snap").into_iter().map(|(v, _)| v).collect();
    let want: BTreeSet<String> = ["[0]", "[0, 1]", "[0, 1, 2]"].into_iter().map(String::from).collect();
    assert_eq!(snaps, want);
    // Slice assignment is refused before exploring.
    let e = match Model::from_source("a.py", "import threading\nxs = [1, 2]\nxs[:1] = [3]\n") {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("a.py:3:4: unsupported: slice assignment"), "{e}");
}

#[test]
fn thread_local_attributes_are_each_threads_own() {
    let path = "tests/fixtures/thread_local.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "AttributeError: '_thread._local' object has no attribute 'user'\n['ann:2', 'bob:2']";
    let logs: BTreeSet<(String, String)> = outcomes(&text, "log");
    let want: BTreeSet<_> = ["['ann:2', 'bob:2']", "['bob:2', 'ann:2']"].iter().map(|l| one(l, out)).collect();
    assert_eq!(logs, want);
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
}

#[test]
fn print_with_sep_and_end_builds_lines_as_cpython_does() {
    let path = "tests/fixtures/print_sep_end.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "a, b\nno newline continued\n1-2-3!\nx\nmulti\nline\n\ntail0 1 2 \n\
               sep must be None or a string, not int\ndone";
    assert_eq!(outcomes(&text, "i"), [one("2", out)].into_iter().collect());
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
    // A line left open by one thread can be continued by another's print.
    let racy = "import threading\nk = 0\ndef t():\n    print('t', end='')\n    print('!')\n\
                w = threading.Thread(target=t)\nw.start()\nprint('m')\nw.join()\n";
    let outs: BTreeSet<String> = outcomes(racy, "k").into_iter().map(|(_, o)| o).collect();
    let want: BTreeSet<String> = ["t!\nm", "tm\n!", "m\nt!"].into_iter().map(String::from).collect();
    assert_eq!(outs, want);
}

#[test]
fn math_functions_follow_cpython() {
    let path = "tests/fixtures/math_module.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "4.0 1.4142135623730951 2 3 -2 3.0\n\
               2432902008176640000 15511210043330985984000000 6 0 4 4\n\
               3.14159 2.718281828459045 6.283185307179586 inf nan 7 1 10000000000.0\n\
               False -1 100000000000000000000\n\
               ValueError: math domain error\n\
               ValueError: math domain error\n\
               ValueError: factorial() not defined for negative values\n\
               TypeError: 'float' object cannot be interpreted as an integer\n\
               ValueError: cannot convert float NaN to integer\n\
               OverflowError: cannot convert float infinity to integer\n\
               ValueError: isqrt() argument must be nonnegative\n\
               OverflowError: int too large to convert to float\n\
               TypeError: must be real number, not str";
    let outs: BTreeSet<String> = outcomes(&text, "pi").into_iter().map(|(_, o)| o).collect();
    assert_eq!(outs, [out.to_string()].into_iter().collect());
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
    // The functions whose results depend on the platform's libm are refused.
    let e = match Model::from_source("a.py", "import math\nx = math.log(2)\n") {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("a.py:2:5: unsupported: math.log"), "{e}");
}

/// printf-style formatting with mapping keys: each `%(key)` reads the dict's item, flags and
/// width follow the key, a key makes the dict no positional argument, and CPython's errors.
#[test]
fn printf_mapping_keys_follow_cpython() {
    let path = "tests/fixtures/printf_mapping.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "ann is 7\nann   |007|2.50|'ann'\n1 and %\n{'name': 'ann', 'age': 7, 'w': 2.5, '(x)': 1} ann\n\
               TypeError not enough arguments for format string\n{'name': 'ann', 'age': 7, 'w': 2.5, '(x)': 1}\n\
               KeyError 'nope'\nTypeError format requires a mapping\nValueError incomplete format key";
    let got: BTreeSet<String> = outcomes(&text, "d").into_iter().map(|(_, o)| o).collect();
    assert_eq!(got, BTreeSet::from([out.to_string()]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
}

/// `hash()` of ints, floats, bools and tuples of them is CPython's own; a str's hash depends on
/// a per-run seed (and an object's on its address), so the run stops there as not modelled.
#[test]
fn hash_is_cpythons_where_it_does_not_depend_on_the_run() {
    let text = "print(hash(5), hash(-1), hash(2**70), hash(1.5), hash(True), hash((1, 2.5, (3,))), hash(0.0))\n\
                try:\n    hash([1])\nexcept TypeError as e:\n    print(e)\n";
    let r = model(text).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    let got: Vec<String> = r.outcomes().map(|o| o.output.join("\n")).collect();
    assert_eq!(got, vec!["5 -2 512 1152921504606846977 1 3112700724483305790 0\nunhashable type: 'list'".to_string()]);
    let stop = model("print(hash('a'))\n").checker().check().checker_stop.expect("stopped as not modelled");
    assert!(stop.message.contains("hash() of a str"), "{}", stop.message);
}

/// `callable(x)`: functions, lambdas, classes, builtins, bound methods, partials, exception
/// types and instances of a class with `__call__`, as CPython answers.
#[test]
fn callable_answers_as_cpython_does() {
    let text = "import threading, functools\nclass A:\n    pass\nclass B:\n    def __call__(self):\n        return 1\n\
                print(callable(print), callable(A), callable(A()), callable(B()), callable(lambda: 0), callable(3), \
                callable('s'), callable(functools.partial(print)), callable(threading.Lock().acquire), \
                callable([].append), callable(KeyError))\n";
    let r = model(text).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    let got: Vec<String> = r.outcomes().map(|o| o.output.join("\n")).collect();
    assert_eq!(got, vec!["True True False True True False False True True True True".to_string()]);
}

/// Text that CPython builds from a memory address stops the run as not modelled wherever it is
/// printed or formatted: a default instance repr (in a container, only `__repr__` helps), a
/// function, a lock, a thread.
#[test]
fn printing_what_cpython_shows_by_address_stops_as_not_modelled() {
    let ok =
        "class B:\n    def __str__(self):\n        return 'b'\nclass C:\n    def __repr__(self):\n        return 'c'\n\
              print(B(), C(), [C()], str(B()), f'{B()}')\n";
    let r = model(ok).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    let got: Vec<String> = r.outcomes().map(|o| o.output.join("\n")).collect();
    assert_eq!(got, vec!["b c [c] b b".to_string()]);
    for (text, what) in [
        ("class B:\n    def __str__(self):\n        return 'b'\nprint([B()])\n", "the default repr of a 'B' instance"),
        ("class A:\n    pass\nprint(A())\n", "the default repr of a 'A' instance"),
        ("def f():\n    pass\nprint(f)\n", "a function or method"),
        ("import threading\nprint(threading.Lock())\n", "a lock object"),
        ("import threading\nprint(f'{threading.current_thread()}')\n", "a Thread object"),
    ] {
        let stop = model(text).checker().check().checker_stop.unwrap_or_else(|| panic!("no stop: {text}"));
        assert!(stop.message.contains(what), "{text}: {}", stop.message);
    }
}
