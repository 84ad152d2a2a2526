#!/usr/bin/env bash
# Bakes the project's AMIs in layer order: system -> middleware -> application.
#
# Usage: Packer/build.sh VARFILE [layer...]
#   VARFILE  the environment's var file, e.g. prod/packer.pkrvars.hcl
#   layer    system, middleware and/or application; default all three. The named layers always
#            run in layer order, since each one starts from the newest AMI of the previous one.
#
# Example, after an app change: Packer/build.sh prod/packer.pkrvars.hcl application
#
# Needs packer (>= 1.9), AWS credentials for the environment's account (e.g. AWS_PROFILE), and the
# AWS Session Manager plugin: Packer reaches the build instances through Session Manager, not SSH.
set -euo pipefail

readonly LAYERS=(system middleware application)

usage() {
  echo "usage: $0 VARFILE [layer...]   (layers: ${LAYERS[*]}; default: all, in that order)" >&2
  exit 2
}

[[ $# -ge 1 ]] || usage
case "$1" in
  -h | --help) usage ;;
esac

# Resolve the var file before changing directory, so a path relative to the caller works.
[[ -f $1 ]] || {
  echo "$0: var file not found: $1" >&2
  exit 2
}
varfile="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift

# Which layers to build: those named, kept in layer order; all of them by default.
declare -A wanted=()
for layer in "$@"; do
  case "${layer}" in
    system | middleware | application) wanted["${layer}"]=1 ;;
    *)
      echo "$0: unknown layer: ${layer}" >&2
      usage
      ;;
  esac
done
selected=()
for layer in "${LAYERS[@]}"; do
  if [[ $# -eq 0 || -n ${wanted[${layer}]:-} ]]; then
    selected+=("${layer}")
  fi
done

for tool in packer session-manager-plugin; do
  command -v "${tool}" > /dev/null || {
    echo "$0: ${tool} is not installed or not on PATH" >&2
    exit 1
  }
done

# Each layer is its own Packer configuration in its own folder, next to this script.
cd "$(dirname "${BASH_SOURCE[0]}")"

for layer in "${selected[@]}"; do
  echo "==> ${layer}"
  packer init "${layer}"
  packer build -var-file="${varfile}" "${layer}"
done
