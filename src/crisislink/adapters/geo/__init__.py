"""Geography adapters: the shipped reference boundaries, spatial lookups and routing."""
