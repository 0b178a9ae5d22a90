//! Opname sequences of tricky constructs, as `python3.11 -m dis` prints them for the same source
//! (CACHE entries dropped), plus `--set` and `--expect`.

use super::{compile, compile_expression, CompileOptions};
use crate::bytecode::{disassemble, Const, DisOptions, Instr, Program};
use crate::error::Error;
use crate::frontend::parse;
use crate::source::SourceFile;

fn build(text: &str, opts: &CompileOptions) -> Result<Program, Error> {
    let src = SourceFile::new("t.py", text);
    let module = parse(&src)?;
    compile(&src, &module, opts)
}

fn program(text: &str) -> Program {
    build(text, &CompileOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// `== name` then the opnames, all on one line, as in tests/dis_listings.
fn listing(text: &str) -> String {
    let p = program(text);
    let mut out = Vec::new();
    for code in &p.codes {
        out.push(format!("== {}", code.name));
        out.extend(code.instrs.iter().map(|i| i.opname().to_string()));
    }
    out.join(" ")
}

const MODULE_DEF_F: &str = "== <module> RESUME LOAD_CONST MAKE_FUNCTION STORE_NAME LOAD_CONST RETURN_VALUE";

#[test]
fn chained_comparison_in_a_condition_and_as_a_value() {
    let src = "def f(a, b, c):\n    if a < b <= c:\n        return a < b < c\n";
    let expected = format!(
        "{MODULE_DEF_F} == f RESUME LOAD_FAST LOAD_FAST SWAP COPY COMPARE_OP POP_JUMP_FORWARD_IF_FALSE \
         LOAD_FAST COMPARE_OP POP_JUMP_FORWARD_IF_FALSE JUMP_FORWARD POP_TOP LOAD_CONST RETURN_VALUE \
         LOAD_FAST LOAD_FAST SWAP COPY COMPARE_OP JUMP_IF_FALSE_OR_POP LOAD_FAST COMPARE_OP JUMP_FORWARD \
         SWAP POP_TOP RETURN_VALUE LOAD_CONST RETURN_VALUE"
    );
    assert_eq!(listing(src), expected);
}

#[test]
fn while_loop_repeats_its_test_at_the_bottom() {
    let src =
        "def f(n):\n    i = 0\n    while i < n:\n        i += 1\n        if i == 3:\n            continue\n        \
               if i == 5:\n            break\n    return i\n";
    let expected = format!(
        "{MODULE_DEF_F} == f RESUME LOAD_CONST STORE_FAST LOAD_FAST LOAD_FAST COMPARE_OP \
         POP_JUMP_FORWARD_IF_FALSE LOAD_FAST LOAD_CONST BINARY_OP STORE_FAST LOAD_FAST LOAD_CONST COMPARE_OP \
         POP_JUMP_FORWARD_IF_FALSE JUMP_BACKWARD LOAD_FAST LOAD_CONST COMPARE_OP POP_JUMP_FORWARD_IF_FALSE \
         JUMP_FORWARD LOAD_FAST LOAD_FAST COMPARE_OP POP_JUMP_BACKWARD_IF_TRUE LOAD_FAST RETURN_VALUE"
    );
    assert_eq!(listing(src), expected);
}

#[test]
fn and_or_in_conditions_and_values() {
    let src =
        "def f(a, b, c):\n    if a and (b or not c):\n        x = a and b or c\n        return x\n    return None\n";
    let expected = format!(
        "{MODULE_DEF_F} == f RESUME LOAD_FAST POP_JUMP_FORWARD_IF_FALSE LOAD_FAST POP_JUMP_FORWARD_IF_TRUE \
         LOAD_FAST POP_JUMP_FORWARD_IF_TRUE LOAD_FAST POP_JUMP_FORWARD_IF_FALSE LOAD_FAST JUMP_IF_TRUE_OR_POP \
         LOAD_FAST STORE_FAST LOAD_FAST RETURN_VALUE LOAD_CONST RETURN_VALUE"
    );
    assert_eq!(listing(src), expected);
}

#[test]
fn tuple_unpacking_uses_static_swaps_in_functions() {
    let src = "a, b = 1, 2\ndef f(x, y):\n    x, y = y, x\n    p, (q, r) = x, (y, 1)\n    return p, q, r\n";
    let expected = "== <module> RESUME LOAD_CONST UNPACK_SEQUENCE STORE_NAME STORE_NAME LOAD_CONST MAKE_FUNCTION \
         STORE_NAME LOAD_CONST RETURN_VALUE == f RESUME LOAD_FAST LOAD_FAST STORE_FAST STORE_FAST LOAD_FAST \
         LOAD_FAST LOAD_CONST BUILD_TUPLE SWAP STORE_FAST UNPACK_SEQUENCE STORE_FAST STORE_FAST LOAD_FAST \
         LOAD_FAST LOAD_FAST BUILD_TUPLE RETURN_VALUE";
    assert_eq!(listing(src), expected);
}

const WITH_EXIT: &str = "LOAD_CONST LOAD_CONST LOAD_CONST PRECALL CALL POP_TOP";
const WITH_HANDLER: &str = "PUSH_EXC_INFO WITH_EXCEPT_START POP_JUMP_FORWARD_IF_TRUE RERAISE COPY POP_EXCEPT \
     RERAISE POP_TOP POP_EXCEPT POP_TOP POP_TOP";

#[test]
fn nested_with_statements_and_return_through_them() {
    let src = "import threading\nlock_a = threading.Lock()\nlock_b = threading.Lock()\ndef f():\n    \
               with lock_a, lock_b:\n        pass\n    with lock_a:\n        with threading.Lock():\n            \
               return 1\n";
    let expected = format!(
        "== <module> RESUME LOAD_CONST LOAD_CONST IMPORT_NAME STORE_NAME PUSH_NULL LOAD_NAME LOAD_ATTR PRECALL \
         CALL STORE_NAME PUSH_NULL LOAD_NAME LOAD_ATTR PRECALL CALL STORE_NAME LOAD_CONST MAKE_FUNCTION \
         STORE_NAME LOAD_CONST RETURN_VALUE == f RESUME LOAD_GLOBAL BEFORE_WITH POP_TOP LOAD_GLOBAL \
         BEFORE_WITH POP_TOP NOP {WITH_EXIT} JUMP_FORWARD {WITH_HANDLER} {WITH_EXIT} JUMP_FORWARD \
         {WITH_HANDLER} LOAD_GLOBAL BEFORE_WITH POP_TOP LOAD_GLOBAL LOAD_ATTR PRECALL CALL BEFORE_WITH \
         POP_TOP NOP {WITH_EXIT} {WITH_EXIT} LOAD_CONST RETURN_VALUE {WITH_HANDLER} NOP {WITH_EXIT} \
         LOAD_CONST RETURN_VALUE {WITH_HANDLER} LOAD_CONST RETURN_VALUE"
    );
    assert_eq!(listing(src), expected);
    // The body of the inner `with` unwinds to the inner handler, at two items above the frame.
    let p = program(src);
    let f = &p.codes[1];
    let first = f.exception_table[0];
    assert_eq!((first.depth, first.lasti), (1, true));
    assert!(matches!(f.instrs[first.target as usize], Instr::PushExcInfo));
}

#[test]
fn assert_with_a_message_calls_assertion_error() {
    let src = "x = 1\nassert x == 1, f\"x is {x}\"\nassert x\n";
    let expected = "== <module> RESUME LOAD_CONST STORE_NAME LOAD_NAME LOAD_CONST COMPARE_OP \
         POP_JUMP_FORWARD_IF_TRUE LOAD_ASSERTION_ERROR LOAD_CONST LOAD_NAME FORMAT_VALUE BUILD_STRING PRECALL \
         CALL RAISE_VARARGS LOAD_NAME POP_JUMP_FORWARD_IF_TRUE LOAD_ASSERTION_ERROR RAISE_VARARGS LOAD_CONST \
         RETURN_VALUE";
    assert_eq!(listing(src), expected);
}

#[test]
fn f_strings_with_conversions_and_format_specs() {
    let src = "x = 1\nprint(f\"a{x}b{x!r}c{x:>5}\", f\"{x}\", f\"\", f\"lit\")\n";
    let expected = "== <module> RESUME LOAD_CONST STORE_NAME PUSH_NULL LOAD_NAME LOAD_CONST LOAD_NAME FORMAT_VALUE \
         LOAD_CONST LOAD_NAME FORMAT_VALUE LOAD_CONST LOAD_NAME LOAD_CONST FORMAT_VALUE BUILD_STRING LOAD_NAME \
         FORMAT_VALUE BUILD_STRING LOAD_CONST PRECALL CALL POP_TOP LOAD_CONST RETURN_VALUE";
    assert_eq!(listing(src), expected);
    let p = program(src);
    let flags: Vec<u32> =
        p.codes[0].instrs.iter().filter_map(|i| if let Instr::FormatValue(f) = i { Some(*f) } else { None }).collect();
    assert_eq!(flags, vec![0, 2, 4, 0]);
}

#[test]
fn imported_modules_use_load_attr_and_other_receivers_load_method() {
    let src = "import threading\nimport time\ndef work(n):\n    time.sleep(0)\n    print(n)\n\
               t = threading.Thread(target=work, args=(1,))\nt.start()\nt.join()\nlock = threading.Lock()\n\
               lock.acquire(False)\nlock.release()\nwork(-1)\n";
    let expected = "== <module> RESUME LOAD_CONST LOAD_CONST IMPORT_NAME STORE_NAME LOAD_CONST LOAD_CONST \
         IMPORT_NAME STORE_NAME LOAD_CONST MAKE_FUNCTION STORE_NAME PUSH_NULL LOAD_NAME LOAD_ATTR LOAD_NAME \
         LOAD_CONST KW_NAMES PRECALL CALL STORE_NAME LOAD_NAME LOAD_METHOD PRECALL CALL POP_TOP LOAD_NAME \
         LOAD_METHOD PRECALL CALL POP_TOP PUSH_NULL LOAD_NAME LOAD_ATTR PRECALL CALL STORE_NAME LOAD_NAME \
         LOAD_METHOD LOAD_CONST PRECALL CALL POP_TOP LOAD_NAME LOAD_METHOD PRECALL CALL POP_TOP PUSH_NULL \
         LOAD_NAME LOAD_CONST PRECALL CALL POP_TOP LOAD_CONST RETURN_VALUE == work RESUME LOAD_GLOBAL \
         LOAD_ATTR LOAD_CONST PRECALL CALL POP_TOP LOAD_GLOBAL LOAD_FAST PRECALL CALL POP_TOP LOAD_CONST \
         RETURN_VALUE";
    assert_eq!(listing(src), expected);
    let p = program(src);
    let m = &p.codes[0];
    // args=(1,) is one constant, -1 is folded, and keyword names are a constant tuple.
    assert!(m.consts.contains(&Const::Tuple(vec![Const::Int(1)].into())));
    assert!(m.consts.contains(&Const::Int(-1)));
    assert!(m.consts.contains(&Const::Tuple(vec![Const::Str("target".into()), Const::Str("args".into())].into())));
    assert!(matches!(p.codes[1].instrs[1], Instr::LoadGlobal { push_null: true, .. }));
}

#[test]
fn globals_declared_in_functions_use_store_global_at_module_level() {
    let p = program("balance = 0\nN = 5\ndef f():\n    global balance\n    balance += N\n");
    let m = &p.codes[0];
    let balance = p.global_slot("balance").unwrap();
    let n = p.global_slot("N").unwrap();
    assert_eq!(m.instrs[2], Instr::StoreGlobal(balance));
    assert_eq!(m.instrs[4], Instr::StoreName(n));
    assert_eq!(p.codes[1].instrs[1], Instr::LoadGlobal { slot: balance, push_null: false });
}

#[test]
fn big_ints_and_folding_follow_cpython() {
    let p = program("a = 12345678901234567890123\nb = 2 * 3 + 1\nc = -(5)\nN = 5\nd = 2 * N\n");
    let m = &p.codes[0];
    assert!(m.consts.iter().any(|c| matches!(c, Const::BigInt(_))));
    assert!(m.consts.contains(&Const::Int(7)));
    // `2 * N` is not folded.
    assert!(m.instrs.iter().any(|i| matches!(i, Instr::BinaryOp { .. })));
}

#[test]
fn set_replaces_the_module_level_assignment() {
    let opts = CompileOptions { sets: vec![("N".into(), Const::Int(3))] };
    let p = build("N = 1_000_000\nbalance = N\n", &opts).unwrap();
    assert_eq!(
        p.codes[0].consts[p.codes[0]
            .instrs
            .iter()
            .find_map(|i| match i {
                Instr::LoadConst(k) => Some(*k as usize),
                _ => None,
            })
            .unwrap()],
        Const::Int(3)
    );
    let bad = CompileOptions { sets: vec![("M".into(), Const::Int(3))] };
    match build("import threading\nN = 1\nbalance = 0\nlock = threading.Lock()\n", &bad) {
        Err(e @ Error::UnknownSet { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("--set M"), "{msg}");
            // The constants, each with where it is assigned; `lock` is not a constant.
            assert!(msg.contains("the constants that can be set: N (t.py:2:1), balance (t.py:3:1)"), "{msg}");
            assert!(!msg.contains("lock ("), "{msg}");
        }
        other => panic!("expected an unknown-set error, got {other:?}"),
    }
}

#[test]
fn expect_expressions_compile_to_a_code_object_over_the_globals() {
    let mut p = program("N = 2\nbalance = 0\n");
    let id = compile_expression(&mut p, "balance == 2 * N and N > 0").unwrap();
    let code = p.code(id);
    assert_eq!(code.name, "<expect>");
    let names: Vec<&str> = code.instrs.iter().map(|i| i.opname()).collect();
    assert_eq!(
        names,
        "RESUME LOAD_NAME LOAD_CONST LOAD_NAME BINARY_OP COMPARE_OP JUMP_IF_FALSE_OR_POP LOAD_NAME LOAD_CONST \
         COMPARE_OP JUMP_FORWARD RETURN_VALUE"
            .split(' ')
            .collect::<Vec<_>>()
    );
    match compile_expression(&mut p, "balanse == 2") {
        Err(Error::Usage(msg)) => assert!(msg.contains("balanse") && msg.contains("N, balance"), "{msg}"),
        other => panic!("expected a usage error, got {other:?}"),
    }
    assert!(matches!(compile_expression(&mut p, "f(balance)"), Err(Error::Usage(_))));
    assert!(matches!(compile_expression(&mut p, "balance =="), Err(Error::Usage(_))));
}

#[test]
fn disassembly_looks_like_dis() {
    let p = program("import threading\nbalance = 0\ndef deposit():\n    global balance\n    for _ in range(3):\n        balance += 1\n");
    let text = disassemble(&p, &DisOptions::default());
    assert!(text.contains("Disassembly of <code object deposit, file \"t.py\", line 3>:"), "{text}");
    assert!(text.contains("  0           0 RESUME                   0\n"), "{text}");
    assert!(text.contains("  5           1 LOAD_GLOBAL              2 (NULL + range)\n"), "{text}");
    assert!(text.contains("BINARY_OP               13 (+=)"), "{text}");
    assert!(text.contains(">>    6 FOR_ITER                13 (to 13)\n"), "{text}");
    assert!(text.contains("  5     >>   13 LOAD_CONST               0 (None)\n"), "{text}");
    assert!(text.contains("JUMP_BACKWARD            6 (to 6)"), "{text}");
    let marks = DisOptions { marks: Some(vec![vec![], vec![true]]), notes: Vec::new() };
    let marked = disassemble(&p, &marks);
    assert!(marked.contains("  3 [S]       0 RESUME"), "{marked}");
}

#[test]
fn disassembly_lists_the_exception_table() {
    let p = program("import threading\nlock = threading.Lock()\ndef f():\n    with lock:\n        pass\n");
    let text = disassemble(&p, &DisOptions::default());
    assert!(text.contains("  5           4 NOP\n\n  4           5 LOAD_CONST               0 (None)\n"), "{text}");
    assert!(text.contains("        >>   13 PUSH_EXC_INFO\n"), "{text}");
    assert!(
        text.ends_with(
            "ExceptionTable:\n  3 to 3 -> 13 [1] lasti\n  13 to 16 -> 17 [3] lasti\n  20 to 20 -> 17 [3] lasti\n"
        ),
        "{text}"
    );
}

#[test]
fn global_after_use_is_a_compile_error() {
    let src = SourceFile::new("t.py", "x = 0\ndef f():\n    print(x)\n    global x\n");
    let module = crate::frontend::parse(&src).unwrap();
    match compile(&src, &module, &Default::default()) {
        Err(Error::Compile { span, message }) => {
            assert_eq!((span.line, span.col), (4, 5));
            assert_eq!(message, "name 'x' is used prior to global declaration");
        }
        other => panic!("expected a compile error, got {other:?}"),
    }
}
