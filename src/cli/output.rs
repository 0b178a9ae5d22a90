//! Writing a command's results: to a stdout that may be a closed pipe (`| head` went away: the
//! rest of the output is dropped quietly, and the command keeps its exit code), and errors as
//! text on stderr or, with `--format json`, as a JSON error object on stdout.

use crate::error::Error;
use std::io::Write;

/// Writes `text` to stdout. A reader that went away (a closed pipe) is not an error: the
/// output just ends there. Other write errors are reported once on stderr.
pub(super) fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            note(&format!("gilcheck: cannot write the output: {e}"));
        }
    }
}

/// Writes `text` and a newline to stdout (see [`emit`]).
pub(super) fn emit_line(text: impl std::fmt::Display) {
    emit(&format!("{text}\n"));
}

/// Writes a message line to stderr, ignoring a stderr that cannot be written.
pub(super) fn note(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// Whether `e` is only a reader that went away (a closed pipe): nothing to report.
pub(super) fn is_closed_pipe(e: &Error) -> bool {
    matches!(e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// The JSON error object: `{"error": {"kind", "message", "file", "line", "column", "errors"}}`,
/// where `errors` lists each error when there are several (each with its own position).
pub(super) fn error_json(e: &Error) -> serde_json::Value {
    let each: Vec<serde_json::Value> = e
        .each()
        .into_iter()
        .map(|(span, message, kind)| {
            let mut v = serde_json::json!({ "kind": kind, "message": message });
            if let Some(s) = span {
                v["file"] = s.file.into();
                v["line"] = s.line.into();
                v["column"] = s.col.into();
            }
            v
        })
        .collect();
    let mut first = serde_json::json!({ "kind": e.kind(), "message": e.to_string() });
    if let Some(s) = e.span() {
        first["file"] = s.file.clone().into();
        first["line"] = s.line.into();
        first["column"] = s.col.into();
    } else if let Error::UnknownSet { file, constants, .. } = e {
        first["file"] = file.clone().into();
        first["constants"] = constants
            .iter()
            .map(|(n, s)| serde_json::json!({ "name": n, "file": s.file, "line": s.line, "column": s.col }))
            .collect();
    }
    if each.len() > 1 {
        first["errors"] = each.into();
    }
    serde_json::json!({ "error": first })
}

/// Reports `e` as the command's failure: a JSON error object on stdout when `json`, else
/// `gilcheck: …` on stderr.
pub(super) fn report_error(e: &Error, json: bool) {
    if json {
        emit_line(error_json(e));
    } else {
        note(&format!("gilcheck: {e}"));
    }
}
