//! A tiny harness for end-to-end tests: a temporary archive and a way to run `morgue` on it.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `morgue` binary under test.
pub fn morgue_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_morgue"))
}

/// `../shared/corpus`, beside the workspace.
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

/// The five BBC category folders, as `import ../shared/corpus/bbc/*/` expands them.
pub fn bbc_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus().join("bbc"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 5, "expected the five BBC categories");
    dirs
}

/// A scratch directory with an archive path inside it.
pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn archive(&self) -> PathBuf {
        self.tmp.path().join("archive")
    }

    /// Writes a file into the scratch directory and returns its path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.tmp.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// A `morgue --archive <archive>` command with a clean environment.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(morgue_bin());
        cmd.arg("--archive")
            .arg(self.archive())
            .env_remove("MORGUE_ARCHIVE")
            .env("NO_COLOR", "1")
            .current_dir(self.path())
            .stdin(Stdio::null());
        cmd
    }

    /// Runs morgue with `args` and returns its output.
    pub fn run<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Run {
        Run(self.cmd().args(args).output().unwrap())
    }

    /// `stats --json` parsed.
    pub fn stats(&self) -> serde_json::Value {
        let run = self.run(&["stats", "--json"]);
        run.assert_code(0);
        serde_json::from_slice(&run.0.stdout).unwrap()
    }
}

/// Runs morgue on the archive at `archive` (any folder, not only a [`Dir`]'s) with a clean
/// environment and no stdin.
pub fn run_on<S: AsRef<std::ffi::OsStr>>(archive: &Path, args: &[S]) -> Run {
    Run(Command::new(morgue_bin())
        .arg("--archive")
        .arg(archive)
        .args(args)
        .env_remove("MORGUE_ARCHIVE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap())
}

/// A finished command.
pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    /// The last line on stderr: import's summary.
    pub fn summary(&self) -> String {
        self.stderr().lines().last().unwrap_or("").to_owned()
    }

    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code(),
            code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
}

/// SHA-256 of bytes in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `tests/data` in the workspace.
pub fn test_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data")
}

/// A library built into the same target directory as the binary (`cargo build --workspace`
/// builds them; `cargo test` alone does not).
pub fn library(name: &str) -> PathBuf {
    let dir = morgue_bin().parent().unwrap().to_owned();
    let path = dir.join(format!("lib{name}.so"));
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace` before the tests",
        path.display()
    );
    path
}
