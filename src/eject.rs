//! `tgforge eject module NAME`: hands a generated module over to its team by adding it to
//! the spec's `ejected_modules`. The spec is edited by inserting one line (or one list), so
//! its comments and layout stay as they were; the edited text is validated before it
//! replaces the file.

use std::path::Path;

use crate::Failure;
use crate::diagnostic::did_you_mean;
use crate::project::Project;
use crate::spec::LoadedSpec;
use crate::unit::Module;

/// What `eject` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Ejected {
    /// The spec now ejects the module.
    Added,
    /// It already did; nothing was written.
    Already,
}

/// Adds `module` to the `ejected_modules` of the spec at `spec_path`, after checking that
/// the spec generates it and that the tree at `tree` holds it.
pub fn eject_module(spec_path: &Path, tree: &Path, module: &str) -> Result<Ejected, Failure> {
    let invalid = |message: String, hint: String| {
        Failure::InvalidInput(format!("error: {message}\nhint: {hint}"))
    };
    let loaded = crate::spec::load_file(spec_path)?;
    let project = crate::validate::validate_in(&loaded, Some(tree))
        .map_err(|e| Failure::InvalidInput(e.to_string()))?;
    if project.ejected_modules.contains(module) {
        return Ok(Ejected::Already);
    }
    let used = used_modules(&project);
    if !used.contains(&module) {
        let known = crate::plan::module_names();
        let hint = match did_you_mean(module, used.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("the modules this spec generates are: {}", used.join(", ")),
        };
        let what = if known.contains(module) {
            format!(
                "{} does not generate module `{module}` (no unit of it uses it)",
                spec_path.display()
            )
        } else {
            format!(
                "`{}` is not a module tgforge generates",
                module.escape_debug()
            )
        };
        return Err(invalid(what, hint));
    }
    let folder = tree.join(crate::plan::module_prefix(module));
    if !std::fs::symlink_metadata(&folder).is_ok_and(|m| m.is_dir()) {
        return Err(invalid(
            format!("{} is not there", folder.display()),
            format!(
                "eject a module after a first gen: run `tgforge gen {} -o {}`, then eject it",
                spec_path.display(),
                tree.display()
            ),
        ));
    }
    let edited = with_ejected(&loaded, module);
    // The edit is checked as a spec before it replaces the file.
    let reloaded =
        crate::spec::load_bytes(&loaded.display_path, &loaded.base_dir, edited.as_bytes())
            .map_err(|e| Failure::Internal(anyhow::anyhow!("the edited spec is invalid: {e}")))?;
    if !reloaded
        .document
        .ejected_modules
        .iter()
        .any(|m| m == module)
    {
        return Err(Failure::Internal(anyhow::anyhow!(
            "the edited spec does not eject {module}"
        )));
    }
    write_replacing(spec_path, &edited)
        .map_err(|e| Failure::Internal(anyhow::Error::new(e).context("writing the spec")))?;
    Ok(Ejected::Added)
}

/// The generated modules the units of `project` use, in name order.
fn used_modules(project: &Project) -> Vec<&'static str> {
    let mut used: Vec<&'static str> = project
        .environments
        .iter()
        .flat_map(|env| crate::plan::units_for(project, env))
        .filter_map(|unit| match unit.module {
            Module::Generated(name) => Some(name),
            _ => None,
        })
        .collect();
    used.sort_unstable();
    used.dedup();
    used
}

/// The spec's text with `module` added to `ejected_modules`: a line after the list's last
/// item, a name added to a one-line `[...]` list, or a new list before `environments:`.
fn with_ejected(spec: &LoadedSpec, module: &str) -> String {
    let source = &spec.source;
    let lines: Vec<&str> = source.split_inclusive('\n').collect();
    let count = spec.document.ejected_modules.len();
    let last_item = count
        .checked_sub(1)
        .and_then(|i| spec.source_map().exact(&format!("ejected_modules[{i}]")));
    let key = spec.source_map().exact("ejected_modules");
    let mut out = String::with_capacity(source.len() + module.len() + 32);
    match (key, last_item) {
        // A block list: the new item goes after the last, indented like it.
        (Some(key), Some(item)) if item.line > key.line => {
            for (i, line) in lines.iter().enumerate() {
                out.push_str(line);
                if i + 1 == item.line {
                    if !line.ends_with('\n') {
                        out.push('\n');
                    }
                    let indent: String = line.chars().take_while(|c| *c == ' ').collect();
                    out.push_str(&format!("{indent}- {module}\n"));
                }
            }
        }
        // A flow list on the key's line (`[A]`, `[]`): the name goes before its `]`.
        (Some(key), _) if lines[key.line - 1].contains('[') => {
            for (i, line) in lines.iter().enumerate() {
                if i + 1 == key.line
                    && let Some(close) = line.rfind(']')
                {
                    let separator = if count == 0 { "" } else { ", " };
                    out.push_str(&line[..close]);
                    out.push_str(&format!("{separator}{module}"));
                    out.push_str(&line[close..]);
                } else {
                    out.push_str(line);
                }
            }
        }
        // No list (or an empty `ejected_modules:`): a new one, before `environments:`.
        _ => {
            let block = format!("ejected_modules:\n  - {module}\n");
            let at = key.or_else(|| spec.source_map().exact("environments"));
            let replaces_key = key.is_some();
            for (i, line) in lines.iter().enumerate() {
                match at {
                    Some(p) if i + 1 == p.line && replaces_key => out.push_str(&block),
                    Some(p) if i + 1 == p.line => {
                        out.push_str(&block);
                        out.push('\n');
                        out.push_str(line);
                    }
                    _ => out.push_str(line),
                }
            }
            if at.is_none() {
                if !out.ends_with('\n') && !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&block);
            }
        }
    }
    out
}

/// Replaces the file at `path` with `text` in one step (a temporary file beside it, renamed
/// over it), so an interrupted run leaves the old spec or the new one, never half of one.
fn write_replacing(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut temp, text.as_bytes())?;
    if let Ok(meta) = std::fs::metadata(path) {
        temp.as_file().set_permissions(meta.permissions())?;
    }
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "project: p\nstate:\n  bucket: p-state\n  region: us-east-1\n";
    const ENVS: &str = "environments:\n  prod:\n    account_id: \"123456789012\"\n";

    fn edited(text: &str) -> String {
        let loaded = crate::spec::load_bytes("s.yaml", Path::new("."), text.as_bytes()).unwrap();
        with_ejected(&loaded, "AWS_VPC")
    }

    #[test]
    fn a_block_list_gets_one_line_after_its_last_item() {
        let text =
            format!("{BASE}# mine\nejected_modules:\n  - AWS_ECR # ours since May\n\n{ENVS}");
        assert_eq!(
            edited(&text),
            format!(
                "{BASE}# mine\nejected_modules:\n  - AWS_ECR # ours since May\n  - AWS_VPC\n\n{ENVS}"
            )
        );
    }

    #[test]
    fn a_flow_list_gets_the_name_before_its_bracket() {
        let text = format!("{BASE}ejected_modules: [AWS_ECR]\n{ENVS}");
        assert_eq!(
            edited(&text),
            format!("{BASE}ejected_modules: [AWS_ECR, AWS_VPC]\n{ENVS}")
        );
        let text = format!("{BASE}ejected_modules: []\n{ENVS}");
        assert_eq!(
            edited(&text),
            format!("{BASE}ejected_modules: [AWS_VPC]\n{ENVS}")
        );
    }

    #[test]
    fn without_a_list_one_is_added_before_the_environments() {
        let text = format!("{BASE}{ENVS}");
        assert_eq!(
            edited(&text),
            format!("{BASE}ejected_modules:\n  - AWS_VPC\n\n{ENVS}")
        );
    }
}
