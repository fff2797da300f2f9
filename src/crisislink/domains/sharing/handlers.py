"""Command handlers of the sharing capability: plain functions over a unit of work."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from crisislink.domains.sharing import commands as c
from crisislink.domains.sharing import events as e
from crisislink.domains.sharing.contacts import ContactPoint, check_timezone
from crisislink.domains.sharing.model import ApiToken, Node, Partner, User
from crisislink.domains.sharing.permissions import (
    require_contact_editor,
    require_network_admin,
    require_signed_in,
    require_user_admin,
)
from crisislink.domains.sharing.ports import PasswordHasher, SharingUnitOfWork
from crisislink.kernel.aggregate import check_version
from crisislink.kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from crisislink.kernel.i18n import INTERFACE_LANGUAGES, check_language
from crisislink.kernel.ids import new_id
from crisislink.kernel.markings import Label, Principal, PrincipalKind, Tlp

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD_LENGTH = 12


def _check_locale(locale: str) -> str:
    if locale not in INTERFACE_LANGUAGES:
        raise InvalidInput(f"the interface speaks {', '.join(INTERFACE_LANGUAGES)}, not {locale!r}")
    return locale


TOKEN_PREFIX = "clk"  # noqa: S105 -- a public prefix that marks crisislink tokens, not a secret


def _languages(codes: tuple[str, ...]) -> tuple[str, ...]:
    try:
        return tuple(dict.fromkeys(check_language(code) for code in codes))
    except ValueError as error:
        raise InvalidInput(str(error)) from None


def _names(names: tuple[tuple[str, str], ...]) -> dict[str, str]:
    try:
        return {check_language(language): name.strip() for language, name in names if name.strip()}
    except ValueError as error:
        raise InvalidInput(f"names: {error}") from None


def _directory_label(owner: uuid.UUID | None, node_id: uuid.UUID) -> Label:
    return Label(owner_partner_id=owner, home_node_id=node_id, marking=Tlp.GREEN)


def _private_label(owner: uuid.UUID, node_id: uuid.UUID) -> Label:
    return Label(owner_partner_id=owner, home_node_id=node_id, marking=Tlp.AMBER_STRICT)


def register_node(cmd: c.RegisterNode, uow: SharingUnitOfWork) -> uuid.UUID:
    require_network_admin(cmd.actor)
    code = cmd.code.strip().lower()
    if uow.nodes.by_code(code) is not None:
        raise Conflict(f"a node with code {code!r} exists already")
    node = Node(
        id=cmd.node_id or new_id(),
        code=code,
        name=cmd.name.strip(),
        country=cmd.country.upper(),
        base_url=cmd.base_url,
    )
    node.record(
        e.NodeRegistered(label=_directory_label(None, node.id), node_id=node.id, code=code, name=node.name)
    )
    uow.nodes.add(node)
    uow.commit()
    return node.id


def register_partner(cmd: c.RegisterPartner, uow: SharingUnitOfWork) -> uuid.UUID:
    require_network_admin(cmd.actor)
    code = cmd.code.strip().upper()
    if uow.partners.by_code(code) is not None:
        raise Conflict(f"a partner with code {code!r} exists already")
    uow.nodes.get(cmd.home_node_id)
    partner = Partner(
        id=new_id(),
        code=code,
        name=cmd.name.strip(),
        country=cmd.country.upper(),
        kind=cmd.kind,
        home_node_id=cmd.home_node_id,
        languages=_languages(cmd.languages),
        names=_names(cmd.names),
        external=cmd.external,
        jurisdiction=cmd.jurisdiction,
    )
    label = _directory_label(partner.id, cmd.home_node_id)
    partner.record(
        e.PartnerRegistered(
            label=label,
            partner_id=partner.id,
            code=code,
            name=partner.name,
            country=partner.country,
            kind=partner.kind.value,
        )
    )
    uow.partners.add(partner)
    uow.commit()
    return partner.id


def update_partner(cmd: c.UpdatePartner, uow: SharingUnitOfWork) -> None:
    require_network_admin(cmd.actor)
    partner = uow.partners.get(cmd.partner_id)
    check_version(partner, cmd.expected_version)
    changed: list[str] = []
    if cmd.name is not None and cmd.name.strip() != partner.name:
        partner.name = cmd.name.strip()
        changed.append("name")
    if cmd.languages is not None:
        partner.languages = _languages(cmd.languages)
        changed.append("languages")
    if cmd.jurisdiction is not None:
        partner.jurisdiction = cmd.jurisdiction
        changed.append("jurisdiction")
    if cmd.approves_warnings is not None and cmd.approves_warnings != partner.approves_warnings:
        partner.approves_warnings = cmd.approves_warnings
        changed.append("approves_warnings")
    if changed:
        label = _directory_label(partner.id, partner.home_node_id)
        partner.record(e.PartnerUpdated(label=label, partner_id=partner.id, changed=tuple(changed)))
    uow.commit()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def add_user(cmd: c.AddUser, uow: SharingUnitOfWork, hasher: PasswordHasher) -> uuid.UUID:
    require_user_admin(cmd.actor, cmd.partner_id)
    username = cmd.username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput("a username has 3-64 characters: lower-case letters, digits, '.', '_' or '-'")
    if uow.users.by_username(username) is not None:
        raise Conflict(f"the username {username!r} is taken")
    if not cmd.roles:
        raise InvalidInput("a user needs at least one role")
    _check_password(cmd.password)
    if cmd.locale is not None:
        _check_locale(cmd.locale)
    check_timezone(cmd.timezone)
    partner = uow.partners.get(cmd.partner_id)
    user = User(
        id=new_id(),
        username=username,
        display_name=cmd.display_name.strip() or username,
        partner_id=partner.id,
        roles=cmd.roles,
        password_hash=hasher.hash(cmd.password),
        email=cmd.email,
        locale=cmd.locale,
        timezone=cmd.timezone,
    )
    user.record(
        e.UserAdded(
            label=_private_label(partner.id, uow.node_id),
            user_id=user.id,
            username=username,
            partner_id=partner.id,
            roles=tuple(sorted(cmd.roles)),
        )
    )
    uow.users.add(user)
    uow.commit()
    return user.id


def update_user(cmd: c.UpdateUser, uow: SharingUnitOfWork) -> None:
    user = uow.users.get(cmd.user_id)
    require_user_admin(cmd.actor, user.partner_id)
    check_version(user, cmd.expected_version)
    changes = {
        "display_name": cmd.display_name,
        "roles": cmd.roles,
        "email": cmd.email,
        "locale": cmd.locale,
        "timezone": cmd.timezone,
        "active": cmd.active,
    }
    if cmd.roles is not None and not cmd.roles:
        raise InvalidInput("a user needs at least one role")
    if cmd.locale is not None:
        _check_locale(cmd.locale)
    if cmd.timezone is not None:
        check_timezone(cmd.timezone)
    changed = tuple(
        name for name, value in changes.items() if value is not None and value != getattr(user, name)
    )
    for name in changed:
        setattr(user, name, changes[name])
    if changed:
        user.record(
            e.UserUpdated(
                label=_private_label(user.partner_id, uow.node_id), user_id=user.id, changed=changed
            )
        )
    uow.commit()


def set_password(cmd: c.SetPassword, uow: SharingUnitOfWork, hasher: PasswordHasher) -> None:
    user = uow.users.get(cmd.user_id)
    if cmd.actor.user_id != user.id:
        require_user_admin(cmd.actor, user.partner_id)
    _check_password(cmd.password)
    user.password_hash = hasher.hash(cmd.password)
    user.record(e.PasswordChanged(label=_private_label(user.partner_id, uow.node_id), user_id=user.id))
    uow.commit()


def set_preferences(cmd: c.SetPreferences, uow: SharingUnitOfWork) -> None:
    user = uow.users.get(require_signed_in(cmd.actor))
    if cmd.locale is not None:
        user.locale = _check_locale(cmd.locale)
    if cmd.timezone is not None:
        user.timezone = check_timezone(cmd.timezone)
    label = _private_label(user.partner_id, uow.node_id)
    user.record(
        e.PreferencesChanged(label=label, user_id=user.id, locale=user.locale, timezone=user.timezone)
    )
    uow.commit()


@dataclass(frozen=True)
class IssuedToken:
    token_id: uuid.UUID
    secret: str
    expires_at: datetime


def hash_token_secret(secret: str) -> str:
    """Tokens are long random strings, so a fast hash is enough (unlike passwords)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_api_token(cmd: c.IssueApiToken, uow: SharingUnitOfWork, now: Callable[[], datetime]) -> IssuedToken:
    user_id = require_signed_in(cmd.actor)
    if cmd.expires_at.tzinfo is None:
        raise InvalidInput("a token's expiry needs a time zone, e.g. 2027-01-01T00:00:00Z")
    if cmd.expires_at <= now():
        raise InvalidInput("a token must expire in the future")
    if not cmd.scopes:
        raise InvalidInput("a token needs at least one scope")
    user = uow.users.get(user_id)
    token_id = new_id()
    secret = f"{TOKEN_PREFIX}_{token_id.hex}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        id=token_id,
        user_id=user.id,
        name=cmd.name.strip() or "token",
        secret_hash=hash_token_secret(secret),
        scopes=cmd.scopes,
        expires_at=cmd.expires_at,
    )
    token.record(
        e.ApiTokenIssued(
            label=_private_label(user.partner_id, uow.node_id),
            token_id=token_id,
            user_id=user.id,
            name=token.name,
            expires_at=cmd.expires_at,
        )
    )
    uow.tokens.add(token)
    uow.commit()
    return IssuedToken(token_id=token_id, secret=secret, expires_at=cmd.expires_at)


def revoke_api_token(cmd: c.RevokeApiToken, uow: SharingUnitOfWork) -> None:
    token = uow.tokens.get(cmd.token_id)
    owner = uow.users.get(token.user_id)
    if cmd.actor.user_id != owner.id:
        require_user_admin(cmd.actor, owner.partner_id)
    if not token.revoked:
        token.revoked = True
        token.record(
            e.ApiTokenRevoked(
                label=_private_label(owner.partner_id, uow.node_id), token_id=token.id, user_id=owner.id
            )
        )
    uow.commit()


def _check_audience(uow: SharingUnitOfWork, audience: frozenset[Principal]) -> None:
    for principal in audience:
        try:
            if principal.kind is PrincipalKind.PARTNER:
                uow.partners.require(principal.id)
            else:
                uow.users.require(principal.id)
        except NotFound:
            raise InvalidInput(f"audience: no {principal.kind.value} with id {principal.id}") from None


def create_contact_point(cmd: c.CreateContactPoint, uow: SharingUnitOfWork) -> uuid.UUID:
    require_contact_editor(cmd.actor, cmd.partner_id)
    uow.partners.require(cmd.partner_id)
    _check_audience(uow, cmd.audience)
    label = Label(
        owner_partner_id=cmd.partner_id, home_node_id=uow.node_id, marking=cmd.marking, audience=cmd.audience
    )
    contact = ContactPoint(
        id=new_id(),
        label=label,
        role=cmd.role,
        name=cmd.name.strip(),
        channels=cmd.channels,
        languages=_languages(cmd.languages),
        hours=cmd.hours,
        notes=cmd.notes,
    )
    contact.record(
        e.ContactPointCreated(
            label=label, contact_point_id=contact.id, role=cmd.role.value, name=contact.name
        )
    )
    uow.contact_points.add(contact)
    uow.commit()
    return contact.id


def _editable_contact(
    uow: SharingUnitOfWork, contact_id: uuid.UUID, expected: int, actor_node: uuid.UUID
) -> ContactPoint:
    contact = uow.contact_points.get(contact_id)
    if contact.label.home_node_id != actor_node:
        raise PermissionDenied(
            "this point of contact lives on another node; only its home node may change it"
        )
    check_version(contact, expected)
    return contact


def update_contact_point(cmd: c.UpdateContactPoint, uow: SharingUnitOfWork) -> None:
    contact = _editable_contact(uow, cmd.contact_point_id, cmd.expected_version, uow.node_id)
    if contact.label.owner_partner_id is None:
        raise PermissionDenied("this point of contact has no owner partner")
    require_contact_editor(cmd.actor, contact.label.owner_partner_id)
    fields: dict[str, object] = {
        "name": cmd.name,
        "channels": cmd.channels,
        "hours": cmd.hours,
        "notes": cmd.notes,
    }
    if cmd.languages is not None:
        fields["languages"] = _languages(cmd.languages)
    changed = [
        name for name, value in fields.items() if value is not None and value != getattr(contact, name)
    ]
    for name in changed:
        setattr(contact, name, fields[name])
    if cmd.audience is not None:
        _check_audience(uow, cmd.audience)
    if cmd.marking is not None or cmd.audience is not None:
        old_label = contact.label
        contact.label = Label(
            owner_partner_id=contact.label.owner_partner_id,
            home_node_id=contact.label.home_node_id,
            marking=cmd.marking or contact.label.marking,
            audience=cmd.audience if cmd.audience is not None else contact.label.audience,
        )
        if contact.label != old_label:
            contact.record(e.ContactPointRelabelled(label=old_label, contact_point_id=contact.id))
        changed.append("label")
    if changed:
        contact.validate()
        contact.record(
            e.ContactPointUpdated(label=contact.label, contact_point_id=contact.id, changed=tuple(changed))
        )
    uow.commit()


def remove_contact_point(cmd: c.RemoveContactPoint, uow: SharingUnitOfWork) -> None:
    contact = _editable_contact(uow, cmd.contact_point_id, cmd.expected_version, uow.node_id)
    if contact.label.owner_partner_id is None:
        raise PermissionDenied("this point of contact has no owner partner")
    require_contact_editor(cmd.actor, contact.label.owner_partner_id)
    contact.record(e.ContactPointRemoved(label=contact.label, contact_point_id=contact.id))
    uow.contact_points.remove(contact)
    uow.commit()
