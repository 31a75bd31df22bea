//! `morgue export`: the archive as JSONL, to stdout or to `--out PATH`. A regular file is
//! replaced only once the export is complete; a pipe or a device is written through; a
//! symbolic link is followed to its target and stays a link.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use morgue_core::export::{ExportOptions, salvage_jsonl, write_jsonl};

use crate::args::{ExportArgs, ExportFormat};
use crate::output;
use crate::{Ctx, Status};

pub fn run(ctx: &Ctx, args: ExportArgs) -> Result<Status> {
    let archive = if args.salvage {
        // A damaged archive is what salvage is for: open it even if the manifest disagrees.
        let options = morgue_core::OpenOptions {
            create: false,
            wait: ctx.wait,
        };
        morgue_core::Archive::open_unchecked(&ctx.archive_dir, &options)?
    } else {
        ctx.open(false)?
    };
    let mut unreadable = 0u64;
    let mut report = |place: &str, reason: &str| {
        unreadable += 1;
        ctx.note("unreadable", &format!("{place}: {reason}"));
    };
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
    let mut write = |out: &mut dyn Write| {
        if args.salvage {
            salvage_jsonl(&archive, out, &options, &mut progress, &mut report)
        } else {
            write_jsonl(&archive, out, &options, &mut progress)
        }
    };
    let count = if args.out == "-" {
        let mut out = output::stdout();
        let n = write(&mut out)?;
        out.flush()?;
        n
    } else {
        let path = PathBuf::from(&args.out);
        let mut target = Target::open(&path, archive.dir())?;
        let context = || format!("cannot write {}", path.display());
        let n = write(&mut target.out).with_context(context)?;
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
    if args.salvage
        && let Some(recorded) = archive.recorded_documents()
        && count + unreadable < recorded
    {
        ctx.note(
            "failed",
            &format!(
                "the manifest recorded {} after the last write; the store holds {}: {} lost",
                output::count(recorded, "document"),
                count + unreadable,
                output::count(recorded - count - unreadable, "document"),
            ),
        );
        return Ok(Status::Failed);
    }
    if unreadable > 0 {
        ctx.note(
            "failed",
            &format!(
                "{} could not be read and {} left out",
                output::count(unreadable, "document"),
                if unreadable == 1 { "was" } else { "were" }
            ),
        );
        return Ok(Status::Failed);
    }
    Ok(Status::Success)
}

/// Where `--out PATH` writes.
struct Target {
    out: BufWriter<fs::File>,
    /// For a regular file: the temporary file beside it, which replaces the file at the end.
    replace: Option<(tempfile::TempPath, PathBuf)>,
}

impl Target {
    /// Opens `path` for the export; `archive` is the archive's folder, which no export may
    /// write into.
    fn open(path: &Path, archive: &Path) -> Result<Target> {
        let shown = path.display();
        let io = |e: std::io::Error| anyhow::anyhow!("cannot write {shown}: {e}");
        // The kernel follows the links (also /dev/stdout to a pipe, which has no path).
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                bail!("cannot write {shown}: it is a directory; name a file in it")
            }
            // A FIFO, a terminal, a device: write through it, as the shell's `>` would.
            Ok(meta) if !meta.is_file() => {
                let file = fs::OpenOptions::new().write(true).open(path).map_err(io)?;
                return Ok(Target {
                    out: BufWriter::new(file),
                    replace: None,
                });
            }
            _ => {}
        }
        let target = follow_links(path)?;
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        if let (Ok(dir), Ok(archive)) = (fs::canonicalize(&dir), fs::canonicalize(archive))
            && dir.starts_with(&archive)
        {
            bail!(
                "cannot write {shown}: it is inside the archive {}; export to a file outside it",
                archive.display()
            );
        }
        let existing = fs::metadata(&target).ok();
        if existing.is_some() {
            // Replacing a file needs no write permission on it, only on its folder: ask for
            // it anyway, so a file the user may not write is refused rather than replaced.
            fs::OpenOptions::new()
                .write(true)
                .open(&target)
                .map_err(io)?;
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // A fresh, uniquely named file (created with O_EXCL), so nothing already there is
        // written through, and two exports to one path never share it.
        let file = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".partial")
            .tempfile_in(&dir)
            .map_err(|e| anyhow::anyhow!("cannot write {shown}: {}: {e}", dir.display()))?;
        let (file, tmp) = file.into_parts();
        // The replacement keeps the permissions and, where allowed, the owner of the file it
        // replaces.
        if let Some(meta) = existing {
            use std::os::unix::fs::MetadataExt;
            let _ = file.set_permissions(meta.permissions());
            let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
        }
        Ok(Target {
            out: BufWriter::new(file),
            replace: Some((tmp, target)),
        })
    }

    /// Flushes what is buffered and, for a regular file, syncs it and moves it into place.
    fn finish(self) -> std::io::Result<()> {
        let Target { out, replace } = self;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        let Some((tmp, target)) = replace else {
            return Ok(());
        };
        file.sync_all()?;
        tmp.persist(&target).map_err(|e| e.error)?;
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
fn follow_links(given: &Path) -> Result<PathBuf> {
    let mut path = given.to_owned();
    // As the kernel does, give up on a chain longer than 40 links.
    for _ in 0..40 {
        match fs::read_link(&path) {
            Ok(target) => {
                path = match path.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                }
            }
            Err(_) => return Ok(path),
        }
    }
    bail!(
        "cannot write {}: too many levels of symbolic links",
        given.display()
    )
}
