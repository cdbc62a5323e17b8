"""Escalator sla-timer service."""
