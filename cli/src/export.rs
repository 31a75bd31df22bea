//! `morgue export`: the archive as JSONL, to stdout or to `--out PATH`. A regular file is
//! replaced only once the export is complete; a pipe or a device is written through; a
//! symbolic link is followed to its target and stays a link.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
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
        crate::output::bar(
            archive.len(),
            "exporting {bar:30} {human_pos}/{human_len}  eta {eta}",
        )
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
        let mut target = Target::open(&path)?;
        let context = || format!("cannot write {}", path.display());
        let n = write_jsonl(&archive, &mut target.out, &options, &mut progress)
            .with_context(context)?;
        target.finish().with_context(context)?;
        n
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if !ctx.quiet && args.out != "-" {
        eprintln!(
            "exported {} to {}",
            output::count(count, "document"),
            args.out
        );
    }
    Ok(Status::Success)
}

/// Where `--out PATH` writes.
struct Target {
    out: BufWriter<fs::File>,
    /// For a regular file: the temporary file beside it and the file it replaces at the end.
    replace: Option<(Partial, PathBuf)>,
}

/// A temporary file that is removed unless it was moved into place.
struct Partial(Option<PathBuf>);

impl Drop for Partial {
    /// An export that did not finish leaves no temporary file behind.
    fn drop(&mut self) {
        if let Some(tmp) = &self.0 {
            let _ = fs::remove_file(tmp);
        }
    }
}

impl Target {
    fn open(path: &Path) -> Result<Target> {
        let resolved = follow_links(path);
        let io = |e: std::io::Error| anyhow::anyhow!("cannot write {}: {e}", path.display());
        match fs::metadata(&resolved) {
            Ok(meta) if meta.is_dir() => {
                bail!(
                    "cannot write {}: it is a directory; name a file in it",
                    path.display()
                )
            }
            // A FIFO, a terminal, a device: write through it, as the shell's `>` would.
            Ok(meta) if !meta.is_file() => {
                let file = fs::OpenOptions::new()
                    .write(true)
                    .open(&resolved)
                    .map_err(io)?;
                Ok(Target {
                    out: BufWriter::new(file),
                    replace: None,
                })
            }
            existing => {
                let name = resolved
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let tmp = resolved.with_file_name(format!(".{name}.partial"));
                let file = fs::File::create(&tmp).map_err(io)?;
                // The replacement keeps the permissions of the file it replaces.
                if let Ok(meta) = existing {
                    let _ = file.set_permissions(meta.permissions());
                }
                Ok(Target {
                    out: BufWriter::new(file),
                    replace: Some((Partial(Some(tmp)), resolved)),
                })
            }
        }
    }

    /// Flushes what is buffered and, for a regular file, syncs it and moves it into place.
    fn finish(self) -> std::io::Result<()> {
        let Target { out, replace } = self;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        let Some((mut partial, target)) = replace else {
            return Ok(());
        };
        file.sync_all()?;
        if let Some(tmp) = &partial.0 {
            fs::rename(tmp, &target)?;
        }
        partial.0 = None;
        // The rename is durable once the directory holding it is synced.
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(dir) = fs::File::open(dir)
        {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

/// `path` with symbolic links followed to what they finally name (which may not exist yet).
fn follow_links(path: &Path) -> PathBuf {
    let mut path = path.to_owned();
    // As the kernel does, give up on a chain longer than 40 links.
    for _ in 0..40 {
        match fs::read_link(&path) {
            Ok(target) => {
                path = match path.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                }
            }
            Err(_) => break,
        }
    }
    path
}
