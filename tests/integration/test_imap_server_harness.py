"""The Dovecot harness does what the IMAP poller's tests rely on, with plain imaplib."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.imap_server import ImapServer, dovecot_binary

pytestmark = pytest.mark.skipif(
    dovecot_binary() is None,
    reason="dovecot is not installed (make test installs it when root)",
)

FIRST = (
    b"From: rmm@client.example\r\n"
    b"To: support@msp.example\r\n"
    b"Subject: Disk C: 95% full on FILESRV01\r\n"
    b"Message-ID: <first@rmm.client.example>\r\n"
    b"\r\n"
    b"Free space is below 5%.\r\n"
)
SECOND = b"From: rmm@client.example\nSubject: Backup failed\n\nJob nightly failed.\n"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ImapServer]:
    """A started Dovecot, stopped after the test."""
    server = ImapServer(tmp_path)
    server.start()
    yield server
    server.stop()


def test_delivered_messages_can_be_read_and_flagged_seen(server: ImapServer) -> None:
    server.deliver(FIRST)
    server.deliver(SECOND)
    assert server.count() == 2
    assert server.unseen() == 2

    with server.connect() as client:
        status, _ = client.select("INBOX")
        assert status == "OK"
        _, validity = client.response("UIDVALIDITY")
        assert validity[0] is not None
        assert int(validity[0]) > 0

        status, found = client.uid("SEARCH", "UNSEEN")
        assert status == "OK"
        uids = (found[0] or b"").split()
        assert len(uids) == 2

        for uid, sent in zip(uids, (FIRST, SECOND), strict=True):
            status, fetched = client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
            assert status == "OK"
            part = fetched[0]
            assert isinstance(part, tuple)
            assert re.search(rb"UID %s\b" % uid, part[0])
            assert part[1] == sent.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        assert server.unseen() == 2, "BODY.PEEK must leave messages unseen"

        status, _ = client.uid("STORE", uids[0].decode(), "+FLAGS", "(\\Seen)")
        assert status == "OK"

    assert server.unseen() == 1
    assert server.count() == 2


def test_stop_is_idempotent(server: ImapServer) -> None:
    server.stop()
    server.stop()
    with pytest.raises(ConnectionRefusedError):
        server.connect()
