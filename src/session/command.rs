//! The session's commands and their parsing.

use crate::vm::Tid;

/// One command of a stepping session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `step <tid> [n]` (or just `<tid>`): run a thread one step, or `count` steps (fewer if it
    /// blocks or ends).
    Step {
        /// The thread.
        tid: Tid,
        /// How many steps.
        count: u64,
    },
    /// `run <tid>`: run a thread until just before its next visible step, or until it blocks or ends.
    Run(Tid),
    /// `finish <tid>`: run a thread until it blocks or ends.
    Finish(Tid),
    /// `back [n]`: undo the last step, or the last `n`.
    Back(u64),
    /// `restart`: back to the initial state.
    Restart,
    /// `load <schedule>`: replace the current path by a schedule.
    Load(String),
    /// `save [path]`: print the current schedule, and write it to `path`.
    Save(Option<String>),
    /// `threads`: the threads, their status and next instruction.
    Threads,
    /// `globals`: the data globals, the locks and the output so far.
    Globals,
    /// `show`: threads and globals.
    Show,
    /// `trace`: the current path as a timeline (as `gilcheck trace` prints it).
    Trace,
    /// `help`: the commands.
    Help,
    /// `quit`: end the session.
    Quit,
    /// An empty line or a `#` comment.
    Nothing,
}

/// What `help` prints.
pub const HELP: &str = "\
commands (short forms in brackets; a thread is its number or name: 0 or main, 1 or T1, …):
  <thread>                  run that thread one step
  step <thread> [n]    [s]  run that thread one step, or n steps (fewer if it blocks or ends)
  run <thread>         [r]  run that thread up to just before its next visible step (one that
                            touches a shared object, blocks or ends it), or until it blocks
  finish <thread>      [f]  run that thread until it blocks or ends
  back [n]             [b]  undo the last step, or the last n steps (`back all` to the start)
  restart                   back to the initial state
  load <schedule>      [l]  replace the current path by a schedule, e.g. load 0x41,2x11,1x30
  save [path]          [w]  print the current schedule (and write it to path)
  threads              [t]  the threads: status, next instruction, source line
  globals              [g]  the globals, locks and output
  show                      threads and globals
  trace                     the current path as a timeline
  help                 [h]  this list
  quit                 [q]  end the session (so does the end of the input)
lines starting with # are comments
";

impl Command {
    /// Parses one input line. The error says what is wrong, in words.
    pub fn parse(line: &str) -> Result<Command, String> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(Command::Nothing);
        }
        let (word, rest) = match line.split_once(char::is_whitespace) {
            Some((w, r)) => (w, r.trim()),
            None => (line, ""),
        };
        let args: Vec<&str> = rest.split_whitespace().collect();
        let no_args = |cmd: Command| {
            if args.is_empty() {
                Ok(cmd)
            } else {
                Err(format!("`{word}` takes no arguments"))
            }
        };
        match word.to_ascii_lowercase().as_str() {
            "step" | "s" => {
                let [t, more @ ..] = args.as_slice() else {
                    return Err(format!("usage: {word} <thread> [n], e.g. {word} 1 or {word} T1 5"));
                };
                let tid = parse_thread(t)?;
                let count = match more {
                    [] => 1,
                    [n] => parse_count(n)?,
                    _ => return Err(format!("usage: {word} <thread> [n]")),
                };
                Ok(Command::Step { tid, count })
            }
            "run" | "r" => Ok(Command::Run(one_thread(word, &args)?)),
            "finish" | "f" => Ok(Command::Finish(one_thread(word, &args)?)),
            "back" | "b" | "undo" => match args.as_slice() {
                [] => Ok(Command::Back(1)),
                ["all"] => Ok(Command::Back(u64::MAX)),
                [n] => Ok(Command::Back(parse_count(n)?)),
                _ => Err(format!("usage: {word} [n]")),
            },
            "restart" | "reset" => no_args(Command::Restart),
            "load" | "l" => {
                if rest.is_empty() {
                    Err(format!("usage: {word} <schedule>, e.g. {word} 0x41,2x11,1x30"))
                } else {
                    Ok(Command::Load(rest.to_string()))
                }
            }
            "save" | "w" => Ok(Command::Save((!rest.is_empty()).then(|| rest.to_string()))),
            "threads" | "t" => no_args(Command::Threads),
            "globals" | "g" => no_args(Command::Globals),
            "show" => no_args(Command::Show),
            "trace" => no_args(Command::Trace),
            "help" | "h" | "?" => Ok(Command::Help),
            "quit" | "q" | "exit" => no_args(Command::Quit),
            _ => match parse_thread(word) {
                Ok(tid) if args.is_empty() => Ok(Command::Step { tid, count: 1 }),
                Ok(_) => Err(format!("`{line}`: to run a thread several steps, write step {word} <n>")),
                Err(_) => Err(format!("unknown command `{word}`; `help` lists the commands")),
            },
        }
    }
}

fn one_thread(word: &str, args: &[&str]) -> Result<Tid, String> {
    match args {
        [t] => parse_thread(t),
        _ => Err(format!("usage: {word} <thread>, e.g. {word} 1 or {word} T1")),
    }
}

/// `3`, `T3`, `t3` or `main` (thread 0).
fn parse_thread(text: &str) -> Result<Tid, String> {
    if text.eq_ignore_ascii_case("main") {
        return Ok(0);
    }
    let digits = text.strip_prefix(['T', 't']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(t) = digits.parse() {
            return Ok(t);
        }
    }
    Err(format!("`{text}` is not a thread: write its number (0, 1, …) or name (main, T1, …)"))
}

fn parse_count(text: &str) -> Result<u64, String> {
    match text.replace('_', "").parse::<u64>() {
        Ok(0) => Err("the number of steps must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{text}` is not a number of steps")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_short_forms_parse() {
        assert_eq!(Command::parse("2"), Ok(Command::Step { tid: 2, count: 1 }));
        assert_eq!(Command::parse("T2"), Ok(Command::Step { tid: 2, count: 1 }));
        assert_eq!(Command::parse("s main 41"), Ok(Command::Step { tid: 0, count: 41 }));
        assert_eq!(Command::parse("step t1 1_000"), Ok(Command::Step { tid: 1, count: 1000 }));
        assert_eq!(Command::parse("  r 1 "), Ok(Command::Run(1)));
        assert_eq!(Command::parse("finish T2"), Ok(Command::Finish(2)));
        assert_eq!(Command::parse("b"), Ok(Command::Back(1)));
        assert_eq!(Command::parse("back 5"), Ok(Command::Back(5)));
        assert_eq!(Command::parse("back all"), Ok(Command::Back(u64::MAX)));
        assert_eq!(Command::parse("load 0x41, 2x11"), Ok(Command::Load("0x41, 2x11".into())));
        assert_eq!(Command::parse("save"), Ok(Command::Save(None)));
        assert_eq!(Command::parse("w /tmp/a b"), Ok(Command::Save(Some("/tmp/a b".into()))));
        assert_eq!(Command::parse("# a comment"), Ok(Command::Nothing));
        assert_eq!(Command::parse(""), Ok(Command::Nothing));
        assert_eq!(Command::parse("QUIT"), Ok(Command::Quit));
    }

    #[test]
    fn bad_commands_say_what_is_wrong() {
        for (line, want) in [
            ("frobnicate", "unknown command"),
            ("step", "usage"),
            ("step x", "not a thread"),
            ("step 1 0", "at least 1"),
            ("step 1 -3", "not a number"),
            ("step 1 99999999999999999999999", "not a number"),
            ("run", "usage"),
            ("run 1 2", "usage"),
            ("back x", "not a number"),
            ("load", "usage"),
            ("threads now", "no arguments"),
            ("1 2", "step 1 <n>"),
            ("t99999999999999999999999", "unknown command"),
        ] {
            let e = Command::parse(line).unwrap_err();
            assert!(e.contains(want), "{line:?}: {e}");
        }
    }
}
