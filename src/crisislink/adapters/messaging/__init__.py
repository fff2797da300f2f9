"""Senders of communication-test messages: the recording outbox, SMTP for e-mail, and a router."""
