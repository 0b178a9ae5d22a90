//! Holding a schedule found under one switch model against another: where the schedule switches
//! threads at a boundary that the other model does not allow, and what the preempted thread runs
//! between the other model's switch points around it (the explanation of why verdicts differ).

use super::ReplayError;
use crate::bytecode::{argrepr, CodeObject, Instr, Program, SwitchModel};
use crate::engine::{is_preemption, thread_name, Execution, Last, PyModel, Schedule};
use crate::vm::{self, Object, SwitchRule, Tid};

/// One executed instruction, named as `dis` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepRef {
    /// The opname and argument, e.g. `LOAD_GLOBAL balance`.
    pub instr: String,
    /// The source line.
    pub line: u32,
    /// For a switch point: why it is one (`loop back-edge`, `function entry`, …).
    pub why: Option<String>,
    /// The switch point exists only while a call site is cold (see [`warm_up_preemptions`]).
    pub warm_up: bool,
}

/// A switch that the schedule makes and the other model forbids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// The thread switched out.
    pub tid: Tid,
    /// Its last step before the switch.
    pub after: StepRef,
    /// Its previous switch point under the other model (`None`: since it started).
    pub prev_point: Option<StepRef>,
    /// Its next switch point under the other model (`None`: not reached in the schedule).
    pub next_point: Option<StepRef>,
    /// Its steps that touch shared globals between the two switch points.
    pub shared: Vec<StepRef>,
}

impl Gap {
    /// The gap in words, for the report: `other` names the models that forbid the switch, with
    /// its verb (`this model has`, `cpython-3.11 has`).
    pub fn describe(&self, other: &str) -> String {
        let t = thread_name(self.tid);
        let point = |p: &Option<StepRef>| match p {
            Some(s) => {
                format!("{} at line {}{}", s.instr, s.line, s.why.as_ref().map_or(String::new(), |w| format!(" ({w})")))
            }
            None => "none".into(),
        };
        let shared: Vec<String> = self.shared.iter().map(|s| format!("{} (line {})", s.instr, s.line)).collect();
        format!(
            "it switches away from {t} right after {} at line {}, where {other} no switch point. {t}'s previous switch point is {}, its next is {}; in between it runs {} atomically",
            self.after.instr,
            self.after.line,
            point(&self.prev_point),
            point(&self.next_point),
            if shared.is_empty() { "only thread-local steps".to_string() } else { shared.join(", ") }
        )
    }
}

/// An instruction as the explanations name it: opname and `dis`'s description of its argument
/// (`LOAD_GLOBAL balance`, `JUMP_BACKWARD to 6`).
fn instr_name(program: &Program, code: &CodeObject, instr: &Instr) -> String {
    let repr = argrepr(program, code, instr);
    if repr.is_empty() {
        instr.opname().to_string()
    } else {
        format!("{} {repr}", instr.opname())
    }
}

/// Replays `schedule` under `model`'s program and finds the first switch it makes that `other`
/// forbids, with the preempted thread's surroundings under `other`; `None` when every switch of
/// the schedule is allowed under `other` too.
pub fn find_gap(model: &PyModel, schedule: &Schedule, other: SwitchModel) -> Result<Option<Gap>, ReplayError> {
    let program = &model.program;
    let mut exec = Execution::start(model);
    let mut last_point: Vec<Option<StepRef>> = vec![None];
    let mut shared: Vec<Vec<StepRef>> = vec![Vec::new()];
    let mut last_ok: Vec<bool> = vec![true];
    let mut last_step: Vec<Option<StepRef>> = vec![None];
    let mut gap: Option<Gap> = None;
    let mut prev: Option<Tid> = None;
    let mut ticks = 0;
    for (index, tid) in schedule.steps().enumerate() {
        if let Some(l) = crate::budget::poll(&mut ticks) {
            return Err(ReplayError {
                step: index as u64,
                reason: format!("{l} was reached while replaying the schedule"),
            });
        }
        let index = index as u64;
        exec.check(tid).map_err(|e| ReplayError { step: index, reason: e.to_string() })?;
        if let Some(p) = prev {
            // A switch away from `p` while it could go on, which `other` does not make free.
            if gap.is_none() && is_preemption(Some(Last { tid: p, free: last_ok[p] }), tid, exec.runnable()) {
                gap = Some(Gap {
                    tid: p,
                    after: last_step[p].clone().expect("a thread that ran has a last step"),
                    prev_point: last_point[p].clone(),
                    next_point: None,
                    shared: shared[p].clone(),
                });
            }
        }
        let Some(f) = exec.state().threads[tid].frames.last() else {
            return Err(ReplayError { step: index, reason: format!("{} has no frame", thread_name(tid)) });
        };
        let code = program.code(f.code);
        let instr = code.instrs[f.pc as usize].clone();
        let line = code.locs.get(f.pc as usize).map_or(0, |l| l.line);
        let before = exec.state().clone();
        let info = exec.advance(tid);
        let state = exec.state();
        let n = state.threads.len();
        if last_ok.len() < n {
            last_point.resize(n, None);
            shared.resize(n, Vec::new());
            last_ok.resize(n, true);
            last_step.resize(n, None);
        }
        let here = StepRef { instr: instr_name(program, code, &instr), line, why: None, warm_up: false };
        let rule = vm::switch_rule_under(program, other, &before, tid, state, &info);
        let ok = rule.is_some();
        let touches = info.footprint.iter().any(|a| matches!(a.object(), Object::Global(_)));
        let open_gap = gap.as_ref().is_some_and(|g| g.tid == tid && g.next_point.is_none());
        if ok {
            let point = StepRef {
                why: rule.map(SwitchRule::describe),
                warm_up: matches!(rule, Some(SwitchRule::ColdCall(_))),
                ..here.clone()
            };
            if open_gap {
                let g = gap.as_mut().expect("open gap");
                g.next_point = Some(point);
                return Ok(gap);
            }
            last_point[tid] = Some(point);
            shared[tid].clear();
        } else if touches {
            if open_gap {
                gap.as_mut().expect("open gap").shared.push(here.clone());
            } else {
                shared[tid].push(here.clone());
            }
        }
        last_ok[tid] = ok;
        last_step[tid] = Some(here);
        prev = Some(tid);
    }
    Ok(gap)
}

/// The first preemption of `schedule` under `model`'s own switch model: the thread switched away
/// from while it could have gone on, and its last step before the switch (with why that is a
/// switch point there). `None` when the schedule never preempts.
pub fn first_preemption(model: &PyModel, schedule: &Schedule) -> Result<Option<(Tid, StepRef)>, ReplayError> {
    Ok(preemptions(model, schedule, 1)?.into_iter().next())
}

/// The preemptions of `schedule` under `model`'s own switch model whose switch point exists only
/// while a call site is cold (right after a call that 3.11+ specialises without a check once
/// warmed up): the verdict then rests on the interpreter's warm-up.
pub fn warm_up_preemptions(model: &PyModel, schedule: &Schedule) -> Result<Vec<(Tid, StepRef)>, ReplayError> {
    let all = preemptions(model, schedule, usize::MAX)?;
    Ok(all.into_iter().filter(|(_, s)| s.warm_up).collect())
}

/// Up to `limit` preemptions of `schedule` under `model`'s own switch model, in order: the thread
/// switched away from while it could have gone on, and its last step before the switch.
fn preemptions(model: &PyModel, schedule: &Schedule, limit: usize) -> Result<Vec<(Tid, StepRef)>, ReplayError> {
    let program = &model.program;
    let mut exec = Execution::start(model);
    let mut last: Vec<Option<StepRef>> = vec![None];
    let mut out = Vec::new();
    let mut ticks = 0;
    for (index, tid) in schedule.steps().enumerate() {
        if let Some(l) = crate::budget::poll(&mut ticks) {
            return Err(ReplayError {
                step: index as u64,
                reason: format!("{l} was reached while replaying the schedule"),
            });
        }
        exec.check(tid).map_err(|e| ReplayError { step: index as u64, reason: e.to_string() })?;
        if let Some(p) = exec.preemptible().filter(|&p| p != tid) {
            if let Some(Some(s)) = last.get(p) {
                out.push((p, s.clone()));
                if out.len() >= limit {
                    return Ok(out);
                }
            }
        }
        let Some(f) = exec.state().threads[tid].frames.last() else { return Ok(out) };
        let code = program.code(f.code);
        let instr = code.instrs[f.pc as usize].clone();
        let line = code.locs.get(f.pc as usize).map_or(0, |l| l.line);
        let info = exec.advance(tid);
        if last.len() < exec.state().threads.len() {
            last.resize(exec.state().threads.len(), None);
        }
        // The rule that made the boundary after the step a switch point, as the step reports it.
        let why = info.switch.map(SwitchRule::describe);
        let warm_up = matches!(info.switch, Some(SwitchRule::ColdCall(_)));
        last[tid] = Some(StepRef { instr: instr_name(program, code, &instr), line, why, warm_up });
    }
    Ok(out)
}
