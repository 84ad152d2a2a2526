//! The output formats of `tgforge affected`. The JSON one is a stable interface, documented
//! in docs/affected.md and checked by tests/affected.rs: change it only by adding fields, or
//! by raising `tgforge_affected`.

use std::fmt::Write;

use serde_json::json;

use super::select::{AffectedUnit, Reason};
use super::{Base, Report};

/// The version of the JSON output's schema.
pub const JSON_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: each environment, its affected units in apply order and why.
    Human,
    /// The whole report as JSON (schema in docs/affected.md).
    Json,
    /// One affected unit folder per line (as a path from the current folder), environment by
    /// environment, in apply order: for `while read -r unit; do ...; done`.
    Paths,
    /// A GitHub Actions matrix, one line: `{"include":[{"environment":..., "units":[...],
    /// "paths":[...]}]}`, one entry per environment with affected units.
    Matrix,
    /// A Markdown summary (for "$GITHUB_STEP_SUMMARY").
    Markdown,
}

/// The report in `format`, ending with a newline (nothing at all for an empty path list).
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Human => human(report),
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&to_json(report)).expect("serializes");
            text.push('\n');
            text
        }
        Format::Paths => report
            .selection
            .environments
            .iter()
            .flat_map(|e| &e.units)
            .map(|u| format!("{}\n", from_here(report, &u.path)))
            .collect(),
        Format::Matrix => {
            let include: Vec<_> = report
                .selection
                .environments
                .iter()
                .filter(|e| !e.units.is_empty())
                .map(|e| {
                    json!({
                        "environment": e.name,
                        "units": e.units.iter().map(|u| &u.name).collect::<Vec<_>>(),
                        "paths": e.units.iter().map(|u| from_here(report, &u.path)).collect::<Vec<_>>(),
                    })
                })
                .collect();
            format!("{}\n", json!({ "include": include }))
        }
        Format::Markdown => markdown(report),
    }
}

/// The JSON document (schema version [`JSON_VERSION`]).
pub fn to_json(report: &Report) -> serde_json::Value {
    let base = match &report.base {
        Base::Revision(rev) => json!({"kind": "revision", "name": rev.name, "commit": rev.commit}),
        Base::Manifest(path) => json!({"kind": "manifest", "path": path.display().to_string()}),
    };
    let s = &report.selection;
    json!({
        "tgforge_affected": JSON_VERSION,
        "dir": report.dir.display().to_string(),
        "base": base,
        "head": report.head,
        "all": !report.all_because.is_empty(),
        "all_because": report.all_because,
        "affected_units": s.environments.iter().map(|e| e.units.len()).sum::<usize>(),
        "environments": s.environments,
        "removed_units": s.removed_units,
        "unassigned_files": s.unassigned_files,
        "changed_files": report.changed_files,
    })
}

/// A path inside the tree as seen from the current folder.
fn from_here(report: &Report, path: &str) -> String {
    let dir = report.dir.display().to_string();
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() || dir == "." {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    }
}

fn base_text(report: &Report) -> String {
    match &report.base {
        Base::Revision(rev) => {
            format!("{} ({})", rev.name, &rev.commit[..rev.commit.len().min(12)])
        }
        Base::Manifest(path) => path.display().to_string(),
    }
}

fn head_text(report: &Report) -> &'static str {
    if report.head == "spec" {
        "what the spec generates now"
    } else {
        "the tree on disk"
    }
}

/// Why a unit is affected, in a few words; paths inside the environment's `infrastructure/`
/// folder are shown from there (the environment is named above).
fn because_text(unit: &AffectedUnit, code: &dyn Fn(&str) -> String) -> String {
    let folder = unit
        .path
        .rsplit_once('/')
        .map_or(String::new(), |(f, _)| format!("{f}/"));
    let code = |p: &str| code(p.strip_prefix(folder.as_str()).unwrap_or(p));
    let mut files = Vec::new();
    let mut readers = Vec::new();
    let mut parts = Vec::new();
    for reason in &unit.because {
        match reason {
            Reason::File { path } => files.push(code(path)),
            Reason::Module { module, path } => {
                parts.push(format!("module {} changed ({})", module, code(path)))
            }
            Reason::Environment { path } | Reason::Root { path } => {
                parts.push(format!("{} changed", code(path)))
            }
            Reason::DependencyBlock { path } => parts.push(format!("{} changed", code(path))),
            Reason::Dependency { unit } => readers.push(code(unit)),
            Reason::All { path } => parts.push(format!("every unit: {} changed", code(path))),
        }
    }
    let mut out = Vec::new();
    if !files.is_empty() {
        out.push(format!("changed {}", shorten(&files, 3)));
    }
    out.extend(parts.into_iter().take(3));
    if !readers.is_empty() {
        out.push(format!("reads {}", readers.join(", ")));
    }
    out.join("; ")
}

fn shorten(items: &[String], keep: usize) -> String {
    if items.len() <= keep {
        items.join(", ")
    } else {
        format!(
            "{} and {} more",
            items[..keep].join(", "),
            items.len() - keep
        )
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn human(report: &Report) -> String {
    let s = &report.selection;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: base {}, head {}",
        report.dir.display(),
        base_text(report),
        head_text(report)
    );
    if !report.all_because.is_empty() {
        let _ = writeln!(
            out,
            "every unit is affected: {} changed",
            shorten(&report.all_because, 5)
        );
    }
    let plain = |s: &str| s.to_string();
    let width = s
        .environments
        .iter()
        .flat_map(|e| &e.units)
        .map(|u| u.name.len())
        .max()
        .unwrap_or(0);
    for env in &s.environments {
        if env.units.is_empty() {
            let _ = writeln!(
                out,
                "{}: none of {} affected",
                env.name,
                plural(env.total_units, "unit", "units")
            );
            continue;
        }
        let _ = writeln!(
            out,
            "{}: {} of {} affected, in apply order",
            env.name,
            env.units.len(),
            plural(env.total_units, "unit", "units")
        );
        for unit in &env.units {
            let _ = writeln!(
                out,
                "  {:>2}. {:<width$}  {}",
                unit.step,
                unit.name,
                because_text(unit, &plain)
            );
        }
    }
    for removed in &s.removed_units {
        let _ = writeln!(
            out,
            "removed: {} (no longer in the tree: Terragrunt will not plan its destruction; destroy it before merging)",
            removed.path
        );
    }
    if !s.unassigned_files.is_empty() {
        let _ = writeln!(
            out,
            "changed, in no unit: {}",
            shorten(&s.unassigned_files, 8)
        );
    }
    let affected: usize = s.environments.iter().map(|e| e.units.len()).sum();
    let envs = s
        .environments
        .iter()
        .filter(|e| !e.units.is_empty())
        .count();
    let _ = writeln!(
        out,
        "{} affected in {} of {} ({} changed)",
        plural(affected, "unit", "units"),
        envs,
        plural(s.environments.len(), "environment", "environments"),
        plural(report.changed_files.len(), "file", "files")
    );
    out
}

/// Text inside Markdown code spans and table cells.
fn md_code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'").replace('|', "\\|"))
}

fn markdown(report: &Report) -> String {
    let s = &report.selection;
    let mut out = String::new();
    let base = match &report.base {
        Base::Revision(rev) => format!(
            "{} ({})",
            md_code(&rev.name),
            md_code(&rev.commit[..rev.commit.len().min(12)])
        ),
        Base::Manifest(path) => md_code(&path.display().to_string()),
    };
    let _ = writeln!(out, "### Affected units\n");
    let _ = writeln!(
        out,
        "Base {base}; head: {} in {}.\n",
        head_text(report),
        md_code(&report.dir.display().to_string()),
    );
    if !report.all_because.is_empty() {
        let changed: Vec<String> = report.all_because.iter().map(|p| md_code(p)).collect();
        let _ = writeln!(
            out,
            "**Every unit is planned**: {} changed.\n",
            shorten(&changed, 5)
        );
    }
    for env in &s.environments {
        if env.units.is_empty() {
            let _ = writeln!(
                out,
                "#### {}: nothing to plan\n\nNone of its {} is affected.\n",
                env.name.replace('`', "'"),
                plural(env.total_units, "unit", "units")
            );
            continue;
        }
        let _ = writeln!(
            out,
            "#### {}: {} of {}\n",
            env.name.replace('`', "'"),
            env.units.len(),
            plural(env.total_units, "unit", "units")
        );
        let _ = writeln!(out, "| step | unit | because |\n| ---: | --- | --- |");
        for unit in &env.units {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                unit.step,
                md_code(&unit.name),
                because_text(unit, &md_code)
            );
        }
        out.push('\n');
    }
    if !s.removed_units.is_empty() {
        let removed: Vec<String> = s.removed_units.iter().map(|r| md_code(&r.path)).collect();
        let _ = writeln!(
            out,
            "**Removed units** (not planned; destroy them before merging): {}\n",
            removed.join(", ")
        );
    }
    out
}
