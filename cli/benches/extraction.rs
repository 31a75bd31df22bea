//! Extraction over the BBC corpus four ways, documents per second side by side: the direct
//! trait call, the same extractor through its C descriptor in-process, through the dlopen'ed
//! `libmorgue_builtins.so`, and in a `morgue __plugin-host` child (`--isolation process`).
//!
//! Run with `cargo build --release --workspace && cargo bench -p morgue-cli --bench extraction`.

#![allow(clippy::unwrap_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use morgue_core::plugin::{guest, host, isolate};
use morgue_core::{ExtractInput, Extractor, Fields};

/// The allocator the `morgue` binary runs with (see `cli/src/main.rs`), so every path is
/// measured as morgue runs it: the child process uses it already.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Doc {
    id: String,
    text: String,
    raw: Vec<u8>,
}

fn corpus() -> Vec<Doc> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/bbc");
    let mut files: Vec<PathBuf> = Vec::new();
    for category in std::fs::read_dir(&root).unwrap() {
        let category = category.unwrap().path();
        if category.is_dir() {
            for f in std::fs::read_dir(&category).unwrap() {
                files.push(f.unwrap().path());
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let raw = std::fs::read(&p).unwrap();
            let text = morgue_core::text::decode(&raw).unwrap().text;
            Doc {
                id: format!("{:064x}", raw.len()),
                text,
                raw,
            }
        })
        .collect()
}

/// The best of three passes of `rounds` runs each: this machine is shared and noisy, and the
/// best pass is the one least disturbed.
fn measure(extractor: &dyn Extractor, docs: &[Doc], rounds: usize) -> f64 {
    (0..3)
        .map(|_| pass(extractor, docs, rounds))
        .fold(0.0, f64::max)
}

/// Passes over the corpus in [`measure_interleaved`].
const PASSES: usize = 9;

/// Documents per turn in [`measure_interleaved`]: about a millisecond of work, long enough
/// that reading the clock costs nothing, short enough that a disturbance falls on every path.
const TURN: usize = 64;

/// What [`measure_interleaved`] found for one path.
struct Paired {
    /// Documents per second in the path's best pass.
    best: f64,
    /// The path's rate over the first path's in the same pass: the median over the passes,
    /// then the lowest and the highest.
    ratio: [f64; 3],
    /// Microseconds the path spent per document beyond the first path in the same pass, the
    /// median over the passes.
    added_us: f64,
}

/// Like [`measure`] for several extractors at once, taking turns every [`TURN`] documents and
/// rotating who goes first, so a disturbance of the machine (and the cache warmed by whoever
/// read a document first) is shared by every path instead of landing on one.
///
/// The ratio to the first path is taken within each pass, whose turns met the same states of
/// the machine, and the median of those is reported: the rates of one pass to the next differ by
/// more than the paths do on this kind of machine, so the best pass of each path, taken apart,
/// may come from different passes and swing the ratio by several points either way.
fn measure_interleaved(extractors: &[&dyn Extractor], docs: &[Doc], rounds: usize) -> Vec<Paired> {
    let fields = Fields::new();
    let mut rates = vec![Vec::with_capacity(PASSES); extractors.len()];
    for _ in 0..PASSES {
        let mut spent = vec![Duration::ZERO; extractors.len()];
        let mut words = 0u64;
        let mut turn = 0usize;
        for _ in 0..rounds {
            for chunk in docs.chunks(TURN) {
                for k in 0..extractors.len() {
                    let which = (turn + k) % extractors.len();
                    let start = Instant::now();
                    for d in chunk {
                        let input = ExtractInput {
                            id: &d.id,
                            media_type: "text/plain",
                            text: &d.text,
                            raw: &d.raw,
                            url: None,
                            fields: &fields,
                        };
                        let out = extractors[which].extract(&input).unwrap();
                        words += out.fields["word_count"].as_u64().unwrap();
                    }
                    spent[which] += start.elapsed();
                }
                turn += 1;
            }
        }
        assert!(words > 0);
        for (rates, spent) in rates.iter_mut().zip(&spent) {
            rates.push((docs.len() * rounds) as f64 / spent.as_secs_f64());
        }
    }
    rates
        .iter()
        .map(|path| {
            let mut ratios: Vec<f64> = path.iter().zip(&rates[0]).map(|(r, d)| r / d).collect();
            ratios.sort_by(f64::total_cmp);
            let mut added: Vec<f64> = path
                .iter()
                .zip(&rates[0])
                .map(|(r, d)| (1.0 / r - 1.0 / d) * 1e6)
                .collect();
            added.sort_by(f64::total_cmp);
            Paired {
                added_us: added[added.len() / 2],
                best: path.iter().copied().fold(0.0, f64::max),
                ratio: [
                    ratios[ratios.len() / 2],
                    ratios[0],
                    ratios[ratios.len() - 1],
                ],
            }
        })
        .collect()
}

/// Documents per `extract_batch` call, as `morgue import` sends them.
const BATCH: usize = 256;

/// Like [`measure`], giving the extractor the documents in batches.
fn measure_batched(extractor: &dyn Extractor, docs: &[Doc], rounds: usize) -> f64 {
    let fields = Fields::new();
    let mut best = 0.0f64;
    for _ in 0..3 {
        let start = Instant::now();
        let mut words = 0u64;
        for _ in 0..rounds {
            for chunk in docs.chunks(BATCH) {
                let inputs: Vec<ExtractInput<'_>> = chunk
                    .iter()
                    .map(|d| ExtractInput {
                        id: &d.id,
                        media_type: "text/plain",
                        text: &d.text,
                        raw: &d.raw,
                        url: None,
                        fields: &fields,
                    })
                    .collect();
                for out in extractor.extract_batch(&inputs) {
                    words += out.unwrap().fields["word_count"].as_u64().unwrap();
                }
            }
        }
        assert!(words > 0);
        best = best.max((docs.len() * rounds) as f64 / start.elapsed().as_secs_f64());
    }
    best
}

/// Runs `extractor` over every document `rounds` times; returns documents per second.
fn pass(extractor: &dyn Extractor, docs: &[Doc], rounds: usize) -> f64 {
    let fields = Fields::new();
    let start = Instant::now();
    let mut words = 0u64;
    for _ in 0..rounds {
        for d in docs {
            let input = ExtractInput {
                id: &d.id,
                media_type: "text/plain",
                text: &d.text,
                raw: &d.raw,
                url: None,
                fields: &fields,
            };
            let out = extractor.extract(&input).unwrap();
            words += out.fields["word_count"].as_u64().unwrap();
        }
    }
    assert!(words > 0);
    (docs.len() * rounds) as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let docs = corpus();
    let target = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_owned();
    let rounds = 3;
    // `-- process` measures only the direct call and the child process, for profiling the
    // isolation path on its own.
    let only_process = std::env::args().skip(1).any(|a| a == "process");
    println!(
        "extraction of {} BBC documents x {rounds}, one core; in-process paths take turns every \
         {TURN} documents for {PASSES} passes: docs/s of the best pass, vs direct as the median \
         of the passes' ratios (lowest-highest), and the time that median adds to a document \
         (with the median of the passes' added microseconds)",
        docs.len()
    );
    let descriptor = host::instantiate(
        guest::descriptor::<morgue_plugin_structure::Structure>(),
        Path::new("built-in"),
        0,
    )
    .unwrap();
    let lib = target.join("libmorgue_builtins.so");
    let loaded = if lib.exists() {
        host::load_library(&lib).unwrap()
    } else {
        Vec::new()
    };
    let mut in_process: Vec<&dyn Extractor> = vec![&morgue_plugin_structure::Structure];
    if !only_process {
        in_process.push(&descriptor);
        in_process.extend(
            loaded
                .iter()
                .filter(|e| e.name() == "structure")
                .map(|e| e as &dyn Extractor),
        );
    }
    let paired = measure_interleaved(&in_process, &docs, rounds);
    let direct = paired[0].best;
    let row = |p: &Paired| Row::Paired(p.best, p.ratio, p.added_us);
    let mut rows = vec![
        (
            "direct trait call",
            paired.first().map(|p| Row::Alone(p.best)),
        ),
        ("in-process descriptor", paired.get(1).map(row)),
        ("dlopen libmorgue_builtins.so", paired.get(2).map(row)),
    ];
    let exe = target.join("morgue");
    // Import hands the extractors 256 documents at a time; the child answers them in a
    // stream instead of one round trip each.
    let process = if exe.exists() {
        let archive = std::env::temp_dir().join(format!("morgue-bench-{}", std::process::id()));
        let dir = archive.clone();
        let command = move || {
            let mut c = std::process::Command::new(&exe);
            c.arg("--archive")
                .arg(&dir)
                .args(["__plugin-host", "serve"]);
            c
        };
        let extractors = isolate::start(Box::new(command), Duration::from_secs(30)).unwrap();
        let structure = extractors
            .iter()
            .find(|e| e.manifest().name == "structure")
            .unwrap();
        let one_by_one = measure(structure.as_ref(), &docs, 1);
        let batched = measure_batched(structure.as_ref(), &docs, rounds);
        let _ = std::fs::remove_dir_all(&archive);
        (Some(one_by_one), Some(batched))
    } else {
        (None, None)
    };
    rows.push(("--isolation process, 1 a call", process.0.map(Row::Alone)));
    rows.push(("--isolation process, 256 a call", process.1.map(Row::Alone)));
    println!(
        "{:<30} {:>12} {:>10} {:>15}   time added a document",
        "path", "docs/s", "vs direct", "(range)"
    );
    for (name, row) in rows {
        match row {
            // The time added is the other side of the same ratio: a path at 90% of the
            // direct call's rate takes 11% longer per document.
            Some(Row::Paired(r, [median, low, high], added_us)) => println!(
                "{name:<30} {r:>12.0} {:>9.1}% {:>15}   {:+.1}% ({added_us:+.2} µs)",
                median * 100.0,
                format!("({:.1}-{:.1}%)", low * 100.0, high * 100.0),
                (1.0 / median - 1.0) * 100.0,
            ),
            Some(Row::Alone(r)) => println!("{name:<30} {r:>12.0} {:>9.1}%", r / direct * 100.0),
            None if only_process && !name.starts_with("--isolation") => {
                println!(
                    "{name:<30} {:>12} (not measured with `-- process`)",
                    "skipped"
                )
            }
            None => println!(
                "{name:<30} {:>12} (build with `cargo build --release --workspace` first)",
                "skipped"
            ),
        }
    }
}

/// One row of the table: a path measured in turns with the direct call, or on its own.
enum Row {
    /// Best rate, the ratio to the direct call as [`Paired::ratio`], and
    /// [`Paired::added_us`].
    Paired(f64, [f64; 3], f64),
    /// Best rate, compared with the direct call's best.
    Alone(f64),
}
