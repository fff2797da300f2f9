"""Shared vocabulary of every capability. Standard library only."""
