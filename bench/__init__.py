"""Benchmarks: each module compares a figure with a baseline measured in the same run (see docs/performance.md).

Run one from the repository root as `python -m bench.<name>` (or `python bench/<name>.py`); `--quick` is a
short smoke run. They write only into temporary directories and talk only to 127.0.0.1.
"""
