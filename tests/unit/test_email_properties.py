"""Property-based: parsing never raises anything but EmailParseError; the rest never raises."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escalator_intake.email.dissatisfaction import assess
from escalator_intake.email.loops import MailKind, classify
from escalator_intake.email.message import EmailParseError, InboundEmail, parse_email
from escalator_intake.email.quoting import strip_quoted
from escalator_intake.email.rmm_patterns import DEFAULT_PATTERNS, parse_rmm_email
from escalator_intake.email.threading import sender_domain, thread_ids, ticket_reference

SAMPLES = [
    p.read_bytes()
    for p in sorted((Path(__file__).parent.parent / "fixtures" / "email").glob("*.eml"))
]
PROFILE = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse_or_none(raw: bytes) -> InboundEmail | None:
    """parse_email's result, None for EmailParseError; any other exception fails the test."""
    try:
        return parse_email(raw)
    except EmailParseError:
        return None


def check_consumers(mail: InboundEmail) -> None:
    """Everything downstream of parsing accepts whatever parsing produced."""
    assert isinstance(classify(mail, "msp.example"), MailKind)
    assert isinstance(classify(mail, "msp.example", references_count_as_own=True), MailKind)
    reference = ticket_reference(mail)
    assert reference is None or isinstance(reference, str)
    assert all(isinstance(i, str) for i in thread_ids(mail))
    assert isinstance(sender_domain(mail), str)
    parse_rmm_email(mail, DEFAULT_PATTERNS)
    assert 0.0 <= assess(mail.text).score <= 1.0
    assess(mail.subject)


@st.composite
def mutated_samples(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(0, 8))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["replace", "insert", "delete"]))
        if action == "insert" or position == len(data):
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif action == "replace":
            data[position] = draw(st.integers(0, 255))
        else:
            del data[position : position + draw(st.integers(1, 16))]
    cut = draw(st.integers(0, len(data)))
    return bytes(data[:cut]) if draw(st.booleans()) else bytes(data)


HEADER_NAMES = st.sampled_from(
    [
        "From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
        "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Auto-Submitted",
        "Precedence", "Return-Path", "List-Id", "X-Autoreply", "MIME-Version",
    ]
)  # fmt: skip
HEADER_TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 <>@.,;:\"=?/\\()[]-_*'\t\u00e9\u20ac\udc80!#")),
    max_size=60,
)
FRAGMENTS = st.sampled_from(
    [
        "=?utf-8?q?caf=C3=A9?=", "=?iso-8859-1?b?6Q==?=", "=?bogus?x?y?=", "multipart/mixed",
        'multipart/report; report-type=delivery-status; boundary="B"', "boundary=", "base64",
        "quoted-printable", "text/html; charset=x-unknown", "<a@b>", "<>", "attachment; filename=",
        "Fri, 20 Nov 2026 09:12:44 -0500", "Fri, 31 Feb 99999 99:99:99 +9999",
    ]
)  # fmt: skip


@st.composite
def header_soup(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(1, 10))):
        value = "".join(draw(st.lists(st.one_of(HEADER_TEXT, FRAGMENTS), max_size=4)))
        lines.append(f"{draw(HEADER_NAMES)}: {value}")
    body = draw(
        st.one_of(
            st.binary(max_size=200),
            st.sampled_from(
                [
                    b"--B\r\nContent-Type: text/plain\r\n\r\nhi\r\n--B--\r\n",
                    b"--B\r\nContent-Type: message/rfc822\r\n\r\nFrom: x\r\n\r\ny\r\n--B--",
                    b"<p>Hi<br><script>x</script><![CDATA[ x ]]><!x></p>",
                    b"=C3=A9=\r\n=ZZ",
                ]
            ),
        )
    )
    return "\r\n".join(lines).encode("utf-8", "surrogateescape") + b"\r\n\r\n" + body


@PROFILE
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(raw: bytes) -> None:
    mail = parse_or_none(raw)
    if mail is not None:
        check_consumers(mail)


@PROFILE
@given(mutated_samples())
def test_mutated_samples(raw: bytes) -> None:
    mail = parse_or_none(raw)
    if mail is not None:
        check_consumers(mail)


@PROFILE
@given(header_soup())
def test_header_soup(raw: bytes) -> None:
    mail = parse_or_none(raw)
    if mail is not None:
        check_consumers(mail)


@PROFILE
@given(st.text(max_size=500))
def test_text_helpers_never_raise(text: str) -> None:
    stripped = strip_quoted(text)
    assert len(stripped) <= len(text)
    result = assess(text)
    assert result.dissatisfied is (result.score >= 0.5)


def test_samples_parse_unmutated() -> None:
    for raw in SAMPLES:
        check_consumers(parse_email(raw))
