"""Where this interpreter can switch threads in a program, per code object and line.

Usage: python3.X dis_switch.py FILE

Prints one JSON object {code name: {line: sorted list of switch kinds}} for every code object in
FILE (the module is "<module>"; code objects that share a name are merged), from this
interpreter's own `dis` and its eval-breaker rules (../../../shared/theory/CPYTHON_SWITCH_POINTS.md
in the project's shared notes; summarised here):

- 3.9: kind "instr" on an instruction that the dispatch loop's eval-breaker check runs before:
  the first instruction of the frame and every exception-handler target, and every instruction
  that can follow one which ends in DISPATCH() (not FAST_DISPATCH(): NOP, LOAD_FAST, LOAD_CONST,
  STORE_FAST, POP_TOP, ROT_*, DUP_TOP(_TWO), IS_OP, CONTAINS_OP, JUMP_FORWARD,
  LOAD_ASSERTION_ERROR, and conditional jumps whose operand is exactly True or False, taken here
  as those right after COMPARE_OP, IS_OP, CONTAINS_OP or UNARY_NOT), except EXTENDED_ARG's
  successor and SETUP_FINALLY, SETUP_WITH, BEFORE_ASYNC_WITH and YIELD_FROM, which the loop exempts.
- 3.10: "entry" at the frame's first instruction; "handler" at exception-handler targets;
  "back-edge" at backward JUMP_ABSOLUTE and backward POP_JUMP_IF_*; "forward-jump" at a forward
  JUMP_ABSOLUTE (it checks too); "cond-jump" at forward POP_JUMP_IF_*; "call" at CALL_FUNCTION,
  CALL_FUNCTION_KW, CALL_METHOD and CALL_FUNCTION_EX.
- 3.11: "entry" at RESUME with oparg < 2; "back-edge" at JUMP_BACKWARD and POP_JUMP_BACKWARD_IF_*;
  "call" at CALL and CALL_FUNCTION_EX on the path that does not inline a Python function.
- 3.12, 3.13: "entry" at RESUME with oparg < 2; "back-edge" at JUMP_BACKWARD; "call" at CALL,
  CALL_KW and CALL_FUNCTION_EX on the path that does not inline a Python function.

Which path a call site takes (3.11+) is read from this interpreter, not guessed: the program is
run once and `dis` is read again with adaptive=True, so a site the specialiser turned into a form
without a check (a Python function pushed inline; specialised len, isinstance, one-argument type,
list.append; __init__ entered inline) has no "call"; a site left generic is classified by a second
run under sys.setprofile: it inlines when every callee seen there was a Python function entered
directly (not a class's __init__ or __new__, not a C function). A site that never ran keeps "call".
"""

import dis
import json
import sys
import threading

V = sys.version_info[:2]

FAST_DISPATCH_39 = {
    "NOP", "LOAD_FAST", "LOAD_CONST", "STORE_FAST", "POP_TOP", "ROT_TWO", "ROT_THREE", "ROT_FOUR",
    "DUP_TOP", "DUP_TOP_TWO", "IS_OP", "CONTAINS_OP", "JUMP_FORWARD", "LOAD_ASSERTION_ERROR",
}
BOOL_PRODUCERS_39 = {"COMPARE_OP", "IS_OP", "CONTAINS_OP", "UNARY_NOT"}
COND_JUMPS = {"POP_JUMP_IF_FALSE", "POP_JUMP_IF_TRUE", "JUMP_IF_FALSE_OR_POP", "JUMP_IF_TRUE_OR_POP",
              "JUMP_IF_NOT_EXC_MATCH"}
EXEMPT_39 = {"SETUP_FINALLY", "SETUP_WITH", "BEFORE_ASYNC_WITH", "YIELD_FROM"}
TERMINAL = {"RETURN_VALUE", "RETURN_CONST", "RAISE_VARARGS", "RERAISE", "JUMP_FORWARD", "JUMP_ABSOLUTE",
            "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT", "JUMP", "JUMP_NO_INTERRUPT"}
CALLS_310 = {"CALL_FUNCTION", "CALL_FUNCTION_KW", "CALL_METHOD", "CALL_FUNCTION_EX"}
CALLS_311 = {"CALL", "CALL_KW", "CALL_FUNCTION_EX"}
# Specialised call forms with no eval-breaker check after them (3.11-3.13).
NO_CHECK_CALLS = {
    "PRECALL_NO_KW_LEN", "PRECALL_NO_KW_ISINSTANCE", "PRECALL_NO_KW_TYPE_1", "PRECALL_NO_KW_LIST_APPEND",
    "PRECALL_PYFUNC", "PRECALL_BOUND_METHOD",
    "CALL_PY_EXACT_ARGS", "CALL_PY_WITH_DEFAULTS", "CALL_PY_GENERAL", "CALL_BOUND_METHOD_EXACT_ARGS",
    "CALL_BOUND_METHOD_GENERAL", "CALL_NO_KW_LEN", "CALL_NO_KW_ISINSTANCE", "CALL_NO_KW_TYPE_1",
    "CALL_NO_KW_LIST_APPEND", "CALL_LEN", "CALL_ISINSTANCE", "CALL_TYPE_1", "CALL_LIST_APPEND",
    "CALL_ALLOC_AND_ENTER_INIT",
}
GENERIC_CALLS = {"PRECALL", "PRECALL_ADAPTIVE", "CALL", "CALL_ADAPTIVE", "CALL_KW", "CALL_FUNCTION_EX"}


def code_objects(code):
    """Every code object in `code`, depth first, in co_consts order."""
    out = [code]
    for c in code.co_consts:
        if hasattr(c, "co_code"):
            out.extend(code_objects(c))
    return out


def lines_of(instrs):
    """The source line of each instruction (None where the interpreter gives none)."""
    out, line = [], None
    for i in instrs:
        if V >= (3, 11):
            line = i.positions.lineno if i.positions is not None else None
        elif i.starts_line is not None:
            line = i.starts_line
        out.append(line)
    return out


def handler_targets(instrs):
    """Exception-handler targets on 3.9 and 3.10 (set up by SETUP_* instructions)."""
    return {i.argval for i in instrs if i.opname in ("SETUP_FINALLY", "SETUP_WITH", "SETUP_ASYNC_WITH")}


def kinds_39(code, instrs):
    """Instructions preceded by an eval-breaker check on 3.9 (indices)."""
    index = {i.offset: k for k, i in enumerate(instrs)}
    checked = {0}
    checked |= {index[t] for t in handler_targets(instrs) if t in index}
    for k, i in enumerate(instrs):
        name = i.opname
        if name == "EXTENDED_ARG" or name in FAST_DISPATCH_39:
            continue
        if name in COND_JUMPS and k > 0 and instrs[k - 1].opname in BOOL_PRODUCERS_39:
            continue
        succ = []
        if name not in TERMINAL and k + 1 < len(instrs):
            succ.append(k + 1)
        if i.opcode in dis.hasjabs or i.opcode in dis.hasjrel:
            if i.opname not in ("SETUP_FINALLY", "SETUP_WITH", "SETUP_ASYNC_WITH"):
                succ.append(index[i.argval])
        checked.update(succ)
    return {k: "instr" for k in checked if instrs[k].opname not in EXEMPT_39}


def kinds_310(code, instrs):
    out = {0: "entry"}
    index = {i.offset: k for k, i in enumerate(instrs)}
    for t in handler_targets(instrs):
        out[index[t]] = "handler"
    for k, i in enumerate(instrs):
        if i.opname == "JUMP_ABSOLUTE":
            out[k] = "back-edge" if i.argval <= i.offset else "forward-jump"
        elif i.opname in ("POP_JUMP_IF_FALSE", "POP_JUMP_IF_TRUE"):
            out[k] = "back-edge" if i.argval <= i.offset else "cond-jump"
        elif i.opname in CALLS_310:
            out[k] = "call"
    return out


def kinds_311(code, instrs, adaptive, inlined_sites):
    """`adaptive`: offset -> specialised opname; `inlined_sites`: offsets of call sites seen
    entering only Python functions inline."""
    out = {}
    for k, i in enumerate(instrs):
        name = i.opname
        if name == "RESUME" and i.arg < 2:
            out[k] = "entry"
        elif name == "JUMP_BACKWARD" or name.startswith("POP_JUMP_BACKWARD_IF_"):
            out[k] = "back-edge"
        elif name in CALLS_311:
            forms = {adaptive.get(i.offset, name)}
            if V == (3, 11) and k > 0 and instrs[k - 1].opname == "PRECALL":
                forms.add(adaptive.get(instrs[k - 1].offset, "PRECALL"))
            if forms & NO_CHECK_CALLS:
                continue
            if forms <= GENERIC_CALLS and i.offset in inlined_sites:
                continue
            out[k] = "call"
    return out


class Calls:
    """Per call site (code, CALL offset): the kinds of callee seen under sys.setprofile."""

    def __init__(self, path):
        self.path = path
        self.sites = {}
        self.lock = threading.Lock()

    def hook(self, frame, event, arg):
        if event == "call":
            caller = frame.f_back
            if caller is None or caller.f_code.co_filename != self.path:
                return
            name = frame.f_code.co_name
            kind = "init" if name in ("__init__", "__new__") else "py"
            self.note(caller, kind)
        elif event == "c_call" and frame.f_code.co_filename == self.path:
            self.note(frame, "c")

    def note(self, frame, kind):
        with self.lock:
            self.sites.setdefault((frame.f_code, frame.f_lasti), set()).add(kind)


def call_site(instrs, lasti):
    """The offset of the call instruction that a frame at `lasti` is executing: the last one at
    or before it (3.11 reports a frame that entered a Python callee inline at the CALL's last
    cache entry)."""
    site = None
    for i in instrs:
        if i.offset > lasti:
            break
        if i.opname in CALLS_311:
            site = i.offset
    return site


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: dis_switch.py FILE\n")
        return 2
    path = argv[1]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    code = compile(text, path, "exec")
    adaptive, inlined = {}, {}
    if V >= (3, 11):
        # Run once so that hot call sites specialise, then read the specialised forms.
        exec(code, {"__name__": "__main__"})
        for c in code_objects(code):
            adaptive[id(c)] = {i.offset: i.opname for i in dis.get_instructions(c, adaptive=True)}
        # Run a fresh copy under a profiler to classify the sites left generic.
        traced = compile(text, path, "exec")
        calls = Calls(path)
        threading.setprofile(calls.hook)
        sys.setprofile(calls.hook)
        try:
            exec(traced, {"__name__": "__main__"})
        finally:
            sys.setprofile(None)
            threading.setprofile(None)
        by_key = {}
        for (c, lasti), kinds in calls.sites.items():
            by_key.setdefault((c.co_name, c.co_firstlineno), []).append((lasti, kinds))
        for c in code_objects(code):
            instrs = list(dis.get_instructions(c))
            seen = {}
            for lasti, kinds in by_key.get((c.co_name, c.co_firstlineno), []):
                site = call_site(instrs, lasti)
                if site is not None:
                    seen.setdefault(site, set()).update(kinds)
            inlined[id(c)] = {s for s, kinds in seen.items() if kinds == {"py"}}
    result = {}
    for c in code_objects(code):
        instrs = list(dis.get_instructions(c))
        lines = lines_of(instrs)
        if V == (3, 9):
            kinds = kinds_39(c, instrs)
        elif V == (3, 10):
            kinds = kinds_310(c, instrs)
        else:
            kinds = kinds_311(c, instrs, adaptive[id(c)], inlined[id(c)])
        per_line = result.setdefault(c.co_name, {})
        for k, kind in kinds.items():
            line = lines[k] if lines[k] is not None else 0
            per_line.setdefault(str(line), set()).add(kind)
    out = {name: {line: sorted(ks) for line, ks in sorted(lines.items(), key=lambda x: int(x[0]))}
           for name, lines in result.items()}
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
