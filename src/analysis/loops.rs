//! Solo-loop acceleration, the one accelerator of every strategy: while one thread runs alone
//! through a `for` loop over a `range` whose every iteration is a *translation* (it advances
//! the range iterator by one step, adds the same constants to the same int globals, sets the
//! same variables to the same constants, and takes the same instruction path), `k` iterations
//! are applied to the state in O(1) by [`Translation::apply`].
//!
//! A translation is established in one of two ways:
//!
//! - [`Translation::observed`]: from one iteration a strategy has already executed, given which
//!   globals its caller knows to be int accumulations (the reduced search, whose static facts
//!   say so); the iteration may begin anywhere in the loop body;
//! - [`analyze`]: at the loop head, in the current state, by executing one iteration on a copy
//!   of the state and interpreting the path it took abstractly (the extremes' search, which has
//!   no static facts):
//!
//! - values are *known* (loop-invariant: constants, locals and globals the iteration does not
//!   assign), `g₀ + d` for an int global `g` that the iteration assigns, or the loop item;
//! - every branch on the path must test a known value, so every iteration takes the same path
//!   (and the range iterator has at least `k` items left, so FOR_ITER does not exit early);
//! - a global the iteration assigns may only be loaded as `g₀ + d`, combined with known ints by
//!   `+` and `-`, and stored back into `g` itself: the iteration adds `d` to `g`;
//! - nothing else may happen: no call, no lock, no print, no other instruction.
//!
//! The prediction for one iteration is then compared with the state the concrete iteration
//! reached; any difference rejects the loop. A rejected loop is simply stepped without
//! acceleration.

use super::sharing::{worth_preempting_before, Sharing};
use crate::bytecode::SwitchModel;
use crate::bytecode::{BinOp, CodeObject, Instr, Program};
use crate::vm::{self, State, Tid, Value};
use num_bigint::BigInt;
use std::collections::{BTreeMap, BTreeSet};

/// Loops with fewer iterations left than this are stepped without acceleration.
pub(crate) const MIN_ITERATIONS: u64 = 5;

/// Longest iteration (in steps) the analysis follows.
const MAX_ITERATION_STEPS: usize = 4096;

/// What one iteration does to a variable (global or local) that it assigns.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Effect {
    /// Adds a constant (an int global only).
    Add(BigInt),
    /// Sets a loop-invariant value.
    Set(Value),
    /// Sets the loop item (the loop variable).
    Item,
}

/// A loop head where the thread can run `remaining` translation iterations in O(1).
#[derive(Clone, Debug)]
pub(crate) struct Translation {
    /// Steps per iteration (FOR_ITER to the back-edge, inclusive).
    pub steps: u64,
    /// Steps into an iteration before which the thread's next step is visible (a yield point).
    pub yields: Vec<u64>,
    /// Iterations left in the range iterator.
    pub remaining: u64,
    globals: Vec<(usize, Effect)>,
    locals: Vec<(usize, Effect)>,
    /// Where the range iterator lies on the thread's innermost frame's stack.
    slot: usize,
    next: i64,
    step: i64,
}

/// What the analysis says about a thread's next step.
#[derive(Clone, Debug)]
pub(crate) enum Head {
    /// Not the head of a `for` loop over a range.
    NotALoop,
    /// A loop head with fewer than [`MIN_ITERATIONS`] iterations left.
    Short,
    /// A translation loop.
    Translation(Translation),
    /// A loop whose iterations are not translations, at `line`, and why.
    Rejected {
        /// The source line of the loop head.
        line: u32,
        /// Why.
        reason: String,
    },
}

/// Whether every loop of `program` is a `for` loop: each back-edge is a JUMP_BACKWARD to a
/// FOR_ITER. Every iteration then advances a built-in iterator (a range, a container, a
/// generator, whose own loops are checked too), whose position never returns, and a function
/// that runs again is called from such a loop or one level deeper: no run can come back to a
/// state it passed, so the state graph has no cycle.
pub(crate) fn only_for_loops(program: &Program) -> bool {
    program.codes.iter().all(|code| {
        code.instrs.iter().all(|i| match i {
            Instr::JumpBackward(t) => matches!(code.instrs.get(*t as usize), Some(Instr::ForIter(_))),
            i => !i.is_back_edge(),
        })
    })
}

/// Items left in a range iterator.
fn remaining(next: i64, stop: i64, step: i64) -> u64 {
    let (next, stop, step) = (next as i128, stop as i128, step as i128);
    let n = if step > 0 && next < stop {
        (stop - next + step - 1) / step
    } else if step < 0 && next > stop {
        (next - stop + (-step) - 1) / (-step)
    } else {
        0
    };
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Analyses thread `tid` at its next step in `s`, stepped by the VM under `switch`.
pub(crate) fn analyze(program: &Program, switch: SwitchModel, sharing: &Sharing, s: &State, tid: Tid) -> Head {
    let Some(frame) = s.threads.get(tid).and_then(|t| t.frames.last()) else { return Head::NotALoop };
    let code = program.code(frame.code);
    let head = frame.pc;
    let Some(Instr::ForIter(_)) = code.instrs.get(head as usize) else { return Head::NotALoop };
    let Some(&Value::RangeIter { next, stop, step }) = frame.stack.last() else { return Head::NotALoop };
    let left = remaining(next, stop, step);
    if left < MIN_ITERATIONS {
        return Head::Short;
    }
    let line = code.locs.get(head as usize).map_or(0, |l| l.line);
    let reject = |reason: String| Head::Rejected { line, reason };
    // One iteration, executed on a copy: the path (pc of each step) and the yield points.
    let depth = s.threads[tid].frames.len();
    let mut after = s.clone();
    let mut path: Vec<u32> = Vec::new();
    let mut yields = Vec::new();
    loop {
        let Some(f) = after.threads[tid].frames.last() else { return reject("the thread returned".into()) };
        let pc = f.pc;
        if !path.is_empty() && pc == head {
            break;
        }
        if path.len() >= MAX_ITERATION_STEPS {
            return reject(format!("one iteration takes more than {MAX_ITERATION_STEPS} steps"));
        }
        let Some(instr) = code.instrs.get(pc as usize) else { return reject("the code ended".into()) };
        if !supported(instr) {
            return reject(format!("the loop body executes {}", instr.opname()));
        }
        if !vm::runnable(program, &after, tid) {
            return reject("the loop body blocks".into());
        }
        if worth_preempting_before(program, switch, sharing, &after, tid) {
            yields.push(path.len() as u64);
        }
        let info = vm::step_in_place(program, switch, &mut after, tid);
        path.push(pc);
        if info.event != vm::Event::None || info.footprint.touches_sync() {
            return reject("the loop body raises, prints or synchronises".into());
        }
        if after.threads[tid].frames.len() != depth
            || after.threads[tid].frames.last().map(|f| f.code) != Some(frame.code)
        {
            return reject("the loop body calls or returns".into());
        }
    }
    let (globals, locals) = match interpret(program, code, s, tid, &path, head) {
        Ok(effects) => effects,
        Err(reason) => return reject(reason),
    };
    let slot = frame.stack.len() - 1;
    let t = Translation { steps: path.len() as u64, yields, remaining: left, globals, locals, slot, next, step };
    // The prediction for one iteration must be exactly what the iteration did.
    let mut predicted = s.clone();
    t.apply(&mut predicted, tid, 1);
    if predicted != after {
        return reject("one iteration does not match its predicted effect".into());
    }
    Head::Translation(t)
}

/// Instructions the abstract interpretation understands (jumps of every kind included).
fn supported(instr: &Instr) -> bool {
    use Instr::*;
    instr.jump_target().is_some()
        || matches!(
            instr,
            Nop | PopTop
                | Copy(_)
                | Swap(_)
                | LoadConst(_)
                | LoadFast(_)
                | StoreFast(_)
                | LoadName(_)
                | StoreName(_)
                | LoadGlobal { .. }
                | StoreGlobal(_)
                | BinaryOp { .. }
                | CompareOp(_)
                | IsOp(_)
                | UnaryNot
        )
}

/// An abstract value of the interpretation.
#[derive(Clone, Debug)]
enum Abs {
    /// A stack entry from before the iteration (the iterator and what lies below it).
    Opaque,
    /// The same value in every iteration.
    Known(Value),
    /// Global `g` as it was when the iteration began, plus `d`.
    Glob(usize, BigInt),
    /// The loop item.
    Item,
}

type Effects = (Vec<(usize, Effect)>, Vec<(usize, Effect)>);

/// Interprets one iteration's path abstractly; returns the effects on globals and locals.
fn interpret(
    program: &Program,
    code: &CodeObject,
    s: &State,
    tid: Tid,
    path: &[u32],
    head: u32,
) -> Result<Effects, String> {
    let frame = s.threads[tid].frames.last().ok_or("no frame")?;
    let glob_name = |g: usize| program.globals.get(g).map_or("?", String::as_str);
    let mut stored_globals = BTreeSet::new();
    let mut stored_locals = BTreeSet::new();
    for &pc in path {
        match code.instrs[pc as usize] {
            Instr::StoreGlobal(g) | Instr::StoreName(g) => {
                stored_globals.insert(g as usize);
            }
            Instr::StoreFast(i) => {
                stored_locals.insert(i as usize);
            }
            _ => {}
        }
    }
    let depth = frame.stack.len();
    let mut stack: Vec<Abs> = vec![Abs::Opaque; depth];
    let mut globals: BTreeMap<usize, Abs> = BTreeMap::new();
    let mut locals: BTreeMap<usize, Abs> = BTreeMap::new();
    let pop = |stack: &mut Vec<Abs>| match stack.pop() {
        None | Some(Abs::Opaque) => Err("the loop body pops what lies below its own values".to_string()),
        Some(v) => Ok(v),
    };
    for (i, &pc) in path.iter().enumerate() {
        let instr = &code.instrs[pc as usize];
        let next_pc = path.get(i + 1).copied().unwrap_or(head);
        match *instr {
            Instr::ForIter(_) if i == 0 => stack.push(Abs::Item),
            Instr::ForIter(_) => return Err("a nested loop".into()),
            Instr::Nop | Instr::JumpForward(_) | Instr::JumpBackward(_) => {}
            Instr::PopTop => {
                pop(&mut stack)?;
            }
            Instr::Copy(n) => {
                let v = stack.get(stack.len().wrapping_sub(n as usize)).cloned().ok_or("COPY below the stack")?;
                stack.push(v);
            }
            Instr::Swap(n) => {
                let len = stack.len();
                if (n as usize) > len || matches!(stack[len - n as usize], Abs::Opaque) {
                    return Err("SWAP below the loop body's own values".into());
                }
                stack.swap(len - 1, len - n as usize);
            }
            Instr::LoadConst(c) => stack.push(Abs::Known(Value::from_const(&code.consts[c as usize]))),
            Instr::LoadFast(l) => {
                let l = l as usize;
                let v = match locals.get(&l) {
                    Some(v) => v.clone(),
                    None if stored_locals.contains(&l) => {
                        return Err(format!(
                            "the loop body reads the local '{}' before assigning it",
                            code.varnames.get(l).map_or("?", String::as_str)
                        ))
                    }
                    None => match frame.locals.get(l) {
                        Some(Value::Null) | None => return Err("the loop body reads an unbound local".into()),
                        Some(v) => Abs::Known(v.clone()),
                    },
                };
                stack.push(v);
            }
            Instr::StoreFast(l) => {
                let v = pop(&mut stack)?;
                locals.insert(l as usize, v);
            }
            Instr::LoadName(g) | Instr::LoadGlobal { slot: g, .. } => {
                if matches!(instr, Instr::LoadGlobal { push_null: true, .. }) {
                    stack.push(Abs::Known(Value::Null));
                }
                let g = g as usize;
                let v = match globals.get(&g) {
                    Some(v) => v.clone(),
                    None => match s.globals.get(g) {
                        Some(Value::Int(_) | Value::Big(_)) if stored_globals.contains(&g) => {
                            Abs::Glob(g, BigInt::ZERO)
                        }
                        _ if stored_globals.contains(&g) => {
                            return Err(format!("the loop body updates '{}', which is not an int", glob_name(g)))
                        }
                        Some(Value::Null) | None => return Err("the loop body reads an unbound global".into()),
                        Some(v) => Abs::Known(v.clone()),
                    },
                };
                stack.push(v);
            }
            Instr::StoreName(g) | Instr::StoreGlobal(g) => {
                let v = pop(&mut stack)?;
                globals.insert(g as usize, v);
            }
            Instr::BinaryOp { op, .. } => {
                let b = pop(&mut stack)?;
                let a = pop(&mut stack)?;
                let int = |v: &Value| match v {
                    Value::Int(_) | Value::Big(_) | Value::Bool(_) => v.as_bigint(),
                    _ => None,
                };
                let r = match (&a, &b, op) {
                    (Abs::Known(x), Abs::Known(y), _) => {
                        Abs::Known(vm::binary_op(op, x, y).map_err(|e| format!("the loop body raises {e}"))?)
                    }
                    (Abs::Glob(g, d), Abs::Known(c), BinOp::Add) if int(c).is_some() => {
                        Abs::Glob(*g, d + int(c).unwrap_or_default())
                    }
                    (Abs::Glob(g, d), Abs::Known(c), BinOp::Sub) if int(c).is_some() => {
                        Abs::Glob(*g, d - int(c).unwrap_or_default())
                    }
                    (Abs::Known(c), Abs::Glob(g, d), BinOp::Add) if int(c).is_some() => {
                        Abs::Glob(*g, d + int(c).unwrap_or_default())
                    }
                    _ => {
                        return Err(format!(
                            "the loop body computes {} on a value that changes between iterations",
                            op.symbol()
                        ))
                    }
                };
                stack.push(r);
            }
            Instr::CompareOp(_) | Instr::IsOp(_) => {
                let b = pop(&mut stack)?;
                let a = pop(&mut stack)?;
                let (Abs::Known(x), Abs::Known(y)) = (&a, &b) else {
                    return Err("the loop body compares a value that changes between iterations".into());
                };
                let r = match *instr {
                    Instr::CompareOp(op) => vm::compare(op, x, y).map_err(|e| format!("the loop body raises {e}"))?,
                    Instr::IsOp(invert) => Value::Bool((x == y) != invert),
                    _ => return Err("unexpected instruction".into()),
                };
                stack.push(Abs::Known(r));
            }
            Instr::UnaryNot => match pop(&mut stack)? {
                Abs::Known(v) => stack.push(Abs::Known(Value::Bool(!v.truthy()))),
                _ => return Err("the loop body negates a value that changes between iterations".into()),
            },
            _ if instr.is_pop_jump() => {
                if !matches!(pop(&mut stack)?, Abs::Known(_)) {
                    return Err("the loop body branches on a value that changes between iterations".into());
                }
            }
            Instr::JumpIfFalseOrPop(t) | Instr::JumpIfTrueOrPop(t) => {
                if !matches!(stack.last(), Some(Abs::Known(_))) {
                    return Err("the loop body branches on a value that changes between iterations".into());
                }
                if next_pc != t {
                    pop(&mut stack)?;
                }
            }
            _ => return Err(format!("the loop body executes {}", instr.opname())),
        }
    }
    if stack.len() != depth {
        return Err("the loop body leaves values on the stack".into());
    }
    let effect = |v: &Abs, own: Option<usize>| -> Result<Effect, String> {
        match v {
            Abs::Known(x) => Ok(Effect::Set(x.clone())),
            Abs::Item => Ok(Effect::Item),
            Abs::Glob(g, d) if Some(*g) == own => Ok(Effect::Add(d.clone())),
            Abs::Glob(g, _) => Err(format!("the loop body copies '{}' into another variable", glob_name(*g))),
            Abs::Opaque => Err("the loop body stores what lies below its own values".into()),
        }
    };
    let g = globals.iter().map(|(&g, v)| Ok((g, effect(v, Some(g))?))).collect::<Result<Vec<_>, String>>()?;
    let l = locals.iter().map(|(&l, v)| Ok((l, effect(v, None)?))).collect::<Result<Vec<_>, String>>()?;
    Ok((g, l))
}

impl Translation {
    /// Applies `k` (≤ `remaining`) iterations to `s`, in which thread `tid` stands at the loop
    /// head this translation was computed at.
    pub(crate) fn apply(&self, s: &mut State, tid: Tid, k: u64) {
        if k == 0 {
            return;
        }
        let k = k.min(self.remaining);
        let kk = BigInt::from(k);
        let item = Value::Int((self.next as i128 + (k as i128 - 1) * self.step as i128) as i64);
        let after = (self.next as i128 + k as i128 * self.step as i128).clamp(i64::MIN as i128, i64::MAX as i128);
        if !self.globals.is_empty() {
            let globals = s.globals_mut();
            for (g, e) in &self.globals {
                globals[*g] = match e {
                    Effect::Add(d) => Value::big(globals[*g].as_bigint().unwrap_or_default() + d * &kk),
                    Effect::Set(v) => v.clone(),
                    Effect::Item => item.clone(),
                };
            }
        }
        let th = s.thread_mut(tid);
        let Some(frame) = th.frames.last_mut() else { return };
        for (l, e) in &self.locals {
            frame.locals[*l] = match e {
                Effect::Set(v) => v.clone(),
                Effect::Item => item.clone(),
                // Locals never get `Add` (rejected by the analysis).
                Effect::Add(_) => frame.locals[*l].clone(),
            };
        }
        if let Some(Value::RangeIter { next, .. }) = frame.stack.get_mut(self.slot) {
            *next = after as i64;
        }
    }

    /// The translation that one executed iteration shows, if it is one: thread `tid` took
    /// `before` to `after` along one straight pass through a loop (the caller vouches that it
    /// branched only on the loop's own FOR_ITER, called nothing, printed and synchronised
    /// nothing), and only its thread moved. It is a translation if the loop's range iterator
    /// moved exactly one step, at most one local changed, to the item the iterator produced
    /// (the loop variable), and each global that changed is an int the caller knows to be
    /// written only by accumulations (`may_add`), changed by a constant. Every remaining
    /// iteration then takes the same path, makes the same decisions (no other thread moved)
    /// and adds the same constants; the translation applies to `after` for its `remaining`
    /// iterations.
    pub(crate) fn observed(
        before: &State,
        after: &State,
        tid: Tid,
        steps: u64,
        may_add: impl Fn(usize) -> bool,
    ) -> Option<Translation> {
        let (b, a) = (&before.threads[tid], &after.threads[tid]);
        if b.frames.len() != a.frames.len() || b.handled != a.handled || b.status != a.status {
            return None;
        }
        let others_same = (0..before.threads.len())
            .all(|u| u == tid || std::sync::Arc::ptr_eq(&before.threads[u], &after.threads[u]));
        if !others_same
            || before.threads.len() != after.threads.len()
            || before.locks != after.locks
            || before.output.len() != after.output.len()
        {
            return None;
        }
        let (fb, fa) = (b.frames.last()?, a.frames.last()?);
        if fb.code != fa.code || fb.pc != fa.pc || fb.stack.len() != fa.stack.len() || fb.kwnames != fa.kwnames {
            return None;
        }
        // Outer frames untouched.
        if b.frames[..b.frames.len() - 1] != a.frames[..a.frames.len() - 1] {
            return None;
        }
        // The one iterator that moved, by one step.
        let mut iter = None;
        for (i, (x, y)) in fb.stack.iter().zip(&fa.stack).enumerate() {
            if x != y {
                match (x, y) {
                    (
                        Value::RangeIter { next: n0, stop: s0, step: k0 },
                        Value::RangeIter { next: n1, stop: s1, step: k1 },
                    ) if s0 == s1 && k0 == k1 && n0.checked_add(*k0) == Some(*n1) && iter.is_none() => {
                        iter = Some((i, *n0, *n1, *s1, *k1));
                    }
                    _ => return None,
                }
            }
        }
        let (slot, produced, next, stop, step) = iter?;
        // The loop variable: at most one local changed, to the item the iterator produced.
        let mut locals = Vec::new();
        for (i, (x, y)) in fb.locals.iter().zip(&fa.locals).enumerate() {
            if x != y {
                if !locals.is_empty() || *y != Value::Int(produced) {
                    return None;
                }
                locals.push((i, Effect::Item));
            }
        }
        // Globals: constant deltas on ints that only accumulations write.
        let mut globals = Vec::new();
        for (g, (x, y)) in before.globals.iter().zip(after.globals.iter()).enumerate() {
            if x != y {
                match (x, y) {
                    (Value::Int(x0), Value::Int(y0)) if may_add(g) => {
                        globals.push((g, Effect::Add(BigInt::from(*y0) - BigInt::from(*x0))));
                    }
                    _ => return None,
                }
            }
        }
        let remaining = remaining(next, stop, step);
        Some(Translation { steps, yields: Vec::new(), remaining, globals, locals, slot, next, step })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{PyModel, System};
    use crate::Model as Source;

    fn analyze_in(py: &PyModel, s: &State, tid: Tid) -> Head {
        analyze(&py.program, py.switch, &py.sharing, s, tid)
    }

    fn at_loop_head(m: &Source, tid: Tid) -> State {
        let py = m.explorable();
        let mut s = py.init();
        for _ in 0..100_000 {
            if s.threads.len() > tid && matches!(analyze_in(py, &s, tid), Head::Translation(_) | Head::Rejected { .. })
            {
                return s;
            }
            let mut r = Vec::new();
            py.runnable(&s, &mut r);
            let t = if r.contains(&tid) { tid } else { r[0] };
            py.step(&mut s, t);
        }
        panic!("no loop head");
    }

    #[test]
    fn k_accelerated_iterations_equal_k_plain_iterations() {
        let m = Source::from_file("models/race_condition.py").unwrap().with_set("N", "40").unwrap();
        let s = at_loop_head(&m, 1);
        let Head::Translation(t) = analyze_in(m.explorable(), &s, 1) else { panic!("not a translation") };
        assert_eq!(t.steps, 7);
        assert_eq!(t.yields, vec![2, 5]);
        assert_eq!(t.remaining, 40);
        for k in [0, 1, 2, 17, 39, 40] {
            let mut fast = s.clone();
            t.apply(&mut fast, 1, k);
            let mut slow = s.clone();
            for _ in 0..k * t.steps {
                m.explorable().step(&mut slow, 1);
            }
            assert_eq!(fast, slow, "k = {k}");
        }
    }

    #[test]
    fn loops_that_are_not_translations_are_rejected_with_a_reason() {
        for (body, why) in [
            ("x = x * 2", "computes *"),
            ("x = x + i", "changes between iterations"),
            ("if x > 0:\n            x += 1", "compares"),
            ("print(x)", "PRECALL"),
        ] {
            let src = format!(
                "import threading\nx = 1\ndef f():\n    global x\n    for i in range(10):\n        {body}\nt = threading.Thread(target=f)\nt.start()\nt.join()\n"
            );
            let m = Source::from_source("t.py", src).unwrap();
            let s = at_loop_head(&m, 1);
            match analyze_in(m.explorable(), &s, 1) {
                Head::Rejected { reason, .. } => assert!(reason.contains(why), "{body}: {reason}"),
                other => panic!("{body}: {other:?}"),
            }
        }
    }
}
