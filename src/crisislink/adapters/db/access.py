"""The sharing policy compiled to SQL: one WHERE clause, built from `policy.GRANTS`, for every read path.

Lists, single reads, exports, the live feed and federation all filter with `visible_to`. It is derived
from the same grant table that `policy.may_see` evaluates, and a property-based test holds them equal.
"""

from __future__ import annotations

from functools import lru_cache

import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.domains.sharing.policy import GRANTS, Grant, Viewer
from crisislink.kernel.markings import PrincipalKind


def _markings_with(grant: Grant) -> list[str]:
    return sorted(marking.value for marking, grants in GRANTS.items() if grant in grants)


def _marking_in(column: sa.ColumnElement[str], grant: Grant) -> sa.ColumnElement[bool]:
    # The markings are our own constants, written into the SQL: an IN list of bound parameters would be
    # re-expanded on every execution, which costs more than the rest of a single-record read.
    literals: list[sa.ColumnElement[str]] = [sa.literal_column(f"'{m}'") for m in _markings_with(grant)]
    return column.in_(literals) if literals else sa.false()


def _named_in_audience(
    record_id: sa.ColumnElement[object], kind: PrincipalKind, principal: object, *, correlated: bool
) -> sa.ColumnElement[bool]:
    who = sa.and_(t.audience.c.principal_kind == kind.value, t.audience.c.principal_id == principal)
    if correlated:
        # One record: probe its own audience rows through the primary key.
        return sa.exists().where(t.audience.c.record_id == record_id, who)
    # Many records: the viewer's audience rows are looked up once per query, not once per record.
    return record_id.in_(sa.select(t.audience.c.record_id).where(who))


def visible_to(viewer: Viewer, table: sa.Table, *, correlated: bool = False) -> sa.ColumnElement[bool]:
    """Default deny: a row is visible only if some grant of its marking applies to the viewer.

    `correlated=True` probes each row's own audience (best for one record or a narrow range); the rows it
    admits are the same.
    """
    return _compiled(viewer, table, correlated)


@lru_cache(maxsize=4096)
def _compiled(viewer: Viewer, table: sa.Table, correlated: bool) -> sa.ColumnElement[bool]:
    # Building the expression costs a few hundred microseconds; a viewer reads many times.
    marking, owner, record_id = table.c.marking, table.c.owner_partner_id, table.c.id
    clauses: list[sa.ColumnElement[bool]] = [_marking_in(marking, Grant.PUBLIC)]
    if viewer.signed_in:
        clauses += [
            sa.and_(_marking_in(marking, Grant.OWNER), owner == viewer.partner_id),
            _marking_in(marking, Grant.NETWORK),
            sa.and_(
                _marking_in(marking, Grant.AUDIENCE_PARTNER),
                _named_in_audience(
                    record_id, PrincipalKind.PARTNER, viewer.partner_id, correlated=correlated
                ),
            ),
            sa.and_(
                _marking_in(marking, Grant.AUDIENCE_USER),
                _named_in_audience(record_id, PrincipalKind.USER, viewer.user_id, correlated=correlated),
            ),
        ]
    return sa.or_(*clauses)
