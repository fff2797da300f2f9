"""A Mastodon account that posts each warning once per language (POST /api/v1/statuses).

A post is the headline, a short instruction and the link to the warning's public page in that language,
trimmed to the server's limit as Mastodon counts it. Every post carries `Idempotency-Key: <key>-<language>`:
Mastodon answers a repeated key with the status it already created, so when the second language fails
after the first was posted, the retry re-sends the first with the same key and nothing is posted twice.
Mastodon keeps those keys for one hour only: the worker's back-off must retry well within that hour, or a
late retry could post a language again.
"""

from __future__ import annotations

import re
from types import TracebackType
from typing import Final, Self

import httpx

from crisislink.adapters.channels import http_delivery as http
from crisislink.adapters.channels.base import (
    ACTUAL,
    DeliveryError,
    Publication,
    PublicText,
    Receipt,
    refuse_false_alarm,
)
from crisislink.adapters.channels.wording import labelled, primary

URL_LENGTH: Final = 23  # Mastodon counts every http(s) link as 23 characters, whatever its length
VISIBILITIES: Final = frozenset({"public", "unlisted", "private", "direct"})
MIN_CHAR_LIMIT: Final = 100  # room for a link, a label and a readable headline
MIN_BODY: Final = 20  # below this, an instruction cut to a stub says less than none
SEPARATOR: Final = "\n\n"
ELLIPSIS: Final = "…"
_URL: Final = re.compile(r"https?://\S+")


class Mastodon:
    """Posts to the account of `access_token` on the server at `base_url`."""

    def __init__(
        self,
        name: str,
        base_url: str,
        access_token: str,
        *,
        visibility: str = "public",
        char_limit: int = 500,
        is_test_channel: bool = False,
        timeout: float = 10.0,
        verify: http.Verify = True,
    ) -> None:
        what = f"channel {name}"
        if visibility not in VISIBILITIES:
            raise ValueError(
                f"{what}: visibility {visibility!r} is not one of {', '.join(sorted(VISIBILITIES))}"
            )
        if char_limit < MIN_CHAR_LIMIT:
            raise ValueError(f"{what}: a limit of {char_limit} characters leaves no room for a warning")
        if not access_token.strip():
            raise ValueError(f"{what}: the access token is empty")
        self.name = name
        self.is_test_channel = is_test_channel
        self.visibility = visibility
        self.char_limit = char_limit
        self.timeout = timeout
        base = http.endpoint(base_url, what)
        self.statuses_url = str(base).rstrip("/") + "/api/v1/statuses"
        verified = http.tls_verify(verify, base, what)
        self._client = http.client(timeout, verified, {"Authorization": f"Bearer {access_token}"})

    def __repr__(self) -> str:  # never the token
        return f"Mastodon({self.name!r}, {self.statuses_url!r}, is_test_channel={self.is_test_channel})"

    def deliver(self, publication: Publication, *, idempotency_key: str) -> Receipt:
        refuse_false_alarm(self, publication)  # first, before any network access
        http.check_key(idempotency_key, self.name)
        if not publication.texts:
            raise DeliveryError(
                f"{self.name}: the message {publication.identifier} has no text to post", retryable=False
            )
        posted: list[tuple[str, str]] = []
        for text in publication.texts:
            try:
                posted.append(
                    (text.language, self._post(publication, text, f"{idempotency_key}-{text.language}"))
                )
            except DeliveryError as error:
                raise _after(posted, error) from error
        return Receipt(channel=self.name, detail=" ".join(url for _, url in posted), items=len(posted))

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def _post(self, publication: Publication, text: PublicText, key: str) -> str:
        http.check_key(key, self.name)
        payload = {
            "status": status_text(publication, text, char_limit=self.char_limit),
            "visibility": self.visibility,
            "language": primary(text.language),  # Mastodon takes ISO 639 codes, not nl-BE
        }
        try:
            response = self._client.post(self.statuses_url, json=payload, headers={"Idempotency-Key": key})
        except httpx.TransportError as error:
            raise http.transport_failure(self.name, "the Mastodon server", error, self.timeout) from error
        if not response.is_success:
            raise http.answer_failure(self.name, "the Mastodon server", response)
        found = http.json_object(response)
        where = found.get("url") or found.get("uri") or found.get("id")
        return str(where) if where else f"(posted, HTTP {response.status_code})"


def _after(posted: list[tuple[str, str]], error: DeliveryError) -> DeliveryError:
    """The error of a later language, saying what was already posted (a retry will not post it again)."""
    if not posted:
        return error
    done = ", ".join(f"{language} ({url})" for language, url in posted)
    return DeliveryError(
        f"posted {done}; then {error.reason}", retryable=error.retryable, retry_after=error.retry_after
    )


# ---------------------------------------------------------------------------------------------------------
# The text of a post.


def status_text(publication: Publication, text: PublicText, *, char_limit: int) -> str:
    """Headline (labelled for an Update or a Cancel), instruction, link; within `char_limit` as counted by
    Mastodon. A non-Actual message, which only a test channel carries, starts with its status in capitals."""
    head = labelled(text.headline, publication.msg_type, text.language)
    if publication.status != ACTUAL:
        head = f"{publication.status.upper()}: {head}"
    body = "" if publication.msg_type == "Cancel" else (text.instruction or text.description)
    room = char_limit - URL_LENGTH - len(SEPARATOR)
    head = shorten(head, room)
    room -= measured(head) + len(SEPARATOR)
    body = shorten(body, room) if room >= MIN_BODY else ""
    return SEPARATOR.join(part for part in (head, body, text.page_url) if part)


def measured(text: str) -> int:
    """The length Mastodon gives `text`, or more, never less.

    Code points, which are never fewer than the grapheme clusters Mastodon counts. A link inside free text
    counts 23 like Mastodon, or its own length when longer, in case Mastodon does not see it as a link.
    """
    return len(_URL.sub(lambda link: "x" * max(URL_LENGTH, len(link.group())), text))


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut after a whole word with an ellipsis when it measures more than `limit`."""
    text = " ".join(text.split())
    if measured(text) <= limit:
        return text
    words = text.split(" ")
    kept = _longest_prefix(words, " ", limit)
    if kept:
        return " ".join(words[:kept]).rstrip(".,;:") + ELLIPSIS
    kept = _longest_prefix(list(text), "", limit)  # a single word longer than the room: cut inside it
    return text[:kept] + ELLIPSIS if kept else ""


def _longest_prefix(pieces: list[str], joiner: str, limit: int) -> int:
    """How many leading `pieces` fit in `limit` with an ellipsis; the measure grows with the count."""
    low, high = 0, len(pieces)
    while low < high:
        middle = (low + high + 1) // 2
        if measured(joiner.join(pieces[:middle]) + ELLIPSIS) <= limit:
            low = middle
        else:
            high = middle - 1
    return low
