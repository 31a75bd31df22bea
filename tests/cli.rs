//! End-to-end tests of the `morgue` binary on the real corpus in `../shared/corpus`.

#![allow(clippy::unwrap_used)]

mod util;

use std::io::{Read, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use util::{Dir, bbc_dirs, corpus, sha256_hex};

fn import_bbc(dir: &Dir) -> util::Run {
    let mut args = vec!["import".into()];
    args.extend(bbc_dirs().into_iter().map(|p| p.into_os_string()));
    dir.run(&args)
}

#[test]
fn bbc_import_dedups_and_reimport_finds_everything() {
    let dir = Dir::new();
    let run = import_bbc(&dir);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 2,127, already archived 98, skipped 0, failed 0"
    );
    assert!(
        run.stderr()
            .contains("sport/199.txt: not valid UTF-8; decoded as windows-1252")
    );
    let again = import_bbc(&dir);
    again.assert_code(0);
    assert_eq!(
        again.summary(),
        "archived 0, already archived 2,225, skipped 0, failed 0"
    );
    let stats = dir.stats();
    assert_eq!(stats["documents"], 2127);
    assert_eq!(stats["media_types"]["text/plain"], 2127);
    assert!(stats["disk_bytes"].as_u64().unwrap() > 0);
    // Both paths of a byte-identical pair are kept as sources of one document.
    let pair = std::fs::read(corpus().join("bbc/business/007.txt")).unwrap();
    let id = sha256_hex(&pair);
    let shown = dir.run(&["show", &id, "--json"]);
    shown.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&shown.stdout()).unwrap();
    let paths: Vec<&str> = json["source"]["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths.iter().any(|p| p.ends_with("business/007.txt")));
    assert!(paths.iter().any(|p| p.ends_with("business/253.txt")));
}

#[test]
fn raw_bytes_come_back_exactly_and_text_is_decoded() {
    let dir = Dir::new();
    let file = corpus().join("bbc/sport/199.txt");
    dir.run(&[std::ffi::OsStr::new("import"), file.as_os_str()])
        .assert_code(0);
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture should not be UTF-8"
    );
    let short = &sha256_hex(&bytes)[..12];
    let raw = dir.run(&["show", short, "--raw"]);
    raw.assert_code(0);
    assert_eq!(raw.0.stdout, bytes);
    let text = dir.run(&["show", short, "--text"]);
    assert!(text.stdout().contains("£15.8m"));
    let json: serde_json::Value =
        serde_json::from_str(&dir.run(&["show", short, "--json"]).stdout()).unwrap();
    assert_eq!(json["source"]["encoding"], "windows-1252");
    assert!(
        json.get("raw").is_none(),
        "show leaves raw out unless --raw"
    );
}

#[test]
fn export_import_export_round_trips() {
    let a = Dir::new();
    import_bbc(&a).assert_code(0);
    let a_out = a.run(&["export", "--format", "jsonl"]);
    a_out.assert_code(0);
    let a_file = a.write("a.jsonl", &a_out.0.stdout);
    let b = Dir::new();
    let run = b.run(&[std::ffi::OsStr::new("import"), a_file.as_os_str()]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 2,127, already archived 0, skipped 0, failed 0"
    );
    let b_out = b.run(&["export", "--format", "jsonl"]);
    b_out.assert_code(0);
    let strip = |bytes: &[u8]| -> Vec<serde_json::Value> {
        std::str::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                if let Some(src) = v.get_mut("source").and_then(|s| s.as_object_mut()) {
                    src.remove("imported_at");
                }
                v
            })
            .collect()
    };
    let (a_lines, b_lines) = (strip(&a_out.0.stdout), strip(&b_out.0.stdout));
    assert_eq!(a_lines.len(), 2128);
    assert_eq!(a_lines, b_lines);
    assert_eq!(a_lines[0]["morgue_export"], 1);
    let mut base64 = 0;
    for line in &a_lines[1..] {
        let raw = &line["raw"];
        let bytes = if let Some(s) = raw.get("utf8") {
            s.as_str().unwrap().as_bytes().to_vec()
        } else {
            base64 += 1;
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(raw["base64"].as_str().unwrap())
                .unwrap()
        };
        assert_eq!(sha256_hex(&bytes), line["id"].as_str().unwrap());
    }
    assert_eq!(base64, 1, "only sport/199.txt is not UTF-8");
    // An export to a file is the same as to stdout.
    let out = a.path().join("out.jsonl");
    a.run(&[
        std::ffi::OsStr::new("export"),
        "--out".as_ref(),
        out.as_os_str(),
    ])
    .assert_code(0);
    assert_eq!(std::fs::read(&out).unwrap(), a_out.0.stdout);
    // --no-raw leaves the bytes out, and such an export cannot be imported.
    let no_raw = a.run(&["export", "--no-raw"]);
    let second: serde_json::Value =
        serde_json::from_str(no_raw.stdout().lines().nth(1).unwrap()).unwrap();
    assert!(second.get("raw").is_none());
    let f = a.write(
        "noraw.jsonl",
        no_raw
            .stdout()
            .lines()
            .take(2)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let c = Dir::new();
    let run = c.run(&[std::ffi::OsStr::new("import"), f.as_os_str()]);
    run.assert_code(2);
    assert!(
        run.stderr().contains("noraw.jsonl:2: no original bytes"),
        "{}",
        run.stderr()
    );
}

#[test]
fn sample_article_gets_its_title() {
    let dir = Dir::new();
    let sample = corpus().join("samples/us-urged-twitter-iran.txt");
    dir.run(&[std::ffi::OsStr::new("import"), sample.as_os_str()])
        .assert_code(0);
    let id = sha256_hex(&std::fs::read(&sample).unwrap());
    let json: serde_json::Value =
        serde_json::from_str(&dir.run(&["show", &id, "--json"]).stdout()).unwrap();
    assert_eq!(
        json["fields"]["title"],
        "US urged Twitter to keep running during Iran polls"
    );
    assert_eq!(json["provenance"]["title"]["plugin"], "structure");
    assert_eq!(json["provenance"]["title"]["schema"], 1);
    let f = &json["fields"];
    assert_eq!(
        f["subtitle"],
        "Iranians had to be enabled to communicate rapidly unfolding events."
    );
    assert_eq!(f["dateline"]["place"], "Washington");
    let body = f["body"].as_str().unwrap();
    assert!(body.starts_with("The US State Department urged"), "{body}");
    assert!(
        body.ends_with("South Korean President Lee Myung-bak on Tuesday."),
        "{body}"
    );
    for tail in [
        "What's your reaction?",
        "Comments",
        "user-avatar-s.jpg",
        "0 comment",
        "Write the first comment for this!",
    ] {
        assert!(!body.contains(tail), "body keeps {tail:?}");
    }
    assert_eq!(f["comment_count"], 0);
    assert_eq!(f["site"], "wapozavr.com");
    assert!(f["word_count"].as_u64().unwrap() > 300);
}

#[test]
fn sigkill_at_random_moments_loses_nothing_flushed() {
    let dir = Dir::new();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    for round in 0..3u32 {
        // A pseudo-random moment within the import, different each round and each run.
        let delay = Duration::from_millis(u64::from((seed >> (round * 7)) % 600) + 20);
        let mut cmd = dir.cmd();
        cmd.arg("import").args(bbc_dirs()).stderr(Stdio::null());
        let mut child = cmd.spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    let run = import_bbc(&dir);
    run.assert_code(0);
    assert!(
        run.summary().ends_with("skipped 0, failed 0"),
        "{}",
        run.summary()
    );
    assert_eq!(dir.stats()["documents"], 2127);
    let again = import_bbc(&dir);
    assert_eq!(
        again.summary(),
        "archived 0, already archived 2,225, skipped 0, failed 0"
    );
}

#[test]
fn a_second_morgue_is_refused_while_the_archive_is_in_use() {
    let dir = Dir::new();
    dir.run(&[
        "import",
        corpus()
            .join("samples/us-urged-twitter-iran.txt")
            .to_str()
            .unwrap(),
    ])
    .assert_code(0);
    let mut holder = dir
        .cmd()
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the holder has the lock (its pid is in the lock file).
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
    let start = Instant::now();
    let second = dir.run(&["stats"]);
    second.assert_code(2);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "the refusal should be immediate"
    );
    let message = second.stderr();
    assert!(
        message.contains("is in use by another morgue process"),
        "{message}"
    );
    assert!(message.contains(&format!("(pid {pid})")), "{message}");
    // With --wait, the second morgue gets the archive once the first is done.
    let waiter = std::thread::spawn({
        let mut cmd = dir.cmd();
        cmd.args(["--wait", "30", "stats", "--json"]);
        move || cmd.output().unwrap()
    });
    std::thread::sleep(Duration::from_millis(300));
    let mut stdin = holder.stdin.take().unwrap();
    stdin
        .write_all(b"Headline from stdin\n\nA body line.\n")
        .unwrap();
    drop(stdin);
    let status = holder.wait().unwrap();
    let mut err = String::new();
    holder
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{err}");
    assert!(err.contains("archived 1,"), "{err}");
    let waited = waiter.join().unwrap();
    assert!(
        waited.status.success(),
        "{}",
        String::from_utf8_lossy(&waited.stderr)
    );
    let stats: serde_json::Value = serde_json::from_slice(&waited.stdout).unwrap();
    assert_eq!(stats["documents"], 2);
}

/// `--wait` and `--plugin-timeout` take seconds that a wait can last: a value that is not a
/// finite, non-negative number of seconds, or one too large to wait for, is refused as an
/// argument (exit 2, before any archive is opened), never a panic.
#[test]
fn durations_that_cannot_be_waited_for_are_refused_as_arguments() {
    let dir = Dir::new();
    let bad = [
        "1e30",
        "inf",
        "-inf",
        "nan",
        "-1",
        "18446744073709551615",
        "18446744073709551616",
        "1e19",
        "ten",
        "",
    ];
    let check = |args: &[&str], option: &str, value: &str| {
        let run = dir.run(args);
        let err = run.stderr();
        assert_eq!(run.code(), 2, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.contains("invalid value"), "{args:?}: {err}");
        assert!(err.contains(option), "{args:?}: {err}");
        assert!(err.contains("seconds"), "{args:?}: {err}");
        assert!(!err.contains("archived"), "{value}: {err}");
    };
    for value in bad {
        let wait = format!("--wait={value}");
        check(&[&wait, "list"], "--wait", value);
        let timeout = format!("--plugin-timeout={value}");
        check(
            &["import", "-", "--isolation", "process", &timeout],
            "--plugin-timeout",
            value,
        );
        check(
            &["reextract", "--all", "--isolation", "process", &timeout],
            "--plugin-timeout",
            value,
        );
        check(
            &["plugins", "verify", "no-such.so", &timeout],
            "--plugin-timeout",
            value,
        );
    }
    assert!(!dir.archive().exists(), "a bad argument creates nothing");
    // Fractions, zero and the largest allowed value are seconds like any other.
    for (i, good) in ["0", "0.25", "1e9"].into_iter().enumerate() {
        let args = [
            "--wait",
            good,
            "import",
            "-",
            "--isolation",
            "process",
            "--plugin-timeout",
            if good == "0" { "30" } else { good },
        ];
        let doc = format!("Headline {i}\n\nA body.\n").into_bytes();
        run_with_stdin(&dir, &args, doc).assert_code(0);
    }
    assert_eq!(dir.stats()["documents"], 3);
}

#[test]
fn bad_inputs_are_reported_and_good_ones_archived() {
    let dir = Dir::new();
    let good = dir.write("good/one.txt", "First headline\n\nSome body text.\n");
    dir.run(&["import", good.to_str().unwrap()]).assert_code(0);
    let empty = dir.write("in/empty.txt", "");
    let random: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let noise = dir.write("in/noise.txt", random);
    let two = dir.write("in/two.txt", "Second headline\n\nMore body text.\n");
    let export = dir.run(&["export"]);
    let mut lines: Vec<String> = export.stdout().lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2);
    // A JSONL file with one broken line between good ones; the good ones are new to the
    // second archive below, the first line is the header.
    lines.insert(1, "{\"id\": \"broken".into());
    let other = Dir::new();
    let jsonl = dir.write("in/export.jsonl", lines.join("\n") + "\n");
    let missing = dir.path().join("in/missing.txt");
    let run = other.run(&[
        "import",
        missing.to_str().unwrap(),
        empty.to_str().unwrap(),
        noise.to_str().unwrap(),
        two.to_str().unwrap(),
        jsonl.to_str().unwrap(),
    ]);
    run.assert_code(2);
    let err = run.stderr();
    assert!(
        err.contains(&format!(
            "failed: {}: no such file or directory",
            missing.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("failed: {}: empty file", empty.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!("failed: {}: not text", noise.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!("failed: {}:2: not valid JSON", jsonl.display())),
        "{err}"
    );
    assert_eq!(
        run.summary(),
        "archived 2, already archived 0, skipped 0, failed 4"
    );
    assert_eq!(other.stats()["documents"], 2);

    // --strict stops at the first failure; what was archived before it stays.
    let strict = Dir::new();
    let run = strict.run(&[
        "import",
        "--strict",
        two.to_str().unwrap(),
        empty.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    run.assert_code(2);
    assert_eq!(
        run.summary(),
        "archived 1, already archived 0, skipped 0, failed 1"
    );
    assert!(run.stderr().contains("--strict"));
    assert_eq!(strict.stats()["documents"], 1);

    // Nothing archived earlier is lost by a failing import.
    let run = dir.run(&["import", noise.to_str().unwrap()]);
    run.assert_code(2);
    assert_eq!(dir.stats()["documents"], 1);
}

#[test]
fn unsupported_files_are_skipped_and_limits_enforced() {
    let dir = Dir::new();
    dir.write("mixed/a.txt", "A headline\n\nBody.\n");
    dir.write("mixed/b.pdf", "%PDF-1.4");
    dir.write(
        "mixed/sub/c.HTM",
        "<html><head><title>T</title></head><body><p>Hi</p></body></html>",
    );
    let run = dir.run(&["import", "mixed"]);
    run.assert_code(0);
    assert!(
        run.stderr().contains("b.pdf: unsupported file type .pdf"),
        "{}",
        run.stderr()
    );
    assert_eq!(
        run.summary(),
        "archived 2, already archived 0, skipped 1, failed 0"
    );
    let list = dir.run(&["list", "--jsonl"]);
    let types: Vec<String> = list
        .stdout()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["media_type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(types, ["text/plain", "text/html"]);

    let big = dir.write("big.txt", "word ".repeat(100));
    let run = dir.run(&["import", "--max-size", "100", big.to_str().unwrap()]);
    run.assert_code(2);
    assert!(
        run.stderr().contains("is over the --max-size of 100 B"),
        "{}",
        run.stderr()
    );
}

#[test]
fn stdin_is_sniffed_and_tagged() {
    let dir = Dir::new();
    let mut child = dir
        .cmd()
        .args([
            "import",
            "-",
            "--tag",
            "web",
            "--url",
            "https://example.com/a",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let html = b"<!DOCTYPE html><html><body><p>Story</p></body></html>";
    child.stdin.take().unwrap().write_all(html).unwrap();
    assert!(child.wait().unwrap().success());
    let id = sha256_hex(html);
    let json: serde_json::Value =
        serde_json::from_str(&dir.run(&["show", &id[..8], "--json", "--raw"]).stdout()).unwrap();
    assert_eq!(json["source"]["media_type"], "text/html");
    assert_eq!(json["source"]["url"], "https://example.com/a");
    assert_eq!(json["source"]["tags"], serde_json::json!(["web"]));
    assert_eq!(json["raw"]["utf8"], std::str::from_utf8(html).unwrap());
}

#[test]
fn ids_tags_and_removal() {
    let dir = Dir::new();
    let a = dir.write("a.txt", "Alpha headline\n\nAlpha body.\n");
    let b = dir.write("b.txt", "Beta headline\n\nBeta body.\n");
    dir.run(&["import", a.to_str().unwrap(), b.to_str().unwrap()])
        .assert_code(0);
    let id_a = sha256_hex(&std::fs::read(&a).unwrap());
    let id_b = sha256_hex(&std::fs::read(&b).unwrap());

    let short = dir.run(&["show", &id_a[..5]]);
    short.assert_code(2);
    assert!(short.stderr().contains("give 6 to 64 hex digits"));
    let unknown = if id_a.starts_with("000000") {
        "ffffff"
    } else {
        "000000"
    };
    let missing = dir.run(&["show", unknown]);
    missing.assert_code(1);
    assert!(
        missing.stderr().contains("no document with id 000000")
            || missing.stderr().contains("ffffff")
    );

    dir.run(&["tag", &id_a[..6], &id_b[..6], "+economy", "+draft"])
        .assert_code(0);
    dir.run(&["tag", &id_a[..6], "-draft"]).assert_code(0);
    let tags = |id: &str| -> serde_json::Value {
        let v: serde_json::Value =
            serde_json::from_str(&dir.run(&["show", id, "--json"]).stdout()).unwrap();
        v["source"]["tags"].clone()
    };
    assert_eq!(tags(&id_a), serde_json::json!(["economy"]));
    assert_eq!(tags(&id_b), serde_json::json!(["draft", "economy"]));
    assert_eq!(dir.stats()["tags"]["economy"], 2);

    // One bad id changes nothing.
    dir.run(&["rm", &id_a, "abcdefg"]).assert_code(2);
    assert_eq!(dir.stats()["documents"], 2);
    dir.run(&["rm", &id_a[..10]]).assert_code(0);
    assert_eq!(dir.stats()["documents"], 1);
    dir.run(&["show", &id_a]).assert_code(1);
    // Re-importing the removed bytes archives them again.
    let run = dir.run(&["import", a.to_str().unwrap()]);
    assert_eq!(
        run.summary(),
        "archived 1, already archived 0, skipped 0, failed 0"
    );
}

#[test]
fn list_formats_and_a_closed_stdout() {
    let dir = Dir::new();
    import_bbc(&dir).assert_code(0);
    let table = dir.run(&["list", "--limit", "3"]);
    table.assert_code(0);
    let lines: Vec<String> = table.stdout().lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("ID "));
    assert!(
        lines[1].ends_with("Ad sales boost Time Warner profit"),
        "{}",
        lines[1]
    );
    let csv = dir.run(&["list", "--csv", "--sort", "title", "--limit", "2"]);
    assert!(
        csv.stdout()
            .starts_with("id,title,published,imported_at,media_type,word_count,paths,tags\n")
    );
    let json: serde_json::Value =
        serde_json::from_str(&dir.run(&["list", "--json"]).stdout()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2127);

    // `morgue list | head -1`: the pipe closes early; morgue exits 0 without a word.
    let mut child = dir
        .cmd()
        .arg("list")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(err, "");
}

#[test]
fn missing_archive_and_a_store_that_came_back_empty() {
    let dir = Dir::new();
    let run = dir.run(&["stats"]);
    run.assert_code(2);
    assert!(run.stderr().contains("no archive at"), "{}", run.stderr());
    assert!(!dir.archive().exists(), "stats must not create an archive");

    let a = dir.write("a.txt", "Alpha headline\n\nAlpha body.\n");
    dir.run(&["import", a.to_str().unwrap()]).assert_code(0);
    // sled reopens a deleted database as an empty one; the manifest notices.
    std::fs::remove_dir_all(dir.archive().join("db")).unwrap();
    let run = dir.run(&["stats"]);
    run.assert_code(2);
    assert!(
        run.stderr().contains("came back emptier than it was"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr().contains("manifest recorded 1 documents"),
        "{}",
        run.stderr()
    );

    // A directory that is not an archive is not written into.
    let other = dir.write("notes/keep.txt", "mine");
    let run = std::process::Command::new(util::morgue_bin())
        .args([
            "--archive",
            other.parent().unwrap().to_str().unwrap(),
            "import",
            a.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("is not a morgue archive"));
}

#[test]
fn archive_comes_from_the_environment_then_the_default() {
    let dir = Dir::new();
    let a = dir.write("a.txt", "Alpha headline\n\nAlpha body.\n");
    let status = std::process::Command::new(util::morgue_bin())
        .args(["import", a.to_str().unwrap()])
        .env("MORGUE_ARCHIVE", dir.path().join("from-env"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(status.status.success());
    assert!(dir.path().join("from-env/manifest.json").exists());
    let status = std::process::Command::new(util::morgue_bin())
        .args(["import", a.to_str().unwrap()])
        .env_remove("MORGUE_ARCHIVE")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(status.status.success());
    assert!(dir.path().join("morgue-archive/manifest.json").exists());
}

/// A store written by format version 1, committed in `tests/data/v1-archive`, must keep opening
/// with every document, byte and field intact.
#[test]
fn committed_v1_store_still_opens() {
    let dir = Dir::new();
    util::copy_dir(&util::test_data().join("v1-archive"), &dir.archive());
    let stats = dir.stats();
    assert_eq!(stats["documents"], 3);
    assert_eq!(stats["tags"]["fixture"], 3);
    assert_eq!(stats["encodings"]["windows-1252"], 1);
    assert_eq!(stats["media_types"]["text/html"], 1);
    for name in ["plain.txt", "cp1252.txt", "page.html"] {
        let bytes = std::fs::read(util::test_data().join("v1-sources").join(name)).unwrap();
        let id = sha256_hex(&bytes);
        let raw = dir.run(&["show", &id, "--raw"]);
        raw.assert_code(0);
        assert_eq!(raw.0.stdout, bytes, "{name}");
    }
    let plain = sha256_hex(&std::fs::read(util::test_data().join("v1-sources/plain.txt")).unwrap());
    let json: serde_json::Value =
        serde_json::from_str(&dir.run(&["show", &plain, "--json"]).stdout()).unwrap();
    assert_eq!(json["fields"]["title"], "Plain headline");
    assert_eq!(
        json["fields"]["body"],
        "First paragraph.\n\nSecond paragraph."
    );
    assert_eq!(json["provenance"]["body"]["plugin"], "structure");
    let cp = sha256_hex(&std::fs::read(util::test_data().join("v1-sources/cp1252.txt")).unwrap());
    assert!(
        dir.run(&["show", &cp, "--text"])
            .stdout()
            .contains("a £ sign")
    );
}

/// A damaged database file is reported, never silently read as an emptier archive.
#[test]
fn a_damaged_store_is_refused() {
    for offset in [200u64, 700, 1200] {
        let dir = Dir::new();
        util::copy_dir(&util::test_data().join("v1-archive"), &dir.archive());
        let db = dir.archive().join("db/db");
        let mut bytes = std::fs::read(&db).unwrap();
        let at = (offset as usize).min(bytes.len() - 1);
        bytes[at] ^= 0xff;
        std::fs::write(&db, bytes).unwrap();
        let run = dir.run(&["stats"]);
        run.assert_code(2);
        let err = run.stderr();
        assert!(
            err.contains("came back emptier") || err.contains("corrupt") || err.contains("damaged"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// The same bytes as a file and again as a line of an export in one import are archived once,
/// with both sources.
#[test]
fn a_file_and_its_export_line_in_one_import_are_one_document() {
    let first = Dir::new();
    let a = first.write("a.txt", "Alpha headline\n\nAlpha body.\n");
    first.run(&["import", a.to_str().unwrap()]).assert_code(0);
    let export = first.write("a.jsonl", first.run(&["export"]).0.stdout);
    let copy = first.write("copy/a.txt", "Alpha headline\n\nAlpha body.\n");
    let second = Dir::new();
    let run = second.run(&["import", copy.to_str().unwrap(), export.to_str().unwrap()]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 1, already archived 1, skipped 0, failed 0"
    );
    let list: serde_json::Value =
        serde_json::from_str(&second.run(&["list", "--json"]).stdout()).unwrap();
    let paths = list[0]["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(
        list[0].get("published").is_none(),
        "absent values are left out, not null"
    );
}

/// `tele*` (its count), `title:economy` and `oil -prices` (their ids) against a scan of the
/// exported titles and bodies, analysed as the index analyses them.
fn queries_agree_with_a_scan_of_the_export(dir: &Dir) {
    use morgue_core::analysis::Analyzer;
    use std::collections::BTreeSet;
    let export = dir.run(&["export", "--no-raw"]);
    export.assert_code(0);
    /// Id, title terms, body terms.
    type Scanned = (String, Vec<String>, Vec<String>);
    let mut docs: Vec<Scanned> = Vec::new();
    for line in export.stdout().lines().skip(1) {
        let doc: serde_json::Value = serde_json::from_str(line).unwrap();
        let fields = &doc["fields"];
        let analyzer = Analyzer::for_language(fields["language"].as_str());
        let terms = |text: &str| {
            let mut out = Vec::new();
            analyzer.analyze(text, |t, _| out.push(t.to_owned()));
            out
        };
        let title = terms(fields["title"].as_str().unwrap_or(""));
        let body = terms(
            fields["body"]
                .as_str()
                .unwrap_or_else(|| doc["text"].as_str().unwrap()),
        );
        docs.push((doc["id"].as_str().unwrap().to_owned(), title, body));
    }
    assert_eq!(docs.len(), 2127);
    let english = Analyzer::english();
    let prefix = english.prefix_terms("tele").pop().unwrap();
    let [economy] = &english.query_terms("economy")[..] else {
        panic!("one term")
    };
    let [oil] = &english.query_terms("oil")[..] else {
        panic!("one term")
    };
    let [prices] = &english.query_terms("prices")[..] else {
        panic!("one term")
    };
    let has =
        |d: &(String, Vec<String>, Vec<String>), t: &String| d.1.contains(t) || d.2.contains(t);
    let tele = docs
        .iter()
        .filter(|d| d.1.iter().chain(&d.2).any(|t| t.starts_with(&prefix)))
        .count();
    let count = dir.run(&["query", "tele*", "--count"]);
    count.assert_code(0);
    assert_eq!(count.stdout().trim().parse::<usize>().unwrap(), tele);
    let ids = |query: &str| -> BTreeSet<String> {
        let run = dir.run(&["query", query, "--jsonl", "--limit", "100000"]);
        run.assert_code(0);
        run.stdout()
            .lines()
            .map(|l| {
                let hit: serde_json::Value = serde_json::from_str(l).unwrap();
                hit["id"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    let scan = |pred: &dyn Fn(&Scanned) -> bool| -> BTreeSet<String> {
        docs.iter()
            .filter(|d| pred(d))
            .map(|d| d.0.clone())
            .collect()
    };
    let titled = scan(&|d| d.1.contains(economy));
    assert!(!titled.is_empty());
    assert_eq!(ids("title:economy"), titled);
    let oily = scan(&|d| has(d, oil) && !has(d, prices));
    assert!(!oily.is_empty());
    assert_eq!(ids("oil -prices"), oily);
}

#[test]
fn query_needs_a_current_index_and_answers_in_the_documented_shapes() {
    let dir = Dir::new();
    import_bbc(&dir).assert_code(0);
    let stale = dir.run(&["query", "oil"]);
    stale.assert_code(2);
    assert!(
        stale.stderr().contains("run `morgue reindex`"),
        "{}",
        stale.stderr()
    );
    let reindex = dir.run(&["reindex"]);
    reindex.assert_code(0);
    assert!(reindex.stderr().contains("reindexed 2,127 documents"));
    queries_agree_with_a_scan_of_the_export(&dir);

    let phrase = dir.run(&["query", "\"interest rates\"", "--jsonl", "--limit", "5"]);
    phrase.assert_code(0);
    let hits: Vec<serde_json::Value> = phrase
        .stdout()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(hits.len(), 5);
    let mut last = f64::INFINITY;
    for hit in &hits {
        let score = hit["score"].as_f64().unwrap();
        assert!(score <= last, "ranked best first");
        last = score;
        assert_eq!(hit["id"].as_str().unwrap().len(), 64);
        assert!(hit["title"].is_string());
        let snippet: Vec<char> = hit["snippet"].as_str().unwrap().chars().collect();
        let [start, end] = [0, 1].map(|i| hit["highlights"][0][i].as_u64().unwrap() as usize);
        let first: String = snippet[start..end].iter().collect();
        assert!(first.to_lowercase().starts_with("interest rate"), "{hit}");
        let text = dir
            .run(&["show", hit["id"].as_str().unwrap(), "--text"])
            .stdout()
            .to_lowercase();
        assert!(
            text.contains("interest rates"),
            "every hit holds the phrase"
        );
    }
    let count = dir.run(&["query", "tele*", "--count"]);
    count.assert_code(0);
    assert!(count.stdout().trim().parse::<u64>().unwrap() > 100);
    let none = dir.run(&["query", "zzzqqqx", "--count"]);
    none.assert_code(1);
    assert_eq!(none.stdout(), "0\n");
    dir.run(&["query", "zzzqqqx"]).assert_code(1);
    let bad = dir.run(&["query", "(oil AND"]);
    bad.assert_code(2);
    assert!(
        bad.stderr().contains("query error at 8"),
        "{}",
        bad.stderr()
    );
    // No extractor here produces entities: the filter is valid and matches nothing.
    let person = dir.run(&["query", "person:obama"]);
    person.assert_code(1);
    assert_eq!(person.stderr(), "", "{}", person.stderr());
    // export --query and reextract --query act on just the matches.
    let matches: u64 = dir
        .run(&["query", "\"interest rates\"", "--count"])
        .stdout()
        .trim()
        .parse()
        .unwrap();
    let export = dir.run(&["export", "--query", "\"interest rates\""]);
    export.assert_code(0);
    let lines: Vec<&str> = export
        .0
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, matches + 1);
    let header: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(header["documents"], matches);
    for line in &lines[1..] {
        let doc: serde_json::Value = serde_json::from_str(line).unwrap();
        // Phrases match stemmed words, so "interest rate" matches too.
        let text = doc["text"].as_str().unwrap().to_lowercase();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains("interest rate"), "{}", doc["id"]);
    }
    let re = dir.run(&["reextract", "--query", "\"interest rates\""]);
    re.assert_code(0);
    assert!(
        re.stderr().contains(&format!("re-extracted {matches},")),
        "{}",
        re.stderr()
    );
    dir.run(&["export", "--query", "(broken"]).assert_code(2);
    // Once indexed, an archive stays current through imports.
    let new = dir.write(
        "new/story.txt",
        "Zebra crossing rules change\n\nA new zebra crossing code was published on Monday.\n",
    );
    dir.run(&["import", new.to_str().unwrap()]).assert_code(0);
    let found = dir.run(&["query", "zebra", "--jsonl"]);
    found.assert_code(0);
    assert!(
        found
            .stdout()
            .contains(&sha256_hex(&std::fs::read(&new).unwrap())),
        "{}",
        found.stdout()
    );
    // Removing a document takes it out of the results without a rebuild.
    let first = hits[0]["id"].as_str().unwrap().to_owned();
    dir.run(&["rm", &first]).assert_code(0);
    let again = dir.run(&["query", "\"interest rates\"", "--jsonl", "--limit", "100"]);
    assert!(!again.stdout().contains(&first));
}

#[test]
fn field_filters_follow_tags_and_compact_keeps_every_answer() {
    let dir = Dir::new();
    dir.run(&["reindex"]).assert_code(2);
    // Index first, then import each category with its tag: imports keep the index current.
    let init = dir.write(
        "init/seed.txt",
        "Seed story\n\nThe first story of the archive.\n",
    );
    dir.run(&["import", init.to_str().unwrap()]).assert_code(0);
    dir.run(&["reindex"]).assert_code(0);
    for path in bbc_dirs() {
        let category = path.file_name().unwrap().to_str().unwrap().to_owned();
        if category != "business" && category != "tech" {
            continue;
        }
        dir.run(&["import", path.to_str().unwrap(), "--tag", &category])
            .assert_code(0);
    }
    let count = |q: &str| -> u64 {
        let run = dir.run(&["query", q, "--count"]);
        run.stdout().trim().parse().unwrap()
    };
    let business = count("tag:business");
    let tech = count("tag:tech");
    assert!(business > 400 && tech > 300, "{business} {tech}");
    assert_eq!(count("tag:business OR tag:tech"), business + tech);
    let economy = count("economy");
    let economy_business = count("economy tag:business");
    assert!(economy_business > 0 && economy_business < economy);
    assert_eq!(count("tag:bus*"), business);
    // Untagging takes a document out of the tag's list at once.
    let hit = dir.run(&["query", "tag:tech", "--jsonl", "--limit", "1"]);
    let id: serde_json::Value = serde_json::from_str(hit.stdout().lines().next().unwrap()).unwrap();
    let id = id["id"].as_str().unwrap().to_owned();
    dir.run(&["tag", &id, "-tech", "+kept"]).assert_code(0);
    assert_eq!(count("tag:tech"), tech - 1);
    assert_eq!(count("tag:kept"), 1);
    // Compaction rewrites the store; every answer stays the same and nothing is lost.
    let queries = [
        "economy",
        "\"interest rates\"",
        "tele*",
        "title:economy",
        "oil -prices",
        "tag:business",
        "tag:kept",
        "economy tag:business",
        "words:>500",
    ];
    let before: Vec<String> = queries
        .iter()
        .map(|q| dir.run(&["query", q, "--jsonl", "--limit", "50"]).stdout())
        .collect();
    let documents = |dir: &Dir| -> u64 {
        let stats: serde_json::Value =
            serde_json::from_str(&dir.run(&["stats", "--json"]).stdout()).unwrap();
        assert!(stats["trees"]["postings"]["entries"].as_u64().unwrap() > 1000);
        stats["documents"].as_u64().unwrap()
    };
    let docs_before = documents(&dir);
    let export_before = dir.run(&["export"]);
    export_before.assert_code(0);
    let compact = dir.run(&["compact"]);
    compact.assert_code(0);
    assert!(
        compact.stderr().contains("compacted"),
        "{}",
        compact.stderr()
    );
    assert!(!dir.archive().join("db.compact").exists());
    assert_eq!(documents(&dir), docs_before);
    // Documents now live in packs: the export, originals included, is byte for byte the same.
    let export_after = dir.run(&["export"]);
    export_after.assert_code(0);
    assert!(export_before.0.stdout == export_after.0.stdout);
    for (q, expected) in queries.iter().zip(&before) {
        let after = dir.run(&["query", q, "--jsonl", "--limit", "50"]).stdout();
        assert_eq!(&after, expected, "{q}");
    }
    // The index stays current through imports after a compact.
    let new = dir.write(
        "new/story.txt",
        "Zebra crossing rules change\n\nA new zebra crossing code was published on Monday.\n",
    );
    dir.run(&["import", new.to_str().unwrap(), "--tag", "roads"])
        .assert_code(0);
    assert_eq!(count("zebra tag:roads"), 1);
    // A packed document can still change (its record leaves the pack) and be removed, and a
    // second compact packs the archive again with nothing lost.
    dir.run(&["tag", &id, "+again"]).assert_code(0);
    assert_eq!(count("tag:again"), 1);
    let gone = dir.run(&["query", "tag:business", "--jsonl", "--limit", "1"]);
    let gone: serde_json::Value =
        serde_json::from_str(gone.stdout().lines().next().unwrap()).unwrap();
    dir.run(&["rm", gone["id"].as_str().unwrap()])
        .assert_code(0);
    let export_before = dir.run(&["export"]);
    dir.run(&["compact"]).assert_code(0);
    assert!(export_before.0.stdout == dir.run(&["export"]).0.stdout);
    assert_eq!(documents(&dir), docs_before);
    assert_eq!(count("tag:again"), 1);
    assert_eq!(count("tag:business"), business - 1);
}

#[test]
fn export_writes_through_links_pipes_and_devices() {
    use std::os::unix::fs::FileTypeExt;
    let dir = Dir::new();
    let a = dir.write("in/a.txt", "Alpha headline\n\nAlpha body.\n");
    dir.run(&["import", a.to_str().unwrap()]).assert_code(0);
    let expected = dir.run(&["export"]).0.stdout;
    assert!(!expected.is_empty());

    // A symbolic link stays a link; its target gets the export.
    let target = dir.write("real/backup.jsonl", "old contents");
    let link = dir.path().join("backup.jsonl");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    dir.run(&["export", "--out", link.to_str().unwrap()])
        .assert_code(0);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&target).unwrap(), expected);

    // A FIFO stays a FIFO and its reader gets the export.
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    dir.run(&["export", "--out", fifo.to_str().unwrap()])
        .assert_code(0);
    assert_eq!(reader.join().unwrap(), expected);
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );

    // A full device is a failure, and the device stays what it was.
    let full = std::path::Path::new("/dev/full");
    if full.exists() {
        let run = dir.run(&["export", "--out", "/dev/full"]);
        run.assert_code(2);
        assert!(run.stderr().contains("/dev/full"), "{}", run.stderr());
        assert!(!run.stderr().contains("exported"), "{}", run.stderr());
        assert!(
            std::fs::symlink_metadata(full)
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }

    // A leftover temporary name that is a link is never written through; a loop of links,
    // and a path inside the archive, are refused.
    let precious = dir.write("precious", "keep me");
    std::os::unix::fs::symlink(&precious, dir.path().join(".v2.jsonl.partial")).unwrap();
    dir.run(&["export", "--out", "v2.jsonl"]).assert_code(0);
    assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep me");
    assert_eq!(
        std::fs::read(dir.path().join("v2.jsonl")).unwrap(),
        expected
    );
    std::os::unix::fs::symlink("l2", dir.path().join("l1")).unwrap();
    std::os::unix::fs::symlink("l1", dir.path().join("l2")).unwrap();
    let run = dir.run(&["export", "--out", "l1"]);
    run.assert_code(2);
    assert!(run.stderr().contains("too many levels"), "{}", run.stderr());
    assert!(
        std::fs::symlink_metadata(dir.path().join("l1"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let inside = dir.archive().join("manifest.json");
    let before = std::fs::read(&inside).unwrap();
    let run = dir.run(&["export", "--out", inside.to_str().unwrap()]);
    run.assert_code(2);
    assert!(
        run.stderr().contains("inside the archive"),
        "{}",
        run.stderr()
    );
    assert_eq!(std::fs::read(&inside).unwrap(), before);
    // /dev/stdout when stdout is a pipe: written through.
    let piped = dir.run(&["export", "--out", "/dev/stdout"]);
    piped.assert_code(0);
    assert_eq!(piped.0.stdout, expected);

    // A regular file is replaced only once the export is complete; a directory is refused.
    let plain = dir.write("plain.jsonl", "old");
    dir.run(&["export", "--out", plain.to_str().unwrap()])
        .assert_code(0);
    assert_eq!(std::fs::read(&plain).unwrap(), expected);
    let run = dir.run(&["export", "--out", dir.path().to_str().unwrap()]);
    run.assert_code(2);
    assert!(run.stderr().contains("is a directory"), "{}", run.stderr());
}

/// Runs morgue with `args`, writing `input` to its stdin from another thread (so neither side
/// waits on a full pipe), and returns its output.
fn run_with_stdin(dir: &Dir, args: &[&str], input: Vec<u8>) -> util::Run {
    let mut child = dir
        .cmd()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // The child may stop reading early; a closed pipe is its answer, not the test's failure.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    util::Run(output)
}

/// An export line for a document whose original bytes are `raw` (UTF-8).
fn export_line(raw: &str) -> serde_json::Value {
    serde_json::json!({
        "id": sha256_hex(raw.as_bytes()),
        "source": {
            "paths": [],
            "media_type": "text/plain",
            "encoding": "utf-8",
            "imported_at": "2024-05-01T10:00:00Z",
            "tags": []
        },
        "raw": {"utf8": raw},
        "text": raw,
        "fields": {"title": "A title", "word_count": 3},
        "provenance": {}
    })
}

/// The header line of an export, its first key first as morgue writes it (stdin is known for
/// an export by how it starts).
fn export_header() -> String {
    r#"{"morgue_export":1,"documents":0,"raw":true,"generator":"test"}"#.to_owned()
}

/// A JSONL stream is read a line at a time: `--max-size` limits each document, never the
/// stream, and a line too long to hold a document of that size fails alone, by line number.
#[test]
fn a_jsonl_stream_is_limited_per_document_not_as_a_whole() {
    let mut lines = vec![export_header()];
    for i in 0..40 {
        let raw = format!("Headline {i}\n\n{}\n", "word ".repeat(100));
        lines.push(export_line(&raw).to_string());
    }
    // Line 12: a document of 3,000 bytes, over --max-size 2KiB.
    lines[11] = export_line(&"big ".repeat(750)).to_string();
    // Line 20: a line of more than 1 MiB and 16 times the limit, whatever it holds.
    let mut huge = export_line("Short headline\n\nShort body.\n");
    huge["text"] = serde_json::json!("x".repeat(1_200_000));
    lines[19] = huge.to_string();
    // The stream ends without a newline: its last line counts like any other.
    let stream = lines.join("\n").into_bytes();
    assert!(stream.len() > 1_000_000);

    let dir = Dir::new();
    let run = run_with_stdin(&dir, &["import", "--max-size", "2KiB", "-"], stream.clone());
    run.assert_code(2);
    let err = run.stderr();
    assert!(
        err.contains("failed: <stdin>:12: 2.9 KiB is over the --max-size of 2.0 KiB"),
        "{err}"
    );
    assert!(err.contains("failed: <stdin>:20: the line is 1."), "{err}");
    assert_eq!(
        run.summary(),
        "archived 38, already archived 0, skipped 0, failed 2"
    );
    assert_eq!(dir.stats()["documents"], 38);

    // A .jsonl file is read the same way.
    let other = Dir::new();
    let file = other.write("stream.jsonl", &stream);
    let run = other.run(&["import", "--max-size", "2KiB", file.to_str().unwrap()]);
    run.assert_code(2);
    let err = run.stderr();
    assert!(err.contains("stream.jsonl:12: 2.9 KiB is over"), "{err}");
    assert!(err.contains("stream.jsonl:20: the line is 1."), "{err}");
    assert_eq!(
        run.summary(),
        "archived 38, already archived 0, skipped 0, failed 2"
    );
}

/// `--max-size` is read exactly, a size of 2^64 bytes or more is refused as an argument, and a
/// document over the limit is reported with its real size, or as "more than" the limit when it
/// was not read to its end.
#[test]
fn max_size_is_exact_and_an_oversized_document_is_reported_truly() {
    let dir = Dir::new();
    let doc = dir.write("doc.txt", "A headline\n\nA body.\n");
    let doc = doc.to_str().unwrap();
    for too_big in [
        "18446744073709551616",
        "16EiB",
        "17179869184GiB",
        "99999999999999999999999k",
    ] {
        let run = dir.run(&["import", "--max-size", too_big, doc]);
        run.assert_code(2);
        let err = run.stderr();
        assert!(err.contains("invalid value"), "{too_big}: {err}");
        assert!(err.contains("--max-size"), "{too_big}: {err}");
        assert!(!err.contains("archived"), "{too_big}: {err}");
    }
    assert!(!dir.archive().exists(), "a bad argument creates nothing");
    // The largest size there is works like any other: nothing is over it.
    let run = dir.run(&["import", "--max-size", "18446744073709551615", doc]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 1, already archived 0, skipped 0, failed 0"
    );

    // Stdin is not read past the limit, so its size is unknown: "more than" the limit.
    let run = run_with_stdin(
        &dir,
        &["import", "--max-size", "1KiB", "-"],
        "word ".repeat(2000).into_bytes(),
    );
    run.assert_code(2);
    let err = run.stderr();
    assert!(
        err.contains("failed: <stdin>: more than the --max-size of 1.0 KiB"),
        "{err}"
    );
    // A file one byte over: its size, in bytes when the rounded sizes would read the same.
    let over = dir.write("over.txt", format!("Headline\n\n{}", "w".repeat(1015)));
    assert_eq!(std::fs::metadata(&over).unwrap().len(), 1025);
    let run = dir.run(&["import", "--max-size", "1KiB", over.to_str().unwrap()]);
    run.assert_code(2);
    let err = run.stderr();
    assert!(
        err.contains("over.txt: 1025 bytes is over the --max-size of 1024 bytes"),
        "{err}"
    );
}

/// Each line of an export is checked before it is restored: the core fields' types, the
/// encoding, the import time, the tags and the field names. A bad line fails alone, by line
/// number and problem; tags given on the command line are held to the same rules.
#[test]
fn export_lines_are_validated_before_they_are_restored() {
    use serde_json::json;
    type Spoil = fn(&mut serde_json::Value);
    let spoiled: [(&str, Spoil); 12] = [
        ("fields.title", |v| v["fields"]["title"] = json!(5)),
        ("fields.authors", |v| {
            v["fields"]["authors"] = json!(["A. Writer", 3])
        }),
        ("fields.word_count", |v| {
            v["fields"]["word_count"] = json!("many")
        }),
        ("fields.dateline", |v| {
            v["fields"]["dateline"] = json!("London")
        }),
        ("fields.quotes", |v| v["fields"]["quotes"] = json!(["said"])),
        ("fields.titel", |v| v["fields"]["titel"] = json!("typo")),
        ("source.encoding", |v| {
            v["source"]["encoding"] = json!("klingon")
        }),
        ("source.imported_at", |v| {
            v["source"]["imported_at"] = json!("yesterday")
        }),
        ("source.tags", |v| v["source"]["tags"] = json!(["ok", ""])),
        ("source.tags", |v| {
            v["source"]["tags"] = json!(["two\nlines"])
        }),
        ("source.tags", |v| v["source"]["tags"] = json!(["nul\u{0}"])),
        ("source.paths", |v| {
            v["source"]["paths"] = json!(["\u{0}/not/escaped"])
        }),
    ];
    let mut lines = vec![export_header()];
    for (i, (_, spoil)) in spoiled.iter().enumerate() {
        let mut line = export_line(&format!("Headline {i}\n\nBody {i}.\n"));
        spoil(&mut line);
        lines.push(line.to_string());
    }
    let mut good = export_line("Good headline\n\nGood body.\n");
    good["fields"]["readtime.minutes"] = json!(1.5);
    good["fields"]["dateline"] = json!({"place": "LONDON"});
    good["source"]["encoding"] = json!("windows-1252");
    good["source"]["tags"] = json!(["fine tag", "ok"]);
    lines.push(good.to_string());
    let dir = Dir::new();
    let file = dir.write("restore.jsonl", lines.join("\n") + "\n");
    let run = dir.run(&["import", file.to_str().unwrap()]);
    run.assert_code(2);
    let err = run.stderr();
    for (i, (what, _)) in spoiled.iter().enumerate() {
        let at = format!("restore.jsonl:{}: {what}", i + 2);
        assert!(err.contains(&at), "{at}: {err}");
    }
    assert_eq!(
        run.summary(),
        format!(
            "archived 1, already archived 0, skipped 0, failed {}",
            spoiled.len()
        )
    );

    // --tag and `tag +T` refuse what a restore refuses.
    let doc = dir.write("doc.txt", "A headline\n\nA body.\n");
    for bad in ["", "two\nlines", "nul\u{7f}", "a,b"] {
        let run = dir.run(&["import", "--tag", bad, doc.to_str().unwrap()]);
        run.assert_code(2);
        assert!(
            run.stderr().contains("is not a tag"),
            "{bad:?}: {}",
            run.stderr()
        );
        let id = sha256_hex(b"Good headline\n\nGood body.\n");
        let run = dir.run(&["tag", &id[..12], &format!("+{bad}")]);
        run.assert_code(2);
        assert!(
            run.stderr().contains("is not a tag"),
            "{bad:?}: {}",
            run.stderr()
        );
    }
    assert_eq!(dir.stats()["documents"], 1);
}

/// An export line for a document whose original bytes are `raw`, recorded as decoded with
/// `encoding`; the bytes go as base64 when they are not UTF-8, as morgue writes them.
fn export_line_of_bytes(raw: &[u8], encoding: &str) -> serde_json::Value {
    use base64::Engine;
    let mut line = export_line("placeholder");
    line["id"] = sha256_hex(raw).into();
    line["source"]["encoding"] = encoding.into();
    line["raw"] = match std::str::from_utf8(raw) {
        Ok(text) => serde_json::json!({ "utf8": text }),
        Err(_) => {
            serde_json::json!({ "base64": base64::engine::general_purpose::STANDARD.encode(raw) })
        }
    };
    line
}

/// A restored line is held to what an import of its bytes as a file is: the recorded encoding
/// must decode the original bytes without loss, and bytes that are empty or not text are
/// refused with the reason a file gets. Each bad line fails alone, by line number; the
/// exports morgue writes, UTF-8 and windows-1252 alike, still restore exactly.
#[test]
fn restored_bytes_are_checked_as_a_file_of_them_would_be() {
    let controls: Vec<u8> = (0..200).flat_map(|_| *b"ab\x01\x02").collect();
    let bad: [(&[u8], &str, &[&str]); 7] = [
        (
            b"Headline\n\nA pound: \xa3 15.\n",
            "utf-8",
            &[
                "source.encoding \"utf-8\"",
                "not valid UTF-8 at byte offset 19",
            ],
        ),
        (
            b"\xef\xbb\xbfHeadline\n\n\xff\n",
            "",
            &["source.encoding \"\"", "not valid UTF-8 at byte offset 13"],
        ),
        (
            b"\xff\xfeH\0i\0!",
            "utf-16le",
            &["source.encoding \"utf-16le\"", "not valid UTF-16LE"],
        ),
        (
            b"Headline\n\nA NUL \0 here.\n",
            "utf-8",
            &["raw: not text: it contains NUL bytes"],
        ),
        (b"", "utf-8", &["raw: empty file"]),
        (b" \n\t\n", "utf-8", &["raw: empty file"]),
        (
            &controls,
            "windows-1252",
            &["raw: not text:", "control characters"],
        ),
    ];
    let dir = Dir::new();
    let mut lines = vec![export_header()];
    for (raw, encoding, _) in &bad {
        lines.push(export_line_of_bytes(raw, encoding).to_string());
    }
    let good = "Good headline\n\nGood body.\n";
    lines.push(export_line(good).to_string());
    let file = dir.write("restore.jsonl", lines.join("\n") + "\n");
    let run = dir.run(&["import", file.to_str().unwrap()]);
    run.assert_code(2);
    let err = run.stderr();
    for (i, (_, _, reasons)) in bad.iter().enumerate() {
        let at = format!("failed: {}:{}: ", file.display(), i + 2);
        let line = err
            .lines()
            .find(|l| l.starts_with(&at))
            .unwrap_or_else(|| panic!("{at}: {err}"));
        for reason in *reasons {
            assert!(line.contains(reason), "{reason}: {line}");
        }
    }
    assert_eq!(
        run.summary(),
        format!(
            "archived 1, already archived 0, skipped 0, failed {}",
            bad.len()
        )
    );
    let shown = dir.run(&["show", &sha256_hex(good.as_bytes())[..12], "--text"]);
    shown.assert_code(0);
    assert!(!shown.stdout().contains('\u{fffd}'), "{}", shown.stdout());
    // The bytes refused as text are refused as a file too, for the same reason.
    for (i, (raw, _, reasons)) in bad.iter().enumerate().skip(2) {
        let file = dir.write(&format!("bad{i}.txt"), raw);
        let run = dir.run(&["import", file.to_str().unwrap()]);
        run.assert_code(2);
        let reason = reasons.last().unwrap().trim_start_matches("raw: ");
        assert!(run.stderr().contains(reason), "{reason}: {}", run.stderr());
    }

    // Exports of a UTF-8 and a windows-1252 document restore to the same export.
    let from = Dir::new();
    let sample = corpus().join("samples/us-urged-twitter-iran.txt");
    let bbc = corpus().join("bbc/sport/199.txt");
    from.run(&[
        std::ffi::OsStr::new("import"),
        sample.as_os_str(),
        bbc.as_os_str(),
    ])
    .assert_code(0);
    let export = from.run(&["export"]);
    export.assert_code(0);
    let to = Dir::new();
    let run = run_with_stdin(&to, &["import", "-"], export.0.stdout.clone());
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 2, already archived 0, skipped 0, failed 0"
    );
    let again = to.run(&["export"]);
    again.assert_code(0);
    assert_eq!(again.stdout(), export.stdout());
}

/// Decodes a stored path as README documents it: as it is, or, after a leading NUL, with
/// `\\` for a backslash and `\xNN` for a byte that is not UTF-8.
fn stored_path_bytes(stored: &str) -> Vec<u8> {
    let Some(escaped) = stored.strip_prefix('\0') else {
        return stored.as_bytes().to_vec();
    };
    let mut out = Vec::new();
    let mut rest = escaped.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'\\' {
            if tail[0] == b'\\' {
                out.push(b'\\');
                rest = &tail[1..];
            } else {
                assert_eq!(tail[0], b'x', "{stored:?}");
                let hex = std::str::from_utf8(&tail[1..3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                rest = &tail[3..];
            }
        } else {
            out.push(b);
            rest = tail;
        }
    }
    out
}

/// A file name that is not UTF-8 is recorded exactly, so two such names are two paths, a
/// re-import knows them, and an export restores them.
#[test]
fn file_names_that_are_not_utf8_are_recorded_exactly() {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let dir = Dir::new();
    let folder = dir.path().join("in");
    std::fs::create_dir_all(&folder).unwrap();
    let names: [&[u8]; 3] = [b"caf\xe9.txt", b"caf\xe8.txt", b"back\\slash \xff.txt"];
    let mut real = Vec::new();
    for name in names {
        let path = folder.join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(&path, "Same headline\n\nSame body.\n").unwrap();
        real.push(
            std::fs::canonicalize(&path)
                .unwrap()
                .into_os_string()
                .into_vec(),
        );
    }
    let run = dir.run(&[std::ffi::OsStr::new("import"), folder.as_os_str()]);
    run.assert_code(0);
    assert_eq!(
        run.summary(),
        "archived 1, already archived 2, skipped 0, failed 0"
    );
    let id = sha256_hex(b"Same headline\n\nSame body.\n");
    let paths = |dir: &Dir| -> Vec<String> {
        let shown = dir.run(&["show", &id, "--json"]);
        let json: serde_json::Value = serde_json::from_str(&shown.stdout()).unwrap();
        json["source"]["paths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect()
    };
    let stored = paths(&dir);
    assert_eq!(stored.len(), 3, "{stored:?}");
    assert!(stored.iter().all(|p| !p.contains('\u{fffd}')), "{stored:?}");
    let mut decoded: Vec<Vec<u8>> = stored.iter().map(|p| stored_path_bytes(p)).collect();
    decoded.sort();
    real.sort();
    assert_eq!(decoded, real);
    // A re-import finds every path already recorded.
    let run = dir.run(&[std::ffi::OsStr::new("import"), folder.as_os_str()]);
    assert_eq!(
        run.summary(),
        "archived 0, already archived 3, skipped 0, failed 0"
    );
    assert_eq!(paths(&dir), stored);
    // The table shows the bytes escaped, the marker left out.
    let shown = dir.run(&["show", &id]).stdout();
    assert!(shown.contains("/in/caf\\xe9.txt\n"), "{shown}");
    assert!(!shown.contains('\0'), "{shown}");
    // An export restores the same paths.
    let export = dir.write("all.jsonl", dir.run(&["export"]).0.stdout);
    let other = Dir::new();
    other
        .run(&[std::ffi::OsStr::new("import"), export.as_os_str()])
        .assert_code(0);
    assert_eq!(paths(&other), stored);
}

/// Control characters in file names, titles and fields are shown escaped in tables, never
/// sent to the terminal; JSON keeps them exactly.
#[test]
fn tables_never_send_control_characters_to_the_terminal() {
    let dir = Dir::new();
    let raw = "Headline\n\nBody.\n";
    let mut line = export_line(raw);
    line["fields"]["title"] = serde_json::json!("Evil \u{1b}]0;owned\u{7} title");
    line["fields"]["subtitle"] = serde_json::json!("Over\rwritten \u{9b}31m");
    line["fields"]["body"] = serde_json::json!("First line.\r\n\u{1b}[2JSecond line.\n");
    line["fields"]["evil.note"] = serde_json::json!("\u{1b}[31mred");
    line["source"]["paths"] = serde_json::json!(["/tmp/evil\u{1b}[2J.txt"]);
    let file = dir.write("evil.jsonl", format!("{}\n{line}\n", export_header()));
    dir.run(&["import", file.to_str().unwrap()]).assert_code(0);
    let id = sha256_hex(raw.as_bytes());
    let named = dir.write("evil\u{1b}[2J name.txt", "Plain headline\n\nPlain body.\n");
    dir.run(&["import", named.to_str().unwrap()]).assert_code(0);
    let named_id = sha256_hex(b"Plain headline\n\nPlain body.\n");

    // Line breaks of a body stay, `\r\n` among them; nothing else does.
    let is_control = |c: char| c.is_control() && c != '\n';
    let without_crlf = |s: String| s.replace("\r\n", "\n");
    let list = dir.run(&["list"]).stdout();
    assert!(!list.contains(is_control), "{list:?}");
    assert!(list.contains("Evil \\u{1b}]0;owned\\u{7} title"), "{list}");
    let shown = without_crlf(dir.run(&["show", &id]).stdout());
    assert!(!shown.contains(is_control), "{shown:?}");
    assert!(shown.contains("/tmp/evil\\u{1b}[2J.txt"), "{shown}");
    assert!(shown.contains("Over\\rwritten \\u{9b}31m"), "{shown}");
    assert!(shown.contains("\\u{1b}[31mred"), "{shown}");
    assert!(shown.contains("\\u{1b}[2JSecond line."), "{shown}");
    let shown = dir.run(&["show", &named_id]).stdout();
    assert!(!shown.contains(is_control), "{shown:?}");
    assert!(shown.contains("evil\\u{1b}[2J name.txt"), "{shown}");
    // JSON is exact.
    let json: serde_json::Value =
        serde_json::from_str(&dir.run(&["show", &id, "--json"]).stdout()).unwrap();
    assert_eq!(json["fields"]["title"], line["fields"]["title"]);
    assert_eq!(json["source"]["paths"], line["source"]["paths"]);
}
