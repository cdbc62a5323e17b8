"""Escalator router service."""
