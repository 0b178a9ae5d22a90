//! Unit tests of the stepping session engine.

use super::*;
use crate::explore::FindingKind;
use crate::Model;

fn racy(n: u32) -> Model {
    Model::from_file("models/race_condition.py").unwrap().with_set("N", &n.to_string()).unwrap()
}

fn replayed(model: &Model, schedule: &str) -> State {
    trace::replay(model.explorable(), &schedule.parse().unwrap()).unwrap().state
}

/// Runs a script through [`Session::run`]; returns the exit code and the output.
fn script(session: &mut Session<'_>, input: &[u8]) -> (u8, String) {
    let mut out = Vec::new();
    let code = session.run(input, &mut out).unwrap();
    (code, String::from_utf8(out).unwrap())
}

#[test]
fn back_undoes_steps_to_the_state_a_replay_reaches() {
    let model = racy(2);
    let mut s = Session::new(&model, Options::default());
    let a = s.step(0, 100).unwrap();
    assert_eq!((a.steps, &a.stop), (41, &Stop::Blocked("is blocked joining T1".into())));
    s.step(1, 5).unwrap();
    s.step(2, 1).unwrap();
    s.step(1, 1).unwrap();
    assert_eq!(s.schedule().to_string(), "0x41,1x5,2,1");
    assert_eq!(s.back(1).unwrap(), 1);
    assert_eq!(s.schedule().to_string(), "0x41,1x5,2");
    assert_eq!(s.state(), &replayed(&model, "0x41,1x5,2"));
    assert_eq!(s.back(3).unwrap(), 3);
    assert_eq!(s.schedule().to_string(), "0x41,1x3");
    assert_eq!(s.state(), &replayed(&model, "0x41,1x3"));
    // Going on after an undo extends the shortened path.
    s.step(2, 2).unwrap();
    assert_eq!(s.schedule().to_string(), "0x41,1x3,2x2");
    assert_eq!(s.state(), &replayed(&model, "0x41,1x3,2x2"));
    assert_eq!(s.preemptions(), 1);
    // More than there is: back to the start.
    assert_eq!(s.back(u64::MAX).unwrap(), 46);
    assert_eq!(s.state(), &model.explorable().init());
    assert_eq!(s.back(1).unwrap(), 0);
}

#[test]
fn back_past_dropped_undo_points_replays_from_the_start() {
    let model = racy(200);
    let mut s = Session::new(&model, Options::default());
    s.step(0, 41).unwrap();
    for i in 0..(MAX_CHECKPOINTS + 100) {
        s.step(1 + i % 2, 1).unwrap();
    }
    assert_eq!(s.checkpoints.len(), MAX_CHECKPOINTS);
    let want = s.steps() - 600;
    s.back(600).unwrap();
    assert_eq!(s.steps(), want);
    assert_eq!(s.state(), &replayed(&model, &s.schedule().to_string()));
    assert_eq!(s.preemptions(), trace::replay(model.explorable(), s.schedule()).unwrap().preemptions);
}

#[test]
fn load_replaces_the_path_and_refuses_schedules_that_do_not_fit() {
    let model = racy(2);
    let cex = model.checker().check().counterexample.expect("the racy model has a counterexample");
    let mut s = Session::new(&model, Options::default());
    s.step(0, 3).unwrap();
    s.load(&cex.schedule).unwrap();
    assert_eq!(s.schedule(), &cex.schedule);
    assert_eq!(s.preemptions(), cex.preemptions);
    assert!(matches!(s.status(), Status::Violation(f) if f.kind == FindingKind::Assertion));
    assert_eq!(s.exit_code(), 1);
    // Undo works from a loaded path too.
    s.back(1).unwrap();
    assert_eq!(s.status(), Status::Running);

    let before = (s.schedule().clone(), s.state().clone());
    let e = s.load_str("0x41,zz").unwrap_err();
    assert!(e.to_string().contains("segment 2"), "{e}");
    let e = s.load_str("0x41,5x3").unwrap_err();
    assert!(matches!(&e, Refusal::Schedule(m) if m.contains("does not fit") && m.contains("no thread 5")), "{e}");
    let e = s.load_str("0x41,0").unwrap_err();
    assert!(e.to_string().contains("main is blocked joining T1"), "{e}");
    let e = s.load_str("0x41,1x11,2x23,1x12,0x36").unwrap_err();
    assert!(e.to_string().contains("at step 123: the run already ended"), "{e}");
    assert_eq!((s.schedule().clone(), s.state().clone()), before, "a refused load changes nothing");
}

#[test]
fn threads_that_cannot_run_are_refused_with_the_reason() {
    let model = racy(2);
    let mut s = Session::new(&model, Options::default());
    assert_eq!(s.step(1, 1).unwrap_err(), Refusal::NoSuchThread { tid: 1, threads: 1 });
    s.step(0, 20).unwrap(); // t1 is created, not started
    let e = s.step(1, 1).unwrap_err();
    assert_eq!(e, Refusal::CannotRun { tid: 1, reason: "has not been started".into() });
    assert_eq!(s.thread_status(1), "not started");
    s.step(0, 21).unwrap();
    let e = s.step(0, 1).unwrap_err();
    assert_eq!(e.to_string(), "main cannot run: it is blocked joining T1");
    s.finish(1).unwrap();
    assert_eq!(s.step(1, 1).unwrap_err(), Refusal::CannotRun { tid: 1, reason: "has finished".into() });
    let e = s.step(7, 1).unwrap_err();
    assert_eq!(e.to_string(), "there is no thread 7; the threads are main (0), T1 (1), T2 (2)");
    assert_eq!(s.steps(), 41 + 23, "refusals take no steps");
}

#[test]
fn a_thread_blocked_on_a_held_lock_is_refused() {
    let model = Model::from_file("models/small/locked_once.py").unwrap();
    let mut s = Session::new(&model, Options::default());
    // main runs until it holds the lock, then the thread runs until it blocks on it.
    while s.state().locks.first().and_then(|l| l.holder) != Some(0) {
        s.step(0, 1).unwrap();
    }
    let a = s.finish(1).unwrap();
    assert_eq!(a.stop, Stop::Blocked("is blocked on lock (held by main)".into()));
    let e = s.step(1, 1).unwrap_err();
    assert_eq!(e.to_string(), "T1 cannot run: it is blocked on lock (held by main)");
    assert!(s.render_threads().contains("blocked on lock (held by main)"), "{}", s.render_threads());
    assert!(s.render_globals().contains("locks:   lock held by main"), "{}", s.render_globals());
    s.finish(0).unwrap();
    s.finish(1).unwrap();
    s.finish(0).unwrap();
    assert!(matches!(s.status(), Status::Finished(_)));
    assert_eq!(s.exit_code(), 0);
    assert!(matches!(s.step(0, 1), Err(Refusal::Ended(_))));
    assert!(s.render_view().contains("── end: every thread finished"));
}

#[test]
fn run_stops_just_before_the_next_visible_step() {
    let model = racy(2);
    let mut s = Session::new(&model, Options::default());
    s.load_str("0x41,1x8").unwrap();
    let a = s.run_to_visible(1).unwrap();
    assert_eq!(a.steps, 3);
    assert_eq!(a.stop, Stop::Visible);
    assert_eq!(a.head[0].effect.as_deref(), Some("read balance = 0"));
    assert_eq!(a.head[2].instr, "BINARY_OP 13 (+=)");
    assert!(s
        .render_advance(&a)
        .contains("T1 stops before its next visible step: STORE_GLOBAL 2 (balance) at line 11"));
    // The visible step itself is taken by the next `run`.
    let a = s.run_to_visible(1).unwrap();
    assert_eq!(a.head[0].effect.as_deref(), Some("wrote balance = 1"));
}

#[test]
fn a_deadlock_ends_the_run_with_the_cycle() {
    let model = Model::from_file("models/small/lock_order.py").unwrap();
    let mut s = Session::new(&model, Options::default());
    // main starts the thread and takes b; the thread takes a and then waits for b.
    while s.state().threads.len() < 2 || !s.state().threads[1].is_alive() {
        s.step(0, 1).unwrap();
    }
    s.step(1, 2).unwrap();
    while s.state().locks.get(1).and_then(|l| l.holder).is_none() {
        s.step(0, 1).unwrap();
    }
    s.finish(1).unwrap();
    let a = s.finish(0).unwrap();
    assert_eq!(a.stop, Stop::RunEnded);
    assert!(matches!(s.status(), Status::Violation(f) if f.kind == FindingKind::Deadlock));
    let view = s.render_view();
    assert!(view.contains("── end: violation (deadlock)"), "{view}");
    assert!(view.contains("main waits for a (held by T1)"), "{view}");
}

#[test]
fn the_step_limit_stops_an_endless_loop() {
    let model = Model::from_source("loop.py", "x = 0\nwhile True:\n    x = x + 1\n").unwrap();
    let mut s = Session::new(&model, Options { max_steps: 1000, ..Options::default() });
    let a = s.finish(0).unwrap();
    assert_eq!((a.steps, &a.stop), (1000, &Stop::Limit));
    assert!(s.render_advance(&a).contains("stopped after 1,000 steps"));
    assert_eq!(a.tail.len(), TAIL);
    assert_eq!(a.tail.last().map(|r| r.index), Some(999));
}

#[test]
fn the_time_limit_stops_a_long_command_and_repeating_it_goes_on() {
    let model = Model::from_source("loop.py", "x = 0\nwhile True:\n    x = x + 1\n").unwrap();
    let max_time = Some(std::time::Duration::from_millis(50));
    let mut s = Session::new(&model, Options { max_steps: u64::MAX, max_time, ..Options::default() });
    let a = s.finish(0).unwrap();
    assert_eq!(a.stop, Stop::TimeLimit);
    assert!(a.steps > 0 && a.steps.is_multiple_of(4096), "{}", a.steps);
    assert!(s.render_advance(&a).contains("at --max-time"));
    let b = s.finish(0).unwrap();
    assert_eq!(b.stop, Stop::TimeLimit);
    assert_eq!(s.schedule().to_string(), format!("0x{}", a.steps + b.steps));
}

#[test]
fn invalid_input_is_refused_and_the_session_goes_on() {
    let model = racy(2);
    let mut s = Session::new(&model, Options { echo: true, ..Options::default() });
    let mut input = b"frobnicate\nstep\nstep x 3\n0\n\xff\xfe garbage\n7\nstep 1\nback zz\nload 9x9\n".to_vec();
    input.extend_from_slice(b"save /nonexistent-dir/x/y\nthreads extra\n# a comment\n\n  step main 2  \n");
    let (code, out) = script(&mut s, &input);
    assert_eq!(code, 0);
    for want in [
        "error: unknown command `frobnicate`",
        "error: usage: step <thread> [n]",
        "error: `x` is not a thread",
        "error: there is no thread 7; the threads are main (0)",
        "error: there is no thread 1; the threads are main (0)",
        "error: `zz` is not a number of steps",
        "error: the schedule does not fit this program at step 1: there is no thread 9",
        "error: save: cannot write /nonexistent-dir/x/y",
        "error: `threads` takes no arguments",
        "gilcheck> step main 2",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    assert!(out.contains("error: unknown command `\u{fffd}\u{fffd}`"), "{out}");
    assert!(!out.contains("`#`"), "comments are not commands: {out}");
    assert_eq!(s.schedule().to_string(), "0x3", "only the valid steps were taken");
}

#[test]
fn the_prompt_appears_only_when_asked_and_quit_ends_the_session() {
    let model = racy(2);
    let mut s = Session::new(&model, Options { prompt: true, ..Options::default() });
    let (code, out) = script(&mut s, b"0\nquit\nstep 0 5\n");
    assert_eq!(code, 0);
    assert_eq!(out.matches("gilcheck> ").count(), 2, "{out}");
    assert_eq!(s.steps(), 1, "nothing runs after quit");
    let mut s = Session::new(&model, Options::default());
    let (_, out) = script(&mut s, b"0\n");
    assert!(!out.contains("gilcheck>"), "{out}");
}

#[test]
fn save_prints_and_writes_the_schedule_and_a_script_ends_with_1_on_a_violation() {
    let model = racy(2);
    let path = std::env::temp_dir().join(format!("gilcheck-session-{}.txt", std::process::id()));
    let opts = Options { replay_command: Some("gilcheck trace r.py --set N=2".into()), ..Options::default() };
    let mut s = Session::new(&model, opts);
    let input = format!("save\nstep main 100\nfinish T1\nfinish T2\nfinish main\nsave {}\n", path.display());
    let (code, out) = script(&mut s, input.as_bytes());
    assert_eq!(code, 0, "every update is kept in this order: {out}");
    assert!(out.contains("schedule: (empty: no steps taken yet)"), "{out}");
    assert!(out.contains("schedule: 0x41,1x23,2x23,0x24\n"), "{out}");
    assert!(out.contains("replay:   gilcheck trace r.py --set N=2 --schedule 0x41,1x23,2x23,0x24"), "{out}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "0x41,1x23,2x23,0x24\n");
    let _ = std::fs::remove_file(&path);

    let mut s = Session::new(&model, Options::default());
    let (code, out) = script(&mut s, b"load 0x41,1x11,2x23,1x12,0x35\ntrace\n");
    assert_eq!(code, 1);
    assert!(out.contains("── end: violation (assertion): AssertionError: lost updates: balance is 2, expected 4"));
    assert!(out.contains("end after 1 preemption: N = 2, balance = 2"), "{out}");
}
