//! The full-text and field index, built from the stored documents. It is derived data:
//! `morgue reindex` builds it from the documents at any time, and from then on every import
//! adds its new documents as a segment; `morgue compact` merges the segments into one.
//!
//! Layout (kept in the store's `postings`, `doctable`, `docnums` and `facets` trees):
//! - postings: key `[segment: u64 BE][field][term]` → the term's documents in that segment:
//!   `0x00 0x02, count, length of the document part`, the document part, then per document its
//!   position deltas as LEB128 varints. The document part is the first document as an entry,
//!   then blocks of 128 documents bit-packed (a byte of width and the gaps less one, a byte of
//!   width and the frequencies less one), then the rest as entries: LEB128 of
//!   `(gap - 1) << 1 | (frequency == 1)`, followed by the frequency when it is not 1. Keys start
//!   with the segment, so a batch writes at the end of the key range; documents and
//!   frequencies come before positions, so term and boolean queries never decode positions.
//!   Terms are ordered within a segment, so `prefix*` is a range scan. Values without the
//!   leading `0x00 0x02` (written by earlier builds, or holding a sequence number past 32
//!   bits) keep every document as `(doc delta, frequency)` varints; both are read.
//! - doctable: segment → one packed row per document (sequence number, title and body lengths
//!   in terms, word count, publication and import dates), loaded whole when a query starts.
//! - docnums: sequence number → id and title, read for the hits shown.
//! - facets: `[facet][value]` → the sorted sequence numbers of the documents with that site,
//!   author, dateline place, tag or language (lower-cased). Unlike segments these lists are
//!   updated in place, since tags change after import.
//!
//! A document is owned by the latest segment that holds it; postings of other segments for
//! its sequence number (a crash re-import, a removed document) are ignored.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use bitpacking::{BitPacker, BitPacker4x};
use rustc_hash::FxHashMap;

use crate::analysis::{Analyzer, TermSink, Tokens};
use crate::archive::StoredDoc;
use crate::model::DocId;
use crate::text;

/// Field byte of titles.
pub const TITLE: u8 = 0;
/// Field byte of bodies (the decoded text when an extractor found no body).
pub const BODY: u8 = 1;

/// The index layout this build writes; an index of another layout is dropped at open.
pub const LAYOUT: u8 = 2;

/// The field lists kept in the `facets` tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Facet {
    /// `site`.
    Site = 0,
    /// Each author and each word of an author's name (`authors`, `byline`).
    Author = 1,
    /// The dateline's place.
    Dateline = 2,
    /// Tags.
    Tag = 3,
    /// `language`.
    Lang = 4,
    /// Each entity of kind `person` (`entities[]`), whole and word by word.
    Person = 5,
    /// Each entity of kind `organization`, whole and word by word.
    Org = 6,
    /// Each entity of kind `place`, whole and word by word.
    Place = 7,
    /// Each entity of any kind, whole and word by word.
    Entity = 8,
    /// Each speaker of a quote (`quotes[]`: `speaker`, and `speaker_text` as written), whole
    /// and word by word.
    Speaker = 9,
    /// The terms of the quotes' text, analysed as the body is (stemmed, in the document's
    /// language).
    Quote = 10,
}

/// The key of a facet value: `[facet][value]`.
pub fn facet_key(facet: Facet, value: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(value.len() + 1);
    key.push(facet as u8);
    key.extend_from_slice(value.as_bytes());
    key
}

/// The facet values of a document, lower-cased.
pub fn facets(doc: &StoredDoc) -> Vec<(Facet, String)> {
    let mut out = Vec::new();
    let str_of = |name: &str| doc.fields.get(name).and_then(|v| v.as_str());
    if let Some(site) = str_of("site") {
        out.push((Facet::Site, site.to_lowercase()));
    }
    if let Some(lang) = str_of("language") {
        out.push((Facet::Lang, lang.to_lowercase()));
    }
    if let Some(place) = doc
        .fields
        .get("dateline")
        .and_then(|d| d.get("place"))
        .and_then(|p| p.as_str())
    {
        out.push((Facet::Dateline, place.to_lowercase()));
    }
    let mut names: Vec<&str> = doc
        .fields
        .get("authors")
        .and_then(|a| a.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    names.extend(str_of("byline"));
    for name in names {
        let name = name.to_lowercase();
        for word in name.split_whitespace() {
            out.push((Facet::Author, word.to_owned()));
        }
        out.push((Facet::Author, name));
    }
    for tag in &doc.source.tags {
        out.push((Facet::Tag, tag.to_lowercase()));
    }
    let objects = |name: &str| {
        doc.fields
            .get(name)
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
    };
    let mut names = |facet: Facet, name: &str| {
        let name = name.to_lowercase();
        for word in name.split_whitespace() {
            out.push((facet, word.to_owned()));
        }
        out.push((facet, name));
    };
    for entity in objects("entities") {
        let Some(name) = entity.get("name").and_then(|n| n.as_str()) else {
            continue;
        };
        names(Facet::Entity, name);
        match entity.get("kind").and_then(|k| k.as_str()) {
            Some("person") => names(Facet::Person, name),
            Some("organization") => names(Facet::Org, name),
            Some("place") => names(Facet::Place, name),
            _ => {}
        }
    }
    let mut quote_terms = std::collections::BTreeSet::new();
    let mut analyzer = None;
    for quote in objects("quotes") {
        for key in ["speaker", "speaker_text"] {
            if let Some(name) = quote.get(key).and_then(|n| n.as_str()) {
                names(Facet::Speaker, name);
            }
        }
        if let Some(text) = quote.get("text").and_then(|t| t.as_str()) {
            let analyzer =
                analyzer.get_or_insert_with(|| Analyzer::for_language(str_of("language")));
            analyzer.analyze(text, |term, _| {
                quote_terms.insert(term.to_owned());
            });
        }
    }
    out.extend(quote_terms.into_iter().map(|t| (Facet::Quote, t)));
    out.sort();
    out.dedup();
    out
}

/// What the index keeps per document for ranking and range filters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DocRow {
    /// Import sequence number.
    pub seq: u64,
    /// Terms in the title.
    pub title_len: u32,
    /// Terms in the body.
    pub body_len: u32,
    /// The `word_count` field plus one (0 when absent).
    pub words: u32,
    /// Publication date as `YYYYMMDD` (0 when unknown).
    pub published: u32,
    /// Import date as `YYYYMMDD`.
    pub imported: u32,
}

/// A date string (`YYYY-MM-DD…`) as `YYYYMMDD`, or 0 when it does not start with a date.
pub fn date_number(s: &str) -> u32 {
    let parse = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u32>().ok());
    match (parse(0..4), parse(5..7), parse(8..10)) {
        (Some(y), Some(m), Some(d))
            if (1..=12).contains(&m)
                && (1..=31).contains(&d)
                && s.as_bytes().get(4) == Some(&b'-') =>
        {
            y * 10_000 + m * 100 + d
        }
        _ => 0,
    }
}

/// Encodes rows (ascending sequence numbers) as varints.
pub fn encode_table(rows: &[DocRow]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * 10 + 4);
    put_varint(&mut out, rows.len() as u64);
    let mut last = 0u64;
    for r in rows {
        put_varint(&mut out, r.seq - last);
        last = r.seq;
        for v in [r.title_len, r.body_len, r.words, r.published, r.imported] {
            put_varint(&mut out, u64::from(v));
        }
    }
    out
}

/// Decodes what [`encode_table`] wrote.
pub fn decode_table(mut bytes: &[u8]) -> Result<Vec<DocRow>, String> {
    let count = get_varint(&mut bytes)?;
    // Each row takes at least six bytes: a damaged count reserves no more than they can hold.
    let mut rows = Vec::with_capacity(count.min(bytes.len() as u64 / 6) as usize);
    let mut seq = 0u64;
    for _ in 0..count {
        seq = seq
            .checked_add(get_varint(&mut bytes)?)
            .ok_or("sequence overflow")?;
        let mut v = [0u32; 5];
        for slot in &mut v {
            *slot = u32::try_from(get_varint(&mut bytes)?).map_err(|_| "value overflow")?;
        }
        rows.push(DocRow {
            seq,
            title_len: v[0],
            body_len: v[1],
            words: v[2],
            published: v[3],
            imported: v[4],
        });
    }
    if !bytes.is_empty() {
        return Err(format!("{} trailing bytes", bytes.len()));
    }
    Ok(rows)
}

/// One document's occurrences of a term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posting {
    /// The document's import sequence number.
    pub doc: u64,
    /// Word positions, ascending.
    pub positions: Vec<u32>,
}

/// A document prepared for indexing.
pub struct IndexDoc<'a> {
    /// Sequence number.
    pub seq: u64,
    /// Id.
    pub id: DocId,
    /// Title ("" when none).
    pub title: &'a str,
    /// Body, or the decoded text when no extractor found one.
    pub body: Cow<'a, str>,
    /// `language`, which picks the stemmer.
    pub language: Option<&'a str>,
    /// Facet values.
    pub facets: Vec<(Facet, String)>,
    /// Word count, publication and import dates (lengths are filled in by the build).
    pub row: DocRow,
}

impl<'a> IndexDoc<'a> {
    /// Prepares a stored document; `raw` is needed only when a text document has no `body`
    /// field.
    pub fn new(doc: &'a StoredDoc, raw: &[u8]) -> IndexDoc<'a> {
        let str_of = |name: &str| doc.fields.get(name).and_then(|v| v.as_str());
        let body = match str_of("body") {
            Some(body) => Cow::Borrowed(body),
            // A web page's text is its markup: without a body found in it there is nothing
            // of the article to index, and its tags and scripts must not match.
            None if doc.source.media_type == text::TEXT_HTML => Cow::Borrowed(""),
            None => Cow::Owned(text::decode_with(raw, &doc.source.encoding)),
        };
        IndexDoc {
            seq: doc.seq,
            id: doc.id,
            title: str_of("title").unwrap_or(""),
            body,
            language: str_of("language"),
            facets: facets(doc),
            row: DocRow {
                seq: doc.seq,
                words: doc
                    .fields
                    .get("word_count")
                    .and_then(|v| v.as_u64())
                    .map_or(0, |w| u32::try_from(w).unwrap_or(u32::MAX - 1) + 1),
                published: str_of("published").map_or(0, date_number),
                imported: date_number(&doc.source.imported_at),
                ..DocRow::default()
            },
        }
    }
}

/// The index entries of one segment.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Segment {
    /// The segment number: segments are numbered in the order they are written.
    pub id: u64,
    /// Postings keys and values, keys ascending.
    pub postings: Vec<(Vec<u8>, Vec<u8>)>,
    /// The packed rows of its documents.
    pub table: Vec<u8>,
    /// Sequence number → id and title of each document (see [`docnum_entry`]).
    pub docnums: Vec<(u64, Vec<u8>)>,
    /// Facet keys and the sequence numbers to add to them.
    pub facets: Vec<(Vec<u8>, Vec<u64>)>,
}

impl Segment {
    /// Gives the segment number `id`, for a segment built before its number was known (a
    /// rebuild numbers segments in the order it writes them).
    pub fn renumber(&mut self, id: u64) {
        self.id = id;
        for (key, _) in &mut self.postings {
            if let Some(segment) = key.get_mut(..8) {
                segment.copy_from_slice(&id.to_be_bytes());
            }
        }
    }
}

/// The docnums entry of a document: its id, then its title, which a page of hits shows
/// without reading the document.
pub fn docnum_entry(id: &DocId, title: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + title.len());
    out.extend_from_slice(&id.0);
    out.extend_from_slice(title.as_bytes());
    out
}

/// The postings key of `term` in `field` of `segment`.
pub fn postings_key(segment: u64, field: u8, term: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(term.len() + 9);
    key.extend_from_slice(&segment.to_be_bytes());
    key.push(field);
    key.extend_from_slice(term.as_bytes());
    key
}

/// Splits a postings key into segment, field and term.
pub fn split_key(key: &[u8]) -> Option<(u64, u8, &str)> {
    let segment = u64::from_be_bytes(key.get(..8)?.try_into().ok()?);
    let field = *key.get(8)?;
    Some((segment, field, std::str::from_utf8(&key[9..]).ok()?))
}

/// A term's documents being collected: the document part and the positions part of its value.
#[derive(Default)]
struct TermBuf {
    count: u64,
    first: u64,
    last: u64,
    docs: Vec<u8>,
    positions: Vec<u8>,
}

impl TermBuf {
    fn push(&mut self, doc: u64, positions: impl ExactSizeIterator<Item = u32>) {
        self.push_doc(doc, positions.len() as u64);
        let mut prev = 0u32;
        for p in positions {
            put_varint(&mut self.positions, u64::from(p - prev));
            prev = p;
        }
    }

    /// [`TermBuf::push`] of positions already encoded as [`TermBuf::push`] encodes them.
    fn push_encoded(&mut self, doc: u64, count: u32, positions: &[u8]) {
        self.push_doc(doc, u64::from(count));
        self.positions.extend_from_slice(positions);
    }

    /// Adds `doc` with `freq` occurrences to the document part.
    fn push_doc(&mut self, doc: u64, freq: u64) {
        if self.count == 0 {
            self.first = doc;
            put_varint(&mut self.docs, doc);
        } else {
            put_varint(&mut self.docs, doc - self.last);
        }
        self.count += 1;
        self.last = doc;
        put_varint(&mut self.docs, freq);
    }

    /// Empties the buffer, keeping its memory for the next segment.
    fn clear(&mut self) {
        self.count = 0;
        self.first = 0;
        self.last = 0;
        self.docs.clear();
        self.positions.clear();
    }

    /// Appends `other`, whose documents all come after this one's.
    fn append(&mut self, mut other: TermBuf) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = other;
            return;
        }
        // `other` starts with its first document as an absolute number: make it a delta.
        let mut rest = other.docs.as_slice();
        let _ = get_varint(&mut rest);
        put_varint(&mut self.docs, other.first - self.last);
        self.docs.extend_from_slice(rest);
        self.positions.append(&mut other.positions);
        self.count += other.count;
        self.last = other.last;
    }

    fn value(&self) -> Vec<u8> {
        let packed = self.packed_docs();
        let docs = packed.as_deref().unwrap_or(&self.docs);
        let mut out = Vec::with_capacity(docs.len() + self.positions.len() + 12);
        if packed.is_some() {
            out.extend_from_slice(&PACKED);
        }
        put_varint(&mut out, self.count);
        put_varint(&mut out, docs.len() as u64);
        out.extend_from_slice(docs);
        out.extend_from_slice(&self.positions);
        out
    }

    /// The document part in the packed layout, or `None` when a sequence number does not fit
    /// in 32 bits (or the documents are not strictly ascending), which keeps the plain one.
    fn packed_docs(&self) -> Option<Vec<u8>> {
        let count = usize::try_from(self.count).ok()?;
        let mut docs: Vec<u32> = Vec::with_capacity(count);
        let mut freqs = Vec::with_capacity(count);
        let mut fits = true;
        for_each_plain(self.count, &self.docs, |doc, freq| {
            match (u32::try_from(doc), freq.checked_sub(1)) {
                (Ok(doc), Some(f)) if docs.last().is_none_or(|&last| last < doc) => {
                    docs.push(doc);
                    freqs.push(f);
                }
                _ => fits = false,
            }
        })
        .ok()?;
        if !fits {
            return None;
        }
        let mut out = Vec::with_capacity(self.docs.len());
        let (&first, rest) = docs.split_first()?;
        put_entry(&mut out, None, first, freqs[0] + 1);
        let packer = BitPacker4x::new();
        let mut block = [0u8; 4 * BLOCK];
        let mut prev = first;
        let (blocks, tail) = rest.as_chunks::<BLOCK>();
        for (k, ascending) in blocks.iter().enumerate() {
            let width = packer.num_bits_strictly_sorted(Some(prev), ascending);
            out.push(width);
            let n = packer.compress_strictly_sorted(Some(prev), ascending, &mut block, width);
            out.extend_from_slice(&block[..n]);
            let fs = &freqs[1 + k * BLOCK..1 + (k + 1) * BLOCK];
            let width = packer.num_bits(fs);
            out.push(width);
            let n = packer.compress(fs, &mut block, width);
            out.extend_from_slice(&block[..n]);
            prev = ascending[BLOCK - 1];
        }
        let done = 1 + blocks.len() * BLOCK;
        for (&doc, &freq) in tail.iter().zip(&freqs[done..]) {
            put_entry(&mut out, Some(prev), doc, freq + 1);
            prev = doc;
        }
        Some(out)
    }
}

/// The first two bytes of a postings value with a packed document part. A plain value never
/// starts with them: one that starts with 0 holds no documents, so its next byte is 0 too.
const PACKED: [u8; 2] = [0x00, 0x02];

/// Documents per bit-packed block.
const BLOCK: usize = BitPacker4x::BLOCK_LEN;

/// Appends the entry of `doc` (after `prev`, or first) with frequency `freq` (at least 1).
fn put_entry(out: &mut Vec<u8>, prev: Option<u32>, doc: u32, freq: u32) {
    let gap = prev.map_or(u64::from(doc), |p| u64::from(doc - p - 1));
    put_varint(out, (gap << 1) | u64::from(freq == 1));
    if freq != 1 {
        put_varint(out, u64::from(freq));
    }
}

/// Most distinct terms a document is indexed under: its first 65,536 distinct terms, in text
/// order. A term first met after that is not indexed for the document, though it keeps its
/// position, so the terms before it still meet in phrases. No article comes near this (a
/// long one has a few thousand distinct terms, a whole novel about twenty thousand); a file
/// of random words or binary noise does, and without the cap its every word becomes a key
/// of the index, costing the store kilobytes of memory each while the segment is written.
pub const MAX_DOC_TERMS: usize = 1 << 16;

/// Most distinct terms, that is postings keys, in one segment: a segment stops taking
/// documents before one could take it past this, and the documents left over go into the
/// next segment. A segment's keys are written to the store at once, and the store holds
/// memory for each until the write ends, so this bounds the memory of writing a segment
/// whatever its text. Segments of news stay well below it (the 2,225 BBC articles have
/// about 30,000 terms in all).
pub const MAX_SEGMENT_TERMS: usize = 1 << 17;

/// The most distinct terms `doc` can bring to a segment: at most [`MAX_DOC_TERMS`], and no
/// more than its text has words (each takes a byte and is followed by another, or is a
/// character of two bytes or more).
fn most_terms(doc: &IndexDoc<'_>) -> usize {
    (doc.title.len() / 2 + doc.body.len() / 2 + 2).min(MAX_DOC_TERMS)
}

/// Terms of a part of a segment: each `[field][term]` numbered once, its buffer by number.
#[derive(Default)]
struct Partial {
    ids: FxHashMap<Box<[u8]>, u32>,
    terms: Vec<(Box<[u8]>, TermBuf)>,
    rows: Vec<DocRow>,
    /// Terms that have documents in this part: the postings keys it will write.
    used: usize,
    /// `[field][plain word as written]` to the number of its term, for English text: most
    /// words recur, and this finds their term without lower-casing, stemming or a second
    /// lookup. Words of up to [`SHORT`] bytes are in `short_words` instead.
    words: FxHashMap<Box<[u8]>, u32>,
    /// `words` for short words, keyed by [`short_key`]: compared and hashed as one number,
    /// with no key on the heap to fetch. Nearly every word is short, and this lookup runs once
    /// per word of every text.
    short_words: FxHashMap<u128, u32>,
}

/// Longest word kept in [`Partial::short_words`].
const SHORT: usize = 14;

/// A field and a word of up to [`SHORT`] bytes as one number: the field byte, the word, zeros,
/// and the word's length in the last byte.
#[inline]
fn short_key(field: u8, word: &[u8]) -> Option<u128> {
    if word.len() > SHORT {
        return None;
    }
    let mut bytes = [0u8; 16];
    bytes[0] = field;
    bytes[1..=word.len()].copy_from_slice(word);
    bytes[15] = word.len() as u8;
    Some(u128::from_le_bytes(bytes))
}

/// What [`Partial::add`] gives the analyser: it numbers each term of field `field` and
/// collects `(term, position)` pairs, each as one number (see [`pair`]).
struct Numbering<'a> {
    field: u8,
    /// Whether `words` may be used (the text is analysed as English).
    english: bool,
    ids: &'a mut FxHashMap<Box<[u8]>, u32>,
    terms: &'a mut Vec<(Box<[u8]>, TermBuf)>,
    words: &'a mut FxHashMap<Box<[u8]>, u32>,
    short_words: &'a mut FxHashMap<u128, u32>,
    pairs: &'a mut Vec<u64>,
    /// Where `pairs` goes each time it fills up.
    spill: &'a mut Spill,
    key: &'a mut Vec<u8>,
    /// Terms taken.
    taken: u32,
    /// The size the vocabulary may reach while this document is analysed: a document adds
    /// at most [`MAX_DOC_TERMS`] terms to it.
    limit: usize,
    /// Terms left out because the vocabulary reached `limit`.
    dropped: u32,
}

impl Numbering<'_> {
    #[inline]
    fn push(&mut self, id: u32, position: u32) {
        if self.pairs.len() == PAIRS_CHUNK {
            self.spill.take(self.pairs);
        }
        self.pairs.push(pair(id, position));
        self.taken += 1;
    }

    fn set_key(&mut self, bytes: &[u8]) {
        self.key.clear();
        self.key.push(self.field);
        self.key.extend_from_slice(bytes);
    }
}

impl TermSink for Numbering<'_> {
    fn known(&mut self, word: &str, position: u32) -> bool {
        if !self.english {
            return false;
        }
        let found = match short_key(self.field, word.as_bytes()) {
            Some(key) => self.short_words.get(&key),
            None => {
                self.set_key(word.as_bytes());
                self.words.get(self.key.as_slice())
            }
        };
        match found {
            Some(&id) => {
                self.push(id, position);
                true
            }
            None => false,
        }
    }

    fn term(&mut self, term: &str, position: u32, word: Option<&str>) {
        self.set_key(term.as_bytes());
        let id = match self.ids.get(self.key.as_slice()) {
            Some(&id) => id,
            None if self.terms.len() >= self.limit => {
                // Past the document's share of new terms: every one of its first
                // `MAX_DOC_TERMS` distinct terms is already numbered by now, and only those
                // are kept (see `Partial::add`).
                self.dropped += 1;
                return;
            }
            None => {
                let id = self.terms.len() as u32;
                let key: Box<[u8]> = self.key.as_slice().into();
                self.ids.insert(key.clone(), id);
                self.terms.push((key, TermBuf::default()));
                id
            }
        };
        self.push(id, position);
        if let Some(word) = word.filter(|_| self.english) {
            match short_key(self.field, word.as_bytes()) {
                Some(key) => {
                    self.short_words.insert(key, id);
                }
                None => {
                    self.set_key(word.as_bytes());
                    self.words.insert(self.key.as_slice().into(), id);
                }
            }
        }
    }
}

impl Partial {
    fn add(&mut self, doc: &IndexDoc<'_>, analyzer: &Analyzer, work: &mut Work) {
        let mut row = doc.row;
        work.pairs.clear();
        let limit = self.terms.len() + MAX_DOC_TERMS;
        for (field, content) in [(TITLE, doc.title), (BODY, doc.body.as_ref())] {
            let mut numbering = Numbering {
                field,
                english: analyzer.language() == Some("en"),
                ids: &mut self.ids,
                terms: &mut self.terms,
                words: &mut self.words,
                short_words: &mut self.short_words,
                pairs: &mut work.pairs,
                spill: &mut work.spill,
                key: &mut work.key,
                taken: 0,
                limit,
                dropped: 0,
            };
            analyzer.analyze_with(content, &mut work.tokens, &mut numbering);
            // Terms left out still count in the document's length.
            let len = numbering.taken + numbering.dropped;
            if field == TITLE {
                row.title_len = len;
            } else {
                row.body_len = len;
            }
        }
        if !work.spill.terms.is_empty() {
            self.add_spilled(doc.seq, work);
            self.rows.push(row);
            return;
        }
        // Sorting the document's (term, position) pairs groups each term's positions, in
        // order, without a map per document.
        // As single numbers they sort faster than as tuples (a tenth of indexing went to the sort).
        work.pairs.sort_unstable();
        // Only a document of more words than the cap can have more distinct terms.
        let kept = if work.pairs.len() > MAX_DOC_TERMS {
            first_terms(&work.pairs, MAX_DOC_TERMS, |id| self.field_of(id))
        } else {
            None
        };
        let mut i = 0;
        while i < work.pairs.len() {
            let id = (work.pairs[i] >> 32) as u32;
            let mut j = i;
            while j < work.pairs.len() && (work.pairs[j] >> 32) as u32 == id {
                j += 1;
            }
            if kept.as_ref().is_none_or(|k| k.binary_search(&id).is_ok()) {
                let buf = &mut self.terms[id as usize].1;
                if buf.count == 0 {
                    self.used += 1;
                }
                buf.push(doc.seq, work.pairs[i..j].iter().map(|&p| p as u32));
            }
            i = j;
        }
        self.rows.push(row);
    }

    /// The field byte of term `id`.
    fn field_of(&self, id: u32) -> u8 {
        self.terms[id as usize].0.first().copied().unwrap_or(BODY)
    }

    /// The end of [`Partial::add`] for a document of more than [`PAIRS_CHUNK`] terms, whose
    /// positions went to the spill as they came.
    fn add_spilled(&mut self, seq: u64, work: &mut Work) {
        let spill = &mut work.spill;
        spill.take(&mut work.pairs);
        let mut terms = std::mem::take(&mut spill.terms);
        if terms.len() > MAX_DOC_TERMS {
            // Its first `MAX_DOC_TERMS` distinct terms, as `first_terms` picks them.
            terms.select_nth_unstable_by_key(MAX_DOC_TERMS, |t| (self.field_of(t.id), t.first));
            terms.truncate(MAX_DOC_TERMS);
        }
        for term in &terms {
            let buf = &mut self.terms[term.id as usize].1;
            if buf.count == 0 {
                self.used += 1;
            }
            buf.push_encoded(seq, term.count, &term.positions);
        }
        // A document this long is rare: its buffers go rather than stay at its size.
        *spill = Spill::default();
        work.pairs = Vec::new();
    }
}

/// Pairs a document collects before they are sorted into its [`Spill`]: 8 MB. Only a
/// document of more than a million words (a few megabytes of text) reaches it, and past it
/// a position costs one to four bytes rather than eight.
const PAIRS_CHUNK: usize = 1 << 20;

/// The positions of a long document's terms so far, encoded as the postings encode them.
#[derive(Default)]
struct Spill {
    /// Term number → index in `terms`.
    index: FxHashMap<u32, u32>,
    terms: Vec<Spilled>,
}

/// One term's positions in a [`Spill`].
struct Spilled {
    id: u32,
    /// Its first position and its last.
    first: u32,
    last: u32,
    count: u32,
    /// Position deltas, as LEB128 varints.
    positions: Vec<u8>,
}

impl Spill {
    /// Moves `pairs` (all after those taken before) into the spill, emptying it.
    fn take(&mut self, pairs: &mut Vec<u64>) {
        pairs.sort_unstable();
        for &p in pairs.iter() {
            let (id, position) = ((p >> 32) as u32, p as u32);
            let at = *self.index.entry(id).or_insert_with(|| {
                self.terms.push(Spilled {
                    id,
                    first: position,
                    last: 0,
                    count: 0,
                    positions: Vec::new(),
                });
                (self.terms.len() - 1) as u32
            });
            let term = &mut self.terms[at as usize];
            put_varint(&mut term.positions, u64::from(position - term.last));
            term.last = position;
            term.count += 1;
        }
        pairs.clear();
    }
}

/// The numbers, ascending, of the first `cap` distinct terms of a document's sorted pairs in
/// the order the analyser met them (the title's, then the body's, each in text order), or
/// `None` when it has no more than `cap`. Every one of them has its number by the end of the
/// analysis, however many terms the vocabulary already had: a document adds `cap` new terms
/// at most, and fewer than `cap` come before any of these.
fn first_terms(pairs: &[u64], cap: usize, field: impl Fn(u32) -> u8) -> Option<Vec<u32>> {
    // (field, first position, term) of each term: the first pair of each run of a term.
    let mut firsts: Vec<(u8, u32, u32)> = Vec::new();
    let mut last = None;
    for &p in pairs {
        let id = (p >> 32) as u32;
        if last != Some(id) {
            firsts.push((field(id), p as u32, id));
            last = Some(id);
        }
    }
    if firsts.len() <= cap {
        return None;
    }
    firsts.select_nth_unstable(cap);
    let mut ids: Vec<u32> = firsts[..cap].iter().map(|&(_, _, id)| id).collect();
    ids.sort_unstable();
    Some(ids)
}

/// A term number and a position as one number that sorts by term, then position.
#[inline]
fn pair(term: u32, position: u32) -> u64 {
    (u64::from(term) << 32) | u64::from(position)
}

/// Buffers reused from one document to the next.
#[derive(Default)]
struct Work {
    tokens: Tokens,
    pairs: Vec<u64>,
    spill: Spill,
    key: Vec<u8>,
}

/// The terms the parts of one segment, built on several threads, may still add: each part
/// takes from it, before analysing a document, the most that document can add, and gives
/// back what it did not use.
struct Budget(AtomicUsize);

impl Budget {
    /// Takes `n` if that much is left.
    fn take(&self, n: usize) -> bool {
        self.0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(n)
            })
            .is_ok()
    }

    fn give_back(&self, n: usize) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
}

/// Analyses documents of `docs` in order until the budget runs out; returns the part and how
/// many documents it took. The first document of the first part comes with its share
/// already taken, so every segment takes at least one document.
fn build_part(docs: &[IndexDoc<'_>], budget: &Budget, first: bool) -> (Partial, usize) {
    let english = Analyzer::english();
    let mut others: BTreeMap<String, Analyzer> = BTreeMap::new();
    let mut part = Partial::default();
    let mut work = Work::default();
    for (taken, doc) in docs.iter().enumerate() {
        let share = most_terms(doc);
        // The first document of the first part had its share taken with the budget's.
        let taken_share = first && taken == 0 || budget.take(share);
        if !taken_share {
            return (part, taken);
        }
        let analyzer = match doc.language {
            Some(lang) if lang != "en" => others
                .entry(lang.to_owned())
                .or_insert_with(|| Analyzer::for_language(Some(lang))),
            _ => &english,
        };
        let before = part.used;
        part.add(doc, analyzer, &mut work);
        budget.give_back(share.saturating_sub(part.used - before));
    }
    let taken = docs.len();
    (part, taken)
}

/// Analyses the titles and bodies of `docs` into segment number `id`, on up to `threads`
/// threads. A segment holds at most [`MAX_SEGMENT_TERMS`] terms: the documents that did not
/// fit are returned, in order, for the next segment (none, for any batch of news).
pub fn build<'a>(
    mut docs: Vec<IndexDoc<'a>>,
    id: u64,
    threads: usize,
) -> (Segment, Vec<IndexDoc<'a>>) {
    docs.sort_by_key(|d| d.seq);
    docs.dedup_by_key(|d| d.seq);
    let Some(first) = docs.first() else {
        return (Segment::default(), docs);
    };
    let budget = Budget(AtomicUsize::new(MAX_SEGMENT_TERMS - most_terms(first)));
    let threads = threads.clamp(1, 16).min(docs.len().div_ceil(64).max(1));
    let chunk = docs.len().div_ceil(threads);
    let parts: Vec<(Partial, usize)> = if threads == 1 {
        vec![build_part(&docs, &budget, true)]
    } else {
        std::thread::scope(|scope| {
            let budget = &budget;
            let handles: Vec<_> = docs
                .chunks(chunk)
                .enumerate()
                .map(|(i, c)| scope.spawn(move || build_part(c, budget, i == 0)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    };
    // The documents each part took, and those left for the next segment (in order: every
    // part took a run from the start of its chunk).
    let taken: Vec<usize> = parts.iter().map(|(_, n)| *n).collect();
    let (docs, rest): (Vec<_>, Vec<_>) = docs
        .into_iter()
        .enumerate()
        .partition(|(i, _)| i % chunk < taken[i / chunk]);
    let docs: Vec<IndexDoc<'a>> = docs.into_iter().map(|(_, d)| d).collect();
    let rest: Vec<IndexDoc<'a>> = rest.into_iter().map(|(_, d)| d).collect();
    let mut parts = parts.into_iter().map(|(part, _)| part);
    let mut merged = parts.next().unwrap_or_default();
    for part in parts {
        merged.rows.extend(part.rows);
        for (key, buf) in part.terms {
            match merged.ids.get(&key) {
                Some(&i) => merged.terms[i as usize].1.append(buf),
                None => {
                    merged.ids.insert(key.clone(), merged.terms.len() as u32);
                    merged.terms.push((key, buf));
                }
            }
        }
    }
    let mut terms = merged.terms;
    // A term numbered for a document over the cap may have been left out of it.
    terms.retain(|(_, buf)| buf.count > 0);
    terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let postings = terms
        .iter()
        .map(|(key, buf)| (postings_key_of(id, key), buf.value()))
        .collect();
    (assemble(id, postings, &merged.rows, &docs), rest)
}

/// `[segment][field][term]` from the `[field][term]` of a term.
fn postings_key_of(segment: u64, key: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(key.len() + 8);
    k.extend_from_slice(&segment.to_be_bytes());
    k.extend_from_slice(key);
    k
}

/// A segment of `docs` (ascending, distinct) from its postings and rows.
fn assemble(
    id: u64,
    postings: Vec<(Vec<u8>, Vec<u8>)>,
    rows: &[DocRow],
    docs: &[IndexDoc<'_>],
) -> Segment {
    let mut facets: BTreeMap<Vec<u8>, Vec<u64>> = BTreeMap::new();
    for doc in docs {
        for (facet, value) in &doc.facets {
            facets
                .entry(facet_key(*facet, value))
                .or_default()
                .push(doc.seq);
        }
    }
    Segment {
        id,
        postings,
        table: encode_table(rows),
        docnums: docs
            .iter()
            .map(|d| (d.seq, docnum_entry(&d.id, d.title)))
            .collect(),
        facets: facets.into_iter().collect(),
    }
}

/// Most terms a [`SegmentBuilder`] remembers; past this it starts over with an empty
/// vocabulary, so an archive of endless distinct words does not grow it without bound. A
/// term costs the vocabulary a few hundred bytes, so this keeps it under about 100 MB a
/// builder (it was 2^21, up to a gigabyte with a builder per core), while holding many
/// times the 30,000 terms of the BBC corpus.
const MAX_VOCABULARY: usize = 1 << 18;

/// Builds whole segments one after another on one thread, keeping its vocabulary (the terms
/// and their numbers, the words seen and their terms) and its buffers from one segment to the
/// next. Several builders on their own threads index disjoint documents with no merge
/// between them, and a word seen in an earlier segment is found without analysing it again.
pub struct SegmentBuilder {
    english: Analyzer,
    others: BTreeMap<String, Analyzer>,
    part: Partial,
    work: Work,
}

impl Default for SegmentBuilder {
    fn default() -> SegmentBuilder {
        SegmentBuilder::new()
    }
}

impl SegmentBuilder {
    /// A builder with an empty vocabulary.
    pub fn new() -> SegmentBuilder {
        SegmentBuilder {
            english: Analyzer::english(),
            others: BTreeMap::new(),
            part: Partial::default(),
            work: Work::default(),
        }
    }

    /// Analyses the titles and bodies of `docs` into segment number `id`, as [`build`] does:
    /// the documents that would take the segment past [`MAX_SEGMENT_TERMS`] terms are
    /// returned, in order, for the next one.
    pub fn build<'a>(
        &mut self,
        mut docs: Vec<IndexDoc<'a>>,
        id: u64,
    ) -> (Segment, Vec<IndexDoc<'a>>) {
        docs.sort_by_key(|d| d.seq);
        docs.dedup_by_key(|d| d.seq);
        if docs.is_empty() {
            return (Segment::default(), docs);
        }
        if self.part.terms.len() > MAX_VOCABULARY {
            self.part = Partial::default();
        }
        self.part.used = 0;
        let mut taken = 0;
        for doc in &docs {
            if taken > 0 && self.part.used + most_terms(doc) > MAX_SEGMENT_TERMS {
                break;
            }
            let analyzer = match doc.language {
                Some(lang) if lang != "en" => self
                    .others
                    .entry(lang.to_owned())
                    .or_insert_with(|| Analyzer::for_language(Some(lang))),
                _ => &self.english,
            };
            self.part.add(doc, analyzer, &mut self.work);
            taken += 1;
        }
        let rest = docs.split_off(taken);
        let terms = &mut self.part.terms;
        let mut used: Vec<u32> = (0..terms.len() as u32)
            .filter(|&i| terms[i as usize].1.count > 0)
            .collect();
        used.sort_unstable_by(|&a, &b| terms[a as usize].0.cmp(&terms[b as usize].0));
        let postings = used
            .iter()
            .map(|&i| {
                let (key, buf) = &mut terms[i as usize];
                let value = buf.value();
                buf.clear();
                (postings_key_of(id, key), value)
            })
            .collect();
        let segment = assemble(id, postings, &self.part.rows, &docs);
        self.part.rows.clear();
        (segment, rest)
    }
}

/// The document part of a postings value: sequence numbers and frequencies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocList {
    /// Sequence numbers, ascending.
    pub docs: Vec<u64>,
    /// Occurrences in each.
    pub freqs: Vec<u32>,
}

/// Decodes the document part of a postings value, appending to `out`; returns the positions
/// part.
pub fn decode_docs<'v>(value: &'v [u8], out: &mut DocList) -> Result<&'v [u8], String> {
    let parts = split_value(value)?;
    // Room for no more documents than the document part can hold (a packed block of them can
    // take two bytes), so that a damaged count cannot make a few bytes reserve megabytes.
    let most = 1 + parts.docs.len() as u64 * (BLOCK as u64 / 2);
    let room = parts.count.min(1 << 24).min(most) as usize;
    out.docs.reserve(room);
    out.freqs.reserve(room);
    for_each_doc(value, |doc, freq| {
        out.docs.push(doc);
        out.freqs.push(freq);
    })
}

/// A postings value taken apart.
struct Parts<'v> {
    /// Whether the document part is in the packed layout.
    packed: bool,
    count: u64,
    docs: &'v [u8],
    positions: &'v [u8],
}

/// A postings value's layout, document count, document part and positions part.
fn split_value(value: &[u8]) -> Result<Parts<'_>, String> {
    let (packed, mut bytes) = match value.strip_prefix(&PACKED) {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let count = get_varint(&mut bytes)?;
    let len = usize::try_from(get_varint(&mut bytes)?).map_err(|_| "length overflow")?;
    if len > bytes.len() {
        return Err("document part longer than the value".into());
    }
    let (docs, positions) = bytes.split_at(len);
    Ok(Parts {
        packed,
        count,
        docs,
        positions,
    })
}

/// Calls `visit(doc, freq)` for each document of a postings value, ascending, without
/// collecting them; returns the positions part.
#[inline]
pub fn for_each_doc(value: &[u8], visit: impl FnMut(u64, u32)) -> Result<&[u8], String> {
    let parts = split_value(value)?;
    if parts.packed {
        for_each_packed(parts.count, parts.docs, visit)?;
    } else {
        for_each_plain(parts.count, parts.docs, visit)?;
    }
    Ok(parts.positions)
}

/// [`for_each_doc`] over a plain document part.
#[inline]
fn for_each_plain(
    count: u64,
    mut docs: &[u8],
    mut visit: impl FnMut(u64, u32),
) -> Result<(), String> {
    let mut doc = 0u64;
    for i in 0..count {
        // Most deltas and frequencies are below 128: one byte each.
        let (delta, freq) = match docs {
            [d, f, tail @ ..] if *d < 0x80 && *f < 0x80 => {
                docs = tail;
                (u64::from(*d), u32::from(*f))
            }
            _ => {
                let delta = get_varint(&mut docs)?;
                let freq =
                    u32::try_from(get_varint(&mut docs)?).map_err(|_| "frequency overflow")?;
                (delta, freq)
            }
        };
        doc = if i == 0 {
            delta
        } else {
            doc.checked_add(delta).ok_or("document overflow")?
        };
        visit(doc, freq);
    }
    trailing(docs)
}

/// [`for_each_doc`] over a packed document part.
#[inline]
fn for_each_packed(
    count: u64,
    mut docs: &[u8],
    mut visit: impl FnMut(u64, u32),
) -> Result<(), String> {
    if count == 0 {
        return trailing(docs);
    }
    let mut prev = get_entry(&mut docs, None, &mut visit)?;
    let blocks = (count - 1) / BLOCK as u64;
    let packer = BitPacker4x::new();
    let mut ascending = [0u32; BLOCK];
    let mut freqs = [0u32; BLOCK];
    for _ in 0..blocks {
        let width = take_width(&mut docs)?;
        let n = BitPacker4x::compressed_block_size(width);
        let (bits, rest) = docs.split_at_checked(n).ok_or("truncated block")?;
        packer.decompress_strictly_sorted(Some(prev), bits, &mut ascending, width);
        docs = rest;
        let width = take_width(&mut docs)?;
        let n = BitPacker4x::compressed_block_size(width);
        let (bits, rest) = docs.split_at_checked(n).ok_or("truncated block")?;
        packer.decompress(bits, &mut freqs, width);
        docs = rest;
        // Gaps wrap around past 32 bits, which only damaged bytes can make happen.
        let mut last = prev;
        for (&doc, &freq) in ascending.iter().zip(&freqs) {
            if doc <= last {
                return Err("documents out of order".into());
            }
            last = doc;
            visit(
                u64::from(doc),
                freq.checked_add(1).ok_or("frequency overflow")?,
            );
        }
        prev = last;
    }
    for _ in 0..(count - 1) % BLOCK as u64 {
        prev = get_entry(&mut docs, Some(prev), &mut visit)?;
    }
    trailing(docs)
}

/// The width byte of a packed block.
fn take_width(docs: &mut &[u8]) -> Result<u8, String> {
    let (&width, rest) = docs.split_first().ok_or("truncated block")?;
    if width > 32 {
        return Err(format!("block width {width} past 32 bits"));
    }
    *docs = rest;
    Ok(width)
}

/// Reads the entry [`put_entry`] wrote and visits its document; returns the document.
#[inline]
fn get_entry(
    docs: &mut &[u8],
    prev: Option<u32>,
    visit: &mut impl FnMut(u64, u32),
) -> Result<u32, String> {
    let v = get_varint(docs)?;
    let freq = if v & 1 == 1 {
        1
    } else {
        u32::try_from(get_varint(docs)?).map_err(|_| "frequency overflow")?
    };
    let gap = v >> 1;
    let doc = match prev {
        None => gap,
        Some(p) => u64::from(p) + gap + 1,
    };
    let doc = u32::try_from(doc).map_err(|_| "document overflow")?;
    visit(u64::from(doc), freq);
    Ok(doc)
}

/// An error when a document part has bytes left over.
fn trailing(docs: &[u8]) -> Result<(), String> {
    if docs.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} trailing bytes in the document part",
            docs.len()
        ))
    }
}

/// Reads the next `freq` position deltas from a positions part, appending the positions to
/// `out`, or, without `out`, only stepping over them.
pub fn read_positions(
    bytes: &mut &[u8],
    freq: u32,
    out: Option<&mut Vec<u32>>,
) -> Result<(), String> {
    let Some(out) = out else {
        return skip_varints(bytes, u64::from(freq));
    };
    out.reserve(freq.min(1 << 16) as usize);
    let mut pos = 0u32;
    for _ in 0..freq {
        let delta = u32::try_from(get_varint(bytes)?).map_err(|_| "position overflow")?;
        pos = pos.checked_add(delta).ok_or("position overflow")?;
        out.push(pos);
    }
    Ok(())
}

/// Steps over the next `n` varints of `bytes`. Each varint ends at a byte below 0x80, so
/// this counts those, eight bytes at a time while at least eight remain to be found.
pub fn skip_varints(bytes: &mut &[u8], mut n: u64) -> Result<(), String> {
    let mut rest = *bytes;
    while n >= 8
        && let Some((chunk, tail)) = rest.split_first_chunk::<8>()
    {
        let ends = !u64::from_le_bytes(*chunk) & 0x8080_8080_8080_8080;
        n -= u64::from(ends.count_ones());
        rest = tail;
    }
    while n > 0 {
        let (&b, tail) = rest.split_first().ok_or("truncated positions")?;
        rest = tail;
        if b < 0x80 {
            n -= 1;
        }
    }
    *bytes = rest;
    Ok(())
}

/// Decodes a whole postings value.
pub fn decode_postings(value: &[u8]) -> Result<Vec<Posting>, String> {
    let mut list = DocList::default();
    let mut positions = decode_docs(value, &mut list)?;
    let mut out = Vec::with_capacity(list.docs.len());
    for (&doc, &freq) in list.docs.iter().zip(&list.freqs) {
        let mut ps = Vec::with_capacity(freq.min(1 << 16) as usize);
        let mut pos = 0u32;
        for _ in 0..freq {
            let delta =
                u32::try_from(get_varint(&mut positions)?).map_err(|_| "position overflow")?;
            pos = pos.checked_add(delta).ok_or("position overflow")?;
            ps.push(pos);
        }
        out.push(Posting { doc, positions: ps });
    }
    if !positions.is_empty() {
        return Err(format!("{} trailing bytes", positions.len()));
    }
    Ok(out)
}

/// Encodes postings (documents ascending) as a postings value.
pub fn encode_postings(postings: &[Posting]) -> Vec<u8> {
    let mut buf = TermBuf::default();
    for p in postings {
        buf.push(p.doc, p.positions.iter().copied());
    }
    buf.value()
}

/// Encodes sorted, distinct sequence numbers as varint deltas.
pub fn encode_seqs(seqs: &[u64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(seqs.len() + 4);
    put_varint(&mut out, seqs.len() as u64);
    let mut last = 0u64;
    for &s in seqs {
        put_varint(&mut out, s - last);
        last = s;
    }
    out
}

/// Decodes what [`encode_seqs`] wrote.
pub fn decode_seqs(mut bytes: &[u8]) -> Result<Vec<u64>, String> {
    let count = get_varint(&mut bytes)?;
    // Each number takes at least a byte: a damaged count reserves no more than they can hold.
    let mut out = Vec::with_capacity(count.min(bytes.len() as u64) as usize);
    let mut s = 0u64;
    for _ in 0..count {
        s = s
            .checked_add(get_varint(&mut bytes)?)
            .ok_or("sequence overflow")?;
        out.push(s);
    }
    if !bytes.is_empty() {
        return Err(format!("{} trailing bytes", bytes.len()));
    }
    Ok(out)
}

/// Writes `v` as LEB128: seven bits a byte, high bit set on all but the last. Hand-written
/// because it sits in the innermost loop of indexing and is ten lines.
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[inline]
fn get_varint(bytes: &mut &[u8]) -> Result<u64, String> {
    match *bytes {
        [b, rest @ ..] if *b < 0x80 => {
            *bytes = rest;
            Ok(u64::from(*b))
        }
        // Two bytes: a third of the position deltas of news text (words 128 or more apart).
        [b0, b1, rest @ ..] if *b1 < 0x80 => {
            *bytes = rest;
            Ok(u64::from(*b0 & 0x7f) | (u64::from(*b1) << 7))
        }
        _ => get_long_varint(bytes),
    }
}

/// [`get_varint`] past its one-byte case.
#[cold]
fn get_long_varint(bytes: &mut &[u8]) -> Result<u64, String> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = bytes.split_first().ok_or("truncated varint")?;
        *bytes = rest;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err("varint too long".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_round_trip() {
        let postings = vec![
            Posting {
                doc: 3,
                positions: vec![0, 5, 9],
            },
            Posting {
                doc: 4,
                positions: vec![1],
            },
            Posting {
                doc: 300_000,
                positions: vec![70_000],
            },
        ];
        let bytes = encode_postings(&postings);
        assert_eq!(decode_postings(&bytes).unwrap(), postings);
        assert!(decode_postings(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode_postings(&longer).is_err());
        let mut list = DocList::default();
        decode_docs(&bytes, &mut list).unwrap();
        assert_eq!(list.docs, vec![3, 4, 300_000]);
        assert_eq!(list.freqs, vec![3, 1, 1]);
    }

    #[test]
    fn skipped_positions_leave_the_next_ones_intact() {
        let postings: Vec<Posting> = (0..50u64)
            .map(|d| Posting {
                doc: d * 3,
                positions: (0..(d % 7 + 1) as u32)
                    .map(|p| p * 200 + d as u32)
                    .collect(),
            })
            .collect();
        let value = encode_postings(&postings);
        let mut list = DocList::default();
        let mut rest = decode_docs(&value, &mut list).unwrap();
        for (i, p) in postings.iter().enumerate() {
            if i % 3 == 1 {
                let mut got = vec![7];
                read_positions(&mut rest, list.freqs[i], Some(&mut got)).unwrap();
                assert_eq!(got[1..], p.positions);
            } else {
                read_positions(&mut rest, list.freqs[i], None).unwrap();
            }
        }
        assert!(rest.is_empty());
        let mut short: &[u8] = &[0x80];
        assert!(read_positions(&mut short, 1, None).is_err());
    }

    #[test]
    fn skipping_many_varints_at_once_lands_where_one_by_one_does() {
        // One- to four-byte varints, mixed, so eight-byte chunks straddle their ends.
        let values: Vec<u64> = (0..300u64)
            .map(|i| (i * 7919) % (1 << (7 * (i % 4 + 1))))
            .collect();
        let mut bytes = Vec::new();
        for &v in &values {
            put_varint(&mut bytes, v);
        }
        for n in 0..=values.len() {
            let mut skipped = bytes.as_slice();
            skip_varints(&mut skipped, n as u64).unwrap();
            let mut read = bytes.as_slice();
            for &v in &values[..n] {
                assert_eq!(get_varint(&mut read).unwrap(), v);
            }
            assert_eq!(skipped.len(), read.len(), "after {n} varints");
        }
        let mut all = bytes.as_slice();
        assert!(skip_varints(&mut all, values.len() as u64 + 1).is_err());
    }

    #[test]
    fn appended_buffers_equal_one_buffer() {
        let mut whole = TermBuf::default();
        let mut a = TermBuf::default();
        let mut b = TermBuf::default();
        for (doc, ps) in [(5u64, vec![1u32, 4]), (9, vec![0]), (200, vec![3, 7, 8])] {
            whole.push(doc, ps.iter().copied());
            if doc < 100 { &mut a } else { &mut b }.push(doc, ps.iter().copied());
        }
        a.append(b);
        assert_eq!(a.value(), whole.value());
    }

    /// Postings of `n` documents: gaps and frequencies of every size a block can get.
    fn postings_of(n: u64, spread: u64) -> Vec<Posting> {
        let mut doc = 0u64;
        (0..n)
            .map(|i| {
                doc += 1 + (i * 7919) % spread;
                let freq = if i % 3 == 0 { 1 + (i % 40) as u32 } else { 1 };
                Posting {
                    doc,
                    positions: (0..freq).map(|p| p * 3 + (i % 5) as u32).collect(),
                }
            })
            .collect()
    }

    /// What a build before the packed layout wrote for `postings`.
    fn plain_value(postings: &[Posting]) -> Vec<u8> {
        let mut buf = TermBuf::default();
        for p in postings {
            buf.push(p.doc, p.positions.iter().copied());
        }
        let mut out = Vec::new();
        put_varint(&mut out, buf.count);
        put_varint(&mut out, buf.docs.len() as u64);
        out.extend_from_slice(&buf.docs);
        out.extend_from_slice(&buf.positions);
        out
    }

    #[test]
    fn packed_postings_round_trip_at_every_length() {
        for n in [0, 1, 2, 127, 128, 129, 130, 256, 257, 1000] {
            for spread in [1, 3, 1000, 1 << 24] {
                let postings = postings_of(n, spread);
                let value = encode_postings(&postings);
                assert_eq!(value.starts_with(&PACKED), n > 0, "{n} docs");
                assert_eq!(
                    decode_postings(&value).unwrap(),
                    postings,
                    "{n} docs, spread {spread}"
                );
                // Values of earlier builds read the same.
                let plain = plain_value(&postings);
                assert_eq!(
                    decode_postings(&plain).unwrap(),
                    postings,
                    "{n} docs, plain"
                );
                let (mut a, mut b) = (Vec::new(), Vec::new());
                for_each_doc(&value, |d, f| a.push((d, f))).unwrap();
                for_each_doc(&plain, |d, f| b.push((d, f))).unwrap();
                assert_eq!(a, b);
            }
        }
        // Dense lists pack to a few bits a document.
        let docs_len = |value: &[u8]| split_value(value).unwrap().docs.len();
        let dense = docs_len(&encode_postings(&postings_of(1280, 1)));
        let plain = docs_len(&plain_value(&postings_of(1280, 1)));
        assert!(dense < plain / 2, "{dense} vs {plain}");
    }

    #[test]
    fn sequence_numbers_past_32_bits_keep_the_plain_layout() {
        let mut postings = postings_of(300, 5);
        postings.push(Posting {
            doc: 1 << 40,
            positions: vec![2],
        });
        let value = encode_postings(&postings);
        assert!(!value.starts_with(&PACKED));
        assert_eq!(decode_postings(&value).unwrap(), postings);
    }

    #[test]
    fn damaged_packed_values_are_errors() {
        let postings = postings_of(400, 9);
        let value = encode_postings(&postings);
        for cut in 0..value.len() {
            assert!(decode_postings(&value[..cut]).is_err(), "cut at {cut}");
        }
        // The first block's width byte comes after the marker, the count, the length and the
        // first document's entry.
        let mut rest = &value[PACKED.len()..];
        let count = get_varint(&mut rest).unwrap();
        let _ = get_varint(&mut rest).unwrap();
        assert_eq!(count, 400);
        let first = get_varint(&mut rest).unwrap();
        if first & 1 == 0 {
            let _ = get_varint(&mut rest).unwrap();
        }
        let at = value.len() - rest.len();
        let mut bad = value.clone();
        bad[at] = 33;
        assert!(decode_postings(&bad).unwrap_err().contains("width"));
        let mut list = DocList::default();
        assert!(decode_docs(&bad, &mut list).is_err());
        // A narrower block than written: its gaps and the rest of the part no longer line up.
        let mut bad = value.clone();
        bad[at] -= 1;
        assert!(decode_postings(&bad).is_err());
    }

    /// Documents with recurring words, long words, a second language and facets.
    fn index_docs(texts: &[(u64, &'static str, Option<&'static str>)]) -> Vec<IndexDoc<'static>> {
        texts
            .iter()
            .map(|&(seq, body, language)| IndexDoc {
                seq,
                id: DocId([seq as u8; 32]),
                title: "Interest rates",
                body: Cow::Borrowed(body),
                language,
                facets: vec![(Facet::Tag, format!("t{}", seq % 2))],
                row: DocRow {
                    seq,
                    ..DocRow::default()
                },
            })
            .collect()
    }

    #[test]
    fn a_builder_reused_for_later_segments_builds_what_a_fresh_build_does() {
        let first = [
            (
                1,
                "Rates rose; the central bank raised interest rates again.",
                None,
            ),
            (
                2,
                "Internationalisation of telecommunications companies",
                None,
            ),
            (3, "Die Zinsen steigen, sagte die Bank.", Some("de")),
        ];
        let second = [
            (
                7,
                "The bank kept rates; telecommunications shares fell.",
                None,
            ),
            (
                8,
                "Rates, rates and rates: internationalisation again",
                None,
            ),
            (9, "Die Bank senkt die Zinsen nicht.", Some("de")),
            (12, "A new word: counterintelligence.", None),
        ];
        let mut builder = SegmentBuilder::new();
        for (id, texts) in [(1, &first[..]), (2, &second[..]), (3, &first[..])] {
            let (reused, rest) = builder.build(index_docs(texts), id);
            assert!(!reused.postings.is_empty() && rest.is_empty());
            assert_eq!(reused, build(index_docs(texts), id, 1).0, "segment {id}");
        }
        assert_eq!(builder.build(Vec::new(), 4).0, Segment::default());
    }

    /// The words `w{i}` for `i` in `range`, one each, separated by spaces.
    fn numbered_words(range: std::ops::Range<usize>) -> String {
        range.map(|i| format!("w{i} ")).collect()
    }

    fn owned_doc(seq: u64, body: String) -> IndexDoc<'static> {
        IndexDoc {
            seq,
            id: DocId([seq as u8; 32]),
            title: "",
            body: Cow::Owned(body),
            language: None,
            facets: Vec::new(),
            row: DocRow {
                seq,
                ..DocRow::default()
            },
        }
    }

    /// The body terms of a segment and their postings.
    fn body_terms(segment: &Segment) -> BTreeMap<String, Vec<Posting>> {
        segment
            .postings
            .iter()
            .filter_map(|(key, value)| {
                let (_, field, term) = split_key(key)?;
                (field == BODY).then(|| (term.to_owned(), decode_postings(value).unwrap()))
            })
            .collect()
    }

    /// What the index holds for a document of body `text`, found by analysing it: the
    /// positions of each of its first `cap` distinct terms.
    fn expected_terms(seq: u64, text: &str, cap: usize) -> BTreeMap<String, Vec<Posting>> {
        let mut order = Vec::new();
        let mut positions: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        Analyzer::english().analyze(text, |term, position| {
            positions
                .entry(term.to_owned())
                .or_insert_with(|| {
                    order.push(term.to_owned());
                    Vec::new()
                })
                .push(position)
        });
        order.truncate(cap);
        order
            .into_iter()
            .map(|term| {
                let positions = positions.remove(&term).unwrap();
                (
                    term,
                    vec![Posting {
                        doc: seq,
                        positions,
                    }],
                )
            })
            .collect()
    }

    #[test]
    fn a_document_is_indexed_under_its_first_distinct_terms_only() {
        let over = 1000;
        // Every word once, then the first one again.
        let text = format!("{}w0", numbered_words(0..MAX_DOC_TERMS + over));
        let (segment, rest) = build(vec![owned_doc(1, text.clone())], 5, 1);
        assert!(rest.is_empty());
        let terms = body_terms(&segment);
        assert_eq!(terms.len(), MAX_DOC_TERMS);
        assert!(terms == expected_terms(1, &text, MAX_DOC_TERMS));
        // Words left out keep their positions, and count in the document's length.
        let last = (MAX_DOC_TERMS + over) as u32;
        assert_eq!(terms["w0"][0].positions, [0, last]);
        assert_eq!(decode_table(&segment.table).unwrap()[0].body_len, last + 1);
        // A builder that already knows the words past the cap leaves out the same ones.
        let mut builder = SegmentBuilder::new();
        let known = numbered_words(MAX_DOC_TERMS - 10..MAX_DOC_TERMS + over);
        let _ = builder.build(vec![owned_doc(1, known)], 4);
        let (again, rest) = builder.build(vec![owned_doc(1, text)], 5);
        assert!(rest.is_empty());
        assert_eq!(again, segment);
    }

    #[test]
    fn a_long_document_indexes_as_a_short_one_does() {
        // More words than a document collects before they go to the spill: a few terms
        // recurring all through, and more distinct ones than the cap.
        let mut text = String::new();
        for i in 0..PAIRS_CHUNK + PAIRS_CHUNK / 4 {
            if i % 3 == 0 {
                text.push_str(&format!("w{} ", i / 3 % (MAX_DOC_TERMS + 5000)));
            } else {
                text.push_str(&format!("x{} ", i % 7));
            }
        }
        // The title's five terms come first and count against the cap.
        let expected = expected_terms(3, &text, MAX_DOC_TERMS - 5);
        let mut doc = owned_doc(3, text);
        doc.title = "A title of its own";
        let (segment, _) = build(vec![doc], 1, 1);
        let titles: Vec<&str> = segment
            .postings
            .iter()
            .filter_map(|(k, _)| split_key(k).filter(|k| k.1 == TITLE).map(|k| k.2))
            .collect();
        assert_eq!(titles, ["a", "it", "of", "own", "titl"]);
        let terms = body_terms(&segment);
        assert_eq!(terms.len(), expected.len());
        assert!(terms == expected);
    }

    #[test]
    fn segments_stop_taking_documents_at_their_term_budget() {
        // 130 documents of 2,000 terms each, none shared: 260,000 terms in all.
        let docs = || -> Vec<IndexDoc<'static>> {
            (0..130usize)
                .map(|d| owned_doc(d as u64 + 1, numbered_words(d * 2000..(d + 1) * 2000)))
                .collect()
        };
        let mut builder = SegmentBuilder::new();
        for threads in [0, 1, 2] {
            let mut left = docs();
            let mut seqs = Vec::new();
            let mut terms = 0;
            let mut segments = 0;
            while !left.is_empty() {
                let (segment, rest) = if threads == 0 {
                    builder.build(left, segments)
                } else {
                    build(left, segments, threads)
                };
                assert!(segment.postings.len() <= MAX_SEGMENT_TERMS);
                assert!(!segment.docnums.is_empty());
                seqs.extend(segment.docnums.iter().map(|(seq, _)| *seq));
                terms += body_terms(&segment).len();
                segments += 1;
                left = rest;
            }
            assert!(segments >= 2, "{threads} threads");
            seqs.sort_unstable();
            assert_eq!(seqs, (1..=130).collect::<Vec<u64>>(), "{threads} threads");
            assert_eq!(terms, 260_000, "{threads} threads");
        }
    }

    #[test]
    fn a_renumbered_segment_is_the_segment_built_under_that_number() {
        let texts = [(1, "Rates rose again.", None), (2, "Oil fell.", None)];
        let (mut segment, _) = build(index_docs(&texts), 3, 1);
        segment.renumber(9);
        assert_eq!(segment, build(index_docs(&texts), 9, 1).0);
    }

    #[test]
    fn keys_split_back() {
        let key = postings_key(42, BODY, "rate");
        assert_eq!(split_key(&key), Some((42, BODY, "rate")));
        assert_eq!(split_key(b"\x01ra"), None);
    }

    #[test]
    fn tables_and_seqs_round_trip() {
        let rows = vec![
            DocRow {
                seq: 2,
                title_len: 5,
                body_len: 400,
                words: 390,
                published: 20090612,
                imported: 20261124,
            },
            DocRow {
                seq: 70,
                ..DocRow::default()
            },
        ];
        assert_eq!(decode_table(&encode_table(&rows)).unwrap(), rows);
        assert!(decode_table(&[5]).is_err());
        let seqs = vec![0, 1, 9, 1 << 40];
        assert_eq!(decode_seqs(&encode_seqs(&seqs)).unwrap(), seqs);
    }

    #[test]
    fn a_damaged_count_reserves_no_more_than_the_value_can_hold() {
        // A document part of two bytes that claims 2^40 documents, in both layouts.
        for packed in [false, true] {
            let mut value = if packed { PACKED.to_vec() } else { Vec::new() };
            put_varint(&mut value, 1 << 40);
            put_varint(&mut value, 2);
            value.extend_from_slice(&[1, 1]);
            let mut list = DocList::default();
            assert!(decode_docs(&value, &mut list).is_err());
            let room = list.docs.capacity().max(list.freqs.capacity());
            assert!(room <= 1 + 2 * BLOCK, "{room}");
        }
    }

    #[test]
    fn dates_become_numbers() {
        assert_eq!(date_number("2009-06-12T10:00:00Z"), 20090612);
        assert_eq!(date_number("2009-06-12"), 20090612);
        assert_eq!(date_number("June 2009"), 0);
        assert_eq!(date_number("2009-13-01"), 0);
    }
}
