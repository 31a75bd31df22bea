//! Runs the structure extractor over the shared corpus — the reference sample and the 2,225
//! BBC articles — and checks what the archive promises about them.

use std::path::{Path, PathBuf};

use morgue_core::extract::check_output;
use morgue_core::{ExtractInput, Extractor, Fields};
use morgue_plugin_structure::Structure;
use serde_json::{Value, json};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// Decodes a corpus file as the importer does: UTF-8, or windows-1252 when the bytes are not
/// valid UTF-8 (`bbc/sport/199.txt`).
fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// Runs the extractor through its trait, as the pipeline does, and checks the output against
/// the manifest.
fn extract(text: &str) -> Fields {
    let no_fields = Fields::new();
    let input = ExtractInput {
        id: "0",
        media_type: "text/plain",
        text,
        raw: text.as_bytes(),
        url: None,
        fields: &no_fields,
    };
    let fields = Structure
        .extract(&input)
        .expect("extraction succeeds")
        .fields;
    check_output(&Structure.manifest(), &fields).expect("output matches the manifest");
    fields
}

fn str_field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields.get(name).and_then(Value::as_str)
}

#[test]
fn reference_sample() {
    let path = corpus().join("samples/us-urged-twitter-iran.txt");
    let text = decode(&std::fs::read(&path).expect("the sample is readable"));
    let fields = extract(&text);

    let title = str_field(&fields, "title");
    assert_eq!(
        title,
        Some("US urged Twitter to keep running during Iran polls")
    );
    assert_eq!(
        str_field(&fields, "subtitle"),
        Some("Iranians had to be enabled to communicate rapidly unfolding events.")
    );
    assert_eq!(fields["dateline"], json!({"place": "Washington"}));

    let body = str_field(&fields, "body").expect("a body");
    assert!(body.starts_with("The US State Department urged"), "{body}");
    assert!(
        body.ends_with("South Korean President Lee Myung-bak on Tuesday."),
        "{body}"
    );
    assert!(!body.contains("US urged Twitter to keep running"));
    for furniture in [
        "What's your reaction?",
        "Comments",
        "https://wapozavr.com/assets/images/user-avatar-s.jpg",
        "user-avatar",
        "0 comment",
        "Write the first comment for this!",
    ] {
        assert!(!body.contains(furniture), "body holds {furniture:?}");
    }
    assert_eq!(fields["comment_count"], json!(0));
    assert_eq!(str_field(&fields, "site"), Some("wapozavr.com"));
    assert_eq!(fields["word_count"], json!(body.split_whitespace().count()));
    assert_eq!(
        fields["boilerplate"],
        json!([
            "What's your reaction?",
            "Comments",
            "https://wapozavr.com/assets/images/user-avatar-s.jpg",
            "0 comment",
            "Write the first comment for this!",
        ])
    );
}

/// The BBC files, sorted by category and name.
fn bbc_files() -> Vec<PathBuf> {
    let root = corpus().join("bbc");
    let mut files = Vec::new();
    for category in ["business", "entertainment", "politics", "sport", "tech"] {
        let dir = std::fs::read_dir(root.join(category)).expect("a BBC category folder");
        for entry in dir {
            let path = entry.expect("a directory entry").path();
            if path.extension().is_some_and(|e| e == "txt") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn bbc_corpus() {
    let files = bbc_files();
    assert_eq!(files.len(), 2225, "the BBC corpus has 2,225 articles");

    let mut titles_ok = 0usize;
    let mut with_dateline = Vec::new();
    let mut with_subtitle = Vec::new();
    let (mut words_in, mut words_kept) = (0usize, 0usize);
    for path in &files {
        let text = decode(&std::fs::read(path).expect("a readable article"));
        let fields = extract(&text);
        let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
        if str_field(&fields, "title") == Some(first.trim()) {
            titles_ok += 1;
        } else {
            eprintln!("{}: title {:?}", path.display(), fields.get("title"));
        }
        if fields.contains_key("dateline") {
            with_dateline.push(path);
        }
        if fields.contains_key("subtitle") {
            with_subtitle.push(path);
        }
        words_in += rest.split_whitespace().count();
        words_kept += str_field(&fields, "body").map_or(0, |b| b.split_whitespace().count());
    }

    let n = files.len();
    let retention = words_kept as f64 / words_in as f64;
    let dateline_free = (n - with_dateline.len()) as f64 / n as f64;
    println!(
        "BBC: titles {titles_ok}/{n}; no dateline {}/{n} ({:.2}%); subtitles {}; body words \
         {words_kept}/{words_in} ({:.3}%)",
        n - with_dateline.len(),
        dateline_free * 100.0,
        with_subtitle.len(),
        retention * 100.0
    );
    assert_eq!(titles_ok, n, "every title is the first line");
    assert!(
        dateline_free >= 0.99,
        "datelines found in {with_dateline:?}"
    );
    assert!(retention >= 0.995, "body keeps {retention:.4} of the words");
}
