"""Grafana alerting's webhook contact point: the Alertmanager shape plus Grafana's own fields."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any, ClassVar

from escalator_intake.adapters.alertmanager import AlertmanagerAdapter
from escalator_intake.adapters.base import SignatureError, optional_text

SIGNATURE_HEADER = "X-Grafana-Alerting-Signature"

_LINK_FIELDS = ("dashboardURL", "panelURL", "silenceURL")


class GrafanaAdapter(AlertmanagerAdapter):
    """Grafana's webhook (`version` "1"), parsed by the Alertmanager code."""

    type: ClassVar[str] = "grafana"
    versions: ClassVar[frozenset[str]] = frozenset({"1"})
    own_group_fields: ClassVar[frozenset[str]] = frozenset({"title", "state", "message", "orgId"})
    own_alert_fields: ClassVar[frozenset[str]] = frozenset({*_LINK_FIELDS, "values"})

    def _group_details(self, body: Mapping[str, Any]) -> dict[str, Any]:
        details = super()._group_details(body)
        details.update({k: body[k] for k in sorted(self.own_group_fields) if k in body})
        return details

    def _alert_extras(
        self, alert: Mapping[str, Any], where: str
    ) -> tuple[list[str], dict[str, Any]]:
        links = [optional_text(alert.get(key), f"{where}.{key}") for key in _LINK_FIELDS]
        details = {"values": alert["values"]} if "values" in alert else {}
        return [link for link in links if link], details

    def verify_signature(self, raw: bytes, headers: Mapping[str, str], secret: str) -> None:
        """The header must be hex(HMAC-SHA256(secret, body)) (no timestamp header configured)."""
        offered = _header(headers, SIGNATURE_HEADER)
        if not offered:
            raise SignatureError(
                f"the {SIGNATURE_HEADER} header is missing; set the contact point's HMAC secret "
                "to the integration's signing_secret"
            )
        expected = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(offered.strip().lower().encode(), expected.encode()):
            raise SignatureError(
                f"the {SIGNATURE_HEADER} header does not match the body signed with the "
                "integration's signing_secret"
            )


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, whatever its case (HTTP headers are case-insensitive)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None
