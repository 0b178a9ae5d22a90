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
    /// A limit (`--max-time`, `--max-states`, `--max-memory`) stopped the command before it
    /// had any answer: inconclusive (exit 3), not bad input.
    #[error("{0}")]
    Limit(String),
    /// Several errors of the file at once (e.g. every construct outside the subset), in source
    /// order, one per line.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Many(Vec<Error>),
    /// The file is not valid UTF-8: where its first bad byte is.
    #[error("{span}: the file is not valid UTF-8 (byte 0x{byte:02x}); Python source must be UTF-8 encoded")]
    Encoding {
        /// The first bad byte's position (its column counts the valid characters before it).
        span: Span,
        /// The bad byte.
        byte: u8,
    },
    /// `--set NAME=...` for a name with no module-level assignment `NAME = ...`.
    #[error("{}--set {name}: {file} has no module-level assignment `{name} = ...`; {}", module_start(.file, .constants), constants_list(.constants))]
    UnknownSet {
        /// The name given.
        name: String,
        /// The file.
        file: String,
        /// The module-level constants that can be set, with where each is assigned.
        constants: Vec<(String, Span)>,
    },
}

/// `FILE:1:1: ` when a file has no constants to list: the error then points at the module.
fn module_start(file: &str, constants: &[(String, Span)]) -> String {
    if constants.is_empty() {
        format!("{file}:1:1: ")
    } else {
        String::new()
    }
}

fn constants_list(constants: &[(String, Span)]) -> String {
    if constants.is_empty() {
        return "it has no module-level constants to set (a constant is a module-level `NAME = <literal>`)".to_string();
    }
    let list: Vec<String> = constants.iter().map(|(n, s)| format!("{n} ({s})")).collect();
    format!("the constants that can be set: {}", list.join(", "))
}

impl Error {
    /// A short name of the kind of error: `io`, `syntax`, `unsupported`, `compile`, `usage`,
    /// `encoding` or `unknown-set` (the JSON error object's `kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::Syntax { .. } => "syntax",
            Error::Unsupported { .. } => "unsupported",
            Error::Compile { .. } => "compile",
            Error::Usage(_) => "usage",
            Error::Many(v) => v.first().map_or("usage", Error::kind),
            Error::Encoding { .. } => "encoding",
            Error::UnknownSet { .. } => "unknown-set",
            Error::Limit(_) => "limit",
        }
    }

    /// The command's exit code for this error: 3 when a limit stopped it (inconclusive), else 2.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Limit(_) => 3,
            _ => 2,
        }
    }

    /// Where in the file the error is, when it has a position (the first one for several).
    pub fn span(&self) -> Option<&Span> {
        match self {
            Error::Syntax { errors } => errors.first().map(|(s, _)| s),
            Error::Unsupported { span, .. } | Error::Compile { span, .. } | Error::Encoding { span, .. } => Some(span),
            Error::Many(v) => v.first().and_then(Error::span),
            _ => None,
        }
    }

    /// Each error on its own when this is several ([`Error::Syntax`] with several, or
    /// [`Error::Many`]); else just this one.
    pub fn each(&self) -> Vec<(Option<Span>, String, &'static str)> {
        match self {
            Error::Syntax { errors } => {
                errors.iter().map(|(s, m)| (Some(s.clone()), format!("syntax error: {m}"), "syntax")).collect()
            }
            Error::Many(v) => v.iter().flat_map(Error::each).collect(),
            Error::Unsupported { construct, hint, span } => {
                vec![(Some(span.clone()), format!("unsupported: {construct}; {hint}"), "unsupported")]
            }
            Error::Compile { message, span } => vec![(Some(span.clone()), message.clone(), "compile")],
            other => vec![(other.span().cloned(), other.to_string(), other.kind())],
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
