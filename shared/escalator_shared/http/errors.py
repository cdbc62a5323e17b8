"""JSON error bodies that name what is wrong, for every 4xx a service answers, and a 503 with
Retry-After when the database or the broker is away."""

from __future__ import annotations

from aiokafka.errors import KafkaError
from asyncpg.exceptions import InterfaceError as AsyncpgInterfaceError
from asyncpg.exceptions import PostgresError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from escalator_shared.config.loader import format_path
from escalator_shared.errors import is_transient

# Where an outage of the database or broker surfaces in a request; is_transient tells which.
_INFRASTRUCTURE_ERRORS = (
    SQLAlchemyError,
    OSError,
    KafkaError,
    PostgresError,
    AsyncpgInterfaceError,
)
OUTAGE_RETRY_AFTER_SECONDS = 5


class ApiError(Exception):
    """An error answered as `{"error": code, "message": ...}` with an HTTP status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        extra: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.extra = extra or {}


def error_response(exc: ApiError) -> JSONResponse:
    """`{"error": code, "message": ..., **extra}` with the error's status and headers."""
    return JSONResponse(
        {"error": exc.code, "message": exc.message, **exc.extra},
        exc.status,
        headers=exc.headers,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Answer ApiError, HTTPException and validation errors with the same JSON shape."""

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        code = "not_found" if exc.status_code == 404 else "http_error"
        return JSONResponse({"error": code, "message": str(exc.detail)}, exc.status_code)

    for error_class in _INFRASTRUCTURE_ERRORS:
        app.add_exception_handler(error_class, _unavailable)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": format_path(tuple(e["loc"])), "problem": e["msg"]} for e in exc.errors()
        ]
        return JSONResponse(
            {
                "error": "invalid_request",
                "message": "the request is not valid",
                "problems": problems,
            },
            422,
        )


async def _unavailable(_request: Request, exc: Exception) -> JSONResponse:
    """503 with Retry-After while the database or the broker is away; anything else is a bug,
    raised on to be answered 500 and logged with its traceback."""
    if not is_transient(exc):
        raise exc
    return error_response(
        ApiError(
            503,
            "unavailable",
            "the database or the message broker is not available right now; "
            f"try again in {OUTAGE_RETRY_AFTER_SECONDS} seconds",
            headers={"Retry-After": str(OUTAGE_RETRY_AFTER_SECONDS)},
        )
    )
