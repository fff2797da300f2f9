"""Readiness of the points of contact: who holds each desk (the rota), and communication tests."""
