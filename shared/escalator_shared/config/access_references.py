"""Checks on who may sign in that the schema alone cannot make: known holders, narrower tokens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from escalator_shared.access.policy import ROLE_RANK
from escalator_shared.config.access import ApiToken
from escalator_shared.config.references import unknown

if TYPE_CHECKING:
    from escalator_shared.config.model import EscalatorConfig


def access_problems(config: EscalatorConfig) -> Iterator[str]:
    """Every reference problem in people's scopes, contacts, tokens and integrations' clients."""
    clients = {c.id for c in config.clients}
    for index, person in enumerate(config.people):
        for client_id in person.clients:
            yield from unknown(f"people[{index}].clients", client_id, clients, "client")
    yield from _contact_problems(config)
    names: set[str] = set()
    digests: set[str] = set()
    for index, token in enumerate(config.api_tokens):
        where = f"api_tokens[{index}]"
        if token.name in names:
            yield f"{where}.name: duplicate token name {token.name!r}"
        if token.digest in digests:
            yield f"{where}: the same token as an earlier one; give each its own"
        names.add(token.name)
        digests.add(token.digest)
        yield from _token_problems(config, where, token, clients)
    for index, integration in enumerate(config.integrations):
        for client_id in integration.clients or []:
            yield from unknown(f"integrations[{index}].clients", client_id, clients, "client")


def _contact_problems(config: EscalatorConfig) -> Iterator[str]:
    seen: set[str] = set()
    staff = {p.email.lower() for p in config.people}
    for index, client in enumerate(config.clients):
        for position, contact in enumerate(client.contacts):
            email = contact.email.lower()
            where = f"clients[{index}].contacts[{position}].email"
            if email in seen:
                yield f"{where}: {contact.email!r} is already another client's contact"
            if email in staff:
                yield f"{where}: {contact.email!r} is a staff member's address"
            seen.add(email)


def _token_problems(
    config: EscalatorConfig, where: str, token: ApiToken, clients: set[str]
) -> Iterator[str]:
    if token.contact is not None:
        contacts = {c.email.lower() for client in config.clients for c in client.contacts}
        yield from unknown(f"{where}.contact", token.contact.lower(), contacts, "client contact")
        return
    assert token.person is not None
    people = {p.id: p for p in config.people}
    yield from unknown(f"{where}.person", token.person, set(people), "person")
    person = people.get(token.person)
    if person is None:
        return
    if token.role is not None and ROLE_RANK[token.role] > ROLE_RANK[person.role]:
        yield f"{where}.role: {token.role!r} exceeds {person.id}'s role {person.role!r}"
    for client_id in token.clients or []:
        yield from unknown(f"{where}.clients", client_id, clients, "client")
        if person.clients and client_id not in person.clients:
            yield f"{where}.clients: {person.id} may not see {client_id!r}"
