"""The operator console: server-rendered pages (Jinja2), made live with htmx and server-sent events."""
