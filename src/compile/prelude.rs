//! Library modules that CPython writes in Python, written here in the supported subset and
//! compiled by this compiler into the program that imports them (its *prelude*).
//!
//! Today that is `concurrent.futures` (`prelude/concurrent_futures.py`): its executor's worker
//! threads, queue hand-offs and futures run as ordinary code of the program, so where they may
//! switch threads follows from the same rules as the program's own code; and `threading.Timer`
//! (`prelude/threading.py`), a `Thread` subclass on top of the natively modelled `threading`.
//!
//! Linking keeps the program's own code objects and globals where they are (so `dis` of the
//! program is unchanged) and appends the module's: its code objects after the program's, its
//! globals under names qualified by the module (`concurrent.futures.Future`), which no Python
//! name can clash with. The module's body runs before the program's, in the initial state.

use super::CompileOptions;
use crate::bytecode::{CodeId, Const, GlobalId, Instr, Library, Program};
use crate::error::{Error, Result};
use crate::source::SourceFile;
use ruff_python_ast::{ModModule, Stmt};

pub use crate::bytecode::{FUTURES, THREADING};

/// The source of `concurrent.futures` as the checker runs it.
const FUTURES_SOURCE: &str = include_str!("prelude/concurrent_futures.py");

/// The source of `threading`'s classes written in Python (`threading.Timer`).
const THREADING_SOURCE: &str = include_str!("prelude/threading.py");

/// Whether the module imports `concurrent.futures` (in any spelling: `import concurrent.futures`,
/// `from concurrent.futures import …`, `from concurrent import futures`).
pub fn imports_futures(module: &ModModule) -> bool {
    module.body.iter().any(|s| match s {
        Stmt::Import(i) => i.names.iter().any(|a| a.name.as_str() == FUTURES),
        Stmt::ImportFrom(i) => {
            i.level == 0 && i.module.as_ref().is_some_and(|m| m.as_str() == FUTURES || m.as_str() == "concurrent")
        }
        _ => false,
    })
}

/// Whether the module names one of `threading`'s classes that its prelude defines:
/// `from threading import Timer`, or `threading.Timer` where `threading` (or its `as` name) is
/// bound by `import threading`.
pub fn uses_threading_prelude(module: &ModModule) -> bool {
    use ruff_python_ast::visitor::{walk_expr, Visitor};
    let exported = |name: &str| crate::bytecode::THREADING_EXPORTS.contains(&name);
    let mut aliases = Vec::new();
    for s in &module.body {
        match s {
            Stmt::ImportFrom(i)
                if i.level == 0
                    && i.module.as_ref().is_some_and(|m| m.as_str() == THREADING)
                    && i.names.iter().any(|a| exported(a.name.as_str())) =>
            {
                return true;
            }
            Stmt::Import(i) => aliases.extend(
                i.names
                    .iter()
                    .filter(|a| a.name.as_str() == THREADING)
                    .map(|a| a.asname.as_ref().unwrap_or(&a.name).as_str().to_string()),
            ),
            _ => {}
        }
    }
    struct Find<'a> {
        aliases: &'a [String],
        found: bool,
    }
    impl<'b> Visitor<'b> for Find<'_> {
        fn visit_expr(&mut self, e: &'b ruff_python_ast::Expr) {
            if let ruff_python_ast::Expr::Attribute(a) = e {
                if crate::bytecode::THREADING_EXPORTS.contains(&a.attr.as_str())
                    && matches!(&*a.value, ruff_python_ast::Expr::Name(n) if self.aliases.iter().any(|x| x == n.id.as_str()))
                {
                    self.found = true;
                }
            }
            walk_expr(self, e);
        }
    }
    let mut find = Find { aliases: &aliases, found: false };
    if !aliases.is_empty() {
        module.body.iter().for_each(|s| find.visit_stmt(s));
    }
    find.found
}

/// Compiles `concurrent.futures` and links it into `program`.
pub fn link_futures(program: &mut Program) -> Result<()> {
    link(program, FUTURES, FUTURES_SOURCE, Some("_python_exit"), true)
}

/// Compiles `threading`'s prelude (`threading.Timer`) and links it into `program`.
pub fn link_threading(program: &mut Program) -> Result<()> {
    link(program, THREADING, THREADING_SOURCE, None, false)
}

/// Compiles the prelude of module `name` and links it into `program`: `at_exit` names the
/// function it registers to run at the interpreter's exit, `atomic` whether its steps between
/// calls may run as transactions ([`Library::atomic`]).
fn link(
    program: &mut Program,
    name: &'static str,
    source: &'static str,
    at_exit: Option<&str>,
    atomic: bool,
) -> Result<()> {
    let src = SourceFile::new(format!("<{name}>"), source);
    let parsed = crate::frontend::parse_syntax(&src)?;
    let lib = crate::frontend::check_library_subset(&src, &parsed)
        .and_then(|()| super::compile_checked(&src, &parsed, &CompileOptions::default()))
        .map_err(|e| Error::Usage(format!("[internal bug] the {name} prelude does not compile: {e}")))?;
    let code_base = program.codes.len() as CodeId;
    let slots: Vec<GlobalId> = lib
        .globals
        .iter()
        .map(|g| {
            let qualified = format!("{name}.{g}");
            program.global_slot(&qualified).unwrap_or_else(|| {
                program.globals.push(qualified);
                (program.globals.len() - 1) as GlobalId
            })
        })
        .collect();
    for mut code in lib.codes {
        for c in &mut code.consts {
            shift_code(c, code_base);
        }
        for i in &mut code.instrs {
            remap_global(i, &slots);
        }
        program.codes.push(code);
    }
    let at_exit = at_exit
        .map(|f| program.global_slot(&format!("{name}.{f}")).expect("the prelude defines the exit function it names"));
    program.libraries.push(Library {
        module: code_base,
        end: program.codes.len() as CodeId,
        name,
        source,
        at_exit,
        atomic,
    });
    program.refresh_callbacks();
    Ok(())
}

fn shift_code(c: &mut Const, base: CodeId) {
    match c {
        Const::Code(id) => *id += base,
        Const::Tuple(items) if items.iter().any(|x| matches!(x, Const::Code(_) | Const::Tuple(_))) => {
            let mut v = items.to_vec();
            v.iter_mut().for_each(|x| shift_code(x, base));
            *items = v.into();
        }
        _ => {}
    }
}

fn remap_global(i: &mut Instr, slots: &[GlobalId]) {
    let map = |g: &mut GlobalId| *g = slots[*g as usize];
    match i {
        Instr::LoadName(g)
        | Instr::StoreName(g)
        | Instr::StoreGlobal(g)
        | Instr::SetupAnnotations(g)
        | Instr::DeleteName(g)
        | Instr::DeleteGlobal(g) => map(g),
        Instr::LoadGlobal { slot, .. } => map(slot),
        _ => {}
    }
}
