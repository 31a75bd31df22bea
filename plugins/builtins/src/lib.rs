//! `libmorgue_builtins.so`: every built-in extractor exported through the plugin ABI, so tests
//! and benchmarks load the built-ins through dlopen exactly as they would a third-party plugin.
//! Keep this list in step with the one the `morgue` binary links (`cli/src/plugins.rs`).

#![forbid(unsafe_code)]

morgue_core::export_extractors!(morgue_plugin_structure::Structure);
