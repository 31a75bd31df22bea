//! Import, index, disk and query figures of morgue on scaled copies of the BBC corpus, side by
//! side with the anchors of `../shared/anchors/` (SQLite FTS5 and tantivy) measured in the same
//! run, ending with the targets of the search work as PASS/MISS lines.
//!
//! Run with `cargo build --release --workspace && cargo bench -p morgue-cli --bench search`,
//! optionally followed by `-- SCALE...` (default `1 10 100`) and `--no-anchors` (or
//! `MORGUE_BENCH_NO_ANCHORS=1`). Scratch data (corpora, archives, the anchors' venv and stores)
//! and `results.json` go to `target/bench-search/`.

#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use morgue_core::model::DocId;
use morgue_core::search::Searcher;
use morgue_core::{Archive, OpenOptions};

const CATEGORIES: [&str; 5] = ["business", "entertainment", "politics", "sport", "tech"];

/// The anchors' query set, under the anchors' names, in morgue's query language. BBC has no
/// category field in morgue, so each category is imported with `--tag CATEGORY` and the
/// category filter becomes `tag:`.
const QUERIES: &[(&str, &str)] = &[
    ("term", "economy"),
    ("term_rare", "yukos"),
    ("and2", "oil prices"),
    ("phrase", "\"interest rates\""),
    ("prefix", "tele*"),
    ("field_title", "title:economy"),
    ("term+category_filter", "economy tag:business"),
];

/// Whole `morgue` commands timed end to end (process start, archive open, output).
const COMMANDS: &[(&str, &[&str])] = &[
    (
        "query_phrase_jsonl",
        &["query", "\"interest rates\"", "--limit", "10", "--jsonl"],
    ),
    ("query_term_count", &["query", "economy", "--count"]),
];

/// Runs of each whole command; the median is reported.
const COMMAND_RUNS: usize = 10;

/// Warm-up runs before a query is timed, as the anchors do.
const WARMUP: usize = 3;

/// The most time one query's repetitions may take. A slow query at a large scale would
/// otherwise hold the run for many minutes; its repetitions are cut (to at least
/// `MIN_REPS`) and the count actually run is reported.
const QUERY_BUDGET: Duration = Duration::from_secs(60);
const MIN_REPS: usize = 10;

/// How often the peak-memory sampler reads the child's `VmHWM`.
const RSS_POLL: Duration = Duration::from_millis(20);

fn main() {
    let config = Config::from_args();
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    // target/<profile>/deps/search-HASH: three levels up is the target directory, wherever
    // CARGO_TARGET_DIR put it.
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
    let scratch = target.join("bench-search");
    fs::create_dir_all(&scratch).unwrap();
    // A long run uses its own copy, so a rebuild meanwhile cannot change the binary halfway.
    let copy = scratch.join("morgue");
    fs::copy(&morgue, &copy).unwrap();
    let morgue = copy;
    let clock = Instant::now();
    let progress = |msg: &str| eprintln!("[{:>7.1}s] {msg}", clock.elapsed().as_secs_f64());

    let base = load_base(&shared.join("corpus/bbc"));
    let has_compact = Command::new(&morgue)
        .args(["compact", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_compact {
        progress("morgue has no `compact` subcommand: compact figures are n/a");
    }
    let python = if config.anchors {
        Some(python_env(&scratch, &progress))
    } else {
        progress("anchors skipped");
        None
    };

    let mut results = Results {
        cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
        base_files: base.files.len(),
        base_distinct: base.distinct,
        scales: Vec::new(),
        targets: Vec::new(),
    };
    for &scale in &config.scales {
        let corpus = build_corpus(&scratch, scale, &base, &progress);
        let morgue_figures = run_morgue(
            &morgue,
            &scratch,
            &corpus,
            scale,
            &base,
            has_compact,
            &progress,
        );
        let mut sqlite = None;
        let mut tantivy = None;
        if let Some(py) = &python {
            let work = scratch.join("anchors");
            sqlite = run_anchor(py, &shared, &work, "sqlite_fts5", scale, &progress);
            if py.tantivy {
                tantivy = run_anchor(py, &shared, &work, "tantivy", scale, &progress);
            }
        }
        let figures = ScaleFigures {
            scale,
            corpus: corpus.display().to_string(),
            morgue: morgue_figures,
            sqlite,
            tantivy,
        };
        print_scale(&figures);
        results.scales.push(figures);
        write_results(&scratch, &results);
    }
    results.targets = targets(&results.scales);
    print_targets(&results.targets);
    write_results(&scratch, &results);
    println!("\nall figures: {}", scratch.join("results.json").display());
}

struct Config {
    scales: Vec<usize>,
    anchors: bool,
}

impl Config {
    fn from_args() -> Config {
        let mut scales = Vec::new();
        let mut anchors =
            std::env::var_os("MORGUE_BENCH_NO_ANCHORS").is_none_or(|v| v.is_empty() || v == "0");
        for arg in std::env::args().skip(1) {
            match arg.as_str() {
                // cargo bench passes this to every harness = false bench.
                "--bench" => {}
                "--no-anchors" => anchors = false,
                _ => match arg.parse::<usize>() {
                    Ok(n) if n > 0 => scales.push(n),
                    _ => {
                        eprintln!(
                            "usage: cargo bench -p morgue-cli --bench search [-- [--no-anchors] SCALE...]\n\
                             (SCALE: copies of the BBC corpus, default 1 10 100; \
                             MORGUE_BENCH_NO_ANCHORS=1 also skips the anchors)"
                        );
                        std::process::exit(2);
                    }
                },
            }
        }
        if scales.is_empty() {
            scales = vec![1, 10, 100];
        }
        Config { scales, anchors }
    }
}

struct BaseFile {
    category: &'static str,
    name: String,
    bytes: Vec<u8>,
}

struct Base {
    files: Vec<BaseFile>,
    /// Distinct byte strings among the files (the corpus holds exact duplicates, which morgue
    /// archives once).
    distinct: usize,
    /// Ids of the tech articles in file order, the sample the anchors' get-by-id uses
    /// (`tech/001` … `tech/401`).
    tech_ids: Vec<String>,
}

fn load_base(root: &Path) -> Base {
    let mut files = Vec::new();
    for category in CATEGORIES {
        let mut names: Vec<String> = fs::read_dir(root.join(category))
            .unwrap_or_else(|e| panic!("{}: {e}", root.join(category).display()))
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".txt"))
            .collect();
        names.sort();
        for name in names {
            let bytes = fs::read(root.join(category).join(&name)).unwrap();
            files.push(BaseFile {
                category,
                name,
                bytes,
            });
        }
    }
    let ids: Vec<String> = files.iter().map(|f| sha256_hex(&f.bytes)).collect();
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    let tech_ids = files
        .iter()
        .zip(&ids)
        .filter(|(f, _)| f.category == "tech")
        .map(|(_, id)| id.clone())
        .collect();
    Base {
        distinct: distinct.len(),
        files,
        tech_ids,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `scale` copies of the corpus as files, `copy-N/CATEGORY/NNN.txt`. Copy 0 is byte-identical
/// to the original; copy N > 0 ends in `\n\n#N\n`, so its bytes and hence its id differ, as
/// the anchors give copy N the id suffix `#N`. A corpus already built with the right number of
/// files is reused; a new one is written beside it and renamed, so a killed run never leaves a
/// half-built corpus that looks complete.
fn build_corpus(scratch: &Path, scale: usize, base: &Base, progress: &dyn Fn(&str)) -> PathBuf {
    let dir = scratch.join(format!("corpus-x{scale}"));
    let want = scale * base.files.len();
    if dir.is_dir() && count_files(&dir) == want {
        progress(&format!(
            "x{scale}: reusing {} ({want} files); reading it once",
            dir.display()
        ));
        // A corpus just written is in the page cache; one reused may not be, and the first
        // importer would pay for the disk reads the others then skip.
        let bytes = read_all(&dir);
        progress(&format!("x{scale}: read {:.1} MB", bytes as f64 / 1e6));
        return dir;
    }
    progress(&format!(
        "x{scale}: writing {want} files to {}",
        dir.display()
    ));
    let tmp = scratch.join(format!("corpus-x{scale}.tmp"));
    for d in [&tmp, &dir] {
        if d.exists() {
            fs::remove_dir_all(d).unwrap();
        }
    }
    for copy in 0..scale {
        for category in CATEGORIES {
            fs::create_dir_all(tmp.join(format!("copy-{copy}/{category}"))).unwrap();
        }
        let marker = format!("\n\n#{copy}\n");
        for f in &base.files {
            let path = tmp.join(format!("copy-{copy}/{}/{}", f.category, f.name));
            if copy == 0 {
                fs::write(&path, &f.bytes).unwrap();
            } else {
                let mut bytes = Vec::with_capacity(f.bytes.len() + marker.len());
                bytes.extend_from_slice(&f.bytes);
                bytes.extend_from_slice(marker.as_bytes());
                fs::write(&path, bytes).unwrap();
            }
        }
    }
    fs::rename(&tmp, &dir).unwrap();
    dir
}

/// Reads every file under `dir`; returns the bytes read.
fn read_all(dir: &Path) -> u64 {
    let mut n = 0;
    for_each_file(dir, &mut |path| n += fs::read(path).unwrap().len() as u64);
    n
}

fn count_files(dir: &Path) -> usize {
    let mut n = 0;
    for_each_file(dir, &mut |_| n += 1);
    n
}

/// Calls `f` with the path of every file under `dir`.
fn for_each_file(dir: &Path, f: &mut dyn FnMut(&Path)) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            for_each_file(&entry.path(), f);
        } else if kind.is_file() {
            f(&entry.path());
        }
    }
}

struct Measured {
    wall: Duration,
    peak_kib: Option<u64>,
    status: ExitStatus,
    stderr: Vec<u8>,
}

/// Runs `cmd` to the end, timing it and sampling its peak resident memory.
///
/// Peak memory is the kernel's high-water mark `VmHWM` from `/proc/PID/status`, read by a
/// sampler thread every `RSS_POLL` while the child runs. The kernel keeps that mark itself, so
/// a sample misses only growth in the child's last sampling period, and this needs neither
/// `unsafe` (for `wait4`'s rusage) nor an outside tool such as `/usr/bin/time` whose output
/// would mix with the child's and which not every machine has. The main thread waits on the
/// child directly, so the wall time is not rounded to the sampling period.
fn run_measured(cmd: &mut Command) -> Measured {
    let start = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let status_path = PathBuf::from(format!("/proc/{}/status", child.id()));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let mut peak = None;
            while !done.load(Ordering::Relaxed) {
                // Once the child has exited its status has no VmHWM; the last mark stands.
                if let Some(kib) = fs::read_to_string(&status_path)
                    .ok()
                    .and_then(|s| vm_hwm(&s))
                {
                    peak = Some(kib);
                }
                std::thread::sleep(RSS_POLL);
            }
            peak
        })
    };
    let output = child.wait_with_output().unwrap();
    let wall = start.elapsed();
    done.store(true, Ordering::Relaxed);
    Measured {
        wall,
        peak_kib: sampler.join().unwrap(),
        status: output.status,
        stderr: output.stderr,
    }
}

fn vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(kib: Option<u64>) -> Option<f64> {
    kib.map(|k| k as f64 / 1024.0)
}

fn check(cmd: &Command, m: &Measured) {
    if !m.status.success() {
        panic!(
            "{cmd:?} failed ({}):\n{}",
            m.status,
            String::from_utf8_lossy(&m.stderr)
        );
    }
}

#[derive(Serialize)]
struct Step {
    wall_s: f64,
    peak_mb: Option<f64>,
}

#[derive(Default, Serialize)]
struct ImportSummary {
    archived: u64,
    already_archived: u64,
    skipped: u64,
    failed: u64,
}

#[derive(Serialize)]
struct Stage {
    disk_bytes: u64,
    disk_over_raw: f64,
    /// `stats --json`'s `trees`, when the binary reports them.
    trees: Option<Value>,
}

#[derive(Serialize)]
struct QueryFigures {
    q: String,
    matching_docs: usize,
    returned: usize,
    reps: usize,
    p50_ms: f64,
    p95_ms: f64,
    top1: Option<(String, String)>,
}

#[derive(Serialize)]
struct MorgueFigures {
    files: usize,
    documents: u64,
    raw_bytes: u64,
    /// One `import --tag CATEGORY` call per category, in sequence: the wall times summed, the
    /// peak the largest.
    import: Step,
    import_calls: usize,
    import_summary: ImportSummary,
    import_docs_per_s: f64,
    reindex: Step,
    reindex_docs_per_s: f64,
    compact: Option<Step>,
    after_import: Stage,
    after_reindex: Stage,
    after_compact: Option<Stage>,
    /// Archive open plus searcher set-up in-process, once, before the queries.
    open_ms: f64,
    queries: BTreeMap<String, QueryFigures>,
    /// Median wall time of each whole command.
    command_ms: BTreeMap<String, f64>,
}

fn morgue_cmd(bin: &Path, archive: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.arg("--archive")
        .arg(archive)
        .arg("--color")
        .arg("never");
    cmd
}

fn run_morgue(
    bin: &Path,
    scratch: &Path,
    corpus: &Path,
    scale: usize,
    base: &Base,
    has_compact: bool,
    progress: &dyn Fn(&str),
) -> MorgueFigures {
    let archive = scratch.join(format!("morgue-x{scale}"));
    if archive.exists() {
        fs::remove_dir_all(&archive).unwrap();
    }

    let mut import_wall = Duration::ZERO;
    let mut import_peak: Option<u64> = None;
    let mut summary = ImportSummary::default();
    for category in CATEGORIES {
        progress(&format!("x{scale}: morgue import --tag {category}"));
        let mut cmd = morgue_cmd(bin, &archive);
        cmd.args(["import", "--tag", category]);
        for copy in 0..scale {
            cmd.arg(corpus.join(format!("copy-{copy}/{category}")));
        }
        let m = run_measured(&mut cmd);
        check(&cmd, &m);
        import_wall += m.wall;
        import_peak = import_peak.max(m.peak_kib);
        add_summary(&mut summary, &String::from_utf8_lossy(&m.stderr));
    }
    let after_import = stage(bin, &archive);
    let documents = after_import.0;
    let raw_bytes = after_import.1;
    progress(&format!(
        "x{scale}: imported {documents} documents in {:.2}s; morgue reindex",
        import_wall.as_secs_f64()
    ));

    let mut cmd = morgue_cmd(bin, &archive);
    cmd.arg("reindex");
    let reindex = run_measured(&mut cmd);
    check(&cmd, &reindex);
    let after_reindex = stage(bin, &archive);

    let mut compact = None;
    let mut after_compact = None;
    if has_compact {
        progress(&format!(
            "x{scale}: reindexed in {:.2}s; morgue compact",
            reindex.wall.as_secs_f64()
        ));
        let mut cmd = morgue_cmd(bin, &archive);
        cmd.arg("compact");
        let m = run_measured(&mut cmd);
        check(&cmd, &m);
        compact = Some(Step {
            wall_s: m.wall.as_secs_f64(),
            peak_mb: mib(m.peak_kib),
        });
        after_compact = Some(stage(bin, &archive).2);
    }

    let reps = if scale <= 10 { 200 } else { 50 };
    progress(&format!(
        "x{scale}: morgue queries in-process ({reps} reps each)"
    ));
    let library = library_queries(&archive, reps, &base.tech_ids);

    progress(&format!(
        "x{scale}: whole morgue commands ({COMMAND_RUNS} runs each)"
    ));
    let mut command_ms = BTreeMap::new();
    for (name, args) in COMMANDS {
        command_ms.insert(name.to_string(), whole_command(bin, &archive, args));
    }

    MorgueFigures {
        files: scale * base.files.len(),
        documents,
        raw_bytes,
        import: Step {
            wall_s: import_wall.as_secs_f64(),
            peak_mb: mib(import_peak),
        },
        import_calls: CATEGORIES.len(),
        import_summary: summary,
        import_docs_per_s: documents as f64 / import_wall.as_secs_f64(),
        reindex: Step {
            wall_s: reindex.wall.as_secs_f64(),
            peak_mb: mib(reindex.peak_kib),
        },
        reindex_docs_per_s: documents as f64 / reindex.wall.as_secs_f64(),
        compact,
        after_import: after_import.2,
        after_reindex: after_reindex.2,
        after_compact,
        open_ms: library.open_ms,
        queries: library.queries,
        command_ms,
    }
}

/// Adds the counts of import's summary line, `archived N, already archived N, skipped N,
/// failed N`. The numbers may carry thousands separators, which are commas without a space.
fn add_summary(sum: &mut ImportSummary, stderr: &str) {
    let Some(line) = stderr.lines().rev().find(|l| l.starts_with("archived ")) else {
        return;
    };
    let counts: Vec<u64> = line
        .split(", ")
        .map(|part| {
            let n = part.split_whitespace().last().unwrap_or("");
            n.replace([',', '_', '\''], "").parse().unwrap_or(0)
        })
        .collect();
    if let [archived, already, skipped, failed] = counts[..] {
        sum.archived += archived;
        sum.already_archived += already;
        sum.skipped += skipped;
        sum.failed += failed;
    }
}

/// `stats --json` after a step: documents, raw bytes and the disk figures.
fn stage(bin: &Path, archive: &Path) -> (u64, u64, Stage) {
    let out = morgue_cmd(bin, archive)
        .args(["stats", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "morgue stats --json: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    let documents = stats["documents"].as_u64().unwrap();
    let raw = stats["raw_bytes"].as_u64().unwrap();
    let disk = stats["disk_bytes"].as_u64().unwrap();
    (
        documents,
        raw,
        Stage {
            disk_bytes: disk,
            disk_over_raw: disk as f64 / raw.max(1) as f64,
            trees: stats.get("trees").cloned(),
        },
    )
}

/// Median wall time of a whole `morgue` command, after one untimed run that warms the page
/// cache.
fn whole_command(bin: &Path, archive: &Path, args: &[&str]) -> f64 {
    let mut times = Vec::with_capacity(COMMAND_RUNS);
    for run in 0..=COMMAND_RUNS {
        let mut cmd = morgue_cmd(bin, archive);
        cmd.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
        let start = Instant::now();
        let out = cmd.output().unwrap();
        let elapsed = start.elapsed();
        assert!(
            out.status.success(),
            "{cmd:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if run > 0 {
            times.push(elapsed.as_secs_f64() * 1e3);
        }
    }
    percentile(&mut times, 50.0)
}

struct LibraryFigures {
    open_ms: f64,
    queries: BTreeMap<String, QueryFigures>,
}

/// Warm query latencies through the library, measured as the anchors measure theirs: one open
/// archive and searcher, each query parsed once and run after warm-up runs, its top 10 hits
/// fetched with their stored titles (the anchors return id and title), and get-by-id over the
/// tech articles. Every call into morgue_core is in this function, so an API change is one
/// edit here.
fn library_queries(dir: &Path, reps: usize, tech_ids: &[String]) -> LibraryFigures {
    let start = Instant::now();
    let archive = Archive::open(dir, &OpenOptions::default())
        .unwrap_or_else(|e| panic!("open {}: {e}", dir.display()));
    let mut searcher = Searcher::new(&archive).unwrap_or_else(|e| panic!("searcher: {e}"));
    let open_ms = start.elapsed().as_secs_f64() * 1e3;
    let title = |id: &DocId| -> (String, String) {
        let doc = archive.get(id).unwrap();
        let title = doc
            .fields
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("");
        (id.to_hex(), title.to_owned())
    };
    let mut queries = BTreeMap::new();
    for &(name, text) in QUERIES {
        let query = morgue_core::query::parse(text)
            .unwrap_or_else(|e| panic!("{text}: {}", e.render(text)));
        let figures = timed(text, reps, |_| {
            // The ranked top ten with their titles, as the anchors ask for, and the number of
            // matches.
            let (total, hits) = searcher.top(&query, 0, 10).unwrap();
            let top: Vec<_> = hits
                .iter()
                .map(|h| (h.id.to_hex(), h.title.clone()))
                .collect();
            (total, top)
        });
        queries.insert(name.to_owned(), figures);
    }
    let ids: Vec<DocId> = tech_ids
        .iter()
        .map(|h| DocId::from_hex(h).unwrap())
        .collect();
    let figures = timed("", reps, |i| (1, vec![title(&ids[i % ids.len()])]));
    queries.insert("get_by_id".to_owned(), figures);
    LibraryFigures { open_ms, queries }
}

/// Times `once(i)` `reps` times after `WARMUP` runs; `once` returns the match count and the
/// hits it fetched.
fn timed(
    q: &str,
    reps: usize,
    mut once: impl FnMut(usize) -> (usize, Vec<(String, String)>),
) -> QueryFigures {
    let start = Instant::now();
    for i in 0..WARMUP {
        once(i);
    }
    let per_run = start.elapsed().as_secs_f64() / WARMUP as f64;
    let budget = (QUERY_BUDGET.as_secs_f64() / per_run.max(1e-9)) as usize;
    let reps = reps.min(budget.max(MIN_REPS));
    let mut lat = Vec::with_capacity(reps);
    let mut last = (0, Vec::new());
    for i in 0..reps {
        let start = Instant::now();
        last = once(i);
        lat.push(start.elapsed().as_secs_f64() * 1e3);
    }
    QueryFigures {
        q: q.to_owned(),
        matching_docs: last.0,
        returned: last.1.len(),
        reps,
        p50_ms: percentile(&mut lat, 50.0),
        p95_ms: percentile(&mut lat, 95.0),
        top1: last.1.into_iter().next(),
    }
}

/// The anchors' percentile: the nearest rank, ties to even as Python's `round` breaks them.
fn percentile(xs: &mut [f64], p: f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let i = (p / 100.0 * (xs.len() - 1) as f64).round_ties_even() as usize;
    xs[i.min(xs.len() - 1)]
}

struct Python {
    bin: PathBuf,
    tantivy: bool,
}

/// A venv in the scratch dir with the tantivy binding. Without it the SQLite anchor still
/// runs (it needs only the standard library), with the venv's Python or else `python3`.
fn python_env(scratch: &Path, progress: &dyn Fn(&str)) -> Python {
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
            progress("`python3 -m venv` failed: tantivy anchor skipped, SQLite runs with python3");
            return Python {
                bin: PathBuf::from("python3"),
                tantivy: false,
            };
        }
    }
    let has_tantivy = || {
        Command::new(&py)
            .args(["-c", "import tantivy"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let mut tantivy = has_tantivy();
    if !tantivy {
        progress("installing tantivy into the venv (pip install tantivy)");
        let _ = Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "tantivy",
            ])
            .status();
        tantivy = has_tantivy();
        if !tantivy {
            progress("`pip install tantivy` failed: the tantivy anchor is skipped");
        }
    }
    Python { bin: py, tantivy }
}

#[derive(Serialize)]
struct AnchorFigures {
    /// Peak resident memory of the anchor's Python process over its whole run (import and
    /// queries), which includes the script holding the whole scaled corpus in Python objects.
    peak_mb: Option<f64>,
    wall_s: f64,
    /// The script's own output for this scale.
    figures: Value,
}

/// One anchor script at one scale, in its own process so the peak memory is that scale's.
fn run_anchor(
    py: &Python,
    shared: &Path,
    work: &Path,
    name: &str,
    scale: usize,
    progress: &dyn Fn(&str),
) -> Option<AnchorFigures> {
    progress(&format!("x{scale}: anchor {name}"));
    fs::create_dir_all(work).unwrap();
    let out = work.join(format!("{name}-x{scale}.json"));
    let _ = fs::remove_file(&out);
    let mut cmd = Command::new(&py.bin);
    cmd.arg(shared.join(format!("anchors/bench_{name}.py")))
        .arg(&out)
        .arg(work)
        .arg(scale.to_string())
        // The anchors' folder is shared; leave no bytecode cache in it.
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let m = run_measured(&mut cmd);
    if !m.status.success() {
        progress(&format!(
            "anchor {name} failed ({}): {}",
            m.status,
            String::from_utf8_lossy(&m.stderr).trim()
        ));
        return None;
    }
    let text = fs::read_to_string(&out).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    Some(AnchorFigures {
        peak_mb: mib(m.peak_kib),
        wall_s: m.wall.as_secs_f64(),
        figures: all[0].clone(),
    })
}

#[derive(Serialize)]
struct ScaleFigures {
    scale: usize,
    corpus: String,
    morgue: MorgueFigures,
    sqlite: Option<AnchorFigures>,
    tantivy: Option<AnchorFigures>,
}

#[derive(Serialize)]
struct Target {
    scale: usize,
    what: String,
    status: &'static str,
    detail: String,
}

#[derive(Serialize)]
struct Results {
    cpus: usize,
    base_files: usize,
    base_distinct: usize,
    scales: Vec<ScaleFigures>,
    targets: Vec<Target>,
}

fn write_results(scratch: &Path, results: &Results) {
    let path = scratch.join("results.json");
    fs::write(&path, serde_json::to_string_pretty(results).unwrap()).unwrap();
}

fn anchor_f64(a: Option<&AnchorFigures>, path: &[&str]) -> Option<f64> {
    let mut v = &a?.figures;
    for key in path {
        v = v.get(key)?;
    }
    v.as_f64()
}

/// An anchor's bytes figure over its raw bytes.
fn anchor_over_raw(a: Option<&AnchorFigures>, bytes: &str) -> Option<f64> {
    Some(anchor_f64(a, &[bytes])? / anchor_f64(a, &["raw_bytes"])?)
}

#[derive(Clone, Copy)]
enum Unit {
    Rate,
    Ratio,
    Ms,
    Mb,
    Secs,
}

struct Row {
    label: String,
    unit: Unit,
    /// morgue, sqlite-fts5, tantivy.
    values: [Option<f64>; 3],
}

fn row(label: impl Into<String>, unit: Unit, values: [Option<f64>; 3]) -> Row {
    Row {
        label: label.into(),
        unit,
        values,
    }
}

/// Query names in the order they are printed, the anchors' `get_by_id` last.
fn query_names() -> impl Iterator<Item = &'static str> {
    QUERIES
        .iter()
        .map(|(name, _)| *name)
        .chain(std::iter::once("get_by_id"))
}

fn rows(f: &ScaleFigures) -> Vec<Row> {
    let m = &f.morgue;
    let (s, t) = (f.sqlite.as_ref(), f.tantivy.as_ref());
    let sqlite_fts_rate = anchor_f64(s, &["docs"])
        .zip(anchor_f64(s, &["fts_build_s"]))
        .map(|(n, secs)| n / secs);
    let mut out = vec![
        row(
            "import docs/s",
            Unit::Rate,
            [
                Some(m.import_docs_per_s),
                anchor_f64(s, &["docs_per_s"]),
                anchor_f64(t, &["docs_per_s"]),
            ],
        ),
        row(
            "index docs/s (reindex|FTS build|import)",
            Unit::Rate,
            [
                Some(m.reindex_docs_per_s),
                sqlite_fts_rate,
                anchor_f64(t, &["docs_per_s"]),
            ],
        ),
        row(
            "import s",
            Unit::Secs,
            [
                Some(m.import.wall_s),
                anchor_f64(s, &["import_s"]),
                anchor_f64(t, &["import_s"]),
            ],
        ),
        row(
            "reindex s (sqlite: FTS build)",
            Unit::Secs,
            [
                Some(m.reindex.wall_s),
                anchor_f64(s, &["fts_build_s"]),
                None,
            ],
        ),
        row(
            // tantivy's one commit leaves no merge to wait for; its `merge_wait_s` is ~0.
            "compact s (sqlite: FTS optimize)",
            Unit::Secs,
            [
                m.compact.as_ref().map(|c| c.wall_s),
                anchor_f64(s, &["optimize_s"]),
                None,
            ],
        ),
        row(
            "disk/raw after import (no index)",
            Unit::Ratio,
            [Some(m.after_import.disk_over_raw), None, None],
        ),
        row(
            "disk/raw indexed (reindex|commit)",
            Unit::Ratio,
            [
                Some(m.after_reindex.disk_over_raw),
                anchor_f64(s, &["disk_over_raw"]),
                anchor_f64(t, &["disk_over_raw"]),
            ],
        ),
        row(
            "disk/raw compacted (optimize|merged)",
            Unit::Ratio,
            [
                m.after_compact.as_ref().map(|c| c.disk_over_raw),
                anchor_over_raw(s, "disk_bytes_after_optimize_vacuum"),
                anchor_over_raw(t, "disk_bytes_after_merges"),
            ],
        ),
        row(
            "peak MB import (anchors: whole run)",
            Unit::Mb,
            [
                m.import.peak_mb,
                s.and_then(|a| a.peak_mb),
                t.and_then(|a| a.peak_mb),
            ],
        ),
        row("peak MB reindex", Unit::Mb, [m.reindex.peak_mb, None, None]),
        row(
            "peak MB compact",
            Unit::Mb,
            [m.compact.as_ref().and_then(|c| c.peak_mb), None, None],
        ),
        row(
            "open archive+searcher ms",
            Unit::Ms,
            [Some(m.open_ms), None, None],
        ),
    ];
    for name in query_names() {
        for p in ["p50_ms", "p95_ms"] {
            out.push(row(
                format!("{name} {}", &p[..3]),
                Unit::Ms,
                [
                    m.queries
                        .get(name)
                        .map(|q| if p == "p50_ms" { q.p50_ms } else { q.p95_ms }),
                    anchor_f64(s, &["queries", name, p]),
                    anchor_f64(t, &["queries", name, p]),
                ],
            ));
        }
    }
    for p in ["p50_ms", "p95_ms"] {
        out.push(row(
            format!("term+snippet {} (anchors)", &p[..3]),
            Unit::Ms,
            [
                None,
                anchor_f64(s, &["queries", "term+snippet", p]),
                anchor_f64(t, &["queries", "term+snippet", p]),
            ],
        ));
    }
    for (name, _) in COMMANDS {
        out.push(row(
            format!("whole command {name} ms"),
            Unit::Ms,
            [m.command_ms.get(*name).copied(), None, None],
        ));
    }
    out
}

fn shell_words(args: &[&str]) -> String {
    args.iter()
        .map(|a| {
            if a.contains([' ', '"']) {
                format!("'{a}'")
            } else {
                (*a).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn fmt_value(unit: Unit, v: Option<f64>) -> String {
    let Some(v) = v else {
        return "n/a".to_owned();
    };
    match unit {
        Unit::Rate => thousands(v.round() as u64),
        Unit::Ratio | Unit::Secs => format!("{v:.2}"),
        Unit::Mb => format!("{v:.0}"),
        Unit::Ms if v < 1.0 => format!("{v:.3}"),
        Unit::Ms if v < 10.0 => format!("{v:.2}"),
        Unit::Ms if v < 100.0 => format!("{v:.1}"),
        Unit::Ms => format!("{v:.0}"),
    }
}

fn fmt_ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => {
            let r = a / b;
            if r >= 100.0 {
                format!("{r:.0}x")
            } else {
                format!("{r:.2}x")
            }
        }
        _ => "".to_owned(),
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn print_scale(f: &ScaleFigures) {
    let m = &f.morgue;
    println!(
        "\n== BBC x{}: {} files, {} documents archived (the rest exact duplicates), raw {:.1} MB ==",
        f.scale,
        thousands(m.files as u64),
        thousands(m.documents),
        m.raw_bytes as f64 / 1e6
    );
    println!(
        "{:<42} {:>10} {:>11} {:>10} {:>9} {:>9}",
        "", "morgue", "sqlite-fts5", "tantivy", "m/tantivy", "m/sqlite"
    );
    for r in rows(f) {
        let [m, s, t] = r.values;
        println!(
            "{:<42} {:>10} {:>11} {:>10} {:>9} {:>9}",
            r.label,
            fmt_value(r.unit, m),
            fmt_value(r.unit, s),
            fmt_value(r.unit, t),
            fmt_ratio(m, t),
            fmt_ratio(m, s),
        );
    }
    let reps = m.queries.get("term").map_or(0, |q| q.reps);
    println!(
        "ratios are morgue / anchor (above 1: morgue higher); queries: top 10 with titles, warm, \
         {WARMUP} warm-ups, {reps} reps"
    );
    let mut matches = Vec::new();
    for (name, q) in QUERIES {
        let count = |a: Option<&AnchorFigures>| {
            anchor_f64(a, &["queries", name, "matching_docs"])
                .map_or("n/a".to_owned(), |n| thousands(n as u64))
        };
        matches.push(format!(
            "{name} `{q}` {}|{}|{}",
            m.queries
                .get(*name)
                .map_or("n/a".to_owned(), |q| thousands(q.matching_docs as u64)),
            count(f.sqlite.as_ref()),
            count(f.tantivy.as_ref()),
        ));
    }
    println!(
        "matches morgue|sqlite|tantivy (the anchors keep each duplicate file): {}",
        matches.join(", ")
    );
    let commands: Vec<String> = COMMANDS
        .iter()
        .map(|(name, args)| format!("{name} = `morgue {}`", shell_words(args)))
        .collect();
    println!(
        "whole commands (median of {COMMAND_RUNS} runs): {}",
        commands.join(", ")
    );
    print_trees(m);
}

/// The per-tree table, when `stats --json` reports `trees`: logical key+value bytes over raw
/// bytes after each step, their total, and what the directory takes on disk beside it.
fn print_trees(m: &MorgueFigures) {
    let stages = [
        Some(&m.after_import),
        Some(&m.after_reindex),
        m.after_compact.as_ref(),
    ];
    let trees: Vec<Option<&serde_json::Map<String, Value>>> = stages
        .iter()
        .map(|s| s.and_then(|s| s.trees.as_ref()).and_then(Value::as_object))
        .collect();
    let mut names: Vec<&String> = trees.iter().flatten().flat_map(|o| o.keys()).collect();
    if names.is_empty() {
        println!("(per-tree bytes: `morgue stats --json` reports no `trees`)");
        return;
    }
    names.sort();
    names.dedup();
    let raw = m.raw_bytes.max(1) as f64;
    let cell = |v: Option<f64>| v.map_or("n/a".to_owned(), |v| format!("{v:.3}"));
    let line = |name: &str, entries: String, cells: Vec<String>| {
        println!(
            "{name:<24} {entries:>12} {:>14} {:>14} {:>14}",
            cells[0], cells[1], cells[2]
        );
    };
    line(
        "sled tree: bytes/raw",
        "entries".to_owned(),
        vec![
            "after import".to_owned(),
            "after reindex".to_owned(),
            "after compact".to_owned(),
        ],
    );
    let get = |t: Option<&serde_json::Map<String, Value>>, name: &str, key: &str| {
        t.and_then(|t| t.get(name)?.get(key)?.as_u64())
    };
    for name in names {
        let entries = trees.iter().rev().find_map(|t| get(*t, name, "entries"));
        line(
            name,
            entries.map_or("n/a".to_owned(), thousands),
            trees
                .iter()
                .map(|t| cell(get(*t, name, "bytes").map(|b| b as f64 / raw)))
                .collect(),
        );
    }
    line(
        "total logical",
        String::new(),
        trees
            .iter()
            .map(|t| {
                let sum = t.map(|t| t.values().filter_map(|v| v["bytes"].as_u64()).sum::<u64>());
                cell(sum.map(|b| b as f64 / raw))
            })
            .collect(),
    );
    line(
        "disk (directory)",
        String::new(),
        stages
            .iter()
            .map(|s| cell(s.map(|s| s.disk_over_raw)))
            .collect(),
    );
}

fn judge(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "PASS",
        Some(false) => "MISS",
        None => "N/A",
    }
}

fn target(scale: usize, what: &str, ok: Option<bool>, detail: String) -> Target {
    Target {
        scale,
        what: what.to_owned(),
        status: judge(ok),
        detail,
    }
}

fn opt(v: Option<f64>, unit: Unit) -> String {
    fmt_value(unit, v)
}

/// The targets of the search work, at the largest scale run (the whole-command ones at 1x and
/// 100x, where they are set).
fn targets(scales: &[ScaleFigures]) -> Vec<Target> {
    let mut out = Vec::new();
    let Some(f) = scales.iter().max_by_key(|f| f.scale) else {
        return out;
    };
    let k = f.scale;
    let m = &f.morgue;
    let (s, t) = (f.sqlite.as_ref(), f.tantivy.as_ref());
    let sqlite_rate = anchor_f64(s, &["docs_per_s"]);
    out.push(target(
        k,
        "import docs/s >= SQLite's",
        sqlite_rate.map(|r| m.import_docs_per_s >= r),
        format!(
            "morgue {} vs sqlite {}",
            opt(Some(m.import_docs_per_s), Unit::Rate),
            opt(sqlite_rate, Unit::Rate)
        ),
    ));
    let tantivy_rate = anchor_f64(t, &["docs_per_s"]);
    out.push(target(
        k,
        "reindex docs/s >= tantivy's import docs/s",
        tantivy_rate.map(|r| m.reindex_docs_per_s >= r),
        format!(
            "morgue {} vs tantivy {}",
            opt(Some(m.reindex_docs_per_s), Unit::Rate),
            opt(tantivy_rate, Unit::Rate)
        ),
    ));
    for name in ["term", "and2", "phrase", "prefix"] {
        let ours = m.queries.get(name).map(|q| q.p50_ms);
        let theirs = anchor_f64(t, &["queries", name, "p50_ms"]);
        out.push(target(
            k,
            &format!("query p50 {name} <= tantivy's"),
            ours.zip(theirs).map(|(a, b)| a <= b),
            format!(
                "morgue {} ms vs tantivy {} ms",
                opt(ours, Unit::Ms),
                opt(theirs, Unit::Ms)
            ),
        ));
    }
    let compacted = m.after_compact.as_ref().map(|c| c.disk_over_raw);
    out.push(target(
        k,
        "disk after compact <= 1.5x raw",
        compacted.map(|r| r <= 1.5),
        match compacted {
            Some(r) => format!("{r:.2}x"),
            None => format!(
                "no compact command; after reindex {:.2}x",
                m.after_reindex.disk_over_raw
            ),
        },
    ));
    out.push(target(
        k,
        "import peak <= 500 MB",
        m.import.peak_mb.map(|p| p <= 500.0),
        format!("{} MB", opt(m.import.peak_mb, Unit::Mb)),
    ));
    for (scale, limit) in [(1, 50.0), (100, 150.0)] {
        let Some(f) = scales.iter().find(|f| f.scale == scale) else {
            continue;
        };
        for (name, args) in COMMANDS {
            let ms = f.morgue.command_ms.get(*name).copied();
            out.push(target(
                scale,
                &format!("`morgue {}` <= {limit} ms", shell_words(args)),
                ms.map(|v| v <= limit),
                format!("{} ms", opt(ms, Unit::Ms)),
            ));
        }
    }
    out
}

fn print_targets(targets: &[Target]) {
    if targets.is_empty() {
        return;
    }
    println!("\n== targets ==");
    for t in targets {
        println!("{:<4} x{:<3} {}: {}", t.status, t.scale, t.what, t.detail);
    }
}
