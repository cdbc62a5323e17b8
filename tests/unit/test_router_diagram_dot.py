"""The escalation diagram as Graphviz DOT: the same graph as the Mermaid one, labels quoted so
that Graphviz's own `dot` accepts every client's picture, and the `?format=` choice over HTTP."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from escalator_router.api.diagrams import diagrams_router
from escalator_router.domain.diagram_dot import client_diagram_dot, quote
from escalator_shared.config import EscalatorConfig
from escalator_shared.http.errors import install_error_handlers
from tests.unit.test_routing_rules import EXAMPLE

DOT = shutil.which("dot") or "/usr/bin/dot"
ALICE = {"Authorization": "Bearer dev-staff-token-alice"}
GINA = {"Authorization": "Bearer dev-staff-token-gina"}


def rendered_svg(text: str) -> str:
    """What `dot -Tsvg` makes of the text; fails the test when dot refuses it."""
    done = subprocess.run(
        [DOT, "-Tsvg"], input=text, capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    assert not done.stderr, done.stderr  # warnings too, e.g. about a cluster or an attribute
    return done.stdout


@pytest.mark.parametrize("client_id", [client.id for client in EXAMPLE.clients])
def test_dot_renders_every_client_of_the_example(client_id: str) -> None:
    text = client_diagram_dot(EXAMPLE, client_id)
    assert text.startswith("digraph escalation {\n")
    svg = rendered_svg(text)
    assert f"{EXAMPLE.client(client_id).name} ticket" in svg.replace("&#45;", "-")


def test_dot_shows_rules_in_order_tiers_steps_and_vendors() -> None:
    text = client_diagram_dot(EXAMPLE, "acme")
    assert "rankdir=LR" in text
    assert 'fontname="DejaVu Sans"' in text
    assert 'rule0 [shape=box, label="acme-vip-fast-track\\nvip True"];' in text
    assert 'rule1 [shape=box, label="m365-outage-to-vendor\\nservice=m365"];' in text
    assert 'rule0 -> rule1 [label="no"];' in text
    assert 'target2 [shape=box, style=rounded, label="L2 Technical specialists"];' in text
    assert "target2 -> policy1_s0 [lhead=cluster_policy1];" in text
    assert 'vendor0 [shape=component, label="Microsoft 365"];' in text
    assert 'target1 -> vendor0 [style=dashed, label="vendor case"];' in text
    assert 'label="Standard (L1, then L2, then L3)"' in text
    assert 'policy0_s1 [shape=note, label="T+15 min\\nL2 on call\\nteam:l2-technical"];' in text
    assert 'policy0_s0 -> policy0_s1 [label="not acknowledged"];' in text
    assert 'rule3 -> target_default [label="no"];' in text
    assert "globex-firewall-to-network" not in text  # another client's exception


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("plain", '"plain"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("C:\\new\\", '"C:\\\\new\\\\"'),
        ("two\nlines\r\nthree\rfour", '"two\\nlines\\nthree\\nfour"'),
        ("bell\x07 and nul\x00", '"bell  and nul "'),
        ('"]; evil [label="x', '"\\"]; evil [label=\\"x"'),
    ],
)
def test_quote_escapes_what_dot_reads_specially(text: str, quoted: str) -> None:
    assert quote(text) == quoted


def test_hostile_names_stay_inside_their_labels() -> None:
    hostile = 'Evil "Corp" \\ }\n digraph x {'
    data = EXAMPLE.model_dump(mode="json")
    acme = next(c for c in data["clients"] if c["id"] == "acme")
    acme["name"] = hostile
    acme["routing"][0]["name"] = 'vip "fast" \\ track\nsecond line'
    policy = next(p for p in data["escalation_policies"] if p["id"] == "standard")
    policy["name"] = 'Std "policy" }'
    svg = rendered_svg(client_diagram_dot(EscalatorConfig.model_validate(data), "acme"))
    assert "Evil &quot;Corp&quot; \\ }" in svg
    assert "second line" in svg
    assert "Std &quot;policy&quot; }" in svg
    assert svg.count("<svg") == 1


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(diagrams_router(EXAMPLE))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://router") as http:
        yield http


@pytest.mark.parametrize(
    ("params", "media_type", "start"),
    [
        ({}, "text/vnd.mermaid", "flowchart TD\n"),
        ({"format": "mermaid"}, "text/vnd.mermaid", "flowchart TD\n"),
        ({"format": "dot"}, "text/vnd.graphviz", "digraph escalation {\n"),
    ],
)
async def test_the_format_chooses_the_media_type(
    client: httpx.AsyncClient, params: dict[str, Any], media_type: str, start: str
) -> None:
    answer = await client.get("/v1/clients/acme/escalation-diagram", params=params, headers=ALICE)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(media_type)
    assert answer.text.startswith(start)


async def test_an_unknown_format_is_a_422_and_scoping_still_applies(
    client: httpx.AsyncClient,
) -> None:
    path = "/v1/clients/acme/escalation-diagram"
    unknown = await client.get(path, params={"format": "png"}, headers=ALICE)
    hidden = await client.get(path, params={"format": "dot"}, headers=GINA)
    assert unknown.status_code == 422
    assert unknown.json()["error"] == "unknown_format"
    assert hidden.status_code == 404  # Gina works for Globex only
