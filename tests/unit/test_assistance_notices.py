"""The notice a 24/7 desk gets of a step of mutual assistance: its languages, its words, its link.

July 2021 in miniature: the province of Liège asks Limburg-Noord (NL-VR23) for two water-rescue teams.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from crisislink.domains.assistance.notifications import (
    MAX_SUBJECT,
    WORDING,
    NoticeFacts,
    PartnerName,
    Step,
    compose,
    notice_languages,
)
from crisislink.domains.assistance.offers import OfferStatus
from crisislink.domains.assistance.requests import RequestStatus

REQUEST_ID = uuid.UUID("0190a0c0-0000-7000-8000-000000002021")
LINK = f"https://node.example/assistance/{REQUEST_ID}"
LIEGE = PartnerName("Province de Liège", {"nl": "Provincie Luik", "de": "Provinz Lüttich"})
VR23 = PartnerName("Veiligheidsregio Limburg-Noord")
# 23:00 in Brussels (UTC+2 in July) is 21:00 UTC: notices say UTC, whatever zone the time came in.
RESPOND_BY = datetime(2021, 7, 14, 23, 0, tzinfo=timezone(timedelta(hours=2)))


def sent() -> NoticeFacts:
    return NoticeFacts(
        step=Step.REQUEST_SENT,
        request_id=REQUEST_ID,
        requester=LIEGE,
        capability="water.rescue",
        quantity=2,
        respond_by=RESPOND_BY,
    )


def offer_status(status: str, accepted: int = 0, reason: str = "") -> NoticeFacts:
    return NoticeFacts(
        step=Step.OFFER_STATUS,
        request_id=REQUEST_ID,
        requester=LIEGE,
        offerer=VR23,
        capability="water.rescue",
        quantity=2,
        status=status,
        accepted=accepted,
        reason=reason,
    )


def test_a_desk_reads_its_own_languages_first_then_english() -> None:
    assert notice_languages(("nl",), ("fr", "nl")) == ("nl", "en")
    assert notice_languages(("FR", "nl", "fr"), ()) == ("fr", "nl", "en")
    assert notice_languages(("en", "de"), ()) == ("en", "de")  # English is not repeated


def test_without_desk_languages_crisislink_has_words_for_the_partners_are_used_else_english() -> None:
    assert notice_languages(("lb",), ("de", "fr")) == ("de", "fr", "en")
    assert notice_languages((), ()) == ("en",)


def test_a_request_sent_says_who_asks_what_how_many_by_when_and_where_to_answer() -> None:
    notice = compose(sent(), ("nl", "en"), "NL", LINK)
    assert notice.subject == (
        "[crisislink] Bijstandsaanvraag: 2 x Water-rescue team (swimmers, divers, boats), van Provincie Luik"
    )
    dutch, english, closing = notice.body.split("\n\n")
    assert dutch.startswith("Provincie Luik vraagt uw organisatie om bijstand: 2 x Water-rescue team")
    assert "vóór 2021-07-14 21:00 UTC" in dutch
    assert english.startswith(
        "Province de Liège asks your organisation for assistance: 2 x Water-rescue team"
    )
    assert "by 2021-07-14 21:00 UTC" in english
    # The national term of the desk's country, as the catalogue writes it, and the request's page.
    assert closing.splitlines() == ["water.rescue, NL: waterongevallenteam / duikteam (brandweer)", LINK]
    assert notice.languages == ("nl", "en")


def test_the_desk_country_picks_the_national_term() -> None:
    notice = compose(sent(), ("fr", "en"), "BE", LINK)
    assert "water.rescue, BE: plongeurs / duikers (zone de secours)" in notice.body
    assert "NL:" not in notice.body


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "is now: declined."),
        ("nl", "is nu: afgewezen."),
        ("fr", "est désormais : déclinée."),
        ("de", "ist jetzt: abgelehnt."),
    ],
)
def test_an_offer_declined_is_told_with_its_reason_in_each_language(language: str, words: str) -> None:
    notice = compose(offer_status("declined", reason="too far to arrive in time"), (language,), "NL", LINK)
    paragraph = notice.body.split("\n\n")[0]
    assert words in paragraph
    assert WORDING[language].reason.format(reason="too far to arrive in time") in paragraph
    assert "Veiligheidsregio Limburg-Noord" in notice.subject


def test_an_accepted_offer_says_how_much_of_it_was_accepted() -> None:
    notice = compose(offer_status("accepted", accepted=1), ("en",), "NL", LINK)
    assert notice.subject == (
        "[crisislink] Offer accepted: Water-rescue team (swimmers, divers, boats), "
        "from Veiligheidsregio Limburg-Noord"
    )
    assert "Accepted: 1 of 2." in notice.body
    assert "Reason" not in notice.body  # no reason given, no empty line for it


def test_a_request_status_changed_names_the_status_in_words() -> None:
    facts = NoticeFacts(
        step=Step.REQUEST_STATUS,
        request_id=REQUEST_ID,
        requester=LIEGE,
        capability="water.rescue",
        quantity=2,
        status="partially_covered",
        accepted=1,
    )
    notice = compose(facts, ("de", "en"), "LU", LINK)
    assert "Das Hilfeleistungsersuchen von Provinz Lüttich über 2 x Water-rescue team" in notice.body
    assert "ist jetzt: teilweise gedeckt." in notice.body
    assert "is now: partially covered." in notice.body
    assert "Angenommen: 1 von 2." in notice.body


def test_an_offer_made_says_from_when_the_teams_are_available() -> None:
    facts = NoticeFacts(
        step=Step.OFFER_MADE,
        request_id=REQUEST_ID,
        requester=LIEGE,
        offerer=VR23,
        capability="water.rescue",
        quantity=2,
        available_from=datetime(2021, 7, 14, 11, 30, tzinfo=UTC),
    )
    notice = compose(facts, ("fr", "en"), "BE", LINK)
    assert notice.subject.startswith("[crisislink] Offre d'assistance : 2 x Water-rescue team")
    assert "disponible à partir du 2021-07-14 11:30 UTC" in notice.body
    assert "available from 2021-07-14 11:30 UTC" in notice.body


def test_an_unknown_capability_or_status_is_shown_as_it_is_rather_than_dropped() -> None:
    facts = NoticeFacts(
        step=Step.REQUEST_STATUS,
        request_id=REQUEST_ID,
        requester=LIEGE,
        capability="ucpm.unknown",
        quantity=1,
        status="on_hold",
    )
    notice = compose(facts, ("en",), "BE", LINK)
    assert "1 x ucpm.unknown is now: on hold." in notice.body
    assert notice.body.rstrip().endswith(LINK)


def test_a_long_subject_is_cut_to_what_a_mail_header_keeps() -> None:
    long_name = PartnerName("Veiligheidsregio " + "Limburg-Noord " * 40)
    facts = NoticeFacts(
        step=Step.OFFER_MADE,
        request_id=REQUEST_ID,
        requester=LIEGE,
        offerer=long_name,
        capability="water.rescue",
        quantity=2,
        available_from=RESPOND_BY,
    )
    notice = compose(facts, ("en",), "BE", LINK)
    assert len(notice.subject) == MAX_SUBJECT
    assert notice.subject.endswith("…")


def test_every_language_has_words_for_every_step_and_status() -> None:
    english = WORDING["en"]
    # A draft is never told to anyone: it has not been sent.
    assert set(english.request_status) == {status.value for status in RequestStatus} - {"draft"}
    assert set(english.offer_status) == {status.value for status in OfferStatus}
    for language, wording in WORDING.items():
        assert set(wording.subjects) == set(Step), language
        assert set(wording.sentences) == set(Step), language
        assert set(wording.request_status) == set(english.request_status), language
        assert set(wording.offer_status) == set(english.offer_status), language
