//! Confluent's JSON Schema compatibility walk (`json/diff/SchemaDiff.java` and friends), ported one-to-one:
//! `compare(original, update)` where, for BACKWARD, original = the old schema (writer) and update = the new
//! schema (reader). Every `Difference.Type` the reference emits is emitted here under the same name, on the same
//! path (`#/properties/foo/maxLength`), and judged by the same STRICT or LENIENT compatible set.
//!
//! Results are memoized per (original, update) schema pair and kept as a DAG of shared results, so a `$ref`
//! graph that would expand to 2^40 paths costs one comparison per pair. A pair met again while it is being
//! compared is a cycle and counts as compatible; like Confluent, the walk then repeats with the pairs found
//! incompatible fed back until that set stops growing (a fixpoint). This module produces differences; `mod.rs`
//! turns them into findings.
//!
//! Complexity: O(pairs of schemas reached × keywords) per fixpoint round. Combined schemas need Confluent's
//! maximum matching of original against update branches: unchanged branches (same canonical text, found
//! compatible) are matched one to one first, so a `oneOf` of n branches with k changed costs O(n + k × n) pair
//! comparisons (each pair compared once, memoized), not n²; augmenting paths then search only from the unmatched
//! branches. Past `MAX_COMBINED_PAIRS` pairs compared beyond the unchanged ones (e.g. 320 branches all changed),
//! a located `CHECK_LIMIT_EXCEEDED`, never a silent pass; so is a chain of `$ref`s more than `MAX_WALK_DEPTH`
//! levels deep.
//!
//! Depth: only a chain of `$ref`s nests comparisons as deep as the input (a document is at most
//! `json::MAX_DEPTH` deep). At most `NATIVE_PAIRS` pair comparisons run nested on the native stack; a deeper pair
//! is deferred to an explicit stack and compared from there (`Walker::compare`), so a 20,000-level chain runs on
//! a 2 MiB thread. Each deferral redoes the comparisons it abandoned once (their compared children are memo
//! hits). Results are dropped and turned into findings without recursion.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::parse::Tree;
use super::rules as r;
use super::schema::{Additional, ArrayKind, Criterion, Kind, ObjectKind, Schema, SchemaId};
use crate::rules::Rule;

/// Deepest chain of nested comparisons followed (only a chain of `$ref`s gets there: the document depth is
/// bounded, and a `$ref` cycle stops at the first repeated pair); a deeper pair is a located
/// `CHECK_LIMIT_EXCEEDED`.
pub(crate) const MAX_WALK_DEPTH: usize = 20_000;
/// Fixpoint passes at most.
const MAX_PASSES: usize = 8;

/// A schema in one of the two snapshots being compared: `side` 0 is the original's snapshot, 1 the update's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct SRef {
    pub side: u8,
    pub id: SchemaId,
}

/// Where a difference is, on one side: the schema and, when the difference is about one keyword, its name.
#[derive(Debug, Clone)]
pub(crate) struct Spot {
    pub at: SRef,
    pub kw: Option<String>,
}

#[derive(Debug)]
pub(crate) struct Leaf {
    pub ty: &'static Rule,
    /// Path tokens relative to the memoized pair that holds this leaf.
    pub path: Vec<String>,
    pub orig: Option<Spot>,
    pub upd: Option<Spot>,
    /// `COMBINED_TYPE_SUBSCHEMAS_CHANGED`: a subschema of the original that no subschema of the update is
    /// compatible with (the first one), to name in the message.
    pub unmatched: Option<Spot>,
}

#[derive(Debug)]
pub(crate) enum Item {
    Leaf(Leaf),
    Sub { prefix: Vec<String>, res: Rc<Res> },
}

/// The differences of one (original, update) pair, paths relative to the pair.
#[derive(Debug, Default)]
pub(crate) struct Res {
    pub items: Vec<Item>,
    pub compatible: bool,
    /// Whether any difference lies below (identical subtrees are skipped when reporting).
    pub has_leaves: bool,
}

/// Dropped without recursion: a chain of `$ref`s makes a chain of results as long as the input.
impl Drop for Res {
    fn drop(&mut self) {
        let mut stack: Vec<Rc<Res>> = Vec::new();
        let take = |items: &mut Vec<Item>, stack: &mut Vec<Rc<Res>>| {
            for item in items.drain(..) {
                if let Item::Sub { res, .. } = item {
                    stack.push(res);
                }
            }
        };
        take(&mut self.items, &mut stack);
        while let Some(rc) = stack.pop() {
            // The last holder of a result empties it here, so dropping it goes no deeper.
            if let Ok(mut res) = Rc::try_unwrap(rc) {
                take(&mut res.items, &mut stack);
            }
        }
    }
}

fn has_leaves(items: &[Item]) -> bool {
    items.iter().any(|i| match i {
        Item::Leaf(_) => true,
        Item::Sub { res, .. } => res.has_leaves,
    })
}

struct Ctx {
    path: Vec<String>,
    items: Vec<Item>,
    compatible: bool,
}

impl Ctx {
    fn root() -> Ctx {
        Ctx {
            path: Vec::new(),
            items: Vec::new(),
            compatible: true,
        }
    }
    fn sub(&self) -> Ctx {
        Ctx {
            path: self.path.clone(),
            items: Vec::new(),
            compatible: true,
        }
    }
    fn enter(&mut self, tok: impl Into<String>) {
        self.path.push(tok.into());
    }
    fn leave(&mut self) {
        self.path.pop();
    }
    fn extend(&mut self, other: Ctx) {
        self.compatible &= other.compatible;
        self.items.extend(other.items);
    }
}

pub(crate) struct Walker<'a> {
    arenas: [&'a [Schema]; 2],
    trees: [&'a [Option<Tree>]; 2],
    canon_cache: HashMap<SRef, Rc<str>>,
    lenient: bool,
    memo: HashMap<(SRef, SRef), Rc<Res>>,
    in_progress: HashSet<(SRef, SRef)>,
    assumed: HashMap<(SRef, SRef), Rc<Res>>,
    cycle_hits: usize,
    /// Pairs being compared on the native stack right now (`compare` → `eval` frames).
    native: usize,
    /// Set when a pair was met past `NATIVE_PAIRS`: every frame returns at once (its partial result dropped),
    /// leaving its pair in progress on `unwound`, innermost first.
    abort: bool,
    unwound: Vec<(SRef, SRef)>,
    /// Pairs in progress whose comparison was abandoned and must be redone, outermost first: the explicit stack
    /// of the walk beyond `NATIVE_PAIRS` levels.
    pending: Vec<(SRef, SRef)>,
}

/// Pairs compared in nested native frames at most; a deeper pair is deferred to `Walker::pending` (see `compare`).
const NATIVE_PAIRS: usize = 64;

/// Whether `ty` is in the policy's compatible set (`SchemaDiff.COMPATIBLE_CHANGES_STRICT` / `_LENIENT`).
pub(crate) fn is_compatible(ty: &Rule, lenient: bool) -> bool {
    match r::verdict(ty.id) {
        Some((strict_ok, lenient_ok)) => {
            if lenient {
                lenient_ok
            } else {
                strict_ok
            }
        }
        None => false,
    }
}

/// Most (original branch, update branch) pairs of one `oneOf`/`anyOf`/`allOf` compared for Confluent's matching
/// beyond the pairs of unchanged branches (e.g. 316 changed branches against 316); past it, see `combined`.
pub(crate) const MAX_COMBINED_PAIRS: usize = 100_000;

/// Compares `original` (side 0) with `update` (side 1) to a fixpoint; returns the root result.
pub(crate) fn compare_roots(
    original: (&[Schema], &[Option<Tree>]),
    orig_root: SchemaId,
    update: (&[Schema], &[Option<Tree>]),
    upd_root: SchemaId,
    lenient: bool,
) -> Rc<Res> {
    let mut assumed: HashMap<(SRef, SRef), Rc<Res>> = HashMap::new();
    let o = SRef {
        side: 0,
        id: orig_root,
    };
    let u = SRef {
        side: 1,
        id: upd_root,
    };
    let mut pass = 0;
    loop {
        pass += 1;
        let mut w = Walker {
            arenas: [original.0, update.0],
            trees: [original.1, update.1],
            canon_cache: HashMap::new(),
            lenient,
            memo: HashMap::new(),
            in_progress: HashSet::new(),
            assumed: std::mem::take(&mut assumed),
            cycle_hits: 0,
            native: 0,
            abort: false,
            unwound: Vec::new(),
            pending: Vec::new(),
        };
        let mut ctx = Ctx::root();
        w.compare(&mut ctx, Some(o), Some(u));
        while w.abort {
            // The walk went deeper than the native stack may: finish the deferred pairs innermost first, then
            // walk again from the root (now a memo hit).
            w.drain();
            ctx = Ctx::root();
            w.compare(&mut ctx, Some(o), Some(u));
        }
        let root = Rc::new(Res {
            compatible: ctx.compatible,
            has_leaves: has_leaves(&ctx.items),
            items: ctx.items,
        });
        if w.cycle_hits == 0 || pass >= MAX_PASSES {
            return root;
        }
        // Feed back the pairs found incompatible; stop when that set no longer grows.
        let before: HashSet<(SRef, SRef)> = w.assumed.keys().copied().collect();
        let mut next = w.assumed;
        for (k, v) in w.memo {
            if !v.compatible {
                next.entry(k).or_insert(v);
            }
        }
        if next.len() == before.len() {
            return root;
        }
        assumed = next;
    }
}

/// A keyword whose difference types come in fours, in the order its helper takes them: for a numeric bound
/// (`Walker::bound`) `[added, removed, increased, decreased]`, for `additional*` and `unevaluated*`
/// (`Walker::additional`, `Walker::unevaluated`) `[added, removed, extended, narrowed]`.
struct Family {
    kw: &'static str,
    tys: [&'static Rule; 4],
}

macro_rules! families {
    ($( $name:ident = $kw:literal: [$($ty:ident),* $(,)?]; )*) => {
        $( static $name: Family = Family { kw: $kw, tys: [$(&r::$ty),*] }; )*
    };
}

families! {
    // Numeric bounds: [added, removed, increased, decreased].
    MAX_LENGTH = "maxLength": [MAX_LENGTH_ADDED, MAX_LENGTH_REMOVED, MAX_LENGTH_INCREASED, MAX_LENGTH_DECREASED];
    MIN_LENGTH = "minLength": [MIN_LENGTH_ADDED, MIN_LENGTH_REMOVED, MIN_LENGTH_INCREASED, MIN_LENGTH_DECREASED];
    MAXIMUM = "maximum": [MAXIMUM_ADDED, MAXIMUM_REMOVED, MAXIMUM_INCREASED, MAXIMUM_DECREASED];
    MINIMUM = "minimum": [MINIMUM_ADDED, MINIMUM_REMOVED, MINIMUM_INCREASED, MINIMUM_DECREASED];
    EXCLUSIVE_MAXIMUM = "exclusiveMaximum": [
        EXCLUSIVE_MAXIMUM_ADDED, EXCLUSIVE_MAXIMUM_REMOVED,
        EXCLUSIVE_MAXIMUM_INCREASED, EXCLUSIVE_MAXIMUM_DECREASED,
    ];
    EXCLUSIVE_MINIMUM = "exclusiveMinimum": [
        EXCLUSIVE_MINIMUM_ADDED, EXCLUSIVE_MINIMUM_REMOVED,
        EXCLUSIVE_MINIMUM_INCREASED, EXCLUSIVE_MINIMUM_DECREASED,
    ];
    MAX_PROPERTIES = "maxProperties": [
        MAX_PROPERTIES_ADDED, MAX_PROPERTIES_REMOVED,
        MAX_PROPERTIES_INCREASED, MAX_PROPERTIES_DECREASED,
    ];
    MIN_PROPERTIES = "minProperties": [
        MIN_PROPERTIES_ADDED, MIN_PROPERTIES_REMOVED,
        MIN_PROPERTIES_INCREASED, MIN_PROPERTIES_DECREASED,
    ];
    MAX_ITEMS = "maxItems": [MAX_ITEMS_ADDED, MAX_ITEMS_REMOVED, MAX_ITEMS_INCREASED, MAX_ITEMS_DECREASED];
    MIN_ITEMS = "minItems": [MIN_ITEMS_ADDED, MIN_ITEMS_REMOVED, MIN_ITEMS_INCREASED, MIN_ITEMS_DECREASED];
    MAX_CONTAINS = "maxContains": [
        MAX_CONTAINS_ADDED, MAX_CONTAINS_REMOVED,
        MAX_CONTAINS_INCREASED, MAX_CONTAINS_DECREASED,
    ];
    MIN_CONTAINS = "minContains": [
        MIN_CONTAINS_ADDED, MIN_CONTAINS_REMOVED,
        MIN_CONTAINS_INCREASED, MIN_CONTAINS_DECREASED,
    ];
    // Content models: [added, removed, extended, narrowed].
    ADDITIONAL_PROPERTIES = "additionalProperties": [
        ADDITIONAL_PROPERTIES_ADDED, ADDITIONAL_PROPERTIES_REMOVED,
        ADDITIONAL_PROPERTIES_EXTENDED, ADDITIONAL_PROPERTIES_NARROWED,
    ];
    ADDITIONAL_ITEMS = "additionalItems": [
        ADDITIONAL_ITEMS_ADDED, ADDITIONAL_ITEMS_REMOVED,
        ADDITIONAL_ITEMS_EXTENDED, ADDITIONAL_ITEMS_NARROWED,
    ];
    UNEVALUATED_PROPERTIES = "unevaluatedProperties": [
        UNEVALUATED_PROPERTIES_ADDED, UNEVALUATED_PROPERTIES_REMOVED,
        UNEVALUATED_PROPERTIES_EXTENDED, UNEVALUATED_PROPERTIES_NARROWED,
    ];
    UNEVALUATED_ITEMS = "unevaluatedItems": [
        UNEVALUATED_ITEMS_ADDED, UNEVALUATED_ITEMS_REMOVED,
        UNEVALUATED_ITEMS_EXTENDED, UNEVALUATED_ITEMS_NARROWED,
    ];
}

fn spot(at: SRef, kw: Option<&str>) -> Option<Spot> {
    Some(Spot {
        at,
        kw: kw.map(str::to_string),
    })
}

/// The keys of `a` in order, then those of `b` that `a` lacks (for keyword maps kept as lists).
fn union_keys<'k, V>(a: &'k [(Box<str>, V)], b: &'k [(Box<str>, V)]) -> Vec<&'k str> {
    let mut keys: Vec<&str> = a.iter().map(|(k, _)| &**k).collect();
    keys.extend(
        b.iter()
            .map(|(k, _)| &**k)
            .filter(|k| entry(a, k).is_none()),
    );
    keys
}

/// The value of `key` in a keyword map kept as a list.
fn entry<'k, V>(map: &'k [(Box<str>, V)], key: &str) -> Option<&'k V> {
    map.iter().find(|(k, _)| &**k == key).map(|(_, v)| v)
}

impl<'a> Walker<'a> {
    fn schema(&self, s: SRef) -> &'a Schema {
        &self.arenas[s.side as usize][s.id as usize]
    }

    /// `$ref` replaced by what it refers to (a chain followed; a cycle of refs or an unresolved ref is `self`).
    fn normalize(&self, mut s: SRef) -> SRef {
        for _ in 0..64 {
            match &self.schema(s).kind {
                Kind::Ref {
                    target: Some(t), ..
                } => {
                    s = SRef {
                        side: s.side,
                        id: *t,
                    }
                }
                _ => return s,
            }
        }
        s
    }

    fn add(
        &self,
        ctx: &mut Ctx,
        ty: &'static Rule,
        kw: Option<&str>,
        orig: Option<Spot>,
        upd: Option<Spot>,
    ) {
        let mut path = ctx.path.clone();
        if let Some(k) = kw {
            path.push(k.to_string());
        }
        if !is_compatible(ty, self.lenient) {
            ctx.compatible = false;
        }
        ctx.items.push(Item::Leaf(Leaf {
            ty,
            path,
            orig,
            upd,
            unmatched: None,
        }));
    }

    /// A keyword-level difference: the keyword is on the path; each side points at it when it has it.
    #[allow(clippy::too_many_arguments)]
    fn kw(
        &self,
        ctx: &mut Ctx,
        ty: &'static Rule,
        kw: &str,
        o: SRef,
        u: SRef,
        o_has: bool,
        u_has: bool,
    ) {
        self.add(
            ctx,
            ty,
            Some(kw),
            spot(o, o_has.then_some(kw)),
            spot(u, u_has.then_some(kw)),
        );
    }

    /// Compares a pair (memoized), adding its result to `ctx` as a shared `Item::Sub`.
    ///
    /// Depth: a chain of `$ref`s nests one comparison per level, as deep as the input. At most `NATIVE_PAIRS`
    /// comparisons run nested on the native stack; a pair met deeper is put in progress and the walk unwinds
    /// (`abort`), leaving every pair it was comparing in progress on `pending`. `drain` then compares those
    /// pairs innermost first, each from the start: the pairs below it are memo hits, so each frame is redone at
    /// most once per unwinding and the result, the set of pairs in progress at each step, and so every verdict
    /// and difference, are those of the plain recursive walk.
    fn compare(&mut self, ctx: &mut Ctx, o: Option<SRef>, u: Option<SRef>) {
        if self.abort {
            return;
        }
        let (o, u) = match (o, u) {
            (None, None) => return,
            (None, Some(u)) => {
                self.add(ctx, &r::SCHEMA_ADDED, None, None, spot(u, None));
                return;
            }
            (Some(o), None) => {
                self.add(ctx, &r::SCHEMA_REMOVED, None, spot(o, None), None);
                return;
            }
            (Some(o), Some(u)) => (self.normalize(o), self.normalize(u)),
        };
        let key = (o, u);
        if let Some(res) = self.memo.get(&key) {
            ctx.compatible &= res.compatible;
            ctx.items.push(Item::Sub {
                prefix: ctx.path.clone(),
                res: Rc::clone(res),
            });
            return;
        }
        // The pairs in progress are the chain of comparisons from the root to here.
        if self.in_progress.len() >= MAX_WALK_DEPTH && !self.in_progress.contains(&key) {
            // Not a cycle: a chain of `$ref`s this deep is not compared further. Said where, never counted
            // compatible in silence.
            self.add(
                ctx,
                &crate::rules::CHECK_LIMIT_EXCEEDED,
                Some("$ref"),
                spot(o, None),
                spot(u, None),
            );
            return;
        }
        if self.in_progress.contains(&key) {
            self.cycle_hits += 1;
            if let Some(res) = self.assumed.get(&key) {
                ctx.compatible &= res.compatible;
                ctx.items.push(Item::Sub {
                    prefix: ctx.path.clone(),
                    res: Rc::clone(res),
                });
            }
            return;
        }
        self.in_progress.insert(key);
        if self.native >= NATIVE_PAIRS {
            self.abort = true;
            self.unwound.push(key);
            return;
        }
        self.eval(ctx, key);
    }

    /// Compares pair `key`, already in progress, and memoizes its result; on `abort` leaves it in progress.
    fn eval(&mut self, ctx: &mut Ctx, key: (SRef, SRef)) {
        self.native += 1;
        let mut sub = Ctx::root();
        self.compare_pair(&mut sub, key.0, key.1);
        self.native -= 1;
        if self.abort {
            self.unwound.push(key);
            return;
        }
        self.in_progress.remove(&key);
        let res = Rc::new(Res {
            compatible: sub.compatible,
            has_leaves: has_leaves(&sub.items),
            items: sub.items,
        });
        self.memo.insert(key, Rc::clone(&res));
        ctx.compatible &= res.compatible;
        ctx.items.push(Item::Sub {
            prefix: ctx.path.clone(),
            res,
        });
    }

    /// Compares the deferred pairs, innermost first, until none is left (see `compare`).
    fn drain(&mut self) {
        loop {
            if self.abort {
                self.abort = false;
                self.pending.extend(self.unwound.drain(..).rev());
            }
            let Some(key) = self.pending.pop() else {
                return;
            };
            self.eval(&mut Ctx::root(), key);
        }
    }

    fn compare_pair(&mut self, ctx: &mut Ctx, o: SRef, u: SRef) {
        let os = self.schema(o);
        let us = self.schema(u);
        match (&os.kind, &us.kind) {
            (k, Kind::Combined { criterion, subs }) if !matches!(k, Kind::Combined { .. }) => {
                if subs.len() == 1 {
                    let mut sub = ctx.sub();
                    self.compare(
                        &mut sub,
                        Some(o),
                        Some(SRef {
                            side: u.side,
                            id: subs[0],
                        }),
                    );
                    if sub.compatible {
                        ctx.extend(sub);
                        return;
                    }
                } else if matches!(criterion, Criterion::Any | Criterion::One) {
                    for s in subs {
                        let mut sub = ctx.sub();
                        self.compare(
                            &mut sub,
                            Some(o),
                            Some(SRef {
                                side: u.side,
                                id: *s,
                            }),
                        );
                        if sub.compatible {
                            ctx.extend(sub);
                            self.add(
                                ctx,
                                &r::SUM_TYPE_EXTENDED,
                                None,
                                spot(o, None),
                                spot(u, Some(criterion.keyword())),
                            );
                            return;
                        }
                    }
                }
            }
            (Kind::Combined { criterion, subs }, k) if !matches!(k, Kind::Combined { .. }) => {
                if subs.len() == 1 {
                    let mut sub = ctx.sub();
                    self.compare(
                        &mut sub,
                        Some(SRef {
                            side: o.side,
                            id: subs[0],
                        }),
                        Some(u),
                    );
                    if sub.compatible {
                        ctx.extend(sub);
                        return;
                    }
                } else if *criterion == Criterion::All {
                    for s in subs {
                        let mut sub = ctx.sub();
                        self.compare(
                            &mut sub,
                            Some(SRef {
                                side: o.side,
                                id: *s,
                            }),
                            Some(u),
                        );
                        if sub.compatible {
                            ctx.extend(sub);
                            self.add(
                                ctx,
                                &r::PRODUCT_TYPE_NARROWED,
                                None,
                                spot(o, Some("allOf")),
                                spot(u, None),
                            );
                            return;
                        }
                    }
                }
            }
            _ => {}
        }
        if os.kind.class() != us.kind.class() {
            if matches!(os.kind, Kind::False) || us.kind.is_empty_like() {
                return;
            }
            if os.connect_bytes && us.connect_bytes {
                return;
            }
            self.add(
                ctx,
                &r::TYPE_CHANGED,
                None,
                spot(o, Some("type")),
                spot(u, Some("type")),
            );
            return;
        }
        let annotations: [(bool, &'static Rule, &str); 4] = [
            (os.id != us.id, &r::ID_CHANGED, "$id"),
            (os.title != us.title, &r::TITLE_CHANGED, "title"),
            (
                os.description != us.description,
                &r::DESCRIPTION_CHANGED,
                "description",
            ),
            (os.default != us.default, &r::DEFAULT_CHANGED, "default"),
        ];
        for (changed, ty, kw) in annotations {
            if changed {
                self.add(ctx, ty, None, spot(o, Some(kw)), spot(u, Some(kw)));
            }
        }
        match (&os.kind, &us.kind) {
            (
                Kind::String {
                    min_len: omin,
                    max_len: omax,
                    pattern: opat,
                },
                Kind::String {
                    min_len: umin,
                    max_len: umax,
                    pattern: upat,
                },
            ) => {
                self.bound(ctx, &MAX_LENGTH, *omax, *umax, o, u);
                self.bound(ctx, &MIN_LENGTH, *omin, *umin, o, u);
                match (opat, upat) {
                    (None, Some(_)) => {
                        self.kw(ctx, &r::PATTERN_ADDED, "pattern", o, u, false, true)
                    }
                    (Some(_), None) => {
                        self.kw(ctx, &r::PATTERN_REMOVED, "pattern", o, u, true, false)
                    }
                    (Some(a), Some(b)) if a != b => {
                        self.kw(ctx, &r::PATTERN_CHANGED, "pattern", o, u, true, true)
                    }
                    _ => {}
                }
            }
            (Kind::Number { .. }, Kind::Number { .. }) => self.number(ctx, o, u),
            (Kind::Enum(a), Kind::Enum(b)) => {
                let sa: HashSet<&String> = a.iter().collect();
                let sb: HashSet<&String> = b.iter().collect();
                if sa != sb {
                    let ty: &'static Rule = if sb.is_superset(&sa) {
                        &r::ENUM_ARRAY_EXTENDED
                    } else if sa.is_superset(&sb) {
                        &r::ENUM_ARRAY_NARROWED
                    } else {
                        &r::ENUM_ARRAY_CHANGED
                    };
                    self.kw(ctx, ty, "enum", o, u, true, true);
                }
            }
            (Kind::Const(a), Kind::Const(b)) if a != b => {
                self.kw(ctx, &r::ENUM_ARRAY_CHANGED, "const", o, u, true, true);
            }
            (Kind::Combined { .. }, Kind::Combined { .. }) => self.combined(ctx, o, u),
            (Kind::Not(a), Kind::Not(b)) => {
                ctx.enter("not");
                let mut sub = ctx.sub();
                // Reversed: what the update forbids must be at least what the original forbade.
                self.compare(
                    &mut sub,
                    Some(SRef {
                        side: u.side,
                        id: *b,
                    }),
                    Some(SRef {
                        side: o.side,
                        id: *a,
                    }),
                );
                ctx.leave();
                let ty: &'static Rule = if sub.compatible {
                    &r::NOT_TYPE_NARROWED
                } else {
                    &r::NOT_TYPE_EXTENDED
                };
                self.kw(ctx, ty, "not", o, u, true, true);
                // The path already names `not`; drop the duplicated token.
                if let Some(Item::Leaf(l)) = ctx.items.last_mut() {
                    l.path.pop();
                    l.path.push("not".into());
                }
            }
            (Kind::Object(a), Kind::Object(b)) => self.object(ctx, o, u, a, b),
            (Kind::Array(a), Kind::Array(b)) => self.array(ctx, o, u, a, b),
            _ => {}
        }
    }

    fn bound(&self, ctx: &mut Ctx, fam: &Family, a: Option<f64>, b: Option<f64>, o: SRef, u: SRef) {
        let (kw, [added, removed, increased, decreased]) = (fam.kw, fam.tys);
        match (a, b) {
            (None, Some(_)) => self.kw(ctx, added, kw, o, u, false, true),
            (Some(_), None) => self.kw(ctx, removed, kw, o, u, true, false),
            (Some(x), Some(y)) if x < y => self.kw(ctx, increased, kw, o, u, true, true),
            (Some(x), Some(y)) if x > y => self.kw(ctx, decreased, kw, o, u, true, true),
            _ => {}
        }
    }

    fn number(&self, ctx: &mut Ctx, o: SRef, u: SRef) {
        let (
            Kind::Number {
                integer: oi,
                min: omin,
                max: omax,
                excl_min: oemin,
                excl_max: oemax,
                multiple_of: omul,
            },
            Kind::Number {
                integer: ui,
                min: umin,
                max: umax,
                excl_min: uemin,
                excl_max: uemax,
                multiple_of: umul,
            },
        ) = (&self.schema(o).kind, &self.schema(u).kind)
        else {
            return;
        };
        self.bound(ctx, &MAXIMUM, *omax, *umax, o, u);
        self.bound(ctx, &MINIMUM, *omin, *umin, o, u);
        // Confluent compares a decreased `exclusiveMaximum` with the update's `maximum` (a bug that throws
        // when `maximum` is absent); we compare the two limits, as intended.
        self.bound(ctx, &EXCLUSIVE_MAXIMUM, *oemax, *uemax, o, u);
        self.bound(ctx, &EXCLUSIVE_MINIMUM, *oemin, *uemin, o, u);
        match (omul, umul) {
            (None, Some(_)) => self.kw(ctx, &r::MULTIPLE_OF_ADDED, "multipleOf", o, u, false, true),
            (Some(_), None) => self.kw(
                ctx,
                &r::MULTIPLE_OF_REMOVED,
                "multipleOf",
                o,
                u,
                true,
                false,
            ),
            (Some(a), Some(b)) if a != b => {
                // Confluent divides BigDecimals exactly; in f64 a quotient such as 0.1 / 1e-320 overflows and
                // 0.3 / 0.1 is not integral. Each value is taken at its shortest decimal form (what the schema
                // wrote, for any number f64 holds exactly enough to round-trip) and divided exactly.
                let divides = |big: f64, small: f64| {
                    let exact = |v: f64| v.to_string().parse::<bigdecimal::BigDecimal>().ok();
                    match (exact(big), exact(small)) {
                        (Some(b), Some(s)) if !bigdecimal::Zero::is_zero(&s) => {
                            bigdecimal::Zero::is_zero(&(b % s))
                        }
                        _ => false,
                    }
                };
                let ty: &'static Rule = if divides(*b, *a) {
                    &r::MULTIPLE_OF_EXPANDED
                } else if divides(*a, *b) {
                    &r::MULTIPLE_OF_REDUCED
                } else {
                    &r::MULTIPLE_OF_CHANGED
                };
                self.kw(ctx, ty, "multipleOf", o, u, true, true);
            }
            _ => {}
        }
        if oi != ui {
            let ty: &'static Rule = if *oi {
                &r::TYPE_EXTENDED
            } else {
                &r::TYPE_NARROWED
            };
            self.add(ctx, ty, None, spot(o, Some("type")), spot(u, Some("type")));
        }
    }

    fn combined(&mut self, ctx: &mut Ctx, o: SRef, u: SRef) {
        let (
            Kind::Combined {
                criterion: oc,
                subs: osubs,
            },
            Kind::Combined {
                criterion: uc,
                subs: usubs,
            },
        ) = (&self.schema(o).kind, &self.schema(u).kind)
        else {
            return;
        };
        let (oc, uc) = (*oc, *uc);
        let okw = Some(oc.keyword());
        let ukw = Some(uc.keyword());
        if oc != uc {
            // Confluent's CombinedSchemaDiff, step 1 (reference §4.5): the update is `anyOf`, or both are singletons,
            // or a singleton becomes `oneOf`, or `allOf` becomes a singleton.
            let (o_single, u_single) = (osubs.len() == 1, usubs.len() == 1);
            let extended = uc == Criterion::Any
                || (o_single && u_single)
                || (o_single && uc == Criterion::One)
                || (oc == Criterion::All && u_single);
            if extended {
                self.add(
                    ctx,
                    &r::COMBINED_TYPE_EXTENDED,
                    None,
                    spot(o, okw),
                    spot(u, ukw),
                );
            } else {
                self.add(
                    ctx,
                    &r::COMBINED_TYPE_CHANGED,
                    None,
                    spot(o, okw),
                    spot(u, ukw),
                );
                return;
            }
        }
        // Duplicate subschemas collapse (everit's LinkedHashSet of JsonSchema).
        let os_list = self.dedup(o.side, osubs);
        let us_list = self.dedup(u.side, usubs);
        let (on, un) = (os_list.len(), us_list.len());
        if on < un {
            let ty: &'static Rule = if uc == Criterion::All {
                &r::PRODUCT_TYPE_EXTENDED
            } else {
                &r::SUM_TYPE_EXTENDED
            };
            self.add(ctx, ty, None, spot(o, okw), spot(u, ukw));
        } else if on > un {
            // Step 2: fewer subschemas narrow by the *original's* criterion.
            let ty: &'static Rule = if oc == Criterion::All {
                &r::PRODUCT_TYPE_NARROWED
            } else {
                &r::SUM_TYPE_NARROWED
            };
            self.add(ctx, ty, None, spot(o, okw), spot(u, ukw));
        }
        // Step 3, Confluent's maximum matching over the compatible (original, update) pairs, found without
        // comparing every pair: unchanged branches (same canonical text, found compatible) are matched to each
        // other first, then Kuhn's augmenting paths start from each original branch left unmatched, comparing
        // pairs only as the search reaches them (each pair once). Augmenting from a matching yields a maximum
        // one, so the verdict is Confluent's; which compatible pairs end up matched may differ from Confluent's
        // Hopcroft-Karp when several matchings are maximum (the differences listed are then those of another
        // compatible pairing). Past `MAX_COMBINED_PAIRS` pairs compared beyond the unchanged ones, a located
        // `CHECK_LIMIT_EXCEEDED`.
        let kw = oc.keyword();
        let mut m = Matching {
            edges: HashMap::new(),
            match_left: vec![None; on],
            match_right: vec![None; un],
            compared: 0,
        };
        let mut by_canon: HashMap<Rc<str>, usize> = HashMap::with_capacity(un);
        for (j, us) in us_list.iter().enumerate() {
            by_canon.insert(self.canon(*us), j);
        }
        for i in 0..on {
            let Some(&j) = by_canon.get(&self.canon(os_list[i])) else {
                continue;
            };
            if self.edge(ctx, &mut m, kw, (&os_list, &us_list), i, j, false) {
                m.match_left[i] = Some(j);
                m.match_right[j] = Some(i);
            }
        }
        for i in 0..on {
            if m.match_left[i].is_some() {
                continue;
            }
            if !self.augment(ctx, &mut m, kw, (&os_list, &us_list), i) {
                self.add(
                    ctx,
                    &crate::rules::CHECK_LIMIT_EXCEEDED,
                    None,
                    spot(o, okw),
                    spot(u, ukw),
                );
                return;
            }
        }
        let mut matched = 0;
        for (i, j) in m.match_left.iter().enumerate() {
            if let Some(j) = *j {
                matched += 1;
                if let Some(Some(sub)) = m.edges.remove(&(i, j)) {
                    ctx.extend(sub);
                }
            }
        }
        if matched < on.min(un) {
            self.add(
                ctx,
                &r::COMBINED_TYPE_SUBSCHEMAS_CHANGED,
                None,
                spot(o, okw),
                spot(u, ukw),
            );
            let first_unmatched = m.match_left.iter().position(Option::is_none);
            if let (Some(i), Some(Item::Leaf(leaf))) = (first_unmatched, ctx.items.last_mut()) {
                leaf.unmatched = os_list.get(i).map(|&at| Spot { at, kw: None });
            }
        }
    }

    /// Whether original branch `i` and update branch `j` are compatible, comparing them the first time they are
    /// asked about (their differences kept for the matching). `counted` pairs add to `m.compared`; `None` once
    /// that passes `MAX_COMBINED_PAIRS`.
    #[allow(clippy::too_many_arguments)]
    fn edge(
        &mut self,
        ctx: &mut Ctx,
        m: &mut Matching,
        kw: &str,
        (os_list, us_list): (&[SRef], &[SRef]),
        i: usize,
        j: usize,
        counted: bool,
    ) -> bool {
        if let Some(e) = m.edges.get(&(i, j)) {
            return e.is_some();
        }
        if counted {
            m.compared += 1;
        }
        ctx.enter(format!("{kw}/{i}"));
        let mut sub = ctx.sub();
        self.compare(&mut sub, Some(os_list[i]), Some(us_list[j]));
        ctx.leave();
        let ok = sub.compatible;
        m.edges.insert((i, j), ok.then_some(sub));
        ok
    }

    /// Kuhn's search for an augmenting path from the unmatched original branch `root`, with an explicit stack
    /// (a path can be as long as the matching). Each update branch is tried in index order, the one at the same
    /// position first. Returns false when the pair limit is passed.
    fn augment(
        &mut self,
        ctx: &mut Ctx,
        m: &mut Matching,
        kw: &str,
        lists: (&[SRef], &[SRef]),
        root: usize,
    ) -> bool {
        let un = m.match_right.len();
        let mut seen = vec![false; un];
        // (original branch, next candidate position, update branch chosen)
        let mut stack: Vec<(usize, usize, usize)> = vec![(root, 0, usize::MAX)];
        while let Some(&(i, pos, _)) = stack.last() {
            let mut found = None;
            let mut p = pos;
            while p < un {
                // Position 0 tries j = i (when there is one), then the others in order.
                let j = candidate(i, p, un);
                p += 1;
                if seen[j] {
                    continue;
                }
                if m.compared >= MAX_COMBINED_PAIRS && !m.edges.contains_key(&(i, j)) {
                    return false;
                }
                if self.edge(ctx, m, kw, lists, i, j, true) {
                    found = Some(j);
                    break;
                }
            }
            let top = stack.len() - 1;
            stack[top].1 = p;
            let Some(j) = found else {
                stack.pop();
                continue;
            };
            seen[j] = true;
            stack[top].2 = j;
            match m.match_right[j] {
                Some(k) => stack.push((k, 0, usize::MAX)),
                None => {
                    for &(i, _, j) in &stack {
                        m.match_left[i] = Some(j);
                        m.match_right[j] = Some(i);
                    }
                    return true;
                }
            }
        }
        true
    }

    /// Canonical text of a schema's JSON value (plus what tells derived schemas apart), computed once.
    fn canon(&mut self, s: SRef) -> Rc<str> {
        if let Some(c) = self.canon_cache.get(&s) {
            return Rc::clone(c);
        }
        let sch = self.schema(s);
        let text = match self.trees[s.side as usize]
            .get(sch.doc as usize)
            .and_then(|t| t.as_ref())
        {
            Some(t) => format!("{}{}", t.canonical_string(sch.node), sch.canon_suffix),
            None => format!("#{}", s.id),
        };
        let rc: Rc<str> = text.into();
        self.canon_cache.insert(s, Rc::clone(&rc));
        rc
    }

    fn dedup(&mut self, side: u8, subs: &[SchemaId]) -> Vec<SRef> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for s in subs {
            let r = SRef { side, id: *s };
            if seen.insert(self.canon(r)) {
                out.push(r);
            }
        }
        out
    }

    fn is_open_object(&self, side: u8, k: &ObjectKind) -> bool {
        k.pattern_props.is_empty()
            && k.additional == Additional::Permit
            && k.unevaluated.is_none_or(|s| {
                let s = self.normalize(SRef { side, id: s });
                self.schema(s).kind.is_empty_like()
            })
    }

    fn partial_object(&self, side: u8, k: &ObjectKind, name: &str) -> Option<SRef> {
        for (re, s) in &k.pattern_props {
            if re
                .as_ref()
                .is_some_and(|re| re.is_match(name).unwrap_or(false))
            {
                return Some(SRef { side, id: *s });
            }
        }
        if let Some(s) = k.additional.schema() {
            return Some(SRef { side, id: s });
        }
        if k.additional == Additional::Permit {
            if let Some(s) = k.unevaluated {
                let n = self.normalize(SRef { side, id: s });
                let kind = &self.schema(n).kind;
                if !kind.is_empty_like() && !matches!(kind, Kind::False) {
                    return Some(SRef { side, id: s });
                }
            }
        }
        None
    }

    fn has_default(&self, s: SRef) -> bool {
        self.schema(s).default.is_some()
    }

    fn object(&mut self, ctx: &mut Ctx, o: SRef, u: SRef, a: &'a ObjectKind, b: &'a ObjectKind) {
        let po = |id: SchemaId| SRef { side: o.side, id };
        let pu = |id: SchemaId| SRef { side: u.side, id };
        // required
        ctx.enter("required");
        for (name, os) in &a.props {
            let Some(us) = b.prop(name) else { continue };
            let (or, ur) = (a.is_required(name), b.is_required(name));
            ctx.enter(name.to_string());
            if or && !ur {
                self.add(
                    ctx,
                    &r::REQUIRED_ATTRIBUTE_REMOVED,
                    None,
                    spot(o, Some("required")),
                    spot(pu(us), None),
                );
            } else if !or && ur {
                let ty: &'static Rule = if self.has_default(pu(us)) {
                    &r::REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED
                } else {
                    &r::REQUIRED_ATTRIBUTE_ADDED
                };
                self.add(
                    ctx,
                    ty,
                    None,
                    spot(po(*os), None),
                    spot(u, Some("required")),
                );
            }
            ctx.leave();
        }
        ctx.leave();
        // properties
        ctx.enter("properties");
        let mut names: Vec<&str> = a.props.iter().map(|(n, _)| &**n).collect();
        names.extend(
            b.props
                .iter()
                .map(|(n, _)| &**n)
                .filter(|n| a.prop(n).is_none()),
        );
        for name in names {
            ctx.enter(name.to_string());
            match (a.prop(name), b.prop(name)) {
                (Some(os), None) => {
                    let (os_ref, u_at) = (po(os), spot(u, Some("properties")));
                    if self.is_open_object(u.side, b) {
                        self.add(
                            ctx,
                            &r::PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL,
                            None,
                            spot(os_ref, None),
                            u_at,
                        );
                    } else if let Some(s) = self.partial_object(u.side, b, name) {
                        self.partially_open(
                            ctx,
                            os_ref,
                            s,
                            [
                                &r::PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                                &r::PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                            ],
                        );
                    } else {
                        let ty: &'static Rule = if matches!(self.schema(os_ref).kind, Kind::False) {
                            &r::PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
                        } else {
                            &r::PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL
                        };
                        let closer = if b.additional == Additional::Deny {
                            "additionalProperties"
                        } else {
                            "unevaluatedProperties"
                        };
                        self.add(ctx, ty, None, spot(os_ref, None), spot(u, Some(closer)));
                    }
                }
                (None, Some(us)) => {
                    let us_ref = pu(us);
                    let o_at = spot(o, Some("properties"));
                    let required = b.is_required(name);
                    let with_default = self.has_default(us_ref);
                    if self.is_open_object(o.side, a) {
                        let ty: &'static Rule = if self.schema(us_ref).kind.is_empty_like() {
                            &r::PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
                        } else if required && with_default {
                            &r::REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL
                        } else if required {
                            &r::REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
                        } else {
                            &r::OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL
                        };
                        self.add(ctx, ty, None, o_at, spot(us_ref, None));
                    } else {
                        if let Some(s) = self.partial_object(o.side, a, name) {
                            self.partially_open(
                                ctx,
                                s,
                                us_ref,
                                [
                                    &r::PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                                    &r::PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                                ],
                            );
                        }
                        let ty: &'static Rule = if required && with_default {
                            &r::REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL
                        } else if required {
                            &r::REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
                        } else {
                            &r::OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL
                        };
                        self.add(ctx, ty, None, o_at, spot(us_ref, None));
                    }
                }
                (Some(os), Some(us)) => self.compare(ctx, Some(po(os)), Some(pu(us))),
                (None, None) => {}
            }
            ctx.leave();
        }
        ctx.leave();
        // dependencies
        ctx.enter("dependencies");
        for k in union_keys(&a.prop_deps, &b.prop_deps) {
            let (od, ud) = (entry(&a.prop_deps, k), entry(&b.prop_deps, k));
            ctx.enter(k.to_string());
            let at = |s: SRef, has: bool| spot(s, has.then_some("dependencies"));
            match (od, ud) {
                (_, None) => self.add(
                    ctx,
                    &r::DEPENDENCY_ARRAY_REMOVED,
                    None,
                    at(o, true),
                    at(u, false),
                ),
                (None, Some(_)) => self.add(
                    ctx,
                    &r::DEPENDENCY_ARRAY_ADDED,
                    None,
                    at(o, false),
                    at(u, true),
                ),
                (Some(x), Some(y)) => {
                    let sx: HashSet<&str> = x.iter().map(|s| &**s).collect();
                    let sy: HashSet<&str> = y.iter().map(|s| &**s).collect();
                    if sx != sy {
                        let ty: &'static Rule = if sy.is_superset(&sx) {
                            &r::DEPENDENCY_ARRAY_EXTENDED
                        } else if sx.is_superset(&sy) {
                            &r::DEPENDENCY_ARRAY_NARROWED
                        } else {
                            &r::DEPENDENCY_ARRAY_CHANGED
                        };
                        self.add(ctx, ty, None, at(o, true), at(u, true));
                    }
                }
            }
            ctx.leave();
        }
        for k in union_keys(&a.schema_deps, &b.schema_deps) {
            let (od, ud) = (
                entry(&a.schema_deps, k).copied(),
                entry(&b.schema_deps, k).copied(),
            );
            ctx.enter(k.to_string());
            match (od, ud) {
                (Some(x), None) => self.add(
                    ctx,
                    &r::DEPENDENCY_SCHEMA_REMOVED,
                    None,
                    spot(po(x), None),
                    spot(u, None),
                ),
                (None, Some(y)) => self.add(
                    ctx,
                    &r::DEPENDENCY_SCHEMA_ADDED,
                    None,
                    spot(o, None),
                    spot(pu(y), None),
                ),
                (Some(x), Some(y)) => self.compare(ctx, Some(po(x)), Some(pu(y))),
                (None, None) => {}
            }
            ctx.leave();
        }
        ctx.leave();
        self.additional(
            ctx,
            &ADDITIONAL_PROPERTIES,
            a.additional,
            b.additional,
            o,
            u,
        );
        // unevaluatedProperties (8.x), same shape as unevaluatedItems
        self.unevaluated(
            ctx,
            &UNEVALUATED_PROPERTIES,
            a.unevaluated.map(po),
            b.unevaluated.map(pu),
            o,
            u,
        );
        self.bound(ctx, &MAX_PROPERTIES, a.max_props, b.max_props, o, u);
        self.bound(ctx, &MIN_PROPERTIES, a.min_props, b.min_props, o, u);
    }

    /// A member added or removed where the other side's content model is partially open: `x` (the original's
    /// member or schema) is compared with `y` (the update's), and the finding says whether that schema covers
    /// the change. `tys` is `[covered, not_covered]`.
    fn partially_open(&mut self, ctx: &mut Ctx, x: SRef, y: SRef, tys: [&'static Rule; 2]) {
        let [covered, not_covered] = tys;
        let mut sub = ctx.sub();
        self.compare(&mut sub, Some(x), Some(y));
        let ty = if sub.compatible { covered } else { not_covered };
        ctx.extend(sub);
        self.add(ctx, ty, None, spot(x, None), spot(y, None));
    }

    /// `additionalProperties` / `additionalItems`: whether more members are allowed at all, then whether they
    /// are open (`true` or absent) or held to a schema.
    fn additional(
        &mut self,
        ctx: &mut Ctx,
        fam: &Family,
        a: Additional,
        b: Additional,
        o: SRef,
        u: SRef,
    ) {
        let (kw, [added, removed, extended, narrowed]) = (fam.kw, fam.tys);
        ctx.enter(kw);
        // The keyword's own line whenever it is written (`additionalProperties: true` too, issue 11 item 4); the
        // whole schema only when it is absent.
        let (at_o, at_u) = (spot(o, Some(kw)), spot(u, Some(kw)));
        if a.permits() != b.permits() {
            let ty = if b.permits() { added } else { removed };
            self.add(ctx, ty, None, at_o, at_u);
        } else if a.schema().is_none() && b.schema().is_some() {
            self.add(ctx, narrowed, None, at_o, at_u);
        } else if b.schema().is_none() && a.schema().is_some() {
            self.add(ctx, extended, None, at_o, at_u);
        } else if let (Some(x), Some(y)) = (a.schema(), b.schema()) {
            let x = SRef {
                side: o.side,
                id: x,
            };
            let y = SRef {
                side: u.side,
                id: y,
            };
            self.compare(ctx, Some(x), Some(y));
        }
        ctx.leave();
    }

    fn unevaluated(
        &mut self,
        ctx: &mut Ctx,
        fam: &Family,
        a: Option<SRef>,
        b: Option<SRef>,
        o: SRef,
        u: SRef,
    ) {
        let (kw, [added, removed, extended, narrowed]) = (fam.kw, fam.tys);
        if a.is_none() && b.is_none() {
            return;
        }
        let is_false = |s: SRef| matches!(self.schema(self.normalize(s)).kind, Kind::False);
        let is_empty = |s: SRef| self.schema(self.normalize(s)).kind.is_empty_like();
        ctx.enter(kw);
        let at_o = spot(o, a.is_some().then_some(kw));
        let at_u = spot(u, b.is_some().then_some(kw));
        match (a, b) {
            (None, Some(y)) => {
                let ty = if is_false(y) { removed } else { narrowed };
                self.add(ctx, ty, None, at_o, at_u);
            }
            (Some(x), None) => {
                let ty = if is_false(x) { added } else { extended };
                self.add(ctx, ty, None, at_o, at_u);
            }
            (Some(x), Some(y)) => {
                if is_false(x) && !is_false(y) {
                    self.add(ctx, added, None, at_o, at_u);
                } else if !is_false(x) && is_false(y) {
                    self.add(ctx, removed, None, at_o, at_u);
                } else if is_empty(x) && !is_empty(y) {
                    self.add(ctx, narrowed, None, at_o, at_u);
                } else if !is_empty(x) && is_empty(y) {
                    self.add(ctx, extended, None, at_o, at_u);
                } else {
                    self.compare(ctx, Some(x), Some(y));
                }
            }
            (None, None) => {}
        }
        ctx.leave();
    }

    fn is_open_array(&self, side: u8, k: &ArrayKind) -> bool {
        k.additional == Additional::Permit
            && k.unevaluated.is_none_or(|s| {
                self.schema(self.normalize(SRef { side, id: s }))
                    .kind
                    .is_empty_like()
            })
    }

    fn partial_array(&self, side: u8, k: &ArrayKind) -> Option<SRef> {
        if let Some(s) = k.additional.schema() {
            return Some(SRef { side, id: s });
        }
        if k.additional == Additional::Permit {
            if let Some(s) = k.unevaluated {
                let kind = &self.schema(self.normalize(SRef { side, id: s })).kind;
                if !kind.is_empty_like() && !matches!(kind, Kind::False) {
                    return Some(SRef { side, id: s });
                }
            }
        }
        None
    }

    fn array(&mut self, ctx: &mut Ctx, o: SRef, u: SRef, a: &'a ArrayKind, b: &'a ArrayKind) {
        let po = |id: SchemaId| SRef { side: o.side, id };
        let pu = |id: SchemaId| SRef { side: u.side, id };
        ctx.enter("items");
        match (a.all_items, b.all_items) {
            (None, Some(y)) => self.add(
                ctx,
                &r::SCHEMA_ADDED,
                None,
                spot(o, None),
                spot(pu(y), None),
            ),
            (Some(x), None) => self.add(
                ctx,
                &r::SCHEMA_REMOVED,
                None,
                spot(po(x), None),
                spot(u, None),
            ),
            (Some(x), Some(y)) => self.compare(ctx, Some(po(x)), Some(pu(y))),
            (None, None) => {}
        }
        ctx.leave();
        let common = a.item_schemas.len().min(b.item_schemas.len());
        for i in 0..common {
            ctx.enter(format!("items/{i}"));
            self.compare(
                ctx,
                Some(po(a.item_schemas[i])),
                Some(pu(b.item_schemas[i])),
            );
            ctx.leave();
        }
        for i in common..a.item_schemas.len() {
            ctx.enter(format!("items/{i}"));
            let os = po(a.item_schemas[i]);
            if self.is_open_array(u.side, b) {
                self.add(
                    ctx,
                    &r::ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL,
                    None,
                    spot(os, None),
                    spot(u, None),
                );
            } else if let Some(s) = self.partial_array(u.side, b) {
                self.partially_open(
                    ctx,
                    os,
                    s,
                    [
                        &r::ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                        &r::ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                    ],
                );
            } else {
                let ty: &'static Rule = if matches!(self.schema(os).kind, Kind::False) {
                    &r::ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
                } else {
                    &r::ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL
                };
                self.add(ctx, ty, None, spot(os, None), spot(u, None));
            }
            ctx.leave();
        }
        for i in common..b.item_schemas.len() {
            ctx.enter(format!("items/{i}"));
            let us = pu(b.item_schemas[i]);
            if self.is_open_array(o.side, a) {
                let ty: &'static Rule = if self.schema(us).kind.is_empty_like() {
                    &r::ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
                } else {
                    &r::ITEM_ADDED_TO_OPEN_CONTENT_MODEL
                };
                self.add(ctx, ty, None, spot(o, None), spot(us, None));
            } else if let Some(s) = self.partial_array(o.side, a) {
                self.partially_open(
                    ctx,
                    s,
                    us,
                    [
                        &r::ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                        &r::ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                    ],
                );
            } else {
                self.add(
                    ctx,
                    &r::ITEM_ADDED_TO_CLOSED_CONTENT_MODEL,
                    None,
                    spot(o, None),
                    spot(us, None),
                );
            }
            ctx.leave();
        }
        self.additional(ctx, &ADDITIONAL_ITEMS, a.additional, b.additional, o, u);
        self.unevaluated(
            ctx,
            &UNEVALUATED_ITEMS,
            a.unevaluated.map(po),
            b.unevaluated.map(pu),
            o,
            u,
        );
        self.bound(ctx, &MAX_ITEMS, a.max_items, b.max_items, o, u);
        self.bound(ctx, &MIN_ITEMS, a.min_items, b.min_items, o, u);
        if a.unique != b.unique {
            let ty: &'static Rule = if a.unique {
                &r::UNIQUE_ITEMS_REMOVED
            } else {
                &r::UNIQUE_ITEMS_ADDED
            };
            self.kw(ctx, ty, "uniqueItems", o, u, a.unique, b.unique);
        }
        let trunc = |x: Option<f64>| x.map(|v| v.trunc());
        self.bound(
            ctx,
            &MAX_CONTAINS,
            trunc(a.max_contains),
            trunc(b.max_contains),
            o,
            u,
        );
        self.bound(
            ctx,
            &MIN_CONTAINS,
            trunc(a.min_contains),
            trunc(b.min_contains),
            o,
            u,
        );
    }
}

/// The state of one combined schema's branch matching: pairs compared so far (compatible ones with their
/// differences), the matching, and how many pairs were compared beyond the unchanged ones.
struct Matching {
    edges: HashMap<(usize, usize), Option<Ctx>>,
    match_left: Vec<Option<usize>>,
    match_right: Vec<Option<usize>>,
    compared: usize,
}

/// The update branch tried at position `p` for original branch `i` of `n`: `i` itself first (the branch at the
/// same place), then `0, 1, …` skipping `i`.
fn candidate(i: usize, p: usize, n: usize) -> usize {
    if i >= n {
        p
    } else if p == 0 {
        i
    } else if p <= i {
        p - 1
    } else {
        p
    }
}
