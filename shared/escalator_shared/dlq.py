"""Dead letters back: list, show and replay a consumer group's dead-letter topic.

`python -m escalator_shared.dlq list|show|replay --group <service>.<consumer> [--id P:O]
[--since ISO]` (the `ESCALATOR_*` settings name the broker and topic prefix). A dead letter's id
is its `partition:offset` in the group's dead-letter topic. A replay sends the original key and
value (the envelope, so its event id) back to the original topic with an `x-replayed-from`
header; consumers' processed-events claim makes it a duplicate wherever it was handled already,
and the consumer runner counts replayed records it finishes in `escalator_dlq_replayed_total`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition

from escalator_shared.bus.consumer import REPLAYED_FROM
from escalator_shared.bus.producer import EventProducer
from escalator_shared.events import Envelope, Topics
from escalator_shared.settings import ServiceSettings


@dataclass(frozen=True)
class DeadLetter:
    """One dead-lettered record as the consumer runner wrote it."""

    id: str
    key: bytes | None
    value: bytes
    headers: dict[str, str]

    @property
    def original_topic(self) -> str:
        """Where the record came from."""
        return self.headers.get("x-original-topic", "")

    @property
    def failed_at(self) -> str:
        """When the consumer gave it up (ISO 8601, UTC)."""
        return self.headers.get("x-failed-at", "")

    def summary(self) -> dict[str, str]:
        """The line `list` prints."""
        return {
            "id": self.id,
            "original": f"{self.original_topic}/{self.headers.get('x-original-partition', '?')}"
            f"/{self.headers.get('x-original-offset', '?')}",
            "event_type": _event_type(self.value),
            "error": f"{self.headers.get('x-error-type', '')}: "
            f"{self.headers.get('x-error-message', '')}",
            "failed_at": self.failed_at,
        }

    def details(self) -> dict[str, object]:
        """Everything `show` prints: headers, key and the record itself."""
        try:
            value: object = json.loads(self.value)
        except ValueError:
            value = self.value.decode(errors="replace")
        key = self.key.decode(errors="replace") if self.key else None
        return {"id": self.id, "key": key, "headers": self.headers, "value": value}


def _event_type(value: bytes) -> str:
    try:
        return Envelope.from_bytes(value).event_type
    except ValueError:
        return "(undecodable)"


def select(
    letters: Sequence[DeadLetter], *, letter_id: str | None, since: datetime | None
) -> list[DeadLetter]:
    """The dead letters an operator named: by id, failed at or after `since`, or all."""
    chosen = [d for d in letters if letter_id is None or d.id == letter_id]
    if since is not None:
        chosen = [d for d in chosen if d.failed_at and datetime.fromisoformat(d.failed_at) >= since]
    return chosen


async def read_dead_letters(bootstrap: str, topic: str) -> list[DeadLetter]:
    """Every record of the dead-letter topic, up to its end now (no group, nothing committed)."""
    # Subscribed (without a group) so that starting fetches the topic's partitions.
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.unsubscribe()
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        letters: list[DeadLetter] = []
        while await _behind(consumer, ends):
            for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                letters.extend(
                    DeadLetter(
                        id=f"{tp.partition}:{r.offset}",
                        key=r.key,
                        value=r.value or b"",
                        headers={k: v.decode(errors="replace") for k, v in r.headers},
                    )
                    for r in records
                    if r.offset < ends[tp]
                )
    finally:
        await consumer.stop()
    return sorted(letters, key=lambda d: (d.failed_at, d.id))


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return True
    return False


async def replay(producer: EventProducer, dlq_topic: str, letters: Sequence[DeadLetter]) -> int:
    """Send each dead letter's record, unchanged, back to its original topic; how many went."""
    sent = 0
    for letter in letters:
        if not letter.original_topic:
            continue
        headers = [(REPLAYED_FROM, f"{dlq_topic}:{letter.id}".encode())]
        key = letter.key.decode() if letter.key else ""
        await producer.send(letter.original_topic, key, letter.value, headers)
        sent += 1
    return sent


def dead_letter_topic(topics: Topics, group: str) -> str:
    """The dead-letter topic of `group`, given with or without the topic prefix."""
    return topics.dead_letter(group.removeprefix(topics.prefix))


async def run(args: argparse.Namespace, settings: ServiceSettings) -> int:
    """Carry out one command; the exit status."""
    topics = Topics(settings.topic_prefix)
    topic = dead_letter_topic(topics, args.group)
    since = datetime.fromisoformat(args.since) if args.since else None
    letters = select(
        await read_dead_letters(settings.kafka_bootstrap_servers, topic),
        letter_id=args.id,
        since=since,
    )
    if args.command == "list":
        for letter in letters:
            print(json.dumps(letter.summary()))  # noqa: T201 - the command's output
        print(f"{len(letters)} dead letter(s) in {topic}", file=sys.stderr)  # noqa: T201
        return 0
    if args.command == "show":
        if not letters:
            print(f"no such dead letter in {topic}", file=sys.stderr)  # noqa: T201
            return 1
        for letter in letters:
            print(json.dumps(letter.details(), indent=2))  # noqa: T201
        return 0
    producer = EventProducer(settings.kafka_bootstrap_servers, "escalator-dlq")
    await producer.start()
    try:
        sent = await replay(producer, topic, letters)
    finally:
        await producer.stop()
    print(f"replayed {sent} of {len(letters)} dead letter(s) from {topic}")  # noqa: T201
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line."""
    parse = argparse.ArgumentParser(prog="python -m escalator_shared.dlq", description=__doc__)
    parse.add_argument("command", choices=["list", "show", "replay"])
    parse.add_argument("--group", required=True, help="consumer group, e.g. intake.alerts")
    chosen = parse.add_mutually_exclusive_group()
    chosen.add_argument("--id", help="one dead letter, partition:offset (from `list`)")
    chosen.add_argument("--since", help="dead letters that failed at or after (ISO 8601)")
    return parse


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parser().parse_args(argv)
    return asyncio.run(run(args, ServiceSettings(service_name="dlq")))


if __name__ == "__main__":
    sys.exit(main())
