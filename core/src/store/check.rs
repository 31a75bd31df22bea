//! Reading every entry of the document trees on its own, for `verify` and `export --salvage`:
//! one damaged value is reported and the rest are still read, where ordinary reads stop at the
//! first error.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

use super::{Layout, STATE_KEY, Store, StoreState, StoredDoc, Writes, codec, decode_record_plain};
use crate::error::{Error, Result};
use crate::model::DocId;

/// One entry read by [`Store::salvage`]: the document and its original bytes, or what is wrong.
pub type Salvaged = std::result::Result<(StoredDoc, Vec<u8>), Damage>;

/// One `docs` value as fetched, or why it could not be.
type Entry = std::result::Result<sled::IVec, Damage>;

/// What is wrong with one entry of the document trees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Damage {
    /// A record that does not decode, or whose original bytes are missing, unreadable or not
    /// the bytes its id is the hash of. The document cannot be read whole.
    Document {
        /// `docs/<id or key>`.
        place: String,
        /// The document, when its record says which it is.
        id: Option<DocId>,
        /// What failed.
        reason: String,
        /// Whether the record is readable and only the original bytes are gone, which is what
        /// an interrupted `rm` of an earlier build left.
        raw_missing: bool,
    },
    /// Original bytes under a key no record has. `committed` is false for keys at or past the
    /// next sequence number: what an import that never committed left behind.
    StrayRaw {
        /// `raw/<key>`.
        place: String,
        /// The key.
        key: Vec<u8>,
        /// Whether the key is below the committed next sequence number.
        committed: bool,
    },
    /// An `ids` entry whose record is missing.
    DanglingId {
        /// The id.
        id: DocId,
    },
    /// Part of a tree the store cannot read at all.
    Unreadable {
        /// The tree, or `tree/key`.
        place: String,
        /// What the store said.
        reason: String,
    },
    /// A record that `ids` does not lead to.
    MissingId {
        /// The id.
        id: DocId,
        /// Its sequence number.
        seq: u64,
    },
}

impl Damage {
    /// Where the damage is, as `tree/key`.
    pub fn place(&self) -> String {
        match self {
            Damage::Document { place, .. }
            | Damage::StrayRaw { place, .. }
            | Damage::Unreadable { place, .. } => place.clone(),
            Damage::DanglingId { id } | Damage::MissingId { id, .. } => {
                format!("ids/{}", id.short())
            }
        }
    }
}

/// One readable document: what the index and the manifest are checked against.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The id.
    pub id: DocId,
    /// Its sequence number.
    pub seq: u64,
}

/// The outcome of [`Store::check_documents`].
#[derive(Debug, Default)]
pub struct DocumentCheck {
    /// Documents read whole, in key order.
    pub documents: Vec<Checked>,
    /// Damaged entries.
    pub damage: Vec<Damage>,
    /// The counters the store holds.
    pub stored: StoreState,
    /// The counters its records add up to (readable or not, as long as the id is known).
    pub actual: StoreState,
    /// Whether every record's id is known, so `actual` is the whole count: not when a record
    /// cannot be read at all.
    pub complete: bool,
}

impl Store {
    /// Every `docs` entry in key order, each decoded on its own, with its original bytes when
    /// `with_raw` (re-hashed against the id either way). A sled error ends the walk (sled
    /// repeats it forever); a damaged value does not.
    pub fn salvage(
        &self,
        with_raw: bool,
        visit: &mut dyn FnMut(Salvaged) -> Result<()>,
    ) -> Result<()> {
        self.each_entry(&mut |key, value| match value {
            Ok(value) => match self.read_entry(key, &value) {
                Ok((doc, raw)) => visit(Ok((doc, if with_raw { raw } else { Vec::new() }))),
                Err(damage) => visit(Err(damage)),
            },
            Err(damage) => visit(Err(damage)),
        })
    }

    /// Every `docs` entry but the counters, in key order. In a store keyed by sequence number
    /// each is fetched on its own, by number up to the next one, so a damaged leaf costs only
    /// the documents on it; in a store keyed by id the tree is walked, and the first error ends
    /// the walk, named as damage.
    fn each_entry(&self, visit: &mut dyn FnMut(&[u8], Entry) -> Result<()>) -> Result<()> {
        match self.layout {
            Layout::BySeq => {
                for seq in 0..self.state().next_seq {
                    let key = seq.to_be_bytes();
                    match self.docs.get(key) {
                        Ok(Some(value)) => visit(&key, Ok(value))?,
                        Ok(None) => {}
                        Err(e) => visit(
                            &key,
                            Err(Damage::Document {
                                place: format!("docs/seq {seq}"),
                                id: None,
                                reason: format!(
                                    "the store cannot read its record ({})",
                                    super::detail(&self.dir, &e)
                                ),
                                raw_missing: false,
                            }),
                        )?,
                    }
                }
            }
            Layout::ById => {
                for item in self.docs.iter() {
                    match item {
                        Ok((key, value)) if key.as_ref() != STATE_KEY => visit(&key, Ok(value))?,
                        Ok(_) => {}
                        Err(e) => {
                            return visit(
                                &[],
                                Err(Damage::Unreadable {
                                    place: "docs".into(),
                                    reason: format!(
                                        "the records past this point cannot be read ({})",
                                        super::detail(&self.dir, &e)
                                    ),
                                }),
                            );
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// One entry, record and original bytes, checked.
    fn read_entry(
        &self,
        key: &[u8],
        value: &[u8],
    ) -> std::result::Result<(StoredDoc, Vec<u8>), Damage> {
        let label = match self.layout {
            Layout::BySeq => <[u8; 8]>::try_from(key)
                .map(|k| format!("seq {}", u64::from_be_bytes(k)))
                .unwrap_or_else(|_| hex::encode(key)),
            Layout::ById => hex::encode(key),
        };
        let damaged = |id: Option<DocId>, reason: String, raw_missing: bool| Damage::Document {
            place: format!("docs/{}", id.map_or(label.clone(), |id| id.short())),
            id,
            reason,
            raw_missing,
        };
        let what = || format!("docs/{label}");
        let (stored, plain) = self
            .record_plain(value, &what)
            .map_err(|e| damaged(None, reason(e), false))?;
        let id = self
            .entry_id(key, stored, &what)
            .map_err(|e| damaged(stored, reason(e), false))?;
        let doc = decode_record_plain(&id, &plain, &what)
            .map_err(|e| damaged(Some(id), reason(e), false))?;
        let raw = match self.get_raw(&id) {
            Ok(Some(raw)) => raw,
            Ok(None) => {
                return Err(damaged(
                    Some(id),
                    "its original bytes are missing".into(),
                    true,
                ));
            }
            Err(e) => return Err(damaged(Some(id), reason(e), false)),
        };
        if DocId(Sha256::digest(&raw).into()) != id {
            return Err(damaged(
                Some(id),
                "its original bytes are not the bytes its id is the SHA-256 of".into(),
                false,
            ));
        }
        if raw.len() as u64 != doc.raw_len {
            return Err(damaged(
                Some(id),
                format!(
                    "the record says {} bytes, the original has {}",
                    doc.raw_len,
                    raw.len()
                ),
                false,
            ));
        }
        Ok((doc, raw))
    }

    /// Reads every document whole and cross-checks `docs`, `raw`, `ids` and the counters.
    /// `visit` sees each document read whole; `progress` is told how many records are done.
    pub fn check_documents(
        &self,
        visit: &mut dyn FnMut(&StoredDoc),
        progress: &mut dyn FnMut(u64),
    ) -> Result<DocumentCheck> {
        let mut check = DocumentCheck {
            stored: self.state(),
            complete: true,
            ..DocumentCheck::default()
        };
        let mut keys: HashSet<Vec<u8>> = HashSet::new();
        // Ids with a record, readable or not: `ids` entries of these are not dangling.
        let mut found: HashSet<DocId> = HashSet::new();
        let mut done = 0u64;
        let mut unreadable = Vec::new();
        self.each_entry(&mut |key, value| {
            keys.insert(key.to_vec());
            let value = match value {
                Ok(value) => value,
                Err(damage) => {
                    unreadable.push(damage);
                    return Ok(());
                }
            };
            match self.read_entry(key, &value) {
                Ok((doc, _)) => {
                    found.insert(doc.id);
                    check.actual.count += 1;
                    check.actual.toggle(&doc.id);
                    check.actual.next_seq = check.actual.next_seq.max(doc.seq + 1);
                    if self.layout == Layout::BySeq && self.seq_of(&doc.id)? != Some(doc.seq) {
                        check.damage.push(Damage::MissingId {
                            id: doc.id,
                            seq: doc.seq,
                        });
                    }
                    visit(&doc);
                    check.documents.push(Checked {
                        id: doc.id,
                        seq: doc.seq,
                    });
                }
                Err(damage) => {
                    if let Damage::Document { id: Some(id), .. } = &damage {
                        found.insert(*id);
                        check.actual.count += 1;
                        check.actual.toggle(id);
                    }
                    check.damage.push(damage);
                }
            }
            done += 1;
            progress(done);
            Ok(())
        })?;
        check.complete &= unreadable.is_empty()
            && !check
                .damage
                .iter()
                .any(|d| matches!(d, Damage::Document { id: None, .. }));
        check.damage.extend(unreadable);
        // The counters may run ahead of the records (a removal), never behind.
        check.actual.next_seq = check.actual.next_seq.max(check.stored.next_seq);
        for item in self.raw.iter().keys() {
            let key = match item {
                Ok(key) => key,
                Err(e) => {
                    check.damage.push(Damage::Unreadable {
                        place: "raw".into(),
                        reason: format!(
                            "cannot be read past this point ({})",
                            super::detail(&self.dir, &e)
                        ),
                    });
                    break;
                }
            };
            if !keys.contains(key.as_ref()) {
                let committed = match self.layout {
                    Layout::BySeq => <[u8; 8]>::try_from(key.as_ref())
                        .is_ok_and(|k| u64::from_be_bytes(k) < check.stored.next_seq),
                    Layout::ById => true,
                };
                check.damage.push(Damage::StrayRaw {
                    place: format!("raw/{}", hex::encode(&key)),
                    key: key.to_vec(),
                    committed,
                });
            }
        }
        if self.layout == Layout::BySeq {
            for item in self.ids.iter() {
                let (key, value) = match item {
                    Ok(kv) => kv,
                    Err(e) => {
                        check.damage.push(Damage::Unreadable {
                            place: "ids".into(),
                            reason: format!(
                                "cannot be read past this point ({})",
                                super::detail(&self.dir, &e)
                            ),
                        });
                        break;
                    }
                };
                let Ok(id) = <[u8; 32]>::try_from(key.as_ref()).map(DocId) else {
                    continue;
                };
                let seq = codec::unframe(&value, &|| format!("ids/{}", id.short()))
                    .ok()
                    .and_then(|p| <[u8; 8]>::try_from(p).ok())
                    .map(u64::from_le_bytes);
                if !found.contains(&id)
                    && !seq.is_some_and(|seq| keys.contains(&seq.to_be_bytes()[..]))
                {
                    check.damage.push(Damage::DanglingId { id });
                }
            }
        }
        Ok(check)
    }

    /// Repairs what can be repaired without losing a document, in one transaction, and
    /// flushes: finishes half-done removals (when `removing`, records whose original bytes are
    /// gone), drops original bytes no record has that were never committed, drops `ids`
    /// entries that lead nowhere, adds missing ones, and sets the counters to what the records
    /// add up to. Returns what it did, one line each.
    pub fn repair_documents(&self, check: &DocumentCheck, removing: bool) -> Result<Vec<String>> {
        let mut writes = Writes::default();
        let mut done = Vec::new();
        let mut state = check.actual;
        for damage in &check.damage {
            match damage {
                Damage::Document {
                    id: Some(id),
                    raw_missing: true,
                    place,
                    ..
                } if removing => {
                    if let Some(key) = self.key_of(id)? {
                        writes.docs.remove(key.as_ref());
                    }
                    writes.ids.remove(&id.0[..]);
                    state.count -= 1;
                    state.toggle(id);
                    done.push(format!("{place}: finished its interrupted removal"));
                }
                Damage::StrayRaw {
                    place,
                    key,
                    committed: false,
                } => {
                    writes.raw.remove(key.as_slice());
                    done.push(format!(
                        "{place}: dropped the original bytes of an import that never committed"
                    ));
                }
                Damage::DanglingId { id } => {
                    writes.ids.remove(&id.0[..]);
                    done.push(format!(
                        "ids/{}: dropped an entry that led nowhere",
                        id.short()
                    ));
                }
                Damage::MissingId { id, seq } => {
                    writes
                        .ids
                        .insert(&id.0[..], codec::frame(&seq.to_le_bytes()));
                    done.push(format!(
                        "ids/{}: restored the entry of its record",
                        id.short()
                    ));
                }
                _ => {}
            }
        }
        // Counters are only set from records that could all be counted.
        if check.complete && state != check.stored {
            writes
                .docs
                .insert(STATE_KEY, codec::frame(&super::encode_bincode(&state)?));
            done.push(format!(
                "docs/#state: counters set to the records' {} documents",
                state.count
            ));
        }
        if done.is_empty() {
            return Ok(done);
        }
        self.apply(writes)?;
        self.flush()?;
        *self.lock_state() = state;
        Ok(done)
    }
}

fn reason(e: Error) -> String {
    match e {
        Error::Corrupt { reason, .. } => reason,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::model::{Fields, Source};
    use crate::store::WriteBatch;

    /// A store holding three documents whose ids are the hashes of their bytes.
    fn store_of_three(dir: &std::path::Path) -> (Store, Vec<DocId>) {
        let store = Store::open(&dir.join("db")).unwrap();
        let mut batch = WriteBatch::default();
        let mut ids = Vec::new();
        for (seq, text) in ["one", "two", "three"].into_iter().enumerate() {
            let id = DocId(Sha256::digest(text.as_bytes()).into());
            ids.push(id);
            batch.raw.push((id, text.as_bytes().to_vec()));
            batch.records.push(StoredDoc {
                id,
                seq: seq as u64,
                raw_len: text.len() as u64,
                source: Source {
                    media_type: "text/plain".into(),
                    encoding: "utf-8".into(),
                    imported_at: "2026-12-04T00:00:00Z".into(),
                    ..Source::default()
                },
                fields: Fields::new(),
                provenance: Default::default(),
            });
        }
        store.commit(&batch).unwrap();
        (store, ids)
    }

    fn check(store: &Store) -> DocumentCheck {
        store.check_documents(&mut |_| {}, &mut |_| {}).unwrap()
    }

    #[test]
    fn a_clean_store_has_no_damage() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = store_of_three(dir.path());
        let check = check(&store);
        assert_eq!(check.damage, vec![]);
        assert_eq!(check.documents.len(), 3);
        assert_eq!(check.actual, check.stored);
    }

    #[test]
    fn an_interrupted_removal_is_finished_and_other_damage_is_only_named() {
        let dir = tempfile::tempdir().unwrap();
        let (store, ids) = store_of_three(dir.path());
        // What an earlier build's `rm` left when killed: the original bytes gone, the record
        // and the counters still there.
        store.raw.remove(0u64.to_be_bytes()).unwrap();
        // Bytes that are not the document's, and an import's leftovers past the counters.
        store
            .raw
            .insert(
                1u64.to_be_bytes(),
                codec::frame(&zstd::bulk::compress(b"tw0", 1).unwrap()),
            )
            .unwrap();
        store
            .raw
            .insert(9u64.to_be_bytes(), codec::frame(b"leftover"))
            .unwrap();
        let found = check(&store);
        assert!(matches!(
            &found.damage[0],
            Damage::Document { id: Some(id), raw_missing: true, .. } if *id == ids[0]
        ));
        assert!(matches!(
            &found.damage[1],
            Damage::Document { id: Some(id), raw_missing: false, reason, .. }
                if *id == ids[1] && reason.contains("SHA-256")
        ));
        assert!(matches!(
            &found.damage[2],
            Damage::StrayRaw {
                committed: false,
                ..
            }
        ));
        assert_eq!(found.documents.len(), 1);
        // Without a removal in flight, a record without its bytes is damage, not a removal.
        let done = store.repair_documents(&found, false).unwrap();
        assert_eq!(done.len(), 1, "{done:?}");
        let again = check(&store);
        assert_eq!(again.damage.len(), 2, "{:?}", again.damage);
        // With one in flight, the removal is finished and the counters follow.
        store.repair_documents(&again, true).unwrap();
        let last = check(&store);
        assert_eq!(last.damage.len(), 1, "{:?}", last.damage);
        assert!(!store.contains(&ids[0]).unwrap());
        assert_eq!(store.state().count, 2);
        assert_eq!(last.actual, last.stored);
    }

    #[test]
    fn salvage_reads_past_a_damaged_document() {
        let dir = tempfile::tempdir().unwrap();
        let (store, ids) = store_of_three(dir.path());
        store.raw.remove(1u64.to_be_bytes()).unwrap();
        let mut read = Vec::new();
        let mut damaged = Vec::new();
        store
            .salvage(true, &mut |entry| {
                match entry {
                    Ok((doc, raw)) => read.push((doc.id, raw)),
                    Err(damage) => damaged.push(damage.place()),
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(
            read,
            vec![(ids[0], b"one".to_vec()), (ids[2], b"three".to_vec())]
        );
        assert_eq!(damaged, vec![format!("docs/{}", ids[1].short())]);
    }
}
