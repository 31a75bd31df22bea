//! Reading bytes as text: media types from extensions or sniffing, UTF-8 with a windows-1252
//! fallback, and the check that refuses binary data posing as text.

use std::path::Path;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// Plain text.
pub const TEXT_PLAIN: &str = "text/plain";
/// HTML.
pub const TEXT_HTML: &str = "text/html";

/// What an input file is, by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// One plain-text document.
    Text,
    /// One HTML document.
    Html,
    /// A morgue JSONL export: many documents.
    Jsonl,
}

impl InputKind {
    /// The kind an extension names (case-insensitive), or `None` for an unsupported file.
    pub fn from_path(path: &Path) -> Option<InputKind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(InputKind::Text),
            "html" | "htm" | "xhtml" => Some(InputKind::Html),
            "jsonl" => Some(InputKind::Jsonl),
            _ => None,
        }
    }

    /// Guesses the kind of unnamed input (stdin) from its first bytes.
    pub fn sniff(bytes: &[u8]) -> InputKind {
        let head = &bytes[..bytes.len().min(1024)];
        let start = head
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(head.len());
        let head = &head[start..];
        if head.starts_with(b"{\"morgue_export\"") || head.starts_with(b"{\"id\"") {
            return InputKind::Jsonl;
        }
        let lower: Vec<u8> = head.iter().take(512).map(u8::to_ascii_lowercase).collect();
        let has = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
        if lower.starts_with(b"<!doctype html")
            || lower.starts_with(b"<html")
            || has(b"<head")
            || has(b"<body")
        {
            return InputKind::Html;
        }
        InputKind::Text
    }

    /// The media type of a single-document kind.
    pub fn media_type(self) -> &'static str {
        match self {
            InputKind::Html => TEXT_HTML,
            InputKind::Text | InputKind::Jsonl => TEXT_PLAIN,
        }
    }
}

/// Text decoded from bytes, with the encoding used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// Encoding label as stored in the source (`utf-8`, `windows-1252`, ...).
    pub encoding: &'static str,
    /// Whether the bytes were not valid in the expected encoding and a fallback was used.
    pub fell_back: bool,
}

/// Why bytes could not be read as text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// There are no bytes.
    #[error("empty file")]
    Empty,
    /// The bytes look like binary data (NUL bytes or many control characters).
    #[error("not text: {0}")]
    Binary(String),
    /// The bytes start with the byte-order mark of an encoding they are not valid in, so
    /// they could only be read by replacing some of them.
    #[error("not valid {encoding}, though it starts with a {encoding} byte-order mark")]
    Malformed {
        /// The encoding the mark names (`UTF-16LE`, `UTF-16BE`).
        encoding: &'static str,
    },
}

/// Decodes a document's bytes: a byte-order mark decides when present (and bytes not valid in
/// the encoding it names are refused); otherwise UTF-8, and windows-1252 when the bytes are not
/// valid UTF-8 (every byte maps, so nothing is lost and the text can always be derived again
/// from the raw bytes).
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DecodeError::Empty);
    }
    if let Some((encoding, bom)) = Encoding::for_bom(bytes)
        && encoding != UTF_8
    {
        let text = encoding
            .decode_without_bom_handling_and_without_replacement(&bytes[bom..])
            .ok_or(DecodeError::Malformed {
                encoding: encoding.name(),
            })?;
        check_not_binary(&text)?;
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: label(encoding),
            fell_back: false,
        });
    }
    let (text, encoding, fell_back) = match std::str::from_utf8(bytes) {
        Ok(s) => (
            s.strip_prefix('\u{feff}').unwrap_or(s).to_owned(),
            UTF_8,
            false,
        ),
        Err(_) => {
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), WINDOWS_1252, true)
        }
    };
    check_not_binary(&text)?;
    Ok(Decoded {
        text,
        encoding: label(encoding),
        fell_back,
    })
}

/// Decodes bytes with the encoding recorded at import, for reading a stored document's text.
pub fn decode_with(bytes: &[u8], encoding_label: &str) -> String {
    let encoding = Encoding::for_label(encoding_label.as_bytes()).unwrap_or(UTF_8);
    if encoding == UTF_8 {
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let skip = match Encoding::for_bom(bytes) {
        Some((e, n)) if e == encoding => n,
        _ => 0,
    };
    encoding
        .decode_without_bom_handling(&bytes[skip..])
        .0
        .into_owned()
}

/// Checks that the encoding recorded for a document reads its bytes as [`decode_with`] does
/// without replacing any of them, so the text derived from them is exactly the text they hold.
/// An empty or unknown label reads as UTF-8, as in `decode_with`. The error says where the
/// bytes stop being UTF-8, or in which other encoding they are not valid.
pub fn check_encoding(bytes: &[u8], encoding_label: &str) -> Result<(), String> {
    let encoding = Encoding::for_label(encoding_label.as_bytes()).unwrap_or(UTF_8);
    if encoding == UTF_8 {
        return std::str::from_utf8(bytes)
            .map(drop)
            .map_err(|e| format!("not valid UTF-8 at byte offset {}", e.valid_up_to()));
    }
    let skip = match Encoding::for_bom(bytes) {
        Some((e, n)) if e == encoding => n,
        _ => 0,
    };
    match encoding.decode_without_bom_handling_and_without_replacement(&bytes[skip..]) {
        Some(_) => Ok(()),
        None => Err(format!("not valid {}", encoding.name())),
    }
}

/// The label recorded for text decoded with `encoding`: one that [`decode_with`] and
/// [`check_encoding`] resolve to that same encoding, so the text derived again from the raw
/// bytes is the text decoded at import. The four encodings morgue always recorded keep their
/// lower-case labels; every other one is recorded by its encoding_rs name (`Shift_JIS`,
/// `windows-1251`, `ISO-8859-2`, ...), which is one of its labels too.
fn label(encoding: &'static Encoding) -> &'static str {
    match encoding.name() {
        "UTF-8" => "utf-8",
        "windows-1252" => "windows-1252",
        "UTF-16LE" => "utf-16le",
        "UTF-16BE" => "utf-16be",
        name => name,
    }
}

/// Text is refused as binary when it holds a NUL, or when more than 1 in 100 characters are
/// control characters other than tab, line feed, form feed and carriage return. Real articles
/// have none; random bytes have about one in eight.
fn check_not_binary(text: &str) -> Result<(), DecodeError> {
    let mut total = 0usize;
    let mut controls = 0usize;
    for c in text.chars() {
        total += 1;
        if c == '\0' {
            return Err(DecodeError::Binary("it contains NUL bytes".into()));
        }
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c') {
            controls += 1;
        }
    }
    if controls * 100 > total {
        return Err(DecodeError::Binary(format!(
            "{controls} of its {total} characters are control characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_kept() {
        let d = decode("a £15.8m signing".as_bytes()).unwrap();
        assert_eq!(d.encoding, "utf-8");
        assert!(!d.fell_back);
        assert_eq!(d.text, "a £15.8m signing");
    }

    #[test]
    fn invalid_utf8_falls_back_to_windows_1252() {
        let d = decode(b"a \xa315.8m signing \x93quoted\x94").unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.fell_back);
        assert_eq!(d.text, "a £15.8m signing \u{201c}quoted\u{201d}");
        assert_eq!(decode_with(b"a \xa315.8m", "windows-1252"), "a £15.8m");
    }

    #[test]
    fn boms_decide() {
        let d = decode(b"\xff\xfeh\0i\0").unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("hi", "utf-16le"));
        assert_eq!(decode_with(b"\xff\xfeh\0i\0", "utf-16le"), "hi");
        let d = decode(b"\xef\xbb\xbfhi").unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("hi", "utf-8"));
        assert_eq!(decode_with(b"\xef\xbb\xbfhi", "utf-8"), "hi");
    }

    #[test]
    fn a_bom_over_bytes_not_in_its_encoding_is_refused() {
        assert_eq!(
            decode(b"\xff\xfeh\0i\0!"),
            Err(DecodeError::Malformed {
                encoding: "UTF-16LE"
            })
        );
        // An unpaired surrogate.
        assert!(matches!(
            decode(b"\xfe\xff\xd8\x00\x00h"),
            Err(DecodeError::Malformed { .. })
        ));
    }

    #[test]
    fn recorded_encodings_must_read_the_bytes_without_loss() {
        assert_eq!(check_encoding("a £15.8m".as_bytes(), "utf-8"), Ok(()));
        assert_eq!(check_encoding(b"a \xa315.8m", "windows-1252"), Ok(()));
        assert_eq!(check_encoding(b"plain", "windows-1252"), Ok(()));
        assert_eq!(check_encoding(b"\xff\xfeh\0i\0", "utf-16le"), Ok(()));
        assert_eq!(
            check_encoding(b"a \xa315.8m", "utf-8"),
            Err("not valid UTF-8 at byte offset 2".into())
        );
        assert_eq!(
            check_encoding(b"\xef\xbb\xbfa\xff", ""),
            Err("not valid UTF-8 at byte offset 4".into())
        );
        assert_eq!(
            check_encoding(b"\xff\xfeh\0i", "utf-16le"),
            Err("not valid UTF-16LE".into())
        );
        // What decode stores, check_encoding accepts.
        for bytes in [
            &b"a \xa315.8m"[..],
            b"\xff\xfeh\0i\0",
            b"\xef\xbb\xbfhi",
            b"hi",
        ] {
            let d = decode(bytes).unwrap();
            assert_eq!(check_encoding(bytes, d.encoding), Ok(()));
        }
    }

    /// Every encoding encoding_rs has but the replacement encoding, which nothing is decoded
    /// with.
    const ALL_ENCODINGS: [&Encoding; 39] = [
        encoding_rs::BIG5,
        encoding_rs::EUC_JP,
        encoding_rs::EUC_KR,
        encoding_rs::GB18030,
        encoding_rs::GBK,
        encoding_rs::IBM866,
        encoding_rs::ISO_2022_JP,
        encoding_rs::ISO_8859_10,
        encoding_rs::ISO_8859_13,
        encoding_rs::ISO_8859_14,
        encoding_rs::ISO_8859_15,
        encoding_rs::ISO_8859_16,
        encoding_rs::ISO_8859_2,
        encoding_rs::ISO_8859_3,
        encoding_rs::ISO_8859_4,
        encoding_rs::ISO_8859_5,
        encoding_rs::ISO_8859_6,
        encoding_rs::ISO_8859_7,
        encoding_rs::ISO_8859_8,
        encoding_rs::ISO_8859_8_I,
        encoding_rs::KOI8_R,
        encoding_rs::KOI8_U,
        encoding_rs::MACINTOSH,
        encoding_rs::SHIFT_JIS,
        encoding_rs::UTF_16BE,
        encoding_rs::UTF_16LE,
        encoding_rs::UTF_8,
        encoding_rs::WINDOWS_1250,
        encoding_rs::WINDOWS_1251,
        encoding_rs::WINDOWS_1252,
        encoding_rs::WINDOWS_1253,
        encoding_rs::WINDOWS_1254,
        encoding_rs::WINDOWS_1255,
        encoding_rs::WINDOWS_1256,
        encoding_rs::WINDOWS_1257,
        encoding_rs::WINDOWS_1258,
        encoding_rs::WINDOWS_874,
        encoding_rs::X_MAC_CYRILLIC,
        encoding_rs::X_USER_DEFINED,
    ];

    #[test]
    fn every_label_reads_back_as_its_own_encoding() {
        for encoding in ALL_ENCODINGS {
            let recorded = label(encoding);
            assert_eq!(
                Encoding::for_label(recorded.as_bytes()),
                Some(encoding),
                "{recorded}"
            );
        }
        // Text in each legacy encoding reads back exactly under the label recorded for it.
        for (encoding, text) in [
            (encoding_rs::SHIFT_JIS, "東京の天気は晴れです。"),
            (encoding_rs::EUC_JP, "東京の天気は晴れです。"),
            (encoding_rs::EUC_KR, "서울의 날씨는 맑습니다."),
            (encoding_rs::GBK, "北京今天天气晴朗。"),
            (encoding_rs::BIG5, "台北今天天氣晴朗。"),
            (encoding_rs::WINDOWS_1251, "Погода в Москве."),
            (encoding_rs::KOI8_R, "Погода в Москве."),
            (encoding_rs::ISO_8859_2, "Pogoda w Łodzi."),
            (encoding_rs::ISO_8859_7, "Ο καιρός στην Αθήνα."),
            (encoding_rs::WINDOWS_1256, "الطقس في القاهرة."),
        ] {
            let (bytes, _, lossy) = encoding.encode(text);
            assert!(!lossy, "{text} in {}", encoding.name());
            let recorded = label(encoding);
            assert_eq!(decode_with(&bytes, recorded), text, "{recorded}");
            assert_eq!(check_encoding(&bytes, recorded), Ok(()), "{recorded}");
        }
    }

    #[test]
    fn refuses_empty_and_binary() {
        assert_eq!(decode(b""), Err(DecodeError::Empty));
        assert_eq!(decode(b" \n\t"), Err(DecodeError::Empty));
        assert!(matches!(decode(b"ab\0cd"), Err(DecodeError::Binary(_))));
        let noisy: Vec<u8> = (0..=255u8).cycle().skip(1).take(4096).collect();
        assert!(matches!(decode(&noisy), Err(DecodeError::Binary(_))));
    }

    #[test]
    fn kinds_by_extension_and_sniffing() {
        assert_eq!(
            InputKind::from_path(Path::new("a/B.TXT")),
            Some(InputKind::Text)
        );
        assert_eq!(
            InputKind::from_path(Path::new("a.htm")),
            Some(InputKind::Html)
        );
        assert_eq!(
            InputKind::from_path(Path::new("a.jsonl")),
            Some(InputKind::Jsonl)
        );
        assert_eq!(InputKind::from_path(Path::new("a.pdf")), None);
        assert_eq!(InputKind::from_path(Path::new("README")), None);
        assert_eq!(InputKind::sniff(b"  <!DOCTYPE html><p>x"), InputKind::Html);
        assert_eq!(
            InputKind::sniff(b"{\"morgue_export\": 1}\n"),
            InputKind::Jsonl
        );
        assert_eq!(
            InputKind::sniff(b"Headline\n\nBody <b>x</b>"),
            InputKind::Text
        );
    }
}
