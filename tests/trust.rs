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

#[test]
fn deleting_the_lock_file_does_not_let_a_second_morgue_in() {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let dir = Dir::new();
    dir.run(&[std::ffi::OsString::from("import"), sample().into()])
        .assert_code(0);
    let mut holder = dir
        .cmd()
        .args(["import", "-"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let lock = dir.archive().join("lock");
    let pid = holder.id().to_string();
    let start = Instant::now();
    while std::fs::read_to_string(&lock).unwrap_or_default() != pid {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "holder never took the lock"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::fs::remove_file(&lock).unwrap();
    let second = dir.run(&["stats"]);
    second.assert_code(2);
    assert!(
        second
            .stderr()
            .contains("is in use by another morgue process"),
        "{}",
        second.stderr()
    );
    holder
        .stdin
        .take()
        .unwrap()
        .write_all(b"A headline\n\nA body.\n")
        .unwrap();
    assert!(holder.wait().unwrap().success());
    dir.run(&["stats"]).assert_code(0);
}

#[test]
fn a_store_whose_data_file_is_gone_is_refused_not_opened_empty() {
    let dir = Dir::new();
    dir.run(&[std::ffi::OsString::from("import"), sample().into()])
        .assert_code(0);
    dir.run(&["list"]).assert_code(0);
    for damage in ["deleted", "emptied"] {
        let copy = dir.path().join(damage);
        util::copy_dir(&dir.archive(), &copy);
        let data = copy.join("db/db");
        if damage == "deleted" {
            std::fs::remove_file(&data).unwrap();
        } else {
            std::fs::write(&data, b"").unwrap();
        }
        std::fs::remove_file(copy.join("manifest.json")).unwrap();
        for args in [&["list"][..], &["verify"], &["import", "-"]] {
            let run = util::Run(
                std::process::Command::new(util::morgue_bin())
                    .arg("--archive")
                    .arg(&copy)
                    .args(args)
                    .stdin(std::process::Stdio::null())
                    .output()
                    .unwrap(),
            );
            run.assert_code(2);
            assert!(
                run.stderr().contains("has lost its data")
                    && run
                        .stderr()
                        .contains("db/db was deleted, truncated or damaged"),
                "{damage} {args:?}: {}",
                run.stderr()
            );
            assert!(!run.stderr().contains("panicked"), "{}", run.stderr());
        }
    }
}

#[test]
fn a_garbage_manifest_is_named_with_the_way_forward() {
    let dir = Dir::new();
    dir.run(&[std::ffi::OsString::from("import"), sample().into()])
        .assert_code(0);
    std::fs::write(dir.archive().join("manifest.json"), b"{\"documents\": [").unwrap();
    let run = dir.run(&["list"]);
    run.assert_code(2);
    assert!(
        run.stderr().contains("manifest.json is damaged")
            && run.stderr().contains("morgue verify --repair"),
        "{}",
        run.stderr()
    );
    dir.run(&["verify", "--repair"]).assert_code(0);
    dir.run(&["list"]).assert_code(0);
}

#[test]
fn a_damaged_snapshot_is_named_and_repair_reads_the_store_from_its_log() {
    let dir = Dir::new();
    dir.run(&[std::ffi::OsString::from("import"), sample().into()])
        .assert_code(0);
    dir.run(&["list"]).assert_code(0);
    let snap = std::fs::read_dir(dir.archive().join("db"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("snap.")
        })
        .expect("sled writes a snapshot when it reopens a store");
    let mut bytes = std::fs::read(&snap).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    std::fs::write(&snap, bytes).unwrap();
    let run = dir.run(&["list"]);
    run.assert_code(2);
    let message = run.stderr();
    assert!(
        message.contains("its files are damaged") && message.contains("morgue verify --repair"),
        "{message}"
    );
    assert!(
        !message.contains("backtrace") && !message.contains("panicked"),
        "{message}"
    );
    let run = dir.run(&["verify", "--repair"]);
    run.assert_code(0);
    assert!(
        run.stderr()
            .contains("aside; the store was read from its log"),
        "{}",
        run.stderr()
    );
    assert_eq!(run.stdout(), "verified 1 document\n");
}
