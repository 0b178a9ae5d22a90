//! `collections.defaultdict` as CPython 3.11 has it: a missing key's read calls the factory and
//! stores what it returns, inside the one BINARY_SUBSCR when the factory is a builtin type, and
//! through a Python frame (with its own switch point) when it is a function or a lambda.

use crate::language::{model, one, outcomes, python311_stdout};
use gilcheck::bytecode::SwitchModel;
use gilcheck::explore::Strategy;
use gilcheck::Model;
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
    let e = match Model::from_source("c.py", "from collections import Counter\nc = Counter()\n") {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("c.py:1:25: unsupported: from collections import Counter"), "{e}");
    // A lambda factory's repr shows its address.
    let r = model("from collections import defaultdict\nd = defaultdict(lambda: 0)\nprint(d)\n").checker().check();
    let stop = r.checker_stop.expect("stopped as not modelled");
    assert!(stop.message.contains("defaultdict whose factory is a function"), "{}", stop.message);
}
