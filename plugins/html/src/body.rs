//! The article's main text.
//!
//! 1. Furniture is set aside by what it is: scripts, forms, navigation, asides, footers,
//!    figures and their captions, hidden elements, and elements whose class or id names them
//!    as comments, share bars, related links, menus or ads.
//! 2. Each paragraph scores its parent and grandparent by its length and its commas; the
//!    element whose score, discounted by how much of its text is links, is highest holds the
//!    article. Siblings that read as more of it join it.
//! 3. The chosen elements are written out block by block, leaving out lists of links and
//!    boxes that are mostly links or images.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::dom::{Dom, Kind, Tag};
use crate::lines;
use crate::meta::Meta;

/// The main text of a page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Body {
    /// Paragraphs separated by blank lines.
    pub text: String,
}

/// Reads the main text of a page.
pub fn extract(dom: &Dom<'_>, meta: &Meta) -> Body {
    let title = meta.title.as_deref();
    let strict = read(&Analysis::new(dom, true), title);
    // Furniture names sometimes sit on a wrapper around the whole page
    // (`wrapper header-style-2`); when setting them aside leaves little text, read again
    // without them and keep the longer text.
    let mut text = strict;
    if text.chars().filter(|c| !c.is_whitespace()).count() < 500 {
        let loose = read(&Analysis::new(dom, false), title);
        if loose.len() > text.len() {
            text = loose;
        }
    }
    // The page's own JSON-LD copy of the article: taken when the reading of the markup
    // found markedly less (the text sits in a script-built part of the page, or the markup
    // defeated the reader).
    if let Some(declared) = meta.article_body.as_deref()
        && declared.len() >= 200
        && text.len() * 10 < declared.len() * 6
    {
        text = paragraphs(declared);
    }
    Body { text }
}

/// Text given as one string (JSON-LD `articleBody`) as paragraphs: its line breaks kept as
/// paragraph breaks, runs of spaces collapsed.
fn paragraphs(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if !line.is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&line);
        }
    }
    out
}

fn read(page: &Analysis<'_, '_>, title: Option<&str>) -> String {
    let Some(top) = page.top_candidate() else {
        return String::new();
    };
    let mut out = Writer {
        title,
        ..Writer::default()
    };
    for i in page.with_siblings(top) {
        page.write(i, &mut out);
    }
    out.finish()
}

/// Per-node facts the readers share, indexed like the arena.
struct Analysis<'d, 'a> {
    dom: &'d Dom<'a>,
    /// Whether the node is furniture or inside furniture.
    junk: Vec<bool>,
    /// The class and id weight of each element: negative for furniture names, positive for
    /// article names.
    weight: Vec<i32>,
    /// Characters of text (whitespace left out) in the subtree, furniture left out.
    chars: Vec<u32>,
    /// Of those, characters inside links.
    link_chars: Vec<u32>,
    /// Commas in the subtree.
    commas: Vec<u32>,
    /// Paragraph scores given to the node by the paragraphs under it.
    score: Vec<f32>,
    /// Paragraphs (runs of 25 characters or more) in the subtree.
    paras: Vec<u32>,
    /// Characters of article-like paragraphs (long runs that are mostly not links) in the
    /// subtree.
    good: Vec<u32>,
}

/// Names in a class or id that mark furniture.
const UNLIKELY: &[&str] = &[
    "-ad-",
    "ai2html",
    "banner",
    "breadcrumb",
    "combx",
    "comment",
    "community",
    "cover-wrap",
    "disqus",
    "extra",
    "footer",
    "gdpr",
    "header",
    "legends",
    "menu",
    "related",
    "remark",
    "replies",
    "rss",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "social",
    "sponsor",
    "supplemental",
    "ad-break",
    "agegate",
    "pagination",
    "pager",
    "popup",
    "share",
    "newsletter",
    "cookie",
    "subscribe",
    "promo",
];

/// Names that mark furniture even beside an article name (`article-byline`,
/// `related-articles`, `post-tags`).
const FURNITURE: &[&str] = &[
    "byline",
    "caption",
    "comment",
    "share",
    "sharing",
    "social",
    "related",
    "newsletter",
    "subscribe",
    "promo",
    "breadcrumb",
    "tags",
    "sr-only",
    "visually-hidden",
    "screen-reader",
    "author-bio",
    "advert",
];

/// Names that keep an element an unlikely name would set aside.
const MAYBE: &[&str] = &[
    "and", "article", "body", "column", "content", "main", "shadow",
];

/// Names that lower an element's score.
const NEGATIVE: &[&str] = &[
    "-ad-",
    "hidden",
    "banner",
    "combx",
    "comment",
    "com-",
    "contact",
    "footer",
    "gdpr",
    "masthead",
    "media",
    "meta",
    "outbrain",
    "promo",
    "related",
    "scroll",
    "share",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "shopping",
    "tags",
    "widget",
];

/// Names that raise an element's score.
const POSITIVE: &[&str] = &[
    "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text",
    "blog", "story",
];

/// The shortest run of text that counts as an article paragraph when deciding how far up the
/// article reaches.
const GOOD_RUN: u32 = 40;
/// How much more article text an ancestor must hold to replace the chosen block.
const CLIMB_GAIN: f32 = 1.25;
/// How many levels above the chosen block the article may reach: chunks of one article sit
/// close together, a list of other stories further away.
const MAX_CLIMB: usize = 6;
/// The least share of an ancestor's text that must be article paragraphs.
const CLIMB_DENSITY: f32 = 0.6;

const UNLIKELY_NAME: u8 = 1;
const MAYBE_NAME: u8 = 2;
const NEGATIVE_NAME: u8 = 4;
const POSITIVE_NAME: u8 = 8;
const FURNITURE_NAME: u8 = 16;
/// Marked up as the article's body (`itemprop="articleBody"`).
const ARTICLE_BODY: u8 = 32;

/// One automaton over every list of names, each pattern carrying the lists it is in.
struct NameLists {
    automaton: AhoCorasick,
    kinds: Vec<u8>,
}

fn name_lists() -> &'static NameLists {
    static LISTS: OnceLock<NameLists> = OnceLock::new();
    LISTS.get_or_init(|| {
        let mut patterns: Vec<&str> = Vec::new();
        let mut kinds: Vec<u8> = Vec::new();
        for (list, kind) in [
            (UNLIKELY, UNLIKELY_NAME),
            (MAYBE, MAYBE_NAME),
            (NEGATIVE, NEGATIVE_NAME),
            (POSITIVE, POSITIVE_NAME),
            (FURNITURE, FURNITURE_NAME),
        ] {
            for name in list {
                match patterns.iter().position(|p| p == name) {
                    Some(k) => kinds[k] |= kind,
                    None => {
                        patterns.push(name);
                        kinds.push(kind);
                    }
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&patterns)
            .expect("the name lists are plain words");
        NameLists { automaton, kinds }
    })
}

/// `class` and `id` of an element, lower-cased.
fn names(dom: &Dom<'_>, i: usize) -> String {
    let mut s = String::new();
    if let Some(c) = dom.attr(i, "class") {
        s.push_str(c);
    }
    if let Some(id) = dom.attr(i, "id") {
        s.push(' ');
        s.push_str(id);
    }
    s.make_ascii_lowercase();
    s
}

/// Elements that never hold article text.
fn is_furniture(tag: Tag) -> bool {
    matches!(
        tag,
        Tag::Script
            | Tag::Style
            | Tag::Noscript
            | Tag::Template
            | Tag::Svg
            | Tag::Iframe
            | Tag::Button
            | Tag::Select
            | Tag::Textarea
            | Tag::Input
            | Tag::Nav
            | Tag::Aside
            | Tag::Footer
            | Tag::Figure
            | Tag::Figcaption
            | Tag::Head
            | Tag::Header
            | Tag::H1
    )
}

/// What the attributes of element `i` say: whether it is hidden (the `hidden` attribute,
/// `aria-hidden`, an inline `display: none`, or a landmark role of page furniture) and which
/// name lists its `class` and `id` hit. One pass over the attributes.
fn attributes(dom: &Dom<'_>, i: usize) -> (bool, u8) {
    let Some(e) = dom.element(i) else {
        return (false, 0);
    };
    let lists = name_lists();
    let mut kinds = 0;
    let mut hidden = false;
    for (name, value) in e.attrs() {
        match name {
            "class" | "id" => {
                for m in lists.automaton.find_overlapping_iter(value) {
                    kinds |= lists.kinds[m.pattern().as_usize()];
                }
            }
            "itemprop" if value.eq_ignore_ascii_case("articlebody") => kinds |= ARTICLE_BODY,
            "hidden" => hidden = true,
            "aria-hidden" => hidden |= value == "true",
            "style" => hidden |= is_hidden_style(value),
            "role" => {
                hidden |= matches!(
                    value,
                    "navigation"
                        | "complementary"
                        | "contentinfo"
                        | "banner"
                        | "menu"
                        | "menubar"
                        | "dialog"
                )
            }
            _ => {}
        }
    }
    (hidden, kinds)
}

/// Whether an inline style hides the element.
fn is_hidden_style(style: &str) -> bool {
    if !style.contains("none") && !style.contains("hidden") {
        return false;
    }
    let style: String = style
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    style.contains("display:none") || style.contains("visibility:hidden")
}

impl<'d, 'a> Analysis<'d, 'a> {
    fn new(dom: &'d Dom<'a>, strip_unlikely: bool) -> Self {
        let n = dom.nodes.len();
        // Furniture by what it is: its tag, or being hidden.
        let mut junk = vec![false; n];
        let mut weight = vec![0i32; n];
        let mut in_link = vec![false; n];
        // Furniture by name: a name that marks furniture whatever else the element is
        // called, or an unlikely name without a likely one.
        let mut named = vec![0u8; n];
        for i in 0..n {
            let parent = dom.nodes[i].parent;
            let inherited = parent != i && junk[parent];
            in_link[i] = parent != i && in_link[parent];
            let Kind::Element(tag, _) = dom.nodes[i].kind else {
                junk[i] = inherited;
                continue;
            };
            if tag == Tag::A {
                in_link[i] = true;
            }
            let (hidden, class) = attributes(dom, i);
            let mut w = 0;
            if class & NEGATIVE_NAME != 0 {
                w -= 25;
            }
            if class & POSITIVE_NAME != 0 {
                w += 25;
            }
            if class & ARTICLE_BODY != 0 {
                w += 50;
            }
            weight[i] = w;
            if !matches!(tag, Tag::Body | Tag::Article | Tag::Main | Tag::A)
                && (class & FURNITURE_NAME != 0
                    || (class & UNLIKELY_NAME != 0 && class & MAYBE_NAME == 0))
            {
                named[i] = 1;
            }
            junk[i] = inherited || is_furniture(tag) || hidden;
        }
        // Characters and commas of each text, counted once.
        let mut text_chars = vec![0u32; n];
        let mut text_commas = vec![0u32; n];
        for i in 0..n {
            if junk[i] {
                continue;
            }
            if let Kind::Text(t) = dom.nodes[i].kind {
                for ch in t.chars() {
                    if !ch.is_whitespace() {
                        text_chars[i] += 1;
                    }
                    if matches!(ch, ',' | '，' | '、') {
                        text_commas[i] += 1;
                    }
                }
            }
        }
        let total = |junk: &[bool]| {
            let mut chars = vec![0u32; n];
            for i in (0..n).rev() {
                if junk[i] {
                    continue;
                }
                chars[i] += text_chars[i];
                let parent = dom.nodes[i].parent;
                if parent != i {
                    chars[parent] += chars[i];
                }
            }
            chars
        };
        if strip_unlikely {
            // A name never sets aside a block holding half the page's text: such names sit
            // on wrappers (`wrapper header-style-2`, `has-sidebar`).
            let chars = total(&junk);
            let half = chars.first().copied().unwrap_or(0) / 2;
            for i in 0..n {
                let parent = dom.nodes[i].parent;
                if (parent != i && junk[parent]) || (named[i] > 0 && chars[i] < half) {
                    junk[i] = true;
                }
            }
        }
        let chars = total(&junk);
        let mut link_chars = vec![0u32; n];
        let mut commas = vec![0u32; n];
        for i in (0..n).rev() {
            if junk[i] {
                continue;
            }
            commas[i] += text_commas[i];
            if in_link[i] {
                link_chars[i] += text_chars[i];
            }
            let parent = dom.nodes[i].parent;
            if parent != i {
                link_chars[parent] += link_chars[i];
                commas[parent] += commas[i];
            }
        }
        let mut page = Analysis {
            dom,
            junk,
            weight,
            chars,
            link_chars,
            commas,
            score: vec![0.0; n],
            paras: vec![0; n],
            good: vec![0; n],
        };
        page.score_paragraphs();
        page
    }

    fn link_density(&self, i: usize) -> f32 {
        if self.chars[i] == 0 {
            0.0
        } else {
            self.link_chars[i] as f32 / self.chars[i] as f32
        }
    }

    /// Scores the paragraphs: every run of text and inline elements between blocks (a `<p>`,
    /// or text written straight into a `<div>`) of 25 characters or more gives its enclosing
    /// block and four blocks above it a share of `1 + commas + min(chars / 100, 3)`.
    fn score_paragraphs(&mut self) {
        let dom = self.dom;
        let n = dom.nodes.len();
        let mut initialised = vec![false; n];
        // Whether the node is inside a list item: teasers of other stories come as lists, so
        // text there never counts as article text when deciding how far the article reaches.
        let mut in_list = vec![false; n];
        for x in 0..n {
            let parent = dom.nodes[x].parent;
            in_list[x] = (parent != x && in_list[parent]) || dom.tag(x) == Some(Tag::Li);
            let Some(tag) = dom.tag(x) else {
                continue;
            };
            if self.junk[x]
                || !tag.is_block()
                || tag.is_heading()
                || matches!(
                    tag,
                    Tag::Li | Tag::Ul | Tag::Ol | Tag::Dl | Tag::Table | Tag::Tr
                )
            {
                continue;
            }
            let mut runs: Vec<(u32, u32, u32)> = Vec::new();
            let (mut chars, mut commas, mut links) = (0, 0, 0);
            let mut mixed = false;
            for c in dom.children(x) {
                if dom.tag(c).is_some_and(|t| t.is_block() && t != Tag::Br) {
                    mixed = true;
                    runs.push((chars, commas, links));
                    (chars, commas, links) = (0, 0, 0);
                } else if !self.junk[c] {
                    chars += self.chars[c];
                    commas += self.commas[c];
                    links += self.link_chars[c];
                }
            }
            runs.push((chars, commas, links));
            // A block of text alone is the paragraph, scoring its parent first; text beside
            // blocks is a paragraph inside this block.
            let first = if mixed { x } else { dom.nodes[x].parent };
            for (chars, commas, links) in runs {
                if chars < 25 {
                    continue;
                }
                self.paras[x] += 1;
                if chars >= GOOD_RUN && (links as f32) < chars as f32 * 0.3 && !in_list[x] {
                    self.good[x] += chars;
                }
                let content = 1.0 + commas as f32 + (chars as f32 / 100.0).min(3.0);
                let mut node = first;
                for level in 0..5 {
                    if dom.tag(node).is_none() {
                        break;
                    }
                    if !initialised[node] {
                        initialised[node] = true;
                        self.score[node] += self.base_score(node);
                    }
                    let divider = match level {
                        0 => 1.0,
                        1 => 2.0,
                        l => l as f32 * 3.0,
                    };
                    self.score[node] += content / divider;
                    let parent = dom.nodes[node].parent;
                    if parent == node {
                        break;
                    }
                    node = parent;
                }
            }
        }
        for i in (0..n).rev() {
            if initialised[i] {
                self.score[i] *= 1.0 - self.link_density(i);
            }
            let parent = dom.nodes[i].parent;
            if parent != i {
                self.paras[parent] += self.paras[i];
                self.good[parent] += self.good[i];
            }
        }
    }

    fn base_score(&self, i: usize) -> f32 {
        let by_tag = match self.dom.tag(i) {
            Some(Tag::Div | Tag::Article | Tag::Main) => 5.0,
            Some(Tag::Pre | Tag::Td | Tag::Blockquote) => 3.0,
            Some(Tag::Ol | Tag::Ul | Tag::Dl | Tag::Dd | Tag::Dt | Tag::Li | Tag::Form) => -3.0,
            Some(t) if t.is_heading() || t == Tag::Th => -5.0,
            _ => 0.0,
        };
        by_tag + self.weight[i] as f32
    }

    fn top_candidate(&self) -> Option<usize> {
        let mut best: Option<usize> = None;
        for i in 0..self.dom.nodes.len() {
            if self.score[i] > 0.0 && best.is_none_or(|b| self.score[i] > self.score[b]) {
                best = Some(i);
            }
        }
        let Some(mut top) = best else {
            return (0..self.dom.nodes.len()).find(|&i| self.dom.tag(i) == Some(Tag::Body));
        };
        // An article cut into chunks (between ads, or by a layout grid) scores each chunk on
        // its own; climb to the ancestor that holds markedly more article-like text, as long
        // as that text is most of what the ancestor holds.
        let mut a = top;
        for _ in 0..MAX_CLIMB {
            a = self.dom.nodes[a].parent;
            if !matches!(self.dom.tag(a), Some(t) if t != Tag::Body) {
                break;
            }
            let (good, have) = (self.good[a] as f32, self.good[top] as f32);
            if good >= have * CLIMB_GAIN
                && good >= have + 150.0
                && good >= self.chars[a] as f32 * CLIMB_DENSITY
                && self.link_density(a) < 0.25
            {
                top = a;
            }
        }
        Some(top)
    }

    /// The top candidate and those of its siblings that read as more of the article.
    fn with_siblings(&self, top: usize) -> Vec<usize> {
        let dom = self.dom;
        let parent = dom.nodes[top].parent;
        if parent == top {
            return vec![top];
        }
        let threshold = (self.score[top] * 0.2).max(10.0);
        let top_class = dom.attr(top, "class");
        dom.children(parent)
            .filter(|&s| {
                if s == top {
                    return true;
                }
                if self.junk[s] {
                    return false;
                }
                let mut bonus = 0.0;
                if top_class.is_some_and(|c| !c.is_empty()) && dom.attr(s, "class") == top_class {
                    bonus += self.score[top] * 0.2;
                }
                if self.score[s] > 0.0 && self.score[s] + bonus >= threshold {
                    return true;
                }
                if dom.tag(s) == Some(Tag::P) {
                    let len = self.chars[s];
                    let density = self.link_density(s);
                    let text = dom.text(s);
                    let text = text.trim_end();
                    return (len > 80 && density < 0.25)
                        || (len > 0
                            && density == 0.0
                            && (text.ends_with('.') || text.ends_with('。')));
                }
                false
            })
            .collect()
    }

    /// Whether a box inside the article is furniture by its make-up (Readability's
    /// conditional cleaning): mostly links, mostly images, form fields, or lists of short
    /// items.
    fn is_clutter(&self, i: usize) -> bool {
        let Some(tag) = self.dom.tag(i) else {
            return false;
        };
        if !matches!(
            tag,
            Tag::Div | Tag::Section | Tag::Ul | Tag::Ol | Tag::Table | Tag::Form | Tag::Dl
        ) {
            return false;
        }
        let weight = self.weight[i] as f32;
        if weight + self.score[i] < 0.0 {
            return true;
        }
        if self.commas[i] >= 10 {
            return false;
        }
        let p = self.paras[i];
        let (mut img, mut li, mut input, mut embeds) = (0, 0, 0, 0);
        for k in i + 1..self.dom.nodes[i].end {
            if self.junk[k] {
                match self.dom.tag(k) {
                    Some(Tag::Input | Tag::Select | Tag::Textarea | Tag::Button) => input += 1,
                    Some(Tag::Iframe) => embeds += 1,
                    _ => {}
                }
                continue;
            }
            match self.dom.tag(k) {
                Some(Tag::Img) => img += 1,
                Some(Tag::Li) => li += 1,
                _ => {}
            }
        }
        let len = self.chars[i];
        let density = self.link_density(i);
        let is_list = matches!(tag, Tag::Ul | Tag::Ol);
        (img > 1 && (p as f32) / (img as f32) < 0.5)
            || (!is_list && li > p)
            || (input as f32 > (p as f32 / 3.0).floor())
            || (len < 25 && (img == 0 || img > 2))
            || (weight < 25.0 && density > 0.2)
            || (weight >= 25.0 && density > 0.5)
            || ((embeds == 1 && len < 75) || embeds > 1)
    }

    /// Writes the text of the subtree at `i`, leaving furniture and clutter out.
    fn write(&self, i: usize, out: &mut Writer<'_>) {
        let dom = self.dom;
        let mut k = i;
        let end = dom.nodes[i].end;
        // Block elements still open, by the index one past their last node.
        let mut open: Vec<usize> = Vec::new();
        while k < end {
            while open.last().is_some_and(|&e| e <= k) {
                open.pop();
                out.break_paragraph();
            }
            if self.junk[k] || (k != i && self.is_clutter(k)) {
                k = dom.nodes[k].end;
                continue;
            }
            match dom.nodes[k].kind {
                Kind::Text(t) => out.push_text(t),
                Kind::Element(Tag::Br, _) => out.line_break(),
                Kind::Element(tag, _) if tag.is_block() => {
                    out.break_paragraph();
                    open.push(dom.nodes[k].end);
                }
                _ => {}
            }
            k += 1;
        }
        out.break_paragraph();
    }
}

/// Assembles paragraphs: runs of whitespace become one space, blocks become paragraphs
/// separated by a blank line, `<br>` a line break.
#[derive(Default)]
struct Writer<'t> {
    /// The page's headline, left out where the body repeats it.
    title: Option<&'t str>,
    text: String,
    paragraph: String,
}

impl Writer<'_> {
    fn push_text(&mut self, t: &str) {
        if t.starts_with(char::is_whitespace) {
            self.space();
        }
        for (n, word) in t.split_whitespace().enumerate() {
            if n > 0 {
                self.space();
            }
            self.paragraph.push_str(word);
        }
        if t.ends_with(char::is_whitespace) {
            self.space();
        }
    }

    fn space(&mut self) {
        if !self.paragraph.is_empty() && !self.paragraph.ends_with([' ', '\n']) {
            self.paragraph.push(' ');
        }
    }

    fn line_break(&mut self) {
        let trimmed = self.paragraph.trim_end_matches(' ').len();
        self.paragraph.truncate(trimmed);
        if !self.paragraph.is_empty() && !self.paragraph.ends_with('\n') {
            self.paragraph.push('\n');
        }
    }

    fn break_paragraph(&mut self) {
        let p = self.paragraph.trim();
        if !p.is_empty() && !lines::is_furniture(p, self.title) {
            if !self.text.is_empty() {
                self.text.push_str("\n\n");
            }
            self.text.push_str(p);
        }
        self.paragraph.clear();
    }

    fn finish(mut self) -> String {
        self.break_paragraph();
        self.text
    }
}

/// For tuning: the ancestors of the first text holding `needle`, and the best candidates, with
/// their scores.
#[doc(hidden)]
pub fn explain(dom: &Dom<'_>, needle: &str) -> String {
    use std::fmt::Write as _;
    let page = Analysis::new(dom, true);
    let mut s = String::new();
    let describe = |i: usize| {
        let tag = dom
            .element(i)
            .map(|e| e.name().to_owned())
            .unwrap_or_default();
        format!(
            "#{i} <{tag} {}> junk={} w={} score={:.1} chars={} ld={:.2}",
            names(dom, i),
            page.junk[i],
            page.weight[i],
            page.score[i],
            page.chars[i],
            page.link_density(i)
        )
    };
    if let Some(t) = (0..dom.nodes.len()).find(|&i| {
        matches!(dom.nodes[i].kind, Kind::Text(t) if t.contains(needle))
            && !matches!(
                dom.tag(dom.nodes[i].parent),
                Some(Tag::Script | Tag::Style | Tag::Title)
            )
    }) {
        let mut i = t;
        while dom.nodes[i].parent != i {
            i = dom.nodes[i].parent;
            let _ = writeln!(s, "  {}", describe(i));
        }
    }
    let mut best: Vec<usize> = (0..dom.nodes.len())
        .filter(|&i| page.score[i] > 0.0)
        .collect();
    best.sort_by(|&a, &b| page.score[b].total_cmp(&page.score[a]));
    for &i in best.iter().take(5) {
        let _ = writeln!(s, "top {}", describe(i));
    }
    s
}
