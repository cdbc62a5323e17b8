"""Adapters by integration type: the one place a new sender is registered."""

from __future__ import annotations

from escalator_intake.adapters.alertmanager import AlertmanagerAdapter
from escalator_intake.adapters.base import SenderAdapter
from escalator_intake.adapters.datto import DattoAdapter
from escalator_intake.adapters.generic import GenericAdapter
from escalator_intake.adapters.grafana import GrafanaAdapter
from escalator_intake.adapters.ninjaone import NinjaOneAdapter
from escalator_intake.adapters.pagerduty import PagerDutyAdapter
from escalator_intake.adapters.zabbix import ZabbixAdapter

ADAPTERS: dict[str, SenderAdapter] = {
    adapter.type: adapter
    for adapter in (
        GenericAdapter(),
        AlertmanagerAdapter(),
        GrafanaAdapter(),
        PagerDutyAdapter(),
        ZabbixAdapter(),
        NinjaOneAdapter(),
        DattoAdapter(),
    )
}


def adapter_for(integration_type: str) -> SenderAdapter:
    """The adapter of a configured integration type (the configuration validated the type)."""
    return ADAPTERS[integration_type]
