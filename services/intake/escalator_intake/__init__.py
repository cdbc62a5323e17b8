"""Escalator intake service."""
