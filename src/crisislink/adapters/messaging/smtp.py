"""E-mail for communication tests, through an SMTP relay named in the settings (off unless configured).

One connection per message: tests send a few dozen messages a quarter, and a fresh connection is what
shows whether the relay works *now*, which is what a communication test is for.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid

from crisislink.adapters.messaging.text import render
from crisislink.domains.readiness.ports import DeliveryReport, OutgoingMessage


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

    def _email(self, message: OutgoingMessage) -> EmailMessage:
        rendered = render(message, self._base_url)
        email = EmailMessage()
        email["From"] = self._config.sender
        email["To"] = message.recipient.address
        email["Subject"] = rendered.subject
        email["Message-ID"] = make_msgid(idstring=str(message.message_id))
        email.set_content(rendered.body)
        return email

    def send(self, message: OutgoingMessage) -> DeliveryReport:
        if message.recipient.channel != "email":
            return DeliveryReport(sent=False, detail=f"SMTP sends e-mail, not {message.recipient.channel}")
        config = self._config
        try:
            with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as server:
                if config.starttls:
                    server.starttls(context=ssl.create_default_context())
                if config.username and config.password:
                    server.login(config.username, config.password)
                refused = server.send_message(self._email(message))
        except (smtplib.SMTPException, OSError) as error:
            return DeliveryReport(sent=False, detail=f"SMTP {config.host}:{config.port}: {error}")
        if refused:
            return DeliveryReport(sent=False, detail=f"the relay refused {', '.join(refused)}")
        return DeliveryReport(sent=True, detail=f"handed to SMTP {config.host}:{config.port}")
