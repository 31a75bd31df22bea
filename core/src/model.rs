//! The document model: ids, sources, extracted fields and their provenance.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::extract::FieldType;

/// Extracted fields, one flat map by field name. Absent fields are omitted, never null.
pub type Fields = BTreeMap<String, serde_json::Value>;

/// The field names every extractor shares. A plugin's own fields are prefixed with its name
/// (`readtime.minutes`).
pub const CORE_FIELDS: &[&str] = &[
    "title",
    "subtitle",
    "dateline",
    "byline",
    "authors",
    "published",
    "site",
    "url",
    "canonical_url",
    "language",
    "body",
    "comment_count",
    "word_count",
    "boilerplate",
    "quotes",
    "entities",
    "dates",
    "links",
];

/// The type of each core field (DESIGN §2), as the built-in extractors declare it. A stored
/// document's core fields have these types whatever produced them.
pub const CORE_FIELD_TYPES: &[(&str, FieldType)] = &[
    ("title", FieldType::String),
    ("subtitle", FieldType::String),
    ("dateline", FieldType::Object),
    ("byline", FieldType::String),
    ("authors", FieldType::StringList),
    ("published", FieldType::String),
    ("site", FieldType::String),
    ("url", FieldType::String),
    ("canonical_url", FieldType::String),
    ("language", FieldType::String),
    ("body", FieldType::String),
    ("comment_count", FieldType::Integer),
    ("word_count", FieldType::Integer),
    ("boilerplate", FieldType::StringList),
    ("quotes", FieldType::ObjectList),
    ("entities", FieldType::ObjectList),
    ("dates", FieldType::ObjectList),
    ("links", FieldType::ObjectList),
];

/// The type a core field must have; `None` for a name that is not a core field.
pub fn core_field_type(name: &str) -> Option<FieldType> {
    CORE_FIELD_TYPES
        .iter()
        .find(|(core, _)| *core == name)
        .map(|(_, kind)| *kind)
}

/// Checks a field's name and value as a stored document may hold them: a core field with its
/// type ([`CORE_FIELD_TYPES`]), or a plugin's own field named `plugin.field` with any value.
/// The error names the field (`fields.title must be a string, not a number`).
pub fn check_field(name: &str, value: &serde_json::Value) -> Result<(), String> {
    let Some(kind) = core_field_type(name) else {
        return match name.split_once('.') {
            Some((plugin, field)) if !plugin.is_empty() && !field.is_empty() => Ok(()),
            _ => Err(format!(
                "fields.{name} is neither a core field nor a plugin's own (plugin.field)"
            )),
        };
    };
    if kind.matches(value) {
        return Ok(());
    }
    use serde_json::Value;
    let (expected, item) = match kind {
        FieldType::String => ("a string", None),
        FieldType::Integer => ("a whole number", None),
        FieldType::Number => ("a number", None),
        FieldType::Bool => ("true or false", None),
        FieldType::Object => ("an object", None),
        FieldType::StringList => ("a list of strings", Some(FieldType::String)),
        FieldType::ObjectList => ("a list of objects", Some(FieldType::Object)),
    };
    let found = match (value, item) {
        (Value::Array(items), Some(item)) => {
            let (at, bad) = items
                .iter()
                .enumerate()
                .find(|(_, v)| !item.matches(v))
                .map_or((0, value), |(at, v)| (at, v));
            format!("item {} is {}", at + 1, json_kind(bad))
        }
        _ => format!("not {}", json_kind(value)),
    };
    Err(format!("fields.{name} must be {expected}, {found}"))
}

/// What kind of JSON value `value` is, for a message.
fn json_kind(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(n) if n.is_f64() => "a fraction",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Checks a tag as every document may hold one: not empty and without control characters
/// (a line break or a NUL would break the lines and tables a tag is shown in). The command
/// line asks more of the tags it is given (no spaces or commas); this is what any stored tag,
/// a restored one included, must be.
pub fn check_tag(tag: &str) -> Result<(), String> {
    if tag.is_empty() {
        Err("it is empty".into())
    } else if tag.chars().any(char::is_control) {
        Err("it holds a control character (such as a line break or NUL)".into())
    } else {
        Ok(())
    }
}

/// Marks a path recorded in its escaped form (see [`record_path`]).
pub const ESCAPED_PATH: char = '\0';

/// How a path is recorded in [`Source::paths`], losslessly. A path that is valid UTF-8 is
/// recorded as it is. One that is not starts with a NUL, which no real path holds, so the two
/// never meet; after it come the path's valid UTF-8 runs as they are, with each backslash
/// doubled, and each byte that is not valid UTF-8 as `\xNN` (two lower-case hex digits):
/// `/news/caf\xe9.txt` is the Latin-1 file name `café.txt`. Each path has exactly one
/// recorded form, so comparing recorded forms compares paths.
pub fn record_path(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    match std::str::from_utf8(bytes) {
        Ok(utf8) => utf8.to_owned(),
        Err(_) => {
            let mut out = String::with_capacity(bytes.len() + 8);
            out.push(ESCAPED_PATH);
            for chunk in bytes.utf8_chunks() {
                for c in chunk.valid().chars() {
                    if c == '\\' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                for b in chunk.invalid() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            out
        }
    }
}

/// The bytes of a path recorded by [`record_path`]; `None` when `recorded` is not a form it
/// writes (a NUL anywhere but first, a broken escape, or an escaped form of a UTF-8 path).
pub fn recorded_path_bytes(recorded: &str) -> Option<Vec<u8>> {
    let Some(escaped) = recorded.strip_prefix(ESCAPED_PATH) else {
        return (!recorded.contains('\0')).then(|| recorded.as_bytes().to_vec());
    };
    let mut bytes = Vec::with_capacity(escaped.len());
    let mut rest = escaped.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match rest {
            [b'\\', tail @ ..] => {
                bytes.push(b'\\');
                rest = tail;
            }
            [b'x', hi, lo, tail @ ..] => {
                let hex = |d: u8| {
                    char::from(d)
                        .to_digit(16)
                        .filter(|_| !d.is_ascii_uppercase())
                };
                let (hi, lo) = (hex(*hi)?, hex(*lo)?);
                bytes.push(u8::try_from(hi * 16 + lo).ok()?);
                rest = tail;
            }
            _ => return None,
        }
    }
    let canonical = !bytes.contains(&0)
        && std::str::from_utf8(&bytes).is_err()
        && record_path(&path_from_bytes(bytes.clone())?) == recorded;
    canonical.then_some(bytes)
}

/// The path recorded by [`record_path`], exactly as the file system named it; `None` as for
/// [`recorded_path_bytes`].
pub fn recorded_path(recorded: &str) -> Option<PathBuf> {
    path_from_bytes(recorded_path_bytes(recorded)?)
}

#[cfg(unix)]
fn path_from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

/// Elsewhere a path's bytes are not all a path can be; only UTF-8 ones are rebuilt.
#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    String::from_utf8(bytes).ok().map(PathBuf::from)
}

/// A recorded path for people to read: as it is when it is UTF-8, else with each byte that is
/// not UTF-8 as `\xNN` (and backslashes single, as in the file name). It may still hold control
/// characters, which a terminal view escapes.
pub fn shown_path(recorded: &str) -> Cow<'_, str> {
    if !recorded.starts_with(ESCAPED_PATH) {
        return Cow::Borrowed(recorded);
    }
    let Some(bytes) = recorded_path_bytes(recorded) else {
        return Cow::Borrowed(recorded);
    };
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    Cow::Owned(out)
}

/// A document's id: the SHA-256 of its original bytes, so `sha256sum FILE` finds it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(pub [u8; 32]);

impl DocId {
    /// Length of the short form shown in tables.
    pub const SHORT_LEN: usize = 12;
    /// Shortest prefix accepted wherever an id is.
    pub const MIN_PREFIX: usize = 6;

    /// The full id as 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        s
    }

    /// The first 12 hex digits, as shown in tables.
    pub fn short(&self) -> String {
        let mut s = self.to_hex();
        s.truncate(Self::SHORT_LEN);
        s
    }

    /// Parses a full 64-digit hex id (either case).
    pub fn from_hex(s: &str) -> Option<DocId> {
        if s.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in s.as_bytes().chunks(2).enumerate() {
            out[i] = (hex_val(pair[0])? << 4) | hex_val(pair[1])?;
        }
        Some(DocId(out))
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocId({})", self.short())
    }
}

/// Where a document came from and how its bytes were read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Every path the same bytes were imported from, in the order they were seen.
    #[serde(default)]
    pub paths: Vec<String>,
    /// The URL the document was saved from, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `text/plain` or `text/html`.
    pub media_type: String,
    /// The encoding the text was decoded with (`utf-8`, `windows-1252`, `utf-16le`, ...).
    pub encoding: String,
    /// When the document was first archived, RFC 3339 in UTC.
    pub imported_at: String,
    /// The user's tags, sorted and unique.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Which extractor produced a field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The extractor's manifest name.
    pub plugin: String,
    /// The extractor's version.
    pub version: String,
    /// The schema version of the request/result exchange the field came through.
    pub schema: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn paths_are_recorded_losslessly_and_once() {
        use std::os::unix::ffi::OsStrExt;
        let plain = Path::new("/news/café \\ 1.txt");
        assert_eq!(record_path(plain), "/news/café \\ 1.txt");
        assert_eq!(recorded_path(&record_path(plain)).as_deref(), Some(plain));
        for bytes in [
            &b"/news/caf\xe9.txt"[..],
            b"\xff",
            b"/a\\b/\xc3",
            b"/\xc3\xa9\xe9\\x41",
        ] {
            let path = Path::new(std::ffi::OsStr::from_bytes(bytes));
            let recorded = record_path(path);
            assert!(recorded.starts_with('\0'), "{recorded:?}");
            assert_eq!(
                recorded_path(&recorded).as_deref(),
                Some(path),
                "{recorded:?}"
            );
        }
        assert_eq!(
            record_path(Path::new(std::ffi::OsStr::from_bytes(b"/caf\xe9\\x"))),
            "\0/caf\\xe9\\\\x"
        );
        assert_eq!(
            shown_path(&record_path(Path::new(std::ffi::OsStr::from_bytes(
                b"/a\\caf\xe9"
            )))),
            "/a\\caf\\xe9"
        );
        assert_eq!(shown_path("/plain"), "/plain");
        // Forms record_path never writes are refused, so two records never name one path.
        for bad in [
            "\0/utf8.txt",
            "\0/caf\\xc3\\xa9",
            "\0/caf\\xE9",
            "\0/caf\\x9",
            "\0/caf\\q",
            "\0/caf\\",
            "\0/a\\x00\\xe9",
            "/a\0b",
            "\0/\\xe9\\xc3\\xa9",
        ] {
            assert_eq!(recorded_path_bytes(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn fields_and_tags_are_checked() {
        use serde_json::json;
        assert_eq!(check_field("title", &json!("T")), Ok(()));
        assert_eq!(check_field("readtime.minutes", &json!(1.5)), Ok(()));
        assert_eq!(
            check_field("title", &json!(5)).unwrap_err(),
            "fields.title must be a string, not a number"
        );
        assert_eq!(
            check_field("authors", &json!(["A", 3])).unwrap_err(),
            "fields.authors must be a list of strings, item 2 is a number"
        );
        assert_eq!(
            check_field("word_count", &json!(2.5)).unwrap_err(),
            "fields.word_count must be a whole number, not a fraction"
        );
        assert!(check_field("titel", &json!("T")).is_err());
        assert!(check_field(".x", &json!("T")).is_err());
        assert_eq!(CORE_FIELD_TYPES.len(), CORE_FIELDS.len());
        assert!(CORE_FIELDS.iter().all(|f| core_field_type(f).is_some()));
        assert_eq!(check_tag("fine tag"), Ok(()));
        for bad in ["", "a\nb", "nul\0", "del\u{7f}", "c1\u{9b}"] {
            assert!(check_tag(bad).is_err(), "{bad:?}");
        }
    }
}
