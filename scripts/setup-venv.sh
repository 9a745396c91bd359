#!/usr/bin/env bash
# Builds the Python virtual environment the end-to-end tests (tests/e2e) run in: pytest plus the
# real third-party Mesos client pymesos 0.3.15 and its dependencies, kazoo, and prometheus_client
# (its text-format parser checks /metrics), selenium (drives headless Chromium for the web UI),
# and protobuf with grpcio-tools (protobuf clients, their classes generated from Protos/ by the tests).
#
#   scripts/setup-venv.sh [VENV_DIR]      (default: <repo>/.venv-e2e)
#
# Safe to run again: a complete venv (stamp file present) is reused as is.
# Prints the path of the venv's python on its last line.
#
# pymesos depends on http-parser, whose C extension does not compile on Python 3.11+. The package
# falls back to its pure-Python parser, so only its Python sources are copied into site-packages.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${1:-$repo/.venv-e2e}
py=${PYTHON:-python3}
stamp=$venv/.complete-e2e-v4

if [[ -f $stamp && -x $venv/bin/python ]]; then
  echo "$venv/bin/python"
  exit 0
fi

command -v "$py" >/dev/null || { echo "setup-venv: $py not found (set PYTHON)" >&2; exit 1; }
if ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
  # A bare Debian python3 lacks venv; as root, install it rather than stop.
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "setup-venv: installing python3-venv" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
  fi
  if ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
    echo "setup-venv: $py cannot create virtual environments (on Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
fi
echo "setup-venv: creating $venv with $("$py" --version 2>&1)" >&2
rm -rf "$venv"
"$py" -m venv "$venv"
pip=("$venv/bin/python" -m pip -q --disable-pip-version-check)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"${pip[@]}" download --no-deps --no-binary :all: -d "$work" http-parser==0.9.0 >&2
tar -xzf "$work"/http-parser-0.9.0.tar.gz -C "$work"
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cp -r "$work/http-parser-0.9.0/http_parser" "$site/"
rm -f "$site"/http_parser/*.c "$site"/http_parser/*.pyx "$site"/http_parser/*.h

"${pip[@]}" install pytest six addict requests kazoo==2.11.0 prometheus_client==0.26.0 selenium==4.38.0 \
  protobuf==7.36.2 grpcio-tools==1.85.1 >&2
"${pip[@]}" install --no-deps pymesos==0.3.15 >&2

"$venv/bin/python" - <<'PY'
import addict, pytest, requests, pymesos, prometheus_client, selenium, google.protobuf, grpc_tools.protoc
from http_parser.http import HttpParser
from pymesos import MesosSchedulerDriver, Scheduler
PY
touch "$stamp"
echo "$venv/bin/python"
