//! The document model: ids, sources, extracted fields and their provenance.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Extracted fields, one flat map by field name. Absent fields are omitted, never null.
pub type Fields = BTreeMap<String, serde_json::Value>;

/// The field names every extractor shares. A plugin's own fields are prefixed with its name
/// (`readtime.minutes`).
pub const CORE_FIELDS: &[&str] = &[
    "title",
    "subtitle",
    "dateline",
    "byline",
    "authors",
    "published",
    "site",
    "url",
    "canonical_url",
    "language",
    "body",
    "comment_count",
    "word_count",
    "boilerplate",
    "quotes",
    "entities",
    "dates",
    "links",
];

/// A document's id: the SHA-256 of its original bytes, so `sha256sum FILE` finds it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(pub [u8; 32]);

impl DocId {
    /// Length of the short form shown in tables.
    pub const SHORT_LEN: usize = 12;
    /// Shortest prefix accepted wherever an id is.
    pub const MIN_PREFIX: usize = 6;

    /// The full id as 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        s
    }

    /// The first 12 hex digits, as shown in tables.
    pub fn short(&self) -> String {
        let mut s = self.to_hex();
        s.truncate(Self::SHORT_LEN);
        s
    }

    /// Parses a full 64-digit hex id (either case).
    pub fn from_hex(s: &str) -> Option<DocId> {
        if s.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in s.as_bytes().chunks(2).enumerate() {
            out[i] = (hex_val(pair[0])? << 4) | hex_val(pair[1])?;
        }
        Some(DocId(out))
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocId({})", self.short())
    }
}

/// Where a document came from and how its bytes were read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Every path the same bytes were imported from, in the order they were seen.
    #[serde(default)]
    pub paths: Vec<String>,
    /// The URL the document was saved from, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `text/plain` or `text/html`.
    pub media_type: String,
    /// The encoding the text was decoded with (`utf-8`, `windows-1252`, `utf-16le`, ...).
    pub encoding: String,
    /// When the document was first archived, RFC 3339 in UTC.
    pub imported_at: String,
    /// The user's tags, sorted and unique.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Which extractor produced a field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The extractor's manifest name.
    pub plugin: String,
    /// The extractor's version.
    pub version: String,
    /// The schema version of the request/result exchange the field came through.
    pub schema: u32,
}
