"""Local ports for servers a test starts itself."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now (bound and released at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
