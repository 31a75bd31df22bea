//! Measures the structure extractor's throughput on the BBC corpus, one core: documents per
//! second and megabytes per second. Run with `cargo bench -p morgue-plugin-structure`.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use morgue_plugin_structure::read;

/// How many times the whole corpus is read; the fastest and the median round are reported.
const ROUNDS: usize = 15;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/bbc");
    let mut docs = Vec::new();
    for category in ["business", "entertainment", "politics", "sport", "tech"] {
        let Ok(dir) = std::fs::read_dir(root.join(category)) else {
            eprintln!(
                "{} is missing: the bench needs ../shared/corpus",
                root.display()
            );
            std::process::exit(2);
        };
        for entry in dir.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "txt")
                && let Ok(bytes) = std::fs::read(&path)
            {
                docs.push(decode(&bytes));
            }
        }
    }
    let bytes: usize = docs.iter().map(String::len).sum();

    // One round to warm caches and the allocator before timing.
    run(&docs);
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            run(&docs);
            start.elapsed()
        })
        .collect();
    times.sort();
    let report = |label: &str, t: Duration| {
        let secs = t.as_secs_f64();
        println!(
            "structure/bbc {label:>6}: {:>9.0} docs/s  {:>7.1} MB/s  ({} docs, {:.1} MB, {:.2} ms)",
            docs.len() as f64 / secs,
            bytes as f64 / secs / 1e6,
            docs.len(),
            bytes as f64 / 1e6,
            secs * 1e3
        );
    };
    report("best", times[0]);
    report("median", times[times.len() / 2]);
}

/// Reads every document once and keeps the result alive so nothing is optimised away.
fn run(docs: &[String]) {
    let mut words = 0u64;
    for doc in docs {
        let fields = read(black_box(doc));
        words += fields["word_count"].as_u64().unwrap_or_default();
    }
    black_box(words);
}

/// UTF-8, or windows-1252 when the bytes are not valid UTF-8, as the importer decodes.
fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}
