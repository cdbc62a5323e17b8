"""Creating the topics a service needs at start."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

_TOPIC_ALREADY_EXISTS = 36
_COMPACTED = {"cleanup.policy": "compact"}


async def ensure_topics(
    bootstrap_servers: str,
    names: Iterable[str],
    partitions: int,
    replication_factor: int,
    compacted: Collection[str] = (),
) -> None:
    """Create the topics that do not exist yet (those in `compacted` with log compaction);
    existing ones are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = sorted(set(names) - existing)
        if not missing:
            return
        response = await admin.create_topics(
            [
                NewTopic(
                    name,
                    partitions,
                    replication_factor,
                    topic_configs=_COMPACTED if name in compacted else {},
                )
                for name in missing
            ]
        )
        for topic, code, *message in response.topic_errors:
            if code not in (0, _TOPIC_ALREADY_EXISTS):
                raise RuntimeError(f"could not create topic {topic}: error {code} {message}")
    finally:
        await admin.close()
