//! Snippets: a short passage of a hit's text around its matches, with the character offsets of
//! the matching words, so that a terminal can mark them and a script can read them without
//! markup mixed into the text.
//!
//! What matches is what the query searched the text for: its words, phrases and prefixes,
//! analysed as the index analyses them, outside any `NOT` and outside filters on other fields.
//! A phrase is highlighted only where its words stand together, and a highlight covers the word
//! and never the punctuation around it (`rates` of `rates,`).

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;

use crate::analysis::Analyzer;
use crate::query::{Field, Query};

/// Words a snippet shows.
pub const SNIPPET_WORDS: usize = 30;

/// A passage of a document's text and where its matches are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// The passage, white space collapsed to single spaces, with `…` where text was left out.
    pub text: String,
    /// The matches in `text`, as `[start, end)` offsets counted in characters (Unicode scalar
    /// values), in order and not overlapping.
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The passage with each match between `open` and `close` (`**` for plain text, a terminal's
    /// bold on a terminal).
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + self.highlights.len() * 8);
        let mut marks = self.highlights.iter().peekable();
        let mut inside = false;
        for (i, c) in self.text.chars().enumerate() {
            if inside && marks.peek().is_some_and(|&&(_, end)| end == i) {
                out.push_str(close);
                marks.next();
                inside = false;
            }
            if !inside && marks.peek().is_some_and(|&&(start, _)| start == i) {
                out.push_str(open);
                inside = true;
            }
            out.push(c);
        }
        if inside {
            out.push_str(close);
        }
        out
    }
}

/// One thing to find: terms at consecutive positions, the last one a prefix if `prefix`.
#[derive(Clone, Debug)]
struct Pattern {
    terms: Vec<String>,
    prefix: bool,
}

/// Builds snippets for the hits of one query.
#[derive(Debug)]
pub struct Highlighter {
    query: Query,
    /// Patterns of the query and the analyser that made them, per document language.
    by_language: HashMap<Option<String>, (Analyzer, Vec<Pattern>)>,
}

impl Highlighter {
    /// A highlighter for the matches of `query`.
    pub fn new(query: &Query) -> Highlighter {
        Highlighter {
            query: query.clone(),
            by_language: HashMap::new(),
        }
    }

    /// A snippet of `text`, a document in `language` (an ISO 639-1 code; `None` for the
    /// archive's default): the passage of [`SNIPPET_WORDS`] words that holds the most matches,
    /// starting a few words before its first one, or the opening words when nothing matches.
    pub fn snippet(&mut self, text: &str, language: Option<&str>) -> Snippet {
        let query = &self.query;
        let (analyzer, patterns) = self
            .by_language
            .entry(language.map(str::to_owned))
            .or_insert_with(|| {
                let analyzer = Analyzer::for_language(language);
                let mut patterns = Vec::new();
                collect(query, &analyzer, &mut patterns);
                (analyzer, patterns)
            });
        snippet(text, analyzer, patterns)
    }
}

/// The positive text clauses of `query` as patterns.
fn collect(query: &Query, analyzer: &Analyzer, out: &mut Vec<Pattern>) {
    match query {
        Query::Term(_) | Query::Phrase(_) | Query::Prefix(_) => {
            if let Some(a) = query.analysed(analyzer)
                && !a.terms.is_empty()
            {
                out.push(Pattern {
                    terms: a.terms,
                    prefix: a.prefix,
                });
            }
        }
        Query::Field {
            field: Field::Title | Field::Body,
            query,
        } => collect(query, analyzer, out),
        Query::And(parts) | Query::Or(parts) => {
            for part in parts {
                collect(part, analyzer, out);
            }
        }
        Query::Field { .. } | Query::Range(_) | Query::Not(_) => {}
    }
}

/// A term of the text, its position and the byte range of its word.
struct Token {
    term: String,
    position: u32,
    span: Range<usize>,
}

fn snippet(text: &str, analyzer: &Analyzer, patterns: &[Pattern]) -> Snippet {
    let mut tokens = Vec::new();
    analyzer.analyze_spans(text, |term, position, span| {
        tokens.push(Token {
            term: term.to_owned(),
            position,
            span,
        })
    });
    if tokens.is_empty() {
        return Snippet::default();
    }
    // Each match as the range of token indexes it covers.
    let mut matches: Vec<Range<usize>> = Vec::new();
    for pattern in patterns {
        let n = pattern.terms.len();
        for i in 0..tokens.len() {
            let found = (0..n).all(|k| {
                let Some(token) = tokens.get(i + k) else {
                    return false;
                };
                let term = &pattern.terms[k];
                let same = if pattern.prefix && k == n - 1 {
                    token.term.starts_with(term.as_str())
                } else {
                    token.term == *term
                };
                same && token.position == tokens[i].position + k as u32
            });
            if found {
                matches.push(i..i + n);
            }
        }
    }
    matches.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    // Merge overlapping matches (a phrase and one of its words) into one.
    let mut merged: Vec<Range<usize>> = Vec::new();
    for m in matches {
        match merged.last_mut() {
            Some(last) if m.start < last.end => last.end = last.end.max(m.end),
            _ => merged.push(m),
        }
    }
    // The window of SNIPPET_WORDS tokens, starting a third of a window before a match, that
    // holds the most matches; the earliest such window on a tie.
    let lead = SNIPPET_WORDS / 3;
    let first = merged
        .iter()
        .map(|m| m.start.saturating_sub(lead))
        .max_by_key(|&start| {
            let inside = merged
                .iter()
                .filter(|m| m.start >= start && m.end <= start + SNIPPET_WORDS)
                .count();
            (inside, std::cmp::Reverse(start))
        })
        .unwrap_or(0);
    // A window chosen for a later match may begin on an earlier one: give that one a few
    // words of context too.
    let first = match merged.iter().find(|m| m.start >= first) {
        Some(m) => first.min(m.start.saturating_sub(lead / 3)),
        None => first,
    };
    let last = (first + SNIPPET_WORDS).min(tokens.len()) - 1;
    // Whole white-space-separated words: a quote mark before the first word and a comma after
    // the last one belong to the passage, not to its highlights.
    let is_space = |c: char| c.is_whitespace();
    let from = if first == 0 {
        text.len() - text.trim_start().len()
    } else {
        let start = tokens[first].span.start;
        text[..start].rfind(is_space).map_or(0, |i| i + 1)
    };
    let end = tokens[last].span.end;
    let to = text[end..].find(is_space).map_or(text.len(), |i| end + i);
    let spans: Vec<Range<usize>> = merged
        .iter()
        .filter(|m| m.start >= first && m.end - 1 <= last)
        .map(|m| tokens[m.start].span.start..tokens[m.end - 1].span.end)
        .collect();

    let mut out = Snippet::default();
    let mut chars = 0;
    if from > 0 && first > 0 {
        out.text.push_str("… ");
        chars = 2;
    }
    let mut spans = spans.into_iter().peekable();
    let mut open: Option<usize> = None;
    let mut after_space = false;
    for (at, c) in text[from..to].char_indices() {
        let at = from + at;
        if let Some(start) = open
            && spans.peek().is_some_and(|s| s.end == at)
        {
            out.highlights.push((start, chars));
            spans.next();
            open = None;
        }
        if c.is_whitespace() {
            after_space = true;
            continue;
        }
        if after_space {
            out.text.push(' ');
            chars += 1;
            after_space = false;
        }
        if open.is_none() && spans.peek().is_some_and(|s| s.start == at) {
            open = Some(chars);
        }
        out.text.push(c);
        chars += 1;
    }
    if let Some(start) = open {
        out.highlights.push((start, chars));
    }
    if last + 1 < tokens.len() {
        out.text.push_str(" …");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    /// The snippet of `text` for `query`, matches marked with `[` and `]`.
    #[track_caller]
    fn check(query: &str, text: &str, expected: &str) {
        let query = parse(query).unwrap();
        let snippet = Highlighter::new(&query).snippet(text, None);
        assert_eq!(snippet.marked("[", "]"), expected);
        let chars: Vec<char> = snippet.text.chars().collect();
        for &(start, end) in &snippet.highlights {
            assert!(start < end && end <= chars.len());
        }
    }

    #[test]
    fn words_are_marked_without_their_punctuation() {
        check(
            "rates",
            "Interest rates, the bank said, will rise. \"Rates\" matter.",
            "Interest [rates], the bank said, will rise. \"[Rates]\" matter.",
        );
    }

    #[test]
    fn phrases_are_marked_only_where_their_words_stand_together() {
        check(
            "\"interest rates\"",
            "US interest rates are expected to rise after the rate-setting meeting. Rates went up.",
            "US [interest rates] are expected to rise after the rate-setting meeting. Rates went up.",
        );
    }

    #[test]
    fn prefixes_negations_and_other_fields() {
        check(
            "tele* -phone tag:news",
            "Telecoms firms and television channels: phone makers too.",
            "[Telecoms] firms and [television] channels: phone makers too.",
        );
    }

    #[test]
    fn long_texts_are_cut_around_the_most_matches() {
        let filler: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
        let text = format!(
            "{} oil here {} oil and oil again {}",
            filler[..20].join(" "),
            filler[20..60].join(" "),
            filler[60..].join(" ")
        );
        let query = parse("oil").unwrap();
        let snippet = Highlighter::new(&query).snippet(&text, None);
        assert!(snippet.text.starts_with("… w50 "), "{}", snippet.text);
        assert!(snippet.text.ends_with(" …"), "{}", snippet.text);
        assert_eq!(snippet.highlights.len(), 2);
        let words: Vec<&str> = snippet.text.split(' ').collect();
        assert_eq!(words.len(), SNIPPET_WORDS + 2);
    }

    #[test]
    fn a_match_at_the_start_of_the_window_keeps_some_context() {
        let filler: Vec<String> = (0..60).map(|i| format!("w{i}")).collect();
        // Matches at tokens 10, 20, 30 and 38: the window for the last three begins at 10.
        let text = format!(
            "{} oil {} oil {} oil {} oil {}",
            filler[..10].join(" "),
            filler[10..19].join(" "),
            filler[19..28].join(" "),
            filler[28..35].join(" "),
            filler[35..].join(" ")
        );
        let query = parse("oil").unwrap();
        let snippet = Highlighter::new(&query).snippet(&text, None);
        assert!(
            snippet.text.starts_with("… w7 w8 w9 oil"),
            "{}",
            snippet.text
        );
    }

    #[test]
    fn no_match_gives_the_opening_and_empty_text_nothing() {
        check("zebra", "  One two\n\nthree.", "One two three.");
        check("zebra", "", "");
        check("zebra", " ... ", "");
    }

    #[test]
    fn offsets_count_characters() {
        let query = parse("café").unwrap();
        let snippet = Highlighter::new(&query).snippet("Le «café» crème, café.", None);
        assert_eq!(snippet.marked("[", "]"), "Le «[café]» crème, [café].");
        assert_eq!(snippet.highlights, vec![(4, 8), (17, 21)]);
    }
}
