//! `morgue eval extraction` on small benchmark folders written here, scored with the
//! `paragraphs` fixture plugin (the text of every `<p>`), whose output is known, so every
//! figure can be worked out by hand.

#![allow(clippy::unwrap_used)]

mod util;

use serde_json::Value;
use util::{Dir, library};

/// Three pages: `a` extracted exactly, `b` with a menu paragraph too, `c` with no `<p>` at all.
///
/// - a: truth and prediction "The quick brown fox jumps over the lazy dog": tp 1, precision
///   and recall 1, tokens equal.
/// - b: truth "Rain fell on the town all day long" (8 tokens, 5 shingles); prediction adds
///   "Menu: home news sport" before it (12 tokens, 9 shingles): tp 5/9, fp 4/9, fn 0, so
///   precision 5/9 and recall 1.
/// - c: nothing predicted: left out of precision, recall 0.
///
/// Precision (1 + 5/9) / 2 = 7/9, recall (1 + 1 + 0) / 3 = 2/3, F1 = 2PR/(P+R) = 28/39,
/// accuracy 1/3.
fn benchmark(dir: &Dir) -> std::path::PathBuf {
    let root = dir.path().join("bench");
    dir.write(
        "bench/html/a.html",
        "<html><body><p>The quick brown fox jumps over the lazy dog.</p></body></html>",
    );
    dir.write(
        "bench/html/b.html",
        "<html><body><p>Menu: home news sport</p>\n<p>Rain fell on the town all day long.</p></body></html>",
    );
    dir.write(
        "bench/html/c.html",
        "<html><body><div>Only a div holds this story.</div></body></html>",
    );
    let truth = serde_json::json!({
        "a": {"articleBody": "The quick brown fox jumps over the lazy dog.", "url": "https://example.com/a"},
        "b": {"articleBody": "Rain fell on the town all day long.", "url": "https://example.com/b"},
        "c": {"articleBody": "Only a div holds this story.", "url": "https://example.com/c"},
    });
    dir.write("bench/ground-truth.json", truth.to_string());
    root
}

/// A scratch folder whose archive has the `paragraphs` fixture registered.
fn with_fixture() -> Dir {
    let dir = Dir::new();
    let lib = library("morgue_fixture_paragraphs");
    dir.run(&[
        std::ffi::OsStr::new("plugins"),
        "add".as_ref(),
        lib.as_os_str(),
    ])
    .assert_code(0);
    dir
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-12)
}

#[test]
fn json_has_the_figures_worked_out_by_hand() {
    let dir = with_fixture();
    let bench = benchmark(&dir);
    let run = dir.run(&[
        "eval".as_ref(),
        "extraction".as_ref(),
        bench.as_os_str(),
        "--plugin".as_ref(),
        "paragraphs".as_ref(),
        "--json".as_ref(),
    ]);
    run.assert_code(0);
    let report: Value = serde_json::from_str(&run.stdout()).unwrap();
    let keys: Vec<&str> = report
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = [
        "pages",
        "precision",
        "recall",
        "f1",
        "accuracy",
        "median_ms",
        "mean_ms",
    ];
    expected.sort_unstable();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, expected, "{report}");
    assert_eq!(report["pages"], 3);
    assert!(close(&report["precision"], 7.0 / 9.0), "{report}");
    assert!(close(&report["recall"], 2.0 / 3.0), "{report}");
    assert!(close(&report["f1"], 28.0 / 39.0), "{report}");
    assert!(close(&report["accuracy"], 1.0 / 3.0), "{report}");
    let median = report["median_ms"].as_f64().unwrap();
    let mean = report["mean_ms"].as_f64().unwrap();
    assert!(median >= 0.0 && mean >= 0.0, "{report}");
    assert_eq!(run.stderr(), "");
}

#[test]
fn text_output_and_the_worst_page() {
    let dir = with_fixture();
    let bench = benchmark(&dir);
    let run = dir.run(&[
        "eval".as_ref(),
        "extraction".as_ref(),
        bench.as_os_str(),
        "--plugin".as_ref(),
        "paragraphs".as_ref(),
        "--worst".as_ref(),
        "1".as_ref(),
    ]);
    run.assert_code(0);
    let out = run.stdout();
    for line in [
        "extractor  paragraphs 0.0.1",
        "pages      3",
        "precision  0.778",
        "recall     0.667",
        "F1         0.718",
        "accuracy   0.333",
        "1 page with the lowest F1, worst first:",
        "1. c  F1 0.000  precision -  recall 0.000",
        "   https://example.com/c",
        "   missed: 6 tokens in 1 run:",
        "     [6] Only a div holds this story",
        "   extra: nothing",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "no line {line:?} in:\n{out}"
        );
    }
    assert!(!out.contains("failures"), "{out}");
    assert!(!out.contains("2. "), "{out}");
}

#[test]
fn worst_in_json_names_what_was_missed_and_added() {
    let dir = with_fixture();
    let bench = benchmark(&dir);
    let run = dir.run(&[
        "eval".as_ref(),
        "extraction".as_ref(),
        bench.as_os_str(),
        "--plugin".as_ref(),
        "paragraphs".as_ref(),
        "--worst".as_ref(),
        "2".as_ref(),
        "--json".as_ref(),
    ]);
    run.assert_code(0);
    let report: Value = serde_json::from_str(&run.stdout()).unwrap();
    let worst = report["worst"].as_array().unwrap();
    assert_eq!(worst.len(), 2, "{report}");
    assert_eq!(worst[0]["id"], "c");
    assert_eq!(worst[0]["url"], "https://example.com/c");
    assert!(close(&worst[0]["f1"], 0.0));
    // Nothing was predicted: the page has no precision.
    assert!(worst[0].get("precision").is_none(), "{report}");
    assert!(close(&worst[0]["recall"], 0.0));
    assert_eq!(
        worst[0]["missed"],
        serde_json::json!({"tokens": 6, "runs": 1, "longest": [{"tokens": 6, "text": "Only a div holds this story"}]})
    );
    assert_eq!(
        worst[0]["extra"],
        serde_json::json!({"tokens": 0, "runs": 0, "longest": []})
    );
    assert_eq!(worst[1]["id"], "b");
    assert!(close(&worst[1]["precision"], 5.0 / 9.0));
    assert!(close(&worst[1]["recall"], 1.0));
    assert!(close(&worst[1]["f1"], 5.0 / 7.0));
    assert_eq!(worst[1]["missed"]["tokens"], 0);
    assert_eq!(
        worst[1]["extra"]["longest"],
        serde_json::json!([{"tokens": 4, "text": "Menu: home news sport"}])
    );
}

#[test]
fn a_page_the_extractor_fails_on_scores_as_empty() {
    let dir = with_fixture();
    dir.write(
        "bench/html/x.html",
        "<html><!-- fail --><p>Four words right here.</p></html>",
    );
    dir.write(
        "bench/html/y.html",
        "<html><p>Four words right here.</p></html>",
    );
    dir.write(
        "bench/ground-truth.json",
        r#"{"x": {"articleBody": "Four words right here."}, "y": {"articleBody": "Four words right here."}}"#,
    );
    let run = dir.run(&[
        "eval",
        "extraction",
        "bench",
        "--plugin",
        "paragraphs",
        "--json",
    ]);
    run.assert_code(0);
    assert!(
        run.stderr().contains("failed: x: ") && run.stderr().contains("asks to fail"),
        "{}",
        run.stderr()
    );
    let report: Value = serde_json::from_str(&run.stdout()).unwrap();
    assert!(close(&report["precision"], 1.0), "{report}");
    assert!(close(&report["recall"], 0.5), "{report}");
    assert!(close(&report["accuracy"], 0.5), "{report}");
    let text = dir.run(&["eval", "extraction", "bench", "--plugin", "paragraphs"]);
    text.assert_code(0);
    assert!(
        text.stdout().lines().any(|l| l == "failures   1"),
        "{}",
        text.stdout()
    );
}

#[test]
fn an_unknown_plugin_is_named_with_the_ones_there_are() {
    let dir = with_fixture();
    let bench = benchmark(&dir);
    let run = dir.run(&[
        "eval".as_ref(),
        "extraction".as_ref(),
        bench.as_os_str(),
        "--plugin".as_ref(),
        "nosuch".as_ref(),
    ]);
    run.assert_code(2);
    let err = run.stderr();
    assert!(err.contains("no extractor is named nosuch"), "{err}");
    assert!(
        err.contains("structure") && err.contains("paragraphs"),
        "{err}"
    );
    assert_eq!(run.stdout(), "");
}

#[test]
fn an_extractor_that_cannot_read_html_is_refused() {
    let dir = Dir::new();
    let bench = benchmark(&dir);
    let run = dir.run(&[
        "eval".as_ref(),
        "extraction".as_ref(),
        bench.as_os_str(),
        "--plugin".as_ref(),
        "structure".as_ref(),
    ]);
    run.assert_code(2);
    assert!(
        run.stderr()
            .contains("extractor structure cannot be scored on HTML pages"),
        "{}",
        run.stderr()
    );
    // Without an archive only the built-ins are offered, and none is created.
    let run = dir.run(&["eval", "extraction", "bench", "--plugin", "nosuch"]);
    run.assert_code(2);
    assert!(
        run.stderr().contains("available: structure"),
        "{}",
        run.stderr()
    );
    assert!(!dir.archive().exists());
}

#[test]
fn a_folder_that_is_not_a_benchmark_is_named() {
    let dir = with_fixture();
    let eval = |folder: &str| {
        let run = dir.run(&["eval", "extraction", folder, "--plugin", "paragraphs"]);
        run.assert_code(2);
        assert_eq!(run.stdout(), "");
        run.stderr()
    };
    let err = eval("missing");
    assert!(
        err.contains("missing is not an extraction benchmark folder: it does not exist"),
        "{err}"
    );

    dir.write("nohtml/ground-truth.json", "{}");
    let err = eval("nohtml");
    assert!(
        err.contains("nohtml") && err.contains("no html/ folder"),
        "{err}"
    );

    dir.write("notruth/html/a.html", "<p>a</p>");
    let err = eval("notruth");
    assert!(
        err.contains("notruth") && err.contains("no ground-truth.json"),
        "{err}"
    );

    dir.write("malformed/html/a.html", "<p>a</p>");
    dir.write(
        "malformed/ground-truth.json",
        r#"{"a": {"articleBody": 3}}"#,
    );
    let err = eval("malformed");
    assert!(
        err.contains("malformed/ground-truth.json is not a valid ground truth"),
        "{err}"
    );

    dir.write("unlisted/html/a.html", "<p>a</p>");
    dir.write(
        "unlisted/ground-truth.json",
        r#"{"a": {"articleBody": "a"}, "b": {"articleBody": "b"}}"#,
    );
    let err = eval("unlisted");
    assert!(
        err.contains("page b is listed in") && err.contains("unlisted/html/b.html is missing"),
        "{err}"
    );
}

#[test]
fn the_html_built_in_is_the_default_and_needs_no_archive() {
    let dir = Dir::new();
    let bench = benchmark(&dir);
    let run = dir.run(&[
        "eval".as_ref(),
        "extraction".as_ref(),
        bench.as_os_str(),
        "--json".as_ref(),
    ]);
    run.assert_code(0);
    let report: Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(report["pages"], 3);
    for key in ["precision", "recall", "f1", "accuracy"] {
        let v = report[key].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&v), "{key}: {report}");
    }
    // The one paragraph of page a is its whole text: the html extractor finds it exactly.
    assert!(report["accuracy"].as_f64().unwrap() > 0.0, "{report}");
    assert!(!dir.archive().exists());
    let text = dir.run(&["eval".as_ref(), "extraction".as_ref(), bench.as_os_str()]);
    text.assert_code(0);
    assert!(
        text.stdout().starts_with("extractor  html "),
        "{}",
        text.stdout()
    );
}
