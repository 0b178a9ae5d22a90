//! `time.time()`, `time.monotonic()` and `time.perf_counter()`: readings of clocks that the
//! checker does not run. How long a step takes is not modelled, so a reading is a value that
//! only grows: each is a variable `x_k` (the k-th reading, `k` from 1), with `x_i <= x_j` for two
//! readings of the same clock taken in that order. A program may keep readings in variables,
//! pass them to its own functions, add or subtract numbers and take differences of two (a
//! [`Reading`] is `x_pos - x_neg + off`, node 0 standing for zero), and compare them: a
//! comparison whose answer the readings so far do not decide is a choice of both answers, made
//! like a random draw (its values explored one after another, [`super::randoms::pick`]), and
//! remembered, so that later comparisons agree with it (the remembered facts are difference
//! constraints, checked for a negative cycle). Anything else that would look at a reading's value
//! (printing it, formatting it, `==`, truthiness, storing it in a container, handing it to a
//! builtin) stops the run as not modelled: [`guard`] checks every instruction's operands.
//!
//! Comparisons treat `<` and `<=` alike: the difference is a boundary that CPython's own float
//! rounding of readings near 1.7e9 blurs by about 1e-7 s, so both answers are kept possible
//! there ([`EPS`]), which over-approximates.

use super::state::{Frame, State};
use super::step::unsupported;
use super::value::{Exception, Tid, Value};
use crate::bytecode::{BinOp, CmpOp, Instr, Program};
use crate::pyfloat::Float;
use std::sync::Arc;

/// Differences within this many seconds of a boundary may fall on either side of it.
pub const EPS: f64 = 1e-6;

/// Which clock a reading is of: readings of one clock are ordered, of different clocks not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum ClockKind {
    /// `time.time()` (taken as never going back, as the program's author expects).
    Time,
    /// `time.monotonic()`.
    Monotonic,
    /// `time.perf_counter()`.
    PerfCounter,
}

impl ClockKind {
    /// The function's name in `time`.
    pub fn lookup(name: &str) -> Option<ClockKind> {
        Some(match name {
            "time" => ClockKind::Time,
            "monotonic" => ClockKind::Monotonic,
            "perf_counter" => ClockKind::PerfCounter,
            _ => return None,
        })
    }

    /// `time.<name>`.
    pub fn qualname(self) -> &'static str {
        match self {
            ClockKind::Time => "time.time",
            ClockKind::Monotonic => "time.monotonic",
            ClockKind::PerfCounter => "time.perf_counter",
        }
    }
}

/// A value computed from readings: `x_pos - x_neg + off` (node 0 is zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Reading {
    /// The reading added (0: none).
    pub pos: u32,
    /// The reading subtracted (0: none).
    pub neg: u32,
    /// The number added.
    pub off: Float,
}

/// What a state knows about its readings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Clocks {
    /// The clock of each reading taken so far (reading `k` is `kinds[k - 1]`).
    pub kinds: Vec<ClockKind>,
    /// The comparisons decided so far.
    pub facts: Vec<Fact>,
}

/// A decided comparison: whether "`x_p - x_q < k`" (or `<=`) holds, `p < q`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Fact {
    /// The reading on the left (0: zero).
    pub p: u32,
    /// The reading subtracted.
    pub q: u32,
    /// The bound.
    pub k: Float,
    /// `<` rather than `<=`.
    pub strict: bool,
    /// The answer.
    pub holds: bool,
}

/// The most readings one run may take (each is kept, with what was decided about it).
pub const MAX_READINGS: usize = 100;

/// Takes a reading of clock `kind`.
pub(super) fn read(state: &mut State, kind: ClockKind) -> Result<Value, Exception> {
    if state.clocks.kinds.len() >= MAX_READINGS {
        return Err(super::step::checker_limit(format!(
            "more than {MAX_READINGS} time readings in one run (a loop that waits for a deadline runs as many \
             times as the readings allow; bound it by a count too)"
        )));
    }
    let clocks = Arc::make_mut(&mut state.clocks);
    clocks.kinds.push(kind);
    Ok(Value::Reading(Reading { pos: clocks.kinds.len() as u32, neg: 0, off: Float(0.0) }))
}

/// The linear form of a number or reading: `(nodes with their signs, the number)`.
fn form(v: &Value) -> Option<(Vec<(u32, i32)>, f64)> {
    match v {
        Value::Reading(r) => {
            let mut terms = Vec::new();
            if r.pos != 0 {
                terms.push((r.pos, 1));
            }
            if r.neg != 0 {
                terms.push((r.neg, -1));
            }
            Some((terms, r.off.0))
        }
        Value::Int(i) => Some((Vec::new(), *i as f64)),
        Value::Bool(b) => Some((Vec::new(), f64::from(u8::from(*b)))),
        Value::Float(f) => Some((Vec::new(), f.0)),
        _ => None,
    }
}

/// `a - b` (or `a + b`) as a reading, a plain float when the readings cancel, or `None` when it
/// is not a difference of two readings.
fn combine(a: &Value, b: &Value, sub: bool) -> Option<Result<Value, Exception>> {
    let what = || {
        unsupported(format!(
            "{} {} {} of time readings (only a number added to a reading, and the difference of two, are modelled)",
            a.type_name(),
            if sub { "-" } else { "+" },
            b.type_name()
        ))
    };
    let ((ta, ca), (tb, cb)) = match (form(a), form(b)) {
        (Some(x), Some(y)) => (x, y),
        _ => return Some(Err(what())),
    };
    let sign = if sub { -1 } else { 1 };
    let mut terms: Vec<(u32, i32)> = ta;
    for (n, s) in tb {
        match terms.iter_mut().find(|(m, _)| *m == n) {
            Some(t) => t.1 += sign * s,
            None => terms.push((n, sign * s)),
        }
    }
    terms.retain(|(_, s)| *s != 0);
    let off = if sub { ca - cb } else { ca + cb };
    let pos: Vec<u32> = terms.iter().filter(|(_, s)| *s == 1).map(|(n, _)| *n).collect();
    let neg: Vec<u32> = terms.iter().filter(|(_, s)| *s == -1).map(|(n, _)| *n).collect();
    if terms.len() != pos.len() + neg.len() || pos.len() > 1 || neg.len() > 1 {
        return Some(Err(what()));
    }
    if pos.is_empty() && neg.is_empty() {
        return Some(Ok(Value::Float(Float(off))));
    }
    Some(Ok(Value::Reading(Reading {
        pos: pos.first().copied().unwrap_or(0),
        neg: neg.first().copied().unwrap_or(0),
        off: Float(off),
    })))
}

/// `a op b` where one side is a reading (`None` otherwise): `+` and `-` with a number or another
/// reading.
pub(super) fn binary(op: BinOp, a: &Value, b: &Value) -> Option<Result<Value, Exception>> {
    if !matches!(a, Value::Reading(_)) && !matches!(b, Value::Reading(_)) {
        return None;
    }
    match op {
        BinOp::Add => combine(a, b, false),
        BinOp::Sub => combine(a, b, true),
        _ => Some(Err(unsupported(format!(
            "'{}' on a time reading (only + and - of numbers and readings are modelled)",
            op.symbol()
        )))),
    }
}

/// `a op b` where one side is a reading (`None` otherwise): decided by the readings' facts, or
/// else a choice of both answers (`choose(2)` picks which), remembered. Readings are shared
/// state: the comparison writes what is known of them.
pub(super) fn compare(
    clocks: &mut Arc<Clocks>,
    op: CmpOp,
    a: &Value,
    b: &Value,
    choose: impl FnOnce(u32) -> Result<u32, Exception>,
    fp: &mut super::footprint::Footprint,
) -> Option<Result<Value, Exception>> {
    if !matches!(a, Value::Reading(_)) && !matches!(b, Value::Reading(_)) {
        return None;
    }
    fp.add(super::footprint::Access::Write(super::footprint::Object::Alloc));
    Some(decide(clocks, op, a, b, choose))
}

/// [`compare`] of a reading.
fn decide(
    clocks: &mut Arc<Clocks>,
    op: CmpOp,
    a: &Value,
    b: &Value,
    choose: impl FnOnce(u32) -> Result<u32, Exception>,
) -> Result<Value, Exception> {
    let d = match combine(a, b, true) {
        Some(Ok(d)) => d,
        Some(Err(_)) | None => {
            return Err(unsupported(format!(
                "comparing a time reading with a '{}'",
                if matches!(a, Value::Reading(_)) { b.type_name() } else { a.type_name() }
            )))
        }
    };
    // `d op 0` is "d < 0" or "d <= 0", or the negation of one of them.
    let (strict, negated) = match op {
        CmpOp::Lt => (true, false),
        CmpOp::Le => (false, false),
        CmpOp::Gt => (false, true),
        CmpOp::Ge => (true, true),
        CmpOp::Eq | CmpOp::Ne => {
            return Err(unsupported(
                "comparing a time reading with == or != (whether two readings are equal is not modelled)",
            ))
        }
    };
    let r = match d {
        Value::Reading(r) => r,
        // The readings cancelled: a plain comparison of numbers.
        Value::Float(x) => {
            let holds = if strict { x.0 < 0.0 } else { x.0 <= 0.0 };
            return Ok(Value::Bool(holds != negated));
        }
        _ => unreachable!("[internal bug] a difference of readings is a reading or a float"),
    };
    // "x_pos - x_neg < -off" (or <=), as a predicate on x_p - x_q with p < q: flipping the sides
    // negates it and swaps strictness.
    let (p, q, k, strict, negated) = if r.pos < r.neg {
        (r.pos, r.neg, -r.off.0, strict, negated)
    } else {
        (r.neg, r.pos, r.off.0, !strict, !negated)
    };
    let known = clocks.facts.iter().find(|f| f.p == p && f.q == q && f.strict == strict && close(f.k.0, k));
    let holds = match known {
        Some(f) => f.holds,
        None => {
            let fact = |holds| Fact { p, q, k: Float(k), strict, holds };
            let yes = feasible(clocks, fact(true));
            let no = feasible(clocks, fact(false));
            let holds = match (yes, no) {
                // First (index 0): the later reading far from the earlier one, so that a loop
                // waiting for a deadline ends when nothing else is chosen.
                (true, true) => choose(2)? == 0,
                (true, false) => true,
                (false, true) => false,
                (false, false) => unreachable!("[internal bug] the readings' facts contradict each other"),
            };
            Arc::make_mut(clocks).facts.push(fact(holds));
            holds
        }
    };
    Ok(Value::Bool(holds != negated))
}

/// Whether two bounds are the same comparison (exactly, for a bound of zero: no arithmetic that
/// rounds made it).
fn close(a: f64, b: f64) -> bool {
    if a == 0.0 || b == 0.0 {
        a == b
    } else {
        (a - b).abs() <= EPS
    }
}

/// Whether the facts and `extra` can all hold: no cycle of the difference constraints is
/// negative, or zero through a strict one (Bellman–Ford over (sum, -strict edges)). A nonzero
/// bound is loosened by [`EPS`] each way: CPython computed it in floats.
fn feasible(clocks: &Clocks, extra: Fact) -> bool {
    let n = clocks.kinds.len() + 1;
    // Edge (u, v, w, strict): x_v - x_u <= w (< w when strict).
    let mut edges: Vec<(usize, usize, f64, bool)> = Vec::new();
    let mut last: Vec<(ClockKind, usize)> = Vec::new();
    for (i, kind) in clocks.kinds.iter().enumerate() {
        let node = i + 1;
        if let Some(&(_, prev)) = last.iter().find(|(k, _)| k == kind) {
            // x_prev <= x_node.
            edges.push((node, prev, 0.0, false));
        }
        last.retain(|(k, _)| k != kind);
        last.push((*kind, node));
    }
    for f in clocks.facts.iter().copied().chain(std::iter::once(extra)) {
        let (p, q) = (f.p as usize, f.q as usize);
        let slack = if f.k.0 == 0.0 { 0.0 } else { EPS };
        if f.holds {
            // x_p - x_q < k (or <=).
            edges.push((q, p, f.k.0 + slack, f.strict));
        } else {
            // x_q - x_p <= -k (or <, when the predicate was <=).
            edges.push((p, q, -f.k.0 + slack, !f.strict));
        }
    }
    let mut dist = vec![(0.0f64, 0i64); n];
    for _ in 0..=n {
        let mut changed = false;
        for &(u, v, w, strict) in &edges {
            let cand = (dist[u].0 + w, dist[u].1 - i64::from(strict));
            if cand.0 < dist[v].0 || (cand.0 == dist[v].0 && cand.1 < dist[v].1) {
                dist[v] = cand;
                changed = true;
            }
        }
        if !changed {
            return true;
        }
    }
    false
}

/// Stops the run before an instruction that would look at a reading's value other than by `+`,
/// `-` and the order comparisons, or would store it anywhere but a variable.
pub(super) fn guard(program: &Program, state: &State, tid: Tid) -> Result<(), Exception> {
    if state.clocks.kinds.is_empty() {
        return Ok(());
    }
    let Some(frame) = state.threads[tid].frames.last() else { return Ok(()) };
    let Some(instr) = program.code(frame.code).instrs.get(frame.pc as usize) else { return Ok(()) };
    let stack = &frame.stack;
    let top = |k: usize| stack.iter().rev().take(k).any(|v| matches!(v, Value::Reading(_)));
    let looked_at = match *instr {
        Instr::Nop
        | Instr::Resume(_)
        | Instr::PopTop
        | Instr::PushNull
        | Instr::Copy(_)
        | Instr::Swap(_)
        | Instr::LoadConst(_)
        | Instr::LoadName(_)
        | Instr::StoreName(_)
        | Instr::LoadGlobal { .. }
        | Instr::StoreGlobal(_)
        | Instr::LoadFast(_)
        | Instr::StoreFast(_)
        | Instr::LoadClosure(_)
        | Instr::LoadDeref(_)
        | Instr::StoreDeref(_)
        | Instr::DeleteFast(_)
        | Instr::KwNames(_)
        | Instr::Precall(_)
        | Instr::JumpForward(_)
        | Instr::JumpBackward(_)
        | Instr::ReturnValue
        | Instr::LoadAssertionError
        | Instr::MakeCell(_)
        | Instr::CopyFreeVars(_) => false,
        Instr::BinaryOp { op: BinOp::Add | BinOp::Sub, .. } => false,
        // Every comparison with a reading goes to [`compare`].
        Instr::CompareOp(_) => false,
        Instr::Call(n) => top(n as usize) && !calls_python(program, frame, n as usize),
        Instr::BinaryOp { .. } | Instr::IsOp(_) | Instr::ContainsOp(_) | Instr::BinarySubscr | Instr::StoreAttr(_) => {
            top(2)
        }
        Instr::UnaryNot
        | Instr::UnaryNegative
        | Instr::UnaryPositive
        | Instr::UnaryInvert
        | Instr::GetIter
        | Instr::UnpackSequence(_)
        | Instr::UnpackEx(_)
        | Instr::LoadAttr(_)
        | Instr::LoadMethod(_)
        | Instr::PopJumpForwardIfFalse(_)
        | Instr::PopJumpForwardIfTrue(_)
        | Instr::PopJumpForwardIfNone(_)
        | Instr::PopJumpForwardIfNotNone(_)
        | Instr::PopJumpBackwardIfFalse(_)
        | Instr::PopJumpBackwardIfTrue(_)
        | Instr::PopJumpBackwardIfNone(_)
        | Instr::PopJumpBackwardIfNotNone(_)
        | Instr::JumpIfFalseOrPop(_)
        | Instr::JumpIfTrueOrPop(_) => top(1),
        Instr::StoreSubscr => top(3),
        Instr::BuildTuple(n) | Instr::BuildList(n) | Instr::BuildSet(n) | Instr::BuildString(n) => top(n as usize),
        // Everything else: any reading on the operand stack.
        _ => top(stack.len()),
    };
    if looked_at {
        return Err(unsupported(format!(
            "{} of a time reading (its value depends on how long the run takes; the checker models readings \
             in variables, + and - of numbers, differences, and <, <=, >, >=)",
            instr.opname()
        )));
    }
    Ok(())
}

/// Whether `CALL n` calls a function or method of the program's own that binds the readings it
/// is given to its parameters (without packing them into `*args` or `**kwargs`).
fn calls_python(program: &Program, frame: &Frame, n: usize) -> bool {
    let len = frame.stack.len();
    let Some(below) = len.checked_sub(n + 2) else { return false };
    let python = |v: &Value| match v {
        Value::Function(f) | Value::Method(f, _) => {
            let code = program.code(f.code);
            !code.varargs && !code.varkw
        }
        _ => false,
    };
    let (first, second) = (&frame.stack[below], &frame.stack[below + 1]);
    match first {
        Value::Null => python(second),
        other => python(other),
    }
}
