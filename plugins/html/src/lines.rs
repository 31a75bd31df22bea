//! Paragraphs that are page furniture by what they say: share and follow prompts, "read
//! more" and "also on" pointers, tag lists, bylines, time stamps and picture credits that sit
//! inside the article's own block. Only short paragraphs are judged; a sentence of the
//! article that happens to start the same way is longer.

/// The most words a furniture line has.
const MAX_WORDS: usize = 14;

/// Openers of furniture lines, lower-case.
const OPENERS: &[&str] = &[
    "tags:",
    "tags ",
    "tagged:",
    "topics:",
    "share this",
    "share on",
    "share:",
    "follow us",
    "follow @",
    "like this story",
    "like us on",
    "read more",
    "read also",
    "also read",
    "also on ",
    "see also",
    "related:",
    "related articles",
    "related stories",
    "recommended:",
    "sign up",
    "subscribe",
    "click here",
    "advertisement",
    "image copyright",
    "image source",
    "image caption",
    "photo:",
    "photograph:",
    "getty images",
    "copyright ©",
    "©",
    "all rights reserved",
    "continue reading",
    "story continues",
    "listen to this",
    "updated:",
    "published:",
    "posted:",
    "last updated",
];

/// Whether a paragraph of the body is furniture by its words. `title` is the page's
/// headline, which the body does not repeat.
pub fn is_furniture(paragraph: &str, title: Option<&str>) -> bool {
    let words = paragraph.split_whitespace().count();
    if words > MAX_WORDS {
        return false;
    }
    if title.is_some_and(|t| same_words(t, paragraph)) {
        return true;
    }
    let lower = paragraph.to_lowercase();
    if OPENERS.iter().any(|o| lower.starts_with(o)) {
        return true;
    }
    is_byline(paragraph) || is_stamp(&lower)
}

/// `By Jane Doe`, `By Jane Doe and John Roe, Reuters`: "By" and a capitalised name, no
/// sentence.
fn is_byline(p: &str) -> bool {
    let mut words = p.split_whitespace();
    let first = words.next().unwrap_or_default();
    let second = words.next().unwrap_or_default();
    matches!(first, "By" | "BY" | "by")
        && second.starts_with(char::is_uppercase)
        && !p.trim_end().ends_with(['.', '!', '?'])
        && p.split_whitespace().count() <= 12
}

/// `Updated at 1:23 p.m.`, `Published 20 November 2019`: a time stamp line.
fn is_stamp(lower: &str) -> bool {
    ["updated", "published", "posted", "last modified"]
        .iter()
        .any(|o| lower.starts_with(o))
        && lower.chars().any(|c| c.is_ascii_digit())
        && lower.split_whitespace().count() <= 10
}

/// Whether two texts have the same words, ignoring case and punctuation.
fn same_words(a: &str, b: &str) -> bool {
    let words = |s: &str| {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    let a = words(a);
    !a.is_empty() && a == words(b)
}

#[cfg(test)]
mod tests {
    use super::is_furniture;

    #[test]
    fn furniture_lines_go_and_sentences_stay() {
        for line in [
            "Share this article",
            "Like this story? Share it with a friend!",
            "Tags: election, Bolivia",
            "By Justine Coleman - 11/18/19 11:04 PM EST",
            "Updated at 1:23 p.m.",
            "Read more: the week in pictures",
            "Advertisement",
            "Image copyright Getty Images",
        ] {
            assert!(is_furniture(line, None), "{line}");
        }
        for line in [
            "By then it was too late.",
            "Shares in the company fell 3% on Tuesday after the report.",
            "The updated figures were published on Monday, officials said, and they show a \
             sharp fall in the number of people out of work across the country.",
            "He said: \"Subscribe to what?\" and then he left the room to think about it for \
             a long while before he came back and said nothing more about the matter.",
        ] {
            assert!(!is_furniture(line, None), "{line}");
        }
        assert!(is_furniture(
            "Storm hits the coast",
            Some("Storm hits the coast!")
        ));
        assert!(!is_furniture(
            "Storm hits the coast",
            Some("Storm leaves the coast")
        ));
    }
}
