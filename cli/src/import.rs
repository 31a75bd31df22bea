//! `morgue import`: locks the archive, then reads the inputs through the engine's importer,
//! drawing progress and listing failures above the summary line.

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, bail};
use indicatif::ProgressBar;
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
    // A bad --exclude glob is refused before the archive is even created.
    options.check()?;
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

    /// Prints a note above the progress bar. The message names a file and quotes its problem,
    /// so control characters in it are shown escaped, not sent to the terminal.
    fn say(&self, prefix: &str, message: &str) {
        let message = &*crate::output::visible(message, false);
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
        if !self.ctx.quiet
            && let Some(note) = left_out_note(summary)
        {
            self.ctx.note("note", &note);
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

/// One sentence on what the directory walks left out, if they left out anything, e.g. `left
/// out 2 hidden entries, 1 morgue archive and 3 excluded entries inside the directories given
/// (--include-hidden reads hidden ones)`.
fn left_out_note(summary: &Summary) -> Option<String> {
    let parts: Vec<String> = [
        (summary.hidden, "hidden entry", "hidden entries"),
        (summary.archives, "morgue archive", "morgue archives"),
        (summary.excluded, "excluded entry", "excluded entries"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| format!("{} {}", thousands(n), if n == 1 { one } else { many }))
    .collect();
    let list = match parts.as_slice() {
        [] => return None,
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    let hint = if summary.hidden > 0 {
        " (--include-hidden reads hidden ones)"
    } else {
        ""
    };
    Some(format!(
        "left out {list} inside the directories given{hint}"
    ))
}

impl Reporter for CliReporter<'_> {
    fn begin(&mut self, files: u64) {
        if self.ctx.progress() {
            let bar = crate::output::bar(
                files,
                "{spinner} importing {bar:30} {human_pos}/{human_len} files  {rate}  eta {eta}",
            );
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

#[cfg(test)]
mod tests {
    use super::*;

    fn note(hidden: u64, archives: u64, excluded: u64) -> Option<String> {
        left_out_note(&Summary {
            hidden,
            archives,
            excluded,
            ..Summary::default()
        })
    }

    #[test]
    fn the_note_lists_what_was_left_out_in_plain_english() {
        assert_eq!(note(0, 0, 0), None);
        assert_eq!(
            note(1, 0, 0).as_deref(),
            Some(
                "left out 1 hidden entry inside the directories given \
                 (--include-hidden reads hidden ones)"
            )
        );
        assert_eq!(
            note(0, 2, 1).as_deref(),
            Some("left out 2 morgue archives and 1 excluded entry inside the directories given")
        );
        assert_eq!(
            note(2, 1, 3).as_deref(),
            Some(
                "left out 2 hidden entries, 1 morgue archive and 3 excluded entries inside the \
                 directories given (--include-hidden reads hidden ones)"
            )
        );
        assert_eq!(
            note(0, 0, 1234).as_deref(),
            Some("left out 1,234 excluded entries inside the directories given")
        );
    }
}
