//! `morgue query`: parses the query, runs it on the index, prints ranked hits with snippets.

use std::io::{IsTerminal, Write};

use anyhow::{Result, anyhow};
use morgue_core::archive::StoredDoc;
use morgue_core::query::parse;
use morgue_core::search::{Hit, Searcher};
use morgue_core::snippet::Highlighter;
use serde::Serialize;
use serde_json::Value;

use crate::args::{QueryArgs, QuerySort};
use crate::output::{self, Format};
use crate::{Ctx, Status};

/// The columns every hit has, in JSON and CSV alike (DESIGN §6); `--fields` adds more.
const COLUMNS: [&str; 7] = [
    "id",
    "score",
    "title",
    "site",
    "published",
    "snippet",
    "highlights",
];

/// One hit (DESIGN §6): `highlights` are character offsets into `snippet`, which carries no
/// markup. Fields asked for with `--fields` sit beside the others under their own names.
#[derive(Serialize)]
struct HitJson {
    id: String,
    score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    site: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<String>,
    snippet: String,
    highlights: Vec<(usize, usize)>,
    #[serde(flatten)]
    fields: Extra,
    /// The snippet with its matches marked, for the table.
    #[serde(skip)]
    marked: String,
}

/// `query --json`: the number of matching documents and the hits shown.
#[derive(Serialize)]
struct Page<'a> {
    total: usize,
    hits: &'a [HitJson],
}

pub fn run(ctx: &Ctx, args: QueryArgs) -> Result<Status> {
    let query = parse(&args.query).map_err(|e| anyhow!("{e}\n{}", e.render(&args.query)))?;
    // The fields asked for beyond the columns every hit has, in the order given.
    let mut extra: Vec<&str> = Vec::new();
    for name in &args.fields {
        check_field(name)?;
        if !COLUMNS.contains(&name.as_str()) && !extra.contains(&name.as_str()) {
            extra.push(name);
        }
    }
    let archive = ctx.open(false)?;
    let mut searcher = Searcher::new(&archive)?;
    let mut out = output::stdout();
    if args.count {
        let n = searcher.count(&query)?;
        writeln!(out, "{n}")?;
        out.flush()?;
        return Ok(if n == 0 {
            Status::NotFound
        } else {
            Status::Success
        });
    }
    // Best first, only the page shown is looked up; any other order needs every hit.
    let (total, hits) = if args.sort == QuerySort::Relevance && !args.reverse {
        searcher.top(&query, args.offset, args.limit)?
    } else {
        let hits = ordered(&archive, searcher.search(&query)?, args.sort, args.reverse)?;
        let total = hits.len();
        let page = hits.into_iter().skip(args.offset).take(args.limit);
        (total, page.collect())
    };
    let format = Format::from(args.output);
    let color = ctx.color && std::io::stdout().is_terminal() && format == Format::Table;
    let (open, close) = if color {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("**", "**")
    };
    let mut highlighter = Highlighter::new(&query);
    let mut rows = Vec::with_capacity(hits.len());
    for hit in &hits {
        let doc = archive.get(&hit.id)?;
        let text = match doc.fields.get("body").and_then(Value::as_str) {
            Some(body) => body.to_owned(),
            // A web page without a body has only markup to show.
            None if doc.source.media_type == morgue_core::text::TEXT_HTML => String::new(),
            None => archive.text(&doc, &archive.raw(&hit.id)?),
        };
        let language = doc.fields.get("language").and_then(Value::as_str);
        let snippet = highlighter.snippet(&text, language);
        rows.push(HitJson {
            id: hit.id.to_hex(),
            score: (hit.score * 1000.0).round() / 1000.0,
            title: str_field(&doc, "title"),
            site: str_field(&doc, "site"),
            published: str_field(&doc, "published"),
            // Control characters of the text never reach the terminal; each becomes one
            // visible character, so the match offsets still hold.
            marked: morgue_core::snippet::Snippet {
                text: snippet
                    .text
                    .chars()
                    .map(
                        |c| match output::visible(c.encode_utf8(&mut [0; 4]), false) {
                            std::borrow::Cow::Borrowed(_) => c,
                            std::borrow::Cow::Owned(_) => '\u{fffd}',
                        },
                    )
                    .collect(),
                highlights: snippet.highlights.clone(),
            }
            .marked(open, close),
            snippet: snippet.text,
            highlights: snippet.highlights,
            fields: Extra(
                extra
                    .iter()
                    .filter_map(|f| field_value(&doc, f).map(|v| ((*f).to_owned(), v)))
                    .collect(),
            ),
        });
    }
    match format {
        Format::Json => output::write_json(&mut out, &Page { total, hits: &rows })?,
        Format::Jsonl => {
            for row in &rows {
                output::write_jsonl(&mut out, row)?;
            }
        }
        Format::Csv => {
            let header: Vec<&str> = COLUMNS
                .iter()
                .copied()
                .chain(extra.iter().copied())
                .collect();
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    let mut row = vec![
                        r.id.clone(),
                        r.score.to_string(),
                        r.title.clone().unwrap_or_default(),
                        r.site.clone().unwrap_or_default(),
                        r.published.clone().unwrap_or_default(),
                        r.snippet.clone(),
                        serde_json::to_string(&r.highlights).unwrap_or_default(),
                    ];
                    row.extend(extra.iter().map(|f| output::cell(r.fields.get(f))));
                    row
                })
                .collect();
            output::write_csv(&mut out, &header, &cells)?;
        }
        Format::Table => {
            for row in &rows {
                writeln!(
                    out,
                    "{}  {:>7.3}  {}",
                    &row.id[..12],
                    row.score,
                    output::visible(row.title.as_deref().unwrap_or(""), false)
                )?;
                writeln!(out, "    {}", row.marked)?;
                for (name, value) in &row.fields.0 {
                    let cell = output::cell(Some(value));
                    writeln!(out, "    {name}: {}", output::visible(&cell, false))?;
                }
            }
            out.flush()?;
            if !ctx.quiet && total > 0 {
                eprintln!(
                    "{} matching {}",
                    output::thousands(total as u64),
                    output::noun(total as u64, "document")
                );
            }
        }
    }
    out.flush()?;
    Ok(if total == 0 {
        Status::NotFound
    } else {
        Status::Success
    })
}

/// Hits in the order asked for: relevance best first; dates oldest first, documents without a
/// date last; `reverse` turns the order round but keeps the undated last.
fn ordered(
    archive: &morgue_core::Archive,
    mut hits: Vec<Hit>,
    sort: QuerySort,
    reverse: bool,
) -> Result<Vec<Hit>> {
    match sort {
        QuerySort::Relevance => {
            if reverse {
                hits.reverse();
            }
        }
        QuerySort::Imported => {
            hits.sort_by_key(|h| h.seq);
            if reverse {
                hits.reverse();
            }
        }
        QuerySort::Published => {
            let mut keyed = Vec::with_capacity(hits.len());
            for hit in hits {
                let date = str_field(&archive.get(&hit.id)?, "published");
                keyed.push((date, hit));
            }
            keyed.sort_by(|(a, x), (b, y)| {
                output::ordered(a.as_deref(), b.as_deref(), reverse).then(x.seq.cmp(&y.seq))
            });
            hits = keyed.into_iter().map(|(_, h)| h).collect();
        }
    }
    Ok(hits)
}

/// The ids of the documents matching `query`, in import order (for `export --query` and
/// `reextract --query`).
pub fn matching_ids(
    archive: &morgue_core::Archive,
    query: &str,
) -> Result<Vec<morgue_core::DocId>> {
    let parsed = parse(query).map_err(|e| anyhow!("{e}\n{}", e.render(query)))?;
    let mut hits = Searcher::new(archive)?.search(&parsed)?;
    hits.sort_by_key(|h| h.seq);
    Ok(hits.into_iter().map(|h| h.id).collect())
}

/// What `--fields` may name besides the fields extractors produce: the document's source.
const SOURCE_FIELDS: [&str; 6] = [
    "paths",
    "url",
    "media_type",
    "encoding",
    "imported_at",
    "tags",
];

/// Refuses a `--fields` name that no document can have: neither a core field, a source
/// attribute nor a plugin's field (which is always prefixed with the plugin's name and a dot).
fn check_field(name: &str) -> Result<()> {
    let known = morgue_core::CORE_FIELDS.contains(&name)
        || SOURCE_FIELDS.contains(&name)
        || COLUMNS.contains(&name)
        || (name.contains('.') && !name.starts_with('.') && !name.ends_with('.'));
    if !known {
        anyhow::bail!(
            "--fields {name:?}: no document has such a field; name core fields ({}), the \
             source's {} or a plugin's field such as readtime.minutes",
            morgue_core::CORE_FIELDS.join(", "),
            SOURCE_FIELDS.join(", ")
        );
    }
    Ok(())
}

/// The value of `--fields NAME` for a document: its source for the source's names, else
/// the field. (`url` is the field where an extractor found one, else where it was saved from.)
fn field_value(doc: &StoredDoc, name: &str) -> Option<Value> {
    let source = &doc.source;
    match name {
        "paths" => Some(serde_json::json!(source.paths)),
        "media_type" => Some(Value::from(source.media_type.clone())),
        "encoding" => Some(Value::from(source.encoding.clone())),
        "imported_at" => Some(Value::from(source.imported_at.clone())),
        "tags" => Some(serde_json::json!(source.tags)),
        "url" => doc
            .fields
            .get("url")
            .cloned()
            .or_else(|| source.url.clone().map(Value::from)),
        _ => doc.fields.get(name).cloned(),
    }
}

/// `--fields` values of a hit, kept in the order asked for (a JSON map would sort them).
struct Extra(Vec<(String, Value)>);

impl Extra {
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

impl Serialize for Extra {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

fn str_field(doc: &StoredDoc, name: &str) -> Option<String> {
    doc.fields
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
}
