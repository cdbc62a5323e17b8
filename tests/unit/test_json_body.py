"""JSON bodies: the nesting limit measured on the bytes, and the parser every service uses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.types import Message, Receive, Scope, Send

from escalator_shared.http.errors import ApiError
from escalator_shared.http.json_body import (
    MAX_JSON_DEPTH,
    JsonDepthLimit,
    nested_deeper_than,
    parse_json,
)

DEEP_ARRAYS = b"[" * 20000 + b"]" * 20000
DEEP_OBJECTS = b'{"a":' * 20000 + b"1" + b"}" * 20000


def depth(value: Any) -> int:
    """How many arrays and objects the value opens inside each other."""
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


def nested(levels: int, inner: Any = 1) -> Any:
    value = inner
    for level in range(levels):
        value = [value] if level % 2 else {"k": value}
    return value


# Strings full of brackets, quotes and backslashes: none of them nests anything.
tricky_text = st.text(alphabet='[]{}"\\ab\n\u00e9', max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | tricky_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(tricky_text, inner, max_size=4),
    max_leaves=60,
)


@given(json_values, st.integers(min_value=0, max_value=8), st.booleans())
def test_the_depth_measured_on_the_bytes_is_the_depth_of_the_value(
    value: Any, limit: int, ascii_only: bool
) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert nested_deeper_than(raw, limit) == (depth(value) > limit)


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH])
def test_a_body_nested_up_to_the_limit_parses(levels: int) -> None:
    value = {"title": "[[[[ not nesting", "details": nested(levels - 1)}
    assert parse_json(json.dumps(value).encode()) == value


@pytest.mark.parametrize(
    "raw",
    [
        DEEP_ARRAYS,
        DEEP_OBJECTS,
        json.dumps({"title": "x", "details": nested(MAX_JSON_DEPTH)}).encode(),
        # Deep enough to break decoding the event later (pydantic stops at 200), not the parser.
        json.dumps({"title": "x", "details": nested(300)}).encode(),
        # Closing brackets in a string do not hide the nesting after it.
        json.dumps({"title": "]" * 500, "details": nested(MAX_JSON_DEPTH + 5)}).encode(),
        b"[" * 100_000,
    ],
    ids=["arrays", "objects", "just-over", "300-levels", "closers-in-a-string", "unclosed"],
)
def test_a_body_nested_deeper_is_invalid_json(raw: bytes) -> None:
    with pytest.raises(ApiError) as refused:
        parse_json(raw)
    assert (refused.value.status, refused.value.code) == (400, "invalid_json")
    assert f"nested over {MAX_JSON_DEPTH} levels" in refused.value.message


@pytest.mark.parametrize("raw", [b"{oops", b'{"title": "\xff"}', b"[1,]"])
def test_malformed_json_is_invalid_json(raw: bytes) -> None:
    with pytest.raises(ApiError) as refused:
        parse_json(raw)
    assert (refused.value.status, refused.value.code) == (400, "invalid_json")
    assert "not valid JSON" in refused.value.message


async def _through_the_limit(content_type: bytes, chunks: list[bytes]) -> tuple[int, bytes]:
    """Send `chunks` as one request's body through `JsonDepthLimit` in front of an app that
    answers with the body it read; the status and the body answered."""

    async def echo(scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    messages: list[Message] = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    answered: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        answered.append(message)

    scope = {"type": "http", "method": "POST", "headers": [(b"content-type", content_type)]}
    await JsonDepthLimit(echo)(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in answered if m["type"] == "http.response.body")
    return answered[0]["status"], body


async def test_the_middleware_hands_a_json_body_read_in_chunks_on_whole() -> None:
    chunks = [b'{"title": "disk', b' full", "tags": [[1]', b"]}"]
    assert await _through_the_limit(b"application/json; charset=utf-8", chunks) == (
        200,
        b"".join(chunks),
    )


async def test_the_middleware_refuses_a_deep_json_body_before_the_app() -> None:
    half = len(DEEP_ARRAYS) // 2
    status, body = await _through_the_limit(
        b"application/problem+json", [DEEP_ARRAYS[:half], DEEP_ARRAYS[half:]]
    )
    assert status == 400
    assert json.loads(body)["error"] == "invalid_json"


async def test_the_middleware_leaves_other_bodies_to_the_app() -> None:
    assert await _through_the_limit(b"message/rfc822", [DEEP_ARRAYS]) == (200, DEEP_ARRAYS)
