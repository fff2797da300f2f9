"""Every event type survives the trip through JSON that the outbox, the feed and NATS put it on."""

from __future__ import annotations

import json
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from crisislink.adapters.db.codec import decode_event, decode_label, event_payload, label_builtins
from crisislink.app.bootstrap import event_registry
from crisislink.kernel.markings import Label, Principal, PrincipalKind, Tlp
from crisislink.kernel.messages import Event

REGISTRY = event_registry()
# Events carry only values their domain checked, and every domain refuses NaN (a position, a reading):
# NaN is not equal to itself, so an event holding one could never compare equal after the trip.
st.register_type_strategy(float, st.floats(allow_nan=False))
EVENT_TYPES = [REGISTRY.get(name) for name in REGISTRY.names()]

principals = st.builds(Principal, kind=st.sampled_from(PrincipalKind), id=st.uuids())
labels = st.builds(
    Label,
    owner_partner_id=st.none() | st.uuids(),
    home_node_id=st.uuids(),
    marking=st.sampled_from(Tlp),
    audience=st.frozensets(principals, max_size=4),
)


@st.composite
def events(draw: st.DrawFn) -> Event:
    event_type = draw(st.sampled_from(EVENT_TYPES))
    return draw(st.builds(event_type, label=labels))


@settings(max_examples=300)
@given(events())
def test_every_event_round_trips_through_json(event: Event) -> None:
    wire = json.loads(json.dumps({"payload": event_payload(event), "label": label_builtins(event.label)}))
    decoded = decode_event(REGISTRY.get(event.TYPE), wire["payload"], decode_label(wire["label"]))
    assert decoded == event


def test_every_event_type_is_registered_with_a_stable_dotted_name() -> None:
    assert EVENT_TYPES, "no events registered"
    for event_type in EVENT_TYPES:
        assert event_type.TYPE.startswith("crisislink.")
        assert event_type.TYPE.count(".") >= 2
        assert " " not in event_type.TYPE


def test_label_audience_is_ordered_so_equal_labels_encode_equally() -> None:
    a, b = uuid.UUID(int=1), uuid.UUID(int=2)
    first = Label(None, uuid.UUID(int=9), Tlp.AMBER, frozenset({Principal.user(b), Principal.partner(a)}))
    second = Label(None, uuid.UUID(int=9), Tlp.AMBER, frozenset({Principal.partner(a), Principal.user(b)}))
    assert json.dumps(label_builtins(first)) == json.dumps(label_builtins(second))
