//! The paths import records: absolute, with every symbolic link resolved, whether the file is
//! named through a linked directory, is itself a link, or sits beside other files.

#![allow(clippy::unwrap_used, missing_docs)]

use std::fs;
use std::sync::atomic::AtomicBool;

use morgue_core::import::{ImportOptions, Importer, Input, Reporter};
use morgue_core::{Archive, OpenOptions, Pipeline};

struct Quiet;
impl Reporter for Quiet {}

#[test]
fn recorded_paths_are_the_canonical_paths() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("real/inner")).unwrap();
    fs::create_dir_all(root.join("elsewhere")).unwrap();
    fs::write(root.join("real/a.txt"), "Alpha\n\nFirst story.").unwrap();
    fs::write(root.join("real/b.txt"), "Beta\n\nSecond story.").unwrap();
    fs::write(root.join("real/inner/c.txt"), "Gamma\n\nThird story.").unwrap();
    fs::write(root.join("elsewhere/d.txt"), "Delta\n\nFourth story.").unwrap();
    std::os::unix::fs::symlink(root.join("real"), root.join("linked")).unwrap();
    std::os::unix::fs::symlink(root.join("elsewhere/d.txt"), root.join("real/d-link.txt")).unwrap();

    let mut archive = Archive::open(
        &root.join("archive"),
        &OpenOptions {
            create: true,
            wait: None,
        },
    )
    .unwrap();
    let inputs = vec![
        Input::Path(root.join("linked")),
        Input::Path(root.join("real/./b.txt")),
    ];
    let summary = Importer::new(
        &mut archive,
        &Pipeline::empty(),
        &ImportOptions::default(),
        &mut Quiet,
        &AtomicBool::new(false),
    )
    .unwrap()
    .run(&inputs, &mut std::io::empty())
    .unwrap();
    assert_eq!(summary.archived, 4);

    let mut recorded: Vec<String> = archive
        .documents()
        .unwrap()
        .into_iter()
        .flat_map(|d| d.source.paths)
        .collect();
    recorded.sort();
    let canonical = |p: &str| {
        fs::canonicalize(root.join(p))
            .unwrap()
            .display()
            .to_string()
    };
    let mut expected = vec![
        canonical("real/a.txt"),
        canonical("real/b.txt"),
        canonical("real/inner/c.txt"),
        canonical("elsewhere/d.txt"),
    ];
    expected.sort();
    assert_eq!(recorded, expected);
}

#[test]
fn a_copy_read_while_its_original_is_being_written_adds_its_path() {
    // The first 2,000 BBC documents are written while the rest are read: the copy, read
    // last, finds its original in the batch being written, not yet in the store.
    let dir = tempfile::tempdir().unwrap();
    let bbc = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/bbc");
    let copies = dir.path().join("zz-copies");
    fs::create_dir_all(&copies).unwrap();
    fs::copy(bbc.join("business/001.txt"), copies.join("again.txt")).unwrap();
    let mut archive = Archive::open(
        &dir.path().join("archive"),
        &OpenOptions {
            create: true,
            wait: None,
        },
    )
    .unwrap();
    let mut inputs: Vec<Input> = ["business", "entertainment", "politics", "sport", "tech"]
        .iter()
        .map(|c| Input::Path(bbc.join(c)))
        .collect();
    inputs.push(Input::Path(copies.clone()));
    let summary = Importer::new(
        &mut archive,
        &Pipeline::empty(),
        &ImportOptions::default(),
        &mut Quiet,
        &AtomicBool::new(false),
    )
    .unwrap()
    .run(&inputs, &mut std::io::empty())
    .unwrap();
    assert_eq!(summary.archived, 2127);
    assert_eq!(summary.already, 99);
    assert_eq!(archive.len(), 2127);
    let original = fs::canonicalize(bbc.join("business/001.txt"))
        .unwrap()
        .display()
        .to_string();
    let copy = fs::canonicalize(copies.join("again.txt"))
        .unwrap()
        .display()
        .to_string();
    let doc = archive
        .documents()
        .unwrap()
        .into_iter()
        .find(|d| d.source.paths.contains(&original))
        .unwrap();
    assert_eq!(doc.source.paths, vec![original, copy]);
}
