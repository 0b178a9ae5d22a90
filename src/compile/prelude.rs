//! Library modules that CPython writes in Python, written here in the supported subset and
//! compiled by this compiler into the program that imports them (its *prelude*).
//!
//! Today that is `concurrent.futures` (`prelude/concurrent_futures.py`): its executor's worker
//! threads, queue hand-offs and futures run as ordinary code of the program, so where they may
//! switch threads follows from the same rules as the program's own code.
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

pub use crate::bytecode::FUTURES;

/// The source of `concurrent.futures` as the checker runs it.
const FUTURES_SOURCE: &str = include_str!("prelude/concurrent_futures.py");

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

/// Compiles `concurrent.futures` and links it into `program`.
pub fn link_futures(program: &mut Program) -> Result<()> {
    let src = SourceFile::new("<concurrent.futures>", FUTURES_SOURCE);
    let parsed = crate::frontend::parse_syntax(&src)?;
    let lib = crate::frontend::check_library_subset(&src, &parsed)
        .and_then(|()| super::compile_checked(&src, &parsed, &CompileOptions::default()))
        .map_err(|e| Error::Usage(format!("[internal bug] the concurrent.futures prelude does not compile: {e}")))?;
    let code_base = program.codes.len() as CodeId;
    let slots: Vec<GlobalId> = lib
        .globals
        .iter()
        .map(|g| {
            let name = format!("{FUTURES}.{g}");
            program.global_slot(&name).unwrap_or_else(|| {
                program.globals.push(name);
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
    let exit = program.global_slot(&format!("{FUTURES}._python_exit")).expect("the prelude defines _python_exit");
    program.library = Some(Library {
        module: code_base,
        end: program.codes.len() as CodeId,
        name: FUTURES,
        source: FUTURES_SOURCE,
        at_exit: exit,
        atomic: true,
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
