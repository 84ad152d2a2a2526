//! `tgforge affected` benchmark: `cargo bench --bench affected`.
//!
//! For synthetic specs of 1, 10, 100 and 500 environments (each a copy of the production
//! environment of specs/team-task.yaml), generates the tree into a git repository, commits it,
//! then times the release binary (medians, process start and git included) on three changes:
//! - one environment's app size (`desired_count`) regenerated: `affected --base HEAD -o tree`
//!   (the tree on disk, through git: the common pull request);
//! - a module file edited: every environment's unit files are read;
//! - the same spec change from the spec: `affected SPEC --base HEAD -o tree` (renders the whole
//!   tree in memory and compares digests with the committed manifest).
//!
//! Each cell is the median wall time, then (in parentheses) the CPU time per run, user +
//! system, of tgforge and the git processes it starts, measured over 10 to 200 runs (about
//! 3 s) with `/usr/bin/time` (install `time`): on a shared, loaded machine the wall time mostly
//! measures the wait for a CPU, the CPU time what the run costs.
//!
//! Settings: `TGFORGE_BENCH_SIZES` (default `1,10,100,500`), `TGFORGE_BENCH_RUNS` (default 5),
//! `TGFORGE_BENCH_DIR` (default the system temp folder).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tgforge");

fn main() {
    let sizes: Vec<usize> = std::env::var("TGFORGE_BENCH_SIZES")
        .unwrap_or_else(|_| "1,10,100,500".into())
        .split(',')
        .map(|s| s.trim().parse().expect("TGFORGE_BENCH_SIZES: numbers"))
        .collect();
    let runs: usize = std::env::var("TGFORGE_BENCH_RUNS")
        .ok()
        .map_or(5, |s| s.parse().expect("TGFORGE_BENCH_RUNS: a number"));
    let base = std::env::var_os("TGFORGE_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let work = tempfile::Builder::new()
        .prefix("tgforge-bench-affected-")
        .tempdir_in(&base)
        .expect("a temporary folder for the benchmark");
    println!(
        "{runs} timed runs per cell, median; trees under {}; load average before: {}",
        base.display(),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!();
    println!(
        "| environments | files | affected: one unit changed | affected: a module changed | affected SPEC: one unit changed |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: |");
    for n in sizes {
        let repo = work.path().join(format!("n{n}"));
        std::fs::create_dir_all(&repo).unwrap();
        git(&repo, &["init", "-q"]);
        git(&repo, &["config", "user.email", "bench@example.com"]);
        git(&repo, &["config", "user.name", "bench"]);
        git(&repo, &["config", "commit.gpgsign", "false"]);
        let spec_text = synthetic_spec(n);
        std::fs::write(repo.join("bench.yaml"), &spec_text).unwrap();
        run(&repo, &["gen", "bench.yaml", "-o", "tree", "-q"]);
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", "base"]);
        let files = git(&repo, &["ls-files", "tree"]).lines().count();

        // The last environment's desired count changes: one unit (its ECS service).
        let at = spec_text
            .rfind("desired_count: 1")
            .expect("desired_count in the spec");
        let mut changed = spec_text.clone();
        changed.replace_range(at..at + "desired_count: 1".len(), "desired_count: 2");
        std::fs::write(repo.join("bench.yaml"), &changed).unwrap();
        run(&repo, &["gen", "bench.yaml", "-o", "tree", "-q"]);
        let tree_args = ["affected", "--base", "HEAD", "-o", "tree", "--json"];
        let one = expect_units(&repo, &tree_args, 1);
        let one_times = cell(&repo, &tree_args, runs);
        let spec_args = [
            "affected",
            "bench.yaml",
            "--base",
            "HEAD",
            "-o",
            "tree",
            "--json",
        ];
        expect_units(&repo, &spec_args, one);
        let spec_times = cell(&repo, &spec_args, runs);

        // A module file changes on disk: every environment's ECS service.
        let module = repo.join("tree/Modules/ECS_Fargate/main.tf");
        let mut text = std::fs::read_to_string(&module).unwrap();
        text.push_str("# changed\n");
        std::fs::write(&module, text).unwrap();
        expect_units(&repo, &tree_args, n);
        let module_times = cell(&repo, &tree_args, runs);

        println!("| {n} | {files} | {one_times} | {module_times} | {spec_times} |");
        std::fs::remove_dir_all(&repo).unwrap();
    }
}

/// `median wall (CPU per run)` of `tgforge ARGS` in `repo`.
fn cell(repo: &Path, args: &[&str], runs: usize) -> String {
    let wall = median((0..runs).map(|_| timed(repo, args)).collect());
    // `/usr/bin/time` counts in hundredths of a second: enough runs (about 3 s of wall time,
    // 10 to 200) that a run of a few milliseconds is measured to a tenth of one.
    let n = (3.0 / wall.as_secs_f64()).clamp(10.0, 200.0) as u32;
    let cpu = cpu_per_run(repo, args, n)
        .map(|c| format!(" ({})", ms(c)))
        .unwrap_or_default();
    format!("{}{cpu}", ms(wall))
}

/// User + system time per run of `tgforge ARGS` and its children, over `n` runs.
fn cpu_per_run(repo: &Path, args: &[&str], n: u32) -> Option<Duration> {
    if !Path::new("/usr/bin/time").exists() {
        return None;
    }
    let report = tempfile::NamedTempFile::new().unwrap();
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let script = format!(
        "for i in $(seq {n}); do '{BIN}' {} > /dev/null || exit 1; done",
        quoted.join(" ")
    );
    let status = Command::new("/usr/bin/time")
        .args(["-f", "%U %S", "-o"])
        .arg(report.path())
        .args(["sh", "-c", &script])
        .current_dir(repo)
        .status()
        .unwrap();
    assert!(status.success(), "tgforge {args:?}");
    let text = std::fs::read_to_string(report.path()).unwrap();
    let seconds: f64 = text
        .lines()
        .last()?
        .split_whitespace()
        .filter_map(|s| s.parse::<f64>().ok())
        .sum();
    Some(Duration::from_secs_f64(seconds / f64::from(n)))
}

/// Runs `affected` once and checks it found `units` affected units; returns that number.
fn expect_units(repo: &Path, args: &[&str], units: usize) -> usize {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(repo)
        .output()
        .unwrap();
    assert!(out.status.success(), "tgforge {args:?}: {out:?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["affected_units"], units, "tgforge {args:?}");
    units
}

fn run(repo: &Path, args: &[&str]) {
    let status = Command::new(BIN)
        .args(args)
        .current_dir(repo)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "tgforge {args:?}");
}

fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn timed(repo: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    let status = Command::new(BIN)
        .args(args)
        .current_dir(repo)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    let elapsed = start.elapsed();
    assert!(status.success(), "tgforge {args:?}");
    elapsed
}

/// specs/team-task.yaml with its one environment copied `n` times as `env-001`...
fn synthetic_spec(n: usize) -> String {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/team-task.yaml"))
            .expect("specs/team-task.yaml");
    let at = text
        .find("\n  production:\n")
        .expect("team-task.yaml has a production environment")
        + 1;
    let (head, environment) = text.split_at(at);
    let mut spec = head.to_string();
    for i in 1..=n {
        spec.push_str(&environment.replacen("  production:", &format!("  env-{i:03}:"), 1));
    }
    spec
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}
