//! buf's lint rules as a rule set of the lint framework (`crate::lint`): the declarations (registry `Rule` plus
//! buf's categories as groups) and the entry point that runs them on a loaded snapshot's Protobuf files. Selection,
//! severities, `ignore` and `ignore_only` are applied by the framework; buf's knobs are `[lint]` keys.

use crate::finding::{Finding, Format};
use crate::lint::{Input, LintCx, LintRule, RuleSet};
use crate::rules::Rule;

macro_rules! buf_lint_rules {
    ($($name:ident, [$($group:literal),*], $summary:literal;)*) => {
        $(pub static $name: LintRule = LintRule {
            rule: Rule {
                id: stringify!($name),
                category: crate::finding::Category::Lint,
                severity: crate::finding::Severity::Error,
                formats: &[Format::Protobuf],
                summary: $summary,
                doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", stringify!($name), ".md")),
            },
            groups: &[$($group),*],
            options: &[],
            events_only: false,
        };)*
        /// Every buf lint rule.
        pub static RULES: &[&LintRule] = &[$(&$name),*];
    };
}

buf_lint_rules! {
    COMMENT_ENUM, ["COMMENTS"], "enums have non-empty comments";
    COMMENT_ENUM_VALUE, ["COMMENTS"], "enum values have non-empty comments";
    COMMENT_FIELD, ["COMMENTS"], "fields have non-empty comments";
    COMMENT_MESSAGE, ["COMMENTS"], "messages have non-empty comments";
    COMMENT_ONEOF, ["COMMENTS"], "oneofs have non-empty comments";
    COMMENT_RPC, ["COMMENTS"], "rpcs have non-empty comments";
    COMMENT_SERVICE, ["COMMENTS"], "services have non-empty comments";
    DIRECTORY_SAME_PACKAGE, ["MINIMAL", "BASIC", "STANDARD", "DEFAULT"], "all files in a given directory are in the same package";
    ENUM_FIRST_VALUE_ZERO, ["BASIC", "STANDARD", "DEFAULT"], "the first value of every enum has the number 0";
    ENUM_NO_ALLOW_ALIAS, ["BASIC", "STANDARD", "DEFAULT"], "enums do not set the allow_alias option";
    ENUM_PASCAL_CASE, ["BASIC", "STANDARD", "DEFAULT"], "enum names are PascalCase";
    ENUM_VALUE_PREFIX, ["STANDARD", "DEFAULT"], "enum values are prefixed with ENUM_NAME_UPPER_SNAKE_CASE";
    ENUM_VALUE_UPPER_SNAKE_CASE, ["BASIC", "STANDARD", "DEFAULT"], "enum values are UPPER_SNAKE_CASE";
    ENUM_ZERO_VALUE_SUFFIX, ["STANDARD", "DEFAULT"], "enum zero values have a consistent suffix (default `_UNSPECIFIED`)";
    FIELD_LOWER_SNAKE_CASE, ["BASIC", "STANDARD", "DEFAULT"], "field names are lower_snake_case";
    FIELD_NOT_REQUIRED, ["BASIC", "STANDARD", "DEFAULT"], "fields are not configured to be required";
    FILE_LOWER_SNAKE_CASE, ["STANDARD", "DEFAULT"], "file names are lower_snake_case";
    IMPORT_NO_PUBLIC, ["BASIC", "STANDARD", "DEFAULT"], "imports are not public";
    IMPORT_USED, ["BASIC", "STANDARD", "DEFAULT"], "imports are used";
    MESSAGE_PASCAL_CASE, ["BASIC", "STANDARD", "DEFAULT"], "message names are PascalCase";
    ONEOF_LOWER_SNAKE_CASE, ["BASIC", "STANDARD", "DEFAULT"], "oneof names are lower_snake_case";
    PACKAGE_DEFINED, ["MINIMAL", "BASIC", "STANDARD", "DEFAULT"], "every file has a package";
    PACKAGE_DIRECTORY_MATCH, ["MINIMAL", "BASIC", "STANDARD", "DEFAULT"], "files are in a directory that matches their package";
    PACKAGE_LOWER_SNAKE_CASE, ["BASIC", "STANDARD", "DEFAULT"], "packages are lower_snake.case";
    PACKAGE_NO_IMPORT_CYCLE, ["MINIMAL", "BASIC", "STANDARD", "DEFAULT"], "packages do not import each other in a cycle";
    PACKAGE_SAME_CSHARP_NAMESPACE, ["BASIC", "STANDARD", "DEFAULT"], "all files of a package have the same csharp_namespace option";
    PACKAGE_SAME_DIRECTORY, ["MINIMAL", "BASIC", "STANDARD", "DEFAULT"], "all files of a package are in the same directory";
    PACKAGE_SAME_GO_PACKAGE, ["BASIC", "STANDARD", "DEFAULT"], "all files of a package have the same go_package option";
    PACKAGE_SAME_JAVA_MULTIPLE_FILES, ["BASIC", "STANDARD", "DEFAULT"], "all files of a package have the same java_multiple_files option";
    PACKAGE_SAME_JAVA_PACKAGE, ["BASIC", "STANDARD", "DEFAULT"], "all files of a package have the same java_package option";
    PACKAGE_SAME_PHP_NAMESPACE, ["BASIC", "STANDARD", "DEFAULT"], "all files of a package have the same php_namespace option";
    PACKAGE_SAME_RUBY_PACKAGE, ["BASIC", "STANDARD", "DEFAULT"], "all files of a package have the same ruby_package option";
    PACKAGE_SAME_SWIFT_PREFIX, ["BASIC", "STANDARD", "DEFAULT"], "all files of a package have the same swift_prefix option";
    PACKAGE_VERSION_SUFFIX, ["STANDARD", "DEFAULT"], "the last component of every package is a version (v1, v1beta1, v1p1alpha1, v1test)";
    RPC_NO_CLIENT_STREAMING, ["UNARY_RPC"], "rpcs are not client streaming";
    RPC_NO_SERVER_STREAMING, ["UNARY_RPC"], "rpcs are not server streaming";
    RPC_PASCAL_CASE, ["BASIC", "STANDARD", "DEFAULT"], "rpc names are PascalCase";
    RPC_REQUEST_RESPONSE_UNIQUE, ["STANDARD", "DEFAULT"], "rpc request and response types are used by one rpc only";
    RPC_REQUEST_STANDARD_NAME, ["STANDARD", "DEFAULT"], "rpc request types are named RpcNameRequest or ServiceNameRpcNameRequest";
    RPC_RESPONSE_STANDARD_NAME, ["STANDARD", "DEFAULT"], "rpc response types are named RpcNameResponse or ServiceNameRpcNameResponse";
    SERVICE_PASCAL_CASE, ["BASIC", "STANDARD", "DEFAULT"], "service names are PascalCase";
    SERVICE_SUFFIX, ["STANDARD", "DEFAULT"], "service names have a consistent suffix (default `Service`)";
    STABLE_PACKAGE_NO_IMPORT_UNSTABLE, [], "files in stable versioned packages do not import unstable versioned packages";
    SYNTAX_SPECIFIED, ["BASIC", "STANDARD", "DEFAULT"], "every file specifies its syntax";
}

/// buf's lint rules as a rule set.
pub struct BufLintRules;

pub static SET: BufLintRules = BufLintRules;

/// `[lint]` keys buf's rules read (as buf names them in `buf.yaml`).
pub const KNOBS: &[&str] = &[
    "enum_zero_value_suffix",
    "service_suffix",
    "rpc_allow_same_request_response",
    "rpc_allow_google_protobuf_empty_requests",
    "rpc_allow_google_protobuf_empty_responses",
    "disallow_comment_ignores",
];

impl RuleSet for BufLintRules {
    fn rules(&self) -> &'static [&'static LintRule] {
        RULES
    }

    fn knobs(&self) -> &'static [&'static str] {
        KNOBS
    }

    fn check(&self, cx: &LintCx, input: &Input, out: &mut Vec<Finding>) {
        let rules: Vec<&'static Rule> = RULES
            .iter()
            .filter(|r| cx.enabled(r))
            .map(|r| &r.rule)
            .collect();
        if rules.is_empty() {
            return;
        }
        let Some(set) = input.snapshot.set(Format::Protobuf) else {
            return;
        };
        let knob_str =
            |k: &str, d: &str| cx.knob(k).and_then(|v| v.as_str()).unwrap_or(d).to_string();
        let knob_bool = |k: &str| cx.knob(k).and_then(|v| v.as_bool()).unwrap_or(false);
        let opts = super::LintOptions {
            rules,
            enum_zero_value_suffix: knob_str("enum_zero_value_suffix", "_UNSPECIFIED"),
            service_suffix: knob_str("service_suffix", "Service"),
            rpc_allow_same_request_response: knob_bool("rpc_allow_same_request_response"),
            rpc_allow_google_protobuf_empty_requests: knob_bool(
                "rpc_allow_google_protobuf_empty_requests",
            ),
            rpc_allow_google_protobuf_empty_responses: knob_bool(
                "rpc_allow_google_protobuf_empty_responses",
            ),
            comment_ignores: !knob_bool("disallow_comment_ignores"),
            ignore: Vec::new(),
            ignore_only: Vec::new(),
        };
        out.extend(crate::formats::protobuf::lint_loaded(
            set.loaded.as_ref(),
            &opts,
        ));
    }
}
