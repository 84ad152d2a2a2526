#!/usr/bin/env bash
# End-to-end check of generated trees against moto, the AWS API emulator (issue 10).
# Installs pinned moto[server] in its own virtualenv (or uses TGFORGE_MOTO_VENV, as .ci/run
# does), then runs the e2e harness (crate e2e/) once per environment of every tree, each run
# against its own fresh moto on a free port of 127.0.0.1 that serves the environment's account
# (stopped at the end): a plan of every unit with mock outputs, apply in dependency order, a
# second plan that must show no changes, destroy in reverse order and a check that nothing is
# left. Runs go E2E_LANES at a time (default 4: Terraform mostly waits on the provider's
# polling). Failures not on e2e/emulator-gaps.txt fail the run. Needs terraform and a
# filesystem mirror holding hashicorp/aws (found at run time, or TGFORGE_E2E_PLUGIN_MIRROR).
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
lanes="${E2E_LANES:-4}"

command -v terraform >/dev/null || { echo "e2e: terraform is not installed" >&2; exit 1; }
command -v openssl >/dev/null || { apt-get update -qq && apt-get install -y -qq openssl >/dev/null; }

moto_version=5.2.5
venv="${TGFORGE_MOTO_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/tgforge-moto-venv}"
if ! "$venv/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$moto_version')" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$moto_version"
fi

logs="$(mktemp -d)"
trap 'xargs -r kill 2>/dev/null <"$logs/moto.pids" || true' EXIT

# with_moto ACCOUNT LOG CMD...: runs CMD with AWS_ENDPOINT_URL pointing at a fresh moto on a
# free port that serves every request as ACCOUNT (moto serves all credentials as one
# account; a tree's provider pins allowed_account_ids to its spec's account). Managed IAM
# policies exist in every AWS account (e.g. AmazonRDSEnhancedMonitoringRole); moto loads them
# only when asked. DNS-validated ACM certificates are issued at once. e2e/moto_server.py adds
# the few AWS behaviours moto lacks that the trees need (listed in its docstring).
with_moto() {
  local account="$1" log="$2" port pid status=0
  shift 2
  port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  MOTO_ACCOUNT_ID="$account" MOTO_IAM_LOAD_MANAGED_POLICIES=true MOTO_ACM_VALIDATION_WAIT=0 \
    "$venv/bin/python" e2e/moto_server.py -H 127.0.0.1 -p "$port" >"$log.moto" 2>&1 &
  pid=$!
  echo "$pid" >>"$logs/moto.pids"
  for _ in $(seq 1 120); do
    if "$venv/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/data.json')" 2>/dev/null; then
      break
    fi
    sleep 0.5
  done
  AWS_ENDPOINT_URL="http://127.0.0.1:$port" "$@" >"$log" 2>&1 || status=$?
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    { echo "moto log tail:"; tail -20 "$log.moto"; } >>"$log"
  fi
  return "$status"
}

# The account of one environment of a tree.
account_of() {
  grep -h -m1 -o 'account_id *= *"[0-9]*"' "$1/$2/infrastructure/common_vars.hcl" | grep -o '[0-9]\{12\}'
}

cargo build --quiet -p tgforge-e2e
cargo test --quiet -p tgforge-e2e --test planted_mistakes --no-run
start=$SECONDS

# One job per environment of every tree to apply, the combination plans, the planted mistakes.
# Largest environments first (by unit count), so that the last lanes to finish run small ones;
# the combination plans weigh about as much as a 12-unit environment.
jobs=()
weighted=()
for tree in "${apply_trees[@]}"; do
  for common in "$tree"/*/infrastructure/common_vars.hcl; do
    env_dir=$(dirname "$(dirname "$common")")
    env=$(basename "$env_dir")
    units=$(find "$env_dir/infrastructure" -mindepth 2 -maxdepth 2 -name terragrunt.hcl | wc -l)
    weighted+=("$units run|$(account_of "$tree" "$env")|$tree|$env")
  done
done
if [ ${#plan_trees[@]} -gt 0 ]; then
  weighted+=("12 plan|123456789012|${plan_trees[*]}|")
fi
weighted+=("1 planted|123456789012||")
while IFS= read -r line; do
  jobs+=("${line#* }")
done < <(printf '%s\n' "${weighted[@]}" | sort -s -k1,1 -rn)

run_job() {
  local kind account tree env log
  IFS='|' read -r kind account tree env <<<"$1"
  log="$logs/$2.log"
  case "$kind" in
    run) with_moto "$account" "$log" ./target/debug/tgforge-e2e run --env "$env" "$tree" ;;
    plan)
      # shellcheck disable=SC2086 # the list holds paths without spaces, one per word
      with_moto "$account" "$log" ./target/debug/tgforge-e2e plan-units $tree ;;
    planted) with_moto "$account" "$log" cargo test --quiet -p tgforge-e2e \
      --test planted_mistakes -- --ignored ;;
  esac
}

declare -A pids=() names=()
status=0
finish() {
  local pid="$1" job_status="$2"
  echo "---- e2e job ${names[$pid]}: $([ "$job_status" -eq 0 ] && echo passed || echo FAILED)"
  cat "$logs/${pids[$pid]}.log"
  [ "$job_status" -eq 0 ] || status=1
  unset "pids[$pid]" "names[$pid]"
}
for i in "${!jobs[@]}"; do
  while [ "${#pids[@]}" -ge "$lanes" ]; do
    rc=0
    wait -n -p done_pid "${!pids[@]}" || rc=$?
    finish "$done_pid" "$rc"
  done
  run_job "${jobs[$i]}" "$i" &
  pids[$!]=$i
  names[$!]="${jobs[$i]}"
done
for pid in "${!pids[@]}"; do
  rc=0
  wait "$pid" || rc=$?
  finish "$pid" "$rc"
done
echo "e2e: $((SECONDS - start))s, $([ "$status" -eq 0 ] && echo passed || echo FAILED)"
exit "$status"
