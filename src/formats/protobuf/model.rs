//! The compact Protobuf model the checks read: one `PFile` per compiled `.proto` file, with every message, field,
//! enum, service and option the buf rules and Confluent's diff look at, each with byte spans into its
//! `SourceFile` and the inline ignores (`// schemaguard:ignore RULE_ID`) that apply to it. Built by `lower.rs`
//! from protox descriptors; the descriptors themselves are dropped right after, which keeps memory small.

use std::ops::Range;
use std::sync::Arc;

use crate::source::SourceFile;

pub(crate) type Span = Range<usize>;

/// Rule ids suppressed on an element by `schemaguard:ignore` comments (own and inherited from its parents).
pub(crate) type Ignores = Arc<[String]>;

#[derive(Debug, Clone, Default)]
pub(crate) struct FileOpts {
    pub java_package: Option<String>,
    pub java_outer_classname: Option<String>,
    pub java_multiple_files: Option<bool>,
    pub java_generic_services: Option<bool>,
    pub java_string_check_utf8: Option<bool>,
    pub go_package: Option<String>,
    pub cc_generic_services: Option<bool>,
    pub py_generic_services: Option<bool>,
    pub cc_enable_arenas: Option<bool>,
    pub objc_class_prefix: Option<String>,
    pub csharp_namespace: Option<String>,
    pub swift_prefix: Option<String>,
    pub php_class_prefix: Option<String>,
    pub php_namespace: Option<String>,
    pub php_metadata_namespace: Option<String>,
    pub ruby_package: Option<String>,
    /// 1 SPEED, 2 CODE_SIZE, 3 LITE_RUNTIME.
    pub optimize_for: Option<i32>,
}

#[derive(Debug)]
pub(crate) struct PFile {
    pub src: Arc<SourceFile>,
    pub path: String,
    pub package: String,
    /// "proto2" or "proto3" (an absent `syntax` is proto2).
    pub syntax: String,
    pub syntax_span: Option<Span>,
    pub package_span: Option<Span>,
    pub opts: FileOpts,
    /// Span of each file option by its field number in `FileOptions`.
    pub opt_spans: Vec<(i32, Span)>,
    pub messages: Vec<PMessage>,
    pub enums: Vec<PEnum>,
    pub services: Vec<PService>,
    pub extensions: Vec<PField>,
    pub ignores: Ignores,
}

impl PFile {
    pub fn opt_span(&self, number: i32) -> Option<Span> {
        self.opt_spans
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, s)| s.clone())
    }
    /// The span that names the file: its `package` statement, else `syntax`, else the first line.
    pub fn head_span(&self) -> Span {
        self.package_span
            .clone()
            .or_else(|| self.syntax_span.clone())
            .unwrap_or(0..0)
    }
}

#[derive(Debug)]
pub(crate) struct POneof {
    pub name: String,
    pub synthetic: bool,
    pub span: Span,
}

#[derive(Debug)]
pub(crate) struct PMessage {
    /// Fully-qualified name without leading dot (`acme.v1.Order.Item`).
    pub full_name: String,
    /// Name inside the package (`Order.Item`).
    pub nested_name: String,
    pub name: String,
    pub span: Span,
    pub fields: Vec<PField>,
    pub oneofs: Vec<POneof>,
    /// Reserved number ranges, end exclusive (as in `DescriptorProto`).
    pub reserved_ranges: Vec<(i32, i32, Span)>,
    pub reserved_names: Vec<(String, Span)>,
    pub extension_ranges: Vec<(i32, i32, Span)>,
    pub map_entry: bool,
    pub no_standard_descriptor_accessor: bool,
    pub nsda_span: Option<Span>,
    pub message_set_wire_format: bool,
    pub proto3: bool,
    pub ignores: Ignores,
}

#[derive(Debug, Clone)]
pub(crate) struct PField {
    pub name: String,
    /// Full name (for extensions: `pkg.ext_name`).
    pub full_name: String,
    pub number: i32,
    /// 1 optional, 2 required, 3 repeated.
    pub label: i32,
    /// `FieldDescriptorProto.Type` number.
    pub ty: i32,
    /// Resolved type name without leading dot, for message/enum/group fields.
    pub type_name: String,
    pub json_name: String,
    pub default: Option<String>,
    pub oneof: Option<String>,
    pub oneof_synthetic: bool,
    pub proto3_optional: bool,
    /// The field's message type is a map entry.
    pub is_map: bool,
    /// For enum-typed fields: short name of the enum and its values, for buf's enum subset check.
    pub enum_short: Option<String>,
    pub enum_values: Vec<(i32, String)>,
    pub extendee: Option<String>,
    pub ctype: Option<i32>,
    pub jstype: Option<i32>,
    pub proto3: bool,
    pub span: Span,
    pub name_span: Option<Span>,
    pub type_span: Option<Span>,
    pub type_name_span: Option<Span>,
    pub default_span: Option<Span>,
    pub json_name_span: Option<Span>,
    pub ctype_span: Option<Span>,
    pub jstype_span: Option<Span>,
    /// The label token was written in the source (Confluent compares labels only then).
    pub explicit_label: bool,
    pub ignores: Ignores,
}

#[derive(Debug)]
pub(crate) struct PEnumValue {
    pub name: String,
    pub number: i32,
    pub span: Span,
    pub number_span: Option<Span>,
    pub ignores: Ignores,
}

#[derive(Debug)]
pub(crate) struct PEnum {
    pub full_name: String,
    pub nested_name: String,
    pub name: String,
    pub span: Span,
    pub values: Vec<PEnumValue>,
    /// Reserved ranges, end inclusive (as in `EnumDescriptorProto`).
    pub reserved_ranges: Vec<(i32, i32, Span)>,
    pub reserved_names: Vec<(String, Span)>,
    pub closed: bool,
    pub ignores: Ignores,
}

#[derive(Debug)]
pub(crate) struct PMethod {
    pub name: String,
    pub input: String,
    pub output: String,
    pub client_streaming: bool,
    pub server_streaming: bool,
    /// 0 unknown, 1 no side effects, 2 idempotent.
    pub idempotency: i32,
    pub span: Span,
    pub input_span: Option<Span>,
    pub output_span: Option<Span>,
    pub idempotency_span: Option<Span>,
    pub ignores: Ignores,
}

#[derive(Debug)]
pub(crate) struct PService {
    pub full_name: String,
    pub name: String,
    pub span: Span,
    pub methods: Vec<PMethod>,
    pub ignores: Ignores,
}

/// Scalar type names as written in `.proto` files, by `FieldDescriptorProto.Type` number.
pub(crate) fn type_str(ty: i32) -> &'static str {
    match ty {
        1 => "double",
        2 => "float",
        3 => "int64",
        4 => "uint64",
        5 => "int32",
        6 => "fixed64",
        7 => "fixed32",
        8 => "bool",
        9 => "string",
        10 => "group",
        11 => "message",
        12 => "bytes",
        13 => "uint32",
        14 => "enum",
        15 => "sfixed32",
        16 => "sfixed64",
        17 => "sint32",
        18 => "sint64",
        _ => "unknown",
    }
}

pub(crate) const TYPE_GROUP: i32 = 10;
pub(crate) const TYPE_MESSAGE: i32 = 11;
pub(crate) const TYPE_ENUM: i32 = 14;
pub(crate) const LABEL_REQUIRED: i32 = 2;
pub(crate) const LABEL_REPEATED: i32 = 3;
