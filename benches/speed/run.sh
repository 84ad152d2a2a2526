#!/usr/bin/env bash
# Speed benchmark of issue 15: tgforge gen vs cp -r vs a Python + Jinja2 script.
# Builds the release binary, makes a venv with the peer's packages (pinned, from PyPI),
# then runs bench.py (see its header for what is measured and the settings).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${TGFORGE_BENCH_VENV:-$HOME/.cache/tgforge-bench-venv}"
command -v /usr/bin/time >/dev/null || { echo "install time (apt-get install time) for peak memory" >&2; exit 2; }
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -c 'import jinja2, yaml' 2>/dev/null ||
  "$venv/bin/pip" install -q 'jinja2==3.1.6' 'PyYAML==6.0.3'
(cd "$repo" && cargo build --release --quiet)
exec "$venv/bin/python" "$repo/benches/speed/bench.py" "$repo/target/release/tgforge"
