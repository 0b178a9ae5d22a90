//! Generated sources: threading programs of the supported subset (every lock usage form, the
//! synchronisation objects, lists, dicts, objects, calls, `try`, both loop kinds, main working
//! between `start()` and `join()`), and programs just outside it (unsupported constructs,
//! huge ints, deep nesting, unicode, long lines).

use super::rng::Rng;

/// Snippets outside the subset, or at its edges; each is one statement (lines joined by `\n`,
/// indented relative to the first line).
pub const OUTSIDE: &[&str] = &[
    "lst.pop()",
    "lst.insert(0, 1)",
    "lst.remove(0)",
    "lst.sort()",
    "lst.extend([1])",
    "x = lst.count(0)",
    "x = len(d.items())",
    "x = len(d.keys())",
    "s = '{}'.format(x)",
    "s = 'a'.upper()",
    "s = ','.join(['a', 'b'])",
    "s = 'a b'.split()",
    "b = 'ab'.startswith('a')",
    "x = q.get_nowait()",
    "x = q.get(timeout=1)",
    "lst = [0] * N",
    "f = lambda: 0",
    "lst = [i for i in range(3)]",
    "import os",
    "import sys",
    "from threading import Lock",
    "import threading as th",
    "class D(object):\n    pass",
    "async def af():\n    pass",
    "def gen():\n    yield 1",
    "x = 10 ** 400",
    "x = 1 << 100000",
    "x = 2 ** 64 * 2 ** 64 * 2 ** 64",
    "x = 123456789012345678901234567890123456789012345678901234567890 * 98765432109876543210",
    "del x",
    "x: int = 3",
    "assert (y := 1)",
    "s = {1, 2}",
    "s = b'abc'",
    "y = 1.5",
    "y = 1j",
    "with open('f') as fh:\n    pass",
    "raise SystemExit(1)",
    "exec('x = 1')",
    "x = -~x",
    "x = x ** 1000",
    "x = x / 2",
    "x = x @ x",
    "x, *rest = (1, 2, 3)",
    "x = lst[1:2]",
    "x = d['missing']",
    "x = lst[100]",
    "x = 1 // 0",
    "x = int('zz')",
    "x = undefined_name",
    "match x:\n    case 1:\n        pass",
    "try:\n    pass\nexcept* ValueError:\n    pass",
    "while True:\n    pass",
    "for i in range(10 ** 18):\n    x += 1",
    "print(x, sep='', end='')",
    "print(*lst)",
    "t9 = threading.Thread(target=5)\nt9.start()",
    "t9 = threading.Thread(target=w0, args=[1])\nt9.start()",
    "t9 = threading.Thread(target=w0, args=(1, 2, 3))\nt9.start()",
    "t9 = threading.Thread(target=w0)\nt9.start()\nt9.start()",
    "t9 = threading.Thread(target=w0)\nt9.join()",
    "lock.release()",
    "threading.Lock().release()",
    "ev.wait(1)",
    "cond.wait()",
    "cond.notify()",
    "sem.release(0)",
    "bar.wait()",
    "q.task_done()",
    "x = isinstance(x, int)",
    "x = type(x)",
    "x = min()",
    "x = max(lst, d)",
    "x = abs('a')",
    "x = str(lst)",
    "x = len(5)",
    "global x",
    "nonlocal x",
    "return 1",
    "break",
    "continue",
    "ñ = 1\nx = ñ",
    "s = 'héllo wörld ✓ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢'",
    "print('日本語', x)",
    "s = '\\ud800'",
    "x = 0x_ff + 0o17 + 0b1010 + 1_000",
    "x = (x if x else -x)",
    "x = not not x",
    "x = x < 1 < 2 < 3",
    "x = (1, 2) + (3,)",
    "x = ()[0]",
    "x = d.get()",
    "x = c.missing",
    "c.n = 'a' + c.n",
    "x = C()",
    "x = C(1, 2)",
    "x = w0()",
    "x = w0(*lst)",
    "x = w0(a=1)",
    "def w0():\n    pass",
    "threading.current_thread()",
    "threading.Timer(1, w0)",
    "threading.Timer(0, w0).start()",
    "time.time()",
    "time.sleep(-1)",
    "time.sleep('a')",
    "x = None + 1",
    "x = 'a' * 10 ** 9",
    "lst.append(lst)",
    "x = lst == lst",
    "d[lst] = 1",
    "d[(1, 2)] = 3",
];

/// A generated program, at most about `size` statements per thread.
pub fn program(rng: &mut Rng) -> String {
    let mut g = Gen::new(rng);
    g.build()
}

struct Gen<'a> {
    rng: &'a mut Rng,
    threads: usize,
    lock_kind: &'static str,
    has_queue: bool,
    has_class: bool,
    weird: u32,
    budget: u32,
}

const LOCKS: &[&str] = &["Lock()", "RLock()", "Semaphore(1)", "BoundedSemaphore(1)", "Lock()", "Lock()"];

impl<'a> Gen<'a> {
    fn new(rng: &'a mut Rng) -> Gen<'a> {
        let threads = 1 + rng.below(3);
        let lock_kind = *rng.pick(LOCKS);
        let has_queue = rng.chance(30);
        let has_class = rng.chance(30);
        let weird = if rng.chance(35) { 1 + rng.below(3) as u32 } else { 0 };
        Gen { rng, threads, lock_kind, has_queue, has_class, weird, budget: 40 }
    }

    fn build(&mut self) -> String {
        let mut out = String::from("import threading\n");
        if self.has_queue {
            out.push_str("import queue\n");
        }
        if self.rng.chance(30) {
            out.push_str("import time\n");
        }
        let n = match self.rng.below(20) {
            0 => "10 ** 18".to_string(),
            1 => "1_000_000".to_string(),
            2 => "0".to_string(),
            _ => self.rng.range(1, 3).to_string(),
        };
        out.push_str(&format!("N = {n}\nx = 0\ny = {}\nlst = [0, 1]\nd = {{\"a\": 0}}\n", self.rng.range(-2, 5)));
        out.push_str(&format!("lock = threading.{}\n", self.lock_kind));
        out.push_str("ev = threading.Event()\n");
        let cond_arg = if self.rng.chance(50) { "" } else { "lock2" };
        out.push_str(&format!("lock2 = threading.Lock()\ncond = threading.Condition({cond_arg})\n"));
        out.push_str(&format!("sem = threading.Semaphore({})\n", self.rng.range(0, 2)));
        out.push_str(&format!("bar = threading.Barrier({})\n", self.threads + self.rng.below(2)));
        if self.has_queue {
            out.push_str(&format!("q = queue.Queue({})\n", self.rng.range(0, 2)));
        }
        if self.has_class {
            out.push_str(
                "\n\nclass C:\n    k = 0\n\n    def __init__(self):\n        self.n = 0\n\n    def inc(self):\n        self.n += 1\n\n    @property\n    def v(self):\n        return self.n\n\n\nc = C()\n",
            );
        }
        if self.rng.chance(40) {
            out.push_str("\n\ndef helper(a):\n    global x\n");
            let body = self.block(1, 2);
            out.push_str(&body);
            out.push_str("    return a + 1\n");
        }
        for t in 0..self.threads {
            let param = if self.rng.chance(25) { "k" } else { "" };
            out.push_str(&format!("\n\ndef w{t}({param}):\n    global x, y, lst, d\n"));
            let body = self.block(1, 3);
            out.push_str(&body);
        }
        out.push('\n');
        for t in 0..self.threads {
            let args = if self.rng.chance(20) { format!(", args=({},)", self.rng.range(0, 3)) } else { String::new() };
            out.push_str(&format!("t{t} = threading.Thread(target=w{t}{args})\n"));
        }
        for t in 0..self.threads {
            out.push_str(&format!("t{t}.start()\n"));
        }
        if self.rng.chance(50) {
            let body = self.block(0, 2);
            out.push_str(&body);
        }
        for t in 0..self.threads {
            out.push_str(&format!("t{t}.join()\n"));
        }
        match self.rng.below(4) {
            0 => out.push_str("assert x >= 0, f\"x={x}\"\n"),
            1 => out.push_str(&format!("assert x == {}, x\n", self.rng.range(0, 4))),
            2 => out.push_str("print(x, y, lst, d)\n"),
            _ => {}
        }
        while self.weird > 0 {
            self.weird -= 1;
            let s = *self.rng.pick(OUTSIDE);
            out.push_str(s);
            out.push('\n');
        }
        if self.rng.chance(4) {
            out = self.extreme(out);
        }
        out
    }

    /// A block of statements at `indent` levels, nesting at most `depth` more.
    fn block(&mut self, indent: usize, depth: u32) -> String {
        let mut out = String::new();
        let n = 1 + self.rng.below(3);
        for _ in 0..n {
            out.push_str(&self.stmt(indent, depth));
        }
        out
    }

    fn stmt(&mut self, indent: usize, depth: u32) -> String {
        let pad = "    ".repeat(indent);
        if self.budget == 0 || depth == 0 {
            return format!("{pad}x += 1\n");
        }
        self.budget -= 1;
        if self.weird > 0 && self.rng.chance(20) {
            self.weird -= 1;
            let s = *self.rng.pick(OUTSIDE);
            return s.lines().map(|l| format!("{pad}{l}\n")).collect();
        }
        let inner = |g: &mut Self| g.block(indent + 1, depth - 1);
        let atom = ["x", "y", "lst[0]", "d[\"a\"]", "N", "len(lst)"];
        match self.rng.below(32) {
            0 => format!("{pad}x += 1\n"),
            1 => format!("{pad}x = x + {}\n", self.rng.range(-3, 5)),
            2 => format!("{pad}tmp = x\n{pad}x = tmp + 1\n"),
            3 => format!("{pad}lst[0] += 1\n"),
            4 => format!("{pad}lst.append(x)\n"),
            5 => format!("{pad}d[\"a\"] += 1\n"),
            6 => format!("{pad}d[\"a\"] = d.get(\"a\", 0) + 1\n"),
            7 if self.has_class => format!("{pad}c.inc()\n"),
            8 if self.has_class => format!("{pad}c.n += c.v\n"),
            9 => format!("{pad}with lock:\n{}", inner(self)),
            10 => format!("{pad}lock.acquire()\n{}{pad}lock.release()\n", inner(self)),
            11 => format!("{pad}if lock.acquire(False):\n{}{pad}    lock.release()\n", inner(self)),
            12 => format!("{pad}for i in range({}):\n{}", self.rng.pick(&["N", "2", "1", "0", "-1"]), inner(self)),
            13 => format!("{pad}for e in (1, 2):\n{}", inner(self)),
            14 => format!("{pad}for e in lst:\n{pad}    y = y + 1\n"),
            15 => format!("{pad}j = 0\n{pad}while j < N:\n{pad}    j += 1\n{}", inner(self)),
            16 => {
                let a = *self.rng.pick(&atom);
                format!(
                    "{pad}if {a} > {}:\n{}{pad}elif {a} == 0:\n{pad}    pass\n{pad}else:\n{}",
                    self.rng.range(-1, 2),
                    inner(self),
                    inner(self)
                )
            }
            17 => {
                let exc = *self.rng.pick(&[
                    "ValueError",
                    "(TypeError, KeyError)",
                    "Exception",
                    "BaseException",
                    "IndexError",
                    "AssertionError",
                ]);
                format!("{pad}try:\n{}{pad}except {exc} as e:\n{pad}    print(\"caught\", e)\n{pad}finally:\n{pad}    y += 1\n", inner(self))
            }
            18 => format!("{pad}print(f\"x={{x}} y={{y}}\")\n"),
            19 => format!("{pad}ev.set()\n"),
            20 => format!("{pad}ev.wait()\n"),
            21 => format!("{pad}with cond:\n{pad}    cond.notify_all()\n"),
            22 => format!("{pad}with cond:\n{pad}    while x < 0:\n{pad}        cond.wait()\n"),
            23 => format!("{pad}sem.release()\n"),
            24 => format!("{pad}sem.acquire()\n"),
            25 => format!("{pad}i = bar.wait()\n"),
            26 if self.has_queue => format!("{pad}q.put(x)\n"),
            27 if self.has_queue => format!("{pad}y = q.get()\n"),
            28 => format!("{pad}assert {} >= {}, \"bad\"\n", self.rng.pick(&atom), self.rng.range(-1, 2)),
            29 => format!("{pad}x = helper(x) if False else x + 1\n"),
            30 => format!("{pad}y = max(x, y) - min(abs(x), int(\"3\"), len(str(y)))\n"),
            31 => format!("{pad}if isinstance(x, int):\n{}", inner(self)),
            _ => format!("{pad}y -= 1\n"),
        }
    }

    /// The program with one extreme added: deep nesting, a long line, a huge literal, many
    /// globals, or unicode.
    fn extreme(&mut self, mut out: String) -> String {
        match self.rng.below(7) {
            0 => {
                let d = 20 + self.rng.below(200);
                for i in 0..d {
                    out.push_str(&format!("{}if x >= {}:\n", " ".repeat(i), -(i as i64)));
                }
                out.push_str(&format!("{}x += 1\n", " ".repeat(d)));
            }
            1 => {
                let d = 50 + self.rng.below(1000);
                out.push_str(&format!("y = {}1{}\n", "(".repeat(d), ")".repeat(d)));
            }
            2 => {
                let n = 100 + self.rng.below(5000);
                out.push_str("x = 0");
                for _ in 0..n {
                    out.push_str(" + 1");
                }
                out.push('\n');
            }
            3 => {
                let digits = 300 + self.rng.below(2000);
                let lit: String = (0..digits).map(|i| char::from(b'1' + (i % 9) as u8)).collect();
                out = out.replacen("N = ", &format!("N = {lit} + 0 * "), 1);
            }
            4 => {
                let n = 100 + self.rng.below(3000);
                for i in 0..n {
                    out.push_str(&format!("g{i} = {i}\n"));
                }
            }
            5 => {
                let d = 20 + self.rng.below(300);
                out.push_str(&format!("z = {}0{}\n", "[".repeat(d), "]".repeat(d)));
            }
            _ => {
                out.push_str("é = 'ünïcödé 🚀'\nprint(é, '\\N{GREEK SMALL LETTER ALPHA}')\n");
            }
        }
        out
    }
}
