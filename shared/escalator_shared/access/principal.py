"""The caller every service reasons about: a staff member or a client contact, with a scope."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Role = Literal["technician", "manager", "admin", "client"]


@dataclass(frozen=True)
class Principal:
    """Who is asking.

    `person` is a person id for staff and the email address of a client contact; `clients` is
    the set of clients the caller may see, None meaning every client (unscoped staff only).
    `token` names the API token used, None for a signed-in session.
    """

    person: str
    role: Role
    clients: frozenset[str] | None
    token: str | None = None

    @property
    def is_contact(self) -> bool:
        """A client's own person, who sees only what is customer-visible."""
        return self.role == "client"

    @property
    def label(self) -> str:
        """How the caller appears on a timeline: `alice`, `client:acme:dana@acme.example`."""
        if self.is_contact and self.clients:
            return f"client:{min(self.clients)}:{self.person}"
        return self.person

    def sees(self, client_id: str | None) -> bool:
        """Whether the caller may know a record of this client exists.

        A record of no client (an email from an unknown sender) is for unscoped staff only.
        """
        if self.clients is None:
            return True
        return client_id is not None and client_id in self.clients

    def client_filter(self, requested: Sequence[str]) -> list[str] | None:
        """The clients a listing is limited to: the request narrowed to the scope.

        None: no limit. An empty list: nothing the caller may see (answer an empty page).
        """
        if self.clients is None:
            return list(requested) if requested else None
        if not requested:
            return sorted(self.clients)
        return [c for c in requested if c in self.clients]

    def visible(self, client_ids: Iterable[str]) -> list[str]:
        """Those of the clients the caller sees, in the order given."""
        return [c for c in client_ids if self.sees(c)]
