//! `morgue tag` and `morgue rm`: change or remove documents. Every id is resolved before
//! anything is written, so a typo changes nothing.

use anyhow::{Result, bail};
use morgue_core::DocId;

use crate::args::{RmArgs, TagArgs};
use crate::output::{count, thousands};
use crate::{Ctx, Status};

pub fn rm(ctx: &Ctx, args: RmArgs) -> Result<Status> {
    let mut archive = ctx.open(false)?;
    let ids = args
        .ids
        .iter()
        .map(|s| archive.resolve(s))
        .collect::<Result<Vec<DocId>, _>>()?;
    let ids = distinct(ids);
    archive.remove(&ids)?;
    if !ctx.quiet {
        eprintln!("removed {}", count(ids.len() as u64, "document"));
    }
    Ok(Status::Success)
}

pub fn run(ctx: &Ctx, args: TagArgs) -> Result<Status> {
    let mut add = Vec::new();
    let mut remove = Vec::new();
    let mut id_args = Vec::new();
    for arg in &args.args {
        if let Some(tag) = arg.strip_prefix('+') {
            add.push(check_tag(tag)?);
        } else if let Some(tag) = arg.strip_prefix('-') {
            remove.push(check_tag(tag)?);
        } else {
            id_args.push(arg.as_str());
        }
    }
    if id_args.is_empty() || (add.is_empty() && remove.is_empty()) {
        bail!(
            "give document ids and at least one +TAG or -TAG, e.g. `morgue tag 3f2a9c +economy -draft`"
        );
    }
    let mut archive = ctx.open(false)?;
    let ids = id_args
        .iter()
        .map(|s| archive.resolve(s))
        .collect::<Result<Vec<DocId>, _>>()?;
    let ids = distinct(ids);
    let changed = archive.retag(&ids, &add, &remove)?;
    if !ctx.quiet {
        eprintln!(
            "tagged {} ({} changed)",
            count(ids.len() as u64, "document"),
            thousands(changed as u64)
        );
    }
    Ok(Status::Success)
}

/// The same rules as `import --tag` ([`crate::args::parse_tag`]).
fn check_tag(tag: &str) -> Result<String> {
    crate::args::parse_tag(tag).map_err(anyhow::Error::msg)
}

/// `ids` without repeats, in the order first given: `rm 3f2a9c 3f2a9c0b` is one document.
fn distinct(ids: Vec<DocId>) -> Vec<DocId> {
    let mut seen = std::collections::HashSet::new();
    ids.into_iter().filter(|id| seen.insert(*id)).collect()
}
