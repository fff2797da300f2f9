"""Sampling the server process with py-spy while a benchmark loads it, and summarising where time went."""

from __future__ import annotations

import collections
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench._support import RunningServer


@dataclass
class Profiler:
    proc: subprocess.Popen[bytes]
    output: Path
    pid: int
    rate: int


def py_spy() -> str | None:
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def start(server: RunningServer, work: Path, *, rate: int = 200) -> Profiler | None:
    binary = py_spy()
    if binary is None:
        print("py-spy is not installed (pip install py-spy): no profile")
        return None
    workers = server.worker_pids()
    pid = workers[0] if workers else server.pid
    output = work / f"py-spy-{pid}.txt"
    command = [binary, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw"]
    command += ["--idle", "--threads", "--nonblocking", "--output", str(output)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # let it attach
    return Profiler(proc, output, pid, rate)


def stop(
    profiler: Profiler,
    keep: Path | None = None,
    roots: Sequence[tuple[str, str]] = (),
    units: int = 0,
    unit: str = "request",
) -> str:
    """Stop sampling; summarise, with a breakdown of the work under each (label, root function)."""
    profiler.proc.send_signal(signal.SIGINT)
    try:
        profiler.proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        profiler.proc.kill()
        profiler.proc.wait(timeout=10)
    if not profiler.output.exists():
        return "py-spy wrote no profile (is ptrace allowed here?)"
    if keep is not None:
        shutil.copyfile(profiler.output, keep)
    raw = profiler.output.read_text(encoding="utf-8", errors="replace")
    parts = [breakdown(raw, label, root, profiler.rate, units, unit) for label, root in roots]
    return "\n".join([*parts, summarise(raw)])


_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def _name(frame: str) -> str:
    match = _FRAME.match(frame)
    if match is None:
        return frame
    file = match.group("file")
    for marker in ("site-packages/", "/src/", "/lib/python3"):
        if marker in file:
            file = file.split(marker, 1)[1]
    return f"{match.group('func')} ({file})"


def _thread_name(frame: str) -> str:
    match = re.match(r"thread \((?:0x)?[0-9a-fA-F]+\)(?::\s*(?P<name>.*))?", frame.strip())
    if match is None:
        return frame
    return re.sub(r"_\d+$", "_N", match.group("name") or "worker thread (anyio, unnamed)")


def summarise(raw: str) -> str:
    """Samples per thread (py-spy --idle: every thread is sampled whether busy or not)."""
    totals: collections.Counter[str] = collections.Counter()
    for frames, count in _stacks(raw):
        totals[_thread_name(frames[0])] += count
    if not totals:
        return "py-spy recorded no samples"
    return "py-spy samples per thread: " + ", ".join(f"{name} {n}" for name, n in totals.most_common())


# Where the wall-clock time of a piece of work goes. A sample counts as time inside SQLite when its Python
# leaf is the SQLAlchemy frame that calls into sqlite3; the first rule whose frame is on the stack names it.
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("COMMIT (WAL append + fsync)", "DefaultDialect.do_commit"),
    ("ROLLBACK", "DefaultDialect.do_rollback"),
    ("other SQLite statements", "DefaultDialect.do_execute"),
)
_INTO_SQLITE = frozenset(
    {
        "DefaultDialect.do_execute",
        "DefaultDialect.do_commit",
        "DefaultDialect.do_rollback",
        "DefaultDialect.do_executemany",
    }
)
# Named pieces of Python work, matched anywhere on the stack (before the SQLite rules).
NAMED: tuple[tuple[str, str], ...] = (
    ("sync after_request hook run in a thread pool (litestar sync_to_thread)", "sync_to_thread"),
    ("building the policy clause (access.visible_to)", "visible_to"),
    ("building insert()/update() .values(**row) statements", "ValuesBase.values"),
)
_LEAF_KINDS = (("sqlalchemy/", "Python: SQLAlchemy"), ("crisislink/", "Python: crisislink"))


def _stacks(raw: str) -> Iterator[tuple[list[str], int]]:
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if stack and count_text.isdigit():
            yield stack.split(";"), int(count_text)


# Transactions begin outside SQLAlchemy's statement path (adapters/db/engine.py): known by their leaf.
_BEGIN_LEAVES = {
    "_install_write_gate.<locals>._on_begin": "waiting for the write gate (another writer of this process)",
    "_begin": "BEGIN (waits for SQLite's write lock if IMMEDIATE)",
}


def _category(frames: list[str]) -> str:
    funcs = [frame.split(" (", 1)[0] for frame in frames]
    for label, func in NAMED:
        if func in funcs:
            return label
    if funcs[-1] in _BEGIN_LEAVES:
        return _BEGIN_LEAVES[funcs[-1]]
    if funcs[-1] in _INTO_SQLITE:
        for label, func in CATEGORIES:
            if func in funcs:
                return label
    leaf = frames[-1]
    for marker, label in _LEAF_KINDS:
        if marker in leaf:
            return label
    package = re.search(r"\(([A-Za-z_]+)/", leaf)
    return f"Python: {package.group(1) if package else 'stdlib/other'}"


def breakdown(raw: str, label: str, root: str, rate: int, units: int = 0, unit: str = "request") -> str:
    """Samples under the function `root` (all threads), by category, as wall-clock ms (per unit of work)."""
    counts: collections.Counter[str] = collections.Counter()
    for frames, count in _stacks(raw):
        funcs = [frame.split(" (", 1)[0] for frame in frames]
        if root in funcs:
            counts[_category(frames[funcs.index(root) :])] += count
    total = sum(counts.values())
    if total == 0:
        return f"{label}: no samples under {root}"
    per = f", {1000 * total / rate / units:.2f} ms per {unit}" if units else ""
    lines = [f"{label} ({root}): {total} samples = {1000 * total / rate:.0f} ms wall-clock{per}"]
    for name, n in counts.most_common():
        each = f"  {1000 * n / rate / units:6.2f} ms" if units else ""
        lines.append(f"  {100 * n / total:5.1f} %{each}  {name}")
    return "\n".join(lines)
