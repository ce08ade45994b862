//! The catalog as Markdown pages for documentation sites (MkDocs, Docusaurus, GitHub's own rendering):
//! `index.md` with a table of subjects and `subjects/<slug>.md` per subject, linked relatively.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::{format_time, Catalog, Entry};

/// The index page: its path in the site and its text.
pub(super) fn index_page(c: &Catalog) -> (PathBuf, String) {
    (PathBuf::from("index.md"), index(c))
}

/// The page of one subject: its path in the site and its text.
pub(super) fn subject_page(c: &Catalog, e: &Entry) -> (PathBuf, String) {
    (
        PathBuf::from("subjects").join(format!("{}.md", e.slug)),
        subject(c, e),
    )
}

/// Text safe in a table cell or a line of prose: no pipes, no newlines, no HTML.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\n', '\r'], " ")
}

fn code(s: &str) -> String {
    // A backtick inside the span needs a longer fence.
    if s.contains('`') {
        format!("`` {} ``", s.replace('|', "\\|").replace('\n', " "))
    } else {
        format!("`{}`", s.replace('|', "\\|").replace('\n', " "))
    }
}

fn index(c: &Catalog) -> String {
    let mut m = format!("# {}\n\n", cell(&c.title));
    let _ = write!(m, "{} subjects", c.subjects.len());
    if let Some(h) = &c.head {
        let _ = write!(m, " at commit `{}` ({})", h.short, format_time(h.time));
    }
    m.push_str(
        ".\n\n| Subject | Format | Owner | Description | Latest change |\n|---|---|---|---|---|\n",
    );
    for e in &c.subjects {
        let doc = e.summary_doc().and_then(|d| d.lines().next()).unwrap_or("");
        let _ = writeln!(
            m,
            "| [{}](subjects/{}.md) | {} | {} | {} | {} |",
            cell(&e.name),
            e.slug,
            e.format.as_str(),
            cell(e.owner.as_deref().unwrap_or("")),
            cell(doc),
            e.history.first().map(|v| v.verdict.label()).unwrap_or("")
        );
    }
    m
}

fn subject(c: &Catalog, e: &Entry) -> String {
    let mut m = format!(
        "# {}\n\n[← {}](../index.md)\n\n",
        cell(&e.name),
        cell(&c.title)
    );
    let _ = writeln!(m, "| | |\n|---|---|");
    let _ = writeln!(m, "| Format | {} |", e.format.as_str());
    let _ = writeln!(m, "| Compatibility | {} |", e.mode.as_str());
    let _ = writeln!(
        m,
        "| Owner | {} |",
        cell(e.owner.as_deref().unwrap_or("none declared"))
    );
    let _ = writeln!(m, "| File | {} |", code(&e.file));
    for (k, v) in &e.properties {
        let _ = writeln!(m, "| {} | {} |", cell(k), cell(v));
    }
    m.push('\n');
    for p in &e.problems {
        let _ = writeln!(m, "> **Does not load:** {}\n", cell(p));
    }
    if let Some(d) = e.outline.as_ref().and_then(|o| o.doc.as_deref()) {
        let _ = writeln!(m, "{}\n", cell(d));
    }
    if !e.pii.is_empty() {
        let list: Vec<String> = e.pii.iter().map(|p| code(p)).collect();
        let _ = writeln!(m, "**PII:** {}\n", list.join(", "));
    }
    m.push_str("## Fields\n\n");
    for t in e.outline.iter().flat_map(|o| &o.types) {
        let _ = writeln!(m, "### {} {}\n", t.kind, code(&t.name));
        if let Some(d) = &t.doc {
            let _ = writeln!(m, "{}\n", cell(d));
        }
        if !t.fields.is_empty() {
            m.push_str("| Field | Type | Description |\n|---|---|---|\n");
            let short = t.name.rsplit('.').next().unwrap_or(&t.name);
            for f in &t.fields {
                let mut marks = Vec::new();
                if let Some(n) = f.number {
                    marks.push(format!("#{n}"));
                }
                if f.required == Some(true) {
                    marks.push("required".into());
                }
                if e.pii.contains(&format!("{short}.{}", f.name)) {
                    marks.push("**PII**".into());
                }
                marks.extend(f.tags.iter().map(|t| cell(t)));
                let _ = writeln!(
                    m,
                    "| {} {} | {} | {} |",
                    code(&f.name),
                    marks.join(" "),
                    code(&f.ty),
                    cell(f.doc.as_deref().unwrap_or(""))
                );
            }
            m.push('\n');
        }
        if !t.symbols.is_empty() {
            let list: Vec<String> = t.symbols.iter().map(|s| code(s)).collect();
            let _ = writeln!(m, "Values: {}\n", list.join(", "));
        }
    }
    m.push_str("## Examples\n\n");
    if e.examples.is_empty() {
        m.push_str("None.\n\n");
    }
    for ex in &e.examples {
        let fence = if ex.text.contains("```") {
            "~~~~"
        } else {
            "```"
        };
        let _ = writeln!(
            m,
            "{}\n\n{fence}json\n{}{}\n{fence}\n",
            code(&ex.file),
            ex.text,
            if ex.truncated { "\n…" } else { "" }
        );
    }
    m.push_str("## Consumers\n\n");
    if e.consumers.is_empty() {
        m.push_str("None declared.\n\n");
    }
    for con in &e.consumers {
        let reads: Vec<String> = con.reads.iter().map(|r| code(r)).collect();
        let _ = writeln!(
            m,
            "- **{}** ({}){}",
            cell(&con.name),
            code(&con.file),
            if reads.is_empty() {
                String::new()
            } else {
                format!(": reads {}", reads.join(", "))
            }
        );
    }
    m.push_str("\n## References\n\n");
    let link = |n: &String| match c.subjects.iter().find(|s| &s.name == n) {
        Some(s) => format!("[{}]({}.md)", cell(n), s.slug),
        None => cell(n),
    };
    let uses: Vec<String> = e.uses.iter().map(link).collect();
    let used_by: Vec<String> = e.used_by.iter().map(link).collect();
    let _ = writeln!(
        m,
        "- Uses: {}\n- Used by: {}\n",
        if uses.is_empty() {
            "—".into()
        } else {
            uses.join(", ")
        },
        if used_by.is_empty() {
            "—".into()
        } else {
            used_by.join(", ")
        }
    );
    m.push_str("## History\n\n");
    for v in &e.history {
        match &v.commit {
            Some(ci) => {
                let _ = writeln!(
                    m,
                    "- **{}** `{}` {} {}: {}",
                    v.verdict.label(),
                    ci.short,
                    format_time(ci.time),
                    cell(&ci.author),
                    cell(&ci.summary)
                );
            }
            None => {
                let _ = writeln!(m, "- **{}** uncommitted changes", v.verdict.label());
            }
        }
        for f in &v.findings {
            let _ = writeln!(
                m,
                "  - `{}` ({}) {}{}",
                f.rule,
                f.severity,
                cell(&f.message),
                f.at.as_deref()
                    .map(|a| format!(" — {}", code(a)))
                    .unwrap_or_default()
            );
        }
    }
    m
}
