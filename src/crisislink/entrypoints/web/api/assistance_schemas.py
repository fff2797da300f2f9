"""Request bodies of the mutual-assistance API. Unknown fields are refused, sizes and quantities bounded."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from crisislink.entrypoints.web.api.schemas import AudienceBody, Languages, Marking, Name, Strict, Version

Aware = Annotated[
    datetime, msgspec.Meta(tz=True, description="with a time zone, e.g. 2021-07-14T11:30:00+02:00")
]
CapabilityCode = Annotated[str, msgspec.Meta(min_length=3, max_length=40)]
Quantity = Annotated[int, msgspec.Meta(ge=1, le=10_000)]
Text = Annotated[str, msgspec.Meta(max_length=5_000)]
Reason = Annotated[str, msgspec.Meta(max_length=2_000)]
Codes = Annotated[
    list[Annotated[str, msgspec.Meta(min_length=1, max_length=40)]], msgspec.Meta(max_length=10)
]
Partners = Annotated[list[uuid.UUID], msgspec.Meta(max_length=100)]
Units = Annotated[list[uuid.UUID], msgspec.Meta(max_length=100)]
Audience = Annotated[list[AudienceBody], msgspec.Meta(max_length=200)]
CallSign = Annotated[str, msgspec.Meta(max_length=64)]


class PointBody(Strict):
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]


class UnitBody(Strict):
    capability: CapabilityCode
    name: Name
    home_base: PointBody
    partner_id: uuid.UUID | None = None  # None: your own partner
    call_sign: CallSign | None = None
    crew_languages: Languages = msgspec.field(default_factory=list)
    radio: Codes = msgspec.field(default_factory=list)
    arrangements: Codes = msgspec.field(default_factory=list)
    status: Literal["available", "out_of_service"] = "available"
    marking: Marking = "AMBER"
    audience: Audience = msgspec.field(default_factory=list)


class UnitPatch(Strict):
    expected_version: Version
    name: Name | None = None
    call_sign: CallSign | None = None  # "" clears it
    home_base: PointBody | None = None
    crew_languages: Languages | None = None
    radio: Codes | None = None
    arrangements: Codes | None = None
    marking: Marking | None = None
    audience: Audience | None = None


class UnitStatusBody(Strict):
    status: Literal["available", "committed", "deployed", "out_of_service"]
    position: PointBody | None = None  # only while deployed


class StagingBody(Strict):
    name: Name
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)]
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]


class SupportBody(Strict):
    liaison: Annotated[str, msgspec.Meta(max_length=1_000)] = ""
    languages: Languages = msgspec.field(default_factory=list)
    logistics: Text = ""


class RequestBody(Strict):
    capability: CapabilityCode
    quantity: Quantity
    staging: StagingBody
    starts_at: Aware
    ends_at: Aware
    respond_by: Aware | None = None  # None: when the help is needed (two hours, if it is needed now)
    support: SupportBody = msgspec.field(default_factory=SupportBody)
    description: Text = ""
    incident_id: uuid.UUID | None = None
    send_to: Partners = msgspec.field(default_factory=list)  # empty: keep it as a draft


class SendBody(Strict):
    partners: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=100)]


class ReasonBody(Strict):
    reason: Reason = ""


def reason_of(body: ReasonBody | None) -> str:
    """A step that takes a reason may be sent without a body."""
    return "" if body is None else body.reason


class OfferBody(Strict):
    available_from: Aware
    unit_ids: Units = msgspec.field(default_factory=list)
    quantity: Quantity | None = None  # for an offer without named units
    conditions: Text = ""


class AcceptBody(Strict):
    quantity: Quantity | None = None  # None: all of it (or the units chosen)
    unit_ids: Units = msgspec.field(default_factory=list)


class DeployBody(Strict):
    position: PointBody | None = None  # None: at the staging area
