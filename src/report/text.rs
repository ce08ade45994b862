//! Human output through miette: per finding the rule id, the message, a labelled snippet of the new file and,
//! when the element existed before, a second snippet of the old file titled with its revision; then the help
//! line and where the rule is documented. Colours only when asked (a terminal without `NO_COLOR`).

use std::io::Write;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use crate::finding::{Finding, Location, Severity};
use crate::report::{Report, TextStyle};

/// A finding seen as a miette diagnostic (primary location).
struct FindingDiag<'a> {
    f: &'a Finding,
    source: Option<NamedSource<String>>,
    label: Option<LabeledSpan>,
    related: Vec<SideDiag>,
}

/// The other side's snippet, shown below the primary one.
#[derive(Debug)]
struct SideDiag {
    title: String,
    source: NamedSource<String>,
    label: LabeledSpan,
}

impl std::fmt::Debug for FindingDiag<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.f.rule.id)
    }
}
impl std::fmt::Display for FindingDiag<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&printable(&self.f.message))
    }
}
impl std::error::Error for FindingDiag<'_> {}

impl Diagnostic for FindingDiag<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        // The subject tells apart findings that one change causes in several schemas (a shared type, an import).
        Some(Box::new(format!("{} · {}", self.f.rule.id, self.f.subject)))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.f.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .clone()
            .map(|l| Box::new(std::iter::once(l)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

impl std::fmt::Display for SideDiag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.title)
    }
}
impl std::error::Error for SideDiag {}
impl Diagnostic for SideDiag {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
}

/// The snippet's title: `file:line:column`, columns in characters as everywhere else in our output (miette's own
/// position counts bytes, so the handler is told not to add it).
fn named_source(loc: &Location) -> NamedSource<String> {
    let lc = loc.file.line_col(loc.span.start);
    NamedSource::new(
        format!("{}:{}:{}", loc.file.display_name(), lc.line, lc.column),
        printable(&loc.file.text),
    )
}

/// The text with control characters (NUL, ESC, C1 controls…) replaced by a visible character of the same UTF-8
/// length, so a schema file cannot drive the user's terminal and every byte span still points where it did.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => c,
            '\u{0}'..='\u{1f}' | '\u{7f}' => '?',
            '\u{80}'..='\u{9f}' => '\u{bf}',
            _ => c,
        })
        .collect()
}

fn labeled(loc: &Location, text: &str) -> LabeledSpan {
    let len = loc.file.text.len();
    let start = loc.span.start.min(len);
    let end = loc.span.end.clamp(start, len);
    LabeledSpan::new_with_span(Some(text.to_string()), start..end)
}

fn has_text(loc: &Location) -> bool {
    !loc.file.text.is_empty()
}

fn diag(f: &Finding) -> FindingDiag<'_> {
    let (primary, primary_text) = match (&f.new, &f.old) {
        (Some(n), _) => (Some(n), "here"),
        (None, Some(o)) => (Some(o), "was here"),
        (None, None) => (None, ""),
    };
    let mut related = Vec::new();
    if let (Some(_), Some(o)) = (&f.new, &f.old) {
        if has_text(o) {
            related.push(SideDiag {
                title: format!("previously, in {}", o.file.display_name()),
                source: named_source(o),
                label: labeled(o, "before"),
            });
        }
    }
    match primary {
        Some(p) if has_text(p) => FindingDiag {
            f,
            source: Some(named_source(p)),
            label: Some(labeled(p, primary_text)),
            related,
        },
        _ => FindingDiag {
            f,
            source: None,
            label: None,
            related,
        },
    }
}

/// Renders every finding, then one summary line.
pub fn render(report: &Report, style: TextStyle, out: &mut dyn Write) -> std::io::Result<()> {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_urls(false)
        .with_width(style.width.unwrap_or(100))
        .with_context_lines(1)
        .without_primary_span_start();
    for f in &report.findings {
        let d = diag(f);
        let mut s = String::new();
        if handler.render_report(&mut s, &d).is_err() {
            s = format!("{}: {}\n", f.rule.id, f.message);
        }
        // The old snippet follows the new one, titled with its revision; help comes last.
        for side in &d.related {
            let mut r = String::new();
            if handler.render_report(&mut r, side).is_ok() {
                s.push_str(&r);
            }
        }
        if let Some(help) = f.help.as_deref().filter(|h| !h.is_empty()) {
            s.push_str(&format!("  help: {}\n", printable(help)));
        }
        s.push_str(&format!("  docs: schemaguard explain {}\n", f.rule.id));
        // A location with no text to show (a file that could not be read) still gets its path.
        if d.source.is_none() {
            if let Some(p) = f.primary() {
                s.push_str(&format!("  at {}\n", p.file.display_name()));
            }
        }
        out.write_all(s.as_bytes())?;
        writeln!(out)?;
    }
    let sm = &report.summary;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "{}, {}, {}",
        plural(sm.errors, "error"),
        plural(sm.warnings, "warning"),
        plural(sm.infos, "note")
    );
    line.push_str(&format!(
        " ({} checked",
        plural(sm.subjects_checked, "subject")
    ));
    if let Some(m) = sm.mode {
        line.push_str(&format!(", mode {m}"));
    }
    if let Some(b) = &sm.baseline {
        line.push_str(&format!(", against {b}"));
    }
    line.push(')');
    writeln!(out, "{line}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_replaced_byte_for_byte() {
        let text = "a\u{0}b\u{1b}[31mc\u{85}d\né";
        let p = super::printable(text);
        assert_eq!(p.len(), text.len());
        assert_eq!(p, "a?b?[31mc\u{bf}d\né");
    }
}
