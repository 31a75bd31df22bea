//! The JSON shape of a document (DESIGN §6), shared by `show --json`, the JSONL export and the
//! import of such an export, and the writer of a whole JSONL export.

use std::collections::BTreeMap;
use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use crate::archive::{Archive, StoredDoc};
use crate::error::{Error, Result};
use crate::model::{self, Fields, Provenance, Source};
use crate::text;

/// Version of the export format, in the header line `{"morgue_export": 1, ...}`.
pub const EXPORT_VERSION: u32 = 1;

/// The original bytes in JSON: as a string when they are valid UTF-8, else base64.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RawJson {
    /// The bytes are this UTF-8 text, exactly.
    Utf8(String),
    /// The bytes, base64 (standard alphabet, padded).
    Base64(String),
}

impl RawJson {
    /// Encodes bytes.
    pub fn from_bytes(raw: &[u8]) -> RawJson {
        match std::str::from_utf8(raw) {
            Ok(s) => RawJson::Utf8(s.to_owned()),
            Err(_) => RawJson::Base64(BASE64.encode(raw)),
        }
    }

    /// Decodes to the original bytes.
    pub fn to_bytes(&self) -> std::result::Result<Vec<u8>, String> {
        match self {
            RawJson::Utf8(s) => Ok(s.as_bytes().to_vec()),
            RawJson::Base64(b) => BASE64.decode(b).map_err(|e| format!("raw.base64: {e}")),
        }
    }
}

/// One document as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentJson {
    /// 64 hex digits.
    pub id: String,
    /// Where it came from.
    pub source: Source,
    /// The original bytes, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<RawJson>,
    /// The decoded text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Extracted fields.
    #[serde(default)]
    pub fields: Fields,
    /// Which extractor produced each field.
    #[serde(default)]
    pub provenance: BTreeMap<String, Provenance>,
}

impl DocumentJson {
    /// Builds the JSON form; `raw` is included when given.
    pub fn new(doc: &StoredDoc, raw: Option<&[u8]>, text: Option<String>) -> DocumentJson {
        DocumentJson {
            id: doc.id.to_hex(),
            source: doc.source.clone(),
            raw: raw.map(RawJson::from_bytes),
            text,
            fields: doc.fields.clone(),
            provenance: doc.provenance.clone(),
        }
    }
}

impl DocumentJson {
    /// Checks what a restore takes from the line beyond its JSON shape, so that a restored
    /// document is one an import could have stored: the core fields' types and the field
    /// names ([`model::check_field`]), an encoding morgue can decode with, an RFC 3339 import
    /// time, tags as [`model::check_tag`] wants them and paths as [`model::record_path`]
    /// writes them. The error names the first problem and where it is (`source.encoding`).
    pub fn check(&self) -> std::result::Result<(), String> {
        let source = &self.source;
        for (i, path) in source.paths.iter().enumerate() {
            if model::recorded_path_bytes(path).is_none() {
                return Err(format!(
                    "source.paths: item {} ({path:?}) is not a path as morgue records it",
                    i + 1
                ));
            }
        }
        // An empty encoding is read as UTF-8 (older exports).
        if !source.encoding.is_empty()
            && encoding_rs::Encoding::for_label(source.encoding.as_bytes()).is_none()
        {
            return Err(format!(
                "source.encoding {:?} is not an encoding morgue knows (such as utf-8 or windows-1252)",
                source.encoding
            ));
        }
        if source.imported_at.parse::<jiff::Timestamp>().is_err() {
            return Err(format!(
                "source.imported_at {:?} is not an RFC 3339 time such as 2024-05-01T10:00:00Z",
                source.imported_at
            ));
        }
        for tag in &source.tags {
            model::check_tag(tag)
                .map_err(|reason| format!("source.tags: {tag:?} is not a tag: {reason}"))?;
        }
        for (name, value) in &self.fields {
            model::check_field(name, value)?;
        }
        Ok(())
    }

    /// Checks the original bytes a restore would store, `raw` decoded from this line: the
    /// recorded encoding must read them without loss ([`text::check_encoding`]), and they
    /// must pass what an import of them as a file of their media type does
    /// ([`text::decode_as`]: not empty, text, not binary; an HTML page in Shift_JIS is text,
    /// though read as plain text its bytes would look binary). The error names what failed,
    /// as [`DocumentJson::check`]'s do.
    pub fn check_raw(&self, raw: &[u8]) -> std::result::Result<(), String> {
        let encoding = &self.source.encoding;
        text::check_encoding(raw, encoding).map_err(|reason| {
            format!("source.encoding {encoding:?} does not read raw without loss: {reason}")
        })?;
        text::decode_as(raw, &self.source.media_type).map_err(|e| format!("raw: {e}"))?;
        Ok(())
    }
}

/// The first line of an export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportHeader {
    /// [`EXPORT_VERSION`].
    pub morgue_export: u32,
    /// Documents that follow.
    pub documents: u64,
    /// Whether the lines carry the original bytes (an export without them cannot be imported).
    pub raw: bool,
    /// The program that wrote it.
    pub generator: String,
}

/// Options of a JSONL export.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// Include the original bytes (off with `--no-raw`).
    pub raw: bool,
    /// Export only these documents (`--query`); all of them when `None`.
    pub only: Option<Vec<crate::model::DocId>>,
}

/// Writes the header line, then one line per document in import order. `progress` is called
/// after each document with (done, total).
pub fn write_jsonl(
    archive: &Archive,
    out: &mut dyn Write,
    options: &ExportOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64> {
    let mut ids = archive.ids_in_order()?;
    if let Some(only) = &options.only {
        let wanted: std::collections::HashSet<_> = only.iter().collect();
        ids.retain(|id| wanted.contains(id));
    }
    let total = ids.len() as u64;
    let io = |e| Error::io("export output", e);
    let header = ExportHeader {
        morgue_export: EXPORT_VERSION,
        documents: total,
        raw: options.raw,
        generator: format!("morgue {}", env!("CARGO_PKG_VERSION")),
    };
    write_json_line(out, &header)?;
    for (done, id) in ids.iter().enumerate() {
        let doc = archive.get(id)?;
        let raw = archive.raw(id)?;
        let text = archive.text(&doc, &raw);
        let json = DocumentJson::new(&doc, options.raw.then_some(raw.as_slice()), Some(text));
        write_json_line(out, &json)?;
        progress(done as u64 + 1, total);
    }
    out.flush().map_err(io)?;
    Ok(total)
}

/// A JSONL export of every document that can still be read whole (record decodes, original
/// bytes present and matching the id), for an archive `verify` found damaged. Each document
/// that cannot be read is passed to `unreadable` with where it is and why, and left out.
/// Reads the store twice: once to count for the header, once to write.
pub fn salvage_jsonl(
    archive: &Archive,
    out: &mut dyn Write,
    options: &ExportOptions,
    progress: &mut dyn FnMut(u64, u64),
    unreadable: &mut dyn FnMut(&str, &str),
) -> Result<u64> {
    let store = archive.store();
    let mut total = 0u64;
    store.salvage(false, &mut |entry| {
        total += u64::from(entry.is_ok());
        Ok(())
    })?;
    let io = |e| Error::io("export output", e);
    let header = ExportHeader {
        morgue_export: EXPORT_VERSION,
        documents: total,
        raw: options.raw,
        generator: format!("morgue {}", env!("CARGO_PKG_VERSION")),
    };
    write_json_line(out, &header)?;
    let mut done = 0u64;
    store.salvage(true, &mut |entry| {
        match entry {
            Ok((doc, raw)) => {
                if done == total {
                    // The store changed between the passes; it cannot, under the lock.
                    return Ok(());
                }
                let text = archive.text(&doc, &raw);
                let json =
                    DocumentJson::new(&doc, options.raw.then_some(raw.as_slice()), Some(text));
                write_json_line(out, &json)?;
                done += 1;
                progress(done, total);
            }
            Err(damage) => match &damage {
                crate::store::check::Damage::Document { place, reason, .. }
                | crate::store::check::Damage::Unreadable { place, reason } => {
                    unreadable(place, reason);
                }
                other => unreadable(&other.place(), "unreadable"),
            },
        }
        Ok(())
    })?;
    out.flush().map_err(io)?;
    Ok(done)
}

/// Writes one value as a JSON line.
pub fn write_json_line<T: Serialize>(out: &mut dyn Write, value: &T) -> Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(|source| {
        if source.is_io() {
            Error::io("output", std::io::Error::from(source))
        } else {
            Error::Json {
                context: "output".into(),
                source,
            }
        }
    })?;
    out.write_all(b"\n").map_err(|e| Error::io("output", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_is_utf8_or_base64() {
        assert_eq!(RawJson::from_bytes(b"hi"), RawJson::Utf8("hi".into()));
        let bad = RawJson::from_bytes(b"a \xa3");
        assert_eq!(bad, RawJson::Base64("YSCj".into()));
        assert_eq!(bad.to_bytes().unwrap(), b"a \xa3");
        let json = serde_json::to_string(&bad).unwrap();
        assert_eq!(json, r#"{"base64":"YSCj"}"#);
        let back: RawJson = serde_json::from_str(r#"{"utf8":"x"}"#).unwrap();
        assert_eq!(back.to_bytes().unwrap(), b"x");
    }
}
