//! The store's value decoders (`core/src/store/mod.rs`, `core/src/store/codec.rs`): damaged
//! bytes give `Err`, never a panic, at every layer (frame and checksum, id, zstd, bincode record,
//! pack entries); and a record that decodes writes back to a value that decodes to the same
//! record.
//!
//! The first byte picks the layer; the rest is the input. Below the frame the checksum is made
//! valid, since random bytes would almost never get past it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use morgue_core::DocId;
use morgue_core::archive::StoredDoc;
use morgue_core::fuzzing;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, input)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        // A bincode record, as the zstd layer gives it.
        0 => {
            if let Ok(doc) = fuzzing::decode_record_plain(&DocId([7; 32]), input) {
                round_trip(&doc);
            }
        }
        // A whole `docs` value: id, then zstd of the record.
        1 => {
            if let Ok(doc) = fuzzing::decode_record(&fuzzing::frame(input)) {
                round_trip(&doc);
            }
        }
        // A decompressed pack.
        2 => {
            let _ = fuzzing::parse_pack(input.to_vec());
        }
        // A stored value as it is, pointer or payload, checksum and all.
        _ => {
            if let Ok(Ok(len)) = fuzzing::unframe_any(input) {
                assert_eq!(len + 5, input.len());
            }
        }
    }
});

/// Writes `doc` as the store does and checks that it reads back the same.
fn round_trip(doc: &StoredDoc) {
    let value = fuzzing::encode_record(doc).expect("a decoded record encodes");
    let again = fuzzing::decode_record(&value).expect("an encoded record decodes");
    assert_eq!(&again, doc);
}
