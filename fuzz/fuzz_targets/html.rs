//! The html extractor (`plugins/html`): any page, however malformed, gives fields that meet the
//! extractor's own manifest, never a panic; its `body` is the text `main_text` reads, and
//! `word_count` counts the words of that body.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use morgue_core::extract::check_output;
use morgue_core::{Extractor, Manifest};
use morgue_plugin_html::Html;

fuzz_target!(|data: &[u8]| {
    let Ok(page) = std::str::from_utf8(data) else {
        return;
    };
    let fields = morgue_plugin_html::read(page);
    static MANIFEST: OnceLock<Manifest> = OnceLock::new();
    if let Err(e) = check_output(MANIFEST.get_or_init(|| Html.manifest()), &fields) {
        panic!("html's output breaks its manifest: {e}");
    }
    let body = fields.get("body").and_then(|v| v.as_str()).unwrap_or("");
    assert_eq!(body, morgue_plugin_html::main_text(page));
    assert_eq!(
        fields.get("word_count").and_then(|v| v.as_u64()),
        Some(body.split_whitespace().count() as u64)
    );
});
