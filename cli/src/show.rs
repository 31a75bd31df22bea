//! `morgue show`: one document as a readable summary, its text, its exact original bytes, or
//! its JSON.

use std::io::Write;

use anyhow::Result;
use morgue_core::export::DocumentJson;
use morgue_core::{DocId, Error, model};

use crate::args::ShowArgs;
use crate::output::{self, Format};
use crate::{Ctx, Status};

pub fn run(ctx: &Ctx, args: ShowArgs) -> Result<Status> {
    let archive = ctx.open(false)?;
    let id: DocId = match archive.resolve(&args.id) {
        Ok(id) => id,
        Err(e @ Error::NotFound { .. }) => {
            ctx.note("error", &e.to_string());
            return Ok(Status::NotFound);
        }
        Err(e) => return Err(e.into()),
    };
    let mut doc = archive.get(&id)?;
    let raw = archive.raw(&id)?;
    if !args.fields.is_empty() {
        doc.fields.retain(|k, _| args.fields.contains(k));
        doc.provenance.retain(|k, _| args.fields.contains(k));
    }
    let mut out = output::stdout();
    let format = Format::from(args.output);
    if format == Format::Table && args.raw {
        out.write_all(&raw)?;
        out.flush()?;
        return Ok(Status::Success);
    }
    let text = archive.text(&doc, &raw);
    if format == Format::Table && args.text {
        out.write_all(text.as_bytes())?;
        out.flush()?;
        return Ok(Status::Success);
    }
    match format {
        Format::Json | Format::Jsonl => {
            let text = (args.fields.is_empty() || args.text).then_some(text);
            let json = DocumentJson::new(&doc, args.raw.then_some(raw.as_slice()), text);
            if format == Format::Json {
                output::write_json(&mut out, &json)?;
            } else {
                output::write_jsonl(&mut out, &json)?;
            }
        }
        Format::Csv => {
            let mut header = vec!["id".to_owned()];
            let mut row = vec![doc.id.to_hex()];
            for (name, value) in &doc.fields {
                header.push(name.clone());
                row.push(match value {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                });
            }
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            output::write_csv(&mut out, &header, &[row])?;
        }
        Format::Table => write_summary(&mut out, &doc, raw.len(), &text, args.fields.is_empty())?,
    }
    out.flush()?;
    Ok(Status::Success)
}

/// The human view: one `name  value` line per property and field, then the body (or text).
/// Control characters from file names, fields and text are shown escaped
/// ([`output::visible`]), never sent to the terminal.
fn write_summary(
    out: &mut dyn Write,
    doc: &morgue_core::archive::StoredDoc,
    raw_len: usize,
    text: &str,
    with_text: bool,
) -> Result<()> {
    let mut line = |line: String| writeln!(out, "{}", output::visible(&line, false));
    let s = &doc.source;
    line(format!("id           {}", doc.id))?;
    for path in &s.paths {
        line(format!("path         {}", model::shown_path(path)))?;
    }
    if let Some(url) = &s.url {
        line(format!("url          {url}"))?;
    }
    line(format!(
        "type         {} ({}, {} bytes)",
        s.media_type, s.encoding, raw_len
    ))?;
    line(format!("imported     {}", s.imported_at))?;
    if !s.tags.is_empty() {
        line(format!("tags         {}", s.tags.join(", ")))?;
    }
    for (name, value) in &doc.fields {
        if name == "body" {
            continue;
        }
        let shown = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let from = doc
            .provenance
            .get(name)
            .map(|p| format!("  [{} {}]", p.plugin, p.version))
            .unwrap_or_default();
        line(format!("{name:<12} {shown}{from}"))?;
    }
    let body = doc.fields.get("body").and_then(serde_json::Value::as_str);
    if let Some(body) = body.or(with_text.then_some(text)) {
        writeln!(out)?;
        writeln!(out, "{}", output::visible(body.trim_end(), true))?;
    }
    Ok(())
}
