//! Confluent Schema Registry's protobuf compatibility: a port of `SchemaDiff.compare(original, update)` (master,
//! after the 2026 oneof rewrite; `confluent.md` §5) over the compiled model. One `.proto` file is one subject.
//! BACKWARD compares original = old, update = new; FORWARD swaps them. Emits the 26 `Difference.Type` values as
//! findings (incompatible ones at error, compatible ones at info), each with both locations and Confluent's path
//! as the pointer. Referenced messages are compared structurally and memoized by (original, update) name.
//!
//! Complexity: each (original, update) pair of messages is compared once, whatever the number of paths that reach
//! it (a diamond of 40 levels is 41 comparisons, not 2^40), and its result is one flag (whether it holds an
//! incompatible difference): its differences are emitted once, since Confluent's repeats are identical. The walk
//! is an explicit work list, not native recursion, so a chain of 10,000 referenced messages needs no deep stack:
//! each pair's body runs twice (once to list the pairs it refers to, once to emit). Inline ignores and nested
//! types are looked up in indexes built once. Total time is O(size of both sides + pairs reached × fields).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use super::model::*;
use super::parse::{as_baseline, ProtoSnap};
use super::rules::*;
use crate::finding::{Direction, Finding, Format, Location};
use crate::formats::CheckOptions;
use crate::rules::Rule;

/// Types visible to one side: the subject file and everything it imports.
struct Types<'a> {
    messages: HashMap<&'a str, (&'a PFile, &'a PMessage)>,
    enums: HashMap<&'a str, (&'a PFile, &'a PEnum)>,
}

impl<'a> Types<'a> {
    fn new(files: &'a [Arc<PFile>]) -> Self {
        let mut t = Types {
            messages: HashMap::new(),
            enums: HashMap::new(),
        };
        for f in files {
            let f: &PFile = f;
            for m in &f.messages {
                t.messages.insert(m.full_name.as_str(), (f, m));
            }
            for e in &f.enums {
                t.enums.insert(e.full_name.as_str(), (f, e));
            }
        }
        t
    }
}

/// A pair of messages to compare, and the path their differences are reported under.
#[derive(Clone)]
struct Pair<'a> {
    of: &'a PFile,
    o: &'a PMessage,
    uf: &'a PFile,
    u: &'a PMessage,
    path: String,
}

type Key<'a> = (&'a str, &'a str);

impl<'a> Pair<'a> {
    fn key(&self) -> Key<'a> {
        (self.o.full_name.as_str(), self.u.full_name.as_str())
    }
}

/// What `compare_message` does when the walk reaches a referenced pair.
enum Phase<'a> {
    /// Outside any message body (the file's top-level types): compare the pair now, with the work list.
    Top,
    /// Listing the pairs a body refers to, in order; differences are not emitted.
    Collect(Vec<Pair<'a>>),
    /// Emitting a body whose referenced pairs are all done: their results are looked up.
    Lookup,
}

/// Elements of one source file by span, with their inline ignores (the first element with that span wins, as a
/// scan of the file in declaration order would find it).
type IgnoreIndex<'a> = HashMap<(usize, usize, usize), Vec<&'a Ignores>>;

struct Cx<'a> {
    orig: Types<'a>,
    upd: Types<'a>,
    /// Original is the old schema (BACKWARD) or the new one (FORWARD).
    orig_is_old: bool,
    subject: String,
    /// Pairs being compared right now (Confluent's `SchemaScope`: cycle detection only).
    stack: HashSet<Key<'a>>,
    /// Whether each compared pair holds an incompatible difference (its own or a referenced pair's). Confluent
    /// compares a referenced message again at every reference, which always yields the same differences (paths
    /// inside are relative to the message), so the differences are emitted once and only this flag is reused.
    memo: HashMap<Key<'a>, bool>,
    phase: Phase<'a>,
    /// Incompatible differences emitted so far (those an inline ignore suppresses are not emitted).
    errors: usize,
    /// Whether a pair looked up while emitting the current body was incompatible.
    child_incompatible: bool,
    out: Vec<Finding>,
    /// Inline ignores of every file of both sides.
    ignores: IgnoreIndex<'a>,
    /// Messages and enums declared directly in each (file, enclosing message) — "" for top level.
    nested: HashMap<usize, HashMap<&'a str, Children<'a>>>,
}

type Children<'a> = (Vec<&'a PMessage>, Vec<&'a PEnum>);

/// An element on one side: its file and span.
#[derive(Clone, Copy)]
struct At<'a> {
    file: &'a PFile,
    span: &'a Span,
}

/// A location for `Cx::add`: `span` in `file`.
fn at_span<'a>(file: &'a PFile, span: &'a Span) -> Option<At<'a>> {
    Some(At { file, span })
}

impl<'a> Cx<'a> {
    fn add(
        &mut self,
        rule: &'static Rule,
        path: &str,
        message: String,
        orig: Option<At<'_>>,
        upd: Option<At<'_>>,
    ) {
        let mk = |a: Option<At<'_>>| {
            a.map(|a| Location::new(&a.file.src, a.span.clone()).with_pointer(path.to_string()))
        };
        let (old, new) = if self.orig_is_old {
            (mk(orig), mk(upd))
        } else {
            (mk(upd), mk(orig))
        };
        // FORWARD compares the new schema as Confluent's original: say what the user changed, old to new, and
        // which reading gives the rule (a message the change adds is Confluent's MESSAGE_REMOVED here).
        let message = if self.orig_is_old {
            message
        } else {
            format!(
                "{} (FORWARD: read by the old schema, this is Confluent's `{}`)",
                as_changed_old_to_new(&message),
                rule.id
            )
        };
        let help = if rule.severity == crate::finding::Severity::Error {
            "revert this change, or add a new field or message with a new number instead; Confluent Schema Registry would reject this version"
        } else {
            "compatible change: Confluent Schema Registry accepts it"
        };
        let f = Finding::new(rule, self.subject.clone(), message)
            .help(help)
            .format(Format::Protobuf)
            .maybe_new(new)
            .maybe_old(old);
        // A difference an inline ignore suppresses does not count either: the change was accepted where it was
        // made, so the fields that refer to it are not flagged.
        if ignored(&f, &self.ignores) {
            return;
        }
        if rule.severity == crate::finding::Severity::Error {
            self.errors += 1;
        }
        self.out.push(f);
    }

    /// The messages and enums declared directly inside `prefix` of `file`, from an index built once per file.
    fn children(&mut self, file: &'a PFile, prefix: &str) -> Children<'a> {
        let id = std::ptr::from_ref(file) as usize;
        let index = self.nested.entry(id).or_insert_with(|| {
            let parent_of = |nested: &'a str| nested.rsplit_once('.').map_or("", |(p, _)| p);
            let mut index: HashMap<&'a str, Children<'a>> = HashMap::new();
            for m in file.messages.iter().filter(|m| !m.map_entry) {
                index
                    .entry(parent_of(&m.nested_name))
                    .or_default()
                    .0
                    .push(m);
            }
            for e in &file.enums {
                index
                    .entry(parent_of(&e.nested_name))
                    .or_default()
                    .1
                    .push(e);
            }
            index
        });
        index.get(prefix).cloned().unwrap_or_default()
    }
}

/// The inline ignores of every element of `files`, by (source file, span).
fn ignore_index<'a>(files: &[&'a PFile]) -> IgnoreIndex<'a> {
    let mut index: IgnoreIndex<'a> = HashMap::new();
    for f in files {
        let src = Arc::as_ptr(&f.src) as *const u8 as usize;
        let mut mine: HashMap<(usize, usize, usize), &'a Ignores> = HashMap::new();
        let mut put = |span: &Span, ig: &'a Ignores| {
            mine.entry((src, span.start, span.end)).or_insert(ig);
        };
        for m in &f.messages {
            // A map entry shares its span with the `map<…>` field, whose ignores are the ones that count.
            if !m.map_entry {
                put(&m.span, &m.ignores);
            }
            for o in &m.oneofs {
                put(&o.span, &m.ignores);
            }
            for x in &m.fields {
                put(&x.span, &x.ignores);
            }
        }
        for e in &f.enums {
            put(&e.span, &e.ignores);
            for v in &e.values {
                put(&v.span, &v.ignores);
            }
        }
        put(&f.head_span(), &f.ignores);
        for (k, ig) in mine {
            index.entry(k).or_default().push(ig);
        }
    }
    index
}

pub(crate) fn check(
    old: &ProtoSnap,
    old_path: &str,
    new: &ProtoSnap,
    new_path: &str,
    dir: Direction,
    _opts: &CheckOptions,
) -> Vec<Finding> {
    // Broken files were reported while loading.
    let broken = |s: &ProtoSnap, p: &str| s.index.get(p).is_none_or(|&i| s.summaries[i].broken);
    if broken(old, old_path) || broken(new, new_path) {
        return Vec::new();
    }
    if old_path == new_path && same_closure(old, new, old_path) {
        return Vec::new();
    }
    // First call for this pair of snapshots: compile every changed file present on both sides in batches.
    let changed = std::sync::OnceLock::new();
    let targets = |side: usize| {
        let (o, n) = changed.get_or_init(|| super::breaking::changed(old, new));
        let (mine, snap, other) = if side == 0 {
            (o, old, new)
        } else {
            (n, new, old)
        };
        mine.iter()
            .copied()
            .filter(|&i: &usize| other.index.contains_key(&snap.files[i].path))
            .collect::<Vec<usize>>()
    };
    old.precompile(std::ptr::from_ref(new) as usize, || targets(0));
    new.precompile(std::ptr::from_ref(old) as usize, || targets(1));
    let (of, nf) = match (old.compiled(old_path), new.compiled(new_path)) {
        (Ok(o), Ok(n)) => (o, n),
        (o, n) => {
            let mut out: Vec<Finding> = o
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(as_baseline)
                .collect();
            out.extend(n.err().unwrap_or_default());
            return out;
        }
    };
    let with_imports = |s: &ProtoSnap, f: &Arc<PFile>| -> Vec<Arc<PFile>> {
        let Some(&i) = s.index.get(&f.path) else {
            return vec![Arc::clone(f)];
        };
        s.closure([i])
            .into_iter()
            .filter_map(|k| s.cached(&s.files[k].path))
            .collect()
    };
    let (old_files, new_files) = (with_imports(old, &of), with_imports(new, &nf));
    let (orig_files, upd_files, orig_f, upd_f) = match dir {
        Direction::Backward => (&old_files, &new_files, &of, &nf),
        Direction::Forward => (&new_files, &old_files, &nf, &of),
    };
    let all: Vec<&PFile> = old_files
        .iter()
        .chain(new_files.iter())
        .map(|f| &**f)
        .collect();
    let mut cx = Cx {
        orig: Types::new(orig_files),
        upd: Types::new(upd_files),
        orig_is_old: dir == Direction::Backward,
        subject: new_path.to_string(),
        stack: HashSet::new(),
        memo: HashMap::new(),
        phase: Phase::Top,
        errors: 0,
        child_incompatible: false,
        out: Vec::new(),
        ignores: ignore_index(&all),
        nested: HashMap::new(),
    };
    if orig_f.package != upd_f.package {
        let (os, us) = (orig_f.head_span(), upd_f.head_span());
        cx.add(
            &PACKAGE_CHANGED,
            "#/",
            format!(
                "package changed from `{}` to `{}`",
                orig_f.package, upd_f.package
            ),
            at_span(orig_f, &os),
            at_span(upd_f, &us),
        );
    }
    compare_types(&mut cx, orig_f, "", upd_f, "", "#");
    cx.out
}

/// A difference worded from the updated schema to the original one (FORWARD), worded from the old schema to the
/// new one: added ↔ removed, and `from A to B` ↔ `from B to A`.
fn as_changed_old_to_new(message: &str) -> String {
    static FROM_TO: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"from (index \d+|(?:[a-z]+ )?`[^`]*`|\S+) to (\d+|(?:[a-z]+ )?`[^`]*`|[^\s,]+)",
        )
        .ok()
    });
    let swapped = message
        .replace("was removed from", "\u{1}")
        .replace("was added to", "\u{2}")
        .replace("was removed", "\u{3}")
        .replace("was added", "\u{4}")
        .replace('\u{1}', "was added to")
        .replace('\u{2}', "was removed from")
        .replace('\u{3}', "was added")
        .replace('\u{4}', "was removed");
    let Some(re) = FROM_TO.as_ref() else {
        return swapped;
    };
    re.replace_all(&swapped, |c: &regex::Captures<'_>| {
        let (a, b) = (&c[1], &c[2]);
        match a.strip_prefix("index ") {
            Some(i) => format!("from index {b} to {i}"),
            None => format!("from {b} to {a}"),
        }
    })
    .into_owned()
}

/// Whether an inline `schemaguard:ignore <RULE>` on the element at either location (or on its parents, which the
/// model folds into each element's ignores) suppresses the finding.
fn ignored(f: &Finding, index: &IgnoreIndex<'_>) -> bool {
    let id = f.rule.id;
    [&f.new, &f.old].into_iter().flatten().any(|l| {
        let key = (
            Arc::as_ptr(&l.file) as *const u8 as usize,
            l.span.start,
            l.span.end,
        );
        index
            .get(&key)
            .is_some_and(|igs| igs.iter().any(|ig| ig.iter().any(|x| x == id)))
    })
}

fn same_closure(old: &ProtoSnap, new: &ProtoSnap, path: &str) -> bool {
    let (Some(&i), Some(&j)) = (old.index.get(path), new.index.get(path)) else {
        return false;
    };
    let a: Vec<&str> = old
        .closure([i])
        .into_iter()
        .map(|k| old.files[k].path.as_str())
        .collect();
    let b: Vec<&str> = new
        .closure([j])
        .into_iter()
        .map(|k| new.files[k].path.as_str())
        .collect();
    let (sa, sb): (BTreeSet<&str>, BTreeSet<&str>) =
        (a.iter().copied().collect(), b.iter().copied().collect());
    sa == sb
        && a.iter().all(|p| {
            let (x, y) = (old.index[*p], new.index[*p]);
            old.files[x].text == new.files[y].text
        })
}

fn compare_types<'a>(
    cx: &mut Cx<'a>,
    of: &'a PFile,
    oprefix: &str,
    uf: &'a PFile,
    uprefix: &str,
    path: &str,
) {
    let (om, oe) = cx.children(of, oprefix);
    let (um, ue) = cx.children(uf, uprefix);
    let om: BTreeMap<&str, (usize, &PMessage)> = om
        .into_iter()
        .enumerate()
        .map(|(i, m)| (m.name.as_str(), (i, m)))
        .collect();
    let um: BTreeMap<&str, (usize, &PMessage)> = um
        .into_iter()
        .enumerate()
        .map(|(i, m)| (m.name.as_str(), (i, m)))
        .collect();
    let names: BTreeSet<&str> = om.keys().chain(um.keys()).copied().collect();
    for name in names {
        let p = format!("{path}/{name}");
        match (om.get(name), um.get(name)) {
            (Some((_, o)), None) => cx.add(
                &MESSAGE_REMOVED,
                &p,
                format!("message `{}` was removed", o.full_name),
                at_span(of, &o.span),
                None,
            ),
            (None, Some((_, u))) => cx.add(
                &MESSAGE_ADDED,
                &p,
                format!("message `{}` was added", u.full_name),
                None,
                at_span(uf, &u.span),
            ),
            (Some((oi, o)), Some((ui, u))) => {
                compare_message(cx, of, o, uf, u, &p);
                if oi != ui {
                    cx.add(
                        &MESSAGE_MOVED,
                        &p,
                        format!("message `{}` moved from index {oi} to {ui}", u.full_name),
                        at_span(of, &o.span),
                        at_span(uf, &u.span),
                    );
                }
            }
            (None, None) => {}
        }
    }
    let oe: BTreeMap<&str, &PEnum> = oe.into_iter().map(|e| (e.name.as_str(), e)).collect();
    let ue: BTreeMap<&str, &PEnum> = ue.into_iter().map(|e| (e.name.as_str(), e)).collect();
    let names: BTreeSet<&str> = oe.keys().chain(ue.keys()).copied().collect();
    for name in names {
        let p = format!("{path}/{name}");
        match (oe.get(name), ue.get(name)) {
            (Some(o), None) => cx.add(
                &ENUM_REMOVED,
                &p,
                format!("enum `{}` was removed", o.full_name),
                at_span(of, &o.span),
                None,
            ),
            (None, Some(u)) => cx.add(
                &ENUM_ADDED,
                &p,
                format!("enum `{}` was added", u.full_name),
                None,
                at_span(uf, &u.span),
            ),
            (Some(o), Some(u)) => compare_enum(cx, of, o, uf, u, &p),
            (None, None) => {}
        }
    }
}

fn compare_enum(cx: &mut Cx<'_>, of: &PFile, o: &PEnum, uf: &PFile, u: &PEnum, path: &str) {
    let om: BTreeMap<i32, &PEnumValue> = o.values.iter().rev().map(|v| (v.number, v)).collect();
    let um: BTreeMap<i32, &PEnumValue> = u.values.iter().rev().map(|v| (v.number, v)).collect();
    let nums: BTreeSet<i32> = om.keys().chain(um.keys()).copied().collect();
    for n in nums {
        let p = format!("{path}/{n}");
        match (om.get(&n), um.get(&n)) {
            (Some(a), None) => cx.add(
                &ENUM_CONST_REMOVED,
                &p,
                format!(
                    "enum constant `{}` ({n}) of `{}` was removed",
                    a.name, o.full_name
                ),
                at_span(of, &a.span),
                None,
            ),
            (None, Some(b)) => cx.add(
                &ENUM_CONST_ADDED,
                &p,
                format!(
                    "enum constant `{}` ({n}) of `{}` was added",
                    b.name, u.full_name
                ),
                None,
                at_span(uf, &b.span),
            ),
            (Some(a), Some(b)) if a.name != b.name => cx.add(
                &ENUM_CONST_CHANGED,
                &p,
                format!(
                    "enum constant {n} of `{}` changed name from `{}` to `{}`",
                    u.full_name, a.name, b.name
                ),
                at_span(of, &a.span),
                at_span(uf, &b.span),
            ),
            _ => {}
        }
    }
}

/// Oneof of a field as Confluent's text parser sees it (proto3 `optional` is a label, not a oneof).
fn oneof(f: &PField) -> Option<&str> {
    f.oneof.as_deref().filter(|_| !f.oneof_synthetic)
}

fn oneof_names(m: &PMessage) -> BTreeMap<String, &POneof> {
    m.oneofs
        .iter()
        .filter(|x| !x.synthetic)
        .map(|x| (x.name.clone(), x))
        .collect()
}

/// Compares a pair of messages; returns whether it holds an incompatible difference (its own or a referenced
/// pair's). A pair being compared (a cycle) holds none, as in Confluent's `SchemaScope`.
fn compare_message<'a>(
    cx: &mut Cx<'a>,
    of: &'a PFile,
    o: &'a PMessage,
    uf: &'a PFile,
    u: &'a PMessage,
    path: &str,
) -> bool {
    let pair = Pair {
        of,
        o,
        uf,
        u,
        path: String::new(),
    };
    match &mut cx.phase {
        Phase::Collect(list) => {
            list.push(Pair {
                path: path.to_string(),
                ..pair
            });
            false
        }
        Phase::Lookup => {
            let key = pair.key();
            let r = !cx.stack.contains(&key) && cx.memo.get(&key).copied().unwrap_or(false);
            cx.child_incompatible |= r;
            r
        }
        Phase::Top => solve(
            cx,
            Pair {
                path: path.to_string(),
                ..pair
            },
        ),
    }
}

/// A pair on the work list: the pairs its body refers to, and how many of them were visited.
struct Frame<'a> {
    pair: Pair<'a>,
    refs: Vec<Pair<'a>>,
    next: usize,
}

/// Compares `root` and every pair it reaches, depth first in the order the recursive walk would take (so cycles
/// are cut at the same pairs), with an explicit stack: a pair's body is emitted once all its referenced pairs are
/// done.
fn solve<'a>(cx: &mut Cx<'a>, root: Pair<'a>) -> bool {
    let key = root.key();
    if cx.stack.contains(&key) {
        return false;
    }
    if let Some(&r) = cx.memo.get(&key) {
        return r;
    }
    let open = |cx: &mut Cx<'a>, pair: Pair<'a>| {
        cx.stack.insert(pair.key());
        cx.phase = Phase::Collect(Vec::new());
        compare_message_body(cx, pair.of, pair.o, pair.uf, pair.u, &pair.path);
        let refs = match std::mem::replace(&mut cx.phase, Phase::Top) {
            Phase::Collect(refs) => refs,
            _ => Vec::new(),
        };
        Frame {
            pair,
            refs,
            next: 0,
        }
    };
    let mut frames = vec![open(cx, root)];
    while let Some(top) = frames.last_mut() {
        if let Some(next) = top.refs.get(top.next) {
            top.next += 1;
            let k = next.key();
            if !cx.stack.contains(&k) && !cx.memo.contains_key(&k) {
                let next = next.clone();
                let frame = open(cx, next);
                frames.push(frame);
            }
            continue;
        }
        let Some(Frame { pair, .. }) = frames.pop() else {
            break;
        };
        let errors = cx.errors;
        cx.phase = Phase::Lookup;
        cx.child_incompatible = false;
        compare_message_body(cx, pair.of, pair.o, pair.uf, pair.u, &pair.path);
        let incompatible = cx.errors > errors || cx.child_incompatible;
        cx.phase = Phase::Top;
        cx.stack.remove(&pair.key());
        cx.memo.insert(pair.key(), incompatible);
    }
    cx.memo.get(&key).copied().unwrap_or(false)
}

fn compare_message_body<'a>(
    cx: &mut Cx<'a>,
    of: &'a PFile,
    o: &'a PMessage,
    uf: &'a PFile,
    u: &'a PMessage,
    path: &str,
) {
    let ob: BTreeMap<i32, &PField> = o.fields.iter().map(|f| (f.number, f)).collect();
    let ub: BTreeMap<i32, &PField> = u.fields.iter().map(|f| (f.number, f)).collect();
    let (oo, uo) = (oneof_names(o), oneof_names(u));
    // Oneofs of the update that gather fields from different original groups.
    for (name, decl) in &uo {
        let p = format!("{path}/{name}");
        let members: Vec<&PField> = u
            .fields
            .iter()
            .filter(|f| oneof(f) == Some(name.as_str()))
            .collect();
        let mut moved = 0;
        let mut groups: BTreeSet<&str> = BTreeSet::new();
        // The original field the finding points at: the first that came from outside any oneof, else the first
        // from another oneof than this one.
        let mut first_moved: Option<&PField> = None;
        let mut first_foreign: Option<&PField> = None;
        for m in &members {
            if let Some(orig) = ob.get(&m.number) {
                match oneof(orig) {
                    None => {
                        moved += 1;
                        first_moved = first_moved.or(Some(orig));
                    }
                    Some(g) => {
                        groups.insert(g);
                        if g != name.as_str() {
                            first_foreign = first_foreign.or(Some(orig));
                        }
                    }
                }
            }
        }
        let orig_span = first_moved.or(first_foreign).map_or(&o.span, |f| &f.span);
        if moved > 1 {
            cx.add(
                &MULTIPLE_FIELDS_MOVED_TO_ONEOF,
                &p,
                format!("oneof `{name}` of message `{}` gathers {moved} fields that were outside any oneof", u.full_name),
                at_span(of, orig_span),
                at_span(uf, &decl.span),
            );
        } else if (moved == 1 && !groups.is_empty()) || groups.len() > 1 {
            cx.add(
                &FIELD_MOVED_TO_EXISTING_ONEOF,
                &p,
                format!("oneof `{name}` of message `{}` mixes fields that were in different oneofs or outside any oneof", u.full_name),
                at_span(of, orig_span),
                at_span(uf, &decl.span),
            );
        }
    }
    let all: BTreeSet<&String> = oo.keys().chain(uo.keys()).collect();
    for name in all {
        let p = format!("{path}/{name}");
        match (oo.get(name), uo.get(name)) {
            (Some(d), None) => cx.add(
                &ONEOF_REMOVED,
                &p,
                format!("oneof `{name}` of message `{}` was removed", o.full_name),
                at_span(of, &d.span),
                at_span(uf, &u.span),
            ),
            (None, Some(d)) => cx.add(
                &ONEOF_ADDED,
                &p,
                format!("oneof `{name}` of message `{}` was added", u.full_name),
                at_span(of, &o.span),
                at_span(uf, &d.span),
            ),
            _ => {}
        }
    }
    // A oneof survives (fully or partly) when any of its original members is still inside some oneof.
    let surviving: BTreeSet<&str> = oo
        .keys()
        .filter(|name| {
            uo.contains_key(name.as_str())
                || o.fields
                    .iter()
                    .filter(|f| oneof(f) == Some(name.as_str()))
                    .any(|f| ub.get(&f.number).is_some_and(|x| oneof(x).is_some()))
        })
        .map(String::as_str)
        .collect();
    let tags: BTreeSet<i32> = ob.keys().chain(ub.keys()).copied().collect();
    for tag in tags {
        let p = format!("{path}/{tag}");
        match (ob.get(&tag), ub.get(&tag)) {
            (Some(f), None) => {
                let at = at_span(of, &f.span);
                let in_u = at_span(uf, &u.span);
                if f.label == LABEL_REQUIRED {
                    cx.add(
                        &REQUIRED_FIELD_REMOVED,
                        &p,
                        format!(
                            "required field `{}` ({tag}) of message `{}` was removed",
                            f.name, o.full_name
                        ),
                        at,
                        in_u,
                    );
                } else if oneof(f).is_some_and(|g| surviving.contains(g)) {
                    cx.add(
                        &ONEOF_FIELD_REMOVED,
                        &p,
                        format!(
                            "field `{}` ({tag}) was removed from oneof `{}` of message `{}`",
                            f.name,
                            oneof(f).unwrap_or_default(),
                            o.full_name
                        ),
                        at,
                        in_u,
                    );
                } else {
                    cx.add(
                        &FIELD_REMOVED,
                        &p,
                        format!(
                            "field `{}` ({tag}) of message `{}` was removed",
                            f.name, o.full_name
                        ),
                        at,
                        in_u,
                    );
                }
            }
            (None, Some(f)) => {
                let in_o = at_span(of, &o.span);
                let at = at_span(uf, &f.span);
                if f.label == LABEL_REQUIRED {
                    cx.add(
                        &REQUIRED_FIELD_ADDED,
                        &p,
                        format!(
                            "required field `{}` ({tag}) was added to message `{}`",
                            f.name, u.full_name
                        ),
                        in_o,
                        at,
                    );
                } else if let Some(g) = oneof(f) {
                    cx.add(
                        &ONEOF_FIELD_ADDED,
                        &p,
                        format!(
                            "field `{}` ({tag}) was added to oneof `{g}` of message `{}`",
                            f.name, u.full_name
                        ),
                        in_o,
                        at,
                    );
                } else {
                    cx.add(
                        &FIELD_ADDED,
                        &p,
                        format!(
                            "field `{}` ({tag}) was added to message `{}`",
                            f.name, u.full_name
                        ),
                        in_o,
                        at,
                    );
                }
            }
            (Some(a), Some(b)) => {
                if let (Some(g), None) = (oneof(a), oneof(b)) {
                    cx.add(
                        &ONEOF_FIELD_MOVED_TO_TOP_LEVEL,
                        &p,
                        format!(
                            "field `{}` ({tag}) of message `{}` moved out of oneof `{g}`",
                            b.name, u.full_name
                        ),
                        at_span(of, &a.span),
                        at_span(uf, &b.span),
                    );
                }
                compare_field(cx, of, a, uf, b, &p, &u.full_name);
            }
            (None, None) => {}
        }
    }
    compare_types(cx, of, &o.nested_name, uf, &u.nested_name, path);
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Scalar,
    Message,
    Map,
}

/// A field's type as Confluent sees it: kind, scalar group, and for messages the full name.
#[derive(Clone)]
struct Ty {
    kind: Kind,
    ty: i32,
    name: String,
}

fn ty_of(f: &PField) -> Ty {
    if f.is_map {
        return Ty {
            kind: Kind::Map,
            ty: f.ty,
            name: f.type_name.clone(),
        };
    }
    let kind = match f.ty {
        TYPE_MESSAGE | TYPE_GROUP => Kind::Message,
        _ => Kind::Scalar,
    };
    Ty {
        kind,
        ty: f.ty,
        name: f.type_name.clone(),
    }
}

/// A field's kind in words, with its type: "scalar `string`", "message `acme.Note`", "map".
fn kind_str(t: &Ty) -> String {
    match t.kind {
        Kind::Scalar if t.ty == TYPE_ENUM => format!("enum `{}`", t.name),
        Kind::Scalar => format!("scalar `{}`", type_str(t.ty)),
        Kind::Message => format!("message `{}`", t.name),
        Kind::Map => "map".to_string(),
    }
}

fn scalar_group(t: i32) -> u8 {
    match t {
        5 | 3 | 13 | 4 | 8 | TYPE_ENUM => 1,
        17 | 18 => 2,
        9 | 12 => 3,
        7 | 15 => 4,
        6 | 16 => 5,
        2 => 6,
        1 => 7,
        _ => 0,
    }
}

fn compare_field<'a>(
    cx: &mut Cx<'a>,
    of: &'a PFile,
    a: &PField,
    uf: &'a PFile,
    b: &PField,
    path: &str,
    msg: &str,
) {
    let (oa, ub) = (at_span(of, &a.span), at_span(uf, &b.span));
    if a.name != b.name {
        cx.add(
            &FIELD_NAME_CHANGED,
            path,
            format!(
                "field {} of message `{msg}` changed name from `{}` to `{}`",
                b.number, a.name, b.name
            ),
            oa,
            ub,
        );
    }
    let label = |f: &PField| f.explicit_label.then_some(f.label);
    compare_types_of(
        cx,
        of,
        uf,
        label(a),
        label(b),
        ty_of(a),
        ty_of(b),
        a,
        b,
        path,
        msg,
    );
}

#[allow(clippy::too_many_arguments)]
fn compare_types_of<'a>(
    cx: &mut Cx<'a>,
    of: &'a PFile,
    uf: &'a PFile,
    ol: Option<i32>,
    ul: Option<i32>,
    ot: Ty,
    ut: Ty,
    a: &PField,
    b: &PField,
    path: &str,
    msg: &str,
) {
    let (oa, ub) = (at_span(of, &a.span), at_span(uf, &b.span));
    let desc = format!("field `{}` ({}) of message `{msg}`", b.name, b.number);
    if ot.kind != ut.kind {
        cx.add(
            &FIELD_KIND_CHANGED,
            path,
            format!(
                "the kind of {desc} changed from {} to {}",
                kind_str(&ot),
                kind_str(&ut)
            ),
            oa,
            ub,
        );
        return;
    }
    match ot.kind {
        Kind::Scalar => {
            if scalar_group(ot.ty) != scalar_group(ut.ty) {
                cx.add(
                    &FIELD_SCALAR_KIND_CHANGED,
                    path,
                    format!("the type of {desc} changed from `{}` to `{}`, outside its compatibility group", type_str(ot.ty), type_str(ut.ty)),
                    oa,
                    ub,
                );
            } else if let (Some(x), Some(y)) = (ol, ul) {
                if x != y {
                    let lbl = |l: i32| match l {
                        2 => "required",
                        3 => "repeated",
                        _ => "optional",
                    };
                    if scalar_group(ot.ty) == 3 {
                        cx.add(
                            &FIELD_STRING_OR_BYTES_LABEL_CHANGED,
                            path,
                            format!(
                                "the label of {desc} changed from `{}` to `{}`",
                                lbl(x),
                                lbl(y)
                            ),
                            oa,
                            ub,
                        );
                    } else {
                        cx.add(
                            &FIELD_NUMERIC_LABEL_CHANGED,
                            path,
                            format!(
                                "the label of {desc} changed from `{}` to `{}`",
                                lbl(x),
                                lbl(y)
                            ),
                            oa,
                            ub,
                        );
                    }
                }
            }
        }
        Kind::Message => {
            let local = |t: &Types<'_>, name: &str| -> Option<String> {
                t.messages.get(name).map(|(f, _)| {
                    name.strip_prefix(&format!("{}.", f.package))
                        .unwrap_or(name)
                        .to_string()
                })
            };
            let (lo, lu) = (local(&cx.orig, &ot.name), local(&cx.upd, &ut.name));
            let (Some(lo), Some(lu)) = (lo, lu) else {
                if ot.name != ut.name {
                    cx.add(
                        &FIELD_NAMED_TYPE_CHANGED,
                        path,
                        format!(
                            "{desc} now refers to `{}` instead of `{}`",
                            ut.name, ot.name
                        ),
                        oa,
                        ub,
                    );
                }
                return;
            };
            if lo != lu {
                cx.add(
                    &FIELD_NAMED_TYPE_CHANGED,
                    path,
                    format!(
                        "{desc} now refers to `{}` instead of `{}`",
                        ut.name, ot.name
                    ),
                    oa,
                    ub,
                );
                return;
            }
            let (Some(&(mf, mo)), Some(&(nf2, mu))) = (
                cx.orig.messages.get(ot.name.as_str()),
                cx.upd.messages.get(ut.name.as_str()),
            ) else {
                return;
            };
            if compare_message(cx, mf, mo, nf2, mu, &format!("#/{lo}")) {
                cx.add(
                    &FIELD_NAMED_TYPE_CHANGED,
                    path,
                    format!("{desc} refers to message `{lo}`, which changed incompatibly"),
                    oa,
                    ub,
                );
            }
        }
        Kind::Map => {
            // Map entry types: compare key and value like fields without labels.
            let entry = |t: &Types<'_>, name: &str| -> Option<(PField, PField)> {
                let (_, m) = t.messages.get(name)?;
                let k = m.fields.iter().find(|f| f.number == 1)?.clone();
                let v = m.fields.iter().find(|f| f.number == 2)?.clone();
                Some((k, v))
            };
            let (Some((ok, ov)), Some((uk, uv))) =
                (entry(&cx.orig, &ot.name), entry(&cx.upd, &ut.name))
            else {
                return;
            };
            compare_types_of(
                cx,
                of,
                uf,
                None,
                None,
                ty_of(&ok),
                ty_of(&uk),
                a,
                b,
                path,
                msg,
            );
            compare_types_of(
                cx,
                of,
                uf,
                None,
                None,
                ty_of(&ov),
                ty_of(&uv),
                a,
                b,
                path,
                msg,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::as_changed_old_to_new;

    #[test]
    fn forward_differences_are_worded_old_to_new() {
        assert_eq!(
            as_changed_old_to_new("message `p.B` was removed"),
            "message `p.B` was added"
        );
        assert_eq!(
            as_changed_old_to_new("field `y` (2) was removed from oneof `o` of message `M`"),
            "field `y` (2) was added to oneof `o` of message `M`"
        );
        assert_eq!(
            as_changed_old_to_new(
                "the type of field `a` (1) of message `M` changed from `sint32` to `int32`, outside its compatibility group"
            ),
            "the type of field `a` (1) of message `M` changed from `int32` to `sint32`, outside its compatibility group"
        );
        assert_eq!(
            as_changed_old_to_new(
                "the kind of field `a` (1) of message `M` changed from scalar `int32` to message `p.X`"
            ),
            "the kind of field `a` (1) of message `M` changed from message `p.X` to scalar `int32`"
        );
        assert_eq!(
            as_changed_old_to_new("message `p.A` moved from index 0 to 2"),
            "message `p.A` moved from index 2 to 0"
        );
        assert_eq!(
            as_changed_old_to_new("package changed from `a.v1` to `a.v2`"),
            "package changed from `a.v2` to `a.v1`"
        );
    }
}
