"""The message bus: runs a command's handler in a unit of work, then hands committed events on."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from crisislink.adapters.db.uow import AuditContext, SqlUnitOfWork
from crisislink.kernel.messages import Command, Envelope

# Handlers are typed against their capability's own unit-of-work protocol, which SqlUnitOfWork satisfies.
CommandHandler = Callable[[Any, Any], Any]
# Fields whose values never reach the audit trail (commands carry secrets only under these names).
_SECRET_FIELDS = frozenset({"password", "secret"})
_MAX_DETAIL = 300


def audit_details(command: Command) -> dict[str, str]:
    """What the audit trail keeps of a command: its fields, secrets withheld, long values cut."""
    details: dict[str, str] = {}
    for field in dataclasses.fields(command):
        if field.name == "actor":
            continue
        value = getattr(command, field.name)
        if field.name in _SECRET_FIELDS or field.metadata.get("secret"):
            details[field.name] = "(withheld)"
        elif value is not None:
            details[field.name] = _readable(value)[:_MAX_DETAIL]
    return details


def _readable(value: object) -> str:
    """A text for an auditor: strings as they are, anything else as JSON (enums by value, sets sorted),
    not Python's repr (`frozenset({<Role.DUTY_OFFICER: 'duty_officer'>})`)."""
    if isinstance(value, str):
        return value
    encoded = msgspec.json.encode(value, enc_hook=str, order="deterministic")
    if encoded.startswith(b'"'):  # one value with a text form (an id, a time, an enum): the text, unquoted
        return str(msgspec.json.decode(encoded))
    return encoded.decode()


class MessageBus:
    def __init__(
        self,
        handlers: Mapping[type[Command], CommandHandler],
        uow_factory: Callable[[], SqlUnitOfWork],
        after_commit: Callable[[list[Envelope]], None],
    ) -> None:
        self._handlers = dict(handlers)
        self._uow_factory = uow_factory
        self._after_commit = after_commit
        # Where this process's commands come from, when no signed-in person sends them: the command line
        # names the operating-system account and host, so a change made as the node itself has an author.
        self.origin: str | None = None

    def handle(self, command: Command) -> Any:
        handler = self._handlers.get(type(command))
        if handler is None:
            raise LookupError(f"no handler for {type(command).__name__}")
        with self._uow_factory() as uow:
            details = audit_details(command)
            if self.origin is not None:
                details["origin"] = self.origin
            uow.audit_as(AuditContext(actor=command.actor, command=type(command).__name__, details=details))
            result = handler(command, uow)
        if uow.committed:
            self._after_commit(uow.committed)
        return result
