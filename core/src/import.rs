//! Import: reads files, directories, stdin and JSONL exports, skips what it cannot read with a
//! reason, deduplicates by content, runs the extractor pipeline and writes in flushed batches.
//! A document is reported archived only after the batch holding it was flushed.

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use globset::{Glob, GlobSet, GlobSetBuilder};
use sha2::{Digest, Sha256};

use crate::archive::{Archive, StoredDoc, merge_tags};
use crate::error::{Error, Result};
use crate::export::{DocumentJson, EXPORT_VERSION};
use crate::extract::{Doc, Pipeline, PipelineError, PipelineOutput};
use crate::index::{Facet, IndexDoc, facet_key};
use crate::model::{self, DocId, Source};
use crate::store::{FacetChange, WriteBatch};
use crate::text::{self, InputKind};

/// Default `--max-size`: 64 MiB a document.
pub const DEFAULT_MAX_SIZE: u64 = 64 * 1024 * 1024;
/// Documents per flushed batch. Larger batches write faster; this bound keeps memory flat.
const BATCH_DOCS: usize = 2000;
/// Documents given to the extractors at once: enough to keep an isolated plugin host busy
/// while its answers are read, small enough to keep memory flat.
const EXTRACT_BATCH: usize = 256;
/// Raw bytes per flushed batch.
const BATCH_BYTES: usize = 32 * 1024 * 1024;

/// One thing named on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A file or a directory (read recursively).
    Path(PathBuf),
    /// Standard input (`-`).
    Stdin,
}

/// Options of an import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Force the kind of every input instead of going by extension (`--format`).
    pub format: Option<InputKind>,
    /// Tags added to every document imported or found already archived.
    pub tags: Vec<String>,
    /// The source URL, for a single document.
    pub url: Option<String>,
    /// Largest document accepted, in bytes.
    pub max_size: u64,
    /// Stop at the first failure.
    pub strict: bool,
    /// Read hidden files and folders (names starting with `.`) found inside directories.
    pub include_hidden: bool,
    /// Globs of files and folders to leave out inside directories (`--exclude`).
    pub exclude: Vec<String>,
}

impl ImportOptions {
    /// Checks what can be wrong with the options on their own (a tag [`model::check_tag`]
    /// refuses, an `exclude` glob that does not parse) without reading anything;
    /// [`Importer::new`] checks the same.
    pub fn check(&self) -> Result<()> {
        check_tags(&self.tags)?;
        exclude_set(&self.exclude).map(|_| ())
    }
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            format: None,
            tags: Vec::new(),
            url: None,
            max_size: DEFAULT_MAX_SIZE,
            strict: false,
            include_hidden: false,
            exclude: Vec::new(),
        }
    }
}

/// What happened to one input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Newly archived (and flushed).
    Archived {
        /// Its id.
        id: DocId,
        /// Path (and line) or `<stdin>`.
        origin: String,
    },
    /// The same bytes were already in the archive; the path and tags were added to it.
    AlreadyArchived {
        /// Its id.
        id: DocId,
        /// Path (and line) or `<stdin>`.
        origin: String,
    },
    /// Not something morgue reads; nothing was written.
    Skipped {
        /// Path.
        origin: String,
        /// Why.
        reason: String,
    },
    /// Could not be archived; nothing was written for it.
    Failed {
        /// Path (and line) or `<stdin>`.
        origin: String,
        /// Why.
        reason: String,
    },
}

/// Receives progress and outcomes as the import goes.
pub trait Reporter {
    /// The number of files found, before reading any of them.
    fn begin(&mut self, _files: u64) {}
    /// One file has been read and processed.
    fn file_done(&mut self) {}
    /// An outcome; archived ones arrive only after their batch was flushed.
    fn outcome(&mut self, _outcome: &Outcome) {}
    /// Something worth telling that did not stop the document (such as an encoding fallback).
    fn warning(&mut self, _origin: &str, _message: &str) {}
}

/// Counts at the end of an import.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Newly archived documents.
    pub archived: u64,
    /// Documents that were already archived.
    pub already: u64,
    /// Files skipped as unsupported.
    pub skipped: u64,
    /// Inputs that failed.
    pub failed: u64,
    /// Stopped early by `--strict` after a failure.
    pub stopped: bool,
    /// Stopped early by Ctrl-C.
    pub interrupted: bool,
    /// Hidden files and folders (names starting with `.`) left out inside directories, a
    /// folder counting once; always 0 with [`ImportOptions::include_hidden`]. Not in
    /// `skipped`.
    pub hidden: u64,
    /// Morgue archive folders left out (never read, whatever their name), the one being
    /// imported into among them. Not in `skipped`.
    pub archives: u64,
    /// Files and folders inside directories left out by [`ImportOptions::exclude`], a folder
    /// counting once. Not in `skipped`.
    pub excluded: u64,
}

/// An import into an open archive.
pub struct Importer<'a> {
    archive: &'a Archive,
    pipeline: &'a Pipeline,
    options: &'a ImportOptions,
    reporter: &'a mut dyn Reporter,
    cancel: &'a AtomicBool,
    summary: Summary,
    imported_at: String,
    next_seq: u64,
    batch: Pending,
    extracting: Vec<Waiting>,
    extracting_index: HashMap<DocId, usize>,
    /// Whether the archive has a full-text index that this import must keep current.
    keep_index: bool,
    /// Threads that analyse a batch for the index.
    index_threads: usize,
    /// The last directory made absolute, and its absolute form: files of one directory
    /// follow each other, and resolving every path whole costs a system call per component.
    last_dir: Option<(PathBuf, PathBuf)>,
    /// The batch being written on the committing thread while the next one is read.
    in_flight: Option<InFlight>,
    /// Sends batches to the committing thread, during [`Importer::run`].
    committer: Option<Committer>,
    /// What a directory walk leaves out.
    walk: WalkRules,
}

/// What a directory walk leaves out: hidden entries (unless asked for), entries matching an
/// `--exclude` glob, and morgue archives, the one being imported into among them.
struct WalkRules {
    include_hidden: bool,
    exclude: GlobSet,
    /// The archive being imported into, with every link resolved.
    own_archive: Option<PathBuf>,
}

/// Why a walk left an entry out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LeftOut {
    Hidden,
    Excluded,
    Archive,
}

impl WalkRules {
    /// Why the entry at `path`, `depth` levels below the walk's `root`, is left out, if it is.
    /// The root itself is never hidden or excluded (it was named on purpose), but it may be
    /// an archive.
    fn left_out(&self, root: &Path, path: &Path, depth: usize, is_dir: bool) -> Option<LeftOut> {
        if depth > 0
            && let Some(why) = self.left_out_by_name(root, path, is_dir)
        {
            return Some(why);
        }
        (is_dir && self.is_archive(path)).then_some(LeftOut::Archive)
    }

    /// The rules that go by the entry's name and its path below `root` alone.
    fn left_out_by_name(&self, root: &Path, path: &Path, is_dir: bool) -> Option<LeftOut> {
        let name = path.file_name()?;
        if !self.include_hidden && name.as_encoded_bytes().starts_with(b".") {
            return Some(LeftOut::Hidden);
        }
        if self.exclude.is_empty() {
            return None;
        }
        let relative = path.strip_prefix(root).unwrap_or(path);
        let excluded = self.exclude.is_match(relative)
            || self.exclude.is_match(Path::new(name))
            // `drafts/**` and `drafts/*` match `drafts/`: the folder goes whole.
            || is_dir && {
                let mut with_slash = relative.as_os_str().to_owned();
                with_slash.push("/");
                self.exclude.is_match(Path::new(&with_slash))
            };
        excluded.then_some(LeftOut::Excluded)
    }

    /// Whether `dir` is a morgue archive: it holds the `lock` file every open creates and
    /// the sled store's `db/conf` or the `manifest.json` written after each flush (see
    /// [`crate::archive`]); or it is, or lies inside, the archive being imported into.
    fn is_archive(&self, dir: &Path) -> bool {
        // `lock` first: most folders lack it, and then one system call settles it.
        if dir.join("lock").is_file()
            && (dir.join("db").join("conf").is_file() || dir.join("manifest.json").is_file())
        {
            return true;
        }
        self.own_archive
            .as_ref()
            .is_some_and(|own| fs::canonicalize(dir).is_ok_and(|dir| dir.starts_with(own)))
    }
}

/// Refuses the first tag of `tags` that [`model::check_tag`] refuses.
fn check_tags(tags: &[String]) -> Result<()> {
    for tag in tags {
        model::check_tag(tag).map_err(|reason| Error::BadTag {
            tag: tag.clone(),
            reason,
        })?;
    }
    Ok(())
}

/// The `--exclude` globs as one set; a glob that does not parse is an error naming it.
fn exclude_set(globs: &[String]) -> Result<GlobSet> {
    let mut set = GlobSetBuilder::new();
    for glob in globs {
        set.add(Glob::new(glob).map_err(|e| Error::BadGlob {
            glob: glob.clone(),
            reason: e.kind().to_string(),
        })?);
    }
    set.build().map_err(|e| Error::BadGlob {
        glob: e.glob().unwrap_or_default().to_owned(),
        reason: e.kind().to_string(),
    })
}

/// A batch handed to the committing thread: what it writes (still visible to the importer,
/// so a document in it is not taken for new) and the outcomes to report once it is flushed.
struct InFlight {
    batch: Arc<WriteBatch>,
    index: HashMap<DocId, usize>,
    outcomes: Vec<Outcome>,
}

/// The importer's ends of the committing thread's channels.
struct Committer {
    batches: std::sync::mpsc::SyncSender<Arc<WriteBatch>>,
    done: std::sync::mpsc::Receiver<Result<()>>,
}

/// A document read and decoded, waiting for the extractors.
struct Waiting {
    id: DocId,
    seq: u64,
    bytes: Vec<u8>,
    text: String,
    encoding: &'static str,
    media_type: String,
    paths: Vec<String>,
    origin: String,
    /// Where the same bytes were seen again in this batch.
    duplicates: Vec<String>,
}

/// Writes not yet flushed, and the outcomes to report once they are.
#[derive(Default)]
struct Pending {
    raw: Vec<(DocId, Vec<u8>)>,
    raw_bytes: usize,
    records: Vec<StoredDoc>,
    index: HashMap<DocId, usize>,
    outcomes: Vec<Outcome>,
}

enum Flow {
    Continue,
    Stop,
}

impl<'a> Importer<'a> {
    /// Prepares an import; nothing is read until [`Importer::run`].
    pub fn new(
        archive: &'a mut Archive,
        pipeline: &'a Pipeline,
        options: &'a ImportOptions,
        reporter: &'a mut dyn Reporter,
        cancel: &'a AtomicBool,
    ) -> Result<Importer<'a>> {
        let next_seq = archive.next_seq();
        // An archive gets an index from its first `reindex`; from then on imports keep it
        // current. (Indexing costs about three times the import itself, so archives that are
        // never searched do not pay it.)
        let keep_index = archive.has_index()?;
        check_tags(&options.tags)?;
        let walk = WalkRules {
            include_hidden: options.include_hidden,
            exclude: exclude_set(&options.exclude)?,
            own_archive: fs::canonicalize(archive.dir()).ok(),
        };
        Ok(Importer {
            archive,
            pipeline,
            options,
            reporter,
            cancel,
            summary: Summary::default(),
            imported_at: now_rfc3339(),
            next_seq,
            batch: Pending::default(),
            extracting: Vec::new(),
            extracting_index: HashMap::new(),
            keep_index,
            index_threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            last_dir: None,
            in_flight: None,
            committer: None,
            walk,
        })
    }

    /// Imports every input; `stdin` is read for `-`. Returns the counts; an `Err` means the
    /// archive itself failed (a store error), not an input.
    pub fn run(mut self, inputs: &[Input], stdin: &mut dyn Read) -> Result<Summary> {
        // A batch is written and flushed on a thread of its own while the next one is read
        // and extracted; its outcomes are reported once it is flushed.
        let archive = self.archive;
        std::thread::scope(|scope| {
            let (batches, to_commit) = std::sync::mpsc::sync_channel::<Arc<WriteBatch>>(0);
            let (committed, done) = std::sync::mpsc::sync_channel::<Result<()>>(1);
            scope.spawn(move || {
                for batch in to_commit {
                    let result = archive.commit(&batch);
                    let failed = result.is_err();
                    if committed.send(result).is_err() || failed {
                        break;
                    }
                }
            });
            self.committer = Some(Committer { batches, done });
            let result = self.read_all(inputs, stdin);
            // Closing the channel ends the committing thread.
            self.committer = None;
            result?;
            Ok(self.summary)
        })
    }

    fn read_all(&mut self, inputs: &[Input], stdin: &mut dyn Read) -> Result<()> {
        let files = self.expand(inputs);
        self.reporter.begin(
            files
                .iter()
                .filter(|f| matches!(f, Item::File(_) | Item::Stdin))
                .count() as u64,
        );
        for item in files {
            if self.cancel.load(Ordering::Relaxed) {
                self.summary.interrupted = true;
                break;
            }
            let flow = match item {
                Item::File(path) => self.file(&path)?,
                Item::Stdin => self.stdin(stdin)?,
                Item::Failed { origin, reason } => self.fail(origin, reason),
            };
            self.reporter.file_done();
            if matches!(flow, Flow::Stop) {
                break;
            }
        }
        self.flush()?;
        self.finish_in_flight()
    }

    /// Waits until the batch on the committing thread is flushed, then reports its outcomes.
    fn finish_in_flight(&mut self) -> Result<()> {
        let Some(in_flight) = self.in_flight.take() else {
            return Ok(());
        };
        if let Some(committer) = &self.committer {
            // A closed channel means the thread panicked, which the scope passes on.
            committer.done.recv().map_err(|_| Error::Interrupted)??;
        }
        self.report(in_flight.outcomes);
        Ok(())
    }

    fn report(&mut self, outcomes: Vec<Outcome>) {
        for outcome in outcomes {
            match outcome {
                Outcome::Archived { .. } => self.summary.archived += 1,
                Outcome::AlreadyArchived { .. } => self.summary.already += 1,
                _ => {}
            }
            self.reporter.outcome(&outcome);
        }
    }

    /// Expands directories (recursively, in name order) into files, keeping the order given;
    /// what the walk leaves out is counted in the summary.
    fn expand(&mut self, inputs: &[Input]) -> Vec<Item> {
        let mut items = Vec::new();
        for input in inputs {
            let path = match input {
                Input::Stdin => {
                    items.push(Item::Stdin);
                    continue;
                }
                Input::Path(path) => path,
            };
            match fs::metadata(path) {
                Err(e) => items.push(Item::Failed {
                    origin: path.display().to_string(),
                    reason: io_reason(&e),
                }),
                Ok(meta) if meta.is_dir() => self.walk(path, &mut items),
                Ok(_) => items.push(Item::File(path.clone())),
            }
        }
        items
    }

    /// Adds the files under the directory `root` to `items`, in name order, leaving out (and
    /// counting) what [`WalkRules`] says; a folder left out is not entered.
    fn walk(&mut self, root: &Path, items: &mut Vec<Item>) {
        let mut entries = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter();
        while let Some(entry) = entries.next() {
            let why = match entry {
                Ok(entry) => {
                    let is_dir = entry.file_type().is_dir();
                    match self
                        .walk
                        .left_out(root, entry.path(), entry.depth(), is_dir)
                    {
                        Some(why) => {
                            if is_dir {
                                entries.skip_current_dir();
                            }
                            why
                        }
                        None => {
                            if entry.file_type().is_file() {
                                items.push(Item::File(entry.into_path()));
                            }
                            continue;
                        }
                    }
                }
                Err(e) => {
                    // An entry that cannot be read (such as an editor's dangling `.#name`
                    // link) is still left out by its name.
                    let by_name = e
                        .path()
                        .filter(|_| e.depth() > 0)
                        .and_then(|p| self.walk.left_out_by_name(root, p, false));
                    match by_name {
                        Some(why) => why,
                        None => {
                            items.push(Item::Failed {
                                origin: e.path().unwrap_or(root).display().to_string(),
                                reason: e.to_string(),
                            });
                            continue;
                        }
                    }
                }
            };
            match why {
                LeftOut::Hidden => self.summary.hidden += 1,
                LeftOut::Excluded => self.summary.excluded += 1,
                LeftOut::Archive => self.summary.archives += 1,
            }
        }
    }

    fn file(&mut self, path: &Path) -> Result<Flow> {
        let origin = path.display().to_string();
        let kind = match self.options.format.or_else(|| InputKind::from_path(path)) {
            Some(kind) => kind,
            None => {
                let reason = match path.extension() {
                    Some(ext) => format!("unsupported file type .{}", ext.to_string_lossy()),
                    None => "no file extension".to_owned(),
                };
                let outcome = Outcome::Skipped {
                    origin,
                    reason: format!(
                        "{reason}; morgue reads .txt, .html, .htm and .jsonl (or pass --format)"
                    ),
                };
                self.summary.skipped += 1;
                self.reporter.outcome(&outcome);
                return Ok(Flow::Continue);
            }
        };
        let file = match fs::File::open(path) {
            Ok(f) => f,
            Err(e) => return Ok(self.fail(origin, io_reason(&e))),
        };
        if kind == InputKind::Jsonl {
            return self.jsonl(BufReader::new(file), &origin);
        }
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        if len > self.options.max_size {
            return Ok(self.fail(origin, too_big(Some(len), self.options.max_size)));
        }
        let bytes = match read_at_most(file, self.options.max_size, len) {
            // The file grew while it was read; it is not read past the limit.
            Ok((_, true)) => return Ok(self.fail(origin, too_big(None, self.options.max_size))),
            Ok((bytes, false)) => bytes,
            Err(e) => return Ok(self.fail(origin, io_reason(&e))),
        };
        let absolute = self.absolute(path);
        self.document(
            bytes,
            kind.media_type(),
            Some(model::record_path(&absolute)),
            origin,
        )
    }

    /// `path` with every symbolic link resolved, as `fs::canonicalize` gives it; its directory
    /// is resolved once for all the files in it. A path that cannot be resolved is made
    /// absolute as it is.
    fn absolute(&mut self, path: &Path) -> PathBuf {
        let whole = |path: &Path| {
            fs::canonicalize(path)
                .or_else(|_| std::path::absolute(path))
                .unwrap_or_else(|_| path.to_owned())
        };
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return whole(path);
        };
        // A link's target may be anywhere.
        if dir.as_os_str().is_empty()
            || fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
        {
            return whole(path);
        }
        match &self.last_dir {
            Some((last, resolved)) if last == dir => resolved.join(name),
            _ => match fs::canonicalize(dir) {
                Ok(resolved) => {
                    let absolute = resolved.join(name);
                    self.last_dir = Some((dir.to_owned(), resolved));
                    absolute
                }
                Err(_) => whole(path),
            },
        }
    }

    /// Reads stdin: an export a line at a time, however long the stream, with `--max-size`
    /// applying to each document in it; anything else as one document of at most `--max-size`.
    fn stdin(&mut self, stdin: &mut dyn Read) -> Result<Flow> {
        let origin = "<stdin>".to_owned();
        let mut head = Vec::new();
        if let Err(e) = (&mut *stdin).take(SNIFF_BYTES).read_to_end(&mut head) {
            return Ok(self.fail(origin, io_reason(&e)));
        }
        let kind = self
            .options
            .format
            .unwrap_or_else(|| InputKind::sniff(&head));
        let whole = head.as_slice().chain(stdin);
        if kind == InputKind::Jsonl {
            return self.jsonl(BufReader::new(whole), &origin);
        }
        let bytes = match read_at_most(whole, self.options.max_size, 0) {
            Ok((_, true)) => return Ok(self.fail(origin, too_big(None, self.options.max_size))),
            Ok((bytes, false)) => bytes,
            Err(e) => return Ok(self.fail(origin, io_reason(&e))),
        };
        self.document(bytes, kind.media_type(), None, origin)
    }

    /// Archives one document's bytes, or adds the path and tags to the copy already archived.
    fn document(
        &mut self,
        bytes: Vec<u8>,
        media_type: &str,
        path: Option<String>,
        origin: String,
    ) -> Result<Flow> {
        let id = DocId(Sha256::digest(&bytes).into());
        if self.merge_existing(&id, path.as_deref(), None, &[])? {
            self.batch
                .outcomes
                .push(Outcome::AlreadyArchived { id, origin });
            return self.after_add();
        }
        if let Some(&i) = self.extracting_index.get(&id) {
            // The same bytes earlier in this batch, still waiting for the extractors.
            let waiting = &mut self.extracting[i];
            if let Some(path) = path
                && !waiting.paths.contains(&path)
            {
                waiting.paths.push(path);
            }
            waiting.duplicates.push(origin);
            return Ok(Flow::Continue);
        }
        let decoded = match text::decode_as(&bytes, media_type) {
            Ok(d) => d,
            Err(e) => return Ok(self.fail(origin, e.to_string())),
        };
        if let Some(warning) = decoded.warning() {
            self.reporter.warning(&origin, &warning);
        }
        let seq = self.take_seq();
        self.extracting_index.insert(id, self.extracting.len());
        self.extracting.push(Waiting {
            id,
            seq,
            bytes,
            text: decoded.text,
            encoding: decoded.encoding,
            media_type: media_type.to_owned(),
            paths: path.into_iter().collect(),
            origin,
            duplicates: Vec::new(),
        });
        // With --strict every document is extracted on its own, so the run stops right at the
        // first failure; otherwise documents go to the extractors in batches.
        let batch = if self.options.strict {
            1
        } else {
            EXTRACT_BATCH
        };
        if self.extracting.len() >= batch {
            return self.extract_waiting();
        }
        Ok(Flow::Continue)
    }

    /// Runs the extractors over the waiting documents as one batch and adds those that came
    /// through to the write batch.
    fn extract_waiting(&mut self) -> Result<Flow> {
        let waiting = std::mem::take(&mut self.extracting);
        self.extracting_index.clear();
        if waiting.is_empty() {
            return Ok(Flow::Continue);
        }
        let hexes: Vec<String> = waiting.iter().map(|w| w.id.to_hex()).collect();
        let url = self.options.url.as_deref();
        let docs: Vec<Doc<'_>> = waiting
            .iter()
            .zip(&hexes)
            .map(|(w, hex)| Doc {
                id: hex,
                media_type: &w.media_type,
                text: &w.text,
                raw: &w.bytes,
                url,
            })
            .collect();
        let results = run_split(self.pipeline, &docs, self.index_threads);
        drop(docs);
        let mut flow = Flow::Continue;
        for (w, result) in waiting.into_iter().zip(results) {
            let output = match result {
                Ok(out) => out,
                Err(e) => {
                    let reason = e.to_string();
                    for origin in std::iter::once(w.origin).chain(w.duplicates) {
                        if let Flow::Stop = self.fail(origin, reason.clone()) {
                            flow = Flow::Stop;
                        }
                    }
                    continue;
                }
            };
            let mut tags = Vec::new();
            merge_tags(&mut tags, &self.options.tags);
            let doc = StoredDoc {
                id: w.id,
                seq: w.seq,
                raw_len: w.bytes.len() as u64,
                source: Source {
                    paths: w.paths,
                    url: self.options.url.clone(),
                    media_type: w.media_type,
                    encoding: w.encoding.to_owned(),
                    imported_at: self.imported_at.clone(),
                    tags,
                },
                fields: output.fields,
                provenance: output.provenance,
            };
            self.add(doc, w.bytes);
            self.batch.outcomes.push(Outcome::Archived {
                id: w.id,
                origin: w.origin,
            });
            for origin in w.duplicates {
                self.batch
                    .outcomes
                    .push(Outcome::AlreadyArchived { id: w.id, origin });
            }
        }
        if let Flow::Stop = flow {
            return Ok(Flow::Stop);
        }
        self.after_add()
    }

    /// Reads a JSONL export line by line, holding one line at a time. A broken line, or one
    /// too long for a document of `--max-size` (see [`line_limit`]), fails alone; the others
    /// go on.
    fn jsonl(&mut self, mut reader: impl BufRead, origin: &str) -> Result<Flow> {
        let limit = line_limit(self.options.max_size);
        let mut line = Vec::new();
        for number in 1u64.. {
            let at = format!("{origin}:{number}");
            let read = match read_line(&mut reader, &mut line, limit) {
                Ok(Some(read)) => read,
                Ok(None) => break,
                Err(e) => return Ok(self.fail(at, io_reason(&e))),
            };
            if self.cancel.load(Ordering::Relaxed) {
                self.summary.interrupted = true;
                return Ok(Flow::Stop);
            }
            let flow = match read {
                Line::Whole => self.jsonl_line(&line, at)?,
                Line::TooLong(len) => {
                    let (len, limit) = two_sizes(len, limit);
                    let reason = format!(
                        "the line is {len}, longer than the {limit} an export line may take \
                         with a --max-size of {}; raise it with --max-size",
                        human_bytes(self.options.max_size)
                    );
                    self.fail(at, reason)
                }
            };
            if matches!(flow, Flow::Stop) {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    fn jsonl_line(&mut self, line: &[u8], at: String) -> Result<Flow> {
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(Flow::Continue);
        }
        let value: serde_json::Value = match serde_json::from_slice(line) {
            Ok(v) => v,
            Err(e) => return Ok(self.fail(at, format!("not valid JSON: {e}"))),
        };
        if let Some(version) = value.get("morgue_export") {
            return Ok(match version.as_u64() {
                Some(v) if v <= u64::from(EXPORT_VERSION) => Flow::Continue,
                _ => self.fail(
                    at,
                    format!("export format {version} is newer than this morgue reads ({EXPORT_VERSION}); upgrade morgue"),
                ),
            });
        }
        let doc: DocumentJson = match serde_json::from_value(value) {
            Ok(d) => d,
            Err(e) => return Ok(self.fail(at, format!("not a morgue document: {e}"))),
        };
        let Some(raw) = &doc.raw else {
            return Ok(self.fail(
                at,
                "no original bytes (\"raw\"): the export was written with --no-raw and cannot be archived".into(),
            ));
        };
        let bytes = match raw.to_bytes() {
            Ok(b) => b,
            Err(e) => return Ok(self.fail(at, e)),
        };
        if bytes.len() as u64 > self.options.max_size {
            return Ok(self.fail(at, too_big(Some(bytes.len() as u64), self.options.max_size)));
        }
        let id = DocId(Sha256::digest(&bytes).into());
        if id.to_hex() != doc.id.to_ascii_lowercase() {
            return Ok(self.fail(
                at,
                format!(
                    "id {} is not the SHA-256 of its raw bytes ({})",
                    doc.id,
                    id.to_hex()
                ),
            ));
        }
        let media_type = doc.source.media_type.as_str();
        if media_type != text::TEXT_PLAIN && media_type != text::TEXT_HTML {
            return Ok(self.fail(at, format!("unsupported media type {media_type:?}")));
        }
        if let Err(reason) = doc.check().and_then(|()| doc.check_raw(&bytes)) {
            return Ok(self.fail(at, reason));
        }
        if let Some(&i) = self.extracting_index.get(&id) {
            // The same bytes came earlier in this batch as a file still waiting for the
            // extractors: that copy is the one archived; this line adds its paths.
            let waiting = &mut self.extracting[i];
            for path in &doc.source.paths {
                if !waiting.paths.contains(path) {
                    waiting.paths.push(path.clone());
                }
            }
            waiting.duplicates.push(at);
            return Ok(Flow::Continue);
        }
        if self.merge_existing(&id, None, Some(&doc.source), &doc.source.tags)? {
            self.batch
                .outcomes
                .push(Outcome::AlreadyArchived { id, origin: at });
            return self.after_add();
        }
        // A restore keeps what the export recorded: sources, import time, fields and their
        // provenance, so exporting again gives the same lines.
        let mut source = doc.source;
        merge_tags(&mut source.tags, &self.options.tags);
        if source.encoding.is_empty() {
            source.encoding = "utf-8".into();
        }
        let stored = StoredDoc {
            id,
            seq: self.take_seq(),
            raw_len: bytes.len() as u64,
            source,
            fields: doc.fields,
            provenance: doc.provenance,
        };
        self.add(stored, bytes);
        self.batch
            .outcomes
            .push(Outcome::Archived { id, origin: at });
        self.after_add()
    }

    /// If `id` is archived (or pending in this batch), adds the path, the sources of an
    /// exported copy and the tags to it and returns true.
    fn merge_existing(
        &mut self,
        id: &DocId,
        path: Option<&str>,
        exported: Option<&Source>,
        extra_tags: &[String],
    ) -> Result<bool> {
        let in_flight = self
            .in_flight
            .as_ref()
            .and_then(|f| Some(f.batch.records[*f.index.get(id)?].clone()));
        // A document in the batch being written counts as archived, its bytes included.
        let written = in_flight.is_some();
        let (mut doc, pending_at) = match self.batch.index.get(id) {
            Some(&i) => (self.batch.records[i].clone(), Some(i)),
            None => match in_flight {
                Some(doc) => (doc, None),
                None => match self.archive.find(id)? {
                    Some(doc) => (doc, None),
                    None => return Ok(false),
                },
            },
        };
        let before = doc.source.clone();
        if let Some(path) = path
            && !doc.source.paths.iter().any(|p| p == path)
        {
            doc.source.paths.push(path.to_owned());
        }
        if let Some(src) = exported {
            for p in &src.paths {
                if !doc.source.paths.contains(p) {
                    doc.source.paths.push(p.clone());
                }
            }
            if doc.source.url.is_none() {
                doc.source.url = src.url.clone();
            }
        }
        if doc.source.url.is_none() {
            doc.source.url = self.options.url.clone();
        }
        merge_tags(&mut doc.source.tags, extra_tags);
        merge_tags(&mut doc.source.tags, &self.options.tags);
        match pending_at {
            Some(i) => self.batch.records[i] = doc,
            None => {
                // Repair a record whose original bytes did not survive a crash: the bytes
                // being imported are the same, so store them again.
                if !written && !self.archive.has_raw(id)? {
                    return Ok(false);
                }
                if doc.source != before {
                    self.batch.index.insert(*id, self.batch.records.len());
                    self.batch.records.push(doc);
                }
            }
        }
        Ok(true)
    }

    fn add(&mut self, doc: StoredDoc, bytes: Vec<u8>) {
        self.batch.raw_bytes += bytes.len();
        self.batch.raw.push((doc.id, bytes));
        match self.batch.index.get(&doc.id) {
            Some(&i) => self.batch.records[i] = doc,
            None => {
                self.batch.index.insert(doc.id, self.batch.records.len());
                self.batch.records.push(doc);
            }
        }
    }

    fn take_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    fn after_add(&mut self) -> Result<Flow> {
        if self.batch.records.len() >= BATCH_DOCS || self.batch.raw_bytes >= BATCH_BYTES {
            self.flush()?;
        }
        Ok(Flow::Continue)
    }

    fn fail(&mut self, origin: String, reason: String) -> Flow {
        self.summary.failed += 1;
        self.reporter.outcome(&Outcome::Failed { origin, reason });
        if self.options.strict {
            self.summary.stopped = true;
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    /// Writes and flushes the pending batch, then reports its outcomes.
    fn flush(&mut self) -> Result<()> {
        // Documents still waiting for the extractors go first; with --strict there are none
        // (each is extracted on its own), so no stop is lost here.
        let _ = self.extract_waiting()?;
        // The batch before this one lands first: the index numbers segments by what is
        // stored, and batches are written in order.
        self.finish_in_flight()?;
        let pending = std::mem::take(&mut self.batch);
        let mut batch = WriteBatch::default();
        if self.keep_index {
            // New documents (those whose bytes are in this batch) become one index segment;
            // documents already archived that only gained a path or tag keep their postings.
            let raws: HashMap<DocId, &[u8]> = pending
                .raw
                .iter()
                .map(|(id, bytes)| (*id, bytes.as_slice()))
                .collect();
            let new_docs: Vec<(&StoredDoc, &[u8])> = pending
                .records
                .iter()
                .filter_map(|doc| raws.get(&doc.id).map(|raw| (doc, *raw)))
                .collect();
            let mut docs = new_docs
                .into_iter()
                .map(|(doc, raw)| IndexDoc::new(doc, raw))
                .collect();
            // A segment holds a bounded number of terms (so writing it takes bounded memory):
            // a batch of more goes into several, all committed with the documents.
            let mut id = self.archive.next_segment()?;
            loop {
                let (segment, rest) = crate::index::build(docs, id, self.index_threads);
                batch.segments.push(segment);
                if rest.is_empty() {
                    break;
                }
                id += 1;
                docs = rest;
            }
            // Documents already archived that gained a tag keep their postings but join the
            // tag's list.
            for doc in &pending.records {
                if !raws.contains_key(&doc.id) {
                    for tag in &doc.source.tags {
                        batch.facets.push(FacetChange {
                            key: facet_key(Facet::Tag, &tag.to_lowercase()),
                            add: vec![doc.seq],
                            remove: Vec::new(),
                        });
                    }
                }
            }
        }
        batch.raw = pending.raw;
        batch.records = pending.records;
        let Some(committer) = &self.committer else {
            self.archive.commit(&batch)?;
            self.report(pending.outcomes);
            return Ok(());
        };
        let batch = Arc::new(batch);
        // The thread only stops on an error, which `finish_in_flight` reports.
        if committer.batches.send(Arc::clone(&batch)).is_ok() {
            let index = batch
                .records
                .iter()
                .enumerate()
                .map(|(i, d)| (d.id, i))
                .collect();
            self.in_flight = Some(InFlight {
                batch,
                index,
                outcomes: pending.outcomes,
            });
        }
        Ok(())
    }
}

enum Item {
    File(PathBuf),
    Stdin,
    Failed { origin: String, reason: String },
}

/// Runs `pipeline` over `docs` on up to `threads` threads, each taking a run of them; the
/// results are in the order of `docs`, as one call would give them.
fn run_split(
    pipeline: &Pipeline,
    docs: &[Doc<'_>],
    threads: usize,
) -> Vec<Result<PipelineOutput, PipelineError>> {
    // Below this a thread costs more than it saves.
    const MIN_PER_THREAD: usize = 32;
    let threads = threads.min(docs.len() / MIN_PER_THREAD).max(1);
    if threads == 1 {
        return pipeline.run_batch(docs);
    }
    let per = docs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let mut chunks = docs.chunks(per);
        let first = chunks.next().unwrap_or_default();
        let others: Vec<_> = chunks
            .map(|chunk| scope.spawn(move || pipeline.run_batch(chunk)))
            .collect();
        let mut results = pipeline.run_batch(first);
        for handle in others {
            results.extend(
                handle
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            );
        }
        results
    })
}

/// How many bytes of stdin tell what it is: what [`InputKind::sniff`] looks at.
const SNIFF_BYTES: u64 = 1024;

/// How long a line of an export may be, for documents of at most `max_size` bytes. The line
/// carries the original bytes (base64 when they are not UTF-8), the decoded text (up to three
/// bytes a character when a single-byte encoding was decoded) and the fields (the body again,
/// quotes), all JSON-escaped: 16 times the document, and 1 MiB for the fields of a small one,
/// leaves room for all of it while keeping what one line can make morgue hold bounded.
pub fn line_limit(max_size: u64) -> u64 {
    max_size.saturating_mul(16).saturating_add(1 << 20)
}

/// One line of a JSONL stream, as [`read_line`] read it.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// The whole line is in the buffer, without its `\n`.
    Whole,
    /// The line is longer than the limit: this many bytes, none of them kept.
    TooLong(u64),
}

/// Reads the next line of `reader` into `buf` (emptied first). A line longer than `limit`
/// bytes is read through to its end but not kept, so memory never holds more than `limit`
/// bytes of a stream whatever its lines. `None` at the end of the stream; the last line needs
/// no `\n`.
fn read_line(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    limit: u64,
) -> std::io::Result<Option<Line>> {
    buf.clear();
    let mut len = 0u64;
    let mut any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        any = true;
        let end = available.iter().position(|&b| b == b'\n');
        let chunk = &available[..end.unwrap_or(available.len())];
        len += chunk.len() as u64;
        if len <= limit {
            buf.extend_from_slice(chunk);
        } else {
            buf.clear();
        }
        let used = chunk.len() + usize::from(end.is_some());
        reader.consume(used);
        if end.is_some() {
            break;
        }
    }
    let line = if len > limit {
        Line::TooLong(len)
    } else {
        Line::Whole
    };
    Ok(any.then_some(line))
}

/// Reads `reader` to its end, but no further than one byte past `max`: the bytes, and whether
/// there were more than `max` (whose count is then unknown). `expected` sizes the buffer.
fn read_at_most(reader: impl Read, max: u64, expected: u64) -> std::io::Result<(Vec<u8>, bool)> {
    let mut bytes = Vec::with_capacity(usize::try_from(expected.min(max)).unwrap_or(0));
    // At `u64::MAX` nothing can be over the limit, and the `+ 1` must not wrap to 0.
    reader.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    let over = bytes.len() as u64 > max;
    Ok((bytes, over))
}

/// Why a document over `--max-size` is refused: with its size when that is known, else as
/// "more than" the limit (a stream is not read past the limit, so its size is not known).
fn too_big(len: Option<u64>, max: u64) -> String {
    match len {
        Some(len) => {
            let (len, max) = two_sizes(len, max);
            format!("{len} is over the --max-size of {max}; raise it with --max-size")
        }
        None => format!(
            "more than the --max-size of {}; raise it with --max-size",
            exact_bytes(max)
        ),
    }
}

/// Two sizes for one sentence, rounded as [`human_bytes`] rounds them unless that makes two
/// different sizes read the same (`64.0 MiB is over 64.0 MiB`); then both in bytes.
fn two_sizes(a: u64, b: u64) -> (String, String) {
    let (human_a, human_b) = (human_bytes(a), human_bytes(b));
    if human_a == human_b && a != b {
        (format!("{a} bytes"), format!("{b} bytes"))
    } else {
        (human_a, human_b)
    }
}

/// [`human_bytes`], followed by the exact count when the rounded one is not exact.
fn exact_bytes(n: u64) -> String {
    let human = human_bytes(n);
    let unit = (1..=6).rev().map(|i| 1u64 << (10 * i)).find(|&u| n >= u);
    match unit {
        Some(unit) if (u128::from(n) * 10) % u128::from(unit) != 0 => {
            format!("{human} ({n} bytes)")
        }
        _ => human,
    }
}

/// Bytes in the largest binary unit that keeps the number at least 1.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(include_hidden: bool, exclude: &[&str]) -> WalkRules {
        let exclude: Vec<String> = exclude.iter().map(|g| (*g).to_owned()).collect();
        WalkRules {
            include_hidden,
            exclude: exclude_set(&exclude).unwrap(),
            own_archive: None,
        }
    }

    #[test]
    fn lines_are_read_whole_or_measured_and_dropped() {
        let mut reader = BufReader::with_capacity(4, &b"ab\n\nlonger than six\nlast"[..]);
        let mut buf = Vec::new();
        let mut lines = Vec::new();
        while let Some(line) = read_line(&mut reader, &mut buf, 6).unwrap() {
            lines.push((line, String::from_utf8(buf.clone()).unwrap()));
        }
        assert_eq!(
            lines,
            [
                (Line::Whole, "ab".to_owned()),
                (Line::Whole, String::new()),
                (Line::TooLong(15), String::new()),
                (Line::Whole, "last".to_owned()),
            ]
        );
        let mut empty = &b""[..];
        assert_eq!(read_line(&mut empty, &mut buf, 6).unwrap(), None);
        assert_eq!(line_limit(u64::MAX), u64::MAX);
    }

    #[test]
    fn sizes_over_the_limit_are_told_truly() {
        assert_eq!(
            too_big(Some(500), 100),
            "500 B is over the --max-size of 100 B; raise it with --max-size"
        );
        assert_eq!(
            too_big(Some((64 << 20) + 1), 64 << 20),
            "67108865 bytes is over the --max-size of 67108864 bytes; raise it with --max-size"
        );
        assert_eq!(
            too_big(None, 64 << 20),
            "more than the --max-size of 64.0 MiB; raise it with --max-size"
        );
        assert_eq!(
            too_big(None, 1500),
            "more than the --max-size of 1.5 KiB (1500 bytes); raise it with --max-size"
        );
        assert_eq!(exact_bytes(3 << 29), "1.5 GiB");
        assert_eq!(human_bytes(u64::MAX), "16.0 EiB");
        let (bytes, over) = read_at_most(&b"abc"[..], u64::MAX, 0).unwrap();
        assert_eq!((bytes.as_slice(), over), (&b"abc"[..], false));
        let (bytes, over) = read_at_most(&b"abc"[..], 2, 3).unwrap();
        assert_eq!((bytes.len(), over), (3, true));
    }

    #[test]
    fn hidden_entries_are_left_out_below_the_root_only() {
        let root = Path::new("../x/.stuff");
        let hidden = rules(false, &[]);
        assert_eq!(hidden.left_out(root, root, 0, true), None);
        let git = root.join(".git");
        assert_eq!(hidden.left_out(root, &git, 1, true), Some(LeftOut::Hidden));
        let notes = root.join("sub/.notes.txt");
        assert_eq!(
            hidden.left_out(root, &notes, 2, false),
            Some(LeftOut::Hidden)
        );
        assert_eq!(hidden.left_out(root, &root.join("a.txt"), 1, false), None);
        assert_eq!(rules(true, &[]).left_out(root, &git, 1, true), None);
    }

    #[test]
    fn exclude_matches_the_path_below_the_root_or_the_name() {
        let root = Path::new("docs");
        let by = |globs: &[&str], rel: &str, is_dir: bool| {
            rules(false, globs).left_out_by_name(root, &root.join(rel), is_dir)
        };
        assert_eq!(by(&["*.bak"], "a/b.bak", false), Some(LeftOut::Excluded));
        assert_eq!(by(&["*.bak"], "a/b.txt", false), None);
        assert_eq!(by(&["drafts/**"], "drafts", true), Some(LeftOut::Excluded));
        assert_eq!(by(&["drafts/**"], "drafts", false), None);
        assert_eq!(
            by(&["drafts/**"], "drafts/x.txt", false),
            Some(LeftOut::Excluded)
        );
        assert_eq!(by(&["drafts"], "a/drafts", true), Some(LeftOut::Excluded));
        assert_eq!(by(&["drafts/*.txt"], "drafts", true), None);
        assert_eq!(by(&["a/b"], "a/b", true), Some(LeftOut::Excluded));
        // Hidden wins when both apply.
        assert_eq!(by(&[".git"], ".git", true), Some(LeftOut::Hidden));
    }

    #[test]
    fn a_bad_glob_is_an_error_naming_it() {
        let options = ImportOptions {
            exclude: vec!["*.bak".into(), "drafts[".into()],
            ..ImportOptions::default()
        };
        let e = options.check().unwrap_err();
        assert!(matches!(&e, Error::BadGlob { glob, .. } if glob == "drafts["));
        let message = e.to_string();
        assert!(message.contains("\"drafts[\""), "{message}");
        assert!(message.contains("unclosed character class"), "{message}");
        assert!(ImportOptions::default().check().is_ok());
    }

    #[test]
    fn archives_are_known_by_their_files_whatever_their_name() {
        let tmp = tempfile::tempdir().unwrap();
        let rules = rules(false, &[]);
        let named = tmp.path().join("old-store");
        Archive::open(
            &named,
            &crate::archive::OpenOptions {
                create: true,
                wait: None,
            },
        )
        .unwrap();
        assert!(rules.is_archive(&named));
        assert!(!rules.is_archive(tmp.path()));
        // A folder with only a `lock` is not one.
        let lookalike = tmp.path().join("lookalike");
        fs::create_dir_all(&lookalike).unwrap();
        fs::write(lookalike.join("lock"), "1").unwrap();
        assert!(!rules.is_archive(&lookalike));
    }

    #[test]
    fn the_archive_imported_into_is_left_out_by_its_resolved_path() {
        let tmp = tempfile::tempdir().unwrap();
        let own = tmp.path().join("own");
        fs::create_dir_all(own.join("inner")).unwrap();
        let rules = WalkRules {
            include_hidden: false,
            exclude: GlobSet::empty(),
            own_archive: Some(fs::canonicalize(&own).unwrap()),
        };
        let through_dot = tmp.path().join("own/./inner/..");
        assert!(rules.is_archive(&through_dot));
        assert!(rules.is_archive(&own.join("inner")));
        assert!(!rules.is_archive(tmp.path()));
    }
}
