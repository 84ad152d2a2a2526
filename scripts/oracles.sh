#!/usr/bin/env bash
# Runs the output oracles on generated trees: HashiCorp's HCL formatter (hcl-fmt-check, which
# also covers the Packer templates), the AWS provider schema check (tf-schema-check), checkov,
# and shellcheck + bash -n on every shell script. Every finding fails the run.
# Usage: scripts/oracles.sh DIR...   (default: every tree under generated/)
set -euo pipefail
cd "$(dirname "$0")/.."
tools="${TGFORGE_TOOLS:-../shared/tools}"
checkov="${CHECKOV:-checkov}"
if [ "$#" -eq 0 ]; then
  set -- generated/*/
fi
status=0
for tree in "$@"; do
  tree="${tree%/}"
  echo "== oracles on $tree"
  "$tools/hcl-fmt-check" --quiet "$tree" || status=1
  "$tools/tf-schema-check" --strict --quiet "$tree" || status=1
  while IFS= read -r -d '' script; do
    bash -n "$script" || status=1
    shellcheck "$script" || status=1
  done < <(find "$tree" -name '*.sh' -print0)
  # --soft-fail is not used: a failed check fails CI. Skips are inline, each with its reason.
  if ! "$checkov" -d "$tree" --quiet --compact --skip-download > "/tmp/checkov-$(basename "$tree").log" 2>&1; then
    cat "/tmp/checkov-$(basename "$tree").log"
    status=1
  else
    grep -E "Passed checks|Failed checks" "/tmp/checkov-$(basename "$tree").log" || echo "checkov: no failed checks"
  fi
done
exit $status
