"""A real Dovecot IMAP server (Debian's dovecot-imapd) holding one mailbox user, for tests.

Everything Dovecot writes stays under the work directory. Run as a user other than root, it is
Dovecot's rootless set-up: every process runs as that user. Run as root, the login processes run
as `dovenull` and the mail is owned by `nobody`, since Dovecot refuses both jobs as root.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.harness.processes import free_port

# Dovecot puts its sockets in base_dir, the longest name being "replication-notify-fifo"; a socket
# path must fit in 108 bytes, so a deep work directory gets a short base_dir in /tmp instead.
_MAX_BASE_DIR = 80


def dovecot_binary() -> str | None:
    """Debian installs it as /usr/sbin/dovecot, which is not on a non-root user's PATH."""
    found = shutil.which("dovecot")
    if found:
        return found
    return "/usr/sbin/dovecot" if os.access("/usr/sbin/dovecot", os.X_OK) else None


def _quoted(mailbox: str) -> str:
    """An IMAP quoted string: imaplib sends mailbox names as they are."""
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _as_root(mail_root: Path, nobody: pwd.struct_passwd) -> str:
    """Settings for a test run as root, which Dovecot's login and mail processes refuse to be."""
    return f"""
# Login processes refuse root: they run as dovenull (made by Debian's package), chrooted to
# base_dir/login as by default, so they need no access to the work directory's parents.
default_login_user = dovenull
default_internal_user = root
# imap refuses mail access as root whatever first_valid_uid says, and a userdb answer of uid 0
# is rejected outright. So mail belongs to nobody, and the imap process chroots to the mail root
# before dropping to nobody: nobody cannot pass the root-only directories above it.
mail_uid = {nobody.pw_uid}
mail_gid = {nobody.pw_gid}
mail_chroot = {mail_root}
userdb {{
  driver = static
  args = home=/home
}}
mail_location = maildir:/mail
"""


def _rootless(mail_root: Path) -> str:
    """Settings for a test run as another user: Dovecot's rootless set-up, all as that user."""
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    return f"""
default_login_user = {user}
default_internal_user = {user}
# Its sockets are given to this group, by default "dovecot", which only root can hand out.
default_internal_group = {group}
service imap-login {{
  chroot =
}}
service anvil {{
  chroot =
}}
# Mail processes refuse uids below first_valid_uid (500 by default).
first_valid_uid = {os.getuid()}
userdb {{
  driver = static
  args = home={mail_root / "home"}
}}
mail_location = maildir:{mail_root / "mail"}
"""


class ImapServer:
    """Start with `start()`; `deliver` puts a message in, `count` and `unseen` read back."""

    def __init__(
        self,
        workdir: Path,
        user: str = "support@msp.example",
        password: str = "imap-test-password",  # noqa: S107 - a throwaway test account
    ) -> None:
        self.user = user
        self.password = password
        self._workdir = workdir / "dovecot"
        self._port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._short_base_dir: Path | None = None

    @property
    def host(self) -> str:
        """The address it listens on."""
        return "127.0.0.1"

    @property
    def port(self) -> int:
        """Its plain IMAP port (no TLS; imaps is off)."""
        return self._port

    def start(self) -> None:
        """Write its configuration and run it in the foreground until it greets on the port."""
        binary = dovecot_binary()
        assert binary, "dovecot is not installed (apt-get install dovecot-imapd)"
        self._workdir.mkdir(parents=True, exist_ok=True)
        config = self._write_config()
        with self._output_path.open("wb") as output:
            self._process = subprocess.Popen(
                [binary, "-F", "-c", str(config)], stdout=output, stderr=subprocess.STDOUT
            )
        self._wait_for_greeting(timeout=15)

    def stop(self) -> None:
        """Terminate it (its master process stops the others); safe to call twice."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._short_base_dir is not None:
            shutil.rmtree(self._short_base_dir, ignore_errors=True)
            self._short_base_dir = None

    def connect(self) -> imaplib.IMAP4:
        """A logged-in imaplib client; use it as a context manager so it logs out."""
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            client.login(self.user, self.password)
        except BaseException:
            client.shutdown()
            raise
        return client

    def deliver(self, raw: bytes, mailbox: str = "INBOX") -> None:
        """APPEND a message without flags (so it is unseen), creating the mailbox if needed."""
        with self.connect() as client:
            if mailbox.upper() != "INBOX":
                client.create(_quoted(mailbox))  # NO when it exists already, which is fine
            status, data = client.append(_quoted(mailbox), None, None, raw)
            assert status == "OK", f"APPEND to {mailbox} failed: {data!r}"

    def mark_all_unseen(self, mailbox: str = "INBOX") -> None:
        """Clear \\Seen on every message, as if a poller had crashed before flagging them."""
        with self.connect() as client:
            status, data = client.select(_quoted(mailbox))
            assert status == "OK", f"SELECT {mailbox} failed: {data!r}"
            status, data = client.store("1:*", "-FLAGS", "(\\Seen)")
            assert status == "OK", f"STORE -FLAGS failed: {data!r}"

    def count(self, mailbox: str = "INBOX") -> int:
        """How many messages the mailbox holds."""
        return self._status(mailbox, "MESSAGES")

    def unseen(self, mailbox: str = "INBOX") -> int:
        """How many of them lack the \\Seen flag."""
        return self._status(mailbox, "UNSEEN")

    def log_tail(self) -> str:
        """The end of its log and of what it printed before the log was open."""
        parts = []
        for path in (self._output_path, self._workdir / "dovecot.log"):
            if path.exists() and path.stat().st_size:
                parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts) or "(no log)"

    @property
    def _output_path(self) -> Path:
        return self._workdir / "dovecot.out"

    def _status(self, mailbox: str, item: str) -> int:
        with self.connect() as client:
            status, data = client.status(_quoted(mailbox), f"({item})")
        assert status == "OK", f"STATUS {mailbox} failed: {data!r}"
        found = re.search(rf"\b{item} (\d+)", bytes(data[0] or b"").decode())
        assert found, f"no {item} in STATUS answer {data!r}"
        return int(found.group(1))

    def _base_dir(self) -> Path:
        base_dir = self._workdir / "run"
        if len(str(base_dir)) <= _MAX_BASE_DIR:
            return base_dir
        self._short_base_dir = Path(tempfile.mkdtemp(prefix="dovecot-"))
        return self._short_base_dir / "run"

    def _write_config(self) -> Path:
        work = self._workdir
        (work / "state").mkdir(exist_ok=True)
        mail_root = work / "mail-root"
        mail_dirs = (mail_root, mail_root / "home", mail_root / "mail")
        for directory in mail_dirs:
            directory.mkdir(exist_ok=True)
        if os.getuid() == 0:
            nobody = pwd.getpwnam("nobody")
            for directory in mail_dirs:
                os.chown(directory, nobody.pw_uid, nobody.pw_gid)
            mode = _as_root(mail_root, nobody)
        else:
            mode = _rootless(mail_root)
        (work / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        settings = f"""\
# Written by tests/harness/imap_server.py; reads nothing from /etc/dovecot.
protocols = imap
listen = 127.0.0.1
base_dir = {self._base_dir()}
state_dir = {work / "state"}
log_path = {work / "dovecot.log"}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {work / "users"}
}}
{mode}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self._port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
        config = work / "dovecot.conf"
        config.write_text(settings)
        return config

    def _wait_for_greeting(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                self.stop()
                raise AssertionError(
                    f"dovecot exited {self._process.returncode}:\n{self.log_tail()}"
                )
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as probe:
                    if probe.recv(200).startswith(b"* OK"):
                        return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"dovecot gave no IMAP greeting within {timeout}s:\n{self.log_tail()}")
