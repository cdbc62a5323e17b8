"""A request that meets a database outage is a 503 with Retry-After, not a 500 (issue 21): the
error is real, from asyncpg connecting to a port where nothing listens."""

from __future__ import annotations

import socket

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from escalator_shared.http.errors import install_error_handlers


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    engine = create_async_engine(
        f"postgresql+asyncpg://nobody:nothing@127.0.0.1:{_closed_port()}/none"
    )

    @app.get("/tickets")
    async def tickets() -> dict[str, int]:
        async with engine.connect() as connection:
            return {"count": (await connection.execute(text("select 1"))).scalar_one()}

    @app.get("/bug")
    async def bug() -> dict[str, str]:
        raise FileNotFoundError(2, "No such file", "rules.yaml")  # an OSError, but no outage

    return app


async def test_a_read_while_the_database_is_away_is_a_503_with_retry_after() -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        answer = await client.get("/tickets")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert answer.json()["error"] == "unavailable"
    assert "not available right now" in answer.json()["message"]


async def test_an_error_that_is_no_outage_still_fails_loudly() -> None:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        with pytest.raises(FileNotFoundError, match="No such file"):
            await client.get("/bug")
