//! `cargo bench --bench buf_lint -- DIR [RULE|CATEGORY…]`: lints every `.proto` file below DIR with buf's style
//! rules (default `STANDARD`) and prints one JSON line per finding (`path`, `line`, `column`, `type`, like
//! `buf lint --error-format json`) to stdout and the CPU time spent to stderr. `benches/buf-lint-parity.sh`
//! compares the lines with `buf lint`'s. Not a timed test: run it by hand.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: cargo bench --bench buf_lint -- DIR [RULE|CATEGORY…]");
        std::process::exit(2);
    };
    let start = Instant::now();
    let (files, _errors, _) = match schemaguard::read_path(std::path::Path::new(dir), None) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let rules = match schemaguard::formats::protobuf::select_lint_rules(&args[1..], &[]) {
        Ok(r) => r,
        Err(bad) => {
            eprintln!("unknown rule or category `{bad}`");
            std::process::exit(2);
        }
    };
    let opts = schemaguard::formats::protobuf::LintOptions {
        rules,
        ..Default::default()
    };
    let findings = schemaguard::formats::protobuf::lint(&files, &[], &opts);
    let elapsed = start.elapsed();
    let mut out = String::new();
    for f in &findings {
        let (line, col) = match &f.new {
            Some(l) if l.span != (0..0) || l.pointer.as_deref().is_some_and(|p| !p.is_empty()) => {
                let before = &l.file.text[..l.span.start];
                let line = before.matches('\n').count() + 1;
                let col = before
                    .rsplit('\n')
                    .next()
                    .map(|s| s.chars().count())
                    .unwrap_or(0)
                    + 1;
                (line, col)
            }
            _ => (1, 1),
        };
        let path = f
            .new
            .as_ref()
            .map(|l| l.file.path.as_str())
            .unwrap_or(&f.subject);
        out.push_str(
            &serde_json::json!({"path": path, "start_line": line, "start_column": col, "type": f.rule.id, "message": f.message})
                .to_string(),
        );
        out.push('\n');
    }
    print!("{out}");
    eprintln!(
        "{} files, {} findings, {:.2} s wall",
        files.len(),
        findings.len(),
        elapsed.as_secs_f64()
    );
}
