//! The main text the html extractor reads from a page: the article's paragraphs, without the
//! page's furniture.

use morgue_plugin_html::main_text;

/// Paragraphs long enough to read as an article's, each with a unique marker word.
fn article(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| {
            format!(
                "<p>The council said on Tuesday that {w} would be discussed again next month, \
                 after residents raised concerns about the cost, the noise and the traffic.</p>"
            )
        })
        .collect()
}

fn furniture() -> &'static str {
    r##"<nav><ul><li><a href="/">Home</a></li><li><a href="/news">Menuword</a></li></ul></nav>
       <div class="share-bar"><a href="#">Sharebutton on Facebook</a></div>
       <aside><p>Asideword: a box of other stories that is long enough to look like a paragraph of text.</p></aside>
       <div id="comments"><p>Commentword: I completely disagree with the council on this, and I have said so for years now, many times.</p></div>
       <footer><p>Footerword, all rights reserved, a long footer line about the company and its many fine products.</p></footer>"##
}

#[test]
fn the_article_is_kept_and_the_furniture_left_out() {
    let page = format!(
        "<html><head><title>Council delays vote</title></head><body>{nav}\
         <div class=\"main\"><h1>Council delays vote</h1>\
         <div class=\"article-body\">{body}<h2>Subheadword</h2>{more}\
         <p>Share this article</p></div></div>{rest}</body></html>",
        nav = furniture(),
        body = article(&["alpha", "bravo", "charlie"]),
        more = article(&["delta"]),
        rest = furniture(),
    );
    let text = main_text(&page);
    for w in ["alpha", "bravo", "charlie", "delta", "Subheadword"] {
        assert!(text.contains(w), "{w} missing from {text:?}");
    }
    for w in [
        "Menuword",
        "Sharebutton",
        "Asideword",
        "Commentword",
        "Footerword",
        "Share this",
        "Council delays vote",
    ] {
        assert!(!text.contains(w), "{w} in {text:?}");
    }
    assert_eq!(text.matches("\n\n").count(), 4, "paragraphs: {text:?}");
}

#[test]
fn an_article_cut_into_chunks_is_read_whole() {
    let chunk = |words: &[&str]| {
        format!(
            "<div class=\"grid\"><div class=\"chunk\">{}</div><div class=\"ad-rail\"></div></div>",
            article(words)
        )
    };
    let page = format!(
        "<html><body>{nav}<article><div class=\"chunks\">{a}<div class=\"ad\"><a href=\"#\">Adword</a></div>{b}{c}</div></article>{rest}</body></html>",
        nav = furniture(),
        a = chunk(&["one", "two", "three", "four"]),
        b = chunk(&["five", "six"]),
        c = chunk(&["seven", "eight", "nine"]),
        rest = furniture(),
    );
    let text = main_text(&page);
    for w in ["one", "four", "five", "six", "seven", "nine"] {
        assert!(text.contains(w), "{w} missing from {text:?}");
    }
    assert!(!text.contains("Adword"), "{text:?}");
}

#[test]
fn text_written_straight_into_a_block_is_read() {
    let page = format!(
        "<html><body>{nav}<div class=\"col\"><p class=\"title\">A headline</p><small>05/10/2018</small><br>\
         Straightword: the team registered this morning that two of the five cars of the unit \
         had been broken into, and the police were called to see the damage.<br><br></div>{rest}</body></html>",
        nav = furniture(),
        rest = furniture(),
    );
    assert!(main_text(&page).contains("Straightword"));
}

#[test]
fn the_pages_json_ld_copy_is_used_when_the_markup_holds_little() {
    let body = "Jsonword opens the story. ".repeat(20);
    let page = format!(
        r#"<html><head><script type="application/ld+json">{{"@type":"NewsArticle","headline":"H","articleBody":"{body}"}}</script></head>
           <body>{nav}<div id="app"></div>{rest}</body></html>"#,
        nav = furniture(),
        rest = furniture(),
    );
    assert!(main_text(&page).starts_with("Jsonword opens the story."));
}

#[test]
fn empty_and_textless_pages_give_no_body() {
    for page in [
        "",
        "<html></html>",
        "<html><body><img src=x></body></html>",
        "<script>var x = 1;</script>",
    ] {
        assert_eq!(main_text(page), "", "{page:?}");
    }
    let fields = morgue_plugin_html::read("<html><body><img src=x></body></html>");
    assert!(!fields.contains_key("body"));
    assert_eq!(fields["word_count"], 0);
}

#[test]
fn a_dateline_opening_the_body_is_read() {
    let page = format!(
        "<html><body><div class=\"story\"><p>WASHINGTON (Reuters) - The State Department said on \
         Tuesday it had asked the company to delay its maintenance, officials said.</p>{}</div></body></html>",
        article(&["more"])
    );
    let fields = morgue_plugin_html::read(&page);
    assert_eq!(fields["dateline"]["place"], "WASHINGTON");
    assert!(
        fields["body"]
            .as_str()
            .is_some_and(|b| b.starts_with("WASHINGTON (Reuters) - "))
    );
}

#[test]
fn a_title_left_open_does_not_become_a_title_of_the_whole_page() {
    let page = format!(
        "<html><head><title>Open {}",
        "words and more words ".repeat(500)
    );
    let fields = morgue_plugin_html::read(&page);
    assert!(!fields.contains_key("title"), "{:?}", fields.get("title"));
}
