"""Scenarios to load into the platform: historical replays and exercises, kept as data next to this module.

Each scenario is one JSON file named after its id (`floods-2021` -> `floods_2021.json`); `scenario.py`
loads it, `checks.py` checks it, and `replay.py` issues it through the message bus (the commands are
planned in `plan.py`), marked so it is never taken for live data.
"""
