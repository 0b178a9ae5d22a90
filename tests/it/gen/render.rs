//! Rendering a program as Python source text.

use super::*;

pub(super) const GLOBALS: [&str; 3] = ["x", "y", "z"];

pub(super) fn lock_name(l: usize) -> String {
    format!("lock{}", l + 1)
}

pub(super) fn render_body(out: &mut String, body: &[Stmt], ind: usize, wname: &str, whiles: usize) {
    if body.is_empty() {
        let _ = writeln!(out, "{:ind$}pass", "");
        return;
    }
    for s in body {
        render_stmt(out, s, ind, wname, whiles);
    }
}

pub(super) fn render_stmt(out: &mut String, s: &Stmt, ind: usize, w: &str, whiles: usize) {
    let p = format!("{:ind$}", "");
    match s {
        Stmt::Add { g, c } => {
            let _ = writeln!(out, "{p}{} += {c}", GLOBALS[*g]);
        }
        Stmt::Sub { g, c } => {
            let _ = writeln!(out, "{p}{} -= {c}", GLOBALS[*g]);
        }
        Stmt::Mul { g, c } => {
            let _ = writeln!(out, "{p}{0} = {0} * {c}", GLOBALS[*g]);
        }
        Stmt::Copy { g, h, c } => {
            let _ = writeln!(out, "{p}{} = {} + {c}", GLOBALS[*g], GLOBALS[*h]);
        }
        Stmt::AddParam { g } => {
            let _ = writeln!(out, "{p}{} += n", GLOBALS[*g]);
        }
        Stmt::Rmw { g } => {
            let _ = writeln!(out, "{p}tmp = {0}\n{p}{0} = tmp + 1", GLOBALS[*g]);
        }
        Stmt::StrAppend => {
            let _ = writeln!(out, "{p}s += \"a\"");
        }
        Stmt::Print { g, fstring } => print_line(out, &p, w, GLOBALS[*g], *fstring),
        Stmt::PrintStr { fstring } => print_line(out, &p, w, "s", *fstring),
        Stmt::Assert { g, c, msg } => {
            let v = GLOBALS[*g];
            if *msg {
                let _ = writeln!(out, "{p}assert {v} <= {c}, f\"{w}: {v} is {{{v}}}\"");
            } else {
                let _ = writeln!(out, "{p}assert {v} <= {c}");
            }
        }
        Stmt::BareRelease { lock } => {
            let _ = writeln!(out, "{p}{}.release()", lock_name(*lock));
        }
        Stmt::Pass => {
            let _ = writeln!(out, "{p}pass");
        }
        Stmt::ListAdd { i, c } => {
            let _ = writeln!(out, "{p}a[{i}] += {c}");
        }
        Stmt::ListSet { i, c } => {
            let _ = writeln!(out, "{p}a[{i}] = a[{i}] + {c}");
        }
        Stmt::Append { c } => {
            let _ = writeln!(out, "{p}a.append({c})");
        }
        Stmt::DictAdd { c } => {
            let _ = writeln!(out, "{p}d[\"k\"] += {c}");
        }
        Stmt::AttrAdd { c } => {
            let _ = writeln!(out, "{p}obj.n += {c}");
        }
        Stmt::Bump { c } => {
            let _ = writeln!(out, "{p}obj.bump({c})");
        }
        Stmt::PropRead { g } => {
            let _ = writeln!(out, "{p}{0} = {0} + obj.value", GLOBALS[*g]);
        }
        Stmt::CallInc { g, c } => {
            let _ = writeln!(out, "{p}{0} = {0} + inc({c})", GLOBALS[*g]);
        }
        Stmt::Abs { g, c } => {
            let _ = writeln!(out, "{p}{0} = abs({0} - {c})", GLOBALS[*g]);
        }
        Stmt::Len { g } => {
            let _ = writeln!(out, "{p}{0} = {0} + len(a)", GLOBALS[*g]);
        }
        Stmt::Max { g, c } => {
            let _ = writeln!(out, "{p}{0} = max({0}, {c})", GLOBALS[*g]);
        }
        Stmt::If { param, g, c, then, els } => {
            let v = if *param { "n" } else { GLOBALS[*g] };
            let _ = writeln!(out, "{p}if {v} > {c}:");
            render_body(out, then, ind + 4, w, whiles);
            if let Some(e) = els {
                let _ = writeln!(out, "{p}else:");
                render_body(out, e, ind + 4, w, whiles);
            }
        }
        Stmt::For { k, body } => {
            let _ = writeln!(out, "{p}for _ in range({k}):");
            render_body(out, body, ind + 4, w, whiles);
        }
        Stmt::While { k, body } => {
            let _ = writeln!(out, "{p}i{whiles} = 0\n{p}while i{whiles} < {k}:\n{p}    i{whiles} += 1");
            for s in body {
                render_stmt(out, s, ind + 4, w, whiles + 1);
            }
        }
        Stmt::With { lock, body } => {
            let _ = writeln!(out, "{p}with {}:", lock_name(*lock));
            render_body(out, body, ind + 4, w, whiles);
        }
        Stmt::AcqRel { lock, body } => {
            let l = lock_name(*lock);
            let _ = writeln!(out, "{p}{l}.acquire()");
            for s in body {
                render_stmt(out, s, ind, w, whiles);
            }
            let _ = writeln!(out, "{p}{l}.release()");
        }
        Stmt::TryFinally { lock, body } => {
            let l = lock_name(*lock);
            let _ = writeln!(out, "{p}{l}.acquire()\n{p}try:");
            render_body(out, body, ind + 4, w, whiles);
            let _ = writeln!(out, "{p}finally:\n{p}    {l}.release()");
        }
    }
}

/// Whether some statement of the program satisfies `f`.
pub(super) fn prog_uses(p: &Prog, f: &dyn Fn(&Stmt) -> bool) -> bool {
    fn any(body: &[Stmt], f: &dyn Fn(&Stmt) -> bool) -> bool {
        body.iter().any(|s| f(s) || children(s).into_iter().any(|c| any(c, f)))
    }
    p.funcs.iter().any(|fun| any(&fun.body, f)) || any(&p.main_body, f)
}

pub(super) fn print_line(out: &mut String, p: &str, w: &str, v: &str, fstring: bool) {
    if fstring {
        let _ = writeln!(out, "{p}print(f\"{w} {{{v}}}\")");
    } else {
        let _ = writeln!(out, "{p}print(\"{w}\", {v})");
    }
}

pub(super) fn render(p: &Prog, serial: Option<&[i128]>) -> String {
    let mut out = String::from("import threading\n\n");
    for (name, v) in GLOBALS.iter().zip(&p.init) {
        let _ = writeln!(out, "{name} = {v}");
    }
    if p.has_str {
        out.push_str("s = \"\"\n");
    }
    if prog_uses(p, &|s| {
        matches!(s, Stmt::ListAdd { .. } | Stmt::ListSet { .. } | Stmt::Append { .. } | Stmt::Len { .. })
    }) {
        out.push_str("a = [0, 0]\n");
    }
    if prog_uses(p, &|s| matches!(s, Stmt::DictAdd { .. })) {
        out.push_str("d = {\"k\": 0}\n");
    }
    let kind = match p.lock_kind {
        LockKind::Lock => "Lock()",
        LockKind::RLock => "RLock()",
        LockKind::Semaphore => "Semaphore(1)",
    };
    for l in 0..p.n_locks {
        let _ = writeln!(out, "{} = threading.{kind}", lock_name(l));
    }
    if prog_uses(p, &|s| matches!(s, Stmt::AttrAdd { .. } | Stmt::Bump { .. } | Stmt::PropRead { .. })) {
        out.push_str(
            "\n\nclass C:\n    def __init__(self):\n        self.n = 0\n\n    @property\n    def value(self):\n        \
             return self.n\n\n    def bump(self, k):\n        self.n += k\n\n\nobj = C()\n",
        );
    }
    if prog_uses(p, &|s| matches!(s, Stmt::CallInc { .. })) {
        out.push_str("\n\ndef inc(k):\n    return k\n");
    }
    for (i, f) in p.funcs.iter().enumerate() {
        let w = format!("w{}", i + 1);
        let _ = writeln!(out, "\n\ndef {w}({}):", if f.param.is_some() { "n" } else { "" });
        let mut assigned = BTreeSet::new();
        let mut str_assigned = false;
        assigned_globals(&f.body, &mut assigned, &mut str_assigned);
        let mut names: Vec<&str> = assigned.iter().map(|&g| GLOBALS[g]).collect();
        if str_assigned {
            names.push("s");
        }
        if !names.is_empty() {
            let _ = writeln!(out, "    global {}", names.join(", "));
        }
        render_body(&mut out, &f.body, 4, &w, 0);
    }
    out.push_str("\n\n");
    for (t, &(f, arg)) in p.threads.iter().enumerate() {
        match arg {
            Some(v) => {
                let _ = writeln!(out, "t{} = threading.Thread(target=w{}, args=({v},))", t + 1, f + 1);
            }
            None => {
                let _ = writeln!(out, "t{} = threading.Thread(target=w{})", t + 1, f + 1);
            }
        }
    }
    for op in main_ops(p.shape, p.threads.len()) {
        match op {
            MainOp::Start(t) => {
                let _ = writeln!(out, "t{}.start()", t + 1);
            }
            MainOp::Join(t) => {
                let _ = writeln!(out, "t{}.join()", t + 1);
            }
            MainOp::Body => {
                for s in &p.main_body {
                    render_stmt(&mut out, s, 0, "main", 0);
                }
            }
        }
    }
    for t in &p.tail {
        match *t {
            Tail::Print { g } => {
                let _ = writeln!(out, "print({})", GLOBALS[g]);
            }
            Tail::PrintF { g, h } => {
                let (a, b) = (GLOBALS[g], GLOBALS[h]);
                let _ = writeln!(out, "print(f\"{a}={{{a}}} {b}={{{b}}}\")");
            }
            Tail::PrintStr => {
                let _ = writeln!(out, "print({})", if p.has_str { "s" } else { GLOBALS[0] });
            }
            Tail::AssertEq { g, c, serial: use_serial } => {
                let v = match serial {
                    Some(vals) if use_serial => vals[g],
                    _ => c as i128,
                };
                let _ = writeln!(out, "assert {} == {v}", GLOBALS[g]);
            }
        }
    }
    out
}
