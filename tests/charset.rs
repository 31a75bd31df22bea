//! HTML pages are read in the character set they declare (or one guessed from their bytes),
//! recorded so that the text derived again from the raw bytes is the text read at import, and
//! restored from an export under that same encoding.

#![allow(clippy::unwrap_used)]

mod util;

use std::path::Path;

use util::{Dir, sha256_hex};

/// A page whose head holds `meta`, then `body` as given (already encoded).
fn page(meta: &str, body: &[u8]) -> Vec<u8> {
    let mut bytes =
        format!("<!DOCTYPE html>\n<html><head>{meta}<title>t</title></head><body><p>").into_bytes();
    bytes.extend_from_slice(body);
    bytes.extend_from_slice(b"</p></body></html>\n");
    bytes
}

/// Shift_JIS for "東京の天気は晴れです。明日は雨が降るでしょう。".
const SHIFT_JIS_WEATHER: &[u8] =
    b"\x93\x8c\x8b\x9e\x82\xcc\x93\x56\x8b\x43\x82\xcd\x90\xb0\x82\xea\
\x82\xc5\x82\xb7\x81\x42\x96\xbe\x93\xfa\x82\xcd\x89\x4a\x82\xaa\x8d\x7e\x82\xe9\x82\xc5\x82\xb5\
\x82\xe5\x82\xa4\x81\x42";
const WEATHER: &str = "東京の天気は晴れです。明日は雨が降るでしょう。";

/// `show ID --json` in `archive`, parsed.
fn show(archive: &Path, id: &str) -> serde_json::Value {
    let run = util::run_on(archive, &["show", id, "--json"]);
    run.assert_code(0);
    serde_json::from_slice(&run.0.stdout).unwrap()
}

/// Imports `bytes` as the file `name` into a fresh archive and checks what was recorded:
/// `encoding`, a text holding `expected`, and stderr with or without a warning. Then exports
/// it as JSONL and imports that into a second archive, which must hold the same document
/// under the same id, read the same way. Returns the import's stderr.
#[track_caller]
fn round_trip(name: &str, bytes: &[u8], encoding: &str, expected: &str) -> String {
    let dir = Dir::new();
    let file = dir.write(name, bytes);
    let run = dir.run(&[std::ffi::OsStr::new("import"), file.as_os_str()]);
    run.assert_code(0);
    let stderr = run.stderr();
    assert!(
        stderr.ends_with("archived 1, already archived 0, skipped 0, failed 0\n"),
        "{stderr}"
    );
    let id = sha256_hex(bytes);
    let json = show(&dir.archive(), &id[..12]);
    assert_eq!(json["id"], id.as_str());
    assert_eq!(json["source"]["media_type"], "text/html");
    assert_eq!(json["source"]["encoding"], encoding, "{json}");
    let text = json["text"].as_str().unwrap();
    assert!(text.contains(expected), "{text}");
    assert!(!text.contains('\u{fffd}'), "{text}");
    let raw = dir.run(&["show", &id[..12], "--raw"]);
    raw.assert_code(0);
    assert_eq!(raw.0.stdout, bytes, "raw bytes are kept exactly");

    let export = dir.run(&["export", "--format", "jsonl"]);
    export.assert_code(0);
    let export_file = dir.write("export.jsonl", &export.0.stdout);
    let restored = Dir::new();
    let run = restored.run(&[std::ffi::OsStr::new("import"), export_file.as_os_str()]);
    run.assert_code(0);
    assert!(
        run.summary()
            .starts_with("archived 1, already archived 0, skipped 0, failed 0"),
        "{}",
        run.stderr()
    );
    let again = show(&restored.archive(), &id[..12]);
    assert_eq!(again["id"], id.as_str());
    assert_eq!(again["source"]["encoding"], encoding);
    assert_eq!(again["text"], json["text"]);
    stderr
}

#[test]
fn a_windows_1252_page_declared_in_a_meta_is_read_in_it() {
    let bytes = page(
        r#"<meta charset="windows-1252">"#,
        b"Un caf\xe9 \xe0 Montr\xe9al.",
    );
    let stderr = round_trip("cafe.html", &bytes, "windows-1252", "Un café à Montréal.");
    assert!(
        !stderr.contains("warning"),
        "declared, so no warning: {stderr}"
    );
}

#[test]
fn a_shift_jis_page_declared_in_a_meta_is_read_in_it() {
    let bytes = page(r#"<meta charset="Shift_JIS">"#, SHIFT_JIS_WEATHER);
    let stderr = round_trip("tokyo.html", &bytes, "Shift_JIS", WEATHER);
    assert!(!stderr.contains("warning"), "{stderr}");

    let meta = r#"<meta http-equiv="Content-Type" content="text/html; charset=shift_jis">"#;
    let bytes = page(meta, SHIFT_JIS_WEATHER);
    round_trip("tokyo.htm", &bytes, "Shift_JIS", WEATHER);
}

#[test]
fn a_page_that_declares_nothing_is_utf8_or_guessed_with_a_warning() {
    let bytes = page("", WEATHER.as_bytes());
    let stderr = round_trip("utf8.html", &bytes, "utf-8", WEATHER);
    assert!(!stderr.contains("warning"), "{stderr}");

    let bytes = page("", SHIFT_JIS_WEATHER);
    let stderr = round_trip("guessed.html", &bytes, "Shift_JIS", WEATHER);
    assert!(
        stderr.contains("guessed.html: not valid UTF-8; decoded as Shift_JIS"),
        "{stderr}"
    );
}

#[test]
fn a_page_not_valid_in_the_encoding_it_declares_falls_back_with_a_warning() {
    // UTF-8 bytes under a declared EUC-JP, in which they are not valid.
    let bytes = page("<meta charset=euc-jp>", "Ça va ? 東京".as_bytes());
    let stderr = round_trip("wrong.html", &bytes, "utf-8", "Ça va ? 東京");
    assert!(
        stderr.contains(
            "wrong.html: not valid EUC-JP, the encoding the page declares; decoded as utf-8"
        ),
        "{stderr}"
    );
}

#[test]
fn plain_text_is_read_as_before_whatever_it_holds() {
    let dir = Dir::new();
    let bytes = page(
        r#"<meta charset="windows-1251">"#,
        b"\xcf\xee\xe3\xee\xe4\xe0",
    );
    let file = dir.write("note.txt", &bytes);
    let run = dir.run(&[std::ffi::OsStr::new("import"), file.as_os_str()]);
    run.assert_code(0);
    assert!(
        run.stderr()
            .contains("note.txt: not valid UTF-8; decoded as windows-1252"),
        "{}",
        run.stderr()
    );
    let json = show(&dir.archive(), &sha256_hex(&bytes)[..12]);
    assert_eq!(json["source"]["encoding"], "windows-1252");
    assert_eq!(json["source"]["media_type"], "text/plain");
}

#[test]
fn binary_bytes_named_html_are_refused_naming_the_file() {
    let dir = Dir::new();
    let mut noise = b"<meta charset=Shift_JIS>".to_vec();
    noise.extend((0..=255u8).cycle().skip(1).take(4096));
    let file = dir.write("noise.html", &noise);
    let run = dir.run(&[std::ffi::OsStr::new("import"), file.as_os_str()]);
    run.assert_code(2);
    let stderr = run.stderr();
    assert!(
        stderr.contains("noise.html") && stderr.contains("not text:"),
        "{stderr}"
    );
    assert!(stderr.ends_with("archived 0, already archived 0, skipped 0, failed 1\n"));
}
