//! Running one command line: in this process through `gilcheck::cli::run_with` (output into
//! buffers, panics caught, a watchdog for hangs), or as a real process of the built binary
//! (aborts, signals and exit codes as a user sees them).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What one run did.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// The exit code, when the command ended by itself.
    pub code: Option<i32>,
    /// The signal that ended the process (subprocess runs).
    pub signal: Option<i32>,
    /// The panic message (in-process runs).
    pub panic: Option<String>,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Whether the run was still going at the deadline (and was abandoned or killed).
    pub hung: bool,
}

thread_local! {
    static PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Installs a panic hook that keeps the message for [`in_process`] instead of printing it
/// (a panic of the worker's own main thread is still printed: it ends the worker).
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let msg = format!("{info}");
        if std::thread::current().name() == Some("main") {
            eprintln!("fuzzing worker panicked: {msg}");
        }
        PANIC.with(|p| *p.borrow_mut() = Some(msg));
    }));
}

/// The stack of the thread that runs a command in-process: the main thread's, as in the binary.
const STACK: usize = 8 << 20;

/// Runs `gilcheck ARGS` in this process on a thread of its own, with `stdin` as its input;
/// gives up waiting at `deadline` (the thread is abandoned: the caller should end the process
/// soon, as a hung thread keeps running).
pub fn in_process(args: &[String], stdin: &[u8], deadline: Duration) -> Outcome {
    let (tx, rx) = mpsc::channel();
    let args: Vec<String> = std::iter::once("gilcheck".to_string()).chain(args.iter().cloned()).collect();
    let input = stdin.to_vec();
    let start = Instant::now();
    let spawned = std::thread::Builder::new().stack_size(STACK).spawn(move || {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut reader: &[u8] = &input;
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut io = gilcheck::cli::Io {
                stdin: &mut reader,
                stdout: &mut out,
                stderr: &mut err,
                terminal: gilcheck::cli::Terminal::default(),
            };
            gilcheck::cli::run_with(&args, &mut io)
        }));
        let panic = PANIC.with(|p| p.borrow_mut().take());
        let (code, panic) = match r {
            Ok(c) => (Some(i32::from(c)), None),
            Err(_) => (None, Some(panic.unwrap_or_else(|| "panic without a message".into()))),
        };
        let _ = tx.send(Outcome { code, panic, stdout: out, stderr: err, ..Outcome::default() });
    });
    if spawned.is_err() {
        return Outcome { hung: true, stderr: b"could not start a thread".to_vec(), ..Outcome::default() };
    }
    match rx.recv_timeout(deadline) {
        Ok(mut o) => {
            o.seconds = start.elapsed().as_secs_f64();
            o
        }
        Err(_) => Outcome { hung: true, seconds: start.elapsed().as_secs_f64(), ..Outcome::default() },
    }
}

/// Runs the binary `bin` with `args` as a process, killed at `deadline`.
pub fn subprocess(bin: &Path, args: &[String], stdin: &[u8], deadline: Duration) -> Outcome {
    let start = Instant::now();
    let child = Command::new(bin)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return Outcome {
                stderr: format!("could not start {}: {e}", bin.display()).into_bytes(),
                ..Outcome::default()
            }
        }
    };
    let input = stdin.to_vec();
    let mut sin = child.stdin.take().expect("piped");
    let feeder = std::thread::spawn(move || {
        use std::io::Write;
        let _ = sin.write_all(&input);
    });
    let mut sout = child.stdout.take().expect("piped");
    let mut serr = child.stderr.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = sout.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = serr.read_to_end(&mut v);
        v
    });
    let mut hung = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if start.elapsed() > deadline => {
                hung = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(_) => break None,
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    let _ = feeder.join();
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    use std::os::unix::process::ExitStatusExt;
    let (code, signal) = match status {
        Some(s) if !hung => (s.code(), s.signal()),
        _ => (None, None),
    };
    Outcome { code, signal, panic: None, stdout, stderr, seconds, hung }
}
