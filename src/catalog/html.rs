//! The catalog as a static HTML site that opens from disk (`file://`): `index.html` lists every subject with a
//! search box whose index is inline JSON (a page opened from disk cannot fetch), and `subjects/<slug>.html` shows
//! one subject; every page links the one style sheet `style.css` at the root. The JavaScript is inline; nothing is
//! loaded from the network.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::{format_time, Catalog, Entry, Verdict, Version};
use crate::formats::outline::TypeOutline;

const CSS: &str = include_str!("assets/catalog.css");
const JS: &str = include_str!("assets/search.js");

/// (path relative to the site root, contents) of every page.
/// The index page: its path in the site and its text.
pub(super) fn index_page(c: &Catalog) -> (PathBuf, String) {
    (PathBuf::from("index.html"), index(c))
}

/// The page of one subject: its path in the site and its text.
pub(super) fn subject_page(c: &Catalog, e: &Entry) -> (PathBuf, String) {
    (
        PathBuf::from("subjects").join(format!("{}.html", e.slug)),
        subject(c, e),
    )
}

pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON for an inline `<script>`: `</` and `<!--` cannot close or confuse the element.
fn script_json(v: &serde_json::Value) -> String {
    // `<` only occurs inside JSON strings, where `\u003c` is the same character.
    v.to_string()
        .replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The style sheet every page links to (`STYLE_SHEET` at the site's root): one file, not 6 KB in each of thousands
/// of pages. A stylesheet link to a sibling file works from `file://`.
pub(super) const STYLE_SHEET: &str = "style.css";

pub(super) fn style_sheet() -> (PathBuf, String) {
    (PathBuf::from(STYLE_SHEET), CSS.to_string())
}

/// `root` is the path from the page to the site's root (`""` or `"../"`).
fn head(title: &str, root: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"schemaguard catalog\">\n<title>{}</title>\n\
         <link rel=\"stylesheet\" href=\"{root}{STYLE_SHEET}\">\n</head>\n",
        esc(title)
    )
}

fn verdict_badge(v: Verdict) -> String {
    let class = match v {
        Verdict::Added => "added",
        Verdict::Compatible => "ok",
        Verdict::Warnings => "warn",
        Verdict::Breaking => "bad",
        Verdict::NotChecked => "muted",
        Verdict::Broken => "bad",
    };
    format!(
        "<span class=\"badge verdict {class}\">{}</span>",
        esc(v.label())
    )
}

fn format_badge(e: &Entry) -> String {
    let f = e.format.as_str();
    let label = match f {
        "avro" => "Avro",
        "protobuf" => "Protobuf",
        _ => "JSON Schema",
    };
    format!("<span class=\"badge fmt {f}\">{label}</span>")
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

fn field_count(e: &Entry) -> usize {
    e.outline
        .as_ref()
        .map(|o| o.types.iter().map(|t| t.fields.len()).sum())
        .unwrap_or(0)
}

/// The words the search box matches for a subject: names, owner, tags, consumers and types first, field names and
/// types next, docs last, each word once, so the 4,000-character cap drops docs of big subjects, not their fields.
fn search_text(e: &Entry) -> String {
    let mut words: Vec<&str> = vec![&e.name, &e.file, e.format.as_str()];
    if let Some(o) = &e.owner {
        words.push(o);
    }
    for (_, v) in &e.properties {
        words.push(v);
    }
    for tag in &e.tags {
        words.push(tag);
    }
    if !e.pii.is_empty() {
        words.push("pii");
    }
    for c in &e.consumers {
        words.push(&c.name);
    }
    if let Some(o) = &e.outline {
        for t in &o.types {
            words.push(&t.name);
            for tag in &t.tags {
                words.push(tag);
            }
        }
        for t in &o.types {
            for f in &t.fields {
                words.push(&f.name);
                words.push(&f.ty);
                for tag in &f.tags {
                    words.push(tag);
                }
            }
        }
        if let Some(d) = &o.doc {
            words.push(d);
        }
    }
    let mut seen = std::collections::HashSet::new();
    words.retain(|w| seen.insert(w.to_lowercase()));
    let mut s = words.join(" ").to_lowercase();
    if s.len() > 4_000 {
        let mut cut = 4_000;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

fn index(c: &Catalog) -> String {
    let mut h = head(&c.title, "");
    let breaking = c
        .subjects
        .iter()
        .filter(|e| {
            e.history
                .first()
                .is_some_and(|v| v.verdict == Verdict::Breaking)
        })
        .count();
    let _ = write!(
        h,
        "<body class=\"index\">\n<header class=\"top\"><div class=\"wrap\">\
         <h1>{}</h1><p class=\"sub\">{} subject{}",
        esc(&c.title),
        c.subjects.len(),
        if c.subjects.len() == 1 { "" } else { "s" }
    );
    if let Some(hc) = &c.head {
        let _ = write!(
            h,
            " · at commit <code>{}</code> ({})",
            esc(&hc.short),
            esc(&format_time(hc.time))
        );
    }
    if breaking > 0 {
        let _ = write!(
            h,
            " · <span class=\"badge verdict bad\">{breaking} with a breaking latest change</span>"
        );
    }
    h.push_str(
        "</p>\n<div class=\"search\"><input id=\"search\" type=\"search\" autocomplete=\"off\" \
         placeholder=\"Search subjects, fields, owners, tags…\" aria-label=\"Search\" autofocus>\
         <span id=\"count\" class=\"count\"></span></div></div></header>\n<main class=\"wrap\">\n\
         <p id=\"empty\" class=\"empty\" hidden>No subject matches.</p>\n<ul id=\"subjects\" class=\"cards\">\n",
    );
    let mut index = Vec::new();
    for e in &c.subjects {
        index.push(serde_json::json!({ "slug": e.slug, "text": search_text(e) }));
        let doc = e.summary_doc().map(first_line).unwrap_or("");
        let _ = write!(
            h,
            "<li class=\"card\" data-slug=\"{slug}\"><a class=\"name\" href=\"subjects/{slug}.html\">{name}</a> {fmt}",
            slug = esc(&e.slug),
            name = esc(&e.name),
            fmt = format_badge(e)
        );
        if let Some(v) = e.history.first() {
            if v.verdict == Verdict::Breaking {
                h.push(' ');
                h.push_str(&verdict_badge(v.verdict));
            }
        }
        if !e.pii.is_empty() {
            h.push_str(" <span class=\"badge pii\">PII</span>");
        }
        let _ = write!(h, "<p class=\"doc\">{}</p><p class=\"meta\">", esc(doc));
        match &e.owner {
            Some(o) => {
                let _ = write!(h, "<span>owner <b>{}</b></span>", esc(o));
            }
            None => h.push_str("<span class=\"muted\">no owner</span>"),
        }
        let _ = write!(
            h,
            "<span>{} field{}</span><span>{} version{}</span>",
            field_count(e),
            if field_count(e) == 1 { "" } else { "s" },
            e.history.len(),
            if e.history.len() == 1 { "" } else { "s" }
        );
        if !e.consumers.is_empty() {
            let _ = write!(
                h,
                "<span>{} consumer{}</span>",
                e.consumers.len(),
                if e.consumers.len() == 1 { "" } else { "s" }
            );
        }
        let _ = writeln!(h, "<span class=\"path\">{}</span></p></li>", esc(&e.file));
    }
    let _ = write!(
        h,
        "</ul>\n</main>\n<footer class=\"wrap\">Generated by schemaguard catalog.</footer>\n\
         <script id=\"search-index\" type=\"application/json\">{}</script>\n<script>{JS}</script>\n</body>\n</html>\n",
        script_json(&serde_json::Value::Array(index))
    );
    h
}

fn link_to(c: &Catalog, name: &str) -> String {
    match c.subjects.iter().find(|e| e.name == name) {
        Some(e) => format!("<a href=\"{}.html\">{}</a>", esc(&e.slug), esc(name)),
        None => esc(name),
    }
}

fn doc_html(doc: &str) -> String {
    doc.split("\n\n")
        .map(|p| format!("<p>{}</p>", esc(p.trim()).replace('\n', "<br>")))
        .collect()
}

/// Escaped text with `backtick spans` as code, as findings write element names.
fn rich(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    // An odd number of backticks: the last one was literal.
    if s.matches('`').count() % 2 == 1 {
        return esc(s);
    }
    out
}

fn type_section(h: &mut String, e: &Entry, t: &TypeOutline, show_doc: bool) {
    let _ = write!(
        h,
        "<section class=\"type\" id=\"type-{}\"><h3><span class=\"kind\">{}</span> {}",
        esc(&t.name),
        esc(&t.kind),
        esc(&t.name)
    );
    for tag in &t.tags {
        let _ = write!(h, " <span class=\"badge tag\">{}</span>", esc(tag));
    }
    h.push_str("</h3>");
    if let (Some(d), true) = (&t.doc, show_doc) {
        let _ = write!(h, "<div class=\"doc\">{}</div>", doc_html(d));
    }
    if !t.fields.is_empty() {
        let numbered = t.fields.iter().any(|f| f.number.is_some());
        h.push_str("<table class=\"fields\"><thead><tr>");
        if numbered {
            h.push_str("<th class=\"num\">#</th>");
        }
        h.push_str("<th>Field</th><th>Type</th><th>Description</th></tr></thead><tbody>\n");
        let short = t.name.rsplit('.').next().unwrap_or(&t.name);
        for f in &t.fields {
            let pii = e.pii.contains(&format!("{short}.{}", f.name));
            let _ = write!(h, "<tr{}>", if pii { " class=\"pii-row\"" } else { "" });
            if numbered {
                let _ = write!(
                    h,
                    "<td class=\"num\">{}</td>",
                    f.number.map(|n| n.to_string()).unwrap_or_default()
                );
            }
            let _ = write!(h, "<td class=\"fname\"><code>{}</code>", esc(&f.name));
            if f.required == Some(true) {
                h.push_str(" <span class=\"badge req\">required</span>");
            }
            if pii {
                h.push_str(" <span class=\"badge pii\">PII</span>");
            }
            for tag in f
                .tags
                .iter()
                .filter(|t| !crate::formats::outline::is_pii_tag(t))
            {
                let _ = write!(h, " <span class=\"badge tag\">{}</span>", esc(tag));
            }
            let _ = write!(h, "</td><td><code class=\"ty\">{}</code>", esc(&f.ty));
            if let Some(d) = &f.default {
                let _ = write!(
                    h,
                    "<div class=\"default\">default <code>{}</code></div>",
                    esc(d)
                );
            }
            let _ = writeln!(
                h,
                "</td><td>{}</td></tr>",
                f.doc.as_deref().map(doc_html).unwrap_or_default()
            );
        }
        h.push_str("</tbody></table>");
    }
    if !t.symbols.is_empty() {
        h.push_str("<p class=\"symbols\">");
        for s in &t.symbols {
            let _ = write!(h, "<code>{}</code> ", esc(s));
        }
        h.push_str("</p>");
    }
    h.push_str("</section>\n");
}

fn version_html(h: &mut String, v: &Version, i: usize) {
    let _ = write!(
        h,
        "<li class=\"version {}\" id=\"v{i}\"><div class=\"vhead\">{} ",
        match v.verdict {
            Verdict::Breaking | Verdict::Broken => "is-bad",
            Verdict::Warnings => "is-warn",
            _ => "",
        },
        verdict_badge(v.verdict)
    );
    match &v.commit {
        Some(c) => {
            let _ = write!(
                h,
                "<code class=\"sha\" title=\"{}\">{}</code> <span class=\"date\">{}</span> \
                 <span class=\"author\">{}</span><div class=\"summary\">{}</div>",
                esc(&c.id),
                esc(&c.short),
                esc(&format_time(c.time)),
                esc(&c.author),
                esc(&c.summary)
            );
        }
        None => h.push_str("<span class=\"date\">uncommitted changes in the working tree</span>"),
    }
    h.push_str("</div>");
    if !v.findings.is_empty() {
        h.push_str("<ul class=\"findings\">");
        for f in &v.findings {
            let _ = write!(
                h,
                "<li class=\"sev-{}\"><span class=\"rule\">{}</span> {}",
                esc(f.severity),
                esc(f.rule),
                rich(&f.message)
            );
            if let Some(at) = &f.at {
                let _ = write!(h, " <span class=\"at\">{}</span>", esc(at));
            }
            if let Some(help) = &f.help {
                let _ = write!(h, "<div class=\"help\">{}</div>", rich(help));
            }
            h.push_str("</li>");
        }
        h.push_str("</ul>");
    }
    h.push_str("</li>\n");
}

fn subject(c: &Catalog, e: &Entry) -> String {
    let mut h = head(&format!("{} · {}", e.name, c.title), "../");
    let _ = write!(
        h,
        "<body class=\"subject\">\n<header class=\"top\"><div class=\"wrap\">\
         <nav class=\"crumbs\"><a href=\"../index.html\">← {}</a></nav>\
         <h1 id=\"subject-name\">{}</h1><p class=\"sub\">{} <span class=\"badge mode\">{}</span>",
        esc(&c.title),
        esc(&e.name),
        format_badge(e),
        esc(e.mode.as_str())
    );
    if let Some(v) = e.history.first() {
        let _ = write!(h, " latest change: {}", verdict_badge(v.verdict));
    }
    h.push_str("</p></div></header>\n<main class=\"wrap grid\">\n<aside class=\"facts\"><dl>");
    let _ = write!(
        h,
        "<dt>Owner</dt><dd>{}</dd><dt>File</dt><dd><code>{}</code></dd>",
        e.owner
            .as_deref()
            .map(esc)
            .unwrap_or_else(|| "<span class=\"muted\">none declared</span>".into()),
        // A long path breaks after a `/` (or a `.` of a namespace), not inside a name.
        esc(&e.file).replace('/', "/<wbr>")
    );
    if let Some(ns) = e.outline.as_ref().and_then(|o| o.namespace.as_deref()) {
        let _ = write!(
            h,
            "<dt>Namespace</dt><dd><code>{}</code></dd>",
            esc(ns).replace('.', ".<wbr>")
        );
    }
    for (k, v) in &e.properties {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
    }
    let _ = write!(
        h,
        "<dt>Compatibility</dt><dd>{}</dd></dl><nav class=\"toc\"><a href=\"#fields\">Fields</a>\
         <a href=\"#examples\">Examples</a><a href=\"#consumers\">Consumers</a>\
         <a href=\"#references\">References</a><a href=\"#history\">History</a></nav></aside>\n<article>",
        esc(e.mode.as_str())
    );
    for p in &e.problems {
        let _ = write!(h, "<p class=\"problem\">{}</p>", esc(p));
    }
    if let Some(d) = e.outline.as_ref().and_then(|o| o.doc.as_deref()) {
        let _ = write!(h, "<div class=\"doc lead\">{}</div>", doc_html(d));
    }
    if !e.pii.is_empty() {
        let _ = write!(
            h,
            "<p class=\"pii-note\"><span class=\"badge pii\">PII</span> personal data in {}</p>",
            e.pii
                .iter()
                .map(|p| format!("<code>{}</code>", esc(p)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    h.push_str("<h2 id=\"fields\">Fields</h2>\n");
    match &e.outline {
        Some(o) if !o.types.is_empty() => {
            for (i, t) in o.types.iter().enumerate() {
                // The main type's doc is the subject's lead paragraph already.
                type_section(&mut h, e, t, i > 0 || t.doc != o.doc);
            }
        }
        _ => h.push_str("<p class=\"muted\">No outline: the schema does not load.</p>"),
    }
    h.push_str("<h2 id=\"examples\">Examples</h2>\n");
    if e.examples.is_empty() {
        let _ = write!(
            h,
            "<p class=\"muted\">None yet: add events under <code>examples/{}/</code>.</p>",
            esc(&e.name)
        );
    }
    for ex in &e.examples {
        let _ = write!(
            h,
            "<figure class=\"example\"><figcaption><code>{}</code></figcaption><pre>{}{}</pre></figure>",
            esc(&ex.file),
            esc(&ex.text),
            if ex.truncated { "\n…" } else { "" }
        );
    }
    h.push_str("<h2 id=\"consumers\">Consumers</h2>\n");
    if e.consumers.is_empty() {
        h.push_str("<p class=\"muted\">No consumer contract names this subject.</p>");
    } else {
        h.push_str("<ul class=\"consumers\">");
        for con in &e.consumers {
            let _ = write!(
                h,
                "<li><b>{}</b> <code class=\"muted\">{}</code>",
                esc(&con.name),
                esc(&con.file)
            );
            if !con.reads.is_empty() {
                h.push_str("<div class=\"reads\">reads ");
                for r in &con.reads {
                    let _ = write!(h, "<code>{}</code> ", esc(r));
                }
                h.push_str("</div>");
            }
            h.push_str("</li>");
        }
        h.push_str("</ul>");
    }
    h.push_str("<h2 id=\"references\">References</h2>\n<div class=\"refs\"><div><h4>Uses</h4>");
    refs(&mut h, c, &e.uses, "uses no other subject");
    h.push_str("</div><div><h4>Used by</h4>");
    refs(&mut h, c, &e.used_by, "no other subject uses it");
    h.push_str("</div></div>\n<h2 id=\"history\">History</h2>\n");
    if e.history.is_empty() {
        h.push_str("<p class=\"muted\">Not in git history yet.</p>");
    } else {
        h.push_str("<ol class=\"timeline\">");
        for (i, v) in e.history.iter().enumerate() {
            version_html(&mut h, v, i);
        }
        h.push_str("</ol>");
    }
    h.push_str(
        "</article>\n</main>\n<footer class=\"wrap\">Generated by schemaguard catalog.</footer>\n</body>\n</html>\n",
    );
    h
}

fn refs(h: &mut String, c: &Catalog, names: &[String], none: &str) {
    if names.is_empty() {
        let _ = write!(h, "<p class=\"muted\">{none}</p>");
        return;
    }
    h.push_str("<ul>");
    for n in names {
        let _ = write!(h, "<li>{}</li>", link_to(c, n));
    }
    h.push_str("</ul>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(
            rich("field `a<b>` of `R`"),
            "field <code>a&lt;b&gt;</code> of <code>R</code>"
        );
        assert_eq!(rich("one ` tick"), "one ` tick");
        let v = serde_json::json!(["</script><!--"]);
        assert_eq!(script_json(&v), "[\"\\u003c/script>\\u003c!--\"]");
    }
}
