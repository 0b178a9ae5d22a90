"""Where this interpreter can switch threads in a program, per code object and line.

Usage: python3.X dis_switch.py FILE

Prints one JSON object {code name: {line: sorted list of switch kinds}} for every code object in
FILE (the module is "<module>"; code objects that share a name are merged), from this
interpreter's own `dis` and its eval-breaker rules (`../shared/theory/CPYTHON_SWITCH_POINTS.md`
from the repository root; summarised here):

- 3.9: kind "instr" on an instruction that the dispatch loop's eval-breaker check runs before:
  the first instruction of the frame and every exception-handler target, and every instruction
  that can follow one which ends in DISPATCH() (not FAST_DISPATCH(): NOP, LOAD_FAST, LOAD_CONST,
  STORE_FAST, POP_TOP, ROT_*, DUP_TOP(_TWO), IS_OP, CONTAINS_OP, JUMP_FORWARD,
  LOAD_ASSERTION_ERROR), except EXTENDED_ARG's successor and SETUP_FINALLY, SETUP_WITH,
  BEFORE_ASYNC_WITH and YIELD_FROM, which the loop exempts.
- 3.10: "entry" at the frame's first instruction; "handler" at exception-handler targets;
  "back-edge" at backward JUMP_ABSOLUTE and backward POP_JUMP_IF_*; "forward-jump" at a forward
  JUMP_ABSOLUTE (it checks too); "cond-jump" at forward POP_JUMP_IF_*; "call" at CALL_FUNCTION,
  CALL_FUNCTION_KW, CALL_METHOD and CALL_FUNCTION_EX.
- 3.11: "entry" at RESUME with oparg < 2; "back-edge" at JUMP_BACKWARD and POP_JUMP_BACKWARD_IF_*;
  "call" at CALL and CALL_FUNCTION_EX.
- 3.12, 3.13: "entry" at RESUME with oparg < 2; "back-edge" at JUMP_BACKWARD; "call" at CALL,
  CALL_KW and CALL_FUNCTION_EX. A JUMP_BACKWARD that only an exception handler reaches (3.12
  lays out the way on after a nested `with` block's `__exit__` suppressed an exception as a
  backward jump) is "handler-back-edge".

One layout difference is normalised: up to 3.10 the call that applies a decorator (`@property`)
to the function just made carries the `def` line, from 3.11 on the decorator's line; the call is
counted at the decorator's line (the line of the instruction that loaded it) on every version.

These are static check sites, the same picture as `gilcheck dis --switch M`: a conditional jump
checks or not depending on its operand, and a CALL checks after it or not depending on the
callee (a Python function is entered inline from 3.11 on; specialised len and isinstance do not
check), and `dis` shows neither, so every conditional jump and every call counts as a check site.
"""

import dis
import json
import sys

V = sys.version_info[:2]

FAST_DISPATCH_39 = {
    "NOP", "LOAD_FAST", "LOAD_CONST", "STORE_FAST", "POP_TOP", "ROT_TWO", "ROT_THREE", "ROT_FOUR",
    "DUP_TOP", "DUP_TOP_TWO", "IS_OP", "CONTAINS_OP", "JUMP_FORWARD", "LOAD_ASSERTION_ERROR",
}
EXEMPT_39 = {"SETUP_FINALLY", "SETUP_WITH", "BEFORE_ASYNC_WITH", "YIELD_FROM"}
TERMINAL = {"RETURN_VALUE", "RETURN_CONST", "RAISE_VARARGS", "RERAISE", "JUMP_FORWARD", "JUMP_ABSOLUTE",
            "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT", "JUMP", "JUMP_NO_INTERRUPT"}
CALLS_310 = {"CALL_FUNCTION", "CALL_FUNCTION_KW", "CALL_METHOD", "CALL_FUNCTION_EX"}
CALLS_311 = {"CALL", "CALL_KW", "CALL_FUNCTION_EX"}

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


def jump_target(i):
    """The offset instruction `i` jumps to, if it is a jump (SETUP_* handler targets excluded)."""
    jumps = set(dis.hasjrel) | set(dis.hasjabs) | set(getattr(dis, "hasjump", ()))
    if i.opcode in jumps and not i.opname.startswith("SETUP_"):
        return i.argval
    return None


def normally_reachable(instrs):
    """Indices of the instructions that some run reaches without raising an exception."""
    index = {i.offset: k for k, i in enumerate(instrs)}
    seen, todo = set(), [0]
    while todo:
        k = todo.pop()
        if k in seen or k >= len(instrs):
            continue
        seen.add(k)
        i = instrs[k]
        if i.opname not in TERMINAL:
            todo.append(k + 1)
        t = jump_target(i)
        if t is not None and t in index:
            todo.append(index[t])
    return seen


def kinds_39(code, instrs):
    """Instructions preceded by an eval-breaker check on 3.9 (indices)."""
    index = {i.offset: k for k, i in enumerate(instrs)}
    checked = {0}
    checked |= {index[t] for t in handler_targets(instrs) if t in index}
    for k, i in enumerate(instrs):
        name = i.opname
        if name == "EXTENDED_ARG" or name in FAST_DISPATCH_39:
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


def kinds_311(instrs):
    out = {}
    normal = normally_reachable(instrs) if V >= (3, 12) else range(len(instrs))
    for k, i in enumerate(instrs):
        name = i.opname
        if name == "RESUME" and i.arg < 2:
            out[k] = "entry"
        elif name == "JUMP_BACKWARD" or name.startswith("POP_JUMP_BACKWARD_IF_"):
            out[k] = "back-edge" if k in normal else "handler-back-edge"
        elif name in CALLS_311:
            out[k] = "call"
    return out


def decorator_call(instrs, k):
    """For a call that applies a decorator to the function MAKE_FUNCTION just made (and that is
    stored at once), the index of the instruction that loaded the decorator; else None."""
    if k < 2 or k + 1 >= len(instrs) or instrs[k - 1].opname != "MAKE_FUNCTION":
        return None
    if instrs[k + 1].opname not in ("STORE_NAME", "STORE_FAST", "STORE_GLOBAL"):
        return None
    j = k - 2
    while j > 0 and instrs[j].opname == "LOAD_CONST":
        j -= 1
    return j


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: dis_switch.py FILE\n")
        return 2
    path = argv[1]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    code = compile(text, path, "exec")
    result = {}
    for c in code_objects(code):
        instrs = list(dis.get_instructions(c))
        lines = lines_of(instrs)
        if V == (3, 9):
            kinds = kinds_39(c, instrs)
        elif V == (3, 10):
            kinds = kinds_310(c, instrs)
        else:
            kinds = kinds_311(instrs)
        per_line = result.setdefault(c.co_name, {})
        for k, kind in kinds.items():
            line = lines[k] if lines[k] is not None else 0
            if kind == "call" and V < (3, 11) and decorator_call(instrs, k) is not None:
                line = lines[decorator_call(instrs, k)] or line
            per_line.setdefault(str(line), set()).add(kind)
    out = {name: {line: sorted(ks) for line, ks in sorted(lines.items(), key=lambda x: int(x[0]))}
           for name, lines in result.items()}
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
