"""Each affected country's decision on the draft, and the comment thread around it.

Every decision names the draft revision it was about: an approval of revision 2 says nothing about
revision 3, so editing the draft after someone approved it asks everyone again.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime


class ApprovalStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"


@dataclass(frozen=True)
class Decision:
    """Who decided, when, about which revision, and what they said."""

    revision: int
    by_user_id: uuid.UUID | None
    by_partner_id: uuid.UUID | None
    at: datetime
    comment: str = ""


@dataclass(frozen=True)
class ApprovalState:
    country: str
    status: ApprovalStatus = ApprovalStatus.PENDING
    decision: Decision | None = None

    def approves(self, revision: int) -> bool:
        return (
            self.status is ApprovalStatus.APPROVED
            and self.decision is not None
            and self.decision.revision == revision
        )


class CommentKind(enum.StrEnum):
    COMMENT = "comment"
    CHANGES_REQUESTED = "changes_requested"
    APPROVAL = "approval"


@dataclass(frozen=True)
class Comment:
    id: uuid.UUID
    kind: CommentKind
    revision: int
    text: str
    at: datetime
    author_user_id: uuid.UUID | None
    author_partner_id: uuid.UUID | None
    country: str | None  # the country the author speaks for, when they approve or ask for changes
