//! Output helpers: the chosen format, a buffered stdout that notices a closed pipe, tables,
//! CSV cells and number formatting.

use std::borrow::Cow;
use std::io::{self, BufWriter, StdoutLock, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;
use serde::Serialize;

use crate::args::OutputArgs;

/// How records are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// An aligned table (the default).
    Table,
    /// One JSON value.
    Json,
    /// One JSON object a line.
    Jsonl,
    /// CSV with a header line.
    Csv,
}

impl From<OutputArgs> for Format {
    fn from(args: OutputArgs) -> Format {
        if args.json {
            Format::Json
        } else if args.jsonl {
            Format::Jsonl
        } else if args.csv {
            Format::Csv
        } else {
            Format::Table
        }
    }
}

/// Set once a write to stdout met a closed pipe (`morgue list | head`).
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether stdout was found closed. The error that reached `main` may have been wrapped by a
/// serializer (serde_json and csv keep the I/O error only as text), so `main` asks this
/// instead of looking for the error's kind.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Locked stdout that records a broken pipe before passing the error on.
pub struct Stdout(StdoutLock<'static>);

impl Stdout {
    fn check<T>(result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result
            && e.kind() == io::ErrorKind::BrokenPipe
        {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
        }
        result
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Stdout::check(self.0.write(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        Stdout::check(self.0.flush())
    }
}

/// Buffered, locked stdout. Errors (such as a closed pipe) surface on write or flush.
pub fn stdout() -> BufWriter<Stdout> {
    BufWriter::with_capacity(64 * 1024, Stdout(io::stdout().lock()))
}

/// Writes one value as pretty JSON and a newline.
pub fn write_json<T: Serialize>(out: &mut dyn Write, value: &T) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Writes one value as a JSON line.
pub fn write_jsonl<T: Serialize>(out: &mut dyn Write, value: &T) -> Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Writes rows as a table whose columns are as wide as their widest cell; the last column is
/// not padded.
pub fn write_table(out: &mut dyn Write, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let last = cells.len().saturating_sub(1);
        let mut s = String::new();
        for (i, cell) in cells.into_iter().enumerate() {
            s.push_str(cell);
            if i < last {
                let pad = widths[i] - cell.chars().count() + 2;
                s.extend(std::iter::repeat_n(' ', pad));
            }
        }
        s
    };
    writeln!(out, "{}", line(header.to_vec()))?;
    for row in rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

/// Writes rows as CSV.
pub fn write_csv(out: &mut dyn Write, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(row)?;
    }
    writer.flush()?;
    Ok(())
}

/// A value as a CSV cell: a string as it is, a number or a boolean as JSON writes it, a list or
/// an object as compact JSON, an absent value as an empty cell.
pub fn cell(value: Option<&serde_json::Value>) -> String {
    match value {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// `s` fit for a terminal: each control character, and each of the invisible controls that
/// reorder text (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F), written visibly as Rust
/// writes it (`\u{1b}`, `\r`, `\0`), so that a file name or a field cannot move the cursor,
/// clear the screen, retitle the window or disguise itself. With `multiline` (a body), line
/// breaks, tabs and the `\r` of a `\r\n` stay as they are.
pub fn visible(s: &str, multiline: bool) -> Cow<'_, str> {
    let hidden = |c: char, next: Option<char>| {
        let kept = multiline && (c == '\n' || c == '\t' || c == '\r' && next == Some('\n'));
        !kept
            && (c.is_control()
                || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
    };
    let mut out = String::new();
    let mut changed = false;
    // `s[copied..]` is what is not yet in `out`.
    let mut copied = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if hidden(c, chars.peek().map(|&(_, next)| next)) {
            out.push_str(&s[copied..i]);
            match c {
                '\0' | '\t' | '\r' | '\n' => out.extend(c.escape_debug()),
                _ => out.extend(c.escape_unicode()),
            }
            copied = i + c.len_utf8();
            changed = true;
        }
    }
    if !changed {
        return Cow::Borrowed(s);
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out)
}

/// `1, "document"` → `1 document`; `2127, "document"` → `2,127 documents`.
pub fn count(n: u64, word: &str) -> String {
    format!("{} {}", thousands(n), noun(n, word))
}

/// `word`, or its plural when `n` is not 1 (nouns that take an `s`).
pub fn noun(n: u64, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

/// A progress bar on stderr drawn from `template`, which may use indicatif's keys and `{rate}`:
/// items a second as a whole number with thousands separators (`25,557/s`).
pub fn bar(len: u64, template: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.with_key(
            "rate",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{}", rate(state.per_sec()));
            },
        ));
    }
    bar
}

/// Items a second, as [`bar`] shows them.
pub fn rate(per_sec: f64) -> String {
    let whole = if per_sec.is_finite() && per_sec > 0.0 {
        per_sec.round() as u64
    } else {
        0
    };
    format!("{}/s", thousands(whole))
}

/// `a` against `b` for sorting by a value some documents lack: values first, in order (turned
/// round by `reverse`), then the documents without one.
pub fn ordered(a: Option<&str>, b: Option<&str>, reverse: bool) -> std::cmp::Ordering {
    match (a, b) {
        (Some(a), Some(b)) if reverse => b.cmp(a),
        (Some(a), Some(b)) => a.cmp(b),
        (a, b) => b.is_some().cmp(&a.is_some()),
    }
}

/// `2127` → `2,127`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_whole_numbers() {
        assert_eq!(rate(25_556.678_8), "25,557/s");
        assert_eq!(rate(0.4), "0/s");
        assert_eq!(rate(f64::NAN), "0/s");
        assert_eq!(count(1, "document"), "1 document");
        assert_eq!(count(2127, "document"), "2,127 documents");
        assert_eq!(count(0, "document"), "0 documents");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2127), "2,127");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn control_characters_are_made_visible() {
        assert!(matches!(visible("plain café", false), Cow::Borrowed(_)));
        assert_eq!(
            visible("a\u{1b}[2J\u{7}b\r\n\tc\0\u{9b}\u{202e}", false),
            "a\\u{1b}[2J\\u{7}b\\r\\n\\tc\\0\\u{9b}\\u{202e}"
        );
        assert_eq!(
            visible("one\r\ntwo\tthree\rover\u{1b}\n", true),
            "one\r\ntwo\tthree\\rover\\u{1b}\n"
        );
    }

    #[test]
    fn tables_align() {
        let mut out = Vec::new();
        let rows = vec![vec![
            "a".to_string(),
            "long cell".to_string(),
            "x".to_string(),
        ]];
        write_table(&mut out, &["ID", "T", "LAST"], &rows).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ID  T          LAST\na   long cell  x\n"
        );
    }
}
