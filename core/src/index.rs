//! The full-text index, built from the stored documents: for each field (title, body) and each
//! analysed term, the documents holding it with their word positions. It is derived data:
//! `morgue reindex` builds it from the documents at any time, and from then on every import
//! adds its new documents as a segment. (With one sled key per term and segment, indexing costs
//! about three times the import itself, so archives that are never searched do not pay it.)
//!
//! Layout (kept in the store's `postings` and `docnums` trees):
//! - postings: key `[field][term][0x00][segment: u64 BE]` → a block of
//!   `(doc delta, frequency, position deltas…)` as LEB128 varints, documents ascending. A
//!   segment is one flushed batch, so a batch writes each term once; terms are ordered keys, so
//!   `prefix*` is a range scan.
//! - docnums: import sequence number (u64 BE) → id and the title and body lengths in terms,
//!   which ranking needs without reading the documents.

use std::collections::BTreeMap;

use crate::analysis::{Analyzer, Tokens};
use crate::archive::StoredDoc;
use crate::model::DocId;
use crate::text;

/// Field byte of titles.
pub const TITLE: u8 = 0;
/// Field byte of bodies (the decoded text when an extractor found no body).
pub const BODY: u8 = 1;

/// One document's occurrences of a term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posting {
    /// The document's import sequence number.
    pub doc: u64,
    /// Word positions, ascending.
    pub positions: Vec<u32>,
}

/// What the index keeps per document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocInfo {
    /// The document's id.
    pub id: DocId,
    /// Terms in its title.
    pub title_len: u32,
    /// Terms in its body.
    pub body_len: u32,
}

impl DocInfo {
    /// 40 bytes: id, then both lengths little-endian.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(40);
        out.extend_from_slice(&self.id.0);
        out.extend_from_slice(&self.title_len.to_le_bytes());
        out.extend_from_slice(&self.body_len.to_le_bytes());
        out
    }

    /// Reads what [`DocInfo::encode`] wrote.
    pub fn decode(bytes: &[u8]) -> Option<DocInfo> {
        let id: [u8; 32] = bytes.get(..32)?.try_into().ok()?;
        let title_len = u32::from_le_bytes(bytes.get(32..36)?.try_into().ok()?);
        let body_len = u32::from_le_bytes(bytes.get(36..40)?.try_into().ok()?);
        Some(DocInfo {
            id: DocId(id),
            title_len,
            body_len,
        })
    }
}

/// Index entries for a batch of documents.
#[derive(Default)]
pub struct IndexBatch {
    /// Postings keys and encoded blocks.
    pub postings: Vec<(Vec<u8>, Vec<u8>)>,
    /// Per document: sequence number and encoded [`DocInfo`].
    pub docnums: Vec<(u64, Vec<u8>)>,
}

/// The key prefix of a term in a field: `[field][term][0x00]`.
pub fn term_key(field: u8, term: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(term.len() + 2);
    key.push(field);
    key.extend_from_slice(term.as_bytes());
    key.push(0);
    key
}

/// Splits a postings key into field, term and segment.
pub fn split_key(key: &[u8]) -> Option<(u8, &str, u64)> {
    let (&field, rest) = key.split_first()?;
    if rest.len() < 9 {
        return None;
    }
    let (term, tail) = rest.split_at(rest.len() - 9);
    if tail[0] != 0 {
        return None;
    }
    let segment = u64::from_be_bytes(tail[1..].try_into().ok()?);
    Some((field, std::str::from_utf8(term).ok()?, segment))
}

/// Analyses the title and body of each document and groups the terms into one postings block
/// per (field, term) for the segment. `raw` gives the original bytes of documents without a
/// body field, whose decoded text is indexed instead.
pub fn build<'a>(
    docs: impl IntoIterator<Item = (&'a StoredDoc, &'a [u8])>,
    segment: u64,
) -> IndexBatch {
    let english = Analyzer::english();
    let mut others: BTreeMap<String, Analyzer> = BTreeMap::new();
    let mut tokens = Tokens::new();
    let mut terms: BTreeMap<(u8, String), Vec<Posting>> = BTreeMap::new();
    let mut batch = IndexBatch::default();
    let mut docs: Vec<(&StoredDoc, &[u8])> = docs.into_iter().collect();
    docs.sort_by_key(|(d, _)| d.seq);
    for (doc, raw) in docs {
        let analyzer = match doc.fields.get("language").and_then(|v| v.as_str()) {
            Some(lang) if lang != "en" => others
                .entry(lang.to_owned())
                .or_insert_with(|| Analyzer::for_language(Some(lang))),
            _ => &english,
        };
        let title = doc
            .fields
            .get("title")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let decoded;
        let body = match doc.fields.get("body").and_then(|v| v.as_str()) {
            Some(body) => body,
            None => {
                decoded = text::decode_with(raw, &doc.source.encoding);
                decoded.as_str()
            }
        };
        let mut lens = [0u32; 2];
        for (field, content) in [(TITLE, title), (BODY, body)] {
            analyzer.analyze_into(content, &mut tokens);
            lens[usize::from(field)] = tokens.len() as u32;
            let mut per_term: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
            for token in tokens.iter() {
                per_term.entry(token.term).or_default().push(token.position);
            }
            for (term, positions) in per_term {
                terms
                    .entry((field, term.to_owned()))
                    .or_default()
                    .push(Posting {
                        doc: doc.seq,
                        positions,
                    });
            }
        }
        let info = DocInfo {
            id: doc.id,
            title_len: lens[0],
            body_len: lens[1],
        };
        batch.docnums.push((doc.seq, info.encode()));
    }
    for ((field, term), postings) in terms {
        let mut key = term_key(field, &term);
        key.extend_from_slice(&segment.to_be_bytes());
        batch.postings.push((key, encode_postings(&postings)));
    }
    batch
}

/// Encodes postings (documents ascending) as varints: count, then per document the delta from
/// the previous document, the frequency and the position deltas.
pub fn encode_postings(postings: &[Posting]) -> Vec<u8> {
    let mut out = Vec::with_capacity(postings.len() * 4);
    put_varint(&mut out, postings.len() as u64);
    let mut last_doc = 0u64;
    for p in postings {
        put_varint(&mut out, p.doc - last_doc);
        last_doc = p.doc;
        put_varint(&mut out, p.positions.len() as u64);
        let mut last = 0u32;
        for &pos in &p.positions {
            put_varint(&mut out, u64::from(pos - last));
            last = pos;
        }
    }
    out
}

/// Decodes what [`encode_postings`] wrote.
pub fn decode_postings(mut bytes: &[u8]) -> Result<Vec<Posting>, String> {
    let count = get_varint(&mut bytes)?;
    let mut out = Vec::with_capacity(count.min(1 << 20) as usize);
    let mut doc = 0u64;
    for _ in 0..count {
        doc += get_varint(&mut bytes)?;
        let freq = get_varint(&mut bytes)?;
        let mut positions = Vec::with_capacity(freq.min(1 << 16) as usize);
        let mut pos = 0u32;
        for _ in 0..freq {
            let delta = u32::try_from(get_varint(&mut bytes)?).map_err(|_| "position overflow")?;
            pos = pos.checked_add(delta).ok_or("position overflow")?;
            positions.push(pos);
        }
        out.push(Posting { doc, positions });
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

fn get_varint(bytes: &mut &[u8]) -> Result<u64, String> {
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

/// Merges the blocks of one term from several segments into one list, documents ascending.
/// A document indexed in two segments (re-imported after a crash) keeps its latest entry.
pub fn merge(mut blocks: Vec<Vec<Posting>>) -> Vec<Posting> {
    if blocks.len() == 1 {
        return blocks.pop().unwrap_or_default();
    }
    // Latest segment first, and a stable sort, so the dedup below keeps the latest entry.
    let mut all: Vec<Posting> = blocks.into_iter().rev().flatten().collect();
    all.sort_by_key(|p| p.doc);
    all.dedup_by(|later, earlier| later.doc == earlier.doc);
    all
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
    }

    #[test]
    fn keys_split_back() {
        let mut key = term_key(BODY, "rate");
        key.extend_from_slice(&42u64.to_be_bytes());
        assert_eq!(split_key(&key), Some((BODY, "rate", 42)));
        assert_eq!(split_key(b"\x01ra"), None);
    }

    #[test]
    fn doc_info_round_trips() {
        let info = DocInfo {
            id: DocId([7; 32]),
            title_len: 5,
            body_len: 400,
        };
        assert_eq!(DocInfo::decode(&info.encode()), Some(info));
        assert_eq!(DocInfo::decode(&[0; 10]), None);
    }
}
