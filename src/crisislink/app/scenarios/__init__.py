"""Scenarios to load into the platform: historical replays and exercises, kept as data next to this module.

Each scenario is one JSON file named after its id (`floods-2021` -> `floods_2021.json`); `replay.py` loads,
checks and issues it through the message bus, marked so it is never taken for live data.
"""
