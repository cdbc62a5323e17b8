"""`column = ANY(:values)` over one array parameter.

An expanding `IN` renders its SQL anew for each number of values, and PostgreSQL prepares one
statement per count; an array parameter keeps one SQL text, one cached compilation and one
prepared statement whatever the batch size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, any_, bindparam
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine


def any_of(
    name: str, element_type: type[TypeEngine[Any]], values: Sequence[Any] | None = None
) -> ColumnElement[Any]:
    """`ANY(:name)` of an array of `element_type`: bound now to `values`, or at execution
    (for statements built once at import)."""
    array = ARRAY(element_type)
    param = (
        bindparam(name, type_=array)
        if values is None
        else bindparam(name, list(values), type_=array)
    )
    return any_(param)
