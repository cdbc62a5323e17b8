"""Every port the local system listens on by default lies outside Linux's ephemeral range.

A listener inside 32768-60999 can fail to bind while an outgoing connection that the kernel
gave the same port sits in TIME_WAIT (seen with PostgreSQL on 55432).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from escalator_shared.settings import DEFAULT_DATABASE_URL, ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
EPHEMERAL_LOW, EPHEMERAL_HIGH = 32768, 60999


def _outside_ephemeral(port: int) -> bool:
    return not EPHEMERAL_LOW <= port <= EPHEMERAL_HIGH


def test_infra_script_defaults_lie_below_the_ephemeral_range() -> None:
    script = (ROOT / "deploy/local/infra.sh").read_text()
    defaults = [int(p) for p in re.findall(r"recorded_port [^)]*\|\| echo (\d+)\)", script)]
    assert len(defaults) == 3, defaults
    assert all(_outside_ephemeral(p) for p in defaults), defaults


def test_service_settings_defaults_lie_below_the_ephemeral_range() -> None:
    pg_port = int(DEFAULT_DATABASE_URL.rsplit(":", 1)[1].split("/", 1)[0])
    kafka_port = int(ServiceSettings.model_fields["kafka_bootstrap_servers"].default.split(":")[1])
    assert _outside_ephemeral(pg_port)
    assert _outside_ephemeral(kafka_port)


def test_compose_publishes_no_port_in_the_ephemeral_range() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    published: list[int] = []
    for service in compose["services"].values():
        for mapping in service.get("ports", []):
            host_part = str(mapping).rsplit(":", 1)[0]
            published.append(int(host_part.rsplit(":", 1)[-1]))
    assert published
    assert all(_outside_ephemeral(p) for p in published), published


@pytest.mark.parametrize("name", ["README.md", "docs/infrastructure.md", "docker-compose.yml"])
def test_docs_name_the_same_postgres_port_as_the_settings(name: str) -> None:
    pg_port = DEFAULT_DATABASE_URL.rsplit(":", 1)[1].split("/", 1)[0]
    text = (ROOT / name).read_text()
    assert f"127.0.0.1:{pg_port}" in text
    assert "127.0.0.1:55432" not in text
