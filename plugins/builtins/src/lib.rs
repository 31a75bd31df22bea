//! `libmorgue_builtins.so`: every built-in extractor exported through the plugin ABI, so tests
//! and benchmarks load the built-ins through dlopen exactly as they would a third-party plugin.
//! Keep this list in step with the one the `morgue` binary links (`cli/src/plugins.rs`).

#![forbid(unsafe_code)]

/// The allocator of the `morgue` binary: the built-ins allocate as much through this library
/// as when they are linked in, and glibc's malloc costs them several percent.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

morgue_core::export_extractors!(morgue_plugin_structure::Structure, morgue_plugin_html::Html);
