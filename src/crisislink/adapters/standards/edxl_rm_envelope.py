"""An exported EDXL-RM message in an EDXL-DE 1.0 envelope, addressed to the other party.

The envelope says who sent it (the partner's code as senderID), to whom (explicit addresses in the
`crisislink:partner` scheme: partner codes), what kind of distribution it is, how confidential (the TLP
marking of the record) and which incident it serves. Distribution status is Actual: requests for
assistance have no exercise mode yet (exercise traffic would be sent as Exercise).
"""

from __future__ import annotations

import uuid
from typing import Final

from crisislink.adapters.standards import edxl_de
from crisislink.adapters.standards.edxl_rm_codes import Step
from crisislink.adapters.standards.edxl_rm_parts import Partners
from crisislink.adapters.standards.edxl_rm_thread import ExportedMessage

PARTNER_SCHEME: Final = "crisislink:partner"
_TYPE = {
    Step.REQUEST: edxl_de.DistributionType.REQUEST,
    Step.ENDED: edxl_de.DistributionType.CANCEL,
    Step.STATUS_QUERY: edxl_de.DistributionType.REQUEST,
    Step.OFFER: edxl_de.DistributionType.RESPONSE,
    Step.DECLINE: edxl_de.DistributionType.RESPONSE,
    Step.COMMIT: edxl_de.DistributionType.RESPONSE,
    Step.MOBILISING: edxl_de.DistributionType.REPORT,
    Step.DEPLOYED: edxl_de.DistributionType.REPORT,
    Step.RELEASE: edxl_de.DistributionType.REPORT,
}


def _code(partners: Partners, partner_id: uuid.UUID) -> str:
    partner = partners.get(partner_id)
    return partner.code if partner is not None else str(partner_id)


def in_envelope(exported: ExportedMessage, xml: bytes, partners: Partners, marking: str) -> bytes:
    """`xml` (the message as `edxl_rm_xml.to_xml` wrote it) in a validated EDXL-DE envelope."""
    message = exported.message
    incident = message.incidents[0].incident_id if message.incidents else None
    addressed = tuple(sorted({_code(partners, p) for p in exported.sent_to}))
    header = edxl_de.Distribution(
        distribution_id=f"{exported.message_id}-de",
        sender_id=_code(partners, exported.sent_by),
        sent=message.sent_date_time,
        status=edxl_de.DistributionStatus.ACTUAL,
        type=_TYPE[exported.step],
        combined_confidentiality=f"TLP:{marking}",
        explicit_addresses=(
            (edxl_de.ExplicitAddress(scheme=PARTNER_SCHEME, values=addressed),) if addressed else ()
        ),
        content_objects=(
            edxl_de.ContentObject(
                description=f"EDXL-RM {exported.message_type}: {message.message_description or ''}".strip(),
                incident_id=incident,
                xml_content=edxl_de.embedded(xml),
            ),
        ),
    )
    return edxl_de.to_xml(header)
