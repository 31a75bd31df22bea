//! The JSON exchanged across the plugin ABI and with an isolated plugin host: every message
//! carries `schema_version`, and unknown fields are ignored so either side can add some.

use serde::{Deserialize, Serialize};

use crate::extract::{ExtractError, Manifest, SCHEMA_VERSION};
use crate::model::Fields;

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

/// A successful result.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ResultJson {
    /// [`SCHEMA_VERSION`] of the library.
    pub schema_version: u32,
    /// The fields produced.
    #[serde(default)]
    pub fields: Fields,
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
