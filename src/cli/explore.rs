//! `gilcheck explore`: the interactive stepping session on stdin/stdout.
//!
//! Commands come from stdin, a terminal or a pipe; with a terminal the session shows the prompt
//! `gilcheck> `, otherwise it echoes each command so that the transcript reads the same. The exit
//! code is 1 when the session ends (end of input or `quit`) in a violation, 0 otherwise; a bad
//! `--schedule` exits 2 before the session starts.

use super::{ExploreArgs, Io};
use crate::explore::Schedule;
use crate::session::{Options, Session};
use crate::{Error, Model};

/// Runs `gilcheck explore`.
pub fn run(model: &Model, args: &ExploreArgs, io: &mut Io<'_>) -> Result<u8, Error> {
    let interactive = io.terminal.stdin;
    let opts = Options {
        style: super::style(io),
        prompt: interactive,
        echo: !interactive,
        replay_command: Some(format!(
            "gilcheck trace {}{}",
            args.model.file.display(),
            super::replay_args(&args.model, model)
        )),
        max_time: Some(std::time::Duration::from_secs_f64(args.max_time)),
        ..Options::default()
    };
    let mut session = Session::new(model, opts);
    if let Some(text) = &args.schedule {
        let schedule: Schedule = text.parse().map_err(|e: String| Error::Usage(format!("--schedule: {e}")))?;
        session.load(&schedule).map_err(|e| Error::Usage(format!("--schedule: {e}")))?;
    }
    session.run(&mut *io.stdin, &mut io.stdout).map_err(|source| Error::Io { path: "<stdin/stdout>".into(), source })
}
