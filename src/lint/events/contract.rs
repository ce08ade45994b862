//! Data-contract sidecars as lint sees them: the one reader is `crate::sidecar` (parsed once, spans kept, so
//! findings point into the sidecar); a sidecar that does not parse is reported by `CONTRACT_METADATA_VALID`.

pub use crate::sidecar::{load_from, Contract, SUFFIXES};
