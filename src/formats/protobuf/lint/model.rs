//! The syntax-level model buf's lint rules read: one `LFile` per `.proto` file, built from protox's parse
//! (descriptor plus SourceCodeInfo) without compiling, so every file of a large tree is read once and in
//! parallel. Keeps names, spans (whole declaration and name), leading comments, the `buf:lint:ignore` lines
//! that apply to each element (its own and its enclosing declarations', as buf looks them up), options the rules
//! compare, and every type or extension name the file references (for `IMPORT_USED` and rpc types).

use std::sync::Arc;

use prost_types::source_code_info::Location as SciLocation;
use prost_types::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorProto,
    ServiceDescriptorProto, UninterpretedOption,
};

use crate::formats::protobuf::model::Span;
use crate::source::SourceFile;

/// Trimmed leading-comment lines that start with `buf:lint:ignore`, from an element and its enclosing
/// declarations.
pub(crate) type IgnoreLines = Arc<[String]>;

pub(crate) const IGNORE_PREFIX: &str = "buf:lint:ignore";

#[derive(Debug, Clone)]
pub(crate) struct Decl {
    pub name: String,
    /// The whole declaration.
    pub span: Option<Span>,
    pub name_span: Option<Span>,
    /// The declaration's leading comment, as protoc attaches it.
    pub leading: Option<String>,
    pub ignores: IgnoreLines,
}

#[derive(Debug)]
pub(crate) struct LImport {
    pub path: String,
    pub span: Option<Span>,
    pub public: bool,
    pub ignores: IgnoreLines,
}

/// A simple (non-extension) option as written: its statement span and value text.
#[derive(Debug, Clone)]
pub(crate) struct LOption {
    pub name: String,
    pub value: String,
    pub span: Option<Span>,
    pub ignores: IgnoreLines,
}

#[derive(Debug)]
pub(crate) struct LField {
    pub decl: Decl,
    pub required: bool,
    pub group: bool,
}

#[derive(Debug)]
pub(crate) struct LOneof {
    pub decl: Decl,
    /// Synthetic oneof of a proto3 `optional` field.
    pub synthetic: bool,
}

#[derive(Debug)]
pub(crate) struct LMessage {
    pub decl: Decl,
    pub map_entry: bool,
    pub fields: Vec<LField>,
    pub oneofs: Vec<LOneof>,
    pub messages: Vec<LMessage>,
    pub enums: Vec<LEnum>,
    pub extensions: Vec<LField>,
}

#[derive(Debug)]
pub(crate) struct LEnumValue {
    pub decl: Decl,
    pub number: i32,
    pub number_span: Option<Span>,
}

#[derive(Debug)]
pub(crate) struct LEnum {
    pub decl: Decl,
    /// `option allow_alias = true;`
    pub allow_alias: Option<LOption>,
    pub values: Vec<LEnumValue>,
}

#[derive(Debug)]
pub(crate) struct LMethod {
    pub decl: Decl,
    /// Type names as written (resolved to full names by `resolve.rs`).
    pub input: String,
    pub output: String,
    pub input_span: Option<Span>,
    pub output_span: Option<Span>,
    pub client_streaming: bool,
    pub server_streaming: bool,
    /// Index into `LFile::refs` of the input and output references.
    pub input_ref: usize,
    pub output_ref: usize,
}

#[derive(Debug)]
pub(crate) struct LService {
    pub decl: Decl,
    pub full_name: String,
    pub methods: Vec<LMethod>,
}

/// What a reference may resolve to (protocompile's `onlyTypes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefKind {
    /// Field types: a message or enum; an unqualified name skips other matches.
    Type,
    /// Extendees, rpc types, option extension names: the first match.
    Any,
}

/// A name the file references, with the scopes it is resolved in (innermost last).
#[derive(Debug)]
pub(crate) struct LRef {
    pub name: String,
    pub kind: RefKind,
    /// Full names of the enclosing messages/services, outermost first.
    pub scopes: Arc<[String]>,
    /// Extension names inside message literals resolve in the file scope only.
    pub file_scope_only: bool,
}

#[derive(Debug)]
pub(crate) struct LFile {
    pub src: Arc<SourceFile>,
    /// Logical path (relative to the import root), as buf names files.
    pub path: String,
    pub package: String,
    pub package_span: Option<Span>,
    pub package_ignores: IgnoreLines,
    pub syntax_span: Option<Span>,
    pub imports: Vec<LImport>,
    pub options: Vec<LOption>,
    pub messages: Vec<LMessage>,
    pub enums: Vec<LEnum>,
    pub services: Vec<LService>,
    pub extensions: Vec<LField>,
    pub refs: Vec<LRef>,
    /// Full names of everything the file declares that a name can resolve to, with a kind tag.
    pub symbols: Vec<(String, SymKind)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SymKind {
    Message,
    Enum,
    Service,
    /// Fields, extensions, enum values, methods, oneofs: leaves.
    Leaf,
    Extension,
}

impl LFile {
    pub fn option(&self, name: &str) -> Option<&LOption> {
        self.options.iter().find(|o| o.name == name)
    }
}

struct Ctx<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    locs: &'a [SciLocation],
    path: Vec<i32>,
    refs: Vec<LRef>,
    symbols: Vec<(String, SymKind)>,
    scopes: Vec<String>,
}

impl<'a> Ctx<'a> {
    fn loc(&self, path: &[i32]) -> Option<&'a SciLocation> {
        // protox sorts locations by path.
        let i = self
            .locs
            .binary_search_by(|l| l.path.as_slice().cmp(path))
            .ok()?;
        self.locs.get(i)
    }

    fn offset(&self, line: i32, col: i32) -> usize {
        let line = usize::try_from(line).unwrap_or(0);
        let col = usize::try_from(col).unwrap_or(0);
        let start = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        (start + col).min(self.text.len())
    }

    fn span_at(&self, path: &[i32]) -> Option<Span> {
        let s = &self.loc(path)?.span;
        match s.len() {
            3 => Some(self.offset(s[0], s[1])..self.offset(s[0], s[2])),
            4 => Some(self.offset(s[0], s[1])..self.offset(s[2], s[3])),
            _ => None,
        }
    }

    fn span_rel(&mut self, tail: &[i32]) -> Option<Span> {
        let n = self.path.len();
        self.path.extend_from_slice(tail);
        let s = self.span_at(&self.path);
        self.path.truncate(n);
        s
    }

    fn leading_at(&self, path: &[i32]) -> Option<String> {
        self.loc(path)?.leading_comments.clone()
    }

    /// The ignore lines of the declaration at the current path added to the inherited ones.
    fn ignores_here(&self, inherited: &IgnoreLines) -> IgnoreLines {
        let own = ignore_lines(self.leading_at(&self.path).as_deref());
        if own.is_empty() {
            Arc::clone(inherited)
        } else {
            inherited.iter().cloned().chain(own).collect()
        }
    }

    fn decl(&self, name: &str, inherited: &IgnoreLines) -> Decl {
        let mut name_path = self.path.clone();
        name_path.push(1);
        Decl {
            name: name.to_string(),
            span: self.span_at(&self.path),
            name_span: self.span_at(&name_path),
            leading: self.leading_at(&self.path),
            ignores: self.ignores_here(inherited),
        }
    }

    fn add_ref(&mut self, name: &str, kind: RefKind) -> usize {
        self.refs.push(LRef {
            name: name.to_string(),
            kind,
            scopes: self.scopes.clone().into(),
            file_scope_only: false,
        });
        self.refs.len() - 1
    }

    /// Option statements under the current path (`…, options, 999, i`): simple ones are returned, extension
    /// names are recorded as references.
    fn options(
        &mut self,
        options_tag: i32,
        opts: &[UninterpretedOption],
        inherited: &IgnoreLines,
    ) -> Vec<LOption> {
        let mut out = Vec::new();
        for (i, o) in opts.iter().enumerate() {
            for part in o.name.iter().filter(|p| p.is_extension) {
                self.add_ref(&part.name_part, RefKind::Any);
            }
            if let Some(agg) = &o.aggregate_value {
                for ext in literal_extension_names(agg) {
                    self.refs.push(LRef {
                        name: ext,
                        kind: RefKind::Any,
                        scopes: self.scopes.clone().into(),
                        file_scope_only: true,
                    });
                }
            }
            if o.name.len() == 1 && !o.name[0].is_extension {
                let idx = i32::try_from(i).unwrap_or(i32::MAX);
                let n = self.path.len();
                self.path.extend_from_slice(&[options_tag, 999, idx]);
                let span = self.span_at(&self.path);
                let ignores = self.ignores_here(inherited);
                self.path.truncate(n);
                let value = if let Some(s) = &o.string_value {
                    String::from_utf8_lossy(s).into_owned()
                } else if let Some(id) = &o.identifier_value {
                    id.clone()
                } else if let Some(v) = o.positive_int_value {
                    v.to_string()
                } else if let Some(v) = o.negative_int_value {
                    v.to_string()
                } else if let Some(v) = o.double_value {
                    v.to_string()
                } else {
                    o.aggregate_value.clone().unwrap_or_default()
                };
                out.push(LOption {
                    name: o.name[0].name_part.clone(),
                    value,
                    span,
                    ignores,
                });
            }
        }
        out
    }

    fn field(
        &mut self,
        f: &FieldDescriptorProto,
        inherited: &IgnoreLines,
        parent_full: &str,
        extension: bool,
    ) -> LField {
        let decl = self.decl(f.name(), inherited);
        if let Some(t) = &f.type_name {
            self.add_ref(t, RefKind::Type);
        }
        if let Some(e) = &f.extendee {
            self.add_ref(e, RefKind::Any);
        }
        if let Some(o) = &f.options {
            let ignores = decl.ignores.clone();
            self.options(8, &o.uninterpreted_option, &ignores);
        }
        self.symbols.push((
            join(parent_full, f.name()),
            if extension {
                SymKind::Extension
            } else {
                SymKind::Leaf
            },
        ));
        LField {
            required: f.label == Some(2),
            group: f.r#type == Some(10),
            decl,
        }
    }

    fn message(&mut self, m: &DescriptorProto, inherited: &IgnoreLines, prefix: &str) -> LMessage {
        let full = join(prefix, m.name());
        let decl = self.decl(m.name(), inherited);
        self.symbols.push((full.clone(), SymKind::Message));
        // Options of a message resolve in the enclosing scope (protocompile does the same as protoc).
        let mut map_entry = false;
        if let Some(o) = &m.options {
            map_entry = o.map_entry == Some(true);
            let ig = decl.ignores.clone();
            let opts = self.options(7, &o.uninterpreted_option, &ig);
            map_entry |= opts
                .iter()
                .any(|o| o.name == "map_entry" && o.value == "true");
        }
        self.scopes.push(full.clone());
        let ig = decl.ignores.clone();
        let mut fields = Vec::new();
        for (i, f) in m.field.iter().enumerate() {
            self.path.extend([2, idx(i)]);
            fields.push(self.field(f, &ig, &full, false));
            self.path.truncate(self.path.len() - 2);
        }
        let mut extensions = Vec::new();
        for (i, f) in m.extension.iter().enumerate() {
            self.path.extend([6, idx(i)]);
            extensions.push(self.field(f, &ig, &full, true));
            self.path.truncate(self.path.len() - 2);
        }
        let mut oneofs = Vec::new();
        for (i, o) in m.oneof_decl.iter().enumerate() {
            self.path.extend([8, idx(i)]);
            let d = self.decl(o.name(), &ig);
            if let Some(opts) = &o.options {
                let oig = d.ignores.clone();
                self.options(2, &opts.uninterpreted_option, &oig);
            }
            self.path.truncate(self.path.len() - 2);
            let members: Vec<&FieldDescriptorProto> = m
                .field
                .iter()
                .filter(|f| f.oneof_index == Some(idx(i)))
                .collect();
            let synthetic = members.len() == 1 && members[0].proto3_optional.unwrap_or(false);
            self.symbols.push((join(&full, o.name()), SymKind::Leaf));
            oneofs.push(LOneof { decl: d, synthetic });
        }
        let mut messages = Vec::new();
        for (i, n) in m.nested_type.iter().enumerate() {
            self.path.extend([3, idx(i)]);
            messages.push(self.message(n, &ig, &full));
            self.path.truncate(self.path.len() - 2);
        }
        let mut enums = Vec::new();
        for (i, e) in m.enum_type.iter().enumerate() {
            self.path.extend([4, idx(i)]);
            enums.push(self.enumeration(e, &ig, &full));
            self.path.truncate(self.path.len() - 2);
        }
        for (i, r) in m.extension_range.iter().enumerate() {
            if let Some(o) = &r.options {
                self.path.extend([5, idx(i)]);
                self.options(3, &o.uninterpreted_option, &ig);
                self.path.truncate(self.path.len() - 2);
            }
        }
        self.scopes.pop();
        LMessage {
            decl,
            map_entry,
            fields,
            oneofs,
            messages,
            enums,
            extensions,
        }
    }

    fn enumeration(
        &mut self,
        e: &EnumDescriptorProto,
        inherited: &IgnoreLines,
        prefix: &str,
    ) -> LEnum {
        let full = join(prefix, e.name());
        let decl = self.decl(e.name(), inherited);
        self.symbols.push((full.clone(), SymKind::Enum));
        let ig = decl.ignores.clone();
        let mut allow_alias = None;
        if let Some(o) = &e.options {
            let opts = self.options(3, &o.uninterpreted_option, &ig);
            allow_alias = opts
                .into_iter()
                .find(|o| o.name == "allow_alias" && o.value == "true");
        }
        let mut values = Vec::new();
        for (i, v) in e.value.iter().enumerate() {
            self.path.extend([2, idx(i)]);
            let d = self.decl(v.name(), &ig);
            let number_span = self.span_rel(&[2]);
            if let Some(o) = &v.options {
                let vig = d.ignores.clone();
                self.options(3, &o.uninterpreted_option, &vig);
            }
            self.path.truncate(self.path.len() - 2);
            // Enum values are siblings of their enum in the namespace.
            self.symbols.push((join(prefix, v.name()), SymKind::Leaf));
            values.push(LEnumValue {
                decl: d,
                number: v.number(),
                number_span,
            });
        }
        LEnum {
            decl,
            allow_alias,
            values,
        }
    }

    fn service(
        &mut self,
        s: &ServiceDescriptorProto,
        inherited: &IgnoreLines,
        prefix: &str,
    ) -> LService {
        let full = join(prefix, s.name());
        let decl = self.decl(s.name(), inherited);
        self.symbols.push((full.clone(), SymKind::Service));
        let ig = decl.ignores.clone();
        if let Some(o) = &s.options {
            self.options(3, &o.uninterpreted_option, &ig);
        }
        self.scopes.push(full.clone());
        let mut methods = Vec::new();
        for (i, m) in s.method.iter().enumerate() {
            self.path.extend([2, idx(i)]);
            let d = self.decl(m.name(), &ig);
            let input_span = self.span_rel(&[2]);
            let output_span = self.span_rel(&[3]);
            if let Some(o) = &m.options {
                let mig = d.ignores.clone();
                self.options(4, &o.uninterpreted_option, &mig);
            }
            let input_ref = self.add_ref(m.input_type(), RefKind::Any);
            let output_ref = self.add_ref(m.output_type(), RefKind::Any);
            self.path.truncate(self.path.len() - 2);
            self.symbols.push((join(&full, m.name()), SymKind::Leaf));
            methods.push(LMethod {
                decl: d,
                input: m.input_type().to_string(),
                output: m.output_type().to_string(),
                input_span,
                output_span,
                client_streaming: m.client_streaming(),
                server_streaming: m.server_streaming(),
                input_ref,
                output_ref,
            });
        }
        self.scopes.pop();
        LService {
            decl,
            full_name: full,
            methods,
        }
    }
}

fn idx(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Trimmed non-empty comment lines that start with `buf:lint:ignore`.
pub(crate) fn ignore_lines(comment: Option<&str>) -> Vec<String> {
    comment
        .into_iter()
        .flat_map(|c| c.lines())
        .map(str::trim)
        .filter(|l| l.starts_with(IGNORE_PREFIX))
        .map(String::from)
        .collect()
}

/// Extension names written as `[pkg.ext]` keys inside a message-literal option value (not `[host/Type]` Any
/// type URLs).
fn literal_extension_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'[' => {
                if let Some(end) = text[i + 1..].find(']') {
                    let inner = text[i + 1..i + 1 + end].trim();
                    let is_name = !inner.is_empty()
                        && inner
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
                    let after = text[i + 1 + end + 1..].trim_start();
                    // `[a.b]: v` or `[a.b] { … }` is an extension key; `[1, 2]` is a list.
                    if is_name
                        && !inner.starts_with(|c: char| c.is_ascii_digit())
                        && (after.starts_with(':')
                            || after.starts_with('{')
                            || after.starts_with('<'))
                    {
                        out.push(inner.to_string());
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Builds the lint model of one parsed file.
pub(crate) fn build(src: &Arc<SourceFile>, fd: &FileDescriptorProto) -> LFile {
    let text: &str = &src.text;
    let mut line_starts = vec![0usize];
    line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let empty: &[SciLocation] = &[];
    let locs = fd
        .source_code_info
        .as_ref()
        .map(|s| s.location.as_slice())
        .unwrap_or(empty);
    let mut cx = Ctx {
        text,
        line_starts,
        locs,
        path: Vec::new(),
        refs: Vec::new(),
        symbols: Vec::new(),
        scopes: Vec::new(),
    };
    let root: IgnoreLines = Arc::from(Vec::<String>::new());
    let package = fd.package.clone().unwrap_or_default();
    let package_span = cx.span_at(&[2]);
    let package_ignores: IgnoreLines = ignore_lines(cx.leading_at(&[2]).as_deref()).into();
    let syntax_span = cx.span_at(&[12]);
    let imports = fd
        .dependency
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let p = [3, idx(i)];
            LImport {
                path: d.clone(),
                span: cx.span_at(&p),
                public: fd.public_dependency.contains(&idx(i)),
                ignores: ignore_lines(cx.leading_at(&p).as_deref()).into(),
            }
        })
        .collect();
    let options = match &fd.options {
        Some(o) => {
            // File options take their ignores from their own statement only.
            cx.options(8, &o.uninterpreted_option, &root)
        }
        None => Vec::new(),
    };
    let mut messages = Vec::new();
    for (i, m) in fd.message_type.iter().enumerate() {
        cx.path = vec![4, idx(i)];
        messages.push(cx.message(m, &root, &package));
    }
    let mut enums = Vec::new();
    for (i, e) in fd.enum_type.iter().enumerate() {
        cx.path = vec![5, idx(i)];
        enums.push(cx.enumeration(e, &root, &package));
    }
    let mut services = Vec::new();
    for (i, s) in fd.service.iter().enumerate() {
        cx.path = vec![6, idx(i)];
        services.push(cx.service(s, &root, &package));
    }
    let mut extensions = Vec::new();
    for (i, f) in fd.extension.iter().enumerate() {
        cx.path = vec![7, idx(i)];
        extensions.push(cx.field(f, &root, &package, true));
    }
    LFile {
        src: Arc::clone(src),
        path: src.path.clone(),
        package,
        package_span,
        package_ignores,
        syntax_span,
        imports,
        options,
        messages,
        enums,
        services,
        extensions,
        refs: cx.refs,
        symbols: cx.symbols,
    }
}
