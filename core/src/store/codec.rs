//! Framing of every stored value: a format-version byte, the payload, and a CRC-32 of both, so
//! a damaged value is reported as corrupt instead of being decoded into nonsense.

use crate::error::{Error, Result};

/// Version byte of values written by this build.
pub const VALUE_VERSION: u8 = 1;
/// Version byte of a pointer into a pack (a document or its original bytes stored in a
/// `packs` value, see the store's module documentation).
pub const POINTER_VERSION: u8 = 2;

/// Frames a pack pointer: pack number and entry index.
pub fn frame_pointer(pack: u64, entry: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(17);
    out.push(POINTER_VERSION);
    out.extend_from_slice(&pack.to_le_bytes());
    out.extend_from_slice(&entry.to_le_bytes());
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// A checked value: a payload, or a pointer into a pack.
pub enum Value<'a> {
    /// The value itself.
    Inline(&'a [u8]),
    /// Pack number and entry index.
    Packed(u64, u32),
}

/// Checks a value that may be a pack pointer.
pub fn unframe_any<'a>(value: &'a [u8], what: &dyn Fn() -> String) -> Result<Value<'a>> {
    if value.first() == Some(&POINTER_VERSION) && value.len() == 17 {
        let (body, crc) = value.split_at(13);
        if crc32fast::hash(body) == u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]) {
            let mut pack = [0u8; 8];
            pack.copy_from_slice(&body[1..9]);
            let mut entry = [0u8; 4];
            entry.copy_from_slice(&body[9..13]);
            return Ok(Value::Packed(
                u64::from_le_bytes(pack),
                u32::from_le_bytes(entry),
            ));
        }
    }
    unframe(value, what).map(Value::Inline)
}

/// Frames `payload` as `[version][payload][crc32 LE]`.
pub fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 5);
    out.push(VALUE_VERSION);
    out.extend_from_slice(payload);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Checks a framed value and returns its payload. `what` names the value in errors.
pub fn unframe<'a>(value: &'a [u8], what: &dyn Fn() -> String) -> Result<&'a [u8]> {
    let corrupt = |reason: String| Error::Corrupt {
        what: what(),
        reason,
    };
    if value.len() < 5 {
        return Err(corrupt(format!(
            "value is {} bytes, too short",
            value.len()
        )));
    }
    let (body, crc) = value.split_at(value.len() - 4);
    let mut crc_bytes = [0u8; 4];
    crc_bytes.copy_from_slice(crc);
    let expected = u32::from_le_bytes(crc_bytes);
    let actual = crc32fast::hash(body);
    if expected != actual {
        return Err(corrupt(format!(
            "checksum mismatch (stored {expected:08x}, computed {actual:08x})"
        )));
    }
    if body[0] != VALUE_VERSION {
        return Err(corrupt(format!(
            "value format version {} is not one this morgue reads ({VALUE_VERSION})",
            body[0]
        )));
    }
    Ok(&body[1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let v = frame(b"hello");
        assert_eq!(unframe(&v, &|| "x".into()).unwrap(), b"hello");
        for i in 0..v.len() {
            let mut bad = v.clone();
            bad[i] ^= 0x10;
            let err = unframe(&bad, &|| "docs/abc".into())
                .unwrap_err()
                .to_string();
            assert!(err.contains("corrupt docs/abc"), "{err}");
        }
        assert!(unframe(b"abc", &|| "x".into()).is_err());
    }

    #[test]
    fn pointers_round_trip_and_damage_is_caught() {
        let p = frame_pointer(7, 42);
        assert!(matches!(
            unframe_any(&p, &|| "x".into()).unwrap(),
            Value::Packed(7, 42)
        ));
        assert!(matches!(
            unframe_any(&frame(b"hi"), &|| "x".into()).unwrap(),
            Value::Inline(b"hi")
        ));
        for i in 0..p.len() {
            let mut bad = p.clone();
            bad[i] ^= 0x01;
            assert!(unframe_any(&bad, &|| "x".into()).is_err(), "byte {i}");
        }
    }
}
