"""Escalator notifier service."""
