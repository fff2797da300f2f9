"""Credentials: password hashing, sessions, API tokens, sign-in throttling."""
