"""The words of a communication-test message, as every channel sends them.

Plain English text, the organiser's own message first (write it in the languages of the network), then
how to acknowledge: a link to a confirmation page (a mail scanner that opens links does not acknowledge
anything: only the button on that page does) and the code itself for those who type it.
"""

from __future__ import annotations

from dataclasses import dataclass

from crisislink.domains.readiness.ports import OutgoingMessage

ACK_PAGE = "/readiness/ack/"
ACK_API = "/api/comm-tests/ack/"


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def ack_link(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}{ACK_PAGE}{code}"


def render(message: OutgoingMessage, base_url: str) -> Rendered:
    subject = f"[crisislink] Communication test: {message.run_name}"
    lines = [
        message.text,
        "",
        f"This is a communication test of the crisis-centre network ({message.run_name}).",
    ]
    if message.on_behalf_of:
        subject += f" (escalated: {message.on_behalf_of})"
        lines.append(
            f"{message.on_behalf_of} did not acknowledge in time. Please acknowledge on its behalf, "
            "and find out why it did not answer."
        )
    lines += [
        f"Acknowledge before {message.closes_at:%Y-%m-%d %H:%M} UTC: open",
        f"  {ack_link(base_url, message.code)}",
        "and press the button there. Each code works once.",
        f"(Machines: POST {base_url.rstrip('/')}{ACK_API}{message.code})",
    ]
    return Rendered(subject=subject, body="\n".join(lines) + "\n")
