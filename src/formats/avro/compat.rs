//! The Avro reader/writer compatibility walk, a port of Apache Avro 1.12 `SchemaCompatibility` (the algorithm
//! Confluent's `AvroSchema.isBackwardCompatible` runs): same memoization by (reader, writer) pair with pairs in
//! progress counting as compatible, same name rule (unqualified name, or a reader alias equal to the writer's
//! full name), same promotions, same union handling (1.12 locations: a writer-union branch index is part of the
//! path), every incompatibility reported with Avro's JSON-pointer location in reader coordinates. Owns the
//! verdicts and turns them into findings; it parses nothing (see `parse.rs`).
//!
//! Complexity: each (reader, writer) pair with a named side is computed once (Avro's memo) and its result is
//! shared, not copied (`Res`: a diamond of types costs its number of pairs, not its number of paths). A reader
//! union searching a branch for a named writer type looks up the branches of that name (or alias) instead of
//! walking every branch, when no result can depend on where it is computed (no recursive type on either side, no
//! reader field alias; otherwise every branch is walked, as in Java). So a walk costs O(pairs reached × fields);
//! for old = new it is linear in the schema.
//!
//! Depth: at most `NATIVE_PAIRS` named pairs are checked nested on the native stack (plus the unnamed types
//! between them, inline and so at most `json::MAX_DEPTH` deep); a deeper named pair is deferred to an explicit
//! stack and checked from there (`Checker::get`), so a chain of 20,000 named types runs on a 2 MiB thread. Each
//! deferral redoes the pairs it abandoned once (their checked children are memo hits). Past `DEEP_MAX_DEPTH`
//! levels the walk stops with a located `CHECK_LIMIT_EXCEEDED`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::rc::Rc;

use super::parse::{field_index, Arena, Kind, NodeId, Prim};
use super::{
    AMBIGUOUS_FIELD_ALIAS, FIXED_SIZE_MISMATCH, MISSING_ENUM_SYMBOLS, MISSING_UNION_BRANCH,
    NAME_MISMATCH, READER_FIELD_MISSING_DEFAULT_VALUE, TYPE_MISMATCH,
};
use crate::finding::{Direction, Finding, Format, Location};
use crate::formats::json;
use crate::rules::Rule;

/// Deepest nesting of (reader, writer) checks walked; beyond it (a chain of tens of thousands of named types)
/// the walk stops with a located `CHECK_LIMIT_EXCEEDED` finding.
const DEEP_MAX_DEPTH: usize = 20_000;
/// Named pairs checked in nested native frames at most; a deeper one is deferred to `Checker::pending` (see
/// `Checker::get`). Between two named pairs lie only unnamed types written inline, nested at most
/// `json::MAX_DEPTH` levels, so the native stack holds O(`NATIVE_PAIRS` + `json::MAX_DEPTH`) frames.
const NATIVE_PAIRS: usize = 48;

/// Avro's `SchemaIncompatibilityType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IncompatKind {
    NameMismatch,
    FixedSizeMismatch,
    MissingEnumSymbols,
    ReaderFieldMissingDefaultValue,
    TypeMismatch,
    MissingUnionBranch,
}

impl IncompatKind {
    pub(crate) fn rule(self) -> &'static Rule {
        match self {
            IncompatKind::NameMismatch => &NAME_MISMATCH,
            IncompatKind::FixedSizeMismatch => &FIXED_SIZE_MISMATCH,
            IncompatKind::MissingEnumSymbols => &MISSING_ENUM_SYMBOLS,
            IncompatKind::ReaderFieldMissingDefaultValue => &READER_FIELD_MISSING_DEFAULT_VALUE,
            IncompatKind::TypeMismatch => &TYPE_MISMATCH,
            IncompatKind::MissingUnionBranch => &MISSING_UNION_BRANCH,
        }
    }
}

/// One `SchemaCompatibility.Incompatibility`, plus what is needed to point at both sides.
#[derive(Debug)]
pub(crate) struct Incompat {
    pub kind: IncompatKind,
    /// Reader element as written at the place checked (a reference is not followed, so the span is the use).
    pub reader: NodeId,
    pub writer: NodeId,
    /// Avro's message (`expected: com.acme.Order`, `[C, D]`, `reader type: STRING not compatible …`).
    pub message: Msg,
    /// Avro's location tokens; `location()` renders the JSON pointer in reader coordinates.
    loc: Vec<Tok>,
    /// Reader field index for a missing field; missing symbols for enums.
    pub field: Option<usize>,
    pub symbols: Vec<String>,
}

/// Avro's result list for one (reader, writer) pair, shared rather than copied: Java's list is this DAG unfolded
/// (a memoized pair's result appears again at every use, so a diamond of types unfolds to 2^depth entries). Clone
/// and `is_empty` are O(1); `flatten` visits each shared part once.
#[derive(Clone, Default)]
pub(crate) struct Res(Option<Rc<ResNode>>);

/// A non-empty result: incompatibilities and included results, in Java's order.
struct ResNode(Vec<Item>);

enum Item {
    One(Rc<Incompat>),
    All(Rc<ResNode>),
}

/// Dropped without recursion: results can nest as deep as a chain of named types.
impl Drop for ResNode {
    fn drop(&mut self) {
        let mut stack: Vec<Rc<ResNode>> = Vec::new();
        let take = |items: &mut Vec<Item>, stack: &mut Vec<Rc<ResNode>>| {
            for item in items.drain(..) {
                if let Item::All(node) = item {
                    stack.push(node);
                }
            }
        };
        take(&mut self.0, &mut stack);
        while let Some(rc) = stack.pop() {
            // The last holder of a result empties it here, so dropping it goes no deeper.
            if let Ok(mut node) = Rc::try_unwrap(rc) {
                take(&mut node.0, &mut stack);
            }
        }
    }
}

/// A result being built by one `calculate`.
#[derive(Default)]
struct Acc(Vec<Item>);

impl Acc {
    fn push(&mut self, inc: Rc<Incompat>) {
        self.0.push(Item::One(inc));
    }
    fn extend(&mut self, res: Res) {
        if let Some(node) = res.0 {
            self.0.push(Item::All(node));
        }
    }
    fn done(mut self) -> Res {
        match self.0.len() {
            0 => Res(None),
            // A result that is exactly one included result is that result.
            1 if matches!(self.0[0], Item::All(_)) => match self.0.pop() {
                Some(Item::All(node)) => Res(Some(node)),
                _ => Res(None),
            },
            _ => Res(Some(Rc::new(ResNode(self.0)))),
        }
    }
}

impl Res {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The distinct incompatibilities in order of first appearance (Java's list without its repeats, which are
    /// the same objects and would give identical findings).
    pub(crate) fn flatten(&self) -> Vec<Rc<Incompat>> {
        let mut out = Vec::new();
        let (mut seen_nodes, mut seen) = (
            std::collections::HashSet::new(),
            std::collections::HashSet::new(),
        );
        let Some(root) = &self.0 else {
            return out;
        };
        let mut stack: Vec<(&ResNode, usize)> = vec![(root, 0)];
        seen_nodes.insert(Rc::as_ptr(root));
        while let Some((node, i)) = stack.pop() {
            let Some(item) = node.0.get(i) else {
                continue;
            };
            stack.push((node, i + 1));
            match item {
                Item::One(inc) => {
                    if seen.insert(Rc::as_ptr(inc)) {
                        out.push(Rc::clone(inc));
                    }
                }
                Item::All(sub) => {
                    if seen_nodes.insert(Rc::as_ptr(sub)) {
                        stack.push((sub, 0));
                    }
                }
            }
        }
        out
    }

    /// The length of Java's list (repeats included), saturating.
    pub(crate) fn len(&self) -> usize {
        let mut memo: HashMap<*const ResNode, usize> = HashMap::new();
        let Some(root) = &self.0 else {
            return 0;
        };
        // Post-order over the DAG with an explicit stack.
        let mut stack: Vec<(&ResNode, bool)> = vec![(root, false)];
        while let Some((node, expanded)) = stack.pop() {
            let key = std::ptr::from_ref(node);
            if memo.contains_key(&key) {
                continue;
            }
            if !expanded {
                stack.push((node, true));
                for item in &node.0 {
                    if let Item::All(sub) = item {
                        stack.push((sub, false));
                    }
                }
                continue;
            }
            let n = node.0.iter().fold(0usize, |n, item| match item {
                Item::One(_) => n.saturating_add(1),
                Item::All(sub) => {
                    n.saturating_add(memo.get(&Rc::as_ptr(sub)).copied().unwrap_or(0))
                }
            });
            memo.insert(key, n);
        }
        memo.get(&Rc::as_ptr(root)).copied().unwrap_or(0)
    }
}

/// Avro's message text, built only when a finding is rendered (the walk creates many incompatibilities that a
/// union branch search then discards).
#[derive(Debug)]
pub(crate) enum Msg {
    TypeMismatch(&'static str, &'static str),
    UnionLacking(&'static str),
    FixedSize(u64, u64),
    Text(String),
}

impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Msg::TypeMismatch(r, w) => {
                write!(f, "reader type: {r} not compatible with writer type: {w}")
            }
            Msg::UnionLacking(w) => write!(f, "reader union lacking writer type: {w}"),
            Msg::FixedSize(expected, found) => write!(f, "expected: {expected}, found: {found}"),
            Msg::Text(t) => f.write_str(t),
        }
    }
}

impl Incompat {
    /// Avro's location: a JSON pointer in reader coordinates (`/fields/1/type/symbols`).
    pub(crate) fn location(&self) -> String {
        location_string(&self.loc)
    }
}

/// One JSON-pointer token of Avro's location stack (no allocation while walking).
#[derive(Debug, Clone, Copy)]
enum Tok {
    Root,
    Key(&'static str),
    Index(usize),
}

/// A small multiplicative hasher for the memo's integer pairs (SipHash dominated the walk).
#[derive(Default)]
struct PairHasher(u64);

impl std::hash::Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type Memo = HashMap<(NodeId, NodeId), Option<Res>, std::hash::BuildHasherDefault<PairHasher>>;

pub(crate) struct Checker<'a> {
    r: &'a Arena,
    w: &'a Arena,
    /// `None` while the pair is being checked (recursion), then its result.
    memo: Memo,
    depth: usize,
    max_depth: usize,
    /// Whether the walk stopped somewhere at `max_depth`.
    truncated: bool,
    /// The first (reader, writer) pair not compared because of `max_depth`.
    truncated_at: Option<(NodeId, NodeId)>,
    /// Set when `lookupWriterField` found several writer fields for one reader field. Java throws there, which
    /// ends the whole check; the walk then returns at once and only this is reported.
    ambiguous: Option<Ambiguity>,
    /// Whether every pair's result is the same wherever it is computed: both sides without recursive types (no
    /// pair is ever reached while in progress) and no reader field alias (no `lookupWriterField` exception). Then
    /// a union-branch search may skip branches that certainly fail (another name, another type) instead of
    /// walking them as Java does, which changes no result and makes wide unions linear instead of quadratic.
    pure: bool,
    /// Whether `pure` was computed (by the first `check`, for the roots compared).
    pure_known: bool,
    /// Reader unions' branches by (Java type, unqualified name) and (Java type, alias), built on first use.
    unions: HashMap<NodeId, Rc<UnionIndex<'a>>>,
    /// Named pairs being checked on the native stack right now.
    native: usize,
    /// Set when a named pair was met past `NATIVE_PAIRS`: every frame returns at once (its partial result
    /// dropped), leaving its named pair in progress on `unwound`, innermost first.
    abort: bool,
    unwound: Vec<Deferred>,
    /// Named pairs in progress whose check was abandoned and must be redone, outermost first: the explicit stack
    /// of the walk beyond `NATIVE_PAIRS` levels.
    pending: Vec<Deferred>,
    /// The location stack being walked (`check` starts a new one), for `Deferred::loc`.
    loc_ctx: usize,
    next_loc_ctx: usize,
}

/// A named pair whose check is redone later, with what `calculate` needs to redo it where it was.
struct Deferred {
    key: (NodeId, NodeId),
    uses: (NodeId, NodeId),
    depth: usize,
    /// The location stack at the pair: the first `.1` tokens of `.0`, shared by the pairs deferred from one stack
    /// (copied once per unwinding, not once per pair).
    loc: (Rc<Vec<Tok>>, usize),
    loc_ctx: usize,
}

/// The named branches of one reader union, for finding the few that can read a named writer type.
#[derive(Default)]
struct UnionIndex<'a> {
    by_short: HashMap<(&'static str, &'a str), Vec<usize>>,
    by_alias: HashMap<(&'static str, &'a str), Vec<usize>>,
    /// Branches that are not named types (they are checked against every writer).
    unnamed: Vec<usize>,
}

/// The children of a node in the type graph (field types, items, values, branches, a reference's target).
fn children(a: &Arena, id: NodeId) -> Vec<NodeId> {
    match &a.node(id).kind {
        Kind::Record { fields, .. } => fields.iter().map(|f| f.ty).collect(),
        Kind::Array(x) | Kind::Map(x) => vec![*x],
        Kind::Union(bs) => bs.clone(),
        Kind::Ref {
            target: Some(t), ..
        } => vec![*t],
        _ => Vec::new(),
    }
}

/// Whether the types reachable from `root` refer to themselves through any path (a recursive schema). Only the
/// part of the arena a check can walk is looked at: an arena holds every file of a snapshot, and looking at all
/// of it for each subject compared made checking many subjects quadratic.
fn has_cycle(a: &Arena, root: NodeId) -> bool {
    // 0 = unseen, 1 = on the current path, 2 = done; an explicit stack of (node, children, next child).
    let mut state: HashMap<NodeId, u8> = HashMap::new();
    state.insert(root, 1);
    let mut stack: Vec<(NodeId, Vec<NodeId>, usize)> = vec![(root, children(a, root), 0)];
    while let Some((id, kids, next)) = stack.last_mut() {
        if let Some(&k) = kids.get(*next) {
            *next += 1;
            match state.get(&k).copied().unwrap_or(0) {
                1 => return true,
                0 => {
                    state.insert(k, 1);
                    let kk = children(a, k);
                    stack.push((k, kk, 0));
                }
                _ => {}
            }
        } else {
            state.insert(*id, 2);
            stack.pop();
        }
    }
    false
}

/// Whether a record reachable from `root` has a field with aliases.
fn has_field_alias(a: &Arena, root: NodeId) -> bool {
    let mut seen: HashSet<NodeId> = HashSet::new();
    let mut todo = vec![root];
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Kind::Record { fields, .. } = &a.node(id).kind {
            if fields.iter().any(|f| !f.aliases.is_empty()) {
                return true;
            }
        }
        todo.extend(children(a, id));
    }
    false
}

/// A reader field that matches several writer fields (Java's `AvroRuntimeException` in `lookupWriterField`).
#[derive(Debug)]
pub(crate) struct Ambiguity {
    /// Reader and writer records.
    reader: NodeId,
    writer: NodeId,
    field: usize,
    /// The writer fields found, in Java's order: by the reader field's name, then by each distinct alias; each
    /// with the name it was found by and whether that was an alias.
    matches: Vec<(usize, String, bool)>,
    loc: Vec<Tok>,
}

fn location_string(loc: &[Tok]) -> String {
    let parts: Vec<String> = loc
        .iter()
        .skip(1)
        .map(|t| match t {
            Tok::Root => String::new(),
            Tok::Key(k) => json::escape_token(k),
            Tok::Index(i) => i.to_string(),
        })
        .collect();
    format!("/{}", parts.join("/"))
}

impl<'a> Checker<'a> {
    pub(crate) fn new(reader: &'a Arena, writer: &'a Arena) -> Self {
        Checker {
            r: reader,
            w: writer,
            memo: Memo::default(),
            depth: 0,
            max_depth: DEEP_MAX_DEPTH,
            truncated: false,
            truncated_at: None,
            ambiguous: None,
            // Set by the first `check`, from the types reachable from the two roots.
            pure: false,
            pure_known: false,
            unions: HashMap::new(),
            native: 0,
            abort: false,
            unwound: Vec::new(),
            pending: Vec::new(),
            loc_ctx: 0,
            next_loc_ctx: 1,
        }
    }

    /// The index of reader union `ri`'s branches.
    fn union_index(&mut self, ri: NodeId) -> Rc<UnionIndex<'a>> {
        let r = self.r;
        let index = self.unions.entry(ri).or_insert_with(|| {
            let mut index = UnionIndex::default();
            if let Kind::Union(branches) = &r.node(ri).kind {
                for (k, &b) in branches.iter().enumerate() {
                    let b = r.deref(b);
                    match named(r, b) {
                        Some((name, aliases)) => {
                            let ty = r.java_type(b);
                            index
                                .by_short
                                .entry((ty, name.short()))
                                .or_default()
                                .push(k);
                            for a in aliases {
                                index.by_alias.entry((ty, a.as_str())).or_default().push(k);
                            }
                        }
                        None => index.unnamed.push(k),
                    }
                }
            }
            Rc::new(index)
        });
        Rc::clone(index)
    }

    /// The branches of reader union `ri` (indexes, in order) that a search for a branch reading `wi` must try.
    /// Without `pure`, all of them, as Java does. Otherwise a named writer type can only be read by a branch of
    /// the same type whose name or alias matches (any other branch fails at its name or its type), and an unnamed
    /// writer type only by an unnamed branch (a named branch fails at its type).
    fn branches_to_try(&mut self, ri: NodeId, rbranches: &[NodeId], wi: NodeId) -> Vec<usize> {
        if !self.pure {
            return (0..rbranches.len()).collect();
        }
        let index = self.union_index(ri);
        let mut out: Vec<usize> = index.unnamed.clone();
        if let Some((wn, _)) = named(self.w, wi) {
            let ty = self.w.java_type(wi);
            for m in [
                index.by_short.get(&(ty, wn.short())),
                index.by_alias.get(&(ty, wn.full.as_str())),
            ]
            .into_iter()
            .flatten()
            {
                out.extend(m);
            }
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    /// `getCompatibility(reader, writer)`: a fresh location stack, shared memo.
    pub(crate) fn check(&mut self, reader: NodeId, writer: NodeId) -> Res {
        // The first call is the comparison's roots (later ones are union-branch searches inside it).
        if !self.pure_known {
            self.pure_known = true;
            self.pure = !has_field_alias(self.r, reader)
                && !has_cycle(self.r, reader)
                && !has_cycle(self.w, writer);
        }
        let mut loc = Vec::new();
        let outer = self.loc_ctx;
        self.loc_ctx = self.next_loc_ctx;
        self.next_loc_ctx += 1;
        let res = self.get(Tok::Root, reader, writer, &mut loc);
        self.loc_ctx = outer;
        res
    }

    /// The whole check of the roots: `check`, with the named pairs deferred past `NATIVE_PAIRS` levels checked
    /// from the explicit stack, innermost first, and the roots checked again until nothing is deferred.
    pub(crate) fn check_all(&mut self, reader: NodeId, writer: NodeId) -> Res {
        let mut res = self.check(reader, writer);
        while self.abort {
            self.drain();
            res = self.check(reader, writer);
        }
        res
    }

    /// Checks the deferred pairs, innermost first, until none is left (see `get`).
    fn drain(&mut self) {
        let mut loc: Vec<Tok> = Vec::new();
        let mut loc_of: Option<Rc<Vec<Tok>>> = None;
        loop {
            if self.abort {
                self.abort = false;
                self.pending.extend(self.unwound.drain(..).rev());
            }
            let Some(d) = self.pending.pop() else {
                return;
            };
            // The pair's location stack: the one just used, cut back, when it is the same; else a copy.
            let (snap, len) = &d.loc;
            if !loc_of.as_ref().is_some_and(|l| Rc::ptr_eq(l, snap)) || loc.len() < *len {
                loc = snap[..*len].to_vec();
                loc_of = Some(Rc::clone(snap));
            }
            loc.truncate(*len);
            self.depth = d.depth;
            self.loc_ctx = d.loc_ctx;
            self.native = 1;
            let r = self.calculate(d.uses.0, d.uses.1, &mut loc);
            self.native = 0;
            if self.abort {
                self.defer(d.key, d.uses, &loc);
                loc_of = None;
            } else {
                self.memo.insert(d.key, Some(r));
            }
        }
    }

    /// Records named pair `key` (its token on `loc`) as abandoned, in progress, to be redone by `drain`.
    fn defer(&mut self, key: (NodeId, NodeId), uses: (NodeId, NodeId), loc: &[Tok]) {
        let snap = match self.unwound.last() {
            Some(d) if d.loc_ctx == self.loc_ctx => Rc::clone(&d.loc.0),
            _ => Rc::new(loc.to_vec()),
        };
        self.unwound.push(Deferred {
            key,
            uses,
            depth: self.depth,
            loc: (snap, loc.len()),
            loc_ctx: self.loc_ctx,
        });
    }

    /// Depth: a chain of named types nests one check per level, as deep as the input. At most `NATIVE_PAIRS`
    /// named pairs are checked nested on the native stack; a named pair met deeper is put in progress (memo
    /// `None`) and the walk unwinds (`abort`), leaving every named pair it was checking in progress on `pending`.
    /// `drain` then checks those pairs innermost first, each from the start at its own location: the pairs below
    /// are memo hits, so the pairs in progress at each step, the order pairs are first checked in, and so every
    /// result and location, are those of Java's recursive walk.
    fn get(&mut self, token: Tok, reader: NodeId, writer: NodeId, loc: &mut Vec<Tok>) -> Res {
        if self.abort || self.ambiguous.is_some() {
            return Res::default();
        }
        if self.depth >= self.max_depth {
            self.truncated = true;
            self.truncated_at.get_or_insert((reader, writer));
            return Res::default();
        }
        loc.push(token);
        let key = (self.r.deref(reader), self.w.deref(writer));
        // Only a pair with a named side can be reached twice or recursively (every other node has one parent and
        // duplicate branch types are invalid), so memoizing the rest changes no result; it only costs time.
        if !is_named(self.r, key.0) && !is_named(self.w, key.1) {
            self.depth += 1;
            let r = self.calculate(reader, writer, loc);
            self.depth -= 1;
            loc.pop();
            return r;
        }
        let res = match self.memo.get(&key) {
            Some(None) => Res::default(),
            Some(Some(r)) => r.clone(),
            None => {
                self.memo.insert(key, None);
                self.depth += 1;
                if self.native >= NATIVE_PAIRS {
                    self.abort = true;
                    self.defer(key, (reader, writer), loc);
                    self.depth -= 1;
                    loc.pop();
                    return Res::default();
                }
                self.native += 1;
                let r = self.calculate(reader, writer, loc);
                self.native -= 1;
                if self.abort {
                    self.defer(key, (reader, writer), loc);
                } else {
                    self.memo.insert(key, Some(r.clone()));
                }
                self.depth -= 1;
                r
            }
        };
        loc.pop();
        res
    }

    #[allow(clippy::too_many_arguments)]
    fn incompat(
        &self,
        kind: IncompatKind,
        reader: NodeId,
        writer: NodeId,
        message: Msg,
        loc: &[Tok],
        field: Option<usize>,
        symbols: Vec<String>,
    ) -> Rc<Incompat> {
        Rc::new(Incompat {
            kind,
            reader,
            writer,
            message,
            loc: loc.to_vec(),
            field,
            symbols,
        })
    }

    fn type_mismatch(&self, reader: NodeId, writer: NodeId, loc: &[Tok]) -> Rc<Incompat> {
        let message = Msg::TypeMismatch(self.r.java_type(reader), self.w.java_type(writer));
        self.incompat(
            IncompatKind::TypeMismatch,
            reader,
            writer,
            message,
            loc,
            None,
            Vec::new(),
        )
    }

    fn calculate(&mut self, reader_use: NodeId, writer_use: NodeId, loc: &mut Vec<Tok>) -> Res {
        self.calc(reader_use, writer_use, loc).done()
    }

    fn calc(&mut self, reader_use: NodeId, writer_use: NodeId, loc: &mut Vec<Tok>) -> Acc {
        let (ri, wi) = (self.r.deref(reader_use), self.w.deref(writer_use));
        let (r, w) = (self.r, self.w);
        let (rk, wk) = (&r.node(ri).kind, &w.node(wi).kind);
        if matches!(rk, Kind::Invalid | Kind::Ref { .. })
            || matches!(wk, Kind::Invalid | Kind::Ref { .. })
        {
            return Acc::default();
        }
        let mut out = Acc::default();
        if r.java_type(ri) == w.java_type(wi) {
            match (rk, wk) {
                (Kind::Prim(_), Kind::Prim(_)) => {}
                (Kind::Array(ra), Kind::Array(wa)) => {
                    out.extend(self.get(Tok::Key("items"), *ra, *wa, loc))
                }
                (Kind::Map(ra), Kind::Map(wa)) => {
                    out.extend(self.get(Tok::Key("values"), *ra, *wa, loc))
                }
                (Kind::Fixed { size: rs, .. }, Kind::Fixed { size: ws, .. }) => {
                    self.check_names(ri, wi, loc, &mut out);
                    if rs != ws {
                        loc.push(Tok::Key("size"));
                        out.push(self.incompat(
                            IncompatKind::FixedSizeMismatch,
                            ri,
                            wi,
                            Msg::FixedSize(*ws, *rs),
                            loc,
                            None,
                            Vec::new(),
                        ));
                        loc.pop();
                    }
                }
                (
                    Kind::Enum {
                        symbols: rsyms,
                        default: rdef,
                        ..
                    },
                    Kind::Enum { symbols: wsyms, .. },
                ) => {
                    self.check_names(ri, wi, loc, &mut out);
                    let rset: BTreeSet<&str> = rsyms.iter().map(|s| s.name.as_str()).collect();
                    let missing: BTreeSet<&str> = wsyms
                        .iter()
                        .map(|s| s.name.as_str())
                        .filter(|s| !rset.contains(s))
                        .collect();
                    let reader_default_ok = rdef
                        .as_ref()
                        .is_some_and(|d| rset.contains(d.name.as_str()));
                    if !missing.is_empty() && !reader_default_ok {
                        loc.push(Tok::Key("symbols"));
                        let list: Vec<String> = missing.iter().map(|s| s.to_string()).collect();
                        out.push(self.incompat(
                            IncompatKind::MissingEnumSymbols,
                            ri,
                            wi,
                            Msg::Text(format!("[{}]", list.join(", "))),
                            loc,
                            None,
                            list,
                        ));
                        loc.pop();
                    }
                }
                (
                    Kind::Record {
                        fields: rfields, ..
                    },
                    Kind::Record {
                        fields: wfields,
                        by_name: wby,
                        ..
                    },
                ) => {
                    self.check_names(ri, wi, loc, &mut out);
                    loc.push(Tok::Key("fields"));
                    for (i, rf) in rfields.iter().enumerate() {
                        loc.push(Tok::Index(i));
                        // lookupWriterField: the field by name, then one per distinct reader alias that names a
                        // writer field; more than one (even the same field twice) makes Java throw.
                        let by_alias = |ai: usize, a: &String| {
                            if rf.aliases[..ai].contains(a) {
                                None
                            } else {
                                field_index(wfields, wby.as_ref(), a, i)
                            }
                        };
                        let direct = field_index(wfields, wby.as_ref(), &rf.name, i);
                        let (mut first, mut n) = (direct, usize::from(direct.is_some()));
                        for (ai, a) in rf.aliases.iter().enumerate() {
                            if let Some(k) = by_alias(ai, a) {
                                n += 1;
                                first = first.or(Some(k));
                            }
                        }
                        if n > 1 {
                            let mut matches: Vec<(usize, String, bool)> = Vec::new();
                            if let Some(k) = direct {
                                matches.push((k, rf.name.clone(), false));
                            }
                            for (ai, a) in rf.aliases.iter().enumerate() {
                                if let Some(k) = by_alias(ai, a) {
                                    matches.push((k, a.clone(), true));
                                }
                            }
                            self.ambiguous = Some(Ambiguity {
                                reader: ri,
                                writer: wi,
                                field: i,
                                matches,
                                loc: loc.clone(),
                            });
                            loc.truncate(loc.len() - 2);
                            return out;
                        }
                        let wf = first.and_then(|k| wfields.get(k));
                        match wf {
                            Some(wf) => out.extend(self.get(Tok::Key("type"), rf.ty, wf.ty, loc)),
                            None if rf.default.is_some() => {}
                            None => {
                                let rt = r.deref(rf.ty);
                                if matches!(
                                    &r.node(rt).kind,
                                    Kind::Enum {
                                        default: Some(_),
                                        ..
                                    }
                                ) {
                                    // Avro's quirk: an enum-typed reader field whose enum has a default is
                                    // checked against the writer record itself.
                                    out.extend(self.get(Tok::Key("type"), rf.ty, wi, loc));
                                } else {
                                    out.push(self.incompat(
                                        IncompatKind::ReaderFieldMissingDefaultValue,
                                        ri,
                                        wi,
                                        Msg::Text(rf.name.clone()),
                                        loc,
                                        Some(i),
                                        Vec::new(),
                                    ));
                                }
                            }
                        }
                        loc.pop();
                    }
                    loc.pop();
                }
                (Kind::Union(_), Kind::Union(wbranches)) => {
                    for (i, &wb) in wbranches.iter().enumerate() {
                        loc.push(Tok::Index(i));
                        if !self.check(ri, wb).is_empty() {
                            let message = Msg::UnionLacking(w.java_type(wb));
                            out.push(self.incompat(
                                IncompatKind::MissingUnionBranch,
                                reader_use,
                                wb,
                                message,
                                loc,
                                None,
                                Vec::new(),
                            ));
                        }
                        loc.pop();
                    }
                }
                _ => {}
            }
            return out;
        }
        // Different types. A writer union: every branch must be readable (1.12: the branch index is in the path).
        if let Kind::Union(wbranches) = wk {
            for (i, &wb) in wbranches.iter().enumerate() {
                out.extend(self.get(Tok::Index(i), reader_use, wb, loc));
            }
            return out;
        }
        match rk {
            Kind::Prim(rp) => {
                let promoted = matches!(
                    (rp, wk),
                    (Prim::Long, Kind::Prim(Prim::Int))
                        | (Prim::Float, Kind::Prim(Prim::Int | Prim::Long))
                        | (
                            Prim::Double,
                            Kind::Prim(Prim::Int | Prim::Long | Prim::Float)
                        )
                        | (Prim::Bytes, Kind::Prim(Prim::String))
                        | (Prim::String, Kind::Prim(Prim::Bytes))
                );
                if !promoted {
                    out.push(self.type_mismatch(reader_use, writer_use, loc));
                }
            }
            Kind::Union(rbranches) => {
                for k in self.branches_to_try(ri, rbranches, wi) {
                    if self.check(rbranches[k], wi).is_empty() {
                        return out;
                    }
                }
                let message = Msg::UnionLacking(w.java_type(wi));
                out.push(self.incompat(
                    IncompatKind::MissingUnionBranch,
                    reader_use,
                    writer_use,
                    message,
                    loc,
                    None,
                    Vec::new(),
                ));
            }
            _ => out.push(self.type_mismatch(reader_use, writer_use, loc)),
        }
        out
    }

    /// `checkSchemaNames`: unqualified names equal, or a reader alias equals the writer's full name.
    fn check_names(&self, ri: NodeId, wi: NodeId, loc: &mut Vec<Tok>, out: &mut Acc) {
        let (Some((rn, raliases)), Some((wn, _))) = (named(self.r, ri), named(self.w, wi)) else {
            return;
        };
        if rn.short() == wn.short() || raliases.contains(&wn.full) {
            return;
        }
        loc.push(Tok::Key("name"));
        out.push(self.incompat(
            IncompatKind::NameMismatch,
            ri,
            wi,
            Msg::Text(format!("expected: {}", wn.full)),
            loc,
            None,
            Vec::new(),
        ));
        loc.pop();
    }
}

fn named(a: &Arena, id: NodeId) -> Option<(&super::parse::Name, &Vec<String>)> {
    match &a.node(id).kind {
        Kind::Record { name, aliases, .. }
        | Kind::Enum { name, aliases, .. }
        | Kind::Fixed { name, aliases, .. } => Some((name, aliases)),
        _ => None,
    }
}

fn is_named(a: &Arena, id: NodeId) -> bool {
    matches!(
        a.node(id).kind,
        Kind::Record { .. } | Kind::Enum { .. } | Kind::Fixed { .. }
    )
}

fn kind_word(a: &Arena, id: NodeId) -> &'static str {
    match &a.node(a.deref(id)).kind {
        Kind::Record { .. } => "record",
        Kind::Enum { .. } => "enum",
        Kind::Fixed { .. } => "fixed",
        _ => "type",
    }
}

/// The span that best shows a node: the `name` of a named definition, else the whole value.
fn show_span(a: &Arena, id: NodeId) -> Range<usize> {
    match &a.node(id).kind {
        Kind::Record { name, .. } | Kind::Enum { name, .. } | Kind::Fixed { name, .. } => {
            name.span.clone()
        }
        _ => a.node(id).span.clone(),
    }
}

/// Reader and writer sides of one finding.
struct Sides {
    reader: Location,
    writer: Location,
}

fn sides(r: &Arena, w: &Arena, inc: &Incompat) -> Sides {
    let (ri, wi) = (r.deref(inc.reader), w.deref(inc.writer));
    // Avro writes the root as `/`; the writer side follows the same convention.
    let wptr = |id: NodeId, suffix: &str| match format!("{}{}", w.pointer(id), suffix) {
        p if p.is_empty() => "/".to_string(),
        p => p,
    };
    let loc = inc.location();
    match inc.kind {
        IncompatKind::NameMismatch => {
            let rs = show_span(r, ri);
            Sides {
                reader: r.location(ri, rs, loc),
                writer: w.location(wi, show_span(w, wi), wptr(wi, "/name")),
            }
        }
        IncompatKind::FixedSizeMismatch => {
            let span_of = |a: &Arena, id: NodeId| match &a.node(id).kind {
                Kind::Fixed { size_span, .. } => size_span.clone(),
                _ => a.node(id).span.clone(),
            };
            Sides {
                reader: r.location(ri, span_of(r, ri), loc),
                writer: w.location(wi, span_of(w, wi), wptr(wi, "/size")),
            }
        }
        IncompatKind::MissingEnumSymbols => {
            let rspan = match &r.node(ri).kind {
                Kind::Enum { symbols_span, .. } => symbols_span.clone(),
                _ => r.node(ri).span.clone(),
            };
            let (wspan, wp) = match &w.node(wi).kind {
                Kind::Enum {
                    symbols,
                    symbols_span,
                    ..
                } => match symbols
                    .iter()
                    .position(|s| inc.symbols.first() == Some(&s.name))
                {
                    Some(k) => (symbols[k].span.clone(), wptr(wi, &format!("/symbols/{k}"))),
                    None => (symbols_span.clone(), wptr(wi, "/symbols")),
                },
                _ => (w.node(wi).span.clone(), wptr(wi, "")),
            };
            Sides {
                reader: r.location(ri, rspan, loc),
                writer: w.location(wi, wspan, wp),
            }
        }
        IncompatKind::ReaderFieldMissingDefaultValue => {
            let rspan = match (&r.node(ri).kind, inc.field) {
                (Kind::Record { fields, .. }, Some(i)) => fields
                    .get(i)
                    .map(|f| f.name_span.clone())
                    .unwrap_or_else(|| r.node(ri).span.clone()),
                _ => r.node(ri).span.clone(),
            };
            Sides {
                reader: r.location(ri, rspan, loc),
                writer: w.location(wi, show_span(w, wi), wptr(wi, "")),
            }
        }
        IncompatKind::TypeMismatch | IncompatKind::MissingUnionBranch => {
            let (ru, wu) = (inc.reader, inc.writer);
            Sides {
                reader: r.location(ru, show_span(r, ru), loc),
                writer: w.location(wu, show_span(w, wu), wptr(wu, "")),
            }
        }
    }
}

/// The type names of the union that `id` is a branch of, if it is one.
fn union_branches(a: &Arena, id: NodeId) -> Option<Vec<String>> {
    let n = a.node(id);
    if !matches!(n.tok, super::parse::Tok::Branch(_)) {
        return None;
    }
    match &a.node(n.parent).kind {
        Kind::Union(bs) => Some(bs.iter().map(|b| a.type_name(*b)).collect()),
        _ => None,
    }
}

/// The (message, help) of one incompatibility, worded for the direction checked.
fn words(r: &Arena, w: &Arena, inc: &Incompat, dir: Direction) -> (String, String) {
    let back = dir == Direction::Backward;
    let (rl, wl) = if back {
        ("new schema", "old schema")
    } else {
        ("old schema", "new schema")
    };
    let (ri, wi) = (r.deref(inc.reader), w.deref(inc.writer));
    let at = format!("at `{}`", inc.location());
    let amsg = inc.message.to_string();
    match inc.kind {
        IncompatKind::ReaderFieldMissingDefaultValue => {
            let rec = named(r, ri)
                .map(|(n, _)| n.full.clone())
                .unwrap_or_default();
            let f = &amsg;
            if back {
                (
                    format!("field `{f}` of record `{rec}` has no default and is missing from the old schema ({at})"),
                    format!("add a default to `{f}` (for an optional value: type `[\"null\", …]` with `\"default\": null`), or, if it renames an old field, list the old name in its `aliases`"),
                )
            } else {
                (
                    format!("the old schema (reader) has field `{f}` of record `{rec}` without a default, and the new schema no longer writes it ({at})"),
                    format!("keep field `{f}` in the new schema; removing a field is forward compatible only when the old schema gives it a default"),
                )
            }
        }
        IncompatKind::TypeMismatch => {
            let desc = r.describe_position(inc.reader);
            let (rt, wt) = (r.type_name(inc.reader), w.type_name(inc.writer));
            // A union on the writer's side meeting a plain type on the reader's: one branch cannot be read. Say
            // that the union lost (or, read forward, gained) that branch, not that the type changed from the
            // branch's type (issue 11 item 5).
            if let Some(branches) = union_branches(w, inc.writer) {
                if !matches!(r.node(r.deref(inc.reader)).kind, Kind::Union(_)) {
                    let union_t = format!("[{}]", branches.join(", "));
                    // "Lost its branch" only when the new type is one of the old branches (`["null","string"]` →
                    // `"string"`); a type the union never had (→ `"int"`) replaced the union.
                    // A branch the new type reads (itself, or promoted: `int` read as `long`) remains.
                    let promotes = |b: &str| {
                        matches!(
                            (b, rt.as_str()),
                            ("int", "long" | "float" | "double")
                                | ("long", "float" | "double")
                                | ("float", "double")
                                | ("string", "bytes")
                                | ("bytes", "string")
                        )
                    };
                    // A named branch is read by a reader type of the same unqualified name (Avro's name check;
                    // a namespace change keeps it).
                    let last = |n: &str| n.rsplit('.').next().unwrap_or(n).to_string();
                    // …or one the reader lists among its aliases (full or unqualified).
                    let aliases: Vec<String> =
                        named(r, ri).map(|(_, a)| a.clone()).unwrap_or_default();
                    let aliased = |b: &str| aliases.iter().any(|a| a == b || last(a) == last(b));
                    let kept_list: Vec<String> = branches
                        .iter()
                        .filter(|b| **b != wt)
                        .filter_map(|b| {
                            if *b == rt {
                                Some(format!("`{rt}`"))
                            } else if promotes(b)
                                || (b.contains('.') || rt.contains('.')) && last(b) == last(&rt)
                                || aliased(b)
                            {
                                Some(format!("`{b}`, read as `{rt}`"))
                            } else {
                                None
                            }
                        })
                        .collect();
                    let kept = (!kept_list.is_empty()).then(|| kept_list.join("; "));
                    return if let (true, Some(remaining)) = (back, &kept) {
                        (
                            format!(
                                "{desc} changed type from union `{union_t}` to `{rt}`: the union lost its `{wt}` branch (remaining: {remaining}), so the {rl} cannot read `{wt}` written by the {wl} ({amsg}, {at})"
                            ),
                            format!("keep the `{wt}` branch: make the new type the union `[{}]` again, or drop the branch only once no data written with `{wt}` remains", branches.join(", ")),
                        )
                    } else if back {
                        (
                            format!(
                                "{desc} changed type from union `{union_t}` to `{rt}`, which is none of the union's branches: the {rl} cannot read `{wt}` written by the {wl} ({amsg}, {at})"
                            ),
                            format!("keep the union `[{}]`; to change the type, add a new field with the new type and a default, and deprecate this one", branches.join(", ")),
                        )
                    } else {
                        (
                            format!(
                                "{desc} changed type from `{rt}` to union `{union_t}`: the new union's `{wt}` branch cannot be read by the {rl} ({amsg}, {at})"
                            ),
                            format!("keep the type `{rt}` until every consumer reads the union; old consumers cannot read `{wt}`"),
                        )
                    };
                }
            }
            let (old_t, new_t) = if back { (&wt, &rt) } else { (&rt, &wt) };
            let help = if back {
                format!("keep `{wt}`, change it only along an Avro promotion (int→long→float→double, string↔bytes), or make the new type a union that includes `{wt}`")
            } else {
                format!("write a type the old schema reads as `{rt}`: `{rt}` itself or one that promotes to it (int→long→float→double, string↔bytes)")
            };
            (
                format!(
                    "{desc} changed type from `{old_t}` to `{new_t}`: the {rl} cannot read `{wt}` written by the {wl} ({}, {at})",
                    amsg
                ),
                help,
            )
        }
        IncompatKind::NameMismatch => {
            let kind = kind_word(r, ri);
            let (Some((rn, _)), Some((wn, _))) = (named(r, ri), named(w, wi)) else {
                return (amsg.clone(), String::new());
            };
            if back {
                (
                    format!("{kind} `{}` was renamed to `{}` and the new schema has no alias for the old name ({}, {at})", wn.full, rn.full, amsg),
                    format!("keep the unqualified name `{}` (a namespace-only change is fine), or add `\"aliases\": [\"{}\"]` to {kind} `{}`", wn.short(), wn.full, rn.full),
                )
            } else {
                (
                    format!("{kind} `{}` was renamed to `{}`, which the old schema (reader) cannot match ({}, {at})", rn.full, wn.full, amsg),
                    format!("keep the unqualified name `{}`: old readers match a name by its unqualified form or by their own aliases", rn.short()),
                )
            }
        }
        IncompatKind::FixedSizeMismatch => {
            let name = named(r, ri)
                .map(|(n, _)| n.full.clone())
                .unwrap_or_default();
            let size = |a: &Arena, id: NodeId| match &a.node(id).kind {
                Kind::Fixed { size, .. } => *size,
                _ => 0,
            };
            let (rs, ws) = (size(r, ri), size(w, wi));
            let (old_s, new_s) = if back { (ws, rs) } else { (rs, ws) };
            (
                format!("fixed `{name}` changed size from {old_s} to {new_s} bytes ({}, {at})", amsg),
                format!("keep the size at {old_s}; for a different size add a new fixed type with its own name and field"),
            )
        }
        IncompatKind::MissingEnumSymbols => {
            let name = named(r, ri)
                .map(|(n, _)| n.full.clone())
                .unwrap_or_default();
            let list = &amsg;
            if back {
                (
                    format!("enum `{name}` of the new schema lacks symbols {list} that the old schema can write ({at})"),
                    format!("keep the symbols {list}, or give enum `{name}` a `default` symbol that unknown symbols are read as"),
                )
            } else {
                (
                    format!("enum `{name}` of the old schema (reader) lacks symbols {list} that the new schema can write ({at})"),
                    "adding enum symbols is forward compatible only when the old enum has a `default`; ship a reader version with a `default` first".to_string(),
                )
            }
        }
        IncompatKind::MissingUnionBranch => {
            let desc = r.describe_position(inc.reader);
            let wt = w.type_name(inc.writer);
            let help = if back {
                format!("add `{wt}` to the union in the new schema")
            } else {
                format!("keep the new schema writing only types the old union can read (`{wt}` is not one of them), or add `{wt}` to the old union first")
            };
            (
                format!(
                    "{desc}: the union in the {rl} has no branch that can read `{wt}` written by the {wl} ({}, {at})",
                    amsg
                ),
                help,
            )
        }
    }
}

/// Checks `reader` reading `writer` and turns every incompatibility into a finding for `subject`.
pub(crate) fn findings(
    r: &Arena,
    reader_root: NodeId,
    w: &Arena,
    writer_root: NodeId,
    dir: Direction,
    subject: &str,
) -> Vec<Finding> {
    let (mut found, truncated) = {
        let mut checker = Checker::new(r, w);
        let incs = checker.check_all(reader_root, writer_root);
        if let Some(a) = &checker.ambiguous {
            return vec![ambiguity_finding(r, w, a, dir, subject)];
        }
        let found: Vec<Finding> = incs
            .flatten()
            .iter()
            .map(|inc| {
                let (message, help) = words(r, w, inc, dir);
                let s = sides(r, w, inc);
                let (new, old) = match dir {
                    Direction::Backward => (s.reader, s.writer),
                    Direction::Forward => (s.writer, s.reader),
                };
                Finding::new(inc.kind.rule(), subject, message)
                    .help(help)
                    .format(Format::Avro)
                    .at_new(new)
                    .at_old(old)
            })
            .collect();
        (found, checker.truncated_at)
    };
    // Past the deepest walk, the rest is not compared: said where, never counted compatible in silence.
    if let Some((ri, wi)) = truncated {
        let (ri, wi) = (r.deref(ri), w.deref(wi));
        let reader = r.location(ri, show_span(r, ri), r.pointer(ri));
        let writer = w.location(wi, show_span(w, wi), w.pointer(wi));
        let (new, old) = match dir {
            Direction::Backward => (reader, writer),
            Direction::Forward => (writer, reader),
        };
        found.push(
            Finding::new(
                &crate::rules::CHECK_LIMIT_EXCEEDED,
                subject,
                format!(
                    "the types nested below `{}` are more than {DEEP_MAX_DEPTH} levels deep: not checked",
                    r.java_type(ri).to_ascii_lowercase()
                ),
            )
            .help("split the chain of nested named types, or review this change by hand")
            .format(Format::Avro)
            .at_new(new)
            .at_old(old),
        );
    }
    found
}

/// The single finding of a direction whose check Avro aborts (`lookupWriterField` throws; Confluent reports
/// "Unexpected exception during compatibility check" and nothing else).
fn ambiguity_finding(
    r: &Arena,
    w: &Arena,
    a: &Ambiguity,
    dir: Direction,
    subject: &str,
) -> Finding {
    let back = dir == Direction::Backward;
    let (
        Kind::Record {
            name: rname,
            fields: rfields,
            ..
        },
        Kind::Record {
            name: wname,
            fields: wfields,
            ..
        },
    ) = (&r.node(a.reader).kind, &w.node(a.writer).kind)
    else {
        return Finding::new(&AMBIGUOUS_FIELD_ALIAS, subject, "ambiguous field alias")
            .format(Format::Avro);
    };
    let fname = rfields.get(a.field).map(|f| f.name.as_str()).unwrap_or("");
    let how: Vec<String> = a
        .matches
        .iter()
        .map(|(k, by, alias)| {
            let wf = wfields.get(*k).map(|f| f.name.as_str()).unwrap_or("");
            if *alias {
                format!("`{wf}` through the alias `{by}`")
            } else {
                format!("`{wf}` by name")
            }
        })
        .collect();
    let at = location_string(&a.loc);
    let (rl, wl) = if back {
        ("new schema", "old schema")
    } else {
        ("old schema (reader)", "new schema")
    };
    let message = format!(
        "field `{fname}` of record `{}` in the {rl} matches several fields of record `{}` in the {wl} ({}): Avro's compatibility check stops with an error here and compares nothing else (at `{at}`)",
        rname.full,
        wname.full,
        how.join(", ")
    );
    let own = a.matches.iter().any(|(_, by, alias)| *alias && by == fname);
    let help = if own {
        format!("remove `{fname}` from the aliases of field `{fname}`: a field is always matched by its own name")
    } else {
        let extra: Vec<String> = a
            .matches
            .iter()
            .filter(|m| m.2)
            .map(|m| format!("`{}`", m.1))
            .collect();
        format!(
            "drop the aliases naming fields the {wl} still has ({}), so that exactly one field matches `{fname}`",
            extra.join(", ")
        )
    };
    let rspan = rfields
        .get(a.field)
        .map(|f| f.name_span.clone())
        .unwrap_or_else(|| r.node(a.reader).span.clone());
    let reader = r.location(a.reader, rspan, at);
    let second = a.matches.get(1).map(|m| m.0).unwrap_or(0);
    let (wspan, wp) = match wfields.get(second) {
        Some(f) => (
            f.name_span.clone(),
            format!("{}/fields/{second}", w.pointer(a.writer)),
        ),
        None => (w.node(a.writer).span.clone(), w.pointer(a.writer)),
    };
    let writer = w.location(a.writer, wspan, wp);
    let (new, old) = if back {
        (reader, writer)
    } else {
        (writer, reader)
    };
    Finding::new(&AMBIGUOUS_FIELD_ALIAS, subject, message)
        .help(help)
        .format(Format::Avro)
        .at_new(new)
        .at_old(old)
}

/// Verdict only (for benches): the number of incompatibilities (1 when Avro's check aborts).
pub(crate) fn count(r: &Arena, reader_root: NodeId, w: &Arena, writer_root: NodeId) -> usize {
    let mut checker = Checker::new(r, w);
    let n = checker.check_all(reader_root, writer_root).len();
    if checker.ambiguous.is_some() {
        1
    } else {
        n
    }
}

/// The number of incompatibilities through `findings` (deep walks included).
#[cfg(test)]
fn count_deep(r: &Arena, reader_root: NodeId, w: &Arena, writer_root: NodeId) -> usize {
    findings(r, reader_root, w, writer_root, Direction::Backward, "s").len()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::source::SourceFile;

    fn arena(texts: &[String]) -> Arena {
        let files: Vec<Arc<SourceFile>> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| SourceFile::new(format!("f{i:04}.avsc"), None, t.as_str()))
            .collect();
        super::super::parse::load(&files)
    }

    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(f)
            .expect("thread starts")
            .join()
            .expect("no stack overflow")
    }

    #[test]
    fn deepest_accepted_nesting_checks_on_a_small_stack() {
        let n = on_small_stack(|| {
            let depth = 250;
            let mut s = String::new();
            for _ in 0..depth {
                s.push_str(r#"{"type":"array","items":"#);
            }
            s.push_str("\"int\"");
            s.push_str(&"}".repeat(depth));
            let r = arena(std::slice::from_ref(&s));
            let w = arena(&[s.replace("\"int\"", "\"string\"")]);
            assert!(r.findings.is_empty() && w.findings.is_empty());
            count(&r, r.roots[0].unwrap(), &w, w.roots[0].unwrap())
        });
        assert_eq!(n, 1);
    }

    #[test]
    fn long_chain_of_named_types_across_files_does_not_overflow() {
        let n = on_small_stack(|| {
            let files = 1000;
            let make = |leaf: &str| -> Vec<String> {
                (0..files)
                    .map(|i| {
                        let ty = if i + 1 == files {
                            format!("\"{leaf}\"")
                        } else {
                            format!("\"R{}\"", i + 1)
                        };
                        format!(r#"{{"type":"record","name":"R{i}","fields":[{{"name":"f","type":{ty}}}]}}"#)
                    })
                    .collect()
            };
            let r = arena(&make("int"));
            let w = arena(&make("string"));
            assert!(r.findings.is_empty() && w.findings.is_empty());
            (
                count(&r, r.roots[0].unwrap(), &w, w.roots[0].unwrap()),
                count_deep(&r, r.roots[0].unwrap(), &w, w.roots[0].unwrap()),
            )
        });
        // Checked on a 2 MiB stack, the change 1000 levels down is seen.
        assert_eq!(n, (1, 1));
    }

    #[test]
    fn cycle_and_alias_checks_look_only_at_what_the_root_reaches() {
        // Two files in one arena: a recursive list with a field alias, and a plain record. Checking the plain
        // record must not see the other file's recursion or alias (nor walk it: that made many subjects quadratic).
        let list = r#"{"type":"record","name":"Node","fields":[{"name":"next","aliases":["n"],"type":["null","Node"]}]}"#;
        let plain = r#"{"type":"record","name":"Plain","fields":[{"name":"a","type":"long"}]}"#;
        let a = arena(&[list.to_string(), plain.to_string()]);
        let (recursive, flat) = (a.roots[0].unwrap(), a.roots[1].unwrap());
        assert!(has_cycle(&a, recursive));
        assert!(has_field_alias(&a, recursive));
        assert!(!has_cycle(&a, flat));
        assert!(!has_field_alias(&a, flat));
        let mut checker = Checker::new(&a, &a);
        checker.check(flat, flat);
        assert!(checker.pure);
        let mut checker = Checker::new(&a, &a);
        checker.check(recursive, recursive);
        assert!(!checker.pure);
    }

    #[test]
    fn memoized_named_pair_reports_with_its_first_location() {
        // Avro's memo keeps the first location of a (reader, writer) pair: the second use of `M` repeats it.
        let old = r#"{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"M","fields":[{"name":"x","type":"long"}]}},{"name":"b","type":"M"}]}"#;
        let new = old.replace("\"long\"", "\"int\"");
        let r = arena(&[new]);
        let w = arena(&[old.to_string()]);
        let mut checker = Checker::new(&r, &w);
        let res = checker.check(r.roots[0].unwrap(), w.roots[0].unwrap());
        // Java's list repeats the memoized incompatibility; the shared result holds it once.
        assert_eq!(res.len(), 2);
        let locs: Vec<String> = res.flatten().iter().map(|i| i.location()).collect();
        assert_eq!(locs, vec!["/fields/0/type/fields/0/type"]);
    }

    #[test]
    fn ambiguous_field_inside_a_reader_union_branch_aborts_the_whole_check() {
        // Java tries the reader branches in order; the record branch throws in lookupWriterField, so the check
        // ends with the exception even though the other field's type change was seen first.
        let old = r#"{"type":"record","name":"R","fields":[{"name":"x","type":"int"},{"name":"a","type":"int"},{"name":"b","type":"int"}]}"#;
        let new = r#"["null",{"type":"record","name":"R","fields":[{"name":"x","type":"string"},{"name":"b","type":"int","aliases":["a"]}]}]"#;
        let r = arena(&[new.to_string()]);
        let w = arena(&[old.to_string()]);
        assert!(r.findings.is_empty() && w.findings.is_empty());
        let found = findings(
            &r,
            r.roots[0].unwrap(),
            &w,
            w.roots[0].unwrap(),
            Direction::Backward,
            "s",
        );
        let rules: Vec<&str> = found.iter().map(|f| f.rule.id).collect();
        assert_eq!(rules, vec!["AMBIGUOUS_FIELD_ALIAS"]);
        let ptr = found[0].new.as_ref().and_then(|l| l.pointer.clone());
        assert_eq!(ptr.as_deref(), Some("/fields/1"));
        assert_eq!(count(&r, r.roots[0].unwrap(), &w, w.roots[0].unwrap()), 1);
    }

    #[test]
    fn repeated_alias_counts_once() {
        // Java keeps field aliases in a set: `["a", "a"]` finds the writer field once, which is not ambiguous.
        let old = r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#;
        let new = r#"{"type":"record","name":"R","fields":[{"name":"b","type":"int","aliases":["a","a"]}]}"#;
        let r = arena(&[new.to_string()]);
        let w = arena(&[old.to_string()]);
        assert_eq!(count(&r, r.roots[0].unwrap(), &w, w.roots[0].unwrap()), 0);
    }
}
