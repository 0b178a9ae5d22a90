//! The front end: Python source text to a checked AST.
//!
//! [`parse`] runs ruff's parser (which recovers from errors, so every syntax error is reported
//! at once, each with file:line:col) and then checks the module against the supported subset
//! (DESIGN.md §1.1): anything outside it is an [`Error::Unsupported`] naming the construct and
//! what is supported instead. [`parse_literal`] reads the VALUE of `--set NAME=VALUE`.

pub(crate) mod fold;
mod subset;
#[cfg(test)]
mod tests;
pub(crate) mod walk;

use crate::bytecode::Const;
use crate::error::{Error, Result, Span};
use crate::source::SourceFile;
use ruff_python_ast::{Expr, ModModule, Number, PythonVersion, UnaryOp};
use ruff_python_parser::{Mode, ParseOptions};

pub(crate) use subset::{check_expect_expression, future_annotations};
pub use subset::{check_library_subset, check_subset};

/// What the subset check learnt about a program that the later stages need.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// Whether the program looks at unseeded random draws (`random.randint(a, b)`,
    /// `random.choice(seq)` without `random.seed(n)`): they are explored value by value.
    pub draws: bool,
    /// Where the first such draw is (line, column).
    pub first_draw: Option<(u32, u32)>,
    /// Whether the program may start a daemon thread.
    pub daemons: bool,
}

/// Parses `src` as a Python 3.11 module and checks that it stays inside the supported subset.
///
/// Syntax errors give one [`Error::Syntax`] listing every error the parser reported, in source
/// order; constructs outside the subset give [`Error::Unsupported`].
#[cfg(test)]
pub fn parse(src: &SourceFile) -> Result<ModModule> {
    parse_with_facts(src).map(|(module, _)| module)
}

/// [`parse`], with what the subset check learnt about the program.
pub fn parse_with_facts(src: &SourceFile) -> Result<(ModModule, Facts)> {
    let module = parse_syntax(src)?;
    let facts = check_subset(src, &module)?;
    Ok((module, facts))
}

/// Parses `src` as Python 3.11 without checking it against the subset (syntax errors only).
pub fn parse_syntax(src: &SourceFile) -> Result<ModModule> {
    if src.text().len() >= u32::MAX as usize {
        return Err(Error::Usage(format!("{}: the file is too large (4 GiB or more)", src.name())));
    }
    let options = ParseOptions::from(Mode::Module).with_target_version(PythonVersion::PY311);
    let parsed = ruff_python_parser::parse_unchecked(src.text(), options);
    let span = |offset: u32| {
        let (line, col) = src.line_col(offset);
        Span { file: src.name().to_string(), line, col }
    };
    let mut errors: Vec<(u32, Span, String)> = parsed
        .errors()
        .iter()
        .map(|e| (e.location.start().to_u32(), span(e.location.start().to_u32()), e.error.to_string()))
        .collect();
    errors.extend(
        parsed
            .unsupported_syntax_errors()
            .iter()
            .map(|e| (e.range.start().to_u32(), span(e.range.start().to_u32()), e.to_string())),
    );
    if !errors.is_empty() {
        errors.sort_by_key(|(offset, _, _)| *offset);
        return Err(Error::Syntax { errors: errors.into_iter().map(|(_, s, m)| (s, m)).collect() });
    }
    let Some(module) = parsed.try_into_module() else {
        return Err(Error::Syntax { errors: vec![(span(0), "the source is not a module".to_string())] });
    };
    Ok(module.into_syntax())
}

/// Reads a `--set NAME=VALUE` value: an int (`-3`, `1_000_000`, `0xff`, unbounded), a string
/// (`'x'` or `"x"`), `True`, `False`, `None`, or a tuple of these (`(1, 'a')`).
pub fn parse_literal(text: &str) -> Result<Const> {
    let usage = || {
        Error::Usage(format!(
            "--set value {text:?} is not a literal: expected an int (e.g. 5, -3, 1_000_000), a float (0.5), \
             a quoted string ('x'), True, False, None, or a tuple of these such as (1, 'a')"
        ))
    };
    let parsed = ruff_python_parser::parse_expression(text.trim()).map_err(|_| usage())?;
    let expr = parsed.expr();
    if !is_literal(expr, 0) {
        return Err(usage());
    }
    fold::fold(expr).ok_or_else(usage)
}

fn is_literal(e: &Expr, depth: usize) -> bool {
    if depth > 100 {
        return false;
    }
    match e {
        Expr::NumberLiteral(n) => matches!(n.value, Number::Int(_) | Number::Float(_)),
        Expr::UnaryOp(u) => {
            matches!(u.op, UnaryOp::USub | UnaryOp::UAdd)
                && matches!(&*u.operand, Expr::NumberLiteral(n) if matches!(n.value, Number::Int(_) | Number::Float(_)))
        }
        Expr::StringLiteral(_) | Expr::BooleanLiteral(_) | Expr::NoneLiteral(_) => true,
        Expr::Tuple(t) => t.elts.iter().all(|x| is_literal(x, depth + 1)),
        _ => false,
    }
}
