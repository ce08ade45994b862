//! Declarations of every Protobuf rule id: buf's breaking rules (category `Breaking`) and Confluent's 26
//! protobuf `Difference.Type` values (category `Compatibility`; compatible types default to `Info`). Each has
//! `rules/<ID>.md`. Detection lives in `breaking/` and `compat.rs`. buf's lint (style) rules are declared with
//! the lint framework's rule set in `lint/set.rs`.

use crate::finding::{Category, Format, Severity};
use crate::rules::Rule;

macro_rules! proto_rules {
    ($($name:ident, $cat:ident, $sev:ident, $summary:literal;)*) => {
        $(pub static $name: Rule = Rule {
            id: stringify!($name),
            category: Category::$cat,
            severity: Severity::$sev,
            formats: &[Format::Protobuf],
            summary: $summary,
            doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", stringify!($name), ".md")),
        };)*
        /// Every Protobuf rule, sorted by id.
        pub static RULES: &[&Rule] = &[$(&$name),*];
    };
}

proto_rules! {
    ENUM_ADDED, Compatibility, Info, "an enum exists only in the new schema";
    ENUM_CONST_ADDED, Compatibility, Info, "an enum number exists only in the new schema";
    ENUM_CONST_CHANGED, Compatibility, Info, "an enum number has a different name";
    ENUM_CONST_REMOVED, Compatibility, Info, "an enum number of the old schema is missing from the new one";
    ENUM_NO_DELETE, Breaking, Error, "enums are not deleted from a given file";
    ENUM_REMOVED, Compatibility, Info, "an enum of the old schema is missing from the new one";
    ENUM_SAME_JSON_FORMAT, Breaking, Error, "enums keep the same JSON format support";
    ENUM_SAME_TYPE, Breaking, Error, "enums keep the same type (open vs closed)";
    ENUM_VALUE_NO_DELETE, Breaking, Error, "enum values are not deleted from a given enum";
    ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED, Breaking, Error, "enum values are not deleted unless their name is reserved";
    ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED, Breaking, Error, "enum values are not deleted unless their number is reserved";
    ENUM_VALUE_SAME_NAME, Breaking, Error, "enum values keep the same name";
    EXTENSION_MESSAGE_NO_DELETE, Breaking, Error, "extension ranges are not deleted from a given message";
    EXTENSION_NO_DELETE, Breaking, Error, "extensions are not deleted from a given file";
    FIELD_ADDED, Compatibility, Info, "a non-required field exists only in the new schema";
    FIELD_KIND_CHANGED, Compatibility, Error, "a field changed kind (scalar, message, map)";
    FIELD_MOVED_TO_EXISTING_ONEOF, Compatibility, Error, "a oneof mixes members from different original groups";
    FIELD_NAMED_TYPE_CHANGED, Compatibility, Error, "a message-typed field refers to a different or incompatible message";
    FIELD_NAME_CHANGED, Compatibility, Info, "a field number has a different name";
    FIELD_NO_DELETE, Breaking, Error, "fields are not deleted from a given message";
    FIELD_NO_DELETE_UNLESS_NAME_RESERVED, Breaking, Error, "fields are not deleted unless their name is reserved";
    FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED, Breaking, Error, "fields are not deleted unless their number is reserved";
    FIELD_NUMERIC_LABEL_CHANGED, Compatibility, Error, "a numeric field changed label (optional, repeated, required)";
    FIELD_REMOVED, Compatibility, Info, "a non-required field of the old schema is missing from the new one";
    FIELD_SAME_CARDINALITY, Breaking, Error, "fields keep the same cardinality";
    FIELD_SAME_CPP_STRING_TYPE, Breaking, Error, "string and bytes fields keep the same C++ string type (ctype)";
    FIELD_SAME_DEFAULT, Breaking, Error, "fields keep the same default value, if a default is specified";
    FIELD_SAME_JAVA_UTF8_VALIDATION, Breaking, Error, "string fields keep the same Java UTF-8 validation (java_string_check_utf8)";
    FIELD_SAME_JSON_NAME, Breaking, Error, "fields keep the same json_name";
    FIELD_SAME_JSTYPE, Breaking, Error, "64-bit integer fields keep the same jstype option";
    FIELD_SAME_NAME, Breaking, Error, "fields keep the same name";
    FIELD_SAME_ONEOF, Breaking, Error, "fields stay in the same oneof";
    FIELD_SAME_TYPE, Breaking, Error, "fields keep the same type";
    FIELD_SAME_UTF8_VALIDATION, Breaking, Error, "string fields keep the same UTF-8 validation mode";
    FIELD_SCALAR_KIND_CHANGED, Compatibility, Error, "a scalar field changed to a type outside its compatibility group";
    FIELD_STRING_OR_BYTES_LABEL_CHANGED, Compatibility, Info, "a string or bytes field changed label";
    FIELD_WIRE_COMPATIBLE_CARDINALITY, Breaking, Error, "fields keep a wire-compatible cardinality";
    FIELD_WIRE_COMPATIBLE_TYPE, Breaking, Error, "fields keep a wire-compatible type";
    FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY, Breaking, Error, "fields keep a wire- and JSON-compatible cardinality";
    FIELD_WIRE_JSON_COMPATIBLE_TYPE, Breaking, Error, "fields keep a wire- and JSON-compatible type";
    FILE_NO_DELETE, Breaking, Error, "files are not deleted";
    FILE_SAME_CC_ENABLE_ARENAS, Breaking, Error, "files keep the same cc_enable_arenas option";
    FILE_SAME_CC_GENERIC_SERVICES, Breaking, Error, "files keep the same cc_generic_services option";
    FILE_SAME_CSHARP_NAMESPACE, Breaking, Error, "files keep the same csharp_namespace option";
    FILE_SAME_GO_PACKAGE, Breaking, Error, "files keep the same go_package option";
    FILE_SAME_JAVA_GENERIC_SERVICES, Breaking, Error, "files keep the same java_generic_services option";
    FILE_SAME_JAVA_MULTIPLE_FILES, Breaking, Error, "files keep the same java_multiple_files option";
    FILE_SAME_JAVA_OUTER_CLASSNAME, Breaking, Error, "files keep the same java_outer_classname option";
    FILE_SAME_JAVA_PACKAGE, Breaking, Error, "files keep the same java_package option";
    FILE_SAME_OBJC_CLASS_PREFIX, Breaking, Error, "files keep the same objc_class_prefix option";
    FILE_SAME_OPTIMIZE_FOR, Breaking, Error, "files keep the same optimize_for option";
    FILE_SAME_PACKAGE, Breaking, Error, "files keep the same package";
    FILE_SAME_PHP_CLASS_PREFIX, Breaking, Error, "files keep the same php_class_prefix option";
    FILE_SAME_PHP_METADATA_NAMESPACE, Breaking, Error, "files keep the same php_metadata_namespace option";
    FILE_SAME_PHP_NAMESPACE, Breaking, Error, "files keep the same php_namespace option";
    FILE_SAME_PY_GENERIC_SERVICES, Breaking, Error, "files keep the same py_generic_services option";
    FILE_SAME_RUBY_PACKAGE, Breaking, Error, "files keep the same ruby_package option";
    FILE_SAME_SWIFT_PREFIX, Breaking, Error, "files keep the same swift_prefix option";
    FILE_SAME_SYNTAX, Breaking, Error, "files keep the same syntax";
    MESSAGE_ADDED, Compatibility, Info, "a message exists only in the new schema";
    MESSAGE_MOVED, Compatibility, Info, "a message changed its position (message index)";
    MESSAGE_NO_DELETE, Breaking, Error, "messages are not deleted from a given file";
    MESSAGE_NO_REMOVE_STANDARD_DESCRIPTOR_ACCESSOR, Breaking, Error, "messages do not turn no_standard_descriptor_accessor on";
    MESSAGE_REMOVED, Compatibility, Error, "a message of the old schema is missing from the new one";
    MESSAGE_SAME_JSON_FORMAT, Breaking, Error, "messages keep the same JSON format support";
    MESSAGE_SAME_REQUIRED_FIELDS, Breaking, Error, "messages have no added or deleted required fields";
    MULTIPLE_FIELDS_MOVED_TO_ONEOF, Compatibility, Error, "a new oneof groups two or more previously top-level fields";
    ONEOF_ADDED, Compatibility, Info, "a oneof exists only in the new schema";
    ONEOF_FIELD_ADDED, Compatibility, Info, "a new field number was added inside a oneof";
    ONEOF_FIELD_MOVED_TO_TOP_LEVEL, Compatibility, Info, "a oneof member moved to the top level of its message";
    ONEOF_FIELD_REMOVED, Compatibility, Error, "a member of a surviving oneof disappeared";
    ONEOF_NO_DELETE, Breaking, Error, "oneofs are not deleted from a given message";
    ONEOF_REMOVED, Compatibility, Info, "a oneof of the old schema is missing from the new one";
    PACKAGE_CHANGED, Compatibility, Error, "the package of a schema changed";
    PACKAGE_ENUM_NO_DELETE, Breaking, Error, "enums are not deleted from a given package";
    PACKAGE_EXTENSION_NO_DELETE, Breaking, Error, "extensions are not deleted from a given package";
    PACKAGE_MESSAGE_NO_DELETE, Breaking, Error, "messages are not deleted from a given package";
    PACKAGE_NO_DELETE, Breaking, Error, "packages are not deleted";
    PACKAGE_SERVICE_NO_DELETE, Breaking, Error, "services are not deleted from a given package";
    REQUIRED_FIELD_ADDED, Compatibility, Error, "a required field exists only in the new schema";
    REQUIRED_FIELD_REMOVED, Compatibility, Error, "a required field of the old schema is missing from the new one";
    RESERVED_ENUM_NO_DELETE, Breaking, Error, "reserved ranges and names are not deleted from a given enum";
    RESERVED_MESSAGE_NO_DELETE, Breaking, Error, "reserved ranges and names are not deleted from a given message";
    RPC_NO_DELETE, Breaking, Error, "rpcs are not deleted from a given service";
    RPC_SAME_CLIENT_STREAMING, Breaking, Error, "rpcs keep the same client streaming value";
    RPC_SAME_IDEMPOTENCY_LEVEL, Breaking, Error, "rpcs keep the same idempotency_level option";
    RPC_SAME_REQUEST_TYPE, Breaking, Error, "rpcs keep the same request type";
    RPC_SAME_RESPONSE_TYPE, Breaking, Error, "rpcs keep the same response type";
    RPC_SAME_SERVER_STREAMING, Breaking, Error, "rpcs keep the same server streaming value";
    SERVICE_NO_DELETE, Breaking, Error, "services are not deleted from a given file";
}
