"""What a dataset's point of contact is told when its data stops arriving, and when it arrives again.

The schedule flags a dataset whose newest observation is older than expected (`DatasetStale`, once per
episode); its responsible point of contact is then sent a short notice (docs/datasets.md §Staleness): which
dataset, who publishes it, the time of the newest observation, how often data is expected, and the
dataset's console page. When newer data arrives (`DatasetFresh`) the contact told of the episode is told it
is over. The notice is written in the contact's working languages that crisislink has words for, then in
English, the network's common language. Times are UTC, said so.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from crisislink.kernel.messages import Command

COMMON_LANGUAGE = "en"
MAX_SUBJECT = 300


class NoticeKind(enum.StrEnum):
    STALE = "stale"  # no data for longer than expected
    FRESH = "fresh"  # data arrives again: the episode is over


@dataclass(frozen=True)
class Wording:
    """One language's sentences; `{…}` are filled in with the dataset's facts."""

    subjects: Mapping[NoticeKind, str]
    stale: str  # with a newest observation
    never: str  # stale before any observation arrived
    fresh: str
    flagged: str  # when the episode began, added to `fresh` when known
    # How often data is expected, by unit: (one, many), `{n}` the count.
    every: Mapping[str, tuple[str, str]]


_EN = Wording(
    subjects={
        NoticeKind.STALE: "No new data: {dataset} ({publisher})",
        NoticeKind.FRESH: "Data arrives again: {dataset} ({publisher})",
    },
    stale=(
        "No new data for {dataset}, published by {publisher}: the newest observation is from {last}, and new "
        "data is expected {interval}. You are its point of contact: please check the feed."
    ),
    never=(
        "{dataset}, published by {publisher}, has received no data yet; new data is expected {interval}. "
        "You are its point of contact: please check the feed."
    ),
    fresh="New data for {dataset}, published by {publisher}, arrives again: the newest observation is from {last}.",
    flagged="It was flagged stale at {since}.",
    every={
        "second": ("every second", "every {n} seconds"),
        "minute": ("every minute", "every {n} minutes"),
        "hour": ("every hour", "every {n} hours"),
    },
)

_NL = Wording(
    subjects={
        NoticeKind.STALE: "Geen nieuwe gegevens: {dataset} ({publisher})",
        NoticeKind.FRESH: "Gegevens komen weer binnen: {dataset} ({publisher})",
    },
    stale=(
        "Geen nieuwe gegevens voor {dataset}, gepubliceerd door {publisher}: de nieuwste waarneming dateert "
        "van {last}, terwijl er {interval} nieuwe gegevens verwacht worden. U bent het aanspreekpunt: "
        "controleer de gegevensstroom."
    ),
    never=(
        "{dataset}, gepubliceerd door {publisher}, heeft nog geen gegevens ontvangen; er worden {interval} "
        "nieuwe gegevens verwacht. U bent het aanspreekpunt: controleer de gegevensstroom."
    ),
    fresh=(
        "Er komen weer nieuwe gegevens binnen voor {dataset}, gepubliceerd door {publisher}: de nieuwste "
        "waarneming dateert van {last}."
    ),
    flagged="De dataset was sinds {since} als verouderd gemarkeerd.",
    every={
        "second": ("elke seconde", "elke {n} seconden"),
        "minute": ("elke minuut", "elke {n} minuten"),
        "hour": ("elk uur", "elke {n} uur"),
    },
)

_FR = Wording(
    subjects={
        NoticeKind.STALE: "Pas de nouvelles données : {dataset} ({publisher})",
        NoticeKind.FRESH: "Les données arrivent à nouveau : {dataset} ({publisher})",
    },
    stale=(
        "Aucune nouvelle donnée pour {dataset}, publié par {publisher} : la dernière observation date du "
        "{last}, alors que de nouvelles données sont attendues {interval}. Vous en êtes le point de contact : "
        "veuillez vérifier le flux."
    ),
    never=(
        "{dataset}, publié par {publisher}, n'a encore reçu aucune donnée ; de nouvelles données sont "
        "attendues {interval}. Vous en êtes le point de contact : veuillez vérifier le flux."
    ),
    fresh=(
        "De nouvelles données arrivent à nouveau pour {dataset}, publié par {publisher} : la dernière "
        "observation date du {last}."
    ),
    flagged="Le jeu de données était signalé en retard depuis le {since}.",
    every={
        "second": ("chaque seconde", "toutes les {n} secondes"),
        "minute": ("chaque minute", "toutes les {n} minutes"),
        "hour": ("toutes les heures", "toutes les {n} heures"),
    },
)

_DE = Wording(
    subjects={
        NoticeKind.STALE: "Keine neuen Daten: {dataset} ({publisher})",
        NoticeKind.FRESH: "Daten kommen wieder an: {dataset} ({publisher})",
    },
    stale=(
        "Keine neuen Daten für {dataset}, veröffentlicht von {publisher}: die neueste Beobachtung stammt vom "
        "{last}, neue Daten werden {interval} erwartet. Sie sind die zuständige Kontaktstelle: bitte prüfen "
        "Sie den Datenstrom."
    ),
    never=(
        "{dataset}, veröffentlicht von {publisher}, hat noch keine Daten erhalten; neue Daten werden "
        "{interval} erwartet. Sie sind die zuständige Kontaktstelle: bitte prüfen Sie den Datenstrom."
    ),
    fresh=(
        "Für {dataset}, veröffentlicht von {publisher}, kommen wieder neue Daten an: die neueste Beobachtung "
        "stammt vom {last}."
    ),
    flagged="Der Datensatz war seit {since} als veraltet markiert.",
    every={
        "second": ("jede Sekunde", "alle {n} Sekunden"),
        "minute": ("jede Minute", "alle {n} Minuten"),
        "hour": ("jede Stunde", "alle {n} Stunden"),
    },
)

WORDING: Mapping[str, Wording] = {"en": _EN, "nl": _NL, "fr": _FR, "de": _DE}


@dataclass(frozen=True)
class PublisherName:
    """The partner publishing the dataset: its name in a language when it has one, else its usual name."""

    name: str
    names: Mapping[str, str] = field(default_factory=dict)

    def in_language(self, language: str) -> str:
        return self.names.get(language) or self.name


@dataclass(frozen=True, kw_only=True)
class ContactNoticeFacts:
    """What a notice tells: the dataset, who publishes it, and its newest observation at the time."""

    kind: NoticeKind
    dataset_id: uuid.UUID
    title: str
    publisher: PublisherName
    last_observed_at: datetime | None
    expected_every_seconds: int
    stale_since: datetime | None = None  # for FRESH: when the contact was told it was stale


@dataclass(frozen=True)
class ComposedNotice:
    subject: str
    body: str
    languages: tuple[str, ...]


def notice_languages(*preferences: Iterable[str]) -> tuple[str, ...]:
    """The first preference (the contact's languages, then the publisher's) that has words, then English."""
    for preference in preferences:
        chosen = tuple(dict.fromkeys(code.lower() for code in preference if code.lower() in WORDING))
        if chosen:
            break
    else:
        chosen = ()
    return chosen if COMMON_LANGUAGE in chosen else (*chosen, COMMON_LANGUAGE)


def _utc(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _interval(wording: Wording, seconds: int) -> str:
    """The refresh interval in the largest whole unit: 900 s is "every 15 minutes", 7200 s "every 2 hours"."""
    unit, count = "second", seconds
    if seconds % 3600 == 0:
        unit, count = "hour", seconds // 3600
    elif seconds % 60 == 0:
        unit, count = "minute", seconds // 60
    one, many = wording.every[unit]
    return one if count == 1 else many.format(n=count)


def _values(facts: ContactNoticeFacts, language: str) -> dict[str, str]:
    return {
        "dataset": facts.title,
        "publisher": facts.publisher.in_language(language),
        "last": _utc(facts.last_observed_at),
        "since": _utc(facts.stale_since),
        "interval": _interval(WORDING[language], facts.expected_every_seconds),
    }


def _paragraph(facts: ContactNoticeFacts, language: str) -> str:
    wording, values = WORDING[language], _values(facts, language)
    if facts.kind is NoticeKind.FRESH:
        lines = [wording.fresh.format_map(values)]
        if facts.stale_since is not None:
            lines.append(wording.flagged.format_map(values))
        return " ".join(lines)
    sentence = wording.stale if facts.last_observed_at is not None else wording.never
    return sentence.format_map(values)


def compose(facts: ContactNoticeFacts, languages: tuple[str, ...], link: str) -> ComposedNotice:
    """The notice in `languages` (from `notice_languages`); `link` is the dataset's console page."""
    chosen = tuple(language for language in languages if language in WORDING) or (COMMON_LANGUAGE,)
    first = chosen[0]
    subject = "[crisislink] " + WORDING[first].subjects[facts.kind].format_map(_values(facts, first))
    if len(subject) > MAX_SUBJECT:
        subject = subject[: MAX_SUBJECT - 1] + "…"
    paragraphs = [_paragraph(facts, language) for language in chosen]
    body = "\n\n".join(paragraphs) + "\n\n" + link + "\n"
    return ComposedNotice(subject=subject, body=body, languages=chosen)


@dataclass(frozen=True, kw_only=True)
class ClaimDatasetContactNotice(Command):
    """The schedule's round takes the next notice due to go out; it hands it over with no transaction open."""


@dataclass(frozen=True, kw_only=True)
class RecordDatasetContactNotice(Command):
    """What the channel said of one claimed notice: sent, or not (then it is tried again, or given up)."""

    notice_id: uuid.UUID
    sent: bool
    detail: str | None = None
