#!/usr/bin/env bash
# Programs the test suite drives as real clients: Prometheus Alertmanager (Debian's package).
# Installed when missing and running as root; otherwise the tests that need it are skipped with
# a reason saying so.
set -euo pipefail
if command -v prometheus-alertmanager >/dev/null 2>&1 || command -v alertmanager >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test-tools: installing prometheus-alertmanager" >&2
  apt-get update -qq
  # policy-rc.d or no init system: the package's own service is not started, which is intended.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus-alertmanager >/dev/null
else
  echo "test-tools: prometheus-alertmanager missing (apt-get install prometheus-alertmanager);" \
       "its tests will be skipped" >&2
fi
