"""A development stand-in for Slack, Teams, the SMS API and webhooks: keeps every request.

`make run` starts it on 127.0.0.1:8026, and the example configuration points its Slack and Teams
webhooks and its Twilio-compatible SMS provider here, so urgent pages land somewhere you can
read: var/chat/*.json. It answers the way the real services do: Slack 200 `ok`, Teams 202, the
SMS API 201 with a message sid, anything else 200.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

log = logging.getLogger("chat-catcher")
_COUNTER = itertools.count(1)
_LOCK = threading.Lock()


def _handler(folder: Path) -> type[BaseHTTPRequestHandler]:
    class Catch(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            kind = self.path.strip("/").split("/")[0] or "webhook"
            if self.headers.get("Content-Type", "").startswith("application/x-www-form"):
                document: object = dict(parse_qsl(body.decode()))
            else:
                try:
                    document = json.loads(body or b"null")
                except ValueError:
                    document = body.decode(errors="replace")
            with _LOCK:
                name = f"{time.strftime('%Y%m%d-%H%M%S')}-{next(_COUNTER):05d}-{kind}.json"
            record = {"path": self.path, "headers": dict(self.headers), "body": document}
            (folder / name).write_text(json.dumps(record, indent=2))
            log.info("%s %s (%s)", kind, self.path, name)
            status, answer = {
                "slack": (200, b"ok"),
                "teams": (202, b""),
                "sms": (201, json.dumps({"sid": f"SM{uuid.uuid4().hex}"}).encode()),
            }.get(kind, (200, b"{}"))
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_: object) -> None:
            return

    return Catch


def main() -> None:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8026)
    parser.add_argument("--folder", type=Path, default=Path("var/chat"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s chat-catcher %(message)s")
    args.folder.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), _handler(args.folder))
    log.info("listening on 127.0.0.1:%d, saving to %s", args.port, args.folder)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
