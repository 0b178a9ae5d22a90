//! The run: worker processes (this program again, or the test binary) each take input
//! indices on stdin, run them in-process (one in `subprocess_every` as a real process of the
//! built binary), and answer one line each. A worker that hangs reports it and exits; one
//! that dies (stack overflow, allocation failure, signal) is an abort of the input it had;
//! either way it is started again.

use super::case::{self, Case, Settings};
use super::exec;
use super::oracle::{self, Failure, Kind};
use super::record::Store;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// The environment variable that carries a worker's [`Config`] (JSON).
pub const WORKER_ENV: &str = "GILCHECK_FUZZ_WORKER";

/// Everything a run needs; workers get it through [`WORKER_ENV`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Config {
    /// The seed.
    pub seed: u64,
    /// How many inputs.
    pub inputs: u64,
    /// How many workers.
    pub jobs: usize,
    /// The repository (for the corpus).
    pub root: PathBuf,
    /// The built `gilcheck` binary, for the subprocess sample.
    pub bin: Option<PathBuf>,
    /// One input in this many runs as a real process (0: none).
    pub subprocess_every: u64,
    /// Where failures are recorded.
    pub out: PathBuf,
    /// `--max-time` for the commands that take it.
    pub max_time: f64,
    /// `--max-memory` for the commands that take it, MiB.
    pub max_memory: u64,
    /// The address-space ceiling of each worker, MiB (0: none).
    pub worker_memory: u64,
    /// How long a command that takes no time limit may run before it counts as hung.
    pub no_limit_seconds: f64,
    /// How long past its `--max-time` a command may run before it counts as hung.
    pub slack_seconds: f64,
}

impl Config {
    fn settings(&self) -> Settings {
        Settings { seed: self.seed, max_time: self.max_time, max_memory: self.max_memory }
    }
}

/// How to start a worker: a program and its arguments ([`WORKER_ENV`] is added).
#[derive(Clone, Debug)]
pub struct WorkerCommand {
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
}

/// A worker's answer for one input.
#[derive(Debug, Serialize, Deserialize)]
struct Answer {
    index: u64,
    failures: Vec<(String, String)>,
    exit: bool,
}

const PREFIX: &str = "@fuzz ";

/// The worker's loop: reads indices on stdin until its end, answers each on stdout.
pub fn worker_main() {
    let Ok(text) = std::env::var(WORKER_ENV) else { return };
    let cfg: Config = serde_json::from_str(&text).expect("worker config");
    exec::quiet_panics();
    let corpus = super::mutate::corpus(&cfg.root);
    let scratch = cfg.out.join(".work").join(std::process::id().to_string());
    let _ = std::fs::create_dir_all(&scratch);
    let path = scratch.join("prog.py");
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let Ok(index) = line.trim().parse::<u64>() else { continue };
        let case = case::draw(&cfg.settings(), &corpus, index);
        let (failures, exit) = evaluate(&cfg, &case, &path);
        let answer = Answer {
            index,
            failures: failures.iter().map(|f| (f.kind.name().to_string(), f.detail.clone())).collect(),
            exit,
        };
        let _ = writeln!(stdout, "{PREFIX}{}", serde_json::to_string(&answer).expect("json"));
        let _ = stdout.flush();
        if exit {
            let _ = std::fs::remove_dir_all(&scratch);
            std::process::exit(0);
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

/// Runs `case` with its source at `path`; the failures, and whether this process must end
/// (a hung run's thread is still going).
pub fn evaluate(cfg: &Config, case: &Case, path: &Path) -> (Vec<Failure>, bool) {
    if std::fs::write(path, &case.source).is_err() {
        return (Vec::new(), false);
    }
    let p = path.display().to_string();
    let args = case.args_with(&p);
    let deadline = Duration::from_secs_f64(oracle::deadline(case, cfg.no_limit_seconds, cfg.slack_seconds));
    let sub = match &cfg.bin {
        Some(bin) if cfg.subprocess_every > 0 && case.index.is_multiple_of(cfg.subprocess_every) => Some(bin),
        _ => None,
    };
    let o = match sub {
        Some(bin) => exec::subprocess(bin, &args, &case.stdin, deadline),
        None => exec::in_process(&args, &case.stdin, deadline),
    };
    let mut failures = oracle::judge(case, &p, &o, cfg.slack_seconds);
    let exit = o.hung && sub.is_none();
    if !exit && o.code == Some(1) && case.command() == "check" {
        if let Some(s) = oracle::schedule_of(case, &o.stdout) {
            // The replay gets four times the check's time (a long counterexample takes as
            // long to replay as to find); stopped by that limit (exit 3) it is inconclusive.
            let mut replay = oracle::replay_args(case, &s);
            if let Some(d) = oracle::draws_of(case, &o.stdout) {
                replay.extend(["--draws".to_string(), d]);
            }
            let limit = 4.0 * case.max_time.unwrap_or(cfg.no_limit_seconds);
            replay.extend(["--max-time".to_string(), limit.to_string()]);
            let r = exec::in_process(
                &case::Case { args: replay.clone(), ..case.clone() }.args_with(&p),
                b"",
                Duration::from_secs_f64(limit + cfg.slack_seconds),
            );
            if r.hung {
                failures.push(Failure { kind: Kind::Replay, detail: "trace --schedule hung".into() });
                return (failures, true);
            }
            if r.code != Some(1) && r.code != Some(3) {
                // The error, or the end of the timeline (where the violation should be).
                let first = if r.stderr.is_empty() {
                    let out = String::from_utf8_lossy(&r.stdout);
                    out.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string()
                } else {
                    String::from_utf8_lossy(&r.stderr).lines().next().unwrap_or("").to_string()
                }
                .replace(&p, "FILE");
                let detail = match &r.panic {
                    Some(m) => format!("trace --schedule panicked: {m}"),
                    None => format!("trace --schedule exits {:?}: {first}", r.code),
                };
                failures.push(Failure { kind: Kind::Replay, detail: format!("{detail}\nschedule: {s}") });
            }
        }
    }
    (failures, exit)
}

struct Worker {
    child: Child,
    stdin: std::process::ChildStdin,
    lines: mpsc::Receiver<Option<String>>,
    stderr: PathBuf,
}

fn spawn(cfg: &Config, cmd: &WorkerCommand, id: usize, generation: u64) -> std::io::Result<Worker> {
    let dir = cfg.out.join(".work");
    std::fs::create_dir_all(&dir)?;
    let stderr = dir.join(format!("worker-{id}-{generation}.stderr"));
    let mut c = if cfg.worker_memory > 0 {
        let mut c = Command::new("/bin/sh");
        c.arg("-c").arg(format!("ulimit -v {} && exec \"$0\" \"$@\"", cfg.worker_memory * 1024));
        c.arg(&cmd.program);
        c
    } else {
        Command::new(&cmd.program)
    };
    let mut child = c
        .args(&cmd.args)
        .env(WORKER_ENV, serde_json::to_string(cfg).expect("json"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr)?)
        .spawn()?;
    let stdin = child.stdin.take().expect("piped");
    let out = child.stdout.take().expect("piped");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(l) = line else { break };
            // A test harness may print its own words before the first answer on a line.
            if let Some(at) = l.find(PREFIX) {
                if tx.send(Some(l[at + PREFIX.len()..].to_string())).is_err() {
                    return;
                }
            }
        }
        let _ = tx.send(None);
    });
    Ok(Worker { child, stdin, lines, stderr })
}

/// What a worker that died left on stderr (its last two lines).
fn last_words(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(2)..].join(" / ")
}

/// The result of a run.
#[derive(Debug)]
pub struct Summary {
    /// The failure classes.
    pub store: Store,
    /// Inputs run.
    pub inputs: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Runs `cfg.inputs` inputs on `cfg.jobs` workers started by `cmd`; prints progress to
/// stderr when `progress`.
pub fn run(cfg: &Config, cmd: &WorkerCommand, progress: bool) -> Summary {
    let corpus = super::mutate::corpus(&cfg.root);
    let store = Arc::new(Mutex::new(Store::new(&cfg.out)));
    let next = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let settings = cfg.settings();
    std::thread::scope(|s| {
        for id in 0..cfg.jobs.max(1) {
            let (store, next, done, corpus, settings) = (&store, &next, &done, &corpus, &settings);
            s.spawn(move || {
                let mut generation = 0;
                let mut worker: Option<Worker> = None;
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= cfg.inputs {
                        break;
                    }
                    if worker.is_none() {
                        generation += 1;
                        worker = match spawn(cfg, cmd, id, generation) {
                            Ok(w) => Some(w),
                            Err(e) => panic!("cannot start a fuzzing worker {}: {e}", cmd.program.display()),
                        };
                    }
                    let w = worker.as_mut().expect("started");
                    let _ = writeln!(w.stdin, "{index}");
                    let _ = w.stdin.flush();
                    let case = case::draw(settings, corpus, index);
                    let hard = Duration::from_secs_f64(
                        oracle::deadline(&case, cfg.no_limit_seconds, cfg.slack_seconds) * 2.0 + 30.0,
                    );
                    let failures: Vec<Failure> = match w.lines.recv_timeout(hard) {
                        Ok(Some(line)) => {
                            let a: Answer = serde_json::from_str(&line).expect("worker answer");
                            if a.exit {
                                let _ = w.child.wait();
                                worker = None;
                            }
                            a.failures
                                .into_iter()
                                .map(|(k, detail)| Failure {
                                    kind: *Kind::ALL.iter().find(|x| x.name() == k).expect("kind"),
                                    detail,
                                })
                                .collect()
                        }
                        other => {
                            let timed_out = other.is_err();
                            let _ = w.child.kill();
                            let status = w.child.wait().ok();
                            let words = last_words(&w.stderr);
                            worker = None;
                            let detail = if timed_out {
                                format!("worker unresponsive for {} s", hard.as_secs())
                            } else {
                                use std::os::unix::process::ExitStatusExt;
                                match status.and_then(|s| s.signal()) {
                                    Some(sig) => format!("signal {sig}: {words}"),
                                    None => format!("worker exited ({status:?}): {words}"),
                                }
                            };
                            let kind = if timed_out { Kind::Hang } else { Kind::Abort };
                            vec![Failure { kind, detail }]
                        }
                    };
                    if !failures.is_empty() {
                        let mut st = store.lock().expect("store");
                        for f in &failures {
                            st.add(&case, f);
                        }
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if progress && (n % 1000 == 0 || n == cfg.inputs) {
                        let secs = start.elapsed().as_secs_f64();
                        let st = store.lock().expect("store");
                        eprintln!(
                            "fuzz: {n}/{} inputs, {:.0}/s, {} classes ({} inputs failing a switched-on oracle)",
                            cfg.inputs,
                            n as f64 / secs,
                            st.classes.len(),
                            st.enabled_failures()
                        );
                    }
                }
                if let Some(mut w) = worker {
                    drop(w.stdin);
                    let _ = w.child.wait();
                }
            });
        }
    });
    let store = Arc::try_unwrap(store).expect("workers done").into_inner().expect("store");
    let _ = std::fs::write(cfg.out.join("summary.txt"), store.summary());
    let _ = std::fs::remove_dir_all(cfg.out.join(".work"));
    Summary { store, inputs: done.load(Ordering::Relaxed), seconds: start.elapsed().as_secs_f64() }
}
