//! The host side of the ABI: loads a library with libloading, checks it in a fixed order and
//! wraps each extractor in a safe [`PluginExtractor`]. Built-in extractors linked into `morgue`
//! go through [`instantiate`] with the same descriptors a loaded library would give.
//!
//! Checks, in order, each with its own error: the file loads as a library, it has the entry
//! symbol, the magic matches, the ABI major is ours and the minor not newer, `struct_size` is
//! large enough, each manifest is valid, the manifests are the ones recorded when the library
//! was registered (for a registered library), and `create` succeeds. Libraries are never unloaded:
//! code from them may still be referenced (a panic message, a thread) after the last use.

#![allow(unsafe_code)]

use std::cell::Cell;
use std::ffi::c_void;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::extract::{ExtractError, ExtractInput, Extraction, Extractor, Manifest, SCHEMA_VERSION};
use crate::plugin::abi::{
    ABI_MAJOR, ABI_MINOR, Buf, ENTRY_SYMBOL, ExtractArgs, ExtractorDescriptor, FreeBufFn,
    LibraryDescriptor, LibraryHeader, MAGIC, STATUS_ERROR, STATUS_OK, STATUS_PANIC, Slice,
};
use crate::plugin::wire::{ErrorJson, ManifestJson, RequestRef, ResultJson};

/// Why a plugin library or extractor was refused. Every message names the file and the fix.
#[derive(Debug, Error)]
pub enum PluginError {
    /// The file is not registered in this archive.
    #[error("plugin {}: not registered; add it with `morgue plugins add FILE`", .path.display())]
    NotRegistered {
        /// The file.
        path: PathBuf,
    },
    /// The registered copy changed since `plugins add`.
    #[error("plugin {}: SHA-256 mismatch (registered {expected}, file now {found}); the file changed after `morgue plugins add` — remove it with `morgue plugins remove` and add the version you trust", .path.display())]
    HashMismatch {
        /// The registered copy.
        path: PathBuf,
        /// Hash pinned at registration.
        expected: String,
        /// Hash of the file now.
        found: String,
    },
    /// The file could not be read.
    #[error("plugin {}: cannot read it: {reason}", .path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The file is not a loadable shared library.
    #[error("plugin {}: not a loadable library ({reason}); give the .so a plugin crate builds (crate-type = [\"cdylib\"])", .path.display())]
    NotALibrary {
        /// The file.
        path: PathBuf,
        /// The loader's message.
        reason: String,
    },
    /// The library does not export the entry point.
    #[error("plugin {}: no `morgue_plugin_entry` symbol; call `morgue_core::export_extractors!(YourExtractor)` in the plugin crate", .path.display())]
    MissingSymbol {
        /// The file.
        path: PathBuf,
    },
    /// The entry point returned a null descriptor.
    #[error("plugin {}: `morgue_plugin_entry` returned no descriptor; rebuild it with morgue-core's export_extractors!", .path.display())]
    NullDescriptor {
        /// The file.
        path: PathBuf,
    },
    /// The descriptor does not start with our magic.
    #[error("plugin {}: not a morgue plugin (magic {found:#018x}, expected {MAGIC:#018x}); rebuild it with morgue-core's export_extractors!", .path.display())]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// The magic found.
        found: u64,
    },
    /// Different ABI major version.
    #[error("plugin {}: built for plugin ABI {plugin}.x, this morgue speaks ABI {host}.x; rebuild the plugin against a morgue-core with ABI {host}", .path.display())]
    AbiMajor {
        /// The file.
        path: PathBuf,
        /// The library's major.
        plugin: u16,
        /// Ours.
        host: u16,
    },
    /// Newer ABI minor than ours.
    #[error("plugin {}: built for plugin ABI {major}.{plugin}, newer than this morgue's {major}.{host}; upgrade morgue or rebuild the plugin against an older morgue-core", .path.display())]
    AbiMinor {
        /// The file.
        path: PathBuf,
        /// The shared major.
        major: u16,
        /// The library's minor.
        plugin: u16,
        /// Ours.
        host: u16,
    },
    /// The descriptor is smaller than the ABI requires.
    #[error("plugin {}: {what} is {found} bytes, smaller than the {need} this ABI requires; the library is damaged or was not built with export_extractors!", .path.display())]
    StructTooSmall {
        /// The file.
        path: PathBuf,
        /// Which struct.
        what: &'static str,
        /// Size it declares.
        found: u32,
        /// Size needed.
        need: u32,
    },
    /// A manifest is not valid JSON or not a valid manifest.
    #[error("plugin {}: extractor #{index} has an invalid manifest: {reason}; fix the plugin's manifest()", .path.display())]
    InvalidManifest {
        /// The file.
        path: PathBuf,
        /// The extractor's position in the library.
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// A registered library declares other extractors than `plugins add` recorded for it.
    #[error("plugin {}: {difference}; it is not the library `morgue plugins add` checked — run `morgue plugins remove {file}`, then `morgue plugins add FILE` with the library you trust", .path.display())]
    NotAsRegistered {
        /// The registered copy.
        path: PathBuf,
        /// Its file name, which `plugins remove` accepts.
        file: String,
        /// What differs, naming the extractor.
        difference: String,
    },
    /// Two loaded extractors share a name.
    #[error(
        "extractor name {name:?} is used twice: by {first} and by {second}; remove one of them (`morgue plugins remove`)"
    )]
    DuplicateName {
        /// The name.
        name: String,
        /// Where the first comes from.
        first: String,
        /// Where the second comes from.
        second: String,
    },
    /// `describe` or `create` panicked.
    #[error("plugin {}: extractor {name} panicked in {stage}: {message}; the plugin has a bug — remove it or report it to its author", .path.display())]
    Panicked {
        /// The file.
        path: PathBuf,
        /// The extractor (or its position).
        name: String,
        /// `describe` or `create`.
        stage: &'static str,
        /// The panic message.
        message: String,
    },
    /// `create` returned an error.
    #[error("plugin {}: extractor {name} could not start: {message}", .path.display())]
    CreateFailed {
        /// The file.
        path: PathBuf,
        /// The extractor.
        name: String,
        /// Its message.
        message: String,
    },
}

/// An extractor behind C function pointers, from a loaded library or a built-in descriptor.
pub struct PluginExtractor {
    manifest: Manifest,
    descriptor: ExtractorDescriptor,
    instance: *mut c_void,
    origin: PathBuf,
}

// SAFETY: the instance was created by an `Extractor + Send + Sync` type on the library side
// (`export_extractors!` requires it), and the host only calls `extract` through `&self`.
unsafe impl Send for PluginExtractor {}
// SAFETY: as above.
unsafe impl Sync for PluginExtractor {}

impl PluginExtractor {
    /// The extractor's name.
    pub fn name(&self) -> &str {
        &self.manifest.name
    }

    /// Where the extractor comes from: a library path, or `built-in`.
    pub fn origin(&self) -> &Path {
        &self.origin
    }
}

impl Drop for PluginExtractor {
    fn drop(&mut self) {
        (self.descriptor.destroy)(self.instance);
    }
}

impl Extractor for PluginExtractor {
    fn manifest(&self) -> Manifest {
        self.manifest.clone()
    }

    fn extract(&self, input: &ExtractInput<'_>) -> Result<Extraction, ExtractError> {
        let request = RequestRef {
            schema_version: SCHEMA_VERSION,
            id: input.id,
            media_type: input.media_type,
            url: input.url,
            fields: input.fields,
        };
        REQUEST.with(|spare| {
            // The buffer of the last request on this thread, so a call allocates no request.
            let mut json = spare.take();
            json.clear();
            let result = match request.write_json(&mut json) {
                Ok(()) => self.call(&json, input.text, input.raw, decode_result),
                Err(e) => Err(ExtractError::Internal(format!(
                    "cannot encode the request: {e}"
                ))),
            };
            if json.capacity() <= MAX_SPARE_REQUEST {
                spare.set(json);
            }
            result
        })
    }
}

/// Largest request buffer kept for the next call.
const MAX_SPARE_REQUEST: usize = 1 << 16;

thread_local! {
    /// The request buffer of the last call on this thread, reused by the next one.
    static REQUEST: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

impl PluginExtractor {
    /// One `extract` call with the request already encoded. The status and the result or error
    /// JSON, as the library wrote them, go to `read` while the library still owns the bytes:
    /// decoding them is the host's copy, so they are not copied twice. The plugin host process
    /// forwards them unchanged, so a document crosses JSON once on its way through the child.
    ///
    /// The ABI requires the text to be UTF-8, so text that is not never reaches the library:
    /// `read` gets an error status and error JSON instead, as if the library had refused it.
    pub fn extract_json<R>(
        &self,
        request: &[u8],
        text: &[u8],
        raw: &[u8],
        read: impl FnOnce(i32, &[u8]) -> R,
    ) -> R {
        match simdutf8::basic::from_utf8(text) {
            Ok(text) => self.call(request, text, raw, read),
            Err(_) => {
                let reason = std::str::from_utf8(text)
                    .err()
                    .map_or_else(String::new, |e| e.to_string());
                let error = ErrorJson {
                    schema_version: SCHEMA_VERSION,
                    kind: "internal".into(),
                    message: format!("text is not UTF-8: {reason}"),
                };
                read(
                    STATUS_ERROR,
                    &serde_json::to_vec(&error).unwrap_or_default(),
                )
            }
        }
    }

    /// One `extract` call on text that is UTF-8, as the ABI requires.
    fn call<R>(
        &self,
        request: &[u8],
        text: &str,
        raw: &[u8],
        read: impl FnOnce(i32, &[u8]) -> R,
    ) -> R {
        let args = ExtractArgs {
            struct_size: size_of::<ExtractArgs>() as u32,
            request: Slice::new(request),
            text: Slice::new(text.as_bytes()),
            raw: Slice::new(raw),
        };
        let mut out = Buf::EMPTY;
        let status = (self.descriptor.extract)(self.instance, &args, &mut out);
        let returned = Returned {
            buf: out,
            free: self.descriptor.free_buf,
        };
        read(status, returned.bytes())
    }
}

/// Turns an extract status and its JSON into the trait's result.
pub fn decode_result(status: i32, bytes: &[u8]) -> Result<Extraction, ExtractError> {
    match status {
        STATUS_OK => {
            let result = ResultJson::from_json(bytes).map_err(|e| {
                ExtractError::Internal(format!("the plugin returned invalid result JSON: {e}"))
            })?;
            Ok(Extraction {
                fields: result.fields,
            })
        }
        STATUS_ERROR | STATUS_PANIC => {
            let error: ErrorJson = serde_json::from_slice(bytes)
                .unwrap_or_else(|e| ErrorJson::panic(format!("(unreadable error JSON: {e})")));
            Err(match error.kind.as_str() {
                "input" => ExtractError::Input(error.message),
                "panic" => ExtractError::Internal(format!("panicked: {}", error.message)),
                _ => ExtractError::Internal(error.message),
            })
        }
        other => Err(ExtractError::Internal(format!("unknown status {other}"))),
    }
}

/// A buffer the library returned, handed back to the library's own `free_buf` when dropped
/// (also when reading it panics).
struct Returned {
    buf: Buf,
    free: FreeBufFn,
}

impl Returned {
    fn bytes(&self) -> &[u8] {
        if self.buf.ptr.is_null() || self.buf.len == 0 {
            return &[];
        }
        // SAFETY: the library wrote a buffer of `len` initialised bytes that it owns until
        // `free_buf` is called, which happens only when `self` is dropped.
        unsafe { std::slice::from_raw_parts(self.buf.ptr, self.buf.len) }
    }
}

impl Drop for Returned {
    fn drop(&mut self) {
        (self.free)(std::mem::replace(&mut self.buf, Buf::EMPTY));
    }
}

/// Copies a buffer the library returned and hands it back to the library's own `free_buf`.
fn take(descriptor: &ExtractorDescriptor, buf: Buf) -> Vec<u8> {
    Returned {
        buf,
        free: descriptor.free_buf,
    }
    .bytes()
    .to_vec()
}

/// Describes and creates the extractor of one descriptor. `origin` names it in errors.
pub fn instantiate(
    descriptor: ExtractorDescriptor,
    origin: &Path,
    index: usize,
) -> Result<PluginExtractor, PluginError> {
    let manifest = describe(&descriptor, origin, index)?;
    create(descriptor, manifest, origin)
}

/// Checks the descriptor's size and reads and validates its manifest.
fn describe(
    descriptor: &ExtractorDescriptor,
    origin: &Path,
    index: usize,
) -> Result<Manifest, PluginError> {
    let need = size_of::<ExtractorDescriptor>() as u32;
    if descriptor.struct_size < need {
        return Err(PluginError::StructTooSmall {
            path: origin.to_owned(),
            what: "an extractor descriptor",
            found: descriptor.struct_size,
            need,
        });
    }
    let mut out = Buf::EMPTY;
    let status = (descriptor.describe)(&mut out);
    let bytes = take(descriptor, out);
    let label = format!("#{index}");
    if status == STATUS_PANIC || status == STATUS_ERROR {
        return Err(PluginError::Panicked {
            path: origin.to_owned(),
            name: label,
            stage: "describe",
            message: error_message(&bytes),
        });
    }
    let manifest = serde_json::from_slice::<ManifestJson>(&bytes)
        .map_err(|e| PluginError::InvalidManifest {
            path: origin.to_owned(),
            index,
            reason: format!("not valid manifest JSON: {e}"),
        })?
        .manifest;
    manifest
        .validate()
        .map_err(|reason| PluginError::InvalidManifest {
            path: origin.to_owned(),
            index,
            reason,
        })?;
    Ok(manifest)
}

/// Creates the instance that will extract, for a manifest [`describe`] gave.
fn create(
    descriptor: ExtractorDescriptor,
    manifest: Manifest,
    origin: &Path,
) -> Result<PluginExtractor, PluginError> {
    let mut instance: *mut c_void = std::ptr::null_mut();
    let mut err = Buf::EMPTY;
    let config = b"{}";
    let status = (descriptor.create)(Slice::new(config), &mut instance, &mut err);
    let bytes = take(&descriptor, err);
    match status {
        STATUS_OK if !instance.is_null() => Ok(PluginExtractor {
            manifest,
            descriptor,
            instance,
            origin: origin.to_owned(),
        }),
        STATUS_PANIC => Err(PluginError::Panicked {
            path: origin.to_owned(),
            name: manifest.name,
            stage: "create",
            message: error_message(&bytes),
        }),
        _ => Err(PluginError::CreateFailed {
            path: origin.to_owned(),
            name: manifest.name,
            message: error_message(&bytes),
        }),
    }
}

fn error_message(bytes: &[u8]) -> String {
    match serde_json::from_slice::<ErrorJson>(bytes) {
        Ok(e) => e.message,
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Loads a library and instantiates every extractor in it, after checking it in order.
/// The library is never unloaded.
pub fn load_library(path: &Path) -> Result<Vec<PluginExtractor>, PluginError> {
    load(path, None)
}

/// Loads a registered library like [`load_library`], and refuses it before any extractor is
/// created unless its manifests are exactly the `registered` ones, in the same order. The
/// registry shows what `plugins add` recorded, so that is all a registered library may be.
pub fn load_registered(
    path: &Path,
    registered: &[Manifest],
) -> Result<Vec<PluginExtractor>, PluginError> {
    load(path, Some(registered))
}

fn load(path: &Path, registered: Option<&[Manifest]>) -> Result<Vec<PluginExtractor>, PluginError> {
    let descriptors = open(path)?;
    let manifests = descriptors
        .iter()
        .enumerate()
        .map(|(i, d)| describe(d, path, i))
        .collect::<Result<Vec<Manifest>, PluginError>>()?;
    if let Some(registered) = registered
        && let Some(difference) = difference(registered, &manifests)
    {
        return Err(PluginError::NotAsRegistered {
            path: path.to_owned(),
            file: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            difference,
        });
    }
    descriptors
        .iter()
        .zip(manifests)
        .map(|(d, m)| create(*d, m, path))
        .collect()
}

/// What differs between the manifests a library was registered with and those it declares,
/// or `None` when they are the same.
fn difference(registered: &[Manifest], declared: &[Manifest]) -> Option<String> {
    let names = |ms: &[Manifest]| ms.iter().map(|m| m.name.clone()).collect::<Vec<String>>();
    if names(registered) != names(declared) {
        return Some(format!(
            "declares extractors {:?} where the registry records {:?}",
            names(declared),
            names(registered)
        ));
    }
    let (r, d) = registered.iter().zip(declared).find(|(r, d)| r != d)?;
    if r.version != d.version {
        return Some(format!(
            "extractor {:?} declares version {:?} where the registry records {:?}",
            d.name, d.version, r.version
        ));
    }
    let part = if r.fields != d.fields {
        "fields"
    } else if r.media_types != d.media_types {
        "media types"
    } else if r.requires != d.requires {
        "required fields"
    } else {
        "description"
    };
    Some(format!(
        "extractor {:?} declares other {part} than the registry records",
        d.name
    ))
}

/// Loads the library and checks it up to its extractor descriptors, which live as long as
/// the (never unloaded) library.
fn open(path: &Path) -> Result<&'static [ExtractorDescriptor], PluginError> {
    let meta = std::fs::metadata(path).map_err(|e| PluginError::Unreadable {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    if meta.is_dir() {
        return Err(PluginError::NotALibrary {
            path: path.to_owned(),
            reason: "it is a directory".into(),
        });
    }
    // Never let the loader search: an absolute path loads exactly this file.
    let absolute = std::fs::canonicalize(path).map_err(|e| PluginError::Unreadable {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    // SAFETY: loading runs the library's initialisers. Only files the user registered (pinned
    // by SHA-256) or named to `plugins verify` (which runs in a child process) get here.
    let library =
        unsafe { libloading::Library::new(&absolute) }.map_err(|e| PluginError::NotALibrary {
            path: path.to_owned(),
            reason: loader_reason(&e),
        })?;
    // Never unloaded: descriptors and panic payloads point into the library's memory.
    let library: &'static libloading::Library = Box::leak(Box::new(library));
    // SAFETY: the symbol, if present, is `export_extractors!`'s entry point with this signature.
    let entry = unsafe { library.get::<extern "C" fn() -> *const LibraryDescriptor>(ENTRY_SYMBOL) }
        .map_err(|_| PluginError::MissingSymbol {
            path: path.to_owned(),
        })?;
    let descriptor = entry();
    if descriptor.is_null() {
        return Err(PluginError::NullDescriptor {
            path: path.to_owned(),
        });
    }
    // SAFETY: every version of the ABI starts the descriptor with the frozen 16-byte header.
    let header: LibraryHeader = unsafe { descriptor.cast::<LibraryHeader>().read() };
    if header.magic != MAGIC {
        return Err(PluginError::BadMagic {
            path: path.to_owned(),
            found: header.magic,
        });
    }
    if header.abi_major != ABI_MAJOR {
        return Err(PluginError::AbiMajor {
            path: path.to_owned(),
            plugin: header.abi_major,
            host: ABI_MAJOR,
        });
    }
    if header.abi_minor > ABI_MINOR {
        return Err(PluginError::AbiMinor {
            path: path.to_owned(),
            major: ABI_MAJOR,
            plugin: header.abi_minor,
            host: ABI_MINOR,
        });
    }
    let need = size_of::<LibraryDescriptor>() as u32;
    if header.struct_size < need {
        return Err(PluginError::StructTooSmall {
            path: path.to_owned(),
            what: "the library descriptor",
            found: header.struct_size,
            need,
        });
    }
    // SAFETY: the header says the descriptor is at least as large as the one we read.
    let descriptor: &LibraryDescriptor = unsafe { &*descriptor };
    if descriptor.extractor_count == 0 {
        return Ok(&[]);
    }
    // SAFETY: `export_extractors!` points `extractors` at `extractor_count` descriptors in a
    // static that lives as long as the (never unloaded) library.
    Ok(unsafe { std::slice::from_raw_parts(descriptor.extractors, descriptor.extractor_count) })
}

fn loader_reason(e: &libloading::Error) -> String {
    let text = e.to_string();
    // dlopen's message repeats the path; keep the reason after it.
    match text.rsplit_once(": ") {
        Some((_, reason)) if !reason.is_empty() => reason.to_owned(),
        _ => text,
    }
}

/// Refuses two extractors with the same name, naming where each comes from.
pub fn check_unique<'a>(
    extractors: impl IntoIterator<Item = (&'a str, &'a Path)>,
) -> Result<(), PluginError> {
    let mut seen: Vec<(&str, &Path)> = Vec::new();
    for (name, origin) in extractors {
        if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
            return Err(PluginError::DuplicateName {
                name: name.to_owned(),
                first: first.display().to_string(),
                second: origin.display().to_string(),
            });
        }
        seen.push((name, origin));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{FieldDecl, FieldType};
    use crate::model::Fields;
    use crate::plugin::guest;

    /// Counts the bytes of the text it is given.
    #[derive(Default)]
    struct Length;

    impl Extractor for Length {
        fn manifest(&self) -> Manifest {
            Manifest {
                name: "length".into(),
                version: "1.0.0".into(),
                description: String::new(),
                media_types: vec!["text/plain".into()],
                fields: vec![FieldDecl::required("length.bytes", FieldType::Integer)],
                requires: Vec::new(),
            }
        }

        fn extract(&self, input: &ExtractInput<'_>) -> Result<Extraction, ExtractError> {
            let fields = Fields::from([("length.bytes".to_owned(), input.text.len().into())]);
            Ok(Extraction { fields })
        }
    }

    fn length() -> PluginExtractor {
        instantiate(guest::descriptor::<Length>(), Path::new("built-in"), 0)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn request() -> Vec<u8> {
        let fields = Fields::new();
        let request = RequestRef {
            schema_version: SCHEMA_VERSION,
            id: "0123",
            media_type: "text/plain",
            url: None,
            fields: &fields,
        };
        let mut json = Vec::new();
        request
            .write_json(&mut json)
            .unwrap_or_else(|e| panic!("{e}"));
        json
    }

    #[test]
    fn text_that_is_not_utf8_never_reaches_the_library() {
        // The ABI requires UTF-8, so the host refuses other bytes before the call, with the
        // error the library's own check gives.
        let extractor = length();
        let (status, reply) =
            extractor.extract_json(&request(), b"caf\xe9", b"", |s, r| (s, r.to_vec()));
        assert_eq!(status, STATUS_ERROR);
        let error: ErrorJson = serde_json::from_slice(&reply).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(error.kind, "internal");
        assert_eq!(
            error.message,
            "text is not UTF-8: incomplete utf-8 byte sequence from index 3"
        );
        assert!(matches!(
            decode_result(status, &reply),
            Err(ExtractError::Internal(m)) if m.starts_with("text is not UTF-8")
        ));
        // UTF-8 goes through, as the trait call does.
        let (status, reply) =
            extractor.extract_json(&request(), "café".as_bytes(), b"", |s, r| (s, r.to_vec()));
        assert_eq!(status, STATUS_OK);
        let fields = decode_result(status, &reply)
            .unwrap_or_else(|e| panic!("{e}"))
            .fields;
        assert_eq!(fields["length.bytes"], 5);
        let input = ExtractInput {
            id: "0123",
            media_type: "text/plain",
            text: "café",
            raw: b"",
            url: None,
            fields: &Fields::new(),
        };
        let direct = extractor
            .extract(&input)
            .unwrap_or_else(|e| panic!("{e}"))
            .fields;
        assert_eq!(direct, fields);
    }
}
