//! Queries against a brute-force scan: for a few hundred generated queries over the BBC archive
//! (terms, AND, OR, NOT, phrases, prefixes), the set of matching documents equals the set a
//! scan of the stored texts with the same analyser finds.

#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use morgue_core::analysis::Analyzer;
use morgue_core::import::{ImportOptions, Importer, Input, Reporter};
use morgue_core::query::parse;
use morgue_core::search::Searcher;
use morgue_core::{Archive, OpenOptions, Pipeline};

struct Quiet;
impl Reporter for Quiet {}

/// Each document's analysed terms in order, by sequence number.
type Corpus = BTreeMap<u64, Vec<String>>;

fn bbc_archive(dir: &Path) -> Archive {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/bbc");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let options = OpenOptions {
        create: true,
        wait: None,
    };
    let mut archive = Archive::open(dir, &options).unwrap();
    // No extractors: titles are empty and the body is the whole text, as the scan reads it.
    let inputs: Vec<Input> = dirs.into_iter().map(Input::Path).collect();
    Importer::new(
        &mut archive,
        &Pipeline::empty(),
        &ImportOptions::default(),
        &mut Quiet,
        &AtomicBool::new(false),
    )
    .unwrap()
    .run(&inputs, &mut std::io::empty())
    .unwrap();
    archive.reindex(&mut |_, _| {}).unwrap();
    archive
}

fn scan(corpus: &Corpus, pred: impl Fn(&[String]) -> bool) -> BTreeSet<u64> {
    corpus
        .iter()
        .filter(|(_, terms)| pred(terms))
        .map(|(&seq, _)| seq)
        .collect()
}

fn has_phrase(terms: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && terms.windows(phrase.len()).any(|w| w == phrase)
}

/// A tiny deterministic generator, so a failure is reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

#[test]
fn generated_queries_match_a_brute_force_scan() {
    let dir = tempfile::tempdir().unwrap();
    let archive = bbc_archive(&dir.path().join("a"));
    let analyzer = Analyzer::english();
    let mut corpus = Corpus::new();
    // Plain words as written in the texts, to build queries from.
    let mut words: Vec<String> = Vec::new();
    let mut texts: Vec<Vec<String>> = Vec::new();
    for doc in archive.documents().unwrap() {
        let raw = archive.raw(&doc.id).unwrap();
        let text = archive.text(&doc, &raw);
        let mut terms = Vec::new();
        analyzer.analyze(&text, |t, _| terms.push(t.to_owned()));
        corpus.insert(doc.seq, terms);
        let plain: Vec<String> = text
            .split_whitespace()
            .filter(|w| w.len() > 2 && w.chars().all(|c| c.is_ascii_alphabetic()))
            .map(str::to_owned)
            .collect();
        words.extend(plain.iter().step_by(50).cloned());
        texts.push(plain);
    }
    let term = |w: &str| analyzer.query_terms(w);
    let mut searcher = Searcher::new(&archive).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut checked = 0;
    for round in 0..400 {
        let a = rng.pick(&words).clone();
        let b = rng.pick(&words).clone();
        let (ta, tb) = (term(&a), term(&b));
        let (query, expected) = match round % 6 {
            0 => (a.clone(), scan(&corpus, |t| has_phrase(t, &ta))),
            1 => (
                format!("{a} {b}"),
                scan(&corpus, |t| has_phrase(t, &ta) && has_phrase(t, &tb)),
            ),
            2 => (
                format!("{a} OR {b}"),
                scan(&corpus, |t| has_phrase(t, &ta) || has_phrase(t, &tb)),
            ),
            3 => (
                format!("{a} -{b}"),
                scan(&corpus, |t| has_phrase(t, &ta) && !has_phrase(t, &tb)),
            ),
            4 => {
                // Two adjacent words of a real text, as a phrase.
                let text = rng.pick(&texts).clone();
                if text.len() < 3 {
                    continue;
                }
                let i = (rng.next() % (text.len() as u64 - 1)) as usize;
                let phrase = format!("{} {}", text[i], text[i + 1]);
                let terms = analyzer.query_terms(&phrase);
                (
                    format!("\"{phrase}\""),
                    scan(&corpus, |t| has_phrase(t, &terms)),
                )
            }
            _ => {
                let prefix: String = a
                    .chars()
                    .take(3 + (rng.next() % 3) as usize)
                    .collect::<String>()
                    .to_lowercase();
                let p = analyzer.prefix_terms(&prefix).pop().unwrap();
                (
                    format!("{prefix}*"),
                    scan(&corpus, |t| t.iter().any(|x| x.starts_with(&p))),
                )
            }
        };
        let parsed = parse(&query).unwrap();
        let got: BTreeSet<u64> = searcher
            .search(&parsed)
            .unwrap()
            .into_iter()
            .map(|h| h.seq)
            .collect();
        assert_eq!(got, expected, "query {query:?}");
        checked += 1;
    }
    assert!(checked > 300, "{checked}");
    // The acceptance queries of the search work.
    for (query, pred) in [
        (
            "\"interest rates\"",
            Box::new(|t: &[String]| has_phrase(t, &term("interest rates")))
                as Box<dyn Fn(&[String]) -> bool>,
        ),
        (
            "oil -prices",
            Box::new(|t: &[String]| has_phrase(t, &term("oil")) && !has_phrase(t, &term("prices"))),
        ),
    ] {
        let got: BTreeSet<u64> = searcher
            .search(&parse(query).unwrap())
            .unwrap()
            .into_iter()
            .map(|h| h.seq)
            .collect();
        let expected = scan(&corpus, pred);
        assert!(!expected.is_empty());
        assert_eq!(got, expected, "{query}");
    }
}
