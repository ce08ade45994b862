//! Declarations of the JSON Schema rules: every Confluent `Difference.Type` under its exact name, with its
//! STRICT and LENIENT verdicts (`SchemaDiff.COMPATIBLE_CHANGES_STRICT` / `_LENIENT`), plus
//! `UNRESOLVED_REFERENCE`. The table below follows the verdict table of the Confluent reference (§4.4) in
//! Confluent's declaration order; verdicts change here, never in the walk. Detection lives in `compat.rs`.

use crate::finding::{Category, Format, Severity};
use crate::rules::Rule;

macro_rules! difference_types {
    ($( $id:ident, $strict:literal, $lenient:literal, $summary:literal; )*) => {
        $(
            pub static $id: Rule = Rule {
                id: stringify!($id),
                category: Category::Compatibility,
                severity: if $strict { Severity::Info } else { Severity::Error },
                formats: &[Format::JsonSchema],
                summary: $summary,
                doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", stringify!($id), ".md")),
            };
        )*

        /// Every `Difference.Type`, in Confluent's declaration order.
        pub(crate) static DIFFERENCE_TYPES: &[&Rule] = &[$(&$id),*];

        /// (compatible under STRICT, compatible under LENIENT) for a `Difference.Type` id.
        pub(crate) fn verdict(id: &str) -> Option<(bool, bool)> {
            match id {
                $( stringify!($id) => Some(($strict, $lenient)), )*
                _ => None,
            }
        }
    };
}

difference_types! {
    ID_CHANGED, true, true, "the `$id` of a schema changed";
    DESCRIPTION_CHANGED, true, true, "the `description` of a schema changed";
    TITLE_CHANGED, true, true, "the `title` of a schema changed";
    DEFAULT_CHANGED, true, true, "the `default` of a schema changed";
    SCHEMA_ADDED, false, false, "a subschema (such as `items`) was added where there was none";
    SCHEMA_REMOVED, true, true, "a subschema (such as `items`) was removed";
    TYPE_EXTENDED, true, true, "`integer` widened to `number`";
    TYPE_NARROWED, false, false, "`number` narrowed to `integer`";
    TYPE_CHANGED, false, false, "a schema changed to a different type";
    MAX_LENGTH_ADDED, false, false, "`maxLength` added";
    MAX_LENGTH_REMOVED, true, true, "`maxLength` removed";
    MAX_LENGTH_INCREASED, true, true, "`maxLength` increased";
    MAX_LENGTH_DECREASED, false, false, "`maxLength` decreased";
    MIN_LENGTH_ADDED, false, false, "`minLength` added";
    MIN_LENGTH_REMOVED, true, true, "`minLength` removed";
    MIN_LENGTH_INCREASED, false, false, "`minLength` increased";
    MIN_LENGTH_DECREASED, true, true, "`minLength` decreased";
    PATTERN_ADDED, false, false, "`pattern` added";
    PATTERN_REMOVED, true, true, "`pattern` removed";
    PATTERN_CHANGED, false, false, "`pattern` changed";
    MAXIMUM_ADDED, false, false, "`maximum` added";
    MAXIMUM_REMOVED, true, true, "`maximum` removed";
    MAXIMUM_INCREASED, true, true, "`maximum` increased";
    MAXIMUM_DECREASED, false, false, "`maximum` decreased";
    MINIMUM_ADDED, false, false, "`minimum` added";
    MINIMUM_REMOVED, true, true, "`minimum` removed";
    MINIMUM_INCREASED, false, false, "`minimum` increased";
    MINIMUM_DECREASED, true, true, "`minimum` decreased";
    EXCLUSIVE_MAXIMUM_ADDED, false, false, "`exclusiveMaximum` added";
    EXCLUSIVE_MAXIMUM_REMOVED, true, true, "`exclusiveMaximum` removed";
    EXCLUSIVE_MAXIMUM_INCREASED, true, true, "`exclusiveMaximum` increased";
    EXCLUSIVE_MAXIMUM_DECREASED, false, false, "`exclusiveMaximum` decreased";
    EXCLUSIVE_MINIMUM_ADDED, false, false, "`exclusiveMinimum` added";
    EXCLUSIVE_MINIMUM_REMOVED, true, true, "`exclusiveMinimum` removed";
    EXCLUSIVE_MINIMUM_INCREASED, false, false, "`exclusiveMinimum` increased";
    EXCLUSIVE_MINIMUM_DECREASED, true, true, "`exclusiveMinimum` decreased";
    MULTIPLE_OF_ADDED, false, false, "`multipleOf` added";
    MULTIPLE_OF_REMOVED, true, true, "`multipleOf` removed";
    MULTIPLE_OF_EXPANDED, false, false, "`multipleOf` changed to a multiple of the old value";
    MULTIPLE_OF_REDUCED, true, true, "`multipleOf` changed to a divisor of the old value";
    MULTIPLE_OF_CHANGED, false, false, "`multipleOf` changed";
    REQUIRED_ATTRIBUTE_ADDED, false, false, "an existing property became required, without a default";
    REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED, true, true, "an existing property with a default became required";
    REQUIRED_ATTRIBUTE_REMOVED, true, true, "a property is no longer required";
    MAX_PROPERTIES_ADDED, false, false, "`maxProperties` added";
    MAX_PROPERTIES_REMOVED, true, true, "`maxProperties` removed";
    MAX_PROPERTIES_INCREASED, true, true, "`maxProperties` increased";
    MAX_PROPERTIES_DECREASED, false, false, "`maxProperties` decreased";
    MIN_PROPERTIES_ADDED, false, false, "`minProperties` added";
    MIN_PROPERTIES_REMOVED, true, true, "`minProperties` removed";
    MIN_PROPERTIES_INCREASED, false, false, "`minProperties` increased";
    MIN_PROPERTIES_DECREASED, true, true, "`minProperties` decreased";
    ADDITIONAL_PROPERTIES_ADDED, true, true, "`additionalProperties: false` was lifted";
    ADDITIONAL_PROPERTIES_REMOVED, false, true, "`additionalProperties: false` was set on a model that allowed extra properties";
    ADDITIONAL_PROPERTIES_EXTENDED, true, true, "an `additionalProperties` schema was removed (any value allowed again)";
    ADDITIONAL_PROPERTIES_NARROWED, false, true, "an `additionalProperties` schema now constrains extra properties";
    DEPENDENCY_ARRAY_ADDED, false, false, "a property dependency (`dependencies`/`dependentRequired`) was added";
    DEPENDENCY_ARRAY_REMOVED, true, true, "a property dependency was removed";
    DEPENDENCY_ARRAY_EXTENDED, false, false, "a property dependency lists more properties";
    DEPENDENCY_ARRAY_NARROWED, true, true, "a property dependency lists fewer properties";
    DEPENDENCY_ARRAY_CHANGED, false, false, "a property dependency lists different properties";
    DEPENDENCY_SCHEMA_ADDED, false, false, "a schema dependency (`dependencies`/`dependentSchemas`) was added";
    DEPENDENCY_SCHEMA_REMOVED, true, true, "a schema dependency was removed";
    PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, false, false, "a property added to an open content model (Confluent 7.x name; never emitted by 8.x)";
    REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, false, false, "a required property without default added to an open content model";
    REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL, false, true, "a required property with a default added to an open content model";
    OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL, false, true, "an optional property added to an open content model";
    PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, true, true, "a property with an empty schema (`{}`/`true`) added to an open content model";
    REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, false, false, "a required property without default added to a closed or partially open content model";
    REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL, true, true, "a required property with a default added to a closed or partially open content model";
    OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL, true, true, "an optional property added to a closed or partially open content model";
    PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL, true, true, "a property removed from a schema whose new version has an open content model";
    PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, true, true, "a property declared `false` removed from a closed content model";
    PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL, false, true, "a property removed from a closed content model";
    PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, true, true, "a removed property is still accepted by the partially open content model";
    PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, false, true, "a removed property is not accepted by the partially open content model";
    PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, true, true, "an added property is compatible with the old partially open content model";
    PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, false, true, "an added property is not compatible with the old partially open content model";
    RESERVED_PROPERTY_REMOVED, false, false, "a reserved property was removed from the metadata (declared by Confluent, never emitted by the diff)";
    RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY, false, false, "a property conflicts with a reserved property (declared by Confluent, never emitted by the diff)";
    UNEVALUATED_PROPERTIES_ADDED, true, true, "`unevaluatedProperties: false` was lifted";
    UNEVALUATED_PROPERTIES_REMOVED, false, true, "`unevaluatedProperties: false` was set";
    UNEVALUATED_PROPERTIES_EXTENDED, true, true, "an `unevaluatedProperties` schema was relaxed or removed";
    UNEVALUATED_PROPERTIES_NARROWED, false, true, "an `unevaluatedProperties` schema now constrains unevaluated properties";
    MAX_ITEMS_ADDED, false, false, "`maxItems` added";
    MAX_ITEMS_REMOVED, true, true, "`maxItems` removed";
    MAX_ITEMS_INCREASED, true, true, "`maxItems` increased";
    MAX_ITEMS_DECREASED, false, false, "`maxItems` decreased";
    MIN_ITEMS_ADDED, false, false, "`minItems` added";
    MIN_ITEMS_REMOVED, true, true, "`minItems` removed";
    MIN_ITEMS_INCREASED, false, false, "`minItems` increased";
    MIN_ITEMS_DECREASED, true, true, "`minItems` decreased";
    MAX_CONTAINS_ADDED, false, false, "`maxContains` added";
    MAX_CONTAINS_REMOVED, true, true, "`maxContains` removed";
    MAX_CONTAINS_INCREASED, true, true, "`maxContains` increased";
    MAX_CONTAINS_DECREASED, false, false, "`maxContains` decreased";
    MIN_CONTAINS_ADDED, false, false, "`minContains` added";
    MIN_CONTAINS_REMOVED, true, true, "`minContains` removed";
    MIN_CONTAINS_INCREASED, false, false, "`minContains` increased";
    MIN_CONTAINS_DECREASED, true, true, "`minContains` decreased";
    UNIQUE_ITEMS_ADDED, false, false, "`uniqueItems` added";
    UNIQUE_ITEMS_REMOVED, true, true, "`uniqueItems` removed";
    ADDITIONAL_ITEMS_ADDED, true, true, "`additionalItems: false` was lifted";
    ADDITIONAL_ITEMS_REMOVED, false, false, "`additionalItems: false` was set on a tuple that allowed extra items";
    ADDITIONAL_ITEMS_EXTENDED, true, true, "an `additionalItems` schema was removed";
    ADDITIONAL_ITEMS_NARROWED, false, false, "an `additionalItems` schema now constrains extra items";
    UNEVALUATED_ITEMS_ADDED, true, true, "`unevaluatedItems: false` was lifted";
    UNEVALUATED_ITEMS_REMOVED, false, false, "`unevaluatedItems: false` was set";
    UNEVALUATED_ITEMS_EXTENDED, true, true, "an `unevaluatedItems` schema was relaxed or removed";
    UNEVALUATED_ITEMS_NARROWED, false, false, "an `unevaluatedItems` schema now constrains unevaluated items";
    ITEM_ADDED_TO_OPEN_CONTENT_MODEL, false, false, "a tuple item added where the old tuple was open";
    ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL, true, true, "a tuple item with an empty schema added where the old tuple was open";
    ITEM_ADDED_TO_CLOSED_CONTENT_MODEL, true, true, "a tuple item added where the old tuple was closed";
    ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL, true, true, "a tuple item removed; the new tuple is open";
    ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL, true, true, "a tuple item declared `false` removed from a closed tuple";
    ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL, false, false, "a tuple item removed from a closed tuple";
    ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, true, true, "a removed tuple item is still accepted by `additionalItems`/`unevaluatedItems`";
    ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, false, false, "a removed tuple item is not accepted by `additionalItems`/`unevaluatedItems`";
    ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, true, true, "an added tuple item is compatible with the old `additionalItems`/`unevaluatedItems` schema";
    ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL, false, false, "an added tuple item is not compatible with the old `additionalItems`/`unevaluatedItems` schema";
    ENUM_ARRAY_EXTENDED, true, true, "an `enum` gained values";
    ENUM_ARRAY_NARROWED, false, false, "an `enum` lost values";
    ENUM_ARRAY_CHANGED, false, false, "an `enum` or `const` changed its values";
    COMBINED_TYPE_EXTENDED, true, true, "a combined schema moved to a more permissive criterion (e.g. `oneOf` to `anyOf`)";
    COMBINED_TYPE_CHANGED, false, false, "a combined schema changed its criterion (`allOf`/`anyOf`/`oneOf`) incompatibly";
    PRODUCT_TYPE_EXTENDED, false, false, "an `allOf` gained subschemas";
    PRODUCT_TYPE_NARROWED, true, true, "an `allOf` lost subschemas";
    SUM_TYPE_EXTENDED, true, true, "an `anyOf`/`oneOf` (or type array) gained alternatives";
    SUM_TYPE_NARROWED, false, false, "an `anyOf`/`oneOf` (or type array) lost alternatives";
    COMBINED_TYPE_SUBSCHEMAS_CHANGED, false, false, "the subschemas of a combined schema cannot all be matched to compatible ones";
    NOT_TYPE_EXTENDED, false, false, "a `not` schema forbids more than before";
    NOT_TYPE_NARROWED, true, true, "a `not` schema forbids less than before";
}

pub static UNRESOLVED_REFERENCE: Rule = Rule {
    id: "UNRESOLVED_REFERENCE",
    category: Category::Input,
    severity: Severity::Warning,
    formats: &[Format::JsonSchema],
    summary: "a `$ref` could not be resolved, so the comparison below it is incomplete",
    doc: crate::rule_doc!("UNRESOLVED_REFERENCE"),
};
