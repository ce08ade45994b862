//! Markdown for `$GITHUB_STEP_SUMMARY` and pull-request comments (GitHub-flavoured): a heading with the verdict,
//! counts per severity, one table row per finding, and a collapsed `<details>` per finding with the help line
//! and the previous location. Text from findings is escaped so that a `|` never splits a cell and a stray
//! backtick, `<` or `*` never changes the layout; backtick code spans in messages stay code spans. Long reports
//! are cut (GitHub rejects comments over 65,536 characters), saying how many findings were left out.

use std::io::Write;

use crate::finding::{Finding, Location, Severity};
use crate::report::{place, region, uri_path, Report};

/// Rows of the findings table; more are counted, not shown.
const MAX_ROWS: usize = 100;
/// Findings given a `<details>` block.
const MAX_DETAILS: usize = 30;

/// A piece of a message: plain text or a backtick code span (CommonMark: a run of N backticks closed by the
/// next run of exactly N).
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Code(&'a str),
}

fn backtick_run(s: &str, at: usize) -> usize {
    s[at..].bytes().take_while(|b| *b == b'`').count()
}

fn pieces(s: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i < s.len() {
        if s.as_bytes()[i] != b'`' {
            i += 1;
            continue;
        }
        let n = backtick_run(s, i);
        // Find the closing run of exactly n backticks.
        let mut j = i + n;
        let mut close = None;
        while j < s.len() {
            if s.as_bytes()[j] == b'`' {
                let m = backtick_run(s, j);
                if m == n {
                    close = Some(j);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match close {
            Some(c) => {
                if text_start < i {
                    out.push(Piece::Text(&s[text_start..i]));
                }
                out.push(Piece::Code(&s[i + n..c]));
                i = c + n;
                text_start = i;
            }
            // An unmatched run is literal text (escaped on output).
            None => i += n,
        }
    }
    if text_start < s.len() {
        out.push(Piece::Text(&s[text_start..]));
    }
    out
}

/// Plain text for Markdown: ASCII punctuation that could start markup is backslash-escaped, line breaks
/// become spaces (a table row is one line).
/// In a pull-request comment `@name` would notify a user and `#12` link an issue even when escaped, so a
/// word joiner (U+2060, invisible) is put after `@` and `#` when a name or number follows.
fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '@' | '#' => {
                out.push(c);
                if chars.peek().is_some_and(|n| n.is_alphanumeric()) {
                    out.push('\u{2060}');
                }
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A code span holding `s` verbatim: the fence is one backtick longer than any run inside, padded with a space
/// when the content starts or ends with a backtick; `|` is escaped (GFM tables split on it even in code).
fn code(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ");
    let mut longest = 0;
    let mut run = 0;
    for b in s.bytes() {
        if b == b'`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", s.replace('|', "\\|"))
}

/// A message for Markdown: its code spans kept as code, the rest escaped.
fn inline(s: &str) -> String {
    pieces(s)
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => escape_text(t),
            Piece::Code(c) => code(c),
        })
        .collect()
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '@' | '#' => {
                out.push(c);
                if chars.peek().is_some_and(|n| n.is_alphanumeric()) {
                    out.push('\u{2060}');
                }
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A message for HTML (inside `<summary>`, where Markdown is not rendered): code spans become `<code>`.
fn inline_html(s: &str) -> String {
    pieces(s)
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => escape_html(t),
            Piece::Code(c) => format!("<code>{}</code>", escape_html(c)),
        })
        .collect()
}

fn badge(s: Severity) -> &'static str {
    match s {
        Severity::Error => "❌ error",
        Severity::Warning => "⚠️ warning",
        Severity::Info => "ℹ️ note",
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// A location as a relative link `path#Lline` when it is in the working tree; a location in another revision
/// (the old side) cannot be linked relatively and is shown as code.
/// With a `base` (the CI's browse URL of the checked commit) the link is absolute, so it works in a job summary or
/// a pull-request comment (issue 11 item 9).
fn location_cell(loc: &Location, base: Option<&str>) -> String {
    let r = region(loc);
    match &loc.file.revision {
        None => format!(
            "[{}]({}{}#L{})",
            escape_text(&format!("{}:{}", loc.file.shown, r.line)),
            base.unwrap_or(""),
            uri_path(&loc.file.shown),
            r.line
        ),
        Some(_) => code(&format!("{}:{}", loc.file.display_name(), r.line)),
    }
}

fn row(f: &Finding, base: Option<&str>) -> String {
    let location = match (&f.new, &f.old) {
        (Some(new), _) => location_cell(new, base),
        (None, Some(old)) => format!("{} (deleted)", location_cell(old, base)),
        (None, None) => String::new(),
    };
    format!(
        "| {} | [{}]({}) | {} | {} | {} |",
        badge(f.severity),
        code(f.rule.id),
        f.rule.doc_url(),
        f.subjects().map(code).collect::<Vec<_>>().join(", "),
        location,
        inline(&f.message)
    )
}

fn details(f: &Finding, out: &mut dyn Write) -> std::io::Result<()> {
    let at = f
        .primary()
        .map(|l| format!(" at {}", escape_html(&place(l))))
        .unwrap_or_default();
    writeln!(
        out,
        "<details>\n<summary>{} <code>{}</code>{at}: {}</summary>\n",
        badge(f.severity),
        f.rule.id,
        inline_html(&f.message)
    )?;
    if let Some(help) = f.help.as_deref().filter(|h| !h.is_empty()) {
        writeln!(out, "**Help:** {}\n", inline(help))?;
    }
    match (&f.new, &f.old) {
        (Some(new), Some(old)) => {
            writeln!(out, "**Now:** {}  ", code(&place(new)))?;
            writeln!(out, "**Previously:** {}\n", code(&place(old)))?;
        }
        (Some(new), None) => writeln!(out, "**At:** {}\n", code(&place(new)))?,
        (None, Some(old)) => writeln!(
            out,
            "**Previously:** {} (no longer in the new version)\n",
            code(&place(old))
        )?,
        (None, None) => {}
    }
    let mut facts = vec![format!(
        "{} {}",
        if f.also.is_empty() {
            "subject"
        } else {
            "affects"
        },
        f.subjects().map(code).collect::<Vec<_>>().join(", ")
    )];
    if let Some(fmt) = f.format {
        facts.push(format!("format {}", fmt.as_str()));
    }
    if let Some(m) = f.mode {
        facts.push(format!("mode {}", code(m.as_str())));
    }
    facts.push(format!("[rule documentation]({})", f.rule.doc_url()));
    writeln!(out, "{}\n\n</details>\n", facts.join(" · "))
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let sm = &report.summary;
    let verdict = if sm.errors > 0 {
        format!("❌ schemaguard: {}", plural(sm.errors, "error"))
    } else if sm.warnings > 0 {
        format!(
            "⚠️ schemaguard: no breaking changes, {}",
            plural(sm.warnings, "warning")
        )
    } else {
        "✅ schemaguard: No breaking changes".to_string()
    };
    writeln!(out, "## {verdict}\n")?;
    let mut context = Vec::new();
    if sm.subjects_checked > 0 || sm.contract_tests == 0 {
        context.push(format!(
            "{} checked",
            plural(sm.subjects_checked, "subject")
        ));
    }
    if sm.contract_tests > 0 {
        context.push(format!(
            "{} run",
            plural(sm.contract_tests, "contract test")
        ));
    }
    match sm.modes.as_slice() {
        [] => {
            if let Some(m) = sm.mode {
                context.push(format!("mode {}", code(m.as_str())));
            }
        }
        [one] => context.push(format!("mode {}", code(one.as_str()))),
        many => context.push(format!(
            "modes {}",
            many.iter()
                .map(|m| code(m.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    if let Some(b) = &sm.baseline {
        context.push(format!("against {}", code(b)));
    }
    writeln!(
        out,
        "**{}** · **{}** · **{}** — {}\n",
        plural(sm.errors, "error"),
        plural(sm.warnings, "warning"),
        plural(sm.infos, "note"),
        context.join(", ")
    )?;
    if report.findings.is_empty() {
        return writeln!(
            out,
            "No breaking changes: every schema is compatible with its baseline."
        );
    }
    writeln!(out, "| Severity | Rule | Subject | Location | Message |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    for f in report.findings.iter().take(MAX_ROWS) {
        writeln!(out, "{}", row(f, sm.link_base.as_deref()))?;
    }
    let n = report.findings.len();
    if n > MAX_ROWS {
        writeln!(
            out,
            "\n… and {} not shown; run with `--format text` or `--format sarif` for all.",
            plural(n - MAX_ROWS, "more finding")
        )?;
    }
    writeln!(out)?;
    for f in report.findings.iter().take(MAX_DETAILS) {
        details(f, out)?;
    }
    if n > MAX_DETAILS {
        writeln!(
            out,
            "Details are shown for the first {MAX_DETAILS} findings."
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_are_found() {
        assert_eq!(
            pieces("field `a` of ``b`c``"),
            vec![
                Piece::Text("field "),
                Piece::Code("a"),
                Piece::Text(" of "),
                Piece::Code("b`c")
            ]
        );
        assert_eq!(pieces("a ` b"), vec![Piece::Text("a ` b")]);
    }

    #[test]
    fn cells_cannot_be_split() {
        assert_eq!(inline("a|b `x|y`"), "a\\|b `x\\|y`");
        assert_eq!(inline("stray ` tick <T>"), "stray \\` tick \\<T\\>");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
    }

    #[test]
    fn no_mentions_or_issue_links() {
        assert_eq!(
            inline("see @team and #12, `@ok`"),
            "see @\u{2060}team and #\u{2060}12, `@ok`"
        );
        assert_eq!(inline("a # b @"), "a # b @");
    }
}
