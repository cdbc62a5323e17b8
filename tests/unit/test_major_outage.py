"""Major outages: which tickets count, under which service, and when it is declared."""

from __future__ import annotations

from datetime import timedelta

from escalator_router.domain.major_outage import ANY_SERVICE, OutageWatch, declared, watch
from escalator_shared.config import MajorOutage
from escalator_shared.events import Priority

POLICY = MajorOutage(
    distinct_clients=3, window=timedelta(minutes=15), flagged_services=["core-network"]
)


def test_only_urgent_tickets_naming_a_service_count() -> None:
    assert watch(POLICY, Priority.P1, {"service": "m365"}) == OutageWatch("m365", flagged=False)
    assert watch(POLICY, Priority.P3, {"service": "m365"}) is None
    assert watch(POLICY, Priority.P1, {}) is None
    assert watch(None, Priority.P1, {"service": "m365"}) is None
    anywhere = MajorOutage(service_label=None)
    assert watch(anywhere, Priority.P2, {}) == OutageWatch(ANY_SERVICE, flagged=False)


def test_a_flagged_service_is_major_at_once_others_at_the_threshold() -> None:
    flagged = watch(POLICY, Priority.P1, {"service": "core-network"})
    assert flagged is not None
    assert declared(POLICY, flagged, 1) == "flagged service core-network is down"
    m365 = OutageWatch("m365", flagged=False)
    assert declared(POLICY, m365, 2) is None
    assert declared(POLICY, m365, 3) == "3 clients hit on m365 within 15 min"
