//! Unseeded `random.randint(a, b)` and `random.choice(seq)` whose values a program looks at:
//! each draw is a choice among all its values, and every value is explored. Checked against the
//! same programs with each combination of values written in as constants.

use crate::cli::{gilcheck, stderr, stdout, write_temp};
use crate::language::model;
use gilcheck::Model;
use gilcheck::{Reduction, Strategy, Verdict};
use std::collections::BTreeSet;

/// The outcomes (`name`'s repr, printed output) of an exhaustive search with `strategy`.
fn outcome_set(m: &Model, strategy: Strategy, name: &str) -> BTreeSet<(String, String)> {
    let r = m.checker().strategy(strategy).all_outcomes(true).check();
    assert!(r.exhaustive, "the search was cut: {:?}", r.limit);
    assert!(r.checker_stop.is_none(), "{:?}", r.checker_stop);
    r.outcomes()
        .map(|o| (o.global(name).unwrap_or_else(|| panic!("no {name}: {o:?}")).to_string(), o.output.join("\n")))
        .collect()
}

const DICE: &str = "import random\nimport threading\n\ntotal = 0\nlock = threading.Lock()\n\n\ndef roll():\n    \
                    global total\n    n = random.randint(1, 3)\n    with lock:\n        total += n\n\n\n\
                    ts = [threading.Thread(target=roll) for _ in range(2)]\nfor t in ts:\n    t.start()\n\
                    for t in ts:\n    t.join()\nassert total != 6, 'both rolled 3'\n";

#[test]
fn every_value_of_every_draw_is_explored() {
    let m = model(DICE);
    let totals = |s: BTreeSet<(String, String)>| s.into_iter().map(|(v, _)| v).collect::<BTreeSet<_>>();
    let want: BTreeSet<String> = (2..=6).map(|t| t.to_string()).collect();
    assert_eq!(totals(outcome_set(&m, Strategy::Stateful, "total")), want);
    // The stateless enumeration takes the same draws (on a program small enough for it).
    let m1 = model("import random\n\nx = random.randint(0, 2)\ny = random.choice((x, 5))\nr = (x, y)\n");
    let pairs = outcome_set(&m1, Strategy::Enumerate, "r");
    assert_eq!(pairs, outcome_set(&m1, Strategy::Stateful, "r"));
    assert_eq!(pairs.len(), 6);
    // The default check finds the one combination that fails, and says how it explored.
    let r = m.checker().reduction(Reduction::Full).check();
    assert_eq!(r.verdict, Verdict::Violated);
    let c = r.counterexample.clone().expect("a counterexample");
    assert_eq!(c.state.global("total"), Some("6"));
    assert_eq!(c.draws.to_string(), "1.0=2,2.0=2");
    assert!(r.notes.iter().any(|n| n.contains("explored value by value")), "{:?}", r.notes);
    assert!(r.notes.iter().any(|n| n.contains("reduction full not applied")), "{:?}", r.notes);
    // Its schedule replays with its draws, and ends otherwise without them.
    let drawn = m.clone().with_draws(c.draws.clone()).unwrap();
    let t = gilcheck::trace::replay(drawn.explorable(), &c.schedule).unwrap();
    assert!(matches!(t.status, gilcheck::Status::Violation(_)), "{:?}", t.status);
    // Without them both roll 1: the assertion passes, and main ends before the schedule does.
    let e = gilcheck::trace::replay(m.explorable(), &c.schedule).unwrap_err();
    assert!(e.to_string().contains("main has finished"), "{e}");
}

#[test]
fn a_draws_range_may_depend_on_the_interleaving_and_on_earlier_draws() {
    // `len(items)` is 1 or 2 when the picker draws: 2 only after the adder ran.
    let text = "import random\nimport threading\n\nitems = [1]\npicked = []\n\n\ndef add():\n    items.append(2)\n\n\n\
                def pick():\n    picked.append(random.randint(0, len(items)))\n\n\n\
                a = threading.Thread(target=add)\nb = threading.Thread(target=pick)\na.start()\nb.start()\na.join()\nb.join()\n";
    let m = model(text);
    let got: BTreeSet<String> = outcome_set(&m, Strategy::Stateful, "picked").into_iter().map(|(v, _)| v).collect();
    assert_eq!(got, ["[0]", "[1]", "[2]"].iter().map(|s| s.to_string()).collect());
    // The second draw's range is the first draw's value: b <= a, six pairs, from either thread.
    let text = "import random\nimport threading\n\npairs = []\n\n\ndef draw():\n    a = random.randint(0, 2)\n    \
                b = random.randint(0, a)\n    pairs.append((a, b))\n\n\nt = threading.Thread(target=draw)\nt.start()\n\
                c = random.choice(('x', 'y'))\nt.join()\nr = (pairs[0], c)\n";
    let m = model(text);
    let got: BTreeSet<String> = outcome_set(&m, Strategy::Stateful, "r").into_iter().map(|(v, _)| v).collect();
    let mut want = BTreeSet::new();
    for a in 0..=2 {
        for b in 0..=a {
            for c in ["x", "y"] {
                want.insert(format!("(({a}, {b}), '{c}')"));
            }
        }
    }
    assert_eq!(got, want);
}

/// Each combination of a few operations on a shared global, after a draw in each of two
/// threads: the outcome set equals the union over every combination of drawn values written in
/// as constants (the plain search of each).
#[test]
fn drawn_values_give_the_union_of_the_outcomes_of_every_constant() {
    let ops = [
        "x = x + v",
        "if v > 0:\n        x = x * 2\n    else:\n        x = x + 1",
        "for _ in range(v):\n        x = x + 1",
    ];
    let draws = ["random.randint(0, 1)", "random.choice((0, 2))", "random.randint(1, 2)"];
    let values = [vec![0, 1], vec![0, 2], vec![1, 2]];
    let program = |d: [&str; 2], o: [&str; 2]| {
        format!(
            "import random\nimport threading\n\nx = 1\n\n\ndef one():\n    global x\n    v = {}\n    {}\n\n\n\
             def two():\n    global x\n    v = {}\n    {}\n\n\n\
             a = threading.Thread(target=one)\nb = threading.Thread(target=two)\na.start()\nb.start()\na.join()\nb.join()\n",
            d[0], o[0], d[1], o[1]
        )
    };
    let mut checked = 0;
    for (i, j) in [(0, 1), (1, 2), (2, 0), (0, 0)] {
        for (p, q) in [(0, 1), (1, 2), (2, 2), (0, 0)] {
            let drawn = model(&program([draws[p], draws[q]], [ops[i], ops[j]]));
            let got = outcome_set(&drawn, Strategy::Stateful, "x");
            let mut want = BTreeSet::new();
            for u in &values[p] {
                for w in &values[q] {
                    let fixed = model(&program([&u.to_string(), &w.to_string()], [ops[i], ops[j]]));
                    want.extend(outcome_set(&fixed, Strategy::Stateful, "x"));
                }
            }
            assert_eq!(got, want, "draws {p} {q}, ops {i} {j}");
            checked += 1;
        }
    }
    assert_eq!(checked, 16);
}

#[test]
fn draws_the_checker_cannot_model_stop_the_run_and_say_why() {
    let stop = |text: &str| {
        let r = model(text).checker().check();
        assert_ne!(r.verdict, Verdict::Holds);
        r.checker_stop.expect("a stop of the checker").message
    };
    // CPython reads a list's length, draws, then reads the item: another thread may change it.
    let shared = "import random\nimport threading\n\nnames = ['a', 'b']\n\n\ndef grow():\n    names.append('c')\n\n\n\
                  t = threading.Thread(target=grow)\nt.start()\nx = random.choice(names)\nt.join()\n";
    let m = stop(shared);
    assert!(m.contains("random.choice() of a list while another thread is alive"), "{m}");
    // A list built for the call is the call's alone; a tuple cannot change.
    let own = shared.replace("random.choice(names)", "random.choice(['a', 'b'])");
    let got: BTreeSet<String> =
        outcome_set(&model(&own), Strategy::Stateful, "x").into_iter().map(|(v, _)| v).collect();
    assert_eq!(got, ["'a'", "'b'"].iter().map(|s| s.to_string()).collect());
    let m = stop("import random\n\nx = random.randint(0, 64)\n");
    assert!(m.contains("random.randint() over 65 values without random.seed(n)"), "{m}");
    let got = outcome_set(&model("import random\n\nx = random.randint(0, 63)\n"), Strategy::Stateful, "x");
    assert_eq!(got.len(), 64);
    // An empty range raises CPython's ValueError whatever the draw.
    let r = model("import random\n\nx = random.randint(3, 1)\n").checker().check();
    let c = r.counterexample.expect("the program's ValueError");
    assert!(c.finding.message.contains("ValueError: empty range for randrange() (3, 2, -1)"), "{}", c.finding.message);
}

#[test]
fn the_cli_replays_a_counterexample_with_its_draws() {
    let path = write_temp("dice.py", DICE);
    let file = path.to_str().unwrap();
    let o = gilcheck(&["check", file]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("  draws:    1.0=2,2.0=2"), "{out}");
    let replay = out.lines().find(|l| l.trim_start().starts_with("replay:")).expect("a replay line");
    assert!(replay.contains("--draws 1.0=2,2.0=2 --schedule"), "{replay}");
    let args: Vec<&str> = replay.split_whitespace().skip(2).collect();
    let o = gilcheck(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("AssertionError: both rolled 3"), "{}", stdout(&o));
    // A graph shows one combination of drawn values: it needs --draws.
    let o = gilcheck(&["graph", file, "--format", "dot"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("choose it with --draws"), "{}", stderr(&o));
    // --draws for a program that draws nothing is a usage error.
    let plain = write_temp("plain.py", "x = 1\n");
    let o = gilcheck(&["check", plain.to_str().unwrap(), "--draws", "1.0=1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("makes no unseeded random draw"), "{}", stderr(&o));
}

/// A `random` function named as a value draws every value wherever it is called; the module or
/// another function as a value is refused without a seed.
#[test]
fn a_random_function_named_as_a_value_draws_every_value_or_is_refused() {
    let xs = |text: &str| -> BTreeSet<String> {
        outcome_set(&model(text), Strategy::Stateful, "x").into_iter().map(|(v, _)| v).collect()
    };
    assert_eq!(
        xs("import random\nf = random.randint\nx = f(1, 2)\n"),
        ["1", "2"].iter().map(|s| s.to_string()).collect()
    );
    let partial = "import functools\nimport random\ng = functools.partial(random.randint, 1)\nx = g(3)\n";
    assert_eq!(xs(partial), ["1", "2", "3"].iter().map(|s| s.to_string()).collect());
    for (text, what) in [
        ("import random\nr = random\nx = r.randint(1, 2)\n", "r.py:2:5: unsupported: the module random as a value"),
        (
            "import random\nf = random.random\nx = f()\n",
            "r.py:2:5: unsupported: random.random as a value without random.seed(n)",
        ),
    ] {
        let e = Model::from_source("r.py", text).unwrap_err().to_string();
        assert!(e.contains(what), "{e}");
    }
    let stop = model("import random\nprint(random.randint)\n").checker().check().checker_stop.expect("a stop");
    assert!(stop.message.contains("the str() or repr() of random.randint"), "{}", stop.message);
}
