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

#[test]
fn verify_names_what_is_wrong_and_repair_mends_what_it_can() {
    let dir = Dir::new();
    dir.run(&[std::ffi::OsString::from("import"), sample().into()])
        .assert_code(0);
    dir.run(&["reindex"]).assert_code(0);
    let run = dir.run(&["verify"]);
    run.assert_code(0);
    assert_eq!(run.stdout(), "verified 1 document\n");
    let run = dir.run(&["verify", "--json"]);
    run.assert_code(0);
    let report: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(
        report,
        serde_json::json!({"documents": 1, "ok": true, "problems": [], "repaired": []})
    );
    // A manifest that is gone is named, and rewritten by --repair.
    std::fs::remove_file(dir.archive().join("manifest.json")).unwrap();
    let run = dir.run(&["verify"]);
    run.assert_code(2);
    assert!(
        run.stdout()
            .starts_with("manifest.json: missing (verify --repair mends this)\n"),
        "{}",
        run.stdout()
    );
    assert!(run.stdout().contains("run `morgue verify --repair`"));
    let run = dir.run(&["verify", "--repair"]);
    run.assert_code(0);
    assert!(
        run.stderr()
            .contains("repaired: manifest.json: rewritten from the store"),
        "{}",
        run.stderr()
    );
    assert!(dir.archive().join("manifest.json").exists());
    // Salvage of a healthy archive is the export.
    let salvage = dir.run(&["export", "--salvage"]);
    salvage.assert_code(0);
    let export = dir.run(&["export"]);
    assert_eq!(
        salvage.stdout().lines().skip(1).collect::<Vec<_>>(),
        export.stdout().lines().skip(1).collect::<Vec<_>>()
    );
}
