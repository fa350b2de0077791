//! The committed include/mrrc.h must be exactly what the pinned cbindgen
//! generates from ffi/src. Run with MRRC_UPDATE_HEADER=1 (`make header`) to
//! regenerate it.

use std::path::PathBuf;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("ffi/ has a parent")
        .to_path_buf()
}

fn version_macros() -> String {
    format!(
        "#define MRRC_VERSION_MAJOR {}\n#define MRRC_VERSION_MINOR {}\n#define MRRC_VERSION_PATCH {}\n#define MRRC_VERSION_STRING \"{}\"\n",
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION"),
    )
}

fn generate() -> String {
    let root = repo_root();
    let mut config =
        cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml parses");
    config.after_includes = Some(version_macros());
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_crate(env!("CARGO_MANIFEST_DIR"))
        .generate()
        .expect("cbindgen generates the header");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("the header is UTF-8")
}

#[test]
fn committed_header_matches_a_fresh_generation() {
    let path = repo_root().join("include").join("mrrc.h");
    let fresh = generate();
    if std::env::var_os("MRRC_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &fresh).expect("include/mrrc.h is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/mrrc.h is stale: run `make header` (MRRC_UPDATE_HEADER=1 cargo test -p mrrc-ffi --test header) and commit it"
    );
}

#[test]
fn header_declares_the_required_names() {
    let fresh = generate();
    for name in [
        "mrrc_version",
        "mrrc_record_free",
        "mrrc_record_field_count",
        "mrrc_record_title",
        "mrrc_string_free",
        "mrrc_last_error_message",
        "MRRC_VERSION_MAJOR",
        "MRRC_OK = 0",
    ] {
        assert!(fresh.contains(name), "the header lacks {name}");
    }
}
