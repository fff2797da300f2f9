"""NATS JetStream: the outbox relayed to a stream, and durable consumers that apply events idempotently.

`NatsRelay` reads the outbox after its own cursor (a row in `consumer_cursors`) and publishes every
event on subject `<prefix>.<event type>` with `Nats-Msg-Id` = event id. The cursor moves only after
JetStream acknowledged the publish; if the relay dies between the two, the re-publish falls inside
the stream's duplicate window and JetStream drops it.

`NatsConsumer` pulls from a durable consumer with explicit acks. Applying an event and recording its
id in `applied_events` commit in one transaction, and the message is acked only after that commit,
so a redelivery (lost ack, crash, re-publish outside the duplicate window) is acked without being
applied twice. See docs/adr/0004-nats-jetstream-federation-bus.md.
"""

from crisislink.adapters.bus.nats.consumer import ApplyResult, NatsConsumer, Outcome
from crisislink.adapters.bus.nats.link import (
    EVENT_ROOT,
    JetStreamConfig,
    connect,
    decode_envelope,
    encode_envelope,
    ensure_stream,
)
from crisislink.adapters.bus.nats.relay import NatsRelay

__all__ = [
    "EVENT_ROOT",
    "ApplyResult",
    "JetStreamConfig",
    "NatsConsumer",
    "NatsRelay",
    "Outcome",
    "connect",
    "decode_envelope",
    "encode_envelope",
    "ensure_stream",
]
