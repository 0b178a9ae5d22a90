#!/usr/bin/env python3.11
"""Generate expected `dis` listings for gilcheck's compiler tests (run with python3.11).

Usage:
    python3.11 tests/dis_listings/gen.py [--detail] [--out DIR] FILE.py...

For each FILE.py, writes DIR/<name>.txt (DIR defaults to this script's folder; <name> is the
path below models/ or tests/fixtures/ with '/' as '-', e.g. small-race_once, else the file's
stem): for every code
object in the order `dis.dis` prints them, a line `== <name>` followed by one opname per line
(CACHE entries dropped, RESUME kept).

With --detail, writes DIR/<name>.detail.txt instead, where every instruction line also carries
its argument (jump targets and exception-table ranges as instruction indices, CACHE and
EXTENDED_ARG dropped) and its source position `@line:col` (col 1-based, `@-` when none), followed
by `EXC start end target depth lasti` lines for the exception table (end exclusive).
"""
import dis
import os
import re
import sys

if sys.version_info[:2] != (3, 11):
    sys.exit(f"gen.py needs python3.11, this is {sys.version.split()[0]}")

JUMPS = set(dis.hasjrel) | set(dis.hasjabs)
NAME_OPS = {"LOAD_NAME", "STORE_NAME", "LOAD_GLOBAL", "STORE_GLOBAL", "LOAD_FAST", "STORE_ATTR",
            "STORE_FAST", "LOAD_ATTR", "LOAD_METHOD", "IMPORT_NAME", "DELETE_NAME",
            "DELETE_GLOBAL", "DELETE_FAST", "IMPORT_FROM", "DELETE_ATTR"}


def codes_in_dis_order(code):
    yield code
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            yield from codes_in_dis_order(const)


def const_repr(value):
    if hasattr(value, "co_code"):
        return f"<code object {value.co_name}>"
    if isinstance(value, tuple):
        parts = [const_repr(v) for v in value]
        return "(" + parts[0] + ",)" if len(parts) == 1 else "(" + ", ".join(parts) + ")"
    return repr(value)


def real_instructions(code):
    """Instructions without CACHE and EXTENDED_ARG, and a map byte offset -> index."""
    instrs = [i for i in dis.get_instructions(code) if i.opname not in ("CACHE", "EXTENDED_ARG")]
    index_of = {}
    pending = []
    k = 0
    for ins in dis.get_instructions(code, show_caches=True):
        if ins.opname == "CACHE":
            continue
        if ins.opname == "EXTENDED_ARG":
            pending.append(ins.offset)
            continue
        for off in pending:
            index_of[off] = k
        pending = []
        index_of[ins.offset] = k
        k += 1
    index_of[len(code.co_code)] = k
    return instrs, index_of


def positions(code):
    """Position of each code unit, indexed by byte offset // 2."""
    return list(code.co_positions())


def detail_arg(code, ins, index_of):
    if ins.opcode in JUMPS:
        return f"to {index_of[ins.argval]}"
    if ins.opname in ("LOAD_CONST", "KW_NAMES"):
        return const_repr(code.co_consts[ins.arg])
    if ins.opname in NAME_OPS:
        return ins.argrepr
    if ins.arg is None:
        return None
    return str(ins.arg)


def listing(path, detail):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    top = compile(source, path, "exec")
    out = []
    for code in codes_in_dis_order(top):
        out.append(f"== {code.co_name}")
        instrs, index_of = real_instructions(code)
        pos = positions(code)
        for ins in instrs:
            if not detail:
                out.append(ins.opname)
                continue
            line = ins.opname
            arg = detail_arg(code, ins, index_of)
            if arg is not None:
                line += " " + arg
            lineno, _end_lineno, col, _end_col = pos[ins.offset // 2]
            line += f" @{lineno}:{col + 1}" if lineno is not None and col is not None else " @-"
            out.append(line)
        if detail:
            for e in dis._parse_exception_table(code):
                out.append(f"EXC {index_of[e.start]} {index_of[e.end]} {index_of[e.target]} "
                           f"{e.depth} {int(e.lasti)}")
    return "\n".join(out) + "\n"


def listing_name(path):
    """models/small/x.py -> small-x; tests/fixtures/y.py -> y; anything else -> its stem."""
    rel = os.path.relpath(path).replace(os.sep, "/")
    for root in ("models/", "tests/fixtures/"):
        if rel.startswith(root):
            rel = rel[len(root):]
            break
    else:
        rel = os.path.basename(rel)
    return os.path.splitext(rel)[0].replace("/", "-")


def main(argv):
    detail = False
    out_dir = os.path.dirname(os.path.abspath(__file__))
    files = []
    it = iter(argv)
    for arg in it:
        if arg == "--detail":
            detail = True
        elif arg == "--out":
            out_dir = next(it)
        elif arg == "--stdout":
            out_dir = None
        else:
            files.append(arg)
    for path in files:
        text = listing(path, detail)
        if out_dir is None:
            sys.stdout.write(text)
            continue
        suffix = ".detail.txt" if detail else ".txt"
        with open(os.path.join(out_dir, listing_name(path) + suffix), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
