//! Writing the verified tree to disk.

use std::path::Path;

use anyhow::{Context, Result};

use crate::render::RenderedFile;

/// What a write did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    pub written: usize,
}

/// Writes every file under `out_dir`, creating folders as needed.
pub fn write_tree(out_dir: &Path, files: &[RenderedFile]) -> Result<WriteReport> {
    for file in files {
        let path = out_dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, &file.contents)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(WriteReport {
        written: files.len(),
    })
}
