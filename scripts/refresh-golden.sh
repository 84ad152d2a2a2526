#!/usr/bin/env bash
# Regenerates every golden tree generated/<name>/ from specs/<name>.yaml. Review the diff
# (git diff generated/) before committing: it is exactly what users of the spec would see.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
for spec in specs/*.yaml; do
  name=$(basename "$spec" .yaml)
  ./target/release/tgforge gen "$spec" -o "generated/$name"
done
