//! What a page says about itself: JSON-LD, OpenGraph, `<meta>` tags, microdata and the visible
//! page, in that order of trust.
//!
//! The arena is walked once. Every source that gives a value offers it to the field's [`Slot`]
//! with the rank of its source; a slot keeps the first value of the best rank. Values that need
//! the whole page to be read (the `<title>`, whose site suffix is only known once the site name
//! is) are settled at the end.

use std::borrow::Cow;
use std::collections::HashMap;

use scraper::node::Element;
use serde_json::{Map, Value};

use crate::dom::{Dom, Kind, Tag};

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
pub fn read(dom: &Dom<'_>) -> Meta {
    let mut reader = Reader::default();
    let nodes = &dom.nodes;
    let mut i = 0;
    while i < nodes.len() {
        let Kind::Element(tag, element) = nodes[i].kind else {
            i += 1;
            continue;
        };
        while reader.scopes.last().is_some_and(|scope| i >= scope.end) {
            reader.scopes.pop();
        }
        match tag {
            Tag::Script => {
                if element
                    .attr("type")
                    .is_some_and(|t| find_ci(t, "ld+json").is_some())
                {
                    reader.json_ld(&dom.text(i));
                }
                // Nothing inside a script, a style sheet or a drawing is part of the page's text,
                // and an `<svg>` has `<title>`s of its own.
                i = nodes[i].end;
                continue;
            }
            Tag::Style | Tag::Svg | Tag::Template => {
                i = nodes[i].end;
                continue;
            }
            Tag::Meta => reader.meta(element),
            Tag::Link => reader.link(element),
            Tag::Title if reader.page_title.is_none() => {
                reader.page_title = nonempty(collapse(&dom.text(i)));
            }
            Tag::H1 if reader.h1.is_none() => reader.h1 = nonempty(collapse(&dom.text(i))),
            Tag::Time => reader.time(element),
            _ => {}
        }
        if !reader.seen_root {
            reader.seen_root = true;
            if element.name() == "html" {
                let lang = element.attr("lang").or_else(|| element.attr("xml:lang"));
                reader.language.offer(PAGE, lang.and_then(language));
            }
        }
        reader.microdata(dom, i, tag, element);
        if !reader.byline_done && reader.authors.wants(PAGE) {
            reader.byline(dom, i, tag, element);
        }
        if reader.published.wants(PAGE_WEAKER) {
            reader.dated(dom, i, element);
        }
        i += 1;
    }
    reader.finish()
}

// How far each source is trusted; lower is better.
const LD_ARTICLE: u8 = 10;
const LD_PAGE: u8 = 11;
const LD_SITE: u8 = 12;
const OPEN_GRAPH: u8 = 20;
const META: u8 = 30;
const META_WEAK: u8 = 31;
const META_WEAKER: u8 = 32;
const MICRODATA: u8 = 40;
const MICRODATA_PAGE: u8 = 41;
const MICRODATA_NAME: u8 = 42;
const PAGE: u8 = 50;
const PAGE_WEAK: u8 = 51;
const PAGE_WEAKER: u8 = 52;

/// The best value offered so far for one field, with the rank of its source.
struct Slot<T> {
    value: Option<T>,
    rank: u8,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot {
            value: None,
            rank: u8::MAX,
        }
    }
}

impl<T> Slot<T> {
    /// Whether a value of this rank would be kept.
    fn wants(&self, rank: u8) -> bool {
        self.value.is_none() || rank < self.rank
    }

    fn offer(&mut self, rank: u8, value: Option<T>) {
        if let Some(value) = value
            && self.wants(rank)
        {
            self.value = Some(value);
            self.rank = rank;
        }
    }
}

impl Slot<Vec<String>> {
    /// Offers names; `append` adds them to names of the same rank, as several `<meta
    /// name=author>` tags or several microdata authors each give one name.
    fn offer_people(&mut self, rank: u8, names: Vec<String>, append: bool) {
        if names.is_empty() {
            return;
        }
        match &mut self.value {
            Some(kept) if append && self.rank == rank => kept.extend(names),
            _ => self.offer(rank, Some(names)),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ScopeKind {
    Article,
    Page,
    Author,
    Publisher,
    Other,
}

/// An open microdata `itemscope`.
struct Scope {
    end: usize,
    kind: ScopeKind,
}

#[derive(Default)]
struct Reader {
    title: Slot<String>,
    subtitle: Slot<String>,
    authors: Slot<Vec<String>>,
    published: Slot<String>,
    site: Slot<String>,
    canonical_url: Slot<String>,
    language: Slot<String>,
    article_body: Slot<String>,
    /// The first `<title>`, settled at the end.
    page_title: Option<String>,
    /// The first `<h1>` with text.
    h1: Option<String>,
    seen_root: bool,
    byline_done: bool,
    /// Byline elements looked at, so that a page full of author widgets costs little.
    byline_tries: u8,
    /// Elements named as dates looked at.
    date_tries: u8,
    scopes: Vec<Scope>,
}

impl Reader {
    /// A site's name; an address (`https://www.example.com`) names no publication.
    fn offer_site(&mut self, rank: u8, name: Option<String>) {
        self.site.offer(rank, name.filter(|n| !n.contains("://")));
    }

    fn finish(mut self) -> Meta {
        self.title.offer(PAGE, self.page_title.take());
        self.title.offer(PAGE_WEAK, self.h1.clone());
        let site = self.site.value;
        let title = self
            .title
            .value
            .map(|t| strip_site(&t, site.as_deref(), self.h1.as_deref()));
        let authors = tidy_people(self.authors.value.unwrap_or_default(), site.as_deref());
        Meta {
            title,
            subtitle: self.subtitle.value,
            authors,
            published: self.published.value,
            site,
            canonical_url: self.canonical_url.value,
            language: self.language.value,
            article_body: self.article_body.value,
        }
    }

    // ---- JSON-LD ----

    fn json_ld(&mut self, source: &str) {
        let values = parse_lenient(source);
        let mut items = Vec::new();
        for value in &values {
            collect_items(value, 0, &mut items);
        }
        let ids: HashMap<&str, &Map<String, Value>> = items
            .iter()
            .filter(|item| item.len() > 1)
            .filter_map(|item| Some((item.get("@id")?.as_str()?, *item)))
            .collect();
        // The first article of the block gives the fields; a page (WebPage) only fills what
        // no article gave.
        let mut article_seen = false;
        for item in &items {
            match ld_kind(item) {
                ScopeKind::Article if !article_seen => {
                    article_seen = true;
                    self.ld_item(item, LD_ARTICLE, &ids);
                }
                ScopeKind::Page => self.ld_item(item, LD_PAGE, &ids),
                ScopeKind::Publisher => {
                    self.offer_site(LD_SITE, item.get("name").and_then(ld_text));
                    self.language
                        .offer(LD_SITE, item.get("inLanguage").and_then(ld_language));
                }
                _ => {}
            }
        }
    }

    fn ld_item(&mut self, item: &Map<String, Value>, rank: u8, ids: &Ids<'_>) {
        let get = |key: &str| item.get(key);
        let title = get("headline").and_then(ld_text);
        self.title
            .offer(rank, title.or_else(|| get("name").and_then(ld_text)));
        let subtitle = get("description").and_then(ld_text);
        self.subtitle.offer(
            rank,
            subtitle.or_else(|| get("alternativeHeadline").and_then(ld_text)),
        );
        if let Some(author) = get("author").or_else(|| get("creator")) {
            self.authors
                .offer_people(rank, ld_people(author, ids), false);
        }
        self.published.offer(
            rank,
            get("datePublished")
                .and_then(ld_text)
                .as_deref()
                .and_then(date),
        );
        if let Some(publisher) = get("publisher") {
            self.offer_site(rank, ld_name(publisher, ids));
        }
        let url = get("url").and_then(ld_url);
        let url = url.or_else(|| get("mainEntityOfPage").and_then(ld_url));
        // A page's `@id` is its address; an article's is often a fragment identifier.
        let url = match url {
            None if rank == LD_PAGE => get("@id").and_then(ld_url),
            url => url,
        };
        self.canonical_url.offer(rank, url);
        self.language
            .offer(rank, get("inLanguage").and_then(ld_language));
        if let Some(Value::String(body)) = get("articleBody") {
            self.article_body.offer(rank, nonempty(paragraphs(body)));
        }
    }

    // ---- OpenGraph and <meta> ----

    fn meta(&mut self, element: &Element) {
        let Some(content) = element.attr("content") else {
            return;
        };
        if let Some(equiv) = element.attr("http-equiv") {
            if equiv.eq_ignore_ascii_case("content-language") {
                self.language.offer(META, language(content));
            }
            return;
        }
        for key in [element.attr("property"), element.attr("name")]
            .into_iter()
            .flatten()
        {
            self.meta_key(&key.trim().to_ascii_lowercase(), content);
        }
    }

    fn meta_key(&mut self, key: &str, content: &str) {
        let text = || nonempty(collapse(&decode_entities(content)));
        match key {
            "og:title" => self.title.offer(OPEN_GRAPH, text()),
            "twitter:title" | "dc.title" | "dcterms.title" | "citation_title" | "parsely-title"
            | "sailthru.title" => self.title.offer(META, text()),
            "title" | "twitter:text:title" => self.title.offer(META_WEAK, text()),
            "og:description" => self.subtitle.offer(OPEN_GRAPH, text()),
            "description" | "dc.description" | "dcterms.description" | "dcterms.abstract" => {
                self.subtitle.offer(META, text())
            }
            "twitter:description" | "sailthru.description" => {
                self.subtitle.offer(META_WEAK, text())
            }
            "og:site_name" => self.offer_site(OPEN_GRAPH, text()),
            "dc.publisher"
            | "dcterms.publisher"
            | "citation_publisher"
            | "citation_journal_title" => self.offer_site(META, text()),
            "application-name" => self.offer_site(META_WEAK, text()),
            "apple-mobile-web-app-title" => self.offer_site(META_WEAKER, text()),
            "og:url" => self.canonical_url.offer(OPEN_GRAPH, url(content)),
            "twitter:url" => self.canonical_url.offer(META_WEAK, url(content)),
            "og:locale" => self.language.offer(OPEN_GRAPH, language(content)),
            "dc.language" | "dcterms.language" | "content-language" | "language" => {
                self.language.offer(META, language(content))
            }
            "article:published_time"
            | "og:article:published_time"
            | "og:published_time"
            | "article:published" => self.published.offer(OPEN_GRAPH, date(content)),
            "dc.date"
            | "dc.date.issued"
            | "dc.date.created"
            | "dcterms.date"
            | "dcterms.issued"
            | "dcterms.created"
            | "citation_publication_date"
            | "citation_online_date"
            | "citation_date"
            | "parsely-pub-date"
            | "sailthru.date"
            | "date"
            | "pubdate"
            | "publish-date"
            | "publish_date"
            | "publishdate"
            | "published-date"
            | "article.published"
            | "datepublished" => self.published.offer(META, date(content)),
            "article:author" | "og:article:author" => {
                self.authors.offer_people(OPEN_GRAPH, people(content), true)
            }
            "author" | "dc.creator" | "dcterms.creator" | "citation_author" | "parsely-author"
            | "sailthru.author" => self.authors.offer_people(META, people(content), true),
            "parsely-page" => self.parsely(content),
            _ => {}
        }
    }

    /// `<meta name="parsely-page">` holds a small JSON object about the article.
    fn parsely(&mut self, content: &str) {
        let Some(Value::Object(page)) = parse_lenient(content).into_iter().next() else {
            return;
        };
        self.title
            .offer(META_WEAK, page.get("title").and_then(ld_text));
        let published = page
            .get("pub_date")
            .and_then(ld_text)
            .as_deref()
            .and_then(date);
        self.published.offer(META_WEAK, published);
        if let Some(author) = page.get("author").or_else(|| page.get("authors")) {
            let names = ld_people(author, &HashMap::new());
            self.authors.offer_people(META_WEAK, names, false);
        }
    }

    fn link(&mut self, element: &Element) {
        let canonical = element.attr("rel").is_some_and(|rel| {
            rel.split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("canonical"))
        });
        if canonical {
            self.canonical_url
                .offer(META, element.attr("href").and_then(url));
        }
    }

    // ---- microdata ----

    fn microdata(&mut self, dom: &Dom<'_>, i: usize, tag: Tag, element: &Element) {
        let props = element.attr("itemprop");
        let scope = element.attr("itemscope").is_some();
        let top = self.scopes.last().map(|s| s.kind);
        let in_article = matches!(top, None | Some(ScopeKind::Article | ScopeKind::Page));
        let rank = if top == Some(ScopeKind::Page) {
            MICRODATA_PAGE
        } else {
            MICRODATA
        };
        let has = |name: &str| props.is_some_and(|p| p.split_ascii_whitespace().any(|x| x == name));
        if let Some(props) = props {
            for prop in props.split_ascii_whitespace() {
                match (prop, top) {
                    ("name", Some(ScopeKind::Author)) => {
                        let names = prop_value(dom, i, tag, element).as_deref().map(people);
                        self.authors
                            .offer_people(MICRODATA, names.unwrap_or_default(), true);
                    }
                    ("name", Some(ScopeKind::Publisher)) => {
                        self.offer_site(MICRODATA, prop_value(dom, i, tag, element))
                    }
                    ("name", Some(ScopeKind::Article | ScopeKind::Page)) if !scope => self
                        .title
                        .offer(MICRODATA_NAME, prop_value(dom, i, tag, element)),
                    (_, _) if !in_article => {}
                    ("headline", _) => self.title.offer(rank, prop_value(dom, i, tag, element)),
                    ("description" | "alternativeHeadline", _) if !scope => {
                        self.subtitle.offer(rank, prop_value(dom, i, tag, element))
                    }
                    ("author" | "creator", _) if !scope => {
                        let names = prop_value(dom, i, tag, element).as_deref().map(people);
                        self.authors
                            .offer_people(rank, names.unwrap_or_default(), true);
                    }
                    ("datePublished", _) => {
                        let value = prop_value(dom, i, tag, element);
                        self.published.offer(rank, value.as_deref().and_then(date));
                    }
                    ("publisher", _) if !scope => {
                        self.offer_site(rank, prop_value(dom, i, tag, element))
                    }
                    ("inLanguage", _) => {
                        let value = prop_value(dom, i, tag, element);
                        self.language
                            .offer(rank, value.as_deref().and_then(language));
                    }
                    _ => {}
                }
            }
        }
        if scope {
            let kind = if in_article && (has("author") || has("creator")) {
                ScopeKind::Author
            } else if in_article && has("publisher") {
                ScopeKind::Publisher
            } else {
                match element.attr("itemtype") {
                    Some(types) => types
                        .split_ascii_whitespace()
                        .map(type_kind)
                        .find(|k| *k != ScopeKind::Other)
                        .unwrap_or(ScopeKind::Other),
                    None => ScopeKind::Other,
                }
            };
            // A person or an organisation that is not the article's author or publisher
            // (a commenter, a quoted company) says nothing about the article.
            let kind = match kind {
                ScopeKind::Publisher if !in_article => ScopeKind::Other,
                kind => kind,
            };
            self.scopes.push(Scope {
                end: dom.nodes[i].end,
                kind,
            });
        }
    }

    // ---- the visible page ----

    fn time(&mut self, element: &Element) {
        if !self.published.wants(PAGE) {
            return;
        }
        let rank = if element.attr("pubdate").is_some() {
            PAGE
        } else {
            PAGE_WEAK
        };
        self.published
            .offer(rank, element.attr("datetime").and_then(date));
    }

    /// An element named as the byline (`class="byline"`, `rel="author"`, `class="author"`).
    fn byline(&mut self, dom: &Dom<'_>, i: usize, tag: Tag, element: &Element) {
        if !matches!(
            tag,
            Tag::A | Tag::Span | Tag::Div | Tag::P | Tag::Li | Tag::Dd | Tag::Other
        ) {
            return;
        }
        let named = |value: Option<&str>| {
            value.is_some_and(|v| {
                (find_ci(v, "byline").is_some() || find_ci(v, "author").is_some())
                    && !NOT_BYLINE.iter().any(|n| find_ci(v, n).is_some())
            })
        };
        let rel_author = element.attr("rel").is_some_and(|r| {
            r.split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("author"))
        });
        if !(rel_author || named(element.attr("class")) || named(element.attr("id"))) {
            return;
        }
        if dom.nodes[i].end - i > 40 {
            return;
        }
        self.byline_tries += 1;
        if self.byline_tries > 20 {
            self.byline_done = true;
            return;
        }
        let text = block_text(dom, i);
        if text.chars().count() > 160 {
            return;
        }
        let names = people(&text);
        if !names.is_empty() {
            self.authors.offer_people(PAGE, names, false);
            self.byline_done = true;
        }
    }

    /// An element whose class names it as the date (`class="publish-date"`) and whose text
    /// reads as one, for pages that give no date in their markup.
    fn dated(&mut self, dom: &Dom<'_>, i: usize, element: &Element) {
        let Some(class) = element.attr("class") else {
            return;
        };
        let named = ["date", "time", "publish"]
            .iter()
            .any(|n| find_ci(class, n).is_some())
            && !NOT_DATE.iter().any(|n| find_ci(class, n).is_some());
        if !named || dom.nodes[i].end - i > 20 {
            return;
        }
        self.date_tries += 1;
        if self.date_tries > 30 {
            return;
        }
        let text = collapse(&dom.text(i));
        if text.len() <= 80 {
            self.published.offer(PAGE_WEAKER, date(&text));
        }
    }
}

/// Class words of dates that are not the article's publication date.
const NOT_DATE: &[&str] = &[
    "update",
    "modif",
    "comment",
    "recommend",
    "related",
    "footer",
];

/// The text of a subtree with a `|` where an element starts a block, so that a byline written
/// as `<div>By A</div><div>Agency</div>` reads as two names, not "By AAgency".
fn block_text(dom: &Dom<'_>, i: usize) -> String {
    let mut s = String::new();
    for node in &dom.nodes[i..dom.nodes[i].end] {
        match node.kind {
            Kind::Text(t) => s.push_str(t),
            Kind::Element(tag, _) if tag.is_block() || tag == Tag::Br => s.push('|'),
            _ => {}
        }
    }
    s
}

/// Class and id words that name something beside a byline: an author's portrait or biography,
/// a commenter, a link to more by the same author.
const NOT_BYLINE: &[&str] = &[
    "comment", "bio", "avatar", "photo", "image", "img", "thumb", "social", "follow", "more",
    "share", "date", "time", "about", "page",
];

/// The value of a microdata property: `content`, `datetime`, else the element's text.
fn prop_value(dom: &Dom<'_>, i: usize, tag: Tag, element: &Element) -> Option<String> {
    if let Some(content) = element.attr("content") {
        return nonempty(collapse(content));
    }
    if let Some(datetime) = element.attr("datetime") {
        return nonempty(collapse(datetime));
    }
    if matches!(tag, Tag::Meta | Tag::Link | Tag::Img) || dom.nodes[i].end - i > 100 {
        return None;
    }
    nonempty(collapse(&dom.text(i)))
}

// ---- JSON-LD helpers ----

type Ids<'v> = HashMap<&'v str, &'v Map<String, Value>>;

/// Parses a JSON-LD block as written, else a cleaned copy; gives nothing for garbage.
fn parse_lenient(source: &str) -> Vec<Value> {
    let Some(source) = unwrap_markers(source) else {
        return Vec::new();
    };
    let values = parse_stream(source);
    if !values.is_empty() {
        return values;
    }
    parse_stream(&clean_json(source))
}

/// Every JSON value at the start of `source`, one after another, up to the first error.
fn parse_stream(source: &str) -> Vec<Value> {
    serde_json::Deserializer::from_str(source)
        .into_iter::<Value>()
        .map_while(Result::ok)
        .take(16)
        .collect()
}

/// The JSON inside HTML comment and CDATA wrappers.
fn unwrap_markers(source: &str) -> Option<&str> {
    let mut s = source.trim();
    loop {
        let before = s.len();
        for prefix in ["<!--", "//<![CDATA[", "/*<![CDATA[*/", "<![CDATA["] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest.trim_start();
            }
        }
        for suffix in ["-->", "//]]>", "/*]]>*/", "]]>"] {
            if let Some(rest) = s.strip_suffix(suffix) {
                s = rest.trim_end();
            }
        }
        if s.len() == before {
            break;
        }
    }
    let start = s.find(['{', '['])?;
    Some(&s[start..])
}

/// A copy of `source` that strict JSON accepts more often: raw control characters inside
/// strings escaped, stray backslashes dropped, trailing commas removed.
fn clean_json(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 16);
    let mut chars = source.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '"' => {
                    in_string = false;
                    out.push(c);
                }
                '\\' => match chars.peek().copied() {
                    Some('u') => {
                        let mut ahead = chars.clone();
                        ahead.next();
                        if ahead.take(4).filter(char::is_ascii_hexdigit).count() == 4 {
                            out.push('\\');
                        }
                    }
                    Some(n) if "\"\\/bfnrt".contains(n) => {
                        out.push('\\');
                        out.push(n);
                        chars.next();
                    }
                    _ => {}
                },
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => out.push(' '),
                c => out.push(c),
            }
        } else {
            match c {
                '"' => {
                    in_string = true;
                    out.push(c);
                }
                ',' => {
                    let next = chars.clone().find(|c| !c.is_whitespace());
                    if !matches!(next, Some('}' | ']')) {
                        out.push(c);
                    }
                }
                c => out.push(c),
            }
        }
    }
    out
}

/// The typed objects of a JSON-LD value: itself, the members of an array or an `@graph`,
/// and a page's `mainEntity`.
fn collect_items<'v>(value: &'v Value, depth: u8, out: &mut Vec<&'v Map<String, Value>>) {
    if depth > 4 || out.len() > 200 {
        return;
    }
    match value {
        Value::Array(values) => values.iter().for_each(|v| collect_items(v, depth + 1, out)),
        Value::Object(object) => {
            if object.contains_key("@type") {
                out.push(object);
            }
            if let Some(graph) = object.get("@graph") {
                collect_items(graph, depth + 1, out);
            }
            if let Some(main) = object.get("mainEntity") {
                collect_items(main, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// What a JSON-LD item is, from its `@type`.
fn ld_kind(item: &Map<String, Value>) -> ScopeKind {
    let kinds = match item.get("@type") {
        Some(Value::String(t)) => vec![type_kind(t)],
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .map(type_kind)
            .collect(),
        _ => Vec::new(),
    };
    for wanted in [ScopeKind::Article, ScopeKind::Page, ScopeKind::Publisher] {
        if kinds.contains(&wanted) {
            return wanted;
        }
    }
    ScopeKind::Other
}

/// What a schema.org type names: an article, a web page, a web site (here `Publisher`), or
/// something else.
fn type_kind(name: &str) -> ScopeKind {
    let name = name.rsplit(['/', ':', '#']).next().unwrap_or(name);
    if name.ends_with("Article")
        || matches!(
            name,
            "BlogPosting" | "LiveBlogPosting" | "SocialMediaPosting" | "Report"
        )
    {
        ScopeKind::Article
    } else if name.ends_with("Page") {
        ScopeKind::Page
    } else if name == "WebSite" {
        ScopeKind::Publisher
    } else {
        ScopeKind::Other
    }
}

fn is_organisation(item: &Map<String, Value>) -> bool {
    let is = |t: &str| {
        let t = t.rsplit(['/', ':']).next().unwrap_or(t);
        t.ends_with("Organization") || t == "Corporation" || t == "WebSite" || t == "Brand"
    };
    match item.get("@type") {
        Some(Value::String(t)) => is(t),
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).any(is),
        _ => false,
    }
}

/// A JSON-LD text value, cleaned: entities decoded, tags removed, whitespace collapsed.
fn ld_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => nonempty(collapse(&strip_tags(&decode_entities(s)))),
        Value::Array(values) => values.iter().find_map(ld_text),
        _ => None,
    }
}

/// The object a reference (`{"@id": …}`) points to, or the object itself.
fn resolve<'v>(object: &'v Map<String, Value>, ids: &Ids<'v>) -> &'v Map<String, Value> {
    if object.contains_key("name") {
        return object;
    }
    object
        .get("@id")
        .and_then(Value::as_str)
        .and_then(|id| ids.get(id).copied())
        .unwrap_or(object)
}

/// The name of a person or organisation given as text, an object or a list.
fn ld_name(value: &Value, ids: &Ids<'_>) -> Option<String> {
    match value {
        Value::String(_) => ld_text(value),
        Value::Array(values) => values.iter().find_map(|v| ld_name(v, ids)),
        Value::Object(object) => {
            let object = resolve(object, ids);
            object.get("name").and_then(ld_text).or_else(|| {
                let given = object.get("givenName").and_then(ld_text)?;
                let family = object.get("familyName").and_then(ld_text);
                Some(match family {
                    Some(family) => format!("{given} {family}"),
                    None => given,
                })
            })
        }
        _ => None,
    }
}

/// The people named as authors; organisations only when no person is named.
fn ld_people(value: &Value, ids: &Ids<'_>) -> Vec<String> {
    let mut persons = Vec::new();
    let mut organisations = Vec::new();
    let entries: &[Value] = match value {
        Value::Array(values) => values,
        other => std::slice::from_ref(other),
    };
    for entry in entries.iter().take(30) {
        let organisation = match entry {
            Value::Object(object) => is_organisation(resolve(object, ids)),
            _ => false,
        };
        if let Some(name) = ld_name(entry, ids) {
            let names = people(&name);
            if organisation {
                organisations.extend(names);
            } else {
                persons.extend(names);
            }
        }
    }
    if persons.is_empty() {
        organisations
    } else {
        persons
    }
}

fn ld_url(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => url(s),
        Value::Object(object) => object
            .get("@id")
            .or_else(|| object.get("url"))
            .and_then(ld_url),
        Value::Array(values) => values.iter().find_map(ld_url),
        _ => None,
    }
}

fn ld_language(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => language(s),
        Value::Object(object) => object
            .get("alternateName")
            .or_else(|| object.get("name"))
            .and_then(ld_language),
        Value::Array(values) => values.iter().find_map(ld_language),
        _ => None,
    }
}

/// `articleBody` as paragraphs separated by blank lines.
fn paragraphs(body: &str) -> String {
    let body = strip_tags(&decode_entities(body)).into_owned();
    let mut out = String::with_capacity(body.len());
    for line in body.lines() {
        let line = collapse(line);
        if !line.is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&line);
        }
    }
    out
}

// ---- text helpers ----

fn nonempty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// Whitespace runs as single spaces, trimmed.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Where `needle` (ASCII, lower case) starts in `hay`, ignoring ASCII case.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| {
        hay[i..i + needle.len()]
            .iter()
            .zip(needle)
            .all(|(h, n)| h.to_ascii_lowercase() == *n)
    })
}

/// Character references left in JSON-LD text (`&amp;`, `&#8217;`), decoded; twice when the
/// text was escaped twice (`&amp;#8217;`).
fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let once = decode_once(s);
    if once.contains('&') && once != s {
        Cow::Owned(decode_once(&once))
    } else {
        Cow::Owned(once)
    }
}

fn decode_once(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest[1..]
            .find(';')
            .filter(|&end| end <= 10)
            .and_then(|end| Some((entity(&rest[1..=end])?, end + 2)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code).filter(|c| *c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "middot" => '·',
        "bull" => '•',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "pound" => '£',
        "eacute" => 'é',
        "egrave" => 'è',
        "aacute" => 'á',
        "agrave" => 'à',
        "iacute" => 'í',
        "oacute" => 'ó',
        "uacute" => 'ú',
        "ntilde" => 'ñ',
        "ccedil" => 'ç',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "szlig" => 'ß',
        _ => return None,
    })
}

/// Text with markup tags (`<p>`, `</em>`, `<br/>`) removed; a `<` that starts no tag stays.
fn strip_tags(s: &str) -> Cow<'_, str> {
    if !s.contains('<') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let starts_tag = rest[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        match rest.find('>').filter(|_| starts_tag) {
            Some(end) => {
                out.push(' ');
                rest = &rest[end + 1..];
            }
            None => {
                out.push('<');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Whether two names read the same, ignoring case, spaces and punctuation.
fn same_name(a: &str, b: &str) -> bool {
    let key = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let a = key(a);
    !a.is_empty() && a == key(b)
}

/// Whether the words of `part` appear together in `name`, ignoring case and punctuation.
fn has_words(name: &str, part: &str) -> bool {
    let words = |s: &str| {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    let (name, part) = (words(name), words(part));
    !part.is_empty() && name.windows(part.len()).any(|w| w == part.as_slice())
}

const TITLE_SEPARATORS: &[&str] = &[
    " | ", " - ", " — ", " – ", " :: ", " · ", " » ", " // ", " • ",
];

/// A title without the site's name around it: "Headline | Site" gives "Headline" when "Site"
/// is the site's name or "Headline" is the page's first heading.
fn strip_site(title: &str, site: Option<&str>, h1: Option<&str>) -> String {
    for sep in TITLE_SEPARATORS {
        if let Some(at) = title.rfind(sep) {
            let (head, tail) = (title[..at].trim(), title[at + sep.len()..].trim());
            if !head.is_empty() && site.is_some_and(|s| same_name(tail, s)) {
                return head.to_owned();
            }
        }
        if let Some(at) = title.find(sep) {
            let (head, tail) = (title[..at].trim(), title[at + sep.len()..].trim());
            if !tail.is_empty() && site.is_some_and(|s| same_name(head, s)) {
                return tail.to_owned();
            }
        }
    }
    if let Some(h1) = h1 {
        for sep in TITLE_SEPARATORS {
            for (at, _) in title.match_indices(sep) {
                if same_name(&title[..at], h1) {
                    return title[..at].trim().to_owned();
                }
            }
        }
    }
    title.to_owned()
}

// ---- people ----

/// Names in a byline or an author field: "By A, B and C" gives A, B, C. Addresses, handles and
/// text with digits are not names.
fn people(raw: &str) -> Vec<String> {
    let mut names = Vec::new();
    for piece in raw.split([',', ';', '|', '•', '·']) {
        let piece = collapse(piece);
        let mut rest = strip_by(&piece);
        loop {
            let cut = [" and ", " & "]
                .iter()
                .filter_map(|sep| Some((find_ci(rest, sep)?, sep.len())))
                .min();
            let (part, next) = match cut {
                Some((at, len)) => (&rest[..at], Some(&rest[at + len..])),
                None => (rest, None),
            };
            let part = strip_by(part.trim_matches(|c: char| {
                c.is_whitespace() || matches!(c, ':' | '-' | '–' | '—' | '(' | ')')
            }));
            if is_name(part) {
                names.push(part.to_owned());
            }
            match next {
                Some(next) => rest = next,
                None => break,
            }
        }
    }
    // "Jane Doe, Staff Writer", "Jane Doe, Associated Press", "Jane Doe, MD": the role, the
    // agency or the title goes when a person's name is left.
    let person = |n: &String| !is_role(n) && n.split_whitespace().nth(1).is_some();
    if names.iter().any(person) {
        names.retain(person);
    }
    names
}

fn strip_by(s: &str) -> &str {
    let s = s.trim();
    // "Analysis by A", "Photographs by A": a word or two, then "by".
    if let Some(at) = find_ci(s, " by ")
        && s[..at].split_whitespace().count() <= 2
    {
        return s[at + 4..].trim();
    }
    // "Posted by", with the name in the next element.
    let cut = s.len().saturating_sub(3);
    if s.get(cut..)
        .is_some_and(|end| end.eq_ignore_ascii_case(" by"))
        && s[..cut].split_whitespace().count() <= 2
    {
        return "";
    }
    for prefix in ["by:", "by ", "author:", "authors:"] {
        if s.len() >= prefix.len()
            && s.is_char_boundary(prefix.len())
            && s[..prefix.len()].eq_ignore_ascii_case(prefix)
        {
            return s[prefix.len()..].trim();
        }
    }
    s
}

fn is_name(s: &str) -> bool {
    let words = s.split_whitespace().count();
    (1..=7).contains(&words)
        && s.chars().count() <= 80
        && s.chars().any(char::is_alphabetic)
        && !s
            .chars()
            .any(|c| c.is_ascii_digit() || matches!(c, '@' | '/' | '<' | '>' | '=' | '{'))
        && find_ci(s, "www.").is_none()
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "by" | "and" | "author" | "authors"
        )
}

/// Whether a name has a word that names a role or an organisation rather than a person.
fn is_role(name: &str) -> bool {
    const ROLES: &[&str] = &[
        "press",
        "news",
        "agency",
        "wire",
        "service",
        "bureau",
        "desk",
        "team",
        "report",
        "writer",
        "reporter",
        "correspondent",
        "editor",
        "contributor",
        "columnist",
        "staff",
        "journalist",
        "photographer",
    ];
    name.split_whitespace().any(|w| {
        let w = w.to_lowercase();
        ROLES
            .iter()
            .any(|r| w == *r || w.strip_suffix('s') == Some(r))
    })
}

/// Names without duplicates, at most ten, the site's own name left out when a person is named.
fn tidy_people(names: Vec<String>, site: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        if !out.iter().any(|kept| same_name(kept, &name)) {
            out.push(name);
        }
    }
    // "Jane Doe, Site Business": the site's own name, or a desk of it.
    if let Some(site) = site {
        let names_site = |n: &String| has_words(n, site);
        if out.iter().any(|n| !names_site(n)) {
            out.retain(|n| !names_site(n));
        }
    }
    out.truncate(10);
    out
}

// ---- addresses and languages ----

fn url(s: &str) -> Option<String> {
    let s = s.trim();
    let absolute = ["http://", "https://"]
        .iter()
        .any(|p| s.len() > p.len() && s[..p.len()].eq_ignore_ascii_case(p));
    (absolute && !s.contains(char::is_whitespace)).then(|| s.to_owned())
}

/// A BCP 47 tag in its usual case (`en`, `pt-BR`, `zh-Hant-TW`), from `en_US`, `EN-us` and
/// the like; the subtags after the first malformed one are left out.
fn language(s: &str) -> Option<String> {
    let s = s.split([',', ';']).next()?.trim();
    let mut subtags = s.split(['-', '_']);
    let first = subtags.next()?;
    if !(2..=3).contains(&first.len()) || !first.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut tag = first.to_ascii_lowercase();
    for sub in subtags {
        if sub.is_empty() || sub.len() > 8 || !sub.chars().all(|c| c.is_ascii_alphanumeric()) {
            break;
        }
        tag.push('-');
        if sub.len() == 2 && sub.chars().all(|c| c.is_ascii_alphabetic()) {
            tag.push_str(&sub.to_ascii_uppercase());
        } else if sub.len() == 4 && sub.chars().all(|c| c.is_ascii_alphabetic()) {
            tag.push_str(&sub[..1].to_ascii_uppercase());
            tag.push_str(&sub[1..].to_ascii_lowercase());
        } else {
            tag.push_str(&sub.to_ascii_lowercase());
        }
    }
    Some(tag)
}

// ---- dates ----

/// A date as a page writes it, in ISO 8601: `2019-11-19T10:23:00Z`,
/// `2019-11-19T10:23:00-05:00`, `2019-11-19T10:23:00` (no zone given) or `2019-11-19`.
/// Accepts ISO forms, RFC 2822 ("Tue, 19 Nov 2019 10:23:00 GMT") and written dates
/// ("November 19, 2019", "19 Nov 2019 07:09 GMT", "01:38 PM Nov 20, 2019").
fn date(s: &str) -> Option<String> {
    let s = s.trim();
    let when = iso_date(s).or_else(|| written_date(s))?;
    when.valid().then(|| when.to_string())
}

struct When {
    year: u32,
    month: u32,
    day: u32,
    time: Option<(u32, u32, u32)>,
    /// Minutes east of UTC, when the page gives a zone.
    offset: Option<i32>,
}

impl When {
    fn valid(&self) -> bool {
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if self.year.is_multiple_of(4)
                && (!self.year.is_multiple_of(100) || self.year.is_multiple_of(400)) =>
            {
                29
            }
            2 => 28,
            _ => return false,
        };
        let time_ok = self
            .time
            .is_none_or(|(h, m, s)| h < 24 && m < 60 && s <= 60);
        // Year 1 and the Unix epoch are what empty dates become on their way to a page.
        let placeholder = self.year == 1970 && self.month == 1 && self.day == 1;
        (1800..=2200).contains(&self.year)
            && (1..=days).contains(&self.day)
            && time_ok
            && self.offset.is_none_or(|o| o.abs() < 18 * 60)
            && !placeholder
    }
}

impl std::fmt::Display for When {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)?;
        let Some((h, m, s)) = self.time else {
            return Ok(());
        };
        write!(f, "T{h:02}:{m:02}:{s:02}")?;
        match self.offset {
            Some(0) => f.write_str("Z"),
            Some(o) => {
                let sign = if o < 0 { '-' } else { '+' };
                write!(f, "{sign}{:02}:{:02}", o.abs() / 60, o.abs() % 60)
            }
            None => Ok(()),
        }
    }
}

/// A cursor over the bytes of a date.
struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        self.at += usize::from(hit);
        hit
    }

    fn spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    /// A number of `min..=max` digits.
    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.at;
        let mut value = 0u32;
        while self.at - start < max
            && let Some(d) = self.peek().filter(u8::is_ascii_digit)
        {
            value = value * 10 + u32::from(d - b'0');
            self.at += 1;
        }
        if self.at - start < min {
            self.at = start;
            return None;
        }
        Some(value)
    }

    /// `HH:MM`, `HH:MM:SS`, with a fraction of a second left out.
    fn time(&mut self) -> Option<(u32, u32, u32)> {
        let start = self.at;
        let hour = self.number(1, 2)?;
        if !self.eat(b':') {
            self.at = start;
            return None;
        }
        let Some(minute) = self.number(2, 2) else {
            self.at = start;
            return None;
        };
        let mut second = 0;
        if self.peek() == Some(b':') {
            self.at += 1;
            second = self.number(2, 2)?;
            if self.eat(b'.') || self.eat(b',') {
                self.number(1, 9)?;
            }
        }
        Some((hour, minute, second))
    }

    /// `+05:30`, `-0500`, `+05`.
    fn offset(&mut self) -> Option<i32> {
        let sign = match self.peek()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let start = self.at;
        self.at += 1;
        let digits = self.bytes[self.at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let (hours, minutes) = match digits {
            4 => (self.number(2, 2)?, self.number(2, 2)?),
            1 | 2 => {
                let hours = self.number(1, 2)?;
                let minutes = if self.eat(b':') {
                    self.number(2, 2)?
                } else {
                    0
                };
                (hours, minutes)
            }
            _ => {
                self.at = start;
                return None;
            }
        };
        Some(sign * (hours as i32 * 60 + minutes as i32))
    }

    /// A zone after a time: `Z`, an offset, or a name (`GMT`, `EST`, `GMT+1`).
    fn zone(&mut self) -> Option<i32> {
        let before = self.at;
        let zone = self.zone_at();
        if zone.is_none() {
            self.at = before;
        }
        zone
    }

    fn zone_at(&mut self) -> Option<i32> {
        self.spaces();
        if self.eat(b'Z') || self.eat(b'z') {
            return Some(0);
        }
        if let Some(offset) = self.offset() {
            return Some(offset);
        }
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            self.at += 1;
        }
        let name = std::str::from_utf8(&self.bytes[start..self.at]).ok()?;
        let base = zone_name(name)?;
        Some(if base == 0 {
            self.offset().unwrap_or(0)
        } else {
            base
        })
    }
}

/// The zones RFC 2822 names; other abbreviations (IST, CST outside America) are ambiguous and
/// give no offset.
fn zone_name(name: &str) -> Option<i32> {
    Some(match name.to_ascii_uppercase().as_str() {
        "GMT" | "UTC" | "UT" => 0,
        "EST" => -5 * 60,
        "EDT" => -4 * 60,
        "CST" => -6 * 60,
        "CDT" => -5 * 60,
        "MST" => -7 * 60,
        "MDT" => -6 * 60,
        "PST" => -8 * 60,
        "PDT" => -7 * 60,
        _ => return None,
    })
}

/// `2019-11-19`, `2019/11/19`, then an optional `T10:23`, `10:23:00.000`, then an optional zone.
fn iso_date(s: &str) -> Option<When> {
    let mut scan = Scan {
        bytes: s.as_bytes(),
        at: 0,
    };
    let year = scan.number(4, 4)?;
    let sep = scan.peek().filter(|b| matches!(b, b'-' | b'/' | b'.'))?;
    scan.at += 1;
    let month = scan.number(1, 2)?;
    if !scan.eat(sep) {
        return None;
    }
    let day = scan.number(1, 2)?;
    if scan.peek().is_some_and(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut when = When {
        year,
        month,
        day,
        time: None,
        offset: None,
    };
    if scan.eat(b'T') || scan.eat(b't') || scan.peek() == Some(b' ') {
        scan.spaces();
        if let Some(time) = scan.time() {
            when.time = Some(time);
            when.offset = scan.zone();
        }
    }
    Some(when)
}

/// A date written with the month's name, in any order: "Tue, 19 Nov 2019 10:23:00 GMT",
/// "November 19, 2019", "01:38:07 PM IST Nov 20, 2019".
fn written_date(s: &str) -> Option<When> {
    let bytes = s.as_bytes();
    let mut scan = Scan { bytes, at: 0 };
    let (mut year, mut month, mut day) = (None, None, None);
    let mut time = None;
    let mut offset = None;
    let mut afternoon = None;
    while let Some(b) = scan.peek() {
        if b.is_ascii_digit() {
            if time.is_none()
                && let Some(t) = scan.time()
            {
                time = Some(t);
                offset = offset.or_else(|| scan.zone());
                continue;
            }
            let start = scan.at;
            let n = scan.number(1, 9)?;
            match scan.at - start {
                4 if year.is_none() => year = Some(n),
                1 | 2 if day.is_none() => day = Some(n),
                _ => {}
            }
        } else if b.is_ascii_alphabetic() {
            let start = scan.at;
            while scan
                .peek()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'.')
            {
                scan.at += 1;
            }
            let word = s[start..scan.at].trim_end_matches('.').to_ascii_lowercase();
            if let Some(m) = month_number(&word) {
                month = month.or(Some(m));
            } else if matches!(word.as_str(), "am" | "a.m") {
                afternoon = Some(false);
            } else if matches!(word.as_str(), "pm" | "p.m") {
                afternoon = Some(true);
            } else if time.is_some() && offset.is_none() {
                offset = zone_name(&word).map(|base| {
                    if base == 0 {
                        scan.offset().unwrap_or(0)
                    } else {
                        base
                    }
                });
            }
        } else if matches!(b, b'+' | b'-') && time.is_some() && offset.is_none() {
            match scan.offset() {
                Some(o) => offset = Some(o),
                None => scan.at += 1,
            }
        } else {
            scan.at += 1;
        }
    }
    let time = match (time, afternoon) {
        (Some((h, m, s)), Some(pm)) if (1..=12).contains(&h) => {
            Some(((h % 12) + if pm { 12 } else { 0 }, m, s))
        }
        (Some(_), Some(_)) => return None,
        (time, _) => time,
    };
    Some(When {
        year: year?,
        month: month?,
        day: day?,
        offset: time.and(offset),
        time,
    })
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
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
    ];
    if word.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(word))
        .map(|i| i as u32 + 1)
}
