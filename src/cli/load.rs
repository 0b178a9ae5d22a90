//! Loading the program a command names (`--set`, `--expect`, `--switch`, `--draws`), the
//! options that replay it, and the refusal of runs the checker stopped at what it does not model.

use super::{ModelArgs, SwitchChoice};
use crate::vm::SwitchModel;
use crate::{Error, Model, Verdict};

/// Where thread `tid` stopped in `state`: the line and column of its last instruction.
pub(super) fn stop_position(model: &Model, state: &crate::vm::State, tid: usize) -> Option<(u32, u32)> {
    let frame = state.threads.get(tid)?.frames.last()?;
    let loc = model.program().code(frame.code).locs.get(frame.pc.checked_sub(1)? as usize)?;
    Some((loc.line, loc.col))
}

/// A run the checker stopped at an operation it does not model, with no violation of the
/// program found: refused as unsupported (exit 2), with where it happened. A stop at a limit
/// of the checker stays in the report (inconclusive, exit 3).
pub(super) fn refuse_unsupported(report: &crate::explore::Report, model: &Model) -> Result<(), Error> {
    match &report.checker_stop {
        Some(stop) if stop.kind == crate::explore::FindingKind::Unsupported && report.verdict != Verdict::Violated => {
            Err(Error::Unsupported {
                span: crate::error::Span { file: model.source().name().to_string(), line: stop.line, col: stop.col },
                construct: stop.message.clone(),
                hint: "the README's \"The Python subset\" lists what is modelled; rewrite this operation with those"
                    .into(),
            })
        }
        _ => Ok(()),
    }
}

pub(super) fn load(args: &ModelArgs, vars: Option<Vec<String>>) -> Result<Model, Error> {
    let mut model = Model::from_file(&args.file)?;
    if args.switch == SwitchChoice::All {
        return Err(Error::Usage(
            "--switch all works with check (one verdict per model); name one model here, e.g. --switch cpython-3.11"
                .into(),
        ));
    }
    if let SwitchChoice::One(m) = args.switch {
        model = model.with_switch(m)?;
    }
    model = with_sets(model, &args.sets)?;
    if let Some(e) = &args.expect {
        model = model.with_expect(e)?;
    }
    if let Some(v) = vars {
        model = model.with_vars(v)?;
    }
    if let Some(t) = &args.draws {
        if !model.program().draws.active {
            return Err(Error::Usage(format!(
                "--draws {t}: {} makes no unseeded random draw (random.randint or random.choice without random.seed)",
                model.source().name()
            )));
        }
        model = model.with_draws(t.clone())?;
    }
    Ok(model)
}

/// The options that a replay of a schedule of `model` (loaded from `args`) needs: `--switch`,
/// `--set`, `--expect`, and `--draws` with the values its draws take.
pub(super) fn replay_args(args: &ModelArgs, model: &Model) -> String {
    let mut out = String::new();
    if let SwitchChoice::One(m) = args.switch {
        if m != SwitchModel::Bytecode {
            out.push_str(&format!(" --switch {m}"));
        }
    }
    for s in &args.sets {
        out.push_str(&format!(" --set {s}"));
    }
    if let Some(e) = &args.expect {
        out.push_str(&format!(" --expect '{e}'"));
    }
    let draws = &model.program().draws.tape;
    if !draws.is_empty() {
        out.push_str(&format!(" --draws {draws}"));
    }
    out
}

/// `model` with its draws taking the values of the report's counterexample (`model` itself when
/// the program draws nothing): what a replay of the counterexample runs.
pub(super) fn drawn(model: &Model, report: &crate::explore::Report) -> Result<Model, Error> {
    match report.counterexample.as_ref().filter(|c| c.draws != model.program().draws.tape) {
        Some(c) => model.clone().with_draws(c.draws.clone()),
        None => Ok(model.clone()),
    }
}

/// The refusal of `what` for a program that draws unseeded random values, at its first draw.
pub(super) fn refuse_draws(model: &Model, what: &str, hint: &str) -> Error {
    let (line, col) = model.program().draws.at.unwrap_or((1, 1));
    Error::Unsupported {
        span: crate::error::Span { file: model.source().name().to_string(), line, col },
        construct: format!("{what} of a program that draws unseeded random values (random.randint, random.choice)"),
        hint: hint.to_string(),
    }
}

/// The model with every `--set NAME=VALUE` of `sets` applied (one compilation).
pub(super) fn with_sets(model: Model, sets: &[String]) -> Result<Model, Error> {
    if sets.is_empty() {
        return Ok(model);
    }
    let mut pairs = Vec::new();
    for s in sets {
        let Some((name, value)) = s.split_once('=') else {
            return Err(Error::Usage(format!("--set {s}: expected NAME=VALUE, e.g. --set N=3")));
        };
        pairs.push((name.trim(), value.trim()));
    }
    model.with_sets(pairs)
}
