//! Store formats: a format 3 archive keys documents by import order, a format 2 archive by id.
//! An archive in format 2 is read and written as it is, and `compact` rewrites it in format 3
//! with every document, original byte, tag and index entry unchanged.

#![allow(clippy::unwrap_used, missing_docs)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use morgue_core::archive::StoredDoc;
use morgue_core::import::{ImportOptions, Importer, Input, Reporter, Summary};
use morgue_core::query::parse;
use morgue_core::search::Searcher;
use morgue_core::{Archive, OpenOptions, Pipeline};

struct Quiet;
impl Reporter for Quiet {}

fn bbc(category: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/bbc")
        .join(category)
}

fn open(dir: &Path) -> Archive {
    Archive::open(
        dir,
        &OpenOptions {
            create: true,
            wait: None,
        },
    )
    .unwrap()
}

fn import(archive: &mut Archive, inputs: &[PathBuf]) -> Summary {
    let inputs: Vec<Input> = inputs.iter().cloned().map(Input::Path).collect();
    Importer::new(
        archive,
        &Pipeline::empty(),
        &ImportOptions::default(),
        &mut Quiet,
        &AtomicBool::new(false),
    )
    .unwrap()
    .run(&inputs, &mut std::io::empty())
    .unwrap()
}

/// Every document in import order with its original bytes.
fn snapshot(archive: &Archive) -> Vec<(StoredDoc, Vec<u8>)> {
    archive
        .documents()
        .unwrap()
        .into_iter()
        .map(|d| {
            let raw = archive.raw(&d.id).unwrap();
            (d, raw)
        })
        .collect()
}

fn matches(archive: &Archive, query: &str) -> Vec<String> {
    let mut searcher = Searcher::new(archive).unwrap();
    let mut ids: Vec<String> = searcher
        .search(&parse(query).unwrap())
        .unwrap()
        .into_iter()
        .map(|h| h.id.to_string())
        .collect();
    ids.sort();
    ids
}

/// Everything a user can see of an archive, in either layout.
fn check(archive: &Archive, docs: &[(StoredDoc, Vec<u8>)]) {
    assert_eq!(archive.len(), docs.len() as u64);
    for (doc, raw) in docs {
        assert_eq!(&archive.get(&doc.id).unwrap(), doc);
        assert_eq!(&archive.raw(&doc.id).unwrap(), raw);
        let hex = doc.id.to_string();
        assert_eq!(archive.resolve(&hex[..12]).unwrap(), doc.id);
        for path in &doc.source.paths {
            assert_eq!(&fs::read(path).unwrap(), raw, "{path}");
        }
    }
}

fn exercise(archive: &mut Archive) -> Vec<(StoredDoc, Vec<u8>)> {
    let summary = import(archive, &[bbc("business")]);
    assert_eq!(summary.archived + summary.already, 510);
    assert!(summary.archived > 490);
    // Copies are found by id, in either layout.
    let again = import(archive, &[bbc("business")]);
    assert_eq!((again.archived, again.already), (0, 510));
    archive.reindex(&mut |_, _| {}).unwrap();
    let docs = snapshot(archive);
    check(archive, &docs);
    // A removal, a retag and an import after the index exists.
    let gone = docs[3].0.id;
    archive.remove(&[gone]).unwrap();
    assert!(archive.get(&gone).is_err());
    assert!(archive.resolve(&gone.to_string()).is_err());
    let tagged = docs[7].0.id;
    archive.retag(&[tagged], &["kept".to_owned()], &[]).unwrap();
    let more = import(archive, &[bbc("tech")]);
    assert_eq!(more.archived + more.already, 401);
    assert!(more.archived > 340);
    let docs = snapshot(archive);
    assert_eq!(docs.len() as u64, summary.archived - 1 + more.archived);
    assert!(docs.iter().all(|(d, _)| d.id != gone));
    check(archive, &docs);
    assert_eq!(matches(archive, "tag:kept"), vec![tagged.to_string()]);
    docs
}

#[test]
fn a_format_2_archive_is_kept_as_it_is_until_compact_rewrites_it_in_format_3() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive");
    Archive::create_in_format(&path, 2).unwrap();
    let mut archive = open(&path);
    assert_eq!(archive.stats().unwrap().format, 2);
    let docs = exercise(&mut archive);
    let found = matches(&archive, "economy");
    assert!(!found.is_empty());
    assert_eq!(archive.stats().unwrap().format, 2);

    archive.compact().unwrap();
    assert_eq!(archive.stats().unwrap().format, 3);
    assert_eq!(snapshot(&archive), docs);
    check(&archive, &docs);
    assert_eq!(matches(&archive, "economy"), found);
    drop(archive);

    // Reopened, written to and compacted again in format 3.
    let mut archive = open(&path);
    assert_eq!(archive.stats().unwrap().format, 3);
    assert_eq!(snapshot(&archive), docs);
    let again = import(&mut archive, &[bbc("business"), bbc("tech")]);
    assert_eq!(again.archived, 1, "only the removed document is new again");
    let docs = snapshot(&archive);
    check(&archive, &docs);
    archive.compact().unwrap();
    assert_eq!(snapshot(&archive), docs);
}

#[test]
fn a_new_archive_is_in_format_3() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive");
    let mut archive = open(&path);
    assert_eq!(archive.stats().unwrap().format, 3);
    let docs = exercise(&mut archive);
    // Import order is key order: records come back in it without sorting.
    let seqs: Vec<u64> = docs.iter().map(|(d, _)| d.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    archive.compact().unwrap();
    assert_eq!(snapshot(&archive), docs);
    check(&archive, &docs);
}
