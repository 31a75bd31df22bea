//! Running a parsed query against the index: term, phrase and prefix lookups in the title and
//! body postings of every segment, boolean combination on sorted lists, filters from the
//! facet lists (site, author, dateline, tag, language) and the document rows (ranges), and
//! BM25 ranking with the title weighted above the body. Also the compaction that merges the
//! segments, since it needs the same view of which segment owns each document.

use crate::analysis::Analyzer;
use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::index::{
    self, BODY, DocList, DocRow, Facet, Posting, TITLE, decode_docs, decode_postings, decode_table,
    encode_postings, encode_table, facet_key, postings_key,
};
use crate::model::DocId;
use crate::query::{Bounds, Date, Field, Query, Range};
use crate::store::{Store, codec};

/// BM25 term-frequency saturation.
const K1: f64 = 1.2;
/// BM25 length normalisation.
const B: f64 = 0.75;
/// A title match counts this many times a body match.
const TITLE_WEIGHT: f64 = 2.0;
/// Most terms one `prefix*` expands to.
const MAX_PREFIX_TERMS: usize = 10_000;
/// Owner of a sequence number that no segment holds (never indexed, or removed).
const NONE: u32 = u32::MAX;

/// One matching document.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The document's id.
    pub id: DocId,
    /// Its import sequence number.
    pub seq: u64,
    /// BM25 relevance (0 for documents matched by filters alone).
    pub score: f64,
    /// Its title ("" when it has none).
    pub title: String,
}

/// Scores by document sequence number, ascending.
type Matches = Vec<(u64, f64)>;

/// What a query needs of every document, loaded once: which segment owns each sequence
/// number, and its row (lengths, word count, dates).
pub(crate) struct Catalog {
    segments: Vec<u64>,
    owner: Vec<u32>,
    rows: Vec<DocRow>,
    live: u64,
    /// One segment, owning every sequence number below `owner.len()`.
    whole: bool,
}

impl Catalog {
    pub(crate) fn load(store: &Store) -> Result<Catalog> {
        let mut segments = Vec::new();
        let mut tables = Vec::new();
        let mut len = 0usize;
        for (segment, bytes) in store.segments()? {
            let rows = decode_table(&bytes).map_err(|reason| Error::Corrupt {
                what: format!("doctable/{segment}"),
                reason,
            })?;
            if let Some(last) = rows.last() {
                len = len.max(usize::try_from(last.seq).unwrap_or(usize::MAX - 1) + 1);
            }
            segments.push(segment);
            tables.push(rows);
        }
        let mut owner = vec![NONE; len];
        let mut by_seq = vec![DocRow::default(); len];
        // Later segments win: a document indexed twice (re-imported after a crash) counts once.
        for (i, rows) in tables.into_iter().enumerate() {
            for row in rows {
                owner[row.seq as usize] = i as u32;
                by_seq[row.seq as usize] = row;
            }
        }
        for seq in store.deleted()? {
            if let Some(o) = owner.get_mut(seq as usize) {
                *o = NONE;
            }
        }
        let live = owner.iter().filter(|&&o| o != NONE).count() as u64;
        Ok(Catalog {
            whole: segments.len() == 1 && live == owner.len() as u64,
            segments,
            owner,
            rows: by_seq,
            live,
        })
    }

    fn owner(&self, seq: u64) -> u32 {
        self.owner.get(seq as usize).copied().unwrap_or(NONE)
    }

    /// Whether segment number `segment` (an index into `segments`) owns document `seq`.
    /// After a `compact` with nothing removed since, one segment owns every document, and
    /// this needs no look-up: queries ask it for every document of every term they read.
    #[inline]
    fn owns(&self, segment: u32, seq: u64) -> bool {
        if self.whole {
            segment == 0 && seq < self.owner.len() as u64
        } else {
            self.owner(seq) == segment
        }
    }

    pub(crate) fn is_live(&self, seq: u64) -> bool {
        self.owner(seq) != NONE
    }

    pub(crate) fn all(&self) -> impl Iterator<Item = u64> + '_ {
        self.owner
            .iter()
            .enumerate()
            .filter(|(_, o)| **o != NONE)
            .map(|(seq, _)| seq as u64)
    }
}

/// A query run against one archive.
pub struct Searcher<'a> {
    archive: &'a Archive,
    analyzer: Analyzer,
    catalog: Catalog,
    /// BM25's length part for each field (title, body), by sequence number:
    /// `K1 * (1 - B + B * len / average len)`, worked out once rather than per match.
    norms: [Vec<f64>; 2],
    /// The best score of each document while a prefix's expansions are merged.
    scratch: std::cell::RefCell<Scratch>,
}

impl<'a> Searcher<'a> {
    /// Loads the index's document table. Refuses an index that does not cover every document:
    /// a query must not silently miss what was imported since the last `reindex`.
    pub fn new(archive: &'a Archive) -> Result<Searcher<'a>> {
        let catalog = Catalog::load(archive.store())?;
        if catalog.live != archive.len() {
            return Err(Error::IndexStale {
                indexed: catalog.live,
                documents: archive.len(),
            });
        }
        let n = catalog.live.max(1) as f64;
        let mut sums = [0f64; 2];
        for seq in catalog.all() {
            let row = &catalog.rows[seq as usize];
            sums[0] += f64::from(row.title_len);
            sums[1] += f64::from(row.body_len);
        }
        let norms = [TITLE, BODY].map(|f| {
            let avg = (sums[usize::from(f)] / n).max(1.0);
            catalog
                .rows
                .iter()
                .map(|row| {
                    let len = f64::from(if f == TITLE {
                        row.title_len
                    } else {
                        row.body_len
                    });
                    K1 * (1.0 - B + B * len / avg)
                })
                .collect()
        });
        Ok(Searcher {
            archive,
            analyzer: Analyzer::english(),
            catalog,
            norms,
            scratch: Default::default(),
        })
    }

    /// Every matching document, best first (ties in import order).
    pub fn search(&mut self, query: &Query) -> Result<Vec<Hit>> {
        let (_, hits) = self.top(query, 0, usize::MAX)?;
        Ok(hits)
    }

    /// How many documents match.
    pub fn count(&mut self, query: &Query) -> Result<usize> {
        Ok(self.eval(query, None)?.len())
    }

    /// The number of matching documents, and the `limit` best after skipping `offset`.
    /// Only those are looked up by id, so a query matching most of a large archive stays fast.
    pub fn top(&mut self, query: &Query, offset: usize, limit: usize) -> Result<(usize, Vec<Hit>)> {
        let matches = self.eval(query, None)?;
        let total = matches.len();
        let wanted = offset.saturating_add(limit).min(total);
        let matches = best(matches, wanted);
        let mut hits = Vec::with_capacity(wanted.saturating_sub(offset));
        for &(seq, score) in matches.iter().skip(offset).take(limit) {
            if let Some((id, title)) = self.archive.store().docnum(seq)? {
                hits.push(Hit {
                    id,
                    seq,
                    score,
                    title,
                });
            }
        }
        Ok((total, hits))
    }

    /// How many documents the index holds.
    pub fn indexed(&self) -> u64 {
        self.catalog.live
    }

    /// The id of the indexed document with sequence number `seq`.
    pub fn id_of(&self, seq: u64) -> Result<Option<DocId>> {
        if !self.catalog.is_live(seq) {
            return Ok(None);
        }
        Ok(self.archive.store().docnum(seq)?.map(|(id, _)| id))
    }

    /// The sequence numbers of the indexed documents, ascending.
    pub fn seqs(&self) -> Vec<u64> {
        self.catalog.all().collect()
    }

    /// The analysed terms of the query's words, phrases and prefixes (for highlighting), each
    /// with whether it is a prefix.
    pub fn terms_of(&self, query: &Query) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        collect_terms(query, &self.analyzer, &mut out);
        out
    }

    fn eval(&mut self, query: &Query, field: Option<Field>) -> Result<Matches> {
        match query {
            Query::Term(_) | Query::Phrase(_) | Query::Prefix(_) => self.text(query, field),
            Query::Field { field, query } => match field {
                Field::Title | Field::Body => self.eval(query, Some(*field)),
                Field::Site => self.facet(Facet::Site, query),
                Field::Author => self.facet(Facet::Author, query),
                Field::Dateline => self.facet(Facet::Dateline, query),
                Field::Tag => self.facet(Facet::Tag, query),
                Field::Lang => self.facet(Facet::Lang, query),
                Field::Person => self.facet(Facet::Person, query),
                Field::Org => self.facet(Facet::Org, query),
                Field::Place => self.facet(Facet::Place, query),
                Field::Entity => self.facet(Facet::Entity, query),
                Field::Speaker => self.facet(Facet::Speaker, query),
                Field::Quote => self.quote(query),
                Field::Id => self.ids(query),
            },
            Query::Range(range) => Ok(self
                .catalog
                .all()
                .filter(|&seq| range_matches(&self.catalog.rows[seq as usize], range))
                .map(|seq| (seq, 0.0))
                .collect()),
            Query::Not(inner) => {
                let excluded = self.eval(inner, field)?;
                Ok(difference(
                    self.catalog.all().map(|seq| (seq, 0.0)).collect(),
                    &excluded,
                ))
            }
            Query::And(parts) => {
                let (negative, positive): (Vec<&Query>, Vec<&Query>) =
                    parts.iter().partition(|p| matches!(p, Query::Not(_)));
                let mut result: Option<Matches> = None;
                for part in positive {
                    if result.as_ref().is_some_and(Vec::is_empty) {
                        break;
                    }
                    let m = self.eval(part, field)?;
                    result = Some(match result {
                        None => m,
                        Some(acc) => intersect(&acc, &m),
                    });
                }
                let mut result = match result {
                    Some(r) => r,
                    None => self.catalog.all().map(|seq| (seq, 0.0)).collect(),
                };
                for part in negative {
                    if let Query::Not(inner) = part {
                        let excluded = self.eval(inner, field)?;
                        result = difference(result, &excluded);
                    }
                }
                Ok(result)
            }
            Query::Or(parts) => {
                let mut result = Matches::new();
                for part in parts {
                    let m = self.eval(part, field)?;
                    result = union(&result, &m, |a, b| a + b);
                }
                Ok(result)
            }
        }
    }

    /// A word, phrase or prefix in the title, the body or both.
    fn text(&self, query: &Query, field: Option<Field>) -> Result<Matches> {
        let fields: &[u8] = match field {
            Some(Field::Title) => &[TITLE],
            Some(Field::Body) => &[BODY],
            _ => &[TITLE, BODY],
        };
        let Some(analysed) = query.analysed(&self.analyzer) else {
            return Ok(Matches::new());
        };
        let mut result = Matches::new();
        for &f in fields {
            let found = if analysed.prefix {
                let (head, last) = match analysed.terms.split_last() {
                    Some((last, head)) => (head, last),
                    None => continue,
                };
                // Each expansion's matches, merged once: a document takes its best score.
                let mut scratch = self.scratch.borrow_mut();
                for term in self.terms_with_prefix(f, last)? {
                    let mut words: Vec<String> = head.to_vec();
                    words.push(term);
                    scratch.keep_best(&self.phrase(f, &words)?);
                }
                scratch.take()
            } else {
                self.phrase(f, &analysed.terms)?
            };
            result = union(&result, &found, |a, b| a + b);
        }
        Ok(result)
    }

    /// The indexed terms of field `f` starting with `prefix`, ascending, at most
    /// 10,000.
    pub fn terms_with_prefix(&self, f: u8, prefix: &str) -> Result<Vec<String>> {
        let mut terms = std::collections::BTreeSet::new();
        for &segment in &self.catalog.segments {
            let key = postings_key(segment, f, prefix);
            for item in self.archive.store().postings_with_prefix(&key) {
                let (key, _) = item?;
                if let Some((_, _, term)) = index::split_key(&key) {
                    terms.insert(term.to_owned());
                }
                if terms.len() >= MAX_PREFIX_TERMS {
                    break;
                }
            }
        }
        Ok(terms.into_iter().take(MAX_PREFIX_TERMS).collect())
    }

    /// The postings values of `term` in field `f`, with the index of their segment.
    fn values(&self, f: u8, term: &str) -> Result<Vec<(u32, Vec<u8>)>> {
        let mut out = Vec::new();
        for (i, &segment) in self.catalog.segments.iter().enumerate() {
            if let Some(value) = self
                .archive
                .store()
                .posting(&postings_key(segment, f, term))?
            {
                out.push((i as u32, value));
            }
        }
        Ok(out)
    }

    /// Each of `values` (of [`Searcher::values`]) decoded: its segment, its documents and
    /// frequencies (all of them, owned by that segment or not), and its positions part.
    fn decode_values<'v>(
        values: &'v [(u32, Vec<u8>)],
        term: &str,
    ) -> Result<Vec<(u32, DocList, &'v [u8])>> {
        let mut out = Vec::with_capacity(values.len());
        for (i, value) in values {
            let mut list = DocList::default();
            let positions =
                decode_docs(value, &mut list).map_err(|reason| corrupt(term, reason))?;
            out.push((*i, list, positions));
        }
        Ok(out)
    }

    /// The documents of `decoded` that their segment owns, ascending.
    fn owned(&self, decoded: &[(u32, DocList, &[u8])]) -> Vec<u64> {
        let mut out = Vec::new();
        for (i, list, _) in decoded {
            out.extend(
                list.docs
                    .iter()
                    .copied()
                    .filter(|&doc| self.catalog.owns(*i, doc)),
            );
        }
        if !out.is_sorted() {
            out.sort_unstable();
        }
        out
    }

    /// The postings (with positions) of `term` in field `f`, over every segment, ascending.
    pub fn postings(&self, f: u8, term: &str) -> Result<Vec<Posting>> {
        let mut out = Vec::new();
        for (i, value) in self.values(f, term)? {
            let list = decode_postings(&value).map_err(|reason| corrupt(term, reason))?;
            out.extend(list.into_iter().filter(|p| self.catalog.owns(i, p.doc)));
        }
        if !out.is_sorted_by_key(|p| p.doc) {
            out.sort_by_key(|p| p.doc);
        }
        Ok(out)
    }

    /// Documents holding `terms` at consecutive positions in field `f` (one term: holding it),
    /// scored by the BM25 sum of the terms.
    fn phrase(&self, f: u8, terms: &[String]) -> Result<Matches> {
        match terms {
            [] => Ok(Matches::new()),
            [term] => {
                // The frequencies first, in place of the scores: the number of documents is
                // the idf of every score.
                let mut out = Matches::new();
                for (i, value) in &self.values(f, term)? {
                    index::for_each_doc(value, |doc, freq| {
                        if self.catalog.owns(*i, doc) {
                            out.push((doc, f64::from(freq)));
                        }
                    })
                    .map_err(|reason| corrupt(term, reason))?;
                }
                if !out.is_sorted_by_key(|m| m.0) {
                    out.sort_unstable_by_key(|m| m.0);
                }
                let scorer = self.scorer(f, out.len());
                for (doc, score) in &mut out {
                    *score = scorer.score(*doc, *score as u32);
                }
                Ok(out)
            }
            _ => {
                // Narrow to the documents holding every word before reading any position.
                let mut candidates: Option<Vec<u64>> = None;
                let mut df = usize::MAX;
                // Each word's values are read and decoded once, for its documents and then its
                // positions.
                let mut fetched = Vec::with_capacity(terms.len());
                for term in terms {
                    fetched.push(self.values(f, term)?);
                }
                let mut decoded = Vec::with_capacity(terms.len());
                for (term, values) in terms.iter().zip(&fetched) {
                    decoded.push(Self::decode_values(values, term)?);
                }
                for list in &decoded {
                    let docs = self.owned(list);
                    df = df.min(docs.len());
                    candidates = Some(match candidates {
                        None => docs,
                        Some(c) => intersect_seqs(&c, &docs),
                    });
                    if candidates.as_ref().is_some_and(Vec::is_empty) {
                        return Ok(Matches::new());
                    }
                }
                let candidates = candidates.unwrap_or_default();
                let mut lists: Vec<Positions> = Vec::with_capacity(terms.len());
                for (term, lists_of_term) in terms.iter().zip(&decoded) {
                    lists.push(self.positions(lists_of_term, term, &candidates)?);
                }
                let scorer = self.scorer(f, df);
                let mut out = Matches::new();
                for (i, &doc) in candidates.iter().enumerate() {
                    let mut freq = 0u32;
                    for &start in lists[0].of(i) {
                        let consecutive = lists[1..].iter().enumerate().all(|(k, list)| {
                            list.of(i).binary_search(&(start + k as u32 + 1)).is_ok()
                        });
                        if consecutive {
                            freq += 1;
                        }
                    }
                    if freq > 0 {
                        out.push((doc, scorer.score(doc, freq)));
                    }
                }
                Ok(out)
            }
        }
    }

    /// The positions in each of `candidates` (ascending, all holding the term) from `decoded`
    /// (of [`Searcher::decode_values`]), decoded into one array, skipping the other documents.
    fn positions(
        &self,
        decoded: &[(u32, DocList, &[u8])],
        term: &str,
        candidates: &[u64],
    ) -> Result<Positions> {
        let mut flat: Vec<u32> = Vec::new();
        // Per document found: its number and its positions' range in `flat`.
        let mut found: Vec<(u64, usize, usize)> = Vec::with_capacity(candidates.len());
        for (i, list, rest) in decoded {
            let mut rest = *rest;
            // Documents ascend within a segment: walk the candidates alongside, and step over
            // the positions of the documents between them in one go.
            let mut c = 0usize;
            let mut skip = 0u64;
            for (&doc, &freq) in list.docs.iter().zip(&list.freqs) {
                while c < candidates.len() && candidates[c] < doc {
                    c += 1;
                }
                let wanted =
                    c < candidates.len() && candidates[c] == doc && self.catalog.owns(*i, doc);
                if !wanted {
                    skip += u64::from(freq);
                    continue;
                }
                index::skip_varints(&mut rest, std::mem::take(&mut skip))
                    .map_err(|reason| corrupt(term, reason))?;
                let start = flat.len();
                index::read_positions(&mut rest, freq, Some(&mut flat))
                    .map_err(|reason| corrupt(term, reason))?;
                found.push((doc, start, flat.len()));
            }
        }
        if !found.is_sorted_by_key(|(d, _, _)| *d) {
            found.sort_by_key(|(d, _, _)| *d);
        }
        let mut ranges = Vec::with_capacity(candidates.len());
        let mut j = 0;
        for &c in candidates {
            while j < found.len() && found[j].0 < c {
                j += 1;
            }
            ranges.push(match found.get(j) {
                Some(&(d, start, end)) if d == c => (start, end),
                _ => (0, 0),
            });
        }
        Ok(Positions { ranges, flat })
    }

    /// BM25 of one term (or phrase) in field `f`, with its document frequency `df`.
    fn scorer(&self, f: u8, df: usize) -> Scorer<'_> {
        let n = self.catalog.live as f64;
        let df = df as f64;
        Scorer {
            norms: &self.norms[usize::from(f)],
            title: f == TITLE,
            idf: (1.0 + (n - df + 0.5) / (df + 0.5)).ln(),
        }
    }

    /// Documents whose facet (site, author, …) has one of the query's values; `value*`
    /// matches as a prefix. Values are matched as written, lower-cased, not stemmed.
    fn facet(&self, facet: Facet, query: &Query) -> Result<Matches> {
        let store = self.archive.store();
        let mut seqs: Vec<u64> = Vec::new();
        for wanted in plain_terms(query) {
            match wanted.strip_suffix('*') {
                Some(prefix) => seqs.extend(self.facet_prefix(facet, prefix)?),
                None => seqs.extend(store.facet(&facet_key(facet, &wanted))?),
            }
        }
        Ok(self.live(seqs))
    }

    /// The documents of every value of `facet` starting with `prefix`, ascending.
    fn facet_prefix(&self, facet: Facet, prefix: &str) -> Result<Vec<u64>> {
        let mut seqs = Vec::new();
        for item in self
            .archive
            .store()
            .facets_with_prefix(&facet_key(facet, prefix))
        {
            let (_, value) = item?;
            seqs.extend(index::decode_seqs(&value).map_err(|reason| Error::Corrupt {
                what: "facet list".into(),
                reason,
            })?);
        }
        seqs.sort_unstable();
        seqs.dedup();
        Ok(seqs)
    }

    /// `seqs` sorted, without repeats or documents the index no longer holds, unscored.
    fn live(&self, mut seqs: Vec<u64>) -> Matches {
        seqs.sort_unstable();
        seqs.dedup();
        seqs.into_iter()
            .filter(|&s| self.catalog.is_live(s))
            .map(|s| (s, 0.0))
            .collect()
    }

    /// Documents with a quote holding the query's words (`quote:word`), its words in a row
    /// (`quote:"a phrase"`) or a word starting with a prefix (`quote:infla*`); OR and AND
    /// combine those. Quote terms are listed per document; a phrase is then checked in the
    /// quotes of the documents holding all its words.
    fn quote(&self, query: &Query) -> Result<Matches> {
        match query {
            Query::Or(parts) => {
                let mut result = Matches::new();
                for part in parts {
                    result = union(&result, &self.quote(part)?, |a, _| a);
                }
                Ok(result)
            }
            Query::And(parts) => {
                let mut result: Option<Matches> = None;
                for part in parts {
                    let m = self.quote(part)?;
                    result = Some(match result {
                        None => m,
                        Some(acc) => intersect(&acc, &m),
                    });
                }
                Ok(result.unwrap_or_default())
            }
            _ => {
                let Some(analysed) = query.analysed(&self.analyzer) else {
                    return Ok(Matches::new());
                };
                let Some((last, head)) = analysed.terms.split_last() else {
                    return Ok(Matches::new());
                };
                let store = self.archive.store();
                let mut candidates: Option<Vec<u64>> = None;
                for term in head {
                    let seqs = store.facet(&facet_key(Facet::Quote, term))?;
                    candidates = Some(match candidates {
                        None => seqs,
                        Some(c) => intersect_seqs(&c, &seqs),
                    });
                }
                let mut lasts = if analysed.prefix {
                    self.facet_prefix(Facet::Quote, last)?
                } else {
                    store.facet(&facet_key(Facet::Quote, last))?
                };
                if let Some(c) = candidates {
                    lasts = intersect_seqs(&c, &lasts);
                }
                let mut out = Matches::new();
                for seq in lasts {
                    if !self.catalog.is_live(seq) {
                        continue;
                    }
                    if analysed.terms.len() == 1 || self.quoted_in_a_row(seq, &analysed)? {
                        out.push((seq, 0.0));
                    }
                }
                Ok(out)
            }
        }
    }

    /// Whether one of document `seq`'s quotes holds `analysed`'s terms at consecutive
    /// positions (the last as a prefix, if it is one).
    fn quoted_in_a_row(&self, seq: u64, analysed: &crate::query::Analysed) -> Result<bool> {
        let Some((id, _)) = self.archive.store().docnum(seq)? else {
            return Ok(false);
        };
        let Some(doc) = self.archive.find(&id)? else {
            return Ok(false);
        };
        let language = doc.fields.get("language").and_then(|l| l.as_str());
        let analyzer = Analyzer::for_language(language);
        let Some((last, head)) = analysed.terms.split_last() else {
            return Ok(false);
        };
        let quotes = doc.fields.get("quotes").and_then(|q| q.as_array());
        for text in quotes
            .into_iter()
            .flatten()
            .filter_map(|q| q.get("text")?.as_str())
        {
            let mut terms = Vec::new();
            analyzer.analyze(text, |term, position| {
                terms.push((term.to_owned(), position))
            });
            let found = terms.windows(analysed.terms.len()).any(|w| {
                w.windows(2).all(|p| p[1].1 == p[0].1 + 1)
                    && w.iter().zip(head).all(|((t, _), h)| t == h)
                    && w.last().is_some_and(|(t, _)| {
                        if analysed.prefix {
                            t.starts_with(last.as_str())
                        } else {
                            t == last
                        }
                    })
            });
            if found {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Documents whose id starts with one of the query's hex prefixes.
    fn ids(&self, query: &Query) -> Result<Matches> {
        let mut seqs = Vec::new();
        for wanted in plain_terms(query) {
            let wanted = wanted.trim_end_matches('*');
            // An id is lower-case hex: anything else names no document (and slicing it by
            // bytes below could cut a character in two).
            if !wanted.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue;
            }
            let wanted = wanted.to_ascii_lowercase();
            let wanted = wanted.as_str();
            let whole = &wanted[..wanted.len() - wanted.len() % 2];
            let Ok(bytes) = hex::decode(whole) else {
                continue;
            };
            for id in self.archive.store().ids_with_prefix(&bytes)? {
                if id.to_hex().starts_with(wanted)
                    && let Some(doc) = self.archive.find(&id)?
                {
                    seqs.push(doc.seq);
                }
            }
        }
        Ok(self.live(seqs))
    }
}

/// The `wanted` best of `matches`, best first (ties in import order). A match is compared
/// with the worst of those kept so far, so most of a long list costs one comparison.
fn best(matches: Matches, wanted: usize) -> Matches {
    let rank = |a: &(u64, f64), b: &(u64, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    let mut kept = if wanted == 0 {
        Matches::new()
    } else if matches.len() <= wanted.saturating_mul(2) {
        matches
    } else {
        let mut kept = Matches::with_capacity(wanted * 2);
        let mut worst: Option<(u64, f64)> = None;
        for m in matches {
            if worst.is_some_and(|w| rank(&m, &w) != std::cmp::Ordering::Less) {
                continue;
            }
            kept.push(m);
            if kept.len() == wanted * 2 {
                kept.select_nth_unstable_by(wanted - 1, rank);
                kept.truncate(wanted);
                worst = kept.iter().copied().max_by(rank);
            }
        }
        kept
    };
    if kept.len() > wanted && wanted > 0 {
        kept.select_nth_unstable_by(wanted - 1, rank);
    }
    kept.truncate(wanted);
    kept.sort_unstable_by(rank);
    kept
}

/// Scores by sequence number, dense, for merging many lists: which sequence numbers are set
/// (a bit each) and their scores. Emptied by [`Scratch::take`].
#[derive(Default)]
struct Scratch {
    bits: Vec<u64>,
    scores: Vec<f64>,
    set: usize,
}

impl Scratch {
    /// Adds `matches`, keeping each document's higher score.
    fn keep_best(&mut self, matches: &Matches) {
        for &(seq, score) in matches {
            let seq = seq as usize;
            if seq >= self.scores.len() {
                self.scores.resize(seq + 1, 0.0);
                self.bits.resize(seq / 64 + 1, 0);
            }
            let (word, bit) = (seq / 64, 1u64 << (seq % 64));
            if self.bits[word] & bit == 0 {
                self.bits[word] |= bit;
                self.scores[seq] = score;
                self.set += 1;
            } else if score > self.scores[seq] {
                self.scores[seq] = score;
            }
        }
    }

    /// The documents added since the last call, ascending, leaving the scratch empty.
    fn take(&mut self) -> Matches {
        let mut out = Matches::with_capacity(self.set);
        for (w, word) in self.bits.iter_mut().enumerate() {
            let mut bits = std::mem::take(word);
            while bits != 0 {
                let seq = w * 64 + bits.trailing_zeros() as usize;
                out.push((seq as u64, self.scores[seq]));
                bits &= bits - 1;
            }
        }
        self.set = 0;
        out
    }
}

/// Positions of one term in each candidate document, flattened.
struct Positions {
    ranges: Vec<(usize, usize)>,
    flat: Vec<u32>,
}

impl Positions {
    fn of(&self, i: usize) -> &[u32] {
        let (start, end) = self.ranges[i];
        &self.flat[start..end]
    }
}

/// BM25 with the parts that depend only on the term worked out once.
struct Scorer<'a> {
    norms: &'a [f64],
    title: bool,
    idf: f64,
}

impl Scorer<'_> {
    #[inline]
    fn score(&self, seq: u64, freq: u32) -> f64 {
        // A document without a row has length 0.
        let norm = self
            .norms
            .get(seq as usize)
            .copied()
            .unwrap_or(K1 * (1.0 - B));
        let tf = f64::from(freq);
        let score = self.idf * tf * (K1 + 1.0) / (tf + norm);
        if self.title {
            score * TITLE_WEIGHT
        } else {
            score
        }
    }
}

/// Rewrites `store` into `target`, a fresh store: documents as they are, the index segments
/// merged into one (a value per term), removed documents dropped from the index.
pub(crate) fn compact_into(store: &Store, target: &mut Store) -> Result<()> {
    let catalog = if store.has_index()? {
        Some(Catalog::load(store)?)
    } else {
        None
    };
    let live = |seq: u64| catalog.as_ref().is_some_and(|c| c.is_live(seq));
    store.copy_into(
        target,
        |tree, key, value| match tree {
            "meta" => Ok((key != crate::store::DELETED_KEY).then(|| value.to_vec())),
            "docnums" => {
                let seq = <[u8; 8]>::try_from(key).map(u64::from_be_bytes);
                Ok(seq.is_ok_and(live).then(|| value.to_vec()))
            }
            "facets" => {
                let payload = codec::unframe(value, &|| "facet list".into())?;
                let mut seqs = index::decode_seqs(payload).map_err(|reason| Error::Corrupt {
                    what: "facet list".into(),
                    reason,
                })?;
                seqs.retain(|&s| live(s));
                Ok((!seqs.is_empty()).then(|| codec::frame(&index::encode_seqs(&seqs))))
            }
            _ => Ok(None),
        },
        &["meta", "docs", "raw", "docnums", "facets"],
    )?;
    let Some(catalog) = catalog else {
        return target.flush();
    };
    let Some(id) = catalog.all().next() else {
        return target.flush();
    };
    // Walk every segment's keys in step (each is sorted by field and term) and merge the
    // values of each term.
    let mut iters: Vec<_> = catalog
        .segments
        .iter()
        .map(|s| store.postings_with_prefix(&s.to_be_bytes()))
        .collect();
    let mut heads: Vec<Option<(Vec<u8>, Vec<u8>)>> = Vec::with_capacity(iters.len());
    for it in &mut iters {
        heads.push(next_entry(it)?);
    }
    let mut out: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let mut out_bytes = 0usize;
    while let Some(min) = heads.iter().flatten().map(|(k, _)| k).min().cloned() {
        let mut merged: Vec<Posting> = Vec::new();
        for (i, head) in heads.iter_mut().enumerate() {
            if head.as_ref().is_some_and(|(k, _)| *k == min) {
                if let Some((_, value)) = head.take() {
                    let list = decode_postings(&value).map_err(|reason| Error::Corrupt {
                        what: "postings value".into(),
                        reason,
                    })?;
                    merged.extend(list.into_iter().filter(|p| catalog.owns(i as u32, p.doc)));
                }
                *head = next_entry(&mut iters[i])?;
            }
        }
        if merged.is_empty() {
            continue;
        }
        if !merged.is_sorted_by_key(|p| p.doc) {
            merged.sort_by_key(|p| p.doc);
        }
        let mut key = id.to_be_bytes().to_vec();
        key.extend_from_slice(&min);
        let value = encode_postings(&merged);
        out_bytes += key.len() + value.len();
        out.push((key, value));
        if out_bytes >= 32 << 20 {
            target.put_index("postings", std::mem::take(&mut out))?;
            out_bytes = 0;
        }
    }
    target.put_index("postings", out)?;
    let rows: Vec<DocRow> = catalog
        .all()
        .map(|seq| catalog.rows[seq as usize])
        .collect();
    target.put_index(
        "doctable",
        vec![(id.to_be_bytes().to_vec(), encode_table(&rows))],
    )?;
    target.flush()
}

/// The next postings entry of a segment, its key without the segment number.
fn next_entry(it: &mut crate::store::PrefixIter<'_>) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
    match it.next() {
        Some(item) => {
            let (key, value) = item?;
            Ok(Some((key.get(8..).unwrap_or_default().to_vec(), value)))
        }
        None => Ok(None),
    }
}

fn corrupt(term: &str, reason: String) -> Error {
    Error::Corrupt {
        what: format!("postings of {term:?}"),
        reason,
    }
}

/// Documents in both, scores added.
fn intersect(a: &Matches, b: &Matches) -> Matches {
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push((a[i].0, a[i].1 + b[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    out
}

fn intersect_seqs(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// Documents in either; a document in both gets `combine` of its scores. Walks the shorter
/// list and copies the runs of the longer one between its documents whole, so a short list
/// merged into a long one costs little more than the copy.
fn union(a: &Matches, b: &Matches, combine: impl Fn(f64, f64) -> f64) -> Matches {
    if a.is_empty() {
        return b.clone();
    }
    if b.is_empty() {
        return a.clone();
    }
    // `short` documents' scores come first in `combine`'s arguments when `short` is `a`.
    let (short, long, short_first) = if a.len() <= b.len() {
        (a, b, true)
    } else {
        (b, a, false)
    };
    let mut out = Vec::with_capacity(a.len() + b.len());
    let mut rest = long.as_slice();
    for &(doc, score) in short {
        let before = gallop(rest, doc);
        out.extend_from_slice(&rest[..before]);
        rest = &rest[before..];
        match rest.first() {
            Some(&(other, other_score)) if other == doc => {
                out.push(if short_first {
                    (doc, combine(score, other_score))
                } else {
                    (doc, combine(other_score, score))
                });
                rest = &rest[1..];
            }
            _ => out.push((doc, score)),
        }
    }
    out.extend_from_slice(rest);
    out
}

/// How many of `sorted`'s first documents are below `doc`: an exponential search from the
/// front, so a near answer costs a few steps.
fn gallop(sorted: &[(u64, f64)], doc: u64) -> usize {
    let mut hi = 1;
    while hi <= sorted.len() && sorted[hi - 1].0 < doc {
        hi *= 2;
    }
    let lo = hi / 2;
    let hi = hi.min(sorted.len() + 1);
    // sorted[..lo] are all below `doc`; the answer lies in lo..hi.
    lo + sorted[lo..hi - 1].partition_point(|m| m.0 < doc)
}

/// Documents of `a` not in `b`.
fn difference(mut a: Matches, b: &Matches) -> Matches {
    let mut j = 0;
    a.retain(|&(seq, _)| {
        while j < b.len() && b[j].0 < seq {
            j += 1;
        }
        !(j < b.len() && b[j].0 == seq)
    });
    a
}

/// The lower-cased words of a filter value, unstemmed (sites, tags and names are matched
/// as written, not as English words).
fn plain_terms(query: &Query) -> Vec<String> {
    match query {
        Query::Term(s) | Query::Phrase(s) => vec![s.to_lowercase()],
        Query::Prefix(s) => vec![format!("{}*", s.to_lowercase())],
        Query::Or(parts) => parts.iter().flat_map(plain_terms).collect(),
        _ => Vec::new(),
    }
}

fn collect_terms(query: &Query, analyzer: &Analyzer, out: &mut Vec<(String, bool)>) {
    match query {
        Query::Term(_) | Query::Phrase(_) | Query::Prefix(_) => {
            if let Some(a) = query.analysed(analyzer) {
                let last = a.terms.len().saturating_sub(1);
                out.extend(
                    a.terms
                        .into_iter()
                        .enumerate()
                        .map(|(i, t)| (t, a.prefix && i == last)),
                );
            }
        }
        Query::Field {
            field: Field::Title | Field::Body,
            query,
        } => collect_terms(query, analyzer, out),
        Query::And(parts) | Query::Or(parts) => {
            for p in parts {
                collect_terms(p, analyzer, out);
            }
        }
        _ => {}
    }
}

fn range_matches(row: &DocRow, range: &Range) -> bool {
    match range {
        Range::Words(bounds) => row.words > 0 && bounds.contains(&u64::from(row.words - 1)),
        Range::Imported(bounds) => row.imported > 0 && date_in(row.imported, bounds),
        Range::Published(bounds) => row.published > 0 && date_in(row.published, bounds),
    }
}

/// Whether a `YYYYMMDD` number falls within date bounds.
fn date_in(number: u32, bounds: &Bounds<Date>) -> bool {
    let date = Date::new(
        (number / 10_000) as u16,
        (number / 100 % 100) as u8,
        (number % 100) as u8,
    );
    date.is_some_and(|d| bounds.contains(&d))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sorted, distinct documents with scores, from a simple generator.
    fn matches(seed: u64, len: usize, spread: u64) -> Matches {
        let mut state = seed;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        let mut out: Matches = (0..len)
            .map(|_| (next() % spread, (next() % 16) as f64 / 4.0))
            .collect();
        out.sort_by_key(|m| m.0);
        out.dedup_by_key(|m| m.0);
        out
    }

    #[test]
    fn best_equals_a_full_sort_cut_short() {
        for seed in 0..40 {
            // Few distinct scores, so ties are decided by the sequence number.
            let all = matches(seed, (seed as usize) * 97, 5_000);
            let mut sorted = all.clone();
            sorted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for wanted in [0, 1, 3, 10, 50, all.len(), all.len() + 5] {
                let expected: Matches = sorted.iter().copied().take(wanted).collect();
                assert_eq!(best(all.clone(), wanted), expected, "seed {seed}, {wanted}");
            }
        }
    }

    #[test]
    fn union_equals_a_merge_of_both() {
        for seed in 0..40 {
            let a = matches(seed, (seed as usize % 7) * 60, 2_000);
            let b = matches(seed + 100, (seed as usize % 5) * 300, 2_000);
            let mut expected: std::collections::BTreeMap<u64, f64> = a.iter().copied().collect();
            for &(doc, score) in &b {
                expected
                    .entry(doc)
                    .and_modify(|s| *s = *s * 10.0 + score)
                    .or_insert(score);
            }
            let expected: Matches = expected.into_iter().collect();
            // `combine` is not symmetric: a document in both gets (a's, b's).
            assert_eq!(union(&a, &b, |x, y| x * 10.0 + y), expected, "seed {seed}");
        }
    }

    #[test]
    fn gallop_finds_the_first_document_not_below() {
        let sorted = matches(7, 500, 3_000);
        for doc in 0..3_100 {
            assert_eq!(gallop(&sorted, doc), sorted.partition_point(|m| m.0 < doc));
        }
        assert_eq!(gallop(&[], 5), 0);
    }

    #[test]
    fn scratch_keeps_each_documents_best_score_and_empties() {
        let mut scratch = Scratch::default();
        let lists: Vec<Matches> = (0..6).map(|s| matches(s, 400, 10_000)).collect();
        let mut expected: std::collections::BTreeMap<u64, f64> = Default::default();
        for list in &lists {
            scratch.keep_best(list);
            for &(doc, score) in list {
                let best = expected.entry(doc).or_insert(score);
                *best = best.max(score);
            }
        }
        assert_eq!(scratch.take(), expected.into_iter().collect::<Matches>());
        assert_eq!(scratch.take(), Matches::new());
        scratch.keep_best(&vec![(3, 1.0)]);
        assert_eq!(scratch.take(), vec![(3, 1.0)]);
    }
}
