//! Scoring an extractor's `body` against an article-extraction benchmark: a folder of saved
//! pages (`html/<id>.html`) and the true article text of each (`ground-truth.json`), measured
//! the way the Zyte/Scrapinghub article-extraction-benchmark's `evaluate.py` measures it, so
//! figures can be set beside the ones published for other extractors.
//!
//! The metric, per page: the texts are cut into tokens (runs of word characters, as Python's
//! `\w+`), the tokens into overlapping shingles of four, and the two bags of shingles compared:
//! true positives are shingles in both, false positives predicted ones the truth lacks, false
//! negatives true ones the prediction lacks, the three scaled to sum 1. Precision and recall are
//! averaged over pages (a page with nothing predicted is left out of precision), and F1 is
//! taken of the two averages. Accuracy is the share of pages whose tokens equal the truth's.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rustc_hash::FxHashMap;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::extract::{ExtractInput, Extractor, Manifest};
use crate::model::{DocId, Fields};
use crate::text::{self, TEXT_HTML};

/// The ground truth file inside a benchmark folder.
pub const GROUND_TRUTH: &str = "ground-truth.json";
/// The folder of saved pages inside a benchmark folder.
pub const HTML_DIR: &str = "html";
/// The field an extractor's prediction is read from.
pub const BODY: &str = "body";
/// Tokens in a shingle, as in `evaluate.py`.
const SHINGLE: usize = 4;

/// Whether `c` is a word character of Python's `\w` on `str` patterns: what `str.isalnum()`
/// accepts, and `_`. Rust's `is_alphanumeric` also takes combining marks that carry letters'
/// sounds (Devanagari vowel signs) and circled letters; Python does not, so neither does this.
/// Compared with Python 3.11 over every code point, the two differ only on characters that
/// Python's older Unicode tables leave unassigned.
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    c.is_alphanumeric()
        && !unicode_normalization::char::is_combining_mark(c)
        && !matches!(c, '\u{24B6}'..='\u{24E9}' | '\u{1F130}'..='\u{1F149}' | '\u{1F150}'..='\u{1F169}' | '\u{1F170}'..='\u{1F189}')
}

/// The byte ranges of the tokens of `text`: maximal runs of [`is_word_char`].
pub fn token_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
}

/// The tokens of `text`, as Python's `re.findall(r'\w+', text)` gives them (case kept).
pub fn tokens(text: &str) -> Vec<&str> {
    token_spans(text)
        .into_iter()
        .map(|(s, e)| &text[s..e])
        .collect()
}

/// The shingles of a token list: every window of four tokens, in order; a list of one to three
/// tokens is one shingle of them all, and no tokens give no shingle.
fn shingles<'t, 'a>(tokens: &'t [&'a str]) -> impl Iterator<Item = &'t [&'a str]> {
    let windows = if tokens.is_empty() {
        0
    } else {
        tokens.len().saturating_sub(SHINGLE - 1).max(1)
    };
    (0..windows).map(move |i| &tokens[i..(i + SHINGLE).min(tokens.len())])
}

/// How many times each shingle occurs.
fn bag<'t, 'a>(tokens: &'t [&'a str]) -> FxHashMap<&'t [&'a str], u64> {
    let mut bag = FxHashMap::default();
    for shingle in shingles(tokens) {
        *bag.entry(shingle).or_insert(0) += 1;
    }
    bag
}

/// True positives, false positives and false negatives of one page, scaled to sum 1 (all zero
/// when neither text has a token).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Counts {
    /// Shingles in both texts.
    pub tp: f64,
    /// Predicted shingles beyond the truth's.
    pub fp: f64,
    /// True shingles the prediction lacks.
    pub fn_: f64,
}

impl Counts {
    /// Compares the shingles of two token lists.
    pub fn of(truth: &[&str], prediction: &[&str]) -> Counts {
        let truth = bag(truth);
        let prediction = bag(prediction);
        let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
        for (shingle, &t) in &truth {
            let p = prediction.get(shingle).copied().unwrap_or(0);
            tp += t.min(p);
            fn_ += t.saturating_sub(p);
        }
        for (shingle, &p) in &prediction {
            let t = truth.get(shingle).copied().unwrap_or(0);
            fp += p.saturating_sub(t);
        }
        let (tp, fp, fn_) = (tp as f64, fp as f64, fn_ as f64);
        let sum = tp + fp + fn_;
        if sum > 0.0 {
            Counts {
                tp: tp / sum,
                fp: fp / sum,
                fn_: fn_ / sum,
            }
        } else {
            Counts { tp, fp, fn_ }
        }
    }

    /// Whether the page counts towards the mean precision: something was predicted.
    pub fn has_prediction(&self) -> bool {
        self.tp + self.fp > 0.0
    }

    /// Whether the page counts towards the mean recall: the truth has a token.
    pub fn has_truth(&self) -> bool {
        self.tp + self.fn_ > 0.0
    }

    /// The page's precision, `evaluate.py`'s `precision_score`.
    pub fn precision(&self) -> f64 {
        if self.fp == 0.0 && self.fn_ == 0.0 {
            1.0
        } else if self.tp == 0.0 && self.fp == 0.0 {
            0.0
        } else {
            self.tp / (self.tp + self.fp)
        }
    }

    /// The page's recall, `evaluate.py`'s `recall_score`.
    pub fn recall(&self) -> f64 {
        if self.fp == 0.0 && self.fn_ == 0.0 {
            1.0
        } else if self.tp == 0.0 && self.fn_ == 0.0 {
            0.0
        } else {
            self.tp / (self.tp + self.fn_)
        }
    }

    /// The page's own F1 (0 when precision and recall are both 0), used to rank pages; the
    /// benchmark's F1 is not a mean of these.
    pub fn f1(&self) -> f64 {
        f1(self.precision(), self.recall())
    }
}

fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    }
}

/// One page scored.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PageScore {
    /// The shingle counts.
    pub counts: Counts,
    /// Whether the prediction's tokens are exactly the truth's.
    pub exact: bool,
}

/// Scores a predicted body against the true one.
pub fn score(truth: &str, prediction: &str) -> PageScore {
    let truth = tokens(truth);
    let prediction = tokens(prediction);
    PageScore {
        counts: Counts::of(&truth, &prediction),
        exact: truth == prediction,
    }
}

/// The benchmark's figures over a set of pages, fractions in 0..=1.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Scores {
    /// Pages scored.
    pub pages: usize,
    /// Mean precision over the pages with a prediction (0 when none has one, where
    /// `evaluate.py` would stop with an error).
    pub precision: f64,
    /// Mean recall over the pages whose truth has a token (0 when none has).
    pub recall: f64,
    /// 2PR / (P + R) of the two means (0 when both are 0).
    pub f1: f64,
    /// Share of pages whose predicted tokens equal the truth's exactly.
    pub accuracy: f64,
}

impl Scores {
    /// Summarises page scores.
    pub fn of(pages: &[PageScore]) -> Scores {
        fn mean(values: impl Iterator<Item = f64>) -> f64 {
            let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
            if n == 0 { 0.0 } else { sum / n as f64 }
        }
        let precision = mean(
            pages
                .iter()
                .filter(|p| p.counts.has_prediction())
                .map(|p| p.counts.precision()),
        );
        let recall = mean(
            pages
                .iter()
                .filter(|p| p.counts.has_truth())
                .map(|p| p.counts.recall()),
        );
        Scores {
            pages: pages.len(),
            precision,
            recall,
            f1: f1(precision, recall),
            accuracy: mean(pages.iter().map(|p| if p.exact { 1.0 } else { 0.0 })),
        }
    }
}

/// A run of consecutive tokens one text has and the other lacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// Index of its first token.
    pub start: usize,
    /// How many tokens it holds.
    pub tokens: usize,
    /// The text from its first token to its last, white space collapsed to single spaces.
    pub text: String,
}

/// What one text has that the other lacks, as runs of tokens.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Gaps {
    /// Tokens in all the runs.
    pub tokens: usize,
    /// How many runs there are.
    pub runs: usize,
    /// The longest runs, longest first (ties in text order), as many as were asked for.
    pub longest: Vec<Gap>,
}

/// Where a prediction departs from the truth: what it missed and what it added.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Runs of true tokens that no matched shingle covers.
    pub missed: Gaps,
    /// Runs of predicted tokens that no matched shingle covers.
    pub extra: Gaps,
}

/// Compares a prediction with the truth in the metric's own terms: a token counts as found
/// when a shingle holding it is matched (each shingle of one text matched at most as many times
/// as the other text has it, earliest first), and the tokens left over form the runs. Keeps the
/// `keep` longest runs of each side.
pub fn diff(truth: &str, prediction: &str, keep: usize) -> Diff {
    let truth_spans = token_spans(truth);
    let prediction_spans = token_spans(prediction);
    let truth_tokens: Vec<&str> = truth_spans.iter().map(|&(s, e)| &truth[s..e]).collect();
    let predicted_tokens: Vec<&str> = prediction_spans
        .iter()
        .map(|&(s, e)| &prediction[s..e])
        .collect();
    let missed = uncovered(&truth_tokens, &predicted_tokens);
    let extra = uncovered(&predicted_tokens, &truth_tokens);
    Diff {
        missed: gaps(truth, &truth_spans, &missed, keep),
        extra: gaps(prediction, &prediction_spans, &extra, keep),
    }
}

/// For each token of `these`, whether no matched shingle covers it.
fn uncovered(these: &[&str], others: &[&str]) -> Vec<bool> {
    let mut budget = bag(others);
    let mut left = vec![true; these.len()];
    for (i, shingle) in shingles(these).enumerate() {
        if let Some(n) = budget.get_mut(shingle)
            && *n > 0
        {
            *n -= 1;
            for flag in &mut left[i..i + shingle.len()] {
                *flag = false;
            }
        }
    }
    left
}

fn gaps(text: &str, spans: &[(usize, usize)], left: &[bool], keep: usize) -> Gaps {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < left.len() {
        if left[i] {
            let start = i;
            while i < left.len() && left[i] {
                i += 1;
            }
            runs.push((start, i - start));
        } else {
            i += 1;
        }
    }
    let tokens = runs.iter().map(|&(_, n)| n).sum();
    let count = runs.len();
    runs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    runs.truncate(keep);
    let longest = runs
        .into_iter()
        .map(|(start, n)| {
            let from = spans[start].0;
            let to = spans[start + n - 1].1;
            Gap {
                start,
                tokens: n,
                text: text[from..to]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            }
        })
        .collect();
    Gaps {
        tokens,
        runs: count,
        longest,
    }
}

/// One page of a benchmark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// The page's id: its HTML file is `html/<id>.html`.
    pub id: String,
    /// The URL it was saved from, when the ground truth gives it.
    pub url: Option<String>,
    /// The true article text.
    pub truth: String,
    /// Its HTML file.
    pub path: PathBuf,
}

/// A benchmark folder: `html/<id>.html` and `ground-truth.json` mapping each id to
/// `{"articleBody": "...", "url": "..."}`.
#[derive(Clone, Debug)]
pub struct Benchmark {
    /// The folder.
    pub dir: PathBuf,
    /// Its pages, in id order.
    pub pages: Vec<Page>,
}

#[derive(Deserialize)]
struct TruthEntry {
    #[serde(rename = "articleBody", default)]
    article_body: String,
    #[serde(default)]
    url: Option<String>,
}

impl Benchmark {
    /// Reads a benchmark folder's ground truth and checks that every page it lists has its
    /// HTML file.
    pub fn open(dir: &Path) -> Result<Benchmark> {
        let refuse = |reason: String| Error::BenchmarkFolder {
            dir: dir.to_owned(),
            reason,
        };
        match fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(refuse("it is not a folder".into())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(refuse("it does not exist".into()));
            }
            Err(e) => return Err(Error::io(dir, e)),
        }
        let html = dir.join(HTML_DIR);
        if !html.is_dir() {
            return Err(refuse(format!("it has no {HTML_DIR}/ folder")));
        }
        let truth_path = dir.join(GROUND_TRUTH);
        let bytes = match fs::read(&truth_path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(refuse(format!("it has no {GROUND_TRUTH}")));
            }
            Err(e) => return Err(Error::io(&truth_path, e)),
        };
        let entries: BTreeMap<String, TruthEntry> =
            serde_json::from_slice(&bytes).map_err(|e| Error::GroundTruth {
                path: truth_path.clone(),
                reason: e.to_string(),
            })?;
        let mut pages = Vec::with_capacity(entries.len());
        for (id, entry) in entries {
            if id.is_empty() || id.starts_with('.') || id.contains(['/', '\\', '\0']) {
                return Err(Error::GroundTruth {
                    path: truth_path,
                    reason: format!("the id {id:?} cannot name a file in {HTML_DIR}/"),
                });
            }
            let path = html.join(format!("{id}.html"));
            if !path.is_file() {
                return Err(Error::BenchmarkPageMissing {
                    id,
                    truth: truth_path,
                    path,
                });
            }
            pages.push(Page {
                id,
                url: entry.url,
                truth: entry.article_body,
                path,
            });
        }
        Ok(Benchmark {
            dir: dir.to_owned(),
            pages,
        })
    }
}

/// Checks that an extractor can be scored: it reads HTML and declares a `body` field.
pub fn check_extractor(manifest: &Manifest) -> Result<()> {
    let refuse = |reason: String| Error::NotAnHtmlExtractor {
        name: manifest.name.clone(),
        reason,
    };
    if !manifest.accepts(TEXT_HTML) {
        return Err(refuse(format!(
            "it reads {}, not {TEXT_HTML}",
            manifest.media_types.join(", ")
        )));
    }
    if !manifest.fields.iter().any(|f| f.name == BODY) {
        return Err(refuse(format!("it does not produce the field {BODY}")));
    }
    Ok(())
}

/// One page run through an extractor and scored.
#[derive(Clone, Debug, PartialEq)]
pub struct PageResult {
    /// The page's id.
    pub id: String,
    /// The URL from the ground truth.
    pub url: Option<String>,
    /// The predicted body ("" when the extractor gave none or failed).
    pub prediction: String,
    /// Its score.
    pub score: PageScore,
    /// Milliseconds spent decoding the bytes and extracting.
    pub millis: f64,
    /// Why decoding or extraction failed, when it did.
    pub failure: Option<String>,
}

/// An extractor's run over a benchmark.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Every page, in id order.
    pub pages: Vec<PageResult>,
    /// The benchmark's figures.
    pub scores: Scores,
    /// Median milliseconds a page (decode and extract).
    pub median_ms: f64,
    /// Mean milliseconds a page.
    pub mean_ms: f64,
    /// Pages whose decoding or extraction failed (scored as an empty prediction).
    pub failures: usize,
}

/// Runs `extractor` over every page of `bench`, one page at a time on this thread, and scores
/// its `body` fields. Each page's bytes are read first, then decoding and extraction are timed
/// together. A page that cannot be decoded, or that the extractor fails on or panics on, is
/// scored as an empty prediction and counted as a failure. `progress` is called with the number
/// of pages done after each.
pub fn evaluate(
    bench: &Benchmark,
    extractor: &dyn Extractor,
    progress: &mut dyn FnMut(usize),
) -> Result<Evaluation> {
    let no_fields = Fields::new();
    let mut pages = Vec::with_capacity(bench.pages.len());
    for (done, page) in bench.pages.iter().enumerate() {
        let raw = fs::read(&page.path).map_err(|e| Error::io(&page.path, e))?;
        let id = DocId(Sha256::digest(&raw).into()).to_hex();
        let started = Instant::now();
        let outcome = text::decode_html(&raw)
            .map_err(|e| format!("cannot decode: {e}"))
            .and_then(|decoded| {
                let input = ExtractInput {
                    id: &id,
                    media_type: TEXT_HTML,
                    text: &decoded.text,
                    raw: &raw,
                    url: None,
                    fields: &no_fields,
                };
                // A built-in called directly has no plugin boundary to catch its panics.
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| extractor.extract(&input)))
                    .map_err(|_| "the extractor panicked".to_owned())?
                    .map_err(|e| e.to_string())
            });
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        let (prediction, failure) = match outcome {
            Ok(extraction) => (
                extraction
                    .fields
                    .get(BODY)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned(),
                None,
            ),
            Err(reason) => (String::new(), Some(reason)),
        };
        pages.push(PageResult {
            id: page.id.clone(),
            url: page.url.clone(),
            score: score(&page.truth, &prediction),
            prediction,
            millis,
            failure,
        });
        progress(done + 1);
    }
    let scores = Scores::of(&pages.iter().map(|p| p.score).collect::<Vec<_>>());
    let mut times: Vec<f64> = pages.iter().map(|p| p.millis).collect();
    Ok(Evaluation {
        scores,
        median_ms: median(&mut times),
        mean_ms: if times.is_empty() {
            0.0
        } else {
            times.iter().sum::<f64>() / times.len() as f64
        },
        failures: pages.iter().filter(|p| p.failure.is_some()).count(),
        pages,
    })
}

/// The median (the mean of the middle two for an even count; 0 for none).
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

impl Evaluation {
    /// The `n` pages with the lowest F1 of their own, worst first (ties in id order).
    pub fn worst(&self, n: usize) -> Vec<&PageResult> {
        let mut pages: Vec<&PageResult> = self.pages.iter().collect();
        pages.sort_by(|a, b| {
            a.score
                .counts
                .f1()
                .total_cmp(&b.score.counts.f1())
                .then_with(|| a.id.cmp(&b.id))
        });
        pages.truncate(n);
        pages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn tokens_are_python_word_runs() {
        assert_eq!(
            tokens("It's a well-known fact_1: 3.5%!"),
            ["It", "s", "a", "well", "known", "fact_1", "3", "5"]
        );
        assert_eq!(tokens("Café déjà-vu"), ["Café", "déjà", "vu"]);
        assert_eq!(tokens("Москва́ 東京 서울"), ["Москва", "東京", "서울"]);
        // A combining mark is not a word character for Python: it splits a word.
        assert_eq!(tokens("e\u{301}t\u{e9}"), ["e", "t\u{e9}"]);
        assert_eq!(tokens("Ⓐb"), ["b"]);
        assert_eq!(tokens("Ⅻ ²"), ["Ⅻ", "²"]);
        assert!(tokens(" \n—… ").is_empty());
    }

    #[test]
    fn shingles_of_short_lists() {
        let all = |t: &[&'static str]| shingles(t).map(<[&str]>::to_vec).collect::<Vec<_>>();
        assert!(all(&[]).is_empty());
        assert_eq!(all(&["a"]), [vec!["a"]]);
        assert_eq!(all(&["a", "b", "c"]), [vec!["a", "b", "c"]]);
        assert_eq!(all(&["a", "b", "c", "d"]), [vec!["a", "b", "c", "d"]]);
        assert_eq!(
            all(&["a", "b", "c", "d", "e"]),
            [vec!["a", "b", "c", "d"], vec!["b", "c", "d", "e"]]
        );
    }

    #[test]
    fn identical_texts_score_one() {
        let s = score("One two three four five.", "One, two; three four five");
        assert_eq!(
            s.counts,
            Counts {
                tp: 1.0,
                fp: 0.0,
                fn_: 0.0
            }
        );
        assert!(s.exact);
        assert_eq!((s.counts.precision(), s.counts.recall()), (1.0, 1.0));
    }

    #[test]
    fn partial_overlap() {
        // Truth a b c d e f: shingles abcd bcde cdef. Prediction a b c d e x y: abcd bcde
        // cdex dexy. tp 2, fp 2, fn 1 → 2/5, 2/5, 1/5.
        let s = score("a b c d e f", "a b c d e x y");
        assert!(close(s.counts.tp, 0.4) && close(s.counts.fp, 0.4) && close(s.counts.fn_, 0.2));
        assert!(close(s.counts.precision(), 0.5));
        assert!(close(s.counts.recall(), 2.0 / 3.0));
        assert!(close(s.counts.f1(), 4.0 / 7.0));
        assert!(!s.exact);
    }

    #[test]
    fn case_matters() {
        let s = score("The cat sat down", "the cat sat down");
        assert_eq!(s.counts.tp, 0.0);
        assert!(!s.exact);
    }

    #[test]
    fn repeated_shingles_count_each_time() {
        // Truth: "a b c d" twice → abcd ×2, bcda, cdab, dabc… eight tokens: abcd bcda cdab dabc
        // abcd. Prediction "a b c d" once: abcd ×1. tp 1, fp 0, fn 4.
        let s = score("a b c d a b c d", "a b c d");
        assert!(close(s.counts.tp, 0.2) && close(s.counts.fn_, 0.8));
        assert_eq!(s.counts.fp, 0.0);
        assert!(close(s.counts.precision(), 1.0));
        assert!(close(s.counts.recall(), 0.2));
        // The other way round the second abcd is extra.
        let s = score("a b c d", "a b c d a b c d");
        assert!(close(s.counts.tp, 0.2) && close(s.counts.fp, 0.8));
        assert!(close(s.counts.precision(), 0.2));
        assert!(close(s.counts.recall(), 1.0));
    }

    #[test]
    fn fewer_than_four_tokens_make_one_shingle() {
        // "a b" is one shingle (a, b); "a b c" another: no match at all.
        let s = score("a b", "a b c");
        assert!(close(s.counts.tp, 0.0) && close(s.counts.fp, 0.5) && close(s.counts.fn_, 0.5));
        assert_eq!(s.counts.precision(), 0.0);
        assert_eq!(s.counts.recall(), 0.0);
        let s = score("a b", "a, b!");
        assert_eq!(s.counts.tp, 1.0);
        assert!(s.exact);
    }

    #[test]
    fn an_empty_prediction_is_left_out_of_precision() {
        let empty = score("one two three four five", "");
        assert_eq!(
            empty.counts,
            Counts {
                tp: 0.0,
                fp: 0.0,
                fn_: 1.0
            }
        );
        assert!(!empty.counts.has_prediction());
        assert_eq!(empty.counts.recall(), 0.0);
        let half = score("a b c d e f", "a b c d e x y");
        let perfect = score("w x y z", "w x y z");
        let scores = Scores::of(&[empty, half, perfect]);
        assert_eq!(scores.pages, 3);
        // Precision over the two pages with a prediction: (0.5 + 1) / 2.
        assert!(close(scores.precision, 0.75));
        // Recall over all three: (0 + 2/3 + 1) / 3.
        assert!(close(scores.recall, 5.0 / 9.0));
        assert!(close(
            scores.f1,
            2.0 * 0.75 * (5.0 / 9.0) / (0.75 + 5.0 / 9.0)
        ));
        assert!(close(scores.accuracy, 1.0 / 3.0));
    }

    #[test]
    fn empty_truth_and_prediction() {
        let s = score("", "—");
        assert_eq!(s.counts, Counts::default());
        assert!(!s.counts.has_prediction() && !s.counts.has_truth());
        assert!(s.exact);
        // Only excluded pages: no mean to take.
        let scores = Scores::of(&[s]);
        assert_eq!(
            (scores.precision, scores.recall, scores.f1),
            (0.0, 0.0, 0.0)
        );
        assert_eq!(scores.accuracy, 1.0);
        // A prediction where the truth has nothing: precision 0, left out of recall.
        let s = score("", "menu home about us");
        assert!(s.counts.has_prediction() && !s.counts.has_truth());
        assert_eq!(s.counts.precision(), 0.0);
    }

    #[test]
    fn diff_finds_missed_and_extra_runs() {
        let truth = "Alpha beta gamma delta. Epsilon zeta eta theta iota kappa lambda mu nu.";
        let prediction = "Home | News\nAlpha beta gamma delta. Epsilon zeta eta theta iota kappa \
                          lambda.  Share   this: Twitter";
        let d = diff(truth, prediction, 3);
        assert_eq!(d.missed.tokens, 2);
        assert_eq!(d.missed.runs, 1);
        assert_eq!(
            d.missed.longest,
            [Gap {
                start: 11,
                tokens: 2,
                text: "mu nu".into()
            }]
        );
        assert_eq!(d.extra.tokens, 5);
        assert_eq!(d.extra.runs, 2);
        let texts: Vec<&str> = d.extra.longest.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(texts, ["Share this: Twitter", "Home | News"]);
        let d = diff(truth, prediction, 1);
        assert_eq!(d.extra.longest.len(), 1);
        assert_eq!(d.extra.runs, 2);
        let same = diff(truth, truth, 3);
        assert_eq!(same, Diff::default());
        let nothing = diff(truth, "", 3);
        assert_eq!(nothing.missed.tokens, 13);
        assert!(nothing.extra.longest.is_empty());
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut []), 0.0);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
