"""CPU time of a server's threads while a benchmark loads it, read from /proc (Linux).

Sampling profilers show where a thread *is*; this shows what each thread *cost* in CPU (user + system),
which tells whether a process is bound by one core (the GIL) or by waiting.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def available() -> bool:
    return Path("/proc/self/task").is_dir()


def threads(pid: int) -> dict[int, float]:
    """Seconds of CPU (user + system) each live thread of `pid` has used so far."""
    used: dict[int, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            used[int(task.name)] = _cpu_seconds(task / "stat")
        except OSError:
            continue  # the thread ended meanwhile
    return used


def process(pid: int) -> float:
    """Seconds of CPU (user + system) all threads of `pid` have used so far."""
    return _cpu_seconds(Path(f"/proc/{pid}/stat"))


def _cpu_seconds(stat: Path) -> float:
    fields = stat.read_text().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


@dataclass
class ThreadCpu:
    """CPU seconds per thread, summed over the timed phases."""

    seconds: dict[int, float]
    wall: float = 0.0
    units: int = 0

    @classmethod
    def empty(cls) -> ThreadCpu:
        return cls(seconds={})

    def add(self, before: Mapping[int, float], after: Mapping[int, float], wall: float, units: int) -> None:
        for tid, used in after.items():
            self.seconds[tid] = self.seconds.get(tid, 0.0) + used - before.get(tid, 0.0)
        self.wall += wall
        self.units += units

    def lines(self, names: Mapping[int, str], unit: str) -> list[str]:
        if not self.units or not self.wall:
            return []
        total = sum(self.seconds.values())
        out = [
            f"  server: {1000 * total / self.units:.2f} ms of CPU per {unit}, "
            f"{total / self.wall:.2f} cores busy on average"
        ]
        for tid, used in sorted(self.seconds.items(), key=lambda item: -item[1]):
            if used * 1000 / self.units >= 0.01:
                name = names.get(tid, "native (no Python thread)")
                out.append(f"    {1000 * used / self.units:6.2f} ms  {name}")
        return out
