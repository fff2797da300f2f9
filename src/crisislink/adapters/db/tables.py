"""The schema, as SQLAlchemy Core tables. Alembic compares migrations against this metadata."""

from __future__ import annotations

import sqlalchemy as sa

from crisislink.adapters.db.types import UtcDateTime

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

MARKINGS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
_marking_check = "marking IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')"


def _version() -> sa.Column[int]:
    return sa.Column("version", sa.Integer, nullable=False, server_default="1")


nodes = sa.Table(
    "nodes",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("code", sa.String(32), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("base_url", sa.String(500)),
    _version(),
)

partners = sa.Table(
    "partners",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("code", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("names", sa.JSON, nullable=False),
    sa.Column("country", sa.String(2), nullable=False, index=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("home_node_id", sa.Uuid, sa.ForeignKey("nodes.id"), nullable=False),
    sa.Column("languages", sa.JSON, nullable=False),
    sa.Column("external", sa.Boolean, nullable=False),
    sa.Column("jurisdiction_ref", sa.String(100)),
    sa.Column("jurisdiction", sa.JSON(none_as_null=True)),
    # A point inside the jurisdiction, where the partner's markers go: computed once, on write.
    sa.Column("jurisdiction_anchor", sa.JSON(none_as_null=True)),
    sa.Column("approves_warnings", sa.Boolean, nullable=False, server_default=sa.true()),
    _version(),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("partner_id", sa.Uuid, sa.ForeignKey("partners.id"), nullable=False, index=True),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("email", sa.String(320)),
    sa.Column("locale", sa.String(8)),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    _version(),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False),
    _version(),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
)

login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("client", sa.String(64), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("succeeded", sa.Boolean, nullable=False),
    sa.Index("ix_login_attempts_username_at", "username", "at"),
)

contact_points = sa.Table(
    "contact_points",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("owner_partner_id", sa.Uuid, sa.ForeignKey("partners.id"), nullable=False),
    sa.Column("home_node_id", sa.Uuid, sa.ForeignKey("nodes.id"), nullable=False),
    sa.Column("marking", sa.String(12), nullable=False),
    sa.Column("role", sa.String(40), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("channels", sa.JSON, nullable=False),
    sa.Column("languages", sa.JSON, nullable=False),
    sa.Column("hours", sa.JSON, nullable=False),
    sa.Column("notes", sa.Text),
    _version(),
    sa.CheckConstraint(_marking_check, name="marking"),
    # The directory lists by owner, role and name. (An index on marking made SQLite plan the policy as a
    # multi-index OR plus a sort: 85x slower for a page than walking this index and filtering.)
    sa.Index("ix_contact_points_owner_role_name", "owner_partner_id", "role", "name"),
)

audience = sa.Table(
    "audience",
    metadata,
    sa.Column("record_id", sa.Uuid, primary_key=True),
    sa.Column("principal_kind", sa.String(10), primary_key=True),
    sa.Column("principal_id", sa.Uuid, primary_key=True),
    sa.Index("ix_audience_principal", "principal_kind", "principal_id", "record_id"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column(
        "position", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    sa.Column("id", sa.Uuid, nullable=False, unique=True),
    sa.Column("type", sa.String(120), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("occurred_at", UtcDateTime, nullable=False),
    sa.Column("origin_node_id", sa.Uuid, nullable=False),
    sa.Column("owner_partner_id", sa.Uuid),
    sa.Column("marking", sa.String(12), nullable=False),
    sa.Column("correlation_id", sa.Uuid, nullable=False),
    sa.Column("causation_id", sa.Uuid),
    sa.Column("actor_user_id", sa.Uuid),
    sa.Column("payload", sa.JSON, nullable=False),
    # A record the reader must be allowed to see as well (an entry's incident); see Event.CONTEXT.
    sa.Column("context_id", sa.Uuid),
    sa.CheckConstraint(_marking_check, name="marking"),
)

consumer_cursors = sa.Table(
    "consumer_cursors",
    metadata,
    sa.Column("consumer", sa.String(100), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("consumer", sa.String(100), primary_key=True),
    sa.Column("event_id", sa.Uuid, primary_key=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("next_attempt_at", UtcDateTime),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Index("ix_deliveries_status_next", "status", "next_attempt_at"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("actor_user_id", sa.Uuid),
    sa.Column("actor_partner_id", sa.Uuid),
    sa.Column("command", sa.String(120), nullable=False),
    sa.Column("record_ids", sa.JSON, nullable=False),
    sa.Column("details", sa.JSON, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# Events from the NATS bus already applied by a durable consumer: a redelivery is acked, not re-applied.
applied_events = sa.Table(
    "applied_events",
    metadata,
    sa.Column("consumer", sa.String(100), primary_key=True),
    sa.Column("event_id", sa.Uuid, primary_key=True),
    sa.Column("applied_at", UtcDateTime, nullable=False),
)


def _label_columns() -> list[sa.Column[object]]:
    """The label every shareable record carries; `access.visible_to` filters on these columns."""
    return [
        sa.Column("owner_partner_id", sa.Uuid, sa.ForeignKey("partners.id"), nullable=False),
        sa.Column("home_node_id", sa.Uuid, sa.ForeignKey("nodes.id"), nullable=False),
        sa.Column("marking", sa.String(12), nullable=False),
    ]


incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("hazard", sa.String(40), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("area", sa.JSON, nullable=False),
    # A point inside the area, where the incident's marker goes: computed once, on write.
    sa.Column("anchor", sa.JSON, nullable=False),
    sa.Column("location", sa.JSON(none_as_null=True)),
    sa.Column("lead_partner_id", sa.Uuid, sa.ForeignKey("partners.id"), nullable=False),
    sa.Column("involved", sa.JSON, nullable=False),
    sa.Column("languages", sa.JSON, nullable=False),
    sa.Column("occurred_at", UtcDateTime, nullable=False),
    sa.Column("declared_at", UtcDateTime, nullable=False),
    sa.Column("declared_by", sa.Uuid),
    sa.Column("mode", sa.String(10), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reference", sa.String(200)),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    _version(),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.Index("ix_incidents_status_declared_at", "status", "declared_at"),
)

incident_levels = sa.Table(
    "incident_levels",
    metadata,
    sa.Column("incident_id", sa.Uuid, sa.ForeignKey("incidents.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("country", sa.String(2), nullable=False),
    sa.Column("level", sa.String(20), nullable=False),
    sa.Column("previous", sa.String(20)),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("recorded_at", UtcDateTime, nullable=False),
    sa.Column("by_user_id", sa.Uuid),
    sa.Column("by_partner_id", sa.Uuid),
    sa.Column("reason", sa.Text, nullable=False),
)

incident_log = sa.Table(
    "incident_log",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("incident_id", sa.Uuid, sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("kind", sa.String(12), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("occurred_at", UtcDateTime, nullable=False),
    sa.Column("recorded_at", UtcDateTime, nullable=False),
    sa.Column("author_user_id", sa.Uuid),
    sa.Column("decided_by", sa.String(300)),
    sa.Column("basis", sa.Text),
    sa.Column("corrects", sa.Uuid),
    sa.Column("source", sa.String(1000)),
    _version(),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.Index("ix_incident_log_incident_id_occurred_at", "incident_id", "occurred_at", "id"),
    sa.Index("ix_incident_log_incident_id_recorded_at", "incident_id", "recorded_at"),
)

incident_tasks = sa.Table(
    "incident_tasks",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("incident_id", sa.Uuid, sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("assignee_partner_id", sa.Uuid, sa.ForeignKey("partners.id"), nullable=False),
    sa.Column("assignee_user_id", sa.Uuid),
    sa.Column("due_at", UtcDateTime, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("created_by", sa.Uuid),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    _version(),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.Index("ix_incident_tasks_incident_id_created_at", "incident_id", "created_at"),
    sa.Index("ix_incident_tasks_incident_id_updated_at", "incident_id", "updated_at"),
)

sitreps = sa.Table(
    "sitreps",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("incident_id", sa.Uuid, sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("author_user_id", sa.Uuid),
    sa.Column("texts", sa.JSON, nullable=False),
    sa.Column("figures", sa.JSON, nullable=False),
    sa.Column("languages_required", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("next_report_at", UtcDateTime),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("publish_at", UtcDateTime),
    sa.Column("published_at", UtcDateTime),
    sa.Column("reminded_at", UtcDateTime),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    _version(),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.UniqueConstraint("incident_id", "number"),
    sa.Index("ix_sitreps_status_publish_at", "status", "publish_at"),
    sa.Index("ix_sitreps_status_next_report_at", "status", "next_report_at"),
    sa.Index("ix_sitreps_incident_id_updated_at", "incident_id", "updated_at"),
    sa.Index("ix_sitreps_incident_id_created_at", "incident_id", "created_at"),
)

neighbour_notifications = sa.Table(
    "neighbour_notifications",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("incident_id", sa.Uuid, sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("partner_id", sa.Uuid, sa.ForeignKey("partners.id"), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("chain", sa.JSON, nullable=False),
    sa.Column("step", sa.Integer, nullable=False),
    sa.Column("status", sa.String(14), nullable=False),
    sa.Column("sent_at", UtcDateTime, nullable=False),
    sa.Column("escalate_at", UtcDateTime, nullable=False),
    sa.Column("acknowledged_at", UtcDateTime),
    sa.Column("acknowledged_by", sa.Uuid),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    _version(),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.UniqueConstraint("incident_id", "partner_id"),
    sa.Index("ix_neighbour_notifications_status_escalate_at", "status", "escalate_at"),
    sa.Index("ix_neighbour_notifications_incident_id_updated_at", "incident_id", "updated_at"),
)

# --- public warnings (line 5) ---------------------------------------------------------------------------

public_warnings = sa.Table(
    "public_warnings",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("incident_id", sa.Uuid, sa.ForeignKey("incidents.id")),
    sa.Column("hazard", sa.JSON, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("urgency", sa.String(10), nullable=False),
    sa.Column("certainty", sa.String(10), nullable=False),
    sa.Column("response_types", sa.JSON, nullable=False),
    sa.Column("texts", sa.JSON, nullable=False),
    sa.Column("onset", UtcDateTime, nullable=False),
    sa.Column("expires", UtcDateTime, nullable=False),
    sa.Column("area", sa.JSON, nullable=False),
    sa.Column("anchor", sa.JSON, nullable=False),
    sa.Column("area_description", sa.Text, nullable=False),
    sa.Column("targeting", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("created_by", sa.Uuid),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("issued_revision", sa.Integer, nullable=False),
    sa.Column("approvals", sa.JSON, nullable=False),
    sa.Column("comments", sa.JSON, nullable=False),
    sa.Column("parts", sa.JSON, nullable=False),
    # When the schedule must look at it next (a part's time, or the expiry of what is out); null when never.
    sa.Column("due_at", UtcDateTime),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    _version(),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.Index("ix_public_warnings_due_at", "due_at"),
    sa.Index("ix_public_warnings_state_updated_at", "state", "updated_at"),
    sa.Index("ix_public_warnings_incident_id", "incident_id"),
)

# The CAP message chain of each warning, append-only: what each message carried, as it was approved.
warning_messages = sa.Table(
    "warning_messages",
    metadata,
    sa.Column("warning_id", sa.Uuid, sa.ForeignKey("public_warnings.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("identifier", sa.String(200), nullable=False),
    sa.Column("sender", sa.String(200), nullable=False),
    sa.Column("sent", UtcDateTime, nullable=False),
    sa.Column("msg_type", sa.String(10), nullable=False),
    sa.Column("references", sa.JSON, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("content", sa.JSON, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.UniqueConstraint("sender", "identifier"),
)

# The signed CAP bytes of each message as emitted (whole, or one country's part): channels and the public
# feed serve exactly these bytes, never a re-emitted copy.
warning_publications = sa.Table(
    "warning_publications",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("warning_id", sa.Uuid, sa.ForeignKey("public_warnings.id"), nullable=False),
    sa.Column("identifier", sa.String(200), nullable=False),
    sa.Column("country", sa.String(2), nullable=False),  # "" for the whole message
    sa.Column("status", sa.String(10), nullable=False),  # CAP status: only Actual is ever public
    sa.Column("cap_xml", sa.LargeBinary, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("identifier", "country"),
    sa.Index("ix_warning_publications_warning_id", "warning_id"),
)

# One row per (message part, channel): the durable outbox of public channels, retried with back-off.
warning_deliveries = sa.Table(
    "warning_deliveries",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("publication_id", sa.Uuid, sa.ForeignKey("warning_publications.id"), nullable=False),
    sa.Column("channel", sa.String(100), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("receipt", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("finished_at", UtcDateTime),
    sa.UniqueConstraint("publication_id", "channel"),
    sa.Index("ix_warning_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
)

# --- neighbours' public warnings, read from their CAP Atom feeds ------------------------------------------

external_feeds = sa.Table(
    "external_feeds",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("url", sa.String(1000), nullable=False, unique=True),
    sa.Column("interval_seconds", sa.Integer, nullable=False),
    sa.Column("next_poll_at", UtcDateTime, nullable=False),
    sa.Column("last_polled_at", UtcDateTime),
    sa.Column("last_ok_at", UtcDateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("etag", sa.String(300)),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    _version(),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.Index("ix_external_feeds_next_poll_at", "next_poll_at"),
)

external_alerts = sa.Table(
    "external_alerts",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("feed_id", sa.Uuid, sa.ForeignKey("external_feeds.id"), nullable=False),
    sa.Column("sender", sa.String(300), nullable=False),
    sa.Column("identifier", sa.String(300), nullable=False),
    sa.Column("sent", UtcDateTime, nullable=False),
    sa.Column("msg_type", sa.String(10), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("references", sa.JSON, nullable=False),
    sa.Column("event", sa.Text, nullable=False),
    sa.Column("headline", sa.Text, nullable=False),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("urgency", sa.String(10), nullable=False),
    sa.Column("certainty", sa.String(10), nullable=False),
    sa.Column("languages", sa.JSON, nullable=False),
    sa.Column("onset", UtcDateTime),
    sa.Column("expires", UtcDateTime),
    sa.Column("area", sa.JSON(none_as_null=True)),  # GeoJSON geometry (lon, lat) of its polygons and circles
    sa.Column("area_description", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("replaced_by", sa.String(300)),  # the identifier of the Update or Cancel that ended it
    sa.Column("cap_xml", sa.LargeBinary, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    _version(),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.UniqueConstraint("sender", "identifier", "sent"),
    sa.Index("ix_external_alerts_active_expires", "active", "expires"),
)

# --- mutual assistance (line 2) -------------------------------------------------------------------------

assistance_units = sa.Table(
    "assistance_units",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("capability", sa.String(40), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("call_sign", sa.String(64)),
    sa.Column("home_base", sa.JSON, nullable=False),  # [lon, lat]
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("status_at", UtcDateTime, nullable=False),
    sa.Column("position", sa.JSON(none_as_null=True)),  # [lon, lat] while deployed
    sa.Column("crew_languages", sa.JSON, nullable=False),
    sa.Column("radio", sa.JSON, nullable=False),
    sa.Column("arrangements", sa.JSON, nullable=False),
    # The accepted offer that holds it (committed or deployed); null while it is its owner's to dispose of.
    sa.Column("offer_id", sa.Uuid, sa.ForeignKey("assistance_offers.id")),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    _version(),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.Index("ix_assistance_units_owner_partner_id_capability", "owner_partner_id", "capability"),
    sa.Index("ix_assistance_units_capability_status", "capability", "status"),
)

assistance_requests = sa.Table(
    "assistance_requests",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("capability", sa.String(40), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("staging", sa.JSON, nullable=False),  # {"name": ..., "point": [lon, lat]}
    sa.Column("starts_at", UtcDateTime, nullable=False),
    sa.Column("ends_at", UtcDateTime, nullable=False),
    sa.Column("respond_by", UtcDateTime, nullable=False),
    sa.Column("support", sa.JSON, nullable=False),  # host-nation support
    sa.Column("description", sa.Text, nullable=False),
    # The incident it serves: a plain id (the incident may live on another node, or not be replicated here).
    sa.Column("incident_id", sa.Uuid),
    sa.Column("addressees", sa.JSON, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("accepted", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("created_by", sa.Uuid),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    _version(),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.CheckConstraint("quantity > 0 AND accepted >= 0", name="quantities"),
    sa.Index("ix_assistance_requests_status_respond_by", "status", "respond_by"),
    sa.Index("ix_assistance_requests_created_at", "created_at"),
    sa.Index("ix_assistance_requests_incident_id", "incident_id"),
)

assistance_offers = sa.Table(
    "assistance_offers",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("request_id", sa.Uuid, sa.ForeignKey("assistance_requests.id"), nullable=False),
    sa.Column("requester_id", sa.Uuid, sa.ForeignKey("partners.id"), nullable=False),
    sa.Column("units", sa.JSON, nullable=False),  # what the offer tells of each unit
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("available_from", UtcDateTime, nullable=False),
    sa.Column("conditions", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("accepted", sa.Integer, nullable=False),
    sa.Column("accepted_units", sa.JSON, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("offered_at", UtcDateTime, nullable=False),
    sa.Column("offered_by", sa.Uuid),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    _version(),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.CheckConstraint("quantity > 0 AND accepted >= 0 AND accepted <= quantity", name="quantities"),
    sa.Index("ix_assistance_offers_request_id_offered_at", "request_id", "offered_at"),
)

# --- hospitals (line 2) ---------------------------------------------------------------------------------
# The node's hospital register (CLEAR reference data) and the status reports that keep it current.

hospitals = sa.Table(
    "hospitals",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("code", sa.String(100), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("site", sa.String(200)),
    # Plain numbers rather than a JSON point: the bounding-box filters and the matching range use them.
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("country", sa.String(2)),
    sa.Column("city", sa.String(200)),
    sa.Column("postcode", sa.String(20)),
    sa.Column("beds", sa.Integer),
    sa.Column("emergency", sa.Boolean),
    sa.Column("kind", sa.String(200)),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("registered_at", UtcDateTime, nullable=False),
    # The current (newest real) report and the last one received. No foreign key: the report rows refer
    # to the hospital, and a cycle of keys would need deferred constraints SQLite cannot add later.
    sa.Column("status_report_id", sa.Uuid),
    sa.Column("last_report_id", sa.Uuid),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    _version(),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.Index("ix_hospitals_country_lat", "country", "lat"),
    sa.Index("ix_hospitals_lat_lon", "lat", "lon"),
)

# What status reports may call a hospital (its code, and identifiers earlier reports gave): matched exactly.
hospital_identifiers = sa.Table(
    "hospital_identifiers",
    metadata,
    sa.Column("hospital_id", sa.Uuid, sa.ForeignKey("hospitals.id"), primary_key=True),
    sa.Column("identifier", sa.String(200), primary_key=True),
    sa.Index("ix_hospital_identifiers_identifier", "identifier"),
)

# Append-only: every report received, real or test, with the message it came in.
hospital_reports = sa.Table(
    "hospital_reports",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("hospital_id", sa.Uuid, sa.ForeignKey("hospitals.id"), nullable=False),
    sa.Column("message_id", sa.String(300), nullable=False),
    sa.Column("distribution", sa.String(12)),  # EDXL-DE distributionStatus; null for a bare report
    sa.Column("reported_at", UtcDateTime, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("reported_by", sa.Uuid),  # the importing person's partner
    sa.Column("ems_traffic", sa.String(16)),
    sa.Column("ems_reason", sa.Text),
    sa.Column("ed_capacity", sa.Integer),
    sa.Column("facility_status", sa.String(16)),
    # A message reports a hospital once: a message delivered twice is recognised, not stored twice.
    sa.UniqueConstraint("hospital_id", "message_id"),
    sa.Index("ix_hospital_reports_hospital_id_received_at", "hospital_id", "received_at"),
)

hospital_beds = sa.Table(
    "hospital_beds",
    metadata,
    sa.Column("report_id", sa.Uuid, sa.ForeignKey("hospital_reports.id"), primary_key=True),
    sa.Column("bed_type", sa.String(32), primary_key=True),
    sa.Column("available", sa.Integer),
    sa.Column("baseline", sa.Integer),
    sa.Column("vacant", sa.Boolean),
)

# --- datasets (line 4) -------------------------------------------------------------------------------------

# A partner's dataset or live feed: its record schema, declared series with thresholds, who to call about
# it, and per series the newest observation (so lists, the map and threshold checks never scan observations).
datasets = sa.Table(
    "datasets",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("record_schema", sa.JSON, nullable=False),
    # A point of contact of the directory. No foreign key: a contact removed from the directory leaves the
    # dataset readable (shown as "no longer in the directory") instead of blocking the removal.
    sa.Column("contact_point_id", sa.Uuid, nullable=False),
    sa.Column("refresh_seconds", sa.Integer, nullable=False),
    sa.Column("series", sa.JSON, nullable=False),
    sa.Column("latest", sa.JSON, nullable=False),
    sa.Column("synthetic", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("created_by", sa.Uuid),
    sa.Column("last_observed_at", UtcDateTime),
    sa.Column("last_received_at", UtcDateTime),
    # When it turns stale unless newer data arrives; the schedule looks only at rows past it and not flagged.
    sa.Column("stale_at", UtcDateTime, nullable=False),
    sa.Column("stale_since", UtcDateTime),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    _version(),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.CheckConstraint("refresh_seconds > 0", name="refresh"),
    sa.Index("ix_datasets_owner_partner_id_title", "owner_partner_id", "title"),
    sa.Index("ix_datasets_stale_since_stale_at", "stale_since", "stale_at"),
)

# Observations are not aggregates: written in bulk, keyed so that the same observation is stored once, and
# clustered by that key on SQLite (WITHOUT ROWID) so a series' time range is one contiguous read.
dataset_observations = sa.Table(
    "dataset_observations",
    metadata,
    sa.Column("dataset_id", sa.Uuid, sa.ForeignKey("datasets.id"), primary_key=True),
    sa.Column("series", sa.String(100), primary_key=True),
    sa.Column("observed_at", UtcDateTime, primary_key=True),
    sa.Column("value", sa.Float),
    sa.Column("attributes", sa.JSON(none_as_null=True)),  # the record's other fields, as sent
    sa.Column("location", sa.JSON(none_as_null=True)),  # [lon, lat] when the record came with a point
    sa.Column("received_at", UtcDateTime, nullable=False),
    sqlite_with_rowid=False,
)

dataset_followers = sa.Table(
    "dataset_followers",
    metadata,
    sa.Column("dataset_id", sa.Uuid, sa.ForeignKey("datasets.id"), primary_key=True),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("since", UtcDateTime, nullable=False),
    sa.Index("ix_dataset_followers_user_id", "user_id"),
)

# --- readiness: rota and communication tests (line 4) ---------------------------------------------------
# Rota rows follow their point of contact's label (queries join `contact_points`), so they carry no label
# of their own. `contact_point_id` has no foreign key: removing a contact must not fail on its history.

duty_shifts = sa.Table(
    "duty_shifts",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("contact_point_id", sa.Uuid, nullable=False),
    sa.Column("person_name", sa.String(200), nullable=False),
    sa.Column("person_user_id", sa.Uuid, sa.ForeignKey("users.id")),
    sa.Column("person_phone", sa.String(40)),
    sa.Column("role", sa.String(10), nullable=False),
    sa.Column("starts_at", UtcDateTime, nullable=False),
    sa.Column("ends_at", UtcDateTime, nullable=False),
    sa.Column("notes", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("created_by", sa.Uuid),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    _version(),
    sa.CheckConstraint("ends_at > starts_at", name="period"),
    sa.CheckConstraint("role IN ('primary','deputy')", name="role"),
    sa.Index("ix_duty_shifts_contact_point_id_starts_at", "contact_point_id", "starts_at"),
)

duty_desks = sa.Table(
    "duty_desks",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),  # the point of contact's id
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("holder_shift_id", sa.Uuid),
    sa.Column("since", UtcDateTime, nullable=False),
    _version(),
)

duty_handovers = sa.Table(
    "duty_handovers",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("contact_point_id", sa.Uuid, nullable=False),
    sa.Column("from_shift_id", sa.Uuid, sa.ForeignKey("duty_shifts.id")),
    sa.Column("to_shift_id", sa.Uuid, sa.ForeignKey("duty_shifts.id"), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("by_user_id", sa.Uuid),
    sa.Column("note", sa.Text, nullable=False),
    _version(),
    sa.Index("ix_duty_handovers_contact_point_id_at", "contact_point_id", "at"),
)

comm_test_plans = sa.Table(
    "comm_test_plans",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("recurrence", sa.String(10), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("first_run_at", UtcDateTime),
    sa.Column("next_run_at", UtcDateTime),
    sa.Column("partners", sa.JSON, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("answer_minutes", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("created_by", sa.Uuid),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    _version(),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.Index("ix_comm_test_plans_active_next_run_at", "active", "next_run_at"),
)

comm_test_runs = sa.Table(
    "comm_test_runs",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("plan_id", sa.Uuid, sa.ForeignKey("comm_test_plans.id")),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("partners", sa.JSON, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("started_by", sa.Uuid),
    sa.Column("closes_at", UtcDateTime, nullable=False),
    sa.Column("escalate_seconds", sa.Integer, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("closed_at", UtcDateTime),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    _version(),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.Index("ix_comm_test_runs_status_closes_at", "status", "closes_at"),
    sa.Index("ix_comm_test_runs_started_at", "started_at"),
)

# A probe keeps the label its point of contact had when the run started: results are history.
comm_test_probes = sa.Table(
    "comm_test_probes",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("run_id", sa.Uuid, sa.ForeignKey("comm_test_runs.id"), nullable=False),
    sa.Column("contact_point_id", sa.Uuid, nullable=False),
    sa.Column("partner_id", sa.Uuid, sa.ForeignKey("partners.id"), nullable=False),
    sa.Column("contact_name", sa.String(200), nullable=False),
    sa.Column("chain", sa.JSON, nullable=False),
    sa.Column("step", sa.Integer, nullable=False),
    sa.Column("sent_at", UtcDateTime, nullable=False),
    sa.Column("escalate_at", UtcDateTime),
    sa.Column("status", sa.String(14), nullable=False),
    sa.Column("acknowledged_at", UtcDateTime),
    sa.Column("acknowledged_step", sa.Integer),
    sa.Column("acknowledged_via", sa.String(300)),
    sa.Column("recorded_by", sa.Uuid),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.Index("ix_comm_test_probes_run_id", "run_id"),
    sa.Index("ix_comm_test_probes_partner_id_sent_at", "partner_id", "sent_at"),
)

# Each message sent; its acknowledgement code only as a SHA-256 hash.
comm_test_messages = sa.Table(
    "comm_test_messages",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("run_id", sa.Uuid, sa.ForeignKey("comm_test_runs.id"), nullable=False),
    sa.Column("probe_id", sa.Uuid, sa.ForeignKey("comm_test_probes.id"), nullable=False),
    sa.Column("step", sa.Integer, nullable=False),
    sa.Column("recipient", sa.String(200), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("address", sa.String(320), nullable=False),
    sa.Column("sent_at", UtcDateTime, nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("used_at", UtcDateTime),
    sa.Column("delivery", sa.String(10), nullable=False),
    sa.Column("detail", sa.String(300)),
    sa.Index("ix_comm_test_messages_probe_id", "probe_id"),
)

# --- dataset access and subscriptions (line 4) -------------------------------------------------------------
# Access requests to AMBER datasets (a grant adds the partner to the dataset's audience until it expires),
# webhook subscriptions with their delivery outbox, and pull sources polled by the schedule.
# docs/dataset-delivery.md.

dataset_access_requests = sa.Table(
    "dataset_access_requests",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("dataset_id", sa.Uuid, sa.ForeignKey("datasets.id"), nullable=False),
    sa.Column("dataset_owner_id", sa.Uuid, nullable=False),
    sa.Column("partner_id", sa.Uuid, nullable=False),  # the partner asking
    sa.Column("requested_by", sa.Uuid),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),  # pending | granted | refused | ended
    sa.Column("scope", sa.String(20)),
    sa.Column("expires_at", UtcDateTime),
    sa.Column("decided_by", sa.Uuid),
    sa.Column("decided_at", UtcDateTime),
    sa.Column("decision_note", sa.Text),
    sa.Column("added_to_audience", sa.Boolean, nullable=False),  # False: the partner was in it already
    sa.Column("ended_at", UtcDateTime),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.CheckConstraint("status IN ('pending','granted','refused','ended')", name="status"),
    sa.Index("ix_dataset_access_requests_status_expires_at", "status", "expires_at"),
    sa.Index("ix_dataset_access_requests_dataset_id_partner_id", "dataset_id", "partner_id"),
)

dataset_webhooks = sa.Table(
    "dataset_webhooks",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("dataset_id", sa.Uuid, sa.ForeignKey("datasets.id"), nullable=False),
    sa.Column("user_id", sa.Uuid, nullable=False),  # whose view of the data it delivers
    sa.Column("partner_id", sa.Uuid, nullable=False),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("secret", sa.String(100), nullable=False),  # HMAC key; needed in clear to sign
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_dataset_webhooks_dataset_id_active", "dataset_id", "active"),
)

dataset_webhook_deliveries = sa.Table(
    "dataset_webhook_deliveries",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("webhook_id", sa.Uuid, sa.ForeignKey("dataset_webhooks.id"), nullable=False),
    sa.Column("event_id", sa.Uuid, nullable=False),
    sa.Column("event_type", sa.String(100), nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),  # the exact bytes signed and sent
    sa.Column("status", sa.String(10), nullable=False),  # pending | delivered | dead | dropped
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("finished_at", UtcDateTime),
    sa.UniqueConstraint("webhook_id", "event_id", name="uq_dataset_webhook_deliveries_webhook_event"),
    sa.Index("ix_dataset_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
)

dataset_pull_sources = sa.Table(
    "dataset_pull_sources",
    metadata,
    sa.Column("dataset_id", sa.Uuid, sa.ForeignKey("datasets.id"), primary_key=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("format", sa.String(20), nullable=False),  # csv | geojson | sensorthings
    sa.Column("interval_seconds", sa.Integer, nullable=False),
    sa.Column("next_poll_at", UtcDateTime, nullable=False),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("last_polled_at", UtcDateTime),
    sa.Column("last_success_at", UtcDateTime),
    sa.Column("last_stored", sa.Integer),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.CheckConstraint("interval_seconds > 0", name="interval"),
    sa.Index("ix_dataset_pull_sources_next_poll_at", "next_poll_at"),
)

# --- notices to 24/7 desks of mutual-assistance steps (line 2) ---------------------------------------------
# One row per message to a notified partner's desk (or the person holding it): queued by the event consumer
# `assistance.notifications`, sent by the schedule's round. Its label is the event's, so a reader sees the
# notices of the steps they may see. `contact_point_id` has no foreign key: removing a contact must not fail
# on its history. docs/assistance.md §Notification.
assistance_notifications = sa.Table(
    "assistance_notifications",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("event_type", sa.String(120), nullable=False),
    sa.Column("request_id", sa.Uuid, sa.ForeignKey("assistance_requests.id"), nullable=False),
    sa.Column("offer_id", sa.Uuid, sa.ForeignKey("assistance_offers.id")),
    sa.Column("partner_id", sa.Uuid, sa.ForeignKey("partners.id"), nullable=False),  # the partner told
    sa.Column("contact_point_id", sa.Uuid),  # its desk; null when it has none
    sa.Column("reached", sa.String(10), nullable=False),  # desk | on_duty | nobody
    sa.Column("recipient", sa.String(200)),
    sa.Column("channel", sa.String(20)),
    sa.Column("address", sa.String(320)),
    sa.Column("languages", sa.JSON, nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime),
    sa.Column("claimed_at", UtcDateTime),  # when it was last taken to be handed over (its lease)
    sa.Column("detail", sa.String(300)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("finished_at", UtcDateTime),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.CheckConstraint("status IN ('pending','sending','sent','failed','unreachable')", name="status"),
    sa.Index("ix_assistance_notifications_status_next_attempt_at", "status", "next_attempt_at"),
    sa.Index("ix_assistance_notifications_request_id_created_at", "request_id", "created_at"),
)

# What a dataset's responsible point of contact was sent when its data stopped arriving, and when it arrived
# again (docs/datasets.md §Staleness). Labelled as the event it tells (the dataset's label then).
dataset_contact_notices = sa.Table(
    "dataset_contact_notices",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    *_label_columns(),
    sa.Column("event_type", sa.String(120), nullable=False),  # crisislink.datasets.stale | .fresh
    sa.Column("dataset_id", sa.Uuid, sa.ForeignKey("datasets.id"), nullable=False),
    sa.Column("contact_point_id", sa.Uuid, nullable=False),  # no foreign key, as for datasets
    sa.Column("recipient", sa.String(200)),  # null when the contact is no longer in the directory
    sa.Column("channel", sa.String(20)),
    sa.Column("address", sa.String(320)),
    sa.Column("languages", sa.JSON, nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime),
    sa.Column("claimed_at", UtcDateTime),  # when it was last taken to be handed over (its lease)
    sa.Column("detail", sa.String(300)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("finished_at", UtcDateTime),
    sa.CheckConstraint(_marking_check, name="marking"),
    sa.CheckConstraint("status IN ('pending','sending','sent','failed','unreachable')", name="status"),
    sa.Index("ix_dataset_contact_notices_status_next_attempt_at", "status", "next_attempt_at"),
    sa.Index("ix_dataset_contact_notices_dataset_id_created_at", "dataset_id", "created_at"),
)
