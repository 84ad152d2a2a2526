#!/usr/bin/env bash
# Application layer: the app from APP_REPOSITORY at APP_REF, its virtualenv, and app.service.
# Runs on the Packer build instance as ec2-user and re-executes itself as root. Packer passes
# PROJECT, APP_REPOSITORY, APP_REF, APP_PORT, SETTINGS_MODULE (may be empty) and WSGI_APP.
set -euo pipefail

if [[ ${EUID} -ne 0 ]]; then
  exec sudo -E bash "$0" "$@"
fi

: "${PROJECT:?}" "${APP_REPOSITORY:?}" "${APP_REF:?}" "${APP_PORT:?}" "${WSGI_APP:?}"
SETTINGS_MODULE="${SETTINGS_MODULE:-}"

readonly APP_DIR=/opt/app          # the code: owned by root, read-only for the app
readonly VENV_DIR=/opt/app-venv    # its virtualenv, outside the checkout
readonly CONFIG_DIR=/etc/app       # gunicorn.conf.py, release.env; user data adds app.env
readonly STATE_DIR=/var/lib/app    # the only place the app may write (systemd StateDirectory)
readonly PYTHON=python3.11

# --- Service account ---------------------------------------------------------------------------
# No login shell and no password: it only runs gunicorn.
if ! id -u app > /dev/null 2>&1; then
  useradd --system --user-group --home-dir "${STATE_DIR}" --no-create-home \
    --shell /sbin/nologin --comment "${PROJECT} application" app
fi

# --- Code ------------------------------------------------------------------------------------
git_auth=()
if [[ ${APP_REPOSITORY} == https://git-codecommit.* ]]; then
  # CodeCommit: git asks the AWS CLI to sign the request with the build instance's role.
  # shellcheck disable=SC2016 # $@ is expanded by git when it runs the helper, not by this script.
  git_auth=(-c 'credential.helper=!aws codecommit credential-helper $@' -c credential.UseHttpPath=true)
fi

rm -rf "${APP_DIR}"
git init --quiet "${APP_DIR}"
git -C "${APP_DIR}" remote add origin "${APP_REPOSITORY}"
# Fetch only the wanted ref (branch, tag or full commit SHA) and no history. A server that will
# not serve a commit by SHA gets a full fetch, and the ref is then resolved locally (this also
# covers abbreviated SHAs).
if git "${git_auth[@]}" -C "${APP_DIR}" fetch --quiet --depth 1 origin "${APP_REF}"; then
  git -C "${APP_DIR}" checkout --quiet --detach FETCH_HEAD
else
  git "${git_auth[@]}" -C "${APP_DIR}" fetch --quiet --tags origin '+refs/heads/*:refs/remotes/origin/*'
  if git -C "${APP_DIR}" rev-parse --verify --quiet "origin/${APP_REF}^{commit}" > /dev/null; then
    git -C "${APP_DIR}" checkout --quiet --detach "origin/${APP_REF}"
  elif git -C "${APP_DIR}" rev-parse --verify --quiet "${APP_REF}^{commit}" > /dev/null; then
    git -C "${APP_DIR}" checkout --quiet --detach "${APP_REF}^{commit}"
  else
    echo "No branch, tag or commit ${APP_REF} in ${APP_REPOSITORY}" >&2
    exit 1
  fi
fi
if [[ -f ${APP_DIR}/.gitmodules ]]; then
  git "${git_auth[@]}" -C "${APP_DIR}" submodule update --quiet --init --recursive --depth 1
fi
APP_COMMIT="$(git -C "${APP_DIR}" rev-parse HEAD)"
echo "Baking ${APP_REPOSITORY} at ${APP_REF} (${APP_COMMIT})"

# --- Virtualenv ----------------------------------------------------------------------------------
rm -rf "${VENV_DIR}"
"${PYTHON}" -m venv "${VENV_DIR}"
pip=("${VENV_DIR}/bin/python" -m pip --no-cache-dir --disable-pip-version-check)
"${pip[@]}" install --upgrade pip wheel

cd "${APP_DIR}"
if [[ -f requirements.txt ]]; then
  "${pip[@]}" install -r requirements.txt
elif [[ -f requirements/production.txt ]]; then
  "${pip[@]}" install -r requirements/production.txt
elif [[ -f pyproject.toml || -f setup.py ]]; then
  "${pip[@]}" install .
else
  echo "No requirements.txt, requirements/production.txt, pyproject.toml or setup.py in ${APP_REPOSITORY} at ${APP_REF}" >&2
  exit 1
fi
# A no-op when the app already pins gunicorn.
"${pip[@]}" install gunicorn

# Fail the bake, not every instance at boot, when the WSGI module is missing. The module is looked
# up as a file in the checkout, or as an installed top-level package (found without importing it:
# importing would run the app's settings, which need the environment only user data provides).
wsgi_module="${WSGI_APP%%:*}"
wsgi_path="${wsgi_module//.//}"
if [[ ! -f ${APP_DIR}/${wsgi_path}.py && ! -f ${APP_DIR}/${wsgi_path}/__init__.py ]] \
  && ! "${VENV_DIR}/bin/python" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec(sys.argv[1]) is None)' "${wsgi_module%%.*}"; then
  echo "WSGI module ${wsgi_module} (from ${WSGI_APP}) not found in ${APP_REPOSITORY} at ${APP_REF}; set wsgi_app or settings_module" >&2
  exit 1
fi

# No collectstatic: static files are uploaded to S3 and served by CloudFront, not from instances.

# Compile the app's bytecode now: at run time the code is read-only for the app user.
if ! "${VENV_DIR}/bin/python" -m compileall -q "${APP_DIR}" > /dev/null; then
  echo "warning: some files in ${APP_DIR} do not compile; Python will report them if they are imported" >&2
fi

# The history is not needed at run time (the commit is recorded below) and only adds size.
rm -rf "${APP_DIR}/.git"

# Root owns code and virtualenv; everyone may read them, so the app cannot modify itself.
chown -R root:root "${APP_DIR}" "${VENV_DIR}"
chmod -R u=rwX,go=rX "${APP_DIR}" "${VENV_DIR}"

# --- Configuration -----------------------------------------------------------------------------
install -d -m 0755 -o root -g root "${CONFIG_DIR}"

# What this AMI contains, also exported to the app (e.g. as a release name for error reports).
cat > "${CONFIG_DIR}/release.env" <<RELEASE
APP_REPOSITORY=${APP_REPOSITORY}
APP_REF=${APP_REF}
APP_COMMIT=${APP_COMMIT}
APP_BUILT_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
RELEASE
chmod 0644 "${CONFIG_DIR}/release.env"

# Gunicorn settings; app.env can tune them per environment through these variables.
cat > "${CONFIG_DIR}/gunicorn.conf.py" <<'GUNICORN'
# Gunicorn settings baked into the AMI. Environment variables (from /etc/app/app.env) tune them.
import multiprocessing
import os

bind = "0.0.0.0:" + os.environ.get("APP_PORT", "8000")

# gthread workers: a slow client ties up one thread, not a whole worker process.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20

# Longer than the ALB's 60 s idle timeout, so the ALB closes idle connections first; otherwise it
# can send a request on a connection gunicorn has just closed and answer 502.
keepalive = 75

# Only the ALB can reach this port (security groups), so trust its X-Forwarded-* headers.
forwarded_allow_ips = "*"

# To stdout/stderr, i.e. the journal: journalctl -u app
accesslog = "-"
errorlog = "-"

# Recycle workers now and then, so a slow memory leak cannot take an instance down.
max_requests = 1000
max_requests_jitter = 100
GUNICORN
chmod 0644 "${CONFIG_DIR}/gunicorn.conf.py"

settings_line=""
if [[ -n ${SETTINGS_MODULE} ]]; then
  settings_line="Environment=DJANGO_SETTINGS_MODULE=${SETTINGS_MODULE}"
fi

cat > /etc/systemd/system/app.service <<UNIT
[Unit]
Description=${PROJECT} application (gunicorn on port ${APP_PORT})
Wants=network-online.target
After=network-online.target
# cloud-init's final stage runs the launch template's user data, which writes app.env and
# secrets.env: start once it has finished. User data must therefore not wait for this unit
# (a plain "systemctl start app" would deadlock boot); "systemctl restart --no-block app" is fine.
After=cloud-final.service

[Service]
Type=exec
User=app
Group=app
WorkingDirectory=${APP_DIR}
Environment=PYTHONUNBUFFERED=1
Environment=PYTHONDONTWRITEBYTECODE=1
Environment=HOME=${STATE_DIR}
Environment=APP_PORT=${APP_PORT}
${settings_line}
# Later files override earlier ones and all override Environment= lines.
EnvironmentFile=${CONFIG_DIR}/release.env
EnvironmentFile=${CONFIG_DIR}/app.env
EnvironmentFile=-/run/app/secrets.env
ExecStart=${VENV_DIR}/bin/gunicorn --config ${CONFIG_DIR}/gunicorn.conf.py ${WSGI_APP}
ExecReload=/bin/kill -s HUP \$MAINPID
Restart=on-failure
RestartSec=5
KillMode=mixed
TimeoutStopSec=30

# /var/lib/app, owned by the app user, is the only writable path.
StateDirectory=app
StateDirectoryMode=0750
UMask=0027

# Sandboxing: the app needs the network and its own files, nothing else.
NoNewPrivileges=yes
CapabilityBoundingSet=
PrivateTmp=yes
PrivateDevices=yes
ProtectSystem=strict
ProtectHome=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes

[Install]
WantedBy=multi-user.target
UNIT
chmod 0644 /etc/systemd/system/app.service

systemctl daemon-reload
# Enabled, not started: app.env only exists on instances, written by user data at boot.
systemctl enable app.service

# Instances are reached with Session Manager shells, which do not use sshd, and no security
# group opens port 22; the build itself keeps its running sshd until the instance stops.
systemctl disable sshd.service
