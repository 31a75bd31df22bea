//! The command-line surface (DESIGN §6), as clap structs. Only this crate knows clap.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

/// A local archive for news articles: keeps every article byte-for-byte, extracts its
/// structure, and exports it all back out.
#[derive(Debug, Parser)]
#[command(
    name = "morgue",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "The archive is DIR from --archive, else $MORGUE_ARCHIVE, else ./morgue-archive.\n\
Exit codes: 0 success, 1 nothing found, 2 an error (bad input, archive in use, ...).\n\
Run `morgue <command> --help` for a command's options and examples; `morgue man` prints the manual."
)]
pub struct Cli {
    /// Archive directory (created on first import).
    #[arg(long, global = true, env = "MORGUE_ARCHIVE", value_name = "DIR")]
    pub archive: Option<PathBuf>,
    /// Print no progress, notes or summary; errors are still printed.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Colour diagnostics: auto (on a terminal unless NO_COLOR is set), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// If another morgue holds the archive, wait up to SECS for it instead of failing at once.
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_secs)]
    pub wait: Option<Duration>,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// When to colour output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Archive files, directories (recursively) or stdin (`-`).
    #[command(
        long_about = "Archive files, directories (read recursively) or standard input (`-`).\n\n\
The extension decides what a file is: .txt is text, .html/.htm is HTML, .jsonl is a morgue export \
(each line restored with its sources and fields). Other files are skipped with a note. Stdin is \
sniffed. Bytes already in the archive are not stored again; the new path is added to the copy \
there. Ends with the line `archived N, already archived N, skipped N, failed N` on stderr and \
exits 2 if anything failed.",
        after_long_help = r#"Examples:
  morgue import ../shared/corpus/bbc/*/ --exclude '*.bak'   # recursively
  morgue import ../shared/corpus/samples/us-urged-twitter-iran.txt --tag iran
  morgue import backup.jsonl                                # restore an export"#
    )]
    Import(ImportArgs),
    /// List archived documents.
    #[command(after_long_help = r#"Examples:
  morgue list --sort title --limit 10
  morgue list --sort published --reverse --limit 10   # newest first
  morgue list --csv > documents.csv                   # for a spreadsheet"#)]
    List(ListArgs),
    /// Show one document: its fields and text, its original bytes, or its JSON.
    #[command(after_long_help = r#"Examples:
  morgue show 00213243cb5e                        # an id prefix, 6+ hex digits
  morgue show 00213243cb5e --raw > original.txt   # the exact bytes imported
  morgue show 00213243cb5e --json --fields title,word_count"#)]
    Show(ShowArgs),
    /// Search the archive: words, phrases, prefixes and field filters.
    #[command(
        long_about = "Search the archive. Words are ANDed; also \"exact phrase\", prefix*, a OR b, \
-word or NOT word, ( ... ), title:/body: and the filters site:, author:, dateline:, tag:, lang:, id:, \
and ranges published:2009-06-01..2009-06-30, imported:>2026-01-01, words:>500. person:, org:, \
place:, entity:, speaker: and quote: search what an entity or quote extractor stored (entities[] \
and quotes[]; the built-in extractors do not produce them yet). Plugin fields (readtime.minutes) \
cannot be filtered on; add them to the output with --fields. Exits 1 when nothing matches.\n\n\
A new archive is indexed once with `morgue reindex`; from then on import, rm, tag and reextract \
keep the index current.",
        after_long_help = r#"Examples:
  morgue query '"interest rates" -mortgage' --limit 5   # a phrase, not a word
  morgue query 'tele* title:economy' --json             # a prefix, a field
  morgue query 'tag:iran words:>300' --fields word_count --csv"#
    )]
    Query(QueryArgs),
    /// Count the documents and the bytes they take.
    #[command(after_long_help = r#"Examples:
  morgue stats          # documents, bytes, media types, tags and fields
  morgue stats --json"#)]
    Stats(StatsArgs),
    /// Write the whole archive out.
    #[command(
        long_about = "Write the whole archive out. The JSONL format starts with a header line \
{\"morgue_export\": 1, ...} and has one document a line, with its original bytes unless --no-raw; \
`morgue import FILE.jsonl` restores it exactly.",
        after_long_help = r#"Examples:
  morgue export --out backup.jsonl                    # import restores it
  morgue export --query 'tag:iran' --out iran.jsonl   # only the matches
  morgue export --salvage --out rescued.jsonl         # what a damaged archive still holds"#
    )]
    Export(ExportArgs),
    /// Remove documents (their original bytes too).
    #[command(after_long_help = r#"Examples:
  morgue export --query 'tag:iran' --out iran.jsonl   # keep a copy first
  morgue rm 00213243cb5e                              # any unique id prefix
  morgue import iran.jsonl                            # undo: restore the copy"#)]
    Rm(RmArgs),
    /// Add (+T) or remove (-T) tags: `morgue tag ID... +economy -draft`.
    #[command(after_long_help = r#"Examples:
  morgue tag 00213243cb5e +politics -draft   # add politics, remove draft
  morgue query 'tag:politics'                # the index knows at once"#)]
    Tag(TagArgs),
    /// Measure extractors against benchmarks (today: article text from HTML pages).
    #[command(
        subcommand,
        after_long_help = r#"Examples:
  morgue eval extraction ../shared/corpus/extraction-benchmark
  morgue eval extraction ../shared/corpus/extraction-benchmark --json"#
    )]
    Eval(EvalCommand),
    /// Run extractors again over archived documents (their original bytes never change).
    #[command(after_long_help = r#"Examples:
  morgue reextract --plugin structure --all           # just one extractor
  morgue reextract --query 'tag:iran'                 # the matching documents
  morgue reextract 00213243cb5e --isolation process   # in a child process"#)]
    Reextract(ReextractArgs),
    /// Rebuild the full-text index from the stored documents.
    #[command(after_long_help = r#"Examples:
  morgue reindex             # once, on a new archive; imports keep it current
  morgue reindex --wait 60   # if another morgue holds the archive, wait for it"#)]
    Reindex,
    /// Check every document and the index; with --repair, mend what can be mended.
    #[command(
        long_about = "Check the whole archive: every document's original bytes are re-read and \
re-hashed against its id, every record decoded, the index compared with the documents and the \
store with the manifest. Each problem is named with where it is; the last line is `verified N \
documents`, or what is damaged. Exit 0 when all is well, 2 when something is not.\n\n\
--repair does what can be done without losing a document: finishes an interrupted removal, \
drops leftovers of an import that never committed, rebuilds the index, rewrites the counters \
and the manifest, and says what it did. A document that cannot be read whole cannot be repaired: \
`morgue export --salvage` writes out everything still readable.",
        after_long_help = r#"Examples:
  morgue verify                         # check; exit 2 if anything is wrong
  morgue verify --repair                # mend what can be mended, then check again
  morgue verify --json > report.json    # for scripts: {"documents", "ok", "problems", ...}"#
    )]
    Verify(VerifyArgs),
    /// Merge the index into one segment and give back unused space.
    #[command(
        long_about = "Merge the index into one segment and give back unused space.\n\n\
Rewrites the store into a fresh one beside it (`DIR/db.compact`) and swaps it in: each term's \
postings become one value, removed documents leave the index, and the space the store keeps for \
old page versions is returned. Queries are fastest after a compact. Needs free disk space about \
the size of the archive; if it is interrupted, the next command finishes or discards the swap.",
        after_long_help = r#"Examples:
  morgue compact                   # merge the index, give back unused space
  morgue compact && morgue stats   # then see the bytes on disk"#
    )]
    Compact,
    /// List, inspect, add, remove and verify extractor plugins.
    #[command(
        subcommand,
        after_long_help = r#"Examples:
  morgue plugins list
  morgue plugins info structure
  morgue plugins verify target/debug/libmorgue_example_readtime.so"#
    )]
    Plugins(PluginsCommand),
    /// Print a shell completion script: bash, zsh, fish, powershell or elvish.
    #[command(
        long_about = "Print the completion script for SHELL on stdout. Saved where the shell \
looks for completions, it completes commands, options and their values. It opens no archive.",
        after_long_help = r#"Examples:
  morgue completions bash > ~/.local/share/bash-completion/completions/morgue
  morgue completions zsh > ~/.zfunc/_morgue   # fpath+=(~/.zfunc) in .zshrc
  morgue completions fish > ~/.config/fish/completions/morgue.fish"#
    )]
    Completions(CompletionsArgs),
    /// Print the manual page of morgue or of a command, or write them all into a folder.
    #[command(
        long_about = "Print the manual page (roff) of morgue, or of COMMAND: `morgue man import`. \
A nested command is named by its words or by its page's name: `morgue man plugins add` or \
`morgue man plugins-add`.\n\n\
With --out DIR, write the page of COMMAND (of morgue when none is given) and of every command \
below it into DIR, one file each: morgue.1, morgue-import.1, morgue-plugins-add.1, ... DIR is \
created if missing. It opens no archive.",
        after_long_help = r#"Examples:
  morgue man --out ~/.local/share/man/man1   # all pages; man morgue-import
  morgue man plugins add                     # or: morgue man plugins-add
  morgue man > morgue.1"#
    )]
    Man(ManArgs),
    /// Runs plugins on behalf of another morgue (internal).
    #[command(name = "__plugin-host", hide = true)]
    PluginHost(PluginHostArgs),
}

/// `morgue plugins ...`.
#[derive(Debug, Subcommand)]
pub enum PluginsCommand {
    /// The built-in extractors and the plugins registered in the archive (if there is one).
    #[command(after_long_help = r#"Examples:
  morgue plugins list          # built-ins, then this archive's plugins
  morgue plugins list --json"#)]
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// One extractor's manifest: version, media types, fields, requirements, origin.
    #[command(after_long_help = r#"Examples:
  morgue plugins info structure
  morgue plugins info readtime --json   # a registered plugin"#)]
    Info {
        /// The extractor's name.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Register a plugin library: copies it into the archive and pins its SHA-256.
    #[command(
        long_about = "Register a plugin library: checks it, copies it into DIR/plugins/ and pins \
its SHA-256. Only registered plugins load, from that copy, and a copy whose hash changed is \
refused before it is loaded.",
        after_long_help = r#"Examples:
  morgue plugins add target/debug/libmorgue_example_readtime.so   # release: target/release/
  morgue reextract --plugin readtime --all   # give older documents its fields"#
    )]
    Add {
        /// The library (.so) a plugin crate built.
        file: PathBuf,
    },
    /// Unregister a plugin (by extractor name or library file name) and delete its copy.
    #[command(after_long_help = r#"Examples:
  morgue plugins remove readtime   # or by file: libmorgue_example_readtime.so
  morgue plugins list              # the built-ins are left"#)]
    Remove {
        /// Extractor or library name.
        name: String,
    },
    /// Check a library without registering it: loads it in a separate process and runs each
    /// extractor on a sample article.
    #[command(after_long_help = r#"Examples:
  morgue plugins verify target/debug/libmorgue_example_readtime.so   # release: target/release/
  morgue plugins verify target/debug/libmorgue_example_readtime.so --plugin-timeout 30"#)]
    Verify {
        /// The library (.so).
        file: PathBuf,
        /// Seconds the check may take before the library is declared hung.
        #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_secs)]
        plugin_timeout: Duration,
    },
}

/// `morgue eval ...`.
#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Score an extractor's main text (`body`) on a folder of saved pages and their true text.
    #[command(
        long_about = "Score an extractor's main text (the field `body`) on a folder of saved \
HTML pages against the true article text of each, with the metric of the Zyte/Scrapinghub \
article-extraction-benchmark (its evaluate.py), so the figures compare with the ones published \
for other extractors.\n\n\
DIR holds html/<id>.html for each page and ground-truth.json, a JSON object mapping each id to \
{\"articleBody\": \"the true text\", \"url\": \"...\"}; \
../shared/corpus/extraction-benchmark is one (117 pages). Each page is decoded and given to the \
extractor as text/html, one page at a time on one thread; a page it fails on counts as an empty \
prediction and is listed on stderr.\n\n\
The metric: both texts are cut into tokens (runs of letters, digits and _, as Python's \\w+, case \
kept), the tokens into overlapping shingles of 4 (a text of 1 to 3 tokens is one shingle). Per \
page, shingles in both are true positives, predicted ones the truth lacks false positives, true \
ones the prediction lacks false negatives, the three scaled to sum 1. Precision is the mean over \
pages with a prediction, recall the mean over pages with a true text, F1 = 2PR/(P+R) of those \
means; accuracy is the share of pages whose tokens equal the truth's exactly. median_ms and \
mean_ms time decoding and extraction of a page.\n\n\
--worst N lists the N pages with the lowest F1 of their own, each with the longest runs of \
tokens it missed and added: where the extractor has work to do. It opens no archive; the \
extractor is a built-in or a plugin registered in the archive (see `morgue plugins list`).",
        after_long_help = r#"Examples:
  morgue eval extraction ../shared/corpus/extraction-benchmark              # the html built-in
  morgue eval extraction ../shared/corpus/extraction-benchmark --worst 3    # where it goes wrong
  morgue eval extraction ../shared/corpus/extraction-benchmark --json       # for scripts"#
    )]
    Extraction(EvalExtractionArgs),
}

/// `morgue eval extraction`.
#[derive(Debug, Args)]
pub struct EvalExtractionArgs {
    /// The benchmark folder: `html/<id>.html` and `ground-truth.json`.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The extractor to score: a built-in or a plugin registered in the archive.
    #[arg(long, value_name = "NAME", default_value = "html")]
    pub plugin: String,
    /// Print JSON: {"pages", "precision", "recall", "f1", "accuracy", "median_ms", "mean_ms"}
    /// (and "worst" with --worst).
    #[arg(long)]
    pub json: bool,
    /// Also list the N pages with the lowest F1, with what the extractor missed and added.
    #[arg(long, value_name = "N")]
    pub worst: Option<usize>,
}

/// `morgue completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// `morgue man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print, e.g. `import`, `plugins add` or `plugins-add`; none for
    /// morgue's own page.
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
    /// Write the pages into DIR (created if missing) instead of printing one.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `morgue __plugin-host`.
#[derive(Debug, Args)]
pub struct PluginHostArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: PluginHostCommand,
}

/// What the plugin host process does.
#[derive(Debug, Subcommand)]
pub enum PluginHostCommand {
    /// Load the built-ins and the archive's registered plugins and answer extraction requests
    /// on stdin/stdout until stdin closes.
    Serve,
    /// Load one library, run its extractors on a sample article, print a JSON report.
    Verify {
        /// The library.
        file: PathBuf,
    },
}

/// What an input is, when the extension should not decide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// By extension; stdin is sniffed.
    Auto,
    /// Plain text.
    Text,
    /// HTML.
    Html,
    /// A morgue JSONL export.
    Jsonl,
}

/// `morgue import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files, directories, or `-` for standard input.
    #[arg(required = true, value_name = "PATH|-")]
    pub paths: Vec<String>,
    /// What the inputs are.
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub format: InputFormat,
    /// The URL the document was saved from (one document only).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Tag every document imported (repeatable).
    #[arg(long = "tag", value_name = "T", value_parser = parse_tag)]
    pub tags: Vec<String>,
    /// Store the documents without running extractors.
    #[arg(long)]
    pub no_extract: bool,
    /// Where extractors run: in morgue itself, or in a child process that a crashing or
    /// hanging plugin takes down instead (the document fails, the import goes on).
    #[arg(long, value_enum, default_value_t = Isolation::InProcess)]
    pub isolation: Isolation,
    /// With --isolation process: seconds one document may take before its plugin is
    /// declared hung.
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_secs)]
    pub plugin_timeout: Duration,
    /// Stop at the first failure (what was archived before it stays archived).
    #[arg(long)]
    pub strict: bool,
    /// Also read hidden files and folders (names starting with `.`) inside directories.
    #[arg(long)]
    pub include_hidden: bool,
    /// Leave out files and folders inside directories that match GLOB (repeatable), e.g.
    /// `--exclude '*.bak' --exclude 'drafts/**'`.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Refuse documents larger than this (e.g. 64MiB, 500k, 1G); in a JSONL export, each
    /// document on its own, however long the export.
    #[arg(long, value_name = "SIZE", default_value = "64MiB", value_parser = parse_size)]
    pub max_size: u64,
}

/// Where extractors run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Isolation {
    /// In the morgue process (fastest; a plugin panic still fails only its document).
    InProcess,
    /// In a child `morgue __plugin-host` (survives segfaults, aborts and endless loops).
    Process,
}

/// Output flags shared by commands that print records.
#[derive(Debug, Args, Clone, Copy, Default)]
#[group(multiple = false)]
pub struct OutputArgs {
    /// One JSON value.
    #[arg(long)]
    pub json: bool,
    /// One JSON object a line.
    #[arg(long)]
    pub jsonl: bool,
    /// CSV with a header line.
    #[arg(long)]
    pub csv: bool,
}

/// How `list` sorts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListSort {
    /// Import order, oldest first.
    Imported,
    /// Publication date, oldest first; undated documents last.
    Published,
    /// Title, A to Z, case-insensitively.
    Title,
}

/// `morgue list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Show at most N documents.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Sort order.
    #[arg(long, value_enum, default_value_t = ListSort::Imported)]
    pub sort: ListSort,
    /// Turn the order round (newest first; undated documents stay last).
    #[arg(long)]
    pub reverse: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `morgue show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The document's id, or a unique prefix of at least 6 hex digits.
    pub id: String,
    /// Write the original bytes exactly (with --json: include them in the JSON).
    #[arg(long)]
    pub raw: bool,
    /// Write the decoded text.
    #[arg(long, conflicts_with = "raw")]
    pub text: bool,
    /// Only these fields (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "a,b")]
    pub fields: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// How `query` orders its hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum QuerySort {
    /// Best match first.
    Relevance,
    /// Publication date, oldest first; undated documents last.
    Published,
    /// Import order, oldest first.
    Imported,
}

/// `morgue query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The query (it may start with `-`: `morgue query -mortgage` finds what lacks the word).
    #[arg(allow_hyphen_values = true)]
    pub query: String,
    /// Show at most N hits.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,
    /// Skip the first N hits.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub offset: usize,
    /// Order of the hits.
    #[arg(long, value_enum, default_value_t = QuerySort::Relevance)]
    pub sort: QuerySort,
    /// Turn the order round (newest first; undated documents stay last).
    #[arg(long)]
    pub reverse: bool,
    /// Print only the number of matching documents.
    #[arg(long)]
    pub count: bool,
    /// Add these fields to each hit, in every format (comma-separated, e.g. word_count,dateline).
    #[arg(long, value_delimiter = ',', value_name = "a,b")]
    pub fields: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `morgue stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `morgue verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Mend what can be mended without losing a document, then check again.
    #[arg(long)]
    pub repair: bool,
    /// Print the report as JSON: {"documents", "ok", "problems": [{"where", "kind", "problem",
    /// "repairable"}], "repaired"}.
    #[arg(long)]
    pub json: bool,
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A header line, then one JSON document a line.
    Jsonl,
}

/// `morgue export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
    /// Write to PATH (replaced only once complete) or `-` for stdout.
    #[arg(long, value_name = "PATH|-", default_value = "-")]
    pub out: String,
    /// Leave out the original bytes (such an export cannot be imported back).
    #[arg(long)]
    pub no_raw: bool,
    /// Export only the documents matching this query (see `morgue query --help`).
    #[arg(long, value_name = "Q", conflicts_with = "salvage")]
    pub query: Option<String>,
    /// From a damaged archive: write every document that can still be read whole and list the
    /// rest on stderr (exit 2 if any could not be read).
    #[arg(long)]
    pub salvage: bool,
}

/// `morgue reextract`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["ids", "all", "query"]))]
pub struct ReextractArgs {
    /// Rerun only this extractor; the fields of the others are kept and given to it.
    #[arg(long, value_name = "NAME")]
    pub plugin: Option<String>,
    /// Every document.
    #[arg(long)]
    pub all: bool,
    /// The documents matching this query.
    #[arg(long, value_name = "Q")]
    pub query: Option<String>,
    /// Ids or unique prefixes.
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
    /// Where extractors run (see `import --help`).
    #[arg(long, value_enum, default_value_t = Isolation::InProcess)]
    pub isolation: Isolation,
    /// With --isolation process: seconds one document may take.
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_secs)]
    pub plugin_timeout: Duration,
}

/// `morgue rm`.
#[derive(Debug, Args)]
pub struct RmArgs {
    /// Ids or unique prefixes.
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
}

/// `morgue tag`.
#[derive(Debug, Args)]
pub struct TagArgs {
    /// Ids, then +TAG to add and -TAG to remove.
    #[arg(required = true, allow_hyphen_values = true, value_name = "ID|+T|-T")]
    pub args: Vec<String>,
}

/// Parses a tag as `import --tag T` and `tag +T` take it: one that any document may hold
/// ([`morgue_core::model::check_tag`]: not empty, no control characters) and, as tags are
/// written in queries (`tag:economy`) and separated by commas in tables, without spaces or
/// commas.
pub fn parse_tag(tag: &str) -> Result<String, String> {
    morgue_core::model::check_tag(tag)
        .map_err(|reason| format!("{tag:?} is not a tag: {reason}"))?;
    if tag.chars().any(|c| c.is_whitespace() || c == ',') {
        return Err(format!(
            "{tag:?} is not a tag: tags are non-empty and hold no spaces or commas"
        ));
    }
    Ok(tag.to_owned())
}

/// The longest wait `--wait` and `--plugin-timeout` take, in seconds (about 31 years): long
/// enough to mean "for as long as it takes", and far from where a deadline computed from it
/// (now plus the wait) would no longer be a time the clock can hold.
pub const MAX_SECS: u64 = 1_000_000_000;

/// Parses a number of seconds to wait, like `30`, `0.5` or `1e3`: finite, not negative and at
/// most [`MAX_SECS`]. Anything else (`nan`, `inf`, `-1`, `1e30`) is refused here, with the
/// reason, rather than turned into a wait that cannot be kept.
pub fn parse_secs(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds; write e.g. 30 or 0.5"))?;
    if !secs.is_finite() || secs < 0.0 {
        return Err(format!(
            "{s:?} is not a number of seconds: seconds are finite and not negative"
        ));
    }
    match Duration::try_from_secs_f64(secs) {
        Ok(wait) if wait <= Duration::from_secs(MAX_SECS) => Ok(wait),
        _ => Err(format!(
            "{s:?} seconds is too long: the longest wait is {MAX_SECS} seconds (about 31 years)"
        )),
    }
}

/// Parses sizes like `64MiB`, `64M`, `500k`, `1.5G` or plain bytes (binary units, K to E).
/// The arithmetic is exact: a fraction of a byte is dropped, and a size of 2^64 bytes or more
/// is refused rather than rounded to some other size.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let not_a_size = || format!("{s:?} is not a size; write e.g. 64MiB, 500k or 1048576");
    let (whole, fraction) = num.split_once('.').unwrap_or((num, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
        return Err(not_a_size());
    }
    let shift: u32 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        "p" | "pb" | "pib" => 50,
        "e" | "eb" | "eib" => 60,
        other => {
            return Err(format!(
                "unknown size unit {other:?}; use B, KiB, MiB, GiB, TiB, PiB or EiB"
            ));
        }
    };
    let too_large = || {
        format!("{s:?} is too large: the largest size is 18446744073709551615 bytes (16 EiB - 1)")
    };
    // Leading zeros do not make a number too long.
    let whole = whole.trim_start_matches('0');
    // Digits past the 19th of a fraction are worth less than a byte even in EiB.
    let fraction = &fraction[..fraction.len().min(19)];
    let whole: u128 = if whole.is_empty() {
        0
    } else if whole.len() > 20 {
        return Err(too_large());
    } else {
        whole.parse().map_err(|_| not_a_size())?
    };
    let fraction_value: u128 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().map_err(|_| not_a_size())?
    };
    // 10^19 * 2^60 < 2^124 and (10^20) * 2^60 < 2^127: nothing here overflows a u128.
    let bytes = (whole << shift) + (fraction_value << shift) / 10u128.pow(fraction.len() as u32);
    u64::try_from(bytes).map_err(|_| too_large())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("500k"), Ok(500 << 10));
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("10"), Ok(10));
        assert_eq!(parse_size(".5k"), Ok(512));
        assert_eq!(parse_size("1.1M"), Ok(1_153_433));
        assert_eq!(parse_size("0.0000000000000000000001E"), Ok(0));
        assert_eq!(parse_size("15.9999999999999999999EiB"), Ok(u64::MAX));
        assert_eq!(parse_size("15.999999999999999999EiB"), Ok(u64::MAX - 1));
        assert_eq!(parse_size("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(parse_size("000000000000000000000000001k"), Ok(1024));
        for too_large in ["18446744073709551616", "16EiB", "17179869184GiB", "1e30"] {
            let e = parse_size(too_large).unwrap_err();
            assert!(
                e.contains("too large") || e.contains("unit"),
                "{too_large}: {e}"
            );
        }
        assert!(parse_size("16EiB").unwrap_err().contains("too large"));
        assert!(
            parse_size("99999999999999999999999k")
                .unwrap_err()
                .contains("too large")
        );
        for bad in ["", ".", "1.2.3k", "k", "-1"] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5 parsecs").is_err());
    }

    #[test]
    fn seconds() {
        assert_eq!(parse_secs("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_secs("0.25"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_secs("0"), Ok(Duration::ZERO));
        assert_eq!(parse_secs("-0"), Ok(Duration::ZERO));
        assert_eq!(parse_secs("1e9"), Ok(Duration::from_secs(MAX_SECS)));
        for bad in [
            "nan",
            "inf",
            "-inf",
            "-1",
            "",
            "ten",
            "1e30",
            "1000000000.5",
        ] {
            assert!(parse_secs(bad).is_err(), "{bad:?}");
        }
        assert!(parse_secs("1e30").unwrap_err().contains("too long"));
        assert!(parse_secs("NaN").unwrap_err().contains("finite"));
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
