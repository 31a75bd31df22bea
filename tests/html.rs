//! The built-in `html` extractor end to end: what a page's `body` holds is what `query` finds,
//! and hostile pages (deep nesting, megabytes of markup or script, tags left open, bytes that
//! are not text, no text at all) never crash or hang an import, never damage what the archive
//! already holds, and each give a best-effort document or a failure naming the file.
//!
//! Every page here is written by the test itself.

#![allow(clippy::unwrap_used)]

mod util;

use std::ffi::OsStr;
use std::fs::File;
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;
use util::{Dir, Run, sha256_hex};

/// How long one command may run before the test calls it a hang. Generous on purpose: a debug
/// build on a busy machine, not a performance bound.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// Runs morgue with `args` in `dir`, killing it and failing the test if it outlives
/// [`HANG_GUARD`]. Output goes through files, so a child writing a lot never blocks on a pipe.
#[track_caller]
fn guarded(dir: &Dir, args: &[&OsStr]) -> Run {
    let out_path = dir.path().join("guarded.stdout");
    let err_path = dir.path().join("guarded.stderr");
    let mut child = dir
        .cmd()
        .args(args)
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > HANG_GUARD {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!(
                "morgue {args:?} still running after {} s: a hang",
                HANG_GUARD.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run(Output {
        status,
        stdout: std::fs::read(out_path).unwrap(),
        stderr: std::fs::read(err_path).unwrap(),
    })
}

/// `show ID --json`, parsed.
#[track_caller]
fn show(dir: &Dir, id: &str) -> Value {
    let run = dir.run(&["show", id, "--json"]);
    run.assert_code(0);
    serde_json::from_slice(&run.0.stdout).unwrap()
}

/// `query QUERY --count`: the count and the exit code.
#[track_caller]
fn count(dir: &Dir, query: &str) -> (u64, i32) {
    let run = dir.run(&["query", query, "--count"]);
    (run.stdout().trim().parse().unwrap(), run.code())
}

/// A page archived before every hostile one, with a word no other page holds.
const BEFORE: &str = "<html><head><title>Ferry sails</title></head><body><article>\
<p>The harbour master, Quentin Oyelaran, said the zanzibarine ferry would sail at noon, \
weather permitting, and return before dark.</p></article></body></html>";

/// A paragraph long enough to read as an article's.
const DEEP: &str = "The deep paragraph tells of rain over the harbour, the town and the hills \
beyond them.";

/// Archives [`BEFORE`] and indexes it, then imports `bytes` as the file `name` under the hang
/// guard and checks the import exits with `code`, [`BEFORE`] is still archived and found, and
/// `verify` is clean. Returns the archive and the hostile import's run.
#[track_caller]
fn hostile(name: &str, bytes: &[u8], code: i32) -> (Dir, Run) {
    let dir = Dir::new();
    let before = dir.write("before.html", BEFORE);
    dir.run(&[OsStr::new("import"), before.as_os_str()])
        .assert_code(0);
    // Indexed first, so the hostile page goes through the index as well as the store.
    dir.run(&["reindex"]).assert_code(0);

    let page = dir.write(name, bytes);
    let run = guarded(&dir, &[OsStr::new("import"), page.as_os_str()]);
    run.assert_code(code);
    let (archived, failed) = if code == 0 { (1, 0) } else { (0, 1) };
    assert_eq!(
        run.summary(),
        format!("archived {archived}, already archived 0, skipped 0, failed {failed}"),
        "{}",
        run.stderr()
    );

    let verify = guarded(&dir, &[OsStr::new("verify")]);
    verify.assert_code(0);
    assert_eq!(
        verify.stdout(),
        if archived == 0 {
            "verified 1 document\n".to_owned()
        } else {
            format!("verified {} documents\n", 1 + archived)
        },
        "{}",
        verify.stderr()
    );
    let first = show(&dir, &sha256_hex(BEFORE.as_bytes()));
    assert_eq!(first["fields"]["title"], "Ferry sails");
    assert_eq!(count(&dir, "zanzibarine"), (1, 0));
    (dir, run)
}

/// Imports a page that must be archived, and returns its `show --json`.
#[track_caller]
fn archived(name: &str, bytes: &[u8]) -> Value {
    let (dir, _) = hostile(name, bytes, 0);
    show(&dir, &sha256_hex(bytes))
}

/// `open` ×`n`, then `inner`, then `close` ×`n`, in a page's body.
fn nested(n: usize, open: &str, inner: &str, close: &str) -> String {
    let mut page = String::with_capacity(n * (open.len() + close.len()) + inner.len() + 40);
    page.push_str("<html><body>");
    page.push_str(&open.repeat(n));
    page.push_str(inner);
    page.push_str(&close.repeat(n));
    page.push_str("</body></html>");
    page
}

#[test]
fn a_paragraph_under_100000_nested_divs_is_read() {
    let page = nested(100_000, "<div>", &format!("<p>{DEEP}</p>"), "</div>");
    let doc = archived("divs.html", page.as_bytes());
    assert_eq!(doc["fields"]["body"], DEEP);
}

#[test]
fn a_paragraph_under_100000_nested_bold_elements_is_read() {
    let page = nested(100_000, "<b>", &format!("<p>{DEEP}</p>"), "</b>");
    let doc = archived("bolds.html", page.as_bytes());
    assert_eq!(doc["fields"]["body"], DEEP);
}

#[test]
fn a_paragraph_under_100000_nested_tables_is_read() {
    let page = nested(
        100_000,
        "<table><tr><td>",
        &format!("<p>{DEEP}</p>"),
        "</td></tr></table>",
    );
    let doc = archived("tables.html", page.as_bytes());
    assert_eq!(doc["fields"]["body"], DEEP);
}

#[test]
fn ten_megabytes_of_markup_give_the_article_without_its_huge_menu() {
    let mut page = String::from("<html><head><title>Big</title></head><body><nav><ul>");
    for i in 0..120_000 {
        page.push_str(&format!("<li><a href=\"/s{i}\">Menuitem {i}</a></li>"));
    }
    page.push_str("</ul></nav><article>");
    for i in 0..60_000 {
        page.push_str(&format!(
            "<p>Paragraph {i} of the story tells of rain, wind and hail over the harbour.</p>"
        ));
    }
    page.push_str("<p>The last paragraph holds the word quillionaire, and ends it.</p>");
    page.push_str("</article></body></html>");
    assert!(page.len() >= 10_000_000, "{}", page.len());
    let (dir, _) = hostile("big.html", page.as_bytes(), 0);
    let doc = show(&dir, &sha256_hex(page.as_bytes()));
    assert_eq!(doc["fields"]["title"], "Big");
    let body = doc["fields"]["body"].as_str().unwrap();
    assert!(body.starts_with("Paragraph 0 of the story"), "{body:.200}");
    assert!(body.ends_with("quillionaire, and ends it."));
    assert!(!body.contains("Menuitem"));
    assert_eq!(count(&dir, "quillionaire"), (1, 0));
    assert_eq!(count(&dir, "menuitem"), (0, 1));
}

#[test]
fn a_page_with_tags_left_open_everywhere_gives_its_text() {
    let mut page = String::from("<html><head><title>Open</title><body>");
    for i in 0..2_000 {
        page.push_str(&format!(
            "<div><p>Paragraph {i} tells of rain, <b>wind <i>and hail <em>over \
             <span>the harbour <table><tr><td>and the <ul><li>town <font>at dawn"
        ));
    }
    let doc = archived("open.html", page.as_bytes());
    assert_eq!(doc["fields"]["title"], "Open");
    let body = doc["fields"]["body"].as_str().unwrap();
    assert!(body.contains("Paragraph 0 tells of rain"), "{body:.200}");
    // The innermost boxes hold few commas and many list items, so the reader may judge the
    // last few of them clutter; most of the page must still be there.
    assert!(body.contains("Paragraph 1000 tells of rain"), "{body:.200}");
    assert!(
        doc["fields"]["word_count"].as_u64().unwrap() > 15_000,
        "{doc:.200}"
    );
    assert!(!body.contains('<'), "no markup in the text");
}

#[test]
fn binary_garbage_named_html_is_refused_as_not_text_naming_the_file() {
    // xorshift bytes: NULs and every other byte value, reproducible.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let garbage: Vec<u8> = (0..100_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let (dir, run) = hostile("garbage.html", &garbage, 2);
    let stderr = run.stderr();
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("garbage.html") && l.contains("not text")),
        "{stderr}"
    );
    dir.run(&["show", &sha256_hex(&garbage)]).assert_code(1);

    // Among other pages, it fails alone and the import goes on.
    let folder = dir.path().join("mixed");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("a.html"), &garbage).unwrap();
    std::fs::write(folder.join("b.html"), format!("<p>{DEEP}</p>")).unwrap();
    let run = guarded(&dir, &[OsStr::new("import"), folder.as_os_str()]);
    run.assert_code(2);
    assert_eq!(
        run.summary(),
        "archived 1, already archived 0, skipped 0, failed 1"
    );
    assert!(run.stderr().contains("a.html"), "{}", run.stderr());
    dir.run(&["verify"]).assert_code(0);
}

#[test]
fn a_page_with_no_text_is_archived_with_no_body() {
    let page = "<html><body><img src=x></body></html>";
    let doc = archived("empty.html", page.as_bytes());
    assert_eq!(doc["fields"]["word_count"], 0);
    assert!(doc["fields"].get("body").is_none(), "{doc}");
    assert!(doc["fields"].get("title").is_none(), "{doc}");
}

#[test]
fn a_page_of_only_five_megabytes_of_script_has_no_body() {
    let line = "var klaxonite = \"<p>not a paragraph</p>\" + 1; \
                function f(x) { return x < 2 && x > 0 ? '</b>' : x; }\n";
    let mut page = String::from("<html><head><script>");
    while page.len() < 5 * 1024 * 1024 {
        page.push_str(line);
    }
    page.push_str("</script></head></html>");
    let (dir, _) = hostile("script.html", page.as_bytes(), 0);
    let doc = show(&dir, &sha256_hex(page.as_bytes()));
    assert_eq!(doc["fields"]["word_count"], 0);
    assert!(doc["fields"].get("body").is_none());
}

#[test]
fn a_page_without_a_body_is_not_found_by_its_script_or_markup() {
    let dir = Dir::new();
    let script = "<html><head><script>var klaxonite = 1;</script></head></html>";
    let empty = "<html><body><img src=x></body></html>";
    let a = dir.write("script.html", script);
    let b = dir.write("empty.html", empty);
    dir.run(&[OsStr::new("import"), a.as_os_str(), b.as_os_str()])
        .assert_code(0);
    dir.run(&["reindex"]).assert_code(0);
    for word in ["klaxonite", "var", "script", "img", "src", "html", "body"] {
        assert_eq!(count(&dir, word), (0, 1), "{word}");
    }
}

/// A news page: menus before, a footer after, the article between.
const NEWS: &str = r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour reopens after storm</title></head>
<body>
<header><nav><ul>
<li><a href="/">Home</a></li><li><a href="/plimsoll">Plimsollverse</a></li>
<li><a href="/q">Quaggamire</a></li><li><a href="/w">Weather</a></li>
</ul></nav></header>
<main><article>
<h1>Harbour reopens after storm</h1>
<p>The harbour reopened on Tuesday after three days of storms, the port authority said,
and the first boats left for the islands before dawn.</p>
<p>Fishermen, who had waited since Saturday, said the damage was lighter than feared,
though two jetties will stay closed for repairs until the spring.</p>
<p>A bronze statue of the zorbulent lighthouse keeper, toppled on Sunday, was found intact
on the beach and will be put back next week, the mayor said.</p>
</article></main>
<footer><p>Copyright Frobnitzel Media. All rights reserved.</p></footer>
</body></html>
"#;

#[test]
fn query_finds_the_words_of_the_body_and_not_those_of_the_menus() {
    let dir = Dir::new();
    let page = dir.write("news.html", NEWS);
    dir.run(&[OsStr::new("import"), page.as_os_str()])
        .assert_code(0);
    dir.run(&["reindex"]).assert_code(0);
    assert_eq!(count(&dir, "zorbulent"), (1, 0));
    assert_eq!(count(&dir, "fishermen jetties"), (1, 0));
    for menu in ["plimsollverse", "quaggamire", "frobnitzel"] {
        let run = dir.run(&["query", menu, "--count"]);
        run.assert_code(1);
        assert_eq!(run.stdout(), "0\n", "{menu}");
    }
    let doc = show(&dir, &sha256_hex(NEWS.as_bytes()));
    assert_eq!(doc["fields"]["title"], "Harbour reopens after storm");
    let body = doc["fields"]["body"].as_str().unwrap();
    assert!(body.contains("zorbulent lighthouse keeper"), "{body}");
    assert!(body.contains("The harbour reopened on Tuesday"), "{body}");
    for menu in ["Plimsollverse", "Quaggamire", "Frobnitzel", "Home"] {
        assert!(!body.contains(menu), "{menu} in {body}");
    }
    // The page itself is kept whole, menus and all.
    assert!(doc["text"].as_str().unwrap().contains("Plimsollverse"));
}

#[test]
fn a_body_opening_with_a_dateline_gives_its_place() {
    let page = "<html><head><title>Talks resume</title></head><body>\
        <nav><a href=\"/\">Home</a></nav><article><h1>Talks resume</h1>\
        <p>WASHINGTON (Reuters) - The talks resumed on Monday, officials said, after a week \
        of delays.</p><p>Both sides said they hoped for an agreement, though neither would \
        say when.</p></article></body></html>";
    let dir = Dir::new();
    let file = dir.write("talks.html", page);
    dir.run(&[OsStr::new("import"), file.as_os_str()])
        .assert_code(0);
    let doc = show(&dir, &sha256_hex(page.as_bytes()));
    assert_eq!(doc["fields"]["dateline"]["place"], "WASHINGTON", "{doc}");
    assert!(
        doc["fields"]["body"]
            .as_str()
            .unwrap()
            .starts_with("WASHINGTON (Reuters) - The talks resumed")
    );
}

#[test]
fn a_windows_1252_page_has_its_accents_in_the_body() {
    let page: &[u8] = b"<html><head><meta charset=\"windows-1252\"><title>Caf\xe9</title></head>\
        <body><article><p>Le caf\xe9 de la gare a rouvert ses portes, disent les habitants \
        du quartier, ravis.</p></article></body></html>";
    let dir = Dir::new();
    let file = dir.write("cafe.html", page);
    let run = dir.run(&[OsStr::new("import"), file.as_os_str()]);
    run.assert_code(0);
    assert!(!run.stderr().contains("warning"), "{}", run.stderr());
    let doc = show(&dir, &sha256_hex(page));
    assert_eq!(doc["source"]["encoding"], "windows-1252");
    assert_eq!(doc["fields"]["title"], "Café");
    let body = doc["fields"]["body"].as_str().unwrap();
    assert!(body.contains("Le café de la gare"), "{body}");
    assert!(!body.contains('\u{fffd}'), "{body}");
}
