"""A configuration mistake stops a service at start with the file and key named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.harness.environment import REPO

pytestmark = pytest.mark.e2e


def _start_with(config: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ESCALATOR_CONFIG": str(config), **extra}  # noqa: TID251
    return subprocess.run(
        [sys.executable, "-m", "escalator_router"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_bad_key_stops_the_service_naming_file_and_key(tmp_path: Path) -> None:
    config = yaml.safe_load((REPO / "deploy/config/example.yaml").read_text())
    config["routing"]["default"]["assignee"] = "nobody"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(config))
    result = _start_with(path)
    assert result.returncode == 2
    assert str(path) in result.stderr
    assert "routing.default.assignee: unknown person 'nobody'" in result.stderr


def test_development_tokens_are_refused_in_production(tmp_path: Path) -> None:
    result = _start_with(
        REPO / "deploy/config/example.yaml",
        ESCALATOR_ENVIRONMENT="production",
        ESCALATOR_DATABASE_URL="postgresql+asyncpg://u:secret@127.0.0.1:1/db",
        ESCALATOR_LINK_SIGNING_SECRET="a-real-secret-for-this-test",
    )
    assert result.returncode == 2
    assert "integrations acme-monitoring: a documented development token" in result.stderr
    assert "api_tokens alice-cli: a documented development token" in result.stderr


def test_default_secrets_in_settings_are_refused_in_production(tmp_path: Path) -> None:
    result = _start_with(REPO / "deploy/config/example.yaml", ESCALATOR_ENVIRONMENT="production")
    assert result.returncode == 2
    assert "invalid settings" in result.stderr
    assert "development default password" in result.stderr
    assert "Traceback" not in result.stderr
