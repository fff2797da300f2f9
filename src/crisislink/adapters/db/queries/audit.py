"""Read access to the audit trail (verification lives beside the writer, in adapters.db.audit)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from crisislink.adapters.db import audit


def verify_chain(engine: Engine) -> audit.VerifyResult:
    with engine.connect() as conn:
        return audit.verify(conn)
