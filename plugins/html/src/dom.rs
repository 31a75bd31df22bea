//! The parsed page as a flat arena in document order, so the readers walk it with indices
//! instead of recursion: a subtree is the range `i..node.end`, whatever the nesting depth.

use std::borrow::Cow;

use scraper::node::Element;
use scraper::{Html, Node as Parsed};

/// Tags the readers tell apart; every other element is [`Tag::Other`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    A,
    Article,
    Aside,
    Blockquote,
    Body,
    Br,
    Button,
    Dd,
    Div,
    Dl,
    Dt,
    Figcaption,
    Figure,
    Footer,
    Form,
    H1,
    H2,
    H3,
    H4,
    H5,
    H6,
    Head,
    Header,
    Hr,
    Iframe,
    Img,
    Input,
    Li,
    Link,
    Main,
    Meta,
    Nav,
    Noscript,
    Ol,
    P,
    Pre,
    Script,
    Section,
    Select,
    Span,
    Style,
    Svg,
    Table,
    Td,
    Template,
    Textarea,
    Th,
    Time,
    Title,
    Tr,
    Ul,
    Other,
}

impl Tag {
    fn of(name: &str) -> Tag {
        match name {
            "a" => Tag::A,
            "article" => Tag::Article,
            "aside" => Tag::Aside,
            "blockquote" => Tag::Blockquote,
            "body" => Tag::Body,
            "br" => Tag::Br,
            "button" => Tag::Button,
            "dd" => Tag::Dd,
            "div" => Tag::Div,
            "dl" => Tag::Dl,
            "dt" => Tag::Dt,
            "figcaption" => Tag::Figcaption,
            "figure" => Tag::Figure,
            "footer" => Tag::Footer,
            "form" => Tag::Form,
            "h1" => Tag::H1,
            "h2" => Tag::H2,
            "h3" => Tag::H3,
            "h4" => Tag::H4,
            "h5" => Tag::H5,
            "h6" => Tag::H6,
            "head" => Tag::Head,
            "header" => Tag::Header,
            "hr" => Tag::Hr,
            "iframe" => Tag::Iframe,
            "img" => Tag::Img,
            "input" => Tag::Input,
            "li" => Tag::Li,
            "link" => Tag::Link,
            "main" => Tag::Main,
            "meta" => Tag::Meta,
            "nav" => Tag::Nav,
            "noscript" => Tag::Noscript,
            "ol" => Tag::Ol,
            "p" => Tag::P,
            "pre" => Tag::Pre,
            "script" => Tag::Script,
            "section" => Tag::Section,
            "select" => Tag::Select,
            "span" => Tag::Span,
            "style" => Tag::Style,
            "svg" => Tag::Svg,
            "table" => Tag::Table,
            "td" => Tag::Td,
            "template" => Tag::Template,
            "textarea" => Tag::Textarea,
            "th" => Tag::Th,
            "time" => Tag::Time,
            "title" => Tag::Title,
            "tr" => Tag::Tr,
            "ul" => Tag::Ul,
            _ => Tag::Other,
        }
    }

    /// Whether the element starts a new block of text (a paragraph break before and after).
    pub fn is_block(self) -> bool {
        !matches!(
            self,
            Tag::A | Tag::Span | Tag::Time | Tag::Img | Tag::Other | Tag::Input | Tag::Button
        )
    }

    /// Headings `h1`..`h6`.
    pub fn is_heading(self) -> bool {
        matches!(
            self,
            Tag::H1 | Tag::H2 | Tag::H3 | Tag::H4 | Tag::H5 | Tag::H6
        )
    }
}

/// One node of the arena.
pub struct Node<'a> {
    /// The parent's index; the root's is its own.
    pub parent: usize,
    /// One past the index of the last node of this subtree.
    pub end: usize,
    /// What it is.
    pub kind: Kind<'a>,
}

/// An element with its tag, or a run of text.
pub enum Kind<'a> {
    /// An element.
    Element(Tag, &'a Element),
    /// Text, as written in the page (character references already decoded).
    Text(&'a str),
    /// The document, a comment, a doctype.
    Other,
}

/// A parsed page.
pub struct Dom<'a> {
    /// Every node in document order.
    pub nodes: Vec<Node<'a>>,
}

/// Parses a page.
pub fn parse(page: &str) -> Html {
    Html::parse_document(&limit_depth(page))
}

/// The deepest nesting of elements the parser is given. The tree builder looks through the
/// whole stack of open elements at every block start tag, so a page nesting 100,000 `<div>`s
/// would take it minutes; no real page nests a hundredth as deep.
const MAX_DEPTH: usize = 512;

/// How far down the stack of open elements an end tag is matched; an end tag that matches
/// nothing that close is left to the parser, which ignores it too.
const MATCH_WINDOW: usize = 64;

/// How a start tag counts towards the depth of nesting.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Nesting {
    /// It opens an element that stays open until its end tag.
    Opens,
    /// It opens nothing that can nest deep: void elements (`<br>`) and elements the parser
    /// closes on its own when the next one opens (`<p>`, `<li>`).
    Flat,
    /// Its content is text up to its end tag (`<script>`).
    RawText,
}

fn nesting(name: &str) -> Nesting {
    let mut buf = [0u8; 10];
    if name.len() > buf.len() {
        return Nesting::Opens;
    }
    for (d, c) in buf.iter_mut().zip(name.bytes()) {
        *d = c.to_ascii_lowercase();
    }
    match &buf[..name.len()] {
        b"area" | b"base" | b"br" | b"col" | b"embed" | b"hr" | b"img" | b"input" | b"link"
        | b"meta" | b"source" | b"track" | b"wbr" | b"param" | b"keygen" | b"p" | b"li" | b"dt"
        | b"dd" | b"option" | b"optgroup" | b"tr" | b"td" | b"th" | b"rb" | b"rp" | b"rt"
        | b"rtc" | b"tbody" | b"thead" | b"tfoot" | b"colgroup" | b"caption" | b"html"
        | b"head" | b"body" => Nesting::Flat,
        b"script" | b"style" | b"textarea" | b"title" | b"xmp" | b"iframe" | b"noembed"
        | b"noframes" => Nesting::RawText,
        _ => Nesting::Opens,
    }
}

/// The page with the start tags (and their end tags) that would nest elements deeper than
/// [`MAX_DEPTH`] left out; the page itself when it nests no deeper, which is always so for
/// real pages. One pass, no allocation unless something is left out.
fn limit_depth(page: &str) -> Cow<'_, str> {
    let b = page.as_bytes();
    // Open elements: where the name is in the page, and whether the start tag was left out.
    let mut stack: Vec<(usize, usize, bool)> = Vec::new();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    let is_name = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b':';
    while let Some(k) = page[i..].find('<') {
        let at = i + k;
        let rest = &b[at..];
        if rest.starts_with(b"<!--") {
            i = find(page, at + 4, "-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            i = find(page, at, ">").map_or(b.len(), |e| e + 1);
            continue;
        }
        let closing = rest.starts_with(b"</");
        let name_start = at + if closing { 2 } else { 1 };
        let name_end = name_start + b[name_start..].iter().take_while(|&&c| is_name(c)).count();
        if name_end == name_start || !b[name_start].is_ascii_alphabetic() {
            i = at + 1;
            continue;
        }
        let tag_end = tag_end(b, name_end);
        let name = &page[name_start..name_end];
        let mut drop = false;
        if closing {
            let window = stack.len().saturating_sub(MATCH_WINDOW);
            if let Some(p) = stack[window..]
                .iter()
                .rposition(|&(s, e, _)| page[s..e].eq_ignore_ascii_case(name))
            {
                drop = stack[window + p].2;
                stack.truncate(window + p);
            }
        } else if nesting(name) == Nesting::RawText {
            let close = format!("</{}", name.to_ascii_lowercase());
            i = find_ignore_case(page, tag_end, &close).unwrap_or(b.len());
            continue;
        } else if nesting(name) == Nesting::Opens && !b[..tag_end].ends_with(b"/>") {
            drop = stack.len() >= MAX_DEPTH;
            stack.push((name_start, name_end, drop));
        }
        if drop {
            let out = out.get_or_insert_with(|| String::with_capacity(page.len()));
            out.push_str(&page[copied..at]);
            copied = tag_end;
        }
        i = tag_end;
    }
    match out {
        Some(mut out) => {
            out.push_str(&page[copied..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(page),
    }
}

/// One past the `>` that ends the tag whose name ends at `from`, skipping quoted attribute
/// values; the end of the page when it never ends.
fn tag_end(b: &[u8], from: usize) -> usize {
    let mut k = from;
    while let Some(d) = b
        .get(k..)
        .and_then(|rest| memchr::memchr3(b'>', b'"', b'\'', rest))
    {
        let at = k + d;
        if b[at] == b'>' {
            return at + 1;
        }
        // A quoted attribute value: skip to its closing quote.
        match memchr::memchr(b[at], &b[at + 1..]) {
            Some(q) => k = at + 1 + q + 1,
            None => return b.len(),
        }
    }
    b.len()
}

fn find(page: &str, from: usize, needle: &str) -> Option<usize> {
    page.get(from..)?.find(needle).map(|k| from + k)
}

/// Where `needle` (lower-case ASCII) next occurs from `from`, in any case.
fn find_ignore_case(page: &str, from: usize, needle: &str) -> Option<usize> {
    let b = page.as_bytes();
    let n = needle.as_bytes();
    let mut i = from;
    while let Some(k) = memchr::memchr(b'<', b.get(i..)?) {
        let at = i + k;
        if b.len() - at >= n.len() && b[at..at + n.len()].eq_ignore_ascii_case(n) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

impl<'a> Dom<'a> {
    /// Flattens a parsed page into the arena.
    pub fn new(html: &'a Html) -> Dom<'a> {
        let mut nodes: Vec<Node<'a>> = Vec::with_capacity(html.tree.nodes().len());
        let mut open: Vec<usize> = Vec::new();
        for edge in html.tree.root().traverse() {
            match edge {
                ego_tree::iter::Edge::Open(node) => {
                    let kind = match node.value() {
                        Parsed::Element(e) => Kind::Element(Tag::of(e.name()), e),
                        Parsed::Text(t) => Kind::Text(t),
                        _ => Kind::Other,
                    };
                    let index = nodes.len();
                    nodes.push(Node {
                        parent: open.last().copied().unwrap_or(index),
                        end: index + 1,
                        kind,
                    });
                    open.push(index);
                }
                ego_tree::iter::Edge::Close(_) => {
                    if let Some(index) = open.pop() {
                        nodes[index].end = nodes.len();
                    }
                }
            }
        }
        Dom { nodes }
    }

    /// The tag of node `i`, if it is an element.
    pub fn tag(&self, i: usize) -> Option<Tag> {
        match self.nodes[i].kind {
            Kind::Element(tag, _) => Some(tag),
            _ => None,
        }
    }

    /// The element at `i`, if it is one.
    pub fn element(&self, i: usize) -> Option<&'a Element> {
        match self.nodes[i].kind {
            Kind::Element(_, e) => Some(e),
            _ => None,
        }
    }

    /// The attribute `name` of node `i`.
    pub fn attr(&self, i: usize, name: &str) -> Option<&'a str> {
        self.element(i).and_then(|e| e.attr(name))
    }

    /// The children of node `i`.
    pub fn children(&self, i: usize) -> Children<'_, 'a> {
        Children {
            dom: self,
            next: i + 1,
            end: self.nodes[i].end,
        }
    }

    /// Every text of the subtree at `i`, concatenated.
    pub fn text(&self, i: usize) -> String {
        let mut s = String::new();
        for node in &self.nodes[i..self.nodes[i].end] {
            if let Kind::Text(t) = node.kind {
                s.push_str(t);
            }
        }
        s
    }
}

/// The children of a node, in order.
pub struct Children<'d, 'a> {
    dom: &'d Dom<'a>,
    next: usize,
    end: usize,
}

impl Iterator for Children<'_, '_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        (self.next < self.end).then(|| {
            let i = self.next;
            self.next = self.dom.nodes[i].end;
            i
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_DEPTH, limit_depth};

    #[test]
    fn pages_of_ordinary_depth_are_parsed_as_they_are() {
        let page = "<html><body><div class='a'><p>One<p>Two<br></div><script>if (a<b) {}</script>\
                    <!-- <div> --><ul><li>x<li>y</ul></body></html>";
        assert!(matches!(limit_depth(page), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn nesting_past_the_limit_is_flattened_and_the_text_kept() {
        let n = 5_000;
        let page = format!(
            "{}<p>deep text</p>{}",
            "<div>".repeat(n),
            "</div>".repeat(n)
        );
        let limited = limit_depth(&page);
        assert_eq!(limited.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(limited.matches("</div>").count(), MAX_DEPTH);
        assert!(limited.contains("<p>deep text</p>"));
        let text = super::Dom::new(&super::parse(&page)).text(0);
        assert_eq!(text, "deep text");
    }

    #[test]
    fn unclosed_and_stray_tags_never_stall() {
        let page = format!("{}{}", "<span>".repeat(20_000), "</b>".repeat(20_000));
        assert_eq!(limit_depth(&page).matches("<span>").count(), MAX_DEPTH);
        for cut in [
            "<div",
            "<div class=\"x",
            "</",
            "<!--",
            "<script>",
            "<",
            "<a href='",
        ] {
            let _ = limit_depth(cut);
        }
    }
}
