"""A development SMTP server: keeps every message the notifier sends as an .eml file.

`make run` starts it on 127.0.0.1:1025 so the example configuration delivers real email
somewhere you can read: var/mail/.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import logging
import signal
import threading
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

log = logging.getLogger("mail-catcher")


class _SaveToFolder:
    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._count = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        with self._lock:
            self._count += 1
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{self._count:05d}.eml"
        (self._folder / name).write_bytes(envelope.content)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        log.info("mail to %s: %s (%s)", ", ".join(envelope.rcpt_tos), message["Subject"], name)
        return "250 Message accepted for delivery"


def main() -> None:
    """Serve until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--folder", type=Path, default=Path("var/mail"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s mail-catcher %(message)s")
    args.folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(_SaveToFolder(args.folder), hostname="127.0.0.1", port=args.port)
    controller.start()
    log.info("listening on 127.0.0.1:%d, saving to %s", args.port, args.folder)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
