//! Syntax errors, constructs outside the subset (each at its line:col), and `--set` literals.

use super::{parse, parse_literal};
use crate::bytecode::Const;
use crate::error::Error;
use crate::source::SourceFile;

fn parse_text(text: &str) -> Result<(), Error> {
    parse(&SourceFile::new("t.py", text)).map(|_| ())
}

/// Asserts that `text` is rejected as `construct` at `line:col`, with a non-empty hint.
#[track_caller]
fn rejects(text: &str, construct: &str, line: u32, col: u32) {
    match parse_text(text) {
        Err(Error::Unsupported { span, construct: c, hint }) => {
            assert_eq!((c.as_str(), span.line, span.col), (construct, line, col), "{text}");
            assert_eq!(span.file, "t.py");
            assert!(!hint.is_empty());
        }
        other => panic!("{text}: expected Unsupported({construct}), got {other:?}"),
    }
}

#[test]
fn unsupported_statements() {
    rejects("class A(B):\n    pass\n", "this base class", 1, 9);
    rejects("import threading\nclass A(threading.Event):\n    pass\n", "this base class", 2, 9);
    assert!(parse_text("import threading\nclass A(threading.Thread):\n    def run(self):\n        pass\n").is_ok());
    assert!(parse_text("class B:\n    pass\nclass A(B):\n    pass\nclass C(object):\n    pass\n").is_ok());
    rejects("def f():\n    class A:\n        pass\n", "class definition inside a function", 2, 5);
    rejects("class A:\n    while 1:\n        pass\n", "statement in a class body", 2, 5);
    assert!(parse_text("class A:\n    @staticmethod\n    def f():\n        pass\n").is_ok());
    rejects(
        "class A:\n    @staticmethod\n    @classmethod\n    def f(c):\n        pass\n",
        "@property, @staticmethod or @classmethod here",
        2,
        5,
    );
    rejects("@staticmethod\ndef f():\n    pass\n", "@property, @staticmethod or @classmethod here", 1, 1);
    // A decorator of the program's own may stand on any def, stacked, with arguments.
    assert!(parse_text("def d(f):\n    return f\ndef e(n):\n    return d\n@d\n@e(2)\ndef f():\n    pass\n").is_ok());
    rejects("x = 1\nasync def f():\n    pass\n", "async function", 2, 1);
    rejects("import os\n", "import of module 'os'", 1, 8);
    rejects("import threading, logging\n", "import of module 'logging'", 1, 19);
    assert!(parse_text("import threading, sys\nsys.setswitchinterval(1e-6)\n").is_ok());
    rejects("from os import path\n", "from-import 'from os import ...'", 1, 1);
    rejects("from threading import get_ident\n", "from threading import get_ident", 1, 23);
    assert!(parse_text("from threading import Timer\nt = Timer(1.0, print)\nt.start()\nt.cancel()\n").is_ok());
    assert!(parse_text("def f():\n    x = 1\n    def g():\n        nonlocal x\n        x = 2\n    return g\n").is_ok());
    rejects("try:\n    pass\nexcept* ValueError:\n    pass\n", "try/except*", 1, 1);
    rejects("try:\n    pass\nexcept UnicodeError:\n    pass\n", "this exception type in an except clause", 3, 8);
    rejects(
        "x = 1\ntry:\n    pass\nexcept (ValueError, UnicodeError):\n    pass\n",
        "this exception type in an except clause",
        4,
        21,
    );
    // A variable or a class of the program: what it holds when the clause runs decides.
    assert!(parse_text("x = (ValueError,)\ntry:\n    pass\nexcept (OSError, x):\n    pass\n").is_ok());
    // Exception classes of the program, derived from the modelled types.
    assert!(parse_text(
        "import queue\nclass E(Exception):\n    pass\nclass F(E):\n    pass\nclass T(TimeoutError):\n    pass\n\
         class Q(queue.Empty):\n    pass\ntry:\n    raise F('x')\nexcept (E, T, Q) as e:\n    raise\n"
    )
    .is_ok());
    rejects("class E(UnicodeError):\n    pass\n", "this base class", 1, 9);
    assert!(parse_text("x = 0\nwhile x:\n    pass\nelse:\n    pass\n").is_ok());
    assert!(parse_text("for i in range(3):\n    pass\nelse:\n    pass\n").is_ok());
    assert!(parse_text("x = [ValueError()]\nraise x[0]\n").is_ok());
    assert!(parse_text("try:\n    pass\nexcept ValueError as e:\n    raise RuntimeError('x') from e\n").is_ok());
    rejects("x: complex = 1\n", "evaluated annotation 'complex'", 1, 4);
    rejects("def f():\n    import time\n", "import inside a function", 2, 5);
    assert!(parse_text("x = [1]\nd = {1: 2}\ndel x[0], d[1]\ndel x\n").is_ok());
    rejects("x = [1]\ndel x[0:1]\n", "deleting a slice (del a[i:j])", 2, 5);
    // Any expression the subset takes may stand as a statement; one it does not is refused as
    // that expression.
    assert!(parse_text("x = 1\nx\nx + 1\n[str(i) for i in range(x)]\n").is_ok());
    rejects("x = 1\nx @ x\n", "operator '@'", 2, 1);
}

#[test]
fn unsupported_expressions() {
    assert!(parse_text("def f(n):\n    return lambda: n\n").is_ok());
    assert!(parse_text("f = lambda x=1: x\n").is_ok());
    assert!(parse_text("f = lambda a, b: a if a > b else b\n").is_ok());
    rejects("y = (1,)\nx = [*y]\n", "starred item in a list display", 2, 6);
    assert!(parse_text("x = {1, 2}\ny = {i for i in x}\nz = set(i for i in y)\n").is_ok());
    rejects("y = (1,)\nx = {*y, 2}\n", "starred item in a set display", 2, 6);
    rejects("d = {}\nx = {**d}\n", "dict unpacking '**'", 2, 8);
    rejects("x = 1.5j\n", "complex literal", 1, 5);
    rejects("x = [1] @ [2]\n", "operator '@'", 1, 5);
    rejects("x = [8]\nx @= [2]\n", "augmented assignment '@='", 2, 1);
    assert!(parse_text("x = (1, 2)\ny = x[0:1]\n").is_ok());
    rejects("x = [1, 2]\nx[0:1] = [3]\n", "slice assignment", 2, 3);
    rejects("g = (i for i in range(3))\n", "generator expression outside a call that consumes it", 1, 5);
    rejects("x = len(i for i in range(3))\n", "generator expression outside a call that consumes it", 1, 9);
    // Comprehensions that read a local of the function or comprehension around them (through
    // a closure cell).
    assert!(parse_text("def f(n):\n    return [i * n for i in range(3)]\n").is_ok());
    assert!(parse_text("x = [[i * k for i in range(2)] for k in range(3)]\n").is_ok());
    assert!(parse_text("def f(xs):\n    return [x * 2 for x in xs if x]\n").is_ok());
    assert!(parse_text("g = 3\nx = [[i * g for i in range(k)] for k in range(3)]\n").is_ok());
    assert!(parse_text("d = {k: v for k, v in [(1, 2)]}\n").is_ok());
    rejects("x = 1\ny = f\"{x=}\"\n", "f-string debug specifier '='", 2, 7);
    rejects("x = ...\n", "Ellipsis literal '...'", 1, 5);
    assert!(parse_text("x = 1\nif (y := x):\n    pass\n").is_ok());
    rejects("x = [1]\ny = lambda: (z := 1)\n", "assignment expression ':=' in a comprehension or lambda", 2, 14);
}

#[test]
fn unsupported_calls() {
    rejects("x = (1, 2)\nn = id(x)\n", "call of builtin 'id'", 2, 5);
    rejects("x = (1, 2)\nn = enumerate(x)\n", "enumerate() whose iterator is kept", 2, 5);
    rejects("x = (1, 2)\nn = list(len(enumerate(x)))\n", "enumerate() whose iterator is kept", 2, 14);
    rejects("x = (1, 2)\nn = len(x, x)\n", "len() with 2 arguments", 2, 5);
    rejects("frobnicate()\n", "call of undefined function 'frobnicate'", 1, 1);
    rejects("print('a', file=None)\n", "keyword argument 'file' to print", 1, 12);
    assert!(parse_text("print('a', 'b', sep='', end='', flush=True)\n").is_ok());
    assert!(parse_text("args = (1,)\nprint(*args)\ndef f(*args, **kw):\n    return g(*args, **kw)\n").is_ok());
    rejects(
        "import time\nargs = (1,)\ntime.sleep(*args)\n",
        "a call of a library function with *args or **kwargs",
        3,
        1,
    );
    rejects("x = (1, 2)\nn = zip(*x)\n", "zip() whose iterator is kept", 2, 5);
    assert!(parse_text("x = ((1, 2), (3, 4))\nn = list(zip(*x))\n").is_ok());
    assert!(parse_text("x = []\ndef f(a=x):\n    pass\n").is_ok());
    rejects("x = []\ndef f(*, a=x):\n    pass\n", "keyword-only parameter default that is not a constant", 2, 12);
    // Whatever a variable holds binds keywords as CPython does.
    assert!(parse_text("def f(a):\n    pass\ng = f\ng(a=1)\n").is_ok());
    rejects("import threading\nl = threading.get_ident()\n", "threading.get_ident", 2, 5);
    assert!(parse_text("import threading as th\nclass R(th.Timer):\n    pass\nR(1, print).start()\n").is_ok());
    rejects("import threading\nl = threading.RLock(1)\n", "argument to threading.RLock()", 2, 21);
    rejects(
        "import threading\ns = threading.Semaphore(1, 2)\n",
        "threading.Semaphore() with more than one argument",
        2,
        5,
    );
    rejects(
        "import threading\nb = threading.Barrier(2, action=None)\n",
        "keyword argument 'action' to threading.Barrier",
        2,
        26,
    );
    assert!(parse_text("import queue\nq = queue.SimpleQueue()\nq.put(1)\nx = q.get(timeout=1)\n").is_ok());
    assert!(parse_text("import queue\nq = queue.LifoQueue()\np = queue.PriorityQueue(maxsize=2)\n").is_ok());
    assert!(parse_text("x = ValueError('a', 'b')\n").is_ok());
    rejects("x = ValueError(msg='a')\n", "keyword argument 'msg' to ValueError", 1, 16);
    rejects("import time\nt = time.time(1)\n", "time.time() with arguments", 2, 5);
    rejects("import time\nt = time.gmtime()\n", "time.gmtime", 2, 5);
    rejects("import threading\nt = threading.Thread(None)\n", "positional argument to threading.Thread", 2, 22);
    rejects(
        "import threading\ndef f():\n    pass\nt = threading.Thread(target=f, group=None)\n",
        "keyword argument 'group' to threading.Thread",
        4,
        32,
    );
    rejects("for i in range(1, 2, 3, 4):\n    pass\n", "range() with 4 arguments", 1, 10);
}

#[test]
fn supported_programs_parse() {
    let ok = [
        "import threading\nimport time\nlock = threading.Lock()\ndef f(a, b):\n    global g\n    with lock:\n        g = a + b\n    time.sleep(0)\n    return g\ng = 0\nt = threading.Thread(target=f, args=(1, 2))\nt.start()\nt.join()\n",
        "x = 1\nassert x == 1, f\"x={x!r:>4}\"\nprint(x, -x, ~x, not x, x if x else 2, x is None, x in (1, 2))\n",
        "'''doc'''\nx, y = 1, 2\nx += 1\nx //= 2\nx %= 3\nwhile x < 10:\n    x *= 2\n    if x == 4:\n        continue\n    elif x > 100:\n        break\n    else:\n        pass\n",
        "import threading\nlock = threading.Lock()\nok = lock.acquire(False)\nlock.release()\nwith threading.Lock():\n    pass\nN = 10 if False else 1\n",
        "def run(f):\n    f()\nx = 123456789012345678901234567890\n...\n",
        "import threading\nimport queue\nr = threading.RLock()\ns = threading.BoundedSemaphore(value=2)\ne = threading.Event()\nc = threading.Condition(r)\nb = threading.Barrier(2)\nq = queue.Queue(maxsize=1)\n",
        "try:\n    x = 1 // 0\nexcept (ValueError, ZeroDivisionError) as e:\n    print(e)\nexcept Exception:\n    raise\nelse:\n    pass\nfinally:\n    raise RuntimeError('x')\n",
    ];
    for text in ok {
        parse_text(text).unwrap_or_else(|e| panic!("{text}\n{e}"));
    }
}

#[test]
fn break_and_return_outside_their_blocks_are_compile_errors() {
    // A `break` in a loop's `else` clause belongs to an enclosing loop, if any.
    for (text, line, col) in [
        ("break\n", 1, 1),
        ("def f():\n    continue\n", 2, 5),
        ("return 1\n", 1, 1),
        ("for i in range(3):\n    pass\nelse:\n    break\n", 4, 5),
        ("while False:\n    pass\nelse:\n    continue\n", 4, 5),
    ] {
        match parse_text(text) {
            Err(Error::Compile { span, .. }) => assert_eq!((span.line, span.col), (line, col), "{text}"),
            other => panic!("{text}: expected a compile error, got {other:?}"),
        }
    }
}

#[test]
fn syntax_errors_report_every_error_with_its_position() {
    match parse_text("x = = 1\nif x\n    pass\n") {
        Err(Error::Syntax { errors }) => {
            assert!(errors.len() >= 2, "{errors:?}");
            assert_eq!((errors[0].0.line, errors[0].0.col), (1, 5), "{errors:?}");
            assert!(errors.iter().any(|(s, _)| s.line == 2), "{errors:?}");
            let shown = Error::Syntax { errors }.to_string();
            assert!(shown.starts_with("t.py:1:5: syntax error: "), "{shown}");
        }
        other => panic!("expected syntax errors, got {other:?}"),
    }
}

#[test]
fn set_literals() {
    assert_eq!(parse_literal("5").unwrap(), Const::Int(5));
    assert_eq!(parse_literal("-3").unwrap(), Const::Int(-3));
    assert_eq!(parse_literal("1_000_000").unwrap(), Const::Int(1_000_000));
    assert_eq!(parse_literal(" 0xff ").unwrap(), Const::Int(255));
    assert!(matches!(parse_literal("123456789012345678901234567890").unwrap(), Const::BigInt(_)));
    assert_eq!(parse_literal("'x'").unwrap(), Const::Str("x".into()));
    assert_eq!(parse_literal("True").unwrap(), Const::Bool(true));
    assert_eq!(parse_literal("None").unwrap(), Const::None);
    assert_eq!(
        parse_literal("(1, 'a', (False,))").unwrap(),
        Const::Tuple(vec![Const::Int(1), Const::Str("a".into()), Const::Tuple(vec![Const::Bool(false)].into())].into())
    );
    assert_eq!(parse_literal("-0.5").unwrap(), Const::Float(crate::pyfloat::Float(-0.5)));
    for bad in ["abc", "1j", "[1]", "1 + 2", "", "f(1)", "'unterminated"] {
        match parse_literal(bad) {
            Err(Error::Usage(msg)) => assert!(msg.contains("not a literal"), "{msg}"),
            other => panic!("{bad:?}: expected a usage error, got {other:?}"),
        }
    }
}
