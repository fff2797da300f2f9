"""First start: the local node, the real Benelux partner organisations, and demo accounts.

Organisation names are real; every contact detail in the seed is fictional (reserved domains,
numbers that cannot be dialled). Demo passwords are generated on first start, printed once, and
stored only as Argon2id hashes.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import time
from importlib import resources
from typing import Any

from crisislink.adapters.db.queries import directory
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.app.bootstrap import Platform
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.contacts import Channel, ChannelKind, ContactRole, StaffedHours, Window
from crisislink.domains.sharing.model import PartnerKind, Role
from crisislink.domains.sharing.policy import PUBLIC
from crisislink.kernel.geo import Area
from crisislink.kernel.ids import new_id
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM


@dataclass(frozen=True)
class DemoAccount:
    username: str
    partner_code: str
    roles: frozenset[Role]
    password: str


DEMO_ACCOUNTS: tuple[tuple[str, str, frozenset[Role]], ...] = (
    ("admin", "BE-NCCN", frozenset({Role.NODE_ADMIN, Role.PARTNER_ADMIN})),
    ("nccn.duty", "BE-NCCN", frozenset({Role.DUTY_OFFICER})),
    ("liege.duty", "BE-PROV-LIEGE", frozenset({Role.DUTY_OFFICER, Role.INFORMATION_OFFICER})),
    ("limburg.analyst", "BE-PROV-LIMBURG", frozenset({Role.ANALYST})),
    ("nccn.observer", "BE-NCCN", frozenset({Role.OBSERVER})),
    # Information officers on both sides of the Meuse: a cross-border warning needs both countries' approval.
    ("nccn.info", "BE-NCCN", frozenset({Role.INFORMATION_OFFICER})),
    ("zl.info", "NL-VR24", frozenset({Role.INFORMATION_OFFICER, Role.DUTY_OFFICER})),
    # Mutual assistance (line 2): the CGDIS offers its teams to its neighbours, as in July 2021.
    ("cgdis.duty", "LU-CGDIS", frozenset({Role.DUTY_OFFICER})),
)


def _load(name: str) -> list[dict[str, Any]]:
    text = resources.files("crisislink.app.seed").joinpath(name).read_text(encoding="utf-8")
    data = json.loads(text)
    assert isinstance(data, list)
    return data


def local_node_spec(code: str) -> dict[str, Any]:
    for node in _load("nodes.json"):
        if node["code"] == code:
            return node
    return {"code": code, "name": f"crisislink node {code}", "country": code[:2].upper()}


def ensure_local_node(platform: Platform) -> uuid.UUID:
    code = platform.settings.node_code
    for node in directory.list_nodes(platform.engine):
        if node.code == code:
            platform.node_id = node.id
            return node.id
    spec = local_node_spec(code)
    platform.node_id = new_id()
    platform.bus.handle(
        sc.RegisterNode(
            actor=SYSTEM,
            code=code,
            name=spec["name"],
            country=spec["country"],
            base_url=spec.get("base_url"),
            node_id=platform.node_id,
        )
    )
    return platform.node_id


def _node_ids(platform: Platform) -> dict[str, uuid.UUID]:
    known = {node.code: node.id for node in directory.list_nodes(platform.engine)}
    for spec in _load("nodes.json"):
        if spec["code"] not in known:
            known[spec["code"]] = platform.bus.handle(
                sc.RegisterNode(
                    actor=SYSTEM,
                    code=spec["code"],
                    name=spec["name"],
                    country=spec["country"],
                    base_url=spec.get("base_url"),
                )
            )
    return known


def _jurisdiction(reference: ReferenceData, spec: dict[str, Any] | None) -> Area | None:
    if not spec:
        return None
    boundary = reference.get(spec["layer"], spec["code"])
    return Area(geometry=boundary.geometry, ref=f"{spec['layer']}:{spec['code']}")


def _hours(spec: dict[str, Any]) -> StaffedHours:
    if spec.get("always"):
        return StaffedHours(always=True)
    windows = tuple(
        Window(
            days=frozenset(w["days"]), start=time.fromisoformat(w["start"]), end=time.fromisoformat(w["end"])
        )
        for w in spec["windows"]
    )
    return StaffedHours(always=False, timezone=spec["timezone"], windows=windows)


def _contact_command(partner_id: uuid.UUID, spec: dict[str, Any]) -> sc.CreateContactPoint:
    return sc.CreateContactPoint(
        actor=SYSTEM,
        partner_id=partner_id,
        role=ContactRole(spec["role"]),
        name=spec["name"],
        channels=tuple(Channel(ChannelKind(c["kind"]), c["value"], c.get("note")) for c in spec["channels"]),
        languages=tuple(spec["languages"]),
        hours=_hours(spec["hours"]),
        marking=Tlp(spec["marking"]),
    )


def seed_partners(
    platform: Platform, reference: ReferenceData, progress: Callable[[str], None] = print
) -> int:
    nodes = _node_ids(platform)
    existing = {p.code for p in directory.list_partners(platform.engine)}
    created = 0
    for spec in _load("partners.json"):
        if spec["code"] in existing:
            continue
        partner_id = platform.bus.handle(
            sc.RegisterPartner(
                actor=SYSTEM,
                code=spec["code"],
                name=spec["name"],
                country=spec["country"],
                kind=PartnerKind(spec["kind"]),
                home_node_id=nodes[spec["node"]],
                languages=tuple(spec["languages"]),
                names=tuple(sorted(spec.get("names", {}).items())),
                external=bool(spec.get("external")),
                jurisdiction=_jurisdiction(reference, spec.get("jurisdiction")),
            )
        )
        for contact in spec.get("contact_points", []):
            platform.bus.handle(_contact_command(partner_id, contact))
        created += 1
        progress(spec["code"])
    return created


def create_demo_accounts(
    platform: Platform, accounts: Iterable[tuple[str, str, frozenset[Role]]] = DEMO_ACCOUNTS
) -> list[DemoAccount]:
    partners = {p.code: p.id for p in directory.list_partners(platform.engine)}
    taken = {u.username for u in directory.list_users(platform.engine, PUBLIC, is_node_admin=True)}
    made: list[DemoAccount] = []
    for username, partner_code, roles in accounts:
        if username in taken or partner_code not in partners:
            continue
        password = secrets.token_urlsafe(12)
        platform.bus.handle(
            sc.AddUser(
                actor=SYSTEM,
                username=username,
                display_name=username,
                partner_id=partners[partner_code],
                roles=roles,
                password=password,
            )
        )
        made.append(DemoAccount(username, partner_code, roles, password))
    return made
