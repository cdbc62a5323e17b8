"""The alerting rules on the system itself, through Prometheus's own `promtool`: they load, and
each alert fires (with its words) on the series that should raise it and not on healthy ones
(deploy/prometheus/tests/)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

PROMETHEUS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool missing (Debian: apt-get install prometheus)"
)


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run(
        [PROMTOOL, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=60, check=False
    )


@needs_promtool
@pytest.mark.parametrize(
    ("command", "folder"), [("check", "rules"), ("test", "tests")], ids=["load", "fire"]
)
def test_the_rules_load_and_fire_as_their_tests_say(command: str, folder: str) -> None:
    files = sorted(str(p.relative_to(PROMETHEUS)) for p in (PROMETHEUS / folder).glob("*.yml"))
    assert files, f"nothing in deploy/prometheus/{folder}/"
    done = _promtool(command, "rules", *files)
    assert done.returncode == 0, done.stdout + done.stderr


@needs_promtool
def test_the_prometheus_configuration_loads_with_its_rules(tmp_path: Path) -> None:
    # prometheus.yml names the rules where compose mounts them; check it against our copy.
    config = (PROMETHEUS / "prometheus.yml").read_text()
    local = config.replace("/etc/prometheus/rules/", f"{PROMETHEUS}/rules/")
    assert local != config, "prometheus.yml no longer loads rules from /etc/prometheus/rules/"
    (tmp_path / "prometheus.yml").write_text(local)
    done = _promtool("check", "config", str(tmp_path / "prometheus.yml"))
    assert done.returncode == 0, done.stdout + done.stderr
    rules = sum(
        len(group["rules"])
        for path in (PROMETHEUS / "rules").glob("*.yml")
        for group in yaml.safe_load(path.read_text())["groups"]
    )
    assert f"SUCCESS: {rules} rules found" in done.stdout, done.stdout
