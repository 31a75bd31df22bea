//! The C ABI between morgue and an extractor library: the only thing that crosses the boundary.
//!
//! A library exports one symbol, `morgue_plugin_entry`, returning a pointer to a
//! [`LibraryDescriptor`]. Its first 16 bytes, the [`LibraryHeader`], are frozen forever so any
//! host can read them and refuse a library it does not understand. Everything else that crosses
//! is borrowed bytes or JSON with a `schema_version`.

use std::ffi::c_void;

/// `b"MORGUEPL"` read as a little-endian `u64`.
pub const MAGIC: u64 = u64::from_le_bytes(*b"MORGUEPL");
/// Incompatible changes bump the major version; a host loads only its own major.
pub const ABI_MAJOR: u16 = 1;
/// Compatible additions bump the minor version; a host loads libraries up to its own minor.
pub const ABI_MINOR: u16 = 0;
/// The exported symbol's name, NUL-terminated.
pub const ENTRY_SYMBOL: &[u8] = b"morgue_plugin_entry\0";

/// Status: success; the output buffer holds the result JSON.
pub const STATUS_OK: i32 = 0;
/// Status: the extractor returned an error; the buffer holds the error JSON.
pub const STATUS_ERROR: i32 = 1;
/// Status: the extractor panicked; the buffer holds the error JSON with kind `panic`.
pub const STATUS_PANIC: i32 = 2;

/// The frozen header: never changes layout, in any ABI version.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LibraryHeader {
    /// [`MAGIC`].
    pub magic: u64,
    /// The library's [`ABI_MAJOR`].
    pub abi_major: u16,
    /// The library's [`ABI_MINOR`].
    pub abi_minor: u16,
    /// `size_of::<LibraryDescriptor>()` as the library was built.
    pub struct_size: u32,
}

/// What `morgue_plugin_entry` returns.
#[repr(C)]
#[derive(Debug)]
pub struct LibraryDescriptor {
    /// The frozen header.
    pub header: LibraryHeader,
    /// Number of extractor descriptors.
    pub extractor_count: usize,
    /// Pointer to `extractor_count` descriptors, valid for the life of the process.
    pub extractors: *const ExtractorDescriptor,
}

/// Borrowed bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Slice {
    /// Start of the bytes (may dangle when `len` is 0).
    pub ptr: *const u8,
    /// Number of bytes.
    pub len: usize,
}

impl Slice {
    /// Borrows a byte slice for the duration of a call.
    pub fn new(bytes: &[u8]) -> Slice {
        Slice {
            ptr: bytes.as_ptr(),
            len: bytes.len(),
        }
    }
}

/// Bytes owned by the library; the host copies them and hands them back to the library's
/// `free_buf`, so each side frees only what its own allocator made.
#[repr(C)]
#[derive(Debug)]
pub struct Buf {
    /// Start of the allocation.
    pub ptr: *mut u8,
    /// Bytes in use.
    pub len: usize,
    /// Bytes allocated.
    pub cap: usize,
}

impl Buf {
    /// An empty buffer the library may fill.
    pub const EMPTY: Buf = Buf {
        ptr: std::ptr::null_mut(),
        len: 0,
        cap: 0,
    };
}

/// The arguments of one `extract` call.
#[repr(C)]
#[derive(Debug)]
pub struct ExtractArgs {
    /// `size_of::<ExtractArgs>()` as the host was built, so later fields can be added.
    pub struct_size: u32,
    /// The request JSON (schema_version, id, media_type, url, fields so far).
    pub request: Slice,
    /// The decoded text. It must be valid UTF-8 (the library checks it and refuses the
    /// document otherwise).
    pub text: Slice,
    /// The original bytes.
    pub raw: Slice,
}

/// Writes the manifest JSON into `out`.
pub type DescribeFn = extern "C" fn(out: *mut Buf) -> i32;
/// Creates an instance from a config JSON; on failure writes the error JSON into `err`.
pub type CreateFn = extern "C" fn(config: Slice, instance: *mut *mut c_void, err: *mut Buf) -> i32;
/// Extracts one document; writes the result or error JSON into `out`.
pub type ExtractFn =
    extern "C" fn(instance: *mut c_void, args: *const ExtractArgs, out: *mut Buf) -> i32;
/// Destroys an instance.
pub type DestroyFn = extern "C" fn(instance: *mut c_void);
/// Frees a buffer the library returned.
pub type FreeBufFn = extern "C" fn(buf: Buf);

/// One extractor in a library.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ExtractorDescriptor {
    /// `size_of::<ExtractorDescriptor>()` as the library was built.
    pub struct_size: u32,
    /// Writes the manifest.
    pub describe: DescribeFn,
    /// Creates an instance.
    pub create: CreateFn,
    /// Runs the extractor on one document.
    pub extract: ExtractFn,
    /// Destroys an instance.
    pub destroy: DestroyFn,
    /// Frees a returned buffer.
    pub free_buf: FreeBufFn,
}
