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
    let mut repaired: Vec<String> = Vec::new();
    let opened = match Archive::open_unchecked(&ctx.archive_dir, &options) {
        Err(morgue_core::Error::Store { .. }) if args.repair => {
            // sled's snapshot and settings are derived: without them the store is read from
            // its log alone, which gets past a damaged snapshot or settings file.
            let moved = Archive::set_aside_derived_files(&ctx.archive_dir, &options)?;
            match Archive::open_unchecked(&ctx.archive_dir, &options) {
                Ok(archive) => {
                    repaired.extend(moved.iter().map(|file| {
                        format!(
                            "set {} aside; the store was read from its log",
                            file.display()
                        )
                    }));
                    Ok(archive)
                }
                Err(e) => {
                    // That did not help: leave the archive as it was.
                    Archive::put_back_derived_files(&ctx.archive_dir, &moved)?;
                    Err(e)
                }
            }
        }
        other => other,
    };
    let mut archive = match opened {
        Ok(archive) => archive,
        // Scripts get the report's shape even when the store does not open.
        Err(e) if args.json => return failed_json(ctx, &e, repaired),
        Err(e) => return Err(e.into()),
    };
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
    });
    let report = match report {
        Ok(report) => report,
        Err(e) if args.json => return failed_json(ctx, &e, repaired),
        Err(e) => return Err(e.into()),
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    repaired.extend(report.repaired.iter().cloned());
    for line in &repaired {
        ctx.note("repaired", line);
    }
    let mut out = crate::output::stdout();
    if args.json {
        let value = serde_json::json!({
            "documents": report.documents,
            "ok": report.is_clean(),
            "problems": report.problems,
            "repaired": repaired,
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

/// The report of a store that could not be checked through: one problem, the error.
fn failed_json(ctx: &Ctx, e: &morgue_core::Error, repaired: Vec<String>) -> Result<Status> {
    let value = serde_json::json!({
        "documents": 0,
        "ok": false,
        "problems": [{
            "where": ctx.archive_dir.join("db").display().to_string(),
            "kind": "store",
            "problem": e.to_string(),
            "repairable": false,
        }],
        "repaired": repaired,
    });
    let mut out = crate::output::stdout();
    serde_json::to_writer(&mut out, &value)?;
    writeln!(out)?;
    out.flush()?;
    ctx.note("error", &e.to_string());
    Ok(Status::Failed)
}
