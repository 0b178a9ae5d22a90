//! Stage errors: what stops a program from being checked at all (as opposed to findings,
//! which are data in a report).

use std::fmt;

/// A position in a named file, 1-based.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// The file name.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// Everything that can go wrong before or around exploration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Python syntax errors (every one the parser found).
    #[error("{}", .errors.iter().map(|(s, m)| format!("{s}: syntax error: {m}")).collect::<Vec<_>>().join("\n"))]
    Syntax {
        /// Each error's position and message.
        errors: Vec<(Span, String)>,
    },
    /// A construct outside the supported subset.
    #[error("{span}: unsupported: {construct}; {hint}")]
    Unsupported {
        /// Where.
        span: Span,
        /// The construct's name, e.g. "class definition".
        construct: String,
        /// What is supported instead.
        hint: String,
    },
    /// A semantic error found while compiling (e.g. a `global` after use).
    #[error("{span}: {message}")]
    Compile {
        /// Where.
        span: Span,
        /// What.
        message: String,
    },
    /// A bad `--set NAME=VALUE`, `--expect` or other option.
    #[error("{0}")]
    Usage(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
