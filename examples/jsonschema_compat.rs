//! `cargo run --release --example jsonschema_compat -- OLD NEW [--mode M] [--lenient]`: compares two schema files
//! or folders through `schemaguard::compat_paths` and prints one line per finding plus the exit code the CLI
//! would give. Used by `benches/jsonschema-corpus.sh` until the `compat` subcommand exists.

use std::path::PathBuf;
use std::process::ExitCode;

use schemaguard::finding::{Mode, Severity};
use schemaguard::formats::CheckOptions;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut paths = Vec::new();
    let mut mode = Mode::Backward;
    let mut opts = CheckOptions::default();
    let mut quiet = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--mode" => match args.next().as_deref().and_then(Mode::parse) {
                Some(m) => mode = m,
                None => return ExitCode::from(2),
            },
            "--lenient" => opts.lenient = true,
            "--show-compatible" => opts.show_compatible = true,
            "--quiet" => quiet = true,
            _ => paths.push(PathBuf::from(a)),
        }
    }
    if paths.len() != 2 {
        eprintln!(
            "usage: jsonschema_compat OLD NEW [--mode M] [--lenient] [--show-compatible] [--quiet]"
        );
        return ExitCode::from(2);
    }
    let report = match schemaguard::compat_paths(&paths[..1], &paths[1], mode, &opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if !quiet {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        for f in &report.findings {
            let at = f
                .primary()
                .map(|l| {
                    let lc = l.file.line_col(l.span.start);
                    format!("{}:{}:{}", l.file.display_name(), lc.line, lc.column)
                })
                .unwrap_or_default();
            // A closed pipe (`| head`) ends the listing, not the program.
            if writeln!(
                out,
                "{} {} {} {}",
                f.severity.as_str(),
                f.rule.id,
                at,
                f.message
            )
            .is_err()
            {
                break;
            }
        }
    }
    ExitCode::from(schemaguard::exit_code(&report, Some(Severity::Error)))
}
