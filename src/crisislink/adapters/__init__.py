"""Concrete technology behind the domain's ports: database, bus, standards, geography, channels."""
