//! An example third-party extractor: estimates reading time and flags headlines that ask a
//! question. It depends only on `morgue-core` without its store, implements one trait and
//! exports itself with one macro.

#![forbid(unsafe_code)]

use morgue_core::{
    ExtractError, ExtractInput, Extraction, Extractor, FieldDecl, FieldType, Fields, Manifest,
};
use serde_json::Value;

/// Words an adult reads per minute, the usual figure for news copy.
const WORDS_PER_MINUTE: f64 = 238.0;

/// The `readtime` extractor.
#[derive(Default)]
pub struct ReadTime;

impl Extractor for ReadTime {
    fn manifest(&self) -> Manifest {
        Manifest {
            name: "readtime".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Reading time in minutes, and whether the headline is a question".into(),
            media_types: vec!["text/plain".into(), "text/html".into()],
            fields: vec![
                FieldDecl::required("readtime.minutes", FieldType::Number),
                FieldDecl::optional("readtime.question_headline", FieldType::Bool),
            ],
            // Runs after the extractor that finds the title and body.
            requires: vec!["word_count".into()],
        }
    }

    fn extract(&self, input: &ExtractInput<'_>) -> Result<Extraction, ExtractError> {
        let words = input
            .fields
            .get("word_count")
            .and_then(Value::as_u64)
            .unwrap_or_else(|| input.text.split_whitespace().count() as u64);
        let minutes = (words as f64 / WORDS_PER_MINUTE * 10.0).round() / 10.0;
        let mut fields = Fields::new();
        fields.insert("readtime.minutes".into(), Value::from(minutes));
        if let Some(title) = input.fields.get("title").and_then(Value::as_str) {
            fields.insert(
                "readtime.question_headline".into(),
                Value::from(title.trim_end().ends_with('?')),
            );
        }
        Ok(Extraction { fields })
    }
}

morgue_core::export_extractors!(ReadTime);
