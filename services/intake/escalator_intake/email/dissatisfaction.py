"""An explainable signal that a customer is unhappy, from the words of their email.

No model, no magic: the score is the sum of the weights of the configured phrases that occur in
the new part of the text (quoted history is ignored, see `quoting.strip_quoted`), each phrase
counted once, matched case-insensitively as whole words (so "escalate" does not match
"escalated", and the words of a phrase may be separated by any whitespace, line breaks included),
plus two small built-in boosts: many exclamation marks, and several words in ALL CAPS. The score
is clamped to 0..1, and `matched` says exactly what contributed how much, so a technician (or a
routing rule's audit trail) can see why a ticket was flagged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from escalator_intake.email.quoting import strip_quoted

__all__ = [
    "ALL_CAPS_BOOST",
    "DEFAULT_PHRASES",
    "DEFAULT_THRESHOLD",
    "EXCLAMATION_BOOST",
    "Assessment",
    "Contribution",
    "assess",
]

DEFAULT_PHRASES: Final[Mapping[str, float]] = {
    "unacceptable": 0.5,
    "cancel our contract": 0.7,
    "cancel the contract": 0.7,
    "looking for another provider": 0.6,
    "very disappointed": 0.5,
    "very unhappy": 0.5,
    "speak to your manager": 0.5,
    "no one has responded": 0.45,
    "nobody has responded": 0.45,
    "still not working": 0.4,
    "still not fixed": 0.4,
    "ridiculous": 0.4,
    "not good enough": 0.4,
    "third time": 0.35,
    "escalate": 0.35,
    "frustrated": 0.35,
    "nobody has fixed": 0.3,
    "still happening": 0.3,
    "complaint": 0.3,
    "waiting for days": 0.3,
}
DEFAULT_THRESHOLD: Final = 0.5

# Boost names as they appear in `Assessment.matched`.
EXCLAMATION_BOOST: Final = "boost:exclamation_marks"
ALL_CAPS_BOOST: Final = "boost:all_caps_words"
_EXCLAMATION_WEIGHT: Final = 0.1
_EXCLAMATION_MIN: Final = 3
_ALL_CAPS_WEIGHT: Final = 0.15
_ALL_CAPS_MIN_WORDS: Final = 3
# Shorter all-caps words are mostly acronyms (VPN, DNS, PC).
_ALL_CAPS_MIN_LENGTH: Final = 4


@dataclass(frozen=True)
class Contribution:
    """One configured phrase or built-in boost found in the text, and its weight."""

    name: str
    weight: float


@dataclass(frozen=True)
class Assessment:
    """The score (0..1), whether it reaches the threshold, and what made it up."""

    score: float
    dissatisfied: bool
    matched: tuple[Contribution, ...]


def assess(
    text: str,
    phrases: Mapping[str, float] = DEFAULT_PHRASES,
    threshold: float = DEFAULT_THRESHOLD,
) -> Assessment:
    """Score the new (unquoted) part of `text`; `dissatisfied` is `score >= threshold`."""
    content = strip_quoted(text)
    matched = [
        Contribution(phrase, weight)
        for phrase, weight in phrases.items()
        if phrase.strip() and _phrase_regex(phrase).search(content)
    ]
    if content.count("!") >= _EXCLAMATION_MIN:
        matched.append(Contribution(EXCLAMATION_BOOST, _EXCLAMATION_WEIGHT))
    if _shouting_words(content) >= _ALL_CAPS_MIN_WORDS:
        matched.append(Contribution(ALL_CAPS_BOOST, _ALL_CAPS_WEIGHT))
    score = round(min(1.0, max(0.0, sum(c.weight for c in matched))), 6)
    return Assessment(score=score, dissatisfied=score >= threshold, matched=tuple(matched))


def _phrase_regex(phrase: str) -> re.Pattern[str]:
    words = r"\s+".join(re.escape(word) for word in phrase.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


def _shouting_words(text: str) -> int:
    count = 0
    for token in text.split():
        word = token.strip(".,;:!?\"'()[]{}")
        if len(word) >= _ALL_CAPS_MIN_LENGTH and word.isalpha() and word.isupper():
            count += 1
    return count
