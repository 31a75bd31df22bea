//! The metadata the html extractor reads from a page: JSON-LD, OpenGraph, `<meta>` tags,
//! microdata and the visible page, each field from the most trusted source that gives it.

use morgue_core::Fields;
use serde_json::{Value, json};

fn page(name: &str) -> Fields {
    let path = format!("{}/tests/pages/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    morgue_plugin_html::read(&text)
}

/// Checks the metadata fields of `fields` against `expected`; a field missing from `expected`
/// must be absent.
fn check(fields: &Fields, expected: Value) {
    const META: [&str; 7] = [
        "title",
        "subtitle",
        "authors",
        "published",
        "site",
        "canonical_url",
        "language",
    ];
    let Value::Object(expected) = expected else {
        panic!("expected an object");
    };
    for key in META {
        assert_eq!(
            fields.get(key),
            expected.get(key),
            "field {key} of {fields:#?}"
        );
    }
    for key in expected.keys() {
        assert!(META.contains(&key.as_str()), "unknown field {key}");
    }
}

fn published(content: &str) -> Option<Value> {
    let html = format!(
        "<html><head><meta property=\"article:published_time\" content=\"{content}\"></head>\
         <body><p>Text.</p></body></html>"
    );
    morgue_plugin_html::read(&html).get("published").cloned()
}

#[test]
fn json_ld_graph_with_references_and_an_author_list() {
    check(
        &page("jsonld-graph.html"),
        json!({
            "title": "Harbour Bridge Reopens After Two Years’ Repairs",
            "subtitle": "Traffic returns to the span on Tuesday morning & tolls stay unchanged.",
            // The organisation in the author list goes, as two people are named.
            "authors": ["Maria Alvarez", "Tom O'Neill"],
            "published": "2019-11-19T10:23:00Z",
            "site": "The Coastal Ledger",
            "canonical_url": "https://ledger.example/2019/11/bridge-reopens",
            "language": "en-GB",
        }),
    );
}

#[test]
fn broken_json_ld_is_read_leniently() {
    // A block of garbage, then one wrapped in a comment with trailing commas and a raw line
    // break inside a string.
    check(
        &page("jsonld-broken.html"),
        json!({
            "title": "Notes From the Valley Orchard",
            "subtitle": "Picking season runs late this year, and the pears are small.",
            "authors": ["Ada Whitfield", "Ben Okafor"],
            "published": "2019-09-03T07:05:00",
            "site": "Orchard Notes",
            "language": "en-US",
        }),
    );
}

#[test]
fn garbage_json_ld_gives_nothing_and_does_not_panic() {
    for block in [
        "",
        "{",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        "{\"@type\": \"NewsArticle\", \"headline\": \"\\",
        "{\"@type\": 5, \"headline\": {\"a\": 1}, \"author\": [null, 1, []]}",
        "\"just a string\"",
        "<!-- --> <![CDATA[ ]]>",
        "{\"@type\": \"NewsArticle\", \"headline\": \"\\u12\", \"datePublished\": \"2019-02-30\"}",
    ] {
        let html = format!(
            "<html><head><script type=\"application/ld+json\">{block}</script></head>\
             <body><p>Text.</p></body></html>"
        );
        let fields = morgue_plugin_html::read(&html);
        assert_eq!(fields.get("published"), None, "{block}");
        assert_eq!(fields.get("authors"), None, "{block}");
    }
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let html = format!("<script type=\"application/ld+json\">{deep}</script>");
    assert_eq!(morgue_plugin_html::read(&html).get("title"), None);
}

#[test]
fn opengraph_only() {
    check(
        &page("opengraph.html"),
        json!({
            "title": "Tide Tables Explained",
            "subtitle": "Why the sea comes in twice a day, and how to read the tables.",
            // The profile address given as an author is no name.
            "authors": ["Harriet Vance"],
            "published": "2019-11-19T10:23:00Z",
            "site": "Shoreline Weekly",
            "canonical_url": "https://shoreline.example/tides/explained",
            "language": "en-US",
        }),
    );
}

#[test]
fn microdata_only() {
    // The commenter, a person inside a comment, is not an author.
    check(
        &page("microdata.html"),
        json!({
            "title": "Feira de livros abre no sábado",
            "subtitle": "Cem editoras levam seus catálogos à praça central.",
            "authors": ["Joana Ribeiro"],
            "published": "2019-11-19T10:23:00-03:00",
            "site": "Jornal do Bairro",
            "language": "pt-BR",
        }),
    );
}

#[test]
fn the_visible_page_when_nothing_is_declared() {
    check(
        &page("plain.html"),
        json!({
            "title": "Village hall gets a new roof",
            "authors": ["Jane Doe", "Sam Roe"],
            "published": "2019-11-19",
        }),
    );
    check(
        &page("none.html"),
        json!({ "title": "Lost cat found on the church roof" }),
    );
}

#[test]
fn a_site_suffix_leaves_the_title() {
    check(
        &page("title-suffix.html"),
        json!({
            "title": "Council votes to keep the library open",
            "site": "Riverside Gazette",
        }),
    );
    // No site name, but the part left is the page's heading.
    let fields = morgue_plugin_html::read(
        "<title>Library hours change - Town News</title><h1>Library hours change</h1>",
    );
    assert_eq!(fields.get("title"), Some(&json!("Library hours change")));
    // Neither: the title stays whole.
    let fields = morgue_plugin_html::read(
        "<title>Library hours change - Town News</title><h1>Something else</h1>",
    );
    assert_eq!(
        fields.get("title"),
        Some(&json!("Library hours change - Town News"))
    );
}

#[test]
fn published_is_normalised_to_iso_8601() {
    for (given, expected) in [
        ("2019-11-19T10:23:00Z", "2019-11-19T10:23:00Z"),
        ("2019-11-19T10:23:00.123Z", "2019-11-19T10:23:00Z"),
        ("2019-11-19T10:23:00+00:00", "2019-11-19T10:23:00Z"),
        ("2019-11-19T10:23:00-05:00", "2019-11-19T10:23:00-05:00"),
        ("2019-11-19T10:23:00+0530", "2019-11-19T10:23:00+05:30"),
        ("2019-11-19T10:23", "2019-11-19T10:23:00"),
        ("2019-11-19 10:23:00", "2019-11-19T10:23:00"),
        ("2019-11-19 21:57:00 -0800", "2019-11-19T21:57:00-08:00"),
        ("2019-11-19", "2019-11-19"),
        ("2019/11/19", "2019-11-19"),
        ("Tue, 19 Nov 2019 10:23:00 GMT", "2019-11-19T10:23:00Z"),
        (
            "Tue, 19 Nov 2019 10:23:00 +0100",
            "2019-11-19T10:23:00+01:00",
        ),
        ("19 Nov 2019 07:09 EST", "2019-11-19T07:09:00-05:00"),
        ("November 19, 2019", "2019-11-19"),
        ("Nov. 19, 2019 5:52 PM", "2019-11-19T17:52:00"),
        ("01:38:07 PM IST Nov 20, 2019", "2019-11-20T13:38:07"),
        ("12:05 AM Nov 20, 2019", "2019-11-20T00:05:00"),
        ("19th November 2019", "2019-11-19"),
        ("2020-02-29", "2020-02-29"),
    ] {
        assert_eq!(published(given), Some(json!(expected)), "{given}");
    }
    for nonsense in [
        "",
        "yesterday",
        "0001-01-01T00:00:00Z",
        "1970-01-01T00:00:00Z",
        "2019-02-30",
        "2019-13-01",
        "2019-11-19T25:00:00Z",
        "11/19/2019",
        "November 2019",
        "13:00 PM Nov 20, 2019",
    ] {
        assert_eq!(published(nonsense), None, "{nonsense}");
    }
}

#[test]
fn language_from_the_page() {
    let language = |html: &str| morgue_plugin_html::read(html).get("language").cloned();
    assert_eq!(
        language("<html lang=\"en\"><p>x</p></html>"),
        Some(json!("en"))
    );
    assert_eq!(
        language("<html lang=\"PT-br\"><p>x</p></html>"),
        Some(json!("pt-BR"))
    );
    assert_eq!(
        language("<html lang=\"zh-hant-tw\"><p>x</p></html>"),
        Some(json!("zh-Hant-TW"))
    );
    assert_eq!(
        language(
            "<html><head><meta http-equiv=\"Content-Language\" content=\"de_AT\"></head></html>"
        ),
        Some(json!("de-AT"))
    );
    assert_eq!(language("<html lang=\"\"><p>x</p></html>"), None);
    assert_eq!(language("<html lang=\"{{lang}}\"><p>x</p></html>"), None);
}

#[test]
fn bylines_are_split_and_cleaned() {
    let authors = |content: &str| {
        let html =
            format!("<html><head><meta name=\"author\" content=\"{content}\"></head></html>");
        morgue_plugin_html::read(&html).get("authors").cloned()
    };
    assert_eq!(
        authors("By Jane Doe, Sam Roe and Kim Lee"),
        Some(json!(["Jane Doe", "Sam Roe", "Kim Lee"]))
    );
    assert_eq!(authors("Jane Doe, Staff Writer"), Some(json!(["Jane Doe"])));
    assert_eq!(authors("Jane Doe, Jane Doe"), Some(json!(["Jane Doe"])));
    assert_eq!(authors("jane@example.com"), None);
    assert_eq!(authors("https://example.com/jane"), None);
    assert_eq!(authors("@janedoe"), None);
    let many: Vec<String> = (0..15)
        .map(|i| format!("Person {}", (b'A' + i) as char))
        .collect();
    let listed = authors(&many.join(", "));
    assert_eq!(
        listed.as_ref().and_then(Value::as_array).map(Vec::len),
        Some(10)
    );
}

#[test]
fn a_date_element_named_by_its_class() {
    let published = |html: &str| morgue_plugin_html::read(html).get("published").cloned();
    assert_eq!(
        published(
            "<h1>Storm closes the coast road</h1>\
             <div class=\"article-publish-date\">November 19, 2019, 9:02 AM</div>"
        ),
        Some(json!("2019-11-19T09:02:00"))
    );
    // An update time is not the publication date, and a class alone is not a date.
    assert_eq!(
        published(
            "<span class=\"updated-date\">November 20, 2019</span>\
             <span class=\"date\">Share this</span>"
        ),
        None
    );
    // A date the page declares wins over one it shows.
    assert_eq!(
        published(
            "<time datetime=\"2019-11-18\">Monday</time>\
             <span class=\"date\">November 19, 2019</span>"
        ),
        Some(json!("2019-11-18"))
    );
}
