//! Writes a small seed corpus for every fuzz target into `corpus/<target>/`, made with the
//! project's own writers (an import and export, the store's and the index's encoders, the
//! plugin wire writers), so that the fuzzers start from well-formed inputs and mutate from
//! there. Run from `fuzz/`: `cargo run --release --example seeds`.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use morgue_core::archive::StoredDoc;
use morgue_core::export::{ExportOptions, write_jsonl};
use morgue_core::extract::SCHEMA_VERSION;
use morgue_core::import::{ImportOptions, Importer, Input, Reporter};
use morgue_core::index::{self, DocRow, Posting};
use morgue_core::plugin::wire::{ErrorJson, ManifestJson, RequestRef, ResultJson};
use morgue_core::{Archive, Extractor, OpenOptions, Pipeline, fuzzing};
use morgue_plugin_structure::Structure;

const ARTICLE: &str = "Ad sales boost Time Warner profit\n\n\
    Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m) for the three \
    months to December, from $639m year-earlier.\n\n\
    By Jane Smith, BBC News\n\n\
    LONDON (Reuters) - The firm, which is now one of the biggest investors in Google, \
    benefited from sales of high-speed internet connections and higher advert sales. \
    \"We are pleased,\" said a spokesman.\n\n\
    Share this story\nComments (12)\n© 2005 BBC";

const QUERIES: &[&str] = &[
    "reuters",
    "\"exact phrase\" tele*",
    "title:oil AND -body:(price OR cost)",
    "a b OR c NOT d",
    "published:2009-06-01..2009-06-30 words:>=100",
    "imported:<2024-02-29 site:bbc.co.uk",
    "author:\"jane smith\" lang:en tag:econ*",
    "((a OR b) (c -d)) id:0123abcd",
    "10:30 http://example.com well-known -5",
];

struct Quiet;
impl Reporter for Quiet {}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let seed = |target: &str, name: &str, bytes: &[u8]| {
        let dir = root.join(target);
        fs::create_dir_all(&dir).expect("corpus directory");
        fs::write(dir.join(name), bytes).expect("seed file");
    };

    for (i, q) in QUERIES.iter().enumerate() {
        seed("query", &format!("seed-{i}"), q.as_bytes());
    }

    let mut cp1252 = b"Caf\xe9 prices rose \x93sharply\x94 to \xa315.8m\n\n".to_vec();
    cp1252.extend_from_slice(ARTICLE.as_bytes());
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(ARTICLE.encode_utf16().take(200).flat_map(u16::to_le_bytes));
    let texts: [(&str, Vec<u8>); 4] = [
        ("article", ARTICLE.as_bytes().to_vec()),
        ("cp1252", cp1252),
        ("utf16", utf16),
        (
            "html",
            b"<!doctype html><html><head><title>T</title></head><body><p>x</p></body></html>"
                .to_vec(),
        ),
    ];
    for (name, bytes) in &texts {
        seed("text", name, bytes);
    }

    // An import with the structure extractor, exported: lines as `morgue export` writes them.
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut inputs = Vec::new();
    for (name, bytes) in &texts[..3] {
        let path: PathBuf = dir.path().join(format!("{name}.txt"));
        fs::write(&path, bytes).expect("input file");
        inputs.push(Input::Path(path));
    }
    let options = OpenOptions {
        create: true,
        wait: None,
    };
    let mut archive = Archive::open(&dir.path().join("archive"), &options).expect("archive");
    let pipeline = Pipeline::new(vec![Box::new(Structure)]).expect("pipeline");
    Importer::new(
        &mut archive,
        &pipeline,
        &ImportOptions::default(),
        &mut Quiet,
        &AtomicBool::new(false),
    )
    .expect("importer")
    .run(&inputs, &mut std::io::empty())
    .expect("import");
    let mut export = Vec::new();
    let all = ExportOptions {
        raw: true,
        only: None,
    };
    write_jsonl(&archive, &mut export, &all, &mut |_, _| {}).expect("export");
    seed("import_jsonl", "export", &export);
    for (i, line) in export.split(|&b| b == b'\n').enumerate().skip(1) {
        if !line.is_empty() {
            seed("import_jsonl", &format!("line-{i}"), line);
        }
    }
    let docs: Vec<StoredDoc> = archive.documents().expect("documents");

    // Store values: every layer of a record, and a pack of two entries.
    let mut pack = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        let value = fuzzing::encode_record(doc).expect("record");
        let plain = fuzzing::record_plain(&value).expect("record bytes");
        let payload = &value[1..value.len() - 4];
        seed(
            "store_record",
            &format!("plain-{i}"),
            &[&[0], &plain[..]].concat(),
        );
        seed(
            "store_record",
            &format!("value-{i}"),
            &[&[1], payload].concat(),
        );
        seed(
            "store_record",
            &format!("framed-{i}"),
            &[&[3], &value[..]].concat(),
        );
        let raw = archive.raw(&doc.id).expect("raw");
        pack.extend_from_slice(&doc.id.0);
        pack.extend_from_slice(&(plain.len() as u32).to_le_bytes());
        pack.extend_from_slice(&plain);
        pack.extend_from_slice(&(raw.len() as u32).to_le_bytes());
        pack.extend_from_slice(&raw);
    }
    seed("store_record", "pack", &[&[2], &pack[..]].concat());

    // Index values: postings in the packed layout (ascending, under 2^32) and the plain one.
    let postings = |n: u64, first: u64| -> Vec<Posting> {
        (0..n)
            .map(|i| Posting {
                doc: first + i * 3,
                positions: (0..1 + i % 4).map(|p| (p * 7 + i) as u32).collect(),
            })
            .collect()
    };
    let lists = [
        postings(1, 0),
        postings(5, 2),
        postings(140, 9),
        postings(3, 1 << 40),
    ];
    for (i, list) in lists.iter().enumerate() {
        let value = index::encode_postings(list);
        seed(
            "index_postings",
            &format!("postings-{i}"),
            &[&[0], &value[..]].concat(),
        );
    }
    let rows: Vec<DocRow> = (0..4)
        .map(|i| DocRow {
            seq: i * 2,
            title_len: 5,
            body_len: 300 + i as u32,
            words: 120,
            published: 20050101,
            imported: 20240229,
        })
        .collect();
    seed(
        "index_postings",
        "table",
        &[&[1], &index::encode_table(&rows)[..]].concat(),
    );
    let seqs = index::encode_seqs(&[0, 1, 5, 300, 1 << 33]);
    seed("index_postings", "seqs", &[&[2], &seqs[..]].concat());
    let key = index::postings_key(3, index::BODY, "econom");
    seed("index_postings", "key", &[&[3], &key[..]].concat());

    // Plugin wire messages, as a library writes them.
    for (i, doc) in docs.iter().enumerate() {
        let result = ResultJson {
            schema_version: SCHEMA_VERSION,
            fields: doc.fields.clone(),
        };
        let mut bytes = vec![0];
        result.write_json(&mut bytes).expect("result JSON");
        seed("plugin_wire", &format!("result-{i}"), &bytes);
        let mut bytes = vec![1];
        let id = doc.id.to_hex();
        RequestRef {
            schema_version: SCHEMA_VERSION,
            id: &id,
            media_type: "text/plain",
            url: Some("https://example.com/a"),
            fields: &doc.fields,
        }
        .write_json(&mut bytes)
        .expect("request JSON");
        seed("plugin_wire", &format!("request-{i}"), &bytes);
        let manifest = ManifestJson {
            schema_version: SCHEMA_VERSION,
            manifest: Structure.manifest(),
        };
        let mut bytes = vec![2];
        bytes.extend(serde_json::to_vec(&manifest).expect("manifest JSON"));
        bytes.push(b'\n');
        result.write_json(&mut bytes).expect("result JSON");
        seed("plugin_wire", &format!("manifest-{i}"), &bytes);
    }
    let error = ErrorJson::panic("index out of bounds".into());
    let bytes = [&[3], &serde_json::to_vec(&error).expect("error JSON")[..]].concat();
    seed("plugin_wire", "error", &bytes);

    println!("seeds written to {}", root.display());
}
