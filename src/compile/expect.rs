//! The `--expect` expression, compiled over the program's globals.

use super::cfg::{Op, SrcLoc};
use super::symbols::ModuleSymbols;
use super::{Compiler, Unit};
use crate::bytecode::{CodeId, CodeKind, GlobalId, Instr, Program};
use crate::error::{Error, Result};
use crate::source::SourceFile;
use ruff_python_ast::Expr;
use std::collections::{HashMap, HashSet};

/// Compiles the `--expect` expression `text` into a new code object of `program` (kind
/// [`CodeKind::Module`], name `<expect>`) that evaluates it over the program's globals with
/// LOAD_NAME and ends with its only RETURN_VALUE (where CPython's eval-mode code would return
/// from several places, e.g. for `a and b`, the other exits jump to it). Returns its id.
///
/// Names must be globals that the program stores to; anything else is an [`Error::Usage`]
/// listing them. Calls are not allowed.
pub fn compile_expression(program: &mut Program, text: &str) -> Result<CodeId> {
    let parsed = ruff_python_parser::parse_expression(text)
        .map_err(|e| Error::Usage(format!("--expect {text:?}: syntax error: {}", e.error)))?;
    let expr = parsed.expr();
    let src = SourceFile::new("<expect>", text);
    crate::frontend::check_expect_expression(&src, expr)
        .map_err(|e| Error::Usage(format!("--expect {text:?}: {e}")))?;
    let available = stored_globals(program);
    let mut unknown = Vec::new();
    collect_names(expr, &mut unknown);
    if let Some(name) = unknown.iter().find(|n| !available.contains(*n)) {
        let mut names: Vec<&str> = available.iter().map(String::as_str).collect();
        names.sort_unstable();
        return Err(Error::Usage(format!(
            "--expect {text:?}: unknown name '{name}'; the program's globals are: {}",
            if names.is_empty() { "(none)".to_string() } else { names.join(", ") }
        )));
    }
    let mut c = Compiler::new(&src, ModuleSymbols::default(), HashMap::new());
    c.globals = program.globals.clone();
    c.global_index = program.globals.iter().enumerate().map(|(i, g)| (g.clone(), i as GlobalId)).collect();
    c.unit.name = "<expect>".into();
    c.unit.cfg.add(Op::Resume, 0, None, SrcLoc { line: 0, col: 1 });
    c.visit_expr(expr)?;
    let unit = std::mem::replace(&mut c.unit, Unit::new(String::new(), CodeKind::Module, 1, None));
    let mut code = c.assemble_unit(unit, false);
    // CPython duplicates small return blocks (`a and b` returns from two places); here every
    // exit jumps to the one final RETURN_VALUE instead, so the value is always taken there.
    if let Some(last) = code.instrs.len().checked_sub(1) {
        if code.instrs[last] == Instr::ReturnValue {
            for i in &mut code.instrs[..last] {
                if *i == Instr::ReturnValue {
                    *i = Instr::JumpForward(last as u32);
                }
            }
        }
    }
    program.globals = c.globals;
    program.codes.push(code);
    Ok((program.codes.len() - 1) as CodeId)
}

/// Global names that some code stores to (the program's variables).
fn stored_globals(program: &Program) -> HashSet<String> {
    let mut out = HashSet::new();
    for (_, code) in program.own_codes() {
        for i in &code.instrs {
            if let Instr::StoreName(g) | Instr::StoreGlobal(g) = i {
                if let Some(n) = program.globals.get(*g as usize) {
                    out.insert(n.clone());
                }
            }
        }
    }
    out
}

fn collect_names(e: &Expr, out: &mut Vec<String>) {
    use ruff_python_ast::visitor::{walk_expr, Visitor};
    struct V<'a>(&'a mut Vec<String>);
    impl<'a> Visitor<'a> for V<'_> {
        fn visit_expr(&mut self, e: &'a Expr) {
            if let Expr::Name(n) = e {
                self.0.push(n.id.as_str().to_string());
            }
            walk_expr(self, e);
        }
    }
    V(out).visit_expr(e);
}
