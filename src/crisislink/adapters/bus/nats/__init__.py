"""NATS JetStream: the outbox relayed to a stream, and durable consumers that apply events idempotently.

`NatsRelay` reads the outbox after its own cursor (a row in `consumer_cursors`) and publishes every
event on subject `<prefix>.<event type>` with `Nats-Msg-Id` = event id. The cursor moves only after
JetStream acknowledged the publish; if the relay dies between the two, the re-publish falls inside
the stream's duplicate window and JetStream drops it.

`NatsConsumer` pulls from a durable consumer with explicit acks. Applying an event and recording its
id in `applied_events` commit in one transaction, and the message is acked only after that commit,
so a redelivery (lost ack, crash, re-publish outside the duplicate window) is acked without being
applied twice. See docs/adr/0004-nats-jetstream-federation-bus.md.

A relay can take a `route` that chooses other copies of an event: the copies of dataset events for each
partner allowed to see them, on `<prefix>.partner.<partner id>.…` (docs/adr/0010-nats-dataset-subjects.md);
`permissions` writes the nats-server authorisation that keeps each partner on its own subjects.
"""

from crisislink.adapters.bus.nats.consumer import ApplyResult, NatsConsumer, Outcome
from crisislink.adapters.bus.nats.link import (
    EVENT_ROOT,
    PARTNER_ROOT,
    JetStreamConfig,
    connect,
    decode_envelope,
    encode_envelope,
    ensure_stream,
)
from crisislink.adapters.bus.nats.relay import Copy, NatsRelay, Route

__all__ = [
    "EVENT_ROOT",
    "PARTNER_ROOT",
    "ApplyResult",
    "Copy",
    "JetStreamConfig",
    "NatsConsumer",
    "NatsRelay",
    "Outcome",
    "Route",
    "connect",
    "decode_envelope",
    "encode_envelope",
    "ensure_stream",
]
