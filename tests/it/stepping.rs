//! `gilcheck explore`: a scripted stepping session (commands on stdin) reproduces a lost update
//! step by step, and the schedule it saves replays with `gilcheck trace` to the same final state.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const RACY: [&str; 3] = ["models/race_condition.py", "--set", "N=2"];

fn gilcheck(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gilcheck"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run gilcheck");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write the script");
    child.wait_with_output().expect("wait for gilcheck")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The value of `balance` on the last line that starts with `prefix` and shows it.
fn last_balance(text: &str, prefix: &str) -> i64 {
    let line = text
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with(prefix) && l.contains("balance = "))
        .unwrap_or_else(|| panic!("no {prefix:?} line with the balance in\n{text}"));
    let tail = &line[line.find("balance = ").unwrap_or(0) + "balance = ".len()..];
    tail.split(|c: char| !c.is_ascii_digit()).next().and_then(|d| d.parse().ok()).expect("a number")
}

/// The steps of `tid` in the session's output whose effect contains `effect`.
fn steps_with(out: &str, thread: &str, effect: &str) -> usize {
    out.lines().filter(|l| l.split_whitespace().nth(1) == Some(thread) && l.contains(effect)).count()
}

#[test]
fn a_scripted_session_reproduces_a_lost_update_and_its_schedule_replays() {
    let dir = std::env::temp_dir().join(format!("gilcheck-stepping-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let saved = dir.join("lost_update.schedule");
    let script = format!(
        "# main creates and starts both threads, then blocks joining T1
step main 100
# T1 enters its loop and runs up to `balance += 1`
step T1 8
# T1 reads balance (0) and adds 1, and stops just before its write (a visible step)
run T1
# preempted there, T2 runs to the end: both its updates land, balance = 2
finish T2
# T1 writes back its stale 0 + 1 over T2's work, then does its second update
finish T1
# main joins both threads, prints, and the assertion fails
finish main
threads
globals
save {}
",
        saved.display()
    );
    let mut args = vec!["explore"];
    args.extend(RACY);
    let o = gilcheck(&args, &script);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "a session that ends in a violation exits 1\n{out}");
    assert!(o.stderr.is_empty(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!out.contains("error:"), "every command of the script is accepted:\n{out}");

    // Step by step: main blocks joining T1; T1 reads 0 and stops before its write; T2 writes
    // 1 and 2; T1's late write puts back 1, and the final balance is 2, not 4.
    assert!(out.contains("main is blocked joining T1"), "{out}");
    assert!(out.contains("T1 stops before its next visible step: STORE_GLOBAL 2 (balance) at line 11"), "{out}");
    assert_eq!(steps_with(&out, "T1", "LOAD_GLOBAL 2 (balance)  → read balance = 0"), 1, "{out}");
    assert!(out.contains("── T2 runs 23 steps (preemption)"), "{out}");
    assert_eq!(steps_with(&out, "T2", "wrote balance = 1"), 1, "{out}");
    assert_eq!(steps_with(&out, "T2", "wrote balance = 2"), 1, "{out}");
    let lost = out.find("T1    line 11   STORE_GLOBAL 2 (balance)  → wrote balance = 1").expect("T1's late write");
    assert!(out.find("wrote balance = 2").is_some_and(|t2| t2 < lost), "T1 writes back after T2: {out}");
    let final_balance = last_balance(&out, "globals:");
    assert!(final_balance < 4, "an update is lost: balance = {final_balance}");
    assert!(out.contains("output:  \"Final Balance: 2\""), "{out}");
    assert!(
        out.contains("── end: violation (assertion): AssertionError: lost updates: balance is 2, expected 4"),
        "{out}"
    );
    assert!(out.contains("in main at line 19: assert balance == 2 * N"), "{out}");
    assert!(out.contains("main    died at line 19 (AssertionError)"), "{out}");

    // `save` prints the schedule and the replay command, and writes the file.
    let schedule =
        out.lines().find_map(|l| l.strip_prefix("schedule: ")).expect("save prints the schedule").trim().to_string();
    assert_eq!(schedule, "0x41,1x11,2x23,1x12,0x35");
    assert!(out.contains(&format!("replay:   gilcheck trace models/race_condition.py --set N=2 --schedule {schedule}")));
    assert_eq!(std::fs::read_to_string(&saved).unwrap().trim(), schedule);

    // `gilcheck trace --schedule` replays it to the same final state.
    let mut args = vec!["trace"];
    args.extend(RACY);
    args.extend(["--schedule", &schedule]);
    let t = gilcheck(&args, "");
    let trace = stdout(&t);
    assert_eq!(t.status.code(), Some(1), "{trace}");
    assert_eq!(last_balance(&trace, "end after"), final_balance, "{trace}");
    assert!(trace.contains("end after 1 preemption: N = 2, balance = 2"), "{trace}");
    assert!(trace.contains("violation assertion: AssertionError: lost updates: balance is 2, expected 4"), "{trace}");

    // `explore --schedule` starts there.
    let mut args = vec!["explore"];
    args.extend(RACY);
    args.extend(["--schedule", &schedule]);
    let e = gilcheck(&args, "");
    let again = stdout(&e);
    assert_eq!(e.status.code(), Some(1), "{again}");
    assert_eq!(last_balance(&again, "globals:"), final_balance, "{again}");
    assert!(again.contains("── after 122 steps · 1 preemption · schedule 0x41,1x11,2x23,1x12,0x35"), "{again}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn back_load_and_refusals_work_from_a_pipe() {
    let script = "\
step main 41
1
back
step 1 2
back 3
load 0x41,2x11,1x23,2x12
step 1
T2
nonsense
";
    let mut args = vec!["explore"];
    args.extend(RACY);
    let o = gilcheck(&args, script);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("undid 1 step\n── after 41 steps · 0 preemptions · schedule 0x41"), "{out}");
    assert!(out.contains("undid 3 steps\n── after 40 steps · 0 preemptions · schedule 0x40"), "{out}");
    assert!(out.contains("loaded 87 steps, 1 preemption"), "{out}");
    assert!(out.contains("error: T1 cannot run: it has finished"), "{out}");
    assert!(out.contains("error: T2 cannot run: it has finished"), "{out}");
    assert!(out.contains("error: unknown command `nonsense`; `help` lists the commands"), "{out}");
    assert!(out.contains("── after 87 steps · 1 preemption · schedule 0x41,2x11,1x23,2x12\n"), "{out}");
}

#[test]
fn a_schedule_that_does_not_fit_is_refused_with_exit_2() {
    let mut args = vec!["explore"];
    args.extend(RACY);
    args.extend(["--schedule", "0x41,3x2"]);
    let o = gilcheck(&args, "");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("does not fit this program at step 42: there is no thread 3"), "{err}");
}
