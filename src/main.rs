//! The `gilcheck` command: see `gilcheck --help`.

/// Counts the bytes in use: the figure `--max-memory` limits.
#[global_allocator]
static ALLOC: gilcheck::budget::CountingAlloc = gilcheck::budget::CountingAlloc;

fn main() -> std::process::ExitCode {
    gilcheck::budget::mark_installed();
    gilcheck::cli::run()
}
