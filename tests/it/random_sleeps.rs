//! `random` as tutorials use it with threads, as a sleep's length: any draw is as good as
//! another, since how long a sleep lasts is not modelled. Elsewhere an unseeded float is refused
//! (`randint` and `choice` are explored value by value: `draws.rs`), and a range that would make
//! the sleep's error depend on the draw stops the run.

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
fn an_unseeded_random_float_anywhere_but_a_sleep_is_refused_with_a_hint_to_seed() {
    let text = "import random\nimport time\nx = random.uniform(1, 3)\ntime.sleep(random.random() - 1)\n";
    let e = match Model::from_source("r.py", text) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("r.py:3:5: unsupported: random.uniform without random.seed(n)"), "{e}");
    assert!(e.contains("r.py:4:12: unsupported: random.random without random.seed(n)"), "{e}");
    assert!(e.contains("seed the generator with random.seed(n)"), "{e}");
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

/// After `random.seed(n)` at the module's top level, every draw is python3.11's own: the
/// Mersenne Twister seeded from the int, `random()`'s 53 bits, `_randbelow`'s rejection draws
/// for `randint`, `choice` and `shuffle`, and `getrandbits` (the fixture's output is
/// python3.11's, checked when it is present).
#[test]
fn seeded_random_draws_python311s_values() {
    let path = "tests/fixtures/seeded_random.py";
    let text = std::fs::read_to_string(path).unwrap();
    let out = "0 0.8444218515250481 [7, 1, 5, 9, 8] y [6, 0, 5, 1, 7, 2, 3, 4] 1.2818378443997038 106325369465 325997320459\n\
               1 0.13436424411240122 [2, 5, 2, 8, 8] y [2, 5, 4, 3, 0, 1, 7, 6] 1.4327670679050533 845087558021 586028475693\n\
               42 0.6394267984578837 [1, 5, 4, 4, 3] z [3, 7, 2, 0, 4, 6, 5, 1] 1.0317826794817835 236625619290 58420225604\n\
               12345 0.41661987254534116 [1, 5, 6, 4, 5] z [5, 4, 7, 3, 0, 2, 1, 6] 1.6117693227024457 387349395364 200716146916\n\
               1099511627783 0.6137037779936511 [10, 8, 5, 10, 3] z [0, 7, 1, 3, 2, 5, 4, 6] 1.8634128339364824 246412338601 397689798554\n\
               -5 0.6229016948897019 [6, 9, 1, 8, 4] z [4, 6, 5, 3, 2, 7, 1, 0] 1.5437608592359304 273047998277 894284044962\n\
               True 0.13436424411240122 [2, 5, 2, 8, 8] y [2, 5, 4, 3, 0, 1, 7, 6] 1.4327670679050533 845087558021 586028475693";
    let got: BTreeSet<String> = outcomes(&text, "s").into_iter().map(|(_, o)| o).collect();
    assert_eq!(got, BTreeSet::from([out.to_string()]));
    if let Some(real) = crate::language::python311_stdout(path) {
        assert_eq!(real.join("\n"), out);
    }
}

/// The generator is shared: which thread draws first decides who gets which value. A draw that
/// takes several tries while another thread is alive stops the run as not modelled, and so does
/// a draw before the seed ran.
#[test]
fn seeded_draws_race_between_threads() {
    let text = concat!(
        "import random\nimport threading\n\nrandom.seed(42)\ngot = {}\n\n\ndef draw(name):\n",
        "    got[name] = round(random.random(), 4)\n\n\nts = [threading.Thread(target=draw, args=(n,)) for n in \"ab\"]\n",
        "for t in ts:\n    t.start()\nfor t in ts:\n    t.join()\nr = sorted(got.items())\n",
    );
    let got: BTreeSet<String> = outcomes(text, "r").into_iter().map(|(v, _)| v).collect();
    let want = ["[('a', 0.025), ('b', 0.6394)]", "[('a', 0.6394), ('b', 0.025)]"];
    assert_eq!(got, want.iter().map(|s| s.to_string()).collect());
    let before = "import random\n\nx = random.random()\nrandom.seed(1)\n";
    let stop = model(before).checker().check().checker_stop.expect("a stop of the checker");
    assert!(stop.message.contains("random.random() before random.seed(...) ran"), "{}", stop.message);
}
