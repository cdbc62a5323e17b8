"""The development tokens the example configuration documents, refused in production.

They are public (docs/security.md lists them), so a production configuration that still holds
one of their digests would let anyone in.
"""

from __future__ import annotations

from escalator_shared.config.access import token_digest

_DOCUMENTED = (
    "dev-staff-token-alice",
    "dev-staff-token-carol",
    "dev-staff-token-frank",
    "dev-staff-token-gina",
    "dev-contact-token-dana",
    "dev-token-acme-monitoring",
    "dev-token-globex-monitoring",
    "dev-token-acme-prometheus",
    "dev-token-acme-grafana",
    "dev-token-acme-zabbix",
    "dev-token-acme-ninjaone",
    "dev-token-acme-datto",
    "dev-token-acme-pagerduty",
)

DEVELOPMENT_TOKEN_DIGESTS = frozenset(token_digest(t) for t in _DOCUMENTED)
