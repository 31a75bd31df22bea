//! The JSON exchanged across the plugin ABI and with an isolated plugin host: every message
//! carries `schema_version`, and unknown fields are ignored so either side can add some.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::extract::{ExtractError, Manifest, SCHEMA_VERSION};
use crate::model::Fields;
use crate::plugin::json;

/// What `describe` returns.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ManifestJson {
    /// [`SCHEMA_VERSION`] of the library.
    pub schema_version: u32,
    /// The manifest.
    #[serde(flatten)]
    pub manifest: Manifest,
}

/// The JSON part of an extract request (text and raw bytes travel beside it).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RequestJson {
    /// [`SCHEMA_VERSION`] of the host.
    pub schema_version: u32,
    /// Document id.
    pub id: String,
    /// Media type.
    pub media_type: String,
    /// Source URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Fields produced so far.
    #[serde(default)]
    pub fields: Fields,
}

/// A request as a library reads it: the strings borrow from the request JSON unless they hold
/// escapes.
#[derive(Clone, Debug)]
pub struct RequestView<'a> {
    /// [`SCHEMA_VERSION`] of the host.
    pub schema_version: u32,
    /// Document id.
    pub id: Cow<'a, str>,
    /// Media type.
    pub media_type: Cow<'a, str>,
    /// Source URL.
    pub url: Option<Cow<'a, str>>,
    /// Fields produced so far.
    pub fields: Fields,
}

impl<'a> RequestView<'a> {
    /// Reads a request as `serde_json::from_slice::<RequestJson>` would: the same values, the
    /// same errors.
    pub fn from_json(bytes: &'a [u8]) -> serde_json::Result<RequestView<'a>> {
        json::read_request(bytes)
    }
}

/// A successful result.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ResultJson {
    /// [`SCHEMA_VERSION`] of the library.
    pub schema_version: u32,
    /// The fields produced.
    #[serde(default)]
    pub fields: Fields,
}

impl ResultJson {
    /// Appends the result's JSON to `out`, byte for byte what `serde_json::to_vec` writes.
    pub fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        json::write_result(out, self)
    }

    /// Reads a result as `serde_json::from_slice` would: the same values, the same errors.
    pub fn from_json(bytes: &[u8]) -> serde_json::Result<ResultJson> {
        json::read_result(bytes)
    }
}

/// An error or a caught panic.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ErrorJson {
    /// [`SCHEMA_VERSION`] of the library.
    pub schema_version: u32,
    /// `input`, `internal` or `panic`.
    pub kind: String,
    /// What happened.
    pub message: String,
}

impl ErrorJson {
    /// The error JSON of an extractor's error.
    pub fn from_error(e: &ExtractError) -> ErrorJson {
        let (kind, message) = match e {
            ExtractError::Input(m) => ("input", m.clone()),
            ExtractError::Internal(m) => ("internal", m.clone()),
        };
        ErrorJson {
            schema_version: SCHEMA_VERSION,
            kind: kind.into(),
            message,
        }
    }

    /// The error JSON of a caught panic.
    pub fn panic(message: String) -> ErrorJson {
        ErrorJson {
            schema_version: SCHEMA_VERSION,
            kind: "panic".into(),
            message,
        }
    }
}

/// The request JSON, serialised from borrowed data so no field is cloned per document.
#[derive(Serialize)]
pub struct RequestRef<'a> {
    /// [`SCHEMA_VERSION`] of the host.
    pub schema_version: u32,
    /// Document id.
    pub id: &'a str,
    /// Media type.
    pub media_type: &'a str,
    /// Source URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'a str>,
    /// Fields produced so far.
    pub fields: &'a Fields,
}

impl RequestRef<'_> {
    /// Appends the request's JSON to `out`, byte for byte what `serde_json::to_vec` writes.
    pub fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        json::write_request(out, self)
    }
}
