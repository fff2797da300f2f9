"""E-mail for communication tests and plain notices, through an SMTP relay named in the settings (off
unless configured).

One connection per message: tests send a few dozen messages a quarter, and a fresh connection is what
shows whether the relay works *now*, which is what a communication test is for.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid

from crisislink.adapters.messaging.text import render
from crisislink.domains.readiness.ports import DeliveryReport, Notice, OutgoingMessage
from crisislink.domains.readiness.runs import Recipient


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    sender: str = "crisislink@localhost"
    starttls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10.0


class SmtpSender:
    def __init__(self, config: SmtpConfig, base_url: str) -> None:
        self._config = config
        self._base_url = base_url

    def _email(self, recipient: Recipient, subject: str, body: str, message_id: uuid.UUID) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self._config.sender
        email["To"] = recipient.address
        email["Subject"] = subject
        email["Message-ID"] = make_msgid(idstring=str(message_id))
        email.set_content(body)
        return email

    def send(self, message: OutgoingMessage) -> DeliveryReport:
        rendered = render(message, self._base_url)
        email = self._email(message.recipient, rendered.subject, rendered.body, message.message_id)
        return self._submit(message.recipient, email)

    def send_notice(self, notice: Notice) -> DeliveryReport:
        email = self._email(notice.recipient, notice.subject, notice.body, notice.notice_id)
        return self._submit(notice.recipient, email)

    def _submit(self, recipient: Recipient, email: EmailMessage) -> DeliveryReport:
        if recipient.channel != "email":
            return DeliveryReport(sent=False, detail=f"SMTP sends e-mail, not {recipient.channel}")
        config = self._config
        try:
            with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as server:
                if config.starttls:
                    server.starttls(context=ssl.create_default_context())
                if config.username and config.password:
                    server.login(config.username, config.password)
                refused = server.send_message(email)
        except (smtplib.SMTPException, OSError) as error:
            return DeliveryReport(sent=False, detail=f"SMTP {config.host}:{config.port}: {error}")
        if refused:
            return DeliveryReport(sent=False, detail=f"the relay refused {', '.join(refused)}")
        return DeliveryReport(sent=True, detail=f"handed to SMTP {config.host}:{config.port}")
