"""What a partner's 24/7 desk is told of a step of mutual assistance: a short notice in its languages.

A step whose event names partners in `notify` is told to each of their desks (docs/assistance.md
§Notification). The notice says what happened, which capability and how many, who asks or offers, and where
to act: the request's page in the console. It is written in the desk's working languages that crisislink
has words for, then in English, the network's common language; the capability's national term for the
desk's country is added as it is written in the catalogue. Times are UTC, said so.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from crisislink.domains.assistance.catalogue import CAPABILITIES
from crisislink.kernel.messages import Command

COMMON_LANGUAGE = "en"
MAX_SUBJECT = 300


class Step(enum.StrEnum):
    REQUEST_SENT = "request_sent"
    REQUEST_STATUS = "request_status_changed"
    OFFER_MADE = "offer_made"
    OFFER_STATUS = "offer_status_changed"


@dataclass(frozen=True)
class Wording:
    """One language's sentences; `{…}` are filled in with the step's facts."""

    subjects: Mapping[Step, str]
    sentences: Mapping[Step, str]
    accepted: str
    reason: str
    request_status: Mapping[str, str]
    offer_status: Mapping[str, str]


_EN = Wording(
    subjects={
        Step.REQUEST_SENT: "Request for assistance: {quantity} x {capability}, from {requester}",
        Step.REQUEST_STATUS: "Request for assistance {status}: {capability}, from {requester}",
        Step.OFFER_MADE: "Offer of assistance: {quantity} x {capability}, from {offerer}",
        Step.OFFER_STATUS: "Offer {status}: {capability}, from {offerer}",
    },
    sentences={
        Step.REQUEST_SENT: (
            "{requester} asks your organisation for assistance: {quantity} x {capability}. "
            "Offers are expected by {respond_by}."
        ),
        Step.REQUEST_STATUS: "The request of {requester} for {quantity} x {capability} is now: {status}.",
        Step.OFFER_MADE: (
            "{offerer} offers {quantity} x {capability} for your request, available from {available_from}. "
            "Accept or decline it in crisislink."
        ),
        Step.OFFER_STATUS: (
            "The offer of {offerer} ({quantity} x {capability}) on the request of {requester} is now: {status}."
        ),
    },
    accepted="Accepted: {accepted} of {quantity}.",
    reason="Reason: {reason}",
    request_status={
        "open": "open",
        "partially_covered": "partially covered",
        "covered": "covered",
        "closed": "closed",
        "cancelled": "cancelled",
        "expired": "expired",
    },
    offer_status={
        "offered": "offered",
        "accepted": "accepted",
        "mobilising": "mobilising",
        "deployed": "deployed",
        "demobilised": "demobilised",
        "declined": "declined",
        "withdrawn": "withdrawn",
        "lapsed": "lapsed",
    },
)

_NL = Wording(
    subjects={
        Step.REQUEST_SENT: "Bijstandsaanvraag: {quantity} x {capability}, van {requester}",
        Step.REQUEST_STATUS: "Bijstandsaanvraag {status}: {capability}, van {requester}",
        Step.OFFER_MADE: "Aanbod van bijstand: {quantity} x {capability}, van {offerer}",
        Step.OFFER_STATUS: "Aanbod {status}: {capability}, van {offerer}",
    },
    sentences={
        Step.REQUEST_SENT: (
            "{requester} vraagt uw organisatie om bijstand: {quantity} x {capability}. "
            "Aanbiedingen worden verwacht vóór {respond_by}."
        ),
        Step.REQUEST_STATUS: (
            "De bijstandsaanvraag van {requester} voor {quantity} x {capability} is nu: {status}."
        ),
        Step.OFFER_MADE: (
            "{offerer} biedt {quantity} x {capability} aan voor uw aanvraag, beschikbaar vanaf "
            "{available_from}. Aanvaard of wijs het af in crisislink."
        ),
        Step.OFFER_STATUS: (
            "Het aanbod van {offerer} ({quantity} x {capability}) op de aanvraag van {requester} "
            "is nu: {status}."
        ),
    },
    accepted="Aanvaard: {accepted} van {quantity}.",
    reason="Reden: {reason}",
    request_status={
        "open": "open",
        "partially_covered": "gedeeltelijk gedekt",
        "covered": "gedekt",
        "closed": "afgesloten",
        "cancelled": "geannuleerd",
        "expired": "verlopen",
    },
    offer_status={
        "offered": "aangeboden",
        "accepted": "aanvaard",
        "mobilising": "in mobilisatie",
        "deployed": "ingezet",
        "demobilised": "gedemobiliseerd",
        "declined": "afgewezen",
        "withdrawn": "ingetrokken",
        "lapsed": "vervallen",
    },
)

_FR = Wording(
    subjects={
        Step.REQUEST_SENT: "Demande d'assistance : {quantity} x {capability}, de {requester}",
        Step.REQUEST_STATUS: "Demande d'assistance {status} : {capability}, de {requester}",
        Step.OFFER_MADE: "Offre d'assistance : {quantity} x {capability}, de {offerer}",
        Step.OFFER_STATUS: "Offre {status} : {capability}, de {offerer}",
    },
    sentences={
        Step.REQUEST_SENT: (
            "{requester} demande l'assistance de votre organisation : {quantity} x {capability}. "
            "Les offres sont attendues avant le {respond_by}."
        ),
        Step.REQUEST_STATUS: (
            "La demande d'assistance de {requester} pour {quantity} x {capability} est désormais : {status}."
        ),
        Step.OFFER_MADE: (
            "{offerer} offre {quantity} x {capability} pour votre demande, disponible à partir du "
            "{available_from}. Acceptez-la ou déclinez-la dans crisislink."
        ),
        Step.OFFER_STATUS: (
            "L'offre de {offerer} ({quantity} x {capability}) sur la demande de {requester} "
            "est désormais : {status}."
        ),
    },
    accepted="Accepté : {accepted} sur {quantity}.",
    reason="Motif : {reason}",
    # Both nouns are feminine (la demande, l'offre): the words agree with them.
    request_status={
        "open": "ouverte",
        "partially_covered": "partiellement couverte",
        "covered": "couverte",
        "closed": "close",
        "cancelled": "annulée",
        "expired": "expirée",
    },
    offer_status={
        "offered": "offerte",
        "accepted": "acceptée",
        "mobilising": "en mobilisation",
        "deployed": "déployée",
        "demobilised": "démobilisée",
        "declined": "déclinée",
        "withdrawn": "retirée",
        "lapsed": "caduque",
    },
)

_DE = Wording(
    subjects={
        Step.REQUEST_SENT: "Hilfeleistungsersuchen: {quantity} x {capability}, von {requester}",
        Step.REQUEST_STATUS: "Hilfeleistungsersuchen {status}: {capability}, von {requester}",
        Step.OFFER_MADE: "Hilfsangebot: {quantity} x {capability}, von {offerer}",
        Step.OFFER_STATUS: "Angebot {status}: {capability}, von {offerer}",
    },
    sentences={
        Step.REQUEST_SENT: (
            "{requester} ersucht Ihre Organisation um Hilfe: {quantity} x {capability}. "
            "Angebote werden bis {respond_by} erwartet."
        ),
        Step.REQUEST_STATUS: (
            "Das Hilfeleistungsersuchen von {requester} über {quantity} x {capability} ist jetzt: {status}."
        ),
        Step.OFFER_MADE: (
            "{offerer} bietet {quantity} x {capability} für Ihr Ersuchen an, verfügbar ab {available_from}. "
            "Nehmen Sie es in crisislink an oder lehnen Sie es ab."
        ),
        Step.OFFER_STATUS: (
            "Das Angebot von {offerer} ({quantity} x {capability}) zum Ersuchen von {requester} "
            "ist jetzt: {status}."
        ),
    },
    accepted="Angenommen: {accepted} von {quantity}.",
    reason="Begründung: {reason}",
    request_status={
        "open": "offen",
        "partially_covered": "teilweise gedeckt",
        "covered": "gedeckt",
        "closed": "abgeschlossen",
        "cancelled": "abgebrochen",
        "expired": "abgelaufen",
    },
    offer_status={
        "offered": "angeboten",
        "accepted": "angenommen",
        "mobilising": "in Alarmierung",
        "deployed": "im Einsatz",
        "demobilised": "demobilisiert",
        "declined": "abgelehnt",
        "withdrawn": "zurückgezogen",
        "lapsed": "verfallen",
    },
)

WORDING: Mapping[str, Wording] = {"en": _EN, "nl": _NL, "fr": _FR, "de": _DE}


@dataclass(frozen=True)
class PartnerName:
    """A partner as a notice names it: its name in a language when it has one, else its usual name."""

    name: str
    names: Mapping[str, str] = field(default_factory=dict)

    def in_language(self, language: str) -> str:
        return self.names.get(language) or self.name


@dataclass(frozen=True, kw_only=True)
class NoticeFacts:
    """What a notice tells: the step, and the request (and offer) as they were when it was taken."""

    step: Step
    request_id: uuid.UUID
    requester: PartnerName
    capability: str  # a catalogue code
    quantity: int  # the request's for request steps, the offer's for offer steps
    offerer: PartnerName | None = None
    status: str = ""
    accepted: int = 0
    reason: str = ""
    respond_by: datetime | None = None
    available_from: datetime | None = None


@dataclass(frozen=True)
class ComposedNotice:
    subject: str
    body: str
    languages: tuple[str, ...]


def notice_languages(*preferences: Iterable[str]) -> tuple[str, ...]:
    """The first preference (the desk's languages, then the partner's) that has words, then English."""
    for preference in preferences:
        chosen = tuple(dict.fromkeys(code.lower() for code in preference if code.lower() in WORDING))
        if chosen:
            break
    else:
        chosen = ()
    return chosen if COMMON_LANGUAGE in chosen else (*chosen, COMMON_LANGUAGE)


def _utc(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _status(wording: Wording, facts: NoticeFacts) -> str:
    words = (
        wording.offer_status if facts.step in (Step.OFFER_MADE, Step.OFFER_STATUS) else wording.request_status
    )
    return words.get(facts.status, facts.status.replace("_", " "))


def _values(facts: NoticeFacts, language: str) -> dict[str, str]:
    wording = WORDING[language]
    kind = CAPABILITIES.get(facts.capability)
    offerer = facts.offerer.in_language(language) if facts.offerer else ""
    return {
        "requester": facts.requester.in_language(language),
        "offerer": offerer,
        "capability": kind.name if kind else facts.capability,
        "quantity": str(facts.quantity),
        "accepted": str(facts.accepted),
        "status": _status(wording, facts),
        "reason": facts.reason,
        "respond_by": _utc(facts.respond_by),
        "available_from": _utc(facts.available_from),
    }


def _paragraph(facts: NoticeFacts, language: str) -> str:
    wording, values = WORDING[language], _values(facts, language)
    lines = [wording.sentences[facts.step].format_map(values)]
    if facts.step in (Step.REQUEST_STATUS, Step.OFFER_STATUS) and facts.accepted:
        lines.append(wording.accepted.format_map(values))
    if facts.reason.strip():
        lines.append(wording.reason.format_map(values))
    return "\n".join(lines)


def _national_term(capability: str, country: str) -> str | None:
    """What the desk's country calls the capability, as the catalogue writes it (it is not translated)."""
    kind = CAPABILITIES.get(capability)
    term = kind.terms.get(country.upper()) if kind else None
    return f"{capability}, {country.upper()}: {term.term}" if term else None


def compose(facts: NoticeFacts, languages: tuple[str, ...], country: str, link: str) -> ComposedNotice:
    """The notice for a desk of `country` in `languages` (from `notice_languages`); `link` is the request's page."""
    chosen = tuple(language for language in languages if language in WORDING) or (COMMON_LANGUAGE,)
    first = chosen[0]
    subject = "[crisislink] " + WORDING[first].subjects[facts.step].format_map(_values(facts, first))
    if len(subject) > MAX_SUBJECT:
        subject = subject[: MAX_SUBJECT - 1] + "…"
    paragraphs = [_paragraph(facts, language) for language in chosen]
    term = _national_term(facts.capability, country)
    closing = [term] if term else []
    body = "\n\n".join(paragraphs) + "\n\n" + "\n".join([*closing, link]) + "\n"
    return ComposedNotice(subject=subject, body=body, languages=chosen)


@dataclass(frozen=True, kw_only=True)
class ClaimAssistanceNotification(Command):
    """The schedule's round takes the next notice due to go out; it hands it over with no transaction open."""


@dataclass(frozen=True, kw_only=True)
class RecordAssistanceNotification(Command):
    """What the channel said of one claimed notice: sent, or not (then it is tried again, or given up)."""

    notification_id: uuid.UUID
    sent: bool
    detail: str | None = None
