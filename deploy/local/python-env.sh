#!/usr/bin/env bash
# Create the project's virtualenv (Python 3.11) and install the project with its dev tools.
set -euo pipefail
venv=${1:-.venv}
python=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
    python=$candidate; break
  fi
done
if [ -z "$python" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3.11 python3.11-venv >/dev/null
    python=python3.11
  else
    echo "python-env: Python 3.11 is needed (Debian: apt-get install python3.11 python3.11-venv)" >&2
    exit 1
  fi
fi
if [ ! -x "$venv/bin/python" ]; then
  if ! "$python" -m venv "$venv" 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3.11-venv >/dev/null
      rm -rf "$venv"; "$python" -m venv "$venv"
    else
      echo "python-env: '$python -m venv' failed (Debian: apt-get install python3.11-venv)" >&2
      exit 1
    fi
  fi
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==25.3"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
# The console draws escalation paths with Graphviz (Debian's graphviz package).
if ! command -v dot >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends graphviz fonts-dejavu-core >/dev/null
  else
    echo "python-env: Graphviz is missing (apt-get install graphviz); the console cannot draw escalation paths" >&2
  fi
fi
echo "python-env: $venv ready ($("$venv/bin/python" --version))"
