//! `morgue reextract`: runs extractors again over archived documents.

use std::sync::atomic::Ordering;

use anyhow::{Result, bail};
use morgue_core::DocId;
use morgue_core::import::human_bytes;
use morgue_core::reextract::reextract;

use crate::args::ReextractArgs;
use crate::import::CANCEL;
use crate::output::thousands;
use crate::{Ctx, Status};

pub fn run(ctx: &Ctx, args: ReextractArgs) -> Result<Status> {
    let mut archive = ctx.open(false)?;
    let pipeline = crate::plugins::pipeline(archive.dir(), args.isolation, args.plugin_timeout)?;
    if let Some(name) = &args.plugin
        && !pipeline.manifests().any(|m| &m.name == name)
    {
        bail!("no extractor is named {name}; see `morgue plugins list`");
    }
    let ids: Vec<DocId> = if args.all {
        archive.ids_in_order()?
    } else if let Some(q) = &args.query {
        crate::query::matching_ids(&archive, q)?
    } else {
        args.ids
            .iter()
            .map(|s| archive.resolve(s))
            .collect::<Result<_, _>>()?
    };
    let _ = ctrlc::set_handler(|| CANCEL.store(true, Ordering::SeqCst));
    let bar = ctx.progress().then(|| {
        crate::output::bar(
            ids.len() as u64,
            "re-extracting {bar:30} {human_pos}/{human_len}  {rate}  eta {eta}",
        )
    });
    let mut failure = |id: &DocId, reason: &str| {
        let line = format!("{}: {reason}", id.short());
        match &bar {
            Some(bar) => bar.suspend(|| ctx.note("failed", &line)),
            None => ctx.note("failed", &line),
        }
    };
    let mut progress = |n: u64| {
        if let Some(bar) = &bar {
            bar.set_position(n);
        }
    };
    let summary = reextract(
        &mut archive,
        &pipeline,
        &ids,
        args.plugin.as_deref(),
        &CANCEL,
        &mut failure,
        &mut progress,
    )?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if summary.changed > 0 && archive.has_index()? {
        // Changed bodies and titles would leave stale postings; the index is derived data, so
        // rebuild it rather than patch it.
        rebuild_index(ctx, &mut archive)?;
    }
    if !ctx.quiet || summary.failed > 0 {
        eprintln!(
            "re-extracted {}, changed {}, failed {}",
            thousands(summary.done),
            thousands(summary.changed),
            thousands(summary.failed)
        );
    }
    Ok(if summary.interrupted {
        Status::Interrupted
    } else if summary.failed > 0 {
        Status::Failed
    } else {
        Status::Success
    })
}

/// `morgue reindex`.
pub fn reindex(ctx: &Ctx) -> Result<Status> {
    let mut archive = ctx.open(false)?;
    let n = rebuild_index(ctx, &mut archive)?;
    if !ctx.quiet {
        eprintln!("reindexed {}", crate::output::count(n, "document"));
    }
    Ok(Status::Success)
}

/// `morgue compact`.
pub fn compact(ctx: &Ctx) -> Result<Status> {
    let mut archive = ctx.open(false)?;
    if !ctx.quiet {
        eprintln!("compacting {} …", archive.dir().display());
    }
    let (before, after) = archive.compact()?;
    if !ctx.quiet {
        eprintln!(
            "compacted: {} on disk, was {}",
            human_bytes(after),
            human_bytes(before)
        );
    }
    Ok(Status::Success)
}

fn rebuild_index(ctx: &Ctx, archive: &mut morgue_core::Archive) -> Result<u64> {
    let bar = ctx.progress().then(|| {
        crate::output::bar(
            archive.len(),
            "indexing {bar:30} {human_pos}/{human_len}  {rate}  eta {eta}",
        )
    });
    let n = archive.reindex(&mut |done, _| {
        if let Some(bar) = &bar {
            bar.set_position(done);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(n)
}
