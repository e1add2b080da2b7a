//! Rebuild when anything in `knowledge/` changes: the folder is embedded in the binary
//! (include_dir tracks the files it embedded, but not files added since).

fn main() {
    println!("cargo:rerun-if-changed=knowledge");
}
