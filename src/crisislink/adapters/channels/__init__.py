"""Channels that carry an issued public warning to the public: national CAP gateways, Mastodon, Atom.

The delivery worker (outside this package) takes a pending delivery from the durable outbox, builds a
`base.Publication` and calls a channel's `deliver` with the delivery's idempotency key; a `DeliveryError`
says whether to retry. No channel touches the database. Every channel refuses, before any network access,
a message whose status is not Actual unless it is configured as a test channel (`base.refuse_false_alarm`).
"""
