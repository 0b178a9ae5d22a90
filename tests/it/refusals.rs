//! What the checker does not model, or cannot represent, is never reported as the program's
//! fault: the subset check refuses it before exploring (every refusal of the file at once), and
//! what only shows at run time stops the run as unsupported (exit 2, with its position) or as a
//! checker limit (exit 3).

use super::cli::{gilcheck, stderr, stdout, write_temp};

const UNMODELLED: &str = "\
import threading
import queue
lst = [1, 2, 3]
d = {'a': 1}
s = 'x'
q = queue.Queue()
cv = threading.Condition()
z = frozenset(lst)
def w(a):
    lst.pop(i=0)
    d.fromkeys('a')
    s.swapcase()
    lst.sort(cmp=abs)
    d.setdefault(k='a')
    c = s.casefold()
    for k in s.expandtabs():
        pass
    ks = s.isnumeric()
    f = s.encode()
    u = s.istitle()
    j = ','.isdecimal()
    p = s.translate(9)
    b = s.isidentifier()
    x = cv.notifyAll()
    y = d.pop(k=1)
    lst.append(1)
    v = d.get('a', 0)
t = threading.Thread(target=w, group=None)
t.start()
t.join()
";

#[test]
fn every_operation_outside_the_subset_is_refused_at_once_with_its_position() {
    let p = write_temp("unmodelled.py", UNMODELLED);
    let file = p.to_str().unwrap();
    let o = gilcheck(&["check", file]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let want = [
        ("8:5", "call of builtin 'frozenset'"),
        ("10:13", "'i' of list.pop()"),
        ("11:5", "dict.fromkeys()"),
        ("12:5", "str.swapcase()"),
        ("13:14", "'cmp' of list.sort()"),
        ("14:18", "'k' of dict.setdefault()"),
        ("15:9", "str.casefold()"),
        ("16:14", "str.expandtabs()"),
        ("18:10", "str.isnumeric()"),
        ("19:9", "str.encode()"),
        ("20:9", "str.istitle()"),
        ("21:9", "str.isdecimal()"),
        ("22:9", "str.translate()"),
        ("23:9", "str.isidentifier()"),
        ("24:9", "Condition.notifyAll()"),
        ("25:15", "'k' of dict.pop()"),
        ("28:32", "keyword argument 'group' to threading.Thread"),
    ];
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), want.len(), "{err}");
    for ((pos, what), line) in want.iter().zip(&lines) {
        assert!(line.contains(&format!("{file}:{pos}: unsupported")) && line.contains(what), "{pos} {what}: {line}");
    }
    // What is supported instead, named with each.
    assert!(lines[1].contains("list methods take positional arguments"), "{}", lines[1]);
    assert!(lines[2].contains("d.get(k[, default])"), "{}", lines[2]);
    assert!(lines[14].contains(".wait()"), "{}", lines[14]);
    // The supported calls on the same objects are not refused.
    assert!(!err.contains(":26:") && !err.contains(":27:"), "{err}");
}

#[test]
fn refusals_come_as_one_json_error_object_listing_each() {
    let p = write_temp("unmodelled_json.py", UNMODELLED);
    let o = gilcheck(&["check", p.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("a JSON error object on stdout");
    assert_eq!(v["error"]["kind"], "unsupported");
    assert_eq!(v["error"]["line"], 8);
    assert_eq!(v["error"]["column"], 5);
    assert_eq!(v["error"]["errors"].as_array().map(Vec::len), Some(17));
    assert_eq!(v["error"]["errors"][1]["line"], 10);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn a_range_bound_beyond_the_checker_is_inconclusive_not_a_violation() {
    let p = write_temp(
        "bigrange.py",
        "import threading\nN = 3\nx = 0\ndef w():\n    global x\n    for i in range(N):\n        x += 1\nt = threading.Thread(target=w)\nt.start()\nt.join()\n",
    );
    let big = format!("N=1{}", "0".repeat(400));
    let o = gilcheck(&["check", p.to_str().unwrap(), "--set", &big]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(3), "{out}{}", stderr(&o));
    assert!(out.contains("INCONCLUSIVE"), "{out}");
    assert!(out.contains("a limit of the checker (line 6, column 14)"), "{out}");
    assert!(out.contains("does not fit the checker's 64-bit ints"), "{out}");
    assert!(!out.contains("VIOLATED") && !out.contains("ValueError"), "{out}");
}

#[test]
fn an_unmodelled_method_met_at_run_time_is_refused_with_its_position() {
    // `index` is a method the checker models (on lists and strs), so the subset check lets it
    // through when the receiver's type is not known; on a tuple it is not modelled.
    let p = write_temp(
        "indextuple.py",
        "import threading\ndef f(items):\n    s = items.index(2)\nt = threading.Thread(target=f, args=((1, 2),))\nt.start()\nt.join()\n",
    );
    let file = p.to_str().unwrap();
    let o = gilcheck(&["check", file]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{}{err}", stdout(&o));
    assert!(err.contains(&format!("{file}:3:9: unsupported: the attribute 'index' of 'tuple' object")), "{err}");
    assert!(!err.contains("AttributeError") && stdout(&o).is_empty(), "{err}");
    // The same with outcomes and trace.
    assert_eq!(gilcheck(&["outcomes", file]).status.code(), Some(2));
    assert_eq!(gilcheck(&["trace", file]).status.code(), Some(2));
}

#[test]
fn printf_formatting_with_a_star_width_met_at_run_time_is_refused() {
    let p = write_temp(
        "rep.py",
        "import threading\ndef f(a, n):\n    b = a % n\ndef g():\n    f('%*d', (3, 4))\nt = threading.Thread(target=g)\nt.start()\nt.join()\n",
    );
    let o = gilcheck(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stderr(&o).contains(":3:9: unsupported: a '*' width or precision in printf-style formatting"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_attribute_cpython_lacks_is_still_the_programs_attribute_error() {
    let p = write_temp("noattr.py", "def f(x):\n    return x.frobnicate\ny = f([1])\n");
    let o = gilcheck(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("AttributeError: 'list' object has no attribute 'frobnicate'"), "{}", stdout(&o));
}

/// `sys` is modelled for `setswitchinterval` only: its other names are refused before the run,
/// an attribute met at run time stops it, and a NaN interval (on which CPython's interpreter
/// aborts once a thread waits for the GIL) stops it too; none is reported as the program's error.
#[test]
fn sys_beyond_setswitchinterval_is_refused() {
    let cases = [
        ("import sys\nsys.exit(1)\n", "2:1: unsupported: sys.exit; supported: sys.setswitchinterval(interval)"),
        ("from sys import getswitchinterval\n", "1:17: unsupported: from sys import getswitchinterval; the names of sys the checker models: setswitchinterval"),
        ("import sys\nprint(sys.argv)\n", "2:7: unsupported: the attribute 'argv' of module 'sys'"),
        ("import sys\nsys.setswitchinterval(float('nan'))\n", "2:1: unsupported: sys.setswitchinterval(nan)"),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let p = write_temp(&format!("sys{i}.py"), text);
        let file = p.to_str().unwrap();
        let o = gilcheck(&["check", file]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{text}{}{err}", stdout(&o));
        assert!(err.contains(&format!("{file}:{want}")), "{text}{err}");
        assert!(stdout(&o).is_empty(), "{text}{}", stdout(&o));
    }
}
