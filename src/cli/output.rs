//! Where a command writes: its streams ([`Io`]), the report on stdout (a closed pipe, `| head`
//! gone away, is no error at all), and errors as text on stderr or, with `--format json`, as a
//! JSON error object on stdout.

use crate::error::Error;
use crate::report::Style;
use std::io::{BufRead, Write};

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
        if constants.is_empty() {
            first["line"] = 1.into();
            first["column"] = 1.into();
        }
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
pub(super) fn report_error(io: &mut Io<'_>, e: &Error, json: bool) {
    let _ = if json { writeln!(io.stdout, "{}", error_json(e)) } else { writeln!(io.stderr, "gilcheck: {e}") };
}

/// Where a command reads its input and writes its output: the process's own streams
/// ([`super::run`]), or any reader and writers ([`super::run_with`]: tests and the fuzzing harness).
pub struct Io<'a> {
    /// Commands for `explore`.
    pub stdin: &'a mut dyn BufRead,
    /// The report.
    pub stdout: &'a mut dyn Write,
    /// Errors and notes.
    pub stderr: &'a mut dyn Write,
    /// Whether stdin, stdout and stderr are terminals (prompt, colours, progress spinner).
    pub terminal: Terminal,
}

impl std::fmt::Debug for Io<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Io").field("terminal", &self.terminal).finish_non_exhaustive()
    }
}

/// Which of the three streams are terminals.
#[derive(Clone, Copy, Debug, Default)]
pub struct Terminal {
    /// stdin (the `explore` prompt).
    pub stdin: bool,
    /// stdout (colours, unless `NO_COLOR` is set).
    pub stdout: bool,
    /// stderr (the progress spinner).
    pub stderr: bool,
}

/// Writes `text` to the report stream; a reader that went away (a closed pipe) is not an error.
pub(super) fn emit(io: &mut Io<'_>, text: &str) -> Result<(), Error> {
    match io.stdout.write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Io { path: "<stdout>".into(), source: e }),
        _ => Ok(()),
    }
}

/// How to paint the report: colours on a terminal, unless `NO_COLOR` is set.
pub(super) fn style(io: &Io<'_>) -> Style {
    Style { color: io.terminal.stdout && std::env::var_os("NO_COLOR").is_none() }
}
