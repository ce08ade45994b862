//! The format interface. Every schema format (Avro, Protobuf, JSON Schema) is a peer behind `Engine`: it says
//! which files are its own, parses one whole snapshot at a time (references resolve between the files of one
//! snapshot, never across snapshots), lists the subjects it found, and compares one subject's old and new
//! versions in one direction. Adding a format touches this folder and the two registration lists below.
//! Nothing here reads files, walks git, or prints.

pub mod avro;

use std::any::Any;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use crate::finding::{Direction, Finding, Format};
use crate::rules::Rule;
use crate::source::SourceFile;

pub mod json;
pub mod jsonschema;
pub mod outline;
pub mod protobuf;

/// Options that some formats read; each format ignores what is not its own.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// JSON Schema: Confluent's `compatibilityPolicy` (STRICT unless `lenient`).
    pub lenient: bool,
    /// Also report differences the reference system classes as compatible (as `info`).
    pub show_compatible: bool,
    /// Protobuf: buf breaking categories or rule ids (`FILE`, `WIRE_JSON`, …); empty means Confluent semantics.
    pub breaking: Vec<String>,
    /// Protobuf: buf rule ids or categories to leave out.
    pub except: Vec<String>,
    /// Protobuf: import roots (`[protobuf] roots`, like protoc's `-I`); they win over the detected ones.
    pub proto_roots: Vec<String>,
    /// Protobuf, buf's rules: paths (files or directories) whose findings are dropped (buf's `breaking.ignore`).
    pub breaking_ignore: Vec<String>,
    /// Protobuf, buf's rules: rule id or category → paths (buf's `breaking.ignore_only`).
    pub breaking_ignore_only: Vec<(String, Vec<String>)>,
    /// Protobuf, buf's rules: drop findings in packages with an unstable version (`v1beta1`, `v1alpha`, `v1test`).
    pub ignore_unstable_packages: bool,
    /// Protobuf: read-only include directories (`[protobuf] include`, `--include`).
    pub proto_include: Includes,
    /// JSON Schema: read-only include directories (`[jsonschema] include`, `--include`).
    pub json_include: Includes,
}

/// Read-only reference directories of one format: their files resolve references (imports, `$ref`s) of the
/// checked files but are never subjects, never checked, linted or reported on by themselves.
#[derive(Debug, Clone, Default)]
pub struct Includes {
    /// Directories inside the repository, as repository paths (`/`-separated, no trailing `/`). Their files are
    /// part of each snapshot, so each side sees them at its own revision.
    pub in_repo: Vec<String>,
    /// Directories outside the repository (absolute). The same for every snapshot. Protobuf reads a file there
    /// only when it is imported; JSON Schema gets their documents in `outside_files`.
    pub outside: Vec<std::path::PathBuf>,
    /// The documents of the `outside` directories, read by the caller (JSON Schema): logical path relative to
    /// the include directory, shown path the file's full path.
    pub outside_files: Arc<Vec<Arc<SourceFile>>>,
}

/// Whether a path's file name has no extension (`63` for `/dev/fd/63`, what `<(…)` passes): formats may then
/// claim a file named on the command line by its content.
pub fn no_extension(path: &str) -> bool {
    !path.rsplit('/').next().unwrap_or(path).contains('.')
}

/// A schema found in a snapshot, identified by its subject name (Avro: full name of the top-level type;
/// Protobuf: file path; JSON Schema: file path or `$id`).
#[derive(Debug, Clone)]
pub struct Subject {
    pub name: String,
    pub file: Arc<SourceFile>,
    /// The span that best names the subject (the top-level `name`, the `package` line, …).
    pub span: Range<usize>,
}

/// One parsed snapshot of one format. Engines downcast it back to their own type.
/// Per file path, what the file references in other files: (name as written, the file it resolved to).
pub type FileRefs = BTreeMap<String, Vec<(String, Arc<SourceFile>)>>;

pub trait Loaded: Any + Send + Sync {
    /// Subjects in this snapshot, sorted by name.
    fn subjects(&self) -> Vec<Subject>;
    /// Problems found while loading (parse errors, invalid schemas, unresolved references), as findings.
    fn findings(&self) -> Vec<Finding>;
    /// Other names this subject answers to in an earlier snapshot (Avro: the aliases of its top-level type), so
    /// a rename that the format allows pairs with the old subject instead of being a deletion plus an addition.
    fn former_names(&self, _subject: &Subject) -> Vec<String> {
        Vec::new()
    }
    /// Inline ignores written in this snapshot's files (see `crate::ignore`); the pipeline drops the findings
    /// they cover. Formats that resolve their ignores themselves (Protobuf comments) return none.
    fn ignores(&self) -> crate::ignore::Ignores {
        crate::ignore::Ignores::default()
    }
    /// What each file uses of other files of this snapshot, as the format resolved it: file `path` →
    /// (the name the reference is written with, the file it resolved to). Avro: full names of named
    /// types defined in another file; Protobuf: imports; JSON Schema: the document part of `$ref`s that landed in
    /// another document. Unresolved references are not listed (loading reported them).
    fn references(&self) -> FileRefs {
        BTreeMap::new()
    }
    fn as_any(&self) -> &dyn Any;
}

pub trait Engine: Send + Sync {
    fn format(&self) -> Format;

    /// Whether `path` (with contents `text`) is a schema of this format. `explicit` is true when the user named
    /// the file on the command line (then an extension is enough); discovery passes false.
    fn claims(&self, path: &str, text: &str, explicit: bool) -> bool;

    /// File names worth reading during discovery (cheap pre-filter before `claims`).
    fn may_claim(&self, path: &str) -> bool;

    /// Parses every file of one snapshot that this format claimed.
    fn load(&self, files: &[Arc<SourceFile>], opts: &CheckOptions) -> Box<dyn Loaded>;

    /// Compares one subject: `Direction::Backward` means the new schema must read data written with the old one.
    /// Findings carry both locations, `new` and `old`, whichever side is the reader.
    fn compat(
        &self,
        old: &dyn Loaded,
        old_subject: &Subject,
        new: &dyn Loaded,
        new_subject: &Subject,
        dir: Direction,
        opts: &CheckOptions,
    ) -> Vec<Finding>;

    /// Whole-snapshot breaking-change rules (buf's categories) when `opts.breaking` asks for them and the format
    /// has them; `None` means this format uses per-subject `compat` only.
    fn breaking(
        &self,
        _old: &dyn Loaded,
        _new: &dyn Loaded,
        _opts: &CheckOptions,
    ) -> Option<Vec<Finding>> {
        None
    }

    /// Input problems of new subjects, those no earlier version was compared with, that a format finds only when
    /// it compiles: Protobuf resolves names lazily, for the files a comparison needs, so a new file with an
    /// undefined type would otherwise pass unseen. The other formats report every input problem while loading
    /// (the default: none).
    fn check_new(
        &self,
        _new: &dyn Loaded,
        _subjects: &[&Subject],
        _opts: &CheckOptions,
    ) -> Vec<Finding> {
        Vec::new()
    }

    /// What the file at `path` says to a reader (types, fields, docs, tags, references), for the catalog; `None`
    /// when it does not parse (loading reports why).
    fn outline(&self, _path: &str, _text: &str) -> Option<outline::Outline> {
        None
    }
}

/// Every registered format. Registration line per format.
pub fn engines() -> Vec<&'static dyn Engine> {
    vec![&avro::ENGINE, &protobuf::ENGINE, &jsonschema::ENGINE]
}

/// Rules declared by the formats. Registration line per format.
pub fn all_rules() -> impl Iterator<Item = &'static &'static Rule> {
    let lists: [&'static [&'static Rule]; 3] = [avro::RULES, protobuf::RULES, jsonschema::RULES];
    lists.into_iter().flatten()
}

pub fn engine_for(format: Format) -> Option<&'static dyn Engine> {
    engines().into_iter().find(|e| e.format() == format)
}
