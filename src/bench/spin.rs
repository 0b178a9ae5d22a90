//! Spin, side by side: the same questions asked of Spin 6 on the Promela models of the seed's
//! programs at CPython-bytecode granularity (`bench/spin/*.pml`), when `spin` and `gcc` are on
//! the PATH. Each run: `spin -a -DN=n MODEL.pml`, `gcc -O2 -DMEMLIM=16384 [-DNOREDUCE] -o pan
//! pan.c`, `./pan -m10000000 -A -w26` (full state space, assertions ignored); the figures are
//! pan's own (states stored, transitions, memory), and the wall time of the pan process.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The racy program's model (2 threads, `balance += 1` N times each, no lock).
pub const UNLOCKED: &str = include_str!("../../bench/spin/unlocked.pml");
/// The locked program's model (the same loop body inside `with lock:`).
pub const LOCKED: &str = include_str!("../../bench/spin/locked.pml");

/// Whether Spin can run here: `spin` and `gcc` on the PATH.
pub fn available() -> bool {
    ["spin", "gcc"].iter().all(|tool| on_path(tool).is_some())
}

fn on_path(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(tool)).find(|p| p.is_file())
}

/// One Spin run of `model` (a Promela text) at size `n`, with partial-order reduction unless
/// `noreduce`. Returns pan's figures, or `{"error": …}`.
pub fn run(name: &str, model: &str, n: u64, noreduce: bool) -> Value {
    match run_inner(name, model, n, noreduce) {
        Ok(v) => v,
        Err(e) => json!({ "tool": "spin", "model": name, "n": n, "error": e }),
    }
}

fn run_inner(name: &str, model: &str, n: u64, noreduce: bool) -> Result<Value, String> {
    let dir = std::env::temp_dir().join(format!("gilcheck-spin-{}-{name}-{n}-{noreduce}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let file = format!("{name}.pml");
    std::fs::write(dir.join(&file), model).map_err(|e| e.to_string())?;
    let sh = |cmd: &mut Command| -> Result<String, String> {
        let out = cmd.current_dir(&dir).output().map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            Ok(text)
        } else {
            Err(text)
        }
    };
    sh(Command::new("spin").args(["-a", &format!("-DN={n}"), &file]))?;
    let mut gcc = Command::new("gcc");
    gcc.args(["-O2", "-DMEMLIM=16384"]);
    if noreduce {
        gcc.arg("-DNOREDUCE");
    }
    sh(gcc.args(["-o", "pan", "pan.c"]))?;
    let start = Instant::now();
    let out = sh(Command::new("./pan").args(["-m10000000", "-A", "-w26"]))?;
    let wall = start.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    let number = |key: &str| -> Option<f64> {
        let line = out.lines().find(|l| l.contains(key))?;
        let field = if key.starts_with("elapsed") || key.starts_with("total actual") {
            line.split_whitespace().find(|w| w.parse::<f64>().is_ok())?
        } else {
            line.split_whitespace().next()?
        };
        field.parse().ok()
    };
    let states = number("states, stored").ok_or_else(|| format!("no state count in pan's output:\n{out}"))?;
    Ok(json!({
        "tool": "spin",
        "model": name,
        "n": n,
        "reduction": if noreduce { "none" } else { "por" },
        "states": states as u64,
        "transitions": number("transitions (=").map(|t| t as u64),
        // pan's own clock has a resolution of 10 ms: the ratios use the process's wall time.
        "seconds": wall,
        "pan_seconds": number("elapsed time"),
        "memory_mib": number("total actual memory usage"),
    }))
}
