//! What one execution ends in: an [`Outcome`] (the shown globals and the output), or a
//! [`Finding`] (a violation, or a stop of the checker).

/// A final state projected onto the shown globals (name, `repr`) and the printed output.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    /// `(name, repr(value))` in the module's order of first use.
    pub globals: Vec<(String, String)>,
    /// The printed lines.
    pub output: Vec<String>,
    /// For an execution that ended in a violation: its kind and message.
    pub violation: Option<String>,
}

impl Outcome {
    /// The `repr` of global `name` in this outcome.
    pub fn global(&self, name: &str) -> Option<&str> {
        self.globals.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The kind of a violation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum FindingKind {
    /// A failing `assert`.
    Assertion,
    /// Another uncaught exception.
    Exception,
    /// Unfinished threads, none runnable.
    Deadlock,
    /// A cycle in the state graph: a run that never terminates.
    NonTermination,
    /// `--expect EXPR` is false in a final state.
    Expect,
    /// Not a violation: the run met an operation the checker does not model (see
    /// `Report::checker_stop`).
    Unsupported,
    /// Not a violation: the run met a limit of the checker itself (see `Report::checker_stop`).
    CheckerLimit,
}

impl FindingKind {
    /// `assertion`, `exception`, `deadlock`, `nontermination` or `expect`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Assertion => "assertion",
            FindingKind::Exception => "exception",
            FindingKind::Deadlock => "deadlock",
            FindingKind::NonTermination => "nontermination",
            FindingKind::Expect => "expect",
            FindingKind::Unsupported => "unsupported",
            FindingKind::CheckerLimit => "checker-limit",
        }
    }

    /// Whether this is a stop of the checker rather than a violation of the program.
    pub fn is_checker_stop(self) -> bool {
        matches!(self, FindingKind::Unsupported | FindingKind::CheckerLimit)
    }
}

/// One violation: what went wrong, in which thread, at which line.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    /// The kind.
    pub kind: FindingKind,
    /// A one-line description (e.g. `AssertionError: lost updates`).
    pub message: String,
    /// The thread it happened in (for deadlocks, the first waiting thread).
    pub thread: usize,
    /// The source line (0 when not tied to a line).
    pub line: u32,
}
