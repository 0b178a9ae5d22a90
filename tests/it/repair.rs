//! `gilcheck fix`: every repair offered is re-checked here, independently of the repair's own
//! re-check: the repaired text is compiled afresh and proved under the same switch model, every
//! outcome it can reach is one the original could reach (a lock only removes interleavings),
//! and its output sequences are exactly those of the original's runs without a violation.

use crate::cli::{gilcheck, stdout, write_temp};
use gilcheck::{fix, FixOptions, Model, Outputs, Reduction, Strategy, SwitchModel, Verdict};
use std::collections::BTreeSet;

fn model(path: &str, sets: &[(&str, &str)]) -> Model {
    Model::from_file(path).unwrap().with_sets(sets.iter().copied()).unwrap()
}

/// The distinct (globals, output) outcomes, with or without a violation, from a plain stateful
/// search.
/// Final globals and output lines.
type Ends = BTreeSet<(Vec<(String, String)>, Vec<String>)>;

fn outcomes(m: &Model, with_violations: bool) -> Ends {
    let r = m.checker().strategy(Strategy::Stateful).all_outcomes(true).count_interleavings(false).check();
    assert!(r.exhaustive, "{}: the search was cut", m.source().name());
    r.outcomes()
        .filter(|o| with_violations || o.violation.is_none())
        .map(|o| (o.globals.clone(), o.output.clone()))
        .collect()
}

/// Repairs `path`, and checks the repair: the text changes only by the expected lines, the
/// repaired program (compiled here from its text) holds under the same switch model, and it
/// keeps exactly the original's outcomes without a violation (so its output sequences too).
#[track_caller]
fn repaired(
    path: &str,
    sets: &[(&str, &str)],
    switch: SwitchModel,
    want_description: &str,
    want_lines: &[&str],
) -> String {
    let m = model(path, sets).with_switch(switch).unwrap();
    let f = fix(&m, &FixOptions::default()).unwrap();
    assert_eq!(f.original.verdict, Verdict::Violated, "{path}");
    let c = f.repair().unwrap_or_else(|| panic!("{path}: no repair: {:?} {:?}", f.gave_up, f.tried));
    assert!(c.description.contains(want_description), "{path}: {}", c.description);
    for line in want_lines {
        assert!(c.text.lines().any(|l| l == *line), "{path}: no line {line:?} in\n{}", c.text);
    }
    let again = Model::from_source(path, c.text.clone())
        .unwrap()
        .with_sets(sets.iter().copied())
        .unwrap()
        .with_switch(switch)
        .unwrap();
    let r = again.checker().reduction(Reduction::Full).count_interleavings(false).check();
    assert_eq!(r.verdict, Verdict::Holds, "{path}: the repair does not hold:\n{}", c.text);
    assert!(r.exhaustive);
    c.text.clone()
}

/// The repaired program reaches only outcomes the original reaches, and prints exactly the
/// output sequences of the original's runs without a violation (checked at sizes a plain search
/// exhausts).
#[track_caller]
fn keeps_outcomes(path: &str, sets: &[(&str, &str)], text: &str) {
    let original = model(path, sets);
    let repaired = Model::from_source(path, text).unwrap().with_sets(sets.iter().copied()).unwrap();
    let after = outcomes(&repaired, true);
    assert!(after.is_subset(&outcomes(&original, true)), "{path}: the repair reaches a new outcome");
    let printed = |set: Ends| -> BTreeSet<Vec<String>> { set.into_iter().map(|(_, out)| out).collect() };
    let before = printed(outcomes(&original, false));
    assert!(!before.is_empty());
    assert_eq!(before, printed(after), "{path}: the repair changes the output sequences");
}

#[test]
fn the_seed_race_gets_a_lock_around_the_update_and_is_proved_at_the_full_n() {
    let text = repaired(
        "models/race_condition.py",
        &[],
        SwitchModel::Bytecode,
        "`with lock:` around line 11 in deposit() (a new module-level lock `lock`)",
        &[
            "lock = threading.Lock()",
            "        with lock:",
            "            balance += 1  # LOAD_GLOBAL, LOAD_CONST, BINARY_OP, STORE_GLOBAL: not atomic",
        ],
    );
    // The repaired program's one outcome at N = 10⁶.
    let m = Model::from_source("r.py", text.clone()).unwrap();
    let r = m.checker().reduction(Reduction::Full).count_interleavings(false).check();
    assert_eq!(r.int_values("balance"), BTreeSet::from([2_000_000]));
    // At a size a plain search exhausts: the only outcome without a violation, kept.
    keeps_outcomes("models/race_condition.py", &[("N", "3")], &text);
}

#[test]
fn check_then_act_gets_a_region_over_the_check_and_the_act() {
    let text = repaired(
        "models/check_then_act.py",
        &[],
        SwitchModel::Bytecode,
        "around lines 10-12 in buy()",
        &["    with lock:", "        if tickets > 0:", "            tickets -= 1", "            sold += 1"],
    );
    keeps_outcomes("models/check_then_act.py", &[], &text);
}

#[test]
fn a_deadlock_gets_a_consistent_lock_order() {
    let text =
        repaired("models/deadlock.py", &[], SwitchModel::Bytecode, "in backward(), take lock_a before lock_b", &[]);
    let backward: Vec<&str> = text.lines().skip_while(|l| *l != "def backward():").take(5).collect();
    assert_eq!(
        backward,
        [
            "def backward():",
            "    global transfers",
            "    with lock_a:",
            "        with lock_b:",
            "            transfers += 1"
        ]
    );
    keeps_outcomes("models/deadlock.py", &[], &text);
}

#[test]
fn a_dict_counter_and_an_attribute_counter_get_their_read_modify_write_covered() {
    let text = repaired(
        "models/repair/dict_counter.py",
        &[],
        SwitchModel::Bytecode,
        "around line 11 in work()",
        &["        with lock:", "            counts[\"hits\"] += 1"],
    );
    keeps_outcomes("models/repair/dict_counter.py", &[], &text);
    let text = repaired(
        "models/repair/attr_counter.py",
        &[],
        SwitchModel::Bytecode,
        "around line 10 in increment()",
        &["        with lock:", "            self.value += 1"],
    );
    keeps_outcomes("models/repair/attr_counter.py", &[], &text);
}

#[test]
fn both_sides_of_a_race_between_two_functions_are_covered_by_one_lock() {
    let text = repaired(
        "models/repair/two_functions.py",
        &[],
        SwitchModel::Bytecode,
        "around line 9 in deposit() and line 14 in withdraw()",
        &["        balance += amount", "        balance -= amount"],
    );
    assert_eq!(text.matches("with lock:").count(), 2);
    keeps_outcomes("models/repair/two_functions.py", &[], &text);
}

#[test]
fn a_lock_that_already_guards_the_data_is_reused() {
    let text = repaired(
        "models/repair/partial_lock.py",
        &[],
        SwitchModel::Bytecode,
        "the program's lock `lock`, which already guards this data elsewhere",
        &["    with lock:", "        count += 1"],
    );
    assert_eq!(text.matches("threading.Lock()").count(), 1, "{text}");
    assert_eq!(text.matches("with lock:").count(), 2, "{text}");
    keeps_outcomes("models/repair/partial_lock.py", &[], &text);
}

#[test]
fn a_region_leaves_the_print_before_it_out_so_both_output_orders_remain() {
    let text = repaired(
        "models/repair/logged_worker.py",
        &[],
        SwitchModel::Bytecode,
        "around lines 11-12 in worker()",
        &["    print(\"hello from\", name)", "    with lock:", "        seen = count", "        count = seen + 1"],
    );
    keeps_outcomes("models/repair/logged_worker.py", &[], &text);
    let orders: BTreeSet<Vec<String>> =
        outcomes(&Model::from_source("w.py", text).unwrap(), false).into_iter().map(|o| o.1).collect();
    assert_eq!(orders.len(), 2, "{orders:?}");
}

#[test]
fn a_check_then_transfer_gets_one_region_over_the_check_and_both_updates() {
    let text = repaired(
        "models/repair/transfer.py",
        &[],
        SwitchModel::Bytecode,
        "around lines 11-13 in transfer()",
        &["    with lock:", "        if balance_a >= amount:"],
    );
    keeps_outcomes("models/repair/transfer.py", &[], &text);
}

#[test]
fn a_repair_is_rechecked_under_the_switch_model_it_was_found_under() {
    // CPython 3.9 can switch inside `balance += 1`: the race is there at N = 3, and the repair
    // is proved under 3.9.
    repaired("models/race_condition.py", &[("N", "3")], SwitchModel::Cpython39, "around line 11 in deposit()", &[]);
    // Under 3.11 the seed program holds: nothing to repair.
    let m = model("models/race_condition.py", &[("N", "3")]).with_switch(SwitchModel::Cpython311).unwrap();
    let f = fix(&m, &FixOptions::default()).unwrap();
    assert!(f.repair().is_none() && f.tried.is_empty());
    assert_eq!(f.gave_up.as_deref(), Some("the program holds: there is nothing to repair"));
}

#[test]
fn the_command_prints_the_diff_writes_it_on_request_and_the_file_then_holds() {
    let src = std::fs::read_to_string("models/check_then_act.py").unwrap();
    let p = write_temp("fix_me.py", &src);
    let path = p.to_str().unwrap();
    let o = gilcheck(&["fix", path]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains(&format!("--- {path}\n+++ {path} (repaired)\n")), "{out}");
    assert!(out.contains("+    with lock:\n"), "{out}");
    assert!(out.contains("  re-check under bytecode: HOLDS"), "{out}");
    assert!(out.contains(&format!("  apply it: gilcheck fix {path} --write")), "{out}");
    assert_eq!(std::fs::read_to_string(&p).unwrap(), src, "fix without --write changed the file");
    let w = gilcheck(&["fix", path, "--write"]);
    assert_eq!(w.status.code(), Some(0));
    assert!(stdout(&w).contains(&format!("  written to {path}")));
    assert_eq!(gilcheck(&["check", path]).status.code(), Some(0), "the written repair does not hold");
    // Fixing it again: nothing to repair.
    let again = gilcheck(&["fix", path]);
    assert_eq!(again.status.code(), Some(0));
    assert!(stdout(&again).contains("no repair: the program holds: there is nothing to repair"), "{}", stdout(&again));
}

#[test]
fn without_a_broken_read_modify_write_no_repair_is_offered_and_the_exit_code_says_so() {
    let p = write_temp(
        "plain_assert.py",
        "import threading\n\nx = 0\n\n\ndef f():\n    global x\n    x = 1\n\n\nt = threading.Thread(target=f)\nt.start()\nassert x == 1\nt.join()\n",
    );
    let o = gilcheck(&["fix", p.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verdict"], "violated");
    assert_eq!(v["repair"], serde_json::Value::Null);
    assert!(v["gave_up"].as_str().unwrap().contains("no broken read-modify-write"), "{v}");
}

#[test]
fn output_that_shows_the_raced_data_may_lose_its_racy_sequences_and_nothing_else() {
    // `print("stock:", store.stock, "sold:", ...)` prints the raced object: the racy run that
    // ends with stock 0 and both buyers served (a lost update the assert misses) prints a line
    // the repaired program can no longer print; every other line stays.
    let m = model("models/realistic/shelf_stock.py", &[]);
    let f = fix(&m, &FixOptions::default()).unwrap();
    let c = f.repair().expect("a repair");
    assert!(c.description.contains("around lines 20-22 in quick_take()"), "{}", c.description);
    assert_eq!(f.outputs, Some(Outputs::Fewer { kept: 2, dropped: 1 }));
    let repaired = Model::from_source("s.py", c.text.clone()).unwrap();
    let printed = |m: &Model, v: bool| -> BTreeSet<Vec<String>> { outcomes(m, v).into_iter().map(|o| o.1).collect() };
    let (before, after) = (printed(&m, false), printed(&repaired, true));
    assert!(after.is_subset(&before));
    assert_eq!(before.difference(&after).collect::<Vec<_>>(), [&vec!["stock: 0 sold: ['x', 'y']".to_string()]]);
}
