"""The channels that carry a warning to the public, against a real HTTP server on 127.0.0.1 (no mocks).

Publications are built from real CAP messages (a signed one from the capvalidator test set, Environment
Canada's bilingual update); a status other than Actual is written into the CAP bytes themselves, as the
emitter would. The Mastodon server is emulated down to its idempotency: a repeated key gets the status it
already created, and nothing new is posted.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from crisislink.adapters.channels.atom import CAP_MEDIA_TYPE, FeedEntry, FeedText, atom_feed
from crisislink.adapters.channels.atom_validation import validate_atom
from crisislink.adapters.channels.base import (
    DeliveryError,
    NotForPublic,
    Publication,
    PublicText,
    refuse_false_alarm,
)
from crisislink.adapters.channels.gateway import CapGateway
from crisislink.adapters.channels.mastodon import URL_LENGTH, Mastodon, measured, status_text
from crisislink.adapters.standards import cap
from tests.support_http import Recorded, Reply, ScriptedServer, closed_port_url, serving

FIXTURES = Path(__file__).parents[1] / "fixtures" / "standards" / "cap"
SIGNED = "signed/capvalidator-sc/valid.xml"  # one info, en, Alert
CANADA = "examples/other/canada.cap"  # two infos, en-CA and fr-CA, Update
NOT_ACTUAL = ("Exercise", "Test", "Draft", "System")
KEY = "delivery-0190b3c4-7e1a-7cc2-9d7e-2f1a6c3b5e01"
ATOM_NS = {"atom": "http://www.w3.org/2005/Atom", "cap": "urn:oasis:names:tc:emergency:cap:1.2"}


def publication(name: str = SIGNED, *, status: str = "Actual", msg_type: str | None = None) -> Publication:
    """A publication of the real CAP message `name`, its status (and msgType) written into its bytes."""
    data = (FIXTURES / name).read_bytes()
    data = _rewrite(data, "status", "Actual", status)
    alert = cap.parse(data).alert
    if msg_type is not None:
        data = _rewrite(data, "msgType", alert.msg_type, msg_type)
        alert = cap.parse(data).alert
    texts = tuple(
        PublicText(
            language=info.language or "en",
            headline=info.headline or "",
            description=info.description or "",
            instruction=info.instruction or "",
            page_url=f"https://warnings.example/{info.language or 'en'}/{alert.identifier}",
        )
        for info in alert.infos
    )
    return Publication(
        uuid.uuid4(),
        alert.identifier,
        alert.sender,
        alert.sent,
        alert.msg_type,
        alert.status,
        None,
        data,
        texts,
    )


def _rewrite(data: bytes, element: str, old: str, new: str) -> bytes:
    before, after = f"<{element}>{old}</{element}>".encode(), f"<{element}>{new}</{element}>".encode()
    assert data.count(before) == 1
    return data.replace(before, after)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with serving() as running:
        yield running


class MastodonEmulator:
    """POST /api/v1/statuses as Mastodon answers it, Idempotency-Key included; failures scripted per language."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.posts: list[Recorded] = []
        self.failures: dict[str, list[Reply]] = {}
        self._by_key: dict[str, Reply] = {}

    def __call__(self, request: Recorded) -> Reply:
        key = request.header("Idempotency-Key") or ""
        if key in self._by_key:  # Mastodon: the status already created for this key, nothing new
            return self._by_key[key]
        waiting = self.failures.get(request.json()["language"], [])
        if waiting:
            return waiting.pop(0)
        self.posts.append(request)
        number = len(self.posts)
        reply = Reply.json({"id": str(number), "url": f"{self.base_url}/@crisis/{number}"})
        self._by_key[key] = reply
        return reply


@pytest.fixture
def mastodon_server(server: ScriptedServer) -> MastodonEmulator:
    emulator = MastodonEmulator(server.url)
    server.respond_with(emulator)
    return emulator


def gateway(url: str, **options: Any) -> CapGateway:
    return CapGateway("BE-Alert", url + "/cap", **options)


def mastodon(url: str, **options: Any) -> Mastodon:
    return Mastodon("Mastodon NCCN", url, "secret-token", **options)


CHANNELS: dict[str, Callable[..., CapGateway | Mastodon]] = {"gateway": gateway, "mastodon": mastodon}


# ---------------------------------------------------------------------------------------------------------
# Never a false alarm, on every channel.


@pytest.mark.parametrize("status", NOT_ACTUAL)
@pytest.mark.parametrize("kind", CHANNELS)
def test_a_public_channel_refuses_every_status_but_actual_before_any_request(
    server: ScriptedServer, kind: str, status: str
) -> None:
    with (
        CHANNELS[kind](server.url) as channel,
        pytest.raises(NotForPublic, match=f"status {status}") as refused,
    ):
        channel.deliver(publication(CANADA, status=status), idempotency_key=KEY)
    assert not refused.value.retryable
    assert server.requests == []


@pytest.mark.parametrize("status", NOT_ACTUAL)
@pytest.mark.parametrize("kind", CHANNELS)
def test_a_test_channel_carries_them(server: ScriptedServer, kind: str, status: str) -> None:
    server.respond_with(MastodonEmulator(server.url) if kind == "mastodon" else lambda _: Reply(202))
    with CHANNELS[kind](server.url, is_test_channel=True) as channel:
        receipt = channel.deliver(publication(CANADA, status=status), idempotency_key=KEY)
    assert receipt.items == (2 if kind == "mastodon" else 1)
    assert server.requests
    if kind == "mastodon":  # whoever reads a test account sees at once that it is not real
        assert all(request.json()["status"].startswith(f"{status.upper()}: ") for request in server.requests)


@pytest.mark.parametrize("kind", CHANNELS)
def test_the_guard_holds_before_the_network_even_with_nothing_listening(kind: str) -> None:
    with CHANNELS[kind](closed_port_url()) as channel, pytest.raises(NotForPublic):
        channel.deliver(publication(status="Exercise"), idempotency_key=KEY)


@pytest.mark.parametrize("kind", CHANNELS)
def test_a_delivery_that_says_actual_for_an_exercise_message_is_refused(
    server: ScriptedServer, kind: str
) -> None:
    exercise = publication(status="Exercise")
    mislabelled = Publication(**{**exercise.__dict__, "status": "Actual"})
    with CHANNELS[kind](server.url) as channel, pytest.raises(NotForPublic, match="says Exercise"):
        channel.deliver(mislabelled, idempotency_key=KEY)
    assert server.requests == []


def test_refuse_false_alarm_is_the_shared_guard() -> None:
    with gateway(closed_port_url()) as public, gateway(closed_port_url(), is_test_channel=True) as test:
        refuse_false_alarm(public, publication())
        refuse_false_alarm(test, publication(status="Test"))
        with pytest.raises(NotForPublic):
            refuse_false_alarm(public, publication(status="Test"))


def test_a_publication_refuses_what_is_not_cap() -> None:
    good = publication()
    with pytest.raises(ValueError, match="not a CAP status"):
        Publication(**{**good.__dict__, "status": "actual"})
    with pytest.raises(ValueError, match="not for the public"):
        Publication(**{**good.__dict__, "msg_type": "Ack"})
    with pytest.raises(ValueError, match="time zone"):
        Publication(**{**good.__dict__, "sent": datetime(2021, 7, 14, 15)})  # noqa: DTZ001 - the point


# ---------------------------------------------------------------------------------------------------------
# CAP gateway.


def test_the_gateway_posts_the_signed_bytes_with_key_and_basic_auth(server: ScriptedServer) -> None:
    server.script(Reply(201, headers={"Location": "/cap/messages/BE-2021-0001"}))
    sent = publication()
    with gateway(server.url, username="nccn", password="pa:ss") as channel:
        receipt = channel.deliver(sent, idempotency_key=KEY)
    assert (receipt.channel, receipt.detail, receipt.items) == ("BE-Alert", "/cap/messages/BE-2021-0001", 1)
    (request,) = server.requests
    assert (request.method, request.path, request.body) == ("POST", "/cap", sent.cap_xml)
    assert request.header("Content-Type") == "application/cap+xml; charset=utf-8"
    assert request.header("Idempotency-Key") == KEY
    assert request.header("Authorization") == "Basic " + base64.b64encode(b"nccn:pa:ss").decode()


def test_the_gateway_sends_a_bearer_token_and_reads_a_reference_from_json(server: ScriptedServer) -> None:
    server.script(Reply.json({"reference": "NL-ALERT-42"}, status=202))
    with gateway(server.url, token="t0k3n") as channel:
        receipt = channel.deliver(publication(), idempotency_key=KEY)
    assert receipt.detail == "NL-ALERT-42"
    assert server.requests[0].header("Authorization") == "Bearer t0k3n"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(503, "down"), "answered 503 Service Unavailable; will retry"),
        (Reply(500), "answered 500"),
        (Reply(408), "answered 408"),
        (Reply(425), "answered 425"),
        (Reply(drop=True), "closed the connection without a complete answer"),
    ],
)
def test_answers_worth_retrying(server: ScriptedServer, reply: Reply, expected: str) -> None:
    server.script(reply)
    with gateway(server.url) as channel, pytest.raises(DeliveryError, match=expected) as failed:
        channel.deliver(publication(), idempotency_key=KEY)
    assert failed.value.retryable
    assert failed.value.retry_after is None


def test_too_many_requests_says_when_to_come_back(server: ScriptedServer) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    server.script(Reply(429, headers={"Retry-After": "30"}), Reply(503, headers={"Retry-After": later}))
    with gateway(server.url) as channel:
        with pytest.raises(DeliveryError) as seconds:
            channel.deliver(publication(), idempotency_key=KEY)
        with pytest.raises(DeliveryError) as date:
            channel.deliver(publication(), idempotency_key=KEY)
    assert seconds.value.retryable
    assert seconds.value.retry_after == 30.0
    assert "in 30 s, as it asked" in seconds.value.reason
    assert date.value.retry_after is not None
    assert 100 < date.value.retry_after <= 120


def test_a_gateway_that_does_not_answer_in_time(server: ScriptedServer) -> None:
    server.script(Reply(200, delay=3))
    with gateway(server.url, timeout=0.3) as channel, pytest.raises(DeliveryError) as failed:
        channel.deliver(publication(), idempotency_key=KEY)
    assert failed.value.retryable
    assert "did not answer within 0.3 s; will retry" in failed.value.reason


def test_a_gateway_that_refuses_connections() -> None:
    with (
        gateway(closed_port_url()) as channel,
        pytest.raises(DeliveryError, match="could not connect") as failed,
    ):
        channel.deliver(publication(), idempotency_key=KEY)
    assert failed.value.retryable


def test_a_refused_message_is_not_retried_and_the_reason_quotes_the_gateway(server: ScriptedServer) -> None:
    body = "invalid CAP: " + "x" * 400
    server.script(Reply(400, body), Reply(401, "who are you"), Reply(308, headers={"Location": "/v2/cap"}))
    with gateway(server.url) as channel:
        with pytest.raises(DeliveryError) as bad:
            channel.deliver(publication(), idempotency_key=KEY)
        with pytest.raises(DeliveryError, match="check the channel's credentials") as unauthorised:
            channel.deliver(publication(), idempotency_key=KEY)
        with pytest.raises(DeliveryError, match="to /v2/cap; configure the new address") as moved:
            channel.deliver(publication(), idempotency_key=KEY)
    assert not bad.value.retryable
    assert not unauthorised.value.retryable
    assert not moved.value.retryable
    assert bad.value.reason == (
        f"BE-Alert: the gateway refused the message (400): {body[:200]}; fix the configuration or the message"
    )


def test_the_gateway_recovers_and_every_attempt_carries_the_same_key(server: ScriptedServer) -> None:
    server.fail_then_recover(2, Reply(503), Reply(200, "accepted as BE-7"))
    with gateway(server.url) as channel:
        for _ in range(2):
            with pytest.raises(DeliveryError):
                channel.deliver(publication(), idempotency_key=KEY)
        receipt = channel.deliver(publication(), idempotency_key=KEY)
    assert receipt.detail == "accepted as BE-7"
    assert [request.header("Idempotency-Key") for request in server.requests] == [KEY] * 3


def test_a_key_a_header_cannot_carry_is_refused(server: ScriptedServer) -> None:
    with gateway(server.url) as channel, pytest.raises(DeliveryError, match="idempotency key") as failed:
        channel.deliver(publication(), idempotency_key="two words")
    assert not failed.value.retryable
    assert server.requests == []


@pytest.mark.parametrize(
    ("url", "options", "expected"),
    [
        ("http://gateway.example/cap", {}, "must use https://"),
        ("ftp://127.0.0.1/cap", {}, "must use https://"),
        ("https://user:pw@gateway.example/cap", {}, "not in the URL"),
        ("https://gateway.example/cap", {"username": "nccn"}, "both a username and a password"),
        ("https://gateway.example/cap", {"username": "a", "password": "b", "token": "c"}, "not both"),
        ("https://gateway.example/cap", {"verify": False}, "only for a loopback address"),
        ("https://gateway.example/cap", {"verify": "/nonexistent/ca.pem"}, "cannot be read"),
    ],
)
def test_an_unsafe_gateway_configuration_is_refused_at_construction(
    url: str, options: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ValueError, match=expected):
        CapGateway("BE-Alert", url, **options)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/cap", "http://localhost/cap", "http://[::1]/cap"])
def test_plain_http_is_allowed_to_loopback_only(url: str) -> None:
    CapGateway("test gateway", url).close()


def test_https_with_the_gateway_certificate_as_trust_anchor(tmp_path: Path) -> None:
    with serving(tls_directory=tmp_path) as tls:
        tls.script(Reply(200, "ok"))
        assert tls.ca_file is not None
        with CapGateway("BE-Alert", tls.url + "/cap", verify=tls.ca_file) as trusting:
            assert trusting.deliver(publication(), idempotency_key=KEY).detail == "ok"
        with CapGateway("BE-Alert", tls.url + "/cap") as default, pytest.raises(DeliveryError) as untrusted:
            default.deliver(publication(), idempotency_key=KEY)
    assert untrusted.value.retryable
    assert "could not connect" in untrusted.value.reason
    assert len(tls.requests) == 1  # the untrusted server never saw the message


# ---------------------------------------------------------------------------------------------------------
# Mastodon.


def test_one_post_per_language(server: ScriptedServer, mastodon_server: MastodonEmulator) -> None:
    sent = publication(CANADA)
    with mastodon(server.url, visibility="unlisted") as channel:
        receipt = channel.deliver(sent, idempotency_key=KEY)
    assert receipt.items == 2
    assert receipt.detail == f"{server.url}/@crisis/1 {server.url}/@crisis/2"
    english, french = (request.json() for request in mastodon_server.posts)
    assert (english["language"], french["language"]) == ("en", "fr")
    assert english["visibility"] == "unlisted"
    assert english["status"] == (
        "Update: severe thunderstorm watch\n\n"
        "Monitor local conditions and take appropriate precautions\n\n"
        f"https://warnings.example/en-CA/{sent.identifier}"
    )
    assert french["status"].startswith("Mise à jour: veille d'orages violents\n\nSurveiller")
    for request in server.requests:
        assert (request.method, request.path) == ("POST", "/api/v1/statuses")
        assert request.header("Authorization") == "Bearer secret-token"
    assert [request.header("Idempotency-Key") for request in server.requests] == [
        f"{KEY}-en-CA",
        f"{KEY}-fr-CA",
    ]


def test_a_cancel_says_so_and_links_the_page(
    server: ScriptedServer, mastodon_server: MastodonEmulator
) -> None:
    sent = publication(CANADA, msg_type="Cancel")
    with mastodon(server.url) as channel:
        channel.deliver(sent, idempotency_key=KEY)
    english, french = (request.json()["status"] for request in mastodon_server.posts)
    assert (
        english == f"Cancelled: severe thunderstorm watch\n\nhttps://warnings.example/en-CA/{sent.identifier}"
    )
    assert french.startswith("Annulé: veille d'orages violents\n\nhttps://")


def test_a_retry_after_the_second_language_failed_never_posts_the_first_again(
    server: ScriptedServer, mastodon_server: MastodonEmulator
) -> None:
    mastodon_server.failures["fr"] = [Reply(503)]
    with mastodon(server.url) as channel:
        with pytest.raises(DeliveryError) as failed:
            channel.deliver(publication(CANADA), idempotency_key=KEY)
        assert failed.value.retryable
        assert failed.value.reason.startswith(f"posted en-CA ({server.url}/@crisis/1); then Mastodon NCCN:")
        assert len(mastodon_server.posts) == 1
        receipt = channel.deliver(publication(CANADA), idempotency_key=KEY)
    assert len(mastodon_server.posts) == 2  # English once, French once
    assert receipt.detail == f"{server.url}/@crisis/1 {server.url}/@crisis/2"
    keys = [request.header("Idempotency-Key") for request in server.requests]
    assert keys == [f"{KEY}-en-CA", f"{KEY}-fr-CA", f"{KEY}-en-CA", f"{KEY}-fr-CA"]


def test_a_long_warning_is_trimmed_to_the_limit_as_mastodon_counts(
    server: ScriptedServer, mastodon_server: MastodonEmulator
) -> None:
    long_url = "https://warnings.example/" + "pages/" * 20 + "geul"
    instruction = "Ga naar een hoger gelegen plek. " * 40
    text = PublicText("nl", "Overstroming Geul en Maas", "", instruction, long_url)
    sent = Publication(**{**publication().__dict__, "texts": (text,)})
    with mastodon(server.url, char_limit=200) as channel:
        channel.deliver(sent, idempotency_key=KEY)
    posted = mastodon_server.posts[0].json()["status"]
    head, body, link = posted.split("\n\n")
    assert (head, link) == ("Overstroming Geul en Maas", long_url)  # the link is never cut
    assert body.startswith("Ga naar een hoger gelegen plek.")
    assert body.endswith("…")
    assert instruction.startswith(body[:-1] + " ")  # cut after a whole word
    assert len(posted) > 200  # in characters; Mastodon counts the link as 23
    assert measured(posted.replace(long_url, "")) + URL_LENGTH <= 200


def test_measured_counts_links_as_mastodon_does_or_more() -> None:
    assert measured("https://a.example/" + "x" * 100) == 118
    assert measured("see http://a.be now") == len("see  now") + URL_LENGTH
    sent = publication(CANADA)
    assert all(
        measured(status_text(sent, text, char_limit=100).rsplit("\n\n", 1)[0]) + 2 + URL_LENGTH <= 100
        for text in sent.texts
    )


def test_mastodon_rate_limit_and_refusal(server: ScriptedServer) -> None:
    reset = (datetime.now(UTC) + timedelta(seconds=60)).isoformat()
    server.script(
        Reply(429, headers={"X-RateLimit-Reset": reset}), Reply.json({"error": "Text too long"}, 422)
    )
    with mastodon(server.url) as channel:
        with pytest.raises(DeliveryError) as limited:
            channel.deliver(publication(), idempotency_key=KEY)
        with pytest.raises(DeliveryError, match=r"refused the message \(422\): .*Text too long") as refused:
            channel.deliver(publication(), idempotency_key=KEY)
    assert limited.value.retryable
    assert limited.value.retry_after is not None
    assert 40 < limited.value.retry_after <= 60
    assert not refused.value.retryable


def test_mastodon_timeouts_and_refused_connections_are_retried(server: ScriptedServer) -> None:
    server.script(Reply(200, delay=3))
    with (
        mastodon(server.url, timeout=0.3) as slow,
        pytest.raises(DeliveryError, match="did not answer") as late,
    ):
        slow.deliver(publication(), idempotency_key=KEY)
    with (
        mastodon(closed_port_url()) as gone,
        pytest.raises(DeliveryError, match="could not connect") as refused,
    ):
        gone.deliver(publication(), idempotency_key=KEY)
    assert late.value.retryable
    assert refused.value.retryable


@pytest.mark.parametrize(
    ("url", "options", "expected"),
    [
        ("https://social.example", {"visibility": "everyone"}, "visibility"),
        ("https://social.example", {"char_limit": 50}, "no room"),
        ("http://social.example", {}, "must use https://"),
    ],
)
def test_an_unusable_mastodon_configuration_is_refused(
    url: str, options: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ValueError, match=expected):
        Mastodon("m", url, "t", **options)


# ---------------------------------------------------------------------------------------------------------
# Atom.


SENT = datetime(2021, 7, 14, 15, 0, tzinfo=UTC)


def feed_entry(
    number: int, *, status: str = "Actual", languages: tuple[str, ...] = ("nl", "fr-BE")
) -> FeedEntry:
    identifier = f"2.49.0.1.528.0.ZL.{number}"
    texts = tuple(
        FeedText(
            language,
            f"Overstroming {number} ({language})",
            "Ga naar hoger gelegen plek.",
            f"https://w.example/{language}/{number}",
        )
        for language in languages
    )
    return FeedEntry(
        warning_id=uuid.uuid4(),
        identifier=identifier,
        sender="vrzl@crisislink.example",
        sent=SENT + timedelta(hours=number),
        msg_type="Alert",
        status=status,
        cap_url=f"https://w.example/cap/{identifier}.xml",
        texts=texts,
        area_description="Valkenburg aan de Geul; Eijsden-Margraten",
        expires=SENT + timedelta(days=1),
        severity="Severe",
        urgency="Immediate",
        certainty="Likely",
        sender_name="Veiligheidsregio Zuid-Limburg",
    )


def feed(entries: list[FeedEntry], language: str | None = None) -> bytes:
    return atom_feed(
        entries,
        feed_id="urn:uuid:6f1f3c1e-5b8a-4a57-9a53-0f4e5d1c2b3a",
        title="Public warnings",
        self_url="https://w.example/feeds/warnings.atom",
        updated=SENT + timedelta(days=1),
        language=language,
        author="crisislink node NL",
    )


@pytest.mark.parametrize("count", [0, 1, 5])
@pytest.mark.parametrize("language", [None, "nl", "fr", "de"])
def test_the_feed_validates_against_the_atom_grammar(count: int, language: str | None) -> None:
    assert validate_atom(feed([feed_entry(n) for n in range(count)], language)) == []


def test_a_feed_reader_finds_what_it_needs_in_every_entry() -> None:
    entries = [feed_entry(1), feed_entry(2), feed_entry(3, languages=("de",))]
    root = etree.fromstring(feed(entries))
    read = root.findall("atom:entry", ATOM_NS)
    assert [entry.findtext("cap:identifier", namespaces=ATOM_NS) for entry in read] == [
        "2.49.0.1.528.0.ZL.3",
        "2.49.0.1.528.0.ZL.2",
        "2.49.0.1.528.0.ZL.1",
    ]  # newest first
    for entry, source in zip(read, reversed(entries), strict=True):
        assert entry.findtext("atom:id", namespaces=ATOM_NS)
        assert entry.findtext("atom:title", namespaces=ATOM_NS) == source.texts[0].headline
        assert entry.findtext("atom:updated", namespaces=ATOM_NS) == source.sent.strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        cap_links = entry.xpath(
            "atom:link[@rel='alternate'][@type=$t]/@href", namespaces=ATOM_NS, t=CAP_MEDIA_TYPE
        )
        assert cap_links == [source.cap_url]
        pages = entry.xpath("atom:link[@type='text/html']/@hreflang", namespaces=ATOM_NS)
        assert pages == [text.language for text in source.texts]
    assert len({entry.findtext("atom:id", namespaces=ATOM_NS) for entry in read}) == 3


def test_a_language_feed_carries_only_messages_in_that_language() -> None:
    entries = [feed_entry(1), feed_entry(2, languages=("de",)), feed_entry(3, languages=("nl",))]
    french = etree.fromstring(feed(entries, "fr"))
    assert french.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    (only,) = french.findall("atom:entry", ATOM_NS)
    assert only.findtext("atom:title", namespaces=ATOM_NS) == "Overstroming 1 (fr-BE)"  # fr takes fr-BE
    assert only.xpath("atom:link[@type='text/html']/@hreflang", namespaces=ATOM_NS) == ["fr-BE"]
    assert len(etree.fromstring(feed(entries, "nl")).findall("atom:entry", ATOM_NS)) == 2
    assert etree.fromstring(feed(entries, "lb")).findall("atom:entry", ATOM_NS) == []


@pytest.mark.parametrize("status", NOT_ACTUAL)
def test_a_message_that_is_not_actual_never_appears(status: str) -> None:
    for language in (None, "nl"):
        data = feed([feed_entry(1), feed_entry(2, status=status)], language)
        assert b"ZL.2" not in data
        assert b"ZL.1" in data
        assert validate_atom(data) == []


def test_an_update_is_labelled_and_a_control_character_does_not_break_the_feed() -> None:
    entry = feed_entry(1)
    update = FeedEntry(**{**entry.__dict__, "msg_type": "Update", "area_description": "Geul\x07 valley"})
    data = feed([update], "fr")
    assert validate_atom(data) == []
    assert etree.fromstring(data).findtext("atom:entry/atom:title", namespaces=ATOM_NS) == (
        "Mise à jour: Overstroming 1 (fr-BE)"
    )


def test_the_validator_reads_real_cap_feeds_and_names_what_is_wrong() -> None:
    for name in ("meteoalarm-legacy-atom-france.xml", "weather.atom"):
        assert validate_atom((FIXTURES / "feeds" / name).read_bytes()) == [], name
    # Google's amber.atom fits the grammar but has no author anywhere, which RFC 4287 requires.
    assert validate_atom((FIXTURES / "feeds" / "amber.atom").read_bytes()) == [
        "line 1: An atom:feed must have an atom:author unless all of its atom:entry children have an atom:author.",
        "line 5: An atom:entry must have an atom:author if its feed does not.",
    ]
    broken = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><updated>2021-07-14T15:00:00Z</updated>
        <entry><id>urn:x</id><title>t</title><updated>2021-07-14T15:00:00Z</updated></entry></feed>"""
    problems = validate_atom(broken)
    assert any("line 1" in problem for problem in problems)  # RELAX NG: the feed has no atom:id
    assert any("must have at least one atom:link" in problem for problem in problems)  # the Schematron rules
    assert any("must have an atom:author" in problem for problem in problems)
    assert validate_atom(b"<feed") != []
    assert validate_atom(b'<!DOCTYPE feed [<!ENTITY x "y">]><feed/>') != []


def test_the_schema_ships_inside_the_package() -> None:
    schema = resources.files("crisislink.adapters.channels").joinpath("schemas/atom_rfc4287.rng")
    assert b"http://relaxng.org/ns/structure/1.0" in schema.read_bytes()
