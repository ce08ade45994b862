//! `[registry]` in `schemaguard.toml`: where the registry is, how files map to subjects, and the *names* of the
//! environment variables that hold secrets (never a secret itself).

use serde::Deserialize;
use toml::Spanned;

/// `[registry]`: a Confluent-compatible schema registry (Confluent Platform / Cloud, Karapace, Apicurio ccompat,
/// Redpanda). Every key is optional.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRegistry {
    /// Base URL (`https://sr.example:8081`). Default: $SCHEMA_REGISTRY_URL.
    pub url: Option<String>,
    /// Subject name strategy: record (default), topic or topic-record (Confluent's RecordNameStrategy,
    /// TopicNameStrategy, TopicRecordNameStrategy). topic-record also applies to `[[registry.subjects]]` entries
    /// with `topic` and no `strategy` of their own. Under topic and topic-record, files no entry with `topic` or
    /// `subject` maps have no subject (left out; an error when no entry maps any file).
    #[schemars(with = "Option<String>")]
    pub strategy: Option<Spanned<String>>,
    /// Name of the environment variable holding `key:secret` for basic auth. Default:
    /// SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO.
    pub basic_auth_env: Option<String>,
    /// Name of the environment variable holding a bearer token. Default: SCHEMA_REGISTRY_BEARER_TOKEN.
    pub bearer_token_env: Option<String>,
    /// Confluent Cloud with bearer auth: the logical cluster id (`lsrc-…`), sent as `target-sr-cluster`.
    pub logical_cluster: Option<String>,
    /// Confluent Cloud with bearer auth: the identity pool id, sent as `Confluent-Identity-Pool-Id`.
    pub identity_pool: Option<String>,
    /// PEM bundle of CA certificates to trust (repository-relative or absolute).
    pub ca_file: Option<String>,
    /// PEM client certificate chain for mTLS.
    pub client_cert: Option<String>,
    /// PEM private key for mTLS.
    pub client_key: Option<String>,
    /// Parallel requests (also --registry-concurrency). Default: 32 (`client::DEFAULT_CONCURRENCY`).
    pub concurrency: Option<usize>,
    /// Per-request timeout in seconds. Default: 30.
    pub timeout_secs: Option<u64>,
    /// Files → subjects.
    #[serde(default)]
    pub subjects: Vec<RawRegistrySubject>,
}

/// `[[registry.subjects]]`: the subject of the files matching `path`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRegistrySubject {
    /// File glob (repository-relative).
    pub path: String,
    /// Kafka topic: the subject is `<topic>-value` (or `-key`), or `<topic>-<record name>` with
    /// strategy topic-record.
    pub topic: Option<String>,
    /// With `topic`: the key schema (`<topic>-key`).
    #[serde(default)]
    pub key: bool,
    /// The subject itself (wins over `topic`).
    pub subject: Option<String>,
    /// Strategy for these files (record, topic, topic-record). Default with `topic`: topic-record when the
    /// `[registry]` strategy is topic-record, else topic; without `topic`: record.
    pub strategy: Option<String>,
}

/// Confluent's subject name strategies (confluent.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    Record,
    Topic,
    TopicRecord,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Record => "record",
            Strategy::Topic => "topic",
            Strategy::TopicRecord => "topic-record",
        }
    }

    pub fn parse(s: &str) -> Option<Strategy> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "record" | "recordnamestrategy" => Some(Strategy::Record),
            "topic" | "topicnamestrategy" => Some(Strategy::Topic),
            "topic-record" | "topicrecord" | "topicrecordnamestrategy" => {
                Some(Strategy::TopicRecord)
            }
            _ => None,
        }
    }
}

/// A validated `[[registry.subjects]]` entry.
#[derive(Debug)]
pub struct SubjectMapping {
    pub path: globset::GlobMatcher,
    pub topic: Option<String>,
    pub key: bool,
    pub subject: Option<String>,
    pub strategy: Option<Strategy>,
}

/// The validated `[registry]` table.
#[derive(Debug, Default)]
pub struct RegistryConfig {
    pub url: Option<String>,
    pub strategy: Option<Strategy>,
    pub basic_auth_env: Option<String>,
    pub bearer_token_env: Option<String>,
    pub logical_cluster: Option<String>,
    pub identity_pool: Option<String>,
    pub ca_file: Option<String>,
    pub client_cert: Option<String>,
    pub client_key: Option<String>,
    pub concurrency: Option<usize>,
    pub timeout_secs: Option<u64>,
    pub subjects: Vec<SubjectMapping>,
}

impl RegistryConfig {
    /// Validates the raw table; `at` turns a span and a message into the config error.
    pub fn from_raw(
        raw: RawRegistry,
        at: &dyn Fn(std::ops::Range<usize>, String) -> crate::config::ConfigError,
    ) -> Result<RegistryConfig, crate::config::ConfigError> {
        let strategy = match &raw.strategy {
            Some(s) => Some(Strategy::parse(s.get_ref()).ok_or_else(|| {
                at(
                    s.span(),
                    format!(
                        "unknown strategy `{}`; expected record, topic or topic-record",
                        s.get_ref()
                    ),
                )
            })?),
            None => None,
        };
        let mut subjects = Vec::new();
        for s in raw.subjects {
            let glob = globset::GlobBuilder::new(&s.path)
                .literal_separator(true)
                .build()
                .map_err(|e| {
                    at(
                        0..0,
                        format!("[[registry.subjects]] path `{}`: {e}", s.path),
                    )
                })?;
            let strategy = match &s.strategy {
                Some(x) => Some(Strategy::parse(x).ok_or_else(|| {
                    at(
                        0..0,
                        format!("[[registry.subjects]] unknown strategy `{x}`; expected record, topic or topic-record"),
                    )
                })?),
                None => None,
            };
            if s.subject.is_none() && s.topic.is_none() && strategy.is_none() {
                return Err(at(
                    0..0,
                    format!(
                        "[[registry.subjects]] path `{}` needs `subject`, `topic` or `strategy`",
                        s.path
                    ),
                ));
            }
            // An entry that could name no subject is a mistake, not a silent skip of its files.
            if s.subject.is_none() {
                match (&s.topic, strategy) {
                    (None, Some(st @ (Strategy::Topic | Strategy::TopicRecord))) => {
                        return Err(at(
                            0..0,
                            format!(
                                "[[registry.subjects]] path `{}`: strategy {} needs `topic` (or set `subject`)",
                                s.path,
                                st.as_str()
                            ),
                        ))
                    }
                    (Some(t), Some(Strategy::Record)) => {
                        return Err(at(
                            0..0,
                            format!(
                                "[[registry.subjects]] path `{}`: strategy record names the subject after the record \
                                 alone and would ignore topic `{t}`: use strategy topic or topic-record",
                                s.path
                            ),
                        ))
                    }
                    _ => {}
                }
            }
            subjects.push(SubjectMapping {
                path: glob.compile_matcher(),
                topic: s.topic,
                key: s.key,
                subject: s.subject,
                strategy,
            });
        }
        if raw.concurrency == Some(0) {
            return Err(at(0..0, "[registry] concurrency must be at least 1".into()));
        }
        Ok(RegistryConfig {
            url: raw.url,
            strategy,
            basic_auth_env: raw.basic_auth_env,
            bearer_token_env: raw.bearer_token_env,
            logical_cluster: raw.logical_cluster,
            identity_pool: raw.identity_pool,
            ca_file: raw.ca_file,
            client_cert: raw.client_cert,
            client_key: raw.client_key,
            concurrency: raw.concurrency,
            timeout_secs: raw.timeout_secs,
            subjects,
        })
    }
}
