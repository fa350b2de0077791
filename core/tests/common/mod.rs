//! Helpers the format corpus tests share: fixture paths and the pymarc
//! expectations generated into tests/data/expected/.
#![allow(dead_code)] // each test crate uses its own subset

use std::fs;
use std::path::{Path, PathBuf};

/// A fixture in core/tests/data.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Every ISO 2709 fixture (`*.mrc` in core/tests/data), sorted.
pub fn iso2709_fixtures() -> Vec<PathBuf> {
    let mut files: Vec<_> = fs::read_dir(data(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mrc"))
        .collect();
    files.sort();
    files
}

/// pymarc's output for a fixture, from tests/data/expected/NAME.json.
pub fn expected(name: &str) -> serde_json::Value {
    let text = fs::read_to_string(data(&format!("expected/{name}.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A list of strings under `key` of an expectation.
pub fn strings(v: &serde_json::Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}
