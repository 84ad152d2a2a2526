#!/usr/bin/env bash
# Runs the output oracles on generated trees: HashiCorp's HCL formatter (hcl-fmt-check, which
# also covers the Packer templates), the AWS provider schema check (tf-schema-check), checkov,
# and shellcheck + bash -n on every shell script. Every finding fails the run.
#
# Usage: scripts/oracles.sh [DIR...]          (default: every tree under generated/)
#        scripts/oracles.sh --many ROOT       every tree below ROOT (the architecture
#                                             combinations); see below for checkov
set -euo pipefail
cd "$(dirname "$0")/.."
tools="${TGFORGE_TOOLS:-../shared/tools}"
checkov="${CHECKOV:-checkov}"
status=0

scripts_check() {
  while IFS= read -r -d '' script; do
    bash -n "$script" || status=1
    shellcheck "$script" || status=1
  done < <(find "$1" -name '*.sh' -print0)
}

run_checkov() {
  local dir=$1 log
  log="$(mktemp)"
  # --soft-fail is not used: a failed check fails CI. Skips are inline, each with its reason.
  if ! "$checkov" -d "$dir" --quiet --compact --skip-download >"$log" 2>&1; then
    cat "$log"
    status=1
  else
    grep -E "scan results|Passed checks" "$log" || echo "checkov: no failed checks"
  fi
  rm -f "$log"
}

if [ "${1:-}" = "--many" ]; then
  root="${2:?usage: scripts/oracles.sh --many ROOT}"
  echo "== oracles on every tree under $root"
  "$tools/hcl-fmt-check" --quiet "$root" || status=1
  "$tools/tf-schema-check" --strict --quiet "$root" || status=1
  scripts_check "$root"
  # checkov's Terraform checks see only the .tf files, and those are the Modules/ folders,
  # which tgforge copies byte for byte into every tree. So checkov runs once over one copy of
  # each module, after proving every tree's copy is identical to it (minutes saved per run).
  unique="$(mktemp -d)"
  while IFS= read -r -d '' module; do
    name=$(basename "$module")
    if [ -d "$unique/$name" ]; then
      diff -r "$unique/$name" "$module" >/dev/null || { echo "$module differs from another copy of $name"; status=1; }
    else
      cp -r "$module" "$unique/$name"
    fi
  done < <(find "$root" -path '*/Modules/*' -mindepth 1 -maxdepth 4 -type d -print0 | while IFS= read -r -d '' d; do
    [ "$(basename "$(dirname "$d")")" = Modules ] && printf '%s\0' "$d"; done)
  echo "checkov over the $(find "$unique" -mindepth 1 -maxdepth 1 -type d | wc -l) distinct modules of these trees"
  run_checkov "$unique"
  rm -rf "$unique"
  exit $status
fi

if [ "$#" -eq 0 ]; then
  set -- generated/*/
fi
for tree in "$@"; do
  tree="${tree%/}"
  echo "== oracles on $tree"
  "$tools/hcl-fmt-check" --quiet "$tree" || status=1
  "$tools/tf-schema-check" --strict --quiet "$tree" || status=1
  scripts_check "$tree"
  run_checkov "$tree"
done
exit $status
