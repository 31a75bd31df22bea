//! Extractor plugins: the C ABI ([`abi`]), the JSON that crosses it ([`wire`], read and written
//! per document by a private fast path in `json`), the library side that `export_extractors!`
//! expands to ([`guest`]) and, with the `store` feature, the host that loads libraries and
//! checks them ([`host`]), the registry of added plugins ([`registry`]) and the isolated plugin
//! host process ([`isolate`]).

pub mod abi;
pub mod guest;
pub(crate) mod json;
pub mod wire;

#[cfg(feature = "store")]
pub mod host;
#[cfg(feature = "store")]
pub mod isolate;
#[cfg(feature = "store")]
pub mod registry;
