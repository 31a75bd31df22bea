//! The host side of the plugin wire (`core/src/plugin/wire.rs`, `core/src/plugin/json.rs`,
//! `core/src/plugin/host.rs`): what a plugin returns is read without a panic and exactly as
//! serde_json reads it (the fast reader never accepts what serde_json refuses, and gives the
//! same values when both accept); a result read is written back byte for byte as serde_json
//! writes it; and a plugin's manifest and its answer go through the pipeline's checks with an
//! error or fields, never a panic.
//!
//! The first byte picks the message; the rest is the message.

#![no_main]

use libfuzzer_sys::fuzz_target;
use morgue_core::plugin::abi::{STATUS_ERROR, STATUS_OK, STATUS_PANIC};
use morgue_core::plugin::host::decode_result;
use morgue_core::plugin::wire::{ManifestJson, RequestJson, RequestView, ResultJson};
use morgue_core::{ExtractError, ExtractInput, Extraction, Extractor, Manifest, Pipeline, fuzzing};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, input)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 => result(input),
        1 => request(input),
        2 => {
            // A manifest and, after the first line break, the plugin's answer to a document.
            let (manifest, answer) = match input.iter().position(|&b| b == b'\n') {
                Some(at) => (&input[..at], &input[at + 1..]),
                None => (input, &b"{\"schema_version\":1,\"fields\":{}}"[..]),
            };
            manifest_and_answer(manifest, answer);
        }
        _ => {
            // An error reply under each status a library can give.
            for status in [STATUS_ERROR, STATUS_PANIC, 3] {
                assert!(decode_result(status, input).is_err());
            }
        }
    }
});

fn result(input: &[u8]) {
    let ours = ResultJson::from_json(input);
    let theirs = serde_json::from_slice::<ResultJson>(input);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.schema_version, b.schema_version);
            assert_eq!(a.fields, b.fields);
            // Compared as written, which tells -0.0 from 0.0.
            let mut written = Vec::new();
            a.write_json(&mut written).expect("a result writes");
            assert_eq!(
                written,
                serde_json::to_vec(b).expect("serde_json writes it")
            );
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!(
            "ours {:?}, serde_json {:?}",
            ours.map(|r| r.fields),
            theirs.map(|r| r.fields)
        ),
    }
    if let Some(fast) = fuzzing::fast_result(input) {
        let Ok(theirs) = &theirs else {
            panic!("the fast path accepted what serde_json refuses");
        };
        assert_eq!(fast.fields, theirs.fields);
    }
    assert_eq!(decode_result(STATUS_OK, input).is_ok(), ours.is_ok());
}

fn request(input: &[u8]) {
    let ours = RequestView::from_json(input).map(|r| {
        (
            r.schema_version,
            r.id.into_owned(),
            r.media_type.into_owned(),
            r.url.map(|u| u.into_owned()),
            r.fields,
        )
    });
    let theirs = serde_json::from_slice::<RequestJson>(input)
        .map(|r| (r.schema_version, r.id, r.media_type, r.url, r.fields));
    let fast_accepted = fuzzing::fast_request(input).is_some();
    match (ours, theirs) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => {
            assert!(
                !fast_accepted,
                "the fast path accepted what serde_json refuses"
            );
            assert_eq!(a.to_string(), b.to_string());
        }
        (a, b) => panic!("ours {a:?}, serde_json {b:?}"),
    }
}

/// A plugin as the host sees it once loaded: its manifest, and the bytes it answers with.
struct Answering {
    manifest: Manifest,
    answer: Vec<u8>,
}

impl Extractor for Answering {
    fn manifest(&self) -> Manifest {
        self.manifest.clone()
    }

    fn extract(&self, _input: &ExtractInput<'_>) -> Result<Extraction, ExtractError> {
        decode_result(STATUS_OK, &self.answer)
    }
}

fn manifest_and_answer(manifest: &[u8], answer: &[u8]) {
    let Ok(manifest) = serde_json::from_slice::<ManifestJson>(manifest) else {
        return;
    };
    let manifest = manifest.manifest;
    let valid = manifest.validate().is_ok();
    let plugin = Answering {
        manifest: manifest.clone(),
        answer: answer.to_vec(),
    };
    let Ok(pipeline) = Pipeline::new(vec![Box::new(plugin)]) else {
        return;
    };
    assert!(valid, "a pipeline took an invalid manifest");
    let media_type = manifest.media_types[0].as_str();
    if let Ok(output) = pipeline.run(&"0".repeat(64), media_type, "text", b"text", None)
        && let Err(e) = morgue_core::extract::check_output(&manifest, &output.fields)
    {
        panic!("the pipeline kept fields its manifest refuses: {e}");
    }
}
