"""Interchange standards crisislink speaks with other systems (EMSI), with their official schemas shipped."""
