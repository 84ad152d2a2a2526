//! Build script: rebuild when a template changes (they are embedded with include_dir), and
//! fingerprint the sources so the no-op fast path (src/output/fresh.rs) never trusts a cache
//! entry written by a different build.

use std::path::Path;

use sha2::{Digest, Sha256};

fn main() {
    for input in ["templates", "src", "Cargo.lock", "build.rs"] {
        println!("cargo:rerun-if-changed={input}");
    }
    let mut hasher = Sha256::new();
    hasher.update(env!("CARGO_PKG_VERSION"));
    for input in ["templates", "src", "Cargo.lock", "build.rs"] {
        hash(Path::new(input), &mut hasher);
    }
    let digest: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("cargo:rustc-env=TGFORGE_BUILD_FINGERPRINT={digest}");
}

/// Hashes every file under `path` (sorted, names included).
fn hash(path: &Path, hasher: &mut Sha256) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .expect("readable source folder")
            .map(|e| e.expect("readable entry").path())
            .collect();
        entries.sort();
        for entry in entries {
            hash(&entry, hasher);
        }
    } else if let Ok(bytes) = std::fs::read(path) {
        hasher.update(path.to_string_lossy().as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
}
