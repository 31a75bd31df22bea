//! `morgue verify`: every document re-read and re-hashed, the trees cross-checked, the index
//! compared with the documents and the store with the manifest; `--repair` does what can be
//! done without losing a document.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::archive::Archive;
use crate::error::Result;
use crate::index::{facet_key, facets};
use crate::model::DocId;
use crate::search::Catalog;
use crate::store::check::Damage;

/// One thing found wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where: `docs/<id>`, `raw/<key>`, `ids/<id>`, `index`, `manifest.json`, ...
    #[serde(rename = "where")]
    pub place: String,
    /// `document` (a document that cannot be read whole), `store` (entries of the store that
    /// disagree with each other), `index` or `manifest`.
    pub kind: &'static str,
    /// What is wrong, in a sentence.
    pub problem: String,
    /// Whether `verify --repair` can mend it without losing a document.
    pub repairable: bool,
}

/// What `verify` found, and with `--repair`, what it did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// Documents read whole and re-hashed.
    pub documents: u64,
    /// What is still wrong.
    pub problems: Vec<Problem>,
    /// What `--repair` did, one line each.
    pub repaired: Vec<String>,
}

impl Report {
    /// Whether nothing is wrong.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// How many index problems are listed one by one; past that they are counted.
const LISTED: usize = 50;

impl Archive {
    /// Checks the whole archive; with `repair`, mends what can be mended without loss and
    /// checks again. `progress` is told documents done and the total.
    pub fn verify(&mut self, repair: bool, progress: &mut dyn FnMut(u64, u64)) -> Result<Report> {
        let mut report = Report::default();
        let total = self.len();
        let (mut problems, check) = self.check(&mut |done| progress(done, total))?;
        if repair && problems.iter().any(|p| p.repairable) {
            // A repair that stops half-way (the store failing under it) is reported with what
            // it did so far; the archive is checked again either way.
            let stopped = self.repair(&problems, &check, &mut report.repaired).err();
            (problems, _) = self.check(&mut |_| {})?;
            if let Some(e) = stopped {
                problems.push(Problem {
                    place: "repair".into(),
                    kind: "store",
                    problem: format!("stopped: {e}"),
                    repairable: false,
                });
            }
        }
        report.documents = check_count(&problems, self.len());
        report.problems = problems;
        progress(total, total);
        Ok(report)
    }

    /// Mends the repairable `problems`, pushing a line to `done` for each thing done.
    fn repair(
        &mut self,
        problems: &[Problem],
        check: &crate::store::check::DocumentCheck,
        done: &mut Vec<String>,
    ) -> Result<()> {
        let removing = self.removal_in_flight();
        if problems.iter().any(|p| p.repairable && p.kind != "index") {
            done.extend(self.store().repair_documents(check, removing)?);
        }
        if problems.iter().any(|p| p.repairable && p.kind == "index") {
            // A rebuild clears the index's trees in place; where they are too damaged for
            // that, the documents move into a fresh store and the index is built there.
            let line = match self.reindex(&mut |_, _| {}) {
                Ok(n) => format!("index: rebuilt from the {n} documents"),
                Err(_) => {
                    let n = self.rebuild_without_index()?;
                    format!(
                        "index: its trees were too damaged to clear; the documents were copied into a fresh store and the index rebuilt from the {n} documents"
                    )
                }
            };
            done.push(line);
        }
        let (after, _) = self.check(&mut |_| {})?;
        if after.iter().any(|p| p.kind == "manifest" && p.repairable) {
            self.write_manifest()?;
            done.push("manifest.json: rewritten from the store".into());
        }
        Ok(())
    }

    /// One pass over everything: the problems and the document check they came from.
    fn check(
        &self,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(Vec<Problem>, crate::store::check::DocumentCheck)> {
        let store = self.store();
        let mut problems = Vec::new();
        // Each document's facet keys, by sequence number, for the index check.
        let mut keys: HashMap<u64, Vec<Vec<u8>>> = HashMap::new();
        let indexed = store.has_index()?;
        let check = store.check_documents(
            &mut |doc| {
                if indexed {
                    let mut of_doc: Vec<Vec<u8>> = facets(doc)
                        .into_iter()
                        .map(|(f, v)| facet_key(f, &v))
                        .collect();
                    of_doc.sort();
                    of_doc.dedup();
                    keys.insert(doc.seq, of_doc);
                }
            },
            progress,
        )?;
        for damage in &check.damage {
            problems.push(match damage {
                Damage::Document {
                    place,
                    reason,
                    raw_missing,
                    ..
                } => Problem {
                    place: place.clone(),
                    kind: "document",
                    problem: reason.clone(),
                    // Only an interrupted removal leaves this, and only the manifest can say
                    // one was in flight; `repair` decides.
                    repairable: *raw_missing && self.removal_in_flight(),
                },
                Damage::StrayRaw { committed, .. } => Problem {
                    place: damage.place(),
                    kind: "store",
                    problem: if *committed {
                        "original bytes that no record has".into()
                    } else {
                        "original bytes of an import that never committed".into()
                    },
                    repairable: !committed,
                },
                Damage::Unreadable { place, reason } => Problem {
                    place: place.clone(),
                    kind: "store",
                    problem: reason.clone(),
                    repairable: false,
                },
                Damage::DanglingId { .. } => Problem {
                    place: damage.place(),
                    kind: "store",
                    problem: "an id entry whose record is missing".into(),
                    repairable: true,
                },
                Damage::MissingId { seq, .. } => Problem {
                    place: damage.place(),
                    kind: "store",
                    problem: format!("the record at sequence number {seq} has no id entry"),
                    repairable: true,
                },
            });
        }
        if check.complete && check.actual != check.stored {
            problems.push(Problem {
                place: "docs/#state".into(),
                kind: "store",
                problem: format!(
                    "the counters say {} documents, the records add up to {}",
                    check.stored.count, check.actual.count
                ),
                repairable: true,
            });
        }
        if indexed {
            let before = problems.len();
            self.check_index(&check, &keys, &mut problems)?;
            // Rebuilding the index reads every document: with some unreadable it would stop
            // half-way and leave less than there is now.
            let unreadable = check.damage.iter().any(|d| {
                matches!(
                    d,
                    Damage::Document {
                        raw_missing: false,
                        ..
                    } | Damage::Unreadable { .. }
                )
            });
            if unreadable {
                for p in &mut problems[before..] {
                    p.repairable = false;
                }
            }
        }
        // Records that cannot be read cannot be counted: the manifest is then compared with
        // the counters the store keeps.
        let counted = if check.complete {
            &check.actual
        } else {
            &check.stored
        };
        self.check_manifest_against(counted, &mut problems);
        Ok((problems, check))
    }

    /// The index against the documents read whole.
    fn check_index(
        &self,
        check: &crate::store::check::DocumentCheck,
        keys: &HashMap<u64, Vec<Vec<u8>>>,
        problems: &mut Vec<Problem>,
    ) -> Result<()> {
        let store = self.store();
        let mut found: Vec<String> = Vec::new();
        let catalog = match Catalog::load(store) {
            Ok(catalog) => catalog,
            Err(e) => {
                problems.push(index_problem("index", e.to_string()));
                return Ok(());
            }
        };
        let by_seq: BTreeMap<u64, DocId> = check.documents.iter().map(|d| (d.seq, d.id)).collect();
        for (&seq, id) in &by_seq {
            if !catalog.is_live(seq) {
                found.push(format!("docs/{}: not in the index", id.short()));
                continue;
            }
            match store.docnum(seq) {
                Ok(Some((indexed, _))) if indexed == *id => {}
                Ok(Some((other, _))) => found.push(format!(
                    "docs/{}: the index has document {} at its place",
                    id.short(),
                    other.short()
                )),
                Ok(None) => found.push(format!("docs/{}: no entry in the index", id.short())),
                Err(e) => found.push(format!("docs/{}: {e}", id.short())),
            }
        }
        // Documents that are there but cannot be read whole stay in the index.
        let damaged = check
            .damage
            .iter()
            .filter(|d| matches!(d, Damage::Document { .. }))
            .count();
        let stale = catalog
            .all()
            .filter(|seq| !by_seq.contains_key(seq))
            .count();
        // A damaged document stays in the index; only documents gone from the store count.
        if stale > damaged {
            found.push(format!(
                "index: holds {} documents the store does not",
                stale - damaged
            ));
        }
        // Every facet list against the documents' own values: each live document listed
        // under exactly the keys its fields give.
        let mut listed: HashMap<u64, Vec<Vec<u8>>> = HashMap::new();
        for item in store.facets_with_prefix(&[]) {
            let (key, value) = match item {
                Ok(kv) => kv,
                Err(e) => {
                    found.push(format!("index: {e}"));
                    break;
                }
            };
            let seqs = match crate::index::decode_seqs(&value) {
                Ok(seqs) => seqs,
                Err(reason) => {
                    found.push(format!("index: facet list {}: {reason}", facet_label(&key)));
                    continue;
                }
            };
            for seq in seqs.into_iter().filter(|&s| catalog.is_live(s)) {
                listed.entry(seq).or_default().push(key.to_vec());
            }
        }
        for (&seq, id) in &by_seq {
            if !catalog.is_live(seq) {
                continue;
            }
            let want = keys.get(&seq).cloned().unwrap_or_default();
            let mut have = listed.remove(&seq).unwrap_or_default();
            have.sort();
            have.dedup();
            for key in want.iter().filter(|k| !have.contains(k)) {
                found.push(format!(
                    "docs/{}: not listed under {}",
                    id.short(),
                    facet_label(key)
                ));
            }
            for key in have.iter().filter(|k| !want.contains(k)) {
                found.push(format!(
                    "docs/{}: listed under {}, which its record does not have",
                    id.short(),
                    facet_label(key)
                ));
            }
        }
        for item in store.postings_with_prefix(&[]) {
            let (key, value) = match item {
                Ok(kv) => kv,
                Err(e) => {
                    found.push(format!("index: {e}"));
                    break;
                }
            };
            if let Err(reason) = crate::index::decode_postings(&value) {
                let term = crate::index::split_key(&key)
                    .map_or_else(|| hex::encode(&key), |(s, f, t)| format!("{s}/{f}/{t}"));
                found.push(format!("index: postings of {term}: {reason}"));
            }
        }
        let more = found.len().saturating_sub(LISTED);
        for problem in found.into_iter().take(LISTED) {
            let (place, text) = problem
                .split_once(": ")
                .map_or(("index".to_owned(), problem.clone()), |(p, t)| {
                    (p.to_owned(), t.to_owned())
                });
            problems.push(index_problem(&place, text));
        }
        if more > 0 {
            problems.push(index_problem(
                "index",
                format!("and {more} more disagreements with the documents"),
            ));
        }
        Ok(())
    }

    /// The manifest against what the records add up to.
    fn check_manifest_against(
        &self,
        actual: &crate::store::StoreState,
        problems: &mut Vec<Problem>,
    ) {
        let place = "manifest.json".to_owned();
        let recorded = match self.manifest_data() {
            Ok(Some(recorded)) => recorded,
            Ok(None) => {
                problems.push(Problem {
                    place,
                    kind: "manifest",
                    problem: "missing".into(),
                    repairable: true,
                });
                return;
            }
            Err(e) => {
                // A directory in its place is not ours to remove.
                let repairable = !matches!(e, crate::Error::ManifestNotAFile { .. });
                problems.push(Problem {
                    place,
                    kind: "manifest",
                    problem: if repairable {
                        format!("unreadable ({e})")
                    } else {
                        e.to_string()
                    },
                    repairable,
                });
                return;
            }
        };
        let digest = DocId(actual.digest).to_hex();
        if recorded.documents > actual.count && recorded.removing == 0 {
            problems.push(Problem {
                place,
                kind: "manifest",
                problem: format!(
                    "recorded {} documents after the last write; the store holds {}: documents are lost; restore the archive from a backup",
                    recorded.documents, actual.count
                ),
                repairable: false,
            });
        } else if recorded.documents == actual.count
            && recorded.removing == 0
            && recorded.digest != digest
        {
            problems.push(Problem {
                place,
                kind: "manifest",
                problem: "the store holds other documents than the manifest recorded; restore the archive from a backup".into(),
                repairable: false,
            });
        }
        // Otherwise the manifest may trail the store (a write whose manifest update was cut
        // short, a removal in flight): every command's open brings it up to date, so that is
        // no damage.
    }

    fn removal_in_flight(&self) -> bool {
        self.manifest_data()
            .ok()
            .flatten()
            .is_some_and(|m| m.removing > 0)
    }
}

/// The documents a report counts as verified: all, unless something is wrong with them.
fn check_count(problems: &[Problem], len: u64) -> u64 {
    let damaged = problems.iter().filter(|p| p.kind == "document").count() as u64;
    len.saturating_sub(damaged)
}

fn index_problem(place: &str, problem: String) -> Problem {
    Problem {
        place: place.to_owned(),
        kind: "index",
        problem,
        repairable: true,
    }
}

/// `tag:x`, `site:y`, ... for a facet key.
fn facet_label(key: &[u8]) -> String {
    let name = match key.first().copied() {
        Some(0) => "site",
        Some(1) => "author",
        Some(2) => "dateline",
        Some(3) => "tag",
        Some(4) => "lang",
        Some(5) => "person",
        Some(6) => "org",
        Some(7) => "place",
        Some(8) => "entity",
        Some(9) => "speaker",
        Some(10) => "quote",
        _ => "facet",
    };
    format!(
        "{name}:{}",
        String::from_utf8_lossy(key.get(1..).unwrap_or_default())
    )
}
