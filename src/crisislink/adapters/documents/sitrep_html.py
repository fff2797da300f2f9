"""A situation report as a standalone printable HTML page, rendered offline.

The page embeds its stylesheet and names only locally installed fonts, so nothing is fetched.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from crisislink.adapters.db.queries.incident_views import IncidentView, SitrepView
from crisislink.adapters.documents.sitrep import DOCUMENT_LANGUAGE, SitrepContext, build_document


@cache
def _environment() -> Environment:
    # Loaded from the installed package, so rendering does not depend on the working directory.
    return Environment(
        loader=PackageLoader("crisislink.adapters.documents", "templates"),
        autoescape=select_autoescape(("html",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(sitrep: SitrepView, incident: IncidentView, context: SitrepContext) -> str:
    document = build_document(sitrep, incident, context)
    template = _environment().get_template("sitrep.html")
    return template.render(doc=document, lang=DOCUMENT_LANGUAGE)
