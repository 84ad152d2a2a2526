//! `tgforge-e2e`: the end-to-end check of generated trees against moto.
//!
//! ```text
//! tgforge-e2e run TREE...            plan, apply, re-plan, destroy every environment
//! tgforge-e2e plan-units TREE...     plan every distinct unit once, with mock outputs
//! tgforge-e2e eval UNIT_DIR          print a unit's evaluated inputs and TF_VAR_ values
//! ```
//! Needs AWS_ENDPOINT_URL (a moto server started with e2e/moto_server.py).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use clap::{Parser, Subcommand, ValueEnum};
use tgforge_e2e::gaps::Gaps;
use tgforge_e2e::moto::Moto;
use tgforge_e2e::run::{self, Options, Report};
use tgforge_e2e::stack;
use tgforge_e2e::tfvars::{InputEncoding, tf_var_env};

#[derive(Parser)]
#[command(about = "End-to-end check of tgforge trees against an AWS API emulator")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Clone, Copy, ValueEnum)]
enum Encoding {
    /// Terragrunt before #5585 (no escaping of `${` in complex inputs)
    Classic,
    /// Terragrunt after #5585
    Escape,
}

#[derive(clap::Args)]
struct Common {
    /// Parallel Terraform runs (independent units only)
    #[arg(short, long, default_value_t = 2)]
    jobs: usize,
    /// Emulator gap list
    #[arg(long, default_value = "e2e/emulator-gaps.txt")]
    gaps: PathBuf,
    /// Work folder (default: a new temporary folder, removed at the end)
    #[arg(long)]
    work: Option<PathBuf>,
    /// How inputs become TF_VAR_ values
    #[arg(long, value_enum, default_value = "classic")]
    encoding: Encoding,
    /// Only these environments (top-level folders of each tree); default: all. A tree whose
    /// environments live in different accounts is run once per account, each against an
    /// emulator serving that account.
    #[arg(long = "env", value_name = "NAME")]
    envs: Vec<String>,
    /// Trees (folders with root.hcl) to check
    #[arg(required = true)]
    trees: Vec<PathBuf>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Plan with mocks, apply, re-plan and destroy every environment of each tree
    Run {
        #[command(flatten)]
        common: Common,
        /// Stop after the mock-output plans
        #[arg(long)]
        plan_only: bool,
    },
    /// Plan every distinct (module, inputs) unit of the trees once, with mock outputs
    PlanUnits {
        #[command(flatten)]
        common: Common,
        /// Only count the units and the distinct ones
        #[arg(long)]
        count: bool,
    },
    /// Print a unit's evaluated inputs as Terragrunt would pass them (mock outputs)
    Eval { unit: PathBuf },
}

fn main() -> ExitCode {
    match real_main() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(3)
        }
    }
}

fn ci_env() -> BTreeMap<String, String> {
    // As in CI: credentials come from the environment, no named profile.
    BTreeMap::from([(
        "TGFORGE_AWS_ENV_CREDENTIALS".to_string(),
        "true".to_string(),
    )])
}

fn real_main() -> Result<bool> {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Eval { unit } => {
            let loaded = tgforge_e2e::config::LoadedUnit::load(&unit, &ci_env())?;
            let mut outputs = BTreeMap::new();
            for (name, dep) in &loaded.dependencies {
                outputs.insert(name.clone(), stack::dependency_outputs(dep, None, "plan")?);
            }
            let cfg = loaded.evaluate(&outputs)?;
            println!("source = {}", cfg.source.unwrap_or_default());
            for (k, v) in tf_var_env(&cfg.inputs, InputEncoding::Classic) {
                println!("{k}={v}");
            }
            for (name, g) in &cfg.generate {
                println!("--- generate {name} -> {}\n{}", g.path, g.contents);
            }
            Ok(true)
        }
        Cmd::Run { common, plan_only } => {
            let envs = common.envs.clone();
            with_setup(common, move |opts, gaps, moto, trees, report| {
                let opts = Options {
                    plan_only,
                    ..opts.clone()
                };
                for tree in trees {
                    for st in stack::discover(tree, &opts.env)? {
                        let label = label_of(tree, &st.dir);
                        let env_name = label.split_once('/').map(|(_, e)| e).unwrap_or_default();
                        if !envs.is_empty() && !envs.iter().any(|e| e == env_name) {
                            continue;
                        }
                        println!(
                            "== {label}: {} units, apply order {}",
                            st.units.len(),
                            st.apply_order().join(" -> ")
                        );
                        if let Err(e) = run::run_stack(&st, &label, &opts, gaps, moto, report) {
                            println!("[{label}] ERROR: {e:#}");
                            report.errors.push(format!("{label}: {e:#}"));
                        }
                    }
                }
                Ok(())
            })
        }
        Cmd::PlanUnits { common, count } => {
            with_setup(common, move |opts, gaps, moto, trees, report| {
                let mut stacks = Vec::new();
                for tree in trees {
                    for st in stack::discover(tree, &opts.env)? {
                        stacks.push((label_of(tree, &st.dir), st));
                    }
                }
                run::plan_distinct_units(&stacks, opts, gaps, moto, report, count)
            })
        }
    }
}

fn label_of(tree: &std::path::Path, stack_dir: &std::path::Path) -> String {
    let tree_abs = tgforge_e2e::config::normalize(&std::path::absolute(tree).unwrap_or_default());
    let name = tree_abs
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let rel = stack_dir
        .strip_prefix(&tree_abs)
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let env = rel.split('/').next().unwrap_or_default();
    format!("{name}/{env}")
}

fn with_setup(
    common: Common,
    body: impl FnOnce(&Options, &Gaps, &Moto, &[PathBuf], &mut Report) -> Result<()>,
) -> Result<bool> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .context("AWS_ENDPOINT_URL must point at the moto server")?;
    let moto = Moto::new(&endpoint)?;
    let gaps = Gaps::load(&common.gaps)?;
    let tmp;
    let work_root = match &common.work {
        Some(w) => {
            std::fs::create_dir_all(w)?;
            std::path::absolute(w)?
        }
        None => {
            tmp = tempfile::Builder::new().prefix("tgforge-e2e-").tempdir()?;
            tmp.path().to_path_buf()
        }
    };
    let opts = Options {
        jobs: common.jobs,
        plan_only: false,
        encoding: match common.encoding {
            Encoding::Classic => InputEncoding::Classic,
            Encoding::Escape => InputEncoding::EscapeInterpolation,
        },
        work_root,
        terraform_bin: std::env::var("TGFORGE_E2E_TERRAFORM")
            .unwrap_or_else(|_| "terraform".into()),
        mirror: tgforge_e2e::terraform::find_plugin_mirror()?,
        endpoint,
        env: ci_env(),
    };
    let start = std::time::Instant::now();
    let mut report = Report::default();
    body(&opts, &gaps, &moto, &common.trees, &mut report).map_err(|e| anyhow!("{e:#}"))?;
    println!(
        "== end-to-end: {} in {:.0}s",
        report.summary(),
        start.elapsed().as_secs_f64()
    );
    Ok(report.passed())
}
