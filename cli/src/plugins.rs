//! `morgue plugins`: the built-in extractors and the archive's registered plugins, and the
//! hidden `__plugin-host` that checks a library in a separate process.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use morgue_core::plugin::guest::descriptor;
use morgue_core::plugin::host::{self, PluginExtractor};
use morgue_core::plugin::isolate;
use morgue_core::plugin::registry::Registry;
use morgue_core::{Extractor, Manifest, Pipeline};
use serde::Serialize;

use crate::args::{Isolation, PluginHostArgs, PluginHostCommand, PluginsCommand};
use crate::output;
use crate::{Ctx, Status};

/// What built-ins are called in errors and listings.
const BUILT_IN: &str = "built-in";

/// The built-in extractors, called through the same C descriptors a loaded library gives.
/// Keep this list in step with `plugins/builtins/src/lib.rs`.
pub fn builtins() -> Result<Vec<PluginExtractor>> {
    let descriptors = [
        descriptor::<morgue_plugin_structure::Structure>(),
        descriptor::<morgue_plugin_html::Html>(),
    ];
    descriptors
        .into_iter()
        .enumerate()
        .map(|(i, d)| Ok(host::instantiate(d, Path::new(BUILT_IN), i)?))
        .collect()
}

/// The pipeline of a run: every extractor, in this process or in a plugin host child.
pub fn pipeline(archive_dir: &Path, isolation: Isolation, timeout: Duration) -> Result<Pipeline> {
    let extractors = match isolation {
        Isolation::InProcess => load(archive_dir)?,
        Isolation::Process => load_isolated(archive_dir, timeout)?,
    };
    Ok(Pipeline::new(extractors)?)
}

/// The extractors of a run in a child `morgue __plugin-host serve`. The registry's entries and
/// the copies' hashes are checked here first, so a bad entry or a changed file is refused
/// before any process loads it.
pub fn load_isolated(archive_dir: &Path, timeout: Duration) -> Result<Vec<Box<dyn Extractor>>> {
    Registry::read(archive_dir)?.check_hashes()?;
    let exe = std::env::current_exe().context("cannot find the morgue executable")?;
    let dir = archive_dir.to_owned();
    let command = move || {
        let mut c = std::process::Command::new(&exe);
        c.arg("--archive")
            .arg(&dir)
            .args(["__plugin-host", "serve"]);
        c
    };
    Ok(isolate::start(Box::new(command), timeout)?)
}

/// Every extractor a run uses: the built-ins, then the archive's registered plugins (each
/// checked against its pinned SHA-256 before it is loaded).
pub fn load(archive_dir: &Path) -> Result<Vec<Box<dyn Extractor>>> {
    Ok(load_plugins(archive_dir)?
        .into_iter()
        .map(|e| Box::new(e) as Box<dyn Extractor>)
        .collect())
}

/// The built-ins and the archive's registered plugins, as loaded libraries. Reads only the
/// registry: no archive is opened, locked or created, and without one there are the built-ins.
pub fn load_plugins(archive_dir: &Path) -> Result<Vec<PluginExtractor>> {
    let mut all = builtins()?;
    all.extend(Registry::read(archive_dir)?.load()?);
    host::check_unique(all.iter().map(|e| (e.name(), e.origin())))?;
    Ok(all)
}

/// One row of `plugins list`.
#[derive(Serialize)]
struct Listed {
    name: String,
    version: String,
    origin: String,
    sha256: Option<String>,
    media_types: Vec<String>,
    fields: Vec<String>,
    requires: Vec<String>,
    description: String,
}

impl Listed {
    fn new(m: &Manifest, origin: String, sha256: Option<String>) -> Listed {
        Listed {
            name: m.name.clone(),
            version: m.version.clone(),
            origin,
            sha256,
            media_types: m.media_types.clone(),
            fields: m
                .fields
                .iter()
                .map(|f| format!("{}: {}", f.name, f.kind))
                .collect(),
            requires: m.requires.clone(),
            description: m.description.clone(),
        }
    }
}

/// Built-ins and registered plugins. Reading the registry needs no lock and no store, so this
/// works without an archive and beside a running import.
fn listing(ctx: &Ctx) -> Result<Vec<Listed>> {
    let mut rows: Vec<Listed> = builtins()?
        .iter()
        .map(|e| Listed::new(&e.manifest(), BUILT_IN.into(), None))
        .collect();
    let registry = Registry::read(&ctx.archive_dir)?;
    for entry in registry.entries() {
        let path = registry.path_of(entry)?;
        for m in &entry.extractors {
            rows.push(Listed::new(
                m,
                path.display().to_string(),
                Some(entry.sha256.clone()),
            ));
        }
    }
    Ok(rows)
}

pub fn run(ctx: &Ctx, command: PluginsCommand) -> Result<Status> {
    let mut out = output::stdout();
    match command {
        PluginsCommand::List { json } => {
            let rows = listing(ctx)?;
            if json {
                output::write_json(&mut out, &rows)?;
            } else {
                let cells: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.name.clone(),
                            r.version.clone(),
                            r.origin.clone(),
                            r.fields.join(", "),
                        ]
                    })
                    .collect();
                output::write_table(&mut out, &["NAME", "VERSION", "FROM", "FIELDS"], &cells)?;
            }
        }
        PluginsCommand::Info { name, json } => {
            let rows = listing(ctx)?;
            let Some(row) = rows.into_iter().find(|r| r.name == name) else {
                bail!("no extractor is named {name}; see `morgue plugins list`");
            };
            if json {
                output::write_json(&mut out, &row)?;
            } else {
                writeln!(out, "name         {}", row.name)?;
                writeln!(out, "version      {}", row.version)?;
                writeln!(out, "description  {}", row.description)?;
                writeln!(out, "from         {}", row.origin)?;
                if let Some(sha) = &row.sha256 {
                    writeln!(out, "sha256       {sha}")?;
                }
                writeln!(out, "media types  {}", row.media_types.join(", "))?;
                writeln!(
                    out,
                    "requires     {}",
                    if row.requires.is_empty() {
                        "-".into()
                    } else {
                        row.requires.join(", ")
                    }
                )?;
                for field in &row.fields {
                    writeln!(out, "field        {field}")?;
                }
            }
        }
        PluginsCommand::Add { file } => {
            let archive = ctx.open(true)?;
            let taken: Vec<(String, PathBuf)> = builtins()?
                .iter()
                .map(|e| (e.manifest().name, PathBuf::from(BUILT_IN)))
                .collect();
            let mut registry = Registry::read(archive.dir())?;
            let entry = registry.add(&file, &taken)?;
            let names: Vec<&str> = entry.extractors.iter().map(|m| m.name.as_str()).collect();
            if !ctx.quiet {
                eprintln!(
                    "added {} ({}) with sha256 {}",
                    entry.file,
                    names.join(", "),
                    entry.sha256
                );
            }
        }
        PluginsCommand::Remove { name } => {
            let archive = ctx.open(false)?;
            let mut registry = Registry::read(archive.dir())?;
            let removed = registry.remove(&name)?;
            if let Some(reason) = removed.deleted_nothing {
                // Said even with --quiet: the user may expect a file to be gone.
                eprintln!(
                    "removed the entry {:?} from {}; deleted no file: the entry {reason}",
                    removed.entry.file,
                    archive.dir().join("plugins/registry.json").display()
                );
            } else if !ctx.quiet {
                eprintln!("removed {}", removed.entry.file);
            }
        }
        PluginsCommand::Verify {
            file,
            plugin_timeout,
        } => {
            return verify(&file, plugin_timeout);
        }
    }
    out.flush()?;
    Ok(Status::Success)
}

/// Checks a library in a child `morgue __plugin-host verify FILE`, so a library that crashes
/// or hangs while loading or extracting takes down only the child.
fn verify(file: &Path, timeout: Duration) -> Result<Status> {
    let exe = std::env::current_exe().context("cannot find the morgue executable")?;
    let mut child = std::process::Command::new(exe)
        .args(["__plugin-host", "verify"])
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start the plugin host")?;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = std::io::Read::read_to_string(&mut s, &mut stdout);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut s, &mut stderr);
    }
    let Some(status) = status else {
        bail!(
            "plugin {}: did not finish within {:.0} s (--plugin-timeout); it hangs while loading or extracting",
            file.display(),
            timeout.as_secs_f64()
        );
    };
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        bail!(
            "plugin {}: crashed the plugin host with {}",
            file.display(),
            isolate::signal_name(signal)
        );
    }
    if !status.success() {
        // The host already printed a specific error.
        eprint!("{stderr}");
        return Ok(Status::Failed);
    }
    let mut out = output::stdout();
    out.write_all(stdout.as_bytes())?;
    out.flush()?;
    Ok(Status::Success)
}

/// A short article every extractor is run on by `plugins verify`.
const SAMPLE: &str = "Council approves new river bridge\n\nThe city council voted on Tuesday to build a new bridge across the river, ending a decade of debate.\n\n\"This is a good day for the town,\" the mayor said.\n";

/// The hidden `__plugin-host` command.
pub fn host(ctx: &Ctx, args: PluginHostArgs) -> Result<Status> {
    match args.command {
        PluginHostCommand::Serve => {
            // Ctrl-C reaches the whole process group; the parent decides when to stop and then
            // closes our stdin, so the document in flight is not failed by the signal.
            let _ = ctrlc::set_handler(|| {});
            // The parent holds the archive's lock; the registry is read without it.
            let extractors = load_plugins(&ctx.archive_dir).map_err(|e| format!("{e:#}"));
            // `serve` buffers both sides itself (stdout's own line buffering would split a
            // binary frame at every newline byte).
            isolate::serve(extractors, std::io::stdin().lock(), std::io::stdout())?;
            Ok(Status::Success)
        }
        PluginHostCommand::Verify { file } => {
            let loaded = host::load_library(&file)?;
            host::check_unique(loaded.iter().map(|e| (e.name(), e.origin())))?;
            let names: Vec<String> = loaded.iter().map(|e| e.manifest().name).collect();
            let manifests: Vec<Manifest> = loaded.iter().map(Extractor::manifest).collect();
            // Built-ins the library does not itself provide supply the fields it requires
            // (the library may be libmorgue_builtins.so, which provides them all).
            let mut all: Vec<PluginExtractor> = builtins()?
                .into_iter()
                .filter(|b| !names.iter().any(|n| n == b.name()))
                .collect();
            all.extend(loaded);
            let pipeline = Pipeline::new(
                all.into_iter()
                    .map(|e| Box::new(e) as Box<dyn Extractor>)
                    .collect(),
            )?;
            let id = "0".repeat(64);
            let output = pipeline.run(&id, "text/plain", SAMPLE, SAMPLE.as_bytes(), None)?;
            let sample: serde_json::Map<String, serde_json::Value> = output
                .fields
                .into_iter()
                .filter(|(k, _)| {
                    output
                        .provenance
                        .get(k)
                        .is_some_and(|p| names.contains(&p.plugin))
                })
                .collect();
            #[derive(Serialize)]
            struct Report {
                file: String,
                ok: bool,
                extractors: Vec<Manifest>,
                sample_fields: serde_json::Map<String, serde_json::Value>,
            }
            let report = Report {
                file: file.display().to_string(),
                ok: true,
                extractors: manifests,
                sample_fields: sample,
            };
            let mut out = output::stdout();
            output::write_json(&mut out, &report)?;
            out.flush()?;
            Ok(Status::Success)
        }
    }
}
