"""Application services: the message bus, and bootstrap, the one place that wires adapters together."""
