//! Tooling section: Terraform or OpenTofu, the CI workflow and pre-commit.

use crate::diagnostic::Diagnostic;
use crate::project::{GithubActions, IacTool, Tooling};
use crate::spec::LoadedSpec;

/// Versions pinned in the generated workflow unless the spec says otherwise.
pub const DEFAULT_TERRAGRUNT_VERSION: &str = "0.77.22";
/// 1.10 is the first release of both Terraform and OpenTofu with S3 native state locking.
pub const DEFAULT_IAC_VERSION: &str = "1.10.0";
pub const DEFAULT_TGFORGE_INSTALL: &str = "cargo install tgforge --locked";

fn is_version(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// A relative path inside the infra repository: no `..`, not absolute, plain characters.
fn is_repo_path(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && p.split('/').all(|part| part != ".." && !part.is_empty())
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
}

pub(crate) fn resolve(spec: &LoadedSpec, diagnostics: &mut Vec<Diagnostic>) -> Option<Tooling> {
    let before = diagnostics.len();
    let t = spec.document.tooling.clone().unwrap_or_default();
    let gha = t.github_actions.clone().unwrap_or_default();
    let github_actions = if gha.enabled.unwrap_or(true) {
        let spec_file = std::path::Path::new(&spec.display_path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let spec_path = gha.spec_path.unwrap_or(spec_file);
        let tree_path = gha.tree_path.unwrap_or_else(|| ".".to_string());
        for (field, value) in [("spec_path", &spec_path), ("tree_path", &tree_path)] {
            let root_tree = field == "tree_path" && value == ".";
            if !root_tree && !is_repo_path(value) {
                diagnostics.push(
                    spec.diagnostic(
                        &format!("tooling.github_actions.{field}"),
                        format!(
                            "`{}` is not a relative path inside the repository",
                            value.escape_debug()
                        ),
                    )
                    .with_hint("letters, digits, `.`, `_`, `-` and `/`, without `..`"),
                );
            }
        }
        let terragrunt_version = gha
            .terragrunt_version
            .unwrap_or_else(|| DEFAULT_TERRAGRUNT_VERSION.to_string());
        let iac_version = gha
            .iac_version
            .unwrap_or_else(|| DEFAULT_IAC_VERSION.to_string());
        for (field, value) in [
            ("terragrunt_version", &terragrunt_version),
            ("iac_version", &iac_version),
        ] {
            if !is_version(value) {
                diagnostics.push(spec.diagnostic(
                    &format!("tooling.github_actions.{field}"),
                    format!("`{}` is not a version like 1.9.8", value.escape_debug()),
                ));
            }
        }
        let tgforge_install = gha
            .tgforge_install
            .unwrap_or_else(|| DEFAULT_TGFORGE_INSTALL.to_string());
        if tgforge_install.trim().is_empty() || tgforge_install.contains('\n') {
            diagnostics.push(spec.diagnostic(
                "tooling.github_actions.tgforge_install",
                "one shell command on one line",
            ));
        }
        for (name, env) in &spec.merged_environments {
            if env.ci_role_arn.is_none() {
                diagnostics.push(
                    spec.env_diagnostic(name, "ci_role_arn", "missing: the CI workflow assumes this role (OIDC) to plan the environment")
                        .with_hint("set `ci_role_arn: arn:aws:iam::ACCOUNT:role/NAME`, or `tooling.github_actions.enabled: false`"),
                );
            }
        }
        Some(GithubActions {
            spec_path,
            tree_path,
            tgforge_install,
            terragrunt_version,
            iac_version,
        })
    } else {
        None
    };
    (diagnostics.len() == before).then_some(Tooling {
        iac: t.iac.unwrap_or(IacTool::Terraform),
        github_actions,
        pre_commit: t.pre_commit.unwrap_or(true),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_paths_and_versions() {
        assert!(is_repo_path("infra/tgforge.yaml"));
        assert!(!is_repo_path("../x.yaml"));
        assert!(!is_repo_path("/etc/x"));
        assert!(!is_repo_path("a b"));
        assert!(is_version("0.77.22"));
        assert!(!is_version("1.9"));
    }
}
