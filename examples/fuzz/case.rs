//! One fuzzing input: a source and a command line to run on it, drawn from the run's seed
//! and the input's index.

use super::rng::Rng;
use super::{gen, mutate};

/// Pass `--max-time` and `--max-memory` (and sometimes `--max-states`) to every command that
/// takes them, not only to `check` and `outcomes` (`explore` takes `--max-time` per command).
pub const LIMITS_ON_EVERY_COMMAND: bool = true;

/// The placeholder for the source's path in [`Case::args`].
pub const FILE: &str = "{FILE}";

/// How inputs are drawn.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The run's seed.
    pub seed: u64,
    /// The `--max-time` passed to commands that take it, in seconds.
    pub max_time: f64,
    /// The `--max-memory` passed to commands that take it, in MiB.
    pub max_memory: u64,
}

/// A source and the command line to run on it.
#[derive(Clone, Debug)]
pub struct Case {
    /// The input's index in the run.
    pub index: u64,
    /// The Python source (not always UTF-8).
    pub source: Vec<u8>,
    /// The arguments after `gilcheck`, with [`FILE`] where the source's path goes.
    pub args: Vec<String>,
    /// What the command reads on stdin (`explore`'s script).
    pub stdin: Vec<u8>,
    /// The time limit the command was given, if any.
    pub max_time: Option<f64>,
}

impl Case {
    /// The subcommand (`check`, `trace`, ...).
    pub fn command(&self) -> &str {
        &self.args[0]
    }

    /// Whether `--format json` was asked for.
    pub fn json(&self) -> bool {
        self.args.windows(2).any(|w| w[0] == "--format" && w[1] == "json")
    }

    /// The command line, shell-quoted, with the source at `path`.
    pub fn shell(&self, path: &str) -> String {
        let mut s = String::from("gilcheck");
        for a in self.args_with(path) {
            s.push(' ');
            if !a.is_empty() && a.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_=./,:".contains(&b)) {
                s.push_str(&a);
            } else {
                s.push_str(&format!("'{}'", a.replace('\'', "'\\''")));
            }
        }
        s
    }

    /// The arguments with the source at `path`.
    pub fn args_with(&self, path: &str) -> Vec<String> {
        self.args.iter().map(|a| if a == FILE { path.to_string() } else { a.clone() }).collect()
    }
}

/// Input `index`: a generated program (40%) or a mutated corpus file (60%), and a command.
pub fn draw(settings: &Settings, corpus: &[Vec<u8>], index: u64) -> Case {
    let mut rng = Rng::for_input(settings.seed, index);
    let source = if corpus.is_empty() || rng.chance(40) {
        gen::program(&mut rng).into_bytes()
    } else {
        let base = &corpus[rng.below(corpus.len())];
        if rng.chance(10) {
            base.clone()
        } else if rng.chance(30) {
            // Generated code spliced into a corpus file.
            let mut s = base.clone();
            s.extend_from_slice(gen::program(&mut rng).as_bytes());
            mutate::mutate(&mut rng, corpus, &s)
        } else {
            mutate::mutate(&mut rng, corpus, base)
        }
    };
    let (args, stdin, max_time) = command(&mut rng, settings, &source);
    Case { index, source, args, stdin, max_time }
}

const SWITCHES: &[&str] = &["bytecode", "cpython-3.9", "cpython-3.10", "cpython-3.11", "cpython-3.12", "cpython-3.13"];

/// The module-level names assigned a constant (`NAME = ...` at column 0), for `--set`.
fn constants(source: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(source)
        .lines()
        .filter_map(|l| {
            let (name, _) = l.split_once(" = ")?;
            (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')).then(|| name.to_string())
        })
        .collect()
}

fn set_value(rng: &mut Rng) -> String {
    match rng.below(16) {
        0 => "10**18".into(),
        1 => "9".repeat(400),
        2 => "-1".into(),
        3 => "'text'".into(),
        4 => "(1, 'a')".into(),
        5 => "True".into(),
        6 => "None".into(),
        7 => "x".into(),
        8 => "".into(),
        9 => "1.5".into(),
        10 => "[1]".into(),
        11 => "1_000".into(),
        _ => rng.range(0, 3).to_string(),
    }
}

fn model_args(rng: &mut Rng, source: &[u8], args: &mut Vec<String>, all_switch: bool) {
    let names = constants(source);
    // Mostly a small N, so that runs end well within their limits.
    if names.iter().any(|n| n == "N") && rng.chance(70) {
        args.extend(["--set".into(), format!("N={}", rng.range(0, 3))]);
    }
    if rng.chance(25) {
        let name = if !names.is_empty() && rng.chance(80) { rng.pick(&names).clone() } else { "NOPE".into() };
        args.extend(["--set".into(), format!("{name}={}", set_value(rng))]);
    }
    if rng.chance(25) {
        let m = if all_switch && rng.chance(20) { "all" } else { rng.pick(SWITCHES) };
        args.extend(["--switch".into(), m.into()]);
    }
    if rng.chance(10) {
        let e = *rng.pick(&["x >= 0", "balance == 2 * N", "x ==", "undefined > 1", "len(lst) == 2", "1"]);
        args.extend(["--expect".into(), e.into()]);
    }
}

fn limit_args(rng: &mut Rng, settings: &Settings, args: &mut Vec<String>) -> Option<f64> {
    if args[0] != "dis" && rng.chance(30) {
        args.extend(["--max-states".into(), rng.pick(&["1", "10", "1000", "100000"]).to_string()]);
    }
    args.extend(["--max-memory".into(), settings.max_memory.to_string()]);
    args.extend(["--max-time".into(), settings.max_time.to_string()]);
    Some(settings.max_time)
}

fn schedule(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => "".into(),
        1 => "garbage".into(),
        2 => format!("0x{},1x{},0x{}", rng.range(0, 50), rng.range(0, 50), rng.range(0, 50)),
        3 => "0,1,2,1,0".into(),
        _ => format!("0x{},2x{}", rng.range(1, 200), rng.range(1, 200)),
    }
}

fn command(rng: &mut Rng, settings: &Settings, source: &[u8]) -> (Vec<String>, Vec<u8>, Option<f64>) {
    let mut a: Vec<String> = Vec::new();
    let mut stdin = Vec::new();
    let mut max_time = None;
    let which = rng.below(100);
    let json = rng.chance(40);
    match which {
        0..=34 => {
            a.extend(["check".into(), FILE.into()]);
            model_args(rng, source, &mut a, true);
            if rng.chance(30) {
                a.extend(["--strategy".into(), rng.pick(&["auto", "enumerate", "stateful", "bounded"]).to_string()]);
            }
            if rng.chance(30) {
                a.extend(["--reduction".into(), rng.pick(&["none", "por", "atomic", "full"]).to_string()]);
            }
            if rng.chance(10) {
                a.extend(["--max-preemptions".into(), rng.range(0, 3).to_string()]);
            }
            max_time = limit_args(rng, settings, &mut a);
        }
        35..=54 => {
            a.extend(["outcomes".into(), FILE.into()]);
            model_args(rng, source, &mut a, false);
            match rng.below(8) {
                0 => a.push("--count".into()),
                1 => a.extend(["--minimize".into(), rng.pick(&["x", "balance", "y", "nope"]).to_string()]),
                2 => a.extend(["--maximize".into(), rng.pick(&["x", "balance", "y"]).to_string()]),
                3 => a.extend(["--vars".into(), "x,balance".into()]),
                4 => a.extend(["--strategy".into(), rng.pick(&["enumerate", "stateful", "bounded"]).to_string()]),
                5 => a.extend(["--reduction".into(), rng.pick(&["por", "atomic", "full"]).to_string()]),
                _ => {}
            }
            max_time = limit_args(rng, settings, &mut a);
        }
        55..=69 => {
            a.extend(["trace".into(), FILE.into()]);
            model_args(rng, source, &mut a, false);
            if rng.chance(25) {
                a.extend(["--schedule".into(), schedule(rng)]);
            }
        }
        70..=84 => {
            a.extend(["graph".into(), FILE.into()]);
            model_args(rng, source, &mut a, false);
            a.extend(["--kind".into(), rng.pick(&["states", "tree", "trace"]).to_string()]);
            a.extend(["--format".into(), rng.pick(&["dot", "json", "graphml"]).to_string()]);
            if rng.chance(30) {
                a.push("--highlight".into());
            }
            if rng.chance(30) {
                a.extend(["--max-nodes".into(), rng.pick(&["1", "50", "1000"]).to_string()]);
            }
            if rng.chance(15) {
                a.extend(["--schedule".into(), schedule(rng)]);
            }
        }
        85..=92 => {
            a.extend(["dis".into(), FILE.into()]);
            if rng.chance(30) {
                a.extend(["--switch".into(), rng.pick(SWITCHES).to_string()]);
            }
            if rng.chance(20) {
                a.extend(["--set".into(), format!("N={}", set_value(rng))]);
            }
        }
        _ => {
            a.extend(["explore".into(), FILE.into()]);
            model_args(rng, source, &mut a, false);
            if rng.chance(15) {
                a.extend(["--schedule".into(), schedule(rng)]);
            }
            let cmds = [
                "0",
                "1",
                "2",
                "step 1 3",
                "step 0 50",
                "run 1",
                "run 2",
                "finish 0",
                "finish 1",
                "back",
                "back 3",
                "restart",
                "threads",
                "globals",
                "show",
                "trace",
                "help",
                "save",
                "load 0x3,1x2",
                "T1",
                "main",
                "# comment",
                "nonsense",
                "step",
                "step 9 9",
                "load garbage",
            ];
            let n = rng.below(8);
            for _ in 0..n {
                stdin.extend_from_slice(rng.pick(&cmds).as_bytes());
                stdin.push(b'\n');
            }
            // `--max-time` bounds each command of the session.
            a.extend(["--max-time".into(), settings.max_time.to_string()]);
            max_time = Some(settings.max_time * (n + 1) as f64);
            if rng.chance(50) {
                stdin.extend_from_slice(b"quit\n");
            }
        }
    }
    let takes_format = matches!(a[0].as_str(), "check" | "outcomes" | "trace");
    if json && takes_format {
        a.extend(["--format".into(), "json".into()]);
    }
    if LIMITS_ON_EVERY_COMMAND && max_time.is_none() {
        max_time = limit_args(rng, settings, &mut a);
    }
    (a, stdin, max_time)
}
