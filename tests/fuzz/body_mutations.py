"""Hostile request bodies made from real senders' payloads, for the endpoints OpenAPI omits.

Each `Mutation` is raw bytes and a content type: deep nesting, huge values, invalid UTF-8, NUL
and control characters, lone surrogates, wrong types in every field, duplicate keys, numbers
Python's JSON parser refuses or turns into infinity, truncations and random byte flips. Made
deterministically from a seed, so a failure can be sent again.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

JSON = "application/json"
DEPTH = 20_000
WRONG_TYPES: tuple[Any, ...] = (None, 0, -1, 1.5e308, True, "", [], {}, "x" * 5000, [[[]]])


@dataclass(frozen=True)
class Mutation:
    """One body to send and what it does to the original."""

    name: str
    body: bytes
    content_type: str = JSON


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path into `value` (dict keys and list indexes), outermost first."""
    children = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in children:
        yield (*prefix, key)
        if isinstance(child, dict | list) and child:
            yield from _paths(child, (*prefix, key))


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    copy = json.loads(json.dumps(value))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return copy


def _strings(value: Any) -> list[tuple[Any, ...]]:
    found = []
    for path in _paths(value):
        node = value
        for key in path:
            node = node[key]
        if isinstance(node, str):
            found.append(path)
    return found


def structural() -> Iterator[Mutation]:
    """Bodies that break JSON or its parser, whatever the endpoint."""
    yield Mutation("deep arrays", b"[" * DEPTH + b"]" * DEPTH)
    yield Mutation("deep objects", b'{"a":' * DEPTH + b"1" + b"}" * DEPTH)
    yield Mutation("deep mixed", b'[{"a":' * (DEPTH // 2) + b"0" + b"}]" * (DEPTH // 2))
    yield Mutation("empty", b"")
    yield Mutation("whitespace", b" \r\n\t ")
    for literal in (b"null", b"0", b'"text"', b"[]", b"{}", b"true", b"NaN", b"-Infinity"):
        yield Mutation(f"literal {literal.decode()}", literal)
    yield Mutation("huge integer", b'{"title": "x", "severity": ' + b"9" * 5000 + b"}")
    yield Mutation("overflowing float", b'{"title": "x", "n": 1e400}')
    yield Mutation("invalid utf-8", b'{"title": "bad \xff\xfe bytes"}')
    yield Mutation("overlong utf-8", b'{"title": "\xc0\xaf"}')
    yield Mutation("utf-8 surrogate", b'{"title": "\xed\xa0\x80"}')
    yield Mutation("utf-16 body", '{"title": "utf16"}'.encode("utf-16"))
    yield Mutation("bom", b'\xef\xbb\xbf{"title": "bom"}')
    yield Mutation("raw control characters", b'{"title": "a\x01\x02\x1f\x7f b"}')
    yield Mutation("raw nul", b'{"title": "a\x00b"}')
    yield Mutation("form body", b"title=x&severity=critical", "application/x-www-form-urlencoded")
    yield Mutation("text body", b"not json at all", "text/plain")
    yield Mutation("xml body", b"<alert><title>x</title></alert>", "application/xml")


def from_sample(sample: Any, seed: int, flips: int) -> Iterator[Mutation]:
    """Mutations of one real payload: every field's type, its strings, its keys, its bytes."""
    raw = _dump(sample)
    yield Mutation("original", raw)
    for path in _paths(sample):
        for new in WRONG_TYPES:
            yield Mutation(f"{_name(path)} = {_short(new)}", _dump(_replaced(sample, path, new)))
    for path in _strings(sample):
        for text in ("nul \x00 here", "\ud800 lone", "\x01\x1b[31m\x7f", "é" * 100_000, "'; --"):
            yield Mutation(
                f"{_name(path)} holds {_short(text)}", _dump(_replaced(sample, path, text))
            )
    if isinstance(sample, dict):
        yield from _duplicate_keys(sample)
        yield Mutation("nul in a key", _dump({**sample, "k\x00ey": "v"}))
        yield Mutation("every key doubled", _dump({k * 2: v for k, v in sample.items()}))
    rng = random.Random(seed)
    for cut in sorted(rng.sample(range(1, len(raw)), min(5, len(raw) - 1))):
        yield Mutation(f"truncated at {cut}", raw[:cut])
    for n in range(flips):
        flipped = bytearray(raw)
        for _ in range(rng.randint(1, 8)):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        yield Mutation(f"byte flips #{n}", bytes(flipped))


def _duplicate_keys(sample: dict[str, Any]) -> Iterator[Mutation]:
    """The same key twice with values of different types (JSON allows it; the last one wins)."""
    for key in list(sample)[:6]:
        inner = _dump({k: v for k, v in sample.items() if k != key})[1:-1]
        first, second = _dump(sample[key]), _dump([sample[key]])
        body = b"{" + _dump(key) + b": " + first + b", " + _dump(key) + b": " + second
        body += (b", " + inner if inner else b"") + b"}"
        yield Mutation(f"duplicate key {key}", body)


def _name(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:20]}...({len(text)})"
