//! Raw command-line types (clap derive). Nothing here validates beyond parsing single values; `app` turns these
//! into settings and runs them. Nothing below `app` sees clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::finding::Mode;

#[derive(Debug, Parser)]
#[command(
    name = "schemaguard",
    version,
    about = "Keeps event contracts safe for Avro, Protobuf and JSON Schema: compatibility against git, a directory or a schema registry; lint; contract tests; a catalog",
    after_help = "Exit codes: 0 clean, 1 findings at or above --fail-on (default: error), 2 schemaguard could not do its job.\nDocs for any rule: schemaguard explain RULE_ID",
    // A flag given twice takes the last value, so wrappers (the GitHub Action) can set defaults the user overrides.
    args_override_self = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Schema registry: `pull` registered schemas, `plan` what registering would do, `apply` it.
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// Check every schema in the repository against a git baseline (default: the merge-base with the default branch).
    Check(CheckArgs),
    /// Compare schema files or directories directly, without git: OLD... NEW (oldest first).
    Compat(CompatArgs),
    /// Run the contract tests only: example events (examples/<subject>/) checked against the current schemas and
    /// replayed across versions with real encodings, and consumer contracts (contracts/<consumer>/). Takes check's
    /// baseline and output flags.
    Test(CheckArgs),
    /// Lint every schema on its own (event-product, documentation and format hygiene rules); no baseline needed.
    Lint(LintArgs),
    /// List every rule schemaguard can report.
    Rules(RulesArgs),
    /// Write a static event catalog of the repository: every subject with its owner, fields, examples, consumers,
    /// references and history from git (HTML that opens from disk, or Markdown).
    Catalog(CatalogArgs),
    /// Decode event bytes (Avro binary or container files, Protobuf, Confluent wire format) to JSON; reads
    /// kcat's `-f '%R%s'` length-prefixed streams.
    Decode(DecodeArgs),
    /// Encode JSON events (one document, or one per line) to Avro binary, Protobuf or Confluent wire format.
    Encode(EncodeArgs),
    /// Print the documentation of one rule.
    Explain {
        /// Rule id, e.g. READER_FIELD_MISSING_DEFAULT_VALUE (case-insensitive).
        rule: String,
    },
    /// Print a shell completion script (e.g. `schemaguard completions bash > ~/.local/share/bash-completion/completions/schemaguard`).
    Completions {
        /// bash, elvish, fish, powershell or zsh.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into a directory.
    Man {
        /// Write `schemaguard.1`, `schemaguard-check.1`, … into DIR instead of printing `schemaguard.1`.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Print the effective settings (schemaguard.toml, then buf.yaml / buf.work.yaml, then defaults) and where
    /// each came from.
    Config(ConfigArgs),
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Configuration file (default: schemaguard.toml at the repository root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format: text, json, sarif, github, junit, gitlab, markdown. Repeat as `--format FORMAT=FILE` to
    /// write several reports from one run (e.g. `--format text --format sarif=schemaguard.sarif`).
    #[arg(long, value_name = "FORMAT[=FILE]", default_value = "text")]
    pub format: Vec<String>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// When to colour text output (never with NO_COLOR set, never when not a terminal with `auto`).
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
}

#[derive(Debug, Args, Clone)]
pub struct CompatOptionArgs {
    /// Compatibility mode (Confluent's names, case-insensitive): NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD,
    /// FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE.
    #[arg(long, value_parser = parse_mode, value_name = "MODE")]
    pub mode: Option<Mode>,
    /// JSON Schema compatibility policy (Confluent's compatibilityPolicy).
    #[arg(long, value_enum, value_name = "POLICY")]
    pub policy: Option<Policy>,
    /// Protobuf: use buf's breaking rules of these categories or rule ids (FILE, PACKAGE, WIRE_JSON, WIRE),
    /// comma-separated, instead of Confluent's semantics.
    #[arg(long, value_delimiter = ',', value_name = "CATEGORIES")]
    pub breaking: Vec<String>,
    /// Leave out these rule ids (of any format: TYPE_MISMATCH, PACKAGE_CHANGED, FIELD_NO_DELETE, …) or, with
    /// --breaking, buf categories; comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub except: Vec<String>,
    /// Also report differences the reference system considers compatible (as notes).
    #[arg(long)]
    pub show_compatible: bool,
    /// A read-only reference directory, like protoc's `-I` (repeatable; every format; relative to the current
    /// directory): imports and `$ref`s resolve in it, its files are never checked or reported as subjects.
    /// Added to `[protobuf] include` and `[jsonschema] include`.
    #[arg(long = "include", value_name = "DIR")]
    pub include: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Baseline: a branch, tag, commit or `HEAD~n` (default: merge-base of HEAD with the default branch), or buf's
    /// `.git#branch=main,subdir=proto` (`subdir` becomes a Protobuf import root).
    #[arg(long, value_name = "REV")]
    pub against: Option<String>,
    /// Baseline: a directory holding the previous versions of the schemas (instead of a git revision).
    #[arg(long, value_name = "DIR", conflicts_with = "against")]
    pub against_dir: Option<PathBuf>,
    /// Baseline: the registered versions of each schema's subject in the schema registry ([registry] in
    /// schemaguard.toml, or $SCHEMA_REGISTRY_URL), under each subject's own compatibility level.
    #[arg(long, conflicts_with_all = ["against", "against_dir"])]
    pub against_registry: bool,
    /// With --against-registry: also ask the registry's own compatibility endpoint, and report where its verdict
    /// differs from schemaguard's (REGISTRY_VERDICT_DIFFERS).
    #[arg(long, requires = "against_registry")]
    pub server_check: bool,
    /// Parallel registry requests (default: [registry] concurrency, else 32); only with --against-registry.
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub registry_concurrency: Option<usize>,
    /// Compare the staged content (the git index) with HEAD: the pre-commit check.
    #[arg(long)]
    pub staged: bool,
    /// Never run `git fetch`: in a shallow clone, fail with the one-line fix instead of fetching missing history.
    #[arg(long)]
    pub no_fetch: bool,
    /// Transitive modes: how many first-parent commits of the baseline's history give previous versions
    /// [default: 100].
    #[arg(long, value_name = "N")]
    pub history: Option<usize>,
    /// Transitive modes: oldest commit of the baseline's history to take previous versions from.
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Only report findings in these files (relative to the current directory); all schemas are still loaded,
    /// since references cross files.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Configuration file (default: schemaguard.toml at the repository root, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Consumer-driven policy: an incompatible change in a subject with consumer contracts that no consumer reads
    /// is reported as a warning instead of an error.
    #[arg(long)]
    pub consumer_driven: bool,
    #[command(flatten)]
    pub compat: CompatOptionArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct CompatArgs {
    /// OLD... NEW: schema files or directories (a directory is an import root); several OLD for transitive modes.
    #[arg(required = true, num_args = 2.., value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub compat: CompatOptionArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or directories to lint (default: the repository root, or the current directory outside git).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Report only findings that are not already present at this git revision (matched by rule, subject, file
    /// and element, never by line number): adopt a rule without fixing old files first.
    #[arg(long, value_name = "REV")]
    pub against: Option<String>,
    /// Report every finding, including those present in the baseline (overrides --against).
    #[arg(long)]
    pub all: bool,
    /// Rule ids or groups to run instead of the config's `[lint] use` (comma-separated), e.g. EVENTS,STRICT.
    #[arg(long = "use", value_delimiter = ',', value_name = "RULES")]
    pub use_: Vec<String>,
    /// Rule ids or groups to leave out (comma-separated), added to the config's `[lint] except`.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub except: Vec<String>,
    /// A read-only reference directory (repeatable, relative to the current directory): imports and `$ref`s
    /// resolve in it, its files are never linted. Added to `[protobuf] include` and `[jsonschema] include`.
    #[arg(long = "include", value_name = "DIR")]
    pub include: Vec<PathBuf>,
    /// Configuration file (default: schemaguard.toml at the repository root, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// Directory to write the site into (created if missing; existing pages are overwritten).
    #[arg(long, value_name = "DIR", default_value = "site")]
    pub out: PathBuf,
    /// `html` (a site that opens from disk, search included) or `markdown` (pages for a docs site).
    #[arg(long, value_enum, default_value = "html")]
    pub format: CatalogFormat,
    /// How many first-parent commits of HEAD the history covers.
    #[arg(long, value_name = "N", default_value_t = 500)]
    pub history: usize,
    /// Page title (default: `<repository directory> event catalog`).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Configuration file (default: schemaguard.toml at the repository root, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Read-only include directory (repeatable; relative to the current directory): imports and `$ref`s resolve
    /// in it, its files are never subjects. Added to `[protobuf] include` and `[jsonschema] include`.
    #[arg(long = "include", value_name = "DIR")]
    pub include: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EventSchemaArgs {
    /// Schema file: `.avsc`, or `.proto` with --message (imports resolve below the current directory).
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// Avro schema by full name (`acme.OrderPlaced`), found among the `.avsc` files below the current directory.
    #[arg(long, value_name = "NAME")]
    pub subject: Option<String>,
    /// Protobuf message by full name (`acme.v1.OrderPlaced`), found among the `.proto` files below the current
    /// directory (or in --schema).
    #[arg(long, value_name = "NAME")]
    pub message: Option<String>,
    /// Avro: plain JSON (untagged unions) instead of the Avro JSON encoding.
    #[arg(long)]
    pub plain: bool,
    /// How the bytes are written: raw, hex or base64.
    #[arg(long, value_enum, default_value = "raw", value_name = "FORM")]
    pub bytes: BytesForm,
    /// Record framing: none (one record), length (kcat `%R%s`: 4-byte big-endian length, -1 a tombstone),
    /// lines (one hex/base64 record per line).
    #[arg(long, value_enum, default_value = "none")]
    pub framing: FramingArg,
    /// Largest record accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_record_size: usize,
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Input files (default: standard input; `-` is standard input).
    #[arg(value_name = "FILE")]
    pub inputs: Vec<PathBuf>,
    /// Records carry Confluent's wire-format header (magic 0, schema id, Protobuf message indexes). With no schema
    /// named, each id is looked up in the registry ([registry] url of schemaguard.toml or $SCHEMA_REGISTRY_URL).
    #[arg(long)]
    pub confluent: bool,
    /// Look Confluent schema ids up in this `registry pull --out DIR` snapshot (its manifest) instead of the
    /// registry; implies --confluent.
    #[arg(long, value_name = "DIR")]
    pub registry_dir: Option<PathBuf>,
    /// Configuration file for the registry's URL and credentials (default: schemaguard.toml at the repository
    /// root, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub schema: EventSchemaArgs,
}

#[derive(Debug, Args)]
pub struct EncodeArgs {
    /// Input JSON files (default: standard input; `-` is standard input).
    #[arg(value_name = "FILE")]
    pub inputs: Vec<PathBuf>,
    /// Prefix each record with Confluent's wire-format header for this schema id.
    #[arg(long, value_name = "ID")]
    pub confluent_id: Option<u32>,
    /// With --subject SUBJECT: take the subject's latest version from the registry ([registry] url of
    /// schemaguard.toml or $SCHEMA_REGISTRY_URL) and write Confluent's wire format with its registered id.
    #[arg(long, conflicts_with = "confluent_id")]
    pub confluent: bool,
    /// With --subject SUBJECT: take the subject's latest version from this `registry pull --out DIR` snapshot (its
    /// manifest) instead of the registry; implies --confluent.
    #[arg(long, value_name = "DIR", conflicts_with = "confluent_id")]
    pub registry_dir: Option<PathBuf>,
    /// Configuration file for the registry's URL and credentials (default: schemaguard.toml at the repository
    /// root, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub schema: EventSchemaArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BytesForm {
    Raw,
    Hex,
    Base64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FramingArg {
    None,
    Length,
    Lines,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    Html,
    Markdown,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// `text` (a table) or `json`.
    #[arg(long, default_value = "text")]
    pub format: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Policy {
    Strict,
    Lenient,
}

fn parse_mode(s: &str) -> Result<Mode, String> {
    Mode::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Mode::ALL.iter().map(|m| m.as_str()).collect();
        format!("unknown mode `{s}`; expected one of {}", names.join(", "))
    })
}

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Write each mapped subject's latest registered version (or all) as files, plus a manifest
    /// (schemaguard-registry.json); then `check --against-dir DIR` works offline.
    Pull {
        /// Output directory.
        #[arg(long, value_name = "DIR", default_value = ".registry")]
        out: PathBuf,
        /// Every version, not only the latest (older ones go under DIR/.versions/).
        #[arg(long)]
        all_versions: bool,
        #[command(flatten)]
        common: RegistryCommonArgs,
    },
    /// What `apply` would do: new subjects, new versions with their verdict, unchanged schemas, level changes,
    /// contract changes.
    Plan {
        /// `text` or `json`.
        #[arg(long, default_value = "text")]
        format: String,
        #[command(flatten)]
        common: RegistryCommonArgs,
    },
    /// Register new subjects and versions (references first), set changed levels; stop at the first rejection.
    Apply {
        /// Only show the plan.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        common: RegistryCommonArgs,
    },
}

#[derive(Debug, Args)]
pub struct RegistryCommonArgs {
    /// Configuration file (default: schemaguard.toml at the repository root, if present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Parallel registry requests (default: [registry] concurrency, else 32).
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub registry_concurrency: Option<usize>,
    /// Compatibility level for every subject instead of its registered one. plan checks under it and shows
    /// `level X -> MODE` where the registry's differs; apply WRITES it to the registry (PUT /config/{subject}) for
    /// each of those subjects: it is not a one-run override.
    #[arg(long, value_parser = parse_mode, value_name = "MODE")]
    pub mode: Option<Mode>,
}

/// A count of at least 1 (`--registry-concurrency 0` would send nothing; `[registry] concurrency = 0` is refused
/// too).
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a whole number (at least 1)")),
    }
}
