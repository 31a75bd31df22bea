//! Re-extraction: runs extractors again over archived documents and replaces their fields and
//! provenance. The original bytes are only read, never written.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::archive::Archive;
use crate::error::Result;
use crate::extract::{Doc, Pipeline, PipelineOutput};
use crate::model::DocId;
use crate::store::WriteBatch;

/// Documents written per flushed batch.
const BATCH: usize = 1000;
/// Documents given to the extractors at once, as in import: enough to keep an isolated plugin
/// host busy while its answers are read, few enough to keep memory flat.
const EXTRACT_BATCH: usize = 256;

/// Counts at the end of a re-extraction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Documents whose fields were extracted again (changed or not).
    pub done: u64,
    /// Documents whose fields changed.
    pub changed: u64,
    /// Documents an extractor failed on; they keep their previous fields.
    pub failed: u64,
    /// Stopped early by Ctrl-C.
    pub interrupted: bool,
}

/// Re-extracts `ids` with `pipeline` (only the extractor `only`, if given). `failure` is told
/// of each document that failed; `progress` after each batch of documents.
pub fn reextract(
    archive: &mut Archive,
    pipeline: &Pipeline,
    ids: &[DocId],
    only: Option<&str>,
    cancel: &AtomicBool,
    failure: &mut dyn FnMut(&DocId, &str),
    progress: &mut dyn FnMut(u64),
) -> Result<Summary> {
    let mut summary = Summary::default();
    let mut batch = WriteBatch::default();
    for group in ids.chunks(EXTRACT_BATCH) {
        if cancel.load(Ordering::Relaxed) {
            summary.interrupted = true;
            break;
        }
        let mut loaded = Vec::with_capacity(group.len());
        for id in group {
            let record = archive.get(id)?;
            let raw = archive.raw(id)?;
            let text = archive.text(&record, &raw);
            loaded.push((record, raw, text, id.to_hex()));
        }
        let docs: Vec<Doc<'_>> = loaded
            .iter()
            .map(|(record, raw, text, hex)| Doc {
                id: hex,
                media_type: &record.source.media_type,
                text,
                raw,
                url: record.source.url.as_deref(),
            })
            .collect();
        let stored = loaded
            .iter()
            .map(|(record, ..)| PipelineOutput {
                fields: record.fields.clone(),
                provenance: record.provenance.clone(),
            })
            .collect();
        let results = pipeline.rerun_batch(&docs, stored, only);
        drop(docs);
        for ((mut record, ..), result) in loaded.into_iter().zip(results) {
            match result {
                Ok(out) => {
                    summary.done += 1;
                    if out.fields != record.fields || out.provenance != record.provenance {
                        summary.changed += 1;
                        record.fields = out.fields;
                        record.provenance = out.provenance;
                        batch.records.push(record);
                    }
                }
                Err(e) => {
                    summary.failed += 1;
                    failure(&record.id, &e.to_string());
                }
            }
            if batch.records.len() >= BATCH {
                archive.commit(&std::mem::take(&mut batch))?;
            }
        }
        progress(summary.done + summary.failed);
    }
    archive.commit(&batch)?;
    Ok(summary)
}
