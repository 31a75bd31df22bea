//! `morgue query`: parses the query, runs it on the index, prints ranked hits with snippets.

use std::io::{IsTerminal, Write};

use anyhow::{Result, anyhow};
use morgue_core::analysis::Analyzer;
use morgue_core::archive::StoredDoc;
use morgue_core::query::parse;
use morgue_core::search::Searcher;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::args::{QueryArgs, QuerySort};
use crate::output::{self, Format};
use crate::{Ctx, Status};

/// Words shown around the first match.
const SNIPPET_WORDS: usize = 30;

/// One hit in JSON (DESIGN §6).
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
    #[serde(skip_serializing_if = "Map::is_empty")]
    fields: Map<String, Value>,
}

pub fn run(ctx: &Ctx, args: QueryArgs) -> Result<Status> {
    let query = parse(&args.query).map_err(|e| anyhow!("{e}\n{}", e.render(&args.query)))?;
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
    // Ranked by relevance, only the page shown is looked up; other orders need every hit.
    let (total, mut hits) = if args.sort == QuerySort::Relevance {
        searcher.top(&query, args.offset, args.limit)?
    } else {
        let hits = searcher.search(&query)?;
        (hits.len(), hits)
    };
    if hits.is_empty() && total == 0 {
        out.flush()?;
        return Ok(Status::NotFound);
    }
    let need_records = args.sort != QuerySort::Relevance;
    if need_records {
        let mut keyed = Vec::with_capacity(hits.len());
        for hit in hits {
            let doc = archive.get(&hit.id)?;
            let key = match args.sort {
                QuerySort::Published => doc
                    .fields
                    .get("published")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                _ => Some(format!("{:020}", doc.seq)),
            };
            keyed.push((key, hit));
        }
        // Newest first; documents without a date go last.
        keyed.sort_by(|(a, _), (b, _)| b.cmp(a));
        hits = keyed.into_iter().map(|(_, h)| h).collect();
    }
    let terms = searcher.terms_of(&query);
    let analyzer = Analyzer::english();
    let format = Format::from(args.output);
    let color = ctx.color && std::io::stdout().is_terminal() && format == Format::Table;
    let mut rows = Vec::new();
    let skip = if args.sort == QuerySort::Relevance {
        0
    } else {
        args.offset
    };
    for hit in hits.iter().skip(skip).take(args.limit) {
        let doc = archive.get(&hit.id)?;
        let text = match doc.fields.get("body").and_then(Value::as_str) {
            Some(body) => body.to_owned(),
            None => archive.text(&doc, &archive.raw(&hit.id)?),
        };
        let (open, close) = if color {
            ("\x1b[1m", "\x1b[0m")
        } else {
            ("**", "**")
        };
        rows.push(HitJson {
            id: hit.id.to_hex(),
            score: (hit.score * 1000.0).round() / 1000.0,
            title: str_field(&doc, "title"),
            site: str_field(&doc, "site"),
            published: str_field(&doc, "published"),
            snippet: snippet(&text, &terms, &analyzer, open, close),
            fields: args
                .fields
                .iter()
                .filter_map(|f| doc.fields.get(f).map(|v| (f.clone(), v.clone())))
                .collect(),
        });
    }
    match format {
        Format::Json => output::write_json(&mut out, &rows)?,
        Format::Jsonl => {
            for row in &rows {
                output::write_jsonl(&mut out, row)?;
            }
        }
        Format::Csv => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.clone(),
                        r.score.to_string(),
                        r.title.clone().unwrap_or_default(),
                        r.snippet.clone(),
                    ]
                })
                .collect();
            output::write_csv(&mut out, &["id", "score", "title", "snippet"], &cells)?;
        }
        Format::Table => {
            for row in &rows {
                writeln!(
                    out,
                    "{}  {:>7.3}  {}",
                    &row.id[..12],
                    row.score,
                    row.title.as_deref().unwrap_or("")
                )?;
                writeln!(out, "    {}", row.snippet)?;
            }
            if !ctx.quiet {
                eprintln!("{} matching documents", output::thousands(total as u64));
            }
        }
    }
    out.flush()?;
    Ok(Status::Success)
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

fn str_field(doc: &StoredDoc, name: &str) -> Option<String> {
    doc.fields
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// About `SNIPPET_WORDS` words around the first word matching a query term, each matching word
/// wrapped in `open`/`close`.
fn snippet(
    text: &str,
    terms: &[(String, bool)],
    analyzer: &Analyzer,
    open: &str,
    close: &str,
) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let hit = |w: &str| {
        analyzer.query_terms(w).iter().any(|t| {
            terms
                .iter()
                .any(|(q, prefix)| t == q || (*prefix && t.starts_with(q.as_str())))
        })
    };
    let first = words.iter().position(|w| hit(w)).unwrap_or(0);
    let start = first.saturating_sub(SNIPPET_WORDS / 3);
    let end = (start + SNIPPET_WORDS).min(words.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    for (i, w) in words[start..end].iter().enumerate() {
        if i > 0 || start > 0 {
            out.push(' ');
        }
        if hit(w) {
            out.push_str(open);
            out.push_str(w);
            out.push_str(close);
        } else {
            out.push_str(w);
        }
    }
    if end < words.len() {
        out.push_str(" …");
    }
    out
}
