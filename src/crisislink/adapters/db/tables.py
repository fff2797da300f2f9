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
