//! Running `tgforge import` the way the import tests do: `tgforge import SOURCE DIR -o SPEC`,
//! with what it printed as text.

use std::path::Path;

use super::{stderr, stdout, tgforge};

/// `tgforge import SOURCE DIR -o SPEC EXTRA...` (SOURCE: `copilot` or `terragrunt`), run.
fn run_import(source: &str, dir: &Path, spec: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    tgforge()
        .args(["import", source])
        .arg(dir)
        .arg("-o")
        .arg(spec)
        .args(extra)
        .assert()
}

/// Runs an import expected to succeed; returns its stdout (the report).
pub fn imported(source: &str, dir: &Path, spec: &Path, extra: &[&str]) -> String {
    stdout(&run_import(source, dir, spec, extra).success())
}

/// Runs an import expected to fail with exit 2; returns its stderr. Nothing may be written.
pub fn import_refused(source: &str, dir: &Path, spec: &Path, extra: &[&str]) -> String {
    let refused = run_import(source, dir, spec, extra).code(2);
    assert!(!spec.exists(), "{} was written", spec.display());
    stderr(&refused)
}

/// An existing `spec` is refused (exit 2, the message names `--force`, the file is left as it
/// was) and replaced with `--force`; returns the spec written then.
pub fn import_over_existing_spec(source: &str, dir: &Path, spec: &Path) -> String {
    std::fs::write(spec, "mine\n").unwrap();
    let err = stderr(&run_import(source, dir, spec, &[]).code(2));
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(spec).unwrap(), "mine\n");
    imported(source, dir, spec, &["--force"]);
    std::fs::read_to_string(spec).unwrap()
}
