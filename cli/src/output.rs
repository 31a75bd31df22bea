//! Output helpers: the chosen format, a buffered stdout, tables and number formatting.

use std::io::{BufWriter, StdoutLock, Write};

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

/// Buffered, locked stdout. Errors (such as a closed pipe) surface on write or flush.
pub fn stdout() -> BufWriter<StdoutLock<'static>> {
    BufWriter::with_capacity(64 * 1024, std::io::stdout().lock())
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
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2127), "2,127");
        assert_eq!(thousands(1234567), "1,234,567");
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
