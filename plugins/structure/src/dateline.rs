//! Recognises a dateline at the start of an article's first paragraph and splits it off:
//! `Washington:`, `WASHINGTON —`, `WASHINGTON (AP) —`, `LONDON, March 3 (Reuters) -`,
//! `NEW YORK, March 2 -`, `SPRINGFIELD, Ill. (AP) —`, `New Delhi, June 16:`.
//!
//! A dateline is a place (optionally followed by a region, a date and an agency credit in
//! parentheses) and a separator. The rules lean on shape, not on a gazetteer, so they work for
//! places they have never seen; to keep them from eating ordinary sentences, a place written in
//! title case only counts when it ends in a colon or carries a date or an agency, and labels such
//! as "Update:" or "Result:" are never places.

use crate::byline::is_agency;

/// A dateline found at the start of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Dateline<'a> {
    /// The place as written, with its region ("SPRINGFIELD, Ill.").
    pub(crate) place: &'a str,
    /// The date as written, when the dateline carries one ("March 3").
    pub(crate) date: Option<&'a str>,
    /// Byte offset in the line where the paragraph's own text begins.
    pub(crate) rest: usize,
}

/// The longest head (place, region, date and agency) a dateline may have, in bytes.
const MAX_HEAD: usize = 80;

/// The dateline at the start of `line`, if it has one.
pub(crate) fn parse(line: &str) -> Option<Dateline<'_>> {
    let (sep_start, sep_end, sep) = separator(line)?;
    let rest = line[sep_end..].trim_start();
    // The paragraph must go on after the dateline, as a sentence does.
    if rest.is_empty() || rest.starts_with(char::is_lowercase) {
        return None;
    }
    let head = parse_head(line[..sep_start].trim_end())?;
    // A place in title case followed by a spaced hyphen reads like the start of a sentence
    // ("Chelsea - The champions ..."), so it needs a region, a date or an agency to count.
    if !head.caps && sep == Separator::Hyphen && !head.qualified {
        return None;
    }
    Some(Dateline {
        place: head.place,
        date: head.date,
        rest: line.len() - rest.len(),
    })
}

/// A dateline printed on a line of its own above the first paragraph (`BAAR, SWITZERLAND`).
/// Only a place in capitals counts, since a short title-case line may be a sub-heading.
pub(crate) fn parse_alone(line: &str) -> Option<Dateline<'_>> {
    if line.len() > MAX_HEAD {
        return None;
    }
    let head = parse_head(line)?;
    head.caps.then_some(Dateline {
        place: head.place,
        date: head.date,
        rest: line.len(),
    })
}

/// What a dateline head holds.
struct Head<'a> {
    place: &'a str,
    date: Option<&'a str>,
    /// Whether the place is written in capitals.
    caps: bool,
    /// Whether a region, a date or an agency follows the place.
    qualified: bool,
}

/// Reads a dateline head: a place, perhaps regions, perhaps a date, perhaps an agency credit in
/// parentheses at the end.
fn parse_head(mut head: &str) -> Option<Head<'_>> {
    let mut agency = false;
    if let Some(inner) = head.strip_suffix(')') {
        let open = inner.rfind('(')?;
        if !is_agency_credit(&inner[open + 1..]) {
            return None;
        }
        agency = true;
        head = inner[..open].trim_end().trim_end_matches(',');
    }

    let mut parts = Parts::new(head);
    let (core_start, core) = parts.next()?;
    let caps = is_caps(core);
    if !place_words(core, if caps { Case::Caps } else { Case::Title }) || is_label(core) {
        return None;
    }
    let mut place_end = core_start + core.len();
    let mut region = false;
    let mut date: Option<(usize, usize)> = None;
    for (start, part) in parts {
        if is_date(part) || (date.is_some() && is_year(part)) {
            let from = date.map_or(start, |(s, _)| s);
            date = Some((from, start + part.len()));
        } else if date.is_none() && place_words(part, Case::Any) {
            place_end = start + part.len();
            region = true;
        } else {
            return None;
        }
    }
    Some(Head {
        place: &head[core_start..place_end],
        date: date.map(|(s, e)| &head[s..e]),
        caps,
        qualified: region || agency || date.is_some(),
    })
}

/// The kinds of separator between a dateline and the paragraph's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Separator {
    /// `Washington: ...`
    Colon,
    /// An em or en dash, or a double hyphen: `WASHINGTON — ...`, `BERLIN -- ...`.
    Dash,
    /// A hyphen with spaces on both sides: `LONDON, March 3 (Reuters) - ...`.
    Hyphen,
    /// No separator after an agency credit: `Hong Kong (CNN Business) A muddled view ...`.
    Credit,
}

/// Finds the separator after the dateline head and returns its byte range and kind. Gives up
/// at the first character a dateline head cannot contain.
fn separator(line: &str) -> Option<(usize, usize, Separator)> {
    let b = line.as_bytes();
    for (i, c) in line.char_indices() {
        if i > MAX_HEAD {
            return None;
        }
        match c {
            ':' => {
                return b
                    .get(i + 1)
                    .is_some_and(u8::is_ascii_whitespace)
                    .then_some((i, i + 1, Separator::Colon));
            }
            '\u{2014}' | '\u{2013}' => {
                let mut end = i + c.len_utf8();
                while line[end..].starts_with(['\u{2014}', '\u{2013}']) {
                    end += 3;
                }
                return Some((i, end, Separator::Dash));
            }
            '-' if b.get(i + 1) == Some(&b'-') => {
                let end = i + line[i..].bytes().take_while(|&x| x == b'-').count();
                return Some((i, end, Separator::Dash));
            }
            '-' => {
                let spaced = i > 0
                    && b[i - 1].is_ascii_whitespace()
                    && b.get(i + 1).is_some_and(u8::is_ascii_whitespace);
                if spaced {
                    return Some((i, i + 1, Separator::Hyphen));
                }
            }
            // An agency credit may end the head without a separator when the text goes on
            // with a capital letter or a quotation.
            ')' if b.get(i + 1).is_some_and(u8::is_ascii_whitespace)
                && line[i + 1..].trim_start().starts_with(|c: char| {
                    c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '\u{201c}')
                })
                && line[..i]
                    .rfind('(')
                    .is_some_and(|open| is_agency_credit(&line[open + 1..i])) =>
            {
                return Some((i + 1, i + 1, Separator::Credit));
            }
            c if c.is_alphanumeric() || c.is_whitespace() => {}
            ',' | '.' | '\'' | '\u{2019}' | '(' | ')' | '&' | '/' => {}
            _ => return None,
        }
    }
    None
}

/// The comma-separated parts of a dateline head, each trimmed, with its byte offset.
struct Parts<'a> {
    head: &'a str,
    at: usize,
    done: bool,
}

impl<'a> Parts<'a> {
    fn new(head: &'a str) -> Parts<'a> {
        Parts {
            head,
            at: 0,
            done: false,
        }
    }
}

impl<'a> Iterator for Parts<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        if self.done {
            return None;
        }
        let tail = &self.head[self.at..];
        let end = match tail.find(',') {
            Some(comma) => comma,
            None => {
                self.done = true;
                tail.len()
            }
        };
        let raw = &tail[..end];
        let part = raw.trim();
        let start = self.at + (raw.len() - raw.trim_start().len());
        self.at += end + 1;
        Some((start, part))
    }
}

/// How the words of a place must be capitalised.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    /// Every letter upper case: `NEW YORK`, `RIO DE JANEIRO`.
    Caps,
    /// Each word capitalised, except small connecting words: `Rio de Janeiro`.
    Title,
    /// Either, as regions are written (`Ill.`, `D.C.`, `France`).
    Any,
}

/// Small words that may sit inside a place name in lower case.
const CONNECTORS: &[&str] = &[
    "de", "del", "da", "do", "dos", "das", "la", "le", "les", "el", "al", "am", "an", "on", "upon",
    "of", "sur", "en", "y", "van", "von", "der", "di", "du", "au", "aux", "the",
];

/// Whether `s` is one to five words shaped like a place name in the given case.
fn place_words(s: &str, case: Case) -> bool {
    if s.is_empty() || s.len() > 40 {
        return false;
    }
    let mut letters = 0;
    for (n, word) in s.split_whitespace().enumerate() {
        if n >= 5 {
            return false;
        }
        let shaped = word
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '\u{2019}' | '-' | '&'));
        if !shaped {
            return false;
        }
        letters += word.chars().filter(|c| c.is_alphabetic()).count();
        if n > 0 && (word == "&" || CONNECTORS.contains(&word)) {
            continue;
        }
        if !word.starts_with(char::is_uppercase) {
            return false;
        }
        if case == Case::Caps && word.chars().any(char::is_lowercase) {
            return false;
        }
    }
    letters >= 2
}

/// Whether every letter of `s` is upper case (and there are at least two).
fn is_caps(s: &str) -> bool {
    s.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !s.chars().any(char::is_lowercase)
}

/// Labels that open a paragraph with a colon or dash but are not places.
fn is_label(core: &str) -> bool {
    const LABELS: &[&str] = &[
        "result",
        "results",
        "note",
        "update",
        "updated",
        "updates",
        "correction",
        "clarification",
        "editor's note",
        "editors' note",
        "editor\u{2019}s note",
        "analysis",
        "comment",
        "opinion",
        "review",
        "warning",
        "answer",
        "question",
        "watch",
        "listen",
        "video",
        "photo",
        "photos",
        "picture",
        "pictures",
        "gallery",
        "source",
        "sources",
        "summary",
        "background",
        "timeline",
        "factbox",
        "fact box",
        "facts",
        "quote",
        "quotes",
        "transcript",
        "live",
        "breaking",
        "breaking news",
        "exclusive",
        "read",
        "related",
        "advertisement",
        "sponsored",
        "reporting",
        "writing",
        "editing",
        "score",
        "scores",
        "final score",
        "half-time",
        "teams",
        "team",
        "venue",
        "date",
        "time",
        "when",
        "where",
        "who",
        "what",
        "why",
        "how",
        "price",
        "cost",
        "verdict",
        "rating",
        "pros",
        "cons",
        "specs",
        "tip",
        "tips",
        "example",
        "abstract",
        "introduction",
        "conclusion",
        "chapter",
        "part",
        "episode",
        "season",
        "referee",
        "attendance",
        "scorers",
        "subs",
        "booked",
        "sent off",
        "title",
        "headline",
        "subject",
        "location",
        "byline",
        "dateline",
        "caption",
        "credit",
        "credits",
        "image",
        "images",
        "editor",
        "editorial",
        "letter",
        "letters",
        "feature",
        "interview",
        "profile",
        "obituary",
        "poll",
        "quiz",
        "recap",
        "preview",
        "highlights",
        "squad",
        "fixtures",
        "standings",
        "table",
        "weather",
        "forecast",
        "markets",
        "sport",
        "sports",
        "business",
        "politics",
        "technology",
        "science",
        "health",
        "entertainment",
        "world",
        "news",
        "key points",
        "more",
        "also",
        "plus",
        "meanwhile",
        "elsewhere",
        "however",
        "but",
        "and",
        "so",
        "yes",
        "no",
        "ps",
        "nb",
        "re",
        "fw",
        "via",
        "from",
        "to",
        "by",
    ];
    const HONORIFICS: &[&str] = &[
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "ms",
        "ms.",
        "dr",
        "dr.",
        "sir",
        "lord",
        "lady",
        "president",
        "minister",
        "prime",
        "senator",
        "sen.",
        "rep.",
        "gov.",
        "governor",
        "judge",
        "professor",
        "prof",
        "prof.",
        "dear",
    ];
    let first = core.split_whitespace().next().unwrap_or_default();
    LABELS.iter().any(|l| core.eq_ignore_ascii_case(l))
        || HONORIFICS.iter().any(|h| first.eq_ignore_ascii_case(h))
}

/// An agency credit inside a dateline's parentheses: `AP`, `Reuters`, `CNN`, `IANS`.
fn is_agency_credit(s: &str) -> bool {
    let s = s.trim();
    if is_agency(s) {
        return true;
    }
    let mut words = 0;
    for word in s.split_whitespace() {
        words += 1;
        if words > 3 || !word.starts_with(char::is_uppercase) {
            return false;
        }
    }
    words > 0 && s.len() <= 30
}

/// Whether `part` is a date: `March 3`, `Mar. 3`, `3 March 2009`, `Tuesday`, `June 2009`,
/// `2009-06-16`, `16/06/2009`.
fn is_date(part: &str) -> bool {
    let mut tokens = [""; 4];
    let mut n = 0;
    for token in part.split_whitespace() {
        if n == tokens.len() {
            return false;
        }
        tokens[n] = token.trim_end_matches(['.', ',']);
        n += 1;
    }
    match &tokens[..n] {
        [one] => is_weekday(one) || is_numeric_date(one),
        [m, d] if is_month(m) => is_day(d) || is_year(d),
        [d, m] => is_day(d) && is_month(m),
        [w, m, d] if is_weekday(w) && is_month(m) => is_day(d),
        [w, d, m] if is_weekday(w) && is_day(d) => is_month(m),
        [m, d, y] if is_month(m) => is_day(d) && is_year(y),
        [d, m, y] => is_day(d) && is_month(m) && is_year(y),
        _ => false,
    }
}

fn is_month(s: &str) -> bool {
    const MONTHS: &[&str] = &[
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ];
    MONTHS.iter().any(|m| s.eq_ignore_ascii_case(m))
}

fn is_weekday(s: &str) -> bool {
    const DAYS: &[&str] = &[
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
    ];
    DAYS.iter().any(|d| s.eq_ignore_ascii_case(d))
}

/// A day of the month, with an optional ordinal suffix: `3`, `03`, `3rd`.
fn is_day(s: &str) -> bool {
    let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &s[digits.len()..];
    (1..=2).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(digits.parse::<u8>(), Ok(1..=31))
        && matches!(suffix, "" | "st" | "nd" | "rd" | "th")
}

fn is_year(s: &str) -> bool {
    s.len() == 4
        && (s.starts_with("19") || s.starts_with("20"))
        && s.bytes().all(|b| b.is_ascii_digit())
}

/// `2009-06-16`, `16/06/2009`, `06.16.09`.
fn is_numeric_date(s: &str) -> bool {
    let mut groups = 0;
    for group in s.split(['-', '/', '.']) {
        groups += 1;
        if group.is_empty() || group.len() > 4 || !group.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    groups == 3
}

/// Whether `line` is only a publication timestamp, as printed under a headline:
/// `June 16, 2009`, `Published: 16 June 2009 10:32 GMT`, `Updated 10:32 am ET, Tue June 16,
/// 2009`, `Last updated at 10:32 GMT`. With `labelled`, the line must say what the time is
/// ("Published", "Updated", ...): a bare date may be the date of the event the article is
/// about.
pub(crate) fn is_timestamp(line: &str, labelled: bool) -> bool {
    if line.len() > 100 {
        return false;
    }
    const LABELS: &[&str] = &[
        "published",
        "updated",
        "last",
        "first",
        "posted",
        "modified",
        "date",
    ];
    if labelled {
        let first = line
            .split(|c: char| c.is_whitespace() || c == ':')
            .next()
            .unwrap_or_default();
        if !LABELS.iter().any(|l| first.eq_ignore_ascii_case(l)) {
            return false;
        }
    }
    let mut dated = false;
    let mut tokens = 0;
    for token in line.split(|c: char| c.is_whitespace() || matches!(c, ',' | '|' | '\u{2022}')) {
        let token = token.trim_end_matches(['.', ':']);
        if token.is_empty() || matches!(token, "-" | "\u{2013}" | "\u{2014}") {
            continue;
        }
        tokens += 1;
        if tokens > 14 {
            return false;
        }
        if is_month(token) || is_numeric_date(token) || is_time(token) {
            dated = true;
            continue;
        }
        const WORDS: &[&str] = &[
            "on", "at", "am", "pm", "a.m", "p.m", "gmt", "bst", "utc", "et", "est", "edt", "pt",
            "pst", "pdt", "ct", "cst", "cdt", "cet", "cest", "ist", "jst", "aest",
        ];
        let known = is_weekday(token)
            || is_day(token)
            || is_year(token)
            || LABELS.iter().any(|w| token.eq_ignore_ascii_case(w))
            || WORDS.iter().any(|w| token.eq_ignore_ascii_case(w));
        if !known {
            return false;
        }
    }
    dated
}

/// A clock time: `10:32`, `9.14am`, `10:32pm`.
fn is_time(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let clock = lower.trim_end_matches("am").trim_end_matches("pm");
    let Some((h, m)) = clock.split_once([':', '.']) else {
        return false;
    };
    (1..=2).contains(&h.len())
        && m.len() == 2
        && h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks the place, date and remaining text `parse` finds in `line` (`None` for no
    /// dateline).
    fn check(line: &str, expected: Option<(&str, Option<&str>, &str)>) {
        let got = parse(line).map(|d| (d.place, d.date, &line[d.rest..]));
        assert_eq!(got, expected, "dateline of {line:?}");
    }

    #[test]
    fn house_styles() {
        check(
            "Washington: The US State Department urged it.",
            Some(("Washington", None, "The US State Department urged it.")),
        );
        check(
            "WASHINGTON \u{2014} The Senate voted.",
            Some(("WASHINGTON", None, "The Senate voted.")),
        );
        check(
            "WASHINGTON (AP) \u{2014} The Senate voted.",
            Some(("WASHINGTON", None, "The Senate voted.")),
        );
        check(
            "LONDON, March 3 (Reuters) - Shares fell.",
            Some(("LONDON", Some("March 3"), "Shares fell.")),
        );
        check(
            "NEW YORK, March 2 - Stocks rose.",
            Some(("NEW YORK", Some("March 2"), "Stocks rose.")),
        );
        check(
            "London, March 3 (Reuters) - Shares fell.",
            Some(("London", Some("March 3"), "Shares fell.")),
        );
        check(
            "SPRINGFIELD, Ill. (AP) \u{2014} A fire broke out.",
            Some(("SPRINGFIELD, Ill.", None, "A fire broke out.")),
        );
        check(
            "New Delhi, June 16: India said so.",
            Some(("New Delhi", Some("June 16"), "India said so.")),
        );
        check(
            "BAGHDAD, Tuesday, June 16, 2009 -- Bombs hit.",
            Some(("BAGHDAD", Some("Tuesday, June 16, 2009"), "Bombs hit.")),
        );
        check(
            "RIO DE JANEIRO\u{2014}Carnival began.",
            Some(("RIO DE JANEIRO", None, "Carnival began.")),
        );
        check(
            "PARIS, 3 March (AFP) \u{2013} France said.",
            Some(("PARIS", Some("3 March"), "France said.")),
        );
        check(
            "Rio de Janeiro: Carnival began.",
            Some(("Rio de Janeiro", None, "Carnival began.")),
        );
        check(
            "WILKES-BARRE, Pa. (AP) - A man was charged.",
            Some(("WILKES-BARRE, Pa.", None, "A man was charged.")),
        );
        check(
            "New York, NY \u{2013} Engagement moved to mobile.",
            Some(("New York, NY", None, "Engagement moved to mobile.")),
        );
        check(
            "Dekalb, Ill. - Mike Glass threw for three touchdowns.",
            Some((
                "Dekalb, Ill.",
                None,
                "Mike Glass threw for three touchdowns.",
            )),
        );
        check(
            "Indianapolis \u{2013} Several thousand teachers marched.",
            Some(("Indianapolis", None, "Several thousand teachers marched.")),
        );
        check(
            "Hong Kong (CNN Business) A muddled view of trade talks.",
            Some(("Hong Kong", None, "A muddled view of trade talks.")),
        );
    }

    #[test]
    fn dateline_on_its_own_line() {
        let alone = |line| parse_alone(line).map(|d| (d.place, d.date));
        assert_eq!(
            alone("BAAR, SWITZERLAND"),
            Some(("BAAR, SWITZERLAND", None))
        );
        assert_eq!(
            alone("NEW YORK, March 2"),
            Some(("NEW YORK", Some("March 2")))
        );
        assert_eq!(alone("Pittsburgh"), None);
        assert_eq!(alone("Saturday 20 November"), None);
        assert_eq!(alone("A HUNTER WHO KILLED A RABBIT SAID SO."), None);
    }

    #[test]
    fn agency_credit_without_separator() {
        check(
            "New Delhi, June 16 (IANS) The monsoon arrived.",
            Some(("New Delhi", Some("June 16"), "The monsoon arrived.")),
        );
        check("Mr Smith (Labour) said no.", None);
    }

    #[test]
    fn timestamps() {
        // (line, a timestamp when unlabelled ones count, a labelled timestamp)
        for (line, any, labelled) in [
            ("June 16, 2009", true, false),
            ("Saturday 20 November", true, false),
            ("16/06/2009", true, false),
            ("Published: 16 June 2009 10:32 GMT", true, true),
            ("Updated 10:32 am ET, Tue June 16, 2009", true, true),
            ("Last updated at 10:32 GMT", true, true),
            ("Tuesday", false, false),
            ("June 16 was a hot day.", false, false),
            ("Published by Penguin in June 2009", false, false),
        ] {
            assert_eq!(is_timestamp(line, false), any, "timestamp {line:?}");
            assert_eq!(is_timestamp(line, true), labelled, "labelled {line:?}");
        }
    }

    #[test]
    fn ordinary_first_paragraphs_are_not_datelines() {
        for line in [
            "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn.",
            "Result: Nadal 6-7 (6/8) 6-2 7-6 (8/6) 6-2 Roddick",
            "UK-based bank Standard Chartered said it would spend $3.3bn.",
            "US-German carmaker DaimlerChrysler has sold 2.1% more cars.",
            "Chelsea - the champions - lost again.",
            "Update: the story has been corrected.",
            "UPDATE: The story has been corrected.",
            "Mr Blair: We will win.",
            "WASHINGTON: the lower-case start is not a sentence.",
            "Washington said on Tuesday: \"No.\"",
            "BT - the telecoms giant - said profits rose.",
            "Q: What happened?",
            "DEAR ABBY: My husband bought plane tickets.",
            "Indianapolis - Several thousand teachers marched.",
            "Labour (UK) said no.",
            "\"We won,\" he said - and meant it.",
        ] {
            check(line, None);
        }
    }
}
