//! The `gilcheck` command: see `gilcheck --help`.

fn main() -> std::process::ExitCode {
    gilcheck::cli::run()
}
