"""Rate limits answer 429 with Retry-After; malformed bodies are kept, listed and replayable."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import INTEGRATION, INTEGRATION_TOKEN, STAFF_TOKEN, RunningSystem

pytestmark = pytest.mark.e2e

CAROL = {"Authorization": "Bearer dev-staff-token-carol"}


def test_a_rate_limited_integration_answers_429_with_retry_after(system: RunningSystem) -> None:
    url = f"{system.services['intake'].url}/v1/webhooks/acme-limited"
    headers = {"Authorization": "Bearer dev-token-acme-limited"}
    answers = [httpx.post(url, json={"title": f"n{n}"}, headers=headers) for n in range(4)]
    statuses = [a.status_code for a in answers]
    assert statuses[:2] == [202, 202]
    assert 429 in statuses[2:]
    limited = next(a for a in answers if a.status_code == 429)
    assert limited.json()["error"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1


def test_a_malformed_body_is_kept_and_an_operator_can_inspect_and_replay_it(
    system: RunningSystem,
) -> None:
    base = system.services["intake"].url
    refused = httpx.post(
        f"{base}/v1/webhooks/{INTEGRATION}",
        json={"severity": "critical", "note": "no title"},
        headers={"Authorization": f"Bearer {INTEGRATION_TOKEN}"},
    )
    assert refused.status_code == 422
    rejected_id = refused.json()["rejected_id"]

    technician = httpx.get(
        f"{base}/v1/rejected", headers={"Authorization": f"Bearer {STAFF_TOKEN}"}
    )
    assert technician.status_code == 403
    listed = httpx.get(f"{base}/v1/rejected", params={"integration": INTEGRATION}, headers=CAROL)
    assert rejected_id in [r["id"] for r in listed.json()["rejected"]]
    shown = httpx.get(f"{base}/v1/rejected/{rejected_id}", headers=CAROL).json()
    assert shown["error"] == "the alert is not valid: title: Field required"
    assert '"note": "no title"' in shown["body"] or '"note":"no title"' in shown["body"]

    replayed = httpx.post(f"{base}/v1/rejected/{rejected_id}/replay", headers=CAROL)
    assert replayed.status_code == 422
    again = httpx.get(f"{base}/v1/rejected/{rejected_id}", headers=CAROL).json()
    assert again["replay_result"].startswith("refused again")


def test_unauthenticated_garbage_is_not_kept(system: RunningSystem) -> None:
    base = system.services["intake"].url
    answer = httpx.post(f"{base}/v1/webhooks/{INTEGRATION}", content=b"{garbage")
    assert answer.status_code == 401
    assert "rejected_id" not in answer.json()
