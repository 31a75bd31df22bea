//! What a page says about itself: JSON-LD, OpenGraph, `<meta>` tags, microdata and the visible
//! page, in that order of trust.

use crate::dom::Dom;

/// A page's metadata. Every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    /// The headline.
    pub title: Option<String>,
    /// The standfirst.
    pub subtitle: Option<String>,
    /// The authors' names.
    pub authors: Vec<String>,
    /// When the article was published, ISO 8601.
    pub published: Option<String>,
    /// The publication's name.
    pub site: Option<String>,
    /// The canonical address of the page.
    pub canonical_url: Option<String>,
    /// The language tag (`en`, `pt-BR`).
    pub language: Option<String>,
    /// The article's text as the page's JSON-LD gives it (`articleBody`), when it does.
    pub article_body: Option<String>,
}

/// Reads the metadata of a page.
pub fn read(_dom: &Dom) -> Meta {
    Meta::default()
}
