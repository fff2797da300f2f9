"""Who may publish and feed a dataset. Seeing one is the sharing policy's business."""

from __future__ import annotations

from crisislink.domains.datasets.model import Dataset
from crisislink.kernel.errors import PermissionDenied
from crisislink.kernel.messages import Actor

# Role names as the directory defines them; this capability does not import the directory's enum.
# Analysts are here: at many partners the people who run the data feeds are not on the duty desk.
_PUBLISHERS = frozenset({"partner_admin", "duty_officer", "information_officer", "analyst"})
_ADMIN = "node_admin"


def require_publisher(actor: Actor) -> None:
    if actor.is_system or _ADMIN in actor.roles or _PUBLISHERS & actor.roles:
        return
    raise PermissionDenied(
        "publishing data needs the partner administrator, duty officer, information officer or analyst role"
    )


def require_owner(actor: Actor, dataset: Dataset) -> None:
    """Feeding or changing a dataset is for its owner partner's publishers (and node administrators)."""
    require_publisher(actor)
    if actor.is_system or _ADMIN in actor.roles or actor.partner_id == dataset.label.owner_partner_id:
        return
    raise PermissionDenied("only the partner that owns this dataset can feed or change it")
