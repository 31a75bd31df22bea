//! The entity and quote filters (`person:`, `org:`, `place:`, `entity:`, `speaker:`,
//! `quote:`) over what an entity and quote extractor stores, in the shapes of the design's
//! `entities[]` and `quotes[]`.

#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;

use morgue_core::extract::{FieldDecl, FieldType, Manifest};
use morgue_core::import::{ImportOptions, Importer, Input, Reporter};
use morgue_core::search::Searcher;
use morgue_core::{
    Archive, ExtractError, ExtractInput, Extraction, Extractor, Fields, OpenOptions, Pipeline,
};
use serde_json::json;

struct Quiet;
impl Reporter for Quiet {}

/// Reads entities and quotes from lines of the text: `P:name`, `O:name`, `L:name` and
/// `Q:speaker|quote text`.
struct Lines;

impl Extractor for Lines {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "lines".into(),
            version: "1.0.0".into(),
            description: "entities and quotes from marked lines".into(),
            media_types: vec!["text/plain".into()],
            fields: vec![
                FieldDecl::optional("entities", FieldType::ObjectList),
                FieldDecl::optional("quotes", FieldType::ObjectList),
            ],
            requires: Vec::new(),
        }
    }

    fn extract(&self, input: &ExtractInput<'_>) -> Result<Extraction, ExtractError> {
        let mut entities = Vec::new();
        let mut quotes = Vec::new();
        for line in input.text.lines() {
            let kind = match line.get(..2) {
                Some("P:") => "person",
                Some("O:") => "organization",
                Some("L:") => "place",
                Some("Q:") => {
                    let (speaker, text) = line[2..].split_once('|').unwrap();
                    quotes.push(json!({
                        "kind": "direct", "text": text, "speaker": speaker,
                        "speaker_text": speaker, "speaker_kind": "person", "cue": "said",
                        "start": 0, "end": 0,
                    }));
                    continue;
                }
                _ => continue,
            };
            entities.push(json!({"name": &line[2..], "kind": kind, "mentions": []}));
        }
        let mut fields = Fields::new();
        if !entities.is_empty() {
            fields.insert("entities".into(), entities.into());
        }
        if !quotes.is_empty() {
            fields.insert("quotes".into(), quotes.into());
        }
        Ok(Extraction { fields })
    }
}

#[test]
fn entity_and_quote_filters_find_what_the_extractor_stored() {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("in");
    std::fs::create_dir_all(&files).unwrap();
    let docs = [
        "Rates rise\n\nP:Alan Greenspan\nO:Federal Reserve\nL:Washington\nQ:Alan Greenspan|Interest rates will rise gradually this year",
        "Oil falls\n\nO:Opec\nL:Vienna\nQ:Opec spokesman|Production stays the same\nQ:Ali Naimi|Prices are too high",
        "Match report\n\nP:Jose Mourinho\nL:London\nQ:Jose Mourinho|We played rates of football nobody can match",
        "Quiet day\n\nNothing marked here, though rates and interest are words of the body.",
    ];
    for (i, text) in docs.iter().enumerate() {
        std::fs::write(files.join(format!("{i}.txt")), text).unwrap();
    }
    let options = OpenOptions {
        create: true,
        wait: None,
    };
    let mut archive = Archive::open(&dir.path().join("a"), &options).unwrap();
    archive.reindex(&mut |_, _| {}).unwrap();
    let pipeline = Pipeline::new(vec![Box::new(Lines)]).unwrap();
    let summary = Importer::new(
        &mut archive,
        &pipeline,
        &ImportOptions::default(),
        &mut Quiet,
        &AtomicBool::new(false),
    )
    .unwrap()
    .run(&[Input::Path(files)], &mut std::io::empty())
    .unwrap();
    assert_eq!(summary.archived, 4);

    let titles = |archive: &Archive, q: &str| -> BTreeSet<String> {
        let mut searcher = Searcher::new(archive).unwrap();
        let query = morgue_core::query::parse(q).unwrap();
        searcher
            .search(&query)
            .unwrap()
            .into_iter()
            .map(|h| {
                // The first line of the text, as the title (no structure extractor runs).
                let doc = archive.get(&h.id).unwrap();
                let raw = archive.raw(&doc.id).unwrap();
                let text = archive.text(&doc, &raw);
                text.lines().next().unwrap().to_owned()
            })
            .collect()
    };
    let set = |titles: &[&str]| {
        titles
            .iter()
            .map(|t| t.to_string())
            .collect::<BTreeSet<_>>()
    };
    let check = |archive: &Archive| {
        assert_eq!(titles(archive, "person:greenspan"), set(&["Rates rise"]));
        assert_eq!(
            titles(archive, "person:\"Alan Greenspan\""),
            set(&["Rates rise"])
        );
        assert_eq!(titles(archive, "person:opec"), set(&[]));
        assert_eq!(titles(archive, "org:opec"), set(&["Oil falls"]));
        assert_eq!(titles(archive, "org:federal"), set(&["Rates rise"]));
        assert_eq!(
            titles(archive, "place:(vienna OR london)"),
            set(&["Oil falls", "Match report"])
        );
        assert_eq!(titles(archive, "entity:wash*"), set(&["Rates rise"]),);
        assert_eq!(titles(archive, "entity:opec"), set(&["Oil falls"]));
        assert_eq!(titles(archive, "speaker:naimi"), set(&["Oil falls"]));
        assert_eq!(titles(archive, "speaker:mourinho"), set(&["Match report"]));
        // Quote text: words anywhere in a quote, stemmed like the body; phrases in a row.
        assert_eq!(
            titles(archive, "quote:rates"),
            set(&["Rates rise", "Match report"])
        );
        assert_eq!(titles(archive, "quote:rising"), set(&["Rates rise"]));
        assert_eq!(
            titles(archive, "quote:\"interest rates\""),
            set(&["Rates rise"])
        );
        assert_eq!(titles(archive, "quote:\"rates interest\""), set(&[]));
        // Both words are in the document's quotes, but not in one quote, in a row.
        assert_eq!(titles(archive, "quote:\"prices production\""), set(&[]));
        assert_eq!(titles(archive, "quote:\"too high\""), set(&["Oil falls"]));
        assert_eq!(titles(archive, "quote:produc*"), set(&["Oil falls"]));
        assert_eq!(
            titles(archive, "quote:(football OR production)"),
            set(&["Oil falls", "Match report"])
        );
        assert_eq!(
            titles(archive, "quote:(rates football)"),
            set(&["Match report"])
        );
        // Combined with the text of the body.
        assert_eq!(titles(archive, "rates -quote:rates"), set(&["Quiet day"]));
    };
    check(&archive);
    // A rebuilt and a compacted index answer the same.
    archive.reindex(&mut |_, _| {}).unwrap();
    check(&archive);
    archive.compact().unwrap();
    check(&archive);
}
