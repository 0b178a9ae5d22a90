//! `gilcheck fix`: propose a re-checked repair, print it as a unified diff, and with `--write`
//! apply it. Exit codes: 0 when a repair is offered (or the program already holds), 1 when no
//! candidate made the program hold, 2 for bad input, 3 when a limit stopped a check.

use super::{emit, style, FixArgs, Format, Io};
use crate::repair::{fix, FixOptions};
use crate::{report, Error, Model, Verdict};
use std::time::Duration;

/// Runs `gilcheck fix`.
pub fn run(model: &Model, args: &FixArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let limits = super::limits::of(args.max_states);
    let mut output_limits = limits.clone();
    output_limits.max_states = output_limits.max_states.min(FixOptions::default().output_limits.max_states);
    output_limits.max_time =
        Some(output_limits.max_time.unwrap_or(Duration::from_secs(20)).min(Duration::from_secs(20)));
    let opts = FixOptions { max_candidates: args.max_candidates as usize, limits, output_limits };
    let result = fix(model, &opts)?;
    super::refuse_unsupported(&result.original, model)?;
    super::limits::reporting();
    let replay = super::replay_args(&args.model, model);
    let file = args.model.file.display().to_string();
    let written = match (args.write, result.repair()) {
        (true, Some(c)) => {
            std::fs::write(&args.model.file, &c.text).map_err(|source| Error::Io { path: file.clone(), source })?;
            true
        }
        _ => false,
    };
    match args.format {
        Format::Json => emit(io, &format!("{}\n", report::fix_to_json(&result, model.source(), &file, written)))?,
        Format::Text => emit(io, &report::render_fix(&result, model.source(), &file, &replay, written, style(io)))?,
    }
    Ok(match (&result.repair(), result.original.verdict) {
        (Some(_), _) | (None, Verdict::Holds) => 0,
        (None, Verdict::Inconclusive) => 3,
        (None, Verdict::Violated) if result.tried.last().is_some_and(|c| c.verdict == Verdict::Inconclusive) => 3,
        (None, Verdict::Violated) => 1,
    })
}
