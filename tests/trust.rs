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
            let run = util::run_on(&copy, args);
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

/// Every document's id, from `list --jsonl`, or the failed run.
fn listed(archive: &std::path::Path) -> Result<Vec<String>, util::Run> {
    let run = util::run_on(archive, &["list", "--jsonl"]);
    if run.code() != 0 {
        return Err(run);
    }
    Ok(run
        .stdout()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect())
}

/// One way to damage an archive's files.
type Damage = Box<dyn Fn(&std::path::Path)>;

/// Damage to the store's files ends one of two ways: exit 2 with a message that names the
/// archive and the way forward, or a store that `verify` finds clean with every document there.
/// Never a panic, never a silently smaller archive.
#[test]
fn damaged_store_files_are_refused_or_verified_whole() {
    let dir = Dir::new();
    let business = util::bbc_dirs()[0].clone();
    dir.run(&[std::ffi::OsString::from("import"), business.into()])
        .assert_code(0);
    dir.run(&["reindex"]).assert_code(0);
    // A second open leaves sled's snapshot file up to date, as most archives have one.
    let all = listed(&dir.archive()).unwrap_or_else(|r| panic!("{}", r.stderr()));
    let seed: u64 = std::env::var("MORGUE_DAMAGE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed);
    eprintln!("MORGUE_DAMAGE_SEED={seed}");
    let mut state = seed | 1;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let db = dir.archive().join("db");
    let files: Vec<String> = std::fs::read_dir(&db)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.iter().any(|f| f.starts_with("snap.")), "{files:?}");
    let len = std::fs::metadata(db.join("db")).unwrap().len();
    let mut cases: Vec<(String, Damage)> = vec![
        (
            "db truncated to 0".into(),
            Box::new(|a| {
                std::fs::File::options()
                    .write(true)
                    .open(a.join("db/db"))
                    .unwrap()
                    .set_len(0)
                    .unwrap()
            }),
        ),
        (
            "db truncated to half".into(),
            Box::new(move |a| {
                std::fs::File::options()
                    .write(true)
                    .open(a.join("db/db"))
                    .unwrap()
                    .set_len(len / 2)
                    .unwrap()
            }),
        ),
        (
            "db truncated to 512 KiB".into(),
            Box::new(|a| {
                std::fs::File::options()
                    .write(true)
                    .open(a.join("db/db"))
                    .unwrap()
                    .set_len(512 << 10)
                    .unwrap()
            }),
        ),
        (
            "db deleted".into(),
            Box::new(|a| std::fs::remove_file(a.join("db/db")).unwrap()),
        ),
        (
            "db and manifest deleted".into(),
            Box::new(|a| {
                std::fs::remove_file(a.join("db/db")).unwrap();
                std::fs::remove_file(a.join("manifest.json")).unwrap();
            }),
        ),
    ];
    for file in &files {
        let size = std::fs::metadata(db.join(file)).unwrap().len();
        for _ in 0..20 {
            let at = random() % size;
            let bit = 1u8 << (random() % 8);
            let file = file.clone();
            cases.push((
                format!("{file}: bit {bit:#x} of byte {at} flipped"),
                Box::new(move |a| {
                    let path = a.join("db").join(&file);
                    let mut bytes = std::fs::read(&path).unwrap();
                    bytes[at as usize] ^= bit;
                    std::fs::write(&path, bytes).unwrap();
                }),
            ));
        }
    }
    let (mut refused, mut whole) = (0, 0);
    for (i, (name, damage)) in cases.iter().enumerate() {
        let copy = dir.path().join(format!("case-{i}"));
        util::copy_dir(&dir.archive(), &copy);
        damage(&copy);
        match listed(&copy) {
            Err(run) => {
                let message = run.stderr();
                assert_eq!(run.code(), 2, "{name}: {message}");
                assert!(!message.contains("panicked"), "{name}: {message}");
                assert!(
                    message.contains(copy.to_str().unwrap())
                        && (message.contains("morgue verify") || message.contains("backup")),
                    "{name}: the message names neither the archive nor the way forward: {message}"
                );
                refused += 1;
                // A script still gets the report's shape, and repair never makes it worse.
                let json = util::run_on(&copy, &["verify", "--json"]);
                assert_eq!(json.code(), 2, "{name}: {}", json.stderr());
                let report: serde_json::Value = serde_json::from_str(&json.stdout())
                    .unwrap_or_else(|e| {
                        panic!(
                            "{name}: verify --json printed no JSON ({e}): {}",
                            json.stderr()
                        )
                    });
                assert_eq!(report["ok"], false, "{name}");
                let repair = util::run_on(&copy, &["verify", "--repair", "--json"]);
                assert!(
                    !repair.stderr().contains("panicked"),
                    "{name}: {}",
                    repair.stderr()
                );
                let report: serde_json::Value = serde_json::from_str(&repair.stdout())
                    .unwrap_or_else(|e| {
                        panic!("{name}: verify --repair --json printed no JSON ({e})")
                    });
                if repair.code() == 0 {
                    // Repaired: every document is there again.
                    assert_eq!(
                        listed(&copy).map_err(|r| r.stderr()),
                        Ok(all.clone()),
                        "{name}"
                    );
                    assert!(
                        !report["repaired"].as_array().unwrap().is_empty(),
                        "{name}: repaired without saying what it did"
                    );
                } else {
                    let salvage = util::run_on(&copy, &["export", "--salvage"]);
                    assert!(
                        salvage.code() == 0 || salvage.code() == 2,
                        "{name}: salvage exit {}",
                        salvage.code()
                    );
                    assert!(
                        !salvage.stderr().contains("panicked"),
                        "{name}: {}",
                        salvage.stderr()
                    );
                }
            }
            Ok(ids) => {
                assert_eq!(ids, all, "{name}: opened with other documents");
                let verify = util::run_on(&copy, &["verify"]);
                assert!(
                    verify.code() == 0 || verify.code() == 2,
                    "{name}: verify exit {}: {}",
                    verify.code(),
                    verify.stderr()
                );
                assert!(
                    !verify.stderr().contains("panicked"),
                    "{name}: {}",
                    verify.stderr()
                );
                whole += 1;
            }
        }
        std::fs::remove_dir_all(&copy).unwrap();
    }
    eprintln!("{refused} refused, {whole} opened whole");
}

#[test]
fn salvage_of_an_archive_that_lost_documents_fails_and_says_so() {
    let dir = Dir::new();
    dir.run(&[std::ffi::OsString::from("import"), sample().into()])
        .assert_code(0);
    std::fs::remove_dir_all(dir.archive().join("db")).unwrap();
    let run = dir.run(&["export", "--salvage"]);
    run.assert_code(2);
    assert!(
        run.stderr()
            .contains("the manifest recorded 1 document after the last write; the store holds 0: 1 document lost"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_directory_where_the_manifest_goes_is_named_and_not_called_repairable() {
    let dir = Dir::new();
    dir.run(&[std::ffi::OsString::from("import"), sample().into()])
        .assert_code(0);
    let manifest = dir.archive().join("manifest.json");
    std::fs::remove_file(&manifest).unwrap();
    std::fs::create_dir(&manifest).unwrap();
    let run = dir.run(&["list"]);
    run.assert_code(2);
    assert!(
        run.stderr()
            .contains("is a directory, not the archive's manifest; move it out of the way"),
        "{}",
        run.stderr()
    );
    let run = dir.run(&["verify"]);
    run.assert_code(2);
    assert!(
        !run.stdout().contains("verify --repair mends this"),
        "{}",
        run.stdout()
    );
    std::fs::remove_dir(&manifest).unwrap();
    dir.run(&["verify", "--repair"]).assert_code(0);
}
