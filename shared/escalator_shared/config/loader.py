"""Load and validate the configuration file; errors name the file, the key path and the problem."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from escalator_shared.config.access_references import access_problems
from escalator_shared.config.model import EscalatorConfig
from escalator_shared.config.references import routing_problems, unknown
from escalator_shared.config.sla_references import sla_problems
from escalator_shared.config.vendor_references import vendor_problems


class ConfigError(Exception):
    """The configuration file is missing, unreadable or invalid; the message lists every problem."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid configuration file {path}:\n{listing}")


def load_config(path: Path) -> EscalatorConfig:
    """Read, parse and validate the YAML file; raises ConfigError naming every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path, [f"cannot read the file: {exc.strerror or exc}"]) from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(path, [f"not valid YAML{where}: {problem}"]) from exc
    if not isinstance(raw, dict):
        raise ConfigError(path, ["the top level must be a mapping of sections (tiers, people, …)"])
    try:
        config = EscalatorConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(path, [_describe(err) for err in exc.errors()]) from exc
    problems = list(_reference_problems(config))
    if problems:
        raise ConfigError(path, problems)
    return config


def _describe(error: Any) -> str:
    location = format_path(error["loc"])
    given = error.get("input")
    shown = "" if isinstance(given, dict | list) or given is None else f" (got {given!r})"
    if error["type"] == "missing":
        return f"{location}: required key is missing"
    if error["type"] == "extra_forbidden":
        return f"{location}: unknown key"
    return f"{location}: {error['msg']}{shown}"


def format_path(loc: tuple[Any, ...]) -> str:
    """`("routing", "rules", 2, "tier")` as `routing.rules[2].tier`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _reference_problems(config: EscalatorConfig) -> Iterator[str]:
    """Cross-references that a schema alone cannot check."""
    yield from _duplicate_ids(config)
    clients = {c.id for c in config.clients}
    yield from access_problems(config)
    for index, integration in enumerate(config.integrations):
        where = f"integrations[{index}]"
        yield from unknown(f"{where}.client", integration.client, clients, "client")
        for value, client_id in integration.clients_by_value.items():
            yield from unknown(f"{where}.clients_by_value.{value}", client_id, clients, "client")
    if config.email.unknown_sender_client is not None:
        yield from unknown(
            "email.unknown_sender_client", config.email.unknown_sender_client, clients, "client"
        )
    for value, client_id in config.email.rmm_clients_by_value.items():
        yield from unknown(f"email.rmm_clients_by_value.{value}", client_id, clients, "client")
    yield from sla_problems(config)
    yield from routing_problems(config)
    yield from vendor_problems(config)


def _duplicate_ids(config: EscalatorConfig) -> Iterator[str]:
    sections: dict[str, list[Any]] = {
        "tiers": config.tiers,
        "people": config.people,
        "clients": config.clients,
        "sla_policies": config.sla_policies,
        "calendars": config.calendars,
        "integrations": config.integrations,
        "vendors": config.vendors,
        "teams": config.teams,
        "schedules": config.schedules,
        "escalation_policies": config.escalation_policies,
    }
    for section, items in sections.items():
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item.id in seen:
                yield f"{section}[{index}].id: duplicate id {item.id!r}"
            seen.add(item.id)
