"""A TCP proxy in front of the shared PostgreSQL that stages what a crash-restart looks like.

The shared server must not be killed (other tests use it), so the proxy plays the parts a
client sees while PostgreSQL crashes and recovers: `crash()` closes every connection it carries
(the backends died with the postmaster), `recovering()` answers each new connection as a
postmaster in crash recovery does (the startup packet gets `FATAL 57P03 the database system is
not yet accepting connections`, in the wire protocol), `ready()` forwards to the real server
again. Clients are real asyncpg and SQLAlchemy connections; nothing of theirs is patched.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from typing import Literal

from sqlalchemy.engine import make_url

_SSL_REQUEST = 80877103
_GSSENC_REQUEST = 80877104
_NOT_YET_ACCEPTING = (
    b"SFATAL\0VFATAL\0C57P03\0Mthe database system is not yet accepting connections\0"
    b"DConsistent recovery state has not been yet reached.\0\0"
)


class PostgresProxy:
    """Forwards 127.0.0.1:<port> to the real server, or plays a server that is recovering."""

    def __init__(self, database_url: str) -> None:
        self._url = make_url(database_url)
        self._mode: Literal["ready", "recovering"] = "ready"
        self._server: asyncio.Server | None = None
        self._carried: set[asyncio.StreamWriter] = set()
        self.refused = 0  # connections answered 57P03

    @property
    def url(self) -> str:
        """The database URL through the proxy."""
        assert self._server is not None, "start() first"
        port = self._server.sockets[0].getsockname()[1]
        return self._url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)

    async def start(self) -> None:
        """Listen on a free port."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)

    async def stop(self) -> None:
        """Close every connection and stop listening."""
        await self.crash()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def crash(self) -> None:
        """Cut every connection carried now, as the backends' death does."""
        for writer in list(self._carried):
            writer.transport.abort()
        self._carried.clear()
        await asyncio.sleep(0)

    def recovering(self) -> None:
        """New connections are refused with 57P03 until `ready()`."""
        self._mode = "recovering"

    def ready(self) -> None:
        """New connections reach the real server."""
        self._mode = "ready"

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if self._mode == "recovering":
                await self._refuse(reader, writer)
            else:
                await self._forward(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.transport.abort()

    async def _refuse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        length, code = struct.unpack("!ii", await reader.readexactly(8))
        if code in (_SSL_REQUEST, _GSSENC_REQUEST):
            writer.write(b"N")  # no encryption; the startup packet follows
            (length,) = struct.unpack("!i", await reader.readexactly(4))
            await reader.readexactly(length - 4)
        else:
            await reader.readexactly(length - 8)
        writer.write(b"E" + struct.pack("!i", len(_NOT_YET_ACCEPTING) + 4) + _NOT_YET_ACCEPTING)
        await writer.drain()
        self.refused += 1

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(self._url.host, self._url.port)
        self._carried.update((writer, up_writer))
        try:
            await asyncio.gather(_pump(reader, up_writer), _pump(up_reader, writer))
        finally:
            self._carried.difference_update((writer, up_writer))
            up_writer.transport.abort()


async def _pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
    sink.transport.abort()
