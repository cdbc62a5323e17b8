"""Contracts and plumbing shared by the Escalator services: events, bus, database, settings."""
