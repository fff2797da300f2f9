"""When credentials change, the sessions opened with the old ones end (an event consumer).

A password reset must lock out whoever had the old password; deactivating an account must end its
sessions; and a reset lifts the sign-in throttle the user may have run into.
"""

from __future__ import annotations

from crisislink.adapters.auth import sessions
from crisislink.adapters.db.uow import SqlUnitOfWork
from crisislink.domains.sharing.events import PasswordChanged, UserUpdated
from crisislink.kernel.messages import Event

CONSUMER = "auth.revocation"
EVENT_TYPES = frozenset({PasswordChanged.TYPE, UserUpdated.TYPE})


def end_sessions_on_credential_change(event: Event, uow: SqlUnitOfWork) -> None:
    if isinstance(event, UserUpdated) and "active" not in event.changed:
        return
    if not isinstance(event, PasswordChanged | UserUpdated):
        return
    user = uow.users.get(event.user_id)
    if sessions.close_sessions_of(uow.connection, user.id):
        uow.touched(f"sessions-of:{user.id}")
    if isinstance(event, PasswordChanged):
        sessions.forget_failures(uow.connection, user.username)
