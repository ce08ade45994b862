//! Human output through miette: per finding the rule id, the message, a labelled snippet of the new file and,
//! when the element existed before, a second snippet of the old file titled with its revision; then the help
//! line and where the rule is documented. Colours only when asked (a terminal without `NO_COLOR`).

use std::io::Write;

use std::ops::Range;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use crate::finding::{Finding, Location, Severity};
use crate::report::{Report, TextStyle};

/// A finding seen as a miette diagnostic (primary location).
struct FindingDiag<'a> {
    f: &'a Finding,
    source: Option<Excerpt>,
    label: Option<LabeledSpan>,
    related: Vec<SideDiag>,
}

/// The other side's snippet, shown below the primary one.
#[derive(Debug)]
struct SideDiag {
    title: String,
    source: Excerpt,
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
        let subjects: Vec<&str> = self.f.subjects().collect();
        Some(Box::new(format!(
            "{} · {}",
            self.f.rule.id,
            subjects.join(", ")
        )))
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
fn title(loc: &Location) -> String {
    let lc = loc.file.line_col(loc.span.start);
    format!("{}:{}:{}", loc.file.display_name(), lc.line, lc.column)
}

/// The most characters of one line a snippet shows. A longer line (minified JSON, a schema stored as one line) is
/// cut to a window around the span with `…` on the cut sides: miette pads with `format!` widths, which panic past
/// 65,535 columns, and a megabyte of one line helps nobody.
const LINE_WINDOW: usize = 120;
/// How many characters before the span a cut line keeps.
const LEAD: usize = 40;
const ELLIPSIS: &str = "…";

/// The lines a snippet may show (the span's lines and context), each cut to
/// [`LINE_WINDOW`] characters, with the span mapped into this excerpt. miette numbers lines from the excerpt's
/// first line, so the gutter shows the file's own line numbers. Building it costs the length of the shown lines,
/// never the whole file, so a report of many findings in one big file stays linear.
struct Excerpt {
    name: String,
    text: String,
    /// 0-based line number of the excerpt's first line in the file.
    first_line: usize,
    span: Range<usize>,
}

impl Excerpt {
    fn new(loc: &Location) -> Self {
        let file = &loc.file;
        let text = &*file.text;
        let mut start = loc.span.start.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = loc.span.end.clamp(start, text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let (first_span_line, last_span_line) = (file.line_index(start), file.line_index(end));
        // Two lines each side, more than the handler's one line of context, so it picks the lines it would pick
        // from the whole file.
        let first_line = first_span_line.saturating_sub(2);
        let last_line = (last_span_line + 2).min(file.line_count().saturating_sub(1));
        let mut out = String::new();
        let (mut new_start, mut new_end) = (0, 0);
        for idx in first_line..=last_line {
            if idx > first_line {
                out.push('\n');
            }
            let range = file.line_range(idx);
            let line = &text[range.clone()];
            // Where in this line the window is anchored: the span's start, or the line's start when the span begins
            // on an earlier line (context lines too).
            let anchor = if idx == first_span_line {
                start.saturating_sub(range.start).min(line.len())
            } else {
                0
            };
            let (from, to) = window(line, anchor);
            let base = out.len();
            let lead = if from > 0 { ELLIPSIS.len() } else { 0 };
            if from > 0 {
                out.push_str(ELLIPSIS);
            }
            out.push_str(&printable(&line[from..to]));
            if to < line.len() {
                out.push_str(ELLIPSIS);
            }
            // An offset of this line, moved into the window (clamped to its ends).
            let map = |offset: usize| {
                base + lead + offset.saturating_sub(range.start).clamp(from, to) - from
            };
            if idx == first_span_line {
                new_start = map(start);
            }
            if idx == last_span_line {
                new_end = map(end).max(new_start);
            }
        }
        Excerpt {
            name: title(loc),
            text: out,
            first_line,
            span: new_start..new_end,
        }
    }
}

/// The byte range of `line` a snippet shows: all of it when short, else [`LINE_WINDOW`] characters starting
/// [`LEAD`] characters before `anchor` (or ending at the line's end when that is closer).
fn window(line: &str, anchor: usize) -> (usize, usize) {
    if line.len() <= LINE_WINDOW {
        return (0, line.len());
    }
    let back = |from: usize, n: usize| {
        line[..from]
            .char_indices()
            .rev()
            .take(n)
            .last()
            .map_or(from, |(i, _)| i)
    };
    let from = back(anchor, LEAD);
    match line[from..].char_indices().nth(LINE_WINDOW) {
        Some((i, _)) => (from, from + i),
        None => (back(line.len(), LINE_WINDOW), line.len()),
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

impl std::fmt::Debug for Excerpt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
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

fn labeled(excerpt: &Excerpt, text: &str) -> LabeledSpan {
    LabeledSpan::new_with_span(Some(text.to_string()), excerpt.span.clone())
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
            let source = Excerpt::new(o);
            related.push(SideDiag {
                title: format!("previously, in {}", o.file.display_name()),
                label: labeled(&source, "before"),
                source,
            });
        }
    }
    match primary {
        Some(p) if has_text(p) => {
            let source = Excerpt::new(p);
            FindingDiag {
                f,
                label: Some(labeled(&source, primary_text)),
                source: Some(source),
                related,
            }
        }
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
    if sm.mode.is_none() && sm.subjects_checked == 0 && sm.contract_tests == 0 {
        // `schemaguard lint`: files judged on their own, no comparison.
        line.push_str(&format!(" ({} linted", plural(sm.files, "file")));
    } else if sm.subjects_checked == 0 && sm.contract_tests > 0 {
        // `schemaguard test`: the contract tests are what ran.
        line.push_str(&format!(
            " ({} run",
            plural(sm.contract_tests, "contract test")
        ));
    } else {
        line.push_str(&format!(
            " ({} checked",
            plural(sm.subjects_checked, "subject")
        ));
        if sm.contract_tests > 0 {
            line.push_str(&format!(
                ", {} run",
                plural(sm.contract_tests, "contract test")
            ));
        }
    }
    if let Some(m) = sm.modes_label() {
        line.push_str(&format!(", {m}"));
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

    #[test]
    fn long_lines_are_cut_around_the_anchor_on_character_boundaries() {
        use super::{window, LEAD, LINE_WINDOW};
        let short = "abc";
        assert_eq!(window(short, 1), (0, 3));
        let line = "é".repeat(1000);
        let (from, to) = window(&line, 1000);
        assert!(line.is_char_boundary(from) && line.is_char_boundary(to));
        assert_eq!(line[from..to].chars().count(), LINE_WINDOW);
        assert_eq!(line[from..1000].chars().count(), LEAD);
        // Near the end the window ends with the line.
        let (from, to) = window(&line, line.len());
        assert_eq!(to, line.len());
        assert_eq!(line[from..to].chars().count(), LINE_WINDOW);
    }
}
