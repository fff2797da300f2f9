"""The web application: JSON API (OpenAPI 3.1, RFC 9457 errors) and, later, the operator console."""
