//! The `structure` extractor: reads a plain-text news article into its headline, standfirst,
//! dateline, byline, body and the page furniture a scraper saved around them.
//!
//! Saved news text has a loose but common shape: a headline (sometimes printed twice), perhaps
//! a standfirst directly under it, a byline, a first paragraph that may open with a dateline,
//! the paragraphs, and a tail of furniture (comment widgets, share buttons, copyright lines).
//! Every rule errs towards keeping a line in the body, because losing article text is worse
//! than keeping a stray line.

#![forbid(unsafe_code)]

mod boilerplate;
mod byline;
mod dateline;
mod site;

use boilerplate::{Classifier, CommentCount, Kind};
use byline::Credit;
use dateline::Dateline;
use morgue_core::{
    ExtractError, ExtractInput, Extraction, Extractor, FieldDecl, FieldType, Fields, Manifest,
};
use serde_json::{Map, Value};

/// The structure extractor.
#[derive(Clone, Copy, Debug, Default)]
pub struct Structure;

impl Extractor for Structure {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "structure".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Headline, standfirst, dateline, byline, body and boilerplate of a \
                          plain-text article"
                .into(),
            media_types: vec!["text/plain".into()],
            fields: vec![
                FieldDecl::optional("title", FieldType::String),
                FieldDecl::optional("subtitle", FieldType::String),
                FieldDecl::optional("dateline", FieldType::Object),
                FieldDecl::optional("byline", FieldType::String),
                FieldDecl::optional("authors", FieldType::StringList),
                FieldDecl::optional("body", FieldType::String),
                FieldDecl::optional("comment_count", FieldType::Integer),
                FieldDecl::optional("site", FieldType::String),
                FieldDecl::required("word_count", FieldType::Integer),
                FieldDecl::optional("boilerplate", FieldType::StringList),
            ],
            requires: Vec::new(),
        }
    }

    fn extract(&self, input: &ExtractInput<'_>) -> Result<Extraction, ExtractError> {
        Ok(Extraction {
            fields: read(input.text),
        })
    }
}

/// Reads a plain-text article into the fields the extractor declares. Absent fields are left
/// out; `word_count` is always present.
pub fn read(text: &str) -> Fields {
    Article::parse(text).into_fields()
}

/// The dateline that opens `paragraph` (`WASHINGTON (Reuters) -`, `New Delhi, June 16:`), read
/// as for the first paragraph of a plain-text article: the value of the `dateline` field and
/// the byte offset in `paragraph` where its own text begins.
pub fn dateline(paragraph: &str) -> Option<(Value, usize)> {
    dateline::parse(paragraph).map(|d| (dateline_value(d), d.rest))
}

/// The `dateline` field: `{place, date?}`.
fn dateline_value(d: Dateline<'_>) -> Value {
    let mut object = Map::new();
    object.insert("place".into(), Value::from(d.place));
    if let Some(date) = d.date {
        object.insert("date".into(), Value::from(date));
    }
    Value::Object(object)
}

/// What the reader found, borrowing from the text where it can.
#[derive(Debug, Default)]
struct Article<'a> {
    title: Option<&'a str>,
    subtitle: Option<&'a str>,
    byline: Option<&'a str>,
    authors: Vec<String>,
    body: Body<'a>,
    furniture: Vec<(&'a str, Kind)>,
    /// Whether the lines being read are in the block attached to the headline.
    in_header: bool,
}

/// The body as it is assembled: paragraphs separated by a blank line, the lines of one
/// paragraph by a newline. The dateline is split off the first line the body receives.
#[derive(Debug, Default)]
struct Body<'a> {
    text: String,
    paragraphs: usize,
    open: bool,
    started: bool,
    dateline: Option<Dateline<'a>>,
}

impl<'a> Body<'a> {
    fn push_line(&mut self, mut line: &'a str) {
        if !self.started {
            self.started = true;
            if let Some(d) = dateline::parse(line) {
                line = &line[d.rest..];
                self.dateline = Some(d);
            } else if let Some(d) = dateline::parse_alone(line) {
                // The dateline has a line of its own; the text starts on the next line.
                self.dateline = Some(d);
                return;
            }
        }
        if self.open {
            self.text.push('\n');
        } else {
            if !self.text.is_empty() {
                self.text.push_str("\n\n");
            }
            self.open = true;
            self.paragraphs += 1;
        }
        self.text.push_str(line);
    }

    fn end_paragraph(&mut self) {
        self.open = false;
    }

    /// Whether a byline may still come: bylines sit above the text or just below its first
    /// paragraph, and only ever on a line of their own.
    fn byline_allowed(&self) -> bool {
        !self.open && self.paragraphs < 2
    }
}

/// The most words a headline has; a longer first line is a paragraph.
const MAX_HEADLINE_WORDS: usize = 40;

/// Trims a line, including the byte-order mark and zero-width spaces some scrapers leave.
fn clean(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}'))
}

/// Whether blank lines separate the paragraphs of `lines`. When the text has no blank line
/// between two lines of text, every line is a paragraph.
fn blank_separated(lines: &[&str]) -> bool {
    let first = lines.iter().position(|l| !l.is_empty());
    let last = lines.iter().rposition(|l| !l.is_empty());
    match (first, last) {
        (Some(f), Some(l)) => lines[f..=l].iter().any(|l| l.is_empty()),
        _ => false,
    }
}

/// Whether two lines are the same headline (scrapers often print it twice, sometimes in a
/// different case).
fn same_headline(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Whether the single line directly under the headline is a standfirst: a short summary
/// sentence, not a list item, not a dateline-led first paragraph.
fn is_standfirst(line: &str) -> bool {
    let words = boilerplate::count_words(line, 61);
    (3..=60).contains(&words)
        && line.len() <= 400
        && !line.starts_with(['-', '*', '\u{2022}'])
        && !line.ends_with(':')
        && dateline::parse(line).is_none()
}

impl<'a> Article<'a> {
    fn parse(text: &'a str) -> Article<'a> {
        let lines: Vec<&str> = text.lines().map(clean).collect();
        let mut article = Article::default();
        let mut i = 0;

        // The headline is the first line that is not furniture. Nothing before it has context
        // yet, so only lines that are furniture on their own are skipped.
        let mut alone = Classifier::default();
        while i < lines.len() {
            let line = lines[i];
            if line.is_empty() {
                i += 1;
                continue;
            }
            if let Some(kind) = alone.classify_alone(line) {
                article.furniture.push((line, kind));
                i += 1;
                continue;
            }
            // A first line as long as a paragraph is one: the text has no headline, and the
            // line stays in the body.
            if boilerplate::count_words(line, MAX_HEADLINE_WORDS + 1) <= MAX_HEADLINE_WORDS {
                article.title = Some(line);
                i += 1;
            }
            break;
        }
        let mut classifier = Classifier::default();
        let Some(title) = article.title else {
            article.read_body(&mut classifier, &lines[i..], blank_separated(&lines[i..]));
            return article;
        };

        // A repeated headline, on the next line or after a blank line.
        loop {
            let next = lines[i..].iter().position(|l| !l.is_empty()).map(|k| i + k);
            match next {
                Some(k) if same_headline(lines[k], title) => i = k + 1,
                _ => break,
            }
        }

        let rest = &lines[i..];
        let first = rest.iter().position(|l| !l.is_empty());
        let blank_separated = blank_separated(rest);

        // The block attached to the headline with no blank line between them holds the
        // standfirst and perhaps a byline; a block after a blank line is already the body.
        if blank_separated && first == Some(0) {
            let end = rest.iter().position(|l| l.is_empty()).unwrap_or(rest.len());
            let mut content: Vec<&str> = Vec::new();
            article.in_header = true;
            for &line in &rest[..end] {
                if !article.take_furniture_or_byline(&mut classifier, line) {
                    content.push(line);
                }
            }
            article.in_header = false;
            match content[..] {
                [only] if is_standfirst(only) => article.subtitle = Some(only),
                _ => {
                    for line in content {
                        article.body.push_line(line);
                    }
                    article.body.end_paragraph();
                }
            }
            i += end;
        }
        article.read_body(&mut classifier, &lines[i..], blank_separated);
        // A short line under the headline with nothing after it is the article's only text,
        // not a summary of it.
        if article.body.text.is_empty()
            && let Some(only) = article.subtitle.take()
        {
            article.body.push_line(only);
        }
        article
    }

    /// Reads the body from `lines`: paragraphs are separated by blank lines, or are single
    /// lines when `blank_separated` is false.
    fn read_body(&mut self, classifier: &mut Classifier, lines: &[&'a str], blank_separated: bool) {
        for &line in lines {
            if line.is_empty() {
                self.body.end_paragraph();
                continue;
            }
            if self.take_furniture_or_byline(classifier, line) {
                self.body.end_paragraph();
                continue;
            }
            self.body.push_line(line);
            if !blank_separated {
                self.body.end_paragraph();
            }
        }
    }

    /// Takes `line` out of the text if it is furniture, a byline or a credit, and says whether
    /// it did.
    fn take_furniture_or_byline(&mut self, classifier: &mut Classifier, line: &'a str) -> bool {
        if let Some(kind) = classifier.classify(line) {
            self.furniture.push((line, kind));
            return true;
        }
        // A timestamp only counts above the text, and only when it is attached to the
        // headline or says what it is: a bare date after a blank line may be the date of the
        // event the article is about.
        if self.body.paragraphs == 0 && dateline::is_timestamp(line, !self.in_header) {
            self.furniture.push((line, Kind::Timestamp));
            return true;
        }
        let early = self.byline.is_none() && self.body.byline_allowed();
        if early && let Some(authors) = byline::parse(line) {
            self.byline = Some(line);
            self.authors = authors;
            return true;
        }
        match byline::credit(line) {
            Some(Credit::Agency(name)) if early => {
                self.byline = Some(line);
                self.authors = vec![name.to_owned()];
                true
            }
            Some(_) => {
                self.furniture.push((line, Kind::Credit));
                true
            }
            None => false,
        }
    }

    /// The number of comments the comment widget states, or zero when it says there are none
    /// yet.
    fn comment_count(&self) -> Option<u64> {
        let mut none_yet = false;
        for (_, kind) in &self.furniture {
            match kind {
                Kind::Comments(CommentCount::Stated(n)) => return Some(*n),
                Kind::Comments(CommentCount::NoneYet) => none_yet = true,
                _ => {}
            }
        }
        none_yet.then_some(0)
    }

    fn into_fields(self) -> Fields {
        let mut fields = Fields::new();
        let comment_count = self.comment_count();
        let site = site::find(&self.furniture);
        let word_count = self.body.text.split_whitespace().count();
        if let Some(title) = self.title {
            fields.insert("title".into(), Value::from(title));
        }
        if let Some(subtitle) = self.subtitle {
            fields.insert("subtitle".into(), Value::from(subtitle));
        }
        if let Some(d) = self.body.dateline {
            fields.insert("dateline".into(), dateline_value(d));
        }
        if let Some(byline) = self.byline {
            fields.insert("byline".into(), Value::from(byline));
        }
        if !self.authors.is_empty() {
            fields.insert("authors".into(), Value::from(self.authors));
        }
        if !self.body.text.is_empty() {
            fields.insert("body".into(), Value::from(self.body.text));
        }
        if let Some(n) = comment_count {
            fields.insert("comment_count".into(), Value::from(n));
        }
        if let Some(site) = site {
            fields.insert("site".into(), Value::from(site));
        }
        fields.insert("word_count".into(), Value::from(word_count));
        if !self.furniture.is_empty() {
            let lines: Vec<&str> = self.furniture.iter().map(|(l, _)| *l).collect();
            fields.insert("boilerplate".into(), Value::from(lines));
        }
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use morgue_core::extract::check_output;
    use serde_json::json;

    /// Reads `text` and compares every field with `expected`, then checks the output against
    /// the manifest the way the pipeline does.
    fn check(text: &str, expected: Value) {
        let fields = read(text);
        assert_eq!(
            Value::Object(fields.clone().into_iter().collect()),
            expected,
            "fields of {text:?}"
        );
        check_output(&Structure.manifest(), &fields).expect("output matches the manifest");
    }

    #[test]
    fn headline_then_paragraphs() {
        check(
            "Ad sales boost profits\n\nFirst para\ncontinues.\n\n\nSecond.\n",
            json!({
                "title": "Ad sales boost profits",
                "body": "First para\ncontinues.\n\nSecond.",
                "word_count": 4,
            }),
        );
    }

    #[test]
    fn empty_and_title_only() {
        check("   \n", json!({"word_count": 0}));
        check(
            "Only a title\n",
            json!({"title": "Only a title", "word_count": 0}),
        );
    }

    #[test]
    fn repeated_headline_and_standfirst() {
        check(
            "Big news\nBig news\nA short standfirst says what happened.\n\nBody text here.",
            json!({
                "title": "Big news",
                "subtitle": "A short standfirst says what happened.",
                "body": "Body text here.",
                "word_count": 3,
            }),
        );
        // Repeated after a blank line, and in capitals.
        check(
            "Big news\n\nBIG NEWS\n\nBody.",
            json!({"title": "Big news", "body": "Body.", "word_count": 1}),
        );
    }

    #[test]
    fn a_first_paragraph_after_a_blank_line_is_not_a_standfirst() {
        check(
            "Ad sales boost Time Warner profit\n\nQuarterly profits at US media giant \
             TimeWarner jumped 76%.\n\nThe firm said so.",
            json!({
                "title": "Ad sales boost Time Warner profit",
                "body": "Quarterly profits at US media giant TimeWarner jumped 76%.\n\n\
                         The firm said so.",
                "word_count": 13,
            }),
        );
    }

    #[test]
    fn a_standfirst_with_nothing_after_it_is_the_body() {
        check(
            "Headline\nThe only short paragraph.\n\nComments",
            json!({
                "title": "Headline",
                "body": "The only short paragraph.",
                "word_count": 4,
                "boilerplate": ["Comments"],
            }),
        );
    }

    #[test]
    fn a_long_or_multi_line_block_under_the_headline_stays_in_the_body() {
        let long = "word ".repeat(70);
        let long = long.trim_end();
        check(
            &format!("Headline\n{long}\n\nMore."),
            json!({
                "title": "Headline",
                "body": format!("{long}\n\nMore."),
                "word_count": 71,
            }),
        );
        check(
            "Headline\nOne line here.\nAnother line here.\n\nMore.",
            json!({
                "title": "Headline",
                "body": "One line here.\nAnother line here.\n\nMore.",
                "word_count": 7,
            }),
        );
    }

    #[test]
    fn lines_without_blank_lines_are_paragraphs() {
        check(
            "Headline\nFirst paragraph.\nSecond paragraph.",
            json!({
                "title": "Headline",
                "body": "First paragraph.\n\nSecond paragraph.",
                "word_count": 4,
            }),
        );
    }

    #[test]
    fn datelines_in_house_styles() {
        let cases = [
            (
                "Washington: The vote passed.",
                json!({"place": "Washington"}),
            ),
            (
                "WASHINGTON \u{2014} The vote passed.",
                json!({"place": "WASHINGTON"}),
            ),
            (
                "WASHINGTON (AP) \u{2014} The vote passed.",
                json!({"place": "WASHINGTON"}),
            ),
            (
                "LONDON, March 3 (Reuters) - The vote passed.",
                json!({"place": "LONDON", "date": "March 3"}),
            ),
            (
                "NEW YORK, March 2 - The vote passed.",
                json!({"place": "NEW YORK", "date": "March 2"}),
            ),
        ];
        for (paragraph, dateline) in cases {
            check(
                &format!("Headline\n\n{paragraph}\n\nSecond paragraph."),
                json!({
                    "title": "Headline",
                    "dateline": dateline,
                    "body": "The vote passed.\n\nSecond paragraph.",
                    "word_count": 5,
                }),
            );
        }
    }

    #[test]
    fn dateline_only_on_the_first_paragraph() {
        check(
            "Headline\n\nThe vote passed.\n\nLONDON - Reaction came.",
            json!({
                "title": "Headline",
                "body": "The vote passed.\n\nLONDON - Reaction came.",
                "word_count": 7,
            }),
        );
    }

    #[test]
    fn bylines_and_agency_credits() {
        check(
            "Headline\nA standfirst of a few words.\nBy Jane Smith and John Doe\n\n\
             PARIS (AFP) \u{2014} Text.\n\nMore text.\n\nAdditional reporting by Ann Lee",
            json!({
                "title": "Headline",
                "subtitle": "A standfirst of a few words.",
                "byline": "By Jane Smith and John Doe",
                "authors": ["Jane Smith", "John Doe"],
                "dateline": {"place": "PARIS"},
                "body": "Text.\n\nMore text.",
                "word_count": 3,
                "boilerplate": ["Additional reporting by Ann Lee"],
            }),
        );
        check(
            "Headline\n\nBy JANE SMITH, Associated Press Writer\n\nText.",
            json!({
                "title": "Headline",
                "byline": "By JANE SMITH, Associated Press Writer",
                "authors": ["Jane Smith"],
                "body": "Text.",
                "word_count": 1,
            }),
        );
        check(
            "Headline\n\nReuters\n\nText.\n\n(Reporting by Jane Smith; Editing by John Doe)",
            json!({
                "title": "Headline",
                "byline": "Reuters",
                "authors": ["Reuters"],
                "body": "Text.",
                "word_count": 1,
                "boilerplate": ["(Reporting by Jane Smith; Editing by John Doe)"],
            }),
        );
        check(
            "Headline\nSource: AP\n\nText.",
            json!({
                "title": "Headline",
                "byline": "Source: AP",
                "authors": ["AP"],
                "body": "Text.",
                "word_count": 1,
            }),
        );
        // A byline late in the article is text.
        check(
            "Headline\n\nOne.\n\nTwo.\n\nBy Jane Smith",
            json!({
                "title": "Headline",
                "body": "One.\n\nTwo.\n\nBy Jane Smith",
                "word_count": 5,
            }),
        );
    }

    #[test]
    fn comment_widget_tail() {
        check(
            "Headline\n\nText.\n\nWhat's your reaction?\n\nComments\n\n\
             https://example.com/assets/images/user-avatar-s.jpg\n\n3 comments\n\nLike",
            json!({
                "title": "Headline",
                "body": "Text.",
                "word_count": 1,
                "comment_count": 3,
                "site": "example.com",
                "boilerplate": [
                    "What's your reaction?",
                    "Comments",
                    "https://example.com/assets/images/user-avatar-s.jpg",
                    "3 comments",
                    "Like",
                ],
            }),
        );
        check(
            "Headline\n\nText.\n\nBe the first to comment",
            json!({
                "title": "Headline",
                "body": "Text.",
                "word_count": 1,
                "comment_count": 0,
                "boilerplate": ["Be the first to comment"],
            }),
        );
    }

    #[test]
    fn furniture_inside_and_around_the_text() {
        check(
            "Skip to main content\nHeadline\n\nShare this:\nFacebook | Twitter\n\nOne.\n\n\
             ADVERTISEMENT\n\nTwo.\n\nSign up for our daily newsletter\n\n\
             We use cookies to improve your experience. By continuing you agree.\n\n\
             Follow us on Twitter\n\nRead more: Another story\n\nRelated stories\n\
             Protesters defy ban\nObama voices concern\n\n\u{a9} 2009 morgue.example.com",
            json!({
                "title": "Headline",
                "body": "One.\n\nTwo.",
                "word_count": 2,
                "boilerplate": [
                    "Skip to main content",
                    "Share this:",
                    "Facebook | Twitter",
                    "ADVERTISEMENT",
                    "Sign up for our daily newsletter",
                    "We use cookies to improve your experience. By continuing you agree.",
                    "Follow us on Twitter",
                    "Read more: Another story",
                    "Related stories",
                    "Protesters defy ban",
                    "Obama voices concern",
                    "\u{a9} 2009 morgue.example.com",
                ],
                "site": "morgue.example.com",
            }),
        );
    }

    #[test]
    fn site_prefers_the_copyright_line() {
        check(
            "Headline\n\nText.\n\nhttps://cdn.other.net/logo.png\n\nCopyright 2009 news.example.org",
            json!({
                "title": "Headline",
                "body": "Text.",
                "word_count": 1,
                "site": "news.example.org",
                "boilerplate": [
                    "https://cdn.other.net/logo.png",
                    "Copyright 2009 news.example.org",
                ],
            }),
        );
    }

    #[test]
    fn timestamp_under_the_headline_is_furniture() {
        check(
            "Headline\nA standfirst of a few words.\nPublished: 16 June 2009 10:32 GMT\n\n\
             Text.\n\nJune 16, 2009",
            json!({
                "title": "Headline",
                "subtitle": "A standfirst of a few words.",
                "body": "Text.\n\nJune 16, 2009",
                "word_count": 4,
                "boilerplate": ["Published: 16 June 2009 10:32 GMT"],
            }),
        );
    }

    #[test]
    fn a_bare_date_after_a_blank_line_stays_in_the_body() {
        check(
            "Ireland v USA\n\nUpdated: 10:32 GMT\n\nSaturday 20 November\n\nText.",
            json!({
                "title": "Ireland v USA",
                "body": "Saturday 20 November\n\nText.",
                "word_count": 4,
                "boilerplate": ["Updated: 10:32 GMT"],
            }),
        );
    }

    #[test]
    fn agency_credit_ends_a_dateline_without_separator() {
        check(
            "Headline\n\nNew Delhi, June 16 (IANS) The monsoon arrived.",
            json!({
                "title": "Headline",
                "dateline": {"place": "New Delhi", "date": "June 16"},
                "body": "The monsoon arrived.",
                "word_count": 3,
            }),
        );
    }

    #[test]
    fn a_paragraph_long_first_line_is_not_a_headline() {
        let long = "word ".repeat(45);
        let long = long.trim_end();
        check(
            &format!("{long}\n\nMore."),
            json!({"body": format!("{long}\n\nMore."), "word_count": 46}),
        );
    }

    #[test]
    fn odd_input_never_panics_and_always_validates() {
        const PIECES: &[&str] = &[
            "WASHINGTON",
            " (AP) ",
            "\u{2014}",
            "\u{2013}",
            "-",
            "--",
            ":",
            " ",
            "\n",
            "\n\n",
            "By ",
            "Jane",
            "(",
            ")",
            ",",
            "March 3",
            "\u{a3}",
            "\u{e9}",
            "\u{1f600}",
            "Comments",
            "0 comment",
            "https://",
            "x.com/a.jpg",
            "\u{a9} 2009 ",
            "Share",
            "Related",
            ".",
            "\r\n",
            "\u{feff}",
            "\u{a0}",
            "\t",
            "Reuters",
            "the",
            "12",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..(state % 40) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
            }
            let fields = read(&text);
            check_output(&Structure.manifest(), &fields).expect("valid output");
            let words = fields
                .get("body")
                .and_then(Value::as_str)
                .map_or(0, |b| b.split_whitespace().count());
            assert_eq!(fields["word_count"], json!(words), "{text:?}");
        }
    }

    #[test]
    fn crlf_and_odd_whitespace() {
        check(
            "\u{feff}Headline\r\n\r\n  First\u{a0}para.  \r\n",
            json!({"title": "Headline", "body": "First\u{a0}para.", "word_count": 2}),
        );
    }
}
