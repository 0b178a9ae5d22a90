//! The library's front door: a Python program compiled into a checkable [`Model`].

use crate::bytecode::{Const, Program, SwitchModel, Tape};
use crate::compile::{self, CompileOptions};
use crate::error::{Error, Result};
use crate::explore::{Checker, PyModel};
use crate::frontend;
use crate::source::SourceFile;
use std::sync::Arc;

/// A Python threading program, parsed and compiled, ready to check.
///
/// ```no_run
/// let model = gilcheck::Model::from_file("models/race_condition.py")?.with_set("N", "3")?;
/// let report = model.checker().check();
/// assert_eq!(report.verdict(), gilcheck::Verdict::Violated);
/// # Ok::<(), gilcheck::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Model {
    source: SourceFile,
    sets: Vec<(String, Const)>,
    expect: Option<String>,
    vars: Option<Vec<String>>,
    library_atomic: bool,
    tape: Tape,
    /// The program as compiled from the source and `--set`: the other options derive the run's
    /// program from it without compiling the source again.
    compiled: Arc<Program>,
    py: PyModel,
}

impl Model {
    /// Reads, parses and compiles the file at `path`.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Model> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| Error::Io { path: name.clone(), source })?;
        let text = String::from_utf8(bytes).map_err(|e| encoding_error(&name, e.as_bytes(), e.utf8_error()))?;
        Model::from_source(name, text)
    }

    /// Parses and compiles `text`, naming it `name` in diagnostics.
    pub fn from_source(name: impl Into<String>, text: impl Into<String>) -> Result<Model> {
        let source = SourceFile::new(name, text);
        let compiled = Arc::new(build(&source, &[])?);
        let py = PyModel::new(compiled.clone(), SwitchModel::Bytecode, None, None);
        Ok(Model {
            source,
            sets: Vec::new(),
            expect: None,
            vars: None,
            library_atomic: true,
            tape: Tape::new(),
            compiled,
            py,
        })
    }

    /// Replaces the value of the module-level constant `NAME = ...` with `value` (a Python
    /// literal), as `--set NAME=VALUE` does.
    pub fn with_set(self, name: &str, value: &str) -> Result<Model> {
        self.with_sets([(name, value)])
    }

    /// [`Model::with_set`] for several constants at once: the source is compiled once.
    pub fn with_sets<'a>(mut self, sets: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Model> {
        for (name, value) in sets {
            let c = frontend::parse_literal(value)?;
            self.sets.retain(|(n, _)| n != name);
            self.sets.push((name.to_string(), c));
        }
        self.rebuild()
    }

    /// Adds `--expect EXPR`: an expression over the module's globals that must be true in
    /// every final state.
    pub fn with_expect(mut self, expr: &str) -> Result<Model> {
        self.expect = Some(expr.to_string());
        self.derive()
    }

    /// Runs the program under switch model `m` (`--switch M`): where its threads may switch. A
    /// setting of the run: nothing is compiled again.
    pub fn with_switch(mut self, m: SwitchModel) -> Result<Model> {
        self.py.switch = m;
        Ok(self)
    }

    /// Runs a library module's own steps (`concurrent.futures`) as transactions between its
    /// synchronisation points (`true`, the default) or with a switch wherever the switch model
    /// allows one (`false`: the plain model that the reduction is checked against).
    pub fn with_library_atomic(mut self, atomic: bool) -> Result<Model> {
        self.library_atomic = atomic;
        self.derive()
    }

    /// Keeps one state for every numbering of the heap in the stateful searches (`true`, the
    /// default: see `vm/canon.rs`), or every state as it is (`false`: the plain model that the
    /// reduction is checked against).
    pub fn with_heap_symmetry(mut self, on: bool) -> Result<Model> {
        self.py.heap_symmetry = on;
        Ok(self)
    }

    /// Gives the program's unseeded random draws the values of `tape` (`--draws`): a replay
    /// takes them; a check explores every value of the draws the tape leaves out.
    pub fn with_draws(mut self, tape: Tape) -> Result<Model> {
        self.tape = tape;
        self.derive()
    }

    /// The switch model the program runs under.
    pub fn switch_model(&self) -> SwitchModel {
        self.py.switch
    }

    /// Shows only these globals in outcomes (`--vars a,b`).
    pub fn with_vars(mut self, vars: Vec<String>) -> Result<Model> {
        for v in &vars {
            if self.py.program.global_slot(v).is_none() {
                return Err(Error::Usage(format!(
                    "--vars {v}: the program has no global '{v}'; its globals are: {}",
                    self.py
                        .program
                        .globals
                        .iter()
                        .filter(|g| !Program::is_library_name(g))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        self.py.vars = Some(vars.clone());
        self.vars = Some(vars);
        Ok(self)
    }

    /// The same model (`--set`, `--expect`, `--vars`, draws, switch model) over another text of
    /// its source, under the same name: a repaired program re-checked as the original was.
    pub fn with_text(&self, text: impl Into<String>) -> Result<Model> {
        let mut m = self.clone();
        m.source = SourceFile::new(self.source.name(), text);
        m.rebuild()
    }

    /// Compiles the source again (after `--set` changed it), then derives the run's program.
    fn rebuild(mut self) -> Result<Model> {
        self.compiled = Arc::new(build(&self.source, &self.sets)?);
        self.derive()
    }

    /// The run's program from the compiled one: the library's atomicity, the draws' tape and
    /// the `--expect` expression's code object.
    fn derive(mut self) -> Result<Model> {
        let mut program =
            (*self.compiled).clone().with_library_atomic(self.library_atomic).with_tape(self.tape.clone());
        let expect = match &self.expect {
            Some(text) => Some((compile::compile_expression(&mut program, text)?, text.clone())),
            None => None,
        };
        let symmetry = self.py.heap_symmetry;
        self.py = PyModel::new(Arc::new(program), self.py.switch, expect, self.vars.clone());
        self.py.heap_symmetry = symmetry;
        Ok(self)
    }

    /// The source file.
    pub fn source(&self) -> &SourceFile {
        &self.source
    }

    /// The compiled program.
    pub fn program(&self) -> &Program {
        &self.py.program
    }

    /// The model the explorers run.
    pub fn explorable(&self) -> &PyModel {
        &self.py
    }

    /// A checker for this model (default strategy and limits).
    pub fn checker(&self) -> Checker<'_, PyModel> {
        Checker::new(&self.py)
    }
}

/// The position of the first byte of `bytes` that is not UTF-8.
fn encoding_error(name: &str, bytes: &[u8], e: std::str::Utf8Error) -> Error {
    let at = e.valid_up_to();
    let prefix = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
    let (line, col) = SourceFile::new(name, prefix).line_col(at as u32);
    Error::Encoding { span: crate::error::Span { file: name.to_string(), line, col }, byte: bytes[at] }
}

fn build(source: &SourceFile, sets: &[(String, Const)]) -> Result<Program> {
    let (module, facts) = frontend::parse_with_facts(source)?;
    let mut program = compile::compile(source, &module, &CompileOptions { sets: sets.to_vec() })?;
    program.draws.active = facts.draws;
    program.draws.at = facts.first_draw;
    program.daemons = facts.daemons;
    program.counts_active = program.counting_active();
    Ok(program)
}
