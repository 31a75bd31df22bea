//! The JSONL importer (`core/src/import.rs`): any bytes read as a JSONL export give outcomes,
//! never a panic or a store error. Each line is also read on its own as the export's document
//! shape, which must survive being written and read again; and each document the import reports
//! archived is stored exactly as its line says (id, raw bytes, source, fields, provenance).
//!
//! The import runs for real, into one archive (on tmpfs when there is one) that lives as long
//! as the fuzzer and has a full-text index, so that every document is also indexed.

#![no_main]

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use morgue_core::export::DocumentJson;
use morgue_core::import::{ImportOptions, Importer, Input, Outcome, Reporter};
use morgue_core::text::InputKind;
use morgue_core::{Archive, OpenOptions, Pipeline};

struct Fixture {
    archive: Archive,
    // Never dropped: libFuzzer ends the process with exit(), which runs no destructors, so
    // each run leaves its small archive behind (/dev/shm/morgue-fuzz-*), crashes included.
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Mutex<Fixture> {
    static FIXTURE: OnceLock<Mutex<Fixture>> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            tempfile::Builder::new()
                .prefix("morgue-fuzz-")
                .tempdir_in(shm)
        } else {
            tempfile::Builder::new().prefix("morgue-fuzz-").tempdir()
        }
        .expect("temporary directory");
        let options = OpenOptions {
            create: true,
            wait: None,
        };
        let mut archive = Archive::open(&dir.path().join("archive"), &options).expect("archive");
        archive.reindex(&mut |_, _| {}).expect("empty index");
        assert!(archive.has_index().expect("index state"));
        Mutex::new(Fixture { archive, _dir: dir })
    })
}

#[derive(Default)]
struct Collect(Vec<Outcome>);

impl Reporter for Collect {
    fn outcome(&mut self, outcome: &Outcome) {
        self.0.push(outcome.clone());
    }
}

fuzz_target!(|data: &[u8]| {
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    for line in &lines {
        if let Ok(doc) = serde_json::from_slice::<DocumentJson>(line) {
            let written = serde_json::to_vec(&doc).expect("a document writes as JSON");
            let again: DocumentJson =
                serde_json::from_slice(&written).expect("a written document reads back");
            assert_eq!(
                again,
                doc,
                "written as {}",
                String::from_utf8_lossy(&written)
            );
        }
    }

    let mut fixture = fixture().lock().unwrap_or_else(|e| e.into_inner());
    let options = ImportOptions {
        format: Some(InputKind::Jsonl),
        ..ImportOptions::default()
    };
    let pipeline = Pipeline::empty();
    let cancel = AtomicBool::new(false);
    let mut outcomes = Collect::default();
    let summary = Importer::new(
        &mut fixture.archive,
        &pipeline,
        &options,
        &mut outcomes,
        &cancel,
    )
    .expect("importer")
    .run(&[Input::Stdin], &mut &data[..])
    .expect("a bad line fails alone, never the archive");
    assert_eq!(
        summary.archived + summary.already + summary.failed,
        outcomes.0.len() as u64
    );

    for outcome in &outcomes.0 {
        let Outcome::Archived { id, origin } = outcome else {
            continue;
        };
        let number: usize = origin
            .strip_prefix("<stdin>:")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("origin {origin:?}"));
        let doc: DocumentJson =
            serde_json::from_slice(lines[number - 1]).expect("an archived line is a document");
        let stored = fixture.archive.get(id).expect("archived document");
        let raw = fixture.archive.raw(id).expect("archived bytes");
        assert_eq!(id.to_hex(), doc.id.to_ascii_lowercase());
        let expected_raw = doc.raw.as_ref().and_then(|r| r.to_bytes().ok());
        assert_eq!(Some(&raw), expected_raw.as_ref());
        assert_eq!(stored.raw_len, raw.len() as u64);
        let mut source = doc.source.clone();
        source.tags.sort();
        source.tags.dedup();
        if source.encoding.is_empty() {
            source.encoding = "utf-8".into();
        }
        assert_eq!(stored.source, source);
        assert_eq!(stored.fields, doc.fields);
        assert_eq!(stored.provenance, doc.provenance);
    }
});
