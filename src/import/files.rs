//! What both importers do with the files they read: list a folder, parse YAML, and say where a
//! field stands (`file:line`) in the report and in errors.

use std::io;
use std::path::Path;

use super::input_error;
use crate::Failure;

/// `file:line`, or `file` alone when the line is not known.
pub fn file_line(file: &str, line: Option<usize>) -> String {
    match line {
        Some(l) => format!("{file}:{l}"),
        None => file.to_string(),
    }
}

/// The file and line of a place [`file_line`] wrote (all of it and no line when it does not end
/// in `:LINE`).
pub fn split_file_line(at: &str) -> (&str, Option<usize>) {
    match at.rsplit_once(':') {
        Some((file, line)) if line.parse::<usize>().is_ok() => (file, line.parse().ok()),
        _ => (at, None),
    }
}

/// A parsed file of the imported folder, which knows the line of each of its fields.
pub trait LocatedFile {
    /// The path shown in the report, relative to the imported folder.
    fn rel(&self) -> &str;
    /// The path shown in errors.
    fn path(&self) -> &Path;
    /// The line where `field` is written, if it is.
    fn line(&self, field: &str) -> Option<usize>;

    /// `rel:line` of `field` (or `rel`), for the report.
    fn at(&self, field: &str) -> String {
        file_line(self.rel(), self.line(field))
    }

    /// An input error at `field`.
    fn error(&self, field: &str, message: &str, hint: Option<&str>) -> Failure {
        input_error(self.path(), self.line(field), message, hint)
    }
}

/// The names of the entries of `dir` whose path `keep` accepts, sorted.
pub fn entry_names(dir: &Path, keep: impl Fn(&Path) -> bool) -> io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .flatten()
        .filter(|e| keep(&e.path()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

/// The folders in `dir`, sorted; none when it cannot be read.
pub fn subfolders(dir: &Path) -> Vec<String> {
    entry_names(dir, Path::is_dir).unwrap_or_default()
}

/// `text`, the content of `path`, as YAML; an error at the line where it is not.
pub fn parse_yaml(path: &Path, text: &str) -> Result<serde_yaml::Value, Failure> {
    serde_yaml::from_str(text).map_err(|e| {
        input_error(
            path,
            e.location().map(|l| l.line()),
            &format!("is not valid YAML: {e}"),
            None,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_split_back_into_their_file_and_line() {
        for (file, line) in [
            ("copilot/api/manifest.yml", Some(12)),
            ("copilot/api/manifest.yml", None),
            ("copilot/a:b/manifest.yml", None),
            ("copilot/a:b/manifest.yml", Some(3)),
        ] {
            assert_eq!(split_file_line(&file_line(file, line)), (file, line));
        }
    }
}
