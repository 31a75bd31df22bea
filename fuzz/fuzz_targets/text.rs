//! Reading bytes as text and the structure extractor (`core/src/text.rs`, `plugins/structure`):
//! decoding never panics and is lossless in the sense the store relies on (the text derived
//! again from the raw bytes and the recorded encoding is the text decoded at import); the
//! structure extractor's fields always satisfy its own manifest; and the analyser gives the
//! same terms with and without spans, at positions in order and spans inside the text.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use morgue_core::analysis::Analyzer;
use morgue_core::extract::check_output;
use morgue_core::text::{self, InputKind};
use morgue_core::{Extractor, Manifest};
use morgue_plugin_structure::Structure;

fuzz_target!(|data: &[u8]| {
    let _ = InputKind::sniff(data);
    let Ok(decoded) = text::decode(data) else {
        return;
    };
    assert_eq!(
        text::decode_with(data, decoded.encoding),
        decoded.text,
        "text derived again with {}",
        decoded.encoding
    );
    if !decoded.fell_back {
        assert!(!decoded.text.contains('\u{fffd}') || bytes_hold_replacement(data));
    }

    let fields = morgue_plugin_structure::read(&decoded.text);
    static MANIFEST: OnceLock<Manifest> = OnceLock::new();
    if let Err(e) = check_output(MANIFEST.get_or_init(|| Structure.manifest()), &fields) {
        panic!("structure's output breaks its manifest: {e}");
    }

    static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
    let analyzer = ANALYZER.get_or_init(Analyzer::english);
    let mut plain = Vec::new();
    analyzer.analyze(&decoded.text, |term, position| {
        plain.push((term.to_owned(), position));
    });
    let mut spanned = Vec::new();
    analyzer.analyze_spans(&decoded.text, |term, position, span| {
        assert!(decoded.text.get(span.clone()).is_some(), "span {span:?}");
        spanned.push((term.to_owned(), position));
    });
    assert_eq!(plain, spanned);
    assert!(
        plain.windows(2).all(|w| w[0].1 <= w[1].1),
        "positions out of order"
    );
});

/// Whether the bytes themselves hold U+FFFD (in UTF-8 or UTF-16), so that a decoded text may
/// hold it without anything having been replaced.
fn bytes_hold_replacement(data: &[u8]) -> bool {
    data.windows(3).any(|w| w == "\u{fffd}".as_bytes())
        || data
            .windows(2)
            .any(|w| w == [0xfd, 0xff] || w == [0xff, 0xfd])
}
