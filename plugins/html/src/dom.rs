//! The parsed page as a flat arena in document order, so the readers walk it with indices
//! instead of recursion: a subtree is the range `i..node.end`, whatever the nesting depth.

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
    Html::parse_document(page)
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
