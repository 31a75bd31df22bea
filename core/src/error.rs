//! The engine's error type: one enum, every variant a situation the caller can act on.

use std::path::PathBuf;

use thiserror::Error;

use crate::extract::PipelineError;

/// Result with the engine's [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the engine. Messages name the path or id involved and, where
/// there is one, the fix.
#[derive(Debug, Error)]
pub enum Error {
    /// No archive exists at the directory and the command does not create one.
    #[error("no archive at {}; create one with `morgue --archive {} import PATH`", .dir.display(), .dir.display())]
    NoArchive {
        /// The archive directory.
        dir: PathBuf,
    },
    /// The directory exists but holds something else.
    #[error("{} is not a morgue archive (it is not empty and has no morgue store); choose another --archive", .dir.display())]
    NotAnArchive {
        /// The directory.
        dir: PathBuf,
    },
    /// The archive path names something that is not a directory.
    #[error("{} is a file, not an archive directory; pass the folder that holds the archive with --archive", .dir.display())]
    ArchiveIsFile {
        /// The path given.
        dir: PathBuf,
    },
    /// Another process holds the archive's lock.
    #[error("archive {} is in use by another morgue process{}; wait for it to finish or pass --wait SECS", .dir.display(), .pid.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    InUse {
        /// The archive directory.
        dir: PathBuf,
        /// The holder's pid, when it could be read.
        pid: Option<u32>,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The embedded store reported an error.
    #[error("store {}: {message}", .dir.display())]
    Store {
        /// The store directory.
        dir: PathBuf,
        /// The store's own message.
        message: String,
    },
    /// The store's data file is gone or emptied: sled would reopen it as an empty store.
    #[error("the store in {} has lost its data: {} was deleted, truncated or damaged, so it holds nothing, not even its format version; restore the archive {} from a backup (or import an export into a new archive)", .dir.display(), .file.display(), .dir.parent().unwrap_or(.dir).display())]
    StoreLost {
        /// The store directory.
        dir: PathBuf,
        /// Its data file.
        file: PathBuf,
    },
    /// The manifest beside the store does not read as one.
    #[error("{} is damaged ({reason}); run `morgue verify --repair` to check the store and rewrite it", .path.display())]
    ManifestDamaged {
        /// The manifest file.
        path: PathBuf,
        /// What the JSON reader said.
        reason: String,
    },
    /// Something other than a file stands where the manifest goes.
    #[error("{} is a directory, not the archive's manifest; move it out of the way, then run `morgue verify --repair` to write the manifest again", .path.display())]
    ManifestNotAFile {
        /// Where the manifest goes.
        path: PathBuf,
    },
    /// A stored value failed its checksum or could not be decoded.
    #[error(
        "corrupt {what}: {reason}; run `morgue verify` and restore the archive from a backup or an export"
    )]
    Corrupt {
        /// Which value (tree and key).
        what: String,
        /// What failed.
        reason: String,
    },
    /// The store was written by a newer morgue.
    #[error("archive {} has format version {found}, newer than this morgue reads ({supported}); upgrade morgue", .dir.display())]
    FormatTooNew {
        /// The archive directory.
        dir: PathBuf,
        /// Version found in the store.
        found: u32,
        /// Newest version this build reads.
        supported: u32,
    },
    /// The store holds fewer documents than the manifest recorded after the last flush: the
    /// store file was truncated, replaced or deleted.
    #[error("archive {} came back emptier than it was: the manifest recorded {recorded} documents after the last write, the store holds {found}; restore {} from a backup, or, if you restored an older copy on purpose, delete {} to accept it", .dir.display(), .dir.display(), .manifest.display())]
    Shrunk {
        /// The archive directory.
        dir: PathBuf,
        /// The manifest file.
        manifest: PathBuf,
        /// Documents the manifest recorded.
        recorded: u64,
        /// Documents the store holds.
        found: u64,
    },
    /// The store holds as many documents as the manifest recorded, but not the same ones.
    #[error("archive {} does not hold the documents its manifest recorded (same count, different digest); restore it from a backup, or delete {} to accept it as it is", .dir.display(), .manifest.display())]
    DigestMismatch {
        /// The archive directory.
        dir: PathBuf,
        /// The manifest file.
        manifest: PathBuf,
    },
    /// An id argument is not hex or is too short.
    #[error("{input:?} is not a document id: give 6 to 64 hex digits")]
    BadId {
        /// What was given.
        input: String,
    },
    /// An import's `--exclude` glob does not parse.
    #[error("--exclude {glob:?} is not a valid glob: {reason}")]
    BadGlob {
        /// The glob as given.
        glob: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A tag given to an import is one no document may hold (see `model::check_tag`).
    #[error("{tag:?} is not a tag: {reason}")]
    BadTag {
        /// The tag as given.
        tag: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No document has the id or prefix.
    #[error("no document with id {prefix}")]
    NotFound {
        /// The id or prefix given.
        prefix: String,
    },
    /// Several documents share the prefix.
    #[error("id prefix {prefix} matches {} documents ({}); give more digits", .candidates.len(), .candidates.join(", "))]
    Ambiguous {
        /// The prefix given.
        prefix: String,
        /// Short ids of the matches.
        candidates: Vec<String>,
    },
    /// The extractor pipeline could not be built.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// An import line or export could not be (de)serialised.
    #[error("{context}: {source}")]
    Json {
        /// Where.
        context: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// A plugin library or extractor was refused.
    #[error(transparent)]
    Plugin(#[from] crate::plugin::host::PluginError),
    /// The plugin registry refused a change.
    #[error("{0}")]
    PluginRegistry(String),
    /// `DIR/plugins/registry.json` is not JSON, or not shaped like a plugin registry.
    #[error("plugin registry {}: {what} ({reason}); correct it by hand, or move it aside and register the libraries again with `morgue plugins add FILE`", .path.display())]
    RegistryMalformed {
        /// The registry file.
        path: PathBuf,
        /// `is not valid JSON` or `is not shaped like a plugin registry`.
        what: &'static str,
        /// The parser's message, with the line and column.
        reason: String,
    },
    /// A registry entry names something other than a file inside `DIR/plugins/`, or pins no
    /// valid SHA-256, so nothing it names may be read, loaded or deleted.
    #[error("plugin registry {}: entry {file:?} {reason}; only a file name inside {} with its SHA-256 is valid: run `morgue plugins remove {remove}`, then `morgue plugins add FILE` with the library you trust", .registry.display(), .dir.display())]
    RegistryEntry {
        /// The registry file.
        registry: PathBuf,
        /// The plugins folder the entry must stay in.
        dir: PathBuf,
        /// The entry's `file`, as written.
        file: String,
        /// What is wrong with it.
        reason: String,
        /// What to give `morgue plugins remove` to drop the entry.
        remove: String,
    },
    /// `DIR/plugins` is not a plain folder inside the archive (a symbolic link, say), so no
    /// library or registry in it may be loaded, written or deleted.
    #[error("the plugins folder {} {reason}; plugins are kept only in a real folder of that name inside the archive: move it out of the archive, then register the libraries you trust again with `morgue plugins add FILE`", .dir.display())]
    PluginsFolder {
        /// The plugins folder, `DIR/plugins`.
        dir: PathBuf,
        /// What it is instead.
        reason: String,
    },
    /// The isolated plugin host could not be started or refused its plugins.
    #[error("{0}")]
    PluginHost(String),
    /// The full-text index does not cover every document.
    #[error(
        "the full-text index covers {indexed} of {documents} documents; run `morgue reindex` to bring it up to date"
    )]
    IndexStale {
        /// Documents in the index.
        indexed: u64,
        /// Documents in the archive.
        documents: u64,
    },
    /// A query asks for something this build cannot answer.
    #[error("query field {0}")]
    QueryUnsupported(String),
    /// The work was interrupted (Ctrl-C); everything reported as done was flushed.
    #[error("interrupted")]
    Interrupted,
    /// A folder given as an extraction benchmark is not laid out as one.
    #[error("{} is not an extraction benchmark folder: {reason}; one holds html/<id>.html for each page and ground-truth.json, {{\"<id>\": {{\"articleBody\": \"...\", \"url\": \"...\"}}, ...}}", .dir.display())]
    BenchmarkFolder {
        /// The folder given.
        dir: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A benchmark's ground truth is not JSON of the expected shape.
    #[error("{} is not a valid ground truth: {reason}; it must be a JSON object {{\"<id>\": {{\"articleBody\": \"...\", \"url\": \"...\"}}, ...}}", .path.display())]
    GroundTruth {
        /// The ground-truth file.
        path: PathBuf,
        /// What the JSON reader said, or which id is unusable.
        reason: String,
    },
    /// A page the ground truth lists has no HTML file.
    #[error("page {id} is listed in {} but its file {} is missing; add the page or remove its entry", .truth.display(), .path.display())]
    BenchmarkPageMissing {
        /// The page's id.
        id: String,
        /// The ground-truth file.
        truth: PathBuf,
        /// Where its HTML file should be.
        path: PathBuf,
    },
    /// The extractor asked to be scored on HTML pages cannot give their main text.
    #[error(
        "extractor {name} cannot be scored on HTML pages: {reason}; choose another with --plugin (see `morgue plugins list`)"
    )]
    NotAnHtmlExtractor {
        /// The extractor's name.
        name: String,
        /// Why not.
        reason: String,
    },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Whether the error is a closed output pipe, which the binary treats as success.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}
