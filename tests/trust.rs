//! What an archive promises: nothing acknowledged is lost, damage is named, hostile input never
//! panics. Each test here was written against a defect found by attacking the archive.

#![allow(clippy::unwrap_used, missing_docs)]

mod util;

use util::{Dir, corpus};

fn sample() -> std::path::PathBuf {
    corpus().join("samples/us-urged-twitter-iran.txt")
}

#[test]
fn id_filters_with_non_hex_letters_match_nothing_and_never_panic() {
    let dir = Dir::new();
    dir.run(&[std::ffi::OsString::from("import"), sample().into()])
        .assert_code(0);
    dir.run(&["reindex"]).assert_code(0);
    for q in [
        "id:İ",
        "id:abcdeé",
        "id:0é",
        "id:ééé*",
        "id:",
        "id:0021324İ",
    ] {
        let run = dir.run(&["query", q]);
        assert!(
            run.code() == 1 || run.code() == 2,
            "{q}: exit {}\n{}",
            run.code(),
            run.stderr()
        );
        assert!(!run.stderr().contains("panicked"), "{q}: {}", run.stderr());
        let run = dir.run(&["export", "--query", q]);
        assert!(!run.stderr().contains("panicked"), "{q}: {}", run.stderr());
        assert_ne!(run.code(), 101, "{q}");
    }
    // A prefix that is hex still finds the document.
    dir.run(&["query", "id:00213243"]).assert_code(0);
}
