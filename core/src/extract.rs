//! The `Extractor` trait that every plugin implements, and the pipeline that runs extractors in
//! dependency order and validates what they return before anything is written.
//!
//! Everything here is plain data that also travels as JSON across the plugin ABI, so the trait
//! looks the same to a built-in crate and to a third-party library.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::{CORE_FIELDS, Fields, Provenance};

/// Version of the manifest/request/result schema exchanged with extractors.
pub const SCHEMA_VERSION: u32 = 1;

/// The type of a declared output field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// A JSON string.
    String,
    /// A JSON number without a fractional part.
    Integer,
    /// Any JSON number.
    Number,
    /// `true` or `false`.
    Bool,
    /// A JSON object.
    Object,
    /// A JSON array of strings.
    #[serde(rename = "string[]")]
    StringList,
    /// A JSON array of objects.
    #[serde(rename = "object[]")]
    ObjectList,
}

impl FieldType {
    /// Whether `value` has this type.
    pub fn matches(self, value: &serde_json::Value) -> bool {
        use serde_json::Value;
        match self {
            FieldType::String => value.is_string(),
            FieldType::Integer => value.is_i64() || value.is_u64(),
            FieldType::Number => value.is_number(),
            FieldType::Bool => value.is_boolean(),
            FieldType::Object => value.is_object(),
            FieldType::StringList => {
                matches!(value, Value::Array(items) if items.iter().all(Value::is_string))
            }
            FieldType::ObjectList => {
                matches!(value, Value::Array(items) if items.iter().all(Value::is_object))
            }
        }
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::Bool => "bool",
            FieldType::Object => "object",
            FieldType::StringList => "string[]",
            FieldType::ObjectList => "object[]",
        })
    }
}

/// One output field an extractor declares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDecl {
    /// A core field name, or `<plugin>.<name>` for a plugin's own field.
    pub name: String,
    /// The JSON type every value must have.
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// Whether every successful extraction must produce the field.
    #[serde(default)]
    pub required: bool,
}

impl FieldDecl {
    /// A field that may be absent from a result.
    pub fn optional(name: &str, kind: FieldType) -> FieldDecl {
        FieldDecl {
            name: name.to_owned(),
            kind,
            required: false,
        }
    }

    /// A field every successful result must hold.
    pub fn required(name: &str, kind: FieldType) -> FieldDecl {
        FieldDecl {
            name: name.to_owned(),
            kind,
            required: true,
        }
    }
}

/// What an extractor says about itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Unique name among loaded extractors; also the prefix of its own fields.
    pub name: String,
    /// The extractor's version, recorded in each field's provenance.
    pub version: String,
    /// One line for `morgue plugins list`.
    #[serde(default)]
    pub description: String,
    /// Media types it reads (`text/plain`, `text/html`, or `*/*`).
    pub media_types: Vec<String>,
    /// The fields it produces.
    pub fields: Vec<FieldDecl>,
    /// Fields that must have been produced before it runs.
    #[serde(default)]
    pub requires: Vec<String>,
}

impl Manifest {
    /// Whether the extractor reads documents of `media_type`.
    pub fn accepts(&self, media_type: &str) -> bool {
        self.media_types
            .iter()
            .any(|m| m == "*/*" || m == media_type)
    }

    /// Checks the manifest is well formed: a name, a version, and field names that are core
    /// names or prefixed with the extractor's own name.
    pub fn validate(&self) -> Result<(), String> {
        let name_ok = !self.name.is_empty()
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !name_ok {
            return Err(format!(
                "name {:?} must be non-empty lower-case ASCII letters, digits, '-' or '_'",
                self.name
            ));
        }
        if self.version.is_empty() {
            return Err("version is empty".into());
        }
        if self.media_types.is_empty() {
            return Err("media_types is empty".into());
        }
        let own_prefix = format!("{}.", self.name);
        let mut seen = BTreeSet::new();
        for field in &self.fields {
            let own = field
                .name
                .strip_prefix(&own_prefix)
                .is_some_and(|rest| !rest.is_empty());
            if !own && !CORE_FIELDS.contains(&field.name.as_str()) {
                return Err(format!(
                    "field {:?} is neither a core field nor prefixed with {own_prefix:?}",
                    field.name
                ));
            }
            if !seen.insert(field.name.as_str()) {
                return Err(format!("field {:?} is declared twice", field.name));
            }
        }
        Ok(())
    }
}

/// What an extractor is given for one document.
#[derive(Clone, Copy, Debug)]
pub struct ExtractInput<'a> {
    /// The document's id (64 hex digits).
    pub id: &'a str,
    /// `text/plain` or `text/html`.
    pub media_type: &'a str,
    /// The decoded text.
    pub text: &'a str,
    /// The original bytes.
    pub raw: &'a [u8],
    /// The URL the document came from, when known.
    pub url: Option<&'a str>,
    /// Fields produced by the extractors that ran before this one.
    pub fields: &'a Fields,
}

/// What an extractor returns for one document.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    /// The fields it produced; each must be declared in its manifest.
    pub fields: Fields,
}

/// Why an extractor could not handle a document.
#[derive(Clone, Debug, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "kind", content = "message", rename_all = "snake_case")]
pub enum ExtractError {
    /// The document is not something this extractor can read.
    #[error("cannot read this document: {0}")]
    Input(String),
    /// The extractor failed for its own reasons (a bug, a resource it could not get).
    #[error("{0}")]
    Internal(String),
}

/// An extractor: reads one document and returns fields. Implementations must be deterministic:
/// the same input gives the same fields, so re-extraction is reproducible.
pub trait Extractor: Send + Sync {
    /// Describes the extractor; called once when it is loaded.
    fn manifest(&self) -> Manifest;

    /// Extracts fields from one document.
    fn extract(&self, input: &ExtractInput<'_>) -> Result<Extraction, ExtractError>;

    /// Extracts fields from several documents: one result per input, in order. The default
    /// calls [`Extractor::extract`] for each; an extractor running in another process
    /// overrides it to send every document before reading the answers, so a batch costs one
    /// round trip's latency instead of one per document.
    fn extract_batch(&self, inputs: &[ExtractInput<'_>]) -> Vec<Result<Extraction, ExtractError>> {
        inputs.iter().map(|input| self.extract(input)).collect()
    }
}

/// Why the pipeline could not be built or could not process a document.
#[derive(Debug, Error)]
pub enum PipelineError {
    /// An extractor's manifest is malformed.
    #[error("extractor {name:?} has an invalid manifest: {reason}")]
    InvalidManifest {
        /// The extractor's name as given.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// Two extractors share a name.
    #[error("two extractors are named {0:?}; remove one of them")]
    DuplicateName(String),
    /// An extractor requires a field nothing provides.
    #[error("extractor {name:?} requires field {field:?}, which no loaded extractor provides")]
    MissingProvider {
        /// The extractor that requires the field.
        name: String,
        /// The required field.
        field: String,
    },
    /// The requires/provides graph has a cycle.
    #[error("extractors {0:?} require each other's fields in a cycle")]
    Cycle(Vec<String>),
    /// An extractor failed on a document.
    #[error("extractor {plugin:?} failed: {source}")]
    Extract {
        /// The extractor's name.
        plugin: String,
        /// Its error.
        source: ExtractError,
    },
    /// An extractor returned output that does not match its manifest; nothing was written.
    #[error("extractor {plugin:?} returned invalid output: {reason}")]
    InvalidOutput {
        /// The extractor's name.
        plugin: String,
        /// What is wrong.
        reason: String,
    },
}

/// Extractors in dependency order, each with its manifest.
pub struct Pipeline {
    stages: Vec<(Manifest, Box<dyn Extractor>)>,
}

/// A document as the pipeline sees it.
#[derive(Clone, Copy, Debug)]
pub struct Doc<'a> {
    /// The id, 64 hex digits.
    pub id: &'a str,
    /// The media type.
    pub media_type: &'a str,
    /// The decoded text.
    pub text: &'a str,
    /// The original bytes.
    pub raw: &'a [u8],
    /// The source URL.
    pub url: Option<&'a str>,
}

/// The fields and provenance the pipeline produced for one document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PipelineOutput {
    /// All fields produced.
    pub fields: Fields,
    /// Per field, which extractor produced it.
    pub provenance: BTreeMap<String, Provenance>,
}

impl Pipeline {
    /// A pipeline that extracts nothing (`import --no-extract`).
    pub fn empty() -> Pipeline {
        Pipeline { stages: Vec::new() }
    }

    /// Validates the manifests and orders the extractors so that every extractor runs after
    /// those providing the fields it requires (ties keep the given order).
    pub fn new(extractors: Vec<Box<dyn Extractor>>) -> Result<Pipeline, PipelineError> {
        let mut pending: Vec<(Manifest, Box<dyn Extractor>)> = Vec::new();
        let mut names = BTreeSet::new();
        for extractor in extractors {
            let manifest = extractor.manifest();
            manifest
                .validate()
                .map_err(|reason| PipelineError::InvalidManifest {
                    name: manifest.name.clone(),
                    reason,
                })?;
            if !names.insert(manifest.name.clone()) {
                return Err(PipelineError::DuplicateName(manifest.name));
            }
            pending.push((manifest, extractor));
        }
        for (manifest, _) in &pending {
            for field in &manifest.requires {
                let provided = pending.iter().any(|(m, _)| {
                    m.name != manifest.name && m.fields.iter().any(|f| &f.name == field)
                });
                if !provided {
                    return Err(PipelineError::MissingProvider {
                        name: manifest.name.clone(),
                        field: field.clone(),
                    });
                }
            }
        }
        let mut stages = Vec::with_capacity(pending.len());
        while !pending.is_empty() {
            // The first extractor none of whose requirements is still pending.
            let ready = pending.iter().position(|(m, _)| {
                m.requires.iter().all(|field| {
                    !pending.iter().any(|(other, _)| {
                        other.name != m.name && other.fields.iter().any(|f| &f.name == field)
                    })
                })
            });
            match ready {
                Some(i) => stages.push(pending.remove(i)),
                None => {
                    return Err(PipelineError::Cycle(
                        pending.into_iter().map(|(m, _)| m.name).collect(),
                    ));
                }
            }
        }
        Ok(Pipeline { stages })
    }

    /// The manifests in the order the extractors run.
    pub fn manifests(&self) -> impl Iterator<Item = &Manifest> {
        self.stages.iter().map(|(m, _)| m)
    }

    /// Runs every extractor that accepts the document's media type. The first failure fails the
    /// whole document, so a document is never archived with half of its fields.
    pub fn run(
        &self,
        id: &str,
        media_type: &str,
        text: &str,
        raw: &[u8],
        url: Option<&str>,
    ) -> Result<PipelineOutput, PipelineError> {
        let doc = Doc {
            id,
            media_type,
            text,
            raw,
            url,
        };
        self.run_from(&doc, PipelineOutput::default(), None)
    }

    /// Runs the pipeline over several documents; each extractor gets the whole batch at once
    /// (see [`Extractor::extract_batch`]). One result per document, in order; a document an
    /// extractor fails on is not given to the extractors after it.
    pub fn run_batch(&self, docs: &[Doc<'_>]) -> Vec<Result<PipelineOutput, PipelineError>> {
        let starts = docs.iter().map(|_| PipelineOutput::default()).collect();
        self.run_batch_from(docs, starts, None)
    }

    /// Runs the extractors again over stored documents, one result per document, in order:
    /// `only` names one extractor to rerun (the others' fields are kept and given to it as
    /// input), `None` reruns all of them. Fields produced by extractors that are not loaded any
    /// more are kept as they were. Each extractor gets the whole batch at once, as in
    /// [`Pipeline::run_batch`].
    pub fn rerun_batch(
        &self,
        docs: &[Doc<'_>],
        stored: Vec<PipelineOutput>,
        only: Option<&str>,
    ) -> Vec<Result<PipelineOutput, PipelineError>> {
        let rerun = |plugin: &str| match only {
            Some(name) => plugin == name,
            None => self.stages.iter().any(|(m, _)| m.name == plugin),
        };
        let starts = stored
            .into_iter()
            .map(|mut kept| {
                kept.provenance.retain(|field, p| {
                    let keep = !rerun(&p.plugin);
                    if !keep {
                        kept.fields.remove(field);
                    }
                    keep
                });
                kept
            })
            .collect();
        self.run_batch_from(docs, starts, only)
    }

    fn run_from(
        &self,
        doc: &Doc<'_>,
        start: PipelineOutput,
        only: Option<&str>,
    ) -> Result<PipelineOutput, PipelineError> {
        let mut results = self.run_batch_from(std::slice::from_ref(doc), vec![start], only);
        results
            .pop()
            .unwrap_or_else(|| Ok(PipelineOutput::default()))
    }

    /// The one mechanism behind `run`, `run_batch` and `rerun_batch`: each stage (or only the named
    /// one) runs over the documents of the batch that accept it and have not failed yet.
    fn run_batch_from(
        &self,
        docs: &[Doc<'_>],
        starts: Vec<PipelineOutput>,
        only: Option<&str>,
    ) -> Vec<Result<PipelineOutput, PipelineError>> {
        let mut outs: Vec<Result<PipelineOutput, PipelineError>> =
            starts.into_iter().map(Ok).collect();
        for (manifest, extractor) in &self.stages {
            if only.is_some_and(|name| name != manifest.name) {
                continue;
            }
            let (indices, results) = {
                let (indices, inputs): (Vec<usize>, Vec<ExtractInput<'_>>) = docs
                    .iter()
                    .zip(&outs)
                    .enumerate()
                    .filter(|(_, (doc, _))| manifest.accepts(doc.media_type))
                    .filter_map(|(i, (doc, out))| {
                        let out = out.as_ref().ok()?;
                        Some((
                            i,
                            ExtractInput {
                                id: doc.id,
                                media_type: doc.media_type,
                                text: doc.text,
                                raw: doc.raw,
                                url: doc.url,
                                fields: &out.fields,
                            },
                        ))
                    })
                    .unzip();
                if inputs.is_empty() {
                    continue;
                }
                (indices, extractor.extract_batch(&inputs))
            };
            let mut results = results.into_iter();
            for i in indices {
                let result = results.next().unwrap_or_else(|| {
                    Err(ExtractError::Internal(
                        "extract_batch returned too few results".into(),
                    ))
                });
                if let Ok(out) = &mut outs[i]
                    && let Err(e) = merge(manifest, result, out)
                {
                    outs[i] = Err(e);
                }
            }
        }
        outs
    }
}

/// Validates one extractor's result and adds its fields, with provenance, to `out`.
fn merge(
    manifest: &Manifest,
    result: Result<Extraction, ExtractError>,
    out: &mut PipelineOutput,
) -> Result<(), PipelineError> {
    let extraction = result.map_err(|source| PipelineError::Extract {
        plugin: manifest.name.clone(),
        source,
    })?;
    check_output(manifest, &extraction.fields).map_err(|reason| PipelineError::InvalidOutput {
        plugin: manifest.name.clone(),
        reason,
    })?;
    for (name, value) in extraction.fields {
        out.provenance.insert(
            name.clone(),
            Provenance {
                plugin: manifest.name.clone(),
                version: manifest.version.clone(),
                schema: SCHEMA_VERSION,
            },
        );
        out.fields.insert(name, value);
    }
    Ok(())
}

/// Checks an extraction against the manifest: every field declared, of its declared type, not
/// null, and every required field present.
pub fn check_output(manifest: &Manifest, fields: &Fields) -> Result<(), String> {
    for (name, value) in fields {
        let Some(decl) = manifest.fields.iter().find(|d| &d.name == name) else {
            return Err(format!("field {name:?} is not declared in its manifest"));
        };
        if value.is_null() {
            return Err(format!("field {name:?} is null; leave absent fields out"));
        }
        if !decl.kind.matches(value) {
            return Err(format!(
                "field {name:?} should be {} but is {}",
                decl.kind,
                json_kind(value)
            ));
        }
    }
    for decl in manifest.fields.iter().filter(|d| d.required) {
        if !fields.contains_key(&decl.name) {
            return Err(format!("required field {:?} is missing", decl.name));
        }
    }
    Ok(())
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Fixed {
        manifest: Manifest,
        out: Fields,
    }

    impl Extractor for Fixed {
        fn manifest(&self) -> Manifest {
            self.manifest.clone()
        }
        fn extract(&self, input: &ExtractInput<'_>) -> Result<Extraction, ExtractError> {
            let mut fields = self.out.clone();
            // Record what it saw so tests can check the order.
            if self
                .manifest
                .requires
                .iter()
                .any(|r| !input.fields.contains_key(r))
            {
                return Err(ExtractError::Internal("requirement not met".into()));
            }
            fields.retain(|_, v| !v.is_null());
            Ok(Extraction { fields })
        }
    }

    fn fixed(
        name: &str,
        fields: Vec<FieldDecl>,
        requires: &[&str],
        out: Fields,
    ) -> Box<dyn Extractor> {
        Box::new(Fixed {
            manifest: Manifest {
                name: name.into(),
                version: "1.0.0".into(),
                description: String::new(),
                media_types: vec!["text/plain".into()],
                fields,
                requires: requires.iter().map(|s| s.to_string()).collect(),
            },
            out,
        })
    }

    fn fields(pairs: &[(&str, serde_json::Value)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn orders_by_requires_and_records_provenance() {
        let a = fixed(
            "wc",
            vec![FieldDecl::optional("wc.n", FieldType::Integer)],
            &["body"],
            fields(&[("wc.n", json!(3))]),
        );
        let b = fixed(
            "structure",
            vec![FieldDecl::required("body", FieldType::String)],
            &[],
            fields(&[("body", json!("a b c"))]),
        );
        let p = Pipeline::new(vec![a, b]).unwrap();
        let names: Vec<_> = p.manifests().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["structure", "wc"]);
        let out = p.run("id", "text/plain", "t", b"t", None).unwrap();
        assert_eq!(out.fields["wc.n"], json!(3));
        assert_eq!(out.provenance["body"].plugin, "structure");
        assert_eq!(out.provenance["wc.n"].version, "1.0.0");
    }

    #[test]
    fn skips_other_media_types() {
        let a = fixed(
            "s",
            vec![FieldDecl::optional("title", FieldType::String)],
            &[],
            fields(&[("title", json!("x"))]),
        );
        let p = Pipeline::new(vec![a]).unwrap();
        assert!(
            p.run("id", "text/html", "", b"", None)
                .unwrap()
                .fields
                .is_empty()
        );
    }

    #[test]
    fn rejects_bad_graphs_and_manifests() {
        let dup = Pipeline::new(vec![
            fixed("a", vec![], &[], Fields::new()),
            fixed("a", vec![], &[], Fields::new()),
        ]);
        assert!(matches!(dup, Err(PipelineError::DuplicateName(n)) if n == "a"));
        let missing = Pipeline::new(vec![fixed("a", vec![], &["body"], Fields::new())]);
        assert!(matches!(
            missing,
            Err(PipelineError::MissingProvider { .. })
        ));
        let cycle = Pipeline::new(vec![
            fixed(
                "a",
                vec![FieldDecl::optional("title", FieldType::String)],
                &["body"],
                Fields::new(),
            ),
            fixed(
                "b",
                vec![FieldDecl::optional("body", FieldType::String)],
                &["title"],
                Fields::new(),
            ),
        ]);
        assert!(matches!(cycle, Err(PipelineError::Cycle(_))));
        let unprefixed = Pipeline::new(vec![fixed(
            "a",
            vec![FieldDecl::optional("minutes", FieldType::Number)],
            &[],
            Fields::new(),
        )]);
        assert!(matches!(
            unprefixed,
            Err(PipelineError::InvalidManifest { .. })
        ));
    }

    #[test]
    fn validates_output_before_anything_is_kept() {
        let decl = vec![
            FieldDecl::required("title", FieldType::String),
            FieldDecl::optional("word_count", FieldType::Integer),
        ];
        let cases = [
            (
                fields(&[("word_count", json!(2))]),
                "required field \"title\" is missing",
            ),
            (
                fields(&[("title", json!(1))]),
                "should be string but is number",
            ),
            (
                fields(&[("title", json!("t")), ("site", json!("x"))]),
                "not declared",
            ),
            (
                fields(&[("title", json!("t")), ("word_count", json!(1.5))]),
                "should be integer",
            ),
        ];
        for (out, expected) in cases {
            let p = Pipeline::new(vec![fixed("s", decl.clone(), &[], out)]).unwrap();
            let err = p
                .run("id", "text/plain", "", b"", None)
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{err} should contain {expected}");
        }
    }

    /// Fails the documents whose text says "bad", through the default `extract_batch`.
    struct Picky;

    impl Extractor for Picky {
        fn manifest(&self) -> Manifest {
            Manifest {
                name: "picky".into(),
                version: "1.0.0".into(),
                description: String::new(),
                media_types: vec!["text/plain".into()],
                fields: vec![FieldDecl::required("title", FieldType::String)],
                requires: Vec::new(),
            }
        }
        fn extract(&self, input: &ExtractInput<'_>) -> Result<Extraction, ExtractError> {
            if input.text == "bad" {
                return Err(ExtractError::Input("bad text".into()));
            }
            let mut fields = Fields::new();
            fields.insert("title".into(), json!(input.text));
            Ok(Extraction { fields })
        }
    }

    #[test]
    fn a_batch_fails_only_its_failing_documents() {
        let after = fixed(
            "after",
            vec![FieldDecl::optional("after.n", FieldType::Integer)],
            &["title"],
            fields(&[("after.n", json!(1))]),
        );
        let p = Pipeline::new(vec![after, Box::new(Picky)]).unwrap();
        let doc = |text: &'static str, media_type: &'static str| Doc {
            id: "id",
            media_type,
            text,
            raw: text.as_bytes(),
            url: None,
        };
        let docs = [
            doc("one", "text/plain"),
            doc("bad", "text/plain"),
            doc("<p>", "text/html"),
            doc("two", "text/plain"),
        ];
        let out = p.run_batch(&docs);
        assert_eq!(out.len(), 4);
        assert_eq!(out[0].as_ref().unwrap().fields["title"], json!("one"));
        assert_eq!(out[0].as_ref().unwrap().fields["after.n"], json!(1));
        assert!(matches!(&out[1], Err(PipelineError::Extract { plugin, .. }) if plugin == "picky"));
        assert!(out[2].as_ref().unwrap().fields.is_empty());
        assert_eq!(out[3].as_ref().unwrap().fields["title"], json!("two"));
        // The batch gives the same result as one document at a time.
        for (d, batched) in docs.iter().zip(&out) {
            let single = p.run(d.id, d.media_type, d.text, d.raw, None);
            assert_eq!(single.ok(), batched.as_ref().ok().cloned());
        }
    }

    #[test]
    fn rerun_batch_replaces_only_what_it_reruns() {
        let after = fixed(
            "after",
            vec![FieldDecl::optional("after.n", FieldType::Integer)],
            &["title"],
            fields(&[("after.n", json!(2))]),
        );
        let p = Pipeline::new(vec![after, Box::new(Picky)]).unwrap();
        let doc = |text: &'static str| Doc {
            id: "id",
            media_type: "text/plain",
            text,
            raw: text.as_bytes(),
            url: None,
        };
        let provenance = |plugin: &str| Provenance {
            plugin: plugin.into(),
            version: "0.9.0".into(),
            schema: SCHEMA_VERSION,
        };
        // What an older run stored: a title, a stale after.n, a field `after` no longer
        // produces, and a field from an extractor that is not loaded any more.
        let stored = |title: &str| PipelineOutput {
            fields: fields(&[
                ("title", json!(title)),
                ("after.n", json!(1)),
                ("after.old", json!(0)),
                ("gone.x", json!(true)),
            ]),
            provenance: [
                ("title".to_string(), provenance("picky")),
                ("after.n".to_string(), provenance("after")),
                ("after.old".to_string(), provenance("after")),
                ("gone.x".to_string(), provenance("gone")),
            ]
            .into_iter()
            .collect(),
        };
        let docs = [doc("new one"), doc("bad"), doc("new two")];
        let starts = || vec![stored("old one"), stored("old bad"), stored("old two")];

        let only = p.rerun_batch(&docs, starts(), Some("after"));
        assert_eq!(only.len(), 3);
        for out in &only {
            let out = out.as_ref().unwrap();
            assert!(out.fields["title"].as_str().unwrap().starts_with("old"));
            assert_eq!(out.provenance["title"].version, "0.9.0");
            assert_eq!(out.fields["after.n"], json!(2));
            assert_eq!(out.provenance["after.n"].version, "1.0.0");
            assert!(!out.fields.contains_key("after.old"));
            assert!(!out.provenance.contains_key("after.old"));
            assert_eq!(out.fields["gone.x"], json!(true));
        }

        let all = p.rerun_batch(&docs, starts(), None);
        assert_eq!(all[0].as_ref().unwrap().fields["title"], json!("new one"));
        assert!(matches!(&all[1], Err(PipelineError::Extract { plugin, .. }) if plugin == "picky"));
        let two = all[2].as_ref().unwrap();
        assert_eq!(two.fields["title"], json!("new two"));
        assert_eq!(two.fields["after.n"], json!(2));
        assert_eq!(two.fields["gone.x"], json!(true));
        assert_eq!(two.provenance["gone.x"].plugin, "gone");
    }

    #[test]
    fn field_types_match_json() {
        assert!(FieldType::StringList.matches(&json!(["a", "b"])));
        assert!(!FieldType::StringList.matches(&json!(["a", 1])));
        assert!(FieldType::ObjectList.matches(&json!([{"a": 1}])));
        assert!(FieldType::Number.matches(&json!(1.5)));
        assert!(!FieldType::Integer.matches(&json!(1.5)));
        let m: FieldType = serde_json::from_str("\"string[]\"").unwrap();
        assert_eq!(m, FieldType::StringList);
    }
}
