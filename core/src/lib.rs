//! morgue-core: the document model and `Extractor` trait that plugins implement, and — behind the
//! default `store` feature — the engine: the sled store, import, export and archive operations.
//!
//! Plugin crates depend on this crate with `default-features = false` and see only [`model`] and
//! [`extract`]; the `morgue` binary turns `store` on.

pub mod extract;
pub mod model;
pub mod plugin;

#[cfg(feature = "store")]
pub mod analysis;
#[cfg(feature = "store")]
pub mod archive;
#[cfg(feature = "store")]
mod error;
#[cfg(feature = "store")]
pub mod eval;
#[cfg(feature = "store")]
pub mod export;
#[cfg(feature = "store")]
#[doc(hidden)]
pub mod fuzzing;
#[cfg(feature = "store")]
pub mod import;
#[cfg(feature = "store")]
pub mod index;
#[cfg(feature = "store")]
pub mod query;
#[cfg(feature = "store")]
pub mod reextract;
#[cfg(feature = "store")]
pub mod search;
#[cfg(feature = "store")]
pub mod snippet;
#[cfg(feature = "store")]
mod store;
#[cfg(feature = "store")]
pub mod text;
#[cfg(feature = "store")]
pub mod verify;

#[cfg(feature = "store")]
pub use archive::{Archive, OpenOptions, Stats};
#[cfg(feature = "store")]
pub use error::{Error, Result};
pub use extract::{
    Doc, ExtractError, ExtractInput, Extraction, Extractor, FieldDecl, FieldType, Manifest,
    Pipeline, PipelineError,
};
pub use model::{CORE_FIELDS, DocId, Fields, Provenance, Source};
