"""The nats-server authorisation of one partner's machine consumers: its own subject tree, nothing else.

The relay publishes each partner's copies of dataset events under `<prefix>.partner.<partner id>.>` (ADR 0010).
Subject permissions are what keep a partner on that tree, so the block allows exactly:

* a live (core NATS) subscription to the tree;
* one durable JetStream consumer, named after the partner, whose filter the server holds inside the tree
  (`$JS.API.CONSUMER.CREATE.<stream>.<name>.<filter>`: since nats-server 2.9 the filter is part of the
  subject, and the server refuses a request whose body asks for another filter); reading, acknowledging,
  inspecting and deleting that consumer, and no other;
* replies on an inbox of its own (`_INBOX.<consumer name>`): in a shared account, `_INBOX.>` would let one
  partner read the messages pulled by another.

Everything else, publishing included, is denied (allow lists). Never allow a partner the `$JS.API.STREAM.*`
subjects (`STREAM.MSG.GET` reads any message by sequence) nor the consumer create subjects without a filter.
"""

from __future__ import annotations

import json
import re
import uuid

from crisislink.adapters.bus.nats.link import JetStreamConfig

JS_API = "$JS.API"


def consumer_name(partner_id: uuid.UUID) -> str:
    """The one durable consumer a partner may create and read (consumer names take no dots)."""
    return f"partner-{partner_id}"


def inbox_prefix(partner_id: uuid.UUID) -> str:
    """What a partner's clients pass as their inbox prefix (nats-py: `nats.connect(inbox_prefix=…)`)."""
    return f"_INBOX.{consumer_name(partner_id)}"


def partner_publish_allow(config: JetStreamConfig, partner_id: uuid.UUID) -> list[str]:
    stream, name = config.stream, consumer_name(partner_id)
    return [
        f"{JS_API}.CONSUMER.CREATE.{stream}.{name}.{config.partner_tree(partner_id)}",
        f"{JS_API}.CONSUMER.INFO.{stream}.{name}",
        f"{JS_API}.CONSUMER.MSG.NEXT.{stream}.{name}",
        f"{JS_API}.CONSUMER.DELETE.{stream}.{name}",
        f"$JS.ACK.{stream}.{name}.>",
    ]


def partner_subscribe_allow(config: JetStreamConfig, partner_id: uuid.UUID) -> list[str]:
    return [config.partner_tree(partner_id), f"{inbox_prefix(partner_id)}.>"]


def _password_variable(user: str) -> str:
    return "CRISISLINK_NATS_PASSWORD_" + re.sub(r"[^A-Z0-9]+", "_", user.upper()).strip("_")


def partner_user_block(config: JetStreamConfig, partner_id: uuid.UUID, user: str, comment: str = "") -> str:
    """A user entry for `authorization { users = [...] }` (or an account's `users`) in nats-server's config.

    The password is a reference to an environment variable of the server: nats-server refuses to start
    while it is not set, so a forgotten password fails closed. The server parses the variable's value as a
    config value, so it must be letters and digits starting with a letter (a leading digit reads as a number).
    """

    def quoted(items: list[str]) -> str:
        return "".join(f"\n        {json.dumps(item)}" for item in items)

    header = f"# {comment}\n" if comment else ""
    variable = _password_variable(user)
    return (
        f"{header}"
        f"# Password: set {variable} in nats-server's environment (letters and digits, a letter first).\n"
        f"# Consume with the durable {json.dumps(consumer_name(partner_id))} on stream {json.dumps(config.stream)},\n"
        f"# filter {json.dumps(config.partner_tree(partner_id))} (or a narrower one),\n"
        f"# and connect with inbox prefix {json.dumps(inbox_prefix(partner_id))}.\n"
        "{\n"
        f"  user: {json.dumps(user)}\n"
        f"  password: ${variable}\n"
        "  permissions: {\n"
        f"    publish: {{\n      allow: [{quoted(partner_publish_allow(config, partner_id))}\n      ]\n    }}\n"
        f"    subscribe: {{\n      allow: [{quoted(partner_subscribe_allow(config, partner_id))}\n      ]\n    }}\n"
        "  }\n"
        "}\n"
    )
