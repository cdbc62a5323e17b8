"""Ways a send goes wrong, for the notifier's integration tests: a real SMTP server that
refuses every recipient, a hung SMTP relay, and a worker cut short mid-send."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from aiosmtpd.controller import Controller

from tests.integration.ports import free_port


class _Refuse:
    """An SMTP server's handler refusing every recipient for good (550)."""

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, _server: Any, _session: Any, _envelope: Any, _address: str, _options: Any
    ) -> str:
        return "550 5.1.1 Mailbox unavailable"


@contextlib.contextmanager
def refusing_smtp() -> Iterator[int]:
    """A real SMTP server refusing every recipient, for the block; gives its port."""
    controller = Controller(_Refuse(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


class SilentServer:
    """A TCP listener that accepts connections and never answers: a hung SMTP relay."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.05)
        self.port: int = self._socket.getsockname()[1]
        self._held: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def connections(self) -> int:
        """Connections accepted so far."""
        return len(self._held)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                connection, _ = self._socket.accept()
                self._held.append(connection)

    def close(self) -> None:
        """Stop listening; drop the connections held."""
        self._stopping.set()
        self._thread.join()
        for connection in self._held:
            connection.close()
        self._socket.close()


@contextlib.contextmanager
def silent_smtp() -> Iterator[SilentServer]:
    """A hung SMTP relay for the block."""
    server = SilentServer()
    try:
        yield server
    finally:
        server.close()


async def until(
    condition: Callable[[], bool], task: asyncio.Future[Any], within: float = 5.0
) -> None:
    """Wait (briefly polling) until `condition()` holds while `task` still runs."""
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        assert not task.done(), "the step ended before its requests arrived"
        assert asyncio.get_running_loop().time() < deadline, "the requests never arrived"
        await asyncio.sleep(0.01)


async def stop_mid_send(
    step: Awaitable[bool], arrived: Callable[[], bool], within: float = 5.0
) -> None:
    """Run a worker's step until `arrived()` says its requests reached the providers, then stop
    it there, as a process killed mid-send (its claim committed, its outcome never recorded)."""
    task = asyncio.ensure_future(step)
    await until(arrived, task, within)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
