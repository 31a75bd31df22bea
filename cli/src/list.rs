//! `morgue list`: one row per document.

use anyhow::Result;
use morgue_core::archive::StoredDoc;
use serde::Serialize;

use crate::args::{ListArgs, ListSort};
use crate::output::{self, Format};
use crate::{Ctx, Status};

/// One row of the listing. JSON and CSV carry the same names, in this order.
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
    let reverse = args.reverse;
    match args.sort {
        ListSort::Imported => {
            if reverse {
                docs.reverse();
            }
        }
        // Undated (or untitled) documents go last either way round; import order breaks ties.
        ListSort::Published => docs.sort_by(|a, b| {
            output::ordered(field(a, "published"), field(b, "published"), reverse)
                .then(a.seq.cmp(&b.seq))
        }),
        ListSort::Title => docs.sort_by(|a, b| {
            let (a_title, b_title) = (field(a, "title"), field(b, "title"));
            output::ordered(
                a_title.map(str::to_lowercase).as_deref(),
                b_title.map(str::to_lowercase).as_deref(),
                reverse,
            )
            .then(a.seq.cmp(&b.seq))
        }),
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
            let cells = rows
                .iter()
                .map(|r| {
                    let row = serde_json::to_value(r).unwrap_or_default();
                    COLUMNS.iter().map(|c| output::cell(row.get(c))).collect()
                })
                .collect::<Vec<_>>();
            output::write_csv(&mut out, &COLUMNS, &cells)?;
        }
        Format::Table => {
            let cells = rows.iter().map(table_cells).collect::<Vec<_>>();
            output::write_table(&mut out, &["ID", "IMPORTED", "WORDS", "TITLE"], &cells)?;
        }
    }
    std::io::Write::flush(&mut out)?;
    Ok(Status::Success)
}

/// The columns of `list --csv`: the names of [`Row`]'s JSON.
const COLUMNS: [&str; 8] = [
    "id",
    "title",
    "published",
    "imported_at",
    "media_type",
    "word_count",
    "paths",
    "tags",
];

/// A row of the table a person reads: short id, import date, words, title.
fn table_cells(row: &Row<'_>) -> Vec<String> {
    vec![
        row.id[..12].to_owned(),
        row.imported_at
            .get(..10)
            .unwrap_or(row.imported_at)
            .to_owned(),
        row.word_count.map(|w| w.to_string()).unwrap_or_default(),
        // A title is shown escaped: it comes from the document and may hold anything.
        output::visible(row.title.unwrap_or(""), false).into_owned(),
    ]
}

fn field<'a>(doc: &'a StoredDoc, name: &str) -> Option<&'a str> {
    doc.fields.get(name).and_then(serde_json::Value::as_str)
}
