"""API tokens issued through the API, as every service knows them: the latest state of each.

Fed from the compacted `access` topic (`token_feed.py`); pure, so it is tested without Kafka.
"""

from __future__ import annotations

from escalator_shared.events.access_events import ApiTokenChanged


class IssuedTokens:
    """The live API-issued tokens by digest; a revoked token is forgotten at once."""

    def __init__(self) -> None:
        self._by_digest: dict[str, ApiTokenChanged] = {}
        self._digest_of: dict[str, str] = {}

    def apply(self, change: ApiTokenChanged) -> None:
        """Take a token's latest state (issued, or revoked)."""
        previous = self._digest_of.pop(change.token_id, None)
        if previous is not None:
            self._by_digest.pop(previous, None)
        if change.revoked_at is None:
            self._by_digest[change.token_sha256] = change
            self._digest_of[change.token_id] = change.token_sha256

    def get(self, digest: str) -> ApiTokenChanged | None:
        """The live token with this digest, if any (expiry is the caller's to check)."""
        return self._by_digest.get(digest)

    def __len__(self) -> int:
        return len(self._by_digest)
