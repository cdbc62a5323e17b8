#!/usr/bin/env bash
# Programs the test suite drives as real peers, from Debian's packages: Prometheus Alertmanager
# and the Dovecot IMAP server. Each is installed when missing and running as root; otherwise
# the tests that need it are skipped with a reason saying so. `test-tools.sh bench` instead
# installs the benchmark's load generator, wrk.
set -euo pipefail

# present COMMAND...: true when one of the commands is on PATH or in /usr/sbin (Dovecot lives
# there, and /usr/sbin is not on a non-root user's PATH).
present() {
  local cmd
  for cmd in "$@"; do
    if command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ]; then
      return 0
    fi
  done
  return 1
}

apt_updated=no

# ensure PACKAGE WHAT COMMAND...: install PACKAGE unless one of the COMMANDs is there already.
# WHAT names the tests that need it, for the message when it cannot be installed.
ensure() {
  local package=$1 what=$2
  shift 2
  if present "$@"; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-tools: installing $package" >&2
    if [ "$apt_updated" = no ]; then
      apt-get update -qq
      apt_updated=yes
    fi
    # policy-rc.d or no init system: the package's own service is not started, which is intended.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
  else
    echo "test-tools: $package missing (apt-get install $package); $what will be skipped" >&2
  fi
}

if [ "${1:-}" = bench ]; then
  ensure wrk "the benchmark" wrk
  exit 0
fi
ensure prometheus-alertmanager "the Alertmanager tests" prometheus-alertmanager alertmanager
ensure dovecot-imapd "the IMAP tests" dovecot
