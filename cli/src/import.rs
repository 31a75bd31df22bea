//! `morgue import`: locks the archive, then reads the inputs through the engine's importer,
//! drawing progress and listing failures above the summary line.

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use morgue_core::Pipeline;
use morgue_core::import::{ImportOptions, Importer, Input, Outcome, Reporter, Summary};
use morgue_core::text::InputKind;

use crate::args::{ImportArgs, InputFormat};
use crate::output::thousands;
use crate::{Ctx, Status};

/// Set by Ctrl-C; the importer stops at the next document and flushes what it has.
pub static CANCEL: AtomicBool = AtomicBool::new(false);

pub fn run(ctx: &Ctx, args: ImportArgs) -> Result<Status> {
    let inputs: Vec<Input> = args
        .paths
        .iter()
        .map(|p| {
            if p == "-" {
                Input::Stdin
            } else {
                Input::Path(p.into())
            }
        })
        .collect();
    if inputs.iter().filter(|i| **i == Input::Stdin).count() > 1 {
        bail!("`-` (stdin) can be given only once");
    }
    if args.url.is_some() && inputs.len() != 1 {
        bail!("--url names the source of one document; give a single file or `-` with it");
    }
    let options = ImportOptions {
        format: match args.format {
            InputFormat::Auto => None,
            InputFormat::Text => Some(InputKind::Text),
            InputFormat::Html => Some(InputKind::Html),
            InputFormat::Jsonl => Some(InputKind::Jsonl),
        },
        tags: args.tags,
        url: args.url,
        max_size: args.max_size,
        strict: args.strict,
        include_hidden: args.include_hidden,
        exclude: args.exclude,
    };
    // The lock comes first: no input is read until this morgue owns the archive.
    let mut archive = ctx.open(true)?;
    // Then every plugin is loaded and checked; a refused plugin stops the run before any
    // document is touched.
    let pipeline = if args.no_extract {
        Pipeline::empty()
    } else {
        crate::plugins::pipeline(archive.dir(), args.isolation, args.plugin_timeout)?
    };
    // A second Ctrl-C while saving would lose nothing either, but let the first one finish.
    let _ = ctrlc::set_handler(|| CANCEL.store(true, Ordering::SeqCst));
    let mut reporter = CliReporter::new(ctx);
    let mut stdin = std::io::stdin().lock();
    let summary = Importer::new(&mut archive, &pipeline, &options, &mut reporter, &CANCEL)?
        .run(&inputs, &mut stdin)?;
    archive.flush()?;
    reporter.finish(&summary);
    Ok(if summary.interrupted {
        Status::Interrupted
    } else if summary.failed > 0 {
        Status::Failed
    } else {
        Status::Success
    })
}

struct CliReporter<'a> {
    ctx: &'a Ctx,
    bar: Option<ProgressBar>,
}

impl<'a> CliReporter<'a> {
    fn new(ctx: &'a Ctx) -> CliReporter<'a> {
        CliReporter { ctx, bar: None }
    }

    fn say(&self, prefix: &str, message: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| self.ctx.note(prefix, message)),
            None => self.ctx.note(prefix, message),
        }
    }

    fn finish(&mut self, summary: &Summary) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if summary.interrupted {
            self.ctx.note(
                "interrupted",
                "stopped by Ctrl-C; everything counted below is saved",
            );
        }
        if summary.stopped {
            self.ctx.note(
                "stopped",
                "--strict stops at the first failure; everything counted below is saved",
            );
        }
        if !self.ctx.quiet || summary.failed > 0 {
            eprintln!(
                "archived {}, already archived {}, skipped {}, failed {}",
                thousands(summary.archived),
                thousands(summary.already),
                thousands(summary.skipped),
                thousands(summary.failed)
            );
        }
    }
}

impl Reporter for CliReporter<'_> {
    fn begin(&mut self, files: u64) {
        if self.ctx.progress() {
            let bar = ProgressBar::new(files);
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} importing {bar:30} {human_pos}/{human_len} files  {per_sec}  eta {eta}",
            ) {
                bar.set_style(style);
            }
            self.bar = Some(bar);
        }
    }

    fn file_done(&mut self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn outcome(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Failed { origin, reason } => {
                self.say("failed", &format!("{origin}: {reason}"))
            }
            Outcome::Skipped { origin, reason } if !self.ctx.quiet => {
                self.say("skipped", &format!("{origin}: {reason}"))
            }
            _ => {}
        }
    }

    fn warning(&mut self, origin: &str, message: &str) {
        if !self.ctx.quiet {
            self.say("warning", &format!("{origin}: {message}"));
        }
    }
}
