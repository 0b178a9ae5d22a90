//! A command's errors: as text on stderr or, with `--format json`, as a JSON error object on
//! stdout; and the closed pipe (`| head` went away), which is no error at all.

use crate::error::Error;

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

/// Reports `e` as the command's failure: a JSON error object on `io`'s stdout when `json`, else
/// `gilcheck: …` on its stderr. A stream that cannot be written is ignored.
pub(super) fn report_error(io: &mut super::Io<'_>, e: &Error, json: bool) {
    let _ = if json { writeln!(io.stdout, "{}", error_json(e)) } else { writeln!(io.stderr, "gilcheck: {e}") };
}
