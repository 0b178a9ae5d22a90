//! Normalisation of a raw program: lock order, names, and the size budget that cuts statements.

use super::*;

/// A program ready to render: indices resolved, locks dense, budget applied.
pub(super) struct Prog {
    pub(super) n_globals: usize,
    pub(super) init: Vec<i64>,
    pub(super) has_str: bool,
    pub(super) n_locks: usize,
    pub(super) funcs: Vec<RawFunc>,
    /// (function index, argument) per thread, in start order.
    pub(super) threads: Vec<(usize, Option<i64>)>,
    pub(super) shape: Shape,
    pub(super) main_body: Vec<Stmt>,
    pub(super) tail: Vec<Tail>,
    pub(super) lock_kind: LockKind,
}

pub(super) fn build(cfg: &GenConfig, raw: RawProgram, budget: f64) -> GenProgram {
    let ng = raw.n_globals.max(1);
    let funcs: Vec<RawFunc> = raw
        .funcs
        .iter()
        .map(|f| RawFunc { param: f.param, body: norm_body(&f.body, ng, f.param.is_some(), &mut Vec::new()) })
        .collect();
    let threads: Vec<(usize, Option<i64>)> = if funcs.len() == 1 && raw.shared_thread && cfg.max_workers >= 2 {
        let p = funcs[0].param;
        vec![(0, p), (0, p.map(|v| v + 1))]
    } else {
        funcs.iter().enumerate().map(|(i, f)| (i, f.param)).collect()
    };
    let tail: Vec<Tail> = raw
        .tail
        .iter()
        .map(|t| match *t {
            Tail::Print { g } => Tail::Print { g: g % ng },
            Tail::PrintF { g, h } => Tail::PrintF { g: g % ng, h: h % ng },
            Tail::PrintStr => Tail::PrintStr,
            Tail::AssertEq { g, c, serial } => Tail::AssertEq { g: g % ng, c, serial },
        })
        .collect();
    let mut prog = Prog {
        n_globals: ng,
        init: raw.init[..ng].to_vec(),
        has_str: false,
        n_locks: cfg.max_locks,
        funcs,
        threads,
        shape: raw.shape,
        main_body: norm_body(&raw.main_body, ng, false, &mut Vec::new()),
        tail,
        lock_kind: raw.lock_kind,
    };

    // Size budget. Cut, until the estimate fits: main's final prints/asserts while a thread is left
    // unjoined; then the longest worker body while some worker has more than one simple statement
    // (unless `keep_workers`); then main's statements; then worker bodies down to nothing.
    let mut est = estimate(&prog);
    let unjoined = matches!(prog.shape, Shape::OnlyFirst | Shape::SeqLastUnjoined);
    while est > budget {
        let longest = (0..prog.funcs.len())
            .filter(|&i| !prog.funcs[i].body.is_empty())
            .max_by_key(|&i| linear_body(&prog.funcs[i].body).len());
        let big = longest.filter(|&i| linear_body(&prog.funcs[i].body).len() > 8);
        if unjoined && !prog.tail.is_empty() {
            prog.tail.pop();
        } else if let Some(i) = big.filter(|_| !raw.keep_workers || prog.main_body.is_empty()) {
            cut(&mut prog.funcs[i].body);
        } else if !prog.main_body.is_empty() {
            cut(&mut prog.main_body);
        } else if let Some(i) = longest {
            cut(&mut prog.funcs[i].body);
        } else {
            break;
        }
        est = estimate(&prog);
    }

    // Dense lock numbering in order of first use; the str global exists only if used.
    let mut lock_map: Vec<usize> = Vec::new();
    for f in &prog.funcs {
        collect_locks(&f.body, &mut lock_map);
    }
    collect_locks(&prog.main_body, &mut lock_map);
    for f in &mut prog.funcs {
        remap_locks(&mut f.body, &lock_map);
    }
    remap_locks(&mut prog.main_body, &lock_map);
    prog.n_locks = lock_map.len();
    prog.has_str = prog.funcs.iter().any(|f| uses_str(&f.body))
        || uses_str(&prog.main_body)
        || prog.tail.contains(&Tail::PrintStr);

    let serial = serial_run(&prog);
    GenProgram {
        source: render(&prog, serial.as_deref()),
        may_deadlock: may_deadlock(&prog),
        est_interleavings: est,
        threads: prog.threads.len(),
        serial_outcome: serial.map(|g| g.iter().enumerate().map(|(i, &v)| (GLOBALS[i], v as i64)).collect()),
    }
}

/// A block that needs a statement (inlining can empty it) gets a `pass`, so that what is rendered
/// and what is estimated agree.
pub(super) fn non_empty(body: Vec<Stmt>) -> Vec<Stmt> {
    if body.is_empty() {
        vec![Stmt::Pass]
    } else {
        body
    }
}

pub(super) fn norm_body(body: &[Stmt], ng: usize, has_param: bool, held: &mut Vec<usize>) -> Vec<Stmt> {
    let mut out = Vec::new();
    for s in body {
        norm_stmt(s, ng, has_param, held, &mut out);
    }
    out
}

pub(super) fn norm_stmt(s: &Stmt, ng: usize, has_param: bool, held: &mut Vec<usize>, out: &mut Vec<Stmt>) {
    use Stmt::*;
    let s = match s {
        Add { g, c } => Add { g: g % ng, c: *c },
        Sub { g, c } => Sub { g: g % ng, c: *c },
        Mul { g, c } => Mul { g: g % ng, c: *c },
        Copy { g, h, c } => Copy { g: g % ng, h: h % ng, c: *c },
        AddParam { g } if has_param => AddParam { g: g % ng },
        AddParam { g } => Add { g: g % ng, c: 1 },
        Rmw { g } => Rmw { g: g % ng },
        Print { g, fstring } => Print { g: g % ng, fstring: *fstring },
        Assert { g, c, msg } => Assert { g: g % ng, c: *c, msg: *msg },
        ListAdd { i, c } => ListAdd { i: i % 2, c: *c },
        ListSet { i, c } => ListSet { i: i % 2, c: *c },
        PropRead { g } => PropRead { g: g % ng },
        CallInc { g, c } => CallInc { g: g % ng, c: *c },
        Abs { g, c } => Abs { g: g % ng, c: *c },
        Len { g } => Len { g: g % ng },
        Max { g, c } => Max { g: g % ng, c: *c },
        If { param, g, c, then, els } => If {
            param: *param && has_param,
            g: g % ng,
            c: *c,
            then: non_empty(norm_body(then, ng, has_param, held)),
            els: els.as_ref().map(|e| non_empty(norm_body(e, ng, has_param, held))),
        },
        For { k, body } => For { k: *k, body: non_empty(norm_body(body, ng, has_param, held)) },
        While { k, body } => While { k: *k, body: non_empty(norm_body(body, ng, has_param, held)) },
        With { lock, body } | AcqRel { lock, body } | TryFinally { lock, body } if held.contains(lock) => {
            // Locks are not reentrant: re-taking a held lock would self-deadlock. Inline the body.
            out.extend(norm_body(body, ng, has_param, held));
            return;
        }
        With { lock, body } => {
            held.push(*lock);
            let body = non_empty(norm_body(body, ng, has_param, held));
            held.pop();
            With { lock: *lock, body }
        }
        AcqRel { lock, body } => {
            held.push(*lock);
            let body = norm_body(body, ng, has_param, held);
            held.pop();
            AcqRel { lock: *lock, body }
        }
        TryFinally { lock, body } => {
            held.push(*lock);
            let body = non_empty(norm_body(body, ng, has_param, held));
            held.pop();
            TryFinally { lock: *lock, body }
        }
        other => other.clone(),
    };
    out.push(s);
}

/// Make a body smaller: drop its last statement, or unwrap it when it is a compound statement.
pub(super) fn cut(body: &mut Vec<Stmt>) {
    let Some(last) = body.pop() else { return };
    let inner = match last {
        Stmt::If { mut then, .. } => {
            then.truncate(1);
            then
        }
        Stmt::For { mut body, .. }
        | Stmt::While { mut body, .. }
        | Stmt::With { mut body, .. }
        | Stmt::AcqRel { mut body, .. }
        | Stmt::TryFinally { mut body, .. } => {
            body.truncate(1);
            body
        }
        _ => Vec::new(),
    };
    // Unwrapping is only useful when the compound was the whole body; otherwise just drop it.
    if body.is_empty() {
        body.extend(inner);
    }
}

pub(super) fn children(s: &Stmt) -> Vec<&Vec<Stmt>> {
    match s {
        Stmt::If { then, els, .. } => {
            let mut v = vec![then];
            if let Some(e) = els {
                v.push(e);
            }
            v
        }
        Stmt::For { body, .. }
        | Stmt::While { body, .. }
        | Stmt::With { body, .. }
        | Stmt::AcqRel { body, .. }
        | Stmt::TryFinally { body, .. } => vec![body],
        _ => Vec::new(),
    }
}

pub(super) fn collect_locks(body: &[Stmt], map: &mut Vec<usize>) {
    for s in body {
        if let Stmt::With { lock, .. }
        | Stmt::AcqRel { lock, .. }
        | Stmt::TryFinally { lock, .. }
        | Stmt::BareRelease { lock } = s
        {
            if !map.contains(lock) {
                map.push(*lock);
            }
        }
        for c in children(s) {
            collect_locks(c, map);
        }
    }
}

pub(super) fn remap_locks(body: &mut [Stmt], map: &[usize]) {
    for s in body {
        match s {
            Stmt::With { lock, body } | Stmt::AcqRel { lock, body } | Stmt::TryFinally { lock, body } => {
                *lock = map.iter().position(|l| l == lock).unwrap();
                remap_locks(body, map);
            }
            Stmt::BareRelease { lock } => *lock = map.iter().position(|l| l == lock).unwrap(),
            Stmt::If { then, els, .. } => {
                remap_locks(then, map);
                if let Some(e) = els {
                    remap_locks(e, map);
                }
            }
            Stmt::For { body, .. } | Stmt::While { body, .. } => remap_locks(body, map),
            _ => {}
        }
    }
}

pub(super) fn uses_str(body: &[Stmt]) -> bool {
    body.iter()
        .any(|s| matches!(s, Stmt::StrAppend | Stmt::PrintStr { .. }) || children(s).into_iter().any(|c| uses_str(c)))
}

pub(super) fn assigned_globals(body: &[Stmt], out: &mut BTreeSet<usize>, str_assigned: &mut bool) {
    for s in body {
        match s {
            Stmt::Add { g, .. }
            | Stmt::Sub { g, .. }
            | Stmt::Mul { g, .. }
            | Stmt::Copy { g, .. }
            | Stmt::AddParam { g }
            | Stmt::Rmw { g }
            | Stmt::PropRead { g }
            | Stmt::CallInc { g, .. }
            | Stmt::Abs { g, .. }
            | Stmt::Len { g }
            | Stmt::Max { g, .. } => {
                out.insert(*g);
            }
            Stmt::StrAppend => *str_assigned = true,
            _ => {}
        }
        for c in children(s) {
            assigned_globals(c, out, str_assigned);
        }
    }
}
