// The calls measured, written once for napi-rs 2 and 3 (the macros accept the
// same source). `raw/` has the same calls on bare Node-API.
use mrrc_core::{Field, Indicators, Record};
use napi_derive::napi;

/// The reference call: two integers in, one out.
#[napi]
pub fn add(a: u32, b: u32) -> u32 {
    a.wrapping_add(b)
}

pub(crate) fn sample_record() -> Record {
    let mut r = Record::new();
    r.add_field(Field::control("001", "12345"));
    r.add_field(Field::data(
        "245",
        Indicators::new('1', '0'),
        [('a', "Pale fire :"), ('b', "a novel /"), ('c', "Vladimir Nabokov.")],
    ));
    r
}

/// A record wrapped in a JS object, as the binding hands them out.
#[napi]
pub struct Rec {
    inner: Record,
}

#[napi]
impl Rec {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Rec {
            inner: sample_record(),
        }
    }

    /// A method on the instance returning a string (record.title).
    #[napi]
    pub fn title(&self) -> Option<String> {
        self.inner.title()
    }

    /// Two string arguments, a string back (record.subfield('245', 'a')).
    #[napi]
    pub fn subfield(&self, tag: String, code: String) -> Option<String> {
        let c = code.chars().next()?;
        self.inner.get(&tag)?.get(c).map(str::to_string)
    }
}

/// n new wrapped instances in an array (a reader's batch).
#[napi]
pub fn make_recs(n: u32) -> Vec<Rec> {
    let r = sample_record();
    (0..n).map(|_| Rec { inner: r.clone() }).collect()
}
