//! `morgue verify [--repair] [--json]`.

use std::io::Write;

use anyhow::Result;
use morgue_core::{Archive, OpenOptions};

use crate::args::VerifyArgs;
use crate::output::count;
use crate::{Ctx, Status};

/// Checks the archive, repairs with `--repair`, prints the report; exit 0 clean, 2 damaged.
pub fn run(ctx: &Ctx, args: VerifyArgs) -> Result<Status> {
    let options = OpenOptions {
        create: false,
        wait: ctx.wait,
    };
    // A store the manifest disagrees with is what verify is for: open it anyway and report.
    let mut set_aside = Vec::new();
    let mut archive = match Archive::open_unchecked(&ctx.archive_dir, &options) {
        Err(morgue_core::Error::Store { .. }) if args.repair => {
            // sled's snapshot and settings are derived: without them the store is read from
            // its log alone, which gets past a damaged snapshot or settings file.
            set_aside = Archive::set_aside_derived_files(&ctx.archive_dir, &options)?;
            Archive::open_unchecked(&ctx.archive_dir, &options)?
        }
        other => other?,
    };
    for file in &set_aside {
        ctx.note(
            "repaired",
            &format!(
                "set {} aside; the store was read from its log",
                file.display()
            ),
        );
    }
    let bar = ctx.progress().then(|| {
        crate::output::bar(
            archive.len(),
            "verifying {bar:30} {human_pos}/{human_len}  {rate}  eta {eta}",
        )
    });
    let report = archive.verify(args.repair, &mut |done, _| {
        if let Some(bar) = &bar {
            bar.set_position(done);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    for line in &report.repaired {
        ctx.note("repaired", line);
    }
    let mut out = crate::output::stdout();
    if args.json {
        let value = serde_json::json!({
            "documents": report.documents,
            "ok": report.is_clean(),
            "problems": report.problems,
            "repaired": report.repaired,
        });
        serde_json::to_writer(&mut out, &value)?;
        writeln!(out)?;
    } else {
        for p in &report.problems {
            let hint = if p.repairable && !args.repair {
                " (verify --repair mends this)"
            } else {
                ""
            };
            writeln!(out, "{}: {}{hint}", p.place, p.problem)?;
        }
        if report.is_clean() {
            writeln!(out, "verified {}", count(report.documents, "document"))?;
        } else {
            let repairable = report.problems.iter().filter(|p| p.repairable).count();
            let next = if repairable > 0 && !args.repair {
                "; run `morgue verify --repair`"
            } else {
                "; `morgue export --salvage --out FILE` saves every readable document"
            };
            writeln!(
                out,
                "damaged: {}, {} of them repairable{next}",
                count(report.problems.len() as u64, "problem"),
                repairable
            )?;
        }
    }
    out.flush()?;
    Ok(if report.is_clean() {
        Status::Success
    } else {
        Status::Failed
    })
}
