//! Article extraction on `../shared/corpus/extraction-benchmark`, side by side in one run:
//! morgue's `html` built-in (scored in this process by `morgue_core::eval`, through the C
//! descriptor `morgue` itself calls, one thread) and trafilatura 2.3.1 (one Python process over
//! all pages, timing each `trafilatura.extract(html)` call with its defaults), both scored with
//! the same Rust metric. Then an independent check of the metric and of the whole path: the
//! pages are imported into a fresh archive with the release `morgue`, exported, and scored by
//! `score_export.py`, which shares no code with morgue; its F1 is printed beside eval's, with
//! the import's throughput.
//!
//! Run with `cargo build --release --workspace && cargo bench -p morgue-cli --bench html`.
//! trafilatura is installed from PyPI into a venv under `target/bench-html/` on the first run;
//! scratch files and `results.json` go there too.

#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;

use morgue_core::eval::{self, Benchmark, Evaluation, PageScore, Scores};
use morgue_core::plugin::{guest, host};

/// The allocator the `morgue` binary runs with (see `cli/src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The trafilatura release compared against.
const TRAFILATURA: &str = "2.3.1";

/// Runs trafilatura over the pages listed in a JSON file (`[[id, path], ...]`), one process,
/// timing each `extract` call, and writes `{"<id>": {"articleBody": "...", "ms": x}}`. Each file
/// is read and decoded as UTF-8 before its call is timed (all 181 upstream pages are UTF-8). One
/// untimed pass first, as morgue's side gets, so lazy imports and caches are warm.
const TRAFILATURA_SCRIPT: &str = r#"
import json, sys, time
import trafilatura

pages = json.load(open(sys.argv[1], encoding="utf-8"))
htmls = [(page_id, open(path, encoding="utf-8").read()) for page_id, path in pages]
for _, html in htmls:
    trafilatura.extract(html)
out = {}
for page_id, html in htmls:
    start = time.perf_counter()
    text = trafilatura.extract(html)
    ms = (time.perf_counter() - start) * 1000.0
    out[page_id] = {"articleBody": text or "", "ms": ms}
json.dump(out, open(sys.argv[2], "w", encoding="utf-8"))
"#;

fn main() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    let dir = shared.join("corpus/extraction-benchmark");
    // target/<profile>/deps/html-HASH: three levels up is the target directory.
    let exe = std::env::current_exe().unwrap();
    let target = exe.ancestors().nth(3).unwrap().to_owned();
    let morgue = target.join("release/morgue");
    if !morgue.exists() {
        eprintln!(
            "error: {} is missing: run `cargo build --release --workspace` first",
            morgue.display()
        );
        std::process::exit(2);
    }
    let scratch = target.join("bench-html");
    fs::create_dir_all(&scratch).unwrap();
    let clock = Instant::now();
    let progress = |msg: &str| eprintln!("[{:>6.1}s] {msg}", clock.elapsed().as_secs_f64());

    let dir = dir.canonicalize().unwrap_or(dir);
    let bench = Benchmark::open(&dir).unwrap();
    let pages = bench.pages.len();
    let raw_bytes: u64 = bench
        .pages
        .iter()
        .map(|p| fs::metadata(&p.path).unwrap().len())
        .sum();
    progress(&format!(
        "{pages} pages, {:.1} MB, in {}",
        raw_bytes as f64 / 1e6,
        dir.display()
    ));

    // morgue: the built-in through its C descriptor, as `morgue` calls it; one untimed pass,
    // then the measured one.
    let html = host::instantiate(
        guest::descriptor::<morgue_plugin_html::Html>(),
        Path::new("built-in"),
        0,
    )
    .unwrap();
    progress("morgue html: warm-up pass");
    eval::evaluate(&bench, &html, &mut |_| {}).unwrap();
    progress("morgue html: measured pass");
    let ours = eval::evaluate(&bench, &html, &mut |_| {}).unwrap();
    let ours = Side::of_evaluation(&ours);

    let python = python_env(&scratch, &progress);
    let theirs = python
        .as_ref()
        .and_then(|py| run_trafilatura(py, &scratch, &bench, &progress));

    let check = independent_check(&morgue, &scratch, &dir, python.as_ref(), &progress);

    println!();
    println!(
        "Article extraction, {pages} pages of {} ({:.1} MB), one thread, release build",
        dir.display(),
        raw_bytes as f64 / 1e6
    );
    println!();
    let name = format!("trafilatura {TRAFILATURA}");
    println!("{:<16} {:>12} {:>18}", "", "morgue html", name);
    type Row<'a> = (&'a str, &'a dyn Fn(&Side) -> String);
    let rows: [Row; 6] = [
        ("F1", &|s: &Side| format!("{:.3}", s.scores.f1)),
        ("precision", &|s: &Side| {
            format!("{:.3}", s.scores.precision)
        }),
        ("recall", &|s: &Side| format!("{:.3}", s.scores.recall)),
        ("accuracy", &|s: &Side| format!("{:.3}", s.scores.accuracy)),
        ("median ms/page", &|s: &Side| format!("{:.2}", s.median_ms)),
        ("mean ms/page", &|s: &Side| format!("{:.2}", s.mean_ms)),
    ];
    for (label, f) in rows {
        let theirs = theirs.as_ref().map_or_else(|| "n/a".to_owned(), f);
        println!("{label:<16} {:>12} {theirs:>18}", f(&ours));
    }
    if ours.failures > 0 {
        println!(
            "morgue html failed on {} pages (scored as empty)",
            ours.failures
        );
    }
    let ratio = theirs.as_ref().map(|t| t.median_ms / ours.median_ms);
    match ratio {
        Some(r) => println!("speed ratio (trafilatura median / morgue median): {r:.1}x"),
        None => println!("speed ratio: n/a (trafilatura did not run)"),
    }
    println!("(morgue's times include decoding the bytes; trafilatura's start from a str)");
    println!();
    println!("Independent check (import with the release morgue, export, score_export.py):");
    match &check {
        Some(c) => {
            println!(
                "F1 by score_export.py {:.6} (precision {:.6}, recall {:.6}, accuracy {:.6}; {} pages unmatched)",
                c.script_f1, c.script_precision, c.script_recall, c.script_accuracy, c.unmatched
            );
            println!(
                "F1 by eval            {:.6} (precision {:.6}, recall {:.6}, accuracy {:.6})",
                ours.scores.f1, ours.scores.precision, ours.scores.recall, ours.scores.accuracy
            );
            println!(
                "import of the {pages} pages: {:.2} s, {:.0} pages/s ({:.1} MB/s)",
                c.import_s,
                pages as f64 / c.import_s,
                raw_bytes as f64 / 1e6 / c.import_s
            );
        }
        None => println!("n/a (see the messages above)"),
    }

    let results = Results {
        pages,
        raw_bytes,
        morgue: ours,
        trafilatura: theirs,
        speed_ratio: ratio,
        check,
    };
    let path = scratch.join("results.json");
    fs::write(&path, serde_json::to_string_pretty(&results).unwrap()).unwrap();
    progress(&format!("wrote {}", path.display()));
}

#[derive(Clone, Serialize)]
struct Side {
    #[serde(serialize_with = "scores_json")]
    scores: Scores,
    median_ms: f64,
    mean_ms: f64,
    failures: usize,
}

fn scores_json<S: serde::Serializer>(s: &Scores, ser: S) -> Result<S::Ok, S::Error> {
    serde_json::json!({
        "pages": s.pages, "precision": s.precision, "recall": s.recall, "f1": s.f1,
        "accuracy": s.accuracy,
    })
    .serialize(ser)
}

impl Side {
    fn of_evaluation(e: &Evaluation) -> Side {
        Side {
            scores: e.scores,
            median_ms: e.median_ms,
            mean_ms: e.mean_ms,
            failures: e.failures,
        }
    }
}

#[derive(Serialize)]
struct Results {
    pages: usize,
    raw_bytes: u64,
    morgue: Side,
    trafilatura: Option<Side>,
    speed_ratio: Option<f64>,
    check: Option<Check>,
}

/// A venv in the scratch dir with trafilatura at [`TRAFILATURA`]; `None` when it cannot be
/// made (no python3, no network), and the comparison is left out.
fn python_env(scratch: &Path, progress: &dyn Fn(&str)) -> Option<PathBuf> {
    let venv = scratch.join("venv");
    let py = venv.join("bin/python");
    if !py.exists() {
        progress(&format!("creating {}", venv.display()));
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            progress("`python3 -m venv` failed: trafilatura is skipped");
            return None;
        }
    }
    let check =
        format!("import trafilatura, sys; sys.exit(trafilatura.__version__ != {TRAFILATURA:?})");
    let has_it = || {
        Command::new(&py)
            .args(["-c", &check])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !has_it() {
        progress(&format!(
            "installing trafilatura=={TRAFILATURA} into the venv (pip install)"
        ));
        // jusText, which trafilatura imports, needs `lxml.html.clean`, now a project of its
        // own; it asks for it as the extra `lxml[html_clean]`, which lxml 6.2 no longer
        // declares (pip warns and installs nothing), so it is named here.
        let _ = Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("trafilatura=={TRAFILATURA}"),
                "lxml_html_clean",
            ])
            .status();
        if !has_it() {
            progress("`pip install trafilatura` failed: trafilatura is skipped");
            return None;
        }
    }
    Some(py)
}

/// trafilatura over every page in one Python process; its predictions scored here.
fn run_trafilatura(
    py: &Path,
    scratch: &Path,
    bench: &Benchmark,
    progress: &dyn Fn(&str),
) -> Option<Side> {
    progress(&format!(
        "trafilatura {TRAFILATURA}: warm-up pass, then measured pass"
    ));
    let script = scratch.join("run_trafilatura.py");
    fs::write(&script, TRAFILATURA_SCRIPT).unwrap();
    let list: Vec<(String, String)> = bench
        .pages
        .iter()
        .map(|p| (p.id.clone(), p.path.display().to_string()))
        .collect();
    let pages_json = scratch.join("pages.json");
    fs::write(&pages_json, serde_json::to_string(&list).unwrap()).unwrap();
    let out = scratch.join("trafilatura.json");
    let _ = fs::remove_file(&out);
    let ok = Command::new(py)
        .arg(&script)
        .arg(&pages_json)
        .arg(&out)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        progress("the trafilatura script failed: trafilatura is skipped");
        return None;
    }
    let predictions: BTreeMap<String, Value> =
        serde_json::from_slice(&fs::read(&out).unwrap()).unwrap();
    let mut scores: Vec<PageScore> = Vec::new();
    let mut times: Vec<f64> = Vec::new();
    for page in &bench.pages {
        let p = &predictions[&page.id];
        scores.push(eval::score(
            &page.truth,
            p["articleBody"].as_str().unwrap_or(""),
        ));
        times.push(p["ms"].as_f64().unwrap());
    }
    let mean_ms = times.iter().sum::<f64>() / times.len() as f64;
    Some(Side {
        scores: Scores::of(&scores),
        median_ms: eval::median(&mut times),
        mean_ms,
        failures: 0,
    })
}

#[derive(Serialize)]
struct Check {
    script_f1: f64,
    script_precision: f64,
    script_recall: f64,
    script_accuracy: f64,
    unmatched: u64,
    import_s: f64,
}

/// Imports the pages into a fresh archive, exports it without raw bytes and scores the export
/// with `score_export.py`.
fn independent_check(
    morgue: &Path,
    scratch: &Path,
    dir: &Path,
    python: Option<&PathBuf>,
    progress: &dyn Fn(&str),
) -> Option<Check> {
    let archive = scratch.join("archive");
    if archive.exists() {
        fs::remove_dir_all(&archive).unwrap();
    }
    progress("importing the pages with the release morgue");
    let started = Instant::now();
    let import = Command::new(morgue)
        .arg("--archive")
        .arg(&archive)
        .arg("--quiet")
        .arg("import")
        .arg(dir.join(eval::HTML_DIR))
        .env_remove("MORGUE_ARCHIVE")
        .status()
        .unwrap();
    let import_s = started.elapsed().as_secs_f64();
    if !import.success() {
        progress("the import failed: no independent check");
        return None;
    }
    let export = scratch.join("export.jsonl");
    let exported = Command::new(morgue)
        .arg("--archive")
        .arg(&archive)
        .args([
            "--quiet", "export", "--format", "jsonl", "--no-raw", "--out",
        ])
        .arg(&export)
        .env_remove("MORGUE_ARCHIVE")
        .status()
        .unwrap();
    if !exported.success() {
        progress("the export failed: no independent check");
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/score_export.py");
    let py = python.map_or_else(|| PathBuf::from("python3"), Clone::clone);
    progress("scoring the export with score_export.py");
    let out = Command::new(py)
        .arg(&script)
        .arg(&export)
        .arg(dir.join(eval::GROUND_TRUTH))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    if !out.status.success() {
        progress(&format!(
            "score_export.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
        return None;
    }
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    Some(Check {
        script_f1: v["f1"].as_f64().unwrap(),
        script_precision: v["precision"].as_f64().unwrap(),
        script_recall: v["recall"].as_f64().unwrap(),
        script_accuracy: v["accuracy"].as_f64().unwrap(),
        unmatched: v["unmatched"].as_u64().unwrap(),
        import_s,
    })
}
