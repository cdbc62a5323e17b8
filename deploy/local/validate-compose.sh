#!/usr/bin/env bash
# Validate docker-compose.yml without a Docker engine.
#
#   deploy/local/validate-compose.sh [--project-directory DIR] [COMPOSE_FILE]
#
# COMPOSE_FILE defaults to docker-compose.yml at the repository root; relative paths in it resolve
# against DIR (default: the compose file's folder), as `docker compose --project-directory` does.
#
# 1. Schema: the official Compose Specification JSON schema, as vendored by check-jsonschema
#    (`--builtin-schema vendor.compose-spec`).
# 2. References: every build context, Dockerfile, COPY source (present and not excluded by
#    .dockerignore), build arg, bind-mounted file or folder and env_file exists; named volumes and
#    networks are declared; depends_on names existing services, and service_healthy ones have a
#    healthcheck; published host ports are unique; images carry a pinned tag (not latest);
#    Prometheus scrape targets and Grafana provisioning (datasource, dashboards) fit the services.
# 3. Where `docker compose` exists (not here), also `docker compose config --quiet`.
#
# Installs what it needs (exactly these, pinned) into var/tools/compose-validate/, a Python venv:
#   check-jsonschema 0.39.0 and its dependencies, listed in REQUIREMENTS below.
# If Python's venv module is missing and we are root: apt-get install python3 python3-venv.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd -P)
TOOLS_DIR=$REPO_ROOT/var/tools/compose-validate

REQUIREMENTS='check-jsonschema==0.39.0
attrs==26.1.0
certifi==2026.10.18
charset-normalizer==3.5.2
click==8.5.1
idna==3.20
jsonschema==4.26.0
jsonschema-specifications==2025.9.1
referencing==0.37.0
regress==2026.9.1
requests==2.34.2
rpds-py==2026.9.1
ruamel.yaml==0.19.1
typing_extensions==4.16.0
urllib3==2.8.0'

say() { printf '[validate-compose] %s\n' "$*" >&2; }
die() {
    printf '[validate-compose] ERROR: %s\n' "$*" >&2
    exit 1
}

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
}

compose_file=
project_dir=
while (($# > 0)); do
    case $1 in
    --project-directory)
        (($# >= 2)) || die "--project-directory needs a folder"
        project_dir=$2
        shift 2
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    -*) die "unknown option $1 (see --help)" ;;
    *)
        [[ -z $compose_file ]] || die "one compose file only"
        compose_file=$1
        shift
        ;;
    esac
done
compose_file=${compose_file:-$REPO_ROOT/docker-compose.yml}
[[ -f $compose_file ]] || die "no such file: $compose_file"
compose_file=$(cd "$(dirname "$compose_file")" && pwd -P)/$(basename "$compose_file")
project_dir=${project_dir:-$(dirname "$compose_file")}
[[ -d $project_dir ]] || die "no such folder: $project_dir"
project_dir=$(cd "$project_dir" && pwd -P)

# ---- tools

find_python() {
    local candidate
    for candidate in /usr/bin/python3 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

ensure_tools() {
    local want have="" python
    want=$(printf '%s\n' "$REQUIREMENTS" | sha256sum | cut -d' ' -f1)
    if [[ -r $TOOLS_DIR/.complete ]]; then have=$(<"$TOOLS_DIR/.complete"); fi
    if [[ $have == "$want" && -x $TOOLS_DIR/bin/check-jsonschema ]]; then
        return 0
    fi
    if ! python=$(find_python); then
        [[ $EUID -eq 0 ]] || die "Python 3 with the venv module is needed: sudo apt-get install -y python3 python3-venv"
        say "installing python3 python3-venv with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >/dev/null || die "apt-get update failed"
        apt-get install -y -q --no-install-recommends python3 python3-venv >/dev/null ||
            die "apt-get install python3 python3-venv failed"
        python=$(find_python) || die "python3 with venv still missing after apt-get install"
    fi
    say "installing check-jsonschema 0.39.0 (pinned, with its dependencies) into ${TOOLS_DIR#"$REPO_ROOT"/}"
    rm -rf "$TOOLS_DIR"
    mkdir -p "$(dirname "$TOOLS_DIR")"
    "$python" -m venv "$TOOLS_DIR" || die "could not create a venv in $TOOLS_DIR"
    local req=$TOOLS_DIR/requirements.txt log=$TOOLS_DIR/pip.log
    printf '%s\n' "$REQUIREMENTS" >"$req"
    if ! "$TOOLS_DIR/bin/python" -m pip install --disable-pip-version-check -q -r "$req" >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "pip install failed (log: $log)"
    fi
    "$TOOLS_DIR/bin/python" -m pip check >/dev/null || die "pip check failed in $TOOLS_DIR"
    printf '%s\n' "$want" >"$TOOLS_DIR/.complete"
}

ensure_tools

rel() { printf '%s' "${1#"$REPO_ROOT"/}"; }
failed=0

# ---- 1. schema
say "schema: $(rel "$compose_file") against the Compose Specification (check-jsonschema vendor.compose-spec)"
if ! "$TOOLS_DIR/bin/check-jsonschema" --builtin-schema vendor.compose-spec "$compose_file"; then
    failed=1
fi

# ---- 2. references
say "references: paths, volumes, dependencies, ports, image tags, Prometheus and Grafana files"
if ! "$TOOLS_DIR/bin/python" - "$compose_file" "$project_dir" <<'PY'; then
"""Checks of docker-compose.yml that its JSON schema cannot make."""

import fnmatch
import json
import os
import re
import shlex
import sys
from pathlib import Path

from ruamel.yaml import YAML

compose_path = Path(sys.argv[1])
project = Path(sys.argv[2])
errors: list[str] = []
checked = 0


def err(msg: str) -> None:
    errors.append(msg)


def load_yaml(path: Path):
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def host_path(p: str, base: Path = project) -> Path | None:
    """A host path as Compose resolves it, or None when it uses ${interpolation}."""
    if "$" in p:
        return None
    p = os.path.expanduser(p)
    return Path(p) if os.path.isabs(p) else (base / p)


def image_pinned(image: str) -> bool:
    if "$" in image:
        return True
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and not last.endswith(":latest")


# ---- Dockerfile parsing (enough for ARG, FROM and COPY/ADD sources)
def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    buf = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if not buf and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if buf and line.lstrip().startswith("#"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        parts = buf.strip().split(None, 1)
        out.append((parts[0].upper(), parts[1] if len(parts) > 1 else ""))
        buf = ""
    return out


def dockerignore_patterns(context: Path) -> list[str]:
    f = context / ".dockerignore"
    if not f.is_file():
        return []
    pats = []
    for line in f.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and not line.startswith("!"):
            pats.append(line.strip("/"))
    return pats


def ignored(rel: str, patterns: list[str]) -> str | None:
    parts = Path(rel).parts
    for i in range(1, len(parts) + 1):
        prefix = "/".join(parts[:i])
        for pat in patterns:
            if fnmatch.fnmatchcase(prefix, pat):
                return pat
            if pat.startswith("**/") and fnmatch.fnmatchcase(parts[i - 1], pat[3:]):
                return pat
    return None


def check_build(name: str, build) -> None:
    global checked
    if isinstance(build, str):
        build = {"context": build}
    ctx = host_path(str(build.get("context", ".")))
    if ctx is None:
        return
    if not ctx.is_dir():
        err(f"services.{name}.build.context: no such folder {ctx}")
        return
    if "dockerfile_inline" in build:
        return
    df = host_path(str(build.get("dockerfile", "Dockerfile")), ctx)
    if df is None:
        return
    checked += 1
    if not df.is_file():
        err(f"services.{name}.build.dockerfile: no such file {df}")
        return
    instructions = dockerfile_instructions(df)
    declared_args = set()
    for inst, rest in instructions:
        if inst == "ARG":
            declared_args.add(rest.split("=", 1)[0].strip())
    args = build.get("args") or {}
    arg_names = (
        [a.split("=", 1)[0] for a in args] if isinstance(args, list) else list(args.keys())
    )
    for a in arg_names:
        if a not in declared_args:
            err(f"services.{name}.build.args.{a}: {df.name} declares no ARG {a}")
    patterns = dockerignore_patterns(ctx)
    for inst, rest in instructions:
        if inst not in ("COPY", "ADD"):
            continue
        if rest.startswith("["):
            tokens = json.loads(rest)
        else:
            tokens = shlex.split(rest)
        if any(t.startswith("--from") for t in tokens):
            continue
        tokens = [t for t in tokens if not t.startswith("--")]
        for src in tokens[:-1]:
            if "$" in src or re.match(r"^[a-z]+://", src):
                continue
            matches = list(ctx.glob(src)) if any(c in src for c in "*?[") else [ctx / src]
            matches = [m for m in matches if m.exists()]
            checked += 1
            if not matches:
                err(f"services.{name}: {df.name} {inst}s {src}, missing in the build context {ctx}")
                continue
            pat = ignored(os.path.relpath(matches[0], ctx), patterns)
            if pat:
                err(f"services.{name}: {df.name} {inst}s {src}, excluded by .dockerignore ({pat})")


# ---- the compose file
try:
    doc = load_yaml(compose_path)
except Exception as exc:  # noqa: BLE001 - any parse error is a finding
    print(f"cannot parse {compose_path}: {exc}", file=sys.stderr)
    sys.exit(1)
if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict) or not doc["services"]:
    print("no services in the compose file", file=sys.stderr)
    sys.exit(1)

services: dict = doc["services"]
declared_volumes = set((doc.get("volumes") or {}).keys())
declared_networks = set((doc.get("networks") or {}).keys()) | {"default"}
mounts: dict[str, list[tuple[Path, str]]] = {}  # service -> [(host path, container path)]
published: dict[tuple[str, str, str], str] = {}
container_ports: dict[str, set[int]] = {}

for name, svc in services.items():
    svc = svc or {}
    if "image" not in svc and "build" not in svc:
        err(f"services.{name}: neither image nor build")
    if "image" in svc and not image_pinned(str(svc["image"])):
        err(f"services.{name}.image: {svc['image']} has no pinned tag (or uses latest)")
    if "build" in svc:
        check_build(name, svc["build"])

    for i, vol in enumerate(svc.get("volumes") or []):
        where = f"services.{name}.volumes[{i}]"
        if isinstance(vol, str):
            bits = vol.split(":")
            src, target = (bits[0], bits[1]) if len(bits) >= 2 else (None, bits[0])
            kind = "bind" if src and src[0] in "./~$" else "volume"
        else:
            src, target, kind = vol.get("source"), vol.get("target"), vol.get("type", "volume")
        if kind == "bind" and src:
            p = host_path(str(src))
            checked += 1
            if p is not None and not p.exists():
                err(f"{where}: bind-mounted {src} does not exist ({p})")
            if p is not None:
                mounts.setdefault(name, []).append((p, str(target)))
        elif kind == "volume" and src and src not in declared_volumes:
            err(f"{where}: named volume {src} is not declared under top-level volumes")

    env_files = svc.get("env_file") or []
    for ef in [env_files] if isinstance(env_files, (str, dict)) else env_files:
        path = ef if isinstance(ef, str) else ef.get("path")
        required = True if isinstance(ef, str) else ef.get("required", True)
        p = host_path(str(path))
        if p is not None and required and not p.is_file():
            err(f"services.{name}.env_file: {p} does not exist")

    deps = svc.get("depends_on") or {}
    dep_items = {d: {} for d in deps} if isinstance(deps, list) else deps
    for dep, cond in dep_items.items():
        if dep not in services:
            err(f"services.{name}.depends_on: no service {dep}")
            continue
        if (cond or {}).get("condition") == "service_healthy":
            hc = (services[dep] or {}).get("healthcheck") or {}
            if not hc.get("test") or hc.get("disable"):
                err(f"services.{name}.depends_on.{dep}: service_healthy, but {dep} has no healthcheck")

    nets = svc.get("networks") or []
    for net in nets if isinstance(nets, list) else nets.keys():
        if net not in declared_networks:
            err(f"services.{name}.networks: {net} is not declared under top-level networks")

    ports = container_ports.setdefault(name, set())
    for e in svc.get("expose") or []:
        ports.add(int(str(e).split("/")[0].split("-")[0]))
    for p in svc.get("ports") or []:
        if isinstance(p, dict):
            ip, host, cont, proto = (p.get("host_ip", ""), str(p.get("published", "")),
                                     str(p.get("target")), p.get("protocol", "tcp"))
        else:
            spec, _, proto = str(p).partition("/")
            proto = proto or "tcp"
            bits = spec.rsplit(":", 2)
            if len(bits) == 3:
                ip, host, cont = bits
            elif len(bits) == 2:
                ip, (host, cont) = "", bits
            else:
                ip, host, cont = "", "", bits[0]
        if cont.isdigit():
            ports.add(int(cont))
        if host and "$" not in host:
            key = (ip or "0.0.0.0", host, proto)
            if key in published:
                err(f"services.{name}.ports: {ip or '*'}:{host}/{proto} already published by {published[key]}")
            published[key] = name


def container_to_host(service: str, container_path: str) -> Path | None:
    for hp, target in mounts.get(service, []):
        t = target.rstrip("/")
        if container_path == t:
            return hp
        if container_path.startswith(t + "/"):
            return hp / container_path[len(t) + 1 :]
    return None


# ---- Prometheus: scrape targets are compose services on one of their ports
for name, svc in services.items():
    cfg = container_to_host(name, "/etc/prometheus/prometheus.yml")
    if cfg is None or not cfg.is_file():
        continue
    try:
        prom = load_yaml(cfg)
    except Exception as exc:  # noqa: BLE001
        err(f"{cfg}: cannot parse: {exc}")
        continue
    for job in prom.get("scrape_configs") or []:
        for sc in job.get("static_configs") or []:
            for target in sc.get("targets") or []:
                host, _, port = str(target).rpartition(":")
                checked += 1
                if host in ("localhost", "127.0.0.1"):
                    continue
                if host not in services:
                    err(f"{cfg.name}: job {job.get('job_name')} scrapes {target}: no service {host}")
                elif container_ports.get(host) and int(port) not in container_ports[host]:
                    err(f"{cfg.name}: job {job.get('job_name')} scrapes {target}, but {host} uses "
                        f"port(s) {sorted(container_ports[host])}")

# ---- Grafana: provisioned datasources and dashboards
for name, svc in services.items():
    prov = container_to_host(name, "/etc/grafana/provisioning")
    if prov is None or not prov.is_dir():
        continue
    uids: set[str] = set()
    for f in sorted((prov / "datasources").glob("*.y*ml")):
        checked += 1
        try:
            for ds in load_yaml(f).get("datasources") or []:
                if ds.get("uid"):
                    uids.add(ds["uid"])
                url_host = re.sub(r"^[a-z]+://", "", str(ds.get("url", ""))).split(":")[0].split("/")[0]
                if url_host and url_host not in services and url_host not in ("localhost", "127.0.0.1"):
                    err(f"{f.name}: datasource {ds.get('name')} points at {url_host}, no such service")
        except Exception as exc:  # noqa: BLE001
            err(f"{f}: cannot parse: {exc}")
    dashboard_files: list[Path] = []
    for f in sorted((prov / "dashboards").glob("*.y*ml")):
        checked += 1
        try:
            for provider in load_yaml(f).get("providers") or []:
                cpath = (provider.get("options") or {}).get("path", "")
                hp = container_to_host(name, cpath)
                if hp is None or not hp.is_dir():
                    err(f"{f.name}: provider {provider.get('name')} reads {cpath}, which no bind mount of {name} provides")
                    continue
                dashboard_files += sorted(hp.rglob("*.json"))
        except Exception as exc:  # noqa: BLE001
            err(f"{f}: cannot parse: {exc}")
    home = (svc.get("environment") or {}) if isinstance(svc.get("environment"), dict) else {}
    home_path = home.get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
    if home_path:
        hp = container_to_host(name, str(home_path))
        if hp is None or not hp.is_file():
            err(f"services.{name}: GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH {home_path} is not a mounted file")
    for dash in dashboard_files:
        checked += 1
        try:
            d = json.loads(dash.read_text(encoding="utf-8"))
        except ValueError as exc:
            err(f"{dash}: not JSON: {exc}")
            continue
        if not d.get("uid") or not d.get("title"):
            err(f"{dash.name}: dashboard needs uid and title")
        used = {m.group(1) for m in re.finditer(r'"uid":\s*"([^"$]+)"', json.dumps(d.get("panels", [])) + json.dumps(d.get("templating", {})))}
        for uid in sorted(used - uids):
            err(f"{dash.name}: uses datasource uid {uid}, which provisioning does not define")

for e in errors:
    print(f"  - {e}", file=sys.stderr)
print(f"{len(services)} services, {checked} references checked, {len(errors)} problem(s)", file=sys.stderr)
sys.exit(1 if errors else 0)
PY
    failed=1
fi

# ---- 3. docker compose itself, where it exists
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    say "docker compose config --quiet"
    docker compose --project-directory "$project_dir" -f "$compose_file" config --quiet || failed=1
else
    say "docker compose not available here: skipped 'docker compose config' (schema and reference checks ran)"
fi

if ((failed)); then
    say "FAILED: $(rel "$compose_file")"
    exit 1
fi
say "OK: $(rel "$compose_file")"
