"""Benchmark: routing decisions/s in-process, with 500 rules, 200 clients and 50 schedules.

A generated configuration: 200 clients with 1 or 2 rules of their own each (300 client rules),
200 global rules over every kind of condition (keywords, regular expressions, labels, severities,
priorities, error codes, technologies, business hours), 50 teams each with a two-layer schedule
(a weekly 24/7 rotation under a business-hours layer, one override each). A decision is the whole
`Router.route`: rule choice, team, on-call person and backup at that instant, priority, policy.

Two ticket mixes are measured: "mixed" (random titles, a third carrying words some rule matches)
and "no match" (every rule a client can reach is tried, then the default: the worst case).

Usage: python -m tests.benchmarks.routing_decisions [--decisions 20000]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from escalator_router.domain.facts import TicketFacts
from escalator_router.domain.router import Router
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import Priority, Severity

CLIENTS, SCHEDULES, GLOBAL_RULES, PEOPLE = 200, 50, 200, 100
WORDS = ["firewall", "vpn", "backup", "printer", "outlook", "disk", "cpu", "switch", "dns", "dhcp"]
TECHNOLOGIES = ["m365", "fortinet", "meraki", "veeam", "vmware", "sophos"]


def generated_config(seed: int = 7) -> EscalatorConfig:
    """The benchmark's configuration (deterministic for a seed)."""
    rng = random.Random(seed)
    people = [
        {"id": f"p{i}", "name": f"Person {i}", "email": f"p{i}@msp.example"} for i in range(PEOPLE)
    ]
    schedules = [_schedule(i, rng) for i in range(SCHEDULES)]
    teams = [
        {"id": f"team{i}", "tier": ["L1", "L2", "L3"][i % 3], "schedule": f"s{i}", "manager": "p0"}
        for i in range(SCHEDULES)
    ]
    clients = [_client(i, rng) for i in range(CLIENTS)]
    rules = [_global_rule(i, rng) for i in range(GLOBAL_RULES)]
    return EscalatorConfig.model_validate(
        {
            "tiers": [{"id": t, "name": t} for t in ("L1", "L2", "L3")],
            "people": people,
            "clients": clients,
            "sla_policies": [{"id": "std", "response": {"P1": "15m", "P3": "1h"}}],
            "teams": teams,
            "schedules": schedules,
            "escalation_policies": [
                {
                    "id": "standard",
                    "steps": [
                        {"targets": ["assignee"], "escalate_after": "15m"},
                        {"targets": ["tier:L2"], "escalate_after": "30m"},
                        {"targets": ["tier:L3", "manager"]},
                    ],
                }
            ],
            "routing": {
                "rules": rules,
                "default": {"team": "team0"},
                "escalation_policy": "standard",
            },
        }
    )


def _schedule(index: int, rng: random.Random) -> dict[str, Any]:
    members = [f"p{rng.randrange(PEOPLE)}" for _ in range(4)]
    zone = rng.choice(["Europe/London", "America/New_York", "Europe/Berlin", "Asia/Tokyo"])
    return {
        "id": f"s{index}",
        "time_zone": zone,
        "layers": [
            {"name": "weekly", "rotation": "weekly", "starts": "2026-01-05", "members": members},
            {
                "name": "day",
                "rotation": "daily",
                "starts": "2026-01-05",
                "members": members[:2],
                "active": [
                    {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}
                ],
            },
        ],
        "overrides": [
            {"person": members[0], "start": "2026-12-24T09:00", "end": "2026-12-26T09:00"}
        ],
        "backup_person": f"p{rng.randrange(PEOPLE)}",
    }


def _client(index: int, rng: random.Random) -> dict[str, Any]:
    own = [
        {
            "name": f"c{index}-rule{n}",
            "match": rng.choice(
                [
                    {"keywords": rng.sample(WORDS, 2)},
                    {"vip": True},
                    {"severities": ["critical"], "business_hours": False},
                    {"device_types": ["firewall"]},
                ]
            ),
            "team": f"team{rng.randrange(SCHEDULES)}",
        }
        for n in range(1 + index % 2)
    ]
    return {
        "id": f"c{index}",
        "name": f"Client {index}",
        "sla_policy": "std",
        "contract_tier": rng.choice(["gold", "silver", "bronze"]),
        "technologies": rng.sample(TECHNOLOGIES, 2),
        "time_zone": "Europe/London",
        "business_hours": [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "18:00"}
        ],
        "vip_requesters": [f"ceo@c{index}.example"],
        "routing": own,
    }


def _global_rule(index: int, rng: random.Random) -> dict[str, Any]:
    kinds = [
        {"keywords": [rng.choice(WORDS), f"word{index}"]},
        {"title_regex": rf"^ERR-{index}\b"},
        {"labels": {"service": f"svc{index}"}},
        {"error_codes": [f"0x{index:04x}"]},
        {
            "severities": ["critical"],
            "technologies": [rng.choice(TECHNOLOGIES)],
            "keywords": [f"k{index}"],
        },
        {"priorities": ["P1"], "contract_tiers": ["gold"], "labels": {"env": f"e{index}"}},
        {"clients": [f"c{rng.randrange(CLIENTS)}"], "keywords": [rng.choice(WORDS)]},
    ]
    return {
        "name": f"rule{index}",
        "match": kinds[index % len(kinds)],
        "team": f"team{index % SCHEDULES}",
    }


def tickets(count: int, matching: bool, seed: int = 11) -> list[TicketFacts]:
    """Random ticket facts; with `matching` a third carry words or labels some rule matches."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 23, tzinfo=UTC)
    found = []
    for n in range(count):
        hint = matching and n % 3 == 0
        found.append(
            TicketFacts(
                client_id=f"c{rng.randrange(CLIENTS)}",
                priority=rng.choice(list(Priority)),
                title=(f"{rng.choice(WORDS)} alert on host {n}" if hint else f"Alert {n} on host"),
                at=start + timedelta(minutes=rng.randrange(60 * 24 * 14)),
                severity=rng.choice(list(Severity)),
                labels={"service": f"svc{rng.randrange(GLOBAL_RULES)}"} if hint else {},
                description="Generated for the routing benchmark.",
            )
        )
    return found


def measure(router: Router, facts: list[TicketFacts]) -> tuple[float, float]:
    """Decisions per second and microseconds per decision (one pass after a warm-up pass)."""
    for ticket in facts[: len(facts) // 10]:
        router.route(ticket)
    started = time.perf_counter()
    for ticket in facts:
        router.route(ticket)
    elapsed = time.perf_counter() - started
    return len(facts) / elapsed, elapsed / len(facts) * 1e6


def main() -> None:
    """Build, measure both mixes, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--decisions", type=int, default=20_000)
    args = parser.parse_args()
    config = generated_config()
    client_rules = sum(len(c.routing) for c in config.clients)
    print(
        f"routing benchmark: {len(config.routing.rules)} global + {client_rules} client rules, "
        f"{len(config.clients)} clients, {len(config.schedules)} schedules, "
        f"{len(config.teams)} teams"
    )
    router = Router(config)
    for label, matching in (("mixed", True), ("no match", False)):
        per_second, micros = measure(router, tickets(args.decisions, matching))
        print(
            f"  {label:9} {per_second:10,.0f} decisions/s  "
            f"({micros:.1f} µs each, {args.decisions:,} tickets)"
        )


if __name__ == "__main__":
    main()
