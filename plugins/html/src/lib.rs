//! The `html` extractor: reads a saved web page into its main text (`body`) and its metadata
//! (`title`, `subtitle`, `authors`, `published`, `site`, `canonical_url`, `language`,
//! `dateline`, `word_count`).
//!
//! The page is parsed as a browser parses it (html5ever), flattened into a small arena
//! (`dom`), and read twice: once for the metadata pages declare about themselves
//! (`meta`: JSON-LD, OpenGraph, `<meta>` tags, microdata, then the visible page), once for the
//! article's own text (`body`), which is everything downstream extractors and the index read.

#![forbid(unsafe_code)]

mod body;
mod dom;
mod lines;
mod meta;

use morgue_core::{
    ExtractError, ExtractInput, Extraction, Extractor, FieldDecl, FieldType, Fields, Manifest,
};
use serde_json::Value;

pub use body::Body;
pub use meta::Meta;

/// The html extractor.
#[derive(Clone, Copy, Debug, Default)]
pub struct Html;

impl Extractor for Html {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "html".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Main text and metadata of a saved web page".into(),
            media_types: vec!["text/html".into()],
            fields: vec![
                FieldDecl::optional("title", FieldType::String),
                FieldDecl::optional("subtitle", FieldType::String),
                FieldDecl::optional("authors", FieldType::StringList),
                FieldDecl::optional("published", FieldType::String),
                FieldDecl::optional("site", FieldType::String),
                FieldDecl::optional("canonical_url", FieldType::String),
                FieldDecl::optional("language", FieldType::String),
                FieldDecl::optional("dateline", FieldType::Object),
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

/// Reads a page (already decoded to text) into the fields the extractor declares. Absent fields
/// are left out; `word_count` is always present.
pub fn read(page: &str) -> Fields {
    let html = dom::parse(page);
    let dom = dom::Dom::new(&html);
    let meta = meta::read(&dom);
    let body = body::extract(&dom, &meta);
    into_fields(meta, body)
}

/// Only the main text of a page, as `body` holds it.
pub fn main_text(page: &str) -> String {
    let html = dom::parse(page);
    let dom = dom::Dom::new(&html);
    let meta = meta::read(&dom);
    body::extract(&dom, &meta).text
}

/// The longest title or standfirst kept.
const MAX_HEADING_CHARS: usize = 2_000;

fn into_fields(meta: Meta, body: Body) -> Fields {
    let mut fields = Fields::new();
    let mut put = |name: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            fields.insert(name.into(), Value::from(v));
        }
    };
    // A `<title>` left open swallows the rest of the page; no headline or standfirst runs to
    // thousands of characters.
    let short = |v: Option<String>| v.filter(|v| v.chars().count() <= MAX_HEADING_CHARS);
    put("title", short(meta.title));
    put("subtitle", short(meta.subtitle));
    put("published", meta.published);
    put("site", meta.site);
    put("canonical_url", meta.canonical_url);
    put("language", meta.language);
    if !meta.authors.is_empty() {
        fields.insert("authors".into(), Value::from(meta.authors));
    }
    let first = body.text.split("\n\n").next().unwrap_or_default();
    if let Some((dateline, _)) = morgue_plugin_structure::dateline(first) {
        fields.insert("dateline".into(), dateline);
    }
    let word_count = body.text.split_whitespace().count();
    if !body.text.is_empty() {
        fields.insert("body".into(), Value::from(body.text));
    }
    fields.insert("word_count".into(), Value::from(word_count));
    fields
}

/// For tuning the reader: why the text holding `needle` was or was not chosen.
#[doc(hidden)]
pub fn explain(page: &str, needle: &str) -> String {
    let html = dom::parse(page);
    let dom = dom::Dom::new(&html);
    body::explain(&dom, needle)
}
