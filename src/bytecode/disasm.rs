//! A `dis`-style listing of a [`Program`], laid out like `python3.11 -m dis` so that the two can
//! be held side by side. Offsets are instruction indices (CACHE entries do not exist here), jump
//! arguments are target indices, and an optional marker column flags switch points.

use super::{CodeObject, Instr, Program};
use std::collections::HashSet;
use std::fmt::Write as _;

/// Options of [`disassemble`].
#[derive(Clone, Debug, Default)]
pub struct DisOptions {
    /// Switch-point marks: `marks[code][instr]` is true for an instruction that is a switch
    /// point (an eval-breaker check site); such lines get a `[S]` marker column. `None` prints no
    /// marker column. Missing entries count as unmarked.
    pub marks: Option<Vec<Vec<bool>>>,
    /// Notes appended to instruction lines (`notes[code][instr]`, after `  # `), e.g. why an
    /// instruction is a switch point. Missing entries print nothing.
    pub notes: Vec<Vec<Option<String>>>,
}

impl DisOptions {
    /// The marks and notes of `model`'s static switch points ([`super::switch_marks`]).
    pub fn switch_points(program: &Program, model: super::SwitchModel) -> DisOptions {
        let mut marks: Vec<Vec<bool>> = program.codes.iter().map(|c| vec![false; c.instrs.len()]).collect();
        let mut notes: Vec<Vec<Option<String>>> = program.codes.iter().map(|c| vec![None; c.instrs.len()]).collect();
        for m in super::switch_marks(program, model) {
            let (c, pc) = (m.code as usize, m.pc as usize);
            marks[c][pc] = true;
            if m.kind != super::SwitchKind::Instr {
                notes[c][pc] = Some(format!("switch: {}", m.kind.describe()));
            }
        }
        DisOptions { marks: Some(marks), notes }
    }
}

const OPNAME_WIDTH: usize = 20;
const OPARG_WIDTH: usize = 5;

/// The listing of the module's code, then of each function, as `dis.dis` prints a module.
pub fn disassemble(program: &Program, opts: &DisOptions) -> String {
    let mut out = String::new();
    for (id, code) in program.own_codes() {
        let id = id as usize;
        if id > 0 {
            let _ = writeln!(
                out,
                "\nDisassembly of <code object {}, file \"{}\", line {}>:",
                code.name, program.filename, code.first_line
            );
        }
        let marks = opts.marks.as_ref().map(|m| m.get(id).map(Vec::as_slice).unwrap_or(&[]));
        let notes = opts.notes.get(id).map(Vec::as_slice).unwrap_or(&[]);
        disassemble_code(&mut out, program, code, marks, notes);
    }
    out
}

/// One instruction as `dis` shows it without the columns: opname, argument, `(argrepr)`.
///
/// For example `LOAD_GLOBAL 1 (NULL + range)` or `JUMP_BACKWARD 3 (to 3)`.
pub fn describe_instr(program: &Program, code: &CodeObject, instr: &Instr) -> String {
    let (arg, argrepr) = arg_and_repr(program, code, instr);
    let mut s = instr.opname().to_string();
    if let Some(a) = arg {
        let _ = write!(s, " {a}");
        if !argrepr.is_empty() {
            let _ = write!(s, " ({argrepr})");
        }
    }
    s
}

fn disassemble_code(
    out: &mut String,
    program: &Program,
    code: &CodeObject,
    marks: Option<&[bool]>,
    notes: &[Option<String>],
) {
    let mut targets: HashSet<u32> = code.instrs.iter().filter_map(Instr::jump_target).collect();
    targets.extend(code.exception_table.iter().map(|e| e.target));
    let max_line = code.locs.iter().map(|l| l.line).max().unwrap_or(0);
    let line_width = if max_line >= 1000 { max_line.to_string().len() } else { 3 };
    let offset_width = code.instrs.len().saturating_sub(1).to_string().len().max(4);
    let mut last_line: Option<u32> = None;
    for (i, instr) in code.instrs.iter().enumerate() {
        let loc = code.locs.get(i).copied().unwrap_or_default();
        let line = if loc.line == 0 && loc.col == 0 { None } else { Some(loc.line) };
        let starts_line = match line {
            Some(l) if Some(l) != last_line => {
                last_line = Some(l);
                Some(l)
            }
            _ => None,
        };
        if starts_line.is_some() && i > 0 {
            out.push('\n');
        }
        let mut fields: Vec<String> = Vec::new();
        fields.push(match starts_line {
            Some(l) => format!("{l:>line_width$}"),
            None => " ".repeat(line_width),
        });
        fields.push(match marks {
            Some(m) if m.get(i).copied().unwrap_or(false) => "[S]".to_string(),
            _ => "   ".to_string(),
        });
        fields.push(if targets.contains(&(i as u32)) { ">>".into() } else { "  ".into() });
        fields.push(format!("{i:>offset_width$}"));
        fields.push(format!("{:<OPNAME_WIDTH$}", instr.opname()));
        let (arg, argrepr) = arg_and_repr(program, code, instr);
        if let Some(a) = arg {
            fields.push(format!("{a:>OPARG_WIDTH$}"));
            if !argrepr.is_empty() {
                fields.push(format!("({argrepr})"));
            }
        }
        let line_text = fields.join(" ");
        out.push_str(line_text.trim_end());
        if let Some(Some(n)) = notes.get(i) {
            let _ = write!(out, "  # {n}");
        }
        out.push('\n');
    }
    if !code.exception_table.is_empty() {
        out.push_str("ExceptionTable:\n");
        for e in &code.exception_table {
            let _ = writeln!(
                out,
                "  {} to {} -> {} [{}]{}",
                e.start,
                e.end.saturating_sub(1),
                e.target,
                e.depth,
                if e.lasti { " lasti" } else { "" }
            );
        }
    }
}

fn name_at(list: &[String], i: u32) -> String {
    list.get(i as usize).cloned().unwrap_or_else(|| format!("<{i}?>"))
}

/// The argument of `instr` as `dis` describes it in parentheses: a name, a constant's repr,
/// `NULL + name`, an operator, or `to N` for jumps (empty when it has none).
pub fn argrepr(program: &Program, code: &CodeObject, instr: &Instr) -> String {
    arg_and_repr(program, code, instr).1
}

/// The numeric argument (None for argument-less opcodes) and its `dis` description.
fn arg_and_repr(program: &Program, code: &CodeObject, instr: &Instr) -> (Option<u32>, String) {
    use Instr::*;
    let konst = |i: u32| match code.consts.get(i as usize) {
        Some(c) => c.repr(program),
        None => format!("<const {i}?>"),
    };
    let global = |g: u32| name_at(&program.globals, g);
    match *instr {
        ListToTuple | ReturnGenerator | YieldValue | Nop | PopTop | PushNull | UnaryNot | UnaryNegative
        | UnaryPositive | UnaryInvert | GetIter | ReturnValue | LoadAssertionError | BeforeWith | PushExcInfo
        | WithExceptStart | PopExcept | CheckExcMatch => (None, String::new()),
        DeleteName(g) | DeleteGlobal(g) => (Some(g), global(g)),
        DeleteFast(i) => (Some(i), name_at(&code.varnames, i)),
        BinarySubscr | StoreSubscr | DeleteSubscr | LoadBuildClass => (None, String::new()),
        Resume(a) | Copy(a) | Swap(a) | BuildTuple(a) | BuildString(a) | Precall(a) | Call(a) | UnpackSequence(a)
        | UnpackEx(a) | CallFunctionEx(a) | DictMerge(a) | RaiseVarargs(a) | Reraise(a) | BuildList(a)
        | BuildMap(a) | BuildConstKeyMap(a) | ListExtend(a) | ListAppend(a) | MapAdd(a) | BuildSet(a) | SetAdd(a)
        | SetUpdate(a) => (Some(a), String::new()),
        LoadConst(i) => (Some(i), konst(i)),
        KwNames(i) => (Some(i), konst(i)),
        LoadName(g) | StoreName(g) | StoreGlobal(g) => (Some(g), global(g)),
        LoadGlobal { slot, push_null } => {
            (Some(slot), if push_null { format!("NULL + {}", global(slot)) } else { global(slot) })
        }
        LoadFast(i) | StoreFast(i) => (Some(i), name_at(&code.varnames, i)),
        MakeCell(i) | LoadClosure(i) | LoadDeref(i) | StoreDeref(i) | DeleteDeref(i) => {
            let names = code.localsplus_names();
            (Some(i), names.get(i as usize).map_or_else(|| format!("<{i}?>"), |s| s.to_string()))
        }
        CopyFreeVars(n) | BuildSlice(n) => (Some(n), String::new()),
        LoadAttr(i) | LoadMethod(i) | ImportName(i) | ImportFrom(i) | StoreAttr(i) | DeleteAttr(i) => {
            (Some(i), name_at(&code.names, i))
        }
        SetupAnnotations(_) => (None, String::new()),
        MakeFunction(f) => {
            let flags = ["defaults", "kwdefaults", "annotations", "closure"];
            let parts: Vec<&str> =
                flags.iter().enumerate().filter(|(k, _)| f & (1 << k) != 0).map(|(_, s)| *s).collect();
            (Some(f), parts.join(", "))
        }
        FormatValue(f) => {
            let mut s = ["", "str", "repr", "ascii"][(f & 3) as usize].to_string();
            if f & 4 != 0 {
                if !s.is_empty() {
                    s.push_str(", ");
                }
                s.push_str("with format");
            }
            (Some(f), s)
        }
        BinaryOp { op, inplace } => {
            let code = op.nb_code() + if inplace { 13 } else { 0 };
            (Some(code), format!("{}{}", op.symbol(), if inplace { "=" } else { "" }))
        }
        CompareOp(op) => {
            use super::CmpOp::*;
            let index = match op {
                Lt => 0,
                Le => 1,
                Eq => 2,
                Ne => 3,
                Gt => 4,
                Ge => 5,
            };
            (Some(index), op.symbol().to_string())
        }
        IsOp(b) | ContainsOp(b) => (Some(u32::from(b)), String::new()),
        ForIter(_)
        | JumpForward(_)
        | JumpBackward(_)
        | PopJumpForwardIfFalse(_)
        | PopJumpForwardIfTrue(_)
        | PopJumpForwardIfNone(_)
        | PopJumpForwardIfNotNone(_)
        | PopJumpBackwardIfFalse(_)
        | PopJumpBackwardIfTrue(_)
        | PopJumpBackwardIfNone(_)
        | PopJumpBackwardIfNotNone(_)
        | JumpIfFalseOrPop(_)
        | JumpIfTrueOrPop(_) => {
            let t = instr.jump_target().unwrap_or_default();
            (Some(t), format!("to {t}"))
        }
    }
}
