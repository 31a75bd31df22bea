//! Finds the site an article was saved from in the furniture removed from it: the domain in a
//! copyright line ("© 2009 wapozavr.com") or in the URL of one of the site's own assets
//! (`https://wapozavr.com/assets/images/user-avatar-s.jpg`).
//!
//! Only furniture is searched, because a domain in the article's text is usually a site the
//! article talks about, not the one that published it. Hosts of third-party services (avatar
//! services, share buttons, content delivery networks) are skipped for the same reason.

use crate::boilerplate::Kind;

/// The site's domain, from copyright lines first, then from any other furniture.
pub(crate) fn find(furniture: &[(&str, Kind)]) -> Option<String> {
    let copyright = furniture.iter().filter(|(_, k)| *k == Kind::Copyright);
    let other = furniture.iter().filter(|(_, k)| *k != Kind::Copyright);
    copyright
        .chain(other)
        .flat_map(|(line, _)| line.split_whitespace())
        .find_map(domain)
}

/// The registered domain named by `token` (a URL or a bare host such as `wapozavr.com`),
/// without `www.` or an asset sub-domain, unless it belongs to a third-party service.
fn domain(token: &str) -> Option<String> {
    let token = token.trim_matches(|c: char| !c.is_alphanumeric() && c != '/');
    let host = match token.find("://") {
        Some(i) => &token[i + 3..],
        None => token.strip_prefix("//").unwrap_or(token),
    };
    let host = host
        .split(['/', '?', '#', ':'])
        .next()?
        .trim_end_matches('.');
    if !host.contains('.') || host.contains('@') {
        return None;
    }
    let host = host.to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let valid = labels
        .iter()
        .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    let tld = labels.last()?;
    if !valid || !TLDS.contains(tld) {
        return None;
    }
    // Drop `www.` and asset sub-domains while a registrable name remains: `cdn.example.com`
    // becomes `example.com`, but `co.uk` is never left on its own.
    let mut start = 0;
    while labels.len() - start > 2
        && ASSET_SUBDOMAINS.contains(&labels[start])
        && !(labels.len() - start == 3 && SECOND_LEVEL.contains(&labels[start + 1]))
    {
        start += 1;
    }
    let name = labels[start..].join(".");
    let third_party = THIRD_PARTY
        .iter()
        .any(|t| name == *t || name.ends_with(&format!(".{t}")));
    (!third_party).then_some(name)
}

/// Top-level domains accepted, so that abbreviations such as "e.g." are never taken for hosts.
const TLDS: &[&str] = &[
    "com", "net", "org", "info", "biz", "io", "co", "uk", "us", "ca", "au", "in", "de", "fr", "es",
    "it", "nl", "ru", "ch", "se", "no", "dk", "fi", "ie", "nz", "za", "jp", "cn", "kr", "br", "mx",
    "ar", "pl", "pt", "be", "at", "gr", "tr", "il", "ae", "sg", "hk", "tw", "my", "ph", "id", "pk",
    "ng", "ke", "eg", "ua", "by", "kz", "am", "ge", "az", "ir", "news", "tv", "me", "ly", "gov",
    "edu", "int", "eu", "asia", "online", "site", "xyz", "app", "dev", "blog", "media", "press",
    "today", "world", "fm", "to", "cc",
];

/// Sub-domains that serve a site's assets rather than name the site.
const ASSET_SUBDOMAINS: &[&str] = &[
    "www", "cdn", "static", "img", "images", "image", "media", "assets", "i", "s", "m", "mobile",
    "amp", "files", "photos", "pics", "content",
];

/// Second-level labels under which registrable names sit (`bbc.co.uk`).
const SECOND_LEVEL: &[&str] = &["co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"];

/// Services whose hosts appear in many sites' furniture.
const THIRD_PARTY: &[&str] = &[
    "gravatar.com",
    "wp.com",
    "disqus.com",
    "disquscdn.com",
    "facebook.com",
    "facebook.net",
    "fbcdn.net",
    "twitter.com",
    "x.com",
    "twimg.com",
    "t.co",
    "instagram.com",
    "youtube.com",
    "youtu.be",
    "ytimg.com",
    "google.com",
    "googleapis.com",
    "gstatic.com",
    "googleusercontent.com",
    "googletagmanager.com",
    "google-analytics.com",
    "doubleclick.net",
    "googlesyndication.com",
    "cloudfront.net",
    "akamaihd.net",
    "akamaized.net",
    "amazonaws.com",
    "linkedin.com",
    "pinterest.com",
    "reddit.com",
    "whatsapp.com",
    "bit.ly",
    "feedburner.com",
    "addthis.com",
    "sharethis.com",
    "outbrain.com",
    "taboola.com",
    "schema.org",
    "w3.org",
    "cloudflare.com",
    "jsdelivr.net",
    "unpkg.com",
    "imgur.com",
    "flickr.com",
    "tiktok.com",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks the site found in `lines`, each given as copyright (`true`) or other furniture.
    fn check(lines: &[(&str, bool)], expected: Option<&str>) {
        let furniture: Vec<(&str, Kind)> = lines
            .iter()
            .map(|&(l, c)| (l, if c { Kind::Copyright } else { Kind::Asset }))
            .collect();
        assert_eq!(find(&furniture).as_deref(), expected, "site of {lines:?}");
    }

    #[test]
    fn sites() {
        check(
            &[(
                "https://wapozavr.com/assets/images/user-avatar-s.jpg",
                false,
            )],
            Some("wapozavr.com"),
        );
        check(&[("© 2009 wapozavr.com", true)], Some("wapozavr.com"));
        check(
            &[
                ("https://cdn.example.org/a.png", false),
                (
                    "Copyright 2009 www.Morgue-News.co.uk. All rights reserved.",
                    true,
                ),
            ],
            Some("morgue-news.co.uk"),
        );
        check(
            &[("https://static.bbc.co.uk/img/logo.png", false)],
            Some("bbc.co.uk"),
        );
        check(
            &[("https://secure.gravatar.com/avatar/abc.jpg", false)],
            None,
        );
        check(&[("© 2009 The Associated Press, e.g. AP.", true)], None);
    }
}
