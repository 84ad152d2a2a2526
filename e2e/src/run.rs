//! The end-to-end check of one stack (one environment of a tree), as `terragrunt run-all`
//! would run it against the emulator:
//! 1. `plan` of every unit before anything exists, with mock outputs;
//! 2. `apply` in dependency order, real outputs flowing from unit to unit;
//! 3. a second `plan -detailed-exitcode` of every applied unit: no changes;
//! 4. `destroy` in reverse order, then nothing of the tree is left in the emulator.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

use anyhow::{Context, Result, anyhow, bail};
use hcl::Value;

use crate::config::{LoadedUnit, UnitConfig};
use crate::gaps::Gaps;
use crate::moto::Moto;
use crate::prereq::Prerequisites;
use crate::stack::{Stack, dependency_outputs};
use crate::terraform::{self, Terraform};
use crate::tfvars::{InputEncoding, tf_var_env};

#[derive(Debug, Clone)]
pub struct Options {
    pub jobs: usize,
    /// Only step 1 (mock-output plans).
    pub plan_only: bool,
    pub encoding: InputEncoding,
    pub work_root: PathBuf,
    /// `terraform` (the harness runs Terraform even where `terraform_binary` says `tofu`, which
    /// the modules also support; the report says so).
    pub terraform_bin: String,
    pub mirror: PathBuf,
    pub endpoint: String,
    /// Variables for `get_env` (CI's credential switch).
    pub env: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Ok,
    /// A failure, with Terraform's error lines.
    Failed(String),
    /// A failure on the emulator gap list (the gap's line).
    Gap(String),
    /// Not run because a dependency did not apply.
    Skipped(String),
}

#[derive(Debug, Clone)]
pub struct UnitResult {
    pub stack: String,
    pub unit: String,
    pub phase: &'static str,
    pub outcome: Outcome,
    pub seconds: f64,
}

#[derive(Debug, Default)]
pub struct Report {
    pub results: Vec<UnitResult>,
    /// Stack -> resource kinds left after destroy.
    pub leftovers: BTreeMap<String, Vec<String>>,
    /// Stack-level errors (prerequisites, evaluation).
    pub errors: Vec<String>,
}

impl Report {
    pub fn failures(&self) -> Vec<&UnitResult> {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
            .collect()
    }

    pub fn passed(&self) -> bool {
        self.failures().is_empty()
            && self.leftovers.values().all(Vec::is_empty)
            && self.errors.is_empty()
    }

    pub fn summary(&self) -> String {
        let count = |f: fn(&Outcome) -> bool| self.results.iter().filter(|r| f(&r.outcome)).count();
        let mut s = format!(
            "{} ok, {} failed, {} on the gap list, {} skipped",
            count(|o| *o == Outcome::Ok),
            count(|o| matches!(o, Outcome::Failed(_))),
            count(|o| matches!(o, Outcome::Gap(_))),
            count(|o| matches!(o, Outcome::Skipped(_))),
        );
        for r in self
            .results
            .iter()
            .filter(|r| !matches!(r.outcome, Outcome::Ok))
        {
            let (what, detail) = match &r.outcome {
                Outcome::Failed(e) => ("FAILED", e.as_str()),
                Outcome::Gap(g) => ("gap", g.as_str()),
                Outcome::Skipped(why) => ("skipped", why.as_str()),
                Outcome::Ok => unreachable!(),
            };
            s.push_str(&format!(
                "\n  {what}: {} {} {}: {}",
                r.phase,
                r.stack,
                r.unit,
                first_line(detail)
            ));
        }
        for (stack, left) in &self.leftovers {
            for l in left {
                s.push_str(&format!("\n  LEFT BEHIND: {stack}: {l}"));
            }
        }
        for e in &self.errors {
            s.push_str(&format!("\n  ERROR: {e}"));
        }
        s
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// Runs the whole check on one stack; appends to `report`.
pub fn run_stack(
    stack: &Stack,
    label: &str,
    opts: &Options,
    gaps: &Gaps,
    moto: &Moto,
    report: &mut Report,
) -> Result<()> {
    moto.reset()?;
    let (region, account) = stack_settings(stack, opts)?;
    let tf = terraform_for(opts, &account)?;
    let work = opts.work_root.join(label.replace('/', "__"));
    fs::create_dir_all(&work)?;

    // Inputs with mock outputs: what a pull request's plan sees, and what the prerequisites
    // are read from.
    let mut mock_cfgs = BTreeMap::new();
    for (name, unit) in &stack.units {
        match evaluate(unit, &BTreeMap::new(), "plan") {
            Ok(cfg) => {
                mock_cfgs.insert(name.clone(), cfg);
            }
            Err(e) => report.results.push(result(
                label,
                name,
                "plan",
                Outcome::Failed(format!("{e:#}")),
                0.0,
            )),
        }
    }
    let inputs: Vec<_> = mock_cfgs
        .iter()
        .map(|(n, c)| literal_inputs(&stack.units[n], c))
        .collect();
    let prereq =
        Prerequisites::collect(stack.dir.parent().unwrap_or(&stack.dir), &region, &inputs)?;
    let prereq_dir = work.join("_prerequisites");
    apply_prerequisites(&tf, &prereq, &prereq_dir)
        .with_context(|| format!("{label}: prerequisites"))?;

    // 1. Plan with mock outputs; this also lays out and initialises every work dir.
    let run_dirs: Mutex<BTreeMap<String, PathBuf>> = Mutex::new(BTreeMap::new());
    let names: Vec<String> = mock_cfgs.keys().cloned().collect();
    let results = par_map(&names, opts.jobs, |name| {
        let cfg = &mock_cfgs[name];
        let unit_work = work.join(name);
        let outcome = (|| -> Result<(Outcome, f64)> {
            let run_dir = terraform::prepare_workdir(cfg, &unit_work.join("src"))?;
            let log = unit_work.join("terraform.log");
            let (code, out, t1) = tf.run(
                &run_dir,
                &["init", "-input=false", "-no-color"],
                &BTreeMap::new(),
                &log,
            )?;
            if code != 0 {
                return Ok((fail_or_gap(gaps, &out), t1));
            }
            run_dirs
                .lock()
                .unwrap()
                .insert(name.clone(), run_dir.clone());
            let env = tf_var_env(&cfg.inputs, opts.encoding);
            let (code, out, t2) = tf.run(
                &run_dir,
                &["plan", "-input=false", "-no-color", "-lock=false"],
                &env,
                &log,
            )?;
            Ok((
                if code == 0 {
                    Outcome::Ok
                } else {
                    fail_or_gap(gaps, &out)
                },
                t1 + t2,
            ))
        })();
        let (outcome, secs) = outcome.unwrap_or_else(|e| (Outcome::Failed(format!("{e:#}")), 0.0));
        announce(label, name, "plan", &outcome, secs);
        result(label, name, "plan", outcome, secs)
    });
    report.results.extend(results);
    if opts.plan_only {
        destroy_prerequisites(&tf, &prereq, &prereq_dir)?;
        return Ok(());
    }
    let run_dirs = run_dirs.into_inner().unwrap();

    // 2. Apply in dependency order.
    let outputs: Mutex<BTreeMap<String, Value>> = Mutex::new(BTreeMap::new());
    let attempted: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    // Each unit starts as soon as the units it depends on are done (as `terragrunt run-all`
    // schedules them), not when its whole level is: the stack's longest chain sets the time.
    let order = stack.apply_order();
    let results = par_graph(
        &order,
        &waits_by_name(&order, |name| stack.deps_of(name)),
        opts.jobs,
        |name| {
            let missing: Vec<_> = stack
                .deps_of(name)
                .into_iter()
                .filter(|d| !outputs.lock().unwrap().contains_key(d))
                .collect();
            let Some(run_dir) = run_dirs.get(name) else {
                return result(
                    label,
                    name,
                    "apply",
                    Outcome::Skipped("did not initialise".into()),
                    0.0,
                );
            };
            if !missing.is_empty() {
                let o =
                    Outcome::Skipped(format!("dependencies not applied: {}", missing.join(", ")));
                announce(label, name, "apply", &o, 0.0);
                return result(label, name, "apply", o, 0.0);
            }
            attempted.lock().unwrap().insert(name.clone());
            let snapshot = outputs.lock().unwrap().clone();
            let (outcome, secs) = (|| -> Result<(Outcome, f64)> {
                let cfg = evaluate(&stack.units[name], &snapshot, "apply")?;
                let env = tf_var_env(&cfg.inputs, opts.encoding);
                let log = work.join(name).join("terraform.log");
                let (code, out, secs) = tf.run(
                    run_dir,
                    &["apply", "-input=false", "-no-color", "-auto-approve"],
                    &env,
                    &log,
                )?;
                if code != 0 {
                    return Ok((fail_or_gap(gaps, &out), secs));
                }
                let (code, out, _) = tf.run(
                    run_dir,
                    &["output", "-json", "-no-color"],
                    &BTreeMap::new(),
                    &log,
                )?;
                if code != 0 {
                    bail!("terraform output failed: {out}");
                }
                let json = out
                    .lines()
                    .skip_while(|l| !l.starts_with('{'))
                    .collect::<Vec<_>>()
                    .join("\n");
                outputs
                    .lock()
                    .unwrap()
                    .insert(name.clone(), terraform::parse_outputs(&json)?);
                Ok((Outcome::Ok, secs))
            })()
            .unwrap_or_else(|e| (Outcome::Failed(format!("{e:#}")), 0.0));
            announce(label, name, "apply", &outcome, secs);
            result(label, name, "apply", outcome, secs)
        },
    );
    report.results.extend(results);
    let outputs = outputs.into_inner().unwrap();

    // 3. Second plan: no changes.
    let applied: Vec<String> = stack
        .apply_order()
        .into_iter()
        .filter(|n| outputs.contains_key(n))
        .collect();
    let results = par_map(&applied, opts.jobs, |name| {
        let (outcome, secs) = (|| -> Result<(Outcome, f64)> {
            let cfg = evaluate(&stack.units[name], &outputs, "plan")?;
            let env = tf_var_env(&cfg.inputs, opts.encoding);
            let log = work.join(name).join("terraform.log");
            let args = [
                "plan",
                "-input=false",
                "-no-color",
                "-lock=false",
                "-detailed-exitcode",
            ];
            let (code, out, secs) = tf.run(&run_dirs[name], &args, &env, &log)?;
            Ok(match code {
                0 => (Outcome::Ok, secs),
                2 => match gaps.explains_diff(&out) {
                    Some(gap) => (Outcome::Gap(gap), secs),
                    None => (
                        Outcome::Failed(format!("perpetual diff:\n{}", changed_resources(&out))),
                        secs,
                    ),
                },
                _ => (fail_or_gap(gaps, &out), secs),
            })
        })()
        .unwrap_or_else(|e| (Outcome::Failed(format!("{e:#}")), 0.0));
        announce(label, name, "replan", &outcome, secs);
        result(label, name, "replan", outcome, secs)
    });
    report.results.extend(results);

    // 4. Destroy in reverse order every unit whose apply was attempted: each one once the
    // units that depend on it are gone.
    let attempted = attempted.into_inner().unwrap();
    let todo: Vec<String> = stack
        .apply_order()
        .into_iter()
        .rev()
        .filter(|n| attempted.contains(n))
        .collect();
    let dependents = |name: &str| {
        todo.iter()
            .filter(|other| stack.deps_of(other).contains(name))
            .cloned()
            .collect()
    };
    let results = par_graph(
        &todo,
        &waits_by_name(&todo, dependents),
        opts.jobs,
        |name| {
            let (outcome, secs) = (|| -> Result<(Outcome, f64)> {
                let cfg = evaluate(&stack.units[name], &outputs, "destroy")?;
                let env = tf_var_env(&cfg.inputs, opts.encoding);
                let log = work.join(name).join("terraform.log");
                // A protected database or load balancer refuses deletion, in AWS as in the
                // emulator: first do what its owner would (spec `deletion_protection: false`,
                // regenerate, apply), here as a -var over the unit's input.
                if cfg.inputs.get("deletion_protection") == Some(&Value::Bool(true)) {
                    let (code, out, _) = tf.run(
                        &run_dirs[name],
                        &[
                            "apply",
                            "-input=false",
                            "-no-color",
                            "-auto-approve",
                            "-var",
                            "deletion_protection=false",
                        ],
                        &env,
                        &log,
                    )?;
                    if code != 0 {
                        return Ok((fail_or_gap(gaps, &out), 0.0));
                    }
                }
                let (code, out, secs) = tf.run(
                    &run_dirs[name],
                    &["destroy", "-input=false", "-no-color", "-auto-approve"],
                    &env,
                    &log,
                )?;
                Ok((
                    if code == 0 {
                        Outcome::Ok
                    } else {
                        fail_or_gap(gaps, &out)
                    },
                    secs,
                ))
            })()
            .unwrap_or_else(|e| (Outcome::Failed(format!("{e:#}")), 0.0));
            announce(label, name, "destroy", &outcome, secs);
            result(label, name, "destroy", outcome, secs)
        },
    );
    report.results.extend(results);
    destroy_prerequisites(&tf, &prereq, &prereq_dir)?;

    // Nothing left: no resource in the state of any unit, no tagged resource in the
    // environment's region or us-east-1 (CloudFront and its certificate).
    let mut left = Vec::new();
    for name in &attempted {
        let (code, out, _) = tf.run(
            &run_dirs[name],
            &["state", "list", "-no-color"],
            &BTreeMap::new(),
            &work.join(name).join("terraform.log"),
        )?;
        if code == 0 && !out.trim().is_empty() {
            left.push(format!(
                "{name}: still in state: {}",
                out.split_whitespace().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    for r in BTreeSet::from([region.as_str(), "us-east-1"]) {
        for arn in moto.tagged_resources(r, &account)? {
            if is_final_snapshot(&arn) {
                println!("[{label}] kept by design: {arn} (the database's final snapshot)");
            } else if !moto.deleted_but_listed(&arn, r, &account)? {
                left.push(arn);
            }
        }
    }
    for l in &left {
        println!("[{label}] LEFT BEHIND after destroy: {l}");
    }
    report.leftovers.insert(label.to_string(), left);
    Ok(())
}

/// Plans every distinct (module, inputs, generated files) unit of `stacks` once, with mock
/// outputs: issue 16's "plan every unit of every combination with real Terraform".
pub fn plan_distinct_units(
    stacks: &[(String, Stack)],
    opts: &Options,
    gaps: &Gaps,
    moto: &Moto,
    report: &mut Report,
    count_only: bool,
) -> Result<()> {
    let mut distinct: BTreeMap<String, (String, String, UnitConfig)> = BTreeMap::new();
    let mut all_inputs = Vec::new();
    let mut settings = None;
    let mut prereq_all = Prerequisites::default();
    for (label, stack) in stacks {
        let (region, account) = stack_settings(stack, opts)?;
        if settings.get_or_insert((region.clone(), account.clone())) != &(region.clone(), account) {
            bail!("{label}: every tree of one distinct-unit plan must use one region and account");
        }
        let mut inputs = Vec::new();
        for (name, unit) in &stack.units {
            match evaluate(unit, &BTreeMap::new(), "plan") {
                Ok(cfg) => {
                    inputs.push(literal_inputs(unit, &cfg));
                    let module = cfg
                        .source
                        .as_deref()
                        .and_then(|s| s.split_once("//"))
                        .map(|(_, m)| m.to_string())
                        .unwrap_or_default();
                    let generated: Vec<_> =
                        cfg.generate.values().map(|g| g.contents.clone()).collect();
                    let key = format!(
                        "{module}\n{:?}\n{:?}",
                        tf_var_env(&cfg.inputs, opts.encoding),
                        generated
                    );
                    distinct
                        .entry(key)
                        .or_insert((label.clone(), name.clone(), cfg));
                }
                Err(e) => report.results.push(result(
                    label,
                    name,
                    "plan",
                    Outcome::Failed(format!("{e:#}")),
                    0.0,
                )),
            }
        }
        let p = Prerequisites::collect(stack.dir.parent().unwrap_or(&stack.dir), &region, &inputs)?;
        prereq_all.region = region;
        prereq_all.parameters.extend(p.parameters);
        prereq_all.ami_names.extend(p.ami_names);
        prereq_all.zones.extend(p.zones);
        prereq_all.certificates.extend(p.certificates);
        all_inputs.extend(inputs);
    }
    let Some((_, account)) = settings else {
        return Ok(());
    };
    println!(
        "{} units in {} stacks, {} distinct (module, inputs) pairs",
        all_inputs.len(),
        stacks.len(),
        distinct.len()
    );
    if count_only {
        return Ok(());
    }
    moto.reset()?;
    let tf = terraform_for(opts, &account)?;
    let work = opts.work_root.join("distinct-units");
    fs::create_dir_all(&work)?;
    let prereq_dir = work.join("_prerequisites");
    apply_prerequisites(&tf, &prereq_all, &prereq_dir)?;
    let items: Vec<_> = distinct.values().enumerate().collect();
    let results = par_map(&items, opts.jobs, |(i, (label, name, cfg))| {
        let unit_work = work.join(format!("{i:03}-{name}"));
        let (outcome, secs) = (|| -> Result<(Outcome, f64)> {
            let run_dir = terraform::prepare_workdir(cfg, &unit_work.join("src"))?;
            let log = unit_work.join("terraform.log");
            let (code, out, t1) = tf.run(
                &run_dir,
                &["init", "-input=false", "-no-color"],
                &BTreeMap::new(),
                &log,
            )?;
            if code != 0 {
                return Ok((fail_or_gap(gaps, &out), t1));
            }
            let env = tf_var_env(&cfg.inputs, opts.encoding);
            let (code, out, t2) = tf.run(
                &run_dir,
                &["plan", "-input=false", "-no-color", "-lock=false"],
                &env,
                &log,
            )?;
            let _ = fs::remove_dir_all(run_dir.join(".terraform"));
            Ok((
                if code == 0 {
                    Outcome::Ok
                } else {
                    fail_or_gap(gaps, &out)
                },
                t1 + t2,
            ))
        })()
        .unwrap_or_else(|e| (Outcome::Failed(format!("{e:#}")), 0.0));
        announce(label, name, "plan", &outcome, secs);
        result(label, name, "plan", outcome, secs)
    });
    report.results.extend(results);
    destroy_prerequisites(&tf, &prereq_all, &prereq_dir)
}

/// The inputs that are not mock outputs of a dependency: what the prerequisites are read
/// from (a certificate ARN from `acm_alb`'s mock is not a certificate that must exist).
fn literal_inputs(unit: &LoadedUnit, cfg: &UnitConfig) -> hcl::Map<String, Value> {
    let mut mocked = BTreeSet::new();
    for dep in unit.dependencies.values() {
        if let Some(Value::Object(m)) = &dep.mock_outputs {
            mocked.extend(m.values().filter_map(|v| v.as_str().map(str::to_string)));
        }
    }
    cfg.inputs
        .iter()
        .filter(|(_, v)| !v.as_str().is_some_and(|s| mocked.contains(s)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn evaluate(
    unit: &LoadedUnit,
    real: &BTreeMap<String, Value>,
    command: &str,
) -> Result<UnitConfig> {
    let mut outputs = BTreeMap::new();
    for (name, dep) in &unit.dependencies {
        let dep_unit = dep
            .config_path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        outputs.insert(
            name.clone(),
            dependency_outputs(dep, real.get(&dep_unit), command)?,
        );
    }
    unit.evaluate(&outputs)
}

/// The environment's region and account from its `common_vars.hcl`.
fn stack_settings(stack: &Stack, opts: &Options) -> Result<(String, String)> {
    let v = crate::config::read_config_value(&stack.dir.join("common_vars.hcl"), &opts.env)?;
    let get = |k: &str| {
        v.as_object()
            .and_then(|o| o.get("locals"))
            .and_then(|l| l.as_object())
            .and_then(|l| l.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| anyhow!("{}: common_vars.hcl has no local {k}", stack.dir.display()))
    };
    Ok((get("aws_region")?, get("account_id")?))
}

fn terraform_for(opts: &Options, account: &str) -> Result<Terraform> {
    Terraform::new(
        &opts.terraform_bin,
        &opts.work_root,
        &opts.mirror,
        &opts.endpoint,
        account,
    )
}

fn apply_prerequisites(tf: &Terraform, p: &Prerequisites, dir: &Path) -> Result<()> {
    if p.is_empty() {
        return Ok(());
    }
    fs::create_dir_all(dir)?;
    fs::write(dir.join("main.tf"), p.terraform())?;
    if !p.certificates.is_empty() {
        crate::prereq::write_certificate(dir)?;
    }
    let log = dir.join("terraform.log");
    for args in [
        &["init", "-input=false", "-no-color"][..],
        &["apply", "-input=false", "-no-color", "-auto-approve"],
    ] {
        let (code, out, _) = tf.run(dir, args, &BTreeMap::new(), &log)?;
        if code != 0 {
            bail!(
                "prerequisites: terraform {} failed:\n{}",
                args[0],
                error_lines(&out)
            );
        }
    }
    Ok(())
}

fn destroy_prerequisites(tf: &Terraform, p: &Prerequisites, dir: &Path) -> Result<()> {
    if p.is_empty() {
        return Ok(());
    }
    let (code, out, _) = tf.run(
        dir,
        &["destroy", "-input=false", "-no-color", "-auto-approve"],
        &BTreeMap::new(),
        &dir.join("terraform.log"),
    )?;
    if code != 0 {
        bail!("prerequisites: destroy failed:\n{}", error_lines(&out));
    }
    Ok(())
}

/// The snapshot RDS and Aurora take on deletion: the generated modules always keep one
/// (`skip_final_snapshot = false`, named `<identifier>-final-<created>`), so it outlives
/// destroy by design.
fn is_final_snapshot(arn: &str) -> bool {
    [":snapshot:", ":cluster-snapshot:"].iter().any(|kind| {
        arn.split(kind)
            .nth(1)
            .is_some_and(|id| id.contains("-final-"))
    })
}

fn fail_or_gap(gaps: &Gaps, output: &str) -> Outcome {
    let errors = error_lines(output);
    match gaps.matching(output) {
        Some(gap) => Outcome::Gap(gap),
        None => Outcome::Failed(errors),
    }
}

/// Terraform's `Error:` blocks (the diagnostics), without the rest of the output.
pub fn error_lines(output: &str) -> String {
    let mut out = Vec::new();
    let mut in_error = false;
    for line in output.lines() {
        let t = line.trim_start_matches(['│', '╷', '╵', ' ']);
        if t.starts_with("Error: ") {
            in_error = true;
        } else if line.starts_with('╵') {
            in_error = false;
        }
        if in_error && !t.is_empty() {
            out.push(t.to_string());
        }
    }
    if out.is_empty() {
        output
            .lines()
            .rev()
            .take(15)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        out.join("\n")
    }
}

/// The `# resource will be ...` lines of a plan.
fn changed_resources(plan: &str) -> String {
    plan.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("# ") && (l.contains(" will be ") || l.contains(" must be ")))
        .collect::<Vec<_>>()
        .join("\n")
}

fn result(
    stack: &str,
    unit: &str,
    phase: &'static str,
    outcome: Outcome,
    seconds: f64,
) -> UnitResult {
    UnitResult {
        stack: stack.to_string(),
        unit: unit.to_string(),
        phase,
        outcome,
        seconds,
    }
}

fn announce(stack: &str, unit: &str, phase: &str, outcome: &Outcome, secs: f64) {
    let line = match outcome {
        Outcome::Ok => format!("[{stack}] {phase:<7} {unit}: ok ({secs:.0}s)"),
        Outcome::Failed(e) => format!(
            "[{stack}] {phase:<7} {unit}: FAILED ({secs:.0}s)\n{}",
            indent(e)
        ),
        Outcome::Gap(g) => format!("[{stack}] {phase:<7} {unit}: emulator gap: {g}"),
        Outcome::Skipped(why) => format!("[{stack}] {phase:<7} {unit}: skipped: {why}"),
    };
    println!("{line}");
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `f` over `items` on up to `jobs` threads, results in input order.
fn par_map<T: Sync, R: Send>(items: &[T], jobs: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    par_graph(items, &vec![Vec::new(); items.len()], jobs, f)
}

/// For each of `items`, the positions in `items` of the names it waits for (`waits_for`;
/// names that are not among `items` are not waited for).
fn waits_by_name(
    items: &[String],
    waits_for: impl Fn(&str) -> BTreeSet<String>,
) -> Vec<Vec<usize>> {
    let index: BTreeMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    items
        .iter()
        .map(|n| {
            waits_for(n)
                .iter()
                .filter_map(|w| index.get(w.as_str()).copied())
                .collect()
        })
        .collect()
}

/// `f` over `items` on up to `jobs` threads, each item only once every item it waits for
/// (`waits[i]`: positions in `items`) has finished; among the items that may start, the
/// earliest in `items` goes first. Results in input order. `waits` must not form a cycle
/// (the stack's levels already refuse one).
fn par_graph<T: Sync, R: Send>(
    items: &[T],
    waits: &[Vec<usize>],
    jobs: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    // (started, finished) per item.
    let state = Mutex::new((vec![false; items.len()], vec![false; items.len()]));
    let changed = Condvar::new();
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1).min(items.len().max(1)) {
            s.spawn(|| {
                let mut guard = state.lock().unwrap();
                loop {
                    let (started, finished) = &mut *guard;
                    if started.iter().all(|&x| x) {
                        break;
                    }
                    let ready = (0..items.len())
                        .find(|&i| !started[i] && waits[i].iter().all(|&w| finished[w]));
                    let Some(i) = ready else {
                        guard = changed.wait(guard).unwrap();
                        continue;
                    };
                    started[i] = true;
                    drop(guard);
                    let r = f(&items[i]);
                    *slots[i].lock().unwrap() = Some(r);
                    guard = state.lock().unwrap();
                    guard.1[i] = true;
                    changed.notify_all();
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|m| m.into_inner().unwrap().expect("every item ran"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_blocks_are_extracted() {
        let out = "Plan: 1 to add\n╷\n│ Error: creating X: boom\n│ \n│   with aws_x.y,\n╵\nother\n";
        assert_eq!(error_lines(out), "Error: creating X: boom\nwith aws_x.y,");
    }

    #[test]
    fn par_map_keeps_order() {
        let v: Vec<u32> = (0..20).collect();
        assert_eq!(
            par_map(&v, 3, |x| x * 2),
            (0..20).map(|x| x * 2).collect::<Vec<_>>()
        );
    }

    #[test]
    fn par_graph_runs_each_item_after_what_it_waits_for() {
        // d waits for b and c, which wait for a; e waits for nothing.
        let items: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        let waits = |n: &str| -> BTreeSet<String> {
            match n {
                "b" | "c" => BTreeSet::from(["a".to_string()]),
                "d" => BTreeSet::from(["b".to_string(), "c".to_string(), "x".to_string()]),
                _ => BTreeSet::new(),
            }
        };
        let log = Mutex::new(Vec::new());
        let out = par_graph(&items, &waits_by_name(&items, waits), 3, |n| {
            log.lock().unwrap().push(format!("start {n}"));
            std::thread::sleep(std::time::Duration::from_millis(20));
            log.lock().unwrap().push(format!("end {n}"));
            n.to_uppercase()
        });
        assert_eq!(out, ["A", "B", "C", "D", "E"]);
        let log = log.into_inner().unwrap();
        let at = |e: &str| log.iter().position(|l| l == e).unwrap();
        assert!(at("end a") < at("start b") && at("end a") < at("start c"));
        assert!(at("end b") < at("start d") && at("end c") < at("start d"));
        // e waits for nothing, so it does not wait for a's level to finish.
        assert!(at("start e") < at("end a"));
    }

    #[test]
    fn plan_changes_are_listed() {
        let plan =
            "  # aws_x.y will be updated in-place\n  ~ resource {\n  # aws_z.w must be replaced\n";
        assert_eq!(
            changed_resources(plan),
            "# aws_x.y will be updated in-place\n# aws_z.w must be replaced"
        );
    }
}
