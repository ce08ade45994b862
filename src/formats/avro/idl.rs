//! Avro IDL (`.avdl`, Avro 1.12): the `protocol` syntax and the newer `schema` syntax (`namespace`, `schema`,
//! named types and imports at the top level). Owns lexing and parsing IDL text into the JSON form Apache Avro's
//! `IdlReader` produces, as a tree that keeps the byte span of the IDL token each JSON value came from, so the
//! schema builder in `parse.rs` turns it into the same Avro model as an `.avsc` and every finding points into the
//! `.avdl`. It never reads files: imports are returned for the caller to resolve; and it never panics on input.

use std::borrow::Cow;
use std::ops::Range;

use jsonc_parser::ast;
use jsonc_parser::common::Range as JRange;

/// A syntax or meaning error, at the offending token.
#[derive(Debug, Clone)]
pub(crate) struct IdlError {
    pub span: Range<usize>,
    pub message: String,
}

type Res<T> = Result<T, IdlError>;

/// A JSON value with the span of the IDL text it stands for.
#[derive(Debug, Clone)]
pub(crate) enum J {
    Null(Range<usize>),
    Bool(bool, Range<usize>),
    /// A JSON number literal (normalised to JSON syntax).
    Num(String, Range<usize>),
    Str(String, Range<usize>),
    Arr(Vec<J>, Range<usize>),
    Obj(Vec<(String, Range<usize>, J)>, Range<usize>),
}

impl J {
    pub(crate) fn span(&self) -> Range<usize> {
        match self {
            J::Null(s)
            | J::Bool(_, s)
            | J::Num(_, s)
            | J::Str(_, s)
            | J::Arr(_, s)
            | J::Obj(_, s) => s.clone(),
        }
    }

    fn str(s: &str, span: Range<usize>) -> J {
        J::Str(s.to_string(), span)
    }

    fn insert(&mut self, key: &str, span: Range<usize>, value: J) {
        if let J::Obj(props, _) = self {
            match props.iter_mut().find(|(k, _, _)| k == key) {
                Some(slot) => slot.2 = value,
                None => props.push((key.to_string(), span, value)),
            }
        }
    }

    /// Plain JSON (what Apache Avro's IDL tool writes).
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            J::Null(_) => Value::Null,
            J::Bool(b, _) => Value::Bool(*b),
            J::Num(n, _) => serde_json::from_str(n).unwrap_or_else(|_| Value::String(n.clone())),
            J::Str(s, _) => Value::String(s.clone()),
            J::Arr(a, _) => Value::Array(a.iter().map(J::to_json).collect()),
            J::Obj(props, _) => Value::Object(
                props
                    .iter()
                    .map(|(k, _, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// The JSON syntax tree the `.avsc` builder reads, with IDL spans.
    pub(crate) fn to_ast(&self) -> ast::Value<'_> {
        let r = |s: &Range<usize>| JRange {
            start: s.start,
            end: s.end,
        };
        match self {
            J::Null(s) => ast::Value::NullKeyword(ast::NullKeyword { range: r(s) }),
            J::Bool(b, s) => ast::Value::BooleanLit(ast::BooleanLit {
                range: r(s),
                value: *b,
            }),
            J::Num(n, s) => ast::Value::NumberLit(ast::NumberLit {
                range: r(s),
                value: n.as_str(),
            }),
            J::Str(v, s) => ast::Value::StringLit(ast::StringLit {
                range: r(s),
                value: Cow::Borrowed(v.as_str()),
            }),
            J::Arr(a, s) => ast::Value::Array(ast::Array {
                range: r(s),
                elements: a.iter().map(J::to_ast).collect(),
            }),
            J::Obj(props, s) => ast::Value::Object(ast::Object {
                range: r(s),
                properties: props
                    .iter()
                    .map(|(k, ks, v)| ast::ObjectProp {
                        range: r(&(ks.start.min(v.span().start)..ks.end.max(v.span().end))),
                        name: ast::ObjectPropName::String(ast::StringLit {
                            range: r(ks),
                            value: Cow::Borrowed(k.as_str()),
                        }),
                        value: v.to_ast(),
                    })
                    .collect(),
            }),
        }
    }
}

/// `import idl|protocol|schema "path";`
#[derive(Debug, Clone)]
pub(crate) struct Import {
    pub kind: ImportKind,
    pub path: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImportKind {
    Idl,
    Protocol,
    Schema,
}

/// One parsed `.avdl` file.
#[derive(Debug, Clone)]
pub(crate) struct Idl {
    /// The protocol's (or the schema syntax's `namespace`) namespace.
    pub namespace: Option<String>,
    /// `protocol Name {…}`: the protocol object without `types` and `messages` (name, namespace, doc, properties).
    pub protocol: Option<J>,
    /// `schema <type>;` of the schema syntax.
    pub main: Option<J>,
    /// The named types declared in this file, in order (imported ones are not here).
    pub types: Vec<J>,
    /// Items in file order: imports and declared types interleave the way Avro adds them to a protocol.
    pub order: Vec<Item>,
    pub messages: Vec<(String, J)>,
    pub imports: Vec<Import>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Item {
    Import(usize),
    Type(usize),
}

// ---- lexer ----

#[derive(Debug, Clone, PartialEq)]
enum T {
    Ident {
        text: String,
        quoted: bool,
    },
    Str(String),
    /// A JSON number (normalised), or `NaN` / `Infinity` / `-Infinity` (kept as text).
    Num {
        json: String,
        special: bool,
    },
    Punct(char),
    Eof,
}

#[derive(Debug, Clone)]
struct Tok {
    t: T,
    span: Range<usize>,
    /// The doc comment (`/** … */`) right before this token, stripped.
    doc: Option<String>,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_ident_part(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || c == '-'
}

fn lex(text: &str) -> Res<Vec<Tok>> {
    let b = text.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut doc: Option<String> = None;
    let err = |at: usize, len: usize, m: &str| IdlError {
        span: at..(at + len).min(text.len()),
        message: format!("Avro IDL: {m}"),
    };
    let char_at = |i: usize| text[i..].chars().next();
    while i < b.len() {
        let Some(c) = char_at(i) else { break };
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        if text[i..].starts_with("//") {
            i = text[i..].find('\n').map_or(text.len(), |n| i + n);
            continue;
        }
        if text[i..].starts_with("/*") {
            let Some(end) = text[i + 2..].find("*/") else {
                return Err(err(i, 2, "unterminated comment"));
            };
            let body_end = i + 2 + end;
            if text[i..].starts_with("/**") && body_end > i + 2 {
                doc = Some(strip_doc(&text[i + 3..body_end]));
            }
            i = body_end + 2;
            continue;
        }
        let t = if c == '"' || c == '\'' {
            let (s, end) = string_lit(text, i, c).map_err(|(at, m)| err(at, 1, &m))?;
            i = end;
            T::Str(s)
        } else if c.is_ascii_digit()
            || ((c == '-' || c == '+' || c == '.')
                && text[i + 1..]
                    .chars()
                    .next()
                    .is_some_and(|d| d.is_ascii_digit() || (c != '.' && d == 'I')))
        {
            let (t, end) = number(text, i).ok_or_else(|| err(i, 1, "invalid number"))?;
            i = end;
            t
        } else if is_ident_start(c) || c == '`' {
            let mut out = String::new();
            let mut quoted = false;
            loop {
                if text[i..].starts_with('`') {
                    let Some(end) = text[i + 1..].find('`') else {
                        return Err(err(i, 1, "unterminated `quoted` identifier"));
                    };
                    out.push_str(&text[i + 1..i + 1 + end]);
                    i += end + 2;
                    quoted = true;
                } else {
                    let seg_start = i;
                    while let Some(d) = char_at(i).filter(|d| {
                        if i == seg_start {
                            is_ident_start(*d)
                        } else {
                            is_ident_part(*d)
                        }
                    }) {
                        i += d.len_utf8();
                    }
                    if i == seg_start {
                        return Err(err(i, 1, "expected an identifier after `.`"));
                    }
                    out.push_str(&text[seg_start..i]);
                }
                let continues = text[i..].starts_with('.')
                    && text[i + 1..]
                        .chars()
                        .next()
                        .is_some_and(|d| is_ident_start(d) || d == '`');
                if !continues {
                    break;
                }
                out.push('.');
                i += 1;
            }
            T::Ident { text: out, quoted }
        } else if "{}()[]<>,;:=?@".contains(c) {
            i += 1;
            T::Punct(c)
        } else {
            return Err(err(i, c.len_utf8(), &format!("unexpected character `{c}`")));
        };
        toks.push(Tok {
            t,
            span: start..i,
            doc: doc.take(),
        });
    }
    toks.push(Tok {
        t: T::Eof,
        span: text.len()..text.len(),
        doc: None,
    });
    Ok(toks)
}

/// A doc comment's text as Avro keeps it: leading `*` columns or a common indent removed, trimmed.
fn strip_doc(body: &str) -> String {
    // Trailing blanks (before `*/`) go first so the star column can cover every line.
    let body = body.trim_end();
    let lines: Vec<&str> = body.lines().collect();
    let rest = lines.get(1..).unwrap_or(&[]);
    let hspace = |l: &str| l.trim_start_matches([' ', '\t']).len();
    let star = |l: &str| l.trim_start_matches([' ', '\t']).starts_with('*');
    let out = if !rest.is_empty() && rest.iter().all(|l| star(l)) {
        let mut v = Vec::with_capacity(lines.len());
        let first = lines[0].strip_prefix('*').unwrap_or(lines[0]);
        v.push(first.strip_prefix([' ', '\t']).unwrap_or(first));
        for l in rest {
            let l = &l[l.len() - hspace(l)..];
            let l = l.strip_prefix('*').unwrap_or(l);
            v.push(l.strip_prefix([' ', '\t']).unwrap_or(l));
        }
        v.join("\n")
    } else if let Some(second) = rest.first() {
        let indent = &second[..second.len() - hspace(second)];
        if rest.iter().all(|l| l.starts_with(indent)) {
            let mut v = vec![lines[0]];
            v.extend(rest.iter().map(|l| &l[indent.len()..]));
            v.join("\n")
        } else {
            body.to_string()
        }
    } else {
        body.to_string()
    };
    out.trim().to_string()
}

fn string_lit(text: &str, start: usize, quote: char) -> Result<(String, usize), (usize, String)> {
    let mut out = String::new();
    let mut it = text[start + 1..].char_indices();
    while let Some((off, c)) = it.next() {
        let at = start + 1 + off;
        match c {
            c if c == quote => return Ok((out, at + 1)),
            '\n' => return Err((start, "unterminated string".into())),
            '\\' => {
                let Some((_, e)) = it.next() else { break };
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    '"' | '\'' | '\\' | '/' => out.push(e),
                    'u' => {
                        let hex: String = text
                            .get(at + 2..at + 6)
                            .ok_or((at, "incomplete \\u escape".to_string()))?
                            .to_string();
                        let code = u32::from_str_radix(&hex, 16)
                            .map_err(|_| (at, format!("invalid escape \\u{hex}")))?;
                        for _ in 0..4 {
                            it.next();
                        }
                        // A surrogate pair: \uD83D\uDE00.
                        if (0xD800..0xDC00).contains(&code) && text[at + 6..].starts_with("\\u") {
                            let low = text
                                .get(at + 8..at + 12)
                                .and_then(|h| u32::from_str_radix(h, 16).ok());
                            if let Some(low @ 0xDC00..0xE000) = low {
                                let c = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                                out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                                for _ in 0..6 {
                                    it.next();
                                }
                                continue;
                            }
                        }
                        out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    '0'..='7' => {
                        // Java octal escape: up to three digits.
                        let mut v = e.to_digit(8).unwrap_or(0);
                        let mut rest = text[at + 2..].chars();
                        for _ in 0..2 {
                            match rest.next().and_then(|d| d.to_digit(8)) {
                                Some(d) if v * 8 + d <= 0o377 => {
                                    v = v * 8 + d;
                                    it.next();
                                }
                                _ => break,
                            }
                        }
                        out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                    }
                    other => return Err((at, format!("invalid escape `\\{other}`"))),
                }
            }
            c => out.push(c),
        }
    }
    Err((start, "unterminated string".into()))
}

/// Integer (decimal, `0x` hex, `0` octal, optional `l`/`L`) or floating-point literal, or `±Infinity`.
fn number(text: &str, start: usize) -> Option<(T, usize)> {
    let rest = &text[start..];
    let (sign, body_at) = match rest.as_bytes().first() {
        Some(b'-') => ("-", 1),
        Some(b'+') => ("", 1),
        _ => ("", 0),
    };
    let body = &rest[body_at..];
    if body.starts_with("Infinity") {
        let end = start + body_at + "Infinity".len();
        return Some((
            T::Num {
                json: format!("{sign}Infinity"),
                special: true,
            },
            end,
        ));
    }
    let len = body
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_alphanumeric()
                || c == '.'
                || ((c == '-' || c == '+')
                    && i > 0
                    && matches!(body.as_bytes()[i - 1], b'e' | b'E' | b'p' | b'P')))
        })
        .map_or(body.len(), |(i, _)| i);
    let lit = &body[..len];
    let end = start + body_at + len;
    let lower = lit.to_ascii_lowercase();
    let json = if let Some(hex) = lower.strip_prefix("0x") {
        let hex = hex.strip_suffix('l').unwrap_or(hex);
        format!("{sign}{}", i128::from_str_radix(hex, 16).ok()?)
    } else if lower.contains(['.', 'e']) || lower.ends_with(['f', 'd']) {
        let f = lower.trim_end_matches(['f', 'd']);
        let v: f64 = f.parse().ok()?;
        let plain = f.starts_with(|c: char| c.is_ascii_digit())
            && !f.ends_with('.')
            && !f.contains(".e")
            && serde_json::from_str::<serde_json::Value>(f).is_ok();
        if plain {
            format!("{sign}{f}")
        } else {
            format!("{sign}{v:?}")
        }
    } else {
        let digits = lower.strip_suffix('l').unwrap_or(&lower);
        if digits.len() > 1 && digits.starts_with('0') {
            format!("{sign}{}", i128::from_str_radix(digits, 8).ok()?)
        } else {
            format!("{sign}{}", digits.parse::<i128>().ok()?)
        }
    };
    Some((
        T::Num {
            json,
            special: false,
        },
        end,
    ))
}

// ---- parser ----

struct P {
    toks: Vec<Tok>,
    i: usize,
}

const NAMED_KW: [&str; 4] = ["record", "error", "enum", "fixed"];

/// A type with its `?` marker (the union order depends on the field's default).
struct Ty {
    json: J,
    nullable: bool,
}

impl P {
    fn peek(&self) -> &Tok {
        &self.toks[self.i.min(self.toks.len() - 1)]
    }

    fn next(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }

    fn err<X>(&self, span: Range<usize>, m: String) -> Res<X> {
        Err(IdlError {
            span,
            message: format!("Avro IDL: {m}"),
        })
    }

    fn describe(t: &T) -> String {
        match t {
            T::Ident { text, .. } => format!("`{text}`"),
            T::Str(s) => format!("the string {s:?}"),
            T::Num { json, .. } => format!("the number {json}"),
            T::Punct(c) => format!("`{c}`"),
            T::Eof => "the end of the file".into(),
        }
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.peek().t, T::Ident { text, quoted: false } if text == kw)
    }

    fn is_punct(&self, c: char) -> bool {
        self.peek().t == T::Punct(c)
    }

    fn punct(&mut self, c: char) -> Res<Range<usize>> {
        if self.is_punct(c) {
            return Ok(self.next().span);
        }
        let t = self.peek().clone();
        self.err(
            t.span,
            format!("expected `{c}`, found {}", Self::describe(&t.t)),
        )
    }

    fn kw(&mut self, kw: &str) -> Res<Range<usize>> {
        if self.is_kw(kw) {
            return Ok(self.next().span);
        }
        let t = self.peek().clone();
        self.err(
            t.span,
            format!("expected `{kw}`, found {}", Self::describe(&t.t)),
        )
    }

    fn ident(&mut self, what: &str) -> Res<(String, Range<usize>)> {
        let t = self.peek().clone();
        match t.t {
            T::Ident { text, .. } => {
                self.next();
                Ok((text, t.span))
            }
            other => self.err(
                t.span,
                format!("expected {what}, found {}", Self::describe(&other)),
            ),
        }
    }

    fn string(&mut self, what: &str) -> Res<(String, Range<usize>)> {
        let t = self.peek().clone();
        match t.t {
            T::Str(s) => {
                self.next();
                Ok((s, t.span))
            }
            other => self.err(
                t.span,
                format!(
                    "expected {what} (a string), found {}",
                    Self::describe(&other)
                ),
            ),
        }
    }

    /// `@name(json)*`
    fn props(&mut self) -> Res<Vec<(String, Range<usize>, J)>> {
        let mut out: Vec<(String, Range<usize>, J)> = Vec::new();
        while self.is_punct('@') {
            let at = self.next().span;
            let (name, span) = self.ident("an annotation name")?;
            self.punct('(')?;
            let value = self.json()?;
            self.punct(')')?;
            if out.iter().any(|(k, _, _)| *k == name) {
                return self.err(span, format!("annotation `@{name}` is given twice"));
            }
            out.push((name, at.start..span.end, value));
        }
        Ok(out)
    }

    fn json(&mut self) -> Res<J> {
        let t = self.next();
        let span = t.span.clone();
        Ok(match t.t {
            T::Str(s) => J::Str(s, span),
            T::Num { json, special } => {
                if special {
                    J::Str(json, span)
                } else {
                    J::Num(json, span)
                }
            }
            T::Ident {
                text,
                quoted: false,
            } if text == "true" || text == "false" => J::Bool(text == "true", span),
            T::Ident {
                text,
                quoted: false,
            } if text == "null" => J::Null(span),
            T::Ident {
                text,
                quoted: false,
            } if text == "NaN" || text == "Infinity" => J::Str(text, span),
            T::Punct('[') => {
                let mut items = Vec::new();
                if !self.is_punct(']') {
                    loop {
                        items.push(self.json()?);
                        if !self.is_punct(',') {
                            break;
                        }
                        self.next();
                    }
                }
                let end = self.punct(']')?;
                J::Arr(items, span.start..end.end)
            }
            T::Punct('{') => {
                let mut props = Vec::new();
                if !self.is_punct('}') {
                    loop {
                        let (k, ks) = self.string("an object key")?;
                        self.punct(':')?;
                        let v = self.json()?;
                        props.push((k, ks, v));
                        if !self.is_punct(',') {
                            break;
                        }
                        self.next();
                    }
                }
                let end = self.punct('}')?;
                J::Obj(props, span.start..end.end)
            }
            other => {
                return self.err(
                    span,
                    format!("expected a JSON value, found {}", Self::describe(&other)),
                )
            }
        })
    }

    fn file(&mut self) -> Res<Idl> {
        let mut idl = Idl {
            namespace: None,
            protocol: None,
            main: None,
            types: Vec::new(),
            order: Vec::new(),
            messages: Vec::new(),
            imports: Vec::new(),
        };
        let start = self.i;
        let doc = self.peek().doc.clone();
        let props = self.props()?;
        if self.is_kw("protocol") {
            let kw = self.next().span;
            let (name, name_span) = self.ident("a protocol name")?;
            let mut proto = J::Obj(vec![], kw.start..name_span.end);
            let mut ns = None;
            let mut rest = Vec::new();
            for (k, s, v) in props {
                if k == "namespace" {
                    match &v {
                        J::Str(n, _) => ns = Some(n.clone()),
                        _ => return self.err(s, "`@namespace` takes a string".into()),
                    }
                }
                rest.push((k, s, v));
            }
            let (space, short) = split_name(&name, ns.as_deref());
            proto.insert(
                "protocol",
                name_span.clone(),
                J::str(&short, name_span.clone()),
            );
            if let Some(sp) = &space {
                proto.insert(
                    "namespace",
                    name_span.clone(),
                    J::str(sp, name_span.clone()),
                );
            }
            if let Some(d) = doc {
                proto.insert("doc", kw.clone(), J::Str(d, kw.clone()));
            }
            for (k, s, v) in rest {
                if k != "namespace" {
                    proto.insert(&k, s, v);
                }
            }
            idl.namespace = space;
            idl.protocol = Some(proto);
            self.punct('{')?;
            while !self.is_punct('}') {
                if matches!(self.peek().t, T::Eof) {
                    let span = self.peek().span.clone();
                    return self.err(span, "expected `}` to close the protocol".into());
                }
                if self.is_kw("import") {
                    self.import(&mut idl)?;
                    continue;
                }
                let doc = self.peek().doc.clone();
                let props = self.props()?;
                if NAMED_KW.iter().any(|k| self.is_kw(k)) {
                    let ns = idl.namespace.clone();
                    let t = self.named(doc, props, ns.as_deref())?;
                    idl.order.push(Item::Type(idl.types.len()));
                    idl.types.push(t);
                } else {
                    let ns = idl.namespace.clone();
                    let m = self.message(doc, props, ns.as_deref())?;
                    idl.messages.push(m);
                }
            }
            self.next();
        } else {
            // The schema syntax: no annotations before `namespace` / `schema`.
            self.i = start;
            if self.is_kw("namespace") {
                self.next();
                let (ns, span) = self.ident("a namespace")?;
                if !ns.split('.').all(super::parse::valid_name) {
                    return self.err(span, format!("invalid namespace `{ns}`"));
                }
                self.punct(';')?;
                idl.namespace = Some(ns).filter(|n| !n.is_empty());
            }
            if self.is_kw("schema") {
                self.next();
                let ns = idl.namespace.clone();
                let ty = self.full_type(ns.as_deref())?;
                self.punct(';')?;
                idl.main = Some(nullable_union(ty, None));
            }
            loop {
                if matches!(self.peek().t, T::Eof) {
                    break;
                }
                if self.is_kw("import") {
                    self.import(&mut idl)?;
                    continue;
                }
                let doc = self.peek().doc.clone();
                let props = self.props()?;
                if NAMED_KW.iter().any(|k| self.is_kw(k)) {
                    let ns = idl.namespace.clone();
                    let t = self.named(doc, props, ns.as_deref())?;
                    idl.order.push(Item::Type(idl.types.len()));
                    idl.types.push(t);
                } else {
                    let t = self.peek().clone();
                    let expected = if idl.types.is_empty()
                        && idl.main.is_none()
                        && idl.imports.is_empty()
                    {
                        "`protocol`, `namespace`, `schema`, `import` or a named type (record, enum, fixed)"
                    } else {
                        "`import` or a named type (record, error, enum, fixed)"
                    };
                    return self.err(
                        t.span,
                        format!("expected {expected}, found {}", Self::describe(&t.t)),
                    );
                }
            }
        }
        let t = self.peek().clone();
        if !matches!(t.t, T::Eof) {
            return self.err(
                t.span,
                format!("unexpected {} after the protocol", Self::describe(&t.t)),
            );
        }
        Ok(idl)
    }

    fn import(&mut self, idl: &mut Idl) -> Res<()> {
        self.kw("import")?;
        let (kind, kspan) = self.ident("`idl`, `protocol` or `schema`")?;
        let kind = match kind.as_str() {
            "idl" => ImportKind::Idl,
            "protocol" => ImportKind::Protocol,
            "schema" => ImportKind::Schema,
            _ => {
                return self.err(
                    kspan,
                    format!("unknown import kind `{kind}`; expected `idl`, `protocol` or `schema`"),
                )
            }
        };
        let (path, span) = self.string("the imported file")?;
        self.punct(';')?;
        idl.order.push(Item::Import(idl.imports.len()));
        idl.imports.push(Import { kind, path, span });
        Ok(())
    }

    /// record / error / enum / fixed, after its doc comment and annotations.
    fn named(
        &mut self,
        doc: Option<String>,
        props: Vec<(String, Range<usize>, J)>,
        ns: Option<&str>,
    ) -> Res<J> {
        let (kind, kspan) = self.ident("a named type")?;
        let (name, nspan) = self.ident(&format!("the {kind}'s name"))?;
        let mut explicit_ns = None;
        let mut aliases = None;
        let mut other = Vec::new();
        for (k, s, v) in props {
            match k.as_str() {
                "namespace" => match v {
                    J::Str(n, _) => explicit_ns = Some(n),
                    _ => return self.err(s, "`@namespace` takes a string".into()),
                },
                "aliases" => {
                    let strings = matches!(&v, J::Arr(items, _) if items.iter().all(|i| matches!(i, J::Str(..))));
                    if !strings {
                        return self.err(s, "`@aliases` takes an array of strings".into());
                    }
                    aliases = Some(v);
                }
                _ => other.push((k, s, v)),
            }
        }
        let (space, short) = split_name(&name, explicit_ns.as_deref().or(ns));
        let mut o = J::Obj(vec![], kspan.start..nspan.end);
        o.insert("type", kspan.clone(), J::str(&kind, kspan.clone()));
        o.insert("name", nspan.clone(), J::str(&short, nspan.clone()));
        if let Some(sp) = &space {
            o.insert("namespace", nspan.clone(), J::str(sp, nspan.clone()));
        }
        if let Some(d) = doc {
            o.insert("doc", kspan.clone(), J::Str(d, kspan.clone()));
        }
        if let Some(a) = aliases {
            o.insert("aliases", a.span(), a);
        }
        let inner_ns = space.clone();
        let end = match kind.as_str() {
            "record" | "error" => {
                self.punct('{')?;
                let mut fields = Vec::new();
                while !self.is_punct('}') {
                    if matches!(self.peek().t, T::Eof) {
                        let span = self.peek().span.clone();
                        return self.err(span, format!("expected `}}` to close {kind} `{name}`"));
                    }
                    self.fields(inner_ns.as_deref(), &mut fields)?;
                }
                let close = self.next().span;
                let fs = kspan.start..close.end;
                o.insert("fields", fs.clone(), J::Arr(fields, fs));
                close.end
            }
            "enum" => {
                let open = self.punct('{')?;
                let mut symbols = Vec::new();
                if !self.is_punct('}') {
                    loop {
                        self.props()?;
                        let (sym, s) = self.ident("an enum symbol")?;
                        symbols.push(J::Str(sym, s));
                        if !self.is_punct(',') {
                            break;
                        }
                        self.next();
                    }
                }
                let close = self.punct('}')?;
                o.insert(
                    "symbols",
                    open.start..close.end,
                    J::Arr(symbols, open.start..close.end),
                );
                let mut end = close.end;
                if self.is_punct('=') {
                    self.next();
                    let (d, ds) = self.ident("the enum's default symbol")?;
                    end = self.punct(';')?.end;
                    o.insert("default", ds.clone(), J::Str(d, ds));
                }
                end
            }
            "fixed" => {
                self.punct('(')?;
                let t = self.next();
                let size = match t.t {
                    T::Num {
                        json,
                        special: false,
                    } if !json.contains(['.', 'e', 'E']) => json,
                    other => {
                        return self.err(
                            t.span,
                            format!(
                                "expected the fixed size (an integer), found {}",
                                Self::describe(&other)
                            ),
                        )
                    }
                };
                self.punct(')')?;
                let end = self.punct(';')?.end;
                o.insert("size", t.span.clone(), J::Num(size, t.span));
                end
            }
            _ => {
                return self.err(
                    kspan,
                    format!("expected record, error, enum or fixed, found `{kind}`"),
                )
            }
        };
        for (k, s, v) in other {
            o.insert(&k, s, v);
        }
        if let J::Obj(_, span) = &mut o {
            *span = kspan.start..end;
        }
        Ok(o)
    }

    /// `Type var [= default], var2 …;` — one field per variable.
    fn fields(&mut self, ns: Option<&str>, out: &mut Vec<J>) -> Res<()> {
        let doc = self.peek().doc.clone();
        let ty = self.full_type(ns)?;
        loop {
            out.push(self.variable(&ty, doc.clone())?);
            if !self.is_punct(',') {
                break;
            }
            self.next();
        }
        self.punct(';')?;
        Ok(())
    }

    /// `[doc] @props name [= json]` with the field's type.
    fn variable(&mut self, ty: &Ty, doc: Option<String>) -> Res<J> {
        let vdoc = self.peek().doc.clone();
        let props = self.props()?;
        let (name, nspan) = self.ident("a field name")?;
        let default = if self.is_punct('=') {
            self.next();
            Some(self.json()?)
        } else {
            None
        };
        let end = default.as_ref().map_or(nspan.end, |d| d.span().end);
        let mut f = J::Obj(vec![], nspan.start..end);
        f.insert("name", nspan.clone(), J::str(&name, nspan.clone()));
        let json = nullable_union(
            Ty {
                json: ty.json.clone(),
                nullable: ty.nullable,
            },
            default.as_ref(),
        );
        f.insert("type", json.span(), json);
        if let Some(d) = vdoc.or(doc) {
            f.insert("doc", nspan.clone(), J::Str(d, nspan.clone()));
        }
        if let Some(d) = default {
            f.insert("default", d.span(), d);
        }
        for (k, s, v) in props {
            f.insert(&k, s, v);
        }
        Ok(f)
    }

    fn message(
        &mut self,
        doc: Option<String>,
        props: Vec<(String, Range<usize>, J)>,
        ns: Option<&str>,
    ) -> Res<(String, J)> {
        let start = self.peek().span.start;
        let response = if self.is_kw("void") {
            let s = self.next().span;
            J::Str("null".into(), s)
        } else {
            let ty = self.plain_type(ns, Vec::new())?;
            nullable_union(ty, None)
        };
        let (name, nspan) = self.ident("a message name")?;
        self.punct('(')?;
        let mut request = Vec::new();
        if !self.is_punct(')') {
            loop {
                let pdoc = self.peek().doc.clone();
                let ty = self.full_type(ns)?;
                request.push(self.variable(&ty, pdoc)?);
                if !self.is_punct(',') {
                    break;
                }
                self.next();
            }
        }
        self.punct(')')?;
        let mut m = J::Obj(vec![], start..nspan.end);
        if let Some(d) = doc {
            m.insert("doc", nspan.clone(), J::Str(d, nspan.clone()));
        }
        for (k, s, v) in props {
            m.insert(&k, s, v);
        }
        m.insert("request", nspan.clone(), J::Arr(request, nspan.clone()));
        m.insert("response", response.span(), response);
        if self.is_kw("oneway") {
            let s = self.next().span;
            m.insert("one-way", s.clone(), J::Bool(true, s));
        } else if self.is_kw("throws") {
            let s = self.next().span;
            let mut errors = Vec::new();
            loop {
                let (e, es) = self.ident("an error type")?;
                errors.push(J::Str(e, es));
                if !self.is_punct(',') {
                    break;
                }
                self.next();
            }
            m.insert("errors", s.clone(), J::Arr(errors, s));
        }
        self.punct(';')?;
        Ok((name, m))
    }

    /// `@props* plainType`
    fn full_type(&mut self, ns: Option<&str>) -> Res<Ty> {
        let props = self.props()?;
        self.plain_type(ns, props)
    }

    fn plain_type(&mut self, ns: Option<&str>, props: Vec<(String, Range<usize>, J)>) -> Res<Ty> {
        let t = self.next();
        let span = t.span.clone();
        let T::Ident { text, quoted } = t.t.clone() else {
            return self.err(
                span,
                format!("expected a type, found {}", Self::describe(&t.t)),
            );
        };
        let kw = |k: &str| !quoted && text == k;
        let mut json = if kw("array") || kw("map") {
            self.punct('<')?;
            let inner = self.full_type(ns)?;
            let close = self.punct('>')?;
            let inner = nullable_union(inner, None);
            let s = span.start..close.end;
            let mut o = J::Obj(vec![], s.clone());
            o.insert("type", span.clone(), J::str(&text, span.clone()));
            let key = if kw("array") { "items" } else { "values" };
            o.insert(key, inner.span(), inner);
            o
        } else if kw("union") {
            self.punct('{')?;
            let mut branches = Vec::new();
            loop {
                let b = self.full_type(ns)?;
                branches.push(nullable_union(b, None));
                if !self.is_punct(',') {
                    break;
                }
                self.next();
            }
            let close = self.punct('}')?;
            if !props.is_empty() {
                return self.err(span, "a union cannot be annotated".into());
            }
            J::Arr(branches, span.start..close.end)
        } else if kw("decimal") {
            self.punct('(')?;
            let p = self.json()?;
            let scale = if self.is_punct(',') {
                self.next();
                Some(self.json()?)
            } else {
                None
            };
            let close = self.punct(')')?;
            let s = span.start..close.end;
            let mut o = J::Obj(vec![], s);
            o.insert("type", span.clone(), J::str("bytes", span.clone()));
            o.insert("logicalType", span.clone(), J::str("decimal", span.clone()));
            o.insert("precision", p.span(), p);
            let scale = scale.unwrap_or_else(|| J::Num("0".into(), span.clone()));
            o.insert("scale", scale.span(), scale);
            o
        } else if let Some((base, logical)) = (!quoted).then(|| primitive(&text)).flatten() {
            match logical {
                None => J::str(base, span.clone()),
                Some(l) => {
                    let mut o = J::Obj(vec![], span.clone());
                    o.insert("type", span.clone(), J::str(base, span.clone()));
                    o.insert("logicalType", span.clone(), J::str(l, span.clone()));
                    o
                }
            }
        } else {
            // A named type. The builder qualifies an unqualified name in the enclosing namespace.
            if !props.is_empty() {
                return self.err(
                    span,
                    format!("the type reference `{text}` cannot be annotated (annotate the type's declaration)"),
                );
            }
            let _ = ns;
            J::Str(text, span.clone())
        };
        if !props.is_empty() {
            if let J::Str(prim, s) = json.clone() {
                let mut o = J::Obj(vec![], s.clone());
                o.insert("type", s.clone(), J::Str(prim, s));
                json = o;
            }
            for (k, s, v) in props {
                json.insert(&k, s, v);
            }
        }
        let nullable = self.is_punct('?');
        if nullable {
            self.next();
        }
        Ok(Ty { json, nullable })
    }
}

/// IDL primitive type keywords: the Avro type and its logical type.
fn primitive(name: &str) -> Option<(&'static str, Option<&'static str>)> {
    Some(match name {
        "boolean" => ("boolean", None),
        "int" => ("int", None),
        "long" => ("long", None),
        "float" => ("float", None),
        "double" => ("double", None),
        "bytes" => ("bytes", None),
        "string" => ("string", None),
        "null" => ("null", None),
        "date" => ("int", Some("date")),
        "time_ms" => ("int", Some("time-millis")),
        "timestamp_ms" => ("long", Some("timestamp-millis")),
        "local_timestamp_ms" => ("long", Some("local-timestamp-millis")),
        "uuid" => ("string", Some("uuid")),
        _ => return None,
    })
}

/// `T?` is a union with null: null first, unless the default is not null (a union's default matches its first
/// branch).
fn nullable_union(ty: Ty, default: Option<&J>) -> J {
    if !ty.nullable {
        return ty.json;
    }
    let span = ty.json.span();
    let null = J::str("null", span.end..span.end);
    if default.is_some_and(|d| !matches!(d, J::Null(_))) {
        J::Arr(vec![ty.json, null], span)
    } else {
        J::Arr(vec![null, ty.json], span)
    }
}

/// A declared name: dotted means a full name; else the namespace applies. Returns (namespace, short name).
fn split_name(name: &str, ns: Option<&str>) -> (Option<String>, String) {
    match name.rfind('.') {
        Some(i) => (Some(name[..i].to_string()), name[i + 1..].to_string()),
        None => (
            ns.filter(|n| !n.is_empty()).map(str::to_string),
            name.to_string(),
        ),
    }
}

/// Parses one `.avdl` file.
pub(crate) fn parse(text: &str) -> Res<Idl> {
    let toks = lex(text)?;
    let mut p = P { toks, i: 0 };
    p.file()
}

/// The JSON Apache Avro's IDL tool writes for a parsed file, with its imports already turned into JSON by
/// `import` (a protocol or schema as JSON, or `None` when the file cannot be found): a protocol (`types`,
/// `messages`) or, for the schema syntax, the main schema plus `types` for every named type. Used by tests and
/// corpus checks; checking uses the spanned tree.
pub(crate) fn to_json(
    idl: &Idl,
    import: &mut dyn FnMut(&Import) -> Option<serde_json::Value>,
) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    let mut types: Vec<Value> = Vec::new();
    let mut messages = serde_json::Map::new();
    for item in &idl.order {
        match *item {
            Item::Type(i) => types.push(idl.types[i].to_json()),
            Item::Import(i) => {
                let imp = &idl.imports[i];
                let v = import(imp).ok_or_else(|| format!("cannot find import `{}`", imp.path))?;
                match imp.kind {
                    ImportKind::Schema => types.push(v),
                    ImportKind::Protocol | ImportKind::Idl => {
                        // The imported protocol's types keep its namespace, not the importer's.
                        let ns = v
                            .get("namespace")
                            .and_then(Value::as_str)
                            .filter(|n| !n.is_empty());
                        if let Some(Value::Array(ts)) = v.get("types") {
                            types.extend(ts.iter().cloned().map(|mut t| {
                                if let (Some(ns), Value::Object(o)) = (ns, &mut t) {
                                    let dotted = o
                                        .get("name")
                                        .and_then(Value::as_str)
                                        .is_some_and(|n| n.contains('.'));
                                    if !dotted && !o.contains_key("namespace") {
                                        o.insert("namespace".into(), Value::String(ns.to_string()));
                                    }
                                }
                                t
                            }));
                        }
                        if let Some(Value::Object(ms)) = v.get("messages") {
                            for (k, m) in ms {
                                messages.insert(k.clone(), m.clone());
                            }
                        }
                    }
                }
            }
        }
    }
    for (k, m) in &idl.messages {
        messages.insert(k.clone(), m.to_json());
    }
    match &idl.protocol {
        Some(p) => {
            let mut out = p.to_json();
            if let Value::Object(o) = &mut out {
                o.insert("types".into(), Value::Array(types));
                o.insert("messages".into(), Value::Object(messages));
            }
            Ok(out)
        }
        None => {
            let mut out = serde_json::Map::new();
            if let Some(ns) = &idl.namespace {
                out.insert("namespace".into(), Value::String(ns.clone()));
            }
            if let Some(m) = &idl.main {
                out.insert("schema".into(), m.to_json());
            }
            out.insert("types".into(), Value::Array(types));
            Ok(Value::Object(out))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> serde_json::Value {
        let idl = parse(text).unwrap_or_else(|e| panic!("{}: {:?}", e.message, e.span));
        to_json(&idl, &mut |_| None).expect("no imports")
    }

    #[test]
    fn protocol_with_types_messages_and_docs() {
        let v = json(
            "/** P doc */ @namespace(\"a.b\") protocol P {\n  /** E doc */ enum E { X, Y } = Y;\n  fixed F(0x10);\n  record R { /** f doc */ string? s = null; E e = \"X\"; union { null, F } u; int @order(\"ignore\") n = 1, m; }\n  void ping() oneway;\n}\n",
        );
        assert_eq!(v["protocol"], "P");
        assert_eq!(v["namespace"], "a.b");
        assert_eq!(v["doc"], "P doc");
        assert_eq!(v["types"][0]["default"], "Y");
        assert_eq!(v["types"][0]["doc"], "E doc");
        assert_eq!(v["types"][1]["size"], 16);
        let f = &v["types"][2]["fields"];
        assert_eq!(f[0]["type"], serde_json::json!(["null", "string"]));
        assert_eq!(f[0]["doc"], "f doc");
        assert_eq!(f[3]["order"], "ignore");
        assert_eq!(f[4]["name"], "m");
        assert_eq!(v["messages"]["ping"]["one-way"], true);
    }

    #[test]
    fn nullable_with_a_default_puts_null_last() {
        let v = json("protocol P { record R { time_ms? t = 0; @foo(1) string x; } }");
        let f = &v["types"][0]["fields"];
        assert_eq!(
            f[0]["type"],
            serde_json::json!([{"type": "int", "logicalType": "time-millis"}, "null"])
        );
        assert_eq!(
            f[1]["type"],
            serde_json::json!({"type": "string", "foo": 1})
        );
    }

    #[test]
    fn schema_syntax() {
        let v = json("namespace n.s;\nschema array<R>;\nrecord R { decimal(9,2) d; }\n");
        assert_eq!(v["namespace"], "n.s");
        assert_eq!(v["schema"]["items"], "R");
        assert_eq!(
            v["types"][0]["fields"][0]["type"]["precision"],
            serde_json::json!(9)
        );
    }

    #[test]
    fn errors_are_located() {
        let text = "protocol P {\n  record R {\n    string s\n  }\n}\n";
        let e = parse(text).unwrap_err();
        assert_eq!(&text[e.span.clone()], "}", "{}", e.message);
        assert!(e.message.contains("expected `;`"), "{}", e.message);
        let e = parse("protocol P { record R { string s = \"x; } }").unwrap_err();
        assert!(e.message.contains("unterminated string"), "{}", e.message);
        let text = "protocol P { record R { int x = ; } }";
        let e = parse(text).unwrap_err();
        assert_eq!(&text[e.span.clone()], ";");
        assert!(e.message.contains("expected a JSON value"), "{}", e.message);
        assert!(parse("protocol P { record R { @a(1) Other o; } }").is_err());
        assert!(
            parse("").is_ok(),
            "an empty schema-syntax file declares nothing"
        );
    }

    #[test]
    fn doc_comments_strip_stars_and_indents() {
        assert_eq!(strip_doc(" one line "), "one line");
        assert_eq!(strip_doc("\n   * a\n   * b\n   "), "a\nb");
        assert_eq!(
            strip_doc(" first\n     second\n     third"),
            "first\nsecond\nthird"
        );
    }
}
