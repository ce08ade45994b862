//! The one type for everything schemaguard can say: a `Finding` names a declared rule, carries a severity, a
//! message naming the element, a help line, and where the element is in the new schema and was in the old one.
//! Findings are data: checks return them, reporters render them, nothing here prints.

use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

use crate::rules::Rule;
use crate::source::SourceFile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" | "note" => Some(Severity::Info),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Compatibility,
    Breaking,
    Lint,
    Richness,
    Contract,
    Input,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Compatibility => "compatibility",
            Category::Breaking => "breaking",
            Category::Lint => "lint",
            Category::Richness => "richness",
            Category::Contract => "contract",
            Category::Input => "input",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Format {
    #[serde(rename = "avro")]
    Avro,
    #[serde(rename = "protobuf")]
    Protobuf,
    #[serde(rename = "jsonschema")]
    JsonSchema,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Avro => "avro",
            Format::Protobuf => "protobuf",
            Format::JsonSchema => "jsonschema",
        }
    }
}

/// Confluent's compatibility levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Mode {
    None,
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
}

/// Which schema reads which: `Backward` means the new schema (reader) reads data written with the old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Backward,
    Forward,
}

impl Mode {
    pub const ALL: [Mode; 7] = [
        Mode::None,
        Mode::Backward,
        Mode::BackwardTransitive,
        Mode::Forward,
        Mode::ForwardTransitive,
        Mode::Full,
        Mode::FullTransitive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::None => "NONE",
            Mode::Backward => "BACKWARD",
            Mode::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Mode::Forward => "FORWARD",
            Mode::ForwardTransitive => "FORWARD_TRANSITIVE",
            Mode::Full => "FULL",
            Mode::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    /// Case-insensitive, like Confluent's `CompatibilityLevel.forName`.
    pub fn parse(s: &str) -> Option<Mode> {
        let up = s.trim().to_ascii_uppercase().replace('-', "_");
        Mode::ALL.into_iter().find(|m| m.as_str() == up)
    }

    pub fn is_transitive(self) -> bool {
        matches!(
            self,
            Mode::BackwardTransitive | Mode::ForwardTransitive | Mode::FullTransitive
        )
    }

    /// Directions checked, in Confluent's order (FULL: forward half first).
    pub fn directions(self) -> &'static [Direction] {
        match self {
            Mode::None => &[],
            Mode::Backward | Mode::BackwardTransitive => &[Direction::Backward],
            Mode::Forward | Mode::ForwardTransitive => &[Direction::Forward],
            Mode::Full | Mode::FullTransitive => &[Direction::Forward, Direction::Backward],
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an element is: a byte span in one source file, plus the format's own path to it (a JSON pointer for
/// Avro and JSON Schema, a dotted path for Protobuf).
#[derive(Debug, Clone)]
pub struct Location {
    pub file: Arc<SourceFile>,
    pub span: Range<usize>,
    pub pointer: Option<String>,
}

impl Location {
    pub fn new(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        Location {
            file: Arc::clone(file),
            span,
            pointer: None,
        }
    }

    pub fn with_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    /// Lowercase, no trailing period, names the element: "field `amount` of record `com.acme.Order` …".
    pub message: String,
    pub help: Option<String>,
    pub subject: String,
    pub format: Option<Format>,
    pub mode: Option<Mode>,
    /// Where the element is (or where it went missing from) in the new schema.
    pub new: Option<Location>,
    /// Where the element was in the old schema; for a deletion the only location.
    pub old: Option<Location>,
    /// Other subjects the same finding affects (one change to a shared type, a `$ref`'d schema, an imported
    /// message, reported once for all): filled by `sort_findings`, which groups findings that share rule, mode and
    /// locations. `subject` stays the first.
    pub also: Vec<String>,
    /// The reference this input finding is about when it did not resolve (an Avro type name, a Protobuf import, a
    /// JSON Schema `$ref` document): `compat` of single files then says to pass the directories. Not rendered.
    pub unresolved: Option<String>,
}

impl Finding {
    /// A finding of `rule` at its default severity.
    pub fn new(
        rule: &'static Rule,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule,
            severity: rule.severity,
            message: message.into(),
            help: None,
            subject: subject.into(),
            // A rule of several formats (PARSE_ERROR, …) does not know the file's format: the caller sets it.
            format: match rule.formats {
                [only] => Some(*only),
                _ => None,
            },
            mode: None,
            new: None,
            old: None,
            also: Vec::new(),
            unresolved: None,
        }
    }

    /// Every subject the finding affects, `subject` first.
    pub fn subjects(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.subject.as_str()).chain(self.also.iter().map(String::as_str))
    }

    /// "subject `a`" or "affects `a`, `b`", for formats whose message is all a reader sees.
    pub fn subjects_phrase(&self) -> String {
        if self.also.is_empty() {
            format!("subject `{}`", self.subject)
        } else {
            let all: Vec<String> = self.subjects().map(|s| format!("`{s}`")).collect();
            format!("affects {}", all.join(", "))
        }
    }

    /// Marks an input finding as a reference that did not resolve (see `unresolved`).
    pub fn unresolved(mut self, reference: impl Into<String>) -> Self {
        self.unresolved = Some(reference.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn format(mut self, f: Format) -> Self {
        self.format = Some(f);
        self
    }
    pub fn mode(mut self, m: Mode) -> Self {
        self.mode = Some(m);
        self
    }
    pub fn at_new(mut self, loc: Location) -> Self {
        self.new = Some(loc);
        self
    }
    pub fn at_old(mut self, loc: Location) -> Self {
        self.old = Some(loc);
        self
    }
    pub fn maybe_new(mut self, loc: Option<Location>) -> Self {
        self.new = loc;
        self
    }
    pub fn maybe_old(mut self, loc: Option<Location>) -> Self {
        self.old = loc;
        self
    }

    /// The location a reader should look at first: the new one, or the old one for a deletion.
    pub fn primary(&self) -> Option<&Location> {
        self.new.as_ref().or(self.old.as_ref())
    }

    /// (file, line, offset, rule, …): by line first, not by offset alone, because a JSONL example's location
    /// text holds only the lines it needs (trial defect 8: line 2 sorted before line 1); within a line the offset
    /// orders as the column does, without counting characters.
    #[allow(clippy::type_complexity)]
    fn sort_key(
        &self,
    ) -> (
        String,
        (usize, usize),
        &'static str,
        String,
        String,
        Option<usize>,
    ) {
        let (file, start) = match self.primary() {
            Some(l) => (
                l.file.display_name(),
                (l.file.line_index(l.span.start), l.span.start),
            ),
            None => (String::new(), (0, 0)),
        };
        (
            file,
            start,
            self.rule.id,
            self.subject.clone(),
            self.message.clone(),
            self.old.as_ref().map(|l| l.span.start),
        )
    }

    /// A stable identity independent of wording and of line numbers: rule, subject, pointers.
    pub fn fingerprint(&self) -> String {
        use std::hash::{Hash, Hasher};
        // FNV-1a, written out so the value never changes with the standard library's hasher.
        struct Fnv(u64);
        impl Hasher for Fnv {
            fn finish(&self) -> u64 {
                self.0
            }
            fn write(&mut self, bytes: &[u8]) {
                for b in bytes {
                    self.0 ^= u64::from(*b);
                    self.0 = self.0.wrapping_mul(0x100_0000_01b3);
                }
            }
        }
        let mut h = Fnv(0xcbf2_9ce4_8422_2325);
        self.rule.id.hash(&mut h);
        self.subject.hash(&mut h);
        self.mode.map(|m| m.as_str()).hash(&mut h);
        for loc in [&self.new, &self.old] {
            match loc {
                Some(l) => {
                    l.file.path.hash(&mut h);
                    // Transitive modes report against several versions: each is its own finding. Otherwise the
                    // revision stays out, so a moving baseline keeps fingerprints (SARIF, GitLab) stable.
                    if self.mode.is_some_and(|m| m.is_transitive()) {
                        l.file.revision.hash(&mut h);
                    }
                    l.pointer.hash(&mut h);
                }
                None => 0u8.hash(&mut h),
            }
        }
        // FULL checks both directions, which may give the same rule at the same places twice (a type change is
        // unreadable both ways); each is its own result, told apart by its message (code scanning merges results
        // that share a fingerprint).
        if matches!(self.mode, Some(Mode::Full | Mode::FullTransitive)) {
            self.message.hash(&mut h);
        }
        format!("{:016x}", h.finish())
    }
}

/// Sorts findings (file, line, column, rule id, …) and removes exact duplicates, so output is byte-stable.
pub fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by_cached_key(|f| f.sort_key());
    findings.dedup_by(|a, b| {
        a.sort_key() == b.sort_key()
            && a.mode == b.mode
            && a.old.as_ref().map(|l| l.file.display_name())
                == b.old.as_ref().map(|l| l.file.display_name())
    });
    group_subjects(findings);
}

/// What makes findings of several subjects one finding: rule, mode, severity, message (which also tells the two
/// directions of FULL apart) without the pointers into the subject (see [`without_pointers`]) and both locations
/// (file, revision, span).
type GroupKey = (
    String,
    &'static str,
    Option<Mode>,
    Severity,
    Option<(String, Option<String>, usize, usize)>,
    Option<(String, Option<String>, usize, usize)>,
);

/// `message` with each quoted pointer into the subject (`` `/fields/1/type` ``, `` `#/properties/total/maxLength` ``)
/// replaced by `` `…` ``: one change to a shared type is reached by a different path from each subject that uses it,
/// and Avro's and Confluent's messages name that path.
fn without_pointers(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut parts = message.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    // Odd parts are inside backticks (an unbalanced last backtick leaves a plain tail, kept as it is).
    for (i, part) in parts.enumerate() {
        out.push('`');
        if i % 2 == 0 && (part.starts_with('/') || part.starts_with("#/")) {
            out.push('…');
        } else {
            out.push_str(part);
        }
    }
    out
}

/// Findings that share rule, mode and locations but name different subjects (one change to a shared type) become
/// one, naming every subject (issue 11 item 7). Order is kept: the first of a group stays where it was.
fn group_subjects(findings: &mut Vec<Finding>) {
    let key = |f: &Finding| -> Option<GroupKey> {
        // Only findings with a location: without one there is nothing to say they are the same change.
        f.primary()?;
        let loc = |l: &Option<Location>| {
            l.as_ref().map(|l| {
                (
                    l.file.shown.clone(),
                    l.file.revision.clone(),
                    l.span.start,
                    l.span.end,
                )
            })
        };
        Some((
            without_pointers(&f.message),
            f.rule.id,
            f.mode,
            f.severity,
            loc(&f.new),
            loc(&f.old),
        ))
    };
    let mut first: std::collections::HashMap<GroupKey, usize> = std::collections::HashMap::new();
    let mut keep = vec![true; findings.len()];
    for i in 0..findings.len() {
        let Some(k) = key(&findings[i]) else { continue };
        match first.get(&k) {
            Some(&j) => {
                // The shortest pointer leads (the subject that defines the shared type, whose path is the type's
                // own): the message shown is that subject's.
                if findings[i].message.len() < findings[j].message.len() {
                    let (a, b) = (
                        std::mem::take(&mut findings[i].message),
                        std::mem::take(&mut findings[j].message),
                    );
                    findings[j].message = a;
                    findings[i].message = b;
                    let (ha, hb) = (findings[i].help.take(), findings[j].help.take());
                    findings[j].help = ha;
                    findings[i].help = hb;
                    let s = std::mem::take(&mut findings[i].subject);
                    let was = std::mem::replace(&mut findings[j].subject, s);
                    findings[i].subject = was;
                }
                let subject = findings[i].subject.clone();
                let also = std::mem::take(&mut findings[i].also);
                let target = &mut findings[j];
                for s in std::iter::once(subject).chain(also) {
                    if s != target.subject && !target.also.contains(&s) {
                        target.also.push(s);
                    }
                }
                target.also.retain(|s| *s != target.subject);
                keep[i] = false;
            }
            None => {
                first.insert(k, i);
            }
        }
    }
    let mut i = 0;
    findings.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

#[cfg(test)]
mod pointer_tests {
    use super::without_pointers;

    #[test]
    fn pointers_into_the_subject_are_left_out_of_the_grouping_key() {
        let a = "field `units` changed (reader type: INT, at `/fields/1/type/fields/0/type`)";
        let b = "field `units` changed (reader type: INT, at `/fields/0/type`)";
        assert_eq!(without_pointers(a), without_pointers(b));
        assert_eq!(
            without_pointers("the value at path `#/properties/a/maxLength` was `3`"),
            "the value at path `…` was `3`"
        );
        // Other quoted text stays, and an unbalanced backtick is kept as written.
        assert_ne!(
            without_pointers("`long` to `int`"),
            without_pointers("`long` to `string`")
        );
        assert_eq!(without_pointers("a `b"), "a `b");
    }
}
