//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding, which the runner
//! turns into an annotation on the pull request's diff. The title is the rule id; the message carries the help
//! line and the rule's documentation URL. Values are escaped as the runner expects; nothing else is printed.

use std::io::Write;

use crate::finding::{Finding, Severity};
use crate::report::{place, region, Report};

/// Escapes a command's message (data): `%`, CR and LF, as `actions/toolkit` `escapeData` does.
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as data, plus `:` and `,` (`escapeProperty`).
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn line(f: &Finding) -> String {
    let mut props: Vec<(&str, String)> = Vec::new();
    // Annotations show no subject of their own: the message names it (issue 11 item 7).
    let mut message = format!("{} ({})", f.message, f.subjects_phrase());
    let loc = match (&f.new, &f.old) {
        (Some(new), _) => Some(new),
        // A deletion: annotate the deleted file's path at its old line, and say so.
        (None, Some(old)) => {
            message.push_str(&format!(
                " (no longer in the new version; was at {})",
                place(old)
            ));
            Some(old)
        }
        (None, None) => None,
    };
    if let Some(loc) = loc {
        let r = region(loc);
        props.push(("file", loc.file.shown.clone()));
        props.push(("line", r.line.to_string()));
        // The runner rejects columns on an annotation that spans several lines (actions/runner#2082,
        // like the Checks API): a multi-line element keeps its lines only.
        if r.line == r.end_line {
            props.push(("col", r.column.to_string()));
            props.push(("endLine", r.end_line.to_string()));
            props.push(("endColumn", r.end_column.to_string()));
        } else {
            props.push(("endLine", r.end_line.to_string()));
        }
    }
    props.push(("title", f.rule.id.to_string()));
    if let Some(help) = f.help.as_deref().filter(|h| !h.is_empty()) {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    message.push_str(&format!("\nsee {}", f.rule.doc_url()));
    let props: Vec<String> = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    format!(
        "::{} {}::{}",
        command(f.severity),
        props.join(","),
        escape_data(&message)
    )
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    for f in &report.findings {
        writeln!(out, "{}", line(f))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_toolkit() {
        assert_eq!(escape_data("50%\r\nok: a,b"), "50%25%0D%0Aok: a,b");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
