"""The API reference page (Redoc) without inline script, so it renders under `script-src 'self'`."""

from __future__ import annotations

import html
from typing import Any

from litestar import Request
from litestar.openapi.plugins import RedocRenderPlugin

FAVICON = "<link rel='icon' type='image/svg+xml' href='/static/favicon.svg'>"


class LocalRedoc(RedocRenderPlugin):
    """Redoc from /static, started by /static/js/redoc-init.js, which reads the spec URL from the page."""

    def __init__(self) -> None:
        super().__init__(
            path="/", js_url="/static/vendor/redoc.standalone.js", google_fonts=False, favicon=FAVICON
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:  # noqa: ARG002
        title = html.escape(str(openapi_schema["info"]["title"]))
        return f"""<!DOCTYPE html><html lang="en"><head><title>{title}</title>{self.favicon}
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
{self.style}</head><body>
<div id="redoc-container" data-spec-url="/api/docs/openapi.json"></div>
<script src="{self.js_url}"></script><script src="/static/js/redoc-init.js"></script>
</body></html>""".encode()
