//! Heap symmetry (`vm/canon.rs`): the stateful search keeps one state for every numbering of the
//! heap and drops objects nothing refers to. It must find the same outcomes, violations and
//! interleaving counts as the search that keeps every state as it is, and as plain enumeration,
//! on programs whose threads make, share, replace and drop objects of every kind the heap holds:
//! lists, dicts, instances that point at each other, tuples of objects, closures and their cells,
//! generators, sets and deques. Identity (`is`) must survive the renumbering.

use gilcheck::{Limits, Model, Report, Strategy, SwitchModel};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// One operation of a thread, with its constant `k`.
fn op(kind: u8, k: u8) -> String {
    match kind {
        0 => format!("x = [{k}]\n    shared.append(x)\n"),
        1 => format!("box[{k}] = Node({k})\n"),
        2 => format!("shared.append(Node({k}))\n"),
        3 => "if shared:\n        y = shared.pop()\n        box['last'] = y\n".into(),
        4 => format!("box.pop({k}, None)\n"),
        5 => format!("shared.append((Node({k}), [{k}]))\n"),
        6 => format!("n = Node({k})\n    n.next = Node({k} + 10)\n    head.append(n)\n"),
        7 => "if head:\n        head[0].next = None\n".into(),
        8 => format!("box['f{k}'] = make({k})\n"),
        9 => {
            "for key in list(box):\n        if isinstance(key, str) and key.startswith('f'):\n            box[key]()\n"
                .into()
        }
        10 => format!("g = gen({k})\n    shared.append(next(g))\n"),
        11 => format!("shared.append({{{k}, {k} + 1}})\n"),
        12 => format!("q = collections.deque([{k}])\n    q.append([{k}])\n    box['q'] = q\n"),
        13 => "if len(shared) > 1:\n        shared[0] = shared[-1]\n".into(),
        14 => format!("with lock:\n        box['lk'] = [Node({k}), box.get('lk')]\n"),
        _ => "shared.clear()\n".into(),
    }
}

const PRELUDE: &str = "import collections
import threading

shared = []
box = {}
head = []
lock = threading.Lock()


class Node:
    def __init__(self, v):
        self.v = v
        self.next = None


def make(k):
    cell = [k]

    def bump():
        cell[0] += 1
        return cell[0]
    return bump


def gen(k):
    yield [k]
    yield k


def show(v):
    if isinstance(v, Node):
        return ('Node', v.v, show(v.next))
    if isinstance(v, (list, tuple)):
        return [show(x) for x in v]
    if isinstance(v, dict):
        return sorted((str(a), show(b)) for a, b in v.items())
    if isinstance(v, collections.deque):
        return ('deque', [show(x) for x in v])
    if isinstance(v, set):
        return sorted(v)
    if callable(v):
        return ('fn', v())
    return v
";

/// A program of two workers running `ops` (kind, k) each, then main showing everything,
/// identity included.
fn program(workers: &[Vec<(u8, u8)>]) -> String {
    let mut src = PRELUDE.to_string();
    for (i, ops) in workers.iter().enumerate() {
        src.push_str(&format!("\n\ndef w{i}():\n"));
        for &(kind, k) in ops {
            src.push_str("    ");
            src.push_str(&op(kind, k));
        }
        src.push_str("    pass\n");
    }
    let names: Vec<String> = (0..workers.len()).map(|i| format!("w{i}")).collect();
    src.push_str(&format!(
        "\n\nts = [threading.Thread(target=f) for f in ({},)]\nfor t in ts:\n    t.start()\nfor t in ts:\n    t.join()\n",
        names.join(", ")
    ));
    src.push_str(
        "seen = show(shared), show(box), show(head)\n\
         same = [a is b for a in shared for b in shared] + [v is box.get('last') for v in shared]\n\
         del ts, t\n",
    );
    src
}

fn workers() -> impl proptest::strategy::Strategy<Value = Vec<Vec<(u8, u8)>>> {
    prop::collection::vec(prop::collection::vec((0u8..16, 1u8..4), 1..4), 2..=2)
}

fn run(m: &Model, strategy: Strategy, symmetry: bool) -> Report {
    let mut limits = Limits::default();
    limits.max_states = 300_000;
    m.clone()
        .with_heap_symmetry(symmetry)
        .expect("a flag")
        .checker()
        .strategy(strategy)
        .limits(limits)
        .all_outcomes(true)
        .count_interleavings(true)
        .check()
}

fn agree(a: &Report, b: &Report, what: &str, src: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.verdict, b.verdict, "{}: verdicts differ\n{}", what, src);
    prop_assert_eq!(
        a.outcomes().collect::<Vec<_>>(),
        b.outcomes().collect::<Vec<_>>(),
        "{}: outcomes differ\n{}",
        what,
        src
    );
    let f = |r: &Report| r.violations.iter().map(|v| format!("{:?}", v.finding)).collect::<Vec<_>>();
    prop_assert_eq!(f(a), f(b), "{}: violations differ\n{}", what, src);
    prop_assert_eq!(a.interleavings.as_ref(), b.interleavings.as_ref(), "{}: counts differ\n{}", what, src);
    Ok(())
}

proptest! {
    #![proptest_config(Config {
        cases: std::env::var("GILCHECK_GEN_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(150),
        max_global_rejects: 1_000_000,
        ..Config::default()
    })]

    #[test]
    fn heap_symmetry_keeps_every_outcome_of_threads_that_make_and_drop_objects(
        ws in workers(),
        m in prop::sample::select(&[SwitchModel::Bytecode, SwitchModel::Cpython39, SwitchModel::Cpython311]),
    ) {
        let src = program(&ws);
        let model = Model::from_source("sym.py", src.as_str())
            .and_then(|x| x.with_switch(m))
            .map_err(|e| TestCaseError::fail(format!("does not compile: {e}\n{src}")))?;
        let plain = run(&model, Strategy::Stateful, false);
        prop_assume!(plain.exhaustive);
        let sym = run(&model, Strategy::Stateful, true);
        prop_assert!(sym.exhaustive, "cut with heap symmetry only\n{}", src);
        prop_assert!(sym.stats.states <= plain.stats.states);
        agree(&sym, &plain, "with and without heap symmetry", &src)?;
        // Enumeration, which keeps every state as it is, where it can go.
        if plain.interleavings.as_ref().and_then(|n| u64::try_from(n).ok()).is_some_and(|n| n <= 20_000) {
            let e = run(&model, Strategy::Enumerate, false);
            prop_assert!(e.exhaustive);
            agree(&sym, &e, "heap symmetry and enumeration", &src)?;
        }
    }
}

#[test]
fn two_threads_that_allocate_in_either_order_reach_one_state() {
    // Each worker makes a list and an instance and appends them: the two orders of the
    // allocations give heaps numbered differently, which heap symmetry keeps as one.
    let src = program(&[vec![(0, 1), (2, 1)], vec![(0, 2), (2, 2)]]);
    let m = Model::from_source("sym.py", src.as_str()).unwrap();
    let plain = run(&m, Strategy::Stateful, false);
    let sym = run(&m, Strategy::Stateful, true);
    assert!(plain.exhaustive && sym.exhaustive);
    assert_eq!(sym.outcomes().collect::<Vec<_>>(), plain.outcomes().collect::<Vec<_>>());
    assert_eq!(sym.interleavings, plain.interleavings);
    assert!(sym.stats.states < plain.stats.states, "{} vs {}", sym.stats.states, plain.stats.states);
    assert!(sym.notes.iter().any(|n| n.contains("heap symmetry")), "{:?}", sym.notes);
    assert!(!plain.notes.iter().any(|n| n.contains("heap symmetry")), "{:?}", plain.notes);
}
