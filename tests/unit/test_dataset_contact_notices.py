"""What a dataset's point of contact reads when its data stops arriving, and when it arrives again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from crisislink.domains.datasets.contact_notices import (
    MAX_SUBJECT,
    ContactNoticeFacts,
    NoticeKind,
    PublisherName,
    compose,
    notice_languages,
)

DATASET_ID = uuid.UUID("01900000-0000-7000-8000-000000000001")
LINK = f"https://crisislink.example/datasets/{DATASET_ID}"
CEST = timezone(timedelta(hours=2))
STALE = ContactNoticeFacts(
    kind=NoticeKind.STALE,
    dataset_id=DATASET_ID,
    title="Vesdre at Chaudfontaine",
    publisher=PublisherName(
        "SPW", {"nl": "Waalse Overheidsdienst", "de": "Öffentlicher Dienst der Wallonie"}
    ),
    last_observed_at=datetime(2021, 7, 14, 22, 15, tzinfo=CEST),  # said in UTC: 20:15
    expected_every_seconds=900,
)


@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        (
            "en",
            "[crisislink] No new data: Vesdre at Chaudfontaine (SPW)",
            "No new data for Vesdre at Chaudfontaine, published by SPW: the newest observation is from "
            "2021-07-14 20:15 UTC, and new data is expected every 15 minutes.",
        ),
        (
            "nl",
            "[crisislink] Geen nieuwe gegevens: Vesdre at Chaudfontaine (Waalse Overheidsdienst)",
            "Geen nieuwe gegevens voor Vesdre at Chaudfontaine, gepubliceerd door Waalse Overheidsdienst: de "
            "nieuwste waarneming dateert van 2021-07-14 20:15 UTC, terwijl er elke 15 minuten nieuwe gegevens "
            "verwacht worden.",
        ),
        (
            "fr",
            "[crisislink] Pas de nouvelles données : Vesdre at Chaudfontaine (SPW)",
            "Aucune nouvelle donnée pour Vesdre at Chaudfontaine, publié par SPW : la dernière observation "
            "date du 2021-07-14 20:15 UTC, alors que de nouvelles données sont attendues toutes les 15 minutes.",
        ),
        (
            "de",
            "[crisislink] Keine neuen Daten: Vesdre at Chaudfontaine (Öffentlicher Dienst der Wallonie)",
            "Keine neuen Daten für Vesdre at Chaudfontaine, veröffentlicht von Öffentlicher Dienst der "
            "Wallonie: die neueste Beobachtung stammt vom 2021-07-14 20:15 UTC, neue Daten werden alle 15 "
            "Minuten erwartet.",
        ),
    ],
)
def test_a_stale_notice_in_each_language_names_dataset_publisher_last_time_and_interval(
    language: str, subject: str, sentence: str
) -> None:
    notice = compose(STALE, notice_languages([language]), LINK)
    assert notice.subject == subject
    assert sentence in notice.body
    assert notice.body.rstrip().endswith(LINK)
    if language != "en":
        assert notice.languages == (language, "en")  # then in English, the network's common language
        assert "No new data for Vesdre at Chaudfontaine" in notice.body


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "It was flagged stale at 2021-07-14 21:00 UTC."),
        ("nl", "De dataset was sinds 2021-07-14 21:00 UTC als verouderd gemarkeerd."),
        ("fr", "Le jeu de données était signalé en retard depuis le 2021-07-14 21:00 UTC."),
        ("de", "Der Datensatz war seit 2021-07-14 21:00 UTC als veraltet markiert."),
    ],
)
def test_a_fresh_notice_says_data_arrives_again_and_since_when_it_was_stale(
    language: str, words: str
) -> None:
    fresh = ContactNoticeFacts(
        kind=NoticeKind.FRESH,
        dataset_id=DATASET_ID,
        title=STALE.title,
        publisher=STALE.publisher,
        last_observed_at=datetime(2021, 7, 15, 6, 0, tzinfo=UTC),
        expected_every_seconds=900,
        stale_since=datetime(2021, 7, 14, 21, 0, tzinfo=UTC),
    )
    notice = compose(fresh, (language,), LINK)
    assert words in notice.body
    assert "2021-07-15 06:00 UTC" in notice.body


def test_a_dataset_that_never_received_data_says_so() -> None:
    never = ContactNoticeFacts(
        kind=NoticeKind.STALE,
        dataset_id=DATASET_ID,
        title=STALE.title,
        publisher=STALE.publisher,
        last_observed_at=None,
        expected_every_seconds=7200,
    )
    body = compose(never, ("en",), LINK).body
    assert "has received no data yet; new data is expected every 2 hours." in body
    assert "newest observation" not in body


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(45, "every 45 seconds"), (60, "every minute"), (5400, "every 90 minutes"), (3600, "every hour")],
)
def test_the_interval_is_said_in_its_largest_whole_unit(seconds: int, said: str) -> None:
    facts = ContactNoticeFacts(
        kind=NoticeKind.STALE,
        dataset_id=DATASET_ID,
        title="Gauge",
        publisher=PublisherName("SPW"),
        last_observed_at=STALE.last_observed_at,
        expected_every_seconds=seconds,
    )
    assert f"new data is expected {said}." in compose(facts, ("en",), LINK).body


def test_languages_are_the_contacts_then_the_publishers_then_english() -> None:
    assert notice_languages(["NL", "fr", "nl"], ["de"]) == ("nl", "fr", "en")
    assert notice_languages(["lb"], ["de", "fr"]) == ("de", "fr", "en")  # no words in Luxembourgish
    assert notice_languages([], []) == ("en",)


def test_a_long_title_keeps_the_subject_within_its_column() -> None:
    long = ContactNoticeFacts(
        kind=NoticeKind.STALE,
        dataset_id=DATASET_ID,
        title="Gauge " * 80,
        publisher=PublisherName("SPW"),
        last_observed_at=None,
        expected_every_seconds=900,
    )
    subject = compose(long, ("en",), LINK).subject
    assert len(subject) == MAX_SUBJECT
    assert subject.endswith("…")
