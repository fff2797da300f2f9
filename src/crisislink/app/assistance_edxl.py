"""EDXL-RM exchange of mutual assistance: a request's steps out as messages, a received message in.

Export reads through the sharing policy (the request, the offers and the steps the caller may see) and
maps those read models; a partner who may not see the request gets the same 404 as for one that does not
exist. Import reads the message (validated against its schema first), turns it into one
`ImportAssistanceMessage` command and hands that to the bus: the requests or the offer it carries are
recorded whole or not at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crisislink.adapters.db.queries import assistance as q
from crisislink.adapters.db.queries import assistance_history, directory
from crisislink.adapters.db.queries.assistance_views import RequestView
from crisislink.adapters.standards import edxl_rm_xml
from crisislink.adapters.standards.edxl_rm_envelope import in_envelope
from crisislink.adapters.standards.edxl_rm_export import ExportedMessage, request_messages
from crisislink.adapters.standards.edxl_rm_import import ImportedOffer, ImportOptions, read_message
from crisislink.adapters.standards.edxl_rm_parts import Partners
from crisislink.app.bootstrap import Platform
from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance.imports import ImportAssistanceMessage
from crisislink.domains.assistance.model import Point
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import InvalidInput, NotFound
from crisislink.kernel.messages import Actor

DEFAULT_ZONE: Final = "Europe/Brussels"  # where the Benelux partners are; EDXL times may lack an offset
ENVELOPES: Final = ("de",)


@dataclass(frozen=True)
class _Conversation:
    request: RequestView
    partners: Partners
    messages: list[ExportedMessage]


def _conversation(platform: Platform, viewer: Viewer, request_id: uuid.UUID) -> _Conversation:
    engine = platform.engine
    request = q.get_request(engine, viewer, request_id)  # NotFound if not visible
    offers = q.offers_for_request(engine, viewer, request_id)
    steps = assistance_history.request_steps(engine, viewer, request_id)
    partners = {p.id: p for p in directory.list_partners(engine)}
    return _Conversation(request, partners, request_messages(request, offers, steps, partners))


def messages(platform: Platform, viewer: Viewer, request_id: uuid.UUID) -> list[ExportedMessage]:
    """The messages of every step so far that the viewer may see, oldest first."""
    return _conversation(platform, viewer, request_id).messages


def message_xml(
    platform: Platform, viewer: Viewer, request_id: uuid.UUID, message_id: str, envelope: str | None = None
) -> bytes:
    """One message as validated EDXL-RM XML, bare or in an EDXL-DE envelope (`envelope="de"`)."""
    if envelope is not None and envelope not in ENVELOPES:
        raise InvalidInput(f"envelope: {envelope!r} is not one of {', '.join(ENVELOPES)}")
    conversation = _conversation(platform, viewer, request_id)
    found = next((m for m in conversation.messages if m.message_id == message_id), None)
    if found is None:
        raise NotFound(f"no EDXL-RM message {message_id!r} of this request that you may see")
    xml = edxl_rm_xml.to_xml(found.message)
    if envelope is None:
        return xml
    return in_envelope(found, xml, conversation.partners, conversation.request.marking)


@dataclass(frozen=True)
class ImportRequest:
    """What the caller adds to a received message: see `edxl_rm_import.ImportOptions`."""

    zone: str = DEFAULT_ZONE
    capability: str | None = None
    request_id: uuid.UUID | None = None
    until: datetime | None = None  # read in `zone` if written without an offset
    lon: float | None = None
    lat: float | None = None
    staging_name: str | None = None


@dataclass(frozen=True)
class Imported:
    message_id: str
    message_type: str
    request_ids: tuple[uuid.UUID, ...]
    offer_ids: tuple[uuid.UUID, ...]


def _options(given: ImportRequest) -> ImportOptions:
    try:
        zone = ZoneInfo(given.zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"zone: {given.zone!r} is not a time zone; use an IANA name such as {DEFAULT_ZONE}"
        ) from None
    if (given.lon is None) != (given.lat is None):
        raise InvalidInput("give both lon and lat of the staging area, or neither")
    until = given.until
    if until is not None and until.tzinfo is None:
        until = until.replace(tzinfo=zone)
    return ImportOptions(
        zone=zone,
        capability=given.capability,
        until=until,
        staging=Point(lon=given.lon, lat=given.lat)
        if given.lon is not None and given.lat is not None
        else None,
        staging_name=given.staging_name,
        request_id=given.request_id,
    )


def import_message(platform: Platform, actor: Actor, data: bytes, given: ImportRequest) -> Imported:
    """Record what a received EDXL-RM message asks for or offers, as the caller's partner."""
    read = read_message(data, _options(given))
    viewer = Viewer(user_id=actor.user_id, partner_id=actor.partner_id)
    offers = () if read.offer is None else (_make_offer(platform, actor, viewer, read.offer),)
    requests = tuple(
        c.CreateAssistanceRequest(
            actor=actor,
            capability=need.capability,
            quantity=need.quantity,
            staging=need.staging,
            starts_at=need.starts_at,
            ends_at=need.ends_at,
            support=need.support,
            description=need.description,
            incident_id=need.incident_id,
        )
        for need in read.needs
    )
    command = ImportAssistanceMessage(actor=actor, source=read.source, requests=requests, offers=offers)
    made: tuple[uuid.UUID, ...] = platform.bus.handle(command)
    return Imported(read.message_id, read.message_type, made[: len(requests)], made[len(requests) :])


def _make_offer(platform: Platform, actor: Actor, viewer: Viewer, offer: ImportedOffer) -> c.MakeOffer:
    request = q.get_request(platform.engine, viewer, offer.request_id)  # one the caller may not see: 404
    other = offer.capabilities - {request.capability}
    if other:
        raise InvalidInput(
            f"the message offers {', '.join(sorted(other))}; request {request.id} asks for {request.capability}"
        )
    units = _own_units(platform, viewer, actor, offer.resource_ids)
    return c.MakeOffer(
        actor=actor,
        request_id=offer.request_id,
        available_from=offer.available_from,
        unit_ids=units,
        quantity=None if units else offer.quantity,
        conditions=offer.conditions,
    )


def _own_units(
    platform: Platform, viewer: Viewer, actor: Actor, resource_ids: tuple[str, ...]
) -> tuple[uuid.UUID, ...]:
    """The caller's units, if every resource offered is one of them (by id); otherwise none: a quantity."""
    units = []
    for resource_id in resource_ids:
        try:
            unit = q.get_unit(platform.engine, viewer, uuid.UUID(resource_id))
        except (ValueError, NotFound):
            return ()
        if unit.owner_partner_id != actor.partner_id:
            return ()
        units.append(unit.id)
    return tuple(units)
