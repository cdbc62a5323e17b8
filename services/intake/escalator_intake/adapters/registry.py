"""Adapters by integration type: the one place a new sender is registered."""

from __future__ import annotations

from escalator_intake.adapters.base import SenderAdapter
from escalator_intake.adapters.generic import GenericAdapter

ADAPTERS: dict[str, SenderAdapter] = {adapter.type: adapter for adapter in (GenericAdapter(),)}


def adapter_for(integration_type: str) -> SenderAdapter:
    """The adapter of a configured integration type (the configuration validated the type)."""
    return ADAPTERS[integration_type]
