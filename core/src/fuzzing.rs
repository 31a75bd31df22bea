//! Entry points for the fuzz targets in `fuzz/` and the property tests in `core/tests/props.rs`:
//! thin forwards to decoders and encoders that the crate keeps to itself, so that they can be
//! driven from outside without becoming part of the API. Nothing here is stable.

use crate::error::{Error, Result};
use crate::model::DocId;
use crate::plugin::wire::{RequestView, ResultJson};
use crate::store::{self, StoredDoc, codec};

/// What names a value in the errors of these entry points.
fn what() -> String {
    "fuzz input".to_owned()
}

/// A record's `docs` value as an import writes it in a store keyed by sequence number: the
/// framed id, then the zstd-compressed bincode record.
///
/// # Errors
///
/// When the fields cannot be written as JSON.
pub fn encode_record(doc: &StoredDoc) -> Result<Vec<u8>> {
    let mut compressor =
        zstd::bulk::Compressor::new(store::ZSTD_LEVEL).map_err(|e| Error::io("zstd", e))?;
    store::encode_record(doc, true, &mut compressor)
}

/// Reads back what [`encode_record`] wrote, as the store reads an inline `docs` value of a
/// store keyed by sequence number.
///
/// # Errors
///
/// [`Error::Corrupt`] for a value that is damaged at any layer: frame, id, zstd or bincode.
pub fn decode_record(value: &[u8]) -> Result<StoredDoc> {
    let payload = codec::unframe(value, &what)?;
    let (id, compressed) = payload
        .split_first_chunk::<32>()
        .ok_or_else(|| Error::Corrupt {
            what: what(),
            reason: "shorter than an id".into(),
        })?;
    let plain = store::decompress(compressed).map_err(|e| Error::Corrupt {
        what: what(),
        reason: format!("zstd: {e}"),
    })?;
    store::decode_record_plain(&DocId(*id), &plain, &what)
}

/// The bincode record inside a value [`encode_record`] wrote (after the frame, the id and the
/// zstd layer), which is what [`decode_record_plain`] reads.
///
/// # Errors
///
/// As [`decode_record`], for the layers above the record.
pub fn record_plain(value: &[u8]) -> Result<Vec<u8>> {
    let payload = codec::unframe(value, &what)?;
    let compressed = payload.get(32..).ok_or_else(|| Error::Corrupt {
        what: what(),
        reason: "shorter than an id".into(),
    })?;
    store::decompress(compressed).map_err(|e| Error::Corrupt {
        what: what(),
        reason: format!("zstd: {e}"),
    })
}

/// Decodes a record's bincode (the store's `decode_record_plain`).
///
/// # Errors
///
/// [`Error::Corrupt`] when the bytes are not a whole record or its fields are not JSON.
pub fn decode_record_plain(id: &DocId, plain: &[u8]) -> Result<StoredDoc> {
    store::decode_record_plain(id, plain, &what)
}

/// Frames a payload as every stored value is framed: version byte, payload, CRC-32.
pub fn frame(payload: &[u8]) -> Vec<u8> {
    codec::frame(payload)
}

/// Checks a framed value that may also be a pack pointer; returns the inline payload's length
/// or the pointer's pack and entry.
///
/// # Errors
///
/// [`Error::Corrupt`] for a short value, a bad checksum or an unknown version byte.
pub fn unframe_any(value: &[u8]) -> Result<std::result::Result<usize, (u64, u32)>> {
    Ok(match codec::unframe_any(value, &what)? {
        codec::Value::Inline(payload) => Ok(payload.len()),
        codec::Value::Packed(pack, entry) => Err((pack, entry)),
    })
}

/// Splits a decompressed pack (what `compact` writes into the `packs` tree) into its entries.
///
/// # Errors
///
/// A description of the first truncated entry.
pub fn parse_pack(plain: Vec<u8>) -> std::result::Result<(), String> {
    store::Pack::parse(plain).map(drop)
}

/// The fast path of [`ResultJson::from_json`] alone: `None` where it leaves the message to
/// serde_json.
pub fn fast_result(bytes: &[u8]) -> Option<ResultJson> {
    crate::plugin::json::fast_result(bytes)
}

/// The fast path of [`RequestView::from_json`] alone: `None` where it leaves the message to
/// serde_json.
pub fn fast_request(bytes: &[u8]) -> Option<RequestView<'_>> {
    crate::plugin::json::fast_request(bytes)
}
