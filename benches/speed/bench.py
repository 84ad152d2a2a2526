"""Speed benchmark: tgforge `gen` against `cp -r` and a Python + Jinja2 script (issue 15).

Run it with `benches/speed/run.sh` (builds the release binary, makes a venv with Jinja2 and
PyYAML, then runs this file). For each file system (the working disk and tmpfs) and each size
(1, 10, 100, 500 environments: the production environment of specs/team-task.yaml copied N
times, as in benches/regeneration.rs) it:

1. generates the tree with tgforge, with the peer script (peer_jinja.py, templates derived from
   tgforge's own output) and with `cp -r` of tgforge's tree, and stops unless all three trees
   are byte-identical, file for file;
2. times, interleaved (one run of each tool in turn, the order rotating), `gen` into a folder
   that does not exist, the peer into one, and `cp -r` into one; then tgforge's no-op rerun
   and `--check` on the finished tree (with the fast path, and without it:
   TGFORGE_NO_CACHE=1); removing the trees between runs is not timed;
3. measures peak resident memory with /usr/bin/time -f %M;

and prints medians and ratios as Markdown: wall times (process start included) and, in
parentheses, CPU times (user + system of the process, its threads and any process it starts),
which a loaded machine inflates far less.

Settings (environment): TGFORGE_BENCH_SIZES (1,10,100,500), TGFORGE_BENCH_RUNS (5),
TGFORGE_BENCH_DISK (the folder on the working disk, default target/speed-bench),
TGFORGE_BENCH_TMPFS (/dev/shm), TGFORGE_BENCH_ONLY (`tmpfs` or `working disk`: one place).
"""

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import peer_jinja  # noqa: E402

TIME = "/usr/bin/time"


def synthetic_spec(n):
    with open(os.path.join(REPO, "specs", "team-task.yaml")) as f:
        text = f.read()
    at = text.index("\n  production:\n") + 1
    head, environment = text[:at], text[at:]
    return head + "".join(
        environment.replace("  production:", f"  env-{i:03}:", 1) for i in range(1, n + 1)
    )


# CPU time (user + system) of the last `run`, its own threads and processes included: on a
# shared, loaded machine the wall time mostly measures the wait for a CPU, the CPU time what
# the run costs.
LAST_CPU = [0.0]


def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args, env=None, code=0):
    """Runs `args`, checks the exit code, returns the wall time in seconds (CPU: LAST_CPU)."""
    cpu = cpu_of_children()
    start = time.perf_counter()
    done = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    LAST_CPU[0] = cpu_of_children() - cpu
    if done.returncode != code:
        raise SystemExit(f"{args} exited {done.returncode}: {done.stderr.decode()}")
    return elapsed


def peak_rss(args, env=None, code=0):
    """Peak resident memory of `args` in KiB."""
    with tempfile.NamedTemporaryFile() as report:
        done = subprocess.run(
            [TIME, "-f", "%M", "-o", report.name, *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        if done.returncode != code:
            raise SystemExit(f"{args} exited {done.returncode}: {done.stderr.decode()}")
        return int(open(report.name).read().split()[-1])


def tree(root):
    """Relative path -> bytes of every file under `root`."""
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                files[os.path.relpath(path, root)] = f.read()
    return files


def same_tree(a, b, what):
    ta, tb = tree(a), tree(b)
    if ta != tb:
        only = sorted(set(ta) ^ set(tb))[:5]
        differ = sorted(p for p in set(ta) & set(tb) if ta[p] != tb[p])[:5]
        raise SystemExit(f"{what}: trees differ (only in one: {only}; different: {differ})")
    return len(ta), sum(len(v) for v in ta.values())


def remove(path):
    if os.path.lexists(path):
        shutil.rmtree(path)


def ms(seconds):
    v = seconds * 1000
    return f"{v:.1f} ms" if v < 100 else f"{v:.0f} ms"


def mib(kib):
    return f"{kib / 1024:.0f}"


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs (nproc), {model}"


def file_system(path):
    path = os.path.realpath(path)
    best = (0, "unknown")
    with open("/proc/mounts") as f:
        for line in f:
            _, point, fs = line.split()[:3]
            if (path == point or path.startswith(point.rstrip("/") + "/")) and len(point) > best[0]:
                best = (len(point), fs)
    return best[1]


def bench_size(base, n, runs, tgforge, python, templates, env, env_no_cache):
    work = os.path.join(base, f"n{n}")
    remove(work)
    os.makedirs(work)
    spec = os.path.join(work, "bench.yaml")
    with open(spec, "w") as f:
        f.write(synthetic_spec(n))
    ref = os.path.join(work, "tgforge")
    run([tgforge, "gen", spec, "-o", ref, "-q"], env)

    # Identical outputs first, or nothing is timed.
    peer_out = os.path.join(work, "peer-check")
    run([python, os.path.join(HERE, "peer_jinja.py"), templates, spec, peer_out])
    files, size = same_tree(ref, peer_out, f"{n} environments: tgforge vs Jinja2 peer")
    remove(peer_out)
    cp_out = os.path.join(work, "cp-check")
    run(["cp", "-r", ref, cp_out])
    same_tree(ref, cp_out, f"{n} environments: tgforge vs cp -r")
    remove(cp_out)

    tools = {
        "gen": lambda out: [tgforge, "gen", spec, "-o", out, "-q"],
        "jinja": lambda out: [python, os.path.join(HERE, "peer_jinja.py"), templates, spec, out],
        "cp": lambda out: ["cp", "-r", ref, out],
    }
    times = {name: [] for name in [*tools, "noop", "check", "noop_nc", "check_nc"]}
    cpu = {name: [] for name in times}

    def timed(name, args, env):
        times[name].append(run(args, env))
        cpu[name].append(LAST_CPU[0])

    names = list(tools)
    for r in range(runs):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            out = os.path.join(work, f"run-{name}")
            remove(out)
            timed(name, tools[name](out), env)
            remove(out)
        timed("noop", [tgforge, "gen", spec, "-o", ref, "-q"], env)
        timed("check", [tgforge, "gen", spec, "-o", ref, "--check"], env)
        timed("noop_nc", [tgforge, "gen", spec, "-o", ref, "-q"], env_no_cache)
        timed("check_nc", [tgforge, "gen", spec, "-o", ref, "--check"], env_no_cache)
    med = {name: statistics.median(t) for name, t in times.items()}
    med.update({f"{name}_cpu": statistics.median(t) for name, t in cpu.items()})

    rss = {}
    for name in names:
        out = os.path.join(work, f"rss-{name}")
        remove(out)
        rss[name] = peak_rss(tools[name](out), env)
        remove(out)
    rss["noop"] = peak_rss([tgforge, "gen", spec, "-o", ref, "-q"], env)
    rss["check"] = peak_rss([tgforge, "gen", spec, "-o", ref, "--check"], env)
    rss["noop_nc"] = peak_rss([tgforge, "gen", spec, "-o", ref, "-q"], env_no_cache)
    remove(work)
    return files, size, med, rss


def main():
    tgforge = sys.argv[1]
    python = sys.executable
    sizes = [int(s) for s in os.environ.get("TGFORGE_BENCH_SIZES", "1,10,100,500").split(",")]
    runs = int(os.environ.get("TGFORGE_BENCH_RUNS", "5"))
    places = [
        ("working disk", os.environ.get("TGFORGE_BENCH_DISK", os.path.join(REPO, "target", "speed-bench"))),
        ("tmpfs", os.environ.get("TGFORGE_BENCH_TMPFS", "/dev/shm")),
    ]
    only = os.environ.get("TGFORGE_BENCH_ONLY")
    places = [p for p in places if not only or p[0] == only]
    scratch = tempfile.mkdtemp(prefix="tgforge-speed-")
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(scratch, "cache"))
    env.pop("TGFORGE_NO_CACHE", None)
    env_no_cache = dict(env, TGFORGE_NO_CACHE="1")

    # The peer's templates, derived from tgforge's output for one and two environments.
    for n in (1, 2):
        os.makedirs(os.path.join(scratch, f"d{n}"))
        spec = os.path.join(scratch, f"d{n}", "bench.yaml")
        with open(spec, "w") as f:
            f.write(synthetic_spec(n))
        run([tgforge, "gen", spec, "-o", os.path.join(scratch, f"d{n}", "out"), "-q"], env)
    templates = os.path.join(scratch, "templates")
    peer_jinja.derive(os.path.join(scratch, "d1", "out"), os.path.join(scratch, "d2", "out"), templates)

    print(f"machine: {machine()}; load average at start: {os.getloadavg()[0]:.1f}")
    print(f"tgforge: {tgforge}; peer: Python {sys.version.split()[0]}, Jinja2 "
          f"{__import__('jinja2').__version__}, PyYAML {__import__('yaml').__version__}")
    print(f"{runs} interleaved runs per cell, median; wall time including process start; "
          "outputs checked byte-identical first")
    for label, base in places:
        os.makedirs(base, exist_ok=True)
        base = tempfile.mkdtemp(prefix="tgforge-speed-", dir=base)
        # The fast path's user cache is written by `gen` too: on the same file system.
        env = dict(env, XDG_CACHE_HOME=os.path.join(base, "cache"))
        env_no_cache = dict(env, TGFORGE_NO_CACHE="1")
        print()
        print(f"### {label}: {base} ({file_system(base)})")
        print()
        print("Each time cell: median wall time (median CPU time, user + system, in parentheses); "
              "ratios of wall times, then of CPU times.")
        print()
        print("| envs | files | size | cp -r | Jinja2 script | tgforge gen | gen / cp -r "
              "| Jinja2 / gen | no-op | --check | no-op, no cache | --check, no cache "
              "| peak RSS MiB: gen / no-op / check / no-op no cache / Jinja2 / cp |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
              "| ---: | ---: |")

        def cell(med, name):
            return f"{ms(med[name])} ({ms(med[name + '_cpu'])})"

        def ratio(med, a, b):
            return f"{med[a] / med[b]:.2f}x ({med[a + '_cpu'] / max(med[b + '_cpu'], 1e-9):.2f}x)"

        for n in sizes:
            files, size, med, rss = bench_size(base, n, runs, tgforge, python, templates, env, env_no_cache)
            print(
                f"| {n} | {files} | {size / 1048576:.1f} MiB | {cell(med, 'cp')} | {cell(med, 'jinja')} "
                f"| {cell(med, 'gen')} | {ratio(med, 'gen', 'cp')} | {ratio(med, 'jinja', 'gen')} "
                f"| {cell(med, 'noop')} | {cell(med, 'check')} | {cell(med, 'noop_nc')} | {cell(med, 'check_nc')} "
                f"| {mib(rss['gen'])} / {mib(rss['noop'])} / {mib(rss['check'])} / {mib(rss['noop_nc'])} "
                f"/ {mib(rss['jinja'])} / {mib(rss['cp'])} |",
                flush=True,
            )
        shutil.rmtree(base)
    print()
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
