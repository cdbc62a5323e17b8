"""Direct routes: answered ahead of FastAPI, with its error shape; everything else passes on."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from escalator_shared.http.direct_routes import DirectRoute, DirectRoutes
from escalator_shared.http.errors import ApiError, install_error_handlers
from escalator_shared.http.ops import HttpMetricsMiddleware
from escalator_shared.observability.metrics import ServiceMetrics


async def _echo(request: Request) -> Response:
    body = await request.body()
    if body == b"refuse":
        raise ApiError(429, "rate_limited", "slow down", headers={"Retry-After": "3"})
    return JSONResponse({"thing": request.path_params["thing_id"], "body": body.decode()}, 202)


def _app() -> tuple[httpx.AsyncClient, ServiceMetrics]:
    fastapi_app = FastAPI()
    install_error_handlers(fastapi_app)
    router = APIRouter()

    @router.get("/things/{thing_id}/info")
    async def info(thing_id: str) -> dict[str, str]:
        return {"info": thing_id}

    fastapi_app.include_router(router)
    metrics = ServiceMetrics.create("direct-routes-test")
    direct = DirectRoutes(fastapi_app, [DirectRoute("POST", "/things/{thing_id}", _echo)])
    app = HttpMetricsMiddleware(direct, metrics=metrics)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    return client, metrics


def _count(metrics: ServiceMetrics, route: str, status: str) -> float:
    value = metrics.registry.get_sample_value(
        "escalator_http_requests_total",
        {"service": "direct-routes-test", "route": route, "status": status},
    )
    return value or 0.0


async def test_a_direct_route_gets_its_path_parameters_and_body_and_is_counted() -> None:
    client, metrics = _app()
    async with client:
        answer = await client.post("/things/t-1", content=b"hello")
    assert answer.status_code == 202
    assert answer.json() == {"thing": "t-1", "body": "hello"}
    assert _count(metrics, "/things/{thing_id}", "202") == 1


async def test_an_api_error_has_the_apps_error_shape_status_and_headers() -> None:
    client, metrics = _app()
    async with client:
        answer = await client.post("/things/t-1", content=b"refuse")
    assert answer.status_code == 429
    assert answer.json() == {"error": "rate_limited", "message": "slow down"}
    assert answer.headers["retry-after"] == "3"
    assert _count(metrics, "/things/{thing_id}", "429") == 1


async def test_other_paths_and_the_apps_own_errors_pass_on_to_fastapi() -> None:
    client, metrics = _app()
    async with client:
        info = await client.get("/things/t-2/info")
        missing = await client.post("/things/t-2/elsewhere")
    assert info.status_code == 200
    assert info.json() == {"info": "t-2"}
    assert _count(metrics, "/things/{thing_id}/info", "200") == 1
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"


async def test_a_direct_path_asked_with_another_method_is_405_naming_the_allowed_one() -> None:
    client, _metrics = _app()
    async with client:
        answer = await client.get("/things/t-3")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert answer.json()["error"] == "method_not_allowed"
