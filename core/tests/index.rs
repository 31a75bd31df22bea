//! The full-text index against a brute-force scan of the stored texts: for every term of a
//! sample, the documents the index lists (and their positions) are exactly those whose analysed
//! text holds the term; and a second `reindex` rebuilds the same index.

#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use morgue_core::analysis::Analyzer;
use morgue_core::import::{ImportOptions, Importer, Input, Reporter};
use morgue_core::index::{BODY, TITLE};
use morgue_core::search::Searcher;
use morgue_core::{Archive, OpenOptions, Pipeline};

struct Quiet;
impl Reporter for Quiet {}

fn bbc_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/bbc");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// term → document sequence number → positions, by analysing every stored text directly.
fn brute_force(archive: &Archive) -> BTreeMap<String, BTreeMap<u64, Vec<u32>>> {
    let analyzer = Analyzer::english();
    let mut out: BTreeMap<String, BTreeMap<u64, Vec<u32>>> = BTreeMap::new();
    for doc in archive.documents().unwrap() {
        let raw = archive.raw(&doc.id).unwrap();
        let text = archive.text(&doc, &raw);
        analyzer.analyze(&text, |term, position| {
            out.entry(term.to_owned())
                .or_default()
                .entry(doc.seq)
                .or_default()
                .push(position);
        });
    }
    out
}

fn check_index(archive: &Archive, truth: &BTreeMap<String, BTreeMap<u64, Vec<u32>>>) {
    let searcher = Searcher::new(archive).unwrap();
    // Every 37th term (a spread of common and rare ones) plus a few chosen ones.
    let mut sample: Vec<&String> = truth.keys().step_by(37).collect();
    let chosen: Vec<String> = ["rate", "telecom", "oil", "economi"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    sample.extend(chosen.iter().filter(|t| truth.contains_key(*t)));
    assert!(sample.len() > 200, "{}", sample.len());
    for term in sample {
        let postings = searcher.postings(BODY, term).unwrap();
        let got: BTreeMap<u64, Vec<u32>> =
            postings.into_iter().map(|p| (p.doc, p.positions)).collect();
        assert_eq!(&got, &truth[term], "postings of {term:?}");
    }
    assert!(searcher.postings(BODY, "zzzznotaword").unwrap().is_empty());
    let documents = archive.documents().unwrap();
    assert_eq!(searcher.indexed(), documents.len() as u64);
    let mut ids = BTreeSet::new();
    for seq in searcher.seqs() {
        ids.insert(searcher.id_of(seq).unwrap().unwrap());
    }
    let stored: BTreeSet<_> = documents.iter().map(|d| d.id).collect();
    assert_eq!(ids, stored);
    let prefixed = searcher.terms_with_prefix(BODY, "tele").unwrap();
    let expected: Vec<&String> = truth.keys().filter(|t| t.starts_with("tele")).collect();
    assert_eq!(prefixed.iter().collect::<Vec<_>>(), expected);
    assert!(searcher.postings(TITLE, "zzzznotaword").unwrap().is_empty());
}

#[test]
fn index_matches_a_brute_force_scan_and_reindex_rebuilds_it() {
    let dir = tempfile::tempdir().unwrap();
    let options = OpenOptions {
        create: true,
        wait: None,
    };
    let mut archive = Archive::open(&dir.path().join("a"), &options).unwrap();
    // No extractors: the index then holds each document's whole decoded text as its body,
    // which is exactly what the brute-force scan reads.
    let pipeline = Pipeline::empty();
    let import_options = ImportOptions::default();
    let cancel = AtomicBool::new(false);
    let inputs: Vec<Input> = bbc_dirs().into_iter().map(Input::Path).collect();
    let summary = Importer::new(
        &mut archive,
        &pipeline,
        &import_options,
        &mut Quiet,
        &cancel,
    )
    .unwrap()
    .run(&inputs, &mut std::io::empty())
    .unwrap();
    assert_eq!(summary.archived, 2127);
    assert!(!archive.has_index().unwrap());
    let truth = brute_force(&archive);
    // Small segments, so queries merge several of them.
    let n = archive.reindex_in_segments(300, &mut |_, _| {}).unwrap();
    assert_eq!(n, 2127);
    assert!(archive.has_index().unwrap());
    check_index(&archive, &truth);
    // A second rebuild gives the same index.
    archive.reindex(&mut |_, _| {}).unwrap();
    check_index(&archive, &truth);
    // An indexed archive keeps its index current through imports: importing the corpus again
    // into a second, already indexed archive gives the same postings as a rebuild.
    let mut second = Archive::open(&dir.path().join("b"), &options).unwrap();
    second.reindex(&mut |_, _| {}).unwrap();
    let inputs: Vec<Input> = bbc_dirs().into_iter().map(Input::Path).collect();
    Importer::new(&mut second, &pipeline, &import_options, &mut Quiet, &cancel)
        .unwrap()
        .run(&inputs, &mut std::io::empty())
        .unwrap();
    assert!(second.has_index().unwrap());
    check_index(&second, &brute_force(&second));
    drop(second);
    // Compaction merges the segments into one and keeps every posting.
    archive.compact().unwrap();
    check_index(&archive, &truth);
    // A removed document leaves the index at once, and its postings go with a compaction.
    let first = archive.documents().unwrap()[0].clone();
    archive.remove(&[first.id]).unwrap();
    let mut truth = truth;
    for docs in truth.values_mut() {
        docs.remove(&first.seq);
    }
    truth.retain(|_, docs| !docs.is_empty());
    check_index(&archive, &truth);
    archive.compact().unwrap();
    check_index(&archive, &truth);
    assert_eq!(archive.len(), 2126);
}
