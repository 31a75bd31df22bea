//! The store: the only module that knows sled. Everything above it sees [`Store`], plain
//! records and [`WriteBatch`]es, so another engine would be a change contained here.
//!
//! Trees (format 3):
//! - `docs`: sequence number (8 bytes, big-endian) → framed id and zstd-compressed bincode
//!   [`RecordV1`]; and under the key `#state` (never 8 bytes long, so never a sequence number)
//!   the document count, next sequence number and id digest, written in the same atomic batch
//!   as the records they count.
//! - `raw`: sequence number → framed zstd of the original bytes. Text is never stored: it is
//!   decoded from these bytes on read.
//! - `ids`: id (32 bytes) → framed sequence number. Keying the documents by import order
//!   makes every import write at the end of `docs` and `raw`, where ids (hashes) scattered
//!   each batch over the whole of two trees far larger than sled's cache: at 100x the BBC
//!   corpus sled took 40% less time for the same writes. A lookup by id costs one more read, in
//!   a tree small enough to stay cached.
//! - `packs`: written by `compact`. Pack number → one zstd frame holding about
//!   [`PACK_BYTES`] of documents, each its record and original bytes side by side; `docs` and
//!   `raw` then hold a small pointer (value version 2: pack and entry) instead. sled writes
//!   small values two to four times over, large ones about once, and an article's body
//!   compresses to almost nothing next to its original, so packing is what makes a compacted
//!   archive small. A document changed later gets an ordinary value again.
//! - `postings`, `doctable`, `docnums`, `facets`: the full-text and field index (see
//!   `crate::index`), derived from the above.
//! - `meta`: `format` → the store format version; `index` → the index layout, present once
//!   the archive is indexed; `deleted` → sequence numbers removed since the index was built.
//!
//! - One operation's writes to all these trees (except a new segment's postings, see
//!   `Store::index_writes`) are applied in one sled transaction, so a crash leaves all or none.
//!   Builds before that wrote `meta/pending-ids` (the ids of the last commit, written before
//!   their `ids` entries); `open` still drops any of them at or past the committed next
//!   sequence number.
//!
//! Format 2 archives key `docs` and `raw` by id and have no `ids` tree (`Layout::ById`).
//! This build reads and writes them as they are; `morgue compact` rewrites them in format 3.

pub mod check;
pub mod codec;
pub mod manifest;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{DocId, Fields, Provenance, Source};

/// The store format this build writes and reads.
pub const FORMAT_VERSION: u32 = 3;
/// The first format that keys documents by sequence number.
const SEQ_KEYED_FORMAT: u32 = 3;
/// Uncompressed bytes of documents per pack. At 100x the BBC corpus, 1 MB packs compress 9%
/// better than 256 KB ones (level 9), and five compactions left 1.46-1.52x of the raw bytes on
/// disk against 1.55-1.64x. How much sled leaves behind of rewritten leaves does not follow the
/// pack size in step (512 KB packs left 1.65-1.68x, 2 MB ones 1.50-1.52x), so this is a
/// measured choice. Reading one document decompresses its pack, about a millisecond.
pub const PACK_BYTES: usize = 1024 * 1024;
/// zstd level of packs: written once by `compact`, read often.
const PACK_LEVEL: i32 = 9;
/// sled's page cache; larger caches buy little here and cost memory on big imports.
const CACHE_BYTES: u64 = 128 * 1024 * 1024;
const STATE_KEY: &[u8] = b"#state";
const FORMAT_KEY: &[u8] = b"format";
/// Present once the archive has a full-text index that imports keep current.
const INDEX_KEY: &[u8] = b"index";
/// Sequence numbers of documents removed since the index was built.
pub(crate) const DELETED_KEY: &[u8] = b"deleted";
/// The ids the last commit gave `ids` entries, written before them (see [`Store::commit`]).
const PENDING_KEY: &[u8] = b"pending-ids";
/// The trees, in the order `tree_stats` reports them.
const TREES: [&str; 9] = [
    "docs", "raw", "ids", "packs", "postings", "doctable", "docnums", "facets", "meta",
];
/// zstd level of a document's record and original as import writes them: level 1 compresses
/// an article within 0.5% of level 3 at most of the speed (`compact` repacks at [`PACK_LEVEL`]).
pub(crate) const ZSTD_LEVEL: i32 = 1;

/// A document as stored, without its raw bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredDoc {
    /// The id.
    pub id: DocId,
    /// Import order.
    pub seq: u64,
    /// Length of the original bytes.
    pub raw_len: u64,
    /// Where it came from.
    pub source: Source,
    /// Extracted fields.
    pub fields: Fields,
    /// Which extractor produced each field.
    pub provenance: BTreeMap<String, Provenance>,
}

/// The persisted form of a record. bincode is not self-describing, so this struct has no
/// skipped or defaulted fields; changing it means a new value version.
#[derive(Serialize, Deserialize)]
struct RecordV1 {
    seq: u64,
    raw_len: u64,
    paths: Vec<String>,
    url: Option<String>,
    media_type: String,
    encoding: String,
    imported_at: String,
    tags: Vec<String>,
    /// Fields as JSON: their values are arbitrary JSON, which bincode cannot carry.
    fields_json: String,
    provenance: Vec<(String, String, String, u32)>,
}

/// Counters kept in the `docs` tree beside the records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreState {
    /// Documents in the store.
    pub count: u64,
    /// The next import sequence number.
    pub next_seq: u64,
    /// XOR of all ids.
    pub digest: [u8; 32],
}

impl StoreState {
    pub fn toggle(&mut self, id: &DocId) {
        for (d, b) in self.digest.iter_mut().zip(id.0) {
            *d ^= b;
        }
    }
}

/// Changes to one facet list.
#[derive(Clone, Debug, Default)]
pub struct FacetChange {
    /// `[facet][value]`, see `crate::index::facet_key`.
    pub key: Vec<u8>,
    /// Sequence numbers to add.
    pub add: Vec<u64>,
    /// Sequence numbers to drop.
    pub remove: Vec<u64>,
}

/// Writes applied together and flushed before `commit` returns.
#[derive(Default)]
pub struct WriteBatch {
    /// New index segments (most batches have one; one whose documents hold more terms than a
    /// segment may, several).
    pub segments: Vec<crate::index::Segment>,
    /// Facet list changes beyond the segment's (tags added or removed later).
    pub facets: Vec<FacetChange>,
    /// Sequence numbers of removed documents, to drop from the index.
    pub deleted: Vec<u64>,
    /// New raw bytes (uncompressed).
    pub raw: Vec<(DocId, Vec<u8>)>,
    /// New or updated records.
    pub records: Vec<StoredDoc>,
    /// Ids to delete with their raw bytes.
    pub removals: Vec<DocId>,
}

impl WriteBatch {
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
            && self.records.is_empty()
            && self.removals.is_empty()
            && self.segments.is_empty()
            && self.facets.is_empty()
            && self.deleted.is_empty()
    }
}

/// One operation's writes per tree, applied together by `Store::apply`.
#[derive(Default)]
struct Writes {
    raw: sled::Batch,
    docs: sled::Batch,
    ids: sled::Batch,
    /// `ids` entries of removed documents.
    ids_removed: sled::Batch,
    meta: sled::Batch,
    docnums: sled::Batch,
    doctable: sled::Batch,
    facets: sled::Batch,
}

/// How `docs` and `raw` are keyed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// By id (formats 1 and 2).
    ById,
    /// By sequence number, with `ids` mapping ids to them (format 3).
    BySeq,
}

/// The key of a document in `docs` and `raw`: its id or its sequence number.
enum DocKey {
    Id([u8; 32]),
    Seq([u8; 8]),
}

impl AsRef<[u8]> for DocKey {
    fn as_ref(&self) -> &[u8] {
        match self {
            DocKey::Id(id) => id,
            DocKey::Seq(seq) => seq,
        }
    }
}

/// The sled database and its trees.
pub struct Store {
    dir: PathBuf,
    db: sled::Db,
    /// The format on disk and the layout it implies.
    format: u32,
    layout: Layout,
    docs: sled::Tree,
    raw: sled::Tree,
    ids: sled::Tree,
    postings: sled::Tree,
    doctable: sled::Tree,
    docnums: sled::Tree,
    facets: sled::Tree,
    packs: sled::Tree,
    meta: sled::Tree,
    /// Counters as of the last commit; commits take `&self`, so one may run on another thread
    /// while this one reads.
    state: std::sync::Mutex<StoreState>,
    /// The pack read last: records are read in key order, which is pack order.
    pack_cache: std::sync::Mutex<Option<(u64, std::sync::Arc<Pack>)>>,
}

/// A decompressed pack: documents' records and original bytes.
pub(crate) struct Pack {
    plain: Vec<u8>,
    /// Per entry: id, record (bincode) and original bytes, as ranges of `plain`.
    entries: Vec<(DocId, std::ops::Range<usize>, std::ops::Range<usize>)>,
}

impl Pack {
    pub(crate) fn parse(plain: Vec<u8>) -> std::result::Result<Pack, String> {
        let mut entries = Vec::new();
        let mut at = 0usize;
        let take =
            |at: &mut usize, n: usize| -> std::result::Result<std::ops::Range<usize>, String> {
                let end = at
                    .checked_add(n)
                    .filter(|&e| e <= plain.len())
                    .ok_or("truncated entry")?;
                let r = *at..end;
                *at = end;
                Ok(r)
            };
        let len = |at: &mut usize| -> std::result::Result<usize, String> {
            let r = take(at, 4)?;
            let mut b = [0u8; 4];
            b.copy_from_slice(&plain[r]);
            Ok(u32::from_le_bytes(b) as usize)
        };
        while at < plain.len() {
            let id_range = take(&mut at, 32)?;
            let mut id = [0u8; 32];
            id.copy_from_slice(&plain[id_range]);
            let n = len(&mut at)?;
            let record = take(&mut at, n)?;
            let n = len(&mut at)?;
            let raw = take(&mut at, n)?;
            entries.push((DocId(id), record, raw));
        }
        Ok(Pack { plain, entries })
    }
}

impl Store {
    /// Opens (or creates) the store in `dir`. sled panics on some damaged files, so the open is
    /// wrapped in `catch_unwind` and reported as a store error.
    pub fn open(dir: &Path) -> Result<Store> {
        let config = sled::Config::new().path(dir).cache_capacity(CACHE_BYTES);
        // sled makes `conf` and `db` when it creates a store: with either there, the store
        // held something.
        let existed = dir.join("conf").exists() || dir.join("db").exists();
        if existed && fs_len(&dir.join("db")) == 0 {
            // sled would make a new, empty data file and open as an empty store.
            return Err(Error::StoreLost {
                dir: dir.to_owned(),
                file: dir.join("db"),
            });
        }
        // Other morgues are kept out by the archive's lock, so sled's own file lock can only be
        // held by a database this process just closed (after `compact`), whose background
        // threads let go of it a moment later: wait for that.
        let patience = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let db = match loop {
            match quietly(|| catch_unwind(AssertUnwindSafe(|| config.open()))) {
                // sled reports its lock as an `Other` error with this text.
                Ok(Err(sled::Error::Io(e)))
                    if e.to_string().contains("could not acquire lock")
                        && std::time::Instant::now() < patience =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => break other,
            }
        } {
            Ok(Ok(db)) => db,
            // What sled says of files it cannot start from (a settings file it does not
            // accept, a log it cannot read) means damage to them, whatever its kind.
            Ok(Err(sled::Error::Unsupported(what))) => {
                return Err(Error::Store {
                    dir: dir.to_owned(),
                    message: damaged(Some(what)),
                });
            }
            Ok(Err(e)) => return Err(store_err(dir, e)),
            Err(panic) => {
                return Err(Error::Store {
                    dir: dir.to_owned(),
                    message: damaged(Some(
                        crate::plugin::guest::panic_message(&*panic).to_string(),
                    )),
                });
            }
        };
        let docs = db.open_tree("docs").map_err(|e| store_err(dir, e))?;
        let raw = db.open_tree("raw").map_err(|e| store_err(dir, e))?;
        let ids = db.open_tree("ids").map_err(|e| store_err(dir, e))?;
        let meta = db.open_tree("meta").map_err(|e| store_err(dir, e))?;
        let postings = db.open_tree("postings").map_err(|e| store_err(dir, e))?;
        let doctable = db.open_tree("doctable").map_err(|e| store_err(dir, e))?;
        let docnums = db.open_tree("docnums").map_err(|e| store_err(dir, e))?;
        let facets = db.open_tree("facets").map_err(|e| store_err(dir, e))?;
        let packs = db.open_tree("packs").map_err(|e| store_err(dir, e))?;
        let format = match meta.get(FORMAT_KEY).map_err(|e| store_err(dir, e))? {
            Some(v) => {
                let payload = codec::unframe(&v, &|| "meta/format".into())?;
                let bytes: [u8; 4] = payload.try_into().map_err(|_| Error::Corrupt {
                    what: "meta/format".into(),
                    reason: "not a 4-byte version".into(),
                })?;
                u32::from_le_bytes(bytes)
            }
            None if existed => {
                // The format is the first thing a store is given, and flushed at once: a
                // store without it lost its data file (deleted or truncated), which sled
                // reopens as empty without a word.
                return Err(Error::StoreLost {
                    dir: dir.to_owned(),
                    file: dir.join("db"),
                });
            }
            None => {
                meta.insert(FORMAT_KEY, codec::frame(&FORMAT_VERSION.to_le_bytes()))
                    .map_err(|e| store_err(dir, e))?;
                db.flush().map_err(|e| store_err(dir, e))?;
                FORMAT_VERSION
            }
        };
        if format > FORMAT_VERSION {
            return Err(Error::FormatTooNew {
                dir: dir.to_owned(),
                found: format,
                supported: FORMAT_VERSION,
            });
        }
        let state = match docs.get(STATE_KEY).map_err(|e| store_err(dir, e))? {
            Some(v) => {
                decode_bincode(codec::unframe(&v, &|| "docs/#state".into())?, "docs/#state")?
            }
            None => StoreState::default(),
        };
        let layout = if format >= SEQ_KEYED_FORMAT {
            Layout::BySeq
        } else {
            Layout::ById
        };
        let store = Store {
            dir: dir.to_owned(),
            db,
            format,
            layout,
            docs,
            raw,
            ids,
            postings,
            doctable,
            docnums,
            facets,
            packs,
            meta,
            state: std::sync::Mutex::new(state),
            pack_cache: std::sync::Mutex::new(None),
        };
        store.drop_uncommitted_ids()?;
        if let Some(layout) = store.meta.get(INDEX_KEY).map_err(|e| store_err(dir, e))?
            && codec::unframe(&layout, &|| "meta/index".into())? != [crate::index::LAYOUT]
        {
            // An index in an older layout is derived data this build cannot read: drop it, and
            // queries will ask for `morgue reindex`.
            store.drop_index()?;
        }
        Ok(store)
    }

    /// Drops the `ids` entries of a commit that did not reach `docs`: those of the last
    /// commit's ids (kept under [`PENDING_KEY`]) whose sequence number the counters have not
    /// reached. Committed entries are below it, so they stay.
    fn drop_uncommitted_ids(&self) -> Result<()> {
        let Some(value) = self.meta.get(PENDING_KEY).map_err(|e| self.err(e))? else {
            return Ok(());
        };
        let payload = codec::unframe(&value, &|| "meta/pending-ids".into())?;
        let next_seq = self.lock_state().next_seq;
        let mut dropped = sled::Batch::default();
        let mut any = false;
        for chunk in payload.chunks_exact(32) {
            let id = DocId(<[u8; 32]>::try_from(chunk).unwrap_or([0; 32]));
            if self.seq_of(&id)?.is_some_and(|seq| seq >= next_seq) {
                dropped.remove(&id.0[..]);
                any = true;
            }
        }
        if !any {
            // The usual case: the last commit went through. Nothing is written, so opening an
            // archive to read it stays a read.
            return Ok(());
        }
        self.ids.apply_batch(dropped).map_err(|e| self.err(e))?;
        self.meta.remove(PENDING_KEY).map_err(|e| self.err(e))?;
        self.flush()
    }

    /// Creates an empty store in `dir` in `format` (2 or this build's), as the build that
    /// wrote that format would have: for tests of reading and upgrading older archives.
    pub fn create_in_format(dir: &Path, format: u32) -> Result<()> {
        if !(2..=FORMAT_VERSION).contains(&format) {
            return Err(Error::FormatTooNew {
                dir: dir.to_owned(),
                found: format,
                supported: FORMAT_VERSION,
            });
        }
        let db = sled::Config::new()
            .path(dir)
            .open()
            .map_err(|e| store_err(dir, e))?;
        let meta = db.open_tree("meta").map_err(|e| store_err(dir, e))?;
        meta.insert(FORMAT_KEY, codec::frame(&format.to_le_bytes()))
            .map_err(|e| store_err(dir, e))?;
        db.flush().map_err(|e| store_err(dir, e))?;
        Ok(())
    }

    /// Counters as of the last commit.
    pub fn state(&self) -> StoreState {
        *self.lock_state()
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, StoreState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The format of this store on disk.
    pub fn format(&self) -> u32 {
        self.format
    }

    /// The sequence number `ids` holds for `id`, whether or not its record made it (a commit
    /// writes `ids` before `docs`, so after a crash an entry may point at nothing).
    fn seq_of(&self, id: &DocId) -> Result<Option<u64>> {
        let Some(value) = self.ids.get(id.0).map_err(|e| self.err(e))? else {
            return Ok(None);
        };
        let what = || format!("ids/{}", id.short());
        let payload = codec::unframe(&value, &what)?;
        let bytes = <[u8; 8]>::try_from(payload).map_err(|_| Error::Corrupt {
            what: what(),
            reason: "not an 8-byte sequence number".into(),
        })?;
        Ok(Some(u64::from_le_bytes(bytes)))
    }

    /// The key of `id` in `docs` and `raw`; `None` when a store keyed by sequence number has
    /// no entry for it.
    fn key_of(&self, id: &DocId) -> Result<Option<DocKey>> {
        match self.layout {
            Layout::ById => Ok(Some(DocKey::Id(id.0))),
            Layout::BySeq => Ok(self.seq_of(id)?.map(|seq| DocKey::Seq(seq.to_be_bytes()))),
        }
    }

    /// The key of a document being written.
    fn key_for(&self, id: &DocId, seq: u64) -> DocKey {
        match self.layout {
            Layout::ById => DocKey::Id(id.0),
            Layout::BySeq => DocKey::Seq(seq.to_be_bytes()),
        }
    }

    /// Whether a record exists for `id`.
    pub fn contains(&self, id: &DocId) -> Result<bool> {
        match self.key_of(id)? {
            Some(key) => self.docs.contains_key(key).map_err(|e| self.err(e)),
            None => Ok(false),
        }
    }

    /// Whether raw bytes exist for `id`.
    pub fn contains_raw(&self, id: &DocId) -> Result<bool> {
        match self.key_of(id)? {
            Some(key) => self.raw.contains_key(key).map_err(|e| self.err(e)),
            None => Ok(false),
        }
    }

    /// The record for `id`, if any.
    pub fn get(&self, id: &DocId) -> Result<Option<StoredDoc>> {
        let Some(key) = self.key_of(id)? else {
            return Ok(None);
        };
        match self.docs.get(key).map_err(|e| self.err(e))? {
            Some(v) => {
                let what = || format!("docs/{}", id.short());
                let (stored, plain) = self.record_plain(&v, &what)?;
                if stored.is_some_and(|stored| stored != *id) {
                    return Err(Error::Corrupt {
                        what: what(),
                        reason: "the record under its sequence number is another document's".into(),
                    });
                }
                decode_record_plain(id, &plain, &what).map(Some)
            }
            None => Ok(None),
        }
    }

    /// A record from its `docs` key and value, wherever its id is kept.
    fn decode_entry(&self, key: &[u8], value: &[u8]) -> Result<StoredDoc> {
        let what = || format!("docs/{}", hex::encode(key));
        let (stored, plain) = self.record_plain(value, &what)?;
        let id = self.entry_id(key, stored, &what)?;
        decode_record_plain(&id, &plain, &what)
    }

    /// The id of the `docs` entry under `key`, given the id its value holds, if any.
    fn entry_id(
        &self,
        key: &[u8],
        stored: Option<DocId>,
        what: &dyn Fn() -> String,
    ) -> Result<DocId> {
        Ok(match (self.layout, stored) {
            (_, Some(id)) => id,
            (Layout::ById, None) => {
                DocId(<[u8; 32]>::try_from(key).map_err(|_| Error::Corrupt {
                    what: what(),
                    reason: "the key is not an id".into(),
                })?)
            }
            (Layout::BySeq, None) => {
                return Err(Error::Corrupt {
                    what: what(),
                    reason: "the record does not say which document it is".into(),
                });
            }
        })
    }

    /// The id (when the value says it) and the bincode of a record from its `docs` value,
    /// inline or in a pack. Inline values of a store keyed by sequence number start with the
    /// id; a pack entry always names its document.
    fn record_plain(
        &self,
        value: &[u8],
        what: &dyn Fn() -> String,
    ) -> Result<(Option<DocId>, Vec<u8>)> {
        match codec::unframe_any(value, what)? {
            codec::Value::Inline(payload) => {
                let (id, payload) = match self.layout {
                    Layout::ById => (None, payload),
                    Layout::BySeq => {
                        let (id, rest) =
                            payload
                                .split_first_chunk::<32>()
                                .ok_or_else(|| Error::Corrupt {
                                    what: what(),
                                    reason: "shorter than an id".into(),
                                })?;
                        (Some(DocId(*id)), rest)
                    }
                };
                let plain = decompress(payload).map_err(|e| Error::Corrupt {
                    what: what(),
                    reason: format!("zstd: {e}"),
                })?;
                Ok((id, plain))
            }
            codec::Value::Packed(pack, entry) => {
                let pack = self.pack(pack, what)?;
                let (id, record, _) =
                    pack.entries
                        .get(entry as usize)
                        .ok_or_else(|| Error::Corrupt {
                            what: what(),
                            reason: format!("pack entry {entry} is missing"),
                        })?;
                Ok((Some(*id), pack.plain[record.clone()].to_vec()))
            }
        }
    }

    /// Pack `number`, from the one-pack cache or the `packs` tree.
    fn pack(&self, number: u64, what: &dyn Fn() -> String) -> Result<std::sync::Arc<Pack>> {
        let mut cache = self
            .pack_cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((n, pack)) = &*cache
            && *n == number
        {
            return Ok(pack.clone());
        }
        let corrupt = |reason: String| Error::Corrupt {
            what: format!("{} (pack {number})", what()),
            reason,
        };
        let value = self
            .packs
            .get(number.to_be_bytes())
            .map_err(|e| self.err(e))?
            .ok_or_else(|| corrupt("points at a pack that is missing".into()))?;
        let payload = codec::unframe(&value, &|| format!("packs/{number}"))?;
        let plain = decompress(payload).map_err(|e| corrupt(format!("zstd: {e}")))?;
        let pack = std::sync::Arc::new(Pack::parse(plain).map_err(corrupt)?);
        *cache = Some((number, pack.clone()));
        Ok(pack)
    }

    /// The original bytes of `id`, if any.
    pub fn get_raw(&self, id: &DocId) -> Result<Option<Vec<u8>>> {
        let Some(key) = self.key_of(id)? else {
            return Ok(None);
        };
        let Some(v) = self.raw.get(key).map_err(|e| self.err(e))? else {
            return Ok(None);
        };
        let what = || format!("raw/{}", id.short());
        match codec::unframe_any(&v, &what)? {
            codec::Value::Inline(payload) => {
                decompress(payload).map(Some).map_err(|e| Error::Corrupt {
                    what: what(),
                    reason: format!("zstd: {e}"),
                })
            }
            codec::Value::Packed(pack, entry) => {
                let pack = self.pack(pack, &what)?;
                let (_, _, raw) = pack_entry(&pack, entry, id, &what)?;
                Ok(Some(pack.plain[raw.clone()].to_vec()))
            }
        }
    }

    /// Ids whose bytes start with `prefix`.
    pub fn ids_with_prefix(&self, prefix: &[u8]) -> Result<Vec<DocId>> {
        let mut out = Vec::new();
        let tree = match self.layout {
            Layout::ById => &self.docs,
            Layout::BySeq => &self.ids,
        };
        for item in tree.scan_prefix(prefix) {
            let (key, _) = item.map_err(|e| self.err(e))?;
            if let Ok(bytes) = <[u8; 32]>::try_from(key.as_ref()) {
                out.push(DocId(bytes));
            }
        }
        Ok(out)
    }

    /// Every record, in key order: import order, or id order in a format 2 store. Iteration
    /// stops at the first error: sled repeats the same error forever after a corrupt record.
    pub fn records(&self) -> Records<'_> {
        Records {
            store: self,
            iter: self.docs.iter(),
            done: false,
        }
    }

    /// Applies a batch — raw bytes first, then records and counters in one atomic batch — and
    /// flushes. Only after this returns may the documents be reported as archived: without a
    /// flush sled loses recent writes on a crash.
    pub fn commit(&self, batch: &WriteBatch) -> Result<StoreState> {
        // One commit at a time: each counts against the state the previous one left.
        let mut current = self.lock_state();
        if batch.is_empty() {
            return Ok(*current);
        }
        let mut state = *current;
        let mut raw_batch = sled::Batch::default();
        let mut docs_batch = sled::Batch::default();
        // Compressing is most of a commit's work: the originals on one thread while the
        // records are encoded on this one.
        let dir = &self.dir;
        let (raw_values, record_values) = std::thread::scope(|scope| {
            let raw = scope.spawn(|| -> Result<Vec<Vec<u8>>> {
                let mut compressor =
                    zstd::bulk::Compressor::new(ZSTD_LEVEL).map_err(|e| Error::io(dir, e))?;
                batch
                    .raw
                    .iter()
                    .map(|(_, bytes)| {
                        let packed = compressor.compress(bytes).map_err(|e| Error::io(dir, e))?;
                        Ok(codec::frame(&packed))
                    })
                    .collect()
            });
            let records = (|| -> Result<Vec<Vec<u8>>> {
                let mut compressor =
                    zstd::bulk::Compressor::new(ZSTD_LEVEL).map_err(|e| Error::io(dir, e))?;
                let with_id = self.layout == Layout::BySeq;
                batch
                    .records
                    .iter()
                    .map(|doc| encode_record(doc, with_id, &mut compressor))
                    .collect()
            })();
            let raw = raw.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            (raw, records)
        });
        let mut ids_batch = sled::Batch::default();
        let mut ids_removed = sled::Batch::default();
        // Where each id of the batch goes: its record's sequence number.
        let batch_seqs: std::collections::HashMap<DocId, u64> =
            batch.records.iter().map(|d| (d.id, d.seq)).collect();
        for ((id, _), value) in batch.raw.iter().zip(raw_values?) {
            let key = match batch_seqs.get(id) {
                Some(&seq) => self.key_for(id, seq),
                None => self.key_of(id)?.ok_or_else(|| Error::Corrupt {
                    what: format!("raw/{}", id.short()),
                    reason: "original bytes written without their record".into(),
                })?,
            };
            raw_batch.insert(key.as_ref(), value);
        }
        // Ids counted in this batch, so one added twice in a batch is counted once.
        let mut seen = std::collections::HashSet::new();
        for id in &batch.removals {
            if seen.insert(*id) && self.contains(id)? {
                state.count -= 1;
                state.toggle(id);
            }
            if let Some(key) = self.key_of(id)? {
                raw_batch.remove(key.as_ref());
                docs_batch.remove(key.as_ref());
            }
            if self.layout == Layout::BySeq && !batch_seqs.contains_key(id) {
                ids_removed.remove(&id.0[..]);
            }
        }
        for doc in &batch.records {
            if seen.insert(doc.id) && !self.contains(&doc.id)? {
                state.count += 1;
                state.toggle(&doc.id);
            }
            state.next_seq = state.next_seq.max(doc.seq + 1);
            if self.layout == Layout::BySeq {
                // A document keeps its sequence number for life; should one ever come with
                // another, its entries under the old one go.
                if let Some(old) = self.seq_of(&doc.id)?
                    && old != doc.seq
                {
                    docs_batch.remove(&old.to_be_bytes()[..]);
                    raw_batch.remove(&old.to_be_bytes()[..]);
                }
                ids_batch.insert(&doc.id.0[..], codec::frame(&doc.seq.to_le_bytes()));
            }
        }
        for (doc, value) in batch.records.iter().zip(record_values?) {
            docs_batch.insert(self.key_for(&doc.id, doc.seq).as_ref(), value);
        }
        docs_batch.insert(STATE_KEY, codec::frame(&encode_bincode(&state)?));
        let index = self.index_writes(batch)?;
        self.apply(Writes {
            raw: raw_batch,
            docs: docs_batch,
            ids: ids_batch,
            ids_removed,
            ..index
        })?;
        self.db.flush().map_err(|e| self.err(e))?;
        *current = state;
        Ok(state)
    }

    /// Applies the index part of a batch alone and flushes (a rebuild writes nothing else).
    pub fn write_index(&self, batch: &WriteBatch) -> Result<()> {
        let writes = self.index_writes(batch)?;
        self.apply(writes)?;
        self.flush()
    }

    /// Writes the new segments' postings, which are most of a batch's keys, and returns the
    /// rest of the batch's index writes for [`Store::apply`]. Postings reach disk before the
    /// segment's entry in `doctable` that makes queries read them, so a crash in between
    /// leaves postings no query reads, which the next segment of that number replaces: any
    /// entries already under its number are removed first.
    fn index_writes(&self, batch: &WriteBatch) -> Result<Writes> {
        let mut writes = Writes::default();
        for segment in batch.segments.iter().filter(|s| !s.docnums.is_empty()) {
            let mut postings = sled::Batch::default();
            for item in self.postings.scan_prefix(segment.id.to_be_bytes()).keys() {
                postings.remove(item.map_err(|e| self.err(e))?);
            }
            for (key, value) in &segment.postings {
                postings.insert(key.as_slice(), codec::frame(value));
            }
            self.postings
                .apply_batch(postings)
                .map_err(|e| self.err(e))?;
            collect_garbage(segment.postings.len());
            for (seq, entry) in &segment.docnums {
                writes
                    .docnums
                    .insert(&seq.to_be_bytes()[..], codec::frame(entry));
            }
            writes
                .doctable
                .insert(&segment.id.to_be_bytes()[..], codec::frame(&segment.table));
        }
        let mut changes: BTreeMap<&[u8], (Vec<u64>, Vec<u64>)> = BTreeMap::new();
        for segment in &batch.segments {
            for (key, seqs) in &segment.facets {
                changes.entry(key).or_default().0.extend(seqs);
            }
        }
        for change in &batch.facets {
            let entry = changes.entry(&change.key).or_default();
            entry.0.extend(&change.add);
            entry.1.extend(&change.remove);
        }
        for (key, (add, remove)) in changes {
            let mut seqs = self.facet(key)?;
            seqs.extend(add);
            seqs.sort_unstable();
            seqs.dedup();
            seqs.retain(|s| !remove.contains(s));
            if seqs.is_empty() {
                writes.facets.remove(key);
            } else {
                writes
                    .facets
                    .insert(key, codec::frame(&crate::index::encode_seqs(&seqs)));
            }
        }
        if !batch.deleted.is_empty() {
            let mut deleted = self.deleted()?;
            deleted.extend(&batch.deleted);
            deleted.sort_unstable();
            deleted.dedup();
            writes.meta.insert(
                DELETED_KEY,
                codec::frame(&crate::index::encode_seqs(&deleted)),
            );
            for seq in &batch.deleted {
                writes.docnums.remove(&seq.to_be_bytes()[..]);
            }
        }
        Ok(writes)
    }

    /// Applies one operation's writes to every tree in one sled transaction: after a crash
    /// either all of them are there or none is, so records, original bytes, `ids` and the
    /// index never disagree.
    fn apply(&self, writes: Writes) -> Result<()> {
        use sled::Transactional;
        use sled::transaction::{ConflictableTransactionError, TransactionError};
        let trees = (
            &self.raw,
            &self.docs,
            &self.ids,
            &self.meta,
            &self.docnums,
            &self.doctable,
            &self.facets,
        );
        trees
            .transaction(|(raw, docs, ids, meta, docnums, doctable, facets)| {
                raw.apply_batch(&writes.raw)?;
                ids.apply_batch(&writes.ids)?;
                docs.apply_batch(&writes.docs)?;
                ids.apply_batch(&writes.ids_removed)?;
                meta.apply_batch(&writes.meta)?;
                docnums.apply_batch(&writes.docnums)?;
                doctable.apply_batch(&writes.doctable)?;
                facets.apply_batch(&writes.facets)?;
                Ok::<(), ConflictableTransactionError<()>>(())
            })
            .map_err(|e| match e {
                TransactionError::Storage(e) => self.err(e),
                TransactionError::Abort(()) => Error::Store {
                    dir: self.dir.clone(),
                    message: "a write was abandoned".into(),
                },
            })
    }

    /// Every index segment's number and packed document rows, in segment order.
    pub fn segments(&self) -> Result<Vec<(u64, Vec<u8>)>> {
        let mut out = Vec::new();
        for item in self.doctable.iter() {
            let (key, value) = item.map_err(|e| self.err(e))?;
            let segment = <[u8; 8]>::try_from(key.as_ref())
                .map(u64::from_be_bytes)
                .map_err(|_| Error::Corrupt {
                    what: "doctable key".into(),
                    reason: "not 8 bytes".into(),
                })?;
            let payload = codec::unframe(&value, &|| format!("doctable/{segment}"))?;
            out.push((segment, payload.to_vec()));
        }
        Ok(out)
    }

    /// The number the next index segment gets: one more than the last one written.
    pub fn next_segment(&self) -> Result<u64> {
        let last = self.doctable.last().map_err(|e| self.err(e))?;
        Ok(last
            .and_then(|(k, _)| <[u8; 8]>::try_from(k.as_ref()).ok())
            .map_or(0, |k| u64::from_be_bytes(k) + 1))
    }

    /// The postings value under `key`, unframed.
    pub fn posting(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        match self.postings.get(key).map_err(|e| self.err(e))? {
            Some(v) => Ok(Some(
                codec::unframe(&v, &|| "postings value".into())?.to_vec(),
            )),
            None => Ok(None),
        }
    }

    /// Postings entries whose key starts with `prefix`, values unframed, in key order.
    pub fn postings_with_prefix(&self, prefix: &[u8]) -> PrefixIter<'_> {
        PrefixIter {
            store: self,
            iter: self.postings.scan_prefix(prefix),
            done: false,
            what: "postings value",
        }
    }

    /// Facet lists whose key starts with `prefix`, in key order.
    pub fn facets_with_prefix(&self, prefix: &[u8]) -> PrefixIter<'_> {
        PrefixIter {
            store: self,
            iter: self.facets.scan_prefix(prefix),
            done: false,
            what: "facet list",
        }
    }

    /// The sorted sequence numbers of one facet value.
    pub fn facet(&self, key: &[u8]) -> Result<Vec<u64>> {
        match self.facets.get(key).map_err(|e| self.err(e))? {
            Some(v) => decode_seqs(codec::unframe(&v, &|| "facet list".into())?, "facet list"),
            None => Ok(Vec::new()),
        }
    }

    /// The id and title of the indexed document with sequence number `seq`.
    pub fn docnum(&self, seq: u64) -> Result<Option<(DocId, String)>> {
        match self
            .docnums
            .get(seq.to_be_bytes())
            .map_err(|e| self.err(e))?
        {
            Some(v) => {
                let what = || format!("docnums/{seq}");
                let payload = codec::unframe(&v, &what)?;
                let corrupt = |reason: &str| Error::Corrupt {
                    what: what(),
                    reason: reason.into(),
                };
                let (id, title) = payload
                    .split_first_chunk::<32>()
                    .ok_or_else(|| corrupt("shorter than an id"))?;
                let title = std::str::from_utf8(title).map_err(|_| corrupt("title not UTF-8"))?;
                Ok(Some((DocId(*id), title.to_owned())))
            }
            None => Ok(None),
        }
    }

    /// Sequence numbers removed since the index was built.
    pub fn deleted(&self) -> Result<Vec<u64>> {
        match self.meta.get(DELETED_KEY).map_err(|e| self.err(e))? {
            Some(v) => decode_seqs(
                codec::unframe(&v, &|| "meta/deleted".into())?,
                "meta/deleted",
            ),
            None => Ok(Vec::new()),
        }
    }

    /// Whether the archive has a full-text index (one was built, even of no documents).
    pub fn has_index(&self) -> Result<bool> {
        self.meta.contains_key(INDEX_KEY).map_err(|e| self.err(e))
    }

    /// Drops the whole index (before a rebuild), marks the archive as indexed from now on, and
    /// flushes.
    pub fn clear_index(&self) -> Result<()> {
        self.drop_index()?;
        self.meta
            .insert(INDEX_KEY, codec::frame(&[crate::index::LAYOUT]))
            .map_err(|e| self.err(e))?;
        self.flush()
    }

    fn drop_index(&self) -> Result<()> {
        for tree in [&self.postings, &self.doctable, &self.docnums, &self.facets] {
            tree.clear().map_err(|e| self.err(e))?;
        }
        self.meta.remove(DELETED_KEY).map_err(|e| self.err(e))?;
        self.meta.remove(INDEX_KEY).map_err(|e| self.err(e))?;
        self.flush()
    }

    /// Entries and key + value bytes of each tree: what the store was given, before sled's
    /// own overhead.
    pub fn tree_stats(&self) -> Result<BTreeMap<String, TreeStats>> {
        let mut out = BTreeMap::new();
        for name in TREES {
            let tree = self.tree(name);
            let mut stats = TreeStats::default();
            for item in tree.iter() {
                let (k, v) = item.map_err(|e| self.err(e))?;
                stats.entries += 1;
                stats.bytes += (k.len() + v.len()) as u64;
            }
            out.insert(name.to_owned(), stats);
        }
        Ok(out)
    }

    fn tree(&self, name: &str) -> &sled::Tree {
        match name {
            "docs" => &self.docs,
            "raw" => &self.raw,
            "ids" => &self.ids,
            "postings" => &self.postings,
            "doctable" => &self.doctable,
            "docnums" => &self.docnums,
            "facets" => &self.facets,
            "packs" => &self.packs,
            _ => &self.meta,
        }
    }

    /// Copies every entry of every tree into `other`, a fresh store, in batches; `keep` may
    /// rewrite or drop each entry of the other trees (the document trees are copied as they
    /// are). Flushes `other`.
    pub fn copy_into(
        &self,
        other: &mut Store,
        mut keep: impl FnMut(&str, &[u8], &[u8]) -> Result<Option<Vec<u8>>>,
        trees: &[&str],
    ) -> Result<()> {
        const BATCH_BYTES: usize = 32 << 20;
        if trees.contains(&"docs") {
            self.pack_into(other)?;
        }
        for &name in trees.iter().filter(|&&t| t != "docs" && t != "raw") {
            let from = self.tree(name);
            let to = other.tree(name).clone();
            let mut batch = sled::Batch::default();
            let mut bytes = 0usize;
            for item in from.iter() {
                let (k, v) = item.map_err(|e| self.err(e))?;
                let value = match (name, k.as_ref()) {
                    // What the fresh store holds is in this build's format.
                    ("meta", FORMAT_KEY) => Some(codec::frame(&FORMAT_VERSION.to_le_bytes())),
                    _ => keep(name, &k, &v)?,
                };
                if let Some(value) = value {
                    bytes += k.len() + value.len();
                    batch.insert(k.as_ref(), value);
                }
                if bytes >= BATCH_BYTES {
                    to.apply_batch(std::mem::take(&mut batch))
                        .map_err(|e| other.err(e))?;
                    // Flushing as it goes keeps sled from holding the whole copy in memory.
                    other.flush()?;
                    bytes = 0;
                }
            }
            to.apply_batch(batch).map_err(|e| other.err(e))?;
        }
        *other.lock_state() = self.state();
        other.flush()
    }

    /// Copies the documents (records, original bytes, ids, counters) and the store's format
    /// into `other`, a fresh store, leaving the index behind. Flushes `other`.
    pub fn copy_documents_into(&self, other: &mut Store) -> Result<()> {
        self.copy_into(
            other,
            |tree, key, value| {
                Ok(
                    (tree == "meta"
                        && key != INDEX_KEY
                        && key != DELETED_KEY
                        && key != PENDING_KEY)
                        .then(|| value.to_vec()),
                )
            },
            &["meta", "docs", "raw"],
        )
    }

    /// Writes every document into `other`'s packs, in this store's key order, with pointers in
    /// its `docs` and `raw` trees under `other`'s keys (and its `ids`), and copies the counters.
    fn pack_into(&self, other: &Store) -> Result<()> {
        let mut compressor =
            zstd::bulk::Compressor::new(PACK_LEVEL).map_err(|e| Error::io(&self.dir, e))?;
        let mut plain: Vec<u8> = Vec::with_capacity(PACK_BYTES + (64 << 10));
        let mut pointers: Vec<(DocId, u64)> = Vec::new();
        // `ids` is written last, in id order: inserted pack by pack its keys would land all
        // over the tree, and sled would leave the space of every leaf rewritten for them.
        let mut ids: Vec<(DocId, u64)> = Vec::new();
        let mut number = 0u64;
        let mut write =
            |plain: &mut Vec<u8>, pointers: &mut Vec<(DocId, u64)>, number: u64| -> Result<()> {
                if pointers.is_empty() {
                    return Ok(());
                }
                let packed = compressor
                    .compress(plain)
                    .map_err(|e| Error::io(&self.dir, e))?;
                other
                    .packs
                    .insert(number.to_be_bytes(), codec::frame(&packed))
                    .map_err(|e| other.err(e))?;
                let mut docs = sled::Batch::default();
                let mut raw = sled::Batch::default();
                for (entry, (id, seq)) in pointers.iter().enumerate() {
                    let pointer = codec::frame_pointer(number, entry as u32);
                    let key = other.key_for(id, *seq);
                    docs.insert(key.as_ref(), pointer.clone());
                    raw.insert(key.as_ref(), pointer);
                }
                other.docs.apply_batch(docs).map_err(|e| other.err(e))?;
                other.raw.apply_batch(raw).map_err(|e| other.err(e))?;
                plain.clear();
                pointers.clear();
                Ok(())
            };
        for item in self.docs.iter() {
            let (key, value) = item.map_err(|e| self.err(e))?;
            if key.as_ref() == STATE_KEY {
                continue; // the counters, copied below
            }
            let what = || format!("docs/{}", hex::encode(&key));
            let (stored, record) = self.record_plain(&value, &what)?;
            let id = self.entry_id(&key, stored, &what)?;
            let what = || format!("docs/{}", id.short());
            // A record that does not decode is reported here rather than packed.
            let doc = decode_record_plain(&id, &record, &what)?;
            let raw = self.get_raw(&id)?.ok_or_else(|| Error::Corrupt {
                what: what(),
                reason: "its original bytes are missing".into(),
            })?;
            let too_big = |n: usize| {
                u32::try_from(n).map_err(|_| Error::Corrupt {
                    what: what(),
                    reason: "over 4 GiB".into(),
                })
            };
            plain.extend_from_slice(&id.0);
            plain.extend_from_slice(&too_big(record.len())?.to_le_bytes());
            plain.extend_from_slice(&record);
            plain.extend_from_slice(&too_big(raw.len())?.to_le_bytes());
            plain.extend_from_slice(&raw);
            pointers.push((id, doc.seq));
            if other.layout == Layout::BySeq {
                ids.push((id, doc.seq));
            }
            if plain.len() >= PACK_BYTES {
                write(&mut plain, &mut pointers, number)?;
                number += 1;
            }
        }
        write(&mut plain, &mut pointers, number)?;
        ids.sort_unstable();
        for chunk in ids.chunks(10_000) {
            let mut batch = sled::Batch::default();
            for (id, seq) in chunk {
                batch.insert(&id.0[..], codec::frame(&seq.to_le_bytes()));
            }
            other.ids.apply_batch(batch).map_err(|e| other.err(e))?;
        }
        if let Some(state) = self.docs.get(STATE_KEY).map_err(|e| self.err(e))? {
            other
                .docs
                .insert(STATE_KEY, state)
                .map_err(|e| other.err(e))?;
        }
        other.flush()
    }

    /// Writes index entries straight into a tree (used by compaction into a fresh store).
    pub fn put_index(&self, tree: &str, entries: Vec<(Vec<u8>, Vec<u8>)>) -> Result<()> {
        let mut batch = sled::Batch::default();
        for (k, v) in entries {
            batch.insert(k, codec::frame(&v));
        }
        self.tree(tree)
            .apply_batch(batch)
            .map_err(|e| self.err(e))?;
        self.flush()
    }

    /// Flushes anything written; called on every exit path.
    pub fn flush(&self) -> Result<()> {
        self.db.flush().map(|_| ()).map_err(|e| self.err(e))
    }

    fn err(&self, e: sled::Error) -> Error {
        store_err(&self.dir, e)
    }
}

/// Entries and bytes of one tree.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TreeStats {
    /// Keys in the tree.
    pub entries: u64,
    /// Key and value bytes.
    pub bytes: u64,
}

/// Key and unframed value of a prefix scan; stops at the first error.
pub struct PrefixIter<'a> {
    store: &'a Store,
    iter: sled::Iter,
    done: bool,
    what: &'static str,
}

impl Iterator for PrefixIter<'_> {
    type Item = Result<(sled::IVec, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = match self.iter.next()? {
            Ok((key, value)) => {
                codec::unframe(&value, &|| self.what.into()).map(|payload| (key, payload.to_vec()))
            }
            Err(e) => Err(self.store.err(e)),
        };
        self.done = item.is_err();
        Some(item)
    }
}

fn decode_seqs(bytes: &[u8], what: &str) -> Result<Vec<u64>> {
    crate::index::decode_seqs(bytes).map_err(|reason| Error::Corrupt {
        what: what.to_owned(),
        reason,
    })
}

/// Iterator over records; see [`Store::records`].
pub struct Records<'a> {
    store: &'a Store,
    iter: sled::Iter,
    done: bool,
}

impl Iterator for Records<'_> {
    type Item = Result<StoredDoc>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.iter.next()? {
                Err(e) => {
                    self.done = true;
                    return Some(Err(self.store.err(e)));
                }
                Ok((key, value)) => {
                    if key.as_ref() == STATE_KEY {
                        continue;
                    }
                    let result = self.store.decode_entry(&key, &value);
                    if result.is_err() {
                        self.done = true;
                    }
                    return Some(result);
                }
            }
        }
        None
    }
}

/// A record's `docs` value; `with_id` puts the id before it, as a store keyed by sequence
/// number needs.
pub(crate) fn encode_record(
    doc: &StoredDoc,
    with_id: bool,
    compressor: &mut zstd::bulk::Compressor<'_>,
) -> Result<Vec<u8>> {
    let fields_json = serde_json::to_string(&doc.fields).map_err(|source| Error::Json {
        context: format!("fields of {}", doc.id.short()),
        source,
    })?;
    let record = RecordV1 {
        seq: doc.seq,
        raw_len: doc.raw_len,
        paths: doc.source.paths.clone(),
        url: doc.source.url.clone(),
        media_type: doc.source.media_type.clone(),
        encoding: doc.source.encoding.clone(),
        imported_at: doc.source.imported_at.clone(),
        tags: doc.source.tags.clone(),
        fields_json,
        provenance: doc
            .provenance
            .iter()
            .map(|(k, p)| (k.clone(), p.plugin.clone(), p.version.clone(), p.schema))
            .collect(),
    };
    let plain = encode_bincode(&record)?;
    let packed = compressor
        .compress(&plain)
        .map_err(|e| Error::io("zstd", e))?;
    if with_id {
        let mut payload = Vec::with_capacity(32 + packed.len());
        payload.extend_from_slice(&doc.id.0);
        payload.extend_from_slice(&packed);
        return Ok(codec::frame(&payload));
    }
    Ok(codec::frame(&packed))
}

/// The entry `entry` of a pack, which must be the document `id`.
fn pack_entry<'p>(
    pack: &'p Pack,
    entry: u32,
    id: &DocId,
    what: &dyn Fn() -> String,
) -> Result<&'p (DocId, std::ops::Range<usize>, std::ops::Range<usize>)> {
    match pack.entries.get(entry as usize) {
        Some(e) if e.0 == *id => Ok(e),
        _ => Err(Error::Corrupt {
            what: what(),
            reason: format!("pack entry {entry} is not this document"),
        }),
    }
}

pub(crate) fn decode_record_plain(
    id: &DocId,
    plain: &[u8],
    what: &dyn Fn() -> String,
) -> Result<StoredDoc> {
    let record = decode_record_ref(plain, &what())?;
    let owned = |s: &str| s.to_owned();
    let fields: Fields = serde_json::from_str(record.fields_json).map_err(|e| Error::Corrupt {
        what: what(),
        reason: format!("fields: {e}"),
    })?;
    Ok(StoredDoc {
        id: *id,
        seq: record.seq,
        raw_len: record.raw_len,
        source: Source {
            paths: record.paths.into_iter().map(owned).collect(),
            url: record.url.map(owned),
            media_type: owned(record.media_type),
            encoding: owned(record.encoding),
            imported_at: owned(record.imported_at),
            tags: record.tags.into_iter().map(owned).collect(),
        },
        fields,
        provenance: record
            .provenance
            .into_iter()
            .map(|(field, plugin, version, schema)| {
                (
                    owned(field),
                    Provenance {
                        plugin: owned(plugin),
                        version: owned(version),
                        schema,
                    },
                )
            })
            .collect(),
    })
}

/// [`RecordV1`] as read: its strings borrowed from the decoded bytes. bincode checks a
/// borrowed string's length against the bytes left before taking it, where an owned one would
/// first be allocated at whatever length a damaged record claims (gigabytes, or an abort).
#[derive(Deserialize)]
struct RecordRef<'a> {
    seq: u64,
    raw_len: u64,
    #[serde(borrow)]
    paths: Vec<&'a str>,
    url: Option<&'a str>,
    media_type: &'a str,
    encoding: &'a str,
    imported_at: &'a str,
    #[serde(borrow)]
    tags: Vec<&'a str>,
    fields_json: &'a str,
    #[serde(borrow)]
    provenance: Vec<(&'a str, &'a str, &'a str, u32)>,
}

fn decode_record_ref<'a>(bytes: &'a [u8], what: &str) -> Result<RecordRef<'a>> {
    let corrupt = |reason: String| Error::Corrupt {
        what: what.to_owned(),
        reason,
    };
    let (value, used) =
        bincode::serde::borrow_decode_from_slice(bytes, bincode::config::standard())
            .map_err(|e| corrupt(e.to_string()))?;
    if used != bytes.len() {
        return Err(corrupt(format!("{} trailing bytes", bytes.len() - used)));
    }
    Ok(value)
}

thread_local! {
    /// One decompression context per thread: creating one costs more than decompressing a
    /// short article.
    static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

pub(crate) fn decompress(payload: &[u8]) -> std::io::Result<Vec<u8>> {
    DECOMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        let decompressor = match &mut *slot {
            Some(d) => d,
            None => slot.insert(zstd::bulk::Decompressor::new()?),
        };
        match zstd::zstd_safe::get_frame_content_size(payload) {
            Ok(Some(n)) if n <= 1 << 30 => decompressor.decompress(payload, n as usize),
            _ => zstd::stream::decode_all(payload),
        }
    })
}

fn encode_bincode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    bincode::serde::encode_to_vec(value, bincode::config::standard()).map_err(|e| Error::Corrupt {
        what: "value being written".into(),
        reason: e.to_string(),
    })
}

fn decode_bincode<T: for<'de> Deserialize<'de>>(bytes: &[u8], what: &str) -> Result<T> {
    let (value, used) = bincode::serde::decode_from_slice(bytes, bincode::config::standard())
        .map_err(|e| Error::Corrupt {
            what: what.to_owned(),
            reason: e.to_string(),
        })?;
    if used != bytes.len() {
        return Err(Error::Corrupt {
            what: what.to_owned(),
            reason: format!("{} trailing bytes", bytes.len() - used),
        });
    }
    Ok(value)
}

fn store_err(dir: &Path, e: sled::Error) -> Error {
    let message = match &e {
        sled::Error::Io(io) => format!(
            "{io} (reading or writing the files in {}); check the disk and its permissions",
            dir.display()
        ),
        sled::Error::Corruption { .. } => damaged(Some(detail(dir, &e))),
        other => other.to_string(),
    };
    Error::Store {
        dir: dir.to_owned(),
        message,
    }
}

/// What a sled error says, in words: where its files are damaged, or the system's message.
fn detail(dir: &Path, e: &sled::Error) -> String {
    match e {
        sled::Error::Corruption { at: Some(at), .. } => {
            // sled names the place as `Inline(offset)` or `Blob(offset, blob)`.
            let at = format!("{at:?}");
            match at.strip_prefix("Inline(").and_then(|n| n.strip_suffix(')')) {
                Some(offset) => format!(
                    "corrupted data at byte {offset} of {}",
                    dir.join("db").display()
                ),
                None => format!("corrupted data at {at}"),
            }
        }
        sled::Error::Corruption { at: None, .. } => "corrupted data".into(),
        other => other.to_string(),
    }
}

/// Frees what sled left behind writing `keys` keys. For each key it replaces a leaf and keeps
/// the old one until no reader can see it; its collector frees a few dozen a call, so a batch
/// of many new keys (a segment of text with endless distinct words) left gigabytes for later.
/// Measured on 2M keys in 10K-key batches: 5.0 GB without, 391 MB with.
fn collect_garbage(keys: usize) {
    for _ in 0..keys / 64 + 16 {
        // The epoch collector sled uses; `flush` moves this thread's garbage along and frees
        // what no reader can still see.
        sled::crossbeam_pin().flush();
    }
}

/// The length of a file; 0 when it cannot be read.
fn fs_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// Runs `f` with panic messages kept off stderr: sled panics on some damaged files, and the
/// panic is caught and reported as a store error, so its raw message would only confuse.
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let out = f();
    std::panic::set_hook(hook);
    out
}

/// The message of a store whose files do not read back: where, and the way forward.
fn damaged(at: Option<String>) -> String {
    let at = at
        .map(|detail| format!(" (the store library said: {detail})"))
        .unwrap_or_default();
    format!(
        "its files are damaged{at}; run `morgue verify --repair`, which rebuilds what it can from the store's log; if that fails, restore the archive from a backup"
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn doc(n: u8, seq: u64) -> StoredDoc {
        StoredDoc {
            id: DocId([n; 32]),
            seq,
            raw_len: 5,
            source: Source {
                paths: vec![format!("/a/{n}.txt")],
                media_type: "text/plain".into(),
                encoding: "utf-8".into(),
                imported_at: "2026-12-03T00:00:00Z".into(),
                ..Source::default()
            },
            fields: Fields::new(),
            provenance: BTreeMap::new(),
        }
    }

    fn add(store: &Store, doc: StoredDoc) {
        let batch = WriteBatch {
            raw: vec![(doc.id, b"bytes".to_vec())],
            records: vec![doc],
            ..WriteBatch::default()
        };
        store.commit(&batch).unwrap();
    }

    #[test]
    fn ids_of_a_commit_that_did_not_reach_docs_are_dropped_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let (a, b, c) = (doc(1, 0), doc(2, 1), doc(3, 1));
        {
            let store = Store::open(&path).unwrap();
            add(&store, a.clone());
            // What a crash leaves between the `ids` and the `docs` writes of a commit of `b`:
            // its pending list and its `ids` entry, but not its record or the counters.
            let mut pending = a.id.0.to_vec();
            pending.extend_from_slice(&b.id.0);
            store
                .meta
                .insert(PENDING_KEY, codec::frame(&pending))
                .unwrap();
            store
                .ids
                .insert(b.id.0, codec::frame(&b.seq.to_le_bytes()))
                .unwrap();
            store.flush().unwrap();
            assert_eq!(store.seq_of(&b.id).unwrap(), Some(1));
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.seq_of(&b.id).unwrap(), None);
        assert_eq!(store.seq_of(&a.id).unwrap(), Some(0));
        // The next import hands sequence number 1 to another document; `b` is still absent,
        // where a dangling entry would now find `c`'s record.
        add(&store, c.clone());
        assert!(!store.contains(&b.id).unwrap());
        assert_eq!(store.get(&b.id).unwrap(), None);
        assert_eq!(store.get(&c.id).unwrap(), Some(c));
        assert_eq!(store.get(&a.id).unwrap(), Some(a));
        assert_eq!(store.state().count, 2);
    }

    #[test]
    fn a_record_claiming_huge_strings_is_corrupt_not_an_allocation() {
        use base64::Engine;
        // Found by fuzzing: a string length of gigabytes, and one past usize's capacity.
        for input in ["AAAAuP0vdG1wLy50dA==", "AAEAAAD9/wAAAgAn/58qAA=="] {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(input)
                .unwrap();
            let result = decode_record_plain(&DocId([7; 32]), &bytes[1..], &|| "docs/x".into());
            assert!(matches!(result, Err(Error::Corrupt { .. })), "{input}");
        }
    }

    #[test]
    fn float_fields_read_back_as_the_same_number() {
        let mut d = doc(4, 0);
        d.fields
            .insert("x.f".into(), serde_json::json!(1.0715660391465826e-75));
        d.fields.insert("x.g".into(), serde_json::json!(0.1 + 0.2));
        let mut compressor = zstd::bulk::Compressor::new(1).unwrap();
        let value = encode_record(&d, false, &mut compressor).unwrap();
        let plain = decompress(codec::unframe(&value, &|| "x".into()).unwrap()).unwrap();
        let back = decode_record_plain(&d.id, &plain, &|| "x".into()).unwrap();
        assert_eq!(back, d);
    }

    #[test]
    fn an_archive_that_committed_is_opened_without_a_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        {
            let store = Store::open(&path).unwrap();
            add(&store, doc(1, 0));
        }
        let store = Store::open(&path).unwrap();
        assert!(store.meta.get(PENDING_KEY).unwrap().is_none());
        assert!(store.contains(&DocId([1; 32])).unwrap());
    }
}
