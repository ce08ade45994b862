//! Bench driver until the CLI lands: `proto_breaking OLD_DIR NEW_DIR [CATEGORY…]` runs `compat_paths` with buf
//! categories (default FILE; `CONFLUENT` for Confluent semantics) and prints one line per finding (`file:line:col RULE message`) and the count on stderr.

use std::path::PathBuf;

use schemaguard::finding::Mode;
use schemaguard::formats::CheckOptions;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: proto_breaking OLD_DIR NEW_DIR [CATEGORY...]");
        return std::process::ExitCode::from(2);
    }
    let mut breaking: Vec<String> = args[2..].to_vec();
    if breaking.is_empty() {
        breaking.push("FILE".into());
    }
    // `CONFLUENT` instead of a category runs Confluent semantics (mode BACKWARD).
    if breaking == ["CONFLUENT"] {
        breaking.clear();
    }
    let opts = CheckOptions {
        breaking,
        ..CheckOptions::default()
    };
    let report = match schemaguard::compat_paths(
        &[PathBuf::from(&args[0])],
        &PathBuf::from(&args[1]),
        Mode::Backward,
        &opts,
    ) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    for f in &report.findings {
        let (file, lc) = match f.primary() {
            Some(l) => (l.file.display_name(), l.file.line_col(l.span.start)),
            None => (
                String::new(),
                schemaguard::source::LineCol { line: 0, column: 0 },
            ),
        };
        println!(
            "{file}:{}:{} {} {}",
            lc.line, lc.column, f.rule.id, f.message
        );
    }
    eprintln!("findings: {}", report.findings.len());
    std::process::ExitCode::SUCCESS
}
