#!/usr/bin/env bash
# Middleware layer: the Python runtime the application layer installs the app into.
# Runs on the Packer build instance as ec2-user and re-executes itself as root.
set -euo pipefail

if [[ ${EUID} -ne 0 ]]; then
  exec sudo -E bash "$0" "$@"
fi

# Pick up fixes released since the system layer was baked, on the same terms as that layer.
dnf -y --releasever=latest upgrade

# python3.11 ships the venv module; python3.11-pip brings the wheels venv seeds pip from.
# python3.11-devel, gcc and libpq-devel let packages without a matching wheel compile
# (psycopg's C implementation, psycopg2 from source); libpq is also what psycopg loads at run time.
# git fetches the app in the application layer.
dnf -y install \
  python3.11 \
  python3.11-pip \
  python3.11-devel \
  gcc \
  libpq \
  libpq-devel \
  git

# Fail the build now, not the application layer later, if the runtime is incomplete.
python3.11 --version
python3.11 -m pip --version
git --version
# A real virtualenv, since creating one also needs the bundled pip wheel (ensurepip).
check_dir="$(mktemp -d)"
python3.11 -m venv "${check_dir}/venv"
"${check_dir}/venv/bin/python" -m pip --version
rm -rf "${check_dir}"
