//! The library's front door: a Python program compiled into a checkable [`Model`].

use crate::bytecode::{Const, Program, SwitchModel};
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
    switch: SwitchModel,
    py: PyModel,
}

impl Model {
    /// Reads, parses and compiles the file at `path`.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Model> {
        let path = path.as_ref();
        let text =
            std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.display().to_string(), source })?;
        Model::from_source(path.display().to_string(), text)
    }

    /// Parses and compiles `text`, naming it `name` in diagnostics.
    pub fn from_source(name: impl Into<String>, text: impl Into<String>) -> Result<Model> {
        let source = SourceFile::new(name, text);
        let program = build(&source, &[])?;
        let py = PyModel::new(Arc::new(program), None, None);
        Ok(Model { source, sets: Vec::new(), expect: None, vars: None, switch: SwitchModel::Bytecode, py })
    }

    /// Replaces the value of the module-level constant `NAME = ...` with `value` (a Python
    /// literal), as `--set NAME=VALUE` does.
    pub fn with_set(mut self, name: &str, value: &str) -> Result<Model> {
        let c = frontend::parse_literal(value)?;
        self.sets.retain(|(n, _)| n != name);
        self.sets.push((name.to_string(), c));
        self.rebuild()
    }

    /// Adds `--expect EXPR`: an expression over the module's globals that must be true in
    /// every final state.
    pub fn with_expect(mut self, expr: &str) -> Result<Model> {
        self.expect = Some(expr.to_string());
        self.rebuild()
    }

    /// Runs the program under switch model `m` (`--switch M`): where its threads may switch.
    pub fn with_switch(mut self, m: SwitchModel) -> Result<Model> {
        self.switch = m;
        self.rebuild()
    }

    /// The switch model the program runs under.
    pub fn switch_model(&self) -> SwitchModel {
        self.switch
    }

    /// Shows only these globals in outcomes (`--vars a,b`).
    pub fn with_vars(mut self, vars: Vec<String>) -> Result<Model> {
        for v in &vars {
            if self.py.program.global_slot(v).is_none() {
                return Err(Error::Usage(format!(
                    "--vars {v}: the program has no global '{v}'; its globals are: {}",
                    self.py.program.globals.join(", ")
                )));
            }
        }
        self.vars = Some(vars);
        self.rebuild()
    }

    fn rebuild(mut self) -> Result<Model> {
        let mut program = build(&self.source, &self.sets)?.with_switch(self.switch);
        let expect = match &self.expect {
            Some(text) => Some((compile::compile_expression(&mut program, text)?, text.clone())),
            None => None,
        };
        self.py = PyModel::new(Arc::new(program), expect, self.vars.clone());
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

fn build(source: &SourceFile, sets: &[(String, Const)]) -> Result<Program> {
    let module = frontend::parse(source)?;
    compile::compile(source, &module, &CompileOptions { sets: sets.to_vec() })
}
