//! The functions a generated `terragrunt.hcl` may call: Terragrunt's own (which depend on the
//! unit being evaluated) and the Terraform functions tgforge's templates use in `inputs`.
//!
//! hcl-rs takes plain `fn` pointers, so the unit-dependent functions read the unit from a
//! thread-local [`UnitScope`] that [`with_scope`] sets around each evaluation.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hcl::Value;
use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};

/// What Terragrunt's functions see while one file is evaluated for one unit.
#[derive(Debug, Clone)]
pub struct UnitScope {
    /// The directory of the unit's `terragrunt.hcl` (`get_terragrunt_dir()`); included files
    /// are evaluated in the including unit's scope, as Terragrunt does.
    pub terragrunt_dir: PathBuf,
    /// The included file being evaluated, if any (for `path_relative_to_include()`).
    pub include_path: Option<PathBuf>,
    /// Environment overrides for `get_env` (the harness sets CI's variables here).
    pub env: BTreeMap<String, String>,
}

thread_local! {
    static SCOPES: RefCell<Vec<UnitScope>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with `scope` as the current unit scope (scopes nest for `read_terragrunt_config`).
pub fn with_scope<T>(scope: UnitScope, f: impl FnOnce() -> T) -> T {
    SCOPES.with(|s| s.borrow_mut().push(scope));
    // Pop even when `f` panics would need a guard; a panic aborts the whole run anyway.
    let out = f();
    SCOPES.with(|s| s.borrow_mut().pop());
    out
}

fn current_scope() -> Result<UnitScope, String> {
    SCOPES
        .with(|s| s.borrow().last().cloned())
        .ok_or_else(|| "Terragrunt function called outside a unit".to_string())
}

/// A context with every function a generated file may call.
pub fn context<'a>() -> Context<'a> {
    let mut ctx = Context::new();
    let any = || ParamType::Any;
    let s = || ParamType::String;
    // Terragrunt.
    ctx.declare_func(
        "get_terragrunt_dir",
        FuncDef::builder().build(get_terragrunt_dir),
    );
    ctx.declare_func(
        "find_in_parent_folders",
        FuncDef::builder()
            .variadic_param(any())
            .build(find_in_parent_folders),
    );
    ctx.declare_func(
        "read_terragrunt_config",
        FuncDef::builder()
            .param(s())
            .variadic_param(any())
            .build(read_terragrunt_config),
    );
    ctx.declare_func(
        "fileexists",
        FuncDef::builder().param(s()).build(fileexists),
    );
    ctx.declare_func(
        "path_relative_to_include",
        FuncDef::builder()
            .variadic_param(s())
            .build(path_relative_to_include),
    );
    ctx.declare_func(
        "get_env",
        FuncDef::builder()
            .param(s())
            .variadic_param(s())
            .build(get_env),
    );
    // Terraform.
    ctx.declare_func("dirname", FuncDef::builder().param(s()).build(dirname));
    ctx.declare_func("basename", FuncDef::builder().param(s()).build(basename));
    ctx.declare_func(
        "format",
        FuncDef::builder()
            .param(s())
            .variadic_param(any())
            .build(format),
    );
    ctx.declare_func(
        "merge",
        FuncDef::builder().variadic_param(any()).build(merge),
    );
    ctx.declare_func(
        "concat",
        FuncDef::builder().variadic_param(any()).build(concat),
    );
    ctx.declare_func("tostring", FuncDef::builder().param(any()).build(tostring));
    ctx.declare_func("tonumber", FuncDef::builder().param(any()).build(tonumber));
    ctx.declare_func(
        "jsonencode",
        FuncDef::builder().param(any()).build(jsonencode),
    );
    ctx.declare_func(
        "slice",
        FuncDef::builder()
            .param(any())
            .param(any())
            .param(any())
            .build(slice),
    );
    ctx.declare_func("length", FuncDef::builder().param(any()).build(length));
    ctx.declare_func(
        "join",
        FuncDef::builder()
            .param(s())
            .variadic_param(any())
            .build(join),
    );
    ctx.declare_func("lower", FuncDef::builder().param(s()).build(lower));
    ctx.declare_func("upper", FuncDef::builder().param(s()).build(upper));
    ctx.declare_func(
        "lookup",
        FuncDef::builder()
            .param(any())
            .param(s())
            .variadic_param(any())
            .build(lookup),
    );
    ctx
}

fn get_terragrunt_dir(_: FuncArgs) -> Result<Value, String> {
    Ok(Value::from(path_string(&current_scope()?.terragrunt_dir)))
}

/// Terragrunt starts at the unit directory's parent and walks up to the file-system root.
fn find_in_parent_folders(args: FuncArgs) -> Result<Value, String> {
    let scope = current_scope()?;
    let name = match args.first() {
        Some(Value::String(name)) => name.clone(),
        Some(other) => {
            return Err(format!(
                "find_in_parent_folders: expected a file name, got {other}"
            ));
        }
        None => "terragrunt.hcl".to_string(),
    };
    let mut dir = scope.terragrunt_dir.parent();
    while let Some(d) = dir {
        let candidate = d.join(&name);
        if candidate.exists() {
            return Ok(Value::from(path_string(&candidate)));
        }
        dir = d.parent();
    }
    match args.get(1) {
        Some(fallback) => Ok(fallback.clone()),
        None => Err(format!(
            "find_in_parent_folders: no {name} above {}",
            scope.terragrunt_dir.display()
        )),
    }
}

/// `read_terragrunt_config(path[, default])`: with a default, a missing file gives the default
/// (how the generated units read the user's optional overrides.hcl).
fn read_terragrunt_config(args: FuncArgs) -> Result<Value, String> {
    let scope = current_scope()?;
    let path = scope
        .terragrunt_dir
        .join(args[0].as_str().unwrap_or_default());
    if let Some(default) = args.get(1)
        && !path.exists()
    {
        return Ok(default.clone());
    }
    crate::config::read_config_value(&path, &scope.env)
        .map_err(|e| format!("read_terragrunt_config: {e:#}"))
}

/// `fileexists(path)`: whether a regular file is there (relative paths from the unit's folder).
fn fileexists(args: FuncArgs) -> Result<Value, String> {
    let scope = current_scope()?;
    let path = scope
        .terragrunt_dir
        .join(args[0].as_str().unwrap_or_default());
    Ok(Value::from(path.is_file()))
}

/// The unit's directory relative to the directory of the included file (the root config).
fn path_relative_to_include(_: FuncArgs) -> Result<Value, String> {
    let scope = current_scope()?;
    let Some(include) = scope.include_path else {
        return Ok(Value::from("."));
    };
    let base = include.parent().unwrap_or(Path::new("/"));
    let rel = relative_path(base, &scope.terragrunt_dir);
    Ok(Value::from(rel))
}

fn get_env(args: FuncArgs) -> Result<Value, String> {
    let scope = current_scope()?;
    let name = args[0].as_str().unwrap_or_default();
    if let Some(v) = scope.env.get(name) {
        return Ok(Value::from(v.clone()));
    }
    match (std::env::var(name), args.get(1)) {
        (Ok(v), _) => Ok(Value::from(v)),
        (Err(_), Some(default)) => Ok(default.clone()),
        (Err(_), None) => Err(format!("get_env: {name} is not set and has no default")),
    }
}

fn dirname(args: FuncArgs) -> Result<Value, String> {
    let p = args[0].as_str().unwrap_or_default();
    let parent = Path::new(p).parent().map(path_string).unwrap_or_default();
    Ok(Value::from(if parent.is_empty() {
        ".".to_string()
    } else {
        parent
    }))
}

fn basename(args: FuncArgs) -> Result<Value, String> {
    let p = args[0].as_str().unwrap_or_default();
    Ok(Value::from(
        Path::new(p)
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
    ))
}

/// Terraform's `format` for the verbs generated files use: `%s`, `%d`, `%v`, `%q`, `%%`.
fn format(args: FuncArgs) -> Result<Value, String> {
    let spec = args[0].as_str().unwrap_or_default();
    let mut rest = args[1..].iter();
    let mut out = String::new();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let verb = chars.next().ok_or("format: trailing %")?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = rest
            .next()
            .ok_or_else(|| format!("format: not enough arguments for {spec:?}"))?;
        match verb {
            's' | 'v' => out
                .push_str(&scalar_string(arg).ok_or_else(|| {
                    format!("format: %{verb} needs a primitive value, got {arg}")
                })?),
            'd' => match arg {
                Value::Number(n)
                    if n.as_i64().is_some() || n.as_f64().is_some_and(|f| f.fract() == 0.0) =>
                {
                    out.push_str(&number_string(n))
                }
                _ => return Err(format!("format: %d needs a whole number, got {arg}")),
            },
            'q' => out.push_str(
                &serde_json::to_string(&scalar_string(arg).unwrap_or_default()).unwrap_or_default(),
            ),
            other => {
                return Err(format!(
                    "format: verb %{other} not supported by the harness"
                ));
            }
        }
    }
    if rest.next().is_some() {
        return Err(format!("format: too many arguments for {spec:?}"));
    }
    Ok(Value::from(out))
}

fn merge(args: FuncArgs) -> Result<Value, String> {
    let mut out = hcl::Map::new();
    for arg in args.iter() {
        match arg {
            Value::Object(m) => {
                for (k, v) in m {
                    out.insert(k.clone(), v.clone());
                }
            }
            Value::Null => {}
            other => {
                return Err(format!(
                    "merge: arguments must be maps or objects, got {other}"
                ));
            }
        }
    }
    Ok(Value::Object(out))
}

fn concat(args: FuncArgs) -> Result<Value, String> {
    let mut out = Vec::new();
    for arg in args.iter() {
        match arg {
            Value::Array(a) => out.extend(a.iter().cloned()),
            other => return Err(format!("concat: arguments must be lists, got {other}")),
        }
    }
    Ok(Value::Array(out))
}

fn tostring(args: FuncArgs) -> Result<Value, String> {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        v => scalar_string(v)
            .map(Value::from)
            .ok_or_else(|| format!("tostring: cannot convert {v} to string")),
    }
}

fn tonumber(args: FuncArgs) -> Result<Value, String> {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        Value::Number(n) => Ok(Value::Number(*n)),
        Value::String(s) => serde_json::from_str::<serde_json::Number>(s)
            .ok()
            .and_then(|n| hcl::Number::from_f64(n.as_f64()?))
            .map(Value::Number)
            .ok_or_else(|| format!("tonumber: {s:?} is not a number")),
        v => Err(format!("tonumber: cannot convert {v} to number")),
    }
}

/// Terraform escapes `<`, `>`, `&`, U+2028 and U+2029 in `jsonencode` as Go does.
fn jsonencode(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::from(crate::tfvars::go_json(&args[0], true)))
}

fn slice(args: FuncArgs) -> Result<Value, String> {
    let Value::Array(list) = &args[0] else {
        return Err(format!(
            "slice: first argument must be a list, got {}",
            args[0]
        ));
    };
    let index = |v: &Value| {
        v.as_u64()
            .map(|n| n as usize)
            .ok_or_else(|| format!("slice: bad index {v}"))
    };
    let (start, end) = (index(&args[1])?, index(&args[2])?);
    if start > end || end > list.len() {
        return Err(format!(
            "slice: indexes {start}..{end} out of range for a list of {}",
            list.len()
        ));
    }
    Ok(Value::Array(list[start..end].to_vec()))
}

fn length(args: FuncArgs) -> Result<Value, String> {
    match &args[0] {
        Value::Array(a) => Ok(Value::from(a.len() as u64)),
        Value::Object(m) => Ok(Value::from(m.len() as u64)),
        Value::String(s) => Ok(Value::from(s.chars().count() as u64)),
        v => Err(format!("length: cannot take the length of {v}")),
    }
}

fn join(args: FuncArgs) -> Result<Value, String> {
    let sep = args[0].as_str().unwrap_or_default();
    let mut parts = Vec::new();
    for list in &args[1..] {
        let Value::Array(items) = list else {
            return Err(format!("join: expected lists, got {list}"));
        };
        for item in items {
            parts.push(scalar_string(item).ok_or_else(|| format!("join: {item} is not a string"))?);
        }
    }
    Ok(Value::from(parts.join(sep)))
}

fn lower(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::from(
        args[0].as_str().unwrap_or_default().to_lowercase(),
    ))
}

fn upper(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::from(
        args[0].as_str().unwrap_or_default().to_uppercase(),
    ))
}

fn lookup(args: FuncArgs) -> Result<Value, String> {
    let Value::Object(m) = &args[0] else {
        return Err(format!(
            "lookup: first argument must be a map, got {}",
            args[0]
        ));
    };
    let key = args[1].as_str().unwrap_or_default();
    match (m.get(key), args.get(2)) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(format!("lookup: no key {key:?}")),
    }
}

/// Terraform's string form of a primitive value (numbers without a trailing `.0`).
pub fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(number_string(n)),
        _ => None,
    }
}

pub fn number_string(n: &hcl::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    let f = n.as_f64().unwrap_or_default();
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

pub fn path_string(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// `target` relative to `base` (both absolute, already normalised).
pub fn relative_path(base: &Path, target: &Path) -> String {
    let b: Vec<_> = base.components().collect();
    let t: Vec<_> = target.components().collect();
    let common = b.iter().zip(&t).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_string(), b.len() - common).collect();
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcl::eval::Evaluate;

    fn eval(expr: &str) -> Result<Value, String> {
        let scope = UnitScope {
            terragrunt_dir: PathBuf::from("/t/env/infra/unit"),
            include_path: None,
            env: BTreeMap::new(),
        };
        with_scope(scope, || {
            let body: hcl::Body =
                hcl::from_str(&format!("x = {expr}")).map_err(|e| e.to_string())?;
            let attr = body.attributes().next().unwrap();
            attr.expr().evaluate(&context()).map_err(|e| e.to_string())
        })
    }

    #[test]
    fn format_handles_the_verbs_generated_files_use() {
        assert_eq!(
            eval(r#"format("%s:%s", "repo", "latest")"#).unwrap(),
            Value::from("repo:latest")
        );
        assert_eq!(
            eval(r#"format("%d%%-%v", 5, true)"#).unwrap(),
            Value::from("5%-true")
        );
        assert_eq!(eval(r#"format("%q", "a")"#).unwrap(), Value::from("\"a\""));
        assert!(
            eval(r#"format("%s")"#)
                .unwrap_err()
                .contains("not enough arguments")
        );
        assert!(
            eval(r#"format("%s", ["list"])"#)
                .unwrap_err()
                .contains("primitive")
        );
    }

    #[test]
    fn merge_lets_later_maps_win_and_tostring_drops_the_fraction() {
        let v =
            eval(r#"merge({ a = "1", b = "2" }, { b = "3" }, { PORT = tostring(5432) })"#).unwrap();
        assert_eq!(v, hcl::value!({ a = "1", b = "3", PORT = "5432" }));
        assert_eq!(eval("tostring(8.0)").unwrap(), Value::from("8"));
        assert_eq!(eval("tostring(null)").unwrap(), Value::Null);
        assert!(eval("merge({}, [1])").is_err());
    }

    #[test]
    fn slice_concat_length_join_lookup() {
        assert_eq!(
            eval(r#"slice(["a", "b", "c"], 0, 2)"#).unwrap(),
            hcl::value!(["a", "b"])
        );
        assert!(
            eval(r#"slice(["a"], 0, 2)"#)
                .unwrap_err()
                .contains("out of range")
        );
        assert_eq!(
            eval(r#"concat(["a"], ["b"])"#).unwrap(),
            hcl::value!(["a", "b"])
        );
        assert_eq!(eval(r#"length({ a = 1 })"#).unwrap(), Value::from(1u64));
        assert_eq!(
            eval(r#"join(",", ["a", "b"])"#).unwrap(),
            Value::from("a,b")
        );
        assert_eq!(
            eval(r#"lookup({ a = 1 }, "b", 2)"#).unwrap(),
            Value::from(2u64)
        );
    }

    #[test]
    fn unit_functions_read_the_scope() {
        assert_eq!(
            eval("get_terragrunt_dir()").unwrap(),
            Value::from("/t/env/infra/unit")
        );
        assert_eq!(
            eval(r#"dirname("/t/root.hcl")"#).unwrap(),
            Value::from("/t")
        );
        assert_eq!(
            eval(r#"get_env("TGFORGE_E2E_SURELY_UNSET", "d")"#).unwrap(),
            Value::from("d")
        );
        assert!(eval(r#"get_env("TGFORGE_E2E_SURELY_UNSET")"#).is_err());
        assert_eq!(
            eval("path_relative_to_include()").unwrap(),
            Value::from(".")
        );
        assert!(eval(r#"find_in_parent_folders("no-such-file.hcl")"#).is_err());
        assert_eq!(
            eval(r#"find_in_parent_folders("no-such-file.hcl", "fb")"#).unwrap(),
            Value::from("fb")
        );
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_path(Path::new("/t"), Path::new("/t/prod/infra/vpc")),
            "prod/infra/vpc"
        );
        assert_eq!(relative_path(Path::new("/t/a"), Path::new("/t/b")), "../b");
        assert_eq!(relative_path(Path::new("/t"), Path::new("/t")), ".");
    }
}
