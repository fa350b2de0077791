//! The Node binding of mrrc: a napi-rs addon that hands mrrc-core's records to
//! JavaScript. All behaviour lives in mrrc-core; this crate only converts.
//!
//! Records travel in batches: a [`store::RecordStore`] holds many core records
//! behind one JS object, and `index.js` gives each record a plain JS wrapper
//! `(store, index)`, so no per-record native object is created. Field data
//! crosses as one string plus a layout of UTF-16 offsets (see
//! [`layout`]), which JS slices into the @natlibfi/marc-record shape.

// napi-derive registers exports only outside cfg(test), which clippy
// --all-targets also checks.
#![cfg_attr(test, allow(dead_code))]

mod ahead;
mod error;
mod layout;
mod object;
mod spare;
mod store;
// After `store`: napi-derive must see `RecordStore` before more of its methods.
mod convert;
mod reader;
