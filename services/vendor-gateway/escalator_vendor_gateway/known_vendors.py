"""The vendor an API request names, or the 404 every vendor route answers."""

from __future__ import annotations

from escalator_shared.config import EscalatorConfig, Vendor
from escalator_shared.http.errors import ApiError


def known_vendor(config: EscalatorConfig, vendor_id: str) -> Vendor:
    """The directory's entry; ApiError 404 `unknown_vendor` if there is none."""
    try:
        return config.vendor(vendor_id)
    except KeyError:
        raise ApiError(404, "unknown_vendor", f"no vendor {vendor_id!r}") from None
