"""The dissatisfaction signal and the quoted-text stripping it relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from escalator_intake.email.dissatisfaction import (
    ALL_CAPS_BOOST,
    EXCLAMATION_BOOST,
    Contribution,
    assess,
)
from escalator_intake.email.message import parse_email
from escalator_intake.email.quoting import strip_quoted

SAMPLES = Path(__file__).parent.parent / "fixtures" / "email"


@pytest.mark.parametrize(
    ("text", "dissatisfied", "matched"),
    [
        ("Thanks, that fixed it.", False, []),
        ("This is unacceptable.", True, [("unacceptable", 0.5)]),
        ("UNACCEPTABLE", True, [("unacceptable", 0.5)]),
        ("Printer is still not working.", False, [("still not working", 0.4)]),
        (
            "Still not\nworking, and this is the third time!",
            True,
            [("still not working", 0.4), ("third time", 0.35)],
        ),
        ("We will cancel our contract.", True, [("cancel our contract", 0.7)]),
        ("Please escalate this.", False, [("escalate", 0.35)]),
        ("It was escalated yesterday, thanks.", False, []),  # whole words only
        ("The third-party timeline", False, []),
        (
            "No one has responded!!! Very disappointed.",
            True,
            [
                ("very disappointed", 0.5),
                ("no one has responded", 0.45),
                (EXCLAMATION_BOOST, 0.1),
            ],
        ),
        (
            "WHY IS THIS STILL BROKEN",
            False,
            [(ALL_CAPS_BOOST, 0.15)],
        ),
        ("VPN and DNS on the PC via MFA", False, []),  # acronyms are not shouting
    ],
)
def test_assessments(text: str, dissatisfied: bool, matched: list[tuple[str, float]]) -> None:
    result = assess(text)
    assert result.dissatisfied is dissatisfied
    assert result.matched == tuple(Contribution(name, weight) for name, weight in matched)
    assert result.score == round(min(1.0, sum(w for _, w in matched)), 6)


def test_score_is_capped_and_threshold_configurable() -> None:
    text = "Unacceptable. Very disappointed. We will cancel our contract."
    result = assess(text)
    assert result.score == 1.0
    assert [c.name for c in result.matched] == [
        "unacceptable",
        "cancel our contract",
        "very disappointed",
    ]
    custom = assess("the printer is slow again", {"slow": 0.2, "again": 0.2}, threshold=0.4)
    assert custom.score == 0.4
    assert custom.dissatisfied is True
    assert assess("slow", {"slow": 0.2}, threshold=0.4).dissatisfied is False
    assert assess("thank you", {"thank you": -0.5}).score == 0.0


def test_reply_sample() -> None:
    mail = parse_email((SAMPLES / "03-reply-to-ticket.eml").read_bytes())
    result = assess(mail.text)
    assert result.dissatisfied is True
    assert [c.name for c in result.matched] == [
        "very unhappy",
        "third time",
        "nobody has fixed",
        "still happening",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Thanks!\n> This is unacceptable and still not working!!!",
        "Thanks!\n\nOn Fri, 20 Nov 2026 at 09:12, Dana <d@x> wrote:\nThis is unacceptable.",
        "Thanks!\nOn Fri, 20 Nov 2026 at 09:12, Dana Whitfield\n<d@x> wrote:\nUnacceptable.",
        "Thanks!\n-----Original Message-----\nFrom: Dana\nThis is unacceptable.",
        "Thanks!\n________________________________\nFrom: Dana\nSent: Friday\nUnacceptable!",
        "Thanks!\nFrom: Dana Whitfield <d@x>\nSent: Friday\nTo: support\nUnacceptable!!!",
        "Thanks!\nAm 20.11.2026 um 09:12 schrieb Dana <d@x>:\nUnacceptable.",
    ],
)
def test_quoted_text_is_ignored(text: str) -> None:
    assert strip_quoted(text) == "Thanks!"
    result = assess(text)
    assert result.matched == ()
    assert result.dissatisfied is False


def test_strip_quoted_keeps_interleaved_answers() -> None:
    text = "> Did you restart it?\r\nYes, twice.\r\n> And?\r\nStill not working.\r\n"
    assert strip_quoted(text) == "Yes, twice.\nStill not working."
    # A line that merely starts with "On" is not a reply header.
    assert strip_quoted("On Monday it broke.\nIt is down.") == "On Monday it broke.\nIt is down."
