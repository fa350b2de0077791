//! Assembles a record for the text-based readers (MARCXML, JSON, msgpack,
//! MARCMaker): all values go into one growing `String`, fields remember spans,
//! and `build` turns the text into the record's one shared buffer.

use crate::error::{Error, ErrorKind, Result};
use crate::field::{Content, Field, Indicators, Span, Tag};
use crate::leader::Leader;
use crate::record::Record;
use crate::shared::{Fields, SharedMany};

enum PendingKind {
    Control {
        start: u32,
        end: u32,
    },
    Data {
        indicators: Indicators,
        first_span: usize,
    },
}

struct PendingField {
    tag: Tag,
    kind: PendingKind,
}

/// Collects the fields of one record; reusable across records.
#[derive(Default)]
pub(crate) struct RecordBuilder {
    /// All text of the record so far.
    pub text: String,
    fields: Vec<PendingField>,
    spans: Vec<Span>,
}

fn offset(len: usize) -> Result<u32> {
    u32::try_from(len)
        .map_err(|_| Error::new(ErrorKind::TooLarge, "the text of one record exceeds 4 GiB"))
}

impl RecordBuilder {
    pub fn new() -> Self {
        RecordBuilder::default()
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.fields.clear();
        self.spans.clear();
    }

    #[allow(dead_code)]
    pub fn field_count(&self) -> usize {
        self.fields.len()
    }

    /// Appends a control field whose value is `text[start..]`.
    pub fn end_control(&mut self, tag: Tag, start: usize) -> Result<()> {
        let end = offset(self.text.len())?;
        self.fields.push(PendingField {
            tag,
            kind: PendingKind::Control {
                start: offset(start)?,
                end,
            },
        });
        Ok(())
    }

    pub fn push_control(&mut self, tag: Tag, value: &str) -> Result<()> {
        let start = self.text.len();
        self.text.push_str(value);
        self.end_control(tag, start)
    }

    /// Starts a data field; subfields pushed next belong to it.
    pub fn start_data(&mut self, tag: Tag, indicators: Indicators) {
        self.fields.push(PendingField {
            tag,
            kind: PendingKind::Data {
                indicators,
                first_span: self.spans.len(),
            },
        });
    }

    /// Changes the indicators of the data field being built.
    pub fn set_indicators(&mut self, new: Indicators) {
        if let Some(PendingField {
            kind: PendingKind::Data { indicators, .. },
            ..
        }) = self.fields.last_mut()
        {
            *indicators = new;
        }
    }

    /// Ends a subfield of the current data field whose value is `text[start..]`.
    pub fn end_subfield(&mut self, code: char, start: usize) -> Result<()> {
        let end = offset(self.text.len())?;
        self.spans.push(Span {
            code,
            start: offset(start)?,
            end,
        });
        Ok(())
    }

    pub fn push_subfield(&mut self, code: char, value: &str) -> Result<()> {
        let start = self.text.len();
        self.text.push_str(value);
        self.end_subfield(code, start)
    }

    /// Turns what was collected into a record and clears the builder.
    pub fn build(&mut self, leader: Leader) -> Record {
        let mut shared = SharedMany::copied(&self.text, &self.spans, self.fields.len());
        // A data field's spans run up to the first span of the next data field.
        let mut fields = Vec::with_capacity(self.fields.len());
        let mut next_start = self.spans.len();
        for field in self.fields.drain(..).rev() {
            let content = match field.kind {
                PendingKind::Control { start, end } => Content::Control { start, end },
                PendingKind::Data {
                    indicators,
                    first_span,
                } => {
                    let count = next_start - first_span;
                    next_start = first_span;
                    Content::Data {
                        indicators,
                        first: first_span as u32,
                        count: count as u32,
                    }
                }
            };
            fields.push(Field::placeholder(field.tag, content));
        }
        fields.reverse();
        self.clear();
        Record::from_fields(leader, Fields::as_read(fields, &mut shared))
    }
}
