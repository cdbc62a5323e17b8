"""The IMAP poller: a support mailbox's new messages are stored, then flagged Seen.

Every `poll_every` it logs in, takes the unseen messages (a batch at a time, oldest first),
stores each (see `inbox`) and only then sets its \\Seen flag. A crash between the two fetches the
message again next time; the stored copy is recognised by its mailbox, UIDVALIDITY and UID and is
not stored twice. Python's imaplib is blocking, so each IMAP command runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import imaplib
import logging
import ssl
from collections.abc import Sequence

from escalator_intake.mailboxes.inbox import EmailInbox
from escalator_shared.config import ImapMailbox
from escalator_shared.polling import PollingLoop

log = logging.getLogger(__name__)

CHANNEL = "imap"
_TIMEOUT_SECONDS = 30.0


class ImapPoller:
    """`loop.run` polls the mailbox until `loop.stop()`."""

    def __init__(self, inbox: EmailInbox, mailbox: ImapMailbox, batch_size: int = 50) -> None:
        self._inbox = inbox
        self._mailbox = mailbox
        self._batch_size = batch_size
        self.loop = PollingLoop(self.poll, mailbox.poll_every.total_seconds())

    @property
    def _where(self) -> str:
        box = self._mailbox
        return f"{box.username}@{box.host}:{box.port}/{box.mailbox}"

    async def poll(self) -> bool:
        """Store the unseen messages of one batch; True when more are waiting."""
        try:
            connection = await asyncio.to_thread(self._connect)
        except (OSError, imaplib.IMAP4.error) as exc:
            log.warning("IMAP mailbox %s unreachable: %s", self._where, exc)
            self._inbox.metrics.refused.labels(channel=CHANNEL, reason="mailbox_error").inc()
            return False
        try:
            uidvalidity, uids = await asyncio.to_thread(_unseen, connection)
            for uid in uids[: self._batch_size]:
                raw = await asyncio.to_thread(_fetch, connection, uid)
                await self._inbox.accept(
                    raw,
                    channel=CHANNEL,
                    envelope_from=None,
                    recipients=[self._mailbox.username],
                    source_ref=f"imap:{self._where}/{uidvalidity}/{uid}",
                )
                await asyncio.to_thread(_mark_seen, connection, uid)
            return len(uids) > self._batch_size
        finally:
            await asyncio.to_thread(_logout, connection)

    def _connect(self) -> imaplib.IMAP4:
        box = self._mailbox
        connection: imaplib.IMAP4
        if box.security == "ssl":
            connection = imaplib.IMAP4_SSL(
                box.host,
                box.port,
                ssl_context=ssl.create_default_context(),
                timeout=_TIMEOUT_SECONDS,
            )
        else:
            connection = imaplib.IMAP4(box.host, box.port, timeout=_TIMEOUT_SECONDS)
            if box.security == "starttls":
                connection.starttls(ssl.create_default_context())
        connection.login(box.username, box.password.get_secret_value())
        _check(connection.select(_quoted(box.mailbox)), f"SELECT {box.mailbox}")
        return connection


def _quoted(mailbox: str) -> str:
    escaped = mailbox.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _check(answer: tuple[str, Sequence[object]], command: str) -> Sequence[object]:
    status, data = answer
    if status != "OK":
        raise imaplib.IMAP4.error(f"{command} answered {status}: {data!r}")
    return data


def _unseen(connection: imaplib.IMAP4) -> tuple[str, list[str]]:
    """The mailbox's UIDVALIDITY and the UIDs of its unseen messages, oldest first."""
    _, validity = connection.response("UIDVALIDITY")
    uidvalidity = validity[0].decode() if validity and isinstance(validity[0], bytes) else "0"
    data = _check(connection.uid("SEARCH", "UNSEEN"), "UID SEARCH UNSEEN")
    found = data[0] if data and isinstance(data[0], bytes) else b""
    return uidvalidity, sorted(found.decode().split(), key=int)


def _fetch(connection: imaplib.IMAP4, uid: str) -> bytes:
    """The whole message, without setting \\Seen (BODY.PEEK)."""
    data = _check(connection.uid("FETCH", uid, "(BODY.PEEK[])"), f"UID FETCH {uid}")
    for part in data:
        if isinstance(part, tuple) and len(part) == 2 and isinstance(part[1], bytes):
            return part[1]
    raise imaplib.IMAP4.error(f"UID FETCH {uid} returned no message body")


def _mark_seen(connection: imaplib.IMAP4, uid: str) -> None:
    _check(connection.uid("STORE", uid, "+FLAGS", "(\\Seen)"), f"UID STORE {uid}")


def _logout(connection: imaplib.IMAP4) -> None:
    try:
        connection.logout()
    except (OSError, imaplib.IMAP4.error) as exc:
        log.debug("IMAP logout failed: %s", exc)
