#!/usr/bin/env bash
# Programs the test suite drives as real peers: from Debian's packages, Prometheus Alertmanager,
# the Dovecot IMAP server, Chromium for the console's browser tests and Prometheus for its
# promtool (alerting rules and dashboard queries; on a host with systemd the package also
# starts a Prometheus server on :9090) (installed when missing and running as root); from its Go module,
# Ory Hydra, the OpenID Connect provider of the single sign-on tests (built into var/tools/ when
# missing or when deploy/local/oidc-provider/go.mod changed). Otherwise the tests that need one
# are skipped with a reason saying so. `test-tools.sh bench` instead
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
ensure chromium "the console's browser tests" chromium chromium-browser
ensure prometheus "the alerting rule and dashboard query tests" promtool
if [ ! -d /usr/share/fonts/truetype/dejavu ]; then
  ensure fonts-dejavu-core "readable screenshots" no-such-command-fonts
fi

# Ory Hydra: go.mod pins the version (and the replace Hydra's own go.mod makes, which a module
# built as a dependency must repeat); SQLite support gives it an in-memory database.
hydra=var/tools/hydra
stamp=var/tools/hydra.go.mod.sha256
wanted=$(sha256sum deploy/local/oidc-provider/go.mod | cut -d' ' -f1)
if [ -x "$hydra" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
  exit 0
fi
go=$(command -v go || true)
[ -n "$go" ] || [ ! -x /usr/local/go/bin/go ] || go=/usr/local/go/bin/go
if [ -z "$go" ]; then
  echo "test-tools: Go missing; the single sign-on tests will be skipped" >&2
  exit 0
fi
echo "test-tools: building Ory Hydra (a few minutes the first time)" >&2
mkdir -p var/tools
(cd deploy/local/oidc-provider &&
  CGO_ENABLED=1 "$go" build -tags sqlite,sqlite_omit_load_extension -o "$OLDPWD/$hydra.new" \
    github.com/ory/hydra/v2)
mv "$hydra.new" "$hydra"
echo "$wanted" > "$stamp"
