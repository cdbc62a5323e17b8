"""The reporting read model: one record of facts per ticket, folded from the event topics, and
the KPIs computed over those records."""
