//! The text analyser of the full-text index: it turns a document's text, or a query word, into the
//! terms the index stores (Unicode words, lower-cased, stemmed, diacritics folded) with the word
//! positions that phrase queries need. Indexing and querying both go through here, so a query term
//! always meets the indexed term in the same form.
//!
//! # Token rules
//!
//! 1. **Words** are the Unicode word segments of UAX #29 (the `unicode-segmentation` crate) that
//!    contain a letter or a digit. So `£`, `-`, `/` and quotes are never part of a word, `"15.8m"`
//!    and `"1,000"` are one word, and `"well-known"` is two. Without a dictionary, each CJK ideograph and
//!    each hiragana is a word of its own (a katakana run is one word).
//!    Text is cut at ASCII white space first and each piece that is pure ASCII is segmented by a
//!    byte scanner that applies the same UAX #29 rules (letters, digits and `_` join; `.` `:` `'`
//!    join two letters; `.` `,` `;` `'` join two digits), because that is where most of the time
//!    went in the prototype; a test checks that both paths agree on every BBC article.
//! 2. **Inside a word**: an apostrophe (`'`, `’`, `ʼ`) is dropped (`don't` → `dont`), and a final
//!    `'s` with it (`BBC's` → `bbc`); between two digits `.` is kept and `,` dropped (`15.8m`,
//!    `1,000` → `1000`); the dots of a one-letter acronym are dropped (`U.S` → `us`); any other
//!    punctuation left inside a word (`:` `;` `_`, a `.` between letters as in `bbc.co.uk`) splits
//!    it into several terms, each with its own position; invisible format characters (soft hyphen,
//!    zero-width space or joiner, byte-order mark) are dropped.
//! 3. **Lower-casing** is Unicode's (`char::to_lowercase`).
//! 4. **Stemming** with the Snowball stemmer of the analyser's language (English by default), only
//!    for terms without digits. It runs before folding because the Snowball stemmers of accented
//!    languages expect their accents.
//! 5. **Folding** removes the diacritics of Latin, Greek and Cyrillic letters: their canonical
//!    decomposition (NFD) without the combining marks U+0300–U+036F (`é` → `e`, `ü` → `u`,
//!    `ά` → `α`, `ё` → `е`, and also `й` → `и`), plus a small table for letters that do not
//!    decompose (`ß` → `ss`, `æ` → `ae`, `œ` → `oe`, `ø` → `o`, `ł` → `l`, `đ`/`ð` → `d`,
//!    `þ` → `th`, `ı` → `i`, final `ς` → `σ`). Other scripts are left alone: decomposing Hangul
//!    or dropping the Japanese voicing marks would change the word, not its accent.
//! 6. **Positions** count every term emitted, from 0, so two words are adjacent in the text exactly
//!    when their positions differ by one. A term longer than [`MAX_TERM_BYTES`] takes its
//!    position but is not emitted (it is a URL, a hash or garbage, and would bloat the index).

use std::ops::Range;

use rustc_hash::FxHashMap as HashMap;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_segmentation::UnicodeSegmentation;

/// The longest term, in UTF-8 bytes, that the analyser emits; longer ones are skipped.
pub const MAX_TERM_BYTES: usize = 64;

/// The ISO 639-1 codes with a Snowball stemmer, and the stemmer each selects.
const LANGUAGES: &[(&str, Algorithm)] = &[
    ("ar", Algorithm::Arabic),
    ("da", Algorithm::Danish),
    ("de", Algorithm::German),
    ("el", Algorithm::Greek),
    ("en", Algorithm::English),
    ("es", Algorithm::Spanish),
    ("fi", Algorithm::Finnish),
    ("fr", Algorithm::French),
    ("hu", Algorithm::Hungarian),
    ("it", Algorithm::Italian),
    ("nb", Algorithm::Norwegian),
    ("nl", Algorithm::Dutch),
    ("nn", Algorithm::Norwegian),
    ("no", Algorithm::Norwegian),
    ("pt", Algorithm::Portuguese),
    ("ro", Algorithm::Romanian),
    ("ru", Algorithm::Russian),
    ("sv", Algorithm::Swedish),
    ("ta", Algorithm::Tamil),
    ("tr", Algorithm::Turkish),
];

/// Turns text into index terms. Build one per language and reuse it: it holds no per-call state,
/// so it is `Send + Sync` and can be shared between import threads.
///
/// Indexing and querying must use analysers of the same language, or a query term will not meet
/// the indexed term; an index that stems each document in its own language has to analyse a query
/// once per language it holds.
pub struct Analyzer {
    /// The language code and its stemmer, or `None` when terms are not stemmed.
    stemmer: Option<(&'static str, Stemmer)>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("language", &self.language())
            .finish()
    }
}

impl Default for Analyzer {
    /// The English analyser.
    fn default() -> Analyzer {
        Analyzer::english()
    }
}

/// One term of an analysed text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    /// The term as the index stores it.
    pub term: &'a str,
    /// The index of the word in the text, counting every word from 0.
    pub position: u32,
}

/// A reusable list of tokens: [`Analyzer::analyze_into`] refills it, keeping its buffers, so
/// analysing many documents allocates only while the buffers grow.
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    /// All terms, one after the other.
    text: String,
    /// For each token: the start and end of its term in `text`, and its position.
    spans: Vec<(usize, usize, u32)>,
    /// Working buffers of the analyser, kept here so they are reused too.
    scratch: Scratch,
}

impl Tokens {
    /// An empty list.
    pub fn new() -> Tokens {
        Tokens::default()
    }

    /// Removes every token, keeping the buffers.
    pub fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
    }

    /// The number of tokens.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there is no token.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The tokens in text order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Token<'_>> + '_ {
        self.spans.iter().map(|&(start, end, position)| Token {
            term: &self.text[start..end],
            position,
        })
    }
}

/// Buffers reused from one word to the next.
#[derive(Clone, Debug, Default)]
struct Scratch {
    /// The characters of the current word segment.
    chars: Vec<char>,
    /// The current term, lower-cased.
    term: String,
    /// The current term, folded.
    folded: String,
    /// Recent stemmed terms, lower-cased term to final term: the Snowball stemmers cost most of
    /// the analysis time, and news vocabulary repeats so much that most words are found here.
    stems: HashMap<Box<str>, Box<str>>,
    /// The language whose stems `stems` holds.
    stems_language: Option<&'static str>,
}

/// How many stems [`Scratch::stems`] keeps before it starts again from empty.
const STEM_CACHE_SIZE: usize = 32 * 1024;

impl Analyzer {
    /// The English analyser (Snowball English stemmer), the default.
    pub fn english() -> Analyzer {
        Analyzer {
            stemmer: Some(("en", Stemmer::create(Algorithm::English))),
        }
    }

    /// An analyser that does not stem: words are only lower-cased and folded.
    pub fn without_stemming() -> Analyzer {
        Analyzer { stemmer: None }
    }

    /// The analyser for a document's language, given as an ISO 639-1 code, case-insensitive and
    /// possibly with a region (`"fr"`, `"pt-BR"`).
    ///
    /// `None` or an empty code gives English, the archive's default; `"none"` gives no stemming;
    /// a code with a Snowball stemmer (ar da de el en es fi fr hu it nb nl nn no pt ro ru sv ta tr)
    /// gives that stemmer; any other code falls back to English, whose stemmer only trims Latin
    /// suffixes and leaves other scripts alone.
    pub fn for_language(lang: Option<&str>) -> Analyzer {
        let Some(lang) = lang else {
            return Analyzer::english();
        };
        let primary = lang.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("none") {
            return Analyzer::without_stemming();
        }
        match LANGUAGES
            .iter()
            .find(|(code, _)| primary.eq_ignore_ascii_case(code))
        {
            Some(&(code, algorithm)) => Analyzer {
                stemmer: Some((code, Stemmer::create(algorithm))),
            },
            None => Analyzer::english(),
        }
    }

    /// The ISO 639-1 code of the stemmer in use, or `None` when terms are not stemmed.
    pub fn language(&self) -> Option<&'static str> {
        self.stemmer.as_ref().map(|(code, _)| *code)
    }

    /// Analyses `text`, calling `emit(term, position)` for each term in text order.
    ///
    /// The term is borrowed from a buffer reused for the next one: copy it if it must outlive the
    /// call. The buffers, and the stem cache that saves most of the stemming time, last only for
    /// this call: to analyse many documents, reuse one [`Tokens`] with [`Analyzer::analyze_into`].
    pub fn analyze(&self, text: &str, mut emit: impl FnMut(&str, u32)) {
        let mut scratch = Scratch::default();
        self.run(text, true, &mut scratch, &mut Emit(&mut emit));
    }

    /// Analyses `text` as [`Analyzer::analyze`] does, also giving each term the byte range of
    /// the word segment it came from (`rate` of `rates,` has the range of `rates`).
    pub fn analyze_spans(&self, text: &str, mut emit: impl FnMut(&str, u32, Range<usize>)) {
        let stemmer = self.stemmer.as_ref().map(|(_, s)| s);
        let mut scratch = Scratch::default();
        let mut position = 0u32;
        // Every word segment is a slice of `text`, so its offset is where it starts in memory.
        let base = text.as_ptr() as usize;
        for_each_word(text, |word| {
            let start = word.as_ptr() as usize - base;
            let span = start..start + word.len();
            let mut sink = Emit(&mut |term: &str, position| emit(term, position, span.clone()));
            word_terms(word, stemmer, &mut scratch, &mut position, &mut sink);
        });
    }

    /// Analyses `text` into `sink`, with the buffers of `tokens` (whose tokens it leaves
    /// alone). Each plain word (ASCII letters and digits only) is first offered to the sink
    /// as written; a word the sink knows is not analysed again.
    pub(crate) fn analyze_with(&self, text: &str, tokens: &mut Tokens, sink: &mut dyn TermSink) {
        self.run(text, true, &mut tokens.scratch, sink);
    }

    /// Analyses `text` into `out`, replacing what it held.
    pub fn analyze_into(&self, text: &str, out: &mut Tokens) {
        out.clear();
        let Tokens {
            text: terms,
            spans,
            scratch,
        } = out;
        self.run(
            text,
            true,
            scratch,
            &mut Emit(&mut |term: &str, position| {
                let start = terms.len();
                terms.push_str(term);
                spans.push((start, terms.len(), position));
            }),
        );
    }

    /// The terms of a query word, analysed exactly as a document's text, so they match the
    /// indexed terms. Usually one; several (`"bbc.co.uk"`, `"U.S.-based"`) are meant as a
    /// phrase; none when the word has no letter or digit.
    pub fn query_terms(&self, word: &str) -> Vec<String> {
        let mut terms = Vec::new();
        self.analyze(word, |term, _| terms.push(term.to_owned()));
        terms
    }

    /// The terms of a query prefix (`tele` of `tele*`): lower-cased and folded like a document's
    /// text but NOT stemmed, because the stem of a partial word is meaningless (`tele` would not
    /// stay a prefix of `televis`). The last term is the prefix to expand; any before it are whole
    /// words of a phrase (`bbc.co*`). Since indexed terms are stemmed, a prefix longer than a
    /// word's stem can miss it (`running*` does not find the term `run`).
    pub fn prefix_terms(&self, prefix: &str) -> Vec<String> {
        let mut terms = Vec::new();
        let mut scratch = Scratch::default();
        self.run(
            prefix,
            false,
            &mut scratch,
            &mut Emit(&mut |term: &str, _| terms.push(term.to_owned())),
        );
        terms
    }

    /// Splits `text` into word segments and turns each into terms.
    fn run(&self, text: &str, stem: bool, scratch: &mut Scratch, sink: &mut dyn TermSink) {
        let stemmer = if stem {
            self.stemmer.as_ref().map(|(_, s)| s)
        } else {
            None
        };
        if stemmer.is_some() && scratch.stems_language != self.language() {
            scratch.stems.clear();
            scratch.stems_language = self.language();
        }
        let mut position = 0u32;
        for_each_word(text, |word| {
            word_terms(word, stemmer, scratch, &mut position, sink)
        });
    }
}

/// Where an analysis puts its terms.
pub(crate) trait TermSink {
    /// Offered each plain word (ASCII letters and digits only) as written, before it is
    /// analysed: true if the sink has taken it at `position` itself, as the term it had from
    /// the same word before.
    fn known(&mut self, word: &str, position: u32) -> bool;
    /// A term at `position`; `word` is the plain word it came from, if it did.
    fn term(&mut self, term: &str, position: u32, word: Option<&str>);
}

/// A sink that knows no word and passes each term to a function.
struct Emit<'a>(&'a mut dyn FnMut(&str, u32));

impl TermSink for Emit<'_> {
    fn known(&mut self, _: &str, _: u32) -> bool {
        false
    }

    fn term(&mut self, term: &str, position: u32, _: Option<&str>) {
        (self.0)(term, position)
    }
}

/// Calls `f` with each UAX #29 word segment of `text` that contains a letter or a digit.
///
/// UAX #29 never joins across ASCII white space, so the text is cut there first, and each piece
/// that is pure ASCII, as most pieces of English news are, goes to the byte scanner
/// [`ascii_words`]; the others go to `unicode-segmentation`.
fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        let mut ascii = true;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            ascii &= bytes[i].is_ascii();
            i += 1;
        }
        if start == i {
            break;
        }
        // Cut at ASCII bytes, so both ends are character boundaries.
        let piece = &text[start..i];
        if ascii {
            ascii_words(piece, &mut f);
        } else {
            unicode_words(piece, &mut f);
        }
    }
}

/// The Unicode path: the word segments of `text` that contain a letter or a digit.
fn unicode_words(text: &str, f: &mut impl FnMut(&str)) {
    for word in text.unicode_words() {
        f(word);
    }
}

/// The ASCII path: UAX #29 word segmentation restricted to ASCII, on bytes.
///
/// In ASCII, UAX #29 joins any run of letters, digits and `_` (rules WB5, WB8–WB10, WB13a–b),
/// a `.`, `:` or `'` between two letters (WB6–WB7) and a `.`, `,`, `;` or `'` between two digits
/// (WB11–WB12); it breaks everywhere else. A segment made only of `_` is not a word.
fn ascii_words(text: &str, f: &mut impl FnMut(&str)) {
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        if !is_ascii_word_byte(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        let mut alnum = false;
        loop {
            alnum |= b[i].is_ascii_alphanumeric();
            i += 1;
            if i >= n {
                break;
            }
            if is_ascii_word_byte(b[i]) {
                continue;
            }
            if i + 1 < n && ascii_mid_joins(b[i - 1], b[i], b[i + 1]) {
                i += 1;
                continue;
            }
            break;
        }
        if alnum {
            f(&text[start..i]);
        }
    }
}

/// Letters, digits and `_` (UAX #29 ALetter, Numeric and ExtendNumLet in ASCII).
fn is_ascii_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether `mid` joins `prev` and `next` into one word (UAX #29 WB6–WB7 and WB11–WB12 in ASCII).
fn ascii_mid_joins(prev: u8, mid: u8, next: u8) -> bool {
    (prev.is_ascii_alphabetic() && next.is_ascii_alphabetic() && matches!(mid, b'.' | b':' | b'\''))
        || (prev.is_ascii_digit()
            && next.is_ascii_digit()
            && matches!(mid, b'.' | b',' | b';' | b'\''))
}

/// Turns one word segment into terms (rule 2 of the module documentation) and emits them.
fn word_terms(
    word: &str,
    stemmer: Option<&Stemmer>,
    scratch: &mut Scratch,
    position: &mut u32,
    sink: &mut dyn TermSink,
) {
    let Scratch {
        chars,
        term,
        folded,
        stems,
        ..
    } = scratch;
    term.clear();
    // Most words are plain ASCII letters and digits: nothing to split, drop or fold.
    if word.bytes().all(|b| b.is_ascii_alphanumeric()) {
        if sink.known(word, *position) {
            *position = position.saturating_add(1);
            return;
        }
        term.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        finish_term(term, folded, stems, stemmer, position, sink, Some(word));
        return;
    }
    chars.clear();
    chars.extend(word.chars());
    let acronym = is_acronym(chars);
    let digit_at = |j: Option<usize>| j.and_then(|j| chars.get(j)).is_some_and(|c| c.is_numeric());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let between_digits = || digit_at(i.checked_sub(1)) && digit_at(Some(i + 1));
        if is_apostrophe(c) {
            // A final possessive `'s` goes with its apostrophe.
            if i + 2 == chars.len() && matches!(chars[i + 1], 's' | 'S') {
                break;
            }
        } else if c.is_alphanumeric() || is_combining_mark(c) {
            // Marks stay for now: folding drops the diacritics, and the others (Indic vowel
            // signs and viramas, for instance) belong to the word.
            push_lowercase(term, c);
        } else if c == '.' && between_digits() {
            term.push('.');
        } else if (c == '.' && acronym) || (c == ',' && between_digits()) || is_ignorable(c) {
            // Dropped.
        } else {
            finish_term(term, folded, stems, stemmer, position, sink, None);
            term.clear();
        }
        i += 1;
    }
    finish_term(term, folded, stems, stemmer, position, sink, None);
}

/// Stems and folds the lower-cased `term`, gives it the next position and emits it.
fn finish_term(
    term: &str,
    folded: &mut String,
    stems: &mut HashMap<Box<str>, Box<str>>,
    stemmer: Option<&Stemmer>,
    position: &mut u32,
    sink: &mut dyn TermSink,
    word: Option<&str>,
) {
    if term.is_empty() {
        return;
    }
    let at = *position;
    *position = position.saturating_add(1);
    // Numbers and codes (`15.8m`, `mp3`) are not words a stemmer knows.
    let stemmer = stemmer.filter(|_| !term.chars().any(char::is_numeric));
    let Some(stemmer) = stemmer else {
        if let Some(out) = fold(term, folded) {
            sink.term(out, at, word);
        }
        return;
    };
    if let Some(out) = stems.get(term) {
        if !out.is_empty() {
            sink.term(out, at, word);
        }
        return;
    }
    let stemmed = stemmer.stem(term);
    let out = fold(&stemmed, folded).unwrap_or_default();
    if stems.len() >= STEM_CACHE_SIZE {
        stems.clear();
    }
    stems.insert(term.into(), out.into());
    if !out.is_empty() {
        sink.term(out, at, word);
    }
}

/// The final form of a lower-cased, stemmed term: folded, or `None` if it is empty or too long.
fn fold<'a>(stemmed: &'a str, folded: &'a mut String) -> Option<&'a str> {
    let out = if stemmed.is_ascii() {
        stemmed
    } else {
        folded.clear();
        fold_into(stemmed, folded);
        folded.as_str()
    };
    (!out.is_empty() && out.len() <= MAX_TERM_BYTES).then_some(out)
}

/// Whether the segment is a one-letter acronym with inner dots, like `U.S` or `e.g` (UAX #29
/// leaves the final dot out of the word).
fn is_acronym(chars: &[char]) -> bool {
    chars.len() >= 3
        && chars.len() % 2 == 1
        && chars.iter().enumerate().all(|(i, &c)| {
            if i % 2 == 0 {
                c.is_alphabetic()
            } else {
                c == '.'
            }
        })
}

/// Apostrophes and the right single quotation mark used as one.
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{FF07}')
}

/// Invisible characters that may sit inside a word without separating it: soft hyphen, zero-width
/// space, non-joiner and joiner, word joiner, byte-order mark.
fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Appends `c` lower-cased.
fn push_lowercase(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        out.extend(c.to_lowercase());
    }
}

/// Appends `term` with the diacritics of Latin, Greek and Cyrillic letters removed (rule 5 of the
/// module documentation).
fn fold_into(term: &str, out: &mut String) {
    for c in term.chars() {
        match c {
            _ if c.is_ascii() => out.push(c),
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ø' => out.push('o'),
            'ł' => out.push('l'),
            'đ' | 'ð' => out.push('d'),
            'þ' => out.push_str("th"),
            'ı' => out.push('i'),
            'ς' => out.push('σ'),
            _ if is_diacritic(c) => {}
            '\u{00C0}'..='\u{024F}'
            | '\u{0370}'..='\u{03FF}'
            | '\u{0400}'..='\u{04FF}'
            | '\u{1E00}'..='\u{1FFF}' => decompose_canonical(c, |d| {
                if !is_diacritic(d) {
                    out.push(d);
                }
            }),
            _ => out.push(c),
        }
    }
}

/// The combining diacritical marks of Latin, Greek and Cyrillic.
fn is_diacritic(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The terms of `input` under the English analyser.
    fn terms(analyzer: &Analyzer, input: &str) -> Vec<String> {
        let mut out = Tokens::new();
        analyzer.analyze_into(input, &mut out);
        out.iter().map(|t| t.term.to_owned()).collect()
    }

    #[track_caller]
    fn check(input: &str, expected: &[&str]) {
        assert_eq!(
            terms(&Analyzer::english(), input),
            expected,
            "input {input:?}"
        );
    }

    #[track_caller]
    fn check_unstemmed(input: &str, expected: &[&str]) {
        assert_eq!(
            terms(&Analyzer::without_stemming(), input),
            expected,
            "input {input:?}"
        );
    }

    #[test]
    fn ascii_words() {
        check("The cat sat", &["the", "cat", "sat"]);
        check_unstemmed("HELLO World", &["hello", "world"]);
        check("  cat\t\ndog\r\n", &["cat", "dog"]);
    }

    #[test]
    fn punctuation() {
        check_unstemmed(
            "Hello, world! (Yes) \"quoted\" end.",
            &["hello", "world", "yes", "quoted", "end"],
        );
        check_unstemmed("a/b c&d e--f", &["a", "b", "c", "d", "e", "f"]);
        check_unstemmed("bbc.co.uk", &["bbc", "co", "uk"]);
        check_unstemmed("time:now; x", &["time", "now", "x"]);
        check_unstemmed("snake_case __ _x", &["snake", "case", "x"]);
        check_unstemmed("end.Next", &["end", "next"]);
    }

    #[test]
    fn apostrophes() {
        check_unstemmed("don't", &["dont"]);
        check_unstemmed("BBC's", &["bbc"]);
        check_unstemmed("BBC’s", &["bbc"]);
        check_unstemmed("don’t", &["dont"]);
        check_unstemmed("O'Neill", &["oneill"]);
        check_unstemmed("'quoted' players'", &["quoted", "players"]);
        check_unstemmed("80's", &["80", "s"]);
        check("BBC's", &["bbc"]);
        check("don't", &["dont"]);
    }

    #[test]
    fn hyphens() {
        check_unstemmed("well-known", &["well", "known"]);
        check_unstemmed("U.S.-based", &["us", "based"]);
        check_unstemmed("e.g. U.S. i.e.", &["eg", "us", "ie"]);
        check_unstemmed("inter\u{AD}national", &["international"]);
    }

    #[test]
    fn numbers() {
        check("£15.8m", &["15.8m"]);
        check("1,000 and 1,000,000", &["1000", "and", "1000000"]);
        check("3.5% 10:30 1;2", &["3.5", "10", "30", "1", "2"]);
        check("v1.2 mp3s 2004", &["v1.2", "mp3s", "2004"]);
        check("$5 €7 1'000", &["5", "7", "1000"]);
    }

    #[test]
    fn accents() {
        check("Café Müller", &["cafe", "muller"]);
        check_unstemmed(
            "Straße ÆON Œuvre Øre Łódź naïve",
            &["strasse", "aeon", "oeuvre", "ore", "lodz", "naive"],
        );
        // Decomposed input folds the same as precomposed.
        check("Cafe\u{301} Mu\u{308}ller", &["cafe", "muller"]);
        check_unstemmed("İstanbul", &["istanbul"]);
    }

    #[test]
    fn other_scripts() {
        check_unstemmed("Αθήνα ΟΔΟΣ", &["αθηνα", "οδοσ"]);
        check_unstemmed("Москва Ёлка", &["москва", "елка"]);
        check_unstemmed("हिन्दी", &["हिन्दी"]);
        check_unstemmed("한국어", &["한국어"]);
        // No dictionary: each ideograph and hiragana is a word, a katakana run is one.
        check_unstemmed("がっこう", &["が", "っ", "こ", "う"]);
        check_unstemmed("北京欢迎你", &["北", "京", "欢", "迎", "你"]);
        check_unstemmed("日本語のテキスト", &["日", "本", "語", "の", "テキスト"]);
    }

    #[test]
    fn empty() {
        check("", &[]);
        check("   \n\t ", &[]);
        check("-- £ ... !!!", &[]);
    }

    #[test]
    fn positions() {
        let mut out = Tokens::new();
        Analyzer::english().analyze_into("The “BBC’s” well-known £15.8m deal", &mut out);
        let got: Vec<(&str, u32)> = out.iter().map(|t| (t.term, t.position)).collect();
        assert_eq!(
            got,
            [
                ("the", 0),
                ("bbc", 1),
                ("well", 2),
                ("known", 3),
                ("15.8m", 4),
                ("deal", 5)
            ]
        );
        // A term too long to index keeps its position.
        let long = "x".repeat(MAX_TERM_BYTES + 1);
        let mut got = Vec::new();
        Analyzer::english().analyze(&format!("a {long} b"), |t, p| got.push((t.to_owned(), p)));
        assert_eq!(got, [("a".to_owned(), 0), ("b".to_owned(), 2)]);
        // Refilling keeps nothing of the previous text.
        Analyzer::english().analyze_into("one", &mut out);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn stemming() {
        check("running runs", &["run", "run"]);
        assert_eq!(
            terms(&Analyzer::english(), "economies economy"),
            ["economi", "economi"]
        );
        check("Gordon Brown's economies", &["gordon", "brown", "economi"]);
        let fr = Analyzer::for_language(Some("fr"));
        assert_eq!(fr.language(), Some("fr"));
        assert_eq!(terms(&fr, "économiques économique"), ["econom", "econom"]);
        let de = Analyzer::for_language(Some("de-AT"));
        assert_eq!(de.language(), Some("de"));
        assert_eq!(terms(&de, "Häuser"), ["haus"]);
        assert_eq!(Analyzer::for_language(None).language(), Some("en"));
        assert_eq!(Analyzer::for_language(Some("zz")).language(), Some("en"));
        assert_eq!(Analyzer::for_language(Some("NONE")).language(), None);
    }

    #[test]
    fn stem_cache_follows_language() {
        let en = Analyzer::english();
        let fr = Analyzer::for_language(Some("fr"));
        let mut out = Tokens::new();
        let mut run = |analyzer: &Analyzer, text: &str| {
            analyzer.analyze_into(text, &mut out);
            out.iter().map(|t| t.term.to_owned()).collect::<Vec<_>>()
        };
        let english = run(&en, "économiques économiques");
        assert_eq!(english, terms(&en, "économiques économiques"));
        let french = terms(&fr, "économiques");
        assert_eq!(french, ["econom"]);
        assert_ne!(english[0], french[0]);
        assert_eq!(run(&fr, "économiques"), french);
        assert_eq!(run(&en, "économiques économiques"), english);
        let unstemmed = Analyzer::without_stemming();
        assert_eq!(run(&unstemmed, "économiques"), ["economiques"]);
    }

    #[test]
    fn query_and_prefix() {
        let en = Analyzer::english();
        assert_eq!(en.query_terms("Economies"), ["economi"]);
        assert_eq!(en.query_terms("BBC's"), ["bbc"]);
        assert_eq!(en.query_terms("bbc.co.uk"), ["bbc", "co", "uk"]);
        assert!(en.query_terms("£").is_empty());
        assert_eq!(en.prefix_terms("Télé"), ["tele"]);
        assert_eq!(en.prefix_terms("running"), ["running"]);
        // The prefix of a stem meets the indexed stem.
        let indexed = en.query_terms("television");
        assert!(indexed[0].starts_with(&en.prefix_terms("tele")[0]));
    }

    #[test]
    fn analyzer_is_shareable() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Analyzer>();
    }

    /// The word segments of both paths, for comparing them.
    fn segments(text: &str, fast: bool) -> Vec<String> {
        let mut out = Vec::new();
        if fast {
            for_each_word(text, |w| out.push(w.to_owned()));
        } else {
            unicode_words(text, &mut |w: &str| out.push(w.to_owned()));
        }
        out
    }

    fn bbc_articles() -> Vec<(std::path::PathBuf, String)> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/bbc");
        let mut out = Vec::new();
        for dir in std::fs::read_dir(root).expect("corpus") {
            let dir = dir.expect("entry").path();
            if !dir.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&dir).expect("category") {
                let path = file.expect("entry").path();
                if path.extension().is_some_and(|e| e == "txt") {
                    let bytes = std::fs::read(&path).expect("article");
                    let text = match String::from_utf8(bytes) {
                        Ok(text) => text,
                        Err(e) => encoding_rs::WINDOWS_1252
                            .decode(e.as_bytes())
                            .0
                            .into_owned(),
                    };
                    out.push((path, text));
                }
            }
        }
        out.sort();
        out
    }

    /// The ASCII scanner and the Unicode segmenter agree on every BBC article: on its ASCII
    /// letters alone (every non-ASCII character replaced by a space, so all of it goes through the
    /// scanner), and on the whole text (the mixed path against pure UAX #29).
    #[test]
    fn ascii_path_equals_unicode_path_on_bbc() {
        let articles = bbc_articles();
        assert!(
            articles.len() > 2000,
            "corpus has {} articles",
            articles.len()
        );
        let plain = Analyzer::english();
        for (path, text) in &articles {
            let ascii: String = text
                .chars()
                .map(|c| if c.is_ascii() { c } else { ' ' })
                .collect();
            assert_eq!(segments(&ascii, true), segments(&ascii, false), "{path:?}");
            assert_eq!(segments(text, true), segments(text, false), "{path:?}");
            // And the terms too, for the same text through the whole analyser.
            let mut slow = Vec::new();
            let mut scratch = Scratch::default();
            let mut position = 0;
            unicode_words(text, &mut |w: &str| {
                word_terms(
                    w,
                    plain.stemmer.as_ref().map(|(_, s)| s),
                    &mut scratch,
                    &mut position,
                    &mut Emit(&mut |t: &str, p| slow.push((t.to_owned(), p))),
                )
            });
            let mut fast = Vec::new();
            plain.analyze(text, |t, p| fast.push((t.to_owned(), p)));
            assert_eq!(fast, slow, "{path:?}");
        }
    }

    /// The scanner agrees with UAX #29 on every short string of a small ASCII alphabet that has all
    /// the characters the rules treat specially.
    #[test]
    fn ascii_path_equals_unicode_path_exhaustively() {
        let alphabet = b"aZ0_.:',;- ";
        let mut buf = Vec::new();
        let k = alphabet.len();
        for len in 1..=5u32 {
            for mut n in 0..k.pow(len) {
                buf.clear();
                for _ in 0..len {
                    buf.push(alphabet[n % k]);
                    n /= k;
                }
                let s = std::str::from_utf8(&buf).expect("ascii");
                assert_eq!(segments(s, true), segments(s, false), "{s:?}");
            }
        }
    }

    /// A small deterministic generator, so the random tests need no dependency.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn random_input_never_panics() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let analyzers = [
            Analyzer::english(),
            Analyzer::without_stemming(),
            Analyzer::for_language(Some("ru")),
            Analyzer::for_language(Some("fr")),
            Analyzer::for_language(Some("el")),
            Analyzer::for_language(Some("tr")),
        ];
        let mut out = Tokens::new();
        // Characters from the ranges that matter: ASCII, Latin with accents, combining marks,
        // Greek, Cyrillic, Arabic, Devanagari, format characters, CJK, Hangul, emoji.
        let ranges: [(u32, u32); 11] = [
            (0x20, 0x7E),
            (0xA0, 0x24F),
            (0x300, 0x36F),
            (0x370, 0x3FF),
            (0x400, 0x4FF),
            (0x600, 0x6FF),
            (0x900, 0x97F),
            (0x2000, 0x206F),
            (0x4E00, 0x4E80),
            (0xAC00, 0xAC80),
            (0x1F300, 0x1F6FF),
        ];
        for round in 0..3000 {
            let len = (rng.next() % 64) as usize;
            let text: String = if round % 2 == 0 {
                let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                (0..len)
                    .filter_map(|_| {
                        let (lo, hi) = ranges[(rng.next() % ranges.len() as u64) as usize];
                        char::from_u32(lo + (rng.next() % u64::from(hi - lo + 1)) as u32)
                    })
                    .collect()
            };
            for analyzer in &analyzers {
                analyzer.analyze_into(&text, &mut out);
                for (i, token) in out.iter().enumerate() {
                    assert!(!token.term.is_empty(), "{text:?}");
                    assert!(token.term.len() <= MAX_TERM_BYTES, "{text:?}");
                    assert!(token.position as usize >= i, "{text:?}");
                }
                let _ = analyzer.query_terms(&text);
                let _ = analyzer.prefix_terms(&text);
            }
        }
    }

    /// Throughput on the BBC corpus; run by hand:
    /// `cargo test --release -p morgue-core analysis::tests::throughput -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn throughput() {
        let articles = bbc_articles();
        let bytes: usize = articles.iter().map(|(_, t)| t.len()).sum();
        let mut out = Tokens::new();
        for (name, analyzer) in [
            ("english", Analyzer::english()),
            ("unstemmed", Analyzer::without_stemming()),
        ] {
            let mut tokens = 0usize;
            let rounds = 5;
            let start = std::time::Instant::now();
            for _ in 0..rounds {
                for (_, text) in &articles {
                    analyzer.analyze_into(text, &mut out);
                    tokens += out.len();
                }
            }
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{name}, one reused Tokens: {} docs x{rounds}, {:.1} MB/s, {:.2} M tokens/s, {:.0} docs/s",
                articles.len(),
                (bytes * rounds) as f64 / secs / 1e6,
                tokens as f64 / secs / 1e6,
                (articles.len() * rounds) as f64 / secs
            );
        }
        let analyzer = Analyzer::english();
        let mut tokens = 0usize;
        let start = std::time::Instant::now();
        for (_, text) in &articles {
            analyzer.analyze(text, |_, _| tokens += 1);
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "english, callback (fresh buffers and stem cache per document): {:.1} MB/s, {:.2} M tokens/s, {:.0} docs/s",
            bytes as f64 / secs / 1e6,
            tokens as f64 / secs / 1e6,
            articles.len() as f64 / secs
        );
    }
}
