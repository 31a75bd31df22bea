//! The JSON of the request and the result, written and read by hand: both cross the ABI once
//! per document, and through serde_json they cost a quarter of what the structure extractor
//! itself takes (4 µs of 16 per BBC article).
//!
//! The format is unchanged: the writer produces exactly the bytes `serde_json::to_vec` would, and
//! the reader accepts exactly what `serde_json::from_slice` accepts and returns the same values.
//! The reader only takes the common shapes on its fast path; on anything else (an unknown escape,
//! a lone surrogate, a duplicate struct field, deep nesting, invalid JSON) it gives up and
//! serde_json reads the whole message again, so its answer — value or error — is serde_json's.
//!
//! Strings are where the time goes (a result is mostly the document's body again). The writer
//! escapes long ones with json-escape-simd (sonic-rs's kernels, AVX2 or SSE2 as the machine
//! has), whose escapes are serde_json's, and short ones itself. The reader copies the runs
//! between escapes whole, found by a test of 32 bytes at a time that LLVM turns into vector
//! compares; it stops at quotes, backslashes and the control characters JSON forbids alike, so
//! a message needs no pass of its own to rule those out. (memchr's wider search for quotes and
//! backslashes needed that pass first, and the two together took longer per article.)
//! Messages laid out as this module and serde_json write them are read without matching keys;
//! any other layout goes through the general reader.

use std::borrow::Cow;
use std::str::FromStr;

use serde_json::{Map, Number, Value};

use crate::model::Fields;
use crate::plugin::wire::{RequestJson, RequestRef, RequestView, ResultJson};

/// Bytes looked at per step of the string scan: two SSE2 registers, so a chunk without a special
/// byte costs a handful of vector instructions and one branch. (16 measured several times
/// slower: LLVM did not vectorise it.)
const CHUNK: usize = 32;

/// Deepest nesting the fast reader follows before leaving the message to serde_json, well under
/// serde_json's own limit of 128 so the two never disagree about what is too deep.
const MAX_DEPTH: u32 = 64;

/// Most bytes reserved up front for a string with escapes.
const MAX_GUESS: usize = 1 << 16;

/// Whether a byte cannot stand for itself inside a JSON string.
#[inline(always)]
fn is_special(b: u8) -> bool {
    // `b ^ 2` maps the control characters onto themselves and `"` onto 0x20, so one compare
    // finds both.
    ((b ^ 2) <= 0x20) | (b == b'\\')
}

/// Whether a chunk holds a special byte. Every byte is tested before any is looked at, with
/// no early exit, which is the shape LLVM turns into vector compares.
#[inline(always)]
fn any_special(chunk: &[u8; CHUNK]) -> bool {
    let mut hits = [false; CHUNK];
    for (hit, &b) in hits.iter_mut().zip(chunk) {
        *hit = is_special(b);
    }
    hits.iter().any(|&hit| hit)
}

/// The high bit of each byte of `word` that is special, and possibly of bytes above the
/// lowest such byte (a borrow runs upwards), so only the lowest set bit is meaningful.
#[inline(always)]
fn special_bits(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let control = word.wrapping_sub(ONES * 0x20);
    let quote = (word ^ (ONES * u64::from(b'"'))).wrapping_sub(ONES);
    let backslash = (word ^ (ONES * u64::from(b'\\'))).wrapping_sub(ONES);
    // Bytes with the high bit set are UTF-8, never special; `"` and `\` have it clear, so
    // `!word` masks them the same as their own xor would.
    (control | quote | backslash) & !word & HIGH
}

/// Index of the first special byte among 8-byte words, if any.
#[inline(always)]
fn first_special_in_words(bytes: &[u8]) -> Option<usize> {
    let (words, rest) = bytes.as_chunks::<8>();
    for (i, word) in words.iter().enumerate() {
        let bits = special_bits(u64::from_le_bytes(*word));
        if bits != 0 {
            return Some(i * 8 + (bits.trailing_zeros() / 8) as usize);
        }
    }
    let done = words.len() * 8;
    rest.iter().position(|&b| is_special(b)).map(|i| done + i)
}

/// Index of the first special byte of a chunk that holds one. Computed for all four words at
/// once, without a branch on which word it is in: that branch would be mispredicted about every
/// other time.
#[inline(always)]
fn first_special(chunk: &[u8; CHUNK]) -> usize {
    let (words, _) = chunk.as_chunks::<8>();
    let bits = |i: usize| u128::from(special_bits(u64::from_le_bytes(words[i])));
    let low = bits(0) | (bits(1) << 64);
    let high = bits(2) | (bits(3) << 64);
    let bit = if low != 0 {
        low.trailing_zeros()
    } else {
        128 + high.trailing_zeros()
    };
    (bit / 8) as usize
}

/// Length of the longest prefix of `bytes` without a quote, a backslash or a control byte.
#[inline(always)]
fn plain_prefix(bytes: &[u8]) -> usize {
    let (chunks, tail) = bytes.as_chunks::<CHUNK>();
    for (k, chunk) in chunks.iter().enumerate() {
        if any_special(chunk) {
            return k * CHUNK + first_special(chunk);
        }
    }
    let done = chunks.len() * CHUNK;
    first_special_in_words(tail).map_or(bytes.len(), |i| done + i)
}

/// Appends a result's JSON: `{"schema_version":N,"fields":{...}}`.
pub(crate) fn write_result(out: &mut Vec<u8>, result: &ResultJson) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"schema_version\":");
    write_number(out, result.schema_version)?;
    out.extend_from_slice(b",\"fields\":");
    write_fields(out, &result.fields)?;
    out.push(b'}');
    Ok(())
}

/// Appends a request's JSON, with `url` left out when there is none as serde's
/// `skip_serializing_if` does.
pub(crate) fn write_request(out: &mut Vec<u8>, request: &RequestRef<'_>) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"schema_version\":");
    write_number(out, request.schema_version)?;
    out.extend_from_slice(b",\"id\":");
    write_str(out, request.id);
    out.extend_from_slice(b",\"media_type\":");
    write_str(out, request.media_type);
    if let Some(url) = request.url {
        out.extend_from_slice(b",\"url\":");
        write_str(out, url);
    }
    out.extend_from_slice(b",\"fields\":");
    write_fields(out, request.fields)?;
    out.push(b'}');
    Ok(())
}

fn write_fields(out: &mut Vec<u8>, fields: &Fields) -> serde_json::Result<()> {
    write_object(out, fields.iter())
}

fn write_object<'v>(
    out: &mut Vec<u8>,
    entries: impl Iterator<Item = (&'v String, &'v Value)>,
) -> serde_json::Result<()> {
    out.push(b'{');
    for (i, (key, value)) in entries.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, key);
        out.push(b':');
        write_value(out, value)?;
    }
    out.push(b'}');
    Ok(())
}

fn write_value(out: &mut Vec<u8>, value: &Value) -> serde_json::Result<()> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        // Numbers are few and their formatting is subtle (floats), so serde_json writes them.
        Value::Number(n) => write_number(out, n)?,
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item)?;
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(out, map.iter())?,
    }
    Ok(())
}

fn write_number(out: &mut Vec<u8>, n: impl serde::Serialize) -> serde_json::Result<()> {
    serde_json::to_writer(&mut *out, &n)
}

/// Appends `s` as a JSON string, escaped as serde_json escapes: `\"`, `\\`, the five short
/// control escapes, `\u00xx` (lower-case hex) for the other control characters, nothing else.
///
/// json-escape-simd's kernels store whole vectors ahead of the output, so they reserve six bytes
/// per byte of `s` first; the memory is only touched as far as the string needs.
fn write_str(out: &mut Vec<u8>, s: &str) {
    if s.len() < SHORT {
        write_short_str(out, s);
    } else {
        json_escape_simd::escape_into(s, out);
    }
}

/// Strings shorter than this (ids, keys, media types, titles) are escaped by
/// [`write_short_str`]: the vector kernels cost more to set up than such a string takes.
const SHORT: usize = 128;

/// [`write_str`] for a short string: the runs between escapes found 32 bytes at a time and
/// copied whole.
fn write_short_str(out: &mut Vec<u8>, s: &str) {
    let mut rest = s.as_bytes();
    out.reserve(rest.len() + 2);
    out.push(b'"');
    loop {
        let n = plain_prefix(rest);
        out.extend_from_slice(&rest[..n]);
        rest = &rest[n..];
        // Escapes come in runs (a paragraph break is two newlines): each is written without
        // scanning a chunk that starts with the next.
        while let Some((&b, tail)) = rest.split_first()
            && is_special(b)
        {
            write_escape(out, b);
            rest = tail;
        }
        if rest.is_empty() {
            break;
        }
    }
    out.push(b'"');
}

fn write_escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0c => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        _ => {
            let hex = [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0x0f)]];
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex[0], hex[1]]);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', short]);
}

/// Reads a result as `serde_json::from_slice::<ResultJson>` does.
pub(crate) fn read_result(bytes: &[u8]) -> serde_json::Result<ResultJson> {
    match fast_result(bytes) {
        Some(result) => Ok(result),
        None => serde_json::from_slice(bytes),
    }
}

/// Reads a request as `serde_json::from_slice::<RequestJson>` does, borrowing the strings
/// that hold no escapes.
pub(crate) fn read_request(bytes: &[u8]) -> serde_json::Result<RequestView<'_>> {
    if let Some(request) = fast_request(bytes) {
        return Ok(request);
    }
    let request: RequestJson = serde_json::from_slice(bytes)?;
    Ok(RequestView {
        schema_version: request.schema_version,
        id: Cow::Owned(request.id),
        media_type: Cow::Owned(request.media_type),
        url: request.url.map(Cow::Owned),
        fields: request.fields,
    })
}

/// The fast path of [`read_result`]; `None` leaves the message to serde_json.
pub(crate) fn fast_result(bytes: &[u8]) -> Option<ResultJson> {
    let mut p = Parser::new(bytes)?;
    if let Some(result) = result_as_written(&mut p) {
        return Some(result);
    }
    p.restart();
    let mut schema_version = None;
    let mut fields = None;
    p.object(|p, key| {
        match &*key {
            // A derived Deserialize refuses a repeated field; serde_json says how.
            "schema_version" if schema_version.is_none() => schema_version = Some(p.u32()?),
            "fields" if fields.is_none() => fields = Some(p.fields()?),
            "schema_version" | "fields" => return None,
            _ => drop(p.value()?),
        }
        Some(())
    })?;
    p.finish()?;
    Some(ResultJson {
        schema_version: schema_version?,
        fields: fields.unwrap_or_default(),
    })
}

/// The fast path of [`read_request`]; `None` leaves the message to serde_json.
pub(crate) fn fast_request(bytes: &[u8]) -> Option<RequestView<'_>> {
    let mut p = Parser::new(bytes)?;
    if let Some(request) = request_as_written(&mut p) {
        return Some(request);
    }
    p.restart();
    let mut schema_version = None;
    let mut id = None;
    let mut media_type = None;
    let mut url = None;
    let mut fields = None;
    p.object(|p, key| {
        match &*key {
            "schema_version" if schema_version.is_none() => schema_version = Some(p.u32()?),
            "id" if id.is_none() => id = Some(p.string()?),
            "media_type" if media_type.is_none() => media_type = Some(p.string()?),
            "url" if url.is_none() => url = Some(p.optional_string()?),
            "fields" if fields.is_none() => fields = Some(p.fields()?),
            "schema_version" | "id" | "media_type" | "url" | "fields" => return None,
            _ => drop(p.value()?),
        }
        Some(())
    })?;
    p.finish()?;
    Some(RequestView {
        schema_version: schema_version?,
        id: id?,
        media_type: media_type?,
        url: url.flatten(),
        fields: fields.unwrap_or_default(),
    })
}

/// A result laid out as [`write_result`] and serde_json write it — compact, fields in the
/// struct's order — read without matching keys one by one. Anything else is read again in full.
fn result_as_written(p: &mut Parser<'_>) -> Option<ResultJson> {
    p.literal(b"{\"schema_version\":")?;
    p.enter()?;
    let schema_version = p.u32()?;
    p.literal(b",\"fields\":")?;
    let fields = p.fields()?;
    p.literal(b"}")?;
    p.finish()?;
    Some(ResultJson {
        schema_version,
        fields,
    })
}

/// A request laid out as [`write_request`] writes it, read without matching keys one by one.
fn request_as_written<'a>(p: &mut Parser<'a>) -> Option<RequestView<'a>> {
    p.literal(b"{\"schema_version\":")?;
    p.enter()?;
    let schema_version = p.u32()?;
    p.literal(b",\"id\":")?;
    let id = p.string()?;
    p.literal(b",\"media_type\":")?;
    let media_type = p.string()?;
    let url = match p.literal(b",\"url\":") {
        Some(()) => p.optional_string()?,
        None => None,
    };
    p.literal(b",\"fields\":")?;
    let fields = p.fields()?;
    p.literal(b"}")?;
    p.finish()?;
    Some(RequestView {
        schema_version,
        id,
        media_type,
        url,
        fields,
    })
}

/// A reader over input already checked to be UTF-8, so every run copied out of it is a `str`
/// without checking it again. Each method returns `None` where the fast path stops.
struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: u32,
}

impl<'a> Parser<'a> {
    fn new(bytes: &'a [u8]) -> Option<Parser<'a>> {
        Some(Parser {
            // simdutf8 checks a result several times faster than `std::str::from_utf8`.
            text: simdutf8::basic::from_utf8(bytes).ok()?,
            pos: 0,
            depth: 0,
        })
    }

    /// Skips JSON whitespace and returns the next byte without consuming it.
    fn peek(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    fn eat(&mut self, expected: u8) -> Option<()> {
        (self.peek()? == expected).then(|| self.pos += 1)
    }

    /// Only whitespace may follow the message.
    fn finish(&mut self) -> Option<()> {
        match self.peek() {
            None => Some(()),
            Some(_) => None,
        }
    }

    /// Back to the start of the message.
    fn restart(&mut self) {
        self.pos = 0;
        self.depth = 0;
    }

    /// Consumes `expected` if the input goes on with exactly these bytes.
    fn literal(&mut self, expected: &[u8]) -> Option<()> {
        let found = self.text.as_bytes()[self.pos..].starts_with(expected);
        found.then(|| self.pos += expected.len())
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// Reads an object, calling `each` with every key and the parser positioned at its value.
    fn object(
        &mut self,
        mut each: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'{')?;
        self.enter()?;
        if self.peek()? == b'}' {
            self.pos += 1;
        } else {
            loop {
                let key = self.key()?;
                self.eat(b':')?;
                each(self, key)?;
                match self.peek()? {
                    b',' => self.pos += 1,
                    b'}' => {
                        self.pos += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    fn fields(&mut self) -> Option<Fields> {
        let mut fields = Fields::new();
        self.object(|p, key| {
            // Like serde's map visitor: a repeated key keeps the last value.
            let value = p.value()?;
            fields.insert(key.into_owned(), value);
            Some(())
        })?;
        Some(fields)
    }

    fn value(&mut self) -> Option<Value> {
        Some(match self.peek()? {
            b'"' => Value::String(self.string()?.into_owned()),
            b'{' => {
                let mut map = Map::new();
                self.object(|p, key| {
                    // serde_json's optional number and raw-value features read objects with
                    // this key as something else; serde_json decides what.
                    if key.starts_with("$serde_json::private::") {
                        return None;
                    }
                    let value = p.value()?;
                    map.insert(key.into_owned(), value);
                    Some(())
                })?;
                Value::Object(map)
            }
            b'[' => {
                self.pos += 1;
                self.enter()?;
                let mut items = Vec::new();
                if self.peek()? == b']' {
                    self.pos += 1;
                } else {
                    loop {
                        items.push(self.value()?);
                        match self.peek()? {
                            b',' => self.pos += 1,
                            b']' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                self.depth -= 1;
                Value::Array(items)
            }
            b't' => self.literal(b"true").map(|()| Value::Bool(true))?,
            b'f' => self.literal(b"false").map(|()| Value::Bool(false))?,
            b'n' => self.literal(b"null").map(|()| Value::Null)?,
            b'-' | b'0'..=b'9' => Value::Number(self.number()?),
            _ => return None,
        })
    }

    /// Reads a number. Only a plain integer that fits in a `u64` is read here, as serde_json
    /// reads it; any other text (a sign, a fraction, an exponent, a leading zero, too many
    /// digits) goes to serde_json's own number parser, so its value — and whether it is a
    /// number at all — is exactly what serde_json makes of it.
    fn number(&mut self) -> Option<Number> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut end = start;
        let mut n = 0u64;
        // 19 digits always fit in a u64.
        while end - start < 19
            && let Some(&d) = bytes.get(end)
            && d.is_ascii_digit()
        {
            n = n * 10 + u64::from(d - b'0');
            end += 1;
        }
        let plain = end > start
            && (end == start + 1 || bytes[start] != b'0')
            && !matches!(
                bytes.get(end),
                Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
            );
        if plain {
            self.pos = end;
            return Some(Number::from(n));
        }
        let len = bytes[start..]
            .iter()
            .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
            .unwrap_or(bytes.len() - start);
        self.pos = start + len;
        Number::from_str(self.text.get(start..self.pos)?).ok()
    }

    fn u32(&mut self) -> Option<u32> {
        if !self.peek()?.is_ascii_digit() {
            return None;
        }
        u32::try_from(self.number()?.as_u64()?).ok()
    }

    fn optional_string(&mut self) -> Option<Option<Cow<'a, str>>> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            return Some(None);
        }
        self.string().map(Some)
    }

    /// Reads an object key. Keys are short: two words of the input usually hold the whole key
    /// and its closing quote, which are cheaper to look at than a chunk.
    fn key(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let start = self.pos;
        if let Some(words) = self.text.as_bytes()[start..].first_chunk::<16>() {
            let (words, _) = words.as_chunks::<8>();
            for (i, word) in words.iter().enumerate() {
                let bits = special_bits(u64::from_le_bytes(*word));
                if bits != 0 {
                    let end = start + i * 8 + (bits.trailing_zeros() / 8) as usize;
                    if self.text.as_bytes()[end] != b'"' {
                        break;
                    }
                    self.pos = end + 1;
                    return Some(Cow::Borrowed(self.text.get(start..end)?));
                }
            }
        }
        self.pos -= 1;
        self.string()
    }

    /// Reads a string, borrowed from the input when it holds no escapes.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let text = self.text;
        let bytes = text.as_bytes();
        let start = self.pos;
        let mut end = start + plain_prefix(&bytes[start..]);
        if *bytes.get(end)? == b'"' {
            self.pos = end + 1;
            return Some(Cow::Borrowed(text.get(start..end)?));
        }
        // Unescaping only shrinks text, so the rest of the input is room enough (up to a
        // bound, past which the string grows as strings do); what is left over is given back
        // when it is much more than the string.
        let mut out = String::with_capacity((bytes.len() - start).min(MAX_GUESS));
        let mut run = start;
        loop {
            match *bytes.get(end)? {
                b'"' => {
                    out.push_str(text.get(run..end)?);
                    self.pos = end + 1;
                    if out.capacity() > 2 * out.len() + 64 {
                        out.shrink_to_fit();
                    }
                    return Some(Cow::Owned(out));
                }
                b'\\' => {
                    out.push_str(text.get(run..end)?);
                    end = unescape(bytes, end + 1, &mut out)?;
                    // A paragraph break is two escapes in a row: the second is read without
                    // scanning a chunk that starts with it.
                    while bytes.get(end) == Some(&b'\\') {
                        end = unescape(bytes, end + 1, &mut out)?;
                    }
                    run = end;
                }
                // A raw control character, which JSON forbids.
                _ => return None,
            }
            end += plain_prefix(&bytes[end..]);
        }
    }
}

/// Appends the character of the escape whose backslash is just before `at`; returns where the
/// escape ends. Lone surrogates and unknown escapes are left to serde_json.
fn unescape(bytes: &[u8], at: usize, out: &mut String) -> Option<usize> {
    let escape = *bytes.get(at)?;
    // A table lookup, not a `match`: a paragraph break and a quotation mark alternate in news
    // text, and a jump on the escape letter would be mispredicted each time they do.
    let simple = UNESCAPE[usize::from(escape)];
    if simple != 0 {
        out.push(char::from(simple));
        return Some(at + 1);
    }
    match escape {
        b'u' => {
            let first = hex4(bytes.get(at + 1..at + 5)?)?;
            let (code, end) = if (0xD800..0xDC00).contains(&first) {
                if bytes.get(at + 5..at + 7)? != b"\\u" {
                    return None;
                }
                let second = hex4(bytes.get(at + 7..at + 11)?)?;
                if !(0xDC00..0xE000).contains(&second) {
                    return None;
                }
                (
                    0x1_0000 + ((first - 0xD800) << 10) + (second - 0xDC00),
                    at + 11,
                )
            } else {
                (first, at + 5)
            };
            out.push(char::from_u32(code)?);
            Some(end)
        }
        _ => None,
    }
}

/// The character each one-letter escape stands for, 0 where the letter is not one.
static UNESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table[b'/' as usize] = b'/';
    table[b'b' as usize] = 0x08;
    table[b'f' as usize] = 0x0c;
    table[b'n' as usize] = b'\n';
    table[b'r' as usize] = b'\r';
    table[b't' as usize] = b'\t';
    table
};

fn hex4(digits: &[u8]) -> Option<u32> {
    digits
        .iter()
        .try_fold(0u32, |n, &d| Some((n << 4) | char::from(d).to_digit(16)?))
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;
    use std::path::Path;

    use super::*;
    use crate::extract::SCHEMA_VERSION;

    /// A small deterministic generator (xorshift64*), so failures reproduce.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn chance(&mut self, one_in: usize) -> bool {
            self.below(one_in) == 0
        }
    }

    /// Characters that exercise every branch: each control character, both characters JSON
    /// must escape, the one it may, DEL, and two-, three- and four-byte UTF-8.
    const AWKWARD: &[char] = &[
        '"',
        '\\',
        '/',
        '\u{7f}',
        'é',
        '£',
        '€',
        '中',
        '😀',
        '\u{10ffff}',
        '\u{fffd}',
        '\u{2028}',
    ];

    fn string(rng: &mut Rng) -> String {
        let len = match rng.below(10) {
            0 => 0,
            1..=6 => rng.below(40),
            7 | 8 => rng.below(300),
            _ => rng.below(3000),
        };
        let mut s = String::with_capacity(len);
        while s.len() < len {
            match rng.below(20) {
                0 => s.push(char::from(rng.below(0x20) as u8)),
                1 => s.push(AWKWARD[rng.below(AWKWARD.len())]),
                2 => s.push('\n'),
                // Long clean runs, so the chunked scan crosses chunk boundaries.
                3 => s.push_str(&"plain text ".repeat(rng.below(12))),
                _ => s.push(char::from(b' ' + rng.below(95) as u8)),
            }
        }
        s
    }

    fn number(rng: &mut Rng) -> Value {
        match rng.below(8) {
            0 => Value::from(rng.below(10) as u64),
            1 => Value::from(rng.next()),
            2 => Value::from(rng.next() as i64),
            3 => Value::from(-(rng.below(1000) as i64)),
            4 => Value::from(u64::MAX - rng.below(3) as u64),
            5 => Value::from(i64::MIN + rng.below(3) as i64),
            6 => Value::from(f64::from_bits(rng.next()) % 1e300),
            _ => {
                let mantissa = rng.next() as f64 / 1e10;
                let exp = rng.below(600) as i32 - 300;
                Number::from_f64(mantissa * 10f64.powi(exp)).map_or(Value::Null, Value::Number)
            }
        }
    }

    fn value(rng: &mut Rng, depth: usize) -> Value {
        let leaf = depth >= 6 || rng.chance(2);
        match (leaf, rng.below(6)) {
            (true, 0) => Value::Null,
            (true, 1) => Value::Bool(rng.chance(2)),
            (true, 2 | 3) => number(rng),
            (true, _) => Value::String(string(rng)),
            (false, 0..=2) => {
                Value::Array((0..rng.below(5)).map(|_| value(rng, depth + 1)).collect())
            }
            (false, _) => Value::Object(
                (0..rng.below(5))
                    .map(|_| (string(rng), value(rng, depth + 1)))
                    .collect(),
            ),
        }
    }

    fn fields(rng: &mut Rng) -> Fields {
        (0..rng.below(6))
            .map(|_| (string(rng), value(rng, 0)))
            .collect()
    }

    fn result(fields: Fields) -> ResultJson {
        ResultJson {
            schema_version: SCHEMA_VERSION,
            fields,
        }
    }

    /// Writes `value` as JSON the way some other library might: random whitespace, any
    /// characters escaped as `\u` (upper or lower case, surrogate pairs beyond the BMP), `\/`,
    /// numbers in exponent form.
    fn render(rng: &mut Rng, value: &Value, out: &mut String) {
        let ws = |rng: &mut Rng, out: &mut String| {
            if rng.chance(3) {
                for _ in 0..rng.below(3) {
                    out.push([' ', '\n', '\r', '\t'][rng.below(4)]);
                }
            }
        };
        ws(rng, out);
        match value {
            Value::Number(n) => match n.as_f64() {
                Some(f) if n.is_f64() && rng.chance(2) => {
                    let _ = write!(out, "{f:e}");
                }
                _ => out.push_str(&n.to_string()),
            },
            Value::String(s) => render_str(rng, s, out),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    render(rng, item, out);
                }
                ws(rng, out);
                out.push(']');
            }
            Value::Object(map) => render_object(rng, map.iter(), out),
            other => out.push_str(&other.to_string()),
        }
        ws(rng, out);
    }

    fn render_object<'v>(
        rng: &mut Rng,
        entries: impl Iterator<Item = (&'v String, &'v Value)>,
        out: &mut String,
    ) {
        let mut entries: Vec<_> = entries.collect();
        // Order does not matter to a map; shuffle it.
        for i in (1..entries.len()).rev() {
            entries.swap(i, rng.below(i + 1));
        }
        out.push('{');
        for (i, (key, value)) in entries.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            render_str(rng, key, out);
            out.push(':');
            render(rng, value, out);
        }
        out.push('}');
    }

    fn render_str(rng: &mut Rng, s: &str, out: &mut String) {
        out.push('"');
        for c in s.chars() {
            let escape = matches!(c, '"' | '\\') || c < ' ' || rng.chance(8);
            if !escape {
                out.push(c);
            } else if c == '/' && rng.chance(2) {
                out.push_str("\\/");
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    if rng.chance(2) {
                        let _ = write!(out, "\\u{unit:04x}");
                    } else {
                        let _ = write!(out, "\\u{unit:04X}");
                    }
                }
            }
        }
        out.push('"');
    }

    /// The fast reader and serde_json agree on `bytes`: both fail, or both give the same
    /// value (compared as serde_json writes them, which tells `-0.0` from `0.0`).
    fn check_result(bytes: &[u8]) {
        let ours = read_result(bytes);
        let theirs = serde_json::from_slice::<ResultJson>(bytes);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.schema_version, b.schema_version, "{}", show(bytes));
                assert_eq!(a.fields, b.fields, "{}", show(bytes));
                assert_eq!(
                    serde_json::to_vec(a).unwrap(),
                    serde_json::to_vec(b).unwrap(),
                    "{}",
                    show(bytes)
                );
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!(
                "ours {:?}, serde_json {:?} for {}",
                ours.map(|r| r.fields),
                theirs.map(|r| r.fields),
                show(bytes)
            ),
        }
        // The fast path never answers where serde_json fails.
        if let Some(fast) = fast_result(bytes) {
            let Ok(theirs) = theirs else {
                panic!(
                    "fast path accepted what serde_json refuses: {}",
                    show(bytes)
                )
            };
            assert_eq!(fast.fields, theirs.fields, "{}", show(bytes));
        }
    }

    fn check_request(bytes: &[u8]) {
        let ours = read_request(bytes).map(|r| {
            (
                r.schema_version,
                r.id.into_owned(),
                r.media_type.into_owned(),
                r.url.map(Cow::into_owned),
                r.fields,
            )
        });
        let theirs = serde_json::from_slice::<RequestJson>(bytes)
            .map(|r| (r.schema_version, r.id, r.media_type, r.url, r.fields));
        match (ours, theirs) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{}", show(bytes)),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("ours {a:?}, serde_json {b:?} for {}", show(bytes)),
        }
    }

    fn show(bytes: &[u8]) -> String {
        let text = String::from_utf8_lossy(bytes);
        let cut: String = text.chars().take(300).collect();
        format!("{cut:?}")
    }

    fn write(result: &ResultJson) -> Vec<u8> {
        let mut out = Vec::new();
        write_result(&mut out, result).unwrap();
        out
    }

    #[test]
    fn special_bytes_are_the_ones_json_strings_cannot_hold() {
        for b in 0..=255u8 {
            assert_eq!(is_special(b), b < 0x20 || b == b'"' || b == b'\\', "{b}");
        }
    }

    #[test]
    fn scan_finds_the_first_special_byte_wherever_it_is() {
        // Each special byte, and the clean bytes beside them, at every position of strings
        // long enough to need several chunks, after runs of clean ASCII and UTF-8 bytes.
        let probes: Vec<u8> = (0..=255u8)
            .filter(|&b| {
                is_special(b) || matches!(b, 0x20..=0x23 | 0x5b..=0x5d | 0x7f..=0x81 | 0xff)
            })
            .collect();
        for filler in [b'a', b'~', 0x80, 0xff] {
            for len in 0..80 {
                for at in 0..len {
                    for &probe in &probes {
                        let mut bytes = vec![filler; len];
                        bytes[at] = probe;
                        let expected = if is_special(probe) { at } else { len };
                        assert_eq!(
                            plain_prefix(&bytes),
                            expected,
                            "{filler} {len} {at} {probe}"
                        );
                    }
                }
            }
        }
        for probe in 0..=255u8 {
            for at in [0, 7, 8, 31, 32, 40, 63, 64, 70] {
                let mut bytes = vec![b'x'; 71];
                bytes[at] = probe;
                let expected = if is_special(probe) { at } else { 71 };
                assert_eq!(plain_prefix(&bytes), expected, "{at} {probe}");
            }
        }
    }

    #[test]
    fn strings_dense_with_escapes_match_serde_json() {
        // Escapes of every kind at every offset of a chunk and across chunk boundaries, in
        // strings long enough for whole chunks and a tail.
        let escapes = ["\"", "\\\\", "\n", "\u{1}", "\u{1f}", "é", "\u{2028}", "😀"];
        // Lengths on both sides of SHORT go through both writers.
        for len in [31, 32, 33, 63, 64, 65, 100, SHORT - 1, SHORT, 200, 1000] {
            for first in 0..40 {
                for (k, escape) in escapes.iter().enumerate() {
                    for gap in [0, 1, 2, 5, 31] {
                        let mut s = "x".repeat(first);
                        while s.len() < len {
                            s.push_str(escape);
                            s.push_str(&"y".repeat(gap));
                            s.push_str(escapes[(k + s.len()) % escapes.len()]);
                        }
                        let result = result(Fields::from([
                            ("a".to_owned(), Value::String(s.clone())),
                            ("b".to_owned(), Value::from(1)),
                        ]));
                        let written = write(&result);
                        assert_eq!(written, serde_json::to_vec(&result).unwrap(), "{s:?}");
                        check_result(&written);
                        let read = read_result(&written).unwrap();
                        assert_eq!(read.fields["a"], Value::String(s.clone()), "{s:?}");
                        // The string last, so it ends in the tail of the input.
                        let bare = serde_json::to_vec(&Value::String(s.clone())).unwrap();
                        let mut p = Parser::new(&bare).unwrap();
                        assert_eq!(p.string().as_deref(), Some(s.as_str()), "{s:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn writer_matches_serde_json_byte_for_byte() {
        let mut rng = Rng(0x5eed_0001);
        for _ in 0..2000 {
            let result = result(fields(&mut rng));
            assert_eq!(write(&result), serde_json::to_vec(&result).unwrap());
            let id = string(&mut rng);
            let url = string(&mut rng);
            let fields = fields(&mut rng);
            let request = RequestRef {
                schema_version: SCHEMA_VERSION,
                id: &id,
                media_type: "text/plain",
                url: rng.chance(2).then_some(url.as_str()),
                fields: &fields,
            };
            let mut ours = Vec::new();
            write_request(&mut ours, &request).unwrap();
            assert_eq!(ours, serde_json::to_vec(&request).unwrap());
        }
        // Every character on its own.
        for c in (0..=0x10ffff)
            .filter_map(char::from_u32)
            .step_by(7)
            .chain(['\u{7f}'])
        {
            let result = result(Fields::from([(
                c.to_string(),
                Value::String(c.to_string()),
            )]));
            assert_eq!(
                write(&result),
                serde_json::to_vec(&result).unwrap(),
                "{c:?}"
            );
        }
    }

    #[test]
    fn strings_read_the_same_across_chunk_boundaries() {
        // Escapes, multi-byte characters and control characters on both sides of every chunk
        // boundary, in messages with and without whitespace between the tokens.
        let mut rng = Rng(0x5eed_0005);
        for len in [0, 1, 15, 16, 31, 32, 33, 63, 64, 65, 200] {
            for _ in 0..20 {
                let text: String = (0..len)
                    .map(|_| match rng.below(12) {
                        0 => '"',
                        1 => '\\',
                        2 => '\n',
                        3 => 'é',
                        4 => '\u{1F600}',
                        5 => '\u{7}',
                        _ => 'a',
                    })
                    .collect();
                let result = result(Fields::from([("body".to_owned(), Value::String(text))]));
                let compact = write(&result);
                let spaced = serde_json::to_vec_pretty(&result).unwrap();
                for bytes in [&compact, &spaced] {
                    check_result(bytes);
                    assert_eq!(fast_result(bytes).unwrap().fields, result.fields);
                }
            }
        }
    }

    #[test]
    fn a_raw_control_character_in_a_string_is_refused_wherever_it_is() {
        // JSON forbids them unescaped; the run scan must stop at one in any place of a chunk,
        // before or after an escape, and leave the verdict to serde_json.
        for len in [1, 31, 32, 33, 64, 100] {
            for at in 0..len {
                for control in [0x00u8, 0x07, b'\n', 0x1f] {
                    let mut text = vec![b'a'; len];
                    if at > 1 {
                        text[at - 2..at].copy_from_slice(b"\\n");
                    }
                    text[at] = control;
                    let mut bytes = b"{\"schema_version\":1,\"fields\":{\"body\":\"".to_vec();
                    bytes.extend_from_slice(&text);
                    bytes.extend_from_slice(b"\"}}");
                    assert!(fast_result(&bytes).is_none(), "{}", show(&bytes));
                    check_result(&bytes);
                }
            }
        }
    }

    #[test]
    fn reader_matches_serde_json_on_generated_messages() {
        let mut rng = Rng(0x5eed_0002);
        for _ in 0..1000 {
            let result = result(fields(&mut rng));
            // As written here and by serde_json: the fast path must take it.
            let compact = write(&result);
            check_result(&compact);
            assert!(fast_result(&compact).is_some(), "{}", show(&compact));
            let pretty = serde_json::to_vec_pretty(&result).unwrap();
            check_result(&pretty);
            assert!(fast_result(&pretty).is_some(), "{}", show(&pretty));
            // As another library might write it, with fields in any order and unknown ones.
            let mut other = String::from("{");
            let mut members = vec![format!("\"schema_version\": {}", result.schema_version), {
                let mut f = String::from("\"fields\":");
                render_object(&mut rng, result.fields.iter(), &mut f);
                f
            }];
            if rng.chance(2) {
                let (key, unknown) = (string(&mut rng), value(&mut rng, 0));
                let mut extra = String::new();
                render_str(&mut rng, &key, &mut extra);
                extra.push(':');
                render(&mut rng, &unknown, &mut extra);
                members.push(extra);
            }
            if rng.chance(2) {
                members.reverse();
            }
            other.push_str(&members.join(" , "));
            other.push_str("}\n");
            check_result(other.as_bytes());
            assert!(
                fast_result(other.as_bytes()).is_some(),
                "{}",
                show(other.as_bytes())
            );
        }
    }

    #[test]
    fn reader_matches_serde_json_on_requests() {
        let mut rng = Rng(0x5eed_0003);
        for _ in 0..1000 {
            let (id, media_type, url) = (string(&mut rng), string(&mut rng), string(&mut rng));
            let fields = fields(&mut rng);
            let request = RequestRef {
                schema_version: SCHEMA_VERSION,
                id: &id,
                media_type: &media_type,
                url: rng.chance(2).then_some(url.as_str()),
                fields: &fields,
            };
            let mut bytes = Vec::new();
            write_request(&mut bytes, &request).unwrap();
            check_request(&bytes);
            assert!(fast_request(&bytes).is_some(), "{}", show(&bytes));
            check_request(&serde_json::to_vec_pretty(&request).unwrap());
            mutate_and_check(&mut rng, &bytes, check_request);
        }
        for text in [
            r#"{"schema_version":1,"id":"a","media_type":"b","url":null,"fields":{}}"#,
            r#"{"schema_version":1,"id":"a","media_type":"b","url":7,"fields":{}}"#,
            r#"{"schema_version":1,"id":"a","media_type":"b"}"#,
            r#"{"fields":{},"media_type":"b","id":"a","schema_version":1,"x":[1,{"y":null}]}"#,
            r#"{"schema_version":1,"id":"a","id":"b","media_type":"b"}"#,
            r#"{"schema_version":1,"media_type":"b"}"#,
            r#"{"schema_version":1,"id":"a\u00e9\ud83d\ude00","media_type":"b","url":"\/x"}"#,
            r#"{"schema_version":1,"id":null,"media_type":"b"}"#,
            r#"{"schema_version":-1,"id":"a","media_type":"b"}"#,
        ] {
            check_request(text.as_bytes());
        }
    }

    /// Random damage to a valid message: both readers must still agree.
    fn mutate_and_check(rng: &mut Rng, valid: &[u8], check: fn(&[u8])) {
        const BYTES: &[u8] = b"\"\\{}[],:0123456789-+.eEtrufalsn u/bfrt\n\t\r\x00\x01\x0b\x0c\x1f\x7f\x80\xbf\xc3\xed\xf0\xff";
        for _ in 0..8 {
            let mut bytes = valid.to_vec();
            for _ in 0..=rng.below(3) {
                if bytes.is_empty() {
                    break;
                }
                let at = rng.below(bytes.len());
                match rng.below(6) {
                    0 => bytes[at] = BYTES[rng.below(BYTES.len())],
                    1 => bytes.insert(at, BYTES[rng.below(BYTES.len())]),
                    2 => {
                        bytes.remove(at);
                    }
                    3 => bytes.truncate(at),
                    4 => {
                        let end = (at + rng.below(20)).min(bytes.len());
                        let copy = bytes[at..end].to_vec();
                        let to = rng.below(bytes.len());
                        bytes.splice(to..to, copy);
                    }
                    _ => bytes[at] ^= 1 << rng.below(8),
                }
            }
            check(&bytes);
        }
    }

    #[test]
    fn reader_matches_serde_json_on_damaged_messages() {
        let mut rng = Rng(0x5eed_0004);
        for _ in 0..2000 {
            let result = result(fields(&mut rng));
            let bytes = if rng.chance(2) {
                write(&result)
            } else {
                let mut s = String::new();
                render(&mut rng, &serde_json::to_value(&result).unwrap(), &mut s);
                s.into_bytes()
            };
            mutate_and_check(&mut rng, &bytes, check_result);
        }
    }

    #[test]
    fn reader_matches_serde_json_on_edge_cases() {
        let wrap = |fields: &str| format!(r#"{{"schema_version":1,"fields":{fields}}}"#);
        let mut cases: Vec<String> = [
            "",
            " ",
            "{}",
            "[]",
            "null",
            "[1,{}]",
            "{\"schema_version\":1}",
            "\u{feff}{\"schema_version\":1}",
            "{\"schema_version\":1} x",
            "{\"schema_version\":1,}",
            "{\"schema_version\":1,\"schema_version\":1}",
            "{\"schema_version\":1,\"fields\":{},\"fields\":{}}",
            "{\"fields\":{\"a\":1},\"schema_version\":1}",
            "{\"schema_version\":1,\"fields\":null}",
            "{\"schema_version\":1,\"fields\":[]}",
            "{\"schema\\u005fversion\":1,\"fi\\u0065lds\":{\"a\":1}}",
            "{\"schema_version\":4294967295}",
            "{\"schema_version\":4294967296}",
            "{\"schema_version\":1.0}",
            "{\"schema_version\":-0}",
            "{\"schema_version\":1e0}",
            "{\"schema_version\":01}",
            "{\"schema_version\":\"1\"}",
            "{\"schema_version\":null}",
            " \t\r\n{ \"schema_version\" : 1 , \"fields\" : { \"a\" : [ 1 , 2 ] } } \n",
            "{\"schema_version\":1,\u{c}\"fields\":{}}",
            "{\"schema_version\":1,\"fields\":{\"a\":\u{b}1}}",
            "{\"schema_version\":1,\"fields\":{\"a\":1\u{a0}}}",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        for value in [
            // Duplicate keys: the last wins, at every level.
            r#"{"a":1,"a":2}"#,
            r#"{"a":{"b":1,"b":{"c":2,"c":3}},"a":{"b":4}}"#,
            // Escapes and surrogates.
            r#"{"a":"\"\\\/\b\f\n\r\t\u0000\u001f\u007f\u00e9\u20AC"}"#,
            r#"{"a":"\ud83d\ude00 \uD83D\uDE00"}"#,
            r#"{"a":"\ud83d"}"#,
            r#"{"a":"\ude00"}"#,
            r#"{"a":"\ud83d\u0041"}"#,
            r#"{"a":"\ud83d\ue000"}"#,
            r#"{"a":"\udbff\udfff"}"#,
            r#"{"a":"\ud83d\ud83d\ude00"}"#,
            r#"{"a":"\ud83d\n"}"#,
            r#"{"a":"\ud83dx"}"#,
            r#"{"a":"\u12"}"#,
            r#"{"a":"\u12G4"}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\'"}"#,
            "{\"a\":\"raw\ttab\"}",
            "{\"a\":\"raw\u{0}nul\"}",
            "{\"a\":\"del\u{7f}\"}",
            r#"{"a":"unterminated}"#,
            r#"{"a":"\"#,
            // Numbers.
            r#"{"a":[0,-0,-0.0,1,-1,01,1.,.5,-,1e,1e+,1e+2,1E2,1.5e-300,1e400,-1e400]}"#,
            r#"{"a":[18446744073709551615,18446744073709551616,-9223372036854775808]}"#,
            r#"{"a":[-9223372036854775809,9999999999999999999,99999999999999999999]}"#,
            r#"{"a":[0.1,123456789012345678901234567890,1.7976931348623157e308,5e-324]}"#,
            r#"{"a":1-2}"#,
            r#"{"a":tru}"#,
            r#"{"a":nulll}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":[1 2]}"#,
            r#"{"a":{"b"}}"#,
            r#"{"$serde_json::private::Number":"1"}"#,
            r#"{"a":{"$serde_json::private::Number":"1"}}"#,
            r#"{"":""}"#,
        ] {
            cases.push(wrap(value));
        }
        // Nesting around the fast reader's limit and serde_json's.
        for depth in [30, 62, 63, 64, 65, 126, 127, 128, 129, 300] {
            cases.push(wrap(&format!(
                "{{\"a\":{}1{}}}",
                "[".repeat(depth),
                "]".repeat(depth)
            )));
        }
        for case in &cases {
            check_result(case.as_bytes());
        }
        // Invalid UTF-8, inside and outside strings.
        for bytes in [
            &b"{\"schema_version\":1,\"fields\":{\"a\":\"\xff\"}}"[..],
            b"{\"schema_version\":1,\"fields\":{\"a\":\"\xc3\"}}",
            b"{\"schema_version\":1,\"fields\":{\"a\":\"\xed\xa0\x80\"}}",
            b"{\"schema_version\":1,\"x\":\"\xff\",\"fields\":{}}",
            b"{\"schema_version\":1\xff,\"fields\":{}}",
        ] {
            check_result(bytes);
        }
    }

    #[test]
    fn every_bbc_article_round_trips() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/bbc");
        let mut count = 0;
        for category in std::fs::read_dir(&root).unwrap() {
            let category = category.unwrap().path();
            if !category.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&category).unwrap() {
                let raw = std::fs::read(file.unwrap().path()).unwrap();
                let text = String::from_utf8_lossy(&raw).into_owned();
                let title = text.lines().next().unwrap_or("").to_owned();
                let lines: Vec<Value> = text.lines().take(5).map(Value::from).collect();
                let fields = Fields::from([
                    ("body".to_owned(), Value::String(text.clone())),
                    ("title".to_owned(), Value::String(title)),
                    (
                        "word_count".to_owned(),
                        Value::from(text.split_whitespace().count()),
                    ),
                    ("lines".to_owned(), Value::Array(lines)),
                ]);
                let result = result(fields);
                let bytes = write(&result);
                assert_eq!(bytes, serde_json::to_vec(&result).unwrap());
                let back = fast_result(&bytes).unwrap();
                assert_eq!(back.fields, result.fields);
                assert_eq!(read_result(&bytes).unwrap().fields, result.fields);
                // The article also travels in a request, as later extractors get it.
                let request = RequestRef {
                    schema_version: SCHEMA_VERSION,
                    id: "0123",
                    media_type: "text/plain",
                    url: Some("https://www.bbc.co.uk/news"),
                    fields: &result.fields,
                };
                let mut bytes = Vec::new();
                write_request(&mut bytes, &request).unwrap();
                assert_eq!(bytes, serde_json::to_vec(&request).unwrap());
                let back = fast_request(&bytes).unwrap();
                assert_eq!(back.fields, result.fields);
                assert!(matches!(back.id, Cow::Borrowed("0123")));
                count += 1;
            }
        }
        assert_eq!(count, 2225);
    }
}
