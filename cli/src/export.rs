//! `morgue export`: the archive as JSONL, to stdout or to a file that is replaced only once the
//! export is complete.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use morgue_core::export::{ExportOptions, write_jsonl};

use crate::args::{ExportArgs, ExportFormat};
use crate::output;
use crate::{Ctx, Status};

pub fn run(ctx: &Ctx, args: ExportArgs) -> Result<Status> {
    let archive = ctx.open(false)?;
    let only = match &args.query {
        Some(q) => Some(crate::query::matching_ids(&archive, q)?),
        None => None,
    };
    let options = ExportOptions {
        raw: !args.no_raw,
        only,
    };
    let bar = ctx.progress().then(|| {
        let bar = ProgressBar::new(archive.len());
        if let Ok(style) =
            ProgressStyle::with_template("exporting {bar:30} {human_pos}/{human_len}  eta {eta}")
        {
            bar.set_style(style);
        }
        bar
    });
    let mut progress = |done: u64, total: u64| {
        if let Some(bar) = &bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    };
    let ExportFormat::Jsonl = args.format;
    let count = if args.out == "-" {
        let mut out = output::stdout();
        let n = write_jsonl(&archive, &mut out, &options, &mut progress)?;
        out.flush()?;
        n
    } else {
        let path = PathBuf::from(&args.out);
        let tmp = path.with_file_name(format!(
            ".{}.partial",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        let file =
            fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
        let mut out = BufWriter::new(file);
        let result = write_jsonl(&archive, &mut out, &options, &mut progress).and_then(|n| {
            let file = out.into_inner().map_err(|e| morgue_core::Error::Io {
                path: tmp.clone(),
                source: e.into_error(),
            })?;
            file.sync_all().map_err(|e| morgue_core::Error::Io {
                path: tmp.clone(),
                source: e,
            })?;
            Ok(n)
        });
        let n = match result {
            Ok(n) => n,
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                return Err(e.into());
            }
        };
        fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
        n
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if !ctx.quiet && args.out != "-" {
        eprintln!(
            "exported {} documents to {}",
            output::thousands(count),
            args.out
        );
    }
    Ok(Status::Success)
}
