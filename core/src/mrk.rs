//! MARCMaker / MARCBreaker text: `=LDR  ...`, `=001  ...`, `=245  10$aTitle`.
//!
//! The writer is pymarc's `str(record)` (the `Display` of [`Record`], so the
//! format lives in one place) and `TextWriter` (a blank line between
//! records). The reader follows pymarc's `MARCMakerReader`: records are
//! separated by blank lines, a line is `=`, a three-character tag, two
//! spaces and the data, and subfields are split on `$`. Unlike pymarc it
//! reads `\` in the leader, control fields and indicators back as a blank
//! (what the writer and MARCBreaker put there), so text written here reads
//! back as the same record.
//!
//! pymarc has no mnemonics, so a value holding `$` does not survive its
//! trip. [`MrkWriter::with_mnemonics`] and [`MrkReader::with_mnemonics`]
//! write and read MARCMaker's `{dollar}`, `{bsol}`, `{lcub}` and `{rcub}` (as
//! MarcEdit does) so that every value does; [`Format::Mrk`](crate::Format)
//! (the CLI, Node) uses them; the pymarc API (both Python bindings, and the
//! C ABI's MARCMaker reader and writer the cffi one goes through) does not.

use std::io::{BufRead, Write};

use crate::encoding::decode_utf8;
use crate::error::{Error, ErrorKind, Result, Warning};
use crate::field::{Indicators, Tag, MRK_MNEMONICS};
use crate::leader::Leader;
use crate::options::ReadOptions;
use crate::record::Record;
use crate::record_builder::RecordBuilder;

/// pymarc `str(record)`.
pub fn record_to_mrk(record: &Record) -> String {
    record.to_string()
}

/// Parses the text of one record (its lines, without blank lines inside).
pub fn record_from_mrk(text: &str, options: &ReadOptions) -> Result<Record> {
    let mut reader = MrkReader::new(text.as_bytes(), *options);
    let record = reader
        .next()
        .unwrap_or_else(|| Err(Error::new(ErrorKind::Mrk, "no record in the text")))?;
    if reader.next().is_some() {
        return Err(Error::new(
            ErrorKind::Mrk,
            "more than one record in the text",
        ));
    }
    Ok(record)
}

/// pymarc `TextWriter`: records as MARCMaker text, a blank line between two.
pub struct MrkWriter<W: Write> {
    inner: W,
    written: u64,
    mnemonics: bool,
    text: String,
}

impl<W: Write> MrkWriter<W> {
    pub fn new(inner: W) -> Self {
        MrkWriter {
            inner,
            written: 0,
            mnemonics: false,
            text: String::new(),
        }
    }

    /// Write `$`, `\`, `{` and `}` in values as MARCMaker mnemonics.
    pub fn with_mnemonics(mut self, mnemonics: bool) -> Self {
        self.mnemonics = mnemonics;
        self
    }

    pub fn write(&mut self, record: &Record) -> Result<()> {
        if self.written > 0 {
            self.inner.write_all(b"\n")?;
        }
        self.text.clear();
        // Writing into a String cannot fail.
        let _ = record.write_mrk(&mut self.text, self.mnemonics);
        self.inner.write_all(self.text.as_bytes())?;
        self.written += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<W> {
        self.inner.flush()?;
        Ok(self.inner)
    }
}

/// Reads MARCMaker records, one per block of lines.
pub struct MrkReader<R: BufRead> {
    inner: R,
    options: ReadOptions,
    line: Vec<u8>,
    line_number: u64,
    byte_offset: u64,
    builder: RecordBuilder,
    warnings: Vec<Warning>,
    records_read: u64,
    done: bool,
    mnemonics: bool,
}

fn unblank(text: &str) -> String {
    text.replace('\\', " ")
}

/// Replaces the mnemonics [`MrkWriter::with_mnemonics`] writes; any other
/// `{...}` is kept as it is.
fn decode_mnemonics(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('{') {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let known = MRK_MNEMONICS
            .iter()
            .find(|(_, mnemonic)| rest.starts_with(mnemonic));
        match known {
            Some(&(c, mnemonic)) => {
                out.push(c);
                rest = &rest[mnemonic.len()..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.into()
}

impl<R: BufRead> MrkReader<R> {
    pub fn new(inner: R, options: ReadOptions) -> Self {
        MrkReader {
            inner,
            options,
            line: Vec::new(),
            line_number: 0,
            byte_offset: 0,
            builder: RecordBuilder::new(),
            warnings: Vec::new(),
            records_read: 0,
            done: false,
            mnemonics: false,
        }
    }

    /// Read MARCMaker's `{dollar}`, `{bsol}`, `{lcub}` and `{rcub}` in
    /// values back as the characters.
    pub fn with_mnemonics(mut self, mnemonics: bool) -> Self {
        self.mnemonics = mnemonics;
        self
    }

    /// Repairs made in the record last returned (lenient mode).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    pub fn records_read(&self) -> u64 {
        self.records_read
    }

    /// Reads the next line into `self.line` without its line end; false at
    /// the end of the input.
    fn read_line(&mut self) -> Result<bool> {
        self.line.clear();
        let n = self
            .inner
            .read_until(b'\n', &mut self.line)
            .map_err(|e| Error::from(e).with_offset(self.byte_offset))?;
        if n == 0 {
            return Ok(false);
        }
        self.byte_offset += n as u64;
        self.line_number += 1;
        while matches!(self.line.last(), Some(b'\n' | b'\r')) {
            self.line.pop();
        }
        Ok(true)
    }

    fn error(&self, kind: ErrorKind, column: u64, message: impl Into<String>) -> Error {
        Error::new(kind, message)
            .with_record(self.records_read.saturating_sub(1))
            .with_line_column(self.line_number, column)
    }

    fn defect(&mut self, kind: ErrorKind, column: u64, message: impl Into<String>) -> Result<()> {
        let e = self.error(kind, column, message);
        if self.options.is_lenient() {
            self.warnings.push(e.into());
            Ok(())
        } else {
            Err(e)
        }
    }

    /// One line of a record: the leader or a field.
    fn parse_line(&mut self, text: &str, leader: &mut Option<Leader>) -> Result<()> {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        if chars.first().map(|c| c.1) != Some('=') {
            return self.defect(ErrorKind::Mrk, 1, "a line must start with '='");
        }
        let spaces_ok = chars.len() >= 6 && chars[4].1 == ' ' && chars[5].1 == ' ';
        if !spaces_ok {
            return self.defect(ErrorKind::Mrk, 5, "the tag must be followed by two spaces");
        }
        let tag_text = &text[chars[1].0..chars[4].0];
        let data = chars.get(6).map_or("", |&(i, _)| &text[i..]);
        if tag_text == "LDR" {
            let value = unblank(data);
            if value.len() != 24 {
                self.defect(
                    ErrorKind::Leader,
                    7,
                    format!("the leader has {} bytes, expected 24", value.len()),
                )?;
            }
            *leader = Some(Leader::from_str_lossy(&value));
            return Ok(());
        }
        let tag = Tag::new(tag_text);
        if tag.is_control() {
            let value = unblank(data);
            if self.mnemonics {
                return self.builder.push_control(tag, &decode_mnemonics(&value));
            }
            return self.builder.push_control(tag, &value);
        }
        let mut rest = data.chars();
        let indicator = |c: Option<char>| match c {
            Some('\\') | None => ' ',
            Some(c) => c,
        };
        let (first, second) = (rest.next(), rest.next());
        if second.is_none() {
            self.defect(
                ErrorKind::Indicator,
                7,
                format!("field {tag} has no indicators"),
            )?;
        }
        self.builder
            .start_data(tag, Indicators::new(indicator(first), indicator(second)));
        let subfields = rest.as_str();
        if subfields.is_empty() {
            return Ok(());
        }
        // pymarc skips the character after the indicators, the first '$'.
        let Some(after_dollar) = subfields.strip_prefix('$') else {
            self.defect(ErrorKind::Subfield, 9, "expected '$' after the indicators")?;
            let mut skipped = subfields.chars();
            skipped.next();
            return self.push_subfields(skipped.as_str());
        };
        self.push_subfields(after_dollar)
    }

    fn push_subfields(&mut self, text: &str) -> Result<()> {
        for piece in text.split('$') {
            let mut chars = piece.chars();
            match chars.next() {
                Some(code) if self.mnemonics => self
                    .builder
                    .push_subfield(code, &decode_mnemonics(chars.as_str()))?,
                Some(code) => self.builder.push_subfield(code, chars.as_str())?,
                None => self.defect(ErrorKind::Subfield, 1, "a '$' without a subfield code")?,
            }
        }
        Ok(())
    }

    fn read_record(&mut self) -> Result<Option<Record>> {
        // Blank lines before a record are separators.
        loop {
            if !self.read_line()? {
                return Ok(None);
            }
            if !self.line.iter().all(|b| b.is_ascii_whitespace()) {
                break;
            }
        }
        self.records_read += 1;
        self.warnings.clear();
        self.builder.clear();
        let mut leader = None;
        let mut failure = None;
        loop {
            let line = std::mem::take(&mut self.line);
            let parsed = decode_utf8(&line, &self.options, &mut self.warnings)
                .map_err(|e| e.with_line_column(self.line_number, 1))
                .and_then(|text| self.parse_line(&text, &mut leader));
            self.line = line;
            if let Err(e) = parsed {
                // Keep reading to the end of this record, then report.
                failure.get_or_insert(e);
            }
            if !self.read_line()? || self.line.iter().all(|b| b.is_ascii_whitespace()) {
                break;
            }
        }
        if let Some(e) = failure {
            self.builder.clear();
            return Err(e.with_record(self.records_read - 1));
        }
        for w in &mut self.warnings {
            w.position.record_index.get_or_insert(self.records_read - 1);
        }
        Ok(Some(self.builder.build(leader.unwrap_or_default())))
    }
}

impl<R: BufRead> Iterator for MrkReader<R> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        if self.done {
            return None;
        }
        match self.read_record() {
            Ok(Some(r)) => Some(Ok(r)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) if e.kind == ErrorKind::Io => {
                self.done = true;
                Some(Err(e))
            }
            Err(e) => Some(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pymarc_parse_line_cases() {
        let text = "=LDR  00755cam  22002414a 4500\n=008  010314s1999fr||||||||||||||||fre\n=028  01$aSTMA 8007$bTamla Motown Records\n=245  \\\\$aT\n";
        let r = record_from_mrk(text, &ReadOptions::strict()).unwrap();
        assert_eq!(r.leader.as_str(), "00755cam  22002414a 4500");
        assert_eq!(
            r.get("008").unwrap().control_value(),
            Some("010314s1999fr||||||||||||||||fre")
        );
        let f = r.get("028").unwrap();
        assert_eq!(f.indicators(), Some(Indicators::new('0', '1')));
        assert_eq!(f.get('a'), Some("STMA 8007"));
        assert_eq!(f.get('b'), Some("Tamla Motown Records"));
        assert_eq!(r.get("245").unwrap().indicators(), Some(Indicators::BLANK));
        assert_eq!(record_to_mrk(&r), text);
    }

    #[test]
    fn bad_lines_are_errors_with_their_line() {
        for (line, kind) in [
            ("028  01$aSTMA", ErrorKind::Mrk),
            ("=028 01$aSTMA", ErrorKind::Mrk),
            ("=LDR  short", ErrorKind::Leader),
            ("=245  10$a$$b", ErrorKind::Subfield),
        ] {
            let text = format!("=001  x\n{line}\n\n=001  y\n");
            let results: Vec<_> = MrkReader::new(text.as_bytes(), ReadOptions::strict()).collect();
            assert_eq!(results.len(), 2, "{line}");
            let e = results[0].as_ref().unwrap_err();
            assert_eq!(
                (e.kind, e.position.line, e.record_index()),
                (kind, Some(2), Some(0)),
                "{line}"
            );
            assert_eq!(
                results[1]
                    .as_ref()
                    .unwrap()
                    .get("001")
                    .unwrap()
                    .control_value(),
                Some("y")
            );
            let mut lenient = MrkReader::new(text.as_bytes(), ReadOptions::lenient());
            assert!(lenient.next().unwrap().is_ok());
            assert_eq!(lenient.warnings()[0].kind, kind);
        }
    }
}
