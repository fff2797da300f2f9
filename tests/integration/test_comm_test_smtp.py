"""The e-mail channel of communication tests against a real SMTP server (aiosmtpd) on the loopback.

A test's message leaves by SMTP with its acknowledgement link; following that link's code acknowledges
the test through the API; a relay that is down is a failed delivery recorded, never a crash.
"""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from litestar.testing import TestClient

from crisislink.adapters.db.queries import comm_tests
from crisislink.adapters.messaging.smtp import SmtpConfig, SmtpSender
from crisislink.app.readiness import comm_test_sender
from crisislink.app.readiness_settings import ReadinessSettings
from crisislink.app.settings import Settings
from crisislink.domains.readiness import commands as c
from crisislink.domains.readiness.ports import OutgoingMessage
from crisislink.domains.readiness.runs import Recipient
from crisislink.domains.sharing.policy import Viewer
from crisislink.entrypoints.web.app import create_app
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.markings import Tlp
from tests.support import build_world, make_platform

START = datetime(2025, 4, 1, 8, 0, tzinfo=UTC)
LINK = re.compile(r"https://node\.example/readiness/ack/([A-Za-z0-9_-]{43})")


@dataclass
class Inbox:
    """What the SMTP server received: (envelope recipients, parsed message)."""

    received: list[tuple[list[str], Message]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 -- aiosmtpd's hook
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    yield inbox, port
    server.stop()


def _message(address: str) -> OutgoingMessage:
    return OutgoingMessage(
        message_id=uuid.uuid4(),
        run_id=uuid.uuid4(),
        run_name="Q2 Benelux test",
        text="Test of the Benelux crisis centres.",
        recipient=Recipient(name="NCCN desk", channel="email", address=address),
        code="A" * 43,
        closes_at=START,
        on_behalf_of=None,
    )


def test_the_sender_hands_the_message_to_the_relay(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    sender = SmtpSender(
        SmtpConfig(host="127.0.0.1", port=port, sender="tests@node.example"), "https://node.example"
    )
    report = sender.send(_message("desk@nccn.example"))
    assert report.sent, report.detail
    [(recipients, email)] = inbox.received
    assert recipients == ["desk@nccn.example"]
    assert email["From"] == "tests@node.example"
    assert email["Subject"] == "[crisislink] Communication test: Q2 Benelux test"
    body = email.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "https://node.example/readiness/ack/" + "A" * 43 in body.decode()


def test_a_relay_that_is_down_is_a_failed_delivery_not_a_crash() -> None:
    sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=free_port(), timeout=2), "https://node.example")
    report = sender.send(_message("desk@nccn.example"))
    assert not report.sent
    assert report.detail is not None
    assert "SMTP 127.0.0.1" in report.detail


def test_a_test_mailed_through_smtp_is_acknowledged_with_the_link_it_carries(
    smtp: tuple[Inbox, int], db_url: str
) -> None:
    inbox, port = smtp
    readiness = ReadinessSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="tests@node.example")
    settings = Settings(database_url=db_url, public_url="https://node.example", readiness=readiness)
    platform = make_platform(db_url, clock=FixedClock(START), comm_sender=comm_test_sender(settings))
    try:
        world = build_world(platform)
        world.contact("NL-VR23", Tlp.GREEN, name="VR23 desk")  # e-mail: desk@test.example
        run_id = platform.bus.handle(
            c.StartCommTest(actor=world.actor("be.duty"), name="Mailed test", message="Please acknowledge")
        )
        [(recipients, email)] = inbox.received
        assert recipients == ["desk@test.example"]
        body = email.get_payload(decode=True)
        assert isinstance(body, bytes)
        found = LINK.search(body.decode())
        assert found is not None
        with TestClient(create_app(platform)) as client:
            answered = client.post(f"/api/comm-tests/ack/{found.group(1)}")
            assert answered.status_code == 201, answered.text
            assert answered.json()["contact_name"] == "VR23 desk"
        viewer = Viewer(user_id=world.users["nl.duty"], partner_id=world.partners["NL-VR23"])
        run = comm_tests.get_run(platform.engine, viewer, run_id)
        assert [p.outcome for p in run.probes] == ["acknowledged"]
        assert [m.delivery for m in run.probes[0].messages] == ["sent"]
    finally:
        platform.stop()


def test_smtp_settings_come_from_the_environment() -> None:
    found = Settings.from_env(
        {
            "CRISISLINK_SMTP_HOST": "relay.example",
            "CRISISLINK_SMTP_PORT": "2525",
            "CRISISLINK_SMTP_FROM": "crisislink@nccn.example",
            "CRISISLINK_SMTP_PASSWORD": "not-in-repr",
            "CRISISLINK_COMM_TEST_ESCALATE_MINUTES": "10",
        }
    ).readiness
    assert (found.smtp_host, found.smtp_port, found.smtp_from) == (
        "relay.example",
        2525,
        "crisislink@nccn.example",
    )
    assert found.escalate_after_minutes == 10
    assert "not-in-repr" not in repr(found)
    assert Settings(database_url="sqlite://").readiness.smtp_host is None  # e-mail is off unless configured
