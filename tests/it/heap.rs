//! Lists, dicts, classes and instances under the plain searches: exact outcome sets, the
//! builtins' results, and exceptions reported as violations at their line.

use gilcheck::Model;
use gilcheck::{FindingKind, Strategy, Verdict};
use std::collections::BTreeSet;

fn model(text: &str) -> Model {
    Model::from_source("heap.py", text).unwrap_or_else(|e| panic!("{e}"))
}

/// The exact set of values global `name` ends with (as `repr`), under the stateful search.
fn values(text: &str, name: &str) -> BTreeSet<String> {
    let r = model(text).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    assert!(r.exhaustive, "the stateful search was cut: {:?}", r.limit);
    r.outcomes().map(|o| o.global(name).unwrap_or_else(|| panic!("no {name}: {o:?}")).to_string()).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

const TWO_THREADS: &str = "
t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
";

#[test]
fn list_item_increment_races() {
    let src = format!("import threading\na = [0]\n\ndef work():\n    a[0] += 1\n{TWO_THREADS}");
    assert_eq!(values(&src, "a"), set(&["[1]", "[2]"]));
}

#[test]
fn list_item_increment_under_a_lock_does_not_race() {
    let src = format!(
        "import threading\na = [0]\nlock = threading.Lock()\n\ndef work():\n    with lock:\n        a[0] += 1\n{TWO_THREADS}"
    );
    assert_eq!(values(&src, "a"), set(&["[2]"]));
}

#[test]
fn dict_item_increment_races_and_keys_keep_insertion_order() {
    let src = format!(
        "import threading\nd = {{}}\nd['x'] = 0\n\ndef work():\n    d['x'] += 1\n    d[(1, 'k')] = d.get((1, 'k'), 0) + 1\n{TWO_THREADS}"
    );
    assert_eq!(
        values(&src, "d"),
        set(&["{'x': 1, (1, 'k'): 1}", "{'x': 2, (1, 'k'): 1}", "{'x': 1, (1, 'k'): 2}", "{'x': 2, (1, 'k'): 2}"])
    );
}

#[test]
fn attribute_increment_races_and_a_locked_method_does_not() {
    let racy = format!(
        "import threading\nclass C:\n    def __init__(self):\n        self.count = 0\n    def inc(self):\n        self.count += 1\nc = C()\n\ndef work():\n    c.inc()\n{TWO_THREADS}n = c.count\n"
    );
    assert_eq!(values(&racy, "n"), set(&["1", "2"]));
    let locked = format!(
        "import threading\nclass C:\n    def __init__(self):\n        self.count = 0\n        self.lock = threading.Lock()\n    def inc(self):\n        with self.lock:\n            self.count += 1\nc = C()\n\ndef work():\n    c.inc()\n{TWO_THREADS}n = c.count\n"
    );
    assert_eq!(values(&locked, "n"), set(&["2"]));
}

#[test]
fn bound_method_targets_and_instance_arguments() {
    let src = "import threading
class Box:
    def __init__(self, v):
        self.v = v
    def add(self, other):
        self.v += other.v
a = Box(1)
b = Box(10)
t1 = threading.Thread(target=a.add, args=(b,))
t2 = threading.Thread(target=b.add, args=(a,))
t1.start()
t2.start()
t1.join()
t2.join()
r = (a.v, b.v)
";
    // Either add may read the other's value before or after the other's update.
    assert_eq!(values(src, "r"), set(&["(11, 21)", "(12, 11)", "(11, 11)"]));
}

#[test]
fn instances_show_their_attributes_and_class_attributes_read_through_instances() {
    let src = "class P:
    k = 5
    def __init__(self, x):
        self.x = x
    @property
    def double(self):
        return self.x * 2
p = P(3)
r = (p.k, p.double, P.k, p.x)
";
    assert_eq!(values(src, "r"), set(&["(5, 6, 5, 3)"]));
    assert_eq!(values(src, "p"), set(&["<P object x=3>"]));
}

#[test]
fn property_getter_runs_in_a_python_frame_and_can_see_a_torn_update() {
    let m = Model::from_file("models/heap/property_read.py").unwrap();
    let r = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    assert!(r.exhaustive);
    let msgs: BTreeSet<String> = r.outcomes().filter_map(|o| o.violation.clone()).collect();
    assert!(msgs.iter().any(|m| m.contains("auditor saw 90")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("auditor saw 110")), "{msgs:?}");
    assert_eq!(r.verdict, Verdict::Violated);
}

#[test]
fn appends_are_never_lost_and_iteration_sees_a_prefix() {
    let src = "import threading
log = []
def work():
    log.append(1)
    log.append(2)
t1 = threading.Thread(target=work)
t2 = threading.Thread(target=work)
t1.start()
t2.start()
t1.join()
t2.join()
n = len(log)
s = 0
for x in log:
    s += x
";
    assert_eq!(values(src, "n"), set(&["4"]));
    assert_eq!(values(src, "s"), set(&["6"]));
    assert_eq!(values(src, "log"), set(&["[1, 1, 2, 2]", "[1, 2, 1, 2]"]));
}

#[test]
fn builtins_give_cpython_results() {
    let m = Model::from_file("models/heap/builtins.py").unwrap();
    let r = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    let outs: Vec<_> = r.outcomes().collect();
    assert_eq!(outs.len(), 1);
    let o = outs[0];
    assert_eq!(o.global("n"), Some("10"));
    assert_eq!(o.global("m"), Some("13"));
    assert_eq!(o.global("flags"), Some("(True, True, True, True, True, False)"));
    assert_eq!(o.global("conv"), Some("(10, \"12None[3, -7, 5]{'k': (1, 2), 2: None}\", 0, '')"));
    assert_eq!(o.global("found"), Some("(True, True, True, False, 5, 2, None, 'none')"));
    assert_eq!(o.output, vec!["[3, -7, 5] {'k': (1, 2), 2: None} 10 13".to_string()]);
}

#[test]
fn list_equality_ordering_negative_indices_and_truthiness() {
    let src = "a = [1, 2, 3]
b = []
r = (a == [1, 2, 3], a != [1, 2], a < [1, 3], [2] > a, a[-1], a[-3], not b, 1 if a else 0, [1] + [2])
";
    assert_eq!(values(src, "r"), set(&["(True, True, True, True, 3, 1, True, 1, [1, 2])"]));
}

fn violation(text: &str) -> (String, u32) {
    let r = model(text).checker().strategy(Strategy::Stateful).check();
    let c = r.assert_violated(FindingKind::Exception);
    (c.finding.message.clone(), c.finding.line)
}

#[test]
fn index_and_key_errors_are_violations_at_their_line() {
    assert_eq!(violation("a = [1]\nx = 0\nx = a[1]\n"), ("IndexError: list index out of range".into(), 3));
    assert_eq!(violation("a = [1]\na[-2] = 0\n"), ("IndexError: list assignment index out of range".into(), 2));
    assert_eq!(violation("d = {'a': 1}\n\nx = d['b']\n"), ("KeyError: 'b'".into(), 3));
    assert_eq!(violation("d = {}\nd[[1]] = 2\n"), ("TypeError: unhashable type: 'list'".into(), 2));
    assert_eq!(violation("x = min([])\n"), ("ValueError: min() arg is an empty sequence".into(), 1));
    assert_eq!(violation("x = int('z')\n"), ("ValueError: invalid literal for int() with base 10: 'z'".into(), 1));
    assert_eq!(violation("x = len(3)\n"), ("TypeError: object of type 'int' has no len()".into(), 1));
    assert_eq!(violation("x = abs('a')\n"), ("TypeError: bad operand type for abs(): 'str'".into(), 1));
    assert_eq!(
        violation("class C:\n    pass\nc = C()\nx = c.y\n"),
        ("AttributeError: 'C' object has no attribute 'y'".into(), 4)
    );
    assert_eq!(violation("class C:\n    pass\nc = C(1)\n"), ("TypeError: C() takes no arguments".into(), 3));
    let setter = "class C:\n    @property\n    def p(self):\n        return 1\nc = C()\nc.p = 2\n";
    assert_eq!(violation(setter), ("AttributeError: property 'p' of 'C' object has no setter".into(), 6));
    assert_eq!(
        violation("x = isinstance(1, 2)\n"),
        ("TypeError: isinstance() arg 2 must be a type, a tuple of types, or a union".into(), 1)
    );
}

#[test]
fn an_index_error_in_a_thread_depends_on_the_interleaving() {
    let src = "import threading
a = [1]
def pop_one():
    a[0] = a[len(a) - 1]
def grow():
    a.append(2)
t1 = threading.Thread(target=pop_one)
t2 = threading.Thread(target=grow)
t1.start()
t2.start()
t1.join()
t2.join()
assert a[0] == 1, 'saw the appended item'
";
    let r = model(src).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    assert!(r.exhaustive);
    let violations: BTreeSet<String> = r.outcomes().filter_map(|o| o.violation.clone()).collect();
    assert!(violations.iter().any(|v| v.contains("saw the appended item")), "{violations:?}");
    assert!(r.outcomes().any(|o| o.violation.is_none()));
}

#[test]
fn unsupported_constructs_are_refused_with_their_position() {
    for (src, what) in [
        ("class C(int):\n    pass\n", "1:9: unsupported: this base class"),
        ("class C:\n    def __len__(self):\n        return 0\n", "2:9: unsupported: special method '__len__'"),
        ("class C:\n    __slots__ = ('a',)\n", "2:5: unsupported: special class attribute '__slots__'"),
        ("a = [1, 2]\na[0:1] = [3]\n", "2:3: unsupported: slice assignment"),
        ("a = (1,)\nb = {*a, 2}\n", "2:6: unsupported: starred item in a set display"),
        ("a = [1]\ndel a[0:1]\n", "2:5: unsupported: deleting a slice"),
        ("def f(c):\n    return c\n@f\nclass C:\n    pass\n", "3:1: unsupported: class decorator"),
        ("class C:\n    x = 1\n    if x:\n        pass\n", "3:5: unsupported: statement in a class body"),
    ] {
        let e = Model::from_source("bad.py", src).err().unwrap_or_else(|| panic!("accepted: {src}")).to_string();
        assert!(e.contains(what), "{e} does not contain {what}");
    }
}

#[test]
fn a_lost_update_on_a_list_item_is_found() {
    let src = format!("import threading\na = [0]\n\ndef work():\n    a[0] += 1\n{TWO_THREADS}assert a[0] == 2\n");
    let r = model(&src).checker().check();
    let c = r.assert_violated(FindingKind::Assertion);
    assert_eq!(c.state.global("a"), Some("[1]"));
}
