//! Reading bytes as text: media types from extensions or sniffing, UTF-8 with a windows-1252
//! fallback for plain text, the encoding an HTML page declares or a guess at it, and the check
//! that refuses binary data posing as text.

use std::path::Path;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};

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
    /// The encoding an HTML page declared, by its byte-order mark or a `<meta>` element,
    /// whether or not its bytes were valid in it (its encoding_rs name); `None` for plain text
    /// and for a page that declares none.
    pub declared: Option<&'static str>,
}

impl Decoded {
    /// What to warn about when the bytes were not valid in the encoding expected of them and
    /// another one was used: `None` when nothing fell back.
    pub fn warning(&self) -> Option<String> {
        if !self.fell_back {
            return None;
        }
        Some(match self.declared {
            Some(declared) => format!(
                "not valid {declared}, the encoding the page declares; decoded as {}",
                self.encoding
            ),
            None => format!("not valid UTF-8; decoded as {}", self.encoding),
        })
    }
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
            declared: None,
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
        declared: None,
    })
}

/// Decodes a document of media type `media_type`: [`decode_html`] for HTML, [`decode`] for
/// anything else.
pub fn decode_as(bytes: &[u8], media_type: &str) -> Result<Decoded, DecodeError> {
    if media_type == TEXT_HTML {
        decode_html(bytes)
    } else {
        decode(bytes)
    }
}

/// How far into a page its `<meta>` charset declaration is looked for, as browsers do.
const PRESCAN_BYTES: usize = 1024;

/// Decodes an HTML page's bytes in the encoding a browser would read them in: the one its
/// byte-order mark names (a UTF-16 mark over bytes not valid in it is refused, as for plain
/// text); else the one its `<meta charset>` or `<meta http-equiv="Content-Type">` declares in
/// its first 1024 bytes; else UTF-8 when the bytes are valid UTF-8; else the encoding chardetng
/// guesses from them.
///
/// The text is always exactly what [`decode_with`] derives from the bytes under the recorded
/// encoding, so a page whose bytes are not valid in the encoding it declares is not decoded
/// in it, which would replace some of them: it is read as a page that declares nothing would
/// be, and `fell_back` is set so the importer can warn.
pub fn decode_html(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DecodeError::Empty);
    }
    let declared = match Encoding::for_bom(bytes) {
        // UTF-16 is read as for plain text; a UTF-8 mark declares UTF-8 as a `<meta>` would.
        Some((encoding, _)) if encoding != UTF_8 => return decode(bytes),
        Some((encoding, _)) => Some(encoding),
        None => prescan(&bytes[..bytes.len().min(PRESCAN_BYTES)]),
    };
    let decoded = match declared {
        Some(encoding) => match decode_exactly(bytes, encoding) {
            Some(text) => Decoded {
                text,
                encoding: label(encoding),
                fell_back: false,
                declared: Some(encoding.name()),
            },
            None => Decoded {
                fell_back: true,
                declared: Some(encoding.name()),
                ..undeclared(bytes)
            },
        },
        None => undeclared(bytes),
    };
    check_not_binary(&decoded.text)?;
    Ok(decoded)
}

/// Decodes a page that declares no encoding (or one its bytes are not valid in): as UTF-8 when
/// they are valid UTF-8, else in the encoding chardetng guesses, else (when the guess does not
/// read them either) as windows-1252, in which every byte is a character.
fn undeclared(bytes: &[u8]) -> Decoded {
    if let Some(text) = decode_exactly(bytes, UTF_8) {
        return Decoded {
            text,
            encoding: label(UTF_8),
            fell_back: false,
            declared: None,
        };
    }
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, Utf8Detection::Deny);
    let (text, encoding) = match decode_exactly(bytes, guess) {
        Some(text) => (text, guess),
        None => {
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), WINDOWS_1252)
        }
    };
    Decoded {
        text,
        encoding: label(encoding),
        fell_back: true,
        declared: None,
    }
}

/// The bytes decoded in `encoding` as [`decode_with`] decodes them, or `None` when some of
/// them are not valid in it. Only a UTF-8 byte-order mark is skipped here: a page with a UTF-16
/// one never gets this far.
fn decode_exactly(bytes: &[u8], encoding: &'static Encoding) -> Option<String> {
    if encoding == UTF_8 {
        let text = std::str::from_utf8(bytes).ok()?;
        return Some(text.strip_prefix('\u{feff}').unwrap_or(text).to_owned());
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(std::borrow::Cow::into_owned)
}

/// The prescan ran past the end of the bytes it was given, so it found nothing.
struct Truncated;

/// The encoding the `<meta>` elements in `head` (a page's first bytes) declare, found as
/// the WHATWG HTML standard's "prescan a byte stream to determine its encoding" does: comments
/// are skipped, other tags are stepped over attribute by attribute, and the first `<meta>`
/// with a `charset` attribute, or with `http-equiv="content-type"` and a `content` naming a
/// charset, decides. A declared UTF-16 means UTF-8 (the bytes could not hold the ASCII
/// declaration otherwise) and x-user-defined means windows-1252; a label of the replacement
/// encoding counts as no declaration. A declaration cut off by the end of `head` counts for
/// nothing.
fn prescan(head: &[u8]) -> Option<&'static Encoding> {
    let encoding = prescan_meta(head).ok().flatten()?;
    Some(if encoding == UTF_16LE || encoding == UTF_16BE {
        UTF_8
    } else if encoding == X_USER_DEFINED {
        WINDOWS_1252
    } else {
        encoding
    })
}

/// [`prescan`] before the declared encoding is mapped to the one to use.
fn prescan_meta(head: &[u8]) -> Result<Option<&'static Encoding>, Truncated> {
    let mut at = 0;
    while at < head.len() {
        let rest = &head[at..];
        if rest.starts_with(b"<!--") {
            // The dashes that open a comment may also close it: `<!-->`.
            let end = find(&rest[2..], b"-->").ok_or(Truncated)?;
            at += 2 + end + 3;
            continue;
        }
        if rest.len() > 5
            && rest[..5].eq_ignore_ascii_case(b"<meta")
            && (is_space(rest[5]) || rest[5] == b'/')
        {
            at += 6;
            if let Some(encoding) = meta(head, &mut at)? {
                return Ok(Some(encoding));
            }
        } else if rest.len() > 1
            && (rest[1].is_ascii_alphabetic()
                || (rest[1] == b'/' && rest.get(2).is_some_and(u8::is_ascii_alphabetic)))
            && rest[0] == b'<'
        {
            at += rest
                .iter()
                .position(|&b| is_space(b) || b == b'>')
                .ok_or(Truncated)?;
            while attribute(head, &mut at)?.is_some() {}
        } else if rest.len() > 1 && rest[0] == b'<' && matches!(rest[1], b'!' | b'/' | b'?') {
            at += 1 + rest[1..].iter().position(|&b| b == b'>').ok_or(Truncated)?;
        }
        at += 1;
    }
    Ok(None)
}

/// Reads the attributes of a `<meta>` element from `at` (just past `<meta `), and gives the
/// encoding it declares, if it declares one.
fn meta(head: &[u8], at: &mut usize) -> Result<Option<&'static Encoding>, Truncated> {
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut got_pragma = false;
    let mut need_pragma = None;
    // `None` while no attribute named an encoding; `Some(None)` when a `charset` attribute
    // named one that does not exist.
    let mut charset: Option<Option<&'static Encoding>> = None;
    while let Some((name, value)) = attribute(head, at)? {
        if seen.contains(&name) {
            continue;
        }
        match name.as_slice() {
            b"http-equiv" => got_pragma |= value == b"content-type",
            b"content" => {
                if charset.is_none()
                    && let Some(encoding) = charset_in_content(&value)
                {
                    charset = Some(Some(encoding));
                    need_pragma = Some(true);
                }
            }
            b"charset" => {
                charset = Some(Encoding::for_label_no_replacement(&value));
                need_pragma = Some(false);
            }
            _ => {}
        }
        seen.push(name);
    }
    Ok(match (need_pragma, charset) {
        (Some(true), _) if !got_pragma => None,
        (Some(_), Some(encoding)) => encoding,
        _ => None,
    })
}

/// An attribute's name and value, lower-cased.
type Attribute = (Vec<u8>, Vec<u8>);

/// Reads one attribute at `at` (its name lower-cased, its value unquoted and lower-cased), as
/// the prescan's "get an attribute" does, or `None` at the `>` that ends the tag.
fn attribute(head: &[u8], at: &mut usize) -> Result<Option<Attribute>, Truncated> {
    let byte = |at: usize| head.get(at).copied().ok_or(Truncated);
    while is_space(byte(*at)?) || byte(*at)? == b'/' {
        *at += 1;
    }
    if byte(*at)? == b'>' {
        return Ok(None);
    }
    let mut name = Vec::new();
    let mut value = Vec::new();
    loop {
        match byte(*at)? {
            b'=' if !name.is_empty() => break,
            b if is_space(b) => {
                while is_space(byte(*at)?) {
                    *at += 1;
                }
                if byte(*at)? != b'=' {
                    return Ok(Some((name, value)));
                }
                break;
            }
            b'/' | b'>' => return Ok(Some((name, value))),
            b => name.push(b.to_ascii_lowercase()),
        }
        *at += 1;
    }
    // Past the `=`.
    *at += 1;
    while is_space(byte(*at)?) {
        *at += 1;
    }
    match byte(*at)? {
        quote @ (b'"' | b'\'') => loop {
            *at += 1;
            let b = byte(*at)?;
            if b == quote {
                *at += 1;
                return Ok(Some((name, value)));
            }
            value.push(b.to_ascii_lowercase());
        },
        b'>' => return Ok(Some((name, value))),
        b => value.push(b.to_ascii_lowercase()),
    }
    *at += 1;
    loop {
        let b = byte(*at)?;
        if is_space(b) || b == b'>' {
            return Ok(Some((name, value)));
        }
        value.push(b.to_ascii_lowercase());
        *at += 1;
    }
}

/// The encoding named by `charset=` in a `content` attribute such as
/// `text/html; charset=Shift_JIS`, as the HTML standard's "algorithm for extracting a
/// character encoding from a meta element" finds it.
fn charset_in_content(content: &[u8]) -> Option<&'static Encoding> {
    let mut at = 0;
    loop {
        at += content[at..]
            .windows(7)
            .position(|w| w.eq_ignore_ascii_case(b"charset"))?
            + 7;
        while content.get(at).copied().is_some_and(is_space) {
            at += 1;
        }
        if content.get(at) == Some(&b'=') {
            at += 1;
            break;
        }
    }
    while content.get(at).copied().is_some_and(is_space) {
        at += 1;
    }
    let rest = &content[at..];
    let name = match rest.first()? {
        &quote @ (b'"' | b'\'') => {
            let inner = &rest[1..];
            &inner[..inner.iter().position(|&b| b == quote)?]
        }
        _ => {
            let end = rest
                .iter()
                .position(|&b| is_space(b) || b == b';')
                .unwrap_or(rest.len());
            &rest[..end]
        }
    };
    Encoding::for_label_no_replacement(name)
}

/// HTML's ASCII whitespace: tab, line feed, form feed, carriage return and space.
fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace()
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
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
    // Counted on the UTF-8 bytes, which is several times faster than decoding characters on
    // a large page: a character starts at every byte that is not a continuation byte; the
    // control characters are the bytes 0x00-0x1F and 0x7F, and U+0080-U+009F, written
    // 0xC2 0x80-0x9F.
    let bytes = text.as_bytes();
    if bytes.contains(&0) {
        return Err(DecodeError::Binary("it contains NUL bytes".into()));
    }
    let mut total = 0usize;
    let mut controls = 0usize;
    for (k, &b) in bytes.iter().enumerate() {
        total += usize::from(b & 0xC0 != 0x80);
        let c0 = (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f;
        let c1 = b == 0xC2 && bytes.get(k + 1).is_some_and(|n| (0x80..=0x9F).contains(n));
        controls += usize::from(c0 || c1);
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
    fn control_characters_are_counted_as_characters_are() {
        let slow = |t: &str| {
            let total = t.chars().count();
            let controls = t
                .chars()
                .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c'))
                .count();
            controls * 100 > total
        };
        let mut samples = vec![
            "plain text\n\twith tabs\r\n".to_owned(),
            "\u{80}\u{9f}\u{a0}é\u{7f}\u{1}".to_owned(),
            "x".repeat(99) + "\u{85}",
            "x".repeat(98) + "\u{85}\u{1b}",
            "日本語".repeat(40) + "\u{1b}\u{1b}",
        ];
        samples.push(
            (0..300u32)
                .filter_map(char::from_u32)
                .filter(|&c| c != '\0')
                .collect(),
        );
        for t in &samples {
            assert_eq!(check_not_binary(t).is_err(), slow(t), "{t:?}");
        }
        assert!(check_not_binary("a\0b").is_err());
    }

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

    /// A page whose head holds `meta`, with a body of `body` encoded in `encoding`.
    fn page(meta: &str, encoding: &'static Encoding, body: &str) -> Vec<u8> {
        let mut bytes =
            format!("<!DOCTYPE html>\n<html><head>{meta}<title>t</title></head><body><p>")
                .into_bytes();
        let (body, _, lossy) = encoding.encode(body);
        assert!(!lossy);
        bytes.extend_from_slice(&body);
        bytes.extend_from_slice(b"</p></body></html>\n");
        bytes
    }

    /// Decodes an HTML page and checks what every decoding must hold: the text is what the
    /// recorded encoding reads from the bytes, and that encoding reads them without loss.
    #[track_caller]
    fn html(bytes: &[u8]) -> Decoded {
        let d = decode_html(bytes).unwrap();
        assert_eq!(decode_with(bytes, d.encoding), d.text, "{}", d.encoding);
        assert_eq!(check_encoding(bytes, d.encoding), Ok(()), "{}", d.encoding);
        d
    }

    const CAFE: &str = "Un café à Montréal.";
    const JAPANESE: &str =
        "東京の天気は晴れです。明日は雨が降るでしょう。日本語の記事を読んでください。";
    const RUSSIAN: &str =
        "Погода в Москве сегодня хорошая. Завтра ожидается дождь и сильный ветер.";

    #[test]
    fn a_meta_charset_decides() {
        let bytes = page(r#"<meta charset="windows-1252">"#, WINDOWS_1252, CAFE);
        assert!(bytes.contains(&0xe9));
        let d = html(&bytes);
        assert_eq!((d.encoding, d.fell_back), ("windows-1252", false));
        assert_eq!(d.declared, Some("windows-1252"));
        assert!(d.text.contains(CAFE), "{}", d.text);
        assert_eq!(d.warning(), None);

        // Unquoted, upper case, after a self-closing slash and other attributes.
        let bytes = page(
            "<META name=x CHARSET=Shift_JIS/>",
            encoding_rs::SHIFT_JIS,
            JAPANESE,
        );
        let d = html(&bytes);
        assert_eq!(d.encoding, "Shift_JIS");
        assert!(d.text.contains(JAPANESE));
        // A label encoding_rs knows by another name is recorded by that name.
        let d = html(&page("<meta charset='latin1'>", WINDOWS_1252, CAFE));
        assert_eq!(d.encoding, "windows-1252");
        let d = html(&page(
            "<meta charset=ISO-8859-2>",
            encoding_rs::ISO_8859_2,
            "Łódź",
        ));
        assert_eq!((d.encoding, d.text.contains("Łódź")), ("ISO-8859-2", true));
    }

    #[test]
    fn an_http_equiv_content_type_decides() {
        let meta = r#"<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">"#;
        let d = html(&page(meta, encoding_rs::WINDOWS_1251, RUSSIAN));
        assert_eq!((d.encoding, d.fell_back), ("windows-1251", false));
        assert!(d.text.contains(RUSSIAN));
        // The content attribute before http-equiv, the charset quoted.
        let meta = r#"<meta content='text/html;charset="EUC-KR"' http-equiv=content-type>"#;
        let d = html(&page(meta, encoding_rs::EUC_KR, "서울의 날씨는 맑습니다."));
        assert_eq!(d.encoding, "EUC-KR");
        assert!(d.text.contains("서울의 날씨는 맑습니다."));
        // Without http-equiv, content alone declares nothing: the body is read as UTF-8.
        let meta = r#"<meta content="text/html; charset=windows-1251">"#;
        let d = html(&page(meta, UTF_8, RUSSIAN));
        assert_eq!((d.encoding, d.declared), ("utf-8", None));
    }

    #[test]
    fn a_bom_beats_the_meta() {
        let mut bytes = b"\xef\xbb\xbf".to_vec();
        bytes.extend(page("<meta charset=windows-1252>", UTF_8, CAFE));
        let d = html(&bytes);
        assert_eq!((d.encoding, d.fell_back), ("utf-8", false));
        assert!(d.text.starts_with("<!DOCTYPE") && d.text.contains(CAFE));

        let mut bytes = b"\xff\xfe".to_vec();
        for unit in "<meta charset=windows-1252><p>café".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        let d = html(&bytes);
        assert_eq!(d.encoding, "utf-16le");
        assert_eq!(d.text, "<meta charset=windows-1252><p>café");
        // A UTF-16 mark over bytes not valid in it is refused, as for plain text.
        assert!(matches!(
            decode_html(b"\xff\xfe<\0p\0>"),
            Err(DecodeError::Malformed { .. })
        ));
    }

    #[test]
    fn only_the_first_1024_bytes_are_searched() {
        let late = format!(
            "<title>{}</title><meta charset=windows-1251>",
            "x".repeat(PRESCAN_BYTES)
        );
        let d = html(&page(&late, UTF_8, RUSSIAN));
        assert_eq!((d.encoding, d.declared), ("utf-8", None));
        // One that starts inside them but ends beyond them counts for nothing either.
        let cut = format!(
            "<title>{}</title><meta charset=windows-1251>",
            "x".repeat(PRESCAN_BYTES - 53)
        );
        let bytes = page(&cut, UTF_8, RUSSIAN);
        let start = find(&bytes, b"<meta").unwrap();
        assert!(
            start < PRESCAN_BYTES && start + 20 > PRESCAN_BYTES,
            "{start}"
        );
        assert_eq!(html(&bytes).declared, None);
        let early = format!("{}<meta charset=windows-1251>", "x".repeat(900));
        let d = html(&page(&early, encoding_rs::WINDOWS_1251, RUSSIAN));
        assert_eq!(d.encoding, "windows-1251");
    }

    #[test]
    fn comments_and_other_tags_are_skipped() {
        let meta = "<!-- <meta charset=windows-1251> --><meta charset=Shift_JIS>";
        let d = html(&page(meta, encoding_rs::SHIFT_JIS, JAPANESE));
        assert_eq!(d.encoding, "Shift_JIS");
        // `<!-->` is a whole comment.
        let meta = "<!--><meta charset=Shift_JIS>";
        assert_eq!(
            html(&page(meta, encoding_rs::SHIFT_JIS, JAPANESE)).encoding,
            "Shift_JIS"
        );
        // A meta inside another tag's attribute value is not a meta.
        let meta = r#"<a title="<meta charset=windows-1251>"></a><meta charset=Shift_JIS>"#;
        assert_eq!(
            html(&page(meta, encoding_rs::SHIFT_JIS, JAPANESE)).encoding,
            "Shift_JIS"
        );
        // Nor is one in an unclosed comment.
        let d = html(&page("<!-- <meta charset=windows-1251>", UTF_8, RUSSIAN));
        assert_eq!(d.declared, None);
    }

    #[test]
    fn declared_utf16_means_utf8_and_x_user_defined_windows_1252() {
        let d = html(&page("<meta charset=utf-16le>", UTF_8, CAFE));
        assert_eq!((d.encoding, d.fell_back), ("utf-8", false));
        assert!(d.text.contains(CAFE));
        let d = html(&page("<meta charset=x-user-defined>", WINDOWS_1252, CAFE));
        assert_eq!((d.encoding, d.fell_back), ("windows-1252", false));
        assert!(d.text.contains(CAFE));
        // A label of the replacement encoding, or none at all, declares nothing.
        for meta in ["<meta charset=iso-2022-kr>", "<meta charset=klingon>"] {
            let d = html(&page(meta, UTF_8, CAFE));
            assert_eq!(
                (d.encoding, d.declared, d.fell_back),
                ("utf-8", None, false)
            );
        }
    }

    #[test]
    fn bytes_not_valid_in_the_declared_encoding_fall_back_without_loss() {
        // Declared EUC-JP, but UTF-8: read as UTF-8, with a warning.
        let bytes = page("<meta charset=euc-jp>", UTF_8, "Ça va ? 東京");
        assert!(
            encoding_rs::EUC_JP
                .decode_without_bom_handling_and_without_replacement(&bytes)
                .is_none()
        );
        let d = html(&bytes);
        assert_eq!((d.encoding, d.fell_back), ("utf-8", true));
        assert_eq!(d.declared, Some("EUC-JP"));
        assert!(d.text.contains("Ça va ? 東京"));
        assert_eq!(
            d.warning().as_deref(),
            Some("not valid EUC-JP, the encoding the page declares; decoded as utf-8")
        );
        // Declared UTF-8, but windows-1252: not UTF-8, so guessed.
        let d = html(&page("<meta charset=utf-8>", WINDOWS_1252, CAFE));
        assert_eq!((d.encoding, d.fell_back), ("windows-1252", true));
        assert!(d.text.contains(CAFE));
        // Declared EUC-KR, but a byte that is not EUC-KR and not UTF-8 either.
        let d = html(&page(
            "<meta charset=euc-kr>",
            WINDOWS_1252,
            "\u{a0}\u{ff}\u{a0}",
        ));
        assert!(d.fell_back);
        assert_ne!(d.encoding, "EUC-KR");
        assert!(!d.text.contains('\u{fffd}'));
    }

    #[test]
    fn pages_without_a_declaration_are_utf8_or_guessed() {
        let d = html(&page("", UTF_8, JAPANESE));
        assert_eq!(
            (d.encoding, d.fell_back, d.declared),
            ("utf-8", false, None)
        );
        let d = html(&page("", encoding_rs::SHIFT_JIS, JAPANESE));
        assert_eq!((d.encoding, d.fell_back), ("Shift_JIS", true));
        assert!(d.text.contains(JAPANESE));
        assert_eq!(
            d.warning().as_deref(),
            Some("not valid UTF-8; decoded as Shift_JIS")
        );
        let d = html(&page("", encoding_rs::WINDOWS_1251, RUSSIAN));
        assert_eq!(d.encoding, "windows-1251");
        assert!(d.text.contains(RUSSIAN));
        let d = html(&page("", WINDOWS_1252, CAFE));
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains(CAFE));
    }

    #[test]
    fn html_refuses_empty_and_binary_as_text_does() {
        assert_eq!(decode_html(b" \n"), Err(DecodeError::Empty));
        assert!(matches!(
            decode_html(b"<p>a\0b"),
            Err(DecodeError::Binary(_))
        ));
        let noisy: Vec<u8> = (0..=255u8).cycle().skip(1).take(4096).collect();
        assert!(matches!(decode_html(&noisy), Err(DecodeError::Binary(_))));
        let mut declared = b"<meta charset=Shift_JIS>".to_vec();
        declared.extend(&noisy);
        assert!(matches!(
            decode_html(&declared),
            Err(DecodeError::Binary(_))
        ));
    }

    #[test]
    fn plain_text_is_decoded_as_before_whatever_it_declares() {
        let bytes = page(
            "<meta charset=windows-1251>",
            encoding_rs::WINDOWS_1251,
            RUSSIAN,
        );
        assert_eq!(decode_as(&bytes, TEXT_PLAIN), decode(&bytes));
        assert_eq!(decode(&bytes).unwrap().encoding, "windows-1252");
        assert_eq!(
            decode_as(&bytes, TEXT_HTML).unwrap().encoding,
            "windows-1251"
        );
        assert_eq!(
            decode(b"a \xa3").unwrap().warning().as_deref(),
            Some("not valid UTF-8; decoded as windows-1252")
        );
    }

    /// Cut anywhere, mixed with bytes of every value, a page still decodes to what its recorded
    /// encoding reads without loss, or is refused: the prescan never reads past the bytes or
    /// loops.
    #[test]
    fn any_cut_or_noise_decodes_losslessly_or_is_refused() {
        let soup = concat!(
            "<!--><!-- x --><!doctype html><?xml?></p><a href='x' b=\"y\" c=z / d>",
            "<meta a><meta charset><meta charset=><meta http-equiv=content-type ",
            "content=\"charset = 'koi8-r' \"><META CONTENT='charset=\"x\"; charset=gbk'>",
            "<meta charset=\"windows-1251\" charset=utf-8>"
        );
        let mut inputs: Vec<Vec<u8>> = (1..=soup.len())
            .map(|n| soup.as_bytes()[..n].to_vec())
            .collect();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for n in 0..400 {
            let mut bytes = soup.as_bytes()[..n % soup.len()].to_vec();
            for _ in 0..n {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.push(if n % 3 == 0 {
                    0x80 | state as u8
                } else {
                    state as u8
                });
            }
            inputs.push(bytes);
        }
        for bytes in inputs {
            if let Ok(d) = decode_html(&bytes) {
                assert_eq!(decode_with(&bytes, d.encoding), d.text, "{bytes:?}");
                assert_eq!(check_encoding(&bytes, d.encoding), Ok(()), "{bytes:?}");
            }
        }
        assert_eq!(
            prescan(soup.as_bytes()),
            Some(encoding_rs::KOI8_R),
            "the first declaration decides"
        );
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
