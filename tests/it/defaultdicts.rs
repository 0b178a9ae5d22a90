//! `collections.defaultdict`, `Counter` and `deque` as CPython 3.11 has them: a missing key's read calls the factory and
//! stores what it returns, inside the one BINARY_SUBSCR when the factory is a builtin type, and
//! through a Python frame (with its own switch point) when it is a function or a lambda.

use crate::language::{model, one, outcomes, python311_stdout};
use gilcheck::Model;
use gilcheck::Strategy;
use gilcheck::SwitchModel;
use std::collections::BTreeSet;

#[test]
fn defaultdicts_follow_cpython() {
    let path = "tests/fixtures/defaultdicts.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "[('blue', 2), ('green', 1), ('red', 3)] [1, 2, 3]\n? - False 1 False\nKeyError: 'k'\n\
               True True 5 False True\ndefaultdict(<class 'float'>, {'a': 1.5}) True <class 'int'>";
    let got: BTreeSet<String> = outcomes(&text, "words").into_iter().map(|(_, o)| o).collect();
    assert_eq!(got, BTreeSet::from([out.to_string()]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
}

#[test]
fn counting_in_a_defaultdict_without_a_lock_loses_updates() {
    let text = "import threading\nfrom collections import defaultdict\n\ncounts = defaultdict(int)\n\n\n\
                def hit():\n    counts[\"page\"] += 1\n\n\nt1 = threading.Thread(target=hit)\n\
                t2 = threading.Thread(target=hit)\nt1.start()\nt2.start()\nt1.join()\nt2.join()\nr = counts[\"page\"]\n";
    assert_eq!(outcomes(text, "r"), BTreeSet::from([one("1", ""), one("2", "")]));
}

/// Two threads append to `d["k"]` of a fresh defaultdict.
const GROUP: &str = "import threading\nfrom collections import defaultdict\n\nd = defaultdict(list)\n\n\n\
                     def add(x):\n    d[\"k\"].append(x)\n\n\nt1 = threading.Thread(target=add, args=(1,))\n\
                     t2 = threading.Thread(target=add, args=(2,))\nt1.start()\nt2.start()\nt1.join()\nt2.join()\n\
                     n = len(d[\"k\"])\n";

#[test]
fn a_python_factory_can_be_interrupted_and_its_list_replaced() {
    // With `list`, the missing key is filled inside one BINARY_SUBSCR: both appends land.
    // With a lambda, the factory's frame may be switched away from after its RESUME; the other
    // thread fills the key and appends, then the first stores its own empty list over it.
    let lambda = GROUP.replace("defaultdict(list)", "defaultdict(lambda: [])");
    for m in [SwitchModel::Cpython311, SwitchModel::Bytecode] {
        let n = |text: &str| {
            let model = Model::from_source("group.py", text).unwrap().with_switch(m).unwrap();
            let r = model.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
            assert!(r.exhaustive);
            r.int_values("n")
        };
        assert_eq!(n(GROUP), BTreeSet::from([2]), "{m:?}");
        assert_eq!(n(&lambda), BTreeSet::from([1, 2]), "{m:?}");
    }
}

#[test]
fn what_defaultdict_does_not_model_is_refused() {
    let e = match Model::from_source("c.py", "from collections import ChainMap\nc = ChainMap()\n") {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("c.py:1:25: unsupported: from collections import ChainMap"), "{e}");
    // A lambda factory's repr shows its address.
    let r = model("from collections import defaultdict\nd = defaultdict(lambda: 0)\nprint(d)\n").checker().check();
    let stop = r.checker_stop.expect("stopped as not modelled");
    assert!(stop.message.contains("defaultdict whose factory is a function"), "{}", stop.message);
}

#[test]
fn counters_follow_cpython() {
    let path = "tests/fixtures/counters.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "Counter({'a': 3, 'b': 2, 'c': 1}) 3 0 3 False\n\
               [('a', 3), ('b', 2)] [('a', 3), ('b', 2), ('c', 1)] 6\n\
               Counter({'a': 13, 'c': 2, 'd': 1, 'b': -3}) [('a', 13), ('b', -3), ('c', 2), ('d', 1)]\n\
               Counter() True True True True\n\
               2 False Counter\n\
               Counter({'x': 2, 'y': 1}) [('x', 2)]";
    let got: BTreeSet<String> = outcomes(&text, "words").into_iter().map(|(_, o)| o).collect();
    assert_eq!(got, BTreeSet::from([out.to_string()]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
}

/// `c[k] += 1` on a Counter without a lock: a lost update. A missing key runs the Python
/// `__missing__`, whose entry is a switch point even under 3.11, where the same update of a
/// key already there cannot be interrupted.
#[test]
fn counting_in_a_counter_without_a_lock_loses_updates() {
    let text = concat!(
        "import threading\nfrom collections import Counter\n\ncounts = Counter()\n\n\ndef work():\n",
        "    counts[\"x\"] += 1\n\n\nts = [threading.Thread(target=work) for _ in range(2)]\nfor t in ts:\n",
        "    t.start()\nfor t in ts:\n    t.join()\nn = counts[\"x\"]\n",
    );
    let finals = |text: &str, switch: SwitchModel| -> BTreeSet<String> {
        let m = Model::from_source("t.py", text).unwrap().with_switch(switch).unwrap();
        let r = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
        r.outcomes().map(|o| o.global("n").unwrap().to_string()).collect()
    };
    let both = BTreeSet::from(["1".to_string(), "2".to_string()]);
    assert_eq!(finals(text, SwitchModel::Bytecode), both);
    assert_eq!(finals(text, SwitchModel::Cpython311), both);
    let present = text.replace("Counter()", "Counter(x=0)");
    assert_eq!(finals(&present, SwitchModel::Cpython311), BTreeSet::from(["2".to_string()]));
    assert_eq!(finals(&present, SwitchModel::Bytecode), both);
}

#[test]
fn what_counter_does_not_model_is_refused() {
    let Err(e) = Model::from_source("t.py", "from collections import Counter\nc = Counter()\nx = list(c.elements())\n")
    else {
        panic!("accepted")
    };
    assert!(e.to_string().contains("t.py:3:10: unsupported: the method Counter.elements()"), "{e}");
    // A Counter and a plain dict (CPython's `NotImplemented`, then its TypeError) is not modelled.
    let r = model("from collections import Counter\nc = Counter('ab') + {'b': 1}\n").checker().check();
    let stop = r.checker_stop.expect("a stop of the checker");
    assert!(stop.message.contains("+ of a 'Counter' and a 'dict'"), "{}", stop.message);
}

#[test]
fn deques_follow_cpython() {
    let path = "tests/fixtures/deques.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "deque([1, 2, 3], maxlen=3) deque([]) deque([1], maxlen=2) 3 None\n\
               IndexError pop from an empty deque\nIndexError pop from an empty deque\n\
               ValueError 5 is not in deque\nIndexError deque index out of range\n\
               ValueError maxlen must be non-negative\nTypeError unhashable type: 'collections.deque'\n\
               ValueError 7 is not in deque\nIndexError deque already at its maximum size\n\
               RuntimeError deque mutated during iteration\n\
               deque([4, 5, 1, 2, 3])\ndeque([5, 1, 2, 3, 4])\n\
               deque([4, 3, 1, 2]) 4 2 [4, 3, 1, 2] [1, 2, 3, 4] 10\n\
               deque([2, 3, 4], maxlen=3)\ndeque([0, 2, 3], maxlen=3)\nTrue False True\n\
               deque([1, 7, 3]) 3 False False 1 True\n\
               deque([7, 9]) deque([3, 7, 9, 1]) 3 1 deque([7, 9])";
    let got: BTreeSet<String> = outcomes(&text, "d").into_iter().map(|(_, o)| o).collect();
    assert_eq!(got, BTreeSet::from([out.to_string()]));
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
}

/// Each deque method is one C step, so a check (`while jobs:`) and the act (`popleft()`) can be
/// split by another worker's pop; and iterating a deque while another thread appends is
/// CPython's `RuntimeError`.
#[test]
fn deques_race_between_check_and_pop_and_under_iteration() {
    let text = concat!(
        "import threading\nfrom collections import deque\n\njobs = deque([1, 2])\ndone = []\n\n\n",
        "def worker():\n    while jobs:\n        done.append(jobs.popleft())\n\n\n",
        "ts = [threading.Thread(target=worker) for _ in range(2)]\nfor t in ts:\n    t.start()\n",
        "for t in ts:\n    t.join()\n",
    );
    let m = model(text);
    let r = m.checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    let ends: BTreeSet<String> = r.outcomes().map(|o| o.violation.clone().unwrap_or_default()).collect();
    assert_eq!(ends, BTreeSet::from([String::new(), "exception: IndexError: pop from an empty deque".to_string()]));
    let text = concat!(
        "import threading\nfrom collections import deque\n\nlog = deque(maxlen=2)\n\n\ndef writer():\n",
        "    log.append(\"w\")\n\n\nt = threading.Thread(target=writer)\nt.start()\nlog.append(\"m\")\n",
        "try:\n    seen = [x for x in log]\nexcept RuntimeError as e:\n    seen = str(e)\nt.join()\n",
    );
    let got: BTreeSet<String> = outcomes(text, "seen").into_iter().map(|(v, _)| v).collect();
    let want = ["'deque mutated during iteration'", "['m', 'w']", "['m']", "['w', 'm']"];
    assert_eq!(got, want.iter().map(|s| s.to_string()).collect());
}

#[test]
fn ordered_dicts_follow_cpython() {
    let path = "tests/fixtures/ordered_dicts.py";
    let text = std::fs::read_to_string(path).unwrap();
    let tail = "True True True True ('z', 3) OrderedDict()\n\
                OrderedDict([('y', 2), ('x', 1)]) 2 2 ['y', 'x']\n\
                KeyError 'nope'\n\
                RuntimeError OrderedDict mutated during iteration";
    // The reader's get() may refresh "a" before the writer's put evicts the oldest key, or not.
    let want: BTreeSet<String> = [
        format!("['a', 'c'] OrderedDict([('a', 1), ('c', 3)])\n{tail}"),
        format!("['b', 'c'] OrderedDict([('b', 2), ('c', 3)])\n{tail}"),
    ]
    .into_iter()
    .collect();
    let r = model(&text).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    let got: BTreeSet<String> = r.outcomes().map(|o| o.output.join("\n")).collect();
    assert_eq!(got, want);
    if let Some(real) = crate::language::python311_stdout(path) {
        assert!(want.contains(&real.join("\n")), "{real:?}");
    }
}

/// CPython's iterator over an OrderedDict raises when the order changes, even at the same
/// size, which the checker's dict iterator would not see: iterating one while another thread is
/// alive, or reordering one while an iterator over it is open, stops the run as not modelled.
#[test]
fn ordered_dict_iteration_that_a_reorder_could_break_stops_as_not_modelled() {
    let racing = "import threading\nfrom collections import OrderedDict\nod = OrderedDict(a=1, b=2)\n\
                  def bump():\n    od.move_to_end('a')\n\
                  t = threading.Thread(target=bump)\nt.start()\nkeys = [k for k in od]\nt.join()\n";
    let stop = model(racing).checker().check().checker_stop.expect("stopped as not modelled");
    assert!(stop.message.contains("iterating an OrderedDict while another thread is alive"), "{}", stop.message);
    let own = "from collections import OrderedDict\nod = OrderedDict(a=1, b=2)\n\
               for k in od:\n    od.move_to_end(k)\n";
    let stop = model(own).checker().check().checker_stop.expect("stopped as not modelled");
    assert!(stop.message.contains("move_to_end() while an iterator over it is open"), "{}", stop.message);
    // After the join, iterating is exact.
    let joined = racing.replace("keys = [k for k in od]\nt.join()\n", "t.join()\nprint([k for k in od])\n");
    let r = model(&joined).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    let got: Vec<String> = r.outcomes().map(|o| o.output.join("\n")).collect();
    assert_eq!(got, vec!["['b', 'a']".to_string()]);
}

/// `+ - | &` of Counters and their in-place forms, as `collections.Counter` computes them (only
/// positive counts kept, in its key order): exact once the threads are joined, refused while
/// another thread could change a counter midway through CPython's item-by-item loop.
#[test]
fn counter_arithmetic_follows_cpython_and_waits_for_the_threads() {
    let path = "tests/fixtures/counter_arith.py";
    let text = std::fs::read_to_string(path).unwrap();
    let want = "Counter({'y': 5, 'x': 4, 'z': 2, 'w': 2}) Counter({'x': 2, 'z': 2}) \
                Counter({'y': 4, 'x': 3, 'z': 2, 'w': 2}) Counter({'x': 1, 'y': 1}) Counter({'y': 3, 'w': 2})\n\
                [('x', 4), ('y', 5), ('z', 2), ('w', 2)] [('x', 2), ('z', 2)] \
                [('x', 3), ('y', 4), ('z', 2), ('w', 2)] [('y', 3), ('w', 2)]\n\
                Counter({'r': 3, 'p': 1}) [('p', 1), ('r', 3)]\n\
                Counter({'m': 3})\n\
                Counter({'t': 4, 's': 1, 'u': 1}) Counter({'s': 1, 't': 1}) [('s', 1), ('t', 4), ('u', 1)]\n\
                [('a', 1), ('b', 3), ('c', 1)]\n\
                [('a', 1), ('b', 3), ('c', 1)] Counter()\n\
                unsupported operand type(s) for +: 'Counter' and 'int'";
    let r = model(&text).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    let got: BTreeSet<String> = r.outcomes().map(|o| o.output.join("\n")).collect();
    assert_eq!(got, [want.to_string()].into_iter().collect::<BTreeSet<_>>());
    if let Some(real) = python311_stdout(path) {
        assert_eq!(real.join("\n"), want);
    }
    let racing = "import threading\nfrom collections import Counter\ntotal = Counter()\npart = Counter(a=1)\n\
                  def bump():\n    part['a'] += 1\n\
                  t = threading.Thread(target=bump)\nt.start()\ntotal += part\nt.join()\n";
    let stop = model(racing).checker().check().checker_stop.expect("stopped as not modelled");
    assert!(stop.message.contains("+ of two Counters while another thread is alive"), "{}", stop.message);
}
