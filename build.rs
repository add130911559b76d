//! Generates the C header with cbindgen into OUT_DIR (`make header` copies it to include/, and a
//! test fails when the committed header differs), and gives the shared library its SONAME.

use std::env;
use std::path::PathBuf;

/// Bumped only when the C ABI changes incompatibly.
const ABI_VERSION: &str = "0";

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libdinero.so.{ABI_VERSION}");

    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is readable and valid");
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen can read the ffi module")
        .write_to_file(out_dir.join("dinero.h"));
}
