//! Running a parsed query against the full-text index: term, phrase and prefix lookups in the
//! title and body postings, boolean combination, the filters that read the stored records
//! (site, author, tag, language, id, dateline, ranges), and BM25 ranking with the title
//! weighted above the body.

use std::collections::{BTreeMap, HashMap};

use crate::analysis::Analyzer;
use crate::archive::{Archive, StoredDoc};
use crate::error::{Error, Result};
use crate::index::{BODY, DocInfo, Posting, TITLE};
use crate::model::DocId;
use crate::query::{Date, Field, Query, Range};

/// BM25 term-frequency saturation.
const K1: f64 = 1.2;
/// BM25 length normalisation.
const B: f64 = 0.75;
/// A title match counts this many times a body match.
const TITLE_WEIGHT: f64 = 2.0;
/// Most terms one `prefix*` expands to.
const MAX_PREFIX_TERMS: usize = 10_000;

/// One matching document.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The document's id.
    pub id: DocId,
    /// Its import sequence number.
    pub seq: u64,
    /// BM25 relevance (0 for documents matched by filters alone).
    pub score: f64,
}

/// Scores by document sequence number.
type Matches = BTreeMap<u64, f64>;

/// A query run against one archive.
pub struct Searcher<'a> {
    archive: &'a Archive,
    analyzer: Analyzer,
    docs: HashMap<u64, DocInfo>,
    avg_len: [f64; 2],
    records: Option<Vec<StoredDoc>>,
}

impl<'a> Searcher<'a> {
    /// Loads the index's document table. Refuses an index that does not cover every document:
    /// a query must not silently miss what was imported since the last `reindex`.
    pub fn new(archive: &'a Archive) -> Result<Searcher<'a>> {
        let docs: HashMap<u64, DocInfo> = archive.doc_infos()?.into_iter().collect();
        if docs.len() as u64 != archive.len() {
            return Err(Error::IndexStale {
                indexed: docs.len() as u64,
                documents: archive.len(),
            });
        }
        let n = docs.len().max(1) as f64;
        let avg_len = [
            docs.values().map(|d| f64::from(d.title_len)).sum::<f64>() / n,
            docs.values().map(|d| f64::from(d.body_len)).sum::<f64>() / n,
        ];
        Ok(Searcher {
            archive,
            analyzer: Analyzer::english(),
            docs,
            avg_len,
            records: None,
        })
    }

    /// Every matching document, best first (ties in import order).
    pub fn search(&mut self, query: &Query) -> Result<Vec<Hit>> {
        let matches = self.eval(query, None)?;
        let mut hits: Vec<Hit> = matches
            .into_iter()
            .filter_map(|(seq, score)| {
                self.docs.get(&seq).map(|info| Hit {
                    id: info.id,
                    seq,
                    score,
                })
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.seq.cmp(&b.seq)));
        Ok(hits)
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
                Field::Site
                | Field::Author
                | Field::Dateline
                | Field::Tag
                | Field::Lang
                | Field::Id => {
                    let wanted = self.plain_terms(query);
                    let field = *field;
                    self.filter(|doc| record_matches(doc, field, &wanted))
                }
                other => Err(Error::QueryUnsupported(format!(
                    "{}: needs the entity and quote extractors, which this morgue does not have yet",
                    other.name()
                ))),
            },
            Query::Range(range) => {
                let range = *range;
                self.filter(|doc| range_matches(doc, &range))
            }
            Query::Not(inner) => {
                let excluded = self.eval(inner, field)?;
                Ok(self
                    .docs
                    .keys()
                    .filter(|seq| !excluded.contains_key(seq))
                    .map(|&seq| (seq, 0.0))
                    .collect())
            }
            Query::And(parts) => {
                let (negative, positive): (Vec<&Query>, Vec<&Query>) =
                    parts.iter().partition(|p| matches!(p, Query::Not(_)));
                let mut result: Option<Matches> = None;
                for part in positive {
                    let m = self.eval(part, field)?;
                    result = Some(match result {
                        None => m,
                        Some(acc) => acc
                            .into_iter()
                            .filter_map(|(seq, s)| m.get(&seq).map(|t| (seq, s + t)))
                            .collect(),
                    });
                }
                let mut result = match result {
                    Some(r) => r,
                    None => self.docs.keys().map(|&seq| (seq, 0.0)).collect(),
                };
                for part in negative {
                    if let Query::Not(inner) = part {
                        let excluded = self.eval(inner, field)?;
                        result.retain(|seq, _| !excluded.contains_key(seq));
                    }
                }
                Ok(result)
            }
            Query::Or(parts) => {
                let mut result = Matches::new();
                for part in parts {
                    for (seq, score) in self.eval(part, field)? {
                        *result.entry(seq).or_default() += score;
                    }
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
                let mut m = Matches::new();
                for term in self.archive.terms_with_prefix(f, last, MAX_PREFIX_TERMS)? {
                    let mut words: Vec<String> = head.to_vec();
                    words.push(term);
                    for (seq, s) in self.phrase(f, &words)? {
                        let e = m.entry(seq).or_default();
                        *e = e.max(s);
                    }
                }
                m
            } else {
                self.phrase(f, &analysed.terms)?
            };
            for (seq, score) in found {
                *result.entry(seq).or_default() += score;
            }
        }
        Ok(result)
    }

    /// Documents holding `terms` at consecutive positions in field `f` (one term: holding it),
    /// scored by the BM25 sum of the terms.
    fn phrase(&self, f: u8, terms: &[String]) -> Result<Matches> {
        let mut lists: Vec<Vec<Posting>> = Vec::with_capacity(terms.len());
        for term in terms {
            let postings = self.archive.postings(f, term)?;
            if postings.is_empty() {
                return Ok(Matches::new());
            }
            lists.push(postings);
        }
        let Some((first, rest)) = lists.split_first() else {
            return Ok(Matches::new());
        };
        let rest: Vec<HashMap<u64, &Posting>> = rest
            .iter()
            .map(|list| list.iter().map(|p| (p.doc, p)).collect())
            .collect();
        let mut out = Matches::new();
        for p in first {
            if !self.docs.contains_key(&p.doc) {
                continue; // removed since it was indexed
            }
            let others: Option<Vec<&Posting>> =
                rest.iter().map(|m| m.get(&p.doc).copied()).collect();
            let Some(others) = others else { continue };
            let mut freq = 0usize;
            for &start in &p.positions {
                let consecutive = others
                    .iter()
                    .enumerate()
                    .all(|(i, o)| o.positions.binary_search(&(start + i as u32 + 1)).is_ok());
                if consecutive {
                    freq += 1;
                }
            }
            if freq == 0 {
                continue;
            }
            let df = lists.iter().map(Vec::len).min().unwrap_or(1);
            out.insert(p.doc, self.bm25(f, p.doc, freq, df));
        }
        Ok(out)
    }

    fn bm25(&self, f: u8, seq: u64, freq: usize, df: usize) -> f64 {
        let n = self.docs.len() as f64;
        let df = df as f64;
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        let len = self.docs.get(&seq).map_or(0.0, |d| {
            f64::from(if f == TITLE { d.title_len } else { d.body_len })
        });
        let avg = self.avg_len[usize::from(f)].max(1.0);
        let tf = freq as f64;
        let score = idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg));
        if f == TITLE {
            score * TITLE_WEIGHT
        } else {
            score
        }
    }

    /// The lower-cased words of a filter value, unstemmed (sites, tags and names are matched
    /// as written, not as English words).
    fn plain_terms(&self, query: &Query) -> Vec<String> {
        match query {
            Query::Term(s) | Query::Phrase(s) => vec![s.to_lowercase()],
            Query::Prefix(s) => vec![format!("{}*", s.to_lowercase())],
            Query::Or(parts) => parts.iter().flat_map(|p| self.plain_terms(p)).collect(),
            _ => Vec::new(),
        }
    }

    /// Documents whose stored record satisfies `pred`; the records are read once per query.
    fn filter(&mut self, pred: impl Fn(&StoredDoc) -> bool) -> Result<Matches> {
        if self.records.is_none() {
            self.records = Some(self.archive.documents()?);
        }
        Ok(self
            .records
            .iter()
            .flatten()
            .filter(|d| pred(d))
            .map(|d| (d.seq, 0.0))
            .collect())
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

/// Whether any wanted value matches the record's field (`value*` matches as a prefix).
fn record_matches(doc: &StoredDoc, field: Field, wanted: &[String]) -> bool {
    let values: Vec<String> = match field {
        Field::Site => str_field(doc, "site").into_iter().collect(),
        Field::Lang => str_field(doc, "language").into_iter().collect(),
        Field::Tag => doc.source.tags.clone(),
        Field::Id => vec![doc.id.to_hex()],
        Field::Author => {
            let mut v: Vec<String> = doc
                .fields
                .get("authors")
                .and_then(|a| a.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            v.extend(str_field(doc, "byline"));
            v
        }
        Field::Dateline => doc
            .fields
            .get("dateline")
            .and_then(|d| d.get("place"))
            .and_then(|p| p.as_str())
            .map(str::to_owned)
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    values.iter().any(|value| {
        let value = value.to_lowercase();
        wanted.iter().any(|w| match w.strip_suffix('*') {
            Some(prefix) => value.starts_with(prefix),
            None if field == Field::Id => value.starts_with(w.as_str()),
            None if field == Field::Author => {
                value.split_whitespace().any(|part| part == w) || value == *w
            }
            None => value == *w,
        })
    })
}

fn str_field(doc: &StoredDoc, name: &str) -> Option<String> {
    doc.fields
        .get(name)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

fn range_matches(doc: &StoredDoc, range: &Range) -> bool {
    match range {
        Range::Words(bounds) => doc
            .fields
            .get("word_count")
            .and_then(|v| v.as_u64())
            .is_some_and(|w| bounds.contains(&w)),
        Range::Imported(bounds) => {
            date_of(&doc.source.imported_at).is_some_and(|d| bounds.contains(&d))
        }
        Range::Published(bounds) => str_field(doc, "published")
            .and_then(|p| date_of(&p))
            .is_some_and(|d| bounds.contains(&d)),
    }
}

/// The calendar date at the start of an RFC 3339 or `YYYY-MM-DD` string.
fn date_of(s: &str) -> Option<Date> {
    let year = s.get(0..4)?.parse().ok()?;
    let month = s.get(5..7)?.parse().ok()?;
    let day = s.get(8..10)?.parse().ok()?;
    Date::new(year, month, day)
}
