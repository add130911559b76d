//! The tables of docs/RELIABILITY.md: each table test writes its table under
//! target/reliability/ (for `make reliability`, which builds the doc from them) and fails when
//! the committed doc no longer shows it.

/// Writes `table` to target/reliability/`file`, then, unless `make reliability` is running
/// (DINERO_RELIABILITY_CHECK=0), checks that docs/RELIABILITY.md shows it as it is.
pub fn publish(file: &str, table: &str) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("../reliability");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(file), table).unwrap();
    if std::env::var("DINERO_RELIABILITY_CHECK").as_deref() == Ok("0") {
        return;
    }
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/RELIABILITY.md"))
        .unwrap_or_default();
    assert!(
        doc.contains(table),
        "docs/RELIABILITY.md does not show the table of {file}: run `make reliability` and commit it"
    );
}
