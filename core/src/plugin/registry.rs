//! The archive's plugin registry: `DIR/plugins/registry.json` and the copies of the libraries
//! added with `morgue plugins add`. Only registered libraries load, from their copy in the
//! archive, and only while their SHA-256 still matches the one pinned when they were added.

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
    /// SHA-256 of the library, pinned when it was added.
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
    dir: PathBuf,
    entries: Vec<Entry>,
}

impl Registry {
    /// Reads the registry of the archive in `archive_dir` (empty if none).
    pub fn read(archive_dir: &Path) -> Result<Registry> {
        let dir = archive_dir.join("plugins");
        let path = dir.join("registry.json");
        let entries = match fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice::<RegistryFile>(&bytes)
                    .map_err(|source| Error::Json {
                        context: format!("plugin registry {}", path.display()),
                        source,
                    })?
                    .plugins
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(Error::io(&path, e)),
        };
        Ok(Registry { dir, entries })
    }

    /// The registered libraries.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The path of an entry's copy.
    pub fn path_of(&self, entry: &Entry) -> PathBuf {
        self.dir.join(&entry.file)
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
        if self.entries.iter().any(|e| e.file == file) {
            return Err(Error::PluginRegistry(format!(
                "a plugin library named {file} is already registered; `morgue plugins remove` it first"
            )));
        }
        fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
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
            for m in &entry.extractors {
                names.push((m.name.clone(), self.path_of(entry)));
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
    pub fn remove(&mut self, name: &str) -> Result<Entry> {
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
        let path = self.dir.join(&entry.file);
        if let Err(e) = fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            return Err(Error::io(&path, e));
        }
        Ok(entry)
    }

    /// Loads every registered library after checking its SHA-256 against the pinned one. The
    /// first failure refuses the whole set, before any document is touched.
    pub fn load(&self) -> Result<Vec<PluginExtractor>> {
        self.check_hashes()?;
        let mut out = Vec::new();
        for entry in &self.entries {
            out.extend(host::load_library(&self.path_of(entry))?);
        }
        Ok(out)
    }

    /// Checks every registered copy against its pinned SHA-256 without loading anything.
    pub fn check_hashes(&self) -> Result<()> {
        for entry in &self.entries {
            let path = self.path_of(entry);
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

    fn write(&self) -> Result<()> {
        fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        let path = self.dir.join("registry.json");
        let tmp = self.dir.join("registry.json.tmp");
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
