//! The crash harness: every writing command killed with SIGKILL at seeded random moments. After
//! each kill, before anything is run again: the archive opens, `verify` is clean (or `verify
//! --repair` makes it clean), no acknowledged document is lost, and the index agrees with a scan
//! of the records.
//!
//! Five rounds per command; `MORGUE_SLOW_TESTS=1` runs 100. `MORGUE_CRASH_SEED=N` replays a run:
//! the seed is printed at the start, and with each failure.

#![allow(clippy::unwrap_used, missing_docs)]

mod util;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use util::{Dir, bbc_dirs, copy_dir, morgue_bin};

/// xorshift64*: enough randomness for kill moments, and replayable from one number.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn seed() -> u64 {
    std::env::var("MORGUE_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        })
}

fn rounds() -> usize {
    if std::env::var_os("MORGUE_SLOW_TESTS").is_some_and(|v| v == "1") {
        100
    } else {
        5
    }
}

/// The documents of an archive: id → tags, read from `list --jsonl`.
fn documents(dir: &Path) -> Vec<(String, Vec<String>)> {
    let out = std::process::Command::new(morgue_bin())
        .arg("--archive")
        .arg(dir)
        .args(["list", "--jsonl"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "list after a kill failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let tags = v["tags"]
                .as_array()
                .map(|a| a.iter().map(|t| t.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            (v["id"].as_str().unwrap().to_owned(), tags)
        })
        .collect()
}

fn morgue(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(morgue_bin())
        .arg("--archive")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// An indexed archive of one BBC category, tagged `base`, and the ids in it.
fn base(dir: &Dir) -> (std::path::PathBuf, Vec<String>) {
    let archive = dir.path().join("base");
    let business = bbc_dirs()[0].clone();
    let run = morgue(
        &archive,
        &["import", business.to_str().unwrap(), "--tag", "base"],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let run = morgue(&archive, &["reindex"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let ids = documents(&archive).into_iter().map(|(id, _)| id).collect();
    (archive, ids)
}

/// Runs `args` on a copy of the base archive, kills it after a random delay within about how
/// long it takes whole, and checks what is left.
fn crash(op: &str, args: &[String], acknowledged: &dyn Fn(&BTreeSet<String>) -> BTreeSet<String>) {
    let seed = seed();
    eprintln!("crash harness ({op}): MORGUE_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = Dir::new();
    let (base, ids) = base(&dir);
    let before: BTreeSet<String> = ids.iter().cloned().collect();
    // How long the command takes uninterrupted: kills land anywhere in that window.
    let whole = {
        let copy = dir.path().join("timing");
        copy_dir(&base, &copy);
        let start = Instant::now();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = morgue(&copy, &args);
        assert!(
            out.status.code().is_some_and(|c| c == 0),
            "{op} uninterrupted: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::remove_dir_all(&copy).unwrap();
        start.elapsed()
    };
    let mut repaired = 0;
    for round in 0..rounds() {
        let archive = dir.path().join(format!("round-{round}"));
        copy_dir(&base, &archive);
        let delay = Duration::from_micros(rng.below(whole.as_micros() as u64 + 1));
        let mut child = std::process::Command::new(morgue_bin())
            .arg("--archive")
            .arg(&archive)
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        let context = format!(
            "{op}, round {round}, killed after {delay:?} (MORGUE_CRASH_SEED={seed}); its stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let verify = morgue(&archive, &["verify"]);
        if !verify.status.success() {
            repaired += 1;
            let report = String::from_utf8_lossy(&verify.stdout).into_owned();
            let repair = morgue(&archive, &["verify", "--repair"]);
            assert!(
                repair.status.success(),
                "{context}\nverify:\n{report}\nverify --repair:\n{}{}",
                String::from_utf8_lossy(&repair.stdout),
                String::from_utf8_lossy(&repair.stderr)
            );
        }
        let docs = documents(&archive);
        let now: BTreeSet<String> = docs.iter().map(|(id, _)| id.clone()).collect();
        let kept = acknowledged(&before);
        let lost: Vec<&String> = kept.difference(&now).collect();
        assert!(lost.is_empty(), "{context}\nlost {} documents", lost.len());
        // The index agrees with the records: for each tag, the documents a scan of the records
        // finds are as many as a query finds.
        for tag in ["base", "killtag"] {
            let tagged = docs
                .iter()
                .filter(|(_, tags)| tags.iter().any(|t| t == tag))
                .count();
            let query = morgue(&archive, &["query", &format!("tag:{tag}"), "--count"]);
            assert_eq!(
                String::from_utf8_lossy(&query.stdout).trim(),
                tagged.to_string(),
                "{context}\nquery tag:{tag}: {}",
                String::from_utf8_lossy(&query.stderr)
            );
        }
        std::fs::remove_dir_all(&archive).unwrap();
    }
    eprintln!(
        "crash harness ({op}): {} kills, {} clean at once, {repaired} made clean by verify --repair, none lost a document",
        rounds(),
        rounds() - repaired
    );
}

fn all(before: &BTreeSet<String>) -> BTreeSet<String> {
    before.clone()
}

#[test]
fn import_killed() {
    let sport = bbc_dirs()[3].to_str().unwrap().to_owned();
    crash(
        "import",
        &["import".into(), sport, "--tag".into(), "killtag".into()],
        &all,
    );
}

#[test]
fn reindex_killed() {
    crash("reindex", &["reindex".into()], &all);
}

#[test]
fn compact_killed() {
    crash("compact", &["compact".into()], &all);
}

#[test]
fn reextract_killed() {
    crash("reextract", &["reextract".into(), "--all".into()], &all);
}

/// The first 300 ids of the base archive, for `rm` and `tag`.
fn some_ids() -> Vec<String> {
    let dir = Dir::new();
    let (_, ids) = base(&dir);
    ids.into_iter().take(300).collect()
}

#[test]
fn rm_killed() {
    let ids = some_ids();
    let removed: BTreeSet<String> = ids.iter().cloned().collect();
    let mut args = vec!["rm".to_owned()];
    args.extend(ids);
    crash("rm", &args, &move |before| {
        before.difference(&removed).cloned().collect()
    });
}

#[test]
fn tag_killed() {
    let mut args = vec!["tag".to_owned()];
    args.extend(some_ids());
    args.push("+killtag".into());
    crash("tag", &args, &all);
}
