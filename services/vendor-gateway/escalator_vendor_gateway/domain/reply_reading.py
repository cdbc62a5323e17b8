"""The vendor's own case number in its emailed reply ("Case 2511230040001234 is with our Exchange
team", "Incident INC0012345 opened", "SR 3-1234567").

A vendor's `case_number_pattern` (one group) finds it where the default does not; either way a
candidate must carry at least four digits and must not be one of our own references (the ticket's
tag, our case key), which the reply quotes back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

DEFAULT_CASE_NUMBER_PATTERN = (
    r"(?i)\b(?:case|ticket|incident|service\s+request|SR|request)(?![a-z])"
    r"(?:\s*(?:number|no\.?|id|ref(?:erence)?))?[\s:#]*"
    r"([A-Z]{0,4}-?\d[0-9A-Z-]{3,})"
)
_MIN_DIGITS = 4


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def case_number_in(
    texts: Iterable[str], ours: Iterable[str], pattern: str | None = None
) -> str | None:
    """The first case number in `texts` (in order) that is not one of `ours`; None if none."""
    finder = _compiled(pattern or DEFAULT_CASE_NUMBER_PATTERN)
    own = {reference.casefold() for reference in ours if reference}
    for text in texts:
        for match in finder.finditer(text):
            if match.group(1) is None:
                continue  # a pattern whose group is optional matched without it
            candidate = match.group(1).strip().rstrip("-.")
            digits = sum(ch.isdigit() for ch in candidate)
            if digits >= _MIN_DIGITS and candidate.casefold() not in own:
                return candidate
    return None
