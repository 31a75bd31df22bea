//! Documents of endless distinct words (random words, binary noise) import and reindex with
//! bounded memory: a document is indexed under its first `MAX_DOC_TERMS` distinct terms, and
//! a segment holds at most `MAX_SEGMENT_TERMS` terms, so a batch of more goes into several.
//! Memory itself is measured by hand (see the README); these tests check the behaviour that
//! bounds it, through the import and the rebuild.

#![allow(clippy::unwrap_used, missing_docs)]

use std::path::Path;
use std::sync::atomic::AtomicBool;

use morgue_core::import::{ImportOptions, Importer, Input, Reporter};
use morgue_core::index::{BODY, MAX_DOC_TERMS, MAX_SEGMENT_TERMS};
use morgue_core::search::Searcher;
use morgue_core::{Archive, OpenOptions, Pipeline};

struct Quiet;
impl Reporter for Quiet {}

/// An archive in `dir` with a full-text index, which imports keep current.
fn indexed_archive(dir: &Path) -> Archive {
    let options = OpenOptions {
        create: true,
        wait: None,
    };
    let mut archive = Archive::open(dir, &options).unwrap();
    archive.reindex(&mut |_, _| {}).unwrap();
    archive
}

fn import(archive: &mut Archive, paths: &[&Path]) {
    // No extractors: the body is then the whole text.
    let pipeline = Pipeline::empty();
    let options = ImportOptions::default();
    let cancel = AtomicBool::new(false);
    let inputs: Vec<Input> = paths.iter().map(|p| Input::Path(p.to_path_buf())).collect();
    let summary = Importer::new(archive, &pipeline, &options, &mut Quiet, &cancel)
        .unwrap()
        .run(&inputs, &mut std::io::empty())
        .unwrap();
    assert_eq!(summary.archived, paths.len() as u64);
}

/// `count` distinct words, `{prefix}x{i}`, none of which the stemmer changes.
fn words(prefix: &str, count: usize) -> String {
    (0..count).map(|i| format!("{prefix}x{i} ")).collect()
}

/// Segments and postings keys in the index.
fn index_size(archive: &Archive) -> (u64, u64) {
    let trees = archive.stats().unwrap().trees;
    (trees["doctable"].entries, trees["postings"].entries)
}

#[test]
fn a_document_of_endless_words_is_indexed_under_its_first_terms() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("noise.txt");
    std::fs::write(&file, words("w", MAX_DOC_TERMS + 5000)).unwrap();
    let mut archive = indexed_archive(&dir.path().join("a"));
    import(&mut archive, &[&file]);
    let check = |archive: &Archive| {
        let searcher = Searcher::new(archive).unwrap();
        assert_eq!(searcher.indexed(), 1);
        assert_eq!(searcher.postings(BODY, "wx0").unwrap().len(), 1);
        let last = format!("wx{}", MAX_DOC_TERMS - 1);
        assert_eq!(searcher.postings(BODY, &last).unwrap().len(), 1);
        let past = format!("wx{}", MAX_DOC_TERMS);
        assert!(searcher.postings(BODY, &past).unwrap().is_empty());
        assert_eq!(index_size(archive), (1, MAX_DOC_TERMS as u64));
    };
    check(&archive);
    archive.reindex(&mut |_, _| {}).unwrap();
    check(&archive);
}

#[test]
fn a_batch_of_more_terms_than_a_segment_holds_goes_into_several() {
    let dir = tempfile::tempdir().unwrap();
    let per_doc = 50_000;
    let docs = MAX_SEGMENT_TERMS / per_doc + 2;
    let files: Vec<_> = (0..docs)
        .map(|d| {
            let file = dir.path().join(format!("{d}.txt"));
            std::fs::write(&file, words(&format!("d{d}"), per_doc)).unwrap();
            file
        })
        .collect();
    let paths: Vec<&Path> = files.iter().map(|f| f.as_path()).collect();
    let mut archive = indexed_archive(&dir.path().join("a"));
    import(&mut archive, &paths);
    let check = |archive: &Archive| {
        let (segments, keys) = index_size(archive);
        assert!(segments >= 2, "{segments} segments");
        assert!(keys <= segments * MAX_SEGMENT_TERMS as u64);
        // Every term of every document is there, once.
        assert_eq!(keys, (docs * per_doc) as u64);
        let searcher = Searcher::new(archive).unwrap();
        assert_eq!(searcher.indexed(), docs as u64);
        let mut seqs = Vec::new();
        for d in 0..docs {
            for i in [0, per_doc / 2, per_doc - 1] {
                let postings = searcher.postings(BODY, &format!("d{d}x{i}")).unwrap();
                assert_eq!(postings.len(), 1, "d{d}x{i}");
                seqs.push(postings[0].doc);
            }
        }
        seqs.dedup();
        assert_eq!(seqs.len(), docs);
    };
    check(&archive);
    // A rebuild splits the chunk it reads the same way, and numbers the segments in order.
    archive.reindex(&mut |_, _| {}).unwrap();
    check(&archive);
    archive.reindex_in_segments(2, &mut |_, _| {}).unwrap();
    check(&archive);
}
