//! The oracles: what a run must never do. Each kind of failure has a switch: a kind that the
//! current code still fails is recorded but does not fail the run until it is switched on.

use super::case::Case;
use super::exec::Outcome;

/// A kind of failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A panic (in-process), or exit 101 with a panic message (subprocess).
    Panic,
    /// The process was ended by a signal or aborted (stack overflow, allocation failure).
    Abort,
    /// An exit code outside {0, 1, 2, 3}.
    ExitCode,
    /// Still running one second after its `--max-time`.
    Hang,
    /// A command that takes no time limit ran past the run's `no_limit_seconds`.
    HangNoLimit,
    /// An exit 2 whose message names no `file:line:col` (and is not a usage error).
    NoPosition,
    /// `--format json` printed something that is not JSON.
    BadJson,
    /// `--format json` printed no JSON error object on an exit 2.
    NoJsonError,
    /// `trace --schedule` does not replay a VIOLATED verdict's counterexample.
    Replay,
    /// A limit of the checker (an operation it does not model) reported as the program's
    /// violation (exit 1).
    CheckerLimitAsViolation,
}

/// Whether each kind fails the run. Switch a kind on once the code passes it.
pub fn enabled(kind: Kind) -> bool {
    match kind {
        Kind::Panic => PANIC,
        Kind::Abort => ABORT,
        Kind::ExitCode => EXIT_CODE,
        Kind::Hang => HANG,
        Kind::HangNoLimit => HANG_NO_LIMIT,
        Kind::NoPosition => NO_POSITION,
        Kind::BadJson => BAD_JSON,
        Kind::NoJsonError => NO_JSON_ERROR,
        Kind::Replay => REPLAY,
        Kind::CheckerLimitAsViolation => CHECKER_LIMIT_AS_VIOLATION,
    }
}

/// No panics.
pub const PANIC: bool = true;
/// No aborts or signals.
pub const ABORT: bool = true;
/// Exit codes in {0, 1, 2, 3}.
pub const EXIT_CODE: bool = true;
/// `--max-time` honoured within one second.
pub const HANG: bool = true;
/// Commands without a time limit (`trace`, `graph`, `dis`, `explore`) end within the run's
/// `no_limit_seconds`.
pub const HANG_NO_LIMIT: bool = true;
/// Every exit 2 names a position.
pub const NO_POSITION: bool = true;
/// JSON output parses.
pub const BAD_JSON: bool = true;
/// Errors under `--format json` are JSON objects on stdout.
pub const NO_JSON_ERROR: bool = true;
/// Counterexamples replay.
pub const REPLAY: bool = true;
/// Exit 1 only for what CPython can do.
pub const CHECKER_LIMIT_AS_VIOLATION: bool = true;

impl Kind {
    /// The kind's name, for records.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Panic => "panic",
            Kind::Abort => "abort",
            Kind::ExitCode => "exit-code",
            Kind::Hang => "hang",
            Kind::HangNoLimit => "hang-no-limit",
            Kind::NoPosition => "no-position",
            Kind::BadJson => "bad-json",
            Kind::NoJsonError => "no-json-error",
            Kind::Replay => "replay",
            Kind::CheckerLimitAsViolation => "checker-limit-as-violation",
        }
    }

    /// Every kind.
    pub const ALL: &'static [Kind] = &[
        Kind::Panic,
        Kind::Abort,
        Kind::ExitCode,
        Kind::Hang,
        Kind::HangNoLimit,
        Kind::NoPosition,
        Kind::BadJson,
        Kind::NoJsonError,
        Kind::Replay,
        Kind::CheckerLimitAsViolation,
    ];
}

/// One oracle's complaint about one run.
#[derive(Clone, Debug)]
pub struct Failure {
    /// Which oracle.
    pub kind: Kind,
    /// What happened; the first line names the class (with digits and the file's path
    /// normalised away when deduplicating).
    pub detail: String,
}

fn fail(kind: Kind, detail: impl Into<String>) -> Failure {
    Failure { kind, detail: detail.into() }
}

/// The deadline for a run of `case`: its time limit plus the slack, or `no_limit` for a
/// command that takes no time limit.
pub fn deadline(case: &Case, no_limit: f64, slack: f64) -> f64 {
    match case.max_time {
        Some(t) => t + slack,
        None => no_limit,
    }
}

/// Messages of exit 2 that are about an option's own value, not about the program, and so
/// need no position in the file.
const OPTION_ERRORS: &[&str] = &[
    "gilcheck: --schedule",
    "gilcheck: the schedule does not fit",
    "gilcheck: --set value",
    "gilcheck: --switch all works with check",
    "gilcheck: --expect",
    "gilcheck: --vars",
    "gilcheck: --reduction",
    "gilcheck: --minimize",
    "gilcheck: --maximize",
];

/// Methods that CPython's types have: `'T' object has no attribute 'm'` for one of these is
/// a limit of the checker, never the program's behaviour.
const REAL_METHODS: &[(&str, &[&str])] = &[
    ("list", &["pop", "insert", "remove", "sort", "extend", "count", "index", "reverse", "copy", "clear"]),
    ("dict", &["items", "keys", "values", "update", "setdefault", "pop", "copy", "clear"]),
    ("str", &["format", "upper", "lower", "join", "split", "strip", "replace", "startswith", "endswith", "count"]),
    ("Queue", &["get_nowait", "put_nowait"]),
];

/// Every complaint about `o`, the run of `case` with its source at `path`.
pub fn judge(case: &Case, path: &str, o: &Outcome, slack: f64) -> Vec<Failure> {
    let mut out = Vec::new();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let stdout = String::from_utf8_lossy(&o.stdout);
    if let Some(p) = &o.panic {
        out.push(fail(Kind::Panic, p.replace(path, "FILE")));
    }
    if o.hung {
        let kind = if case.max_time.is_some() { Kind::Hang } else { Kind::HangNoLimit };
        out.push(fail(kind, format!("still running after {:.1} s", o.seconds)));
        return out;
    }
    if let Some(s) = o.signal {
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
        out.push(fail(Kind::Abort, format!("signal {s}: {}", last.replace(path, "FILE"))));
        return out;
    }
    if let Some(t) = case.max_time {
        if o.seconds > t + slack {
            out.push(fail(Kind::Hang, format!("ran {:.1} s with --max-time {t}", o.seconds)));
        }
    }
    let Some(code) = o.code else { return out };
    if code == 101 && stderr.contains("panicked") {
        let msg = stderr.lines().find(|l| l.contains("panicked")).unwrap_or("");
        out.push(fail(Kind::Panic, msg.replace(path, "FILE")));
    } else if !(0..=3).contains(&code) {
        out.push(fail(Kind::ExitCode, format!("exit {code}: {}", first_line(&stderr))));
    }
    let json = case.json();
    if json && !o.stdout.is_empty() {
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(&o.stdout) {
            out.push(fail(Kind::BadJson, format!("exit {code}, stdout not JSON ({e}): {}", first_line(&stdout))));
        }
    }
    if code == 2 {
        let clap_usage = stderr.starts_with("error:");
        // The error as text: stderr's, or under --format json the JSON error object's message
        // (positioned when the object has a line).
        let error = json_error(&o.stdout);
        let message = match &error {
            Some(e) if stderr.trim().is_empty() => {
                format!("gilcheck: {}", e.get("message").and_then(|m| m.as_str()).unwrap_or(""))
            }
            _ => stderr.to_string(),
        };
        let positioned = has_position(&message, path)
            || has_position(&stdout, path)
            || error.as_ref().is_some_and(|e| e.get("line").is_some_and(|l| l.is_u64()));
        let option = OPTION_ERRORS.iter().any(|p| message.starts_with(p));
        if !clap_usage && !positioned && !option {
            out.push(fail(Kind::NoPosition, first_line(&message).replace(path, "FILE")));
        }
        if json && o.stdout.is_empty() && !clap_usage {
            let why = first_line(&stderr).replace(path, "FILE");
            out.push(fail(Kind::NoJsonError, format!("exit 2 under --format json with nothing on stdout\n{why}")));
        }
    }
    if code == 1 {
        if let Some(m) = checker_limit(&stdout) {
            out.push(fail(Kind::CheckerLimitAsViolation, m));
        }
    }
    for f in &mut out {
        f.detail = f.detail.replace(path, "FILE");
    }
    out
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(200).collect()
}

/// The `error` object of a JSON error report on stdout.
fn json_error(stdout: &[u8]) -> Option<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(stdout).ok()?;
    v.get("error").cloned()
}

/// Whether `text` contains `path:LINE:COL`.
fn has_position(text: &str, path: &str) -> bool {
    text.match_indices(path).any(|(i, _)| {
        let rest = &text[i + path.len()..];
        let mut parts = rest.splitn(3, ':');
        parts.next() == Some("")
            && parts.next().is_some_and(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
            && parts.next().is_some_and(|c| c.bytes().next().is_some_and(|b| b.is_ascii_digit()))
    })
}

/// The part of a violation report (text or JSON) that blames the program for a limit of the
/// checker: the exception's name and message.
fn checker_limit(stdout: &str) -> Option<String> {
    let mut hits = Vec::new();
    for pat in ["for the checker", "unexpected keyword argument 'timeout'"] {
        hits.extend(stdout.match_indices(pat).map(|(i, p)| (i, i + p.len())));
    }
    for (i, p) in stdout.match_indices(" object has no attribute '") {
        let attr = stdout[i + p.len()..].split('\'').next().unwrap_or("");
        let ty = stdout[..i].strip_suffix('\'').and_then(|h| h.rsplit('\'').next()).unwrap_or("");
        if REAL_METHODS.iter().any(|(t, ms)| *t == ty && ms.contains(&attr)) {
            hits.push((i, i + p.len() + attr.len() + 1));
        }
    }
    let &(at, end) = hits.iter().min()?;
    // From the start of the exception's name to the end of the match.
    let head = &stdout[..at];
    let from =
        head.rfind("Error").map_or(at, |e| head[..e].rfind(|c: char| !c.is_ascii_alphanumeric()).map_or(0, |b| b + 1));
    Some(stdout[from..end].to_string())
}

/// The counterexample's schedule in a `check` output (JSON or text), for one switch model.
pub fn schedule_of(case: &Case, stdout: &[u8]) -> Option<String> {
    if case.args.windows(2).any(|w| w[0] == "--switch" && w[1] == "all") {
        return None;
    }
    if case.json() {
        let v: serde_json::Value = serde_json::from_slice(stdout).ok()?;
        return v.get("counterexample")?.get("schedule")?.as_str().map(str::to_string);
    }
    let text = String::from_utf8_lossy(stdout);
    text.lines().find_map(|l| l.trim().strip_prefix("schedule: ").map(|s| s.trim().to_string()))
}

/// The values of the unseeded random draws of the counterexample in a `check` output (JSON or
/// text), when it has any: its replay needs them (`--draws`).
pub fn draws_of(case: &Case, stdout: &[u8]) -> Option<String> {
    if case.json() {
        let v: serde_json::Value = serde_json::from_slice(stdout).ok()?;
        return v.get("counterexample")?.get("draws")?.as_str().map(str::to_string);
    }
    let text = String::from_utf8_lossy(stdout);
    text.lines()
        .find_map(|l| l.trim().strip_prefix("draws: ").and_then(|s| s.split_whitespace().next()).map(str::to_string))
}

/// The `trace` command line that replays `schedule` for `case` (its `--set`, `--expect` and
/// `--switch`).
pub fn replay_args(case: &Case, schedule: &str) -> Vec<String> {
    let mut a = vec!["trace".to_string(), case.args[1].clone()];
    let mut i = 2;
    while i + 1 < case.args.len() {
        if matches!(case.args[i].as_str(), "--set" | "--expect" | "--switch") {
            a.push(case.args[i].clone());
            a.push(case.args[i + 1].clone());
            i += 2;
        } else {
            i += 1;
        }
    }
    a.extend(["--schedule".to_string(), schedule.to_string()]);
    a
}
