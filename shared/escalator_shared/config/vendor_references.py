"""Cross-references of the vendor directory, and which entries are due for review."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from escalator_shared.config.model import EscalatorConfig
from escalator_shared.config.references import unknown


def vendor_problems(config: EscalatorConfig) -> Iterator[str]:
    """What is wrong with the vendor directory, each naming its key path."""
    vendors = {v.id for v in config.vendors}
    tiers = {t.id for t in config.tiers}
    for index, client in enumerate(config.clients):
        for vendor_id in client.vendor_accounts:
            where = f"clients[{index}].vendor_accounts.{vendor_id}"
            yield from unknown(where, vendor_id, vendors, "vendor")
    for index, vendor in enumerate(config.vendors):
        where = f"vendors[{index}]"
        if vendor.channel == "email" and not vendor.support_email:
            yield f"{where}.channel: email needs a support_email"
        if vendor.channel == "phone" and vendor.hotline is None and not vendor.portal_url:
            yield f"{where}.channel: phone needs a hotline or a portal_url"
        if vendor.channel == "api" and vendor.api is None:
            yield f"{where}.channel: api needs an api entry"
        if vendor.requires and vendor.opening_channel is None:
            yield f"{where}: cases need an api, a support_email or a hotline to open on"
        for f_index, field in enumerate(vendor.requires):
            kind, _, key = field.source.partition(".account.")
            if kind == "vendor" and key not in vendor.account:
                yield (
                    f"{where}.requires[{f_index}].source: the vendor's account has no {key!r}; "
                    f"it has {', '.join(sorted(vendor.account)) or '(nothing)'}"
                )
        names = [field.name for field in vendor.requires]
        for name in sorted({n for n in names if names.count(n) > 1}):
            yield f"{where}.requires: {name!r} is listed twice"
        if vendor.engage_when is not None:
            for tier in vendor.engage_when.worked_by:
                yield from unknown(f"{where}.engage_when.worked_by.{tier}", tier, tiers, "tier")


def review_warnings(config: EscalatorConfig, today: date) -> Iterator[str]:
    """Vendor entries nobody has checked within `vendor_review_every` (flagged, not refused)."""
    every = config.vendor_review_every
    for index, vendor in enumerate(config.vendors):
        if not vendor.review_due(today, every):
            continue
        seen = (
            f"last reviewed {vendor.last_reviewed}"
            if vendor.last_reviewed is not None
            else "never reviewed (no last_reviewed)"
        )
        yield (
            f"vendors[{index}] ({vendor.id}): {seen}, more than {every.days} days ago; check its "
            "contacts, required case data and commitments, then set last_reviewed"
        )
