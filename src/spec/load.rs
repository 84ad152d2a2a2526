//! Reading a spec file: bytes -> YAML -> typed sections, collecting every error with its place.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_yaml::Value;

use crate::cores;
use crate::diagnostic::{Diagnostic, Position, SpecErrors, did_you_mean};
use crate::spec::merge::deep_merge;
use crate::spec::model::{EnvironmentSpec, SpecDocument, StateSpec, ToolingSpec};
use crate::spec::schema;
use crate::spec::source_map::{LazySourceMap, MAX_INDEXED_DEPTH, SourceMap};
use crate::spec::yaml_value;

/// Specs are small; anything larger is a mistake or an attack, refused before parsing.
pub const MAX_SPEC_BYTES: usize = 1024 * 1024;

/// A spec that parsed and type-checked, with what is needed to point at its lines later.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The path as given on the command line (used in messages).
    pub display_path: String,
    /// The folder of the spec file (relative paths inside the spec are resolved against it).
    pub base_dir: PathBuf,
    pub source: String,
    /// Where each field was written: indexed from `source` when first asked for.
    positions: LazySourceMap,
    pub document: SpecDocument,
    /// Each environment with `defaults` already merged under it, in name order.
    pub merged_environments: Vec<(String, EnvironmentSpec)>,
}

impl LoadedSpec {
    /// Where each field of the spec was written.
    pub fn source_map(&self) -> &SourceMap {
        self.positions.get(&self.source)
    }

    /// A located diagnostic for `field`, positioned where it (or its nearest parent) was written.
    pub fn diagnostic(&self, field: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(field, message).at(self.source_map().find(field))
    }

    /// Where an environment's field was written: in the environment, else in `defaults`.
    pub fn env_position(&self, env: &str, field: &str) -> Option<Position> {
        let suffix = if field.is_empty() {
            String::new()
        } else {
            format!(".{field}")
        };
        self.source_map()
            .exact(&format!("environments.{env}{suffix}"))
            .or_else(|| {
                if field.is_empty() {
                    None
                } else {
                    self.source_map().exact(&format!("defaults.{field}"))
                }
            })
            .or_else(|| {
                self.source_map()
                    .find(&format!("environments.{env}{suffix}"))
            })
    }

    /// A diagnostic about `environments.ENV.FIELD`, located where the value was written; a
    /// value inherited from `defaults` says so.
    pub fn env_diagnostic(&self, env: &str, field: &str, message: impl Into<String>) -> Diagnostic {
        let mut message = message.into();
        let path = if field.is_empty() {
            format!("environments.{env}")
        } else {
            format!("environments.{env}.{field}")
        };
        if !field.is_empty()
            && self.source_map().exact(&path).is_none()
            && self
                .source_map()
                .exact(&format!("defaults.{field}"))
                .is_some()
        {
            message.push_str(" (value inherited from `defaults`)");
        }
        Diagnostic::new(path, message).at(self.env_position(env, field))
    }

    pub fn errors(&self, diagnostics: Vec<Diagnostic>) -> SpecErrors {
        SpecErrors::new(&self.display_path, &self.source, diagnostics)
    }
}

/// Why a spec could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read at all.
    Unreadable(String),
    /// The file was read and is wrong.
    Invalid(SpecErrors),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Unreadable(msg) => write!(f, "{msg}"),
            LoadError::Invalid(errors) => write!(f, "{errors}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads and type-checks the spec at `path`.
pub fn load_file(path: &Path) -> Result<LoadedSpec, LoadError> {
    load_file_bytes(path, &read_spec(path)?)
}

/// The bytes of spec file `path` (a regular file of at most `MAX_SPEC_BYTES`).
pub fn read_spec(path: &Path) -> Result<Vec<u8>, LoadError> {
    read_limited(path, MAX_SPEC_BYTES).map_err(|e| {
        LoadError::Unreadable(format!(
            "error: cannot read spec {}: {e}\nhint: {}",
            path.display(),
            e.hint()
        ))
    })
}

/// [`load_file`] of bytes already read from `path` (by [`read_spec`]).
pub fn load_file_bytes(path: &Path, bytes: &[u8]) -> Result<LoadedSpec, LoadError> {
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    load_bytes(&path.display().to_string(), &base_dir, bytes)
}

/// Why a file the spec names (or the spec itself) was not read.
#[derive(Debug)]
pub enum ReadLimitedError {
    /// A FIFO, a device, a folder, a socket: reading it could hang or never end.
    NotRegular(&'static str),
    /// More than `limit` bytes.
    TooLarge {
        limit: usize,
    },
    Io(std::io::Error),
}

impl ReadLimitedError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            ReadLimitedError::NotRegular(_) => {
                "tgforge reads only regular files (a link to one is fine)"
            }
            ReadLimitedError::TooLarge { .. } => {
                "this is far larger than any file tgforge expects here"
            }
            ReadLimitedError::Io(_) => "check the path and its permissions",
        }
    }
}

impl std::fmt::Display for ReadLimitedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadLimitedError::NotRegular(what) => write!(f, "it is {what}, not a regular file"),
            ReadLimitedError::TooLarge { limit } => {
                write!(f, "it is larger than the limit of {limit} bytes")
            }
            ReadLimitedError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Reads at most `limit` bytes of the regular file at `path` (following links: the user
/// named it). A FIFO, device, folder or socket is refused before any read, so a link to
/// `/dev/zero` cannot exhaust memory and a FIFO cannot hang `validate`; a larger file is
/// refused after reading `limit + 1` bytes.
pub fn read_limited(path: &Path, limit: usize) -> Result<Vec<u8>, ReadLimitedError> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // Opening a FIFO for reading waits for a writer unless non-blocking.
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    #[cfg(not(target_os = "linux"))]
    {
        let meta = std::fs::metadata(path).map_err(ReadLimitedError::Io)?;
        if !meta.is_file() {
            return Err(ReadLimitedError::NotRegular(file_kind(&meta)));
        }
    }
    let file = options.open(path).map_err(ReadLimitedError::Io)?;
    let meta = file.metadata().map_err(ReadLimitedError::Io)?;
    if !meta.is_file() {
        return Err(ReadLimitedError::NotRegular(file_kind(&meta)));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).min(limit) + 1);
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadLimitedError::Io)?;
    if bytes.len() > limit {
        return Err(ReadLimitedError::TooLarge { limit });
    }
    Ok(bytes)
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

/// Reads and type-checks spec text; `display_path` is used in messages.
pub fn load_bytes(
    display_path: &str,
    base_dir: &Path,
    bytes: &[u8],
) -> Result<LoadedSpec, LoadError> {
    let fail = |source: &str, d: Vec<Diagnostic>| {
        LoadError::Invalid(SpecErrors::new(display_path, source, d))
    };
    if bytes.len() > MAX_SPEC_BYTES {
        return Err(fail(
            "",
            vec![Diagnostic::new(
                "",
                format!(
                    "the spec is {} bytes; at most {MAX_SPEC_BYTES} are accepted",
                    bytes.len()
                ),
            )],
        ));
    }
    let source = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|b| **b == b'\n').count() + 1;
            let column = good.iter().rev().take_while(|b| **b != b'\n').count() + 1;
            let lossy = String::from_utf8_lossy(bytes).into_owned();
            return Err(fail(
                &lossy,
                vec![
                    Diagnostic::new("", "the spec is not valid UTF-8")
                        .at(Some(Position { line, column }))
                        .with_hint("save the file as UTF-8"),
                ],
            ));
        }
    };
    if let Some(offset) = source.find('\0') {
        let line = source[..offset].matches('\n').count() + 1;
        return Err(fail(
            &source,
            vec![
                Diagnostic::new("", "the spec contains a NUL byte")
                    .at(Some(Position { line, column: 1 })),
            ],
        ));
    }

    let read = yaml_value::read(&source);
    if let Some(position) = read.too_deep() {
        return Err(fail(
            &source,
            vec![
                Diagnostic::new(
                    "",
                    format!("the document nests deeper than {MAX_INDEXED_DEPTH} levels"),
                )
                .at(Some(position))
                .with_hint("a spec is a few levels deep; this is not a tgforge spec"),
            ],
        ));
    }
    let positions = LazySourceMap::default();
    let source_map = || positions.get(&source);
    let root: Value = match read {
        yaml_value::Read::Value(root) => Ok(root),
        _ => serde_yaml::from_str(&source),
    }
    .map_err(|e| {
        let mut d = yaml_error(&e);
        // serde_yaml points a duplicate at its mapping; point at the repeated key instead.
        if d.message.contains("duplicate entry")
            && let Some((path, position)) = source_map().first_duplicate()
        {
            d.field = path.clone();
            d.position = Some(*position);
        }
        fail(&source, vec![d])
    })?;
    let located =
        |field: &str, message: String| Diagnostic::new(field, message).at(source_map().find(field));

    let Value::Mapping(top) = &root else {
        return Err(fail(
            &source,
            vec![
                Diagnostic::new(
                    "",
                    "the spec must be a YAML mapping with `project`, `state` and `environments`",
                )
                .at(Some(Position { line: 1, column: 1 })),
            ],
        ));
    };

    // Every unknown key of the whole file first, so one run lists them all; sections with one
    // are not type-checked again below (that would only repeat the first of them).
    let defaults_value = top.get("defaults").filter(|v| !v.is_null());
    let entries: Vec<(&Value, &Value)> = match top.get("environments") {
        Some(Value::Mapping(envs)) => envs.iter().collect(),
        _ => Vec::new(),
    };
    // The environments are typed (and merged under `defaults`) on every core while the
    // unknown keys are looked for: each takes milliseconds in a spec of hundreds of
    // environments. What is kept of them is decided further down, in their order.
    let (mut diagnostics, typed_environments) = cores::join(
        || schema::unknown_keys(&root, &source_map),
        || {
            cores::each_in_order(entries.len(), |i, _: &mut ()| {
                type_environment(entries[i], defaults_value, &source_map)
            })
        },
    );
    let has_unknown = |prefix: &str| {
        let prefix = format!("{prefix}.");
        diagnostics
            .iter()
            .any(|d: &Diagnostic| d.field.starts_with(&prefix))
    };
    let skip_state = has_unknown("state");
    let skip_defaults = has_unknown("defaults");
    let skip_tooling = has_unknown("tooling");
    let skipped_envs: Vec<String> = top
        .get("environments")
        .and_then(Value::as_mapping)
        .map(|envs| {
            envs.keys()
                .map(key_name)
                .filter(|n| has_unknown(&format!("environments.{n}")))
                .collect()
        })
        .unwrap_or_default();
    for required in ["project", "state", "environments"] {
        if !top.contains_key(required) {
            diagnostics.push(
                Diagnostic::new(required, "missing required field")
                    .at(Some(Position { line: 1, column: 1 }))
                    .with_hint(format!(
                        "add `{required}:` at the top level (see README: Spec reference)"
                    )),
            );
        }
    }

    let section = |name: &str| top.get(name);
    let project: Option<String> =
        section("project").and_then(|v| typed(v, "project", &source_map, &mut diagnostics));
    let state: Option<StateSpec> = section("state")
        .filter(|_| !skip_state)
        .and_then(|v| typed(v, "state", &source_map, &mut diagnostics));
    let tooling: Option<ToolingSpec> = section("tooling")
        .filter(|v| !v.is_null() && !skip_tooling)
        .and_then(|v| typed(v, "tooling", &source_map, &mut diagnostics));
    let ejected_modules: Vec<String> = section("ejected_modules")
        .filter(|v| !v.is_null())
        .and_then(|v| typed(v, "ejected_modules", &source_map, &mut diagnostics))
        .unwrap_or_default();
    let defaults: Option<EnvironmentSpec> = defaults_value
        .filter(|_| !skip_defaults)
        .and_then(|v| typed(v, "defaults", &source_map, &mut diagnostics));

    let mut environments = std::collections::BTreeMap::new();
    let mut merged_environments = Vec::new();
    match top.get("environments") {
        Some(Value::Mapping(envs)) if !envs.is_empty() => {
            for typed in typed_environments {
                if skipped_envs.contains(&typed.name) {
                    continue;
                }
                diagnostics.extend(typed.own_problems);
                let Some(own) = typed.own else {
                    continue;
                };
                let merged = if defaults_value.is_some() && defaults.is_none() {
                    None // defaults already reported as invalid
                } else {
                    diagnostics.extend(typed.merged_problems);
                    typed.merged
                };
                environments.insert(typed.name.clone(), own);
                if let Some(merged) = merged {
                    merged_environments.push((typed.name, merged));
                }
            }
        }
        Some(_) => diagnostics.push(
            located(
                "environments",
                "must be a mapping of environment names to settings with at least one entry".into(),
            )
            .with_hint(
                "for example:\nenvironments:\n    production:\n      account_id: \"123456789012\"",
            ),
        ),
        None => {}
    }

    if !diagnostics.is_empty() {
        return Err(fail(&source, diagnostics));
    }
    let document = SpecDocument {
        project: project.unwrap_or_default(),
        state: state.expect("state was checked present"),
        defaults,
        environments,
        tooling,
        ejected_modules,
    };
    drop(entries);
    // Freeing the parse tree of a large spec takes a millisecond that a helper can spend.
    cores::ahead_of_time(move || drop(root));
    Ok(LoadedSpec {
        display_path: display_path.to_string(),
        base_dir: base_dir.to_path_buf(),
        source,
        positions,
        document,
        merged_environments,
    })
}

/// An environment typed on its own and merged under `defaults` (only if it typed on its own),
/// with the problems of each.
struct TypedEnvironment {
    name: String,
    own: Option<EnvironmentSpec>,
    own_problems: Vec<Diagnostic>,
    merged: Option<EnvironmentSpec>,
    merged_problems: Vec<Diagnostic>,
}

fn type_environment<'m>(
    (key, value): (&Value, &Value),
    defaults: Option<&Value>,
    map: &(dyn Fn() -> &'m SourceMap + Sync),
) -> TypedEnvironment {
    let name = key_name(key);
    let path = format!("environments.{name}");
    let empty = Value::Mapping(Default::default());
    let value = if value.is_null() { &empty } else { value };
    let mut own_problems = Vec::new();
    let own = typed::<EnvironmentSpec>(value, &path, map, &mut own_problems);
    // Both halves type-checked on their own, so their merge does too; should it not, the
    // error is reported against the environment.
    let mut merged_problems = Vec::new();
    let merged = match (&own, defaults) {
        (Some(_), Some(defaults)) => typed::<EnvironmentSpec>(
            &deep_merge(defaults.clone(), value.clone()),
            &path,
            map,
            &mut merged_problems,
        ),
        // Without defaults the merge is the environment (copied here, on every core).
        (Some(own), None) => Some(own.clone()),
        (None, _) => None,
    };
    TypedEnvironment {
        name,
        own,
        own_problems,
        merged,
        merged_problems,
    }
}

fn key_name(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// Deserializes one section, turning a failure into a located diagnostic.
fn typed<'m, T: DeserializeOwned>(
    value: &Value,
    prefix: &str,
    map: &(dyn Fn() -> &'m SourceMap + Sync),
    out: &mut Vec<Diagnostic>,
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => Some(v),
        Err(err) => {
            let mut path = prefix.to_string();
            for segment in err.path().iter() {
                match segment {
                    serde_path_to_error::Segment::Seq { index } => {
                        path.push_str(&format!("[{index}]"))
                    }
                    serde_path_to_error::Segment::Map { key } => {
                        path.push('.');
                        path.push_str(key);
                    }
                    serde_path_to_error::Segment::Enum { variant } => {
                        path.push('.');
                        path.push_str(variant);
                    }
                    serde_path_to_error::Segment::Unknown => {}
                }
            }
            out.push(serde_diagnostic(&path, &err.inner().to_string(), map()));
            None
        }
    }
}

/// Turns serde's message into ours: unknown names get a did-you-mean, types get plain words.
fn serde_diagnostic(path: &str, message: &str, map: &SourceMap) -> Diagnostic {
    let message = strip_yaml_location(message);
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    if message.starts_with("unknown field ") {
        let name = quoted.first().copied().unwrap_or("");
        // serde_path_to_error already ends the path with the unknown key.
        let field = if path.ends_with(&format!(".{name}")) {
            path.to_string()
        } else {
            format!("{path}.{name}")
        };
        let allowed = &quoted[1.min(quoted.len())..];
        let hint = match did_you_mean(name, allowed.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if allowed.is_empty() => "this section takes no fields".to_string(),
            None => format!("allowed fields: {}", allowed.join(", ")),
        };
        return Diagnostic::new(&field, format!("unknown field `{name}`"))
            .at(map.find(&field))
            .with_hint(hint);
    }
    if message.starts_with("unknown variant ") {
        let name = quoted.first().copied().unwrap_or("");
        let allowed = &quoted[1.min(quoted.len())..];
        let hint = match did_you_mean(name, allowed.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? allowed values: {}", allowed.join(", ")),
            None => format!("allowed values: {}", allowed.join(", ")),
        };
        return Diagnostic::new(path, format!("`{name}` is not an allowed value"))
            .at(map.find(path))
            .with_hint(hint);
    }
    if message.starts_with("missing field ") {
        let name = quoted.first().copied().unwrap_or("");
        let field = format!("{path}.{name}");
        return Diagnostic::new(&field, "missing required field").at(map.find(path));
    }
    Diagnostic::new(path, plain_types(&message)).at(map.find(path))
}

/// serde names Rust types (`expected u32`); people wrote YAML, so say it in YAML words.
fn plain_types(message: &str) -> String {
    let mut text = message.to_string();
    for (rust, plain) in [
        ("expected u8", "expected a whole number (0-255)"),
        ("expected u16", "expected a whole number (0-65535)"),
        ("expected u32", "expected a whole number"),
        ("expected a boolean", "expected true or false"),
        ("expected a sequence", "expected a list"),
        ("expected a map", "expected a mapping"),
    ] {
        if let Some(i) = text.find(rust)
            && !text[i + rust.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
        {
            text.replace_range(i..i + rust.len(), plain);
        }
    }
    text
}

fn strip_yaml_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn yaml_error(e: &serde_yaml::Error) -> Diagnostic {
    let position = e.location().map(|l| Position {
        line: l.line(),
        column: l.column(),
    });
    let message = strip_yaml_location(&e.to_string());
    let hint = if message.contains("duplicate entry") {
        Some("each key may appear only once in a mapping".to_string())
    } else if message.contains("recursion limit") || message.contains("repetition limit") {
        Some("the document nests or repeats aliases too deeply to be a spec".to_string())
    } else {
        None
    };
    let d = Diagnostic::new("", format!("invalid YAML: {message}")).at(position);
    match hint {
        Some(h) => d.with_hint(h),
        None => d,
    }
}
