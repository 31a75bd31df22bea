//! `morgue eval extraction`: scores an extractor on a benchmark folder with
//! `morgue_core::eval` and prints the figures, and with `--worst` where it went wrong.

use std::io::Write;

use anyhow::{Result, bail};
use morgue_core::Extractor;
use morgue_core::eval::{self, Benchmark, Evaluation, Gaps, PageResult};
use serde::Serialize;

use crate::args::{EvalCommand, EvalExtractionArgs};
use crate::output;
use crate::{Ctx, Status};

/// Runs of missed and of extra tokens shown for each of the worst pages.
const RUNS: usize = 3;
/// Characters of a run shown; longer runs are cut with `…`.
const RUN_CHARS: usize = 200;

pub fn run(ctx: &Ctx, command: EvalCommand) -> Result<Status> {
    match command {
        EvalCommand::Extraction(args) => extraction(ctx, args),
    }
}

fn extraction(ctx: &Ctx, args: EvalExtractionArgs) -> Result<Status> {
    // Plugins are found as every command finds them, but no archive is opened or created:
    // without one there are only the built-ins.
    let mut extractors = crate::plugins::load_plugins(&ctx.archive_dir)?;
    let Some(at) = extractors.iter().position(|e| e.name() == args.plugin) else {
        let names: Vec<&str> = extractors.iter().map(|e| e.name()).collect();
        bail!(
            "no extractor is named {}; available: {}",
            args.plugin,
            names.join(", ")
        );
    };
    let extractor = extractors.swap_remove(at);
    let manifest = extractor.manifest();
    eval::check_extractor(&manifest)?;
    let bench = Benchmark::open(&args.dir)?;

    let bar = ctx.progress().then(|| {
        output::bar(
            bench.pages.len() as u64,
            "scoring {bar:30} {human_pos}/{human_len}  {rate}  eta {eta}",
        )
    });
    let evaluation = eval::evaluate(&bench, &extractor, &mut |done| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    for page in &evaluation.pages {
        if let Some(reason) = &page.failure {
            ctx.note("failed", &format!("{}: {reason}", page.id));
        }
    }

    let worst: Vec<Worst> = args
        .worst
        .map(|n| {
            evaluation
                .worst(n)
                .into_iter()
                .map(|page| Worst::of(&bench, page))
                .collect()
        })
        .unwrap_or_default();
    let mut out = output::stdout();
    if args.json {
        output::write_json(
            &mut out,
            &Report::of(&evaluation, args.worst.map(|_| worst)),
        )?;
    } else {
        write_text(&mut out, &manifest, &evaluation, &worst)?;
    }
    out.flush()?;
    Ok(Status::Success)
}

/// `--json`: the shape of DESIGN §6, with `worst` only when asked for.
#[derive(Serialize)]
struct Report {
    pages: usize,
    precision: f64,
    recall: f64,
    f1: f64,
    accuracy: f64,
    median_ms: f64,
    mean_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    worst: Option<Vec<Worst>>,
}

impl Report {
    fn of(e: &Evaluation, worst: Option<Vec<Worst>>) -> Report {
        Report {
            pages: e.scores.pages,
            precision: e.scores.precision,
            recall: e.scores.recall,
            f1: e.scores.f1,
            accuracy: e.scores.accuracy,
            median_ms: e.median_ms,
            mean_ms: e.mean_ms,
            worst,
        }
    }
}

/// One of the worst pages.
#[derive(Serialize)]
struct Worst {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    f1: f64,
    /// Left out when nothing was predicted (the page does not count towards precision).
    #[serde(skip_serializing_if = "Option::is_none")]
    precision: Option<f64>,
    /// Left out when the true text has no token (the page does not count towards recall).
    #[serde(skip_serializing_if = "Option::is_none")]
    recall: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure: Option<String>,
    missed: Runs,
    extra: Runs,
}

/// Runs of tokens one side lacks.
#[derive(Serialize)]
struct Runs {
    tokens: usize,
    runs: usize,
    longest: Vec<Run>,
}

#[derive(Serialize)]
struct Run {
    tokens: usize,
    text: String,
}

impl Runs {
    fn of(gaps: Gaps) -> Runs {
        Runs {
            tokens: gaps.tokens,
            runs: gaps.runs,
            longest: gaps
                .longest
                .into_iter()
                .map(|g| Run {
                    tokens: g.tokens,
                    text: cut(&g.text, RUN_CHARS),
                })
                .collect(),
        }
    }
}

impl Worst {
    fn of(bench: &Benchmark, page: &PageResult) -> Worst {
        let truth = bench
            .pages
            .iter()
            .find(|p| p.id == page.id)
            .map_or("", |p| p.truth.as_str());
        let diff = eval::diff(truth, &page.prediction, RUNS);
        let counts = page.score.counts;
        Worst {
            id: page.id.clone(),
            url: page.url.clone(),
            f1: counts.f1(),
            precision: counts.has_prediction().then(|| counts.precision()),
            recall: counts.has_truth().then(|| counts.recall()),
            failure: page.failure.clone(),
            missed: Runs::of(diff.missed),
            extra: Runs::of(diff.extra),
        }
    }
}

/// `s` cut to at most `max` characters, the cut marked with `…`.
fn cut(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s.to_owned(),
    }
}

fn write_text(
    out: &mut dyn Write,
    manifest: &morgue_core::Manifest,
    e: &Evaluation,
    worst: &[Worst],
) -> Result<()> {
    let s = &e.scores;
    writeln!(out, "extractor  {} {}", manifest.name, manifest.version)?;
    writeln!(out, "pages      {}", output::thousands(s.pages as u64))?;
    writeln!(out, "precision  {:.3}", s.precision)?;
    writeln!(out, "recall     {:.3}", s.recall)?;
    writeln!(out, "F1         {:.3}", s.f1)?;
    writeln!(out, "accuracy   {:.3}", s.accuracy)?;
    writeln!(out, "median ms  {:.2}", e.median_ms)?;
    writeln!(out, "mean ms    {:.2}", e.mean_ms)?;
    if e.failures > 0 {
        writeln!(out, "failures   {}", output::thousands(e.failures as u64))?;
    }
    if worst.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{} with the lowest F1, worst first:",
        output::count(worst.len() as u64, "page")
    )?;
    let shown = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"));
    for (i, w) in worst.iter().enumerate() {
        writeln!(out)?;
        writeln!(
            out,
            "{}. {}  F1 {:.3}  precision {}  recall {}",
            i + 1,
            w.id,
            w.f1,
            shown(w.precision),
            shown(w.recall)
        )?;
        if let Some(url) = &w.url {
            writeln!(out, "   {}", output::visible(url, false))?;
        }
        if let Some(reason) = &w.failure {
            writeln!(out, "   failed: {}", output::visible(reason, false))?;
        }
        for (what, runs) in [("missed", &w.missed), ("extra", &w.extra)] {
            if runs.tokens == 0 {
                writeln!(out, "   {what}: nothing")?;
                continue;
            }
            writeln!(
                out,
                "   {what}: {} in {}{}",
                output::count(runs.tokens as u64, "token"),
                output::count(runs.runs as u64, "run"),
                if runs.runs > runs.longest.len() {
                    ", the longest:"
                } else {
                    ":"
                }
            )?;
            for run in &runs.longest {
                writeln!(
                    out,
                    "     [{}] {}",
                    output::thousands(run.tokens as u64),
                    output::visible(&run.text, false)
                )?;
            }
        }
    }
    Ok(())
}
