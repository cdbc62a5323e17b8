"""Escalator vendor-gateway service."""
