//! Recognises bylines ("By Jane Smith and John Doe", "BY JANE SMITH, Associated Press Writer")
//! and agency credits ("Reuters", "(Reporting by Jane Smith; Editing by John Doe)"), and reads
//! the author names out of a byline.
//!
//! A byline must look like names after its "By": every word capitalised apart from a few
//! connecting words, no digits, no sentence ending. That shape is what keeps opening sentences
//! such as "By 2025, 40% of the UK ..." or "By contrast, ..." in the body.

/// News agencies, in lower case, as they appear in credits.
const AGENCIES: &[&str] = &[
    "ap",
    "the associated press",
    "associated press",
    "reuters",
    "thomson reuters",
    "afp",
    "agence france-presse",
    "agence france presse",
    "bloomberg",
    "bloomberg news",
    "pa",
    "press association",
    "the press association",
    "pa media",
    "upi",
    "united press international",
    "dpa",
    "xinhua",
    "kyodo",
    "kyodo news",
    "efe",
    "ansa",
    "yonhap",
    "tass",
    "itar-tass",
    "ria novosti",
    "pti",
    "ians",
    "ani",
    "aap",
    "the canadian press",
    "canadian press",
    "anadolu",
    "anadolu agency",
    "irna",
    "jiji",
    "jiji press",
    "bernama",
    "antara",
    "agencies",
    "news agencies",
    "wire services",
    "staff and agencies",
];

/// Whether `s` names a news agency.
pub(crate) fn is_agency(s: &str) -> bool {
    let s = s.trim();
    AGENCIES.iter().any(|a| s.eq_ignore_ascii_case(a))
}

/// What a credit line credits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Credit<'a> {
    /// The line is only an agency's name ("Reuters", "— AFP", "Source: AP"); holds the name.
    Agency(&'a str),
    /// Another credit: "Additional reporting by ...", "(Reporting by ...; Editing by ...)",
    /// "Jane Doe contributed to this report."
    Other,
}

/// Words that open a byline, in lower case with their trailing space.
const BYLINE_PREFIXES: &[&str] = &[
    "by ",
    "by: ",
    "written by ",
    "words by ",
    "story by ",
    "posted by ",
    "reported by ",
    "reporting by ",
    "report by ",
    "text by ",
];

/// If `line` is a byline, the authors it names; the list is empty for a byline that names no
/// one ("By Staff Reporter").
pub(crate) fn parse(line: &str) -> Option<Vec<String>> {
    if line.len() > 160 {
        return None;
    }
    let names = BYLINE_PREFIXES
        .iter()
        .find(|p| starts_ignore_case(line, p))
        .map(|p| line[p.len()..].trim_start())?;
    let names = names_part(names);
    if !looks_like_names(names) {
        return None;
    }
    Some(authors(names))
}

/// Cuts what follows the names in a byline: a date or time after a separator ("| June 16",
/// "on June 16, 2009", ", June 16, 2009").
fn names_part(s: &str) -> &str {
    let mut end = s.len();
    for sep in [
        "|",
        "\u{2022}",
        "\u{b7}",
        " \u{2014} ",
        " \u{2013} ",
        " - ",
        " on ",
        "\t",
    ] {
        if let Some(i) = s.find(sep) {
            end = end.min(i);
        }
    }
    let mut s = &s[..end];
    // The first comma-separated piece with a digit starts a date or time.
    let mut at = 0;
    for piece in s.split(',') {
        if piece.bytes().any(|b| b.is_ascii_digit()) {
            s = &s[..at];
            break;
        }
        at += piece.len() + 1;
    }
    s.trim().trim_end_matches([',', ';']).trim_end()
}

/// Lower-case words allowed inside the names part of a byline.
const NAME_CONNECTORS: &[&str] = &[
    "and",
    "with",
    "of",
    "de",
    "da",
    "di",
    "du",
    "del",
    "della",
    "der",
    "den",
    "van",
    "von",
    "la",
    "le",
    "bin",
    "ibn",
    "al",
    "el",
    "y",
    "e",
    "in",
    "for",
    "at",
    "from",
    "staff",
    "correspondent",
    "correspondents",
    "reporter",
    "reporters",
    "writer",
    "writers",
    "editor",
    "editors",
    "contributor",
];

/// Whether `s` reads as a list of names: one to twelve words, each capitalised or a connecting
/// word, no digits, and no sentence ending.
fn looks_like_names(s: &str) -> bool {
    if s.is_empty() || s.ends_with(['!', '?', ':']) {
        return false;
    }
    let mut capitalised = 0;
    for (n, token) in s.split_whitespace().enumerate() {
        if n >= 12 {
            return false;
        }
        let word = token.trim_matches([',', ';', '(', ')']);
        if word.is_empty() || word == "&" {
            continue;
        }
        if word.bytes().any(|b| b.is_ascii_digit()) {
            return false;
        }
        if NAME_CONNECTORS.contains(&word) {
            if n == 0 {
                return false;
            }
            continue;
        }
        if !word.starts_with(char::is_uppercase) {
            return false;
        }
        capitalised += 1;
    }
    // "By Christmas Day." is a sentence; "By Jane Smith Jr." is a name.
    if let Some(last) = s.strip_suffix('.') {
        let word = last.rsplit(' ').next().unwrap_or_default();
        if word.len() > 2 && !word.contains('.') {
            return false;
        }
    }
    capitalised > 0
}

/// Words that make a byline piece a job title or an organisation rather than a person.
const ROLE_WORDS: &[&str] = &[
    "staff",
    "writer",
    "writers",
    "correspondent",
    "correspondents",
    "reporter",
    "reporters",
    "editor",
    "editors",
    "contributor",
    "contributors",
    "columnist",
    "bureau",
    "desk",
    "news",
    "press",
    "times",
    "post",
    "online",
    "magazine",
    "daily",
    "journal",
    "herald",
    "tribune",
    "service",
    "agency",
    "team",
    "chief",
    "senior",
    "political",
    "special",
    "international",
    "bbc",
    "cnn",
    "network",
    "newsroom",
    "wire",
    "wires",
    "agencies",
    "guardian",
    "telegraph",
];

/// Reads person names out of the names part of a byline. Pieces are separated by commas,
/// semicolons, "and", "&" and "with"; within a piece, "in London" or "for The Times" is where
/// the person is or whom they write for, not part of the name. A byline that names only an
/// agency gives the agency as its author.
fn authors(names: &str) -> Vec<String> {
    let mut persons: Vec<String> = Vec::new();
    let mut agency: Option<String> = None;
    let mut piece: Vec<&str> = Vec::new();
    let mut affiliation = false;
    let mut finish = |piece: &mut Vec<&str>| {
        if piece.is_empty() {
            return;
        }
        let text = piece.join(" ");
        piece.clear();
        if is_agency(&text) {
            agency.get_or_insert(text);
        } else if !piece_has_role(&text) {
            persons.push(fix_caps(&text));
        }
    };
    for token in names.split_whitespace() {
        if ["and", "&", "with"]
            .iter()
            .any(|c| token.eq_ignore_ascii_case(c))
        {
            finish(&mut piece);
            affiliation = false;
            continue;
        }
        if !piece.is_empty()
            && ["in", "for", "at", "from", "of"]
                .iter()
                .any(|c| token.eq_ignore_ascii_case(c))
        {
            affiliation = true;
            continue;
        }
        let ends = token.ends_with([',', ';']);
        let word = token.trim_end_matches([',', ';']);
        if !affiliation && !word.is_empty() {
            piece.push(word);
        }
        if ends {
            finish(&mut piece);
            affiliation = false;
        }
    }
    finish(&mut piece);
    if persons.is_empty() {
        persons.extend(agency);
    }
    persons
}

fn piece_has_role(piece: &str) -> bool {
    piece
        .split_whitespace()
        .any(|w| ROLE_WORDS.iter().any(|r| w.eq_ignore_ascii_case(r)))
}

/// Writes a name given in capitals ("JANE O'BRIEN-SMITH") the usual way ("Jane O'Brien-Smith");
/// names with any lower-case letter are left as written.
fn fix_caps(name: &str) -> String {
    if name.chars().any(char::is_lowercase) {
        return name.to_owned();
    }
    let mut out = String::with_capacity(name.len());
    let mut start = true;
    for c in name.chars() {
        if start {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphabetic();
    }
    out
}

/// If `line` is a credit rather than text, what it credits.
pub(crate) fn credit(line: &str) -> Option<Credit<'_>> {
    if line.len() > 300 {
        return None;
    }
    let core = line.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '\u{2014}' | '\u{2013}' | '-' | '.' | '*' | '[' | ']')
    });
    let bare = core.trim_start_matches('(').trim_end_matches(')');
    let named = ["source: ", "source:", "by ", "from ", "via "]
        .iter()
        .find(|p| starts_ignore_case(bare, p))
        .map_or(bare, |p| bare[p.len()..].trim_start());
    if is_agency(named) {
        return Some(Credit::Agency(named));
    }
    // Wire-service trailers in parentheses: "(Reporting by Jane Smith; Editing by John Doe)".
    const CREDIT_PREFIXES: &[&str] = &[
        "additional reporting by ",
        "additional reporting from ",
        "reporting by ",
        "writing by ",
        "editing by ",
        "edited by ",
        "compiled by ",
        "with inputs from ",
        "with agency inputs",
        "with additional reporting",
    ];
    let Some(prefix) = CREDIT_PREFIXES.iter().find(|p| starts_ignore_case(bare, p)) else {
        let lower = bare.to_ascii_lowercase();
        let contributed = lower.ends_with("contributed to this report")
            || lower.ends_with("contributed reporting");
        let words = bare.split_whitespace().count();
        return (contributed && words <= 15).then_some(Credit::Other);
    };
    // Outside parentheses the credit must name someone, so a sentence that happens to start
    // "Reporting by the newspaper ..." stays in the body.
    let wrapped = core.starts_with('(') && core.ends_with(')');
    let rest = bare[prefix.len()..].trim_start();
    let first_piece = rest.split([';', ',']).next().unwrap_or_default().trim();
    (wrapped || looks_like_names(first_piece) || prefix.contains("inputs")).then_some(Credit::Other)
}

/// Whether `s` starts with the ASCII `prefix`, ignoring ASCII case.
fn starts_ignore_case(s: &str, prefix: &str) -> bool {
    crate::boilerplate::starts_ignore_case(s, prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks the authors read from `line`, or that it is not a byline (`None`).
    fn check(line: &str, expected: Option<&[&str]>) {
        let got = parse(line);
        let got: Option<Vec<&str>> = got.as_ref().map(|v| v.iter().map(String::as_str).collect());
        assert_eq!(got.as_deref(), expected, "byline {line:?}");
    }

    #[test]
    fn bylines() {
        check("By Jane Smith", Some(&["Jane Smith"]));
        check(
            "By Jane Smith and John Doe",
            Some(&["Jane Smith", "John Doe"]),
        );
        check(
            "By JANE SMITH, Associated Press Writer",
            Some(&["Jane Smith"]),
        );
        check(
            "By Jane Smith, John Doe & Ann Lee",
            Some(&["Jane Smith", "John Doe", "Ann Lee"]),
        );
        check(
            "By Jane Smith in London and John Doe in Paris",
            Some(&["Jane Smith", "John Doe"]),
        );
        check("By Jane Smith | June 16, 2009", Some(&["Jane Smith"]));
        check(
            "By Jane Smith, June 16, 2009 10:32 GMT",
            Some(&["Jane Smith"]),
        );
        check("BY SEAN O'BRIEN-HALL", Some(&["Sean O'Brien-Hall"]));
        check("By Reuters", Some(&["Reuters"]));
        check("By The Associated Press", Some(&["The Associated Press"]));
        check("By Staff Reporter", Some(&[]));
        check(
            "Written by Ludwig van Beethoven Jr.",
            Some(&["Ludwig van Beethoven Jr."]),
        );
        check(
            "Posted by Jane Smith on June 16, 2009",
            Some(&["Jane Smith"]),
        );
    }

    #[test]
    fn sentences_starting_with_by_are_not_bylines() {
        for line in [
            "By 2025, 40% of the UK's population will still be without internet access.",
            "By contrast, said Mr Purushotma, learning via The Sims is easier.",
            "By early 2005 the net could have two new domain names.",
            "By playing games, like pass-the-parcel, a team is learning.",
            "By Christmas Day.",
            "By the time he was 40, Lee had decided.",
            "Bystanders said the fire started early.",
        ] {
            check(line, None);
        }
    }

    #[test]
    fn credits() {
        let cases: &[(&str, Option<Credit>)] = &[
            ("Reuters", Some(Credit::Agency("Reuters"))),
            (
                "\u{2014} Associated Press",
                Some(Credit::Agency("Associated Press")),
            ),
            ("(AFP)", Some(Credit::Agency("AFP"))),
            ("Source: AP", Some(Credit::Agency("AP"))),
            (
                "(Reporting by Jane Smith; Editing by John Doe)",
                Some(Credit::Other),
            ),
            ("Additional reporting by Ann Lee", Some(Credit::Other)),
            (
                "Jane Doe in Tehran contributed to this report.",
                Some(Credit::Other),
            ),
            ("(With inputs from PTI)", Some(Credit::Other)),
            (
                "Reporting by the newspaper suggested the deal was close.",
                None,
            ),
            ("Reuters reported the deal on Tuesday.", None),
        ];
        for (line, expected) in cases {
            assert_eq!(credit(line), *expected, "credit {line:?}");
        }
    }
}
