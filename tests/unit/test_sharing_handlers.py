"""Sharing handlers against in-memory fakes: who may change what, and what each change records."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from crisislink.domains.sharing import commands as c
from crisislink.domains.sharing import events as e
from crisislink.domains.sharing import handlers as h
from crisislink.domains.sharing.contacts import Channel, ChannelKind, ContactRole, StaffedHours
from crisislink.domains.sharing.model import PartnerKind, Role, Scope
from crisislink.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM, Actor
from tests.unit.fakes import FakeUnitOfWork, PlainHasher

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def _partner(uow: FakeUnitOfWork, code: str = "BE-NCCN") -> uuid.UUID:
    existing = uow.nodes.by_code("be")
    node = (
        existing.id
        if existing
        else h.register_node(c.RegisterNode(actor=SYSTEM, code="be", name="BE", country="BE"), uow)
    )
    return h.register_partner(
        c.RegisterPartner(
            actor=SYSTEM,
            code=code,
            name=code,
            country="BE",
            kind=PartnerKind.NATIONAL_CRISIS_CENTRE,
            home_node_id=node,
            languages=("nl", "fr"),
        ),
        uow,
    )


def _actor(partner: uuid.UUID, *roles: Role) -> Actor:
    return Actor(user_id=uuid.uuid4(), partner_id=partner, roles=frozenset(r.value for r in roles))


def _add_user(uow: FakeUnitOfWork, actor: Actor, partner: uuid.UUID, name: str = "ann.duty") -> uuid.UUID:
    command = c.AddUser(
        actor=actor,
        username=name,
        display_name=name,
        partner_id=partner,
        roles=frozenset({Role.DUTY_OFFICER}),
        password="long enough password",
    )
    return h.add_user(command, uow, PlainHasher())


def _contact_command(actor: Actor, partner: uuid.UUID) -> c.CreateContactPoint:
    return c.CreateContactPoint(
        actor=actor,
        partner_id=partner,
        role=ContactRole.DUTY_DESK_24_7,
        name="Desk",
        channels=(Channel(ChannelKind.PHONE, "+32 0 000 00 01"),),
        languages=("nl",),
        hours=StaffedHours(always=True),
        marking=Tlp.GREEN,
    )


def test_registering_a_partner_records_an_event_with_a_directory_label(uow: FakeUnitOfWork) -> None:
    partner_id = _partner(uow)
    partner = uow.partners.get(partner_id)
    (event,) = partner.events
    assert isinstance(event, e.PartnerRegistered)
    assert event.label.marking is Tlp.GREEN
    assert event.label.owner_partner_id == partner_id


def test_partner_codes_are_unique(uow: FakeUnitOfWork) -> None:
    _partner(uow)
    with pytest.raises(Conflict, match="BE-NCCN"):
        h.register_partner(
            c.RegisterPartner(
                actor=SYSTEM,
                code="be-nccn",
                name="dup",
                country="BE",
                kind=PartnerKind.GOVERNMENT_BODY,
                home_node_id=next(iter(uow.nodes.items)),
                languages=("fr",),
            ),
            uow,
        )


def test_only_node_administrators_register_partners(uow: FakeUnitOfWork) -> None:
    partner = _partner(uow)
    with pytest.raises(PermissionDenied):
        h.register_node(
            c.RegisterNode(actor=_actor(partner, Role.PARTNER_ADMIN), code="x", name="x", country="NL"), uow
        )


def test_a_partner_administrator_adds_users_to_their_own_partner_only(uow: FakeUnitOfWork) -> None:
    own, other = _partner(uow), _partner(uow, "BE-PROV-LIEGE")
    admin = _actor(own, Role.PARTNER_ADMIN)
    user_id = _add_user(uow, admin, own)
    assert uow.users.get(user_id).password_hash == "plain$long enough password"
    with pytest.raises(PermissionDenied):
        _add_user(uow, admin, other, "bob.duty")


def test_a_duty_officer_cannot_add_users(uow: FakeUnitOfWork) -> None:
    own = _partner(uow)
    with pytest.raises(PermissionDenied):
        _add_user(uow, _actor(own, Role.DUTY_OFFICER), own)


@pytest.mark.parametrize(("username", "password"), [("A B", "long enough password"), ("ok.name", "short")])
def test_bad_usernames_and_short_passwords_are_refused(
    uow: FakeUnitOfWork, username: str, password: str
) -> None:
    own = _partner(uow)
    with pytest.raises(InvalidInput):
        h.add_user(
            c.AddUser(
                actor=SYSTEM,
                username=username,
                display_name="x",
                partner_id=own,
                roles=frozenset({Role.ANALYST}),
                password=password,
            ),
            uow,
            PlainHasher(),
        )


def test_contact_points_are_changed_by_their_partner_s_duty_officers(uow: FakeUnitOfWork) -> None:
    own, other = _partner(uow), _partner(uow, "BE-PROV-LIEGE")
    contact_id = h.create_contact_point(_contact_command(_actor(own, Role.DUTY_OFFICER), own), uow)
    outsider = _actor(other, Role.DUTY_OFFICER)
    with pytest.raises(PermissionDenied):
        h.update_contact_point(
            c.UpdateContactPoint(actor=outsider, contact_point_id=contact_id, expected_version=0, name="x"),
            uow,
        )
    analyst = _actor(own, Role.ANALYST)
    with pytest.raises(PermissionDenied):
        h.create_contact_point(_contact_command(analyst, own), uow)


def test_changing_a_marking_records_the_new_label(uow: FakeUnitOfWork) -> None:
    own = _partner(uow)
    contact_id = h.create_contact_point(_contact_command(SYSTEM, own), uow)
    contact = uow.contact_points.get(contact_id)
    h.update_contact_point(
        c.UpdateContactPoint(
            actor=SYSTEM,
            contact_point_id=contact_id,
            expected_version=contact.version,
            marking=Tlp.AMBER_STRICT,
        ),
        uow,
    )
    withdrawn, last = contact.events[-2:]
    assert isinstance(last, e.ContactPointUpdated)
    assert last.changed == ("label",)
    assert last.label.marking is Tlp.AMBER_STRICT
    # Those who saw it under the old label are told, with no content, so their copies can go.
    assert isinstance(withdrawn, e.ContactPointRelabelled)
    assert withdrawn.label.marking is Tlp.GREEN


def test_only_the_home_node_changes_a_record(uow: FakeUnitOfWork) -> None:
    own = _partner(uow)
    contact_id = h.create_contact_point(_contact_command(SYSTEM, own), uow)
    uow.node_id = uuid.UUID(int=7)  # the same database seen from another node
    with pytest.raises(PermissionDenied, match="home node"):
        h.update_contact_point(
            c.UpdateContactPoint(actor=SYSTEM, contact_point_id=contact_id, expected_version=0, name="x"), uow
        )


def test_a_stale_version_is_a_conflict(uow: FakeUnitOfWork) -> None:
    own = _partner(uow)
    contact_id = h.create_contact_point(_contact_command(SYSTEM, own), uow)
    uow.contact_points.get(contact_id).version = 3
    with pytest.raises(Conflict, match="version 2"):
        h.update_contact_point(
            c.UpdateContactPoint(actor=SYSTEM, contact_point_id=contact_id, expected_version=2, name="x"), uow
        )


def test_tokens_are_issued_to_signed_in_users_only_and_stored_hashed(uow: FakeUnitOfWork) -> None:
    own = _partner(uow)
    user_id = _add_user(uow, SYSTEM, own)
    me = Actor(user_id=user_id, partner_id=own, roles=frozenset({"duty_officer"}))
    command = c.IssueApiToken(
        actor=me, name="feed", scopes=frozenset({Scope.READ}), expires_at=NOW + timedelta(days=30)
    )
    issued = h.issue_api_token(command, uow, lambda: NOW)
    token = uow.tokens.get(issued.token_id)
    assert issued.secret.startswith("clk_")
    assert issued.secret not in token.secret_hash
    assert token.secret_hash == h.hash_token_secret(issued.secret)
    with pytest.raises(PermissionDenied):
        h.issue_api_token(
            c.IssueApiToken(actor=SYSTEM, name="x", scopes=command.scopes, expires_at=command.expires_at),
            uow,
            lambda: NOW,
        )
    with pytest.raises(InvalidInput, match="future"):
        h.issue_api_token(
            c.IssueApiToken(actor=me, name="x", scopes=command.scopes, expires_at=NOW), uow, lambda: NOW
        )


def test_unknown_records_are_not_found(uow: FakeUnitOfWork) -> None:
    with pytest.raises(NotFound):
        h.revoke_api_token(c.RevokeApiToken(actor=SYSTEM, token_id=uuid.uuid4()), uow)
