//! The `schemaguard` binary: parse arguments, run, map the outcome to an exit code. Everything else is the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match schemaguard::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // --help and --version are successes; every other parse failure is a usage error (2).
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("."));
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let code = schemaguard::app::run(cli, &cwd, &mut stdout.lock(), &mut stderr.lock());
    ExitCode::from(code)
}
