//! Example events: discovery (`examples/<subject>/…`), reading each file as events (`.json` one event,
//! `.jsonl` one per line and streamed, `.binpb` / `.txtpb` Protobuf, `.avro` object container files), checking
//! each event against the current schema of its subject, and replaying it across versions (BACKWARD: written
//! with the baseline, read with the new schema; FORWARD: the other way) with real encodings. Findings point into
//! the example file.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value as J;

use super::rules::*;
use super::side::{Side, SubjectRef};
use super::{Baselines, Verdicts};
use crate::codec::{self, avro::AvroSchema, position, protobuf as pb, JsonEncoding};
use crate::config::ExampleGlob;
use crate::finding::{Direction, Finding, Format, Location, Mode, Severity};
use crate::source::SourceFile;

/// Findings per example file beyond which the rest are counted, not listed (a 1 GB JSONL of bad events).
const MAX_FINDINGS_PER_FILE: usize = 20;
/// JSONL lines up to which a finding gets an exact `file:line` location (the location text is synthesized).
const MAX_LOCATED_LINE: usize = 2_000_000;
/// Longest previous JSONL line kept as a finding's snippet context.
const MAX_CONTEXT_BYTES: usize = 64 * 1024;
/// Longest single event read (one `.json` file, one `.jsonl` line, one `.binpb`).
const MAX_EVENT_BYTES: u64 = 64 * 1024 * 1024;

/// One event read from an example file.
enum Body {
    Json(J),
    ProtoBinary(Vec<u8>),
    ProtoText(String),
    /// A record of an `.avro` file: its datum and the file's writer schema. It is read the way a consumer reads
    /// it, the writer schema resolved to each version's (trial item 16: a field the current schema dropped made
    /// recorded data invalid).
    AvroRecord {
        datum: Vec<u8>,
        writer: Arc<AvroSchema>,
    },
}

struct Event<'t> {
    body: Body,
    /// The text the event came from (a `.json` file, one JSONL line), to locate pointers; borrowed, and copied
    /// only when a finding needs a location in it.
    text: Option<&'t str>,
    /// 1-based line of a JSONL event, 0 otherwise; record index of an `.avro` record.
    line: usize,
    index: Option<usize>,
    /// A JSONL event: the line before it, shown as the snippet's context (trial defect 8: it showed blank).
    before: Option<&'t str>,
}

/// The example files of one subject name.
pub(crate) struct Group {
    /// The subject as written: an `examples/` folder name or a `[[contracts.examples]]` subject.
    pub name: String,
    /// The configuration entry that named it; `None` for the `examples/<subject>/` convention.
    pub glob: Option<ExampleGlob>,
    /// (filesystem path, repository path), sorted.
    pub files: Vec<(PathBuf, String)>,
}

/// Every example file: those matched by `[[contracts.examples]]` globs (one group per entry, in configuration
/// order; a file matched by several entries belongs to the first), then the rest of `root/examples`, grouped by
/// subject folder, sorted.
pub(crate) fn discover(root: &Path, globs: &[ExampleGlob]) -> Vec<Group> {
    let mut out = Vec::new();
    let mut claimed: BTreeSet<String> = BTreeSet::new();
    for g in globs {
        let base = g.base();
        let dir = if base.is_empty() {
            root.to_path_buf()
        } else {
            root.join(&base)
        };
        let mut files = Vec::new();
        if dir.is_dir() {
            for (fs, rel) in crate::source::walk(&dir, &|_| true) {
                let repo_path = if base.is_empty() {
                    rel
                } else {
                    format!("{base}/{rel}")
                };
                if g.matcher.is_match(&repo_path) && claimed.insert(repo_path.clone()) {
                    files.push((fs, repo_path));
                }
            }
        }
        files.sort_by(|a, b| a.1.cmp(&b.1));
        out.push(Group {
            name: g.subject.clone(),
            glob: Some(g.clone()),
            files,
        });
    }
    let mut by_folder: BTreeMap<String, Vec<(PathBuf, String)>> = BTreeMap::new();
    let dir = root.join("examples");
    if dir.is_dir() {
        for (fs, rel) in crate::source::walk(&dir, &|_| true) {
            let Some((subject, _)) = rel.split_once('/') else {
                continue;
            };
            let name = rel.rsplit('/').next().unwrap_or(&rel);
            if name.starts_with('.') || name.ends_with(".md") {
                continue;
            }
            let shown = format!("examples/{rel}");
            if claimed.contains(&shown) {
                continue;
            }
            by_folder
                .entry(subject.to_string())
                .or_default()
                .push((fs, shown));
        }
    }
    for (name, mut files) in by_folder {
        files.sort_by(|a, b| a.1.cmp(&b.1));
        out.push(Group {
            name,
            glob: None,
            files,
        });
    }
    out
}

pub(crate) struct Outcome {
    pub findings: Vec<Finding>,
    /// Test case names: every example file that ran.
    pub tests: Vec<String>,
}

/// Runs every example of `root/examples`.
pub(crate) fn run(
    root: &Path,
    globs: &[ExampleGlob],
    new: &Side,
    baselines: &Baselines,
    verdicts: &Verdicts,
) -> Outcome {
    let mut findings = Vec::new();
    let mut tests = Vec::new();
    for Group {
        name: folder,
        glob,
        files,
    } in discover(root, globs)
    {
        let Some(subject) = new.find(&folder).or_else(|| baselines.find(&folder)) else {
            let names = new.names();
            let hint = crate::rules::did_you_mean_name(&folder, names.iter().map(String::as_str));
            let finding = match &glob {
                None => {
                    let shown = format!("examples/{folder}");
                    let file = SourceFile::new(shown.clone(), None, "");
                    Finding::new(
                        &EXAMPLE_UNKNOWN_SUBJECT,
                        folder.clone(),
                        format!("examples folder `{shown}` names no schema: no Avro type, Protobuf message or JSON Schema is called `{folder}`{hint}"),
                    )
                    .help("name the folder after the subject: the Avro full name (`com.acme.Order`), the Protobuf message full name (`acme.v1.Order`) or the JSON Schema file name without extension")
                    .at_new(Location::new(&file, 0..0))
                }
                Some(g) => {
                    let loc = match &g.at {
                        Some((file, span)) => Location::new(file, span.clone()),
                        None => Location::new(&SourceFile::new("schemaguard.toml", None, ""), 0..0),
                    };
                    Finding::new(
                        &EXAMPLE_UNKNOWN_SUBJECT,
                        folder.clone(),
                        format!("[[contracts.examples]] `{}` maps its files to `{folder}`, which names no schema: no Avro type, Protobuf message or JSON Schema is called `{folder}`{hint}", g.glob),
                    )
                    .help("set `subject` to the Avro full name (`com.acme.Order`), the Protobuf message full name (`acme.v1.Order`) or the JSON Schema file name without extension")
                    .at_new(loc)
                }
            };
            findings.push(finding);
            tests.extend(files.iter().map(|(_, shown)| shown.clone()));
            continue;
        };
        // The versions examples are replayed against: the baseline, and in transitive modes every earlier version,
        // each only where it differs from the current one and from every later one.
        let mode = (verdicts.mode_for)(&subject);
        let transitive = mode.is_transitive();
        let mut versions: Vec<&Side> = Vec::new();
        let (old, history) = baselines.of(&subject, new);
        let candidates = old.into_iter().chain(
            history
                .into_iter()
                .rev()
                .filter(|_| transitive && old.is_some()),
        );
        for v in candidates {
            if !v.has(&subject)
                || v.same_subject(new, &subject)
                || versions.iter().any(|w| w.same_subject(v, &subject))
            {
                continue;
            }
            versions.push(v);
        }
        if subject.format == Format::Avro {
            for side in std::iter::once(new).chain(versions.iter().copied()) {
                if !side.has(&subject) {
                    continue;
                }
                if let Err(msg) = side.avro(&subject.name) {
                    findings.push(schema_rejected(side, &subject, &msg));
                }
            }
        }
        // One subject's example files are independent: checked in parallel, reported in file order.
        let static_ok = verdicts.static_compatible(&subject, Direction::Backward);
        let per_file: Vec<Vec<Finding>> = files
            .par_iter()
            .map(|(fs, shown)| {
                let mut fx = FileRun {
                    shown,
                    subject: &subject,
                    new,
                    versions: &versions,
                    mode,
                    static_ok,
                    findings: Vec::new(),
                    more: 0,
                    file: None,
                };
                fx.run(fs);
                if fx.more > 0 {
                    let file = SourceFile::new(shown.clone(), None, "");
                    fx.findings.push(
                        Finding::new(
                            &EXAMPLE_INVALID,
                            subject.name.clone(),
                            format!("example `{shown}`: {} more findings not listed", fx.more),
                        )
                        .format(subject.format)
                        .at_new(Location::new(&file, 0..0)),
                    );
                }
                fx.findings
            })
            .collect();
        tests.extend(files.into_iter().map(|(_, shown)| shown));
        findings.extend(per_file.into_iter().flatten());
    }
    Outcome { findings, tests }
}

struct FileRun<'a> {
    shown: &'a str,
    subject: &'a SubjectRef,
    new: &'a Side,
    /// The versions to replay against (the baseline, then earlier ones in transitive modes), each different
    /// from the current one.
    versions: &'a [&'a Side],
    /// The subject's compatibility mode (the directions replayed).
    mode: Mode,
    /// Whether the static rules found the subject compatible (for REPLAY_VERDICT_DIFFERS).
    static_ok: Option<bool>,
    findings: Vec<Finding>,
    more: usize,
    /// The whole file's text, for `.json` / `.txtpb` examples.
    file: Option<Arc<SourceFile>>,
}

impl FileRun<'_> {
    fn push(&mut self, f: Finding) {
        if self.findings.len() >= MAX_FINDINGS_PER_FILE {
            self.more += 1;
        } else {
            self.findings.push(f.format(self.subject.format));
        }
    }

    /// A location in the example: the value at `pointer` (JSON), a line and column, or the file.
    fn location(
        &self,
        ev: Option<&Event>,
        pointer: Option<&str>,
        line_col: Option<(usize, usize)>,
    ) -> Location {
        let (text, line, before) = match ev {
            Some(ev) => (ev.text, ev.line, ev.before),
            None => (None, 0, None),
        };
        if line > 0 {
            // A JSONL line: a location text with the line at its place, without holding the file; the line before
            // it, when known, is there too (the snippet's context), the earlier ones are empty.
            let body = text.unwrap_or("");
            let (synth, base) = match before {
                _ if line > MAX_LOCATED_LINE => (body.to_string(), 0),
                Some(b) if line > 1 => (
                    format!("{}{b}\n{body}", "\n".repeat(line - 2)),
                    line - 2 + b.len() + 1,
                ),
                _ => (format!("{}{body}", "\n".repeat(line - 1)), line - 1),
            };
            let span = match (
                pointer.and_then(|p| position::pointer_span(body, p)),
                line_col,
            ) {
                (Some(s), _) => s.start + base..s.end + base,
                (None, Some((_, c))) => {
                    let o = position::offset_of(body, 1, c) + base;
                    o..o
                }
                _ => base..base + body.len(),
            };
            let file = SourceFile::new(self.shown.to_string(), None, synth);
            let mut loc = Location::new(&file, span);
            if let Some(p) = pointer {
                loc = loc.with_pointer(p);
            }
            return loc;
        }
        // The file's text (with its line index) is built here, for a finding, not for every event.
        let file = match (&self.file, text) {
            (Some(f), _) => Arc::clone(f),
            (None, Some(t)) => SourceFile::new(self.shown.to_string(), None, t),
            (None, None) => SourceFile::new(self.shown.to_string(), None, ""),
        };
        let span = match (pointer, line_col) {
            (Some(p), _) if !file.text.is_empty() => {
                position::pointer_span(&file.text, p).unwrap_or(0..0)
            }
            (_, Some((l, c))) => {
                let o = position::offset_of(&file.text, l, c);
                o..o
            }
            _ => 0..0,
        };
        let mut loc = Location::new(&file, span);
        if let Some(p) = pointer {
            loc = loc.with_pointer(p);
        }
        loc
    }

    fn unreadable(
        &mut self,
        ev: Option<&Event>,
        message: String,
        line_col: Option<(usize, usize)>,
    ) {
        let loc = self.location(ev, None, line_col);
        let f = Finding::new(&EXAMPLE_UNREADABLE, self.subject.name.clone(), message)
            .help("an example is a `.json` event, a `.jsonl` file with one JSON event per line, a `.binpb` / `.txtpb` Protobuf message or an `.avro` object container file")
            .at_new(loc);
        self.push(f);
    }

    fn empty(&mut self) {
        self.unreadable(
            None,
            format!("example `{}` is empty: it holds no event", self.shown),
            None,
        );
    }

    fn what(&self, ev: &Event) -> String {
        match (ev.line, ev.index) {
            (0, None) => format!("example `{}`", self.shown),
            (0, Some(i)) => format!("example `{}` (record {})", self.shown, i + 1),
            (l, _) => format!("example `{}` line {l}", self.shown),
        }
    }

    fn run(&mut self, fs: &Path) {
        let ext = self
            .shown
            .rsplit('.')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let fits = match ext.as_str() {
            "json" | "jsonl" => true,
            "binpb" | "txtpb" => self.subject.format == Format::Protobuf,
            "avro" => self.subject.format == Format::Avro,
            _ => false,
        };
        if !fits {
            self.unreadable(
                None,
                format!(
                    "example `{}`: `.{ext}` is not an example format for a {} subject",
                    self.shown,
                    self.subject.format.as_str()
                ),
                None,
            );
            return;
        }
        let file = match std::fs::File::open(fs) {
            Ok(f) => f,
            Err(e) => {
                self.unreadable(
                    None,
                    format!("example `{}` cannot be read: {e}", self.shown),
                    None,
                );
                return;
            }
        };
        match ext.as_str() {
            "jsonl" => self.run_jsonl(file),
            "avro" => self.run_avro_file(file),
            _ => {
                // Sized from the metadata: one read for the bytes and one for the end, not a doubling series.
                let size = file
                    .metadata()
                    .map_or(0, |m| m.len().min(MAX_EVENT_BYTES + 1));
                let mut bytes = Vec::with_capacity(size as usize + 1);
                if let Err(e) = file.take(MAX_EVENT_BYTES + 1).read_to_end(&mut bytes) {
                    self.unreadable(
                        None,
                        format!("example `{}` cannot be read: {e}", self.shown),
                        None,
                    );
                    return;
                }
                if bytes.len() as u64 > MAX_EVENT_BYTES {
                    self.unreadable(
                        None,
                        format!(
                            "example `{}` is larger than {} MiB; split it into a `.jsonl` file",
                            self.shown,
                            MAX_EVENT_BYTES >> 20
                        ),
                        None,
                    );
                    return;
                }
                // An empty file tests nothing; said, not passed (a `.binpb` of zero bytes is the empty message).
                if ext != "binpb" && bytes.iter().all(u8::is_ascii_whitespace) {
                    self.empty();
                    return;
                }
                if ext == "binpb" {
                    self.event(Event {
                        body: Body::ProtoBinary(bytes),
                        text: None,
                        line: 0,
                        index: None,
                        before: None,
                    });
                    return;
                }
                let text = match String::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(e) => {
                        self.unreadable(
                            None,
                            format!(
                                "example `{}` is not UTF-8 text (byte {})",
                                self.shown,
                                e.utf8_error().valid_up_to()
                            ),
                            None,
                        );
                        return;
                    }
                };
                if ext == "txtpb" {
                    self.file = Some(SourceFile::new(self.shown.to_string(), None, text.as_str()));
                    self.event(Event {
                        body: Body::ProtoText(text),
                        text: None,
                        line: 0,
                        index: None,
                        before: None,
                    });
                    return;
                }
                match serde_json::from_str::<J>(&text) {
                    Ok(j) => self.event(Event {
                        body: Body::Json(j),
                        text: Some(&text),
                        line: 0,
                        index: None,
                        before: None,
                    }),
                    Err(e) => {
                        self.file = Some(SourceFile::new(self.shown.to_string(), None, text));
                        let lc = (e.line() > 0).then(|| (e.line(), e.column().max(1)));
                        let msg = codec::avro::json_syntax_error(&e).message;
                        self.unreadable(None, format!("example `{}`: {msg}", self.shown), lc);
                    }
                }
            }
        }
    }

    /// One event per line, streamed: memory holds one line at a time.
    fn run_jsonl(&mut self, file: std::fs::File) {
        let mut reader = BufReader::with_capacity(1 << 16, file);
        let mut buf = Vec::new();
        // The previous line (whole, as read), for the snippet's context.
        let mut prev = Vec::new();
        let mut prev_whole = false;
        let mut line = 0usize;
        let mut any = false;
        loop {
            std::mem::swap(&mut prev, &mut buf);
            buf.clear();
            let before_whole = std::mem::replace(&mut prev_whole, true);
            line += 1;
            let n = match (&mut reader)
                .take(MAX_EVENT_BYTES + 1)
                .read_until(b'\n', &mut buf)
            {
                Ok(n) => n,
                Err(e) => {
                    self.unreadable(
                        None,
                        format!(
                            "example `{}` cannot be read at line {line}: {e}",
                            self.shown
                        ),
                        None,
                    );
                    return;
                }
            };
            if n == 0 {
                if !any {
                    self.empty();
                }
                return;
            }
            any |= !buf.iter().all(u8::is_ascii_whitespace);
            if buf.len() as u64 > MAX_EVENT_BYTES {
                let ev = Event {
                    body: Body::Json(J::Null),
                    text: None,
                    line,
                    index: None,
                    before: None,
                };
                self.unreadable(
                    Some(&ev),
                    format!(
                        "example `{}` line {line} is longer than {} MiB",
                        self.shown,
                        MAX_EVENT_BYTES >> 20
                    ),
                    None,
                );
                // Skip the rest of the line.
                prev_whole = false;
                loop {
                    buf.clear();
                    match (&mut reader).take(1 << 20).read_until(b'\n', &mut buf) {
                        Ok(0) => return,
                        Ok(_) if buf.ends_with(b"\n") => break,
                        Ok(_) => continue,
                        Err(_) => return,
                    }
                }
                continue;
            }
            let raw = buf.strip_suffix(b"\n").unwrap_or(&buf);
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let Ok(text) = std::str::from_utf8(raw) else {
                let ev = Event {
                    body: Body::Json(J::Null),
                    text: None,
                    line,
                    index: None,
                    before: None,
                };
                self.unreadable(
                    Some(&ev),
                    format!("example `{}` line {line} is not UTF-8", self.shown),
                    None,
                );
                continue;
            };
            if text.trim().is_empty() {
                continue;
            }
            let before = if before_whole && prev.len() <= MAX_CONTEXT_BYTES {
                let p = prev.strip_suffix(b"\n").unwrap_or(&prev);
                std::str::from_utf8(p.strip_suffix(b"\r").unwrap_or(p)).ok()
            } else {
                None
            };
            match serde_json::from_str::<J>(text) {
                Ok(j) => self.event(Event {
                    body: Body::Json(j),
                    text: Some(text),
                    line,
                    index: None,
                    before,
                }),
                Err(e) => {
                    let ev = Event {
                        body: Body::Json(J::Null),
                        text: Some(text),
                        line,
                        index: None,
                        before,
                    };
                    let msg = codec::avro::json_syntax_error(&e).message;
                    self.unreadable(
                        Some(&ev),
                        format!("example `{}` line {line}: {msg}", self.shown),
                        Some((1, e.column().max(1))),
                    );
                }
            }
        }
    }

    fn run_avro_file(&mut self, file: std::fs::File) {
        let reader = match codec::avro::ContainerReader::new(BufReader::new(file)) {
            Ok(r) => r,
            Err(e) => {
                self.unreadable(
                    None,
                    format!("example `{}`: {}", self.shown, e.message),
                    None,
                );
                return;
            }
        };
        let writer = Arc::new(reader.schema().clone());
        let encoder = match writer.encoder() {
            Ok(e) => e,
            Err(e) => {
                self.unreadable(
                    None,
                    format!("example `{}`: {}", self.shown, e.message),
                    None,
                );
                return;
            }
        };
        for item in reader {
            match item {
                Ok((i, v)) => match encoder.encode(&v) {
                    Ok(datum) => self.event(Event {
                        body: Body::AvroRecord {
                            datum,
                            writer: Arc::clone(&writer),
                        },
                        text: None,
                        line: 0,
                        index: Some(i),
                        before: None,
                    }),
                    Err(e) => self.unreadable(
                        None,
                        format!("example `{}` record {}: {}", self.shown, i + 1, e.message),
                        None,
                    ),
                },
                Err(e) => {
                    self.unreadable(
                        None,
                        format!("example `{}`: {}", self.shown, e.message),
                        None,
                    );
                    return;
                }
            }
        }
    }

    /// Checks one event against the current schema, then replays it across versions.
    fn event(&mut self, ev: Event) {
        // A version apache-avro rejects is one REPLAY_SCHEMA_REJECTED finding per subject, not one per event.
        let usable = |side: &Side| {
            self.subject.format != Format::Avro || side.avro(&self.subject.name).is_ok()
        };
        if self.new.has(self.subject) && usable(self.new) {
            if let Err(e) = self.check(self.new, &ev) {
                let loc = self.location(
                    Some(&ev),
                    (e.line_col().is_none()
                        && (!e.pointer.is_empty() || matches!(ev.body, Body::Json(_))))
                    .then_some(e.pointer.as_str()),
                    e.line_col(),
                );
                let at = if e.schema_path.is_empty() {
                    String::new()
                } else {
                    format!(" (schema path `{}`)", e.schema_path)
                };
                let f = Finding::new(
                    &EXAMPLE_INVALID,
                    self.subject.name.clone(),
                    format!("{} is not valid against `{}`: {}{at}", self.what(&ev), self.subject.name, e.message),
                )
                .help("fix the example, or the schema if the example shows what producers really send")
                .at_new(loc);
                self.push(f);
            }
        }
        if !self.new.has(self.subject) {
            return;
        }
        let mode = self.mode;
        let versions = self.versions.iter().copied();
        for version in versions {
            for dir in mode.directions() {
                let (writer, reader) = match dir {
                    Direction::Backward => (version, self.new),
                    Direction::Forward => (self.new, version),
                };
                self.replay(&ev, writer, reader, *dir, mode);
            }
        }
    }

    /// Whether the event is valid against `side`'s version of the subject.
    fn check(&self, side: &Side, ev: &Event) -> Result<(), codec::CodecError> {
        match self.subject.format {
            Format::Avro => {
                let schema = side
                    .avro(&self.subject.name)
                    .map_err(codec::CodecError::new)?;
                let v = avro_value(&schema, ev)?;
                let bytes = schema.encoder()?.encode(&v)?;
                schema.decoder(None)?.decode(&bytes).map(|_| ())
            }
            Format::Protobuf => proto_message(side, &self.subject.name, ev).map(|_| ()),
            Format::JsonSchema => {
                let validator = side
                    .json_schema(&self.subject.name)
                    .map_err(codec::CodecError::new)?;
                let Body::Json(j) = &ev.body else {
                    return Err(codec::CodecError::new("a JSON Schema example is JSON"));
                };
                // The common case (a valid event) without building an error.
                if validator.is_valid(j) {
                    return Ok(());
                }
                let first = validator.iter_errors(j).next().map(|err| {
                    let mut e = codec::CodecError::new(err.to_string());
                    e.pointer = err.instance_path().as_str().to_string();
                    e.schema_path = err.schema_path().as_str().to_string();
                    e
                });
                match first {
                    None => Ok(()),
                    Some(e) => Err(e),
                }
            }
        }
    }

    fn replay(&mut self, ev: &Event, writer: &Side, reader: &Side, dir: Direction, mode: Mode) {
        // Only events valid against the writer's version are replayed.
        if self.check(writer, ev).is_err() {
            return;
        }
        let (wl, rl) = (label(writer), label(reader));
        let dir_name = match dir {
            Direction::Backward => "BACKWARD",
            Direction::Forward => "FORWARD",
        };
        match self.subject.format {
            Format::Avro => {
                let (Ok(ws), Ok(rs)) = (
                    writer.avro(&self.subject.name),
                    reader.avro(&self.subject.name),
                ) else {
                    return;
                };
                let Ok(v) = avro_value(&ws, ev) else { return };
                let Ok(bytes) = ws.encoder().and_then(|e| e.encode(&v)) else {
                    return;
                };
                let read = ws.decoder(Some(&rs)).and_then(|d| d.decode(&bytes));
                let read = match read {
                    Ok(read) => Some((read, "")),
                    Err(e) => match codec::avro::resolve_per_spec(&ws, &rs, &bytes) {
                        // A reader following the specification fails as well: the data really breaks, and its
                        // reason leads. apache-avro may stop earlier at one of its own refusals (a short `bytes`
                        // decimal) and hide the change that really breaks the data (a removed enum symbol).
                        Err(se) => {
                            // The value that stops resolving, named and located in the example (trial defect 9:
                            // the message was apache-avro's Rust dump, at 1:1).
                            let located = ws
                                .without_logical_types()
                                .ok()
                                .zip(rs.without_logical_types().ok())
                                .and_then(|(w0, r0)| {
                                    let v0 = w0.decoder(None).ok()?.decode(&bytes).ok()?;
                                    codec::avro::locate_resolution_failure(&w0, &r0, &v0)
                                });
                            let reason = match &located {
                                Some(l) => match &l.field {
                                    Some(f) if l.pointer.is_empty() => {
                                        format!("field `{f}`: {}", l.message)
                                    }
                                    Some(f) => {
                                        format!("field `{f}` (`{}`): {}", l.pointer, l.message)
                                    }
                                    None => l.message.clone(),
                                },
                                None => se.message.clone(),
                            };
                            let why = if se.message == e.message {
                                format!("({dir_name}): {reason}")
                            } else {
                                format!(
                                    "({dir_name}): {reason} (apache-avro stops earlier: {})",
                                    e.message
                                )
                            };
                            let loc = match &located {
                                Some(l) if !l.pointer.is_empty() => {
                                    self.location(Some(ev), Some(&l.pointer), None)
                                }
                                _ => self.location(Some(ev), None, None),
                            };
                            let f = Finding::new(
                                &REPLAY_FAILED,
                                self.subject.name.clone(),
                                format!("{} written with the {wl} schema cannot be read with the {rl} schema {why}", self.what(ev)),
                            )
                            .mode(mode)
                            .help("make the change compatible (defaults for added fields, keep enum symbols or add an enum default), or move the data to a new subject")
                            .at_new(loc);
                            self.push(f);
                            None
                        }
                        // Only apache-avro fails: the replay is judged by the specification's reading (its values
                        // are compared below), and apache-avro's refusal is at most a warning, or a note when
                        // apache-avro refuses the data even against the schema it was written with (the refusal
                        // then has nothing to do with the change: a short `bytes` decimal, trial defect 1).
                        Ok(r) => {
                            if self.static_ok == Some(true) {
                                let own = ws
                                    .decoder(Some(&ws))
                                    .and_then(|d| d.decode(&bytes))
                                    .is_err();
                                let loc = self.location(Some(ev), None, None);
                                let mut f = if own {
                                    Finding::new(
                                        &REPLAY_VERDICT_DIFFERS,
                                        self.subject.name.clone(),
                                        format!(
                                            "apache-avro cannot resolve {} even to the {wl} schema it was written with ({}), so its failure across the change ({dir_name}) is not the change's; a reader following the Avro specification (the Java runtime) reads it with the {rl} schema",
                                            self.what(ev),
                                            e.message
                                        ),
                                    )
                                    .help("nothing to fix in the change; consumers on apache-avro (Rust) that resolve writer and reader schemas fail on this data whatever the change: use `fixed` decimals for them")
                                } else {
                                    Finding::new(
                                        &REPLAY_VERDICT_DIFFERS,
                                        self.subject.name.clone(),
                                        format!(
                                            "the Avro 1.12 rules find `{}` {dir_name} compatible, but apache-avro's resolution fails on {}; a reader following the specification (the Java runtime) reads it",
                                            self.subject.name,
                                            self.what(ev),
                                        ),
                                    )
                                    .help("consumers on the Java client read this data; consumers on apache-avro (Rust) fail on it: check which runtimes read the topic")
                                };
                                if own {
                                    f.severity = Severity::Info;
                                }
                                self.push(f.mode(mode).at_new(loc));
                            }
                            Some((
                                r,
                                " (as a reader following the Avro specification reads it)",
                            ))
                        }
                    },
                };
                if let Some((read, how)) = read {
                    let (Ok(a), Ok(b)) = (ws.logical(&v), rs.logical(&read)) else {
                        return;
                    };
                    let mut diffs = Vec::new();
                    diff_json(&a, &b, &mut String::new(), &mut diffs);
                    for (ptr, was, now) in diffs {
                        let loc = self.location(Some(ev), Some(&ptr), None);
                        let field = field_of(&ptr);
                        let f = Finding::new(
                            &REPLAY_VALUE_CHANGED,
                            self.subject.name.clone(),
                            format!("{}: field `{field}` was {was} with the {wl} schema, reads as {now} with the {rl} schema ({dir_name}){how}", self.what(ev)),
                        )
                        .mode(mode)
                        .help("the bytes decode without error but mean something else (a decimal's scale, a timestamp's unit): keep the logical type, or add a new field and deprecate the old one")
                        .at_new(loc);
                        self.push(f);
                    }
                }
            }
            Format::Protobuf => {
                let Ok(written) = proto_message(writer, &self.subject.name, ev) else {
                    return;
                };
                let Some(rd) = reader.message(&self.subject.name) else {
                    return;
                };
                let bytes = pb::encode(&written);
                // A JSON example is located at the field the finding names (trial defect 9: at 1:1).
                let json_text = match &ev.body {
                    Body::Json(_) => ev.text,
                    _ => None,
                };
                match pb::decode(&rd, &bytes) {
                    Err(e) => {
                        let prefix = format!("{}.", rd.full_name());
                        let ptr = json_text.and_then(|t| {
                            let rel = e.schema_path.strip_prefix(&prefix)?;
                            Some(pb::json_pointer(&rd, rel, t))
                        });
                        let loc = self.location(Some(ev), ptr.as_deref(), None);
                        let f = Finding::new(
                            &REPLAY_FAILED,
                            self.subject.name.clone(),
                            format!("{} written with the {wl} schema cannot be read with the {rl} schema ({dir_name}): {}", self.what(ev), e.message),
                        )
                        .mode(mode)
                        .help("keep each field number's wire type; reserve numbers instead of reusing them")
                        .at_new(loc);
                        self.push(f);
                    }
                    Ok(read) => {
                        for c in pb::data_changes(&written, &read) {
                            let ptr = match json_text {
                                Some(t) => pb::json_pointer(
                                    &prost_reflect::ReflectMessage::descriptor(&written),
                                    &c.path,
                                    t,
                                ),
                                None => format!("/{}", c.path.split('.').next().unwrap_or(&c.path)),
                            };
                            let loc = self.location(Some(ev), Some(&ptr), None);
                            let how = match c.kind {
                                pb::ChangeKind::Unknown => "is lost",
                                pb::ChangeKind::Reinterpreted => "reads differently",
                                pb::ChangeKind::UnknownEnumValue => {
                                    "holds an enum number the reader does not know"
                                }
                            };
                            let f = Finding::new(
                                &REPLAY_VALUE_CHANGED,
                                self.subject.name.clone(),
                                format!("{}: field `{}` (#{}) {how} with the {rl} schema ({dir_name}): was {}, now {}", self.what(ev), c.path, c.number, c.old, c.new),
                            )
                            .mode(mode)
                            .help("keep the field's number, type and enum values; reserve removed numbers")
                            .at_new(loc);
                            self.push(f);
                        }
                    }
                }
            }
            Format::JsonSchema => {
                if let Err(e) = self.check(reader, ev) {
                    let loc = self.location(Some(ev), Some(&e.pointer), None);
                    let f = Finding::new(
                        &REPLAY_FAILED,
                        self.subject.name.clone(),
                        format!("{} valid against the {wl} schema is not valid against the {rl} schema ({dir_name}): {} (schema path `{}`)", self.what(ev), e.message, e.schema_path),
                    )
                    .mode(mode)
                    .help("the change rejects data that was valid before: relax the new constraint or version the subject")
                    .at_new(loc);
                    self.push(f);
                }
            }
        }
    }
}

/// A version of an Avro subject that apache-avro refuses to parse, located at the default of the field its message
/// names (else at the file).
fn schema_rejected(side: &Side, subject: &SubjectRef, msg: &str) -> Finding {
    let file = side
        .file_of(subject)
        .unwrap_or_else(|| SourceFile::new(subject.name.clone(), None, ""));
    let span = rejected_default_span(&file.text, msg).unwrap_or(0..0);
    let which = match &side.label {
        Some(_) => format!("the {} version", label(side)),
        None => "the current version".to_string(),
    };
    let loc = Location::new(&file, span);
    let f = Finding::new(
        &REPLAY_SCHEMA_REJECTED,
        subject.name.clone(),
        format!(
            "apache-avro rejects {which} of `{}`, so its examples are not checked or replayed against it: {msg}",
            subject.name
        ),
    )
    .format(Format::Avro)
    .help("give each field default a value of the field's type (a union's default belongs to its first branch)");
    if side.label.is_some() {
        f.at_old(loc)
    } else {
        f.at_new(loc)
    }
}

/// The span of the `default` of a field whose name the runtime's message quotes (`"count"`, `` `count` ``).
fn rejected_default_span(text: &str, msg: &str) -> Option<std::ops::Range<usize>> {
    use jsonc_parser::ast::{ObjectPropName, Value as V};
    let root = crate::formats::json::parse(text).ok()?;
    let mut stack = vec![&root];
    let mut found = None;
    while let Some(v) = stack.pop() {
        match v {
            V::Object(o) => {
                let name = o.properties.iter().find_map(|p| match (&p.name, &p.value) {
                    (ObjectPropName::String(k), V::StringLit(n)) if k.value == "name" => {
                        Some(n.value.to_string())
                    }
                    _ => None,
                });
                let default = o.properties.iter().find(|p| match &p.name {
                    ObjectPropName::String(k) => k.value == "default",
                    ObjectPropName::Word(w) => w.value == "default",
                });
                if let (Some(n), Some(d)) = (name, default) {
                    if found.is_none()
                        && (msg.contains(&format!("\"{n}\"")) || msg.contains(&format!("`{n}`")))
                    {
                        found = Some(crate::formats::json::value_range(&d.value));
                    }
                }
                stack.extend(o.properties.iter().map(|p| &p.value));
            }
            V::Array(a) => stack.extend(a.elements.iter()),
            _ => {}
        }
    }
    found
}

fn label(side: &Side) -> String {
    match &side.label {
        Some(l) if side.earlier => format!("earlier ({l})"),
        Some(l) => format!("baseline ({l})"),
        None => "current".into(),
    }
}

/// The field named by a JSON Pointer, dotted: `/lines/0/price` → `lines[0].price`.
fn field_of(ptr: &str) -> String {
    let mut out = String::new();
    for t in ptr.split('/').skip(1) {
        let t = t.replace("~1", "/").replace("~0", "~");
        if t.parse::<usize>().is_ok() {
            out.push_str(&format!("[{t}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&t);
        }
    }
    if out.is_empty() {
        "(the event)".into()
    } else {
        out
    }
}

/// Differences between two logical values, by pointer; members present on one side only are not differences
/// (an added field with its default, a removed field the reader ignores).
fn diff_json(a: &J, b: &J, ptr: &mut String, out: &mut Vec<(String, String, String)>) {
    match (a, b) {
        (J::Object(x), J::Object(y)) => {
            for (k, va) in x {
                if let Some(vb) = y.get(k) {
                    let len = ptr.len();
                    ptr.push('/');
                    ptr.push_str(&k.replace('~', "~0").replace('/', "~1"));
                    diff_json(va, vb, ptr, out);
                    ptr.truncate(len);
                }
            }
        }
        (J::Array(x), J::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                let len = ptr.len();
                ptr.push_str(&format!("/{i}"));
                diff_json(va, vb, ptr, out);
                ptr.truncate(len);
            }
        }
        _ if a != b => out.push((ptr.clone(), short(a), short(b))),
        _ => {}
    }
}

fn short(j: &J) -> String {
    let s = j.to_string();
    if s.chars().count() > 60 {
        s.chars().take(57).collect::<String>() + "..."
    } else {
        s
    }
}

fn avro_value(
    schema: &AvroSchema,
    ev: &Event,
) -> Result<apache_avro::types::Value, codec::CodecError> {
    match &ev.body {
        Body::Json(j) => schema.from_json(j, JsonEncoding::Auto),
        // Schema resolution as the specification says: a field the version lacks is skipped, one it added
        // takes its default, a symbol it lacks fails.
        Body::AvroRecord { datum, writer } => codec::avro::resolve_per_spec(writer, schema, datum),
        _ => Err(codec::CodecError::new(
            "an Avro example is JSON or an .avro file",
        )),
    }
}

fn proto_message(
    side: &Side,
    name: &str,
    ev: &Event,
) -> Result<prost_reflect::DynamicMessage, codec::CodecError> {
    let desc = side
        .message(name)
        .ok_or_else(|| codec::CodecError::new(format!("no message `{name}`")))?;
    match &ev.body {
        Body::Json(j) => match &ev.text {
            Some(t) if ev.line == 0 => pb::from_json_str(&desc, t),
            // A JSONL line is parsed already; when it fails, its text says where and which field.
            Some(t) => {
                pb::from_json(&desc, j).map_err(|e| pb::from_json_str(&desc, t).err().unwrap_or(e))
            }
            None => pb::from_json(&desc, j),
        },
        Body::ProtoBinary(b) => pb::decode(&desc, b),
        Body::ProtoText(t) => pb::from_text_format(&desc, t),
        Body::AvroRecord { .. } => Err(codec::CodecError::new(
            "an .avro file is not a Protobuf example",
        )),
    }
}
