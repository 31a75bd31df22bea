//! The query language of DESIGN §5: the one parser that turns what a user types after
//! `morgue search` into a [`Query`] tree, or into a [`QueryError`] that names the position and what
//! was expected there.
//!
//! # Syntax
//!
//! ```text
//! query   = or                                  (the whole input)
//! or      = and { "OR" and }
//! and     = unary { [ "AND" ] unary }           (adjacent clauses are joined by AND)
//! unary   = "NOT" unary | "-" unary | primary   ("-" touches what it negates)
//! primary = "(" or ")" | "\"" phrase "\"" | word | prefix "*"
//!         | field ":" ( word | prefix "*" | "\"" phrase "\"" | "(" or ")" )
//!         | range-field ":" range
//! range   = value | value ".." value | value ".." | ".." value
//!         | ">" value | ">=" value | "<" value | "<=" value
//! ```
//!
//! - NOT binds tightest, then AND, then OR: `a b OR c` is `((a AND b) OR c)`.
//! - `AND`, `OR` and `NOT` are keywords only when written in upper case and standing alone; `or`
//!   is a word. `|` and `&` are ordinary characters (the analyser drops them).
//! - A word is a run of characters other than white space, `(`, `)` and `"`. A `-` negates only at
//!   the start of a clause (`well-known` is one word); `-5` is "not 5".
//! - A phrase runs to the next `"`; it has no escapes and must hold more than white space.
//! - A word ending in `*` is a prefix; `*` alone is an error.
//! - A word `name:rest` whose `name` is made of ASCII letters, and whose `rest` does not start with
//!   `/`, is a field filter: `name` must be a known field (case is ignored), or the query is
//!   rejected with the list of known fields. Any other word with a colon is a plain word, so
//!   `10:30` and `http://example.com` stay words. The value must touch the colon: `title: x` is an
//!   error. Inside a field's group (`title:(a OR b)`) every word is searched in that field, and
//!   another field filter is an error.
//! - Dates are `YYYY-MM-DD` (month and day checked against the calendar) and numbers are `u64`;
//!   a range whose start is after its end is an error.
//!
//! The tree keeps the user's own words. Analysis (lower-casing, stemming, folding) happens when
//! the query is run, through [`Query::analysed`], because which analyser applies depends on the
//! index being searched.
//!
//! # Normalised form
//!
//! `Display` prints a [`Query`] so that parsing the printed text gives the same tree back: every
//! AND and OR is wrapped in parentheses with its keyword spelled out (`(a AND (b OR c))`), every
//! negation is written `-x`, field names are lower case, and ranges are written `a..b`, `>=a`,
//! `<=b`, `>a` or `<b`.
//!
//! # Limits
//!
//! A query is at most [`MAX_QUERY_BYTES`] bytes and nests groups and negations at most
//! [`MAX_DEPTH`] deep. Both are checked as the parser goes, so a huge or deeply nested input is
//! rejected quickly, without a stack overflow, and every tree the parser returns is shallow
//! enough for the recursive code that prints, drops and runs it.

use std::fmt;

use crate::analysis::Analyzer;

/// The longest query, in UTF-8 bytes, that [`parse`] accepts. Anything longer is a pasted document
/// rather than a query, and rejecting it first bounds all later work.
pub const MAX_QUERY_BYTES: usize = 4096;

/// How deep [`parse`] lets groups, field groups and negations nest. Real queries stay within a
/// handful of levels; the bound keeps the parser's recursion and the tree's depth small.
pub const MAX_DEPTH: usize = 32;

/// A parsed query: the tree of DESIGN §5's query language, holding the user's raw words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// A single word, as typed (`Reuters`, `10:30`).
    Term(String),
    /// An exact phrase, the text between the quotes as typed.
    Phrase(String),
    /// A prefix: the word before the final `*` (`tele` of `tele*`).
    Prefix(String),
    /// A query restricted to one text field. The inner query holds no field filter or range.
    Field {
        /// The field searched.
        field: Field,
        /// What must match in that field: a term, phrase or prefix, or a group of them.
        query: Box<Query>,
    },
    /// A range filter on a date or number field.
    Range(Range),
    /// Documents that do not match the inner query.
    Not(Box<Query>),
    /// Documents that match every clause; the parser always gives two or more.
    And(Vec<Query>),
    /// Documents that match at least one clause; the parser always gives two or more.
    Or(Vec<Query>),
}

/// The text fields a filter `name:value` can search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// `title:`, the headline.
    Title,
    /// `body:`, the article text.
    Body,
    /// `site:`, the publishing site.
    Site,
    /// `author:`, the byline.
    Author,
    /// `dateline:`, the place and date line.
    Dateline,
    /// `person:`, a person named by an entity extractor.
    Person,
    /// `org:`, an organisation named by an entity extractor.
    Org,
    /// `place:`, a place named by an entity extractor.
    Place,
    /// `entity:`, an entity of any kind.
    Entity,
    /// `speaker:`, the speaker of a quote.
    Speaker,
    /// `quote:`, the text of a quote.
    Quote,
    /// `tag:`, a tag.
    Tag,
    /// `lang:`, the document's language code.
    Lang,
    /// `id:`, the document id.
    Id,
}

impl Field {
    /// Every field, in the order the error for an unknown field lists them.
    pub const ALL: [Field; 14] = [
        Field::Title,
        Field::Body,
        Field::Site,
        Field::Author,
        Field::Dateline,
        Field::Person,
        Field::Org,
        Field::Place,
        Field::Entity,
        Field::Speaker,
        Field::Quote,
        Field::Tag,
        Field::Lang,
        Field::Id,
    ];

    /// The name written before the colon.
    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Body => "body",
            Field::Site => "site",
            Field::Author => "author",
            Field::Dateline => "dateline",
            Field::Person => "person",
            Field::Org => "org",
            Field::Place => "place",
            Field::Entity => "entity",
            Field::Speaker => "speaker",
            Field::Quote => "quote",
            Field::Tag => "tag",
            Field::Lang => "lang",
            Field::Id => "id",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The names of the range fields, in the order the error for an unknown field lists them.
const RANGE_FIELDS: [&str; 3] = ["published", "imported", "words"];

/// A range filter: which field, and the bounds on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Range {
    /// `published:`, the article's publication date.
    Published(Bounds<Date>),
    /// `imported:`, the date the article entered the archive.
    Imported(Bounds<Date>),
    /// `words:`, the article's length in words.
    Words(Bounds<u64>),
}

/// The values a range accepts. `>=a` and `a..` mean the same and parse to [`Bounds::AtLeast`];
/// `<=b` and `..b` parse to [`Bounds::AtMost`]; a single value `a` is `a..a`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bounds<T> {
    /// `a..b`: from `a` to `b`, both included; the parser ensures `a <= b`.
    Between(T, T),
    /// `>=a` or `a..`: `a` or more.
    AtLeast(T),
    /// `<=b` or `..b`: `b` or less.
    AtMost(T),
    /// `>a`: more than `a`.
    Above(T),
    /// `<b`: less than `b`.
    Below(T),
}

impl<T: Ord> Bounds<T> {
    /// Whether `value` lies within the bounds.
    pub fn contains(&self, value: &T) -> bool {
        match self {
            Bounds::Between(low, high) => low <= value && value <= high,
            Bounds::AtLeast(low) => value >= low,
            Bounds::AtMost(high) => value <= high,
            Bounds::Above(low) => value > low,
            Bounds::Below(high) => value < high,
        }
    }
}

impl<T: fmt::Display> fmt::Display for Bounds<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bounds::Between(low, high) => write!(f, "{low}..{high}"),
            Bounds::AtLeast(low) => write!(f, ">={low}"),
            Bounds::AtMost(high) => write!(f, "<={high}"),
            Bounds::Above(low) => write!(f, ">{low}"),
            Bounds::Below(high) => write!(f, "<{high}"),
        }
    }
}

/// A calendar date of the proleptic Gregorian calendar, as written `YYYY-MM-DD` in a query.
/// Dates order by year, then month, then day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The date, or `None` when the month is not 1–12, the day is not within that month, or the
    /// year has more than four digits.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let valid = year <= 9999 && (1..=12).contains(&month) && day >= 1 && {
            day <= days_in_month(year, month)
        };
        valid.then_some(Date { year, month, day })
    }

    /// The year, 0–9999.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(self) -> u8 {
        self.day
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The number of days of `month` (1–12) in `year`, with the Gregorian leap-year rule.
fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A syntax error: where it is and what the parser wanted there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("query error at {at}: expected {expected} but found {found}")]
pub struct QueryError {
    /// The position of the error, in characters (not bytes) from the start of the query, 0-based.
    /// It can equal the query's length when the query ended too soon.
    pub at: usize,
    /// What would have been valid at that position, e.g. `a closing ")"`.
    pub expected: String,
    /// What was there instead, e.g. `end of query` or `"OR"`.
    pub found: String,
}

/// How many characters of the query [`QueryError::render`] shows before the error's position.
/// With [`RENDER_AFTER`] it keeps the line within 80 columns, so the caret stays under it.
const RENDER_BEFORE: usize = 60;
/// How many characters [`QueryError::render`] shows after the error's position.
const RENDER_AFTER: usize = 19;

impl QueryError {
    /// The query (or the part of it around the error, when it is long) on one line, and a caret
    /// under the error's position on the next, for the CLI to print below the message.
    ///
    /// Control characters and line breaks are shown as spaces so the caret stays aligned; a wide
    /// character (a CJK ideograph) before the position can still shift it by a column.
    pub fn render(&self, query: &str) -> String {
        let total = query.chars().count();
        let at = self.at.min(total);
        let start = at.saturating_sub(RENDER_BEFORE);
        let end = (at + 1 + RENDER_AFTER).min(total);
        let mut line = String::new();
        let mut caret = 0;
        if start > 0 {
            line.push('…');
            caret += 1;
        }
        for c in query.chars().skip(start).take(end - start) {
            line.push(if c.is_control() { ' ' } else { c });
        }
        if end < total {
            line.push('…');
        }
        caret += at - start;
        format!("{line}\n{}^", " ".repeat(caret))
    }
}

/// Parses a query of DESIGN §5's language.
///
/// # Errors
///
/// A [`QueryError`] for an empty or malformed query, an unknown field, a bad date or number, a
/// query longer than [`MAX_QUERY_BYTES`], or one nested deeper than [`MAX_DEPTH`].
pub fn parse(input: &str) -> Result<Query, QueryError> {
    parse_limited(input, MAX_QUERY_BYTES, MAX_DEPTH)
}

/// [`parse`] with chosen limits, so tests can show that the depth guard alone stops a long,
/// deeply nested input and that parsing time grows linearly with the input.
fn parse_limited(input: &str, max_bytes: usize, max_depth: usize) -> Result<Query, QueryError> {
    if input.len() > max_bytes {
        // Only the first `max_bytes` are looked at, so a megabyte is rejected as fast as 5 KiB.
        let at = input
            .char_indices()
            .take_while(|&(i, _)| i < max_bytes)
            .count();
        return Err(QueryError {
            at,
            expected: format!("a query of at most {max_bytes} bytes"),
            found: format!("a query of {} bytes", input.len()),
        });
    }
    let mut parser = Parser {
        chars: input.chars().collect(),
        pos: 0,
        depth: 0,
        max_depth,
        field: None,
    };
    let query = parser.or()?;
    match parser.peek() {
        (_, Token::End) => Ok(query),
        (at, Token::RParen) => Err(parser.error(at, "an opening \"(\" before this \")\"", "\")\"")),
        (at, token) => {
            // The loops of `or` and `and` stop only at the end, a ")" or a keyword they reject.
            let found = parser.describe(at, token);
            Err(parser.error(at, "the end of the query", &found))
        }
    }
}

/// What starts at a position, once white space is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `"`, the start of a phrase.
    Quote,
    /// A word, ending (exclusive) at the given character position.
    Word(usize),
    /// The end of the input.
    End,
}

/// A recursive-descent parser over the query's characters. Positions are indices into `chars`, so
/// they are the character offsets that [`QueryError::at`] reports.
struct Parser {
    chars: Vec<char>,
    pos: usize,
    /// How many groups and negations enclose the current position.
    depth: usize,
    max_depth: usize,
    /// The field whose group is being parsed, if any.
    field: Option<Field>,
}

/// Whether `c` ends a word.
fn ends_word(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')' || c == '"'
}

impl Parser {
    /// The token at the next non-space position, and that position, without consuming it.
    fn peek(&mut self) -> (usize, Token) {
        while self.pos < self.chars.len() && self.chars[self.pos].is_whitespace() {
            self.pos += 1;
        }
        (self.pos, self.token_at(self.pos))
    }

    /// The token starting exactly at `at`, which must not be white space.
    fn token_at(&self, at: usize) -> Token {
        match self.chars.get(at) {
            None => Token::End,
            Some('(') => Token::LParen,
            Some(')') => Token::RParen,
            Some('"') => Token::Quote,
            Some(_) => {
                let mut end = at;
                while end < self.chars.len() && !ends_word(self.chars[end]) {
                    end += 1;
                }
                Token::Word(end)
            }
        }
    }

    fn text(&self, start: usize, end: usize) -> String {
        self.chars[start..end].iter().collect()
    }

    fn is_keyword(&self, start: usize, end: usize, keyword: &str) -> bool {
        end - start == keyword.len() && self.chars[start..end].iter().copied().eq(keyword.chars())
    }

    fn error(&self, at: usize, expected: &str, found: &str) -> QueryError {
        QueryError {
            at,
            expected: expected.to_owned(),
            found: found.to_owned(),
        }
    }

    /// How an error message names the token at `at`: quoted and cut short if long.
    fn describe(&self, at: usize, token: Token) -> String {
        match token {
            Token::End => "end of query".to_owned(),
            Token::LParen => "\"(\"".to_owned(),
            Token::RParen => "\")\"".to_owned(),
            Token::Quote => "a phrase".to_owned(),
            Token::Word(end) => self.quote(at, end),
        }
    }

    /// `chars[start..end]` in double quotes, cut to 30 characters so a message stays one line.
    fn quote(&self, start: usize, end: usize) -> String {
        const LONGEST: usize = 30;
        if end - start > LONGEST {
            format!("\"{}…\"", self.text(start, start + LONGEST))
        } else {
            format!("\"{}\"", self.text(start, end))
        }
    }

    /// Enters a group or negation found at `at`, or refuses to go deeper than the limit.
    fn enter(&mut self, at: usize, what: &str) -> Result<(), QueryError> {
        if self.depth >= self.max_depth {
            return Err(self.error(
                at,
                &format!("at most {} nested groups and negations", self.max_depth),
                &format!("one more {what}"),
            ));
        }
        self.depth += 1;
        Ok(())
    }

    /// `or = and { "OR" and }`
    fn or(&mut self) -> Result<Query, QueryError> {
        let mut clauses = Vec::new();
        push_flat(&mut clauses, self.and()?, is_or);
        loop {
            match self.peek() {
                (at, Token::Word(end)) if self.is_keyword(at, end, "OR") => {
                    self.pos = end;
                    push_flat(&mut clauses, self.and()?, is_or);
                }
                _ => break,
            }
        }
        Ok(join(clauses, Query::Or))
    }

    /// `and = unary { [ "AND" ] unary }`
    fn and(&mut self) -> Result<Query, QueryError> {
        let mut clauses = Vec::new();
        push_flat(&mut clauses, self.unary()?, is_and);
        loop {
            match self.peek() {
                (_, Token::End | Token::RParen) => break,
                (at, Token::Word(end)) if self.is_keyword(at, end, "OR") => break,
                (at, Token::Word(end)) if self.is_keyword(at, end, "AND") => {
                    self.pos = end;
                }
                _ => {}
            }
            push_flat(&mut clauses, self.unary()?, is_and);
        }
        Ok(join(clauses, Query::And))
    }

    /// `unary = "NOT" unary | "-" unary | primary`
    fn unary(&mut self) -> Result<Query, QueryError> {
        let (at, token) = self.peek();
        let Token::Word(end) = token else {
            return self.primary();
        };
        if self.is_keyword(at, end, "NOT") {
            self.enter(at, "\"NOT\"")?;
            self.pos = end;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Query::Not(Box::new(inner)));
        }
        if self.chars[at] == '-' {
            // A "-" apart from what follows it is more likely a dash than a negation, so it is
            // refused rather than guessed at.
            let next = at + 1;
            match self.chars.get(next) {
                None => {
                    return Err(self.error(
                        next,
                        "a word, phrase or group right after \"-\"",
                        "end of query",
                    ));
                }
                Some(&c) if c.is_whitespace() || c == ')' => {
                    let found = if c == ')' { "\")\"" } else { "a space" };
                    return Err(self.error(
                        next,
                        "a word, phrase or group right after \"-\"",
                        found,
                    ));
                }
                Some(_) => {}
            }
            self.enter(at, "\"-\"")?;
            self.pos = next;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Query::Not(Box::new(inner)));
        }
        self.primary()
    }

    /// A group, a phrase, or a word (a term, a prefix, a field filter or a range).
    fn primary(&mut self) -> Result<Query, QueryError> {
        let (at, token) = self.peek();
        match token {
            Token::LParen => self.group(at),
            Token::Quote => self.phrase(at),
            Token::Word(end) => {
                for keyword in ["AND", "OR", "NOT"] {
                    if self.is_keyword(at, end, keyword) {
                        return Err(self.error(
                            at,
                            "a word, phrase or group",
                            &format!("\"{keyword}\""),
                        ));
                    }
                }
                self.word(at, end)
            }
            Token::RParen | Token::End => {
                let found = self.describe(at, token);
                Err(self.error(at, "a word, phrase or group", &found))
            }
        }
    }

    /// `"(" or ")"`, with `at` on the "(".
    fn group(&mut self, at: usize) -> Result<Query, QueryError> {
        self.enter(at, "\"(\"")?;
        self.pos = at + 1;
        let inner = self.or()?;
        match self.peek() {
            (close, Token::RParen) => self.pos = close + 1,
            (close, token) => {
                let found = self.describe(close, token);
                return Err(self.error(
                    close,
                    &format!("a closing \")\" for the \"(\" at {at}"),
                    &found,
                ));
            }
        }
        self.depth -= 1;
        Ok(inner)
    }

    /// A phrase, with `at` on its opening quote.
    fn phrase(&mut self, at: usize) -> Result<Query, QueryError> {
        let start = at + 1;
        let Some(len) = self.chars[start..].iter().position(|&c| c == '"') else {
            return Err(self.error(
                self.chars.len(),
                &format!("a closing quote for the phrase opened at {at}"),
                "end of query",
            ));
        };
        let end = start + len;
        if self.chars[start..end].iter().all(|c| c.is_whitespace()) {
            return Err(self.error(at, "a phrase with a word in it", "an empty phrase"));
        }
        self.pos = end + 1;
        Ok(Query::Phrase(self.text(start, end)))
    }

    /// The word `chars[at..end]`: a field filter, a range, a prefix or a term.
    fn word(&mut self, at: usize, end: usize) -> Result<Query, QueryError> {
        self.pos = end;
        if let Some(colon) = self.field_colon(at, end) {
            let name: String = self.text(at, colon).to_ascii_lowercase();
            if let Some(field) = self.field {
                return Err(self.error(
                    at,
                    &format!("a word, phrase or prefix to search in {field}:"),
                    &format!("another field filter \"{name}:\""),
                ));
            }
            if let Some(field) = Field::ALL.into_iter().find(|f| f.name() == name) {
                return self.field_value(field, colon + 1, end);
            }
            if RANGE_FIELDS.contains(&name.as_str()) {
                return self.range(&name, colon + 1, end);
            }
            let known: Vec<&str> = Field::ALL
                .iter()
                .map(|f| f.name())
                .chain(RANGE_FIELDS)
                .collect();
            let written = self.text(at, colon);
            let found = if written.contains('.') {
                // `readtime.minutes`: a plugin's own field, named with its prefix.
                format!(
                    "\"{written}\", a plugin's field, which queries cannot filter on \
                     (add it to the output with --fields {written})"
                )
            } else {
                format!("unknown field \"{written}\"")
            };
            return Err(self.error(
                at,
                &format!("one of the fields {}", known.join(", ")),
                &found,
            ));
        }
        self.term_or_prefix(at, end)
    }

    /// The position of the colon if `chars[at..end]` is a field filter: a name (a letter, then
    /// letters, digits, `_` or `.`, not ending in `.`, as core and plugin field names are), a
    /// colon, and a value that does not start with `/` (which would make it a URL). `10:30`
    /// stays a word.
    fn field_colon(&self, at: usize, end: usize) -> Option<usize> {
        let colon = at + self.chars[at..end].iter().position(|&c| c == ':')?;
        let name = &self.chars[at..colon];
        let named = name.first().is_some_and(char::is_ascii_alphabetic)
            && name
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            && name.last() != Some(&'.');
        (named && self.chars.get(colon + 1) != Some(&'/')).then_some(colon)
    }

    /// A term or, when it ends in `*`, a prefix.
    fn term_or_prefix(&self, at: usize, end: usize) -> Result<Query, QueryError> {
        if self.chars[end - 1] != '*' {
            return Ok(Query::Term(self.text(at, end)));
        }
        if end - 1 == at {
            return Err(self.error(at, "a word before \"*\"", "\"*\""));
        }
        Ok(Query::Prefix(self.text(at, end - 1)))
    }

    /// The value of a text field: `value..end` is what touches the colon within the word.
    fn field_value(&mut self, field: Field, value: usize, end: usize) -> Result<Query, QueryError> {
        let expected = format!("a word, phrase, prefix or group right after \"{field}:\"");
        let inner = if value < end {
            if self.chars[value] == '-' {
                return Err(self.error(
                    value,
                    &format!("{expected} (write -{field}:word to exclude a word)"),
                    "\"-\"",
                ));
            }
            self.term_or_prefix(value, end)?
        } else {
            match self.token_at(value) {
                Token::Quote => self.phrase(value)?,
                Token::LParen => {
                    self.field = Some(field);
                    let inner = self.group(value);
                    self.field = None;
                    inner?
                }
                Token::End => return Err(self.error(value, &expected, "end of query")),
                Token::RParen => return Err(self.error(value, &expected, "\")\"")),
                // The word ended at `value`, so what follows is white space.
                Token::Word(_) => return Err(self.error(value, &expected, "a space")),
            }
        };
        Ok(Query::Field {
            field,
            query: Box::new(inner),
        })
    }

    /// The range `chars[value..end]` of the range field `name`.
    fn range(&self, name: &str, value: usize, end: usize) -> Result<Query, QueryError> {
        if value == end {
            let found = match self.chars.get(value) {
                None => "end of query",
                Some(c) if c.is_whitespace() => "a space",
                Some(_) => "something else",
            };
            let what = if name == "words" {
                "a number"
            } else {
                "a date"
            };
            return Err(self.error(
                value,
                &format!("{what} or range right after \"{name}:\""),
                found,
            ));
        }
        Ok(Query::Range(match name {
            "words" => Range::Words(self.bounds(value, end, &|p, s, e| p.number(s, e))?),
            "published" => Range::Published(self.bounds(value, end, &|p, s, e| p.date(s, e))?),
            _ => Range::Imported(self.bounds(value, end, &|p, s, e| p.date(s, e))?),
        }))
    }

    /// The bounds written in `chars[start..end]`, each value read by `read`.
    fn bounds<T: Ord + fmt::Display + Copy>(
        &self,
        start: usize,
        end: usize,
        read: &dyn Fn(&Parser, usize, usize) -> Result<T, QueryError>,
    ) -> Result<Bounds<T>, QueryError> {
        let s = &self.chars[start..end];
        if s.starts_with(&['>', '=']) {
            return Ok(Bounds::AtLeast(read(self, start + 2, end)?));
        }
        if s.starts_with(&['<', '=']) {
            return Ok(Bounds::AtMost(read(self, start + 2, end)?));
        }
        if s.starts_with(&['>']) {
            return Ok(Bounds::Above(read(self, start + 1, end)?));
        }
        if s.starts_with(&['<']) {
            return Ok(Bounds::Below(read(self, start + 1, end)?));
        }
        let Some(dots) = s.windows(2).position(|w| w == ['.', '.']) else {
            let value = read(self, start, end)?;
            return Ok(Bounds::Between(value, value));
        };
        let (low_end, high_start) = (start + dots, start + dots + 2);
        match (low_end > start, high_start < end) {
            (true, true) => {
                let low = read(self, start, low_end)?;
                let high = read(self, high_start, end)?;
                if low > high {
                    return Err(self.error(
                        high_start,
                        &format!("an end not before the start {low}"),
                        &self.quote(high_start, end),
                    ));
                }
                Ok(Bounds::Between(low, high))
            }
            (true, false) => Ok(Bounds::AtLeast(read(self, start, low_end)?)),
            (false, true) => Ok(Bounds::AtMost(read(self, high_start, end)?)),
            (false, false) => {
                Err(self.error(start, "a value before or after \"..\"", "\"..\" alone"))
            }
        }
    }

    /// The number in `chars[start..end]`.
    fn number(&self, start: usize, end: usize) -> Result<u64, QueryError> {
        let digits = &self.chars[start..end];
        if digits.is_empty() || !digits.iter().all(char::is_ascii_digit) {
            return Err(self.error(start, "a number", &self.found_value(start, end)));
        }
        self.text(start, end).parse().map_err(|_| {
            self.error(
                start,
                &format!("a number up to {}", u64::MAX),
                &self.quote(start, end),
            )
        })
    }

    /// The date `YYYY-MM-DD` in `chars[start..end]`.
    fn date(&self, start: usize, end: usize) -> Result<Date, QueryError> {
        let c = &self.chars[start..end];
        let shaped = c.len() == 10
            && c[4] == '-'
            && c[7] == '-'
            && [0, 1, 2, 3, 5, 6, 8, 9]
                .iter()
                .all(|&i| c[i].is_ascii_digit());
        if !shaped {
            return Err(self.error(start, "a date as YYYY-MM-DD", &self.found_value(start, end)));
        }
        let digits = |from: usize, to: usize| {
            c[from..to]
                .iter()
                .fold(0u16, |n, d| n * 10 + d.to_digit(10).map_or(0, |d| d as u16))
        };
        let (year, month, day) = (digits(0, 4), digits(5, 7), digits(8, 10));
        if !(1..=12).contains(&month) {
            return Err(self.error(
                start + 5,
                "a month from 01 to 12",
                &self.quote(start + 5, start + 7),
            ));
        }
        // The month is 1-12 and the day below 100, so both fit a u8.
        let (month, day) = (month as u8, day as u8);
        let last = days_in_month(year, month);
        Date::new(year, month, day).ok_or_else(|| {
            self.error(
                start + 8,
                &format!("a day from 01 to {last}"),
                &self.quote(start + 8, start + 10),
            )
        })
    }

    /// How an error names a range value: quoted, or "nothing" when it is empty.
    fn found_value(&self, start: usize, end: usize) -> String {
        if start == end {
            match self.chars.get(start) {
                None => "end of query".to_owned(),
                Some(_) => "nothing".to_owned(),
            }
        } else {
            self.quote(start, end)
        }
    }
}

fn is_or(query: &Query) -> bool {
    matches!(query, Query::Or(_))
}

fn is_and(query: &Query) -> bool {
    matches!(query, Query::And(_))
}

/// Appends `query` to `clauses`, or its own clauses when it is the same operator (a group such as
/// `a AND (b AND c)`), so that equal queries give equal trees.
fn push_flat(clauses: &mut Vec<Query>, query: Query, same: fn(&Query) -> bool) {
    if same(&query) {
        if let Query::And(inner) | Query::Or(inner) = query {
            clauses.extend(inner);
        }
    } else {
        clauses.push(query);
    }
}

/// One clause as itself, several joined by `make`.
fn join(mut clauses: Vec<Query>, make: fn(Vec<Query>) -> Query) -> Query {
    if clauses.len() == 1
        && let Some(only) = clauses.pop()
    {
        return only;
    }
    make(clauses)
}

impl fmt::Display for Query {
    /// The normalised form described in the module documentation. An `And` or `Or` with no
    /// clause, which the parser never gives, prints as `()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Query::Term(word) => f.write_str(word),
            Query::Phrase(text) => write!(f, "\"{text}\""),
            Query::Prefix(prefix) => write!(f, "{prefix}*"),
            Query::Field { field, query } => match **query {
                Query::Term(_)
                | Query::Phrase(_)
                | Query::Prefix(_)
                | Query::And(_)
                | Query::Or(_) => write!(f, "{field}:{query}"),
                _ => write!(f, "{field}:({query})"),
            },
            Query::Range(Range::Published(bounds)) => write!(f, "published:{bounds}"),
            Query::Range(Range::Imported(bounds)) => write!(f, "imported:{bounds}"),
            Query::Range(Range::Words(bounds)) => write!(f, "words:{bounds}"),
            Query::Not(inner) => write!(f, "-{inner}"),
            Query::And(clauses) => write_joined(f, clauses, " AND "),
            Query::Or(clauses) => write_joined(f, clauses, " OR "),
        }
    }
}

fn write_joined(f: &mut fmt::Formatter<'_>, clauses: &[Query], keyword: &str) -> fmt::Result {
    f.write_str("(")?;
    for (i, clause) in clauses.iter().enumerate() {
        if i > 0 {
            f.write_str(keyword)?;
        }
        write!(f, "{clause}")?;
    }
    f.write_str(")")
}

/// The index terms of a [`Query::Term`], [`Query::Phrase`] or [`Query::Prefix`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysed {
    /// The terms, in order. When there are several, they must appear at consecutive positions,
    /// as a phrase: a quoted phrase, but also a word the analyser splits (`bbc.co.uk`). Empty
    /// when the text has no letter or digit, so that it can match nothing.
    pub terms: Vec<String>,
    /// Whether the last term is a prefix to expand (from `word*`), rather than a whole term.
    pub prefix: bool,
}

impl Query {
    /// The terms that this leaf of the tree looks up in an index built with `analyzer`, or
    /// `None` for any other kind of node. A prefix is lower-cased and folded but not stemmed, as
    /// [`Analyzer::prefix_terms`] explains.
    pub fn analysed(&self, analyzer: &Analyzer) -> Option<Analysed> {
        match self {
            Query::Term(text) | Query::Phrase(text) => Some(Analysed {
                terms: analyzer.query_terms(text),
                prefix: false,
            }),
            Query::Prefix(text) => {
                let terms = analyzer.prefix_terms(text);
                let prefix = !terms.is_empty();
                Some(Analysed { terms, prefix })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `input`, compares the normalised form with `expected`, and checks that parsing
    /// the normalised form gives the same tree.
    #[track_caller]
    fn check(input: &str, expected: &str) {
        let query = match parse(input) {
            Ok(query) => query,
            Err(e) => panic!("{input:?} failed: {e}\n{}", e.render(input)),
        };
        assert_eq!(query.to_string(), expected, "normalised form of {input:?}");
        round_trip(&query);
    }

    #[track_caller]
    fn round_trip(query: &Query) {
        let shown = query.to_string();
        match parse(&shown) {
            Ok(again) => assert_eq!(&again, query, "{shown:?} does not parse back"),
            Err(e) => panic!("{shown:?} does not parse back: {e}"),
        }
    }

    /// Checks that `input` fails at character `at` with a message containing `expected`.
    #[track_caller]
    fn check_err(input: &str, at: usize, expected: &str) {
        match parse(input) {
            Ok(query) => panic!("{input:?} parsed as {query}"),
            Err(e) => {
                let message = e.to_string();
                assert!(message.contains(expected), "{input:?}: {message}");
                assert_eq!(e.at, at, "{input:?}: {message}");
            }
        }
    }

    #[test]
    fn query_atoms() {
        check("reuters", "reuters");
        check("  Reuters  ", "Reuters");
        check("\"exact phrase\"", "\"exact phrase\"");
        check("\" spaced  out \"", "\" spaced  out \"");
        check("tele*", "tele*");
        check("a**", "a**");
        check("10:30", "10:30");
        check("http://example.com/x", "http://example.com/x");
        check("well-known", "well-known");
        check("café", "café");
        check("U.S.", "U.S.");
        check("a*b", "a*b");
        check("or", "or");
        check("and not", "(and AND not)");
        check("Or", "Or");
        check("a|b", "a|b");
        check("a\"b c\"d", "(a AND \"b c\" AND d)");
    }

    #[test]
    fn query_boolean_operators() {
        check("a b", "(a AND b)");
        check("a AND b", "(a AND b)");
        check("a b c", "(a AND b AND c)");
        check("a OR b", "(a OR b)");
        check("a OR b OR c", "(a OR b OR c)");
        check("a b OR c", "((a AND b) OR c)");
        check("a OR b c", "(a OR (b AND c))");
        check("a AND b OR c AND d", "((a AND b) OR (c AND d))");
        check("a (b OR c)", "(a AND (b OR c))");
        check("(a OR b) (c OR d)", "((a OR b) AND (c OR d))");
        check("a AND (b AND c)", "(a AND b AND c)");
        check("(a OR b) OR c", "(a OR b OR c)");
        check("((a))", "a");
        check("(a)(b)", "(a AND b)");
        check("\"x y\" OR z*", "(\"x y\" OR z*)");
    }

    #[test]
    fn query_negation() {
        check("-a", "-a");
        check("NOT a", "-a");
        check("a -b", "(a AND -b)");
        check("a NOT b", "(a AND -b)");
        check("NOT a b", "(-a AND b)");
        check("NOT a OR b", "(-a OR b)");
        check("-\"a b\"", "-\"a b\"");
        check("-(a OR b)", "-(a OR b)");
        check("NOT (a b)", "-(a AND b)");
        check("-tele*", "-tele*");
        check("--a", "--a");
        check("NOT NOT a", "--a");
        check("-NOT a", "--a");
        check("-title:x", "-title:x");
        check("-words:>5", "-words:>5");
        check("-5", "-5");
        check("a-", "a-");
        check("a AND NOT b", "(a AND -b)");
    }

    #[test]
    fn query_fields() {
        for field in Field::ALL {
            let name = field.name();
            check(&format!("{name}:x"), &format!("{name}:x"));
        }
        check("TITLE:Obama", "title:Obama");
        check("title:\"Barack Obama\"", "title:\"Barack Obama\"");
        check("title:pres*", "title:pres*");
        check("title:(a OR b)", "title:(a OR b)");
        check("title:(a b)", "title:(a AND b)");
        check("title:(a)", "title:a");
        check("title:(-a)", "title:(-a)");
        check("title:(a -b)", "title:(a AND -b)");
        check("title:(a (b OR \"c d\"))", "title:(a AND (b OR \"c d\"))");
        check("site:bbc.co.uk", "site:bbc.co.uk");
        check("id:ab:cd", "id:ab:cd");
        check("title:AND", "title:AND");
        check("title:http://x", "title:http://x");
        check("a title:b OR c", "((a AND title:b) OR c)");
        check("title:a:", "title:a:");
    }

    #[test]
    fn query_ranges() {
        check(
            "published:2009-06-01..2009-06-30",
            "published:2009-06-01..2009-06-30",
        );
        check("published:2009-06-01", "published:2009-06-01..2009-06-01");
        check("published:2009-06-01..", "published:>=2009-06-01");
        check("published:..2009-06-01", "published:<=2009-06-01");
        check("imported:>2026-01-01", "imported:>2026-01-01");
        check("imported:>=2026-01-01", "imported:>=2026-01-01");
        check("imported:<2026-01-01", "imported:<2026-01-01");
        check("imported:<=2026-01-01", "imported:<=2026-01-01");
        check("words:>500", "words:>500");
        check("words:100..500", "words:100..500");
        check("words:007", "words:7..7");
        check("words:5..5", "words:5..5");
        check(
            "words:18446744073709551615",
            "words:18446744073709551615..18446744073709551615",
        );
        check("published:2024-02-29", "published:2024-02-29..2024-02-29");
        check("published:2000-02-29", "published:2000-02-29..2000-02-29");
        check(
            "(words:<10 OR words:>1000) reuters",
            "((words:<10 OR words:>1000) AND reuters)",
        );
        check("PUBLISHED:2009-06-01..", "published:>=2009-06-01");
    }

    #[test]
    fn query_range_bounds_contain() {
        let Ok(Query::Range(Range::Words(bounds))) = parse("words:100..500") else {
            panic!("words:100..500 is a range");
        };
        assert!(!bounds.contains(&99) && bounds.contains(&100) && bounds.contains(&500));
        assert!(!bounds.contains(&501));
        assert!(Bounds::Above(5).contains(&6) && !Bounds::Above(5).contains(&5));
        assert!(Bounds::Below(5).contains(&4) && !Bounds::Below(5).contains(&5));
        assert!(Bounds::AtLeast(5).contains(&5) && !Bounds::AtLeast(5).contains(&4));
        assert!(Bounds::AtMost(5).contains(&5) && !Bounds::AtMost(5).contains(&6));
        let (Some(a), Some(b)) = (Date::new(2009, 6, 30), Date::new(2009, 7, 1)) else {
            panic!("valid dates");
        };
        assert!(a < b && Bounds::Below(b).contains(&a));
        assert_eq!(Date::new(2023, 2, 29), None);
        assert_eq!(Date::new(1900, 2, 29), None);
        assert_eq!(Date::new(2009, 0, 1), None);
    }

    #[test]
    fn query_syntax_errors() {
        check_err(
            "",
            0,
            "expected a word, phrase or group but found end of query",
        );
        check_err("   ", 3, "but found end of query");
        check_err(
            "a (b OR c",
            9,
            "expected a closing \")\" for the \"(\" at 2 but found end of query",
        );
        check_err("a)", 1, "expected an opening \"(\" before this \")\"");
        check_err("()", 1, "expected a word, phrase or group but found \")\"");
        check_err(
            "\"abc",
            4,
            "expected a closing quote for the phrase opened at 0",
        );
        check_err("a \"b c", 6, "closing quote");
        check_err("\"\"", 0, "an empty phrase");
        check_err("\"  \"", 0, "an empty phrase");
        check_err("-", 1, "right after \"-\" but found end of query");
        check_err("a - b", 3, "right after \"-\" but found a space");
        check_err("(a -)", 4, "but found \")\"");
        check_err("*", 0, "expected a word before \"*\"");
        check_err("a *", 2, "a word before \"*\"");
        check_err("OR", 0, "but found \"OR\"");
        check_err("a OR", 4, "but found end of query");
        check_err("a OR OR b", 5, "but found \"OR\"");
        check_err("AND a", 0, "but found \"AND\"");
        check_err("a AND", 5, "end of query");
        check_err("a AND OR b", 6, "\"OR\"");
        check_err("NOT", 3, "end of query");
        check_err("a NOT)", 5, "\")\"");
    }

    #[test]
    fn query_field_errors() {
        check_err("title:", 6, "right after \"title:\" but found end of query");
        check_err("title: x", 6, "but found a space");
        check_err("(title:)", 7, "but found \")\"");
        check_err("title:*", 6, "a word before \"*\"");
        check_err("title:-x", 6, "write -title:word to exclude");
        check_err("foo:bar", 0, "unknown field \"foo\"");
        check_err("word_count:>2", 0, "unknown field \"word_count\"");
        check_err("readtime.minutes:>2", 0, "a plugin's field");
        check_err(
            "a Foo:",
            2,
            "expected one of the fields title, body, site, author, dateline, person, org, place, \
             entity, speaker, quote, tag, lang, id, published, imported, words but found unknown \
             field \"Foo\"",
        );
        check_err("title:(a body:b)", 9, "another field filter \"body:\"");
        check_err("title:(a words:>5)", 9, "another field filter");
        check_err("title:(a", 8, "closing \")\"");
        check_err("title:\"a", 8, "closing quote");
    }

    #[test]
    fn query_range_errors() {
        check_err(
            "published:",
            10,
            "a date or range right after \"published:\" but found end",
        );
        check_err(
            "words: 5",
            6,
            "a number or range right after \"words:\" but found a space",
        );
        check_err("words:(5)", 6, "but found something else");
        check_err(
            "published:2009-13-01",
            15,
            "a month from 01 to 12 but found \"13\"",
        );
        check_err("published:2009-00-01", 15, "a month from 01 to 12");
        check_err(
            "published:2009-06-31",
            18,
            "a day from 01 to 30 but found \"31\"",
        );
        check_err("published:2023-02-29", 18, "a day from 01 to 28");
        check_err("published:1900-02-29", 18, "a day from 01 to 28");
        check_err("published:2009-01-00", 18, "a day from 01 to 31");
        check_err(
            "published:2009-6-1",
            10,
            "a date as YYYY-MM-DD but found \"2009-6-1\"",
        );
        check_err("published:yesterday", 10, "a date as YYYY-MM-DD");
        check_err(
            "imported:>",
            10,
            "a date as YYYY-MM-DD but found end of query",
        );
        check_err("imported:>=x", 11, "a date as YYYY-MM-DD but found \"x\"");
        check_err("imported:2009-06-01..x", 21, "a date as YYYY-MM-DD");
        check_err(
            "published:2009-06-30..2009-06-01",
            22,
            "an end not before the start 2009-06-30",
        );
        check_err("published:..", 10, "a value before or after \"..\"");
        check_err("words:>5x", 7, "a number but found \"5x\"");
        check_err("words:-5", 6, "a number but found \"-5\"");
        check_err(
            "words:18446744073709551616",
            6,
            "a number up to 18446744073709551615",
        );
        check_err("words:500..100", 11, "an end not before the start 500");
        check_err("words:1..2..3", 9, "a number but found \"2..3\"");
        check_err("words:>", 7, "a number but found end of query");
        check_err("words:>)", 7, "a number but found nothing");
    }

    #[test]
    fn query_error_display_and_render() {
        let Err(e) = parse("a (b OR c") else {
            panic!("unbalanced");
        };
        assert_eq!(
            e.to_string(),
            "query error at 9: expected a closing \")\" for the \"(\" at 2 but found end of query"
        );
        assert_eq!(e.render("a (b OR c"), "a (b OR c\n         ^");
        let Err(e) = parse("é\tfoo:x") else {
            panic!("unknown field");
        };
        assert_eq!(e.at, 2);
        assert_eq!(e.render("é\tfoo:x"), "é foo:x\n  ^");
        // A long query shows a window around the position, with the caret under it.
        let long = format!("{} foo:x {}", "a ".repeat(100), "b ".repeat(100));
        let Err(e) = parse(&long) else {
            panic!("unknown field");
        };
        assert_eq!(e.at, 201);
        let shown = e.render(&long);
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with('…') && lines[0].ends_with('…'));
        let caret = lines[1].chars().count() - 1;
        assert_eq!(lines[0].chars().nth(caret), Some('f'));
        assert!(lines[0].chars().count() <= 1 + RENDER_BEFORE + 1 + RENDER_AFTER + 1);
    }

    #[test]
    fn query_length_limit() {
        let at_limit = "a".repeat(MAX_QUERY_BYTES);
        check(&at_limit, &at_limit);
        check_err(
            &"a".repeat(MAX_QUERY_BYTES + 1),
            MAX_QUERY_BYTES,
            "at most 4096 bytes",
        );
        // The error is placed in characters, not bytes.
        check_err(
            &"é".repeat(MAX_QUERY_BYTES),
            MAX_QUERY_BYTES / 2,
            "at most 4096 bytes",
        );
        let megabyte = "a OR (b ".repeat(1 << 17);
        check_err(&megabyte, MAX_QUERY_BYTES, "a query of 1048576 bytes");
    }

    #[test]
    fn query_depth_limit() {
        let deepest = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        check(&deepest, "a");
        check_err(
            &format!(
                "{}a{}",
                "(".repeat(MAX_DEPTH + 1),
                ")".repeat(MAX_DEPTH + 1)
            ),
            MAX_DEPTH,
            "expected at most 32 nested groups and negations but found one more \"(\"",
        );
        let negated = format!("{}a", "-".repeat(MAX_DEPTH));
        check(&negated, &negated);
        check_err(
            &format!("{}a", "-".repeat(MAX_DEPTH + 1)),
            MAX_DEPTH,
            "one more \"-\"",
        );
        check_err(
            &format!("{}a", "NOT ".repeat(MAX_DEPTH + 1)),
            4 * MAX_DEPTH,
            "one more \"NOT\"",
        );
        check_err(
            &format!("title:{}a", "(".repeat(MAX_DEPTH + 1)),
            6 + MAX_DEPTH,
            "one more \"(\"",
        );
        // Ten thousand parentheses exceed the length limit first...
        check_err(&"(".repeat(10_000), MAX_QUERY_BYTES, "at most 4096 bytes");
        // ...and without it the depth guard still stops them, without overflowing the stack.
        for deep in [
            "(".repeat(10_000),
            "-".repeat(10_000),
            "NOT ".repeat(10_000),
        ] {
            let Err(e) = parse_limited(&deep, usize::MAX, MAX_DEPTH) else {
                panic!("too deep");
            };
            assert!(e.expected.contains("nested"), "{e}");
        }
    }

    #[test]
    fn query_time_is_linear() {
        // A megabyte of clauses, parsed without the length limit, must take well under a second
        // in a debug build; quadratic work would take minutes.
        let big = "reuters OR (title:bbc -\"a b\" words:>5) ".repeat(25_000);
        let started = std::time::Instant::now();
        let Ok(Query::Or(clauses)) = parse_limited(&big, usize::MAX, MAX_DEPTH) else {
            panic!("a long OR");
        };
        assert_eq!(clauses.len(), 25_001);
        assert!(
            started.elapsed().as_secs() < 5,
            "took {:?}",
            started.elapsed()
        );
        let broken = format!("{}(", "a ".repeat(500_000));
        let Err(e) = parse_limited(&broken, usize::MAX, MAX_DEPTH) else {
            panic!("unbalanced");
        };
        assert_eq!(e.at, 1_000_001);
        assert!(
            started.elapsed().as_secs() < 5,
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn query_analysed_terms() {
        let en = Analyzer::english();
        let analysed = |input: &str| match parse(input) {
            Ok(Query::Field { query, .. }) => query.analysed(&en),
            Ok(query) => query.analysed(&en),
            Err(e) => panic!("{e}"),
        };
        let terms = |t: &[&str], prefix| {
            Some(Analysed {
                terms: t.iter().map(|t| t.to_string()).collect(),
                prefix,
            })
        };
        assert_eq!(analysed("Running"), terms(&["run"], false));
        assert_eq!(
            analysed("\"Café Society\""),
            terms(&["cafe", "societi"], false)
        );
        assert_eq!(analysed("Télé*"), terms(&["tele"], true));
        assert_eq!(
            analysed("title:bbc.co.uk"),
            terms(&["bbc", "co", "uk"], false)
        );
        assert_eq!(analysed("!!!"), terms(&[], false));
        assert_eq!(analysed("!!*"), terms(&[], false));
        assert_eq!(analysed("a b"), None);
        assert_eq!(analysed("-a"), None);
        assert_eq!(analysed("words:>5"), None);
    }

    /// A xorshift64 generator: enough randomness to explore the grammar, with no dependency.
    struct Xorshift(u64);

    impl Xorshift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Parses `input`, which must not panic, and round-trips it through `Display` when it parses.
    fn fuzz_one(input: &str) {
        match parse(input) {
            Ok(query) => round_trip(&query),
            Err(e) => {
                assert!(e.at <= input.chars().count(), "{input:?}: {e}");
                assert_eq!(e.render(input).lines().count(), 2, "{input:?}: {e}");
            }
        }
    }

    #[test]
    fn query_fuzz_bytes() {
        let mut rng = Xorshift(0x9E37_79B9_7F4A_7C15);
        let biased = b"ab -*():\"<>=.0123456789 ORANDNOT\t";
        for _ in 0..3000 {
            let len = rng.below(40);
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    if rng.below(2) == 0 {
                        biased[rng.below(biased.len())]
                    } else {
                        rng.next() as u8
                    }
                })
                .collect();
            fuzz_one(&String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn query_fuzz_tokens() {
        let mut rng = Xorshift(0x2545_F491_4F6C_DD1D);
        let alphabet = [
            "a",
            "b",
            "Reuters",
            "tele*",
            "*",
            "\"",
            "\"x y\"",
            "(",
            ")",
            "OR",
            "AND",
            "NOT",
            "or",
            "-",
            "title:",
            "body:",
            "site:bbc.co.uk",
            "tag:(",
            "foo:",
            "10:30",
            "http://x",
            "published:",
            "imported:",
            "words:",
            ">",
            ">=",
            "<",
            "<=",
            "..",
            "2009-06-01",
            "2009-02-30",
            "500",
            "é",
            "日本",
            "\u{0}",
            ":",
            "|",
        ];
        let mut ok = 0;
        for _ in 0..4000 {
            let mut input = String::new();
            for _ in 0..rng.below(12) {
                input.push_str(alphabet[rng.below(alphabet.len())]);
                if rng.below(3) != 0 {
                    input.push(' ');
                }
            }
            ok += usize::from(parse(&input).is_ok());
            fuzz_one(&input);
        }
        // The alphabet must reach valid queries often enough to exercise the round trip.
        assert!(ok > 400, "only {ok} of 4000 parsed");
    }
}
