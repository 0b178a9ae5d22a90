//! `random` as tutorials use it with threads, as a sleep's length: any draw is as good as
//! another, since how long a sleep lasts is not modelled. Everywhere else a random value is
//! refused, and a range that would make the sleep's error depend on the draw stops the run.

use crate::language::{model, outcomes};
use gilcheck::Model;
use std::collections::BTreeSet;

const WORKERS: &str = "import random\nimport threading\nimport time\nfrom random import uniform\n\ndone = []\n\n\n\
                       def worker(name):\n    time.sleep(random.random())\n    time.sleep(uniform(0.1, 0.3))\n\
                       \x20   time.sleep(random.randint(1, 2) / 10)\n    time.sleep(0.5 * random.choice([1, 2]))\n\
                       \x20   done.append(name)\n\n\nthreads = [threading.Thread(target=worker, args=(n,)) for n in \"ab\"]\n\
                       for t in threads:\n    t.start()\nfor t in threads:\n    t.join()\nprint(sorted(done))\n";

#[test]
fn random_sleeps_let_the_workers_finish_in_either_order() {
    let got: BTreeSet<(String, String)> = outcomes(WORKERS, "done");
    let want = BTreeSet::from([
        ("['a', 'b']".to_string(), "['a', 'b']".to_string()),
        ("['b', 'a']".to_string(), "['a', 'b']".to_string()),
    ]);
    assert_eq!(got, want);
}

#[test]
fn a_random_value_anywhere_but_a_sleep_is_refused() {
    let text = "import random\nimport time\nx = random.randint(1, 3)\ntime.sleep(random.random() - 1)\n";
    let e = match Model::from_source("r.py", text) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("r.py:3:5: unsupported: random.randint outside time.sleep(...)"), "{e}");
    assert!(e.contains("r.py:4:12: unsupported: random.random outside time.sleep(...)"), "{e}");
}

#[test]
fn every_draw_failing_is_the_programs_error_and_some_draws_failing_is_not_modelled() {
    // An empty range fails whatever the draw: CPython's ValueError.
    let r = model("import random\nimport time\ntime.sleep(random.randint(5, 3))\n").checker().check();
    let cex = r.counterexample.expect("the program's ValueError");
    assert!(
        cex.finding.message.contains("ValueError: empty range for randrange() (5, 4, -1)"),
        "{}",
        cex.finding.message
    );
    let r = model("import random\nimport time\ntime.sleep(random.choice([]))\n").checker().check();
    let cex = r.counterexample.expect("the program's IndexError");
    assert!(
        cex.finding.message.contains("IndexError: Cannot choose from an empty sequence"),
        "{}",
        cex.finding.message
    );
    // A range that reaches below zero: whether the sleep raises depends on the draw.
    let r = model("import random\nimport time\ntime.sleep(random.uniform(-1, 1))\n").checker().check();
    assert!(r.counterexample.is_none());
    let stop = r.checker_stop.expect("stopped as not modelled");
    assert!(stop.message.contains("random.uniform() over a range below zero"), "{}", stop.message);
}
