//! `examples/tour.sh`, the README's tour, run in a fresh folder: every line does what the README
//! says it does.

#![allow(clippy::unwrap_used)]

mod util;

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;
use util::{Run, corpus, morgue_bin};

/// The id of the reference sample.
const SAMPLE: &str = "00213243cb5e56d0368d22304187cf57aff0135d1071ca80f448b489e4270df4";

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// A `morgue ...` line of a script without its comment, as bash runs it.
fn command(line: &str) -> Option<String> {
    let line = line.trim();
    if !line.starts_with("morgue ") {
        return None;
    }
    // As bash reads it: a `#` after white space starts a comment.
    let end = line.find(" #").unwrap_or(line.len());
    Some(line[..end].trim().to_owned())
}

/// The README's tour: each command with the lines of output the README promises for it (the
/// `# ...` lines right below it).
fn readme_tour() -> Vec<(String, Vec<String>)> {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let tour = readme.split("## A short tour").nth(1).unwrap();
    let block = tour
        .split("```sh")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in block.lines() {
        if let Some(command) = command(line) {
            out.push((command, Vec::new()));
        } else if let Some(promise) = line.trim().strip_prefix("# ") {
            out.last_mut().unwrap().1.push(promise.to_owned());
        }
    }
    out
}

#[test]
fn the_readme_tour_runs_as_written() {
    let script = workspace().join("examples/tour.sh");
    let tour = readme_tour();
    assert!(tour.len() > 15, "{tour:?}");
    // The script holds the README's lines, in the README's order.
    let scripted: Vec<String> = std::fs::read_to_string(&script)
        .unwrap()
        .lines()
        .filter_map(command)
        .collect();
    let written: Vec<String> = tour.iter().map(|(c, _)| c.clone()).collect();
    assert_eq!(
        scripted, written,
        "examples/tour.sh and the README's tour differ"
    );

    let folder = tempfile::tempdir().unwrap();
    let log = folder.path().join("transcript");
    let file = std::fs::File::create(&log).unwrap();
    let path = format!(
        "{}:{}",
        morgue_bin().parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = Command::new("bash")
        .arg(&script)
        .current_dir(folder.path())
        .env("PATH", path)
        .env("MORGUE_SHARED", corpus().parent().unwrap())
        .env("NO_COLOR", "1")
        .env_remove("MORGUE_ARCHIVE")
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .status()
        .unwrap();
    let transcript = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{transcript}");

    // Each line's output, after the `$ command` the script prints before running it.
    let sections: Vec<(String, String)> = transcript
        .split("\n$ ")
        .skip(1)
        .map(|s| {
            let (command, output) = s.split_once('\n').unwrap_or((s, ""));
            (command.to_owned(), output.to_owned())
        })
        .collect();
    let ran: Vec<String> = sections.iter().map(|(c, _)| c.clone()).collect();
    assert_eq!(ran, written, "every line runs, in order");
    for ((command, promises), (_, output)) in tour.iter().zip(&sections) {
        for promise in promises {
            assert!(
                output.contains(promise),
                "{command}: {promise:?} not in\n{output}"
            );
        }
    }
    let output = |prefix: &str| -> &str {
        &sections
            .iter()
            .find(|(c, _)| c.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix}"))
            .1
    };
    let dir = folder.path().join("tour");

    let list: Vec<&str> = output("morgue list").lines().collect();
    assert_eq!(list.len(), 4, "{list:?}");
    assert!(list[0].starts_with("ID "));
    let show = &sections
        .iter()
        .find(|(c, _)| c == "morgue show 00213243cb5e")
        .unwrap()
        .1;
    assert!(
        show.contains("US urged Twitter to keep running during Iran polls"),
        "{show}"
    );
    assert!(show.contains("\"We highlighted to them"), "{show}");
    let sample = std::fs::read(corpus().join("samples/us-urged-twitter-iran.txt")).unwrap();
    assert_eq!(std::fs::read(dir.join("original.txt")).unwrap(), sample);
    let json: Value = serde_json::from_str(output("morgue show 00213243cb5e --json")).unwrap();
    assert_eq!(json["id"], SAMPLE);
    assert_eq!(json["source"]["tags"], serde_json::json!(["iran"]));
    assert_eq!(json["fields"]["dateline"]["place"], "Washington");
    let stats = output("morgue stats");
    assert!(stats.contains("documents    2,128"), "{stats}");
    assert!(stats.contains("tag          business: 503"), "{stats}");
    assert!(stats.contains("tag          politics: 1"), "{stats}");
    let backup = std::fs::read_to_string(dir.join("backup.jsonl")).unwrap();
    assert_eq!(backup.lines().count(), 2129);

    let phrase = output("morgue query '\"interest rates\" -mortgage'");
    assert!(phrase.matches("**interest rate").count() >= 5, "{phrase}");
    assert!(phrase.contains("matching documents"), "{phrase}");
    let hits: Vec<&str> = phrase.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(hits.len(), 6, "five hits and the count: {phrase}");
    let ranged = output("morgue query 'tele* title:econom* words:>300'");
    assert!(ranged.contains("matching document"), "{ranged}");
    assert!(ranged.to_lowercase().contains("econom"), "{ranged}");
    let count: u64 = output("morgue query 'economy tag:business' --count")
        .trim()
        .parse()
        .unwrap();
    assert!(count > 100, "{count}");
    let hit: Value =
        serde_json::from_str(output("morgue query 'twitter dateline:washington'").trim()).unwrap();
    assert_eq!(hit["id"], SAMPLE);
    assert_eq!(hit["dateline"]["place"], "Washington");
    assert!(output("morgue compact").contains("compacted"));
    let iran = std::fs::read_to_string(dir.join("iran.jsonl")).unwrap();
    let lines: Vec<&str> = iran.lines().collect();
    assert_eq!(lines.len(), 2, "a header and the sample");
    let doc: Value = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(doc["id"], SAMPLE);
    assert!(output("morgue plugins list").contains("structure"));
    assert!(
        output("morgue reextract").contains("re-extracted 2,127"),
        "{}",
        output("morgue reextract")
    );
    // After the tour the archive holds what it says.
    let run = Run(Command::new(morgue_bin())
        .args(["query", "tag:iran", "--count"])
        .current_dir(&dir)
        .env_remove("MORGUE_ARCHIVE")
        .output()
        .unwrap());
    run.assert_code(1);
}
