"""`escalator`: make the hashes the configuration stores in place of passwords and tokens.

escalator users hash-password      read a password (twice, unechoed; or one line on stdin)
escalator users set-password HOLDER --config FILE
                                   the same, written into the file for a person id or contact
                                   email (comments kept; the file is checked before it is saved)
escalator tokens new               a fresh random API token and the digest to configure
escalator tokens hash              the digest of an existing token read from stdin
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from pathlib import Path

from escalator_shared.access.password_file import NoSuchHolderError, set_password_hash
from escalator_shared.access.passwords import WeakPasswordError, hash_password
from escalator_shared.config import ConfigError
from escalator_shared.config.access import token_digest

_TOKEN_BYTES = 32


def main(argv: list[str] | None = None) -> int:
    """Run one command; 0 on success, 1 with a message on stderr otherwise."""
    parser = argparse.ArgumentParser(prog="escalator", description=__doc__.splitlines()[0])
    groups = parser.add_subparsers(dest="group", required=True)
    users = groups.add_parser("users").add_subparsers(dest="command", required=True)
    users.add_parser("hash-password", help="print an argon2id hash for password_hash")
    setter = users.add_parser("set-password", help="write a new password hash into the file")
    setter.add_argument("holder", help="a person id, or a client contact's email")
    setter.add_argument("--config", type=Path, required=True, help="the configuration file")
    tokens = groups.add_parser("tokens").add_subparsers(dest="command", required=True)
    tokens.add_parser("new", help="print a new token and its token_sha256")
    tokens.add_parser("hash", help="print the token_sha256 of a token read from stdin")
    args = parser.parse_args(argv)
    try:
        if args.group == "users" and args.command == "set-password":
            set_password_hash(args.config, args.holder, hash_password(_read_password()))
            _say(f"password of {args.holder} set in {args.config}")
        elif args.group == "users":
            _say(hash_password(_read_password()))
        elif args.command == "new":
            token = secrets.token_urlsafe(_TOKEN_BYTES)
            _say(f"token:        {token}\ntoken_sha256: {token_digest(token)}")
        else:
            _say(token_digest(_read_line("token: ")))
    except (WeakPasswordError, ValueError, NoSuchHolderError, ConfigError) as exc:
        print(f"escalator: {exc}", file=sys.stderr)  # noqa: T201 - a CLI reports on stderr
        return 1
    return 0


def _read_password() -> str:
    if not sys.stdin.isatty():
        return _read_line("")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _read_line(prompt: str) -> str:
    line = getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline()
    value = line.rstrip("\r\n")
    if not value:
        raise ValueError("nothing was given")
    return value


def _say(text: str) -> None:
    print(text)  # noqa: T201 - the CLI's answer


if __name__ == "__main__":
    raise SystemExit(main())
