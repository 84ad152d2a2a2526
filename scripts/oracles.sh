#!/usr/bin/env bash
# Runs the output oracles on generated trees: HashiCorp's HCL formatter (hcl-fmt-check, which
# also covers the Packer templates), the AWS provider schema check (tf-schema-check, provider
# 6.25.0), `terraform validate` of every module with the local hashicorp/aws 5.x provider (the
# modules must be valid on 5.x and 6.x), checkov, and shellcheck + bash -n on every shell
# script. Every finding fails the run.
#
# Usage: scripts/oracles.sh [DIR...]          (default: every tree under generated/)
#        scripts/oracles.sh --many ROOT       every tree below ROOT (the architecture
#                                             combinations); see below for checkov
set -euo pipefail
cd "$(dirname "$0")/.."
tools="${TGFORGE_TOOLS:-../shared/tools}"
checkov="${CHECKOV:-checkov}"
# checkov gives up parsing a file after 10 s and reports it as a parsing error; on a busy 2-CPU
# machine that is a false finding, so parsing may take as long as it needs.
export HCL_PARSE_TIMEOUT_SEC="${HCL_PARSE_TIMEOUT_SEC:-0}"
status=0

scripts_check() {
  while IFS= read -r -d '' script; do
    bash -n "$script" || status=1
    shellcheck "$script" || status=1
  done < <(find "$1" -name '*.sh' -print0)
}

# Finds a filesystem plugin mirror holding hashicorp/aws (nothing is downloaded from the
# registry): TGFORGE_TF_PLUGIN_MIRROR, else the first terraform-provider-aws under /opt or
# ~/.terraform.d. The mirror layout is MIRROR/registry.terraform.io/hashicorp/aws/VERSION/OS_ARCH/.
find_provider_mirror() {
  if [ -n "${TGFORGE_TF_PLUGIN_MIRROR:-}" ]; then
    echo "$TGFORGE_TF_PLUGIN_MIRROR"
    return
  fi
  local binary
  binary=$(find /opt "$HOME/.terraform.d" -path '*/registry.terraform.io/hashicorp/aws/*' \
    -name 'terraform-provider-aws*' -type f 2>/dev/null | sort | tail -n 1)
  [ -n "$binary" ] || return 1
  dirname "$(dirname "$(dirname "$(dirname "$(dirname "$(dirname "$binary")")")")")"
}

# `terraform init -backend=false && terraform validate` on a copy of each distinct module
# (by content) of the trees given, so nothing is written into the trees themselves.
tf_validate() {
  local work mirror module sum count=0
  if ! command -v terraform >/dev/null; then
    echo "terraform validate: terraform is not installed (needed to validate the modules)"
    status=1
    return
  fi
  if ! mirror=$(find_provider_mirror); then
    echo "terraform validate: no hashicorp/aws provider found under /opt or ~/.terraform.d;" \
      "set TGFORGE_TF_PLUGIN_MIRROR to a filesystem mirror holding it"
    status=1
    return
  fi
  work="$(mktemp -d)"
  mkdir -p "$work/seen"
  # From an unpacked mirror, `init` links the provider instead of copying its 600 MB.
  printf 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' \
    "$mirror" >"$work/terraformrc"
  while IFS= read -r -d '' module; do
    sum=$(cd "$module" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
    [ -e "$work/seen/$sum" ] && continue
    touch "$work/seen/$sum"
    rm -rf "$work/module" && cp -r "$module" "$work/module" && : >"$work/log"
    count=$((count + 1))
    # Every module needs only hashicorp/aws, so one `init` serves all: later modules reuse its
    # data dir and lock file (a module needing another provider fails validate, as it should).
    if ! (cd "$work/module" && export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_DATA_DIR="$work/data" &&
      if [ -e "$work/lock.hcl" ]; then cp "$work/lock.hcl" .terraform.lock.hcl; else
        terraform init -backend=false -input=false -no-color >"$work/log" 2>&1 &&
          cp .terraform.lock.hcl "$work/lock.hcl"; fi &&
      terraform validate -no-color >>"$work/log" 2>&1); then
      echo "terraform validate: $module"
      cat "$work/log"
      status=1
    fi
  done < <(for tree in "$@"; do
    find "$tree" -path '*/Modules/*' -name versions.tf -print0 | xargs -0 -r -n1 dirname -z
  done)
  echo "terraform validate: $count distinct modules checked with the provider mirror at $mirror"
  rm -rf "$work"
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
  tf_validate "$root"
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
  tf_validate "$tree"
  scripts_check "$tree"
  run_checkov "$tree"
done
exit $status
