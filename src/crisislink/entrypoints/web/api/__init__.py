"""JSON API controllers. Each parses input, builds a command, calls the bus, renders."""
