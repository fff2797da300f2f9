"""The sharing policy: who may see a labelled record. Written once, default deny.

`GRANTS` is the single source of truth. `may_see` evaluates it in Python (for single objects and as
the oracle in tests); the database adapter compiles the very same table to SQL for every read path.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from crisislink.kernel.markings import Label, Principal, Tlp


class Grant(enum.Enum):
    OWNER = "owner partner's staff"
    PUBLIC = "anyone, including the public"
    NETWORK = "any signed-in member of the network"
    AUDIENCE_PARTNER = "staff of a partner named in the audience"
    AUDIENCE_USER = "a person named in the audience"


GRANTS: Mapping[Tlp, frozenset[Grant]] = MappingProxyType(
    {
        Tlp.CLEAR: frozenset({Grant.OWNER, Grant.PUBLIC}),
        Tlp.GREEN: frozenset({Grant.OWNER, Grant.NETWORK}),
        Tlp.AMBER: frozenset({Grant.OWNER, Grant.AUDIENCE_PARTNER, Grant.AUDIENCE_USER}),
        Tlp.AMBER_STRICT: frozenset({Grant.OWNER}),
        Tlp.RED: frozenset({Grant.OWNER, Grant.AUDIENCE_USER}),
    }
)


@dataclass(frozen=True)
class Viewer:
    """Who is looking. The public has neither user nor partner."""

    user_id: uuid.UUID | None
    partner_id: uuid.UUID | None

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None and self.partner_id is not None


PUBLIC = Viewer(user_id=None, partner_id=None)
# A signed-in member of no partner in particular: sees exactly what the whole network may see.
ANY_MEMBER = Viewer(user_id=uuid.UUID(int=0), partner_id=uuid.UUID(int=0))


def may_see(viewer: Viewer, label: Label) -> bool:
    return any(_grant_applies(grant, viewer, label) for grant in GRANTS.get(label.marking, frozenset()))


def _grant_applies(grant: Grant, viewer: Viewer, label: Label) -> bool:
    if grant is Grant.PUBLIC:
        return True
    if viewer.partner_id is None or viewer.user_id is None:
        return False
    if grant is Grant.OWNER:
        return label.owner_partner_id is not None and label.owner_partner_id == viewer.partner_id
    if grant is Grant.NETWORK:
        return True
    if grant is Grant.AUDIENCE_PARTNER:
        return Principal.partner(viewer.partner_id) in label.audience
    return Principal.user(viewer.user_id) in label.audience
