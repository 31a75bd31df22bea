//! `morgue list`: one row per document.

use anyhow::Result;
use morgue_core::archive::StoredDoc;
use serde::Serialize;

use crate::args::{ListArgs, ListSort};
use crate::output::{self, Format};
use crate::{Ctx, Status};

/// One row of the listing in JSON.
#[derive(Serialize)]
struct Row<'a> {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<&'a str>,
    imported_at: &'a str,
    media_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    word_count: Option<u64>,
    paths: &'a [String],
    tags: &'a [String],
}

pub fn run(ctx: &Ctx, args: ListArgs) -> Result<Status> {
    let archive = ctx.open(false)?;
    let mut docs = archive.documents()?;
    match args.sort {
        ListSort::Imported => {}
        ListSort::Published => {
            docs.sort_by(|a, b| field(a, "published").cmp(&field(b, "published")))
        }
        ListSort::Title => docs.sort_by_cached_key(|d| field(d, "title").map(str::to_lowercase)),
    }
    if let Some(limit) = args.limit {
        docs.truncate(limit);
    }
    let rows: Vec<Row<'_>> = docs
        .iter()
        .map(|d| Row {
            id: d.id.to_hex(),
            title: field(d, "title"),
            published: field(d, "published"),
            imported_at: &d.source.imported_at,
            media_type: &d.source.media_type,
            word_count: d
                .fields
                .get("word_count")
                .and_then(serde_json::Value::as_u64),
            paths: &d.source.paths,
            tags: &d.source.tags,
        })
        .collect();
    let mut out = output::stdout();
    match Format::from(args.output) {
        Format::Json => output::write_json(&mut out, &rows)?,
        Format::Jsonl => {
            for row in &rows {
                output::write_jsonl(&mut out, row)?;
            }
        }
        Format::Csv => {
            let cells = rows.iter().map(|r| cells(r, true)).collect::<Vec<_>>();
            output::write_csv(&mut out, &["id", "imported_at", "words", "title"], &cells)?;
        }
        Format::Table => {
            let cells = rows.iter().map(|r| cells(r, false)).collect::<Vec<_>>();
            output::write_table(&mut out, &["ID", "IMPORTED", "WORDS", "TITLE"], &cells)?;
        }
    }
    std::io::Write::flush(&mut out)?;
    Ok(Status::Success)
}

fn cells(row: &Row<'_>, full: bool) -> Vec<String> {
    let id = if full {
        row.id.clone()
    } else {
        row.id[..12].to_owned()
    };
    let imported = if full {
        row.imported_at.to_owned()
    } else {
        row.imported_at
            .get(..10)
            .unwrap_or(row.imported_at)
            .to_owned()
    };
    vec![
        id,
        imported,
        row.word_count.map(|w| w.to_string()).unwrap_or_default(),
        row.title.unwrap_or("").to_owned(),
    ]
}

fn field<'a>(doc: &'a StoredDoc, name: &str) -> Option<&'a str> {
    doc.fields.get(name).and_then(serde_json::Value::as_str)
}
