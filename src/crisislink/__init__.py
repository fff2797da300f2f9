"""crisislink: cross-border crisis coordination for the Benelux crisis centres and their partners."""

__version__ = "0.1.0"
