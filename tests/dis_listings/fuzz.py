#!/usr/bin/env python3
"""Random programs in gilcheck's subset, for comparing its compiler with CPython 3.11.

    python3 tests/dis_listings/fuzz.py --out /tmp/progs --n 500 [--seed 1]
    GILCHECK_DIS_DIR=/tmp/progs cargo test --release --test it dis::compare_directory -- --ignored

The programs need not make sense when run: they exercise the code generator (nesting of
if/elif/else, while, for, with, break/continue/return through with blocks, conditions with
and/or/not/chained comparisons, constant folding, calls, f-strings, multi-line expressions).
"""
import argparse
import os
import random

GLOBALS = ["g", "h", "n", "s", "lock", "lock2", "t"]


class Gen:
    def __init__(self, rng):
        self.r = rng
        self.lines = []

    def name(self, local_names):
        pool = GLOBALS[:4] + list(local_names)
        return self.r.choice(pool)

    def const(self):
        return self.r.choice(["0", "1", "2", "-1", "3", "10", "True", "False", "None", "'a'", "\"b\"",
                              "1_000", "0x10", "(1, 2)", "()", "('x',)", "12345678901234567890123",
                              "2 * 3", "-(4)", "(not 0)", "'ab' * 2", "(1,) + (2,)", "7 // 2", "7 % 3",
                              "~5", "+3", "1 - 1", "(1, (2, 3))", "(-1, 'z')", "2 * 3 + 4"])

    def expr(self, loc, depth=0):
        r = self.r.random()
        if depth > 2 or r < 0.25:
            return self.r.choice([self.const(), self.name(loc), self.name(loc)])
        k = self.r.randrange(16)
        e = lambda: self.expr(loc, depth + 1)
        if k == 0:
            op = self.r.choice(['+', '-', '*', '//', '%'])
            left = self.name(loc) if op == '%' else e()
            return f"{left} {op} {e()}"
        if k == 1:
            return f"({e()} {self.r.choice(['<', '<=', '==', '!=', '>', '>=', 'is', 'is not', 'in', 'not in'])} {e()})"
        if k == 2:
            return f"({e()} {self.r.choice(['and', 'or'])} {e()})"
        if k == 3:
            return f"(not {e()})"
        if k == 4:
            return f"({e()} if {self.cond(loc, depth + 1)} else {e()})"
        if k == 5:
            return f"({e()} < {e()} <= {e()})"
        if k == 6:
            return f"({e()}, {e()})"
        if k == 7:
            return self.fstring(loc, depth)
        if k == 8:
            return f"-{self.name(loc)}"
        if k == 9:
            return f"f{self.r.randrange(3)}({', '.join(e() for _ in range(self.r.randrange(3)))})"
        if k == 10:
            return f"{self.name(loc)}.m{self.r.randrange(2)}({e()})"
        if k == 11:
            return f"({e()} and {e()} or {e()})"
        if k == 12:
            return f"(\n    {e()}\n    + {e()}\n)"
        if k == 13:
            return f"(not ({self.name(loc)} {self.r.choice(['is', 'is not', 'in', 'not in', '=='])} {e()}))"
        if k == 14:
            return f"{self.name(loc)}.m(\n    {e()},\n    k={e()})"
        return f"({e()} {self.r.choice(['<', '=='])} {e()} {self.r.choice(['<', '!=', 'in'])} {e()})"

    def fstring(self, loc, depth):
        parts = []
        for _ in range(self.r.randrange(1, 4)):
            c = self.r.randrange(5)
            if c == 0:
                parts.append("lit ")
            elif c == 1:
                parts.append("{" + self.name(loc) + "}")
            elif c == 2:
                parts.append("{" + self.name(loc) + "!r}")
            elif c == 3:
                parts.append("{" + self.name(loc) + ":>5}")
            else:
                parts.append("{{x}}")
        s = 'f"' + "".join(parts) + '"'
        if self.r.random() < 0.2:
            s += ' "tail"'
        return s

    def cond(self, loc, depth=0):
        k = self.r.randrange(10)
        e = lambda: self.expr(loc, depth + 1)
        if k == 0:
            return f"{self.name(loc)} is None"
        if k == 1:
            return f"{self.name(loc)} is not None"
        if k == 2:
            return f"not {self.name(loc)}"
        if k == 3:
            return f"{e()} and {e()}"
        if k == 4:
            return f"{e()} or not {e()}"
        if k == 5:
            return f"1 < {self.name(loc)} < 3"
        if k == 6:
            return self.r.choice(["True", "False", "0", "1", "()", "'x'"])
        if k == 7:
            return f"({e()} if {e()} else {e()})"
        if k == 8:
            return f"not ({e()} and {e()})"
        return e()

    def stmts(self, ind, ctx, n=None):
        n = n or self.r.randrange(1, 4)
        for _ in range(n):
            self.stmt(ind, ctx)

    def emit(self, ind, text):
        for line in text.split("\n"):
            self.lines.append("    " * ind + line)

    def target(self, ctx):
        if ctx["func"] and self.r.random() < 0.6:
            v = self.r.choice(["a", "b", "c"])
            ctx["locals"].add(v)
            return v
        return self.r.choice(GLOBALS[:4])

    def stmt(self, ind, ctx):
        loc = ctx["locals"]
        depth = ctx["depth"]
        k = self.r.randrange(22 if depth < 3 else 9)
        if k == 0:
            self.emit(ind, f"{self.target(ctx)} = {self.expr(loc)}")
        elif k == 1:
            self.emit(ind, f"{self.target(ctx)} {self.r.choice(['+=', '-=', '*=', '//=', '%='])} {self.expr(loc)}")
        elif k == 2:
            self.emit(ind, f"print({', '.join(self.expr(loc) for _ in range(self.r.randrange(3)))})")
        elif k == 3:
            self.emit(ind, "pass")
        elif k == 4:
            self.emit(ind, f"assert {self.cond(loc)}" + (f", {self.expr(loc)}" if self.r.random() < 0.5 else ""))
        elif k == 5:
            self.emit(ind, f"{self.r.choice(['lock', 'lock2', 't'])}.{self.r.choice(['acquire', 'release', 'start', 'join'])}()")
        elif k == 6:
            if ctx["loop"]:
                self.emit(ind, self.r.choice(["break", "continue"]))
            else:
                self.emit(ind, "time.sleep(0)")
        elif k == 7:
            if ctx["func"]:
                self.emit(ind, self.r.choice(["return", f"return {self.expr(loc)}", "return 1", "return None"]))
            else:
                self.emit(ind, f"{self.target(ctx)}, {self.target(ctx)} = {self.expr(loc)}, {self.expr(loc)}")
        elif k == 8:
            c = self.r.randrange(8)
            if c == 0:
                self.emit(ind, f"{self.target(ctx)}, {self.target(ctx)} = {self.name(loc)}, {self.name(loc)}")
            elif c == 1:
                self.emit(ind, f"{self.target(ctx)} = {self.target(ctx)} = {self.expr(loc)}")
            elif c == 2:
                self.emit(ind, f"({self.target(ctx)}, {self.target(ctx)}), {self.target(ctx)} = {self.expr(loc)}")
            elif c == 3:
                self.emit(ind, f"{self.target(ctx)}, {self.target(ctx)}, {self.target(ctx)} = "
                               f"{self.name(loc)}, {self.name(loc)}, {self.name(loc)}")
            elif c == 4:
                self.emit(ind, f"t2 = threading.Thread(target=f1, args=({self.name(loc)},))\nt2.start()")
            elif c == 5:
                self.emit(ind, f"(\n    lock\n    .release\n)()\n"
                               f"print('h\u00e9llo', {self.name(loc)}, f'\u00fc{{{self.name(loc)}}}')")
            elif c == 6:
                a, b = self.name(loc), self.name(loc)
                self.emit(ind, f'print(f"{{{a}:{{{b}}}}}{{{a}!s:>{{n}}d}}")')
            else:
                self.emit(ind, "'inner doc'\n" + self.r.choice(["1", "(1, 2)", "-1", "..."]))
        else:
            sub = dict(ctx, depth=depth + 1)
            kind = self.r.randrange(8)
            if kind == 0:
                self.emit(ind, f"if {self.cond(loc)}:")
                self.stmts(ind + 1, sub)
                for _ in range(self.r.randrange(3)):
                    self.emit(ind, f"elif {self.cond(loc)}:")
                    self.stmts(ind + 1, sub)
                if self.r.random() < 0.5:
                    self.emit(ind, "else:")
                    self.stmts(ind + 1, sub)
            elif kind == 1:
                self.emit(ind, f"while {self.cond(loc)}:")
                self.stmts(ind + 1, dict(sub, loop=True))
            elif kind == 2:
                if self.r.random() < 0.2:
                    self.emit(ind, f"for {self.target(ctx)}, {self.target(ctx)} in (({self.name(loc)}, 1), (2, 3)):")
                    self.stmts(ind + 1, dict(sub, loop=True))
                    return
                it = self.r.choice([f"range({self.expr(loc)})", f"range(1, {self.name(loc)})", "range(0, 10, 2)",
                                    "(1, 2, 3)", self.name(loc), "('a', 'b')"])
                self.emit(ind, f"for {self.target(ctx)} in {it}:")
                self.stmts(ind + 1, dict(sub, loop=True))
            elif kind == 3:
                items = self.r.choice(["lock", "lock2", "lock, lock2", "threading.Lock()", "lock as l",
                                       "lock2 as l, lock"])
                if "as l" in items and ctx["func"]:
                    loc.add("l")
                self.emit(ind, f"with {items}:")
                self.stmts(ind + 1, sub)
            elif kind == 4:
                self.emit(ind, "while True:")
                self.stmts(ind + 1, dict(sub, loop=True))
                self.emit(ind + 1, "if g:")
                self.emit(ind + 2, "break")
            elif kind == 5:
                self.emit(ind, f"if {self.cond(loc)}:")
                self.stmts(ind + 1, sub)
                self.emit(ind, "else:")
                self.stmts(ind + 1, sub)
            elif kind == 6:
                self.emit(ind, f"for {self.target(ctx)} in range(3):")
                self.emit(ind + 1, "with lock:")
                self.stmts(ind + 2, dict(sub, loop=True, depth=depth + 2))
            else:
                self.emit(ind, f"assert {self.cond(loc)}, f\"msg {{{self.name(loc)}}}\"")

    def program(self):
        self.emit(0, '"""Module docstring."""' if self.r.random() < 0.3 else "# program")
        self.emit(0, "import threading")
        self.emit(0, "import time")
        self.emit(0, "g = 0\nh = 1\nn = 3\ns = 'x'")
        self.emit(0, "lock = threading.Lock()\nlock2 = threading.Lock()")
        for f in range(3):
            params = ", ".join(["p", "q"][: self.r.randrange(3)])
            self.emit(0, f"def f{f}({params}):")
            if self.r.random() < 0.3:
                self.emit(1, '"""Docstring."""')
            gl = self.r.sample(GLOBALS[:4], self.r.randrange(3))
            if gl:
                self.emit(1, "global " + ", ".join(gl))
            ctx = {"func": True, "loop": False, "depth": 0, "locals": set(p for p in ["p", "q"] if p in params)}
            self.stmts(1, ctx, self.r.randrange(1, 5))
        self.emit(0, "t = threading.Thread(target=f0, args=(1, 2))")
        ctx = {"func": False, "loop": False, "depth": 0, "locals": set()}
        self.stmts(0, ctx, self.r.randrange(2, 6))
        return "\n".join(self.lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    for i in range(args.n):
        text = Gen(rng).program()
        with open(os.path.join(args.out, f"p{i:04d}.py"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
