//! End-to-end tests of how `morgue import DIR` walks a directory: hidden entries, archives
//! found inside it, and `--exclude`.

#![allow(clippy::unwrap_used)]

mod util;

use std::process::{Command, Stdio};

use util::{Dir, Run, morgue_bin};

/// The note a walk that left entries out prints, if any.
fn note(run: &Run) -> Option<String> {
    run.stderr()
        .lines()
        .find(|l| l.starts_with("note: left out"))
        .map(str::to_owned)
}

/// `morgue ARGS` in the scratch directory without `--archive`: the default `./morgue-archive`.
fn run_default_archive(dir: &Dir, args: &[&str]) -> Run {
    Run(Command::new(morgue_bin())
        .args(args)
        .env_remove("MORGUE_ARCHIVE")
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap())
}

/// A folder `docs` with one visible article, a `.git` folder holding text files and a hidden
/// `.notes.txt`.
fn docs_with_hidden(dir: &Dir) {
    dir.write("docs/article.txt", "An article worth keeping.\n");
    dir.write("docs/.git/HEAD.txt", "ref: refs/heads/main\n");
    dir.write("docs/.git/objects/ab/note.txt", "A git object, in text.\n");
    dir.write("docs/.notes.txt", "Private notes about the article.\n");
}

#[test]
fn hidden_files_and_folders_inside_a_directory_are_left_out_and_counted() {
    let dir = Dir::new();
    docs_with_hidden(&dir);
    let run = dir.run(&["import", "docs"]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 1, already archived 0, skipped 0, failed 0"
    );
    // The `.git` folder is pruned whole and counts as one entry.
    assert_eq!(
        note(&run).as_deref(),
        Some(
            "note: left out 2 hidden entries inside the directories given \
             (--include-hidden reads hidden ones)"
        ),
        "stderr:\n{}",
        run.stderr()
    );
    // The note comes just before the summary line.
    let stderr = run.stderr();
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines.len() >= 2);
    assert!(lines[lines.len() - 2].starts_with("note: left out"));
    assert_eq!(dir.stats()["documents"], 1);
}

#[test]
fn one_hidden_entry_is_counted_in_the_singular() {
    let dir = Dir::new();
    dir.write("docs/article.txt", "An article worth keeping.\n");
    dir.write("docs/sub/.notes.txt", "Private notes.\n");
    let run = dir.run(&["import", "docs"]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 1, already archived 0, skipped 0, failed 0"
    );
    let note = note(&run).unwrap();
    assert!(note.contains("left out 1 hidden entry "), "{note}");
}

#[test]
fn include_hidden_reads_hidden_files_and_folders() {
    let dir = Dir::new();
    docs_with_hidden(&dir);
    let run = dir.run(&["import", "--include-hidden", "docs"]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 4, already archived 0, skipped 0, failed 0"
    );
    assert_eq!(note(&run), None, "stderr:\n{}", run.stderr());
    assert_eq!(dir.stats()["documents"], 4);
}

#[test]
fn quiet_prints_no_note() {
    let dir = Dir::new();
    docs_with_hidden(&dir);
    let run = dir.run(&["--quiet", "import", "docs"]);
    run.assert_code(0);
    assert_eq!(run.stderr(), "");
    assert_eq!(dir.stats()["documents"], 1);
}

#[test]
fn a_hidden_folder_given_as_the_root_is_walked() {
    let dir = Dir::new();
    dir.write(".stuff/article.txt", "Kept in a hidden folder.\n");
    dir.write(".stuff/sub/other.txt", "Another one.\n");
    dir.write(".stuff/.inner.txt", "Hidden inside the hidden folder.\n");
    let run = dir.run(&["import", "./.stuff/"]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 2, already archived 0, skipped 0, failed 0"
    );
    assert!(note(&run).unwrap().contains("1 hidden entry"));

    // Through a path with `..` in it, and by its own name.
    dir.write(".stuff/third.txt", "A third one.\n");
    std::fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
    let run = dir.run(&["import", "elsewhere/../.stuff"]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 1, already archived 2, skipped 0, failed 0"
    );
}

#[test]
fn dot_walks_the_current_folder_but_not_the_archive_in_it() {
    let dir = Dir::new();
    dir.write("article.txt", "An article worth keeping.\n");
    dir.write(".hidden.txt", "Hidden.\n");
    // The archive `<tmp>/archive` is created by this first import, inside `.`.
    dir.run(&["import", "article.txt"]).assert_code(0);
    let run = dir.run(&["import", "."]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 0, already archived 1, skipped 0, failed 0"
    );
    assert_eq!(
        note(&run).as_deref(),
        Some(
            "note: left out 1 hidden entry and 1 morgue archive inside the directories given \
             (--include-hidden reads hidden ones)"
        )
    );
    // Even --format text, which would read any file as text, does not read the store.
    let run = dir.run(&["import", "--format", "text", "--include-hidden", "."]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 1, already archived 1, skipped 0, failed 0"
    );
    assert_eq!(
        note(&run).as_deref(),
        Some("note: left out 1 morgue archive inside the directories given")
    );
    assert_eq!(dir.stats()["documents"], 2);
}

#[test]
fn a_hidden_file_named_on_the_command_line_is_imported() {
    let dir = Dir::new();
    dir.write(".notes.txt", "Private notes, named on purpose.\n");
    dir.write("docs/.more.txt", "More notes, named on purpose.\n");
    let run = dir.run(&["import", ".notes.txt", "docs/.more.txt"]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 2, already archived 0, skipped 0, failed 0"
    );
    assert_eq!(note(&run), None);
    assert_eq!(dir.stats()["documents"], 2);
}

#[test]
fn archives_inside_the_folder_imported_are_not_read() {
    let dir = Dir::new();
    dir.write("first.txt", "The first article.\n");
    dir.write("second.txt", "The second article.\n");
    // The default archive `./morgue-archive`, created by a first import.
    run_default_archive(&dir, &["import", "first.txt"]).assert_code(0);
    assert!(dir.path().join("morgue-archive").is_dir());
    // A second archive under another name, deeper down.
    run_default_archive(
        &dir,
        &["--archive", "nested/old-store", "import", "second.txt"],
    )
    .assert_code(0);
    assert!(dir.path().join("nested/old-store").is_dir());
    // A text file dropped into an archive folder is not read either: the folder is pruned.
    dir.write("nested/old-store/stray.txt", "Not to be imported.\n");
    dir.write(
        "nested/kept.txt",
        "A third article, beside the old store.\n",
    );

    let run = run_default_archive(&dir, &["import", "."]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 2, already archived 1, skipped 0, failed 0",
        "stderr:\n{}",
        run.stderr()
    );
    assert_eq!(
        note(&run).as_deref(),
        Some("note: left out 2 morgue archives inside the directories given")
    );
    // Into a third archive outside the folder, both archives in it are still left out.
    let outside = Dir::new();
    let outside_archive = outside.path().join("a");
    let run = run_default_archive(
        &dir,
        &[
            "--archive",
            outside_archive.to_str().unwrap(),
            "import",
            "--format",
            "text",
            ".",
        ],
    );
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 3, already archived 0, skipped 0, failed 0"
    );
    let stats = run_default_archive(&dir, &["stats", "--json"]);
    stats.assert_code(0);
    let stats: serde_json::Value = serde_json::from_slice(&stats.0.stdout).unwrap();
    assert_eq!(stats["documents"], 3);
}

#[test]
fn the_archive_folder_given_as_a_root_is_not_read() {
    let dir = Dir::new();
    dir.write("first.txt", "The first article.\n");
    dir.run(&["import", "first.txt"]).assert_code(0);
    let run = dir.run(&["import", "--format", "text", "archive"]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 0, already archived 0, skipped 0, failed 0"
    );
    assert!(note(&run).unwrap().contains("1 morgue archive"));
    assert_eq!(dir.stats()["documents"], 1);
}

#[test]
fn exclude_leaves_out_files_by_name_glob() {
    let dir = Dir::new();
    dir.write("docs/article.txt", "An article worth keeping.\n");
    dir.write("docs/article.txt.bak", "An older copy.\n");
    dir.write("docs/sub/older.bak", "An even older copy.\n");
    // Without --exclude the backups are read as text under --format text.
    let run = dir.run(&["import", "--format", "text", "--exclude", "*.bak", "docs"]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 1, already archived 0, skipped 0, failed 0"
    );
    assert_eq!(
        note(&run).as_deref(),
        Some("note: left out 2 excluded entries inside the directories given")
    );
    assert_eq!(dir.stats()["documents"], 1);
}

#[test]
fn exclude_prunes_folders_by_relative_path_or_name() {
    let dir = Dir::new();
    dir.write("docs/article.txt", "An article worth keeping.\n");
    dir.write("docs/drafts/one.txt", "Draft one.\n");
    dir.write("docs/drafts/deep/two.txt", "Draft two.\n");
    dir.write("docs/sub/drafts/three.txt", "Draft three, deeper.\n");
    dir.write("docs/sub/kept.txt", "Kept.\n");

    // `drafts/**` is relative to the walk root: the top `drafts` folder, pruned as one entry.
    let run = dir.run(&["import", "--exclude", "drafts/**", "docs"]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 3, already archived 0, skipped 0, failed 0"
    );
    assert_eq!(
        note(&run).as_deref(),
        Some("note: left out 1 excluded entry inside the directories given")
    );

    // A bare name matches a folder of that name at any depth.
    let dir = Dir::new();
    dir.write("docs/article.txt", "An article worth keeping.\n");
    dir.write("docs/drafts/one.txt", "Draft one.\n");
    dir.write("docs/sub/drafts/three.txt", "Draft three, deeper.\n");
    dir.write("docs/sub/kept.txt", "Kept.\n");
    let run = dir.run(&["import", "--exclude", "drafts", "docs"]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 2, already archived 0, skipped 0, failed 0"
    );
    assert!(note(&run).unwrap().contains("2 excluded entries"));

    // Several globs, with a path below the root, together with hidden entries.
    let dir = Dir::new();
    dir.write("docs/article.txt", "An article worth keeping.\n");
    dir.write("docs/sub/a.txt", "Left out by sub/*.txt.\n");
    dir.write("docs/sub/b.html", "<p>Kept: not a .txt.</p>\n");
    dir.write("docs/.cache/x.txt", "Hidden.\n");
    let run = dir.run(&[
        "import",
        "--exclude",
        "sub/*.txt",
        "--exclude",
        "nothing-matches",
        "docs",
    ]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 2, already archived 0, skipped 0, failed 0"
    );
    assert_eq!(
        note(&run).as_deref(),
        Some(
            "note: left out 1 hidden entry and 1 excluded entry inside the directories given \
             (--include-hidden reads hidden ones)"
        )
    );
}

#[test]
fn exclude_does_not_apply_to_files_named_on_the_command_line() {
    let dir = Dir::new();
    dir.write("old.txt", "Named on purpose.\n");
    let run = dir.run(&["import", "--exclude", "*.txt", "old.txt"]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 1, already archived 0, skipped 0, failed 0"
    );
}

#[test]
fn a_bad_glob_is_an_error_before_anything_is_read() {
    let dir = Dir::new();
    dir.write("first.txt", "The first article.\n");
    dir.run(&["import", "first.txt"]).assert_code(0);
    dir.write("docs/article.txt", "An article worth keeping.\n");
    let run = dir.run(&[
        "import",
        "--exclude",
        "*.bak",
        "--exclude",
        "drafts[",
        "docs",
    ]);
    run.assert_code(2);
    let stderr = run.stderr();
    assert!(stderr.contains("drafts["), "{stderr}");
    assert!(stderr.contains("unclosed character class"), "{stderr}");
    assert!(!stderr.contains("archived"), "{stderr}");
    assert_eq!(dir.stats()["documents"], 1);

    // Not even an archive is created for it.
    let dir = Dir::new();
    dir.write("docs/article.txt", "An article worth keeping.\n");
    let run = dir.run(&["import", "--exclude", "a{b", "docs"]);
    run.assert_code(2);
    assert!(run.stderr().contains("a{b"), "{}", run.stderr());
    assert!(!dir.archive().exists());
}

#[test]
fn walk_order_and_failures_are_kept() {
    let dir = Dir::new();
    dir.write("docs/b.txt", "Second by name.\n");
    dir.write("docs/a.txt", "First by name.\n");
    dir.write("docs/c/d.txt", "Third by name.\n");
    let run = dir.run(&["import", "docs", "missing-folder"]);
    run.assert_code(2);
    assert!(
        run.stderr()
            .contains("failed: missing-folder: no such file or directory")
    );
    assert_eq!(
        run.summary(),
        "archived 3, already archived 0, skipped 0, failed 1"
    );
    let list = dir.run(&["list", "--jsonl", "--sort", "imported"]);
    list.assert_code(0);
    // Name order within the walk, as before.
    let names: Vec<String> = list
        .stdout()
        .lines()
        .map(|l| {
            let row: serde_json::Value = serde_json::from_str(l).unwrap();
            let path = row["paths"][0].as_str().unwrap().to_owned();
            path.rsplit('/').next().unwrap().to_owned()
        })
        .collect();
    assert_eq!(names, ["a.txt", "b.txt", "d.txt"]);
}
