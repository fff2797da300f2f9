"""Event delivery from the outbox: in-process consumers, and the NATS JetStream relay for scale-out."""
