#!/usr/bin/env bash
# End-to-end check of generated trees against moto, the AWS API emulator (issue 10).
# Installs pinned moto[server] in its own virtualenv, starts it on a free port of 127.0.0.1
# (stopped on exit), then runs the e2e harness (crate e2e/): per environment, a plan of every
# unit with mock outputs, apply in dependency order, a second plan that must show no changes,
# destroy in reverse order and a check that nothing is left. Failures not on
# e2e/emulator-gaps.txt fail the run. Needs terraform and a filesystem mirror holding
# hashicorp/aws (found at run time, or TGFORGE_E2E_PLUGIN_MIRROR).
#
# Usage: scripts/e2e.sh TREE... [-- --plan-units TREE...]
#   TREE...                  trees to apply (folders holding root.hcl)
#   --plan-units TREE...     trees whose distinct units are only planned with mock outputs
#   (also runs the planted-mistakes test: cargo test -p tgforge-e2e -- --ignored)
set -euo pipefail
cd "$(dirname "$0")/.."

apply_trees=()
plan_trees=()
mode=apply
for arg in "$@"; do
  case "$arg" in
    --) ;;
    --plan-units) mode=plan ;;
    *) if [ "$mode" = apply ]; then apply_trees+=("$arg"); else plan_trees+=("$arg"); fi ;;
  esac
done

command -v terraform >/dev/null || { echo "e2e: terraform is not installed" >&2; exit 1; }
command -v openssl >/dev/null || { apt-get update -qq && apt-get install -y -qq openssl >/dev/null; }

moto_version=5.2.5
venv="${XDG_CACHE_HOME:-$HOME/.cache}/tgforge-moto-venv"
if ! "$venv/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$moto_version')" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$moto_version"
fi

port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
moto_log="$(mktemp)"
# Managed IAM policies exist in every AWS account (e.g. AmazonRDSEnhancedMonitoringRole);
# moto loads them only when asked. ACM: DNS-validated certificates are issued at once.
MOTO_IAM_LOAD_MANAGED_POLICIES=true MOTO_ACM_VALIDATION_WAIT=0 \
  "$venv/bin/python" e2e/moto_server.py -H 127.0.0.1 -p "$port" >"$moto_log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  if "$venv/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/data.json')" 2>/dev/null; then
    break
  fi
  sleep 1
done
export AWS_ENDPOINT_URL="http://127.0.0.1:$port"

cargo build --release --quiet -p tgforge-e2e
status=0
start=$SECONDS
if [ ${#apply_trees[@]} -gt 0 ]; then
  ./target/release/tgforge-e2e run "${apply_trees[@]}" || status=1
fi
if [ ${#plan_trees[@]} -gt 0 ]; then
  ./target/release/tgforge-e2e plan-units "${plan_trees[@]}" || status=1
fi
cargo test --release --quiet -p tgforge-e2e --test planted_mistakes -- --ignored || status=1
echo "e2e: $((SECONDS - start))s"
if [ "$status" -ne 0 ]; then
  echo "e2e: moto log tail:" && tail -20 "$moto_log"
fi
exit "$status"
