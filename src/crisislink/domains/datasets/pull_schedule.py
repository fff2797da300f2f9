"""When a pull source is polled next: its interval, doubled after each failure in a row, at most a day.

One rule for the poller (`app/dataset_pull.py`, which sets the next poll) and for the read side (which
shows the wait a failing source is under), so the two never disagree.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

LONGEST_WAIT: Final = timedelta(days=1)
_MOST_DOUBLINGS: Final = 20  # 2**20 intervals already exceed any cap; bounds the arithmetic


def wait_after(interval: timedelta, failures: int) -> timedelta:
    """The wait before the next poll of a source polled every `interval` that failed `failures` times in a row.

    A healthy source (no failure) waits its interval. The cap is a day, or the interval if that is longer.
    """
    if failures <= 0:
        return interval
    doubled = interval * (1 << min(failures, _MOST_DOUBLINGS))  # interval x 2^failures
    return min(doubled, max(LONGEST_WAIT, interval))
