//! Generated queries, hostile ones included, never panic: each either is refused with a syntax
//! error or runs to an answer over a real archive. `MORGUE_QUERY_SEED=N` replays a run; the
//! seed is printed.

#![allow(clippy::unwrap_used, missing_docs)]

use std::path::Path;
use std::sync::atomic::AtomicBool;

use morgue_core::import::{ImportOptions, Importer, Input, Reporter};
use morgue_core::query::parse;
use morgue_core::search::Searcher;
use morgue_core::{Archive, OpenOptions, Pipeline};

struct Quiet;
impl Reporter for Quiet {}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "iran", "twitter", "said", "the", "kelly", "obama", "network", "a", "economy", "x", "İ", "é",
    "ß", "中文", "🙂", "e\u{301}", "\u{0}", "\u{200b}", "ǅ", "Ⅻ", "٣", "00213243", "abc", "0",
    "-1", "1e9", "tele", "",
];
const FIELDS: &[&str] = &[
    "",
    "",
    "",
    "title:",
    "body:",
    "site:",
    "author:",
    "dateline:",
    "person:",
    "org:",
    "place:",
    "entity:",
    "speaker:",
    "quote:",
    "tag:",
    "lang:",
    "id:",
    "published:",
    "imported:",
    "words:",
    "unknown:",
    "readtime.minutes:",
    "ID:",
    ":",
];
const RANGES: &[&str] = &[
    "2009-06-01..2009-06-30",
    ">2026-01-01",
    "<5",
    ">=500",
    "..",
    "2009..",
    "..2010-02",
    "2009-13-45",
    "99999999999999999999",
    ">",
    "<=-3",
    "2009-06-01..",
    "a..b",
    "1..0",
];
const GLUE: &[&str] = &[
    " ", " ", " ", " OR ", " AND ", " NOT ", " -", "(", ")", "\"", "*", " or ", "\t", "\n", "((",
    "))", "\"\"", "-", "!", "+", "|", "\\", "'",
];

fn term(rng: &mut Rng) -> String {
    let field = rng.pick(FIELDS);
    let value = if field.ends_with("published:")
        || field.ends_with("imported:")
        || field.ends_with("words:")
    {
        rng.pick(RANGES).to_owned()
    } else {
        let mut w = rng.pick(WORDS).to_owned();
        if rng.next().is_multiple_of(5) {
            w.push('*');
        }
        if rng.next().is_multiple_of(7) {
            w = format!("\"{w} {}\"", rng.pick(WORDS));
        }
        w
    };
    format!("{field}{value}")
}

fn query(rng: &mut Rng) -> String {
    match rng.next() % 10 {
        // Deep nesting and long inputs.
        0 => {
            let depth = (rng.next() % 400) as usize;
            format!("{}{}{}", "(".repeat(depth), term(rng), ")".repeat(depth))
        }
        1 => (0..(rng.next() % 3000))
            .map(|_| rng.pick(WORDS))
            .collect::<Vec<_>>()
            .join(" "),
        // Random bytes that happen to be UTF-8.
        2 => {
            let bytes: Vec<u8> = (0..rng.next() % 40).map(|_| rng.next() as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        _ => {
            let mut q = String::new();
            for _ in 0..1 + rng.next() % 8 {
                q.push_str(&term(rng));
                q.push_str(rng.pick(GLUE));
            }
            q
        }
    }
}

fn archive(dir: &Path) -> Archive {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/samples/us-urged-twitter-iran.txt");
    let business = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/bbc/business");
    let options = OpenOptions {
        create: true,
        wait: None,
    };
    let mut archive = Archive::open(dir, &options).unwrap();
    Importer::new(
        &mut archive,
        &Pipeline::empty(),
        &ImportOptions::default(),
        &mut Quiet,
        &AtomicBool::new(false),
    )
    .unwrap()
    .run(
        &[Input::Path(sample), Input::Path(business)],
        &mut std::io::empty(),
    )
    .unwrap();
    archive.reindex(&mut |_, _| {}).unwrap();
    archive
}

#[test]
fn two_thousand_generated_queries_parse_or_fail_cleanly_and_run() {
    let seed = std::env::var("MORGUE_QUERY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("MORGUE_QUERY_SEED={seed}");
    let dir = tempfile::tempdir().unwrap();
    let archive = archive(dir.path());
    let mut searcher = Searcher::new(&archive).unwrap();
    let mut rng = Rng(seed);
    let (mut parsed, mut refused) = (0, 0);
    for _ in 0..2000 {
        let q = query(&mut rng);
        match parse(&q) {
            Ok(query) => {
                parsed += 1;
                // An unknown or plugin field is refused when run; anything else answers.
                let _ = searcher.top(&query, 0, 10);
                let _ = searcher.count(&query);
            }
            Err(e) => {
                refused += 1;
                assert!(!e.to_string().is_empty(), "{q:?}");
            }
        }
    }
    eprintln!("{parsed} parsed and ran, {refused} refused");
    assert!(
        parsed > 200 && refused > 100,
        "{parsed} {refused}: the generator lost its mix"
    );
}
