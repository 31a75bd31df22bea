//! `morgue stats`: document counts and sizes.

use std::io::Write;

use anyhow::Result;
use morgue_core::import::human_bytes;

use crate::args::StatsArgs;
use crate::output::{self, thousands};
use crate::{Ctx, Status};

pub fn run(ctx: &Ctx, args: StatsArgs) -> Result<Status> {
    let archive = ctx.open(false)?;
    let stats = archive.stats()?;
    let mut out = output::stdout();
    if args.json {
        output::write_json(&mut out, &stats)?;
    } else {
        writeln!(out, "archive      {}", archive.dir().display())?;
        writeln!(out, "documents    {}", thousands(stats.documents))?;
        writeln!(
            out,
            "raw bytes    {} ({})",
            thousands(stats.raw_bytes),
            human_bytes(stats.raw_bytes)
        )?;
        let ratio = if stats.raw_bytes > 0 {
            format!(
                ", {:.2}x raw",
                stats.disk_bytes as f64 / stats.raw_bytes as f64
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "disk bytes   {} ({}{ratio})",
            thousands(stats.disk_bytes),
            human_bytes(stats.disk_bytes)
        )?;
        for (name, map) in [
            ("media type", &stats.media_types),
            ("encoding", &stats.encodings),
            ("tag", &stats.tags),
            ("field", &stats.fields),
        ] {
            for (key, n) in map {
                writeln!(out, "{name:<12} {key}: {}", thousands(*n))?;
            }
        }
        for (name, tree) in &stats.trees {
            writeln!(
                out,
                "tree         {name}: {} entries, {}",
                thousands(tree.entries),
                human_bytes(tree.bytes)
            )?;
        }
    }
    out.flush()?;
    Ok(Status::Success)
}
