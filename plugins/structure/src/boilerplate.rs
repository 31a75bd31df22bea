//! Recognises the page furniture a scraper saves around an article: comment widgets, share and
//! follow buttons, advertisements, newsletter and cookie prompts, "read more" and related-story
//! lists, navigation and copyright lines.
//!
//! Every rule looks at one whole line. A rule fires only when the whole line is furniture (a
//! known phrase, a list of share buttons, a short imperative prompt), never because a word
//! occurs somewhere in a sentence, since removing a real sentence from the body is worse than
//! keeping a stray button label.

/// What kind of furniture a line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Part of a comment or reaction widget; carries the count when the line states one.
    Comments(CommentCount),
    /// A share button or a row of them.
    Share,
    /// A "follow us" prompt.
    Follow,
    /// An advertisement label or an "article continues below" marker.
    Advert,
    /// A newsletter or subscription prompt.
    Newsletter,
    /// A cookie notice or one of its buttons.
    Cookie,
    /// A "read more" link, a related-stories heading, or a headline listed under one.
    Related,
    /// A copyright or reproduction notice.
    Copyright,
    /// Site navigation: skip links, menus, breadcrumbs, footer links.
    Navigation,
    /// A bare URL of an image, script or other page asset.
    Asset,
    /// A publication timestamp printed above the text ("Published: 16 June 2009 10:32 GMT").
    Timestamp,
    /// A credit line (an agency name, "Additional reporting by ...") that is not the byline.
    Credit,
}

/// What a comment-widget line says about the number of comments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CommentCount {
    /// The line states a number ("12 comments", "Comments (3)", "0 comment").
    Stated(u64),
    /// The line says there are none yet ("Be the first to comment").
    NoneYet,
    /// The line says nothing about the number.
    Unknown,
}

/// The most headlines a related-stories list takes after its heading. Real lists are shorter;
/// the limit bounds what a mistaken heading can remove.
const MAX_RELATED_ITEMS: u8 = 12;

/// Longest line any rule looks at: no notice we remove is longer, and skipping long lines keeps
/// ordinary paragraphs cheap.
const MAX_LINE_BYTES: usize = 600;

/// Classifies lines one after another. It keeps two pieces of state, because some furniture is
/// only recognisable in context: after a comment or share widget has started, reaction labels
/// ("Like", "Wow"), bare numbers, bare URLs and comment dates belong to the widget; after a
/// related-stories heading, the short headline lines that follow it are links, not text.
#[derive(Debug, Default)]
pub(crate) struct Classifier {
    widget: bool,
    /// How many more lines a related-stories list may take; zero outside one.
    related: u8,
    key: String,
}

impl Classifier {
    /// The kind of furniture `line` (already trimmed, non-empty) is, or `None` for text.
    pub(crate) fn classify(&mut self, line: &str) -> Option<Kind> {
        let kind = self.classify_alone(line).or_else(|| self.in_context(line));
        match kind {
            Some(Kind::Comments(_) | Kind::Share) => self.widget = true,
            // Text ends a related-stories list; other furniture inside it does not.
            None => self.related = 0,
            Some(_) => {}
        }
        kind
    }

    /// The kind of `line` judged on its own, without the context of the lines before it.
    pub(crate) fn classify_alone(&mut self, line: &str) -> Option<Kind> {
        if line.len() > MAX_LINE_BYTES {
            return None;
        }
        let words = count_words(line, 81);
        if words == 1 && is_url(line) {
            return is_asset_url(line).then_some(Kind::Asset);
        }
        if words > 12 && !long_line_may_be_furniture(line) {
            return None;
        }
        normalize(line, &mut self.key);
        let key = self.key.trim_matches(is_edge);
        if key.is_empty() {
            return None;
        }
        if words <= 12
            && let Some(kind) = short_line(key, words)
        {
            if kind == Kind::Related && is_related_heading(key) {
                self.related = MAX_RELATED_ITEMS;
            }
            return Some(kind);
        }
        if words <= 40 && is_copyright(key) {
            return Some(Kind::Copyright);
        }
        if words <= 25 && is_newsletter(key) {
            return Some(Kind::Newsletter);
        }
        if words <= 80 && is_cookie_notice(key) {
            return Some(Kind::Cookie);
        }
        None
    }

    /// The rules that only apply inside a widget or a related-stories list.
    fn in_context(&mut self, line: &str) -> Option<Kind> {
        if line.len() > MAX_LINE_BYTES {
            return None;
        }
        let words = count_words(line, 17);
        if self.widget && words <= 4 {
            if words == 1 && is_url(line) {
                return Some(Kind::Asset);
            }
            normalize(line, &mut self.key);
            if is_widget_label(self.key.trim_matches(is_edge)) {
                return Some(Kind::Comments(CommentCount::Unknown));
            }
        }
        // A comment's date ("June 17, 2009 at 9:14 am").
        if self.widget && words <= 10 && crate::dateline::is_timestamp(line, false) {
            return Some(Kind::Comments(CommentCount::Unknown));
        }
        if self.related > 0 && words <= 16 && !ends_sentence(line) {
            self.related -= 1;
            return Some(Kind::Related);
        }
        None
    }
}

/// Counts whitespace-separated words, stopping at `limit`.
pub(crate) fn count_words(line: &str, limit: usize) -> usize {
    line.split_whitespace().take(limit).count()
}

/// A cheap test on the raw line: could a line of more than twelve words be a copyright,
/// newsletter or cookie notice? Only then is it worth lower-casing. One pass over the bytes
/// keeps the common case, an ordinary paragraph, fast.
fn long_line_may_be_furniture(line: &str) -> bool {
    let b = line.as_bytes();
    if line.starts_with('©') || starts_ignore_case(line, "(c)") {
        return true;
    }
    for i in 0..b.len() {
        let needle: &[u8] = match b[i] | 0x20 {
            b'c' => b"cookie",
            b'r' => b"reserved",
            b'n' => b"newsletter",
            b'i' => b"inbox",
            b'm' => b"may not be",
            _ => continue,
        };
        if b[i..].len() >= needle.len() && b[i..i + needle.len()].eq_ignore_ascii_case(needle) {
            return true;
        }
    }
    starts_ignore_case(line, "copyright")
}

/// Whether `s` starts with the ASCII `prefix`, ignoring ASCII case.
pub(crate) fn starts_ignore_case(s: &str, prefix: &str) -> bool {
    let (b, p) = (s.as_bytes(), prefix.as_bytes());
    b.len() >= p.len() && b[..p.len()].eq_ignore_ascii_case(p)
}

/// Lower-cases `line` into `out`, folds typographic apostrophes and collapses whitespace, so
/// the phrase tables below can be compared exactly.
fn normalize(line: &str, out: &mut String) {
    out.clear();
    let mut space = false;
    for c in line.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            '\u{2019}' | '\u{2018}' | '`' => out.push('\''),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    }
}

/// Decoration that surrounds button labels and headings ("» Read more", "Comments:", `[Ad]`).
fn is_edge(c: char) -> bool {
    matches!(
        c,
        ' ' | ':'
            | '»'
            | '«'
            | '›'
            | '‹'
            | '>'
            | '<'
            | '|'
            | '-'
            | '–'
            | '—'
            | '*'
            | '•'
            | '·'
            | '!'
            | '?'
            | '.'
            | '…'
            | '→'
            | '='
            | '['
            | ']'
            | '_'
            | '~'
            | '#'
    )
}

/// Rules for lines of at most twelve words: exact phrases, counted comment labels, share rows
/// and prompts that start with a known verb.
fn short_line(key: &str, words: usize) -> Option<Kind> {
    if let Some(kind) = exact_phrase(key) {
        return Some(kind);
    }
    if let Some(count) = comment_count(key) {
        return Some(Kind::Comments(count));
    }
    if is_share_row(key) {
        return Some(Kind::Share);
    }
    if is_follow_prompt(key) {
        return Some(Kind::Follow);
    }
    const RELATED_PREFIXES: &[&str] = &[
        "read more",
        "related:",
        "related stories:",
        "related articles:",
        "related coverage:",
        "related content:",
        "related news:",
        "see also:",
        "also read:",
        "read also:",
        "also see:",
        "more:",
        "read:",
        "watch:",
        "click here",
        "read the full",
        "read the rest",
        "continue reading",
        "full story:",
    ];
    if RELATED_PREFIXES.iter().any(|p| key.starts_with(p)) {
        return Some(Kind::Related);
    }
    if (key.starts_with("more from ") || key.starts_with("more on ")) && words <= 6 {
        return Some(Kind::Related);
    }
    const ADVERT_PREFIXES: &[&str] = &[
        "advertisement",
        "story continues below",
        "article continues below",
        "continue reading below",
        "scroll to continue",
        "content continues below",
    ];
    if words <= 8 && ADVERT_PREFIXES.iter().any(|p| key.starts_with(p)) {
        return Some(Kind::Advert);
    }
    // Breadcrumbs: "Home > News > World".
    if key.starts_with("home ") && key.contains(['>', '›', '»', '/', '|']) {
        return Some(Kind::Navigation);
    }
    None
}

/// Whole lines that are furniture wherever they appear.
fn exact_phrase(key: &str) -> Option<Kind> {
    let kind = match key {
        "comments"
        | "comment"
        | "leave a comment"
        | "leave a reply"
        | "post a comment"
        | "add a comment"
        | "add comment"
        | "add your comment"
        | "write a comment"
        | "post comment"
        | "submit comment"
        | "show comments"
        | "view comments"
        | "hide comments"
        | "load more comments"
        | "view all comments"
        | "show more comments"
        | "see all comments"
        | "read comments"
        | "comments are closed"
        | "comments closed"
        | "comments are closed for this article"
        | "join the conversation"
        | "join the discussion"
        | "what's your reaction"
        | "what is your reaction"
        | "your reaction"
        | "reactions"
        | "report abuse"
        | "report comment"
        | "log in to comment"
        | "sign in to comment"
        | "login to comment"
        | "you must be logged in to post a comment"
        | "your email address will not be published"
        | "required fields are marked"
        | "notify me of follow-up comments by email"
        | "notify me of new posts by email"
        | "save my name, email, and website in this browser for the next time i comment"
        | "comments policy"
        | "community guidelines"
        | "newest first"
        | "oldest first"
        | "most liked" => Kind::Comments(CommentCount::Unknown),
        "advertisement"
        | "advertising"
        | "advert"
        | "ad"
        | "ads"
        | "sponsored"
        | "sponsored content"
        | "sponsored links"
        | "sponsored stories"
        | "promoted"
        | "promoted content"
        | "promoted stories"
        | "paid content"
        | "paid post"
        | "partner content"
        | "continue reading the main story"
        | "skip advertisement"
        | "ad feedback"
        | "report an ad"
        | "report this ad"
        | "adchoices"
        | "ad choices" => Kind::Advert,
        "subscribe"
        | "subscribe now"
        | "subscribe today"
        | "sign up"
        | "sign up now"
        | "newsletter"
        | "newsletters"
        | "our newsletter"
        | "email address"
        | "your email"
        | "your email address"
        | "enter your email"
        | "enter your email address" => Kind::Newsletter,
        "accept" | "accept all" | "accept cookies" | "accept all cookies" | "reject all"
        | "manage preferences" | "manage cookies" | "cookie settings" | "cookie policy"
        | "cookies policy" | "i agree" | "i accept" | "got it" | "ok, i agree" => Kind::Cookie,
        "read more"
        | "related"
        | "related articles"
        | "related stories"
        | "related content"
        | "related news"
        | "related topics"
        | "related links"
        | "related coverage"
        | "related posts"
        | "more on this story"
        | "more on this"
        | "see also"
        | "also read"
        | "read also"
        | "recommended"
        | "recommended for you"
        | "recommended stories"
        | "recommended articles"
        | "you may also like"
        | "you might also like"
        | "you may be interested in"
        | "you might be interested in"
        | "most read"
        | "most popular"
        | "most viewed"
        | "most shared"
        | "trending"
        | "trending now"
        | "top stories"
        | "latest news"
        | "latest stories"
        | "read next"
        | "up next"
        | "what to read next"
        | "more stories"
        | "more news"
        | "editor's picks"
        | "editors' picks"
        | "don't miss"
        | "in other news"
        | "explore more" => Kind::Related,
        "skip to content"
        | "skip to main content"
        | "skip to navigation"
        | "menu"
        | "main menu"
        | "search"
        | "home"
        | "sign in"
        | "log in"
        | "login"
        | "register"
        | "close"
        | "back to top"
        | "print this page"
        | "email this page"
        | "listen to this article"
        | "save article"
        | "bookmark"
        | "privacy policy"
        | "terms of use"
        | "terms and conditions"
        | "terms of service"
        | "contact us"
        | "about us" => Kind::Navigation,
        "follow us" | "stay connected" => Kind::Follow,
        _ => return None,
    };
    Some(kind)
}

/// Headings that introduce a list of related headlines (as opposed to `Read more: <headline>`,
/// which is a single link).
fn is_related_heading(key: &str) -> bool {
    matches!(exact_phrase(key), Some(Kind::Related))
}

/// A comment label that states a count, or says there are none yet.
fn comment_count(key: &str) -> Option<CommentCount> {
    const NONE_YET: &[&str] = &[
        "no comments",
        "there are no comments",
        "be the first to comment",
        "write the first comment",
        "start the conversation",
        "no responses yet",
    ];
    if NONE_YET.iter().any(|p| key.starts_with(p)) {
        return Some(CommentCount::NoneYet);
    }
    // "12 comments", "1,204 Comments", "0 comment".
    if let Some((n, rest)) = leading_number(key) {
        return matches!(
            rest,
            "comment" | "comments" | "response" | "responses" | "comments so far"
        )
        .then_some(CommentCount::Stated(n));
    }
    // "Comments (12)", "Comments: 12".
    if let Some(rest) = key
        .strip_prefix("comments")
        .or_else(|| key.strip_prefix("comment"))
    {
        let inner = rest.trim_matches(|c: char| matches!(c, ' ' | '(' | ')' | ':'));
        if let Some((n, "")) = leading_number(inner) {
            return Some(CommentCount::Stated(n));
        }
        return None;
    }
    // "View all 12 comments".
    for verb in [
        "view all ",
        "view ",
        "show all ",
        "show ",
        "read all ",
        "read ",
        "see all ",
    ] {
        if let Some((n, rest)) = key.strip_prefix(verb).and_then(leading_number)
            && matches!(rest, "comment" | "comments")
        {
            return Some(CommentCount::Stated(n));
        }
    }
    None
}

/// Splits a leading number (digits with optional thousands commas) from the rest of `s`.
fn leading_number(s: &str) -> Option<(u64, &str)> {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .unwrap_or(s.len());
    let digits = &s[..end];
    if !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut n: u64 = 0;
    for c in digits.bytes().filter(u8::is_ascii_digit) {
        n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some((n, s[end..].trim_start()))
}

/// A row of share buttons: "Share", "Facebook Twitter Email", "Share on WhatsApp",
/// "Share this: Twitter | Facebook".
fn is_share_row(key: &str) -> bool {
    // Prompts that are share buttons whatever follows them.
    const PROMPTS: &[&str] = &[
        "share on ",
        "share via ",
        "share to ",
        "click to share",
        "click to email",
        "click to print",
        "email this",
        "print this",
    ];
    if PROMPTS.iter().any(|p| key.starts_with(p)) {
        return true;
    }
    // Otherwise a row of network names, perhaps after a "Share this:" label. The label must end
    // at a word boundary, so "Share prices fell" and "Shareholders" are not rows.
    const LABELS: &[&str] = &[
        "share this article",
        "share this story",
        "share this page",
        "share this post",
        "share this",
        "share article",
        "share story",
        "share",
    ];
    let mut rest = key;
    let mut strong = false;
    for label in LABELS {
        if let Some(r) = key.strip_prefix(label)
            && !r.starts_with(char::is_alphanumeric)
        {
            rest = r;
            strong = true;
            break;
        }
    }
    for token in rest
        .split(|c: char| c.is_whitespace() || matches!(c, '|' | '/' | ',' | '·' | '•' | ':'))
        .filter(|t| !t.is_empty())
    {
        match token {
            "share" | "tweet" | "facebook" | "twitter" | "email" | "e-mail" | "print"
            | "whatsapp" | "linkedin" | "pinterest" | "reddit" | "tumblr" | "telegram"
            | "messenger" | "flipboard" | "google+" | "bluesky" | "mastodon" => strong = true,
            // Too common as words to make a row on their own.
            "x" | "copy" | "link" | "mail" | "sms" | "pocket" | "threads" | "pin" | "save"
            | "fb" => {}
            _ => return false,
        }
    }
    strong
}

/// "Follow us on Twitter", "Follow @bbcnews", "Like us on Facebook".
fn is_follow_prompt(key: &str) -> bool {
    const PROMPTS: &[&str] = &[
        "follow ",
        "like us on",
        "find us on",
        "connect with us",
        "join us on",
    ];
    const NETWORKS: &[&str] = &[
        "twitter",
        "facebook",
        "instagram",
        "linkedin",
        "youtube",
        "tiktok",
        "threads",
        "bluesky",
        "mastodon",
        "google news",
        "whatsapp",
        "telegram",
        "snapchat",
        "flipboard",
        "social media",
        " on x",
        "@",
    ];
    PROMPTS.iter().any(|p| key.starts_with(p)) && NETWORKS.iter().any(|n| key.contains(n))
}

/// "© 2009 wapozavr.com", "Copyright 2009 The Associated Press. All rights reserved.",
/// "This material may not be published, broadcast, rewritten or redistributed."
fn is_copyright(key: &str) -> bool {
    if key.starts_with('©')
        || key.starts_with("(c) ")
        || key.starts_with("copyright ©")
        || key.starts_with("copyright (c)")
        || key.contains("all rights reserved")
        || key.contains("may not be published, broadcast")
        || key.contains("may not be reproduced")
    {
        return true;
    }
    // "Copyright 2009 ..." but not "Copyright law ...".
    key.strip_prefix("copyright ").is_some_and(|rest| {
        let year: String = rest.chars().take(4).collect();
        year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())
    })
}

/// A short imperative prompt to subscribe to a newsletter or e-mail alerts.
fn is_newsletter(key: &str) -> bool {
    const VERBS: &[&str] = &[
        "sign up",
        "signup",
        "sign-up",
        "subscribe",
        "get our",
        "get the latest",
        "get breaking",
        "get the best",
        "join our",
        "receive ",
        "want the latest",
        "want more",
        "enter your email",
        "don't miss",
        "never miss",
        "stay informed",
        "stay up to date",
        "stay updated",
    ];
    const OBJECTS: &[&str] = &[
        "newsletter",
        "inbox",
        "email",
        "e-mail",
        "updates",
        "alerts",
        "bulletin",
        "briefing",
    ];
    VERBS.iter().any(|v| key.starts_with(v)) && OBJECTS.iter().any(|o| key.contains(o))
}

/// A cookie banner: it names the site's own cookie use and asks for consent. An article that
/// merely mentions cookies names neither.
fn is_cookie_notice(key: &str) -> bool {
    const SITE_USE: &[&str] = &[
        "we use cookies",
        "this site uses cookies",
        "this website uses cookies",
        "our site uses cookies",
        "our website uses cookies",
        "cookie policy",
        "cookies policy",
        "cookie settings",
        "cookie preferences",
        "accept cookies",
        "accept all cookies",
        "manage cookies",
        "use of cookies",
    ];
    const CONSENT: &[&str] = &[
        "you agree",
        "you consent",
        "by continuing",
        "by using",
        "accept",
        "policy",
        "settings",
        "preferences",
        "learn more",
        "find out more",
        "more information",
        "experience",
        "consent",
    ];
    key.contains("cookie")
        && SITE_USE.iter().any(|s| key.contains(s))
        && CONSENT.iter().any(|s| key.contains(s))
}

/// Labels that only make sense inside a comment or reaction widget.
fn is_widget_label(key: &str) -> bool {
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return true;
    }
    if key.ends_with(" ago") || key == "just now" {
        return true;
    }
    matches!(
        key,
        "like"
            | "likes"
            | "love"
            | "haha"
            | "wow"
            | "sad"
            | "angry"
            | "lol"
            | "funny"
            | "happy"
            | "surprised"
            | "upvote"
            | "downvote"
            | "reply"
            | "report"
            | "share"
            | "avatar"
            | "user avatar"
            | "guest"
            | "anonymous"
            | "load more"
            | "show more"
            | "more"
    )
}

/// Whether a line ends the way a sentence does, which a listed headline usually does not.
fn ends_sentence(line: &str) -> bool {
    line.trim_end_matches(['"', '\'', '\u{201d}', '\u{2019}', ')'])
        .ends_with(['.', ';', ':'])
}

/// Whether `token` is a URL (with a scheme, protocol-relative, or starting with `www.`).
pub(crate) fn is_url(token: &str) -> bool {
    ["http://", "https://", "//", "www."]
        .iter()
        .any(|p| token.len() > p.len() && starts_ignore_case(token, p))
}

/// Whether a URL points at an image, script, style sheet or other page asset rather than at
/// a page someone cited.
fn is_asset_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let path = lower.split(['?', '#']).next().unwrap_or_default();
    const EXTENSIONS: &[&str] = &[
        ".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp", ".ico", ".bmp", ".avif", ".css", ".js",
        ".woff", ".woff2", ".mp4", ".mp3",
    ];
    const FOLDERS: &[&str] = &[
        "/assets/",
        "/avatar",
        "/static/",
        "/images/",
        "/img/",
        "/uploads/",
        "/wp-content/",
        "/media/",
        "/icons/",
        "/thumbs/",
    ];
    EXTENSIONS.iter().any(|e| path.ends_with(e)) || FOLDERS.iter().any(|f| path.contains(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Classifies `lines` in order and checks each result.
    fn check(lines: &[(&str, Option<Kind>)]) {
        let mut c = Classifier::default();
        for (line, expected) in lines {
            assert_eq!(c.classify(line), *expected, "line {line:?}");
        }
    }

    const UNKNOWN: Option<Kind> = Some(Kind::Comments(CommentCount::Unknown));

    #[test]
    fn comment_widgets() {
        check(&[
            ("What's your reaction?", UNKNOWN),
            ("Comments", UNKNOWN),
            ("0 comment", Some(Kind::Comments(CommentCount::Stated(0)))),
            (
                "1,204 Comments",
                Some(Kind::Comments(CommentCount::Stated(1204))),
            ),
            (
                "Comments (12)",
                Some(Kind::Comments(CommentCount::Stated(12))),
            ),
            (
                "View all 7 comments",
                Some(Kind::Comments(CommentCount::Stated(7))),
            ),
            (
                "Write the first comment for this!",
                Some(Kind::Comments(CommentCount::NoneYet)),
            ),
            (
                "Be the first to comment",
                Some(Kind::Comments(CommentCount::NoneYet)),
            ),
            ("Leave a Reply", UNKNOWN),
        ]);
    }

    #[test]
    fn widget_labels_only_after_a_widget() {
        check(&[
            ("Wow", None),
            ("12", None),
            ("https://example.com/story", None),
            ("Comments", UNKNOWN),
            ("Wow", UNKNOWN),
            ("12", UNKNOWN),
            ("3 hours ago", UNKNOWN),
            ("June 17, 2009 at 9:14 am", UNKNOWN),
            ("https://example.com/story", Some(Kind::Asset)),
        ]);
    }

    #[test]
    fn share_and_follow() {
        check(&[
            ("Share", Some(Kind::Share)),
            ("Share this:", Some(Kind::Share)),
            ("Facebook Twitter Email", Some(Kind::Share)),
            ("Share: Facebook | Twitter | WhatsApp", Some(Kind::Share)),
            ("Share on Facebook", Some(Kind::Share)),
            (
                "Click to share on Twitter (Opens in new window)",
                Some(Kind::Share),
            ),
            ("Follow us on Twitter", Some(Kind::Follow)),
            ("Follow @morgue_news for the latest", Some(Kind::Follow)),
            ("Follow the money", None),
            ("Shareholders approved the deal.", None),
            ("Share prices fell", None),
        ]);
    }

    #[test]
    fn adverts_newsletters_cookies() {
        check(&[
            ("ADVERTISEMENT", Some(Kind::Advert)),
            ("[Advertisement]", Some(Kind::Advert)),
            ("Story continues below advertisement", Some(Kind::Advert)),
            ("Sign up for our daily newsletter", Some(Kind::Newsletter)),
            (
                "Get the latest headlines delivered to your inbox every morning.",
                Some(Kind::Newsletter),
            ),
            (
                "The newsletter, which has 10,000 subscribers, will close.",
                None,
            ),
            (
                "We use cookies to improve your experience. By continuing to browse you agree to \
                 our use of cookies.",
                Some(Kind::Cookie),
            ),
            ("Accept all cookies", Some(Kind::Cookie)),
            (
                "The site uses cookies to track visitors, the report said.",
                None,
            ),
        ]);
    }

    #[test]
    fn related_lists_and_read_more() {
        check(&[
            ("Read more: Iran's disputed election", Some(Kind::Related)),
            ("READ MORE »", Some(Kind::Related)),
            ("Related stories", Some(Kind::Related)),
            ("Protesters defy ban in Tehran", Some(Kind::Related)),
            ("Obama voices concern over vote", Some(Kind::Related)),
            (
                "The protests continued into a fourth day on Wednesday.",
                None,
            ),
            ("A short line without a full stop", None),
        ]);
        let mut lines = vec![("Related stories", Some(Kind::Related))];
        lines.extend([("A headline", Some(Kind::Related)); 12]);
        lines.push(("A thirteenth short line", None));
        check(&lines);
    }

    #[test]
    fn copyright_and_navigation() {
        check(&[
            ("© 2009 wapozavr.com", Some(Kind::Copyright)),
            (
                "Copyright 2009 The Associated Press. All rights reserved.",
                Some(Kind::Copyright),
            ),
            (
                "This material may not be published, broadcast, rewritten or redistributed.",
                Some(Kind::Copyright),
            ),
            ("Copyright law is changing, ministers said.", None),
            ("Skip to main content", Some(Kind::Navigation)),
            ("Home > News > World", Some(Kind::Navigation)),
        ]);
    }

    #[test]
    fn urls() {
        check(&[
            (
                "https://wapozavr.com/assets/images/user-avatar-s.jpg",
                Some(Kind::Asset),
            ),
            ("https://example.org/report.pdf", None),
        ]);
    }
}
