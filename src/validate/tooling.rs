//! Tooling section: Terraform or OpenTofu, the CI workflow and pre-commit.

use crate::diagnostic::Diagnostic;
use crate::project::{GithubActions, IacTool, Tooling};
use crate::spec::LoadedSpec;

/// Versions pinned in the generated workflow unless the spec says otherwise.
pub const DEFAULT_TERRAGRUNT_VERSION: &str = "0.77.22";
/// 1.10 is the first release of both Terraform and OpenTofu with S3 native state locking.
pub const DEFAULT_IAC_VERSION: &str = "1.10.0";

/// A pinned install from crates.io, the form a `tgforge_install` command may take when the
/// team publishes tgforge to a registry it controls. Never written without the spec asking:
/// that tgforge is on crates.io cannot be checked here, and a workflow must work as written.
pub fn pinned_cargo_install() -> String {
    format!(
        "cargo install tgforge --locked --version {}",
        env!("CARGO_PKG_VERSION")
    )
}

/// The lines to add when the workflow is generated without a tgforge source.
const SOURCE_HINT: &str = "add where CI gets the tgforge that generated the tree, pinned:
      tooling:
        github_actions:
          tgforge_source:
            git: https://github.com/OWNER/tgforge           # the repository you build tgforge from
            rev: 0123456789abcdef0123456789abcdef01234567   # its full commit id
    or `release_url:` and `sha256:` of a release archive instead of `git` and `rev`; or `github_actions: {enabled: false}` to leave CI out";

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.chars().all(|c| c.is_ascii_hexdigit())
}

/// Safe inside single quotes in a shell command and YAML: an https URL of plain characters.
fn is_plain_https_url(s: &str) -> bool {
    s.strip_prefix("https://").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~/:%+=@".contains(c))
    })
}

/// Whether a `cargo install` command pins what it installs.
fn cargo_install_is_pinned(command: &str) -> bool {
    !command.contains("cargo install")
        || ["--version", "--vers ", "--rev", "--tag", "@"]
            .iter()
            .any(|pin| command.contains(pin))
}

/// The install command for a pinned source, or the problems with it (field, message).
fn source_command(
    source: &crate::spec::model::TgforgeSource,
) -> Result<String, Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    match (
        &source.git,
        &source.rev,
        &source.release_url,
        &source.sha256,
    ) {
        (Some(git), Some(rev), None, None) => {
            if !is_plain_https_url(git) {
                problems.push(("git", "must be an https:// URL".to_string()));
            }
            if !is_hex(rev, 40) {
                problems.push((
                    "rev",
                    "must be a full commit id (40 hexadecimal digits): a branch or tag can move"
                        .to_string(),
                ));
            }
            if problems.is_empty() {
                return Ok(format!(
                    "cargo install --locked --git '{git}' --rev {rev} tgforge"
                ));
            }
        }
        (None, None, Some(url), Some(sha256)) => {
            if !is_plain_https_url(url) {
                problems.push(("release_url", "must be an https:// URL".to_string()));
            }
            if !is_hex(sha256, 64) {
                problems.push(("sha256", "must be 64 hexadecimal digits".to_string()));
            }
            if problems.is_empty() {
                return Ok(format!(
                    "curl -fsSL -o /tmp/tgforge.tar.gz '{url}' && echo '{sha256}  /tmp/tgforge.tar.gz' | sha256sum -c - && tar -xzf /tmp/tgforge.tar.gz -C /tmp tgforge && sudo install -m 0755 /tmp/tgforge /usr/local/bin/tgforge"
                ));
            }
        }
        _ => problems.push((
            "",
            "give either `git` and `rev`, or `release_url` and `sha256`".to_string(),
        )),
    }
    Err(problems)
}

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
        let tgforge_install = match (&gha.tgforge_source, &gha.tgforge_install) {
            (Some(_), Some(_)) => {
                diagnostics.push(
                    spec.diagnostic(
                        "tooling.github_actions.tgforge_install",
                        "give `tgforge_source` or `tgforge_install`, not both",
                    )
                    .with_hint("`tgforge_source` builds the install command for you"),
                );
                String::new()
            }
            (Some(source), None) => match source_command(source) {
                Ok(command) => command,
                Err(problems) => {
                    for (field, message) in problems {
                        let path = if field.is_empty() {
                            "tooling.github_actions.tgforge_source".to_string()
                        } else {
                            format!("tooling.github_actions.tgforge_source.{field}")
                        };
                        diagnostics.push(spec.diagnostic(&path, message));
                    }
                    String::new()
                }
            },
            (None, Some(command)) => {
                if command.trim().is_empty() || command.contains('\n') {
                    diagnostics.push(spec.diagnostic(
                        "tooling.github_actions.tgforge_install",
                        "one shell command on one line",
                    ));
                } else if !cargo_install_is_pinned(command) {
                    diagnostics.push(
                        spec.diagnostic(
                            "tooling.github_actions.tgforge_install",
                            "installs an unpinned tgforge: `gen --check` then runs whatever version is newest, not the one that generated the tree",
                        )
                        .with_hint(format!(
                            "pin it (for a registry that has tgforge: `{}`), or use `tgforge_source` with a git `rev` or a release `sha256`",
                            pinned_cargo_install()
                        )),
                    );
                }
                command.clone()
            }
            (None, None) => {
                // Located at the CI settings; a spec without them is pointed at its first key.
                let path = "tooling.github_actions.tgforge_source";
                let mut diagnostic = spec
                    .diagnostic(
                        path,
                        "missing: the CI workflow installs tgforge, and the spec names no source of it known to exist (tgforge is not known to be published on crates.io), so the workflow could not install it",
                    )
                    .with_hint(SOURCE_HINT);
                if diagnostic.position.is_none() {
                    diagnostic = diagnostic.at(spec.source_map().find("project"));
                }
                diagnostics.push(diagnostic);
                String::new()
            }
        };
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
    let terragrunt_version = github_actions.as_ref().map_or_else(
        || DEFAULT_TERRAGRUNT_VERSION.to_string(),
        |g| g.terragrunt_version.clone(),
    );
    (diagnostics.len() == before).then_some(Tooling {
        iac: t.iac.unwrap_or(IacTool::Terraform),
        terragrunt_version,
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

    #[test]
    fn tgforge_installs_are_pinned() {
        assert!(cargo_install_is_pinned(&pinned_cargo_install()));
        assert!(!cargo_install_is_pinned("cargo install tgforge --locked"));
        assert!(!cargo_install_is_pinned(
            "cargo install --git https://github.com/o/tgforge tgforge"
        ));
        assert!(cargo_install_is_pinned("cargo install tgforge@0.1.0"));
        let git = crate::spec::model::TgforgeSource {
            git: Some("https://github.com/o/tgforge".into()),
            rev: Some("0123456789abcdef0123456789abcdef01234567".into()),
            ..Default::default()
        };
        assert_eq!(
            source_command(&git).unwrap(),
            "cargo install --locked --git 'https://github.com/o/tgforge' --rev 0123456789abcdef0123456789abcdef01234567 tgforge"
        );
        let moving = crate::spec::model::TgforgeSource {
            rev: Some("main".into()),
            ..git
        };
        assert_eq!(source_command(&moving).unwrap_err()[0].0, "rev");
        let release = crate::spec::model::TgforgeSource {
            release_url: Some("https://example.com/tgforge-0.1.0-linux.tar.gz".into()),
            sha256: Some("a".repeat(64)),
            ..Default::default()
        };
        let command = source_command(&release).unwrap();
        assert!(command.contains("sha256sum -c -"), "{command}");
    }
}
