"""`python -m escalator_router.cli`: validate the configuration, explain a ticket, draw chains.

config validate [--config FILE] [--horizon 28d]
explain ALERT.json [--at 2026-11-23T09:00:00Z] [--json] [--config FILE]
diagram CLIENT [--svg OUT.svg] [--config FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from escalator_router.config_check import config_problems
from escalator_router.domain.diagram import client_diagram
from escalator_router.domain.explanation import explain
from escalator_router.domain.router import Router
from escalator_router.explain_request import AlertToExplain, answer
from escalator_router.settings import RouterSettings
from escalator_shared.config import ConfigError, EscalatorConfig, load_config, parse_duration
from escalator_shared.config.vendor_references import review_warnings
from escalator_shared.events import utc_now


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status is 0 when all is well."""
    args = _parser().parse_args(argv)
    try:
        config = load_config(args.config or RouterSettings().config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)  # noqa: T201 - a CLI reports on stderr
        return 1
    command: str = args.command
    return _COMMANDS[command](config, args)


def _validate(config: EscalatorConfig, args: argparse.Namespace) -> int:
    problems = list(config_problems(config, utc_now(), parse_duration(args.horizon)))
    for warning in review_warnings(config, utc_now().date()):
        print(f"  ! {warning}", file=sys.stderr)  # noqa: T201 - flagged, not refused
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)  # noqa: T201
    if problems:
        print(f"{len(problems)} problem(s) in the configuration", file=sys.stderr)  # noqa: T201
        return 1
    print(  # noqa: T201
        f"configuration OK: {len(config.routing.rules)} global rules, "
        f"{sum(len(c.routing) for c in config.clients)} client rules, "
        f"{len(config.schedules)} schedules, {len(config.escalation_policies)} policies"
    )
    return 0


def _explain(config: EscalatorConfig, args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.alert == "-" else Path(args.alert).read_text(encoding="utf-8")
    alert = AlertToExplain.model_validate_json(text)
    at = datetime.fromisoformat(args.at) if args.at else utc_now()
    result = answer(explain(Router(config), config, alert.facts(config, at)), config)
    if args.json:
        print(json.dumps(result, indent=2))  # noqa: T201
        return 0
    for verdict in result["rules_checked"]:
        mark = "matched" if verdict["matched"] else f"no: {verdict['reason']}"
        print(f"rule {verdict['rule']} ({verdict['scope']}): {mark}")  # noqa: T201
    print(  # noqa: T201
        f"-> rule {result['rule']}: {result['tier']} / {result['team']}, priority "
        f"{result['priority']} ({result['priority_reason']})\n"
        f"   on call {result['on_call']}, backup {result['backup']}, "
        f"policy {result['escalation_policy']}\n"
        f"   SLA targets (s): {result['sla_targets_seconds']}; vendor: {result['vendor']}"
        + (f"\n   major outage: {result['major_outage']}" if result["major_outage"] else "")
    )
    for entry in result["timeline"]:
        print(f"   {entry['text']}")  # noqa: T201
    return 0


def _diagram(config: EscalatorConfig, args: argparse.Namespace) -> int:
    text = client_diagram(config, args.client)
    if args.svg is None:
        print(text)  # noqa: T201
        return 0
    renderer = shutil.which("mmdc")
    if renderer is None:
        missing = "mmdc (@mermaid-js/mermaid-cli) is not installed; printing Mermaid text"
        print(missing, file=sys.stderr)  # noqa: T201
        print(text)  # noqa: T201
        return 0
    with tempfile.NamedTemporaryFile("w", suffix=".mmd", encoding="utf-8") as source:
        source.write(text)
        source.flush()
        subprocess.run([renderer, "-i", source.name, "-o", args.svg], check=True)  # noqa: S603
    return 0


_COMMANDS = {"validate": _validate, "explain": _explain, "diagram": _diagram}


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, help="configuration file (else ESCALATOR_CONFIG)")
    parser = argparse.ArgumentParser(prog="python -m escalator_router.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    config = commands.add_parser("config", help="configuration checks")
    config_commands = config.add_subparsers(dest="command", required=True)
    validate = config_commands.add_parser(
        "validate", parents=[common], help="catch mistakes before deploy"
    )
    validate.add_argument("--horizon", default="28d", help="how far ahead to look for gaps")
    explain_ = commands.add_parser(
        "explain", parents=[common], help="who gets this alert, and what happens next"
    )
    explain_.add_argument("alert", help="JSON file with the alert's fields, or - for stdin")
    explain_.add_argument("--at", help="imagine routing at this time (ISO 8601 with offset)")
    explain_.add_argument("--json", action="store_true", help="print the API's JSON answer")
    diagram = commands.add_parser(
        "diagram", parents=[common], help="a client's escalation path as Mermaid"
    )
    diagram.add_argument("client", help="client id")
    diagram.add_argument("--svg", help="render to this SVG file (needs mmdc)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
