//! The library side of the ABI: what [`export_extractors!`](crate::export_extractors) expands
//! to. Every entry point catches panics and turns them into a status and a message, so a
//! plugin's bug never unwinds into the host, and plugin crates keep `#![forbid(unsafe_code)]`.

#![allow(unsafe_code)]

use std::any::Any;
use std::cell::Cell;
use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use crate::extract::{ExtractInput, Extractor, SCHEMA_VERSION};
use crate::plugin::abi::{
    ABI_MAJOR, ABI_MINOR, Buf, ExtractArgs, ExtractorDescriptor, LibraryDescriptor, LibraryHeader,
    MAGIC, STATUS_ERROR, STATUS_OK, STATUS_PANIC, Slice,
};
use crate::plugin::wire::{ErrorJson, ManifestJson, RequestView, ResultJson};

/// Exports extractor types from a `cdylib` crate as a morgue plugin library:
/// `morgue_core::export_extractors!(ReadTime);`. Each type must implement
/// [`Extractor`](crate::Extractor) and [`Default`]. Use it in cdylib crates only: two linked
/// crates exporting the same symbol would collide.
#[macro_export]
macro_rules! export_extractors {
    ($($ty:ty),+ $(,)?) => {
        $crate::export_extractors!(@with $crate::plugin::guest::Overrides::NONE; $($ty),+);
    };
    (@with $overrides:expr; $($ty:ty),+ $(,)?) => {
        /// The morgue plugin entry point: returns this library's descriptor.
        #[unsafe(no_mangle)]
        pub extern "C" fn morgue_plugin_entry() -> *const $crate::plugin::abi::LibraryDescriptor {
            static LIBRARY: $crate::plugin::guest::Library = $crate::plugin::guest::Library::new();
            LIBRARY.descriptor(&$overrides, || {
                ::std::vec![$($crate::plugin::guest::descriptor::<$ty>()),+]
            })
        }
    };
}

/// Deliberately wrong header values or manifest text, so hosts can be tested against broken
/// libraries. Real plugins never use this.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct Overrides {
    pub magic: Option<u64>,
    pub abi_major: Option<u16>,
    pub abi_minor: Option<u16>,
    pub struct_size: Option<u32>,
    pub manifest_json: Option<&'static str>,
}

impl Overrides {
    /// No overrides.
    pub const NONE: Overrides = Overrides {
        magic: None,
        abi_major: None,
        abi_minor: None,
        struct_size: None,
        manifest_json: None,
    };
}

struct Built {
    _extractors: Box<[ExtractorDescriptor]>,
    descriptor: LibraryDescriptor,
}

// SAFETY: `Built` is immutable after construction and its pointer refers into the boxed slice it
// owns, which lives in a static for the rest of the process.
unsafe impl Send for Built {}
// SAFETY: as above; nothing in it is ever mutated.
unsafe impl Sync for Built {}

/// The descriptor of one library, built on first use and kept for the process's life.
#[doc(hidden)]
pub struct Library {
    built: OnceLock<Built>,
}

impl Library {
    /// An empty slot for a `static`.
    pub const fn new() -> Library {
        Library {
            built: OnceLock::new(),
        }
    }

    /// The library descriptor, building it on the first call.
    pub fn descriptor(
        &self,
        overrides: &Overrides,
        extractors: impl FnOnce() -> Vec<ExtractorDescriptor>,
    ) -> *const LibraryDescriptor {
        let built = self.built.get_or_init(|| {
            let mut extractors = extractors().into_boxed_slice();
            if let Some(json) = overrides.manifest_json {
                let _ = MANIFEST_OVERRIDE.set(json);
                for e in extractors.iter_mut() {
                    e.describe = describe_override;
                }
            }
            let descriptor = LibraryDescriptor {
                header: LibraryHeader {
                    magic: overrides.magic.unwrap_or(MAGIC),
                    abi_major: overrides.abi_major.unwrap_or(ABI_MAJOR),
                    abi_minor: overrides.abi_minor.unwrap_or(ABI_MINOR),
                    struct_size: overrides
                        .struct_size
                        .unwrap_or(size_of::<LibraryDescriptor>() as u32),
                },
                extractor_count: extractors.len(),
                extractors: extractors.as_ptr(),
            };
            Built {
                _extractors: extractors,
                descriptor,
            }
        });
        &built.descriptor
    }
}

impl Default for Library {
    fn default() -> Self {
        Library::new()
    }
}

static MANIFEST_OVERRIDE: OnceLock<&'static str> = OnceLock::new();

extern "C" fn describe_override(out: *mut Buf) -> i32 {
    let json = MANIFEST_OVERRIDE.get().copied().unwrap_or("");
    write_buf(out, json.as_bytes().to_vec());
    STATUS_OK
}

/// The descriptor of extractor type `T`, whose function pointers the host calls. Built-in
/// extractors linked into `morgue` are called through these same pointers.
pub fn descriptor<T: Extractor + Default + 'static>() -> ExtractorDescriptor {
    ExtractorDescriptor {
        struct_size: size_of::<ExtractorDescriptor>() as u32,
        describe: describe::<T>,
        create: create::<T>,
        extract: extract::<T>,
        destroy: destroy::<T>,
        free_buf,
    }
}

extern "C" fn describe<T: Extractor + Default + 'static>(out: *mut Buf) -> i32 {
    guarded(out, || {
        let manifest = T::default().manifest();
        let json = ManifestJson {
            schema_version: SCHEMA_VERSION,
            manifest,
        };
        Ok(to_json(&json))
    })
}

extern "C" fn create<T: Extractor + Default + 'static>(
    _config: Slice,
    instance: *mut *mut c_void,
    err: *mut Buf,
) -> i32 {
    guarded(err, || {
        let boxed: Box<T> = Box::default();
        if instance.is_null() {
            return Err(ErrorJson {
                schema_version: SCHEMA_VERSION,
                kind: "internal".into(),
                message: "create called without an instance slot".into(),
            });
        }
        // SAFETY: the host passes a valid, writable slot for one pointer.
        unsafe { *instance = Box::into_raw(boxed).cast::<c_void>() };
        Ok(Vec::new())
    })
}

extern "C" fn extract<T: Extractor + Default + 'static>(
    instance: *mut c_void,
    args: *const ExtractArgs,
    out: *mut Buf,
) -> i32 {
    guarded(out, || {
        if instance.is_null() || args.is_null() {
            return Err(internal("extract called with a null instance or arguments"));
        }
        // SAFETY: `instance` came from `create::<T>` of this descriptor and is not destroyed
        // while the host holds it; `T: Sync`, so shared access is sound.
        let extractor: &T = unsafe { &*instance.cast::<T>() };
        // SAFETY: the host passes arguments valid for the duration of this call.
        let args: &ExtractArgs = unsafe { &*args };
        // SAFETY: each slice points at `len` readable bytes owned by the host for this call.
        let (request, text, raw) =
            unsafe { (bytes(args.request), bytes(args.text), bytes(args.raw)) };
        let request =
            RequestView::from_json(request).map_err(|e| internal(&format!("request JSON: {e}")))?;
        // The ABI requires UTF-8 and morgue's host only passes checked text, but the library
        // does not stake memory safety on its caller: it checks again, with simdutf8, which
        // costs a fraction of `std::str::from_utf8` on an article.
        let text = simdutf8::basic::from_utf8(text).map_err(|_| {
            let reason = std::str::from_utf8(text)
                .err()
                .map_or_else(String::new, |e| e.to_string());
            internal(&format!("text is not UTF-8: {reason}"))
        })?;
        let input = ExtractInput {
            id: &request.id,
            media_type: &request.media_type,
            text,
            raw,
            url: request.url.as_deref(),
            fields: &request.fields,
        };
        match extractor.extract(&input) {
            Ok(extraction) => {
                // Results are mostly the text again (a body, a title), so size the buffer for
                // that once instead of growing it several times.
                let mut out = spare_buf();
                out.reserve(text.len() + 512);
                let result = ResultJson {
                    schema_version: SCHEMA_VERSION,
                    fields: extraction.fields,
                };
                match result.write_json(&mut out) {
                    Ok(()) => Ok(out),
                    Err(e) => Err(internal(&format!("cannot encode the result: {e}"))),
                }
            }
            Err(e) => Err(ErrorJson::from_error(&e)),
        }
    })
}

extern "C" fn destroy<T: Extractor + Default + 'static>(instance: *mut c_void) {
    if instance.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `instance` came from `Box::into_raw` in `create::<T>` and the host destroys
        // it once.
        drop(unsafe { Box::from_raw(instance.cast::<T>()) });
    }));
}

extern "C" fn free_buf(buf: Buf) {
    if buf.ptr.is_null() {
        return;
    }
    // SAFETY: every non-null `Buf` handed out comes from `write_buf`, which leaked a
    // `Vec<u8>` with exactly this pointer, length and capacity.
    let mut bytes = unsafe { Vec::from_raw_parts(buf.ptr, buf.len, buf.cap) };
    if bytes.capacity() <= MAX_SPARE {
        bytes.clear();
        // During thread teardown the slot is gone and the buffer is simply freed.
        let _ = SPARE.try_with(|spare| spare.set(bytes));
    }
}

/// Largest result buffer kept for reuse.
const MAX_SPARE: usize = 1 << 20;

thread_local! {
    /// The last result buffer the host gave back, reused for the next result: the host frees
    /// each result right after reading it, so one buffer per thread saves an allocation and a
    /// free of a document-sized block on every call.
    static SPARE: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// An empty buffer, the spare one when there is one.
fn spare_buf() -> Vec<u8> {
    SPARE.try_with(Cell::take).unwrap_or_default()
}

/// Runs `f`, writing its JSON (or error JSON, or panic message) into `out` and returning the
/// matching status. Nothing unwinds past this frame.
fn guarded(out: *mut Buf, f: impl FnOnce() -> Result<Vec<u8>, ErrorJson>) -> i32 {
    let (status, bytes) = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(bytes)) => (STATUS_OK, bytes),
        Ok(Err(e)) => (STATUS_ERROR, to_json(&e)),
        Err(panic) => (
            STATUS_PANIC,
            to_json(&ErrorJson::panic(panic_message(&*panic))),
        ),
    };
    write_buf(out, bytes);
    status
}

fn write_buf(out: *mut Buf, bytes: Vec<u8>) {
    if out.is_null() {
        return;
    }
    let mut bytes = std::mem::ManuallyDrop::new(bytes);
    let buf = Buf {
        ptr: bytes.as_mut_ptr(),
        len: bytes.len(),
        cap: bytes.capacity(),
    };
    // SAFETY: the host passes a valid, writable `Buf` slot.
    unsafe { out.write(buf) };
}

/// # Safety
/// `s.ptr` must point at `s.len` readable bytes for the returned lifetime (or `len` be 0).
unsafe fn bytes<'a>(s: Slice) -> &'a [u8] {
    if s.len == 0 || s.ptr.is_null() {
        return &[];
    }
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts(s.ptr, s.len) }
}

fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|e| {
        format!(r#"{{"schema_version":{SCHEMA_VERSION},"kind":"internal","message":"cannot encode JSON: {e}"}}"#)
            .into_bytes()
    })
}

fn internal(message: &str) -> ErrorJson {
    ErrorJson {
        schema_version: SCHEMA_VERSION,
        kind: "internal".into(),
        message: message.into(),
    }
}

/// The text of a panic payload.
pub fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}
