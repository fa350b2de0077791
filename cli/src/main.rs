//! The `mrrc` command-line tool over `mrrc-core`.

fn main() {
    println!("mrrc {}", env!("CARGO_PKG_VERSION"));
}
