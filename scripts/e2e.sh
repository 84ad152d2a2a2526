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

moto_pid=
moto_log="$(mktemp)"
trap 'if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; fi' EXIT

# start_moto ACCOUNT: a fresh moto on a free port that serves every request as ACCOUNT (moto
# serves unknown credentials as one account; a tree's provider pins allowed_account_ids to
# its spec's account). Managed IAM policies exist in every AWS account (e.g.
# AmazonRDSEnhancedMonitoringRole); moto loads them only when asked. DNS-validated ACM
# certificates are issued at once.
start_moto() {
  stop_moto
  local port
  port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  MOTO_ACCOUNT_ID="$1" MOTO_IAM_LOAD_MANAGED_POLICIES=true MOTO_ACM_VALIDATION_WAIT=0 \
    "$venv/bin/python" e2e/moto_server.py -H 127.0.0.1 -p "$port" >"$moto_log" 2>&1 &
  moto_pid=$!
  for _ in $(seq 1 60); do
    if "$venv/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/data.json')" 2>/dev/null; then
      break
    fi
    sleep 1
  done
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
}

stop_moto() {
  if [ -n "$moto_pid" ]; then
    kill "$moto_pid" 2>/dev/null || true
    wait "$moto_pid" 2>/dev/null || true
    moto_pid=
  fi
}

# The account of a tree: the account_id of its environments (one per tree here).
account_of() {
  grep -h -m1 -o 'account_id *= *"[0-9]*"' "$1"/*/infrastructure/common_vars.hcl | head -n1 | grep -o '[0-9]\{12\}'
}

cargo build --release --quiet -p tgforge-e2e
status=0
start=$SECONDS
declare -A by_account=()
for tree in "${apply_trees[@]}"; do
  account=$(account_of "$tree")
  by_account[$account]+="$tree "
done
for account in "${!by_account[@]}"; do
  start_moto "$account"
  # shellcheck disable=SC2086 # the list holds paths without spaces, one per word
  ./target/release/tgforge-e2e run ${by_account[$account]} || status=1
done
if [ ${#plan_trees[@]} -gt 0 ]; then
  start_moto "$(account_of "${plan_trees[0]}")"
  ./target/release/tgforge-e2e plan-units "${plan_trees[@]}" || status=1
fi
start_moto 123456789012
cargo test --release --quiet -p tgforge-e2e --test planted_mistakes -- --ignored || status=1
stop_moto
echo "e2e: $((SECONDS - start))s"
if [ "$status" -ne 0 ]; then
  echo "e2e: moto log tail:" && tail -20 "$moto_log"
fi
exit "$status"
