//! The archive's plugin registry: `DIR/plugins/registry.json` and the copies of the libraries
//! added with `morgue plugins add`. Only registered libraries load, from their copy in the
//! archive, and only while their SHA-256 still matches the one pinned when they were added and
//! they declare the extractors recorded then.
//!
//! The registry is a file anyone with access to the archive can edit, so nothing in it is
//! trusted: an entry may only name a file directly inside `DIR/plugins/` (a link there must
//! not lead out of it) and must pin a SHA-256. An entry that does not is refused before any
//! file it names is read, loaded or deleted. The same holds for the folder itself: a
//! `DIR/plugins` that is a link, or that leads out of the archive, is refused before anything
//! in it is read.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::extract::{Extractor, Manifest};
use crate::plugin::host::{self, PluginError, PluginExtractor};

/// One registered library.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// File name of the copy in `DIR/plugins/`.
    pub file: String,
    /// SHA-256 of the library, pinned when it was added. A registry without one still reads
    /// (as empty), so the entry is refused by name and `plugins remove` can drop it.
    #[serde(default)]
    pub sha256: String,
    /// Where it was added from.
    pub added_from: String,
    /// When it was added, RFC 3339.
    pub added_at: String,
    /// The manifests of its extractors, as they were when it was added.
    pub extractors: Vec<Manifest>,
}

#[derive(Default, Serialize, Deserialize)]
struct RegistryFile {
    plugins: Vec<Entry>,
}

/// The registry of one archive.
pub struct Registry {
    archive: PathBuf,
    dir: PathBuf,
    entries: Vec<Entry>,
}

/// What `Registry::remove` did.
#[derive(Debug)]
pub struct Removed {
    /// The entry taken out of the registry.
    pub entry: Entry,
    /// Why no file was deleted: the entry named something other than a file in
    /// `DIR/plugins/`.
    pub deleted_nothing: Option<String>,
}

/// The registry's own file name in `DIR/plugins/`.
const REGISTRY_FILE: &str = "registry.json";
/// The name the registry is written under before it replaces the old one.
const REGISTRY_TMP: &str = "registry.json.tmp";

impl Registry {
    /// Reads the registry of the archive in `archive_dir` (empty if none).
    pub fn read(archive_dir: &Path) -> Result<Registry> {
        let dir = archive_dir.join("plugins");
        check_folder(archive_dir, &dir)?;
        let path = dir.join(REGISTRY_FILE);
        let entries = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice::<RegistryFile>(&bytes)
                .map_err(|e| Error::RegistryMalformed {
                    path: path.clone(),
                    what: match e.classify() {
                        serde_json::error::Category::Data => {
                            "is not shaped like a plugin registry, an object {\"plugins\": [...]}"
                        }
                        _ => "is not valid JSON",
                    },
                    reason: e.to_string(),
                })?
                .plugins,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(Error::io(&path, e)),
        };
        Ok(Registry {
            archive: archive_dir.to_owned(),
            dir,
            entries,
        })
    }

    /// The registered libraries.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The path of an entry's copy, once the entry is checked: it names a file inside
    /// `DIR/plugins/` and pins a SHA-256.
    pub fn path_of(&self, entry: &Entry) -> Result<PathBuf> {
        let refuse = |reason: String| Error::RegistryEntry {
            registry: self.dir.join(REGISTRY_FILE),
            dir: self.dir.clone(),
            file: entry.file.clone(),
            reason,
            remove: entry
                .extractors
                .first()
                .map_or_else(|| format!("{:?}", entry.file), |m| m.name.clone()),
        };
        if let Some(reason) = file_name_problem(&entry.file) {
            return Err(refuse(reason.to_owned()));
        }
        let path = self.dir.join(&entry.file);
        // A link is followed to see where it leads; a file that is missing leads nowhere and
        // is reported as unreadable by whoever reads it.
        match fs::canonicalize(&path) {
            Ok(target) => {
                let dir = fs::canonicalize(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
                if !target.starts_with(&dir) {
                    return Err(refuse(format!(
                        "is a link that leads out of the plugins folder, to {}",
                        target.display()
                    )));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
        if !is_sha256(&entry.sha256) {
            return Err(refuse(format!(
                "has no valid SHA-256 (64 lowercase hex digits), found {:?}",
                entry.sha256
            )));
        }
        Ok(path)
    }

    /// Copies `source` into the archive, loads the copy to read its manifests, and pins its
    /// SHA-256. `taken` lists the extractor names already in use (the built-ins).
    pub fn add(&mut self, source: &Path, taken: &[(String, PathBuf)]) -> Result<Entry> {
        if source.is_dir() {
            return Err(PluginError::NotALibrary {
                path: source.to_owned(),
                reason: "it is a directory".into(),
            }
            .into());
        }
        let bytes = fs::read(source).map_err(|e| PluginError::Unreadable {
            path: source.to_owned(),
            reason: e.to_string(),
        })?;
        let file = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::io(source, std::io::ErrorKind::InvalidInput.into()))?;
        if let Some(reason) = file_name_problem(&file) {
            return Err(Error::PluginRegistry(format!(
                "cannot add {}: its file name {reason}; rename the library (for example to lib<name>.so) and add it again",
                source.display()
            )));
        }
        if self.entries.iter().any(|e| e.file == file) {
            return Err(Error::PluginRegistry(format!(
                "a plugin library named {file} is already registered; `morgue plugins remove` it first"
            )));
        }
        self.make_folder()?;
        let target = self.dir.join(&file);
        let partial = self.dir.join(format!(".{file}.partial"));
        fs::write(&partial, &bytes).map_err(|e| Error::io(&partial, e))?;
        let loaded = match host::load_library(&partial) {
            Ok(loaded) => loaded,
            Err(e) => {
                let _ = fs::remove_file(&partial);
                return Err(rename_path(e, source).into());
            }
        };
        let mut names: Vec<(String, PathBuf)> = taken.to_vec();
        for entry in &self.entries {
            let path = self.path_of(entry)?;
            for m in &entry.extractors {
                names.push((m.name.clone(), path.clone()));
            }
        }
        for extractor in &loaded {
            names.push((extractor.manifest().name, source.to_owned()));
        }
        if let Err(e) = host::check_unique(names.iter().map(|(n, p)| (n.as_str(), p.as_path()))) {
            let _ = fs::remove_file(&partial);
            return Err(e.into());
        }
        fs::rename(&partial, &target).map_err(|e| Error::io(&target, e))?;
        let entry = Entry {
            file,
            sha256: hex::encode(Sha256::digest(&bytes)),
            added_from: fs::canonicalize(source)
                .unwrap_or_else(|_| source.to_owned())
                .display()
                .to_string(),
            added_at: jiff::Timestamp::now().to_string(),
            extractors: loaded.iter().map(Extractor::manifest).collect(),
        };
        self.entries.push(entry.clone());
        self.write()?;
        Ok(entry)
    }

    /// Unregisters the library holding extractor `name` (or named `name`) and deletes its copy.
    /// Only a file directly inside `DIR/plugins/` is ever deleted (a link there is deleted
    /// itself, never what it leads to); an entry naming anything else is dropped from the
    /// registry and nothing is deleted.
    pub fn remove(&mut self, name: &str) -> Result<Removed> {
        let index = self
            .entries
            .iter()
            .position(|e| e.file == name || e.extractors.iter().any(|m| m.name == name))
            .ok_or_else(|| {
                Error::PluginRegistry(format!(
                    "no registered plugin is named {name}; see `morgue plugins list`"
                ))
            })?;
        let entry = self.entries.remove(index);
        self.write()?;
        if let Some(reason) = file_name_problem(&entry.file) {
            return Ok(Removed {
                entry,
                deleted_nothing: Some(reason.to_owned()),
            });
        }
        let path = self.dir.join(&entry.file);
        if let Err(e) = fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            return Err(Error::io(&path, e));
        }
        Ok(Removed {
            entry,
            deleted_nothing: None,
        })
    }

    /// Loads every registered library after checking every entry and its SHA-256, and refuses
    /// a library that declares other extractors than were recorded when it was added. The
    /// first failure refuses the whole set, before any document is touched.
    pub fn load(&self) -> Result<Vec<PluginExtractor>> {
        self.check_hashes()?;
        let mut out = Vec::new();
        for entry in &self.entries {
            out.extend(host::load_registered(
                &self.path_of(entry)?,
                &entry.extractors,
            )?);
        }
        Ok(out)
    }

    /// Checks every entry (a file inside `DIR/plugins/`, a SHA-256 pinned) and its copy
    /// against the pinned SHA-256, without loading anything.
    pub fn check_hashes(&self) -> Result<()> {
        for entry in &self.entries {
            let path = self.path_of(entry)?;
            let bytes = fs::read(&path).map_err(|e| PluginError::Unreadable {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            let found = hex::encode(Sha256::digest(&bytes));
            if found != entry.sha256 {
                return Err(PluginError::HashMismatch {
                    path,
                    expected: entry.sha256.clone(),
                    found,
                }
                .into());
            }
        }
        Ok(())
    }

    /// Creates `DIR/plugins` if it is missing, after checking again that it is a folder
    /// inside the archive: a link put there since the registry was read is not written into.
    fn make_folder(&self) -> Result<()> {
        check_folder(&self.archive, &self.dir)?;
        fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        check_folder(&self.archive, &self.dir)
    }

    fn write(&self) -> Result<()> {
        self.make_folder()?;
        let path = self.dir.join(REGISTRY_FILE);
        let tmp = self.dir.join(REGISTRY_TMP);
        let file = RegistryFile {
            plugins: self.entries.clone(),
        };
        let json = serde_json::to_vec_pretty(&file).map_err(|source| Error::Json {
            context: "plugin registry".into(),
            source,
        })?;
        fs::write(&tmp, json).map_err(|e| Error::io(&tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))
    }
}

/// Checks that the plugins folder `dir` of the archive in `archive_dir`, when it exists, is a
/// folder and not a link, and that its real path is inside the archive's. Every library and
/// the registry are confined to this folder, so a folder that leads elsewhere would let
/// whatever is there be loaded as the archive's plugins, and `plugins remove` delete it.
fn check_folder(archive_dir: &Path, dir: &Path) -> Result<()> {
    let refuse = |reason: String| Error::PluginsFolder {
        dir: dir.to_owned(),
        reason,
    };
    let meta = match fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    if meta.file_type().is_symlink() {
        let to = fs::read_link(dir)
            .map(|target| format!(" (to {})", target.display()))
            .unwrap_or_default();
        return Err(refuse(format!("is a symbolic link{to}")));
    }
    if !meta.is_dir() {
        return Err(refuse("is not a folder".into()));
    }
    let archive = fs::canonicalize(archive_dir).map_err(|e| Error::io(archive_dir, e))?;
    let real = fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
    if !real.starts_with(&archive) {
        return Err(refuse(format!(
            "leads out of the archive {}, to {}",
            archive.display(),
            real.display()
        )));
    }
    Ok(())
}

/// Why `file` is not the plain name of a library file directly inside `DIR/plugins/`, or
/// `None` when it is. Judged on the text alone, so it is safe before touching the file.
fn file_name_problem(file: &str) -> Option<&'static str> {
    if file.is_empty() {
        Some("names no file")
    } else if file.contains('\0') {
        Some("contains a NUL byte")
    } else if Path::new(file).is_absolute() {
        Some("is an absolute path, outside the plugins folder")
    } else if file.split('/').any(|part| part == "..") {
        Some("climbs out of the plugins folder with `..`")
    } else if file.contains('/') {
        Some("is a path, not a file name in the plugins folder")
    } else if file == "." {
        Some("names the plugins folder itself")
    } else if file == REGISTRY_FILE || file == REGISTRY_TMP {
        Some("names the registry's own file")
    } else {
        None
    }
}

/// Whether `s` is a SHA-256 as `plugins add` writes it: 64 lowercase hex digits.
fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Errors about the temporary copy name the file the user gave.
fn rename_path(e: PluginError, source: &Path) -> PluginError {
    let source = source.to_owned();
    match e {
        PluginError::NotALibrary { reason, .. } => PluginError::NotALibrary {
            path: source,
            reason,
        },
        PluginError::MissingSymbol { .. } => PluginError::MissingSymbol { path: source },
        PluginError::NullDescriptor { .. } => PluginError::NullDescriptor { path: source },
        PluginError::BadMagic { found, .. } => PluginError::BadMagic {
            path: source,
            found,
        },
        PluginError::AbiMajor { plugin, host, .. } => PluginError::AbiMajor {
            path: source,
            plugin,
            host,
        },
        PluginError::AbiMinor {
            major,
            plugin,
            host,
            ..
        } => PluginError::AbiMinor {
            path: source,
            major,
            plugin,
            host,
        },
        PluginError::StructTooSmall {
            what, found, need, ..
        } => PluginError::StructTooSmall {
            path: source,
            what,
            found,
            need,
        },
        PluginError::InvalidManifest { index, reason, .. } => PluginError::InvalidManifest {
            path: source,
            index,
            reason,
        },
        PluginError::Panicked {
            name,
            stage,
            message,
            ..
        } => PluginError::Panicked {
            path: source,
            name,
            stage,
            message,
        },
        PluginError::CreateFailed { name, message, .. } => PluginError::CreateFailed {
            path: source,
            name,
            message,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An archive folder whose registry holds one entry naming `file`, pinned to `bytes`.
    fn archive(file: &str, bytes: &[u8]) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let plugins = tmp.path().join("plugins");
        fs::create_dir_all(&plugins).unwrap_or_else(|e| panic!("{e}"));
        let registry = serde_json::json!({"plugins": [{
            "file": file,
            "sha256": hex::encode(Sha256::digest(bytes)),
            "added_from": "/somewhere/else",
            "added_at": "2026-01-01T00:00:00Z",
            "extractors": [],
        }]});
        fs::write(plugins.join("registry.json"), registry.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        tmp
    }

    fn message<T>(result: Result<T>) -> String {
        match result {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn entries_naming_files_outside_plugins_are_refused_before_they_are_read() {
        let bytes = b"pinned bytes";
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let outside = tmp.path().join("outside.so");
        fs::write(&outside, bytes).unwrap_or_else(|e| panic!("{e}"));
        let absolute = outside.display().to_string();
        for file in [
            "../outside.so",
            "../../outside.so",
            absolute.as_str(),
            "sub/x.so",
            "",
            ".",
            "..",
            "x\0.so",
            "registry.json",
        ] {
            let dir = archive(file, bytes);
            fs::copy(&outside, dir.path().join("outside.so")).unwrap_or_else(|e| panic!("{e}"));
            let registry = Registry::read(dir.path()).unwrap_or_else(|e| panic!("{e}"));
            for m in [message(registry.check_hashes()), message(registry.load())] {
                assert!(m.contains("registry.json"), "{file:?}: {m}");
                assert!(m.contains(&format!("{file:?}")), "{file:?}: {m}");
                assert!(m.contains("morgue plugins remove"), "{file:?}: {m}");
            }
        }
        // A link inside the folder that leads out of it.
        let dir = archive("link.so", bytes);
        std::os::unix::fs::symlink(&outside, dir.path().join("plugins/link.so"))
            .unwrap_or_else(|e| panic!("{e}"));
        let registry = Registry::read(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let m = message(registry.load());
        assert!(m.contains("leads out of"), "{m}");
        // A link that stays inside is a file in the folder like any other.
        let dir = archive("link.so", bytes);
        fs::write(dir.path().join("plugins/real.so"), bytes).unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink("real.so", dir.path().join("plugins/link.so"))
            .unwrap_or_else(|e| panic!("{e}"));
        let registry = Registry::read(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        registry.check_hashes().unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn remove_deletes_nothing_outside_plugins() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let victim = tmp.path().join("victim.so");
        fs::write(&victim, b"keep").unwrap_or_else(|e| panic!("{e}"));
        let absolute = victim.display().to_string();
        for file in ["../victim.so", "../../victim.so", absolute.as_str()] {
            let dir = archive(file, b"keep");
            let beside = dir.path().join("victim.so");
            fs::write(&beside, b"keep").unwrap_or_else(|e| panic!("{e}"));
            let mut registry = Registry::read(dir.path()).unwrap_or_else(|e| panic!("{e}"));
            registry.remove(file).unwrap_or_else(|e| panic!("{e}"));
            assert!(victim.exists(), "{file:?}");
            assert!(beside.exists(), "{file:?}");
            let registry = Registry::read(dir.path()).unwrap_or_else(|e| panic!("{e}"));
            assert!(registry.entries().is_empty(), "{file:?}");
        }
    }

    #[test]
    fn a_plugins_folder_that_is_not_a_real_folder_is_refused() {
        // A link, even to a folder inside the archive, and a file.
        let dir = archive("x.so", b"bytes");
        let plugins = dir.path().join("plugins");
        fs::rename(&plugins, dir.path().join("real")).unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink("real", &plugins).unwrap_or_else(|e| panic!("{e}"));
        let m = message(Registry::read(dir.path()));
        assert!(m.contains("is a symbolic link (to real)"), "{m}");
        assert!(m.contains(&plugins.display().to_string()), "{m}");
        fs::remove_file(&plugins).unwrap_or_else(|e| panic!("{e}"));
        fs::write(&plugins, b"").unwrap_or_else(|e| panic!("{e}"));
        let m = message(Registry::read(dir.path()));
        assert!(m.contains("is not a folder"), "{m}");
        // No folder yet is an empty registry.
        fs::remove_file(&plugins).unwrap_or_else(|e| panic!("{e}"));
        let registry = Registry::read(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert!(registry.entries().is_empty());
    }

    #[test]
    fn a_malformed_registry_names_the_file_and_the_fix() {
        for (text, what) in [
            ("{", "not valid JSON"),
            ("{\"plugins\": 3}", "not shaped like a plugin registry"),
        ] {
            let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let plugins = tmp.path().join("plugins");
            fs::create_dir_all(&plugins).unwrap_or_else(|e| panic!("{e}"));
            fs::write(plugins.join("registry.json"), text).unwrap_or_else(|e| panic!("{e}"));
            let m = message(Registry::read(tmp.path()));
            assert!(
                m.contains(&plugins.join("registry.json").display().to_string()),
                "{m}"
            );
            assert!(m.contains(what), "{m}");
            assert!(m.contains("morgue plugins add"), "{m}");
        }
    }

    #[test]
    fn an_entry_without_a_valid_sha256_is_refused() {
        for sha in [None, Some(""), Some("0123"), Some(&*"g".repeat(64))] {
            let dir = archive("x.so", b"bytes");
            fs::write(dir.path().join("plugins/x.so"), b"bytes").unwrap_or_else(|e| panic!("{e}"));
            let path = dir.path().join("plugins/registry.json");
            let mut json: serde_json::Value =
                serde_json::from_slice(&fs::read(&path).unwrap_or_else(|e| panic!("{e}")))
                    .unwrap_or_else(|e| panic!("{e}"));
            match sha {
                None => {
                    json["plugins"][0]
                        .as_object_mut()
                        .map(|o| o.remove("sha256"));
                }
                Some(s) => json["plugins"][0]["sha256"] = s.into(),
            }
            fs::write(&path, json.to_string()).unwrap_or_else(|e| panic!("{e}"));
            let m = match Registry::read(dir.path()) {
                Ok(registry) => message(registry.check_hashes()),
                Err(e) => e.to_string(),
            };
            assert!(m.contains("no valid SHA-256"), "{sha:?}: {m}");
            assert!(m.contains("\"x.so\""), "{sha:?}: {m}");
        }
    }
}
