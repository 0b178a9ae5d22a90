//! Interleaving counts: `enumerate` and `stateful` agree with each other on every model, and
//! with combinatorics on programs without blocking.

use gilcheck::bytecode::Instr;
use gilcheck::Model;
use gilcheck::{Report, Strategy};
use num_bigint::BigUint;

fn binomial(n: u64, k: u64) -> BigUint {
    let mut r = BigUint::from(1u32);
    for i in 0..k {
        r = r * BigUint::from(n - i) / BigUint::from(i + 1);
    }
    r
}

fn multinomial(parts: &[u64]) -> BigUint {
    let mut total = 0;
    let mut r = BigUint::from(1u32);
    for &p in parts {
        total += p;
        r *= binomial(total, p);
    }
    r
}

fn run(m: &Model, s: Strategy) -> Report {
    let r = m.checker().strategy(s).all_outcomes(true).count_interleavings(true).check();
    assert!(r.exhaustive, "{s} was cut: {:?}", r.limit);
    r
}

/// Index (0-based) of the n-th CALL of `start` in the module code, as a step number.
fn start_calls(m: &Model) -> Vec<u64> {
    let code = m.program().module();
    let mut out = Vec::new();
    for (i, ins) in code.instrs.iter().enumerate() {
        if let Instr::LoadMethod(n) = ins {
            if code.names[*n as usize] == "start" {
                let call = code.instrs[i..].iter().position(|x| matches!(x, Instr::Call(_))).unwrap() + i;
                out.push(call as u64 + 1);
            }
        }
    }
    out
}

fn steps_of(m: &Model, name: &str) -> u64 {
    m.program().codes.iter().find(|c| c.name == name).unwrap().instrs.len() as u64
}

#[test]
fn one_worker_without_blocking_is_a_binomial() {
    for body in ["x = 1", "x = 1\n    y = 2", "x = 1\n    y = x + 2\n    x = y * 3"] {
        let src = format!("import threading\nx = 0\ny = 0\ndef w():\n    global x, y\n    {body}\nt = threading.Thread(target=w)\nt.start()\n");
        let m = Model::from_source("one.py", src).unwrap();
        let main_steps = m.program().module().instrs.len() as u64;
        let a = start_calls(&m)[0];
        let k = steps_of(&m, "w");
        let want = binomial(main_steps - a + k, k);
        let e = run(&m, Strategy::Enumerate);
        let s = run(&m, Strategy::Stateful);
        assert_eq!(e.interleavings.as_ref(), Some(&want), "enumerate: {body}");
        assert_eq!(s.interleavings.as_ref(), Some(&want), "stateful: {body}");
    }
}

#[test]
fn two_workers_without_blocking_match_the_multinomial_sum() {
    let src = "import threading\nx = 0\ndef a():\n    global x\n    x = 1\ndef b():\n    global x\n    x = 2\n\
               t1 = threading.Thread(target=a)\nt2 = threading.Thread(target=b)\nt1.start()\nt2.start()\n";
    let m = Model::from_source("two.py", src).unwrap();
    let main_steps = m.program().module().instrs.len() as u64;
    let starts = start_calls(&m);
    let (a1, a2) = (starts[0], starts[1]);
    let (k1, k2) = (steps_of(&m, "a"), steps_of(&m, "b"));
    // T1 takes j steps while main runs its d - 1 steps up to (not including) the second start;
    // after it, main's remaining r steps, T1's k1 - j and T2's k2 interleave freely.
    let d = a2 - a1;
    let r = main_steps - a2;
    let mut want = BigUint::from(0u32);
    for j in 0..=k1 {
        want += binomial(d - 1 + j, j) * multinomial(&[r, k1 - j, k2]);
    }
    let e = run(&m, Strategy::Enumerate);
    let s = run(&m, Strategy::Stateful);
    assert_eq!(e.interleavings.as_ref(), Some(&want));
    assert_eq!(s.interleavings.as_ref(), Some(&want));
    // x ends as 1 or 2 depending on which thread stores last.
    assert_eq!(s.int_values("x").into_iter().collect::<Vec<_>>(), vec![1, 2]);
}

/// Plain enumeration visits every interleaving, so it only reaches small programs: the seed's
/// models have ~10^16 interleavings already at N = 1 (the stateful count). `models/small/` holds
/// each model's mechanism (lost update, lock, sleep and print, lock order) at enumerable size.
#[test]
fn enumerate_and_stateful_agree_on_the_small_models() {
    let cases = [
        ("models/small/race_once.py", None),
        ("models/small/locked_once.py", None),
        ("models/small/sleep_print.py", None),
        ("models/small/lock_order.py", None),
    ];
    for (path, n) in cases {
        let n: Option<&str> = n;
        let mut m = Model::from_file(path).unwrap();
        if let Some(n) = n {
            m = m.with_set("N", n).unwrap();
        }
        let e = run(&m, Strategy::Enumerate);
        let s = run(&m, Strategy::Stateful);
        assert_eq!(e.verdict, s.verdict, "{path} N={n:?}");
        assert_eq!(e.outcomes().collect::<Vec<_>>(), s.outcomes().collect::<Vec<_>>(), "{path} N={n:?}");
        let ef: Vec<_> = e.violations.iter().map(|v| &v.finding).collect();
        let sf: Vec<_> = s.violations.iter().map(|v| &v.finding).collect();
        assert_eq!(ef, sf, "{path} N={n:?}");
        assert_eq!(e.interleavings, s.interleavings, "{path} N={n:?}");
        // Per-outcome counts (enumerate) add up to the total.
        let sum: BigUint = e.outcomes.iter().filter_map(|o| o.interleavings.clone()).sum();
        assert!(sum <= e.interleavings.clone().unwrap());
    }
}
