"""Where the test suite finds Kafka and PostgreSQL.

In order: addresses given in the environment (KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL); the local
broker and database that `deploy/local/infra.sh` installs and starts; testcontainers, where a
Docker engine exists.
"""

from __future__ import annotations

import shutil
import subprocess
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO = Path(__file__).resolve().parents[2]
INFRA_SCRIPT = REPO / "deploy" / "local" / "infra.sh"


class TestEnvironment(BaseSettings):
    """Addresses named in the environment, if any."""

    model_config = SettingsConfigDict(extra="ignore")

    kafka_bootstrap_servers: str | None = None
    database_url: str | None = None


@dataclass(frozen=True)
class Infrastructure:
    """A reachable broker and database server."""

    kafka_bootstrap_servers: str
    database_url: str


def provide_infrastructure(stack: ExitStack) -> Infrastructure:
    """Find or start Kafka and PostgreSQL; containers started here stop with `stack`."""
    given = TestEnvironment()
    if given.kafka_bootstrap_servers and given.database_url:
        return Infrastructure(given.kafka_bootstrap_servers, given.database_url)
    if INFRA_SCRIPT.exists() and shutil.which("bash"):
        local = _start_local()
        return Infrastructure(
            given.kafka_bootstrap_servers or local["KAFKA_BOOTSTRAP_SERVERS"],
            given.database_url or local["DATABASE_URL"],
        )
    return _start_containers(stack)


def _start_local() -> dict[str, str]:
    subprocess.run(["bash", str(INFRA_SCRIPT), "up"], check=True, cwd=REPO)
    out = subprocess.run(
        ["bash", str(INFRA_SCRIPT), "env"], check=True, cwd=REPO, capture_output=True, text=True
    ).stdout
    values: dict[str, str] = {}
    for line in out.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        values[name.strip()] = value.strip().strip("'\"")
    return values


def _start_containers(stack: ExitStack) -> Infrastructure:
    from testcontainers.kafka import KafkaContainer  # noqa: PLC0415 - only where Docker exists
    from testcontainers.postgres import PostgresContainer  # noqa: PLC0415

    kafka = stack.enter_context(KafkaContainer("apache/kafka:3.9.1").with_kraft())
    postgres = stack.enter_context(PostgresContainer("postgres:16", driver="asyncpg"))
    return Infrastructure(kafka.get_bootstrap_server(), postgres.get_connection_url())
