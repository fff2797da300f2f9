"""Events to JSON and back. Every event type must survive this round trip (tested for all of them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from crisislink.kernel.markings import Label
from crisislink.kernel.messages import Event


class EventRegistry:
    """Maps stable type names to event classes."""

    def __init__(self, event_types: Iterable[type[Event]] = ()) -> None:
        self._types: dict[str, type[Event]] = {}
        for event_type in event_types:
            self.register(event_type)

    def register(self, event_type: type[Event]) -> None:
        if not event_type.TYPE:
            raise ValueError(f"{event_type.__name__} has no TYPE")
        known = self._types.get(event_type.TYPE)
        if known is not None and known is not event_type:
            raise ValueError(f"event type {event_type.TYPE!r} is registered twice")
        self._types[event_type.TYPE] = event_type

    def get(self, type_name: str) -> type[Event]:
        try:
            return self._types[type_name]
        except KeyError:
            raise KeyError(f"unknown event type {type_name!r}") from None

    def names(self) -> list[str]:
        return sorted(self._types)


def event_payload(event: Event) -> dict[str, Any]:
    """The event's own fields as JSON-ready builtins; the label travels in the envelope."""
    builtins = msgspec.to_builtins(event, builtin_types=None, order="sorted")
    assert isinstance(builtins, dict)
    builtins.pop("label", None)
    return builtins


def label_builtins(label: Label) -> dict[str, Any]:
    value = msgspec.to_builtins(label, order="sorted")
    assert isinstance(value, dict)
    value["audience"] = sorted(value["audience"], key=lambda p: (p["kind"], p["id"]))
    return value


def decode_label(value: Mapping[str, Any]) -> Label:
    return msgspec.convert(value, type=Label)


def decode_event(event_type: type[Event], payload: Mapping[str, Any], label: Label) -> Event:
    data = dict(payload)
    data["label"] = label_builtins(label)
    return msgspec.convert(data, type=event_type)
