"""Signing in and out, and telling who is calling (session cookie or personal API token).

Look-ups are cached for a few seconds per process: a hot read path must not pay two queries for
identity on every request. Revocation and sign-out clear this process's cache at once; other worker
processes see it within `CACHE_SECONDS`.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from crisislink.adapters.auth import sessions
from crisislink.adapters.db.queries import directory
from crisislink.adapters.db.uow import AuditContext
from crisislink.app.bootstrap import Platform
from crisislink.domains.sharing.handlers import TOKEN_PREFIX, hash_token_secret
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import AuthenticationFailed, TooManyAttempts
from crisislink.kernel.messages import SYSTEM, Actor

CACHE_SECONDS = 5.0
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER_FROM_CLIENT = 5
MAX_FAILURES_PER_USER = 25
MAX_FAILURES_PER_CLIENT = 20


@dataclass(frozen=True)
class Caller:
    identity: sessions.Identity
    via_token: bool

    @property
    def actor(self) -> Actor:
        i = self.identity
        return Actor(user_id=i.user_id, partner_id=i.partner_id, roles=i.roles)

    @property
    def viewer(self) -> Viewer:
        return Viewer(user_id=self.identity.user_id, partner_id=self.identity.partner_id)

    def has_role(self, role: str) -> bool:
        return role in self.identity.roles


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf_token: str
    caller: Caller


class AuthService:
    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self._cache: dict[str, tuple[float, Caller | None]] = {}
        self._lock = threading.Lock()

    def sign_in(self, username: str, password: str, client: str) -> NewSession:
        name = username.strip().lower()
        self._check_throttle(name, client)
        user = self._verify(name, password)
        succeeded = user is not None
        now = self._platform.clock.now()
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        with self._platform.uow() as uow:
            actor = Actor(user_id=user, partner_id=None, roles=frozenset())
            uow.audit_as(
                AuditContext(
                    actor=actor,
                    command="SignIn" if succeeded else "FailedSignIn",
                    details={"username": name, "client": client},
                )
            )
            sessions.record_attempt(uow.connection, name, client, now, succeeded)
            sessions.prune_attempts(uow.connection, now - THROTTLE_WINDOW * 4)
            if user is not None:
                lifetime = timedelta(hours=self._platform.settings.session_hours)
                sessions.open_session(uow.connection, user, token, csrf, now, lifetime)
                uow.touched(f"session-of:{user}")
            uow.commit()
        if user is None:
            raise AuthenticationFailed("unknown user name or wrong password")
        caller = self.from_session(token)
        assert caller is not None
        return NewSession(token, csrf, caller)

    def _verify(self, username: str, password: str) -> uuid.UUID | None:
        user = directory.credentials_of(self._platform.engine, username)
        if user is None or not user.active:
            self._platform.hasher.hash(password)  # same work either way: no user enumeration by timing
            return None
        return user.id if self._platform.hasher.verify(user.password_hash, password) else None

    def _check_throttle(self, username: str, client: str) -> None:
        since = self._platform.clock.now() - THROTTLE_WINDOW
        failures = sessions.recent_failures(self._platform.engine, username, client, since)
        wait = int(THROTTLE_WINDOW.total_seconds())
        # Per name and client first: a stranger elsewhere cannot lock a duty officer out with a few tries.
        if failures.pair >= MAX_FAILURES_PER_USER_FROM_CLIENT or failures.username >= MAX_FAILURES_PER_USER:
            raise TooManyAttempts(
                "too many failed sign-ins for this user; wait 15 minutes, or ask your partner administrator "
                "to set a new password (that lifts the block)",
                retry_after_seconds=wait,
            )
        if failures.client >= MAX_FAILURES_PER_CLIENT:  # many names tried from one address
            raise TooManyAttempts(
                "too many failed sign-ins from this address; wait 15 minutes (if many people sign in "
                "through one proxy, its administrator should list it in CRISISLINK_TRUSTED_PROXIES)",
                retry_after_seconds=wait,
            )

    def sign_out(self, token: str) -> None:
        with self._platform.uow() as uow:
            uow.audit_as(AuditContext(actor=SYSTEM, command="SignOut"))
            if sessions.close_session(uow.connection, token):
                uow.touched("session")
            uow.commit()
        self.forget()

    def forget(self) -> None:
        with self._lock:
            self._cache.clear()

    def from_session(self, token: str) -> Caller | None:
        return self._cached("s:" + token, lambda: self._load_session(token))

    def from_bearer(self, bearer: str) -> Caller | None:
        return self._cached("t:" + bearer, lambda: self._load_token(bearer))

    def peek_session(self, token: str) -> tuple[bool, Caller | None]:
        """(True, the caller) when this process's cache knows the answer; (False, None) when only the
        database does. Never blocks: for callers on an event loop (the live feed's re-checks)."""
        return self._peek("s:" + token)

    def peek_bearer(self, bearer: str) -> tuple[bool, Caller | None]:
        return self._peek("t:" + bearer)

    def _peek(self, key: str) -> tuple[bool, Caller | None]:
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            cached = hit[1]
            if cached is None or cached.identity.expires_at > self._platform.clock.now():
                return True, cached
        return False, None

    def _cached(self, key: str, load: Callable[[], Caller | None]) -> Caller | None:
        known, cached = self._peek(key)
        if known:
            return cached
        now = time.monotonic()
        caller = load()
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key] = (now + CACHE_SECONDS, caller)
        return caller

    def _load_session(self, token: str) -> Caller | None:
        identity = sessions.session_identity(self._platform.engine, token, self._platform.clock.now())
        return None if identity is None else Caller(identity, via_token=False)

    def _load_token(self, bearer: str) -> Caller | None:
        parts = bearer.split("_")
        if len(parts) < 3 or parts[0] != TOKEN_PREFIX:
            return None
        try:
            token_id = uuid.UUID(hex=parts[1])
        except ValueError:
            return None
        identity = sessions.token_identity(
            self._platform.engine, token_id, hash_token_secret(bearer), self._platform.clock.now()
        )
        return None if identity is None else Caller(identity, via_token=True)
