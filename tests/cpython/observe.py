"""Runs a corpus program K times in this interpreter and prints the final globals as JSON.

Usage: python3.X observe.py FILE N K VAR [VAR...]

Each run compiles and executes the file's text afresh (cold call sites, as at a program's start) in a fresh globals dict, with the module constant `N = ...`
replaced by the given value (the line keeps its place, so line numbers are unchanged), after
`sys.setswitchinterval(1e-6)` so that the interpreter offers the GIL as often as it can. The
output is one JSON object: {"version": "3.X.Y", "n": N, "runs": [[v1, v2, ...], ...],
"seconds": s}, one list per run with the VARs' final values in order. Works on CPython 3.9-3.13.
"""

import json
import re
import sys
import time


def main(argv):
    if len(argv) < 5:
        sys.stderr.write("usage: observe.py FILE N K VAR [VAR...]\n")
        return 2
    path, n, k, names = argv[1], int(argv[2]), int(argv[3]), argv[4:]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text, replaced = re.subn(r"(?m)^N = .*$", "N = %d" % n, text)
    if replaced != 1:
        sys.stderr.write("%s: expected exactly one module-level `N = ...` line, found %d\n" % (path, replaced))
        return 2
    sys.setswitchinterval(1e-6)
    runs = []
    start = time.perf_counter()
    for _ in range(k):
        # A fresh code object each run, as at every start of the program: from 3.11 on, call
        # sites specialise as they warm up, and a code object reused across runs would stay warm.
        code = compile(text, path, "exec")
        env = {"__name__": "__main__"}
        exec(code, env)
        row = []
        for name in names:
            if name not in env:
                sys.stderr.write("%s: no global %r after the run\n" % (path, name))
                return 2
            value = env[name]
            if type(value) is not int:
                sys.stderr.write("%s: global %r is %r, not an int\n" % (path, name, value))
                return 2
            row.append(value)
        runs.append(row)
    seconds = time.perf_counter() - start
    version = "%d.%d.%d" % sys.version_info[:3]
    print(json.dumps({"version": version, "n": n, "runs": runs, "seconds": seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
