//! `time.time()`, `time.monotonic()` and `time.perf_counter()`: readings that only grow. The
//! order comparisons of readings and their differences are choices where the readings so far
//! leave them open, and agree with every earlier answer; what would look at a reading's value in
//! any other way stops the run as not modelled.

use crate::language::model;
use gilcheck::{Strategy, Verdict};
use std::collections::BTreeSet;

/// `name`'s values over an exhaustive stateful search.
fn values(text: &str, name: &str) -> BTreeSet<String> {
    let r = model(text).checker().strategy(Strategy::Stateful).all_outcomes(true).check();
    assert!(r.exhaustive, "the search was cut: {:?} {:?}", r.limit, r.checker_stop);
    r.outcomes().map(|o| o.global(name).unwrap_or_else(|| panic!("no {name}: {o:?}")).to_string()).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn comparisons_of_readings_are_choices_that_agree_with_each_other() {
    // t2 is no earlier than t1; they may be equal; e > 2 implies e > 1, and the same question
    // asked twice has the same answer.
    let text = "import time\nt1 = time.monotonic()\nt2 = time.monotonic()\ne = t2 - t1\n\
                r = (t2 >= t1, t1 > t2, t2 <= t1, e >= 0, e > 1, e > 1, e > 2, e < 0.5, t1 - t1)\n";
    let want = set(&[
        "(True, False, False, True, False, False, False, False, 0.0)",
        "(True, False, False, True, False, False, False, True, 0.0)",
        "(True, False, False, True, True, True, False, False, 0.0)",
        "(True, False, False, True, True, True, True, False, 0.0)",
        "(True, False, True, True, False, False, False, True, 0.0)",
    ]);
    assert_eq!(values(text, "r"), want);
    // A clock named as a value reads the same way.
    let text = "import time\nnow = time.monotonic\na = now()\nb = now()\nr = (b - a > 1, b >= a)\n";
    assert_eq!(values(text, "r"), set(&["(False, True)", "(True, True)"]));
    // Readings of different clocks are not ordered against each other.
    let text = "from time import monotonic, perf_counter\na = monotonic()\nb = perf_counter()\nr = b >= a\n";
    assert_eq!(values(text, "r"), set(&["False", "True"]));
}

#[test]
fn a_deadline_loop_bounded_by_a_count_runs_any_number_of_times_up_to_it() {
    let text =
        "import time\ndeadline = time.monotonic() + 2\nn = 0\nwhile time.monotonic() < deadline and n < 3:\n    \
                n += 1\nlater = time.monotonic()\nr = (n, later > deadline, later - deadline > -2)\n";
    let mut want = BTreeSet::new();
    for n in 0..=3 {
        for past in ["False", "True"] {
            // `later` is no earlier than the reading the deadline was set from.
            want.insert(format!("({n}, {past}, True)"));
        }
    }
    // Once the loop stopped on the deadline (n < 3), `later` is past the first reading; after
    // three rounds before it, all readings may still be equal.
    want.insert("(3, False, False)".to_string());
    assert_eq!(values(text, "r"), want);
    // Without the count, each run is cut at the checker's limit on readings: inconclusive.
    let r = model("import time\ndeadline = time.monotonic() + 2\nwhile time.monotonic() < deadline:\n    pass\n")
        .checker()
        .check();
    assert_eq!(r.verdict, Verdict::Inconclusive);
    let stop = r.checker_stop.expect("the checker's limit");
    assert!(stop.message.contains("more than 100 time readings in one run"), "{}", stop.message);
}

#[test]
fn threads_that_time_their_work_report_either_way() {
    let text = "import threading\nimport time\n\nLIMIT = 1.0\nlog = []\n\n\ndef work(name):\n    start = time.monotonic()\n    \
                time.sleep(0.5)\n    elapsed = time.monotonic() - start\n    if elapsed > LIMIT:\n        log.append(name + ' slow')\n    \
                else:\n        log.append(name + ' fast')\n\n\nts = [threading.Thread(target=work, args=(n,)) for n in 'ab']\n\
                for t in ts:\n    t.start()\nfor t in ts:\n    t.join()\nr = sorted(log)\n";
    let want = set(&["['a fast', 'b fast']", "['a fast', 'b slow']", "['a slow', 'b fast']", "['a slow', 'b slow']"]);
    assert_eq!(values(text, "r"), want);
}

#[test]
fn looking_at_a_readings_value_stops_the_run_as_not_modelled() {
    for (text, what) in [
        ("import time\nstart = time.time()\nprint(time.time() - start)\n", "CALL of a time reading"),
        ("import time\nx = f'{time.time()}'\n", "FORMAT_VALUE of a time reading"),
        ("import time\nt = time.time()\nr = t == t\n", "with == or !="),
        ("import time\nr = time.time() * 1000\n", "BINARY_OP of a time reading"),
        (
            "import time\n\n\nclass Job:\n    pass\n\n\nj = Job()\nj.start = time.time()\n",
            "STORE_ATTR of a time reading",
        ),
        ("import time\nd = {}\nd['t'] = time.monotonic()\n", "STORE_SUBSCR of a time reading"),
        ("import time\nr = [time.monotonic()]\n", "BUILD_LIST of a time reading"),
        ("import time\nif time.time():\n    pass\n", "of a time reading"),
    ] {
        let r = model(text).checker().check();
        assert_ne!(r.verdict, Verdict::Violated, "{text}");
        let stop = r.checker_stop.unwrap_or_else(|| panic!("not stopped: {text}"));
        assert!(stop.message.contains(what), "{text}: {}", stop.message);
    }
    // A reading passed to the program's own function is bound to its parameter.
    let text = "import time\n\n\ndef late(start, limit):\n    return time.monotonic() - start > limit\n\n\n\
                r = late(time.monotonic(), 1)\n";
    assert_eq!(values(text, "r"), set(&["False", "True"]));
}

/// Random straight-line programs of three readings and order comparisons of their differences
/// with constants: every answer combination that concrete readings (increments on a grid that
/// holds every boundary and the points between) give is among the checker's outcomes.
#[test]
fn every_combination_concrete_readings_give_is_an_outcome() {
    let mut seed: u64 = 2026;
    let mut next = |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let ops = ["<", "<=", ">", ">="];
    let consts = [0.0, 0.5, 1.0, 1.5];
    let mut compared = 0;
    for case in 0..30 {
        // (i, j, op, c): `t{j} - t{i} OP c`.
        let comparisons: Vec<(usize, usize, &str, f64)> = (0..2 + next(3))
            .map(|_| {
                let i = next(3) as usize;
                let j = (i + 1 + next(2) as usize) % 3;
                (i, j, ops[next(4) as usize], consts[next(4) as usize])
            })
            .collect();
        let exprs: Vec<String> = comparisons.iter().map(|(i, j, op, c)| format!("t{j} - t{i} {op} {c:?}")).collect();
        let text = format!(
            "import time\nt0 = time.monotonic()\nt1 = time.monotonic()\nt2 = time.monotonic()\nr = ({},)\n",
            exprs.join(", ")
        );
        let got = values(&text, "r");
        let mut want = BTreeSet::new();
        for a in 0..=10 {
            for b in 0..=10 {
                let t = [100.0, 100.0 + 0.25 * f64::from(a), 100.0 + 0.25 * f64::from(a + b)];
                let answers: Vec<&str> = comparisons
                    .iter()
                    .map(|(i, j, op, c)| {
                        let d = t[*j] - t[*i];
                        let holds = match *op {
                            "<" => d < *c,
                            "<=" => d <= *c,
                            ">" => d > *c,
                            _ => d >= *c,
                        };
                        if holds {
                            "True"
                        } else {
                            "False"
                        }
                    })
                    .collect();
                want.insert(format!("({})", answers.join(", ")));
            }
        }
        assert!(want.is_subset(&got), "case {case}: {text}\nconcrete {want:?}\nchecker {got:?}");
        compared += want.len();
    }
    assert!(compared >= 60, "{compared}");
}
