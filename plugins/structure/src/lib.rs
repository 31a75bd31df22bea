//! The `structure` extractor: reads a plain-text article into its title, body and word count.
//!
//! This first version knows the common shape of saved news text — a headline line (sometimes
//! repeated by the scraper), then paragraphs separated by blank lines.

#![forbid(unsafe_code)]

use morgue_core::{
    ExtractError, ExtractInput, Extraction, Extractor, FieldDecl, FieldType, Fields, Manifest,
};
use serde_json::Value;

/// The structure extractor.
#[derive(Clone, Copy, Debug, Default)]
pub struct Structure;

impl Extractor for Structure {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "structure".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Title, body and word count of a plain-text article".into(),
            media_types: vec!["text/plain".into()],
            fields: vec![
                FieldDecl::optional("title", FieldType::String),
                FieldDecl::optional("body", FieldType::String),
                FieldDecl::required("word_count", FieldType::Integer),
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

/// Splits text into title (the first non-blank line), and body (the paragraphs after it, a
/// repeated headline dropped), and counts the body's words.
pub fn read(text: &str) -> Fields {
    let mut fields = Fields::new();
    let mut lines = text
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .peekable();
    let Some(title) = lines.next() else {
        fields.insert("word_count".into(), Value::from(0));
        return fields;
    };
    // Scrapers often print the headline twice on consecutive lines.
    while lines.peek() == Some(&title) {
        lines.next();
    }
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in lines {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    let body = paragraphs.join("\n\n");
    let words = body.split_whitespace().count();
    fields.insert("title".into(), Value::from(title));
    if !body.is_empty() {
        fields.insert("body".into(), Value::from(body));
    }
    fields.insert("word_count".into(), Value::from(words));
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, title: Option<&str>, body: Option<&str>, words: u64) {
        let f = read(text);
        assert_eq!(
            f.get("title").and_then(Value::as_str),
            title,
            "title of {text:?}"
        );
        assert_eq!(
            f.get("body").and_then(Value::as_str),
            body,
            "body of {text:?}"
        );
        assert_eq!(f["word_count"], Value::from(words));
    }

    #[test]
    fn headline_then_paragraphs() {
        check(
            "Ad sales boost profits\n\nFirst para\ncontinues.\n\n\nSecond.\n",
            Some("Ad sales boost profits"),
            Some("First para\ncontinues.\n\nSecond."),
            4,
        );
    }

    #[test]
    fn repeated_headline_is_dropped_once() {
        check(
            "\n  Big news\nBig news\nThe standfirst.\n\nBody.",
            Some("Big news"),
            Some("The standfirst.\n\nBody."),
            3,
        );
    }

    #[test]
    fn empty_and_title_only() {
        check("   \n", None, None, 0);
        check("Only a title\n", Some("Only a title"), None, 0);
    }
}
