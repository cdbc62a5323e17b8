"""An HTTP server of the tests' own (a stand-in for Slack, a vendor, a login screen) on a free
127.0.0.1 port, served from a background thread."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.harness.processes import free_port


class _Server(ThreadingHTTPServer):
    # The real services take a burst of concurrent posts; the default backlog of 5 would refuse
    # connections under a storm (the notifier keeps up to 64 open).
    request_queue_size = 256
    daemon_threads = True  # a handler asleep in a delay must not block stop()


class BackgroundServer:
    """`serve(handler)` in the subclass's constructor; then `url`, `start()`, `stop()`."""

    port: int

    def serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        """Bind a free port for the handler (serving begins at `start()`)."""
        self.port = free_port()
        self._server = _Server(("127.0.0.1", self.port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
