//! End-to-end tests of what scripts read: the JSON and CSV shapes of `list` and `query`, a
//! closed stdout, snippets and their highlights, and the wording of summaries.

#![allow(clippy::unwrap_used)]

mod util;

use std::io::Read;
use std::process::Stdio;
use std::sync::OnceLock;

use serde_json::Value;
use util::{Dir, bbc_dirs, corpus};

/// The id of the reference sample.
const SAMPLE: &str = "00213243cb5e56d0368d22304187cf57aff0135d1071ca80f448b489e4270df4";

/// One indexed archive of the BBC corpus and the sample, shared by the tests of this file:
/// they only read it, each command waiting for the archive's lock.
fn shared() -> &'static Dir {
    static DIR: OnceLock<Dir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Dir::new();
        let mut args = vec!["import".into()];
        args.extend(bbc_dirs().into_iter().map(|p| p.into_os_string()));
        dir.run(&args).assert_code(0);
        let sample = corpus().join("samples/us-urged-twitter-iran.txt");
        dir.run(&[
            "import".as_ref(),
            sample.as_os_str(),
            "--tag".as_ref(),
            "iran".as_ref(),
        ])
        .assert_code(0);
        dir.run(&["reindex"]).assert_code(0);
        dir
    })
}

/// Runs morgue on the shared archive, waiting for its lock.
fn run(args: &[&str]) -> util::Run {
    let mut all = vec!["--wait", "600"];
    all.extend_from_slice(args);
    shared().run(&all)
}

fn json(run: &util::Run) -> Value {
    serde_json::from_str(&run.stdout()).unwrap_or_else(|e| panic!("{e}: {}", run.stdout()))
}

fn jsonl(run: &util::Run) -> Vec<Value> {
    run.stdout()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Reads a few bytes of the command's stdout, closes it, and returns the exit code and stderr.
fn closed_early(args: &[&str]) -> (Option<i32>, String) {
    let mut child = shared()
        .cmd()
        .args(["--wait", "600"])
        .args(args)
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
    (status.code(), err)
}

#[test]
fn a_closed_stdout_ends_every_writer_quietly() {
    let many = ["said", "--limit", "100000"];
    let cases: Vec<Vec<&str>> = vec![
        vec!["list"],
        vec!["list", "--jsonl"],
        vec!["list", "--json"],
        vec!["list", "--csv"],
        [&["query"][..], &many, &["--json"]].concat(),
        [&["query"][..], &many, &["--jsonl"]].concat(),
        [&["query"][..], &many, &["--csv"]].concat(),
        [&["query"][..], &many].concat(),
        vec!["export"],
        vec!["show", SAMPLE, "--json"],
    ];
    for args in cases {
        let (code, err) = closed_early(&args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert_eq!(err, "", "{args:?}");
    }
}

#[test]
fn list_json_and_csv_carry_the_same_fields() {
    let rows = json(&run(&["list", "--json"]));
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2128);
    let sample = rows.iter().find(|r| r["id"] == SAMPLE).unwrap();
    let keys: Vec<&str> = sample.as_object().unwrap().keys().map(|k| &**k).collect();
    let csv = run(&["list", "--csv"]);
    csv.assert_code(0);
    let mut reader = csv::Reader::from_reader(csv.0.stdout.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "id",
            "title",
            "published",
            "imported_at",
            "media_type",
            "word_count",
            "paths",
            "tags"
        ]
    );
    for key in &keys {
        assert!(header.iter().any(|h| h == key), "{key} missing from CSV");
    }
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2128);
    let row = records.iter().find(|r| &r[0] == SAMPLE).unwrap();
    let cell = |name: &str| row[header.iter().position(|h| h == name).unwrap()].to_owned();
    assert_eq!(cell("title"), sample["title"].as_str().unwrap());
    assert_eq!(cell("word_count"), sample["word_count"].to_string());
    assert_eq!(cell("media_type"), "text/plain");
    // Lists are JSON arrays in their cell, as in the JSON.
    let tags: Value = serde_json::from_str(&cell("tags")).unwrap();
    assert_eq!(tags, sample["tags"]);
    let paths: Value = serde_json::from_str(&cell("paths")).unwrap();
    assert_eq!(paths, sample["paths"]);
    // Absent fields: left out of JSON, empty in CSV.
    assert!(sample.get("published").is_none());
    assert_eq!(cell("published"), "");
}

#[test]
fn query_json_carries_the_total_and_highlight_offsets() {
    let count: u64 = run(&["query", "\"interest rates\"", "--count"])
        .stdout()
        .trim()
        .parse()
        .unwrap();
    assert!(count > 20, "{count}");
    let out = json(&run(&[
        "query",
        "\"interest rates\"",
        "--json",
        "--limit",
        "100",
    ]));
    assert_eq!(out["total"], count);
    let hits = out["hits"].as_array().unwrap();
    assert_eq!(hits.len() as u64, count.min(100));
    let mut highlighted = 0;
    for hit in hits {
        let snippet = hit["snippet"].as_str().unwrap();
        assert!(!snippet.contains("**"), "no markup in JSON: {snippet}");
        let chars: Vec<char> = snippet.chars().collect();
        for span in hit["highlights"].as_array().unwrap() {
            let (start, end) = (
                span[0].as_u64().unwrap() as usize,
                span[1].as_u64().unwrap() as usize,
            );
            let words: String = chars[start..end].iter().collect::<String>().to_lowercase();
            let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
            // A phrase is highlighted as a whole, never a lone word of it ("rate-setting",
            // "Rates went up"), and without the punctuation around it.
            assert!(
                words.starts_with("interest") && words.contains(" rate"),
                "{words:?} in {snippet}"
            );
            assert!(chars[end - 1].is_alphanumeric(), "{words:?}");
            highlighted += 1;
        }
    }
    assert!(highlighted >= hits.len(), "every snippet shows its match");
    // Terms: each highlight is one matching word, its trailing comma left out.
    let out = json(&run(&["query", "year", "--json", "--limit", "50"]));
    let mut commas = 0;
    for hit in out["hits"].as_array().unwrap() {
        let chars: Vec<char> = hit["snippet"].as_str().unwrap().chars().collect();
        for span in hit["highlights"].as_array().unwrap() {
            let (start, end) = (
                span[0].as_u64().unwrap() as usize,
                span[1].as_u64().unwrap() as usize,
            );
            let word: String = chars[start..end].iter().collect();
            let terms = morgue_core::analysis::Analyzer::english().query_terms(&word);
            assert_eq!(terms, ["year"], "{word}");
            let edges = [word.chars().next().unwrap(), word.chars().last().unwrap()];
            assert!(edges.iter().all(|c| c.is_alphanumeric()), "{word:?}");
            commas += usize::from(chars.get(end) == Some(&','));
        }
    }
    assert!(commas > 0, "some match is followed by a comma");
    // The table marks the same words for people.
    let table = run(&["query", "\"interest rates\"", "--limit", "3"]);
    assert!(
        table.stdout().contains("**interest rates**"),
        "{}",
        table.stdout()
    );
    assert!(
        !table.stdout().contains("**rate-setting**"),
        "{}",
        table.stdout()
    );
}

#[test]
fn no_match_still_prints_the_shape() {
    let none = run(&["query", "zzzqqqx", "--json"]);
    none.assert_code(1);
    assert_eq!(json(&none), serde_json::json!({"total": 0, "hits": []}));
    let none = run(&["query", "zzzqqqx", "--csv"]);
    none.assert_code(1);
    assert_eq!(
        none.stdout(),
        "id,score,title,site,published,snippet,highlights\n"
    );
    let none = run(&["query", "zzzqqqx", "--jsonl"]);
    none.assert_code(1);
    assert_eq!(none.stdout(), "");
}

#[test]
fn fields_reach_every_query_format() {
    let args = ["query", "tag:iran", "--fields", "word_count,site,dateline"];
    let hit = &json(&run(&[&args[..], &["--json"]].concat()))["hits"][0];
    assert_eq!(hit["id"], SAMPLE);
    assert_eq!(hit["word_count"], 321);
    assert!(hit["site"].is_string());
    assert_eq!(hit["dateline"]["place"], "Washington");
    let line = &jsonl(&run(&[&args[..], &["--jsonl"]].concat()))[0];
    assert_eq!(line["word_count"], 321);
    let csv = run(&[&args[..], &["--csv"]].concat());
    csv.assert_code(0);
    let mut reader = csv::Reader::from_reader(csv.0.stdout.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "id",
            "score",
            "title",
            "site",
            "published",
            "snippet",
            "highlights",
            "word_count",
            "dateline"
        ]
    );
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[7], "321");
    let dateline: Value = serde_json::from_str(&row[8]).unwrap();
    assert_eq!(dateline["place"], "Washington");
    // Source attributes too, in the order asked for, in JSON as in CSV; the table shows them.
    let args = [
        "query",
        "tag:iran",
        "--fields",
        "tags,media_type,word_count",
    ];
    let line = run(&[&args[..], &["--jsonl"]].concat()).stdout();
    let keys: Vec<String> = serde_json::from_str::<serde_json::Map<String, Value>>(&line)
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert!(
        line.find("\"tags\"").unwrap() < line.find("\"media_type\"").unwrap(),
        "{line}"
    );
    assert!(
        line.find("\"media_type\"").unwrap() < line.find("\"word_count\"").unwrap(),
        "{line}"
    );
    assert!(keys.contains(&"tags".to_owned()), "{keys:?}");
    let hit: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(hit["tags"], serde_json::json!(["iran"]));
    let table = run(&args).stdout();
    assert!(table.contains("    word_count: 321"), "{table}");
    let refused = run(&["query", "tag:iran", "--fields", "nonexistent"]);
    refused.assert_code(2);
    assert!(
        refused.stderr().contains("nonexistent"),
        "{}",
        refused.stderr()
    );
    // A query may start with a minus.
    let minus = run(&["query", "-economy", "--count"]);
    minus.assert_code(0);
    // A field no document has is an empty column, not an error.
    let csv = run(&["query", "tag:iran", "--csv", "--fields", "readtime.minutes"]);
    csv.assert_code(0);
    assert!(
        csv.stdout()
            .starts_with("id,score,title,site,published,snippet,highlights,readtime.minutes\n")
    );
}

#[test]
fn plugin_and_unknown_fields_are_refused_with_what_can_be_filtered() {
    for (query, name) in [
        ("readtime.minutes:>2", "readtime.minutes"),
        ("word_count:>2", "word_count"),
        ("foo:bar", "foo"),
    ] {
        let refused = run(&["query", query]);
        refused.assert_code(2);
        let err = refused.stderr();
        assert!(err.contains(&format!("\"{name}\"")), "{query}: {err}");
        assert!(err.contains("title, body, site"), "{query}: {err}");
        assert!(err.contains("words"), "{query}: {err}");
    }
    let err = run(&["query", "readtime.minutes:>2"]).stderr();
    assert!(err.contains("--fields readtime.minutes"), "{err}");
    // Times and URLs are still words.
    run(&["query", "10:30", "--count"]);
    assert_ne!(run(&["query", "10:30", "--count"]).code(), 2);
}

#[test]
fn sorting_by_date_reads_the_same_way_everywhere() {
    let listed = json(&run(&["list", "--json", "--sort", "imported"]));
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.last().unwrap()["id"], SAMPLE, "oldest first");
    let reversed = json(&run(&["list", "--json", "--sort", "imported", "--reverse"]));
    assert_eq!(reversed[0]["id"], SAMPLE);
    let q = [
        "query",
        "state OR twitter",
        "--jsonl",
        "--limit",
        "100000",
        "--sort",
        "imported",
    ];
    let hits = jsonl(&run(&q));
    assert!(hits.len() > 2);
    assert_eq!(hits.last().unwrap()["id"], SAMPLE, "oldest first");
    let hits = jsonl(&run(&[&q[..], &["--reverse"]].concat()));
    assert_eq!(hits[0]["id"], SAMPLE);
}

#[test]
fn counts_are_singular_when_they_are_one() {
    let one = run(&["query", "tag:iran"]);
    one.assert_code(0);
    assert!(
        one.stderr().contains("1 matching document\n"),
        "{}",
        one.stderr()
    );
    let dir = Dir::new();
    let a = dir.write("a.txt", "Alpha headline\n\nAlpha body text here.\n");
    dir.run(&["import", a.to_str().unwrap()]).assert_code(0);
    let reindex = dir.run(&["reindex"]);
    assert!(
        reindex.stderr().contains("reindexed 1 document\n"),
        "{}",
        reindex.stderr()
    );
    let tag = dir.run(&[
        "tag",
        &util::sha256_hex(b"Alpha headline\n\nAlpha body text here.\n"),
        "+x",
    ]);
    assert!(
        tag.stderr().contains("tagged 1 document (1 changed)"),
        "{}",
        tag.stderr()
    );
    let out = dir.path().join("one.jsonl");
    let export = dir.run(&["export", "--out", out.to_str().unwrap()]);
    assert!(
        export.stderr().contains("exported 1 document to"),
        "{}",
        export.stderr()
    );
    let rm = dir.run(&[
        "rm",
        &util::sha256_hex(b"Alpha headline\n\nAlpha body text here.\n"),
    ]);
    assert!(
        rm.stderr().contains("removed 1 document\n"),
        "{}",
        rm.stderr()
    );
}

#[test]
fn help_and_errors_say_what_is_true() {
    let help = run(&["query", "--help"]);
    assert!(
        !help.stdout().contains("after importing"),
        "{}",
        help.stdout()
    );
    let dir = Dir::new();
    let file = dir.write("notes.txt", "not an archive");
    let list = util::Run(
        std::process::Command::new(util::morgue_bin())
            .args(["--archive", file.to_str().unwrap(), "list"])
            .env("NO_COLOR", "1")
            .output()
            .unwrap(),
    );
    list.assert_code(2);
    assert!(!list.stderr().contains("create one"), "{}", list.stderr());
    assert!(list.stderr().contains("is a file"), "{}", list.stderr());
}
