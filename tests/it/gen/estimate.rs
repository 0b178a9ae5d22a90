//! The estimate of a program's interleavings under `--switch bytecode`, from the CPython 3.11 instructions of each statement.

use super::*;

/// One CPython 3.11 instruction, as far as the estimate cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    Plain,
    /// Takes a lock (BEFORE_WITH, or the CALL of `acquire()`): waits while another thread holds it.
    Acq(usize),
    /// Releases a lock (the CALL of `__exit__` or `release()`).
    Rel(usize),
    /// The CALL of `tK.start()`: the thread is runnable after it.
    Spawn(usize),
    /// The CALL of `tK.join()`: waits for the thread to finish.
    Join(usize),
}

pub(super) fn plain(out: &mut Vec<Op>, n: usize) {
    out.extend(std::iter::repeat_n(Op::Plain, n));
}

/// The instructions a body executes, loops unrolled, an `if` along its longer arm, asserts failing
/// (the longer path) but not stopping the thread, bare releases without effect.
pub(super) fn linear_body(body: &[Stmt]) -> Vec<Op> {
    linear_body_in(body, false)
}

/// `module`: main's module-level code, where `print` is PUSH_NULL + LOAD_NAME (one more
/// instruction than a function's LOAD_GLOBAL (NULL + print)).
pub(super) fn linear_body_in(body: &[Stmt], module: bool) -> Vec<Op> {
    let mut out = Vec::new();
    for s in body {
        linear_stmt(s, module, &mut out);
    }
    out
}

pub(super) fn linear_stmt(s: &Stmt, module: bool, out: &mut Vec<Op>) {
    let linear_body = |b: &[Stmt]| linear_body_in(b, module);
    match s {
        Stmt::Add { .. }
        | Stmt::Sub { .. }
        | Stmt::Mul { .. }
        | Stmt::Copy { .. }
        | Stmt::AddParam { .. }
        | Stmt::StrAppend => plain(out, 4),
        // Its failing path: LOAD_ASSERTION_ERROR, (the message: LOAD_CONST, LOAD_x, FORMAT_VALUE,
        // BUILD_STRING, PRECALL, CALL,) RAISE_VARARGS. The thread stops there, but other threads
        // go on, so counting the longer path keeps the estimate on the safe side.
        Stmt::Assert { msg: false, .. } => plain(out, 6),
        Stmt::Assert { msg: true, .. } => plain(out, 12),
        Stmt::Rmw { .. } => plain(out, 6),
        Stmt::Print { fstring: true, .. } | Stmt::PrintStr { fstring: true } => plain(out, 8 + module as usize),
        Stmt::Print { .. } | Stmt::PrintStr { .. } => plain(out, 7 + module as usize),
        Stmt::BareRelease { .. } => plain(out, 5),
        Stmt::Pass => plain(out, 1),
        // LOAD_GLOBAL a, LOAD_CONST i, COPY, COPY, BINARY_SUBSCR, LOAD_CONST c, BINARY_OP, SWAP,
        // SWAP, STORE_SUBSCR (the same for `d["k"] += c`).
        Stmt::ListAdd { .. } | Stmt::DictAdd { .. } => plain(out, 10),
        Stmt::ListSet { .. } => plain(out, 8),
        Stmt::Append { .. } => plain(out, 6),
        Stmt::AttrAdd { .. } => plain(out, 7),
        // The method's frame: RESUME, LOAD_FAST, COPY, LOAD_ATTR, LOAD_FAST, BINARY_OP, SWAP,
        // STORE_ATTR, LOAD_CONST, RETURN_VALUE; around it LOAD_GLOBAL, LOAD_METHOD, LOAD_CONST,
        // PRECALL, CALL ... POP_TOP.
        Stmt::Bump { .. } => plain(out, 16),
        // The getter's frame: RESUME, LOAD_FAST, LOAD_ATTR, RETURN_VALUE.
        Stmt::PropRead { .. } => plain(out, 9),
        // A call of a name: one more instruction at module level (PUSH_NULL + LOAD_NAME).
        Stmt::CallInc { .. } => plain(out, 10 + module as usize),
        Stmt::Abs { .. } | Stmt::Len { .. } => plain(out, 7 + module as usize),
        Stmt::Max { .. } => plain(out, 6 + module as usize),
        Stmt::If { then, els, .. } => {
            plain(out, 4);
            let (a, b) = (linear_body(then), els.as_deref().map(linear_body).unwrap_or_default());
            out.extend(if a.len() >= b.len() { a } else { b });
            plain(out, 1);
        }
        Stmt::For { k, body } => {
            plain(out, 5);
            let b = linear_body(body);
            for _ in 0..*k {
                plain(out, 2);
                out.extend(&b);
                plain(out, 1);
            }
            plain(out, 1);
        }
        Stmt::While { k, body } => {
            plain(out, 6);
            let b = linear_body(body);
            for _ in 0..*k {
                plain(out, 4);
                out.extend(&b);
                plain(out, 4);
            }
        }
        Stmt::With { lock, body } => {
            out.extend([Op::Plain, Op::Acq(*lock), Op::Plain]);
            out.extend(linear_body(body));
            plain(out, 4);
            out.extend([Op::Rel(*lock), Op::Plain, Op::Plain]);
        }
        Stmt::AcqRel { lock, body } => {
            out.extend([Op::Plain, Op::Plain, Op::Plain, Op::Acq(*lock), Op::Plain]);
            out.extend(linear_body(body));
            out.extend([Op::Plain, Op::Plain, Op::Plain, Op::Rel(*lock), Op::Plain]);
        }
        // As `AcqRel`, with a NOP for the `try:` and a jump over the exception handler after the
        // `finally:` block (absent when it ends a function: one step over).
        Stmt::TryFinally { lock, body } => {
            out.extend([Op::Plain, Op::Plain, Op::Plain, Op::Acq(*lock), Op::Plain, Op::Plain]);
            out.extend(linear_body(body));
            out.extend([Op::Plain, Op::Plain, Op::Plain, Op::Rel(*lock), Op::Plain, Op::Plain]);
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum MainOp {
    Start(usize),
    Join(usize),
    /// `main_body` goes right after the last `start()`.
    Body,
}

pub(super) fn main_ops(shape: Shape, n: usize) -> Vec<MainOp> {
    let mut ops = Vec::new();
    match shape {
        Shape::All | Shape::Reverse | Shape::OnlyFirst => {
            ops.extend((0..n).map(MainOp::Start));
            ops.push(MainOp::Body);
            match shape {
                Shape::All => ops.extend((0..n).map(MainOp::Join)),
                Shape::Reverse => ops.extend((0..n).rev().map(MainOp::Join)),
                _ => ops.push(MainOp::Join(0)),
            }
        }
        Shape::Sequential | Shape::SeqLastUnjoined => {
            for t in 0..n {
                ops.push(MainOp::Start(t));
                if t + 1 == n {
                    ops.push(MainOp::Body);
                }
                if shape == Shape::Sequential || t + 1 < n {
                    ops.push(MainOp::Join(t));
                }
            }
        }
    }
    ops
}

/// Main's instructions from its first `start()` on (everything before runs alone).
pub(super) fn linear_main(p: &Prog) -> Vec<Op> {
    let mut main = Vec::new();
    for op in main_ops(p.shape, p.threads.len()) {
        match op {
            MainOp::Start(t) => main.extend([Op::Plain, Op::Plain, Op::Plain, Op::Spawn(t), Op::Plain]),
            MainOp::Join(t) => main.extend([Op::Plain, Op::Plain, Op::Plain, Op::Join(t), Op::Plain]),
            MainOp::Body => main.extend(linear_body_in(&p.main_body, true)),
        }
    }
    for t in &p.tail {
        let n = match t {
            Tail::Print { .. } | Tail::PrintStr => 6,
            Tail::PrintF { .. } => 12,
            Tail::AssertEq { .. } => 6,
        };
        plain(&mut main, n);
    }
    plain(&mut main, 2);
    main
}

/// Estimated interleavings under `--switch bytecode`: paths through the product of the threads'
/// instruction positions (main from its first `start()`, each worker from its spawn), where a lock
/// is taken only when no other thread holds it and a join waits for its thread; a state with no
/// enabled step (all done, or deadlocked) ends one interleaving. Exact for straight-line programs
/// without exceptions (up to how the checker counts a blocked step).
pub(super) fn estimate(p: &Prog) -> f64 {
    let mut seqs: Vec<Vec<Op>> = vec![linear_main(p)];
    for &(f, _) in &p.threads {
        let mut w = vec![Op::Plain];
        w.extend(linear_body(&p.funcs[f].body));
        plain(&mut w, 2);
        seqs.push(w);
    }
    while seqs.len() < 3 {
        seqs.push(Vec::new());
    }
    // held[k][pos]: bitmask of the locks actor k holds before its step `pos`.
    let held: Vec<Vec<u32>> = seqs
        .iter()
        .map(|seq| {
            let mut h = vec![0u32];
            let mut cur = 0u32;
            for op in seq {
                match op {
                    Op::Acq(l) => cur |= 1 << l,
                    Op::Rel(l) => cur &= !(1 << l),
                    _ => {}
                }
                h.push(cur);
            }
            h
        })
        .collect();
    let spawn: Vec<Option<usize>> = (0..2).map(|t| seqs[0].iter().position(|o| *o == Op::Spawn(t))).collect();
    let (lm, la, lb) = (seqs[0].len(), seqs[1].len(), seqs[2].len());
    let cells = (lm + 1) * (la + 1) * (lb + 1);
    if cells > 8_000_000 {
        return f64::INFINITY;
    }
    let idx = |m: usize, a: usize, b: usize| (m * (la + 1) + a) * (lb + 1) + b;
    let mut dp = vec![0f64; cells];
    for m in (0..=lm).rev() {
        let run = [spawn[0].is_some_and(|i| m > i), spawn[1].is_some_and(|i| m > i)];
        for a in (0..=la).rev() {
            for b in (0..=lb).rev() {
                let pos = [m, a, b];
                let ends = [lm, la, lb];
                let enabled = |k: usize| -> bool {
                    if pos[k] >= ends[k] || (k > 0 && !run[k - 1]) {
                        return false;
                    }
                    match seqs[k][pos[k]] {
                        Op::Acq(l) => (0..3).all(|o| o == k || held[o][pos[o]] & (1 << l) == 0),
                        Op::Join(t) => pos[t + 1] == ends[t + 1],
                        _ => true,
                    }
                };
                let mut sum = 0.0;
                let mut any = false;
                if enabled(0) {
                    sum += dp[idx(m + 1, a, b)];
                    any = true;
                }
                if enabled(1) {
                    sum += dp[idx(m, a + 1, b)];
                    any = true;
                }
                if enabled(2) {
                    sum += dp[idx(m, a, b + 1)];
                    any = true;
                }
                dp[idx(m, a, b)] = if any { sum } else { 1.0 };
            }
        }
    }
    dp[idx(0, 0, 0)]
}
