//! An archive directory: its lock, its store and its manifest, and the operations the commands
//! run on documents (resolve an id, read, remove, tag, count).
//!
//! Layout of `DIR`: `lock` (held by the running morgue, holds its pid), `db/` (the sled store),
//! `manifest.json` (what the store held after the last flush).

use std::collections::BTreeMap;
use std::fs::{self, File, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::index::{Facet, IndexDoc, facet_key};
use crate::model::DocId;
use crate::store::manifest::{ManifestData, ManifestFile};
use crate::store::{FacetChange, Store, StoreState, TreeStats, WriteBatch};
use crate::text;

pub use crate::store::StoredDoc;

/// How to open an archive.
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    /// Create the archive if the directory does not hold one (import does; other commands
    /// report that there is no archive).
    pub create: bool,
    /// How long to wait for another morgue to release the archive; `None` fails at once.
    pub wait: Option<Duration>,
}

/// An open, locked archive.
pub struct Archive {
    dir: PathBuf,
    store: Store,
    manifest: ManifestFile,
    // Held for the archive's lifetime; the kernel releases it when the process ends, however
    // it ends, so a killed morgue never leaves a stale lock.
    _lock: (File, File),
}

/// Figures for `morgue stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Documents in the archive.
    pub documents: u64,
    /// Total length of the original bytes.
    pub raw_bytes: u64,
    /// Bytes the archive directory occupies on disk.
    pub disk_bytes: u64,
    /// Documents per media type.
    pub media_types: BTreeMap<String, u64>,
    /// Documents per encoding.
    pub encodings: BTreeMap<String, u64>,
    /// Documents per tag.
    pub tags: BTreeMap<String, u64>,
    /// Documents per field name.
    pub fields: BTreeMap<String, u64>,
    /// Store format version.
    pub format: u32,
    /// Entries and key + value bytes per store tree.
    pub trees: BTreeMap<String, TreeStats>,
}

impl Archive {
    /// Opens and locks the archive in `dir`. The lock is taken before anything else is read,
    /// so two morgues never interleave on one archive.
    pub fn open(dir: &Path, options: &OpenOptions) -> Result<Archive> {
        Archive::open_with(dir, options, true)
    }

    fn open_with(dir: &Path, options: &OpenOptions, check: bool) -> Result<Archive> {
        if fs::metadata(dir).is_ok_and(|m| !m.is_dir()) {
            return Err(Error::ArchiveIsFile {
                dir: dir.to_owned(),
            });
        }
        let db_dir = dir.join("db");
        let manifest = ManifestFile::new(dir);
        let exists = db_dir.exists() || manifest.path().exists();
        if !exists {
            if !options.create {
                return Err(Error::NoArchive {
                    dir: dir.to_owned(),
                });
            }
            if dir.exists() && !is_empty_dir(dir)? {
                return Err(Error::NotAnArchive {
                    dir: dir.to_owned(),
                });
            }
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let lock = lock(dir, options.wait)?;
        recover_swap(dir)?;
        let store = Store::open(&db_dir)?;
        let mut archive = Archive {
            dir: dir.to_owned(),
            store,
            manifest,
            _lock: lock,
        };
        if check {
            archive.check_manifest()?;
        }
        Ok(archive)
    }

    /// Opens and locks an existing archive without comparing its store with the manifest, for
    /// `verify` and `export --salvage`, which report what a normal open refuses.
    pub fn open_unchecked(dir: &Path, options: &OpenOptions) -> Result<Archive> {
        Archive::open_with(dir, options, false)
    }

    /// For `verify --repair` of a store that does not open: moves the store's snapshot files
    /// (sled's summary of its log, which the next open rebuilds from the log) and its `conf`
    /// (settings sled writes anew, the same, at the next open) into `DIR/damaged/`, under
    /// the archive's lock. Returns the files moved.
    pub fn set_aside_derived_files(dir: &Path, options: &OpenOptions) -> Result<Vec<PathBuf>> {
        let _lock = lock(dir, options.wait)?;
        let db = dir.join("db");
        let aside = dir.join("damaged");
        let mut moved = Vec::new();
        for entry in fs::read_dir(&db).map_err(|e| Error::io(&db, e))? {
            let entry = entry.map_err(|e| Error::io(&db, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("snap.") || name == "conf" {
                fs::create_dir_all(&aside).map_err(|e| Error::io(&aside, e))?;
                let to = aside.join(entry.file_name());
                fs::rename(entry.path(), &to).map_err(|e| Error::io(entry.path(), e))?;
                moved.push(to);
            }
        }
        Ok(moved)
    }

    /// Puts back files [`Archive::set_aside_derived_files`] moved, when the store did not open
    /// without them either: a repair that did not help leaves the archive as it found it.
    pub fn put_back_derived_files(dir: &Path, moved: &[PathBuf]) -> Result<()> {
        let db = dir.join("db");
        for file in moved {
            if let Some(name) = file.file_name() {
                fs::rename(file, db.join(name)).map_err(|e| Error::io(file, e))?;
            }
        }
        Ok(())
    }

    /// How many documents the manifest recorded after the last write, less any removal that
    /// was in flight; `None` without a readable manifest.
    pub fn recorded_documents(&self) -> Option<u64> {
        let data = self.manifest.read().ok().flatten()?;
        Some(data.documents.saturating_sub(data.removing))
    }

    /// The manifest as recorded, if there is one.
    pub(crate) fn manifest_data(&self) -> Result<Option<ManifestData>> {
        self.manifest.read()
    }

    /// Records the store's present state in the manifest.
    pub(crate) fn write_manifest(&self) -> Result<()> {
        let state = self.store.state();
        self.manifest
            .write(&manifest_data(self.store.format(), &state, 0))
    }

    /// Creates an empty archive in `dir` whose store is in `format`, as the build that wrote
    /// that format would have; open it with [`Archive::open`]. For tests of older archives.
    #[doc(hidden)]
    pub fn create_in_format(dir: &Path, format: u32) -> Result<()> {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        Store::create_in_format(&dir.join("db"), format)
    }

    /// The archive directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Documents in the store.
    pub fn len(&self) -> u64 {
        self.store.state().count
    }

    /// Whether the archive holds no documents.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The next import sequence number.
    pub(crate) fn next_seq(&self) -> u64 {
        self.store.state().next_seq
    }

    /// Compares the store with the manifest written after the last flush. A store that holds
    /// fewer documents than that came back emptier than it was (sled silently reopens a
    /// truncated or deleted database as empty), and is refused.
    fn check_manifest(&mut self) -> Result<()> {
        let state = self.store.state();
        if let Some(recorded) = self.manifest.read()? {
            let floor = recorded.documents.saturating_sub(recorded.removing);
            if state.count < floor {
                return Err(Error::Shrunk {
                    dir: self.dir.clone(),
                    manifest: self.manifest.path().to_owned(),
                    recorded: recorded.documents,
                    found: state.count,
                });
            }
            if recorded.removing == 0
                && state.count == recorded.documents
                && recorded.digest != hex(&state.digest)
            {
                return Err(Error::DigestMismatch {
                    dir: self.dir.clone(),
                    manifest: self.manifest.path().to_owned(),
                });
            }
            if recorded == manifest_data(self.store.format(), &state, 0) {
                return Ok(());
            }
        }
        self.manifest
            .write(&manifest_data(self.store.format(), &state, 0))
    }

    /// Applies and flushes a batch, then records the new state in the manifest.
    pub(crate) fn commit(&self, batch: &WriteBatch) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        if !batch.removals.is_empty() {
            // Until the removal is flushed and recorded, a store holding fewer documents than
            // the manifest says is expected, not a loss.
            let state = self.store.state();
            self.manifest.write(&manifest_data(
                self.store.format(),
                &state,
                batch.removals.len() as u64,
            ))?;
        }
        let state = self.store.commit(batch)?;
        self.manifest
            .write(&manifest_data(self.store.format(), &state, 0))
    }

    /// Resolves a full id or a unique prefix of at least 6 hex digits.
    pub fn resolve(&self, input: &str) -> Result<DocId> {
        let prefix = input.trim().to_ascii_lowercase();
        let bad = || Error::BadId {
            input: input.to_owned(),
        };
        if prefix.len() < DocId::MIN_PREFIX
            || prefix.len() > 64
            || !prefix.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(bad());
        }
        if let Some(id) = DocId::from_hex(&prefix) {
            return if self.store.contains(&id)? {
                Ok(id)
            } else {
                Err(Error::NotFound { prefix })
            };
        }
        let whole_bytes = prefix.len() / 2;
        let bytes: Vec<u8> = (0..whole_bytes)
            .map(|i| u8::from_str_radix(&prefix[2 * i..2 * i + 2], 16))
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| bad())?;
        let matches: Vec<DocId> = self
            .store
            .ids_with_prefix(&bytes)?
            .into_iter()
            .filter(|id| id.to_hex().starts_with(&prefix))
            .collect();
        match matches.as_slice() {
            [] => Err(Error::NotFound { prefix }),
            [one] => Ok(*one),
            many => Err(Error::Ambiguous {
                prefix,
                candidates: many.iter().map(DocId::short).collect(),
            }),
        }
    }

    /// The stored record of `id`.
    pub fn get(&self, id: &DocId) -> Result<StoredDoc> {
        self.store.get(id)?.ok_or_else(|| Error::NotFound {
            prefix: id.to_hex(),
        })
    }

    /// The record, if the archive holds it.
    pub fn find(&self, id: &DocId) -> Result<Option<StoredDoc>> {
        self.store.get(id)
    }

    /// Whether the archive holds the original bytes of `id`.
    pub(crate) fn has_raw(&self, id: &DocId) -> Result<bool> {
        self.store.contains_raw(id)
    }

    /// The original bytes of `id`, exactly as imported.
    pub fn raw(&self, id: &DocId) -> Result<Vec<u8>> {
        self.store.get_raw(id)?.ok_or_else(|| Error::Corrupt {
            what: format!("raw/{}", id.short()),
            reason: "the original bytes are missing".into(),
        })
    }

    /// The document's text, decoded from its original bytes with the encoding found at import.
    pub fn text(&self, doc: &StoredDoc, raw: &[u8]) -> String {
        text::decode_with(raw, &doc.source.encoding)
    }

    /// Every record in import order.
    pub fn documents(&self) -> Result<Vec<StoredDoc>> {
        let mut docs = self.store.records().collect::<Result<Vec<_>>>()?;
        docs.sort_by_key(|d| d.seq);
        Ok(docs)
    }

    /// Every id in import order, without keeping the records in memory.
    pub fn ids_in_order(&self) -> Result<Vec<DocId>> {
        let mut ids = Vec::new();
        for doc in self.store.records() {
            let doc = doc?;
            ids.push((doc.seq, doc.id));
        }
        ids.sort_unstable();
        Ok(ids.into_iter().map(|(_, id)| id).collect())
    }

    /// Removes documents (records and original bytes) and flushes.
    pub fn remove(&mut self, ids: &[DocId]) -> Result<()> {
        let mut deleted = Vec::with_capacity(ids.len());
        for id in ids {
            deleted.push(self.get(id)?.seq);
        }
        let has_index = self.has_index()?;
        let batch = WriteBatch {
            removals: ids.to_vec(),
            deleted: if has_index { deleted } else { Vec::new() },
            ..WriteBatch::default()
        };
        self.commit(&batch)
    }

    /// Rebuilds the full-text and field index from the stored documents, in segments of up to
    /// 10,000 documents (larger ones cost memory; smaller ones, queries until a `compact`).
    /// `progress` is told how many documents are done.
    pub fn reindex(&mut self, progress: &mut dyn FnMut(u64, u64)) -> Result<u64> {
        self.reindex_in_segments(10_000, progress)
    }

    /// [`Archive::reindex`] with segments of `segment_docs` documents.
    pub fn reindex_in_segments(
        &mut self,
        segment_docs: usize,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<u64> {
        /// Text bytes in one chunk of documents read for a builder, beyond which the chunk
        /// ends early: with a chunk waiting for each builder, one being built by each and one
        /// being read, this bounds the documents held at once (the whole BBC corpus is one
        /// chunk of 10 MB).
        const CHUNK_BYTES: usize = 32 << 20;
        type Chunk = Vec<(StoredDoc, Vec<u8>)>;
        /// A segment built from a chunk, its number of documents, and whether it is the
        /// chunk's last.
        type Built = (crate::index::Segment, u64, bool);
        let segment_docs = segment_docs.max(1);
        let total = self.len();
        self.store.clear_index()?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let store = &self.store;
        let first_segment = store.next_segment()?;
        // One thread reads and decodes the documents into chunks and deals them out to a
        // builder per core in turn; each builder analyses its chunks into segments, keeping
        // its vocabulary from one to the next; this thread takes the segments from the
        // builders in the same turn, numbers them and writes them. A chunk whose text has
        // more distinct terms than a segment holds gives several segments. Every channel
        // holds at most one item, so the memory in flight is a few chunks and segments,
        // whatever the archive holds.
        std::thread::scope(|scope| {
            let mut to_builders = Vec::with_capacity(threads);
            let mut from_builders = Vec::with_capacity(threads);
            for _ in 0..threads {
                let (chunk_tx, chunks) = std::sync::mpsc::sync_channel::<Chunk>(0);
                let (segment_tx, segments) = std::sync::mpsc::sync_channel::<Built>(1);
                to_builders.push(chunk_tx);
                from_builders.push(segments);
                scope.spawn(move || {
                    let mut builder = crate::index::SegmentBuilder::new();
                    for chunk in chunks {
                        let mut docs: Vec<IndexDoc<'_>> =
                            chunk.iter().map(|(d, r)| IndexDoc::new(d, r)).collect();
                        loop {
                            // Numbered by the writer.
                            let (segment, rest) = builder.build(docs, 0);
                            let count = segment.docnums.len() as u64;
                            let last = rest.is_empty();
                            // A closed channel means the writing failed; its error is
                            // returned below.
                            if segment_tx.send((segment, count, last)).is_err() {
                                return;
                            }
                            if last {
                                break;
                            }
                            docs = rest;
                        }
                    }
                });
            }
            let reader = scope.spawn(move || -> Result<()> {
                let mut chunk = Vec::new();
                let mut bytes = 0usize;
                let mut turn = (0..threads).cycle();
                let mut send = |chunk: Chunk| {
                    // A closed channel means indexing stopped; its error is returned below.
                    to_builders[turn.next().unwrap_or(0)].send(chunk).is_ok()
                };
                for doc in store.records() {
                    let doc = doc?;
                    let body = doc
                        .fields
                        .get("body")
                        .and_then(|b| b.as_str())
                        .map(str::len);
                    let raw = if body.is_some() {
                        Vec::new()
                    } else {
                        store.get_raw(&doc.id)?.unwrap_or_default()
                    };
                    bytes += body.unwrap_or(raw.len());
                    chunk.push((doc, raw));
                    if chunk.len() >= segment_docs || bytes >= CHUNK_BYTES {
                        if !send(std::mem::take(&mut chunk)) {
                            return Ok(());
                        }
                        bytes = 0;
                    }
                }
                if !chunk.is_empty() {
                    send(chunk);
                }
                Ok(())
            });
            // Segments are numbered in the order they are written: chunk by chunk, in the
            // order they were read.
            let mut next = first_segment;
            let mut done = 0u64;
            let mut write_result = Ok(());
            'chunks: for segments in from_builders.iter().cycle() {
                loop {
                    // A builder stops when the reader has no more chunks for it.
                    let Ok((mut segment, docs, last)) = segments.recv() else {
                        break 'chunks;
                    };
                    if docs > 0 {
                        segment.renumber(next);
                        write_result = store.write_index(&WriteBatch {
                            segments: vec![segment],
                            ..WriteBatch::default()
                        });
                        if write_result.is_err() {
                            break 'chunks;
                        }
                        next += 1;
                        done += docs;
                        progress(done, total);
                    }
                    if last {
                        break;
                    }
                }
            }
            // Dropping the receivers closes the channels, so a builder or the reader still
            // running after a failed write stops at its next send.
            drop(from_builders);
            let read_result = reader
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            write_result?;
            read_result?;
            progress(done, total);
            Ok(done)
        })
    }

    /// Whether a full-text index has been built (by `reindex`).
    pub fn has_index(&self) -> Result<bool> {
        self.store.has_index()
    }

    /// The number the next index segment gets.
    pub(crate) fn next_segment(&self) -> Result<u64> {
        self.store.next_segment()
    }

    /// The store, for the searcher.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Rewrites the store into a fresh one and swaps it in: the segments of the index become
    /// one (a value per term), removed documents leave the index, and the space sled keeps
    /// for old versions of pages is given back. Returns the disk bytes before and after.
    pub fn compact(&mut self) -> Result<(u64, u64)> {
        let before = dir_size(&self.dir)?;
        self.swap_in(crate::search::compact_into)?;
        Ok((before, dir_size(&self.dir)?))
    }

    /// Rewrites the store into a fresh one without its index, swaps it in and rebuilds the
    /// index: for `verify --repair` when the index's own trees are damaged past what a
    /// `reindex` (which clears them in place) can get through.
    pub(crate) fn rebuild_without_index(&mut self) -> Result<u64> {
        self.swap_in(|store, target| store.copy_documents_into(target))?;
        self.reindex(&mut |_, _| {})
    }

    /// Fills a fresh store beside this one with `fill` and swaps it in.
    fn swap_in(&mut self, fill: impl FnOnce(&Store, &mut Store) -> Result<()>) -> Result<()> {
        let db = self.dir.join("db");
        let fresh = self.dir.join("db.compact");
        if fresh.exists() {
            fs::remove_dir_all(&fresh).map_err(|e| Error::io(&fresh, e))?;
        }
        {
            let mut target = Store::open(&fresh)?;
            fill(&self.store, &mut target)?;
            target.flush()?;
        }
        let old = self.dir.join("db.old");
        if old.exists() {
            fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        // From here `open` finishes the swap if it is interrupted (see `recover_swap`).
        self.store.flush()?;
        fs::rename(&db, &old).map_err(|e| Error::io(&db, e))?;
        fs::rename(&fresh, &db).map_err(|e| Error::io(&fresh, e))?;
        self.store = Store::open(&db)?;
        fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        self.check_manifest()
    }

    /// Adds and removes tags on documents and flushes. Returns how many documents changed.
    pub fn retag(&mut self, ids: &[DocId], add: &[String], remove: &[String]) -> Result<usize> {
        let mut batch = WriteBatch::default();
        let indexed = self.has_index()?;
        for id in ids {
            let mut doc = self.get(id)?;
            let before = doc.source.tags.clone();
            doc.source.tags.retain(|t| !remove.contains(t));
            merge_tags(&mut doc.source.tags, add);
            if doc.source.tags != before && indexed {
                for tag in &before {
                    if !doc.source.tags.contains(tag) {
                        batch.facets.push(FacetChange {
                            key: facet_key(Facet::Tag, &tag.to_lowercase()),
                            add: Vec::new(),
                            remove: vec![doc.seq],
                        });
                    }
                }
                for tag in &doc.source.tags {
                    batch.facets.push(FacetChange {
                        key: facet_key(Facet::Tag, &tag.to_lowercase()),
                        add: vec![doc.seq],
                        remove: Vec::new(),
                    });
                }
            }
            if doc.source.tags != before {
                batch.records.push(doc);
            }
        }
        let changed = batch.records.len();
        self.commit(&batch)?;
        Ok(changed)
    }

    /// Counts by media type, encoding, tag and field, and sizes.
    pub fn stats(&self) -> Result<Stats> {
        let mut stats = Stats {
            format: self.store.format(),
            ..Stats::default()
        };
        for doc in self.store.records() {
            let doc = doc?;
            stats.documents += 1;
            stats.raw_bytes += doc.raw_len;
            *stats.media_types.entry(doc.source.media_type).or_default() += 1;
            *stats.encodings.entry(doc.source.encoding).or_default() += 1;
            for tag in doc.source.tags {
                *stats.tags.entry(tag).or_default() += 1;
            }
            for field in doc.fields.into_keys() {
                *stats.fields.entry(field).or_default() += 1;
            }
        }
        self.store.flush()?;
        stats.trees = self.store.tree_stats()?;
        stats.disk_bytes = dir_size(&self.dir)?;
        Ok(stats)
    }

    /// Flushes the store; every command calls this before it exits.
    pub fn flush(&self) -> Result<()> {
        self.store.flush()
    }
}

impl Drop for Archive {
    fn drop(&mut self) {
        // Nothing to report to from here; every write path has already flushed, this only
        // covers reads that sled may have logged.
        let _ = self.store.flush();
    }
}

/// Finishes or undoes a `compact` that was interrupted: the fresh store is complete only once
/// the old one has been renamed away, so a `db.compact` beside a `db` is unfinished work.
fn recover_swap(dir: &Path) -> Result<()> {
    let db = dir.join("db");
    let fresh = dir.join("db.compact");
    let old = dir.join("db.old");
    if !db.exists() && fresh.exists() && old.exists() {
        fs::rename(&fresh, &db).map_err(|e| Error::io(&fresh, e))?;
    }
    for leftover in [fresh, old] {
        if db.exists() && leftover.exists() {
            fs::remove_dir_all(&leftover).map_err(|e| Error::io(&leftover, e))?;
        }
    }
    Ok(())
}

/// Adds tags keeping the list sorted and unique.
pub(crate) fn merge_tags(tags: &mut Vec<String>, add: &[String]) {
    tags.extend(add.iter().cloned());
    tags.sort();
    tags.dedup();
}

fn manifest_data(format: u32, state: &StoreState, removing: u64) -> ManifestData {
    ManifestData {
        format,
        documents: state.count,
        next_seq: state.next_seq,
        digest: hex(&state.digest),
        removing,
    }
}

fn hex(bytes: &[u8; 32]) -> String {
    DocId(*bytes).to_hex()
}

fn is_empty_dir(dir: &Path) -> Result<bool> {
    let mut entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    Ok(entries.all(|e| e.is_ok_and(|e| e.file_name() == "lock")))
}

/// Locks the archive: an OS lock (`flock`) on the archive directory itself, which no one
/// deletes while a morgue runs, and our pid written into its `lock` file so a second morgue can
/// say who holds it. Returns the handles that hold the lock.
fn lock(dir: &Path, wait: Option<Duration>) -> Result<(File, File)> {
    let path = dir.join("lock");
    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    let handle = File::open(dir).map_err(|e| Error::io(dir, e))?;
    let deadline = wait.map(|w| Instant::now() + w);
    loop {
        match handle.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                if deadline.is_some_and(|d| Instant::now() < d) {
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
                let mut holder = String::new();
                let _ = fs::File::open(&path).and_then(|mut f| f.read_to_string(&mut holder));
                return Err(Error::InUse {
                    dir: dir.to_owned(),
                    pid: holder.trim().parse().ok(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(Error::io(dir, e)),
        }
    }
    file.set_len(0).map_err(|e| Error::io(&path, e))?;
    file.rewind().map_err(|e| Error::io(&path, e))?;
    write!(file, "{}", std::process::id()).map_err(|e| Error::io(&path, e))?;
    Ok((handle, file))
}

fn dir_size(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.map_err(|e| Error::io(dir, e.into()))?;
        if entry.file_type().is_file() {
            total += entry
                .metadata()
                .map_err(|e| Error::io(entry.path(), e.into()))?
                .len();
        }
    }
    Ok(total)
}
