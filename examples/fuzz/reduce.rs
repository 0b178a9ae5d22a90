//! Shrinking a failing input: whole lines are deleted (in halving chunks) while the same
//! class of failure still comes back. Runs in a child process of its own (a candidate may
//! crash it), with a time budget per class.

use super::case::{self, Case};
use super::driver::{self, Config};
use super::oracle::Kind;
use super::record;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The environment variable that carries a reduction's [`Job`] (JSON).
pub const REDUCE_ENV: &str = "GILCHECK_FUZZ_REDUCE";

/// One reduction: the input (by index), its class (by kind: the first failure of that kind
/// that the input shows names it), and where to write the result.
#[derive(Debug, Serialize, Deserialize)]
pub struct Job {
    /// The run's configuration.
    pub config: Config,
    /// The input's index.
    pub index: u64,
    /// The kind of failure whose class is kept.
    pub kind: String,
    /// The class's directory (`reduced.py` is written there).
    pub dir: PathBuf,
    /// Seconds to spend.
    pub seconds: f64,
}

/// Whether a class of this kind is worth shrinking in-process (hangs and aborts are not:
/// each candidate would cost a deadline or the process).
pub fn worth(kind: Kind) -> bool {
    !matches!(kind, Kind::Hang | Kind::HangNoLimit | Kind::Abort)
}

/// The child's side: reads the [`Job`] from the environment, shrinks, writes `reduced.py`.
pub fn child_main() {
    let Ok(text) = std::env::var(REDUCE_ENV) else { return };
    let job: Job = serde_json::from_str(&text).expect("reduce job");
    super::exec::quiet_panics();
    let corpus = super::mutate::corpus(&job.config.root);
    let settings =
        case::Settings { seed: job.config.seed, max_time: job.config.max_time, max_memory: job.config.max_memory };
    let case = case::draw(&settings, &corpus, job.index);
    let scratch = job.config.out.join(".work").join(format!("reduce-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&scratch);
    let path = scratch.join("prog.py");
    let (failures, _) = driver::evaluate(&job.config, &case, &path);
    if let Some(f) = failures.iter().find(|f| f.kind.name() == job.kind) {
        let key = record::key(&case, f);
        let small = shrink(&job.config, &case, &key, &path, Duration::from_secs_f64(job.seconds));
        let _ = std::fs::write(job.dir.join("reduced.py"), &small.source);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    // A candidate may have left a hung thread behind.
    std::process::exit(0);
}

fn reproduces(cfg: &Config, case: &Case, key: &str, path: &Path) -> bool {
    let (failures, _) = driver::evaluate(cfg, case, path);
    failures.iter().any(|f| record::key(case, f) == key)
}

/// `case` with as many lines deleted as the budget allows while `key` still fails.
pub fn shrink(cfg: &Config, case: &Case, key: &str, path: &Path, budget: Duration) -> Case {
    let start = Instant::now();
    let mut best = case.clone();
    let mut lines: Vec<Vec<u8>> = case.source.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let mut chunk = lines.len().div_ceil(2).max(1);
    while chunk >= 1 && start.elapsed() < budget {
        let mut i = 0;
        while i < lines.len() && start.elapsed() < budget {
            let mut cand = lines.clone();
            cand.drain(i..(i + chunk).min(lines.len()));
            let c = Case { source: cand.join(&b'\n'), ..case.clone() };
            if reproduces(cfg, &c, key, path) {
                lines = cand;
                best = c;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    best
}

/// The jobs for the classes recorded under `cfg.out` by an earlier run with the same
/// configuration (read from each class's `reason.txt`).
pub fn recorded(cfg: &Config, seconds: f64) -> Vec<Job> {
    let mut jobs = Vec::new();
    let Ok(entries) = std::fs::read_dir(&cfg.out) else { return jobs };
    for e in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(e.path().join("reason.txt")) else { continue };
        let field = |name: &str| text.lines().find_map(|l| l.strip_prefix(name)).map(str::trim);
        let kind = field("kind: ").and_then(|k| k.split_whitespace().next()).unwrap_or("");
        let index = field("input index: ").and_then(|i| i.parse().ok());
        let Some(kind) = Kind::ALL.iter().find(|k| k.name() == kind) else { continue };
        if let (Some(index), true) = (index, worth(*kind)) {
            jobs.push(Job { config: cfg.clone(), index, kind: kind.name().into(), dir: e.path(), seconds });
        }
    }
    jobs
}

/// Shrinks the input of each class in `work` in a child process of `exe`, at most `parallel`
/// children at a time.
pub fn run_all(exe: &Path, work: Vec<Job>, parallel: usize) {
    let queue = std::sync::Mutex::new(work);
    std::thread::scope(|s| {
        for _ in 0..parallel.max(1) {
            s.spawn(|| loop {
                let Some(job) = queue.lock().expect("queue").pop() else { break };
                let limit = Duration::from_secs_f64(job.seconds * 2.0 + 10.0);
                let child = Command::new(exe)
                    .env(REDUCE_ENV, serde_json::to_string(&job).expect("json"))
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn();
                let Ok(mut child) = child else { continue };
                let start = Instant::now();
                loop {
                    match child.try_wait() {
                        Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(20)),
                        Ok(None) => {
                            let _ = child.kill();
                            let _ = child.wait();
                            break;
                        }
                        _ => break,
                    }
                }
            });
        }
    });
}
