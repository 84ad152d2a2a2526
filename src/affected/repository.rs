//! Where the git repository holding a folder is, and whether git would see its files exactly
//! as they are on disk: then a file is unchanged exactly when its blob id (computed here) is
//! the base's, and no `git diff` is needed.
//!
//! Git converts files when it reads them into the repository if `.gitattributes` sets `text`,
//! `eol`, `crlf`, `filter` (Git LFS), `ident` or `working-tree-encoding`, or when the
//! configuration sets `core.autocrlf`; it shows only part of the tree with a sparse checkout.
//! Where any of that may apply (or git is steered by `GIT_*` variables), [`Repository::find`]
//! says so and the caller asks `git diff` instead.

use std::path::{Path, PathBuf};

/// Attributes that make git store something else than the bytes on disk.
const CONVERSIONS: [&str; 6] = [
    "text",
    "eol",
    "crlf",
    "filter",
    "ident",
    "working-tree-encoding",
];

/// Variables that change which repository, index, configuration or attributes git uses.
const STEERING: [&str; 9] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
    "GIT_ATTR_SOURCE",
];

/// A repository whose working files git reads as they are.
#[derive(Debug, Clone)]
pub struct Repository {
    /// The top folder of the working tree (canonical).
    pub top: PathBuf,
    /// Whether the executable bit counts (`core.fileMode`, true unless set false).
    pub file_mode: bool,
    /// The index file.
    pub index: PathBuf,
}

/// Why git's view may differ from the bytes on disk (the caller then asks `git diff`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedsGitDiff(pub String);

impl Repository {
    /// The repository holding `dir`: `Ok(None)` when `dir` is in none (git will say so).
    pub fn find(dir: &Path) -> Result<Option<Repository>, NeedsGitDiff> {
        if let Some(var) = STEERING.iter().find(|v| std::env::var_os(v).is_some()) {
            return Err(NeedsGitDiff(format!("{var} is set")));
        }
        let Ok(dir) = dir.canonicalize() else {
            return Ok(None);
        };
        let Some(top) = dir.ancestors().find(|a| a.join(".git").exists()) else {
            return Ok(None);
        };
        // The `.gitattributes` files of the working tree are checked by the caller, for the
        // paths it compares.
        let git_dirs = git_dirs(&top.join(".git"));
        let Some(index) = git_dirs.first().map(|d| d.join("index")) else {
            return Ok(None);
        };
        let mut config = Config::default();
        for file in system_and_global_config() {
            config.read(&file, 0);
        }
        for git_dir in &git_dirs {
            config.read(&git_dir.join("config"), 0);
            config.read(&git_dir.join("config.worktree"), 0);
            check_attributes(&git_dir.join("info/attributes"))?;
        }
        if let Some(value) = config.autocrlf.filter(|v| !is_false(v)) {
            return Err(NeedsGitDiff(format!("core.autocrlf is {value}")));
        }
        if config.sparse_checkout {
            return Err(NeedsGitDiff("a sparse checkout".into()));
        }
        let attributes = config
            .attributes_file
            .map(|f| expand_home(&f))
            .or_else(|| config_home().map(|h| h.join("git/attributes")));
        for file in attributes
            .into_iter()
            .chain([PathBuf::from("/etc/gitattributes")])
        {
            check_attributes(&file)?;
        }
        Ok(Some(Repository {
            top: top.to_path_buf(),
            file_mode: config.file_mode,
            index,
        }))
    }
}

/// The repository's git folder, and its common folder for a linked worktree (a `.git` file
/// saying `gitdir: ...`, with a `commondir` file there).
fn git_dirs(dot_git: &Path) -> Vec<PathBuf> {
    if dot_git.is_dir() {
        return vec![dot_git.to_path_buf()];
    }
    let Some(git_dir) = std::fs::read_to_string(dot_git).ok().and_then(|text| {
        let path = text.trim().strip_prefix("gitdir:")?.trim().to_string();
        Some(dot_git.parent()?.join(path))
    }) else {
        return Vec::new();
    };
    let common = std::fs::read_to_string(git_dir.join("commondir"))
        .ok()
        .map(|c| git_dir.join(c.trim()));
    std::iter::once(git_dir).chain(common).collect()
}

/// Fails when the attributes file at `path` may set a conversion.
pub fn check_attributes(path: &Path) -> Result<(), NeedsGitDiff> {
    match std::fs::read_to_string(path) {
        Ok(text) if converts(&text) => Err(NeedsGitDiff(format!(
            "{} may convert files",
            path.display()
        ))),
        _ => Ok(()),
    }
}

/// Whether an attributes file sets (or defines a macro setting) a conversion attribute.
/// `-text` and `!text` (unset, unspecified) convert nothing.
fn converts(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .flat_map(|l| l.split_whitespace().skip(1))
        .filter(|attr| !attr.starts_with(['-', '!']))
        .any(|attr| CONVERSIONS.contains(&attr.split('=').next().unwrap_or(attr)))
}

/// What the configuration files say about conversions and the executable bit.
#[derive(Debug)]
struct Config {
    autocrlf: Option<String>,
    file_mode: bool,
    sparse_checkout: bool,
    attributes_file: Option<String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            autocrlf: None,
            file_mode: true,
            sparse_checkout: false,
            attributes_file: None,
        }
    }
}

impl Config {
    /// Reads one configuration file (later files override earlier ones, as in git), and the
    /// files its `include` and `includeIf` sections name, whatever their condition.
    fn read(&mut self, path: &Path, depth: usize) {
        let Ok(text) = std::fs::read_to_string(path) else {
            return;
        };
        let mut section = String::new();
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                let name = line.trim_start_matches('[');
                let end = name.find([']', ' ', '"', '.']).unwrap_or(name.len());
                section = name[..end].to_ascii_lowercase();
                continue;
            }
            if line.is_empty() || line.starts_with(['#', ';']) {
                continue;
            }
            let (key, value) = match line.split_once('=') {
                Some((k, v)) => (k.trim().to_ascii_lowercase(), unquote(v)),
                None => (line.to_ascii_lowercase(), "true".to_string()),
            };
            match (section.as_str(), key.as_str()) {
                ("core", "autocrlf") => self.autocrlf = Some(value),
                ("core", "filemode") => self.file_mode = !is_false(&value),
                ("core", "sparsecheckout") => self.sparse_checkout = !is_false(&value),
                ("core", "attributesfile") => self.attributes_file = Some(value),
                ("include" | "includeif", "path") if depth < 5 => {
                    let included = expand_home(&value);
                    let included = match path.parent() {
                        Some(parent) if included.is_relative() => parent.join(included),
                        _ => included,
                    };
                    self.read(&included, depth + 1);
                }
                _ => {}
            }
        }
    }
}

/// A value without its comment and quotes.
fn unquote(value: &str) -> String {
    let value = value.split([';', '#']).next().unwrap_or("").trim();
    value.trim_matches('"').to_string()
}

fn is_false(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "false" | "no" | "off" | "0" | ""
    )
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

/// `$XDG_CONFIG_HOME`, or `~/.config`.
fn config_home() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".config")))
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), home()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

/// The system and global configuration files, in the order git reads them.
fn system_and_global_config() -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("/etc/gitconfig")];
    files.extend(config_home().map(|h| h.join("git/config")));
    files.extend(home().map(|h| h.join(".gitconfig")));
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_that_convert_are_told_from_those_that_do_not() {
        assert!(converts("* text=auto\n"));
        assert!(converts("*.sh eol=lf\n"));
        assert!(converts("*.bin filter=lfs diff=lfs merge=lfs -text\n"));
        assert!(converts("[attr]mine text\n"));
        assert!(!converts(
            "# * text\n*.png -text binary\n*.md linguist-generated !eol\n"
        ));
        assert!(!converts(""));
    }

    #[test]
    fn configuration_values_are_read_with_includes() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("more"),
            "[core]\n\tautocrlf = input ; a comment\n",
        )
        .unwrap();
        std::fs::write(
            tmp.path().join("config"),
            "[core]\n\tfileMode = false\n[includeIf \"gitdir:~/x\"]\n\tpath = more\n",
        )
        .unwrap();
        let mut config = Config::default();
        config.read(&tmp.path().join("config"), 0);
        assert!(!config.file_mode);
        assert_eq!(config.autocrlf.as_deref(), Some("input"));
        assert!(!config.sparse_checkout);
    }
}
