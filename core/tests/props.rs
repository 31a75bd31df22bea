//! Property tests of the codecs and of export: for generated values, what the store's record
//! codec and the index's postings, sequence-list and table codecs write reads back as it was;
//! and documents imported, exported as JSONL and imported into a second archive come back with
//! the same ids, bytes, sources, fields and provenance.
//!
//! The number of cases is modest so that the test suite stays fast; set `PROPTEST_CASES` for a
//! longer run (the export round trip, which builds two archives a case, runs an eighth of it).

#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::AtomicBool;

use morgue_core::archive::StoredDoc;
use morgue_core::export::{ExportOptions, write_jsonl};
use morgue_core::extract::{ExtractError, ExtractInput, Extraction, FieldDecl, FieldType};
use morgue_core::import::{ImportOptions, Importer, Input, Outcome, Reporter};
use morgue_core::index::{self, DocRow, Posting};
use morgue_core::{
    Archive, DocId, Extractor, Fields, Manifest, OpenOptions, Pipeline, Provenance, Source, fuzzing,
};
use proptest::collection::{btree_map, btree_set, vec};
use proptest::prelude::*;
use serde_json::Value;

/// `default` cases, or `PROPTEST_CASES / share` (at least one) when that is set.
fn config(default: u32, share: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .map_or(default, |n| (n / share).max(1));
    ProptestConfig {
        cases,
        // A failure is reported with its shrunk input; nothing is written beside the sources.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Any finite float (JSON has no NaN or infinity).
fn float() -> impl Strategy<Value = f64> {
    any::<f64>().prop_filter("finite", |f| f.is_finite())
}

/// Any JSON value, a few levels deep.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        float().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map(any::<String>(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn fields() -> impl Strategy<Value = Fields> {
    btree_map(any::<String>(), json(), 0..6)
}

fn source() -> impl Strategy<Value = Source> {
    (
        vec(any::<String>(), 0..3),
        proptest::option::of(any::<String>()),
        any::<String>(),
        any::<String>(),
        any::<String>(),
        vec(any::<String>(), 0..3),
    )
        .prop_map(
            |(paths, url, media_type, encoding, imported_at, tags)| Source {
                paths,
                url,
                media_type,
                encoding,
                imported_at,
                tags,
            },
        )
}

fn provenance() -> impl Strategy<Value = BTreeMap<String, Provenance>> {
    btree_map(
        any::<String>(),
        (any::<String>(), any::<String>(), any::<u32>()).prop_map(|(plugin, version, schema)| {
            Provenance {
                plugin,
                version,
                schema,
            }
        }),
        0..4,
    )
}

fn stored_doc() -> impl Strategy<Value = StoredDoc> {
    (
        any::<[u8; 32]>(),
        any::<u64>(),
        any::<u64>(),
        source(),
        fields(),
        provenance(),
    )
        .prop_map(|(id, seq, raw_len, source, fields, provenance)| StoredDoc {
            id: DocId(id),
            seq,
            raw_len,
            source,
            fields,
            provenance,
        })
}

/// Postings of ascending documents (repeats allowed, as the plain layout takes them), each
/// with ascending positions. Small document numbers give the bit-packed layout, blocks of 128
/// included; numbers past 32 bits keep the plain one.
fn postings() -> impl Strategy<Value = Vec<Posting>> {
    let first = prop_oneof![0u64..1000, 0u64..1 << 31, (1u64 << 32)..1 << 48];
    let gaps = prop_oneof![vec(1u64..4, 0..300), vec(0u64..100_000, 0..40)];
    let positions = vec(0u32..1000, 0..6).prop_map(|deltas| {
        let mut at = 0u32;
        deltas
            .into_iter()
            .map(|d| {
                at += d;
                at
            })
            .collect::<Vec<u32>>()
    });
    (first, gaps)
        .prop_flat_map(move |(first, gaps)| {
            let mut doc = first;
            let docs: Vec<u64> = std::iter::once(first)
                .chain(gaps.into_iter().map(|g| {
                    doc += g;
                    doc
                }))
                .collect();
            let n = docs.len();
            (Just(docs), vec(positions.clone(), n))
        })
        .prop_map(|(docs, positions)| {
            docs.into_iter()
                .zip(positions)
                .map(|(doc, positions)| Posting { doc, positions })
                .collect()
        })
}

fn rows() -> impl Strategy<Value = Vec<DocRow>> {
    (any::<u32>(), vec((0u64..1 << 20, any::<[u32; 5]>()), 0..50)).prop_map(|(start, rows)| {
        let mut seq = u64::from(start);
        rows.into_iter()
            .map(|(gap, v)| {
                seq += gap;
                DocRow {
                    seq,
                    title_len: v[0],
                    body_len: v[1],
                    words: v[2],
                    published: v[3],
                    imported: v[4],
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(config(256, 1))]

    #[test]
    fn records_read_back_as_written(doc in stored_doc()) {
        let value = fuzzing::encode_record(&doc).unwrap();
        prop_assert_eq!(fuzzing::decode_record(&value).unwrap(), doc);
    }

    #[test]
    fn postings_read_back_as_written(postings in postings()) {
        let value = index::encode_postings(&postings);
        prop_assert_eq!(index::decode_postings(&value).unwrap(), postings.clone());
        let mut docs = Vec::new();
        let rest = index::for_each_doc(&value, |doc, freq| docs.push((doc, freq))).unwrap();
        let written: Vec<(u64, u32)> =
            postings.iter().map(|p| (p.doc, p.positions.len() as u32)).collect();
        prop_assert_eq!(docs, written);
        let total: usize = postings.iter().map(|p| p.positions.len()).sum();
        let mut skipped = rest;
        index::skip_varints(&mut skipped, total as u64).unwrap();
        prop_assert!(skipped.is_empty());
    }

    #[test]
    fn sequence_lists_read_back_as_written(seqs in btree_set(any::<u64>(), 0..100)) {
        let seqs: Vec<u64> = seqs.into_iter().collect();
        prop_assert_eq!(index::decode_seqs(&index::encode_seqs(&seqs)).unwrap(), seqs);
    }

    #[test]
    fn tables_read_back_as_written(rows in rows()) {
        prop_assert_eq!(index::decode_table(&index::encode_table(&rows)).unwrap(), rows);
    }
}

/// A document to import: its text, how it is stored, and what an extractor finds in it.
#[derive(Clone, Debug)]
struct Generated {
    text: String,
    /// Not valid UTF-8, so read as windows-1252 and exported as base64.
    cp1252: bool,
    html: bool,
    tags: Vec<String>,
    url: Option<String>,
    fields: Fields,
}

/// Text of any characters but control characters (which make bytes look binary), with line
/// breaks and tabs.
fn text() -> impl Strategy<Value = String> {
    let ch = prop_oneof![
        8 => any::<char>().prop_filter("not a control character", |c| !c.is_control()),
        1 => Just('\n'),
        1 => Just('\t'),
        1 => Just(' '),
    ];
    vec(ch, 0..200).prop_map(|chars| chars.into_iter().collect())
}

fn generated() -> impl Strategy<Value = Generated> {
    let extracted = (
        any::<String>(),
        vec(any::<String>(), 0..3),
        any::<u32>(),
        btree_map(any::<String>(), json(), 0..4),
    )
        .prop_map(|(title, authors, words, data)| {
            let mut fields = Fields::new();
            fields.insert("title".into(), Value::String(title));
            fields.insert("authors".into(), authors.into());
            fields.insert("word_count".into(), words.into());
            fields.insert(
                "props.data".into(),
                Value::Object(data.into_iter().collect()),
            );
            fields
        });
    (
        text(),
        any::<bool>(),
        any::<bool>(),
        // Any tag an import takes: not empty, no control characters.
        vec(
            any::<String>().prop_map(|s| {
                let tag: String = s.chars().filter(|c| !c.is_control()).collect();
                if tag.is_empty() { "t".to_owned() } else { tag }
            }),
            0..3,
        ),
        proptest::option::of(any::<String>()),
        extracted,
    )
        .prop_map(|(text, cp1252, html, tags, url, fields)| Generated {
            text,
            cp1252,
            html,
            tags,
            url,
            fields,
        })
}

/// An extractor that returns the fields generated for each document, found by its bytes.
struct Given(HashMap<Vec<u8>, Fields>);

impl Extractor for Given {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "props".into(),
            version: "1.0.0".into(),
            description: "Fields generated by the property test".into(),
            media_types: vec!["*/*".into()],
            fields: vec![
                FieldDecl::optional("title", FieldType::String),
                FieldDecl::optional("authors", FieldType::StringList),
                FieldDecl::optional("word_count", FieldType::Integer),
                FieldDecl::optional("props.data", FieldType::Object),
            ],
            requires: Vec::new(),
        }
    }

    fn extract(&self, input: &ExtractInput<'_>) -> Result<Extraction, ExtractError> {
        let fields = self.0.get(input.raw).cloned().unwrap_or_default();
        Ok(Extraction { fields })
    }
}

/// Keeps the reasons of failed inputs, for the message of a failed case.
#[derive(Default)]
struct Failures(Vec<String>);

impl Reporter for Failures {
    fn outcome(&mut self, outcome: &Outcome) {
        if let Outcome::Failed { origin, reason } = outcome {
            self.0.push(format!("{origin}: {reason}"));
        }
    }
}

fn open(dir: &std::path::Path) -> Archive {
    let options = OpenOptions {
        create: true,
        wait: None,
    };
    Archive::open(dir, &options).unwrap()
}

fn export(archive: &Archive) -> Vec<u8> {
    let mut out = Vec::new();
    let options = ExportOptions {
        raw: true,
        only: None,
    };
    write_jsonl(archive, &mut out, &options, &mut |_, _| {}).unwrap();
    out
}

/// The original bytes of the `i`th document: its text (made unique, and never only white
/// space), or for a windows-1252 document the ASCII of it and a few windows-1252 bytes (other
/// UTF-8 bytes read as windows-1252 can be control characters, and the text refused as binary).
fn raw_of(i: usize, doc: &Generated) -> Vec<u8> {
    if doc.cp1252 {
        let ascii: String = doc.text.chars().filter(char::is_ascii).collect();
        let mut raw = format!("{ascii}\n#{i}").into_bytes();
        raw.extend_from_slice(b" \x93caf\xe9\x94 \xa315");
        return raw;
    }
    format!("{}\n#{i}", doc.text).into_bytes()
}

proptest! {
    #![proptest_config(config(32, 8))]

    #[test]
    fn export_then_import_gives_the_same_documents(docs in vec(generated(), 1..5)) {
        let dir = tempfile::tempdir().unwrap();
        let raws: Vec<Vec<u8>> = docs.iter().enumerate().map(|(i, d)| raw_of(i, d)).collect();
        let given = Given(
            raws.iter().cloned().zip(docs.iter().map(|d| d.fields.clone())).collect(),
        );
        let pipeline = Pipeline::new(vec![Box::new(given)]).unwrap();

        // Each document on its own, since tags and the URL are options of a whole import.
        let mut first = open(&dir.path().join("first"));
        for (i, (doc, raw)) in docs.iter().zip(&raws).enumerate() {
            let path = dir
                .path()
                .join(format!("doc-{i}.{}", if doc.html { "html" } else { "txt" }));
            std::fs::write(&path, raw).unwrap();
            let options = ImportOptions {
                tags: doc.tags.clone(),
                url: doc.url.clone(),
                ..ImportOptions::default()
            };
            let mut failures = Failures::default();
            let summary = Importer::new(
                &mut first,
                &pipeline,
                &options,
                &mut failures,
                &AtomicBool::new(false),
            )
            .unwrap()
            .run(&[Input::Path(path)], &mut std::io::empty())
            .unwrap();
            prop_assert_eq!(summary.archived, 1, "{:?}", failures.0);
        }
        let exported = export(&first);

        let mut second = open(&dir.path().join("second"));
        let mut failures = Failures::default();
        let summary = Importer::new(
            &mut second,
            &Pipeline::empty(),
            &ImportOptions::default(),
            &mut failures,
            &AtomicBool::new(false),
        )
        .unwrap()
        .run(&[Input::Stdin], &mut exported.as_slice())
        .unwrap();
        prop_assert_eq!(summary.archived, docs.len() as u64, "{:?}", failures.0);

        let ids = first.ids_in_order().unwrap();
        prop_assert_eq!(&second.ids_in_order().unwrap(), &ids);
        for ((id, doc), raw) in ids.iter().zip(&docs).zip(&raws) {
            let (a, b) = (first.get(id).unwrap(), second.get(id).unwrap());
            prop_assert_eq!(&first.raw(id).unwrap(), raw);
            prop_assert_eq!(&second.raw(id).unwrap(), raw);
            prop_assert_eq!(&a.fields, &doc.fields);
            prop_assert_eq!(&a.source.url, &doc.url);
            let encoding = if doc.cp1252 { "windows-1252" } else { "utf-8" };
            prop_assert_eq!(&a.source.encoding, encoding);
            prop_assert_eq!(&b.source, &a.source);
            prop_assert_eq!(&b.fields, &a.fields);
            prop_assert_eq!(&b.provenance, &a.provenance);
            prop_assert_eq!(b, a);
        }
        // Exported again, the second archive writes the very same lines.
        prop_assert_eq!(export(&second), exported);
    }
}
