//! The builtins that reach attributes and types by value (`getattr`, `setattr`, `hasattr`,
//! `delattr`, `type`), and `bool()` and `dict(...)`, as CPython 3.11 has them: each one C call,
//! so a `getattr`-then-`setattr` update races like `obj.n += 1`.

use crate::language::{model, one, outcomes, python311_stdout};
use gilcheck::Strategy;
use std::collections::BTreeSet;

#[test]
fn reflection_builtins_follow_cpython() {
    let path = "tests/fixtures/reflection.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "[10, 'ann'] -1 basic\nTrue False True\nFalse Savings True False\n\
               <class 'int'> True float True <class 'bool'> tuple\nTrue <class '__main__.Savings'>\n\
               False True False {} {'a': 1, 'b': 2} {'x': 1, 'y': 2} {'k': 0, 'z': 3}\n\
               {'balance': 1, 'owner': 2} {0: 'a', 1: 'b'}\n\
               AttributeError: 'Savings' object has no attribute 'nothing'\n\
               AttributeError: 'Savings' object has no attribute 'nothing'\n\
               TypeError: attribute name must be string, not 'int'\n\
               ValueError: dictionary update sequence element #0 has length 3; 2 is required\n\
               TypeError: cannot convert dictionary update sequence element #0 to a sequence";
    let got: BTreeSet<String> = outcomes(&text, "fields").into_iter().map(|(_, o)| o).collect();
    assert_eq!(got, BTreeSet::from([out.to_string()]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
}

#[test]
fn a_getattr_then_setattr_update_loses_updates_without_a_lock() {
    let text = "import threading\n\n\nclass Counter:\n    def __init__(self):\n        self.n = 0\n\n\n\
                c = Counter()\n\n\ndef bump():\n    setattr(c, \"n\", getattr(c, \"n\") + 1)\n\n\n\
                t1 = threading.Thread(target=bump)\nt2 = threading.Thread(target=bump)\nt1.start()\nt2.start()\n\
                t1.join()\nt2.join()\nr = c.n\n";
    assert_eq!(outcomes(text, "r"), BTreeSet::from([one("1", ""), one("2", "")]));
}

#[test]
fn what_the_reflection_builtins_do_not_model_stops_the_run_as_unsupported() {
    for (text, what) in [
        (
            "class C:\n    @property\n    def p(self):\n        return 1\n\n\nr = getattr(C(), \"p\")\n",
            "getattr() of the property 'p'",
        ),
        ("import threading\nr = type(threading.Lock())\n", "type() of a 'lock' object"),
        (
            "import threading\n\n\nclass W(threading.Thread):\n    def run(self):\n        pass\n\n\n\
             r = getattr(W(), \"name\")\n",
            "getattr() of the thread attribute 'name'",
        ),
        ("r = getattr([1], \"append\")\nr = getattr(3, \"real\")\n", "getattr() on a 'int' object"),
    ] {
        let r = model(text).checker().strategy(Strategy::Stateful).check();
        assert!(r.counterexample.is_none(), "{text}");
        let stop = r.checker_stop.unwrap_or_else(|| panic!("not stopped: {text}"));
        assert!(stop.message.contains(what), "{}", stop.message);
    }
}

/// `vars(obj)` read at once: the instance's attributes in the order they were set (python3.11
/// prints the same); written through, or read while another thread may change the instance, it
/// is refused or stops the run.
#[test]
fn vars_of_an_instance_reads_its_attributes_in_order() {
    let text = "class Item:\n    kind = 'tool'\n\n    def __init__(self):\n        self.name = 'saw'\n        self.qty = 2\n\n\n\
                i = Item()\ni.price = 9\ndelattr(i, 'qty')\ni.qty = 3\n\
                r = (dict(vars(i)), sorted(vars(i)), list(vars(i).items())[0], vars(i)['price'], 'kind' in vars(i), \
                [k for k in vars(i)], len(vars(i)))\nprint(vars(i))\n";
    let want = "({'name': 'saw', 'price': 9, 'qty': 3}, ['name', 'price', 'qty'], ('name', 'saw'), 9, False, \
                ['name', 'price', 'qty'], 3)";
    assert_eq!(outcomes(text, "r"), BTreeSet::from([one(want, "{'name': 'saw', 'price': 9, 'qty': 3}")]));
    let e = gilcheck::Model::from_source("v.py", "class A:\n    pass\n\n\na = A()\nd = vars(a)\nvars(a)['x'] = 1\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("v.py:6:5: unsupported: vars(obj) other than read at once"), "{e}");
    assert!(e.contains("v.py:7:1: unsupported: vars(obj) other than read at once"), "{e}");
    let r = model("r = len(vars(5))\n").checker().check();
    let c = r.counterexample.expect("CPython's TypeError");
    assert!(
        c.finding.message.contains("TypeError: vars() argument must have __dict__ attribute"),
        "{}",
        c.finding.message
    );
    let alive = "import threading\n\n\nclass A:\n    pass\n\n\na = A()\n\n\ndef set_x():\n    a.x = 1\n\n\n\
                 t = threading.Thread(target=set_x)\nt.start()\nprint(vars(a))\nt.join()\n";
    let stop = model(alive).checker().check().checker_stop.expect("a stop of the checker");
    assert!(stop.message.contains("vars(obj) while another thread is alive"), "{}", stop.message);
}
