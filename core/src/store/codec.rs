//! Framing of every stored value: a format-version byte, the payload, and a CRC-32 of both, so
//! a damaged value is reported as corrupt instead of being decoded into nonsense.

use crate::error::{Error, Result};

/// Version byte of values written by this build.
pub const VALUE_VERSION: u8 = 1;

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
}
