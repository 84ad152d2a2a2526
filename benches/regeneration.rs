//! Regeneration benchmark: `cargo bench --bench regeneration`.
//!
//! For synthetic specs of 1, 10, 100 and 500 environments (each a copy of the production
//! environment of specs/team-task.yaml), runs the release `tgforge` binary and reports the
//! files and bytes it writes, the wall time of `gen` into an empty folder, of a no-op rerun and
//! of `--check` (medians), and the peak resident memory of each (`/usr/bin/time -f %M`; install
//! `time` if it is missing). Prints a Markdown table for docs/regeneration.md.
//!
//! Settings (environment variables): `TGFORGE_BENCH_SIZES` (default `1,10,100,500`),
//! `TGFORGE_BENCH_RUNS` (timed runs per measurement, default 5), `TGFORGE_BENCH_DIR` (where
//! the trees are written, default the system temp folder: the file system matters for `gen`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tgforge");
const TIME: &str = "/usr/bin/time";

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
        .prefix("tgforge-bench-")
        .tempdir_in(&base)
        .expect("a temporary folder for the benchmark");
    let has_time = Path::new(TIME).exists();

    println!("machine: {}", machine());
    println!(
        "trees written under {} ({}); {runs} timed runs per cell, median",
        base.display(),
        file_system(&base)
    );
    if !has_time {
        println!("{TIME} is missing (apt-get install time): no peak memory");
    }
    println!();
    println!(
        "| environments | files | bytes | gen, empty folder | no-op rerun | --check | peak RSS gen / no-op / check |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for n in sizes {
        let dir = work.path().join(format!("n{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        let spec = dir.join("bench.yaml");
        std::fs::write(&spec, synthetic_spec(n)).unwrap();
        let out = dir.join("out");

        // Into an empty folder: each run gets a new one (removing it is not timed).
        let gen_times: Vec<Duration> = (0..runs)
            .map(|i| {
                let fresh = dir.join(format!("fresh-{i}"));
                let t = timed(&gen_args(&spec, &fresh, &["-q"]), 0);
                std::fs::remove_dir_all(&fresh).unwrap();
                t
            })
            .collect();
        timed(&gen_args(&spec, &out, &["-q"]), 0);
        let (files, bytes) = tree_size(&out);
        let noop_times: Vec<Duration> = (0..runs)
            .map(|_| timed(&gen_args(&spec, &out, &["-q"]), 0))
            .collect();
        let check_times: Vec<Duration> = (0..runs)
            .map(|_| timed(&gen_args(&spec, &out, &["--check"]), 0))
            .collect();

        let rss = if has_time {
            let fresh = dir.join("fresh-rss");
            let gen_rss = peak_rss(&gen_args(&spec, &fresh, &["-q"]), 0);
            let noop_rss = peak_rss(&gen_args(&spec, &out, &["-q"]), 0);
            let check_rss = peak_rss(&gen_args(&spec, &out, &["--check"]), 0);
            format!("{} / {} / {}", mib(gen_rss), mib(noop_rss), mib(check_rss))
        } else {
            "n/a".into()
        };
        println!(
            "| {n} | {files} | {} | {} | {} | {} | {rss} |",
            bytes_text(bytes),
            ms(median(gen_times)),
            ms(median(noop_times)),
            ms(median(check_times)),
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
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

fn gen_args(spec: &Path, out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "gen".to_string(),
        spec.display().to_string(),
        "-o".to_string(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// Runs the binary once, checks its exit code, returns the wall time.
fn timed(args: &[String], code: i32) -> Duration {
    let start = Instant::now();
    let status = Command::new(BIN)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .expect("tgforge runs");
    let elapsed = start.elapsed();
    assert_eq!(status.code(), Some(code), "tgforge {args:?}");
    elapsed
}

/// Runs the binary once under `/usr/bin/time`, returns its peak resident set in KiB.
fn peak_rss(args: &[String], code: i32) -> u64 {
    let report = tempfile::NamedTempFile::new().unwrap();
    let status = Command::new(TIME)
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(report.path())
        .arg(BIN)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .expect("/usr/bin/time runs");
    assert_eq!(status.code(), Some(code), "tgforge {args:?}");
    std::fs::read_to_string(report.path())
        .unwrap()
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .expect("/usr/bin/time -f %M prints the peak RSS in KiB")
}

/// Files and bytes under `root`.
fn tree_size(root: &Path) -> (usize, u64) {
    let mut files = 0;
    let mut bytes = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                files += 1;
                bytes += meta.len();
            }
        }
    }
    (files, bytes)
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

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

fn bytes_text(bytes: u64) -> String {
    if bytes < 1 << 20 {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    }
}

/// `nproc` and the CPU model, from /proc/cpuinfo.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpus} CPUs (nproc), {model}")
}

/// The file system type of `path`, from /proc/mounts (longest matching mount point).
fn file_system(path: &Path) -> String {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    std::fs::read_to_string("/proc/mounts")
        .ok()
        .and_then(|mounts| {
            mounts
                .lines()
                .filter_map(|l| {
                    let mut parts = l.split_whitespace();
                    let (_, point, fs) = (parts.next()?, parts.next()?, parts.next()?);
                    path.starts_with(point)
                        .then(|| (point.len(), fs.to_string()))
                })
                .max()
                .map(|(_, fs)| fs)
        })
        .unwrap_or_else(|| "unknown file system".into())
}
