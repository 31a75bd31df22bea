//! The manifest: a small JSON file beside the sled directory, rewritten after every flush, that
//! records how many documents the store held and a digest of which. sled reopens a truncated or
//! deleted database as an empty store without complaint; the manifest is how `open` notices.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What the manifest records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestData {
    /// Store format version.
    pub format: u32,
    /// Documents after the last flush.
    pub documents: u64,
    /// Next import sequence number after the last flush.
    pub next_seq: u64,
    /// XOR of all document ids, hex: a set digest that additions and removals update in place.
    pub digest: String,
    /// Set while a removal is in flight: the store may legitimately hold fewer documents than
    /// `documents` until the removal's flush is followed by the next manifest write.
    #[serde(default)]
    pub removing: u64,
}

/// Reads and writes the manifest file atomically (write to a temporary file, fsync, rename).
pub struct ManifestFile {
    path: PathBuf,
}

impl ManifestFile {
    pub fn new(dir: &Path) -> ManifestFile {
        ManifestFile {
            path: dir.join("manifest.json"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn read(&self) -> Result<Option<ManifestData>> {
        match fs::read(&self.path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|source| Error::ManifestDamaged {
                        path: self.path.clone(),
                        reason: source.to_string(),
                    })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(_) if self.path.is_dir() => Err(Error::ManifestNotAFile {
                path: self.path.clone(),
            }),
            Err(e) => Err(Error::io(&self.path, e)),
        }
    }

    pub fn write(&self, data: &ManifestData) -> Result<()> {
        let tmp = self.path.with_extension("json.tmp");
        let json = serde_json::to_vec_pretty(data).map_err(|source| Error::Json {
            context: "manifest".into(),
            source,
        })?;
        let mut file = fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        file.write_all(&json).map_err(|e| Error::io(&tmp, e))?;
        file.sync_all().map_err(|e| Error::io(&tmp, e))?;
        fs::rename(&tmp, &self.path).map_err(|e| Error::io(&self.path, e))?;
        Ok(())
    }
}
