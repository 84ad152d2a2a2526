//! The manifest: what tgforge wrote, so a rerun can tell its own files from a person's.
//!
//! `.tgforge-manifest.json` sits in the output root and is committed with the tree. It holds
//! a format number and every generated path (sorted) with the SHA-256 of its contents, one
//! path per line, and nothing that changes between identical runs (no timestamp, no tgforge
//! version), so it only shows up in a diff when the tree itself changes:
//!
//! ```json
//! {
//!   "tgforge_manifest": 1,
//!   "about": "...",
//!   "files": {
//!     "README.md": "3f1c…",
//!     "root.hcl": "9a0b…"
//!   }
//! }
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::paths::check_relative;

/// The manifest's name in the output root.
pub const MANIFEST_FILE: &str = ".tgforge-manifest.json";

/// The format this tgforge reads and writes.
pub const FORMAT: u32 = 1;

const ABOUT: &str = "Written by `tgforge gen`: every file it generated here, with its SHA-256. \
tgforge rewrites only these files, refuses to overwrite them once edited by hand, and never \
touches any other file. Do not edit.";

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest256(pub [u8; 32]);

impl Digest256 {
    /// The digest of `parts` one after the other (without copying them into one buffer).
    pub fn of_parts(parts: &[&[u8]]) -> Digest256 {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update(part);
        }
        Digest256(hasher.finalize().into())
    }

    /// The digest of what `args` formats to, hashed as it is written (a large value's debug
    /// form is never held whole).
    pub fn of_fmt(args: std::fmt::Arguments) -> Digest256 {
        /// Formatting writes many short pieces: they are hashed in blocks of a few KiB.
        struct Hashing(Sha256, Vec<u8>);
        impl std::fmt::Write for Hashing {
            fn write_str(&mut self, s: &str) -> std::fmt::Result {
                if self.1.len() + s.len() > self.1.capacity() {
                    self.0.update(&self.1);
                    self.1.clear();
                }
                if s.len() >= self.1.capacity() {
                    self.0.update(s.as_bytes());
                } else {
                    self.1.extend_from_slice(s.as_bytes());
                }
                Ok(())
            }
        }
        let mut hashing = Hashing(Sha256::new(), Vec::with_capacity(16 * 1024));
        std::fmt::Write::write_fmt(&mut hashing, args).expect("hashing cannot fail");
        hashing.0.update(&hashing.1);
        Digest256(hashing.0.finalize().into())
    }

    pub fn of(bytes: &[u8]) -> Digest256 {
        Digest256(Sha256::digest(bytes).into())
    }

    pub fn to_hex(self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(HEX[usize::from(b >> 4)] as char);
            s.push(HEX[usize::from(b & 15)] as char);
        }
        s
    }

    /// Parses 64 lowercase hex digits.
    pub fn from_hex(s: &str) -> Option<Digest256> {
        let digit = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let bytes = s.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks(2).enumerate() {
            out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
        }
        Some(Digest256(out))
    }
}

impl std::fmt::Debug for Digest256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_hex())
    }
}

/// Generated paths and the digests of what tgforge wrote there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub files: BTreeMap<String, Digest256>,
}

#[derive(Serialize, Deserialize)]
struct ManifestFile {
    tgforge_manifest: u32,
    #[serde(default)]
    about: String,
    files: BTreeMap<String, String>,
}

impl Manifest {
    /// The manifest's text: pretty JSON with sorted keys and one trailing newline.
    pub fn to_json(&self) -> String {
        let file = ManifestFile {
            tgforge_manifest: FORMAT,
            about: ABOUT.to_string(),
            files: self
                .files
                .iter()
                .map(|(path, digest)| (path.clone(), digest.to_hex()))
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).expect("a manifest serializes");
        text.push('\n');
        text
    }

    /// Reads a manifest, refusing anything tgforge would not have written (a newer format, a
    /// path outside the tree, a malformed digest): the manifest decides what gets deleted.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        if text.lines().any(|l| {
            l.starts_with("<<<<<<<") || l.starts_with(">>>>>>>") || l.starts_with("=======")
        }) {
            return Err("it has merge-conflict markers".into());
        }
        let file: ManifestFile =
            serde_json::from_str(text).map_err(|e| format!("it is not a tgforge manifest: {e}"))?;
        if file.tgforge_manifest != FORMAT {
            return Err(format!(
                "it has format {}, and this tgforge reads format {FORMAT} (upgrade tgforge)",
                file.tgforge_manifest
            ));
        }
        let mut files = BTreeMap::new();
        for (path, hex) in file.files {
            check_relative(&path).map_err(|e| format!("entry `{path}`: {e}"))?;
            let digest = Digest256::from_hex(&hex)
                .ok_or_else(|| format!("entry `{path}`: `{hex}` is not a SHA-256 hex digest"))?;
            files.insert(path, digest);
        }
        if let Some((a, b)) = super::paths::case_collision(files.keys().map(String::as_str)) {
            return Err(format!(
                "entries `{a}` and `{b}` differ only in letter case (one file on a \
                 case-insensitive checkout); tgforge never generates both"
            ));
        }
        Ok(Manifest { files })
    }
}

/// Why the manifest of an output folder cannot be used.
#[derive(Debug)]
pub enum ReadError {
    /// Not a tgforge manifest, or one this tgforge must not trust; the text says why.
    Invalid(String),
    Io(std::io::Error),
}

/// The manifest in `root` and its exact bytes, or `None` when there is none.
pub fn read(root: &Path) -> Result<Option<(Manifest, Vec<u8>)>, ReadError> {
    let path = root.join(MANIFEST_FILE);
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.is_file() => {}
        Ok(m) => {
            return Err(ReadError::Invalid(format!(
                "it is {}, not a file",
                super::paths::kind(&m)
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ReadError::Io(e)),
    }
    let bytes = std::fs::read(&path).map_err(ReadError::Io)?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ReadError::Invalid("it is not UTF-8 text".into()))?;
    let manifest = Manifest::parse(text).map_err(ReadError::Invalid)?;
    Ok(Some((manifest, bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hashing as formatted is hashing the formatted text, whatever the size of the pieces.
    #[test]
    fn a_digest_of_formatted_text_is_that_of_the_text() {
        let long = "x".repeat(40_000);
        for (a, b) in [
            ("", ""),
            ("a", "b"),
            (long.as_str(), "y"),
            ("z", long.as_str()),
        ] {
            let text = format!("{a}\n{b:?}\n{}", a.len());
            assert_eq!(
                Digest256::of_fmt(format_args!("{a}\n{b:?}\n{}", a.len())),
                Digest256::of(text.as_bytes())
            );
        }
    }

    #[test]
    fn round_trips_and_is_sorted_one_path_per_line() {
        let mut m = Manifest::default();
        m.files.insert("b/x.tf".into(), Digest256::of(b"x"));
        m.files.insert("a.hcl".into(), Digest256::of(b""));
        let text = m.to_json();
        assert_eq!(Manifest::parse(&text), Ok(m));
        let a = text.find("\"a.hcl\"").unwrap();
        let b = text.find("\"b/x.tf\"").unwrap();
        assert!(a < b);
        assert!(text.contains(
            "\"a.hcl\": \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\""
        ));
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn refuses_unsafe_or_foreign_manifests() {
        let digest = Digest256::of(b"").to_hex();
        let with = |path: &str, hex: &str, format: u32| {
            format!(r#"{{"tgforge_manifest": {format}, "files": {{"{path}": "{hex}"}}}}"#)
        };
        assert!(Manifest::parse(&with("a.tf", &digest, 1)).is_ok());
        assert!(Manifest::parse(&with("../a.tf", &digest, 1)).is_err());
        assert!(Manifest::parse(&with("/etc/passwd", &digest, 1)).is_err());
        assert!(Manifest::parse(&with("a.tf", "abc", 1)).is_err());
        assert!(Manifest::parse(&with("a.tf", &digest, 2)).is_err());
        assert!(Manifest::parse("<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> x\n").is_err());
        assert!(Manifest::parse("[]").is_err());
        assert!(Manifest::parse(&with(".git/HEAD", &digest, 1)).is_err());
        assert!(Manifest::parse(&with("prod/aux/x.tf", &digest, 1)).is_err());
        let both = format!(
            r#"{{"tgforge_manifest": 1, "files": {{"a.tf": "{digest}", "A.tf": "{digest}"}}}}"#
        );
        assert!(Manifest::parse(&both).unwrap_err().contains("letter case"));
    }
}
